#include "fdio.h"

#include <errno.h>
#include <poll.h>
#include <unistd.h>

/* Waits until fd is ready for events (POLLIN or POLLOUT); a hang-up or an
 * error counts as ready, so that the next read or write reports it. */
static void
wait_for(int fd, short events)
{
	struct pollfd p = {fd, events, 0};

	while (poll(&p, 1, -1) < 0 && errno == EINTR)
		;
}

ssize_t
vc_fdio_read(int fd, void *buf, size_t n)
{
	ssize_t got;

	for (;;) {
		got = read(fd, buf, n);
		if (got >= 0)
			return got;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			wait_for(fd, POLLIN);
		else if (errno != EINTR)
			return -1;
	}
}

ssize_t
vc_fdio_write(int fd, const void *buf, size_t n)
{
	ssize_t put;

	for (;;) {
		put = write(fd, buf, n);
		if (put >= 0)
			return put;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			wait_for(fd, POLLOUT);
		else if (errno != EINTR)
			return -1;
	}
}
