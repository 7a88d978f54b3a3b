/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_pidfile.c - pidfile.c: the lock, not the number, says whether a
 * server runs.  Acquiring writes our pid; a second process is refused and
 * told the holder; running() sees the holder from outside and calls an
 * unlocked (stale) file not running; release removes the file and drops
 * the lock; a symlink at the path is refused; write() rewrites after the
 * pid changed.  A second party is a forked child (flock locks belong to
 * the open file description, so the child opens its own), bounded by
 * alarm() and reaped here; it reports through a pipe.
 */
#include "autoconf.h"

#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "pidfile.h"

#include "../lib/unit.h"

#define ROWS(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Made once by root_setup(), removed by main(). */
static char root[PATH_MAX];
/* A fresh directory per test, below root, and the pid file in it. */
static char scratch[PATH_MAX];
static char pid_path[PATH_MAX];

/* ------------------------------------------------------------------ */
/* Helpers */

static void
root_setup(void)
{
	if (root[0] == '\0')
		unit_scratch_dir(root, sizeof(root), "check_pidfile");
}

static void
test_setup(void)
{
	unit_path(scratch, sizeof(scratch), root, "t.XXXXXX");
	ck_assert_msg(mkdtemp(scratch) != NULL, "mkdtemp %s: %s", scratch,
	    strerror(errno));
	unit_path(pid_path, sizeof(pid_path), scratch, "forkhttpd.pid");
	/* So that the mode test sees what open() was asked for. */
	umask(022);
}

/* The whole file at path, at most cap - 1 bytes; aborts if unreadable. */
static void
slurp(const char *path, char *buf, size_t cap)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	ck_assert_msg(fd != -1, "open %s: %s", path, strerror(errno));
	n = read(fd, buf, cap - 1);
	ck_assert_msg(n >= 0, "read %s: %s", path, strerror(errno));
	buf[n] = '\0';
	close(fd);
}

/* "%ld\n" of pid: what the file must hold. */
static const char *
pid_line(pid_t pid)
{
	static char line[32];

	snprintf(line, sizeof(line), "%ld\n", (long)pid);
	return line;
}

/* What a child did, sent back through a pipe. */
struct result {
	long ret;		/* the call's return value */
	int err;		/* errno after it */
	pid_t holder;		/* pidfile_acquire's *holder */
	int fds_before, fds_after;
	pid_t self;		/* the child's pid */
};

enum child_op {
	OP_ACQUIRE,		/* pidfile_acquire, then exit (lock dropped) */
	OP_RUNNING,		/* pidfile_running */
	OP_WRITE		/* pidfile_write on the inherited fd */
};

/*
 * Runs op in a forked child (fd: the inherited pid-file fd for OP_WRITE)
 * and returns what it saw.  The child asserts nothing: it reports.
 */
