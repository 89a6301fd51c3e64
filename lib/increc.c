/*
 * increc.c — the incident record: rendering it as the JSON line
 * vc-incident prints and stores, and reading a stored one back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "incident.h"
#include "json.h"
#include "xalloc.h"

/* Longest group value quoted in an attacker description. */
#define ATTACKER_VALUE_MAX 128

static const char *const state_names[] = {"open", "mitigated", "resolved"};
static const char *const event_names[] = {"opened", "updated", "mitigated", "resolved", "reopened"};
static const char *const state_json[] = {"\"open\"", "\"mitigated\"", "\"resolved\""};

const char *
vc_incident_state_name(enum vc_inc_state s)
{
	return state_names[s];
}

const char *
vc_incident_event_name(enum vc_inc_event e)
{
	return event_names[e];
}

/* ---- rendering ----------------------------------------------------- */

/* A member's key and colon after a comma, for a literal NAME: two
 * arguments, the text and its length, so that rendering copies it
 * whole (an event has about 40 of them). */
#define KEY(name) ",\"" name "\":", sizeof(",\"" name "\":") - 1

static void
add_key(struct vc_buf *b, const char *key, size_t n)
{
	vc_buf_add(b, key, n);
}

static void
add_str(struct vc_buf *b, const char *key, size_t n, const char *s)
{
	add_key(b, key, n);
	if (s == NULL)
		vc_buf_add(b, "null", 4);
	else
		vc_buf_add_json_string(b, s, strlen(s));
}

/* Integers (times, counts) are most numbers here: spelled without
 * printf, which costs more than the rest of an event. */
void
vc_incident_number(struct vc_buf *b, double d)
{
	char digits[24];
	int n = 0;
	long long v;

	if (!(d >= -1e15 && d <= 1e15) || d != (double)(long long)d) {
		vc_buf_add_json_number(b, d);
		return;
	}
	v = (long long)d;
	if (v < 0) {
		vc_buf_addc(b, '-');
		v = -v;
	}
	do
		digits[n++] = (char)('0' + v % 10);
	while ((v /= 10) > 0);
	vc_buf_reserve(b, n);
	while (n > 0)
		b->p[b->len++] = digits[--n];
	b->p[b->len] = 0;
}

static void
add_num(struct vc_buf *b, const char *key, size_t n, double d)
{
	add_key(b, key, n);
	vc_incident_number(b, d);
}

/* Renders template text t with the incident's values, as a JSON string. */
static void
add_rendered(struct vc_buf *b, const char *t, const struct vc_incident *inc, struct vc_buf *tmp)
{
	struct vc_inctmpl_vars v = {
		inc->attacker,
		inc->monitor_name ? inc->monitor_name : "",
		inc->key,
		inc->handle ? inc->handle : "",
		inc->count,
		inc->has_peak ? inc->peak : 0,
		inc->group,
		inc->group_len,
		inc->cache.tmpl ? inc->cache.peak_text : NULL,
	};

	vc_buf_reset(tmp);
	vc_inctmpl_render(t, &v, tmp);
	vc_buf_add_json_string(b, tmp->p, tmp->len);
}

/* Whether template text uses a value that changes while an incident
 * lives, so that it must be rendered again for each event. */
static int
is_live(const char *t)
{
	return strstr(t, "{{count}}") != NULL || strstr(t, "{{peak}}") != NULL;
}

/* Brings inc's render cache up to date for template t and the user's
 * sessions: the title and checklist as JSON (again only when they use a
 * value that moved), the peak's spelling, and other_sessions. */
