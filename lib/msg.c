#include "msg.h"

#include <err.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Copies in to out (size outsz, at least 8) with the bytes a terminal acts
 * on spelled out: C0 controls and DEL as \xHH, C1 controls (U+0080 to
 * U+009F in UTF-8) as \uHHHH.  A message is one line of text whatever
 * the record or the file name held: an escape sequence in a session id
 * must not drive the reader's terminal, nor a newline forge a second
 * "vc-NAME: FILE:LINE:" line for whatever parses the log. */
static void
make_visible(const char *in, char *out, size_t outsz)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t o = 0;

	for (; *p != '\0' && o + 7 < outsz; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			o += (size_t)snprintf(out + o, outsz - o, "\\x%02x", *p);
		} else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			o += (size_t)snprintf(out + o, outsz - o, "\\u%04x", p[1]);
			p++;
		} else {
			out[o++] = (char)*p;
		}
	}
	out[o] = '\0';
}

void
vc_msg_at(const char *file, unsigned long line, const char *fmt, ...)
{
	char why[512], vfile[1024], vwhy[4 * sizeof why];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	make_visible(file, vfile, sizeof vfile);
	make_visible(why, vwhy, sizeof vwhy);
	warnx("%s:%lu: %s", vfile, line, vwhy);
}

void
vc_msg_file(const char *file)
{
	char vfile[1024];
	int saved = errno;

	make_visible(file, vfile, sizeof vfile);
	warnx("%s: %s", vfile, strerror(saved));
}
