#include "json.h"
#include "json_skip.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * The checker is one loop over the bytes with an explicit stack, so the
 * depth limit is a number, not the C stack.  The walkers after it trust
 * that their input passed the checker and only skip.
 */

enum { IN_ARRAY = 1, IN_OBJECT = 2 };

struct checker {
	const unsigned char *p;
	const unsigned char *start;
	const unsigned char *end;
	const char *why;
};

static int
is_ws(unsigned char c)
{
	return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}

static void
skip_ws(struct checker *c)
{
	while (c->p < c->end && is_ws(*c->p))
		c->p++;
}

static int
fail(struct checker *c, const char *why)
{
	c->why = why;
	return -1;
}

static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Reads the four hex digits after "\u" at p; -1 if they are not hex. */
static long
hex4(const unsigned char *p, const unsigned char *end)
{
	long v = 0;
	int i, h;

	if (end - p < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		if ((h = hexval(p[i])) < 0)
			return -1;
		v = v << 4 | h;
	}
	return v;
}

/* Length of the valid UTF-8 sequence at p (RFC 3629: no overlong forms, no
 * surrogates, nothing past U+10FFFF), or 0 if it is invalid. */
static size_t
utf8_seq(const unsigned char *p, const unsigned char *end)
{
	size_t avail = (size_t)(end - p), need, i;
	unsigned char c = p[0], lo = 0x80, hi = 0xbf;

	if (c >= 0xc2 && c <= 0xdf) {
		need = 2;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 3;
		lo = c == 0xe0 ? 0xa0 : 0x80; /* overlong */
		hi = c == 0xed ? 0x9f : 0xbf; /* surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 4;
		lo = c == 0xf0 ? 0x90 : 0x80; /* overlong */
		hi = c == 0xf4 ? 0x8f : 0xbf; /* past U+10FFFF */
	} else {
		return 0;
	}
	if (avail < need || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < need; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return need;
}

size_t
vc_json_bom(const char *s, size_t n)
{
	return n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
}

size_t
vc_json_utf8_seq(const char *p, size_t avail)
{
	return utf8_seq((const unsigned char *)p, (const unsigned char *)p + avail);
}

/* c->p is at an escape's backslash. */
static int
check_escape(struct checker *c)
{
	long cp, lo;

	switch (c->p[1]) {
	case '"':
	case '\\':
	case '/':
	case 'b':
	case 'f':
	case 'n':
	case 'r':
	case 't':
		c->p += 2;
		return 0;
	case 'u':
		break;
	default:
		return fail(c, "invalid escape in string");
	}
	if ((cp = hex4(c->p + 2, c->end)) < 0)
		return fail(c, "invalid \\u escape in string");
	c->p += 6;
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return fail(c, "unpaired surrogate in \\u escape");
	if (cp < 0xd800 || cp > 0xdbff)
		return 0;
	/* jq rejects a high surrogate without its low half; so do we. */
	if (c->end - c->p < 6 || c->p[0] != '\\' || c->p[1] != 'u' ||
	    (lo = hex4(c->p + 2, c->end)) < 0xdc00 || lo > 0xdfff)
		return fail(c, "unpaired surrogate in \\u escape");
	c->p += 6;
	return 0;
}

/* c->p is at the opening quote. */
static int
check_string(struct checker *c)
{
	size_t n;

	c->p++;
	for (;;) {
		while (c->p < c->end && *c->p >= 0x20 && *c->p < 0x80 && *c->p != '"' &&
		       *c->p != '\\')
			c->p++;
		if (c->p >= c->end)
			return fail(c, "unterminated string");
		if (*c->p == '"') {
			c->p++;
			return 0;
		}
		if (*c->p == '\\') {
			if (c->end - c->p < 2)
				return fail(c, "unterminated string");
			if (check_escape(c) < 0)
				return -1;
		} else if (*c->p < 0x20) {
			return fail(c,
				    *c->p ? "control character in string" : "NUL byte in string");
		} else if ((n = utf8_seq(c->p, c->end)) == 0) {
			return fail(c, "invalid UTF-8");
		} else {
			c->p += n;
		}
	}
}

static int
is_digit(const struct checker *c)
{
	return c->p < c->end && *c->p >= '0' && *c->p <= '9';
}

/* The RFC 8259 number grammar, nothing more: jq also takes 01, .5, +1, 1. */
static int
check_number(struct checker *c)
{
	if (*c->p == '-')
		c->p++;
	if (!is_digit(c))
		return fail(c, "invalid number");
	if (*c->p == '0')
		c->p++;
	else
		while (is_digit(c))
			c->p++;
	if (c->p < c->end && *c->p == '.') {
		c->p++;
		if (!is_digit(c))
			return fail(c, "invalid number");
		while (is_digit(c))
			c->p++;
	}
	if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
		c->p++;
		if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
			c->p++;
		if (!is_digit(c))
			return fail(c, "invalid number");
		while (is_digit(c))
			c->p++;
	}
	if (c->p < c->end &&
	    (*c->p == '.' || *c->p == 'e' || *c->p == 'E' || (*c->p >= '0' && *c->p <= '9')))
		return fail(c, "invalid number");
	return 0;
}

