/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_timers.c - the deadline heap: table tests of each operation
 * (set, move earlier and later, delete the head, a middle node and the
 * last one, the first of an empty heap), and a long random sequence
 * checked after every step against a reference that scans an array,
 * together with the heap's own invariants (heap order, pos[] the inverse
 * of heap[], n the count of ids with a deadline).
 */
#include "autoconf.h"

#include <stdint.h>
#include <stdio.h>

#include <check.h>

#include "timers.h"

#include "../lib/unit.h"

/*
 * The invariants: heap[0..n) holds distinct ids, each no earlier than
 * its parent; pos[heap[k]] == k; every id not in heap[0..n) has pos
 * TIMERS_NONE.  Returns how many ids have a deadline.  Plain tests with
 * ck_abort_msg(): each ck_assert() costs Check a message to its parent,
 * too slow for thousands of calls.
 */
static uint32_t
check_invariants(const struct timers *t)
{
	uint32_t with = 0;

	if (t->n > t->cap)
		ck_abort_msg("n %u > cap %u", t->n, t->cap);
	for (uint32_t k = 0; k < t->n; k++) {
		uint32_t id = t->heap[k];

		if (id >= t->cap)
			ck_abort_msg("heap[%u] is %u, past cap", k, id);
		if (t->pos[id] != k)
			ck_abort_msg("pos[%u] is %u, heap[%u] is it", id,
			    t->pos[id], k);
		if (k > 0 && t->when[t->heap[(k - 1) / 2]] > t->when[id])
			ck_abort_msg("heap[%u] (%lld) is earlier than its "
			    "parent (%lld)", k, (long long)t->when[id],
			    (long long)t->when[t->heap[(k - 1) / 2]]);
	}
	for (uint32_t id = 0; id < t->cap; id++) {
		if (t->pos[id] == TIMERS_NONE)
			continue;
		if (t->pos[id] >= t->n || t->heap[t->pos[id]] != id)
			ck_abort_msg("id %u: pos %u, but heap[%u] is not it "
			    "(n %u)", id, t->pos[id], t->pos[id], t->n);
		with++;
	}
	if (with != t->n)
		ck_abort_msg("%u ids have a position, n is %u", with, t->n);
	return with;
}

/* timers_first() is id at when; the invariants hold. */
static void
assert_first(const struct timers *t, uint32_t id, int64_t when)
{
	int64_t got = -12345;

	check_invariants(t);
	ck_assert_uint_eq(timers_first(t, &got), id);
	ck_assert_int_eq(got, when);
}

static void
assert_empty(const struct timers *t)
{
	int64_t got = -12345;

	ck_assert_uint_eq(check_invariants(t), 0);
	ck_assert_uint_eq(timers_first(t, &got), TIMERS_NONE);
	/* Nothing to report, so *when is left alone. */
	ck_assert_int_eq(got, -12345);
}

START_TEST(test_empty)
{
	struct timers t;

	ck_assert_int_eq(timers_init(&t, 8), 0);
	assert_empty(&t);
	/* Deleting what has no deadline changes nothing. */
	timers_del(&t, 3);
	assert_empty(&t);
	timers_set(&t, 3, 100);
	assert_first(&t, 3, 100);
	timers_del(&t, 3);
	assert_empty(&t);
	timers_del(&t, 3);
	assert_empty(&t);
	timers_free(&t);
	ck_assert_ptr_null(t.heap);
	ck_assert_uint_eq(t.cap, 0);

	/* Room for nothing is still a valid, empty heap. */
	ck_assert_int_eq(timers_init(&t, 0), 0);
	assert_empty(&t);
	timers_free(&t);
}
END_TEST

START_TEST(test_set)
{
	struct timers t;

	ck_assert_int_eq(timers_init(&t, 16), 0);
	timers_set(&t, 5, 500);
	assert_first(&t, 5, 500);
	/* Later ones leave the first alone. */
	timers_set(&t, 6, 600);
	timers_set(&t, 7, 700);
	assert_first(&t, 5, 500);
	/* An earlier one takes its place. */
	timers_set(&t, 0, 50);
	assert_first(&t, 0, 50);
	/* Negative deadlines order too (int64_t). */
	timers_set(&t, 15, -3);
	assert_first(&t, 15, -3);
	ck_assert_uint_eq(t.n, 5);
	/* Setting the same deadline again is no change. */
	timers_set(&t, 15, -3);
	assert_first(&t, 15, -3);
	ck_assert_uint_eq(t.n, 5);
	timers_free(&t);
}
END_TEST

START_TEST(test_move)
{
	struct timers t;

	ck_assert_int_eq(timers_init(&t, 16), 0);
	for (uint32_t id = 0; id < 10; id++)
		timers_set(&t, id, 1000 + 100 * (int64_t)id);
	assert_first(&t, 0, 1000);

	/* The head moved later: the next one comes first. */
	timers_set(&t, 0, 5000);
	assert_first(&t, 1, 1100);
	/* A deep node moved earlier than all: it comes first. */
	timers_set(&t, 9, 10);
	assert_first(&t, 9, 10);
	/* Moved later, but still the earliest. */
	timers_set(&t, 9, 1050);
	assert_first(&t, 9, 1050);
	/* Moved later than some: the earliest of the rest. */
	timers_set(&t, 9, 1250);
	assert_first(&t, 1, 1100);
	/* Moving one that is not first, later, changes no first. */
	timers_set(&t, 5, 9000);
	assert_first(&t, 1, 1100);
	ck_assert_uint_eq(t.n, 10);
	timers_free(&t);
}
END_TEST

