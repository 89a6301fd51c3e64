/*
 * monitor.c — loading Datadog monitor files (monitor.h).  The files are
 * read with the strict scanner of json.h, which keeps byte offsets, so
 * every later message can point at a line and column of the file.
 */
#include "monitor.h"

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "msg.h"
#include "xalloc.h"

/* Monitor files are configuration: anything bigger is a mistake. */
#define MAX_MONITOR_FILE (16L * 1024 * 1024)

const char *
vc_monitor_status_name(enum vc_monitor_status s)
{
	static const char *names[] = {"ok", "warn", "alert", "no_data"};

	return names[s];
}

/* Line and column (from 1, counting UTF-8 characters) of text[off]. */
static void
locate(const char *text, size_t off, unsigned long line0, unsigned long col0, unsigned long *line,
       unsigned long *col)
{
	size_t k;

	*line = line0;
	*col = col0;
	for (k = 0; k < off; k++) {
		if (text[k] == '\n') {
			(*line)++;
			*col = 1;
		} else if (((unsigned char)text[k] & 0xc0) != 0x80) {
			(*col)++;
		}
	}
}

void
vc_monitor_locate(const struct vc_monitor *m, size_t off, unsigned long *line, unsigned long *col)
{
	locate(m->json, off < m->len ? off : m->len, m->line, m->col, line, col);
}

/* A decoded copy of a string member, or NULL when absent or no string. */
static char *
member_string(struct vc_json_span obj, const char *name)
{
	struct vc_json_span v;
	struct vc_buf b = VC_BUF_INIT;

	if (!vc_json_member(obj, name, &v) || v.type != VC_JSON_STRING)
		return NULL;
	vc_json_string(v, &b);
	if (b.p == NULL)
		return vc_xstrdup("");
	return b.p;
}

static int
member_number(struct vc_json_span obj, const char *name, double *out)
{
	struct vc_json_span v;

	if (!vc_json_member(obj, name, &v) || v.type != VC_JSON_NUMBER)
		return 0;
	*out = vc_json_number(v);
	return isfinite(*out);
}

static int
member_true(struct vc_json_span obj, const char *name)
{
	struct vc_json_span v;

	return vc_json_member(obj, name, &v) && v.type == VC_JSON_TRUE;
}

/* The value of a "vc-id:ID" tag, or NULL. */
static char *
vc_id_tag(struct vc_json_span obj)
{
	struct vc_json_span tags, t;
	struct vc_json_iter it;
	struct vc_buf b = VC_BUF_INIT;
	char *id = NULL;

	if (!vc_json_member(obj, "tags", &tags) || tags.type != VC_JSON_ARRAY)
		return NULL;
	vc_json_iter_init(tags, &it);
	while (vc_json_array_next(&it, &t)) {
		if (t.type != VC_JSON_STRING)
			continue;
		vc_json_string(t, &b);
		if (b.len > 6 && strncmp(b.p, "vc-id:", 6) == 0) {
			free(id);
			id = vc_xstrdup(b.p + 6);
		}
	}
	vc_buf_free(&b);
	return id;
}

static void
read_options(struct vc_monitor *m, struct vc_json_span root)
{
	struct vc_monitor_options *o = &m->options;
	struct vc_json_span opts, th, rs, s;
	struct vc_json_iter it;
	double d;

	o->renotify_statuses = 1u << VC_STATUS_ALERT | 1u << VC_STATUS_NO_DATA;
	if (!vc_json_member(root, "options", &opts) || opts.type != VC_JSON_OBJECT)
		return;
	if (vc_json_member(opts, "thresholds", &th) && th.type == VC_JSON_OBJECT) {
		o->has_critical = member_number(th, "critical", &o->critical);
		o->has_warning = member_number(th, "warning", &o->warning);
		o->has_critical_recovery =
			member_number(th, "critical_recovery", &o->critical_recovery);
		o->has_warning_recovery =
			member_number(th, "warning_recovery", &o->warning_recovery);
	}
	o->notify_no_data = member_true(opts, "notify_no_data");
	if (member_number(opts, "no_data_timeframe", &d) && d > 0)
		o->no_data_timeframe = d * 60;
	if (member_number(opts, "evaluation_delay", &d) && d > 0)
		o->evaluation_delay = d;
	if (member_number(opts, "new_group_delay", &d) && d > 0)
		o->new_group_delay = d;
	o->require_full_window = member_true(opts, "require_full_window");
	if (member_number(opts, "renotify_interval", &d) && d > 0)
		o->renotify_interval = d * 60;
	if (member_number(opts, "timeout_h", &d) && d > 0)
		o->timeout = d * 3600;
	if (vc_json_member(opts, "renotify_statuses", &rs) && rs.type == VC_JSON_ARRAY) {
		o->renotify_statuses = 0;
		vc_json_iter_init(rs, &it);
		while (vc_json_array_next(&it, &s)) {
			if (vc_json_key_is(s, "alert", 5))
				o->renotify_statuses |= 1u << VC_STATUS_ALERT;
			else if (vc_json_key_is(s, "warn", 4))
				o->renotify_statuses |= 1u << VC_STATUS_WARN;
			else if (vc_json_key_is(s, "no data", 7))
				o->renotify_statuses |= 1u << VC_STATUS_NO_DATA;
		}
	}
}

