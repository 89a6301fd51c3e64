/*
 * test_http.c — http.c: keys, sites, retry decisions, and real exchanges
 * with a scripted server forked on 127.0.0.1 (bounded: it serves the
 * responses it was given, then exits; alarm(10) ends it regardless).
 */
#include <netinet/in.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "loopback.h"
#include "tap.h"

static char tmpdir[] = "/tmp/test_http.XXXXXX";

static char *
write_file(const char *name, const char *text)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

static void
test_keys(void)
{
	struct vc_http_keys k = VC_HTTP_KEYS_INIT;
	char why[256];
	char *f;

	unsetenv("DD_API_KEY");
	unsetenv("DD_APP_KEY");
	unsetenv("PAGERDUTY_ROUTING_KEY");
	setenv("DD_API_KEY", "envapikey", 1);
	tap_ok(vc_http_keys_load(&k, NULL, why, sizeof why) == 0, "keys from env");
	tap_is_str(k.dd_api_key, "envapikey", "DD_API_KEY from env");
	tap_ok(k.dd_app_key == NULL, "DD_APP_KEY unset stays NULL");
	vc_http_keys_free(&k);

	f = write_file("keys", "# comment\n\nexport DD_APP_KEY = 'appkey1'\n"
			       "PAGERDUTY_ROUTING_KEY=\"pdkey\"\r\n"
			       "DD_API_KEY=filekey\n");
	tap_ok(vc_http_keys_load(&k, f, why, sizeof why) == 0, "key file");
	tap_is_str(k.dd_api_key, "filekey", "file wins over env");
	tap_is_str(k.dd_app_key, "appkey1", "quotes and export stripped");
	tap_is_str(k.pd_routing_key, "pdkey", "CRLF line");
	vc_http_keys_free(&k);
	tap_ok(k.dd_api_key == NULL, "free resets");

	f = write_file("bare", "s3cr3tbarekey\n");
	tap_ok(vc_http_keys_load(&k, f, why, sizeof why) == -1, "bare key line refused");
	tap_ok(strstr(why, "s3cr3t") == NULL && strstr(why, ":1: expected") != NULL,
	       "reason names the line, not the key: %s", why);

	f = write_file("typo", "DD_APIKEY=abc\n");
	tap_ok(vc_http_keys_load(&k, f, why, sizeof why) == -1, "unknown name refused");
	tap_ok(strstr(why, "DD_APIKEY") != NULL && strstr(why, "abc") == NULL,
	       "reason names the name only: %s", why);

	setenv("DD_APP_KEY", "a\nb", 1);
	tap_ok(vc_http_keys_load(&k, NULL, why, sizeof why) == -1,
	       "key with a newline refused (header injection)");
	unsetenv("DD_APP_KEY");

	tap_ok(vc_http_keys_load(&k, "/nonexistent/keys", why, sizeof why) == -1,
	       "missing key file is an error");
	unsetenv("DD_API_KEY");
}

static void
test_sites(void)
{
	const char *why = NULL;
	char *u;

	unsetenv("DD_SITE");
	u = vc_http_dd_base_url(NULL, &why);
	tap_is_str(u, "https://api.datadoghq.com", "default site");
	free(u);
	setenv("DD_SITE", "datadoghq.eu", 1);
	u = vc_http_dd_base_url(NULL, &why);
	tap_is_str(u, "https://api.datadoghq.eu", "EU site");
	free(u);
	setenv("DD_SITE", "US5.datadoghq.com", 1);
	u = vc_http_dd_base_url(NULL, &why);
	tap_is_str(u, "https://api.us5.datadoghq.com", "site case-insensitive");
	free(u);
	setenv("DD_SITE", "ddog-gov.com", 1);
	u = vc_http_dd_base_url(NULL, &why);
	tap_is_str(u, "https://api.ddog-gov.com", "gov site");
	free(u);
	setenv("DD_SITE", "evil.example.com", 1);
	u = vc_http_dd_base_url(NULL, &why);
	tap_ok(u == NULL && strstr(why, "DD_SITE") != NULL, "unknown site refused");
	u = vc_http_dd_base_url("http://127.0.0.1:4010//", &why);
	tap_is_str(u, "http://127.0.0.1:4010", "api url override wins, slashes trimmed");
	free(u);
	u = vc_http_dd_base_url("ftp://x", &why);
	tap_ok(u == NULL, "non-http api url refused");
	unsetenv("DD_SITE");
}

