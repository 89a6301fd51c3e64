/*
 * incschema.c — the tables of vc-incident's store, their conversion from
 * older schemas and the database file's settings (see incschema.h).
 */
#include "incschema.h"

#include <stdio.h>
#include <string.h>

/* VC_INCSCHEMA_VERSION spelled for SQL, from the number itself. */
#define SPELL_(n)    #n
#define SPELL(n)     SPELL_(n)
#define VERSION_TEXT SPELL(VC_INCSCHEMA_VERSION)
/* How long a run waits for another one's write lock. */
#define BUSY_TIMEOUT_MS 120000

static const char schema[] =
	/* Schema 3: n, the incident's number, is its rowid made explicit,
	 * so that VACUUM keeps it: the timeline refers to it. */
	"CREATE TABLE IF NOT EXISTS incidents("
	" n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, key TEXT NOT NULL,"
	" state TEXT NOT NULL,"
	" first_seen REAL NOT NULL, last_ts REAL NOT NULL,"
	" updated_ts REAL NOT NULL, resolve_due REAL NOT NULL DEFAULT 0,"
	" record TEXT NOT NULL);"
	"CREATE INDEX IF NOT EXISTS incidents_key ON incidents(key, first_seen);"
	"CREATE INDEX IF NOT EXISTS incidents_due ON incidents(resolve_due)"
	" WHERE state = 'mitigated';"
	/* Rowids keep appends at the end of the table; only the small
	 * index entries land all over it.  Schema 3: entries name their
	 * incident by its number, not its 20-character id, which makes
	 * the index every batch rewrites a third of the size. */
	"CREATE TABLE IF NOT EXISTS timeline("
	" incident INTEGER NOT NULL, seq INTEGER NOT NULL, entry TEXT NOT NULL);"
	"CREATE UNIQUE INDEX IF NOT EXISTS timeline_seq ON timeline(incident, seq);"
	/* Schema 2: the pieces of an incident's record that stay the
	 * same from event to event, written once instead of with every
	 * update (NULL: the record has it). */
	"CREATE TABLE IF NOT EXISTS fixed("
	" incident_id TEXT PRIMARY KEY, head TEXT, mid TEXT, checklist TEXT);"
	"CREATE TABLE IF NOT EXISTS user_sessions("
	" user_id TEXT NOT NULL, session_id TEXT NOT NULL,"
	" PRIMARY KEY(user_id, session_id)) WITHOUT ROWID;"
	/* Schema 4: failed_at, when the post last failed (0: not since
	 * it was queued or last sent), orders the claim, so that a post
	 * that keeps failing goes after the others. */
	"CREATE TABLE IF NOT EXISTS posts("
	" incident_id TEXT NOT NULL, target TEXT NOT NULL,"
	" seq INTEGER NOT NULL, claimed_by INTEGER,"
	" attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT,"
	" failed_at REAL NOT NULL DEFAULT 0,"
	" PRIMARY KEY(incident_id, target));"
	"CREATE TABLE IF NOT EXISTS remote("
	" incident_id TEXT NOT NULL, target TEXT NOT NULL, remote_id TEXT,"
	" progress INTEGER NOT NULL DEFAULT 0,"
	" PRIMARY KEY(incident_id, target));";

/* Schema 1 and 2 to 3: incidents get their explicit number (the rowid
 * they had), timeline entries refer to it.  Run inside the transaction
 * that then creates what is missing (the indexes) and sets the version.
 * The first stores of schema 1 had no timeline table. */
static const char migrate_to_3[] =
	"CREATE TABLE IF NOT EXISTS timeline("
	" incident_id TEXT NOT NULL, seq INTEGER NOT NULL, entry TEXT NOT NULL);"
	"CREATE TABLE incidents_3("
	" n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, key TEXT NOT NULL,"
	" state TEXT NOT NULL,"
	" first_seen REAL NOT NULL, last_ts REAL NOT NULL,"
	" updated_ts REAL NOT NULL, resolve_due REAL NOT NULL DEFAULT 0,"
	" record TEXT NOT NULL);"
	"INSERT INTO incidents_3 SELECT rowid, id, key, state, first_seen,"
	" last_ts, updated_ts, resolve_due, record FROM incidents ORDER BY rowid;"
	"CREATE TABLE timeline_3("
	" incident INTEGER NOT NULL, seq INTEGER NOT NULL, entry TEXT NOT NULL);"
	"INSERT INTO timeline_3 SELECT i.n, t.seq, t.entry FROM timeline t"
	" JOIN incidents_3 i ON i.id = t.incident_id ORDER BY t.rowid;"
	"DROP TABLE timeline;"
	"DROP TABLE incidents;"
	"ALTER TABLE incidents_3 RENAME TO incidents;"
	"ALTER TABLE timeline_3 RENAME TO timeline;";

