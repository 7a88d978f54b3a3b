/*
 * check_net.c - listeners (binding, errors, flags, deferred accept),
 * deadline-bounded reads and writes, sendfile(), stall deadlines that
 * progress renews, the progress hook (the worker's heartbeat), peer names
 * and the clock.
 * Everything runs over loopback (127.0.0.1, ::1) with short deadlines;
 * helpers that need a second party fork a child that is bounded by
 * alarm() and reaped here.
 */
#include "autoconf.h"

#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>

#include "config.h"
#include "net.h"

#include "../lib/unit.h"

/* ------------------------------------------------------------------ */
/* Helpers */

/* Milliseconds of CLOCK_MONOTONIC, measured independently of net.c. */
static int64_t
now_ms(void)
{
	struct timespec ts;

	ck_assert_int_eq(clock_gettime(CLOCK_MONOTONIC, &ts), 0);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* A plain listening socket on 127.0.0.1 with a kernel-chosen port. */
static int
tcp_listener(struct sockaddr_in *addr)
{
	socklen_t alen = sizeof(*addr);
	int fd;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_msg(fd != -1, "socket: %s", strerror(errno));
	memset(addr, 0, sizeof(*addr));
	addr->sin_family = AF_INET;
	addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	addr->sin_port = 0;
	ck_assert_msg(bind(fd, (struct sockaddr *)addr, sizeof(*addr)) == 0,
	    "bind: %s", strerror(errno));
	ck_assert_msg(listen(fd, 16) == 0, "listen: %s", strerror(errno));
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)addr, &alen), 0);
	return fd;
}

/* A blocking client connected to addr (loopback completes at once). */
static int
tcp_connect(const struct sockaddr_in *addr)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert_msg(fd != -1, "socket: %s", strerror(errno));
	ck_assert_msg(connect(fd, (const struct sockaddr *)addr,
	    sizeof(*addr)) == 0, "connect: %s", strerror(errno));
	return fd;
}

/* A worker's connection is non-blocking (accept4 with SOCK_NONBLOCK). */
static void
set_nonblock(int fd)
{
	ck_assert_int_eq(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK),
	    0);
}

/*
 * A connected loopback TCP pair: *srv is the accepted side, non-blocking
 * as a worker's connection is; *cli is a blocking client.
 */
static void
tcp_pair(int *srv, int *cli)
{
	struct sockaddr_in addr;
	int l = tcp_listener(&addr);

	*cli = tcp_connect(&addr);
	*srv = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	ck_assert_msg(*srv != -1, "accept: %s", strerror(errno));
	close(l);
	set_nonblock(*srv);
}

/* A bounded blocking read of exactly len bytes (or until EOF). */
static size_t
read_full(int fd, char *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		ck_assert_msg(poll(&pfd, 1, 5000) == 1,
		    "read_full: nothing for 5 s after %zu of %zu bytes", got,
		    len);
		n = read(fd, buf + got, len - got);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		ck_assert_msg(n >= 0, "read: %s", strerror(errno));
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return got;
}

/*
 * A child that reads fd until end of stream into shared memory, so the
 * parent can send more than the socket buffers hold and then compare.
 * A paced reader (reader_start_paced) reads slowly instead, and may stop
 * reading altogether while it keeps the connection open.
 */
struct reader {
	pid_t pid;
	size_t cap;
	struct reader_shm {
		size_t len;
		int err;
		int64_t stopped_ms;	/* CLOCK_MONOTONIC ms; 0: never stopped */
		char data[];
	} *shm;
};

struct reader_pace {
	size_t chunk;		/* bytes per read */
	int pause_ms;		/* sleep after each read */
	size_t stop_after;	/* then stop reading, SIZE_MAX: never */
	int hold_fd;		/* readable: the parent is done sending, so
				 * stop pausing; a stopped reader waits for it */
	int hold_wr;		/* its write end, closed in the child */
};

/* CLOCK_MONOTONIC ms without Check, for the child. */
static int64_t
child_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * The child's loop.  A paced reader that reaches stop_after takes what
 * has arrived in one last read (so the sender sees that progress after
 * it, not before), notes the time, and reads no more: it holds fd open
 * until hold_fd is readable, as a client that stopped reading does.
 */
static void
reader_child(struct reader_shm *shm, int fd, size_t cap,
    const struct reader_pace *pace)
{
	for (;;) {
		size_t want = cap - shm->len;
		ssize_t n;

		if (shm->len == cap) {
			/* More than expected: note it, stop. */
			char extra;

			if (read(fd, &extra, 1) > 0)
				shm->err = E2BIG;
			break;
		}
		if (pace != NULL && shm->len >= pace->stop_after) {
			struct pollfd pfd = { .fd = pace->hold_fd,
			    .events = POLLIN };

			n = recv(fd, shm->data + shm->len, want, MSG_DONTWAIT);
			if (n > 0)
				shm->len += (size_t)n;
			shm->stopped_ms = child_now_ms();
			/* Well before alarm(): its signal would be Check's,
			 * which kills the whole process group. */
			while (poll(&pfd, 1, 8000) < 0 && errno == EINTR)
				;
			break;
		}
		if (pace != NULL && want > pace->chunk)
			want = pace->chunk;
		n = read(fd, shm->data + shm->len, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			shm->err = errno;
			break;
		}
		if (n == 0)
			break;
		shm->len += (size_t)n;
		if (pace != NULL && pace->pause_ms > 0) {
			/* The pause, cut short once the parent is done with
			 * sending: then read the rest at full speed. */
			struct pollfd pfd = { .fd = pace->hold_fd,
			    .events = POLLIN };

			if (poll(&pfd, 1, pace->pause_ms) > 0)
				pace = NULL;
		}
	}
}

static void
reader_start_paced(struct reader *r, int fd, int other_fd, size_t cap,
    const struct reader_pace *pace)
{
	r->cap = cap;
	r->shm = mmap(NULL, sizeof(*r->shm) + cap, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ck_assert_msg(r->shm != MAP_FAILED, "mmap: %s", strerror(errno));
	r->shm->len = 0;
	r->shm->err = 0;
	r->shm->stopped_ms = 0;
	r->pid = fork();
	ck_assert_msg(r->pid != -1, "fork: %s", strerror(errno));
	if (r->pid == 0) {
		int fl = fcntl(fd, F_GETFL);

		alarm(10);
		/* The sender's end: held open here, it would hide the EOF. */
		close(other_fd);
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
		/* Else the parent's close() of it could not wake us. */
		if (pace != NULL && pace->hold_wr != -1)
			close(pace->hold_wr);
		reader_child(r->shm, fd, cap, pace);
		_exit(0);
	}
}

static void
reader_start(struct reader *r, int fd, int other_fd, size_t cap)
{
	reader_start_paced(r, fd, other_fd, cap, NULL);
}

/* Waits for the reader (at most 10 s) and returns how much it read. */
static size_t
reader_finish(struct reader *r)
{
	int status, rc;
	int64_t until = now_ms() + 10000;

	while ((rc = waitpid(r->pid, &status, WNOHANG)) == 0 &&
	    now_ms() < until)
		sleep_ms(5);
	if (rc == 0) {
		kill(r->pid, SIGKILL);
		waitpid(r->pid, &status, 0);
		ck_abort_msg("reader child did not finish in 10 s");
	}
	ck_assert_int_eq(rc, r->pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "reader child status %#x", status);
	ck_assert_msg(r->shm->err == 0, "reader: %s", strerror(r->shm->err));
	return r->shm->len;
}

static void
reader_free(struct reader *r)
{
	munmap(r->shm, sizeof(*r->shm) + r->cap);
}

static void
fill_pattern(char *buf, size_t len, unsigned seed)
{
	uint32_t x = seed * 2654435761u + 1;

	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = (char)(x >> 24);
	}
}

/* ------------------------------------------------------------------ */
/* net_listen */

static void
listen_entry(struct config_listen *l, char *spec, char *host, char *port,
    int family)
{
	l->spec = spec;
	l->host = host;
	l->port = port;
	l->family = family;
}

static int
sock_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	ck_assert_int_eq(ss.ss_family, AF_INET6);
	return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

