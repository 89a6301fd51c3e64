/* Unit tests of lib/ruletest.c: the promtool-like values notation and
 * durations (the runner itself is tested through vc-eval-rules --test). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ruletest.h"
#include "tap.h"

static void
values(const char *s, const char *want)
{
	double v[64];
	char got[512] = "";
	const char *why = NULL;
	long n = vc_ruletest_values(s, v, 64, &why), k;

	for (k = 0; k < n; k++) {
		size_t len = strlen(got);

		if (isnan(v[k]))
			snprintf(got + len, sizeof got - len, "%s_", k ? " " : "");
		else
			snprintf(got + len, sizeof got - len, "%s%g", k ? " " : "", v[k]);
	}
	tap_is_str(n < 0 ? why : got, want, s);
}

static void
duration(const char *s, double want)
{
	double got = -1;
	int rc = vc_ruletest_duration(s, &got);

	tap_is_num(rc == 0 ? got : -1, want, s);
}

int
main(void)
{
	values("1 2 3", "1 2 3");
	values("0.2+0.1x3", "0.2 0.3 0.4 0.5");
	values("10-2x2", "10 8 6");
	values("1x3", "1 1 1 1");
	values("1 _ stale 2", "1 _ _ 2");
	values("_x3 1", "_ _ _ 1");
	values("-1+1x1 1e2", "-1 0 100");
	values("  ", "");
	values("1 x", "expected a repeat count after 'x'");
	values("1+x3", "expected a+bxn in values");
	values("0x3", "0 0 0 0");
	values("inf nan", "expected a number, _, stale or a+bxn in values");
	values("1+2", "expected a+bxn in values");
	values("1e-3+1e-3x1", "0.001 0.002");
	values("1x", "expected a repeat count after 'x'");
	values("1x100", "too many samples in values");
	duration("90", 90);
	duration("90s", 90);
	duration("5m", 300);
	duration("1.5h", 5400);
	duration("1d", 86400);
	duration("2w", 1209600);
	duration("5x", -1);
	duration("-1m", -1);
	duration("", -1);
	return tap_done();
}
