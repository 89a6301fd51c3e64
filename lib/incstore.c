/*
 * incstore.c — the SQLite store of vc-incident (see incstore.h).
 */
#include "incstore.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "incschema.h"
#include "json.h"
#include "xalloc.h"

enum {
	Q_GET,
	Q_GET_ID,
	Q_PUT,
	Q_PUT_ID,
	Q_ROWID,
	Q_UPDATE,
	Q_DUE,
	Q_SESSIONS,
	Q_ADD_SESSION,
	Q_ENQUEUE,
	Q_DATA_VERSION,
	Q_TL_ADD,
	Q_TL_GET,
	Q_TL_PRUNE,
	Q_FIXED_PUT,
	Q_FIXED_GET,
	NQ
};

static const char *const sql_text[NQ] = {
	[Q_GET] = "SELECT id, key, state, first_seen, last_ts, updated_ts, "
		  "resolve_due, record, rowid FROM incidents WHERE key = ?1 "
		  "ORDER BY first_seen DESC, rowid DESC LIMIT 1",
	[Q_GET_ID] = "SELECT id, key, state, first_seen, last_ts, updated_ts, "
		     "resolve_due, record, rowid FROM incidents WHERE id = ?1",
	[Q_PUT] = "INSERT INTO incidents(id, key, state, first_seen, last_ts, "
		  "updated_ts, resolve_due, record) "
		  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[Q_PUT_ID] = "UPDATE incidents SET state = ?3, first_seen = ?4, "
		     "last_ts = ?5, updated_ts = ?6, resolve_due = ?7, record = ?8 "
		     "WHERE id = ?1",
	[Q_ROWID] = "SELECT rowid FROM incidents WHERE id = ?1",
	[Q_UPDATE] = "UPDATE incidents SET state = ?3, last_ts = ?5, "
		     "updated_ts = ?6, resolve_due = ?7, record = ?8 "
		     "WHERE rowid = ?9",
	[Q_DUE] = "SELECT key FROM incidents WHERE state = 'mitigated' AND "
		  "resolve_due <= ?1 ORDER BY resolve_due",
	[Q_SESSIONS] = "SELECT session_id FROM user_sessions WHERE user_id = ?1 "
		       "ORDER BY session_id",
	[Q_ADD_SESSION] = "INSERT OR IGNORE INTO user_sessions(user_id, "
			  "session_id) VALUES (?1, ?2)",
	[Q_ENQUEUE] = "INSERT INTO posts(incident_id, target, seq) "
		      "VALUES (?1, ?2, 1) ON CONFLICT(incident_id, target) "
		      "DO UPDATE SET seq = seq + 1",
	[Q_DATA_VERSION] = "PRAGMA data_version",
	[Q_TL_ADD] = "INSERT OR REPLACE INTO timeline(incident, seq, entry) "
		     "VALUES (?1, ?2, ?3)",
	[Q_TL_GET] = "SELECT seq, entry FROM timeline WHERE incident = ?1 "
		     "ORDER BY seq",
	[Q_TL_PRUNE] = "DELETE FROM timeline WHERE incident = ?1 AND seq > 1 "
		       "AND seq <= ?2",
	[Q_FIXED_PUT] = "INSERT OR REPLACE INTO fixed(incident_id, head, mid, "
			"checklist) VALUES (?1, ?2, ?3, ?4)",
	[Q_FIXED_GET] = "SELECT head, mid, checklist FROM fixed WHERE incident_id = ?1",
};

struct vc_incstore {
	sqlite3 *db;
	sqlite3_stmt *q[NQ];
	long long data_version; /* as of our last transaction; -1: never */
	int in_txn;
	char error[256];
};

static int
fail(struct vc_incstore *s, const char *what)
{
	snprintf(s->error, sizeof s->error, "%s: %s", what,
		 s->db ? sqlite3_errmsg(s->db) : "no database");
	return -1;
}

const char *
vc_incstore_error(const struct vc_incstore *s)
{
	return s->error;
}