static int
check_literal(struct checker *c, const char *word, size_t n)
{
	if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0)
		return fail(c, "invalid literal");
	c->p += n;
	if (c->p < c->end && ((*c->p >= 'a' && *c->p <= 'z') || (*c->p >= 'A' && *c->p <= 'Z') ||
			      (*c->p >= '0' && *c->p <= '9')))
		return fail(c, "invalid literal");
	return 0;
}

/* An object key and its colon; c->p is at the key's opening quote. */
static int
check_key(struct checker *c)
{
	if (c->p >= c->end || *c->p != '"')
		return fail(c, c->p >= c->end ? "unterminated object" : "expected a string key");
	if (check_string(c) < 0)
		return -1;
	skip_ws(c);
	if (c->p >= c->end || *c->p != ':')
		return fail(c, "expected ':' after key");
	c->p++;
	skip_ws(c);
	return 0;
}

static int
check_scalar(struct checker *c)
{
	switch (*c->p) {
	case '"':
		return check_string(c);
	case 't':
		return check_literal(c, "true", 4);
	case 'f':
		return check_literal(c, "false", 5);
	case 'n':
		return check_literal(c, "null", 4);
	default:
		if (*c->p == '-' || (*c->p >= '0' && *c->p <= '9'))
			return check_number(c);
		return fail(c, "unexpected character");
	}
}

static int
check_value(struct checker *c)
{
	unsigned char stack[VC_JSON_MAX_DEPTH];
	int depth = 0;
	int objects = 0; /* open objects among the depth open containers */

value:
	if (c->p >= c->end)
		return fail(c, "unexpected end of input");
	if (*c->p == '{' || *c->p == '[') {
		/* jq's parser stacks every open container and, above each
		 * open object, the key whose value is being read; it refuses
		 * to open a container on a stack of 256.  Counting the same
		 * way keeps "{\"a\":" nested 129 times refused as jq refuses
		 * it, not only 257 arrays. */
		if (depth + objects >= VC_JSON_MAX_DEPTH)
			return fail(c, "nesting deeper than 256");
		stack[depth++] = *c->p == '{' ? IN_OBJECT : IN_ARRAY;
		objects += *c->p == '{';
		c->p++;
		skip_ws(c);
		if (c->p < c->end && *c->p == (stack[depth - 1] == IN_OBJECT ? '}' : ']')) {
			c->p++;
			objects -= stack[--depth] == IN_OBJECT;
			goto after;
		}
		if (stack[depth - 1] == IN_OBJECT && check_key(c) < 0)
			return -1;
		goto value;
	}
	if (check_scalar(c) < 0)
		return -1;
after:
	if (depth == 0)
		return 0;
	skip_ws(c);
	if (c->p >= c->end)
		return fail(c, stack[depth - 1] == IN_OBJECT ? "unterminated object"
							     : "unterminated array");
	if (*c->p == ',') {
		c->p++;
		skip_ws(c);
		if (stack[depth - 1] == IN_OBJECT && check_key(c) < 0)
			return -1;
		goto value;
	}
	if (*c->p == (stack[depth - 1] == IN_OBJECT ? '}' : ']')) {
		c->p++;
		objects -= stack[--depth] == IN_OBJECT;
		goto after;
	}
	return fail(c,
		    stack[depth - 1] == IN_OBJECT ? "expected ',' or '}'" : "expected ',' or ']'");
}

