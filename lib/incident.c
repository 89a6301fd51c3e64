/*
 * incident.c — the incident engine: transitions in, incident events out,
 * state in the store (see incident.h).
 */
#include "incident.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inctrans.h"
#include "json.h"
#include "strmap.h"
#include "vtime.h"
#include "xalloc.h"

/* Beyond this many cached keys the cache is dropped after a commit: the
 * store has everything, so memory stays bounded on any input. */
#define CACHE_MAX 200000
/* Nor may the timelines it holds pass this many bytes (an entry can be
 * 5 KiB, an incident holds 50). */
#define CACHE_BYTES_MAX ((size_t)256 << 20)
/* Evidence items a transition is searched for users and services. */
#define EVIDENCE_SCAN_MAX 64

/* ---- the engine ---- */

struct user {
	char *sessions[VC_INC_SESSIONS_MAX];
	int n;
};

struct pair {
	char *user, *session;
};

struct vc_incidents {
	struct vc_incident_opts o;
	struct vc_incstore *store;
	const struct vc_inctmpl_set *tmpl;
	struct vc_strmap incs;  /* key -> struct vc_incident */
	struct vc_strmap users; /* user_id -> struct user */
	int in_txn;
	struct vc_incident **dirty;
	size_t ndirty, capdirty;
	struct pair *pairs; /* user sessions to store */
	size_t npairs, cappairs;
	struct vc_buf events; /* lines held until the commit */
	struct vc_buf scratch, render_tmp;
	struct vc_buf whole;                /* a stored record with its fixed pieces */
	struct vc_buf key;                  /* the transition's key, kept for its memory */
	struct vc_inc_monitor_memo monitor; /* of the last transition */
	size_t cached_bytes;                /* timeline bytes brought into the cache */
	size_t batched;
	double clock; /* newest input time */
};

static void
free_incident(void *p)
{
	vc_incident_free(p);
	free(p);
}

static void
free_user(void *p)
{
	struct user *u = p;

	for (int i = 0; i < u->n; i++)
		free(u->sessions[i]);
	free(u);
}

struct vc_incidents *
vc_incidents_new(const struct vc_incident_opts *o, struct vc_incstore *store,
		 const struct vc_inctmpl_set *tmpl)
{
	struct vc_incidents *e = vc_xcalloc(1, sizeof *e);

	e->o = *o;
	e->store = store;
	e->tmpl = tmpl;
	return e;
}

static void
drop_cache(struct vc_incidents *e)
{
	e->cached_bytes = 0;
	vc_strmap_clear(&e->incs, free_incident);
	vc_strmap_clear(&e->users, free_user);
}

void
vc_incidents_free(struct vc_incidents *e)
{
	if (e == NULL)
		return;
	if (e->in_txn)
		vc_incstore_rollback(e->store);
	drop_cache(e);
	for (size_t i = 0; i < e->npairs; i++) {
		free(e->pairs[i].user);
		free(e->pairs[i].session);
	}
	free(e->pairs);
	free(e->dirty);
	vc_buf_free(&e->events);
	vc_buf_free(&e->scratch);
	vc_buf_free(&e->render_tmp);
	vc_buf_free(&e->whole);
	vc_buf_free(&e->monitor.bytes);
	vc_buf_free(&e->key);
	free(e);
}

size_t
vc_incidents_batched(const struct vc_incidents *e)
{
	return e->batched;
}

size_t
vc_incidents_held(const struct vc_incidents *e)
{
	return e->events.len;
}

static int
ensure_txn(struct vc_incidents *e)
{
	int stale;

	if (e->in_txn)
		return 0;
	if (vc_incstore_begin(e->store, &stale) < 0)
		return -2;
	e->in_txn = 1;
	if (stale)
		drop_cache(e);
	return 0;
}

