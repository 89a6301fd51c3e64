/*
 * piscore.c — see piscore.h.
 */
#include "piscore.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "normalize.h"
#include "patterns.h"
#include "pimodel.h"

#define MAX_HITS        64
#define MAX_PAYLOADS    8
#define MATCH_SHOWN_MAX 60

/* A built-in signal as the pattern file sets it (weight 0: off). */
struct sig {
	unsigned cat;
	double weight;
};

enum {
	SIG_INVISIBLE,
	SIG_HOMOGLYPH,
	SIG_NFKC,
	SIG_DISGUISED,
	SIG_BASE64,
	SIG_HEX,
	SIG_URL,
	SIG_ROT13,
	SIG_MORSE,
	SIG_DECODED_MATCH,
	NSIGS
};

static const char *const sig_names[NSIGS] = {
	"invisible", "homoglyph", "nfkc",  "disguised", "base64",
	"hex",       "url",       "rot13", "morse",     "decoded-match",
};

struct vc_piscore {
	struct vc_norm *norm;
	struct vc_patterns *pats;
	struct vc_pimodel *model;
	struct sig sigs[NSIGS];
	struct vc_buf normalized; /* of the message, kept for the trainer */
	struct vc_buf decoded;    /* decoded payloads */
	struct vc_buf shown;      /* decoded text of decoded hits */
	struct vc_pattern_hit hits[MAX_HITS];
	struct vc_decoded payloads[MAX_PAYLOADS];
	/* per message: strongest positive and negative weight per category */
	double pos[VC_PISCORE_MAX_CATEGORIES], neg[VC_PISCORE_MAX_CATEGORIES];
	unsigned char *fired_rule; /* per pattern: fired, for --explain */
};

struct vc_piscore *
vc_piscore_new(const char *patterns_path, const char *model_path, char *why, size_t whylen)
{
	struct vc_piscore *s = calloc(1, sizeof *s);
	if (!s) {
		perror("calloc");
		exit(2);
	}
	s->pats = vc_patterns_load(patterns_path, why, whylen);
	if (!s->pats)
		goto fail;
	if (vc_patterns_ncategories(s->pats) > VC_PISCORE_MAX_CATEGORIES) {
		snprintf(why, whylen, "%s: more than %d categories", patterns_path,
			 VC_PISCORE_MAX_CATEGORIES);
		goto fail;
	}
	if (model_path && !(s->model = vc_pimodel_load(model_path, why, whylen)))
		goto fail;
	for (int i = 0; i < NSIGS; i++)
		if (!vc_patterns_signal(s->pats, sig_names[i], &s->sigs[i].cat, &s->sigs[i].weight))
			s->sigs[i].weight = 0;
	s->fired_rule = calloc(vc_patterns_count(s->pats), 1);
	if (!s->fired_rule) {
		perror("calloc");
		exit(2);
	}
	s->norm = vc_norm_new();
	return s;
fail:
	vc_piscore_free(s);
	return NULL;
}

void
vc_piscore_free(struct vc_piscore *s)
{
	if (!s)
		return;
	vc_norm_free(s->norm);
	vc_patterns_free(s->pats);
	vc_pimodel_free(s->model);
	vc_buf_free(&s->normalized);
	vc_buf_free(&s->decoded);
	vc_buf_free(&s->shown);
	free(s->fired_rule);
	free(s);
}

const char *
vc_piscore_normalized(const struct vc_piscore *s, size_t *len)
{
	*len = s->normalized.len;
	return s->normalized.p ? s->normalized.p : "";
}

const char *
vc_piscore_category_name(const struct vc_piscore *s, unsigned cat)
{
	return vc_patterns_category_name(s->pats, cat);
}

static void
weigh(struct vc_piscore *s, unsigned cat, double w)
{
	if (w > s->pos[cat])
		s->pos[cat] = w;
	if (w < s->neg[cat])
		s->neg[cat] = w;
}

static struct vc_pievidence *
add_evidence(struct vc_piresult *r, unsigned cat, const char *name, size_t from, size_t to)
{
	struct vc_pievidence *e;
	if (r->nev == VC_PISCORE_MAX_EVIDENCE)
		return NULL;
	e = &r->ev[r->nev++];
	*e = (struct vc_pievidence){cat, name, from, to, 0, 0, 0};
	return e;
}

static void
fire_signal(struct vc_piscore *s, struct vc_piresult *r, int sig, size_t from, size_t to)
{
	if (s->sigs[sig].weight == 0)
		return;
	weigh(s, s->sigs[sig].cat, s->sigs[sig].weight);
	add_evidence(r, s->sigs[sig].cat, sig_names[sig], from, to);
}

/* Whether a rule of negative weight (an exception: "what is a system
 * prompt?") matched all of positive hit h.  Containment, not overlap: an
 * exception must explain the whole match, or "ignore my previous message
 * and all previous instructions" would hide behind one. */
