/*
 * img_png.c — PNG and APNG: the chunk walk, CRCs, IHDR, chunk order, and
 * a streaming inflate of IDAT into a fixed scratch buffer that proves the
 * image data is complete and exactly as long as IHDR says (more is a
 * bomb, less is truncated).  zTXt, iTXt and iCCP are inflated the same
 * way, with caps per chunk and per file, as Pillow caps them.
 */
#include <string.h>
#include <zlib.h>

#include "img.h"

struct png {
	struct vc_img_ctx *c;
	uint32_t w, h;
	int depth, ctype, interlace;
	int have_ihdr, have_plte, have_iend, nchunks;
	int idat;  /* 0 none yet, 1 in the IDAT run, 2 after it */
	int fatal; /* the walk cannot go on */
	/* The image data stream. */
	z_stream z;
	int z_ready, z_on, z_end;
	int corrupt; /* a row with a bad filter type: decoders stop there */
	uint64_t expected, produced;
	/* Where the filter-type byte of the next row is. */
	uint64_t pass_w[7], pass_h[7], rowlen;
	int pass;
	uint64_t row, inrow;
	/* The text stream, reset per chunk. */
	z_stream t;
	int t_ready;
	/* APNG */
	int actl;
	uint32_t num_frames, fctl, seq;
};

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int
is_letter(unsigned char b)
{
	return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z');
}

static int
channels(int ctype)
{
	switch (ctype) {
	case 0:
		return 1;
	case 2:
		return 3;
	case 3:
		return 1;
	case 4:
		return 2;
	case 6:
		return 4;
	}
	return 0;
}

/* Moves to the next pass that has pixels; rowlen 0 when none is left. */
static void
next_pass(struct png *g)
{
	uint64_t bpp = (uint64_t)g->depth * channels(g->ctype);

	g->row = g->inrow = 0;
	g->rowlen = 0;
	while (++g->pass < 7) {
		if (g->pass_w[g->pass] && g->pass_h[g->pass]) {
			g->rowlen = 1 + (g->pass_w[g->pass] * bpp + 7) / 8;
			return;
		}
	}
}

/* Sets up the expected size of the inflated image data, pass by pass. */
static void
plan_passes(struct png *g)
{
	static const int x0[7] = {0, 4, 0, 2, 0, 1, 0};
	static const int y0[7] = {0, 0, 4, 0, 2, 0, 1};
	static const int dx[7] = {8, 8, 4, 4, 2, 2, 1};
	static const int dy[7] = {8, 8, 8, 4, 4, 2, 2};
	uint64_t bpp = (uint64_t)g->depth * channels(g->ctype);
	int i;

	memset(g->pass_w, 0, sizeof g->pass_w);
	memset(g->pass_h, 0, sizeof g->pass_h);
	if (!g->interlace) {
		g->pass_w[0] = g->w;
		g->pass_h[0] = g->h;
	} else {
		for (i = 0; i < 7; i++) {
			g->pass_w[i] =
				g->w > (uint32_t)x0[i] ? (g->w - x0[i] + dx[i] - 1) / dx[i] : 0;
			g->pass_h[i] =
				g->h > (uint32_t)y0[i] ? (g->h - y0[i] + dy[i] - 1) / dy[i] : 0;
		}
	}
	g->expected = 0;
	for (i = 0; i < 7; i++)
		if (g->pass_w[i] && g->pass_h[i])
			g->expected += g->pass_h[i] * (1 + (g->pass_w[i] * bpp + 7) / 8);
	g->pass = -1;
	next_pass(g);
}

/* Checks the filter-type byte at the start of every row in p[0..n). */
static void
check_rows(struct png *g, const unsigned char *p, size_t n)
{
	uint64_t take;

	while (n > 0 && g->rowlen > 0) {
		if (g->inrow == 0 && p[0] > 4) {
			vc_img_reason(g->c->res, VC_IMG_INVALID, "bad_filter",
				      "row %llu has filter type %u", (unsigned long long)g->row,
				      p[0]);
			g->corrupt = 1;
			return;
		}
		take = g->rowlen - g->inrow;
		if (take > n)
			take = n;
		g->inrow += take;
		p += take;
		n -= (size_t)take;
		if (g->inrow == g->rowlen) {
			g->inrow = 0;
			if (++g->row == g->pass_h[g->pass])
				next_pass(g);
		}
	}
}

