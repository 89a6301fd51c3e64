/*
 * img_inflate.c — a deflate stream (RFC 1951) checked without inflating
 * it: every block header, every Huffman code set, every symbol and every
 * distance is decoded and checked as zlib checks them, and the length of
 * the output is counted, but no byte of output is made.  A match costs
 * the same whatever its length, so a stream built to inflate to gigabytes
 * is checked in the time its compressed bytes take, and a screenshot-like
 * PNG in a fraction of zlib's time.
 *
 * Decoding follows Mark Adler's puff.c (canonical codes, counted per
 * length), with a 10-bit lookup table in front for the common short codes.
 */
#include <string.h>

#include "img.h"

#define MAXBITS   15
#define FAST_BITS 10
#define MAXLCODES 286
#define MAXDCODES 30
#define FIXLCODES 288 /* the fixed code has two more, never valid */

struct huff {
	short count[MAXBITS + 1];
	short symbol[FIXLCODES];
	/* Codes of up to FAST_BITS bits, by their next FAST_BITS input bits
	 * (reversed, as deflate packs codes): symbol << 4 | length, or 0. */
	unsigned short fast[1 << FAST_BITS];
};

struct bits {
	vc_pull_fn pull;
	void *ctx;
	const unsigned char *p, *end;
	uint64_t buf;
	unsigned cnt;
	int eof;
};

/* Pulls the next piece once p has met end; 0 at the end of the input.
 * A pull that gives nothing may have moved its pointer anyway, so p and
 * end change only with a piece (else the bytes left over after the
 * stream would be counted from a stray pointer). */
static int
next_piece(struct bits *b)
{
	const unsigned char *q;
	size_t n;

	if (b->eof || (n = b->pull(b->ctx, &q)) == 0) {
		b->eof = 1;
		return 0;
	}
	b->p = q;
	b->end = q + n;
	return 1;
}

static void
refill(struct bits *b)
{
	/* Whole bytes, up to 7 at once, while the piece has 8 to read. */
	if (b->cnt <= 56 && b->end - b->p >= 8) {
		const unsigned char *q = b->p;
		unsigned k = (63 - b->cnt) >> 3;
		uint64_t v = (uint64_t)q[0] | (uint64_t)q[1] << 8 | (uint64_t)q[2] << 16 |
			     (uint64_t)q[3] << 24 | (uint64_t)q[4] << 32 | (uint64_t)q[5] << 40 |
			     (uint64_t)q[6] << 48 | (uint64_t)q[7] << 56;

		b->buf |= (v & ((1ULL << (k * 8)) - 1)) << b->cnt;
		b->p += k;
		b->cnt += k * 8;
		return;
	}
	while (b->cnt <= 56) {
		if (b->p == b->end && !next_piece(b))
			return;
		b->buf |= (uint64_t)*b->p++ << b->cnt;
		b->cnt += 8;
	}
}

/* n (<= 16) bits, or -1 when the input ends first. */
static long
need(struct bits *b, unsigned n)
{
	long v;

	if (b->cnt < n) {
		refill(b);
		if (b->cnt < n)
			return -1;
	}
	v = (long)(b->buf & ((1ULL << n) - 1));
	b->buf >>= n;
	b->cnt -= n;
	return v;
}

static unsigned
reverse(unsigned code, unsigned len)
{
	unsigned r = 0;

	while (len--) {
		r = r << 1 | (code & 1);
		code >>= 1;
	}
	return r;
}

/* Builds h from n code lengths; 0, or -1 over-subscribed, -2 incomplete
 * (allowed, as in zlib, only for a single code of length 1). */
static int
build(struct huff *h, const short *length, int n)
{
	short offs[MAXBITS + 1];
	int sym, len, left, code, i;

	memset(h->count, 0, sizeof h->count);
	memset(h->fast, 0, sizeof h->fast);
	for (sym = 0; sym < n; sym++)
		h->count[length[sym]]++;
	if (h->count[0] == n)
		return 0;
	left = 1;
	for (len = 1; len <= MAXBITS; len++) {
		left <<= 1;
		left -= h->count[len];
		if (left < 0)
			return -1;
	}
	offs[1] = 0;
	for (len = 1; len < MAXBITS; len++)
		offs[len + 1] = offs[len] + h->count[len];
	for (sym = 0; sym < n; sym++)
		if (length[sym] != 0)
			h->symbol[offs[length[sym]]++] = (short)sym;
	/* Canonical codes in order, short ones into the lookup table. */
	code = 0;
	i = 0;
	for (len = 1; len <= FAST_BITS; len++) {
		for (sym = 0; sym < h->count[len]; sym++, code++, i++) {
			unsigned r = reverse((unsigned)code, (unsigned)len), k;

			for (k = r; k < (1u << FAST_BITS); k += 1u << len)
				h->fast[k] = (unsigned short)(h->symbol[i] << 4 | len);
		}
		code <<= 1;
	}
	return left;
}

