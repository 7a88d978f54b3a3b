/* SPDX-License-Identifier: BSD-2-Clause */
#include "autoconf.h"
/*
 * check_scoreboard.c - scoreboard.c: the shared mapping (a forked child's
 * writes seen by its parent and the other way round), the master's start
 * and clear, the worker's request bookkeeping, the bounded and escaped
 * copies of the request line and client, describe() texts for log lines,
 * the count of idle keep-alive connections and its total over live
 * slots, totals over live and cleared slots, counting by state, and
 * state names.
 */

#include <sys/socket.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>

#include "net.h"
#include "scoreboard.h"

#include "../lib/unit.h"

#define ROWS(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define LEN_STRLEN ((size_t)-1)
#define CANARY 'Z'

/* ------------------------------------------------------------------ */
/* Helpers */

/* Whether every byte of the slot is zero (what EMPTY means). */
static bool
slot_is_zero(const struct scoreboard_slot *s)
{
	static const struct scoreboard_slot zero;

	return memcmp(s, &zero, sizeof(zero)) == 0;
}

/* Waits for pid and asserts that it exited with status want. */
static void
wait_exit(pid_t pid, int want)
{
	int status;

	ck_assert_msg(waitpid(pid, &status, 0) == pid, "waitpid: %s",
	    strerror(errno));
	ck_assert_msg(WIFEXITED(status), "child did not exit (status %#x)",
	    status);
	ck_assert_msg(WEXITSTATUS(status) == want, "child exited %d, want %d",
	    WEXITSTATUS(status), want);
}

/* ------------------------------------------------------------------ */
/* The mapping */

START_TEST(test_create)
{
	time_t before = time(NULL), after;
	struct scoreboard *sb = scoreboard_create(4);
	size_t i;

	after = time(NULL);
	ck_assert_msg(sb != NULL, "scoreboard_create: %s", strerror(errno));
	ck_assert_uint_eq(sb->nslots, 4);
	ck_assert_msg(sb->started >= before && sb->started <= after,
	    "started %lld not in [%lld, %lld]", (long long)sb->started,
	    (long long)before, (long long)after);
	ck_assert_uint_eq(sb->generation, 0);
	ck_assert_uint_eq(sb->reloads, 0);
	ck_assert_uint_eq(sb->past_requests, 0);
	ck_assert_uint_eq(sb->past_bytes, 0);
	for (i = 0; i < sb->nslots; i++)
		ck_assert_msg(slot_is_zero(&sb->slot[i]), "slot %zu not zero",
		    i);
	/* The whole last slot is mapped: its last byte takes a write. */
	sb->slot[3].client[SCOREBOARD_CLIENT_MAX - 1] = 'x';
	ck_assert_int_eq(sb->slot[3].client[SCOREBOARD_CLIENT_MAX - 1], 'x');
	scoreboard_destroy(sb);
	scoreboard_destroy(NULL);
}
END_TEST

START_TEST(test_create_empty)
{
	struct scoreboard *sb = scoreboard_create(0);

	ck_assert_msg(sb != NULL, "scoreboard_create(0): %s", strerror(errno));
	ck_assert_uint_eq(sb->nslots, 0);
	ck_assert_uint_eq(scoreboard_count(sb, SCOREBOARD_EMPTY), 0);
	ck_assert_uint_eq(scoreboard_total_requests(sb), 0);
	scoreboard_destroy(sb);
}
END_TEST

START_TEST(test_create_overflow)
{
	errno = 0;
	ck_assert_ptr_null(scoreboard_create(SIZE_MAX));
	ck_assert_int_eq(errno, ENOMEM);
	errno = 0;
	ck_assert_ptr_null(scoreboard_create(SIZE_MAX /
	    sizeof(struct scoreboard_slot)));
	ck_assert_int_eq(errno, ENOMEM);
}
END_TEST

/*
 * A forked child writes its slot through the worker calls and the parent
 * sees every value; then the parent writes after the fork and the child
 * sees that: MAP_SHARED, not a private copy, in both directions.
 */
START_TEST(test_shared_across_fork)
{
	struct scoreboard *sb = scoreboard_create(3);
	struct scoreboard_slot *s;
	int64_t t0, t1;
	time_t w0, w1;
	int go[2];
	char c = 'g';
	pid_t pid;

	ck_assert_ptr_nonnull(sb);
	s = &sb->slot[2];
	t0 = net_now_ms();
	w0 = time(NULL);
	pid = fork();
	ck_assert_msg(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		scoreboard_set_state(s, SCOREBOARD_IDLE);
		scoreboard_begin_request(s, "GET /a HTTP/1.1", 15, "192.0.2.1");
		scoreboard_end_request(s, 1000);
		/* Back in epoll_wait, the connection kept alive. */
		scoreboard_set_state(s, SCOREBOARD_IDLE);
		scoreboard_set_idle_conns(s, 3);
		scoreboard_begin_request(s, "GET /b HTTP/1.1", 15, "192.0.2.2");
		scoreboard_heartbeat(s, 4242);
		scoreboard_set_state(s, SCOREBOARD_WRITING);
		_exit(0);
	}
	wait_exit(pid, 0);
	t1 = net_now_ms();
	w1 = time(NULL);

	ck_assert_int_eq(s->state, SCOREBOARD_WRITING);
	ck_assert_uint_eq(s->idle_conns, 3);
	ck_assert_uint_eq(s->requests, 1);
	ck_assert_uint_eq(s->bytes, 1000);
	ck_assert_str_eq(s->request, "GET /b HTTP/1.1");
	ck_assert_str_eq(s->client, "192.0.2.2");
	ck_assert_msg(s->request_start_ms >= t0 && s->request_start_ms <= t1,
	    "request_start_ms %lld not in [%lld, %lld]",
	    (long long)s->request_start_ms, (long long)t0, (long long)t1);
	ck_assert_int_eq(s->heartbeat_ms, 4242);
	ck_assert_msg(s->request_start >= w0 && s->request_start <= w1,
	    "request_start %lld not in [%lld, %lld]",
	    (long long)s->request_start, (long long)w0, (long long)w1);
	ck_assert_uint_eq(scoreboard_total_requests(sb), 1);
	ck_assert_uint_eq(scoreboard_total_bytes(sb), 1000);
	ck_assert_msg(slot_is_zero(&sb->slot[0]) && slot_is_zero(&sb->slot[1]),
	    "the child wrote outside its slot");

	/* Parent to child: written after the fork, read by the child. */
	ck_assert_int_eq(pipe(go), 0);
	pid = fork();
	ck_assert_msg(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(100);
		_exit((int)sb->generation + (int)s->state * 10);
	}
	close(go[0]);
	sb->generation = 7;
	scoreboard_clear(sb, 2);	/* state EMPTY (0) */
	ck_assert_int_eq(write(go[1], &c, 1), 1);
	close(go[1]);
	wait_exit(pid, 7);
	scoreboard_destroy(sb);
}
END_TEST

