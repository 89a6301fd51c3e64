/*
 * template.c — rendering and checking Datadog message templates
 * (template.h).  Templates are short and rendered only on a transition, so
 * rendering walks the text directly, keeping a stack of open sections.
 */
#include "template.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define MAX_DEPTH 32
#define MAX_ARGS  8

/* One {{...}} tag of a template. */
struct tag {
	size_t at, end;   /* the tag's first and past-last byte in tpl */
	char kind;        /* '#', '^', '/', 'e' (else) or 'v' (variable) */
	const char *name; /* the name, not NUL-terminated */
	size_t nlen;
	struct {
		const char *p;
		size_t n;
	} args[MAX_ARGS];
	size_t nargs;
	int bad_args; /* an unterminated quote */
};

/* Finds the next tag at or after *pos; returns 0 when there is none,
 * copying the text before it through emit. */
static int
next_tag(const char *tpl, size_t *pos, struct tag *t)
{
	const char *open = strstr(tpl + *pos, "{{");
	const char *p, *close;
	int triple;

	if (open == NULL)
		return 0;
	triple = open[2] == '{';
	p = open + (triple ? 3 : 2);
	close = strstr(p, triple ? "}}}" : "}}");
	if (close == NULL)
		return 0;
	memset(t, 0, sizeof *t);
	t->at = (size_t)(open - tpl);
	t->end = (size_t)(close - tpl) + (triple ? 3 : 2);
	while (p < close && isspace((unsigned char)*p))
		p++;
	t->kind = 'v';
	if (*p == '#' || *p == '^' || *p == '/') {
		t->kind = *p++;
		while (p < close && isspace((unsigned char)*p))
			p++;
	}
	t->name = p;
	if (*p == '[') {
		const char *rb = memchr(p, ']', (size_t)(close - p));

		p = rb ? rb + 1 : close;
	}
	while (p < close && !isspace((unsigned char)*p))
		p++;
	t->nlen = (size_t)(p - t->name);
	if (t->kind == 'v' && t->nlen == 4 && memcmp(t->name, "else", 4) == 0)
		t->kind = 'e';
	for (;;) {
		char q;
		const char *s;

		while (p < close && isspace((unsigned char)*p))
			p++;
		if (p >= close)
			break;
		q = *p;
		if ((q != '"' && q != '\'') || t->nargs == MAX_ARGS) {
			t->bad_args = 1;
			break;
		}
		s = memchr(p + 1, q, (size_t)(close - p - 1));
		if (s == NULL) {
			t->bad_args = 1;
			break;
		}
		t->args[t->nargs].p = p + 1;
		t->args[t->nargs].n = (size_t)(s - p - 1);
		t->nargs++;
		p = s + 1;
	}
	*pos = t->end;
	return 1;
}

static int
name_is(const struct tag *t, const char *w)
{
	return strlen(w) == t->nlen && memcmp(t->name, w, t->nlen) == 0;
}

static const char *const conditions[] = {
	"is_alert",
	"is_warning",
	"is_recovery",
	"is_alert_recovery",
	"is_warning_recovery",
	"is_alert_to_warning",
	"is_no_data",
	"is_no_data_recovery",
	"is_renotify",
	"is_unknown",
	"is_priority",
	"is_match",
	"is_exact_match",
	NULL,
};

static const char *const variables[] = {
	"value",
	"threshold",
	"warn_threshold",
	"ok_threshold",
	"comparator",
	"first_triggered_at",
	"first_triggered_at_epoch",
	"last_triggered_at",
	"last_triggered_at_epoch",
	"triggered_duration_sec",
	NULL,
};

static int
in_list(const struct tag *t, const char *const *list)
{
	size_t k;

	for (k = 0; list[k]; k++)
		if (name_is(t, list[k]))
			return 1;
	return 0;
}

/* The tag key of "KEY.name" or "[KEY].name" (the "name" part may be
 * absent in is_match arguments); 0 when s is not of that shape. */
