/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * conform.c - an HTTP/1.1 conformance client for a static file server.
 *
 *     conform [options] HOST PORT
 *
 * Sends raw bytes over real TCP connections, parses the responses itself
 * (status line, fields, Content-Length, chunked and close-delimited
 * bodies, 1xx interim responses, HEAD and 304 without a body) and checks
 * one table row per rule of RFC 9110 and RFC 9112 that forkhttpd
 * promises (see tests/conformance/README).  The server must serve the
 * document root conformance.sh builds: /index.html, /a.txt (the 26 bytes
 * a..z), /big.bin (32 MiB), /dir/x.txt.  The options give the limits the
 * server was configured with, so any server configured alike (nginx) can
 * be measured with the same rows.
 *
 * Output is TAP; the exit status is 0 if every selected row passed, 1
 * otherwise.  Every socket operation waits against a deadline (poll), and
 * a watchdog ends the run if it takes longer than WATCHDOG_S.
 *
 * It deliberately uses nothing but libc: it must be able to test any
 * server, so it shares no code with the one it tests.
 */
#ifdef HAVE_CONFIG_H
#include "autoconf.h"
#endif
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1		/* memmem, strcasestr, getopt_long, timegm */
#endif

#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#define CONNECT_MS	2000	/* connect() to a loopback server */
#define SLACK_MS	1000	/* what "within timeout + ~1 s" allows */
#define EARLY_MS	500	/* a timeout may fire this much early */
#define EXPECT_100_MS	1000	/* how long a client waits for 100 */
#define PEEK_MS		20	/* look for a close after each exchange */
#define WATCHDOG_S	240	/* the whole run, whatever happens */

#define HEAD_MAX	16384	/* a longer response header is malformed */
#define FIELDS_MAX	64	/* response fields kept */
#define BODY_KEEP	65536	/* body bytes kept; the rest only counted */
#define REQ_MAX		65536	/* a request built from a template */
#define CONN_BUF	65536

#define ALPHABET	"abcdefghijklmnopqrstuvwxyz"
#define BIG_MIN		(8u << 20)	/* /big.bin must beat socket buffers */

/* ------------------------------------------------------------------ */
/* Options: the limits the server under test was configured with. */

static struct {
	const char *host;
	const char *port;
	struct addrinfo *ai;
	char hosthdr[300];	/* HOST:PORT for Host fields */
	long body_max;
	long header_timeout;
	long body_timeout;
	long send_timeout;
	long keepalive_timeout;
	long keepalive_requests;
	long request_line_max;
	long header_field_max;
	long header_max;
	long header_fields_max;
	const char *select;
	bool verbose;
	bool list;
	bool probe;
	SSL_CTX *tls;		/* --tls: every connection over TLS */
} opt = {
	.body_max = 1024,
	.header_timeout = 2,
	.body_timeout = 2,
	.send_timeout = 2,
	.keepalive_timeout = 2,
	.keepalive_requests = 5,
	.request_line_max = 8192,
	.header_field_max = 4096,
	.header_max = 16384,
	.header_fields_max = 50,
};

/* How long to wait for a response that should come. */
static int64_t
io_ms(void)
{
	long t = opt.header_timeout;

	if (opt.body_timeout > t)
		t = opt.body_timeout;
	return (int64_t)t * 1000 + 1500;
}

/*
 * How long a connection that should close may stay open: less than the
 * keep-alive timeout, or the idle close would pass for the one wanted.
 */
static int64_t
close_ms(void)
{
	if (opt.keepalive_timeout <= 0)
		return 1000;
	if (opt.keepalive_timeout * 1000 / 2 < 1000)
		return opt.keepalive_timeout * 1000 / 2;
	return 1000;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
sleep_ms(int64_t ms)
{
	int64_t end = now_ms() + ms;
	int64_t left;

	while ((left = end - now_ms()) > 0)
		(void)poll(NULL, 0, (int)left);
}

/* ------------------------------------------------------------------ */
/* The verdict of the running row: the first failure is what TAP shows. */

static const char *cur_row = "setup";
static bool row_failed;
static char row_msg[512];

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
fail(const char *fmt, ...)
{
	va_list ap;
	char msg[512];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* a newline or '#' would break the TAP line */
	for (char *p = msg; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r' || *p == '#')
			*p = ' ';
	if (opt.verbose)
		printf("#   FAIL: %s\n", msg);
	if (!row_failed) {
		row_failed = true;
		snprintf(row_msg, sizeof(row_msg), "%s", msg);
	}
}

static void
diag(const char *fmt, ...)
{
	va_list ap;

	if (!opt.verbose)
		return;
	fputs("#   ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

/* Shows bytes on diagnostic lines, CR and LF spelled out. */
static void
diag_bytes(const char *prefix, const char *p, size_t len)
{
	size_t i, shown = len > 400 ? 400 : len;

	if (!opt.verbose)
		return;
	printf("#   %s", prefix);
	for (i = 0; i < shown; i++) {
		unsigned char ch = (unsigned char)p[i];

		if (ch == '\r')
			fputs("\\r", stdout);
		else if (ch == '\n') {
			fputs("\\n", stdout);
			if (i + 1 < shown)
				printf("\n#   %s", prefix);
		} else if (ch < 0x20 || ch >= 0x7f)
			printf("\\x%02x", ch);
		else
			fputc(ch, stdout);
	}
	if (shown < len)
		printf("... (%zu bytes)", len);
	fputc('\n', stdout);
}

/* ------------------------------------------------------------------ */
/* Connections: a non-blocking socket and the bytes read but not parsed. */

struct conn {
	int fd;
	SSL *ssl;		/* --tls */
	char *buf;
	size_t cap;
	size_t start;		/* first byte not yet parsed */
	size_t end;		/* one past the last byte read */
	bool eof;		/* the server closed its side */
	int err;		/* errno of a failed recv (ECONNRESET) */
};

enum fill { FILL_DATA, FILL_EOF, FILL_ERROR, FILL_TIMEOUT };

static void
conn_close(struct conn *c)
{
	SSL_free(c->ssl);
	c->ssl = NULL;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->buf);
	c->buf = NULL;
}

/* Waits until the deadline for what OpenSSL asked (e: its error). */
static bool
conn_tls_wait(struct conn *c, int e, int64_t deadline)
{
	struct pollfd pf = { .fd = c->fd, .events = e == SSL_ERROR_WANT_WRITE ?
	    POLLOUT : POLLIN };
	int64_t left = deadline - now_ms();

	if (left <= 0)
		return false;
	return poll(&pf, 1, (int)(left > INT_MAX ? INT_MAX : left)) >= 0 ||
	    errno == EINTR;
}

/* --tls: the handshake, within CONNECT_MS.  The certificate is not
 * checked: the rows are about HTTP, not about who answers. */
static bool
conn_tls(struct conn *c)
{
	int64_t deadline = now_ms() + CONNECT_MS;
	int n, e;

	if ((c->ssl = SSL_new(opt.tls)) == NULL ||
	    SSL_set_fd(c->ssl, c->fd) != 1) {
		fail("SSL_new failed");
		return false;
	}
	while ((n = SSL_connect(c->ssl)) != 1) {
		e = SSL_get_error(c->ssl, n);
		if ((e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) ||
		    !conn_tls_wait(c, e, deadline)) {
			fail("TLS handshake with %s failed (%s)", opt.hosthdr,
			    ERR_reason_error_string(ERR_get_error()));
			return false;
		}
	}
	return true;
}

/*
 * Connects to the server under test; rcvbuf > 0 sets a small receive
 * buffer first (a client that stops reading must fill up soon).
 */
static bool
conn_open(struct conn *c, int rcvbuf)
{
	struct pollfd p;
	int one = 1, soerr = 0;
	socklen_t sl = sizeof(soerr);

	memset(c, 0, sizeof(*c));
	c->fd = socket(opt.ai->ai_family,
	    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		fail("socket: %s", strerror(errno));
		return false;
	}
	if (rcvbuf > 0)
		(void)setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
		    sizeof(rcvbuf));
	/* small pieces (the trickle, pipelined requests) go out at once */
	(void)setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(c->fd, opt.ai->ai_addr, opt.ai->ai_addrlen) < 0) {
		if (errno != EINPROGRESS) {
			fail("connect to %s: %s", opt.hosthdr,
			    strerror(errno));
			conn_close(c);
			return false;
		}
		p.fd = c->fd;
		p.events = POLLOUT;
		p.revents = 0;
		if (poll(&p, 1, CONNECT_MS) <= 0) {
			fail("connect to %s: no answer within %d ms",
			    opt.hosthdr, CONNECT_MS);
			conn_close(c);
			return false;
		}
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0 ||
		    soerr != 0) {
			fail("connect to %s: %s", opt.hosthdr,
			    strerror(soerr != 0 ? soerr : errno));
			conn_close(c);
			return false;
		}
	}
	c->cap = CONN_BUF;
	c->buf = malloc(c->cap);
	if (c->buf == NULL) {
		fail("out of memory");
		conn_close(c);
		return false;
	}
	if (opt.tls != NULL && !conn_tls(c)) {
		conn_close(c);
		return false;
	}
	return true;
}

/*
 * Sends all of p[0..len) before the deadline.  Returns 0, or the errno
 * (EPIPE, ECONNRESET, ETIMEDOUT): the caller decides whether a server
 * that stopped reading is a failure.
 */
static int
conn_send(struct conn *c, const void *p, size_t len, int64_t deadline)
{
	const char *b = p;
	struct pollfd pf;
	ssize_t n;
	int64_t left;

	while (len > 0 && c->ssl != NULL) {
		int k = (errno = 0, SSL_write(c->ssl, b, len > INT_MAX ? INT_MAX : (int)len));
		int e = k > 0 ? SSL_ERROR_NONE : SSL_get_error(c->ssl, k);

		if (k > 0) {
			b += k;
			len -= (size_t)k;
		} else if (e != SSL_ERROR_WANT_READ &&
		    e != SSL_ERROR_WANT_WRITE) {
			ERR_clear_error();
			return errno != 0 && e == SSL_ERROR_SYSCALL ? errno :
			    EPIPE;
		} else if (!conn_tls_wait(c, e, deadline)) {
			return ETIMEDOUT;
		}
	}
	while (len > 0) {
		n = send(c->fd, b, len, MSG_NOSIGNAL);
		if (n > 0) {
			b += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			return errno;
		left = deadline - now_ms();
		if (left <= 0)
			return ETIMEDOUT;
		pf.fd = c->fd;
		pf.events = POLLOUT;
		pf.revents = 0;
		if (poll(&pf, 1, (int)left) < 0 && errno != EINTR)
			return errno;
	}
	return 0;
}

/* Reads more bytes into the buffer, waiting until the deadline. */
static enum fill
conn_fill(struct conn *c, int64_t deadline)
{
	struct pollfd pf;
	ssize_t n;
	int64_t left;
	char *nb;

	if (c->eof)
		return FILL_EOF;
	if (c->err != 0)
		return FILL_ERROR;
	if (c->start == c->end)
		c->start = c->end = 0;
	if (c->end == c->cap) {
		if (c->start > 0) {
			memmove(c->buf, c->buf + c->start, c->end - c->start);
			c->end -= c->start;
			c->start = 0;
		} else {
			nb = realloc(c->buf, c->cap * 2);
			if (nb == NULL) {
				c->err = ENOMEM;
				return FILL_ERROR;
			}
			c->buf = nb;
			c->cap *= 2;
		}
	}
	while (c->ssl != NULL) {
		int k = (errno = 0, SSL_read(c->ssl, c->buf + c->end,
		    (int)(c->cap - c->end > INT_MAX ? INT_MAX :
		    c->cap - c->end)));
		int e = k > 0 ? SSL_ERROR_NONE : SSL_get_error(c->ssl, k);

		if (k > 0) {
			c->end += (size_t)k;
			return FILL_DATA;
		}
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
			if (!conn_tls_wait(c, e, deadline))
				return FILL_TIMEOUT;
			continue;
		}
		ERR_clear_error();
		/* close_notify, or the end without one: the server closed. */
		if (e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL &&
		    errno == 0) || (e == SSL_ERROR_SSL && errno == 0)) {
			c->eof = true;
			return FILL_EOF;
		}
		c->err = errno != 0 ? errno : ECONNRESET;
		return FILL_ERROR;
	}
	for (;;) {
		n = recv(c->fd, c->buf + c->end, c->cap - c->end, 0);
		if (n > 0) {
			c->end += (size_t)n;
			return FILL_DATA;
		}
		if (n == 0) {
			c->eof = true;
			return FILL_EOF;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			c->err = errno;
			return FILL_ERROR;
		}
		left = deadline - now_ms();
		if (left <= 0)
			return FILL_TIMEOUT;
		pf.fd = c->fd;
		pf.events = POLLIN;
		pf.revents = 0;
		if (poll(&pf, 1, (int)(left > INT_MAX ? INT_MAX : left)) == 0)
			return FILL_TIMEOUT;
	}
}

/*
 * Whether the server sent something within ms: over TLS, bytes of a
 * response (a TLS 1.3 server's session tickets make the socket readable
 * with nothing for HTTP); they are then in the buffer.
 */
static bool
conn_readable(struct conn *c, int64_t ms)
{
	struct pollfd pf = { .fd = c->fd, .events = POLLIN };

	if (c->ssl != NULL)
		return conn_fill(c, now_ms() + ms) != FILL_TIMEOUT;
	return poll(&pf, 1, (int)ms) > 0;
}

static size_t
conn_avail(const struct conn *c)
{
	return c->end - c->start;
}

/* ------------------------------------------------------------------ */
/* Responses. */

enum framing { FR_NONE, FR_LENGTH, FR_CHUNKED, FR_CLOSE };
enum rr { RR_OK, RR_TIMEOUT, RR_EOF, RR_RESET, RR_BAD };

/* Offsets into resp.fbuf, so a struct resp can be copied whole. */
struct field {
	size_t name;
	size_t value;
};

struct resp {
	int status;
	int minor;
	char head[HEAD_MAX + 1];	/* status line and fields, as sent */
	size_t head_len;
	char fbuf[HEAD_MAX + 1];	/* NUL-terminated names and values */
	struct field f[FIELDS_MAX];
	unsigned nf;
	enum framing framing;
	uint64_t cl;			/* Content-Length when FR_LENGTH */
	char body[BODY_KEEP + 1];	/* NUL-terminated */
	size_t body_len;		/* bytes kept */
	uint64_t body_total;		/* bytes received */
	int64_t t_done;			/* now_ms() when it was complete */
	char err[300];			/* why it could not be read */
};

/* Every final response of the run, for the aggregate rows. */
static struct {
	unsigned finals;
	unsigned no_date;
	char date_msg[300];
	unsigned closes;
	unsigned close_unsaid;
	char close_msg[300];
} stats;

#define FNAME(r, i)	((r)->fbuf + (r)->f[i].name)
#define FVALUE(r, i)	((r)->fbuf + (r)->f[i].value)

