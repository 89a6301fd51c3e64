/*
 * monapi.h — the calls vc-push-monitors makes to Datadog's v1 monitor
 * API, over the shared HTTP client (http.h).
 *
 * Reads and idempotent writes (PUT, DELETE, validate) retry through the
 * client.  A create (POST) is not idempotent: if its answer is lost (a
 * network error or 5xx after the server may have stored it), the monitor
 * is looked up by its vc-id tag before trying again, so a retry never
 * makes a second monitor; a 429 is known not to have been applied and is
 * retried after the wait the server asks for.  A delete that finds the
 * monitor gone (its first answer was lost) succeeded.
 *
 * Results: VC_MONAPI_OK; VC_MONAPI_REJECTED when Datadog answered and
 * refused (4xx: the monitor or the request is wrong — retrying will not
 * help); VC_MONAPI_FAILED when no usable answer came (network, 5xx or 429
 * after the retries, a body that is no JSON) or the keys were refused
 * (401, 403: the setup is wrong, not the monitor).  why gets the reason,
 * with Datadog's {"errors": [...]} texts when it sent them, never a key.
 */
#ifndef VC_MONAPI_H
#define VC_MONAPI_H

#include <jv.h>

#include "buf.h"
#include "http.h"

enum vc_monapi_result {
	VC_MONAPI_OK = 0,
	VC_MONAPI_REJECTED = 1,
	VC_MONAPI_FAILED = -1,
};

struct vc_monapi {
	struct vc_http_client *http;         /* borrowed */
	const struct vc_http_policy *policy; /* borrowed: retries of creates */
	int page_size;                       /* 1..1000 */
	unsigned seed;                       /* jitter of create retries */
	unsigned long reads, writes;         /* requests sent, for the summary */
	double deadline;                     /* > 0: the time limit the requests
						of one operation share (a create
						and its look-ups); 0 between
						operations */
	long max_pages;                      /* of one listing; 0:
						VC_MONAPI_MAX_PAGES */
	size_t max_listing;                  /* bytes of pages one listing
						keeps; 0: VC_MONAPI_MAX_LISTING */
};

/* The bounds of a listing: far beyond any real organisation's monitors
 * managed by vcobs, short of looping for ever or growing without end on a
 * server that never sends a short page.  The bytes are those of the
 * pages' JSON; the monitors kept from them take about 4.5 times that in
 * memory. */
#define VC_MONAPI_MAX_PAGES   100000
#define VC_MONAPI_MAX_LISTING ((size_t)128 << 20)

/* Lists monitors page by page (page, page_size) until a short page, with
 * monitor_tags and/or name as filters (each may be NULL).  A monitor seen
 * on two pages is kept once; a full page of monitors seen before (a
 * server ignoring the paging) is an error, and so is a listing past
 * max_pages pages or max_listing bytes (VC_MONAPI_FAILED).  On OK *out is
 * the array of every monitor listed. */
int vc_monapi_list(struct vc_monapi *api, const char *monitor_tags, const char *name, jv *out,
		   struct vc_buf *why);

/* Validates body (borrowed) as a new monitor (id 0: POST
 * /api/v1/monitor/validate) or as an edit of monitor id (POST
 * /api/v1/monitor/ID/validate). */
int vc_monapi_validate(struct vc_monapi *api, long long id, jv body, struct vc_buf *why);

/* Creates body (borrowed), the monitor of vc id vc_id; *id gets the new
 * monitor's id.  Its attempts, look-ups and waits share one time limit,
 * the policy's deadline_ms. */
int vc_monapi_create(struct vc_monapi *api, jv body, const char *vc_id, long long *id,
		     struct vc_buf *why);

/* Replaces monitor id with body (borrowed). */
int vc_monapi_update(struct vc_monapi *api, long long id, jv body, struct vc_buf *why);

/* Deletes monitor id (not forced: Datadog refuses while an SLO or a
 * composite monitor uses it). */
int vc_monapi_delete(struct vc_monapi *api, long long id, struct vc_buf *why);

/* Appends s percent-encoded for a URL query value. */
void vc_monapi_escape(struct vc_buf *b, const char *s);

#endif
