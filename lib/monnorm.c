/*
 * monnorm.c — the canonical form of a Datadog monitor (see monnorm.h).
 */
#include "monnorm.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

/* Fields the API owns: never sent, never compared. */
static const char *const read_only[] = {
	"created",
	"created_at",
	"creator",
	"deleted",
	"id",
	"matching_downtimes",
	"modified",
	"multi",
	"org_id",
	"overall_state",
	"overall_state_modified",
	"state",
	NULL,
};

/* Top-level fields vcobs compares even when only the remote has them: a
 * user may set them in the UI and the file must win. */
static const char *const settable[] = {
	"draft_status", "message",          "name", "options", "priority",
	"query",        "restricted_roles", "tags", "type",    NULL,
};

/* Options compared even when only the remote has them, and the documented
 * default of each (JSON; NULL when null is the only default).  An option
 * equal to its default is the same as an absent one. */
static const struct option_default {
	const char *key;
	const char *json;
} option_defaults[] = {
	{"aggregation", NULL},
	{"enable_logs_sample", "false"},
	{"enable_samples", "false"},
	{"escalation_message", "\"\""},
	{"evaluation_delay", NULL},
	{"groupby_simple_monitor", "false"},
	{"include_tags", "true"},
	{"locked", "false"},
	{"new_group_delay", "60"},
	{"new_host_delay", "300"},
	{"notification_preset_name", "\"show_all\""},
	{"notify_audit", "false"},
	{"notify_by", NULL},
	{"notify_no_data", "false"},
	{"on_missing_data", "\"default\""},
	{"renotify_interval", "0"},
	{"renotify_occurrences", NULL},
	{"require_full_window", "false"},
	{"scheduling_options", NULL},
	{"threshold_windows", NULL},
	{"thresholds", NULL},
	{"timeout_h", "0"},
	{"variables", NULL},
	{NULL, NULL},
};

static int
in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

static const struct option_default *
find_option(const char *key)
{
	const struct option_default *o;

	for (o = option_defaults; o->key; o++)
		if (strcmp(o->key, key) == 0)
			return o;
	return NULL;
}

/* Whether v (borrowed) counts as absent: null, {} or []. */
static int
is_empty(jv v)
{
	switch (jv_get_kind(v)) {
	case JV_KIND_NULL:
		return 1;
	case JV_KIND_OBJECT:
		return jv_object_length(jv_copy(v)) == 0;
	case JV_KIND_ARRAY:
		return jv_array_length(jv_copy(v)) == 0;
	default:
		return 0;
	}
}

/* Drops absent values at every depth.  Consumes v. */
static jv
drop_empty(jv v)
{
	jv out;

	if (jv_get_kind(v) == JV_KIND_OBJECT) {
		out = jv_object();
		jv_object_foreach(v, key, val)
		{
			val = drop_empty(val);
			if (is_empty(val)) {
				jv_free(key);
				jv_free(val);
			} else {
				out = jv_object_set(out, key, val);
			}
		}
		jv_free(v);
		return out;
	}
	if (jv_get_kind(v) == JV_KIND_ARRAY) {
		out = jv_array();
		jv_array_foreach(v, i, val)
		{
			(void)i;
			out = jv_array_append(out, drop_empty(val));
		}
		jv_free(v);
		return out;
	}
	return v;
}

/* s without surrounding white space.  Consumes s when it is a string;
 * anything else comes back unchanged. */
static jv
trim(jv s)
{
	const char *p, *e;
	jv out;

	if (jv_get_kind(s) != JV_KIND_STRING)
		return s;
	p = jv_string_value(s);
	e = p + jv_string_length_bytes(jv_copy(s));
	while (p < e && isspace((unsigned char)*p))
		p++;
	while (e > p && isspace((unsigned char)e[-1]))
		e--;
	out = jv_string_sized(p, (int)(e - p));
	jv_free(s);
	return out;
}

/* An array sorted with duplicates removed; anything else unchanged.
 * Consumes a. */
static jv
sorted_set(jv a)
{
	jv out, prev;

	if (jv_get_kind(a) != JV_KIND_ARRAY)
		return a;
	/* jv_sort orders its first argument by the second, element-wise. */
	a = jv_sort(jv_copy(a), a);
	out = jv_array();
	prev = jv_invalid();
	jv_array_foreach(a, i, v)
	{
		(void)i;
		if (jv_is_valid(prev) && jv_equal(jv_copy(prev), jv_copy(v))) {
			jv_free(v);
			continue;
		}
		jv_free(prev);
		prev = jv_copy(v);
		out = jv_array_append(out, v);
	}
	jv_free(prev);
	jv_free(a);
	return out;
}

