/*
 * test_monapi.c — monapi.c's listing bounds, against a server forked on
 * 127.0.0.1 that sends fresh full pages without end (bounded: it serves
 * at most MAX_CONNECTIONS requests, then exits; alarm(20) ends it
 * regardless): the listing stops at its page count and at its bytes.
 */
#include <netinet/in.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "monapi.h"
#include "loopback.h"
#include "tap.h"

#define MAX_CONNECTIONS 1000
#define PAGE_SIZE       2
#define PAD             1000 /* bytes of name per monitor */

/* Answers each request for page N with PAGE_SIZE monitors never sent
 * before (ids 2N+1, 2N+2), each with a PAD-byte name. */
static void
serve(int ls)
{
	static char name[PAD + 1];

	memset(name, 'm', PAD);
	alarm(20);
	for (int i = 0; i < MAX_CONNECTIONS; i++) {
		char req[8192], body[2 * PAD + 256], head[256];
		size_t n = 0;
		ssize_t got, w;
		long page = 0;
		int fd = accept(ls, NULL, NULL), len;
		char *p;

		if (fd < 0)
			_exit(1);
		while (n < sizeof req - 1 && (got = read(fd, req + n, sizeof req - 1 - n)) > 0) {
			n += (size_t)got;
			req[n] = 0;
			if (strstr(req, "\r\n\r\n"))
				break;
		}
		req[n] = 0;
		if ((p = strstr(req, "page=")) != NULL)
			page = strtol(p + 5, NULL, 10);
		len = snprintf(body, sizeof body,
			       "[{\"id\":%ld,\"name\":\"%s\"},{\"id\":%ld,\"name\":\"%s\"}]",
			       2 * page + 1, name, 2 * page + 2, name);
		snprintf(head, sizeof head,
			 "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
			 "Content-Length: %d\r\nConnection: close\r\n\r\n",
			 len);
		w = write(fd, head, strlen(head));
		w = write(fd, body, (size_t)len);
		(void)w;
		close(fd);
	}
	_exit(0);
}

static pid_t
server_start(int *port)
{
	int ls = loopback_listen(port);
	pid_t pid;

	pid = fork();
	if (pid == 0)
		serve(ls);
	close(ls);
	return pid;
}

/* Lists from the endless server with the bounds given; returns the
 * result, the reason in why. */
static int
list(long max_pages, size_t max_listing, struct vc_buf *why, unsigned long *reads)
{
	struct vc_http_keys keys = {strdup("test-api"), strdup("test-app"), NULL};
	struct vc_http_config cfg = {NULL, &keys, VC_HTTP_POLICY_INIT, "test", 0, 42};
	struct vc_monapi api = {0};
	struct vc_http_client *http;
	char base[64];
	const char *hwhy;
	int port, rc;
	pid_t pid = server_start(&port);
	jv out;

	snprintf(base, sizeof base, "http://127.0.0.1:%d", port);
	cfg.base_url = base;
	cfg.policy.max_retries = 0;
	http = vc_http_new(&cfg, &hwhy);
	api.http = http;
	api.policy = &cfg.policy;
	api.page_size = PAGE_SIZE;
	api.max_pages = max_pages;
	api.max_listing = max_listing;
	vc_buf_reset(why);
	rc = vc_monapi_list(&api, "managed-by:vcobs", NULL, &out, why);
	*reads = api.reads;
	jv_free(out);
	vc_http_free(http);
	vc_http_keys_free(&keys);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	return rc;
}

int
main(void)
{
	struct vc_buf why = VC_BUF_INIT;
	unsigned long reads;
	int rc;

	signal(SIGPIPE, SIG_IGN);
	rc = list(30, 0, &why, &reads);
	tap_ok(rc == VC_MONAPI_FAILED, "endless fresh pages: stopped at the page count");
	tap_is_str(why.p ? why.p : "", "listing monitors: more than 30 pages", "why");
	tap_is_num(reads, 30, "30 pages read");

	/* Each page is about 2 KB: 20,000 bytes are passed on page 10. */
	rc = list(0, 20000, &why, &reads);
	tap_ok(rc == VC_MONAPI_FAILED, "endless fresh pages: stopped at the bytes");
	tap_is_str(why.p ? why.p : "",
		   "listing monitors: more than 20000 bytes of monitors in 10 pages "
		   "(the server may be sending pages without end)",
		   "why");
	tap_is_num(reads, 10, "10 pages read");

	rc = list(0, (size_t)1 << 20, &why, &reads);
	tap_ok(rc == VC_MONAPI_FAILED && why.p && strstr(why.p, "more than 1 MiB of monitors in "),
	       "a bound of whole MiB is said in MiB: %s", why.p ? why.p : "");

	vc_buf_free(&why);
	return tap_done();
}
