/*
 * template.h — Datadog monitor message templates.
 *
 * Sections {{#is_alert}}...{{/is_alert}}, inverted {{^is_alert}}, and
 * {{else}} inside either; conditions is_alert, is_warning, is_recovery,
 * is_alert_recovery, is_warning_recovery, is_alert_to_warning, is_no_data,
 * is_no_data_recovery, is_renotify, is_unknown (never true here),
 * is_priority 'P1', is_match "tag" "v" ... (substring), is_exact_match.
 * Variables {{value}}, {{threshold}}, {{warn_threshold}}, {{ok_threshold}},
 * {{comparator}}, {{first_triggered_at}}, {{last_triggered_at}} (and their
 * _epoch forms, in ms), {{triggered_duration_sec}}, {{TAG.name}} and
 * {{[dotted.tag].name}}.  {{{x}}} is the same as {{x}}: the message is
 * text in a JSON string, so nothing is HTML-escaped.
 */
#ifndef VC_TEMPLATE_H
#define VC_TEMPLATE_H

#include <stddef.h>

#include "buf.h"
#include "json.h"
#include "monitor.h"

struct vc_template_ctx {
	enum vc_monitor_status status, previous;
	int renotify;
	double value;          /* NAN when there is none (no data) */
	double threshold;      /* the critical threshold */
	double warn_threshold; /* NAN when not set */
	double ok_threshold;   /* NAN when not set */
	enum vc_cmp cmp;
	int priority; /* 0: none */
	/* The group: key i has value values[i], a C string in which a NUL
	 * of the value is spelled C0 80 (see vc_template_add_value). */
	char *const *keys;
	char *const *values;
	size_t nkeys;
	/* Tags of the group's last point, for {{TAG.name}} of a tag that is
	 * not a group key; VC_JSON_NONE when unknown. */
	struct vc_json_span tags;
	double first_triggered; /* NAN when never */
	double last_triggered;  /* NAN when never */
	double now;
};

/* Appends the rendering of tpl to out. */
void vc_template_render(const char *tpl, const struct vc_template_ctx *ctx, struct vc_buf *out);

/* Checks tpl for a monitor grouped by keys[0..nkeys): unknown variables
 * and conditions, {{TAG.name}} of a tag that is not a group key, and
 * unbalanced sections.  Calls on_error(offset in tpl, why, arg) for each;
 * returns how many there were. */
int vc_template_check(const char *tpl, char *const *keys, size_t nkeys,
		      void (*on_error)(size_t off, const char *why, void *arg), void *arg);

/* Appends the group value v (a C string) to out, its C0 80 pairs back
 * as the NUL bytes they stand for.  A NUL would end the C string, and
 * C0 80 (an overlong NUL, as Java's modified UTF-8 spells it) is never
 * in a checked record, so the spelling is unambiguous. */
void vc_template_add_value(struct vc_buf *out, const char *v);

/* Appends to out, as a JSON array of strings, the @-mentions of text
 * (an '@' at the start or after white space, up to white space). */
void vc_template_handles(const char *text, size_t n, struct vc_buf *out);

#endif
