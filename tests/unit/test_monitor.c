/* Unit tests of lib/monitor.c and lib/monitor_check.c: file shapes, vc ids,
 * options, and the --check messages with their line and column. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "monitor.h"
#include "tap.h"

static char dir[] = "/tmp/vc-test-monitor-XXXXXX";
static char errbuf[8192];

static char *
write_file(const char *name, const char *text)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

/* Runs fn with stderr captured into errbuf; returns its result. */
static int
captured(int (*fn)(struct vc_monitor_set *, const char *), struct vc_monitor_set *set,
	 const char *arg)
{
	FILE *tmp = tmpfile();
	int saved = dup(2), rc;
	size_t n;

	fflush(stderr);
	dup2(fileno(tmp), 2);
	rc = fn(set, arg);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	n = fread(errbuf, 1, sizeof errbuf - 1, tmp);
	errbuf[n] = '\0';
	fclose(tmp);
	return rc;
}

static int
load(struct vc_monitor_set *set, const char *path)
{
	return vc_monitor_load(set, path);
}

static int
check(struct vc_monitor_set *set, const char *unused)
{
	(void)unused;
	return vc_monitor_check(set, 0);
}

#define GOOD(name, query)                                                           \
	"{\"name\":\"" name "\",\"type\":\"metric alert\",\"query\":\"" query "\"," \
	"\"message\":\"hi {{u.name}}\"}"

static void
test_shapes(void)
{
	struct vc_monitor_set set = VC_MONITOR_SET_INIT;
	char *p;

	p = write_file("one.json", GOOD("a", "avg(last_5m):avg:m{*} by {u} > 1"));
	tap_is_num(load(&set, p), 0, "one object loads");
	p = write_file("arr.json", "[" GOOD("b", "avg(last_5m):avg:m{*} by {u} > 1") ",\n" GOOD(
					   "c", "avg(last_5m):avg:m{*} by {u} > 1") "]");
	tap_is_num(load(&set, p), 0, "an array loads");
	p = write_file("lines.jsonl", GOOD("d", "avg(last_5m):avg:m{*} by {u} > 1") "\n\n" GOOD(
					      "e", "avg(last_5m):avg:m{*} by {u} > 1") "\n");
	tap_is_num(load(&set, p), 0, "JSON lines load");
	tap_is_num((double)set.n, 5, "five monitors");
	if (set.n == 5) {
		tap_is_str(set.v[0].id, "one", "lone object: the file's base name");
		tap_is_str(set.v[2].id, "arr-2", "array: base name and position");
		tap_is_str(set.v[4].id, "lines-2", "JSON lines: position among monitors");
		tap_is_num((double)set.v[4].line, 3, "JSON lines: the line it starts on");
		tap_ok(set.v[1].query && set.v[1].query->nby == 1, "query parsed at load");
	}
	tap_is_num(captured(check, &set, NULL), 0, "all pass --check");
	vc_monitor_set_free(&set);

	p = write_file("bom.json", "\xEF\xBB\xBF" GOOD("h", "avg(last_5m):avg:m{*} by {u} > 1"));
	tap_is_num(captured(load, &set, p), 0, "a file opening with a byte order mark loads");
	tap_ok(set.n == 1 && strcmp(set.v[0].name, "h") == 0, "  its monitor is read");
	vc_monitor_set_free(&set);

	p = write_file("bad.json", "{\n  \"name\": \"x\",\n  oops\n}");
	tap_is_num(captured(load, &set, p), 1, "malformed JSON is one problem");
	tap_ok(strstr(errbuf, "bad.json:3:3:") != NULL, "  at its line and column: %s", errbuf);
	vc_monitor_set_free(&set);

	{
		char sub[600], nested[700];

		snprintf(sub, sizeof sub, "%s/sub", dir);
		snprintf(nested, sizeof nested, "%s/sub/tests", dir);
		mkdir(sub, 0700);
		mkdir(nested, 0700);
		write_file("sub/b.json", GOOD("g", "avg(last_5m):avg:m{*} by {u} > 1"));
		write_file("sub/a.jsonl", GOOD("f", "avg(last_5m):avg:m{*} by {u} > 1"));
		write_file("sub/notes.txt", "not a monitor");
		write_file("sub/tests/t.json", "{\"tests\":[]}");
		tap_is_num(load(&set, sub), 0, "a folder loads");
		tap_is_num((double)set.n, 2, "  its *.json and *.jsonl, not sub-folders");
		tap_ok(set.n == 2 && strcmp(set.v[0].name, "f") == 0, "  sorted by file name");
		vc_monitor_set_free(&set);
	}
}

