/* Unit tests of lib/evaluator.c and lib/window.c: time and space
 * aggregations, arithmetic, change, delays, full windows, lateness, no
 * data, renotify, eviction, and the transition record. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evaluator.h"
#include "tap.h"
#include "vtime.h"

static char path[] = "/tmp/vc-test-evaluator-XXXXXX";
static char line_big[6100];

struct seen {
	char status[16][16];
	double ts[16], value[16];
	char last[4096];
	int n;
};

static void
collect(const struct vc_transition *t, void *arg)
{
	struct seen *s = arg;

	if (s->n < 16) {
		snprintf(s->status[s->n], sizeof s->status[0], "%s",
			 vc_monitor_status_name(t->status));
		s->ts[s->n] = t->ts;
		s->value[s->n] = t->value;
	}
	snprintf(s->last, sizeof s->last, "%.*s", (int)t->len, t->json);
	s->n++;
}

/* Loads monitor (JSON text), feeds points ("ts metric value [tag]" per
 * line) and finishes at until; fills *s. */
static void
run(const char *monitor, const char *points, double until, struct vc_eval_options *o,
    struct seen *s, size_t *groups, int *rejected)
{
	struct vc_monitor_set set = VC_MONITOR_SET_INIT;
	struct vc_eval_options def = VC_EVAL_OPTIONS_INIT;
	struct vc_eval *ev;
	FILE *f = fopen(path, "w");
	char line[8192], json[8400], metric[64], tag[7000];
	const char *p = points;

	fputs(monitor, f);
	fclose(f);
	memset(s, 0, sizeof *s);
	*rejected = 0;
	if (vc_monitor_load(&set, path) != 0 || set.n != 1 || set.v[0].query == NULL) {
		tap_ok(0, "monitor loads: %s", monitor);
		vc_monitor_set_free(&set);
		return;
	}
	ev = vc_eval_new(&set, o ? o : &def, collect, s);
	while (*p) {
		size_t n = strcspn(p, "\n");
		double ts, v;
		struct vc_json_span root;
		const char *why;
		size_t off;

		snprintf(line, sizeof line, "%.*s", (int)n, p);
		p += n + (p[n] == '\n');
		tag[0] = '\0';
		if (sscanf(line, "%lf %63s %lf %6999s", &ts, metric, &v, tag) < 3)
			continue;
		snprintf(json, sizeof json,
			 "{\"ts\":%.3f,\"metric\":\"%s\",\"value\":%g,\"tags\":{\"g\":\"%s\"},"
			 "\"why\":1}",
			 ts, metric, v, tag[0] ? tag : "x");
		vc_json_check(json, strlen(json), &root, &why, &off);
		if (vc_eval_point(ev, json, strlen(json), root, &why) != 0)
			(*rejected)++;
	}
	vc_eval_finish(ev, until);
	if (groups)
		*groups = vc_eval_groups(ev);
	vc_eval_free(ev);
	vc_monitor_set_free(&set);
}

#define MON(query, options)                                                              \
	"{\"name\":\"n\",\"type\":\"metric alert\",\"query\":\"" query "\",\"message\":" \
	"\"{{#is_alert}}hot {{g.name}} @pager{{/is_alert}}\",\"options\":{" options "}}"

static void
expect(struct seen *s, int i, const char *status, double ts, double value, const char *name)
{
	int ok = i < s->n && strcmp(s->status[i], status) == 0 && s->ts[i] == ts &&
		 (isnan(value) ? isnan(s->value[i]) : fabs(s->value[i] - value) < 1e-9);

	tap_ok(ok, "%s: %s at %g value %g (got %s at %g value %g)", name, status, ts, value,
	       i < s->n ? s->status[i] : "nothing", i < s->n ? s->ts[i] : -1,
	       i < s->n ? s->value[i] : NAN);
}

