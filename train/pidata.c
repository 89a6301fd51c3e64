/*
 * pidata.c — see pidata.h.
 */
#include "pidata.h"

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jq.h>

/* Borrows obj; returns a malloc'd copy of string member key, or NULL. */
static char *
string_member(jv obj, const char *key, size_t *len)
{
	jv v = jv_object_get(jv_copy(obj), jv_string(key));
	char *s = NULL;
	if (jv_get_kind(v) == JV_KIND_STRING) {
		*len = (size_t)jv_string_length_bytes(jv_copy(v));
		s = malloc(*len + 1);
		if (!s)
			err(2, "malloc");
		memcpy(s, jv_string_value(v), *len + 1);
	}
	jv_free(v);
	return s;
}

struct pirow *
pidata_read(const char *path, const char *prefix, size_t *n)
{
	FILE *f = fopen(path, "r");
	struct pirow *rows = NULL;
	size_t cap = 0, lcap = 0, count = 0;
	char *line = NULL;
	ssize_t len;
	unsigned long lineno = 0;

	if (!f)
		err(2, "%s", path);
	while ((len = getline(&line, &lcap, f)) >= 0) {
		jv row = jv_parse_sized(line, (int)len);
		struct pirow r;
		size_t idlen;
		jv label;
		lineno++;
		if (jv_get_kind(row) != JV_KIND_OBJECT)
			errx(2, "%s:%lu: not a JSON object", path, lineno);
		r.id = string_member(row, "id", &idlen);
		r.text = string_member(row, "text", &r.len);
		label = jv_object_get(jv_copy(row), jv_string("label"));
		if (!r.id || !r.text || jv_get_kind(label) != JV_KIND_NUMBER)
			errx(2, "%s:%lu: want id, text and label", path, lineno);
		r.label = jv_number_value(label) != 0;
		jv_free(label);
		jv_free(row);
		if (prefix && strncmp(r.id, prefix, strlen(prefix))) {
			free(r.id);
			free(r.text);
			continue;
		}
		if (count == cap) {
			cap = cap ? cap * 2 : 256;
			rows = realloc(rows, cap * sizeof *rows);
			if (!rows)
				err(2, "realloc");
		}
		rows[count++] = r;
	}
	if (ferror(f))
		err(2, "%s", path);
	fclose(f);
	free(line);
	*n = count;
	return rows;
}

void
pidata_free(struct pirow *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(rows[i].id);
		free(rows[i].text);
	}
	free(rows);
}
