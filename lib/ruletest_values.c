/*
 * ruletest_values.c — the promtool-like values notation of monitor tests
 * and their durations (ruletest.h).
 */
#include "ruletest.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int
vc_ruletest_duration(const char *s, double *secs)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno || !isfinite(v) || v < 0)
		return -1;
	switch (*end) {
	case '\0':
		break;
	case 's':
		end++;
		break;
	case 'm':
		v *= 60;
		end++;
		break;
	case 'h':
		v *= 3600;
		end++;
		break;
	case 'd':
		v *= 86400;
		end++;
		break;
	case 'w':
		v *= 7 * 86400;
		end++;
		break;
	default:
		return -1;
	}
	if (*end)
		return -1;
	*secs = v;
	return 0;
}

/* A decimal number, all of s: strtod alone would take hex, inf and nan. */
static int
decimal(const char *s, double *v)
{
	char *end;

	if (*s == '\0' || strspn(s, "0123456789.eE+-") != strlen(s))
		return -1;
	errno = 0;
	*v = strtod(s, &end);
	return end != s && *end == '\0' && !errno && isfinite(*v) ? 0 : -1;
}

/* One token of the values notation, s[0..n). */
static long
token(const char *s, size_t n, double *values, long at, long max, const char **why)
{
	char tmp[64], *x, *step;
	double a = 0, b = 0;
	long count = 1, k;
	int missing = 0;

	if (n >= sizeof tmp) {
		*why = "value token too long";
		return -1;
	}
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	x = strchr(tmp, 'x');
	if (x) {
		char *cend;

		*x = '\0';
		errno = 0;
		count = strtol(x + 1, &cend, 10);
		if (cend == x + 1 || *cend || count < 0 || !isdigit((unsigned char)x[1])) {
			*why = "expected a repeat count after 'x'";
			return -1;
		}
		if (errno || count >= max) {
			*why = "too many samples in values";
			return -1;
		}
	}
	if (strcmp(tmp, "stale") == 0 || strcmp(tmp, "_") == 0) {
		missing = 1;
	} else {
		/* a, or a+b / a-b: the sign of the step follows the base. */
		step = tmp[0] ? strpbrk(tmp + 1, "+-") : NULL;
		while (step && (step[-1] == 'e' || step[-1] == 'E'))
			step = strpbrk(step + 1, "+-");
		if (step && x == NULL) {
			*why = "expected a+bxn in values";
			return -1;
		}
		if (step) {
			if (decimal(step, &b) != 0) {
				*why = "expected a+bxn in values";
				return -1;
			}
			*step = '\0';
		}
		if (decimal(tmp, &a) != 0) {
			*why = "expected a number, _, stale or a+bxn in values";
			return -1;
		}
		if (x)
			count++; /* a+bxn is n+1 samples, as in promtool */
	}
	if (at + count > max) {
		*why = "too many samples in values";
		return -1;
	}
	for (k = 0; k < count; k++)
		values[at + k] = missing ? NAN : a + b * (double)k;
	return count;
}

long
vc_ruletest_values(const char *s, double *values, long max, const char **why)
{
	long n = 0, got;
	size_t len;

	for (;;) {
		while (isspace((unsigned char)*s))
			s++;
		if (*s == '\0')
			return n;
		len = 0;
		while (s[len] && !isspace((unsigned char)s[len]))
			len++;
		got = token(s, len, values, n, max, why);
		if (got < 0)
			return -1;
		n += got;
		s += len;
	}
}