/* The file's base name without folder and extension. */
static char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *b = vc_xstrdup(slash ? slash + 1 : path);
	char *dot = strrchr(b, '.');

	if (dot && dot != b)
		*dot = '\0';
	return b;
}

static int
is_metric_type(const char *type)
{
	return type == NULL || strcmp(type, "metric alert") == 0 ||
	       strcmp(type, "query alert") == 0;
}

/* Adds the monitor whose object is text[root], position pos (0: alone). */
static void
add(struct vc_monitor_set *set, const char *path, const char *text, struct vc_json_span root,
    int pos)
{
	struct vc_monitor *m;
	struct vc_json_span obj;
	const char *why;
	size_t off;
	struct vc_json_span pr;

	if (set->n == set->cap) {
		set->cap = set->cap ? set->cap * 2 : 8;
		set->v = realloc(set->v, set->cap * sizeof *set->v);
		if (set->v == NULL)
			err(VC_EXIT_USAGE, "out of memory");
	}
	m = &set->v[set->n++];
	memset(m, 0, sizeof *m);
	m->file = vc_xstrdup(path);
	m->position = pos;
	locate(text, (size_t)(root.p - text), 1, 1, &m->line, &m->col);
	m->json = malloc(root.len + 1);
	if (m->json == NULL)
		err(VC_EXIT_USAGE, "out of memory");
	memcpy(m->json, root.p, root.len);
	m->json[root.len] = '\0';
	m->len = root.len;
	/* Re-root on the copy, so spans point into m->json from now on. */
	if (vc_json_check(m->json, m->len, &obj, &why, &off) != 0)
		errx(VC_EXIT_USAGE, "%s: internal error re-reading a monitor", path);
	m->name = member_string(obj, "name");
	m->type = member_string(obj, "type");
	m->query_text = member_string(obj, "query");
	m->message = member_string(obj, "message");
	if (vc_json_member(obj, "priority", &pr) && pr.type == VC_JSON_NUMBER) {
		double d = vc_json_number(pr);

		if (d >= 1 && d <= 5 && d == floor(d))
			m->priority = (int)d;
	}
	read_options(m, obj);
	m->id = vc_id_tag(obj);
	if (m->id == NULL) {
		char *b = base_name(path);

		if (pos == 0) {
			m->id = b;
		} else {
			struct vc_buf id = VC_BUF_INIT;

			vc_buf_printf(&id, "%s-%d", b, pos);
			free(b);
			m->id = id.p;
		}
	}
	if (m->query_text && is_metric_type(m->type)) {
		struct vc_query_error qerr;

		m->query = vc_query_parse(m->query_text, &qerr);
	}
}

static void
bad(const char *path, const char *text, size_t off, const char *why)
{
	unsigned long line, col;

	locate(text, off, 1, 1, &line, &col);
	warnx("%s:%lu:%lu: %s", path, line, col, why);
}

/* Whether text[0..n) holds nothing but white space. */
static int
blank(const char *s, size_t n)
{
	size_t k;

	for (k = 0; k < n; k++)
		if (s[k] != ' ' && s[k] != '\t' && s[k] != '\r' && s[k] != '\n')
			return 0;
	return 1;
}

