#include "field.h"

#include <err.h>
#include <errno.h>
#include <jq.h>
#include <jv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "msg.h"

#define MAX_STEPS 32

struct step {
	int is_key;
	char *key; /* owned */
	long index;
};

struct vc_field {
	char *option;
	char *program;
	struct step steps[MAX_STEPS];
	int nsteps;
	jq_state *jq;         /* NULL for a native path */
	struct vc_buf result; /* the last jq result, dumped */
	char why[256];
};

/* The record as a jv, shared by every jq field: parsed once per record. */
static jv parsed_record;
static const char *parsed_json;
static const char *parsed_file;
static unsigned long parsed_line;
static int parsed_valid;

static int
is_ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int
is_ident(char c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9');
}

/* A quoted key with no escapes; returns the text after it or NULL. */
static const char *
parse_quoted(const char *p, struct step *st)
{
	const char *q = p + 1;

	while (*q && *q != '"' && *q != '\\')
		q++;
	if (*q != '"')
		return NULL;
	st->is_key = 1;
	st->key = strndup(p + 1, (size_t)(q - p - 1));
	return q + 1;
}

static const char *
parse_bracket(const char *p, struct step *st)
{
	char *end;

	p++;
	if (*p == '"') {
		if ((p = parse_quoted(p, st)) == NULL || *p != ']')
			return NULL;
		return p + 1;
	}
	if (!(*p == '-' || (*p >= '0' && *p <= '9')))
		return NULL;
	st->is_key = 0;
	st->index = strtol(p, &end, 10);
	if (*end != ']')
		return NULL;
	return end + 1;
}

static void
free_steps(struct vc_field *f)
{
	int i;

	for (i = 0; i < f->nsteps; i++)
		free(f->steps[i].key);
	f->nsteps = 0;
}

/* Splits a plain path (.a.b[0], ."k", .["k"], .a[-1], .) into steps; 0 if
 * the program is anything richer. */
static int
parse_plain(struct vc_field *f, const char *prog)
{
	const char *p = prog;

	while (*p == ' ')
		p++;
	if (*p != '.')
		return 0;
	if (p[1] == '\0')
		return 1;
	while (*p) {
		struct step *st = &f->steps[f->nsteps];

		if (f->nsteps == MAX_STEPS)
			goto richer;
		memset(st, 0, sizeof *st);
		if (*p == '[') {
			p = parse_bracket(p, st);
		} else if (*p == '.' && p[1] == '[') {
			p = parse_bracket(p + 1, st);
		} else if (*p == '.' && p[1] == '"') {
			p = parse_quoted(p + 1, st);
		} else if (*p == '.' && is_ident_start(p[1])) {
			const char *q = p + 1;

			while (is_ident(*q))
				q++;
			st->is_key = 1;
			st->key = strndup(p + 1, (size_t)(q - p - 1));
			p = q;
		} else {
			goto richer;
		}
		if (p == NULL)
			goto richer;
		f->nsteps++;
	}
	return 1;
richer:
	free_steps(f);
	return 0;
}

static void
collect_error(void *data, jv msg)
{
	struct vc_buf *b = data;

	/* Consumes msg. */
	if (jv_get_kind(msg) == JV_KIND_STRING) {
		if (b->len)
			vc_buf_adds(b, "; ");
		vc_buf_adds(b, jv_string_value(msg));
	}
	jv_free(msg);
}

static void
compile_jq(struct vc_field *f)
{
	struct vc_buf errors = VC_BUF_INIT;

	if ((f->jq = jq_init()) == NULL)
		errx(VC_EXIT_USAGE, "cannot start libjq");
	/* jq 1.6 leaves these unset; input and debug would read garbage. */
	jq_set_input_cb(f->jq, NULL, NULL);
	jq_set_debug_cb(f->jq, NULL, NULL);
	jq_set_error_cb(f->jq, collect_error, &errors);
	if (!jq_compile(f->jq, f->program)) {
		fprintf(stderr, "%s: %s: jq program '%s' does not compile: %s\n",
			program_invocation_short_name, f->option, f->program,
			errors.len ? errors.p : "syntax error");
		exit(VC_EXIT_JQ);
	}
	jq_set_error_cb(f->jq, NULL, NULL);
	vc_buf_free(&errors);
}

struct vc_field *
vc_field_new(const char *option, const char *program)
{
	struct vc_field *f = calloc(1, sizeof *f);

	if (f == NULL)
		err(VC_EXIT_USAGE, "out of memory");
	f->option = strdup(option);
	f->program = strdup(program);
	if (f->option == NULL || f->program == NULL)
		err(VC_EXIT_USAGE, "out of memory");
	if (!parse_plain(f, program))
		compile_jq(f);
	return f;
}

