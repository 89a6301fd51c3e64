/*
 * evaluator.c — points in, ticks, the per-group state machine
 * (evaluator.h).  A point's members are read in point.c, the groups and
 * the points on their way to them are in evgroup.c, window arithmetic in
 * window.c, the transition record and its message in transition.c.
 */
#include "evaluator.h"

#include <err.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval_priv.h"
#include "msg.h"
#include "point.h"
#include "vtime.h"
#include "xalloc.h"

/* ---- setup --------------------------------------------------------- */

static struct metric *
metric_for(struct vc_eval *ev, const char *name)
{
	size_t k, n = strlen(name);

	for (k = 0; k < ev->nmetrics; k++)
		if (ev->metrics[k].len == n && memcmp(ev->metrics[k].name, name, n) == 0)
			return &ev->metrics[k];
	ev->metrics = vc_xrealloc(ev->metrics, (ev->nmetrics + 1) * sizeof *ev->metrics);
	memset(&ev->metrics[ev->nmetrics], 0, sizeof *ev->metrics);
	ev->metrics[ev->nmetrics].name = name;
	ev->metrics[ev->nmetrics].len = n;
	return &ev->metrics[ev->nmetrics++];
}

struct vc_eval *
vc_eval_new(const struct vc_monitor_set *set, const struct vc_eval_options *o, vc_eval_emit emit,
	    void *arg)
{
	struct vc_eval *ev = vc_xcalloc(1, sizeof *ev);
	size_t k, s;

	vc_group_seed();
	ev->o = *o;
	ev->emit = emit;
	ev->horizon = o->retention + 2 * o->interval;
	ev->arg = arg;
	ev->mons = vc_xcalloc(set->n, sizeof *ev->mons);
	for (k = 0; k < set->n; k++) {
		const struct vc_monitor *m = &set->v[k];
		struct mon *mon;
		double span;

		if (m->query == NULL)
			continue;
		mon = &ev->mons[ev->nmons++];
		mon->m = m;
		mon->q = m->query;
		mon->delay = m->options.evaluation_delay;
		mon->ndt = m->options.no_data_timeframe > 0 ? m->options.no_data_timeframe
							    : 2 * mon->q->window;
		span = mon->q->window + mon->q->timeshift + mon->delay + o->lateness + o->interval;
		vc_window_init(&mon->win, mon->q, o->interval, span);
		mon->slide_safe =
			mon->q->change == VC_CHANGE_NONE && !m->options.require_full_window;
		for (s = 0; s < mon->q->nseries; s++)
			if (mon->q->series[s].fill != VC_FILL_NONE &&
			    mon->q->series[s].fill != VC_FILL_NULL)
				mon->slide_safe = 0;
		vc_slab_init(&mon->slab, vc_group_block_size(ev, mon));
		ev->horizon =
			fmax(ev->horizon, span + mon->ndt + m->options.timeout +
						  m->options.new_group_delay + 2 * o->interval);
		for (s = 0; s < mon->q->nseries; s++) {
			struct metric *mt = metric_for(ev, mon->q->series[s].metric);

			mt->subs = vc_xrealloc(mt->subs, (mt->nsubs + 1) * sizeof *mt->subs);
			mt->subs[mt->nsubs].mon = mon;
			mt->subs[mt->nsubs].series = s;
			mt->nsubs++;
		}
	}
	return ev;
}

/* ---- the state machine --------------------------------------------- */

/* Whether v has come back past a recovery threshold r. */
static int
recovered(enum vc_cmp cmp, double v, double r)
{
	switch (cmp) {
	case VC_CMP_GT:
		return v <= r;
	case VC_CMP_GE:
		return v < r;
	case VC_CMP_LT:
		return v >= r;
	case VC_CMP_LE:
		return v > r;
	default:
		return 1;
	}
}

