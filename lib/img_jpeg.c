/*
 * img_jpeg.c — JPEG: the marker walk, SOF sanity, the scan count (the
 * progressive "many scans" CPU bomb libjpeg-turbo warns of), EOI.
 *
 * Entropy-coded data is skipped with memchr for 0xFF; only the segments
 * (APPn, COM) are handed to the polyglot scan.
 */
#include <string.h>

#include "img.h"

struct jpeg {
	struct vc_img_ctx *c;
	int have_sof, progressive, lossless;
	int secondary; /* an MPF image after the first one's EOI */
	int mpf;       /* an APP2 MPF index: more images follow EOI */
	uint64_t scans;
	int ncomp;
	unsigned char ids[4]; /* component ids of the SOF */
};

static unsigned
be16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static int
is_sof(int m)
{
	return m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc;
}

static void
sof(struct jpeg *j, int m, const unsigned char *d, unsigned len)
{
	struct vc_img_result *r = j->c->res;
	unsigned w, h, nc, i, prec;

	if (j->have_sof) {
		vc_img_reason(r, VC_IMG_INVALID, "duplicate_chunk", "a second SOF");
		return;
	}
	j->have_sof = 1;
	j->progressive = m == 0xc2 || m == 0xc6 || m == 0xca || m == 0xce;
	j->lossless = m == 0xc3 || m == 0xc7 || m == 0xcb || m == 0xcf;
	if (len < 6) {
		vc_img_reason(r, VC_IMG_INVALID, "bad_sof", "SOF of %u bytes", len);
		return;
	}
	prec = d[0];
	h = be16(d + 1);
	w = be16(d + 3);
	nc = d[5];
	if (!j->secondary) {
		r->width = w;
		r->height = h;
	}
	if (len != 6 + 3 * nc || nc == 0 || nc > 4) {
		vc_img_reason(r, VC_IMG_INVALID, "bad_sof", "SOF with %u components in %u bytes",
			      nc, len);
		return;
	}
	if (w == 0 || h == 0)
		vc_img_reason(r, VC_IMG_INVALID, "bad_sof", "dimensions %ux%u", w, h);
	if (m == 0xc3 || m == 0xc7 || m == 0xcb || m == 0xcf ? prec < 2 || prec > 16
							     : prec != 8 && prec != 12)
		vc_img_reason(r, VC_IMG_INVALID, "bad_sof", "sample precision %u", prec);
	j->ncomp = (int)nc;
	for (i = 0; i < nc; i++) {
		unsigned hs = d[7 + 3 * i] >> 4, vs = d[7 + 3 * i] & 15;

		j->ids[i] = d[6 + 3 * i];

		if (hs < 1 || hs > 4 || vs < 1 || vs > 4 || d[8 + 3 * i] > 3)
			vc_img_reason(r, VC_IMG_INVALID, "bad_sof",
				      "component %u: sampling %ux%u, table %u", i, hs, vs,
				      d[8 + 3 * i]);
	}
	vc_img_check_dims(r, j->c->lim, w, h, j->secondary ? "MPF image" : "SOF");
	if (!j->secondary)
		vc_img_count_frame(r, j->c->lim, w, h);
}

/* Skips entropy-coded data up to the next marker that is not a stuffed
 * 0xFF00 or a restart marker; returns 0 there, -1 at the end of data. */
static int
skip_entropy(struct vc_src *s)
{
	const unsigned char *p, *ff;
	size_t n;

	for (;;) {
		/* Refill only when the window runs dry: a fill that asks for
		 * more than is held compacts the window, and doing that per
		 * stuffed byte would copy the window over and over. */
		n = s->len - s->pos;
		if (n < 2 && (n = vc_src_fill(s, VC_SRC_WINDOW)) < 2)
			return -1;
		p = s->mem + s->pos;
		ff = memchr(p, 0xff, n - 1);
		if (ff == NULL) {
			/* keep the last byte: it may be an 0xFF */
			s->pos += n - 1;
			continue;
		}
		s->pos += (size_t)(ff - p);
		if (ff[1] == 0x00 || (ff[1] >= 0xd0 && ff[1] <= 0xd7) || ff[1] == 0xff) {
			s->pos += 1 + (ff[1] != 0xff);
			continue;
		}
		return 0;
	}
}

