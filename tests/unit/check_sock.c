/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_sock.c - the connection I/O layer over real non-blocking
 * sockets: a stream socketpair and loopback TCP (127.0.0.1, an
 * ephemeral port), each test run over both where the kind matters.
 * Reads (SOCK_AGAIN, data, end of stream, reset), writev (parts, MSG_MORE,
 * partial writes into a full socket, a peer that has gone), the iovec
 * bookkeeping, sendfile() and its pread+write fallback (forced, and
 * chosen by the kernel's refusal), the send queue, shutdown and close.
 *
 * Nothing here waits without a deadline: the peer is read between calls
 * in the test's own loop, and every loop ends at DEADLINE_MS at the
 * latest (a failure, never a silent pass).
 */
#include "autoconf.h"

#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "sock.h"

#include "../lib/unit.h"

/* What any one loop of a test may take. */
#define DEADLINE_MS 10000

/* Socket buffers that fill after a few tens of KiB. */
#define SMALL_BUF (16 * 1024)

#define FILE_SIZE (300 * 1024)

/* ------------------------------------------------------------------ */
/* Helpers */

/*
 * Waits until srv can take bytes or peer has some to read, at most
 * until deadline; its passing fails the test (why says what waited).
 */
static void
wait_either(int srv, int peer, int64_t deadline, const char *why)
{
	struct pollfd pfd[2] = {
		{ .fd = srv, .events = POLLOUT },
		{ .fd = peer, .events = POLLIN },
	};
	int64_t left = deadline - unit_now_ms();
	int rc;

	ck_assert_msg(left > 0, "%s: still waiting after %d ms", why,
	    DEADLINE_MS);
	rc = poll(pfd, 2, left > 100 ? 100 : (int)left);
	ck_assert_msg(rc >= 0 || errno == EINTR, "poll: %s", strerror(errno));
}

/* Reads peer until want bytes are in buf (cap), or fails at deadline. */
static void
read_until(int peer, char *buf, size_t cap, size_t *len, size_t want,
    int64_t deadline)
{
	while (*len < want) {
		unit_drain(peer, buf, cap, len);
		if (*len >= want)
			break;
		ck_assert_msg(unit_wait_fd(peer, POLLIN, deadline),
		    "%zu of %zu bytes by the deadline", *len, want);
	}
}

/*
 * Writes all of iov[0..cnt) with sock_writev(), reading the peer into
 * got between calls.  Returns how many calls said SOCK_AGAIN.
 */
static int
write_all(struct sock *s, int peer, struct iovec *iov, int cnt, char *got,
    size_t cap, size_t *glen)
{
	int64_t deadline = unit_now_ms() + DEADLINE_MS;
	int again = 0;

	while (cnt > 0) {
		ssize_t n = sock_writev(s, iov, cnt, false);

		if (n == SOCK_AGAIN) {
			again++;
			unit_drain(peer, got, cap, glen);
			wait_either(s->fd, peer, deadline, "write_all");
			continue;
		}
		ck_assert_msg(n > 0, "sock_writev: %zd: %s", n,
		    strerror(errno));
		sock_iov_consume(&iov, &cnt, (size_t)n);
		unit_drain(peer, got, cap, glen);
	}
	return again;
}

/*
 * Sends [*off, *off + len) of fd with sock_sendfile(), reading the peer
 * into got between calls, until all went out or a call failed.  Checks
 * that each call moves *off by what it returns, and SOCK_AGAIN not at
 * all.  Returns 0, or -1 with the failed call's errno; *again (if not
 * NULL) counts the SOCK_AGAINs.
 */
static int
send_file(struct sock *s, int peer, int fd, off_t *off, size_t len,
    char *got, size_t cap, size_t *glen, int *again)
{
	int64_t deadline = unit_now_ms() + DEADLINE_MS;
	off_t end = *off + (off_t)len;

	while (*off < end) {
		off_t before = *off;
		ssize_t n = sock_sendfile(s, fd, off, (size_t)(end - *off));

		if (n == SOCK_AGAIN) {
			ck_assert_int_eq(*off, before);
			if (again != NULL)
				(*again)++;
			unit_drain(peer, got, cap, glen);
			wait_either(s->fd, peer, deadline, "send_file");
			continue;
		}
		if (n < 0) {
			int err = errno;

			ck_assert_int_eq(*off, before);
			errno = err;
			return -1;
		}
		ck_assert_msg(n > 0, "sock_sendfile returned 0");
		ck_assert_int_eq(*off, before + n);
		unit_drain(peer, got, cap, glen);
	}
	return 0;
}

/* Fills s until SOCK_AGAIN, the peer not reading; returns the bytes. */
static size_t
fill_until_again(struct sock *s)
{
	static char chunk[65536];
	int64_t deadline = unit_now_ms() + DEADLINE_MS;
	size_t total = 0;

	memset(chunk, 'f', sizeof(chunk));
	for (;;) {
		struct iovec iov = { .iov_base = chunk,
		    .iov_len = sizeof(chunk) };
		ssize_t n = sock_writev(s, &iov, 1, false);

		if (n == SOCK_AGAIN)
			return total;
		ck_assert_msg(n > 0, "sock_writev: %s", strerror(errno));
		total += (size_t)n;
		ck_assert_msg(unit_now_ms() < deadline, "the socket took %zu "
		    "bytes and is still not full", total);
	}
}

/* ------------------------------------------------------------------ */
/* sock_read */

START_TEST(test_read)
{
	struct sock s;
	char buf[64];
	int srv, cli;
	int64_t deadline = unit_now_ms() + DEADLINE_MS;

	unit_pair(_i, 0, &srv, &cli);
	sock_init(&s, srv);
	ck_assert_int_eq(s.fd, srv);
	ck_assert(!s.no_sendfile);

	/* Nothing there yet: later, which is neither an error nor the end. */
	ck_assert_int_eq(sock_read(&s, buf, sizeof(buf)), SOCK_AGAIN);

	ck_assert_int_eq(write(cli, "hello", 5), 5);
	ck_assert(unit_wait_fd(srv, POLLIN, deadline));
	ck_assert_int_eq(sock_read(&s, buf, sizeof(buf)), 5);
	ck_assert(memcmp(buf, "hello", 5) == 0);
	ck_assert_int_eq(sock_read(&s, buf, sizeof(buf)), SOCK_AGAIN);

	/* cap bounds the read; the rest waits for the next. */
	ck_assert_int_eq(write(cli, "abcdef", 6), 6);
	ck_assert(unit_wait_fd(srv, POLLIN, deadline));
	ck_assert_int_eq(sock_read(&s, buf, 2), 2);
	ck_assert(memcmp(buf, "ab", 2) == 0);
	ck_assert_int_eq(sock_read(&s, buf, sizeof(buf)), 4);
	ck_assert(memcmp(buf, "cdef", 4) == 0);
	ck_assert_int_eq(sock_read(&s, buf, sizeof(buf)), SOCK_AGAIN);

	/* The peer closes: 0, and 0 again. */
	close(cli);
	ck_assert(unit_wait_fd(srv, POLLIN, deadline));
	ck_assert_int_eq(sock_read(&s, buf, sizeof(buf)), 0);
	ck_assert_int_eq(sock_read(&s, buf, sizeof(buf)), 0);

	/* Closed: -1 at once, twice closing is harmless. */
	sock_close(&s);
	ck_assert_int_eq(s.fd, -1);
	ck_assert_int_eq(fcntl(srv, F_GETFD), -1);
	sock_close(&s);
	ck_assert_int_eq(s.fd, -1);
	errno = 0;
	ck_assert_int_eq(sock_read(&s, buf, sizeof(buf)), -1);
	ck_assert_int_eq(errno, EBADF);
}
END_TEST

/* A reset is an error with its errno, not the end and not "later". */
START_TEST(test_read_reset)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	struct sock s;
	char buf[16];
	int srv, cli;
	ssize_t n;

	unit_pair(UNIT_PAIR_TCP, 0, &srv, &cli);
	sock_init(&s, srv);
	ck_assert_int_eq(setsockopt(cli, SOL_SOCKET, SO_LINGER, &lg,
	    sizeof(lg)), 0);
	close(cli);
	ck_assert(unit_wait_fd(srv, POLLIN, unit_now_ms() + DEADLINE_MS));
	errno = 0;
	n = sock_read(&s, buf, sizeof(buf));
	ck_assert_msg(n == -1 && errno == ECONNRESET, "read after a reset: "
	    "%zd, %s", n, strerror(errno));
	sock_close(&s);
}
END_TEST