/* Inflates one piece of IDAT into the scratch buffer. */
static void
idat_feed(struct png *g, const unsigned char *p, size_t n)
{
	struct vc_img_result *r = g->c->res;
	size_t out;
	int ret;

	if (!g->z_on || n == 0)
		return;
	if (g->z_end) {
		vc_img_reason(r, VC_IMG_INVALID, "extra_image_data",
			      "IDAT goes on after the zlib stream ended");
		g->z_on = 0;
		return;
	}
	g->z.next_in = (unsigned char *)p;
	g->z.avail_in = (uInt)n;
	while (g->z.avail_in > 0) {
		g->z.next_out = g->c->scratch;
		g->z.avail_out = VC_IMG_SCRATCH;
		ret = inflate(&g->z, Z_NO_FLUSH);
		out = VC_IMG_SCRATCH - g->z.avail_out;
		if (g->produced + out > g->expected) {
			/* Past the promise: a decoder would stop here, so a
			 * little more is a broken file; much more (twice,
			 * and a MiB) is a stream built to be inflated. */
			if (g->produced < g->expected)
				check_rows(g, g->c->scratch, (size_t)(g->expected - g->produced));
			if (g->produced + out > 2 * g->expected + (1 << 20)) {
				vc_img_reason(r, VC_IMG_BOMB, "image_data_overflow",
					      "IDAT inflates past twice the %llu "
					      "bytes IHDR promises",
					      (unsigned long long)g->expected);
				g->z_on = 0;
				return;
			}
		} else {
			check_rows(g, g->c->scratch, out);
		}
		if (g->corrupt) {
			/* Every decoder stops at a bad row, so inflating on
			 * can find nothing a decoder would ever meet. */
			g->z_on = 0;
			return;
		}
		g->produced += out;
		if (ret == Z_STREAM_END) {
			g->z_end = 1;
			if (g->z.avail_in > 0) {
				vc_img_reason(r, VC_IMG_INVALID, "extra_image_data",
					      "%u bytes after the end of the zlib "
					      "stream in IDAT",
					      g->z.avail_in);
				g->z_on = 0;
			}
			return;
		}
		if (ret != Z_OK && ret != Z_BUF_ERROR) {
			vc_img_reason(r, VC_IMG_INVALID, "zlib_error", "IDAT: %s",
				      g->z.msg ? g->z.msg : "bad zlib stream");
			g->z_on = 0;
			return;
		}
		if (ret == Z_BUF_ERROR && g->z.avail_out > 0)
			return;
	}
}

/* Inflates compressed text or ICC bytes with the caps; ret -1 stops. */
static int
text_feed(struct png *g, const unsigned char *p, size_t n, const char *type, uint64_t *chunk_out)
{
	const struct vc_img_limits *lim = g->c->lim;
	struct vc_img_result *r = g->c->res;
	size_t out;
	int ret;

	g->t.next_in = (unsigned char *)p;
	g->t.avail_in = (uInt)n;
	while (g->t.avail_in > 0) {
		g->t.next_out = g->c->scratch;
		g->t.avail_out = VC_IMG_SCRATCH;
		ret = inflate(&g->t, Z_NO_FLUSH);
		out = VC_IMG_SCRATCH - g->t.avail_out;
		*chunk_out += out;
		r->text_total += out;
		if (*chunk_out > lim->max_text) {
			vc_img_reason(r, VC_IMG_BOMB, "text_bomb", "%.4s inflates past %llu bytes",
				      type, (unsigned long long)lim->max_text);
			return -1;
		}
		if (r->text_total > lim->max_text_total) {
			vc_img_reason(r, VC_IMG_BOMB, "text_total_bomb",
				      "text and ICC chunks inflate past %llu "
				      "bytes in all",
				      (unsigned long long)lim->max_text_total);
			return -1;
		}
		vc_poly_scan_meta(r, g->c->scratch, out, type, 1);
		if (ret == Z_STREAM_END)
			return 1;
		if (ret != Z_OK && ret != Z_BUF_ERROR) {
			vc_img_reason(r, VC_IMG_INVALID, "bad_text", "%.4s: %s", type,
				      g->t.msg ? g->t.msg : "bad zlib stream");
			return -1;
		}
		if (ret == Z_BUF_ERROR && g->t.avail_out > 0)
			return 0;
	}
	return 0;
}

