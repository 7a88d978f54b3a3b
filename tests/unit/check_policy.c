/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_policy.c - the master's decisions (policy.c) as tables, with the
 * clock injected: a crash loop's back-off, doubling to its cap, and its
 * reset after a healthy minute (no sleeping: the minute is a number);
 * slots let go when not wanted; retiring; the adaptive pool's spawns,
 * its doubling rate and the idle worker it retires; the watchdog; the
 * TERM and KILL deadlines of workers told to stop; due refills.
 */
#include "autoconf.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <check.h>

#include "policy.h"
#include "scoreboard.h"

#include "../lib/unit.h"

#define ROWS(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ------------------------------------------------------------------ */
/* The back-off: one wanted slot through a scripted life */

static const struct {
	enum policy_exit how;
	int64_t lived_ms;	/* the worker's life before it ended */
	int64_t delay;		/* policy_exited()'s answer */
	unsigned failures;	/* after */
	const char *note;
} life[] = {
	{ POLICY_EXIT_CRASHED, 10, 100, 1, "first quick crash: 100 ms" },
	{ POLICY_EXIT_CRASHED, 10, 200, 2, "second: doubled" },
	{ POLICY_EXIT_CRASHED, 10, 400, 3, "third" },
	{ POLICY_EXIT_FATAL, 10, 800, 4, "exit 2 backs off the same way" },
	{ POLICY_EXIT_CRASHED, 10, 1600, 5, "" },
	{ POLICY_EXIT_CRASHED, 10, 3200, 6, "" },
	{ POLICY_EXIT_CRASHED, 10, 6400, 7, "" },
	{ POLICY_EXIT_CRASHED, 10, 12800, 8, "" },
	{ POLICY_EXIT_CRASHED, 10, 25600, 9, "" },
	{ POLICY_EXIT_CRASHED, 10, 30000, 10, "capped at 30 s" },
	{ POLICY_EXIT_CRASHED, 59999, 30000, 11,
	    "59.999 s is not a healthy minute: still capped" },
	{ POLICY_EXIT_CLEAN, 10, 0, 11,
	    "a clean exit (recycling) is refilled at once, count kept" },
	{ POLICY_EXIT_STOPPED, 10, 0, 11,
	    "a worker the watchdog stopped: refilled at once" },
	{ POLICY_EXIT_CRASHED, 10, 30000, 12, "the count went on" },
	{ POLICY_EXIT_CRASHED, 60000, 100, 1,
	    "after a healthy minute: afresh, 100 ms" },
	{ POLICY_EXIT_CRASHED, 10, 200, 2, "and doubling again" },
	{ POLICY_EXIT_CRASHED, 3600000, 100, 1, "an hour: afresh" },
};

START_TEST(test_backoff_life)
{
	struct policy_slot s;
	int64_t now = 1000000;

	memset(&s, 0, sizeof(s));
	s.wanted = true;
	for (int k = 0; k < ROWS(life); k++) {
		int64_t delay;

		/* Refilled when due: the next worker starts then. */
		s.pid = 100 + k;
		s.started_ms = now;
		now += life[k].lived_ms;
		s.pid = 0;
		delay = policy_exited(&s, life[k].how, now);
		ck_assert_msg(delay == life[k].delay && s.failures ==
		    life[k].failures, "row %d (%s): delay %lld failures %u, "
		    "want %lld and %u", k, life[k].note, (long long)delay,
		    s.failures, (long long)life[k].delay, life[k].failures);
		ck_assert_int_eq(s.respawn_ms, now + delay);
		ck_assert(s.fatal == (life[k].how == POLICY_EXIT_FATAL));
		ck_assert(s.wanted);
		ck_assert_int_eq(s.respawn_ms, now + life[k].delay);
		now = s.respawn_ms;
	}
}
END_TEST

