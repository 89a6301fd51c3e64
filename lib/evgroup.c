/*
 * evgroup.c — the evaluator's groups (eval_priv.h): each monitor's index
 * of them, their blocks, the evidence they keep, and the points on their
 * way to them.
 */
#include <err.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "eval_priv.h"
#include "msg.h"
#include "point.h"
#include "xalloc.h"

/* Group keys come from the input (a session id is the attacker's to
 * choose): the hash is seeded per process so collisions cannot be planned.
 * Output order does not depend on it. */
static uint64_t hash_seed;

static uint64_t
hash_bytes(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL ^ hash_seed;
	size_t k;

	for (k = 0; k < n; k++) {
		h ^= (unsigned char)s[k];
		h *= 1099511628211ULL;
	}
	return h;
}

void
vc_group_seed(void)
{
	if (hash_seed == 0 &&
	    getrandom(&hash_seed, sizeof hash_seed, GRND_NONBLOCK) != (ssize_t)sizeof hash_seed)
		hash_seed = (uint64_t)time(NULL) * 2654435761ULL ^ (uint64_t)getpid();
}

/* ---- groups -------------------------------------------------------- */

#define KEY_INLINE 48 /* a longer group key gets its own allocation */

/* Each monitor's groups are blocks of one size: the struct, a short key,
 * its values, the bucket ring, the evidence slots and their times. */
size_t
vc_group_block_size(const struct vc_eval *ev, const struct mon *mon)
{
	size_t size = sizeof(struct group) + KEY_INLINE + mon->q->nby * sizeof(char *) +
		      mon->q->nseries * mon->win.nbuckets * sizeof(struct vc_slot) +
		      ev->o.evidence * sizeof(struct evslot);

	return (size + CACHE_LINE - 1) & ~(size_t)(CACHE_LINE - 1);
}

static void
index_insert(struct mon *mon, struct group *g)
{
	size_t i = (size_t)g->hash & (mon->index_cap - 1);

	while (mon->index[i].g)
		i = (i + 1) & (mon->index_cap - 1);
	mon->index[i].hash = g->hash;
	mon->index[i].g = g;
}

/* Removes g from the index by shifting the entries after it back, so no
 * tombstones build up (linear probing's deletion). */
static void
index_remove(struct mon *mon, const struct group *g)
{
	size_t mask = mon->index_cap - 1, i = (size_t)g->hash & mask, j, home;

	while (mon->index[i].g != g)
		i = (i + 1) & mask;
	for (j = i;;) {
		j = (j + 1) & mask;
		if (mon->index[j].g == NULL)
			break;
		home = (size_t)mon->index[j].hash & mask;
		/* Entry j stays when its home lies cyclically in (i, j]. */
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		mon->index[i] = mon->index[j];
		i = j;
	}
	mon->index[i].g = NULL;
	mon->index[i].hash = 0;
}

static void
index_rebuild(struct mon *mon)
{
	size_t cap = 1024, k;

	while (cap < mon->ngroups * 2 + 2)
		cap *= 2;
	vc_slab_big_free(mon->index, mon->index_cap * sizeof *mon->index);
	mon->index = vc_slab_big(cap * sizeof *mon->index);
	mon->index_cap = cap;
	for (k = 0; k < mon->ngroups; k++)
		index_insert(mon, mon->groups[k]);
}

static struct group *
group_new(struct vc_eval *ev, struct mon *mon, const char *key, size_t keylen, uint64_t hash,
	  double ts)
{
	size_t nslots = mon->q->nseries * mon->win.nbuckets;
	size_t nby = mon->q->nby, k, off = 0;
	struct group *g = vc_slab_alloc(&mon->slab);
	char *p = (char *)(g + 1);

	if (keylen + 1 > KEY_INLINE) {
		g->key = vc_xcalloc(keylen + 1, 1);
		g->key_heap = 1;
	} else {
		g->key = p;
	}
	p += KEY_INLINE;
	g->values = (void *)p;
	p += nby * sizeof(char *);
	g->ring = (void *)p;
	p += nslots * sizeof(struct vc_slot);
	g->evidence = (void *)p;
	memcpy(g->key, key, keylen);
	g->keylen = keylen;
	g->hash = hash;
	for (k = 0; k < nby; k++) {
		g->values[k] = g->key + off;
		off += strlen(g->key + off) + 1;
	}
	g->status = VC_STATUS_OK;
	g->first_seen = g->last_point = ts;
	g->last_notified = g->first_triggered = g->last_triggered = NAN;
	g->cache_end = NAN;
	if (mon->ngroups == mon->capg) {
		mon->capg = mon->capg ? mon->capg * 2 : 64;
		mon->groups = vc_xrealloc(mon->groups, mon->capg * sizeof *mon->groups);
	}
	mon->groups[mon->ngroups++] = g;
	ev->ngroups++;
	if (mon->ngroups * 2 + 2 > mon->index_cap)
		index_rebuild(mon);
	else
		index_insert(mon, g);
	return g;
}

