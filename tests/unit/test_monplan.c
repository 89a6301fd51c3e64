/* Unit tests of lib/monplan.c: matching by vc id, the four actions, name
 * clashes and adoption, prune safety, the plan line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monnorm.h"
#include "monplan.h"
#include "tap.h"

/* A monitor as a file has it, critical threshold crit. */
static jv
file_mon(const char *name, double crit)
{
	char s[512];

	snprintf(s, sizeof s,
		 "{\"name\":\"%s\",\"type\":\"metric alert\","
		 "\"query\":\"avg(last_5m):max:m{*} > %g\","
		 "\"options\":{\"thresholds\":{\"critical\":%g}}}",
		 name, crit, crit);
	return jv_parse(s);
}

/* The same monitor as the API stores it, with id and tags. */
static jv
remote_mon(long long id, const char *name, double crit, const char *tags)
{
	char s[1024];

	snprintf(s, sizeof s,
		 "{\"id\":%lld,\"name\":\"%s\",\"type\":\"query alert\","
		 "\"query\":\"avg(last_5m):max:m{*} > %g\",\"message\":\"\","
		 "\"options\":{\"thresholds\":{\"critical\":%g,\"warning\":null},"
		 "\"include_tags\":true,\"notify_audit\":false,"
		 "\"new_host_delay\":300},\"tags\":%s}",
		 id, name, crit, crit, tags);
	return jv_parse(s);
}

static const char *
act(const struct vc_monplan *p, size_t i)
{
	return i < p->n ? vc_monplan_action_name(p->items[i].action) : "none";
}

static void
test_build(void)
{
	struct vc_mondesired d[3] = {
		{"a", "m/a.json", 1, file_mon("A", 1)},
		{"b", "m/b.json", 1, file_mon("B", 2)},
		{"c", "m/c.json", 1, file_mon("C", 3)},
	};
	struct vc_monplan p = VC_MONPLAN_INIT;
	jv remote = jv_array();

	remote = jv_array_append(remote,
				 remote_mon(10, "A", 1, "[\"vc-id:a\",\"managed-by:vcobs\"]"));
	remote = jv_array_append(remote,
				 remote_mon(11, "B", 5, "[\"managed-by:vcobs\",\"vc-id:b\"]"));
	remote = jv_array_append(remote,
				 remote_mon(12, "D", 4, "[\"managed-by:vcobs\",\"vc-id:d\"]"));
	remote = jv_array_append(remote, remote_mon(13, "C", 3, "[\"vc-id:c\"]"));
	remote = jv_array_append(remote, remote_mon(14, "E", 3, "[\"managed-by:vcobs\"]"));

	vc_monplan_build(&p, d, 3, jv_copy(remote), 0);
	tap_ok(p.n == 3, "build: one item per file monitor without prune");
	tap_is_str(act(&p, 0), "noop", "build: unchanged monitor is a no-op");
	tap_ok(p.items[0].id == 10, "build: the no-op knows its remote id");
	tap_is_str(act(&p, 1), "update", "build: changed monitor is an update");
	tap_ok(jv_array_length(jv_copy(p.items[1].changes)) == 2,
	       "build: the update has two changes (critical and query)");
	tap_is_str(act(&p, 2), "create", "build: unmanaged remote monitor is not a match");
	tap_ok(p.listed == 4, "build: four managed monitors listed");
	tap_ok(p.not_in_files == 2, "build: two managed monitors in no file");
	tap_ok(p.skipped == 0, "build: none skipped");
	tap_ok(vc_monplan_check_prune(&p, -1, NULL) == 0,
	       "prune check: nothing to check without --prune");
	vc_monplan_free(&p);

	vc_monplan_build(&p, d, 3, jv_copy(remote), 1);
	tap_ok(p.n == 5, "build: prune adds two deletes");
	tap_is_str(act(&p, 3), "delete", "build: deletes come last");
	tap_ok(p.items[3].id == 12 && strcmp(p.items[3].vc_id, "d") == 0,
	       "build: it deletes the monitor no file names");
	tap_ok(p.items[4].id == 14 && strcmp(p.items[4].vc_id, "dd-14") == 0,
	       "build: a managed monitor without a vc-id tag is known as dd-ID");
	vc_monplan_free(&p);

	/* Two remote monitors with one vc id: the older is the match. */
	remote = jv_array_append(remote,
				 remote_mon(5, "A", 1, "[\"vc-id:a\",\"managed-by:vcobs\"]"));
	vc_monplan_build(&p, d, 3, jv_copy(remote), 1);
	tap_ok(p.items[0].id == 5, "build: a duplicate vc id matches the lowest id");
	tap_ok(p.n == 6 && p.items[3].id == 10 && p.items[4].id == 12,
	       "build: the duplicate is deleted when pruning, by id order");
	vc_monplan_free(&p);

	for (int i = 0; i < 3; i++)
		jv_free(d[i].monitor);
	jv_free(remote);
}