static void
test_check(void)
{
	struct vc_monitor_set set = VC_MONITOR_SET_INIT;
	char *p;
	const char *text = "[{\"name\":\"q\",\"type\":\"query alert\",\n"
			   "\"query\":\"avg(last_5m):avg:m{a:b AND NOT c:d} by {u} > 1\",\n"
			   "\"message\":\"{{nosuch}} "
			   "{{host.name}}\",\"tags\":[\"vc-id:dup\"],\"priority\":9,\n"
			   "\"options\":{\"thresholds\":{\"critical\":2,\"warning\":3,\"critical_"
			   "recovery\":5},"
			   "\"bogus\":1,\"timeout_h\":30,\"notify_by\":[\"x\"]}},\n"
			   "{\"name\":\"r\",\"type\":\"log "
			   "alert\",\"query\":\"logs(x)\",\"tags\":[\"vc-id:dup\"]}]\n";

	p = write_file("check.json", text);
	tap_is_num(load(&set, p), 0, "loads");
	tap_is_num(captured(check, &set, NULL), 11, "every error counted");
	tap_ok(strstr(errbuf, "differs from the query's threshold (1)") != NULL, "critical");
	tap_ok(strstr(errbuf, "warning threshold (3) must be less") != NULL, "warning side");
	tap_ok(strstr(errbuf, "check.json:3:12: unknown template variable 'nosuch'") != NULL,
	       "unknown template variable");
	tap_ok(strstr(errbuf, "'host' is not a group-by key") != NULL, "tag variable not grouped");
	tap_ok(strstr(errbuf, "\"priority\" must be") != NULL, "priority range");
	tap_ok(strstr(errbuf, "unknown option \"bogus\"") != NULL, "unknown option");
	tap_ok(strstr(errbuf, "timeout_h must be at most 24") != NULL, "timeout_h range");
	tap_ok(strstr(errbuf, "notify_by \"x\" is not a group-by key") != NULL, "notify_by");
	tap_ok(strstr(errbuf, "type \"log alert\" is not a metric monitor") != NULL, "type");
	tap_ok(strstr(errbuf, "duplicate vc id 'dup'") != NULL, "duplicate ids");
	vc_monitor_set_free(&set);

	p = write_file("thresholds.json",
		       "{\"name\":\"t\",\"type\":\"metric "
		       "alert\",\"query\":\"max(last_5m):max:m{*} > 10\","
		       "\"options\":{\"thresholds\":{\"critical\":10,\"warning\":12,"
		       "\"critical_recovery\":11,\"warning_recovery\":13}}}");
	load(&set, p);
	tap_is_num(captured(check, &set, NULL), 3, "warning and recoveries on the wrong side");
	tap_ok(strstr(errbuf, "warning threshold (12) must be less than the alert threshold (10) "
			      "with > comparison") != NULL,
	       "  warning side, worded as Datadog does");
	tap_ok(strstr(errbuf, "critical_recovery (11) must be less") != NULL,
	       "  critical_recovery");
	tap_ok(strstr(errbuf, "warning_recovery (13) must be less") != NULL, "  warning_recovery");
	vc_monitor_set_free(&set);

	p = write_file("crit.json",
		       "{\"name\":\"t\",\"type\":\"metric alert\",\"query\":\"avg(last_5m):"
		       "avg:m{*} < 0.6\",\"options\":{\"thresholds\":{\"critical\":0.5,"
		       "\"warning\":0.7,\"critical_recovery\":0.65}}}");
	load(&set, p);
	tap_is_num(captured(check, &set, NULL), 1, "critical differs from the query");
	tap_ok(strstr(errbuf, "differs from the query's threshold (0.6)") != NULL, "  says so");
	vc_monitor_set_free(&set);

	p = write_file("unsupported.json",
		       "{\"name\":\"t\",\"type\":\"metric alert\",\"query\":"
		       "\"avg(last_1h):anomalies(avg:m{*}, 'basic', 2) >= 1\"}");
	load(&set, p);
	tap_is_num(captured(check, &set, NULL), 1, "anomalies() is an error");
	tap_ok(strstr(errbuf, "unsupported.json:1:57: unsupported: anomalies()") != NULL,
	       "  reported as unsupported at its column: %s", errbuf);
	vc_monitor_set_free(&set);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL)
		return 1;
	test_shapes();
	test_check();
	{
		char cmd[600];

		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		tap_is_num(system(cmd), 0, "clean up");
	}
	return tap_done();
}
