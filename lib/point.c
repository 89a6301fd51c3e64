/*
 * point.c — a metric point's members and tags in one pass (point.h).
 *
 * The walk trusts that its input passed vc_json_check: every string is
 * closed, every container balanced, so it needs no end pointer.  Values
 * are skipped with json_skip.h's vc_json_span_at, the skipper every tool
 * uses.
 */
#include "point.h"

#include <string.h>

#include "json_skip.h"

static const char *
blank(const char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
		p++;
	return p;
}

/* A member of a checked object. */
struct member {
	struct vc_json_span key, val;
	int escaped;
};

/* Reads the key and the colon of the member at p; returns the start of
 * its value. */
static const char *
member_key(const char *p, struct member *m)
{
	p = vc_json_span_at(p, &m->key);
	m->escaped = memchr(m->key.p + 1, '\\', m->key.len - 2) != NULL;
	p = blank(p);
	return blank(p + 1); /* the colon */
}

/* Past the member's value (which starts at p), and the comma after it:
 * returns the next member's key, or the closing brace. */
static const char *
member_next(const char *p)
{
	p = blank(p);
	if (*p == ',')
		p = blank(p + 1);
	return p;
}

static int
key_is(const struct member *m, const char *name, size_t n)
{
	if (m->escaped)
		return vc_json_key_is(m->key, name, n);
	return m->key.len - 2 == n && memcmp(m->key.p + 1, name, n) == 0;
}

/* Lists the members of the tags object at p into pt and fills *tags
 * with its span; returns past it. */
static const char *
list_tags(const char *p, struct vc_point *pt, struct vc_json_span *tags)
{
	const char *start = p;
	struct member m;

	pt->ntags = 0;
	pt->tags_listed = 1;
	p = blank(p + 1);
	while (*p != '}') {
		p = member_key(p, &m);
		p = member_next(vc_json_span_at(p, &m.val));
		if (pt->ntags == VC_POINT_TAGS) {
			pt->tags_listed = 0;
			continue;
		}
		pt->tag[pt->ntags].key = m.key;
		pt->tag[pt->ntags].value = m.val;
		pt->tag[pt->ntags].escaped = m.escaped;
		pt->ntags++;
	}
	tags->p = start;
	tags->len = (size_t)(p + 1 - start);
	tags->type = VC_JSON_OBJECT;
	return p + 1;
}

void
vc_point_scan(struct vc_json_span root, struct vc_point *pt)
{
	static const struct vc_json_span none = {NULL, 0, VC_JSON_NONE};
	const char *p;
	struct member m;

	pt->ts = pt->metric = pt->value = pt->tags = none;
	pt->ntags = 0;
	pt->tags_listed = 0;
	if (root.type != VC_JSON_OBJECT)
		return;
	p = blank(root.p + 1);
	while (*p != '}') {
		p = member_key(p, &m);
		if (key_is(&m, "tags", 4)) {
			/* A later "tags" replaces an earlier one, listed or not. */
			if (*p == '{') {
				p = member_next(list_tags(p, pt, &pt->tags));
			} else {
				p = member_next(vc_json_span_at(p, &pt->tags));
				pt->tags_listed = 0;
			}
			continue;
		}
		p = member_next(vc_json_span_at(p, &m.val));
		if (key_is(&m, "metric", 6))
			pt->metric = m.val;
		else if (key_is(&m, "value", 5))
			pt->value = m.val;
		else if (key_is(&m, "ts", 2))
			pt->ts = m.val;
	}
}

int
vc_point_tag(const struct vc_point *pt, const char *name, struct vc_json_span *val)
{
	size_t n = strlen(name), k;

	if (pt->tags.type != VC_JSON_OBJECT)
		return 0;
	if (!pt->tags_listed)
		return vc_json_member(pt->tags, name, val);
	for (k = pt->ntags; k-- > 0;) {
		const struct vc_point_member *t = &pt->tag[k];
		int same = t->escaped ? vc_json_key_is(t->key, name, n)
				      : t->key.len - 2 == n && memcmp(t->key.p + 1, name, n) == 0;

		if (same) {
			*val = t->value;
			return 1;
		}
	}
	return 0;
}
