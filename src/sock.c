/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sock.c - the connection I/O layer.  Thin on purpose: one system call
 * per function on the common path, errno kept, EAGAIN turned into
 * SOCK_AGAIN so callers never confuse "later" with "failed".  Over TLS,
 * OpenSSL's calls in their place, with its WANT_READ and WANT_WRITE
 * turned into SOCK_AGAIN the same way (and sock_flipped()).
 */
#include "autoconf.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "sock.h"
#include "tls.h"

/* What one TLS write gathers of an iovec: one record's worth, so that a
 * response's head and a small body leave in one record. */
static char sock_gather[SOCK_COPY_MAX];

void
sock_init(struct sock *s, int fd)
{
	s->fd = fd;
	s->no_sendfile = false;
	s->flipped = false;
	s->drained = false;
	s->tls = SOCK_TLS_OFF;
	s->listener = -1;
	s->server = -1;
	s->ssl = NULL;
}

void
sock_tls_start(struct sock *s, SSL *ssl)
{
	s->ssl = ssl;
	s->tls = SOCK_TLS_PEEK;
}

bool
sock_plain_on_tls(const struct sock *s)
{
	return s->tls == SOCK_TLS_PLAIN;
}

bool
sock_flipped(const struct sock *s)
{
	return s->flipped;
}

bool
sock_buffered(const struct sock *s)
{
	/*
	 * Not after a SOCK_AGAIN: what OpenSSL still holds then is a part
	 * of a record (SSL_has_pending() counts it too), and stepping the
	 * connection again until the rest came would spin.
	 */
	return s->ssl != NULL && !s->drained && SSL_has_pending(s->ssl);
}

const char *
sock_tls_protocol(const struct sock *s)
{
	return s->tls == SOCK_TLS_READY ? SSL_get_version(s->ssl) : NULL;
}

const char *
sock_tls_cipher(const struct sock *s)
{
	return s->tls == SOCK_TLS_READY ? SSL_get_cipher_name(s->ssl) : NULL;
}

static bool
sock_would_block(void)
{
	return errno == EAGAIN || errno == EWOULDBLOCK;
}

/*
 * The first byte on a TLS port, looked at without taking it: a TLS
 * record of type handshake (22) goes on as TLS; a capital letter starts
 * a request line in plain text, which is then read as it is (and
 * answered 400); anything else OpenSSL refuses.  1 once decided.
 */
static ssize_t
sock_tls_peek(struct sock *s)
{
	unsigned char b;
	ssize_t n;

	while ((n = recv(s->fd, &b, 1, MSG_PEEK)) < 0 && errno == EINTR)
		;
	if (n <= 0)
		return n == 0 ? 0 : sock_would_block() ? SOCK_AGAIN : -1;
	if (b >= 'A' && b <= 'Z') {
		SSL_free(s->ssl);
		s->ssl = NULL;
		s->tls = SOCK_TLS_PLAIN;
		tls_counts.plain++;
		return 1;
	}
	s->tls = SOCK_TLS_ON;
	return 1;
}

/* The handshake is done: counted once. */
static void
sock_tls_ready(struct sock *s)
{
	if (s->tls != SOCK_TLS_ON || !SSL_is_init_finished(s->ssl))
		return;
	s->tls = SOCK_TLS_READY;
	tls_counts.handshakes++;
	if (SSL_session_reused(s->ssl))
		tls_counts.resumed++;
}

/* What an OpenSSL call that returned n <= 0 means for the caller. */
static ssize_t
sock_tls_error(struct sock *s, int n, bool reading)
{
	int e = SSL_get_error(s->ssl, n);

	switch (e) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		s->flipped = (e == SSL_ERROR_WANT_WRITE) == reading;
		sock_tls_ready(s);
		return SOCK_AGAIN;
	case SSL_ERROR_ZERO_RETURN:
		/* close_notify, or (SSL_OP_IGNORE_UNEXPECTED_EOF) the end. */
		if (reading)
			return 0;
		errno = EPIPE;
		return -1;
	case SSL_ERROR_SYSCALL:
		s->tls = SOCK_TLS_DEAD;
		ERR_clear_error();
		if (errno == 0)
			errno = ECONNRESET;
		return -1;
	default:
		if (s->tls == SOCK_TLS_ON)
			tls_log_failure(s->fd);
		else
			ERR_clear_error();
		s->tls = SOCK_TLS_DEAD;
		errno = EPROTO;
		return -1;
	}
}

static ssize_t
sock_tls_read(struct sock *s, void *buf, size_t cap)
{
	int n;

	if (s->tls == SOCK_TLS_DEAD) {
		errno = EPROTO;
		return -1;
	}
	ERR_clear_error();
	errno = 0;
	n = SSL_read(s->ssl, buf, cap > INT_MAX ? INT_MAX : (int)cap);
	s->drained = n <= 0;
	if (n <= 0)
		return sock_tls_error(s, n, true);
	s->flipped = false;
	sock_tls_ready(s);
	return n;
}

