/*
 * query_series.c — one series of a query (query_priv.h): after
 * "space_aggr:", the metric name, its tag filter (filter.c), the group-by
 * keys and the methods .as_count(), .as_rate(), .rollup() and .fill(),
 * before or after "by {...}".
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "query_priv.h"
#include "xalloc.h"

/* "{k1,k2}" after "by"; tag keys may hold '.', '-' and '/'. */
static void
group_keys(struct vc_qparse *p, struct vc_series *s)
{
	vc_qlex_expect(p, '{', "after 'by'");
	while (!p->failed) {
		size_t at, n = 0;

		vc_qlex_skip_ws(p);
		at = p->i;
		while (vc_qlex_is_ident_char((unsigned char)p->s[at + n]) || p->s[at + n] == '.' ||
		       p->s[at + n] == '-' || p->s[at + n] == '/')
			n++;
		if (n == 0) {
			vc_qlex_fail(p, at, 0, "expected a tag key in 'by {...}'");
			return;
		}
		p->i += n;
		s->by = realloc(s->by, (s->nby + 1) * sizeof *s->by);
		if (s->by == NULL)
			abort();
		s->by[s->nby++] = vc_xstrndup(p->s + at, n);
		if (vc_qlex_accept(p, '}'))
			return;
		vc_qlex_expect(p, ',', "or '}' between group keys");
	}
}

/* The argument list of .rollup(method[, seconds]) or .fill(method[,
 * seconds]), after its '('. */
static void
rollup_or_fill(struct vc_qparse *p, struct vc_series *s, int is_rollup)
{
	size_t aat, an = vc_qlex_ident(p, &aat);
	const char *a = p->s + aat;
	double secs = 0;

	if (is_rollup) {
		if (vc_qlex_agg(a, an, &s->rollup))
			;
		else if (vc_qlex_word_is(a, an, "count"))
			s->rollup = VC_AGG_COUNT;
		else {
			vc_qlex_fail(p, aat, 0,
				     "expected a rollup method (avg, sum, min, max, count)");
			return;
		}
		s->has_rollup = 1;
	} else {
		if (vc_qlex_word_is(a, an, "null"))
			s->fill = VC_FILL_NULL;
		else if (vc_qlex_word_is(a, an, "zero"))
			s->fill = VC_FILL_ZERO;
		else if (vc_qlex_word_is(a, an, "linear"))
			s->fill = VC_FILL_LINEAR;
		else if (vc_qlex_word_is(a, an, "last"))
			s->fill = VC_FILL_LAST;
		else {
			vc_qlex_fail(p, aat, 0,
				     "expected a fill method (null, zero, linear, last)");
			return;
		}
	}
	if (vc_qlex_accept(p, ',')) {
		size_t nat;

		vc_qlex_skip_ws(p);
		nat = p->i;
		if (!vc_qlex_number(p, &secs) || secs <= 0 || secs != floor(secs)) {
			vc_qlex_fail(p, nat, 0, "expected a positive whole number of seconds");
			return;
		}
		if (is_rollup)
			s->rollup_seconds = secs;
		else
			s->fill_seconds = secs;
	}
	vc_qlex_expect(p, ')', "after the method's arguments");
}

/* One method, after its '.'. */
static void
method(struct vc_qparse *p, struct vc_series *s)
{
	size_t at, n = vc_qlex_ident(p, &at);
	const char *m = p->s + at;

	if (n == 0) {
		vc_qlex_fail(p, at, 0, "expected a method name after '.'");
		return;
	}
	vc_qlex_expect(p, '(', "after the method name");
	if (vc_qlex_word_is(m, n, "as_count") || vc_qlex_word_is(m, n, "as_rate")) {
		if (m[3] == 'c')
			s->as_count = 1;
		else
			s->as_rate = 1;
		vc_qlex_expect(p, ')', "(as_count() and as_rate() take no argument)");
		return;
	}
	if (vc_qlex_word_is(m, n, "rollup") || vc_qlex_word_is(m, n, "fill")) {
		rollup_or_fill(p, s, m[0] == 'r');
		return;
	}
	vc_qlex_fail(p, at, 0, "unknown method '.%.*s()' (as_count, as_rate, rollup, fill)", (int)n,
		     m);
}

static void
methods(struct vc_qparse *p, struct vc_series *s)
{
	while (!p->failed && vc_qlex_peek(p) == '.') {
		p->i++;
		method(p, s);
	}
}

struct vc_expr *
vc_qseries_parse(struct vc_qparse *p, enum vc_agg space, size_t col)
{
	struct vc_series s;
	struct vc_expr *e;
	size_t at, n = 0;

	memset(&s, 0, sizeof s);
	s.space = space;
	s.col = col;
	vc_qlex_skip_ws(p);
	at = p->i;
	if (isalpha((unsigned char)p->s[at]))
		while (vc_qlex_is_ident_char((unsigned char)p->s[at + n]) || p->s[at + n] == '.')
			n++;
	if (n == 0) {
		vc_qlex_fail(p, at, 0, "expected a metric name");
		return NULL;
	}
	if (p->s[at + n] == '*') {
		vc_qlex_fail(p, at + n, 0,
			     "wildcards in metric names are not accepted by Datadog monitors; add "
			     "the series up");
		return NULL;
	}
	if (p->s[at + n - 1] == '.' || n > 200) {
		vc_qlex_fail(p, at, 0, "bad metric name '%.*s'", (int)n, p->s + at);
		return NULL;
	}
	p->i += n;
	s.metric = vc_xstrndup(p->s + at, n);
	vc_qlex_expect(p, '{', "after the metric name (use {*} for every tag)");
	if (!p->failed) {
		s.filter = vc_filter_parse(p->s, &p->i, p->err);
		p->failed = s.filter == NULL;
	}
	methods(p, &s);
	vc_qlex_skip_ws(p);
	if (!p->failed && strncmp(p->s + p->i, "by", 2) == 0 &&
	    !vc_qlex_is_ident_char((unsigned char)p->s[p->i + 2])) {
		p->i += 2;
		group_keys(p, &s);
		methods(p, &s);
	}
	if (s.as_count && s.as_rate)
		vc_qlex_fail(p, col, 0, "a series cannot be both .as_count() and .as_rate()");
	p->q->series = realloc(p->q->series, (p->q->nseries + 1) * sizeof *p->q->series);
	if (p->q->series == NULL)
		abort();
	p->q->series[p->q->nseries] = s;
	e = vc_xcalloc(1, sizeof *e);
	e->kind = VC_EXPR_SERIES;
	e->series = p->q->nseries++;
	return e;
}
