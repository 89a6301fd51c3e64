/*
 * test_incschema.c — vc-incident's store schema: a new store, the
 * conversion of schema 1, 2 and 3 stores to 4, and the refusal of a newer
 * one.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "incschema.h"
#include "tap.h"

/* The first column of the first row of sql as text ("" when no row);
 * valid until the next call. */
static const char *
one(sqlite3 *db, const char *sql)
{
	static char out[256];
	sqlite3_stmt *q;

	out[0] = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
		return "(error)";
	if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0) != NULL)
		snprintf(out, sizeof out, "%s", (const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	return out;
}

/* The rows of sql, columns joined by ':' and rows by ' '. */
static const char *
rows(sqlite3 *db, const char *sql)
{
	static char out[512];
	sqlite3_stmt *q;
	size_t n = 0;

	out[0] = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
		return "(error)";
	while (sqlite3_step(q) == SQLITE_ROW && n < sizeof out)
		for (int i = 0; i < sqlite3_column_count(q) && n < sizeof out; i++)
			n += snprintf(out + n, sizeof out - n, "%s%s", i ? ":" : (n ? " " : ""),
				      (const char *)sqlite3_column_text(q, i));
	sqlite3_finalize(q);
	return out;
}

static sqlite3 *
open_with(const char *sql)
{
	sqlite3 *db = NULL;

	if (sqlite3_open(":memory:", &db) != SQLITE_OK)
		return NULL;
	if (sql != NULL && sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

/* Schema 2's incidents and timeline as the previous version made them. */
#define INCIDENTS_2                                                                      \
	"CREATE TABLE incidents(id TEXT PRIMARY KEY, key TEXT NOT NULL,"                 \
	" state TEXT NOT NULL, first_seen REAL NOT NULL, last_ts REAL NOT NULL,"         \
	" updated_ts REAL NOT NULL, resolve_due REAL NOT NULL DEFAULT 0,"                \
	" record TEXT NOT NULL);"                                                        \
	"INSERT INTO incidents(rowid, id, key, state, first_seen, last_ts,"              \
	" updated_ts, record) VALUES (5, 'INC-a', 'session:a', 'open', 1, 1, 1, '{}'), " \
	"(9, 'INC-b', 'user:b', 'mitigated', 2, 2, 2, '{}');"

static void
test_new(void)
{
	char err[256] = "";
	sqlite3 *db = open_with(NULL);

	tap_ok(vc_incschema_setup(db, 0, err, sizeof err) == 0, "a new store: %s", err);
	tap_is_str(one(db, "PRAGMA user_version"), "4", "a new store is schema 4");
	tap_is_str(one(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table'"), "6",
		   "six tables");
	tap_ok(vc_incschema_setup(db, 0, err, sizeof err) == 0, "set up again: %s", err);
	tap_is_str(one(db, "PRAGMA user_version"), "4", "still schema 4");
	sqlite3_close(db);
}

static void
test_from_2(void)
{
	char err[256] = "";
	sqlite3 *db = open_with(INCIDENTS_2
				"CREATE TABLE timeline(incident_id TEXT NOT NULL,"
				" seq INTEGER NOT NULL, entry TEXT NOT NULL);"
				"CREATE UNIQUE INDEX timeline_seq ON timeline(incident_id, seq);"
				"INSERT INTO timeline VALUES ('INC-b', 1, '{\"b\":1}'),"
				" ('INC-a', 1, '{\"a\":1}'), ('INC-b', 2, '{\"b\":2}');"
				"PRAGMA user_version = 2;");

	tap_ok(db != NULL, "a schema 2 store made");
	tap_ok(vc_incschema_setup(db, 0, err, sizeof err) == 0, "schema 2 converted: %s", err);
	tap_is_str(one(db, "PRAGMA user_version"), "4", "now schema 4");
	tap_is_str(rows(db, "SELECT n, id, state FROM incidents ORDER BY n"),
		   "5:INC-a:open 9:INC-b:mitigated", "incidents keep their rowids as n");
	tap_is_str(rows(db, "SELECT incident, seq, entry FROM timeline ORDER BY incident, seq"),
		   "5:1:{\"a\":1} 9:1:{\"b\":1} 9:2:{\"b\":2}",
		   "timeline entries name the incident's number");
	tap_is_str(one(db, "SELECT count(*) FROM sqlite_master WHERE name = 'timeline_seq'"), "1",
		   "the timeline index is made again");
	sqlite3_close(db);
}

static void
test_from_1(void)
{
	char err[256] = "";
	sqlite3 *db = open_with(INCIDENTS_2 "PRAGMA user_version = 1;");

	tap_ok(vc_incschema_setup(db, 0, err, sizeof err) == 0,
	       "schema 1 without a timeline converted: %s", err);
	tap_is_str(one(db, "PRAGMA user_version"), "4", "schema 1 is now 4");
	tap_is_str(rows(db, "SELECT n, id FROM incidents ORDER BY n"), "5:INC-a 9:INC-b",
		   "schema 1 incidents kept");
	tap_is_str(one(db, "SELECT count(*) FROM timeline"), "0", "an empty timeline made");
	tap_is_str(one(db, "SELECT count(failed_at) FROM posts"), "0",
		   "a posts table of schema 4 made");
	sqlite3_close(db);
}

/* Schema 3's posts, with two queued: they keep their order and data,
 * neither counted as failed. */
static void
test_from_3(void)
{
	char err[256] = "";
	sqlite3 *db = open_with(NULL);

	tap_ok(vc_incschema_setup(db, 0, err, sizeof err) == 0, "a store: %s", err);
	sqlite3_exec(db,
		     "DROP TABLE posts;"
		     "CREATE TABLE posts(incident_id TEXT NOT NULL, target TEXT NOT NULL,"
		     " seq INTEGER NOT NULL, claimed_by INTEGER,"
		     " attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT,"
		     " PRIMARY KEY(incident_id, target));"
		     "INSERT INTO posts VALUES ('INC-b', 'datadog', 2, NULL, 3, 'HTTP 503'),"
		     " ('INC-a', 'webhook', 1, NULL, 0, NULL);"
		     "PRAGMA user_version = 3;",
		     NULL, NULL, NULL);
	tap_is_str(one(db, "PRAGMA user_version"), "3", "a schema 3 store made");
	tap_ok(vc_incschema_setup(db, 0, err, sizeof err) == 0, "schema 3 converted: %s", err);
	tap_is_str(one(db, "PRAGMA user_version"), "4", "schema 3 is now 4");
	tap_is_str(rows(db, "SELECT incident_id, target, seq, attempts, coalesce(last_error, '-'), "
			    "failed_at"
			    " FROM posts ORDER BY rowid"),
		   "INC-b:datadog:2:3:HTTP 503:0.0 INC-a:webhook:1:0:-:0.0",
		   "queued posts kept, failed_at 0");
	sqlite3_close(db);
}

static void
test_newer(void)
{
	char err[256] = "";
	sqlite3 *db = open_with("CREATE TABLE future(x); PRAGMA user_version = 5;");

	tap_ok(vc_incschema_setup(db, 0, err, sizeof err) == -1, "schema 5 refused");
	tap_ok(strstr(err, "schema version 5 is newer") != NULL, "why: %s", err);
	tap_is_str(one(db, "PRAGMA user_version"), "5", "the newer store is left as it was");
	tap_is_str(one(db, "SELECT count(*) FROM sqlite_master WHERE name = 'incidents'"), "0",
		   "no table added to it");
	tap_is_str(one(db, "SELECT count(*) FROM sqlite_master"), "1", "nothing else either");
	sqlite3_close(db);
}

int
main(void)
{
	test_new();
	test_from_2();
	test_from_1();
	test_from_3();
	test_newer();
	return tap_done();
}
