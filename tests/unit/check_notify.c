/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_notify.c - notify.c: the sd_notify(3) datagrams.  A socket of the
 * test's own stands in for the service manager, at a path and at an
 * abstract name; NOTIFY_SOCKET is read once and unset; a message is the
 * state and a STATUS= line with its newlines flattened, cut to size but
 * never malformed; RELOADING=1 carries CLOCK_MONOTONIC in microseconds;
 * values that are no address, and a socket nobody reads, make the calls
 * fail without blocking.
 */
#include "autoconf.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>

#include "notify.h"

#include "../lib/unit.h"

static char scratch[PATH_MAX];
static int rx = -1;
static char rx_name[sizeof(((struct sockaddr_un *)0)->sun_path)];

static void
setup(void)
{
	unsetenv("NOTIFY_SOCKET");
	unit_scratch_dir(scratch, sizeof(scratch), "notify");
	rx = -1;
}

static void
teardown(void)
{
	if (rx >= 0)
		close(rx);
	unit_rmtree(scratch);
}

/* Binds the stand-in at a path in scratch or an abstract name; returns
 * the NOTIFY_SOCKET value. */
static const char *
bind_rx(bool abstract)
{
	struct sockaddr_un sa;
	size_t n;

	rx = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(rx, 0);
	if (abstract)
		snprintf(rx_name, sizeof(rx_name), "@forkhttpd-check-notify-%ld",
		    (long)getpid());
	else
		ck_assert_msg((size_t)snprintf(rx_name, sizeof(rx_name), "%s/n",
		    scratch) < sizeof(rx_name), "scratch path too long");
	n = strlen(rx_name);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, rx_name, n);
	if (abstract)
		sa.sun_path[0] = '\0';
	ck_assert_int_eq(bind(rx, (struct sockaddr *)&sa,
	    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + !abstract)),
	    0);
	return rx_name;
}

/* The next datagram, within 2 s; its length (out NUL-terminated). */
static size_t
recv_msg(char *out, size_t cap)
{
	struct pollfd p = { .fd = rx, .events = POLLIN };
	ssize_t n;

	ck_assert_msg(poll(&p, 1, 2000) == 1, "no message within 2 s");
	n = recv(rx, out, cap - 1, 0);
	ck_assert_int_ge(n, 0);
	out[n] = '\0';
	return (size_t)n;
}

static bool
nothing_pending(void)
{
	struct pollfd p = { .fd = rx, .events = POLLIN };

	return poll(&p, 1, 0) == 0;
}

START_TEST(test_unset_is_off)
{
	ck_assert(!notify_init());
	ck_assert(!notify_enabled());
	ck_assert_int_eq(notify_send("READY=1", NULL), -1);
	ck_assert_int_eq(notify_reloading("x"), -1);
}
END_TEST

/* _i 0: a path; 1: an abstract name. */
START_TEST(test_ready_with_status)
{
	char msg[4096];

	setenv("NOTIFY_SOCKET", bind_rx(_i == 1), 1);
	ck_assert(notify_init());
	ck_assert_msg(getenv("NOTIFY_SOCKET") == NULL,
	    "NOTIFY_SOCKET left for the workers to inherit");
	ck_assert(notify_enabled());
	ck_assert_int_eq(notify_send("READY=1", "generation 1:\n4 workers"), 0);
	recv_msg(msg, sizeof(msg));
	ck_assert_str_eq(msg, "READY=1\nSTATUS=generation 1: 4 workers");
	ck_assert_int_eq(notify_send("STOPPING=1", NULL), 0);
	recv_msg(msg, sizeof(msg));
	ck_assert_str_eq(msg, "STOPPING=1");
}
END_TEST