/* ------------------------------------------------------------------ */
/* sock_writev */

START_TEST(test_writev_parts)
{
	static const char *parts[] = { "HTTP/1.1 200 OK\r\n", "", "X: y\r\n",
	    "\r\n", "b", "ody" };
	char want[128], got[128];
	struct iovec iov[6];
	struct sock s;
	size_t total = 0, len = 0;
	int srv, cli;

	unit_pair(_i, 0, &srv, &cli);
	sock_init(&s, srv);
	for (size_t i = 0; i < 6; i++) {
		iov[i].iov_base = (void *)(uintptr_t)parts[i];
		iov[i].iov_len = strlen(parts[i]);
		memcpy(want + total, parts[i], iov[i].iov_len);
		total += iov[i].iov_len;
	}
	ck_assert_int_eq(sock_writev(&s, iov, 6, false), (ssize_t)total);
	/* Not consumed: the caller does that (sock_iov_consume). */
	ck_assert_uint_eq(iov[0].iov_len, strlen(parts[0]));
	read_until(cli, got, sizeof(got), &len, total,
	    unit_now_ms() + DEADLINE_MS);
	ck_assert_uint_eq(len, total);
	ck_assert(memcmp(got, want, total) == 0);
	/* Nothing to write is no error. */
	ck_assert_int_eq(sock_writev(&s, iov, 0, false), 0);
	sock_close(&s);
	close(cli);
}
END_TEST

/*
 * more (MSG_MORE) holds a partial TCP segment back for what follows (the
 * kernel's cork timer: tcp(7), up to 200 ms); without it the bytes go at
 * once.  Readable sooner than 100 ms after a "more" write means it was
 * not held; a process descheduled past that proves nothing but does not
 * fail.
 */
START_TEST(test_writev_more)
{
	struct iovec iov = { .iov_base = (void *)(uintptr_t)"head",
	    .iov_len = 4 };
	struct pollfd pfd;
	struct sock s;
	char got[16];
	size_t len = 0;
	int srv, cli, r;
	int64_t t0, el;

	unit_pair(UNIT_PAIR_TCP, 0, &srv, &cli);
	sock_init(&s, srv);
	ck_assert_int_eq(sock_writev(&s, &iov, 1, true), 4);
	pfd.fd = cli;
	pfd.events = POLLIN;
	t0 = unit_now_ms();
	r = poll(&pfd, 1, 100);
	el = unit_now_ms() - t0;
	ck_assert_msg(r == 0 || el >= 100, "\"more\" data readable after "
	    "%lld ms: not held back", (long long)el);

	/* What follows without more pushes both out at once. */
	iov.iov_base = (void *)(uintptr_t)"body";
	ck_assert_int_eq(sock_writev(&s, &iov, 1, false), 4);
	ck_assert_msg(poll(&pfd, 1, 100) == 1, "nothing readable 100 ms "
	    "after a write without more");
	read_until(cli, got, sizeof(got), &len, 8, unit_now_ms() +
	    DEADLINE_MS);
	ck_assert(memcmp(got, "headbody", 8) == 0);
	sock_close(&s);
	close(cli);
}
END_TEST

