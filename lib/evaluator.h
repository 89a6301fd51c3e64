/*
 * evaluator.h — Datadog metric monitors evaluated over a stream of metric
 * points, in event time.
 *
 * Each point ({"ts","metric","value","tags"}) goes to the groups of every
 * monitor whose series it matches.  The evaluator ticks every interval of
 * event time once the stream has moved `lateness` past the tick, and
 * evaluates every group: evaluation_delay, new_group_delay,
 * require_full_window, thresholds with recovery hysteresis, warning, no
 * data, timeout_h and renotify_interval.  Each state change (or, with
 * `all`, each evaluation) is handed to the caller as an alert transition
 * record.
 *
 * Memory: per group, nseries * buckets slots (window.h) and at most
 * `evidence` raw points; a group that has been silent long enough to have
 * nothing left to report is dropped, and any group silent for `retention`
 * seconds is dropped whatever its state.
 */
#ifndef VC_EVALUATOR_H
#define VC_EVALUATOR_H

#include <stddef.h>

#include "json.h"
#include "monitor.h"

struct vc_eval_options {
	double interval;  /* seconds between evaluations (60) */
	double lateness;  /* how late a point may come (60) */
	size_t evidence;  /* raw points kept per group (3) */
	double retention; /* silent groups are dropped after this (86400) */
	int all;          /* report every evaluation, not only changes */
	/* How far past the current time (vc_time_now) a point may be (600,
	 * as Datadog's intake): one further ahead, a typo or a wrong clock,
	 * would move the event clock there and make every later point late.
	 * INFINITY for synthetic times. */
	double max_future;
};

#define VC_EVAL_OPTIONS_INIT             \
	{                                \
		60, 60, 3, 86400, 0, 600 \
	}

/* A point bigger than this is kept as evidence as {"ts","omitted_bytes"}. */
#define VC_EVAL_EVIDENCE_BYTES 4096

/* Point times past 9999-12-31 are refused. */
#define VC_EVAL_MAX_TS 253402300799.0

struct vc_transition {
	const struct vc_monitor *monitor;
	double ts;
	enum vc_monitor_status status, previous;
	int renotify;
	double value; /* NAN for none */
	double threshold;
	char *const *keys; /* the group */
	char *const *values;
	size_t ngroup;
	const char *message; /* rendered */
	const char *json;    /* the whole record, without newline */
	size_t len;
};

typedef void (*vc_eval_emit)(const struct vc_transition *t, void *arg);

/* Evaluates the monitors of set that have a parsed query (borrowed; it
 * must outlive the evaluator). */
struct vc_eval *vc_eval_new(const struct vc_monitor_set *set, const struct vc_eval_options *o,
			    vc_eval_emit emit, void *arg);

/* Takes one point, json[0..len) with its checked root object.  Returns 0
 * when the point was used or concerns no monitor, -1 when it is rejected,
 * with the reason in *why (valid until the next call). */
int vc_eval_point(struct vc_eval *ev, const char *json, size_t len, struct vc_json_span root,
		  const char **why);

/* Runs the evaluations left: through the first tick after the last point,
 * or through until when it is a number.  A stretch of event time without
 * points is ticked through only until every group has settled (retention
 * and the monitors' windows and timeouts); then the evaluator jumps to the
 * stretch's last tick. */
void vc_eval_finish(struct vc_eval *ev, double until);

/* Evaluations passed over because the query's value was undefined: its
 * arithmetic had no value on sums past the range of a double (inf - inf,
 * 0 * inf, inf / inf).  The first of each monitor is reported on stderr;
 * the group's status stands, as when its window has no data. */
unsigned long long vc_eval_undefined(const struct vc_eval *ev);

/* Groups held now, over all monitors. */
size_t vc_eval_groups(struct vc_eval *ev);

void vc_eval_free(struct vc_eval *ev);

#endif
