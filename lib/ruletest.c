/*
 * ruletest.c — the --test runner (ruletest.h).  Test files are small
 * configuration, read with libjq's jv; the points they describe go through
 * the same JSON scanner and evaluator as a real stream.
 */
#include "ruletest.h"

#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <jv.h>

#include "buf.h"
#include "msg.h"
#include "vtime.h"

#define MAX_SAMPLES 100000
/* As for monitor files: a test file is read whole and made a jv tree
 * (about 25 bytes per byte), so /dev/zero must not be read to the end. */
#define MAX_TEST_FILE (16L * 1024 * 1024)

/* ---- jv helpers: each borrows obj ---------------------------------- */

static jv
field(jv obj, const char *k)
{
	if (jv_get_kind(obj) != JV_KIND_OBJECT)
		return jv_invalid();
	return jv_object_get(jv_copy(obj), jv_string(k));
}

/* A string member into out (replacing it); 0 when absent, -1 mistyped. */
static int
field_string(jv obj, const char *k, struct vc_buf *out)
{
	jv v = field(obj, k);
	int rc = 0;

	if (jv_get_kind(v) == JV_KIND_STRING) {
		vc_buf_reset(out);
		vc_buf_adds(out, jv_string_value(v));
		rc = 1;
	} else if (jv_is_valid(v) && jv_get_kind(v) != JV_KIND_NULL) {
		rc = -1;
	}
	jv_free(v);
	return rc;
}

/* A duration member (number of seconds or "5m"); 0 absent, -1 bad. */
static int
field_duration(jv obj, const char *k, double *out)
{
	jv v = field(obj, k);
	int rc = 0;

	if (jv_get_kind(v) == JV_KIND_NUMBER) {
		*out = jv_number_value(v);
		rc = isfinite(*out) && *out >= 0 ? 1 : -1;
	} else if (jv_get_kind(v) == JV_KIND_STRING) {
		rc = vc_ruletest_duration(jv_string_value(v), out) == 0 ? 1 : -1;
	} else if (jv_is_valid(v) && jv_get_kind(v) != JV_KIND_NULL) {
		rc = -1;
	}
	jv_free(v);
	return rc;
}

/* ---- collecting transitions ---------------------------------------- */

struct got {
	double at; /* from the test's start */
	const struct vc_monitor *monitor;
	struct vc_buf group; /* {"k":"v",...} as written */
	enum vc_monitor_status status, previous;
	double value, threshold;
	char *message;
	struct vc_buf handles; /* a JSON array */
	int renotify;
	int matched;
};

struct run {
	struct got *v;
	size_t n, cap;
	double start;
};

static void
collect(const struct vc_transition *t, void *arg)
{
	struct run *r = arg;
	struct got *g;
	struct vc_json_span root, v;
	const char *why;
	size_t off;

	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 16;
		r->v = realloc(r->v, r->cap * sizeof *r->v);
		if (r->v == NULL)
			err(VC_EXIT_USAGE, "out of memory");
	}
	g = &r->v[r->n++];
	memset(g, 0, sizeof *g);
	g->at = t->ts - r->start;
	g->monitor = t->monitor;
	g->status = t->status;
	g->previous = t->previous;
	g->value = t->value;
	g->threshold = t->threshold;
	g->renotify = t->renotify;
	g->message = strdup(t->message);
	if (vc_json_check(t->json, t->len, &root, &why, &off) == 0) {
		if (vc_json_member(root, "group", &v))
			vc_buf_add(&g->group, v.p, v.len);
		if (vc_json_member(root, "handles", &v))
			vc_buf_add(&g->handles, v.p, v.len);
	}
}

static void
run_free(struct run *r)
{
	size_t k;

	for (k = 0; k < r->n; k++) {
		free(r->v[k].message);
		vc_buf_free(&r->v[k].group);
		vc_buf_free(&r->v[k].handles);
	}
	free(r->v);
}

/* ---- one test ------------------------------------------------------ */

