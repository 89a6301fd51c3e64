/*
 * normalize.c — see normalize.h.  Two passes: the first maps every code
 * point (ASCII by hand, the rest through ICU and a cache) and notices
 * disguised words; the second works on the lower-case result, rejoining
 * spelled-out letters, folding leetspeak and collapsing whitespace.
 */
#include "normalize.h"

#include <err.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uspoof.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

#include "msg.h"

/* What one non-ASCII code point becomes (kind of a cache entry). */
enum cp_kind {
	CP_KEEP,      /* itself, or a non-ASCII normal form of itself */
	CP_GONE,      /* a format character (zero-width...): dropped */
	CP_CONTROL,   /* a C1 control character: dropped */
	CP_BIDI,      /* a bidi control: dropped, always an evasion */
	CP_SPACE,     /* some Unicode space: one ASCII space */
	CP_NEWLINE,   /* line or paragraph separator */
	CP_NFKC,      /* compatibility form of ASCII (fullwidth, math) */
	CP_GLYPH,     /* confusable whose skeleton is ASCII */
	CP_DIACRITIC, /* ASCII letter with combining marks */
};

#define CACHE_SLOTS 4096
#define CP_OUT_MAX  14

struct cp_entry {
	uint32_t cp_plus1; /* 0: empty slot */
	uint8_t kind;
	uint8_t len;
	char out[CP_OUT_MAX];
};

struct vc_norm {
	const UNormalizer2 *nfkc_cf;
	const UNormalizer2 *nfd;
	USpoofChecker *spoof;
	struct cp_entry cache[CACHE_SLOTS];
	/* Pass 1 output and pass 2 output, each with its byte maps.  Pass 1
	 * keeps no `to`: its bytes each come from one code point of the
	 * input (src), whose end is found again from its start (src_end).
	 * The maps are most of the memory a long message takes. */
	struct pass {
		char *text;
		uint32_t *from, *to;
		uint8_t *ev;
		size_t len, cap;
		const unsigned char *src; /* pass 1: the input */
		size_t srclen;
		int has_to;
	} p1, p2;
};

struct vc_norm *
vc_norm_new(void)
{
	struct vc_norm *nm = calloc(1, sizeof *nm);
	UErrorCode st = U_ZERO_ERROR;

	if (!nm)
		err(VC_EXIT_USAGE, "out of memory");
	nm->nfkc_cf = unorm2_getNFKCCasefoldInstance(&st);
	if (U_SUCCESS(st))
		nm->nfd = unorm2_getNFDInstance(&st);
	if (U_SUCCESS(st))
		nm->spoof = uspoof_open(&st);
	if (U_FAILURE(st))
		errx(VC_EXIT_USAGE, "ICU: cannot open the normalizer: %s", u_errorName(st));
	nm->p2.has_to = 1;
	return nm;
}

void
vc_norm_free(struct vc_norm *nm)
{
	if (!nm)
		return;
	uspoof_close(nm->spoof);
	for (int i = 0; i < 2; i++) {
		struct pass *p = i ? &nm->p2 : &nm->p1;
		free(p->text);
		free(p->from);
		free(p->to);
		free(p->ev);
	}
	free(nm);
}

static void
pass_reserve(struct pass *p, size_t need)
{
	if (need <= p->cap)
		return;
	/* Doubling, but no further than a long message needs: rounding up
	 * to a power of two would cost as much as the message again. */
	size_t cap = p->cap ? p->cap * 2 : 256;
	if (cap < need)
		cap = need;
	p->text = realloc(p->text, cap + 1);
	p->from = realloc(p->from, cap * sizeof *p->from);
	if (p->has_to)
		p->to = realloc(p->to, cap * sizeof *p->to);
	p->ev = realloc(p->ev, cap);
	if (!p->text || !p->from || (p->has_to && !p->to) || !p->ev)
		err(VC_EXIT_USAGE, "out of memory");
	p->cap = cap;
}

/* Appends one byte; the caller reserved room. */
static inline void
put(struct pass *p, char c, uint32_t from, uint32_t to, uint8_t ev)
{
	size_t i = p->len++;
	p->text[i] = c;
	p->from[i] = from;
	p->to[i] = to;
	p->ev[i] = ev;
}

/* Appends one byte of pass 1, from the code point at input byte from. */
static inline void
put1(struct pass *p, char c, uint32_t from, uint8_t ev)
{
	size_t i = p->len++;
	p->text[i] = c;
	p->from[i] = from;
	p->ev[i] = ev;
}

