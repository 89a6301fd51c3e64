/*
 * test_img_bmp.c — img_bmp.c: headers, bit counts, the pixel array
 * against the file, trailing data.
 */
#include <string.h>

#include "img.h"
#include "tap.h"

static unsigned char file[4096];
static size_t flen;
static struct vc_img_result r;

static void
le32(unsigned char *p, uint32_t v)
{
	p[0] = v, p[1] = v >> 8, p[2] = v >> 16, p[3] = v >> 24;
}

/* A 24-bit w x h BMP with an INFO header. */
static void
build(int32_t w, int32_t h, int bpp)
{
	uint32_t row = ((uint32_t)(w < 0 ? -w : w) * 24 + 31) / 32 * 4;
	uint32_t size = row * (uint32_t)(h < 0 ? -h : h);

	memset(file, 0, sizeof file);
	memcpy(file, "BM", 2);
	le32(file + 2, 54 + size);
	le32(file + 10, 54);
	le32(file + 14, 40);
	le32(file + 18, (uint32_t)w);
	le32(file + 22, (uint32_t)h);
	file[26] = 1;
	file[28] = (unsigned char)bpp;
	flen = 54 + (size < 2000 ? size : 0);
}

static void
check(void)
{
	struct vc_img_limits lim;

	vc_img_limits_default(&lim);
	vc_img_check_mem(file, flen, NULL, NULL, &lim, &r);
}

int
main(void)
{
	build(3, 2, 24);
	check();
	tap_ok(r.verdict == VC_IMG_OK && r.width == 3 && r.height == 2, "a sound BMP");
	build(3, -2, 24);
	check();
	tap_ok(r.verdict == VC_IMG_OK && r.height == 2, "top-down");
	build(3, 2, 7);
	check();
	tap_ok(vc_img_has(&r, "bad_header"), "7 bits per pixel");
	build(3, 2, 24);
	flen -= 4;
	check();
	tap_ok(vc_img_has(&r, "truncated"), "a short pixel array");
	build(3, 2, 24);
	memcpy(file + flen, "PK\5\6\0\0\0\0\1\0\1\0\0\0\0\0\0\0\0\0\0\0", 22);
	flen += 22;
	check();
	tap_ok(vc_img_has(&r, "trailing_data") && vc_img_has(&r, "embedded_archive"),
	       "a ZIP after the pixels");
	build(100000, 100000, 24);
	check();
	tap_ok(r.verdict == VC_IMG_BOMB, "10 Gpx declared");
	return tap_done();
}
