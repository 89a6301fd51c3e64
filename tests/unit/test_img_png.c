/*
 * test_img_png.c — img_png.c: PNGs built here in memory, one fault each:
 * a sound file, CRCs, IHDR fields, chunk order, the IDAT stream longer or
 * shorter than IHDR promises, text-chunk bombs, APNG frames.
 */
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "img.h"
#include "tap.h"

static unsigned char file[1 << 20];
static size_t flen;

static void
put32(uint32_t v)
{
	file[flen++] = v >> 24;
	file[flen++] = v >> 16;
	file[flen++] = v >> 8;
	file[flen++] = v;
}

static void
put_chunk(const char *type, const void *data, size_t n)
{
	uint32_t crc = crc32(0, (const unsigned char *)type, 4);

	put32((uint32_t)n);
	memcpy(file + flen, type, 4);
	flen += 4;
	memcpy(file + flen, data, n);
	flen += n;
	put32(crc32(crc, data, (uInt)n));
}

static void
start(uint32_t w, uint32_t h, int depth, int ctype, int interlace)
{
	unsigned char d[13];

	flen = 0;
	memcpy(file, "\x89PNG\r\n\x1a\n", 8);
	flen = 8;
	d[0] = w >> 24, d[1] = w >> 16, d[2] = w >> 8, d[3] = w;
	d[4] = h >> 24, d[5] = h >> 16, d[6] = h >> 8, d[7] = h;
	d[8] = depth, d[9] = ctype, d[10] = 0, d[11] = 0, d[12] = interlace;
	put_chunk("IHDR", d, 13);
}

/* Deflates n bytes of value v (filter bytes included) into an IDAT. */
static void
put_idat(size_t n, unsigned char v)
{
	static unsigned char raw[1 << 20], z[1 << 20];
	uLongf zn = sizeof z;

	memset(raw, v, n);
	compress(z, &zn, raw, n);
	put_chunk("IDAT", z, zn);
}

static struct vc_img_result r;

static void
check(void)
{
	struct vc_img_limits lim;

	vc_img_limits_default(&lim);
	vc_img_check_mem(file, flen, NULL, NULL, &lim, &r);
}

/* The same through a file, as vc-check-image reads: the window is
 * refilled (moved) at the file's end. */
static void
check_file(void)
{
	struct vc_img_limits lim;
	FILE *f = tmpfile();

	vc_img_limits_default(&lim);
	if (f == NULL || fwrite(file, 1, flen, f) != flen || fflush(f) != 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || vc_img_check_fd(fileno(f), NULL, NULL, &lim, &r) != 0)
		memset(&r, 0, sizeof r);
	if (f != NULL)
		fclose(f);
}

