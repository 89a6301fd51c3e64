/*
 * window.c — bucket rings and the value of a query over a window
 * (window.h).
 */
#include "window.h"

#include <err.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>

#include "msg.h"
#include "xalloc.h"

void
vc_window_init(struct vc_window *w, const struct vc_query *q, double interval, double span)
{
	double width = interval;

	if (span / width > VC_WINDOW_MAX_BUCKETS / 2 - 3)
		width = ceil(span / (VC_WINDOW_MAX_BUCKETS / 2 - 3) / interval) * interval;
	w->q = q;
	w->width = width;
	w->undefined = 0;
	/* A power of two, so a bucket's slot is a mask away. */
	w->nbuckets = 4;
	while (w->nbuckets < (size_t)ceil(span / width) + 3)
		w->nbuckets *= 2;
	w->values = vc_xcalloc(q->nseries, sizeof *w->values);
	w->lastval = vc_xcalloc(q->nseries, sizeof *w->lastval);
	w->lastat = vc_xcalloc(q->nseries, sizeof *w->lastat);
}

void
vc_window_free(struct vc_window *w)
{
	free(w->values);
	free(w->lastval);
	free(w->lastat);
}

struct vc_slot *
vc_window_ring_new(const struct vc_window *w)
{
	struct vc_slot *ring = vc_xcalloc(w->q->nseries * w->nbuckets, sizeof *ring);
	size_t k;

	for (k = 0; k < w->q->nseries * w->nbuckets; k++)
		ring[k].bucket = UINT32_MAX;
	return ring;
}

static size_t
slot_index(const struct vc_window *w, size_t series, long long b)
{
	return series * w->nbuckets + ((size_t)b & (w->nbuckets - 1));
}

/* The statistic a series keeps per bucket. */
static enum vc_agg
statistic(const struct vc_series *sr)
{
	enum vc_agg how = sr->has_rollup ? sr->rollup : sr->space;

	return how == VC_AGG_AVG || how == VC_AGG_COUNT ? VC_AGG_SUM : how;
}

void
vc_window_add(const struct vc_window *w, struct vc_slot *ring, size_t series, double ts,
	      double value)
{
	long long b = (long long)floor(ts / w->width);
	struct vc_slot *s = &ring[slot_index(w, series, b)];

	if (s->bucket != (uint32_t)b || s->count == 0) {
		s->bucket = (uint32_t)b;
		s->count = 1;
		s->v = value;
		return;
	}
	s->count++;
	switch (statistic(&w->q->series[series])) {
	case VC_AGG_MIN:
		if (value < s->v)
			s->v = value;
		break;
	case VC_AGG_MAX:
		if (value > s->v)
			s->v = value;
		break;
	default:
		s->v += value;
	}
}

const struct vc_slot *
vc_window_slot(const struct vc_window *w, const struct vc_slot *ring, size_t series, double ts)
{
	return &ring[slot_index(w, series, (long long)floor(ts / w->width))];
}

/* A bucket's value for a series, before fill: its rollup or space
 * statistic, NAN when the bucket is empty. */
static double
bucket_value(const struct vc_window *w, const struct vc_slot *ring, size_t series, long long b)
{
	const struct vc_series *sr = &w->q->series[series];
	const struct vc_slot *s = &ring[slot_index(w, series, b)];
	enum vc_agg how = sr->has_rollup ? sr->rollup : sr->space;
	double v;

	if (s->bucket != (uint32_t)b || s->count == 0)
		return NAN;
	switch (how) {
	case VC_AGG_AVG:
		v = s->v / (double)s->count;
		break;
	case VC_AGG_COUNT:
		v = (double)s->count;
		break;
	default:
		v = s->v;
	}
	if (sr->as_rate)
		v /= w->width;
	return v;
}

/* The bucket value after .fill(): zero, or the last value seen in the
 * window (linear is approximated by last; see vc-eval-rules(1)). */
static double
filled(struct vc_window *w, size_t series, double v, double at)
{
	const struct vc_series *sr = &w->q->series[series];

	if (!isnan(v)) {
		w->lastval[series] = v;
		w->lastat[series] = at;
		return v;
	}
	switch (sr->fill) {
	case VC_FILL_ZERO:
		return 0;
	case VC_FILL_LAST:
	case VC_FILL_LINEAR:
		if (isnan(w->lastval[series]))
			return NAN;
		if (sr->fill_seconds > 0 && at - w->lastat[series] > sr->fill_seconds)
			return NAN;
		return w->lastval[series];
	default:
		return NAN;
	}
}