static int
exec(struct vc_incstore *s, const char *sql)
{
	return vc_incschema_exec(s->db, sql, s->error, sizeof s->error);
}

static long long
data_version(struct vc_incstore *s)
{
	sqlite3_stmt *q = s->q[Q_DATA_VERSION];
	long long v = -1;

	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	return v;
}

/* Readies the connection (incschema.c) and prepares the statements. */
static int
setup(struct vc_incstore *s, const char *path)
{
	if (vc_incschema_setup(s->db, path != NULL, s->error, sizeof s->error) < 0)
		return -1;
	for (int i = 0; i < NQ; i++)
		if (sqlite3_prepare_v3(s->db, sql_text[i], -1, SQLITE_PREPARE_PERSISTENT, &s->q[i],
				       NULL) != SQLITE_OK)
			return fail(s, "prepare");
	return 0;
}

struct vc_incstore *
vc_incstore_open(const char *path, char *why, size_t whylen)
{
	struct vc_incstore *s = vc_xcalloc(1, sizeof *s);
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;

	s->data_version = -1;
	if (sqlite3_open_v2(path ? path : ":memory:", &s->db, flags, NULL) != SQLITE_OK ||
	    setup(s, path) < 0) {
		if (s->error[0] == 0)
			fail(s, "open");
		snprintf(why, whylen, "%s: %s", path ? path : ":memory:", s->error);
		vc_incstore_close(s);
		return NULL;
	}
	return s;
}

void
vc_incstore_close(struct vc_incstore *s)
{
	if (s == NULL)
		return;
	if (s->in_txn)
		vc_incstore_rollback(s);
	for (int i = 0; i < NQ; i++)
		sqlite3_finalize(s->q[i]);
	sqlite3_close(s->db);
	free(s);
}

/* A statement left on a row (rows stay valid until the next call) holds a
 * read snapshot; a write from an old snapshot fails at once with "database
 * is locked" when another process committed meanwhile, so every write
 * first lets go of all of them. */
static void
reset_all(struct vc_incstore *s)
{
	for (int i = 0; i < NQ; i++)
		sqlite3_reset(s->q[i]);
}

int
vc_incstore_begin(struct vc_incstore *s, int *stale)
{
	long long v;

	reset_all(s);
	if (exec(s, "BEGIN IMMEDIATE") < 0)
		return -1;
	s->in_txn = 1;
	/* data_version moves only when another connection commits. */
	v = data_version(s);
	*stale = v != s->data_version;
	s->data_version = v;
	return 0;
}

int
vc_incstore_commit(struct vc_incstore *s)
{
	reset_all(s);
	if (exec(s, "COMMIT") < 0) {
		vc_incstore_rollback(s);
		return -1;
	}
	s->in_txn = 0;
	return 0;
}

void
vc_incstore_rollback(struct vc_incstore *s)
{
	char keep[sizeof s->error];

	memcpy(keep, s->error, sizeof keep);
	exec(s, "ROLLBACK");
	memcpy(s->error, keep, sizeof keep);
	s->in_txn = 0;
}

static void
read_row(sqlite3_stmt *q, struct vc_incstore_row *row)
{
	row->id = (const char *)sqlite3_column_text(q, 0);
	row->key = (const char *)sqlite3_column_text(q, 1);
	row->state = (const char *)sqlite3_column_text(q, 2);
	row->first_seen = sqlite3_column_double(q, 3);
	row->last_ts = sqlite3_column_double(q, 4);
	row->updated_ts = sqlite3_column_double(q, 5);
	row->resolve_due = sqlite3_column_double(q, 6);
	row->record = (const char *)sqlite3_column_text(q, 7);
	row->record_len = (size_t)sqlite3_column_bytes(q, 7);
	row->rowid = sqlite3_column_int64(q, 8);
}