static void
add_service(struct vc_incident *inc, const char *s, size_t n)
{
	for (int i = 0; i < inc->nservices; i++)
		if (strlen(inc->services[i]) == n && memcmp(inc->services[i], s, n) == 0)
			return;
	if (inc->nservices < VC_INC_SERVICES_MAX && n > 0 && n < 256)
		inc->services[inc->nservices++] = vc_xstrndup(s, n);
}

static struct user *user_of(struct vc_incidents *e, struct vc_incident *inc);

/* Notes that inc's user was seen in session (to store at the commit). */
static void
pair_add(struct vc_incidents *e, struct vc_incident *inc, const char *session)
{
	struct user *u = user_of(e, inc);
	const char *user = inc->user_id;

	if (u == NULL)
		return;
	for (int i = 0; i < u->n; i++)
		if (strcmp(u->sessions[i], session) == 0)
			return;
	if (u->n < VC_INC_SESSIONS_MAX)
		u->sessions[u->n++] = vc_xstrdup(session);
	if (e->npairs == e->cappairs) {
		e->cappairs = e->cappairs ? e->cappairs * 2 : 64;
		e->pairs = vc_xrealloc(e->pairs, e->cappairs * sizeof *e->pairs);
	}
	e->pairs[e->npairs].user = vc_xstrdup(user);
	e->pairs[e->npairs++].session = vc_xstrdup(session);
}

/* What one evidence item says about who and where: the string members
 * service, user_id and session_id of the item's "tags" (or of the item
 * itself), found in one pass over each. */
struct facts {
	struct vc_json_span service, user, session, ts, value;
};

static void
facts_of(struct vc_json_span obj, struct facts *f, int depth)
{
	struct vc_json_iter it;
	struct vc_json_span k, v;

	vc_json_iter_init(obj, &it);
	while (vc_json_object_next(&it, &k, &v)) {
		if (v.type == VC_JSON_OBJECT && depth == 0 && vc_json_key_is(k, "tags", 4))
			facts_of(v, f, 1);
		if (depth == 0 && vc_json_key_is(k, "ts", 2))
			f->ts = v;
		else if (depth == 0 && v.type == VC_JSON_NUMBER && vc_json_key_is(k, "value", 5))
			f->value = v;
		if (v.type != VC_JSON_STRING || v.len < 3 || v.len > 256)
			continue;
		if (vc_json_key_is(k, "service", 7) && (depth || !f->service.p))
			f->service = v;
		else if (vc_json_key_is(k, "user_id", 7) && (depth || !f->user.p))
			f->user = v;
		else if (vc_json_key_is(k, "session_id", 10) && (depth || !f->session.p))
			f->session = v;
	}
}

static char *
decoded(struct vc_json_span v, struct vc_buf *tmp)
{
	vc_json_string(v, tmp);
	return tmp->p;
}

static int
worthy(const struct vc_incidents *e, enum vc_inc_status st)
{
	return st == VC_ST_ALERT || (st == VC_ST_WARN && e->o.on_warn);
}

/* Whether the monitor adds its points up over the window ("sum(...)"):
 * then each point is an attempt (a count of events), not a score. */
static int
sums(const struct vc_inc_transition *t)
{
	struct vc_json_span q = t->monitor_query;

	return q.type == VC_JSON_STRING && q.len > 5 && memcmp(q.p + 1, "sum(", 4) == 0;
}

/* The attempts one evidence point stands for: its value for a summing
 * monitor, else 1 when it crosses the transition's threshold (above it,
 * or below it for a rule whose alert value is below). */
static long long
attempts_of(const struct vc_inc_transition *t, const struct facts *f, int summing)
{
	double v, th, alert;

	if (!f->value.p)
		return 0;
	v = vc_json_number(f->value);
	if (summing)
		return v > 0 && v < 1e9 ? (long long)(v + 0.5) : 0;
	if (!t->has_threshold || !t->has_value)
		return 0;
	th = t->threshold_num;
	alert = t->value_num;
	return (alert < th ? v < th : v > th) ? 1 : 0;
}