/* Sets *undefined when r, of operands a and b that had values, has none. */
static double
defined(double r, double a, double b, int *undefined)
{
	if (isnan(r) && !isnan(a) && !isnan(b))
		*undefined = 1;
	return r;
}

/* Evaluates e over values; per = seconds one value stands for.  Sets
 * *undefined when the arithmetic on values gave none (see struct
 * vc_window). */
static double
eval(const struct vc_expr *e, const double *values, double per, int *undefined)
{
	double a, b;

	switch (e->kind) {
	case VC_EXPR_NUMBER:
		return e->number;
	case VC_EXPR_SERIES:
		return values[e->series];
	default:
		break;
	}
	a = eval(e->a, values, per, undefined);
	switch (e->kind) {
	case VC_EXPR_NEG:
		return -a;
	case VC_EXPR_ABS:
		return fabs(a);
	case VC_EXPR_DEFAULT_ZERO:
		return isnan(a) ? 0 : a;
	case VC_EXPR_PER_SECOND:
		return a / per;
	case VC_EXPR_PER_MINUTE:
		return a * 60 / per;
	case VC_EXPR_PER_HOUR:
		return a * 3600 / per;
	default:
		break;
	}
	b = eval(e->b, values, per, undefined);
	switch (e->kind) {
	case VC_EXPR_ADD:
		return defined(a + b, a, b, undefined);
	case VC_EXPR_SUB:
		return defined(a - b, a, b, undefined);
	case VC_EXPR_MUL:
		return defined(a * b, a, b, undefined);
	case VC_EXPR_DIV:
		return b == 0 ? NAN : defined(a / b, a, b, undefined);
	default:
		return NAN;
	}
}

struct agg {
	enum vc_agg how;
	double acc;
	size_t n;
	int undefined; /* a sum of inf and -inf */
};

static void
agg_add(struct agg *a, double v)
{
	if (isnan(v))
		return;
	if (a->n == 0)
		a->acc = v;
	else if (a->how == VC_AGG_MIN)
		a->acc = v < a->acc ? v : a->acc;
	else if (a->how == VC_AGG_MAX)
		a->acc = v > a->acc ? v : a->acc;
	else
		a->acc = defined(a->acc + v, a->acc, v, &a->undefined);
	a->n++;
}

static double
agg_value(const struct agg *a)
{
	if (a->n == 0)
		return NAN;
	return a->how == VC_AGG_AVG ? a->acc / (double)a->n : a->acc;
}

/* The buckets wholly inside [end - window, end). */
static void
bucket_range(const struct vc_window *w, double end, long long *lo, long long *hi)
{
	*lo = (long long)ceil((end - w->q->window) / w->width);
	*hi = (long long)floor(end / w->width) - 1;
}

static double
value_at(struct vc_window *w, const struct vc_slot *ring, double end)
{
	const struct vc_query *q = w->q;
	long long lo, hi, b;
	size_t s;
	double v;

	bucket_range(w, end, &lo, &hi);
	for (s = 0; s < q->nseries; s++)
		w->lastval[s] = NAN;
	if (q->as_count) {
		/* Each series is aggregated over the window first, then the
		 * arithmetic applies to the results, as Datadog does for
		 * .as_count() queries. */
		for (s = 0; s < q->nseries; s++) {
			const struct vc_series *sr = &q->series[s];
			struct agg a = {q->time_aggr, 0, 0, 0};

			if (sr->fill == VC_FILL_NONE || sr->fill == VC_FILL_NULL) {
				/* Empty buckets count for nothing: read the slots
				 * straight. */
				const struct vc_slot *base = ring + s * w->nbuckets;
				enum vc_agg how = sr->has_rollup ? sr->rollup : sr->space;

				for (b = lo; b <= hi; b++) {
					const struct vc_slot *sl =
						base + ((size_t)b & (w->nbuckets - 1));
					double v;

					if (sl->bucket != (uint32_t)b || sl->count == 0)
						continue;
					v = how == VC_AGG_AVG     ? sl->v / (double)sl->count
					    : how == VC_AGG_COUNT ? (double)sl->count
								  : sl->v;
					agg_add(&a, sr->as_rate ? v / w->width : v);
				}
			} else {
				for (b = lo; b <= hi; b++)
					agg_add(&a, filled(w, s, bucket_value(w, ring, s, b),
							   (double)b * w->width));
			}
			w->values[s] = agg_value(&a);
			w->undefined |= a.undefined;
		}
		v = eval(q->expr, w->values, q->time_aggr == VC_AGG_SUM ? q->window : w->width,
			 &w->undefined);
	} else {
		struct agg a = {q->time_aggr, 0, 0, 0};

		for (b = lo; b <= hi; b++) {
			for (s = 0; s < q->nseries; s++)
				w->values[s] = filled(w, s, bucket_value(w, ring, s, b),
						      (double)b * w->width);
			agg_add(&a, eval(q->expr, w->values, w->width, &w->undefined));
		}
		v = agg_value(&a);
		w->undefined |= a.undefined;
	}
	/* default_zero() must not make an unknown value 0. */
	return w->undefined ? NAN : v;
}