START_TEST(test_start)
{
	struct scoreboard *sb = scoreboard_create(2);
	struct scoreboard_slot *s;
	time_t before, after;

	ck_assert_ptr_nonnull(sb);
	s = &sb->slot[1];
	/* Left in an EMPTY slot by nobody's worker: not the new one's. */
	s->idle_conns = 9;
	before = time(NULL);
	scoreboard_start(sb, 1, 4242, 3);
	after = time(NULL);
	ck_assert_int_eq(s->state, SCOREBOARD_STARTING);
	ck_assert_int_eq(s->pid, 4242);
	ck_assert_uint_eq(s->generation, 3);
	ck_assert_msg(s->started >= before && s->started <= after,
	    "started %lld not in [%lld, %lld]", (long long)s->started,
	    (long long)before, (long long)after);
	ck_assert_uint_eq(s->requests, 0);
	ck_assert_uint_eq(s->bytes, 0);
	ck_assert_uint_eq(s->idle_conns, 0);
	ck_assert_int_eq(s->request_start_ms, 0);
	ck_assert_str_eq(s->request, "");
	ck_assert_str_eq(s->client, "");
	ck_assert_msg(slot_is_zero(&sb->slot[0]), "slot 0 touched");
	scoreboard_destroy(sb);
}
END_TEST

/*
 * The child runs first and gets as far as serving a request before the
 * parent records the fork: the child's state and count survive.
 */
