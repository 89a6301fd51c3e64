/*
 * inctrans.c — reading alert transitions and making timeline entries
 * (see inctrans.h).
 */
#include "inctrans.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vtime.h"
#include "xalloc.h"

/* Bounds on what one transition may bring into an incident. */
#define GROUP_KEYS_MAX 32
#define MESSAGE_MAX    1024
#define EVIDENCE_MAX   4096

const char *const vc_inc_status_names[] = {"alert", "warn", "ok", "no_data"};

static int
parse_status(struct vc_json_span v, enum vc_inc_status *st)
{
	if (v.type != VC_JSON_STRING)
		return -1;
	for (int i = 0; i < 4; i++)
		if (vc_json_key_is(v, vc_inc_status_names[i], strlen(vc_inc_status_names[i]))) {
			*st = (enum vc_inc_status)i;
			return 0;
		}
	if (vc_json_key_is(v, "no data", 7)) {
		*st = VC_ST_NO_DATA;
		return 0;
	}
	return -1;
}

/* Appends a span as text: strings decoded, anything else as written. */
static void
add_text(struct vc_buf *b, struct vc_json_span v, struct vc_buf *tmp)
{
	if (v.type == VC_JSON_STRING) {
		vc_json_string(v, tmp);
		vc_buf_add(b, tmp->p, tmp->len);
	} else {
		vc_buf_add(b, v.p, v.len);
	}
}

struct member {
	struct vc_json_span key, val;
	struct vc_buf name;
};

static int
cmp_member(const void *a, const void *b)
{
	const struct member *x = a, *y = b;

	return strcmp(x->name.p ? x->name.p : "", y->name.p ? y->name.p : "");
}

/* The incident key: monitor id, "/", group members "k:v" sorted by key
 * and joined by ",", or "*" for no group. */
static const char *
make_key(struct vc_inc_transition *t, struct vc_buf *tmp)
{
	struct vc_json_span id;
	struct member m[GROUP_KEYS_MAX];
	struct vc_json_iter it;
	int n = 0;
	const char *why = NULL;

	id = t->monitor_id;
	if (t->monitor.type != VC_JSON_OBJECT ||
	    (id.type != VC_JSON_STRING && id.type != VC_JSON_NUMBER))
		return "no monitor.id (a string or number)";
	add_text(&t->key, id, tmp);
	vc_buf_addc(&t->key, '/');
	if (!t->has_group) {
		vc_buf_addc(&t->key, '*');
		return NULL;
	}
	vc_json_iter_init(t->group, &it);
	memset(m, 0, sizeof m);
	while (vc_json_object_next(&it, &m[n].key, &m[n].val)) {
		if (n == GROUP_KEYS_MAX) {
			why = "group has more than 32 keys";
			break;
		}
		vc_json_string(m[n].key, &m[n].name);
		n++;
	}
	if (why == NULL) {
		qsort(m, n, sizeof *m, cmp_member);
		for (int i = 0; i < n; i++) {
			if (i)
				vc_buf_addc(&t->key, ',');
			vc_buf_add(&t->key, m[i].name.p, m[i].name.len);
			vc_buf_addc(&t->key, ':');
			add_text(&t->key, m[i].val, tmp);
		}
		if (n == 0)
			vc_buf_addc(&t->key, '*');
	}
	for (int i = 0; i < n; i++)
		vc_buf_free(&m[i].name);
	return why;
}

static int
handle_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.';
}

/* The first "@incident-NAME" in text[0..n), malloc'd, or NULL. */
static char *
find_handle(const char *text, size_t n)
{
	const char *p = memmem(text, n, "@incident-", 10);
	size_t len = 10;

	if (p == NULL)
		return NULL;
	while (p + len < text + n && handle_char(p[len]))
		len++;
	return len > 10 ? vc_xstrndup(p, len) : NULL;
}

static void
read_handle(struct vc_inc_transition *t, struct vc_json_span hs, struct vc_buf *tmp)
{
	struct vc_json_span h;
	struct vc_json_iter it;

	if (hs.type == VC_JSON_ARRAY) {
		vc_json_iter_init(hs, &it);
		while (t->handle == NULL && vc_json_array_next(&it, &h)) {
			if (h.type != VC_JSON_STRING)
				continue;
			vc_json_string(h, tmp);
			if (tmp->len > 10 && memcmp(tmp->p, "@incident-", 10) == 0)
				t->handle = find_handle(tmp->p, tmp->len);
		}
	}
	if (t->handle == NULL && t->has_message) {
		vc_json_string(t->message, tmp);
		t->handle = find_handle(tmp->p ? tmp->p : "", tmp->len);
	}
}

/* Reads the monitor's id and query in one pass over it (the last of a
 * repeated key wins, as in jq). */