struct test {
	const char *file;
	int tap; /* the TAP number */
	struct vc_buf name;
	struct vc_buf diag; /* "#   ..." lines of a failure */
	int failed;
	double start;
};

static void __attribute__((format(printf, 2, 3))) fail(struct test *t, const char *fmt, ...)
{
	va_list ap;
	char line[1024];

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	vc_buf_printf(&t->diag, "#   %s\n", line);
	t->failed = 1;
}

static const char *
when(double secs, char *buf, size_t n)
{
	if (secs == floor(secs) && fmod(secs, 60) == 0)
		snprintf(buf, n, "%gm", secs / 60);
	else
		snprintf(buf, n, "%gs", secs);
	return buf;
}

static void
describe_got(struct vc_buf *b, const struct got *g)
{
	char w[32];

	vc_buf_printf(b, "at %s %s %s %s (from %s, value ", when(g->at, w, sizeof w),
		      g->monitor->id, g->group.p ? g->group.p : "{}",
		      vc_monitor_status_name(g->status), vc_monitor_status_name(g->previous));
	vc_buf_add_json_number(b, g->value);
	vc_buf_adds(b, g->renotify ? ", renotify)" : ")");
}

struct point {
	double ts;
	size_t order;
	char *json;
};

static int
by_time(const void *a, const void *b)
{
	const struct point *p = a, *q = b;

	if (p->ts != q->ts)
		return p->ts < q->ts ? -1 : 1;
	return p->order < q->order ? -1 : p->order > q->order;
}

/* The points of input_series (borrowed), in time order; returns the
 * count or -1. */
static long
points_of(struct test *t, jv series, double interval, struct point **out)
{
	struct point *pts = NULL;
	long n = 0, cap = 0;
	int i, ns;
	double *values = malloc(MAX_SAMPLES * sizeof *values);

	if (values == NULL)
		err(VC_EXIT_USAGE, "out of memory");
	ns = jv_get_kind(series) == JV_KIND_ARRAY ? jv_array_length(jv_copy(series)) : -1;
	if (ns < 0)
		fail(t, "input_series must be an array");
	for (i = 0; i < ns && !t->failed; i++) {
		jv s = jv_array_get(jv_copy(series), i);
		jv metric = field(s, "metric"), vals = field(s, "values");
		jv tags = field(s, "tags"), extra = field(s, "fields");
		const char *why = NULL;
		long nv = -1, k;

		if (jv_get_kind(metric) != JV_KIND_STRING)
			fail(t, "input_series[%d]: no \"metric\" string", i);
		else if (jv_get_kind(vals) != JV_KIND_STRING)
			fail(t, "input_series[%d]: no \"values\" string", i);
		else if (jv_is_valid(tags) && jv_get_kind(tags) != JV_KIND_OBJECT)
			fail(t, "input_series[%d]: \"tags\" must be an object", i);
		else if (jv_is_valid(extra) && jv_get_kind(extra) != JV_KIND_OBJECT)
			fail(t, "input_series[%d]: \"fields\" must be an object", i);
		else if ((nv = vc_ruletest_values(jv_string_value(vals), values, MAX_SAMPLES,
						  &why)) < 0)
			fail(t, "input_series[%d]: %s", i, why);
		for (k = 0; k < nv && !t->failed; k++) {
			jv p;

			if (isnan(values[k]))
				continue;
			p = jv_object();
			p = jv_object_set(p, jv_string("ts"),
					  jv_number(t->start + (double)k * interval));
			p = jv_object_set(p, jv_string("metric"), jv_copy(metric));
			p = jv_object_set(p, jv_string("value"), jv_number(values[k]));
			p = jv_object_set(p, jv_string("tags"),
					  jv_is_valid(tags) ? jv_copy(tags) : jv_object());
			if (jv_is_valid(extra))
				p = jv_object_merge(p, jv_copy(extra));
			if (n == cap) {
				cap = cap ? 2 * cap : 64;
				pts = realloc(pts, (size_t)cap * sizeof *pts);
				if (pts == NULL)
					err(VC_EXIT_USAGE, "out of memory");
			}
			pts[n].ts = t->start + (double)k * interval;
			pts[n].order = (size_t)n;
			{
				jv text = jv_dump_string(p, 0);

				pts[n].json = strdup(jv_string_value(text));
				jv_free(text);
			}
			n++;
		}
		jv_free(metric);
		jv_free(vals);
		jv_free(tags);
		jv_free(extra);
		jv_free(s);
	}
	free(values);
	if (n)
		qsort(pts, (size_t)n, sizeof *pts, by_time);
	*out = pts;
	return t->failed ? -1 : n;
}