/* Huffman tables: class and id, code counts that fit the code space,
 * DC symbols that are bit counts (as libjpeg checks them). */
static void
dht(struct jpeg *j, const unsigned char *d, unsigned len)
{
	struct vc_img_result *r = j->c->res;
	unsigned off = 0, total, i, code, bits;

	while (off < len) {
		if (len - off < 17)
			goto bad;
		if ((d[off] >> 4) > 1 || (d[off] & 15) > 3)
			goto bad;
		total = 0;
		code = 0;
		for (bits = 1; bits <= 16; bits++) {
			total += d[off + bits];
			code += d[off + bits];
			if (code > (1u << bits))
				goto bad;
			code <<= 1;
		}
		if (total > 256 || len - off - 17 < total)
			goto bad;
		if ((d[off] >> 4) == 0)
			for (i = 0; i < total; i++)
				if (d[off + 17 + i] > 15)
					goto bad;
		off += 17 + total;
	}
	return;
bad:
	vc_img_reason(r, VC_IMG_INVALID, "bad_dht", "bogus Huffman table at byte %u of DHT", off);
}

/* Quantisation tables: 8- or 16-bit, ids 0-3, whole tables. */
static void
dqt(struct jpeg *j, const unsigned char *d, unsigned len)
{
	unsigned off = 0, size;

	while (off < len) {
		size = (d[off] >> 4) ? 128 : 64;
		if ((d[off] >> 4) > 1 || (d[off] & 15) > 3 || len - off - 1 < size) {
			vc_img_reason(j->c->res, VC_IMG_INVALID, "bad_dqt",
				      "bogus quantisation table at byte %u of DQT", off);
			return;
		}
		off += 1 + size;
	}
}

static void
sos(struct jpeg *j, const unsigned char *d, unsigned len)
{
	struct vc_img_result *r = j->c->res;
	const struct vc_img_limits *lim = j->c->lim;

	if (!j->have_sof)
		vc_img_reason(r, VC_IMG_INVALID, "missing_chunk", "SOS before any SOF");
	if (len < 1 || d[0] < 1 || d[0] > 4 || len != 4 + 2u * d[0]) {
		vc_img_reason(r, VC_IMG_INVALID, "bad_sos", "SOS of %u bytes", len);
	} else {
		unsigned n = d[0], i, k, ss = d[1 + 2 * n], se = d[2 + 2 * n],
			 ah = d[3 + 2 * n] >> 4, al = d[3 + 2 * n] & 15;

		for (i = 0; i < n && j->have_sof; i++) {
			for (k = 0; k < (unsigned)j->ncomp && j->ids[k] != d[1 + 2 * i]; k++)
				;
			if (k == (unsigned)j->ncomp || (d[2 + 2 * i] >> 4) > 3 ||
			    (d[2 + 2 * i] & 15) > 3)
				vc_img_reason(r, VC_IMG_INVALID, "bad_sos",
					      "scan component %u: id %u, tables 0x%02x", i,
					      d[1 + 2 * i], d[2 + 2 * i]);
		}
		/* What libjpeg calls invalid progressive parameters: a DC
		 * scan is 0-0, an AC scan has one component and Ss <= Se
		 * <= 63, successive approximation within 13 bits. */
		if (j->progressive && (se > 63 || ss > se || ah > 13 || al > 13 ||
				       (ss == 0 && se != 0) || (ss > 0 && n != 1)))
			vc_img_reason(r, VC_IMG_INVALID, "bad_sos",
				      "progressive scan Ss=%u Se=%u Ah=%u Al=%u over %u components",
				      ss, se, ah, al, n);
	}
	if (++j->scans == lim->max_scans + 1)
		vc_img_reason(r, VC_IMG_BOMB, "too_many_scans",
			      "more than %llu scans (a progressive CPU bomb)",
			      (unsigned long long)lim->max_scans);
}

/* Walks one image from after its SOI to its EOI: 0 there, -1 when the
 * structure breaks (said), -2 when the file ends first. */
