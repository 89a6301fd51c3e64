/*
 * incschema.h — the tables of vc-incident's store and the settings of
 * its database file, private to incstore.c.
 *
 * Kept apart from the store's queries because it changes for other
 * reasons: a new schema version, a conversion of older stores, a file
 * setting measured to be faster.  The store itself only prepares its
 * statements on a connection this module has readied.
 */
#ifndef VC_INCSCHEMA_H
#define VC_INCSCHEMA_H

#include <stddef.h>

#include <sqlite3.h>

/* The schema version this vc-incident writes (PRAGMA user_version). */
#define VC_INCSCHEMA_VERSION 4

/* Readies db, just opened, for the store: the busy timeout, the file's
 * settings (page size, WAL, synchronous; on_disk 0 for an in-memory
 * database, which has none of them) and the cache, then, in one
 * transaction, converts a store of an older schema, creates what is
 * missing and sets the version.  A store of a newer schema is refused
 * and left as it was.  Borrows db.  Returns 0, or -1 with the reason in
 * err[0..errlen). */
int vc_incschema_setup(sqlite3 *db, int on_disk, char *err, size_t errlen);

/* Runs sql on db; on failure puts SQLite's message in err[0..errlen)
 * (none when err is NULL: a ROLLBACK's own failure must not hide why it
 * was needed) and returns -1.  incstore.c runs its transactions with it. */
int vc_incschema_exec(sqlite3 *db, const char *sql, char *err, size_t errlen);

#endif