/* Whether expected_group (borrowed; invalid when absent, meaning {})
 * equals the group g wrote. */
static int
same_group(jv expected_group, const struct got *g)
{
	jv got_group;
	int same;

	got_group = jv_parse(g->group.p ? g->group.p : "{}");
	if (!jv_is_valid(expected_group))
		expected_group = jv_object();
	else
		expected_group = jv_copy(expected_group);
	same = jv_equal(expected_group, got_group);
	return same;
}

/* Compares the optional fields of expectation e (borrowed) with g. */
static void
compare_details(struct test *t, jv e, const struct got *g, const char *where)
{
	struct vc_buf s = VC_BUF_INIT;
	jv v;

	if (field_string(e, "previous", &s) == 1 &&
	    strcmp(s.p, vc_monitor_status_name(g->previous)) != 0)
		fail(t, "%s: previous: expected %s, got %s", where, s.p,
		     vc_monitor_status_name(g->previous));
	v = field(e, "value");
	if (jv_get_kind(v) == JV_KIND_NULL && !isnan(g->value))
		fail(t, "%s: value: expected null, got %g", where, g->value);
	if (jv_get_kind(v) == JV_KIND_NUMBER &&
	    !(fabs(jv_number_value(v) - g->value) <= 1e-9 * fmax(1, fabs(g->value))))
		fail(t, "%s: value: expected %g, got %g", where, jv_number_value(v), g->value);
	jv_free(v);
	v = field(e, "threshold");
	if (jv_get_kind(v) == JV_KIND_NUMBER && jv_number_value(v) != g->threshold)
		fail(t, "%s: threshold: expected %g, got %g", where, jv_number_value(v),
		     g->threshold);
	jv_free(v);
	if (field_string(e, "message", &s) == 1 && strcmp(s.p, g->message) != 0)
		fail(t, "%s: message: expected \"%s\", got \"%s\"", where, s.p, g->message);
	if (field_string(e, "message_contains", &s) == 1 && strstr(g->message, s.p) == NULL)
		fail(t, "%s: message \"%s\" lacks \"%s\"", where, g->message, s.p);
	v = field(e, "handles");
	if (jv_get_kind(v) == JV_KIND_ARRAY) {
		jv gh = jv_parse(g->handles.p ? g->handles.p : "[]");
		jv text = jv_dump_string(jv_copy(v), 0);

		if (!jv_equal(jv_copy(v), gh))
			fail(t, "%s: handles: expected %s, got %s", where, jv_string_value(text),
			     g->handles.p ? g->handles.p : "[]");
		jv_free(text);
	}
	jv_free(v);
	vc_buf_free(&s);
}