static void
read_monitor(struct vc_inc_transition *t)
{
	struct vc_inc_monitor_memo *m = t->memo;
	const char *p = t->monitor.p;
	struct vc_json_iter it;
	struct vc_json_span k, v;

	if (m != NULL && m->bytes.len == t->monitor.len &&
	    memcmp(m->bytes.p, p, m->bytes.len) == 0) {
		t->monitor_id.p = p + m->id_off;
		t->monitor_id.len = m->id_len;
		t->monitor_id.type = m->id_type;
		t->monitor_query.p = p + m->query_off;
		t->monitor_query.len = m->query_len;
		t->monitor_query.type = m->query_type;
		return;
	}
	t->monitor_id.p = t->monitor_query.p = p;
	t->monitor_id.len = t->monitor_query.len = 0;
	t->monitor_id.type = t->monitor_query.type = VC_JSON_NONE;
	vc_json_iter_init(t->monitor, &it);
	while (vc_json_object_next(&it, &k, &v)) {
		if (vc_json_key_is(k, "id", 2))
			t->monitor_id = v;
		else if (vc_json_key_is(k, "query", 5))
			t->monitor_query = v;
	}
	if (m == NULL)
		return;
	/* Offsets: the record's bytes go with the record. */
	vc_buf_reset(&m->bytes);
	vc_buf_add(&m->bytes, p, t->monitor.len);
	m->id_off = (size_t)(t->monitor_id.p - p);
	m->id_len = t->monitor_id.len;
	m->id_type = t->monitor_id.type;
	m->query_off = (size_t)(t->monitor_query.p - p);
	m->query_len = t->monitor_query.len;
	m->query_type = t->monitor_query.type;
}

/* Reads the members of a transition in one pass over the record (the
 * last of a repeated key wins, as in jq). */
const char *
vc_inc_transition_read(struct vc_inc_transition *t, const struct vc_record *rec, struct vc_buf *tmp)
{
	struct vc_json_span k, v, status = {NULL, 0, VC_JSON_NONE}, ts = {NULL, 0, VC_JSON_NONE},
				  handles = {NULL, 0, VC_JSON_NONE};
	struct vc_json_iter it;

	t->monitor.type = t->group.type = VC_JSON_NONE;
	vc_json_iter_init(rec->root, &it);
	while (vc_json_object_next(&it, &k, &v)) {
		const char *name = k.p + 1;
		size_t n = k.len - 2;

		/* A key spelled with escapes (a letter as a backslash-u
		 * sequence) is the member jq reads under its decoded name;
		 * such keys are rare, so only they pay for decoding. */
		if (memchr(name, '\\', n) != NULL) {
			vc_json_string(k, tmp);
			name = tmp->p;
			n = tmp->len;
		}
#define IS(lit) (n == sizeof(lit) - 1 && memcmp(name, lit, n) == 0)
		if (IS("status"))
			status = v;
		else if (IS("ts"))
			ts = v;
		else if (IS("monitor"))
			t->monitor = v;
		else if (IS("group"))
			t->group = v;
		else if (IS("previous"))
			t->previous = v;
		else if (IS("value"))
			t->value = v;
		else if (IS("threshold"))
			t->threshold = v;
		else if (IS("message"))
			t->message = v;
		else if (IS("evidence"))
			t->evidence = v;
		else if (IS("handles"))
			handles = v;
#undef IS
	}
	if (parse_status(status, &t->status) < 0)
		return "status must be alert, warn, ok or no_data";
	/* Absent or null is now, as in every tool (vc-records(7)). */
	if (ts.type == VC_JSON_NONE || ts.type == VC_JSON_NULL)
		t->ts = vc_time_now();
	else if (vc_inc_time(ts, &t->ts) < 0)
		return "ts is not a time (epoch seconds or RFC 3339)";
	if (t->monitor.type != VC_JSON_OBJECT)
		return "no monitor object";
	read_monitor(t);
	t->has_group = t->group.type != VC_JSON_NONE && t->group.type != VC_JSON_NULL;
	if (t->has_group && t->group.type != VC_JSON_OBJECT)
		return "group must be an object";
	t->has_previous = t->previous.type == VC_JSON_STRING;
	t->has_value = t->value.type == VC_JSON_NUMBER;
	t->has_threshold = t->threshold.type == VC_JSON_NUMBER;
	t->value_num = t->has_value ? vc_json_number(t->value) : 0;
	t->threshold_num = t->has_threshold ? vc_json_number(t->threshold) : 0;
	t->has_message = t->message.type == VC_JSON_STRING;
	t->has_evidence = t->evidence.type == VC_JSON_ARRAY;
	read_handle(t, handles, tmp);
	return make_key(t, tmp);
}

