#include "msg.h"

#include <err.h>
#include <stdarg.h>
#include <stdio.h>

void
vc_msg_at(const char *file, unsigned long line, const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	warnx("%s:%lu: %s", file, line, why);
}