/* The options object with defaults removed.  Consumes opts. */
static jv
canon_options(jv opts)
{
	jv out;

	if (jv_get_kind(opts) != JV_KIND_OBJECT)
		return opts;
	out = jv_object();
	jv_object_foreach(opts, key, val)
	{
		const struct option_default *o = find_option(jv_string_value(key));

		if (o && o->json) {
			jv def = jv_parse(o->json);

			if (jv_equal(def, jv_copy(val))) {
				jv_free(key);
				jv_free(val);
				continue;
			}
		}
		if (strcmp(jv_string_value(key), "notify_by") == 0)
			val = sorted_set(val);
		out = jv_object_set(out, key, val);
	}
	jv_free(opts);
	return out;
}

jv
vc_monnorm_canon(jv m)
{
	const char *const *k;
	jv v;

	if (jv_get_kind(m) != JV_KIND_OBJECT)
		return m;
	for (k = read_only; *k; k++)
		m = jv_object_delete(m, jv_string(*k));
	m = drop_empty(m);
	v = jv_object_get(jv_copy(m), jv_string("type"));
	if (jv_get_kind(v) == JV_KIND_STRING && strcmp(jv_string_value(v), "metric alert") == 0)
		m = jv_object_set(m, jv_string("type"), jv_string("query alert"));
	jv_free(v);
	static const char *const trimmed[] = {"message", "name", "query"};
	for (size_t i = 0; i < sizeof trimmed / sizeof *trimmed; i++) {
		if (!jv_object_has(jv_copy(m), jv_string(trimmed[i])))
			continue;
		v = trim(jv_object_get(jv_copy(m), jv_string(trimmed[i])));
		m = jv_object_set(m, jv_string(trimmed[i]), v);
	}
	static const char *const sets[] = {"restricted_roles", "tags"};
	for (size_t i = 0; i < sizeof sets / sizeof *sets; i++) {
		if (!jv_object_has(jv_copy(m), jv_string(sets[i])))
			continue;
		v = sorted_set(jv_object_get(jv_copy(m), jv_string(sets[i])));
		m = jv_object_set(m, jv_string(sets[i]), v);
	}
	v = jv_object_get(jv_copy(m), jv_string("draft_status"));
	if (jv_get_kind(v) == JV_KIND_STRING && strcmp(jv_string_value(v), "published") == 0)
		m = jv_object_delete(m, jv_string("draft_status"));
	jv_free(v);
	if (jv_object_has(jv_copy(m), jv_string("options"))) {
		v = canon_options(jv_object_get(jv_copy(m), jv_string("options")));
		m = jv_object_set(m, jv_string("options"), v);
	}
	/* Removing defaults may have left {} or "" trimmed to nothing. */
	m = drop_empty(m);
	v = jv_object_get(jv_copy(m), jv_string("message"));
	if (jv_get_kind(v) == JV_KIND_STRING && jv_string_length_bytes(jv_copy(v)) == 0)
		m = jv_object_delete(m, jv_string("message"));
	jv_free(v);
	return m;
}

/* Remote keys only compared when the desired side has them are dropped
 * from remote.  Consumes remote, borrows desired; both canonical. */
static jv
project(jv remote, jv desired)
{
	jv out, dopts, ropts, o;

	if (jv_get_kind(remote) != JV_KIND_OBJECT || jv_get_kind(desired) != JV_KIND_OBJECT)
		return remote;
	out = jv_object();
	jv_object_foreach(remote, key, val)
	{
		if (!in_list(settable, jv_string_value(key)) &&
		    !jv_object_has(jv_copy(desired), jv_copy(key))) {
			jv_free(key);
			jv_free(val);
			continue;
		}
		out = jv_object_set(out, key, val);
	}
	jv_free(remote);
	ropts = jv_object_get(jv_copy(out), jv_string("options"));
	if (jv_get_kind(ropts) != JV_KIND_OBJECT) {
		jv_free(ropts);
		return out;
	}
	dopts = jv_object_get(jv_copy(desired), jv_string("options"));
	o = jv_object();
	jv_object_foreach(ropts, key, val)
	{
		if (!find_option(jv_string_value(key)) &&
		    !(jv_get_kind(dopts) == JV_KIND_OBJECT &&
		      jv_object_has(jv_copy(dopts), jv_copy(key)))) {
			jv_free(key);
			jv_free(val);
			continue;
		}
		o = jv_object_set(o, key, val);
	}
	jv_free(ropts);
	jv_free(dopts);
	if (jv_object_length(jv_copy(o)) == 0) {
		jv_free(o);
		return jv_object_delete(out, jv_string("options"));
	}
	return jv_object_set(out, jv_string("options"), o);
}

