/*
 * httpkeys.c — the secrets of the HTTP client: loaded from a key file or
 * the environment, checked, wiped when freed, blotted out of text (see
 * httpkeys.h).
 */
#include "httpkeys.h"

#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A key file is a few lines; anything bigger is not one. */
#define KEY_FILE_MAX 65536

static void
wipe_free(char *s)
{
	if (s == NULL)
		return;
	/* volatile so the compiler keeps the wipe of memory about to go. */
	for (volatile char *p = s; *p; p++)
		*p = 0;
	free(s);
}

void
vc_http_keys_free(struct vc_http_keys *k)
{
	wipe_free(k->dd_api_key);
	wipe_free(k->dd_app_key);
	wipe_free(k->pd_routing_key);
	k->dd_api_key = k->dd_app_key = k->pd_routing_key = NULL;
}

/* The slot a key name fills, or NULL for an unknown name. */
static char **
key_slot(struct vc_http_keys *k, const char *name, size_t n)
{
	if (n == 10 && memcmp(name, "DD_API_KEY", 10) == 0)
		return &k->dd_api_key;
	if (n == 10 && memcmp(name, "DD_APP_KEY", 10) == 0)
		return &k->dd_app_key;
	if (n == 18 && memcmp(name, "DD_APPLICATION_KEY", 18) == 0)
		return &k->dd_app_key;
	if (n == 21 && memcmp(name, "PAGERDUTY_ROUTING_KEY", 21) == 0)
		return &k->pd_routing_key;
	return NULL;
}

/* A key goes into a header or a JSON body: a control character in it
 * would split a header, so it is refused rather than sent. */
static int
key_is_clean(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return n > 0;
}

static int
key_set(char **slot, const char *v, size_t n, const char *name, char *why, size_t whylen)
{
	if (!key_is_clean(v, n)) {
		snprintf(why, whylen, "%s is empty or has a control character", name);
		return -1;
	}
	wipe_free(*slot);
	*slot = strndup(v, n);
	if (*slot == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	return 0;
}

/* Blank around a name or value (CR: a key file written on Windows). */
static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Whether s[0..n) looks like an environment variable's name (capitals,
 * digits, '_'), safe to quote back: a line that is only a key with '='
 * in it (base64 padding) puts the key where the name should be. */
static int
looks_like_name(const char *s, size_t n)
{
	if (n == 0 || n > 40)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || s[i] == '_' ||
		      (i > 0 && s[i] >= '0' && s[i] <= '9')))
			return 0;
	return 1;
}

/* Parses one "NAME=value" line of a key file into k. */
static int
key_line(struct vc_http_keys *k, char *s, size_t n, const char *file, unsigned long line, char *why,
	 size_t whylen)
{
	char *end = s + n, *eq, *name_end, *v, *v_end;
	char **slot;

	while (s < end && is_space(*s))
		s++;
	while (end > s && is_space(end[-1]))
		end--;
	if (s == end || *s == '#')
		return 0;
	if (end - s > 7 && memcmp(s, "export ", 7) == 0)
		s += 7;
	eq = memchr(s, '=', end - s);
	if (eq == NULL) {
		/* The line may be a bare key: never quote it back. */
		snprintf(why, whylen, "%s:%lu: expected NAME=value", file, line);
		return -1;
	}
	name_end = eq;
	while (name_end > s && is_space(name_end[-1]))
		name_end--;
	slot = key_slot(k, s, name_end - s);
	if (slot == NULL && !looks_like_name(s, name_end - s)) {
		snprintf(why, whylen,
			 "%s:%lu: expected NAME=value, NAME one of DD_API_KEY, "
			 "DD_APP_KEY, PAGERDUTY_ROUTING_KEY (the line is not shown)",
			 file, line);
		return -1;
	}
	if (slot == NULL) {
		snprintf(why, whylen,
			 "%s:%lu: unknown key name '%.*s' (known: DD_API_KEY, "
			 "DD_APP_KEY, PAGERDUTY_ROUTING_KEY)",
			 file, line, (int)(name_end - s), s);
		return -1;
	}
	v = eq + 1;
	v_end = end;
	while (v < v_end && is_space(*v))
		v++;
	if (v_end - v >= 2 && (*v == '"' || *v == '\'') && v_end[-1] == *v) {
		v++;
		v_end--;
	}
	*name_end = 0;
	return key_set(slot, v, v_end - v, s, why, whylen);
}