/* Points 0, 60, 120 with values 1, 5, 3: each time aggregation over 3m. */
static void
test_time_aggregations(void)
{
	const char *pts = "0 m 1\n60 m 5\n120 m 3\n";
	struct seen s;
	int rej;

	run(MON("avg(last_3m):avg:m{*} > 2.5", ""), pts, NAN, NULL, &s, NULL, &rej);
	expect(&s, 0, "alert", 120, 3, "avg of 1 and 5 is 3");
	run(MON("sum(last_3m):avg:m{*} > 8", ""), pts, NAN, NULL, &s, NULL, &rej);
	expect(&s, 0, "alert", 180, 9, "sum is 9");
	run(MON("min(last_3m):avg:m{*} > 0.5", ""), pts, NAN, NULL, &s, NULL, &rej);
	expect(&s, 0, "alert", 60, 1, "min: every point above");
	run(MON("max(last_3m):avg:m{*} > 4", ""), pts, NAN, NULL, &s, NULL, &rej);
	expect(&s, 0, "alert", 120, 5, "max: any point above");
	run(MON("max(last_3m):avg:m{*} < 2", ""), pts, NAN, NULL, &s, NULL, &rej);
	expect(&s, 0, "alert", 60, 1, "max below: every point below");
	expect(&s, 1, "ok", 120, 5, "  one point above recovers");
	run(MON("change(avg(last_1m),1m_ago):avg:m{*} > 3", ""), pts, NAN, NULL, &s, NULL, &rej);
	expect(&s, 0, "alert", 120, 4, "change: 5 - 1");
	expect(&s, 1, "ok", 180, -2, "  then 3 - 5");
	run(MON("pct_change(avg(last_1m),1m_ago):avg:m{*} >= 400", ""), pts, NAN, NULL, &s, NULL,
	    &rej);
	expect(&s, 0, "alert", 120, 400, "pct_change: (5 - 1) / 1");
}

static void
test_space_and_arithmetic(void)
{
	struct seen s;
	int rej;
	const char *two = "0 m 1 a\n0 m 3 b\n0 n 10 a\n";

	run(MON("avg(last_1m):sum:m{*} > 3.5", ""), two, NAN, NULL, &s, NULL, &rej);
	expect(&s, 0, "alert", 60, 4, "space sum over a simple group");
	run(MON("avg(last_1m):max:m{*} by {g} > 2", ""), two, NAN, NULL, &s, NULL, &rej);
	expect(&s, 0, "alert", 60, 3, "multi-group: only b");
	tap_is_num(s.n, 1, "  one transition");
	tap_ok(strstr(s.last, "\"group\":{\"g\":\"b\"}") != NULL, "  group b: %s", s.last);
	run(MON("avg(last_1m):avg:m{g:a} by {g} * 100 / avg:n{*} by {g} >= 10", ""), two, NAN, NULL,
	    &s, NULL, &rej);
	expect(&s, 0, "alert", 60, 10, "filter and arithmetic between series");
	run(MON("sum(last_2m):default_zero(sum:m{*}.as_count()) + default_zero(sum:n{*}.as_count())"
		" > 13.5",
		""),
	    "0 m 1\n60 n 13\n", NAN, NULL, &s, NULL, &rej);
	expect(&s, 0, "alert", 120, 14, "as_count: each series over the window, then added");
	run(MON("sum(last_2m):sum:m{*} + sum:n{*} > 13.5", ""), "0 m 1\n60 n 13\n", NAN, NULL, &s,
	    NULL, &rej);
	tap_is_num(s.n, 0, "without as_count, points at different times do not add up");
}