/* Learns services, the user and the user's sessions from the evidence,
 * and, for an alert, counts the attempts in the evidence points newer than
 * the key's previous transition (the windows of two transitions overlap;
 * a point is counted once), or the alert itself when they show none. */
static void
learn(struct vc_incidents *e, struct vc_incident *inc, const struct vc_inc_transition *t,
      double prev_ts, struct vc_buf *tmp)
{
	struct vc_json_iter it;
	struct vc_json_span item;
	struct facts f;
	int scanned = 0, counting = worthy(e, t->status);
	int summing = counting && t->has_evidence && sums(t);
	long long attempts = 0;
	double ts;

	if (t->has_evidence) {
		vc_json_iter_init(t->evidence, &it);
		while (scanned++ < EVIDENCE_SCAN_MAX && vc_json_array_next(&it, &item)) {
			if (item.type != VC_JSON_OBJECT)
				continue;
			memset(&f, 0, sizeof f);
			facts_of(item, &f, 0);
			if (counting &&
			    (f.ts.p == NULL || (vc_inc_time(f.ts, &ts) == 0 && ts > prev_ts)))
				attempts += attempts_of(t, &f, summing);
			if (f.service.p) {
				decoded(f.service, tmp);
				add_service(inc, tmp->p, tmp->len);
			}
			if (inc->user_id == NULL && f.user.p)
				inc->user_id = vc_xstrdup(decoded(f.user, tmp));
			/* A session counts for this user when the item names
			 * no other user; the incident's own one is noted once. */
			if (inc->user_id && f.session.p &&
			    (!f.user.p || strcmp(decoded(f.user, tmp), inc->user_id) == 0) &&
			    !(inc->paired && strcmp(decoded(f.session, tmp), inc->session_id) == 0))
				pair_add(e, inc, decoded(f.session, tmp));
		}
	}
	if (counting)
		inc->attempts += attempts > 0 ? attempts : 1;
	if (inc->user_id && inc->session_id && !inc->paired) {
		pair_add(e, inc, inc->session_id);
		inc->paired = inc->user != NULL;
	}
}

static void
note_peak(struct vc_incident *inc, const struct vc_inc_transition *t)
{
	double v, th;
	int low;

	if (!t->has_value)
		return;
	v = t->value_num;
	th = t->has_threshold ? t->threshold_num : v;
	/* A "below" rule (quality < 0.6) peaks at its lowest value. */
	low = t->has_threshold && v < th;
	if (!inc->has_peak || (low ? v < inc->peak : v > inc->peak))
		inc->peak = v;
	inc->has_peak = 1;
}

static char *
make_id(const char *key, double first_seen)
{
	char buf[64];
	struct vc_buf b = VC_BUF_INIT;

	vc_buf_adds(&b, key);
	snprintf(buf, sizeof buf, "@%.3f", first_seen);
	vc_buf_adds(&b, buf);
	snprintf(buf, sizeof buf, "inc-%016llx", vc_strmap_hash(b.p, b.len));
	vc_buf_free(&b);
	return vc_xstrdup(buf);
}

static struct vc_incident *
new_incident(const struct vc_inc_transition *t)
{
	struct vc_incident *inc = vc_xcalloc(1, sizeof *inc);
	struct vc_json_span name;

	inc->key = vc_xstrdup(t->key.p);
	inc->id = make_id(t->key.p, t->ts);
	inc->handle = t->handle ? vc_xstrdup(t->handle) : NULL;
	inc->monitor = vc_inc_dup_span(t->monitor);
	inc->monitor_len = t->monitor.len;
	if (vc_json_member(t->monitor, "name", &name) && name.type == VC_JSON_STRING) {
		struct vc_buf b = VC_BUF_INIT;
		vc_json_string(name, &b);
		inc->monitor_name = b.p ? b.p : vc_xstrdup("");
	}
	if (t->has_group) {
		inc->group = vc_inc_dup_span(t->group);
		inc->group_len = t->group.len;
	}
	vc_incident_describe(inc);
	inc->state = VC_INC_OPEN;
	inc->first_seen = inc->last_seen = t->ts;
	return inc;
}