static int
excepted(struct vc_piscore *s, const char *text, const struct vc_pattern_hit *h, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct vc_pattern_hit *g = &s->hits[i];
		if (vc_patterns_weight(s->pats, g->pattern) < 0 && h->to <= g->to &&
		    vc_patterns_hit_from(s->pats, text, g) <= h->from)
			return 1;
	}
	return 0;
}

/* The patterns in the message itself. */
static void
score_hits(struct vc_piscore *s, struct vc_piresult *r, const struct vc_norm_result *nr)
{
	size_t n = vc_patterns_scan(s->pats, nr->text, nr->len, s->hits, MAX_HITS);
	int disguised = 0;

	for (size_t i = 0; i < n; i++) {
		const struct vc_pattern_hit *h = &s->hits[i];
		unsigned cat = vc_patterns_category(s->pats, h->pattern);
		double w = vc_patterns_weight(s->pats, h->pattern);
		size_t from, to;
		if (w > 0 && excepted(s, nr->text, h, n))
			continue;
		weigh(s, cat, w);
		s->fired_rule[h->pattern] = 1;
		if (w <= 0)
			continue;
		from = nr->from[h->from];
		to = nr->to[h->to - 1];
		add_evidence(r, cat, vc_patterns_name(s->pats, h->pattern), from, to);
		for (size_t k = h->from; k < h->to && !disguised; k++)
			if (nr->evasive[k]) {
				disguised = 1;
				fire_signal(s, r, SIG_DISGUISED, from, to);
			}
	}
}

/* The normalizer's own findings, shown at the first disguised word. */
static void
score_norm(struct vc_piscore *s, struct vc_piresult *r, const struct vc_norm_result *nr)
{
	size_t from = 0, to = 0;
	for (size_t k = 0; k < nr->len; k++)
		if (nr->evasive[k]) {
			from = nr->from[k];
			to = nr->to[k];
			while (k + 1 < nr->len && nr->evasive[k + 1] && nr->text[k + 1] != ' ')
				to = nr->to[++k];
			break;
		}
	if (nr->fired & VC_NORM_INVISIBLE)
		fire_signal(s, r, SIG_INVISIBLE, from, to);
	if (nr->fired & VC_NORM_HOMOGLYPH)
		fire_signal(s, r, SIG_HOMOGLYPH, from, to);
	if (nr->fired & VC_NORM_NFKC)
		fire_signal(s, r, SIG_NFKC, from, to);
}

/* Payloads: each decoded one is a signal, and is scanned like the
 * message; its hits count in their own categories. */
static void
score_payloads(struct vc_piscore *s, struct vc_piresult *r, const char *text, size_t len)
{
	static const int kind_sig[] = {SIG_BASE64, SIG_HEX, SIG_URL, SIG_ROT13, SIG_MORSE};
	size_t n = vc_decode_find(text, len, &s->decoded, s->payloads, MAX_PAYLOADS);
	for (size_t i = 0; i < n; i++) {
		const struct vc_decoded *d = &s->payloads[i];
		struct vc_norm_result nr;
		size_t nh;
		int matched;
		r->decoded |= 1u << d->kind;
		fire_signal(s, r, kind_sig[d->kind], d->from, d->to);
		vc_norm_text(s->norm, s->decoded.p + d->out_from, d->out_to - d->out_from, &nr);
		nh = vc_patterns_scan(s->pats, nr.text, nr.len, s->hits, MAX_HITS);
		matched = 0;
		for (size_t k = 0; k < nh; k++) {
			const struct vc_pattern_hit *h = &s->hits[k];
			unsigned cat = vc_patterns_category(s->pats, h->pattern);
			double w = vc_patterns_weight(s->pats, h->pattern);
			struct vc_pievidence *e;
			if (w > 0 && excepted(s, nr.text, h, nh))
				continue;
			weigh(s, cat, w);
			s->fired_rule[h->pattern] = 1;
			if (w <= 0)
				continue;
			if (!matched++)
				fire_signal(s, r, SIG_DECODED_MATCH, d->from, d->to);
			e = add_evidence(r, cat, vc_patterns_name(s->pats, h->pattern), d->from,
					 d->to);
			if (e) {
				e->decoded = 1;
				e->shown_off = s->shown.len;
				e->shown_len = h->to - h->from;
				vc_buf_add(&s->shown, nr.text + h->from, h->to - h->from);
			}
		}
	}
}