static struct result
in_child(enum child_op op, int fd)
{
	struct result r;
	int p[2], status;
	pid_t pid;

	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	ck_assert_msg(pid != -1, "fork: %s", strerror(errno));
	if (pid == 0) {
		alarm(10);
		close(p[0]);
		memset(&r, 0, sizeof(r));
		r.self = getpid();
		r.holder = -99;
		r.fds_before = unit_count_fds();
		errno = 0;
		switch (op) {
		case OP_ACQUIRE:
			r.ret = pidfile_acquire(pid_path, &r.holder);
			break;
		case OP_RUNNING:
			r.ret = pidfile_running(pid_path);
			break;
		case OP_WRITE:
			r.ret = pidfile_write(fd);
			break;
		}
		r.err = errno;
		if (op == OP_ACQUIRE && r.ret >= 0)
			r.fds_after = unit_count_fds() - 1;
		else
			r.fds_after = unit_count_fds();
		if (write(p[1], &r, sizeof(r)) != (ssize_t)sizeof(r))
			_exit(2);
		_exit(0);
	}
	close(p[1]);
	ck_assert_int_eq(read(p[0], &r, sizeof(r)), (ssize_t)sizeof(r));
	close(p[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "child status %#x", status);
	return r;
}

/* ------------------------------------------------------------------ */
/* Acquire */

START_TEST(test_acquire_writes_pid)
{
	char buf[64];
	struct stat st;
	pid_t holder = -5;
	int fd;

	fd = pidfile_acquire(pid_path, &holder);
	ck_assert_msg(fd >= 0, "acquire: %s", strerror(errno));
	ck_assert_int_eq(holder, 0);
	slurp(pid_path, buf, sizeof(buf));
	ck_assert_str_eq(buf, pid_line(getpid()));
	ck_assert_int_eq(lstat(pid_path, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_int_eq(st.st_mode & 07777, 0644);
	/* Held across fork, never across exec. */
	ck_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	/* The lock is taken: a second open description cannot get it. */
	{
		int other = open(pid_path, O_RDONLY);

		ck_assert_int_ne(other, -1);
		ck_assert_int_eq(flock(other, LOCK_SH | LOCK_NB), -1);
		ck_assert_int_eq(errno, EWOULDBLOCK);
		close(other);
	}
	pidfile_release(pid_path, fd);
}
END_TEST

START_TEST(test_acquire_refused_while_held)
{
	struct result r;
	char buf[64];
	int fd;

	fd = pidfile_acquire(pid_path, NULL);
	ck_assert_msg(fd >= 0, "acquire: %s", strerror(errno));
	r = in_child(OP_ACQUIRE, -1);
	ck_assert_int_eq(r.ret, -1);
	ck_assert_int_eq(r.err, EWOULDBLOCK);
	ck_assert_int_eq(r.holder, getpid());
	ck_assert_msg(r.fds_after == r.fds_before, "leaked %d fds",
	    r.fds_after - r.fds_before);
	/* The refused attempt must not have truncated or rewritten it. */
	slurp(pid_path, buf, sizeof(buf));
	ck_assert_str_eq(buf, pid_line(getpid()));
	pidfile_release(pid_path, fd);
}
END_TEST

START_TEST(test_acquire_over_stale)
{
	char buf[64];
	int fd;

	/* Left by a crash: a pid, longer than ours, and no lock. */
	unit_write_file(scratch, "forkhttpd.pid", "2147483646\n");
	errno = 0;
	ck_assert_int_eq(pidfile_running(pid_path), 0);
	ck_assert_int_eq(errno, ESRCH);
	fd = pidfile_acquire(pid_path, NULL);
	ck_assert_msg(fd >= 0, "acquire over a stale file: %s",
	    strerror(errno));
	slurp(pid_path, buf, sizeof(buf));
	ck_assert_str_eq(buf, pid_line(getpid()));
	pidfile_release(pid_path, fd);
}
END_TEST

START_TEST(test_acquire_refuses_symlink)
{
	char target[PATH_MAX], buf[64];
	pid_t holder = -5;
	int before = unit_count_fds();

	unit_write_file(scratch, "target", "precious\n");
	unit_path(target, sizeof(target), scratch, "target");
	ck_assert_int_eq(symlink(target, pid_path), 0);
	errno = 0;
	ck_assert_int_eq(pidfile_acquire(pid_path, &holder), -1);
	ck_assert_int_eq(errno, ELOOP);
	ck_assert_int_eq(holder, 0);
	ck_assert_int_eq(unit_count_fds(), before);
	slurp(target, buf, sizeof(buf));
	ck_assert_str_eq(buf, "precious\n");
	/* Nor is one read to find a server. */
	errno = 0;
	ck_assert_int_eq(pidfile_running(pid_path), -1);
	ck_assert_int_eq(errno, ELOOP);
}
END_TEST

START_TEST(test_acquire_dangling_symlink)
{
	char target[PATH_MAX];

	/* A root master must not create a file wherever a link points. */
	unit_path(target, sizeof(target), scratch, "elsewhere");
	ck_assert_int_eq(symlink(target, pid_path), 0);
	errno = 0;
	ck_assert_int_eq(pidfile_acquire(pid_path, NULL), -1);
	ck_assert_int_eq(errno, ELOOP);
	ck_assert_int_eq(access(target, F_OK), -1);
}
END_TEST

START_TEST(test_acquire_missing_dir)
{
	char path[PATH_MAX];
	pid_t holder = -5;
	int before = unit_count_fds();

	unit_path(path, sizeof(path), scratch, "no/such/dir.pid");
	errno = 0;
	ck_assert_int_eq(pidfile_acquire(path, &holder), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(holder, 0);
	ck_assert_int_eq(unit_count_fds(), before);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Running */

START_TEST(test_running_sees_holder)
{
	struct result r;
	int fd;

	fd = pidfile_acquire(pid_path, NULL);
	ck_assert_msg(fd >= 0, "acquire: %s", strerror(errno));
	r = in_child(OP_RUNNING, -1);
	ck_assert_int_eq(r.ret, getpid());
	ck_assert_int_eq(r.fds_after, r.fds_before);
	/* A probe must not disturb the holder: still ours, still locked. */
	r = in_child(OP_ACQUIRE, -1);
	ck_assert_int_eq(r.ret, -1);
	ck_assert_int_eq(r.err, EWOULDBLOCK);
	pidfile_release(pid_path, fd);
	r = in_child(OP_RUNNING, -1);
	ck_assert_int_eq(r.ret, 0);
	ck_assert_int_eq(r.err, ESRCH);
}
END_TEST

START_TEST(test_running_no_file)
{
	errno = 0;
	ck_assert_int_eq(pidfile_running(pid_path), 0);
	ck_assert_int_eq(errno, ESRCH);
	ck_assert_int_eq(access(pid_path, F_OK), -1);
}
END_TEST

/*
 * What running() makes of a locked file's content.  The lock is taken on
 * another open description in this process, which flock() treats like
 * another process's.
 */
static const struct {
	const char *content;
	pid_t pid;		/* -1: EINVAL */
	const char *note;
} content_cases[] = {
	{ "4242\n", 4242, "what pidfile_write writes" },
	{ "4242", 4242, "no newline: written by hand" },
	{ "2\n", 2, "the smallest pid that can be a master" },
	{ "2147483647\n", 2147483647, "INT_MAX" },
	{ "1\n", -1, "pid 1 is init, never ours: never signal it" },
	{ "0\n", -1, "pid 0 would signal our own process group" },
	{ "-42\n", -1, "negative: kill() would signal a process group" },
	{ "2147483648\n", -1, "INT_MAX + 1 does not fit a pid_t" },
	{ " 4242\n", -1, "leading space" },
	{ "4242 \n", -1, "trailing space" },
	{ "4242\n\n", -1, "two newlines" },
	{ "42x\n", -1, "trailing letter" },
	{ "garbage\n", -1, "not a number" },
	{ "0000000000000000000000000000000000004242\n", -1,
	    "longer than any pid the master writes" },
	{ "", -1, "locked but never written" },
};

START_TEST(test_running_content)
{
	int fd;
	pid_t got;

	unit_write_file(scratch, "forkhttpd.pid", content_cases[_i].content);
	fd = open(pid_path, O_RDONLY);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(flock(fd, LOCK_EX | LOCK_NB), 0);
	errno = 0;
	got = pidfile_running(pid_path);
	ck_assert_msg(got == content_cases[_i].pid,
	    "%s: got %ld, want %ld", content_cases[_i].note, (long)got,
	    (long)content_cases[_i].pid);
	if (content_cases[_i].pid == -1)
		ck_assert_msg(errno == EINVAL, "%s: errno %s",
		    content_cases[_i].note, strerror(errno));
	close(fd);
	/* Unlocked, the same content is a stale file. */
	errno = 0;
	ck_assert_int_eq(pidfile_running(pid_path), 0);
	ck_assert_int_eq(errno, ESRCH);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Release and write */

START_TEST(test_release)
{
	struct result r;
	int fd;

	fd = pidfile_acquire(pid_path, NULL);
	ck_assert_msg(fd >= 0, "acquire: %s", strerror(errno));
	pidfile_release(pid_path, fd);
	ck_assert_int_eq(access(pid_path, F_OK), -1);
	ck_assert_int_eq(errno, ENOENT);
	/* The fd is closed, which is what drops the lock. */
	ck_assert_int_eq(fcntl(fd, F_GETFD), -1);
	ck_assert_int_eq(errno, EBADF);
	errno = 0;
	ck_assert_int_eq(pidfile_running(pid_path), 0);
	ck_assert_int_eq(errno, ESRCH);
	/* And another process may now start. */
	r = in_child(OP_ACQUIRE, -1);
	ck_assert_msg(r.ret >= 0, "acquire after release: %s",
	    strerror(r.err));
}
END_TEST

START_TEST(test_release_nothing)
{
	unit_write_file(scratch, "forkhttpd.pid", "4242\n");
	pidfile_release(pid_path, -1);
	ck_assert_int_eq(access(pid_path, F_OK), 0);
}
END_TEST

START_TEST(test_release_leaves_replaced_file)
{
	char moved[PATH_MAX], buf[64];
	int fd;

	fd = pidfile_acquire(pid_path, NULL);
	ck_assert_msg(fd >= 0, "acquire: %s", strerror(errno));
	unit_path(moved, sizeof(moved), scratch, "moved.pid");
	ck_assert_int_eq(rename(pid_path, moved), 0);
	unit_write_file(scratch, "forkhttpd.pid", "4242\n");
	pidfile_release(pid_path, fd);
	slurp(pid_path, buf, sizeof(buf));
	ck_assert_str_eq(buf, "4242\n");
	ck_assert_int_eq(fcntl(fd, F_GETFD), -1);
}
END_TEST

START_TEST(test_write_rewrites)
{
	struct result r;
	char buf[64];
	int fd;

	fd = pidfile_acquire(pid_path, NULL);
	ck_assert_msg(fd >= 0, "acquire: %s", strerror(errno));
	/* Daemonizing: the child keeps the description, and so the lock,
	 * and writes its own pid over the parent's. */
	r = in_child(OP_WRITE, fd);
	ck_assert_int_eq(r.ret, 0);
	slurp(pid_path, buf, sizeof(buf));
	ck_assert_str_eq(buf, pid_line(r.self));
	/* Longer junk first: what is left after the pid is cut. */
	ck_assert_int_eq(pwrite(fd, "123456789012345678\n", 19, 0), 19);
	ck_assert_int_eq(pidfile_write(fd), 0);
	slurp(pid_path, buf, sizeof(buf));
	ck_assert_str_eq(buf, pid_line(getpid()));
	pidfile_release(pid_path, fd);
}
END_TEST

START_TEST(test_write_bad_fd)
{
	int fd = open(pid_path, O_RDONLY | O_CREAT, 0644);

	ck_assert_int_ne(fd, -1);
	errno = 0;
	ck_assert_int_eq(pidfile_write(fd), -1);
	ck_assert_int_eq(errno, EBADF);
	close(fd);
}
END_TEST

/* ------------------------------------------------------------------ */

static Suite *
pidfile_suite(void)
{
	Suite *s = suite_create("pidfile");
	TCase *tc;

	tc = tcase_create("acquire");
	tcase_add_unchecked_fixture(tc, root_setup, NULL);
	tcase_add_checked_fixture(tc, test_setup, NULL);
	tcase_add_test(tc, test_acquire_writes_pid);
	tcase_add_test(tc, test_acquire_refused_while_held);
	tcase_add_test(tc, test_acquire_over_stale);
	tcase_add_test(tc, test_acquire_refuses_symlink);
	tcase_add_test(tc, test_acquire_dangling_symlink);
	tcase_add_test(tc, test_acquire_missing_dir);
	suite_add_tcase(s, tc);

	tc = tcase_create("running");
	tcase_add_unchecked_fixture(tc, root_setup, NULL);
	tcase_add_checked_fixture(tc, test_setup, NULL);
	tcase_add_test(tc, test_running_sees_holder);
	tcase_add_test(tc, test_running_no_file);
	tcase_add_loop_test(tc, test_running_content, 0,
	    ROWS(content_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("release");
	tcase_add_unchecked_fixture(tc, root_setup, NULL);
	tcase_add_checked_fixture(tc, test_setup, NULL);
	tcase_add_test(tc, test_release);
	tcase_add_test(tc, test_release_nothing);
	tcase_add_test(tc, test_release_leaves_replaced_file);
	tcase_add_test(tc, test_write_rewrites);
	tcase_add_test(tc, test_write_bad_fd);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	int status = unit_run(pidfile_suite());

	unit_rmtree(root);
	return status;
}