/* Whether key can follow a dot in a jq path unquoted. */
static int
plain_key(const char *s)
{
	if (!(isalpha((unsigned char)*s) || *s == '_'))
		return 0;
	for (; *s; s++)
		if (!(isalnum((unsigned char)*s) || *s == '_'))
			return 0;
	return 1;
}

/* Appends the changes from r to d under path to *changes.  Consumes d
 * and r, borrows path. */
static void
diff_at(jv d, jv r, const char *path, jv *changes)
{
	int dobj = jv_get_kind(d) == JV_KIND_OBJECT;
	int robj = jv_get_kind(r) == JV_KIND_OBJECT;
	int dnone = !jv_is_valid(d) || jv_get_kind(d) == JV_KIND_NULL;
	int rnone = !jv_is_valid(r) || jv_get_kind(r) == JV_KIND_NULL;

	/* An object against nothing is compared member by member, so every
	 * change names a leaf. */
	if ((dobj && (robj || rnone)) || (robj && dnone)) {
		if (dnone) {
			jv_free(d);
			d = jv_object();
		}
		if (rnone) {
			jv_free(r);
			r = jv_object();
		}
		jv keys = jv_keys(jv_copy(d));
		jv rkeys = jv_keys(jv_copy(r));
		struct vc_buf sub = VC_BUF_INIT;

		jv_array_foreach(rkeys, i, k)
		{
			(void)i;
			if (!jv_object_has(jv_copy(d), jv_copy(k)))
				keys = jv_array_append(keys, k);
			else
				jv_free(k);
		}
		jv_free(rkeys);
		keys = jv_sort(jv_copy(keys), keys);
		jv_array_foreach(keys, i, k)
		{
			(void)i;
			const char *ks = jv_string_value(k);

			vc_buf_reset(&sub);
			vc_buf_adds(&sub, path);
			if (plain_key(ks)) {
				vc_buf_addc(&sub, '.');
				vc_buf_adds(&sub, ks);
			} else {
				vc_buf_adds(&sub, path[0] ? "[" : ".[");
				vc_buf_add_json_string(&sub, ks, strlen(ks));
				vc_buf_addc(&sub, ']');
			}
			diff_at(jv_object_get(jv_copy(d), jv_copy(k)),
				jv_object_get(jv_copy(r), jv_copy(k)), sub.p, changes);
			jv_free(k);
		}
		vc_buf_free(&sub);
		jv_free(keys);
		jv_free(d);
		jv_free(r);
		return;
	}
	if (!jv_is_valid(d)) {
		jv_free(d);
		d = jv_null();
	}
	if (!jv_is_valid(r)) {
		jv_free(r);
		r = jv_null();
	}
	if (jv_equal(jv_copy(d), jv_copy(r))) {
		jv_free(d);
		jv_free(r);
		return;
	}
	jv c = jv_object();
	c = jv_object_set(c, jv_string("path"), jv_string(path[0] ? path : "."));
	c = jv_object_set(c, jv_string("from"), r);
	c = jv_object_set(c, jv_string("to"), d);
	*changes = jv_array_append(*changes, c);
}

jv
vc_monnorm_diff(jv desired, jv remote)
{
	jv changes = jv_array();

	desired = vc_monnorm_canon(desired);
	remote = project(vc_monnorm_canon(remote), desired);
	diff_at(desired, remote, "", &changes);
	return changes;
}

/* Whether tag (borrowed) is a string starting with prefix. */
static int
tag_has_prefix(jv tag, const char *prefix)
{
	return jv_get_kind(tag) == JV_KIND_STRING &&
	       strncmp(jv_string_value(tag), prefix, strlen(prefix)) == 0;
}

