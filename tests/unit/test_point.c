/*
 * Unit tests of lib/point.c: the one-pass reading of a point gives what
 * vc_json_member gives member by member (duplicates, escaped keys, many
 * tags, roots that are no object).  Reading its numbers is
 * vc_json_number's (test_json.c).
 */
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "point.h"
#include "tap.h"

/* Whether two spans are the same bytes of the same type (both absent
 * counts as the same). */
static int
same_span(struct vc_json_span a, int found, struct vc_json_span b)
{
	if (!found)
		return b.type == VC_JSON_NONE;
	return a.type == b.type && a.p == b.p && a.len == b.len;
}

/* Checks every member and tag that vc_point_scan reads of line against
 * vc_json_member. */
static void
agrees(const char *line, const char *const *tags)
{
	struct vc_json_span root, v, tv, t;
	struct vc_point pt;
	const char *why;
	size_t off;
	int ok, found, tfound, k;

	if (!tap_ok(vc_json_check(line, strlen(line), &root, &why, &off) == 0, "checks: %s", line))
		return;
	vc_point_scan(root, &pt);
	found = vc_json_member(root, "ts", &v);
	ok = same_span(v, found, pt.ts);
	found = vc_json_member(root, "metric", &v);
	ok = ok && same_span(v, found, pt.metric);
	found = vc_json_member(root, "value", &v);
	ok = ok && same_span(v, found, pt.value);
	found = vc_json_member(root, "tags", &t);
	ok = ok && same_span(t, found, pt.tags);
	for (k = 0; ok && tags[k]; k++) {
		tfound = found && vc_json_member(t, tags[k], &v);
		ok = (vc_point_tag(&pt, tags[k], &tv) == tfound) &&
		     (!tfound || same_span(v, 1, tv));
	}
	tap_ok(ok, "as vc_json_member: %s", line);
}

static void
test_members(void)
{
	static const char *const none[] = {NULL};
	static const char *const st[] = {"session_id", "user_id", "host", "x", "", NULL};
	char many[2048];
	size_t n;
	int k;

	agrees("{\"ts\":1.5,\"metric\":\"m\",\"value\":2,\"tags\":{\"session_id\":\"s-1\"}}", st);
	agrees(" { \"tags\" : { \"session_id\" : \"a\" , \"user_id\" : 7 } , \"value\" : -1e3 , "
	       "\"metric\" : \"m\" } ",
	       st);
	agrees("{\"metric\":\"a\",\"metric\":\"b\",\"value\":1,\"value\":\"x\"}", st);
	agrees("{\"tags\":{\"host\":\"h1\",\"host\":\"h2\"},\"tags\":{\"user_id\":null}}", st);
	agrees("{\"tags\":{\"host\":\"h1\"},\"tags\":[1,2]}", st);
	agrees("{\"tags\":null,\"metric\":\"m\"}", st);
	agrees("{\"\\u0074s\":3,\"m\\u0065tric\":\"m\",\"tags\":{\"ho\\u0073t\":\"h\\\"\",\"host\":"
	       "\"z\",\"\\u0068ost\":[{\"}\":\"]\"}]}}",
	       st);
	agrees("{\"x\":{\"metric\":\"no\",\"a\":[[{}],\"\\\\\"]},\"metric\":\"yes\",\"value\":"
	       "true}",
	       st);
	agrees("{\"tags\":{\"\":\"empty "
	       "key\",\"session_id\":{\"a\":1}},\"ts\":\"2025-01-01T00:00:00Z\"}",
	       st);
	/* Escapes in a key long enough that its first eight bytes hold no
	 * quote. */
	agrees("{\"\\u006d\\u0065\\u0074\\u0072ic\":\"m\",\"tags\":{\"\\u0073ession\\u005fid\":"
	       "\"s\"}}",
	       st);
	agrees("{}", st);
	agrees("{\"tags\":{}}", st);
	/* A root that is no object has no members. */
	agrees("[\"metric\",\"m\",\"value\",1]", none);
	agrees("17", none);
	agrees("\"metric\"", none);
	/* Strings are skipped eight bytes at a time: quotes and backslashes
	 * at every offset of a word, and strings ending near the record's
	 * end. */
	for (k = 0; k < 24; k++) {
		char pad[32], line[512];

		memset(pad, 'x', (size_t)k);
		pad[k] = '\0';
		snprintf(line, sizeof line,
			 "{\"%s\\\"\":1,\"metric\":\"%s\\\\\",\"tags\":{\"host\":\"%s\\\"\\\\"
			 "%s\",\"%s\":\"%s\"},\"value\":\"%s\"}",
			 pad, pad, pad, pad, pad, pad, pad);
		agrees(line, st);
	}
	/* Past VC_POINT_TAGS tags, lookups go to the object itself. */
	n = (size_t)snprintf(many, sizeof many, "{\"metric\":\"m\",\"tags\":{");
	for (k = 0; k < VC_POINT_TAGS + 5; k++)
		n += (size_t)snprintf(many + n, sizeof many - n, "%s\"t%d\":\"v%d\"", k ? "," : "",
				      k % (VC_POINT_TAGS + 2), k);
	snprintf(many + n, sizeof many - n, "}}");
	{
		static const char *const names[] = {"t0", "t1", "t2", "t17", "t16", "t15", NULL};

		agrees(many, names);
	}
}

int
main(void)
{
	test_members();
	return tap_done();
}
