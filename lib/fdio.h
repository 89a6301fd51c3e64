/*
 * fdio.h — read(2) and write(2) that wait, for descriptors a tool did not
 * open itself.
 *
 * A parent may hand a tool a pipe in O_NONBLOCK mode (node does): read and
 * write then fail with EAGAIN where the tool meant to wait, and cat or jq
 * die with "Resource temporarily unavailable".  The flag belongs to the
 * pipe, which the parent shares, so it is never cleared here: these wait
 * for the descriptor with poll(2) and try again, as after EINTR.
 */
#ifndef VC_FDIO_H
#define VC_FDIO_H

#include <stddef.h>
#include <sys/types.h>

/* read(2) that waits out EINTR and EAGAIN: > 0 bytes read, 0 at the end
 * of the file, -1 with errno on an error. */
ssize_t vc_fdio_read(int fd, void *buf, size_t n);
/* write(2) that waits out EINTR and EAGAIN: how many bytes went (maybe
 * fewer than n), or -1 with errno on an error. */
ssize_t vc_fdio_write(int fd, const void *buf, size_t n);

#endif
