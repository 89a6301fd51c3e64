/*
 * incstore.h — vc-incident's state: an SQLite database (WAL mode).
 *
 * Why SQLite: the state must survive kill -9 at any instant and be
 * shared by runs that overlap (cron), which is what a transactional
 * single-file database gives for free; WAL lets --list and --report read
 * while a run writes.  Without a file the same schema lives in memory,
 * so both modes run the same code.
 *
 * Writers take the write lock with BEGIN IMMEDIATE (waiting for another
 * run as long as the busy timeout allows) and batch many transitions per
 * transaction.  vc_incstore_begin says whether another process committed
 * since this one last looked, so a caller that caches rows drops its
 * cache and reads again: two runs never work from stale copies.
 *
 * Tables: incidents (one row per incident: its latest record, the JSON
 * line vc-incident printed without its timeline entries and without the
 * pieces in fixed, plus the columns lookups need), timeline (the
 * entries, each written once, keyed by incident and sequence number: a
 * batch appends what is new instead of rewriting every entry again),
 * fixed (the pieces of an incident's record that are the same in every
 * event -- id to severity, handle to attacker, the checklist -- written
 * once per run instead of with every update: two thirds of a record),
 * user_sessions (which sessions each user was seen in), posts (incident
 * events still to send to a target) and remote (ids the targets gave
 * back).
 *
 * Strings returned in rows point into SQLite's memory and stay valid
 * until the next call on the store.
 */
#ifndef VC_INCSTORE_H
#define VC_INCSTORE_H

#include <stddef.h>

#include "buf.h"

struct vc_incstore;

struct vc_incstore_row {
	const char *id;
	const char *key;
	const char *state; /* "open", "mitigated", "resolved" */
	double first_seen;
	double last_ts;     /* newest transition applied (replays are
			       older or equal) */
	double updated_ts;  /* time of the latest event */
	double resolve_due; /* when a mitigated incident resolves; 0 */
	const char *record; /* the latest incident record, JSON, as printed
			       but with "timeline" empty and maybe without
			       its fixed pieces (vc_incstore_record puts
			       them back) */
	size_t record_len;
	long long rowid; /* the incident's number in the store (column n,
			    its rowid; the timeline refers to it), 0 for a
			    row never stored */
};

/* Opens (creating if needed) the store at path, or an in-memory one
 * when path is NULL.  Returns NULL with a reason in why. */
struct vc_incstore *vc_incstore_open(const char *path, char *why, size_t whylen);
void vc_incstore_close(struct vc_incstore *s);
/* The last error, for messages. */
const char *vc_incstore_error(const struct vc_incstore *s);

/* Write transactions.  begin sets *stale when another process changed
 * the store since this one's previous transaction.  All return 0 or -1. */
int vc_incstore_begin(struct vc_incstore *s, int *stale);
int vc_incstore_commit(struct vc_incstore *s);
void vc_incstore_rollback(struct vc_incstore *s);

/* The latest incident of key: 1 and *row, 0 when none, -1 on error. */
int vc_incstore_get(struct vc_incstore *s, const char *key, struct vc_incstore_row *row);
/* Writes the incident row->id: updates row->rowid when set, else inserts
 * (or replaces the row with the same id) and sets row->rowid. */
int vc_incstore_put(struct vc_incstore *s, struct vc_incstore_row *row);
/* Keys of mitigated incidents due to resolve at or before now, as a
 * malloc'd array of malloc'd strings in *keys (free with
 * vc_incstore_free_keys); returns the count or -1. */
long vc_incstore_due(struct vc_incstore *s, double now, char ***keys);
void vc_incstore_free_keys(char **keys, long n);

/* Incidents whose latest event is at or after since, unresolved ones
 * first, then by first_seen; state_filter is NULL, "open" (open or
 * mitigated), "mitigated" or "resolved".  Calls fn for each row until it
 * returns non-zero; returns 0 or -1 on a store error. */
int vc_incstore_list(struct vc_incstore *s, double since, const char *state_filter,
		     int (*fn)(const struct vc_incstore_row *row, void *ctx), void *ctx);

