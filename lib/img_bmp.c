/*
 * img_bmp.c — BMP: file and DIB headers, plane and bit-count sanity,
 * the palette and pixel array against the file, trailing data.
 */
#include <string.h>

#include "img.h"

static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static unsigned
le16(const unsigned char *p)
{
	return (unsigned)p[1] << 8 | p[0];
}

void
vc_bmp_check(struct vc_img_ctx *c)
{
	struct vc_img_result *r = c->res;
	const unsigned char *d;
	uint32_t off, dib, comp = 0, img_size = 0, colors = 0;
	int64_t w, h;
	unsigned planes, bpp;
	uint64_t row, data, pos;

	if ((d = vc_src_get(c->src, 18)) == NULL)
		goto truncated;
	off = le32(d + 10);
	dib = le32(d + 14);
	if (dib != 12 && dib != 16 && dib != 40 && dib != 52 && dib != 56 && dib != 64 &&
	    dib != 108 && dib != 124) {
		vc_img_reason(r, VC_IMG_INVALID, "bad_header", "DIB header of %u bytes", dib);
		return;
	}
	if ((d = vc_src_get(c->src, dib - 4)) == NULL)
		goto truncated;
	if (dib == 12) {
		w = le16(d);
		h = le16(d + 2);
		planes = le16(d + 4);
		bpp = le16(d + 6);
	} else {
		w = (int32_t)le32(d);
		h = (int32_t)le32(d + 4);
		planes = le16(d + 8);
		bpp = le16(d + 10);
		if (dib >= 40) {
			comp = le32(d + 12);
			img_size = le32(d + 16);
			colors = le32(d + 28);
		}
	}
	r->width = w < 0 ? (uint64_t)-w : (uint64_t)w;
	r->height = h < 0 ? (uint64_t)-h : (uint64_t)h;
	if (w <= 0 || h == 0 || h == INT32_MIN || planes != 1) {
		vc_img_reason(r, VC_IMG_INVALID, "bad_header", "%lldx%lld with %u planes",
			      (long long)w, (long long)h, planes);
		return;
	}
	if (bpp != 1 && bpp != 4 && bpp != 8 && bpp != 16 && bpp != 24 && bpp != 32) {
		vc_img_reason(r, VC_IMG_INVALID, "bad_header", "%u bits per pixel", bpp);
		return;
	}
	if (comp > 6 || (comp == 1 && bpp != 8) || (comp == 2 && bpp != 4) ||
	    ((comp == 1 || comp == 2) && h < 0) || (bpp <= 8 && colors > (1u << bpp))) {
		vc_img_reason(r, VC_IMG_INVALID, "bad_header",
			      "compression %u with %u bits, %u colours", comp, bpp, colors);
		return;
	}
	vc_img_check_dims(r, c->lim, r->width, r->height, "BMP");
	vc_img_count_frame(r, c->lim, r->width, r->height);
	if (r->verdict >= VC_IMG_BOMB)
		return;
	pos = vc_src_tell(c->src);
	if (off < pos) {
		vc_img_reason(r, VC_IMG_INVALID, "bad_header",
			      "pixel data at %u inside the headers", off);
		return;
	}
	/* Uncompressed rows are padded to 4 bytes; compressed data is as
	 * long as the header says (0 there: to the end of the file). */
	row = ((r->width * bpp + 31) / 32) * 4;
	if (comp == 0 || comp == 3 || comp == 6)
		data = row * r->height;
	else
		data = img_size ? img_size : UINT64_MAX;
	if (vc_src_skip(c->src, off - pos) < off - pos)
		goto truncated;
	if (data == UINT64_MAX) {
		vc_src_skip(c->src, UINT64_MAX);
		return;
	}
	if (vc_src_skip(c->src, data) < data)
		goto truncated;
	vc_poly_trailing(c, "the pixel array");
	return;
truncated:
	vc_img_reason(r, VC_IMG_INVALID, "truncated", "the file ends inside the BMP %s",
		      r->width ? "pixel array" : "headers");
}