/* Runs a prepared one-row lookup bound to text arg. */
static int
get_by(struct vc_incstore *s, int which, const char *arg, struct vc_incstore_row *row)
{
	sqlite3_stmt *q = s->q[which];
	int rc;

	sqlite3_reset(q);
	sqlite3_bind_text(q, 1, arg, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		read_row(q, row);
		return 1;
	}
	sqlite3_reset(q);
	if (rc == SQLITE_DONE)
		return 0;
	return fail(s, "read incident");
}

int
vc_incstore_get(struct vc_incstore *s, const char *key, struct vc_incstore_row *row)
{
	return get_by(s, Q_GET, key, row);
}

int
vc_incstore_get_id(struct vc_incstore *s, const char *id, struct vc_incstore_row *row)
{
	return get_by(s, Q_GET_ID, id, row);
}

/* Binds row to q's parameters ?1 to ?8, and ?9 the rowid when q has it. */
static void
bind_row(sqlite3_stmt *q, const struct vc_incstore_row *row)
{
	sqlite3_reset(q);
	sqlite3_bind_text(q, 1, row->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, row->key, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, row->state, -1, SQLITE_STATIC);
	sqlite3_bind_double(q, 4, row->first_seen);
	sqlite3_bind_double(q, 5, row->last_ts);
	sqlite3_bind_double(q, 6, row->updated_ts);
	sqlite3_bind_double(q, 7, row->resolve_due);
	sqlite3_bind_text(q, 8, row->record, (int)row->record_len, SQLITE_STATIC);
	if (sqlite3_bind_parameter_count(q) >= 9)
		sqlite3_bind_int64(q, 9, row->rowid);
}

/* Runs q, bound, to its end; returns SQLite's code. */
static int
step_done(sqlite3_stmt *q)
{
	int rc = sqlite3_step(q);

	sqlite3_reset(q);
	return rc;
}

/* Replaces the row that has row->id (an insert found it there). */
static int
put_by_id(struct vc_incstore *s, struct vc_incstore_row *row)
{
	sqlite3_stmt *q = s->q[Q_ROWID];

	bind_row(s->q[Q_PUT_ID], row);
	if (step_done(s->q[Q_PUT_ID]) != SQLITE_DONE || sqlite3_changes(s->db) != 1)
		return -1;
	sqlite3_reset(q);
	sqlite3_bind_text(q, 1, row->id, -1, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_ROW) {
		sqlite3_reset(q);
		return -1;
	}
	row->rowid = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	return 0;
}

int
vc_incstore_put(struct vc_incstore *s, struct vc_incstore_row *row)
{
	int rc;

	/* A known row is updated in place by rowid; only a new one goes
	 * through the id index.  A plain INSERT, not an upsert: SQLite
	 * runs an upsert (or RETURNING) with a statement journal, which
	 * copied every page it touched to a temporary file (537 MB for
	 * make bench's 10,000 incidents). */
	if (row->rowid > 0) {
		bind_row(s->q[Q_UPDATE], row);
		if (step_done(s->q[Q_UPDATE]) != SQLITE_DONE)
			return fail(s, "write incident");
		if (sqlite3_changes(s->db) == 1)
			return 0;
		row->rowid = 0; /* gone meanwhile: write it anew */
	}
	bind_row(s->q[Q_PUT], row);
	rc = step_done(s->q[Q_PUT]);
	if (rc == SQLITE_DONE) {
		row->rowid = sqlite3_last_insert_rowid(s->db);
		return 0;
	}
	fail(s, "write incident");
	/* The same id stored already (another run opened it): replace. */
	if (rc == SQLITE_CONSTRAINT && put_by_id(s, row) == 0)
		return 0;
	return -1;
}

