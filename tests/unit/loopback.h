/* A listening TCP socket on 127.0.0.1 at a port the kernel picks, for the
 * unit tests that fork a fake HTTP server (tests never leave the
 * loopback).  Header-only, like tap.h. */
#ifndef VC_TEST_LOOPBACK_H
#define VC_TEST_LOOPBACK_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

/* Returns the listening socket and writes its port to *port. */
static inline int
loopback_listen(int *port)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof a;
	int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(ls, (struct sockaddr *)&a, sizeof a);
	listen(ls, 8);
	getsockname(ls, (struct sockaddr *)&a, &alen);
	*port = ntohs(a.sin_port);
	return ls;
}

#endif