/* The status a value gives, from status now. */
static enum vc_monitor_status
judge(const struct mon *mon, enum vc_monitor_status now, double v)
{
	const struct vc_monitor_options *o = &mon->m->options;
	enum vc_cmp cmp = mon->q->cmp;

	if (vc_cmp_holds(cmp, v, mon->q->threshold))
		return VC_STATUS_ALERT;
	if (now == VC_STATUS_ALERT && o->has_critical_recovery &&
	    !recovered(cmp, v, o->critical_recovery))
		return VC_STATUS_ALERT;
	if (o->has_warning && vc_cmp_holds(cmp, v, o->warning))
		return VC_STATUS_WARN;
	if ((now == VC_STATUS_WARN || now == VC_STATUS_ALERT) && o->has_warning &&
	    o->has_warning_recovery && !recovered(cmp, v, o->warning_recovery))
		return VC_STATUS_WARN;
	return VC_STATUS_OK;
}

static void
report(struct vc_eval *ev, struct mon *mon, struct group *g, double t,
       enum vc_monitor_status status, double value, int renotify)
{
	enum vc_monitor_status previous = g->status;

	if (status != previous && (status == VC_STATUS_ALERT || status == VC_STATUS_WARN)) {
		if (previous != VC_STATUS_ALERT && previous != VC_STATUS_WARN)
			g->first_triggered = t;
		g->last_triggered = t;
	}
	g->status = status;
	if (status != VC_STATUS_OK && (status != previous || renotify))
		g->last_notified = t;
	vc_eval_transition(ev, mon, g, t, status, previous, value, renotify);
	if (status == VC_STATUS_OK)
		g->first_triggered = NAN;
}

/* Notes that g of mon had no value at t for want of arithmetic (see
 * vc_eval_undefined): on stderr the first time for mon. */
static void
undefined_value(struct vc_eval *ev, struct mon *mon, const struct group *g, double t)
{
	struct vc_buf group = VC_BUF_INIT;

	ev->undefined++;
	if (mon->undefined_told)
		return;
	mon->undefined_told = 1;
	/* Values as JSON strings: a group value is the attacker's own text and
	 * may hold control bytes meant for a terminal. */
	for (size_t k = 0; k < mon->q->nby; k++) {
		vc_buf_printf(&group, "%s%s:", k ? "," : "", mon->q->by[k]);
		vc_eval_add_group_value(ev, &group, g->values[k]);
	}
	warnx("monitor %s, group {%s}: no value at %.0f: its arithmetic is undefined on sums past "
	      "the range of a double (inf - inf, 0 * inf, inf / inf); not evaluated, status "
	      "stands (later ones of this monitor not reported)",
	      mon->m->id, group.len ? group.p : "", t);
	vc_buf_free(&group);
}

/* Evaluates group g of mon at tick t. */
static void
evaluate_now(struct vc_eval *ev, struct mon *mon, struct group *g, double t)
{
	const struct vc_monitor_options *o = &mon->m->options;
	double end = t - mon->delay, silent = end - g->last_point, v = NAN;
	enum vc_monitor_status next = g->status;
	int evaluated = 0;

	if (mon->q->nby > 0 && o->new_group_delay > 0 && t < g->first_seen + o->new_group_delay)
		return;
	if (o->notify_no_data && silent >= mon->ndt) {
		next = VC_STATUS_NO_DATA;
	} else if (o->timeout > 0 && silent >= o->timeout &&
		   (g->status == VC_STATUS_ALERT || g->status == VC_STATUS_WARN)) {
		next = VC_STATUS_OK; /* auto-resolve */
	} else if (g->last_point < end - mon->q->window) {
		/* Nothing in the window: the evaluation is skipped. */
	} else if (!o->require_full_window) {
		/* Most groups get no point between two ticks: the value stands
		 * unless a bucket with data left the window. */
		if (!g->fresh && !isnan(g->cache_end) &&
		    vc_window_same(&mon->win, g->ring, g->cache_end, end))
			v = g->cache_value;
		else if (isnan(v = vc_window_value(&mon->win, g->ring, end)) && mon->win.undefined)
			undefined_value(ev, mon, g, t);
		g->cache_end = end;
		g->cache_value = v;
		g->fresh = 0;
		if (!isnan(v)) {
			next = judge(mon, g->status, v);
			evaluated = 1;
		}
	} else if (vc_window_full(&mon->win, g->ring, end)) {
		if (isnan(v = vc_window_value(&mon->win, g->ring, end)) && mon->win.undefined)
			undefined_value(ev, mon, g, t);
		if (!isnan(v)) {
			next = judge(mon, g->status, v);
			evaluated = 1;
		}
	}
	if (next != g->status) {
		report(ev, mon, g, t, next, v, 0);
		return;
	}
	if (o->renotify_interval > 0 && g->status != VC_STATUS_OK &&
	    (o->renotify_statuses & (1u << g->status)) && !isnan(g->last_notified) &&
	    t - g->last_notified >= o->renotify_interval) {
		report(ev, mon, g, t, g->status, v, 1);
		return;
	}
	if (ev->o.all && evaluated)
		report(ev, mon, g, t, g->status, v, 0);
}

