#include "buf.h"

#include <err.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "msg.h"

void
vc_buf_reserve(struct vc_buf *b, size_t extra)
{
	size_t cap;

	if (b->cap - b->len > extra)
		return;
	if (extra > ((size_t)-1) / 2 - b->len)
		errx(VC_EXIT_USAGE, "buffer size overflow");
	cap = b->cap ? b->cap : 256;
	while (cap - b->len <= extra)
		cap *= 2;
	b->p = realloc(b->p, cap);
	if (b->p == NULL)
		err(VC_EXIT_USAGE, "out of memory");
	b->cap = cap;
}

void
vc_buf_add(struct vc_buf *b, const void *p, size_t n)
{
	vc_buf_reserve(b, n);
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
vc_buf_addc(struct vc_buf *b, char c)
{
	vc_buf_reserve(b, 1);
	b->p[b->len++] = c;
	b->p[b->len] = '\0';
}

void
vc_buf_adds(struct vc_buf *b, const char *s)
{
	vc_buf_add(b, s, strlen(s));
}

void
vc_buf_printf(struct vc_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		errx(VC_EXIT_USAGE, "vsnprintf failed");
	vc_buf_reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
vc_buf_add_json_string(struct vc_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, run = 0;

	vc_buf_reserve(b, n + 2);
	b->p[b->len++] = '"';
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[6];
		size_t elen = 2;

		if (c >= 0x20 && c != '"' && c != '\\' && c < 0x7f)
			continue;
		if (c >= 0x80) {
			size_t seq = vc_json_utf8_seq(s + i, n - i);

			if (seq > 0) {
				i += seq - 1;
				continue;
			}
			/* Bytes that are no UTF-8 (a file name, say) would make
			 * the line invalid JSON: each becomes U+FFFD, as in jq. */
			vc_buf_add(b, s + run, i - run);
			run = i + 1;
			vc_buf_add(b, "\xEF\xBF\xBD", 3);
			continue;
		}
		vc_buf_add(b, s + run, i - run);
		run = i + 1;
		esc[0] = '\\';
		switch (c) {
		case '"':
			esc[1] = '"';
			break;
		case '\\':
			esc[1] = '\\';
			break;
		case '\n':
			esc[1] = 'n';
			break;
		case '\t':
			esc[1] = 't';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		case '\b':
			esc[1] = 'b';
			break;
		case '\f':
			esc[1] = 'f';
			break;
		default:
			/* jq writes DEL escaped too; matching it keeps output identical. */
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			elen = 6;
		}
		vc_buf_add(b, esc, elen);
	}
	vc_buf_add(b, s + run, n - run);
	vc_buf_addc(b, '"');
}

void
vc_buf_add_json_number(struct vc_buf *b, double d)
{
	char tmp[32];
	int prec;

	if (!isfinite(d)) {
		vc_buf_adds(b, "null");
		return;
	}
	if (d == 0) {
		vc_buf_addc(b, '0');
		return;
	}
	if (d == floor(d) && fabs(d) < 1e17) {
		vc_buf_printf(b, "%.0f", d);
		return;
	}
	/* The shortest spelling that reads back as d, as jq prints it. */
	for (prec = 15; prec < 17; prec++) {
		snprintf(tmp, sizeof tmp, "%.*g", prec, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	if (prec == 17)
		snprintf(tmp, sizeof tmp, "%.17g", d);
	vc_buf_adds(b, tmp);
}

void
vc_buf_reset(struct vc_buf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

void
vc_buf_free(struct vc_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

int
vc_buf_add_file(struct vc_buf *b, const char *path, size_t max)
{
	FILE *f = fopen(path, "rb");
	char chunk[65536];
	size_t got, start = b->len;
	int saved;

	if (f == NULL)
		return -1;
	while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (b->len - start + got > max) {
			fclose(f);
			errno = EFBIG;
			return -1;
		}
		vc_buf_add(b, chunk, got);
	}
	if (ferror(f)) {
		saved = errno;
		fclose(f);
		errno = saved;
		return -1;
	}
	fclose(f);
	vc_buf_reserve(b, 0);
	return 0;
}