static int
tag_key(const char *s, size_t n, const char **key, size_t *klen, int need_name)
{
	if (n >= 5 && memcmp(s + n - 5, ".name", 5) == 0)
		n -= 5;
	else if (need_name)
		return 0;
	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		s++;
		n -= 2;
	}
	if (n == 0)
		return 0;
	*key = s;
	*klen = n;
	return 1;
}

/* ---- rendering ----------------------------------------------------- */

void
vc_template_add_value(struct vc_buf *out, const char *v)
{
	const char *nul;

	while ((nul = strstr(v, "\xC0\x80")) != NULL) {
		vc_buf_add(out, v, (size_t)(nul - v));
		vc_buf_addc(out, '\0');
		v = nul + 2;
	}
	vc_buf_adds(out, v);
}

/* The group's (or else the last point's) value of tag key into out;
 * returns 0 when the tag is unknown. */
static int
tag_value(const struct vc_template_ctx *c, const char *key, size_t klen, struct vc_buf *out)
{
	struct vc_json_iter it;
	struct vc_json_span k, v;
	size_t i;

	for (i = 0; i < c->nkeys; i++)
		if (strlen(c->keys[i]) == klen && memcmp(c->keys[i], key, klen) == 0) {
			vc_template_add_value(out, c->values[i]);
			return 1;
		}
	if (c->tags.type != VC_JSON_OBJECT)
		return 0;
	vc_json_iter_init(c->tags, &it);
	while (vc_json_object_next(&it, &k, &v))
		if (vc_json_key_is(k, key, klen)) {
			if (v.type == VC_JSON_STRING) {
				struct vc_buf tmp = VC_BUF_INIT;

				vc_json_string(v, &tmp);
				vc_buf_add(out, tmp.p ? tmp.p : "", tmp.len);
				vc_buf_free(&tmp);
			} else if (v.type != VC_JSON_NULL) {
				vc_buf_add(out, v.p, v.len);
			}
			return 1;
		}
	return 0;
}

static void
add_number(struct vc_buf *out, double d)
{
	if (isnan(d))
		return;
	vc_buf_add_json_number(out, d);
}

/* Datadog's "2026-11-26 17:00:00 UTC". */
static void
add_time(struct vc_buf *out, double ts)
{
	time_t t;
	struct tm tm;
	char s[64];

	if (isnan(ts))
		return;
	t = (time_t)floor(ts);
	if (gmtime_r(&t, &tm) == NULL)
		return;
	strftime(s, sizeof s, "%Y-%m-%d %H:%M:%S UTC", &tm);
	vc_buf_adds(out, s);
}

static void
variable(const struct tag *t, const struct vc_template_ctx *c, struct vc_buf *out)
{
	const char *key;
	size_t klen;

	if (name_is(t, "value"))
		add_number(out, c->value);
	else if (name_is(t, "threshold"))
		add_number(out, c->threshold);
	else if (name_is(t, "warn_threshold"))
		add_number(out, c->warn_threshold);
	else if (name_is(t, "ok_threshold"))
		add_number(out, c->ok_threshold);
	else if (name_is(t, "comparator"))
		vc_buf_adds(out, vc_cmp_name(c->cmp));
	else if (name_is(t, "first_triggered_at"))
		add_time(out, c->first_triggered);
	else if (name_is(t, "last_triggered_at"))
		add_time(out, c->last_triggered);
	else if (name_is(t, "first_triggered_at_epoch"))
		add_number(out, floor(c->first_triggered * 1000));
	else if (name_is(t, "last_triggered_at_epoch"))
		add_number(out, floor(c->last_triggered * 1000));
	else if (name_is(t, "triggered_duration_sec"))
		add_number(out,
			   isnan(c->first_triggered) ? NAN : floor(c->now - c->first_triggered));
	else if (tag_key(t->name, t->nlen, &key, &klen, 1))
		tag_value(c, key, klen, out);
	/* Anything else renders as nothing, as in Datadog; --check reports
	 * it. */
}

/* is_match (substring) and is_exact_match: any argument matches; an
 * empty argument matches any non-empty value. */
