/*
 * filter.c — the tag filter part of the query language (query.h):
 * parsing "{...}" in its symbolic or boolean form, and matching a point's
 * tags against it.
 */
#include "query.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "query_priv.h"
#include "xalloc.h"

/* Blanks here are all of isspace, as the filter's words end at any of
 * them (is_word_char); the rest of the query skips only space, tab,
 * newline and carriage return (vc_qlex_skip_ws). */
static void
skip_ws(struct vc_qparse *p)
{
	while (isspace((unsigned char)p->s[p->i]))
		p->i++;
}

/* ---- tag filters --------------------------------------------------- */

enum ftok {
	FT_END, /* '}' */
	FT_EOF, /* end of text: the filter is not closed */
	FT_LP,
	FT_RP,
	FT_COMMA,
	FT_BANG,
	FT_WORD,
	FT_AND,
	FT_OR,
	FT_NOT,
	FT_IN,
};

static int
is_word_char(int c)
{
	return c != '\0' && !isspace(c) && c != ',' && c != '(' && c != ')' && c != '!' &&
	       c != '{' && c != '}';
}

/* The token at the cursor, without consuming it. */
static enum ftok
ftok(struct vc_qparse *p, size_t *at, size_t *len)
{
	const char *s;
	size_t n = 0;

	skip_ws(p);
	*at = p->i;
	*len = 1;
	s = p->s + p->i;
	switch (*s) {
	case '\0':
		*len = 0;
		return FT_EOF;
	case '}':
		return FT_END;
	case '(':
		return FT_LP;
	case ')':
		return FT_RP;
	case ',':
		return FT_COMMA;
	case '!':
		return FT_BANG;
	}
	while (is_word_char((unsigned char)s[n]))
		n++;
	*len = n;
	if (vc_qlex_word_is(s, n, "AND") || vc_qlex_word_is(s, n, "and"))
		return FT_AND;
	if (vc_qlex_word_is(s, n, "OR") || vc_qlex_word_is(s, n, "or"))
		return FT_OR;
	if (vc_qlex_word_is(s, n, "NOT") || vc_qlex_word_is(s, n, "not"))
		return FT_NOT;
	if (vc_qlex_word_is(s, n, "IN") || vc_qlex_word_is(s, n, "in"))
		return FT_IN;
	return FT_WORD;
}

static struct vc_filter *
fnode(enum vc_filter_kind kind, struct vc_filter *a, struct vc_filter *b)
{
	struct vc_filter *f = vc_xcalloc(1, sizeof *f);

	f->kind = kind;
	f->a = a;
	f->b = b;
	return f;
}

/* key:value, key:pre*, or a bare tag. */
static struct vc_filter *
tag_term(struct vc_qparse *p, size_t at, size_t n)
{
	const char *w = p->s + at;
	const char *colon = memchr(w, ':', n);
	struct vc_filter *f;

	if (colon == w) {
		vc_qlex_fail(p, at, 0, "empty tag key before ':'");
		return NULL;
	}
	f = fnode(VC_FILTER_TAG, NULL, NULL);
	if (colon) {
		f->key = vc_xstrndup(w, (size_t)(colon - w));
		f->value = vc_xstrndup(colon + 1, n - (size_t)(colon - w) - 1);
	} else {
		f->key = vc_xstrndup(w, n);
	}
	p->i = at + n;
	return f;
}

static void
mixing(struct vc_qparse *p, size_t at)
{
	vc_qlex_fail(p, at, 0, "a filter cannot mix '!' and ',' with AND, OR, NOT, IN");
}

static void
filter_unexpected(struct vc_qparse *p, enum ftok t, size_t at, size_t n)
{
	if (t == FT_EOF)
		vc_qlex_fail(p, at, 0, "filter not closed with '}'");
	else
		vc_qlex_fail(p, at, 0, "unexpected '%.*s' in the tag filter", (int)n, p->s + at);
}

