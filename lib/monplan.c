/*
 * monplan.c — matching file monitors to managed remote monitors, and the
 * actions between them (see monplan.h).
 */
#include "monplan.h"

#include <err.h>
#include <stdlib.h>
#include <string.h>

#include "monnorm.h"

/* A managed remote monitor in the listing. */
struct remote {
	char *vc_id;
	long long id;
	jv m;
	int used;
};

static int
by_id(const void *a, const void *b)
{
	const struct remote *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

/* A new zeroed item at the end of p. */
static struct vc_monplan_item *
add_item(struct vc_monplan *p)
{
	struct vc_monplan_item *it;

	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 16;
		p->items = realloc(p->items, p->cap * sizeof *p->items);
		if (!p->items)
			err(2, "plan");
	}
	it = &p->items[p->n++];
	memset(it, 0, sizeof *it);
	it->body = jv_null();
	it->changes = jv_array();
	return it;
}

/* Sets it to update or no-op against remote monitor m (borrowed). */
static void
match(struct vc_monplan_item *it, jv m)
{
	jv_free(it->changes);
	it->changes = vc_monnorm_diff(jv_copy(it->body), jv_copy(m));
	it->id = vc_monnorm_remote_id(m);
	it->action =
		jv_array_length(jv_copy(it->changes)) > 0 ? VC_MONPLAN_UPDATE : VC_MONPLAN_NOOP;
}

void
vc_monplan_build(struct vc_monplan *p, const struct vc_mondesired *desired, size_t nd, jv remote,
		 int prune)
{
	struct remote *re = NULL;
	size_t nre = 0, i, j;

	p->prune = prune;
	if (jv_get_kind(remote) == JV_KIND_ARRAY) {
		re = calloc((size_t)jv_array_length(jv_copy(remote)) + 1, sizeof *re);
		if (!re)
			err(2, "plan");
		jv_array_foreach(remote, k, m)
		{
			(void)k;
			if (!vc_monnorm_is_managed(m)) {
				jv_free(m);
				continue;
			}
			p->listed++;
			re[nre].id = vc_monnorm_remote_id(m);
			re[nre].vc_id = vc_monnorm_vc_id(m);
			if (!re[nre].id) {
				warnx("a remote monitor tagged %s has no id: left alone",
				      VC_MONNORM_MANAGED_TAG);
				p->skipped++;
				free(re[nre].vc_id);
				jv_free(m);
				continue;
			}
			/* Tagged managed in the UI, never pushed: known by the
			 * name --export gives it. */
			if (!re[nre].vc_id && asprintf(&re[nre].vc_id, "dd-%lld", re[nre].id) < 0)
				err(2, "plan");
			re[nre++].m = m;
		}
	}
	jv_free(remote);
	if (nre)
		qsort(re, nre, sizeof *re, by_id);

	for (i = 0; i < nd; i++) {
		struct vc_monplan_item *it = add_item(p);

		it->vc_id = strdup(desired[i].vc_id);
		it->name = vc_monnorm_name(desired[i].monitor);
		it->file = desired[i].file;
		it->line = desired[i].line;
		it->body = vc_monnorm_body(jv_copy(desired[i].monitor), desired[i].vc_id);
		for (j = 0; j < nre; j++)
			if (!re[j].used && strcmp(re[j].vc_id, it->vc_id) == 0)
				break;
		if (j < nre) {
			re[j].used = 1;
			match(it, re[j].m);
		} else {
			it->action = VC_MONPLAN_CREATE;
			jv_free(it->changes);
			it->changes = vc_monnorm_diff(jv_copy(it->body), jv_object());
		}
	}

	for (j = 0; j < nre; j++) {
		if (re[j].used)
			continue;
		for (i = 0; i < j; i++)
			if (strcmp(re[i].vc_id, re[j].vc_id) == 0)
				break;
		if (i < j)
			warnx("remote monitors %lld and %lld both carry "
			      "vc-id:%s: %s",
			      re[i].id, re[j].id, re[j].vc_id,
			      prune ? "deleting the second" : "--prune deletes the second");
		p->not_in_files++;
		if (prune) {
			struct vc_monplan_item *it = add_item(p);

			it->action = VC_MONPLAN_DELETE;
			it->vc_id = strdup(re[j].vc_id);
			it->name = vc_monnorm_name(re[j].m);
			it->id = re[j].id;
		}
	}
	for (j = 0; j < nre; j++) {
		free(re[j].vc_id);
		jv_free(re[j].m);
	}
	free(re);
}

