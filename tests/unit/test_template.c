/* Unit tests of lib/template.c: Datadog message templates, their check,
 * and @-handles. */
#include <math.h>
#include <string.h>

#include "tap.h"
#include "template.h"

static char key_session[] = "session_id";
static char val_session[] = "s-42";
static char *keys[] = {key_session};
static char *values[] = {val_session};

static struct vc_template_ctx
ctx(enum vc_monitor_status status, enum vc_monitor_status previous)
{
	struct vc_template_ctx c;

	memset(&c, 0, sizeof c);
	c.status = status;
	c.previous = previous;
	c.value = 0.93;
	c.threshold = 0.7;
	c.warn_threshold = NAN;
	c.ok_threshold = NAN;
	c.cmp = VC_CMP_GT;
	c.priority = 1;
	c.keys = keys;
	c.values = values;
	c.nkeys = 1;
	c.first_triggered = NAN;
	c.last_triggered = 1764150000;
	c.now = 1764150060;
	return c;
}

static void
renders(const char *tpl, struct vc_template_ctx c, const char *want, const char *name)
{
	struct vc_buf b = VC_BUF_INIT;

	vc_template_render(tpl, &c, &b);
	tap_is_str(b.p, want, name);
	vc_buf_free(&b);
}

static int errors_seen;
static size_t first_error;

static void
on_error(size_t off, const char *why, void *arg)
{
	(void)why;
	(void)arg;
	if (errors_seen++ == 0)
		first_error = off;
}

static int
check(const char *tpl)
{
	errors_seen = 0;
	first_error = 0;
	return vc_template_check(tpl, keys, 1, on_error, NULL);
}

int
main(void)
{
	const char *tpl = "{{#is_alert}}A {{session_id.name}} {{value}}>{{threshold}}{{/is_alert}}"
			  "{{#is_recovery}}R{{/is_recovery}}{{^is_alert}} not-alert{{/is_alert}}";
	struct vc_buf h = VC_BUF_INIT;

	renders(tpl, ctx(VC_STATUS_ALERT, VC_STATUS_OK), "A s-42 0.93>0.7", "alert section");
	renders(tpl, ctx(VC_STATUS_OK, VC_STATUS_ALERT), "R not-alert", "recovery and inverted");
	renders(tpl, ctx(VC_STATUS_OK, VC_STATUS_OK), " not-alert", "plain ok is no recovery");
	renders("{{#is_warning}}w{{else}}e{{/is_warning}}", ctx(VC_STATUS_ALERT, VC_STATUS_OK), "e",
		"else branch");
	renders("{{#is_alert}}{{#is_warning}}x{{else}}y{{/is_warning}}{{/is_alert}}z",
		ctx(VC_STATUS_WARN, VC_STATUS_OK), "z", "nested sections hide inner else");
	renders("{{#is_alert_to_warning}}down{{/is_alert_to_warning}}",
		ctx(VC_STATUS_WARN, VC_STATUS_ALERT), "down", "is_alert_to_warning");
	renders("{{#is_no_data}}nd{{/is_no_data}}{{#is_no_data_recovery}}back{{/"
		"is_no_data_recovery}}",
		ctx(VC_STATUS_OK, VC_STATUS_NO_DATA), "back", "is_no_data_recovery");
	renders("{{#is_match \"session_id\" \"s-4\" \"zz\"}}m{{/is_match}}",
		ctx(VC_STATUS_ALERT, VC_STATUS_OK), "m", "is_match substring, any argument");
	{
		/* A NUL in a group value (spelled C0 80) is part of it: the
		 * whole value is compared, not the part before the NUL. */
		static char val_nul[] = "s-4\xC0\x80prod";
		static char *nul_values[] = {val_nul};
		struct vc_template_ctx c = ctx(VC_STATUS_ALERT, VC_STATUS_OK);

		c.values = nul_values;
		renders("{{#is_match \"session_id\" \"prod\"}}m{{/is_match}}"
			"{{#is_exact_match \"session_id\" \"s-4\"}}x{{/is_exact_match}}",
			c, "m", "is_match and is_exact_match see past a NUL in the value");
	}
	renders("{{#is_exact_match \"session_id.name\" \"s-4\"}}m{{/is_exact_match}}",
		ctx(VC_STATUS_ALERT, VC_STATUS_OK), "", "is_exact_match wants the whole value");
	renders("{{#is_priority 'P1'}}p1{{/is_priority}}", ctx(VC_STATUS_ALERT, VC_STATUS_OK), "p1",
		"is_priority");
	renders("at {{last_triggered_at}} ({{last_triggered_at_epoch}})",
		ctx(VC_STATUS_ALERT, VC_STATUS_OK), "at 2025-11-26 09:40:00 UTC (1764150000000)",
		"last_triggered_at and its epoch in ms");
	renders("{{{value}}} {{ comparator }} [{{warn_threshold}}]",
		ctx(VC_STATUS_ALERT, VC_STATUS_OK), "0.93 > []",
		"triple braces, spaces, absent warning");
	renders("{{#is_renotify}}again{{/is_renotify}}", ctx(VC_STATUS_ALERT, VC_STATUS_ALERT), "",
		"is_renotify false without renotify");

	tap_is_num(check(tpl), 0, "a good template has no error");
	tap_is_num(check("x {{nosuch}}"), 1, "unknown variable");
	tap_is_num((double)first_error, 2, "  at its offset");
	tap_is_num(check("{{host.name}}"), 1, "tag variable not in the group-by");
	tap_is_num(check("{{#is_alert}}x"), 1, "section never closed");
	tap_is_num(check("{{#is_alert}}x{{/is_warning}}"), 1, "wrong closing tag");
	tap_is_num(check("{{#is_bogus}}x{{/is_bogus}}"), 1, "unknown condition");
	tap_is_num(check("{{else}}"), 1, "else outside a section");
	tap_is_num(check("{{#is_match \"session_id\"}}x{{/is_match}}"), 1,
		   "is_match needs a value");

	vc_template_handles("Alert @incident-prompt-injection, see @slack-sec. mail@x.com @", 62,
			    &h);
	tap_is_str(h.p, "[\"@incident-prompt-injection\",\"@slack-sec\"]",
		   "handles: after white space, trailing punctuation dropped");
	vc_buf_reset(&h);
	vc_template_handles("@webhook-x(a=1)", 15, &h);
	tap_is_str(h.p, "[\"@webhook-x(a=1)\"]", "a handle at the start keeps its arguments");
	vc_buf_reset(&h);
	vc_template_add_value(&h, "\xC0\x80"
				  "a\xC0\x80\xC0\x80"
				  "b\xC0\x80");
	tap_ok(h.len == 6 && memcmp(h.p, "\0a\0\0b\0", 6) == 0,
	       "a group value's C0 80 pairs are NUL bytes again");
	vc_buf_free(&h);
	return tap_done();
}
