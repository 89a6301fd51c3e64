/*
 * strmap.h — a string-keyed hash table: open addressing, linear probing,
 * FNV-1a.  The map owns copies of its keys; values are the caller's (a
 * NULL value with a key present means "known to be absent").
 */
#ifndef VC_STRMAP_H
#define VC_STRMAP_H

#include <stddef.h>

struct vc_strmap_slot {
	char *key; /* NULL: empty */
	void *val;
};

struct vc_strmap {
	struct vc_strmap_slot *v;
	size_t cap, n;
};

#define VC_STRMAP_INIT     \
	{                  \
		NULL, 0, 0 \
	}

/* 64-bit FNV-1a of s[0..n). */
unsigned long long vc_strmap_hash(const char *s, size_t n);
/* The slot of key, or NULL. */
struct vc_strmap_slot *vc_strmap_find(struct vc_strmap *m, const char *key);
/* The slot of key, added with a NULL value when missing. */
struct vc_strmap_slot *vc_strmap_add(struct vc_strmap *m, const char *key);
/* Frees every key, and every non-NULL value with free_val; m is empty
 * again. */
void vc_strmap_clear(struct vc_strmap *m, void (*free_val)(void *));

#endif
