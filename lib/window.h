/*
 * window.h — a group's recent points as buckets, and the value of a
 * monitor query over a window of them.
 *
 * Points are summed into buckets of `width` seconds (count and one
 * statistic per bucket and series, 16 bytes), kept in a ring of `nbuckets` slots per series:
 * memory per group is nseries * nbuckets * sizeof(struct vc_slot),
 * whatever the point rate.  A window [end - W, end) covers the buckets
 * that lie wholly inside it.
 */
#ifndef VC_WINDOW_H
#define VC_WINDOW_H

#include <stddef.h>
#include <stdint.h>

#include "query.h"

/* One bucket of one series: its number (modulo 2^32, enough to tell the
 * buckets of a ring apart), its point count, and the one statistic the
 * series needs (sum for avg, sum and count; else min or max). */
struct vc_slot {
	uint32_t bucket;
	uint32_t count;
	double v;
};

struct vc_window {
	const struct vc_query *q;
	double width;    /* bucket width, seconds */
	size_t nbuckets; /* ring slots per series */
	double *values;  /* scratch: one value per series */
	double *lastval; /* scratch for .fill(last) */
	double *lastat;
	/* Set by vc_window_value when its NAN is no value because the
	 * arithmetic had none (inf - inf, 0 * inf, inf / inf, from sums past
	 * the range of a double), not because the window had no data or a
	 * divisor was zero. */
	int undefined;
};

/* Sets w up for query q: buckets of at least interval seconds, enough to
 * hold span seconds (window, timeshift, delay and lateness together), at
 * most VC_WINDOW_MAX_BUCKETS of them (the width grows instead); their
 * number is a power of two. */
#define VC_WINDOW_MAX_BUCKETS 1024
void vc_window_init(struct vc_window *w, const struct vc_query *q, double interval, double span);
void vc_window_free(struct vc_window *w);

/* A group's ring: nseries * nbuckets empty slots (calloc'd). */
struct vc_slot *vc_window_ring_new(const struct vc_window *w);

void vc_window_add(const struct vc_window *w, struct vc_slot *ring, size_t series, double ts,
		   double value);

/* The slot that vc_window_add(w, ring, series, ts, ...) writes. */
const struct vc_slot *vc_window_slot(const struct vc_window *w, const struct vc_slot *ring,
				     size_t series, double ts);

/* The query's value (time aggregation, arithmetic, change) over the
 * window ending at end, or NAN when the window gives none; w->undefined
 * tells why (see struct vc_window).  A bucket whose arithmetic is
 * undefined makes the whole value undefined: what it stood for is not
 * known, so neither is the window's aggregate. */
double vc_window_value(struct vc_window *w, const struct vc_slot *ring, double end);

/* Whether the value over the window ending at `to` is the one over the
 * window ending at `from`, given that no point came in since: only empty
 * buckets left the window, and the query has no .fill() or change() that
 * would see the difference. */
int vc_window_same(const struct vc_window *w, const struct vc_slot *ring, double from, double to);

/* The buckets of the window ending at end: [*lo, *hi]. */
void vc_window_range(const struct vc_window *w, double end, long long *lo, long long *hi);

/* The oldest bucket with data inside the window ending at end, and the
 * first one with data after it (up to the bucket of newest, the group's
 * newest point); LLONG_MAX for none.  Until the window has moved past the
 * one or onto the other, and while no point comes, its value stands. */
void vc_window_extent(const struct vc_window *w, const struct vc_slot *ring, double end,
		      double newest, long long *first_in, long long *first_after);

/* Datadog's require_full_window rule over the window ending at end: the
 * window split in buckets of 1 minute (minute windows), 10 minutes (hour
 * windows), 1 hour (day windows) or 4 hours (week windows) has data in
 * its first bucket and at most three empty ones. */
int vc_window_full(const struct vc_window *w, const struct vc_slot *ring, double end);

#endif