/* Matches the expectations (borrowed) against what the run produced. */
static void
compare(struct test *t, jv expected, struct run *r, const struct vc_monitor_set *set)
{
	int i, ne = jv_get_kind(expected) == JV_KIND_ARRAY ? jv_array_length(jv_copy(expected))
							   : -1;
	struct vc_buf s = VC_BUF_INIT, d = VC_BUF_INIT;
	size_t k;

	if (jv_is_valid(expected) && ne < 0)
		fail(t, "\"expected\" must be an array");
	for (i = 0; i < ne; i++) {
		jv e = jv_array_get(jv_copy(expected), i), group = field(e, "group");
		double at = -1;
		const char *mid = NULL;
		char where[256], w[32];
		enum vc_monitor_status st = VC_STATUS_OK;
		int known = 0;

		if (field_duration(e, "at", &at) != 1)
			fail(t, "expected[%d]: no \"at\" time", i);
		if (field_string(e, "monitor", &s) == 1) {
			if (vc_monitor_find(set, s.p))
				mid = vc_monitor_find(set, s.p)->id;
			else
				fail(t, "expected[%d]: no monitor %s under test", i, s.p);
		} else if (set->n == 1) {
			mid = set->v[0].id;
		} else {
			fail(t, "expected[%d]: say which \"monitor\"", i);
		}
		if (field_string(e, "status", &s) == 1)
			for (st = VC_STATUS_OK; st <= VC_STATUS_NO_DATA; st++)
				if (strcmp(s.p, vc_monitor_status_name(st)) == 0) {
					known = 1;
					break;
				}
		if (!known)
			fail(t,
			     "expected[%d]: \"status\" must be alert, warn, ok or "
			     "no_data",
			     i);
		if (t->failed || mid == NULL) {
			jv_free(group);
			jv_free(e);
			continue;
		}
		for (k = 0; k < r->n; k++) {
			struct got *g = &r->v[k];

			if (!g->matched && g->at == at && g->status == st &&
			    strcmp(g->monitor->id, mid) == 0 && same_group(group, g))
				break;
		}
		{
			jv gt = jv_is_valid(group) ? jv_dump_string(jv_copy(group), 0)
						   : jv_string("{}");

			snprintf(where, sizeof where, "at %s %s %s %s", when(at, w, sizeof w), mid,
				 jv_string_value(gt), vc_monitor_status_name(st));
			jv_free(gt);
		}
		if (k == r->n) {
			fail(t, "missing:    %s", where);
		} else {
			r->v[k].matched = 1;
			compare_details(t, e, &r->v[k], where);
		}
		jv_free(group);
		jv_free(e);
	}
	for (k = 0; k < r->n; k++) {
		if (r->v[k].matched)
			continue;
		vc_buf_reset(&d);
		describe_got(&d, &r->v[k]);
		fail(t, "unexpected: %s", d.p);
	}
	vc_buf_free(&s);
	vc_buf_free(&d);
}

/* The monitors test (borrowed) runs: those it names, or all of set.  The result
 * shares set's monitors (a shallow copy). */
static int
select_monitors(struct test *t, jv test, const struct vc_monitor_set *set,
		struct vc_monitor_set *sub)
{
	jv ids = field(test, "monitors");
	int i, n;

	memset(sub, 0, sizeof *sub);
	sub->v = calloc(set->n ? set->n : 1, sizeof *sub->v);
	if (sub->v == NULL)
		err(VC_EXIT_USAGE, "out of memory");
	if (!jv_is_valid(ids)) {
		memcpy(sub->v, set->v, set->n * sizeof *sub->v);
		sub->n = set->n;
		jv_free(ids);
		return 0;
	}
	n = jv_get_kind(ids) == JV_KIND_ARRAY ? jv_array_length(jv_copy(ids)) : -1;
	if (n < 0)
		fail(t, "\"monitors\" of a test must be an array of ids");
	for (i = 0; i < n; i++) {
		jv id = jv_array_get(jv_copy(ids), i);
		const struct vc_monitor *m = jv_get_kind(id) == JV_KIND_STRING
						     ? vc_monitor_find(set, jv_string_value(id))
						     : NULL;

		if (m == NULL)
			fail(t, "\"monitors\"[%d]: no such monitor id", i);
		else
			sub->v[sub->n++] = *m;
		jv_free(id);
	}
	jv_free(ids);
	return t->failed ? -1 : 0;
}