START_TEST(test_start_after_child)
{
	struct scoreboard *sb = scoreboard_create(1);
	struct scoreboard_slot *s;
	pid_t pid;

	ck_assert_ptr_nonnull(sb);
	s = &sb->slot[0];
	pid = fork();
	ck_assert_msg(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		scoreboard_set_state(s, SCOREBOARD_IDLE);
		scoreboard_begin_request(s, "GET / HTTP/1.1", 14, "::1");
		scoreboard_end_request(s, 42);
		scoreboard_set_state(s, SCOREBOARD_IDLE);
		scoreboard_set_idle_conns(s, 1);
		_exit(0);
	}
	wait_exit(pid, 0);
	scoreboard_start(sb, 0, pid, 2);
	ck_assert_int_eq(s->state, SCOREBOARD_IDLE);
	ck_assert_uint_eq(s->requests, 1);
	ck_assert_uint_eq(s->bytes, 42);
	ck_assert_uint_eq(s->idle_conns, 1);
	ck_assert_int_eq(s->pid, pid);
	ck_assert_uint_eq(s->generation, 2);
	ck_assert_int_eq(scoreboard_count(sb, SCOREBOARD_IDLE), 1);
	scoreboard_destroy(sb);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The request line and client copies */

static const struct {
	const char *in;
	size_t len;		/* LEN_STRLEN: strlen(in) */
	const char *want;
	const char *note;
} line_cases[] = {
	{ "GET / HTTP/1.1", LEN_STRLEN, "GET / HTTP/1.1", "plain line" },
	{ "", LEN_STRLEN, "", "empty line" },
	{ NULL, 5, "", "NULL line: nothing copied" },
	{ "GET / HTTP/1.1\r\n", LEN_STRLEN, "GET / HTTP/1.1??",
	    "CR LF could split a log line" },
	{ "GET /\x1b[31mred HTTP/1.1", LEN_STRLEN, "GET /?[31mred HTTP/1.1",
	    "ESC: no terminal escapes in the log" },
	{ "a\tb", LEN_STRLEN, "a?b", "HTAB is a control character" },
	{ "\x01\x1f", LEN_STRLEN, "??", "0x01 and 0x1f, the ends of C0" },
	{ " ~", LEN_STRLEN, " ~", "0x20 and 0x7e are printable, kept" },
	{ "a\x7f" "b", LEN_STRLEN, "a?b", "DEL (0x7f)" },
	{ "\x80\xff\xc3\xa9", LEN_STRLEN, "\x80\xff\xc3\xa9",
	    "bytes from 0x80 kept (the printer escapes for its format)" },
	{ "GET /\0x HTTP/1.1", 16, "GET /?x HTTP/1.1",
	    "a NUL inside len is replaced, not an end" },
	{ "GET /long HTTP/1.1", 9, "GET /long", "only len bytes are read" },
	{ "GET /", 0, "", "len 0" },
};

START_TEST(test_line_copy)
{
	struct scoreboard_slot s;
	const char *in = line_cases[_i].in;
	size_t len = line_cases[_i].len == LEN_STRLEN ? strlen(in) :
	    line_cases[_i].len;

	memset(&s, CANARY, sizeof(s));
	scoreboard_begin_request(&s, in, len, "127.0.0.1");
	ck_assert_msg(strcmp(s.request, line_cases[_i].want) == 0,
	    "%s: got \"%s\"", line_cases[_i].note, s.request);
	ck_assert_str_eq(s.client, "127.0.0.1");
}
END_TEST

static const struct {
	const char *in;
	const char *want;
	const char *note;
} client_cases[] = {
	{ "127.0.0.1", "127.0.0.1", "IPv4" },
	{ "2001:db8::1", "2001:db8::1", "IPv6" },
	{ "", "", "empty" },
	{ NULL, "", "NULL: none recorded" },
	{ "10.0.0.1\n", "10.0.0.1?", "LF escaped" },
	{ "a\x7f\x01z", "a??z", "DEL and 0x01 escaped" },
};

START_TEST(test_client_copy)
{
	struct scoreboard_slot s;

	memset(&s, CANARY, sizeof(s));
	scoreboard_begin_request(&s, "GET / HTTP/1.1", 14, client_cases[_i].in);
	ck_assert_msg(strcmp(s.client, client_cases[_i].want) == 0,
	    "%s: got \"%s\"", client_cases[_i].note, s.client);
	ck_assert_str_eq(s.request, "GET / HTTP/1.1");
}
END_TEST

/* Lengths around the array's room: 255 bytes of text plus the NUL. */
static const struct {
	size_t len;
	size_t want;
} trunc_cases[] = {
	{ SCOREBOARD_LINE_MAX - 2, SCOREBOARD_LINE_MAX - 2 },
	{ SCOREBOARD_LINE_MAX - 1, SCOREBOARD_LINE_MAX - 1 },
	{ SCOREBOARD_LINE_MAX, SCOREBOARD_LINE_MAX - 1 },
	{ 1000, SCOREBOARD_LINE_MAX - 1 },
};

START_TEST(test_truncate)
{
	char line[1000], client[200];
	struct scoreboard_slot s;
	size_t i;

	/* Not one letter repeated, so a copy from the wrong offset shows. */
	for (i = 0; i < sizeof(line); i++)
		line[i] = (char)('a' + i % 26);
	line[100] = '\n';	/* escaped inside the kept part */
	line[600] = '\n';	/* beyond it */
	for (i = 0; i < sizeof(client); i++)
		client[i] = (char)('0' + i % 10);
	client[sizeof(client) - 1] = '\0';

	memset(&s, CANARY, sizeof(s));
	scoreboard_begin_request(&s, line, trunc_cases[_i].len, client);
	ck_assert_uint_eq(strlen(s.request), trunc_cases[_i].want);
	for (i = 0; i < trunc_cases[_i].want; i++)
		ck_assert_msg(s.request[i] == (i == 100 ? '?' : line[i]),
		    "len %zu: byte %zu is %#x", trunc_cases[_i].len, i,
		    (unsigned)(unsigned char)s.request[i]);
	ck_assert_uint_eq(strlen(s.client), SCOREBOARD_CLIENT_MAX - 1);
	ck_assert_int_eq(memcmp(s.client, client, SCOREBOARD_CLIENT_MAX - 1),
	    0);
}
END_TEST

START_TEST(test_begin_request)
{
	struct scoreboard_slot s;
	int64_t t0, t1;
	time_t w0, w1;

	memset(&s, 0, sizeof(s));
	s.requests = 5;
	s.bytes = 77;
	/* The next request on a kept-alive connection, two others idle. */
	scoreboard_set_state(&s, SCOREBOARD_IDLE);
	scoreboard_set_idle_conns(&s, 2);
	t0 = net_now_ms();
	w0 = time(NULL);
	scoreboard_begin_request(&s, "HEAD /x HTTP/1.0", 16, "198.51.100.9");
	t1 = net_now_ms();
	w1 = time(NULL);
	ck_assert_int_eq(s.state, SCOREBOARD_READING);
	ck_assert_msg(s.request_start_ms >= t0 && s.request_start_ms <= t1,
	    "request_start_ms %lld not in [%lld, %lld]",
	    (long long)s.request_start_ms, (long long)t0, (long long)t1);
	ck_assert_msg(s.request_start >= w0 && s.request_start <= w1,
	    "request_start %lld not in [%lld, %lld]",
	    (long long)s.request_start, (long long)w0, (long long)w1);
	/* Counting happens at the end, not the start. */
	ck_assert_uint_eq(s.requests, 5);
	ck_assert_uint_eq(s.bytes, 77);
	/* The idle connections are the worker's own to count. */
	ck_assert_uint_eq(s.idle_conns, 2);
}
END_TEST

/* The heartbeat is the watchdog's alone: it changes nothing else, and
 * a slot made anew starts without one. */
START_TEST(test_heartbeat)
{
	struct scoreboard *sb = scoreboard_create(1);
	struct scoreboard_slot *s;

	ck_assert_ptr_nonnull(sb);
	s = &sb->slot[0];
	scoreboard_start(sb, 0, 1234, 1);
	ck_assert_int_eq(s->heartbeat_ms, 0);
	scoreboard_begin_request(s, "GET /big HTTP/1.1", 17, "::1");
	scoreboard_set_state(s, SCOREBOARD_WRITING);
	scoreboard_heartbeat(s, 987654321);
	ck_assert_int_eq(s->heartbeat_ms, 987654321);
	ck_assert_int_eq(s->state, SCOREBOARD_WRITING);
	ck_assert_str_eq(s->request, "GET /big HTTP/1.1");
	scoreboard_end_request(s, 5);
	ck_assert_int_eq(s->heartbeat_ms, 987654321);
	scoreboard_clear(sb, 0);
	scoreboard_start(sb, 0, 1235, 2);
	ck_assert_int_eq(s->heartbeat_ms, 0);
	scoreboard_destroy(sb);
}
END_TEST

START_TEST(test_end_request)
{
	struct scoreboard_slot s;

	memset(&s, 0, sizeof(s));
	s.requests = 9;
	s.bytes = 1;
	scoreboard_begin_request(&s, "GET / HTTP/1.1", 14, "127.0.0.1");
	scoreboard_set_state(&s, SCOREBOARD_WRITING);
	scoreboard_end_request(&s, 4096);
	ck_assert_uint_eq(s.requests, 10);
	ck_assert_uint_eq(s.bytes, 4097);
	ck_assert_int_eq(s.request_start_ms, 0);
	ck_assert_int_eq(s.request_start, 0);
	ck_assert_str_eq(s.request, "");
	ck_assert_str_eq(s.client, "");
	/* The state is the caller's to set. */
	ck_assert_int_eq(s.state, SCOREBOARD_WRITING);
	/* A response with no body still counts as a request. */
	scoreboard_end_request(&s, 0);
	ck_assert_uint_eq(s.requests, 11);
	ck_assert_uint_eq(s.bytes, 4097);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Idle keep-alive connections */

START_TEST(test_set_idle_conns)
{
	struct scoreboard_slot s;

	memset(&s, 0, sizeof(s));
	scoreboard_set_state(&s, SCOREBOARD_IDLE);
	scoreboard_set_idle_conns(&s, 5);
	ck_assert_uint_eq(s.idle_conns, 5);
	/* It sets the count alone: the state is the caller's. */
	ck_assert_int_eq(s.state, SCOREBOARD_IDLE);
	scoreboard_set_idle_conns(&s, 1);
	ck_assert_uint_eq(s.idle_conns, 1);
	scoreboard_set_idle_conns(&s, 0);
	ck_assert_uint_eq(s.idle_conns, 0);
	scoreboard_set_idle_conns(&s, UINT_MAX);
	ck_assert_uint_eq(s.idle_conns, UINT32_MAX);

	/* No other worker call changes it, whatever the state. */
	scoreboard_set_idle_conns(&s, 7);
	scoreboard_begin_request(&s, "GET / HTTP/1.1", 14, "::1");
	scoreboard_set_state(&s, SCOREBOARD_WRITING);
	scoreboard_heartbeat(&s, 1);
	scoreboard_end_request(&s, 10);
	scoreboard_set_state(&s, SCOREBOARD_GRACEFUL);
	ck_assert_uint_eq(s.idle_conns, 7);
	/* Only what it was set to: nothing else in the slot moved. */
	ck_assert_uint_eq(s.requests, 1);
	ck_assert_uint_eq(s.bytes, 10);
}
END_TEST

/* A worker that dies holding connections: the slot it leaves holds none. */
START_TEST(test_idle_conns_clear)
{
	struct scoreboard *sb = scoreboard_create(2);

	ck_assert_ptr_nonnull(sb);
	scoreboard_start(sb, 0, 100, 1);
	scoreboard_set_state(&sb->slot[0], SCOREBOARD_IDLE);
	scoreboard_set_idle_conns(&sb->slot[0], 12);
	ck_assert_uint_eq(scoreboard_total_idle_conns(sb), 12);
	scoreboard_clear(sb, 0);
	ck_assert_uint_eq(sb->slot[0].idle_conns, 0);
	ck_assert_msg(slot_is_zero(&sb->slot[0]), "cleared slot not zero");
	ck_assert_uint_eq(scoreboard_total_idle_conns(sb), 0);
	/* A new worker in the slot starts with none. */
	scoreboard_start(sb, 0, 101, 2);
	ck_assert_uint_eq(sb->slot[0].idle_conns, 0);
	scoreboard_destroy(sb);
}
END_TEST

/*
 * The total is over live slots only: whatever an EMPTY slot holds is no
 * worker's, so it is not counted.
 */
START_TEST(test_total_idle_conns)
{
	struct scoreboard *sb = scoreboard_create(5);

	ck_assert_ptr_nonnull(sb);
	ck_assert_uint_eq(scoreboard_total_idle_conns(sb), 0);
	scoreboard_start(sb, 0, 100, 1);
	scoreboard_set_state(&sb->slot[0], SCOREBOARD_IDLE);
	scoreboard_set_idle_conns(&sb->slot[0], 3);
	scoreboard_start(sb, 1, 101, 1);
	scoreboard_set_state(&sb->slot[1], SCOREBOARD_WRITING);
	scoreboard_set_idle_conns(&sb->slot[1], 4);
	/* An old generation's worker finishing with its connections. */
	scoreboard_start(sb, 3, 103, 0);
	scoreboard_set_state(&sb->slot[3], SCOREBOARD_GRACEFUL);
	scoreboard_set_idle_conns(&sb->slot[3], 10);
	/* Slot 2 is EMPTY with a stray value; slot 4 is EMPTY and zero. */
	sb->slot[2].idle_conns = 1000;
	ck_assert_int_eq(sb->slot[2].state, SCOREBOARD_EMPTY);
	ck_assert_uint_eq(scoreboard_total_idle_conns(sb), 17);

	/* Large values add up without wrapping at 32 bits. */
	scoreboard_set_idle_conns(&sb->slot[0], UINT32_MAX);
	scoreboard_set_idle_conns(&sb->slot[1], UINT32_MAX);
	ck_assert_uint_eq(scoreboard_total_idle_conns(sb),
	    2 * (uint64_t)UINT32_MAX + 10);
	scoreboard_destroy(sb);
}
END_TEST

/* ------------------------------------------------------------------ */
/* scoreboard_describe */

static const struct {
	const char *line;
	const char *client;
	int64_t start_ms;	/* 0: between requests */
	int64_t now_ms;
	const char *want;
	const char *note;
} describe_cases[] = {
	{ "GET /x HTTP/1.1", "127.0.0.1", 1000, 2234,
	    "\"GET /x HTTP/1.1\" from 127.0.0.1 for 1234 ms", "in a request" },
	{ "GET /x HTTP/1.1", "::1", 5000, 5000,
	    "\"GET /x HTTP/1.1\" from ::1 for 0 ms", "just begun" },
	{ "GET /x HTTP/1.1", "::1", 5000, 4000,
	    "\"GET /x HTTP/1.1\" from ::1 for 0 ms",
	    "now before the start (torn read): never negative" },
	{ "", "10.0.0.1", 7, 9, "\"\" from 10.0.0.1 for 2 ms",
	    "no line read yet" },
	{ "OPTIONS * HTTP/1.1", "", 1, 86400001,
	    "\"OPTIONS * HTTP/1.1\" for 86400000 ms",
	    "no client recorded: no \" from\"" },
	{ "", "", 0, 12345, "no request", "between requests" },
	{ "GET /big HTTP/1.1", "127.0.0.1", 0, 12345,
	    "\"GET /big HTTP/1.1\" from 127.0.0.1, sending in the background",
	    "start 0 with a line: a response in the background" },
	{ "GET /big HTTP/1.1", "", 0, 12345,
	    "\"GET /big HTTP/1.1\", sending in the background",
	    "in the background, no client recorded" },
	{ "GET /a\"b\\c HTTP/1.1", "::1", 1, 2,
	    "\"GET /a\\\"b\\\\c HTTP/1.1\" from ::1 for 1 ms",
	    "'\"' and '\\' escaped as in the access log" },
	{ "GET /\" 200 0 \"x HTTP/1.1", "::1", 0, 2,
	    "\"GET /\\\" 200 0 \\\"x HTTP/1.1\" from ::1, sending in the "
	    "background", "a quote cannot end the field early" },
	{ "GET /\xc3\xa9 HTTP/1.1", "a\"b", 1, 2,
	    "\"GET /\\xc3\\xa9 HTTP/1.1\" from a\\\"b for 1 ms",
	    "bytes from 0x80 as \\xHH; the client escaped too" },
};

START_TEST(test_describe)
{
	struct scoreboard_slot s;
	char buf[512];

	memset(&s, 0, sizeof(s));
	memcpy(s.request, describe_cases[_i].line,
	    strlen(describe_cases[_i].line) + 1);
	memcpy(s.client, describe_cases[_i].client,
	    strlen(describe_cases[_i].client) + 1);
	s.request_start_ms = describe_cases[_i].start_ms;
	memset(buf, CANARY, sizeof(buf));
	scoreboard_describe(&s, describe_cases[_i].now_ms, buf, sizeof(buf));
	ck_assert_msg(strcmp(buf, describe_cases[_i].want) == 0,
	    "%s: got '%s', want '%s'", describe_cases[_i].note, buf,
	    describe_cases[_i].want);
}
END_TEST

/* Through the worker calls, as the master would see a live slot. */
START_TEST(test_describe_live)
{
	struct scoreboard_slot s;
	char buf[128];

	memset(&s, 0, sizeof(s));
	scoreboard_begin_request(&s, "GET /a\r\nb HTTP/1.1", 18, "192.0.2.7");
	scoreboard_describe(&s, s.request_start_ms + 1234, buf, sizeof(buf));
	ck_assert_str_eq(buf,
	    "\"GET /a??b HTTP/1.1\" from 192.0.2.7 for 1234 ms");
	scoreboard_end_request(&s, 10);
	scoreboard_describe(&s, 99999, buf, sizeof(buf));
	ck_assert_str_eq(buf, "no request");
}
END_TEST

/*
 * A response that goes on in the background: counted at once, no start
 * (the watchdog's business is the foreground), shown until done; done
 * adds its bytes and forgets it, unless a foreground request has taken
 * the fields since.
 */
START_TEST(test_background_request)
{
	struct scoreboard_slot s;
	char buf[128];

	memset(&s, 0, sizeof(s));
	scoreboard_begin_request(&s, "GET /big HTTP/1.1", 17, "192.0.2.7");
	scoreboard_background_request(&s);
	ck_assert_int_eq(s.request_start_ms, 0);
	ck_assert_uint_eq(s.requests, 1);
	ck_assert_uint_eq(s.bytes, 0);
	scoreboard_describe(&s, 99999, buf, sizeof(buf));
	ck_assert_str_eq(buf,
	    "\"GET /big HTTP/1.1\" from 192.0.2.7, sending in the background");
	scoreboard_background_done(&s, 4096);
	ck_assert_uint_eq(s.bytes, 4096);
	ck_assert_uint_eq(s.requests, 1);
	scoreboard_describe(&s, 99999, buf, sizeof(buf));
	ck_assert_str_eq(buf, "no request");

	/* A request in the foreground meanwhile keeps its fields. */
	scoreboard_begin_request(&s, "GET /big HTTP/1.1", 17, "192.0.2.7");
	scoreboard_background_request(&s);
	scoreboard_begin_request(&s, "GET /a HTTP/1.1", 15, "192.0.2.8");
	scoreboard_background_done(&s, 10);
	ck_assert_uint_eq(s.bytes, 4106);
	ck_assert_str_eq(s.request, "GET /a HTTP/1.1");
	ck_assert_str_eq(s.client, "192.0.2.8");
	ck_assert_int_ne(s.request_start_ms, 0);
}
END_TEST

START_TEST(test_describe_small_buffer)
{
	struct scoreboard_slot s;
	char buf[16];

	memset(&s, 0, sizeof(s));
	scoreboard_begin_request(&s, "GET /x HTTP/1.1", 15, "127.0.0.1");
	memset(buf, CANARY, sizeof(buf));
	scoreboard_describe(&s, s.request_start_ms, buf, 10);
	ck_assert_str_eq(buf, "\"GET /x H");
	ck_assert_int_eq(buf[10], CANARY);

	memset(buf, CANARY, sizeof(buf));
	scoreboard_describe(&s, s.request_start_ms, buf, 1);
	ck_assert_int_eq(buf[0], '\0');
	ck_assert_int_eq(buf[1], CANARY);

	memset(buf, CANARY, sizeof(buf));
	scoreboard_describe(&s, s.request_start_ms, buf, 0);
	ck_assert_int_eq(buf[0], CANARY);
}
END_TEST

/*
 * A slot whose arrays hold no NUL at all (not something the writers
 * produce, but a reader must not run off the end of shared memory).
 */
START_TEST(test_describe_unterminated)
{
	struct scoreboard_slot s;
	char buf[1024], want[1024];
	int n;

	memset(&s, 'x', sizeof(s));
	memset(s.client, 'c', sizeof(s.client));
	s.request_start_ms = 100;
	scoreboard_describe(&s, 150, buf, sizeof(buf));
	n = snprintf(want, sizeof(want), "\"%.*s\" from %.*s for 50 ms",
	    SCOREBOARD_LINE_MAX - 1,
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	    SCOREBOARD_CLIENT_MAX - 1,
	    "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc");
	ck_assert_int_eq(n, 2 + 255 + 6 + 63 + 10);
	ck_assert_str_eq(buf, want);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Connections per client */

static void
addr4(struct sockaddr_storage *ss, const char *a)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)(void *)ss;

	memset(ss, 0, sizeof(*ss));
	s4->sin_family = AF_INET;
	ck_assert_int_eq(inet_pton(AF_INET, a, &s4->sin_addr), 1);
}

static void
addr6(struct sockaddr_storage *ss, const char *a)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)(void *)ss;

	memset(ss, 0, sizeof(*ss));
	s6->sin6_family = AF_INET6;
	ck_assert_int_eq(inet_pton(AF_INET6, a, &s6->sin6_addr), 1);
}