double
vc_window_value(struct vc_window *w, const struct vc_slot *ring, double end)
{
	const struct vc_query *q = w->q;
	double now, then;

	w->undefined = 0;
	now = value_at(w, ring, end);
	if (q->change == VC_CHANGE_NONE || isnan(now))
		return now;
	then = value_at(w, ring, end - q->timeshift);
	if (isnan(then))
		return NAN;
	if (q->change == VC_CHANGE_ABS)
		return defined(now - then, now, then, &w->undefined);
	return then == 0 ? NAN : defined((now - then) / then * 100, now, then, &w->undefined);
}

int
vc_window_full(const struct vc_window *w, const struct vc_slot *ring, double end)
{
	const struct vc_query *q = w->q;
	double dd = 60, start = end - q->window;
	long long lo, hi, b;
	size_t j, nbig, empty = 0, s;

	switch (q->window_unit) {
	case 'h':
		dd = 600;
		break;
	case 'd':
		dd = 3600;
		break;
	case 'w':
		dd = 4 * 3600;
		break;
	}
	if (dd < w->width)
		dd = w->width;
	nbig = (size_t)ceil(q->window / dd);
	bucket_range(w, end, &lo, &hi);
	for (j = 0; j < nbig; j++) {
		int data = 0;

		for (b = lo; b <= hi && !data; b++) {
			double at = (double)b * w->width;

			if (at < start + (double)j * dd || at >= start + (double)(j + 1) * dd)
				continue;
			for (s = 0; s < q->nseries && !data; s++)
				data = !isnan(bucket_value(w, ring, s, b));
		}
		if (!data) {
			if (j == 0)
				return 0;
			empty++;
		}
	}
	return empty <= 3;
}

int
vc_window_same(const struct vc_window *w, const struct vc_slot *ring, double from, double to)
{
	const struct vc_query *q = w->q;
	long long lo0, hi0, lo1, hi1, b;
	size_t s;

	if (q->change != VC_CHANGE_NONE)
		return 0;
	for (s = 0; s < q->nseries; s++)
		if (q->series[s].fill != VC_FILL_NONE && q->series[s].fill != VC_FILL_NULL)
			return 0;
	bucket_range(w, from, &lo0, &hi0);
	bucket_range(w, to, &lo1, &hi1);
	if (lo1 < lo0 || hi1 - lo1 != hi0 - lo0 || lo1 - lo0 > (long long)w->nbuckets)
		return 0;
	/* The buckets that left, and those that came in (points may be
	 * ahead of the ticks by the lateness allowance). */
	for (b = lo0; b <= hi1; b++) {
		if (b == lo1 && b <= hi0)
			b = hi0 + 1;
		for (s = 0; s < q->nseries; s++) {
			const struct vc_slot *sl = &ring[slot_index(w, s, b)];

			if (sl->bucket == (uint32_t)b && sl->count > 0)
				return 0;
		}
	}
	return 1;
}

void
vc_window_range(const struct vc_window *w, double end, long long *lo, long long *hi)
{
	bucket_range(w, end, lo, hi);
}

void
vc_window_extent(const struct vc_window *w, const struct vc_slot *ring, double end, double newest,
		 long long *first_in, long long *first_after)
{
	long long lo, hi, b, last = (long long)floor(newest / w->width);
	size_t s;

	bucket_range(w, end, &lo, &hi);
	*first_in = *first_after = LLONG_MAX;
	if (last - lo >= (long long)w->nbuckets)
		last = lo + (long long)w->nbuckets - 1;
	for (b = lo; b <= last; b++) {
		int data = 0;

		for (s = 0; s < w->q->nseries && !data; s++) {
			const struct vc_slot *sl = &ring[slot_index(w, s, b)];

			data = sl->bucket == (uint32_t)b && sl->count > 0;
		}
		if (!data)
			continue;
		if (b <= hi && *first_in == LLONG_MAX) {
			*first_in = b;
			b = hi; /* on to the buckets after the window */
		} else if (b > hi) {
			*first_after = b;
			return;
		}
	}
}