/* Decodes one UTF-8 code point at s[i..n); returns its length, and
 * U+FFFD for a malformed sequence (one byte consumed). */
static size_t
utf8_next(const unsigned char *s, size_t i, size_t n, uint32_t *cp)
{
	unsigned c = s[i];
	size_t len;
	uint32_t v, min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2, v = c & 0x1f, min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3, v = c & 0x0f, min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4, v = c & 0x07, min = 0x10000;
	} else {
		*cp = 0xfffd;
		return 1;
	}
	if (i + len > n)
		goto bad;
	for (size_t k = 1; k < len; k++) {
		if ((s[i + k] & 0xc0) != 0x80)
			goto bad;
		v = v << 6 | (s[i + k] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		goto bad;
	*cp = v;
	return len;
bad:
	*cp = 0xfffd;
	return 1;
}

/* Appends code point cp as UTF-8 to out (room for 4 bytes); returns the
 * new length. */
static size_t
utf8_put(char *out, size_t len, uint32_t cp)
{
	if (cp < 0x80) {
		out[len++] = (char)cp;
	} else if (cp < 0x800) {
		out[len++] = (char)(0xc0 | cp >> 6);
		out[len++] = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		out[len++] = (char)(0xe0 | cp >> 12);
		out[len++] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[len++] = (char)(0x80 | (cp & 0x3f));
	} else {
		out[len++] = (char)(0xf0 | cp >> 18);
		out[len++] = (char)(0x80 | (cp >> 12 & 0x3f));
		out[len++] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[len++] = (char)(0x80 | (cp & 0x3f));
	}
	return len;
}

static int
is_bidi_control(uint32_t cp)
{
	return cp == 0x061c || cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

/* The ASCII a code point's UTS #39 skeleton is made of, lower-cased, into
 * out; returns its length, or 0 when the skeleton is not printable ASCII. */
static size_t
skeleton_ascii(struct vc_norm *nm, uint32_t cp, char *out, size_t cap)
{
	UChar src[2], skel[16];
	int32_t srclen = 0, n;
	UErrorCode st = U_ZERO_ERROR;
	UBool bad = 0;

	U16_APPEND(src, srclen, 2, cp, bad);
	if (bad)
		return 0;
	n = uspoof_getSkeleton(nm->spoof, 0, src, srclen, skel, 16, &st);
	if (U_FAILURE(st) || n <= 0 || (size_t)n > cap)
		return 0;
	for (int32_t i = 0; i < n; i++) {
		if (skel[i] <= 0x20 || skel[i] >= 0x7f)
			return 0;
		out[i] = (char)(skel[i] >= 'A' && skel[i] <= 'Z' ? skel[i] + 32 : skel[i]);
	}
	return (size_t)n;
}

/* Works out what non-ASCII cp becomes (the slow path, once per cached
 * code point). */
static void
map_code_point(struct vc_norm *nm, uint32_t cp, struct cp_entry *e)
{
	UChar src[2], cf[32], dec[64];
	int32_t srclen = 0, cflen, declen;
	UErrorCode st = U_ZERO_ERROR;
	UBool bad = 0;
	int8_t type = u_charType((UChar32)cp);
	size_t len = 0;
	int marks = 0, glyphs = 0;

	e->cp_plus1 = cp + 1;
	e->len = 0;
	if (is_bidi_control(cp)) {
		e->kind = CP_BIDI;
		return;
	}
	if (cp == 0x2028 || cp == 0x2029 || cp == 0x85) {
		e->kind = CP_NEWLINE;
		return;
	}
	if (u_isUWhiteSpace((UChar32)cp)) {
		e->kind = CP_SPACE;
		return;
	}
	if (type == U_CONTROL_CHAR) {
		e->kind = CP_CONTROL;
		return;
	}
	if (type == U_FORMAT_CHAR ||
	    u_hasBinaryProperty((UChar32)cp, UCHAR_DEFAULT_IGNORABLE_CODE_POINT)) {
		e->kind = CP_GONE;
		return;
	}
	U16_APPEND(src, srclen, 2, cp, bad);
	cflen = unorm2_normalize(nm->nfkc_cf, src, srclen, cf, 32, &st);
	if (bad || U_FAILURE(st))
		goto keep_original;
	if (cflen == 0) {
		e->kind = CP_GONE;
		return;
	}
	declen = unorm2_normalize(nm->nfd, cf, cflen, dec, 64, &st);
	if (U_FAILURE(st))
		goto keep_original;
	/* Try to spell it in ASCII: marks dropped, look-alikes skeletonized. */
	for (int32_t i = 0; i < declen;) {
		UChar32 c;
		U16_NEXT(dec, i, declen, c);
		if (u_charType(c) == U_NON_SPACING_MARK) {
			marks++;
			continue;
		}
		if (c < 0x80) {
			if (len >= CP_OUT_MAX)
				goto keep_normal;
			e->out[len++] = (char)c;
			continue;
		}
		size_t k = skeleton_ascii(nm, (uint32_t)c, e->out + len, CP_OUT_MAX - len);
		if (!k)
			goto keep_normal;
		len += k;
		glyphs++;
	}
	if (len == 0)
		goto keep_normal;
	e->len = (uint8_t)len;
	e->kind = glyphs ? CP_GLYPH : marks ? CP_DIACRITIC : CP_NFKC;
	return;
keep_normal:
	/* Not ASCII-able: keep the case-folded normal form. */
	{
		char tmp[CP_OUT_MAX + 4] = {0};
		size_t n = 0;
		for (int32_t i = 0; i < cflen;) {
			UChar32 c;
			U16_NEXT(cf, i, cflen, c);
			if (n + 4 > CP_OUT_MAX)
				goto keep_original;
			n = utf8_put(tmp, n, (uint32_t)c);
		}
		memcpy(e->out, tmp, n);
		e->len = (uint8_t)n;
		e->kind = CP_KEEP;
		return;
	}
keep_original:
	e->len = (uint8_t)utf8_put(e->out, 0, cp);
	e->kind = CP_KEEP;
}

static const struct cp_entry *
lookup(struct vc_norm *nm, uint32_t cp)
{
	struct cp_entry *e = &nm->cache[(cp * 2654435761u) >> 20 & (CACHE_SLOTS - 1)];
	if (e->cp_plus1 != cp + 1)
		map_code_point(nm, cp, e);
	return e;
}

static inline int
is_word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80;
}

static inline int
is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* State of the word being built in pass 1. */
struct word {
	size_t start;        /* its first byte in p1 */
	unsigned ev;         /* evasions seen inside it */
	int ascii_letters;   /* letters that were typed as ASCII */
	int glyphs;          /* letters that were look-alikes */
	int invisible_after; /* an invisible char followed a word byte */
};

static void
word_end(struct pass *p, struct word *w, unsigned *fired)
{
	if (w->glyphs && w->ascii_letters)
		w->ev |= VC_NORM_HOMOGLYPH;
	if (w->ev) {
		*fired |= w->ev;
		for (size_t i = w->start; i < p->len; i++)
			p->ev[i] = 1;
	}
	memset(w, 0, sizeof *w);
	w->start = p->len;
}

/* Pass 1: code points to lower-case ASCII where they have an ASCII
 * reading; notes disguised words. */
static unsigned
pass_map(struct vc_norm *nm, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	struct pass *p = &nm->p1;
	struct word w = {0};
	unsigned fired = 0;

	p->len = 0;
	p->src = u;
	p->srclen = n;
	pass_reserve(p, n + 16);
	for (size_t i = 0; i < n;) {
		/* One code point writes at most CP_OUT_MAX bytes; most write
		 * one, so grow as needed rather than reserve the worst case. */
		if (p->len + CP_OUT_MAX > p->cap)
			pass_reserve(p, p->len + CP_OUT_MAX + (n - i));
		uint32_t cp;
		size_t len = utf8_next(u, i, n, &cp);
		uint32_t from = (uint32_t)i;
		i += len;
		if (cp < 0x80) {
			char c = (char)cp;
			if (c >= 'A' && c <= 'Z')
				c += 32;
			if (cp < 0x20 || cp == 0x7f) {
				if (cp == '\n') {
					c = '\n';
				} else if (cp == '\t' || cp == '\r' || cp == '\v' || cp == '\f') {
					c = ' ';
				} else {
					fired |= VC_NORM_CONTROL;
					continue;
				}
			}
			if (is_word_byte((unsigned char)c)) {
				if (w.invisible_after)
					w.ev |= VC_NORM_INVISIBLE;
				if (c >= 'a')
					w.ascii_letters++;
				w.invisible_after = 0;
				put1(p, c, from, 0);
			} else {
				word_end(p, &w, &fired);
				put1(p, c, from, 0);
				w.start = p->len;
			}
			continue;
		}
		const struct cp_entry *e = lookup(nm, cp);
		switch (e->kind) {
		case CP_BIDI:
			fired |= VC_NORM_INVISIBLE;
			w.ev |= VC_NORM_INVISIBLE;
			continue;
		case CP_GONE:
			/* Evasive only inside a word: ZWJ between emoji is not. */
			if (p->len > w.start && is_alnum((unsigned char)p->text[p->len - 1]))
				w.invisible_after = 1;
			continue;
		case CP_SPACE:
		case CP_NEWLINE:
			word_end(p, &w, &fired);
			put1(p, e->kind == CP_SPACE ? ' ' : '\n', from, 0);
			w.start = p->len;
			continue;
		case CP_CONTROL:
			fired |= VC_NORM_CONTROL;
			continue;
		case CP_NFKC:
			/* Only letters disguise words: "…" becoming "..." does not. */
			if (is_alnum((unsigned char)e->out[0]))
				w.ev |= VC_NORM_NFKC;
			break;
		case CP_GLYPH:
			if (is_alnum((unsigned char)e->out[0]))
				w.glyphs++;
			break;
		case CP_DIACRITIC:
			fired |= VC_NORM_DIACRITIC;
			break;
		default:
			break;
		}
		if (w.invisible_after && e->len && is_alnum((unsigned char)e->out[0]))
			w.ev |= VC_NORM_INVISIBLE;
		w.invisible_after = 0;
		for (size_t k = 0; k < e->len; k++) {
			unsigned char c = (unsigned char)e->out[k];
			if (!is_word_byte(c)) {
				word_end(p, &w, &fired);
				put1(p, (char)c, from, 0);
				w.start = p->len;
			} else {
				put1(p, (char)c, from, 0);
			}
		}
	}
	word_end(p, &w, &fired);
	return fired;
}

/* Past the input code point pass 1's byte k came from. */
static inline uint32_t
src_end(const struct pass *in, size_t k)
{
	uint32_t cp, from = in->from[k];

	if (in->src[from] < 0x80)
		return from + 1;
	return from + (uint32_t)utf8_next(in->src, from, in->srclen, &cp);
}

static inline int
is_space(unsigned char c)
{
	return c == ' ' || c == '\n';
}

/* A separator between spelled-out letters. */
static inline int
is_spacer(unsigned char c)
{
	return c == ' ' || c == '.' || c == '-' || c == '_' || c == '*' || c == '/' || c == '|' ||
	       c == '+' || c == '~' || c == ',';
}

/* Whether t[i] is a letter or digit standing alone: no word byte touches
 * it on either side. */
static int
single_at(const char *t, size_t n, size_t i)
{
	const unsigned char *u = (const unsigned char *)t;
	return is_alnum(u[i]) && (i == 0 || !is_word_byte(u[i - 1])) &&
	       (i + 1 == n || !is_word_byte(u[i + 1]));
}

#define SPACED_MIN 4

/* If a run of at least SPACED_MIN spelled-out letters starts at t[i],
 * writes it rejoined to out and returns the p1 index after it; else 0.
 * The gap after the first letter is the run's letter gap; any other gap
 * marks a word break, which becomes one space. */
static size_t
rejoin_spaced(const struct pass *in, size_t i, struct pass *out)
{
	const char *t = in->text;
	size_t n = in->len, q = i + 1, count = 1, gap0 = 0, gap0len = 0;
	size_t last = i;

	if (!single_at(t, n, i))
		return 0;
	/* First count the run, without writing. */
	for (;;) {
		size_t g = q;
		while (g < n && is_spacer((unsigned char)t[g]) && g - q < 4)
			g++;
		if (g == q || g >= n || !single_at(t, n, g))
			break;
		if (count == 1) {
			gap0 = q;
			gap0len = g - q;
		}
		count++;
		last = g;
		q = g + 1;
	}
	if (count < SPACED_MIN)
		return 0;
	for (size_t k = i; k <= last;) {
		put(out, t[k], in->from[k], src_end(in, k), 1);
		size_t g = k + 1;
		if (g > last)
			break;
		size_t e = g;
		while (!is_alnum((unsigned char)t[e]))
			e++;
		if (e - g != gap0len || memcmp(t + g, t + gap0, gap0len))
			put(out, ' ', in->from[g], src_end(in, e - 1), 0);
		k = e;
	}
	return last + 1;
}

static inline char
leet_letter(unsigned char c)
{
	switch (c) {
	case '0':
		return 'o';
	case '1':
		return 'i';
	case '3':
		return 'e';
	case '4':
		return 'a';
	case '5':
		return 's';
	case '7':
		return 't';
	case '@':
		return 'a';
	case '$':
		return 's';
	case '!':
		return 'i';
	case '|':
		return 'l';
	default:
		return 0;
	}
}

static inline int
is_letter(unsigned char c)
{
	return c >= 'a' && c <= 'z';
}

/* If the token at t[i] is a word in leetspeak, writes it folded and
 * returns the index after it; else 0.  A token counts when a leet digit
 * or symbol sits between two letters (h4ck, pr3v10us), or when it starts
 * with a leet digit before a letter and has another one later (1gn0r3);
 * "10am", "15th", "mp3" and "wow!" stay as they are. */
static size_t
fold_leet(const struct pass *in, size_t i, struct pass *out)
{
	const unsigned char *t = (const unsigned char *)in->text;
	size_t n = in->len, e = i;
	int inner = 0, leet = 0;

	if (!is_alnum(t[i]) || (i > 0 && is_word_byte(t[i - 1])))
		return 0;
	while (e < n && (is_alnum(t[e]) || leet_letter(t[e])))
		e++;
	while (e > i && !is_alnum(t[e - 1]))
		e--;
	if (e < n && t[e] >= 0x80)
		return 0;
	for (size_t k = i; k < e; k++) {
		if (is_letter(t[k]) || !leet_letter(t[k]))
			continue;
		leet++;
		if (k > i && k + 1 < e && is_letter(t[k - 1]) && is_letter(t[k + 1]))
			inner++;
	}
	if (!inner && !(leet >= 2 && leet_letter(t[i]) && !is_letter(t[i]) && e > i + 1 &&
			is_letter(t[i + 1])))
		return 0;
	for (size_t k = i; k < e; k++) {
		char c = (char)t[k];
		if (!is_letter(t[k]) && leet_letter(t[k]))
			c = leet_letter(t[k]);
		put(out, c, in->from[k], src_end(in, k), 1);
	}
	return e;
}

/* Pass 2: rejoin spelled-out letters, fold leetspeak, collapse spaces. */
static unsigned
pass_words(struct vc_norm *nm)
{
	const struct pass *in = &nm->p1;
	struct pass *out = &nm->p2;
	const unsigned char *t = (const unsigned char *)in->text;
	size_t n = in->len;
	unsigned fired = 0;

	out->len = 0;
	pass_reserve(out, n + 1);
	for (size_t i = 0; i < n;) {
		if (is_space(t[i])) {
			size_t j = i;
			int nl = 0;
			while (j < n && is_space(t[j]))
				nl |= t[j++] == '\n';
			if (out->len > 0 && j < n)
				put(out, nl ? '\n' : ' ', in->from[i], src_end(in, j - 1), 0);
			i = j;
			continue;
		}
		if (is_alnum(t[i]) && (i == 0 || !is_word_byte(t[i - 1]))) {
			size_t j = rejoin_spaced(in, i, out);
			if (j) {
				fired |= VC_NORM_SPACED;
				i = j;
				continue;
			}
		}
		if (is_alnum(t[i]) || leet_letter(t[i])) {
			size_t j = fold_leet(in, i, out);
			if (j) {
				fired |= VC_NORM_LEET;
				i = j;
				continue;
			}
		}
		put(out, (char)t[i], in->from[i], src_end(in, i), in->ev[i]);
		/* Copy the rest of a plain word at once. */
		if (is_word_byte(t[i]))
			while (i + 1 < n && is_word_byte(t[i + 1])) {
				i++;
				put(out, (char)t[i], in->from[i], src_end(in, i), in->ev[i]);
			}
		i++;
	}
	out->text[out->len] = '\0';
	return fired;
}

void
vc_norm_text(struct vc_norm *nm, const char *s, size_t n, struct vc_norm_result *res)
{
	unsigned fired = pass_map(nm, s, n);
	fired |= pass_words(nm);
	res->text = nm->p2.text;
	res->len = nm->p2.len;
	res->from = nm->p2.from;
	res->to = nm->p2.to;
	res->evasive = nm->p2.ev;
	res->fired = fired;
}

const char *
vc_norm_fired_name(unsigned bit)
{
	switch (bit) {
	case VC_NORM_NFKC:
		return "nfkc";
	case VC_NORM_INVISIBLE:
		return "invisible";
	case VC_NORM_CONTROL:
		return "control";
	case VC_NORM_HOMOGLYPH:
		return "homoglyph";
	case VC_NORM_DIACRITIC:
		return "diacritic";
	case VC_NORM_SPACED:
		return "spaced";
	case VC_NORM_LEET:
		return "leet";
	default:
		return "?";
	}
}