static void
assert_listening(int fd, int family)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int v = 0;
	socklen_t vlen = sizeof(v);

	ck_assert_int_ge(fd, 0);
	ck_assert_msg(fcntl(fd, F_GETFD) & FD_CLOEXEC, "no FD_CLOEXEC");
	ck_assert_msg(fcntl(fd, F_GETFL) & O_NONBLOCK, "no O_NONBLOCK");
	ck_assert_int_eq(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, &vlen),
	    0);
	ck_assert_msg(v == 1, "no TCP_NODELAY");
	vlen = sizeof(v);
	ck_assert_int_eq(getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &vlen),
	    0);
	ck_assert_msg(v == 1, "not listening");
	vlen = sizeof(v);
	ck_assert_int_eq(getsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &v, &vlen),
	    0);
	ck_assert_msg(v != 0, "no SO_REUSEADDR");
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
	ck_assert_int_eq(ss.ss_family, family);
	ck_assert_int_gt(sock_port(fd), 0);
}

START_TEST(test_listen_v4)
{
	struct config_listen l;
	char spec[] = "127.0.0.1:0", host[] = "127.0.0.1", port0[] = "0";
	char spec2[64], port[16];
	char err[256];
	struct sockaddr_in addr;
	int fd, fd2, c, a;

	listen_entry(&l, spec, host, port0, AF_INET);
	err[0] = '\0';
	fd = net_listen(&l, 16, err, sizeof(err));
	ck_assert_msg(fd >= 0, "net_listen %s: %s", spec, err);
	assert_listening(fd, AF_INET);

	/* It accepts: a client connects and is taken. */
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	addr.sin_port = htons((uint16_t)sock_port(fd));
	c = tcp_connect(&addr);
	a = accept(fd, NULL, NULL);
	ck_assert_msg(a >= 0, "accept: %s", strerror(errno));
	close(a);
	close(c);

	/* The same port again, while the first still listens. */
	snprintf(port, sizeof(port), "%d", sock_port(fd));
	snprintf(spec2, sizeof(spec2), "127.0.0.1:%s", port);
	listen_entry(&l, spec2, host, port, AF_INET);
	err[0] = '\0';
	fd2 = net_listen(&l, 16, err, sizeof(err));
	ck_assert_msg(fd2 == -1, "bound %s twice", spec2);
	ck_assert_msg(strstr(err, spec2) != NULL, "err lacks spec: \"%s\"",
	    err);
	ck_assert_msg(strstr(err, "address already in use") != NULL,
	    "err: \"%s\"", err);
	close(fd);
}
END_TEST

static int
defer_accept_of(int fd)
{
	int v = -1;
	socklen_t vlen = sizeof(v);

	ck_assert_int_eq(getsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &v,
	    &vlen), 0);
	return v;
}

/*
 * Accepts the next connection ready on listener l within 5 s and returns
 * the first byte that arrives on it within 2 s; -1 when none came.
 */
static int
accept_first_byte(int l)
{
	struct pollfd pfd = { .fd = l, .events = POLLIN };
	unsigned char c;
	int a, rc = -1;

	if (poll(&pfd, 1, 5000) != 1 ||
	    (a = accept4(l, NULL, NULL, SOCK_CLOEXEC)) < 0)
		return -1;
	pfd.fd = a;
	if (poll(&pfd, 1, 2000) == 1 && read(a, &c, 1) == 1)
		rc = c;
	close(a);
	return rc;
}

/*
 * net_defer_accept(): the option reads back (rounded up by the kernel to
 * its retransmission schedule), 0 clears it, and it does what it is for:
 * a client that connects and says nothing is not there for accept(),
 * one that sends is, at once.
 */
START_TEST(test_listen_defer_accept)
{
	struct config_listen l;
	char spec[] = "127.0.0.1:0", host[] = "127.0.0.1", port0[] = "0";
	char err[256];
	struct sockaddr_in addr;
	int fd, silent, talker, got, v;

	listen_entry(&l, spec, host, port0, AF_INET);
	fd = net_listen(&l, 16, err, sizeof(err));
	ck_assert_msg(fd >= 0, "net_listen %s: %s", spec, err);
	ck_assert_int_eq(defer_accept_of(fd), 0);
	ck_assert_int_eq(net_defer_accept(fd, 5), 0);
	v = defer_accept_of(fd);
	ck_assert_msg(v >= 5 && v < 16, "TCP_DEFER_ACCEPT 5 reads back as %d",
	    v);
	ck_assert_int_eq(net_defer_accept(fd, 0), 0);
	ck_assert_int_eq(defer_accept_of(fd), 0);

	/* 30 s: the kernel keeps the silent one far longer than this test. */
	ck_assert_int_eq(net_defer_accept(fd, 30), 0);
	ck_assert_int_ge(defer_accept_of(fd), 30);
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	addr.sin_port = htons((uint16_t)sock_port(fd));
	silent = tcp_connect(&addr);
	talker = tcp_connect(&addr);
	ck_assert_int_eq(write(talker, "t", 1), 1);
	got = accept_first_byte(fd);
	ck_assert_msg(got == 't', "the first connection accepted brought %d, "
	    "not the talker's 't' (-1: none, the silent client's)", got);
	/* The listener is non-blocking: nothing else is ready. */
	ck_assert_int_eq(accept4(fd, NULL, NULL, SOCK_CLOEXEC), -1);
	ck_assert_msg(errno == EAGAIN || errno == EWOULDBLOCK, "accept: %s",
	    strerror(errno));
	/* Its first byte brings the silent one. */
	ck_assert_int_eq(write(silent, "s", 1), 1);
	got = accept_first_byte(fd);
	ck_assert_msg(got == 's', "once it sent a byte the silent client was "
	    "accepted with %d, not 's'", got);
	close(talker);
	close(silent);
	close(fd);
}
END_TEST

START_TEST(test_listen_v6)
{
	struct config_listen l;
	char spec[] = "[::1]:0", host[] = "::1", port0[] = "0";
	char spec_mapped[] = "[::ffff:127.0.0.1]:0";
	char host_mapped[] = "::ffff:127.0.0.1";
	char err[256];
	int fd, probe, v = 0;
	socklen_t vlen = sizeof(v);

	probe = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (probe == -1 && errno == EAFNOSUPPORT) {
		fprintf(stderr, "check_net: SKIPPED [::1]:0: the kernel has "
		    "no IPv6 (socket(AF_INET6): EAFNOSUPPORT)\n");
		return;
	}
	ck_assert_msg(probe != -1, "socket(AF_INET6): %s", strerror(errno));
	close(probe);

	listen_entry(&l, spec, host, port0, AF_INET6);
	err[0] = '\0';
	fd = net_listen(&l, 16, err, sizeof(err));
	ck_assert_msg(fd >= 0, "net_listen %s: %s", spec, err);
	assert_listening(fd, AF_INET6);
	ck_assert_int_eq(getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v, &vlen),
	    0);
	ck_assert_msg(v == 1, "IPV6_V6ONLY is %d", v);
	close(fd);

	/*
	 * Linux sets IPV6_V6ONLY by itself on a socket bound to one IPv6
	 * address, so the check above cannot tell whether net_listen() set
	 * it.  A v4-mapped address can tell, on loopback alone: an IPv6-only
	 * socket cannot bind it (EINVAL), a dual-stack one could.
	 */
	listen_entry(&l, spec_mapped, host_mapped, port0, AF_INET6);
	err[0] = '\0';
	fd = net_listen(&l, 16, err, sizeof(err));
	ck_assert_msg(fd == -1, "%s bound: no IPV6_V6ONLY", spec_mapped);
	ck_assert_msg(strstr(err, spec_mapped) != NULL,
	    "err lacks spec: \"%s\"", err);
}
END_TEST

