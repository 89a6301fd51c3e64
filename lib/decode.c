/*
 * decode.c — see decode.h.  Every test is a linear scan; nothing is
 * decoded unless it already looks like a payload.
 */
#include "decode.h"

#include <math.h>
#include <string.h>

#define MIN_RUN 16
/* Per-letter log-likelihood gain that marks a word as ROT13-like. */
#define ROT13_GAIN 0.4
/* Letters a run of Morse code needs to be one. */
#define MORSE_MIN 8

const char *
vc_decode_kind_name(enum vc_decode_kind kind)
{
	switch (kind) {
	case VC_DECODE_BASE64:
		return "base64";
	case VC_DECODE_HEX:
		return "hex";
	case VC_DECODE_URL:
		return "url";
	case VC_DECODE_ROT13:
		return "rot13";
	case VC_DECODE_MORSE:
		return "morse";
	}
	return "?";
}

static int
b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

static int
hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Whether decoded bytes d[0..n) read as text: at least 6 bytes, nearly
 * all printable or UTF-8, and at least half of them letters or spaces. */
static int
readable(const unsigned char *d, size_t n)
{
	size_t printable = 0, letters = 0;
	if (n < 6)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = d[i];
		if ((c >= 0x20 && c < 0x7f) || c == '\n' || c == '\t' || c == '\r' || c >= 0x80)
			printable++;
		if ((c | 32) >= 'a' && (c | 32) <= 'z')
			letters++;
		else if (c == ' ')
			letters++;
	}
	return printable * 100 >= n * 95 && letters * 2 >= n;
}

/* Appends the decoded bytes of a candidate if they are readable; returns
 * 1 when kept. */
static int
keep(struct vc_buf *out, size_t mark, struct vc_decoded *d, enum vc_decode_kind kind, size_t from,
     size_t to)
{
	const unsigned char *p = (const unsigned char *)out->p + mark;
	if (!readable(p, out->len - mark)) {
		out->len = mark;
		out->p[mark] = '\0';
		return 0;
	}
	*d = (struct vc_decoded){kind, from, to, mark, out->len};
	vc_buf_addc(out, '\n');
	return 1;
}

static int
decode_base64(const unsigned char *s, size_t n, struct vc_buf *out)
{
	unsigned acc = 0;
	int bits = 0, upper = 0, lower = 0, digits = 0;
	for (size_t i = 0; i < n; i++) {
		int v = b64_value(s[i]);
		if (v < 0)
			break;
		upper |= s[i] >= 'A' && s[i] <= 'Z';
		lower |= s[i] >= 'a' && s[i] <= 'z';
		digits |= (s[i] >= '0' && s[i] <= '9') || s[i] == '+' || s[i] == '/';
		acc = acc << 6 | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			vc_buf_addc(out, (char)(acc >> bits & 0xff));
		}
	}
	/* A long word of one case is not base64 (base64 of text mixes). */
	return upper + lower + digits >= 2;
}

static void
decode_hex(const unsigned char *s, size_t n, struct vc_buf *out)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		vc_buf_addc(out, (char)(hex_value(s[i]) << 4 | hex_value(s[i + 1])));
}

/* Frequent English words, the ROT13 test's first yardstick, by length (a
 * word of another length is none of them): the most frequent words of
 * written English, and the verbs of injected instructions. */
static const char *const common_words[13][48] = {
	[1] = {"a", "i"},
	[2] = {"to", "of", "is", "in", "it", "be", "on", "me", "my", "do", "if", "or",
	       "an", "as", "at", "by", "we", "he", "so", "up", "no", "us", "go"},
	[3] = {"the", "and", "you", "for", "are", "not", "all", "say", "was", "can",
	       "but", "how", "now", "her", "she", "his", "him", "one", "out", "who",
	       "get", "has", "had", "our", "any", "new", "way", "use", "may", "its",
	       "did", "why", "too", "own", "see", "off", "let", "put", "yes"},
	[4] = {"that", "with", "this", "your", "have", "what", "will", "from", "they", "tell",
	       "when", "make", "like", "time", "just", "know", "take", "them", "some", "than",
	       "then", "only", "come", "over", "also", "back", "well", "even", "want", "give",
	       "most", "been", "were", "said", "must", "here", "very", "much", "more"},
	[5] = {"would", "there", "their", "which", "about", "could", "other", "think",
	       "after", "first", "these", "where", "every", "write", "print", "never",
	       "hello", "rules", "world", "today", "thing", "shall"},
	[6] = {"please", "ignore", "should", "people", "before", "answer", "system", "prompt",
	       "secret", "follow", "always", "output", "anyone", "forget"},
	[7] = {"because", "through", "nothing", "respond", "explain", "between"},
	[8] = {"previous", "password", "anything", "instruct"},
	[9] = {"something", "disregard"},
	[10] = {"everything"},
	[12] = {"instructions"},
};

/* Letter frequencies of English text, per mille (the usual published
 * table), the second yardstick: ROT13 swaps frequent letters for rare
 * ones (e->r, t->g, a->n, o->b, i->v). */
