/*
 * test_incstore.c — the SQLite store: rows, lookups, sweeps, listing,
 * user sessions, the post queue, and noticing another writer.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "incstore.h"
#include "tap.h"

static char dir[] = "/tmp/test_incstore.XXXXXX";

static int
put(struct vc_incstore *s, const char *id, const char *key, const char *state, double first,
    double due, double updated)
{
	char rec[256];
	struct vc_incstore_row r;

	snprintf(rec, sizeof rec, "{\"id\":\"%s\",\"key\":\"%s\",\"state\":\"%s\"}", id, key,
		 state);
	r.id = id;
	r.key = key;
	r.state = state;
	r.first_seen = first;
	r.last_ts = first + 1;
	r.updated_ts = updated;
	r.resolve_due = due;
	r.record = rec;
	r.record_len = strlen(rec);
	r.rowid = 0;
	return vc_incstore_put(s, &r);
}

static char order[256];

static int
collect(const struct vc_incstore_row *row, void *ctx)
{
	(void)ctx;
	strcat(order, row->id);
	strcat(order, " ");
	return 0;
}

static int nsess;

static void
count_session(const char *s, void *ctx)
{
	(void)s;
	(void)ctx;
	nsess++;
}

/* A record stored without its fixed pieces reads back whole, in
 * order; one that has them (as schema 1 wrote them) reads as stored. */
static void
fixed_pieces(struct vc_incstore *s)
{
	const char *cut = "{\"type\":\"incident\",\"ts\":5,\"state\":\"open\","
			  "\"count\":2,\"timeline\":[],\"timeline_total\":2,\"impact\":{}}";
	const char *whole = "{\"type\":\"incident\",\"ts\":5,\"id\":\"f1\",\"key\":\"kf\","
			    "\"state\":\"open\",\"handle\":null,\"monitor\":{\"state\":1},"
			    "\"count\":2,\"timeline\":[{\"n\":1},{\"n\":2}],"
			    "\"timeline_total\":2,\"impact\":{},\"checklist\":[\"a\"]}";
	const char *old = "{\"type\":\"incident\",\"ts\":5,\"id\":\"f2\",\"key\":\"kg\","
			  "\"state\":\"open\",\"handle\":null,\"timeline\":[],\"checklist\":[]}";
	struct vc_incstore_fixed f = {",\"id\":\"f1\",\"key\":\"kf\"",
				      ",\"handle\":null,\"monitor\":{\"state\":1}",
				      ",\"checklist\":[\"a\"]",
				      0,
				      0,
				      0};
	struct vc_incstore_row r = {"f1", "kf", "open", 1, 5, 5, 0, cut, strlen(cut), 0};
	struct vc_buf b = VC_BUF_INIT;
	int stale;

	f.head_len = strlen(f.head);
	f.mid_len = strlen(f.mid);
	f.checklist_len = strlen(f.checklist);
	vc_incstore_begin(s, &stale);
	tap_ok(vc_incstore_put(s, &r) == 0 && vc_incstore_fixed_put(s, "f1", &f) == 0 &&
		       vc_incstore_timeline_add(s, r.rowid, 1, "{\"n\":1}", 7) == 0 &&
		       vc_incstore_timeline_add(s, r.rowid, 2, "{\"n\":2}", 7) == 0,
	       "a record cut, its fixed pieces and its timeline stored");
	r.id = "f2";
	r.key = "kg";
	r.record = old;
	r.record_len = strlen(old);
	r.rowid = 0;
	vc_incstore_put(s, &r);
	vc_incstore_commit(s);
	vc_incstore_get_id(s, "f1", &r);
	tap_ok(vc_incstore_record(s, &r, &b) == 0, "read back");
	tap_is_str(b.p, whole, "fixed pieces and entries back in place");
	vc_buf_reset(&b);
	vc_incstore_get_id(s, "f1", &r);
	vc_incstore_record_as(s, &r, 0, &b);
	tap_ok(strstr(b.p, "\"timeline\":[]") != NULL &&
		       strstr(b.p, "\"checklist\":[\"a\"]") != NULL,
	       "without the timeline on demand");
	vc_buf_reset(&b);
	vc_incstore_get_id(s, "f2", &r);
	vc_incstore_record(s, &r, &b);
	tap_is_str(b.p, old, "a record with its pieces in reads as stored");
	vc_buf_free(&b);
}

/* Claims target's posts; their ids and attempts ("a:0 b:1 ") in
 * claimed, the array in *posts. */
static char claimed[256];

static long
claim(struct vc_incstore *s, struct vc_incstore_post **posts)
{
	long n = vc_incstore_post_claim(s, "webhook", posts);
	size_t len = 0;

	claimed[0] = 0;
	for (long i = 0; i < n && len < sizeof claimed; i++)
		len += snprintf(claimed + len, sizeof claimed - len, "%s:%d ",
				(*posts)[i].incident_id, (*posts)[i].attempts);
	return n;
}

/* The order posts are claimed in: a post that failed goes after those
 * that did not, so one that always fails never holds the others back. */
