/*
 * inctmpl.c — loading and rendering incident templates (see inctmpl.h).
 */
#include "inctmpl.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "xalloc.h"

/* A template file is a page of text; a bigger one is a mistake. */
#define TMPL_FILE_MAX (256 * 1024)

struct vc_inctmpl_set {
	struct vc_inctmpl *v;
	size_t n;
};

static void
tmpl_clear(struct vc_inctmpl *t)
{
	free(t->handle);
	free(t->title);
	free(t->severity);
	free(t->pd_severity);
	free(t->summary);
	for (size_t i = 0; i < t->nchecklist; i++)
		free(t->checklist[i]);
	free(t->checklist);
	memset(t, 0, sizeof *t);
}

/* The decoded string v, or NULL (with *why) when v is no string. */
static char *
take_string(struct vc_json_span v, const char *field, const char **why)
{
	struct vc_buf b = VC_BUF_INIT;

	if (v.type != VC_JSON_STRING) {
		*why = field;
		return NULL;
	}
	vc_json_string(v, &b);
	if (b.p == NULL)
		vc_buf_adds(&b, "");
	return b.p;
}

/* Fills t from the JSON text; returns 0 or -1 with a reason. */
static int
tmpl_parse(struct vc_inctmpl *t, const char *text, size_t n, char *why, size_t whylen)
{
	struct vc_json_span root, key, val, item;
	struct vc_json_iter it, ai;
	const char *bad = NULL, *jwhy;
	size_t off;

	if (vc_json_check(text, n, &root, &jwhy, &off) < 0) {
		snprintf(why, whylen, "byte %zu: %s", off, jwhy);
		return -1;
	}
	if (root.type != VC_JSON_OBJECT) {
		snprintf(why, whylen, "not a JSON object");
		return -1;
	}
	vc_json_iter_init(root, &it);
	while (bad == NULL && vc_json_object_next(&it, &key, &val)) {
		if (vc_json_key_is(key, "title", 5)) {
			free(t->title);
			t->title = take_string(val, "title must be a string", &bad);
		} else if (vc_json_key_is(key, "severity", 8)) {
			free(t->severity);
			t->severity = take_string(val, "severity must be a string", &bad);
		} else if (vc_json_key_is(key, "pagerduty_severity", 18)) {
			free(t->pd_severity);
			t->pd_severity =
				take_string(val, "pagerduty_severity must be a string", &bad);
			if (t->pd_severity && strcmp(t->pd_severity, "critical") != 0 &&
			    strcmp(t->pd_severity, "error") != 0 &&
			    strcmp(t->pd_severity, "warning") != 0 &&
			    strcmp(t->pd_severity, "info") != 0)
				bad = "pagerduty_severity must be critical, "
				      "error, warning or info";
		} else if (vc_json_key_is(key, "summary", 7)) {
			free(t->summary);
			t->summary = take_string(val, "summary must be a string", &bad);
		} else if (vc_json_key_is(key, "customer_impacted", 17)) {
			if (val.type != VC_JSON_TRUE && val.type != VC_JSON_FALSE)
				bad = "customer_impacted must be true or false";
			t->customer_impacted = val.type == VC_JSON_TRUE;
		} else if (vc_json_key_is(key, "checklist", 9)) {
			if (val.type != VC_JSON_ARRAY) {
				bad = "checklist must be an array of strings";
				break;
			}
			vc_json_iter_init(val, &ai);
			while (bad == NULL && vc_json_array_next(&ai, &item)) {
				char *s = take_string(item, "checklist must be an array of strings",
						      &bad);
				if (s == NULL)
					break;
				t->checklist = vc_xrealloc(
					t->checklist, (t->nchecklist + 1) * sizeof *t->checklist);
				t->checklist[t->nchecklist++] = s;
			}
		} else if (!vc_json_key_is(key, "description", 11)) {
			bad = "unknown field (known: title, severity, "
			      "pagerduty_severity, customer_impacted, summary, "
			      "checklist, description)";
		}
	}
	if (bad == NULL && (t->title == NULL || t->severity == NULL))
		bad = "title and severity are required";
	if (bad != NULL) {
		snprintf(why, whylen, "%s", bad);
		return -1;
	}
	if (t->pd_severity == NULL)
		t->pd_severity = vc_xstrdup("error");
	if (t->summary == NULL)
		t->summary = vc_xstrdup("Alerts from {{attacker}}: {{count}}");
	return 0;
}

static int
load_file(struct vc_inctmpl_set *s, const char *dir, const char *name, char *why, size_t whylen)
{
	struct vc_inctmpl t;
	struct vc_buf path = VC_BUF_INIT, text = VC_BUF_INIT;
	size_t base = strlen(name) - 5;
	char r[200];
	int rc = 0;

	memset(&t, 0, sizeof t);
	vc_buf_printf(&path, "%s/%s", dir, name);
	if (vc_buf_add_file(&text, path.p, TMPL_FILE_MAX) < 0) {
		if (errno == EFBIG)
			snprintf(why, whylen, "%s: larger than %d bytes", path.p, TMPL_FILE_MAX);
		else
			snprintf(why, whylen, "%s: %s", path.p, strerror(errno));
		rc = -1;
	} else {
		/* A UTF-8 byte order mark (editors on Windows write one) is
		 * read as blanks, as jq and monitor files skip it; byte
		 * offsets in messages stay right. */
		memset(text.p, ' ', vc_json_bom(text.p, text.len));
		if (tmpl_parse(&t, text.p, text.len, r, sizeof r) < 0) {
			snprintf(why, whylen, "%s: %s", path.p, r);
			rc = -1;
		}
	}
	vc_buf_free(&text);
	vc_buf_free(&path);
	if (rc < 0) {
		tmpl_clear(&t);
		return -1;
	}
	t.handle = vc_xstrndup(name, base);
	for (size_t i = 0; i < s->n; i++) {
		if (strcmp(s->v[i].handle, t.handle) == 0) {
			tmpl_clear(&s->v[i]);
			s->v[i] = t;
			return 0;
		}
	}
	s->v = vc_xrealloc(s->v, (s->n + 1) * sizeof *s->v);
	s->v[s->n++] = t;
	return 0;
}

