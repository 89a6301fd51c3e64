#include "out.h"

#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fdio.h"
#include "msg.h"

#define OUT_SIZE (128 * 1024)

static char out_buf[OUT_SIZE];
static size_t out_len;
static int out_unbuffered;
static int out_error_status = VC_EXIT_USAGE;

void
vc_out_set_error_status(int status)
{
	out_error_status = status;
}

void
vc_out_init(int unbuffered)
{
	/* Someone watching a terminal wants each line as it is made. */
	out_unbuffered = unbuffered || isatty(STDOUT_FILENO);
	/* A closed pipe ends the program quietly, as it does cat, even when
	 * the parent left SIGPIPE ignored. */
	signal(SIGPIPE, SIG_DFL);
}

/* Writes n bytes at p to stdout, all of them. */
static void
write_all(const char *p, size_t n)
{
	size_t done = 0;
	ssize_t w;

	while (done < n) {
		w = vc_fdio_write(STDOUT_FILENO, p + done, n - done);
		if (w < 0 && errno == EPIPE)
			_exit(out_error_status);
		if (w < 0)
			err(out_error_status, "write error");
		done += (size_t)w;
	}
}

static void
flush(void)
{
	write_all(out_buf, out_len);
	out_len = 0;
}

int
vc_out_is_unbuffered(void)
{
	return out_unbuffered;
}

void
vc_out_write(const void *p, size_t n)
{
	const char *s = p;

	/* A piece as large as the buffer (a batch of events) goes out as
	 * it is: copying it through the buffer would only cost time. */
	if (n >= OUT_SIZE) {
		flush();
		write_all(s, n);
		return;
	}
	while (n > 0) {
		size_t room = OUT_SIZE - out_len;
		size_t take = n < room ? n : room;

		memcpy(out_buf + out_len, s, take);
		out_len += take;
		s += take;
		n -= take;
		if (out_len == OUT_SIZE)
			flush();
	}
	/* Lines made whole elsewhere (a batch of events in a vc_buf) end
	 * here, not in vc_out_end_record: -u must flush them too. */
	if (out_unbuffered && out_len > 0 && out_buf[out_len - 1] == '\n')
		flush();
}

void
vc_out_buf(const struct vc_buf *b)
{
	vc_out_write(b->p, b->len);
}

void
vc_out_end_record(void)
{
	if (out_len == OUT_SIZE)
		flush();
	out_buf[out_len++] = '\n';
	if (out_unbuffered)
		flush();
}

void
vc_out_record(const struct vc_record *rec)
{
	vc_out_write(rec->root.p, rec->root.len);
	vc_out_end_record();
}

void
vc_out_splice_open(const struct vc_record *rec)
{
	const char *p = rec->root.p + 1;
	const char *close = rec->root.p + rec->root.len - 1;
	int empty = 1;

	for (; p < close; p++)
		if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') {
			empty = 0;
			break;
		}
	vc_out_write(rec->root.p, rec->root.len - 1);
	if (!empty)
		vc_out_write(",", 1);
}

void
vc_out_splice_close(void)
{
	vc_out_write("}", 1);
	vc_out_end_record();
}

int
vc_out_close(void)
{
	flush();
	if (close(STDOUT_FILENO) < 0 && errno != EBADF) {
		warn("write error");
		return out_error_status;
	}
	return VC_EXIT_OK;
}
