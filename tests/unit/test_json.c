/*
 * The scanner against libjq: on every line of a corpus of valid, invalid
 * and mutated JSON, whatever jq 1.6 rejects the scanner rejects, and
 * whatever the scanner accepts jq reads as the same value.  The scanner
 * may refuse more than jq, but only for the leniencies json.h lists.
 */
#include <jv.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "json_skip.h"
#include "tap.h"

/* Builds a jv from a checked span: the scanner's reading of the value. */
static jv
to_jv(struct vc_json_span v)
{
	struct vc_json_iter it;
	struct vc_json_span k, e;
	struct vc_buf s = VC_BUF_INIT;
	jv out;

	switch (v.type) {
	case VC_JSON_NULL:
		return jv_null();
	case VC_JSON_TRUE:
		return jv_true();
	case VC_JSON_FALSE:
		return jv_false();
	case VC_JSON_NUMBER:
		return jv_number(vc_json_number(v));
	case VC_JSON_STRING:
		vc_json_string(v, &s);
		out = jv_string_sized(s.p, (int)s.len);
		vc_buf_free(&s);
		return out;
	case VC_JSON_ARRAY:
		out = jv_array();
		vc_json_iter_init(v, &it);
		while (vc_json_array_next(&it, &e))
			out = jv_array_append(out, to_jv(e));
		return out;
	case VC_JSON_OBJECT:
		out = jv_object();
		vc_json_iter_init(v, &it);
		while (vc_json_object_next(&it, &k, &e)) {
			vc_json_string(k, &s);
			out = jv_object_set(out, jv_string_sized(s.p, (int)s.len), to_jv(e));
		}
		vc_buf_free(&s);
		return out;
	default:
		return jv_invalid();
	}
}

/* Reasons the scanner may give for a line that jq nonetheless accepts. */
static int
is_documented_leniency(const char *why)
{
	static const char *const ok[] = {
		"invalid number",
		"invalid literal",
		"unexpected character",
		"invalid UTF-8",
		"control character in string",
		"NUL byte in string",
		"unpaired surrogate in \\u escape",
		"nesting deeper than 256",
	};
	size_t i;

	for (i = 0; i < sizeof ok / sizeof ok[0]; i++)
		if (strcmp(why, ok[i]) == 0)
			return 1;
	return 0;
}

static int checked, disagreements;

/* Compares scanner and jq on one input; reports only disagreements. */
static void
differ(const char *s, size_t n, const char *label)
{
	struct vc_json_span root;
	const char *why = NULL;
	size_t off;
	int ours = vc_json_check(s, n, &root, &why, &off) == 0;
	jv theirs = jv_parse_sized(s, (int)n);
	int jq_ok = jv_is_valid(theirs);

	checked++;
	if (ours && !jq_ok) {
		disagreements++;
		tap_ok(0, "%s: scanner accepts what jq rejects: %.*s", label,
		       (int)(n > 80 ? 80 : n), s);
	} else if (ours && jq_ok) {
		jv mine = to_jv(root);

		/* jv_equal consumes both. */
		if (!jv_equal(mine, jv_copy(theirs))) {
			disagreements++;
			tap_ok(0, "%s: values differ: %.*s", label, (int)(n > 80 ? 80 : n), s);
		}
	} else if (!ours && jq_ok && !is_documented_leniency(why)) {
		disagreements++;
		tap_ok(0, "%s: scanner rejects (%s) what jq accepts: %.*s", label, why,
		       (int)(n > 80 ? 80 : n), s);
	}
	jv_free(theirs);
}

