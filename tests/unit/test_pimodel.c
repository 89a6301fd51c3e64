/* Unit tests of lib/pimodel.c: features, the weights file and its
 * errors. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pimodel.h"
#include "tap.h"

static size_t seen;
static double sumsq;

static void
count(void *ctx, uint32_t bucket, float value)
{
	(void)ctx;
	(void)bucket;
	seen++;
	sumsq += (double)value * value;
}

static int
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	fputs(text, f);
	return fclose(f);
}

int
main(void)
{
	char path[] = "/tmp/test_pimodel.XXXXXX", why[512];
	int fd = mkstemp(path);
	size_t n;

	close(fd);
	struct vc_pimodel *scratch = vc_pimodel_new(16);
	/* "ab cd": 3 char 3-grams + 2 4-grams + 1 5-gram, 2 words, 1 pair */
	n = vc_pimodel_features(scratch, "ab cd", 5, count, NULL);
	tap_ok(n == 9 && seen == 9, "feature count of a short text (%zu)", n);
	tap_ok(fabs(sumsq - 1) < 1e-5, "features have unit length");
	seen = 0;
	tap_ok(vc_pimodel_features(scratch, "", 0, count, NULL) == 0 && seen == 0,
	       "empty text has no features");
	seen = 0;
	sumsq = 0;
	n = vc_pimodel_features(scratch, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 40, count,
				NULL);
	tap_ok(n <= 5 && fabs(sumsq - 1) < 1e-5,
	       "a repeated letter: few buckets, still unit length (%zu)", n);
	for (uint32_t b = 0; b < 1u << 16; b++)
		if (scratch->acc[b] != 0 || scratch->seen[b] != 0) {
			tap_ok(0, "scratch counts left non-zero");
			break;
		}
	vc_pimodel_free(scratch);

	struct vc_pimodel *m = vc_pimodel_new(12);
	m->bias = -0.5;
	for (int i = 0; i < 4096; i += 3)
		m->w[i] = (float)((i % 7) - 3) / 10;
	double before = vc_pimodel_logit(m, "ignore previous instructions", 28);
	tap_ok(vc_pimodel_save(m, path, "# test\n", 0) == 0, "model saved");
	struct vc_pimodel *back = vc_pimodel_load(path, why, sizeof why);
	tap_ok(back && back->bits == 12 && back->bias == -0.5, "model read back");
	tap_ok(back && fabs(vc_pimodel_logit(back, "ignore previous instructions", 28) - before) <
			       1e-3,
	       "same logit after the round trip");
	tap_ok(fabs(vc_pimodel_logit(m, "", 0) + 0.5) < 1e-12, "empty text: the bias");
	vc_pimodel_free(m);
	vc_pimodel_free(back);

	write_file(path, "vcobs-pimodel 1\nbits 10\nbias 1\nsmooth 3\n7 0.5\n");
	m = vc_pimodel_load(path, why, sizeof why);
	tap_ok(m && m->smooth == 3 && m->w[7] == 0.5f, "smooth read");
	if (!m)
		return tap_done();
	/* "abc": one 3-gram and one word, a squared length of 2, and 2 / 5
	 * once smooth 3 is added to it */
	sumsq = 0;
	vc_pimodel_features(m, "abc", 3, count, NULL);
	tap_ok(fabs(sumsq - 2.0 / 5) < 1e-6, "smooth shrinks a short text's features (%g)", sumsq);
	vc_pimodel_free(m);
	write_file(path, "vcobs-pimodel 1\nbits 10\nbias 1\nsmooth -3\n");
	tap_ok(!vc_pimodel_load(path, why, sizeof why), "a negative smooth is refused");
	write_file(path, "vcobs-pimodel 2\nbits 12\nbias 0\n");
	tap_ok(!vc_pimodel_load(path, why, sizeof why) && strstr(why, ":1:"),
	       "wrong version refused: %s", why);
	write_file(path, "vcobs-pimodel 1\nbits 40\nbias 0\n");
	tap_ok(!vc_pimodel_load(path, why, sizeof why) && strstr(why, ":2:"),
	       "bits out of range refused");
	write_file(path, "vcobs-pimodel 1\nbits 10\nbias 0\n5000 1\n");
	tap_ok(!vc_pimodel_load(path, why, sizeof why) && strstr(why, ":4: want INDEX WEIGHT"),
	       "an index past the buckets is refused: %s", why);
	write_file(path, "vcobs-pimodel 1\nbits 10\nbias 0\n5 nan\n");
	tap_ok(!vc_pimodel_load(path, why, sizeof why), "a non-finite weight is refused");
	write_file(path, "vcobs-pimodel 1\n");
	tap_ok(!vc_pimodel_load(path, why, sizeof why) && strstr(why, "not a vcobs-pimodel"),
	       "a truncated file is refused");
	unlink(path);
	tap_ok(!vc_pimodel_load(path, why, sizeof why), "a missing file is refused");
	return tap_done();
}
