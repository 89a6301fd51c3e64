/*
 * incpost.c — posting incidents to Datadog, PagerDuty and webhooks
 * (see incpost.h).
 */
#include "incpost.h"

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "json.h"
#include "xalloc.h"

/* progress bits kept in the store per incident and target */
#define DD_CREATED    1
#define DD_TODO_SHIFT 2 /* todos sent so far, in the bits above */
#define PD_TRIGGERED  1

#define PD_DEDUP_MAX   255
#define PD_SUMMARY_MAX 1024

struct vc_incpost {
	struct vc_incpost_config cfg;
	struct vc_http_config http_cfg;
	struct vc_http_client *http;
	struct vc_incstore *store;
	const struct vc_inctmpl_set *tmpl;
	struct vc_buf body, tmp, whole;
	struct vc_http_response resp;
};

/* The fields of an incident record a post needs, as spans into it. */
struct incident_view {
	struct vc_json_span root, id, key, title, severity, state, event, handle, ts, count, peak,
		impact, checklist, attacker, monitor;
	struct vc_buf text; /* decoded scratch */
};

int
vc_incpost_target_ok(const char *name)
{
	return strcmp(name, "datadog") == 0 || strcmp(name, "pagerduty") == 0 ||
	       strcmp(name, "webhook") == 0;
}

static int
has_target(const struct vc_incpost_config *c, const char *t)
{
	for (int i = 0; i < c->ntargets; i++)
		if (strcmp(c->targets[i], t) == 0)
			return 1;
	return 0;
}

struct vc_incpost *
vc_incpost_new(const struct vc_incpost_config *cfg, struct vc_incstore *store,
	       const struct vc_inctmpl_set *tmpl, char *why, size_t whylen)
{
	const struct vc_http_keys *k = cfg->keys;
	struct vc_incpost *p;
	const char *hwhy;

	if (has_target(cfg, "datadog") && (!k->dd_api_key || !k->dd_app_key)) {
		snprintf(why, whylen,
			 "--post datadog needs DD_API_KEY and "
			 "DD_APP_KEY (environment or --key-file)");
		return NULL;
	}
	if (has_target(cfg, "pagerduty") && !k->pd_routing_key) {
		snprintf(why, whylen,
			 "--post pagerduty needs "
			 "PAGERDUTY_ROUTING_KEY (environment or "
			 "--key-file)");
		return NULL;
	}
	if (has_target(cfg, "webhook") &&
	    (!cfg->webhook_url || (strncmp(cfg->webhook_url, "https://", 8) != 0 &&
				   strncmp(cfg->webhook_url, "http://", 7) != 0))) {
		snprintf(why, whylen,
			 "--post webhook needs --webhook-url "
			 "http(s)://...");
		return NULL;
	}
	p = vc_xcalloc(1, sizeof *p);
	p->cfg = *cfg;
	if (p->cfg.pagerduty_url == NULL)
		p->cfg.pagerduty_url = VC_INCPOST_PAGERDUTY_URL;
	p->http_cfg.base_url = cfg->dd_base_url;
	p->http_cfg.keys = cfg->keys;
	p->http_cfg.policy = cfg->policy;
	p->http_cfg.prog = "vc-incident";
	p->http_cfg.verbose = cfg->verbose;
	p->http = vc_http_new(&p->http_cfg, &hwhy);
	if (p->http == NULL) {
		snprintf(why, whylen, "%s", hwhy);
		free(p);
		return NULL;
	}
	p->store = store;
	p->tmpl = tmpl;
	return p;
}

void
vc_incpost_free(struct vc_incpost *p)
{
	if (p == NULL)
		return;
	vc_http_free(p->http);
	vc_buf_free(&p->body);
	vc_buf_free(&p->tmp);
	vc_buf_free(&p->whole);
	vc_http_response_free(&p->resp);
	free(p);
}

/* ---- reading the record ---- */