int
main(void)
{
	static unsigned char z[1 << 16];
	uLongf zn;

	/* 4x2 RGB 8-bit: rows of 1 + 12 bytes. */
	start(4, 2, 8, 2, 0);
	put_idat(26, 0);
	put_chunk("IEND", "", 0);
	check();
	tap_ok(r.verdict == VC_IMG_OK && r.width == 4 && r.height == 2 && r.frames == 1,
	       "a sound PNG is ok");

	file[flen - 5] ^= 1;
	check();
	tap_ok(vc_img_has(&r, "crc_mismatch"), "a bad CRC");

	start(4, 2, 8, 2, 0);
	put_idat(20, 0);
	put_chunk("IEND", "", 0);
	check();
	tap_ok(vc_img_has(&r, "short_image_data"), "IDAT shorter than IHDR says");

	start(4, 2, 8, 2, 0);
	put_idat(30, 0);
	put_chunk("IEND", "", 0);
	check();
	tap_ok(r.verdict == VC_IMG_INVALID && vc_img_has(&r, "extra_image_data"),
	       "a little more data is invalid");

	start(4, 2, 8, 2, 0);
	put_idat(900000, 0);
	put_chunk("IEND", "", 0);
	check();
	tap_ok(r.verdict == VC_IMG_INVALID,
	       "900 kB over a 26-byte promise is still under 2x + 1 MiB");
	start(1, 1, 8, 0, 0);
	put_idat(1 << 20, 0);
	put_idat(1 << 20, 0);
	put_chunk("IEND", "", 0);
	check();
	tap_ok(vc_img_has(&r, "extra_image_data"), "the zlib stream ending early is caught too");

	start(4, 2, 8, 2, 0);
	put_idat(26, 7);
	put_chunk("IEND", "", 0);
	check();
	tap_ok(vc_img_has(&r, "bad_filter"), "a filter type of 7");

	/* Interlaced 3x3 grey: passes 1 (1x1), 4 (1x1: x=2), 5 (2x1),
	 * 6 (1x2), 7 (3x1): rows of 2, 2, 3, 2+2, 4 bytes = 15. */
	start(3, 3, 8, 0, 1);
	put_idat(15, 0);
	put_chunk("IEND", "", 0);
	check();
	tap_ok(r.verdict == VC_IMG_OK, "Adam7 sizes pass by pass");

	start(4, 2, 8, 1, 0);
	put_idat(26, 0);
	put_chunk("IEND", "", 0);
	check();
	tap_ok(vc_img_has(&r, "bad_ihdr"), "colour type 1");
	start(4, 2, 3, 2, 0);
	check();
	tap_ok(vc_img_has(&r, "bad_ihdr"), "bit depth 3");
	start(0, 2, 8, 2, 0);
	check();
	tap_ok(vc_img_has(&r, "bad_ihdr"), "zero width");

	start(4, 2, 8, 2, 0);
	put_chunk("IEND", "", 0);
	check();
	tap_ok(vc_img_has(&r, "missing_chunk"), "no IDAT");

	start(4, 2, 8, 3, 0);
	put_idat(10, 0);
	put_chunk("IEND", "", 0);
	check();
	tap_ok(vc_img_has(&r, "missing_chunk"), "palette image without PLTE");

	start(4, 2, 8, 2, 0);
	put_idat(26, 0);
	put_chunk("gAMA", "\0\0\0\1", 4);
	put_chunk("IEND", "", 0);
	check();
	tap_ok(vc_img_has(&r, "chunk_order"), "gAMA after IDAT");

	start(4, 2, 8, 2, 0);
	put_chunk("XYZW", "", 0);
	put_idat(26, 0);
	put_chunk("IEND", "", 0);
	check();
	tap_ok(vc_img_has(&r, "unknown_critical"), "an unknown critical chunk");

	start(4, 2, 8, 2, 0);
	put_idat(26, 0);
	check();
	tap_ok(vc_img_has(&r, "truncated"), "no IEND");
	flen -= 5;
	check();
	tap_ok(vc_img_has(&r, "truncated"), "cut inside IDAT");
	/* Cut in the middle of the deflate data, read from a file: the
	 * checker must stop where the file does, not go on with bytes from
	 * the start of the window the end moved it to. */
	{
		static unsigned char raw[64 * (1 + 64 * 3)];
		uint32_t seed = 1;
		size_t i;

		for (i = 0; i < sizeof raw; i++) {
			seed = seed * 1103515245u + 12345u;
			raw[i] = i % (1 + 64 * 3) == 0 ? 0 : (unsigned char)(seed >> 24) & 0x3f;
		}
		zn = sizeof z;
		compress(z, &zn, raw, sizeof raw);
		start(64, 64, 8, 2, 0);
		put_chunk("IDAT", z, zn);
		flen -= 4 + zn / 2;
		check_file();
		tap_ok(r.verdict == VC_IMG_INVALID && r.nreasons == 1 &&
			       vc_img_has(&r, "truncated"),
		       "cut inside IDAT, read from a file: truncated, and nothing more");
	}

	/* A bad IHDR's depth (82) is never used as a shift count for PLTE
	 * (UBSan stops a SANITIZE=1 build here if it is). */
	{
		static const unsigned char plte[6] = {0};

		start(4, 2, 82, 3, 0);
		put_chunk("PLTE", plte, sizeof plte);
		put_idat(26, 0);
		check();
		tap_ok(vc_img_has(&r, "bad_ihdr") && !vc_img_has(&r, "bad_plte"),
		       "a PLTE after an IHDR of depth 82: the IHDR is what is wrong");
	}

	/* zTXt: 2 MiB of zeros in a few kB. */
	{
		static unsigned char raw[2 << 20], d[1 << 16];

		zn = sizeof z;
		compress(z, &zn, raw, sizeof raw);
		memcpy(d, "Comment\0\0", 9);
		memcpy(d + 9, z, zn);
		start(4, 2, 8, 2, 0);
		put_chunk("zTXt", d, 9 + zn);
		put_idat(26, 0);
		put_chunk("IEND", "", 0);
		check();
		tap_ok(r.verdict == VC_IMG_BOMB && vc_img_has(&r, "text_bomb"), "a zTXt bomb");
		memcpy(d, "icc\0\0", 5);
		memcpy(d + 5, z, zn);
		start(4, 2, 8, 2, 0);
		put_chunk("iCCP", d, 5 + zn);
		put_idat(26, 0);
		put_chunk("IEND", "", 0);
		check();
		tap_ok(r.verdict == VC_IMG_BOMB && vc_img_has(&r, "text_bomb"), "an iCCP bomb");
	}

	/* APNG: two frames, the second off the canvas. */
	{
		unsigned char actl[8] = {0, 0, 0, 2, 0, 0, 0, 0};
		unsigned char f0[26] = {0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 2};
		unsigned char f1[26] = {0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 2, 0, 0, 0, 1};

		start(4, 2, 8, 2, 0);
		put_chunk("acTL", actl, 8);
		put_chunk("fcTL", f0, 26);
		put_idat(26, 0);
		put_chunk("fcTL", f1, 26);
		put_chunk("IEND", "", 0);
		check();
		tap_ok(r.frames == 2 && vc_img_has(&r, "frame_outside_canvas"),
		       "APNG frame extents");
		actl[3] = 3;
		start(4, 2, 8, 2, 0);
		put_chunk("acTL", actl, 8);
		put_chunk("fcTL", f0, 26);
		put_idat(26, 0);
		put_chunk("IEND", "", 0);
		check();
		tap_ok(vc_img_has(&r, "frame_count_mismatch"), "acTL frame count against fcTL");
	}

	start(4, 2, 8, 2, 0);
	put_idat(26, 0);
	put_chunk("IEND", "", 0);
	memcpy(file + flen, "\0\0\0\0", 4);
	flen += 4;
	check();
	tap_ok(r.verdict == VC_IMG_OK, "zero padding after IEND is tolerated");
	memcpy(file + flen, "junk", 4);
	flen += 4;
	check();
	tap_ok(vc_img_has(&r, "trailing_data"), "anything else is trailing data");
	return tap_done();
}
