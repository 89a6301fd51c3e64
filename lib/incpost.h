/*
 * incpost.h — sending incidents to the systems a team already uses.
 *
 * Targets:
 *   datadog    Datadog Incidents API v2: POST /api/v2/incidents when an
 *              incident is first sent (title, customer_impacted, severity
 *              and state fields, the timeline as a markdown cell), then
 *              its checklist as todos, then PATCH on later events.  The
 *              remote id is kept in the store.
 *   pagerduty  PagerDuty Events API v2: "trigger" while the incident is
 *              open or mitigated, "resolve" once resolved, with
 *              dedup_key = the incident key (hashed past 255 bytes).
 *   webhook    POST of {"text": Slack-compatible text, "incident": record}
 *              to --webhook-url.
 *
 * The engine queues a post per incident and target when an event
 * happens (several events between two flushes make one post: the
 * incident's latest state).  A flush claims the queued posts, sends each
 * through the HTTP layer (retries, backoff, rate limits), and removes it
 * once the target accepted; a post that still fails stays queued with
 * its error, and the next run retries it after the posts that have not
 * failed (the store's claim order), so a post that always fails holds
 * back no other.
 *
 * Datadog's incident and todo creates are not idempotent and have no
 * key to look them up by: one is retried within a run only when it
 * surely was not applied (nothing sent, 408, 429).  After a 5xx or a
 * lost answer it stays queued, and the next run sends it again, which
 * makes a second incident (or todo) if the first one was in fact made.
 */
#ifndef VC_INCPOST_H
#define VC_INCPOST_H

#include <stddef.h>

#include "http.h"
#include "incstore.h"
#include "inctmpl.h"

#define VC_INCPOST_PAGERDUTY_URL "https://events.pagerduty.com/v2/enqueue"

/* Whether name is a target ("datadog", "pagerduty", "webhook"). */
int vc_incpost_target_ok(const char *name);

struct vc_incpost_config {
	const char *dd_base_url;   /* from vc_http_dd_base_url */
	const char *pagerduty_url; /* NULL: VC_INCPOST_PAGERDUTY_URL */
	const char *webhook_url;   /* required for the webhook target */
	const struct vc_http_keys *keys;
	struct vc_http_policy policy;
	int verbose;
	const char *const *targets;
	int ntargets;
};

struct vc_incpost;

/* Checks that each target has what it needs (keys, URLs) before any
 * input is read.  Returns NULL with a key-free reason in why.  cfg and
 * what it points to, store and tmpl are borrowed for the poster's life. */
struct vc_incpost *vc_incpost_new(const struct vc_incpost_config *cfg, struct vc_incstore *store,
				  const struct vc_inctmpl_set *tmpl, char *why, size_t whylen);
/* Sends the queued posts of every target.  Reports each failure on
 * stderr.  When a target gives no answer at all (network, a stall past
 * the retry time limit) or still answers 429, its remaining posts are not
 * tried this flush and stay queued, neither counted as failed nor moved,
 * so a run over many posts to a dead target lasts one time limit, not
 * one per post.  Returns the number of
 * posts that failed or were not tried (kept queued), or -1 on a store
 * error. */
long vc_incpost_flush(struct vc_incpost *p);
void vc_incpost_free(struct vc_incpost *p);

#endif
