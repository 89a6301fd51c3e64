/* Unit tests of lib/query*.c and lib/filter.c: the metric monitor query
 * language, its error columns, and tag filter matching. */
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "query.h"
#include "tap.h"

/* Parses q and checks that it fails at column col (from 0) with a reason
 * containing why. */
static void
fails_at(const char *q, size_t col, const char *why, int unsupported)
{
	struct vc_query_error err;
	struct vc_query *p = vc_query_parse(q, &err);

	tap_ok(p == NULL, "rejects %s", q);
	vc_query_free(p);
	tap_is_num((double)err.col, (double)col, "  column");
	tap_ok(strstr(err.why, why) != NULL, "  why '%s' has '%s'", err.why, why);
	tap_is_num(err.unsupported, unsupported, "  unsupported flag");
}

static struct vc_query *
parses(const char *q)
{
	struct vc_query_error err;
	struct vc_query *p = vc_query_parse(q, &err);

	tap_ok(p != NULL, "parses %s%s%s", q, p ? "" : ": ", p ? "" : err.why);
	return p;
}

/* Whether filter text (without braces) matches the tags object. */
static int
matches(const char *filter, const char *tags)
{
	char q[512];
	struct vc_query_error err;
	struct vc_query *p;
	struct vc_json_span root;
	const char *why;
	size_t off;
	int ok;

	snprintf(q, sizeof q, "avg(last_5m):avg:m{%s} > 1", filter);
	p = vc_query_parse(q, &err);
	if (p == NULL) {
		tap_ok(0, "filter %s parses: %s", filter, err.why);
		return -1;
	}
	if (vc_json_check(tags, strlen(tags), &root, &why, &off) != 0)
		return -1;
	ok = vc_filter_match(p->series[0].filter, root);
	vc_query_free(p);
	return ok;
}

static void
test_shapes(void)
{
	struct vc_query *q;

	q = parses("avg(last_5m):max:llm.security.injection_attempt_score{*} by "
		   "{session_id} > 0.7");
	if (q) {
		tap_is_num(q->time_aggr, VC_AGG_AVG, "time aggregation avg");
		tap_is_num(q->window, 300, "window 5 minutes");
		tap_is_num(q->series[0].space, VC_AGG_MAX, "space aggregation max");
		tap_is_str(q->series[0].metric, "llm.security.injection_attempt_score",
			   "metric name");
		tap_is_num((double)q->nby, 1, "one group key");
		tap_is_str(q->by[0], "session_id", "group key");
		tap_is_num(q->cmp, VC_CMP_GT, "comparator >");
		tap_is_num(q->threshold, 0.7, "threshold");
		tap_is_num((double)q->threshold_col, 75, "threshold column");
	}
	vc_query_free(q);

	q = parses("pct_change(avg(last_1h),1d_ago):sum:a{env:prod} >= -10");
	if (q) {
		tap_is_num(q->change, VC_CHANGE_PCT, "pct_change");
		tap_is_num(q->timeshift, 86400, "timeshift one day");
		tap_is_num(q->window, 3600, "window one hour");
		tap_is_num(q->threshold, -10, "negative threshold");
		tap_is_num(q->cmp, VC_CMP_GE, "comparator >=");
	}
	vc_query_free(q);

	q = parses("sum(last_10m):default_zero(sum:a{*} by {u,h}.as_count()) + "
		   "sum:b{*} by {h,u}.as_count() * 2 != 3");
	if (q) {
		tap_is_num((double)q->nseries, 2, "two series");
		tap_ok(q->as_count, "as_count seen");
		tap_is_num(q->expr->kind, VC_EXPR_ADD, "+ at the top (precedence)");
		tap_is_num(q->expr->b->kind, VC_EXPR_MUL, "* binds tighter");
		tap_is_num(q->expr->a->kind, VC_EXPR_DEFAULT_ZERO, "default_zero()");
		tap_is_num(q->cmp, VC_CMP_NE, "comparator !=");
	}
	vc_query_free(q);

	q = parses("max(last_1w):min:a{*}.rollup(sum, 60).fill(zero) < 1e3");
	if (q) {
		tap_ok(q->series[0].has_rollup && q->series[0].rollup == VC_AGG_SUM,
		       ".rollup(sum)");
		tap_is_num(q->series[0].rollup_seconds, 60, "rollup seconds");
		tap_is_num(q->series[0].fill, VC_FILL_ZERO, ".fill(zero)");
		tap_is_num(q->threshold, 1000, "exponent threshold");
	}
	vc_query_free(q);

	q = parses("  min( last_2h ) : ( avg:a{x:1} - avg:b{x:1} ) / 100 == 0 ");
	tap_ok(q && q->window_unit == 'h', "spaces between tokens");
	vc_query_free(q);
	q = parses("avg(last_5m):abs(per_second(sum:a{*})) <= 2");
	vc_query_free(q);
}

