/*
 * monitor.h — Datadog monitor files: loading and --check.
 *
 * A monitor file holds one monitor object, a JSON array of them, or JSON
 * lines of them, in Datadog's own format (as its API and UI export it).
 * vc_monitor_load takes a file or a folder (its *.json and *.jsonl files,
 * sorted by name, not descending into sub-folders) and appends every
 * monitor to a set.  Each monitor keeps a copy of its raw bytes, so
 * vc-push-monitors can send exactly what was checked; vc_monitor_jv makes
 * a jv of it on demand.
 *
 * Identity: a monitor's vc id is the value of its "vc-id:ID" tag when it
 * has one, else the file's base name without extension for a file holding
 * one bare object, else BASE-N for the Nth monitor (from 1) of an array or
 * of JSON lines.  The same file always gives the same ids.
 *
 * Messages have one shape, "vc-NAME: FILE:LINE:COL: why", LINE and COL
 * counting from 1 and pointing into the file (inside the query string
 * for query errors).
 */
#ifndef VC_MONITOR_H
#define VC_MONITOR_H

#include <stddef.h>

#include <jv.h>

#include "query.h"

enum vc_monitor_status {
	VC_STATUS_OK = 0,
	VC_STATUS_WARN,
	VC_STATUS_ALERT,
	VC_STATUS_NO_DATA,
};

/* "ok", "warn", "alert", "no_data". */
const char *vc_monitor_status_name(enum vc_monitor_status s);

/* The options vcobs evaluates, read from "options" (times in seconds). */
struct vc_monitor_options {
	int has_critical, has_warning, has_critical_recovery, has_warning_recovery;
	double critical, warning, critical_recovery, warning_recovery;
	int notify_no_data;
	double no_data_timeframe; /* 0: absent, then twice the window */
	double evaluation_delay;
	double new_group_delay;
	int require_full_window;
	double renotify_interval;   /* 0: never */
	unsigned renotify_statuses; /* bit (1 << enum vc_monitor_status) */
	double timeout;             /* timeout_h in seconds; 0: never */
};

struct vc_monitor {
	char *id;           /* the vc id (see above) */
	char *file;         /* the path it was read from, as given */
	int position;       /* 0 for a lone object, else its 1-based index */
	unsigned long line; /* where the object starts in file */
	unsigned long col;
	char *json; /* the object's raw bytes, NUL-terminated */
	size_t len;
	/* Read from json at load time; NULL / 0 when absent or mistyped
	 * (--check says which). */
	char *name;
	char *type;
	char *query_text;
	char *message;
	int priority; /* 1..5, 0 when null or absent */
	struct vc_monitor_options options;
	/* The parsed query; NULL when it did not parse or the type is not
	 * a metric monitor. */
	struct vc_query *query;
};

struct vc_monitor_set {
	struct vc_monitor *v;
	size_t n, cap;
	unsigned long io_errors; /* files that could not be read */
};

#define VC_MONITOR_SET_INIT   \
	{                     \
		NULL, 0, 0, 0 \
	}

/* Appends the monitors of a file or folder to set.  Reports each file
 * that cannot be read (counted in set->io_errors) and each malformed file
 * or line ("FILE:LINE:COL: why").  Returns the number of problems
 * reported, 0 when everything loaded. */
int vc_monitor_load(struct vc_monitor_set *set, const char *path);

/* Checks for vc_monitor_check. */
enum {
	/* Accept monitor types other than "metric alert" / "query alert"
	 * (their queries are then not parsed). */
	VC_MONITOR_CHECK_ANY_TYPE = 1,
};

/* The --check validations over every monitor of set: required fields and
 * their types, the query (syntax, aggregations, unsupported functions),
 * options.thresholds.critical equal to the query's threshold, warning
 * and recovery thresholds on the right side, unknown options, unknown
 * template variables in the message, duplicate vc ids.  Prints each error
 * as "FILE:LINE:COL: why" and returns how many there were. */
int vc_monitor_check(const struct vc_monitor_set *set, unsigned flags);

/* Line and column (from 1) in m->file of byte off of m->json. */
void vc_monitor_locate(const struct vc_monitor *m, size_t off, unsigned long *line,
		       unsigned long *col);

/* The monitor as a jv object, parsed from its raw bytes; the caller owns
 * the result. */
jv vc_monitor_jv(const struct vc_monitor *m);

/* The monitor with vc id id, or NULL. */
const struct vc_monitor *vc_monitor_find(const struct vc_monitor_set *set, const char *id);

void vc_monitor_set_free(struct vc_monitor_set *set);

#endif
