/*
 * monapply.c — name clashes, remote validation, applying and exporting
 * (see monapply.h).
 */
#include "monapply.h"

#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "monnorm.h"
#include "out.h"

/* The worse of two results: FAILED over REJECTED over OK. */
static int
worse(int a, int b)
{
	if (a == VC_MONAPI_FAILED || b == VC_MONAPI_FAILED)
		return VC_MONAPI_FAILED;
	return a > b ? a : b;
}

/* Reports a problem with item it: "FILE: vc-id ID: why". */
static void
report(const struct vc_monplan_item *it, const char *why)
{
	if (it->file)
		warnx("%s: vc-id %s: %s", it->file, it->vc_id, why);
	else
		warnx("monitor %lld (vc-id %s): %s", it->id, it->vc_id, why);
}

int
vc_monapply_names(struct vc_monapi *api, struct vc_monplan *p, int adopt)
{
	struct vc_buf why = VC_BUF_INIT;
	int result = VC_MONAPI_OK;

	for (size_t i = 0; i < p->n; i++) {
		struct vc_monplan_item *it = &p->items[i];
		jv found;
		int rc;

		if (it->action != VC_MONPLAN_CREATE || it->name_checked)
			continue;
		vc_buf_reset(&why);
		if (!it->name[0]) {
			it->name_checked = 1;
			continue;
		}
		rc = vc_monapi_list(api, NULL, it->name, &found, &why);
		if (rc == VC_MONAPI_OK && vc_monplan_resolve_name(it, found, adopt, &why) < 0)
			rc = VC_MONAPI_REJECTED;
		if (rc != VC_MONAPI_OK)
			report(it, why.p);
		result = worse(result, rc);
		if (rc == VC_MONAPI_FAILED)
			break;
	}
	vc_buf_free(&why);
	return result;
}

int
vc_monapply_validate(struct vc_monapi *api, struct vc_monplan *p, int all)
{
	struct vc_buf why = VC_BUF_INIT;
	int result = VC_MONAPI_OK;

	for (size_t i = 0; i < p->n; i++) {
		struct vc_monplan_item *it = &p->items[i];
		int rc;

		if (it->action == VC_MONPLAN_DELETE || (it->action == VC_MONPLAN_NOOP && !all))
			continue;
		vc_buf_reset(&why);
		vc_buf_adds(&why, "Datadog: ");
		/* A new monitor is validated as new even when --validate
		 * runs without a listing. */
		rc = vc_monapi_validate(api, it->action == VC_MONPLAN_CREATE ? 0 : it->id, it->body,
					&why);
		if (rc != VC_MONAPI_OK)
			report(it, why.p);
		result = worse(result, rc);
		if (rc == VC_MONAPI_FAILED)
			break;
	}
	vc_buf_free(&why);
	return result;
}

/* Writes item it's line; applied < 0 leaves "applied" out. */
static void
print_item(const struct vc_monplan_item *it, int applied, const char *error)
{
	struct vc_buf b = VC_BUF_INIT;

	vc_monplan_item_json(it, &b);
	if (applied >= 0) {
		b.len--; /* the closing brace */
		vc_buf_printf(&b, ",\"applied\":%s", applied ? "true" : "false");
		if (error) {
			vc_buf_adds(&b, ",\"error\":");
			vc_buf_add_json_string(&b, error, strlen(error));
		}
		vc_buf_addc(&b, '}');
	}
	vc_out_buf(&b);
	vc_out_end_record();
	vc_buf_free(&b);
}

void
vc_monapply_print_plan(const struct vc_monplan *p)
{
	for (size_t i = 0; i < p->n; i++)
		print_item(&p->items[i], -1, NULL);
}

/* Makes the one write item it needs. */
static int
apply_one(struct vc_monapi *api, struct vc_monplan_item *it, struct vc_buf *why)
{
	switch (it->action) {
	case VC_MONPLAN_CREATE:
		return vc_monapi_create(api, it->body, it->vc_id, &it->id, why);
	case VC_MONPLAN_UPDATE:
		return vc_monapi_update(api, it->id, it->body, why);
	case VC_MONPLAN_DELETE:
		return vc_monapi_delete(api, it->id, why);
	case VC_MONPLAN_NOOP:
		break;
	}
	return VC_MONAPI_OK;
}

