/* buf.h, vtime.h and field.h: the small pieces every tool leans on. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "field.h"
#include "json.h"
#include "jsonl.h"
#include "vtime.h"
#include "xalloc.h"
#include "tap.h"

static void
test_buf_json(void)
{
	struct vc_buf b = VC_BUF_INIT;

	vc_buf_add_json_string(&b, "a\"b\\c\n\x01\x7f\xc3\xa9", 10);
	tap_is_str(b.p, "\"a\\\"b\\\\c\\n\\u0001\\u007f\xc3\xa9\"",
		   "strings are escaped as jq does");
	vc_buf_reset(&b);
	/* A file name need not be UTF-8; the JSON line must be. */
	vc_buf_add_json_string(&b,
			       "a\xff"
			       "b\xc3\xa9\xed\xa0\x80\xf0\x9f\x98\x80\xe2\x82",
			       14);
	tap_is_str(b.p,
		   "\"a\xef\xbf\xbd"
		   "b\xc3\xa9\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
		   "\xf0\x9f\x98\x80\xef\xbf\xbd\xef\xbf\xbd\"",
		   "bytes that are no UTF-8 become U+FFFD, one per byte; valid UTF-8 is kept");
	{
		struct vc_json_span root;
		const char *why;
		size_t off;

		tap_ok(vc_json_check(b.p, b.len, &root, &why, &off) == 0,
		       "and the string passes the strict scanner");
	}
	vc_buf_reset(&b);
	vc_buf_add_json_number(&b, 0.93);
	vc_buf_addc(&b, ' ');
	vc_buf_add_json_number(&b, 1764150000);
	vc_buf_addc(&b, ' ');
	vc_buf_add_json_number(&b, 0.1 + 0.2);
	vc_buf_addc(&b, ' ');
	vc_buf_add_json_number(&b, -2.5e-7);
	vc_buf_addc(&b, ' ');
	vc_buf_add_json_number(&b, NAN);
	tap_is_str(b.p, "0.93 1764150000 0.30000000000000004 -2.5e-07 null",
		   "numbers are the shortest that read back");
	vc_buf_free(&b);
}

static double
parse_time(const char *s)
{
	double ts = -1;

	if (vc_time_parse(s, strlen(s), &ts) < 0)
		return -1;
	return ts;
}

static void
test_time(void)
{
	struct vc_json_span root, v;
	const char *why;
	size_t off;
	double ts;
	static const char line[] =
		"{\"a\":\"2025-11-26T10:40:00.5+01:00\",\"b\":1764150000.25,\"c\":true}";

	tap_is_num(parse_time("1970-01-01T00:00:00Z"), 0, "epoch");
	tap_is_num(parse_time("2025-11-26T09:40:00Z"), 1764150000, "RFC 3339 UTC");
	tap_is_num(parse_time("2025-11-26T10:40:00+01:00"), 1764150000, "RFC 3339 offset");
	tap_is_num(parse_time("2025-11-26t09:40:00.250z"), 1764150000.25,
		   "lower case and fraction");
	tap_is_num(parse_time("2024-02-29T00:00:00Z"), 1709164800, "leap day");
	tap_is_num(parse_time("2023-02-29T00:00:00Z"), -1, "no Feb 29 in 2023");
	tap_is_num(parse_time("2025-11-26T09:40:00"), -1, "a time without zone is refused");
	tap_is_num(parse_time("1764150000"), 1764150000, "epoch seconds");
	tap_is_num(parse_time("1764150000.5"), 1764150000.5, "fractional epoch seconds");
	tap_is_num(parse_time("yesterday"), -1, "words are refused");
	/* Epoch seconds are a JSON number, as a record's ts is: strtod's
	 * hex, a leading zero and a bare point are not. */
	tap_is_num(parse_time("0x10"), -1, "hex is refused");
	tap_is_num(parse_time("0x1p4"), -1, "hex floats are refused");
	tap_is_num(parse_time("017"), -1, "a leading zero is refused");
	tap_is_num(parse_time("17."), -1, "a bare point is refused");
	tap_is_num(parse_time("1.7e1"), 17, "an exponent, as JSON has it, is taken");
	tap_is_num(parse_time("-5"), -5, "negative epoch seconds are taken");
	tap_is_num(parse_time("5 "), -1, "a blank after the number is refused");
	vc_json_check(line, sizeof line - 1, &root, &why, &off);
	vc_json_member(root, "a", &v);
	tap_ok(vc_time_from_json(v, &ts) == 0 && ts == 1764150000.5, "a JSON string time");
	vc_json_member(root, "b", &v);
	tap_ok(vc_time_from_json(v, &ts) == 0 && ts == 1764150000.25, "a JSON number time");
	vc_json_member(root, "c", &v);
	tap_ok(vc_time_from_json(v, &ts) < 0, "a boolean is no time");
	vc_time_set_now(42);
	tap_is_num(vc_time_now(), 42, "--now fixes the current time");
}