/* Runs one test (borrowed) and records its failures in t. */
static void
run_test(struct test *t, jv test, const struct vc_monitor_set *set,
	 const struct vc_eval_options *o0, double file_interval)
{
	struct vc_eval_options o = *o0;
	struct vc_monitor_set sub;
	struct run r;
	struct point *pts = NULL;
	long n = 0, k;
	double interval = file_interval, until = NAN;
	jv v;

	memset(&r, 0, sizeof r);
	o.max_future = INFINITY; /* a test's times are made up, not the clock's */
	t->start = 0;
	if (field_duration(test, "interval", &interval) < 0 || interval <= 0)
		fail(t, "\"interval\" must be a duration like 1m");
	if (field_duration(test, "evaluation_interval", &o.interval) < 0 || o.interval <= 0)
		fail(t, "\"evaluation_interval\" must be a duration like 1m");
	v = field(test, "start");
	if (jv_get_kind(v) == JV_KIND_NUMBER)
		t->start = jv_number_value(v);
	else if (jv_get_kind(v) == JV_KIND_STRING &&
		 vc_time_parse(jv_string_value(v), strlen(jv_string_value(v)), &t->start) != 0)
		fail(t, "\"start\" must be epoch seconds or RFC 3339");
	jv_free(v);
	if (field_duration(test, "until", &until) < 0)
		fail(t, "\"until\" must be a duration like 30m");
	else if (!isnan(until))
		until += t->start;
	r.start = t->start;
	if (select_monitors(t, test, set, &sub) == 0 && !t->failed) {
		jv series = field(test, "input_series");

		n = points_of(t, series, interval, &pts);
		jv_free(series);
	}
	if (!t->failed) {
		struct vc_eval *ev = vc_eval_new(&sub, &o, collect, &r);

		for (k = 0; k < n && !t->failed; k++) {
			struct vc_json_span root;
			const char *why;
			size_t off;

			if (vc_json_check(pts[k].json, strlen(pts[k].json), &root, &why, &off) !=
				    0 ||
			    vc_eval_point(ev, pts[k].json, strlen(pts[k].json), root, &why) != 0)
				fail(t, "input point %s: %s", pts[k].json, why);
		}
		vc_eval_finish(ev, until);
		vc_eval_free(ev);
		v = field(test, "expected");
		compare(t, v, &r, &sub);
		jv_free(v);
	}
	for (k = 0; k < n; k++)
		free(pts[k].json);
	free(pts);
	free(sub.v);
	run_free(&r);
}

/* ---- files --------------------------------------------------------- */

static char *
read_all(const char *path, size_t *len)
{
	struct vc_buf b = VC_BUF_INIT;
	int saved;

	if (vc_buf_add_file(&b, path, MAX_TEST_FILE) < 0) {
		saved = errno;
		vc_buf_free(&b);
		errno = saved;
		return NULL;
	}
	*len = b.len;
	return b.p;
}

/* The tests of a file: {"tests": [...]}, one test object, an array of
 * them, or JSON lines of them.  Returns an array or an invalid (the caller
 * owns either) and sets *top to the file's top object or null (the caller
 * owns it too). */
static jv
tests_of(const char *text, size_t len, jv *top)
{
	jv all = jv_parse_sized(text, (int)len), tests;
	const char *p = text, *end = text + len;

	*top = jv_null();
	if (jv_get_kind(all) == JV_KIND_OBJECT) {
		tests = field(all, "tests");
		if (jv_is_valid(tests)) {
			jv_free(*top);
			*top = all;
			return tests;
		}
		jv_free(tests);
		return JV_ARRAY(all);
	}
	if (jv_get_kind(all) == JV_KIND_ARRAY)
		return all;
	jv_free(all);
	tests = jv_array();
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		size_t k;

		for (k = 0; k < n && isspace((unsigned char)p[k]); k++)
			;
		if (k < n) {
			jv t = jv_parse_sized(p, (int)n);

			if (!jv_is_valid(t)) {
				jv_free(tests);
				return t;
			}
			tests = jv_array_append(tests, t);
		}
		p += n + 1;
	}
	return tests;
}

/* Loads the monitor files paths (borrowed) names, relative to the test
 * file's folder. */
