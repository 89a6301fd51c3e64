/*
 * monplan.h — what vc-push-monitors would change: monitors from files
 * matched to the monitors vcobs manages remotely, and the actions that
 * make the remote side equal to the files.
 *
 * Identity is the vc id: a remote monitor is vcobs' when it carries the
 * tag managed-by:vcobs, and it is the file monitor whose vc id its
 * "vc-id:" tag names.  A file monitor with no remote match is created,
 * one whose match differs (see monnorm.h) is updated, one that matches is
 * a no-op; a managed remote monitor no file names is deleted, but only
 * when pruning.  Names are not identity (Datadog does not keep them
 * unique): before a create, the caller looks the name up and
 * vc_monplan_resolve_name decides between creating, adopting the one
 * unmanaged monitor of that exact name (--adopt), and refusing.
 *
 * Pure: no I/O except warnings on stderr; the HTTP side is monapi.h.
 */
#ifndef VC_MONPLAN_H
#define VC_MONPLAN_H

#include <stddef.h>

#include <jv.h>

#include "buf.h"

enum vc_monplan_action {
	VC_MONPLAN_NOOP = 0,
	VC_MONPLAN_CREATE,
	VC_MONPLAN_UPDATE,
	VC_MONPLAN_DELETE,
};

/* A monitor from a file.  The plan borrows vc_id and file for its life
 * and copies monitor. */
struct vc_mondesired {
	const char *vc_id;
	const char *file;
	unsigned long line;
	jv monitor;
};

struct vc_monplan_item {
	enum vc_monplan_action action;
	char *vc_id;
	char *name;
	long long id;     /* remote id; 0 until a create is applied */
	jv body;          /* create, update: what is sent; else null */
	jv changes;       /* [{"path","from","to"}] */
	const char *file; /* where the monitor came from; NULL: delete */
	unsigned long line;
	int adopted;      /* an unmanaged monitor taken over by name */
	int name_checked; /* a create whose name was looked up */
};

struct vc_monplan {
	struct vc_monplan_item *items;
	size_t n, cap;
	size_t listed;       /* remote managed monitors in the listing */
	size_t skipped;      /* managed remote monitors without an id */
	size_t not_in_files; /* managed remote monitors no file names */
	int prune;
};

#define VC_MONPLAN_INIT                \
	{                              \
		NULL, 0, 0, 0, 0, 0, 0 \
	}

/* Plans desired[0..nd) against remote, the array of monitors the managed
 * listing returned (consumed).  Creates, updates and no-ops come in file
 * order, deletes (with prune) after them by remote id.  Remote monitors
 * listed without the managed tag are ignored; a managed one without a
 * "vc-id:" tag (tagged in the UI, never pushed) is known as "dd-ID", the
 * name --export gives its file; a second monitor with the same vc id is
 * warned about on stderr and deleted when pruning. */
void vc_monplan_build(struct vc_monplan *p, const struct vc_mondesired *desired, size_t nd,
		      jv remote, int prune);

/* Settles create item it against found, the monitors a name search
 * returned (consumed).  A managed monitor with the item's vc id (the
 * listing missed it) becomes its match; else exactly one unmanaged
 * monitor of the exact same name is adopted when adopt is set (the item
 * becomes an update that tags it); else it is a clash.  Returns 0, or -1
 * with the reason appended to why. */
int vc_monplan_resolve_name(struct vc_monplan_item *it, jv found, int adopt, struct vc_buf *why);

/* The most deletes a run may make: max_deletes when >= 0, else the larger
 * of 1 and a tenth of the managed monitors listed. */
size_t vc_monplan_max_deletes(const struct vc_monplan *p, long max_deletes);
/* Prune safety.  Returns 0, or -1 with the reason appended to why: a
 * pruning run whose listing came back empty (an API that lists nothing
 * must not look like "delete nothing, create everything"), or more
 * deletes than vc_monplan_max_deletes allows. */
int vc_monplan_check_prune(const struct vc_monplan *p, long max_deletes, struct vc_buf *why);

size_t vc_monplan_count(const struct vc_monplan *p, enum vc_monplan_action action);
/* "create", "update", "delete", "noop". */
const char *vc_monplan_action_name(enum vc_monplan_action a);
/* Appends item it as one JSON object (no newline):
 * {"action","vc_id","name","id","file","changes"[,"adopted":true]}. */
void vc_monplan_item_json(const struct vc_monplan_item *it, struct vc_buf *b);
/* Appends "N to create, N to update, N to delete, N unchanged". */
void vc_monplan_summary(const struct vc_monplan *p, struct vc_buf *b);

void vc_monplan_free(struct vc_monplan *p);

#endif
