/*
 * http.c — the HTTP client on libcurl: Datadog sites, retries, the
 * exchange.  See http.h for the rules it enforces; the keys are
 * httpkeys.c's.
 */
#include "http.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <curl/curl.h>

#ifndef VC_VERSION
#define VC_VERSION "0"
#endif

/* Shortest attempt worth making: with less time left before a request's
 * time limit, it fails unsent rather than time out at once. */
#define MIN_ATTEMPT_MS 50

struct vc_http_client {
	CURL *curl; /* one handle, so connections are reused */
	struct vc_http_config cfg;
	unsigned seed;
	double pace_until; /* monotonic seconds: the rate limit bucket is
			      empty until then */
	int unsent;        /* the last attempt failed before a byte of the
			      request went out */
	char errbuf[CURL_ERROR_SIZE];
};

/* What the write and header callbacks fill during one attempt. */
struct attempt {
	struct vc_http_response *resp;
	size_t max_body;
	int too_big;
};

static double
now_wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

double
vc_http_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void
vc_http_sleep_ms(long ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* Blank around a header's value (the CR of its CRLF included). */
static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* ---- sites and URLs ---------------------------------------------------- */

static const char *const dd_sites[] = {
	"datadoghq.com",     "datadoghq.eu",      "us3.datadoghq.com",
	"us5.datadoghq.com", "ap1.datadoghq.com", "ap2.datadoghq.com",
	"ddog-gov.com",      "us2.ddog-gov.com",  NULL,
};

static int
has_scheme(const char *url)
{
	return strncasecmp(url, "https://", 8) == 0 || strncasecmp(url, "http://", 7) == 0;
}

char *
vc_http_dd_base_url(const char *api_url, const char **why)
{
	const char *site = getenv("DD_SITE");
	char *out;
	size_t n;

	if (api_url != NULL) {
		if (!has_scheme(api_url) || strchr(api_url, ' ') != NULL) {
			*why = "the API URL must start with http:// or https://";
			return NULL;
		}
		n = strlen(api_url);
		while (n > 0 && api_url[n - 1] == '/')
			n--;
		out = strndup(api_url, n);
		if (out == NULL)
			*why = "out of memory";
		return out;
	}
	if (site == NULL || *site == 0)
		site = "datadoghq.com";
	for (int i = 0; dd_sites[i] != NULL; i++) {
		if (strcasecmp(site, dd_sites[i]) != 0)
			continue;
		if (asprintf(&out, "https://api.%s", dd_sites[i]) < 0) {
			*why = "out of memory";
			return NULL;
		}
		return out;
	}
	*why = "DD_SITE is not a Datadog site (datadoghq.com, datadoghq.eu, "
	       "us3.datadoghq.com, us5.datadoghq.com, ap1.datadoghq.com, "
	       "ap2.datadoghq.com, ddog-gov.com, us2.ddog-gov.com)";
	return NULL;
}

/* The authority of url (after "scheme://", before the path, query or
 * fragment) as [*a, *end), and in *at its last '@' (NULL when it carries
 * no user:password@).  The last '@', as a browser reads it: a host such
 * as "127.0.0.1@evil.example" must never pass for the loopback. */
static void
url_authority(const char *url, const char **a, const char **end, const char **at)
{
	const char *p = strstr(url, "://");

	p = p ? p + 3 : url;
	*a = p;
	*end = p + strcspn(p, "/?#");
	*at = memrchr(p, '@', *end - p);
}

/* The host of url as [*h, *h + *n), brackets of an IPv6 literal kept. */
static void
url_host(const char *url, const char **h, size_t *n)
{
	const char *p, *end, *at;

	url_authority(url, &p, &end, &at);
	if (at != NULL)
		p = at + 1;
	if (*p == '[') {
		const char *rb = memchr(p, ']', end - p);
		*h = p;
		*n = rb ? (size_t)(rb + 1 - p) : (size_t)(end - p);
		return;
	}
	*h = p;
	*n = strcspn(p, ":/?#");
	if (*n > (size_t)(end - p))
		*n = end - p;
}

/* Whether url's host is the loopback: localhost, [::1], or an IPv4
 * address of 127.0.0.0/8 written in full (a name such as
 * 127.0.0.1.example.com is a DNS name that can point anywhere). */
static int
host_is_loopback(const char *url)
{
	const char *h;
	char ip[INET_ADDRSTRLEN];
	struct in_addr a;
	size_t n;

	url_host(url, &h, &n);
	if ((n == 9 && strncasecmp(h, "localhost", 9) == 0) ||
	    (n == 5 && memcmp(h, "[::1]", 5) == 0))
		return 1;
	if (n == 0 || n >= sizeof ip)
		return 0;
	memcpy(ip, h, n);
	ip[n] = 0;
	return inet_pton(AF_INET, ip, &a) == 1 && (ntohl(a.s_addr) >> 24) == 127;
}

void
vc_http_redact_url(const char *url, int secret, struct vc_buf *out)
{
	const char *p = strstr(url, "://"), *a, *end, *at, *h;
	size_t n;

	/* user:password@ is never shown, only that there was one. */
	url_authority(url, &a, &end, &at);
	if (p != NULL)
		vc_buf_add(out, url, p + 3 - url);
	if (at != NULL)
		vc_buf_adds(out, "***@");
	if (!secret) {
		/* A query string may carry tokens too; paths of our own APIs
		 * never do. */
		h = at ? at + 1 : a;
		vc_buf_add(out, h, strcspn(h, "?#"));
		return;
	}
	url_host(url, &h, &n);
	vc_buf_add(out, h, n);
	vc_buf_adds(out, "/...");
}

/* Overwrites every occurrence of s[0..len) in msg with '*'. */
static void
blot(char *msg, const char *s, size_t len)
{
	size_t n = strlen(msg);
	char *from = msg, *hit;

	while (len > 0 && (hit = memmem(from, n - (size_t)(from - msg), s, len)) != NULL) {
		memset(hit, '*', len);
		from = hit + len;
	}
}

/* Blots out of msg the user:password@ of url, as a whole and its
 * password alone (libcurl's messages name hosts, but a proxy's or a
 * future message might quote more). */
static void
blot_userinfo(const char *url, char *msg)
{
	const char *a, *end, *at, *colon;

	url_authority(url, &a, &end, &at);
	if (at == NULL)
		return;
	blot(msg, a, (size_t)(at - a));
	colon = memchr(a, ':', at - a);
	/* A password of a few characters would blot half the message. */
	if (colon != NULL && at - colon > 4)
		blot(msg, colon + 1, (size_t)(at - colon - 1));
}

/* ---- retry decisions ------------------------------------------------- */

int
vc_http_status_transient(long status)
{
	return status == 0 || status == 408 || status == 429 || status >= 500;
}

double
vc_http_parse_retry_after(const char *v, size_t n, double now)
{
	char tmp[64], *end;
	struct tm tm;
	double secs;

	while (n > 0 && isspace((unsigned char)*v))
		v++, n--;
	while (n > 0 && isspace((unsigned char)v[n - 1]))
		n--;
	if (n == 0 || n >= sizeof tmp)
		return -1;
	memcpy(tmp, v, n);
	tmp[n] = 0;
	if (isdigit((unsigned char)tmp[0])) {
		errno = 0;
		secs = strtod(tmp, &end);
		if (*end != 0 || errno != 0 || secs < 0)
			return -1;
		return secs;
	}
	memset(&tm, 0, sizeof tm);
	end = strptime(tmp, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	if (end == NULL || *end != 0)
		return -1;
	secs = (double)timegm(&tm) - now;
	return secs < 0 ? 0 : secs;
}

long
vc_http_retry_wait(const struct vc_http_policy *policy, int retry,
		   const struct vc_http_response *resp, double now, unsigned *seed)
{
	double asked = -1, d;
	const char *v;
	size_t n;

	if (resp != NULL) {
		v = vc_http_response_header(resp, "Retry-After", &n);
		if (v != NULL)
			asked = vc_http_parse_retry_after(v, n, now);
		if (asked < 0 && resp->status == 429 && resp->rate.reset > 0)
			asked = (double)resp->rate.reset;
	}
	if (asked >= 0) {
		if (asked * 1000 > (double)policy->max_wait_ms)
			return -1;
		return (long)(asked * 1000);
	}
	d = (double)policy->backoff_base_ms;
	for (int i = 1; i < retry && d < (double)policy->backoff_max_ms; i++)
		d *= 2;
	if (d > (double)policy->backoff_max_ms)
		d = (double)policy->backoff_max_ms;
	/* "Equal jitter": half fixed, half random, so clients that failed
	 * together do not retry together, yet none retries at once. */
	return (long)(d / 2 + (d / 2) * ((double)rand_r(seed) / RAND_MAX));
}

/* ---- responses --------------------------------------------------------- */

void
vc_http_response_free(struct vc_http_response *resp)
{
	vc_buf_free(&resp->body);
	vc_buf_free(&resp->headers);
}

const char *
vc_http_response_header(const struct vc_http_response *resp, const char *name, size_t *len)
{
	size_t nlen = strlen(name);
	const char *p = resp->headers.p, *end;

	if (p == NULL)
		return NULL;
	end = p + resp->headers.len;
	while (p < end) {
		const char *eol = memchr(p, '\n', end - p), *v, *ve;

		if (eol == NULL)
			eol = end;
		if ((size_t)(eol - p) > nlen && p[nlen] == ':' && strncasecmp(p, name, nlen) == 0) {
			v = p + nlen + 1;
			ve = eol;
			while (v < ve && is_space(*v))
				v++;
			while (ve > v && is_space(ve[-1]))
				ve--;
			*len = ve - v;
			return v;
		}
		p = eol + 1;
	}
	return NULL;
}

static long
header_long(const struct vc_http_response *resp, const char *name)
{
	size_t n;
	const char *v = vc_http_response_header(resp, name, &n);
	long x = 0;

	if (v == NULL || n == 0 || n > 18)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)v[i]))
			return -1;
		x = x * 10 + (v[i] - '0');
	}
	return x;
}

