/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_fcache.c - the worker's cache of open files against real files in
 * a scratch directory: a hit hands back the same fd; any change to the
 * file (written, truncated, replaced, removed, its mode) is a miss that
 * closes the old fd; paths that share a slot replace each other; long
 * paths are refused; idle entries are swept; an entry made under one
 * document root (or open policy) is never another's.
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
static struct fcache_root rid;	/* root_fd's */

static void
setup(void)
{
	unit_scratch_dir(scratch, sizeof(scratch), "check_fcache");
	root_fd = open(scratch, O_PATH | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(root_fd, 0);
	ck_assert(fcache_root_of(root_fd, 0, &rid));
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
	ck_assert(fcache_put(&rid, rel, fd, &st, now));
	return fd;
}

START_TEST(test_hit)
{
	struct stat st;
	int fd = put("a.txt", 1000);

	ck_assert_int_eq(fcache_get(&rid, root_fd, "a.txt", 1001, &st), fd);
	ck_assert_int_eq(st.st_size, 5);
	ck_assert(S_ISREG(st.st_mode));
	/* Another name is not this entry. */
	ck_assert_int_eq(fcache_get(&rid, root_fd, "b.txt", 1001, &st), -1);
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
	ck_assert_msg(fcache_get(&rid, root_fd, "a.txt", 1001, &st) == -1,
	    "a %s file was a hit", change_names[_i]);
	ck_assert_msg(!fd_open(fd), "the fd of a %s file was not closed",
	    change_names[_i]);
	/* And the entry is gone: the next look is a plain miss. */
	ck_assert_int_eq(fcache_get(&rid, root_fd, "a.txt", 1002, &st), -1);
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
	ck_assert_int_eq(fcache_get(&rid, root_fd, "a.txt", 1001, &st), -1);
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
	ck_assert_int_eq(fcache_get(&rid, root_fd, "a.txt", 1001, &st), -1);
	ck_assert_int_eq(fcache_get(&rid, root_fd, other, 1001, &st), fd2);
}
END_TEST

/*
 * Two document roots side by side (unit_two_roots()): A holds
 * secret.txt; B holds symlinks that leave B for it (link.txt, and
 * secret.txt under the same name as A's).  Opening either beneath B is refused (RESOLVE_BENEATH), so once A
 * has cached its secret.txt a look-up under B must miss: an entry made
 * under one root is never another root's, even when the path and the
 * inode it resolves to are the same.  Nor is it the same root's under
 * another policy.  Another fd on A is A.
 */
START_TEST(test_roots_apart)
{
	char two[1024], a[1100], b[1100];
	struct fcache_root a_id, b_id, a2_id, lax_id;
	struct stat st;
	int a_fd, a2_fd, b_fd, fd;

	unit_two_roots(two, sizeof(two), "check_fcache_roots");
	unit_path(a, sizeof(a), two, "A");
	unit_path(b, sizeof(b), two, "B");
	a_fd = open(a, O_PATH | O_DIRECTORY | O_CLOEXEC);
	a2_fd = open(a, O_PATH | O_DIRECTORY | O_CLOEXEC);
	b_fd = open(b, O_PATH | O_DIRECTORY | O_CLOEXEC);
	ck_assert(a_fd >= 0 && a2_fd >= 0 && b_fd >= 0);
	ck_assert(fcache_root_of(a_fd, 0, &a_id));
	ck_assert(fcache_root_of(a2_fd, 0, &a2_id));
	ck_assert(fcache_root_of(a_fd, 1, &lax_id));
	ck_assert(fcache_root_of(b_fd, 0, &b_id));

	fd = openat(a_fd, "secret.txt", O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert(fcache_put(&a_id, "secret.txt", fd, &st, 1000));
	ck_assert_int_eq(fcache_get(&a_id, a_fd, "secret.txt", 1001, &st), fd);

	ck_assert_msg(fcache_get(&b_id, b_fd, "link.txt", 1002, &st) == -1,
	    "root B's link.txt was served from root A's entry");
	ck_assert_msg(fcache_get(&b_id, b_fd, "secret.txt", 1002, &st) == -1,
	    "root B's secret.txt (a symlink out of B) was served from root "
	    "A's entry");
	ck_assert_msg(fcache_get(&lax_id, a_fd, "secret.txt", 1002, &st) == -1,
	    "an entry was served under another policy");
	/* B's misses left A's entry alone; a second fd on A shares it. */
	ck_assert(fd_open(fd));
	ck_assert_int_eq(fcache_get(&a2_id, a2_fd, "secret.txt", 1003, &st),
	    fd);

	close(a_fd);
	close(a2_fd);
	close(b_fd);
	unit_rmtree(two);
}
END_TEST

/*
 * The root is in the hash, so test_roots_apart's roots most likely land
 * in different slots and never compare keys.  Here a root and a policy
 * are found whose "secret.txt" shares A's slot (putting there closes A's
 * fd), and a look-up under them, through a symlink to A's very file,
 * must still miss.
 */
START_TEST(test_roots_same_slot)
{
	char name[32], p[1100];
	struct fcache_root a_id, c_id, lax_id;
	struct stat st;
	int a_fd, c_fd = -1, fd, dummy, policy = -1;

	unit_make_dir(scratch, "A");
	unit_write_file(scratch, "A/secret.txt", "secret");
	unit_path(p, sizeof(p), scratch, "A");
	a_fd = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(a_fd, 0);
	ck_assert(fcache_root_of(a_fd, 0, &a_id));

	/* A root C whose secret.txt takes the slot of A's. */
	for (int i = 0; i < 10 * FCACHE_SIZE && c_fd < 0; i++) {
		fd = openat(a_fd, "secret.txt", O_RDONLY | O_CLOEXEC);
		ck_assert_int_eq(fstat(fd, &st), 0);
		ck_assert(fcache_put(&a_id, "secret.txt", fd, &st, 1000));
		snprintf(name, sizeof(name), "C%d", i);
		unit_make_dir(scratch, name);
		unit_path(p, sizeof(p), scratch, name);
		c_fd = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
		ck_assert(fcache_root_of(c_fd, 0, &c_id));
		dummy = dup(root_fd);
		ck_assert(fcache_put(&c_id, "secret.txt", dummy, &st, 1000));
		if (fd_open(fd)) {
			close(c_fd);
			c_fd = -1;
		}
		fcache_clear();
	}
	ck_assert_msg(c_fd >= 0, "no root shares a slot with A");
	snprintf(name + strlen(name), sizeof(name) - strlen(name),
	    "/secret.txt");
	unit_path(p, sizeof(p), scratch, name);
	ck_assert_int_eq(symlink("../A/secret.txt", p), 0);

	/* A policy under which A's secret.txt takes the same slot. */
	for (int i = 1; i <= 10 * FCACHE_SIZE && policy < 0; i++) {
		fd = openat(a_fd, "secret.txt", O_RDONLY | O_CLOEXEC);
		ck_assert_int_eq(fstat(fd, &st), 0);
		ck_assert(fcache_put(&a_id, "secret.txt", fd, &st, 1000));
		ck_assert(fcache_root_of(a_fd, i, &lax_id));
		dummy = dup(root_fd);
		ck_assert(fcache_put(&lax_id, "secret.txt", dummy, &st, 1000));
		if (!fd_open(fd))
			policy = i;
		fcache_clear();
	}
	ck_assert_msg(policy >= 0, "no policy shares a slot with A's");
	ck_assert(fcache_root_of(a_fd, policy, &lax_id));

	fd = openat(a_fd, "secret.txt", O_RDONLY | O_CLOEXEC);
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert(fcache_put(&a_id, "secret.txt", fd, &st, 1000));
	ck_assert_msg(fcache_get(&c_id, c_fd, "secret.txt", 1001, &st) == -1,
	    "another root's secret.txt (a symlink to A's) hit A's entry");
	ck_assert_msg(fcache_get(&lax_id, a_fd, "secret.txt", 1001, &st) == -1,
	    "A's entry was served under another policy");
	ck_assert_int_eq(fcache_get(&a_id, a_fd, "secret.txt", 1002, &st), fd);
	close(c_fd);
	close(a_fd);
}
END_TEST

START_TEST(test_root_of_bad_fd)
{
	struct fcache_root id;

	errno = 0;
	ck_assert(!fcache_root_of(-1, 0, &id));
	ck_assert_int_eq(errno, EBADF);
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
	ck_assert(!fcache_put(&rid, rel, 12345, &st, 1000));
	ck_assert_int_eq(fcache_get(&rid, root_fd, rel, 1000, &st), -1);
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
	ck_assert_int_eq(fcache_get(&rid, root_fd, "a.txt", 4000, &st), fa);
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
	tcase_add_test(tc, test_roots_apart);
	tcase_add_test(tc, test_roots_same_slot);
	tcase_add_test(tc, test_root_of_bad_fd);
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
