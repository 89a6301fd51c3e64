/*
 * vc-incident — incidents that name the attacker, from alert transitions:
 * deduplicated, kept in an SQLite store, posted to Datadog, PagerDuty or a
 * webhook.  The lifecycle lives in lib/incident.c, the store in
 * lib/incstore.c, reports in lib/increport.c, posting in lib/incpost.c.
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "http.h"
#include "incident.h"
#include "incpost.h"
#include "increport.h"
#include "incstore.h"
#include "inctmpl.h"
#include "jsonl.h"
#include "msg.h"
#include "opt.h"
#include "out.h"
#include "vtime.h"

#define MAX_TARGETS 3
/* A batch is committed early when its held event lines pass this many
 * bytes, so a batch of large incidents cannot hold unbounded memory. */
#define HELD_MAX ((size_t)64 << 20)

enum {
	OPT_ALL = 0x200,
	OPT_API_URL,
	OPT_BATCH,
	OPT_KEY_FILE,
	OPT_ON_WARN,
	OPT_PAGERDUTY_URL,
	OPT_REOPEN_WINDOW,
	OPT_RESOLVE_AFTER,
	OPT_RETRIES,
	OPT_RETRY_MAX_TIME,
	OPT_RETRY_WAIT,
	OPT_SINCE,
	OPT_STATE_FILTER,
	OPT_TIMEOUT,
	OPT_WEBHOOK_URL,
};

static const struct vc_opt opts[] = {
	{"all", no_argument, OPT_ALL, NULL, "every alert is incident-worthy, handle or not"},
	{"api-url", required_argument, OPT_API_URL, "URL",
	 "Datadog API URL (default https://api.$DD_SITE)"},
	{"batch", required_argument, OPT_BATCH, "N",
	 "transitions per store transaction (default 16384)"},
	VC_OPT_COMMON_HELP,
	{"key-file", required_argument, OPT_KEY_FILE, "FILE",
	 "read the API keys from FILE (NAME=value lines)"},
	{"list", no_argument, 'l', NULL, "print the stored incidents and exit"},
	VC_OPT_COMMON_RECORDS,
	{"on-warn", no_argument, OPT_ON_WARN, NULL,
	 "open and update incidents on warn as on alert"},
	{"pagerduty-url", required_argument, OPT_PAGERDUTY_URL, "URL",
	 "PagerDuty Events API v2 endpoint"},
	{"post", required_argument, 'p', "TARGET",
	 "send to datadog, pagerduty or webhook (repeatable)"},
	{"reopen-window", required_argument, OPT_REOPEN_WINDOW, "DURATION",
	 "reopen on an alert this soon after (default 2h)"},
	{"report", required_argument, 'r', "FORMAT",
	 "write a markdown or html report of the store and exit"},
	{"resolve-after", required_argument, OPT_RESOLVE_AFTER, "DURATION",
	 "resolve this long after mitigation (default 30m)"},
	{"retries", required_argument, OPT_RETRIES, "N",
	 "HTTP retries after the first attempt (default 4)"},
	{"retry-max-time", required_argument, OPT_RETRY_MAX_TIME, "SECONDS",
	 "give up an HTTP request after this long, retries included (default 60, 0: never)"},
	{"retry-wait", required_argument, OPT_RETRY_WAIT, "SECONDS",
	 "first backoff between HTTP retries, doubling (default 1)"},
	{"since", required_argument, OPT_SINCE, "TS",
	 "--list and --report: incidents active at or after TS"},
	{"state", required_argument, 's', "FILE", "keep incidents in the SQLite database FILE"},
	{"state-filter", required_argument, OPT_STATE_FILTER, "STATE",
	 "--list and --report: open, mitigated or resolved only"},
	{"templates", required_argument, 't', "DIR",
	 "incident templates in DIR override the installed ones"},
	{"timeout", required_argument, OPT_TIMEOUT, "SECONDS",
	 "HTTP timeout of one attempt (default 30)"},
	{"verbose", no_argument, 'v', NULL,
	 "log each HTTP attempt on stderr (never keys or bodies)"},
	{"webhook-url", required_argument, OPT_WEBHOOK_URL, "URL",
	 "where the webhook target posts"},
	{NULL, 0, 0, NULL, NULL},
};

static const struct vc_tool tool = {
	"[-luv] [-s FILE] [-p TARGET]... [-r FORMAT] [options] [FILE ...]",
	"Keep one incident per monitor and attacker from alert transitions.",
	opts,
};

struct args {
	struct vc_common common;
	struct vc_incident_opts inc;
	const char *targets[MAX_TARGETS];
	const char *state, *templates, *key_file, *api_url, *pagerduty_url, *webhook_url, *report,
		*state_filter;
	int list, verbose, since_set;
	size_t batch;
	double since;
	struct vc_http_policy policy;
};

