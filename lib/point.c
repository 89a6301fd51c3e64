/*
 * point.c — a metric point's members and tags in one pass (point.h).
 *
 * The walkers trust that their input passed vc_json_check: every string
 * is closed, every container balanced, so they need no end pointer.
 */
#include "point.h"

#include <stdint.h>
#include <string.h>

static enum vc_json_type
type_at(char c)
{
	switch (c) {
	case '"':
		return VC_JSON_STRING;
	case '{':
		return VC_JSON_OBJECT;
	case '[':
		return VC_JSON_ARRAY;
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

static const char *
blank(const char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
		p++;
	return p;
}

/* Whether any byte of w is a quote or a backslash (the classic test for
 * a zero byte, on w with each of them xor-ed away). */
static int
quote_or_backslash(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');

	return (((q - ones) & ~q) | ((b - ones) & ~b)) & highs ? 1 : 0;
}

/* Past the string that opens at p, inside a record that ends at end;
 * *escaped set when it has a backslash.  Eight bytes at a time up to the
 * word that holds the closing quote or a backslash, then byte by byte. */
static const char *
string_end(const char *p, const char *end, int *escaped)
{
	uint64_t w;

	for (p++; end - p >= 8; p += 8) {
		memcpy(&w, p, sizeof w);
		if (quote_or_backslash(w))
			break;
	}
	for (; *p != '"'; p++)
		if (*p == '\\') {
			*escaped = 1;
			p++;
		}
	return p + 1;
}

/* Past the value that starts at p. */
static const char *
value_end(const char *p, const char *end)
{
	int depth = 0, escaped;

	switch (*p) {
	case '"':
		return string_end(p, end, &escaped);
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
			p = string_end(p, end, &escaped);
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

/* A member of a checked object. */
struct member {
	struct vc_json_span key, val;
	int escaped;
};

/* Reads the key and the colon of the member at p; returns the start of
 * its value. */
static const char *
member_key(const char *p, const char *end, struct member *m)
{
	m->escaped = 0;
	m->key.p = p;
	p = string_end(p, end, &m->escaped);
	m->key.len = (size_t)(p - m->key.p);
	m->key.type = VC_JSON_STRING;
	p = blank(p);
	return blank(p + 1); /* the colon */
}

/* Notes the value of m that spans [p, end); returns the next member's
 * key, or the closing brace. */
static const char *
member_value(const char *p, const char *end, struct member *m)
{
	m->val.p = p;
	m->val.len = (size_t)(end - p);
	m->val.type = type_at(*p);
	p = blank(end);
	if (*p == ',')
		p = blank(p + 1);
	return p;
}

static int
key_is(const struct member *m, const char *name, size_t n)
{
	if (m->escaped)
		return vc_json_key_is(m->key, name, n);
	return m->key.len - 2 == n && memcmp(m->key.p + 1, name, n) == 0;
}

/* Lists the members of the tags object at p; returns past it. */
static const char *
list_tags(const char *p, const char *end, struct vc_point *pt)
{
	struct member m;

	pt->ntags = 0;
	pt->tags_listed = 1;
	p = blank(p + 1);
	while (*p != '}') {
		p = member_key(p, end, &m);
		p = member_value(p, value_end(p, end), &m);
		if (pt->ntags == VC_POINT_TAGS) {
			pt->tags_listed = 0;
			continue;
		}
		pt->tag[pt->ntags].key = m.key;
		pt->tag[pt->ntags].value = m.val;
		pt->tag[pt->ntags].escaped = m.escaped;
		pt->ntags++;
	}
	return p + 1;
}

void
vc_point_scan(struct vc_json_span root, struct vc_point *pt)
{
	static const struct vc_json_span none = {NULL, 0, VC_JSON_NONE};
	const char *p, *end = root.p + root.len;
	struct member m;

	pt->ts = pt->metric = pt->value = pt->tags = none;
	pt->ntags = 0;
	pt->tags_listed = 0;
	if (root.type != VC_JSON_OBJECT)
		return;
	p = blank(root.p + 1);
	while (*p != '}') {
		p = member_key(p, end, &m);
		if (key_is(&m, "tags", 4)) {
			if (*p == '{') {
				p = member_value(p, list_tags(p, end, pt), &m);
			} else {
				p = member_value(p, value_end(p, end), &m);
				pt->tags_listed = 0;
			}
			pt->tags = m.val;
			continue;
		}
		p = member_value(p, value_end(p, end), &m);
		if (key_is(&m, "metric", 6))
			pt->metric = m.val;
		else if (key_is(&m, "value", 5))
			pt->value = m.val;
		else if (key_is(&m, "ts", 2))
			pt->ts = m.val;
	}
}

int
vc_point_tag(const struct vc_point *pt, const char *name, struct vc_json_span *val)
{
	size_t n = strlen(name), k;

	if (pt->tags.type != VC_JSON_OBJECT)
		return 0;
	if (!pt->tags_listed)
		return vc_json_member(pt->tags, name, val);
	for (k = pt->ntags; k-- > 0;) {
		const struct vc_point_member *t = &pt->tag[k];
		int same = t->escaped ? vc_json_key_is(t->key, name, n)
				      : t->key.len - 2 == n && memcmp(t->key.p + 1, name, n) == 0;

		if (same) {
			*val = t->value;
			return 1;
		}
	}
	return 0;
}

/* Powers of ten that a double holds exactly. */
static const double exact_pow10[] = {
	1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

double
vc_point_number(struct vc_json_span v)
{
	const char *p = v.p, *end = v.p + v.len;
	unsigned long long mant = 0;
	int digits = 0, frac = -1, neg = 0;
	double d;

	if (p < end && *p == '-') {
		neg = 1;
		p++;
	}
	for (; p < end; p++) {
		if (*p >= '0' && *p <= '9') {
			mant = mant * 10 + (unsigned)(*p - '0');
			digits++;
			if (frac >= 0)
				frac++;
		} else if (*p == '.' && frac < 0) {
			frac = 0;
		} else {
			break;
		}
	}
	/* Both mant and the power of ten are exact, so the one division is
	 * rounded once, to the double nearest the decimal: strtod's answer. */
	if (p != end || digits == 0 || digits > 15)
		return vc_json_number(v);
	d = frac > 0 ? (double)mant / exact_pow10[frac] : (double)mant;
	return neg ? -d : d;
}
