/*
 * test_img_isobmff.c — img_isobmff.c: brands, ispe dimensions, box sizes,
 * data after the last box.
 */
#include <string.h>

#include "img.h"
#include "tap.h"

static unsigned char file[4096];
static size_t flen;
static struct vc_img_result r;

static void
put32(uint32_t v)
{
	file[flen++] = v >> 24;
	file[flen++] = v >> 16;
	file[flen++] = v >> 8;
	file[flen++] = v;
}

static void
put(const void *p, size_t n)
{
	memcpy(file + flen, p, n);
	flen += n;
}

/* ftyp BRAND (compatible COMPAT), meta/iprp/ipco/ispe W x H, mdat. */
static void
build(const char *brand, const char *compat, uint32_t w, uint32_t h)
{
	flen = 0;
	put32(20);
	put("ftyp", 4);
	put(brand, 4);
	put32(0);
	put(compat, 4);
	put32(8 + 4 + 8 + 8 + 20);
	put("meta\0\0\0\0", 8);
	put32(8 + 8 + 20);
	put("iprp", 4);
	put32(8 + 20);
	put("ipco", 4);
	put32(20);
	put("ispe\0\0\0\0", 8);
	put32(w);
	put32(h);
	put32(12);
	put("mdat\1\2\3\4", 8);
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
	build("heic", "mif1", 640, 480);
	check();
	tap_ok(r.format == VC_FMT_HEIC && r.verdict == VC_IMG_OK && r.width == 640 &&
		       r.height == 480,
	       "a HEIC with its ispe");
	build("mif1", "avif", 10, 10);
	check();
	tap_ok(r.format == VC_FMT_AVIF, "mif1 with an avif compatible brand is AVIF");
	build("avif", "mif1", 100000, 100000);
	check();
	tap_ok(r.verdict == VC_IMG_BOMB, "a 10 Gpx ispe is a bomb");
	build("heic", "mif1", 64, 64);
	file[22] = 0x10; /* meta's size past the file */
	check();
	tap_ok(r.verdict == VC_IMG_INVALID, "a meta box past the end: %s",
	       r.nreasons ? r.reasons[0].code : "-");
	build("heic", "mif1", 64, 64);
	flen -= 2;
	check();
	tap_ok(vc_img_has(&r, "truncated"), "mdat cut short");
	build("heic", "mif1", 64, 64);
	put("<?php system($_GET[1]); ?>", 26);
	check();
	tap_ok(vc_img_has(&r, "trailing_data") && vc_img_has(&r, "embedded_script"),
	       "PHP after the last box");
	build("isom", "mp41", 64, 64);
	check();
	tap_ok(r.format == VC_FMT_UNKNOWN, "an MP4 is no image");
	return tap_done();
}