/* A slot no longer wanted, or retiring, is let go whatever the end. */
static const struct {
	bool wanted, retiring;
	enum policy_exit how;
	const char *note;
} let_go[] = {
	{ false, false, POLICY_EXIT_CRASHED, "not wanted (stopping)" },
	{ true, true, POLICY_EXIT_CRASHED, "retiring: old generation" },
	{ false, true, POLICY_EXIT_CLEAN, "retired surplus worker" },
	{ false, true, POLICY_EXIT_STOPPED, "stopped at its deadline" },
	{ false, true, POLICY_EXIT_FATAL, "fatal, but not wanted" },
};

START_TEST(test_let_go)
{
	struct policy_slot s;

	memset(&s, 0, sizeof(s));
	s.wanted = let_go[_i].wanted;
	s.retiring = let_go[_i].retiring;
	s.failures = 5;
	s.respawn_ms = 77;
	ck_assert_msg(policy_exited(&s, let_go[_i].how, 1000) == -1, "%s",
	    let_go[_i].note);
	ck_assert(!s.wanted);
	ck_assert_uint_eq(s.failures, 0);
	ck_assert_int_eq(s.respawn_ms, 77);
	ck_assert(s.fatal == (let_go[_i].how == POLICY_EXIT_FATAL));
}
END_TEST

/* ------------------------------------------------------------------ */
/* Retiring */

static const struct {
	pid_t pid;
	bool retiring;
	bool quit;		/* the answer */
	int64_t finish_by;	/* after (0 when it was not retiring) */
	const char *note;
} retire_rows[] = {
	{ 42, false, true, 1000 + 30000, "live: QUIT, 30 s from now" },
	{ 42, true, false, 555, "already retiring: keeps its first deadline" },
	{ 0, false, false, 0, "empty: nothing to tell" },
};

START_TEST(test_retire)
{
	struct policy_slot s;

	memset(&s, 0, sizeof(s));
	s.pid = retire_rows[_i].pid;
	s.wanted = true;
	s.retiring = retire_rows[_i].retiring;
	if (s.retiring)
		s.finish_by_ms = 555;
	ck_assert_msg(policy_retire(&s, 1000, 30000) == retire_rows[_i].quit,
	    "%s", retire_rows[_i].note);
	ck_assert(!s.wanted);
	ck_assert_int_eq(s.finish_by_ms, retire_rows[_i].finish_by);
	ck_assert(s.retiring == (s.pid > 0));
}
END_TEST

/* ------------------------------------------------------------------ */
/* The adaptive pool */

#define POOL_SLOTS 16

static const struct {
	unsigned wanted;	/* slots 0.. wanted, live */
	unsigned idle;		/* the first idle of them idle */
	unsigned old_idle;	/* then unwanted (retiring) idle ones */
	unsigned min_spare, max_spare, max_workers;
	unsigned rate;		/* spawn_rate before */
	size_t spawn;
	unsigned rate_after;
	ssize_t retire;
	const char *note;
} pool_rows[] = {
	{ 5, 5, 0, 5, 10, 256, 1, 0, 1, -1, "min-spare idle: nothing" },
	{ 5, 4, 0, 5, 10, 256, 1, 1, 2, -1, "one short: start 1, rate 2" },
	{ 5, 0, 0, 5, 10, 256, 2, 2, 4, -1, "still short: 2, rate 4" },
	{ 8, 0, 0, 5, 10, 256, 32, 32, 32, -1, "rate capped at 32" },
	{ 8, 0, 0, 5, 10, 10, 8, 2, 16, -1, "never past max-workers" },
	{ 10, 0, 0, 5, 10, 10, 8, 0, 1, -1,
	    "at max-workers: nothing, rate back to 1" },
	{ 5, 4, 5, 5, 10, 256, 1, 1, 2, -1,
	    "the old generation's idle workers do not count" },
	{ 12, 11, 0, 5, 10, 256, 4, 0, 1, 0,
	    "over max-spare: retire the first idle (slot 0), rate 1" },
	{ 12, 10, 0, 5, 10, 256, 1, 0, 1, -1, "max-spare idle: nothing" },
	{ 3, 0, 0, 0, 1, 256, 1, 0, 1, -1, "min-spare 0: never short" },
};

