/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * net.c - listeners, peer names and the clock.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "net.h"
#include "util.h"

int64_t
net_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
net_listen(const struct config_listen *l, int backlog, char *err,
    size_t errlen)
{
	struct addrinfo hints, *res = NULL, *ai;
	int fd = -1, rc, saved = 0, one = 1;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = l->family;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((rc = getaddrinfo(l->host, l->port, &hints, &res)) != 0) {
		snprintf(err, errlen, "listen %s: %s", l->spec,
		    rc == EAI_SYSTEM ? strerror(errno) :
		    (rc == EAI_NONAME || rc == EAI_NODATA) ?
		    "address does not resolve" : gai_strerror(rc));
		return -1;
	}
	/* A name may resolve to several addresses: the first that binds wins. */
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		/* Non-blocking: workers accept() only what epoll says is
		 * there, and must never sleep in accept() itself. */
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC |
		    SOCK_NONBLOCK, ai->ai_protocol);
		if (fd < 0) {
			saved = errno;
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		/*
		 * Accepted sockets inherit TCP_NODELAY: a response goes out
		 * in one writev(), and Nagle would only delay its last
		 * segment.  Set here, it costs no call per connection.
		 */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		/* "[::]:80" means IPv6 only, so "*:80" can be bound beside it. */
		if (ai->ai_family == AF_INET6)
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
			    sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
		    listen(fd, backlog) == 0)
			break;
		saved = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		const char *why = strerror(saved);

		if (saved == EADDRINUSE)
			why = "address already in use";
		else if (saved == EACCES)
			why = "permission denied (ports below 1024 need root)";
		else if (saved == EADDRNOTAVAIL)
			why = "address not available on this host";
		snprintf(err, errlen, "listen %s: %s", l->spec, why);
		return -1;
	}
	return fd;
}

int
net_defer_accept(int fd, unsigned seconds)
{
	int s = seconds > INT32_MAX ? INT32_MAX : (int)seconds;

	return setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &s, sizeof(s));
}

void
net_peer_name(const struct sockaddr_storage *ss, char *out, size_t cap)
{
	const void *addr = NULL;

	if (ss->ss_family == AF_INET)
		addr = &((const struct sockaddr_in *)ss)->sin_addr;
	else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;

		/* Show v4-mapped peers the way the access log expects them. */
		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
			struct in_addr a4;

			memcpy(&a4, &s6->sin6_addr.s6_addr[12], sizeof(a4));
			if (inet_ntop(AF_INET, &a4, out, (socklen_t)cap) != NULL)
				return;
		}
		addr = &s6->sin6_addr;
	}
	if (addr == NULL ||
	    inet_ntop(ss->ss_family, addr, out, (socklen_t)cap) == NULL)
		util_strlcpy(out, "-", cap);
}