/* Schema 1 to 3 to 4: posts get failed_at, 0 for the posts already
 * queued (none has failed by the new count yet).  Run inside the same
 * transaction, after migrate_to_3.  The first stores of schema 1 had no
 * posts table: it is made in schema 3's shape first. */
static const char migrate_to_4[] =
	"CREATE TABLE IF NOT EXISTS posts("
	" incident_id TEXT NOT NULL, target TEXT NOT NULL,"
	" seq INTEGER NOT NULL, claimed_by INTEGER,"
	" attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT,"
	" PRIMARY KEY(incident_id, target));"
	"ALTER TABLE posts ADD COLUMN failed_at REAL NOT NULL DEFAULT 0;";

/* Puts "what: SQLite's message" in err; returns -1. */
static int
fail(sqlite3 *db, const char *what, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: %s", what, sqlite3_errmsg(db));
	return -1;
}

int
vc_incschema_exec(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	if (err != NULL)
		snprintf(err, errlen, "%s", msg ? msg : "error");
	sqlite3_free(msg);
	return -1;
}

/* Sets the WAL's automatic checkpoint to about bytes of frames,
 * whatever the file's page size. */
static int
wal_checkpoint_every(sqlite3 *db, long bytes, char *err, size_t errlen)
{
	sqlite3_stmt *q;
	long page = 4096;
	char sql[64];

	if (sqlite3_prepare_v2(db, "PRAGMA page_size", -1, &q, NULL) != SQLITE_OK)
		return fail(db, "page size", err, errlen);
	if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int(q, 0) > 0)
		page = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	snprintf(sql, sizeof sql, "PRAGMA wal_autocheckpoint = %ld", bytes / page);
	return vc_incschema_exec(db, sql, err, errlen);
}

/* The busy timeout and the settings of the file and the cache. */
static int
tune(sqlite3 *db, int on_disk, char *err, size_t errlen)
{
	sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
	/* A new file gets 16 KiB pages (an existing one keeps its own): a
	 * batch rewrites incident rows all over the table, and SQLite
	 * writes and checksums each page of the WAL as a frame of its
	 * own, so four times fewer frames cost less CPU than the bytes
	 * they add (1.81 -> 1.57 s for make bench's 10,000 attackers). */
	if (on_disk && vc_incschema_exec(db, "PRAGMA page_size = 16384", err, errlen) < 0)
		return -1;
	/* NORMAL is durable against a killed process in WAL mode (the
	 * WAL is in the OS cache); only a power cut may lose the last
	 * transactions, never consistency. */
	if (on_disk && (vc_incschema_exec(db, "PRAGMA journal_mode = WAL", err, errlen) < 0 ||
			vc_incschema_exec(db, "PRAGMA synchronous = NORMAL", err, errlen) < 0))
		return -1;
	/* A batch touches pages all over the indexes: a 64 MiB cache keeps
	 * them from being read back, and checkpoints every 32 MiB of WAL
	 * rather than 4 MiB make fewer, larger writes and fsyncs. */
	if (vc_incschema_exec(db, "PRAGMA cache_size = -65536", err, errlen) < 0 ||
	    wal_checkpoint_every(db, 32 << 20, err, errlen) < 0)
		return -1;
	return 0;
}

int
vc_incschema_setup(sqlite3 *db, int on_disk, char *err, size_t errlen)
{
	sqlite3_stmt *q;
	int version = 0;

	if (tune(db, on_disk, err, errlen) < 0)
		return -1;
	if (vc_incschema_exec(db, "BEGIN IMMEDIATE", err, errlen) < 0)
		return -1;
	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &q, NULL) != SQLITE_OK) {
		vc_incschema_exec(db, "ROLLBACK", NULL, 0);
		return fail(db, "schema", err, errlen);
	}
	if (sqlite3_step(q) == SQLITE_ROW)
		version = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	if (version > VC_INCSCHEMA_VERSION) {
		vc_incschema_exec(db, "ROLLBACK", NULL, 0);
		snprintf(err, errlen, "schema version %d is newer than this vc-incident's %d",
			 version, VC_INCSCHEMA_VERSION);
		return -1;
	}
	if ((version > 0 && version < 3 && vc_incschema_exec(db, migrate_to_3, err, errlen) < 0) ||
	    (version > 0 && version < 4 && vc_incschema_exec(db, migrate_to_4, err, errlen) < 0) ||
	    vc_incschema_exec(db, schema, err, errlen) < 0 ||
	    vc_incschema_exec(db, "PRAGMA user_version = " VERSION_TEXT, err, errlen) < 0 ||
	    vc_incschema_exec(db, "COMMIT", err, errlen) < 0) {
		vc_incschema_exec(db, "ROLLBACK", NULL, 0);
		return -1;
	}
	return 0;
}
