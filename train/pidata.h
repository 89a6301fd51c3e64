/*
 * pidata.h — labelled prompt rows, {"id","text","label",...} JSON lines as
 * in ../shared/data/prompt-injection, for the trainer and the evaluator
 * of vc-score-prompt.  Not on any hot path, so rows are parsed with jv.
 */
#ifndef VC_PIDATA_H
#define VC_PIDATA_H

#include <stddef.h>

struct pirow {
	char *id;
	char *text;
	size_t len;
	int label; /* 1 attack, 0 benign */
};

/* Reads the rows of path whose id starts with prefix (NULL: all).  Exits
 * 2 with a message on a read error or a row without id, text or label. */
struct pirow *pidata_read(const char *path, const char *prefix, size_t *n);
void pidata_free(struct pirow *rows, size_t n);

#endif
