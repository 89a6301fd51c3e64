/*
 * img_png.c — PNG and APNG: the chunk walk, CRCs, IHDR, chunk order, and
 * a check of the IDAT zlib stream, pulled across the chunks, that proves
 * the image data is complete and exactly as long as IHDR says (more is a
 * bomb, less is truncated) without making the image (img_inflate.c).
 * zTXt, iTXt and iCCP are inflated into the scratch buffer, since their
 * text is scanned, with caps per chunk and per file, as Pillow caps them.
 * CRCs are libdeflate's (PCLMULQDQ where the processor has it: over twice
 * zlib 1.2's speed on chunks of a KiB and more).
 */
#include <libdeflate.h>
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
	/* The image data: checked once, from the first IDAT. */
	int z_on;
	uint64_t expected;
	/* Rows of each Adam7 pass (one pass when not interlaced), and the
	 * row whose filter byte is the next mark. */
	uint64_t pass_rows[7], pass_len[7];
	int pass;
	uint64_t row;
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

/* The size of the inflated image data, pass by pass for Adam7: each row
 * a filter byte and its pixels. */
static void
plan_passes(struct png *g)
{
	uint64_t pass_w[7] = {0}, pass_h[7] = {0};
	static const int x0[7] = {0, 4, 0, 2, 0, 1, 0};
	static const int y0[7] = {0, 0, 4, 0, 2, 0, 1};
	static const int dx[7] = {8, 8, 4, 4, 2, 2, 1};
	static const int dy[7] = {8, 8, 8, 4, 4, 2, 2};
	uint64_t bpp = (uint64_t)g->depth * channels(g->ctype);
	int i;

	if (!g->interlace) {
		pass_w[0] = g->w;
		pass_h[0] = g->h;
	} else {
		for (i = 0; i < 7; i++) {
			pass_w[i] = g->w > (uint32_t)x0[i] ? (g->w - x0[i] + dx[i] - 1) / dx[i] : 0;
			pass_h[i] = g->h > (uint32_t)y0[i] ? (g->h - y0[i] + dy[i] - 1) / dy[i] : 0;
		}
	}
	g->expected = 0;
	for (i = 0; i < 7; i++) {
		g->pass_rows[i] = pass_w[i] ? pass_h[i] : 0;
		g->pass_len[i] = 1 + (pass_w[i] * bpp + 7) / 8;
		g->expected += g->pass_rows[i] * g->pass_len[i];
	}
}

/* At the start of each row: its filter type, when known, must be 0-4.
 * Then the mark moves to the next row's start. */
