/*
 * test_img.c — img.c and img_out.c: reasons and verdict order, limits,
 * the bounded source over memory and over a file, sniffing, the declared
 * type and name checks, the JSON of a result.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "img.h"
#include "tap.h"

static void
test_reasons(void)
{
	struct vc_img_result r;
	int i;

	memset(&r, 0, sizeof r);
	vc_img_reason(&r, VC_IMG_INVALID, "truncated", "x");
	tap_is_str(vc_img_verdict_name(r.verdict), "invalid_image", "invalid raises the verdict");
	vc_img_reason(&r, VC_IMG_OK, "large_image", "warn");
	tap_is_str(vc_img_verdict_name(r.verdict), "invalid_image", "a warning does not lower it");
	vc_img_reason(&r, VC_IMG_BOMB, "too_many_frames", "b");
	vc_img_reason(&r, VC_IMG_POLYGLOT, "trailing_data", "p");
	tap_is_str(vc_img_verdict_name(r.verdict), "decompression_bomb", "the most serious wins");
	vc_img_reason(&r, VC_IMG_INVALID, "truncated", "again");
	tap_is_num(r.nreasons, 4, "a repeated code is kept once");
	tap_ok(vc_img_has(&r, "trailing_data") && !vc_img_has(&r, "nope"), "vc_img_has");
	for (i = 0; i < 20; i++) {
		char code[16];
		static char codes[20][16];

		snprintf(code, sizeof code, "c%d", i);
		memcpy(codes[i], code, sizeof code);
		vc_img_reason(&r, VC_IMG_INVALID, codes[i], "n");
	}
	tap_is_num(r.nreasons, VC_IMG_MAX_REASONS, "reasons are capped");
	tap_ok(r.dropped == 24 - VC_IMG_MAX_REASONS, "and the rest counted (%lu)", r.dropped);

	memset(&r, 0, sizeof r);
	r.limited = 1;
	vc_img_reason(&r, VC_IMG_INVALID, "truncated", "x");
	tap_is_num(r.nreasons, 0, "truncated is left out when the file hit --max-bytes");
}

static void
test_limits(void)
{
	struct vc_img_limits lim;
	struct vc_img_result r;

	vc_img_limits_default(&lim);
	tap_is_num((double)lim.max_pixels, 89478485, "Pillow's MAX_IMAGE_PIXELS");
	tap_is_num((double)lim.bomb_pixels, 2 * 89478485.0, "twice that is a bomb");
	tap_is_num((double)lim.max_text, 1 << 20, "1 MiB of text per chunk");
	tap_is_num((double)lim.max_text_total, 64 << 20, "64 MiB in all");
	memset(&r, 0, sizeof r);
	vc_img_check_dims(&r, &lim, 10000, 9000, "x");
	tap_ok(r.verdict == VC_IMG_OK && vc_img_has(&r, "large_image"), "90 Mpx is a warning");
	memset(&r, 0, sizeof r);
	vc_img_check_dims(&r, &lim, 20000, 9000, "x");
	tap_ok(r.verdict == VC_IMG_BOMB && vc_img_has(&r, "pixels_over_limit"),
	       "180 Mpx is a bomb");
	memset(&r, 0, sizeof r);
	vc_img_check_dims(&r, &lim, 0, 100, "x");
	tap_ok(r.verdict == VC_IMG_OK, "a zero side counts as one, as in Pillow");
	memset(&r, 0, sizeof r);
	lim.max_frames = 3;
	for (int i = 0; i < 5; i++)
		vc_img_count_frame(&r, &lim, 1, 1);
	tap_ok(r.frames == 5 && vc_img_has(&r, "too_many_frames"), "frames over the limit");
}

static void
test_src(void)
{
	static unsigned char win[VC_SRC_WINDOW];
	static unsigned char big[3 * VC_SRC_WINDOW + 7];
	char path[] = "/tmp/test_img.XXXXXX";
	struct vc_src s;
	const unsigned char *p;
	size_t i, n;
	uint64_t sum = 0, want = 0;
	int fd;

	for (i = 0; i < sizeof big; i++) {
		big[i] = (unsigned char)(i * 7);
		want += big[i];
	}
	vc_src_init_mem(&s, big, sizeof big, 10);
	p = vc_src_get(&s, 4);
	tap_ok(p && p[1] == 7, "get from memory");
	tap_ok(vc_src_get(&s, 7) == NULL, "no read past the limit");
	tap_ok(s.at_limit, "and it says the limit stopped it");

	fd = mkstemp(path);
	tap_ok(write(fd, big, sizeof big) == (ssize_t)sizeof big, "temp file written");
	lseek(fd, 0, SEEK_SET);
	vc_src_init_fd(&s, fd, win, UINT64_MAX);
	p = vc_src_get(&s, 3);
	tap_ok(p && p[2] == 14, "get from a file");
	sum = p[0] + p[1] + p[2];
	while ((n = vc_src_piece(&s, 1000, &p)) > 0)
		for (i = 0; i < n; i++)
			sum += p[i];
	tap_ok(sum == want && vc_src_tell(&s) == sizeof big, "pieces cover the file exactly");
	lseek(fd, 0, SEEK_SET);
	vc_src_init_fd(&s, fd, win, 100000);
	tap_is_num((double)vc_src_skip(&s, UINT64_MAX), 100000, "a file source stops at its limit");
	tap_ok(s.at_limit, "knowing the file goes on");
	lseek(fd, 0, SEEK_SET);
	vc_src_init_fd(&s, fd, win, UINT64_MAX);
	vc_src_skip(&s, sizeof big - 2);
	tap_ok(vc_src_fill(&s, 10) == 2 && vc_src_get(&s, 3) == NULL,
	       "fill at the end gives what is left");
	close(fd);
	unlink(path);
}

static void
test_sniff_and_declared(void)
{
	static const unsigned char gif[] = "GIF89a\1\0\1\0\0\0\0;";
	struct vc_img_limits lim;
	struct vc_img_result r;
	struct vc_buf b = VC_BUF_INIT;

	tap_ok(vc_img_sniff((const unsigned char *)"\x89PNG\r\n\x1a\n", 8) == VC_FMT_PNG, "PNG");
	tap_ok(vc_img_sniff((const unsigned char *)"\xff\xd8\xff\xe0", 4) == VC_FMT_JPEG, "JPEG");
	tap_ok(vc_img_sniff((const unsigned char *)"RIFF\0\0\0\0WEBP", 12) == VC_FMT_WEBP, "WebP");
	tap_ok(vc_img_sniff((const unsigned char *)"RIFF\0\0\0\0WAVE", 12) == VC_FMT_UNKNOWN,
	       "RIFF that is no WebP");
	tap_ok(vc_img_format_parse("JPG", 3) == VC_FMT_JPEG, "jpg names JPEG");

	vc_img_limits_default(&lim);
	vc_img_check_mem(gif, sizeof gif - 1, "a.gif", "image/gif", &lim, &r);
	tap_ok(r.format == VC_FMT_GIF && !vc_img_has(&r, "type_mismatch") &&
		       !vc_img_has(&r, "extension_mismatch"),
	       "matching name and type");
	vc_img_check_mem(gif, sizeof gif - 1, "a.jpeg", "image/png; q=1", &lim, &r);
	tap_ok(vc_img_has(&r, "type_mismatch") && vc_img_has(&r, "extension_mismatch") &&
		       r.verdict == VC_IMG_INVALID,
	       "mismatched name and type are invalid");
	vc_img_check_mem(gif, sizeof gif - 1, "a.dat", NULL, &lim, &r);
	tap_ok(!vc_img_has(&r, "extension_mismatch"), "an unknown extension is not compared");
	lim.formats = 1u << VC_FMT_PNG;
	vc_img_check_mem(gif, sizeof gif - 1, NULL, NULL, &lim, &r);
	tap_ok(r.verdict == VC_IMG_UNSUPPORTED && vc_img_has(&r, "format_not_allowed"),
	       "--formats");
	vc_img_limits_default(&lim);
	vc_img_check_mem("%PDF-1.4\n", 9, "x.png", NULL, &lim, &r);
	tap_ok(r.verdict == VC_IMG_INVALID && vc_img_has(&r, "bad_signature") &&
		       strstr(r.reasons[0].detail, "PDF"),
	       "a PDF named .png: %s", r.reasons[0].detail);
	vc_img_check_mem("%PDF-1.4\n", 9, NULL, NULL, &lim, &r);
	tap_ok(r.verdict == VC_IMG_UNSUPPORTED, "a PDF with no claim is unsupported");

	vc_img_check_mem(gif, sizeof gif - 1, NULL, NULL, &lim, &r);
	vc_img_reason(&r, VC_IMG_INVALID, "x", "say \"hi\"");
	vc_img_add_json(&b, &r);
	tap_is_str(b.p,
		   "{\"verdict\":\"invalid_image\",\"format\":\"gif\",\"width\":1,\"height\":1,"
		   "\"frames\":0,\"bytes\":14,\"reasons\":[{\"code\":\"missing_chunk\",\"detail\":"
		   "\"no image in the GIF\"},{\"code\":\"x\",\"detail\":\"say \\\"hi\\\"\"}]}",
		   "the image object");
	vc_buf_reset(&b);
	vc_img_add_point(&b, 1764150000, 1, "u-\"1", 4, "a.gif", 5, &r);
	tap_is_str(b.p,
		   "{\"ts\":1764150000,\"metric\":\"tryon.security.invalid_image\",\"value\":1,"
		   "\"tags\":{\"user_id\":\"u-\\\"1\",\"service\":\"tryonservice\"},\"path\":"
		   "\"a.gif\",\"verdict\":\"invalid_image\",\"reasons\":[{\"code\":\"missing_"
		   "chunk\",\"detail\":\"no image in the GIF\"},{\"code\":\"x\",\"detail\":"
		   "\"say \\\"hi\\\"\"}]}",
		   "a security point");
	vc_buf_reset(&b);
	vc_img_add_point(&b, 1.5, 0, NULL, 0, "p", 1, &r);
	tap_ok(strstr(b.p, "{\"ts\":1.5,\"metric\":\"tryon.upload.checked\",\"value\":1,"
			   "\"tags\":{\"service\":\"tryonservice\"}") == b.p,
	       "a checked point without a user: %s", b.p);
	vc_buf_free(&b);
	{
		unsigned f;

		tap_ok(vc_img_formats_parse("png,jpg", &f) == 0 &&
			       f == (1u << VC_FMT_PNG | 1u << VC_FMT_JPEG),
		       "formats list");
		tap_ok(vc_img_formats_parse("png,tiff", &f) < 0, "unknown format in the list");
		/* An empty item is a slip (a variable left empty), wherever
		 * it is: "png,,gif" and ",png" were refused, "png," not. */
		tap_ok(vc_img_formats_parse("png,", &f) < 0, "a trailing comma is refused");
		tap_ok(vc_img_formats_parse("png,,gif", &f) < 0, "an empty item is refused");
	}
}

int
main(void)
{
	test_reasons();
	test_limits();
	test_src();
	test_sniff_and_declared();
	return tap_done();
}
