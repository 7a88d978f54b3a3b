/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_fcache.c - the worker's cache of open files against real files in
 * a scratch directory: a hit hands back the same fd; any change to the
 * file (written, truncated, replaced, removed, its mode) is a miss that
 * closes the old fd; paths that share a slot replace each other; long
 * paths are refused; idle entries are swept; an entry made under one
 * document root (or open policy) is never another's.  Watched entries
 * (inotify): a hit with the bytes in memory; every change to the file or
 * a directory on its way a miss at once, with no pause; a symlink on the
 * way or the watch limit reached falls back to the stat check; the
 * memory budget holds.
 */
#include "autoconf.h"

#include <sys/stat.h>

#include <stdio.h>

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
	ck_assert(fcache_put(&rid, rel, fd, &st, now, NULL));
	return fd;
}

START_TEST(test_hit)
{
	struct stat st;
	int fd = put("a.txt", 1000);

	ck_assert_int_eq(fcache_get(&rid, root_fd, "a.txt", 1001, &st, NULL), fd);
	ck_assert_int_eq(st.st_size, 5);
	ck_assert(S_ISREG(st.st_mode));
	/* Another name is not this entry. */
	ck_assert_int_eq(fcache_get(&rid, root_fd, "b.txt", 1001, &st, NULL), -1);
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
	ck_assert_msg(fcache_get(&rid, root_fd, "a.txt", 1001, &st, NULL) == -1,
	    "a %s file was a hit", change_names[_i]);
	ck_assert_msg(!fd_open(fd), "the fd of a %s file was not closed",
	    change_names[_i]);
	/* And the entry is gone: the next look is a plain miss. */
	ck_assert_int_eq(fcache_get(&rid, root_fd, "a.txt", 1002, &st, NULL), -1);
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
	ck_assert_int_eq(fcache_get(&rid, root_fd, "a.txt", 1001, &st, NULL), -1);
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
	ck_assert_int_eq(fcache_get(&rid, root_fd, "a.txt", 1001, &st, NULL), -1);
	ck_assert_int_eq(fcache_get(&rid, root_fd, other, 1001, &st, NULL), fd2);
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
	ck_assert(fcache_put(&a_id, "secret.txt", fd, &st, 1000, NULL));
	ck_assert_int_eq(fcache_get(&a_id, a_fd, "secret.txt", 1001, &st, NULL), fd);

	ck_assert_msg(fcache_get(&b_id, b_fd, "link.txt", 1002, &st, NULL) == -1,
	    "root B's link.txt was served from root A's entry");
	ck_assert_msg(fcache_get(&b_id, b_fd, "secret.txt", 1002, &st, NULL) == -1,
	    "root B's secret.txt (a symlink out of B) was served from root "
	    "A's entry");
	ck_assert_msg(fcache_get(&lax_id, a_fd, "secret.txt", 1002, &st, NULL) == -1,
	    "an entry was served under another policy");
	/* B's misses left A's entry alone; a second fd on A shares it. */
	ck_assert(fd_open(fd));
	ck_assert_int_eq(fcache_get(&a2_id, a2_fd, "secret.txt", 1003, &st, NULL),
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
		ck_assert(fcache_put(&a_id, "secret.txt", fd, &st, 1000, NULL));
		snprintf(name, sizeof(name), "C%d", i);
		unit_make_dir(scratch, name);
		unit_path(p, sizeof(p), scratch, name);
		c_fd = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
		ck_assert(fcache_root_of(c_fd, 0, &c_id));
		dummy = dup(root_fd);
		ck_assert(fcache_put(&c_id, "secret.txt", dummy, &st, 1000, NULL));
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
		ck_assert(fcache_put(&a_id, "secret.txt", fd, &st, 1000, NULL));
		ck_assert(fcache_root_of(a_fd, i, &lax_id));
		dummy = dup(root_fd);
		ck_assert(fcache_put(&lax_id, "secret.txt", dummy, &st, 1000, NULL));
		if (!fd_open(fd))
			policy = i;
		fcache_clear();
	}
	ck_assert_msg(policy >= 0, "no policy shares a slot with A's");
	ck_assert(fcache_root_of(a_fd, policy, &lax_id));

	fd = openat(a_fd, "secret.txt", O_RDONLY | O_CLOEXEC);
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert(fcache_put(&a_id, "secret.txt", fd, &st, 1000, NULL));
	ck_assert_msg(fcache_get(&c_id, c_fd, "secret.txt", 1001, &st, NULL) == -1,
	    "another root's secret.txt (a symlink to A's) hit A's entry");
	ck_assert_msg(fcache_get(&lax_id, a_fd, "secret.txt", 1001, &st, NULL) == -1,
	    "A's entry was served under another policy");
	ck_assert_int_eq(fcache_get(&a_id, a_fd, "secret.txt", 1002, &st, NULL), fd);
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
	ck_assert(!fcache_put(&rid, rel, 12345, &st, 1000, NULL));
	ck_assert_int_eq(fcache_get(&rid, root_fd, rel, 1000, &st, NULL), -1);
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
	ck_assert_int_eq(fcache_get(&rid, root_fd, "a.txt", 4000, &st, NULL), fa);
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

/*
 * Opens rel as the server would when the cache can watch it
 * (fcache_prepare() first, then an open with no symlinks) and gives it
 * to the cache; *body is what the cache keeps of it.  Returns the fd.
 */
static int
wput(const char *rel, int64_t now, const char **body)
{
	struct stat st;
	int fd;

	ck_assert_msg(fcache_prepare(&rid, root_fd, rel), "%s not watched",
	    rel);
	fd = openat(root_fd, rel, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert(fcache_put(&rid, rel, fd, &st, now, body));
	return fd;
}

/* A watched hit: the fd, the status and the bytes, from memory. */
START_TEST(test_watched_hit)
{
	const char *body, *again;
	struct stat st;
	int fd = wput("a.txt", 1000, &body);

	ck_assert_ptr_nonnull(body);
	ck_assert_int_eq(memcmp(body, "alpha", 5), 0);
	ck_assert_int_eq(fcache_get(&rid, root_fd, "a.txt", 1001, &st, &again),
	    fd);
	ck_assert_ptr_eq(again, body);
	ck_assert_int_eq(st.st_size, 5);
	/* An unrelated name created beside it changes nothing. */
	unit_write_file(scratch, "c.txt", "gamma");
	ck_assert_int_eq(fcache_get(&rid, root_fd, "a.txt", 1002, &st, NULL),
	    fd);
}
END_TEST

/*
 * Each way a watched file can change, at once (no pause: inotify, not
 * the times, tells): a miss that closes the fd.
 */
enum wchange { W_WRITTEN, W_TRUNCATED, W_REPLACED, W_REMOVED, W_CHMODDED,
    W_RENAMED, W_DIR_RENAMED, W_DIR_REPLACED, W_DIR_CHMODDED, NWCHANGES };
static const char *const wchange_names[NWCHANGES] = {
	"written", "truncated", "replaced", "removed", "chmodded", "renamed",
	"directory renamed", "directory replaced", "directory chmodded"
};

START_TEST(test_watched_change_misses)
{
	char path[1100], tmp[1100], dir[1100];
	struct stat st;
	int fd, w;

	unit_make_dir(scratch, "d");
	unit_write_file(scratch, "d/a.txt", "alpha");
	fd = wput("d/a.txt", 1000, NULL);
	ck_assert_int_eq(fcache_get(&rid, root_fd, "d/a.txt", 1001, &st, NULL),
	    fd);
	unit_path(path, sizeof(path), scratch, "d/a.txt");
	unit_path(dir, sizeof(dir), scratch, "d");
	switch ((enum wchange)_i) {
	case W_WRITTEN:
		w = open(path, O_WRONLY);
		ck_assert_int_eq(pwrite(w, "ALPHA", 5, 0), 5);
		close(w);
		break;
	case W_TRUNCATED:
		ck_assert_int_eq(truncate(path, 5), 0);	/* the same size */
		break;
	case W_REPLACED:
		unit_write_file(scratch, "d/new.txt", "alpha");
		unit_path(tmp, sizeof(tmp), scratch, "d/new.txt");
		ck_assert_int_eq(rename(tmp, path), 0);
		break;
	case W_REMOVED:
		ck_assert_int_eq(unlink(path), 0);
		break;
	case W_CHMODDED:
		ck_assert_int_eq(chmod(path, 0600), 0);
		break;
	case W_RENAMED:
		unit_path(tmp, sizeof(tmp), scratch, "d/b.txt");
		ck_assert_int_eq(rename(path, tmp), 0);
		break;
	case W_DIR_RENAMED:
		unit_path(tmp, sizeof(tmp), scratch, "e");
		ck_assert_int_eq(rename(dir, tmp), 0);
		break;
	case W_DIR_REPLACED:
		unit_make_dir(scratch, "e");
		unit_write_file(scratch, "e/a.txt", "alpha");
		unit_path(tmp, sizeof(tmp), scratch, "e");
		ck_assert_int_eq(renameat2(AT_FDCWD, tmp, AT_FDCWD, dir,
		    RENAME_EXCHANGE), 0);
		break;
	case W_DIR_CHMODDED:
		ck_assert_int_eq(chmod(dir, 0700), 0);
		break;
	case NWCHANGES:
		break;
	}
	ck_assert_msg(fcache_get(&rid, root_fd, "d/a.txt", 1002, &st, NULL) ==
	    -1, "a watched file %s was a hit", wchange_names[_i]);
	ck_assert_msg(!fd_open(fd), "the fd of a file %s was not closed",
	    wchange_names[_i]);
}
END_TEST

/* A symlink on the way cannot be watched: prepare says no watch for a
 * path whose directory is a symlink. */
START_TEST(test_symlink_not_watched)
{
	unit_make_dir(scratch, "d");
	unit_write_file(scratch, "d/a.txt", "alpha");
	unit_symlink(scratch, "s", "d");
	ck_assert(!fcache_prepare(&rid, root_fd, "s/a.txt"));
	ck_assert(fcache_prepare(&rid, root_fd, "d/a.txt"));
	fcache_cancel(&rid, "d/a.txt");
}
END_TEST

/*
 * No watch left (as with fs.inotify.max_user_watches reached): the entry
 * is a stat-checked one, still a hit, its bytes not in memory.
 */
START_TEST(test_watch_limit_falls_back)
{
	const char *body = "x";
	struct stat st;
	int fd;

	fcache_watch_cap(0);
	ck_assert(!fcache_prepare(&rid, root_fd, "a.txt"));
	fd = put("a.txt", 1000);
	ck_assert_int_eq(fcache_get(&rid, root_fd, "a.txt", 1001, &st, &body),
	    fd);
	ck_assert_ptr_null(body);
	fcache_watch_cap(-1);
}
END_TEST

/* The memory budget: a file that does not fit is watched, not copied. */
START_TEST(test_memory_budget)
{
	const char *body;

	fcache_configure(6);
	wput("a.txt", 1000, &body);	/* 5 bytes: fits */
	ck_assert_ptr_nonnull(body);
	wput("b.txt", 1000, &body);	/* 4 more: over 6 */
	ck_assert_ptr_null(body);
	fcache_configure(0);
	fcache_clear();
	wput("a.txt", 1000, &body);
	ck_assert_ptr_null(body);
	fcache_configure(FCACHE_MEMORY_DEFAULT);
}
END_TEST

/* fcache_clear() leaves no descriptor behind, the inotify one included. */
START_TEST(test_clear_closes_inotify)
{
	int before;

	fcache_clear();
	before = unit_count_fds();
	wput("a.txt", 1000, NULL);
	wput("b.txt", 1000, NULL);
	ck_assert_int_gt(unit_count_fds(), before);
	fcache_clear();
	ck_assert_int_eq(unit_count_fds(), before);
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
	tcase_add_test(tc, test_watched_hit);
	tcase_add_loop_test(tc, test_watched_change_misses, 0, NWCHANGES);
	tcase_add_test(tc, test_symlink_not_watched);
	tcase_add_test(tc, test_watch_limit_falls_back);
	tcase_add_test(tc, test_memory_budget);
	tcase_add_test(tc, test_clear_closes_inotify);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(fcache_suite());
}
