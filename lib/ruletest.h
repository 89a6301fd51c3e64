/*
 * ruletest.h — unit tests for monitors (vc-eval-rules --test), in the
 * spirit of promtool's rule tests.
 *
 * A test file is JSON: {"monitors": [PATH...], "interval": "1m",
 * "tests": [TEST...]} (monitors and interval optional), or JSON lines of
 * TEST.  A TEST is
 *   {"name", "interval", "evaluation_interval", "start", "until",
 *    "monitors": [ID...],
 *    "input_series": [{"metric", "tags": {...}, "values": "0.1+0.1x5 _ 1x3",
 *                      "fields": {...}}],
 *    "expected": [{"at": "6m", "monitor": ID, "group": {...},
 *                  "status": "alert", "previous", "value", "threshold",
 *                  "message", "message_contains", "handles": [...]}]}
 * Values: a, a+bxn and a-bxn (n+1 samples a, a+b, ..., a+nb), axn (n+1
 * copies), _ (no sample), _xn (n of them), stale (no sample: Datadog has no
 * staleness markers).  Sample i is at start + i * interval; times are
 * seconds or durations (90s, 5m, 1h, 1d).  The transitions the monitors
 * produce must be exactly the expected ones; the fields given besides at,
 * monitor, group and status are compared too.
 */
#ifndef VC_RULETEST_H
#define VC_RULETEST_H

#include <stdio.h>

#include "evaluator.h"
#include "monitor.h"

/* Runs the tests of file against monitors (those the file names, when it
 * names some), printing TAP to out and the differences of each failure.
 * Returns the number of failed tests, or -1 when the file itself is
 * unusable (reported on stderr). */
int vc_ruletest_run(const char *file, const struct vc_monitor_set *monitors,
		    const struct vc_eval_options *o, FILE *out);

/* Expands the values notation into values[] (NAN for a missing sample);
 * returns the count, or -1 with a static reason in *why.  At most max
 * values. */
long vc_ruletest_values(const char *s, double *values, long max, const char **why);

/* Reads a duration or a number of seconds ("90s", "5m", "1h", "1d", "2w",
 * "300"); returns 0, or -1 when s is none. */
int vc_ruletest_duration(const char *s, double *secs);

#endif