void
vc_group_free(struct vc_eval *ev, struct mon *mon, struct group *g)
{
	size_t k;

	for (k = 0; k < ev->o.evidence; k++)
		free(g->evidence[k].heap);
	if (g->key_heap)
		free(g->key);
	vc_slab_free(&mon->slab, g);
}

/* The group of key (hash h) in mon, made at ts when new. */
static struct group *
group_find(struct vc_eval *ev, struct mon *mon, const char *key, size_t keylen, uint64_t h,
	   double ts)
{
	size_t i;

	if (mon->index_cap) {
		i = (size_t)h & (mon->index_cap - 1);
		while (mon->index[i].g) {
			struct group *g = mon->index[i].g;

			if (mon->index[i].hash == h && g->keylen == keylen &&
			    memcmp(g->key, key, keylen) == 0)
				return g;
			i = (i + 1) & (mon->index_cap - 1);
		}
	}
	return group_new(ev, mon, key, keylen, h, ts);
}

/* The group key of a point: the values of the by-keys, each followed by
 * NUL; a missing or null tag counts as "N/A", as in Datadog (an object or
 * an array never comes here: vc_eval_point refuses the point).  A NUL inside a
 * value is spelled C0 80 (see vc_template_add_value), so that "a\u0000b"
 * stays a group of its own and is written back as it came. */
static void
group_key(struct vc_buf *key, const struct vc_query *q, const struct vc_point *pt)
{
	size_t k;
	struct vc_json_span v;

	vc_buf_reset(key);
	for (k = 0; k < q->nby; k++) {
		if (!vc_point_tag(pt, q->by[k], &v) || v.type == VC_JSON_NULL ||
		    v.type == VC_JSON_OBJECT || v.type == VC_JSON_ARRAY) {
			vc_buf_add(key, "N/A", 3);
		} else if (v.type != VC_JSON_STRING) {
			vc_buf_add(key, v.p, v.len);
		} else if (memchr(v.p, '\\', v.len) == NULL) {
			vc_buf_add(key, v.p + 1, v.len - 2);
		} else {
			struct vc_buf tmp = VC_BUF_INIT;

			const char *p, *nul;
			size_t n;

			vc_json_string(v, &tmp);
			for (p = tmp.p ? tmp.p : "", n = tmp.len; (nul = memchr(p, '\0', n));) {
				vc_buf_add(key, p, (size_t)(nul - p));
				vc_buf_add(key, "\xC0\x80", 2);
				n -= (size_t)(nul - p) + 1;
				p = nul + 1;
			}
			vc_buf_add(key, p, n);
			vc_buf_free(&tmp);
		}
		vc_buf_addc(key, '\0');
	}
}

/* Keeps point seq (json[0..len), at ts) as g's newest evidence, once
 * however many of the monitor's series it feeds. */
static void
keep_evidence(struct vc_eval *ev, struct group *g, unsigned long long seq, double ts,
	      const char *json, size_t len)
{
	struct evslot *e;
	char omitted[96];

	if (ev->o.evidence == 0 || g->seq == seq)
		return;
	g->seq = seq;
	e = &g->evidence[g->ev_next];
	if (len > VC_EVAL_EVIDENCE_BYTES) {
		/* Evidence must not make a group's memory depend on the size of
		 * its points: a big one is named, not kept. */
		struct vc_buf b = VC_BUF_INIT;

		vc_buf_adds(&b, "{\"ts\":");
		vc_buf_add_json_number(&b, ts);
		vc_buf_printf(&b, ",\"omitted_bytes\":%zu}", len);
		snprintf(omitted, sizeof omitted, "%s", b.p);
		vc_buf_free(&b);
		json = omitted;
		len = strlen(omitted);
	}
	if (len > EV_INLINE) {
		if (e->heapcap < len) {
			e->heap = vc_xrealloc(e->heap, len);
			e->heapcap = (uint32_t)len;
		}
		memcpy(e->heap, json, len);
	} else {
		memcpy(e->data, json, len);
	}
	e->len = (uint32_t)len;
	e->ts = ts;
	g->ev_next = (g->ev_next + 1) % ev->o.evidence;
	if (g->ev_count < ev->o.evidence)
		g->ev_count++;
}

struct group *
vc_group_of(struct vc_eval *ev, struct mon *mon, const char *key, size_t keylen, double ts)
{
	return group_find(ev, mon, key, keylen, hash_bytes(key, keylen), ts);
}

void
vc_group_drop(struct vc_eval *ev, struct mon *mon, struct group *g)
{
	index_remove(mon, g);
	vc_group_free(ev, mon, g);
	ev->ngroups--;
}

/* ---- points in flight ---------------------------------------------- */

