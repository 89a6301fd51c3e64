/* Unit tests of lib/query_lex.c: the query parser's tokens, read one at a
 * time from a cursor, where they end, and the error each fault records. */
#include <string.h>

#include "query_priv.h"
#include "tap.h"

/* A cursor at the start of text, errors into *err. */
static struct vc_qparse
at(const char *text, struct vc_query_error *err)
{
	struct vc_qparse p;

	memset(&p, 0, sizeof p);
	memset(err, 0, sizeof *err);
	p.s = text;
	p.err = err;
	return p;
}

/* Reads a number from text: checks the value and where the cursor ends,
 * or, with want_end 0, that there is none (and whether an error says
 * why: why NULL for a mere absence). */
static void
number_is(const char *text, double want, size_t want_end, const char *why)
{
	struct vc_query_error err;
	struct vc_qparse p = at(text, &err);
	double v = -1;
	int got = vc_qlex_number(&p, &v);

	if (want_end) {
		tap_ok(got && v == want && p.i == want_end && !p.failed,
		       "number '%s' is %g, ends at %zu (got %d, %g, %zu)", text, want, want_end,
		       got, v, p.i);
		return;
	}
	tap_ok(!got, "no number in '%s'", text);
	if (why)
		tap_ok(p.failed && strstr(err.why, why) && err.col == 0,
		       "  error at 0 says '%s' (got '%s' at %zu)", why, err.why, err.col);
	else
		tap_ok(!p.failed && p.i == 0, "  and no error, cursor unmoved");
}

static void
test_numbers(void)
{
	char longnum[80];

	number_is("0.3 ", 0.3, 3, NULL);
	number_is("  42)", 42, 4, NULL);
	number_is("-1.5e3", -1500, 6, NULL);
	number_is("2E+2x", 200, 4, NULL);
	number_is("7e", 7, 1, NULL); /* "e" without digits is not part of it */
	number_is("7.", 7, 1, NULL); /* nor a dot without digits */
	number_is("1.2.3", 1.2, 3, NULL);
	number_is(".3", 0, 0, "leading zero");
	number_is("-", 0, 0, NULL);
	number_is("abc", 0, 0, NULL);
	number_is("1e400", 0, 0, "out of range");
	memset(longnum, '9', sizeof longnum - 1);
	longnum[sizeof longnum - 1] = '\0';
	number_is(longnum, 0, 0, "too long");
}

static void
test_integers_and_idents(void)
{
	struct vc_query_error err;
	struct vc_qparse p;
	size_t start = 99, n;

	p = at("123abc", &err);
	tap_is_num((double)vc_qlex_integer(&p), 123, "integer 123");
	tap_is_num((double)p.i, 3, "  stops at the letter");
	p = at("x1", &err);
	tap_is_num((double)vc_qlex_integer(&p), -1, "no integer before a letter");
	p = at("9999999999", &err);
	tap_is_num((double)vc_qlex_integer(&p), -1, "an integer past 10^9 is none");

	p = at("  _ab9_c:d", &err);
	n = vc_qlex_ident(&p, &start);
	tap_ok(n == 6 && start == 2 && p.i == 8, "identifier after blanks (n %zu at %zu)", n,
	       start);
	p = at(" 9a", &err);
	n = vc_qlex_ident(&p, &start);
	tap_ok(n == 0 && start == 1, "no identifier starts with a digit");
	tap_ok(vc_qlex_word_is("avg", 3, "avg") && !vc_qlex_word_is("avg", 2, "avg") &&
		       !vc_qlex_word_is("avgx", 4, "avg"),
	       "word_is wants the whole word");
}

static void
test_aggregations(void)
{
	static const char *const words[] = {"avg", "sum", "min", "max"};
	enum vc_agg a = VC_AGG_COUNT;
	size_t k;

	for (k = 0; k < 4; k++)
		tap_ok(vc_qlex_agg(words[k], 3, &a) && (size_t)a == k &&
			       !strcmp(vc_agg_name(a), words[k]),
		       "aggregation %s", words[k]);
	tap_ok(!vc_qlex_agg("count", 5, &a), "count is no space or time aggregation");
	tap_ok(!vc_qlex_agg("av", 2, &a), "nor is a prefix");
}