static void
get(struct vc_json_span root, const char *name, struct vc_json_span *v)
{
	if (!vc_json_member(root, name, v))
		v->type = VC_JSON_NONE;
}

static int
view_parse(struct incident_view *v, const char *rec, size_t len)
{
	const char *why;
	size_t off;

	if (vc_json_check(rec, len, &v->root, &why, &off) < 0 || v->root.type != VC_JSON_OBJECT)
		return -1;
	get(v->root, "id", &v->id);
	get(v->root, "key", &v->key);
	get(v->root, "title", &v->title);
	get(v->root, "severity", &v->severity);
	get(v->root, "state", &v->state);
	get(v->root, "event", &v->event);
	get(v->root, "handle", &v->handle);
	get(v->root, "ts", &v->ts);
	get(v->root, "count", &v->count);
	get(v->root, "peak", &v->peak);
	get(v->root, "impact", &v->impact);
	get(v->root, "checklist", &v->checklist);
	get(v->root, "attacker", &v->attacker);
	get(v->root, "monitor", &v->monitor);
	return v->id.type == VC_JSON_STRING && v->key.type == VC_JSON_STRING &&
			       v->title.type == VC_JSON_STRING && v->state.type == VC_JSON_STRING
		       ? 0
		       : -1;
}

/* The decoded string of a span ("" unless a string), in v->text. */
static const char *
str(struct incident_view *v, struct vc_json_span s)
{
	vc_buf_reset(&v->text);
	if (s.type == VC_JSON_STRING)
		vc_json_string(s, &v->text);
	if (v->text.p == NULL)
		vc_buf_adds(&v->text, "");
	return v->text.p;
}

/* Appends a span as written, or null. */
static void
raw(struct vc_buf *b, struct vc_json_span s)
{
	if (s.type == VC_JSON_NONE)
		vc_buf_adds(b, "null");
	else
		vc_buf_add(b, s.p, s.len);
}

/* ---- Datadog ---- */

static const char *
dd_state(struct incident_view *v)
{
	if (vc_json_key_is(v->state, "resolved", 8))
		return "resolved";
	if (vc_json_key_is(v->state, "mitigated", 9))
		return "stable";
	return "active";
}

static void
dd_fields(struct vc_buf *b, struct incident_view *v)
{
	vc_buf_adds(b, "\"fields\":{\"severity\":{\"type\":\"dropdown\","
		       "\"value\":");
	raw(b, v->severity);
	vc_buf_adds(b, "},\"state\":{\"type\":\"dropdown\",\"value\":\"");
	vc_buf_adds(b, dd_state(v));
	vc_buf_adds(b, "\"}}");
}

/* The opening timeline cell: what happened, in markdown. */
static void
dd_cell(struct vc_incpost *p, struct incident_view *v)
{
	struct vc_json_span s;
	struct vc_buf *t = &p->tmp;

	vc_buf_reset(t);
	vc_buf_printf(t, "Opened by vcobs vc-incident for incident `%s` ", str(v, v->id));
	vc_buf_printf(t, "(key `%s`).\n\n", str(v, v->key));
	if (v->impact.type == VC_JSON_OBJECT && vc_json_member(v->impact, "summary", &s))
		vc_buf_printf(t, "%s\n", str(v, s));
	vc_buf_add_json_string(&p->body, t->p, t->len);
}

static int
customer_impacted(struct incident_view *v)
{
	struct vc_json_span s;

	return v->impact.type == VC_JSON_OBJECT &&
	       vc_json_member(v->impact, "customer_impacted", &s) && s.type == VC_JSON_TRUE;
}

/* Sends one request; 0 or -1 with the error in p->resp.  secret: the URL
 * carries a token; create: a POST that makes a new object each time it
 * is applied, retried only when it surely was not. */
