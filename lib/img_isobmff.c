/*
 * img_isobmff.c — HEIC and AVIF: the box structure of the file and the
 * image dimensions from the ispe properties (meta/iprp/ipco/ispe), before
 * any HEVC or AV1 decoder sees them.  mdat is skipped, never decoded.
 */
#include <string.h>

#include "img.h"

#define MAX_DEPTH 8

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int
is_fourcc(const unsigned char *t)
{
	int i;

	for (i = 0; i < 4; i++)
		if (!((t[i] >= 'a' && t[i] <= 'z') || (t[i] >= 'A' && t[i] <= 'Z') ||
		      (t[i] >= '0' && t[i] <= '9') || t[i] == ' ' || t[i] == '-'))
			return 0;
	return 1;
}

/* The boxes a HEIF file has at its top level (ISO/IEC 14496-12, 23008-12);
 * anything else there is no box but appended data. */
static int
is_top_level(const unsigned char *t)
{
	static const char *const names[] = {"ftyp", "meta", "mdat", "moov", "free", "skip",
					    "uuid", "wide", "pdin", "moof", "mfra", "styp",
					    "sidx", "prft", "emsg", "meco", "idat"};
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (memcmp(t, names[i], 4) == 0)
			return 1;
	return 0;
}

enum vc_img_format
vc_isobmff_sniff(const unsigned char *p, size_t n)
{
	static const char *const heic[] = {"heic", "heix", "heim", "heis", "hevc", "hevx"};
	uint32_t size;
	size_t i;

	if (n < 16 || memcmp(p + 4, "ftyp", 4) != 0)
		return VC_FMT_UNKNOWN;
	if (memcmp(p + 8, "avif", 4) == 0 || memcmp(p + 8, "avis", 4) == 0)
		return VC_FMT_AVIF;
	for (i = 0; i < sizeof heic / sizeof heic[0]; i++)
		if (memcmp(p + 8, heic[i], 4) == 0)
			return VC_FMT_HEIC;
	if (memcmp(p + 8, "mif1", 4) != 0 && memcmp(p + 8, "msf1", 4) != 0)
		return VC_FMT_UNKNOWN;
	/* A generic HEIF brand: the compatible brands say which codec. */
	size = be32(p);
	for (i = 16; i + 4 <= size && i + 4 <= n; i += 4)
		if (memcmp(p + i, "avif", 4) == 0 || memcmp(p + i, "avis", 4) == 0)
			return VC_FMT_AVIF;
	return VC_FMT_HEIC;
}

/* Walks boxes in p[0..n) looking for ispe; returns -1 on a bad size. */
static int
walk(struct vc_img_ctx *c, const unsigned char *p, size_t n, int depth, int *ispe)
{
	struct vc_img_result *r = c->res;
	size_t off = 0;
	uint32_t size, w, h;

	while (off + 8 <= n) {
		size = be32(p + off);
		if (size < 8 || size > n - off || !is_fourcc(p + off + 4))
			return -1;
		if (memcmp(p + off + 4, "ispe", 4) == 0) {
			if (size < 20)
				return -1;
			w = be32(p + off + 12);
			h = be32(p + off + 16);
			vc_img_check_dims(r, c->lim, w, h, "ispe");
			if ((uint64_t)w * h >= r->width * r->height) {
				r->width = w;
				r->height = h;
			}
			if (w == 0 || h == 0)
				vc_img_reason(r, VC_IMG_INVALID, "bad_chunk", "ispe of %ux%u", w,
					      h);
			(*ispe)++;
		} else if ((memcmp(p + off + 4, "iprp", 4) == 0 ||
			    memcmp(p + off + 4, "ipco", 4) == 0) &&
			   depth < MAX_DEPTH) {
			if (walk(c, p + off + 8, size - 8, depth + 1, ispe) < 0)
				return -1;
		}
		off += size;
	}
	return off == n ? 0 : -1;
}

/* The meta box's payload (a FullBox: 4 bytes of version and flags). */
static void
meta(struct vc_img_ctx *c, uint64_t len, int *ispe)
{
	struct vc_src *s = c->src;
	const unsigned char *p;

	if (len < 4 || len > VC_SRC_WINDOW) {
		vc_img_reason(c->res, VC_IMG_INVALID, "bad_chunk", "meta box of %llu bytes",
			      (unsigned long long)len);
		vc_src_skip(s, len);
		return;
	}
	if ((p = vc_src_get(s, (size_t)len)) == NULL) {
		vc_img_reason(c->res, VC_IMG_INVALID, "truncated", "the file ends inside meta");
		return;
	}
	if (walk(c, p + 4, (size_t)len - 4, 0, ispe) < 0)
		vc_img_reason(c->res, VC_IMG_INVALID, "bad_chunk", "a box in meta has a bad size");
	vc_poly_scan_meta(c->res, p + 4, (size_t)len - 4, "a HEIF meta box", 0);
}

void
vc_isobmff_check(struct vc_img_ctx *c)
{
	struct vc_src *s = c->src;
	struct vc_img_result *r = c->res;
	const unsigned char *h;
	uint64_t size, hdr;
	int nboxes = 0, ispe = 0, have_meta = 0;
	char type[4];

	for (;;) {
		size_t have = vc_src_fill(s, 16);

		if (have == 0)
			break;
		h = s->mem + s->pos;
		/* Anything that is no box after the boxes is appended data. */
		if (have < 8 || !is_top_level(h + 4)) {
			if (nboxes == 0)
				vc_img_reason(r, VC_IMG_INVALID, "bad_chunk", "no box");
			vc_poly_trailing(c, "the last box");
			break;
		}
		memcpy(type, h + 4, 4);
		size = be32(h);
		hdr = 8;
		if (size == 1) {
			if (have < 16)
				goto truncated;
			size = (uint64_t)be32(h + 8) << 32 | be32(h + 12);
			hdr = 16;
		}
		nboxes++;
		if (nboxes == 1 && memcmp(type, "ftyp", 4) != 0)
			vc_img_reason(r, VC_IMG_INVALID, "chunk_order", "%.4s before ftyp", type);
		if (size == 0) {
			/* To the end of the file: only mdat may. */
			vc_src_skip(s, UINT64_MAX);
			break;
		}
		if (size < hdr) {
			vc_img_reason(r, VC_IMG_INVALID, "bad_chunk", "%.4s box of %llu bytes",
				      type, (unsigned long long)size);
			return;
		}
		vc_src_skip(s, hdr);
		if (memcmp(type, "meta", 4) == 0) {
			have_meta = 1;
			meta(c, size - hdr, &ispe);
		} else if (vc_src_skip(s, size - hdr) < size - hdr) {
			goto truncated;
		}
	}
	if (!have_meta || ispe == 0)
		vc_img_reason(r, VC_IMG_INVALID, "missing_chunk", "no ispe property in meta");
	else
		vc_img_count_frame(r, c->lim, r->width, r->height);
	return;
truncated:
	vc_img_reason(r, VC_IMG_INVALID, "truncated", "the file ends inside a %.4s box", type);
}