/* After an evaluation, works out until when g cannot change without a
 * point: see struct group. */
static void
plan_skip(struct vc_eval *ev, struct mon *mon, struct group *g, double t)
{
	const struct vc_monitor_options *o = &mon->m->options;
	double due = INFINITY;

	g->skippable = 0;
	if (ev->o.all || !mon->slide_safe || g->fresh)
		return;
	vc_window_extent(&mon->win, g->ring, t - mon->delay, g->last_point, &g->due_lo, &g->due_hi);
	if (o->notify_no_data && g->status != VC_STATUS_NO_DATA)
		due = fmin(due, g->last_point + mon->ndt + mon->delay);
	if (o->timeout > 0 && (g->status == VC_STATUS_ALERT || g->status == VC_STATUS_WARN))
		due = fmin(due, g->last_point + o->timeout + mon->delay);
	if (o->renotify_interval > 0 && g->status != VC_STATUS_OK &&
	    (o->renotify_statuses & (1u << g->status)) && !isnan(g->last_notified))
		due = fmin(due, g->last_notified + o->renotify_interval);
	g->due_t = due;
	g->skippable = 1;
}

/* Whether a tick at t, over buckets [lo, hi], can pass g by: see struct
 * group. */
static int
passes_by(const struct group *g, double t, long long lo, long long hi)
{
	return g->skippable && !g->fresh && lo <= g->due_lo && hi < g->due_hi && t < g->due_t;
}

static void
evaluate(struct vc_eval *ev, struct mon *mon, struct group *g, double t, long long lo, long long hi)
{
	if (passes_by(g, t, lo, hi))
		return;
	evaluate_now(ev, mon, g, t);
	plan_skip(ev, mon, g, t);
}

/* Whether g has nothing left to report, or has been silent too long. */
static int
evictable(struct vc_eval *ev, const struct mon *mon, const struct group *g, double t)
{
	double silent = t - mon->delay - g->last_point;

	if (mon->q->nby == 0)
		return 0; /* a simple monitor's one group is always there */
	if (silent > ev->o.retention)
		return 1;
	return g->status == VC_STATUS_OK && !mon->m->options.notify_no_data &&
	       silent > mon->q->window + mon->q->timeshift + mon->win.width;
}

/* A tick visits groups in order, but each is a block of its own: ask for
 * the lines of the groups a few places ahead, so that their misses
 * overlap instead of coming one after the other.  First the head, then,
 * for a group the tick will evaluate (its head has come in by then), the
 * bucket ring. */
#define TICK_AHEAD 8

static void
prefetch_ahead(const struct mon *mon, size_t i, double t, long long lo, long long hi)
{
	size_t n, k;

	if (i + 2 * TICK_AHEAD < mon->ngroups)
		prefetch_head(mon->groups[i + 2 * TICK_AHEAD]);
	if (i + TICK_AHEAD < mon->ngroups) {
		const struct group *g = mon->groups[i + TICK_AHEAD];

		if (passes_by(g, t, lo, hi))
			return;
		n = mon->q->nseries * mon->win.nbuckets * sizeof(struct vc_slot);
		for (k = 0; k < n; k += CACHE_LINE)
			PREFETCH((const char *)g->ring + k);
	}
}

static void
tick(struct vc_eval *ev, double t)
{
	size_t k, i, kept;

	for (k = 0; k < ev->nmons; k++) {
		struct mon *mon = &ev->mons[k];

		long long lo, hi;

		vc_window_range(&mon->win, t - mon->delay, &lo, &hi);
		kept = 0;
		for (i = 0; i < mon->ngroups; i++) {
			struct group *g = mon->groups[i];

			prefetch_ahead(mon, i, t, lo, hi);
			evaluate(ev, mon, g, t, lo, hi);
			if (evictable(ev, mon, g, t)) {
				vc_group_drop(ev, mon, g);
			} else {
				mon->groups[kept++] = g;
			}
		}
		mon->ngroups = kept;
	}
}