void
vc_incstore_free_keys(char **keys, long n)
{
	for (long i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
}

long
vc_incstore_due(struct vc_incstore *s, double now, char ***keys)
{
	sqlite3_stmt *q = s->q[Q_DUE];
	long n = 0, cap = 0;
	int rc;

	*keys = NULL;
	sqlite3_reset(q);
	sqlite3_bind_double(q, 1, now);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			*keys = vc_xrealloc(*keys, cap * sizeof **keys);
		}
		(*keys)[n++] = vc_xstrdup((const char *)sqlite3_column_text(q, 0));
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		vc_incstore_free_keys(*keys, n);
		*keys = NULL;
		return fail(s, "due incidents");
	}
	return n;
}

int
vc_incstore_list(struct vc_incstore *s, double since, const char *state_filter,
		 int (*fn)(const struct vc_incstore_row *row, void *ctx), void *ctx)
{
	const char *where = "";
	char sql[512];
	sqlite3_stmt *q;
	struct vc_incstore_row row;
	int rc;

	if (state_filter && strcmp(state_filter, "open") == 0)
		where = " AND state != 'resolved'";
	else if (state_filter && strcmp(state_filter, "mitigated") == 0)
		where = " AND state = 'mitigated'";
	else if (state_filter && strcmp(state_filter, "resolved") == 0)
		where = " AND state = 'resolved'";
	snprintf(sql, sizeof sql,
		 "SELECT id, key, state, first_seen, last_ts, updated_ts, "
		 "resolve_due, record, rowid FROM incidents WHERE updated_ts >= ?1%s "
		 "ORDER BY state = 'resolved', first_seen, id",
		 where);
	if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK)
		return fail(s, "list");
	sqlite3_bind_double(q, 1, since);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		read_row(q, &row);
		if (fn(&row, ctx) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : fail(s, "list");
}

int
vc_incstore_timeline_add(struct vc_incstore *s, long long incident, long long seq, const char *json,
			 size_t len)
{
	sqlite3_stmt *q = s->q[Q_TL_ADD];
	int rc;

	sqlite3_reset(q);
	sqlite3_bind_int64(q, 1, incident);
	sqlite3_bind_int64(q, 2, seq);
	sqlite3_bind_text(q, 3, json, (int)len, SQLITE_STATIC);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : fail(s, "write timeline");
}

int
vc_incstore_timeline(struct vc_incstore *s, long long incident,
		     void (*fn)(long long seq, const char *json, size_t len, void *ctx), void *ctx)
{
	sqlite3_stmt *q = s->q[Q_TL_GET];
	int rc;

	sqlite3_reset(q);
	sqlite3_bind_int64(q, 1, incident);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		fn(sqlite3_column_int64(q, 0), (const char *)sqlite3_column_text(q, 1),
		   (size_t)sqlite3_column_bytes(q, 1), ctx);
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : fail(s, "read timeline");
}

int
vc_incstore_timeline_prune(struct vc_incstore *s, long long incident, long long upto)
{
	sqlite3_stmt *q = s->q[Q_TL_PRUNE];
	int rc;

	sqlite3_reset(q);
	sqlite3_bind_int64(q, 1, incident);
	sqlite3_bind_int64(q, 2, upto);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : fail(s, "prune timeline");
}

static void
add_entry_json(long long seq, const char *json, size_t len, void *ctx)
{
	struct vc_buf *b = ctx;

	(void)seq;
	if (b->p[b->len - 1] != '[')
		vc_buf_addc(b, ',');
	vc_buf_add(b, json, len);
}

int
vc_incstore_fixed_put(struct vc_incstore *s, const char *id, const struct vc_incstore_fixed *f)
{
	sqlite3_stmt *q = s->q[Q_FIXED_PUT];
	const char *p[3] = {f->head, f->mid, f->checklist};
	const size_t n[3] = {f->head_len, f->mid_len, f->checklist_len};

	sqlite3_reset(q);
	sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
	for (int i = 0; i < 3; i++)
		if (p[i] != NULL)
			sqlite3_bind_text(q, i + 2, p[i], (int)n[i], SQLITE_STATIC);
		else
			sqlite3_bind_null(q, i + 2);
	return step_done(q) == SQLITE_DONE ? 0 : fail(s, "write incident");
}