static void
response_reset(struct vc_http_response *resp)
{
	vc_buf_reset(&resp->body);
	vc_buf_reset(&resp->headers);
	resp->status = 0;
	resp->rate.limit = resp->rate.period = -1;
	resp->rate.remaining = resp->rate.reset = -1;
	resp->transient = 0;
	resp->error[0] = 0;
}

static size_t
on_body(char *p, size_t size, size_t nmemb, void *ctx)
{
	struct attempt *a = ctx;
	size_t n = size * nmemb;

	if (a->resp->body.len + n > a->max_body) {
		a->too_big = 1;
		return 0; /* aborts the transfer */
	}
	vc_buf_add(&a->resp->body, p, n);
	return n;
}

static size_t
on_header(char *p, size_t size, size_t nmemb, void *ctx)
{
	struct attempt *a = ctx;
	size_t n = size * nmemb;

	/* A new status line (after "100 Continue") starts a new header set. */
	if (n >= 5 && memcmp(p, "HTTP/", 5) == 0) {
		vc_buf_reset(&a->resp->headers);
		return n;
	}
	if (a->resp->headers.len + n > 256 * 1024) {
		a->too_big = 1;
		return 0;
	}
	vc_buf_add(&a->resp->headers, p, n);
	return n;
}

/* ---- client -------------------------------------------------------------- */

