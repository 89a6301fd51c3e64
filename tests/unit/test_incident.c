/*
 * test_incident.c — the incident engine over an in-memory store: the
 * lifecycle, replays, sweeps, keys, bounds on what a transition brings,
 * and stored records read back (incident.c, inctrans.c, increc.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "incident.h"
#include "incstore.h"
#include "inctrans.h"
#include "inctmpl.h"
#include "json.h"
#include "jsonl.h"
#include "tap.h"

static struct vc_incstore *store;
static struct vc_inctmpl_set *tmpl;
static struct vc_buf out = VC_BUF_INIT;

/* Applies one JSON line; returns the engine's answer. */
static int
feed(struct vc_incidents *e, const char *line, const char **why)
{
	struct vc_record rec;
	const char *jwhy;
	size_t off;

	rec.json = line;
	rec.len = strlen(line);
	rec.file = "test";
	rec.line = 1;
	if (vc_json_check(line, rec.len, &rec.root, &jwhy, &off) < 0) {
		*why = jwhy;
		return -3;
	}
	return vc_incidents_apply(e, &rec, why);
}

static int
tr(struct vc_incidents *e, double ts, const char *status, const char *sid, double value)
{
	char line[1024];
	const char *why;

	snprintf(line, sizeof line,
		 "{\"ts\":%g,\"monitor\":{\"id\":\"pi\",\"name\":\"PI\"},"
		 "\"group\":{\"session_id\":\"%s\"},\"status\":\"%s\","
		 "\"value\":%g,\"threshold\":0.7,"
		 "\"handles\":[\"@incident-prompt-injection\"]}",
		 ts, sid, status, value);
	return feed(e, line, &why);
}

/* The events committed so far, as "event:state:count" joined by spaces. */
static const char *
events(struct vc_incidents *e, double now)
{
	static char summary[4096];
	const char *p;

	vc_buf_reset(&out);
	if (vc_incidents_commit(e, now, &out) < 0)
		return "commit failed";
	summary[0] = 0;
	for (p = out.p; p && *p;) {
		const char *nl = strchr(p, '\n');
		struct vc_json_span root, v, st, c;
		const char *why;
		size_t off;
		char one[128];

		if (vc_json_check(p, nl - p, &root, &why, &off) < 0)
			return "bad JSON out";
		vc_json_member(root, "event", &v);
		vc_json_member(root, "state", &st);
		vc_json_member(root, "count", &c);
		snprintf(one, sizeof one, "%s%.*s:%.*s:%.*s", summary[0] ? " " : "", (int)v.len - 2,
			 v.p + 1, (int)st.len - 2, st.p + 1, (int)c.len, c.p);
		strcat(summary, one);
		p = nl + 1;
	}
	return summary;
}

/* The stored incident of key, timeline included, parsed into inc. */
static int
stored(const char *key, struct vc_incident *inc)
{
	struct vc_incstore_row row;
	struct vc_buf whole = VC_BUF_INIT;
	int rc;

	if (vc_incstore_get(store, key, &row) != 1 || vc_incstore_record(store, &row, &whole) < 0)
		return -1;
	rc = vc_incident_parse(inc, whole.p, whole.len);
	vc_buf_free(&whole);
	return rc;
}

static struct vc_incidents *
engine(struct vc_incident_opts *o)
{
	char why[256];

	if (store)
		vc_incstore_close(store);
	store = vc_incstore_open(NULL, why, sizeof why);
	return vc_incidents_new(o, store, tmpl);
}

