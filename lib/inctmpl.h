/*
 * inctmpl.h — incident templates: what an incident of a handle says.
 *
 * One JSON file per incident handle under share/vcobs/incidents/
 * (prompt-injection.json for @incident-prompt-injection), plus
 * default.json for handles without a file of their own.  A file:
 *
 *   {"title": "Prompt injection from {{attacker}}",
 *    "severity": "SEV-2",              Datadog's severity field
 *    "pagerduty_severity": "critical", critical|error|warning|info
 *    "customer_impacted": false,
 *    "summary": "{{count}} injection attempts from {{attacker}}",
 *    "checklist": ["Block or rate-limit {{attacker}}", ...]}
 *
 * Placeholders, replaced when an incident is rendered: {{attacker}} (the
 * alert's group in words: "session s-42"), {{monitor}} (the monitor's
 * name), {{key}}, {{handle}}, {{count}}, {{peak}}, and {{group.NAME}}
 * (one value of the group).  An unknown placeholder is left as written.
 */
#ifndef VC_INCTMPL_H
#define VC_INCTMPL_H

#include <stddef.h>

#include "buf.h"

struct vc_inctmpl {
	char *handle; /* file base name: "prompt-injection" */
	char *title;
	char *severity;
	char *pd_severity;
	int customer_impacted;
	char *summary;
	char **checklist;
	size_t nchecklist;
};

struct vc_inctmpl_set;

/* Loads every *.json file of dir, then of over_dir (may be NULL), a file
 * of over_dir replacing the one of the same name.  A default.json must
 * be among them.  Returns NULL with a reason ("FILE: why") in why. */
struct vc_inctmpl_set *vc_inctmpl_load(const char *dir, const char *over_dir, char *why,
				       size_t whylen);
/* The template of handle ("prompt-injection", no "@incident-"), or the
 * default one. */
const struct vc_inctmpl *vc_inctmpl_find(const struct vc_inctmpl_set *s, const char *handle);
void vc_inctmpl_free(struct vc_inctmpl_set *s);

/* Values for the placeholders; group is the raw JSON object of the
 * alert's group (may be NULL). */
struct vc_inctmpl_vars {
	const char *attacker;
	const char *monitor;
	const char *key;
	const char *handle;
	long long count;
	double peak;
	const char *group;
	size_t group_len;
	const char *peak_text; /* peak spelled with %g already, or NULL */
};

/* Appends tmpl with its placeholders replaced to out (plain text, not
 * JSON-escaped). */
void vc_inctmpl_render(const char *tmpl, const struct vc_inctmpl_vars *v, struct vc_buf *out);

#endif