struct vc_http_client *
vc_http_new(const struct vc_http_config *cfg, const char **why)
{
	static int curl_ready;
	struct vc_http_client *c;

	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
			*why = "libcurl failed to initialise";
			return NULL;
		}
		curl_ready = 1;
	}
	c = calloc(1, sizeof *c);
	if (c == NULL) {
		*why = "out of memory";
		return NULL;
	}
	c->curl = curl_easy_init();
	if (c->curl == NULL) {
		free(c);
		*why = "libcurl failed to make a handle";
		return NULL;
	}
	c->cfg = *cfg;
	c->seed = cfg->seed ? cfg->seed : (unsigned)time(NULL) ^ ((unsigned)getpid() << 16);
	return c;
}

void
vc_http_free(struct vc_http_client *c)
{
	if (c == NULL)
		return;
	curl_easy_cleanup(c->curl);
	free(c);
}

static void fail(struct vc_http_response *resp, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
fail(struct vc_http_response *resp, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(resp->error, sizeof resp->error, fmt, ap);
	va_end(ap);
}

/* A short printable excerpt of an error body for the message, with any
 * key a server might echo back blotted out. */
static void
body_excerpt(const struct vc_http_client *c, const struct vc_http_response *resp, char *out,
	     size_t outlen)
{
	struct vc_buf b = VC_BUF_INIT;
	size_t n = resp->body.len;

	out[0] = 0;
	if (n == 0)
		return;
	vc_buf_add(&b, resp->body.p, n);
	vc_http_keys_blot(c->cfg.keys, b.p, b.len);
	for (size_t i = 0; i < b.len; i++)
		if ((unsigned char)b.p[i] < 0x20 || b.p[i] == 0x7f)
			b.p[i] = ' ';
	snprintf(out, outlen, ": %.*s%s", b.len > 160 ? 160 : (int)b.len, b.p,
		 b.len > 160 ? "..." : "");
	vc_buf_free(&b);
}

static int
curl_code_transient(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return 1;
	default:
		return 0;
	}
}

