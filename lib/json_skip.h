/*
 * json_skip.h — the one skipper over checked JSON: where a value that
 * starts at p ends, in bytes that passed vc_json_check (json.h).
 *
 * json.c's iterators walk with it, and so does point.c, which reads a
 * metric point's members in one pass of its own on vc-eval-rules' hot
 * path.  It is inline, in a header, because that pass calls it for every
 * member of every point.  Measured on make bench's 1,000,000 points, CPU
 * seconds of vc-eval-rules reading only (no monitor matches), medians of
 * 7 pinned runs: point.c's own eight-bytes-at-a-time skipper 0.284-0.290;
 * this one called out of line in json.c 0.295; this one inline 0.283-0.288.
 * The eight-byte skipper shared the same ways was slower (0.33 out of
 * line and inline alike), so strings are skipped with strchr and a count
 * of the backslashes before the quote it finds.
 */
#ifndef VC_JSON_SKIP_H
#define VC_JSON_SKIP_H

#include <string.h>

#include "json.h"

/* The type of the value whose first byte is ch. */
static inline enum vc_json_type
vc_json_type_at(unsigned char ch)
{
	switch (ch) {
	case '{':
		return VC_JSON_OBJECT;
	case '[':
		return VC_JSON_ARRAY;
	case '"':
		return VC_JSON_STRING;
	case 't':
		return VC_JSON_TRUE;
	case 'f':
		return VC_JSON_FALSE;
	case 'n':
		return VC_JSON_NULL;
	default:
		return VC_JSON_NUMBER;
	}
}

/* Past the string whose opening quote is at p.  Checked input has no raw
 * NUL before the closing quote, which is the first '"' after an even run
 * of backslashes. */
static inline const char *
vc_json_skip_string(const char *p)
{
	for (p++;;) {
		const char *q = strchr(p, '"'), *b = q;

		while (b > p && b[-1] == '\\')
			b--;
		if (((q - b) & 1) == 0)
			return q + 1;
		p = q + 1;
	}
}

/* Past the value that starts at p. */
static inline const char *
vc_json_skip_value(const char *p)
{
	int depth = 0;

	switch (*p) {
	case '"':
		return vc_json_skip_string(p);
	case 't':
	case 'n':
		return p + 4;
	case 'f':
		return p + 5;
	case '{':
	case '[':
		break;
	default:
		while (*p == '-' || *p == '+' || *p == '.' || *p == 'e' || *p == 'E' ||
		       (*p >= '0' && *p <= '9'))
			p++;
		return p;
	}
	for (;;) {
		switch (*p) {
		case '"':
			p = vc_json_skip_string(p);
			continue;
		case '{':
		case '[':
			depth++;
			break;
		case '}':
		case ']':
			if (--depth == 0)
				return p + 1;
			break;
		}
		p++;
	}
}

/* The value that starts at p (no blank before it): fills *v and returns
 * the byte just past it. */
static inline const char *
vc_json_span_at(const char *p, struct vc_json_span *v)
{
	const char *e = vc_json_skip_value(p);

	v->p = p;
	v->len = (size_t)(e - p);
	v->type = vc_json_type_at((unsigned char)*p);
	return e;
}

#endif
