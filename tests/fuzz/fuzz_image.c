/*
 * libFuzzer targets for vc-check-image's parsers, one binary per format:
 * build with -DFUZZ_PNG, -DFUZZ_JPEG, -DFUZZ_GIF, -DFUZZ_WEBP, -DFUZZ_BMP,
 * -DFUZZ_HEIF, -DFUZZ_POLY, or -DFUZZ_DEFLATE (the deflate checker against
 * zlib: both must agree on every stream).  The format's signature is put in front of the input so
 * every input reaches its parser; the parsers must never read out of
 * bounds, loop, or let the verdict disagree with the reasons.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "img.h"

#if defined(FUZZ_PNG)
#define PREFIX "\x89PNG\r\n\x1a\n"
#elif defined(FUZZ_JPEG)
#define PREFIX "\xff\xd8\xff"
#elif defined(FUZZ_GIF)
#define PREFIX "GIF89a"
#elif defined(FUZZ_BMP)
#define PREFIX "BM"
#elif defined(FUZZ_HEIF)
#define PREFIX       \
	"\0\0\0\x14" \
	"ftypheic\0\0\0\0mif1"
#elif defined(FUZZ_WEBP) || defined(FUZZ_POLY) || defined(FUZZ_DEFLATE)
#define PREFIX ""
#else
#error "define one of FUZZ_PNG FUZZ_JPEG FUZZ_GIF FUZZ_WEBP FUZZ_BMP FUZZ_HEIF FUZZ_POLY FUZZ_DEFLATE"
#endif

static unsigned char buf[1 << 20];

#if defined(FUZZ_DEFLATE)
#include <zlib.h>

struct feed {
	const uint8_t *p;
	size_t n;
};

static size_t
pull(void *ctx, const unsigned char **p)
{
	struct feed *f = ctx;
	size_t k = f->n < 333 ? f->n : 333;

	*p = f->p;
	f->p += k;
	f->n -= k;
	return k;
}

/* zlib on the same raw stream, output capped: 0 end, -1 bad, -2 cut,
 * 1 past the cap. */
static int
zlib_says(const uint8_t *data, size_t size, uint64_t cap, uint64_t *len)
{
	z_stream z;
	int ret;

	memset(&z, 0, sizeof z);
	inflateInit2(&z, -15);
	z.next_in = (unsigned char *)data;
	z.avail_in = (uInt)size;
	*len = 0;
	do {
		z.next_out = buf;
		z.avail_out = sizeof buf;
		ret = inflate(&z, Z_NO_FLUSH);
		*len += sizeof buf - z.avail_out;
	} while (ret == Z_OK && *len <= cap && (z.avail_in > 0 || z.avail_out == 0));
	inflateEnd(&z);
	if (*len > cap)
		return 1;
	return ret == Z_STREAM_END ? 0 : ret == Z_DATA_ERROR ? -1 : -2;
}

static void
deflate_agrees(const uint8_t *data, size_t size)
{
	struct feed f = {data, size};
	struct vc_deflate d = {.limit = 4u << 20};
	uint64_t zlen;
	int mine = vc_deflate_check(pull, &f, &d), theirs = zlib_says(data, size, 4u << 20, &zlen);

	if (theirs == 1 || mine == 1)
		return; /* where either stopped at the cap, the other may not have */
	/* Complete with the same length, or not complete for both: on a cut
	 * stream zlib may wait for bytes where the checker already knows a
	 * code set is bad (zlib decodes an empty code-length code as zeros
	 * and fails later), and either way the stream is no good. */
	if ((mine == 0) != (theirs == 0) || (mine == 0 && d.produced != zlen))
		__builtin_trap();
}
#endif

static void
check_result(const struct vc_img_result *r)
{
	enum vc_img_verdict worst = VC_IMG_OK;
	int i;

	for (i = 0; i < r->nreasons; i++)
		if (r->reasons[i].verdict > worst)
			worst = r->reasons[i].verdict;
	if (r->nreasons > VC_IMG_MAX_REASONS || (r->dropped == 0 && worst != r->verdict))
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vc_img_limits lim;
	struct vc_img_result r;
	size_t n = sizeof PREFIX - 1;

	if (size > sizeof buf - 16)
		return 0;
	vc_img_limits_default(&lim);
	/* Small limits so the fuzzer reaches the bomb paths cheaply. */
	lim.max_text = 1 << 16;
	lim.max_text_total = 1 << 18;
#if defined(FUZZ_DEFLATE)
	(void)r;
	(void)lim;
	(void)n;
	deflate_agrees(data, size);
	return 0;
#elif defined(FUZZ_POLY)
	memset(&r, 0, sizeof r);
	vc_poly_scan_meta(&r, data, size, "fuzz", 1);
	(void)vc_poly_identify(data, size);
	check_result(&r);
	return 0;
#elif defined(FUZZ_WEBP)
	/* RIFF, the input's first 4 bytes as its size, WEBP, the rest. */
	memcpy(buf, "RIFF", 4);
	memcpy(buf + 4, data, size < 4 ? size : 4);
	memcpy(buf + 8, "WEBP", 4);
	if (size > 4)
		memcpy(buf + 12, data + 4, size - 4);
	n = size > 4 ? size + 8 : 12;
#else
	memcpy(buf, PREFIX, n);
	memcpy(buf + n, data, size);
	n += size;
#endif
	vc_img_check_mem(buf, n, NULL, NULL, &lim, &r);
	check_result(&r);
	lim.max_bytes = n / 2;
	vc_img_check_mem(buf, n, NULL, NULL, &lim, &r);
	check_result(&r);
	return 0;
}