static const unsigned short letter_permille[26] = {
	82, 15, 28, 43, 127, 22, 20, 61, 70, 2,  8, 40, 24,
	67, 75, 19, 1,  60,  63, 91, 28, 10, 24, 2, 20, 1,
};

/* log(letter frequency), filled once. */
static double letter_log[26];

static void
letter_log_init(void)
{
	if (letter_log[0] != 0)
		return;
	for (int i = 0; i < 26; i++)
		letter_log[i] = log(letter_permille[i] / 1000.0);
}

/* Whether the lower-case word w[0..n) is one of common_words; called for
 * every word of every message. */
static int
is_common(const char *w, size_t n)
{
	if (n >= sizeof common_words / sizeof *common_words)
		return 0;
	for (const char *const *c = common_words[n]; *c; c++)
		if ((*c)[0] == w[0] && !memcmp(*c, w, n))
			return 1;
	return 0;
}

static char
rot13(char c)
{
	if (c >= 'a' && c <= 'z')
		return (char)('a' + (c - 'a' + 13) % 26);
	if (c >= 'A' && c <= 'Z')
		return (char)('a' + (c - 'A' + 13) % 26);
	return c;
}

static int
is_word_byte(char c)
{
	return ((c | 32) >= 'a' && (c | 32) <= 'z') || (unsigned char)c >= 0x80;
}

/* Per letter, how much likelier English makes the ROT13 reading of the
 * lower-case word w[0..n) than the word itself (natural log). */
static double
rot13_gain(const char *w, size_t n)
{
	double gain = 0;
	for (size_t i = 0; i < n; i++) {
		int c = w[i] - 'a';
		gain += letter_log[(c + 13) % 26] - letter_log[c];
	}
	return gain / (double)n;
}

/* Whether s reads better in ROT13, by two yardsticks over the words (up
 * to the first 400): common English words in each reading, and words of
 * three letters or more whose letters are clearly more English-like in
 * ROT13 (a short payload has few common words, but its letters give it
 * away).  Text with many common words is English already and stops
 * early. */
static int
looks_rot13(const char *s, size_t n)
{
	int plain = 0, rotated = 0, words = 0, rot_like = 0, plain_like = 0;
	char w[16], r[16];
	letter_log_init();
	for (size_t i = 0; i < n && words < 400;) {
		size_t len = 0;
		int foreign = 0;
		while (i < n && !is_word_byte(s[i]))
			i++;
		for (; i < n && is_word_byte(s[i]); i++) {
			/* Words with letters beyond ASCII are no ROT13 (the
			 * ASCII pieces of "Trần" are no words either). */
			if ((unsigned char)s[i] >= 0x80) {
				foreign = 1;
				continue;
			}
			if (len < sizeof w) {
				w[len] = (char)(s[i] | 32);
				r[len] = rot13(s[i]);
			}
			len++;
		}
		if (foreign || len == 0 || len > 12)
			continue;
		words++;
		plain += is_common(w, len);
		rotated += is_common(r, len);
		if (len >= 3) {
			double g = rot13_gain(w, len);
			rot_like += g >= ROT13_GAIN;
			plain_like += g <= -ROT13_GAIN;
		}
		if (plain >= 4 && plain * 2 >= words)
			return 0;
	}
	if (rotated >= 3 && rotated >= 2 * plain + 2)
		return 1;
	return rotated >= 1 && rotated > plain && rot_like >= 3 && rot_like > plain_like;
}

/* International Morse code: the letters, the digits and the common
 * punctuation. */
static const struct {
	char c;
	const char *code;
} morse_table[] = {
	{'a', ".-"},     {'b', "-..."},   {'c', "-.-."},   {'d', "-.."},    {'e', "."},
	{'f', "..-."},   {'g', "--."},    {'h', "...."},   {'i', ".."},     {'j', ".---"},
	{'k', "-.-"},    {'l', ".-.."},   {'m', "--"},     {'n', "-."},     {'o', "---"},
	{'p', ".--."},   {'q', "--.-"},   {'r', ".-."},    {'s', "..."},    {'t', "-"},
	{'u', "..-"},    {'v', "...-"},   {'w', ".--"},    {'x', "-..-"},   {'y', "-.--"},
	{'z', "--.."},   {'0', "-----"},  {'1', ".----"},  {'2', "..---"},  {'3', "...--"},
	{'4', "....-"},  {'5', "....."},  {'6', "-...."},  {'7', "--..."},  {'8', "---.."},
	{'9', "----."},  {'.', ".-.-.-"}, {',', "--..--"}, {'?', "..--.."}, {'\'', ".----."},
	{'!', "-.-.--"}, {'/', "-..-."},  {'-', "-....-"}, {':', "---..."}, {'(', "-.--."},
	{')', "-.--.-"},
};

/* The character of Morse code m[0..n), or '?' for none. */
static char
morse_char(const unsigned char *m, size_t n)
{
	for (size_t k = 0; k < sizeof morse_table / sizeof *morse_table; k++)
		if (strlen(morse_table[k].code) == n && !memcmp(morse_table[k].code, m, n))
			return morse_table[k].c;
	return '?';
}

