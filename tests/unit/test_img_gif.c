/*
 * test_img_gif.c — img_gif.c: GIFs built here: frames, extents, the
 * trailer, comments split across sub-blocks, long-delay hidden frames.
 */
#include <string.h>

#include "img.h"
#include "tap.h"

static unsigned char file[1 << 20];
static size_t flen;
static struct vc_img_result r;

static void
put(const void *d, size_t n)
{
	memcpy(file + flen, d, n);
	flen += n;
}

static void
head(unsigned w, unsigned h)
{
	unsigned char lsd[7] = {w & 255, w >> 8, h & 255, h >> 8, 0x80, 0, 0};

	flen = 0;
	put("GIF89a", 6);
	put(lsd, 7);
	put("\0\0\0\xff\xff\xff", 6);
}

static void
frame(unsigned x, unsigned y, unsigned w, unsigned h)
{
	unsigned char d[10] = {0x2c,    x & 255, x >> 8,  y & 255, y >> 8,
			       w & 255, w >> 8,  h & 255, h >> 8,  0};

	put(d, 10);
	put("\2\2\x44\1\0", 5);
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
	int i;

	head(1, 1);
	frame(0, 0, 1, 1);
	put(";", 1);
	check();
	tap_ok(r.verdict == VC_IMG_OK && r.frames == 1, "a sound GIF");
	head(1, 1);
	for (i = 0; i < 1001; i++)
		frame(0, 0, 1, 1);
	put(";", 1);
	check();
	tap_ok(r.verdict == VC_IMG_BOMB && r.frames == 1001 && vc_img_has(&r, "too_many_frames"),
	       "1001 frames");
	head(10, 10);
	frame(8, 0, 4, 4);
	put(";", 1);
	check();
	tap_ok(r.verdict == VC_IMG_INVALID && vc_img_has(&r, "frame_outside_canvas"),
	       "a frame past the screen");
	head(10, 10);
	frame(0, 0, 65535, 65535);
	put(";", 1);
	check();
	tap_ok(r.verdict == VC_IMG_BOMB, "a frame that grows the canvas to 4 Gpx");
	head(60000, 60000);
	check();
	tap_ok(r.verdict == VC_IMG_BOMB && vc_img_has(&r, "pixels_over_limit"), "a 3.6 Gpx screen");
	head(1, 1);
	frame(0, 0, 1, 1);
	check();
	tap_ok(vc_img_has(&r, "truncated"), "no trailer");
	head(1, 1);
	put("\x21\xfe\3<?p", 6);
	put("\x17hp system($_GET[c]); ?>\0", 25);
	frame(0, 0, 1, 1);
	put(";", 1);
	check();
	tap_ok(vc_img_has(&r, "embedded_script"), "PHP split across comment sub-blocks");
	head(1, 1);
	put("\x21\xf9\4\0\xff\xff\0\0", 8);
	frame(0, 0, 1, 1);
	frame(0, 0, 1, 1);
	put(";", 1);
	check();
	tap_ok(vc_img_has(&r, "hidden_frame"), "a 655 s frame hides the next");
	head(1, 1);
	frame(0, 0, 1, 1);
	put("\x42", 1);
	check();
	tap_ok(vc_img_has(&r, "bad_block"), "a byte that starts no block");
	return tap_done();
}