int
vc_monapply_run(struct vc_monapi *api, struct vc_monplan *p, unsigned long counts[4])
{
	struct vc_buf why = VC_BUF_INIT;
	int rc = VC_MONAPI_OK;

	for (size_t i = 0; i < p->n; i++) {
		struct vc_monplan_item *it = &p->items[i];

		if (it->action == VC_MONPLAN_NOOP) {
			print_item(it, 0, NULL);
			continue;
		}
		vc_buf_reset(&why);
		rc = apply_one(api, it, &why);
		if (rc != VC_MONAPI_OK) {
			print_item(it, 0, why.p);
			report(it, why.p);
			break;
		}
		counts[it->action]++;
		print_item(it, 1, NULL);
	}
	vc_buf_free(&why);
	return rc;
}

/* A file name for vc id id: letters, digits, '.', '_' and '-' kept, other
 * bytes '_', no leading dot. */
static void
file_name(struct vc_buf *b, const char *id)
{
	for (const char *s = id; *s; s++) {
		char c = *s;
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			 (c >= '0' && c <= '9') || c == '_' || c == '-' || (c == '.' && s != id);

		vc_buf_addc(b, ok ? c : '_');
	}
}

/* Writes text to path through a temporary file and a rename, so a reader
 * never sees half a file.  Returns 0 or -1 after reporting. */
static int
write_file(const char *path, const char *text)
{
	struct vc_buf tmp = VC_BUF_INIT;
	FILE *f;
	int rc = 0;

	vc_buf_printf(&tmp, "%s.tmp.%ld", path, (long)getpid());
	f = fopen(tmp.p, "w");
	if (!f) {
		warn("%s", tmp.p);
		vc_buf_free(&tmp);
		return -1;
	}
	fputs(text, f);
	fputc('\n', f);
	if (ferror(f) | fclose(f)) {
		warn("%s", tmp.p);
		rc = -1;
	} else if (rename(tmp.p, path) < 0) {
		warn("%s", path);
		rc = -1;
	}
	if (rc < 0)
		unlink(tmp.p);
	vc_buf_free(&tmp);
	return rc;
}

int
vc_monapply_export(jv remote, const char *dir)
{
	struct vc_buf path = VC_BUF_INIT, line = VC_BUF_INIT;
	jv used = jv_object();
	int rc = 0;

	if (mkdir(dir, 0777) < 0 && errno != EEXIST) {
		warn("%s", dir);
		jv_free(remote);
		jv_free(used);
		return -1;
	}
	jv_array_foreach(remote, i, m)
	{
		(void)i;
		long long id = vc_monnorm_remote_id(m);
		char *name = vc_monnorm_name(m);
		char *vc_id;
		jv file, text, key;

		if (rc < 0 || !vc_monnorm_is_managed(m)) {
			free(name);
			jv_free(m);
			continue;
		}
		file = vc_monnorm_export(m);
		vc_id = vc_monnorm_vc_id(file);
		vc_buf_reset(&path);
		vc_buf_printf(&path, "%s/", dir);
		file_name(&path, vc_id ? vc_id : "monitor");
		key = jv_string(path.p);
		if (jv_object_has(jv_copy(used), jv_copy(key)))
			vc_buf_printf(&path, "-%lld", id);
		used = jv_object_set(used, key, jv_true());
		vc_buf_adds(&path, ".json");
		text = jv_dump_string(file, JV_PRINT_INDENT_FLAGS(2) | JV_PRINT_SORTED);
		rc = write_file(path.p, jv_string_value(text));
		jv_free(text);
		if (rc == 0) {
			vc_buf_reset(&line);
			vc_buf_adds(&line, "{\"action\":\"export\",\"vc_id\":");
			vc_buf_add_json_string(&line, vc_id ? vc_id : "",
					       vc_id ? strlen(vc_id) : 0);
			vc_buf_adds(&line, ",\"name\":");
			vc_buf_add_json_string(&line, name, strlen(name));
			vc_buf_printf(&line, ",\"id\":%lld,\"file\":", id);
			vc_buf_add_json_string(&line, path.p, path.len);
			vc_buf_addc(&line, '}');
			vc_out_buf(&line);
			vc_out_end_record();
		}
		free(vc_id);
		free(name);
	}
	jv_free(remote);
	jv_free(used);
	vc_buf_free(&path);
	vc_buf_free(&line);
	return rc;
}
