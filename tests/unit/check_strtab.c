/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_strtab.c - the string table: put and get, a key put twice keeps
 * its first value, keys that differ only in length or in a byte after a
 * NUL, the empty key, and growth far past the first array with every
 * key still found with its own value.
 */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>

#include <check.h>

#include "strtab.h"

#include "../lib/unit.h"

START_TEST(test_put_get)
{
	struct strtab *t = strtab_new();

	ck_assert_ptr_nonnull(t);
	ck_assert_uint_eq(strtab_count(t), 0);
	ck_assert_int_eq(strtab_get(t, "a", 1), -1);
	ck_assert_int_eq(strtab_put(t, "alpha", 5, 7), 0);
	ck_assert_int_eq(strtab_put(t, "beta", 4, 0), 0);
	ck_assert_uint_eq(strtab_count(t), 2);
	ck_assert_int_eq(strtab_get(t, "alpha", 5), 7);
	ck_assert_int_eq(strtab_get(t, "beta", 4), 0);
	/* Length counts: a prefix of a key, or a key and more, is not it. */
	ck_assert_int_eq(strtab_get(t, "alph", 4), -1);
	ck_assert_int_eq(strtab_get(t, "alphabet", 5), 7);
	ck_assert_int_eq(strtab_get(t, "alphabet", 8), -1);
	/* Byte for byte: no case folding. */
	ck_assert_int_eq(strtab_get(t, "Alpha", 5), -1);
	strtab_free(t);
}
END_TEST

START_TEST(test_duplicate)
{
	struct strtab *t = strtab_new();

	ck_assert_int_eq(strtab_put(t, "/api", 4, 1), 0);
	ck_assert_int_eq(strtab_put(t, "/api", 4, 2), 1);
	ck_assert_int_eq(strtab_get(t, "/api", 4), 1);
	ck_assert_uint_eq(strtab_count(t), 1);
	strtab_free(t);
}
END_TEST

/* Keys are bytes, not C strings: a NUL inside one is part of it. */
START_TEST(test_binary_keys)
{
	struct strtab *t = strtab_new();

	ck_assert_int_eq(strtab_put(t, "a\0b", 3, 1), 0);
	ck_assert_int_eq(strtab_put(t, "a\0c", 3, 2), 0);
	ck_assert_int_eq(strtab_put(t, "a", 1, 3), 0);
	ck_assert_int_eq(strtab_get(t, "a\0b", 3), 1);
	ck_assert_int_eq(strtab_get(t, "a\0c", 3), 2);
	ck_assert_int_eq(strtab_get(t, "a", 1), 3);
	ck_assert_int_eq(strtab_get(t, "a\0", 2), -1);
	strtab_free(t);
}
END_TEST

/* "" is a key like another (the root prefix "/" is stored as ""). */
START_TEST(test_empty_key)
{
	struct strtab *t = strtab_new();

	ck_assert_int_eq(strtab_get(t, "", 0), -1);
	ck_assert_int_eq(strtab_put(t, "", 0, 5), 0);
	ck_assert_int_eq(strtab_get(t, "", 0), 5);
	ck_assert_int_eq(strtab_get(t, "x", 0), 5);
	ck_assert_int_eq(strtab_get(t, "x", 1), -1);
	ck_assert_int_eq(strtab_put(t, "", 0, 6), 1);
	ck_assert_int_eq(strtab_get(t, "", 0), 5);
	strtab_free(t);
}
END_TEST

/* Many times the first array: every key keeps its value through each
 * growth, none missing, none invented. */
START_TEST(test_growth)
{
	enum { N = 20000 };
	struct strtab *t = strtab_new();
	char key[32];

	for (int i = 0; i < N; i++) {
		int n = snprintf(key, sizeof(key), "/k/%d", i);

		ck_assert_int_eq(strtab_put(t, key, (size_t)n, i), 0);
		if (strtab_count(t) != (size_t)i + 1)
			ck_abort_msg("count %zu after %d puts",
			    strtab_count(t), i + 1);
	}
	for (int i = 0; i < N; i++) {
		int n = snprintf(key, sizeof(key), "/k/%d", i);
		int v = strtab_get(t, key, (size_t)n);

		if (v != i)
			ck_abort_msg("%s: %d, want %d", key, v, i);
		n = snprintf(key, sizeof(key), "/x/%d", i);
		if ((v = strtab_get(t, key, (size_t)n)) != -1)
			ck_abort_msg("%s: %d, want none", key, v);
	}
	/* Put again after growth: still a duplicate. */
	ck_assert_int_eq(strtab_put(t, "/k/0", 4, 99), 1);
	ck_assert_int_eq(strtab_get(t, "/k/0", 4), 0);
	strtab_free(t);
}
END_TEST

START_TEST(test_null)
{
	strtab_free(NULL);
	ck_assert_uint_eq(strtab_count(NULL), 0);
	ck_assert_int_eq(strtab_get(NULL, "a", 1), -1);
}
END_TEST

static Suite *
strtab_suite(void)
{
	Suite *s = suite_create("strtab");
	TCase *tc = tcase_create("strtab");

	tcase_add_test(tc, test_put_get);
	tcase_add_test(tc, test_duplicate);
	tcase_add_test(tc, test_binary_keys);
	tcase_add_test(tc, test_empty_key);
	tcase_add_test(tc, test_growth);
	tcase_add_test(tc, test_null);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(strtab_suite());
}