int
main(void)
{
	struct vc_incident_opts o = {0, 0, 600, 3600, NULL, 0};
	struct vc_incidents *e;
	struct vc_incident inc;
	struct vc_incstore_row row;
	const char *why;
	char why2[256], big[16384];
	int rc;

	tmpl = vc_inctmpl_load("share/vcobs/incidents", NULL, why2, sizeof why2);
	if (tmpl == NULL) {
		printf("# %s\n", why2);
		return 1;
	}

	e = engine(&o);
	tr(e, 1000, "alert", "s-1", 0.8);
	tr(e, 1060, "alert", "s-1", 0.95);
	tr(e, 1120, "ok", "s-1", 0.1);
	tap_is_str(events(e, 0), "opened:open:1 updated:open:2 mitigated:mitigated:2",
		   "open, update, mitigate");
	tr(e, 1000, "alert", "s-1", 0.99);
	tr(e, 1120, "alert", "s-1", 0.99);
	tap_is_str(events(e, 0), "", "transitions not newer than the last are replays");
	tap_is_str(events(e, 1700), "", "not due before resolve_after");
	tap_is_str(events(e, 1720), "resolved:resolved:2", "resolved when due, by the clock");
	tr(e, 2000, "alert", "s-1", 0.75);
	tap_is_str(events(e, 0), "reopened:open:3", "an alert within the reopen window reopens");
	tr(e, 2100, "ok", "s-1", 0.1);
	tr(e, 9999, "alert", "s-1", 0.9);
	tap_is_str(events(e, 0), "mitigated:mitigated:3 resolved:resolved:3 opened:open:1",
		   "a late alert resolves the old incident first, then opens a new one");
	tap_ok(stored("pi/session_id:s-1", &inc) == 0, "stored under its key, reads back");
	tap_is_num(inc.count, 1, "the key's latest incident is the new one");
	tap_is_str(inc.attacker, "session s-1", "attacker in words");
	tap_is_str(inc.session_id, "s-1", "session id from the group");
	vc_incident_free(&inc);
	vc_incidents_free(e);

	e = engine(&o);
	tr(e, 1000, "warn", "s-2", 0.65);
	tr(e, 1000, "ok", "s-3", 0.1);
	tr(e, 1000, "no_data", "s-4", 0);
	tap_is_str(events(e, 0), "", "warn, ok, no_data open nothing");
	rc = feed(e, "{\"ts\":1,\"monitor\":{\"id\":7},\"status\":\"alert\",\"value\":1}", &why);
	tap_is_num(rc, 0, "no handle: not incident-worthy");
	vc_incidents_free(e);
	o.all = 1;
	o.on_warn = 1;
	e = engine(&o);
	tr(e, 1000, "warn", "s-2", 0.65);
	feed(e, "{\"ts\":1,\"monitor\":{\"id\":7},\"status\":\"alert\",\"value\":1}", &why);
	feed(e,
	     "{\"ts\":1,\"monitor\":{\"id\":\"q\"},\"group\":{\"b\":\"2\",\"a\":1},\"status\":"
	     "\"alert\"}",
	     &why);
	tap_is_str(events(e, 0), "opened:open:1 opened:open:1 opened:open:1",
		   "--on-warn and --all");
	tap_is_num(vc_incstore_get(store, "7/*", &row), 1,
		   "a numeric monitor id, no group: key 7/*");
	tap_is_num(vc_incstore_get(store, "q/a:1,b:2", &row), 1, "group members sorted in the key");
	/* Monitors one after another and again (the engine remembers the
	 * last monitor's bytes): each transition goes to its own key. */
	feed(e, "{\"ts\":2,\"monitor\":{\"id\":7},\"status\":\"alert\",\"value\":1}", &why);
	feed(e, "{\"ts\":3,\"monitor\":{\"id\":7},\"status\":\"alert\",\"value\":1}", &why);
	feed(e,
	     "{\"ts\":2,\"monitor\":{\"id\":\"q\"},\"group\":{\"b\":\"2\",\"a\":1},\"status\":"
	     "\"alert\"}",
	     &why);
	feed(e, "{\"ts\":4,\"monitor\":{\"id\":8},\"status\":\"alert\",\"value\":1}", &why);
	tap_is_str(events(e, 0), "updated:open:2 updated:open:3 updated:open:2 opened:open:1",
		   "monitors in turn, each to its key");
	tap_is_num(vc_incstore_get(store, "8/*", &row), 1, "a monitor of the same length, new id");
	vc_incidents_free(e);
	o.all = o.on_warn = 0;

	e = engine(&o);
	rc = feed(e, "{\"ts\":1,\"status\":\"alert\"}", &why);
	tap_ok(rc == -1 && strcmp(why, "no monitor object") == 0, "no monitor: rejected");
	rc = feed(e, "{\"ts\":1,\"monitor\":{},\"status\":\"alert\"}", &why);
	tap_ok(rc == -1 && strstr(why, "monitor.id") != NULL, "no monitor id: rejected");
	rc = feed(e, "{\"ts\":1,\"monitor\":{\"id\":1},\"status\":\"firing\"}", &why);
	tap_ok(rc == -1 && strstr(why, "status") != NULL, "unknown status: rejected");
	rc = feed(e, "{\"ts\":\"yesterday\",\"monitor\":{\"id\":1},\"status\":\"ok\"}", &why);
	tap_ok(rc == -1 && strstr(why, "ts") != NULL, "bad ts: rejected");
	rc = feed(e, "{\"ts\":1,\"monitor\":{\"id\":1},\"group\":[1],\"status\":\"ok\"}", &why);
	tap_ok(rc == -1 && strstr(why, "group") != NULL, "group not an object: rejected");
	rc = feed(e,
		  "{\"ts\":\"2026-11-26T10:00:00Z\",\"monitor\":{\"id\":1},\"status\":\"alert\","
		  "\"message\":\"x @incident-multimodal y\"}",
		  &why);
	tap_is_num(rc, 1, "RFC 3339 ts; handle found in the message");
	/* A huge message and evidence are bounded on the timeline. */
	strcpy(big,
	       "{\"ts\":1900000000,\"monitor\":{\"id\":1},\"status\":\"alert\",\"message\":\"");
	for (int i = 0; i < 3000; i++)
		strcat(big, "\xC3\xA9");
	strcat(big, "\",\"evidence\":[");
	for (int i = 0; i < 100; i++)
		strcat(big, i ? ",{\"tags\":{\"service\":\"svc-"
				"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}}"
			      : "{\"tags\":{\"service\":\"svc-"
				"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}}");
	strcat(big, "]}");
	rc = feed(e, big, &why);
	tap_is_num(rc, 1, "big transition applied");
	vc_buf_reset(&out);
	vc_incidents_commit(e, 0, &out);
	tap_ok(out.len < 12000, "its event stays small (%zu bytes)", out.len);
	tap_ok(strstr(out.p, "\"evidence_dropped\":") != NULL, "dropped evidence is counted");
	tap_ok(strstr(out.p, "\xC3\xA9\xE2\x80\xA6\"") != NULL,
	       "message cut on a character boundary with an ellipsis");
	vc_incidents_free(e);

	/* The timeline keeps its first entry and the newest ones. */
	e = engine(&o);
	for (int i = 0; i < 120; i++)
		tr(e, 1000 + i, i % 2 ? "ok" : "alert", "s-9", 0.8 + i / 1000.0);
	events(e, 0);
	stored("pi/session_id:s-9", &inc);
	tap_is_num(inc.ntl, VC_INC_TIMELINE_KEEP, "timeline bounded");
	tap_is_num((double)inc.tl_total, 120, "timeline_total counts every entry");
	tap_ok(strstr(inc.tl[0].json, "\"ts\":1000,") != NULL, "first entry kept");
	tap_ok(strstr(inc.tl[inc.ntl - 1].json, "\"ts\":1119,") != NULL, "newest entry kept");
	tap_is_num(inc.count, 60, "count of alerts");
	tap_is_num(inc.peak, 0.918, "peak is the highest alert value");
	vc_incident_free(&inc);
	vc_incidents_free(e);

	/* The same over many batches, and read back by a fresh engine. */
	e = engine(&o);
	for (int i = 0; i < 120; i++) {
		tr(e, 1000 + i, i % 2 ? "ok" : "alert", "s-9", 0.8);
		if (i % 7 == 6)
			events(e, 0);
	}
	events(e, 0);
	vc_incidents_free(e);
	e = vc_incidents_new(&o, store, tmpl);
	tr(e, 2000, "alert", "s-9", 0.8);
	tap_is_str(events(e, 0), "resolved:resolved:60 reopened:open:61",
		   "a fresh engine picks the incident up from the store");
	stored("pi/session_id:s-9", &inc);
	tap_ok(inc.ntl == VC_INC_TIMELINE_KEEP && inc.tl_total == 122 &&
		       strstr(inc.tl[0].json, "\"ts\":1000,") != NULL,
	       "stored timeline: the first entry and the newest (%d entries of %lld)", inc.ntl,
	       inc.tl_total);
	tap_ok(strstr(inc.tl[inc.ntl - 1].json, "\"ts\":2000,") != NULL, "newest entry last");
	vc_incident_free(&inc);
	vc_incidents_free(e);

	/* A "below" rule peaks at its lowest value. */
	e = engine(&o);
	feed(e,
	     "{\"ts\":1,\"monitor\":{\"id\":\"q\"},\"status\":\"alert\",\"value\":0.5,"
	     "\"threshold\":0.6,\"handles\":[\"@incident-x\"]}",
	     &why);
	feed(e,
	     "{\"ts\":2,\"monitor\":{\"id\":\"q\"},\"status\":\"alert\",\"value\":0.3,"
	     "\"threshold\":0.6}",
	     &why);
	feed(e,
	     "{\"ts\":3,\"monitor\":{\"id\":\"q\"},\"status\":\"alert\",\"value\":0.4,"
	     "\"threshold\":0.6}",
	     &why);
	events(e, 0);
	stored("q/*", &inc);
	tap_is_num(inc.peak, 0.3, "peak of a below-threshold rule is its minimum");
	tap_is_str(inc.handle, "@incident-x", "handle kept");
	vc_incident_free(&inc);
	vc_incidents_free(e);

	tap_ok(vc_incident_parse(&inc, "{\"id\":1}", 8) == -1,
	       "a record without id and key is refused");
	vc_incstore_close(store);
	vc_inctmpl_free(tmpl);
	vc_buf_free(&out);
	return tap_done();
}