/* Timeline entries of the incident numbered incident (its row's rowid):
 * add one (replacing the same seq), call fn for each entry in order,
 * drop entries 2..upto (the first entry says how it started and stays). */
int vc_incstore_timeline_add(struct vc_incstore *s, long long incident, long long seq,
			     const char *json, size_t len);
int vc_incstore_timeline(struct vc_incstore *s, long long incident,
			 void (*fn)(long long seq, const char *json, size_t len, void *ctx),
			 void *ctx);
int vc_incstore_timeline_prune(struct vc_incstore *s, long long incident, long long upto);
/* Writes row's record to out with its fixed pieces and its timeline
 * entries in place: the whole incident.  0 or -1. */
int vc_incstore_record(struct vc_incstore *s, const struct vc_incstore_row *row,
		       struct vc_buf *out);
/* The same, with the timeline entries only when timeline is set. */
int vc_incstore_record_as(struct vc_incstore *s, const struct vc_incstore_row *row, int timeline,
			  struct vc_buf *out);

/* The fixed pieces of an incident's record, as JSON text that starts
 * with its comma (",\"id\":..."), or NULL when the record keeps the
 * piece (it changes with the count or the peak). */
struct vc_incstore_fixed {
	const char *head; /* ,"id" to "severity" */
	const char *mid;  /* ,"handle" to "attacker" */
	const char *checklist;
	size_t head_len, mid_len, checklist_len;
};

/* Stores (replacing) the fixed pieces of incident id. 0 or -1. */
int vc_incstore_fixed_put(struct vc_incstore *s, const char *id, const struct vc_incstore_fixed *f);

/* The sessions a user was seen in: fn for each; 0 or -1. */
int vc_incstore_user_sessions(struct vc_incstore *s, const char *user_id,
			      void (*fn)(const char *session, void *ctx), void *ctx);
int vc_incstore_add_user_session(struct vc_incstore *s, const char *user_id,
				 const char *session_id);

/* ---- pending posts (each call its own short transaction, except
 * enqueue, which joins the caller's) ---- */

struct vc_incstore_post {
	char *incident_id;
	long long seq;   /* bumped by every enqueue */
	char *remote_id; /* NULL until the target gave one */
	int progress;    /* target-specific bits of what was done */
	int attempts;    /* failures since queued or last sent */
};

/* Marks incident_id as needing a post to target (inside a transaction). */
int vc_incstore_post_enqueue(struct vc_incstore *s, const char *incident_id, const char *target);
/* Claims every pending post of target not claimed by another live
 * process; returns the count (array in *posts, free with
 * vc_incstore_post_free) or -1.  In queue order, except that the posts
 * that failed since they were queued or last went through come after
 * the others, the one that failed longest ago first: a post that always
 * fails (times out, say) is tried after the target's other posts, and
 * posts that keep failing take turns at the head of what is left. */
long vc_incstore_post_claim(struct vc_incstore *s, const char *target,
			    struct vc_incstore_post **posts);
void vc_incstore_post_free(struct vc_incstore_post *posts, long n);
/* Records what the target said so far (remote id may be NULL: keep). */
int vc_incstore_post_progress(struct vc_incstore *s, const char *incident_id, const char *target,
			      const char *remote_id, int progress);
/* The post is done: removed unless enqueued again since (seq moved),
 * in which case it stays queued as one that has not failed. */
int vc_incstore_post_done(struct vc_incstore *s, const struct vc_incstore_post *p,
			  const char *target);
/* The post failed: kept for the next run with the (key-free) error,
 * one more attempt and the time of the failure. */
int vc_incstore_post_failed(struct vc_incstore *s, const struct vc_incstore_post *p,
			    const char *target, const char *error);
/* The post was not tried (its target was found down): kept as it was,
 * attempts and place in the queue unchanged, with why as its error. */
int vc_incstore_post_deferred(struct vc_incstore *s, const struct vc_incstore_post *p,
			      const char *target, const char *why);
/* Pending posts of target (all targets when NULL), or -1. */
long vc_incstore_post_count(struct vc_incstore *s, const char *target);
/* The incident with id: 1 and *row, 0 when none, -1 on error. */
int vc_incstore_get_id(struct vc_incstore *s, const char *id, struct vc_incstore_row *row);

#endif
