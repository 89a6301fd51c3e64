/*
 * point.h — the fields of a metric point ({"ts","metric","value","tags"})
 * found in one pass over its checked bytes.
 *
 * The evaluator reads four members of every point and one or two tags;
 * walking the record once, and the tags object once, instead of once per
 * member looked up, is most of what reading a point costs.  The answers
 * are those of vc_json_member: when a key repeats, the last one wins, and
 * keys spelled with escapes count by what they decode to.
 */
#ifndef VC_POINT_H
#define VC_POINT_H

#include <stddef.h>

#include "json.h"

/* Tags listed one by one; a point with more is looked up in its tags
 * object instead (as fast as before, just not faster). */
#define VC_POINT_TAGS 16

struct vc_point {
	/* The members; type VC_JSON_NONE when absent. */
	struct vc_json_span ts, metric, value, tags;
	/* The members of tags, in order, when tags_listed. */
	struct vc_point_member {
		struct vc_json_span key, value;
		int escaped; /* the key has a backslash: compare it decoded */
	} tag[VC_POINT_TAGS];
	size_t ntags;
	int tags_listed;
};

/* Finds the members of root, a span that passed vc_json_check (borrowed:
 * pt's spans point into its bytes); a root that is no object has none. */
void vc_point_scan(struct vc_json_span root, struct vc_point *pt);

/* The tag called name, as vc_json_member(pt->tags, name, val) would find
 * it: returns 1 and fills *val, or 0. */
int vc_point_tag(const struct vc_point *pt, const char *name, struct vc_json_span *val);

#endif