static const char *
hdr(const struct resp *r, const char *name)
{
	unsigned i;

	for (i = 0; i < r->nf; i++)
		if (strcasecmp(FNAME(r, i), name) == 0)
			return FVALUE(r, i);
	return NULL;
}

static unsigned
hdr_count(const struct resp *r, const char *name)
{
	unsigned i, n = 0;

	for (i = 0; i < r->nf; i++)
		if (strcasecmp(FNAME(r, i), name) == 0)
			n++;
	return n;
}

/* Whether a list-valued field (every line of it) has the token. */
static bool
hdr_token(const struct resp *r, const char *name, const char *token)
{
	size_t tl = strlen(token);
	unsigned i;

	for (i = 0; i < r->nf; i++) {
		const char *p = FVALUE(r, i);

		if (strcasecmp(FNAME(r, i), name) != 0)
			continue;
		while (*p != '\0') {
			const char *e;
			size_t n;

			while (*p == ' ' || *p == '\t' || *p == ',')
				p++;
			e = p;
			while (*e != '\0' && *e != ',')
				e++;
			n = (size_t)(e - p);
			while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
				n--;
			if (n == tl && strncasecmp(p, token, tl) == 0)
				return true;
			p = e;
		}
	}
	return false;
}

/* RFC 9110 §5.6.7: IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT". */
static bool
date_parse(const char *s, time_t *out)
{
	struct tm tm;
	const char *e;

	if (s == NULL || strlen(s) != 29)
		return false;
	memset(&tm, 0, sizeof(tm));
	e = strptime(s, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	if (e == NULL || *e != '\0')
		return false;
	if (out != NULL)
		*out = timegm(&tm);
	return true;
}

/* The three forms of RFC 9110 §5.6.7, in the C locale's English names. */
enum date_form { FMT_IMF, FMT_RFC850, FMT_ASCTIME };

static void
date_format(time_t t, enum date_form form, char *out, size_t cap)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	switch (form) {
	case FMT_RFC850: {
		/* the two-digit year is the point of this form */
		char a[32], b[32];

		strftime(a, sizeof(a), "%A, %d-%b", &tm);
		strftime(b, sizeof(b), "%H:%M:%S", &tm);
		snprintf(out, cap, "%s-%02d %s GMT", a, tm.tm_year % 100, b);
		break;
	}
	case FMT_ASCTIME:
		strftime(out, cap, "%a %b %e %H:%M:%S %Y", &tm);
		break;
	case FMT_IMF:
	default:
		strftime(out, cap, "%a, %d %b %Y %H:%M:%S GMT", &tm);
		break;
	}
}

/* Counts a final response for the Date/Server row. */
static void
stats_final(const struct resp *r)
{
	const char *why = NULL;

	stats.finals++;
	if (hdr(r, "Date") == NULL)
		why = "no Date";
	else if (!date_parse(hdr(r, "Date"), NULL))
		why = "a Date that is not an IMF-fixdate";
	else if (hdr(r, "Server") == NULL || *hdr(r, "Server") == '\0')
		why = "no Server";
	if (why != NULL && stats.no_date++ == 0)
		snprintf(stats.date_msg, sizeof(stats.date_msg),
		    "the %d response of row %s has %s", r->status, cur_row,
		    why);
}

/* The server closed the connection after r: did r say so? */
static void
stats_close(const struct resp *r)
{
	stats.closes++;
	if (!hdr_token(r, "Connection", "close"))
		diag("the %d response was followed by a close without "
		    "Connection: close", r->status);
	if (!hdr_token(r, "Connection", "close") && stats.close_unsaid++ == 0)
		snprintf(stats.close_msg, sizeof(stats.close_msg),
		    "the %d response of row %s was followed by a close "
		    "without Connection: close", r->status, cur_row);
}

static void
resp_take(struct resp *r, const char *p, size_t n)
{
	size_t keep = BODY_KEEP - r->body_len;

	if (keep > n)
		keep = n;
	memcpy(r->body + r->body_len, p, keep);
	r->body_len += keep;
	r->body[r->body_len] = '\0';
	r->body_total += n;
}

/* Describes why no (complete) response could be read. */
static enum rr
resp_fail(struct resp *r, const struct conn *c, enum fill f, int64_t waited,
    const char *what)
{
	switch (f) {
	case FILL_EOF:
		snprintf(r->err, sizeof(r->err), "connection closed %s", what);
		return RR_EOF;
	case FILL_ERROR:
		snprintf(r->err, sizeof(r->err), "connection %s %s",
		    c->err == ECONNRESET ? "reset" : strerror(c->err), what);
		return RR_RESET;
	case FILL_TIMEOUT:
	default:
		snprintf(r->err, sizeof(r->err), "nothing more within %" PRId64
		    " ms %s", waited, what);
		return RR_TIMEOUT;
	}
}

