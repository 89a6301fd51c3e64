/*
 * polyglot.c — another file or a script hidden in an image's metadata or
 * after its end.
 *
 * Only metadata (comments, text and unknown chunks, APPn segments) and the
 * bytes after the format's end are scanned, never entropy-coded pixel
 * data, and every signature must show real structure behind its magic (a
 * ZIP header with sane fields, a printable run after "<?php", an ELF ident,
 * a PE header where the DOS stub points): short magics alone match random
 * compressed bytes far too often.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "img.h"

static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint16_t
le16(const unsigned char *p)
{
	return (uint16_t)(p[1] << 8 | p[0]);
}

/* Printable ASCII (tab and line ends too) from p, at most max bytes. */
static size_t
printable_run(const unsigned char *p, size_t n, size_t max)
{
	size_t i;

	for (i = 0; i < n && i < max; i++)
		if (!(p[i] >= 0x20 && p[i] < 0x7f) && p[i] != '\t' && p[i] != '\n' && p[i] != '\r')
			break;
	return i;
}

static int
prefix_ci(const unsigned char *p, size_t n, const char *s)
{
	size_t k = strlen(s);

	return n >= k && strncasecmp((const char *)p, s, k) == 0;
}

/* An HTML tag name followed by a space, '>' or '/'. */
static int
html_tag(const unsigned char *p, size_t n, const char *tag)
{
	size_t k = strlen(tag);

	return prefix_ci(p, n, tag) && n > k && (p[k] == '>' || p[k] == '/' || isspace(p[k]));
}

static unsigned
be16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/* What starts at p, if it is a file or script with real structure;
 * images only count when images is set (an Exif thumbnail is no
 * polyglot). */
static const char *
what_at(const unsigned char *p, size_t n, const char **code, int images)
{
	uint32_t off;

	switch (p[0]) {
	case 'I':
		/* PNG chunks without the signature: an IHDR of 13 bytes (the
		 * caller makes sure the 4 bytes before p are readable). */
		if (images && n >= 13 && memcmp(p - 4, "\0\0\0\rIHDR", 8) == 0 &&
		    be16(p + 4) == 0 && be16(p + 8) == 0 && p[12] <= 16) {
			*code = "embedded_image";
			return "PNG image chunks";
		}
		return NULL;
	case 0xff:
		if (!images || n < 12)
			return NULL;
		if (p[1] == 0xd8 && p[2] == 0xff &&
		    (p[3] == 0xe0 || p[3] == 0xe1 || p[3] == 0xdb)) {
			*code = "embedded_image";
			return "a JPEG image";
		}
		/* A baseline or progressive SOF: length, precision and
		 * component count must agree. */
		if ((p[1] == 0xc0 || p[1] == 0xc1 || p[1] == 0xc2) && p[4] == 8 &&
		    (p[9] == 1 || p[9] == 3) && be16(p + 2) == 8 + 3u * p[9] && be16(p + 5) > 0 &&
		    be16(p + 7) > 0) {
			*code = "embedded_image";
			return "JPEG image segments";
		}
		return NULL;
	case '<':
		if (prefix_ci(p, n, "<?php") && n > 5 && isspace(p[5]) &&
		    printable_run(p, n, 16) >= 12) {
			*code = "embedded_script";
			return "PHP code";
		}
		if (n >= 3 && p[1] == '?' && p[2] == '=' && printable_run(p, n, 16) >= 12) {
			*code = "embedded_script";
			return "PHP code";
		}
		if (html_tag(p, n, "<script") || html_tag(p, n, "<html") ||
		    html_tag(p, n, "<iframe") || html_tag(p, n, "<body") ||
		    html_tag(p, n, "<svg") || prefix_ci(p, n, "<!doctype html")) {
			if (printable_run(p, n, 12) >= 8) {
				*code = "embedded_script";
				return "HTML or script markup";
			}
		}
		return NULL;
	case 'j':
	case 'J':
		if (prefix_ci(p, n, "javascript:") && printable_run(p, n, 20) >= 16) {
			*code = "embedded_script";
			return "a javascript: URL";
		}
		return NULL;
	case '#':
		if (n >= 8 && p[1] == '!' && p[2] == '/' &&
		    (prefix_ci(p + 2, n - 2, "/bin/") || prefix_ci(p + 2, n - 2, "/usr/")) &&
		    printable_run(p, n, 12) >= 10) {
			*code = "embedded_script";
			return "a shebang script";
		}
		return NULL;
	case '%':
		if (n >= 8 && memcmp(p, "%PDF-", 5) == 0 && isdigit(p[5]) && p[6] == '.' &&
		    isdigit(p[7])) {
			*code = "embedded_document";
			return "a PDF document";
		}
		return NULL;
	case 'P':
		/* ZIP local header: version needed <= 6.3, sane flags,
		 * method stored/deflate/bzip2/lzma/zstd, a name. */
		if (n >= 30 && p[1] == 'K' && p[2] == 3 && p[3] == 4 && le16(p + 4) <= 63 &&
		    le16(p + 8) <= 95 && le16(p + 26) >= 1 && le16(p + 26) <= 1024 &&
		    printable_run(p + 30, n - 30, 8) >= (le16(p + 26) < 8 ? le16(p + 26) : 8)) {
			*code = "embedded_archive";
			return "a ZIP archive";
		}
		/* End of central directory: disk 0, equal entry counts, and
		 * either entries or a comment that ends exactly where the
		 * data does (an empty archive at the end of a file). */
		if (n >= 22 && p[1] == 'K' && p[2] == 5 && p[3] == 6 && le16(p + 4) == 0 &&
		    le16(p + 6) == 0 && le16(p + 8) == le16(p + 10) &&
		    (le16(p + 8) > 0 || 22u + le16(p + 20) == n)) {
			*code = "embedded_archive";
			return "a ZIP archive";
		}
		return NULL;
	case 0x7f:
		if (n >= 16 &&
		    memcmp(p,
			   "\x7f"
			   "ELF",
			   4) == 0 &&
		    (p[4] == 1 || p[4] == 2) && (p[5] == 1 || p[5] == 2) && p[6] == 1) {
			*code = "embedded_executable";
			return "an ELF executable";
		}
		return NULL;
	case 'M':
		if (n >= 64 && p[1] == 'Z') {
			off = le32(p + 0x3c);
			if (off >= 64 && off < 4096 && off + 4 <= n &&
			    memcmp(p + off, "PE\0\0", 4) == 0) {
				*code = "embedded_executable";
				return "a PE executable";
			}
		}
		return NULL;
	case 0x89:
		if (images && n >= 16 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0 &&
		    memcmp(p + 12, "IHDR", 4) == 0) {
			*code = "embedded_image";
			return "a PNG image";
		}
		return NULL;
	case 'G':
		if (images && n >= 13 &&
		    (memcmp(p, "GIF87a", 6) == 0 || memcmp(p, "GIF89a", 6) == 0) &&
		    le16(p + 6) > 0 && le16(p + 8) > 0) {
			*code = "embedded_image";
			return "a GIF image";
		}
		return NULL;
	}
	return NULL;
}