/* key IN (v1, v2, ...), the cursor after IN. */
static struct vc_filter *
in_list(struct vc_qparse *p, size_t kat, size_t kn)
{
	struct vc_filter *f;
	enum ftok t;
	size_t at, n;

	if (memchr(p->s + kat, ':', kn)) {
		vc_qlex_fail(p, kat, 0, "expected a tag key before IN");
		return NULL;
	}
	f = fnode(VC_FILTER_IN, NULL, NULL);
	f->key = vc_xstrndup(p->s + kat, kn);
	if (ftok(p, &at, &n) != FT_LP) {
		vc_qlex_fail(p, at, 0, "expected '(' after IN");
		return f;
	}
	p->i++;
	for (;;) {
		t = ftok(p, &at, &n);
		if (t != FT_WORD) {
			filter_unexpected(p, t, at, n);
			return f;
		}
		f->values = realloc(f->values, (f->nvalues + 1) * sizeof *f->values);
		if (f->values == NULL)
			abort();
		f->values[f->nvalues++] = vc_xstrndup(p->s + at, n);
		p->i = at + n;
		t = ftok(p, &at, &n);
		p->i = at + n;
		if (t == FT_RP)
			return f;
		if (t != FT_COMMA) {
			filter_unexpected(p, t, at, n);
			return f;
		}
	}
}

static struct vc_filter *bool_or(struct vc_qparse *p);

static struct vc_filter *
bool_unary(struct vc_qparse *p)
{
	size_t at, n, at2, n2;
	enum ftok t;
	struct vc_filter *f;

	if (p->failed)
		return NULL;
	t = ftok(p, &at, &n);
	switch (t) {
	case FT_NOT:
		p->i = at + n;
		return fnode(VC_FILTER_NOT, bool_unary(p), NULL);
	case FT_LP:
		p->i = at + n;
		f = bool_or(p);
		if (!p->failed && ftok(p, &at, &n) != FT_RP)
			vc_qlex_fail(p, at, 0, "expected ')' in the tag filter");
		p->i = at + n;
		return f;
	case FT_WORD:
		p->i = at + n;
		t = ftok(p, &at2, &n2);
		if (t == FT_IN) {
			p->i = at2 + n2;
			return in_list(p, at, n);
		}
		if (t == FT_NOT) {
			size_t at3, n3;

			p->i = at2 + n2;
			if (ftok(p, &at3, &n3) != FT_IN) {
				vc_qlex_fail(p, at3, 0, "expected IN after NOT");
				return NULL;
			}
			p->i = at3 + n3;
			return fnode(VC_FILTER_NOT, in_list(p, at, n), NULL);
		}
		return tag_term(p, at, n);
	case FT_BANG:
	case FT_COMMA:
		mixing(p, at);
		return NULL;
	default:
		filter_unexpected(p, t, at, n);
		return NULL;
	}
}

static struct vc_filter *
bool_and(struct vc_qparse *p)
{
	struct vc_filter *f = bool_unary(p);
	size_t at, n;

	while (!p->failed && ftok(p, &at, &n) == FT_AND) {
		p->i = at + n;
		f = fnode(VC_FILTER_AND, f, bool_unary(p));
	}
	return f;
}

static struct vc_filter *
bool_or(struct vc_qparse *p)
{
	struct vc_filter *f = bool_and(p);
	size_t at, n;

	while (!p->failed && ftok(p, &at, &n) == FT_OR) {
		p->i = at + n;
		f = fnode(VC_FILTER_OR, f, bool_and(p));
	}
	return f;
}

/* [!]tag {, [!]tag}. */
static struct vc_filter *
symbolic(struct vc_qparse *p)
{
	struct vc_filter *f = NULL;

	while (!p->failed) {
		size_t at, n;
		enum ftok t = ftok(p, &at, &n);
		struct vc_filter *term;
		int negate = 0;

		if (t == FT_BANG) {
			negate = 1;
			p->i = at + 1;
			t = ftok(p, &at, &n);
		}
		if (t != FT_WORD) {
			filter_unexpected(p, t, at, n);
			break;
		}
		if (vc_qlex_word_is(p->s + at, n, "*")) {
			vc_qlex_fail(p, at, 0, "'*' must be the whole filter");
			break;
		}
		term = tag_term(p, at, n);
		if (negate)
			term = fnode(VC_FILTER_NOT, term, NULL);
		f = f ? fnode(VC_FILTER_AND, f, term) : term;
		t = ftok(p, &at, &n);
		if (t == FT_END)
			break;
		if (t != FT_COMMA) {
			if (t >= FT_AND || t == FT_LP || t == FT_RP)
				mixing(p, at);
			else if (t == FT_WORD)
				vc_qlex_fail(p, at, 0, "expected ',' between tags");
			else
				filter_unexpected(p, t, at, n);
			break;
		}
		p->i = at + 1;
	}
	return f;
}