/* Joins a path to the base URL or takes a full URL; NULL on a bad URL. */
static char *
full_url(const struct vc_http_client *c, const char *url, struct vc_http_response *resp)
{
	char *out;

	if (url[0] == '/') {
		if (c->cfg.base_url == NULL) {
			fail(resp, "%s: no API base URL", url);
			return NULL;
		}
		if (asprintf(&out, "%s%s", c->cfg.base_url, url) < 0)
			out = NULL;
	} else if (has_scheme(url)) {
		out = strdup(url);
	} else {
		fail(resp, "not an http(s) URL or /path");
		return NULL;
	}
	if (out == NULL)
		fail(resp, "out of memory");
	return out;
}

static int
add_header(struct curl_slist **h, const char *line)
{
	struct curl_slist *n = curl_slist_append(*h, line);

	if (n == NULL)
		return -1;
	*h = n;
	return 0;
}

/* The request headers, keys included, or -1 when a key is missing. */
static int
build_headers(const struct vc_http_client *c, const struct vc_http_request *req,
	      struct curl_slist **h, struct vc_http_response *resp)
{
	const struct vc_http_keys *k = c->cfg.keys;
	struct vc_buf line = VC_BUF_INIT;
	int rc = 0;

	if ((req->auth & VC_HTTP_AUTH_DD_API) && (!k || !k->dd_api_key)) {
		fail(resp, "DD_API_KEY is not set (environment or key file)");
		return -1;
	}
	if ((req->auth & VC_HTTP_AUTH_DD_APP) && (!k || !k->dd_app_key)) {
		fail(resp, "DD_APP_KEY is not set (environment or key file)");
		return -1;
	}
	rc |= add_header(h, "Accept: application/json");
	rc |= add_header(h, "Expect:");
	if (req->body != NULL)
		rc |= add_header(h, "Content-Type: application/json");
	if (req->auth & VC_HTTP_AUTH_DD_API) {
		vc_buf_printf(&line, "DD-API-KEY: %s", k->dd_api_key);
		rc |= add_header(h, line.p);
		memset(line.p, 0, line.len);
		vc_buf_reset(&line);
	}
	if (req->auth & VC_HTTP_AUTH_DD_APP) {
		vc_buf_printf(&line, "DD-APPLICATION-KEY: %s", k->dd_app_key);
		rc |= add_header(h, line.p);
		memset(line.p, 0, line.len);
	}
	vc_buf_free(&line);
	for (int i = 0; req->headers && req->headers[i]; i++)
		rc |= add_header(h, req->headers[i]);
	if (rc != 0)
		fail(resp, "out of memory");
	return rc ? -1 : 0;
}

static void
set_options(struct vc_http_client *c, const struct vc_http_request *req, const char *url,
	    struct curl_slist *h, struct attempt *a, long timeout_ms)
{
	CURL *e = c->curl;

	curl_easy_reset(e);
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "vcobs/" VC_VERSION);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	/* Plain http carries keys only to the loopback (vc_http_do checks),
	 * and an http_proxy in the environment must not be handed them in
	 * clear text on the way there (libcurl 7.88 sends even 127.0.0.1
	 * through it).  https goes through a proxy inside its own TLS. */
	if (strncasecmp(url, "http://", 7) == 0 && host_is_loopback(url))
		curl_easy_setopt(e, CURLOPT_PROXY, "");
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, c->cfg.policy.connect_timeout_ms);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, c->errbuf);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, a);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, a);
	if (req->body != NULL) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, req->body);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
	} else {
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	}
	curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, req->method);
	c->errbuf[0] = 0;
}

static void
read_rate(struct vc_http_response *resp)
{
	resp->rate.limit = header_long(resp, "X-RateLimit-Limit");
	resp->rate.period = header_long(resp, "X-RateLimit-Period");
	resp->rate.remaining = header_long(resp, "X-RateLimit-Remaining");
	resp->rate.reset = header_long(resp, "X-RateLimit-Reset");
}