START_TEST(test_pool)
{
	struct scoreboard *sb = scoreboard_create(POOL_SLOTS);
	struct policy_slot slots[POOL_SLOTS];
	const struct policy_pool pool = {
		.min_spare = pool_rows[_i].min_spare,
		.max_spare = pool_rows[_i].max_spare,
		.max_workers = pool_rows[_i].max_workers,
	};
	unsigned rate = pool_rows[_i].rate, n = pool_rows[_i].wanted;
	ssize_t retire = 99;
	size_t spawn;

	ck_assert_ptr_nonnull(sb);
	memset(slots, 0, sizeof(slots));
	for (unsigned i = 0; i < n + pool_rows[_i].old_idle; i++) {
		slots[i].pid = 100 + (pid_t)i;
		slots[i].wanted = i < n;
		slots[i].retiring = i >= n;
		sb->slot[i].state = i < pool_rows[_i].idle || i >= n ?
		    SCOREBOARD_IDLE : SCOREBOARD_READING;
	}
	spawn = policy_adapt(slots, sb, POOL_SLOTS, &pool, &rate, &retire);
	ck_assert_msg(spawn == pool_rows[_i].spawn &&
	    rate == pool_rows[_i].rate_after && retire == pool_rows[_i].retire,
	    "%s: spawn %zu rate %u retire %zd, want %zu %u %zd",
	    pool_rows[_i].note, spawn, rate, retire, pool_rows[_i].spawn,
	    pool_rows[_i].rate_after, pool_rows[_i].retire);
	scoreboard_destroy(sb);
}
END_TEST