static int
http_send(struct vc_incpost *p, const char *method, const char *url, unsigned auth, int secret,
	  int create)
{
	struct vc_http_request req;

	memset(&req, 0, sizeof req);
	req.method = method;
	req.url = url;
	req.body = p->body.p;
	req.body_len = p->body.len;
	req.auth = auth;
	req.secret_url = secret;
	req.not_idempotent = create;
	return vc_http_do(p->http, &req, &p->resp);
}

static int
dd_create(struct vc_incpost *p, struct incident_view *v, char **remote_id)
{
	struct vc_json_span root, data, id;
	const char *why;
	size_t off;

	vc_buf_reset(&p->body);
	vc_buf_adds(&p->body, "{\"data\":{\"type\":\"incidents\",\"attributes\":"
			      "{\"title\":");
	raw(&p->body, v->title);
	vc_buf_printf(&p->body, ",\"customer_impacted\":%s,",
		      customer_impacted(v) ? "true" : "false");
	if (customer_impacted(v) && vc_json_member(v->impact, "summary", &id)) {
		vc_buf_adds(&p->body, "\"customer_impact_scope\":");
		raw(&p->body, id);
		vc_buf_addc(&p->body, ',');
	}
	dd_fields(&p->body, v);
	vc_buf_adds(&p->body, ",\"initial_cells\":[{\"cell_type\":\"markdown\","
			      "\"content\":{\"content\":");
	dd_cell(p, v);
	vc_buf_adds(&p->body, "}}]}}}");
	/* Datadog has no idempotency key for incidents: a create whose answer
	 * was lost is not sent again in this run (see incpost.h). */
	if (http_send(p, "POST", "/api/v2/incidents", VC_HTTP_AUTH_DD, 0, 1) < 0)
		return -1;
	if (vc_json_check(p->resp.body.p ? p->resp.body.p : "", p->resp.body.len, &root, &why,
			  &off) < 0 ||
	    !vc_json_member(root, "data", &data) || !vc_json_member(data, "id", &id) ||
	    id.type != VC_JSON_STRING) {
		snprintf(p->resp.error, sizeof p->resp.error,
			 "POST /api/v2/incidents: no data.id in the response");
		return -1;
	}
	*remote_id = vc_xstrdup(str(v, id));
	return 0;
}

