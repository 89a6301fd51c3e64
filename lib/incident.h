/*
 * incident.h — incidents from alert transitions: the lifecycle.
 *
 * An incident is keyed by the alert's monitor id and group (the
 * attacker): "prompt-injection/session_id:s-42".  For each key:
 *
 *   alert (or warn with on_warn)  no incident or resolved long ago: opened
 *                                 resolved within reopen_window: reopened
 *                                 open or mitigated: updated (count, peak,
 *                                 last_seen; mitigated goes back to open)
 *   ok                            open: mitigated; it resolves resolve_after
 *                                 seconds later unless an alert comes first
 *   warn (without on_warn), no_data  recorded on the timeline (updated)
 *
 * Only a transition carrying an "@incident-NAME" handle (in "handles" or
 * in its message), or any alert with all set, opens an incident; later
 * transitions of an incident's key update it whatever their handles.
 * A transition not newer than the last one applied to its key is a
 * replay (overlapping logs, a rerun) and changes nothing.
 *
 * The engine keeps the incidents it touched in memory and writes them to
 * the store once per batch; events are held back until their batch is
 * committed, so an incident printed is an incident stored.
 */
#ifndef VC_INCIDENT_H
#define VC_INCIDENT_H

#include <stddef.h>

#include "buf.h"
#include "incstore.h"
#include "inctmpl.h"
#include "jsonl.h"

/* Timeline entries kept in the stored record, and shown in each event. */
#define VC_INC_TIMELINE_KEEP 50
#define VC_INC_TIMELINE_EMIT 5
#define VC_INC_SERVICES_MAX  16
#define VC_INC_SESSIONS_MAX  32

enum vc_inc_state { VC_INC_OPEN, VC_INC_MITIGATED, VC_INC_RESOLVED };
enum vc_inc_event {
	VC_EV_OPENED,
	VC_EV_UPDATED,
	VC_EV_MITIGATED,
	VC_EV_RESOLVED,
	VC_EV_REOPENED,
};

const char *vc_incident_state_name(enum vc_inc_state s);
const char *vc_incident_event_name(enum vc_inc_event e);

/* Where the pieces of a rendered record are, as offsets in the buffer
 * it was rendered to, each [start, end): the timeline array's content
 * (between its brackets); and the pieces that stay as long as the
 * incident's template and values do (see incstore.h), each starting
 * with its comma: head (id to severity), mid (handle to attacker),
 * checklist (its member); *_fixed: the piece uses neither count nor
 * peak, so it is the same in every event. */
struct vc_inc_marks {
	size_t tl[2], head[2], mid[2], checklist[2];
	int head_fixed, checklist_fixed;
};

/* A timeline entry: one JSON object, rendered once, and its number in
 * the incident's timeline (from 1). */
struct vc_inc_entry {
	char *json;
	size_t len;
	long long seq;
};

struct vc_incident {
	char *id; /* "inc-" + 16 hex digits of key and first_seen */
	char *key;
	char *handle;  /* "@incident-prompt-injection", or NULL */
	char *monitor; /* the monitor object of the opening alert, JSON */
	size_t monitor_len;
	char *monitor_name;
	char *group; /* the group object, JSON: the attacker */
	size_t group_len;
	char *attacker; /* the group in words: "session s-42" */
	char *user_id;  /* from the group or the evidence, or NULL */
	char *session_id;
	enum vc_inc_state state;
	double first_seen, last_seen, last_ts, updated_ts;
	double mitigated_at, resolved_at, resolve_due; /* 0: not set */
	long long count;                               /* alerts (and warns with on_warn) */
	long long attempts;                            /* evidence points across the threshold */
	double peak;
	int has_peak;
	int reopened;            /* times reopened */
	struct vc_inc_entry *tl; /* oldest first; the first entry is kept */
	int ntl;
	long long tl_total; /* entries ever added; the newest one's seq */
	long long tl_saved; /* tl_total when last written to the store */
	char *services[VC_INC_SERVICES_MAX];
	int nservices;
	/* Pieces of the record rendered for this incident, as JSON, kept
	 * while the values they use stay (see vc_incident_render): most
	 * events change only the count, and most templates do not show
	 * it.  head: id to severity; mid: handle to attacker. */
	struct {
		const struct vc_inctmpl *tmpl; /* rendered with; NULL: none */
		struct vc_buf head, mid, summary, checklist, peak_json, others;
		/* whether the template's texts use {{count}} or {{peak}} */
		int title_live, summary_live, checklist_live;
		long long count;
		double peak;
		int has_peak;
		char peak_text[32];   /* the peak as templates spell it (%g) */
		const void *sessions; /* others was rendered from these */
		int nsessions;
	} cache;
	/* engine bookkeeping */
	void *user; /* the engine's record of user_id, or NULL */
	int paired; /* user_id and session_id are known to go together */
	int dirty;
	enum vc_inc_event last_event;
	long long rowid;        /* its row in the store, 0 before the first */
	size_t ev_off, ev_len;  /* the latest event in the batch's lines */
	struct vc_inc_marks ev; /* its pieces, offsets in the lines */
	int fixed_saved;        /* the fixed pieces are in the store */
};