static void
test_retry_decisions(void)
{
	struct vc_http_policy p = VC_HTTP_POLICY_INIT;
	struct vc_http_response r = VC_HTTP_RESPONSE_INIT;
	struct vc_buf b = VC_BUF_INIT;
	unsigned seed = 7;
	long w;
	int in_range = 1;

	tap_is_num(vc_http_parse_retry_after(" 5 ", 3, 0), 5, "Retry-After seconds");
	tap_is_num(vc_http_parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 29, 784111770.0), 7,
		   "Retry-After date");
	tap_is_num(vc_http_parse_retry_after("soon", 4, 0), -1, "Retry-After junk");

	/* A cron job must not hang for many minutes on a stalled API. */
	tap_ok(p.deadline_ms > 0 && p.deadline_ms <= 60000,
	       "a request has a time limit by default, of at most a minute");
	p.backoff_base_ms = 1000;
	p.backoff_max_ms = 8000;
	for (int retry = 1; retry <= 6; retry++) {
		long d = 1000L << (retry - 1);
		if (d > 8000)
			d = 8000;
		for (int i = 0; i < 50; i++) {
			w = vc_http_retry_wait(&p, retry, NULL, 0, &seed);
			if (w < d / 2 || w > d)
				in_range = 0;
		}
	}
	tap_ok(in_range, "backoff doubles, capped, jitter within [d/2, d]");

	r.status = 503;
	vc_buf_adds(&r.headers, "Content-Type: x\r\nretry-after: 3\r\n");
	tap_is_num(vc_http_retry_wait(&p, 1, &r, 0, &seed), 3000, "Retry-After honoured");
	vc_buf_reset(&r.headers);
	r.status = 429;
	r.rate.reset = 2;
	tap_is_num(vc_http_retry_wait(&p, 1, &r, 0, &seed), 2000,
		   "X-RateLimit-Reset honoured on 429");
	r.rate.reset = 100000;
	tap_is_num(vc_http_retry_wait(&p, 1, &r, 0, &seed), -1, "a wait past max_wait gives up");
	vc_http_response_free(&r);

	tap_ok(vc_http_status_transient(0) && vc_http_status_transient(429) &&
		       vc_http_status_transient(512) && !vc_http_status_transient(400) &&
		       !vc_http_status_transient(404),
	       "transient statuses");

	vc_http_redact_url("https://hooks.slack.com/services/T0/B0/XXXX?x=1", 1, &b);
	tap_is_str(b.p, "https://hooks.slack.com/...", "secret URL redacted");
	vc_buf_reset(&b);
	vc_http_redact_url("https://api.datadoghq.com/api/v2/incidents?api_key=z", 0, &b);
	tap_is_str(b.p, "https://api.datadoghq.com/api/v2/incidents", "query dropped");
	vc_buf_reset(&b);
	vc_http_redact_url("https://bob:hunter22@proxy.example:8443/api/v1/monitor?x", 0, &b);
	tap_is_str(b.p, "https://***@proxy.example:8443/api/v1/monitor", "user:password hidden");
	vc_buf_reset(&b);
	vc_http_redact_url("https://tok:en@a@hooks.example/T0/secret", 1, &b);
	tap_is_str(b.p, "https://***@hooks.example/...", "secret URL: up to the last @ hidden");
	vc_buf_reset(&b);
	vc_http_redact_url("https://hooks.example/a@b/c", 0, &b);
	tap_is_str(b.p, "https://hooks.example/a@b/c", "an @ in the path is not userinfo");
	vc_buf_free(&b);
}

/* ---- scripted server ----------------------------------------------------- */

struct server {
	pid_t pid;
	int port;
	char log[256];
};

/* Serves the responses in order, one connection each (or stalls when a
 * response is "STALL"), appending each request to the log file. */
