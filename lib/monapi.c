/*
 * monapi.c — Datadog v1 monitor API calls (see monapi.h).
 */
#include "monapi.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "monnorm.h"

void
vc_monapi_escape(struct vc_buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
			vc_buf_addc(b, (char)c);
		else
			vc_buf_printf(b, "%%%02X", c);
	}
}

/* Longest error text of Datadog's quoted in a message. */
#define ERROR_TEXT_MAX 300

/* Appends a server's error text s, for a terminal: control characters
 * (an escape sequence a proxy or a hostile server could send) become
 * spaces, and a text past ERROR_TEXT_MAX bytes is cut with "...". */
static void
add_printable(struct vc_buf *why, const char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i < n && i < ERROR_TEXT_MAX; i++) {
		unsigned char c = (unsigned char)s[i];

		vc_buf_addc(why, c < 0x20 || c == 0x7f ? ' ' : (char)c);
	}
	if (n > ERROR_TEXT_MAX)
		vc_buf_adds(why, "...");
}

/* Appends why the request failed: Datadog's error texts when the body is
 * {"errors": [...]}, else the HTTP layer's own message.  (The HTTP layer
 * has blotted out any key an error body echoed.) */
static void
explain(const struct vc_http_response *resp, struct vc_buf *why)
{
	jv body, errs;
	int n = 0;

	body = resp->body.len ? jv_parse_sized(resp->body.p, (int)resp->body.len) : jv_invalid();
	errs = jv_get_kind(body) == JV_KIND_OBJECT
		       ? jv_object_get(jv_copy(body), jv_string("errors"))
		       : jv_invalid();
	if (jv_get_kind(errs) == JV_KIND_ARRAY) {
		jv_array_foreach(errs, i, e)
		{
			(void)i;
			if (jv_get_kind(e) == JV_KIND_STRING) {
				vc_buf_adds(why, n++ ? "; " : "");
				add_printable(why, jv_string_value(e));
			}
			jv_free(e);
		}
	}
	if (n)
		vc_buf_printf(why, " (HTTP %ld)", resp->status);
	else
		vc_buf_adds(why, resp->error[0] ? resp->error : "request failed");
	jv_free(errs);
	jv_free(body);
}

/* The result class of a failed vc_http_do. */
static int
failure(const struct vc_http_response *resp)
{
	/* Bad keys are the setup's fault, not the monitor's. */
	if (resp->status == 401 || resp->status == 403)
		return VC_MONAPI_FAILED;
	if (resp->status >= 400 && resp->status < 500 && resp->status != 429)
		return VC_MONAPI_REJECTED;
	return VC_MONAPI_FAILED;
}

/* Sends one request (body may be NULL) and counts it. */
static int
call(struct vc_monapi *api, const char *method, const char *url, const char *body, int no_retry,
     struct vc_http_response *resp)
{
	struct vc_http_request req = {0};

	req.method = method;
	req.url = url;
	req.body = body;
	req.body_len = body ? strlen(body) : 0;
	req.auth = VC_HTTP_AUTH_DD;
	req.no_retry = no_retry;
	req.deadline = api->deadline;
	if (strcmp(method, "GET") == 0 || strstr(url, "/validate"))
		api->reads++;
	else
		api->writes++;
	return vc_http_do(api->http, &req, resp);
}

/* The body of resp as JSON, or invalid. */
static jv
parsed(const struct vc_http_response *resp)
{
	return jv_parse_sized(resp->body.p ? resp->body.p : "", (int)resp->body.len);
}

int
vc_monapi_list(struct vc_monapi *api, const char *monitor_tags, const char *name, jv *out,
	       struct vc_buf *why)
{
	struct vc_http_response resp = VC_HTTP_RESPONSE_INIT;
	struct vc_buf url = VC_BUF_INIT;
	jv all = jv_array(), seen = jv_object();
	int rc = VC_MONAPI_OK;
	long max_pages = api->max_pages > 0 ? api->max_pages : VC_MONAPI_MAX_PAGES;
	size_t max_bytes = api->max_listing > 0 ? api->max_listing : VC_MONAPI_MAX_LISTING;
	size_t bytes = 0;