START_TEST(test_reloading_monotonic)
{
	char msg[4096], *p, *end;
	struct timespec a, b;
	unsigned long long t, lo, hi;

	setenv("NOTIFY_SOCKET", bind_rx(false), 1);
	ck_assert(notify_init());
	clock_gettime(CLOCK_MONOTONIC, &a);
	ck_assert_int_eq(notify_reloading("reloading x"), 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	recv_msg(msg, sizeof(msg));
	ck_assert_msg(strncmp(msg, "RELOADING=1\nMONOTONIC_USEC=", 27) == 0,
	    "not RELOADING=1 then MONOTONIC_USEC=: %s", msg);
	p = msg + 27;
	errno = 0;
	t = strtoull(p, &end, 10);
	ck_assert_msg(errno == 0 && end > p && strcmp(end,
	    "\nSTATUS=reloading x") == 0, "malformed: %s", msg);
	lo = (unsigned long long)a.tv_sec * 1000000 +
	    (unsigned long long)a.tv_nsec / 1000;
	hi = (unsigned long long)b.tv_sec * 1000000 +
	    (unsigned long long)b.tv_nsec / 1000;
	ck_assert_msg(t >= lo && t <= hi, "MONOTONIC_USEC=%llu outside the "
	    "call (%llu..%llu)", t, lo, hi);
}
END_TEST

/* A status longer than a message: cut, the state intact, one datagram. */
START_TEST(test_long_status_cut)
{
	char msg[8192], status[5000];

	setenv("NOTIFY_SOCKET", bind_rx(false), 1);
	ck_assert(notify_init());
	memset(status, 'e', sizeof(status) - 1);
	status[sizeof(status) - 1] = '\0';
	status[100] = '\n';
	ck_assert_int_eq(notify_send("READY=1", status), 0);
	ck_assert_uint_lt(recv_msg(msg, sizeof(msg)), sizeof(status));
	ck_assert_msg(strncmp(msg, "READY=1\nSTATUS=eee", 18) == 0 &&
	    strchr(msg + 8, '\n') == NULL, "malformed: %.40s", msg);
	ck_assert(nothing_pending());
}
END_TEST

static const char *const bad_values[] = {
	"relative/path", "@", "", "vsock:2:1234",
	/* 108 bytes and its NUL: one too many for sun_path */
	"/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
};

START_TEST(test_bad_value_ignored)
{
	setenv("NOTIFY_SOCKET", bad_values[_i], 1);
	ck_assert_msg(!notify_init(), "NOTIFY_SOCKET=%s accepted",
	    bad_values[_i]);
	ck_assert(getenv("NOTIFY_SOCKET") == NULL);
	ck_assert_int_eq(notify_send("READY=1", NULL), -1);
}
END_TEST

/* The longest path sun_path holds, with its NUL, is taken. */
START_TEST(test_longest_path_taken)
{
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];

	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	setenv("NOTIFY_SOCKET", path, 1);
	ck_assert(notify_init());
}
END_TEST

/* Nobody at the address: the call fails, at once. */
START_TEST(test_no_listener_fails)
{
	char path[PATH_MAX];
	int64_t t0;

	unit_path(path, sizeof(path), scratch, "nobody");
	setenv("NOTIFY_SOCKET", path, 1);
	ck_assert(notify_init());
	t0 = unit_now_ms();
	ck_assert_int_eq(notify_send("READY=1", "x"), -1);
	ck_assert_int_lt(unit_now_ms() - t0, 1000);
}
END_TEST

/* A stand-in that does not read: the master must not block on it. */
START_TEST(test_full_queue_never_blocks)
{
	int64_t t0;
	int failed = 0;

	setenv("NOTIFY_SOCKET", bind_rx(false), 1);
	ck_assert(notify_init());
	t0 = unit_now_ms();
	/* The receive queue holds max_dgram_qlen (512 or less) messages. */
	for (int i = 0; i < 2000 && failed == 0; i++)
		failed += notify_send("READY=1", "filling") < 0;
	ck_assert_msg(failed == 1, "2000 messages to a socket nobody reads "
	    "were all sent");
	ck_assert_int_lt(unit_now_ms() - t0, 5000);
}
END_TEST

static Suite *
notify_suite(void)
{
	Suite *s = suite_create("notify");
	TCase *tc = tcase_create("notify");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_unset_is_off);
	tcase_add_loop_test(tc, test_ready_with_status, 0, 2);
	tcase_add_test(tc, test_reloading_monotonic);
	tcase_add_test(tc, test_long_status_cut);
	tcase_add_loop_test(tc, test_bad_value_ignored, 0,
	    (int)(sizeof(bad_values) / sizeof(bad_values[0])));
	tcase_add_test(tc, test_longest_path_taken);
	tcase_add_test(tc, test_no_listener_fails);
	tcase_add_test(tc, test_full_queue_never_blocks);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(notify_suite());
}