static void
test_errors(void)
{
	fails_at("foo(last_5m):avg:a{*} > 1", 0, "unknown time aggregation", 0);
	fails_at("avg(last_5x):avg:a{*} > 1", 4, "expected a window", 0);
	fails_at("avg(last_5m):median:a{*} > 1", 13, "unknown space aggregation", 0);
	fails_at("avg(last_5m):avg:a{*} >> 1", 23, "expected a number", 0);
	fails_at("avg(last_5m):avg:a{*} > .5", 24, "leading zero", 0);
	fails_at("avg(last_5m):avg:a{*} 1", 22, "expected a comparator", 0);
	fails_at("avg(last_5m):avg:a{env:x", 24, "not closed", 0);
	fails_at("avg(last_5m):avg:a{env:x AND !b:c} > 1", 29, "cannot mix", 0);
	fails_at("avg(last_5m):avg:a{env:x, b:c OR d:e} > 1", 24, "cannot mix", 0);
	fails_at("avg(last_5m):avg:a{} > 1", 19, "empty tag filter", 0);
	fails_at("avg(last_5m):anomalies(avg:a{*}, 'basic', 2) >= 1", 13,
		 "anomalies() is not supported", 1);
	fails_at("avg(last_5m):forecast(avg:a{*}, 'linear', 1) > 1", 13, "not supported", 1);
	fails_at("avg(last_5m):avg:a{*} > threshold", 24, "dynamic thresholds", 1);
	fails_at("avg(current_1mo):avg:a{*} > 1", 4, "cumulative window", 1);
	fails_at("percentile(last_5m):p99:a{*} > 1", 0, "percentile", 1);
	fails_at("avg(last_5m):p99:a{*} > 1", 13, "distributions", 1);
	fails_at("avg(last_5m):avg:a{*}.as_sum() > 1", 22, "unknown method", 0);
	fails_at("avg(last_5m):sum:a{*} by {u} + sum:b{*} > 1", 31, "same keys", 1);
	fails_at("avg(last_5m):avg:a{*} > 1 x", 26, "unexpected 'x'", 0);
	fails_at("avg(last_5m):avg:tryon.security.*{*} > 1", 32, "wildcards", 0);
	fails_at("avg(last_5m):nosuch(avg:a{*}) > 1", 13, "unknown function", 0);
	fails_at("change(avg(last_5m),5x_ago):avg:a{*} > 1", 20, "timeshift", 0);
	fails_at("avg(last_5m):avg:a{*} by {} > 1", 26, "tag key", 0);
	fails_at("avg(last_800h):avg:a{*} > 1", 4, "730 hours", 0);
	fails_at("", 0, "expected a time aggregation", 0);
}

static void
test_filters(void)
{
	const char *tags = "{\"env\":\"prod\",\"service\":\"web-canary\","
			   "\"zone\":\"us-east-1a\",\"n\":3}";

	tap_is_num(matches("*", "{}"), 1, "* matches no tags");
	tap_is_num(matches("env:prod", tags), 1, "key:value");
	tap_is_num(matches("env:dev", tags), 0, "key:other value");
	tap_is_num(matches("!env:dev", tags), 1, "!key:value");
	tap_is_num(matches("!env:prod", tags), 0, "!key:value excluded");
	tap_is_num(matches("env:prod,service:*-canary", tags), 1, "comma is AND, suffix wildcard");
	tap_is_num(matches("env:prod,service:api*", tags), 0, "prefix wildcard misses");
	tap_is_num(matches("env", tags), 1, "bare tag: key present");
	tap_is_num(matches("host", tags), 0, "bare tag: key absent");
	tap_is_num(matches("n:3", tags), 1, "number tag value");
	tap_is_num(matches("env:prod AND (zone:us-east-1b OR zone:us-east-1a)", tags), 1,
		   "AND / OR / parentheses");
	tap_is_num(matches("env:prod and not zone:us-east-1a", tags), 0, "lower-case and / not");
	tap_is_num(matches("zone IN (us-east-1b, us-east-1a)", tags), 1, "IN");
	tap_is_num(matches("zone NOT IN (us-east-1b, us-east-1a)", tags), 0, "NOT IN");
	tap_is_num(matches("env:prod AND zone NOT IN (eu*)", tags), 1, "NOT IN with a wildcard");
	tap_ok(vc_query_glob("a*b*c", "axxbyyc", 7), "glob in the middle");
	tap_ok(!vc_query_glob("a*b", "ab c", 4), "glob anchored at the end");
}

int
main(void)
{
	test_shapes();
	test_errors();
	test_filters();
	return tap_done();
}
