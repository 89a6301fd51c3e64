/*
 * jsonl.h — the JSON-lines reader every tool reads its input with.
 *
 * Reads the files named (or "-" for stdin, the default) line by line with
 * read(2) into one fixed buffer; a line that fits is handed out in place,
 * a longer one is gathered into one record buffer of at most max_record
 * bytes, and a line past that is skipped to its newline and reported, never
 * held.  Each line must be one JSON object (checked strictly, see json.h);
 * a bad line is reported as "vc-NAME: FILE:LINE: why" and skipped, or, in
 * strict mode, ends the input.  Empty and all-blank lines are ignored,
 * and so is a UTF-8 byte order mark at the start of a file (as jq does).
 */
#ifndef VC_JSONL_H
#define VC_JSONL_H

#include <stddef.h>

#include "json.h"

#define VC_MAX_RECORD_DEFAULT (1024 * 1024)

struct vc_record {
	const char *json; /* the line's bytes, newline excluded */
	size_t len;
	struct vc_json_span root; /* the checked top-level object */
	const char *file;         /* "stdin" for standard input */
	unsigned long line;
};

struct vc_reader;

/* files may be empty (then stdin is read); the array is borrowed. */
struct vc_reader *vc_reader_new(char *const *files, int nfiles, size_t max_record, int strict);
/* 1: *rec holds the next record, valid until the next call;
 * 0: no more input (end, or strict mode stopped at a bad line). */
int vc_reader_next(struct vc_reader *r, struct vc_record *rec);
/* A tool's own verdict that rec is unusable ("no text at .text"):
 * reports it in the same shape, counts it, and in strict mode makes the
 * next vc_reader_next return 0. */
void vc_reader_reject(struct vc_reader *r, const struct vc_record *rec, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
unsigned long vc_reader_rejected(const struct vc_reader *r);
/* VC_EXIT_USAGE if a file could not be read, VC_EXIT_REJECTED if a record
 * was rejected, else VC_EXIT_OK. */
int vc_reader_status(const struct vc_reader *r);
void vc_reader_free(struct vc_reader *r);

#endif
