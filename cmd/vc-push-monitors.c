/*
 * vc-push-monitors — monitors as code: validate, plan, apply and prune
 * monitor files against Datadog's monitor API, idempotently; or export
 * the managed monitors as files.
 *
 * The steps live in lib/: monitor.h (loading, --check), monnorm.h
 * (canonical form and diff), monplan.h (matching and actions), monapi.h
 * (the API calls), monapply.h (names, validation, applying, export).
 */
#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "http.h"
#include "monapi.h"
#include "monapply.h"
#include "monitor.h"
#include "monnorm.h"
#include "monplan.h"
#include "msg.h"
#include "opt.h"
#include "out.h"

/* --dry-run --detailed-exitcode found changes, as terraform plan says it. */
#define EXIT_CHANGES_PENDING 2

enum {
	OPT_ADOPT = 0x200,
	OPT_API_URL,
	OPT_DETAILED,
	OPT_EXPORT,
	OPT_KEY_FILE,
	OPT_MAX_DELETES,
	OPT_PAGE_SIZE,
	OPT_PRUNE,
	OPT_RETRIES,
	OPT_RETRY_MAX_TIME,
	OPT_TIMEOUT,
	OPT_VALIDATE,
};

static const struct vc_opt opts[] = {
	{"adopt", no_argument, OPT_ADOPT, NULL, "take over an unmanaged monitor of the same name"},
	{"api-url", required_argument, OPT_API_URL, "URL",
	 "API base URL (default https://api.$DD_SITE)"},
	{"detailed-exitcode", no_argument, OPT_DETAILED, NULL,
	 "exit 2 when a dry run finds changes pending"},
	{"dry-run", no_argument, 'n', NULL, "validate and plan, write nothing"},
	{"export", required_argument, OPT_EXPORT, "DIR",
	 "write the managed remote monitors as files to DIR"},
	{"key-file", required_argument, OPT_KEY_FILE, "FILE",
	 "read DD_API_KEY and DD_APP_KEY from FILE"},
	{"max-deletes", required_argument, OPT_MAX_DELETES, "N",
	 "delete at most N monitors (default max(1, 10% of managed))"},
	{"monitors", required_argument, 'm', "PATH", "monitor file or folder (repeatable)"},
	{"page-size", required_argument, OPT_PAGE_SIZE, "N",
	 "monitors per listing request (1-1000, default 1000)"},
	{"prune", no_argument, OPT_PRUNE, NULL, "delete managed monitors that no file names"},
	{"retries", required_argument, OPT_RETRIES, "N", "retries of a failed request (default 4)"},
	{"retry-max-time", required_argument, OPT_RETRY_MAX_TIME, "SECONDS",
	 "give up a request after this long, retries included (default 60, 0: never)"},
	{"timeout", required_argument, OPT_TIMEOUT, "SECONDS",
	 "time limit of one request attempt (default 30)"},
	{"validate", no_argument, OPT_VALIDATE, NULL,
	 "only check the files, locally and with Datadog"},
	{"verbose", no_argument, 'v', NULL, "one stderr line per HTTP attempt"},
	VC_OPT_COMMON_HELP,
	{NULL, 0, 0, NULL, NULL},
};

static const struct vc_tool tool = {
	"[-nv] [--adopt] [--prune] [--max-deletes N] [--dry-run "
	"[--detailed-exitcode]] [--validate] -m PATH ... | --export DIR",
	"Validate, plan and apply monitor files to Datadog; prune; export.",
	opts,
};

struct args {
	char **paths;
	int npaths;
	int adopt, prune, dry_run, detailed, validate, verbose;
	long max_deletes;
	int page_size;
	const char *api_url, *key_file, *export_dir;
	struct vc_http_policy policy;
};

static void
on_opt(int val, const char *arg, void *ctx)
{
	struct args *a = ctx;

	switch (val) {
	case OPT_ADOPT:
		a->adopt = 1;
		break;
	case OPT_API_URL:
		a->api_url = arg;
		break;
	case OPT_DETAILED:
		a->detailed = 1;
		break;
	case 'n':
		a->dry_run = 1;
		break;
	case OPT_EXPORT:
		a->export_dir = arg;
		break;
	case OPT_KEY_FILE:
		a->key_file = arg;
		break;
	case OPT_MAX_DELETES:
		a->max_deletes = (long)vc_opt_int("--max-deletes", arg, 0, 1000000);
		break;
	case 'm':
		a->paths = realloc(a->paths, (size_t)(a->npaths + 1) * sizeof *a->paths);
		if (!a->paths)
			err(VC_EXIT_USAGE, "out of memory");
		a->paths[a->npaths++] = (char *)arg;
		break;
	case OPT_PAGE_SIZE:
		a->page_size = (int)vc_opt_int("--page-size", arg, 1, 1000);
		break;
	case OPT_PRUNE:
		a->prune = 1;
		break;
	case OPT_RETRIES:
		a->policy.max_retries = (int)vc_opt_int("--retries", arg, 0, 20);
		break;
	case OPT_RETRY_MAX_TIME:
		a->policy.deadline_ms =
			(long)(vc_opt_double("--retry-max-time", arg, 0, 86400) * 1000);
		break;
	case OPT_TIMEOUT:
		a->policy.timeout_ms = (long)(vc_opt_double("--timeout", arg, 0.1, 3600) * 1000);
		if (a->policy.connect_timeout_ms > a->policy.timeout_ms)
			a->policy.connect_timeout_ms = a->policy.timeout_ms;
		break;
	case OPT_VALIDATE:
		a->validate = 1;
		break;
	case 'v':
		a->verbose = 1;
		break;
	}
}

