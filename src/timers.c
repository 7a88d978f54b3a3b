/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * timers.c - the heap: heap[0] is the earliest deadline; each node is
 * no later than its children (2k + 1, 2k + 2).  pos[] follows every
 * move, so an id's deadline can be moved or removed without a search.
 */
#include "autoconf.h"

#include <stdlib.h>

#include "timers.h"

int
timers_init(struct timers *t, uint32_t cap)
{
	t->n = 0;
	t->cap = cap;
	t->heap = calloc(cap ? cap : 1, sizeof(*t->heap));
	t->pos = malloc((cap ? cap : 1) * sizeof(*t->pos));
	t->when = calloc(cap ? cap : 1, sizeof(*t->when));
	if (t->heap == NULL || t->pos == NULL || t->when == NULL) {
		timers_free(t);
		return -1;
	}
	for (uint32_t i = 0; i < cap; i++)
		t->pos[i] = TIMERS_NONE;
	return 0;
}

void
timers_free(struct timers *t)
{
	free(t->heap);
	free(t->pos);
	free(t->when);
	t->heap = t->pos = NULL;
	t->when = NULL;
	t->n = t->cap = 0;
}

static void
timers_place(struct timers *t, uint32_t k, uint32_t id)
{
	t->heap[k] = id;
	t->pos[id] = k;
}

static void
timers_up(struct timers *t, uint32_t k)
{
	uint32_t id = t->heap[k];

	while (k > 0) {
		uint32_t parent = (k - 1) / 2;

		if (t->when[t->heap[parent]] <= t->when[id])
			break;
		timers_place(t, k, t->heap[parent]);
		k = parent;
	}
	timers_place(t, k, id);
}

static void
timers_down(struct timers *t, uint32_t k)
{
	uint32_t id = t->heap[k];

	for (;;) {
		uint32_t c = 2 * k + 1;

		if (c >= t->n)
			break;
		if (c + 1 < t->n && t->when[t->heap[c + 1]] < t->when[t->heap[c]])
			c++;
		if (t->when[id] <= t->when[t->heap[c]])
			break;
		timers_place(t, k, t->heap[c]);
		k = c;
	}
	timers_place(t, k, id);
}

void
timers_set(struct timers *t, uint32_t id, int64_t when)
{
	uint32_t k = t->pos[id];

	t->when[id] = when;
	if (k == TIMERS_NONE) {
		k = t->n++;
		timers_place(t, k, id);
		timers_up(t, k);
		return;
	}
	timers_up(t, k);
	timers_down(t, t->pos[id]);
}

void
timers_del(struct timers *t, uint32_t id)
{
	uint32_t k = t->pos[id], last;

	if (k == TIMERS_NONE)
		return;
	t->pos[id] = TIMERS_NONE;
	last = t->heap[--t->n];
	if (k == t->n)
		return;
	timers_place(t, k, last);
	timers_up(t, k);
	timers_down(t, t->pos[last]);
}

uint32_t
timers_first(const struct timers *t, int64_t *when)
{
	if (t->n == 0)
		return TIMERS_NONE;
	*when = t->when[t->heap[0]];
	return t->heap[0];
}
