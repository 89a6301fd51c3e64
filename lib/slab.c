/*
 * slab.c — fixed-size blocks on huge-page-advised chunks (slab.h).
 */
#include "slab.h"

#include <err.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "msg.h"

#define CHUNK (8u << 20) /* four 2 MiB huge pages */

/* Under AddressSanitizer every block is its own allocation, so that an
 * overflow out of a block is caught rather than landing in the next. */
#if defined(__SANITIZE_ADDRESS__)
#define VC_SLAB_PLAIN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VC_SLAB_PLAIN 1
#endif
#endif

void *
vc_slab_big(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		err(VC_EXIT_USAGE, "out of memory");
	/* Only advice: without transparent huge pages it changes nothing. */
	(void)madvise(p, size, MADV_HUGEPAGE);
	return p;
}

void
vc_slab_big_free(void *p, size_t size)
{
	if (p)
		munmap(p, size);
}

void
vc_slab_init(struct vc_slab *s, size_t block)
{
	memset(s, 0, sizeof *s);
	s->block = (block + 15) & ~(size_t)15;
}

void *
vc_slab_alloc(struct vc_slab *s)
{
	void *p;

#ifdef VC_SLAB_PLAIN
	p = calloc(1, s->block);
	if (p == NULL)
		err(VC_EXIT_USAGE, "out of memory");
	return p;
#endif
	if (s->free_list) {
		p = s->free_list;
		memcpy(&s->free_list, p, sizeof(void *));
		memset(p, 0, s->block);
		return p;
	}
	if (s->cur == NULL || (size_t)(s->end - s->cur) < s->block) {
		size_t size = s->block > CHUNK ? s->block : CHUNK;
		void **chunks = realloc(s->chunks, (s->nchunks + 1) * sizeof *chunks);

		if (chunks == NULL)
			err(VC_EXIT_USAGE, "out of memory");
		s->chunks = chunks;
		s->cur = vc_slab_big(size);
		s->end = s->cur + size;
		s->chunks[s->nchunks++] = s->cur;
	}
	p = s->cur; /* fresh mmap'd memory is zero */
	s->cur += s->block;
	return p;
}

void
vc_slab_free(struct vc_slab *s, void *p)
{
#ifdef VC_SLAB_PLAIN
	(void)s;
	free(p);
	return;
#endif
	memcpy(p, &s->free_list, sizeof(void *));
	s->free_list = p;
}

void
vc_slab_destroy(struct vc_slab *s)
{
	size_t k, size = s->block > CHUNK ? s->block : CHUNK;

	for (k = 0; k < s->nchunks; k++)
		munmap(s->chunks[k], size);
	free(s->chunks);
	memset(s, 0, sizeof *s);
}
