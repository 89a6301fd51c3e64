/*
 * test_img_jpeg.c — img_jpeg.c: an 8x8 DC-only JPEG built here, then one
 * fault each: SOF fields, scan counts, markers, truncation, trailing data.
 */
#include <string.h>

#include "img.h"
#include "tap.h"

static unsigned char file[1 << 20];
static size_t flen;
static struct vc_img_result r;

static void
seg(int marker, const void *d, size_t n)
{
	file[flen++] = 0xff;
	file[flen++] = (unsigned char)marker;
	file[flen++] = (unsigned char)((n + 2) >> 8);
	file[flen++] = (unsigned char)(n + 2);
	memcpy(file + flen, d, n);
	flen += n;
}

static void
put(const void *d, size_t n)
{
	memcpy(file + flen, d, n);
	flen += n;
}

/* SOI, SOF (marker m, precision p, w x h, one component), DHT, scans. */
static void
build(int m, int p, unsigned w, unsigned h, int scans, int eoi)
{
	unsigned char sof[9] = {(unsigned char)p, h >> 8, h & 255, w >> 8, w & 255, 1, 1, 0x11, 0};
	unsigned char dht[18] = {0x00, 1};
	int i;

	flen = 0;
	put("\xff\xd8", 2);
	seg(0xc4, dht, 18);
	seg(m, sof, 9);
	for (i = 0; i < scans; i++) {
		/* Sequential: one scan of all; progressive: DC first, then
		 * AC bands. */
		if (m != 0xc2)
			seg(0xda, "\1\1\0\0\x3f\0", 6);
		else if (i == 0)
			seg(0xda, "\1\1\0\0\0\0", 6);
		else
			seg(0xda, "\1\1\0\1\x3f\0", 6);
		put("\x3f\xff\x00\x12", 4); /* a stuffed 0xFF00 in the data */
	}
	if (eoi)
		put("\xff\xd9", 2);
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
	build(0xc0, 8, 8, 8, 1, 1);
	check();
	tap_ok(r.verdict == VC_IMG_OK && r.width == 8 && r.height == 8, "a sound baseline JPEG");
	build(0xc2, 8, 640, 480, 10, 1);
	check();
	tap_ok(r.verdict == VC_IMG_OK && r.width == 640, "a progressive JPEG of 10 scans");
	build(0xc2, 8, 8, 8, 101, 1);
	check();
	tap_ok(r.verdict == VC_IMG_BOMB && vc_img_has(&r, "too_many_scans"), "101 scans");
	build(0xc0, 9, 8, 8, 1, 1);
	check();
	tap_ok(vc_img_has(&r, "bad_sof"), "precision 9");
	build(0xc0, 8, 0, 8, 1, 1);
	check();
	tap_ok(vc_img_has(&r, "bad_sof"), "zero width");
	build(0xc0, 8, 8, 8, 1, 0);
	check();
	tap_ok(vc_img_has(&r, "truncated"), "no EOI");
	build(0xc0, 8, 8, 8, 0, 1);
	check();
	tap_ok(vc_img_has(&r, "missing_chunk"), "no scan");
	build(0xc0, 8, 8, 8, 1, 1);
	flen -= 2;
	put("\x42\xff\xd9", 3);
	check();
	tap_ok(r.verdict == VC_IMG_OK, "bytes before EOI are entropy data");
	build(0xc0, 8, 8, 8, 1, 1);
	put("ID3\3\0\0\0\0\0\0", 10);
	check();
	tap_ok(vc_img_has(&r, "trailing_data"), "data after EOI");
	flen = 0;
	put("\xff\xd8", 2);
	seg(0xfe, "<?php eval($_POST['x']); ?>", 27);
	check();
	tap_ok(r.verdict == VC_IMG_POLYGLOT && vc_img_has(&r, "embedded_script"),
	       "PHP in a comment even in a broken file");
	flen = 0;
	put("\xff\xd8\xff\xd0", 4);
	check();
	tap_ok(vc_img_has(&r, "bad_marker"), "RST outside a scan");
	build(0xc0, 8, 8, 8, 1, 1);
	file[2 + 4 + 1] = 2; /* DHT: two codes of length 1, and a third */
	file[2 + 4 + 2] = 2;
	check();
	tap_ok(vc_img_has(&r, "bad_dht"), "an oversubscribed Huffman table");
	build(0xc0, 8, 8, 8, 1, 1);
	file[flen - 2 - 4 - 6 + 1] = 9; /* SOS names component 9 */
	check();
	tap_ok(vc_img_has(&r, "bad_sos"), "a scan of a component the frame has not");
	build(0xc0, 8, 8, 8, 1, 1);
	{
		/* An MPF index, then the same image again after EOI. */
		unsigned char img[256];
		size_t n = flen;

		memcpy(img, file, n);
		flen = 2;
		seg(0xe2, "MPF\0II*\0", 8);
		put(img + 2, n - 2);
		put(img, n);
		check();
		tap_ok(r.verdict == VC_IMG_OK && r.frames == 1, "a Multi-Picture JPEG is ok");
		put("junk", 4);
		check();
		tap_ok(vc_img_has(&r, "trailing_data"), "data after its last image is not");
	}
	build(0xc2, 8, 8, 8, 2, 1);
	file[flen - 2 - 4 - 6 + 3] = 0; /* second scan: Ss 0, Se 63 */
	check();
	tap_ok(vc_img_has(&r, "bad_sos"), "progressive parameters");
	return tap_done();
}
