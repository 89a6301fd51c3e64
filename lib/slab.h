/*
 * slab.h — fixed-size blocks carved from large chunks that the kernel is
 * asked to back with huge pages.
 *
 * The evaluator looks up a random one of 100,000 groups per point; with
 * 4 KiB pages nearly every lookup also misses the TLB.  Blocks of one size
 * packed in 2 MiB pages halve that cost, and freed blocks are reused, so
 * memory follows the number of live groups.
 */
#ifndef VC_SLAB_H
#define VC_SLAB_H

#include <stddef.h>

struct vc_slab {
	size_t block;    /* bytes per block, a multiple of 16 */
	char *cur, *end; /* the unused part of the newest chunk */
	void *free_list; /* freed blocks, linked through their first bytes */
	void **chunks;
	size_t nchunks;
};

void vc_slab_init(struct vc_slab *s, size_t block);
/* A zeroed block; exits on out of memory, as vc_buf does. */
void *vc_slab_alloc(struct vc_slab *s);
void vc_slab_free(struct vc_slab *s, void *p);
/* Releases every chunk. */
void vc_slab_destroy(struct vc_slab *s);

/* Big zeroed memory (an index), huge-page advised; and its release. */
void *vc_slab_big(size_t size);
void vc_slab_big_free(void *p, size_t size);

#endif
