#include "tap.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_count;
static int tap_failed;

int
tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	if (!cond)
		tap_failed++;
	printf("%s %d - ", cond ? "ok" : "not ok", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	return cond;
}

int
tap_is_str(const char *got, const char *want, const char *name)
{
	int same = got && want ? strcmp(got, want) == 0 : got == want;

	if (!tap_ok(same, "%s", name))
		printf("#   got:  '%s'\n#   want: '%s'\n", got ? got : "(null)",
		       want ? want : "(null)");
	return same;
}

int
tap_is_num(double got, double want, const char *name)
{
	int same = got == want || (isnan(got) && isnan(want));

	if (!tap_ok(same, "%s", name))
		printf("#   got:  %.17g\n#   want: %.17g\n", got, want);
	return same;
}

void
tap_skip(const char *why, const char *name)
{
	printf("ok %d - %s # skip %s\n", ++tap_count, name, why);
}

int
tap_done(void)
{
	printf("1..%d\n", tap_count);
	fflush(stdout);
	return tap_failed != 0;
}
