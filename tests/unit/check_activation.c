/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_activation.c - activation.c: listeners passed as sd_listen_fds(3)
 * says.  Descriptors 3 and up are the ones Check itself may use, so each
 * test runs in a child of its own that puts real listening sockets
 * (127.0.0.1, ephemeral ports) at 3 and 4, sets LISTEN_PID to its own pid,
 * LISTEN_FDS and LISTEN_FDNAMES, and reports the first expectation that
 * failed through a pipe: taken, made non-blocking and close-on-exec, the
 * variables unset; found by the address a listen entry resolves to (a
 * literal or a name); owned; a socket no entry uses named; passed to
 * another pid, not ours and left alone; not a listening TCP socket, or a
 * malformed count, refused.
 */
#include "autoconf.h"

#include <sys/socket.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "activation.h"
#include "config.h"

#include "../lib/unit.h"

/* Where the child reports: far above the descriptors it passes. */
#define REPORT_FD 100

/* In the child: the first failed expectation goes to the parent. */
static void
child_fail(const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n > 0 && write(REPORT_FD, msg, strlen(msg)) < 0)
		_exit(3);
	_exit(1);
}

#define EXPECT(cond, ...) do { if (!(cond)) child_fail(__VA_ARGS__); } \
	while (0)

/* A socket on 127.0.0.1 at fd at: listening (tcp), bound only, or UDP. */
enum kind { LISTENING, BOUND, UDP };

static uint16_t
put_socket(int at, enum kind kind)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, kind == UDP ? SOCK_DGRAM : SOCK_STREAM, 0);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	EXPECT(fd >= 0 && bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0,
	    "socket/bind: %s", strerror(errno));
	EXPECT(kind != LISTENING || listen(fd, 8) == 0, "listen: %s",
	    strerror(errno));
	EXPECT(getsockname(fd, (struct sockaddr *)&sin, &len) == 0,
	    "getsockname");
	if (fd != at) {
		EXPECT(dup2(fd, at) == at, "dup2 %d: %s", at, strerror(errno));
		close(fd);
	}
	return ntohs(sin.sin_port);
}

static void
set_env(pid_t pid, const char *fds, const char *names)
{
	char p[32];

	snprintf(p, sizeof(p), "%ld", (long)pid);
	setenv("LISTEN_PID", p, 1);
	setenv("LISTEN_FDS", fds, 1);
	if (names != NULL)
		setenv("LISTEN_FDNAMES", names, 1);
	else
		unsetenv("LISTEN_FDNAMES");
}

static bool
env_gone(void)
{
	return getenv("LISTEN_PID") == NULL && getenv("LISTEN_FDS") == NULL &&
	    getenv("LISTEN_FDNAMES") == NULL;
}

/* A listen entry as config.c makes one. */
static struct config_listen
entry(const char *host, uint16_t port, int family, char *portbuf)
{
	struct config_listen l;

	sprintf(portbuf, "%u", (unsigned)port);
	l.spec = (char *)"test";
	l.host = (char *)host;
	l.port = portbuf;
	l.family = family;
	return l;
}

/* Runs fn in a child; fails the test with the child's report. */
static void
in_child(void (*fn)(void))
{
	char msg[600] = "";
	int p[2], st = 0;
	ssize_t n;
	pid_t pid;

	ck_assert_int_eq(pipe(p), 0);
	fflush(NULL);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		alarm(10);
		if (dup2(p[1], REPORT_FD) != REPORT_FD)
			_exit(4);
		close(p[0]);
		close(p[1]);
		fn();
		_exit(0);
	}
	close(p[1]);
	n = read(p[0], msg, sizeof(msg) - 1);
	close(p[0]);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	msg[n > 0 ? n : 0] = '\0';
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "child: status 0x%x: %s", (unsigned)st, msg);
}

/* ------------------------------------------------------------------ */

