/*
 * normalize.h — the text a prompt-injection pattern is matched against.
 *
 * Attackers disguise "ignore previous instructions" so that a literal
 * matcher misses it: Ｉｇｎｏｒｅ, іgnоrе with Cyrillic letters, ig<ZWSP>nore,
 * "i g n o r e", 1gn0r3.  vc_norm_text undoes each of these and returns
 * one lower-case text to match and learn from:
 *   - Unicode NFKC with case folding (ICU), which also drops default-
 *     ignorable code points;
 *   - removal of zero-width, bidi and other format and control characters;
 *   - the UTS #39 confusable skeleton (ICU uspoof) of every non-ASCII
 *     letter whose skeleton is ASCII, and removal of combining marks left
 *     on ASCII letters;
 *   - rejoining of letters spelled out one by one ("i g n o r e");
 *   - leetspeak folding inside words that mix letters and digits;
 *   - whitespace runs become one space, or one newline if they hold one.
 * ASCII text takes a path with no ICU call; other code points go through
 * ICU once each and are remembered in a small fixed cache.
 *
 * Every output byte knows the span of input bytes it came from, so a match
 * in the normalized text can be shown as the user typed it, and whether
 * it came out of an evasion (a disguised word rather than a plain one).
 */
#ifndef VC_NORMALIZE_H
#define VC_NORMALIZE_H

#include <stddef.h>
#include <stdint.h>

/* What fired while normalizing one text (bits of vc_norm_result.fired). */
enum vc_norm_fired {
	VC_NORM_NFKC = 1 << 0,      /* a compatibility form (fullwidth, 𝐛𝐨𝐥𝐝) */
	VC_NORM_INVISIBLE = 1 << 1, /* zero-width or bidi character in a word */
	VC_NORM_CONTROL = 1 << 2,   /* control characters removed */
	VC_NORM_HOMOGLYPH = 1 << 3, /* a word mixed ASCII with look-alikes */
	VC_NORM_DIACRITIC = 1 << 4, /* combining marks stripped off letters */
	VC_NORM_SPACED = 1 << 5,    /* s p a c e d letters rejoined */
	VC_NORM_LEET = 1 << 6,      /* l33t digits folded to letters */
};
#define VC_NORM_EVASIONS \
	(VC_NORM_NFKC | VC_NORM_INVISIBLE | VC_NORM_HOMOGLYPH | VC_NORM_SPACED | VC_NORM_LEET)

struct vc_norm_result {
	const char *text; /* normalized, NUL-terminated */
	size_t len;
	const uint32_t *from;   /* per output byte: first input byte */
	const uint32_t *to;     /* per output byte: input byte past its source */
	const uint8_t *evasive; /* per output byte: 1 if from an evasion */
	unsigned fired;         /* enum vc_norm_fired bits */
};

struct vc_norm;

/* Opens the ICU normalizer and spoof checker; exits VC_EXIT_USAGE with a
 * message if ICU cannot give them (a broken installation). */
struct vc_norm *vc_norm_new(void);
/* Normalizes s[0..n) (UTF-8; an invalid byte counts as U+FFFD).  The
 * result points into n's buffers and lives until the next call. */
void vc_norm_text(struct vc_norm *nm, const char *s, size_t n, struct vc_norm_result *res);
/* The names of the fired bits, comma-separated, into a static string. */
const char *vc_norm_fired_name(unsigned bit);
void vc_norm_free(struct vc_norm *nm);

#endif
