/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sock.h - one client connection's I/O: every byte to or from a client
 * goes through here (read, writev, sendfile with a fallback, the bytes
 * still queued, shutdown, close), so that a TLS layer can later sit
 * under these calls without touching conn or the handlers.
 *
 * The socket is non-blocking and no call here ever waits: each returns
 * SOCK_AGAIN when the kernel would block, and the caller (conn, driven by
 * the worker's epoll loop) comes back when the socket is ready.
 */
#ifndef FORKHTTPD_SOCK_H
#define FORKHTTPD_SOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/uio.h>

/* Returned instead of a count when the call would block. */
#define SOCK_AGAIN (-2)

/* The bounded buffer of the read-and-write path, when sendfile() cannot
 * serve a file (a file system without it, later TLS without kTLS). */
#define SOCK_COPY_MAX (16 * 1024)

struct sock {
	int fd;			/* -1 once closed */
	bool no_sendfile;	/* sendfile() said EINVAL/ENOSYS: copy instead */
};

/* Takes over fd, a connected non-blocking socket. */
void sock_init(struct sock *s, int fd);

/*
 * Reads at most cap bytes.  Returns the count, 0 at the end of the
 * stream, SOCK_AGAIN, or -1 with errno.  EINTR is retried.
 */
ssize_t sock_read(struct sock *s, void *buf, size_t cap);

/*
 * Writes what the socket takes of iov (not consumed: see
 * sock_iov_consume()).  more: more bytes follow at once (MSG_MORE), so a
 * header and the body after it share packets.  Returns the count,
 * SOCK_AGAIN when nothing could be written, or -1 with errno (EPIPE,
 * ECONNRESET...); never raises SIGPIPE.
 */
ssize_t sock_writev(struct sock *s, const struct iovec *iov, int iovcnt,
    bool more);

/*
 * Sends what the socket takes of file_fd's bytes [*off, *off + len),
 * advancing *off: sendfile(), or, where the kernel refuses it for this
 * file, a pread() into a SOCK_COPY_MAX buffer and a write.  Returns the
 * count, SOCK_AGAIN, or -1 with errno; EIO when the file ended before
 * *off + len (it shrank underneath).
 */
ssize_t sock_sendfile(struct sock *s, int file_fd, off_t *off, size_t len);

/* Bytes sent and not yet acknowledged by the peer (SIOCOUTQ), or -1. */
int sock_pending(const struct sock *s);

/*
 * Whether the peer has closed its side (FIN) with nothing unread before
 * it, taking no byte: true only then; false when bytes wait, or none
 * came yet.
 */
bool sock_peer_closed(const struct sock *s);

/* No more writing (FIN); reading goes on.  0 or -1. */
int sock_shutdown_write(struct sock *s);

/* Closes the socket (which also takes it out of any epoll set); what is
 * still queued is delivered, then FIN. */
void sock_close(struct sock *s);

/*
 * Closes the socket at once, dropping what is still queued for the
 * client (a reset): for a response cut off, whose queued bytes would
 * otherwise go on trickling to the client that was too slow for them,
 * and hold kernel memory meanwhile.
 */
void sock_abort(struct sock *s);

/*
 * Drops n written bytes from the front of *iov / *iovcnt, moving them
 * on: the rest is what remains to write.
 */
void sock_iov_consume(struct iovec **iov, int *iovcnt, size_t n);

#endif