START_TEST(test_listen_unresolvable)
{
	struct config_listen l;
	char spec[] = "no-such-host.invalid:8080";
	char host[] = "no-such-host.invalid", port[] = "8080";
	struct addrinfo hints, *res = NULL;
	char err[256];
	int rc;

	/*
	 * Without a reachable resolver getaddrinfo() says "try again"
	 * (EAI_AGAIN), which is not "does not resolve": only then skip.
	 */
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc == 0)
		freeaddrinfo(res);
	if (rc == EAI_AGAIN) {
		fprintf(stderr, "check_net: SKIPPED %s: no resolver reachable "
		    "(EAI_AGAIN)\n", host);
		return;
	}
	ck_assert_msg(rc != 0, "%s resolves here", host);

	listen_entry(&l, spec, host, port, AF_UNSPEC);
	err[0] = '\0';
	ck_assert_int_eq(net_listen(&l, 16, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, spec) != NULL, "err lacks spec: \"%s\"",
	    err);
	ck_assert_msg(strstr(err, "does not resolve") != NULL, "err: \"%s\"",
	    err);
}
END_TEST

/* The first port that needs privilege, from the kernel's setting. */
static int
unprivileged_port_start(void)
{
	FILE *fp = fopen("/proc/sys/net/ipv4/ip_unprivileged_port_start", "r");
	int v = 1024;

	if (fp != NULL) {
		if (fscanf(fp, "%d", &v) != 1)
			v = 1024;
		fclose(fp);
	}
	return v;
}

START_TEST(test_listen_privileged)
{
	struct config_listen l;
	char spec[64], host[] = "127.0.0.1", port[16];
	char err[256];
	int start = unprivileged_port_start(), fd = -1, tried = 0;

	if (start > 1024)
		start = 1024;
	if (start <= 1) {
		fprintf(stderr, "check_net: SKIPPED privileged port: "
		    "ip_unprivileged_port_start is %d\n", start);
		return;
	}
	if (geteuid() != 0) {
		int p = start - 1 > 80 ? 80 : start - 1;

		snprintf(port, sizeof(port), "%d", p);
		snprintf(spec, sizeof(spec), "127.0.0.1:%d", p);
		listen_entry(&l, spec, host, port, AF_INET);
		err[0] = '\0';
		fd = net_listen(&l, 16, err, sizeof(err));
		ck_assert_msg(fd == -1, "euid %d bound %s", (int)geteuid(),
		    spec);
		ck_assert_msg(strstr(err, spec) != NULL,
		    "err lacks spec: \"%s\"", err);
		ck_assert_msg(strstr(err, "permission denied") != NULL,
		    "err: \"%s\"", err);
		return;
	}

	/* As root it binds; a port may be taken, so try a few. */
	srand((unsigned)getpid() ^ (unsigned)now_ms());
	for (tried = 0; tried < 20 && fd == -1; tried++) {
		int p = 600 + rand() % (start - 600 > 0 ? start - 600 : 1);

		if (p >= start)
			p = start - 1;
		snprintf(port, sizeof(port), "%d", p);
		snprintf(spec, sizeof(spec), "127.0.0.1:%d", p);
		listen_entry(&l, spec, host, port, AF_INET);
		err[0] = '\0';
		fd = net_listen(&l, 16, err, sizeof(err));
		if (fd == -1)
			ck_assert_msg(strstr(err, "address already in use")
			    != NULL, "as root: %s", err);
	}
	ck_assert_msg(fd >= 0, "as root: no privileged port bound in %d tries",
	    tried);
	assert_listening(fd, AF_INET);
	ck_assert_int_lt(sock_port(fd), start);
	close(fd);
}
END_TEST

/* ------------------------------------------------------------------ */
/* net_read */

START_TEST(test_read_timeout)
{
	char buf[16];
	int srv, cli;
	int64_t t0, el;
	ssize_t n;

	tcp_pair(&srv, &cli);
	t0 = now_ms();
	errno = 0;
	n = net_read(srv, buf, sizeof(buf), net_now_ms() + 150);
	el = now_ms() - t0;
	ck_assert_int_eq(n, -1);
	ck_assert_msg(errno == ETIMEDOUT, "errno %s", strerror(errno));
	ck_assert_msg(el >= 140 && el < 1000, "elapsed %lld ms",
	    (long long)el);

	/* A deadline already past: no waiting at all. */
	t0 = now_ms();
	errno = 0;
	ck_assert_int_eq(net_read(srv, buf, sizeof(buf), net_now_ms() - 1), -1);
	ck_assert_int_eq(errno, ETIMEDOUT);
	ck_assert_int_lt(now_ms() - t0, 100);
	close(srv);
	close(cli);
}
END_TEST

START_TEST(test_read_data_and_eof)
{
	char buf[64];
	int srv, cli;
	pid_t pid;
	int status;
	int64_t t0, el;
	ssize_t n;

	tcp_pair(&srv, &cli);
	ck_assert_int_eq(write(cli, "hello", 5), 5);
	n = net_read(srv, buf, sizeof(buf), net_now_ms() + 2000);
	ck_assert_int_eq(n, 5);
	ck_assert(memcmp(buf, "hello", 5) == 0);

	/* cap bounds the read; the rest stays for the next one. */
	ck_assert_int_eq(write(cli, "abcdef", 6), 6);
	n = net_read(srv, buf, 2, net_now_ms() + 2000);
	ck_assert_int_eq(n, 2);
	ck_assert(memcmp(buf, "ab", 2) == 0);
	n = net_read(srv, buf, sizeof(buf), net_now_ms() + 2000);
	ck_assert_int_eq(n, 4);
	ck_assert(memcmp(buf, "cdef", 4) == 0);

	/* Data that comes while it waits (from a child, 100 ms later). */
	pid = fork();
	ck_assert_int_ne(pid, -1);
	if (pid == 0) {
		alarm(10);
		sleep_ms(100);
		_exit(write(cli, "late", 4) == 4 ? 0 : 1);
	}
	t0 = now_ms();
	n = net_read(srv, buf, sizeof(buf), net_now_ms() + 3000);
	el = now_ms() - t0;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_int_eq(n, 4);
	ck_assert(memcmp(buf, "late", 4) == 0);
	ck_assert_msg(el >= 50 && el < 2500, "elapsed %lld ms", (long long)el);

	/* The peer closes: end of stream, 0. */
	close(cli);
	n = net_read(srv, buf, sizeof(buf), net_now_ms() + 2000);
	ck_assert_int_eq(n, 0);
	close(srv);
}
END_TEST

/* ------------------------------------------------------------------ */
/* net_send_all */

START_TEST(test_send_iov)
{
	static const char *parts[] = { "HTTP/1.1 200 OK\r\n", "", "X: y\r\n",
	    "\r\n", "b", "ody" };
	char want[128], got[128];
	struct iovec iov[6];
	size_t total = 0;
	int srv, cli;

	tcp_pair(&srv, &cli);
	for (int more = 0; more < 2; more++) {
		total = 0;
		for (size_t i = 0; i < 6; i++) {
			iov[i].iov_base = (void *)(uintptr_t)parts[i];
			iov[i].iov_len = strlen(parts[i]);
			memcpy(want + total, parts[i], iov[i].iov_len);
			total += iov[i].iov_len;
		}
		ck_assert_int_eq(net_send_all(srv, iov, 6, more != 0,
		    net_now_ms() + 2000, 0), 0);
		if (more) {
			/*
			 * With "more" the last partial segment is held back
			 * (tcp(7): up to 200 ms) for what follows.  Readable
			 * sooner than 100 ms after the send means it was not;
			 * if this process was descheduled past that, the
			 * check proves nothing but does not fail.
			 */
			struct pollfd pfd = { .fd = cli, .events = POLLIN };
			int64_t t0 = now_ms();
			int r = poll(&pfd, 1, 100);
			int64_t el = now_ms() - t0;

			ck_assert_msg(r == 0 || el >= 100, "\"more\" data "
			    "readable after %lld ms: not held back",
			    (long long)el);
		}
		if (more) {
			/* What follows a "more" send pushes it out. */
			struct iovec tail = { .iov_base = (void *)(uintptr_t)"!",
			    .iov_len = 1 };

			ck_assert_int_eq(net_send_all(srv, &tail, 1, false,
			    net_now_ms() + 2000, 0), 0);
			want[total++] = '!';
		}
		/*
		 * A send without "more" goes out at once: loopback delivers
		 * it before sendmsg() returns, where corked data would wait
		 * for the kernel's 200 ms cork timer.
		 */
		{
			struct pollfd pfd = { .fd = cli, .events = POLLIN };

			ck_assert_msg(poll(&pfd, 1, 100) == 1,
			    "more=%d: nothing readable 100 ms after the last "
			    "send (held back as with MSG_MORE?)", more);
		}
		memset(got, 0, sizeof(got));
		ck_assert_uint_eq(read_full(cli, got, total), total);
		ck_assert_msg(memcmp(got, want, total) == 0,
		    "more=%d: got \"%.*s\"", more, (int)total, got);
	}
	close(srv);
	close(cli);
}
END_TEST