	for (long page = 0;; page++) {
		jv got;
		int n, fresh;

		if (page >= max_pages) {
			vc_buf_printf(why, "listing monitors: more than %ld pages", max_pages);
			rc = VC_MONAPI_FAILED;
			break;
		}
		vc_buf_reset(&url);
		vc_buf_adds(&url, "/api/v1/monitor?");
		if (monitor_tags) {
			vc_buf_adds(&url, "monitor_tags=");
			vc_monapi_escape(&url, monitor_tags);
			vc_buf_addc(&url, '&');
		}
		if (name) {
			vc_buf_adds(&url, "name=");
			vc_monapi_escape(&url, name);
			vc_buf_addc(&url, '&');
		}
		vc_buf_printf(&url, "page=%ld&page_size=%d", page, api->page_size);
		if (call(api, "GET", url.p, NULL, 0, &resp) < 0) {
			vc_buf_adds(why, "listing monitors: ");
			explain(&resp, why);
			rc = failure(&resp);
			break;
		}
		/* Counted before the page is parsed: the pages' bytes bound
		 * what the listing keeps (the monitors, a few times that). */
		bytes += resp.body.len;
		if (bytes > max_bytes) {
			vc_buf_adds(why, "listing monitors: more than ");
			if (max_bytes % (1 << 20) == 0)
				vc_buf_printf(why, "%zu MiB", max_bytes >> 20);
			else
				vc_buf_printf(why, "%zu bytes", max_bytes);
			vc_buf_printf(why,
				      " of monitors in %ld pages (the server may "
				      "be sending pages without end)",
				      page + 1);
			rc = VC_MONAPI_FAILED;
			break;
		}
		got = parsed(&resp);
		if (jv_get_kind(got) != JV_KIND_ARRAY) {
			jv_free(got);
			vc_buf_printf(why,
				      "listing monitors: page %ld is no JSON "
				      "array",
				      page);
			rc = VC_MONAPI_FAILED;
			break;
		}
		n = jv_array_length(jv_copy(got));
		fresh = 0;
		jv_array_foreach(got, i, m)
		{
			(void)i;
			jv key = jv_string_fmt("%lld", vc_monnorm_remote_id(m));

			/* A monitor made or deleted while we page shifts the
			 * pages: one seen twice is kept once. */
			if (jv_object_has(jv_copy(seen), jv_copy(key))) {
				jv_free(key);
				jv_free(m);
				continue;
			}
			fresh++;
			seen = jv_object_set(seen, key, jv_true());
			all = jv_array_append(all, m);
		}
		if (n > 0 && fresh == 0) {
			vc_buf_printf(why,
				      "listing monitors: page %ld repeats the "
				      "earlier pages (the server ignores paging)",
				      page);
			rc = VC_MONAPI_FAILED;
		}
		jv_free(got);
		if (rc != VC_MONAPI_OK || n < api->page_size)
			break;
	}
	vc_http_response_free(&resp);
	vc_buf_free(&url);
	jv_free(seen);
	if (rc != VC_MONAPI_OK) {
		jv_free(all);
		all = jv_invalid();
	}
	*out = all;
	return rc;
}

int
vc_monapi_validate(struct vc_monapi *api, long long id, jv body, struct vc_buf *why)
{
	struct vc_http_response resp = VC_HTTP_RESPONSE_INIT;
	char url[64];
	jv text = jv_dump_string(jv_copy(body), 0);
	int rc = VC_MONAPI_OK;

	if (id)
		snprintf(url, sizeof url, "/api/v1/monitor/%lld/validate", id);
	else
		snprintf(url, sizeof url, "/api/v1/monitor/validate");
	if (call(api, "POST", url, jv_string_value(text), 0, &resp) < 0) {
		explain(&resp, why);
		rc = failure(&resp);
	}
	jv_free(text);
	vc_http_response_free(&resp);
	return rc;
}

/* Whether a managed monitor with vc id vc_id exists; *id gets its id.
 * Returns 1, 0, or -1 when the lookup itself failed. */
static int
find_by_vc_id(struct vc_monapi *api, const char *vc_id, long long *id)
{
	struct vc_buf tag = VC_BUF_INIT, why = VC_BUF_INIT;
	jv found;
	int rc;

	vc_buf_printf(&tag, "%s%s", VC_MONNORM_ID_PREFIX, vc_id);
	if (vc_monapi_list(api, tag.p, NULL, &found, &why) != VC_MONAPI_OK) {
		vc_buf_free(&tag);
		vc_buf_free(&why);
		return -1;
	}
	rc = 0;
	jv_array_foreach(found, i, m)
	{
		(void)i;
		char *got = vc_monnorm_vc_id(m);

		if (!rc && got && strcmp(got, vc_id) == 0 && vc_monnorm_is_managed(m)) {
			*id = vc_monnorm_remote_id(m);
			rc = *id != 0;
		}
		free(got);
		jv_free(m);
	}
	jv_free(found);
	vc_buf_free(&tag);
	vc_buf_free(&why);
	return rc;
}

/* The N of Datadog's "Duplicate of an existing monitor_id:N", or 0. */
static long long
duplicate_of(const struct vc_http_response *resp)
{
	static const char needle[] = "Duplicate of an existing monitor_id:";
	const char *p;

	if (!resp->body.p || !(p = strstr(resp->body.p, needle)))
		return 0;
	return strtoll(p + sizeof needle - 1, NULL, 10);
}

/* Whether waiting ms now would end past the operation's time limit. */
static int
past_deadline(const struct vc_monapi *api, long ms)
{
	return api->deadline > 0 && vc_http_clock() + ms / 1000.0 >= api->deadline;
}