static bool
same_client(const struct scoreboard_client *a,
    const struct scoreboard_client *b)
{
	return a->bucket[0] == b->bucket[0] && a->bucket[1] == b->bucket[1];
}

static const struct {
	const char *a, *b;	/* IPv6 when they have a ':' */
	unsigned prefix;
	bool same;
	const char *note;
} peer_cases[] = {
	{ "192.0.2.1", "192.0.2.1", 64, true, "the same IPv4 address" },
	{ "192.0.2.1", "192.0.2.2", 64, false, "IPv4: each address alone" },
	{ "2001:db8:1:2::1", "2001:db8:1:2:ffff::9", 64, true,
	    "IPv6: one /64 is one client" },
	{ "2001:db8:1:2::1", "2001:db8:1:3::1", 64, false,
	    "IPv6: the next /64 is another" },
	{ "2001:db8:1:2::1", "2001:db8:1:3::1", 48, true,
	    "client-ipv6-prefix 48: one /48" },
	{ "2001:db8::1", "2001:db8::2", 128, false, "prefix 128: each address" },
	{ "::ffff:192.0.2.1", "192.0.2.1", 64, true,
	    "v4-mapped is its IPv4 address, not cut to /64" },
	{ "::ffff:192.0.2.1", "::ffff:192.0.2.2", 64, false,
	    "v4-mapped addresses apart" },
};