/* Several large parts, more than the socket buffers hold at once. */
START_TEST(test_send_iov_large)
{
	const size_t sizes[] = { 1, 700000, 0, 3, 1500000, 65536 };
	struct iovec iov[6];
	struct reader r;
	char *data;
	size_t total = 0, off = 0, got;
	int srv, cli;

	for (size_t i = 0; i < 6; i++)
		total += sizes[i];
	data = malloc(total);
	ck_assert_ptr_nonnull(data);
	fill_pattern(data, total, 7);
	for (size_t i = 0; i < 6; i++) {
		iov[i].iov_base = data + off;
		iov[i].iov_len = sizes[i];
		off += sizes[i];
	}
	tcp_pair(&srv, &cli);
	reader_start(&r, cli, srv, total);
	close(cli);
	ck_assert_int_eq(net_send_all(srv, iov, 6, true, net_now_ms() + 5000, 0),
	    0);
	close(srv);
	got = reader_finish(&r);
	ck_assert_uint_eq(got, total);
	ck_assert(memcmp(r.shm->data, data, total) == 0);
	reader_free(&r);
	free(data);
}
END_TEST

START_TEST(test_send_timeout)
{
	const size_t len = 16u << 20;
	struct iovec iov;
	char *data = calloc(1, len);
	int srv, cli, rc;
	int64_t t0, el;

	ck_assert_ptr_nonnull(data);
	tcp_pair(&srv, &cli);
	iov.iov_base = data;
	iov.iov_len = len;
	t0 = now_ms();
	errno = 0;
	rc = net_send_all(srv, &iov, 1, false, net_now_ms() + 300, 0);
	el = now_ms() - t0;
	ck_assert_int_eq(rc, -1);
	ck_assert_msg(errno == ETIMEDOUT, "errno %s", strerror(errno));
	ck_assert_msg(el >= 290 && el < 2000, "elapsed %lld ms",
	    (long long)el);
	/* Some was sent, and iov says how much is left. */
	ck_assert_uint_lt(iov.iov_len, len);
	ck_assert_uint_gt(iov.iov_len, 0);
	ck_assert_ptr_eq((char *)iov.iov_base + iov.iov_len, data + len);
	close(srv);
	close(cli);
	free(data);
}
END_TEST

/*
 * Sends to a peer that has gone until a send fails.  SIGPIPE is left at
 * its default here: if net_send_all() raised it, this test's process
 * would die of it and Check would report the signal.
 */
static void
send_to_closed(int srv)
{
	static char chunk[65536];
	struct iovec iov;
	int rc = 0, tries;

	for (tries = 0; tries < 100 && rc == 0; tries++) {
		iov.iov_base = chunk;
		iov.iov_len = sizeof(chunk);
		errno = 0;
		rc = net_send_all(srv, &iov, 1, false, net_now_ms() + 2000, 0);
		if (rc == 0)
			sleep_ms(5);
	}
	ck_assert_msg(rc == -1, "%d sends to a closed peer succeeded", tries);
	ck_assert_msg(errno == EPIPE || errno == ECONNRESET, "errno %s",
	    strerror(errno));
}

START_TEST(test_send_closed_peer)
{
	struct sigaction sa;
	int srv, cli, sv[2];

	ck_assert_int_eq(sigaction(SIGPIPE, NULL, &sa), 0);
	ck_assert_msg(sa.sa_handler == SIG_DFL, "SIGPIPE is not SIG_DFL");

	tcp_pair(&srv, &cli);
	close(cli);
	send_to_closed(srv);
	close(srv);

	/* A stream socketpair gives EPIPE on the first send. */
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
	    sv), 0);
	set_nonblock(sv[0]);
	close(sv[1]);
	send_to_closed(sv[0]);
	ck_assert_int_eq(errno, EPIPE);
	close(sv[0]);
}
END_TEST

/* ------------------------------------------------------------------ */
/* net_sendfile_all */

#define FILE_SIZE (300 * 1024)

static char *file_data;

/* An unlinked file of FILE_SIZE pattern bytes (file_data). */
static int
make_file(void)
{
	char dir[PATH_MAX], path[PATH_MAX + 16];
	int fd, err;

	unit_scratch_dir(dir, sizeof(dir), "check_net");
	unit_path(path, sizeof(path), dir, "data");
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	err = errno;
	unit_rmtree(dir);
	ck_assert_msg(fd != -1, "create %s: %s", path, strerror(err));
	file_data = malloc(FILE_SIZE);
	ck_assert_ptr_nonnull(file_data);
	fill_pattern(file_data, FILE_SIZE, 300);
	ck_assert_int_eq(pwrite(fd, file_data, FILE_SIZE, 0), FILE_SIZE);
	return fd;
}

/* Sends [start, start + len) of the file; returns net_sendfile_all(). */
static int
sendfile_case(int file_fd, off_t start, off_t len, off_t *end_offset,
    size_t *got, struct reader *r, int *err)
{
	int srv, cli, rc;
	off_t off = start;

	tcp_pair(&srv, &cli);
	reader_start(r, cli, srv, FILE_SIZE + 1024);
	close(cli);
	errno = 0;
	rc = net_sendfile_all(srv, file_fd, &off, len, net_now_ms() + 5000, 0);
	*err = errno;
	close(srv);
	*got = reader_finish(r);
	*end_offset = off;
	return rc;
}

/*
 * net_sendfile_some(): what the socket takes, then 1 (full) without
 * waiting; called again as the reader makes room, 0 once all is out, the
 * bytes in order; EIO past the end of the file.
 */
START_TEST(test_sendfile_some)
{
	static char got[FILE_SIZE];
	int fd = make_file(), srv, cli, small = 16 * 1024, r = 1;
	size_t have = 0;
	off_t off = 0;

	tcp_pair(&srv, &cli);
	ck_assert_int_eq(setsockopt(srv, SOL_SOCKET, SO_SNDBUF, &small,
	    sizeof(small)), 0);
	ck_assert_int_eq(setsockopt(cli, SOL_SOCKET, SO_RCVBUF, &small,
	    sizeof(small)), 0);
	ck_assert_int_eq(net_sendfile_some(srv, fd, &off, FILE_SIZE), 1);
	ck_assert_msg(off > 0 && off < FILE_SIZE, "offset %lld after the "
	    "first call", (long long)off);
	for (int i = 0; i < 100000 && r == 1; i++) {
		ssize_t n = recv(cli, got + have, sizeof(got) - have,
		    MSG_DONTWAIT);

		if (n > 0)
			have += (size_t)n;
		r = net_sendfile_some(srv, fd, &off, FILE_SIZE);
		ck_assert_int_ge(r, 0);
	}
	ck_assert_int_eq(r, 0);
	ck_assert_int_eq(off, FILE_SIZE);
	while (have < FILE_SIZE) {
		ssize_t n = recv(cli, got + have, sizeof(got) - have, 0);

		ck_assert_int_gt(n, 0);
		have += (size_t)n;
	}
	ck_assert(memcmp(got, file_data, FILE_SIZE) == 0);

	/* Past the end: EIO, the offset where the file ends. */
	ck_assert_int_eq(net_sendfile_some(srv, fd, &off, FILE_SIZE + 10), -1);
	ck_assert_int_eq(errno, EIO);
	ck_assert_int_eq(off, FILE_SIZE);
	close(srv);
	close(cli);
	close(fd);
	free(file_data);
}
END_TEST