static void
claim_order(void)
{
	char why[256];
	struct vc_incstore *s = vc_incstore_open(NULL, why, sizeof why);
	struct vc_incstore_post *p;
	int stale;
	long n;

	vc_incstore_begin(s, &stale);
	vc_incstore_post_enqueue(s, "a", "webhook");
	vc_incstore_post_enqueue(s, "b", "webhook");
	vc_incstore_post_enqueue(s, "c", "webhook");
	vc_incstore_post_enqueue(s, "d", "webhook");
	vc_incstore_commit(s);
	n = claim(s, &p);
	tap_is_str(claimed, "a:0 b:0 c:0 d:0 ", "queue order");
	vc_incstore_post_failed(s, &p[0], "webhook", "timed out");
	for (long i = 1; i < n; i++)
		tap_ok(vc_incstore_post_deferred(s, &p[i], "webhook", "not sent") == 0, "deferred");
	vc_incstore_post_free(p, n);
	n = claim(s, &p);
	tap_is_str(claimed, "b:0 c:0 d:0 a:1 ",
		   "the failed post goes last; those not tried keep their place");
	vc_incstore_post_failed(s, &p[0], "webhook", "timed out");
	vc_incstore_post_done(s, &p[1], "webhook");
	vc_incstore_post_done(s, &p[2], "webhook");
	vc_incstore_post_free(p, n);
	n = claim(s, &p);
	tap_is_str(claimed, "a:1 b:1 ", "failed posts: the one that failed longest ago first");
	vc_incstore_post_failed(s, &p[0], "webhook", "timed out");
	vc_incstore_post_free(p, n);
	n = claim(s, &p);
	tap_is_str(claimed, "b:1 a:2 ", "posts that keep failing take turns");
	/* Sent, but a new event queued it again meanwhile: it stays, as a
	 * post that has not failed. */
	vc_incstore_begin(s, &stale);
	vc_incstore_post_enqueue(s, "a", "webhook");
	vc_incstore_commit(s);
	vc_incstore_post_done(s, &p[1], "webhook");
	vc_incstore_post_failed(s, &p[0], "webhook", "timed out");
	vc_incstore_post_free(p, n);
	n = claim(s, &p);
	tap_is_str(claimed, "a:0 b:2 ", "a post sent and queued again starts afresh");
	vc_incstore_post_free(p, n);
	vc_incstore_close(s);
}