static ssize_t
sock_tls_write(struct sock *s, const void *buf, size_t len)
{
	int n;

	if (s->tls == SOCK_TLS_DEAD) {
		errno = EPIPE;
		return -1;
	}
	if (len == 0)
		return 0;
	ERR_clear_error();
	errno = 0;
	n = SSL_write(s->ssl, buf, len > INT_MAX ? INT_MAX : (int)len);
	if (n <= 0)
		return sock_tls_error(s, n, false);
	s->flipped = false;
	sock_tls_ready(s);
	return n;
}

/*
 * Over TLS, an iovec is gathered into one record's worth.  A write that
 * must be retried is retried with the same bytes (the caller consumes
 * only what was written), as OpenSSL requires.
 */
static ssize_t
sock_tls_writev(struct sock *s, const struct iovec *iov, int iovcnt)
{
	size_t n = 0;

	if (iovcnt == 1)
		return sock_tls_write(s, iov[0].iov_base, iov[0].iov_len);
	for (int i = 0; i < iovcnt && n < sizeof(sock_gather); i++) {
		size_t k = iov[i].iov_len;

		if (k > sizeof(sock_gather) - n)
			k = sizeof(sock_gather) - n;
		memcpy(sock_gather + n, iov[i].iov_base, k);
		n += k;
	}
	return sock_tls_write(s, sock_gather, n);
}

ssize_t
sock_read(struct sock *s, void *buf, size_t cap)
{
	if (s->tls == SOCK_TLS_PEEK) {
		ssize_t n = sock_tls_peek(s);

		if (n <= 0)
			return n;
	}
	if (s->ssl != NULL)
		return sock_tls_read(s, buf, cap);
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

	if (s->ssl != NULL)
		return sock_tls_writev(s, iov, iovcnt);
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

/*
 * The read-and-write path over TLS: one pread() of up to SOCK_TLS_READ,
 * then a record's worth per SSL_write() for as long as the socket takes
 * them, so that a file costs a quarter of the reads.  A write OpenSSL
 * must retry starts the next call, which reads the same bytes again at
 * the same offset (the file is the buffer, as in sock_copy()).
 */
static ssize_t
sock_tls_copy(struct sock *s, int file_fd, off_t *off, size_t len)
{
	static char buf[SOCK_TLS_READ];
	size_t want = len < sizeof(buf) ? len : sizeof(buf), done = 0;
	ssize_t n = pread(file_fd, buf, want, *off);

	if (n <= 0) {
		if (n == 0)
			errno = EIO;
		return -1;
	}
	while (done < (size_t)n) {
		size_t k = (size_t)n - done;
		ssize_t w = sock_tls_write(s, buf + done,
		    k < SOCK_COPY_MAX ? k : SOCK_COPY_MAX);

		if (w <= 0) {
			if (done > 0)
				break;
			return w;
		}
		done += (size_t)w;
	}
	*off += (off_t)done;
	return (ssize_t)done;
}

/*
 * A file over TLS: with kernel TLS (the kernel encrypts, OpenSSL set it
 * up after the handshake), sendfile() as for a plain connection; else
 * the read-and-write path through SSL_write().
 */
static ssize_t
sock_tls_sendfile(struct sock *s, int file_fd, off_t *off, size_t len)
{
	ossl_ssize_t n;

	if (s->tls != SOCK_TLS_READY || s->no_sendfile ||
	    !BIO_get_ktls_send(SSL_get_wbio(s->ssl)))
		return sock_tls_copy(s, file_fd, off, len);
	ERR_clear_error();
	errno = 0;
	n = SSL_sendfile(s->ssl, file_fd, *off, len, 0);
	if (n > 0) {
		*off += n;
		s->flipped = false;
		return n;
	}
	if (n == 0) {
		errno = EIO;
		return -1;
	}
	if (errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP) {
		ERR_clear_error();
		s->no_sendfile = true;
		return sock_tls_copy(s, file_fd, off, len);
	}
	return sock_tls_error(s, (int)n, false);
}

ssize_t
sock_sendfile(struct sock *s, int file_fd, off_t *off, size_t len)
{
	if (len == 0)
		return 0;
	/* sendfile() moves at most 0x7ffff000 bytes per call anyway. */
	if (len > 0x7ffff000)
		len = 0x7ffff000;
	if (s->ssl != NULL)
		return sock_tls_sendfile(s, file_fd, off, len);
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

/* TLS: close_notify, as far as the socket takes it now (never waits). */
static void
sock_tls_close_notify(struct sock *s)
{
	if (s->ssl != NULL && s->tls == SOCK_TLS_READY &&
	    !(SSL_get_shutdown(s->ssl) & SSL_SENT_SHUTDOWN)) {
		ERR_clear_error();
		SSL_shutdown(s->ssl);
		ERR_clear_error();
	}
}

static void
sock_tls_free(struct sock *s)
{
	SSL_free(s->ssl);
	s->ssl = NULL;
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
	sock_tls_close_notify(s);
	return shutdown(s->fd, SHUT_WR);
}

void
sock_close(struct sock *s)
{
	sock_tls_close_notify(s);
	sock_tls_free(s);
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

void
sock_abort(struct sock *s)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	sock_tls_free(s);
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