/* Whether a remote id is safe to put in a URL path. */
static int
id_ok(const char *id)
{
	size_t n = strlen(id);

	return n > 0 && n < 128 &&
	       strspn(id, "abcdefghijklmnopqrstuvwxyz"
			  "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			  "0123456789-_") == n;
}

static int
dd_todos(struct vc_incpost *p, struct incident_view *v, const char *rid, int *progress)
{
	struct vc_json_iter it;
	struct vc_json_span item;
	char url[256];
	int done = *progress >> DD_TODO_SHIFT, i = 0;

	if (v->checklist.type != VC_JSON_ARRAY)
		return 0;
	snprintf(url, sizeof url, "/api/v2/incidents/%s/relationships/todos", rid);
	vc_json_iter_init(v->checklist, &it);
	while (vc_json_array_next(&it, &item)) {
		if (i++ < done)
			continue;
		vc_buf_reset(&p->body);
		vc_buf_adds(&p->body, "{\"data\":{\"type\":\"incident_todos\","
				      "\"attributes\":{\"content\":");
		raw(&p->body, item);
		vc_buf_adds(&p->body, ",\"assignees\":[]}}}");
		if (http_send(p, "POST", url, VC_HTTP_AUTH_DD, 0, 1) < 0)
			return -1;
		*progress = DD_CREATED | (i << DD_TODO_SHIFT);
		if (vc_incstore_post_progress(p->store, str(v, v->id), "datadog", NULL, *progress) <
		    0)
			return -2;
	}
	return 0;
}

static int
dd_update(struct vc_incpost *p, struct incident_view *v, const char *rid)
{
	char url[256];

	snprintf(url, sizeof url, "/api/v2/incidents/%s", rid);
	vc_buf_reset(&p->body);
	vc_buf_printf(&p->body,
		      "{\"data\":{\"id\":\"%s\",\"type\":"
		      "\"incidents\",\"attributes\":{\"title\":",
		      rid);
	raw(&p->body, v->title);
	vc_buf_addc(&p->body, ',');
	dd_fields(&p->body, v);
	vc_buf_adds(&p->body, "}}}");
	return http_send(p, "PATCH", url, VC_HTTP_AUTH_DD, 0, 0);
}

/* 0 sent, -1 target failure (p->resp.error), -2 store error. */
static int
post_datadog(struct vc_incpost *p, struct vc_incstore_post *post, struct incident_view *v)
{
	char *rid = post->remote_id ? vc_xstrdup(post->remote_id) : NULL;
	int progress = post->progress, created = 0, rc = 0;

	if (rid == NULL) {
		if (dd_create(p, v, &rid) < 0)
			return -1;
		created = 1;
		progress = DD_CREATED;
		/* Stored at once: a rerun must update this incident, never
		 * create a second one. */
		if (vc_incstore_post_progress(p->store, post->incident_id, "datadog", rid,
					      progress) < 0) {
			free(rid);
			return -2;
		}
	}
	if (!id_ok(rid)) {
		snprintf(p->resp.error, sizeof p->resp.error,
			 "Datadog gave an incident id unfit for a URL");
		rc = -1;
	}
	if (rc == 0)
		rc = dd_todos(p, v, rid, &progress);
	if (rc == 0 && (!created || strcmp(dd_state(v), "active") != 0))
		rc = dd_update(p, v, rid);
	free(rid);
	return rc;
}

/* ---- PagerDuty ---- */

static unsigned long long
fnv(const char *s, size_t n)
{
	unsigned long long h = 1469598103934665603ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static void
pd_dedup_key(struct vc_buf *b, struct incident_view *v)
{
	const char *key = str(v, v->key);
	size_t n = strlen(key);
	char h[40];

	if (n <= PD_DEDUP_MAX) {
		vc_buf_add_json_string(b, key, n);
		return;
	}
	snprintf(h, sizeof h, "\"vcobs-%016llx\"", fnv(key, n));
	vc_buf_adds(b, h);
}

static int
pd_event(struct vc_incpost *p, struct incident_view *v, int trigger)
{
	const struct vc_inctmpl *t;
	const char *title;
	char when[64];
	struct tm tm;
	time_t ts;
	size_t n;

	vc_buf_reset(&p->body);
	vc_buf_adds(&p->body, "{\"routing_key\":");
	vc_buf_add_json_string(&p->body, p->cfg.keys->pd_routing_key,
			       strlen(p->cfg.keys->pd_routing_key));
	vc_buf_printf(&p->body,
		      ",\"event_action\":\"%s\",\"dedup_key\":", trigger ? "trigger" : "resolve");
	pd_dedup_key(&p->body, v);
	if (trigger) {
		const char *h = str(v, v->handle);
		t = vc_inctmpl_find(p->tmpl, strlen(h) > 10 ? h + 10 : NULL);
		title = str(v, v->title);
		n = strlen(title);
		vc_buf_adds(&p->body, ",\"payload\":{\"summary\":");
		if (n > PD_SUMMARY_MAX) {
			/* PagerDuty's limit, cut on a character boundary. */
			n = PD_SUMMARY_MAX;
			while (n > 0 && ((unsigned char)title[n] & 0xC0) == 0x80)
				n--;
		}
		vc_buf_add_json_string(&p->body, title, n);
		vc_buf_printf(&p->body,
			      ",\"source\":\"vcobs vc-incident\","
			      "\"severity\":\"%s\"",
			      t ? t->pd_severity : "error");
		ts = v->ts.type == VC_JSON_NUMBER ? (time_t)vc_json_number(v->ts) : time(NULL);
		gmtime_r(&ts, &tm);
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
		vc_buf_printf(&p->body, ",\"timestamp\":\"%s\",\"class\":", when);
		raw(&p->body, v->handle);
		vc_buf_adds(&p->body, ",\"custom_details\":{\"incident_id\":");
		raw(&p->body, v->id);
		vc_buf_adds(&p->body, ",\"state\":");
		raw(&p->body, v->state);
		vc_buf_adds(&p->body, ",\"attacker\":");
		raw(&p->body, v->attacker);
		vc_buf_adds(&p->body, ",\"count\":");
		raw(&p->body, v->count);
		vc_buf_adds(&p->body, ",\"peak\":");
		raw(&p->body, v->peak);
		vc_buf_adds(&p->body, ",\"impact\":");
		raw(&p->body, v->impact);
		vc_buf_adds(&p->body, ",\"checklist\":");
		raw(&p->body, v->checklist);
		vc_buf_adds(&p->body, "}}");
	}
	vc_buf_adds(&p->body, ",\"client\":\"vcobs vc-incident\"}");
	/* Idempotent by its dedup_key: retried freely. */
	return http_send(p, "POST", p->cfg.pagerduty_url, VC_HTTP_AUTH_NONE, 0, 0);
}

static int
post_pagerduty(struct vc_incpost *p, struct vc_incstore_post *post, struct incident_view *v)
{
	int resolved = vc_json_key_is(v->state, "resolved", 8);

	/* A resolve for an alert PagerDuty never saw is dropped there, so
	 * an incident opened and resolved between two flushes is sent as
	 * both. */
	if (!resolved || !(post->progress & PD_TRIGGERED)) {
		if (pd_event(p, v, 1) < 0)
			return -1;
		if (vc_incstore_post_progress(p->store, post->incident_id, "pagerduty", NULL,
					      PD_TRIGGERED) < 0)
			return -2;
	}
	if (resolved) {
		if (pd_event(p, v, 0) < 0)
			return -1;
		/* The next trigger of this key opens a new alert. */
		if (vc_incstore_post_progress(p->store, post->incident_id, "pagerduty", NULL, 0) <
		    0)
			return -2;
	}
	return 0;
}

/* ---- webhook ---- */

/* Slack escapes exactly these three. */
static void
slack_text(struct vc_buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '&')
			vc_buf_adds(b, "&amp;");
		else if (*s == '<')
			vc_buf_adds(b, "&lt;");
		else if (*s == '>')
			vc_buf_adds(b, "&gt;");
		else
			vc_buf_addc(b, *s);
	}
}