/* The byte pairs what_at can accept at its start, one bit each: every
 * signature it knows fixes its second byte (in either case where it
 * matches text in any case), so a pass over the pairs skips the first
 * bytes that start nothing (one byte in twenty of random data is a
 * first byte, far fewer pairs are) without calling what_at.  Built once
 * from this list, which must follow what_at. */
static const char *const pairs[] = {
	"IH", "\xff\xd8", "\xff\xc0", "\xff\xc1", "\xff\xc2", "<?", "<s",    "<S", "<h",
	"<H", "<i",       "<I",       "<b",       "<B",       "<!", "ja",    "jA", "Ja",
	"JA", "#!",       "%P",       "PK",       "\x7f\x45", "MZ", "\x89P", "GI",
};
static unsigned char pair_bits[65536 / 8];

static void
pairs_init(void)
{
	size_t i;
	unsigned v;

	for (i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		v = (unsigned)(unsigned char)pairs[i][0] << 8 | (unsigned char)pairs[i][1];
		pair_bits[v >> 3] |= (unsigned char)(1u << (v & 7));
	}
}

/* Which of the byte pairs at a[k], b[k] (b is a one byte on) may be one
 * of pairs[] (a few more pass, never fewer), as a vector of 0 and -1:
 * many positions at once with vector compares (GCC and Clang vector
 * extensions), since a pair that starts a signature is rare in any data.
 * al and bl are a and b with ASCII letters in lower case. */
#define PAIR_CANDIDATES(a, b, al, bl)                                                          \
	(((a == 'I') & (b == 'H')) | ((a == 0xff) & ((b == 0xd8) | ((b & 0xfc) == 0xc0))) |    \
	 ((a == '<') &                                                                         \
	  ((b == '?') | (b == '!') | (bl == 's') | (bl == 'h') | (bl == 'i') | (bl == 'b'))) | \
	 ((al == 'j') & (bl == 'a')) | ((a == '#') & (b == '!')) |                             \
	 (((a == '%') | (a == 0x89)) & (b == 'P')) | ((a == 'P') & (b == 'K')) |               \
	 ((a == 0x7f) & (b == 'E')) | ((a == 'M') & (b == 'Z')) | ((a == 'G') & (b == 'I')))