/*
 * More than the socket holds: a partial write, then SOCK_AGAIN while the
 * peer does not read; then, as the peer reads, the rest, in order.
 */
START_TEST(test_writev_full)
{
	const size_t sizes[] = { 1, 0, 600000, 3, 400000 };
	struct iovec iov_mem[5], *iov = iov_mem;
	struct sock s;
	char *data, *got;
	size_t total = 0, off = 0, sent = 0, len = 0;
	int srv, cli, cnt = 5;
	ssize_t n;
	int64_t deadline = unit_now_ms() + DEADLINE_MS;

	for (size_t i = 0; i < 5; i++)
		total += sizes[i];
	data = malloc(total);
	got = malloc(total);
	ck_assert(data != NULL && got != NULL);
	unit_fill_pattern(data, total, 5);
	for (size_t i = 0; i < 5; i++) {
		iov[i].iov_base = data + off;
		iov[i].iov_len = sizes[i];
		off += sizes[i];
	}
	unit_pair(_i, SMALL_BUF, &srv, &cli);
	sock_init(&s, srv);

	n = sock_writev(&s, iov, cnt, false);
	ck_assert_msg(n > 0 && (size_t)n < total, "%s: first write %zd of "
	    "%zu", unit_pair_name(_i), n, total);
	for (;;) {
		sock_iov_consume(&iov, &cnt, (size_t)n);
		sent += (size_t)n;
		ck_assert_int_gt(cnt, 0);
		n = sock_writev(&s, iov, cnt, false);
		if (n == SOCK_AGAIN)
			break;
		ck_assert_msg(n > 0, "sock_writev: %s", strerror(errno));
		ck_assert_msg(unit_now_ms() < deadline, "%zu bytes into a "
		    "peer that does not read", sent);
	}
	ck_assert_uint_lt(sent, total);
	/* What is left starts where the socket stopped taking. */
	ck_assert_ptr_eq(iov->iov_base, data + sent);

	write_all(&s, cli, iov, cnt, got, total, &len);
	ck_assert_int_eq(sock_shutdown_write(&s), 0);
	unit_read_to_eof(cli, got, total, &len, deadline);
	ck_assert_uint_eq(len, total);
	ck_assert(memcmp(got, data, total) == 0);
	sock_close(&s);
	close(cli);
	free(data);
	free(got);
}
END_TEST

/*
 * A peer that has gone: -1 with EPIPE or ECONNRESET, never SIGPIPE.  It
 * is left at its default here: raised, it would kill this process and
 * Check would report the signal.
 */
START_TEST(test_writev_closed_peer)
{
	static char chunk[65536];
	struct iovec iov = { .iov_base = chunk, .iov_len = sizeof(chunk) };
	struct sigaction sa;
	struct sock s;
	int srv, cli;
	ssize_t n;
	int64_t deadline = unit_now_ms() + DEADLINE_MS;

	ck_assert_int_eq(sigaction(SIGPIPE, NULL, &sa), 0);
	ck_assert_msg(sa.sa_handler == SIG_DFL, "SIGPIPE is not SIG_DFL");
	unit_pair(_i, 0, &srv, &cli);
	sock_init(&s, srv);
	close(cli);
	/* TCP may take a send or two before the peer's reset comes back. */
	while ((n = sock_writev(&s, &iov, 1, false)) != -1) {
		ck_assert_msg(unit_now_ms() < deadline, "writes to a closed "
		    "peer still succeed (%zd)", n);
		unit_wait_fd(srv, POLLOUT, unit_now_ms() + 10);
	}
	ck_assert_msg(errno == EPIPE || errno == ECONNRESET, "errno %s",
	    strerror(errno));
	if (_i == UNIT_PAIR_UNIX)
		ck_assert_int_eq(errno, EPIPE);
	sock_close(&s);
}
END_TEST

/* ------------------------------------------------------------------ */
/* sock_iov_consume */

/* The bytes iov[0..cnt) still holds, as a string. */
static const char *
rest(const struct iovec *iov, int cnt)
{
	static char buf[64];
	size_t len = 0;

	for (int i = 0; i < cnt; i++) {
		ck_assert_uint_lt(len + iov[i].iov_len, sizeof(buf));
		memcpy(buf + len, iov[i].iov_base, iov[i].iov_len);
		len += iov[i].iov_len;
	}
	buf[len] = '\0';
	return buf;
}

/* "abcd", "", "efghij", "klm" */
static void
iov_set(struct iovec *iov)
{
	static char a[] = "abcd", e[] = "", c[] = "efghij", d[] = "klm";

	iov[0].iov_base = a;
	iov[0].iov_len = 4;
	iov[1].iov_base = e;
	iov[1].iov_len = 0;
	iov[2].iov_base = c;
	iov[2].iov_len = 6;
	iov[3].iov_base = d;
	iov[3].iov_len = 3;
}