void
vc_piscore_text(struct vc_piscore *s, const char *text, size_t len, struct vc_piresult *r)
{
	struct vc_norm_result nr;
	unsigned ncats = vc_patterns_ncategories(s->pats);

	memset(s->pos, 0, sizeof s->pos);
	memset(s->neg, 0, sizeof s->neg);
	memset(s->fired_rule, 0, vc_patterns_count(s->pats));
	vc_buf_reset(&s->shown);
	r->nev = 0;
	r->decoded = 0;
	r->ncats = ncats;

	vc_norm_text(s->norm, text, len, &nr);
	r->norm_fired = nr.fired;
	vc_buf_reset(&s->normalized);
	vc_buf_add(&s->normalized, nr.text, nr.len);
	r->bias = s->model ? s->model->bias : 0;
	r->model = s->model ? vc_pimodel_logit(s->model, nr.text, nr.len) - r->bias : 0;
	score_hits(s, r, &nr);
	score_norm(s, r, &nr);
	score_payloads(s, r, text, len);

	r->patterns = 0;
	for (unsigned c = 0; c < ncats; c++) {
		/* Exceptions count only where no attack rule is left. */
		r->cat_logit[c] = s->pos[c] > 0 ? s->pos[c] : s->neg[c];
		r->patterns += r->cat_logit[c];
	}
	r->logit = r->bias + r->model + r->patterns;
	r->score = 1 / (1 + exp(-r->logit));
}

void
vc_piscore_json_categories(const struct vc_piscore *s, const struct vc_piresult *r,
			   struct vc_buf *b)
{
	int first = 1;
	vc_buf_addc(b, '[');
	for (unsigned c = 0; c < r->ncats; c++) {
		const char *name;
		if (r->cat_logit[c] <= 0)
			continue;
		name = vc_patterns_category_name(s->pats, c);
		if (!first)
			vc_buf_addc(b, ',');
		vc_buf_add_json_string(b, name, strlen(name));
		first = 0;
	}
	vc_buf_addc(b, ']');
}

/* Cuts n back so that s[0..n) ends on a UTF-8 character boundary. */
static size_t
utf8_cut(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return n;
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return n;
}

void
vc_piscore_json_evidence(const struct vc_piscore *s, const struct vc_piresult *r, const char *text,
			 struct vc_buf *b)
{
	vc_buf_addc(b, '[');
	for (size_t i = 0; i < r->nev; i++) {
		const struct vc_pievidence *e = &r->ev[i];
		const char *cat = vc_patterns_category_name(s->pats, e->cat);
		const char *m = e->decoded ? s->shown.p + e->shown_off : text + e->from;
		size_t mlen = e->decoded ? e->shown_len : e->to - e->from;
		if (i)
			vc_buf_addc(b, ',');
		vc_buf_adds(b, "{\"category\":");
		vc_buf_add_json_string(b, cat, strlen(cat));
		vc_buf_adds(b, ",\"rule\":");
		vc_buf_add_json_string(b, e->name, strlen(e->name));
		vc_buf_adds(b, ",\"match\":");
		vc_buf_add_json_string(b, m, utf8_cut(m, mlen, MATCH_SHOWN_MAX));
		vc_buf_printf(b, ",\"offset\":%zu", e->from);
		if (e->decoded)
			vc_buf_adds(b, ",\"decoded\":true");
		vc_buf_addc(b, '}');
	}
	vc_buf_addc(b, ']');
}

static double
round4(double x)
{
	return round(x * 1e4) / 1e4;
}

void
vc_piscore_json_explain(const struct vc_piscore *s, const struct vc_piresult *r, struct vc_buf *b)
{
	int first = 1;
	vc_buf_adds(b, "{\"normalized\":[");
	for (unsigned bit = 1; bit <= VC_NORM_LEET; bit <<= 1)
		if (r->norm_fired & bit) {
			vc_buf_printf(b, "%s\"%s\"", first ? "" : ",", vc_norm_fired_name(bit));
			first = 0;
		}
	vc_buf_adds(b, "],\"decoded\":[");
	first = 1;
	for (int k = VC_DECODE_BASE64; k <= VC_DECODE_MORSE; k++)
		if (r->decoded & (1u << k)) {
			vc_buf_printf(b, "%s\"%s\"", first ? "" : ",",
				      vc_decode_kind_name((enum vc_decode_kind)k));
			first = 0;
		}
	vc_buf_adds(b, "],\"parts\":{\"bias\":");
	vc_buf_add_json_number(b, round4(r->bias));
	vc_buf_adds(b, ",\"model\":");
	vc_buf_add_json_number(b, round4(r->model));
	for (unsigned c = 0; c < r->ncats; c++) {
		const char *name = vc_patterns_category_name(s->pats, c);
		if (r->cat_logit[c] == 0)
			continue;
		vc_buf_addc(b, ',');
		vc_buf_add_json_string(b, name, strlen(name));
		vc_buf_addc(b, ':');
		vc_buf_add_json_number(b, round4(r->cat_logit[c]));
	}
	vc_buf_adds(b, "},\"rules\":[");
	first = 1;
	for (unsigned i = 0; i < vc_patterns_count(s->pats); i++)
		if (s->fired_rule[i]) {
			const char *name = vc_patterns_name(s->pats, i);
			if (!first)
				vc_buf_addc(b, ',');
			vc_buf_add_json_string(b, name, strlen(name));
			first = 0;
		}
	vc_buf_adds(b, "]}");
}
