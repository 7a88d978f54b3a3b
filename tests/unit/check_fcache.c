/*
 * check_fcache.c - the worker's cache of open files against real files in
 * a scratch directory: a hit hands back the same fd; any change to the
 * file (written, truncated, replaced, removed, its mode) is a miss that
 * closes the old fd; paths that share a slot replace each other; long
 * paths are refused; idle entries are swept.
 */
#include "autoconf.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "fcache.h"

#include "../lib/unit.h"

static char scratch[1024];
static int root_fd = -1;

static void
setup(void)
{
	unit_scratch_dir(scratch, sizeof(scratch), "check_fcache");
	root_fd = open(scratch, O_PATH | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(root_fd, 0);
	unit_write_file(scratch, "a.txt", "alpha");
	unit_write_file(scratch, "b.txt", "beta");
}

static void
teardown(void)
{
	fcache_clear();
	close(root_fd);
	unit_rmtree(scratch);
}

static bool
fd_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1;
}

/* Opens rel as the server would and gives it to the cache at now. */
static int
put(const char *rel, int64_t now)
{
	struct stat st;
	int fd = openat(root_fd, rel, O_RDONLY | O_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert(fcache_put(rel, fd, &st, now));
	return fd;
}

START_TEST(test_hit)
{
	struct stat st;
	int fd = put("a.txt", 1000);

	ck_assert_int_eq(fcache_get(root_fd, "a.txt", 1001, &st), fd);
	ck_assert_int_eq(st.st_size, 5);
	ck_assert(S_ISREG(st.st_mode));
	/* Another name is not this entry. */
	ck_assert_int_eq(fcache_get(root_fd, "b.txt", 1001, &st), -1);
	ck_assert(fd_open(fd));
}
END_TEST

/* Each way a file can change; each must be a miss that closes the fd. */
enum change { WRITTEN, TRUNCATED, REPLACED, REMOVED, CHMODDED, NCHANGES };
static const char *const change_names[NCHANGES] = {
	"written", "truncated", "replaced", "removed", "chmodded"
};

START_TEST(test_changed_file_misses)
{
	char path[1100], tmp[1100];
	struct stat st;
	int fd = put("a.txt", 1000), w;

	unit_path(path, sizeof(path), scratch, "a.txt");
	switch ((enum change)_i) {
	case WRITTEN:
		/* The same size: mtime and ctime tell. */
		usleep(20 * 1000);
		w = open(path, O_WRONLY);
		ck_assert_int_eq(pwrite(w, "ALPHA", 5, 0), 5);
		close(w);
		break;
	case TRUNCATED:
		ck_assert_int_eq(truncate(path, 2), 0);
		break;
	case REPLACED:
		unit_path(tmp, sizeof(tmp), scratch, "new.txt");
		unit_write_file(scratch, "new.txt", "alpha");
		ck_assert_int_eq(rename(tmp, path), 0);
		break;
	case REMOVED:
		ck_assert_int_eq(unlink(path), 0);
		break;
	case CHMODDED:
		usleep(20 * 1000);
		ck_assert_int_eq(chmod(path, 0600), 0);
		break;
	case NCHANGES:
		break;
	}
	ck_assert_msg(fcache_get(root_fd, "a.txt", 1001, &st) == -1,
	    "a %s file was a hit", change_names[_i]);
	ck_assert_msg(!fd_open(fd), "the fd of a %s file was not closed",
	    change_names[_i]);
	/* And the entry is gone: the next look is a plain miss. */
	ck_assert_int_eq(fcache_get(root_fd, "a.txt", 1002, &st), -1);
}
END_TEST

/* A directory where the file was is not served from the cache. */
START_TEST(test_now_a_directory)
{
	char path[1100];
	struct stat st;
	int fd = put("a.txt", 1000);

	unit_path(path, sizeof(path), scratch, "a.txt");
	ck_assert_int_eq(unlink(path), 0);
	unit_make_dir(scratch, "a.txt");
	ck_assert_int_eq(fcache_get(root_fd, "a.txt", 1001, &st), -1);
	ck_assert(!fd_open(fd));
}
END_TEST

/* Two paths in one slot: the second put closes the first's fd. */
START_TEST(test_slot_shared)
{
	char name[32], other[32] = "";
	struct stat st;
	int fd1, fd2;

	fd1 = put("a.txt", 1000);
	/* Find a name that lands in a.txt's slot: put each, see a.txt go. */
	for (int i = 0; i < 10 * FCACHE_SIZE && other[0] == '\0'; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		unit_write_file(scratch, name, "x");
		fd2 = put(name, 1000);
		if (!fd_open(fd1))
			snprintf(other, sizeof(other), "%s", name);
	}
	ck_assert_msg(other[0] != '\0', "no name shares a slot with a.txt");
	ck_assert_int_eq(fcache_get(root_fd, "a.txt", 1001, &st), -1);
	ck_assert_int_eq(fcache_get(root_fd, other, 1001, &st), fd2);
}
END_TEST

START_TEST(test_long_path_refused)
{
	char rel[FCACHE_PATH_MAX + 1];
	struct stat st;

	memset(rel, 'x', FCACHE_PATH_MAX);
	rel[FCACHE_PATH_MAX] = '\0';
	ck_assert_int_eq(fstat(root_fd, &st), 0);
	/* Not kept: the caller still owns (here: has no) fd. */
	ck_assert(!fcache_put(rel, 12345, &st, 1000));
	ck_assert_int_eq(fcache_get(root_fd, rel, 1000, &st), -1);
}
END_TEST

START_TEST(test_sweep)
{
	struct stat st;
	int fa, fb;

	ck_assert_int_eq(fcache_sweep(0), -1);
	fa = put("a.txt", 1000);
	fb = put("b.txt", 3000);
	ck_assert_int_eq(fcache_sweep(1000), FCACHE_IDLE_MS);
	/* A hit counts as use. */
	ck_assert_int_eq(fcache_get(root_fd, "a.txt", 4000, &st), fa);
	/* b.txt is idle longest now: it goes first. */
	ck_assert_int_eq(fcache_sweep(3000 + FCACHE_IDLE_MS),
	    4000 - 3000);
	ck_assert(!fd_open(fb));
	ck_assert(fd_open(fa));
	ck_assert_int_eq(fcache_sweep(4000 + FCACHE_IDLE_MS), -1);
	ck_assert(!fd_open(fa));
}
END_TEST

START_TEST(test_clear)
{
	int fa = put("a.txt", 1000), fb = put("b.txt", 1000);

	fcache_clear();
	ck_assert(!fd_open(fa));
	ck_assert(!fd_open(fb));
	ck_assert_int_eq(fcache_sweep(1000), -1);
}
END_TEST

static Suite *
fcache_suite(void)
{
	Suite *s = suite_create("fcache");
	TCase *tc = tcase_create("fcache");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_hit);
	tcase_add_loop_test(tc, test_changed_file_misses, 0, NCHANGES);
	tcase_add_test(tc, test_now_a_directory);
	tcase_add_test(tc, test_slot_shared);
	tcase_add_test(tc, test_long_path_refused);
	tcase_add_test(tc, test_sweep);
	tcase_add_test(tc, test_clear);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(fcache_suite());
}