int
vc_monapi_create(struct vc_monapi *api, jv body, const char *vc_id, long long *id,
		 struct vc_buf *why)
{
	struct vc_http_response resp = VC_HTTP_RESPONSE_INIT;
	jv text = jv_dump_string(jv_copy(body), 0);
	int rc = VC_MONAPI_FAILED;

	*id = 0;
	api->deadline = 0;
	for (int attempt = 1;; attempt++) {
		long wait;

		if (call(api, "POST", "/api/v1/monitor", jv_string_value(text), 1, &resp) == 0) {
			jv m = parsed(&resp);

			*id = vc_monnorm_remote_id(m);
			jv_free(m);
			if (*id) {
				rc = VC_MONAPI_OK;
			} else {
				vc_buf_adds(why, "the created monitor's answer "
						 "has no id");
			}
			break;
		}
		/* The first attempt started the time limit; the look-ups and
		 * retries below live within it. */
		api->deadline = resp.deadline;
		if (failure(&resp) == VC_MONAPI_REJECTED) {
			/* An identical monitor exists: with our vc-id tag in
			 * the body it can only be this one. */
			if ((*id = duplicate_of(&resp)) > 0) {
				rc = VC_MONAPI_OK;
				break;
			}
			explain(&resp, why);
			rc = VC_MONAPI_REJECTED;
			break;
		}
		/* A 5xx or a lost answer may hide a stored monitor.  With no
		 * answer at all (a timeout, a dropped connection) or a gateway's
		 * timeout, the create may still be running on the server: it
		 * gets the backoff to land before the look-up, and if it is not
		 * there yet it is not retried, as a retry could make it twice. */
		if (resp.status != 429) {
			int in_flight = resp.status == 0 || resp.status == 504, found;

			if (in_flight) {
				wait = vc_http_retry_wait(api->policy, attempt, &resp,
							  (double)time(NULL), &api->seed);
				if (past_deadline(api, wait)) {
					explain(&resp, why);
					vc_buf_printf(
						why,
						"; not retried: it may still be made, and the "
						"retry time limit of %g s leaves no time to "
						"look (run again to converge)",
						api->policy->deadline_ms / 1000.0);
					break;
				}
				vc_http_sleep_ms(wait);
			}
			found = find_by_vc_id(api, vc_id, id);
			if (found == 1) {
				rc = VC_MONAPI_OK;
				break;
			}
			if (found < 0 || in_flight) {
				/* Not knowing whether it was made: stop, the next
				 * run's listing will know. */
				explain(&resp, why);
				vc_buf_adds(why, found < 0 ? "; not retried: the look-up by vc id "
							     "that would tell whether it was "
							     "made failed too"
							   : "; not retried: it may still be made "
							     "(run again to converge)");
				break;
			}
		}
		wait = attempt > api->policy->max_retries
			       ? -1
			       : vc_http_retry_wait(api->policy, attempt, &resp, (double)time(NULL),
						    &api->seed);
		if (wait < 0 || past_deadline(api, wait)) {
			explain(&resp, why);
			if (wait >= 0)
				vc_buf_printf(why, " (retry time limit of %g s reached)",
					      api->policy->deadline_ms / 1000.0);
			if (attempt > 1)
				vc_buf_printf(why, " (after %d attempts)", attempt);
			break;
		}
		vc_http_sleep_ms(wait);
	}
	api->deadline = 0;
	jv_free(text);
	vc_http_response_free(&resp);
	return rc;
}

int
vc_monapi_update(struct vc_monapi *api, long long id, jv body, struct vc_buf *why)
{
	struct vc_http_response resp = VC_HTTP_RESPONSE_INIT;
	char url[64];
	jv text = jv_dump_string(jv_copy(body), 0);
	int rc = VC_MONAPI_OK;

	snprintf(url, sizeof url, "/api/v1/monitor/%lld", id);
	if (call(api, "PUT", url, jv_string_value(text), 0, &resp) < 0) {
		explain(&resp, why);
		rc = failure(&resp);
	}
	jv_free(text);
	vc_http_response_free(&resp);
	return rc;
}

int
vc_monapi_delete(struct vc_monapi *api, long long id, struct vc_buf *why)
{
	struct vc_http_response resp = VC_HTTP_RESPONSE_INIT;
	char url[64];
	int rc = VC_MONAPI_OK;

	snprintf(url, sizeof url, "/api/v1/monitor/%lld", id);
	if (call(api, "DELETE", url, NULL, 0, &resp) < 0) {
		/* Gone already: an earlier attempt's answer was lost, or
		 * someone else deleted it; either way it is what we want. */
		if (resp.status == 404) {
			rc = VC_MONAPI_OK;
		} else {
			explain(&resp, why);
			rc = failure(&resp);
		}
	}
	vc_http_response_free(&resp);
	return rc;
}