/* What a rendering needs besides the incident.  The user's sessions
 * only grow (to VC_INC_SESSIONS_MAX) while the same array is passed. */
struct vc_inc_view {
	const struct vc_inctmpl *tmpl;
	char *const *sessions; /* the user's sessions, or NULL */
	int nsessions;
	int max_timeline;   /* entries shown, newest kept */
	struct vc_buf *tmp; /* scratch */
};

/* Appends the incident record for event ev at time ts (one JSON object,
 * no newline) to out.  When marks is not NULL it gets where the pieces
 * are in out.  inc's render cache is brought up to date; nothing else of
 * it changes. */
void vc_incident_render(struct vc_incident *inc, enum vc_inc_event ev, double ts,
			const struct vc_inc_view *view, struct vc_buf *out,
			struct vc_inc_marks *marks);
/* Rebuilds inc (zeroed first) from a stored record; 0 or -1. */
int vc_incident_parse(struct vc_incident *inc, const char *json, size_t len);
/* Derives attacker, user_id and session_id from inc->group. */
void vc_incident_describe(struct vc_incident *inc);
/* Appends a timeline entry (consumed: inc owns e.json), dropping the
 * second-oldest past VC_INC_TIMELINE_KEEP so the opening entry stays.
 * An entry with seq 0 gets the next number; one with a seq (read back
 * from the store) keeps it. */
void vc_incident_add_entry(struct vc_incident *inc, struct vc_inc_entry e);
void vc_incident_free(struct vc_incident *inc);
/* Appends d as a JSON number, integers without printf (they are most
 * numbers in a record, and printf would cost more than the rest). */
void vc_incident_number(struct vc_buf *b, double d);

/* ---- the engine ---- */

struct vc_incident_opts {
	int all;
	int on_warn;
	double resolve_after;       /* seconds */
	double reopen_window;       /* seconds */
	const char *const *targets; /* post targets to queue events for */
	int ntargets;
};

struct vc_incidents;

/* The engine borrows store and tmpl for its life. */
struct vc_incidents *vc_incidents_new(const struct vc_incident_opts *o, struct vc_incstore *store,
				      const struct vc_inctmpl_set *tmpl);
/* Applies one transition.  Returns 1 when it changed an incident, 0 when
 * it was not incident-worthy or a replay, -1 when the record is unusable
 * (a reason in *why, static), -2 on a store error (see
 * vc_incstore_error). */
int vc_incidents_apply(struct vc_incidents *e, const struct vc_record *rec, const char **why);
/* Transitions applied since the last commit. */
size_t vc_incidents_batched(const struct vc_incidents *e);
/* Bytes of event lines held until the next commit. */
size_t vc_incidents_held(const struct vc_incidents *e);
/* Resolves mitigated incidents due by the clock (the newest input time,
 * or now when later), writes the batch to the store, commits, and only
 * then appends the batch's event lines to out.  0 or -2. */
int vc_incidents_commit(struct vc_incidents *e, double now, struct vc_buf *out);
void vc_incidents_free(struct vc_incidents *e);

#endif