/* ---- the cache over the store ---- */

static const struct vc_inctmpl *
tmpl_of(const struct vc_incidents *e, const struct vc_incident *inc)
{
	const char *h = inc->handle;

	return vc_inctmpl_find(e->tmpl, h && strlen(h) > 10 ? h + 10 : NULL);
}

static void
collect_session(const char *session, void *ctx)
{
	struct user *u = ctx;

	if (u->n < VC_INC_SESSIONS_MAX)
		u->sessions[u->n++] = vc_xstrdup(session);
}

static struct user *
user_get(struct vc_incidents *e, const char *user_id)
{
	struct vc_strmap_slot *s = vc_strmap_find(&e->users, user_id);
	struct user *u;

	if (s && s->val)
		return s->val;
	u = vc_xcalloc(1, sizeof *u);
	if (vc_incstore_user_sessions(e->store, user_id, collect_session, u) < 0) {
		free_user(u);
		return NULL;
	}
	vc_strmap_add(&e->users, user_id)->val = u;
	return u;
}

/* The user of inc (inc->user_id set), remembered in inc: both live
 * until the cache is dropped. */
static struct user *
user_of(struct vc_incidents *e, struct vc_incident *inc)
{
	if (inc->user == NULL)
		inc->user = user_get(e, inc->user_id);
	return inc->user;
}

struct loading {
	struct vc_incidents *e;
	struct vc_incident *inc;
};

static void
load_entry(long long seq, const char *json, size_t len, void *ctx)
{
	struct loading *l = ctx;
	struct vc_inc_entry e = {vc_xstrndup(json, len), len, seq};

	l->e->cached_bytes += len;
	vc_incident_add_entry(l->inc, e);
}

/* Adds an entry made here to inc, counting its bytes. */
static void
add_entry(struct vc_incidents *e, struct vc_incident *inc, struct vc_inc_entry entry)
{
	e->cached_bytes += entry.len;
	vc_incident_add_entry(inc, entry);
}

/* The incident of key, from the cache or the store; *err on failure. */
static struct vc_incident *
lookup(struct vc_incidents *e, const char *key, int *err)
{
	struct vc_strmap_slot *s = vc_strmap_find(&e->incs, key);
	struct vc_incstore_row row;
	struct vc_incident *inc;
	int rc;

	if (s != NULL)
		return s->val;
	rc = vc_incstore_get(e->store, key, &row);
	if (rc < 0) {
		*err = 1;
		return NULL;
	}
	inc = NULL;
	if (rc == 1) {
		inc = vc_xcalloc(1, sizeof *inc);
		vc_buf_reset(&e->whole);
		if (vc_incstore_record_as(e->store, &row, 0, &e->whole) < 0) {
			free(inc);
			*err = 1;
			return NULL;
		}
		if (vc_incident_parse(inc, e->whole.p, e->whole.len) < 0) {
			free(inc);
			inc = NULL; /* an unreadable row: start afresh */
		} else {
			long long total = inc->tl_total;

			/* The timeline table has the entries. */
			for (int i = 0; i < inc->ntl; i++)
				free(inc->tl[i].json);
			inc->ntl = 0;
			inc->last_ts = row.last_ts;
			inc->rowid = row.rowid;
			inc->resolve_due = row.resolve_due;
			inc->updated_ts = row.updated_ts;
			struct loading l = {e, inc};

			if (vc_incstore_timeline(e->store, inc->rowid, load_entry, &l) < 0) {
				free_incident(inc);
				*err = 1;
				return NULL;
			}
			if (total > inc->tl_total)
				inc->tl_total = total;
			inc->tl_saved = inc->tl_total;
		}
	}
	vc_strmap_add(&e->incs, key)->val = inc;
	return inc;
}

