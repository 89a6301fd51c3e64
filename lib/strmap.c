/*
 * strmap.c — a string-keyed hash table (see strmap.h).
 */
#include "strmap.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

unsigned long long
vc_strmap_hash(const char *s, size_t n)
{
	unsigned long long h = 1469598103934665603ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static struct vc_strmap_slot *
slot_of(struct vc_strmap *m, const char *key)
{
	size_t i = (size_t)vc_strmap_hash(key, strlen(key)) & (m->cap - 1);

	while (m->v[i].key && strcmp(m->v[i].key, key) != 0)
		i = (i + 1) & (m->cap - 1);
	return &m->v[i];
}

struct vc_strmap_slot *
vc_strmap_find(struct vc_strmap *m, const char *key)
{
	struct vc_strmap_slot *s;

	if (m->cap == 0)
		return NULL;
	s = slot_of(m, key);
	return s->key ? s : NULL;
}

static void
grow(struct vc_strmap *m)
{
	struct vc_strmap g = {vc_xcalloc(m->cap ? m->cap * 2 : 1024, sizeof *g.v),
			      m->cap ? m->cap * 2 : 1024, m->n};

	for (size_t i = 0; i < m->cap; i++)
		if (m->v[i].key)
			*slot_of(&g, m->v[i].key) = m->v[i];
	free(m->v);
	*m = g;
}

/* The slot for key, added (owning a copy of key) when missing. */
struct vc_strmap_slot *
vc_strmap_add(struct vc_strmap *m, const char *key)
{
	struct vc_strmap_slot *s;

	if ((m->n + 1) * 2 > m->cap)
		grow(m);
	s = slot_of(m, key);
	if (s->key == NULL) {
		s->key = vc_xstrdup(key);
		s->val = NULL;
		m->n++;
	}
	return s;
}

void
vc_strmap_clear(struct vc_strmap *m, void (*free_val)(void *))
{
	for (size_t i = 0; i < m->cap; i++) {
		if (m->v[i].key == NULL)
			continue;
		if (m->v[i].val)
			free_val(m->v[i].val);
		free(m->v[i].key);
	}
	free(m->v);
	memset(m, 0, sizeof *m);
}