static int
is_json_name(const char *name)
{
	size_t n = strlen(name);

	return n > 5 && name[0] != '.' && strcmp(name + n - 5, ".json") == 0;
}

static int
load_dir(struct vc_inctmpl_set *s, const char *dir, char *why, size_t whylen)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort), rc = 0;

	if (n < 0) {
		snprintf(why, whylen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		if (rc == 0 && is_json_name(names[i]->d_name))
			rc = load_file(s, dir, names[i]->d_name, why, whylen);
		free(names[i]);
	}
	free(names);
	return rc;
}

struct vc_inctmpl_set *
vc_inctmpl_load(const char *dir, const char *over_dir, char *why, size_t whylen)
{
	struct vc_inctmpl_set *s = vc_xcalloc(1, sizeof *s);

	if (load_dir(s, dir, why, whylen) < 0 ||
	    (over_dir && load_dir(s, over_dir, why, whylen) < 0)) {
		vc_inctmpl_free(s);
		return NULL;
	}
	if (vc_inctmpl_find(s, "default") == NULL ||
	    strcmp(vc_inctmpl_find(s, "default")->handle, "default") != 0) {
		snprintf(why, whylen, "%s: no default.json template", dir);
		vc_inctmpl_free(s);
		return NULL;
	}
	return s;
}

const struct vc_inctmpl *
vc_inctmpl_find(const struct vc_inctmpl_set *s, const char *handle)
{
	const struct vc_inctmpl *def = NULL;

	for (size_t i = 0; i < s->n; i++) {
		if (handle && strcmp(s->v[i].handle, handle) == 0)
			return &s->v[i];
		if (strcmp(s->v[i].handle, "default") == 0)
			def = &s->v[i];
	}
	return def;
}

void
vc_inctmpl_free(struct vc_inctmpl_set *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n; i++)
		tmpl_clear(&s->v[i]);
	free(s->v);
	free(s);
}

/* Appends the value of group member name[0..n) as text. */
static int
group_value(const struct vc_inctmpl_vars *v, const char *name, size_t n, struct vc_buf *out)
{
	struct vc_json_span g, key, val;
	struct vc_json_iter it;

	if (v->group == NULL)
		return 0;
	g.p = v->group;
	g.len = v->group_len;
	g.type = VC_JSON_OBJECT;
	vc_json_iter_init(g, &it);
	while (vc_json_object_next(&it, &key, &val)) {
		if (!vc_json_key_is(key, name, n))
			continue;
		if (val.type == VC_JSON_STRING) {
			struct vc_buf s = VC_BUF_INIT;
			vc_json_string(val, &s);
			vc_buf_add(out, s.p, s.len);
			vc_buf_free(&s);
		} else {
			vc_buf_add(out, val.p, val.len);
		}
		return 1;
	}
	return 0;
}

/* Appends n in decimal, as %lld would (printf costs more than the rest
 * of a rendering). */
static void
add_count(struct vc_buf *out, long long n)
{
	char digits[24];
	int len = 0;
	unsigned long long u = n < 0 ? 0ULL - (unsigned long long)n : (unsigned long long)n;

	do
		digits[len++] = (char)('0' + u % 10);
	while ((u /= 10) > 0);
	if (n < 0)
		vc_buf_addc(out, '-');
	while (len > 0)
		vc_buf_addc(out, digits[--len]);
}

void
vc_inctmpl_render(const char *tmpl, const struct vc_inctmpl_vars *v, struct vc_buf *out)
{
	const char *p = tmpl, *open, *close;

	vc_buf_reserve(out, strlen(tmpl) + 64);
	while ((open = strstr(p, "{{")) != NULL && (close = strstr(open + 2, "}}")) != NULL) {
		const char *name = open + 2;
		size_t n = close - name;
		int done = 1;

		vc_buf_add(out, p, open - p);
		if (n == 8 && memcmp(name, "attacker", 8) == 0)
			vc_buf_adds(out, v->attacker ? v->attacker : "");
		else if (n == 7 && memcmp(name, "monitor", 7) == 0)
			vc_buf_adds(out, v->monitor ? v->monitor : "");
		else if (n == 3 && memcmp(name, "key", 3) == 0)
			vc_buf_adds(out, v->key ? v->key : "");
		else if (n == 6 && memcmp(name, "handle", 6) == 0)
			vc_buf_adds(out, v->handle ? v->handle : "");
		else if (n == 5 && memcmp(name, "count", 5) == 0)
			add_count(out, v->count);
		else if (n == 4 && memcmp(name, "peak", 4) == 0 && v->peak_text)
			vc_buf_adds(out, v->peak_text);
		else if (n == 4 && memcmp(name, "peak", 4) == 0)
			vc_buf_printf(out, "%g", v->peak);
		else if (n > 6 && memcmp(name, "group.", 6) == 0)
			done = group_value(v, name + 6, n - 6, out);
		else
			done = 0;
		if (!done)
			vc_buf_add(out, open, close + 2 - open);
		p = close + 2;
	}
	vc_buf_adds(out, p);
}
