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
 * length), with an 11-bit lookup table in front for the common short codes
 * whose entries also give the count of extra bits after the code, as
 * libdeflate's do, so that a length or a distance and its extra bits go
 * in one shift of the bit buffer.
 */
#include <string.h>

#include "img.h"

#define MAXBITS   15
#define FAST_BITS 11
#define MAXLCODES 286
#define MAXDCODES 30
#define FIXLCODES 288 /* the fixed code has two more, never valid */

/* A decoded code: symbol << 16 | code length << 8 | code length plus the
 * count of extra bits that follow it (the low byte is what a shift of
 * the bit buffer by the whole entry takes). */
#define ENTRY(sym, len, extra) ((uint32_t)(sym) << 16 | (uint32_t)(len) << 8 | ((len) + (extra)))
#define ENTRY_SYM(e)           ((int)((e) >> 16))
#define ENTRY_CODE_BITS(e)     (((e) >> 8) & 0xff)
#define ENTRY_ALL_BITS(e)      ((e)&0xff)

struct huff {
	short count[MAXBITS + 1];
	short symbol[FIXLCODES];
	const unsigned char *extra; /* extra bits per symbol, or NULL */
	/* Codes of up to FAST_BITS bits, by their next FAST_BITS input bits
	 * (reversed, as deflate packs codes): an ENTRY, or 0. */
	uint32_t fast[1 << FAST_BITS];
	unsigned bits; /* fast[] holds 1 << bits entries: the longest code, up to FAST_BITS */
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

/* Byte by byte, across pieces: near the end of a piece or of the input. */
static __attribute__((noinline)) void
refill_slow(struct bits *b)
{
	while (b->cnt <= 56) {
		if (b->p == b->end && !next_piece(b))
			return;
		b->buf |= (uint64_t)*b->p++ << b->cnt;
		b->cnt += 8;
	}
}

/* 56 bits or more in buf unless the input ends first.  With 8 bytes of
 * the piece at hand, one unaligned load: the whole bytes that fit are
 * counted, and the bits of the next byte that spill above cnt are that
 * byte's own, so the next load ORs the same bits over them (whoever
 * moves p past bytes without reading them through buf clears buf). */
static inline void
refill(struct bits *b)
{
	if (b->end - b->p >= 8) {
		uint64_t v;

		memcpy(&v, b->p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		v = __builtin_bswap64(v);
#endif
		b->buf |= v << b->cnt;
		b->p += (63 - b->cnt) >> 3;
		b->cnt |= 56;
		return;
	}
	refill_slow(b);
}

/* n (<= 16) bits, or -1 when the input ends first. */
static inline long
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

/* The low len bits of code (len <= 15), in reverse order. */
static unsigned
reverse(unsigned code, unsigned len)
{
	static unsigned char rev8[256];
	static int ready;
	unsigned i;

	if (!ready) {
		for (i = 0; i < 256; i++)
			rev8[i] = (unsigned char)((i * 0x0202020202ULL & 0x010884422010ULL) % 1023);
		ready = 1;
	}
	return ((unsigned)rev8[code & 0xff] << 8 | rev8[code >> 8 & 0xff]) >> (16 - len);
}

/* Builds h from n code lengths, with extra[sym] extra bits after each
 * symbol's code (extra NULL: none); 0, -1 over-subscribed, or how many
 * codes short it is when incomplete (allowed, as in zlib, only for a
 * single code of length 1: see lone_short_code). */
static int
build(struct huff *h, const short *length, int n, const unsigned char *extra)
{
	short offs[MAXBITS + 1];
	int sym, len, left, code, i, longest = 0;

	memset(h->count, 0, sizeof h->count);
	h->extra = extra;
	for (sym = 0; sym < n; sym++)
		h->count[length[sym]]++;
	if (h->count[0] == n) {
		h->bits = 1;
		h->fast[0] = h->fast[1] = 0;
		return 0;
	}
	left = 1;
	for (len = 1; len <= MAXBITS; len++) {
		left <<= 1;
		left -= h->count[len];
		if (left < 0)
			return -1;
		if (h->count[len])
			longest = len;
	}
	offs[1] = 0;
	for (len = 1; len < MAXBITS; len++)
		offs[len + 1] = offs[len] + h->count[len];
	for (sym = 0; sym < n; sym++)
		if (length[sym] != 0)
			h->symbol[offs[length[sym]]++] = (short)sym;
	/* Canonical codes in order, short ones into the lookup table, which
	 * grows by doubling: a code of len bits fills every 2^len-th entry
	 * of the final table, so each entry of a 2^len table is copied up
	 * before the codes one bit longer go in.  No entry is left
	 * unwritten, none is written twice but by the copies. */
	h->bits = (unsigned)(longest < FAST_BITS ? longest : FAST_BITS);
	h->fast[0] = 0;
	code = 0;
	i = 0;
	for (len = 1; len <= (int)h->bits; len++) {
		memcpy(h->fast + (1u << (len - 1)), h->fast, sizeof h->fast[0] << (len - 1));
		for (sym = 0; sym < h->count[len]; sym++, code++, i++)
			h->fast[reverse((unsigned)code, (unsigned)len)] =
				ENTRY(h->symbol[i], len, extra ? extra[h->symbol[i]] : 0);
		code <<= 1;
	}
	return left;
}

/* Whether an incomplete code of n symbols is the one zlib accepts: a
 * single code, one bit long (puff also takes a single longer code; zlib
 * does not, and the checker must fail where zlib fails). */
static int
lone_short_code(const struct huff *h, int n)
{
	return h->count[1] == 1 && n - h->count[0] == 1;
}

/* Canonical decoding of a code the lookup table could not give (longer
 * than its bits, or no code at all) from the next MAXBITS bits in bb:
 * an ENTRY, as the table has them, or 0 for no code. */
static __attribute__((noinline)) unsigned
decode_long(const struct huff *h, uint64_t bb)
{
	int code = 0, first = 0, index = 0, len, count, sym;

	for (len = 1; len <= MAXBITS; len++) {
		code |= (int)(bb & 1);
		bb >>= 1;
		count = h->count[len];
		if (code - count < first) {
			sym = h->symbol[index + (code - first)];
			return ENTRY(sym, len, h->extra ? h->extra[sym] : 0);
		}
		index += count;
		first += count;
		first <<= 1;
		code <<= 1;
	}
	return 0;
}

/* The next symbol of h the lookup table could not give: a long code, no
 * code, or the end of the input near. */
static __attribute__((noinline)) int
decode_slow(struct bits *b, const struct huff *h)
{
	int code = 0, first = 0, index = 0, len, count;
	long bit;

	unsigned e;

	if (b->cnt >= MAXBITS) {
		/* A long code, all its bits at hand. */
		if ((e = decode_long(h, b->buf)) == 0)
			return -2;
		b->buf >>= ENTRY_CODE_BITS(e);
		b->cnt -= ENTRY_CODE_BITS(e);
		return ENTRY_SYM(e);
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

/* The next symbol of h (its code read, its extra bits not), or -1 at
 * the end of input, -2 for no code. */
static inline int
decode(struct bits *b, const struct huff *h)
{
	unsigned e;

	if (b->cnt < MAXBITS)
		refill(b);
	if (b->cnt >= h->bits) {
		e = h->fast[b->buf & ((1u << h->bits) - 1)];
		if (e != 0) {
			b->buf >>= ENTRY_CODE_BITS(e);
			b->cnt -= ENTRY_CODE_BITS(e);
			return ENTRY_SYM(e);
		}
	}
	return decode_slow(b, h);
}

/* A length symbol's base (by symbol - 257) and the extra bits after each
 * literal/length symbol (by symbol: the table entries carry them; the two
 * symbols past 285 are never valid); a distance symbol's base and extra
 * bits. */
static const short lbase[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
				31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
static const unsigned char lext[FIXLCODES] = {
	[265] = 1, [266] = 1, [267] = 1, [268] = 1, [269] = 2, [270] = 2, [271] = 2,
	[272] = 2, [273] = 3, [274] = 3, [275] = 3, [276] = 3, [277] = 4, [278] = 4,
	[279] = 4, [280] = 4, [281] = 5, [282] = 5, [283] = 5, [284] = 5,
};
static const unsigned short dbase[MAXDCODES] = {
	1,   2,   3,   4,   5,   7,    9,    13,   17,   25,   33,   49,   65,    97,    129,
	193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
static const unsigned char dext[MAXDCODES] = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
					      6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

struct state {
	struct bits b;
	struct vc_deflate *d;
	struct huff lcode, dcode;   /* a dynamic block's codes */
	const struct huff *lc, *dc; /* the block's codes: those, or the fixed ones */
};

#define FAIL(why) return (s->d->error = (why), -1)
#define TRUNC()   return (s->d->error = "the stream ends inside a block", -2)

/* The symbols of a block while the piece has 8 bytes at hand: each
 * round loads 56 bits or more when it must, enough for a length, its
 * distance and their extra bits, so nothing checks for the input's end,
 * and the bit buffer and the counts live in registers.  A table entry gives a
 * code and its extra bits at once, so the buffer shifts once per code.
 * The checks and their order are those of codes_slow.  Returns what
 * codes() returns, or 2 when the piece runs short (the state is saved
 * for codes_slow). */
static int
codes_fast(struct state *s)
{
	struct bits *b = &s->b;
	struct vc_deflate *d = s->d;
	const struct huff *lc = s->lc, *dc = s->dc;
	const unsigned lmask = (1u << lc->bits) - 1, dmask = (1u << dc->bits) - 1;
	const unsigned char *p = b->p, *last = b->end - 8;
	uint64_t buf = b->buf, v, produced = d->produced, mark = d->mark, len, dist;
	const uint64_t limit = d->limit;
	unsigned cnt = b->cnt, e, code, all;
	int sym, rc = 2;

#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define LOAD64(v, p) (memcpy(&(v), (p), 8), (v) = __builtin_bswap64(v))
#else
#define LOAD64(v, p) memcpy(&(v), (p), 8)
#endif
	/* Loads 56 bits or more: p stays within the piece's last 8 bytes, so
	 * this may run once per round (refill_slow may leave 64 bits, to
	 * which no shift could add, but then no refill is due). */
#define REFILL()                      \
	do {                          \
		LOAD64(v, p);         \
		buf |= v << cnt;      \
		p += (63 - cnt) >> 3; \
		cnt |= 56;            \
	} while (0)
	while (p <= last) {
		/* A literal/length code and its extra bits take 20 bits at
		 * most; a refill every few literals keeps the lookups off
		 * its path. */
		if (cnt < 20)
			REFILL();
		e = lc->fast[buf & lmask];
		if (e == 0 && (e = decode_long(lc, buf)) == 0) {
			d->error = "invalid literal/length code";
			rc = -1;
			break;
		}
		sym = ENTRY_SYM(e);
		if (sym < 256) {
			buf >>= ENTRY_ALL_BITS(e);
			cnt -= ENTRY_ALL_BITS(e);
			if (produced == mark) {
				d->produced = produced;
				d->at_mark(d, sym);
				mark = d->mark;
			}
			produced++;
			if (produced > limit) {
				rc = 1;
				break;
			}
			continue;
		}
		if (sym == 256) {
			buf >>= ENTRY_ALL_BITS(e);
			cnt -= ENTRY_ALL_BITS(e);
			rc = 0;
			break;
		}
		if (sym >= 286) {
			d->error = "invalid literal/length code";
			rc = -1;
			break;
		}
		code = ENTRY_CODE_BITS(e);
		all = ENTRY_ALL_BITS(e);
		len = (uint64_t)lbase[sym - 257] + ((buf >> code) & ((1u << (all - code)) - 1));
		buf >>= all;
		cnt -= all;
		/* A distance code and its extra bits take 28 bits: a refill,
		 * unless this round had one (then 36 or more are left, and p
		 * may be past last). */
		if (cnt < 28)
			REFILL();
		e = dc->fast[buf & dmask];
		if (e == 0 && (e = decode_long(dc, buf)) == 0) {
			d->error = "invalid distance code";
			rc = -1;
			break;
		}
		sym = ENTRY_SYM(e);
		if (sym >= 30) {
			d->error = "invalid distance code";
			rc = -1;
			break;
		}
		code = ENTRY_CODE_BITS(e);
		all = ENTRY_ALL_BITS(e);
		/* A distance reaches 32 KiB back at most: past that much
		 * output only its bits count. */
		if (produced < 32768) {
			dist = (uint64_t)dbase[sym] + ((buf >> code) & ((1u << (all - code)) - 1));
			if (dist > produced) {
				d->error = "invalid distance too far back";
				rc = -1;
				break;
			}
		}
		buf >>= all;
		cnt -= all;
		if (mark < produced + len) {
			d->produced = produced;
			while (d->mark < produced + len)
				d->at_mark(d, -1);
			mark = d->mark;
		}
		produced += len;
		if (produced > limit) {
			rc = 1;
			break;
		}
	}
#undef REFILL
#undef LOAD64
	b->p = p;
	b->buf = buf;
	b->cnt = cnt;
	d->produced = produced;
	d->mark = mark;
	return rc;
}

/* The same, symbol by symbol with every read checked, across pieces and
 * up to the input's end. */
static int
codes(struct state *s)
{
	struct vc_deflate *d = s->d;
	const struct huff *lc = s->lc, *dc = s->dc;
	int sym, rc;
	long extra, dist;

	for (;;) {
		if (s->b.end - s->b.p >= 8 && (rc = codes_fast(s)) != 2)
			return rc;
		sym = decode(&s->b, lc);
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
			if (sym >= 286)
				FAIL("invalid literal/length code");
			if ((extra = need(&s->b, lext[sym])) < 0)
				TRUNC();
			extra += lbase[sym - 257];
			if ((sym = decode(&s->b, dc)) == -1)
				TRUNC();
			if (sym < 0 || sym >= 30)
				FAIL("invalid distance code");
			if ((dist = need(&s->b, dext[sym])) < 0)
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
		build(&lf, len, FIXLCODES, lext);
		for (i = 0; i < 30; i++)
			len[i] = 5;
		build(&df, len, 30, dext);
		ready = 1;
	}
	s->lc = &lf;
	s->dc = &df;
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
	if (build(&s->lcode, lengths, 19, NULL) != 0)
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
	err = build(&s->lcode, lengths, (int)nlen, lext);
	if (err < 0 || (err > 0 && !lone_short_code(&s->lcode, (int)nlen)))
		FAIL("invalid literal/lengths set");
	err = build(&s->dcode, lengths + nlen, (int)ndist, dext);
	if (err < 0 || (err > 0 && !lone_short_code(&s->dcode, (int)ndist)))
		FAIL("invalid distances set");
	s->lc = &s->lcode;
	s->dc = &s->dcode;
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
	/* The bit buffer is empty now if bytes are left to skip, but may
	 * hold bits of the byte at p (see refill): they go with it. */
	if (left > 0)
		b->buf = 0;
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