START_TEST(test_iov_consume)
{
	struct iovec base[4], *iov;
	int cnt;

	/* 0: nothing moves. */
	iov_set(base);
	iov = base;
	cnt = 4;
	sock_iov_consume(&iov, &cnt, 0);
	ck_assert_ptr_eq(iov, base);
	ck_assert_int_eq(cnt, 4);
	ck_assert_uint_eq(base[0].iov_len, 4);
	ck_assert_str_eq(rest(iov, cnt), "abcdefghijklm");

	/* Inside the first. */
	iov_set(base);
	iov = base;
	cnt = 4;
	sock_iov_consume(&iov, &cnt, 1);
	ck_assert_ptr_eq(iov, base);
	ck_assert_int_eq(cnt, 4);
	ck_assert_uint_eq(base[0].iov_len, 3);
	ck_assert_str_eq(rest(iov, cnt), "bcdefghijklm");

	/*
	 * Exactly at the end of the first: it goes, and so does the empty
	 * one after it; the next is untouched.
	 */
	iov_set(base);
	iov = base;
	cnt = 4;
	sock_iov_consume(&iov, &cnt, 4);
	ck_assert_ptr_eq(iov, base + 2);
	ck_assert_int_eq(cnt, 2);
	ck_assert_uint_eq(base[2].iov_len, 6);
	ck_assert_str_eq(rest(iov, cnt), "efghijklm");

	/* Across two, ending inside the third. */
	iov_set(base);
	iov = base;
	cnt = 4;
	sock_iov_consume(&iov, &cnt, 7);
	ck_assert_ptr_eq(iov, base + 2);
	ck_assert_int_eq(cnt, 2);
	ck_assert_uint_eq(base[2].iov_len, 3);
	ck_assert_str_eq(rest(iov, cnt), "hijklm");

	/* At the boundary of the third and the last. */
	iov_set(base);
	iov = base;
	cnt = 4;
	sock_iov_consume(&iov, &cnt, 10);
	ck_assert_ptr_eq(iov, base + 3);
	ck_assert_int_eq(cnt, 1);
	ck_assert_uint_eq(base[3].iov_len, 3);
	ck_assert_str_eq(rest(iov, cnt), "klm");

	/* In steps, from inside one into the next. */
	iov_set(base);
	iov = base;
	cnt = 4;
	sock_iov_consume(&iov, &cnt, 2);
	sock_iov_consume(&iov, &cnt, 5);
	ck_assert_ptr_eq(iov, base + 2);
	ck_assert_int_eq(cnt, 2);
	ck_assert_str_eq(rest(iov, cnt), "hijklm");
	sock_iov_consume(&iov, &cnt, 0);
	ck_assert_int_eq(cnt, 2);
	ck_assert_str_eq(rest(iov, cnt), "hijklm");

	/* Everything: none left. */
	iov_set(base);
	iov = base;
	cnt = 4;
	sock_iov_consume(&iov, &cnt, 13);
	ck_assert_int_eq(cnt, 0);
	ck_assert_ptr_eq(iov, base + 4);

	/* A trailing empty iovec goes with the last bytes. */
	iov_set(base);
	iov = base;
	cnt = 2;
	sock_iov_consume(&iov, &cnt, 4);
	ck_assert_int_eq(cnt, 0);

	/* Nothing at all. */
	iov = base;
	cnt = 0;
	sock_iov_consume(&iov, &cnt, 0);
	ck_assert_int_eq(cnt, 0);
	ck_assert_ptr_eq(iov, base);
}
END_TEST

/* ------------------------------------------------------------------ */
/* sock_sendfile */

/*
 * The sendfile tests run four ways: _i % 2 is the kind of pair, _i / 2
 * whether the copy path is forced (no_sendfile), which must send the
 * very same bytes.
 */
#define SENDFILE_WAYS 4

static void
sendfile_way(int way, int buf, struct sock *s, int *cli)
{
	int srv;

	unit_pair(way % 2, buf, &srv, cli);
	sock_init(s, srv);
	s->no_sendfile = way / 2 != 0;
}

static const char *
way_name(int way)
{
	static const char *names[] = { "unix, sendfile", "tcp, sendfile",
	    "unix, copy", "tcp, copy" };

	return names[way];
}

/* [start, start + len) of the file reaches the peer as it is. */
static void
sendfile_case(int way, int fd, const char *data, off_t start, size_t len)
{
	struct sock s;
	char *got = malloc(len + 1);
	size_t glen = 0;
	off_t off = start;
	int cli;

	ck_assert_ptr_nonnull(got);
	sendfile_way(way, SMALL_BUF, &s, &cli);
	ck_assert_msg(send_file(&s, cli, fd, &off, len, got, len, &glen,
	    NULL) == 0, "%s: [%lld, +%zu): %s", way_name(way),
	    (long long)start, len, strerror(errno));
	ck_assert_int_eq(off, start + (off_t)len);
	ck_assert_int_eq(s.no_sendfile, way / 2 != 0);
	ck_assert_int_eq(sock_shutdown_write(&s), 0);
	unit_read_to_eof(cli, got, len, &glen, unit_now_ms() + DEADLINE_MS);
	ck_assert_uint_eq(glen, len);
	ck_assert_msg(memcmp(got, data + start, len) == 0, "%s: [%lld, +%zu):"
	    " other bytes arrived", way_name(way), (long long)start, len);
	sock_close(&s);
	close(cli);
	free(got);
}

