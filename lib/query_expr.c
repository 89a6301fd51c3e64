/*
 * query_expr.c — the arithmetic of a query (query_priv.h): + - * / with
 * the usual precedence, unary minus, parentheses, constants, the
 * functions vcobs evaluates (abs, default_zero, per_second, per_minute,
 * per_hour) and, at the leaves, series (query_series.c).  Functions
 * Datadog has and vcobs does not are refused by name as unsupported.
 */
#include <ctype.h>
#include <stdlib.h>

#include "query_priv.h"
#include "xalloc.h"

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

/* name(expr), the cursor at its '('. */
static struct vc_expr *
function(struct vc_qparse *p, const char *name, size_t n, size_t at)
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
		if (vc_qlex_word_is(name, n, unsupported_functions[k])) {
			vc_qlex_fail(p, at, 1, "%.*s() is not supported by vc-eval-rules", (int)n,
				     name);
			return NULL;
		}
	for (k = 0; k < sizeof fns / sizeof fns[0]; k++)
		if (vc_qlex_word_is(name, n, fns[k].name))
			break;
	if (k == sizeof fns / sizeof fns[0]) {
		vc_qlex_fail(p, at, 0, "unknown function '%.*s()'", (int)n, name);
		return NULL;
	}
	p->i++; /* '(' */
	a = vc_qexpr_parse(p);
	vc_qlex_expect(p, ')', "to close the function call");
	return node(fns[k].kind, a, NULL);
}

/* "space_aggr:" and the series after it; the cursor at the ':'. */
static struct vc_expr *
series(struct vc_qparse *p, const char *name, size_t n, size_t at)
{
	enum vc_agg space;

	p->i++;
	if (vc_qlex_agg(name, n, &space))
		return vc_qseries_parse(p, space, at);
	if (vc_qlex_word_is(name, n, "count") ||
	    (name[0] == 'p' && n >= 3 && n <= 6 && isdigit((unsigned char)name[1])))
		vc_qlex_fail(p, at, 1, "space aggregation '%.*s' (distributions) is not supported",
			     (int)n, name);
	else
		vc_qlex_fail(p, at, 0, "unknown space aggregation '%.*s' (avg, sum, min, max)",
			     (int)n, name);
	return NULL;
}

static struct vc_expr *
primary(struct vc_qparse *p)
{
	size_t at, n;
	double v;
	struct vc_expr *e;

	if (p->failed)
		return NULL;
	vc_qlex_skip_ws(p);
	at = p->i;
	if (vc_qlex_accept(p, '(')) {
		e = vc_qexpr_parse(p);
		vc_qlex_expect(p, ')', "to close the parenthesis");
		return e;
	}
	if (isdigit((unsigned char)p->s[at]) || p->s[at] == '.') {
		if (!vc_qlex_number(p, &v))
			return NULL;
		e = node(VC_EXPR_NUMBER, NULL, NULL);
		e->number = v;
		return e;
	}
	n = vc_qlex_ident(p, &at);
	if (n == 0) {
		if (p->s[at] == '\0')
			vc_qlex_fail(p, at, 0,
				     "expected a series, number or '(', found end of query");
		else
			vc_qlex_fail(p, at, 0, "expected a series, number or '(', found '%c'",
				     p->s[at]);
		return NULL;
	}
	if (vc_qlex_peek(p) == '(')
		return function(p, p->s + at, n, at);
	if (vc_qlex_peek(p) == ':')
		return series(p, p->s + at, n, at);
	vc_qlex_fail(p, at, 0,
		     "expected a space aggregation (avg:, sum:, min:, max:) before '%.*s'", (int)n,
		     p->s + at);
	return NULL;
}

static struct vc_expr *
unary(struct vc_qparse *p)
{
	if (!p->failed && vc_qlex_peek(p) == '-' && !isdigit((unsigned char)p->s[p->i + 1])) {
		p->i++;
		return node(VC_EXPR_NEG, unary(p), NULL);
	}
	return primary(p);
}

static struct vc_expr *
term(struct vc_qparse *p)
{
	struct vc_expr *e = unary(p);

	while (!p->failed) {
		int c = vc_qlex_peek(p);

		if (c != '*' && c != '/')
			break;
		p->i++;
		e = node(c == '*' ? VC_EXPR_MUL : VC_EXPR_DIV, e, unary(p));
	}
	return e;
}

struct vc_expr *
vc_qexpr_parse(struct vc_qparse *p)
{
	struct vc_expr *e = term(p);

	while (!p->failed) {
		int c = vc_qlex_peek(p);

		if (c != '+' && c != '-')
			break;
		p->i++;
		e = node(c == '+' ? VC_EXPR_ADD : VC_EXPR_SUB, e, term(p));
	}
	return e;
}

void
vc_qexpr_free(struct vc_expr *e)
{
	if (e == NULL)
		return;
	vc_qexpr_free(e->a);
	vc_qexpr_free(e->b);
	free(e);
}