typedef unsigned char u8x16 __attribute__((vector_size(16)));
typedef signed char s8x16 __attribute__((vector_size(16)));

/* Whether any pair starting at p[0..15] may be one (p[16] is read). */
static inline int
maybe_pairs16(const unsigned char *p)
{
	u8x16 a, b;
	s8x16 m;
	uint64_t part[2];

	memcpy(&a, p, 16);
	memcpy(&b, p + 1, 16);
	m = PAIR_CANDIDATES(a, b, (a | 0x20), (b | 0x20));
	memcpy(part, &m, sizeof part);
	return (part[0] | part[1]) != 0;
}

/* Whether the pair at p[0..1] can start a signature, and then whether
 * one does. */
static void
scan_at(struct vc_img_result *r, const unsigned char *p, size_t n, size_t i, const char *where,
	int images)
{
	const char *what, *code;
	unsigned v = (unsigned)p[i] << 8 | p[i + 1];

	if (!(pair_bits[v >> 3] & (1u << (v & 7))) || (i < 4 && p[i] == 'I'))
		return;
	if ((what = what_at(p + i, n - i, &code, images)) != NULL)
		vc_img_reason(r, VC_IMG_POLYGLOT, code, "%s in %s", what, where);
}

/* The pairs of p[from..n) by blocks of 16 while the byte after a block
 * is readable; returns where it stopped. */
