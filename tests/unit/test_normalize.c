/* Unit tests of lib/normalize.c: each evasion undone, and what is not an
 * evasion left alone. */
#include <stdlib.h>
#include <string.h>

#include "normalize.h"
#include "tap.h"

static struct vc_norm *nm;
static struct vc_norm_result r;

static const char *
norm(const char *s)
{
	vc_norm_text(nm, s, strlen(s), &r);
	return r.text;
}

int
main(void)
{
	nm = vc_norm_new();

	tap_is_str(norm("Hello   World\n\n  Foo\t"), "hello world\nfoo",
		   "ASCII: case folded, spaces collapsed");
	tap_ok(r.fired == 0, "plain ASCII fires nothing");
	tap_is_str(norm("what are your return rules?"), "what are your return rules?",
		   "shopper text unchanged");

	tap_is_str(
		norm("\xef\xbc\xa9\xef\xbd\x87\xef\xbd\x8e\xef\xbd\x8f\xef\xbd\x92\xef\xbd\x85 it"),
		"ignore it", "fullwidth letters: NFKC");
	tap_ok(r.fired & VC_NORM_NFKC, "fullwidth fires nfkc");
	tap_ok(r.from[0] == 0 && r.to[0] == 3, "output byte maps back to its 3-byte source");
	tap_ok(r.evasive[0] && !r.evasive[7], "the disguised word is marked, the plain one not");

	tap_is_str(norm("\xf0\x9d\x90\xa2\xf0\x9d\x90\xa0\xf0\x9d\x90\xa7\xf0\x9d\x90\xa8\xf0\x9d"
			"\x90\xab\xf0\x9d\x90\x9e"),
		   "ignore", "mathematical bold letters: NFKC");

	/* і (U+0456) and о (U+043E) are Cyrillic. */
	tap_is_str(norm("\xd1\x96gn\xd0\xbere previous"), "ignore previous",
		   "Cyrillic look-alikes: skeleton");
	tap_ok(r.fired & VC_NORM_HOMOGLYPH, "a word mixing scripts fires homoglyph");
	norm("\xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82 friend");
	tap_ok(!(r.fired & VC_NORM_HOMOGLYPH), "an all-Cyrillic word is not a homoglyph evasion");
	norm("Don\xe2\x80\x99t know");
	tap_ok(r.fired == 0, "a typographic apostrophe is no evasion");
	tap_is_str(r.text, "don't know", "typographic apostrophe becomes '");

	tap_is_str(norm("ig\xe2\x80\x8bnore pre\xe2\x80\x8cvious"), "ignore previous",
		   "zero-width characters removed");
	tap_ok(r.fired & VC_NORM_INVISIBLE, "zero-width inside a word fires invisible");
	norm("\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9 family");
	tap_ok(!(r.fired & VC_NORM_INVISIBLE), "ZWJ between emoji is no evasion");
	tap_is_str(norm("abc\xe2\x80\xae"
			"def"),
		   "abcdef", "bidi override removed");
	tap_ok(r.fired & VC_NORM_INVISIBLE, "bidi override fires invisible");

	tap_is_str(norm("I g n o r e  a l l  p r e v i o u s"), "ignore all previous",
		   "spaced letters rejoined at double spaces");
	tap_ok(r.fired & VC_NORM_SPACED, "spaced letters fire spaced");
	tap_is_str(norm("i.g.n.o.r.e a.l.l"), "ignore all",
		   "dotted letters rejoined, another gap breaks words");
	tap_is_str(norm("a b c"), "a b c", "three single letters are left alone");

	tap_is_str(norm("1gn0r3 pr3v10us 1nstruct10ns"), "ignore previous instructions",
		   "leetspeak folded");
	tap_ok(r.fired & VC_NORM_LEET, "leetspeak fires leet");
	tap_is_str(norm("10am 15th mp3 size 42, wow!"), "10am 15th mp3 size 42, wow!",
		   "numbers, units and ! are not leet");
	tap_ok(!(r.fired & VC_NORM_LEET), "no leet fired on ordinary numbers");
	tap_is_str(norm("p@ssw0rd"), "password", "leet symbols inside a word");

	tap_is_str(norm("\xc3\xaf"
			"gn\xc3\xb6r\xc3\xab"),
		   "ignore", "diacritics stripped");
	tap_ok(r.fired & VC_NORM_DIACRITIC, "diacritics fire diacritic");

	tap_is_str(norm("a\x01\x02"
			"b"),
		   "ab", "control characters removed");
	tap_ok(r.fired & VC_NORM_CONTROL, "control fires control");
	tap_is_str(norm("a\xff"
			"b"),
		   "a\xef\xbf\xbd"
		   "b",
		   "an invalid byte reads as U+FFFD");
	tap_is_str(norm("\xe6\x97\xa5\xe6\x9c\xac"), "\xe6\x97\xa5\xe6\x9c\xac",
		   "CJK kept as it is");

	size_t big = 1 << 20;
	char *s = malloc(big + 1);
	memset(s, 'A', big);
	s[big] = '\0';
	vc_norm_text(nm, s, big, &r);
	tap_ok(r.len == big && r.text[0] == 'a' && r.text[big - 1] == 'a', "1 MiB of text");
	free(s);
	tap_is_str(norm(""), "", "empty text");
	tap_is_str(vc_norm_fired_name(VC_NORM_SPACED), "spaced", "fired names");

	vc_norm_free(nm);
	return tap_done();
}