static void
test_options(void)
{
	struct seen s;
	struct vc_eval_options o = VC_EVAL_OPTIONS_INIT;
	size_t groups;
	int rej;

	run(MON("max(last_1m):avg:m{*} > 1", "\"evaluation_delay\":120"), "0 m 5\n", 600, NULL, &s,
	    NULL, &rej);
	expect(&s, 0, "alert", 180, 5, "evaluation_delay shifts the window back");
	run(MON("max(last_1m):avg:m{*} by {g} > 1", "\"new_group_delay\":120"),
	    "0 m 5\n60 m 5\n120 m 5\n", 600, NULL, &s, NULL, &rej);
	expect(&s, 0, "alert", 120, 5, "new_group_delay skips a new group's first evaluations");
	run(MON("avg(last_5m):avg:m{*} > 1", "\"require_full_window\":true"),
	    "0 m 5\n240 m 5\n300 m 5\n", 600, NULL, &s, NULL, &rej);
	expect(&s, 0, "alert", 300, 5, "require_full_window: the first bucket must have data");
	run(MON("max(last_1m):avg:m{*} > 1", "\"notify_no_data\":true,\"no_data_timeframe\":3"),
	    "0 m 5\n", 600, NULL, &s, NULL, &rej);
	expect(&s, 0, "alert", 60, 5, "no data: alert first");
	expect(&s, 1, "no_data", 180, NAN, "  then no data after 3 minutes");
	o.max_future = INFINITY;
	run(MON("max(last_1m):avg:m{*} > 1", "\"notify_no_data\":true,\"no_data_timeframe\":3"),
	    "0 m 5\n10000000000 m 5\n1e300 m 1\n", NAN, &o, &s, NULL, &rej);
	expect(&s, 2, "alert", 10000000020, 5, "a gap of centuries is crossed at once");
	tap_is_num(rej, 1, "  a time past year 9999 is rejected");
	o.max_future = 600;
	run(MON("max(last_1m):avg:m{*} > 1", "\"renotify_interval\":2"),
	    "0 m 5\n60 m 5\n120 m 5\n180 m 5\n240 m 5\n", NAN, NULL, &s, NULL, &rej);
	expect(&s, 0, "alert", 60, 5, "renotify: alert");
	expect(&s, 1, "alert", 180, 5, "  again 2 minutes later");
	tap_ok(strstr(s.last, "\"renotify\":true") != NULL, "  marked renotify");
	run(MON("max(last_1m):avg:m{*} > 1", "\"thresholds\":{\"warning\":0.5}"),
	    "0 m 5\n60 m 0.7\n120 m 0.2\n", NAN, NULL, &s, NULL, &rej);
	expect(&s, 0, "alert", 60, 5, "warning: alert");
	expect(&s, 1, "warn", 120, 0.7, "  down to warn");
	expect(&s, 2, "ok", 180, 0.2, "  ok");
	tap_ok(strstr(s.last, "\"threshold\":0.5") != NULL, "  recovery from warn names 0.5");

	run(MON("max(last_1m):avg:m{*} by {g} > 1", ""), "0 m 5 a\n200 m 0 b\n100 m 9 a\n", NAN,
	    NULL, &s, NULL, &rej);
	tap_is_num(rej, 1, "a point later than --lateness is rejected");
	o.lateness = 120;
	run(MON("max(last_1m):avg:m{*} by {g} > 1", ""), "0 m 0 a\n200 m 0 b\n100 m 9 a\n", NAN, &o,
	    &s, NULL, &rej);
	tap_is_num(rej, 0, "  but not within a larger --lateness");
	expect(&s, 0, "alert", 120, 9, "  and it counts");

	run(MON("max(last_1m):avg:m{*} by {g} > 1", ""), "0 m 5 a\n1000 m 0 b\n", 1200, NULL, &s,
	    &groups, &rej);
	tap_is_num((double)groups, 1, "a silent ok group is evicted, an alerting one kept");
	tap_ok(strstr(s.last,
		      "\"evidence\":[{\"ts\":0.000,\"metric\":\"m\",\"value\":5,\"tags\":{\"g\":"
		      "\"a\"},\"why\":1}]") != NULL,
	       "evidence: the raw point with its extra fields");
	tap_ok(strstr(s.last, "\"message\":\"hot a @pager\",\"handles\":[\"@pager\"]") != NULL,
	       "message rendered, handles after rendering: %s", s.last);
	{
		char big[6000];

		memset(big, 'x', sizeof big - 1);
		big[sizeof big - 1] = '\0';
		snprintf(line_big, sizeof line_big, "0 m 5 %s\n", big);
	}
	run(MON("max(last_1m):avg:m{*} > 1", ""), line_big, NAN, NULL, &s, NULL, &rej);
	tap_ok(strstr(s.last, "\"evidence\":[{\"ts\":0,\"omitted_bytes\":60") != NULL,
	       "a point over 4 KiB is named in the evidence, not kept: %.200s", s.last);
}

/* Last: it fixes the time of "now" for the rest of the process. */
static void
test_max_future(void)
{
	struct seen s;
	int rej;

	vc_time_set_now(1000);
	run(MON("max(last_1m):avg:m{*} by {g} > 1", ""), "0 m 0 a\n100000 m 5 a\n1600 m 5 b\n", NAN,
	    NULL, &s, NULL, &rej);
	tap_is_num(rej, 1, "a point more than max_future ahead of now is rejected");
	expect(&s, 0, "alert", 1620, 5, "  and does not move the clock: the next is not late");
	tap_is_num(s.n, 1, "  nor counts");
}

int
main(void)
{
	int fd = mkstemp(path);

	if (fd < 0)
		return 1;
	close(fd);
	test_time_aggregations();
	test_space_and_arithmetic();
	test_options();
	test_max_future();
	unlink(path);
	return tap_done();
}