int
vc_json_check(const char *s, size_t n, struct vc_json_span *root, const char **why, size_t *off)
{
	struct checker c;
	const unsigned char *value;

	c.start = c.p = (const unsigned char *)s;
	c.end = c.p + n;
	c.why = NULL;
	skip_ws(&c);
	if (c.p == c.end) {
		fail(&c, "no JSON value");
		goto bad;
	}
	value = c.p;
	if (check_value(&c) < 0)
		goto bad;
	root->p = (const char *)value;
	root->len = (size_t)(c.p - value);
	root->type = vc_json_type_at(*value);
	skip_ws(&c);
	if (c.p != c.end) {
		fail(&c, "extra data after the JSON value");
		goto bad;
	}
	return 0;
bad:
	*why = c.why;
	*off = (size_t)(c.p - c.start);
	return -1;
}

/* Walkers over checked input: they skip with json_skip.h. */

static const char *
skip_blank(const char *p, const char *end)
{
	while (p < end && is_ws((unsigned char)*p))
		p++;
	return p;
}

void
vc_json_iter_init(struct vc_json_span container, struct vc_json_iter *it)
{
	it->p = container.p + 1;
	it->end = container.p + container.len - 1;
}

int
vc_json_array_next(struct vc_json_iter *it, struct vc_json_span *val)
{
	const char *p = skip_blank(it->p, it->end);

	if (p < it->end && *p == ',')
		p = skip_blank(p + 1, it->end);
	if (p >= it->end)
		return 0;
	vc_json_span_at(p, val);
	it->p = val->p + val->len;
	return 1;
}

int
vc_json_object_next(struct vc_json_iter *it, struct vc_json_span *key, struct vc_json_span *val)
{
	const char *p = skip_blank(it->p, it->end);

	if (p < it->end && *p == ',')
		p = skip_blank(p + 1, it->end);
	if (p >= it->end)
		return 0;
	vc_json_span_at(p, key);
	p = skip_blank(key->p + key->len, it->end);
	p = skip_blank(p + 1, it->end); /* the colon */
	vc_json_span_at(p, val);
	it->p = val->p + val->len;
	return 1;
}

int
vc_json_key_is(struct vc_json_span key, const char *name, size_t n)
{
	struct vc_buf decoded = VC_BUF_INIT;
	int same;

	if (key.len < 2 || key.type != VC_JSON_STRING)
		return 0;
	if (!memchr(key.p + 1, '\\', key.len - 2))
		return key.len - 2 == n && memcmp(key.p + 1, name, n) == 0;
	vc_json_string(key, &decoded);
	same = decoded.len == n && memcmp(decoded.p, name, n) == 0;
	vc_buf_free(&decoded);
	return same;
}

int
vc_json_member(struct vc_json_span obj, const char *name, struct vc_json_span *val)
{
	struct vc_json_iter it;
	struct vc_json_span k, v;
	size_t n = strlen(name);
	int found = 0;

	if (obj.type != VC_JSON_OBJECT)
		return 0;
	vc_json_iter_init(obj, &it);
	while (vc_json_object_next(&it, &k, &v))
		if (vc_json_key_is(k, name, n)) {
			*val = v;
			found = 1;
		}
	return found;
}

