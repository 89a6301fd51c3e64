/*
 * test_img_inflate.c — img_inflate.c against zlib itself: streams of every
 * level and strategy, fed in pieces of every size, must check complete
 * with zlib's length; corrupted streams must fail where zlib fails (or
 * inflate to the same length when zlib takes them); cut streams must be
 * reported cut.
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "img.h"
#include "tap.h"

struct feed {
	const unsigned char *p;
	size_t n, piece;
};

static size_t
pull(void *ctx, const unsigned char **p)
{
	struct feed *f = ctx;
	size_t k = f->n < f->piece ? f->n : f->piece;

	*p = f->p;
	f->p += k;
	f->n -= k;
	return k;
}

/* zlib's verdict on a raw deflate stream: 0 and *len, -1 bad, -2 cut. */
static int
zlib_inflate(const unsigned char *in, size_t n, uint64_t *len)
{
	static unsigned char out[1 << 16];
	z_stream z;
	int ret;

	memset(&z, 0, sizeof z);
	inflateInit2(&z, -15);
	z.next_in = (unsigned char *)in;
	z.avail_in = (uInt)n;
	*len = 0;
	do {
		z.next_out = out;
		z.avail_out = sizeof out;
		ret = inflate(&z, Z_NO_FLUSH);
		*len += sizeof out - z.avail_out;
	} while (ret == Z_OK && (z.avail_in > 0 || z.avail_out == 0));
	inflateEnd(&z);
	return ret == Z_STREAM_END ? 0 : ret == Z_DATA_ERROR ? -1 : -2;
}

static int
check(const unsigned char *in, size_t n, size_t piece, uint64_t *len)
{
	struct feed f = {in, n, piece};
	struct vc_deflate d = {.limit = UINT64_MAX};
	int rc = vc_deflate_check(pull, &f, &d);

	*len = d.produced;
	return rc;
}

/* Raw deflate of src at level and strategy into out; returns its size. */
static size_t
deflate_raw(const unsigned char *src, size_t n, int level, int strategy, unsigned char *out,
	    size_t cap)
{
	z_stream z;
	size_t got;

	memset(&z, 0, sizeof z);
	deflateInit2(&z, level, Z_DEFLATED, -15, 8, strategy);
	z.next_in = (unsigned char *)src;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	deflate(&z, Z_FINISH);
	got = cap - z.avail_out;
	deflateEnd(&z);
	return got;
}

int
main(void)
{
	static unsigned char src[200000], z[300000], bad[300000];
	static const int strategies[] = {Z_DEFAULT_STRATEGY, Z_FILTERED, Z_HUFFMAN_ONLY, Z_RLE,
					 Z_FIXED};
	static const size_t pieces[] = {1, 7, 4096, 1 << 20};
	unsigned seed = 1;
	int level, st, agree = 0, total = 0, cut_ok = 0, cut_total = 0, pc;
	size_t i, n;
	uint64_t mine, theirs;

	/* Text-like, run-heavy and random regions. */
	for (i = 0; i < sizeof src; i++) {
		seed = seed * 1103515245 + 12345;
		src[i] = i < 60000    ? "the quick brown fox "[i % 20]
			 : i < 120000 ? (unsigned char)(i / 5000)
				      : (unsigned char)(seed >> 16);
	}
	for (level = 0; level <= 9; level++) {
		for (st = 0; st < 5; st++) {
			n = deflate_raw(src, sizeof src, level, strategies[st], z, sizeof z);
			for (pc = 0; pc < 4; pc++) {
				total++;
				agree += check(z, n, pieces[pc], &mine) == 0 && mine == sizeof src;
			}
			/* Cut in the middle: never complete. */
			cut_total++;
			cut_ok += check(z, n / 2, 4096, &mine) == -2;
		}
	}
	tap_ok(agree == total,
	       "level 0-9 x 5 strategies x 4 piece sizes check complete with the "
	       "right length (%d/%d)",
	       agree, total);
	tap_ok(cut_ok == cut_total, "every stream cut in half is reported cut (%d/%d)", cut_ok,
	       cut_total);

	/* Flip bytes: where zlib says bad we say bad; where zlib inflates,
	 * the length agrees. */
	n = deflate_raw(src, 20000, 6, Z_DEFAULT_STRATEGY, z, sizeof z);
	agree = total = 0;
	for (i = 0; i < 3000; i++) {
		int rz, rm;

		memcpy(bad, z, n);
		seed = seed * 1103515245 + 12345;
		bad[(seed >> 8) % n] ^= (unsigned char)(1 + (seed >> 24) % 255);
		rz = zlib_inflate(bad, n, &theirs);
		rm = check(bad, n, 1000, &mine);
		total++;
		agree += (rz == rm) && (rz != 0 || mine == theirs);
	}
	tap_ok(agree == total, "3000 corrupted streams: the same verdict as zlib (%d/%d)", agree,
	       total);

	{
		struct feed f = {z, n, 4096};
		struct vc_deflate d = {.limit = 1000};

		tap_ok(vc_deflate_check(pull, &f, &d) == 1 && d.produced > 1000,
		       "the limit stops the check");
	}
	{
		/* 64 MiB of zeros in about 64 KiB: checked without inflating. */
		static unsigned char zeros[1 << 20], big[1 << 17];
		z_stream zs;
		int k;

		memset(&zs, 0, sizeof zs);
		deflateInit2(&zs, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY);
		zs.next_out = big;
		zs.avail_out = sizeof big;
		for (k = 0; k < 64; k++) {
			zs.next_in = zeros;
			zs.avail_in = sizeof zeros;
			deflate(&zs, k == 63 ? Z_FINISH : Z_NO_FLUSH);
		}
		size_t bn = sizeof big - zs.avail_out;
		int rc;

		deflateEnd(&zs);
		rc = check(big, bn, 4096, &mine);
		tap_ok(rc == 0 && mine == 64u << 20, "a 1000:1 stream of %zu bytes: %llu counted",
		       bn, (unsigned long long)mine);
	}
	{
		/* Leftover: bytes after the stream come back counted. */
		memcpy(bad, z, n);
		memcpy(bad + n, "ABCDEFG", 7);
		struct feed f = {bad, n + 7, 5};
		struct vc_deflate d = {.limit = UINT64_MAX};

		int rc = vc_deflate_check(pull, &f, &d);

		tap_ok(rc == 0 && d.leftover + f.n == 7,
		       "bytes after the end are left over (%zu + %zu)", d.leftover, f.n);
	}
	{
		/* Found by fuzz_img_deflate: a dynamic block whose only distance
		 * code is 2 bits long.  puff takes such a lone code, zlib takes
		 * it only 1 bit long ("invalid distances set"). */
		static const unsigned char lone[] = {
			0xed, 0xd0, 0x31, 0x01, 0x00, 0x00, 0x00, 0xc2, 0xa0, 0xf5, 0x4f,
			0x6d, 0x0a, 0x3f, 0x7e, 0xbf, 0x61, 0xc0, 0x80, 0x01, 0x03, 0x06,
			0x0c, 0x12, 0x00, 0x60, 0x43, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
			0x00, 0x00, 0x00, 0x12, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
			0x00, 0x00, 0x7d, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
			0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
			0x03, 0x06, 0xc0, 0x5d, 0xc0, 0x12, 0x00};

		tap_ok(zlib_inflate(lone, sizeof lone, &theirs) == -1 &&
			       check(lone, sizeof lone, 7, &mine) == -1,
		       "a lone distance code longer than 1 bit is refused, as zlib refuses it");
	}
	return tap_done();
}
