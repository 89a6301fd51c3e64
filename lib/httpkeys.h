/*
 * httpkeys.h — the secrets the HTTP client sends (http.h): Datadog's API
 * and application keys, PagerDuty's routing key.
 *
 * Keys come from the environment or from a key file, never from argv.
 * No message made here contains a key: a bad line is named by its file
 * and number only.  Freeing wipes them.  The client uses
 * vc_http_keys_mentioned and vc_http_keys_blot so that no key goes out
 * over plain http in a body and none comes back in an error message.
 */
#ifndef VC_HTTPKEYS_H
#define VC_HTTPKEYS_H

#include <stddef.h>

/* Secrets, each NULL when not set.  Loaded by vc_http_keys_load. */
struct vc_http_keys {
	char *dd_api_key;     /* DD_API_KEY */
	char *dd_app_key;     /* DD_APP_KEY */
	char *pd_routing_key; /* PAGERDUTY_ROUTING_KEY */
};
#define VC_HTTP_KEYS_INIT        \
	{                        \
		NULL, NULL, NULL \
	}

/* Loads the keys.  With key_file NULL they come from the environment.
 * A key file that its group or others may read or write is loaded with
 * a warning on stderr (chmod 600 it).
 * With a key file (an option names it), its "NAME=value" lines (blank
 * lines and "#" comments allowed, an "export " prefix tolerated, value
 * optionally in single or double quotes) set the keys it names, and the
 * environment fills in the others.  Unknown names in the file are an
 * error (a typo must not silently fall back to another key).  Returns 0,
 * or -1 with a key-free reason in why[0..whylen). */
int vc_http_keys_load(struct vc_http_keys *k, const char *key_file, char *why, size_t whylen);
/* Wipes and frees the keys; k is then VC_HTTP_KEYS_INIT again. */
void vc_http_keys_free(struct vc_http_keys *k);

/* Whether s[0..n) contains any key of k (k or s may be NULL: no). */
int vc_http_keys_mentioned(const struct vc_http_keys *k, const char *s, size_t n);
/* Overwrites every occurrence of a key of k in s[0..n) with '*' (k may
 * be NULL: nothing to blot). */
void vc_http_keys_blot(const struct vc_http_keys *k, char *s, size_t n);

#endif