static int
walk(struct jpeg *j)
{
	struct vc_src *s = j->c->src;
	struct vc_img_result *r = j->c->res;
	const unsigned char *p;
	unsigned len;
	int m;

	for (;;) {
		if ((p = vc_src_get(s, 1)) == NULL)
			return -2;
		if (*p != 0xff) {
			vc_img_reason(r, VC_IMG_INVALID, "bad_marker",
				      "byte 0x%02x at %llu where a marker should be", *p,
				      (unsigned long long)vc_src_tell(s) - 1);
			return -1;
		}
		do {
			if ((p = vc_src_get(s, 1)) == NULL)
				return -2;
		} while (*p == 0xff);
		m = *p;
		if (m == 0xd9)
			break;
		if (m == 0x01)
			continue;
		if (m == 0x00 || m == 0xd8 || (m >= 0xd0 && m <= 0xd7)) {
			vc_img_reason(r, VC_IMG_INVALID, "bad_marker",
				      "marker 0x%02x at %llu out of place", m,
				      (unsigned long long)vc_src_tell(s) - 2);
			return -1;
		}
		if ((p = vc_src_get(s, 2)) == NULL)
			return -2;
		len = be16(p);
		if (len < 2) {
			vc_img_reason(r, VC_IMG_INVALID, "bad_marker",
				      "segment 0x%02x of length %u", m, len);
			return -1;
		}
		len -= 2;
		if ((p = vc_src_get(s, len)) == NULL)
			return -2;
		if (is_sof(m)) {
			sof(j, m, p, len);
		} else if (m == 0xc4) {
			dht(j, p, len);
		} else if (m == 0xdb) {
			dqt(j, p, len);
		} else if (m == 0xdd && len != 2) {
			vc_img_reason(r, VC_IMG_INVALID, "bad_marker", "DRI of %u bytes", len);
		} else if (m == 0xda) {
			sos(j, p, len);
			if (skip_entropy(s) < 0)
				return -2;
		} else if (m == 0xfe) {
			vc_poly_scan_meta(r, p, len, "a JPEG comment", 1);
			vc_poly_comment(r, len, vc_poly_control_bytes(p, len), "a JPEG comment");
		} else if (m >= 0xe0 && m <= 0xef) {
			/* JFIF, Exif, ICC and MPF, Adobe, Photoshop (APP0, 1,
			 * 2, 13, 14) carry thumbnails and binary by design;
			 * other APPn holding an image are suspect. */
			int usual = m == 0xe0 || m == 0xe1 || m == 0xe2 || m == 0xed || m == 0xee;

			if (m == 0xe2 && len >= 4 && memcmp(p, "MPF", 4) == 0)
				j->mpf = 1;
			vc_poly_scan_meta(r, p, len, "a JPEG APPn segment", !usual);
		}
	}
	if (!j->have_sof)
		vc_img_reason(r, VC_IMG_INVALID, "missing_chunk", "no SOF");
	else if (j->scans == 0)
		vc_img_reason(r, VC_IMG_INVALID, "missing_chunk", "no scan");
	return 0;
}

void
vc_jpeg_check(struct vc_img_ctx *c)
{
	struct jpeg j = {.c = c};
	struct vc_src *s = c->src;
	struct vc_img_result *r = c->res;
	int rc;

	vc_src_skip(s, 2);
	if ((rc = walk(&j)) < 0)
		goto end;
	/* Multi-Picture Format (phones' depth and HDR gain maps): the other
	 * images follow EOI by design, each checked like the first. */
	while (j.mpf && vc_src_fill(s, 3) >= 3 && s->mem[s->pos] == 0xff &&
	       s->mem[s->pos + 1] == 0xd8 && s->mem[s->pos + 2] == 0xff) {
		struct jpeg k = {.c = c, .secondary = 1};

		vc_src_skip(s, 2);
		if ((rc = walk(&k)) < 0)
			goto end;
	}
	vc_poly_trailing(c, j.mpf ? "the MPF images" : "EOI");
	return;
end:
	if (rc == -2) {
		vc_img_reason(r, VC_IMG_INVALID, "truncated", "the file ends before EOI");
		if (!j.have_sof)
			vc_img_reason(r, VC_IMG_INVALID, "missing_chunk", "no SOF");
	}
}