/* The status of a failure that is not a rejection (an unreadable file,
 * missing keys, the API or stdout failing): 2, as everywhere, except with
 * --detailed-exitcode, where 2 must keep meaning "changes pending" (as in
 * terraform plan): there it is 1. */
static int
fail_status(const struct args *a)
{
	return a->detailed ? VC_EXIT_REJECTED : VC_EXIT_USAGE;
}

/* The exit status of a remote step's result. */
static int
exit_of(const struct args *a, int result)
{
	if (result == VC_MONAPI_OK)
		return VC_EXIT_OK;
	if (result == VC_MONAPI_REJECTED)
		return VC_EXIT_REJECTED;
	return fail_status(a);
}

/* Loads and checks every monitor file; exits on any problem, before a
 * single request. */
static void
load(const struct args *a, struct vc_monitor_set *set)
{
	int problems = 0;

	for (int i = 0; i < a->npaths; i++)
		problems += vc_monitor_load(set, a->paths[i]);
	problems += vc_monitor_check(set, VC_MONITOR_CHECK_ANY_TYPE);
	if (set->io_errors)
		exit(fail_status(a));
	if (problems)
		exit(VC_EXIT_REJECTED);
}

static int
export_monitors(const struct args *a, struct vc_monapi *api)
{
	struct vc_buf why = VC_BUF_INIT;
	jv remote;
	int rc;

	rc = vc_monapi_list(api, VC_MONNORM_MANAGED_TAG, NULL, &remote, &why);
	if (rc != VC_MONAPI_OK) {
		warnx("%s", why.p);
		vc_buf_free(&why);
		return exit_of(a, rc);
	}
	vc_buf_free(&why);
	return vc_monapply_export(remote, a->export_dir) < 0 ? VC_EXIT_USAGE : VC_EXIT_OK;
}

/* Standard output closed during an apply (vc-push-monitors ... | head):
 * the run stops there, as any filter's, but not in silence, for the
 * changes after it are not made.  The applied line of each write comes
 * after the write, so it stops between two writes: what was written stays
 * and running again applies the rest.  Only write(2) and _exit(2) here. */
static void
on_closed_stdout(int sig)
{
	static const char msg[] = "vc-push-monitors: standard output closed: apply stopped "
				  "before the next write; run again to apply the rest\n";
	ssize_t w;

	(void)sig;
	w = write(STDERR_FILENO, msg, sizeof msg - 1);
	(void)w;
	_exit(VC_EXIT_USAGE);
}