static void
mark_dirty(struct vc_incidents *e, struct vc_incident *inc)
{
	if (inc->dirty)
		return;
	inc->dirty = 1;
	if (e->ndirty == e->capdirty) {
		e->capdirty = e->capdirty ? e->capdirty * 2 : 256;
		e->dirty = vc_xrealloc(e->dirty, e->capdirty * sizeof *e->dirty);
	}
	e->dirty[e->ndirty++] = inc;
}

static void
view_of(struct vc_incidents *e, struct vc_incident *inc, int max, struct vc_inc_view *view)
{
	struct user *u = inc->user_id ? user_of(e, inc) : NULL;

	view->tmpl = tmpl_of(e, inc);
	view->sessions = u ? u->sessions : NULL;
	view->nsessions = u ? u->n : 0;
	view->max_timeline = max;
	view->tmp = &e->render_tmp;
}

static void
emit(struct vc_incidents *e, struct vc_incident *inc, enum vc_inc_event ev, double ts)
{
	struct vc_inc_view view;

	inc->last_event = ev;
	inc->updated_ts = ts;
	view_of(e, inc, VC_INC_TIMELINE_EMIT, &view);
	inc->ev_off = e->events.len;
	vc_incident_render(inc, ev, ts, &view, &e->events, &inc->ev);
	inc->ev_len = e->events.len - inc->ev_off;
	vc_buf_addc(&e->events, '\n');
	mark_dirty(e, inc);
}

/* Puts the latest event of inc into e->scratch as its stored record:
 * without its timeline entries (rows of their own, written once each)
 * and without the pieces that are the same in every event (in the store
 * once); notes those pieces in *f. */
static void
cut_record(struct vc_incidents *e, const struct vc_incident *inc, struct vc_incstore_fixed *f)
{
	const struct vc_inc_marks *m = &inc->ev;
	const char *ev = e->events.p;
	const size_t *cut[4];
	size_t at = inc->ev_off;
	int n = 0;

	memset(f, 0, sizeof *f);
	if (m->head_fixed) {
		cut[n++] = m->head;
		f->head = ev + m->head[0];
		f->head_len = m->head[1] - m->head[0];
	}
	cut[n++] = m->mid;
	f->mid = ev + m->mid[0];
	f->mid_len = m->mid[1] - m->mid[0];
	cut[n++] = m->tl;
	if (m->checklist_fixed) {
		cut[n++] = m->checklist;
		f->checklist = ev + m->checklist[0];
		f->checklist_len = m->checklist[1] - m->checklist[0];
	}
	vc_buf_reset(&e->scratch);
	for (int i = 0; i < n; i++) {
		vc_buf_add(&e->scratch, ev + at, cut[i][0] - at);
		at = cut[i][1];
	}
	vc_buf_add(&e->scratch, ev + at, inc->ev_off + inc->ev_len - at);
}

/* Writes a dirty incident: its row is the latest event it printed (every
 * dirty incident printed one in this batch, still held in e->events),
 * cut as cut_record says, plus the timeline entries new since the last
 * save, and the fixed pieces once per incident and run. */
