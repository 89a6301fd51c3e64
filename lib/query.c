/*
 * query.c — a recursive-descent parser for Datadog metric monitor
 * queries (the grammar is in query.h and vc-eval-rules(1)): the outer
 * shape "time_aggr(window):expr comparator threshold", the check that
 * every series groups by the same keys, freeing, and the names of
 * aggregations and comparators.  The pieces live beside it:
 *
 *   query_lex.c     the cursor, errors, and the tokens (numbers, windows)
 *   query_expr.c    the arithmetic and functions between ':' and the comparator
 *   query_series.c  one series: metric{filter} by {keys} .methods()
 *   filter.c        the tag filter inside a series' braces, and matching it
 *
 * Every error carries the offset it points at.
 */
#include "query.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "query_priv.h"
#include "xalloc.h"

/* ---- the query ----------------------------------------------------- */

static void
time_aggregation(struct vc_qparse *p)
{
	size_t at, n = vc_qlex_ident(p, &at);
	const char *w = p->s + at;

	if (n == 0) {
		vc_qlex_fail(p, at, 0,
			     "expected a time aggregation (avg, sum, min, max, "
			     "change, pct_change)");
		return;
	}
	if (vc_qlex_word_is(w, n, "change") || vc_qlex_word_is(w, n, "pct_change")) {
		size_t iat, in;

		p->q->change = w[0] == 'c' ? VC_CHANGE_ABS : VC_CHANGE_PCT;
		vc_qlex_expect(p, '(', "after the change aggregation");
		in = vc_qlex_ident(p, &iat);
		if (!p->failed && !vc_qlex_agg(p->s + iat, in, &p->q->time_aggr)) {
			vc_qlex_fail(p, iat, 0,
				     "expected a time aggregation (avg, sum, "
				     "min, max) inside %.*s()",
				     (int)n, w);
			return;
		}
		vc_qlex_expect(p, '(', "after the time aggregation");
		if (!p->failed)
			vc_qlex_window(p, &p->q->window, &p->q->window_unit);
		vc_qlex_expect(p, ')', "after the window");
		vc_qlex_expect(p, ',', "before the timeshift");
		if (!p->failed)
			vc_qlex_timeshift(p, &p->q->timeshift);
		vc_qlex_expect(p, ')', "after the timeshift");
		return;
	}
	if (vc_qlex_agg(w, n, &p->q->time_aggr)) {
		vc_qlex_expect(p, '(', "after the time aggregation");
		if (!p->failed)
			vc_qlex_window(p, &p->q->window, &p->q->window_unit);
		vc_qlex_expect(p, ')', "after the window");
		return;
	}
	if (vc_qlex_word_is(w, n, "percentile"))
		vc_qlex_fail(p, at, 1,
			     "time aggregation 'percentile' (distributions) is "
			     "not supported");
	else
		vc_qlex_fail(p, at, 0,
			     "unknown time aggregation '%.*s' (avg, sum, min, "
			     "max, change, pct_change)",
			     (int)n, w);
}

static void
comparator(struct vc_qparse *p)
{
	static const struct {
		const char *s;
		enum vc_cmp c;
	} ops[] = {
		{">=", VC_CMP_GE}, {"<=", VC_CMP_LE}, {"==", VC_CMP_EQ},
		{"!=", VC_CMP_NE}, {">", VC_CMP_GT},  {"<", VC_CMP_LT},
	};
	size_t k;

	vc_qlex_skip_ws(p);
	for (k = 0; k < sizeof ops / sizeof ops[0]; k++)
		if (strncmp(p->s + p->i, ops[k].s, strlen(ops[k].s)) == 0) {
			p->q->cmp = ops[k].c;
			p->i += strlen(ops[k].s);
			return;
		}
	if (p->s[p->i] == '\0')
		vc_qlex_fail(p, p->i, 0,
			     "expected a comparator (>, >=, <, <=, ==, !=) "
			     "and a threshold, found end of query");
	else
		vc_qlex_fail(p, p->i, 0,
			     "expected a comparator (>, >=, <, <=, ==, !=), "
			     "found '%c'",
			     p->s[p->i]);
}

