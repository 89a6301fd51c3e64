/*
 * test_httpkeys.c — httpkeys.c: finding and blotting loaded keys in text,
 * and key files the loader must refuse.  (Loading itself is also
 * exercised through http.h by test_http.c.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "httpkeys.h"
#include "tap.h"

static char tmpdir[] = "/tmp/test_httpkeys.XXXXXX";

static const char *
write_file(const char *name, const char *text, size_t n)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	if (f == NULL)
		return "/nonexistent";
	fwrite(text, 1, n, f);
	fclose(f);
	return path;
}

static void
test_mentioned_and_blot(void)
{
	struct vc_http_keys k = {strdup("apikey123"), NULL, strdup("pdroute9")};
	char text[] = "{\"a\":\"apikey123\",\"b\":\"pdroute9 apikey123\"}";
	const char *body = "{\"routing_key\":\"pdroute9\"}";

	tap_ok(vc_http_keys_mentioned(&k, body, strlen(body)), "a key in a body is found");
	tap_ok(!vc_http_keys_mentioned(&k, body, 20), "only s[0..n) is searched");
	tap_ok(!vc_http_keys_mentioned(&k, "{\"x\":1}", 7), "a body without keys");
	tap_ok(!vc_http_keys_mentioned(NULL, body, strlen(body)), "no keys: nothing found");
	tap_ok(!vc_http_keys_mentioned(&k, NULL, 0), "no body: nothing found");

	vc_http_keys_blot(&k, text, strlen(text));
	tap_is_str(text, "{\"a\":\"*********\",\"b\":\"******** *********\"}",
		   "every occurrence of every key blotted");
	strcpy(text, body);
	vc_http_keys_blot(NULL, text, strlen(text));
	tap_is_str(text, body, "no keys: text left alone");
	vc_http_keys_free(&k);

	struct vc_http_keys stars = {strdup("**"), NULL, NULL};
	char starred[] = "a**b***";
	vc_http_keys_blot(&stars, starred, strlen(starred));
	tap_is_str(starred, "a**b***", "a key of stars ends (it matches its own blot)");
	vc_http_keys_free(&stars);
	tap_ok(k.dd_api_key == NULL && k.pd_routing_key == NULL, "free resets");
}

static void
test_refused_files(void)
{
	struct vc_http_keys k = VC_HTTP_KEYS_INIT;
	char why[256];
	char *big = calloc(1, 70000);
	const char *f;

	unsetenv("DD_API_KEY");
	unsetenv("DD_APP_KEY");
	unsetenv("PAGERDUTY_ROUTING_KEY");
	memset(big, '#', 69999);
	f = write_file("big", big, 69999);
	tap_ok(vc_http_keys_load(&k, f, why, sizeof why) == -1 && strstr(why, "not a key file"),
	       "a file past 64 KiB is not a key file: %s", why);
	free(big);

	f = write_file("empty", "DD_API_KEY=''\n", 14);
	tap_ok(vc_http_keys_load(&k, f, why, sizeof why) == -1 && strstr(why, "empty"),
	       "an empty key refused: %s", why);

	f = write_file("ctl",
		       "DD_API_KEY=ab\x01"
		       "cd\n",
		       16);
	tap_ok(vc_http_keys_load(&k, f, why, sizeof why) == -1 && strstr(why, "ab") == NULL,
	       "a control character refused, key not quoted: %s", why);
	tap_ok(k.dd_api_key == NULL, "nothing kept after a refusal");

	/* A bare key with base64 padding: its '=' makes it look like a
	 * NAME=value line whose name is the key. */
	f = write_file("padded", "c2VjcmV0LWtleS0xMjM0NTY=\n", 25);
	tap_ok(vc_http_keys_load(&k, f, why, sizeof why) == -1 && strstr(why, ":1: expected") &&
		       strstr(why, "c2VjcmV0") == NULL,
	       "a bare key with '=' refused, not quoted as a name: %s", why);
	f = write_file("lower", "dd_api_key=abc\n", 15);
	tap_ok(vc_http_keys_load(&k, f, why, sizeof why) == -1 && strstr(why, "dd_api_key") == NULL,
	       "a name in lower case is not quoted either: %s", why);

	f = write_file("alias", "DD_APPLICATION_KEY=app7\n", 24);
	tap_ok(vc_http_keys_load(&k, f, why, sizeof why) == 0 && k.dd_app_key != NULL &&
		       strcmp(k.dd_app_key, "app7") == 0,
	       "DD_APPLICATION_KEY fills the application key");
	vc_http_keys_free(&k);
}

int
main(void)
{
	char cmd[300];

	/* Key files as a careful user keeps them: no mode warning. */
	umask(077);
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	test_mentioned_and_blot();
	test_refused_files();
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		return 1;
	return tap_done();
}
