/*
 * test_img_webp.c — img_webp.c: the RIFF size against the file, chunk
 * sizes, VP8/VP8L/VP8X headers, ANMF frames on the canvas.
 */
#include <string.h>

#include "img.h"
#include "tap.h"

static unsigned char file[4096];
static size_t flen;
static struct vc_img_result r;

static void
put(const void *d, size_t n)
{
	memcpy(file + flen, d, n);
	flen += n;
}

static void
le32(unsigned char *p, uint32_t v)
{
	p[0] = v, p[1] = v >> 8, p[2] = v >> 16, p[3] = v >> 24;
}

static void
riff(void)
{
	le32(file + 4, (uint32_t)flen - 8);
}

static void
check(void)
{
	struct vc_img_limits lim;

	vc_img_limits_default(&lim);
	vc_img_check_mem(file, flen, NULL, NULL, &lim, &r);
}

/* A lossless 1x1 (Modernizr's feature test), its header widened. */
static void
lossless(unsigned w, unsigned h)
{
	unsigned char d[13] = {0x2f, 0, 0, 0, 0x10, 7, 0x10, 0x11, 0x11, 0x88, 0x88, 0xfe, 7};
	uint32_t bits = (w - 1) | (h - 1) << 14 | 1u << 28;

	le32(d + 1, bits);
	flen = 0;
	put("RIFF\0\0\0\0WEBPVP8L\x0d\0\0\0", 20);
	put(d, 13);
	put("\0", 1);
	riff();
}

int
main(void)
{
	unsigned char vp8x[18] = "VP8X\x0a\0\0\0\x02\0\0\0";
	unsigned char anmf[24 + 8] = "ANMF\x18\0\0\0";

	lossless(1, 1);
	check();
	tap_ok(r.verdict == VC_IMG_OK && r.width == 1 && r.frames == 1, "a sound lossless WebP");
	lossless(16000, 16000);
	check();
	tap_ok(r.verdict == VC_IMG_BOMB, "16000x16000 is a bomb at the default limits");
	lossless(1, 1);
	put("<html><script>x</script></html>", 31);
	check();
	tap_ok(vc_img_has(&r, "trailing_data"), "bytes past the RIFF size");
	lossless(1, 1);
	le32(file + 4, 400);
	check();
	tap_ok(vc_img_has(&r, "truncated"), "a RIFF size past the file");
	lossless(1, 1);
	le32(file + 16, 200);
	check();
	tap_ok(vc_img_has(&r, "bad_riff"), "a chunk past the RIFF size");

	/* VP8X canvas 10x10, animated, one ANMF frame 8x8 at 4,4. */
	flen = 0;
	put("RIFF\0\0\0\0WEBP", 12);
	vp8x[12] = 9, vp8x[15] = 9;
	put(vp8x, 18);
	put("ANIM\6\0\0\0\0\0\0\0\0\0", 14);
	anmf[8] = 2, anmf[11] = 2, anmf[14] = 7, anmf[17] = 7;
	memcpy(anmf + 24, "VP8L\0\0\0\0", 8);
	put(anmf, 32);
	riff();
	check();
	tap_ok(r.frames == 1 && vc_img_has(&r, "frame_outside_canvas"),
	       "an ANMF frame off the canvas");
	anmf[8] = 0, anmf[11] = 0;
	memcpy(file + 44, anmf, 32);
	check();
	tap_ok(!vc_img_has(&r, "frame_outside_canvas") && r.width == 10, "and one on it");
	return tap_done();
}