static int
save(struct vc_incidents *e, struct vc_incident *inc)
{
	struct vc_incstore_row row;
	struct vc_incstore_fixed fixed;

	row.id = inc->id;
	row.key = inc->key;
	row.state = vc_incident_state_name(inc->state);
	row.first_seen = inc->first_seen;
	row.last_ts = inc->last_ts;
	row.updated_ts = inc->updated_ts;
	row.resolve_due = inc->state == VC_INC_MITIGATED ? inc->resolve_due : 0;
	cut_record(e, inc, &fixed);
	row.record = e->scratch.p;
	row.record_len = e->scratch.len;
	row.rowid = inc->rowid;
	if (vc_incstore_put(e->store, &row) < 0)
		return -2;
	inc->rowid = row.rowid;
	/* In the same transaction as the first record cut without them. */
	if (!inc->fixed_saved && vc_incstore_fixed_put(e->store, inc->id, &fixed) < 0)
		return -2;
	inc->fixed_saved = 1;
	for (int i = 0; i < inc->ntl; i++)
		if (inc->tl[i].seq > inc->tl_saved &&
		    vc_incstore_timeline_add(e->store, inc->rowid, inc->tl[i].seq, inc->tl[i].json,
					     inc->tl[i].len) < 0)
			return -2;
	/* Past the entries kept, the old ones go (the first stays). */
	if (inc->tl_total > VC_INC_TIMELINE_KEEP && inc->tl_total != inc->tl_saved &&
	    vc_incstore_timeline_prune(e->store, inc->rowid,
				       inc->tl_total - VC_INC_TIMELINE_KEEP + 1) < 0)
		return -2;
	inc->tl_saved = inc->tl_total;
	for (int i = 0; i < e->o.ntargets; i++)
		if (vc_incstore_post_enqueue(e->store, inc->id, e->o.targets[i]) < 0)
			return -2;
	inc->dirty = 0;
	return 0;
}

static int
flush_dirty(struct vc_incidents *e)
{
	for (size_t i = 0; i < e->ndirty; i++)
		if (e->dirty[i] && e->dirty[i]->dirty && save(e, e->dirty[i]) < 0)
			return -2;
	e->ndirty = 0;
	return 0;
}

static void
resolve(struct vc_incidents *e, struct vc_incident *inc, double at)
{
	inc->state = VC_INC_RESOLVED;
	inc->resolved_at = at;
	inc->resolve_due = 0;
	add_entry(e, inc, vc_inc_event_entry(at, VC_EV_RESOLVED));
	emit(e, inc, VC_EV_RESOLVED, at);
}

/* ---- the lifecycle ---- */

/* Opens a new incident for t, replacing old (resolved) in the cache. */
static int
open_new(struct vc_incidents *e, struct vc_inc_transition *t, struct vc_incident *old)
{
	struct vc_incident *inc;

	if (old != NULL && old->dirty) {
		if (save(e, old) < 0)
			return -2;
		/* old is freed below: the dirty list must not point to it. */
		for (size_t i = 0; i < e->ndirty; i++)
			if (e->dirty[i] == old)
				e->dirty[i] = NULL;
	}
	inc = new_incident(t);
	vc_strmap_add(&e->incs, inc->key)->val = inc;
	if (old != NULL)
		free_incident(old);
	inc->count = 1;
	note_peak(inc, t);
	add_entry(e, inc, vc_inc_transition_entry(t, VC_EV_OPENED, &e->scratch));
	learn(e, inc, t, 0, &e->scratch);
	inc->last_ts = t->ts;
	emit(e, inc, VC_EV_OPENED, t->ts);
	return 1;
}