static void
serve(int ls, const char *const *responses, const char *log)
{
	alarm(10);
	for (int i = 0; responses[i]; i++) {
		char req[65536];
		size_t n = 0;
		ssize_t got;
		int fd = accept(ls, NULL, NULL);
		FILE *f;

		if (fd < 0)
			_exit(1);
		for (;;) {
			char *hend, *cl;
			size_t want;

			got = read(fd, req + n, sizeof req - 1 - n);
			if (got <= 0)
				break;
			n += got;
			req[n] = 0;
			hend = strstr(req, "\r\n\r\n");
			if (hend == NULL)
				continue;
			cl = strcasestr(req, "Content-Length:");
			want = (hend + 4 - req) + (cl ? strtoul(cl + 15, NULL, 10) : 0);
			if (n >= want)
				break;
		}
		f = fopen(log, "a");
		fwrite(req, 1, n, f);
		fputs("\n--END--\n", f);
		fclose(f);
		if (strcmp(responses[i], "STALL") == 0) {
			sleep(2);
		} else {
			ssize_t w = write(fd, responses[i], strlen(responses[i]));
			(void)w;
		}
		close(fd);
	}
	_exit(0);
}

static void
server_start(struct server *s, const char *const *responses)
{
	int ls = loopback_listen(&s->port);

	snprintf(s->log, sizeof s->log, "%s/log.%d", tmpdir, s->port);
	unlink(s->log);
	s->pid = fork();
	if (s->pid == 0)
		serve(ls, responses, s->log);
	close(ls);
}

static void
server_stop(struct server *s)
{
	kill(s->pid, SIGTERM);
	waitpid(s->pid, NULL, 0);
}

static char *
slurp(const char *path)
{
	static char text[262144];
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;

	if (f)
		fclose(f);
	text[n] = 0;
	return text;
}

#define R200                                                             \
	"HTTP/1.1 200 OK\r\nContent-Length: 11\r\nConnection: close\r\n" \
	"X-RateLimit-Limit: 60\r\nX-RateLimit-Remaining: 59\r\n\r\n{\"ok\":true}"
#define R500 "HTTP/1.1 500 Oops\r\nContent-Length: 4\r\nConnection: close\r\n\r\nboom"
#define R429                                                              \
	"HTTP/1.1 429 Slow\r\nContent-Length: 0\r\nConnection: close\r\n" \
	"X-RateLimit-Reset: 1\r\nRetry-After: 0\r\n\r\n"
#define R200EMPTY                                                       \
	"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n" \
	"X-RateLimit-Remaining: 0\r\nX-RateLimit-Reset: 1\r\n\r\n{}"
#define R400ECHO                                                          \
	"HTTP/1.1 400 Bad\r\nContent-Length: 35\r\nConnection: close\r\n" \
	"\r\n{\"errors\":[\"bad key sekrit-api-1\"]}"