static const char *const corpus[] = {
	"{}",
	"[]",
	"{\"a\":1}",
	"{\"a\":[1,2,{\"b\":null}],\"c\":\"x\"}",
	"  {\"ts\": 1764150000, \"metric\": \"m\", \"value\": 0.93, \"tags\": {\"s\": \"s-42\"}}  ",
	"0",
	"-0",
	"1.5e10",
	"1E-3",
	"-12.25e+2",
	"1e400",
	"-1e400",
	"123456789012345678901234567890",
	"0.1",
	"5e-324",
	"1.7976931348623157e308",
	"\"\\u00e9\\ud83d\\ude00\\n\\t\\\\\\/\\\"\"",
	"\"caf\xc3\xa9\"",
	"\"\xf0\x9f\x98\x80\"",
	"true",
	"false",
	"null",
	"[true,false,null]",
	"{\"a\":{\"a\":{\"a\":{}}}}",
	"{\"k\":1,\"k\":2}",
	/* invalid */
	"",
	" ",
	"{",
	"}",
	"[",
	"]",
	"{\"a\"}",
	"{\"a\":}",
	"{\"a\" 1}",
	"{a:1}",
	"{'a':1}",
	"[1,]",
	"[,1]",
	"{\"a\":1,}",
	"[1 2]",
	"{}{}",
	"{} x",
	"tru",
	"nul",
	"falsey",
	"01",
	".5",
	"+1",
	"1.",
	"1e",
	"1e+",
	"-",
	"--1",
	"0x10",
	"NaN",
	"nan",
	"Infinity",
	"-Infinity",
	"\"abc",
	"\"\\x\"",
	"\"\\u12\"",
	"\"\\ud800\"",
	"\"\\udc00\"",
	"\"\\ud800\\u0041\"",
	"\"a\tb\"",
	"\"\x01\"",
	"\"\xff\"",
	"\"\xc0\x80\"",
	"\"\xed\xa0\x80\"",
	"\"\xf4\x90\x80\x80\"",
	"\"\xe2\x82\"",
	"[1]]",
	"{\"a\":1}}",
	"\"\\u0000\"",
	"[\"a\",]",
	"{\"a\":[}",
	"{\"a\":1 \"b\":2}",
	"\v1",
	"\f{}",
	"1 2",
	"[1,2,3",
	"{\"a\":\"b\"",
	"[[[]]",
	"truefalse",
	"[1e5,2E-5,3.0]",
};

static void
test_corpus(void)
{
	size_t i;
	int before = disagreements;

	for (i = 0; i < sizeof corpus / sizeof corpus[0]; i++)
		differ(corpus[i], strlen(corpus[i]), "corpus");
	tap_ok(disagreements == before, "hand corpus agrees with jq (%zu lines)",
	       sizeof corpus / sizeof corpus[0]);
}

static void
test_nul_inside(void)
{
	static const char line[] = "{\"a\":\"x\0y\"}";
	struct vc_json_span root;
	const char *why;
	size_t off;

	tap_ok(vc_json_check(line, sizeof line - 1, &root, &why, &off) < 0 &&
		       strcmp(why, "NUL byte in string") == 0,
	       "a raw NUL in a string is refused");
	differ(line, sizeof line - 1, "nul");
	differ("{\"a\":1}\0", 8, "nul-after");
}