static void
take_two(void)
{
	uint16_t p1 = put_socket(3, LISTENING), p2 = put_socket(4, LISTENING);
	struct config_listen l;
	char port[8], err[512];
	const int both[] = { 3, 4 }, one[] = { 3 };
	const char *d;
	int n;

	set_env(getpid(), "2", "web:extra");
	n = activation_take(err, sizeof(err));
	EXPECT(n == 2, "activation_take: %d (%s)", n, n < 0 ? err : "");
	EXPECT(env_gone(), "the LISTEN_ variables are still set");
	for (int fd = 3; fd <= 4; fd++) {
		EXPECT(fcntl(fd, F_GETFL) & O_NONBLOCK, "fd %d blocks", fd);
		EXPECT(fcntl(fd, F_GETFD) & FD_CLOEXEC, "fd %d not cloexec",
		    fd);
		EXPECT(activation_owns(fd), "fd %d not owned", fd);
	}
	EXPECT(!activation_owns(5) && !activation_owns(-1), "owns fd 5");
	l = entry("127.0.0.1", p1, AF_INET, port);
	EXPECT(activation_find(&l) == 3, "127.0.0.1:%u not found at fd 3", p1);
	l = entry("127.0.0.1", p2, AF_INET, port);
	EXPECT(activation_find(&l) == 4, "127.0.0.1:%u not found at fd 4", p2);
	/* A name: any of the addresses it resolves to. */
	l = entry("localhost", p2, AF_UNSPEC, port);
	EXPECT(activation_find(&l) == 4, "localhost:%u not found", p2);
	/* The same port on another address is another socket. */
	l = entry(NULL, p1, AF_INET, port);
	EXPECT(activation_find(&l) == -1, "*:%u matched 127.0.0.1:%u", p1, p1);
	l = entry("::1", p1, AF_INET6, port);
	EXPECT(activation_find(&l) == -1, "[::1]:%u matched 127.0.0.1", p1);
	d = activation_describe(4);
	EXPECT(d != NULL && strcmp(d, "fd 4, \"extra\"") == 0,
	    "describe(4): %s", d ? d : "NULL");
	EXPECT(activation_describe(5) == NULL, "describe(5) not NULL");
	EXPECT(activation_check_used(both, 2, err, sizeof(err)) == 0,
	    "both used, yet: %s", err);
	EXPECT(activation_check_used(one, 1, err, sizeof(err)) == -1,
	    "fd 4 unused, yet accepted");
	snprintf(port, sizeof(port), ":%u", (unsigned)p2);
	EXPECT(strstr(err, "\"extra\"") && strstr(err, port) &&
	    strstr(err, "matches no listen entry"), "unused: %s", err);
}

START_TEST(test_take_two)
{
	in_child(take_two);
}
END_TEST

/* A listener on [::1] at fd 3: matched by "[::1]:port", not 127.0.0.1. */
static void
ipv6(void)
{
	struct sockaddr_in6 s6;
	socklen_t len = sizeof(s6);
	struct config_listen l;
	char port[8], err[512];
	int fd = socket(AF_INET6, SOCK_STREAM, 0), one = 1;
	uint16_t p;

	memset(&s6, 0, sizeof(s6));
	s6.sin6_family = AF_INET6;
	s6.sin6_addr = in6addr_loopback;
	EXPECT(fd >= 0 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
	    sizeof(one)) == 0 && bind(fd, (struct sockaddr *)&s6,
	    sizeof(s6)) == 0 && listen(fd, 8) == 0 &&
	    getsockname(fd, (struct sockaddr *)&s6, &len) == 0,
	    "[::1]: %s", strerror(errno));
	EXPECT(dup2(fd, 3) == 3, "dup2: %s", strerror(errno));
	close(fd);
	p = ntohs(s6.sin6_port);
	set_env(getpid(), "1", "v6");
	EXPECT(activation_take(err, sizeof(err)) == 1, "not taken: %s", err);
	l = entry("::1", p, AF_INET6, port);
	EXPECT(activation_find(&l) == 3, "[::1]:%u not found", p);
	l = entry("127.0.0.1", p, AF_INET, port);
	EXPECT(activation_find(&l) == -1, "127.0.0.1:%u matched [::1]", p);
	EXPECT(activation_check_used((const int[]){ 5 }, 1, err,
	    sizeof(err)) == -1 && strstr(err, "[::1]:"), "unused: %s", err);
}

START_TEST(test_ipv6)
{
	in_child(ipv6);
}
END_TEST

