/*
 * http.h — the one HTTP client of vcobs (vc-incident, vc-push-monitors),
 * on libcurl.
 *
 * A client is made once per run from a config (base URL, keys, retry
 * policy) and sends requests one at a time.  Each request is retried on
 * 429, 5xx and network errors with exponential backoff and jitter (a
 * non-idempotent one only when it surely was not applied); a
 * server's Retry-After or X-RateLimit-Reset is honoured instead of the
 * backoff when it says how long to wait.  When a response says the rate
 * limit bucket is empty (X-RateLimit-Remaining: 0) the client waits for
 * X-RateLimit-Reset before its next request, so bursts pace themselves.
 *
 * Security rules, enforced here so no tool can forget them:
 * - TLS peer and host verification are always on; there is no switch.
 * - Redirects are not followed (a key header must never reach another
 *   host), and only http and https are spoken.
 * - A request that carries a key is refused over plain http unless the
 *   host is the loopback (127.0.0.1, ::1, localhost), which tests use;
 *   a plain http request to the loopback never goes through a proxy.
 * - Keys come from the environment or from a key file, never from argv;
 *   no message, log line or error text made here contains a key, a
 *   request header or a request body.  A URL marked secret (a webhook
 *   URL carries its token in the path) is shown as scheme://host/... only;
 *   the user:password@ of any URL (--api-url https://u:p@host) as ***@.
 *
 * Ownership: a client borrows its config's strings and keys for its whole
 * life; a request borrows everything it points to for the call; a
 * response owns its buffers until vc_http_response_free.
 */
#ifndef VC_HTTP_H
#define VC_HTTP_H

#include <stddef.h>

#include "buf.h"
#include "httpkeys.h" /* struct vc_http_keys, loaded by the tools */

/* ---- Datadog site ------------------------------------------------------ */

/* The Datadog API base URL without trailing slash: api_url when non-NULL
 * (it must start with http:// or https://), else "https://api." followed
 * by $DD_SITE, which must be one of datadoghq.com (the default when unset
 * or empty), datadoghq.eu, us3.datadoghq.com, us5.datadoghq.com,
 * ap1.datadoghq.com, ap2.datadoghq.com, ddog-gov.com, us2.ddog-gov.com.
 * Returns a malloc'd string, or NULL with a static reason in *why. */
char *vc_http_dd_base_url(const char *api_url, const char **why);

/* ---- retry policy -------------------------------------------------------- */

struct vc_http_policy {
	long connect_timeout_ms; /* per attempt, to establish the connection */
	long timeout_ms;         /* per attempt, the whole exchange */
	int max_retries;         /* retries after the first attempt */
	long backoff_base_ms;    /* first backoff; doubles each retry */
	long backoff_max_ms;     /* cap of one backoff */
	long max_wait_ms;        /* longest wait a server may ask for with
				    Retry-After / X-RateLimit-Reset; asking
				    for more ends the retries (reported) */
	long deadline_ms;        /* the most one request may take, from its
				    first attempt to its last answer, retry
				    waits included: the attempt in flight is
				    cut at it, a wait that would pass it is
				    not begun (0 = no limit; the tools'
				    --retry-max-time) */
	size_t max_response;     /* bytes of response body kept; more is an
				    error (bounded memory) */
};
#define VC_HTTP_POLICY_INIT                                                  \
	{                                                                    \
		5000, 30000, 4, 1000, 30000, 120000, 60000, (size_t)16 << 20 \
	}

/* ---- client ----------------------------------------------------------- */

struct vc_http_config {
	const char *base_url;            /* joined to request paths that start with
					    "/"; may be NULL if only full URLs are used */
	const struct vc_http_keys *keys; /* may be NULL: no keys */
	struct vc_http_policy policy;
	const char *prog; /* "vc-incident", for messages */
	int verbose;      /* 1: one stderr line per attempt (method,
			     redacted URL, status, wait) — never keys,
			     headers or bodies */
	unsigned seed;    /* jitter seed; 0 = from time and pid */
};

/* Keys a request asks the client to send as headers. */
enum {
	VC_HTTP_AUTH_NONE = 0,
	VC_HTTP_AUTH_DD_API = 1, /* DD-API-KEY */
	VC_HTTP_AUTH_DD_APP = 2, /* DD-APPLICATION-KEY */
	VC_HTTP_AUTH_DD = 3,     /* both */
};