/* One object, an array of objects, or JSON lines of objects. */
static int
parse_text(struct vc_monitor_set *set, const char *path, const char *text, size_t n)
{
	struct vc_json_span root, el;
	struct vc_json_iter it;
	const char *why;
	size_t off, start, end;
	int problems = 0, pos = 0;

	if (blank(text, n)) {
		warnx("%s:1:1: no monitor in the file", path);
		return 1;
	}
	if (vc_json_check(text, n, &root, &why, &off) == 0) {
		if (root.type == VC_JSON_OBJECT) {
			add(set, path, text, root, 0);
			return 0;
		}
		if (root.type != VC_JSON_ARRAY) {
			bad(path, text, (size_t)(root.p - text),
			    "expected a monitor object, an array of them, or JSON lines");
			return 1;
		}
		vc_json_iter_init(root, &it);
		while (vc_json_array_next(&it, &el)) {
			pos++;
			if (el.type != VC_JSON_OBJECT) {
				bad(path, text, (size_t)(el.p - text),
				    "array element is not a monitor object");
				problems++;
				continue;
			}
			add(set, path, text, el, pos);
		}
		return problems;
	}
	/* JSON lines, when the first line is a value of its own; otherwise
	 * the whole-file error is the one that makes sense. */
	start = 0;
	while (start < n && blank(text + start, 1))
		start++;
	end = start;
	while (end < n && text[end] != '\n')
		end++;
	if (vc_json_check(text + start, end - start, &root, &why, &off) != 0 || end == n) {
		size_t at;

		vc_json_check(text, n, &root, &why, &at);
		bad(path, text, at, why);
		return 1;
	}
	for (start = 0; start < n; start = end + 1) {
		end = start;
		while (end < n && text[end] != '\n')
			end++;
		if (blank(text + start, end - start))
			continue;
		pos++;
		if (vc_json_check(text + start, end - start, &root, &why, &off) != 0) {
			bad(path, text, start + off, why);
			problems++;
		} else if (root.type != VC_JSON_OBJECT) {
			bad(path, text, (size_t)(root.p - text), "line is not a monitor object");
			problems++;
		} else {
			add(set, path, text, root, pos);
		}
	}
	return problems;
}

static int
load_file(struct vc_monitor_set *set, const char *path)
{
	struct vc_buf b = VC_BUF_INIT;
	int problems;

	if (vc_buf_add_file(&b, path, MAX_MONITOR_FILE) < 0) {
		if (errno == EFBIG)
			warnx("%s: larger than %ld bytes: not a monitor file", path,
			      MAX_MONITOR_FILE);
		else
			warn("%s", path);
		vc_buf_free(&b);
		set->io_errors++;
		return 1;
	}
	/* A UTF-8 byte order mark (editors on Windows write one) is read as
	 * blanks, as jq skips it; byte offsets in messages stay right. */
	memset(b.p, ' ', vc_json_bom(b.p, b.len));
	problems = parse_text(set, path, b.p, b.len);
	vc_buf_free(&b);
	return problems;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && strcmp(s + n - m, suffix) == 0;
}

int
vc_monitor_load(struct vc_monitor_set *set, const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, k;
	int problems = 0;

	if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
		return load_file(set, path);
	d = opendir(path);
	if (d == NULL) {
		warn("%s", path);
		set->io_errors++;
		return 1;
	}
	while ((e = readdir(d)) != NULL) {
		struct vc_buf full = VC_BUF_INIT;

		if (e->d_name[0] == '.' ||
		    (!has_suffix(e->d_name, ".json") && !has_suffix(e->d_name, ".jsonl")))
			continue;
		vc_buf_printf(&full, "%s%s%s", path, has_suffix(path, "/") ? "" : "/", e->d_name);
		if (stat(full.p, &st) != 0 || S_ISDIR(st.st_mode)) {
			vc_buf_free(&full);
			continue;
		}
		names = realloc(names, (n + 1) * sizeof *names);
		if (names == NULL)
			err(VC_EXIT_USAGE, "out of memory");
		names[n++] = full.p;
	}
	closedir(d);
	qsort(names, n, sizeof *names, by_name);
	for (k = 0; k < n; k++) {
		problems += load_file(set, names[k]);
		free(names[k]);
	}
	free(names);
	return problems;
}

jv
vc_monitor_jv(const struct vc_monitor *m)
{
	return jv_parse_sized(m->json, (int)m->len);
}

const struct vc_monitor *
vc_monitor_find(const struct vc_monitor_set *set, const char *id)
{
	size_t k;

	for (k = 0; k < set->n; k++)
		if (strcmp(set->v[k].id, id) == 0)
			return &set->v[k];
	return NULL;
}

void
vc_monitor_set_free(struct vc_monitor_set *set)
{
	size_t k;

	for (k = 0; k < set->n; k++) {
		struct vc_monitor *m = &set->v[k];

		free(m->id);
		free(m->file);
		free(m->json);
		free(m->name);
		free(m->type);
		free(m->query_text);
		free(m->message);
		vc_query_free(m->query);
	}
	free(set->v);
	set->v = NULL;
	set->n = set->cap = 0;
}