/* Copies rec[*at, to) to out; 0, or -1 when to is behind *at (pieces
 * out of the order this store writes them: left out). */
static int
copy_to(struct vc_buf *out, const char *rec, size_t *at, size_t to)
{
	if (to < *at)
		return -1;
	vc_buf_add(out, rec + *at, to - *at);
	*at = to;
	return 0;
}

/* Appends column i of q's row, if not NULL. */
static void
add_column(struct vc_buf *out, sqlite3_stmt *q, int i)
{
	if (sqlite3_column_type(q, i) != SQLITE_NULL)
		vc_buf_add(out, sqlite3_column_text(q, i), (size_t)sqlite3_column_bytes(q, i));
}

int
vc_incstore_record_as(struct vc_incstore *s, const struct vc_incstore_row *row, int timeline,
		      struct vc_buf *out)
{
	const char *rec = row->record, *why;
	struct vc_json_span root, k, v, state_k = {NULL, 0, VC_JSON_NONE},
					state_v = {NULL, 0, VC_JSON_NONE},
					tl = {NULL, 0, VC_JSON_NONE};
	struct vc_json_iter it;
	sqlite3_stmt *q = s->q[Q_FIXED_GET];
	int has_id = 0, has_handle = 0, has_checklist = 0, fixed = 0, rc = 0;
	size_t off, at = 0, n = row->record_len;

	/* The record's own top-level members, found by the scanner: the
	 * same text nested in the monitor or the attacker is not them. */
	if (vc_json_check(rec, n, &root, &why, &off) < 0 || root.type != VC_JSON_OBJECT) {
		vc_buf_add(out, rec, n);
		return 0;
	}
	vc_json_iter_init(root, &it);
	while (vc_json_object_next(&it, &k, &v)) {
		if (vc_json_key_is(k, "id", 2))
			has_id = 1;
		else if (vc_json_key_is(k, "handle", 6))
			has_handle = 1;
		else if (vc_json_key_is(k, "checklist", 9))
			has_checklist = 1;
		else if (vc_json_key_is(k, "state", 5))
			state_k = k, state_v = v;
		else if (vc_json_key_is(k, "timeline", 8) && v.type == VC_JSON_ARRAY)
			tl = v;
	}
	if (!has_id || !has_handle || !has_checklist) {
		sqlite3_reset(q);
		sqlite3_bind_text(q, 1, row->id, -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(q);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
			sqlite3_reset(q);
			return fail(s, "read incident");
		}
		fixed = rc == SQLITE_ROW;
	}
	/* The fixed pieces go back where the record was cut: head (",id"
	 * to severity) before ",state", mid (",handle" to attacker) after
	 * it, the checklist last. */
	if (fixed && !has_id && state_k.p != NULL && state_k.p > rec && state_k.p[-1] == ',' &&
	    copy_to(out, rec, &at, (size_t)(state_k.p - 1 - rec)) == 0)
		add_column(out, q, 0);
	if (fixed && !has_handle && state_v.p != NULL &&
	    copy_to(out, rec, &at, (size_t)(state_v.p + state_v.len - rec)) == 0)
		add_column(out, q, 1);
	/* The entries in the record are the newest few; the table has
	 * them all, so they replace the array's content. */
	if (timeline && tl.p != NULL && copy_to(out, rec, &at, (size_t)(tl.p + 1 - rec)) == 0) {
		if (vc_incstore_timeline(s, row->rowid, add_entry_json, out) < 0) {
			sqlite3_reset(q);
			return -1;
		}
		at = (size_t)(tl.p + tl.len - 1 - rec);
	}
	if (fixed && !has_checklist &&
	    copy_to(out, rec, &at, (size_t)(root.p + root.len - 1 - rec)) == 0)
		add_column(out, q, 2);
	copy_to(out, rec, &at, n);
	sqlite3_reset(q);
	return 0;
}