static void
client_addr(struct sockaddr_storage *ss, const char *a)
{
	if (strchr(a, ':') != NULL)
		addr6(ss, a);
	else
		addr4(ss, a);
}

/*
 * Which addresses are one client.  "Not the same" is checked with the
 * buckets: two clients may share one bucket by chance (1 in 4096 each),
 * hardly both, and the key is random: the table's pairs differ.
 */
START_TEST(test_client_of)
{
	struct scoreboard *sb = scoreboard_create(1);
	struct sockaddr_storage a, b;
	struct scoreboard_client ca, cb;

	ck_assert_ptr_nonnull(sb);
	client_addr(&a, peer_cases[_i].a);
	client_addr(&b, peer_cases[_i].b);
	scoreboard_client_of(sb, &a, peer_cases[_i].prefix, &ca);
	scoreboard_client_of(sb, &b, peer_cases[_i].prefix, &cb);
	ck_assert_msg(same_client(&ca, &cb) == peer_cases[_i].same,
	    "%s: %s %u/%u, %s %u/%u", peer_cases[_i].note,
	    peer_cases[_i].a, ca.bucket[0], ca.bucket[1],
	    peer_cases[_i].b, cb.bucket[0], cb.bucket[1]);
	ck_assert_uint_lt(ca.bucket[0], SCOREBOARD_CLIENT_BUCKETS);
	ck_assert_uint_lt(ca.bucket[1], SCOREBOARD_CLIENT_BUCKETS);
	scoreboard_destroy(sb);
}
END_TEST

