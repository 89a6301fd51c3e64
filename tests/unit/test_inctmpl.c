/*
 * test_inctmpl.c — incident templates: loading, overriding, rejecting,
 * rendering placeholders; and the installed templates load.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "inctmpl.h"
#include "tap.h"

/* Bytes of a template file one past what a template may be. */
#define TMPL_TEST_BIG (256 * 1024 + 1)

static char dir[] = "/tmp/test_inctmpl.XXXXXX";

static void
put(const char *sub, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, sub);
	mkdir(path, 0700);
	snprintf(path, sizeof path, "%s/%s/%s", dir, sub, name);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

static char *
path_of(const char *sub)
{
	static char p[2][512];
	static int i;

	i ^= 1;
	snprintf(p[i], sizeof p[i], "%s/%s", dir, sub);
	return p[i];
}

int
main(void)
{
	struct vc_inctmpl_set *s;
	const struct vc_inctmpl *t;
	struct vc_buf b = VC_BUF_INIT;
	char why[512], cmd[600], *big;
	const char *g = "{\"session_id\":\"s-42\",\"n\":7}";
	struct vc_inctmpl_vars v = {"session s-42",
				    "Prompt injection",
				    "pi/session_id:s-42",
				    "@incident-x",
				    3,
				    0.97,
				    g,
				    strlen(g),
				    NULL};

	if (mkdtemp(dir) == NULL)
		return 1;
	put("a", "default.json",
	    "{\"title\":\"{{monitor}} on {{attacker}}\",\"severity\":\"SEV-3\"}");
	put("a", "x.json",
	    "{\"title\":\"X from {{attacker}}\",\"severity\":\"SEV-2\","
	    "\"pagerduty_severity\":\"critical\",\"customer_impacted\":true,"
	    "\"summary\":\"{{count}} at {{peak}}\",\"checklist\":[\"block "
	    "{{group.session_id}}\",\"{{group.n}} {{nope}} {{key}} {{handle}}\"]}");
	put("a", "notes.txt", "not a template");
	s = vc_inctmpl_load(path_of("a"), NULL, why, sizeof why);
	tap_ok(s != NULL, "templates load: %s", s ? "" : why);
	t = vc_inctmpl_find(s, "x");
	tap_is_str(t->severity, "SEV-2", "severity");
	tap_is_str(t->pd_severity, "critical", "pagerduty severity");
	tap_ok(t->customer_impacted, "customer_impacted");
	tap_is_num((double)t->nchecklist, 2, "checklist items");
	tap_is_str(vc_inctmpl_find(s, "other")->handle, "default",
		   "unknown handle falls back to default");
	tap_is_str(vc_inctmpl_find(s, NULL)->handle, "default", "no handle: default");
	tap_is_str(vc_inctmpl_find(s, "default")->pd_severity, "error",
		   "pagerduty severity defaults to error");
	vc_inctmpl_render(t->title, &v, &b);
	tap_is_str(b.p, "X from session s-42", "{{attacker}}");
	vc_buf_reset(&b);
	vc_inctmpl_render(t->summary, &v, &b);
	tap_is_str(b.p, "3 at 0.97", "{{count}} and {{peak}}");
	vc_buf_reset(&b);
	v.count = -1234567890123LL;
	v.peak = 1e-7;
	vc_inctmpl_render(t->summary, &v, &b);
	tap_is_str(b.p, "-1234567890123 at 1e-07", "{{count}} as %lld, {{peak}} as %g");
	vc_buf_reset(&b);
	v.peak_text = "0.5";
	vc_inctmpl_render(t->summary, &v, &b);
	tap_is_str(b.p, "-1234567890123 at 0.5", "{{peak}} spelled by the caller");
	v.count = 3;
	v.peak = 0.97;
	v.peak_text = NULL;
	vc_buf_reset(&b);
	vc_inctmpl_render(t->checklist[0], &v, &b);
	tap_is_str(b.p, "block s-42", "{{group.NAME}}");
	vc_buf_reset(&b);
	vc_inctmpl_render(t->checklist[1], &v, &b);
	tap_is_str(b.p, "7 {{nope}} pi/session_id:s-42 @incident-x",
		   "numbers, unknown placeholders kept, key, handle");
	vc_buf_reset(&b);
	vc_inctmpl_render("{{unterminated", &v, &b);
	tap_is_str(b.p, "{{unterminated", "an unterminated placeholder is text");
	vc_inctmpl_free(s);

	put("b", "x.json", "{\"title\":\"override\",\"severity\":\"SEV-1\"}");
	s = vc_inctmpl_load(path_of("a"), path_of("b"), why, sizeof why);
	tap_is_str(vc_inctmpl_find(s, "x")->title, "override",
		   "a file of the override folder wins");
	vc_inctmpl_free(s);

	put("c", "x.json", "{\"title\":\"t\",\"severity\":\"SEV-1\",\"sevrity\":1}");
	tap_ok(vc_inctmpl_load(path_of("a"), path_of("c"), why, sizeof why) == NULL &&
		       strstr(why, "x.json: unknown field") != NULL,
	       "an unknown field is refused: %s", why);
	put("d", "x.json", "{\"title\":\"t\"}");
	tap_ok(vc_inctmpl_load(path_of("a"), path_of("d"), why, sizeof why) == NULL &&
		       strstr(why, "required") != NULL,
	       "severity is required: %s", why);
	put("e", "x.json", "{\"title\":\"t\",\"severity\":\"S\",\"checklist\":[1]}");
	tap_ok(vc_inctmpl_load(path_of("a"), path_of("e"), why, sizeof why) == NULL,
	       "a checklist of non-strings is refused");
	put("f", "x.json", "{\"title\":\"t\",\"severity\":\"S\",\"pagerduty_severity\":\"high\"}");
	tap_ok(vc_inctmpl_load(path_of("a"), path_of("f"), why, sizeof why) == NULL,
	       "an unknown PagerDuty severity is refused");
	put("g", "x.json", "{\"title\":");
	tap_ok(vc_inctmpl_load(path_of("a"), path_of("g"), why, sizeof why) == NULL &&
		       strstr(why, "x.json: byte") != NULL,
	       "malformed JSON names the byte: %s", why);
	put("h", "x.json", "{\"title\":\"t\",\"severity\":\"S\"}");
	tap_ok(vc_inctmpl_load(path_of("h"), NULL, why, sizeof why) == NULL &&
		       strstr(why, "no default.json") != NULL,
	       "a folder without default.json is refused");
	tap_ok(vc_inctmpl_load(path_of("nowhere"), NULL, why, sizeof why) == NULL,
	       "a missing folder is refused");
	big = malloc(TMPL_TEST_BIG + 1);
	memset(big, ' ', TMPL_TEST_BIG);
	big[TMPL_TEST_BIG] = 0;
	memcpy(big, "{\"title\":\"t\",\"severity\":\"S\"}", 28); /* sound, but too big */
	put("i", "x.json", big);
	free(big);
	tap_ok(vc_inctmpl_load(path_of("a"), path_of("i"), why, sizeof why) == NULL &&
		       strstr(why, "x.json: larger than 262144 bytes") != NULL,
	       "a template file past 256 KiB is refused: %s", why);

	s = vc_inctmpl_load("share/vcobs/incidents", NULL, why, sizeof why);
	tap_ok(s != NULL, "the installed templates load: %s", s ? "" : why);
	if (s) {
		tap_is_str(vc_inctmpl_find(s, "prompt-injection")->handle, "prompt-injection",
			   "prompt-injection template");
		tap_is_str(vc_inctmpl_find(s, "multimodal")->handle, "multimodal",
			   "multimodal template");
		vc_inctmpl_free(s);
	}
	vc_buf_free(&b);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd) == 0 ? tap_done() : 1;
}