int
vc_incstore_record(struct vc_incstore *s, const struct vc_incstore_row *row, struct vc_buf *out)
{
	return vc_incstore_record_as(s, row, 1, out);
}

int
vc_incstore_user_sessions(struct vc_incstore *s, const char *user_id,
			  void (*fn)(const char *session, void *ctx), void *ctx)
{
	sqlite3_stmt *q = s->q[Q_SESSIONS];
	int rc;

	sqlite3_reset(q);
	sqlite3_bind_text(q, 1, user_id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		fn((const char *)sqlite3_column_text(q, 0), ctx);
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : fail(s, "user sessions");
}

int
vc_incstore_add_user_session(struct vc_incstore *s, const char *user_id, const char *session_id)
{
	sqlite3_stmt *q = s->q[Q_ADD_SESSION];
	int rc;

	sqlite3_reset(q);
	sqlite3_bind_text(q, 1, user_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, session_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : fail(s, "user sessions");
}

/* ---- posts ----------------------------------------------------------- */

int
vc_incstore_post_enqueue(struct vc_incstore *s, const char *incident_id, const char *target)
{
	sqlite3_stmt *q = s->q[Q_ENQUEUE];
	int rc;

	sqlite3_reset(q);
	sqlite3_bind_text(q, 1, incident_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, target, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : fail(s, "queue post");
}

/* Runs one statement with text and integer parameters in its own
 * transaction ("t" text, "i" long long). */
static int
run(struct vc_incstore *s, const char *sql, const char *types, ...)
{
	sqlite3_stmt *q;
	va_list ap;
	int rc;

	reset_all(s);
	if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK)
		return fail(s, "post state");
	va_start(ap, types);
	for (int i = 0; types[i]; i++) {
		if (types[i] == 't')
			sqlite3_bind_text(q, i + 1, va_arg(ap, const char *), -1, SQLITE_TRANSIENT);
		else
			sqlite3_bind_int64(q, i + 1, va_arg(ap, long long));
	}
	va_end(ap);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : fail(s, "post state");
}

/* Whether the process that claimed a post is gone (killed runs leave
 * claims behind; the store is a local file, so pids are comparable). */
static int
claimer_gone(long long pid)
{
	if (pid <= 0 || pid == (long long)getpid())
		return 1;
	return kill((pid_t)pid, 0) == -1 && errno == ESRCH;
}

void
vc_incstore_post_free(struct vc_incstore_post *posts, long n)
{
	for (long i = 0; i < n; i++) {
		free(posts[i].incident_id);
		free(posts[i].remote_id);
	}
	free(posts);
}

long
vc_incstore_post_claim(struct vc_incstore *s, const char *target, struct vc_incstore_post **posts)
{
	sqlite3_stmt *q;
	long n = 0, cap = 0;
	int rc;
	struct vc_incstore_post *v = NULL;

	*posts = NULL;
	reset_all(s);
	if (exec(s, "BEGIN IMMEDIATE") < 0)
		return -1;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT p.incident_id, p.seq, p.claimed_by, "
			       "p.attempts, r.remote_id, r.progress "
			       "FROM posts p LEFT JOIN remote r ON "
			       "r.incident_id = p.incident_id AND r.target = "
			       "p.target WHERE p.target = ?1 "
			       "ORDER BY p.failed_at, p.rowid",
			       -1, &q, NULL) != SQLITE_OK) {
		fail(s, "claim posts");
		vc_incstore_rollback(s);
		return -1;
	}
	sqlite3_bind_text(q, 1, target, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *rid = (const char *)sqlite3_column_text(q, 4);

		if (sqlite3_column_type(q, 2) != SQLITE_NULL &&
		    !claimer_gone(sqlite3_column_int64(q, 2)))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			v = vc_xrealloc(v, cap * sizeof *v);
		}
		v[n].incident_id = vc_xstrdup((const char *)sqlite3_column_text(q, 0));
		v[n].seq = sqlite3_column_int64(q, 1);
		v[n].attempts = sqlite3_column_int(q, 3);
		v[n].remote_id = rid ? vc_xstrdup(rid) : NULL;
		v[n].progress = sqlite3_column_int(q, 5);
		n++;
	}
	sqlite3_finalize(q);
	for (long i = 0; rc == SQLITE_DONE && i < n; i++)
		if (run(s,
			"UPDATE posts SET claimed_by = ?1 WHERE "
			"incident_id = ?2 AND target = ?3",
			"itt", (long long)getpid(), v[i].incident_id, target) < 0)
			rc = SQLITE_ERROR;
	if (rc != SQLITE_DONE || vc_incstore_commit(s) < 0) {
		if (rc != SQLITE_DONE) {
			fail(s, "claim posts");
			vc_incstore_rollback(s);
		}
		vc_incstore_post_free(v, n);
		return -1;
	}
	*posts = v;
	return n;
}