int
vc_json_index(struct vc_json_span arr, long i, struct vc_json_span *val)
{
	struct vc_json_iter it;
	struct vc_json_span v;
	long count = 0;

	if (arr.type != VC_JSON_ARRAY)
		return 0;
	if (i < 0) {
		vc_json_iter_init(arr, &it);
		while (vc_json_array_next(&it, &v))
			count++;
		i += count;
		if (i < 0)
			return 0;
	}
	vc_json_iter_init(arr, &it);
	while (vc_json_array_next(&it, &v))
		if (i-- == 0) {
			*val = v;
			return 1;
		}
	return 0;
}

/* Powers of ten that a double holds exactly. */
static const double exact_pow10[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
};

/* A decimal of at most 15 significant digits and no exponent, read
 * without strtod: returns 1 and sets *d, or 0 for any other spelling.
 * Both the digits and the power of ten are exact doubles, so the one
 * division rounds once, to the double nearest the decimal: strtod's
 * answer (Clinger's fast path).  Most numbers in records (timestamps,
 * scores, counts) are such, and strtod costs several times more. */
static int
exact_decimal(struct vc_json_span v, double *d)
{
	const char *p = v.p, *end = v.p + v.len;
	unsigned long long mant = 0;
	int digits = 0, frac = -1, neg = 0;

	if (p < end && *p == '-') {
		neg = 1;
		p++;
	}
	for (; p < end; p++) {
		if (*p >= '0' && *p <= '9') {
			mant = mant * 10 + (unsigned)(*p - '0');
			if (++digits > 15)
				return 0;
			if (frac >= 0)
				frac++;
		} else if (*p == '.' && frac < 0) {
			frac = 0;
		} else {
			return 0;
		}
	}
	if (digits == 0)
		return 0;
	*d = frac > 0 ? (double)mant / exact_pow10[frac] : (double)mant;
	if (neg)
		*d = -*d;
	return 1;
}

double
vc_json_number(struct vc_json_span v)
{
	char small[64];
	char *text = small;
	double d;

	if (exact_decimal(v, &d))
		return d;
	/* The span is not NUL-terminated; strtod needs a terminated copy. */
	if (v.len >= sizeof small && (text = malloc(v.len + 1)) == NULL)
		return 0;
	memcpy(text, v.p, v.len);
	text[v.len] = '\0';
	d = strtod(text, NULL);
	if (text != small)
		free(text);
	return d;
}

static void
add_utf8(struct vc_buf *out, uint32_t cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | cp >> 18);
		u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	vc_buf_add(out, u, n);
}

void
vc_json_string(struct vc_json_span v, struct vc_buf *out)
{
	const unsigned char *p = (const unsigned char *)v.p + 1;
	const unsigned char *end = (const unsigned char *)v.p + v.len - 1;
	const unsigned char *run = p;
	long cp, lo;

	vc_buf_reset(out);
	vc_buf_reserve(out, v.len);
	if (v.type != VC_JSON_STRING)
		return;
	while (p < end) {
		if (*p != '\\') {
			p++;
			continue;
		}
		vc_buf_add(out, run, (size_t)(p - run));
		switch (p[1]) {
		case 'b':
			vc_buf_addc(out, '\b');
			break;
		case 'f':
			vc_buf_addc(out, '\f');
			break;
		case 'n':
			vc_buf_addc(out, '\n');
			break;
		case 'r':
			vc_buf_addc(out, '\r');
			break;
		case 't':
			vc_buf_addc(out, '\t');
			break;
		case 'u':
			cp = hex4(p + 2, end);
			if (cp >= 0xd800 && cp <= 0xdbff && (lo = hex4(p + 8, end)) >= 0xdc00 &&
			    lo <= 0xdfff) {
				cp = 0x10000 + ((cp - 0xd800) << 10 | (lo - 0xdc00));
				p += 6;
			} else if (cp < 0 || (cp >= 0xd800 && cp <= 0xdfff)) {
				cp = 0xfffd;
			}
			add_utf8(out, (uint32_t)cp);
			p += 4;
			break;
		default:
			vc_buf_addc(out, (char)p[1]);
			break;
		}
		p += 2;
		run = p;
	}
	vc_buf_add(out, run, (size_t)(p - run));
}