int
vc_inc_time(struct vc_json_span v, double *ts)
{
	if (v.type != VC_JSON_NUMBER)
		return vc_time_from_json(v, ts);
	*ts = vc_json_number(v);
	return isfinite(*ts) ? 0 : -1;
}

char *
vc_inc_dup_span(struct vc_json_span v)
{
	return vc_xstrndup(v.p, v.len);
}

static void
add_message(struct vc_buf *b, struct vc_json_span msg, struct vc_buf *tmp)
{
	size_t n;

	if (msg.len <= MESSAGE_MAX) {
		vc_buf_add(b, msg.p, msg.len);
		return;
	}
	vc_json_string(msg, tmp);
	n = tmp->len < MESSAGE_MAX ? tmp->len : MESSAGE_MAX;
	/* Cut on a character boundary, not inside a UTF-8 sequence. */
	while (n > 0 && ((unsigned char)tmp->p[n] & 0xC0) == 0x80)
		n--;
	tmp->len = n;
	vc_buf_adds(tmp, "\xE2\x80\xA6"); /* … */
	vc_buf_add_json_string(b, tmp->p, tmp->len);
}

static void
add_evidence(struct vc_buf *b, struct vc_json_span ev)
{
	struct vc_json_iter it;
	struct vc_json_span item;
	size_t used = 0;
	long dropped = 0;
	int first = 1;

	if (ev.len <= EVIDENCE_MAX) {
		vc_buf_adds(b, ",\"evidence\":");
		vc_buf_add(b, ev.p, ev.len);
		return;
	}
	vc_buf_adds(b, ",\"evidence\":[");
	vc_json_iter_init(ev, &it);
	while (vc_json_array_next(&it, &item)) {
		if (used + item.len > EVIDENCE_MAX) {
			dropped++;
			continue;
		}
		if (!first)
			vc_buf_addc(b, ',');
		first = 0;
		vc_buf_add(b, item.p, item.len);
		used += item.len;
	}
	vc_buf_printf(b, "],\"evidence_dropped\":%ld", dropped);
}

/* A timeline entry for transition t, marked with ev unless it is
 * VC_EV_UPDATED. */
struct vc_inc_entry
vc_inc_transition_entry(const struct vc_inc_transition *t, enum vc_inc_event ev, struct vc_buf *tmp)
{
	struct vc_buf b = VC_BUF_INIT;
	struct vc_inc_entry e;

	/* One allocation for the usual entry: the spans copied, their
	 * keys and the rest. */
	vc_buf_reserve(&b,
		       128 + t->previous.len + t->value.len + t->threshold.len +
			       (t->message.len < MESSAGE_MAX ? t->message.len : MESSAGE_MAX + 8) +
			       (t->evidence.len < EVIDENCE_MAX ? t->evidence.len : EVIDENCE_MAX));
	vc_buf_adds(&b, "{\"ts\":");
	vc_incident_number(&b, t->ts);
	if (ev != VC_EV_UPDATED) {
		vc_buf_adds(&b, ",\"event\":\"");
		vc_buf_adds(&b, vc_incident_event_name(ev));
		vc_buf_addc(&b, '"');
	}
	vc_buf_adds(&b, ",\"status\":\"");
	vc_buf_adds(&b, vc_inc_status_names[t->status]);
	vc_buf_addc(&b, '"');
	if (t->has_previous && t->previous.len < 64) {
		vc_buf_adds(&b, ",\"previous\":");
		vc_buf_add(&b, t->previous.p, t->previous.len);
	}
	if (t->has_value) {
		vc_buf_adds(&b, ",\"value\":");
		vc_buf_add(&b, t->value.p, t->value.len);
	}
	if (t->has_threshold) {
		vc_buf_adds(&b, ",\"threshold\":");
		vc_buf_add(&b, t->threshold.p, t->threshold.len);
	}
	if (t->has_message) {
		vc_buf_adds(&b, ",\"message\":");
		add_message(&b, t->message, tmp);
	}
	if (t->has_evidence)
		add_evidence(&b, t->evidence);
	vc_buf_addc(&b, '}');
	e.json = b.p;
	e.len = b.len;
	e.seq = 0; /* numbered when added to a timeline */
	return e;
}

struct vc_inc_entry
vc_inc_event_entry(double ts, enum vc_inc_event ev)
{
	struct vc_buf b = VC_BUF_INIT;
	struct vc_inc_entry e;

	vc_buf_adds(&b, "{\"ts\":");
	vc_incident_number(&b, ts);
	vc_buf_printf(&b, ",\"event\":\"%s\"}", vc_incident_event_name(ev));
	e.json = b.p;
	e.len = b.len;
	e.seq = 0; /* numbered when added to a timeline */
	return e;
}