int
vc_incstore_post_progress(struct vc_incstore *s, const char *incident_id, const char *target,
			  const char *remote_id, int progress)
{
	if (remote_id != NULL)
		return run(s,
			   "INSERT INTO remote(incident_id, target, remote_id, "
			   "progress) VALUES (?1, ?2, ?3, ?4) ON CONFLICT"
			   "(incident_id, target) DO UPDATE SET remote_id = ?3, "
			   "progress = ?4",
			   "ttti", incident_id, target, remote_id, (long long)progress);
	return run(s,
		   "INSERT INTO remote(incident_id, target, progress) VALUES "
		   "(?1, ?2, ?3) ON CONFLICT(incident_id, target) DO UPDATE SET "
		   "progress = ?3",
		   "tti", incident_id, target, (long long)progress);
}

int
vc_incstore_post_done(struct vc_incstore *s, const struct vc_incstore_post *p, const char *target)
{
	if (run(s,
		"DELETE FROM posts WHERE incident_id = ?1 AND target = ?2 "
		"AND seq = ?3",
		"tti", p->incident_id, target, p->seq) < 0)
		return -1;
	/* Enqueued again meanwhile: the post stays, as one that went
	 * through, in its place in the queue. */
	return run(s,
		   "UPDATE posts SET claimed_by = NULL, attempts = 0, "
		   "last_error = NULL, failed_at = 0 WHERE incident_id = ?1 "
		   "AND target = ?2",
		   "tt", p->incident_id, target);
}

int
vc_incstore_post_failed(struct vc_incstore *s, const struct vc_incstore_post *p, const char *target,
			const char *error)
{
	/* The time of the failure, in seconds since the epoch, but always
	 * after the previous failure: SQLite's clock counts milliseconds, and
	 * a claim must tell which of two posts failed last. */
	return run(s,
		   "UPDATE posts SET claimed_by = NULL, attempts = attempts "
		   "+ 1, last_error = ?1, failed_at = max((julianday('now') - "
		   "2440587.5) * 86400, (SELECT max(failed_at) FROM posts) + "
		   "0.001) WHERE incident_id = ?2 AND target = ?3",
		   "ttt", error, p->incident_id, target);
}

int
vc_incstore_post_deferred(struct vc_incstore *s, const struct vc_incstore_post *p,
			  const char *target, const char *why)
{
	return run(s,
		   "UPDATE posts SET claimed_by = NULL, last_error = ?1 "
		   "WHERE incident_id = ?2 AND target = ?3",
		   "ttt", why, p->incident_id, target);
}

long
vc_incstore_post_count(struct vc_incstore *s, const char *target)
{
	sqlite3_stmt *q;
	long n = -1;

	if (sqlite3_prepare_v2(s->db,
			       target ? "SELECT count(*) FROM posts WHERE target = ?1"
				      : "SELECT count(*) FROM posts",
			       -1, &q, NULL) != SQLITE_OK)
		return fail(s, "count posts");
	if (target)
		sqlite3_bind_text(q, 1, target, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW)
		n = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return n < 0 ? fail(s, "count posts") : n;
}
