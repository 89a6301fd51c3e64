/*
 * pimodel.h — the learned part of the prompt-injection score: logistic
 * regression over hashed character and word n-grams of the normalized
 * text (normalize.h).
 *
 * Features: character 3-, 4- and 5-grams, words and word pairs, each
 * hashed (FNV-1a, with a hashed sign to cancel collisions on average)
 * into 2^bits buckets and counted; the vector of counts is scaled to unit
 * length, so that a long jailbreak, a short question and one word
 * repeated a million times all sit on the same scale; "smooth" is added
 * to the squared length first, so that a text of a few words, whose few
 * features say little, moves the score less.  The weights
 * are a text file (share/vcobs/prompt/model.txt) written by
 * vc-train-prompt (train/vc-train-prompt.c, `make train`):
 *     # comments
 *     vcobs-pimodel 1
 *     bits B
 *     bias X
 *     smooth S            (optional, default 0)
 *     INDEX WEIGHT        (one line per non-zero weight)
 */
#ifndef VC_PIMODEL_H
#define VC_PIMODEL_H

#include <stddef.h>
#include <stdint.h>

#define VC_PIMODEL_MIN_BITS 10
#define VC_PIMODEL_MAX_BITS 24

struct vc_pimodel {
	unsigned bits;
	double bias;
	double smooth; /* added to the squared length before scaling */
	float *w;      /* 2^bits weights */
	/* scratch of vc_pimodel_features: counts per bucket (kept zeroed
	 * between calls) and the buckets touched */
	int32_t *acc;
	uint8_t *seen;
	uint32_t *touched;
};

/* A model of zero weights (for the trainer). */
struct vc_pimodel *vc_pimodel_new(unsigned bits);
/* Reads a weights file; NULL with "FILE:LINE: why" in why on error. */
struct vc_pimodel *vc_pimodel_load(const char *path, char *why, size_t whylen);
/* Writes m with header comment lines; weights with |w| < prune are left
 * out.  Returns 0, or -1 with errno set. */
int vc_pimodel_save(const struct vc_pimodel *m, const char *path, const char *comment,
		    double prune);
void vc_pimodel_free(struct vc_pimodel *m);

/* Calls fn once for every bucket text[0..len) has a feature in, with
 * the bucket's value in the unit-length vector; returns how many buckets.
 * Uses m's scratch (not its weights): the trainer passes an empty model. */
typedef void vc_pimodel_feature_fn(void *ctx, uint32_t bucket, float value);
size_t vc_pimodel_features(struct vc_pimodel *m, const char *text, size_t len,
			   vc_pimodel_feature_fn *fn, void *ctx);
/* bias + w·x: the model's log-odds that text is an attack. */
double vc_pimodel_logit(struct vc_pimodel *m, const char *text, size_t len);

#endif