struct vc_http_request {
	const char *method; /* "GET", "POST", "PUT", "PATCH", "DELETE" */
	const char *url;    /* "/api/v2/incidents" (joined to base_url) or
			       a full "https://..." URL */
	const char *body;   /* JSON sent as application/json; NULL: none */
	size_t body_len;
	unsigned auth;              /* VC_HTTP_AUTH_* */
	const char *const *headers; /* extra "Name: value" lines, NULL-
				       terminated; may be NULL */
	int secret_url;             /* 1: never show the URL's path or query */
	int no_retry;               /* 1: one attempt only (non-idempotent calls
				       where a duplicate is worse than a failure) */
	int not_idempotent;         /* 1: a create the caller cannot look up:
				       retried only when the failure shows it
				       was not applied (no byte of it sent, a
				       408 or a 429), never after a 5xx or a
				       lost answer */
	double deadline;            /* > 0: the vc_http_clock() time the request
				       must end by, for one operation made of
				       several requests (a create and its
				       look-ups share one time limit: pass the
				       first response's deadline); 0: the
				       policy's deadline_ms from the first
				       attempt */
};

/* Rate-limit headers of a response, -1 when absent (Datadog's
 * X-RateLimit-Limit, -Period, -Remaining, -Reset; seconds). */
struct vc_http_ratelimit {
	long limit;
	long period;
	long remaining;
	long reset;
};

struct vc_http_response {
	long status;           /* HTTP status of the last attempt; 0: none */
	struct vc_buf body;    /* body of the last response (NUL-terminated);
				  of an error status, with every key it echoed
				  blotted out with '*' */
	struct vc_buf headers; /* "Name: value\r\n" lines of the last
				  response, status line excluded */
	struct vc_http_ratelimit rate;
	int attempts;    /* attempts made */
	int transient;   /* 1: the failure may pass (network, 429, 5xx):
			    worth keeping the request for a later run */
	double deadline; /* vc_http_clock() time the request's time limit
			    ends (0: none), to hand on to the next request
			    of the same operation */
	char error[256]; /* why vc_http_do failed, key-free; "" on 2xx */
};
#define VC_HTTP_RESPONSE_INIT                                              \
	{                                                                  \
		0, VC_BUF_INIT, VC_BUF_INIT, {-1, -1, -1, -1}, 0, 0, 0, "" \
	}

struct vc_http_client;

/* Makes a client (initialising libcurl once per process).  cfg and what
 * it points to are borrowed for the client's life.  Returns NULL with a
 * static reason in *why. */
struct vc_http_client *vc_http_new(const struct vc_http_config *cfg, const char **why);
/* Sends req, retrying as the policy says, and fills *resp (reset first;
 * resp must be VC_HTTP_RESPONSE_INIT or a response used before).  Returns
 * 0 when the final status is 2xx, else -1 with resp->error set and
 * resp->status the last status (0 when no response came). */
int vc_http_do(struct vc_http_client *c, const struct vc_http_request *req,
	       struct vc_http_response *resp);
void vc_http_free(struct vc_http_client *c);
void vc_http_response_free(struct vc_http_response *resp);

/* The value of response header name (case-insensitive), trimmed, or NULL;
 * *len gets its length.  Points into resp->headers. */
const char *vc_http_response_header(const struct vc_http_response *resp, const char *name,
				    size_t *len);

/* ---- pieces, public for tests and for callers that pace themselves ---- */

/* Seconds a Retry-After value asks for (delta-seconds or an HTTP-date,
 * taken relative to now, epoch seconds); -1 when unreadable. */
double vc_http_parse_retry_after(const char *v, size_t n, double now);
/* Milliseconds to wait before retry number retry (1 for the first) after
 * resp: the server's Retry-After, else X-RateLimit-Reset on a 429, else
 * backoff_base_ms * 2^(retry-1) capped at backoff_max_ms, with jitter
 * drawn from *seed (the result lies in [d/2, d]).  Returns -1 when the
 * server asks for more than policy->max_wait_ms. */
long vc_http_retry_wait(const struct vc_http_policy *policy, int retry,
			const struct vc_http_response *resp, double now, unsigned *seed);
/* Sleeps the ms milliseconds a retry wait asked for (none when not
 * positive), whole even when a signal interrupts it. */
void vc_http_sleep_ms(long ms);
/* Monotonic seconds, the clock of deadlines. */
double vc_http_clock(void);
/* Whether a status (0 = no response) is worth retrying. */
int vc_http_status_transient(long status);
/* Writes url into out for messages: without its query and fragment, or,
 * when secret, as "scheme://host/..." only; a user:password@ in it is
 * always shown as "***@". */
void vc_http_redact_url(const char *url, int secret, struct vc_buf *out);

#endif
