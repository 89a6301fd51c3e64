/* Unit tests of lib/monnorm.c: a monitor as written and as the API sends
 * it back are the same monitor; real edits are seen, with their paths. */
#include <stdlib.h>
#include <string.h>

#include "monnorm.h"
#include "tap.h"

/* Parses a JSON literal the tests trust. */
static jv
J(const char *s)
{
	return jv_parse(s);
}

/* The compact, key-sorted text of v.  Consumes v; the caller frees. */
static char *
dump(jv v)
{
	jv s = jv_dump_string(v, JV_PRINT_SORTED);
	char *out = strdup(jv_string_value(s));

	jv_free(s);
	return out;
}

static void
is_json(jv got, const char *want, const char *name)
{
	char *g = dump(got), *w = dump(J(want));

	tap_is_str(g, w, name);
	free(g);
	free(w);
}

static const char *file_monitor =
	"{\"name\":\"Prompt injection\",\"type\":\"metric alert\","
	"\"query\":\"avg(last_5m):max:llm.security.injection_attempt_score{*}"
	" by {session_id} > 0.7\",\"message\":\"@incident-prompt-injection\","
	"\"tags\":[\"team:sec\",\"managed-by:vcobs\",\"vc-id:pi\"],"
	"\"priority\":1,\"options\":{\"thresholds\":{\"critical\":0.7,"
	"\"warning\":0.5},\"notify_no_data\":false,\"renotify_interval\":0}}";

/* What the API gives back for file_monitor: defaults filled, nulls, read-
 * only fields, type rewritten, numbers re-spelled, keys in another
 * order, tags reordered, name and message padded. */
static const char *server_monitor =
	"{\"id\":1234,\"org_id\":1,\"created\":\"2026-11-26T00:00:00Z\","
	"\"creator\":{\"id\":7},\"overall_state\":\"No Data\",\"multi\":true,"
	"\"deleted\":null,\"restricted_roles\":null,\"draft_status\":\"published\","
	"\"options\":{\"notify_audit\":false,\"include_tags\":true,"
	"\"new_host_delay\":300,\"silenced\":{},\"escalation_message\":\"\","
	"\"no_data_timeframe\":10,\"renotify_statuses\":null,"
	"\"thresholds\":{\"warning\":0.50,\"critical\":0.70,"
	"\"critical_recovery\":null},\"notify_no_data\":false,"
	"\"renotify_interval\":null,\"brand_new_option\":\"x\"},"
	"\"tags\":[\"vc-id:pi\",\"team:sec\",\"managed-by:vcobs\",\"team:sec\"],"
	"\"query\":\"avg(last_5m):max:llm.security.injection_attempt_score{*}"
	" by {session_id} > 0.7 \",\"type\":\"query alert\","
	"\"name\":\" Prompt injection\",\"priority\":1,"
	"\"message\":\"@incident-prompt-injection\\n\","
	"\"a_field_from_the_future\":{\"x\":1}}";

static void
test_canon(void)
{
	is_json(vc_monnorm_canon(J("{\"type\":\"metric alert\",\"query\":\" q \","
				   "\"tags\":[\"b\",\"a\",\"b\"],\"priority\":null,"
				   "\"message\":\"  \",\"options\":{\"include_tags\":true,"
				   "\"notify_audit\":false,\"silenced\":{},"
				   "\"thresholds\":{\"warning\":null}},\"id\":3}")),
		"{\"type\":\"query alert\",\"query\":\"q\",\"tags\":[\"a\",\"b\"]}",
		"canon: type rewritten, trimmed, tags a set, defaults and nulls "
		"gone, read-only gone");
	is_json(vc_monnorm_canon(J("{\"options\":{\"include_tags\":false,"
				   "\"new_host_delay\":60,\"notify_no_data\":true}}")),
		"{\"options\":{\"include_tags\":false,\"new_host_delay\":60,"
		"\"notify_no_data\":true}}",
		"canon: options that differ from their default stay");
	is_json(vc_monnorm_canon(J("{\"draft_status\":\"draft\","
				   "\"restricted_roles\":[]}")),
		"{\"draft_status\":\"draft\"}",
		"canon: draft_status other than published stays, [] goes");
	is_json(vc_monnorm_canon(J("[1]")), "[1]", "canon: non-object unchanged");
}