static void
run_ticks(struct vc_eval *ev, double through, double newest)
{
	double last = floor(through / ev->o.interval) * ev->o.interval;

	if (ev->next_tick <= through)
		vc_points_flush(ev); /* a tick sees every point before it */
	while (ev->next_tick <= through) {
		tick(ev, ev->next_tick);
		ev->next_tick += ev->o.interval;
		/* Past the horizon after the newest point nothing is left to
		 * happen but renotifications: jump over a long gap in event time
		 * to its last tick instead of ticking through it. */
		if (ev->next_tick - newest > ev->horizon && ev->next_tick < last)
			ev->next_tick = last;
	}
}

/* ---- points -------------------------------------------------------- */

/* The first point starts the clock, and the one group of each simple
 * monitor, so that no data can be noticed even if it never reports. */
static void
start(struct vc_eval *ev, double ts)
{
	size_t k;

	ev->started = 1;
	ev->max_ts = ts;
	ev->next_tick = (floor(ts / ev->o.interval) + 1) * ev->o.interval;
	for (k = 0; k < ev->nmons; k++)
		if (ev->mons[k].q->nby == 0)
			vc_group_of(ev, &ev->mons[k], "", 0, ts);
}

static int
reject(struct vc_eval *ev, const char **why, const char *fmt, double a, double b)
{
	snprintf(ev->why, sizeof ev->why, fmt, a, b);
	*why = ev->why;
	return -1;
}

/* Whether a tag of pt may be an object or an array (1 when too many tags
 * to tell quickly): only then are the group keys looked at before the
 * point goes anywhere. */
static int
may_have_container_tag(const struct vc_point *pt)
{
	size_t k;

	if (pt->tags.type != VC_JSON_OBJECT)
		return 0;
	if (!pt->tags_listed)
		return 1;
	for (k = 0; k < pt->ntags; k++)
		if (pt->tag[k].value.type == VC_JSON_OBJECT ||
		    pt->tag[k].value.type == VC_JSON_ARRAY)
			return 1;
	return 0;
}

/* Whether a monitor of mt that pt goes to would group it by a tag that is
 * an object or an array, which has no value to group by: the point is
 * refused whole, before any monitor counts it.  Says which in ev->why. */
static int
container_group_key(struct vc_eval *ev, const struct metric *mt, const struct vc_point *pt)
{
	struct vc_json_span v;
	size_t i, k;

	for (i = 0; i < mt->nsubs; i++) {
		const struct vc_query *q = mt->subs[i].mon->q;
		const struct vc_series *s = &q->series[mt->subs[i].series];

		if (s->filter->kind != VC_FILTER_ALL && !vc_filter_match(s->filter, pt->tags))
			continue;
		for (k = 0; k < q->nby; k++)
			if (vc_point_tag(pt, q->by[k], &v) &&
			    (v.type == VC_JSON_OBJECT || v.type == VC_JSON_ARRAY)) {
				snprintf(ev->why, sizeof ev->why,
					 "tag %.64s is an %s, not a group value (a string or a "
					 "number)",
					 q->by[k], v.type == VC_JSON_OBJECT ? "object" : "array");
				return 1;
			}
	}
	return 0;
}