int
main(void)
{
	char path[300], why[512], cmd[400], **keys;
	struct vc_incstore *s, *t;
	struct vc_incstore_row row;
	struct vc_incstore_post *posts;
	int stale;
	long n;
	long long rowid;
	sqlite3 *db;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof path, "%s/s.db", dir);
	s = vc_incstore_open(path, why, sizeof why);
	tap_ok(s != NULL, "store created: %s", s ? "" : why);
	tap_ok(vc_incstore_begin(s, &stale) == 0 && stale,
	       "first begin is stale (nothing cached yet)");
	tap_ok(put(s, "i1", "k1", "resolved", 100, 0, 200) == 0, "put");
	put(s, "i2", "k1", "open", 300, 0, 300);
	put(s, "i3", "k2", "mitigated", 150, 500, 160);
	put(s, "i4", "k3", "mitigated", 170, 900, 170);
	tap_ok(vc_incstore_commit(s) == 0, "commit");
	tap_is_num(vc_incstore_get(s, "k1", &row), 1, "get finds the key");
	tap_is_str(row.id, "i2", "the key's latest incident");
	tap_is_num(row.last_ts, 301, "last_ts column");
	tap_is_num(vc_incstore_get(s, "k9", &row), 0, "unknown key");
	tap_is_num(vc_incstore_get_id(s, "i3", &row), 1, "get by id");
	tap_ok(row.record_len > 0 && strstr(row.record, "\"i3\"") != NULL, "record kept");
	n = vc_incstore_due(s, 600, &keys);
	tap_ok(n == 1 && strcmp(keys[0], "k2") == 0, "due: mitigated and past due only");
	vc_incstore_free_keys(keys, n);
	order[0] = 0;
	vc_incstore_list(s, 0, NULL, collect, NULL);
	tap_is_str(order, "i3 i4 i2 i1 ", "list: unresolved first, then by first_seen");
	order[0] = 0;
	vc_incstore_list(s, 0, "open", collect, NULL);
	tap_is_str(order, "i3 i4 i2 ", "open means not resolved");
	order[0] = 0;
	vc_incstore_list(s, 0, "resolved", collect, NULL);
	tap_is_str(order, "i1 ", "resolved");
	order[0] = 0;
	vc_incstore_list(s, 170, NULL, collect, NULL);
	tap_is_str(order, "i4 i2 i1 ", "since filters on the latest event");

	/* A row written anew with an id already stored (another run
	 * opened the same incident) replaces that row, keeping its rowid. */
	vc_incstore_begin(s, &stale);
	tap_is_num(vc_incstore_get_id(s, "i4", &row), 1, "i4 stored");
	rowid = row.rowid;
	tap_ok(put(s, "i4", "k3", "open", 170, 0, 180) == 0,
	       "put of a stored id without its rowid");
	vc_incstore_commit(s);
	tap_ok(vc_incstore_get_id(s, "i4", &row) == 1 && strcmp(row.state, "open") == 0 &&
		       row.updated_ts == 180 && row.rowid == rowid,
	       "the row with that id replaced");
	order[0] = 0;
	vc_incstore_list(s, 0, NULL, collect, NULL);
	tap_is_str(order, "i3 i4 i2 i1 ", "no second row for the id");

	vc_incstore_begin(s, &stale);
	tap_ok(!stale, "no other writer: not stale");
	vc_incstore_add_user_session(s, "u-7", "s-1");
	vc_incstore_add_user_session(s, "u-7", "s-2");
	vc_incstore_add_user_session(s, "u-7", "s-1");
	vc_incstore_post_enqueue(s, "i2", "datadog");
	vc_incstore_post_enqueue(s, "i2", "datadog");
	vc_incstore_post_enqueue(s, "i3", "pagerduty");
	vc_incstore_commit(s);
	vc_incstore_user_sessions(s, "u-7", count_session, NULL);
	tap_is_num(nsess, 2, "user sessions, deduplicated");
	tap_is_num(vc_incstore_post_count(s, NULL), 2, "two posts queued (repeats coalesce)");
	n = vc_incstore_post_claim(s, "datadog", &posts);
	tap_ok(n == 1 && strcmp(posts[0].incident_id, "i2") == 0 && posts[0].seq == 2 &&
		       posts[0].remote_id == NULL,
	       "claim the datadog post");
	tap_ok(vc_incstore_post_progress(s, "i2", "datadog", "remote-1", 1) == 0, "progress");
	tap_ok(vc_incstore_post_failed(s, &posts[0], "datadog", "HTTP 503") == 0, "failed");
	vc_incstore_post_free(posts, n);
	n = vc_incstore_post_claim(s, "datadog", &posts);
	tap_ok(n == 1 && posts[0].attempts == 1 && posts[0].remote_id &&
		       strcmp(posts[0].remote_id, "remote-1") == 0 && posts[0].progress == 1,
	       "a failed post is claimed again with its remote id");
	/* An event between claim and done keeps the post queued. */
	vc_incstore_begin(s, &stale);
	vc_incstore_post_enqueue(s, "i2", "datadog");
	vc_incstore_commit(s);
	vc_incstore_post_done(s, &posts[0], "datadog");
	tap_is_num(vc_incstore_post_count(s, "datadog"), 1,
		   "a post enqueued again stays after done");
	vc_incstore_post_free(posts, n);
	n = vc_incstore_post_claim(s, "datadog", &posts);
	vc_incstore_post_done(s, &posts[0], "datadog");
	vc_incstore_post_free(posts, n);
	tap_is_num(vc_incstore_post_count(s, "datadog"), 0, "done removes it");

	/* A claim by a live process is respected; a dead one's is not. */
	if (sqlite3_open(path, &db) == SQLITE_OK) {
		sqlite3_exec(db, "UPDATE posts SET claimed_by = 1", NULL, NULL, NULL);
		n = vc_incstore_post_claim(s, "pagerduty", &posts);
		tap_is_num(n, 0, "claimed by a live process (pid 1): skipped");
		if (n < 0)
			printf("# %s\n", vc_incstore_error(s));
		vc_incstore_post_free(posts, n);
		sqlite3_exec(db, "UPDATE posts SET claimed_by = 999999999", NULL, NULL, NULL);
		n = vc_incstore_post_claim(s, "pagerduty", &posts);
		tap_is_num(n, 1, "claimed by a dead process: taken over");
		vc_incstore_post_free(posts, n);
		sqlite3_close(db);
	}

	fixed_pieces(s);
	claim_order();

	t = vc_incstore_open(path, why, sizeof why);
	vc_incstore_begin(t, &stale);
	put(t, "i5", "k5", "open", 1000, 0, 1000);
	vc_incstore_commit(t);
	vc_incstore_begin(s, &stale);
	tap_ok(stale, "another connection's commit makes the store stale");
	vc_incstore_commit(s);
	vc_incstore_begin(s, &stale);
	tap_ok(!stale, "and only once");
	vc_incstore_rollback(s);
	vc_incstore_close(t);
	vc_incstore_close(s);

	if (sqlite3_open(path, &db) == SQLITE_OK) {
		sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL);
		sqlite3_close(db);
	}
	s = vc_incstore_open(path, why, sizeof why);
	tap_ok(s == NULL && strstr(why, "newer") != NULL, "a newer schema is refused: %s", why);
	s = vc_incstore_open(NULL, why, sizeof why);
	tap_ok(s != NULL, "in-memory store");
	vc_incstore_close(s);
	snprintf(path, sizeof path, "%s/junk", dir);
	FILE *f = fopen(path, "w");
	fputs("definitely not an SQLite database, but long enough to have a header\n", f);
	fclose(f);
	s = vc_incstore_open(path, why, sizeof why);
	tap_ok(s == NULL, "a file that is no database is refused: %s", why);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd) == 0 ? tap_done() : 1;
}