static void
ihdr(struct png *g, const unsigned char *d, uint32_t len)
{
	struct vc_img_result *r = g->c->res;
	static const unsigned char ok_depths[7] = {
		/* per colour type, the allowed depths as a bit mask */
		0x1f, 0, 0x18, 0x0f, 0x18, 0, 0x18,
	};
	int bad = 0;

	if (g->have_ihdr) {
		vc_img_reason(r, VC_IMG_INVALID, "duplicate_chunk", "a second IHDR");
		return;
	}
	g->have_ihdr = 1;
	if (len != 13) {
		vc_img_reason(r, VC_IMG_INVALID, "bad_ihdr", "IHDR of %u bytes", len);
		return;
	}
	g->w = be32(d);
	g->h = be32(d + 4);
	g->depth = d[8];
	g->ctype = d[9];
	g->interlace = d[12];
	r->width = g->w;
	r->height = g->h;
	if (g->w == 0 || g->h == 0 || g->w > 0x7fffffff || g->h > 0x7fffffff) {
		vc_img_reason(r, VC_IMG_INVALID, "bad_ihdr", "dimensions %ux%u", g->w, g->h);
		bad = 1;
	}
	if (g->ctype > 6 || g->depth == 0 || g->depth > 16 || (g->depth & (g->depth - 1)) != 0 ||
	    !(ok_depths[g->ctype] & g->depth)) {
		vc_img_reason(r, VC_IMG_INVALID, "bad_ihdr", "colour type %d with bit depth %d",
			      g->ctype, g->depth);
		bad = 1;
	}
	if (d[10] != 0 || d[11] != 0 || d[12] > 1) {
		vc_img_reason(r, VC_IMG_INVALID, "bad_ihdr",
			      "compression %u, filter %u, interlace %u", d[10], d[11], d[12]);
		bad = 1;
	}
	if (bad)
		return;
	vc_img_check_dims(r, g->c->lim, g->w, g->h, "IHDR");
	plan_passes(g);
	/* A header that is already a bomb is not inflated: its IDAT could
	 * cost minutes of CPU for nothing. */
	if (r->verdict < VC_IMG_BOMB && inflateInit(&g->z) == Z_OK) {
		g->z_ready = g->z_on = 1;
	}
}

static void
fctl(struct png *g, const unsigned char *d, uint32_t len)
{
	struct vc_img_result *r = g->c->res;
	uint32_t fw, fh, fx, fy;

	if (len != 26) {
		vc_img_reason(r, VC_IMG_INVALID, "bad_fctl", "fcTL of %u bytes", len);
		return;
	}
	if (be32(d) != g->seq)
		vc_img_reason(r, VC_IMG_INVALID, "bad_sequence", "fcTL sequence %u, expected %u",
			      be32(d), g->seq);
	g->seq = be32(d) + 1;
	fw = be32(d + 4);
	fh = be32(d + 8);
	fx = be32(d + 12);
	fy = be32(d + 16);
	g->fctl++;
	if (fw == 0 || fh == 0 || (uint64_t)fx + fw > g->w || (uint64_t)fy + fh > g->h)
		vc_img_reason(r, VC_IMG_INVALID, "frame_outside_canvas",
			      "frame %u: %ux%u at %u,%u on a %ux%u canvas", g->fctl, fw, fh, fx, fy,
			      g->w, g->h);
	vc_img_check_dims(r, g->c->lim, fw, fh, "frame");
	vc_img_count_frame(r, g->c->lim, fw, fh);
}

