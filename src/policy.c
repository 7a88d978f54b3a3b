/* SPDX-License-Identifier: BSD-2-Clause */
#include "autoconf.h"
/*
 * policy.c - the master's decisions; see policy.h.  Pure: the clock and
 * the scoreboard come in as arguments, and nothing here signals, forks,
 * logs or reads a clock, so that a unit test can play a crash loop, a
 * healthy minute or a load burst in microseconds.
 */

#include "policy.h"

int64_t
policy_exited(struct policy_slot *s, enum policy_exit how, int64_t now)
{
	bool healthy = now - s->started_ms >= POLICY_HEALTHY_MS;
	unsigned shift;
	int64_t delay;

	s->fatal = how == POLICY_EXIT_FATAL;
	if (!s->wanted || s->retiring) {
		s->wanted = false;
		s->failures = 0;
		return -1;
	}
	if (how == POLICY_EXIT_CLEAN || how == POLICY_EXIT_STOPPED) {
		/* Recycled (max-requests-per-worker): replace it now. */
		s->respawn_ms = now;
		return 0;
	}
	/*
	 * Crashes in a row double the wait before the next start, up to a
	 * cap, while the other workers go on serving; a worker that lived a
	 * healthy minute starts its slot's count afresh.
	 */
	if (healthy)
		s->failures = 0;
	shift = s->failures < 16 ? s->failures : 16;
	delay = (int64_t)POLICY_BACKOFF_MIN_MS << shift;
	if (delay > POLICY_BACKOFF_MAX_MS)
		delay = POLICY_BACKOFF_MAX_MS;
	s->failures++;
	s->respawn_ms = now + delay;
	return delay;
}

bool
policy_retire(struct policy_slot *s, int64_t now, int64_t shutdown_ms)
{
	s->wanted = false;
	if (s->pid <= 0 || s->retiring)
		return false;
	s->retiring = true;
	s->quit_ms = now;
	s->finish_by_ms = now + shutdown_ms;
	return true;
}

void
policy_count(const struct policy_slot *slots, const struct scoreboard *sb,
    size_t n, size_t *wanted, size_t *idle)
{
	*wanted = 0;
	*idle = 0;
	for (size_t i = 0; i < n; i++) {
		if (!slots[i].wanted)
			continue;
		(*wanted)++;
		if (slots[i].pid > 0 && sb->slot[i].state == SCOREBOARD_IDLE)
			(*idle)++;
	}
}

size_t
policy_adapt(const struct policy_slot *slots, const struct scoreboard *sb,
    size_t n, const struct policy_pool *pool, unsigned *spawn_rate,
    ssize_t *retire)
{
	size_t wanted, idle, spawn;

	*retire = -1;
	policy_count(slots, sb, n, &wanted, &idle);
	if (idle < pool->min_spare && wanted < pool->max_workers) {
		spawn = *spawn_rate;
		if (spawn > pool->max_workers - wanted)
			spawn = pool->max_workers - wanted;
		if (*spawn_rate < POLICY_SPAWN_RATE_MAX)
			*spawn_rate *= 2;
		return spawn;
	}
	*spawn_rate = 1;
	if (idle <= pool->max_spare)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (slots[i].wanted && slots[i].pid > 0 &&
		    sb->slot[i].state == SCOREBOARD_IDLE) {
			*retire = (ssize_t)i;
			break;
		}
	}
	return 0;
}

bool
policy_stuck(const struct policy_slot *s, const struct scoreboard_slot *sb,
    int64_t now, int64_t limit_ms)
{
	int64_t beat;

	if (limit_ms <= 0 || s->pid <= 0 || s->term_ms > 0)
		return false;
	/* One aligned value, stored whole by the worker: never torn. */
	beat = __atomic_load_n(&sb->heartbeat_ms, __ATOMIC_RELAXED);
	return beat != 0 && now - beat >= limit_ms;
}

enum policy_stop
policy_enforce(const struct policy_slot *s, int64_t now, int64_t *next)
{
	enum policy_stop act = POLICY_STOP_NONE;
	int64_t term = s->term_ms;

	if (s->pid <= 0 || (term == 0 && !s->retiring))
		return POLICY_STOP_NONE;
	if (term > 0 && now - term >= POLICY_KILL_WAIT_MS) {
		act = POLICY_STOP_KILL;
		term = now;
	} else if (term == 0 && now >= s->finish_by_ms) {
		act = POLICY_STOP_TERM;
		term = now;
	}
	if (term > 0) {
		if (term + POLICY_KILL_WAIT_MS < *next)
			*next = term + POLICY_KILL_WAIT_MS;
	} else if (s->finish_by_ms < *next) {
		*next = s->finish_by_ms;
	}
	return act;
}

bool
policy_refill(const struct policy_slot *s, int64_t now, int64_t *next)
{
	if (!s->wanted || s->pid != 0)
		return false;
	if (s->respawn_ms <= now)
		return true;
	if (s->respawn_ms < *next)
		*next = s->respawn_ms;
	return false;
}