static const char *
type_name(enum vc_json_type t)
{
	switch (t) {
	case VC_JSON_NULL:
		return "null";
	case VC_JSON_FALSE:
	case VC_JSON_TRUE:
		return "boolean";
	case VC_JSON_NUMBER:
		return "number";
	case VC_JSON_STRING:
		return "string";
	case VC_JSON_ARRAY:
		return "array";
	case VC_JSON_OBJECT:
		return "object";
	default:
		return "nothing";
	}
}

static int
eval_native(struct vc_field *f, const struct vc_record *rec, struct vc_json_span *out,
	    const char **why)
{
	struct vc_json_span cur = rec->root;
	int i;

	for (i = 0; i < f->nsteps; i++) {
		const struct step *st = &f->steps[i];
		int want = st->is_key ? VC_JSON_OBJECT : VC_JSON_ARRAY;

		if (cur.type == VC_JSON_NULL)
			return 0;
		if ((int)cur.type != want) {
			snprintf(f->why, sizeof f->why, "%s: cannot index %s with %s", f->program,
				 type_name(cur.type), st->is_key ? "a key" : "a number");
			*why = f->why;
			return -1;
		}
		if (!(st->is_key ? vc_json_member(cur, st->key, &cur)
				 : vc_json_index(cur, st->index, &cur)))
			return 0;
	}
	if (cur.type == VC_JSON_NULL)
		return 0;
	*out = cur;
	return 1;
}

/* Parses rec into the shared jv unless it already is. */
static int
parse_record(const struct vc_record *rec)
{
	if (parsed_valid && parsed_json == rec->json && parsed_file == rec->file &&
	    parsed_line == rec->line)
		return 0;
	if (parsed_valid)
		jv_free(parsed_record);
	parsed_record = jv_parse_sized(rec->json, (int)rec->len);
	parsed_valid = jv_is_valid(parsed_record);
	parsed_json = rec->json;
	parsed_file = rec->file;
	parsed_line = rec->line;
	if (!parsed_valid) {
		jv_free(parsed_record);
		return -1;
	}
	return 0;
}

static int
eval_jq(struct vc_field *f, const struct vc_record *rec, struct vc_json_span *out, const char **why)
{
	jv result, dumped;
	const char *reason;
	size_t off;

	if (parse_record(rec) < 0) {
		snprintf(f->why, sizeof f->why, "%s: libjq could not parse the record", f->program);
		*why = f->why;
		return -1;
	}
	jq_start(f->jq, jv_copy(parsed_record), 0); /* consumes the copy */
	result = jq_next(f->jq);
	if (!jv_is_valid(result)) {
		jv msg = jv_invalid_get_msg(result); /* consumes result */

		if (jv_get_kind(msg) == JV_KIND_NULL) {
			jv_free(msg);
			return 0; /* the program gave nothing */
		}
		if (jv_get_kind(msg) != JV_KIND_STRING)
			msg = jv_dump_string(msg, 0); /* consumes msg */
		snprintf(f->why, sizeof f->why, "%s: %s", f->program, jv_string_value(msg));
		jv_free(msg);
		*why = f->why;
		return -1;
	}
	if (jv_get_kind(result) == JV_KIND_NULL) {
		jv_free(result);
		return 0;
	}
	dumped = jv_dump_string(result, 0); /* consumes result */
	vc_buf_reset(&f->result);
	vc_buf_adds(&f->result, jv_string_value(dumped));
	jv_free(dumped);
	if (vc_json_check(f->result.p, f->result.len, out, &reason, &off) < 0) {
		/* jq wrote NaN or the like that strict JSON cannot hold. */
		snprintf(f->why, sizeof f->why, "%s: result is not JSON: %s", f->program, reason);
		*why = f->why;
		return -1;
	}
	return 1;
}

int
vc_field_eval(struct vc_field *f, const struct vc_record *rec, struct vc_json_span *out,
	      const char **why)
{
	return f->jq ? eval_jq(f, rec, out, why) : eval_native(f, rec, out, why);
}

const char *
vc_field_program(const struct vc_field *f)
{
	return f->program;
}

int
vc_field_is_native(const struct vc_field *f)
{
	return f->jq == NULL;
}

void
vc_field_free(struct vc_field *f)
{
	if (f == NULL)
		return;
	free_steps(f);
	if (f->jq)
		jq_teardown(&f->jq);
	if (parsed_valid) {
		jv_free(parsed_record);
		parsed_valid = 0;
	}
	vc_buf_free(&f->result);
	free(f->option);
	free(f->program);
	free(f);
}