START_TEST(test_sendfile)
{
	struct reader r;
	off_t off;
	size_t got;
	int fd = make_file(), err;

	/* The whole file. */
	ck_assert_int_eq(sendfile_case(fd, 0, FILE_SIZE, &off, &got, &r, &err),
	    0);
	ck_assert_int_eq(off, FILE_SIZE);
	ck_assert_uint_eq(got, FILE_SIZE);
	ck_assert(memcmp(r.shm->data, file_data, FILE_SIZE) == 0);
	reader_free(&r);

	/* From an offset: the tail. */
	ck_assert_int_eq(sendfile_case(fd, 100001, FILE_SIZE - 100001, &off,
	    &got, &r, &err), 0);
	ck_assert_int_eq(off, FILE_SIZE);
	ck_assert_uint_eq(got, FILE_SIZE - 100001);
	ck_assert(memcmp(r.shm->data, file_data + 100001, got) == 0);
	reader_free(&r);

	/* A slice in the middle. */
	ck_assert_int_eq(sendfile_case(fd, 5, 1000, &off, &got, &r, &err), 0);
	ck_assert_int_eq(off, 1005);
	ck_assert_uint_eq(got, 1000);
	ck_assert(memcmp(r.shm->data, file_data + 5, got) == 0);
	reader_free(&r);

	/* Nothing at all. */
	ck_assert_int_eq(sendfile_case(fd, 7, 0, &off, &got, &r, &err), 0);
	ck_assert_int_eq(off, 7);
	ck_assert_uint_eq(got, 0);
	reader_free(&r);

	/* The file is shorter than asked: what there is, then EIO. */
	ck_assert_int_eq(sendfile_case(fd, 0, FILE_SIZE + 10, &off, &got, &r,
	    &err), -1);
	ck_assert_msg(err == EIO, "errno %s", strerror(err));
	ck_assert_int_eq(off, FILE_SIZE);
	ck_assert_uint_eq(got, FILE_SIZE);
	ck_assert(memcmp(r.shm->data, file_data, FILE_SIZE) == 0);
	reader_free(&r);

	/* Starting at the end with something still asked for: EIO at once. */
	ck_assert_int_eq(sendfile_case(fd, FILE_SIZE, 1, &off, &got, &r, &err),
	    -1);
	ck_assert_int_eq(err, EIO);
	ck_assert_int_eq(off, FILE_SIZE);
	ck_assert_uint_eq(got, 0);
	reader_free(&r);

	close(fd);
	free(file_data);
}
END_TEST

START_TEST(test_sendfile_timeout)
{
	int fd = make_file(), srv, cli, rc;
	off_t off = 0;
	int64_t t0, el;

	/* A peer that never reads, and a file bigger than its buffers. */
	ck_assert_int_eq(ftruncate(fd, 32 << 20), 0);
	tcp_pair(&srv, &cli);
	t0 = now_ms();
	errno = 0;
	rc = net_sendfile_all(srv, fd, &off, 32 << 20, net_now_ms() + 300, 0);
	el = now_ms() - t0;
	ck_assert_int_eq(rc, -1);
	ck_assert_msg(errno == ETIMEDOUT, "errno %s", strerror(errno));
	ck_assert_msg(el >= 290 && el < 2000, "elapsed %lld ms",
	    (long long)el);
	ck_assert_int_gt(off, 0);
	ck_assert_int_lt(off, 32 << 20);
	close(srv);
	close(cli);
	close(fd);
	free(file_data);
}
END_TEST

/* ------------------------------------------------------------------ */
/* stall_ms: progress renews the deadline */

#define STALL_MS 300
/* The reader's pace: 32 KiB every 20 ms, about 1.6 MB/s. */
#define STALL_CHUNK (32 * 1024)
#define STALL_PAUSE_MS 20
/* Small socket buffers, for the runs that want them. */
#define STALL_BUF (64 * 1024)

/*
 * Two ways to set up a connection for these tests.  With small, fixed
 * buffers the sender is woken (POLLOUT) every few of the reader's reads.
 * With the kernel's own buffers, which Linux grows to megabytes on
 * loopback, the sender can wait far longer than stall_ms for POLLOUT
 * (it needs a third of the send buffer free) while the reader is busy
 * reading: net.c has to see that progress some other way.  That is what
 * a worker meets, so both are tested.
 */
static const struct {
	bool small;
	size_t size;		/* bytes to send: far beyond the buffers */
	const char *note;
} stall_modes[] = {
	{ true, 2 << 20, "64 KiB socket buffers, 2 MiB" },
	{ false, 6 << 20, "the kernel's socket buffers, 6 MiB" },
};

#define NSTALL_MODES ((int)(sizeof(stall_modes) / sizeof(stall_modes[0])))

static void
tcp_pair_mode(int *srv, int *cli, bool small)
{
	struct sockaddr_in addr;
	int l, v = STALL_BUF;

	if (!small) {
		tcp_pair(srv, cli);
		return;
	}
	l = tcp_listener(&addr);
	/* Before connect(), so the window is agreed with it. */
	*cli = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ne(*cli, -1);
	ck_assert_int_eq(setsockopt(*cli, SOL_SOCKET, SO_RCVBUF, &v,
	    sizeof(v)), 0);
	ck_assert_msg(connect(*cli, (struct sockaddr *)&addr, sizeof(addr))
	    == 0, "connect: %s", strerror(errno));
	*srv = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	ck_assert_msg(*srv != -1, "accept: %s", strerror(errno));
	close(l);
	ck_assert_int_eq(setsockopt(*srv, SOL_SOCKET, SO_SNDBUF, &v,
	    sizeof(v)), 0);
	set_nonblock(*srv);
}

/* An unlinked file of size pattern bytes; *data gets a copy. */
static int
make_data_file(size_t size, unsigned seed, char **data)
{
	char dir[PATH_MAX], path[PATH_MAX + 16];
	int fd, err;

	unit_scratch_dir(dir, sizeof(dir), "check_net");
	unit_path(path, sizeof(path), dir, "data");
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	err = errno;
	unit_rmtree(dir);
	ck_assert_msg(fd != -1, "create %s: %s", path, strerror(err));
	*data = malloc(size);
	ck_assert_ptr_nonnull(*data);
	fill_pattern(*data, size, seed);
	ck_assert_int_eq(pwrite(fd, *data, size, 0), (ssize_t)size);
	return fd;
}

/* What one transfer to a paced reader came to. */
struct stall_run {
	int rc, err;
	int64_t t0, t_end;	/* around the call */
	off_t sent;		/* what the call says it sent */
	size_t got;		/* what the reader read */
	int64_t stopped_ms;	/* when the reader stopped; 0: never */
};

/*
 * Sends [0, size) of fd (sendfile) or of data (send_all) to a reader at
 * pace, with deadline now + STALL_MS and stall_ms; fills *out.
 */
static void
stall_transfer(bool use_sendfile, bool small, int fd, const char *data,
    size_t size, const struct reader_pace *pace_in, int stall_ms,
    struct stall_run *out)
{
	struct reader_pace pace = *pace_in;
	struct reader r;
	struct iovec iov;
	int srv, cli, hold[2];
	off_t off = 0;

	ck_assert_int_eq(pipe2(hold, O_CLOEXEC), 0);
	pace.hold_fd = hold[0];
	pace.hold_wr = hold[1];
	tcp_pair_mode(&srv, &cli, small);
	reader_start_paced(&r, cli, srv, size, &pace);
	close(cli);
	close(hold[0]);
	out->t0 = now_ms();
	errno = 0;
	if (use_sendfile) {
		out->rc = net_sendfile_all(srv, fd, &off, (off_t)size,
		    net_now_ms() + STALL_MS, stall_ms);
	} else {
		/*
		 * One part: after a failure its iov_len says what is left.
		 * (Parts wholly sent are skipped, not zeroed; several parts
		 * are test_send_iov_large's business.)
		 */
		iov.iov_base = (void *)(uintptr_t)data;
		iov.iov_len = size;
		out->rc = net_send_all(srv, &iov, 1, false,
		    net_now_ms() + STALL_MS, stall_ms);
		off = out->rc == 0 ? (off_t)size : (off_t)(size - iov.iov_len);
	}
	out->err = errno;
	out->t_end = now_ms();
	out->sent = off;
	/* Let a stopped reader go; it reads what is left, then EOF. */
	close(hold[1]);
	close(srv);
	out->got = reader_finish(&r);
	out->stopped_ms = r.shm->stopped_ms;
	/* Whatever arrived is the beginning of the data, in order. */
	ck_assert_msg(memcmp(r.shm->data, data, out->got) == 0,
	    "the reader got other bytes than were sent");
	reader_free(&r);
}