static int
post_webhook(struct vc_incpost *p, struct incident_view *v)
{
	struct vc_buf *t = &p->tmp;

	vc_buf_reset(t);
	vc_buf_adds(t, "*[");
	for (const char *e = str(v, v->event); *e; e++)
		vc_buf_addc(t, *e >= 'a' && *e <= 'z' ? *e - 32 : *e);
	vc_buf_adds(t, "]* ");
	slack_text(t, str(v, v->title));
	vc_buf_adds(t, " \xE2\x80\x94 ");
	slack_text(t, str(v, v->severity));
	vc_buf_adds(t, ", state ");
	slack_text(t, str(v, v->state));
	if (v->count.type == VC_JSON_NUMBER)
		vc_buf_printf(t, ", %.0f alert%s", vc_json_number(v->count),
			      vc_json_number(v->count) == 1 ? "" : "s");
	if (v->peak.type == VC_JSON_NUMBER)
		vc_buf_printf(t, ", peak %g", vc_json_number(v->peak));
	vc_buf_adds(t, " (");
	slack_text(t, str(v, v->id));
	vc_buf_adds(t, ")");
	vc_buf_reset(&p->body);
	vc_buf_adds(&p->body, "{\"text\":");
	vc_buf_add_json_string(&p->body, t->p, t->len);
	vc_buf_adds(&p->body, ",\"incident\":");
	vc_buf_add(&p->body, v->root.p, v->root.len);
	vc_buf_addc(&p->body, '}');
	/* At least once: a chat line twice beats an incident never said. */
	return http_send(p, "POST", p->cfg.webhook_url, VC_HTTP_AUTH_NONE, 1, 0);
}

