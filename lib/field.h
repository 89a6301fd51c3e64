/*
 * field.h — fields of a record chosen by a user's jq program.
 *
 * A plain path (.a, .a.b[0], .["k"], ."k", .a[-1]) is evaluated on the raw
 * bytes with json.h, without libjq.  Anything else is compiled once with
 * libjq and run on the record: the record is then parsed into a jv once,
 * however many fields need it, and the program's first output is used.
 */
#ifndef VC_FIELD_H
#define VC_FIELD_H

#include "json.h"
#include "jsonl.h"

struct vc_field;

/* Compiles program for the option named option ("--text").  A program
 * that does not compile is reported naming the option and the program
 * exits with VC_EXIT_JQ. */
struct vc_field *vc_field_new(const char *option, const char *program);
/* 1: *out is the value (valid until the next vc_field_eval on any field or
 * the next record); 0: the program gave null, nothing, or the path is
 * absent; -1: the program raised an error, a field-owned reason in *why
 * that starts with the program (".a | f: why"). */
int vc_field_eval(struct vc_field *f, const struct vc_record *rec, struct vc_json_span *out,
		  const char **why);
/* The program text as the user gave it, for messages. */
const char *vc_field_program(const struct vc_field *f);
/* Whether the program runs natively (no libjq). */
int vc_field_is_native(const struct vc_field *f);
void vc_field_free(struct vc_field *f);

#endif
