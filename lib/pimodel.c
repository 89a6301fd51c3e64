/*
 * pimodel.c — see pimodel.h.
 */
#include "pimodel.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FNV_PRIME 0x01000193u
#define SEED_CHAR 0x811c9dc5u
#define SEED_WORD 0x9e3779b9u
#define SEED_PAIR 0x7f4a7c15u

struct vc_pimodel *
vc_pimodel_new(unsigned bits)
{
	struct vc_pimodel *m = calloc(1, sizeof *m);
	if (!m || !(m->w = calloc((size_t)1 << bits, sizeof *m->w)) ||
	    !(m->acc = calloc((size_t)1 << bits, sizeof *m->acc)) ||
	    !(m->seen = calloc((size_t)1 << bits, sizeof *m->seen)) ||
	    !(m->touched = calloc((size_t)1 << bits, sizeof *m->touched))) {
		perror("calloc");
		exit(2);
	}
	m->bits = bits;
	return m;
}

void
vc_pimodel_free(struct vc_pimodel *m)
{
	if (!m)
		return;
	free(m->w);
	free(m->acc);
	free(m->seen);
	free(m->touched);
	free(m);
}

static inline int
word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80 || c == '\'';
}

/* The final mix of a feature hash, so nearby hashes spread out. */
static inline uint32_t
mix(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x7feb352du;
	h ^= h >> 15;
	h *= 0x846ca68bu;
	h ^= h >> 16;
	return h;
}

/* Adds one signed feature to the scratch counts. */
static inline void
add(struct vc_pimodel *m, uint32_t h, uint32_t mask, size_t *ntouched)
{
	uint32_t b = h & mask;
	if (!m->seen[b]) {
		m->seen[b] = 1;
		m->touched[(*ntouched)++] = b;
	}
	m->acc[b] += (h >> 31) ? -1 : 1;
}

/* Counts the features of text[0..len) into m->acc, listing the buckets
 * in m->touched; returns how many. */
static size_t
count_features(struct vc_pimodel *m, const char *text, size_t len)
{
	const unsigned char *t = (const unsigned char *)text;
	uint32_t mask = ((uint32_t)1 << m->bits) - 1, prev = 0;
	size_t ntouched = 0;
	int have_prev = 0;

	for (size_t i = 0; i + 3 <= len; i++) {
		uint32_t h = SEED_CHAR;
		for (size_t k = 0; k < 5 && i + k < len; k++) {
			h = (h ^ t[i + k]) * FNV_PRIME;
			if (k >= 2)
				add(m, mix(h + (uint32_t)k), mask, &ntouched);
		}
	}
	for (size_t i = 0; i < len;) {
		uint32_t h = SEED_WORD;
		if (!word_byte(t[i])) {
			i++;
			continue;
		}
		while (i < len && word_byte(t[i]))
			h = (h ^ t[i++]) * FNV_PRIME;
		add(m, mix(h), mask, &ntouched);
		if (have_prev)
			add(m, mix(prev * 31u + h + SEED_PAIR), mask, &ntouched);
		prev = h;
		have_prev = 1;
	}
	return ntouched;
}

size_t
vc_pimodel_features(struct vc_pimodel *m, const char *text, size_t len, vc_pimodel_feature_fn *fn,
		    void *ctx)
{
	size_t n = count_features(m, text, len);
	double sumsq = 0;

	for (size_t k = 0; k < n; k++)
		sumsq += (double)m->acc[m->touched[k]] * m->acc[m->touched[k]];
	for (size_t k = 0; k < n; k++) {
		uint32_t b = m->touched[k];
		/* Counts that cancelled out are no feature. */
		if (m->acc[b])
			fn(ctx, b, (float)(m->acc[b] / sqrt(sumsq + m->smooth)));
		m->acc[b] = 0;
		m->seen[b] = 0;
	}
	return n;
}

/* The same sum as vc_pimodel_features would give, in one loop without
 * a call per bucket: this is the scorer's hot path. */