/* The limit holds across slots (workers); removing makes room again. */
START_TEST(test_client_limit)
{
	struct scoreboard *sb = scoreboard_create(3);
	struct sockaddr_storage a, b;
	struct scoreboard_client ca, cb;

	ck_assert_ptr_nonnull(sb);
	addr4(&a, "192.0.2.1");
	addr4(&b, "198.51.100.7");
	scoreboard_client_of(sb, &a, 64, &ca);
	scoreboard_client_of(sb, &b, 64, &cb);
	ck_assert(scoreboard_client_add(sb, 0, &ca, 2));
	ck_assert(scoreboard_client_add(sb, 1, &ca, 2));
	ck_assert_uint_eq(scoreboard_client_count(sb, &ca), 2);
	ck_assert_msg(!scoreboard_client_add(sb, 2, &ca, 2),
	    "a third connection in a third worker was counted");
	ck_assert_msg(!scoreboard_client_add(sb, 0, &ca, 2),
	    "a third connection in the first worker was counted");
	ck_assert_uint_eq(scoreboard_client_count(sb, &ca), 2);
	/* Another client is not held back (unless it shares both buckets). */
	if (!same_client(&ca, &cb))
		ck_assert(scoreboard_client_add(sb, 2, &cb, 2));
	scoreboard_client_remove(sb, 1, &ca);
	ck_assert_uint_eq(scoreboard_client_count(sb, &ca), 1);
	ck_assert(scoreboard_client_add(sb, 2, &ca, 2));
	/* limit 0: counted, never refused. */
	ck_assert(scoreboard_client_add(sb, 1, &ca, 0));
	ck_assert_uint_eq(scoreboard_client_count(sb, &ca), 3);
	scoreboard_destroy(sb);
}
END_TEST

/*
 * A worker dies holding connections (counted in a forked child, as a
 * worker would): scoreboard_clear() takes its share out, and only its.
 */