/* Chunks that must come before the image data. */
static int
before_idat(const char *t)
{
	static const char *const names[] = {
		"PLTE", "tRNS", "cHRM", "gAMA", "iCCP", "sBIT", "sRGB", "bKGD", "hIST",
		"pHYs", "sPLT", "acTL", "oFFs", "pCAL", "sCAL", "cICP", "mDCv", "cLLi",
	};
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (memcmp(t, names[i], 4) == 0)
			return 1;
	return 0;
}

static int
is_known(const char *t)
{
	static const char *const names[] = {
		"IHDR", "PLTE", "IDAT", "IEND", "tEXt", "zTXt", "iTXt", "tIME", "fcTL", "fdAT",
	};
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (memcmp(t, names[i], 4) == 0)
			return 1;
	return before_idat(t);
}

/* Order rules checked before a chunk's data is read. */
static void
check_order(struct png *g, const char *t)
{
	struct vc_img_result *r = g->c->res;

	if (g->nchunks == 1 && memcmp(t, "IHDR", 4) != 0)
		vc_img_reason(r, VC_IMG_INVALID, "chunk_order", "%.4s before IHDR", t);
	if (memcmp(t, "IDAT", 4) == 0) {
		if (g->idat == 2)
			vc_img_reason(r, VC_IMG_INVALID, "chunk_order",
				      "IDAT chunks are not consecutive");
		if (g->ctype == 3 && !g->have_plte)
			vc_img_reason(r, VC_IMG_INVALID, "missing_chunk",
				      "palette image without PLTE before IDAT");
		g->idat = 1;
		return;
	}
	if (g->idat == 1)
		g->idat = 2;
	if (g->idat && before_idat(t))
		vc_img_reason(r, VC_IMG_INVALID, "chunk_order", "%.4s after IDAT", t);
	if (!(t[0] & 0x20) && !is_known(t))
		vc_img_reason(r, VC_IMG_INVALID, "unknown_critical", "unknown critical chunk %.4s",
			      t);
}

/* The compressed part of a zTXt/iTXt/iCCP chunk starts at *off; returns
 * 0 when the chunk is not compressed, -1 when its header is bad. */
static int
text_header(struct png *g, const char *t, const unsigned char *d, size_t have, uint32_t len,
	    uint32_t *off)
{
	const unsigned char *nul = memchr(d, 0, have < 80 ? have : 80);
	const unsigned char *q;
	size_t rest;

	if (nul == NULL || nul == d)
		return -1;
	*off = (uint32_t)(nul - d) + 1;
	if (memcmp(t, "tEXt", 4) == 0) {
		if (nul - d == 7 && memcmp(d, "profile", 7) == 0 && *off < have &&
		    (d[*off] == '/' || memmem(d + *off, have - *off, "../", 3)))
			vc_img_reason(g->c->res, VC_IMG_POLYGLOT, "profile_path",
				      "tEXt profile names a file path "
				      "(CVE-2022-44268)");
		return 0;
	}
	if (memcmp(t, "iTXt", 4) == 0) {
		if (*off + 2 > len || *off + 2 > have)
			return -1;
		if (d[*off] > 1 || d[*off + 1] != 0)
			return -1;
		if (d[*off] == 0) {
			*off += 2;
			return 0;
		}
		q = d + *off + 2;
		rest = have - (*off + 2);
		/* language tag and translated keyword */
		if ((nul = memchr(q, 0, rest)) == NULL)
			return -1;
		rest -= (size_t)(nul + 1 - q);
		q = nul + 1;
		if ((nul = memchr(q, 0, rest)) == NULL)
			return -1;
		*off = (uint32_t)(nul + 1 - d);
		return 1;
	}
	/* zTXt, iCCP: a method byte, which must be 0 (zlib). */
	if (*off + 1 > len || *off + 1 > have || d[*off] != 0)
		return -1;
	*off += 1;
	return 1;
}

/* One chunk's data: reads len bytes and returns the CRC over type+data,
 * or sets g->fatal on truncation. */
