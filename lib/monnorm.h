/*
 * monnorm.h — one canonical form for a Datadog monitor, so that a monitor
 * as written in a file and the same monitor as the API sends it back
 * compare equal.
 *
 * The API rewrites and fills in what it stores: "metric alert" comes back
 * as "query alert", names and messages trimmed, integer thresholds as
 * floats, options it defaults (include_tags: true, new_host_delay: 300,
 * notify_audit: false, silenced: {} ...) spelled out, nulls where nothing
 * was set, read-only fields (id, created, creator, overall_state ...) and
 * keys in any order.  vc_monnorm_canon undoes all of that:
 *   - read-only fields go;
 *   - "metric alert" becomes "query alert";
 *   - name, message and query lose surrounding white space;
 *   - tags and restricted_roles are sorted with duplicates removed;
 *   - null, {} and [] are the same as absent, at every depth;
 *   - an option equal to its documented default is absent, and so is
 *     draft_status "published";
 *   - numbers compare by value (10 and 10.0 are equal, as jv has it).
 *
 * Comparing (vc_monnorm_diff) is asymmetric on purpose: a key the remote
 * monitor has and the file does not counts only when vcobs knows it as a
 * settable field (name, message, tags, options.renotify_interval ...).
 * Other remote-only keys — server-computed values such as
 * no_data_timeframe or renotify_statuses, and fields a newer API adds —
 * are left alone, so a server that grows a field never turns every
 * monitor into a perpetual diff.  Setting such a key in the file makes
 * it compared.
 *
 * Ownership (see jv.h): every function says whether it consumes or
 * borrows each jv argument; returned jv values belong to the caller.
 */
#ifndef VC_MONNORM_H
#define VC_MONNORM_H

#include <jv.h>

/* The tag every monitor vcobs manages carries, and the prefix of the tag
 * that names it. */
#define VC_MONNORM_MANAGED_TAG "managed-by:vcobs"
#define VC_MONNORM_ID_PREFIX   "vc-id:"

/* The canonical form of a monitor object.  Consumes m; a non-object
 * comes back unchanged. */
jv vc_monnorm_canon(jv m);

/* The changes that turn remote into desired, as an array of
 * {"path": ".options.thresholds.critical", "from": R, "to": D} in path
 * order, "from"/"to" null where a side is absent; [] when the two are the
 * same monitor.  Both are canonicalised first.  Consumes both. */
jv vc_monnorm_diff(jv desired, jv remote);

/* The request body to create or update monitor m as vc id vc_id: m as
 * written, minus read-only fields, with the tags VC_MONNORM_MANAGED_TAG
 * and "vc-id:VC_ID" added (replacing any other vc-id tag).  Consumes m,
 * borrows vc_id. */
jv vc_monnorm_body(jv m, const char *vc_id);

/* A remote monitor as a file for vcobs: canonical, without the managed
 * tag, with a "vc-id:" tag (made "dd-ID" from the remote id when it had
 * none).  Consumes remote. */
jv vc_monnorm_export(jv remote);

/* The vc id of monitor m (the value of its first "vc-id:" tag) as a
 * malloc'd string, or NULL.  Borrows m. */
char *vc_monnorm_vc_id(jv m);
/* Whether m carries VC_MONNORM_MANAGED_TAG.  Borrows m. */
int vc_monnorm_is_managed(jv m);
/* m's "id" when it is a positive integer, else 0.  Borrows m. */
long long vc_monnorm_remote_id(jv m);
/* m's name, trimmed, as a malloc'd string ("" when absent).  Borrows m. */
char *vc_monnorm_name(jv m);

#endif