static struct vc_record
record(const char *json)
{
	struct vc_record rec;
	const char *why;
	size_t off;

	memset(&rec, 0, sizeof rec);
	rec.json = json;
	rec.len = strlen(json);
	rec.file = "test";
	rec.line = 1;
	vc_json_check(json, rec.len, &rec.root, &why, &off);
	return rec;
}

/* Evaluates program on json; the value as text, "(absent)" or "(error)". */
static const char *
eval(const char *program, const char *json)
{
	static char out[256];
	struct vc_field *f = vc_field_new("--test", program);
	struct vc_record rec = record(json);
	struct vc_json_span v;
	const char *why;
	int rc = vc_field_eval(f, &rec, &v, &why);

	if (rc == 1)
		snprintf(out, sizeof out, "%.*s", (int)v.len, v.p);
	else
		snprintf(out, sizeof out, rc == 0 ? "(absent)" : "(error)");
	vc_field_free(f);
	return out;
}

static void
test_field(void)
{
	static const char msg[] = "{\"message\":{\"content\":\"hi\"},\"messages\":[{\"content\":"
				  "\"a\"},{\"content\":\"b\"}],\"n\":null,\"s\":\"str\",\"k y\":3}";
	struct vc_field *f;

	f = vc_field_new("--text", ".message.content");
	tap_ok(vc_field_is_native(f), "a plain path runs natively");
	vc_field_free(f);
	f = vc_field_new("--text", ".messages | last | .content");
	tap_ok(!vc_field_is_native(f), "a pipeline goes to libjq");
	vc_field_free(f);

	tap_is_str(eval(".message.content", msg), "\"hi\"", "native .a.b");
	tap_is_str(eval(".messages[-1].content", msg), "\"b\"", "native negative index");
	tap_is_str(eval(".messages[0][\"content\"]", msg), "\"a\"", "native bracket key");
	tap_is_str(eval(".\"k y\"", msg), "3", "native quoted key");
	tap_is_str(eval(".missing.deeper", msg), "(absent)", "absent path");
	tap_is_str(eval(".n", msg), "(absent)", "null is absent");
	tap_is_str(eval(".s.x", msg), "(error)", "indexing a string is an error, as in jq");
	tap_is_str(eval(".", "{\"a\":1}"), "{\"a\":1}", "identity");
	tap_is_str(eval(".messages | map(.content) | join(\"+\")", msg), "\"a+b\"", "a jq program");
	tap_is_str(eval(".s | tonumber", msg), "(error)", "a jq runtime error");
	tap_is_str(eval("empty", msg), "(absent)", "a program that yields nothing");
}

static void
test_xalloc(void)
{
	char *s = vc_xstrndup("abcdef", 3);
	char *empty = vc_xcalloc(0, 0);
	char *grown = vc_xrealloc(NULL, 0);

	tap_is_str(s, "abc", "xstrndup copies n bytes and terminates them");
	tap_ok(empty != NULL && grown != NULL, "a zero size still gets a pointer");
	grown = vc_xrealloc(grown, 4096);
	memset(grown, 'x', 4096);
	tap_ok(grown[4095] == 'x', "xrealloc grows");
	free(s);
	free(empty);
	free(grown);
}

int
main(void)
{
	test_buf_json();
	test_xalloc();
	test_time();
	test_field();
	return tap_done();
}