static void
test_diff(void)
{
	jv d;

	is_json(vc_monnorm_diff(J(file_monitor), J(server_monitor)), "[]",
		"diff: the server's copy of a monitor is the same monitor");
	is_json(vc_monnorm_diff(J(server_monitor), J(file_monitor)),
		"[{\"path\":\".a_field_from_the_future.x\",\"from\":null,"
		"\"to\":1},{\"path\":\".options.brand_new_option\","
		"\"from\":null,\"to\":\"x\"},{\"path\":"
		"\".options.no_data_timeframe\",\"from\":null,\"to\":10}]",
		"diff: asymmetric: unknown keys count when the desired side "
		"sets them");

	d = J(file_monitor);
	d = jv_setpath(d, J("[\"options\",\"thresholds\",\"critical\"]"), jv_number(0.8));
	d = jv_setpath(d, J("[\"query\"]"),
		       jv_string("avg(last_5m):max:llm.security."
				 "injection_attempt_score{*} by {session_id} > 0.8"));
	is_json(vc_monnorm_diff(d, J(server_monitor)),
		"[{\"path\":\".options.thresholds.critical\",\"from\":0.7,\"to\":0.8},"
		"{\"path\":\".query\",\"from\":\"avg(last_5m):max:llm.security."
		"injection_attempt_score{*} by {session_id} > 0.7\",\"to\":"
		"\"avg(last_5m):max:llm.security.injection_attempt_score{*} by "
		"{session_id} > 0.8\"}]",
		"diff: an edit shows as its paths, sorted, with from and to");

	is_json(vc_monnorm_diff(J(file_monitor),
				jv_setpath(J(server_monitor),
					   J("[\"options\",\"renotify_interval\"]"),
					   jv_number(60))),
		"[{\"path\":\".options.renotify_interval\",\"from\":60,\"to\":null}]",
		"diff: a settable option set only remotely (UI drift) is a change");
	is_json(vc_monnorm_diff(J(file_monitor),
				jv_setpath(J(server_monitor),
					   J("[\"options\",\"no_data_timeframe\"]"),
					   jv_number(99))),
		"[]", "diff: a server-computed option the file lacks is ignored");
	is_json(vc_monnorm_diff(jv_setpath(J(file_monitor),
					   J("[\"options\",\"no_data_timeframe\"]"), jv_number(20)),
				J(server_monitor)),
		"[{\"path\":\".options.no_data_timeframe\",\"from\":10,\"to\":20}]",
		"diff: ... but compared once the file sets it");
	is_json(vc_monnorm_diff(jv_setpath(J(file_monitor), J("[\"tags\"]"),
					   J("[\"managed-by:vcobs\",\"vc-id:pi\"]")),
				J(server_monitor)),
		"[{\"path\":\".tags\",\"from\":[\"managed-by:vcobs\",\"team:sec\","
		"\"vc-id:pi\"],\"to\":[\"managed-by:vcobs\",\"vc-id:pi\"]}]",
		"diff: tags compare as a whole set");
	is_json(vc_monnorm_diff(J("{\"name\":\"a\",\"message\":\"m\"}"), J("{\"name\":\"a\"}")),
		"[{\"path\":\".message\",\"from\":null,\"to\":\"m\"}]",
		"diff: a key absent remotely has from null");
	is_json(vc_monnorm_diff(J("{\"options\":{\"odd key\":1}}"),
				J("{\"options\":{\"odd key\":2}}")),
		"[{\"path\":\".options[\\\"odd key\\\"]\",\"from\":2,\"to\":1}]",
		"diff: a key that is no identifier is quoted in the path");
	is_json(vc_monnorm_diff(J("{\"options\":{}}"), J("{\"options\":{\"new_group_delay\":60}}")),
		"[]", "diff: new_group_delay 60 is Datadog's default");
	is_json(vc_monnorm_diff(J("{\"options\":{}}"),
				J("{\"options\":{\"new_group_delay\":120}}")),
		"[{\"path\":\".options.new_group_delay\",\"from\":120,\"to\":null}]",
		"diff: ... another value set remotely is drift");
	is_json(vc_monnorm_diff(J("{\"priority\":2}"), J("{}")),
		"[{\"path\":\".priority\",\"from\":null,\"to\":2}]", "diff: numbers");
	is_json(vc_monnorm_diff(J("{}"), J("{\"priority\":2}")),
		"[{\"path\":\".priority\",\"from\":2,\"to\":null}]",
		"diff: a settable field set only remotely is a change");
	is_json(vc_monnorm_diff(J("{\"priority\":2.0}"), J("{\"priority\":2}")), "[]",
		"diff: 2.0 and 2 are the same number");
}