static void
test_depth(void)
{
	char deep[1200];
	int d;
	int before = disagreements;

	for (d = 250; d <= 260; d++) {
		memset(deep, '[', (size_t)d);
		memset(deep + d, ']', (size_t)d);
		differ(deep, (size_t)d * 2, "depth");
	}
	/* jq stacks an open object's key too: 128 nested objects pass,
	 * 129 do not, and arrays inside an object get one level fewer. */
	for (d = 125; d <= 132; d++) {
		size_t n = 0;
		int i;

		for (i = 0; i < d; i++)
			n += (size_t)sprintf(deep + n, "{\"a\":");
		deep[n++] = '1';
		memset(deep + n, '}', (size_t)d);
		differ(deep, n + (size_t)d, "object depth");
	}
	for (d = 252; d <= 257; d++) {
		memcpy(deep, "{\"a\":", 5);
		memset(deep + 5, '[', (size_t)d);
		memset(deep + 5 + d, ']', (size_t)d);
		deep[5 + 2 * d] = '}';
		differ(deep, 6 + (size_t)d * 2, "arrays in an object");
	}
	memset(deep, '[', 256);
	memset(deep + 256, ']', 256);
	{
		struct vc_json_span root;
		const char *why;
		size_t off;

		tap_ok(vc_json_check(deep, 512, &root, &why, &off) == 0,
		       "256 levels of nesting are accepted");
		memcpy(deep, "{\"a\":", 5);
		memset(deep + 5, '[', 254);
		memset(deep + 5 + 254, ']', 254);
		deep[5 + 508] = '}';
		tap_ok(vc_json_check(deep, 514, &root, &why, &off) == 0,
		       "254 arrays in an object are accepted, as jq accepts them");
		memset(deep + 5, '[', 255);
		memset(deep + 5 + 255, ']', 255);
		deep[5 + 510] = '}';
		tap_ok(vc_json_check(deep, 516, &root, &why, &off) < 0 &&
			       strcmp(why, "nesting deeper than 256") == 0,
		       "255 arrays in an object are refused, as jq refuses them");
		tap_ok(vc_json_check("[[[[[[[[[[", 10, &root, &why, &off) < 0,
		       "unterminated nesting is refused");
	}
	tap_ok(disagreements == before, "nesting limits agree with jq");
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t
next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Mutates valid lines byte by byte: flips, deletions, insertions of the
 * characters that matter to a JSON scanner. */
static void
test_mutations(void)
{
	static const char alphabet[] =
		"{}[]\",:\\/-+.eE0123456789tfnulrsaU \t\r\n\x01\x7f\x80\xc3\xa9\xed\xf4";
	char line[256];
	int round, before = disagreements;
	size_t i;

	for (round = 0; round < 60000; round++) {
		const char *seed = corpus[next_rand() % 26];
		size_t n = strlen(seed);
		int edits = 1 + (int)(next_rand() % 3), e;

		if (n >= sizeof line - 8)
			continue;
		memcpy(line, seed, n);
		for (e = 0; e < edits; e++) {
			size_t at = n ? next_rand() % (n + 1) : 0;
			char c = alphabet[next_rand() % (sizeof alphabet - 1)];

			switch (next_rand() % 3) {
			case 0:
				if (at < n)
					line[at] = c;
				break;
			case 1:
				if (at < n) {
					memmove(line + at, line + at + 1, n - at - 1);
					n--;
				}
				break;
			default:
				if (n < sizeof line - 8) {
					memmove(line + at + 1, line + at, n - at);
					line[at] = c;
					n++;
				}
			}
		}
		differ(line, n, "mutation");
	}
	for (i = 0; i < 2000; i++) {
		size_t n = next_rand() % 40, j;

		for (j = 0; j < n; j++)
			line[j] = (char)(next_rand() & 0xff);
		differ(line, n, "random");
	}
	tap_ok(disagreements == before, "60000 mutated and 2000 random lines agree with jq");
}

/* vc_json_span_at on each value as the first element of an array: the
 * span must be the value's bytes exactly, whatever the strings hold
 * (runs of backslashes before a quote, brackets, at every offset). */
static void
test_span_at(void)
{
	static const char *const values[] = {
		"\"\"",
		"\"a\\\\\"",           /* ends in an escaped backslash */
		"\"a\\\"b\\\\\\\"c\"", /* an escaped quote after even and odd runs */
		"\"}]\\u0022[{\"",
		"{\"k\\\"}\":[\"]\",{}],\"\":\"\\\\\"}",
		"[[],[[\"[\"]],{\"a\":{}}]",
		"-12.5e+3",
		"0",
		"true",
		"false",
		"null",
		NULL,
	};
	static const enum vc_json_type types[] = {
		VC_JSON_STRING, VC_JSON_STRING, VC_JSON_STRING, VC_JSON_STRING,
		VC_JSON_OBJECT, VC_JSON_ARRAY,  VC_JSON_NUMBER, VC_JSON_NUMBER,
		VC_JSON_TRUE,   VC_JSON_FALSE,  VC_JSON_NULL,
	};
	char line[256], pad[40];
	struct vc_json_span root, v;
	const char *why, *end;
	size_t off, k, n, len;
	int bad = 0, tried = 0;

	for (k = 0; values[k]; k++)
		for (n = 0; n < 24; n++) {
			/* The same value at every offset of a word: pad a string before it. */
			memset(pad, 'x', n);
			pad[n] = '\0';
			len = (size_t)snprintf(line, sizeof line, "[\"%s\",%s ,0]", pad, values[k]);
			if (vc_json_check(line, len, &root, &why, &off) != 0) {
				tap_ok(0, "span_at line checks: %s (%s)", line, why);
				return;
			}
			end = vc_json_span_at(line + 1, &v); /* the pad string */
			end = vc_json_span_at(end + 1, &v);
			tried++;
			if (v.len != strlen(values[k]) || memcmp(v.p, values[k], v.len) != 0 ||
			    v.type != types[k] || end != v.p + v.len || *end != ' ') {
				tap_ok(0, "span of %s after %zu bytes: got %.*s", values[k], n,
				       (int)v.len, v.p);
				bad++;
			}
		}
	tap_ok(bad == 0, "vc_json_span_at finds %d values exactly, strings at every offset", tried);
}

/* vc_json_number against strtod on s, bit for bit (its fast path for
 * short decimals must give strtod's double, the rounding included). */
static int
number_same(const char *s)
{
	struct vc_json_span v = {s, strlen(s), VC_JSON_NUMBER};
	double a = vc_json_number(v), b = strtod(s, NULL);

	return memcmp(&a, &b, sizeof a) == 0;
}

static void
test_numbers(void)
{
	static const char *const fixed[] = {
		"0",
		"-0",
		"0.0",
		"-0.0",
		"1",
		"0.1",
		"0.7",
		"1764150000.123",
		"1764150000.999",
		"123456789012345",
		"1234567890123456",
		"12345678901234567890",
		"0.000000000000001",
		"0.0000000000000001",
		"9007199254740993",
		"1e3",
		"1.5E-7",
		"-2.5e+300",
		"1e999",
		"-123.456",
		"99999999999999.9",
		"0.30000000000000004",
		NULL,
	};
	char s[64];
	int k, bad = 0;

	for (k = 0; fixed[k]; k++)
		tap_ok(number_same(fixed[k]), "number %s as strtod reads it", fixed[k]);
	/* Random decimals of up to 17 digits, with and without a fraction. */
	srand(5);
	for (k = 0; k < 200000; k++) {
		int digits = 1 + rand() % 17, point = rand() % (digits + 1), i, n = 0;

		if (rand() % 4 == 0)
			s[n++] = '-';
		for (i = 0; i < digits; i++) {
			if (i == point && i > 0)
				s[n++] = '.';
			s[n++] =
				(char)('0' + (i == 0 && point != 1 ? 1 + rand() % 9 : rand() % 10));
		}
		s[n] = '\0';
		if (!number_same(s) && bad++ < 5)
			tap_ok(0, "number %s as strtod reads it", s);
	}
	tap_ok(bad == 0, "200000 random decimals as strtod reads them (%d differ)", bad);
}

static void
test_walkers(void)
{
	static const char line[] =
		"{\"a\":{\"b\":[10,20,{\"c\":\"x\\u00e9\"}]},\"a\\u0062\":5,\"d\":1,\"d\":2}";
	struct vc_json_span root, v, w;
	struct vc_buf s = VC_BUF_INIT;
	const char *why;
	size_t off;

	tap_ok(vc_json_check(line, sizeof line - 1, &root, &why, &off) == 0, "walker line checks");
	tap_ok(vc_json_member(root, "a", &v) && v.type == VC_JSON_OBJECT, "member a");
	tap_ok(vc_json_member(v, "b", &v) && v.type == VC_JSON_ARRAY, "member a.b");
	tap_ok(vc_json_index(v, 1, &w) && vc_json_number(w) == 20, "index 1");
	tap_ok(vc_json_index(v, -1, &w) && w.type == VC_JSON_OBJECT, "index -1");
	tap_ok(!vc_json_index(v, 3, &w) && !vc_json_index(v, -4, &w), "index out of range");
	tap_ok(vc_json_member(w, "c", &w), "member c");
	vc_json_string(w, &s);
	tap_is_str(s.p, "x\xc3\xa9", "escaped string decodes");
	tap_ok(vc_json_member(root, "ab", &v) && vc_json_number(v) == 5,
	       "an escaped key matches its decoded name");
	tap_ok(vc_json_member(root, "d", &v) && vc_json_number(v) == 2,
	       "the last of repeated keys wins, as in jq");
	tap_ok(!vc_json_member(root, "zz", &v), "absent member");
	tap_ok(vc_json_bom("\xEF\xBB\xBF{}", 5) == 3 && vc_json_bom("{}", 2) == 0 &&
		       vc_json_bom("\xEF\xBB", 2) == 0 && vc_json_bom("\xEF\xBB\xBE", 3) == 0,
	       "a byte order mark is its three bytes, whole, at the start");
	vc_buf_free(&s);
}

int
main(void)
{
	test_corpus();
	test_nul_inside();
	test_depth();
	test_mutations();
	test_walkers();
	test_span_at();
	test_numbers();
	tap_ok(checked > 60000, "compared %d inputs, %d disagreements", checked, disagreements);
	return tap_done();
}