START_TEST(test_sendfile)
{
	char *data;
	int fd = unit_temp_file(FILE_SIZE, 300, &data);

	sendfile_case(_i, fd, data, 0, FILE_SIZE);
	sendfile_case(_i, fd, data, 100001, FILE_SIZE - 100001);
	sendfile_case(_i, fd, data, 5, 1000);
	sendfile_case(_i, fd, data, FILE_SIZE - 1, 1);
	/* The file's own offset is not used, nor moved. */
	ck_assert_int_eq(lseek(fd, 0, SEEK_CUR), 0);
	close(fd);
	free(data);
}
END_TEST

/*
 * A peer that does not read: what the socket takes, then SOCK_AGAIN
 * with the offset where it stopped; as the peer reads, the rest.
 */
START_TEST(test_sendfile_again)
{
	static char got[FILE_SIZE];
	struct sock s;
	char *data;
	int fd = unit_temp_file(FILE_SIZE, 301, &data), cli;
	size_t glen = 0;
	off_t off = 0;
	ssize_t n, sum = 0;
	int64_t deadline = unit_now_ms() + DEADLINE_MS;

	sendfile_way(_i, SMALL_BUF, &s, &cli);
	while ((n = sock_sendfile(&s, fd, &off, FILE_SIZE - (size_t)off)) !=
	    SOCK_AGAIN) {
		ck_assert_msg(n > 0, "%s: %zd: %s", way_name(_i), n,
		    strerror(errno));
		sum += n;
		ck_assert_int_eq(off, sum);
		ck_assert_msg(unit_now_ms() < deadline, "%s: %lld bytes into "
		    "a peer that does not read", way_name(_i), (long long)off);
	}
	ck_assert_int_gt(off, 0);
	ck_assert_int_lt(off, FILE_SIZE);
	ck_assert_int_eq(off, sum);

	ck_assert_int_eq(send_file(&s, cli, fd, &off, FILE_SIZE - (size_t)off,
	    got, sizeof(got), &glen, NULL), 0);
	ck_assert_int_eq(sock_shutdown_write(&s), 0);
	unit_read_to_eof(cli, got, sizeof(got), &glen, deadline);
	ck_assert_uint_eq(glen, FILE_SIZE);
	ck_assert(memcmp(got, data, FILE_SIZE) == 0);
	sock_close(&s);
	close(cli);
	close(fd);
	free(data);
}
END_TEST

/*
 * A file that shrinks underneath, after the socket filled: what the file
 * still holds goes out, then EIO with the offset where the file ends.
 * At the end with bytes still asked for: EIO at once.
 */
START_TEST(test_sendfile_shrunk)
{
	static char got[FILE_SIZE];
	struct sock s;
	char *data;
	int fd = unit_temp_file(FILE_SIZE, 302, &data), cli;
	size_t glen = 0;
	off_t off = 0, cut;
	ssize_t n;
	int64_t deadline = unit_now_ms() + DEADLINE_MS;

	sendfile_way(_i, SMALL_BUF, &s, &cli);
	while ((n = sock_sendfile(&s, fd, &off, FILE_SIZE - (size_t)off)) !=
	    SOCK_AGAIN) {
		ck_assert_int_gt(n, 0);
		ck_assert(unit_now_ms() < deadline);
	}
	cut = off + 20000;
	ck_assert_int_lt(cut, FILE_SIZE);
	ck_assert_int_eq(ftruncate(fd, cut), 0);

	errno = 0;
	ck_assert_int_eq(send_file(&s, cli, fd, &off, FILE_SIZE - (size_t)off,
	    got, sizeof(got), &glen, NULL), -1);
	ck_assert_msg(errno == EIO, "%s: errno %s", way_name(_i),
	    strerror(errno));
	ck_assert_int_eq(off, cut);

	/* Nothing left where it starts: EIO, and the offset stays. */
	errno = 0;
	ck_assert_int_eq(sock_sendfile(&s, fd, &off, 1), -1);
	ck_assert_int_eq(errno, EIO);
	ck_assert_int_eq(off, cut);

	ck_assert_int_eq(sock_shutdown_write(&s), 0);
	unit_read_to_eof(cli, got, sizeof(got), &glen, deadline);
	ck_assert_uint_eq(glen, (size_t)cut);
	ck_assert(memcmp(got, data, (size_t)cut) == 0);
	sock_close(&s);
	close(cli);
	close(fd);
	free(data);
}
END_TEST

/*
 * A file the kernel will not sendfile() from, but can pread(): procfs
 * files without splice support give EINVAL (Linux 5.10 on).  The first
 * call must switch to the copy path and send the file's bytes, and the
 * next files on the connection go by copying too.
 */