struct vc_filter *
vc_filter_parse(const char *text, size_t *pos, struct vc_query_error *err)
{
	struct vc_qparse parser = {text, *pos, NULL, err, 0};
	struct vc_qparse *p = &parser;
	size_t at, n, start;
	enum ftok t;
	int boolean = 0;
	struct vc_filter *f;

	start = p->i;
	t = ftok(p, &at, &n);
	if (t == FT_END) {
		vc_qlex_fail(p, at, 0, "empty tag filter (use {*} for every tag)");
		*pos = p->i;
		return NULL;
	}
	if (t == FT_WORD && vc_qlex_word_is(p->s + at, n, "*")) {
		p->i = at + n;
		if (ftok(p, &at, &n) != FT_END) {
			vc_qlex_fail(p, at, 0, "'*' must be the whole filter");
			*pos = p->i;
			return NULL;
		}
		*pos = at + 1;
		return fnode(VC_FILTER_ALL, NULL, NULL);
	}
	/* The style is decided by the first keyword or parenthesis. */
	for (;;) {
		t = ftok(p, &at, &n);
		if (t == FT_END || t == FT_EOF)
			break;
		if (t >= FT_AND || t == FT_LP) {
			boolean = 1;
			break;
		}
		p->i = at + (n ? n : 1);
	}
	p->i = start;
	f = boolean ? bool_or(p) : symbolic(p);
	if (!p->failed) {
		t = ftok(p, &at, &n);
		if (t != FT_END) {
			if (boolean && (t == FT_COMMA || t == FT_BANG))
				mixing(p, at);
			else if (boolean && t == FT_WORD)
				vc_qlex_fail(p, at, 0, "expected AND or OR between tag terms");
			else
				filter_unexpected(p, t, at, n);
		} else {
			p->i = at + 1;
		}
	}
	*pos = p->i;
	if (p->failed) {
		vc_filter_free(f);
		return NULL;
	}
	return f;
}

void
vc_filter_free(struct vc_filter *f)
{
	size_t k;

	if (f == NULL)
		return;
	free(f->key);
	free(f->value);
	for (k = 0; k < f->nvalues; k++)
		free(f->values[k]);
	free(f->values);
	vc_filter_free(f->a);
	vc_filter_free(f->b);
	free(f);
}

/* ---- filter matching ----------------------------------------------- */

int
vc_query_glob(const char *pat, const char *s, size_t n)
{
	const char *star = NULL, *resume = NULL;
	const char *end = s + n;

	while (s < end) {
		if (*pat == '*') {
			star = pat++;
			resume = s;
		} else if (*pat && *pat == *s) {
			pat++;
			s++;
		} else if (star) {
			pat = star + 1;
			s = ++resume;
		} else {
			return 0;
		}
	}
	while (*pat == '*')
		pat++;
	return *pat == '\0';
}

/* Whether the tag value v (a span) matches the glob pat. */
static int
value_matches(struct vc_json_span v, const char *pat)
{
	if (v.type == VC_JSON_STRING) {
		if (memchr(v.p, '\\', v.len)) {
			struct vc_buf b = VC_BUF_INIT;
			int ok;

			vc_json_string(v, &b);
			ok = vc_query_glob(pat, b.p ? b.p : "", b.len);
			vc_buf_free(&b);
			return ok;
		}
		return vc_query_glob(pat, v.p + 1, v.len - 2);
	}
	if (v.type == VC_JSON_NUMBER || v.type == VC_JSON_TRUE || v.type == VC_JSON_FALSE)
		return vc_query_glob(pat, v.p, v.len);
	return 0;
}

int
vc_filter_match(const struct vc_filter *f, struct vc_json_span tags)
{
	struct vc_json_span v;
	size_t k;

	switch (f->kind) {
	case VC_FILTER_ALL:
		return 1;
	case VC_FILTER_TAG:
		if (tags.type != VC_JSON_OBJECT || !vc_json_member(tags, f->key, &v) ||
		    v.type == VC_JSON_NULL)
			return 0;
		return f->value == NULL || value_matches(v, f->value);
	case VC_FILTER_IN:
		if (tags.type != VC_JSON_OBJECT || !vc_json_member(tags, f->key, &v))
			return 0;
		for (k = 0; k < f->nvalues; k++)
			if (value_matches(v, f->values[k]))
				return 1;
		return 0;
	case VC_FILTER_NOT:
		return !vc_filter_match(f->a, tags);
	case VC_FILTER_AND:
		return vc_filter_match(f->a, tags) && vc_filter_match(f->b, tags);
	case VC_FILTER_OR:
		return vc_filter_match(f->a, tags) || vc_filter_match(f->b, tags);
	}
	return 0;
}