static void
refresh_cache(struct vc_incident *inc, const struct vc_inctmpl *t, const struct vc_inc_view *view)
{
	int fresh = inc->cache.tmpl != t;
	int peak_moved = inc->cache.has_peak != inc->has_peak || inc->cache.peak != inc->peak;
	int moved = peak_moved || inc->cache.count != inc->count;
	int first = 1;

	if (fresh) {
		inc->cache.tmpl = t;
		inc->cache.title_live = is_live(t->title);
		inc->cache.summary_live = is_live(t->summary);
		inc->cache.checklist_live = 0;
		for (size_t i = 0; i < t->nchecklist; i++)
			inc->cache.checklist_live |= is_live(t->checklist[i]);
		/* What an incident is stays with it: handle, monitor and
		 * attacker are those of its opening alert. */
		vc_buf_reset(&inc->cache.mid);
		add_str(&inc->cache.mid, KEY("handle"), inc->handle);
		add_key(&inc->cache.mid, KEY("monitor"));
		if (inc->monitor)
			vc_buf_add(&inc->cache.mid, inc->monitor, inc->monitor_len);
		else
			vc_buf_adds(&inc->cache.mid, "null");
		add_key(&inc->cache.mid, KEY("attacker"));
		if (inc->group)
			vc_buf_add(&inc->cache.mid, inc->group, inc->group_len);
		else
			vc_buf_adds(&inc->cache.mid, "{}");
	}
	if (fresh || peak_moved) {
		vc_buf_reset(&inc->cache.peak_json);
		if (inc->has_peak)
			vc_incident_number(&inc->cache.peak_json, inc->peak);
		else
			vc_buf_adds(&inc->cache.peak_json, "null");
		/* As templates spell it. */
		snprintf(inc->cache.peak_text, sizeof inc->cache.peak_text, "%g",
			 inc->has_peak ? inc->peak : 0);
	}
	if (fresh || (moved && inc->cache.title_live)) {
		vc_buf_reset(&inc->cache.head);
		add_str(&inc->cache.head, KEY("id"), inc->id);
		add_str(&inc->cache.head, KEY("key"), inc->key);
		add_key(&inc->cache.head, KEY("title"));
		add_rendered(&inc->cache.head, t->title, inc, view->tmp);
		add_str(&inc->cache.head, KEY("severity"), t->severity);
	}
	if (fresh || (moved && inc->cache.summary_live)) {
		vc_buf_reset(&inc->cache.summary);
		add_rendered(&inc->cache.summary, t->summary, inc, view->tmp);
	}
	if (fresh || (moved && inc->cache.checklist_live)) {
		vc_buf_reset(&inc->cache.checklist);
		vc_buf_addc(&inc->cache.checklist, '[');
		for (size_t i = 0; i < t->nchecklist; i++) {
			if (i)
				vc_buf_addc(&inc->cache.checklist, ',');
			add_rendered(&inc->cache.checklist, t->checklist[i], inc, view->tmp);
		}
		vc_buf_addc(&inc->cache.checklist, ']');
	}
	inc->cache.count = inc->count;
	inc->cache.peak = inc->peak;
	inc->cache.has_peak = inc->has_peak;
	/* The user's sessions only grow while the array is the same. */
	if (inc->cache.others.p != NULL && inc->cache.sessions == (const void *)view->sessions &&
	    inc->cache.nsessions == view->nsessions)
		return;
	inc->cache.sessions = view->sessions;
	inc->cache.nsessions = view->nsessions;
	vc_buf_reset(&inc->cache.others);
	vc_buf_addc(&inc->cache.others, '[');
	for (int i = 0; i < view->nsessions; i++) {
		if (inc->session_id && view->sessions[i][0] == inc->session_id[0] &&
		    strcmp(view->sessions[i], inc->session_id) == 0)
			continue;
		if (!first)
			vc_buf_addc(&inc->cache.others, ',');
		first = 0;
		vc_buf_add_json_string(&inc->cache.others, view->sessions[i],
				       strlen(view->sessions[i]));
	}
	vc_buf_addc(&inc->cache.others, ']');
}

/* Appends a cached piece of JSON. */
static void
add_cached(struct vc_buf *b, const struct vc_buf *piece)
{
	vc_buf_add(b, piece->p, piece->len);
}