/* ---- flushing ---- */

static int
post_one(struct vc_incpost *p, const char *target, struct vc_incstore_post *post)
{
	struct vc_incstore_row row;
	struct incident_view v;
	char *rec;
	int rc;

	rc = vc_incstore_get_id(p->store, post->incident_id, &row);
	if (rc < 0)
		return -2;
	if (rc == 0) {
		snprintf(p->resp.error, sizeof p->resp.error, "incident %s is not in the store",
			 post->incident_id);
		return -1;
	}
	vc_buf_reset(&p->whole);
	if (vc_incstore_record(p->store, &row, &p->whole) < 0)
		return -2;
	/* A copy: posting writes to the store, which ends row's life. */
	rec = vc_xstrndup(p->whole.p, p->whole.len);
	memset(&v, 0, sizeof v);
	if (view_parse(&v, rec, p->whole.len) < 0) {
		snprintf(p->resp.error, sizeof p->resp.error,
			 "incident %s has an unreadable record", post->incident_id);
		rc = -1;
	} else if (strcmp(target, "datadog") == 0) {
		rc = post_datadog(p, post, &v);
	} else if (strcmp(target, "pagerduty") == 0) {
		rc = post_pagerduty(p, post, &v);
	} else {
		rc = post_webhook(p, &v);
	}
	vc_buf_free(&v.text);
	free(rec);
	return rc;
}

/* Whether the last failure says the target is not answering at all
 * (unreachable, stalled past the time limit) or keeps rate-limiting:
 * the target's other posts would only fail the same way, each after the
 * whole retry time limit. */
static int
target_down(const struct vc_http_response *resp)
{
	return resp->transient && (resp->status == 0 || resp->status == 429);
}

/* Keeps posts[from..n) queued unsent, after target_down.  Returns how
 * many, or -1 on a store error. */
static long
defer_rest(struct vc_incpost *p, const char *target, struct vc_incstore_post *posts, long from,
	   long n)
{
	char why[160];

	if (from >= n)
		return 0;
	snprintf(why, sizeof why, "not sent: %s did not answer an earlier post of the run", target);
	for (long i = from; i < n; i++)
		if (vc_incstore_post_deferred(p->store, &posts[i], target, why) < 0)
			return -1;
	warnx("%ld more post%s to %s not sent: it did not answer (%s stay%s queued)", n - from,
	      n - from == 1 ? "" : "s", target, n - from == 1 ? "it" : "they",
	      n - from == 1 ? "s" : "");
	return n - from;
}

long
vc_incpost_flush(struct vc_incpost *p)
{
	long failed = 0;

	for (int t = 0; t < p->cfg.ntargets; t++) {
		const char *target = p->cfg.targets[t];
		struct vc_incstore_post *posts;
		long n = vc_incstore_post_claim(p->store, target, &posts);

		if (n < 0)
			return -1;
		for (long i = 0; i < n; i++) {
			int rc = post_one(p, target, &posts[i]);

			if (rc == -2 ||
			    (rc == 0 && vc_incstore_post_done(p->store, &posts[i], target) < 0)) {
				vc_incstore_post_free(posts, n);
				return -1;
			}
			if (rc == 0)
				continue;
			warnx("post to %s of %s failed: %s", target, posts[i].incident_id,
			      p->resp.error);
			failed++;
			if (vc_incstore_post_failed(p->store, &posts[i], target, p->resp.error) <
			    0) {
				vc_incstore_post_free(posts, n);
				return -1;
			}
			if (target_down(&p->resp)) {
				long deferred = defer_rest(p, target, posts, i + 1, n);

				if (deferred < 0) {
					vc_incstore_post_free(posts, n);
					return -1;
				}
				failed += deferred;
				break;
			}
		}
		vc_incstore_post_free(posts, n);
	}
	return failed;
}