/*
 * (a) A slow reader that keeps reading gets everything with stall_ms,
 * although the transfer takes longer than stall_ms; the same transfer
 * against a total deadline of the same length is cut off.  The contrast
 * is what shows that progress renewed the deadline.
 */
static void
stall_renewed_case(bool use_sendfile, int mode)
{
	const struct reader_pace pace = { STALL_CHUNK, STALL_PAUSE_MS,
	    SIZE_MAX, -1, -1 };
	size_t size = stall_modes[mode].size;
	const char *note = stall_modes[mode].note;
	struct stall_run run;
	char *data;
	int fd = make_data_file(size, 11, &data);

	/* stall_ms: each bit of progress moves the deadline on. */
	stall_transfer(use_sendfile, stall_modes[mode].small, fd, data, size,
	    &pace, STALL_MS, &run);
	ck_assert_msg(run.rc == 0, "%s: stall %d ms: failed after %lld ms "
	    "at %lld of %zu bytes: %s", note, STALL_MS,
	    (long long)(run.t_end - run.t0), (long long)run.sent, size,
	    strerror(run.err));
	ck_assert_int_eq(run.sent, (off_t)size);
	ck_assert_uint_eq(run.got, size);
	/* Only a transfer that outlasts the first deadline proves it. */
	ck_assert_msg(run.t_end - run.t0 >= STALL_MS + 100, "%s: took only "
	    "%lld ms: the buffers took it all", note,
	    (long long)(run.t_end - run.t0));

	/* stall_ms 0: the same deadline is a total, and too short. */
	stall_transfer(use_sendfile, stall_modes[mode].small, fd, data, size,
	    &pace, 0, &run);
	ck_assert_msg(run.rc == -1, "%s: stall 0: %zu bytes sent in %lld ms",
	    note, size, (long long)(run.t_end - run.t0));
	ck_assert_msg(run.err == ETIMEDOUT, "%s: errno %s", note,
	    strerror(run.err));
	ck_assert_msg(run.t_end - run.t0 >= STALL_MS - 10 &&
	    run.t_end - run.t0 < STALL_MS + 2000, "%s: elapsed %lld ms", note,
	    (long long)(run.t_end - run.t0));
	ck_assert_int_gt(run.sent, 0);
	ck_assert_int_lt(run.sent, (off_t)size);
	ck_assert_uint_eq(run.got, (size_t)run.sent);
	close(fd);
	free(data);
}

START_TEST(test_sendfile_stall_renewed)
{
	stall_renewed_case(true, _i);
}
END_TEST

START_TEST(test_send_stall_renewed)
{
	stall_renewed_case(false, _i);
}
END_TEST

/*
 * (b) A reader that reads for a while (longer than stall_ms), then stops
 * but keeps the connection open: the send fails with ETIMEDOUT about
 * stall_ms after it stopped -- not before (each read renewed the
 * deadline), and not much after.
 */
static void
stall_stopped_case(bool use_sendfile, int mode)
{
	/* 40 reads: 800 ms of reading at least. */
	const struct reader_pace pace = { STALL_CHUNK, STALL_PAUSE_MS,
	    40 * STALL_CHUNK, -1, -1 };
	const size_t size = 16 << 20;
	const char *note = stall_modes[mode].note;
	struct stall_run run;
	int64_t since_stop;
	char *data;
	int fd = make_data_file(size, 13, &data);

	stall_transfer(use_sendfile, stall_modes[mode].small, fd, data, size,
	    &pace, STALL_MS, &run);
	ck_assert_int_eq(run.rc, -1);
	ck_assert_msg(run.err == ETIMEDOUT, "%s: errno %s", note,
	    strerror(run.err));
	ck_assert_msg(run.stopped_ms != 0, "%s: the reader never stopped: "
	    "the send failed after %lld ms, at %zu bytes read", note,
	    (long long)(run.t_end - run.t0), run.got);
	since_stop = run.t_end - run.stopped_ms;
	/*
	 * Lower bound, strict: the reader's last read takes all that has
	 * arrived, so the sender's last progress comes after it, and the
	 * deadline cannot be earlier than stall_ms after the stop (a few ms
	 * for clock rounding).  A total deadline would have fired while the
	 * reader was still reading.  Upper bound, loose: the machine may be
	 * busy.
	 */
	ck_assert_msg(since_stop >= STALL_MS - 5, "%s: timed out %lld ms "
	    "after the reader stopped (%lld ms after the start)", note,
	    (long long)since_stop, (long long)(run.t_end - run.t0));
	ck_assert_msg(since_stop < STALL_MS + 1500, "%s: timed out only "
	    "%lld ms after the reader stopped", note, (long long)since_stop);
	/* It had been reading for longer than stall_ms before it stopped. */
	ck_assert_int_gt(run.stopped_ms - run.t0, STALL_MS);
	ck_assert_uint_ge(run.got, pace.stop_after);
	ck_assert_int_lt(run.sent, (off_t)size);
	close(fd);
	free(data);
}

START_TEST(test_sendfile_stall_stopped)
{
	stall_stopped_case(true, _i);
}
END_TEST

START_TEST(test_send_stall_stopped)
{
	stall_stopped_case(false, _i);
}
END_TEST

/*
 * Until the first progress the deadline given stands: against a peer
 * whose buffers are already full, stall_ms 5000 does not extend a
 * 300 ms deadline.  After progress, the stall deadline replaces it: a
 * peer that never reads stops a send with a distant deadline stall_ms
 * after its buffers filled.
 */
START_TEST(test_stall_deadline_edges)
{
	static char chunk[65536];
	const size_t len = 4 << 20;
	struct iovec iov;
	char *data = calloc(1, len);
	int srv, cli, rc, sv[2];
	int64_t t0, el;
	ssize_t n;

	ck_assert_ptr_nonnull(data);

	/*
	 * A full peer that stays full: a stream socketpair, whose queue
	 * nothing moves behind our back (over TCP, window probes let a
	 * "full" queue shrink a little later, which is progress).
	 */
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
	    sv), 0);
	set_nonblock(sv[0]);
	while ((n = send(sv[0], chunk, sizeof(chunk), MSG_DONTWAIT |
	    MSG_NOSIGNAL)) > 0)
		continue;
	ck_assert_msg(errno == EAGAIN || errno == EWOULDBLOCK, "filling: %s",
	    strerror(errno));
	iov.iov_base = data;
	iov.iov_len = len;
	t0 = now_ms();
	errno = 0;
	rc = net_send_all(sv[0], &iov, 1, false, net_now_ms() + 300, 5000);
	el = now_ms() - t0;
	ck_assert_int_eq(rc, -1);
	ck_assert_msg(errno == ETIMEDOUT, "errno %s", strerror(errno));
	ck_assert_msg(el >= 290 && el < 2500, "elapsed %lld ms",
	    (long long)el);
	ck_assert_uint_eq(iov.iov_len, len);
	close(sv[0]);
	close(sv[1]);

	/* A peer that never reads, a deadline 10 s away, stall 200 ms. */
	tcp_pair_mode(&srv, &cli, true);
	iov.iov_base = data;
	iov.iov_len = len;
	t0 = now_ms();
	errno = 0;
	rc = net_send_all(srv, &iov, 1, false, net_now_ms() + 10000, 200);
	el = now_ms() - t0;
	ck_assert_int_eq(rc, -1);
	ck_assert_msg(errno == ETIMEDOUT, "errno %s", strerror(errno));
	ck_assert_msg(el >= 195 && el < 2500, "elapsed %lld ms",
	    (long long)el);
	ck_assert_uint_lt(iov.iov_len, len);
	close(srv);
	close(cli);
	free(data);
}
END_TEST

