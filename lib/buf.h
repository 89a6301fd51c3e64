/*
 * buf.h — a growable byte buffer.
 *
 * Growth aborts the program on allocation failure (vc_buf_* never returns
 * an error): every caller bounds what it appends, so running out of memory
 * here is a system error, not an input error.
 */
#ifndef VC_BUF_H
#define VC_BUF_H

#include <stddef.h>

struct vc_buf {
	char *p; /* always NUL-terminated when cap > 0 */
	size_t len;
	size_t cap;
};

#define VC_BUF_INIT        \
	{                  \
		NULL, 0, 0 \
	}

void vc_buf_reserve(struct vc_buf *b, size_t extra);
void vc_buf_add(struct vc_buf *b, const void *p, size_t n);
void vc_buf_addc(struct vc_buf *b, char c);
void vc_buf_adds(struct vc_buf *b, const char *s);
void vc_buf_printf(struct vc_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s[0..n) as a JSON string literal, quotes included; a byte that
 * is not part of valid UTF-8 becomes U+FFFD. */
void vc_buf_add_json_string(struct vc_buf *b, const char *s, size_t n);
/* Appends d as the shortest JSON number that reads back as d; non-finite
 * values, which JSON cannot spell, become null. */
void vc_buf_add_json_number(struct vc_buf *b, double d);
/* Appends the file at path, whole, when it holds at most max bytes (a
 * file read whole must not be /dev/zero); b->p is then never NULL.
 * Returns -1 with errno set otherwise (EFBIG: larger than max), b's
 * length then unspecified. */
int vc_buf_add_file(struct vc_buf *b, const char *path, size_t max);
void vc_buf_reset(struct vc_buf *b);
void vc_buf_free(struct vc_buf *b);

#endif