static int
is_morse_token(const unsigned char *t, size_t n)
{
	if (n == 1 && t[0] == '/')
		return 1;
	if (n > 7)
		return 0;
	for (size_t k = 0; k < n; k++)
		if (t[k] != '.' && t[k] != '-')
			return 0;
	return 1;
}

/* A run of Morse code starting at s[i]: tokens of dots and dashes (or a
 * '/' between words) separated by blanks, a blank line or two or more
 * blanks also ending a word.  Returns the end of the run and decodes it
 * into out, or returns i when fewer than MORSE_MIN letters, or fewer
 * than four different ones, follow. */
static size_t
decode_morse(const unsigned char *s, size_t n, size_t i, struct vc_buf *out)
{
	size_t mark = out->len, end = i, letters = 0, distinct = 0, k = i;
	unsigned long seen = 0; /* the letters met, one bit each */
	while (k < n) {
		size_t t = k, gap;
		while (t < n && s[t] > ' ')
			t++;
		if (t == k || !is_morse_token(s + k, t - k))
			break;
		if (s[k] == '/') {
			vc_buf_addc(out, ' ');
		} else {
			char c = morse_char(s + k, t - k);
			vc_buf_addc(out, c);
			letters++;
			if (c >= 'a' && c <= 'z' && !(seen & 1ul << (c - 'a'))) {
				seen |= 1ul << (c - 'a');
				distinct++;
			}
		}
		end = t;
		for (gap = t; gap < n && (s[gap] == ' ' || s[gap] == '\t' || s[gap] == '\n'); gap++)
			;
		if (gap - t >= 2 && gap < n && s[gap] != '/')
			vc_buf_addc(out, ' ');
		k = gap;
	}
	/* A rule of dashes is "tttt", no message: ask for some variety. */
	if (letters < MORSE_MIN || distinct < 4) {
		out->len = mark;
		out->p[mark] = '\0';
		return i;
	}
	return end;
}

size_t
vc_decode_find(const char *s, size_t n, struct vc_buf *out, struct vc_decoded *found, size_t max)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t nfound = 0;

	vc_buf_reset(out);
	vc_buf_reserve(out, 1);
	for (size_t i = 0; i < n && nfound < max;) {
		size_t j = i, hexlen = 0, b64len = 0, escapes = 0;
		/* A token: up to whitespace or a quote. */
		if (u[i] <= ' ' || u[i] == '"' || u[i] == '\'') {
			i++;
			continue;
		}
		while (j < n && u[j] > ' ' && u[j] != '"' && u[j] != '\'')
			j++;
		if (u[i] == '.' || u[i] == '-') {
			size_t mark = out->len, end = decode_morse(u, n, i, out);
			if (end > i) {
				nfound += keep(out, mark, &found[nfound], VC_DECODE_MORSE, i, end);
				i = end;
				continue;
			}
		}
		/* Most tokens are words: too short for a run, no escapes. */
		if (j - i < MIN_RUN && !memchr(u + i, '%', j - i)) {
			i = j;
			continue;
		}
		while (hexlen < j - i && hex_value(u[i + hexlen]) >= 0)
			hexlen++;
		while (b64len < j - i && b64_value(u[i + b64len]) >= 0)
			b64len++;
		for (size_t k = i; k + 2 < j; k++)
			if (u[k] == '%' && hex_value(u[k + 1]) >= 0 && hex_value(u[k + 2]) >= 0) {
				int c = hex_value(u[k + 1]) << 4 | hex_value(u[k + 2]);
				if ((c | 32) >= 'a' && (c | 32) <= 'z')
					escapes++;
				else if (c >= '0' && c <= '9')
					escapes++;
			}
		size_t mark = out->len;
		if (hexlen >= MIN_RUN && hexlen == b64len) {
			decode_hex(u + i, hexlen & ~(size_t)1, out);
			nfound += keep(out, mark, &found[nfound], VC_DECODE_HEX, i, i + hexlen);
		} else if (b64len >= MIN_RUN) {
			if (decode_base64(u + i, b64len, out))
				nfound += keep(out, mark, &found[nfound], VC_DECODE_BASE64, i,
					       i + b64len);
			else
				out->len = mark;
		} else if (escapes >= 3) {
			for (size_t k = i; k < j; k++) {
				if (u[k] == '%' && k + 2 < j && hex_value(u[k + 1]) >= 0 &&
				    hex_value(u[k + 2]) >= 0) {
					vc_buf_addc(out, (char)(hex_value(u[k + 1]) << 4 |
								hex_value(u[k + 2])));
					k += 2;
				} else {
					vc_buf_addc(out, u[k] == '+' ? ' ' : (char)u[k]);
				}
			}
			nfound += keep(out, mark, &found[nfound], VC_DECODE_URL, i, j);
		}
		i = j;
	}
	if (nfound < max && looks_rot13(s, n)) {
		size_t mark = out->len;
		for (size_t i = 0; i < n; i++)
			vc_buf_addc(out, rot13(s[i]));
		found[nfound] = (struct vc_decoded){VC_DECODE_ROT13, 0, n, mark, out->len};
		vc_buf_addc(out, '\n');
		nfound++;
	}
	return nfound;
}