static void
add_target(struct args *a, const char *t)
{
	if (!vc_incpost_target_ok(t))
		vc_opt_usage(&tool,
			     "--post: unknown target '%s' (datadog, "
			     "pagerduty, webhook)",
			     t);
	for (int i = 0; i < a->inc.ntargets; i++)
		if (strcmp(a->targets[i], t) == 0)
			return;
	a->targets[a->inc.ntargets++] = t;
}

static void
on_opt(int val, const char *arg, void *ctx)
{
	struct args *a = ctx;

	if (vc_opt_common(val, arg, &a->common))
		return;
	switch (val) {
	case OPT_ALL:
		a->inc.all = 1;
		break;
	case OPT_API_URL:
		a->api_url = arg;
		break;
	case OPT_BATCH:
		a->batch = (size_t)vc_opt_int("--batch", arg, 1, 1000000);
		break;
	case OPT_KEY_FILE:
		a->key_file = arg;
		break;
	case 'l':
		a->list = 1;
		break;
	case OPT_ON_WARN:
		a->inc.on_warn = 1;
		break;
	case OPT_PAGERDUTY_URL:
		a->pagerduty_url = arg;
		break;
	case 'p':
		add_target(a, arg);
		break;
	case OPT_REOPEN_WINDOW:
		a->inc.reopen_window = vc_opt_duration("--reopen-window", arg, 366);
		break;
	case 'r':
		if (strcmp(arg, "markdown") != 0 && strcmp(arg, "html") != 0)
			vc_opt_usage(&tool, "--report: FORMAT is markdown or html");
		a->report = arg;
		break;
	case OPT_RESOLVE_AFTER:
		a->inc.resolve_after = vc_opt_duration("--resolve-after", arg, 366);
		break;
	case OPT_RETRIES:
		a->policy.max_retries = (int)vc_opt_int("--retries", arg, 0, 20);
		break;
	case OPT_RETRY_MAX_TIME:
		a->policy.deadline_ms =
			(long)(vc_opt_double("--retry-max-time", arg, 0, 86400) * 1000);
		break;
	case OPT_RETRY_WAIT:
		a->policy.backoff_base_ms =
			(long)(vc_opt_double("--retry-wait", arg, 0, 600) * 1000);
		break;
	case OPT_SINCE:
		a->since = vc_opt_time("--since", arg);
		a->since_set = 1;
		break;
	case 's':
		a->state = arg;
		break;
	case OPT_STATE_FILTER:
		if (strcmp(arg, "open") != 0 && strcmp(arg, "mitigated") != 0 &&
		    strcmp(arg, "resolved") != 0)
			vc_opt_usage(&tool, "--state-filter: STATE is open, "
					    "mitigated or resolved");
		a->state_filter = arg;
		break;
	case 't':
		a->templates = arg;
		break;
	case OPT_TIMEOUT:
		a->policy.timeout_ms = (long)(vc_opt_double("--timeout", arg, 0.001, 3600) * 1000);
		break;
	case 'v':
		a->verbose = 1;
		break;
	case OPT_WEBHOOK_URL:
		a->webhook_url = arg;
		break;
	}
}

static struct vc_inctmpl_set *
load_templates(const struct args *a)
{
	char why[512], *dir = vc_data_path("incidents");
	struct vc_inctmpl_set *t = vc_inctmpl_load(dir, a->templates, why, sizeof why);

	free(dir);
	if (t == NULL)
		errx(VC_EXIT_USAGE, "templates: %s", why);
	return t;
}

/* --list and --report: read the store, write, exit. */
static int
show(const struct args *a)
{
	char why[512];
	struct vc_incstore *s;
	int rc;

	if (a->state == NULL)
		vc_opt_usage(&tool, "--list and --report need --state FILE");
	s = vc_incstore_open(a->state, why, sizeof why);
	if (s == NULL)
		errx(VC_EXIT_USAGE, "%s", why);
	vc_out_init(a->common.unbuffered);
	if (a->report)
		rc = vc_increport_write(s, a->report, a->since, a->state_filter);
	else
		rc = vc_increport_list(s, a->since, a->state_filter);
	if (rc < 0)
		errx(VC_EXIT_USAGE, "%s: %s", a->state, vc_incstore_error(s));
	vc_incstore_close(s);
	return vc_out_close();
}

static struct vc_incpost *
make_poster(const struct args *a, struct vc_incstore *store, const struct vc_inctmpl_set *tmpl,
	    struct vc_http_keys *keys, char **base)
{
	struct vc_incpost_config cfg;
	const char *why;
	char kwhy[512];
	struct vc_incpost *p;

