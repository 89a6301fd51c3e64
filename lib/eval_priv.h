/*
 * eval_priv.h — the evaluator's inner structures, shared by evaluator.c
 * (points, groups, ticks) and transition.c (the records it writes).
 */
#ifndef VC_EVAL_PRIV_H
#define VC_EVAL_PRIV_H

#include <stdint.h>

#include "buf.h"
#include "point.h"
#include "slab.h"
#include "evaluator.h"
#include "window.h"

#define CACHE_LINE 64

/* A hint that p will be read soon (GCC and Clang); nothing elsewhere. */
#if defined(__GNUC__)
#define PREFETCH(p)   __builtin_prefetch(p)
#define PREFETCH_W(p) __builtin_prefetch(p, 1)
#else
#define PREFETCH(p)   ((void)(p))
#define PREFETCH_W(p) ((void)(p))
#endif

/* Blocks are cache-line aligned, and the fields are laid out by who reads
 * them: a point reads the first two lines (and the key after the struct),
 * a tick deciding whether to pass a group by the first two. */
struct group {
	/* Line 0: what a point touches first. */
	uint64_t hash;
	char *key; /* the by-values, each NUL-terminated */
	size_t keylen;
	struct vc_slot *ring;
	struct evslot *evidence; /* a ring of o.evidence raw points */
	double last_point;
	unsigned long long seq; /* the last point kept as evidence */
	unsigned char fresh;    /* a point came since the last evaluation */
	unsigned char skippable;
	unsigned char key_heap; /* key has an allocation of its own */
	unsigned char status;   /* an enum vc_monitor_status */
	/* Line 1.  While nothing can change, ticks pass the group by: no
	 * point came (fresh), the window keeps its oldest data bucket (due_lo)
	 * and has not reached the next one (due_hi), and no timer is due
	 * (due_t). */
	long long due_lo, due_hi;
	double due_t;
	size_t ev_next, ev_count;
	double cache_end, cache_value; /* the last evaluation (NAN: none) */
	double first_seen;
	/* The rest. */
	char **values;                                         /* into key, one per by-key */
	double last_notified, first_triggered, last_triggered; /* NAN: never */
};

/* The first two lines of g. */
static inline void
prefetch_head(const struct group *g)
{
	PREFETCH(g);
	PREFETCH((const char *)g + CACHE_LINE);
}

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
	int undefined_told;  /* an undefined value was reported on stderr */
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
	double future_limit; /* now + max_future, as of the last look at now */
	double horizon;      /* after the newest point, when all is settled */
	unsigned long long seq;
	unsigned long long undefined; /* evaluations with an undefined value */
	struct inflight *inflight;    /* points on their way to their groups (evgroup.c) */
	size_t inflight_first, inflight_n;
	struct vc_buf key, out, msg;
	struct vc_buf value; /* a group value as the record spells it */
	char why[128];
};

/* Groups (evgroup.c). */

/* Seeds the group key hash, once per process. */
void vc_group_seed(void);
/* The bytes of one of mon's groups. */
size_t vc_group_block_size(const struct vc_eval *ev, const struct mon *mon);
/* The group of key[0..keylen) in mon, made at ts when new; points still
 * in flight are not in it yet. */
struct group *vc_group_of(struct vc_eval *ev, struct mon *mon, const char *key, size_t keylen,
			  double ts);
/* Takes g out of mon's index and frees it. */
void vc_group_drop(struct vc_eval *ev, struct mon *mon, struct group *g);
/* Frees g's memory (whole-evaluator teardown: the index goes too). */
void vc_group_free(struct vc_eval *ev, struct mon *mon, struct group *g);

/* Sends point ev->seq (json[0..len), borrowed for the call; its fields in
 * pt), at t with value x, to its group of series of mon.  The group is
 * updated a few points later: vc_points_flush applies every update still
 * in flight, and must come before anything reads the groups. */
void vc_points_add(struct vc_eval *ev, struct mon *mon, size_t series, const struct vc_point *pt,
		   double t, double x, const char *json, size_t len);
void vc_points_flush(struct vc_eval *ev);

/* Writes the transition record of group g and hands it to ev->emit
 * (transition.c). */
/* Appends group value v (as struct group holds it, a NUL spelled C0 80)
 * to out as the JSON string it came as. */
void vc_eval_add_group_value(struct vc_eval *ev, struct vc_buf *out, const char *v);
void vc_eval_transition(struct vc_eval *ev, struct mon *mon, struct group *g, double t,
			enum vc_monitor_status status, enum vc_monitor_status previous,
			double value, int renotify);

#endif
