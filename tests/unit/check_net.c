/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_net.c - listeners (binding, errors, flags, deferred accept), peer
 * names and the clock.  Everything binds to loopback (127.0.0.1, ::1).
 * The I/O on connections is sock.c's now: check_sock.c.
 */
#include "autoconf.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
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
	/* It never goes back, sampled for 20 ms. */
	prev = b;
	for (int64_t end = now_ms() + 20; now_ms() < end;) {
		c = net_now_ms();
		if (c < prev)
			ck_abort_msg("went back from %lld to %lld",
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