static uint32_t
chunk_data(struct png *g, const char *t, uint32_t len)
{
	struct vc_src *s = g->c->src;
	struct vc_img_result *r = g->c->res;
	size_t have = vc_src_fill(s, len);
	const unsigned char *d = s->mem + s->pos, *p;
	uint32_t crc = crc32(0, (const unsigned char *)t, 4);
	uint32_t done = 0, text_off = 0;
	uint64_t text_out = 0;
	int text = 0, is_idat = 0, meta = 0;
	size_t n;

	if (have < len && have < VC_SRC_WINDOW) {
		vc_img_reason(r, VC_IMG_INVALID, "truncated", "the file ends inside %.4s", t);
		g->fatal = 1;
		return 0;
	}
	if (memcmp(t, "IHDR", 4) == 0) {
		ihdr(g, d, len);
	} else if (memcmp(t, "PLTE", 4) == 0) {
		if (g->have_plte)
			vc_img_reason(r, VC_IMG_INVALID, "duplicate_chunk", "a second PLTE");
		g->have_plte = 1;
		if (len == 0 || len % 3 || len / 3 > 256 ||
		    (g->ctype == 3 && len / 3 > (1u << g->depth)) || g->ctype == 0 || g->ctype == 4)
			vc_img_reason(r, VC_IMG_INVALID, "bad_plte",
				      "PLTE of %u bytes for colour type %d", len, g->ctype);
	} else if (memcmp(t, "IDAT", 4) == 0) {
		is_idat = 1;
		/* Decoders stop at an IDAT whose CRC fails; so does the
		 * inflate, when the chunk fits the window to be checked
		 * first.  Broken files then cost no more than they must. */
		if (g->z_on && (uint64_t)len + 4 <= VC_SRC_WINDOW &&
		    vc_src_fill(s, (size_t)len + 4) == (size_t)len + 4 &&
		    be32(s->mem + s->pos + len) !=
			    crc32(crc32(0, (const unsigned char *)t, 4), s->mem + s->pos, len))
			g->z_on = 0;
	} else if (memcmp(t, "IEND", 4) == 0) {
		g->have_iend = 1;
		if (len != 0)
			vc_img_reason(r, VC_IMG_INVALID, "bad_chunk", "IEND with %u bytes", len);
	} else if (memcmp(t, "acTL", 4) == 0) {
		g->actl = 1;
		g->num_frames = len == 8 ? be32(d) : 0;
		if (len != 8 || g->num_frames == 0)
			vc_img_reason(r, VC_IMG_INVALID, "bad_actl", "acTL of %u bytes, %u frames",
				      len, g->num_frames);
		else if (g->num_frames > g->c->lim->max_frames)
			vc_img_reason(r, VC_IMG_BOMB, "too_many_frames",
				      "acTL declares %u frames, over %llu", g->num_frames,
				      (unsigned long long)g->c->lim->max_frames);
	} else if (memcmp(t, "fcTL", 4) == 0) {
		fctl(g, d, len);
	} else if (memcmp(t, "fdAT", 4) == 0) {
		if (len < 4 || be32(d) != g->seq)
			vc_img_reason(r, VC_IMG_INVALID, "bad_sequence", "fdAT out of sequence");
		else
			g->seq++;
	} else if (memcmp(t, "tEXt", 4) == 0 || memcmp(t, "zTXt", 4) == 0 ||
		   memcmp(t, "iTXt", 4) == 0 || memcmp(t, "iCCP", 4) == 0) {
		meta = 1;
		text = text_header(g, t, d, have, len, &text_off);
		if (text < 0) {
			vc_img_reason(r, VC_IMG_INVALID, "bad_text", "%.4s header is malformed", t);
			text = 0;
		} else if (text) {
			if (!g->t_ready && inflateInit(&g->t) == Z_OK)
				g->t_ready = 1;
			else if (g->t_ready)
				inflateReset(&g->t);
			text = g->t_ready;
		}
	} else if (!is_known(t) || memcmp(t, "eXIf", 4) == 0) {
		meta = 1;
	}

	while (done < len) {
		n = vc_src_piece(s, len - done, &p);
		if (n == 0) {
			vc_img_reason(r, VC_IMG_INVALID, "truncated", "the file ends inside %.4s",
				      t);
			g->fatal = 1;
			return 0;
		}
		crc = crc32(crc, p, (uInt)n);
		if (is_idat) {
			idat_feed(g, p, n);
		} else if (meta) {
			if (!text || memcmp(t, "iCCP", 4) != 0)
				vc_poly_scan_meta(r, p, n, "a PNG chunk",
						  memcmp(t, "eXIf", 4) != 0);
			if (text && done + n > text_off) {
				size_t skip = done < text_off ? text_off - done : 0;

				if (text_feed(g, p + skip, n - skip, t, &text_out) != 0)
					text = 0;
			}
		}
		done += (uint32_t)n;
	}
	if (text)
		vc_img_reason(r, VC_IMG_INVALID, "bad_text", "%.4s: compressed text is incomplete",
			      t);
	return crc;
}