static void
add_impact(struct vc_buf *b, const struct vc_incident *inc, const struct vc_inc_view *view)
{
	add_key(b, KEY("impact"));
	vc_buf_adds(b, "{\"summary\":");
	add_cached(b, &inc->cache.summary);
	add_key(b, KEY("customer_impacted"));
	vc_buf_adds(b, view->tmpl->customer_impacted ? "true" : "false");
	add_num(b, KEY("attempts"), (double)inc->attempts);
	add_key(b, KEY("peak"));
	add_cached(b, &inc->cache.peak_json);
	add_num(b, KEY("first_seen"), inc->first_seen);
	add_num(b, KEY("last_seen"), inc->last_seen);
	add_num(b, KEY("span_seconds"), inc->last_seen - inc->first_seen);
	add_key(b, KEY("services"));
	vc_buf_addc(b, '[');
	for (int i = 0; i < inc->nservices; i++) {
		if (i)
			vc_buf_addc(b, ',');
		vc_buf_add_json_string(b, inc->services[i], strlen(inc->services[i]));
	}
	vc_buf_addc(b, ']');
	if (inc->user_id != NULL) {
		add_str(b, KEY("user_id"), inc->user_id);
		add_key(b, KEY("other_sessions"));
		add_cached(b, &inc->cache.others);
	}
	vc_buf_addc(b, '}');
}

/* Appends a cached piece, noting where it went in at[0..1]. */
static void
add_marked(struct vc_buf *b, const struct vc_buf *piece, size_t at[2])
{
	at[0] = b->len;
	add_cached(b, piece);
	at[1] = b->len;
}

void
vc_incident_render(struct vc_incident *inc, enum vc_inc_event ev, double ts,
		   const struct vc_inc_view *view, struct vc_buf *out, struct vc_inc_marks *marks)
{
	struct vc_inc_marks none;
	const struct vc_inctmpl *t = view->tmpl;
	int from = inc->ntl > view->max_timeline ? inc->ntl - view->max_timeline : 0;

	if (marks == NULL)
		marks = &none;
	refresh_cache(inc, t, view);
	marks->head_fixed = !inc->cache.title_live;
	marks->checklist_fixed = !inc->cache.checklist_live;
	vc_buf_adds(out, "{\"type\":\"incident\",\"event\":\"");
	vc_buf_adds(out, event_names[ev]);
	vc_buf_addc(out, '"');
	add_num(out, KEY("ts"), ts);
	add_marked(out, &inc->cache.head, marks->head);
	add_key(out, KEY("state"));
	vc_buf_add(out, state_json[inc->state], strlen(state_json[inc->state]));
	add_marked(out, &inc->cache.mid, marks->mid);
	add_num(out, KEY("first_seen"), inc->first_seen);
	add_num(out, KEY("last_seen"), inc->last_seen);
	add_num(out, KEY("count"), (double)inc->count);
	add_key(out, KEY("peak"));
	add_cached(out, &inc->cache.peak_json);
	if (inc->mitigated_at > 0)
		add_num(out, KEY("mitigated_at"), inc->mitigated_at);
	if (inc->resolved_at > 0)
		add_num(out, KEY("resolved_at"), inc->resolved_at);
	if (inc->reopened > 0)
		add_num(out, KEY("reopened"), inc->reopened);
	add_key(out, KEY("timeline"));
	vc_buf_addc(out, '[');
	marks->tl[0] = out->len;
	for (int i = from; i < inc->ntl; i++) {
		if (i > from)
			vc_buf_addc(out, ',');
		vc_buf_add(out, inc->tl[i].json, inc->tl[i].len);
	}
	marks->tl[1] = out->len;
	vc_buf_addc(out, ']');
	add_num(out, KEY("timeline_total"), (double)inc->tl_total);
	add_impact(out, inc, view);
	marks->checklist[0] = out->len;
	add_key(out, KEY("checklist"));
	add_cached(out, &inc->cache.checklist);
	marks->checklist[1] = out->len;
	vc_buf_addc(out, '}');
}

/* ---- describing the attacker ----------------------------------------- */

/* Appends the words for group key k ("session_id" -> "session"). */
static void
add_label(struct vc_buf *b, const char *k, size_t n)
{
	if (n > 3 && memcmp(k + n - 3, "_id", 3) == 0)
		n -= 3;
	for (size_t i = 0; i < n; i++)
		vc_buf_addc(b, k[i] == '_' || k[i] == '.' ? ' ' : k[i]);
}

