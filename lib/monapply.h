/*
 * monapply.h — the remote steps of vc-push-monitors: settling name
 * clashes, validating with Datadog, applying a plan one write at a time,
 * and exporting managed monitors as files.
 *
 * Results are those of monapi.h: VC_MONAPI_OK, VC_MONAPI_REJECTED (Datadog
 * or a safety rule refused: a check failed), VC_MONAPI_FAILED (no usable
 * answer: an I/O error).  Problems are reported on stderr as
 * "vc-push-monitors: FILE: vc-id ID: why"; records go to standard output
 * through out.h, which the caller has initialised.
 */
#ifndef VC_MONAPPLY_H
#define VC_MONAPPLY_H

#include <jv.h>

#include "monapi.h"
#include "monplan.h"

/* Looks up the name of every create and settles it (see
 * vc_monplan_resolve_name): each clash is reported, and the worst
 * result returned. */
int vc_monapply_names(struct vc_monapi *api, struct vc_monplan *p, int adopt);

/* Validates with Datadog every monitor the plan creates or updates, or,
 * with all set, every monitor from the files; reports each rejection and
 * returns the worst result. */
int vc_monapply_validate(struct vc_monapi *api, struct vc_monplan *p, int all);

/* Writes the plan, one line per item (vc_monplan_item_json). */
void vc_monapply_print_plan(const struct vc_monplan *p);

/* Applies the plan: creates and updates in plan order, then deletes, one
 * request at a time (the HTTP client paces them by the rate-limit
 * headers).  Each item is written as its plan line with "applied": true
 * once done (a create with its new id), no-ops with "applied": false.
 * The first failure is written with "applied": false and "error", and
 * ends the run: what was done is done, and running again converges.
 * counts[action] gets the writes made. */
int vc_monapply_run(struct vc_monapi *api, struct vc_monplan *p, unsigned long counts[4]);

/* Writes each managed monitor of remote (consumed) to DIR/VC_ID.json as
 * vcobs' monitor file (vc_monnorm_export; a vc id unfit for a file name
 * is spelled with '_'), and one line {"action":"export","vc_id","name",
 * "id","file"} per file.  Creates dir when missing.  Returns 0, or -1
 * after reporting an I/O error. */
int vc_monapply_export(jv remote, const char *dir);

#endif
