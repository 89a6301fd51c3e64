/*
 * monitor_check.c — the --check validations of monitor.h: what Datadog
 * would reject, what vcobs could not evaluate, and mistakes Datadog lets
 * through (unknown template variables, duplicate ids).
 */
#include "monitor.h"

#include <err.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "template.h"

struct checker {
	const struct vc_monitor *m;
	struct vc_json_span root;
	int errors;
};

static void __attribute__((format(printf, 3, 4)))
report(struct checker *c, const char *at, const char *fmt, ...)
{
	unsigned long line, col;
	char why[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	vc_monitor_locate(c->m, at ? (size_t)(at - c->m->json) : 0, &line, &col);
	warnx("%s:%lu:%lu: %s", c->m->file, line, col, why);
	c->errors++;
}

/* The raw byte of string span s at which decoded byte off begins. */
static const char *
string_at(struct vc_json_span s, size_t off)
{
	const char *p = s.p + 1, *end = s.p + s.len - 1;
	size_t got = 0;

	while (p < end && got < off) {
		if (*p != '\\') {
			p++;
			got++;
		} else if (p[1] == 'u') {
			char hex[5] = {p[2], p[3], p[4], p[5], 0};
			unsigned long cp = strtoul(hex, NULL, 16);
			int pair = cp >= 0xd800 && cp < 0xdc00;

			got += cp < 0x80 ? 1 : cp < 0x800 ? 2 : pair ? 4 : 3;
			p += 6;
			if (pair && p + 1 < end && p[0] == '\\' && p[1] == 'u')
				p += 6;
		} else {
			p += 2;
			got++;
		}
	}
	return p < end ? p : end;
}

static const char *const top_keys[] = {
	"name",
	"type",
	"query",
	"message",
	"tags",
	"priority",
	"options",
	/* Read-only fields the API and UI exports carry. */
	"id",
	"org_id",
	"created",
	"created_at",
	"modified",
	"deleted",
	"creator",
	"overall_state",
	"overall_state_modified",
	"multi",
	"restricted_roles",
	"matching_downtimes",
	"draft_status",
	"state",
	"classification",
	NULL,
};

/* Options and what vcobs does with them: 'b' boolean and 'n' number it
 * evaluates, 'i' accepted without effect on evaluation, 'u' unsupported,
 * 'x' checked elsewhere. */
static const struct {
	const char *name;
	char how;
} option_keys[] = {
	{"thresholds", 'x'},
	{"notify_no_data", 'b'},
	{"no_data_timeframe", 'n'},
	{"evaluation_delay", 'n'},
	{"new_group_delay", 'n'},
	{"require_full_window", 'b'},
	{"renotify_interval", 'n'},
	{"renotify_statuses", 'x'},
	{"timeout_h", 'n'},
	{"notify_by", 'x'},
	{"escalation_message", 'x'},
	{"include_tags", 'b'},
	{"notify_audit", 'b'},
	{"locked", 'b'},
	{"silenced", 'i'},
	{"new_host_delay", 'n'},
	{"renotify_occurrences", 'n'},
	{"group_retention_duration", 'i'},
	{"notification_preset_name", 'i'},
	{"groupby_simple_monitor", 'b'},
	{"on_missing_data", 'x'},
	{"scheduling_options", 'u'},
	{"threshold_windows", 'u'},
	{"variables", 'u'},
	{NULL, 0},
};

static const char *const threshold_keys[] = {
	"critical", "warning", "critical_recovery", "warning_recovery", "ok", "unknown", NULL,
};

static int
key_in(struct vc_json_span key, const char *const *list)
{
	size_t k;

	for (k = 0; list[k]; k++)
		if (vc_json_key_is(key, list[k], strlen(list[k])))
			return 1;
	return 0;
}

struct template_error_ctx {
	struct checker *c;
	struct vc_json_span span;
};

static void
on_template_error(size_t off, const char *why, void *arg)
{
	struct template_error_ctx *t = arg;

	report(t->c, string_at(t->span, off), "%s", why);
}

static void
check_template(struct checker *c, struct vc_json_span v)
{
	struct vc_buf text = VC_BUF_INIT;
	struct template_error_ctx t = {c, v};
	const struct vc_query *q = c->m->query;

	vc_json_string(v, &text);
	vc_template_check(text.p ? text.p : "", q->by, q->nby, on_template_error, &t);
	vc_buf_free(&text);
}

/* Which side of a threshold "beyond" is, for > and >= (1) or < and <=
 * (-1); 0 for == and !=. */
static int
direction(enum vc_cmp cmp)
{
	if (cmp == VC_CMP_GT || cmp == VC_CMP_GE)
		return 1;
	if (cmp == VC_CMP_LT || cmp == VC_CMP_LE)
		return -1;
	return 0;
}

static void
check_thresholds(struct checker *c, struct vc_json_span th)
{
	const struct vc_monitor_options *o = &c->m->options;
	const struct vc_query *q = c->m->query;
	struct vc_json_iter it;
	struct vc_json_span k, v, at;
	int dir;

	vc_json_iter_init(th, &it);
	while (vc_json_object_next(&it, &k, &v)) {
		if (!key_in(k, threshold_keys))
			report(c, k.p, "unknown threshold %.*s", (int)k.len, k.p);
		else if (v.type != VC_JSON_NUMBER && v.type != VC_JSON_NULL)
			report(c, v.p, "threshold %.*s must be a number", (int)k.len, k.p);
		else if (vc_json_key_is(k, "ok", 2) || vc_json_key_is(k, "unknown", 7))
			if (v.type == VC_JSON_NUMBER)
				report(c, k.p,
				       "threshold %.*s is for service checks, not "
				       "metric monitors",
				       (int)k.len, k.p);
	}
	if (q == NULL)
		return;
	dir = direction(q->cmp);
	if (o->has_critical && o->critical != q->threshold) {
		vc_json_member(th, "critical", &at);
		report(c, at.p,
		       "options.thresholds.critical (%g) differs from the "
		       "query's threshold (%g)",
		       o->critical, q->threshold);
	}
	if (dir == 0 && (o->has_warning || o->has_critical_recovery || o->has_warning_recovery)) {
		report(c, th.p,
		       "warning and recovery thresholds need a <, <=, > "
		       "or >= comparison, not %s",
		       vc_cmp_name(q->cmp));
		return;
	}
	if (o->has_warning && dir * (o->warning - q->threshold) >= 0) {
		vc_json_member(th, "warning", &at);
		report(c, at.p,
		       "warning threshold (%g) must be %s than the alert "
		       "threshold (%g) with %s comparison",
		       o->warning, dir > 0 ? "less" : "greater", q->threshold, vc_cmp_name(q->cmp));
	}
	if (o->has_critical_recovery && dir * (o->critical_recovery - q->threshold) >= 0) {
		vc_json_member(th, "critical_recovery", &at);
		report(c, at.p,
		       "critical_recovery (%g) must be %s than the alert "
		       "threshold (%g) with %s comparison",
		       o->critical_recovery, dir > 0 ? "less" : "greater", q->threshold,
		       vc_cmp_name(q->cmp));
	}
	if (o->has_warning_recovery) {
		vc_json_member(th, "warning_recovery", &at);
		if (!o->has_warning)
			report(c, at.p, "warning_recovery without a warning threshold");
		else if (dir * (o->warning_recovery - o->warning) >= 0)
			report(c, at.p,
			       "warning_recovery (%g) must be %s than the "
			       "warning threshold (%g) with %s comparison",
			       o->warning_recovery, dir > 0 ? "less" : "greater", o->warning,
			       vc_cmp_name(q->cmp));
	}
}

/* The \u0000 escape in string span s, or NULL.  vcobs holds a monitor's
 * strings as C strings: past a NUL, the query and the message would be
 * evaluated cut short while Datadog got them whole. */
static const char *
nul_escape(struct vc_json_span s)
{
	const char *p = s.p + 1, *end = s.p + s.len - 1;

	for (; p < end; p++)
		if (*p == '\\') {
			if (p[1] == 'u' && memcmp(p + 2, "0000", 4) == 0)
				return p;
			p++;
		}
	return NULL;
}

/* Reports a NUL in string span s, member what of the monitor; returns
 * whether there was one. */
static int
check_nul(struct checker *c, struct vc_json_span s, const char *what)
{
	const char *at = nul_escape(s);

	if (at != NULL)
		report(c, at, "%s: a NUL (\\u0000), which vcobs cannot carry", what);
	return at != NULL;
}

static void
check_string_array(struct checker *c, struct vc_json_span v, const char *what)
{
	struct vc_json_iter it;
	struct vc_json_span e;

	if (v.type != VC_JSON_ARRAY) {
		report(c, v.p, "%s must be an array of strings", what);
		return;
	}
	vc_json_iter_init(v, &it);
	while (vc_json_array_next(&it, &e))
		if (e.type != VC_JSON_STRING)
			report(c, e.p, "%s must hold strings only", what);
		else
			check_nul(c, e, what);
}

static void
check_option(struct checker *c, struct vc_json_span k, struct vc_json_span v)
{
	const struct vc_query *q = c->m->query;
	struct vc_json_iter it;
	struct vc_json_span e;
	size_t i;

	for (i = 0; option_keys[i].name; i++)
		if (vc_json_key_is(k, option_keys[i].name, strlen(option_keys[i].name)))
			break;
	if (option_keys[i].name == NULL) {
		report(c, k.p, "unknown option %.*s", (int)k.len, k.p);
		return;
	}
	switch (option_keys[i].how) {
	case 'b':
		if (v.type != VC_JSON_TRUE && v.type != VC_JSON_FALSE && v.type != VC_JSON_NULL)
			report(c, v.p, "option %.*s must be true or false", (int)k.len, k.p);
		return;
	case 'n':
		if (v.type == VC_JSON_NULL)
			return;
		if (v.type != VC_JSON_NUMBER || vc_json_number(v) < 0)
			report(c, v.p, "option %.*s must be a number >= 0", (int)k.len, k.p);
		else if (vc_json_key_is(k, "timeout_h", 9) && vc_json_number(v) > 24)
			report(c, v.p, "timeout_h must be at most 24");
		else if (vc_json_key_is(k, "evaluation_delay", 16) && vc_json_number(v) > 86400)
			report(c, v.p, "evaluation_delay must be at most 86400");
		return;
	case 'u':
		report(c, k.p, "option %.*s is not supported by vc-eval-rules", (int)k.len, k.p);
		return;
	case 'i':
		return;
	}
	if (vc_json_key_is(k, "thresholds", 10)) {
		if (v.type != VC_JSON_OBJECT)
			report(c, v.p, "thresholds must be an object");
		else
			check_thresholds(c, v);
	} else if (vc_json_key_is(k, "renotify_statuses", 17)) {
		check_string_array(c, v, "renotify_statuses");
		if (v.type != VC_JSON_ARRAY)
			return;
		vc_json_iter_init(v, &it);
		while (vc_json_array_next(&it, &e))
			if (e.type == VC_JSON_STRING && !vc_json_key_is(e, "alert", 5) &&
			    !vc_json_key_is(e, "warn", 4) && !vc_json_key_is(e, "no data", 7))
				report(c, e.p,
				       "renotify status must be \"alert\", "
				       "\"warn\" or \"no data\"");
	} else if (vc_json_key_is(k, "notify_by", 9)) {
		check_string_array(c, v, "notify_by");
		if (v.type != VC_JSON_ARRAY || q == NULL)
			return;
		vc_json_iter_init(v, &it);
		while (vc_json_array_next(&it, &e)) {
			size_t j;

			if (e.type != VC_JSON_STRING || vc_json_key_is(e, "*", 1))
				continue;
			for (j = 0; j < q->nby; j++)
				if (vc_json_key_is(e, q->by[j], strlen(q->by[j])))
					break;
			if (j == q->nby)
				report(c, e.p,
				       "notify_by %.*s is not a group-by key of the "
				       "query",
				       (int)e.len, e.p);
		}
	} else if (vc_json_key_is(k, "escalation_message", 18)) {
		if (v.type != VC_JSON_STRING)
			report(c, v.p, "escalation_message must be a string");
		else if (q)
			check_template(c, v);
	} else if (vc_json_key_is(k, "on_missing_data", 15)) {
		if (!vc_json_key_is(v, "default", 7))
			report(c, v.p,
			       "on_missing_data other than \"default\" is not "
			       "supported by vc-eval-rules; use notify_no_data");
	}
}

static void
check_query(struct checker *c, struct vc_json_span v)
{
	struct vc_query_error qerr;
	struct vc_query *q;

	q = vc_query_parse(c->m->query_text, &qerr);
	if (q != NULL) {
		vc_query_free(q);
		return;
	}
	report(c, string_at(v, qerr.col), "%s%s", qerr.unsupported ? "unsupported: " : "",
	       qerr.why);
}

static int
is_metric_type(struct vc_json_span v)
{
	return vc_json_key_is(v, "metric alert", 12) || vc_json_key_is(v, "query alert", 11);
}

static void
check_monitor(struct checker *c, unsigned flags)
{
	struct vc_json_span v, k, opts;
	struct vc_json_iter it;
	int metric = 1;
	const char *why;
	size_t off;

	vc_json_check(c->m->json, c->m->len, &c->root, &why, &off);
	vc_json_iter_init(c->root, &it);
	while (vc_json_object_next(&it, &k, &v))
		if (!key_in(k, top_keys))
			report(c, k.p, "unknown monitor field %.*s", (int)k.len, k.p);
	if (!vc_json_member(c->root, "name", &v))
		report(c, c->m->json, "no \"name\"");
	else if (v.type != VC_JSON_STRING || v.len <= 2)
		report(c, v.p, "\"name\" must be a non-empty string");
	else
		check_nul(c, v, "\"name\"");
	if (!vc_json_member(c->root, "type", &v)) {
		report(c, c->m->json, "no \"type\" (\"metric alert\")");
	} else if (v.type != VC_JSON_STRING) {
		report(c, v.p, "\"type\" must be a string");
	} else if (check_nul(c, v, "\"type\"")) {
		metric = 0;
	} else if (!is_metric_type(v)) {
		metric = 0;
		if (!(flags & VC_MONITOR_CHECK_ANY_TYPE))
			report(c, v.p,
			       "type %.*s is not a metric monitor (\"metric "
			       "alert\" or \"query alert\")",
			       (int)v.len, v.p);
	}
	if (!vc_json_member(c->root, "query", &v))
		report(c, c->m->json, "no \"query\"");
	else if (v.type != VC_JSON_STRING)
		report(c, v.p, "\"query\" must be a string");
	else if (!check_nul(c, v, "\"query\"") && metric)
		check_query(c, v);
	if (vc_json_member(c->root, "message", &v)) {
		if (v.type != VC_JSON_STRING)
			report(c, v.p, "\"message\" must be a string");
		else if (!check_nul(c, v, "\"message\"") && c->m->query)
			check_template(c, v);
	}
	if (vc_json_member(c->root, "tags", &v))
		check_string_array(c, v, "tags");
	if (vc_json_member(c->root, "priority", &v) && v.type != VC_JSON_NULL &&
	    (v.type != VC_JSON_NUMBER || c->m->priority == 0))
		report(c, v.p,
		       "\"priority\" must be null or a whole number from 1 "
		       "to 5");
	if (vc_json_member(c->root, "options", &opts)) {
		if (opts.type != VC_JSON_OBJECT) {
			report(c, opts.p, "\"options\" must be an object");
		} else {
			vc_json_iter_init(opts, &it);
			while (vc_json_object_next(&it, &k, &v))
				check_option(c, k, v);
		}
	}
}

/* A vc id goes into a tag and a file name: keep it to safe characters. */
static int
id_ok(const char *id)
{
	return *id && strspn(id, "abcdefghijklmnopqrstuvwxyz"
				 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == strlen(id);
}

int
vc_monitor_check(const struct vc_monitor_set *set, unsigned flags)
{
	size_t i, j;
	int errors = 0;

	for (i = 0; i < set->n; i++) {
		struct checker c;

		memset(&c, 0, sizeof c);
		c.m = &set->v[i];
		check_monitor(&c, flags);
		if (!id_ok(c.m->id))
			report(&c, NULL,
			       "vc id '%s' may only hold letters, digits, "
			       "'_', '.' and '-'",
			       c.m->id);
		for (j = 0; j < i; j++)
			if (strcmp(set->v[j].id, c.m->id) == 0) {
				report(&c, NULL, "duplicate vc id '%s' (first in %s:%lu)", c.m->id,
				       set->v[j].file, set->v[j].line);
				break;
			}
		errors += c.errors;
	}
	return errors;
}
