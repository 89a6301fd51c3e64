/*
 * xalloc.h — allocation that cannot come back empty.
 *
 * A filter that runs out of memory has no sensible way to go on with the
 * record in hand, so these report "out of memory" and exit 2 (a system
 * error, as every other in vcobs) instead of returning NULL.  A size of
 * zero still gets a unique pointer.
 */
#ifndef VC_XALLOC_H
#define VC_XALLOC_H

#include <stddef.h>

void *vc_xcalloc(size_t n, size_t size);
void *vc_xrealloc(void *p, size_t size);
char *vc_xstrdup(const char *s);
/* The first n bytes of s (which need not be NUL-terminated), NUL-terminated. */
char *vc_xstrndup(const char *s, size_t n);

#endif
