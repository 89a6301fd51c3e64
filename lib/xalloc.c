#include "xalloc.h"

#include <err.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"

static void *
checked(void *p)
{
	if (p == NULL)
		err(VC_EXIT_USAGE, "out of memory");
	return p;
}

void *
vc_xcalloc(size_t n, size_t size)
{
	return checked(calloc(n ? n : 1, size ? size : 1));
}

void *
vc_xrealloc(void *p, size_t size)
{
	return checked(realloc(p, size ? size : 1));
}

char *
vc_xstrdup(const char *s)
{
	return checked(strdup(s));
}

char *
vc_xstrndup(const char *s, size_t n)
{
	char *p = vc_xcalloc(n + 1, 1);

	memcpy(p, s, n);
	return p;
}