/* Without LISTEN_FDNAMES the names are "unknown", as sd_listen_fds(3). */
static void
no_names(void)
{
	char err[512];
	const char *d;

	put_socket(3, LISTENING);
	set_env(getpid(), "1", NULL);
	EXPECT(activation_take(err, sizeof(err)) == 1, "not taken: %s", err);
	d = activation_describe(3);
	EXPECT(d != NULL && strstr(d, "\"unknown\""), "describe: %s",
	    d ? d : "NULL");
}

START_TEST(test_no_names)
{
	in_child(no_names);
}
END_TEST

/* LISTEN_PID of another process (our parent exec'd us): not ours. */
static void
other_pid(void)
{
	char err[512];
	int flags;

	put_socket(3, LISTENING);
	flags = fcntl(3, F_GETFL);
	set_env(getppid(), "1", "web");
	EXPECT(activation_take(err, sizeof(err)) == 0, "taken for another pid");
	EXPECT(env_gone(), "the LISTEN_ variables are still set");
	EXPECT(!activation_owns(3), "fd 3 owned");
	EXPECT(fcntl(3, F_GETFL) == flags, "fd 3 changed");
}

START_TEST(test_other_pid)
{
	in_child(other_pid);
}
END_TEST

/* Nothing passed: nothing taken, no error. */
static void
none(void)
{
	char err[512];
	struct config_listen l;
	char port[8];

	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	EXPECT(activation_take(err, sizeof(err)) == 0, "taken from nothing");
	l = entry("127.0.0.1", 80, AF_INET, port);
	EXPECT(activation_find(&l) == -1, "found without any passed");
	EXPECT(activation_check_used(NULL, 0, err, sizeof(err)) == 0,
	    "check without any passed: %s", err);
}

START_TEST(test_none)
{
	in_child(none);
}
END_TEST

/* fd 3 bound but not listening (_i 0), or UDP (_i 1): refused. */
static int bad_kind;

static void
not_listening(void)
{
	char err[512];

	put_socket(3, bad_kind == 0 ? BOUND : UDP);
	set_env(getpid(), "1", "web");
	EXPECT(activation_take(err, sizeof(err)) == -1, "taken");
	EXPECT(strstr(err, "not a listening TCP socket") &&
	    strstr(err, "fd 3, \"web\""), "error: %s", err);
	EXPECT(env_gone(), "the LISTEN_ variables are still set");
	EXPECT(!activation_owns(3), "a refused fd is owned");
}

START_TEST(test_not_listening)
{
	bad_kind = _i;
	in_child(not_listening);
}
END_TEST

/* Passed fd 3 is not open at all. */
static void
closed_fd(void)
{
	char err[512];

	close(3);
	set_env(getpid(), "1", NULL);
	EXPECT(activation_take(err, sizeof(err)) == -1, "taken");
	EXPECT(strstr(err, "not a socket") != NULL, "error: %s", err);
}

START_TEST(test_closed_fd)
{
	in_child(closed_fd);
}
END_TEST

static const char *const bad_counts[] = { "x", "-1", "1025", "" };
static int bad_count;

static void
bad_fds(void)
{
	char err[512];

	set_env(getpid(), bad_counts[bad_count], NULL);
	EXPECT(activation_take(err, sizeof(err)) == -1, "LISTEN_FDS=%s taken",
	    bad_counts[bad_count]);
	EXPECT(strstr(err, "LISTEN_FDS") != NULL, "error: %s", err);
	EXPECT(env_gone(), "the LISTEN_ variables are still set");
}

START_TEST(test_bad_count)
{
	bad_count = _i;
	in_child(bad_fds);
}
END_TEST

static Suite *
activation_suite(void)
{
	Suite *s = suite_create("activation");
	TCase *tc = tcase_create("activation");

	tcase_add_test(tc, test_take_two);
	tcase_add_test(tc, test_ipv6);
	tcase_add_test(tc, test_no_names);
	tcase_add_test(tc, test_other_pid);
	tcase_add_test(tc, test_none);
	tcase_add_loop_test(tc, test_not_listening, 0, 2);
	tcase_add_test(tc, test_closed_fd);
	tcase_add_loop_test(tc, test_bad_count, 0,
	    (int)(sizeof(bad_counts) / sizeof(bad_counts[0])));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(activation_suite());
}