/* The next symbol of h, or -1 at the end of input, -2 for no code. */
static int
decode(struct bits *b, const struct huff *h)
{
	int code = 0, first = 0, index = 0, len, count;
	unsigned e;
	long bit;

	if (b->cnt < MAXBITS)
		refill(b);
	if (b->cnt >= FAST_BITS) {
		e = h->fast[b->buf & ((1u << FAST_BITS) - 1)];
		if (e != 0) {
			b->buf >>= e & 15;
			b->cnt -= e & 15;
			return (int)(e >> 4);
		}
	}
	if (b->cnt >= MAXBITS) {
		/* A long code, all its bits at hand: canonical decoding. */
		uint64_t bb = b->buf;

		for (len = 1; len <= MAXBITS; len++) {
			code |= (int)(bb & 1);
			bb >>= 1;
			count = h->count[len];
			if (code - count < first) {
				b->buf >>= len;
				b->cnt -= (unsigned)len;
				return h->symbol[index + (code - first)];
			}
			index += count;
			first += count;
			first <<= 1;
			code <<= 1;
		}
		return -2;
	}
	/* Near the end of the input: bit by bit. */
	for (len = 1; len <= MAXBITS; len++) {
		if ((bit = need(b, 1)) < 0)
			return -1;
		code |= (int)bit;
		count = h->count[len];
		if (code - count < first)
			return h->symbol[index + (code - first)];
		index += count;
		first += count;
		first <<= 1;
		code <<= 1;
	}
	return -2;
}

