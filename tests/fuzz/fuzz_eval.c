/*
 * fuzz_eval — libFuzzer target for the evaluator: the bytes are JSON lines
 * of metric points, evaluated by monitors covering every aggregation,
 * arithmetic, change, fill, delays, full windows, no data, timeouts and
 * renotification.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evaluator.h"

static const char monitors[] =
	"{\"name\":\"a\",\"type\":\"metric alert\",\"query\":\"max(last_5m):max:m{*} by {g} > "
	"0.7\","
	"\"message\":\"{{#is_alert}}{{g.name}} {{value}} @x{{/is_alert}}\",\"options\":{"
	"\"thresholds\":{\"critical\":0.7,\"warning\":0.5,\"critical_recovery\":0.6,"
	"\"warning_recovery\":0.4},\"timeout_h\":1,\"renotify_interval\":2}}\n"
	"{\"name\":\"b\",\"type\":\"metric "
	"alert\",\"query\":\"sum(last_10m):default_zero(sum:m{g:a*} by "
	"{g}.as_count()) + default_zero(sum:n{*} by {g}.as_count()) > 3\",\"options\":{"
	"\"new_group_delay\":60}}\n"
	"{\"name\":\"c\",\"type\":\"metric "
	"alert\",\"query\":\"pct_change(avg(last_5m),5m_ago):avg:m{*} "
	"< -50\",\"options\":{\"notify_no_data\":true,\"no_data_timeframe\":3}}\n"
	"{\"name\":\"d\",\"type\":\"metric alert\",\"query\":\"min(last_1h):per_minute(sum:n{k IN "
	"(x, y)}.rollup(count).fill(last, 600)) / 2 >= "
	"1\",\"options\":{\"require_full_window\":true,"
	"\"evaluation_delay\":120}}\n";

static struct vc_monitor_set set = VC_MONITOR_SET_INIT;

static void
emit(const struct vc_transition *t, void *arg)
{
	(void)arg;
	if (t->len == 0 || t->json[0] != '{')
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vc_eval_options o = VC_EVAL_OPTIONS_INIT;
	struct vc_eval *ev;
	const char *p = (const char *)data, *end = p + size;

	if (set.n == 0) {
		char path[64];
		FILE *f;

		snprintf(path, sizeof path, "/tmp/fuzz-eval-%d.jsonl", (int)getpid());
		f = fopen(path, "w");
		fputs(monitors, f);
		fclose(f);
		if (vc_monitor_load(&set, path) != 0 || vc_monitor_check(&set, 0) != 0)
			abort();
		unlink(path);
	}
	o.retention = 3600;
	ev = vc_eval_new(&set, &o, emit, NULL);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct vc_json_span root;
		const char *why;
		size_t off;

		if (vc_json_check(p, n, &root, &why, &off) == 0 && root.type == VC_JSON_OBJECT)
			vc_eval_point(ev, p, n, root, &why);
		p += n + 1;
	}
	vc_eval_finish(ev, NAN);
	vc_eval_free(ev);
	return 0;
}
