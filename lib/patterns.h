/*
 * patterns.h — the prompt-injection pattern file, compiled once into one
 * Hyperscan database and scanned in one pass per message.
 *
 * The file (share/vcobs/prompt/patterns.txt) has one entry a line:
 *     CATEGORY WEIGHT NAME REGEX
 *     CATEGORY WEIGHT @SIGNAL
 * WEIGHT is the log-odds a match adds to the score.  REGEX is matched
 * against normalized text (normalize.h: lower case, one space between
 * words); a plain space in it stands for "up to three non-alphanumeric
 * bytes", so "ignore previous" also finds "ignore, previous" and the
 * rejoined "ignoreprevious".  An @SIGNAL line gives the category and
 * weight of a detector built into the scorer (@invisible, @homoglyph,
 * @disguised, @base64, ...).  '#' starts a comment line.
 */
#ifndef VC_PATTERNS_H
#define VC_PATTERNS_H

#include <stddef.h>

struct vc_patterns;

struct vc_pattern_hit {
	unsigned pattern; /* index of the pattern */
	size_t from, to;  /* the leftmost match's bytes in the text */
};

/* Reads and compiles the pattern file.  On error returns NULL and writes
 * "FILE:LINE: why" (or "FILE: why") into why. */
struct vc_patterns *vc_patterns_load(const char *path, char *why, size_t whylen);
void vc_patterns_free(struct vc_patterns *p);

unsigned vc_patterns_count(const struct vc_patterns *p);
const char *vc_patterns_name(const struct vc_patterns *p, unsigned i);
unsigned vc_patterns_category(const struct vc_patterns *p, unsigned i);
double vc_patterns_weight(const struct vc_patterns *p, unsigned i);
/* The regex as compiled (spaces expanded), for other engines. */
const char *vc_patterns_regex(const struct vc_patterns *p, unsigned i);

/* Categories are numbered in the order the file first names them. */
unsigned vc_patterns_ncategories(const struct vc_patterns *p);
const char *vc_patterns_category_name(const struct vc_patterns *p, unsigned cat);

/* The category and weight the file gives built-in signal name ("base64"
 * for @base64): 1, or 0 when the file does not mention it (the signal is
 * then off). */
int vc_patterns_signal(const struct vc_patterns *p, const char *name, unsigned *cat,
		       double *weight);

/* Scans text[0..len) once; fills hits with the first match of each
 * pattern that matched (at most max) and returns how many.  The start of
 * an exception's hit (negative weight) is left VC_PATTERN_FROM_UNKNOWN:
 * finding a start costs a regex match, and an exception needs its start
 * only beside an attack hit (see vc_patterns_hit_from). */
#define VC_PATTERN_FROM_UNKNOWN ((size_t)-1)
size_t vc_patterns_scan(struct vc_patterns *p, const char *text, size_t len,
			struct vc_pattern_hit *hits, size_t max);

/* The start of hit h, found in text (the text scanned) if not known yet;
 * stores it in h. */
size_t vc_patterns_hit_from(struct vc_patterns *p, const char *text, struct vc_pattern_hit *h);

#endif
