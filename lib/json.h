/*
 * json.h — a strict RFC 8259 scanner over raw bytes.
 *
 * vc_json_check validates; everything else assumes its input passed
 * vc_json_check and walks the bytes without building values, so a tool
 * reads the three fields it needs and copies the rest of the record
 * through untouched.  A span points into the caller's bytes and lives as
 * long as they do.
 *
 * Strictness: every line jq 1.6 rejects is rejected here too, and on
 * top of that the leniencies jq inherited are refused: NaN and Infinity,
 * numbers outside the RFC grammar (01, .5, +1, 1.), raw control characters
 * and NUL in strings, and invalid UTF-8 (jq would silently turn it into
 * U+FFFD).  Nesting deeper than VC_JSON_MAX_DEPTH is refused, counted as
 * jq counts it: an open object costs two levels (itself and its key).
 */
#ifndef VC_JSON_H
#define VC_JSON_H

#include <stddef.h>

#include "buf.h"

#define VC_JSON_MAX_DEPTH 256

enum vc_json_type {
	VC_JSON_NONE = 0,
	VC_JSON_NULL,
	VC_JSON_FALSE,
	VC_JSON_TRUE,
	VC_JSON_NUMBER,
	VC_JSON_STRING,
	VC_JSON_ARRAY,
	VC_JSON_OBJECT,
};

struct vc_json_span {
	const char *p; /* first byte of the value: '"' of a string, '{' ... */
	size_t len;    /* bytes of the value, no surrounding whitespace */
	enum vc_json_type type;
};

struct vc_json_iter {
	const char *p;
	const char *end;
};

/* Checks that s[0..n) is exactly one JSON value, whitespace around it
 * allowed.  Returns 0 and fills *root, or -1 with a static reason in *why
 * and the byte offset of the fault in *off. */
int vc_json_check(const char *s, size_t n, struct vc_json_span *root, const char **why,
		  size_t *off);

/* Iteration over a checked object or array. */
void vc_json_iter_init(struct vc_json_span container, struct vc_json_iter *it);
int vc_json_object_next(struct vc_json_iter *it, struct vc_json_span *key,
			struct vc_json_span *val);
int vc_json_array_next(struct vc_json_iter *it, struct vc_json_span *val);

/* Whether a key span (quotes included) decodes to name[0..n). */
int vc_json_key_is(struct vc_json_span key, const char *name, size_t n);

/* The member called name; when a key repeats the last one wins, as in jq.
 * Returns 1 and fills *val, or 0 when obj is no object or lacks the key. */
int vc_json_member(struct vc_json_span obj, const char *name, struct vc_json_span *val);
/* Element i of an array, negative i counting from the end as in jq. */
int vc_json_index(struct vc_json_span arr, long i, struct vc_json_span *val);

/* The number's value, as jq would read it (overflow gives +-HUGE_VAL). */
double vc_json_number(struct vc_json_span v);
/* Decodes a string span, escapes resolved, into out (replacing its
 * content); lone surrogate escapes become U+FFFD as in jq. */
void vc_json_string(struct vc_json_span v, struct vc_buf *out);

/* The length of a UTF-8 byte order mark opening s[0..n) (3), or 0.  jq
 * skips one at the start of its input; so do the reader (at a file's
 * first line) and the loaders of whole JSON files (monitors, incident
 * templates), which blank it so that byte offsets stay right. */
size_t vc_json_bom(const char *s, size_t n);

/* Length of the valid UTF-8 sequence at p (RFC 3629, as the scanner
 * requires it), or 0 when the bytes there are not one. */
size_t vc_json_utf8_seq(const char *p, size_t avail);

#endif