/* Full and busy workers are not idle; starting ones neither. */
START_TEST(test_count)
{
	struct scoreboard *sb = scoreboard_create(6);
	struct policy_slot slots[6];
	static const int states[6] = { SCOREBOARD_IDLE, SCOREBOARD_FULL,
	    SCOREBOARD_WRITING, SCOREBOARD_STARTING, SCOREBOARD_IDLE,
	    SCOREBOARD_IDLE };
	size_t wanted, idle;

	ck_assert_ptr_nonnull(sb);
	memset(slots, 0, sizeof(slots));
	for (int i = 0; i < 6; i++) {
		slots[i].pid = i == 4 ? 0 : 100 + i;	/* 4: refill pending */
		slots[i].wanted = i != 5;		/* 5: retiring */
		sb->slot[i].state = states[i];
	}
	policy_count(slots, sb, 6, &wanted, &idle);
	ck_assert_uint_eq(wanted, 5);
	ck_assert_uint_eq(idle, 1);
	scoreboard_destroy(sb);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The watchdog */

static const struct {
	pid_t pid;
	int64_t term_ms, beat, now, limit;
	bool stuck;
	const char *note;
} stuck_rows[] = {
	{ 42, 0, 1000, 1000 + 120000, 120000, true, "silent for the limit" },
	{ 42, 0, 1000, 1000 + 119999, 120000, false, "1 ms short of it" },
	{ 42, 0, 0, 999999999, 120000, false, "not started its loop yet" },
	{ 42, 0, 1000, 999999999, 0, false, "request-timeout 0: off" },
	{ 42, 5, 1000, 999999999, 120000, false, "already sent TERM" },
	{ 0, 0, 1000, 999999999, 120000, false, "no worker" },
	{ 42, 0, 5000, 4000, 1000, false, "a beat from the future" },
};

START_TEST(test_stuck)
{
	struct policy_slot s;
	struct scoreboard_slot sb;

	memset(&s, 0, sizeof(s));
	memset(&sb, 0, sizeof(sb));
	s.pid = stuck_rows[_i].pid;
	s.term_ms = stuck_rows[_i].term_ms;
	sb.heartbeat_ms = stuck_rows[_i].beat;
	ck_assert_msg(policy_stuck(&s, &sb, stuck_rows[_i].now,
	    stuck_rows[_i].limit) == stuck_rows[_i].stuck, "%s",
	    stuck_rows[_i].note);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Workers told to stop */

#define NONE INT64_MAX

static const struct {
	pid_t pid;
	bool retiring;
	int64_t term_ms, finish_by, now;
	enum policy_stop act;
	int64_t next;
	const char *note;
} stop_rows[] = {
	{ 42, true, 0, 31000, 30999, POLICY_STOP_NONE, 31000,
	    "retiring, before its deadline: next is the deadline" },
	{ 42, true, 0, 31000, 31000, POLICY_STOP_TERM, 36000,
	    "at shutdown-timeout: TERM, KILL 5 s later" },
	{ 42, true, 31000, 31000, 35999, POLICY_STOP_NONE, 36000,
	    "TERM sent: waiting" },
	{ 42, true, 31000, 31000, 36000, POLICY_STOP_KILL, 41000,
	    "5 s after TERM: KILL, and again 5 s later" },
	{ 42, false, 2000, 0, 7000, POLICY_STOP_KILL, 12000,
	    "a watchdog TERM (not retiring) gets KILL too" },
	{ 42, false, 0, 0, 999999, POLICY_STOP_NONE, NONE,
	    "serving, never told: nothing, no deadline" },
	{ 0, true, 0, 31000, 999999, POLICY_STOP_NONE, NONE,
	    "gone: nothing" },
};

START_TEST(test_enforce)
{
	struct policy_slot s;
	int64_t next = NONE;
	enum policy_stop act;

	memset(&s, 0, sizeof(s));
	s.pid = stop_rows[_i].pid;
	s.retiring = stop_rows[_i].retiring;
	s.term_ms = stop_rows[_i].term_ms;
	s.finish_by_ms = stop_rows[_i].finish_by;
	act = policy_enforce(&s, stop_rows[_i].now, &next);
	ck_assert_msg(act == stop_rows[_i].act && next == stop_rows[_i].next,
	    "%s: act %d next %lld, want %d %lld", stop_rows[_i].note, act,
	    (long long)next, stop_rows[_i].act,
	    (long long)stop_rows[_i].next);
	/* An earlier deadline of another slot is kept. */
	next = 1;
	(void)policy_enforce(&s, stop_rows[_i].now, &next);
	ck_assert_int_eq(next, 1);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Refills */

static const struct {
	bool wanted;
	pid_t pid;
	int64_t respawn, now;
	bool due;
	int64_t next;
	const char *note;
} refill_rows[] = {
	{ true, 0, 500, 500, true, NONE, "due now" },
	{ true, 0, 500, 499, false, 500, "1 ms early: next is then" },
	{ true, 42, 500, 9999, false, NONE, "has a worker" },
	{ false, 0, 500, 9999, false, NONE, "not wanted" },
};

START_TEST(test_refill)
{
	struct policy_slot s;
	int64_t next = NONE;

	memset(&s, 0, sizeof(s));
	s.wanted = refill_rows[_i].wanted;
	s.pid = refill_rows[_i].pid;
	s.respawn_ms = refill_rows[_i].respawn;
	ck_assert_msg(policy_refill(&s, refill_rows[_i].now, &next) ==
	    refill_rows[_i].due && next == refill_rows[_i].next, "%s",
	    refill_rows[_i].note);
}
END_TEST

static Suite *
policy_suite(void)
{
	Suite *s = suite_create("policy");
	TCase *tc;

	tc = tcase_create("backoff");
	tcase_add_test(tc, test_backoff_life);
	tcase_add_loop_test(tc, test_let_go, 0, ROWS(let_go));
	tcase_add_loop_test(tc, test_retire, 0, ROWS(retire_rows));
	suite_add_tcase(s, tc);

	tc = tcase_create("pool");
	tcase_add_loop_test(tc, test_pool, 0, ROWS(pool_rows));
	tcase_add_test(tc, test_count);
	suite_add_tcase(s, tc);

	tc = tcase_create("stop");
	tcase_add_loop_test(tc, test_stuck, 0, ROWS(stuck_rows));
	tcase_add_loop_test(tc, test_enforce, 0, ROWS(stop_rows));
	tcase_add_loop_test(tc, test_refill, 0, ROWS(refill_rows));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(policy_suite());
}
