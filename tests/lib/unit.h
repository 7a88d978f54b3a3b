/*
 * unit.h - helpers shared by the Check programs in tests/unit: running a
 * suite, scratch directories and the files in them, counting open fds.
 *
 * Helpers that can fail report through ck_abort_msg(), so call them from
 * a test or a fixture, never from main() outside unit_run().
 */
#ifndef FORKHTTPD_TESTS_UNIT_H
#define FORKHTTPD_TESTS_UNIT_H

#include <stddef.h>

#include <check.h>

/*
 * Runs every test of s (CK_NORMAL output) and frees it.  Returns
 * EXIT_SUCCESS if none failed, else EXIT_FAILURE: main()'s status.
 */
int unit_run(Suite *s);

/*
 * Makes a fresh directory tag.XXXXXX (mkdtemp, then mode 0755 so that a
 * process dropped to nobody can walk it) under $FORKHTTPD_BUILDDIR/tests/tmp,
 * creating tests/ and tests/tmp as needed, or under /tmp when the variable
 * is unset or empty.  out (cap bytes) gets its canonical absolute path; it
 * is "" until then.  Any failure aborts the test.  The caller removes the
 * directory (unit_rmtree).
 */
void unit_scratch_dir(char *out, size_t cap, const char *tag);

/*
 * Removes path and everything below it, following no symlinks.  Best
 * effort: never aborts, so main() may call it.  "" does nothing.
 */
void unit_rmtree(const char *path);

/* buf (cap bytes, not overlapping the others) = dir/rel; too long aborts. */
void unit_path(char *buf, size_t cap, const char *dir, const char *rel);

/* Creates or truncates dir/rel holding exactly text; creates nothing else. */
void unit_write_file(const char *dir, const char *rel, const char *text);

/* Makes the directory dir/rel, mode 0755; any failure (EEXIST too) aborts. */
void unit_make_dir(const char *dir, const char *rel);

/* How many fds this process has open; only a difference of two means much. */
int unit_count_fds(void);

#endif
