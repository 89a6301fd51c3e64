/*
 * query_lex.c — the query parser's lexer (query_priv.h): the cursor over
 * the query text, errors at a column, and the tokens the grammar is made
 * of — punctuation, identifiers, integers, numbers, windows (last_5m)
 * and timeshifts (1h_ago).  No grammar here: query.c, query_series.c,
 * query_expr.c and filter.c say what comes in which order.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query_priv.h"

void
vc_qlex_fail(struct vc_qparse *p, size_t col, int unsupported, const char *fmt, ...)
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

void
vc_qlex_skip_ws(struct vc_qparse *p)
{
	while (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' || p->s[p->i] == '\r')
		p->i++;
}

int
vc_qlex_peek(struct vc_qparse *p)
{
	vc_qlex_skip_ws(p);
	return (unsigned char)p->s[p->i];
}

int
vc_qlex_accept(struct vc_qparse *p, char c)
{
	if (vc_qlex_peek(p) != c)
		return 0;
	p->i++;
	return 1;
}

void
vc_qlex_expect(struct vc_qparse *p, char c, const char *what)
{
	if (p->failed)
		return;
	if (!vc_qlex_accept(p, c)) {
		if (p->s[p->i] == '\0')
			vc_qlex_fail(p, p->i, 0, "expected '%c' %s, found end of query", c, what);
		else
			vc_qlex_fail(p, p->i, 0, "expected '%c' %s, found '%c'", c, what,
				     p->s[p->i]);
	}
}

int
vc_qlex_is_ident_char(int c)
{
	return isalnum(c) || c == '_';
}

size_t
vc_qlex_ident(struct vc_qparse *p, size_t *start)
{
	size_t n = 0;

	vc_qlex_skip_ws(p);
	*start = p->i;
	if (!isalpha((unsigned char)p->s[p->i]) && p->s[p->i] != '_')
		return 0;
	while (vc_qlex_is_ident_char((unsigned char)p->s[p->i + n]))
		n++;
	p->i += n;
	return n;
}

int
vc_qlex_word_is(const char *s, size_t n, const char *w)
{
	return strlen(w) == n && memcmp(s, w, n) == 0;
}

int
vc_qlex_agg(const char *s, size_t n, enum vc_agg *a)
{
	static const enum vc_agg aggs[] = {VC_AGG_AVG, VC_AGG_SUM, VC_AGG_MIN, VC_AGG_MAX};
	size_t k;

	for (k = 0; k < sizeof aggs / sizeof aggs[0]; k++)
		if (vc_qlex_word_is(s, n, vc_agg_name(aggs[k]))) {
			*a = aggs[k];
			return 1;
		}
	return 0;
}

long
vc_qlex_integer(struct vc_qparse *p)
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

int
vc_qlex_number(struct vc_qparse *p, double *v)
{
	const char *s;
	size_t at, n = 0;
	char tmp[64];

	vc_qlex_skip_ws(p);
	at = p->i;
	s = p->s + at;
	if (s[0] == '.' && isdigit((unsigned char)s[1])) {
		vc_qlex_fail(p, at, 0, "a number below 1 needs a leading zero (0.3, not .3)");
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
		vc_qlex_fail(p, at, 0, "number too long");
		return 0;
	}
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	errno = 0;
	*v = strtod(tmp, NULL);
	if (errno == ERANGE || !isfinite(*v)) {
		vc_qlex_fail(p, at, 0, "number out of range");
		return 0;
	}
	p->i = at + n;
	return 1;
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

int
vc_qlex_window(struct vc_qparse *p, double *seconds, char *unit)
{
	size_t at;

	vc_qlex_skip_ws(p);
	at = p->i;
	if (strncmp(p->s + p->i, "current_", 8) == 0) {
		vc_qlex_fail(p, at, 1, "cumulative window '%.*s' is not supported",
			     (int)strcspn(p->s + at, ")"), p->s + at);
		return 0;
	}
	if (strncmp(p->s + p->i, "last_", 5) == 0) {
		long n;
		char u;

		p->i += 5;
		n = vc_qlex_integer(p);
		u = p->s[p->i];
		if (n > 0 && unit_seconds(u) > 0 &&
		    !vc_qlex_is_ident_char((unsigned char)p->s[p->i + 1])) {
			p->i++;
			*seconds = (double)n * unit_seconds(u);
			*unit = u;
			if (*seconds <= 730.0 * 3600)
				return 1;
			vc_qlex_fail(p, at, 0, "window '%.*s' is longer than 730 hours",
				     (int)(p->i - at), p->s + at);
			return 0;
		}
	}
	vc_qlex_fail(p, at, 0, "expected a window like last_5m, last_1h, last_1d or last_1w");
	return 0;
}

int
vc_qlex_timeshift(struct vc_qparse *p, double *seconds)
{
	size_t at;
	long n;
	char u;

	vc_qlex_skip_ws(p);
	at = p->i;
	n = vc_qlex_integer(p);
	u = p->s[p->i];
	if (n > 0 && unit_seconds(u) > 0 && strncmp(p->s + p->i + 1, "_ago", 4) == 0 &&
	    !vc_qlex_is_ident_char((unsigned char)p->s[p->i + 5])) {
		p->i += 5;
		*seconds = (double)n * unit_seconds(u);
		return 1;
	}
	vc_qlex_fail(p, at, 0, "expected a timeshift like 5m_ago, 1h_ago or 1d_ago");
	return 0;
}