static int
load_named(const char *file, jv paths, struct vc_monitor_set *own)
{
	int i, n = jv_get_kind(paths) == JV_KIND_ARRAY ? jv_array_length(jv_copy(paths)) : -1;
	const char *slash = strrchr(file, '/');
	int problems = 0;

	if (n < 0) {
		warnx("%s: \"monitors\" must be an array of paths", file);
		return 1;
	}
	for (i = 0; i < n; i++) {
		jv p = jv_array_get(jv_copy(paths), i);
		struct vc_buf full = VC_BUF_INIT;

		if (jv_get_kind(p) != JV_KIND_STRING) {
			warnx("%s: \"monitors\"[%d] is not a path", file, i);
			problems++;
		} else {
			const char *s = jv_string_value(p);

			if (s[0] != '/' && slash)
				vc_buf_printf(&full, "%.*s/%s", (int)(slash - file), file, s);
			else
				vc_buf_adds(&full, s);
			problems += vc_monitor_load(own, full.p);
		}
		vc_buf_free(&full);
		jv_free(p);
	}
	if (problems == 0 && own->n == 0) {
		warnx("%s: \"monitors\" names no monitor", file);
		problems++;
	}
	if (problems == 0)
		problems = vc_monitor_check(own, 0);
	return problems;
}

int
vc_ruletest_run(const char *file, const struct vc_monitor_set *monitors,
		const struct vc_eval_options *o, FILE *out)
{
	static int tap;
	size_t len;
	char *text = read_all(file, &len);
	jv top, tests, paths;
	struct vc_monitor_set own = VC_MONITOR_SET_INIT;
	const struct vc_monitor_set *set = monitors;
	double interval = 60;
	int i, n, failures = 0;

	if (text == NULL) {
		warn("%s", file);
		return -1;
	}
	tests = tests_of(text, len, &top);
	free(text);
	if (!jv_is_valid(tests)) {
		jv msg = jv_invalid_get_msg(tests);

		warnx("%s: not a test file: %s", file,
		      jv_get_kind(msg) == JV_KIND_STRING ? jv_string_value(msg) : "invalid JSON");
		jv_free(msg);
		jv_free(top);
		return -1;
	}
	paths = field(top, "monitors");
	if (jv_is_valid(paths)) {
		if (load_named(file, paths, &own) != 0) {
			jv_free(paths);
			jv_free(tests);
			jv_free(top);
			vc_monitor_set_free(&own);
			return -1;
		}
		set = &own;
	}
	jv_free(paths);
	if (field_duration(top, "interval", &interval) < 0 || interval <= 0) {
		warnx("%s: \"interval\" must be a duration like 1m", file);
		failures = -1;
	}
	n = jv_get_kind(tests) == JV_KIND_ARRAY ? jv_array_length(jv_copy(tests)) : 0;
	if (failures == 0 && n == 0) {
		warnx("%s: no tests", file);
		failures = -1;
	}
	for (i = 0; i < n && failures >= 0; i++) {
		jv test = jv_array_get(jv_copy(tests), i);
		struct test t;

		memset(&t, 0, sizeof t);
		t.file = file;
		t.tap = ++tap;
		if (field_string(test, "name", &t.name) != 1) {
			vc_buf_reset(&t.name);
			vc_buf_printf(&t.name, "test %d", i + 1);
		}
		if (jv_get_kind(test) != JV_KIND_OBJECT)
			fail(&t, "a test must be an object");
		else
			run_test(&t, test, set, o, interval);
		fprintf(out, "%s %d - %s: %s\n", t.failed ? "not ok" : "ok", t.tap, file, t.name.p);
		if (t.diag.len)
			fputs(t.diag.p, out);
		failures += t.failed;
		vc_buf_free(&t.name);
		vc_buf_free(&t.diag);
		jv_free(test);
	}
	jv_free(tests);
	jv_free(top);
	vc_monitor_set_free(&own);
	return failures;
}
