/*
 * img_webp.c — WebP: the RIFF size against the file, chunk sizes inside
 * it, the VP8/VP8L/VP8X headers for dimensions, ANMF frames and their
 * extents on the canvas.  Bytes past the RIFF size are trailing data.
 */
#include <string.h>

#include "img.h"

struct webp {
	struct vc_img_ctx *c;
	uint64_t cw, ch; /* canvas, from VP8X or the one image */
	int vp8x, anim_flag, images, anmf, nchunks;
};

static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint32_t
le24(const unsigned char *p)
{
	return (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* Dimensions of a VP8 or VP8L bitstream header; -1 if malformed. */
static int
image_dims(const char *cc, const unsigned char *d, size_t n, uint64_t size, uint32_t *w,
	   uint32_t *h)
{
	uint32_t bits;

	if (memcmp(cc, "VP8 ", 4) == 0) {
		/* A key frame that is shown, profile 0-3, its first
		 * partition inside the chunk (what libwebp checks). */
		if (n < 10 || (d[0] & 1) || ((d[0] >> 1) & 7) > 3 || !((d[0] >> 4) & 1) ||
		    d[3] != 0x9d || d[4] != 0x01 || d[5] != 0x2a ||
		    10 + ((d[0] | (uint32_t)d[1] << 8 | (uint32_t)d[2] << 16) >> 5) > size)
			return -1;
		*w = (d[6] | (uint32_t)d[7] << 8) & 0x3fff;
		*h = (d[8] | (uint32_t)d[9] << 8) & 0x3fff;
		return *w && *h ? 0 : -1;
	}
	if (n < 5 || d[0] != 0x2f)
		return -1;
	bits = le32(d + 1);
	*w = (bits & 0x3fff) + 1;
	*h = ((bits >> 14) & 0x3fff) + 1;
	return bits >> 29 == 0 ? 0 : -1; /* version must be 0 */
}

static void
image_chunk(struct webp *b, const char *cc, const unsigned char *d, size_t n, uint64_t size)
{
	struct vc_img_result *r = b->c->res;
	uint32_t w, h;

	if (image_dims(cc, d, n, size, &w, &h) < 0) {
		vc_img_reason(r, VC_IMG_INVALID, "bad_chunk", "%.4s header is malformed", cc);
		return;
	}
	if (++b->images > 1 && !b->anmf)
		vc_img_reason(r, VC_IMG_INVALID, "bad_chunk",
			      "a second image outside an animation");
	if (!b->vp8x) {
		b->cw = w;
		b->ch = h;
		r->width = w;
		r->height = h;
		vc_img_check_dims(r, b->c->lim, w, h, "image");
		vc_img_count_frame(r, b->c->lim, w, h);
	} else if (!b->anmf && (w != b->cw || h != b->ch)) {
		vc_img_reason(r, VC_IMG_INVALID, "bad_chunk", "image %ux%u on a %llux%llu canvas",
			      w, h, (unsigned long long)b->cw, (unsigned long long)b->ch);
	}
}

static void
vp8x(struct webp *b, const unsigned char *d, size_t n)
{
	struct vc_img_result *r = b->c->res;

	if (b->nchunks != 1 || n < 10) {
		vc_img_reason(r, VC_IMG_INVALID, "bad_chunk", "VP8X not first or short");
		return;
	}
	b->vp8x = 1;
	b->anim_flag = (d[0] & 0x02) != 0;
	b->cw = (uint64_t)le24(d + 4) + 1;
	b->ch = (uint64_t)le24(d + 7) + 1;
	r->width = b->cw;
	r->height = b->ch;
	if (b->cw * b->ch > 0xffffffffULL)
		vc_img_reason(r, VC_IMG_INVALID, "bad_chunk",
			      "canvas %llux%llu does not fit 32 bits", (unsigned long long)b->cw,
			      (unsigned long long)b->ch);
	vc_img_check_dims(r, b->c->lim, b->cw, b->ch, "canvas");
}

static void
anmf(struct webp *b, const unsigned char *d, size_t n)
{
	struct vc_img_result *r = b->c->res;
	uint64_t x, y, w, h;

	b->anmf = 1;
	if (!b->anim_flag || n < 16 + 8) {
		vc_img_reason(r, VC_IMG_INVALID, "bad_chunk",
			      "ANMF without the animation flag, or short");
		return;
	}
	x = 2ULL * le24(d);
	y = 2ULL * le24(d + 3);
	w = (uint64_t)le24(d + 6) + 1;
	h = (uint64_t)le24(d + 9) + 1;
	if (x + w > b->cw || y + h > b->ch)
		vc_img_reason(r, VC_IMG_INVALID, "frame_outside_canvas",
			      "frame %llu: %llux%llu at %llu,%llu on a "
			      "%llux%llu canvas",
			      (unsigned long long)r->frames + 1, (unsigned long long)w,
			      (unsigned long long)h, (unsigned long long)x, (unsigned long long)y,
			      (unsigned long long)b->cw, (unsigned long long)b->ch);
	vc_img_count_frame(r, b->c->lim, w, h);
	/* The frame's first sub-chunk: ALPH, VP8 or VP8L. */
	if (memcmp(d + 16, "ALPH", 4) != 0 && memcmp(d + 16, "VP8 ", 4) != 0 &&
	    memcmp(d + 16, "VP8L", 4) != 0)
		vc_img_reason(r, VC_IMG_INVALID, "bad_chunk", "ANMF frame starts with %.4s",
			      d + 16);
}

void
vc_webp_check(struct vc_img_ctx *c)
{
	struct webp b;
	struct vc_src *s = c->src;
	struct vc_img_result *r = c->res;
	const unsigned char *d, *p;
	uint64_t end, size, left, done;
	char cc[4];
	size_t have, n;
	int meta;

	memset(&b, 0, sizeof b);
	b.c = c;
	if ((d = vc_src_get(s, 12)) == NULL)
		goto truncated;
	end = 8 + (uint64_t)le32(d + 4);
	if (end < 12 + 8) {
		vc_img_reason(r, VC_IMG_INVALID, "bad_riff", "RIFF size %llu holds no chunk",
			      (unsigned long long)end - 8);
		return;
	}
	while (vc_src_tell(s) < end) {
		if (vc_src_tell(s) + 8 > end) {
			vc_img_reason(r, VC_IMG_INVALID, "bad_riff",
				      "chunk header past the RIFF size");
			break;
		}
		if ((d = vc_src_get(s, 8)) == NULL)
			goto truncated;
		memcpy(cc, d, 4);
		size = le32(d + 4);
		b.nchunks++;
		if (vc_src_tell(s) + size > end) {
			vc_img_reason(r, VC_IMG_INVALID, "bad_riff",
				      "%.4s of %llu bytes runs past the RIFF "
				      "size",
				      cc, (unsigned long long)size);
			break;
		}
		have = vc_src_fill(s, size);
		if (have < size && have < VC_SRC_WINDOW)
			goto truncated;
		d = s->mem + s->pos;
		meta = 0;
		if (memcmp(cc, "VP8X", 4) == 0)
			vp8x(&b, d, have);
		else if (memcmp(cc, "VP8 ", 4) == 0 || memcmp(cc, "VP8L", 4) == 0)
			image_chunk(&b, cc, d, have, size);
		else if (memcmp(cc, "ANMF", 4) == 0)
			anmf(&b, d, have);
		else if (memcmp(cc, "ALPH", 4) == 0) {
			/* Compression 0-1, preprocessing 0-1, reserved 0. */
			if (size < 1 || (d[0] & 3) > 1 || ((d[0] >> 4) & 3) > 1 || (d[0] >> 6))
				vc_img_reason(r, VC_IMG_INVALID, "bad_chunk", "ALPH header 0x%02x",
					      size ? d[0] : 0);
		} else if (memcmp(cc, "ANIM", 4) == 0)
			;
		else
			meta = 1;
		if (b.nchunks == 1 && !b.vp8x && !b.images)
			vc_img_reason(r, VC_IMG_INVALID, "bad_chunk",
				      "first chunk %.4s is no image header", cc);
		/* Chunks are padded to an even size. */
		left = size + (size & 1);
		if (vc_src_tell(s) + left > end)
			left = end - vc_src_tell(s);
		for (done = 0; done < left; done += n) {
			if ((n = vc_src_piece(s, left - done, &p)) == 0) {
				if (done >= size)
					break; /* a missing pad byte */
				goto truncated;
			}
			if (meta)
				vc_poly_scan_meta(r, p, n, "a WebP chunk",
						  memcmp(cc, "EXIF", 4) != 0);
		}
	}
	if (!b.images && !b.anmf)
		vc_img_reason(r, VC_IMG_INVALID, "missing_chunk", "no image data");
	if (b.anim_flag && !b.anmf)
		vc_img_reason(r, VC_IMG_INVALID, "missing_chunk", "animation flag without frames");
	vc_poly_trailing(c, "the RIFF size");
	return;
truncated:
	vc_img_reason(r, VC_IMG_INVALID, "truncated", "the file ends before the RIFF size says");
}
