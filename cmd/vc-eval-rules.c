/*
 * vc-eval-rules — evaluate Datadog metric monitors over a stream of metric
 * points, check monitor files (--check) and run their unit tests (--test).
 *
 * Options, the record loop and the exit status; the work is in
 * lib/monitor*.c, lib/query.c, lib/evaluator.c, lib/ruletest.c.
 */
#include <err.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evaluator.h"
#include "jsonl.h"
#include "monitor.h"
#include "msg.h"
#include "opt.h"
#include "out.h"
#include "ruletest.h"
#include "vtime.h"

enum {
	OPT_MAX_FUTURE = 0x200,
	OPT_RETENTION,
	OPT_UNTIL,
};

static const struct vc_opt opts[] = {
	{"all", no_argument, 'a', NULL, "write every evaluation, not only state changes"},
	{"check", no_argument, 'c', NULL, "validate the monitor files (-m and arguments) and exit"},
	{"evidence", required_argument, 'e', "N",
	 "raw points kept per group as evidence (default 3)"},
	{"interval", required_argument, 'i', "SECS",
	 "evaluate every SECS of event time (default 60)"},
	{"lateness", required_argument, 'l', "SECS", "accept points up to SECS late (default 60)"},
	{"max-future", required_argument, OPT_MAX_FUTURE, "SECS",
	 "reject points more than SECS ahead of now (default 600)"},
	{"monitors", required_argument, 'm', "FILE|DIR",
	 "monitor file or folder, repeatable (default share/vcobs/monitors)"},
	VC_OPT_COMMON_RECORDS,
	{"retention", required_argument, OPT_RETENTION, "SECS",
	 "drop groups silent for SECS (default 86400)"},
	{"test", required_argument, 't', "FILE",
	 "run the monitor unit tests of FILE (and of the arguments)"},
	{"until", required_argument, OPT_UNTIL, "TS", "at end of input, evaluate on up to TS"},
	VC_OPT_COMMON_HELP,
	{NULL, 0, 0, NULL, NULL},
};

static const struct vc_tool tool = {
	"[-au] [-m FILE|DIR]... [--interval SECS] [--lateness SECS] [--max-future SECS] "
	"[--until TS] [FILE ...] | -c [-m FILE|DIR]... [FILE|DIR ...] | -t FILE [FILE ...]",
	"Evaluate Datadog metric monitors over metric points; check and test "
	"monitor files.",
	opts,
};

struct config {
	struct vc_common common;
	struct vc_eval_options eval;
	int check;
	double until;
	char **monitors, **tests;
	int nmonitors, ntests;
};

static void
push(char ***list, int *n, const char *arg)
{
	*list = realloc(*list, (size_t)(*n + 1) * sizeof **list);
	if (*list == NULL)
		err(VC_EXIT_USAGE, "out of memory");
	(*list)[(*n)++] = (char *)arg;
}

static void
on_opt(int val, const char *arg, void *ctx)
{
	struct config *c = ctx;

	if (vc_opt_common(val, arg, &c->common))
		return;
	switch (val) {
	case 'a':
		c->eval.all = 1;
		break;
	case 'c':
		c->check = 1;
		break;
	case 'e':
		c->eval.evidence = (size_t)vc_opt_int("--evidence", arg, 0, 100);
		break;
	case 'i':
		c->eval.interval = vc_opt_double("--interval", arg, 1, 86400);
		break;
	case 'l':
		c->eval.lateness = vc_opt_double("--lateness", arg, 0, 86400);
		break;
	case OPT_MAX_FUTURE:
		c->eval.max_future = vc_opt_double("--max-future", arg, 0, VC_EVAL_MAX_TS);
		break;
	case 'm':
		push(&c->monitors, &c->nmonitors, arg);
		break;
	case OPT_RETENTION:
		c->eval.retention = vc_opt_double("--retention", arg, 60, 366 * 86400.0);
		break;
	case 't':
		push(&c->tests, &c->ntests, arg);
		break;
	case OPT_UNTIL:
		c->until = vc_opt_time("--until", arg);
		break;
	}
}

/* Loads every -m path (the shipped monitors without any); returns the
 * exit status it calls for. */
