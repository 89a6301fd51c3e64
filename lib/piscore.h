/*
 * piscore.h — a message's prompt-injection score, with its reasons.
 *
 * The score is a probability: sigmoid(bias + model + patterns), where
 *   model    is the n-gram logistic regression (pimodel.h) on the
 *            normalized text (normalize.h),
 *   patterns is, per category, the strongest weight among the patterns
 *            (patterns.h) and built-in signals that fired, summed over the
 *            categories.  A pattern of negative weight is an exception:
 *            it cancels the attack patterns whose match lies within its own, and
 *            its weight counts when its category has no attack match left.
 * Built-in signals: @invisible, @homoglyph, @nfkc (the normalizer found a
 * disguised word), @disguised (a pattern matched text that was disguised),
 * @base64, @hex, @url, @rot13, @morse (a payload decoded to readable text, see
 * decode.h) and @decoded-match (a pattern matched inside one).  The
 * trainer fits bias and model with the pattern part as a fixed offset, so
 * the sum is calibrated on the training rows as a whole.
 */
#ifndef VC_PISCORE_H
#define VC_PISCORE_H

#include <stddef.h>

#include "buf.h"

#define VC_PISCORE_MAX_CATEGORIES 32
#define VC_PISCORE_MAX_EVIDENCE   16

struct vc_pievidence {
	unsigned cat;
	const char *name;            /* pattern or signal name, static or engine-owned */
	size_t from, to;             /* bytes of the message text shown as the match */
	int decoded;                 /* found inside a decoded payload */
	size_t shown_off, shown_len; /* decoded hits: the decoded text that
					matched, in the engine's buffer */
};

struct vc_piresult {
	double score; /* 0..1 */
	double logit; /* bias + model + patterns */
	double bias, model, patterns;
	double cat_logit[VC_PISCORE_MAX_CATEGORIES];
	unsigned ncats; /* categories the engine knows */
	struct vc_pievidence ev[VC_PISCORE_MAX_EVIDENCE];
	size_t nev;
	unsigned norm_fired; /* enum vc_norm_fired bits */
	unsigned decoded;    /* bit (1 << enum vc_decode_kind) per kind found */
};

struct vc_piscore;

/* Loads the pattern file and, unless model_path is NULL, the weights.
 * NULL with a reason in why on error. */
struct vc_piscore *vc_piscore_new(const char *patterns_path, const char *model_path, char *why,
				  size_t whylen);
void vc_piscore_free(struct vc_piscore *s);

/* Scores text[0..len).  r's evidence points into the engine and into
 * text; both must live until the next call. */
void vc_piscore_text(struct vc_piscore *s, const char *text, size_t len, struct vc_piresult *r);
/* The normalized text of the last vc_piscore_text call (the trainer
 * learns from it). */
const char *vc_piscore_normalized(const struct vc_piscore *s, size_t *len);
const char *vc_piscore_category_name(const struct vc_piscore *s, unsigned cat);
/* The categories that fired, as a JSON array of names. */
void vc_piscore_json_categories(const struct vc_piscore *s, const struct vc_piresult *r,
				struct vc_buf *b);
/* The evidence as a JSON array of {"category","match","offset"}; offset
 * is the byte offset of the match in the message text. */
void vc_piscore_json_evidence(const struct vc_piscore *s, const struct vc_piresult *r,
			      const char *text, struct vc_buf *b);
/* The explanation: {"normalized":[fired...],"decoded":[kinds...],
 * "parts":{"bias":X,"model":X,CATEGORY:X...},"rules":[NAME...]}. */
void vc_piscore_json_explain(const struct vc_piscore *s, const struct vc_piresult *r,
			     struct vc_buf *b);

#endif