static char *
span_text(struct vc_json_span v)
{
	struct vc_buf b = VC_BUF_INIT;

	if (v.type == VC_JSON_STRING)
		vc_json_string(v, &b);
	else
		vc_buf_add(&b, v.p, v.len);
	if (b.p == NULL)
		vc_buf_adds(&b, "");
	return b.p;
}

void
vc_incident_describe(struct vc_incident *inc)
{
	struct vc_buf words = VC_BUF_INIT, k = VC_BUF_INIT;
	struct vc_json_span g, key, val;
	struct vc_json_iter it;

	free(inc->attacker);
	inc->attacker = NULL;
	if (inc->group != NULL) {
		g.p = inc->group;
		g.len = inc->group_len;
		g.type = VC_JSON_OBJECT;
		vc_json_iter_init(g, &it);
		while (vc_json_object_next(&it, &key, &val)) {
			char *v = span_text(val);
			size_t vn = strlen(v);

			vc_json_string(key, &k);
			if (words.len)
				vc_buf_adds(&words, ", ");
			add_label(&words, k.p ? k.p : "", k.len);
			vc_buf_addc(&words, ' ');
			vc_buf_add(&words, v, vn > ATTACKER_VALUE_MAX ? ATTACKER_VALUE_MAX : vn);
			if (k.len == 10 && memcmp(k.p, "session_id", 10) == 0 &&
			    inc->session_id == NULL)
				inc->session_id = vc_xstrdup(v);
			if (k.len == 7 && memcmp(k.p, "user_id", 7) == 0 && inc->user_id == NULL)
				inc->user_id = vc_xstrdup(v);
			free(v);
		}
	}
	if (words.len == 0)
		vc_buf_adds(&words, "all sources");
	inc->attacker = words.p;
	vc_buf_free(&k);
}

/* ---- timeline ------------------------------------------------------------ */

void
vc_incident_add_entry(struct vc_incident *inc, struct vc_inc_entry e)
{
	if (inc->ntl == VC_INC_TIMELINE_KEEP) {
		/* Keep the opening entry: it says how it started. */
		free(inc->tl[1].json);
		memmove(&inc->tl[1], &inc->tl[2], (VC_INC_TIMELINE_KEEP - 2) * sizeof *inc->tl);
		inc->ntl--;
	}
	if (inc->tl == NULL) {
		inc->tl = vc_xcalloc(VC_INC_TIMELINE_KEEP, sizeof *inc->tl);
	}
	if (e.seq == 0)
		e.seq = inc->tl_total + 1;
	if (e.seq > inc->tl_total)
		inc->tl_total = e.seq;
	inc->tl[inc->ntl++] = e;
}

void
vc_incident_free(struct vc_incident *inc)
{
	free(inc->id);
	free(inc->key);
	free(inc->handle);
	free(inc->monitor);
	free(inc->monitor_name);
	free(inc->group);
	free(inc->attacker);
	free(inc->user_id);
	free(inc->session_id);
	for (int i = 0; i < inc->ntl; i++)
		free(inc->tl[i].json);
	free(inc->tl);
	for (int i = 0; i < inc->nservices; i++)
		free(inc->services[i]);
	vc_buf_free(&inc->cache.head);
	vc_buf_free(&inc->cache.mid);
	vc_buf_free(&inc->cache.summary);
	vc_buf_free(&inc->cache.checklist);
	vc_buf_free(&inc->cache.peak_json);
	vc_buf_free(&inc->cache.others);
	memset(inc, 0, sizeof *inc);
}

/* ---- reading a record back ------------------------------------------------- */

static double
num_or_zero(struct vc_json_span v)
{
	return v.type == VC_JSON_NUMBER ? vc_json_number(v) : 0;
}

static void
parse_impact(struct vc_incident *inc, struct vc_json_span impact)
{
	struct vc_json_span v, item;
	struct vc_json_iter it;

	if (vc_json_member(impact, "services", &v) && v.type == VC_JSON_ARRAY) {
		vc_json_iter_init(v, &it);
		while (inc->nservices < VC_INC_SERVICES_MAX && vc_json_array_next(&it, &item))
			if (item.type == VC_JSON_STRING)
				inc->services[inc->nservices++] = span_text(item);
	}
	if (vc_json_member(impact, "attempts", &v) && v.type == VC_JSON_NUMBER)
		inc->attempts = (long long)vc_json_number(v);
	if (vc_json_member(impact, "user_id", &v) && v.type == VC_JSON_STRING) {
		free(inc->user_id);
		inc->user_id = span_text(v);
	}
}