/* Warns, as ssh and gpg do of a secret others can reach, when the key
 * file f is a regular file open to its group or to others.  A warning,
 * not a refusal: a job that ran yesterday keeps running, and says why it
 * should not stay so.  A pipe (--key-file <(pass show dd)) has no such
 * mode to judge. */
static void
check_mode(FILE *f, const char *file)
{
	struct stat st;

	if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077) != 0)
		warnx("warning: key file %s can be %s by others than its owner (mode %04o); "
		      "chmod 600 it",
		      file, st.st_mode & 044 ? "read" : "changed", (unsigned)(st.st_mode & 07777));
}

static int
keys_from_file(struct vc_http_keys *k, const char *file, char *why, size_t whylen)
{
	FILE *f = fopen(file, "r");
	char *text;
	size_t n;
	int rc = 0;
	unsigned long line = 1;

	if (f == NULL) {
		snprintf(why, whylen, "%s: %s", file, strerror(errno));
		return -1;
	}
	check_mode(f, file);
	text = malloc(KEY_FILE_MAX + 1);
	if (text == NULL) {
		fclose(f);
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	n = fread(text, 1, KEY_FILE_MAX + 1, f);
	if (ferror(f)) {
		snprintf(why, whylen, "%s: %s", file, strerror(errno));
		rc = -1;
	} else if (n > KEY_FILE_MAX) {
		snprintf(why, whylen, "%s: larger than %d bytes: not a key file", file,
			 KEY_FILE_MAX);
		rc = -1;
	}
	fclose(f);
	for (size_t i = 0; rc == 0 && i < n; line++) {
		char *nl = memchr(text + i, '\n', n - i);
		size_t len = nl ? (size_t)(nl - (text + i)) : n - i;

		rc = key_line(k, text + i, len, file, line, why, whylen);
		i += len + 1;
	}
	memset(text, 0, n < KEY_FILE_MAX + 1 ? n : KEY_FILE_MAX + 1);
	free(text);
	return rc;
}

static int
key_from_env(char **slot, const char *name, char *why, size_t whylen)
{
	const char *v = getenv(name);

	if (*slot != NULL || v == NULL || *v == 0)
		return 0;
	return key_set(slot, v, strlen(v), name, why, whylen);
}

int
vc_http_keys_load(struct vc_http_keys *k, const char *key_file, char *why, size_t whylen)
{
	if (key_file != NULL && keys_from_file(k, key_file, why, whylen) < 0)
		goto fail;
	if (key_from_env(&k->dd_api_key, "DD_API_KEY", why, whylen) < 0 ||
	    key_from_env(&k->dd_app_key, "DD_APP_KEY", why, whylen) < 0 ||
	    key_from_env(&k->pd_routing_key, "PAGERDUTY_ROUTING_KEY", why, whylen) < 0)
		goto fail;
	return 0;
fail:
	vc_http_keys_free(k);
	return -1;
}

/* The loaded keys of k (NULL for one not set) in keys[0..3). */
static void
key_list(const struct vc_http_keys *k, const char *keys[3])
{
	keys[0] = k ? k->dd_api_key : NULL;
	keys[1] = k ? k->dd_app_key : NULL;
	keys[2] = k ? k->pd_routing_key : NULL;
}

int
vc_http_keys_mentioned(const struct vc_http_keys *k, const char *s, size_t n)
{
	const char *keys[3];

	if (s == NULL)
		return 0;
	key_list(k, keys);
	for (int i = 0; i < 3; i++)
		if (keys[i] != NULL && memmem(s, n, keys[i], strlen(keys[i])))
			return 1;
	return 0;
}

void
vc_http_keys_blot(const struct vc_http_keys *k, char *s, size_t n)
{
	const char *keys[3];

	key_list(k, keys);
	for (int i = 0; i < 3; i++) {
		size_t kl = keys[i] ? strlen(keys[i]) : 0;
		char *from = s, *hit;

		/* Search on past each blot: a key of stars would match its
		 * own blot forever. */
		while (kl > 0 && (hit = memmem(from, n - (size_t)(from - s), keys[i], kl))) {
			memset(hit, '*', kl);
			from = hit + kl;
		}
	}
}