/* ------------------------------------------------------------------ */
/* net_set_progress_hook */

/* What the hook saw: calls, and the longest time without one. */
static int hook_calls;
static int64_t hook_last_ms, hook_max_gap_ms;

static void
hook_count(void)
{
	int64_t t = child_now_ms();

	hook_calls++;
	if (t - hook_last_ms > hook_max_gap_ms)
		hook_max_gap_ms = t - hook_last_ms;
	hook_last_ms = t;
}

/* Installs hook_count with everything zeroed; the gap counts from now. */
static void
hook_reset(void)
{
	hook_calls = 0;
	hook_max_gap_ms = 0;
	hook_last_ms = child_now_ms();
	net_set_progress_hook(hook_count);
}

/* A transfer that cannot go out in one send through STALL_BUF buffers. */
#define HOOK_BIG (2 << 20)

/* The stall_ms values each send is tried with: a total, and a stall. */
static const int hook_stalls[] = { 0, 5000 };

#define NHOOK_STALLS ((int)(sizeof(hook_stalls) / sizeof(hook_stalls[0])))

/* Sends that move bytes call it, whatever stall_ms. */
START_TEST(test_hook_called)
{
	int stall = hook_stalls[_i];
	char head[] = "HTTP/1.1 200 OK\r\n\r\n", body[] = "hello";
	char buf[64];
	struct iovec iov[2];
	struct reader r;
	off_t off;
	int srv, cli, fd = make_file(), big_fd, calls;
	char *big;
	size_t n;

	/* net_send_all, two parts that the buffers take at once. */
	tcp_pair(&srv, &cli);
	iov[0].iov_base = head;
	iov[0].iov_len = strlen(head);
	iov[1].iov_base = body;
	iov[1].iov_len = strlen(body);
	hook_reset();
	ck_assert_int_eq(net_send_all(srv, iov, 2, false, net_now_ms() + 2000,
	    stall), 0);
	ck_assert_msg(hook_calls >= 1, "stall %d: net_send_all: %d calls",
	    stall, hook_calls);
	n = strlen(head) + strlen(body);
	ck_assert_uint_eq(read_full(cli, buf, n), n);

	/* net_sendfile_all, a slice the buffers take at once. */
	off = 10;
	hook_reset();
	ck_assert_int_eq(net_sendfile_all(srv, fd, &off, 40,
	    net_now_ms() + 2000, stall), 0);
	ck_assert_int_eq(off, 50);
	ck_assert_msg(hook_calls >= 1, "stall %d: net_sendfile_all: %d calls",
	    stall, hook_calls);
	ck_assert_uint_eq(read_full(cli, buf, 40), 40);
	ck_assert(memcmp(buf, file_data + 10, 40) == 0);
	close(srv);
	close(cli);

	/*
	 * Far more than 64 KiB buffers hold: it takes several sends that
	 * each move bytes, and each is counted.
	 */
	big_fd = make_data_file(HOOK_BIG, 19, &big);
	tcp_pair_mode(&srv, &cli, true);
	reader_start(&r, cli, srv, HOOK_BIG);
	close(cli);
	off = 0;
	hook_reset();
	ck_assert_int_eq(net_sendfile_all(srv, big_fd, &off, HOOK_BIG,
	    net_now_ms() + 5000, stall), 0);
	calls = hook_calls;
	close(srv);
	ck_assert_uint_eq(reader_finish(&r), HOOK_BIG);
	ck_assert(memcmp(r.shm->data, big, HOOK_BIG) == 0);
	reader_free(&r);
	ck_assert_msg(calls >= 2, "stall %d: 2 MiB through 64 KiB buffers: "
	    "%d calls", stall, calls);
	close(big_fd);
	free(big);

	/* Nothing to send: nothing moved, no call. */
	tcp_pair(&srv, &cli);
	hook_reset();
	ck_assert_int_eq(net_send_all(srv, iov, 0, false, net_now_ms() + 2000,
	    stall), 0);
	off = 0;
	ck_assert_int_eq(net_sendfile_all(srv, fd, &off, 0,
	    net_now_ms() + 2000, stall), 0);
	ck_assert_int_eq(hook_calls, 0);

	/* No hook (NULL): sends work and nothing is called. */
	iov[0].iov_base = head;
	iov[0].iov_len = strlen(head);
	hook_reset();
	net_set_progress_hook(NULL);
	ck_assert_int_eq(net_send_all(srv, iov, 1, false, net_now_ms() + 2000,
	    stall), 0);
	off = 0;
	ck_assert_int_eq(net_sendfile_all(srv, fd, &off, 5,
	    net_now_ms() + 2000, stall), 0);
	ck_assert_int_eq(hook_calls, 0);
	n = strlen(head) + 5;
	ck_assert_uint_eq(read_full(cli, buf, n), n);
	close(srv);
	close(cli);
	close(fd);
	free(file_data);
}
END_TEST

/*
 * A send that cannot move a byte before its deadline never calls it: a
 * stream socketpair whose peer never reads and whose queue is already
 * full (nothing drains it behind our back, unlike TCP's window probes).
 */
START_TEST(test_hook_not_called)
{
	static char chunk[65536];
	int stall = hook_stalls[_i];
	struct iovec iov;
	int sv[2], fd = make_file(), rc, err;
	off_t off = 0;
	ssize_t n;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
	    sv), 0);
	set_nonblock(sv[0]);
	while ((n = send(sv[0], chunk, sizeof(chunk), MSG_DONTWAIT |
	    MSG_NOSIGNAL)) > 0)
		continue;
	ck_assert_msg(errno == EAGAIN || errno == EWOULDBLOCK, "filling: %s",
	    strerror(errno));

	iov.iov_base = chunk;
	iov.iov_len = sizeof(chunk);
	hook_reset();
	errno = 0;
	rc = net_send_all(sv[0], &iov, 1, false, net_now_ms() + 200, stall);
	err = errno;
	ck_assert_int_eq(rc, -1);
	ck_assert_msg(err == ETIMEDOUT, "errno %s", strerror(err));
	ck_assert_uint_eq(iov.iov_len, sizeof(chunk));
	ck_assert_msg(hook_calls == 0, "stall %d: net_send_all: %d calls",
	    stall, hook_calls);

	errno = 0;
	rc = net_sendfile_all(sv[0], fd, &off, FILE_SIZE, net_now_ms() + 200,
	    stall);
	err = errno;
	ck_assert_int_eq(rc, -1);
	ck_assert_msg(err == ETIMEDOUT, "errno %s", strerror(err));
	ck_assert_int_eq(off, 0);
	ck_assert_msg(hook_calls == 0, "stall %d: net_sendfile_all: %d calls",
	    stall, hook_calls);

	/* And a send to a peer that has gone fails without a call. */
	close(sv[1]);
	errno = 0;
	rc = net_send_all(sv[0], &iov, 1, false, net_now_ms() + 200, stall);
	ck_assert_int_eq(rc, -1);
	ck_assert_msg(errno == EPIPE, "errno %s", strerror(errno));
	ck_assert_int_eq(hook_calls, 0);
	net_set_progress_hook(NULL);
	close(sv[0]);
	close(fd);
	free(file_data);
}
END_TEST

/*
 * It is the worker's heartbeat: during a long transfer to a slow but
 * steady reader it must come more often than stall_ms, in both socket
 * buffer modes, including the one where progress shows only as the send
 * queue shrinking (no POLLOUT for longer than stall_ms).  Otherwise the
 * watchdog could take a slow download for a stuck worker.
 */
