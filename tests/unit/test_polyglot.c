/*
 * test_polyglot.c — polyglot.c: each signature with its structure, the
 * same magic without it, and random bytes that must never trip the scan.
 */
#include <stdlib.h>
#include <string.h>

#include "img.h"
#include "tap.h"

static struct vc_img_result r;

static int
scan(const void *p, size_t n, int images)
{
	memset(&r, 0, sizeof r);
	vc_poly_scan_meta(&r, p, n, "test", images);
	return r.verdict == VC_IMG_POLYGLOT;
}

#define S(lit) lit, sizeof lit - 1

/* Whether sig is found at every offset of buffers of every length from
 * just holding it to 33 bytes more, so that its first pair falls in the
 * 32-byte (AVX2), the 16-byte and the byte-by-byte scan: the vector
 * prefilter must let it through wherever it is. */
static int
found_everywhere(const void *sig, size_t n, int images)
{
	static unsigned char buf[48 + 256 + 34];
	size_t off, pad;

	for (off = 0; off < 48; off++)
		for (pad = 0; pad <= 33; pad++) {
			memset(buf, ' ', sizeof buf);
			memcpy(buf + off, sig, n);
			if (!scan(buf, off + n + pad, images))
				return 0;
		}
	return 1;
}

/* Control bytes counted in and across the 32-byte blocks and the tail. */
static void
control_blocks(void)
{
	static const size_t at[] = {0, 1, 31, 32, 33, 63, 64, 95, 96, 97, 99};
	unsigned char buf[100], ones[1000];
	size_t i;

	memset(buf, 'a', sizeof buf);
	buf[2] = '\t';
	buf[40] = '\n';
	buf[70] = '\r';
	for (i = 0; i < sizeof at / sizeof at[0]; i++)
		buf[at[i]] = i % 2 ? 0x7f : 1;
	tap_is_num((double)vc_poly_control_bytes(buf, sizeof buf), sizeof at / sizeof at[0],
		   "control bytes at the edges of the 32-byte blocks");
	memset(ones, 1, sizeof ones);
	tap_is_num((double)vc_poly_control_bytes(ones, sizeof ones), sizeof ones,
		   "a thousand control bytes");
}