static void
test_punctuation(void)
{
	struct vc_query_error err;
	struct vc_qparse p;

	p = at(" \t\r\n(x", &err);
	tap_is_num(vc_qlex_peek(&p), '(', "peek skips space, tab, CR, LF");
	tap_ok(vc_qlex_accept(&p, '(') && p.i == 5, "accept consumes it");
	tap_ok(!vc_qlex_accept(&p, ')') && p.i == 5, "accept leaves another byte");
	p = at("\v(", &err);
	tap_is_num(vc_qlex_peek(&p), '\v', "vertical tab is not a blank of the query");

	p = at("avg x", &err);
	p.i = 3;
	vc_qlex_expect(&p, '(', "after the time aggregation");
	tap_ok(p.failed && err.col == 4 &&
		       !strcmp(err.why, "expected '(' after the time aggregation, found 'x'"),
	       "expect names what it found, at its column ('%s' at %zu)", err.why, err.col);
	vc_qlex_expect(&p, ')', "later");
	vc_qlex_fail(&p, 0, 1, "a consequence");
	tap_ok(err.col == 4 && !err.unsupported && strstr(err.why, "found 'x'"),
	       "only the first error is kept");
	p = at("avg", &err);
	p.i = 3;
	vc_qlex_expect(&p, '(', "after it");
	tap_ok(p.failed && err.col == 3 && strstr(err.why, "found end of query"),
	       "expect at the end says so");
}

/* Reads a window from text: its seconds and unit, or the error. */
static void
window_is(const char *text, double want, char unit, size_t col, const char *why, int unsupported)
{
	struct vc_query_error err;
	struct vc_qparse p = at(text, &err);
	double secs = 0;
	char u = 0;
	int got = vc_qlex_window(&p, &secs, &u);

	if (why == NULL) {
		tap_ok(got && secs == want && u == unit && p.i == strlen(text),
		       "window '%s' is %gs in '%c'", text, want, unit);
		return;
	}
	tap_ok(!got && p.failed && err.col == col && strstr(err.why, why) &&
		       err.unsupported == unsupported,
	       "window '%s' refused at %zu: '%s' (got '%s' at %zu)", text, col, why, err.why,
	       err.col);
}

static void
test_windows(void)
{
	struct vc_query_error err;
	struct vc_qparse p;
	double secs = 0;

	window_is("last_5m", 300, 'm', 0, NULL, 0);
	window_is(" last_2h", 7200, 'h', 0, NULL, 0);
	window_is("last_1d", 86400, 'd', 0, NULL, 0);
	window_is("last_4w", 4 * 7 * 86400, 'w', 0, NULL, 0);
	window_is("last_730h", 730 * 3600, 'h', 0, NULL, 0);
	window_is("last_731h", 0, 0, 0, "longer than 730 hours", 0);
	window_is("last_0m", 0, 0, 0, "expected a window", 0);
	window_is("last_5mo", 0, 0, 0, "expected a window", 0);
	window_is("last_5s", 0, 0, 0, "expected a window", 0);
	window_is("  current_1d)", 0, 0, 2, "cumulative window 'current_1d'", 1);

	p = at("1h_ago)", &err);
	tap_ok(vc_qlex_timeshift(&p, &secs) && secs == 3600 && p.i == 6, "timeshift 1h_ago");
	p = at("2w_ago", &err);
	tap_ok(vc_qlex_timeshift(&p, &secs) && secs == 14 * 86400, "timeshift 2w_ago");
	p = at("1h_agox", &err);
	tap_ok(!vc_qlex_timeshift(&p, &secs) && strstr(err.why, "expected a timeshift"),
	       "timeshift must end after _ago");
	p = at("1h", &err);
	tap_ok(!vc_qlex_timeshift(&p, &secs) && p.failed, "timeshift needs _ago");
}

int
main(void)
{
	test_numbers();
	test_integers_and_idents();
	test_aggregations();
	test_punctuation();
	test_windows();
	return tap_done();
}