	if (a->inc.ntargets == 0)
		return NULL;
	if (vc_http_keys_load(keys, a->key_file, kwhy, sizeof kwhy) < 0)
		errx(VC_EXIT_USAGE, "%s", kwhy);
	*base = vc_http_dd_base_url(a->api_url, &why);
	if (*base == NULL)
		errx(VC_EXIT_USAGE, "%s", why);
	memset(&cfg, 0, sizeof cfg);
	cfg.dd_base_url = *base;
	cfg.pagerduty_url = a->pagerduty_url;
	cfg.webhook_url = a->webhook_url;
	cfg.keys = keys;
	cfg.policy = a->policy;
	cfg.verbose = a->verbose;
	cfg.targets = a->targets;
	cfg.ntargets = a->inc.ntargets;
	p = vc_incpost_new(&cfg, store, tmpl, kwhy, sizeof kwhy);
	if (p == NULL)
		errx(VC_EXIT_USAGE, "%s", kwhy);
	return p;
}

/* Commits the batch, writes its events, sends what is queued. */
static void
commit(struct vc_incidents *e, struct vc_incstore *store, struct vc_incpost *poster,
       struct vc_buf *out, double now, long *failed)
{
	long n;

	/* out lives across batches: the engine trades buffers with it, so
	 * neither grows from nothing again each batch. */
	vc_buf_reset(out);
	if (vc_incidents_commit(e, now, out) < 0)
		errx(VC_EXIT_USAGE, "state: %s", vc_incstore_error(store));
	vc_out_buf(out);
	if (poster != NULL) {
		n = vc_incpost_flush(poster);
		if (n < 0)
			errx(VC_EXIT_USAGE, "state: %s", vc_incstore_error(store));
		*failed += n;
	}
}

int
main(int argc, char **argv)
{
	struct args a;
	struct vc_http_keys keys = VC_HTTP_KEYS_INIT;
	struct vc_http_policy policy = VC_HTTP_POLICY_INIT;
	struct vc_common common = VC_COMMON_INIT;
	struct vc_inctmpl_set *tmpl;
	struct vc_incstore *store;
	struct vc_incidents *e;
	struct vc_incpost *poster;
	struct vc_reader *r;
	struct vc_record rec;
	struct vc_buf lines = VC_BUF_INIT;
	char why[512], *base = NULL;
	const char *rwhy;
	long failed = 0;
	int status, out, rc, first;

	memset(&a, 0, sizeof a);
	a.common = common;
	a.policy = policy;
	a.batch = 16384;
	a.inc.resolve_after = 30 * 60;
	a.inc.reopen_window = 2 * 3600;
	a.inc.targets = a.targets;
	first = vc_opt_parse(&tool, argc, argv, on_opt, &a);
	if (a.list || a.report) {
		if (a.list && a.report)
			vc_opt_usage(&tool, "--list and --report go in separate runs");
		if (a.inc.ntargets > 0)
			vc_opt_usage(&tool, "--post goes with reading transitions, not "
					    "--list or --report");
		if (first < argc)
			vc_opt_usage(&tool, "--list and --report read no input");
		return show(&a);
	}
	if (a.since_set || a.state_filter != NULL)
		vc_opt_usage(&tool, "--since and --state-filter go with --list "
				    "or --report");
	tmpl = load_templates(&a);
	store = vc_incstore_open(a.state, why, sizeof why);
	if (store == NULL)
		errx(VC_EXIT_USAGE, "%s", why);
	poster = make_poster(&a, store, tmpl, &keys, &base);
	e = vc_incidents_new(&a.inc, store, tmpl);
	r = vc_reader_new(argv + first, argc - first, a.common.max_record, a.common.strict);
	vc_out_init(a.common.unbuffered);
	while (vc_reader_next(r, &rec)) {
		rc = vc_incidents_apply(e, &rec, &rwhy);
		if (rc == -1)
			vc_reader_reject(r, &rec, "%s", rwhy);
		else if (rc == -2)
			errx(VC_EXIT_USAGE, "state: %s", vc_incstore_error(store));
		if (vc_incidents_batched(e) >= a.batch || vc_incidents_held(e) >= HELD_MAX ||
		    (vc_out_is_unbuffered() && rc == 1))
			commit(e, store, poster, &lines, 0, &failed);
	}
	status = vc_reader_status(r);
	commit(e, store, poster, &lines, vc_time_now(), &failed);
	if (failed > 0) {
		warnx("%ld post%s failed and stay%s queued for the next run", failed,
		      failed == 1 ? "" : "s", failed == 1 ? "s" : "");
		if (status == VC_EXIT_OK)
			status = VC_EXIT_REJECTED;
	}
	vc_reader_free(r);
	vc_incidents_free(e);
	vc_incpost_free(poster);
	vc_incstore_close(store);
	vc_inctmpl_free(tmpl);
	vc_http_keys_free(&keys);
	vc_buf_free(&lines);
	free(base);
	out = vc_out_close();
	return out ? out : status;
}