int
main(void)
{
	static unsigned char pe[256], rnd[1 << 20];
	unsigned char zip[64] = "PK\3\4\24\0\0\0\10\0";
	unsigned char eocd[22] = "PK\5\6\0\0\0\0\1\0\1\0";
	size_t i;
	unsigned seed = 12345;
	long hits = 0;

	tap_ok(scan(S("xx <?php system($_GET[1]); ?>"), 0) && vc_img_has(&r, "embedded_script"),
	       "PHP with code after it");
	tap_ok(!scan(S("<?php"), 0), "a bare <?php is not enough");
	tap_ok(scan(S("<?= `ls -la /tmp`; ?>"), 0), "short echo tag with code");
	tap_ok(scan(S("<script>alert(1)</script>"), 0), "a script tag");
	tap_ok(scan(S("<HTML><body>hi</body></HTML>"), 0), "HTML in any case");
	tap_ok(!scan(S("<scripting is fun"), 0), "a word that starts like a tag");
	tap_ok(scan(S("#!/bin/sh\necho pwned\n"), 0), "a shebang");
	tap_ok(scan(S("%PDF-1.7\n%...."), 0) && vc_img_has(&r, "embedded_document"), "PDF");
	tap_ok(!scan(S("%PDF-x"), 0), "PDF magic without a version");
	zip[26] = 5;
	memcpy(zip + 30, "a.txt", 5);
	tap_ok(scan(zip, sizeof zip, 0) && vc_img_has(&r, "embedded_archive"),
	       "a ZIP local header");
	zip[4] = 200;
	tap_ok(!scan(zip, sizeof zip, 0), "ZIP magic with an impossible version");
	tap_ok(scan(eocd, sizeof eocd, 0), "a ZIP end of central directory");
	eocd[8] = 2;
	tap_ok(!scan(eocd, sizeof eocd, 0), "EOCD with disagreeing counts");
	tap_ok(scan(S("\x7f"
		      "ELF\2\1\1\0\0\0\0\0\0\0\0\0"),
		    0) &&
		       vc_img_has(&r, "embedded_executable"),
	       "ELF");
	memcpy(pe, "MZ", 2);
	pe[0x3c] = 0x80;
	memcpy(pe + 0x80, "PE\0\0", 4);
	tap_ok(scan(pe, sizeof pe, 0), "a PE the DOS stub points to");
	pe[0x3c] = 0x90;
	tap_ok(!scan(pe, sizeof pe, 0), "MZ pointing nowhere");
	tap_ok(scan(S("\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), 1) && vc_img_has(&r, "embedded_image"),
	       "a PNG where images count");
	tap_ok(!scan(S("\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), 0), "but not in Exif");
	tap_ok(scan(S("\xff\xc0\0\x11\x08\0\x10\0\x10\3\1\x22\0\2\x11\1\3\x11\1"), 1),
	       "a JPEG SOF where images count");

	for (i = 0; i < sizeof rnd; i++) {
		seed = seed * 1103515245 + 12345;
		rnd[i] = (unsigned char)(seed >> 16);
	}
	for (i = 0; i + 4096 <= sizeof rnd; i += 4096)
		hits += scan(rnd + i, 4096, 1);
	tap_ok(hits == 0, "1 MiB of random bytes trips nothing (%ld hits)", hits);

	memset(&r, 0, sizeof r);
	vc_poly_comment(&r, 4096, 500, "c");
	tap_ok(vc_img_has(&r, "hidden_data"), "binary in a comment");
	memset(&r, 0, sizeof r);
	vc_poly_comment(&r, 4096, 0, "c");
	vc_poly_comment(&r, 500, 400, "c");
	tap_ok(r.nreasons == 0, "text, or a short comment, is fine");
	tap_is_num((double)vc_poly_control_bytes((const unsigned char *)"a\tb\n\1\x7f", 6), 2,
		   "control bytes");
	control_blocks();

	tap_ok(found_everywhere(S("<?php system($_GET[1]); ?>"), 0), "PHP at every offset");
	tap_ok(found_everywhere(S("<?= `ls -la /tmp`; ?>"), 0), "a short echo tag at every offset");
	tap_ok(found_everywhere(S("<SCRIPT>alert(1)</script>"), 0), "a script tag at every offset");
	tap_ok(found_everywhere(S("<html><p>hi</p></html>"), 0), "<html at every offset");
	tap_ok(found_everywhere(S("<iframe src=x></iframe>"), 0), "<iframe at every offset");
	tap_ok(found_everywhere(S("<Body onload=x>hi</body>"), 0), "<body at every offset");
	tap_ok(found_everywhere(S("<!DOCTYPE html><p>hi"), 0), "<!doctype at every offset");
	tap_ok(found_everywhere(S("JavaScript:alert(document.cookie)"), 0),
	       "a javascript: URL at every offset");
	tap_ok(found_everywhere(S("#!/bin/sh\necho pwned\n"), 0), "a shebang at every offset");
	tap_ok(found_everywhere(S("%PDF-1.7\n%...."), 0), "PDF at every offset");
	tap_ok(found_everywhere(S("PK\3\4\24\0\0\0\10\0"
				  "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
				  "\5\0\0\0"
				  "a.txt"),
				0),
	       "a ZIP local header at every offset");
	tap_ok(found_everywhere(S("\x7f"
				  "ELF\2\1\1\0\0\0\0\0\0\0\0\0"),
				0),
	       "ELF at every offset");
	memset(pe, 0, sizeof pe);
	memcpy(pe, "MZ", 2);
	pe[0x3c] = 0x80;
	memcpy(pe + 0x80, "PE\0\0", 4);
	tap_ok(found_everywhere(pe, 0x84, 0), "a PE at every offset");
	tap_ok(found_everywhere(S("GIF89a\1\0\1\0\0\0\0"), 1), "a GIF at every offset");
	tap_ok(found_everywhere(S("\xff\xd8\xff\xe0\0\x10JFIF\0\1"), 1), "a JPEG at every offset");
	tap_ok(found_everywhere(S("\xff\xc2\0\x11\x08\0\x10\0\x10\3\1\x22\0\2\x11\1\3\x11\1"), 1),
	       "a JPEG SOF at every offset");
	tap_ok(found_everywhere(S("\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), 1), "a PNG at every offset");
	tap_ok(found_everywhere(S("\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08"), 1),
	       "PNG chunks at every offset");

	tap_ok(vc_poly_identify((const unsigned char *)"<svg xmlns", 10) != NULL, "identify SVG");
	tap_ok(vc_poly_identify((const unsigned char *)"\0\0\0\x1c"
						       "ftypavif",
				12) != NULL,
	       "identify AVIF");
	tap_ok(vc_poly_identify((const unsigned char *)"hello", 5) == NULL, "text is nothing");
	return tap_done();
}