int
vc_monplan_resolve_name(struct vc_monplan_item *it, jv found, int adopt, struct vc_buf *why)
{
	jv self = jv_invalid(), other = jv_invalid();
	size_t others = 0;
	struct vc_buf ids = VC_BUF_INIT;
	int rc = 0;

	it->name_checked = 1;
	if (jv_get_kind(found) == JV_KIND_ARRAY) {
		jv_array_foreach(found, k, m)
		{
			(void)k;
			char *name = vc_monnorm_name(m);

			if (vc_monnorm_is_managed(m)) {
				char *id = vc_monnorm_vc_id(m);

				if (id && strcmp(id, it->vc_id) == 0 && !jv_is_valid(self)) {
					self = jv_copy(m);
				}
				free(id);
			} else if (strcmp(name, it->name) == 0) {
				vc_buf_printf(&ids, "%s%lld", others ? ", " : "",
					      vc_monnorm_remote_id(m));
				if (!others++)
					other = jv_copy(m);
			}
			free(name);
			jv_free(m);
		}
	}
	jv_free(found);
	if (jv_is_valid(self)) {
		/* The listing missed it; never create a second one. */
		match(it, self);
	} else if (others > 1) {
		vc_buf_printf(why,
			      "%zu unmanaged monitors are named \"%s\" "
			      "(ids %s): neither adopting nor creating it",
			      others, it->name, ids.p);
		rc = -1;
	} else if (others == 1 && !adopt) {
		vc_buf_printf(why,
			      "an unmanaged monitor is named \"%s\" (id %s):"
			      " not creating a duplicate (--adopt takes it over)",
			      it->name, ids.p);
		rc = -1;
	} else if (others == 1) {
		match(it, other);
		it->adopted = 1;
		/* Adopting always writes, to add the tags. */
		it->action = VC_MONPLAN_UPDATE;
	}
	jv_free(self);
	jv_free(other);
	vc_buf_free(&ids);
	return rc;
}

size_t
vc_monplan_max_deletes(const struct vc_monplan *p, long max_deletes)
{
	size_t tenth = p->listed / 10;

	if (max_deletes >= 0)
		return (size_t)max_deletes;
	return tenth > 1 ? tenth : 1;
}

int
vc_monplan_check_prune(const struct vc_monplan *p, long max_deletes, struct vc_buf *why)
{
	size_t deletes = vc_monplan_count(p, VC_MONPLAN_DELETE);
	size_t max = vc_monplan_max_deletes(p, max_deletes);

	if (!p->prune)
		return 0;
	if (p->listed == 0) {
		vc_buf_printf(why, "the listing of managed monitors came back "
				   "empty: refusing to prune (push once without "
				   "--prune to create them)");
		return -1;
	}
	if (deletes > max) {
		vc_buf_printf(why,
			      "the plan deletes %zu of %zu managed monitors,"
			      " more than --max-deletes %zu: refusing to prune",
			      deletes, p->listed, max);
		return -1;
	}
	return 0;
}

size_t
vc_monplan_count(const struct vc_monplan *p, enum vc_monplan_action action)
{
	size_t i, n = 0;

	for (i = 0; i < p->n; i++)
		n += p->items[i].action == action;
	return n;
}

const char *
vc_monplan_action_name(enum vc_monplan_action a)
{
	switch (a) {
	case VC_MONPLAN_CREATE:
		return "create";
	case VC_MONPLAN_UPDATE:
		return "update";
	case VC_MONPLAN_DELETE:
		return "delete";
	case VC_MONPLAN_NOOP:
		break;
	}
	return "noop";
}

void
vc_monplan_item_json(const struct vc_monplan_item *it, struct vc_buf *b)
{
	const char *action = vc_monplan_action_name(it->action);
	jv changes = jv_dump_string(jv_copy(it->changes), 0);

	vc_buf_adds(b, "{\"action\":");
	vc_buf_add_json_string(b, action, strlen(action));
	vc_buf_adds(b, ",\"vc_id\":");
	vc_buf_add_json_string(b, it->vc_id, strlen(it->vc_id));
	vc_buf_adds(b, ",\"name\":");
	vc_buf_add_json_string(b, it->name, strlen(it->name));
	if (it->id)
		vc_buf_printf(b, ",\"id\":%lld", it->id);
	else
		vc_buf_adds(b, ",\"id\":null");
	if (it->file) {
		vc_buf_adds(b, ",\"file\":");
		vc_buf_add_json_string(b, it->file, strlen(it->file));
	}
	vc_buf_adds(b, ",\"changes\":");
	vc_buf_adds(b, jv_string_value(changes));
	if (it->adopted)
		vc_buf_adds(b, ",\"adopted\":true");
	vc_buf_addc(b, '}');
	jv_free(changes);
}

void
vc_monplan_summary(const struct vc_monplan *p, struct vc_buf *b)
{
	vc_buf_printf(b,
		      "%zu to create, %zu to update, %zu to delete, "
		      "%zu unchanged",
		      vc_monplan_count(p, VC_MONPLAN_CREATE),
		      vc_monplan_count(p, VC_MONPLAN_UPDATE),
		      vc_monplan_count(p, VC_MONPLAN_DELETE), vc_monplan_count(p, VC_MONPLAN_NOOP));
	if (!p->prune && p->not_in_files)
		vc_buf_printf(b,
			      "; %zu managed monitor%s in no file "
			      "(--prune deletes %s)",
			      p->not_in_files, p->not_in_files == 1 ? "" : "s",
			      p->not_in_files == 1 ? "it" : "them");
}

void
vc_monplan_free(struct vc_monplan *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		free(p->items[i].vc_id);
		free(p->items[i].name);
		jv_free(p->items[i].body);
		jv_free(p->items[i].changes);
	}
	free(p->items);
	memset(p, 0, sizeof *p);
}
