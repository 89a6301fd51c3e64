/*
 * libFuzzer targets for vc-check-image's parsers, one binary per format:
 * build with -DFUZZ_PNG, -DFUZZ_JPEG, -DFUZZ_GIF, -DFUZZ_WEBP, -DFUZZ_BMP,
 * -DFUZZ_HEIF or -DFUZZ_POLY.  The format's signature is put in front of the input so
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
#elif defined(FUZZ_WEBP) || defined(FUZZ_POLY)
#define PREFIX ""
#else
#error "define one of FUZZ_PNG FUZZ_JPEG FUZZ_GIF FUZZ_WEBP FUZZ_BMP FUZZ_HEIF FUZZ_POLY"
#endif

static unsigned char buf[1 << 20];

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
#if defined(FUZZ_POLY)
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