jv
vc_monnorm_body(jv m, const char *vc_id)
{
	const char *const *k;
	jv tags, out;

	if (jv_get_kind(m) != JV_KIND_OBJECT)
		return m;
	for (k = read_only; *k; k++)
		m = jv_object_delete(m, jv_string(*k));
	tags = jv_object_get(jv_copy(m), jv_string("tags"));
	out = jv_array();
	if (jv_get_kind(tags) == JV_KIND_ARRAY) {
		jv_array_foreach(tags, i, t)
		{
			(void)i;
			if (tag_has_prefix(t, VC_MONNORM_ID_PREFIX) ||
			    (jv_get_kind(t) == JV_KIND_STRING &&
			     strcmp(jv_string_value(t), VC_MONNORM_MANAGED_TAG) == 0))
				jv_free(t);
			else
				out = jv_array_append(out, t);
		}
	}
	jv_free(tags);
	out = jv_array_append(out, jv_string(VC_MONNORM_MANAGED_TAG));
	out = jv_array_append(out, jv_string_fmt("%s%s", VC_MONNORM_ID_PREFIX, vc_id));
	return jv_object_set(m, jv_string("tags"), out);
}

jv
vc_monnorm_export(jv remote)
{
	long long id = vc_monnorm_remote_id(remote);
	char *vc_id = vc_monnorm_vc_id(remote);
	jv m, tags, out;

	m = vc_monnorm_canon(remote);
	if (jv_get_kind(m) != JV_KIND_OBJECT) {
		free(vc_id);
		return m;
	}
	tags = jv_object_get(jv_copy(m), jv_string("tags"));
	out = jv_array();
	if (jv_get_kind(tags) == JV_KIND_ARRAY) {
		jv_array_foreach(tags, i, t)
		{
			(void)i;
			if (jv_get_kind(t) == JV_KIND_STRING &&
			    strcmp(jv_string_value(t), VC_MONNORM_MANAGED_TAG) == 0)
				jv_free(t);
			else
				out = jv_array_append(out, t);
		}
	}
	jv_free(tags);
	if (!vc_id)
		out = jv_array_append(out, jv_string_fmt("%sdd-%lld", VC_MONNORM_ID_PREFIX, id));
	free(vc_id);
	return jv_object_set(m, jv_string("tags"), sorted_set(out));
}

char *
vc_monnorm_vc_id(jv m)
{
	jv tags;
	char *id = NULL;
	size_t n = strlen(VC_MONNORM_ID_PREFIX);

	if (jv_get_kind(m) != JV_KIND_OBJECT)
		return NULL;
	tags = jv_object_get(jv_copy(m), jv_string("tags"));
	if (jv_get_kind(tags) == JV_KIND_ARRAY) {
		jv_array_foreach(tags, i, t)
		{
			(void)i;
			if (!id && tag_has_prefix(t, VC_MONNORM_ID_PREFIX) && jv_string_value(t)[n])
				id = strdup(jv_string_value(t) + n);
			jv_free(t);
		}
	}
	jv_free(tags);
	return id;
}

int
vc_monnorm_is_managed(jv m)
{
	jv tags;
	int found = 0;

	if (jv_get_kind(m) != JV_KIND_OBJECT)
		return 0;
	tags = jv_object_get(jv_copy(m), jv_string("tags"));
	if (jv_get_kind(tags) == JV_KIND_ARRAY) {
		jv_array_foreach(tags, i, t)
		{
			(void)i;
			if (jv_get_kind(t) == JV_KIND_STRING &&
			    strcmp(jv_string_value(t), VC_MONNORM_MANAGED_TAG) == 0)
				found = 1;
			jv_free(t);
		}
	}
	jv_free(tags);
	return found;
}

long long
vc_monnorm_remote_id(jv m)
{
	jv id;
	double d;
	long long out = 0;

	if (jv_get_kind(m) != JV_KIND_OBJECT)
		return 0;
	id = jv_object_get(jv_copy(m), jv_string("id"));
	if (jv_get_kind(id) == JV_KIND_NUMBER) {
		d = jv_number_value(id);
		if (d >= 1 && d < 9007199254740992.0 && d == floor(d))
			out = (long long)d;
	}
	jv_free(id);
	return out;
}

char *
vc_monnorm_name(jv m)
{
	jv name;
	char *out;

	if (jv_get_kind(m) != JV_KIND_OBJECT)
		return strdup("");
	name = trim(jv_object_get(jv_copy(m), jv_string("name")));
	out = strdup(jv_get_kind(name) == JV_KIND_STRING ? jv_string_value(name) : "");
	jv_free(name);
	return out;
}
