/*
 * eval_priv.h — the evaluator's inner structures, shared by evaluator.c
 * (points, groups, ticks) and transition.c (the records it writes).
 */
#ifndef VC_EVAL_PRIV_H
#define VC_EVAL_PRIV_H

#include <stdint.h>

#include "buf.h"
#include "slab.h"
#include "evaluator.h"
#include "window.h"

struct group {
	/* What a point touches first, in the first cache line. */
	uint64_t hash;
	size_t keylen;
	char *key; /* the by-values, each NUL-terminated */
	struct vc_slot *ring;
	double last_point;
	unsigned long long seq; /* the last point kept as evidence */
	int fresh;              /* a point came since the last evaluation */
	enum vc_monitor_status status;
	int key_heap; /* key has an allocation of its own */
	/* The rest. */
	char **values; /* into key, one per by-key */
	double first_seen;
	double last_notified, first_triggered, last_triggered; /* NAN: never */
	struct evslot *evidence;                               /* a ring of o.evidence raw points */
	size_t ev_next, ev_count;
	double cache_end, cache_value; /* the last evaluation (NAN: none) */
	/* While nothing can change, ticks pass the group by: no point came
	 * (fresh), the window keeps its oldest data bucket (due_lo) and has
	 * not reached the next one (due_hi), and no timer is due (due_t). */
	int skippable;
	long long due_lo, due_hi;
	double due_t;
};

/* A raw point kept as evidence: in place when short (the common case, no
 * allocation and no pointer to follow), else in an allocation of its own. */
#define EV_INLINE 232
struct evslot {
	double ts;
	uint32_t len;
	uint32_t heapcap;
	char *heap;
	char data[EV_INLINE];
};

/* The bytes of e. */
static inline const char *
evslot_bytes(const struct evslot *e)
{
	return e->len <= EV_INLINE ? e->data : e->heap;
}

struct mon {
	const struct vc_monitor *m;
	const struct vc_query *q;
	struct vc_window win;
	double delay;        /* evaluation_delay */
	double ndt;          /* no-data timeframe, seconds */
	int slide_safe;      /* the value only changes with data moving in or out */
	struct vc_slab slab; /* the groups' blocks */
	struct group **groups;
	size_t ngroups, capg;
	struct gindex {
		uint64_t hash;
		struct group *g; /* NULL: an empty entry */
	} * index;               /* open addressing, linear probing */
	size_t index_cap;
};

/* The monitors reading one metric, and which of their series. */
struct metric {
	const char *name;
	size_t len;
	struct sub {
		struct mon *mon;
		size_t series;
	} * subs;
	size_t nsubs;
};

struct vc_eval {
	struct vc_eval_options o;
	vc_eval_emit emit;
	void *arg;
	struct mon *mons;
	size_t nmons;
	struct metric *metrics;
	size_t nmetrics;
	size_t ngroups;
	int started;
	double max_ts, next_tick;
	double horizon; /* after the newest point, when all is settled */
	unsigned long long seq;
	struct vc_buf key, out, msg;
	char why[128];
};

/* Writes the transition record of group g and hands it to ev->emit
 * (transition.c). */
void vc_eval_transition(struct vc_eval *ev, struct mon *mon, struct group *g, double t,
			enum vc_monitor_status status, enum vc_monitor_status previous,
			double value, int renotify);

#endif