START_TEST(test_sendfile_refused)
{
	static char want[65536], got[65536 + FILE_SIZE];
	const char *path = "/proc/self/auxv";
	struct sock s;
	char *data;
	int src, fd, srv, cli;
	size_t glen = 0;
	off_t off = 0;
	ssize_t len;

	src = open(path, O_RDONLY | O_CLOEXEC);
	if (src == -1) {
		fprintf(stderr, "check_sock: SKIPPED refused sendfile: %s: "
		    "%s\n", path, strerror(errno));
		return;
	}
	len = pread(src, want, sizeof(want), 0);
	ck_assert_msg(len > 0 && (size_t)len < sizeof(want), "%s: %zd bytes",
	    path, len);

	unit_pair(_i, SMALL_BUF, &srv, &cli);
	sock_init(&s, srv);
	ck_assert_msg(send_file(&s, cli, src, &off, (size_t)len, got,
	    sizeof(got), &glen, NULL) == 0, "%s: %s", path, strerror(errno));
	ck_assert_int_eq(off, len);
	if (!s.no_sendfile)
		fprintf(stderr, "check_sock: SKIPPED refused sendfile: this "
		    "kernel splices %s, so only the forced copy path was "
		    "tested\n", path);

	/* A regular file next, on the same connection. */
	fd = unit_temp_file(FILE_SIZE, 303, &data);
	off = 0;
	ck_assert_int_eq(send_file(&s, cli, fd, &off, FILE_SIZE, got,
	    sizeof(got), &glen, NULL), 0);
	ck_assert_int_eq(sock_shutdown_write(&s), 0);
	unit_read_to_eof(cli, got, sizeof(got), &glen, unit_now_ms() +
	    DEADLINE_MS);
	ck_assert_uint_eq(glen, (size_t)len + FILE_SIZE);
	ck_assert_msg(memcmp(got, want, (size_t)len) == 0, "%s: other bytes "
	    "arrived", path);
	ck_assert(memcmp(got + len, data, FILE_SIZE) == 0);
	sock_close(&s);
	close(cli);
	close(src);
	close(fd);
	free(data);
}
END_TEST

/* ------------------------------------------------------------------ */
/* sock_pending */

/*
 * A peer that does not read leaves bytes queued; once it has read them
 * all, the queue empties (the acknowledgements may take a moment).
 */
START_TEST(test_pending)
{
	static char got[8 << 20];
	struct sock s;
	int srv, cli, q;
	size_t total, glen = 0;
	int64_t deadline = unit_now_ms() + DEADLINE_MS;

	unit_pair(_i, SMALL_BUF, &srv, &cli);
	sock_init(&s, srv);
	ck_assert_int_eq(sock_pending(&s), 0);
	total = fill_until_again(&s);
	ck_assert_uint_gt(total, 0);
	ck_assert_uint_lt(total, sizeof(got));
	/*
	 * TCP counts bytes not yet acknowledged; a stream socketpair counts
	 * the memory of the messages its peer has not read, which is more.
	 */
	q = sock_pending(&s);
	ck_assert_msg(q > 0 && (_i != UNIT_PAIR_TCP || (size_t)q <= total),
	    "%s: %zu bytes written, none read, %d queued", unit_pair_name(_i),
	    total, q);

	read_until(cli, got, sizeof(got), &glen, total, deadline);
	ck_assert_uint_eq(glen, total);
	while ((q = sock_pending(&s)) != 0) {
		ck_assert_msg(q > 0, "sock_pending: %s", strerror(errno));
		ck_assert_msg(unit_now_ms() < deadline, "%s: %d bytes still "
		    "queued after the peer read everything",
		    unit_pair_name(_i), q);
		poll(NULL, 0, 5);
	}
	sock_close(&s);
	ck_assert_int_eq(sock_pending(&s), -1);
	close(cli);
}
END_TEST

/* ------------------------------------------------------------------ */
/* sock_shutdown_write */

/* The peer sees the end; reading from it goes on; writing is over. */
START_TEST(test_shutdown_write)
{
	struct iovec iov = { .iov_base = (void *)(uintptr_t)"bye",
	    .iov_len = 3 };
	struct sock s;
	char buf[16];
	size_t len = 0;
	int srv, cli;
	int64_t deadline = unit_now_ms() + DEADLINE_MS;

	unit_pair(_i, 0, &srv, &cli);
	sock_init(&s, srv);
	ck_assert_int_eq(sock_writev(&s, &iov, 1, false), 3);
	ck_assert_int_eq(sock_shutdown_write(&s), 0);
	unit_read_to_eof(cli, buf, sizeof(buf), &len, deadline);
	ck_assert_uint_eq(len, 3);
	ck_assert(memcmp(buf, "bye", 3) == 0);

	ck_assert_int_eq(write(cli, "more", 4), 4);
	ck_assert(unit_wait_fd(srv, POLLIN, deadline));
	ck_assert_int_eq(sock_read(&s, buf, sizeof(buf)), 4);
	ck_assert(memcmp(buf, "more", 4) == 0);

	errno = 0;
	ck_assert_int_eq(sock_writev(&s, &iov, 1, false), -1);
	ck_assert_int_eq(errno, EPIPE);
	sock_close(&s);
	close(cli);
}
END_TEST

/* ------------------------------------------------------------------ */
/* TLS: sock over OpenSSL, against a client SSL on the other end */

/* A server context with a throwaway P-256 key and a self-signed
 * certificate made here, in memory. */
static SSL_CTX *
tls_server_ctx(void)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = X509_new();

	ck_assert(ctx != NULL && key != NULL && x != NULL);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN",
	    MBSTRING_ASC, (const unsigned char *)"sock.test", -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	X509_set_pubkey(x, key);
	ck_assert(X509_sign(x, key, EVP_sha256()) > 0);
	ck_assert_int_eq(SSL_CTX_use_certificate(ctx, x), 1);
	ck_assert_int_eq(SSL_CTX_use_PrivateKey(ctx, key), 1);
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS |
	    SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	X509_free(x);
	EVP_PKEY_free(key);
	return ctx;
}

/* A TLS server sock on srv, and a client SSL on cli, handshaken: the
 * server's side only through sock_read(), as conn does. */
