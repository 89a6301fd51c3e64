/*
 * img_gif.c — GIF: the block chain to the trailer, frame count, frame
 * extents against the logical screen, total pixels over all frames.
 *
 * Extension data (comments, application blocks) comes in sub-blocks of at
 * most 255 bytes; they are gathered into a small buffer before the polyglot
 * scan so that a payload split across sub-blocks is still seen whole.
 */
#include <string.h>

#include "img.h"

#define GATHER  4096
#define OVERLAP 64

struct gather {
	unsigned char buf[GATHER];
	size_t len;
	uint64_t control; /* control bytes seen, for vc_poly_comment */
};

static unsigned
le16(const unsigned char *p)
{
	return (unsigned)p[1] << 8 | p[0];
}

static void
gather_flush(struct gather *g, struct vc_img_result *r, const char *where, int last)
{
	vc_poly_scan_meta(r, g->buf, g->len, where, 1);
	if (!last && g->len > OVERLAP) {
		memmove(g->buf, g->buf + g->len - OVERLAP, OVERLAP);
		g->len = OVERLAP;
	} else if (last) {
		g->len = 0;
	}
}

/* Reads the sub-blocks up to their terminator; with gather set, their
 * bytes go to the polyglot scan.  Returns bytes, or -1 if truncated. */
static int64_t
sub_blocks(struct vc_img_ctx *c, struct gather *g, const char *where)
{
	const unsigned char *p;
	int64_t total = 0;
	unsigned n;

	if (g) {
		g->len = 0;
		g->control = 0;
	}
	for (;;) {
		if ((p = vc_src_get(c->src, 1)) == NULL)
			return -1;
		if ((n = *p) == 0)
			break;
		if ((p = vc_src_get(c->src, n)) == NULL)
			return -1;
		total += n;
		if (g) {
			if (g->len + n > GATHER)
				gather_flush(g, c->res, where, 0);
			memcpy(g->buf + g->len, p, n);
			g->control += vc_poly_control_bytes(p, n);
			g->len += n;
		}
	}
	if (g)
		gather_flush(g, c->res, where, 1);
	return total;
}

static int
image(struct vc_img_ctx *c, unsigned sw, unsigned sh, uint64_t *grow_w, uint64_t *grow_h)
{
	struct vc_img_result *r = c->res;
	const unsigned char *d;
	unsigned x, y, w, h;

	if ((d = vc_src_get(c->src, 9)) == NULL)
		return -1;
	x = le16(d);
	y = le16(d + 2);
	w = le16(d + 4);
	h = le16(d + 6);
	if ((d[8] & 0x80) && vc_src_skip(c->src, 3u << ((d[8] & 7) + 1)) < 3u << ((d[8] & 7) + 1))
		return -1;
	if (x + w > sw || y + h > sh) {
		vc_img_reason(r, VC_IMG_INVALID, "frame_outside_canvas",
			      "frame %llu: %ux%u at %u,%u on a %ux%u screen",
			      (unsigned long long)r->frames + 1, w, h, x, y, sw, sh);
		/* Decoders that grow the canvas (Pillow) then allocate
		 * this much: check it as a canvas. */
		if (x + w > *grow_w)
			*grow_w = x + w;
		if (y + h > *grow_h)
			*grow_h = y + h;
	}
	vc_img_count_frame(r, c->lim, w, h);
	if ((d = vc_src_get(c->src, 1)) == NULL)
		return -1;
	if (*d < 1 || *d > 11)
		vc_img_reason(r, VC_IMG_INVALID, "bad_frame", "LZW minimum code size %u", *d);
	return sub_blocks(c, NULL, NULL) < 0 ? -1 : 0;
}

void
vc_gif_check(struct vc_img_ctx *c)
{
	static struct gather g;
	struct vc_img_result *r = c->res;
	const unsigned char *d;
	unsigned sw = 0, sh = 0;
	uint64_t grow_w = 0, grow_h = 0;
	int64_t n;
	int label;
	unsigned delay = 0, long_frame = 0;

	if ((d = vc_src_get(c->src, 13)) == NULL)
		goto truncated;
	sw = le16(d + 6);
	sh = le16(d + 8);
	r->width = sw;
	r->height = sh;
	grow_w = sw;
	grow_h = sh;
	vc_img_check_dims(r, c->lim, sw, sh, "screen");
	if ((d[10] & 0x80) &&
	    vc_src_skip(c->src, 3u << ((d[10] & 7) + 1)) < 3u << ((d[10] & 7) + 1))
		goto truncated;
	for (;;) {
		if ((d = vc_src_get(c->src, 1)) == NULL)
			goto truncated;
		if (*d == 0x3b)
			break;
		if (*d == 0x2c) {
			if (long_frame)
				vc_img_reason(r, VC_IMG_POLYGLOT, "hidden_frame",
					      "frame %u shows for %u s, hiding "
					      "the frames after it",
					      long_frame, delay / 100);
			if (image(c, sw, sh, &grow_w, &grow_h) < 0)
				goto truncated;
			/* A delay of ten minutes or more (65535 is the most
			 * there is) is how collision GIFs hide a picture. */
			if (delay >= 60000 && !long_frame)
				long_frame = (unsigned)r->frames;
			else if (!long_frame)
				delay = 0;
			continue;
		}
		if (*d != 0x21) {
			vc_img_reason(r, VC_IMG_INVALID, "bad_block",
				      "byte 0x%02x at %llu where a block should "
				      "start",
				      *d, (unsigned long long)vc_src_tell(c->src) - 1);
			goto end;
		}
		if ((d = vc_src_get(c->src, 1)) == NULL)
			goto truncated;
		label = *d;
		if (label == 0xf9 && !long_frame) {
			if (vc_src_fill(c->src, 4) >= 4 && c->src->mem[c->src->pos] == 4)
				delay = le16(c->src->mem + c->src->pos + 2);
		}
		if (label == 0xfe || label == 0xff || label == 0x01) {
			n = sub_blocks(c, &g, label == 0xfe ? "a GIF comment" : "a GIF extension");
			if (n > 0 && label == 0xfe)
				vc_poly_comment(r, (uint64_t)n, g.control, "a GIF comment");
		} else {
			n = sub_blocks(c, NULL, NULL);
		}
		if (n < 0)
			goto truncated;
	}
	if (r->frames == 0)
		vc_img_reason(r, VC_IMG_INVALID, "missing_chunk", "no image in the GIF");
	if (grow_w > sw || grow_h > sh)
		vc_img_check_dims(r, c->lim, grow_w, grow_h, "canvas grown by frames to");
	vc_poly_trailing(c, "the GIF trailer");
	return;
truncated:
	vc_img_reason(r, VC_IMG_INVALID, "truncated", "the file ends before the GIF trailer");
end:
	if (grow_w > sw || grow_h > sh)
		vc_img_check_dims(r, c->lim, grow_w, grow_h, "canvas grown by frames to");
}