START_TEST(test_delete)
{
	struct timers t;
	int64_t when, prev = INT64_MIN;

	ck_assert_int_eq(timers_init(&t, 16), 0);
	for (uint32_t id = 0; id < 12; id++)
		timers_set(&t, id, 100 * (int64_t)(id + 1));
	assert_first(&t, 0, 100);

	/* The head. */
	timers_del(&t, 0);
	assert_first(&t, 1, 200);
	ck_assert_uint_eq(t.pos[0], TIMERS_NONE);

	/* The node in the last slot: nothing moves into its place. */
	{
		uint32_t last = t.heap[t.n - 1];

		timers_del(&t, last);
		ck_assert_uint_eq(t.pos[last], TIMERS_NONE);
		assert_first(&t, 1, 200);
		ck_assert_uint_eq(t.n, 10);
	}

	/* A node in the middle, neither head nor leaf. */
	{
		uint32_t mid = t.heap[1];

		timers_del(&t, mid);
		ck_assert_uint_eq(t.pos[mid], TIMERS_NONE);
		assert_first(&t, 1, 200);
		ck_assert_uint_eq(t.n, 9);
	}

	/*
	 * The last slot's node moved into a deleted slot must go up when it
	 * is earlier than that slot's new parent: in the heap 1, 50, 2, 60,
	 * 70, 3, 4 (by deadline), deleting 70 (slot 4, under 50) moves 4 into
	 * slot 4, and 4 < 50.
	 */
	timers_free(&t);
	ck_assert_int_eq(timers_init(&t, 16), 0);
	timers_set(&t, 0, 1);
	timers_set(&t, 1, 50);
	timers_set(&t, 2, 2);
	timers_set(&t, 3, 60);
	timers_set(&t, 4, 70);
	timers_set(&t, 5, 3);
	timers_set(&t, 6, 4);
	check_invariants(&t);
	ck_assert_uint_eq(t.heap[4], 4);
	timers_del(&t, 4);
	check_invariants(&t);
	ck_assert_uint_lt(t.pos[6], 4);

	/* Everything, in turn: each time the earliest of the rest. */
	while (t.n > 0) {
		uint32_t id = timers_first(&t, &when);

		ck_assert_uint_ne(id, TIMERS_NONE);
		ck_assert_int_le(prev, when);
		prev = when;
		timers_del(&t, id);
		check_invariants(&t);
	}
	assert_empty(&t);
	timers_free(&t);
}
END_TEST

#define RANDOM_IDS 64
#define RANDOM_OPS 5000

/*
 * Random sets (new and moved), deletes (of ids with and without a
 * deadline) against an array that is simply scanned.  Deadlines come from
 * a small range so that ties are common: with a tie, any of the tied ids
 * is a right answer.
 */
START_TEST(test_random)
{
	struct timers t;
	bool has[RANDOM_IDS] = { false };
	int64_t ref[RANDOM_IDS];
	uint32_t x = 20240601u + (uint32_t)_i;
	int kinds[4] = { 0 };	/* new, moved, deleted, deleted none */

	ck_assert_int_eq(timers_init(&t, RANDOM_IDS), 0);
	for (int op = 0; op < RANDOM_OPS; op++) {
		uint32_t id = unit_random(&x) % RANDOM_IDS, first, count = 0;
		int64_t when = 0, min = INT64_MAX;

		if (unit_random(&x) % 3 == 0) {
			kinds[has[id] ? 2 : 3]++;
			timers_del(&t, id);
			has[id] = false;
		} else {
			kinds[has[id] ? 1 : 0]++;
			ref[id] = (int64_t)(unit_random(&x) % 200) - 50;
			timers_set(&t, id, ref[id]);
			has[id] = true;
		}
		for (uint32_t i = 0; i < RANDOM_IDS; i++) {
			if (has[i] != (t.pos[i] != TIMERS_NONE))
				ck_abort_msg("op %d: id %u: has %d, pos %u", op,
				    i, has[i], t.pos[i]);
			if (!has[i])
				continue;
			count++;
			if (ref[i] < min)
				min = ref[i];
			if (t.when[i] != ref[i])
				ck_abort_msg("op %d: id %u at %lld, set %lld",
				    op, i, (long long)t.when[i],
				    (long long)ref[i]);
		}
		if (check_invariants(&t) != count)
			ck_abort_msg("op %d: %u in the heap, %u set", op, t.n,
			    count);
		first = timers_first(&t, &when);
		if (count == 0) {
			if (first != TIMERS_NONE)
				ck_abort_msg("op %d: first %u of none", op,
				    first);
			continue;
		}
		if (first >= RANDOM_IDS || !has[first])
			ck_abort_msg("op %d: first is %u, which has no "
			    "deadline", op, first);
		if (when != min || ref[first] != min)
			ck_abort_msg("op %d: first %u at %lld, the earliest "
			    "is %lld", op, first, (long long)when,
			    (long long)min);
	}
	/* The sequence did reach every case it is for, often. */
	for (int k = 0; k < 4; k++)
		ck_assert_msg(kinds[k] >= RANDOM_OPS / 20, "seed %d: only %d "
		    "of kind %d (new, move, delete, delete of none)", _i,
		    kinds[k], k);
	timers_free(&t);
}
END_TEST

static Suite *
timers_suite(void)
{
	Suite *s = suite_create("timers");
	TCase *tc = tcase_create("heap");

	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_set);
	tcase_add_test(tc, test_move);
	tcase_add_test(tc, test_delete);
	/* A few seeds, each a different sequence. */
	tcase_add_loop_test(tc, test_random, 0, 4);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(timers_suite());
}
