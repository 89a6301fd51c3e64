/*
 * query.c — a recursive-descent parser for Datadog metric monitor
 * queries, and tag filter matching.  The grammar is in query.h and
 * vc-eval-rules(1); every error carries the offset it points at.
 */
#include "query.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

struct parser {
	const char *s; /* the query text */
	size_t i;      /* cursor */
	struct vc_query *q;
	struct vc_query_error *err;
	int failed;
};

/* Records the first error only: later ones are consequences of it. */
static void __attribute__((format(printf, 4, 5)))
fail(struct parser *p, size_t col, int unsupported, const char *fmt, ...)
{
	va_list ap;

	if (p->failed)
		return;
	p->failed = 1;
	p->err->col = col;
	p->err->unsupported = unsupported;
	va_start(ap, fmt);
	vsnprintf(p->err->why, sizeof p->err->why, fmt, ap);
	va_end(ap);
}

static void
skip_ws(struct parser *p)
{
	while (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' || p->s[p->i] == '\r')
		p->i++;
}

static int
peek(struct parser *p)
{
	skip_ws(p);
	return (unsigned char)p->s[p->i];
}

static int
accept(struct parser *p, char c)
{
	if (peek(p) != c)
		return 0;
	p->i++;
	return 1;
}

static void
expect(struct parser *p, char c, const char *what)
{
	if (p->failed)
		return;
	if (!accept(p, c)) {
		if (p->s[p->i] == '\0')
			fail(p, p->i, 0, "expected '%c' %s, found end of query", c, what);
		else
			fail(p, p->i, 0, "expected '%c' %s, found '%c'", c, what, p->s[p->i]);
	}
}

static int
is_ident_char(int c)
{
	return isalnum(c) || c == '_';
}

/* An identifier [A-Za-z_][A-Za-z0-9_]*; returns its length (0: none). */
static size_t
ident(struct parser *p, size_t *start)
{
	size_t n = 0;

	skip_ws(p);
	*start = p->i;
	if (!isalpha((unsigned char)p->s[p->i]) && p->s[p->i] != '_')
		return 0;
	while (is_ident_char((unsigned char)p->s[p->i + n]))
		n++;
	p->i += n;
	return n;
}

static int
word_is(const char *s, size_t n, const char *w)
{
	return strlen(w) == n && memcmp(s, w, n) == 0;
}

static int
agg_from(const char *s, size_t n, enum vc_agg *a)
{
	static const char *names[] = {"avg", "sum", "min", "max"};
	size_t k;

	for (k = 0; k < 4; k++)
		if (word_is(s, n, names[k])) {
			*a = (enum vc_agg)k;
			return 1;
		}
	return 0;
}

/* An unsigned decimal integer; returns -1 when there is none. */
static long
integer(struct parser *p)
{
	long v = 0;

	if (!isdigit((unsigned char)p->s[p->i]))
		return -1;
	while (isdigit((unsigned char)p->s[p->i])) {
		if (v > 100000000)
			return -1;
		v = v * 10 + (p->s[p->i++] - '0');
	}
	return v;
}

static double
unit_seconds(char u)
{
	switch (u) {
	case 'm':
		return 60;
	case 'h':
		return 3600;
	case 'd':
		return 86400;
	case 'w':
		return 7 * 86400;
	}
	return 0;
}

/* last_Nm, last_Nh, last_Nd, last_Nw, up to 730 hours (one month). */
static void
window(struct parser *p)
{
	size_t at;

	skip_ws(p);
	at = p->i;
	if (strncmp(p->s + p->i, "current_", 8) == 0) {
		fail(p, at, 1, "cumulative window '%.*s' is not supported",
		     (int)strcspn(p->s + at, ")"), p->s + at);
		return;
	}
	if (strncmp(p->s + p->i, "last_", 5) == 0) {
		long n;
		char u;

		p->i += 5;
		n = integer(p);
		u = p->s[p->i];
		if (n > 0 && unit_seconds(u) > 0 && !is_ident_char((unsigned char)p->s[p->i + 1])) {
			p->i++;
			p->q->window = (double)n * unit_seconds(u);
			p->q->window_unit = u;
			if (p->q->window > 730.0 * 3600)
				fail(p, at, 0, "window '%.*s' is longer than 730 hours",
				     (int)(p->i - at), p->s + at);
			return;
		}
	}
	fail(p, at, 0,
	     "expected a window like last_5m, last_1h, last_1d or "
	     "last_1w");
}

/* Nm_ago, Nh_ago, Nd_ago, Nw_ago. */
static void
timeshift(struct parser *p)
{
	size_t at;
	long n;
	char u;

	skip_ws(p);
	at = p->i;
	n = integer(p);
	u = p->s[p->i];
	if (n > 0 && unit_seconds(u) > 0 && strncmp(p->s + p->i + 1, "_ago", 4) == 0 &&
	    !is_ident_char((unsigned char)p->s[p->i + 5])) {
		p->i += 5;
		p->q->timeshift = (double)n * unit_seconds(u);
		return;
	}
	fail(p, at, 0, "expected a timeshift like 5m_ago, 1h_ago or 1d_ago");
}

/* A number with a leading digit, as Datadog wants (0.3, never .3):
 * -?DIGITS[.DIGITS][e[+-]DIGITS].  Returns 0 when there is none. */
static int
number(struct parser *p, double *v)
{
	const char *s;
	size_t at, n = 0;
	char tmp[64];

	skip_ws(p);
	at = p->i;
	s = p->s + at;
	if (s[0] == '.' && isdigit((unsigned char)s[1])) {
		fail(p, at, 0,
		     "a number below 1 needs a leading zero (0.3, not "
		     ".3)");
		return 0;
	}
	if (s[n] == '-')
		n++;
	if (!isdigit((unsigned char)s[n]))
		return 0;
	while (isdigit((unsigned char)s[n]))
		n++;
	if (s[n] == '.' && isdigit((unsigned char)s[n + 1]))
		for (n++; isdigit((unsigned char)s[n]); n++)
			;
	if ((s[n] == 'e' || s[n] == 'E') &&
	    (isdigit((unsigned char)s[n + 1]) ||
	     ((s[n + 1] == '+' || s[n + 1] == '-') && isdigit((unsigned char)s[n + 2])))) {
		for (n += 2; isdigit((unsigned char)s[n]); n++)
			;
	}
	if (n >= sizeof tmp) {
		fail(p, at, 0, "number too long");
		return 0;
	}
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	errno = 0;
	*v = strtod(tmp, NULL);
	if (errno == ERANGE || !isfinite(*v)) {
		fail(p, at, 0, "number out of range");
		return 0;
	}
	p->i = at + n;
	return 1;
}

/* ---- series -------------------------------------------------------- */

static void
group_keys(struct parser *p, struct vc_series *s)
{
	expect(p, '{', "after 'by'");
	while (!p->failed) {
		size_t at, n = 0;

		skip_ws(p);
		at = p->i;
		while (is_ident_char((unsigned char)p->s[at + n]) || p->s[at + n] == '.' ||
		       p->s[at + n] == '-' || p->s[at + n] == '/')
			n++;
		if (n == 0) {
			fail(p, at, 0, "expected a tag key in 'by {...}'");
			return;
		}
		p->i += n;
		s->by = realloc(s->by, (s->nby + 1) * sizeof *s->by);
		if (s->by == NULL)
			abort();
		s->by[s->nby++] = vc_xstrndup(p->s + at, n);
		if (accept(p, '}'))
			return;
		expect(p, ',', "or '}' between group keys");
	}
}

static void
method(struct parser *p, struct vc_series *s)
{
	size_t at, n = ident(p, &at);
	const char *m = p->s + at;

	if (n == 0) {
		fail(p, at, 0, "expected a method name after '.'");
		return;
	}
	expect(p, '(', "after the method name");
	if (word_is(m, n, "as_count") || word_is(m, n, "as_rate")) {
		if (m[3] == 'c')
			s->as_count = 1;
		else
			s->as_rate = 1;
		expect(p, ')', "(as_count() and as_rate() take no argument)");
		return;
	}
	if (word_is(m, n, "rollup") || word_is(m, n, "fill")) {
		int is_rollup = m[0] == 'r';
		size_t aat, an = ident(p, &aat);
		const char *a = p->s + aat;
		double secs = 0;

		if (is_rollup) {
			if (agg_from(a, an, &s->rollup))
				;
			else if (word_is(a, an, "count"))
				s->rollup = VC_AGG_COUNT;
			else {
				fail(p, aat, 0,
				     "expected a rollup method (avg, sum, min, "
				     "max, count)");
				return;
			}
			s->has_rollup = 1;
		} else {
			if (word_is(a, an, "null"))
				s->fill = VC_FILL_NULL;
			else if (word_is(a, an, "zero"))
				s->fill = VC_FILL_ZERO;
			else if (word_is(a, an, "linear"))
				s->fill = VC_FILL_LINEAR;
			else if (word_is(a, an, "last"))
				s->fill = VC_FILL_LAST;
			else {
				fail(p, aat, 0,
				     "expected a fill method (null, zero, "
				     "linear, last)");
				return;
			}
		}
		if (accept(p, ',')) {
			size_t nat;

			skip_ws(p);
			nat = p->i;
			if (!number(p, &secs) || secs <= 0 || secs != floor(secs)) {
				fail(p, nat, 0,
				     "expected a positive whole number of "
				     "seconds");
				return;
			}
			if (is_rollup)
				s->rollup_seconds = secs;
			else
				s->fill_seconds = secs;
		}
		expect(p, ')', "after the method's arguments");
		return;
	}
	fail(p, at, 0,
	     "unknown method '.%.*s()' (as_count, as_rate, rollup, "
	     "fill)",
	     (int)n, m);
}

static void
methods(struct parser *p, struct vc_series *s)
{
	while (!p->failed && peek(p) == '.') {
		p->i++;
		method(p, s);
	}
}

/* After "space_aggr:" — metric{filter} [by {keys}] [.method()...]. */
static struct vc_expr *
series(struct parser *p, enum vc_agg space, size_t col)
{
	struct vc_series s;
	struct vc_expr *e;
	size_t at, n = 0;

	memset(&s, 0, sizeof s);
	s.space = space;
	s.col = col;
	skip_ws(p);
	at = p->i;
	if (isalpha((unsigned char)p->s[at]))
		while (is_ident_char((unsigned char)p->s[at + n]) || p->s[at + n] == '.')
			n++;
	if (n == 0) {
		fail(p, at, 0, "expected a metric name");
		return NULL;
	}
	if (p->s[at + n] == '*') {
		fail(p, at + n, 0,
		     "wildcards in metric names are not accepted by "
		     "Datadog monitors; add the series up");
		return NULL;
	}
	if (p->s[at + n - 1] == '.' || n > 200) {
		fail(p, at, 0, "bad metric name '%.*s'", (int)n, p->s + at);
		return NULL;
	}
	p->i += n;
	s.metric = vc_xstrndup(p->s + at, n);
	expect(p, '{', "after the metric name (use {*} for every tag)");
	if (!p->failed) {
		s.filter = vc_filter_parse(p->s, &p->i, p->err);
		p->failed = s.filter == NULL;
	}
	methods(p, &s);
	skip_ws(p);
	if (!p->failed && strncmp(p->s + p->i, "by", 2) == 0 &&
	    !is_ident_char((unsigned char)p->s[p->i + 2])) {
		p->i += 2;
		group_keys(p, &s);
		methods(p, &s);
	}
	if (s.as_count && s.as_rate)
		fail(p, col, 0,
		     "a series cannot be both .as_count() and "
		     ".as_rate()");
	p->q->series = realloc(p->q->series, (p->q->nseries + 1) * sizeof *p->q->series);
	if (p->q->series == NULL)
		abort();
	p->q->series[p->q->nseries] = s;
	e = vc_xcalloc(1, sizeof *e);
	e->kind = VC_EXPR_SERIES;
	e->series = p->q->nseries++;
	return e;
}

/* ---- arithmetic ---------------------------------------------------- */

static struct vc_expr *expr(struct parser *p);

static struct vc_expr *
node(enum vc_expr_kind kind, struct vc_expr *a, struct vc_expr *b)
{
	struct vc_expr *e = vc_xcalloc(1, sizeof *e);

	e->kind = kind;
	e->a = a;
	e->b = b;
	return e;
}

static const char *const unsupported_functions[] = {
	"anomalies",
	"forecast",
	"outliers",
	"timeshift",
	"hour_before",
	"day_before",
	"week_before",
	"month_before",
	"log2",
	"log10",
	"pow",
	"cumsum",
	"integral",
	"diff",
	"derivative",
	"monotonic_diff",
	"top",
	"top_offset",
	"count_nonzero",
	"count_not_null",
	"robust_trend",
	"trend_line",
	"piecewise_constant",
	"ewma_3",
	"ewma_5",
	"ewma_10",
	"ewma_20",
	"median_3",
	"median_5",
	"median_7",
	"median_9",
	"rollingavg_5",
	"rollingavg_10",
	"rollingavg_15",
	"rollingavg_30",
	"clamp_min",
	"clamp_max",
	"cutoff_min",
	"cutoff_max",
	"exclude_null",
	"sqrt",
	"exp",
	NULL,
};

static struct vc_expr *
function(struct parser *p, const char *name, size_t n, size_t at)
{
	static const struct {
		const char *name;
		enum vc_expr_kind kind;
	} fns[] = {
		{"abs", VC_EXPR_ABS},
		{"default_zero", VC_EXPR_DEFAULT_ZERO},
		{"per_second", VC_EXPR_PER_SECOND},
		{"per_minute", VC_EXPR_PER_MINUTE},
		{"per_hour", VC_EXPR_PER_HOUR},
	};
	size_t k;
	struct vc_expr *a;

	for (k = 0; unsupported_functions[k]; k++)
		if (word_is(name, n, unsupported_functions[k])) {
			fail(p, at, 1, "%.*s() is not supported by vc-eval-rules", (int)n, name);
			return NULL;
		}
	for (k = 0; k < sizeof fns / sizeof fns[0]; k++)
		if (word_is(name, n, fns[k].name))
			break;
	if (k == sizeof fns / sizeof fns[0]) {
		fail(p, at, 0, "unknown function '%.*s()'", (int)n, name);
		return NULL;
	}
	p->i++; /* '(' */
	a = expr(p);
	expect(p, ')', "to close the function call");
	return node(fns[k].kind, a, NULL);
}

static struct vc_expr *
primary(struct parser *p)
{
	size_t at, n;
	double v;
	enum vc_agg space;
	struct vc_expr *e;

	if (p->failed)
		return NULL;
	skip_ws(p);
	at = p->i;
	if (accept(p, '(')) {
		e = expr(p);
		expect(p, ')', "to close the parenthesis");
		return e;
	}
	if (isdigit((unsigned char)p->s[at]) || p->s[at] == '.') {
		if (!number(p, &v))
			return NULL;
		e = node(VC_EXPR_NUMBER, NULL, NULL);
		e->number = v;
		return e;
	}
	n = ident(p, &at);
	if (n == 0) {
		if (p->s[at] == '\0')
			fail(p, at, 0,
			     "expected a series, number or '(', found end "
			     "of query");
		else
			fail(p, at, 0,
			     "expected a series, number or '(', found "
			     "'%c'",
			     p->s[at]);
		return NULL;
	}
	if (peek(p) == '(')
		return function(p, p->s + at, n, at);
	if (peek(p) == ':') {
		p->i++;
		if (agg_from(p->s + at, n, &space))
			return series(p, space, at);
		if (word_is(p->s + at, n, "count") ||
		    (p->s[at] == 'p' && n >= 3 && n <= 6 && isdigit((unsigned char)p->s[at + 1])))
			fail(p, at, 1,
			     "space aggregation '%.*s' (distributions) "
			     "is not supported",
			     (int)n, p->s + at);
		else
			fail(p, at, 0,
			     "unknown space aggregation '%.*s' (avg, "
			     "sum, min, max)",
			     (int)n, p->s + at);
		return NULL;
	}
	fail(p, at, 0,
	     "expected a space aggregation (avg:, sum:, min:, max:) "
	     "before '%.*s'",
	     (int)n, p->s + at);
	return NULL;
}

static struct vc_expr *
unary(struct parser *p)
{
	if (!p->failed && peek(p) == '-' && !isdigit((unsigned char)p->s[p->i + 1])) {
		p->i++;
		return node(VC_EXPR_NEG, unary(p), NULL);
	}
	return primary(p);
}

static struct vc_expr *
term(struct parser *p)
{
	struct vc_expr *e = unary(p);

	while (!p->failed) {
		int c = peek(p);

		if (c != '*' && c != '/')
			break;
		p->i++;
		e = node(c == '*' ? VC_EXPR_MUL : VC_EXPR_DIV, e, unary(p));
	}
	return e;
}

static struct vc_expr *
expr(struct parser *p)
{
	struct vc_expr *e = term(p);

	while (!p->failed) {
		int c = peek(p);

		if (c != '+' && c != '-')
			break;
		p->i++;
		e = node(c == '+' ? VC_EXPR_ADD : VC_EXPR_SUB, e, term(p));
	}
	return e;
}

/* ---- the query ----------------------------------------------------- */

static void
time_aggregation(struct parser *p)
{
	size_t at, n = ident(p, &at);
	const char *w = p->s + at;

	if (n == 0) {
		fail(p, at, 0,
		     "expected a time aggregation (avg, sum, min, max, "
		     "change, pct_change)");
		return;
	}
	if (word_is(w, n, "change") || word_is(w, n, "pct_change")) {
		size_t iat, in;

		p->q->change = w[0] == 'c' ? VC_CHANGE_ABS : VC_CHANGE_PCT;
		expect(p, '(', "after the change aggregation");
		in = ident(p, &iat);
		if (!p->failed && !agg_from(p->s + iat, in, &p->q->time_aggr)) {
			fail(p, iat, 0,
			     "expected a time aggregation (avg, sum, "
			     "min, max) inside %.*s()",
			     (int)n, w);
			return;
		}
		expect(p, '(', "after the time aggregation");
		if (!p->failed)
			window(p);
		expect(p, ')', "after the window");
		expect(p, ',', "before the timeshift");
		if (!p->failed)
			timeshift(p);
		expect(p, ')', "after the timeshift");
		return;
	}
	if (agg_from(w, n, &p->q->time_aggr)) {
		expect(p, '(', "after the time aggregation");
		if (!p->failed)
			window(p);
		expect(p, ')', "after the window");
		return;
	}
	if (word_is(w, n, "percentile"))
		fail(p, at, 1,
		     "time aggregation 'percentile' (distributions) is "
		     "not supported");
	else
		fail(p, at, 0,
		     "unknown time aggregation '%.*s' (avg, sum, min, "
		     "max, change, pct_change)",
		     (int)n, w);
}

static void
comparator(struct parser *p)
{
	static const struct {
		const char *s;
		enum vc_cmp c;
	} ops[] = {
		{">=", VC_CMP_GE}, {"<=", VC_CMP_LE}, {"==", VC_CMP_EQ},
		{"!=", VC_CMP_NE}, {">", VC_CMP_GT},  {"<", VC_CMP_LT},
	};
	size_t k;

	skip_ws(p);
	for (k = 0; k < sizeof ops / sizeof ops[0]; k++)
		if (strncmp(p->s + p->i, ops[k].s, strlen(ops[k].s)) == 0) {
			p->q->cmp = ops[k].c;
			p->i += strlen(ops[k].s);
			return;
		}
	if (p->s[p->i] == '\0')
		fail(p, p->i, 0,
		     "expected a comparator (>, >=, <, <=, ==, !=) "
		     "and a threshold, found end of query");
	else
		fail(p, p->i, 0,
		     "expected a comparator (>, >=, <, <=, ==, !=), "
		     "found '%c'",
		     p->s[p->i]);
}

/* Every series must group by the same keys: the monitor's groups are
 * then well defined. */
static void
check_groups(struct parser *p)
{
	struct vc_query *q = p->q;
	size_t k, j;

	if (q->nseries == 0) {
		fail(p, 0, 0, "the query has no series");
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
			fail(p, q->series[k].col, 1,
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
	struct parser p;
	size_t at, n;

	memset(&p, 0, sizeof p);
	memset(err, 0, sizeof *err);
	p.s = text;
	p.err = err;
	p.q = vc_xcalloc(1, sizeof *p.q);
	p.q->text = vc_xstrndup(text, strlen(text));
	time_aggregation(&p);
	expect(&p, ':', "after the time aggregation");
	if (!p.failed)
		p.q->expr = expr(&p);
	if (!p.failed)
		comparator(&p);
	if (!p.failed) {
		skip_ws(&p);
		p.q->threshold_col = p.i;
		at = p.i;
		n = 0;
		while (isalpha((unsigned char)text[at + n]))
			n++;
		if (n && word_is(text + at, n, "threshold"))
			fail(&p, at, 1, "dynamic thresholds are not supported");
		else if (!number(&p, &p.q->threshold))
			fail(&p, at, 0, "expected a number as threshold");
	}
	if (!p.failed && peek(&p) != '\0')
		fail(&p, p.i, 0, "unexpected '%c' after the threshold", text[p.i]);
	if (!p.failed)
		check_groups(&p);
	if (p.failed) {
		vc_query_free(p.q);
		return NULL;
	}
	return p.q;
}

/* ---- freeing ------------------------------------------------------- */

static void
free_expr(struct vc_expr *e)
{
	if (e == NULL)
		return;
	free_expr(e->a);
	free_expr(e->b);
	free(e);
}

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
	free_expr(q->expr);
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
