/*
 * out.h — the JSON-lines writer on standard output.
 *
 * Records are written compact, one per line, through one buffer.  With
 * unbuffered set every line is flushed as it ends (for tail -f pipelines),
 * whether vc_out_end_record ends it or a write whose last byte is '\n';
 * so is it when stdout is a terminal, as stdio, jq and cat do.
 * A write error ends the program: quietly when the reader went away (a
 * closed pipe behaves as SIGPIPE does for cat), otherwise with a message
 * and VC_EXIT_USAGE.
 */
#ifndef VC_OUT_H
#define VC_OUT_H

#include <stddef.h>

#include "buf.h"
#include "jsonl.h"

void vc_out_init(int unbuffered);
/* Whether lines are flushed as they end: -u, or stdout a terminal. */
int vc_out_is_unbuffered(void);
void vc_out_write(const void *p, size_t n);
void vc_out_buf(const struct vc_buf *b);
/* Ends the current record with a newline. */
void vc_out_end_record(void);
/* Writes rec as it came, then ends the record. */
void vc_out_record(const struct vc_record *rec);
/* Annotation by splicing: writes rec without its closing brace and, if
 * rec has members, a comma; the caller then writes "key":value pairs and
 * calls vc_out_splice_close, which closes the object and the record. */
void vc_out_splice_open(const struct vc_record *rec);
void vc_out_splice_close(void);
/* Flushes and closes stdout; returns VC_EXIT_OK or, after reporting the
 * error, VC_EXIT_USAGE.  Call once, last. */
int vc_out_close(void);
/* The status a write error exits with (or vc_out_close returns) instead
 * of VC_EXIT_USAGE: for vc-push-monitors --detailed-exitcode, where 2
 * must mean only "changes pending". */
void vc_out_set_error_status(int status);

#endif
