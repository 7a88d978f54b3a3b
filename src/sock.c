/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sock.c - the connection I/O layer.  Thin on purpose: one system call
 * per function on the common path, errno kept, EAGAIN turned into
 * SOCK_AGAIN so callers never confuse "later" with "failed".
 */
#include "autoconf.h"

#include <errno.h>
#include <stdint.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sock.h"

void
sock_init(struct sock *s, int fd)
{
	s->fd = fd;
	s->no_sendfile = false;
}

static bool
sock_would_block(void)
{
	return errno == EAGAIN || errno == EWOULDBLOCK;
}

ssize_t
sock_read(struct sock *s, void *buf, size_t cap)
{
	for (;;) {
		ssize_t n = read(s->fd, buf, cap);

		if (n >= 0)
			return n;
		if (errno == EINTR)
			continue;
		return sock_would_block() ? SOCK_AGAIN : -1;
	}
}

ssize_t
sock_writev(struct sock *s, const struct iovec *iov, int iovcnt, bool more)
{
	struct msghdr msg = {
		.msg_iov = (struct iovec *)(uintptr_t)iov,
		.msg_iovlen = (size_t)iovcnt,
	};

	for (;;) {
		ssize_t n = sendmsg(s->fd, &msg, MSG_NOSIGNAL |
		    (more ? MSG_MORE : 0));

		if (n >= 0)
			return n;
		if (errno == EINTR)
			continue;
		return sock_would_block() ? SOCK_AGAIN : -1;
	}
}

/* The read-and-write path: one bounded piece of the file. */
static ssize_t
sock_copy(struct sock *s, int file_fd, off_t *off, size_t len)
{
	char buf[SOCK_COPY_MAX];
	struct iovec iov;
	size_t want = len < sizeof(buf) ? len : sizeof(buf);
	ssize_t n, w;

	n = pread(file_fd, buf, want, *off);
	if (n < 0)
		return -1;
	if (n == 0) {
		errno = EIO;
		return -1;
	}
	iov.iov_base = buf;
	iov.iov_len = (size_t)n;
	/*
	 * What the socket does not take is read again next time: the file
	 * is the buffer, so nothing is held between calls.
	 */
	/* MSG_MORE while more of the file follows this piece. */
	w = sock_writev(s, &iov, 1, (size_t)n < len);
	if (w > 0)
		*off += w;
	return w;
}

ssize_t
sock_sendfile(struct sock *s, int file_fd, off_t *off, size_t len)
{
	if (len == 0)
		return 0;
	/* sendfile() moves at most 0x7ffff000 bytes per call anyway. */
	if (len > 0x7ffff000)
		len = 0x7ffff000;
	while (!s->no_sendfile) {
		ssize_t n = sendfile(s->fd, file_fd, off, len);

		if (n > 0)
			return n;
		if (n == 0) {
			/* The file shrank since fstat(): the length was a lie. */
			errno = EIO;
			return -1;
		}
		if (errno == EINTR)
			continue;
		if (sock_would_block())
			return SOCK_AGAIN;
		if (errno != EINVAL && errno != ENOSYS)
			return -1;
		s->no_sendfile = true;
	}
	return sock_copy(s, file_fd, off, len);
}

int
sock_pending(const struct sock *s)
{
	int q;

	return ioctl(s->fd, SIOCOUTQ, &q) == 0 ? q : -1;
}

bool
sock_peer_closed(const struct sock *s)
{
	char b;

	return recv(s->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
}

int
sock_shutdown_write(struct sock *s)
{
	return shutdown(s->fd, SHUT_WR);
}

void
sock_close(struct sock *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

void
sock_abort(struct sock *s)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	if (s->fd >= 0)
		setsockopt(s->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	sock_close(s);
}

void
sock_iov_consume(struct iovec **iov, int *iovcnt, size_t n)
{
	while (*iovcnt > 0 && n >= (*iov)->iov_len) {
		n -= (*iov)->iov_len;
		(*iov)++;
		(*iovcnt)--;
	}
	if (*iovcnt > 0 && n > 0) {
		(*iov)->iov_base = (char *)(*iov)->iov_base + n;
		(*iov)->iov_len -= n;
	}
}
