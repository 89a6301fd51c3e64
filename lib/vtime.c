#include "vtime.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"

static int now_fixed;
static double now_value;

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (Howard Hinnant's days_from_civil), so no time zone is ever consulted. */
static long
days_from_civil(long y, unsigned m, unsigned d)
{
	long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long)doe - 719468;
}

static int
digits(const char *s, size_t n, long *v)
{
	size_t i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

static int
days_in_month(long y, long m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

/* RFC 3339 date-time: YYYY-MM-DD(T|t| )HH:MM:SS(.frac)?(Z|z|+HH:MM|-HH:MM) */
static int
parse_rfc3339(const char *s, size_t n, double *ts)
{
	long y, mo, d, h, mi, sec, oh, om;
	double frac = 0;
	size_t i = 19;
	long offset;

	if (n < 20 || s[4] != '-' || s[7] != '-' || s[13] != ':' || s[16] != ':' ||
	    (s[10] != 'T' && s[10] != 't' && s[10] != ' '))
		return -1;
	if (digits(s, 4, &y) || digits(s + 5, 2, &mo) || digits(s + 8, 2, &d) ||
	    digits(s + 11, 2, &h) || digits(s + 14, 2, &mi) || digits(s + 17, 2, &sec))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 60)
		return -1;
	if (s[i] == '.') {
		double scale = 0.1;

		if (++i >= n || s[i] < '0' || s[i] > '9')
			return -1;
		for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, scale /= 10)
			frac += (s[i] - '0') * scale;
	}
	if (i < n && (s[i] == 'Z' || s[i] == 'z') && i + 1 == n) {
		offset = 0;
	} else if (i + 6 == n && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':' &&
		   !digits(s + i + 1, 2, &oh) && !digits(s + i + 4, 2, &om) && oh < 24 && om < 60) {
		offset = (oh * 60 + om) * 60 * (s[i] == '-' ? -1 : 1);
	} else {
		return -1;
	}
	/* A leap second is folded onto the next second, as POSIX time does. */
	*ts = (double)(days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 +
		       sec - offset) +
	      frac;
	return 0;
}

int
vc_time_parse(const char *s, size_t n, double *ts)
{
	struct vc_json_span v;
	const char *why;
	size_t off;

	if (n == 0)
		return -1;
	/* Epoch seconds are spelled as a record's ts is, a JSON number:
	 * strtod alone would also take 0x10, 017 and "17.". */
	if (((s[0] >= '0' && s[0] <= '9') || s[0] == '-') && memchr(s, ':', n) == NULL) {
		/* A JSON number ends in a digit; JSON's blanks around it are
		 * no part of an option's value. */
		if (s[n - 1] < '0' || s[n - 1] > '9' || vc_json_check(s, n, &v, &why, &off) < 0 ||
		    v.type != VC_JSON_NUMBER)
			return -1;
		*ts = vc_json_number(v);
		return isfinite(*ts) ? 0 : -1;
	}
	return parse_rfc3339(s, n, ts);
}

int
vc_time_from_json(struct vc_json_span v, double *ts)
{
	struct vc_buf text = VC_BUF_INIT;
	int rc;

	if (v.type == VC_JSON_NUMBER) {
		*ts = vc_json_number(v);
		return isfinite(*ts) ? 0 : -1;
	}
	if (v.type != VC_JSON_STRING)
		return -1;
	if (!memchr(v.p, '\\', v.len))
		return parse_rfc3339(v.p + 1, v.len - 2, ts);
	vc_json_string(v, &text);
	rc = parse_rfc3339(text.p, text.len, ts);
	vc_buf_free(&text);
	return rc;
}

int
vc_time_of_record(int have, struct vc_json_span v, double *ts)
{
	if (!have || v.type == VC_JSON_NULL) {
		*ts = vc_time_now();
		return 0;
	}
	return vc_time_from_json(v, ts);
}

double
vc_time_now(void)
{
	struct timespec t;

	if (now_fixed)
		return now_value;
	clock_gettime(CLOCK_REALTIME, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

void
vc_time_set_now(double ts)
{
	now_fixed = 1;
	now_value = ts;
}