static void say(const struct vc_http_client *c, const char *method, const char *shown,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
say(const struct vc_http_client *c, const char *method, const char *shown, const char *fmt, ...)
{
	va_list ap;

	if (!c->cfg.verbose)
		return;
	fprintf(stderr, "%s: %s %s: ", c->cfg.prog ? c->cfg.prog : "vcobs", method, shown);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* One attempt: 1 on a response (any status), 0 on a transport failure
 * (resp->error says why, resp->transient whether to retry). */
static int
attempt_once(struct vc_http_client *c, const struct vc_http_request *req, const char *url,
	     struct curl_slist *h, long timeout_ms, struct vc_http_response *resp)
{
	struct attempt a = {resp, c->cfg.policy.max_response, 0};
	struct sigaction ignore, kept;
	CURLcode rc;

	vc_buf_reset(&resp->body);
	vc_buf_reset(&resp->headers);
	resp->status = 0;
	c->unsent = 0;
	set_options(c, req, url, h, &a, timeout_ms);
	/* With CURLOPT_NOSIGNAL libcurl leaves SIGPIPE to the application
	 * and says it may still raise one on a socket the server closed (a
	 * kept-alive connection it dropped): that must be a send error,
	 * retried, not a silent death between two writes of an apply.  The
	 * tools' own standard output keeps its SIGPIPE (out.h), so the old
	 * action comes back after the exchange. */
	memset(&ignore, 0, sizeof ignore);
	ignore.sa_handler = SIG_IGN;
	sigemptyset(&ignore.sa_mask);
	sigaction(SIGPIPE, &ignore, &kept);
	rc = curl_easy_perform(c->curl);
	sigaction(SIGPIPE, &kept, NULL);
	if (a.too_big) {
		fail(resp, "response larger than %zu bytes", c->cfg.policy.max_response);
		resp->transient = 0;
		return 0;
	}
	if (rc != CURLE_OK) {
		long sent = 0;

		/* Not even the request line went out (no connection, a
		 * failed TLS handshake): the server cannot have applied it. */
		c->unsent = curl_easy_getinfo(c->curl, CURLINFO_REQUEST_SIZE, &sent) == CURLE_OK &&
			    sent == 0;
		/* curl's message names the host at most, never a path. */
		fail(resp, "%s",
		     req->secret_url || !c->errbuf[0] ? curl_easy_strerror(rc) : c->errbuf);
		blot_userinfo(url, resp->error);
		resp->transient = curl_code_transient(rc);
		return 0;
	}
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &resp->status);
	read_rate(resp);
	resp->transient = vc_http_status_transient(resp->status);
	return 1;
}

/* Appends a note to resp->error, room allowing. */
static void note(struct vc_http_response *resp, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
note(struct vc_http_response *resp, const char *fmt, ...)
{
	size_t n = strlen(resp->error);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(resp->error + n, sizeof resp->error - n, fmt, ap);
	va_end(ap);
}

/* Says that the request's time limit ended it. */
static void
note_deadline(const struct vc_http_client *c, struct vc_http_response *resp)
{
	note(resp, " (retry time limit of %g s reached)", c->cfg.policy.deadline_ms / 1000.0);
	resp->transient = 1;
}

/* Waits until the rate limit bucket refills (X-RateLimit-Remaining: 0 on
 * an earlier answer).  Returns -1, with resp->error set, when the wait
 * would end past deadline (0: none). */
static int
pace(struct vc_http_client *c, const struct vc_http_request *req, const char *shown,
     double deadline, struct vc_http_response *resp)
{
	long wait;

	if (c->pace_until <= vc_http_clock())
		return 0;
	wait = (long)((c->pace_until - vc_http_clock()) * 1000);
	if (deadline > 0 && vc_http_clock() + (wait + MIN_ATTEMPT_MS) / 1000.0 >= deadline) {
		fail(resp, "%s %s: the rate limit resets in %ld ms", req->method, shown, wait);
		note_deadline(c, resp);
		return -1;
	}
	say(c, req->method, shown, "rate limit bucket empty, waiting %ld ms", wait);
	vc_http_sleep_ms(wait);
	return 0;
}

int
vc_http_do(struct vc_http_client *c, const struct vc_http_request *req,
	   struct vc_http_response *resp)
{
	const struct vc_http_policy *pol = &c->cfg.policy;
	struct curl_slist *h = NULL;
	struct vc_buf shown = VC_BUF_INIT;
	char *url;
	double deadline = req->deadline;
	int rc = -1, tries = req->no_retry ? 1 : 1 + pol->max_retries;

	response_reset(resp);
	resp->attempts = 0;
	resp->deadline = deadline;
	url = full_url(c, req->url, resp);
	if (url == NULL)
		return -1;
	vc_http_redact_url(url, req->secret_url, &shown);
	if (strncasecmp(url, "http://", 7) == 0 && !host_is_loopback(url) &&
	    (req->auth != VC_HTTP_AUTH_NONE ||
	     vc_http_keys_mentioned(c->cfg.keys, req->body, req->body_len))) {
		fail(resp, "%s %s: refusing to send a key over plain http", req->method, shown.p);
		goto out;
	}
	if (build_headers(c, req, &h, resp) < 0)
		goto out;
	for (;;) {
		long timeout = pol->timeout_ms, wait;
		int cut = 0; /* the time limit shortened this attempt */

		if (pace(c, req, shown.p, deadline, resp) < 0)
			break;
		/* The time limit starts with the first attempt, as curl's
		 * --retry-max-time does: a pause for the rate limit before it
		 * is the client's courtesy, not the request's slowness. */
		if (deadline <= 0 && pol->deadline_ms > 0)
			resp->deadline = deadline = vc_http_clock() + pol->deadline_ms / 1000.0;
		if (deadline > 0) {
			double left = (deadline - vc_http_clock()) * 1000;

			if (left < MIN_ATTEMPT_MS) {
				fail(resp, "%s %s: not sent", req->method, shown.p);
				note_deadline(c, resp);
				break;
			}
			if (left < timeout) {
				timeout = (long)left;
				cut = 1;
			}
		}
		resp->attempts++;
		if (attempt_once(c, req, url, h, timeout, resp)) {
			if (resp->rate.remaining == 0 && resp->rate.reset > 0) {
				long r = resp->rate.reset * 1000;
				if (r > pol->max_wait_ms)
					r = pol->max_wait_ms;
				c->pace_until = vc_http_clock() + r / 1000.0;
			}
			if (resp->status >= 200 && resp->status < 300) {
				say(c, req->method, shown.p, "%ld (attempt %d)", resp->status,
				    resp->attempts);
				resp->error[0] = 0;
				rc = 0;
				goto out;
			}
			char excerpt[200];
			/* An error body is for messages only: a key a server
			 * echoes back goes no further than here. */
			if (resp->body.len > 0)
				vc_http_keys_blot(c->cfg.keys, resp->body.p, resp->body.len);
			body_excerpt(c, resp, excerpt, sizeof excerpt);
			fail(resp, "%s %s: HTTP %ld%s", req->method, shown.p, resp->status,
			     excerpt);
		} else {
			char why[sizeof resp->error];
			snprintf(why, sizeof why, "%s", resp->error);
			fail(resp, "%s %s: %s", req->method, shown.p, why);
		}
		say(c, req->method, shown.p, "attempt %d failed: %s", resp->attempts, resp->error);
		if (cut && resp->status == 0) {
			/* It ran out of time, not of patience: say which. */
			note_deadline(c, resp);
			break;
		}
		if (!resp->transient || resp->attempts >= tries)
			break;
		if (req->not_idempotent && !c->unsent && resp->status != 408 &&
		    resp->status != 429) {
			note(resp, " (not retried: it may have been applied)");
			break;
		}
		wait = vc_http_retry_wait(pol, resp->attempts, resp, now_wall(), &c->seed);
		if (wait < 0) {
			note(resp, " (the server asks to wait longer than %ld s)",
			     pol->max_wait_ms / 1000);
			break;
		}
		if (deadline > 0 &&
		    vc_http_clock() + (wait + MIN_ATTEMPT_MS) / 1000.0 >= deadline) {
			note_deadline(c, resp);
			break;
		}
		say(c, req->method, shown.p, "retrying in %ld ms", wait);
		vc_http_sleep_ms(wait);
	}
	if (resp->attempts > 1)
		note(resp, " (after %d attempts)", resp->attempts);
out:
	curl_slist_free_all(h);
	vc_buf_free(&shown);
	free(url);
	return rc;
}