static int
apply(struct vc_incidents *e, struct vc_inc_transition *t)
{
	int err = 0;
	struct vc_incident *inc = lookup(e, t->key.p, &err);
	enum vc_inc_event ev = VC_EV_UPDATED;

	if (err)
		return -2;
	if (inc != NULL && t->ts <= inc->last_ts)
		return 0; /* a replay */
	if (inc != NULL && inc->state == VC_INC_MITIGATED && t->ts >= inc->resolve_due)
		resolve(e, inc, inc->resolve_due);
	if (inc == NULL || inc->state == VC_INC_RESOLVED) {
		if (!worthy(e, t->status) || (t->handle == NULL && !e->o.all))
			return 0;
		if (inc == NULL || t->ts - inc->resolved_at > e->o.reopen_window)
			return open_new(e, t, inc);
		inc->state = VC_INC_OPEN;
		inc->reopened++;
		inc->resolved_at = 0;
		inc->mitigated_at = 0;
		ev = VC_EV_REOPENED;
	}
	if (worthy(e, t->status)) {
		inc->count++;
		note_peak(inc, t);
		inc->last_seen = t->ts;
		if (inc->state == VC_INC_MITIGATED) {
			inc->state = VC_INC_OPEN;
			inc->mitigated_at = 0;
			inc->resolve_due = 0;
		}
	} else if (t->status == VC_ST_OK && inc->state == VC_INC_OPEN) {
		inc->state = VC_INC_MITIGATED;
		inc->mitigated_at = t->ts;
		inc->resolve_due = t->ts + e->o.resolve_after;
		ev = VC_EV_MITIGATED;
	}
	add_entry(e, inc, vc_inc_transition_entry(t, ev, &e->scratch));
	learn(e, inc, t, inc->last_ts, &e->scratch);
	inc->last_ts = t->ts;
	emit(e, inc, ev, t->ts);
	return 1;
}

int
vc_incidents_apply(struct vc_incidents *e, const struct vc_record *rec, const char **why)
{
	struct vc_inc_transition t;
	int rc;

	memset(&t, 0, sizeof t);
	t.key = e->key;
	vc_buf_reset(&t.key);
	t.memo = &e->monitor;
	*why = vc_inc_transition_read(&t, rec, &e->scratch);
	if (*why != NULL) {
		rc = -1;
	} else if ((rc = ensure_txn(e)) == 0) {
		if (t.ts > e->clock)
			e->clock = t.ts;
		rc = apply(e, &t);
		e->batched++;
	}
	free(t.handle);
	e->key = t.key;
	return rc;
}

/* Resolves the mitigated incidents due by the clock. */
static int
sweep(struct vc_incidents *e)
{
	char **keys;
	long n = vc_incstore_due(e->store, e->clock, &keys);
	int err = 0;

	if (n < 0)
		return -2;
	for (long i = 0; i < n && !err; i++) {
		struct vc_incident *inc = lookup(e, keys[i], &err);

		if (inc && inc->state == VC_INC_MITIGATED && inc->resolve_due <= e->clock)
			resolve(e, inc, inc->resolve_due);
	}
	vc_incstore_free_keys(keys, n);
	return err ? -2 : 0;
}

int
vc_incidents_commit(struct vc_incidents *e, double now, struct vc_buf *out)
{
	if (ensure_txn(e) < 0)
		return -2;
	if (now > e->clock)
		e->clock = now;
	if (flush_dirty(e) < 0 || sweep(e) < 0 || flush_dirty(e) < 0)
		goto fail;
	for (size_t i = 0; i < e->npairs; i++) {
		if (vc_incstore_add_user_session(e->store, e->pairs[i].user, e->pairs[i].session) <
		    0)
			goto fail;
		free(e->pairs[i].user);
		free(e->pairs[i].session);
	}
	e->npairs = 0;
	if (vc_incstore_commit(e->store) < 0) {
		e->in_txn = 0;
		goto fail_rolled;
	}
	e->in_txn = 0;
	e->batched = 0;
	if (out->len == 0) {
		struct vc_buf t = *out; /* hand the lines over, no copy */
		*out = e->events;
		e->events = t;
		vc_buf_reset(&e->events);
	} else {
		vc_buf_add(out, e->events.p, e->events.len);
		vc_buf_reset(&e->events);
	}
	if (e->incs.n > CACHE_MAX || e->cached_bytes > CACHE_BYTES_MAX)
		drop_cache(e);
	return 0;
fail:
	vc_incstore_rollback(e->store);
	e->in_txn = 0;
fail_rolled:
	/* What the cache holds was never stored: forget it all. */
	drop_cache(e);
	vc_buf_reset(&e->events);
	return -2;
}