static void
row_start(struct vc_deflate *d, int byte)
{
	struct png *g = d->ctx;

	if (byte > 4) {
		vc_img_reason(g->c->res, VC_IMG_INVALID, "bad_filter",
			      "row %llu has filter type %d", (unsigned long long)g->row, byte);
		d->mark = UINT64_MAX;
		return;
	}
	d->mark += g->pass_len[g->pass];
	while (++g->row >= g->pass_rows[g->pass]) {
		g->row = 0;
		if (++g->pass == 7) {
			d->mark = UINT64_MAX;
			return;
		}
		if (g->pass_rows[g->pass] > 0)
			break;
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
	/* A header that is already a bomb needs no more proof. */
	g->z_on = r->verdict < VC_IMG_BOMB;
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

/* The IDAT run as one stream: the data of consecutive IDAT chunks, each
 * chunk's CRC checked as its end goes by. */
struct idat {
	struct png *g;
	uint32_t left, crc;
	int crc_due;  /* the current chunk's CRC is still to be read */
	int stopped;  /* a CRC failed: decoders stop there, and so do we */
	int draining; /* after the stream: only walking the chunks */
	int bad_header;
	int nhdr;
	unsigned char hdr[2]; /* the zlib header */
};

static size_t
idat_raw(struct idat *ip, const unsigned char **p)
{
	struct png *g = ip->g;
	struct vc_src *s = g->c->src;
	const unsigned char *h;
	size_t n;

	for (;;) {
		if (ip->left > 0) {
			if ((n = vc_src_piece(s, ip->left, p)) == 0) {
				vc_img_reason(g->c->res, VC_IMG_INVALID, "truncated",
					      "the file ends inside IDAT");
				g->fatal = 1;
				return 0;
			}
			ip->crc = libdeflate_crc32(ip->crc, *p, n);
			ip->left -= (uint32_t)n;
			return n;
		}
		if (ip->crc_due) {
			if ((h = vc_src_get(s, 4)) == NULL) {
				vc_img_reason(g->c->res, VC_IMG_INVALID, "truncated",
					      "the file ends in the CRC of IDAT");
				g->fatal = 1;
				return 0;
			}
			ip->crc_due = 0;
			if (be32(h) != ip->crc) {
				vc_img_reason(g->c->res, VC_IMG_INVALID, "crc_mismatch",
					      "IDAT chunk %u has a bad CRC", g->nchunks);
				ip->stopped = 1;
				if (!ip->draining)
					return 0;
			}
		}
		/* The next chunk, if it is IDAT too (else the walk reads it). */
		if (vc_src_fill(s, 8) < 8)
			return 0;
		h = s->mem + s->pos;
		if (memcmp(h + 4, "IDAT", 4) != 0 || be32(h) > 0x7fffffff)
			return 0;
		ip->left = be32(h);
		ip->crc = libdeflate_crc32(0, h + 4, 4);
		ip->crc_due = 1;
		vc_src_skip(s, 8);
		g->nchunks++;
		check_order(g, "IDAT");
	}
}

/* What the deflate check pulls: the stream after its 2-byte zlib header,
 * which is checked here (deflate, a window of at most 32 KiB, no preset
 * dictionary, its check bits); a bad one ends the stream at once. */
static size_t
idat_pull(void *ctx, const unsigned char **p)
{
	struct idat *ip = ctx;
	unsigned zh;
	size_t n;

	while ((n = idat_raw(ip, p)) > 0) {
		while (ip->nhdr < 2 && n > 0) {
			ip->hdr[ip->nhdr++] = **p;
			(*p)++;
			n--;
			if (ip->nhdr == 2) {
				zh = (unsigned)ip->hdr[0] << 8 | ip->hdr[1];
				if ((ip->hdr[0] & 15) != 8 || ip->hdr[0] >> 4 > 7 || zh % 31 ||
				    (ip->hdr[1] & 0x20)) {
					ip->bad_header = 1;
					return 0;
				}
			}
		}
		if (n > 0)
			return n;
	}
	return 0;
}

/* Checks the zlib stream of the IDAT run that starts with a chunk of len
 * bytes (its header read), through to the run's last CRC. */
static void
idat_stream(struct png *g, uint32_t len)
{
	struct vc_img_result *r = g->c->res;
	struct idat ip;
	struct vc_deflate d = {2 * g->expected + (1 << 20), 0, NULL, 0, 0, row_start, g};
	const unsigned char *p;
	uint64_t after;
	size_t n;
	int rc;

	memset(&ip, 0, sizeof ip);
	ip.g = g;
	ip.left = len;
	ip.crc = libdeflate_crc32(0, "IDAT", 4);
	ip.crc_due = 1;
	g->z_on = 0; /* a later IDAT run is out of order, not a new stream */
	g->pass = 0;
	g->row = 0;
	while (g->pass < 7 && g->pass_rows[g->pass] == 0)
		g->pass++;
	if (g->pass == 7)
		d.mark = UINT64_MAX;
	rc = vc_deflate_check(idat_pull, &ip, &d);
	/* Walk the rest of the run: the checksum, and whatever follows. */
	after = rc == 0 ? d.leftover : 0;
	ip.draining = 1;
	while ((n = idat_raw(&ip, &p)) > 0)
		after += n;
	if (ip.bad_header) {
		vc_img_reason(r, VC_IMG_INVALID, "zlib_error", "IDAT: bad zlib header");
	} else if (rc == 1) {
		/* Past the promise a decoder stops, so a little more is a
		 * broken file; much more (twice, and a MiB) is a stream
		 * built to be inflated. */
		vc_img_reason(r, VC_IMG_BOMB, "image_data_overflow",
			      "IDAT inflates past twice the %llu bytes IHDR promises",
			      (unsigned long long)g->expected);
	} else if (rc == -1) {
		vc_img_reason(r, VC_IMG_INVALID, "zlib_error", "IDAT: %s", d.error);
	} else if (rc == -2) {
		/* A failed CRC or the file's end said so already. */
		if (!ip.stopped && !g->fatal)
			vc_img_reason(r, VC_IMG_INVALID, "truncated",
				      "image data stops after %llu of %llu bytes",
				      (unsigned long long)d.produced,
				      (unsigned long long)g->expected);
	} else {
		if (after > 4)
			vc_img_reason(r, VC_IMG_INVALID, "extra_image_data",
				      "%llu bytes after the end of the zlib stream",
				      (unsigned long long)after - 4);
		else if (after < 4 && !g->fatal && !ip.stopped)
			vc_img_reason(r, VC_IMG_INVALID, "truncated",
				      "IDAT ends inside the zlib checksum");
		if (d.produced > g->expected)
			vc_img_reason(r, VC_IMG_INVALID, "extra_image_data",
				      "image data inflates to %llu bytes, IHDR promises %llu",
				      (unsigned long long)d.produced,
				      (unsigned long long)g->expected);
		else if (d.produced < g->expected)
			vc_img_reason(r, VC_IMG_INVALID, "short_image_data",
				      "image data has %llu of %llu bytes",
				      (unsigned long long)d.produced,
				      (unsigned long long)g->expected);
	}
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
	uint32_t crc = libdeflate_crc32(0, t, 4);
	uint32_t done = 0, text_off = 0;
	uint64_t text_out = 0;
	int text = 0, meta = 0;
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
		/* The depth is as IHDR gave it, sound or not (a bad one
		 * was reported there): only a palette depth shifts. */
		if (len == 0 || len % 3 || len / 3 > 256 ||
		    (g->ctype == 3 && g->depth <= 8 && len / 3 > (1u << g->depth)) ||
		    g->ctype == 0 || g->ctype == 4)
			vc_img_reason(r, VC_IMG_INVALID, "bad_plte",
				      "PLTE of %u bytes for colour type %d", len, g->ctype);
	} else if (memcmp(t, "IDAT", 4) == 0) {
		/* IDAT that is not checked as a stream (after the first
		 * run, or with no sound IHDR): its CRC only. */
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
		crc = libdeflate_crc32(crc, p, n);
		if (meta) {
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
		if (g.z_on && memcmp(t, "IDAT", 4) == 0) {
			idat_stream(&g, len);
			continue;
		}
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
	if (g.actl) {
		if (g.fctl != g.num_frames && r->verdict < VC_IMG_BOMB)
			vc_img_reason(r, VC_IMG_INVALID, "frame_count_mismatch",
				      "acTL says %u frames, fcTL gives %u", g.num_frames, g.fctl);
	} else if (g.have_ihdr) {
		vc_img_count_frame(r, c->lim, g.w, g.h);
	}
	if (g.t_ready)
		inflateEnd(&g.t);
	if (g.have_iend)
		vc_poly_trailing(c, "IEND");
}