static void
test_resolve_name(void)
{
	struct vc_mondesired d = {"n", "f.json", 3, file_mon("Name", 1)};
	struct vc_monplan p = VC_MONPLAN_INIT;
	struct vc_buf why = VC_BUF_INIT;
	jv found;

	vc_monplan_build(&p, &d, 1, jv_array(), 0);
	tap_is_str(act(&p, 0), "create", "resolve: starts as a create");
	found = jv_array_append(jv_array(), remote_mon(20, "Name x", 1, "[]"));
	tap_ok(vc_monplan_resolve_name(&p.items[0], found, 0, &why) == 0,
	       "resolve: a name that only contains ours is no clash");
	tap_is_str(act(&p, 0), "create", "resolve: still a create");

	found = jv_array_append(jv_array(), remote_mon(21, " Name", 1, "[]"));
	tap_ok(vc_monplan_resolve_name(&p.items[0], jv_copy(found), 0, &why) == -1,
	       "resolve: an unmanaged monitor of the same name is a clash");
	tap_ok(why.p && strstr(why.p, "--adopt") && strstr(why.p, "21"),
	       "resolve: the clash names the id and --adopt");
	vc_buf_reset(&why);
	tap_ok(vc_monplan_resolve_name(&p.items[0], found, 1, &why) == 0,
	       "resolve: --adopt takes it");
	tap_ok(p.items[0].action == VC_MONPLAN_UPDATE && p.items[0].id == 21 && p.items[0].adopted,
	       "resolve: adopted as an update of id 21");
	{
		jv c = jv_array_get(jv_copy(p.items[0].changes), 0);
		jv path = jv_object_get(c, jv_string("path"));

		tap_is_str(jv_string_value(path), ".tags", "resolve: adopting changes the tags");
		jv_free(path);
	}
	vc_monplan_free(&p);

	vc_monplan_build(&p, &d, 1, jv_array(), 0);
	found = jv_array_append(jv_array(), remote_mon(22, "Name", 1, "[]"));
	found = jv_array_append(found, remote_mon(23, "Name", 1, "[]"));
	tap_ok(vc_monplan_resolve_name(&p.items[0], found, 1, &why) == -1,
	       "resolve: two of the same name are ambiguous even with --adopt");
	tap_ok(strstr(why.p, "22, 23") != NULL, "resolve: ... naming both ids");
	vc_buf_reset(&why);

	found = jv_array_append(jv_array(),
				remote_mon(24, "Other", 1, "[\"managed-by:vcobs\",\"vc-id:n\"]"));
	tap_ok(vc_monplan_resolve_name(&p.items[0], found, 0, &why) == 0,
	       "resolve: our own monitor the listing missed");
	tap_ok(p.items[0].action == VC_MONPLAN_UPDATE && p.items[0].id == 24,
	       "resolve: ... becomes the match, never a duplicate");
	vc_monplan_free(&p);
	vc_buf_free(&why);
	jv_free(d.monitor);
}