int
vc_eval_point(struct vc_eval *ev, const char *json, size_t len, struct vc_json_span root,
	      const char **why)
{
	struct vc_point pt;
	struct vc_json_span metric, value, ts, tags;
	struct metric *mt = NULL;
	double t = 0, x;
	size_t i;

	vc_point_scan(root, &pt);
	metric = pt.metric;
	value = pt.value;
	ts = pt.ts;
	tags = pt.tags;
	if (metric.type != VC_JSON_STRING) {
		*why = "no metric name at .metric";
		return -1;
	}
	if (value.type != VC_JSON_NUMBER) {
		*why = "no number at .value";
		return -1;
	}
	x = vc_json_number(value);
	if (!isfinite(x)) {
		*why = "value out of range at .value";
		return -1;
	}
	/* A number, the common case, read directly (vc_json_number reads short
	 * decimals without strtod); absent or null is now, as in the other
	 * tools. */
	if (ts.type == VC_JSON_NUMBER ? !isfinite(t = vc_json_number(ts))
				      : vc_time_of_record(ts.type != VC_JSON_NONE, ts, &t) < 0) {
		*why = "no time at .ts (epoch seconds or RFC 3339)";
		return -1;
	}
	if (tags.type != VC_JSON_NONE && tags.type != VC_JSON_OBJECT && tags.type != VC_JSON_NULL) {
		*why = "tags at .tags is not an object";
		return -1;
	}
	if (t < 0 || t > VC_EVAL_MAX_TS) {
		*why = "time at .ts out of range (1970 to 9999)";
		return -1;
	}
	/* The clock is read again only when a point passes the last limit:
	 * a stream that runs for days moves it along. */
	if (t > ev->future_limit && t > (ev->future_limit = vc_time_now() + ev->o.max_future))
		return reject(ev, why, "point %.0f s ahead of now, past --max-future %g",
			      t - (ev->future_limit - ev->o.max_future), ev->o.max_future);
	for (i = 0; i < ev->nmetrics; i++) {
		const struct metric *m = &ev->metrics[i];

		if (m->len == metric.len - 2 && memcmp(m->name, metric.p + 1, m->len) == 0) {
			mt = &ev->metrics[i];
			break;
		}
	}
	if (mt && may_have_container_tag(&pt) && container_group_key(ev, mt, &pt)) {
		*why = ev->why;
		return -1;
	}
	if (!ev->started)
		start(ev, t);
	if (t < ev->max_ts - ev->o.lateness)
		return reject(ev, why, "point %.0f s late, past --lateness %g", ev->max_ts - t,
			      ev->o.lateness);
	if (t > ev->max_ts) {
		double newest = ev->max_ts;

		ev->max_ts = t;
		/* Evaluate first: the ticks the stream has now passed cover
		 * windows that end before this point. */
		run_ticks(ev, ev->max_ts - ev->o.lateness, newest);
	}
	ev->seq++;
	for (i = 0; mt && i < mt->nsubs; i++) {
		struct mon *mon = mt->subs[i].mon;
		const struct vc_series *s = &mon->q->series[mt->subs[i].series];

		if (s->filter->kind != VC_FILTER_ALL && !vc_filter_match(s->filter, tags))
			continue;
		vc_points_add(ev, mon, mt->subs[i].series, &pt, t, x, json, len);
	}
	return 0;
}

void
vc_eval_finish(struct vc_eval *ev, double until)
{
	vc_points_flush(ev);
	if (!ev->started) {
		if (isnan(until))
			return;
		start(ev, until);
	}
	if (isnan(until))
		until = (floor(ev->max_ts / ev->o.interval) + 1) * ev->o.interval;
	run_ticks(ev, fmin(until, VC_EVAL_MAX_TS), ev->max_ts);
}

unsigned long long
vc_eval_undefined(const struct vc_eval *ev)
{
	return ev->undefined;
}

size_t
vc_eval_groups(struct vc_eval *ev)
{
	vc_points_flush(ev);
	return ev->ngroups;
}

void
vc_eval_free(struct vc_eval *ev)
{
	size_t k, i;

	if (ev == NULL)
		return;
	for (k = 0; k < ev->nmons; k++) {
		struct mon *mon = &ev->mons[k];

		for (i = 0; i < mon->ngroups; i++)
			vc_group_free(ev, mon, mon->groups[i]);
		free(mon->groups);
		vc_slab_big_free(mon->index, mon->index_cap * sizeof *mon->index);
		vc_slab_destroy(&mon->slab);
		vc_window_free(&mon->win);
	}
	for (k = 0; k < ev->nmetrics; k++)
		free(ev->metrics[k].subs);
	free(ev->metrics);
	free(ev->mons);
	free(ev->inflight);
	vc_buf_free(&ev->key);
	vc_buf_free(&ev->out);
	vc_buf_free(&ev->msg);
	vc_buf_free(&ev->value);
	free(ev);
}