static int
matches(const struct tag *t, const struct vc_template_ctx *c, int exact)
{
	struct vc_buf v = VC_BUF_INIT;
	const char *key;
	size_t klen, k;
	int ok = 0;

	if (t->nargs < 2 || !tag_key(t->args[0].p, t->args[0].n, &key, &klen, 0))
		return 0;
	tag_value(c, key, klen, &v);
	for (k = 1; k < t->nargs && !ok; k++) {
		const char *a = t->args[k].p;
		size_t n = t->args[k].n;

		if (n == 0)
			ok = v.len > 0;
		else if (exact)
			ok = v.len == n && memcmp(v.p, a, n) == 0;
		else
			ok = v.len >= n && memmem(v.p, v.len, a, n) != NULL;
	}
	vc_buf_free(&v);
	return ok;
}

static int
condition(const struct tag *t, const struct vc_template_ctx *c)
{
	enum vc_monitor_status s = c->status, p = c->previous;
	int recovery = s == VC_STATUS_OK && p != VC_STATUS_OK;

	if (name_is(t, "is_alert"))
		return s == VC_STATUS_ALERT;
	if (name_is(t, "is_warning"))
		return s == VC_STATUS_WARN;
	if (name_is(t, "is_no_data"))
		return s == VC_STATUS_NO_DATA;
	if (name_is(t, "is_recovery"))
		return recovery;
	if (name_is(t, "is_alert_recovery"))
		return recovery && p == VC_STATUS_ALERT;
	if (name_is(t, "is_warning_recovery"))
		return recovery && p == VC_STATUS_WARN;
	if (name_is(t, "is_alert_to_warning"))
		return s == VC_STATUS_WARN && p == VC_STATUS_ALERT;
	if (name_is(t, "is_no_data_recovery"))
		return p == VC_STATUS_NO_DATA && s != VC_STATUS_NO_DATA;
	if (name_is(t, "is_renotify"))
		return c->renotify;
	if (name_is(t, "is_priority")) {
		char want[8];

		if (t->nargs < 1 || c->priority == 0)
			return 0;
		snprintf(want, sizeof want, "P%d", c->priority);
		return strlen(want) == t->args[0].n &&
		       strncasecmp(want, t->args[0].p, t->args[0].n) == 0;
	}
	if (name_is(t, "is_match"))
		return matches(t, c, 0);
	if (name_is(t, "is_exact_match"))
		return matches(t, c, 1);
	return 0;
}

/* A section shows its body before {{else}} when its condition holds, and
 * after it when it does not. */
static int
hides(int cond, int in_else)
{
	return cond == in_else;
}

void
vc_template_render(const char *tpl, const struct vc_template_ctx *c, struct vc_buf *out)
{
	/* A frame per open section: whether its body shows, and whether we
	 * are past its {{else}}. */
	struct {
		int cond, in_else;
	} stack[MAX_DEPTH];
	int depth = 0, hidden = 0; /* frames that hide their body */
	size_t pos = 0, from = 0;
	struct tag t;

	vc_buf_reserve(out, 0);
	while (next_tag(tpl, &pos, &t)) {
		if (hidden == 0)
			vc_buf_add(out, tpl + from, t.at - from);
		from = t.end;
		switch (t.kind) {
		case '#':
		case '^':
			if (depth == MAX_DEPTH)
				break;
			stack[depth].cond = condition(&t, c);
			if (t.kind == '^')
				stack[depth].cond = !stack[depth].cond;
			stack[depth].in_else = 0;
			hidden += hides(stack[depth].cond, 0);
			depth++;
			break;
		case 'e':
			if (depth == 0)
				break;
			hidden -= hides(stack[depth - 1].cond, stack[depth - 1].in_else);
			stack[depth - 1].in_else = !stack[depth - 1].in_else;
			hidden += hides(stack[depth - 1].cond, stack[depth - 1].in_else);
			break;
		case '/':
			if (depth == 0)
				break;
			depth--;
			hidden -= hides(stack[depth].cond, stack[depth].in_else);
			break;
		default:
			if (hidden == 0)
				variable(&t, c, out);
		}
	}
	if (hidden == 0)
		vc_buf_adds(out, tpl + from);
}

/* ---- checking ------------------------------------------------------ */