/*
 * A point lands in a random one of many groups, and each of the lines it
 * touches there (the index entry, the group's head and key, the bucket
 * slot, the evidence slot) is a cache miss that depends on the one before.
 * So a point's update of a group waits while the next few points are
 * read: each new point asks for its index entry, the one STAGE points
 * older for the group's head that entry names, the one 2 * STAGE older
 * for its slot and evidence lines; the one 3 * STAGE older is applied,
 * its lines come in by then.  Updates are applied in arrival order, and
 * all of them before any tick (vc_points_flush), so the outcome is that
 * of applying each point at once.
 */
#define STAGE          2
#define INFLIGHT       (3 * STAGE + 1)
#define INFLIGHT_BYTES 464 /* a longer key and point skip the queue */

struct inflight {
	struct mon *mon;
	const struct group *hint; /* the group the index named; only a hint */
	size_t series;
	uint64_t hash;
	double t, x;
	unsigned long long seq;
	size_t keylen, len;
	char bytes[INFLIGHT_BYTES]; /* the key, then the point when kept as evidence */
};

static void
update(struct vc_eval *ev, struct mon *mon, size_t series, const char *key, size_t keylen,
       uint64_t hash, double t, double x, unsigned long long seq, const char *json, size_t len)
{
	struct group *g = group_find(ev, mon, key, keylen, hash, t);

	vc_window_add(&mon->win, g->ring, series, t, x);
	if (t > g->last_point)
		g->last_point = t;
	g->fresh = 1;
	keep_evidence(ev, g, seq, t, json, len);
}

static struct inflight *
inflight_at(struct vc_eval *ev, size_t age)
{
	return &ev->inflight[(ev->inflight_first + ev->inflight_n - 1 - age) % INFLIGHT];
}

/* Asks for the head of the group the index names for it. */
static void
ask_head(struct inflight *it)
{
	const struct mon *mon = it->mon;
	size_t i, probe;

	it->hint = NULL;
	if (mon->index_cap == 0)
		return;
	i = (size_t)it->hash & (mon->index_cap - 1);
	for (probe = 0; probe < 2 && mon->index[i].g; probe++) {
		if (mon->index[i].hash == it->hash) {
			it->hint = mon->index[i].g;
			prefetch_head(it->hint);
			PREFETCH(it->hint + 1); /* a short key */
			return;
		}
		i = (i + 1) & (mon->index_cap - 1);
	}
}

/* Asks for the bucket slot and the evidence slot the update will write. */
static void
ask_slots(const struct vc_eval *ev, const struct inflight *it)
{
	const struct group *g = it->hint;
	const char *e;
	size_t k;

	if (g == NULL)
		return;
	PREFETCH_W(vc_window_slot(&it->mon->win, g->ring, it->series, it->t));
	if (ev->o.evidence == 0 || it->len > EV_INLINE)
		return;
	e = (const char *)&g->evidence[g->ev_next];
	for (k = 0; k < offsetof(struct evslot, data) + it->len; k += CACHE_LINE)
		PREFETCH_W(e + k);
}

static void
apply_oldest(struct vc_eval *ev)
{
	struct inflight *it = &ev->inflight[ev->inflight_first];

	update(ev, it->mon, it->series, it->bytes, it->keylen, it->hash, it->t, it->x, it->seq,
	       it->bytes + it->keylen, it->len);
	ev->inflight_first = (ev->inflight_first + 1) % INFLIGHT;
	ev->inflight_n--;
}

void
vc_points_add(struct vc_eval *ev, struct mon *mon, size_t series, const struct vc_point *pt,
	      double t, double x, const char *json, size_t len)
{
	struct inflight *it;
	const char *key;
	size_t keylen;

	group_key(&ev->key, mon->q, pt);
	key = ev->key.p ? ev->key.p : "";
	keylen = ev->key.len;
	if (ev->o.evidence == 0)
		len = 0;
	if (keylen + len > INFLIGHT_BYTES) {
		vc_points_flush(ev);
		update(ev, mon, series, key, keylen, hash_bytes(key, keylen), t, x, ev->seq, json,
		       len);
		return;
	}
	if (ev->inflight == NULL)
		ev->inflight = vc_xcalloc(INFLIGHT, sizeof *ev->inflight);
	it = &ev->inflight[(ev->inflight_first + ev->inflight_n++) % INFLIGHT];
	it->mon = mon;
	it->series = series;
	it->hash = hash_bytes(key, keylen);
	it->t = t;
	it->x = x;
	it->seq = ev->seq;
	it->keylen = keylen;
	it->len = len;
	memcpy(it->bytes, key, keylen);
	memcpy(it->bytes + keylen, json, len);
	if (mon->index_cap)
		PREFETCH(&mon->index[(size_t)it->hash & (mon->index_cap - 1)]);
	if (ev->inflight_n > STAGE)
		ask_head(inflight_at(ev, STAGE));
	if (ev->inflight_n > 2 * STAGE)
		ask_slots(ev, inflight_at(ev, 2 * STAGE));
	if (ev->inflight_n > 3 * STAGE)
		apply_oldest(ev);
}

void
vc_points_flush(struct vc_eval *ev)
{
	while (ev->inflight_n > 0)
		apply_oldest(ev);
}