static int
load(const struct config *c, struct vc_monitor_set *set)
{
	int k, problems = 0;

	if (c->nmonitors == 0) {
		char *dir = vc_data_path("monitors");

		problems = vc_monitor_load(set, dir);
		free(dir);
	}
	for (k = 0; k < c->nmonitors; k++)
		problems += vc_monitor_load(set, c->monitors[k]);
	if (set->io_errors)
		return VC_EXIT_USAGE;
	if (problems == 0 && set->n == 0) {
		warnx("no monitors to evaluate");
		return VC_EXIT_USAGE;
	}
	return problems ? VC_EXIT_REJECTED : VC_EXIT_OK;
}

static void
write_transition(const struct vc_transition *t, void *arg)
{
	(void)arg;
	vc_out_write(t->json, t->len);
	vc_out_end_record();
}

static int
evaluate(const struct config *c, const struct vc_monitor_set *set, char **files, int nfiles)
{
	struct vc_reader *r = vc_reader_new(files, nfiles, c->common.max_record, c->common.strict);
	struct vc_eval *ev = vc_eval_new(set, &c->eval, write_transition, NULL);
	struct vc_record rec;
	const char *why;
	int status, out;

	vc_out_init(c->common.unbuffered);
	while (vc_reader_next(r, &rec))
		if (vc_eval_point(ev, rec.json, rec.len, rec.root, &why) != 0)
			vc_reader_reject(r, &rec, "%s", why);
	vc_eval_finish(ev, c->until);
	status = vc_reader_status(r);
	/* A verdict that could not be reached is not a clean run either. */
	if (status == VC_EXIT_OK && vc_eval_undefined(ev) > 0)
		status = VC_EXIT_REJECTED;
	vc_reader_free(r);
	vc_eval_free(ev);
	out = vc_out_close();
	return out ? out : status;
}

static int
run_tests(const struct config *c, const struct vc_monitor_set *set)
{
	int k, failed = 0, broken = 0;

	for (k = 0; k < c->ntests; k++) {
		int rc = vc_ruletest_run(c->tests[k], set, &c->eval, stdout);

		if (rc < 0)
			broken = 1;
		else
			failed += rc;
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		warn("stdout");
		return VC_EXIT_USAGE;
	}
	if (broken)
		return VC_EXIT_USAGE;
	return failed ? VC_EXIT_REJECTED : VC_EXIT_OK;
}

int
main(int argc, char **argv)
{
	struct config c = {VC_COMMON_INIT, VC_EVAL_OPTIONS_INIT, 0, NAN, NULL, NULL, 0, 0};
	struct vc_monitor_set set = VC_MONITOR_SET_INIT;
	int first, status;

	first = vc_opt_parse(&tool, argc, argv, on_opt, &c);
	if (c.check && c.ntests)
		vc_opt_usage(&tool, "--check and --test go in separate runs");
	/* With --check the arguments are more monitor files, with --test
	 * more test files, so a shell glob works for either. */
	for (; c.check && first < argc; first++)
		push(&c.monitors, &c.nmonitors, argv[first]);
	for (; c.ntests && first < argc; first++)
		push(&c.tests, &c.ntests, argv[first]);
	status = load(&c, &set);
	if (status == VC_EXIT_OK && vc_monitor_check(&set, 0) > 0)
		status = VC_EXIT_REJECTED;
	if (c.check) {
		if (status == VC_EXIT_OK)
			printf("%zu monitors ok\n", set.n);
		if (fflush(stdout) != 0 || ferror(stdout)) {
			warn("stdout");
			status = VC_EXIT_USAGE;
		}
	} else if (status != VC_EXIT_OK) {
		/* Evaluating monitors that do not pass --check would evaluate
		 * something else than Datadog does. */
		warnx("monitors do not pass --check; nothing evaluated");
		status = VC_EXIT_USAGE;
	} else if (c.ntests) {
		status = run_tests(&c, &set);
	} else {
		status = evaluate(&c, &set, argv + first, argc - first);
	}
	vc_monitor_set_free(&set);
	free(c.monitors);
	free(c.tests);
	return status;
}