static const short lbase[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
				31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
static const short lext[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
			       2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
static const unsigned short dbase[30] = {
	1,   2,   3,   4,   5,   7,    9,    13,   17,   25,   33,   49,   65,    97,    129,
	193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
static const short dext[30] = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
			       6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

struct state {
	struct bits b;
	struct vc_deflate *d;
	struct huff lcode, dcode;
};

#define FAIL(why) return (s->d->error = (why), -1)
#define TRUNC()   return (s->d->error = "the stream ends inside a block", -2)

static int
codes(struct state *s)
{
	struct vc_deflate *d = s->d;
	int sym;
	long extra, dist;

	for (;;) {
		sym = decode(&s->b, &s->lcode);
		if (sym == -1)
			TRUNC();
		if (sym < 0)
			FAIL("invalid literal/length code");
		if (sym < 256) {
			if (d->produced == d->mark)
				d->at_mark(d, sym);
			d->produced++;
		} else if (sym == 256) {
			return 0;
		} else {
			sym -= 257;
			if (sym >= 29)
				FAIL("invalid literal/length code");
			if ((extra = need(&s->b, (unsigned)lext[sym])) < 0)
				TRUNC();
			extra += lbase[sym];
			if ((sym = decode(&s->b, &s->dcode)) == -1)
				TRUNC();
			if (sym < 0 || sym >= 30)
				FAIL("invalid distance code");
			if ((dist = need(&s->b, (unsigned)dext[sym])) < 0)
				TRUNC();
			dist += dbase[sym];
			/* A match may reach back no further than the output so
			 * far (and the 32 KiB window, which dbase caps). */
			if ((uint64_t)dist > d->produced)
				FAIL("invalid distance too far back");
			while (d->mark < d->produced + (uint64_t)extra)
				d->at_mark(d, -1);
			d->produced += (uint64_t)extra;
		}
		if (d->produced > d->limit)
			return 1;
	}
}

static int
fixed(struct state *s)
{
	static struct huff lf, df;
	static int ready;
	short len[FIXLCODES];
	int i;

	if (!ready) {
		for (i = 0; i < 144; i++)
			len[i] = 8;
		for (; i < 256; i++)
			len[i] = 9;
		for (; i < 280; i++)
			len[i] = 7;
		for (; i < FIXLCODES; i++)
			len[i] = 8;
		build(&lf, len, FIXLCODES);
		for (i = 0; i < 30; i++)
			len[i] = 5;
		build(&df, len, 30);
		ready = 1;
	}
	s->lcode = lf;
	s->dcode = df;
	return codes(s);
}

static int
dynamic(struct state *s)
{
	static const short order[19] = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
					11, 4,  12, 3, 13, 2, 14, 1, 15};
	short lengths[MAXLCODES + MAXDCODES];
	long nlen, ndist, ncode, v, rep;
	int index, sym, err;
	short len;

	if ((nlen = need(&s->b, 5)) < 0 || (ndist = need(&s->b, 5)) < 0 ||
	    (ncode = need(&s->b, 4)) < 0)
		TRUNC();
	nlen += 257;
	ndist += 1;
	ncode += 4;
	if (nlen > MAXLCODES || ndist > MAXDCODES)
		FAIL("too many length or distance symbols");
	for (index = 0; index < 19; index++) {
		if (index < ncode) {
			if ((v = need(&s->b, 3)) < 0)
				TRUNC();
			lengths[order[index]] = (short)v;
		} else {
			lengths[order[index]] = 0;
		}
	}
	if (build(&s->lcode, lengths, 19) != 0)
		FAIL("invalid code lengths set");
	index = 0;
	while (index < nlen + ndist) {
		if ((sym = decode(&s->b, &s->lcode)) == -1)
			TRUNC();
		if (sym < 0)
			FAIL("invalid code lengths set");
		if (sym < 16) {
			lengths[index++] = (short)sym;
			continue;
		}
		len = 0;
		if (sym == 16) {
			if (index == 0)
				FAIL("invalid bit length repeat");
			len = lengths[index - 1];
			rep = need(&s->b, 2);
			rep = rep < 0 ? rep : 3 + rep;
		} else if (sym == 17) {
			rep = need(&s->b, 3);
			rep = rep < 0 ? rep : 3 + rep;
		} else {
			rep = need(&s->b, 7);
			rep = rep < 0 ? rep : 11 + rep;
		}
		if (rep < 0)
			TRUNC();
		if (index + rep > nlen + ndist)
			FAIL("invalid bit length repeat");
		while (rep--)
			lengths[index++] = len;
	}
	if (lengths[256] == 0)
		FAIL("invalid code -- missing end-of-block");
	err = build(&s->lcode, lengths, (int)nlen);
	if (err < 0 || (err > 0 && nlen - s->lcode.count[0] != 1))
		FAIL("invalid literal/lengths set");
	err = build(&s->dcode, lengths + nlen, (int)ndist);
	if (err < 0 || (err > 0 && ndist - s->dcode.count[0] != 1))
		FAIL("invalid distances set");
	return codes(s);
}

/* A stored block: its length, then its bytes, skipped. */
static int
stored(struct state *s)
{
	struct bits *b = &s->b;
	long len, nlen;
	uint64_t left;
	size_t n;

	b->buf >>= b->cnt & 7;
	b->cnt -= b->cnt & 7;
	if ((len = need(b, 16)) < 0 || (nlen = need(b, 16)) < 0)
		TRUNC();
	if (len != (~nlen & 0xffff))
		FAIL("invalid stored block lengths");
	while (s->d->mark < s->d->produced + (uint64_t)len)
		s->d->at_mark(s->d, -1);
	s->d->produced += (uint64_t)len;
	left = (uint64_t)len;
	while (left > 0 && b->cnt >= 8) {
		b->buf >>= 8;
		b->cnt -= 8;
		left--;
	}
	while (left > 0) {
		if (b->p == b->end && !next_piece(b))
			TRUNC();
		n = (size_t)(b->end - b->p) < left ? (size_t)(b->end - b->p) : (size_t)left;
		b->p += n;
		left -= n;
	}
	return s->d->produced > s->d->limit ? 1 : 0;
}

/* For callers with no marks. */
static void
no_mark(struct vc_deflate *d, int byte)
{
	(void)byte;
	d->mark = UINT64_MAX;
}

int
vc_deflate_check(vc_pull_fn pull, void *ctx, struct vc_deflate *d)
{
	static struct state s;
	long last, type;
	int rc;

	memset(&s.b, 0, sizeof s.b);
	s.b.pull = pull;
	s.b.ctx = ctx;
	s.d = d;
	d->produced = 0;
	d->error = NULL;
	d->leftover = 0;
	if (d->at_mark == NULL) {
		d->at_mark = no_mark;
		d->mark = UINT64_MAX;
	}
	do {
		if ((last = need(&s.b, 1)) < 0 || (type = need(&s.b, 2)) < 0) {
			d->error = "the stream ends before its last block";
			return -2;
		}
		if (type == 0)
			rc = stored(&s);
		else if (type == 1)
			rc = fixed(&s);
		else if (type == 2)
			rc = dynamic(&s);
		else
			rc = (d->error = "invalid block type", -1);
		if (rc != 0)
			return rc;
	} while (!last);
	/* Whole bytes read ahead into the bit buffer belong to what follows
	 * the stream (the zlib checksum). */
	d->leftover = (size_t)(s.b.end - s.b.p) + s.b.cnt / 8;
	return 0;
}