int
vc_incident_parse(struct vc_incident *inc, const char *json, size_t len)
{
	struct vc_json_span root, k, v, item, impact = {NULL, 0, VC_JSON_NONE};
	struct vc_json_iter it, ti;
	const char *why;
	size_t off;

	memset(inc, 0, sizeof *inc);
	if (vc_json_check(json, len, &root, &why, &off) < 0 || root.type != VC_JSON_OBJECT)
		return -1;
	inc->state = VC_INC_OPEN;
	/* One pass over the members: a record is kilobytes, and looking each
	 * member up by name would walk it a dozen times. */
	vc_json_iter_init(root, &it);
	while (vc_json_object_next(&it, &k, &v)) {
		const char *name = k.p + 1;
		size_t n = k.len - 2;
#define IS(lit) (n == sizeof(lit) - 1 && memcmp(name, lit, n) == 0)
		if (IS("id") && v.type == VC_JSON_STRING) {
			free(inc->id);
			inc->id = span_text(v);
		} else if (IS("key") && v.type == VC_JSON_STRING) {
			free(inc->key);
			inc->key = span_text(v);
		} else if (IS("handle") && v.type == VC_JSON_STRING) {
			free(inc->handle);
			inc->handle = span_text(v);
		} else if (IS("monitor") && v.type == VC_JSON_OBJECT) {
			struct vc_json_span mname;
			free(inc->monitor);
			free(inc->monitor_name);
			inc->monitor_name = NULL;
			inc->monitor = vc_xstrndup(v.p, v.len);
			inc->monitor_len = v.len;
			if (vc_json_member(v, "name", &mname) && mname.type == VC_JSON_STRING)
				inc->monitor_name = span_text(mname);
		} else if (IS("attacker") && v.type == VC_JSON_OBJECT) {
			free(inc->group);
			inc->group = vc_xstrndup(v.p, v.len);
			inc->group_len = v.len;
		} else if (IS("state") && v.type == VC_JSON_STRING) {
			inc->state = vc_json_key_is(v, "mitigated", 9)  ? VC_INC_MITIGATED
				     : vc_json_key_is(v, "resolved", 8) ? VC_INC_RESOLVED
									: VC_INC_OPEN;
		} else if (IS("first_seen")) {
			inc->first_seen = num_or_zero(v);
		} else if (IS("last_seen")) {
			inc->last_seen = num_or_zero(v);
		} else if (IS("ts")) {
			inc->updated_ts = num_or_zero(v);
		} else if (IS("count")) {
			inc->count = (long long)num_or_zero(v);
		} else if (IS("peak")) {
			inc->has_peak = v.type == VC_JSON_NUMBER;
			inc->peak = num_or_zero(v);
		} else if (IS("mitigated_at")) {
			inc->mitigated_at = num_or_zero(v);
		} else if (IS("resolved_at")) {
			inc->resolved_at = num_or_zero(v);
		} else if (IS("reopened")) {
			inc->reopened = (int)num_or_zero(v);
		} else if (IS("timeline") && v.type == VC_JSON_ARRAY && inc->ntl == 0) {
			vc_json_iter_init(v, &ti);
			while (vc_json_array_next(&ti, &item)) {
				struct vc_inc_entry e = {vc_xstrndup(item.p, item.len), item.len,
							 0};
				vc_incident_add_entry(inc, e);
			}
		} else if (IS("timeline_total")) {
			inc->tl_total = (long long)num_or_zero(v);
		} else if (IS("impact") && v.type == VC_JSON_OBJECT) {
			impact = v;
		}
#undef IS
	}
	if (inc->id == NULL || inc->key == NULL)
		goto bad;
	vc_incident_describe(inc);
	if (impact.type == VC_JSON_OBJECT)
		parse_impact(inc, impact);
	return 0;
bad:
	vc_incident_free(inc);
	return -1;
}