/* Every series must group by the same keys: the monitor's groups are
 * then well defined. */
static void
check_groups(struct vc_qparse *p)
{
	struct vc_query *q = p->q;
	size_t k, j;

	if (q->nseries == 0) {
		vc_qlex_fail(p, 0, 0, "the query has no series");
		return;
	}
	for (k = 1; k < q->nseries; k++) {
		int same = q->series[k].nby == q->series[0].nby;

		for (j = 0; same && j < q->series[0].nby; j++) {
			size_t m;

			same = 0;
			for (m = 0; m < q->series[k].nby; m++)
				if (strcmp(q->series[0].by[j], q->series[k].by[m]) == 0)
					same = 1;
		}
		if (!same) {
			vc_qlex_fail(p, q->series[k].col, 1,
				     "every series must be grouped "
				     "by the same keys");
			return;
		}
	}
	q->by = vc_xcalloc(q->series[0].nby, sizeof *q->by);
	for (j = 0; j < q->series[0].nby; j++)
		q->by[j] = vc_xstrndup(q->series[0].by[j], strlen(q->series[0].by[j]));
	q->nby = q->series[0].nby;
	for (k = 0; k < q->nseries; k++)
		q->as_count |= q->series[k].as_count;
}

struct vc_query *
vc_query_parse(const char *text, struct vc_query_error *err)
{
	struct vc_qparse p;
	size_t at, n;

	memset(&p, 0, sizeof p);
	memset(err, 0, sizeof *err);
	p.s = text;
	p.err = err;
	p.q = vc_xcalloc(1, sizeof *p.q);
	p.q->text = vc_xstrndup(text, strlen(text));
	time_aggregation(&p);
	vc_qlex_expect(&p, ':', "after the time aggregation");
	if (!p.failed)
		p.q->expr = vc_qexpr_parse(&p);
	if (!p.failed)
		comparator(&p);
	if (!p.failed) {
		vc_qlex_skip_ws(&p);
		p.q->threshold_col = p.i;
		at = p.i;
		n = 0;
		while (isalpha((unsigned char)text[at + n]))
			n++;
		if (n && vc_qlex_word_is(text + at, n, "threshold"))
			vc_qlex_fail(&p, at, 1, "dynamic thresholds are not supported");
		else if (!vc_qlex_number(&p, &p.q->threshold))
			vc_qlex_fail(&p, at, 0, "expected a number as threshold");
	}
	if (!p.failed && vc_qlex_peek(&p) != '\0')
		vc_qlex_fail(&p, p.i, 0, "unexpected '%c' after the threshold", text[p.i]);
	if (!p.failed)
		check_groups(&p);
	if (p.failed) {
		vc_query_free(p.q);
		return NULL;
	}
	return p.q;
}

/* ---- freeing ------------------------------------------------------- */

void
vc_query_free(struct vc_query *q)
{
	size_t k, j;

	if (q == NULL)
		return;
	for (k = 0; k < q->nseries; k++) {
		free(q->series[k].metric);
		vc_filter_free(q->series[k].filter);
		for (j = 0; j < q->series[k].nby; j++)
			free(q->series[k].by[j]);
		free(q->series[k].by);
	}
	free(q->series);
	for (j = 0; j < q->nby; j++)
		free(q->by[j]);
	free(q->by);
	vc_qexpr_free(q->expr);
	free(q->text);
	free(q);
}

/* ---- names and comparisons ----------------------------------------- */

const char *
vc_agg_name(enum vc_agg a)
{
	static const char *names[] = {"avg", "sum", "min", "max", "count"};

	return names[a];
}

const char *
vc_cmp_name(enum vc_cmp c)
{
	static const char *names[] = {">", ">=", "<", "<=", "==", "!="};

	return names[c];
}

int
vc_cmp_holds(enum vc_cmp c, double v, double t)
{
	switch (c) {
	case VC_CMP_GT:
		return v > t;
	case VC_CMP_GE:
		return v >= t;
	case VC_CMP_LT:
		return v < t;
	case VC_CMP_LE:
		return v <= t;
	case VC_CMP_EQ:
		return v == t;
	case VC_CMP_NE:
		return v != t;
	}
	return 0;
}