START_TEST(test_client_crash)
{
	struct scoreboard *sb = scoreboard_create(3);
	struct sockaddr_storage a;
	struct scoreboard_client ca;
	int status;
	pid_t pid;

	ck_assert_ptr_nonnull(sb);
	addr6(&a, "2001:db8::1");
	scoreboard_client_of(sb, &a, 64, &ca);
	ck_assert(scoreboard_client_add(sb, 0, &ca, 5));
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		bool ok = scoreboard_client_add(sb, 1, &ca, 5) &&
		    scoreboard_client_add(sb, 1, &ca, 5) &&
		    scoreboard_client_add(sb, 1, &ca, 5);

		_exit(ok ? 0 : 1);	/* "crashes" holding three */
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_uint_eq(scoreboard_client_count(sb, &ca), 4);
	ck_assert(scoreboard_client_add(sb, 2, &ca, 5));
	ck_assert(!scoreboard_client_add(sb, 2, &ca, 5));
	scoreboard_clear(sb, 1);
	ck_assert_uint_eq(scoreboard_client_count(sb, &ca), 2);
	/* Cleared once is cleared: a second clear takes nothing more. */
	scoreboard_clear(sb, 1);
	ck_assert_uint_eq(scoreboard_client_count(sb, &ca), 2);
	scoreboard_clear(sb, 0);
	scoreboard_clear(sb, 2);
	ck_assert_uint_eq(scoreboard_client_count(sb, &ca), 0);
	ck_assert(scoreboard_client_add(sb, 1, &ca, 1));
	scoreboard_destroy(sb);
}
END_TEST