static void
test_exchanges(void)
{
	struct vc_http_keys keys = {strdup("sekrit-api-1"), strdup("sekrit-app-2"), NULL};
	struct vc_http_config cfg = {NULL, &keys, VC_HTTP_POLICY_INIT, "test", 0, 42};
	const struct vc_http_policy dflt = VC_HTTP_POLICY_INIT;
	struct vc_http_response r = VC_HTTP_RESPONSE_INIT;
	struct vc_http_client *c;
	struct server s;
	const char *why;
	char base[64], *log;
	const char *body = "{\"a\":1}";
	struct vc_http_request req = {
		"POST", "/api/v2/incidents", body, strlen(body), VC_HTTP_AUTH_DD, NULL, 0, 0, 0, 0};
	static const char *const retry_script[] = {R500, R429, R200, NULL};
	static const char *const bad_script[] = {R400ECHO, NULL};
	static const char *const stall_script[] = {"STALL", "STALL", NULL};
	static const char *const empty_bucket[] = {R200EMPTY, R200, NULL};
	struct timespec t0, t1;
	size_t n;
	const char *v;

	cfg.policy.backoff_base_ms = 20;
	cfg.policy.backoff_max_ms = 50;
	cfg.policy.max_retries = 3;
	cfg.policy.timeout_ms = 3000;

	server_start(&s, retry_script);
	snprintf(base, sizeof base, "http://127.0.0.1:%d", s.port);
	cfg.base_url = base;
	c = vc_http_new(&cfg, &why);
	tap_ok(c != NULL, "client made");
	tap_ok(vc_http_do(c, &req, &r) == 0, "500, 429, then 200 succeeds: %s", r.error);
	tap_is_num(r.attempts, 3, "three attempts");
	tap_is_num(r.status, 200, "final status");
	tap_is_str(r.body.p, "{\"ok\":true}", "body");
	tap_is_num(r.rate.limit, 60, "X-RateLimit-Limit read");
	tap_is_num(r.rate.remaining, 59, "X-RateLimit-Remaining read");
	v = vc_http_response_header(&r, "x-ratelimit-limit", &n);
	tap_ok(v && n == 2 && memcmp(v, "60", 2) == 0, "header lookup case-insensitive");
	server_stop(&s);
	log = slurp(s.log);
	tap_ok(strstr(log, "POST /api/v2/incidents HTTP/1.1") != NULL, "method and path sent");
	tap_ok(strcasestr(log, "DD-API-KEY: sekrit-api-1") != NULL &&
		       strcasestr(log, "DD-APPLICATION-KEY: sekrit-app-2") != NULL,
	       "key headers sent");
	tap_ok(strcasestr(log, "Content-Type: application/json") != NULL, "JSON content type");
	tap_ok(strstr(log, "{\"a\":1}") != NULL, "body sent");
	vc_http_free(c);

	server_start(&s, bad_script);
	snprintf(base, sizeof base, "http://127.0.0.1:%d", s.port);
	c = vc_http_new(&cfg, &why);
	tap_ok(vc_http_do(c, &req, &r) == -1, "400 fails");
	tap_is_num(r.attempts, 1, "400 is not retried");
	tap_ok(!r.transient, "400 is permanent");
	tap_ok(strstr(r.error, "HTTP 400") != NULL && strstr(r.error, "bad key") != NULL,
	       "error names status and body: %s", r.error);
	tap_ok(strstr(r.error, "sekrit") == NULL, "an echoed key is blotted out");
	tap_ok(r.body.p && strstr(r.body.p, "bad key ************") != NULL,
	       "and out of the error body the caller reads: %s", r.body.p);
	server_stop(&s);
	vc_http_free(c);

	/* A create is retried only when it surely was not applied. */
	server_start(&s, retry_script);
	snprintf(base, sizeof base, "http://127.0.0.1:%d", s.port);
	c = vc_http_new(&cfg, &why);
	req.not_idempotent = 1;
	tap_ok(vc_http_do(c, &req, &r) == -1 && r.attempts == 1 && r.status == 500,
	       "a create answered 500 is not retried (%d attempts)", r.attempts);
	tap_ok(strstr(r.error, "(not retried: it may have been applied)") != NULL, "says so: %s",
	       r.error);
	tap_ok(vc_http_do(c, &req, &r) == 0 && r.attempts == 2,
	       "a create answered 429 is retried (%d attempts): %s", r.attempts, r.error);
	server_stop(&s);
	vc_http_free(c);
	/* Nothing listens on the finished server's port: nothing was sent. */
	c = vc_http_new(&cfg, &why);
	tap_ok(vc_http_do(c, &req, &r) == -1 && r.status == 0 &&
		       r.attempts == 1 + cfg.policy.max_retries,
	       "a create that could not connect is retried (%d attempts)", r.attempts);
	req.not_idempotent = 0;
	vc_http_free(c);

	/* An empty rate-limit bucket holds the next request until it resets. */
	server_start(&s, empty_bucket);
	snprintf(base, sizeof base, "http://127.0.0.1:%d", s.port);
	c = vc_http_new(&cfg, &why);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	tap_ok(vc_http_do(c, &req, &r) == 0 && r.rate.remaining == 0 && r.rate.reset == 1,
	       "X-RateLimit-Remaining: 0 read");
	tap_ok(vc_http_do(c, &req, &r) == 0, "the next request is sent");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	tap_ok(t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9 >= 0.9,
	       "after waiting for X-RateLimit-Reset");
	server_stop(&s);
	vc_http_free(c);

	server_start(&s, stall_script);
	snprintf(base, sizeof base, "http://127.0.0.1:%d", s.port);
	cfg.policy.timeout_ms = 200;
	cfg.policy.max_retries = 1;
	c = vc_http_new(&cfg, &why);
	tap_ok(vc_http_do(c, &req, &r) == -1, "stalled server fails");
	tap_ok(r.transient && r.status == 0 && r.attempts == 2,
	       "timeout is transient and retried (%d attempts): %s", r.attempts, r.error);
	server_stop(&s);
	vc_http_free(c);

	/* The time limit of a request cuts the attempt in flight, whatever
	 * the attempt's own timeout, and begins no retry past it. */
	server_start(&s, stall_script);
	snprintf(base, sizeof base, "http://127.0.0.1:%d", s.port);
	cfg.policy.timeout_ms = 5000;
	cfg.policy.max_retries = 3;
	cfg.policy.deadline_ms = 300;
	c = vc_http_new(&cfg, &why);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	tap_ok(vc_http_do(c, &req, &r) == -1, "stalled server past the time limit fails");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	tap_ok(t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9 < 1.5,
	       "within the time limit, not the 5 s timeout");
	tap_ok(r.attempts == 1 && r.transient && r.deadline > 0, "one attempt, transient");
	tap_ok(strstr(r.error, "(retry time limit of 0.3 s reached)") != NULL, "says why: %s",
	       r.error);
	/* A later request of the same operation, past the limit: not sent. */
	req.deadline = r.deadline;
	tap_ok(vc_http_do(c, &req, &r) == -1 && r.attempts == 0 &&
		       strstr(r.error, "not sent (retry time limit") != NULL,
	       "a shared deadline already passed sends nothing: %s", r.error);
	req.deadline = 0;
	server_stop(&s);
	vc_http_free(c);
	cfg.policy.timeout_ms = 200;
	cfg.policy.max_retries = 1;
	cfg.policy.deadline_ms = dflt.deadline_ms;

	/* Nothing listens on the port of a finished server. */
	c = vc_http_new(&cfg, &why);
	req.no_retry = 1;
	tap_ok(vc_http_do(c, &req, &r) == -1 && r.transient && r.attempts == 1,
	       "connection refused: transient, no_retry honoured: %s", r.error);
	req.no_retry = 0;
	req.url = "http://example.invalid/api/v2/incidents";
	tap_ok(vc_http_do(c, &req, &r) == -1 && strstr(r.error, "plain http") && r.attempts == 0,
	       "key over plain http to a remote host refused unsent: %s", r.error);
	req.url = "http://127.0.0.1.example.invalid/api/v2/incidents";
	tap_ok(vc_http_do(c, &req, &r) == -1 && strstr(r.error, "plain http") && r.attempts == 0,
	       "a DNS name starting 127. is not the loopback: %s", r.error);
	req.url = "http://u@127.0.0.1@example.invalid/api/v2/incidents";
	tap_ok(vc_http_do(c, &req, &r) == -1 && strstr(r.error, "plain http") && r.attempts == 0,
	       "a loopback address before an @ is a user name, not the host: %s", r.error);
	req.url = "http://user:pw-1234@127.0.0.1:1/api/v2/incidents";
	tap_ok(vc_http_do(c, &req, &r) == -1 && strstr(r.error, "pw-1234") == NULL &&
		       strstr(r.error, "http://***@127.0.0.1:1/") != NULL,
	       "the password of a URL is never in an error: %s", r.error);
	req.url = "/x";
	req.auth = VC_HTTP_AUTH_NONE;
	req.body = "{\"routing_key\":\"sekrit-api-1\"}";
	req.body_len = strlen(req.body);
	cfg.base_url = "http://example.invalid";
	vc_http_free(c);
	c = vc_http_new(&cfg, &why);
	tap_ok(vc_http_do(c, &req, &r) == -1 && strstr(r.error, "plain http"),
	       "a key in the body counts as a key");
	keys.dd_app_key[0] = 0;
	free(keys.dd_app_key);
	keys.dd_app_key = NULL;
	req.auth = VC_HTTP_AUTH_DD;
	cfg.base_url = "https://127.0.0.1:1";
	vc_http_free(c);
	c = vc_http_new(&cfg, &why);
	tap_ok(vc_http_do(c, &req, &r) == -1 && strstr(r.error, "DD_APP_KEY is not set"),
	       "missing key reported before sending");
	vc_http_free(c);
	vc_http_response_free(&r);
	vc_http_keys_free(&keys);
}

int
main(void)
{
	char cmd[300];

	/* Key files as a careful user keeps them: no mode warning. */
	umask(077);
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	test_keys();
	test_sites();
	test_retry_decisions();
	test_exchanges();
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		return 1;
	return tap_done();
}
