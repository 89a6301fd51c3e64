/*
 * query_priv.h — what the files of the query parser share, and nothing
 * outside them uses: the cursor over the query text (struct vc_qparse)
 * and the lexer that moves it (query_lex.c), the series and expression
 * parsers (query_series.c, query_expr.c) that query.c and filter.c call.
 *
 * Every function here works on the text at p->s[p->i]; on a fault it
 * records the first error in *p->err (vc_qlex_fail) and sets p->failed,
 * after which the callers stop reading.  Offsets are from the start of
 * the query text, so every error points at its column.
 */
#ifndef VC_QUERY_PRIV_H
#define VC_QUERY_PRIV_H

#include <stddef.h>

#include "query.h"

struct vc_qparse {
	const char *s;      /* the query text, NUL-terminated */
	size_t i;           /* the cursor: an offset into s */
	struct vc_query *q; /* what is being built (NULL in filter.c) */
	struct vc_query_error *err;
	int failed;
};

/* ---- the lexer (query_lex.c) --------------------------------------- */

/* Records an error at offset col, only the first: later ones are
 * consequences of it. */
void vc_qlex_fail(struct vc_qparse *p, size_t col, int unsupported, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Skips blanks (space, tab, newline, carriage return). */
void vc_qlex_skip_ws(struct vc_qparse *p);
/* The next byte after blanks (0 at the end of the text), not consumed. */
int vc_qlex_peek(struct vc_qparse *p);
/* Consumes c, after blanks, when it comes next; returns whether it did. */
int vc_qlex_accept(struct vc_qparse *p, char c);
/* Like vc_qlex_accept, but its absence is an error: "expected 'c' what". */
void vc_qlex_expect(struct vc_qparse *p, char c, const char *what);

/* Whether c may stand in an identifier after its first character. */
int vc_qlex_is_ident_char(int c);
/* An identifier [A-Za-z_][A-Za-z0-9_]* after blanks; sets *start to
 * where it starts (or would) and returns its length, 0 for none. */
size_t vc_qlex_ident(struct vc_qparse *p, size_t *start);
/* Whether s[0..n) is the word w. */
int vc_qlex_word_is(const char *s, size_t n, const char *w);
/* Whether s[0..n) names avg, sum, min or max; sets *a when it does. */
int vc_qlex_agg(const char *s, size_t n, enum vc_agg *a);

/* An unsigned decimal integer, no blanks before it; -1 when there is
 * none or it passes 10^9. */
long vc_qlex_integer(struct vc_qparse *p);
/* A number after blanks, with a leading digit as Datadog wants (0.3,
 * never .3): -?DIGITS[.DIGITS][e[+-]DIGITS].  Returns 1 and sets *v, or
 * 0 when there is none (an error recorded for .3, a number too long or
 * out of range; not for a mere absence). */
int vc_qlex_number(struct vc_qparse *p, double *v);

/* A window after blanks, last_Nm, last_Nh, last_Nd or last_Nw up to 730
 * hours: returns 1 with its length in *seconds and its unit letter in
 * *unit, or 0 with an error recorded. */
int vc_qlex_window(struct vc_qparse *p, double *seconds, char *unit);
/* A timeshift after blanks, Nm_ago, Nh_ago, Nd_ago or Nw_ago: returns 1
 * with *seconds, or 0 with an error recorded. */
int vc_qlex_timeshift(struct vc_qparse *p, double *seconds);

/* ---- the parts of a query ------------------------------------------- */

/* After "space_aggr:" (query_series.c): metric{filter} [by {keys}]
 * [.method()...], appended to p->q->series.  Returns the SERIES node
 * (owned by the caller) or NULL when nothing was appended. */
struct vc_expr *vc_qseries_parse(struct vc_qparse *p, enum vc_agg space, size_t col);

/* The arithmetic between ':' and the comparator (query_expr.c); returns
 * the tree (owned by the caller, free with vc_qexpr_free), possibly
 * partial when p->failed. */
struct vc_expr *vc_qexpr_parse(struct vc_qparse *p);
void vc_qexpr_free(struct vc_expr *e);

#endif