/* Refusals are reported once per interval, with how many there were. */
START_TEST(test_client_refused)
{
	struct scoreboard *sb = scoreboard_create(1);
	struct sockaddr_storage a;
	struct scoreboard_client ca;

	ck_assert_ptr_nonnull(sb);
	addr4(&a, "192.0.2.1");
	scoreboard_client_of(sb, &a, 64, &ca);
	ck_assert_uint_eq(scoreboard_client_refused(sb, &ca, 5000, 10000), 1);
	ck_assert_uint_eq(scoreboard_client_refused(sb, &ca, 6000, 10000), 0);
	ck_assert_uint_eq(scoreboard_client_refused(sb, &ca, 14999, 10000), 0);
	ck_assert_uint_eq(scoreboard_client_refused(sb, &ca, 15000, 10000), 3);
	ck_assert_uint_eq(scoreboard_client_refused(sb, &ca, 15001, 10000), 0);
	scoreboard_destroy(sb);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Totals, clear, count */

START_TEST(test_totals)
{
	struct scoreboard *sb = scoreboard_create(3);
	char buf[128];

	ck_assert_ptr_nonnull(sb);
	scoreboard_start(sb, 0, 100, 1);
	scoreboard_start(sb, 1, 101, 1);
	scoreboard_begin_request(&sb->slot[0], "GET /1 HTTP/1.1", 15, "::1");
	scoreboard_end_request(&sb->slot[0], 100);
	scoreboard_begin_request(&sb->slot[0], "GET /2 HTTP/1.1", 15, "::1");
	scoreboard_end_request(&sb->slot[0], 200);
	scoreboard_begin_request(&sb->slot[1], "GET /3 HTTP/1.1", 15, "::1");
	scoreboard_end_request(&sb->slot[1], 50);
	ck_assert_uint_eq(scoreboard_total_requests(sb), 3);
	ck_assert_uint_eq(scoreboard_total_bytes(sb), 350);

	/* Slot 0's worker dies mid-request: described, then cleared. */
	scoreboard_begin_request(&sb->slot[0], "GET /4 HTTP/1.1", 15, "::1");
	scoreboard_describe(&sb->slot[0], sb->slot[0].request_start_ms + 5,
	    buf, sizeof(buf));
	ck_assert_str_eq(buf, "\"GET /4 HTTP/1.1\" from ::1 for 5 ms");
	scoreboard_clear(sb, 0);
	ck_assert_msg(slot_is_zero(&sb->slot[0]), "cleared slot not zero");
	ck_assert_int_eq(sb->slot[0].state, SCOREBOARD_EMPTY);
	ck_assert_uint_eq(sb->past_requests, 2);
	ck_assert_uint_eq(sb->past_bytes, 300);
	ck_assert_uint_eq(scoreboard_total_requests(sb), 3);
	ck_assert_uint_eq(scoreboard_total_bytes(sb), 350);

	/* The slot reused by a new worker starts from zero. */
	scoreboard_start(sb, 0, 102, 2);
	ck_assert_uint_eq(sb->slot[0].requests, 0);
	scoreboard_begin_request(&sb->slot[0], "GET /5 HTTP/1.1", 15, "::1");
	scoreboard_end_request(&sb->slot[0], 7);
	ck_assert_uint_eq(scoreboard_total_requests(sb), 4);
	ck_assert_uint_eq(scoreboard_total_bytes(sb), 357);

	/* Clearing a slot that never held a worker adds nothing. */
	scoreboard_clear(sb, 2);
	ck_assert_uint_eq(sb->past_requests, 2);
	ck_assert_uint_eq(sb->past_bytes, 300);

	scoreboard_clear(sb, 0);
	scoreboard_clear(sb, 1);
	ck_assert_uint_eq(sb->past_requests, 4);
	ck_assert_uint_eq(sb->past_bytes, 357);
	ck_assert_uint_eq(scoreboard_total_requests(sb), 4);
	ck_assert_uint_eq(scoreboard_total_bytes(sb), 357);
	scoreboard_destroy(sb);
}
END_TEST

/* Slot i of an 8-slot board is put in state_of[i]. */
static const enum scoreboard_state state_of[] = {
	SCOREBOARD_IDLE, SCOREBOARD_IDLE, SCOREBOARD_READING,
	SCOREBOARD_WRITING, SCOREBOARD_READING, SCOREBOARD_GRACEFUL,
	SCOREBOARD_STARTING, SCOREBOARD_EMPTY,
};
/* So each state's count is: */
static const size_t count_want[SCOREBOARD_STATE_COUNT] = {
	[SCOREBOARD_EMPTY] = 1, [SCOREBOARD_STARTING] = 1,
	[SCOREBOARD_IDLE] = 2, [SCOREBOARD_READING] = 2,
	[SCOREBOARD_WRITING] = 1, [SCOREBOARD_CLOSING] = 0,
	[SCOREBOARD_GRACEFUL] = 1,
};

START_TEST(test_count)
{
	struct scoreboard *sb = scoreboard_create((size_t)ROWS(state_of));
	size_t i;

	ck_assert_ptr_nonnull(sb);
	for (i = 0; i < (size_t)ROWS(state_of); i++)
		scoreboard_set_state(&sb->slot[i], state_of[i]);
	ck_assert_msg(scoreboard_count(sb, (enum scoreboard_state)_i) ==
	    count_want[_i], "%s: %zu, want %zu", scoreboard_state_name(_i),
	    scoreboard_count(sb, (enum scoreboard_state)_i), count_want[_i]);
	scoreboard_destroy(sb);
}
END_TEST

START_TEST(test_count_fresh)
{
	struct scoreboard *sb = scoreboard_create(5);
	int st;

	ck_assert_ptr_nonnull(sb);
	ck_assert_uint_eq(scoreboard_count(sb, SCOREBOARD_EMPTY), 5);
	for (st = SCOREBOARD_STARTING; st < SCOREBOARD_STATE_COUNT; st++)
		ck_assert_uint_eq(scoreboard_count(sb,
		    (enum scoreboard_state)st), 0);
	scoreboard_start(sb, 4, 1, 1);
	ck_assert_uint_eq(scoreboard_count(sb, SCOREBOARD_EMPTY), 4);
	ck_assert_uint_eq(scoreboard_count(sb, SCOREBOARD_STARTING), 1);
	scoreboard_destroy(sb);
}
END_TEST

/* ------------------------------------------------------------------ */
/* State names */

static const struct {
	int state;
	const char *name;
} name_cases[] = {
	{ SCOREBOARD_EMPTY, "empty" },
	{ SCOREBOARD_STARTING, "starting" },
	{ SCOREBOARD_IDLE, "idle" },
	{ SCOREBOARD_READING, "reading" },
	{ SCOREBOARD_WRITING, "writing" },
	{ SCOREBOARD_CLOSING, "closing" },
	{ SCOREBOARD_GRACEFUL, "graceful" },
	{ SCOREBOARD_FULL, "full" },
	{ -1, "unknown" },
	{ SCOREBOARD_STATE_COUNT, "unknown" },
	{ SCOREBOARD_STATE_COUNT + 1, "unknown" },
	{ INT_MAX, "unknown" },
	{ INT_MIN, "unknown" },
};

START_TEST(test_state_name)
{
	const char *got = scoreboard_state_name(name_cases[_i].state);

	ck_assert_ptr_nonnull(got);
	ck_assert_msg(strcmp(got, name_cases[_i].name) == 0,
	    "state %d: \"%s\", want \"%s\"", name_cases[_i].state, got,
	    name_cases[_i].name);
}
END_TEST

/* A state added to the enum without a name (or a row above) fails here. */
START_TEST(test_state_names_complete)
{
	int st, other, rows = 0, i;

	for (i = 0; i < ROWS(name_cases); i++)
		if (name_cases[i].state >= 0 &&
		    name_cases[i].state < SCOREBOARD_STATE_COUNT)
			rows++;
	ck_assert_int_eq(rows, SCOREBOARD_STATE_COUNT);
	for (st = 0; st < SCOREBOARD_STATE_COUNT; st++) {
		const char *name = scoreboard_state_name(st);

		ck_assert_ptr_nonnull(name);
		ck_assert_str_ne(name, "unknown");
		for (other = 0; other < st; other++)
			ck_assert_str_ne(name, scoreboard_state_name(other));
	}
}
END_TEST

/* ------------------------------------------------------------------ */

static Suite *
scoreboard_suite(void)
{
	Suite *s = suite_create("scoreboard");
	TCase *tc;

	tc = tcase_create("mapping");
	tcase_add_test(tc, test_create);
	tcase_add_test(tc, test_create_empty);
	tcase_add_test(tc, test_create_overflow);
	tcase_add_test(tc, test_shared_across_fork);
	tcase_add_test(tc, test_start);
	tcase_add_test(tc, test_start_after_child);
	suite_add_tcase(s, tc);

	tc = tcase_create("request");
	tcase_add_loop_test(tc, test_line_copy, 0, ROWS(line_cases));
	tcase_add_loop_test(tc, test_client_copy, 0, ROWS(client_cases));
	tcase_add_loop_test(tc, test_truncate, 0, ROWS(trunc_cases));
	tcase_add_test(tc, test_begin_request);
	tcase_add_test(tc, test_heartbeat);
	tcase_add_test(tc, test_end_request);
	suite_add_tcase(s, tc);

	tc = tcase_create("idle conns");
	tcase_add_test(tc, test_set_idle_conns);
	tcase_add_test(tc, test_idle_conns_clear);
	tcase_add_test(tc, test_total_idle_conns);
	suite_add_tcase(s, tc);

	tc = tcase_create("describe");
	tcase_add_loop_test(tc, test_describe, 0, ROWS(describe_cases));
	tcase_add_test(tc, test_describe_live);
	tcase_add_test(tc, test_background_request);
	tcase_add_test(tc, test_describe_small_buffer);
	tcase_add_test(tc, test_describe_unterminated);
	suite_add_tcase(s, tc);

	tc = tcase_create("clients");
	tcase_add_loop_test(tc, test_client_of, 0, ROWS(peer_cases));
	tcase_add_test(tc, test_client_limit);
	tcase_add_test(tc, test_client_crash);
	tcase_add_test(tc, test_client_refused);
	suite_add_tcase(s, tc);

	tc = tcase_create("totals");
	tcase_add_test(tc, test_totals);
	tcase_add_loop_test(tc, test_count, 0, SCOREBOARD_STATE_COUNT);
	tcase_add_test(tc, test_count_fresh);
	tcase_add_loop_test(tc, test_state_name, 0, ROWS(name_cases));
	tcase_add_test(tc, test_state_names_complete);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(scoreboard_suite());
}