int
vc_template_check(const char *tpl, char *const *keys, size_t nkeys,
		  void (*on_error)(size_t off, const char *why, void *arg), void *arg)
{
	struct {
		const char *name;
		size_t nlen, at;
	} stack[MAX_DEPTH];
	int depth = 0, errors = 0;
	size_t pos = 0, k;
	struct tag t;
	char why[200];

#define ERROR(off, ...)                                 \
	do {                                            \
		snprintf(why, sizeof why, __VA_ARGS__); \
		on_error((off), why, arg);              \
		errors++;                               \
	} while (0)

	while (next_tag(tpl, &pos, &t)) {
		const char *key;
		size_t klen;

		if (t.bad_args)
			ERROR(t.at, "malformed arguments in '%.*s'", (int)(t.end - t.at),
			      tpl + t.at);
		switch (t.kind) {
		case '#':
		case '^':
			if (!in_list(&t, conditions))
				ERROR(t.at, "unknown condition '%.*s'", (int)t.nlen, t.name);
			else if ((name_is(&t, "is_match") || name_is(&t, "is_exact_match")) &&
				 t.nargs < 2)
				ERROR(t.at, "%.*s needs a tag and a value", (int)t.nlen, t.name);
			else if (name_is(&t, "is_priority") && t.nargs != 1)
				ERROR(t.at, "is_priority needs one priority like 'P1'");
			if (depth == MAX_DEPTH) {
				ERROR(t.at, "sections nested too deep");
				return errors;
			}
			stack[depth].name = t.name;
			stack[depth].nlen = t.nlen;
			stack[depth].at = t.at;
			depth++;
			break;
		case '/':
			if (depth == 0)
				ERROR(t.at, "'{{/%.*s}}' closes no section", (int)t.nlen, t.name);
			else if (stack[depth - 1].nlen != t.nlen ||
				 memcmp(stack[depth - 1].name, t.name, t.nlen) != 0)
				ERROR(t.at, "'{{/%.*s}}' closes '%.*s'", (int)t.nlen, t.name,
				      (int)stack[depth - 1].nlen, stack[depth - 1].name);
			if (depth > 0)
				depth--;
			break;
		case 'e':
			if (depth == 0)
				ERROR(t.at, "{{else}} outside a section");
			break;
		default:
			if (in_list(&t, variables))
				break;
			if (!tag_key(t.name, t.nlen, &key, &klen, 1)) {
				ERROR(t.at, "unknown template variable '%.*s'", (int)t.nlen,
				      t.name);
				break;
			}
			for (k = 0; k < nkeys; k++)
				if (strlen(keys[k]) == klen && memcmp(keys[k], key, klen) == 0)
					break;
			if (k == nkeys)
				ERROR(t.at,
				      "'%.*s' is not a group-by key of the query, so "
				      "{{%.*s}} would be empty",
				      (int)klen, key, (int)t.nlen, t.name);
		}
	}
	while (depth > 0) {
		depth--;
		ERROR(stack[depth].at, "section '%.*s' is never closed", (int)stack[depth].nlen,
		      stack[depth].name);
	}
#undef ERROR
	return errors;
}

/* ---- handles ------------------------------------------------------- */

void
vc_template_handles(const char *text, size_t n, struct vc_buf *out)
{
	size_t k = 0, count = 0;

	vc_buf_addc(out, '[');
	while (k < n) {
		size_t start, end;

		if (text[k] != '@' || (k > 0 && !isspace((unsigned char)text[k - 1]))) {
			k++;
			continue;
		}
		start = k;
		end = k + 1;
		while (end < n && !isspace((unsigned char)text[end]))
			end++;
		k = end;
		/* Sentence punctuation after a handle is not part of it. */
		while (end > start + 1 && strchr(".,;:!?)", text[end - 1]) &&
		       !(text[end - 1] == ')' && memchr(text + start, '(', end - start)))
			end--;
		if (end == start + 1)
			continue;
		if (count++)
			vc_buf_addc(out, ',');
		vc_buf_add_json_string(out, text + start, end - start);
	}
	vc_buf_addc(out, ']');
}