static void
hook_heartbeat_case(bool use_sendfile, int mode)
{
	const struct reader_pace pace = { STALL_CHUNK, STALL_PAUSE_MS,
	    SIZE_MAX, -1, -1 };
	size_t size = stall_modes[mode].size;
	const char *note = stall_modes[mode].note;
	struct stall_run run;
	char *data;
	int fd = make_data_file(size, 17, &data);
	int64_t tail;

	hook_reset();
	stall_transfer(use_sendfile, stall_modes[mode].small, fd, data, size,
	    &pace, STALL_MS, &run);
	net_set_progress_hook(NULL);
	ck_assert_msg(run.rc == 0, "%s: failed after %lld ms: %s", note,
	    (long long)(run.t_end - run.t0), strerror(run.err));
	ck_assert_msg(run.t_end - run.t0 >= STALL_MS + 100, "%s: took only "
	    "%lld ms: the buffers took it all", note,
	    (long long)(run.t_end - run.t0));
	ck_assert_int_ge(hook_calls, 2);
	tail = run.t_end - hook_last_ms;
	ck_assert_msg(hook_max_gap_ms < STALL_MS + 100 && tail < STALL_MS +
	    100, "%s: %d calls in %lld ms, %lld ms the longest without one, "
	    "%lld ms after the last", note, hook_calls,
	    (long long)(run.t_end - run.t0), (long long)hook_max_gap_ms,
	    (long long)tail);
	close(fd);
	free(data);
}

START_TEST(test_hook_heartbeat_sendfile)
{
	hook_heartbeat_case(true, _i);
}
END_TEST

START_TEST(test_hook_heartbeat_send)
{
	hook_heartbeat_case(false, _i);
}
END_TEST

/* ------------------------------------------------------------------ */
/* net_peer_name */

static void
peer_v4(struct sockaddr_storage *ss, const char *text)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	s4->sin_family = AF_INET;
	s4->sin_port = htons(8080);
	ck_assert_int_eq(inet_pton(AF_INET, text, &s4->sin_addr), 1);
}

static void
peer_v6(struct sockaddr_storage *ss, const char *text)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons(8080);
	ck_assert_int_eq(inet_pton(AF_INET6, text, &s6->sin6_addr), 1);
}

#define CANARY 0x5a

/* net_peer_name into cap bytes of a canaried buffer; checks the canary. */
static const char *
peer_name(const struct sockaddr_storage *ss, size_t cap)
{
	static char buf[NET_ADDR_MAX + 32];

	ck_assert_uint_le(cap + 16, sizeof(buf));
	memset(buf, CANARY, sizeof(buf));
	net_peer_name(ss, buf, cap);
	for (size_t i = cap; i < sizeof(buf); i++)
		ck_assert_msg((unsigned char)buf[i] == CANARY,
		    "cap %zu: byte %zu overwritten", cap, i);
	if (cap > 0)
		ck_assert_msg(memchr(buf, '\0', cap) != NULL,
		    "cap %zu: not terminated", cap);
	return buf;
}

START_TEST(test_peer_name)
{
	struct sockaddr_storage ss;
	struct sockaddr_un *su = (struct sockaddr_un *)&ss;

	peer_v4(&ss, "127.0.0.1");
	ck_assert_str_eq(peer_name(&ss, NET_ADDR_MAX), "127.0.0.1");
	peer_v4(&ss, "255.255.255.255");
	ck_assert_str_eq(peer_name(&ss, NET_ADDR_MAX), "255.255.255.255");
	peer_v6(&ss, "::1");
	ck_assert_str_eq(peer_name(&ss, NET_ADDR_MAX), "::1");
	peer_v6(&ss, "2001:db8::a:b");
	ck_assert_str_eq(peer_name(&ss, NET_ADDR_MAX), "2001:db8::a:b");
	peer_v6(&ss, "::ffff:10.1.2.3");
	ck_assert_str_eq(peer_name(&ss, NET_ADDR_MAX), "10.1.2.3");
	/* The longest IPv6 text fits NET_ADDR_MAX. */
	peer_v6(&ss, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	ck_assert_str_eq(peer_name(&ss, NET_ADDR_MAX),
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");

	memset(&ss, 0, sizeof(ss));
	su->sun_family = AF_UNIX;
	ck_assert_str_eq(peer_name(&ss, NET_ADDR_MAX), "-");
	memset(&ss, 0, sizeof(ss));
	ss.ss_family = AF_UNSPEC;
	ck_assert_str_eq(peer_name(&ss, NET_ADDR_MAX), "-");
}
END_TEST

START_TEST(test_peer_name_small)
{
	struct sockaddr_storage ss;

	/* "127.0.0.1" needs 10 bytes. */
	peer_v4(&ss, "127.0.0.1");
	ck_assert_str_eq(peer_name(&ss, 10), "127.0.0.1");
	ck_assert_str_eq(peer_name(&ss, 9), "-");
	ck_assert_str_eq(peer_name(&ss, 2), "-");
	ck_assert_str_eq(peer_name(&ss, 1), "");
	peer_name(&ss, 0);

	peer_v6(&ss, "::ffff:10.1.2.3");
	ck_assert_str_eq(peer_name(&ss, 9), "10.1.2.3");
	ck_assert_str_eq(peer_name(&ss, 8), "-");
	ck_assert_str_eq(peer_name(&ss, 1), "");
	peer_name(&ss, 0);

	peer_v6(&ss, "2001:db8::a:b");
	ck_assert_str_eq(peer_name(&ss, 14), "2001:db8::a:b");
	ck_assert_str_eq(peer_name(&ss, 13), "-");
	peer_name(&ss, 0);
}
END_TEST

/* ------------------------------------------------------------------ */
/* net_now_ms */

START_TEST(test_now_ms)
{
	int64_t a, b, c, prev;

	a = net_now_ms();
	ck_assert_int_gt(a, 0);
	sleep_ms(50);
	b = net_now_ms();
	ck_assert_msg(b >= a + 45, "advanced %lld ms over a 50 ms sleep",
	    (long long)(b - a));
	ck_assert_msg(b - a < 5000, "advanced %lld ms", (long long)(b - a));
	prev = b;
	for (int i = 0; i < 100000; i++) {
		c = net_now_ms();
		ck_assert_msg(c >= prev, "went back from %lld to %lld",
		    (long long)prev, (long long)c);
		prev = c;
	}
	/* The same clock as CLOCK_MONOTONIC. */
	c = now_ms() - net_now_ms();
	ck_assert_msg(c >= -50 && c <= 50, "net_now_ms is %lld ms off "
	    "CLOCK_MONOTONIC", (long long)c);
}
END_TEST

/* ------------------------------------------------------------------ */

static Suite *
net_suite(void)
{
	Suite *s = suite_create("net");
	TCase *tc;

	tc = tcase_create("listen");
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_listen_v4);
	tcase_add_test(tc, test_listen_v6);
	tcase_add_test(tc, test_listen_defer_accept);
	tcase_add_test(tc, test_listen_unresolvable);
	tcase_add_test(tc, test_listen_privileged);
	suite_add_tcase(s, tc);

	tc = tcase_create("io");
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_read_timeout);
	tcase_add_test(tc, test_read_data_and_eof);
	tcase_add_test(tc, test_send_iov);
	tcase_add_test(tc, test_send_iov_large);
	tcase_add_test(tc, test_send_timeout);
	tcase_add_test(tc, test_send_closed_peer);
	tcase_add_test(tc, test_sendfile);
	tcase_add_test(tc, test_sendfile_some);
	tcase_add_test(tc, test_sendfile_timeout);
	suite_add_tcase(s, tc);

	tc = tcase_create("stall");
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_sendfile_stall_renewed, 0,
	    NSTALL_MODES);
	tcase_add_loop_test(tc, test_send_stall_renewed, 0, NSTALL_MODES);
	tcase_add_loop_test(tc, test_sendfile_stall_stopped, 0,
	    NSTALL_MODES);
	tcase_add_loop_test(tc, test_send_stall_stopped, 0, NSTALL_MODES);
	tcase_add_test(tc, test_stall_deadline_edges);
	suite_add_tcase(s, tc);

	tc = tcase_create("progress-hook");
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_hook_called, 0, NHOOK_STALLS);
	tcase_add_loop_test(tc, test_hook_not_called, 0, NHOOK_STALLS);
	tcase_add_loop_test(tc, test_hook_heartbeat_sendfile, 0,
	    NSTALL_MODES);
	tcase_add_loop_test(tc, test_hook_heartbeat_send, 0, NSTALL_MODES);
	suite_add_tcase(s, tc);

	tc = tcase_create("misc");
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_peer_name);
	tcase_add_test(tc, test_peer_name_small);
	tcase_add_test(tc, test_now_ms);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(net_suite());
}