/* Validate, plan, and unless a dry run, apply. */
static int
push(const struct args *a, struct vc_monapi *api, const struct vc_monitor_set *set)
{
	struct vc_mondesired *d = calloc(set->n + 1, sizeof *d);
	struct vc_monplan plan = VC_MONPLAN_INIT;
	struct vc_buf why = VC_BUF_INIT;
	unsigned long counts[4] = {0, 0, 0, 0};
	jv remote;
	int rc = VC_MONAPI_OK, status, changes_pending = 0;
	size_t pending;

	if (!d)
		err(VC_EXIT_USAGE, "out of memory");
	for (size_t i = 0; i < set->n; i++) {
		d[i].vc_id = set->v[i].id;
		d[i].file = set->v[i].file;
		d[i].line = set->v[i].line;
		d[i].monitor = vc_monitor_jv(&set->v[i]);
	}
	if (a->validate)
		remote = jv_array();
	else
		rc = vc_monapi_list(api, VC_MONNORM_MANAGED_TAG, NULL, &remote, &why);
	if (rc != VC_MONAPI_OK) {
		warnx("%s", why.p);
		goto out;
	}
	/* --validate checks every monitor as new: no listing, no names. */
	vc_monplan_build(&plan, d, set->n, remote, a->prune && !a->validate);
	if (!a->validate)
		rc = vc_monapply_names(api, &plan, a->adopt);
	if (rc == VC_MONAPI_OK && vc_monplan_check_prune(&plan, a->max_deletes, &why) < 0) {
		warnx("%s", why.p);
		rc = VC_MONAPI_REJECTED;
	}
	if (rc == VC_MONAPI_OK)
		rc = vc_monapply_validate(api, &plan, a->validate);
	if (rc == VC_MONAPI_OK && a->validate)
		warnx("validated: %zu monitors", plan.n);
	if (rc != VC_MONAPI_OK || a->validate)
		goto out;

	vc_buf_reset(&why);
	vc_monplan_summary(&plan, &why);
	warnx("plan: %s", why.p);
	pending = plan.n - vc_monplan_count(&plan, VC_MONPLAN_NOOP);
	if (a->dry_run) {
		vc_monapply_print_plan(&plan);
		changes_pending = a->detailed && pending;
		goto out;
	}
	if (pending > 0) {
		struct sigaction stop;

		memset(&stop, 0, sizeof stop);
		stop.sa_handler = on_closed_stdout;
		sigemptyset(&stop.sa_mask);
		sigaction(SIGPIPE, &stop, NULL);
	}
	rc = vc_monapply_run(api, &plan, counts);
	warnx("applied: %lu created, %lu updated, %lu deleted (%lu writes, %lu reads)",
	      counts[VC_MONPLAN_CREATE], counts[VC_MONPLAN_UPDATE], counts[VC_MONPLAN_DELETE],
	      api->writes, api->reads);
out:
	status = changes_pending ? EXIT_CHANGES_PENDING : exit_of(a, rc);
	vc_monplan_free(&plan);
	for (size_t i = 0; i < set->n; i++)
		jv_free(d[i].monitor);
	free(d);
	vc_buf_free(&why);
	return status;
}

int
main(int argc, char **argv)
{
	struct args a = {0};
	struct vc_monitor_set set = VC_MONITOR_SET_INIT;
	struct vc_http_keys keys = VC_HTTP_KEYS_INIT;
	struct vc_http_config cfg = {0};
	struct vc_http_policy policy = VC_HTTP_POLICY_INIT;
	struct vc_http_client *http;
	struct vc_monapi api = {0};
	const char *why;
	char kwhy[256];
	char *base;
	int optind_, status, out;

	a.max_deletes = -1;
	a.page_size = 1000;
	a.policy = policy;
	optind_ = vc_opt_parse(&tool, argc, argv, on_opt, &a);
	if (optind_ < argc)
		vc_opt_usage(&tool, "unexpected argument '%s' (monitor files go after -m)",
			     argv[optind_]);
	if (a.export_dir && (a.npaths || a.dry_run || a.prune || a.adopt || a.validate))
		vc_opt_usage(&tool, "--export takes no monitor files and no other step");
	if (!a.export_dir && !a.npaths)
		vc_opt_usage(&tool, "no monitor files: give -m FILE|DIR");
	if (a.validate && (a.dry_run || a.prune || a.adopt))
		vc_opt_usage(&tool, "--validate stops before planning: no --dry-run, "
				    "--prune or --adopt");
	if (a.max_deletes >= 0 && !a.prune)
		vc_opt_usage(&tool, "--max-deletes needs --prune");
	if (a.detailed && !a.dry_run)
		vc_opt_usage(&tool, "--detailed-exitcode needs --dry-run");
	vc_out_set_error_status(fail_status(&a));
	base = vc_http_dd_base_url(a.api_url, &why);
	if (!base)
		vc_opt_usage(&tool, "%s", why);

	if (!a.export_dir)
		load(&a, &set);

	if (vc_http_keys_load(&keys, a.key_file, kwhy, sizeof kwhy) < 0)
		errx(fail_status(&a), "%s", kwhy);
	if (!keys.dd_api_key || !keys.dd_app_key)
		errx(fail_status(&a), "DD_API_KEY and DD_APP_KEY must be set, in the "
				      "environment or a --key-file");
	cfg.base_url = base;
	cfg.keys = &keys;
	cfg.policy = a.policy;
	cfg.prog = program_invocation_short_name;
	cfg.verbose = a.verbose;
	http = vc_http_new(&cfg, &why);
	if (!http)
		errx(fail_status(&a), "%s", why);
	api.http = http;
	api.policy = &cfg.policy;
	api.page_size = a.page_size;

	vc_out_init(1);
	status = a.export_dir ? export_monitors(&a, &api) : push(&a, &api, &set);
	out = vc_out_close();

	vc_http_free(http);
	vc_http_keys_free(&keys);
	vc_monitor_set_free(&set);
	free(base);
	free(a.paths);
	return out ? out : status;
}