static SSL *
tls_pair(int kind, SSL_CTX *sctx, SSL_CTX *cctx, struct sock *s, int *cli)
{
	int64_t deadline = unit_now_ms() + DEADLINE_MS;
	char b[16];
	int srv, rc;
	SSL *c;

	unit_pair(kind, 0, &srv, cli);
	sock_init(s, srv);
	sock_tls_start(s, SSL_new(sctx));
	ck_assert_ptr_nonnull(s->ssl);
	SSL_set_fd(s->ssl, srv);
	SSL_set_accept_state(s->ssl);
	c = SSL_new(cctx);
	SSL_set_fd(c, *cli);
	while ((rc = SSL_connect(c)) != 1 ||
	    sock_tls_protocol(s) == NULL) {
		ck_assert_msg(rc == 1 || SSL_get_error(c, rc) ==
		    SSL_ERROR_WANT_READ, "SSL_connect failed");
		ck_assert_int_eq(sock_read(s, b, sizeof(b)), SOCK_AGAIN);
		ck_assert(!sock_plain_on_tls(s));
		ck_assert_msg(unit_now_ms() < deadline, "no handshake");
		unit_wait_fd(rc == 1 ? srv : *cli, POLLIN, unit_now_ms() + 50);
	}
	return c;
}

/* Plain HTTP on a TLS port: read as it is, and said. */
START_TEST(test_tls_plain)
{
	static const char req[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	char buf[256];
	struct sock s;
	int srv, cli;
	ssize_t n;

	unit_pair(_i, 0, &srv, &cli);
	sock_init(&s, srv);
	sock_tls_start(&s, SSL_new(ctx));
	/* Nothing yet: later, and still undecided. */
	ck_assert_int_eq(sock_read(&s, buf, sizeof(buf)), SOCK_AGAIN);
	ck_assert(!sock_plain_on_tls(&s));
	ck_assert_int_eq(write(cli, req, sizeof(req) - 1), sizeof(req) - 1);
	ck_assert(unit_wait_fd(srv, POLLIN, unit_now_ms() + DEADLINE_MS));
	n = sock_read(&s, buf, sizeof(buf));
	ck_assert_int_eq(n, sizeof(req) - 1);
	ck_assert(memcmp(buf, req, sizeof(req) - 1) == 0);
	ck_assert(sock_plain_on_tls(&s));
	ck_assert_ptr_null(s.ssl);
	ck_assert_ptr_null(sock_tls_protocol(&s));
	sock_close(&s);
	close(cli);
	SSL_CTX_free(ctx);
}
END_TEST

/* Not TLS, not a request line: OpenSSL refuses it, a failure. */
START_TEST(test_tls_garbage)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	char buf[256];
	struct sock s;
	int srv, cli;

	unit_pair(_i, 0, &srv, &cli);
	sock_init(&s, srv);
	sock_tls_start(&s, SSL_new(ctx));
	SSL_set_fd(s.ssl, srv);
	SSL_set_accept_state(s.ssl);
	ck_assert_int_eq(write(cli, "\x01\x02\x03\x04\x05\x06", 6), 6);
	ck_assert(unit_wait_fd(srv, POLLIN, unit_now_ms() + DEADLINE_MS));
	ck_assert_int_eq(sock_read(&s, buf, sizeof(buf)), -1);
	ck_assert(!sock_plain_on_tls(&s));
	/* Dead: no close_notify, and every call fails from now on. */
	ck_assert_int_eq(sock_read(&s, buf, sizeof(buf)), -1);
	sock_close(&s);
	close(cli);
	SSL_CTX_free(ctx);
}
END_TEST

/*
 * Records both ways: a record read in small pieces leaves the rest in
 * OpenSSL (sock_buffered(), which the socket does not report); an
 * iovec leaves in one piece; a file through the read-and-write path.
 */
START_TEST(test_tls_records)
{
	SSL_CTX *sctx = tls_server_ctx(), *cctx = SSL_CTX_new(
	    TLS_client_method());
	static char big[9000], got[FILE_SIZE + 64];
	static char head[] = "head:", body[] = "body";
	struct iovec iov[2] = { { head, 5 }, { body, 4 } };
	int64_t deadline = unit_now_ms() + DEADLINE_MS;
	size_t len = 0;
	char buf[100], *data;
	struct sock s;
	off_t off = 0;
	int cli, fd;
	SSL *c;

	c = tls_pair(_i, sctx, cctx, &s, &cli);
	ck_assert_str_eq(sock_tls_protocol(&s), "TLSv1.3");
	ck_assert_ptr_nonnull(sock_tls_cipher(&s));
	memset(big, 'b', sizeof(big));
	ck_assert_int_eq(SSL_write(c, big, sizeof(big)), sizeof(big));
	while (len < sizeof(big)) {
		ssize_t n = sock_read(&s, buf, sizeof(buf));

		ck_assert_msg(unit_now_ms() < deadline, "%zu bytes", len);
		if (n == SOCK_AGAIN) {
			ck_assert(!sock_buffered(&s));
			unit_wait_fd(s.fd, POLLIN, unit_now_ms() + 50);
			continue;
		}
		ck_assert_int_gt(n, 0);
		len += (size_t)n;
		/* A 9000-byte record read 100 bytes at a time. */
		if (len < sizeof(big))
			ck_assert(len % 9000 == 0 || sock_buffered(&s));
	}
	ck_assert_int_eq(sock_writev(&s, iov, 2, false), 9);
	ck_assert(unit_wait_fd(cli, POLLIN, deadline));
	ck_assert_int_eq(SSL_read(c, buf, sizeof(buf)), 9);
	ck_assert(memcmp(buf, "head:body", 9) == 0);
	fd = unit_temp_file(FILE_SIZE, 7, &data);
	len = 0;
	while (off < FILE_SIZE) {
		ssize_t n = sock_sendfile(&s, fd, &off, FILE_SIZE - (size_t)off);
		int k;

		ck_assert_msg(n > 0 || n == SOCK_AGAIN, "sock_sendfile: %zd",
		    n);
		while ((k = SSL_read(c, got + len, (int)(sizeof(got) -
		    len))) > 0)
			len += (size_t)k;
		ck_assert_msg(unit_now_ms() < deadline, "%zu bytes", len);
	}
	while (len < FILE_SIZE && unit_wait_fd(cli, POLLIN, deadline)) {
		int k = SSL_read(c, got + len, (int)(sizeof(got) - len));

		if (k > 0)
			len += (size_t)k;
	}
	ck_assert_uint_eq(len, FILE_SIZE);
	ck_assert(memcmp(got, data, FILE_SIZE) == 0);
	/* close_notify, then the end: the client reads a clean close. */
	sock_close(&s);
	ck_assert(unit_wait_fd(cli, POLLIN, deadline));
	ck_assert_int_eq(SSL_read(c, buf, sizeof(buf)), 0);
	ck_assert_int_eq(SSL_get_error(c, 0), SSL_ERROR_ZERO_RETURN);
	close(fd);
	free(data);
	SSL_free(c);
	close(cli);
	SSL_CTX_free(sctx);
	SSL_CTX_free(cctx);
}
END_TEST

