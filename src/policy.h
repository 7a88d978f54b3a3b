/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * policy.h - the master's decisions, as pure functions: given a slot's
 * record, the scoreboard and the clock (now, CLOCK_MONOTONIC ms, passed
 * in), what to do: when to refill a slot after its worker ended (the
 * back-off), how many workers the adaptive pool wants and which idle one
 * to retire, which worker the watchdog stops, and when a worker told to
 * stop gets TERM or KILL.  No signals, no fork, no clock, no logging:
 * master.c carries the answers out.  So every rule has a table-driven
 * unit test with an injected clock (tests/unit/check_policy.c).
 */
#ifndef FORKHTTPD_POLICY_H
#define FORKHTTPD_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "scoreboard.h"

/* A crash sooner than this after the worker's start counts as quick;
 * a worker that lived longer has earned its slot a fresh back-off. */
#define POLICY_HEALTHY_MS 60000
/* Respawn back-off for a crashing slot: doubles from MIN up to MAX. */
#define POLICY_BACKOFF_MIN_MS 100
#define POLICY_BACKOFF_MAX_MS 30000
/* How long a worker told to stop (TERM) has before SIGKILL. */
#define POLICY_KILL_WAIT_MS 5000
/* The adaptive pool spawns at most this many workers in one tick. */
#define POLICY_SPAWN_RATE_MAX 32

/* The master's record of one slot (slot i is scoreboard slot i). */
struct policy_slot {
	pid_t pid;		/* 0: no worker */
	unsigned generation;
	bool wanted;		/* the current pool wants a worker here */
	bool retiring;		/* told to finish (QUIT): not refilled */
	int64_t quit_ms;	/* retiring: told at; TERM at finish_by_ms */
	int64_t finish_by_ms;	/* quit_ms + shutdown-timeout */
	int64_t started_ms;
	int64_t respawn_ms;	/* when a wanted empty slot may be refilled */
	unsigned failures;	/* quick crashes in a row */
	int chan;		/* the master's end of the worker's log
				 * channel (log_send()); -1: none */
	bool fatal;		/* the last worker failed at start (exit 2) */
	int64_t term_ms;	/* TERM sent at (any reason); 0: not */
};

/* How a worker ended, as the master judged its wait status. */
enum policy_exit {
	POLICY_EXIT_CLEAN,	/* exit 0: stopped on request, or recycled */
	POLICY_EXIT_STOPPED,	/* killed by a signal the master sent it */
	POLICY_EXIT_CRASHED,	/* any other signal, or exit 1 */
	POLICY_EXIT_FATAL	/* exit 2: failed at start-up */
};

/*
 * The worker of slot s ended at now, as how says; s->pid must be set to
 * 0 by the caller.  Plans the slot: a slot no longer wanted, or
 * retiring, is let go (wanted false, failures 0) and -1 is returned; a
 * clean or stopped one is refilled at once (0); a crash (fatal
 * included) waits POLICY_BACKOFF_MIN_MS doubled for each quick crash in
 * a row before it, up to POLICY_BACKOFF_MAX_MS, and a worker that lived
 * POLICY_HEALTHY_MS starts the count afresh.  Sets s->respawn_ms,
 * s->failures and s->fatal; returns the delay.
 */
int64_t policy_exited(struct policy_slot *s, enum policy_exit how,
    int64_t now);

/*
 * Slot s's worker is told to finish (QUIT) at now, with shutdown_ms to
 * do it.  The slot is no longer wanted.  True if the QUIT is to be sent:
 * a live worker not already retiring (one that is keeps its first
 * deadline).
 */
bool policy_retire(struct policy_slot *s, int64_t now, int64_t shutdown_ms);

/* What the adaptive pool limits are. */
struct policy_pool {
	unsigned min_spare;
	unsigned max_spare;
	unsigned max_workers;
};

/*
 * The wanted slots of n, and how many of them have a live worker idle
 * in sb (state SCOREBOARD_IDLE).
 */
void policy_count(const struct policy_slot *slots,
    const struct scoreboard *sb, size_t n, size_t *wanted, size_t *idle);

/*
 * One tick of the adaptive pool (Apache prefork's rule).  Short of
 * min_spare idle workers and under max_workers: returns how many more
 * to start, *spawn_rate workers at most and never past max_workers, and
 * doubles *spawn_rate up to POLICY_SPAWN_RATE_MAX (a burst needs more
 * than the shortfall of one tick shows).  Otherwise *spawn_rate goes
 * back to 1, 0 is returned, and with more than max_spare idle *retire
 * is the first wanted slot whose worker is idle (else -1): one per tick.
 */
size_t policy_adapt(const struct policy_slot *slots,
    const struct scoreboard *sb, size_t n, const struct policy_pool *pool,
    unsigned *spawn_rate, ssize_t *retire);

/*
 * The watchdog: whether the worker of s (scoreboard slot sb) is to be
 * stopped at now because its event loop has not turned for limit_ms
 * (request-timeout; 0: off).  A live worker beats at least once a
 * second whatever its clients do, so a silent heartbeat means a worker
 * stuck inside one step; one that has not beaten yet (0) is starting,
 * and one already sent TERM is master_enforce()'s.
 */
bool policy_stuck(const struct policy_slot *s,
    const struct scoreboard_slot *sb, int64_t now, int64_t limit_ms);

/* What a worker told to stop is due for. */
enum policy_stop {
	POLICY_STOP_NONE,
	POLICY_STOP_TERM,	/* retiring, past finish_by_ms: TERM */
	POLICY_STOP_KILL	/* POLICY_KILL_WAIT_MS after a TERM: KILL
				 * (and again as long after each KILL) */
};

/*
 * The deadlines of a worker told to stop, whoever told it: what s is due
 * for at now, and *next lowered to when its next deadline comes (left
 * alone when it has none).  The caller records what it did (term_ms).
 */
enum policy_stop policy_enforce(const struct policy_slot *s, int64_t now,
    int64_t *next);

/*
 * Whether the wanted empty slot s is to be refilled now; if it is not
 * yet, *next is lowered to its respawn_ms.  False for any other slot.
 */
bool policy_refill(const struct policy_slot *s, int64_t now, int64_t *next);

#endif