double
vc_pimodel_logit(struct vc_pimodel *m, const char *text, size_t len)
{
	size_t n = count_features(m, text, len);
	double dot = 0, sumsq = 0;

	for (size_t k = 0; k < n; k++) {
		uint32_t b = m->touched[k];
		double c = m->acc[b];
		dot += m->w[b] * c;
		sumsq += c * c;
		m->acc[b] = 0;
		m->seen[b] = 0;
	}
	return sumsq > 0 ? m->bias + dot / sqrt(sumsq + m->smooth) : m->bias;
}

int
vc_pimodel_save(const struct vc_pimodel *m, const char *path, const char *comment, double prune)
{
	FILE *f = fopen(path, "w");
	size_t n = (size_t)1 << m->bits;
	if (!f)
		return -1;
	if (comment)
		fputs(comment, f);
	fprintf(f, "vcobs-pimodel 1\nbits %u\nbias %.6g\nsmooth %g\n", m->bits, m->bias, m->smooth);
	for (size_t i = 0; i < n; i++)
		if (fabsf(m->w[i]) >= prune && m->w[i] != 0)
			fprintf(f, "%zu %.4g\n", i, (double)m->w[i]);
	if (ferror(f)) {
		int e = errno;
		fclose(f);
		errno = e;
		return -1;
	}
	return fclose(f);
}

struct vc_pimodel *
vc_pimodel_load(const char *path, char *why, size_t whylen)
{
	FILE *f = fopen(path, "r");
	struct vc_pimodel *m = NULL;
	char *line = NULL;
	size_t cap = 0;
	unsigned long lineno = 0;
	unsigned bits = 0;
	double bias = 0;
	int version = 0, have_bias = 0;

	if (!f) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	while (getline(&line, &cap, f) >= 0) {
		char *s = line, *end;
		lineno++;
		while (isspace((unsigned char)*s))
			s++;
		if (!*s || *s == '#')
			continue;
		if (!version) {
			if (sscanf(s, "vcobs-pimodel %d", &version) != 1 || version != 1)
				goto bad_header;
		} else if (!bits) {
			if (sscanf(s, "bits %u", &bits) != 1 || bits < VC_PIMODEL_MIN_BITS ||
			    bits > VC_PIMODEL_MAX_BITS)
				goto bad_header;
			m = vc_pimodel_new(bits);
		} else if (!have_bias) {
			if (sscanf(s, "bias %lf", &bias) != 1 || !isfinite(bias))
				goto bad_header;
			m->bias = bias;
			have_bias = 1;
		} else if (!strncmp(s, "smooth ", 7)) {
			double sm;
			if (sscanf(s, "smooth %lf", &sm) != 1 || !(sm >= 0 && sm <= 1e9))
				goto bad_line;
			m->smooth = sm;
		} else {
			unsigned long idx;
			double w;
			errno = 0;
			idx = strtoul(s, &end, 10);
			if (errno || end == s || idx >> bits)
				goto bad_line;
			s = end;
			w = strtod(s, &end);
			if (end == s || !isfinite(w) || fabs(w) > 1e6)
				goto bad_line;
			while (isspace((unsigned char)*end))
				end++;
			if (*end)
				goto bad_line;
			m->w[idx] = (float)w;
		}
	}
	if (ferror(f)) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (!have_bias) {
		snprintf(why, whylen, "%s: not a vcobs-pimodel 1 weights file", path);
		goto fail;
	}
	fclose(f);
	free(line);
	return m;
bad_header:
	snprintf(why, whylen,
		 "%s:%lu: want the header lines vcobs-pimodel 1, "
		 "bits %d-%d, bias X",
		 path, lineno, VC_PIMODEL_MIN_BITS, VC_PIMODEL_MAX_BITS);
	goto fail;
bad_line:
	snprintf(why, whylen, "%s:%lu: want INDEX WEIGHT", path, lineno);
fail:
	fclose(f);
	free(line);
	vc_pimodel_free(m);
	return NULL;
}
