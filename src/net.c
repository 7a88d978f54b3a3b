/*
 * net.c - listeners and deadline-bounded I/O on connections.
 *
 * Connections are non-blocking: each call tries the system call first and
 * only polls when it would block, so the common case costs one syscall and
 * a client that stops reading or writing cannot hold a worker past the
 * deadline.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
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

/* Waits for events on fd until deadline_ms; 0, or -1 with errno. */
static int
net_wait(int fd, short events, int64_t deadline_ms)
{
	for (;;) {
		int64_t left = deadline_ms - net_now_ms();
		struct pollfd pfd = { .fd = fd, .events = events };
		int rc;

		if (left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		rc = poll(&pfd, 1, left > INT32_MAX ? INT32_MAX : (int)left);
		if (rc > 0)
			return 0;
		if (rc < 0 && errno != EINTR)
			return -1;
	}
}

/*
 * After a call on fd failed with errno: 0 to try it again (it was
 * interrupted, or fd is ready now), -1 to give up (an error, or the
 * deadline passed).
 */
static int
net_again(int fd, short events, int64_t deadline_ms)
{
	if (errno == EINTR)
		return 0;
	if (errno != EAGAIN && errno != EWOULDBLOCK)
		return -1;
	return net_wait(fd, events, deadline_ms);
}

ssize_t
net_read(int fd, void *buf, size_t cap, int64_t deadline_ms)
{
	for (;;) {
		ssize_t n = read(fd, buf, cap);

		if (n >= 0)
			return n;
		if (net_again(fd, POLLIN, deadline_ms) < 0)
			return -1;
	}
}

static void (*net_progress_hook)(void);

void
net_set_progress_hook(void (*hook)(void))
{
	net_progress_hook = hook;
}

/* Progress moves a stall deadline on; a total one stays. */
static void
net_progress(int64_t *deadline_ms, int stall_ms)
{
	if (stall_ms > 0)
		*deadline_ms = net_now_ms() + stall_ms;
	if (net_progress_hook != NULL)
		net_progress_hook();
}

/*
 * net_again() for sends under a stall deadline.  Linux reports a TCP
 * socket writable only once about a third of its send buffer is free,
 * and that buffer grows to megabytes, so a client that reads slowly but
 * steadily can go longer than the deadline without POLLOUT.  Its reading
 * shows as the send queue shrinking (SIOCOUTQ: bytes not yet
 * acknowledged), looked at every NET_SEND_SLICE_MS; that is progress too.
 */
static int
net_again_send(int fd, int64_t *deadline_ms, int stall_ms)
{
	int queued = -1, q;

	if (stall_ms <= 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
		return net_again(fd, POLLOUT, *deadline_ms);
	if (ioctl(fd, SIOCOUTQ, &q) == 0)
		queued = q;
	for (;;) {
		int64_t now = net_now_ms(), left = *deadline_ms - now;

		if (left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (net_wait(fd, POLLOUT, now + (left < NET_SEND_SLICE_MS ?
		    left : NET_SEND_SLICE_MS)) == 0)
			return 0;
		if (errno != ETIMEDOUT)
			return -1;
		if (ioctl(fd, SIOCOUTQ, &q) == 0) {
			if (queued >= 0 && q < queued)
				net_progress(deadline_ms, stall_ms);
			queued = q;
		}
	}
}

int
net_send_all(int fd, struct iovec *iov, int iovcnt, bool more,
    int64_t deadline_ms, int stall_ms)
{
	int flags = MSG_NOSIGNAL | (more ? MSG_MORE : 0);

	while (iovcnt > 0) {
		struct msghdr msg = { .msg_iov = iov, .msg_iovlen = (size_t)iovcnt };
		ssize_t n = sendmsg(fd, &msg, flags);

		if (n < 0) {
			if (net_again_send(fd, &deadline_ms, stall_ms) < 0)
				return -1;
			continue;
		}
		net_progress(&deadline_ms, stall_ms);
		/* Consume what was written, which may end inside an iovec. */
		while (iovcnt > 0 && (size_t)n >= iov->iov_len) {
			n -= (ssize_t)iov->iov_len;
			iov++;
			iovcnt--;
		}
		if (iovcnt > 0) {
			iov->iov_base = (char *)iov->iov_base + n;
			iov->iov_len -= (size_t)n;
		}
	}
	return 0;
}

int
net_sendfile_some(int fd, int file_fd, off_t *offset, off_t end)
{
	while (*offset < end) {
		size_t chunk = (size_t)(end - *offset);
		ssize_t n;

		/* sendfile moves at most 0x7ffff000 bytes per call anyway. */
		if (chunk > 0x7ffff000)
			chunk = 0x7ffff000;
		n = sendfile(fd, file_fd, offset, chunk);
		if (n > 0) {
			if (net_progress_hook != NULL)
				net_progress_hook();
			continue;
		}
		if (n == 0) {
			/* The file shrank since fstat(): the length was a lie. */
			errno = EIO;
			return -1;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 1;
		return -1;
	}
	return 0;
}

int
net_sendfile_all(int fd, int file_fd, off_t *offset, off_t len,
    int64_t deadline_ms, int stall_ms)
{
	off_t end = *offset + len;

	for (;;) {
		off_t before = *offset;
		int r = net_sendfile_some(fd, file_fd, offset, end);

		if (r <= 0)
			return r;
		if (*offset > before)
			net_progress(&deadline_ms, stall_ms);
		errno = EAGAIN;
		if (net_again_send(fd, &deadline_ms, stall_ms) < 0)
			return -1;
	}
}

int
net_send_queued(int fd)
{
	int q;

	return ioctl(fd, SIOCOUTQ, &q) == 0 ? q : -1;
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