void
vc_png_check(struct vc_img_ctx *c)
{
	struct png g;
	struct vc_img_result *r = c->res;
	const unsigned char *h;
	char t[4];
	uint32_t len, crc;

	memset(&g, 0, sizeof g);
	g.c = c;
	vc_src_skip(c->src, 8);
	while (!g.have_iend && !g.fatal) {
		if ((h = vc_src_get(c->src, 8)) == NULL) {
			vc_img_reason(r, VC_IMG_INVALID, "truncated", "the file ends before IEND");
			break;
		}
		len = be32(h);
		memcpy(t, h + 4, 4);
		if (len > 0x7fffffff || !is_letter(t[0]) || !is_letter(t[1]) || !is_letter(t[2]) ||
		    !is_letter(t[3])) {
			vc_img_reason(r, VC_IMG_INVALID, "bad_chunk",
				      "chunk %u at byte %llu is garbage", g.nchunks + 1,
				      (unsigned long long)vc_src_tell(c->src) - 8);
			break;
		}
		g.nchunks++;
		check_order(&g, t);
		crc = chunk_data(&g, t, len);
		if (g.fatal)
			break;
		if ((h = vc_src_get(c->src, 4)) == NULL) {
			vc_img_reason(r, VC_IMG_INVALID, "truncated",
				      "the file ends in the CRC of %.4s", t);
			break;
		}
		if (be32(h) != crc)
			vc_img_reason(r, VC_IMG_INVALID, "crc_mismatch",
				      "%.4s chunk %u has a bad CRC", t, g.nchunks);
	}
	if (!g.have_ihdr)
		vc_img_reason(r, VC_IMG_INVALID, "missing_chunk", "no IHDR");
	else if (g.idat == 0)
		vc_img_reason(r, VC_IMG_INVALID, "missing_chunk", "no IDAT");
	if (g.z_on && !g.z_end && g.idat)
		vc_img_reason(r, VC_IMG_INVALID, "truncated",
			      "image data stops after %llu of %llu bytes",
			      (unsigned long long)g.produced, (unsigned long long)g.expected);
	else if (g.z_on && g.produced > g.expected)
		vc_img_reason(r, VC_IMG_INVALID, "extra_image_data",
			      "image data inflates to %llu bytes, IHDR promises "
			      "%llu",
			      (unsigned long long)g.produced, (unsigned long long)g.expected);
	else if (g.z_on && g.idat && g.produced < g.expected)
		vc_img_reason(r, VC_IMG_INVALID, "short_image_data",
			      "image data has %llu of %llu bytes", (unsigned long long)g.produced,
			      (unsigned long long)g.expected);
	if (g.actl) {
		if (g.fctl != g.num_frames && r->verdict < VC_IMG_BOMB)
			vc_img_reason(r, VC_IMG_INVALID, "frame_count_mismatch",
				      "acTL says %u frames, fcTL gives %u", g.num_frames, g.fctl);
	} else if (g.have_ihdr) {
		vc_img_count_frame(r, c->lim, g.w, g.h);
	}
	if (g.z_ready)
		inflateEnd(&g.z);
	if (g.t_ready)
		inflateEnd(&g.t);
	if (g.have_iend)
		vc_poly_trailing(c, "IEND");
}
