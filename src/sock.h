/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sock.h - one client connection's I/O: every byte to or from a client
 * goes through here (read, writev, sendfile with a fallback, the bytes
 * still queued, shutdown, close), plain or over TLS (OpenSSL: the
 * handshake happens inside the first reads), without conn or the
 * handlers knowing which.
 *
 * Over TLS a read may need the socket writable (a handshake message to
 * send) and a write readable: a call that returns SOCK_AGAIN says so in
 * sock_flipped(), and the worker then watches the other direction.  And
 * OpenSSL may hold bytes already read from the socket that the kernel
 * no longer reports (sock_buffered()).
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

struct ssl_st;

/* Returned instead of a count when the call would block. */
#define SOCK_AGAIN (-2)

/* The bounded buffer of the read-and-write path, when sendfile() cannot
 * serve a file (a file system without it, TLS without kernel TLS); also
 * what one TLS write gathers of an iovec (a record's worth). */
#define SOCK_COPY_MAX (16 * 1024)

/* Over TLS without kernel TLS, what one pread() of a file takes; it
 * leaves in SOCK_COPY_MAX records. */
#define SOCK_TLS_READ (64 * 1024)

/* What TLS is doing on a connection. */
enum sock_tls {
	SOCK_TLS_OFF = 0,	/* a plain connection */
	SOCK_TLS_PEEK,		/* on a TLS port; first byte not seen yet */
	SOCK_TLS_ON,		/* the handshake */
	SOCK_TLS_READY,		/* handshake done: records */
	SOCK_TLS_PLAIN,		/* plain HTTP came to a TLS port: read as
				 * it is, to answer 400 */
	SOCK_TLS_DEAD		/* a fatal TLS error: no close_notify */
};

struct sock {
	int fd;			/* -1 once closed */
	bool no_sendfile;	/* sendfile() said EINVAL/ENOSYS: copy instead */
	bool flipped;		/* SOCK_AGAIN waits for the other direction */
	bool drained;		/* TLS: the last read said SOCK_AGAIN */
	unsigned char tls;	/* enum sock_tls */
	int listener;		/* accepted on cfg->listen[listener]; -1 */
	int server;		/* TLS: the server SNI chose; -1: none */
	struct ssl_st *ssl;	/* NULL: plain */
};

/* Takes over fd, a connected non-blocking socket. */
void sock_init(struct sock *s, int fd);

/*
 * Makes s a TLS connection on ssl (tls_new(), which now belongs to s):
 * the first byte decides (a TLS handshake record, or a request line in
 * plain text, which is then read as it is and sock_plain_on_tls()
 * says so).
 */
void sock_tls_start(struct sock *s, struct ssl_st *ssl);

/* Plain HTTP on a TLS port: the request must get a 400 and a close. */
bool sock_plain_on_tls(const struct sock *s);

/* The last SOCK_AGAIN waits for writable when reading, or readable when
 * writing (a TLS handshake or key update under way). */
bool sock_flipped(const struct sock *s);

/* Bytes OpenSSL holds that no read has returned yet, and that the last
 * read did not leave there for want of more (a part of a record, which
 * the socket will report when the rest comes): read again now, the
 * socket will not say it is readable. */
bool sock_buffered(const struct sock *s);

/* Over TLS: the protocol and the cipher ("TLSv1.3",
 * "TLS_AES_128_GCM_SHA256"); NULL on a plain connection or before the
 * handshake is done. */
const char *sock_tls_protocol(const struct sock *s);
const char *sock_tls_cipher(const struct sock *s);

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
 * file, a pread() into a SOCK_COPY_MAX buffer and a write.  Over TLS:
 * SSL_sendfile() where kernel TLS is on, else a pread() of up to
 * SOCK_TLS_READ and SSL_write()s of SOCK_COPY_MAX.  Returns the count,
 * SOCK_AGAIN, or -1 with errno; EIO when the file ended before *off +
 * len (it shrank underneath).
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