static void
test_body(void)
{
	is_json(vc_monnorm_body(J("{\"id\":9,\"name\":\"n\",\"tags\":[\"x\","
				  "\"vc-id:old\",\"managed-by:vcobs\"],"
				  "\"overall_state\":\"OK\"}"),
				"new"),
		"{\"name\":\"n\",\"tags\":[\"x\",\"managed-by:vcobs\",\"vc-id:new\"]}",
		"body: read-only fields gone, managed and vc-id tags set once");
	is_json(vc_monnorm_body(J("{\"name\":\"n\"}"), "a"),
		"{\"name\":\"n\",\"tags\":[\"managed-by:vcobs\",\"vc-id:a\"]}",
		"body: tags added when absent");
}

static void
test_export_and_ids(void)
{
	jv m = J(server_monitor);
	char *s;

	s = vc_monnorm_vc_id(m);
	tap_is_str(s, "pi", "vc_id: from the vc-id tag");
	free(s);
	tap_ok(vc_monnorm_is_managed(m), "is_managed: managed tag present");
	tap_ok(vc_monnorm_remote_id(m) == 1234, "remote_id: 1234");
	s = vc_monnorm_name(m);
	tap_is_str(s, "Prompt injection", "name: trimmed");
	free(s);
	is_json(vc_monnorm_export(m),
		"{\"name\":\"Prompt injection\",\"type\":\"query alert\","
		"\"query\":\"avg(last_5m):max:llm.security.injection_attempt_score"
		"{*} by {session_id} > 0.7\",\"message\":\"@incident-prompt-"
		"injection\",\"tags\":[\"team:sec\",\"vc-id:pi\"],\"priority\":1,"
		"\"options\":{\"thresholds\":{\"critical\":0.7,\"warning\":0.5},"
		"\"no_data_timeframe\":10,\"brand_new_option\":\"x\"},"
		"\"a_field_from_the_future\":{\"x\":1}}",
		"export: canonical, no managed tag, vc-id kept");

	m = J("{\"id\":77,\"name\":\"ui\",\"tags\":[\"managed-by:vcobs\"]}");
	s = vc_monnorm_vc_id(m);
	tap_ok(s == NULL, "vc_id: NULL without a vc-id tag");
	is_json(vc_monnorm_export(m), "{\"name\":\"ui\",\"tags\":[\"vc-id:dd-77\"]}",
		"export: a vc id made from the remote id");
	m = J("{\"id\":1.5,\"tags\":[\"vc-id:\"]}");
	tap_ok(vc_monnorm_remote_id(m) == 0, "remote_id: 0 when not an integer");
	s = vc_monnorm_vc_id(m);
	tap_ok(s == NULL, "vc_id: an empty vc-id tag is none");
	tap_ok(!vc_monnorm_is_managed(m), "is_managed: no");
	jv_free(m);
}

int
main(void)
{
	test_canon();
	test_diff();
	test_body();
	test_export_and_ids();
	return tap_done();
}