/*
 * Half a record came: the read says SOCK_AGAIN, and what OpenSSL holds
 * (the half) is not sock_buffered(), or the worker would step the
 * connection again and again until the rest came; then the rest.
 */
START_TEST(test_tls_half_record)
{
	SSL_CTX *sctx = tls_server_ctx(), *cctx = SSL_CTX_new(
	    TLS_client_method());
	static char big[9000], wire[10000], got[9000];
	int64_t deadline = unit_now_ms() + DEADLINE_MS;
	size_t len = 0, half;
	struct sock s;
	BIO *mem;
	int cli, n;
	SSL *c;

	c = tls_pair(_i, sctx, cctx, &s, &cli);
	/* The record's bytes, taken from the client before they leave. */
	mem = BIO_new(BIO_s_mem());
	BIO_up_ref(mem);
	SSL_set0_wbio(c, mem);
	memset(big, 'h', sizeof(big));
	ck_assert_int_eq(SSL_write(c, big, sizeof(big)), sizeof(big));
	n = BIO_read(mem, wire, sizeof(wire));
	ck_assert_int_gt(n, (int)sizeof(big));
	half = (size_t)n / 2;
	ck_assert_int_eq(write(cli, wire, half), (ssize_t)half);
	ck_assert(unit_wait_fd(s.fd, POLLIN, deadline));
	ck_assert_int_eq(sock_read(&s, got, sizeof(got)), SOCK_AGAIN);
	ck_assert_msg(!sock_buffered(&s), "half a record said buffered");
	ck_assert_int_eq(write(cli, wire + half, (size_t)n - half),
	    (ssize_t)((size_t)n - half));
	while (len < sizeof(big)) {
		ssize_t k = sock_read(&s, got + len, sizeof(got) - len);

		ck_assert_msg(unit_now_ms() < deadline, "%zu bytes", len);
		if (k == SOCK_AGAIN) {
			unit_wait_fd(s.fd, POLLIN, unit_now_ms() + 50);
			continue;
		}
		ck_assert_int_gt(k, 0);
		len += (size_t)k;
	}
	ck_assert(memcmp(got, big, sizeof(big)) == 0);
	BIO_free(mem);
	sock_close(&s);
	SSL_free(c);
	close(cli);
	SSL_CTX_free(sctx);
	SSL_CTX_free(cctx);
}
END_TEST

/* ------------------------------------------------------------------ */

static Suite *
sock_suite(void)
{
	Suite *s = suite_create("sock");
	TCase *tc;

	tc = tcase_create("read");
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_read, 0, UNIT_PAIR_KINDS);
	tcase_add_test(tc, test_read_reset);
	suite_add_tcase(s, tc);

	tc = tcase_create("writev");
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_writev_parts, 0, UNIT_PAIR_KINDS);
	tcase_add_test(tc, test_writev_more);
	tcase_add_loop_test(tc, test_writev_full, 0, UNIT_PAIR_KINDS);
	tcase_add_loop_test(tc, test_writev_closed_peer, 0, UNIT_PAIR_KINDS);
	tcase_add_test(tc, test_iov_consume);
	suite_add_tcase(s, tc);

	tc = tcase_create("sendfile");
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_sendfile, 0, SENDFILE_WAYS);
	tcase_add_loop_test(tc, test_sendfile_again, 0, SENDFILE_WAYS);
	tcase_add_loop_test(tc, test_sendfile_shrunk, 0, SENDFILE_WAYS);
	tcase_add_loop_test(tc, test_sendfile_refused, 0, UNIT_PAIR_KINDS);
	suite_add_tcase(s, tc);

	tc = tcase_create("queue");
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_pending, 0, UNIT_PAIR_KINDS);
	tcase_add_loop_test(tc, test_shutdown_write, 0, UNIT_PAIR_KINDS);
	suite_add_tcase(s, tc);

	tc = tcase_create("tls");
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_tls_plain, 0, UNIT_PAIR_KINDS);
	tcase_add_loop_test(tc, test_tls_garbage, 0, UNIT_PAIR_KINDS);
	tcase_add_loop_test(tc, test_tls_records, 0, UNIT_PAIR_KINDS);
	tcase_add_loop_test(tc, test_tls_half_record, 0, UNIT_PAIR_KINDS);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(sock_suite());
}