static void
test_prune_and_output(void)
{
	struct vc_mondesired d = {
		"x\"y", "dir/f.json", 1,
		jv_object_set(file_mon("Q", 2), jv_string("name"), jv_string("Q \"1\""))};
	struct vc_monplan p = VC_MONPLAN_INIT;
	struct vc_buf b = VC_BUF_INIT;
	jv remote = jv_array();
	char tags[64];

	vc_monplan_build(&p, NULL, 0, jv_array(), 1);
	tap_ok(vc_monplan_check_prune(&p, -1, &b) == -1 && strstr(b.p, "empty"),
	       "prune check: an empty listing refuses to prune");
	vc_monplan_free(&p);
	vc_buf_reset(&b);

	for (int i = 0; i < 25; i++) {
		snprintf(tags, sizeof tags, "[\"managed-by:vcobs\",\"vc-id:r%d\"]", i);
		remote = jv_array_append(remote, remote_mon(100 + i, "R", 1, tags));
	}
	vc_monplan_build(&p, NULL, 0, jv_copy(remote), 1);
	tap_ok(vc_monplan_count(&p, VC_MONPLAN_DELETE) == 25, "prune: 25 deletes");
	tap_ok(vc_monplan_max_deletes(&p, -1) == 2, "max deletes: a tenth of 25 managed is 2");
	tap_ok(vc_monplan_check_prune(&p, -1, &b) == -1 && strstr(b.p, "25 of 25"),
	       "prune check: more deletes than allowed refuses");
	vc_buf_reset(&b);
	tap_ok(vc_monplan_check_prune(&p, 25, &b) == 0,
	       "prune check: --max-deletes 25 allows them");
	vc_monplan_free(&p);

	vc_monplan_build(&p, NULL, 0, jv_array_append(jv_array(), jv_array_get(jv_copy(remote), 0)),
			 1);
	tap_ok(vc_monplan_max_deletes(&p, -1) == 1, "max deletes: at least 1");
	tap_ok(vc_monplan_max_deletes(&p, 0) == 0, "max deletes: 0 given is 0");
	tap_ok(vc_monplan_check_prune(&p, 0, &b) == -1,
	       "prune check: --max-deletes 0 refuses any delete");
	vc_monplan_free(&p);
	vc_buf_reset(&b);
	jv_free(remote);

	vc_monplan_build(&p, &d, 1, jv_array(), 0);
	vc_monplan_item_json(&p.items[0], &b);
	tap_is_str(b.p,
		   "{\"action\":\"create\",\"vc_id\":\"x\\\"y\",\"name\":"
		   "\"Q \\\"1\\\"\",\"id\":null,\"file\":\"dir/f.json\","
		   "\"changes\":[{\"path\":\".name\",\"from\":null,\"to\":"
		   "\"Q \\\"1\\\"\"},{\"path\":\".options.thresholds.critical\","
		   "\"from\":null,\"to\":2},{\"path\":\".query\",\"from\":null,"
		   "\"to\":\"avg(last_5m):max:m{*} > 2\"},{\"path\":\".tags\","
		   "\"from\":null,\"to\":[\"managed-by:vcobs\",\"vc-id:x\\\"y\"]},"
		   "{\"path\":\".type\",\"from\":null,\"to\":\"query alert\"}]}",
		   "item json: a create, quoted, with every field as a change");
	vc_buf_reset(&b);
	vc_monplan_summary(&p, &b);
	tap_is_str(b.p, "1 to create, 0 to update, 0 to delete, 0 unchanged", "summary");
	vc_monplan_free(&p);
	vc_buf_free(&b);
	jv_free(d.monitor);
}

int
main(void)
{
	test_build();
	test_resolve_name();
	test_prune_and_output();
	return tap_done();
}
