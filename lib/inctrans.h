/*
 * inctrans.h — an alert transition as vc-eval-rules writes it, read on
 * its raw bytes, and the timeline entries made from it.
 *
 *   {"ts", "monitor": {"id", "name", ...}, "group": {"session_id": "s-42"},
 *    "status": "alert|warn|ok|no_data", "previous", "value", "threshold",
 *    "message", "handles": ["@incident-NAME"], "evidence": [...]}
 *
 * Spans point into the record and live as long as it does.
 */
#ifndef VC_INCTRANS_H
#define VC_INCTRANS_H

#include "buf.h"
#include "incident.h"
#include "json.h"
#include "jsonl.h"

enum vc_inc_status { VC_ST_ALERT, VC_ST_WARN, VC_ST_OK, VC_ST_NO_DATA };

/* The last monitor object read and where its id and query are in it:
 * the transitions of one monitor carry the same bytes, compared then
 * instead of walked again.  The caller's, zeroed at first; free its
 * bytes with vc_buf_free. */
struct vc_inc_monitor_memo {
	struct vc_buf bytes;
	size_t id_off, id_len, query_off, query_len;
	enum vc_json_type id_type, query_type;
};
extern const char *const vc_inc_status_names[];

struct vc_inc_transition {
	double ts;
	enum vc_inc_status status;
	struct vc_json_span monitor, group, previous, value, threshold, message, evidence;
	struct vc_json_span monitor_id, monitor_query; /* type VC_JSON_NONE when absent */
	int has_group, has_previous, has_value, has_threshold, has_message, has_evidence;
	double value_num, threshold_num;  /* when has_value, has_threshold */
	char *handle;                     /* the first "@incident-NAME", malloc'd, or NULL */
	struct vc_inc_monitor_memo *memo; /* set by the caller, or NULL */
	struct vc_buf
		key; /* "MONITOR_ID/k:v,k:v", or MONITOR_ID then "/" and "*" without a group */
};

/* Reads rec into t (zeroed by the caller); tmp is scratch.  Returns NULL,
 * or a static reason why the record is unusable. */
const char *vc_inc_transition_read(struct vc_inc_transition *t, const struct vc_record *rec,
				   struct vc_buf *tmp);
/* The timeline entry of t, marked with ev unless VC_EV_UPDATED; message
 * and evidence are bounded (1 KiB, 4 KiB). */
struct vc_inc_entry vc_inc_transition_entry(const struct vc_inc_transition *t, enum vc_inc_event ev,
					    struct vc_buf *tmp);
/* A lifecycle entry without a transition: {"ts", "event"}. */
struct vc_inc_entry vc_inc_event_entry(double ts, enum vc_inc_event ev);
/* A time (epoch number or RFC 3339 string) as vc_time_from_json reads
 * it: 0 and *ts, or -1. */
int vc_inc_time(struct vc_json_span v, double *ts);
/* A malloc'd copy of a span's bytes. */
char *vc_inc_dup_span(struct vc_json_span v);

#endif
