/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * timers.h - a binary min-heap of deadlines, one per id (a worker's
 * connection slots), so that the worker finds the next deadline and the
 * expired ones in O(log n) whatever the number of connections.
 *
 * Memory: two arrays sized once by timers_init(); nothing allocated
 * afterwards.  Not thread-safe (a worker is one thread).
 */
#ifndef FORKHTTPD_TIMERS_H
#define FORKHTTPD_TIMERS_H

#include <stdbool.h>
#include <stdint.h>

#define TIMERS_NONE UINT32_MAX

struct timers {
	uint32_t *heap;		/* ids, heap-ordered by when[] */
	uint32_t *pos;		/* an id's index in heap[], or TIMERS_NONE */
	int64_t *when;		/* an id's deadline */
	uint32_t n, cap;
};

/* Room for ids 0..cap-1.  0, or -1 (ENOMEM). */
int timers_init(struct timers *t, uint32_t cap);

/* Frees the arrays. */
void timers_free(struct timers *t);

/* Sets (or moves) id's deadline. */
void timers_set(struct timers *t, uint32_t id, int64_t when);

/* Removes id's deadline, if it has one. */
void timers_del(struct timers *t, uint32_t id);

/* The id with the earliest deadline (*when set), or TIMERS_NONE. */
uint32_t timers_first(const struct timers *t, int64_t *when);

#endif