static bool
is_tchar(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') || (ch != '\0' && strchr("!#$%&'*+-.^_`|~",
	    ch) != NULL);
}

/*
 * Reads and parses one response header: the status line and the fields,
 * and decides how the body is framed (RFC 9112 §6.3).  head: the request
 * was HEAD.
 */
static enum rr
resp_read_head(struct conn *c, struct resp *r, bool head, int64_t deadline)
{
	int64_t t0 = now_ms();
	const char *hend, *p, *e;
	char *w;
	size_t hlen;
	enum fill f;

	r->status = 0;
	r->nf = 0;
	r->head_len = 0;
	r->head[0] = '\0';
	r->body_len = 0;
	r->body[0] = '\0';
	r->body_total = 0;
	r->framing = FR_NONE;
	r->cl = 0;
	r->err[0] = '\0';
	for (;;) {
		hend = memmem(c->buf + c->start, conn_avail(c), "\r\n\r\n", 4);
		if (hend != NULL)
			break;
		if (memmem(c->buf + c->start, conn_avail(c), "\n\n", 2) !=
		    NULL || memmem(c->buf + c->start, conn_avail(c),
		    "\n\r\n", 3) != NULL) {
			snprintf(r->err, sizeof(r->err),
			    "bare LF in the response header");
			diag_bytes("< ", c->buf + c->start, conn_avail(c));
			return RR_BAD;
		}
		if (conn_avail(c) > HEAD_MAX) {
			snprintf(r->err, sizeof(r->err),
			    "a response header longer than %d bytes",
			    HEAD_MAX);
			return RR_BAD;
		}
		f = conn_fill(c, deadline);
		if (f != FILL_DATA) {
			char what[128];

			if (conn_avail(c) == 0)
				snprintf(what, sizeof(what),
				    "before any response");
			else
				snprintf(what, sizeof(what),
				    "after %zu bytes of a response header",
				    conn_avail(c));
			if (conn_avail(c) > 0)
				diag_bytes("< ", c->buf + c->start,
				    conn_avail(c));
			return resp_fail(r, c, f, now_ms() - t0, what);
		}
	}
	hlen = (size_t)(hend - (c->buf + c->start)) + 2;	/* last CRLF */
	if (hlen > HEAD_MAX) {
		snprintf(r->err, sizeof(r->err),
		    "a response header longer than %d bytes", HEAD_MAX);
		return RR_BAD;
	}
	memcpy(r->head, c->buf + c->start, hlen);
	r->head[hlen] = '\0';
	r->head_len = hlen;
	c->start += hlen + 2;
	diag_bytes("< ", r->head, r->head_len);

	/* status-line = HTTP-version SP status-code SP [ reason-phrase ] */
	p = r->head;
	if (hlen < 13 || strncmp(p, "HTTP/1.", 7) != 0 || p[7] < '0' ||
	    p[7] > '9' || p[8] != ' ' || p[9] < '1' || p[9] > '5' ||
	    p[10] < '0' || p[10] > '9' || p[11] < '0' || p[11] > '9' ||
	    (p[12] != ' ' && p[12] != '\r')) {
		snprintf(r->err, sizeof(r->err), "malformed status line %.60s",
		    r->head);
		return RR_BAD;
	}
	r->minor = p[7] - '0';
	r->status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');

	/* the fields, copied NUL-terminated into fbuf */
	p = strstr(r->head, "\r\n") + 2;
	w = r->fbuf;
	while (*p != '\0') {
		const char *colon, *v, *ve;

		e = strstr(p, "\r\n");
		if (e == NULL)
			break;
		colon = memchr(p, ':', (size_t)(e - p));
		if (colon == NULL || colon == p) {
			snprintf(r->err, sizeof(r->err),
			    "malformed response field %.*s",
			    (int)(e - p > 60 ? 60 : e - p), p);
			return RR_BAD;
		}
		for (v = p; v < colon; v++)
			if (!is_tchar((unsigned char)*v)) {
				snprintf(r->err, sizeof(r->err),
				    "malformed response field name %.*s",
				    (int)(colon - p > 60 ? 60 : colon - p), p);
				return RR_BAD;
			}
		if (r->nf == FIELDS_MAX) {
			snprintf(r->err, sizeof(r->err),
			    "more than %d response fields", FIELDS_MAX);
			return RR_BAD;
		}
		v = colon + 1;
		while (v < e && (*v == ' ' || *v == '\t'))
			v++;
		ve = e;
		while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
			ve--;
		r->f[r->nf].name = (size_t)(w - r->fbuf);
		memcpy(w, p, (size_t)(colon - p));
		w += colon - p;
		*w++ = '\0';
		r->f[r->nf].value = (size_t)(w - r->fbuf);
		memcpy(w, v, (size_t)(ve - v));
		w += ve - v;
		*w++ = '\0';
		r->nf++;
		p = e + 2;
	}

	/* RFC 9112 §6.3: how the body ends */
	if (r->status < 200 || head || r->status == 204 || r->status == 304) {
		r->framing = FR_NONE;
	} else if (hdr(r, "Transfer-Encoding") != NULL) {
		const char *te = hdr(r, "Transfer-Encoding");
		size_t n = strlen(te);

		if (hdr_count(r, "Transfer-Encoding") == 1 && n >= 7 &&
		    strcasecmp(te + n - 7, "chunked") == 0)
			r->framing = FR_CHUNKED;
		else
			r->framing = FR_CLOSE;
	} else if (hdr(r, "Content-Length") != NULL) {
		unsigned i;
		bool seen = false;

		for (i = 0; i < r->nf; i++) {
			const char *v = FVALUE(r, i);
			char *end;
			unsigned long long n;

			if (strcasecmp(FNAME(r, i), "Content-Length") != 0)
				continue;
			if (*v < '0' || *v > '9') {
				snprintf(r->err, sizeof(r->err),
				    "Content-Length: %.40s", v);
				return RR_BAD;
			}
			errno = 0;
			n = strtoull(v, &end, 10);
			if (errno != 0 || *end != '\0' || (seen && n != r->cl)) {
				snprintf(r->err, sizeof(r->err),
				    "bad or conflicting Content-Length: %.40s",
				    v);
				return RR_BAD;
			}
			r->cl = n;
			seen = true;
		}
		r->framing = FR_LENGTH;
	} else {
		r->framing = FR_CLOSE;
	}
	return RR_OK;
}

/* Reads up to n body bytes into r (n == 0: up to the end of the data). */
static enum rr
resp_read_bytes(struct conn *c, struct resp *r, uint64_t n, int64_t deadline)
{
	int64_t t0 = now_ms();
	enum fill f;

	while (n > 0) {
		size_t a = conn_avail(c);

		if (a > 0) {
			if (a > n)
				a = (size_t)n;
			resp_take(r, c->buf + c->start, a);
			c->start += a;
			n -= a;
			continue;
		}
		f = conn_fill(c, deadline);
		if (f != FILL_DATA) {
			char what[128];

			snprintf(what, sizeof(what), "with %" PRIu64
			    " body bytes still to come (%" PRIu64 " read)",
			    n, r->body_total);
			return resp_fail(r, c, f, now_ms() - t0, what);
		}
	}
	return RR_OK;
}

/* Reads one CRLF-terminated line (chunk sizes, trailers). */
static enum rr
resp_read_line(struct conn *c, struct resp *r, char *line, size_t cap,
    int64_t deadline)
{
	int64_t t0 = now_ms();
	const char *e;
	size_t n;
	enum fill f;

	for (;;) {
		e = memmem(c->buf + c->start, conn_avail(c), "\r\n", 2);
		if (e != NULL)
			break;
		if (conn_avail(c) > 4096) {
			snprintf(r->err, sizeof(r->err),
			    "a chunk line longer than 4096 bytes");
			return RR_BAD;
		}
		f = conn_fill(c, deadline);
		if (f != FILL_DATA)
			return resp_fail(r, c, f, now_ms() - t0,
			    "inside a chunked body");
	}
	n = (size_t)(e - (c->buf + c->start));
	if (n >= cap)
		n = cap - 1;
	memcpy(line, c->buf + c->start, n);
	line[n] = '\0';
	c->start = (size_t)(e - c->buf) + 2;
	return RR_OK;
}

static enum rr
resp_read_body(struct conn *c, struct resp *r, int64_t deadline)
{
	char line[4200], *end;
	unsigned long long n;
	enum rr rc;
	enum fill f;

	switch (r->framing) {
	case FR_NONE:
		return RR_OK;
	case FR_LENGTH:
		return resp_read_bytes(c, r, r->cl, deadline);
	case FR_CHUNKED:
		for (;;) {
			rc = resp_read_line(c, r, line, sizeof(line), deadline);
			if (rc != RR_OK)
				return rc;
			errno = 0;
			n = strtoull(line, &end, 16);
			if (end == line || errno != 0 ||
			    (*end != '\0' && *end != ';' && *end != ' ')) {
				snprintf(r->err, sizeof(r->err),
				    "bad chunk size line %.40s", line);
				return RR_BAD;
			}
			if (n == 0)
				break;
			rc = resp_read_bytes(c, r, n, deadline);
			if (rc != RR_OK)
				return rc;
			rc = resp_read_line(c, r, line, sizeof(line), deadline);
			if (rc != RR_OK)
				return rc;
			if (line[0] != '\0') {
				snprintf(r->err, sizeof(r->err),
				    "chunk data longer than its size");
				return RR_BAD;
			}
		}
		do {		/* the trailer section */
			rc = resp_read_line(c, r, line, sizeof(line), deadline);
			if (rc != RR_OK)
				return rc;
		} while (line[0] != '\0');
		return RR_OK;
	case FR_CLOSE:
	default:
		for (;;) {
			if (conn_avail(c) > 0) {
				resp_take(r, c->buf + c->start, conn_avail(c));
				c->start = c->end;
			}
			f = conn_fill(c, deadline);
			if (f == FILL_EOF)
				return RR_OK;
			if (f != FILL_DATA)
				return resp_fail(r, c, f, 0,
				    "inside a close-delimited body");
		}
	}
}

/* Reads one whole response, interim (1xx) or final. */
static enum rr
resp_read(struct conn *c, struct resp *r, bool head, int64_t deadline)
{
	enum rr rc;

	rc = resp_read_head(c, r, head, deadline);
	if (rc == RR_OK)
		rc = resp_read_body(c, r, deadline);
	r->t_done = now_ms();
	if (rc == RR_OK && r->status >= 200)
		stats_final(r);
	if (rc == RR_OK && r->body_total > 0)
		diag("< (%" PRIu64 " body bytes)", r->body_total);
	if (rc != RR_OK)
		diag("response: %s", r->err);
	return rc;
}

/* Reads responses until a final one, skipping 1xx. */
static enum rr
resp_read_final(struct conn *c, struct resp *r, bool head, int64_t deadline)
{
	enum rr rc;

	do {
		rc = resp_read(c, r, head, deadline);
	} while (rc == RR_OK && r->status < 200);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Checks shared by the rows. */

static bool
want_status(enum rr rc, const struct resp *r, int want, const char *which)
{
	if (rc != RR_OK) {
		fail("%swant %d: %s", which, want, r->err);
		return false;
	}
	if (r->status != want) {
		fail("%sgot %d, want %d", which, r->status, want);
		return false;
	}
	return true;
}

/* The response is /a.txt whole: 26 bytes, Content-Length: 26. */
static bool
want_alphabet(const struct resp *r, const char *which)
{
	const char *cl = hdr(r, "Content-Length");

	if (r->body_total != 26 || strcmp(r->body, ALPHABET) != 0) {
		fail("%sbody \"%.40s\" (%" PRIu64 " bytes), want the 26 bytes "
		    "a..z", which, r->body, r->body_total);
		return false;
	}
	if (cl == NULL || strcmp(cl, "26") != 0) {
		fail("%sContent-Length %s, want 26", which,
		    cl != NULL ? cl : "missing");
		return false;
	}
	return true;
}

/*
 * After r, the server must close: EOF (or a reset) within close_ms(),
 * and no more bytes.
 */
static bool
want_close_by(struct conn *c, const struct resp *r, int64_t deadline)
{
	int64_t t0 = now_ms();

	for (;;) {
		if (conn_avail(c) > 0) {
			diag_bytes("< ", c->buf + c->start, conn_avail(c));
			fail("%zu unexpected bytes after the %d response: "
			    "%.30s", conn_avail(c), r->status,
			    c->buf + c->start);
			return false;
		}
		switch (conn_fill(c, deadline)) {
		case FILL_DATA:
			continue;
		case FILL_EOF:
		case FILL_ERROR:
			diag("closed by the server %" PRId64 " ms after the "
			    "response", now_ms() - r->t_done);
			stats_close(r);
			return true;
		case FILL_TIMEOUT:
		default:
			fail("connection still open %" PRId64 " ms after the "
			    "%d response", now_ms() - t0, r->status);
			return false;
		}
	}
}

static bool
want_close(struct conn *c, const struct resp *r)
{
	return want_close_by(c, r, now_ms() + close_ms());
}

/* Notes, without judging, whether the server closed right after r. */
static void
peek_close(struct conn *c, const struct resp *r)
{
	if (conn_avail(c) > 0)
		return;
	switch (conn_fill(c, now_ms() + PEEK_MS)) {
	case FILL_EOF:
	case FILL_ERROR:
		if (conn_avail(c) == 0)
			stats_close(r);
		break;
	default:
		break;
	}
}

/* Allow lists GET, HEAD and OPTIONS (and not the refused method). */
static bool
want_allow(const struct resp *r, const char *method)
{
	static const char *const need[] = { "GET", "HEAD", "OPTIONS" };
	const char *allow = hdr(r, "Allow");
	size_t i;

	if (allow == NULL) {
		fail("no Allow field in the %d response", r->status);
		return false;
	}
	for (i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if (!hdr_token(r, "Allow", need[i])) {
			fail("Allow: %s lacks %s", allow, need[i]);
			return false;
		}
	if (r->status == 405 && method != NULL && hdr_token(r, "Allow",
	    method)) {
		fail("Allow: %s lists %s, which was refused with 405", allow,
		    method);
		return false;
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* Validators of /a.txt, from a first GET. */

static struct {
	bool tried;
	bool ok;
	char why[300];
	char etag[256];
	char lm[64];
	time_t lm_t;
} val;

static bool
val_get(void)
{
	struct conn c;
	struct resp *r;
	char req[512];
	const char *et, *lm;
	enum rr rc;

	if (val.tried) {
		if (!val.ok)
			fail("%s", val.why);
		return val.ok;
	}
	val.tried = true;
	r = malloc(sizeof(*r));
	if (r == NULL) {
		snprintf(val.why, sizeof(val.why), "out of memory");
		fail("%s", val.why);
		return false;
	}
	snprintf(req, sizeof(req), "GET /a.txt HTTP/1.1\r\nHost: %s\r\n\r\n",
	    opt.hosthdr);
	if (!conn_open(&c, 0)) {
		snprintf(val.why, sizeof(val.why), "validators: %.200s", row_msg);
		free(r);
		return false;
	}
	diag("validators of /a.txt from a first GET:");
	diag_bytes("> ", req, strlen(req));
	rc = RR_BAD;
	if (conn_send(&c, req, strlen(req), now_ms() + io_ms()) == 0)
		rc = resp_read_final(&c, r, false, now_ms() + io_ms());
	conn_close(&c);
	if (rc != RR_OK || r->status != 200) {
		snprintf(val.why, sizeof(val.why), "validators: GET /a.txt: %.200s",
		    rc != RR_OK ? r->err : "not 200");
	} else if ((et = hdr(r, "ETag")) == NULL) {
		snprintf(val.why, sizeof(val.why),
		    "validators: GET /a.txt gave no ETag");
	} else if ((lm = hdr(r, "Last-Modified")) == NULL ||
	    !date_parse(lm, &val.lm_t)) {
		snprintf(val.why, sizeof(val.why), "validators: GET /a.txt "
		    "gave no Last-Modified IMF-fixdate");
	} else if (strlen(et) >= sizeof(val.etag)) {
		snprintf(val.why, sizeof(val.why),
		    "validators: the ETag is too long");
	} else {
		snprintf(val.etag, sizeof(val.etag), "%s", et);
		snprintf(val.lm, sizeof(val.lm), "%s", lm);
		val.ok = true;
	}
	free(r);
	if (!val.ok)
		fail("%s", val.why);
	return val.ok;
}

/*
 * Expands a request template: {H} the Host value, {E} the ETag of
 * /a.txt, {WE} its weak form, {LM} its Last-Modified, {LM850} and
 * {LMASC} the same instant as rfc850-date and asctime-date, {OLD} a day
 * before it.  Returns the length, or 0 after fail().
 */
static size_t
tmpl(const char *t, char *out, size_t cap)
{
	size_t n = 0, l;
	char tmp[300];
	const char *s;

	while (*t != '\0') {
		if (*t != '{') {
			if (n + 1 >= cap)
				goto toolong;
			out[n++] = *t++;
			continue;
		}
		if (strncmp(t, "{H}", 3) == 0) {
			s = opt.hosthdr;
			t += 3;
		} else {
			if (!val_get())
				return 0;
			if (strncmp(t, "{E}", 3) == 0) {
				s = val.etag;
				t += 3;
			} else if (strncmp(t, "{WE}", 4) == 0) {
				snprintf(tmp, sizeof(tmp), "%s%s",
				    strncmp(val.etag, "W/", 2) == 0 ? "" : "W/",
				    val.etag);
				s = tmp;
				t += 4;
			} else if (strncmp(t, "{LM}", 4) == 0) {
				s = val.lm;
				t += 4;
			} else if (strncmp(t, "{LM850}", 7) == 0) {
				date_format(val.lm_t, FMT_RFC850, tmp,
				    sizeof(tmp));
				s = tmp;
				t += 7;
			} else if (strncmp(t, "{LMASC}", 7) == 0) {
				date_format(val.lm_t, FMT_ASCTIME, tmp,
				    sizeof(tmp));
				s = tmp;
				t += 7;
			} else if (strncmp(t, "{OLD}", 5) == 0) {
				date_format(val.lm_t - 86400, FMT_IMF, tmp,
				    sizeof(tmp));
				s = tmp;
				t += 5;
			} else {
				fail("bad template %.20s", t);
				return 0;
			}
		}
		l = strlen(s);
		if (n + l >= cap)
			goto toolong;
		memcpy(out + n, s, l);
		n += l;
	}
	out[n] = '\0';
	return n;
toolong:
	fail("request template too long");
	return 0;
}

/* ------------------------------------------------------------------ */
/* Rows. */

struct row;
typedef void row_fn(const struct row *);

struct row {
	const char *id;
	const char *sect;
	const char *desc;
	row_fn *run;
	const char *req;	/* request template (row_exchange) */
	int want[4];		/* the statuses of the responses, in order */
	unsigned flags;		/* CK_*, checked on the first response */
	const char *range;	/* CK_RANGE: the Content-Range wanted */
	const char *body;	/* CK_RANGE: the body wanted, or NULL */
};

#define CK_HEAD		0x0001	/* the first request is HEAD */
#define CK_ALPHA	0x0002	/* body is a..z, Content-Length: 26 */
#define CK_NORANGE	0x0004	/* no Content-Range (a whole 200) */
#define CK_ALLOW	0x0008	/* Allow: GET, HEAD, OPTIONS */
#define CK_CL0		0x0010	/* Content-Length: 0 */
#define CK_CLOSE	0x0020	/* the server closes after the last one */
#define CK_PROBE	0x0040	/* a pipelined GET /a.txt must come out intact */
#define CK_VALID	0x0080	/* ETag and Last-Modified of the first GET */
#define CK_RANGE	0x0100	/* Content-Range (and body) as given */
#define CK_SAYCLOSE	0x0200	/* Connection: close */
#define CK_CL26		0x0400	/* Content-Length: 26 (HEAD /a.txt) */

static bool
check_flags(const struct row *rw, const struct resp *r, unsigned flags,
    const char *method)
{
	const char *v;

	if ((flags & CK_ALPHA) && !want_alphabet(r, ""))
		return false;
	if ((flags & CK_NORANGE) && (v = hdr(r, "Content-Range")) != NULL) {
		fail("Content-Range: %s in a whole-representation response", v);
		return false;
	}
	if ((flags & CK_ALLOW) && !want_allow(r, method))
		return false;
	if (flags & CK_CL26) {
		v = hdr(r, "Content-Length");
		if (v == NULL || strcmp(v, "26") != 0) {
			fail("Content-Length %s, want 26",
			    v != NULL ? v : "missing");
			return false;
		}
	}
	if (flags & CK_CL0) {
		v = hdr(r, "Content-Length");
		if (v == NULL || strcmp(v, "0") != 0) {
			fail("Content-Length %s, want 0",
			    v != NULL ? v : "missing");
			return false;
		}
	}
	if (flags & CK_VALID) {
		if ((v = hdr(r, "ETag")) == NULL || strcmp(v, val.etag) != 0) {
			fail("ETag %s, want %s (as in the 200)",
			    v != NULL ? v : "missing", val.etag);
			return false;
		}
		if ((v = hdr(r, "Last-Modified")) == NULL ||
		    strcmp(v, val.lm) != 0) {
			fail("Last-Modified %s, want %s (as in the 200)",
			    v != NULL ? v : "missing", val.lm);
			return false;
		}
	}
	if ((flags & CK_RANGE) && rw->range != NULL) {
		v = hdr(r, "Content-Range");
		if (v == NULL || strcasecmp(v, rw->range) != 0) {
			fail("Content-Range %s, want %s",
			    v != NULL ? v : "missing", rw->range);
			return false;
		}
		if (rw->body != NULL) {
			char want_cl[32];

			if (r->body_total != strlen(rw->body) ||
			    strcmp(r->body, rw->body) != 0) {
				fail("body \"%.40s\", want \"%s\"", r->body,
				    rw->body);
				return false;
			}
			snprintf(want_cl, sizeof(want_cl), "%zu",
			    strlen(rw->body));
			v = hdr(r, "Content-Length");
			if (v == NULL || strcmp(v, want_cl) != 0) {
				fail("Content-Length %s, want %s",
				    v != NULL ? v : "missing", want_cl);
				return false;
			}
		}
	}
	if ((flags & CK_SAYCLOSE) && !hdr_token(r, "Connection", "close")) {
		fail("the response lacks Connection: close");
		return false;
	}
	return true;
}

/*
 * The core of most rows: sends req[0..len) in one write on a new
 * connection, reads one response per status in want (0-terminated) and
 * checks each status, the flags on the first, and CK_PROBE / CK_CLOSE
 * after the last.  *first gets the first response if not NULL.
 */
static bool
exchange(const struct row *rw, const char *req, size_t len, const int *want,
    unsigned flags, struct resp *first)
{
	static const struct row none;
	struct conn c;
	struct resp *r;
	char probe[512], which[32], method[32];
	size_t i, nwant, plen = 0, ml;
	int se;
	enum rr rc;
	bool ok = false;

	if (rw == NULL)
		rw = &none;
	for (nwant = 0; nwant < 4 && want[nwant] != 0; nwant++)
		continue;
	ml = strcspn(req, " ");
	if (ml >= sizeof(method))
		ml = sizeof(method) - 1;
	memcpy(method, req, ml);
	method[ml] = '\0';
	if (flags & CK_PROBE)
		plen = (size_t)snprintf(probe, sizeof(probe),
		    "GET /a.txt HTTP/1.1\r\nHost: %s\r\n\r\n", opt.hosthdr);
	r = malloc(sizeof(*r));
	if (r == NULL) {
		fail("out of memory");
		return false;
	}
	if (!conn_open(&c, 0)) {
		free(r);
		return false;
	}
	diag_bytes("> ", req, len);
	if (plen > 0)
		diag_bytes("> ", probe, plen);
	{
		char *all = malloc(len + plen);

		if (all == NULL) {
			fail("out of memory");
			goto out;
		}
		memcpy(all, req, len);
		memcpy(all + len, probe, plen);
		/*
		 * A server may answer and close before reading everything
		 * (413, 400): the responses decide, not the send.
		 */
		se = conn_send(&c, all, len + plen, now_ms() + io_ms());
		free(all);
		if (se != 0)
			diag("send: %s", strerror(se));
	}
	for (i = 0; i < nwant; i++) {
		which[0] = '\0';
		if (nwant > 1)
			snprintf(which, sizeof(which), "response %zu: ", i + 1);
		rc = resp_read_final(&c, r, i == 0 && (flags & CK_HEAD),
		    now_ms() + io_ms());
		if (!want_status(rc, r, want[i], which))
			goto out;
		if (i == 0) {
			if (first != NULL)
				memcpy(first, r, sizeof(*r));
			if (!check_flags(rw, r, flags, method))
				goto out;
		}
	}
	if (flags & CK_PROBE) {
		struct resp *p = malloc(sizeof(*p));

		if (p == NULL) {
			fail("out of memory");
			goto out;
		}
		rc = resp_read_final(&c, p, false, now_ms() + io_ms());
		if (rc != RR_OK || p->status != 200 ||
		    strcmp(p->body, ALPHABET) != 0) {
			fail("a pipelined GET /a.txt after the %d response "
			    "came out wrong (a body where none belongs?): %s",
			    r->status, rc != RR_OK ? p->err :
			    "not 200 a..z");
			free(p);
			goto out;
		}
		memcpy(r, p, sizeof(*r));
		free(p);
	}
	if (flags & CK_CLOSE) {
		if (!want_close(&c, r))
			goto out;
	} else {
		peek_close(&c, r);
	}
	ok = true;
out:
	conn_close(&c);
	free(r);
	return ok;
}

/* A row that is its template, its statuses and its flags. */
static void
row_exchange(const struct row *rw)
{
	char *req = malloc(REQ_MAX);
	size_t len;

	if (req == NULL) {
		fail("out of memory");
		return;
	}
	len = tmpl(rw->req, req, REQ_MAX);
	if (len > 0)
		(void)exchange(rw, req, len, rw->want, rw->flags, NULL);
	free(req);
}

/* One request, one wanted status: for rows that build the request. */
static bool
exchange1(const char *req, size_t len, int want, unsigned flags,
    struct resp *first)
{
	int w[2] = { want, 0 };

	return exchange(NULL, req, len, w, flags, first);
}

static struct resp *
resp_new(void)
{
	struct resp *r = calloc(1, sizeof(*r));

	if (r == NULL)
		fail("out of memory");
	return r;
}

/* --- request line and fields (RFC 9112 §3, §5) -------------------- */

static void
row_request_line_max(const struct row *rw)
{
	char *req = malloc(REQ_MAX * 2);
	long target = opt.request_line_max + 64 - 14;	/* "GET " " HTTP/1.1" */
	size_t n;

	(void)rw;
	if (req == NULL || target + 200 > REQ_MAX * 2) {
		fail("request-line-max %ld too large for this client",
		    opt.request_line_max);
		free(req);
		return;
	}
	n = (size_t)snprintf(req, REQ_MAX * 2, "GET /");
	memset(req + n, 'a', (size_t)target);
	n += (size_t)target;
	n += (size_t)snprintf(req + n, REQ_MAX * 2 - n,
	    " HTTP/1.1\r\nHost: %s\r\n\r\n", opt.hosthdr);
	diag("request line of %ld bytes, request-line-max %ld",
	    (long)(strstr(req, "\r\n") - req), opt.request_line_max);
	(void)exchange1(req, n, 414, 0, NULL);
	free(req);
}

static void
row_field_max(const struct row *rw)
{
	char *req = malloc(REQ_MAX * 2);
	long line = opt.header_field_max + 64;
	size_t n;

	(void)rw;
	if (req == NULL || line + 200 > REQ_MAX * 2) {
		fail("header-field-max %ld too large for this client",
		    opt.header_field_max);
		free(req);
		return;
	}
	n = (size_t)snprintf(req, REQ_MAX * 2,
	    "GET /a.txt HTTP/1.1\r\nHost: %s\r\nX-Long: ", opt.hosthdr);
	memset(req + n, 'a', (size_t)line - 8);
	n += (size_t)line - 8;
	n += (size_t)snprintf(req + n, REQ_MAX * 2 - n, "\r\n\r\n");
	diag("one field line of %ld bytes, header-field-max %ld", line,
	    opt.header_field_max);
	(void)exchange1(req, n, 431, 0, NULL);
	free(req);
}

static void
row_header_max(const struct row *rw)
{
	long len = opt.header_field_max - 64, count, i;
	size_t n, cap;
	char *req;

	(void)rw;
	if (len < 32)
		len = opt.header_field_max / 2;
	if (len < 16) {
		fail("header-field-max %ld too small for this row",
		    opt.header_field_max);
		return;
	}
	if (len > 4000)
		len = 4000;
	count = opt.header_max / len + 2;
	if (count + 1 > opt.header_fields_max) {
		fail("cannot pass header-max %ld with fewer than %ld fields "
		    "each under %ld bytes", opt.header_max,
		    opt.header_fields_max, opt.header_field_max);
		return;
	}
	cap = (size_t)(count * (len + 4) + 512);
	req = malloc(cap);
	if (req == NULL) {
		fail("out of memory");
		return;
	}
	n = (size_t)snprintf(req, cap, "GET /a.txt HTTP/1.1\r\nHost: %s\r\n",
	    opt.hosthdr);
	for (i = 0; i < count; i++) {
		n += (size_t)snprintf(req + n, cap - n, "X-Fill-%03ld: ", i);
		memset(req + n, 'a', (size_t)len - 13);
		n += (size_t)len - 13;
		n += (size_t)snprintf(req + n, cap - n, "\r\n");
	}
	n += (size_t)snprintf(req + n, cap - n, "\r\n");
	diag("%ld fields of %ld bytes: a header of %zu bytes, header-max %ld",
	    count, len, n, opt.header_max);
	(void)exchange1(req, n, 431, 0, NULL);
	free(req);
}

static void
row_fields_max(const struct row *rw)
{
	long count = opt.header_fields_max + 5, i;
	size_t n, cap = (size_t)count * 24 + 512;
	char *req = malloc(cap);

	(void)rw;
	if (req == NULL) {
		fail("out of memory");
		return;
	}
	n = (size_t)snprintf(req, cap, "GET /a.txt HTTP/1.1\r\nHost: %s\r\n",
	    opt.hosthdr);
	for (i = 0; i < count; i++)
		n += (size_t)snprintf(req + n, cap - n, "X-F%ld: v\r\n", i);
	n += (size_t)snprintf(req + n, cap - n, "\r\n");
	if ((long)n > opt.header_max)
		diag("note: this header (%zu bytes) also passes header-max", n);
	diag("%ld fields, header-fields-max %ld", count + 1,
	    opt.header_fields_max);
	(void)exchange1(req, n, 431, 0, NULL);
	free(req);
}

/*
 * The header trickles in one byte per 300 ms and never ends: 408 and a
 * close must come within header-timeout of the connection (a total, not
 * a per-read timeout), give or take SLACK_MS.
 */
static void
row_header_trickle(const struct row *rw)
{
	static const char slow[] = "GET /a.txt HTTP/1.1\r\nHost: localhost\r\n"
	    "X-Trickle: 0123456789abcdefghijklmnopqrstuvwxyz0123456789";
	int64_t t0, limit = opt.header_timeout * 1000, end, next, left, at;
	struct conn c;
	struct resp *r;
	size_t i = 0;
	bool sending = true;
	enum rr rc;

	(void)rw;
	if ((r = resp_new()) == NULL)
		return;
	if (!conn_open(&c, 0)) {
		free(r);
		return;
	}
	t0 = now_ms();
	end = t0 + limit + SLACK_MS + 1000;
	next = t0;
	for (;;) {
		if (sending && now_ms() >= next) {
			if (i == sizeof(slow) - 1 || conn_send(&c, slow + i, 1,
			    end) != 0)
				sending = false;
			i++;
			next += 300;
		}
		left = (sending ? next : end) - now_ms();
		if (sending && left > end - now_ms())
			left = end - now_ms();
		if (left < 0)
			left = 0;
		if (conn_readable(&c, left) || now_ms() >= end)
			break;
	}
	diag("%zu bytes trickled", i);
	if (conn_avail(&c) == 0 && !conn_readable(&c, 0)) {
		fail("no response %" PRId64 " ms after the first byte, want "
		    "408 within %" PRId64 " ms", now_ms() - t0,
		    limit + SLACK_MS);
		goto out;
	}
	rc = resp_read_final(&c, r, false, end + 1000);
	if (!want_status(rc, r, 408, ""))
		goto out;
	at = r->t_done - t0;
	if (at > limit + SLACK_MS) {
		fail("408 after %" PRId64 " ms, want within %" PRId64 " ms",
		    at, limit + SLACK_MS);
		goto out;
	}
	if (at < limit - EARLY_MS) {
		fail("408 after only %" PRId64 " ms; header-timeout is %ld s",
		    at, opt.header_timeout);
		goto out;
	}
	diag("408 after %" PRId64 " ms", at);
	(void)want_close_by(&c, r, t0 + limit + SLACK_MS);
out:
	conn_close(&c);
	free(r);
}

/* --- bodies (RFC 9112 §6, §7; RFC 9110 §10.1.1) ------------------- */

static void
row_cl_over_max(const struct row *rw)
{
	char req[512];
	int n;

	(void)rw;
	/* only the header: the server must not wait for the body */
	n = snprintf(req, sizeof(req), "GET /a.txt HTTP/1.1\r\nHost: %s\r\n"
	    "Content-Length: %ld\r\n\r\n", opt.hosthdr, opt.body_max + 1);
	(void)exchange1(req, (size_t)n, 413, CK_CLOSE, NULL);
}

static void
row_cl_at_max(const struct row *rw)
{
	size_t cap = (size_t)opt.body_max + 512, n;
	char *req = malloc(cap);

	(void)rw;
	if (req == NULL) {
		fail("out of memory");
		return;
	}
	n = (size_t)snprintf(req, cap, "GET /a.txt HTTP/1.1\r\nHost: %s\r\n"
	    "Content-Length: %ld\r\n\r\n", opt.hosthdr, opt.body_max);
	memset(req + n, 'b', (size_t)opt.body_max);
	n += (size_t)opt.body_max;
	(void)exchange1(req, n, 200, CK_ALPHA | CK_PROBE, NULL);
	free(req);
}

/* Chunks each under body-max whose sum is over it. */
static void
row_chunked_over_max(const struct row *rw)
{
	long chunk = opt.body_max / 2 + 1, sent = 0;
	size_t cap = (size_t)opt.body_max * 2 + 1024, n;
	char *req = malloc(cap);

	(void)rw;
	if (req == NULL) {
		fail("out of memory");
		return;
	}
	n = (size_t)snprintf(req, cap, "GET /a.txt HTTP/1.1\r\nHost: %s\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n", opt.hosthdr);
	while (sent <= opt.body_max) {
		n += (size_t)snprintf(req + n, cap - n, "%lx\r\n", chunk);
		memset(req + n, 'c', (size_t)chunk);
		n += (size_t)chunk;
		n += (size_t)snprintf(req + n, cap - n, "\r\n");
		sent += chunk;
	}
	n += (size_t)snprintf(req + n, cap - n, "0\r\n\r\n");
	diag("%ld bytes of chunk data, body-max %ld", sent, opt.body_max);
	(void)exchange1(req, n, 413, CK_CLOSE, NULL);
	free(req);
}

/*
 * RFC 9110 §10.1.1: the 100 must come before the client sends the body
 * (it waits EXPECT_100_MS), then the final answer after it.
 */
static void
row_expect_100(const struct row *rw)
{
	char req[512];
	struct conn c;
	struct resp *r;
	enum rr rc;
	int n;

	(void)rw;
	if ((r = resp_new()) == NULL)
		return;
	if (!conn_open(&c, 0)) {
		free(r);
		return;
	}
	n = snprintf(req, sizeof(req), "GET /a.txt HTTP/1.1\r\nHost: %s\r\n"
	    "Expect: 100-continue\r\nContent-Length: 10\r\n\r\n", opt.hosthdr);
	diag_bytes("> ", req, (size_t)n);
	if (conn_send(&c, req, (size_t)n, now_ms() + io_ms()) != 0) {
		fail("send failed: %s", strerror(errno));
		goto out;
	}
	rc = resp_read(&c, r, false, now_ms() + EXPECT_100_MS);
	if (rc != RR_OK) {
		fail("no 100 Continue before the body: %s", r->err);
		goto out;
	}
	if (r->status != 100) {
		fail("got %d before the body was sent, want 100", r->status);
		goto out;
	}
	diag_bytes("> ", "0123456789", 10);
	if (conn_send(&c, "0123456789", 10, now_ms() + io_ms()) != 0) {
		fail("sending the body after the 100 failed");
		goto out;
	}
	rc = resp_read_final(&c, r, false, now_ms() + io_ms());
	if (!want_status(rc, r, 200, "after the body: ") ||
	    !want_alphabet(r, "after the body: "))
		goto out;
	peek_close(&c, r);
out:
	conn_close(&c);
	free(r);
}

/*
 * The final status is known from the header alone: it comes without a
 * 100 first (the client never sends the body), then the close.
 */
static void
expect_no_100(const char *req, size_t len, int want)
{
	struct conn c;
	struct resp *r;
	enum rr rc;

	if ((r = resp_new()) == NULL)
		return;
	if (!conn_open(&c, 0)) {
		free(r);
		return;
	}
	diag_bytes("> ", req, len);
	if (conn_send(&c, req, len, now_ms() + io_ms()) != 0) {
		fail("send failed");
		goto out;
	}
	rc = resp_read(&c, r, false, now_ms() + io_ms());
	if (rc == RR_OK && r->status == 100) {
		fail("sent 100 Continue, want %d without it", want);
		goto out;
	}
	if (!want_status(rc, r, want, ""))
		goto out;
	(void)want_close(&c, r);
out:
	conn_close(&c);
	free(r);
}

static void
row_expect_post(const struct row *rw)
{
	char req[512];
	int n;

	(void)rw;
	n = snprintf(req, sizeof(req), "POST /a.txt HTTP/1.1\r\nHost: %s\r\n"
	    "Expect: 100-continue\r\nContent-Length: 10\r\n\r\n", opt.hosthdr);
	expect_no_100(req, (size_t)n, 405);
}

static void
row_expect_413(const struct row *rw)
{
	char req[512];
	int n;

	(void)rw;
	n = snprintf(req, sizeof(req), "GET /a.txt HTTP/1.1\r\nHost: %s\r\n"
	    "Expect: 100-continue\r\nContent-Length: %ld\r\n\r\n", opt.hosthdr,
	    opt.body_max + 1);
	expect_no_100(req, (size_t)n, 413);
}

/*
 * RFC 9110 §10.1.1: an HTTP/1.0 client gets no 100; the server waits
 * for the body like any other and answers 200 after it.
 */
static void
row_expect_http10(const struct row *rw)
{
	static const char req[] = "GET /a.txt HTTP/1.0\r\n"
	    "Expect: 100-continue\r\nContent-Length: 10\r\n\r\n";
	struct conn c;
	struct resp *r;
	enum rr rc;

	(void)rw;
	if ((r = resp_new()) == NULL)
		return;
	if (!conn_open(&c, 0)) {
		free(r);
		return;
	}
	diag_bytes("> ", req, sizeof(req) - 1);
	if (conn_send(&c, req, sizeof(req) - 1, now_ms() + io_ms()) != 0) {
		fail("send failed");
		goto out;
	}
	if (conn_readable(&c, 500)) {
		rc = resp_read(&c, r, false, now_ms() + 500);
		if (rc == RR_OK && r->status == 100)
			fail("sent 100 Continue to an HTTP/1.0 request");
		else if (rc == RR_OK)
			fail("got %d before the body was sent, want 200 after "
			    "it", r->status);
		else
			fail("before the body: %s", r->err);
		goto out;
	}
	diag_bytes("> ", "0123456789", 10);
	if (conn_send(&c, "0123456789", 10, now_ms() + io_ms()) != 0) {
		fail("sending the body failed");
		goto out;
	}
	rc = resp_read(&c, r, false, now_ms() + io_ms());
	if (rc == RR_OK && r->status == 100) {
		fail("sent 100 Continue to an HTTP/1.0 request");
		goto out;
	}
	if (want_status(rc, r, 200, "") && want_alphabet(r, ""))
		peek_close(&c, r);
out:
	conn_close(&c);
	free(r);
}

/* Content-Length: 100, 10 bytes, then silence: 408 after body-timeout. */
static void
row_body_stall(const struct row *rw)
{
	char req[512];
	int64_t t0, limit = opt.body_timeout * 1000, at;
	struct conn c;
	struct resp *r;
	enum rr rc;
	int n;

	(void)rw;
	if ((r = resp_new()) == NULL)
		return;
	if (!conn_open(&c, 0)) {
		free(r);
		return;
	}
	n = snprintf(req, sizeof(req), "GET /a.txt HTTP/1.1\r\nHost: %s\r\n"
	    "Content-Length: 100\r\n\r\n0123456789", opt.hosthdr);
	diag_bytes("> ", req, (size_t)n);
	if (conn_send(&c, req, (size_t)n, now_ms() + io_ms()) != 0) {
		fail("send failed");
		goto out;
	}
	t0 = now_ms();
	rc = resp_read_final(&c, r, false, t0 + limit + SLACK_MS + 1000);
	if (!want_status(rc, r, 408, ""))
		goto out;
	at = r->t_done - t0;
	diag("408 after %" PRId64 " ms", at);
	if (at > limit + SLACK_MS) {
		fail("408 after %" PRId64 " ms, want within %" PRId64 " ms",
		    at, limit + SLACK_MS);
		goto out;
	}
	if (at < limit - EARLY_MS) {
		fail("408 after only %" PRId64 " ms; body-timeout is %ld s",
		    at, opt.body_timeout);
		goto out;
	}
	(void)want_close_by(&c, r, t0 + limit + SLACK_MS);
out:
	conn_close(&c);
	free(r);
}

/* --- validators and conditionals (RFC 9110 §8.8, §13) ------------- */

static bool
etag_strong_syntax(const char *t)
{
	size_t n = strlen(t), i;

	if (n < 2 || t[0] != '"' || t[n - 1] != '"')
		return false;
	for (i = 1; i < n - 1; i++) {
		unsigned char ch = (unsigned char)t[i];

		/* etagc = %x21 / %x23-7E / obs-text */
		if (ch == '"' || ch < 0x21 || ch == 0x7f)
			return false;
	}
	return true;
}

static void
row_validators(const struct row *rw)
{
	char req[512];
	struct resp *r;
	const char *v;
	int n;

	(void)rw;
	if ((r = resp_new()) == NULL)
		return;
	n = snprintf(req, sizeof(req), "GET /a.txt HTTP/1.1\r\nHost: %s\r\n"
	    "\r\n", opt.hosthdr);
	if (!exchange1(req, (size_t)n, 200, CK_ALPHA, r))
		goto out;
	if ((v = hdr(r, "ETag")) == NULL)
		fail("no ETag");
	else if (strncmp(v, "W/", 2) == 0)
		fail("ETag %s is weak, want a strong one", v);
	else if (!etag_strong_syntax(v))
		fail("ETag %s is not a quoted entity-tag", v);
	else if ((v = hdr(r, "Last-Modified")) == NULL)
		fail("no Last-Modified");
	else if (!date_parse(v, NULL))
		fail("Last-Modified %s is not an IMF-fixdate", v);
	else if (!hdr_token(r, "Accept-Ranges", "bytes"))
		fail("Accept-Ranges %s, want bytes",
		    hdr(r, "Accept-Ranges") != NULL ? hdr(r, "Accept-Ranges") :
		    "missing");
out:
	free(r);
}

/* --- range (RFC 9110 §14) ------------------------------------------ */

/*
 * bytes=0-0,2-3: a multipart/byteranges body (RFC 9110 §14.6) with the
 * parts "a" and "cd", each with Content-Type and Content-Range, ended by
 * the close delimiter; CK_PROBE proves Content-Length matches.
 */
static void
row_multipart(const struct row *rw)
{
	static const struct {
		const char *range;
		const char *data;
	} part[] = {
		{ "bytes 0-0/26", "a" },
		{ "bytes 2-3/26", "cd" },
	};
	char req[512], bnd[100], delim[104];
	const char *ct, *b, *p, *end, *hend;
	struct resp *r;
	size_t bl, dl, k;
	int n;

	(void)rw;
	if ((r = resp_new()) == NULL)
		return;
	n = snprintf(req, sizeof(req), "GET /a.txt HTTP/1.1\r\nHost: %s\r\n"
	    "Range: bytes=0-0,2-3\r\n\r\n", opt.hosthdr);
	if (!exchange1(req, (size_t)n, 206, CK_PROBE, r))
		goto out;
	ct = hdr(r, "Content-Type");
	if (ct == NULL || strncasecmp(ct, "multipart/byteranges", 20) != 0) {
		fail("Content-Type %s, want multipart/byteranges",
		    ct != NULL ? ct : "missing");
		goto out;
	}
	if ((b = strcasestr(ct, "boundary=")) == NULL) {
		fail("Content-Type %s has no boundary", ct);
		goto out;
	}
	b += 9;
	if (*b == '"') {
		b++;
		bl = strcspn(b, "\"");
	} else {
		bl = strcspn(b, "; \t");
	}
	if (bl == 0 || bl > 70) {
		fail("bad boundary in %s", ct);
		goto out;
	}
	memcpy(bnd, b, bl);
	bnd[bl] = '\0';
	dl = (size_t)snprintf(delim, sizeof(delim), "--%s", bnd);
	if (r->framing != FR_LENGTH) {
		fail("a multipart body without Content-Length");
		goto out;
	}
	if (r->body_total != r->body_len) {
		fail("multipart body too long for this client");
		goto out;
	}
	end = r->body + r->body_len;
	p = memmem(r->body, r->body_len, delim, dl);
	if (p == NULL || (p != r->body && (p - r->body < 2 ||
	    memcmp(p - 2, "\r\n", 2) != 0))) {
		fail("no delimiter --%s at the start of a line", bnd);
		goto out;
	}
	for (k = 0; k < sizeof(part) / sizeof(part[0]); k++) {
		const char *line, *le;
		bool type_ok = false, range_ok = false;
		size_t dlen = strlen(part[k].data);

		p += dl;
		if (end - p < 2 || memcmp(p, "\r\n", 2) != 0) {
			fail("part %zu: no CRLF after the delimiter", k + 1);
			goto out;
		}
		p += 2;
		hend = memmem(p, (size_t)(end - p), "\r\n\r\n", 4);
		if (hend == NULL) {
			fail("part %zu: no end of its header", k + 1);
			goto out;
		}
		for (line = p; line < hend + 2; line = le + 2) {
			le = memmem(line, (size_t)(hend + 2 - line), "\r\n", 2);
			if (le == NULL)
				break;
			if (le - line >= 13 && strncasecmp(line,
			    "Content-Type:", 13) == 0) {
				const char *v = line + 13;

				while (*v == ' ')
					v++;
				type_ok = le - v >= 10 &&
				    strncasecmp(v, "text/plain", 10) == 0;
			} else if (le - line >= 14 && strncasecmp(line,
			    "Content-Range:", 14) == 0) {
				const char *v = line + 14;

				while (*v == ' ')
					v++;
				range_ok = (size_t)(le - v) ==
				    strlen(part[k].range) &&
				    strncasecmp(v, part[k].range,
				    (size_t)(le - v)) == 0;
			}
		}
		if (!type_ok || !range_ok) {
			fail("part %zu: want Content-Type text/plain and "
			    "Content-Range %s in %.*s", k + 1, part[k].range,
			    (int)(hend - p), p);
			goto out;
		}
		p = hend + 4;
		if ((size_t)(end - p) < dlen + 2 + dl ||
		    memcmp(p, part[k].data, dlen) != 0 ||
		    memcmp(p + dlen, "\r\n", 2) != 0 ||
		    memcmp(p + dlen + 2, delim, dl) != 0) {
			fail("part %zu: want the data \"%s\" then CRLF and the "
			    "delimiter", k + 1, part[k].data);
			goto out;
		}
		p += dlen + 2;
	}
	p += dl;
	if (end - p < 2 || memcmp(p, "--", 2) != 0) {
		fail("a third part or no close delimiter --%s--", bnd);
		goto out;
	}
	p += 2;
	if (!(p == end || (end - p == 2 && memcmp(p, "\r\n", 2) == 0))) {
		fail("%zu bytes after the close delimiter", (size_t)(end - p));
		goto out;
	}
out:
	free(r);
}

static void
row_range_many(const struct row *rw)
{
	char req[1024];
	size_t n;
	int i;

	(void)rw;
	n = (size_t)snprintf(req, sizeof(req), "GET /a.txt HTTP/1.1\r\n"
	    "Host: %s\r\nRange: bytes=", opt.hosthdr);
	for (i = 0; i < 33; i++)
		n += (size_t)snprintf(req + n, sizeof(req) - n, "%s%d-%d",
		    i > 0 ? "," : "", (i * 2) % 26, (i * 2) % 26);
	n += (size_t)snprintf(req + n, sizeof(req) - n, "\r\n\r\n");
	(void)exchange1(req, n, 200, CK_ALPHA | CK_NORANGE, NULL);
}

/* --- connections (RFC 9112 §9) ------------------------------------- */

/* Sends one request on c and reads the final response. */
static enum rr
conn_ask(struct conn *c, struct resp *r, const char *req, bool head)
{
	int se;

	diag_bytes("> ", req, strlen(req));
	se = conn_send(c, req, strlen(req), now_ms() + io_ms());
	if (se != 0) {
		snprintf(r->err, sizeof(r->err), "send failed: %s",
		    strerror(se));
		return RR_RESET;
	}
	return resp_read_final(c, r, head, now_ms() + io_ms());
}

static void
row_keepalive(const struct row *rw)
{
	char req[2][512];
	int64_t wait = opt.keepalive_timeout * 1000 / 2;
	struct conn c;
	struct resp *r;
	int i;

	(void)rw;
	if ((r = resp_new()) == NULL)
		return;
	if (!conn_open(&c, 0)) {
		free(r);
		return;
	}
	snprintf(req[0], sizeof(req[0]), "GET /a.txt HTTP/1.1\r\nHost: %s\r\n"
	    "\r\n", opt.hosthdr);
	snprintf(req[1], sizeof(req[1]), "GET /index.html HTTP/1.1\r\n"
	    "Host: %s\r\n\r\n", opt.hosthdr);
	for (i = 0; i < 2; i++) {
		char which[32];

		snprintf(which, sizeof(which), "request %d: ", i + 1);
		if (!want_status(conn_ask(&c, r, req[i], false), r, 200, which))
			goto out;
		if (hdr_token(r, "Connection", "close")) {
			fail("request %d: Connection: close", i + 1);
			goto out;
		}
	}
	if (wait > 300)
		wait = 300;
	if (conn_fill(&c, now_ms() + wait) != FILL_TIMEOUT) {
		fail("the connection did not stay open after two requests");
		goto out;
	}
out:
	conn_close(&c);
	free(r);
}

static void
row_http10_keepalive(const struct row *rw)
{
	static const char req[] = "GET /a.txt HTTP/1.0\r\n"
	    "Connection: keep-alive\r\n\r\n";
	struct conn c;
	struct resp *r;

	(void)rw;
	if ((r = resp_new()) == NULL)
		return;
	if (!conn_open(&c, 0)) {
		free(r);
		return;
	}
	if (!want_status(conn_ask(&c, r, req, false), r, 200, "") ||
	    !want_alphabet(r, ""))
		goto out;
	if (!hdr_token(r, "Connection", "keep-alive")) {
		fail("the response lacks Connection: keep-alive");
		goto out;
	}
	if (!want_status(conn_ask(&c, r, req, false), r, 200,
	    "second request on the connection: "))
		goto out;
	peek_close(&c, r);
out:
	conn_close(&c);
	free(r);
}

/* keepalive-requests: the last response says close, then the close. */
static void
row_keepalive_requests(const struct row *rw)
{
	long n = opt.keepalive_requests > 0 ? opt.keepalive_requests : 1, i;
	char req[512];
	struct conn c;
	struct resp *r;

	(void)rw;
	if ((r = resp_new()) == NULL)
		return;
	if (!conn_open(&c, 0)) {
		free(r);
		return;
	}
	snprintf(req, sizeof(req), "GET /a.txt HTTP/1.1\r\nHost: %s\r\n\r\n",
	    opt.hosthdr);
	for (i = 1; i <= n; i++) {
		char which[32];

		snprintf(which, sizeof(which), "request %ld: ", i);
		if (!want_status(conn_ask(&c, r, req, false), r, 200, which))
			goto out;
		if (i < n && hdr_token(r, "Connection", "close")) {
			fail("response %ld of %ld says Connection: close", i,
			    n);
			goto out;
		}
	}
	if (!hdr_token(r, "Connection", "close")) {
		fail("response %ld (keepalive-requests) lacks Connection: "
		    "close", n);
		goto out;
	}
	(void)want_close(&c, r);
out:
	conn_close(&c);
	free(r);
}

/* An idle connection is closed keepalive-timeout after the response. */
static void
row_keepalive_timeout(const struct row *rw)
{
	int64_t limit = opt.keepalive_timeout * 1000, at;
	char req[512];
	struct conn c;
	struct resp *r;
	enum fill f;

	(void)rw;
	if ((r = resp_new()) == NULL)
		return;
	if (!conn_open(&c, 0)) {
		free(r);
		return;
	}
	snprintf(req, sizeof(req), "GET /a.txt HTTP/1.1\r\nHost: %s\r\n\r\n",
	    opt.hosthdr);
	if (!want_status(conn_ask(&c, r, req, false), r, 200, ""))
		goto out;
	f = conn_fill(&c, r->t_done + limit + SLACK_MS + 1000);
	at = now_ms() - r->t_done;
	if (f == FILL_DATA) {
		fail("unexpected bytes on the idle connection");
		goto out;
	}
	if (f == FILL_TIMEOUT) {
		fail("the idle connection is still open after %" PRId64 " ms",
		    at);
		goto out;
	}
	diag("closed after %" PRId64 " ms idle", at);
	if (at > limit + SLACK_MS)
		fail("closed after %" PRId64 " ms idle, want within %" PRId64
		    " ms", at, limit + SLACK_MS);
	else if (at < limit - EARLY_MS)
		fail("closed after only %" PRId64 " ms idle; "
		    "keepalive-timeout is %ld s", at, opt.keepalive_timeout);
out:
	conn_close(&c);
	free(r);
}

/* RFC 9112 §9.6: a half-closed client still gets the whole response. */
static void
row_half_close(const struct row *rw)
{
	char req[512];
	struct conn c;
	struct resp *r;
	enum rr rc;
	int n;

	(void)rw;
	if ((r = resp_new()) == NULL)
		return;
	if (!conn_open(&c, 0)) {
		free(r);
		return;
	}
	n = snprintf(req, sizeof(req), "GET /big.bin HTTP/1.1\r\nHost: %s\r\n"
	    "\r\n", opt.hosthdr);
	diag_bytes("> ", req, (size_t)n);
	if (conn_send(&c, req, (size_t)n, now_ms() + io_ms()) != 0) {
		fail("send failed");
		goto out;
	}
	if (shutdown(c.fd, SHUT_WR) < 0) {
		fail("shutdown: %s", strerror(errno));
		goto out;
	}
	rc = resp_read_final(&c, r, false, now_ms() + io_ms() + 10000);
	if (!want_status(rc, r, 200, ""))
		goto out;
	if (r->body_total < BIG_MIN)
		fail("/big.bin has only %" PRIu64 " bytes; the row needs %u",
		    r->body_total, BIG_MIN);
	else
		diag("all %" PRIu64 " bytes after the half-close",
		    r->body_total);
out:
	conn_close(&c);
	free(r);
}

/* Opens /big.bin and reads its header; the body is left on the wire. */
static bool
big_start(struct conn *c, struct resp *r, int rcvbuf)
{
	char req[512];
	enum rr rc;
	int n;

	if (!conn_open(c, rcvbuf))
		return false;
	n = snprintf(req, sizeof(req), "GET /big.bin HTTP/1.1\r\nHost: %s\r\n"
	    "\r\n", opt.hosthdr);
	diag_bytes("> ", req, (size_t)n);
	if (conn_send(c, req, (size_t)n, now_ms() + io_ms()) != 0) {
		fail("send failed");
		conn_close(c);
		return false;
	}
	rc = resp_read_head(c, r, false, now_ms() + io_ms());
	if (!want_status(rc, r, 200, "GET /big.bin: ")) {
		conn_close(c);
		return false;
	}
	if (r->framing != FR_LENGTH || r->cl < BIG_MIN) {
		fail("GET /big.bin: want a Content-Length of at least %u",
		    BIG_MIN);
		conn_close(c);
		return false;
	}
	return true;
}

/* A fresh connection gets GET /a.txt answered within ms. */
static bool
fresh_served(int64_t ms, const char *after)
{
	char req[512];
	struct conn c;
	struct resp *r;
	int64_t t0 = now_ms();
	bool ok = false;

	if ((r = resp_new()) == NULL)
		return false;
	if (!conn_open(&c, 0)) {
		free(r);
		return false;
	}
	snprintf(req, sizeof(req), "GET /a.txt HTTP/1.1\r\nHost: %s\r\n\r\n",
	    opt.hosthdr);
	diag_bytes("> ", req, strlen(req));
	if (conn_send(&c, req, strlen(req), t0 + ms) == 0) {
		enum rr rc = resp_read_final(&c, r, false, t0 + ms);

		if (rc == RR_OK && r->status == 200 &&
		    strcmp(r->body, ALPHABET) == 0)
			ok = true;
		else
			fail("a new connection %s: %s", after, rc != RR_OK ?
			    r->err : "not 200 a..z");
	} else {
		fail("a new connection %s: send failed", after);
	}
	conn_close(&c);
	free(r);
	return ok;
}

/* Clients that vanish mid-download do not keep the workers busy. */
static void
row_abort_download(const struct row *rw)
{
	struct conn c;
	struct resp *r;
	int i;

	(void)rw;
	if ((r = resp_new()) == NULL)
		return;
	/* as many aborted downloads as a small server has workers */
	for (i = 0; i < 2; i++) {
		if (!big_start(&c, r, 0))
			goto out;
		if (resp_read_bytes(&c, r, 65536, now_ms() + io_ms()) !=
		    RR_OK) {
			fail("GET /big.bin: %s", r->err);
			conn_close(&c);
			goto out;
		}
		/* unread data in the receive queue: close() sends a reset */
		conn_close(&c);
	}
	(void)fresh_served(1000, "right after two aborted downloads");
out:
	free(r);
}

/*
 * A client that stops reading: after send-timeout the server gives up,
 * so the rest of /big.bin never comes (and a new client is served).
 */
static void
row_send_stall(const struct row *rw)
{
	int64_t end;
	struct conn c;
	struct resp *r;
	uint64_t got;
	enum fill f;

	(void)rw;
	if ((r = resp_new()) == NULL)
		return;
	if (!big_start(&c, r, 16384))
		goto out;
	diag("not reading for %ld s + %d ms", opt.send_timeout, SLACK_MS + 500);
	sleep_ms(opt.send_timeout * 1000 + SLACK_MS + 500);
	if (!fresh_served(io_ms(), "while one client stalls")) {
		conn_close(&c);
		goto out;
	}
	got = conn_avail(&c);
	c.start = c.end;
	end = now_ms() + 5000;
	for (;;) {
		f = conn_fill(&c, end);
		got += conn_avail(&c);
		c.start = c.end;
		if (f != FILL_DATA)
			break;
		if (got >= r->cl)
			break;
	}
	diag("%" PRIu64 " of %" PRIu64 " body bytes after the stall", got,
	    r->cl);
	if (got >= r->cl)
		fail("the stalled client still got all %" PRIu64 " bytes: the "
		    "server did not give up after send-timeout", r->cl);
	else if (f == FILL_TIMEOUT)
		fail("the stalled connection is neither closed nor sending");
	conn_close(&c);
out:
	free(r);
}

static void
row_head(const struct row *rw)
{
	static const char *const same[] = { "Content-Length", "Content-Type",
	    "ETag", "Last-Modified", "Accept-Ranges" };
	char req[512];
	struct resp *g, *h;
	size_t i;
	int n;

	(void)rw;
	g = resp_new();
	h = resp_new();
	if (g == NULL || h == NULL)
		goto out;
	n = snprintf(req, sizeof(req), "GET /a.txt HTTP/1.1\r\nHost: %s\r\n"
	    "\r\n", opt.hosthdr);
	if (!exchange1(req, (size_t)n, 200, CK_ALPHA, g))
		goto out;
	n = snprintf(req, sizeof(req), "HEAD /a.txt HTTP/1.1\r\nHost: %s\r\n"
	    "\r\n", opt.hosthdr);
	if (!exchange1(req, (size_t)n, 200, CK_HEAD | CK_PROBE, h))
		goto out;
	for (i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		const char *gv = hdr(g, same[i]), *hv = hdr(h, same[i]);

		if (gv == NULL && hv == NULL)
			continue;
		if (gv == NULL || hv == NULL || strcmp(gv, hv) != 0) {
			fail("%s: GET says %s, HEAD says %s", same[i],
			    gv != NULL ? gv : "nothing",
			    hv != NULL ? hv : "nothing");
			goto out;
		}
	}
	if (hdr(h, "Content-Length") == NULL)
		fail("HEAD has no Content-Length");
out:
	free(g);
	free(h);
}

/* --- properties of every response ---------------------------------- */

static const char *const sample_reqs[] = {
	"GET /a.txt HTTP/1.1\r\nHost: {H}\r\n\r\n",
	"GET /missing HTTP/1.1\r\nHost: {H}\r\n\r\n",
	"GET  /a.txt HTTP/1.1\r\nHost: {H}\r\n\r\n",
	"POST /a.txt HTTP/1.1\r\nHost: {H}\r\nContent-Length: 0\r\n\r\n",
	"FOO /a.txt HTTP/1.1\r\nHost: {H}\r\n\r\n",
	"GET /a.txt HTTP/2.0\r\nHost: {H}\r\n\r\n",
	"GET /a.txt HTTP/1.1\r\nHost: {H}\r\nIf-None-Match: *\r\n\r\n",
	"GET /a.txt HTTP/1.1\r\nHost: {H}\r\nRange: bytes=0-4\r\n\r\n",
	"GET /a.txt HTTP/1.1\r\nHost: {H}\r\nRange: bytes=1000-\r\n\r\n",
	"OPTIONS * HTTP/1.1\r\nHost: {H}\r\n\r\n",
};

/* Sends a request and reads whatever final response comes. */
static void
sample(const char *t, bool want_closed)
{
	char req[1024];
	struct conn c;
	struct resp *r;
	size_t n = tmpl(t, req, sizeof(req));

	if (n == 0 || (r = resp_new()) == NULL)
		return;
	if (!conn_open(&c, 0)) {
		free(r);
		return;
	}
	if (conn_ask(&c, r, req, strncmp(req, "HEAD", 4) == 0) != RR_OK)
		fail("%.*s: %s", (int)strcspn(req, "\r"), req, r->err);
	else if (want_closed)
		(void)want_close(&c, r);
	else
		peek_close(&c, r);
	conn_close(&c);
	free(r);
}

static void
row_date_server(const struct row *rw)
{
	size_t i;

	(void)rw;
	for (i = 0; i < sizeof(sample_reqs) / sizeof(sample_reqs[0]); i++)
		sample(sample_reqs[i], false);
	if (row_failed)
		return;
	diag("%u final responses seen in this run", stats.finals);
	if (stats.finals < 10)
		fail("only %u final responses seen", stats.finals);
	else if (stats.no_date > 0)
		fail("%u of %u responses lack Date or Server; first: %s",
		    stats.no_date, stats.finals, stats.date_msg);
}

static void
row_close_said(const struct row *rw)
{
	(void)rw;
	sample("GET /a.txt HTTP/1.1\r\nHost: {H}\r\nConnection: close\r\n\r\n",
	    true);
	sample("GET /a.txt HTTP/1.0\r\n\r\n", true);
	if (row_failed)
		return;
	diag("%u closes after a response seen in this run", stats.closes);
	if (stats.closes < 2)
		fail("only %u closes seen", stats.closes);
	else if (stats.close_unsaid > 0)
		fail("%u of %u closes unannounced; first: %s",
		    stats.close_unsaid, stats.closes, stats.close_msg);
}

/* ------------------------------------------------------------------ */
/* The table: one row per rule (see tests/conformance/README). */

#define HOST	"Host: {H}\r\n"
#define GET_A	"GET /a.txt HTTP/1.1\r\n" HOST
#define PROBE_A	"GET /a.txt HTTP/1.1\r\n" HOST "\r\n"

static const struct row rows[] = {
	/* request line and fields */
	{ "get", "RFC 9110 §9.3.1",
	    "GET /a.txt gives 200, the 26 bytes, Content-Length: 26",
	    row_exchange, GET_A "\r\n", { 200 }, CK_ALPHA, NULL, NULL },
	{ "host-missing", "RFC 9112 §3.2",
	    "HTTP/1.1 without Host gives 400",
	    row_exchange, "GET /a.txt HTTP/1.1\r\n\r\n", { 400 }, 0, NULL,
	    NULL },
	{ "host-twice", "RFC 9112 §3.2", "two Host lines give 400",
	    row_exchange, GET_A HOST "\r\n", { 400 }, 0, NULL, NULL },
	{ "host-space", "RFC 9112 §3.2", "Host: a b gives 400",
	    row_exchange, "GET /a.txt HTTP/1.1\r\nHost: a b\r\n\r\n", { 400 },
	    0, NULL, NULL },
	{ "host-userinfo", "RFC 9112 §3.2", "Host: x@y gives 400",
	    row_exchange, "GET /a.txt HTTP/1.1\r\nHost: x@y\r\n\r\n", { 400 },
	    0, NULL, NULL },
	{ "http10-nohost", "RFC 9112 §3.2",
	    "HTTP/1.0 without Host gives 200",
	    row_exchange, "GET /a.txt HTTP/1.0\r\n\r\n", { 200 }, CK_ALPHA,
	    NULL, NULL },
	{ "absolute-form", "RFC 9112 §3.2.2",
	    "absolute-form target with Host: other gives 200",
	    row_exchange, "GET http://{H}/a.txt HTTP/1.1\r\nHost: other\r\n\r\n",
	    { 200 }, CK_ALPHA, NULL, NULL },
	{ "options-star", "RFC 9112 §3.2.4",
	    "OPTIONS * gives 200 with Allow: GET, HEAD, OPTIONS",
	    row_exchange, "OPTIONS * HTTP/1.1\r\n" HOST "\r\n", { 200 },
	    CK_ALLOW, NULL, NULL },
	{ "get-star", "RFC 9112 §3.2.4", "GET * gives 400",
	    row_exchange, "GET * HTTP/1.1\r\n" HOST "\r\n", { 400 }, 0, NULL,
	    NULL },
	{ "options-path", "RFC 9110 §9.3.7",
	    "OPTIONS /a.txt gives 200, Allow: GET, HEAD, OPTIONS, "
	    "Content-Length: 0",
	    row_exchange, "OPTIONS /a.txt HTTP/1.1\r\n" HOST "\r\n", { 200 },
	    CK_ALLOW | CK_CL0, NULL, NULL },
	{ "method-unknown", "RFC 9110 §9.1", "unknown method FOO gives 501",
	    row_exchange, "FOO /a.txt HTTP/1.1\r\n" HOST "\r\n", { 501 }, 0,
	    NULL, NULL },
	{ "method-case", "RFC 9110 §9.1",
	    "methods are case-sensitive: get gives 501",
	    row_exchange, "get /a.txt HTTP/1.1\r\n" HOST "\r\n", { 501 }, 0,
	    NULL, NULL },
	{ "post-405", "RFC 9110 §15.5.6", "POST gives 405 with Allow",
	    row_exchange, "POST /a.txt HTTP/1.1\r\n" HOST
	    "Content-Length: 0\r\n\r\n", { 405 }, CK_ALLOW, NULL, NULL },
	{ "put-405", "RFC 9110 §15.5.6", "PUT gives 405 with Allow",
	    row_exchange, "PUT /a.txt HTTP/1.1\r\n" HOST
	    "Content-Length: 0\r\n\r\n", { 405 }, CK_ALLOW, NULL, NULL },
	{ "delete-405", "RFC 9110 §15.5.6", "DELETE gives 405 with Allow",
	    row_exchange, "DELETE /a.txt HTTP/1.1\r\n" HOST "\r\n", { 405 },
	    CK_ALLOW, NULL, NULL },
	{ "patch-405", "RFC 9110 §15.5.6", "PATCH gives 405 with Allow",
	    row_exchange, "PATCH /a.txt HTTP/1.1\r\n" HOST
	    "Content-Length: 0\r\n\r\n", { 405 }, CK_ALLOW, NULL, NULL },
	{ "trace-405", "RFC 9110 §9.3.8", "TRACE gives 405 with Allow",
	    row_exchange, "TRACE /a.txt HTTP/1.1\r\n" HOST "\r\n", { 405 },
	    CK_ALLOW, NULL, NULL },
	{ "space-before-colon", "RFC 9112 §5.1",
	    "whitespace between field name and colon gives 400",
	    row_exchange, GET_A "Accept : */*\r\n\r\n", { 400 }, 0, NULL,
	    NULL },
	{ "obs-fold", "RFC 9112 §5.2", "obs-fold (a line starting with SP) "
	    "gives 400",
	    row_exchange, GET_A "Accept: text/plain,\r\n */*\r\n\r\n",
	    { 400 }, 0, NULL, NULL },
	{ "field-name-token", "RFC 9110 §5.1",
	    "a field name with a non-token char (Ho(st) gives 400",
	    row_exchange, GET_A "Ho(st: x\r\n\r\n", { 400 }, 0, NULL, NULL },
	{ "bare-lf", "RFC 9112 §2.2", "bare LF line ends give 400",
	    row_exchange, "GET /a.txt HTTP/1.1\nHost: {H}\n\n", { 400 }, 0,
	    NULL, NULL },
	{ "two-sp", "RFC 9112 §3", "two SP after the method give 400",
	    row_exchange, "GET  /a.txt HTTP/1.1\r\n" HOST "\r\n", { 400 }, 0,
	    NULL, NULL },
	{ "version-case", "RFC 9112 §2.3",
	    "HTTP-name is case-sensitive: http/1.1 gives 400",
	    row_exchange, "GET /a.txt http/1.1\r\n" HOST "\r\n", { 400 }, 0,
	    NULL, NULL },
	{ "version-2", "RFC 9110 §15.6.6", "HTTP/2.0 gives 505",
	    row_exchange, "GET /a.txt HTTP/2.0\r\n" HOST "\r\n", { 505 }, 0,
	    NULL, NULL },
	{ "version-1.2", "RFC 9110 §6.2",
	    "HTTP/1.2 is served as HTTP/1.1 (200)",
	    row_exchange, "GET /a.txt HTTP/1.2\r\n" HOST "\r\n", { 200 },
	    CK_ALPHA, NULL, NULL },
	{ "request-line-max", "RFC 9112 §3",
	    "a request line over request-line-max gives 414",
	    row_request_line_max, NULL, { 0 }, 0, NULL, NULL },
	{ "header-field-max", "RFC 6585 §5",
	    "one field line over header-field-max gives 431",
	    row_field_max, NULL, { 0 }, 0, NULL, NULL },
	{ "header-max", "RFC 6585 §5",
	    "a header over header-max (each field under its limit) gives 431",
	    row_header_max, NULL, { 0 }, 0, NULL, NULL },
	{ "header-fields-max", "RFC 6585 §5",
	    "more than header-fields-max fields give 431",
	    row_fields_max, NULL, { 0 }, 0, NULL, NULL },
	{ "header-timeout", "RFC 9110 §15.5.9",
	    "a header trickled at 1 byte/300 ms gets 408 and a close within "
	    "header-timeout (a total)",
	    row_header_trickle, NULL, { 0 }, 0, NULL, NULL },

	/* bodies */
	{ "cl-garbage", "RFC 9112 §6.3", "Content-Length: abc gives 400",
	    row_exchange, GET_A "Content-Length: abc\r\n\r\n", { 400 }, 0,
	    NULL, NULL },
	{ "cl-differ", "RFC 9112 §6.3",
	    "two different Content-Length give 400",
	    row_exchange, GET_A "Content-Length: 5\r\nContent-Length: 6\r\n"
	    "\r\nhello!", { 400 }, 0, NULL, NULL },
	{ "cl-equal", "RFC 9110 §8.6",
	    "two equal Content-Length are one (200)",
	    row_exchange, GET_A "Content-Length: 5\r\nContent-Length: 5\r\n"
	    "\r\nhello", { 200 }, CK_ALPHA, NULL, NULL },
	{ "te-and-cl", "RFC 9112 §6.1",
	    "Transfer-Encoding and Content-Length give 400 and a close",
	    row_exchange, GET_A "Transfer-Encoding: chunked\r\n"
	    "Content-Length: 5\r\n\r\n5\r\nhello\r\n0\r\n\r\n", { 400 },
	    CK_CLOSE, NULL, NULL },
	{ "te-unknown", "RFC 9112 §6.1",
	    "Transfer-Encoding: gzip, chunked (unknown coding) gives 501",
	    row_exchange, GET_A "Transfer-Encoding: gzip, chunked\r\n\r\n"
	    "0\r\n\r\n", { 501 }, 0, NULL, NULL },
	{ "te-chunked-not-last", "RFC 9112 §6.3",
	    "Transfer-Encoding: chunked, gzip gives 400 and a close",
	    row_exchange, GET_A "Transfer-Encoding: chunked, gzip\r\n\r\n",
	    { 400 }, CK_CLOSE, NULL, NULL },
	{ "te-http10", "RFC 9112 §6.1",
	    "Transfer-Encoding in HTTP/1.0 gives 400 and a close",
	    row_exchange, "GET /a.txt HTTP/1.0\r\nTransfer-Encoding: chunked"
	    "\r\n\r\n0\r\n\r\n", { 400 }, CK_CLOSE, NULL, NULL },
	{ "cl-body-pipelined", "RFC 9112 §6.3",
	    "GET with a Content-Length body, then a pipelined GET: two 200s",
	    row_exchange, GET_A "Content-Length: 5\r\n\r\nhello" PROBE_A,
	    { 200, 200 }, CK_ALPHA, NULL, NULL },
	{ "chunked-pipelined", "RFC 9112 §7.1",
	    "GET with a chunked body (extension, trailer), then a pipelined "
	    "GET: two 200s",
	    row_exchange, GET_A "Transfer-Encoding: chunked\r\n\r\n"
	    "5;ext=1\r\nhello\r\n6;q=\"a b\"\r\n world\r\n0\r\n"
	    "X-Trailer: t\r\n\r\n" PROBE_A, { 200, 200 }, CK_ALPHA, NULL,
	    NULL },
	{ "post-body-pipelined", "RFC 9112 §6.3",
	    "POST with a small body gives 405, a pipelined GET then 200",
	    row_exchange, "POST /a.txt HTTP/1.1\r\n" HOST
	    "Content-Length: 5\r\n\r\nhello" PROBE_A, { 405, 200 }, 0, NULL,
	    NULL },
	{ "body-max-cl", "RFC 9110 §15.5.14",
	    "Content-Length over body-max gives 413 and a close",
	    row_cl_over_max, NULL, { 0 }, 0, NULL, NULL },
	{ "body-max-cl-equal", "RFC 9110 §15.5.14",
	    "a body of exactly body-max is accepted (200)",
	    row_cl_at_max, NULL, { 0 }, 0, NULL, NULL },
	{ "body-max-chunked", "RFC 9110 §15.5.14",
	    "chunk data over body-max gives 413 and a close",
	    row_chunked_over_max, NULL, { 0 }, 0, NULL, NULL },
	{ "chunked-malformed", "RFC 9112 §7.1",
	    "a malformed chunk size (zz) gives 400 and a close",
	    row_exchange, GET_A "Transfer-Encoding: chunked\r\n\r\n"
	    "zz\r\nhello\r\n0\r\n\r\n", { 400 }, CK_CLOSE, NULL, NULL },
	{ "expect-100", "RFC 9110 §10.1.1",
	    "Expect: 100-continue gets 100 before the body, 200 after it",
	    row_expect_100, NULL, { 0 }, 0, NULL, NULL },
	{ "expect-100-405", "RFC 9110 §10.1.1",
	    "Expect: 100-continue on POST gets 405 without a 100, then a close",
	    row_expect_post, NULL, { 0 }, 0, NULL, NULL },
	{ "expect-100-413", "RFC 9110 §10.1.1",
	    "Expect: 100-continue over body-max gets 413 without a 100, then "
	    "a close",
	    row_expect_413, NULL, { 0 }, 0, NULL, NULL },
	{ "expect-other", "RFC 9110 §10.1.1",
	    "Expect: something-else gives 417",
	    row_exchange, GET_A "Expect: something-else\r\n\r\n", { 417 }, 0,
	    NULL, NULL },
	{ "expect-http10", "RFC 9110 §10.1.1",
	    "Expect: 100-continue in HTTP/1.0 is ignored (no 100, then 200)",
	    row_expect_http10, NULL, { 0 }, 0, NULL, NULL },
	{ "body-timeout", "RFC 9110 §15.5.9",
	    "a body that stalls gets 408 and a close within body-timeout",
	    row_body_stall, NULL, { 0 }, 0, NULL, NULL },

	/* validators and conditionals */
	{ "validators", "RFC 9110 §8.8",
	    "200 for /a.txt has a strong ETag, Last-Modified, "
	    "Accept-Ranges: bytes",
	    row_validators, NULL, { 0 }, 0, NULL, NULL },
	{ "inm-match", "RFC 9110 §13.1.2",
	    "If-None-Match: etag gives 304, no body, ETag and Last-Modified",
	    row_exchange, GET_A "If-None-Match: {E}\r\n\r\n", { 304 },
	    CK_VALID | CK_PROBE, NULL, NULL },
	{ "inm-weak", "RFC 9110 §13.1.2",
	    "If-None-Match: W/etag gives 304 (weak comparison)",
	    row_exchange, GET_A "If-None-Match: {WE}\r\n\r\n", { 304 }, 0,
	    NULL, NULL },
	{ "inm-star", "RFC 9110 §13.1.2", "If-None-Match: * gives 304",
	    row_exchange, GET_A "If-None-Match: *\r\n\r\n", { 304 }, 0, NULL,
	    NULL },
	{ "inm-other", "RFC 9110 §13.1.2",
	    "If-None-Match: \"other\" gives 200",
	    row_exchange, GET_A "If-None-Match: \"other\"\r\n\r\n", { 200 },
	    CK_ALPHA, NULL, NULL },
	{ "inm-list", "RFC 9110 §13.1.2",
	    "If-None-Match: \"x\", etag gives 304",
	    row_exchange, GET_A "If-None-Match: \"x\", {E}\r\n\r\n", { 304 },
	    0, NULL, NULL },
	{ "ims-equal", "RFC 9110 §13.1.3",
	    "If-Modified-Since: Last-Modified gives 304",
	    row_exchange, GET_A "If-Modified-Since: {LM}\r\n\r\n", { 304 },
	    CK_PROBE, NULL, NULL },
	{ "ims-before", "RFC 9110 §13.1.3",
	    "If-Modified-Since a day before gives 200",
	    row_exchange, GET_A "If-Modified-Since: {OLD}\r\n\r\n", { 200 },
	    CK_ALPHA, NULL, NULL },
	{ "ims-garbage", "RFC 9110 §13.1.3",
	    "If-Modified-Since: garbage gives 200",
	    row_exchange, GET_A "If-Modified-Since: yesterday-ish\r\n\r\n",
	    { 200 }, CK_ALPHA, NULL, NULL },
	{ "ims-rfc850", "RFC 9110 §5.6.7",
	    "If-Modified-Since as rfc850-date equal to Last-Modified gives 304",
	    row_exchange, GET_A "If-Modified-Since: {LM850}\r\n\r\n", { 304 },
	    0, NULL, NULL },
	{ "ims-asctime", "RFC 9110 §5.6.7",
	    "If-Modified-Since as asctime-date equal to Last-Modified gives "
	    "304",
	    row_exchange, GET_A "If-Modified-Since: {LMASC}\r\n\r\n", { 304 },
	    0, NULL, NULL },
	{ "inm-over-ims", "RFC 9110 §13.1.3",
	    "If-None-Match: \"other\" with If-Modified-Since: LM gives 200",
	    row_exchange, GET_A "If-None-Match: \"other\"\r\n"
	    "If-Modified-Since: {LM}\r\n\r\n", { 200 }, CK_ALPHA, NULL, NULL },
	{ "im-other", "RFC 9110 §13.1.1", "If-Match: \"other\" gives 412",
	    row_exchange, GET_A "If-Match: \"other\"\r\n\r\n", { 412 }, 0,
	    NULL, NULL },
	{ "im-match", "RFC 9110 §13.1.1", "If-Match: etag gives 200",
	    row_exchange, GET_A "If-Match: {E}\r\n\r\n", { 200 }, CK_ALPHA,
	    NULL, NULL },
	{ "im-weak", "RFC 9110 §13.1.1",
	    "If-Match: W/etag gives 412 (strong comparison)",
	    row_exchange, GET_A "If-Match: {WE}\r\n\r\n", { 412 }, 0, NULL,
	    NULL },
	{ "im-star", "RFC 9110 §13.1.1", "If-Match: * gives 200",
	    row_exchange, GET_A "If-Match: *\r\n\r\n", { 200 }, CK_ALPHA,
	    NULL, NULL },
	{ "ius-before", "RFC 9110 §13.1.4",
	    "If-Unmodified-Since a day before Last-Modified gives 412",
	    row_exchange, GET_A "If-Unmodified-Since: {OLD}\r\n\r\n", { 412 },
	    0, NULL, NULL },
	{ "ius-equal", "RFC 9110 §13.1.4",
	    "If-Unmodified-Since: Last-Modified gives 200",
	    row_exchange, GET_A "If-Unmodified-Since: {LM}\r\n\r\n", { 200 },
	    CK_ALPHA, NULL, NULL },
	{ "im-over-ius", "RFC 9110 §13.1.4",
	    "If-Match: etag with an old If-Unmodified-Since gives 200",
	    row_exchange, GET_A "If-Match: {E}\r\n"
	    "If-Unmodified-Since: {OLD}\r\n\r\n", { 200 }, CK_ALPHA, NULL,
	    NULL },
	{ "im-first", "RFC 9110 §13.2.2",
	    "If-Match: \"other\" with If-None-Match: etag gives 412 (step 1)",
	    row_exchange, GET_A "If-Match: \"other\"\r\n"
	    "If-None-Match: {E}\r\n\r\n", { 412 }, 0, NULL, NULL },
	{ "head-inm", "RFC 9110 §13.1.2",
	    "HEAD with If-None-Match: etag gives 304",
	    row_exchange, "HEAD /a.txt HTTP/1.1\r\n" HOST
	    "If-None-Match: {E}\r\n\r\n", { 304 }, CK_HEAD | CK_PROBE, NULL,
	    NULL },
	{ "cond-404-im", "RFC 9110 §13.2.1",
	    "If-Match: \"other\" on a missing path gives 404",
	    row_exchange, "GET /missing HTTP/1.1\r\n" HOST
	    "If-Match: \"other\"\r\n\r\n", { 404 }, 0, NULL, NULL },
	{ "cond-404-inm", "RFC 9110 §13.2.1",
	    "If-None-Match: * on a missing path gives 404",
	    row_exchange, "GET /missing HTTP/1.1\r\n" HOST
	    "If-None-Match: *\r\n\r\n", { 404 }, 0, NULL, NULL },
	{ "cond-404-ims", "RFC 9110 §13.2.1",
	    "If-Modified-Since on a missing path gives 404",
	    row_exchange, "GET /missing HTTP/1.1\r\n" HOST
	    "If-Modified-Since: {LM}\r\n\r\n", { 404 }, 0, NULL, NULL },

	/* range */
	{ "range-first", "RFC 9110 §14.2",
	    "bytes=0-4 gives 206, Content-Range bytes 0-4/26, \"abcde\"",
	    row_exchange, GET_A "Range: bytes=0-4\r\n\r\n", { 206 }, CK_RANGE,
	    "bytes 0-4/26", "abcde" },
	{ "range-suffix", "RFC 9110 §14.1.3",
	    "bytes=-3 gives 206 \"xyz\", bytes 23-25/26",
	    row_exchange, GET_A "Range: bytes=-3\r\n\r\n", { 206 }, CK_RANGE,
	    "bytes 23-25/26", "xyz" },
	{ "range-open", "RFC 9110 §14.1.2",
	    "bytes=20- gives 206 \"uvwxyz\"",
	    row_exchange, GET_A "Range: bytes=20-\r\n\r\n", { 206 }, CK_RANGE,
	    "bytes 20-25/26", "uvwxyz" },
	{ "range-clip", "RFC 9110 §14.1.2",
	    "bytes=20-1000 is clipped to 20-25",
	    row_exchange, GET_A "Range: bytes=20-1000\r\n\r\n", { 206 },
	    CK_RANGE, "bytes 20-25/26", "uvwxyz" },
	{ "range-multipart", "RFC 9110 §14.6",
	    "bytes=0-0,2-3 gives a multipart/byteranges body of two parts",
	    row_multipart, NULL, { 0 }, 0, NULL, NULL },
	{ "range-overlap", "RFC 9110 §14.2",
	    "bytes=0-5,3-8 is merged: one part, bytes 0-8/26",
	    row_exchange, GET_A "Range: bytes=0-5,3-8\r\n\r\n", { 206 },
	    CK_RANGE, "bytes 0-8/26", "abcdefghi" },
	{ "range-416", "RFC 9110 §15.5.17",
	    "bytes=1000- gives 416 with Content-Range: bytes */26",
	    row_exchange, GET_A "Range: bytes=1000-\r\n\r\n", { 416 },
	    CK_RANGE, "bytes */26", NULL },
	{ "range-invalid", "RFC 9110 §14.2",
	    "bytes=5-2 (invalid) is ignored: 200 whole",
	    row_exchange, GET_A "Range: bytes=5-2\r\n\r\n", { 200 },
	    CK_ALPHA | CK_NORANGE, NULL, NULL },
	{ "range-unit", "RFC 9110 §14.2",
	    "an unknown unit (items=0-1) is ignored: 200 whole",
	    row_exchange, GET_A "Range: items=0-1\r\n\r\n", { 200 },
	    CK_ALPHA | CK_NORANGE, NULL, NULL },
	{ "range-many", "RFC 9110 §14.2",
	    "33 ranges are ignored: 200 whole",
	    row_range_many, NULL, { 0 }, 0, NULL, NULL },
	{ "if-range-etag", "RFC 9110 §13.1.5",
	    "If-Range: etag with bytes=0-4 gives 206",
	    row_exchange, GET_A "If-Range: {E}\r\nRange: bytes=0-4\r\n\r\n",
	    { 206 }, CK_RANGE, "bytes 0-4/26", "abcde" },
	{ "if-range-other", "RFC 9110 §13.1.5",
	    "If-Range: \"other\" gives 200 whole",
	    row_exchange, GET_A "If-Range: \"other\"\r\nRange: bytes=0-4\r\n"
	    "\r\n", { 200 }, CK_ALPHA | CK_NORANGE, NULL, NULL },
	{ "if-range-date", "RFC 9110 §13.1.5",
	    "If-Range: Last-Modified with bytes=0-4 gives 206",
	    row_exchange, GET_A "If-Range: {LM}\r\nRange: bytes=0-4\r\n\r\n",
	    { 206 }, CK_RANGE, "bytes 0-4/26", "abcde" },
	{ "if-range-weak", "RFC 9110 §13.1.5",
	    "If-Range: W/etag gives 200 whole",
	    row_exchange, GET_A "If-Range: {WE}\r\nRange: bytes=0-4\r\n\r\n",
	    { 200 }, CK_ALPHA | CK_NORANGE, NULL, NULL },
	/*
	 * The issue asked for 206 here, but RFC 9110 §14.2: "A server MUST
	 * ignore a Range header field received with a request method that
	 * is unrecognized or for which range handling is not defined. For
	 * this specification, GET is the only method for which range
	 * handling is defined."  So HEAD gets the 200 header of the whole.
	 */
	{ "range-head", "RFC 9110 §14.2",
	    "HEAD ignores Range (defined for GET only): the 200 header of the "
	    "whole, no body",
	    row_exchange, "HEAD /a.txt HTTP/1.1\r\n" HOST
	    "Range: bytes=0-4\r\n\r\n", { 200 },
	    CK_HEAD | CK_PROBE | CK_NORANGE | CK_CL26, NULL, NULL },
	{ "range-404", "RFC 9110 §14.2", "Range on a missing path gives 404",
	    row_exchange, "GET /missing HTTP/1.1\r\n" HOST
	    "Range: bytes=0-4\r\n\r\n", { 404 }, 0, NULL, NULL },

	/* connections */
	{ "keepalive", "RFC 9112 §9.3",
	    "two requests on one HTTP/1.1 connection, which stays open",
	    row_keepalive, NULL, { 0 }, 0, NULL, NULL },
	{ "http10-close", "RFC 9112 §9.3",
	    "HTTP/1.0 without keep-alive: the response, then a close",
	    row_exchange, "GET /a.txt HTTP/1.0\r\n\r\n", { 200 },
	    CK_ALPHA | CK_CLOSE, NULL, NULL },
	{ "http10-keepalive", "RFC 9112 §9.3",
	    "HTTP/1.0 with Connection: keep-alive stays open and says so",
	    row_http10_keepalive, NULL, { 0 }, 0, NULL, NULL },
	{ "connection-close", "RFC 9112 §9.6",
	    "Connection: close is answered with Connection: close, then a "
	    "close",
	    row_exchange, GET_A "Connection: close\r\n\r\n", { 200 },
	    CK_ALPHA | CK_SAYCLOSE | CK_CLOSE, NULL, NULL },
	{ "keepalive-requests", "RFC 9112 §9.6",
	    "the keepalive-requests-th response says close and the server "
	    "closes",
	    row_keepalive_requests, NULL, { 0 }, 0, NULL, NULL },
	{ "keepalive-timeout", "RFC 9112 §9.5",
	    "an idle connection is closed after keepalive-timeout",
	    row_keepalive_timeout, NULL, { 0 }, 0, NULL, NULL },
	{ "pipeline", "RFC 9112 §9.3.2",
	    "three requests in one write get three responses in order",
	    row_exchange, PROBE_A "GET /missing HTTP/1.1\r\n" HOST "\r\n"
	    GET_A "Range: bytes=0-4\r\n\r\n", { 200, 404, 206 }, CK_ALPHA,
	    NULL, NULL },
	{ "half-close", "RFC 9112 §9.6",
	    "a client that half-closes after its request gets all of /big.bin",
	    row_half_close, NULL, { 0 }, 0, NULL, NULL },
	{ "abort-download", "RFC 9112 §9.6",
	    "after clients close mid-download a new connection is served",
	    row_abort_download, NULL, { 0 }, 0, NULL, NULL },
	{ "send-timeout", "RFC 9112 §9.5",
	    "a client that stops reading is given up after send-timeout",
	    row_send_stall, NULL, { 0 }, 0, NULL, NULL },
	{ "head", "RFC 9110 §9.3.2",
	    "HEAD /a.txt has the fields of GET and no body",
	    row_head, NULL, { 0 }, 0, NULL, NULL },

	/* every response, including those of the rows above */
	{ "date-server", "RFC 9110 §6.6.1",
	    "every response has Date (IMF-fixdate) and Server",
	    row_date_server, NULL, { 0 }, 0, NULL, NULL },
	{ "close-said", "RFC 9112 §9.6",
	    "every response followed by a close says Connection: close",
	    row_close_said, NULL, { 0 }, 0, NULL, NULL },
};

#define NROWS (sizeof(rows) / sizeof(rows[0]))

/* ------------------------------------------------------------------ */

static void
watchdog(int sig)
{
	static const char msg[] = "Bail out! conform: the run took longer "
	    "than the watchdog allows\n";

	(void)sig;
	(void)write(STDOUT_FILENO, msg, sizeof(msg) - 1);
	_exit(1);
}

/* -w: whether an HTTP response to GET / comes within a second. */
static bool
probe_once(void)
{
	char req[512];
	struct conn c;
	struct resp *r = resp_new();
	bool ok = false;

	if (r == NULL || !conn_open(&c, 0)) {
		free(r);
		return false;
	}
	snprintf(req, sizeof(req), "GET / HTTP/1.1\r\nHost: %s\r\n"
	    "Connection: close\r\n\r\n", opt.hosthdr);
	if (conn_send(&c, req, strlen(req), now_ms() + 1000) == 0)
		ok = resp_read_head(&c, r, false, now_ms() + 1000) == RR_OK;
	conn_close(&c);
	free(r);
	return ok;
}

static bool
selected(const struct row *rw)
{
	return opt.select == NULL || strcasestr(rw->id, opt.select) != NULL ||
	    strcasestr(rw->sect, opt.select) != NULL ||
	    strcasestr(rw->desc, opt.select) != NULL;
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: conform [-lvw] [--tls] [-s NAME] [--body-max N] "
	    "[--header-timeout S]\n"
	    "               [--body-timeout S] [--send-timeout S] "
	    "[--keepalive-timeout S]\n"
	    "               [--keepalive-requests N] [--request-line-max N]\n"
	    "               [--header-field-max N] [--header-max N] "
	    "[--header-fields-max N]\n"
	    "               HOST PORT\n");
	exit(1);
}

static long
number(const char *name, const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "conform: --%s: want %ld..%ld, not %s\n",
		    name, min, max, s);
		exit(1);
	}
	return v;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "body-max", required_argument, NULL, 'B' },
		{ "header-timeout", required_argument, NULL, 'T' },
		{ "body-timeout", required_argument, NULL, 'b' },
		{ "send-timeout", required_argument, NULL, 'S' },
		{ "keepalive-timeout", required_argument, NULL, 'K' },
		{ "keepalive-requests", required_argument, NULL, 'k' },
		{ "request-line-max", required_argument, NULL, 'L' },
		{ "header-field-max", required_argument, NULL, 'F' },
		{ "header-max", required_argument, NULL, 'H' },
		{ "header-fields-max", required_argument, NULL, 'N' },
		{ "tls", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct addrinfo hints;
	size_t i, n = 0, t = 0, failed = 0;
	int ch, gai;

	while ((ch = getopt_long(argc, argv, "hls:vw", longopts, NULL)) != -1) {
		switch (ch) {
		case 'B':
			opt.body_max = number("body-max", optarg, 1,
			    1 << 20);
			break;
		case 'T':
			opt.header_timeout = number("header-timeout", optarg,
			    1, 60);
			break;
		case 'b':
			opt.body_timeout = number("body-timeout", optarg, 1,
			    60);
			break;
		case 'S':
			opt.send_timeout = number("send-timeout", optarg, 1,
			    60);
			break;
		case 'K':
			opt.keepalive_timeout = number("keepalive-timeout",
			    optarg, 0, 60);
			break;
		case 'k':
			opt.keepalive_requests = number("keepalive-requests",
			    optarg, 0, 10000);
			break;
		case 'L':
			opt.request_line_max = number("request-line-max",
			    optarg, 64, REQ_MAX);
			break;
		case 'F':
			opt.header_field_max = number("header-field-max",
			    optarg, 64, REQ_MAX);
			break;
		case 'H':
			opt.header_max = number("header-max", optarg, 256,
			    1 << 20);
			break;
		case 'N':
			opt.header_fields_max = number("header-fields-max",
			    optarg, 1, 10000);
			break;
		case 'l':
			opt.list = true;
			break;
		case 'w':
			opt.probe = true;
			break;
		case 's':
			opt.select = optarg;
			break;
		case 'v':
			opt.verbose = true;
			break;
		case 't':
			opt.tls = SSL_CTX_new(TLS_client_method());
			if (opt.tls == NULL) {
				fprintf(stderr, "conform: SSL_CTX_new failed\n");
				return 2;
			}
			SSL_CTX_set_options(opt.tls,
			    SSL_OP_IGNORE_UNEXPECTED_EOF);
			break;
		case 'h':
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;

	if (opt.list) {
		for (i = 0; i < NROWS; i++)
			if (selected(&rows[i]))
				printf("%-22s %-18s %s\n", rows[i].id,
				    rows[i].sect, rows[i].desc);
		return 0;
	}
	if (argc != 2)
		usage();
	opt.host = argv[0];
	opt.port = argv[1];
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	gai = getaddrinfo(opt.host, opt.port, &hints, &opt.ai);
	if (gai != 0) {
		fprintf(stderr, "conform: %s port %s: %s\n", opt.host,
		    opt.port, gai_strerror(gai));
		return 1;
	}
	snprintf(opt.hosthdr, sizeof(opt.hosthdr),
	    strchr(opt.host, ':') != NULL ? "[%s]:%s" : "%s:%s", opt.host,
	    opt.port);

	signal(SIGPIPE, SIG_IGN);
	signal(SIGALRM, watchdog);
	alarm(WATCHDOG_S);
	if (opt.probe)
		return probe_once() ? 0 : 1;

	for (i = 0; i < NROWS; i++)
		if (selected(&rows[i]))
			n++;
	if (n == 0) {
		fprintf(stderr, "conform: no row matches \"%s\" (-l lists "
		    "them)\n", opt.select);
		return 1;
	}
	printf("1..%zu\n", n);
	printf("# %s, body-max %ld, timeouts header %ld s body %ld s send "
	    "%ld s keep-alive %ld s, keepalive-requests %ld, request-line-max "
	    "%ld, header-field-max %ld, header-max %ld, header-fields-max "
	    "%ld\n", opt.hosthdr, opt.body_max, opt.header_timeout,
	    opt.body_timeout, opt.send_timeout, opt.keepalive_timeout,
	    opt.keepalive_requests, opt.request_line_max,
	    opt.header_field_max, opt.header_max, opt.header_fields_max);
	fflush(stdout);
	for (i = 0; i < NROWS; i++) {
		const struct row *rw = &rows[i];
		int64_t t0;

		if (!selected(rw))
			continue;
		t++;
		cur_row = rw->id;
		row_failed = false;
		row_msg[0] = '\0';
		if (opt.verbose)
			printf("# --- %s\n", rw->id);
		t0 = now_ms();
		rw->run(rw);
		if (opt.verbose)
			printf("#   (%" PRId64 " ms)\n", now_ms() - t0);
		if (row_failed) {
			failed++;
			printf("not ok %zu - %s %s [%s] # %s\n", t, rw->sect,
			    rw->desc, rw->id, row_msg);
		} else {
			printf("ok %zu - %s %s [%s]\n", t, rw->sect, rw->desc,
			    rw->id);
		}
		fflush(stdout);
	}
	printf("# %zu of %zu rows passed\n", n - failed, n);
	freeaddrinfo(opt.ai);
	return failed == 0 ? 0 : 1;
}