static size_t
scan_blocks16(struct vc_img_result *r, const unsigned char *p, size_t n, size_t from,
	      const char *where, int images)
{
	size_t i, j;

	for (i = from; i + 17 <= n; i += 16)
		if (maybe_pairs16(p + i))
			for (j = 0; j < 16; j++)
				scan_at(r, p, n, i + j, where, images);
	return i;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define SCAN_AVX2 1
typedef unsigned char u8x32 __attribute__((vector_size(32)));
typedef signed char s8x32 __attribute__((vector_size(32)));

/* The same by blocks of 32 with AVX2, on processors that have it (the
 * build assumes only SSE2): a large metadata or trailing scan takes a
 * third less time. */
__attribute__((target("avx2"))) static size_t
scan_blocks32(struct vc_img_result *r, const unsigned char *p, size_t n, const char *where,
	      int images)
{
	u8x32 a, b;
	s8x32 m;
	uint64_t part[4];
	size_t i, j;

	for (i = 0; i + 33 <= n; i += 32) {
		memcpy(&a, p + i, 32);
		memcpy(&b, p + i + 1, 32);
		m = PAIR_CANDIDATES(a, b, (a | 0x20), (b | 0x20));
		memcpy(part, &m, sizeof part);
		if ((part[0] | part[1] | part[2] | part[3]) != 0)
			for (j = 0; j < 32; j++)
				scan_at(r, p, n, i + j, where, images);
	}
	return i;
}
#endif

void
vc_poly_scan_meta(struct vc_img_result *r, const unsigned char *p, size_t n, const char *where,
		  int images)
{
	static int ready;
#ifdef SCAN_AVX2
	static int avx2;
#endif
	size_t i = 0;

	if (!ready) {
		pairs_init();
#ifdef SCAN_AVX2
		avx2 = __builtin_cpu_supports("avx2");
#endif
		ready = 1;
	}
	/* Every signature is 2 bytes or more: the last byte starts none. */
#ifdef SCAN_AVX2
	if (avx2)
		i = scan_blocks32(r, p, n, where, images);
#endif
	for (i = scan_blocks16(r, p, n, i, where, images); i + 1 < n; i++)
		scan_at(r, p, n, i, where, images);
}

/* The first "SEFH" in p[0..n), or NULL: memchr for its first letter,
 * which skips through data where the letter is rare (a byte in 256 of
 * compressed data) faster than memmem's general search. */
static const unsigned char *
find_sefh(const unsigned char *p, size_t n)
{
	const unsigned char *q, *end = p + n;

	while (end - p >= 4 && (q = memchr(p, 'S', (size_t)(end - p - 3))) != NULL) {
		if (memcmp(q + 1, "EFH", 3) == 0)
			return q;
		p = q + 1;
	}
	return NULL;
}

void
vc_poly_trailing(struct vc_img_ctx *c, const char *after)
{
	char where[48];
	const unsigned char *p, *q;
	unsigned char tail[8] = {0};
	uint64_t total = 0, sefh = UINT64_MAX;
	size_t n, i, k;
	int nonzero = 0;

	snprintf(where, sizeof where, "data after %s", after);
	while ((n = vc_src_piece(c->src, VC_SRC_WINDOW, &p)) > 0) {
		/* Only whether any byte is not zero matters. */
		for (i = 0; i < n && !nonzero; i++)
			nonzero = p[i] != 0;
		/* Where a Samsung trailer directory might start. */
		if (sefh == UINT64_MAX && (q = find_sefh(p, n)) != NULL)
			sefh = total + (uint64_t)(q - p);
		/* The last 8 bytes seen, for the trailer's end. */
		k = n < 8 ? n : 8;
		memmove(tail, tail + k, 8 - k);
		memcpy(tail + 8 - k, p + n - k, k);
		total += n;
		vc_poly_scan_meta(c->res, p, n, where, 1);
	}
	/* Some cameras pad after EOI with zeros: harmless, tolerated.  So is
	 * the metadata trailer Samsung phones write (data blocks, an SEFH
	 * directory, its length and SEFT last): a trailer, no second file;
	 * what it holds was scanned like any trailing bytes. */
	if (!nonzero ||
	    (total >= 16 && memcmp(tail + 4, "SEFT", 4) == 0 && sefh == total - 8 - le32(tail)))
		return;
	vc_img_reason(c->res, VC_IMG_POLYGLOT, "trailing_data", "%llu bytes after %s%s",
		      (unsigned long long)total, after, c->src->at_limit ? " (and more)" : "");
}

/* Whether b is a control byte no text has. */
static inline unsigned
is_control(unsigned char b)
{
	return (unsigned)((b < 0x20 && b != '\t' && b != '\n' && b != '\r') || b == 0x7f);
}

size_t
vc_poly_control_bytes(const unsigned char *p, size_t n)
{
	size_t i = 0, j, k = 0;
	unsigned char block;

	/* In blocks of a fixed 32 bytes, which compilers turn into vector
	 * compares (a byte counter cannot overflow in one block). */
	for (; i + 32 <= n; i += 32) {
		block = 0;
		for (j = 0; j < 32; j++)
			block += (unsigned char)is_control(p[i + j]);
		k += block;
	}
	for (; i < n; i++)
		k += is_control(p[i]);
	return k;
}

void
vc_poly_comment(struct vc_img_result *r, uint64_t len, uint64_t control, const char *where)
{
	/* Text has no control bytes; compressed or pixel data has about
	 * one in eight.  One in twenty over a kilobyte is no text. */
	if (len >= 1024 && control * 20 > len)
		vc_img_reason(r, VC_IMG_POLYGLOT, "hidden_data", "%llu bytes of binary data in %s",
			      (unsigned long long)len, where);
}

const char *
vc_poly_identify(const unsigned char *p, size_t n)
{
	static const struct {
		const char *magic;
		size_t len;
		const char *what;
	} magics[] = {
		/* Text magics match in any case, binary ones exactly. */
		{"%PDF-", 5, "a PDF document"},
		{"%!PS", 4, "a PostScript document"},
		{"PK\3\4", 4, "a ZIP archive"},
		{"\x7f"
		 "ELF",
		 4, "an ELF executable"},
		{"MZ", 2, "a DOS/PE executable"},
		{"#!", 2, "a script"},
		{"<?php", 5, "PHP code"},
		{"<?xml", 5, "an XML document (SVG?)"},
		{"<svg", 4, "an SVG image"},
		{"<!DOCTYPE", 9, "an HTML document"},
		{"<html", 5, "an HTML document"},
		{"II*\0", 4, "a TIFF image"},
		{"MM\0*", 4, "a TIFF image"},
		{"push graphic-context", 20, "an MVG script"},
		{"viewbox", 7, "an MVG script"},
		{"AT&TFORM", 8, "a DjVu document"},
		{"\0\0\1\0", 4, "an ICO image"},
	};
	size_t i;

	for (i = 0; i < sizeof magics / sizeof magics[0]; i++)
		if (n >= magics[i].len &&
		    (isalpha((unsigned char)magics[i].magic[1])
			     ? strncasecmp((const char *)p, magics[i].magic, magics[i].len) == 0
			     : memcmp(p, magics[i].magic, magics[i].len) == 0))
			return magics[i].what;
	if (n >= 12 && memcmp(p + 4, "ftyp", 4) == 0) {
		if (memcmp(p + 8, "avif", 4) == 0)
			return "an AVIF image";
		if (memcmp(p + 8, "heic", 4) == 0 || memcmp(p + 8, "mif1", 4) == 0)
			return "a HEIF image";
		return "an ISO media file";
	}
	return NULL;
}
