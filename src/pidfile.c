/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pidfile.c - the master's pid file, held with flock(); see pidfile.h.
 *
 * flock() rather than fcntl() locks: a flock lock belongs to the open
 * file description, so it survives the fork of daemonizing (the child
 * keeps the description the parent opened) and is not dropped when some
 * unrelated code closes another fd of the same file, which is what makes
 * fcntl locks treacherous in a process that forks.
 */
#include "autoconf.h"

#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "pidfile.h"
#include "util.h"

/* How often acquire tries again when the file it locked was unlinked. */
#define PIDFILE_ACQUIRE_TRIES	10

/*
 * How often, 10 ms apart, running re-reads a locked file that is still
 * empty: the master writes its pid right after taking the lock, so an
 * empty locked file is a server that is starting, not a broken one.
 */
#define PIDFILE_EMPTY_TRIES	20

/*
 * The pid in fd's file: 0 if it is empty; -1 with errno if it cannot be
 * read, or EINVAL if it is not a pid the master could have written
 * ("%ld\n", the newline optional for a file written by hand; pid 1 is
 * init, never ours, and signalling it would be dangerous).
 */
static pid_t
pidfile_read_pid(int fd)
{
	char buf[32];
	uint64_t v;
	ssize_t n;
	size_t len;

	do
		n = pread(fd, buf, sizeof(buf), 0);
	while (n == -1 && errno == EINTR);
	if (n < 0)
		return -1;
	len = (size_t)n;
	if (len == 0)
		return 0;
	if (len < sizeof(buf) && buf[len - 1] == '\n')
		len--;
	if (len == sizeof(buf) || !util_parse_u64(buf, len, INT_MAX, &v) ||
	    v <= 1) {
		errno = EINVAL;
		return -1;
	}
	return (pid_t)v;
}

/*
 * True if path still names the file open on fd.  Another master may
 * have removed the file (pidfile_release) between our open() and our
 * flock(): then we hold the lock of a file nobody can find, and a third
 * process could create and lock a new one at path.
 */
static bool
pidfile_same_file(const char *path, int fd)
{
	struct stat fst, pst;

	if (fstat(fd, &fst) == -1 || lstat(path, &pst) == -1)
		return false;
	return fst.st_dev == pst.st_dev && fst.st_ino == pst.st_ino;
}

int
pidfile_acquire(const char *path, pid_t *holder)
{
	pid_t pid = 0;
	int fd, saved, tries;

	for (tries = 0; tries < PIDFILE_ACQUIRE_TRIES; tries++) {
		/* O_NOFOLLOW: a symlink planted at the path must not make
		 * a root master create or truncate the file it points to. */
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
		    0644);
		if (fd == -1)
			break;
		if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
			saved = errno;
			if (saved == EWOULDBLOCK) {
				pid = pidfile_read_pid(fd);
				if (pid < 0)
					pid = 0;
			}
			close(fd);
			errno = saved;
			break;
		}
		if (!pidfile_same_file(path, fd)) {
			close(fd);
			continue;
		}
		if (pidfile_write(fd) == -1) {
			saved = errno;
			close(fd);
			errno = saved;
			break;
		}
		if (holder != NULL)
			*holder = 0;
		return fd;
	}
	if (tries == PIDFILE_ACQUIRE_TRIES)
		errno = EAGAIN;
	if (holder != NULL)
		*holder = pid;
	return -1;
}

int
pidfile_write(int fd)
{
	char buf[32];
	ssize_t n;
	int len;

	len = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (len <= 0 || (size_t)len >= sizeof(buf)) {
		errno = EOVERFLOW;
		return -1;
	}
	/*
	 * Write first and cut after, not the other way round: the file is
	 * never empty, and a reader that stops at the newline sees either
	 * the old pid or the new one.
	 */
	do
		n = pwrite(fd, buf, (size_t)len, 0);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		return -1;
	if (n != len) {
		errno = EIO;
		return -1;
	}
	return ftruncate(fd, len);
}

void
pidfile_release(const char *path, int fd)
{
	if (fd == -1)
		return;
	/*
	 * Unlink before closing, so nobody sees a file whose lock is free,
	 * and only our own file: if someone replaced it, the new one is
	 * not ours to remove.
	 */
	if (pidfile_same_file(path, fd))
		unlink(path);
	close(fd);
}

pid_t
pidfile_running(const char *path)
{
	const struct timespec pause = { 0, 10 * 1000 * 1000 };
	pid_t pid;
	int fd, saved, tries;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd == -1) {
		if (errno != ENOENT)
			return -1;
		errno = ESRCH;
		return 0;
	}
	/*
	 * A shared lock, so that two of us probing at once do not see each
	 * other as a server.  Getting it means no master holds the file.
	 */
	if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
		flock(fd, LOCK_UN);
		close(fd);
		errno = ESRCH;
		return 0;
	}
	if (errno != EWOULDBLOCK) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	for (tries = 0; (pid = pidfile_read_pid(fd)) == 0 &&
	    tries < PIDFILE_EMPTY_TRIES; tries++)
		nanosleep(&pause, NULL);
	saved = pid == 0 ? EINVAL : errno;
	close(fd);
	if (pid <= 0) {
		errno = saved;
		return -1;
	}
	return pid;
}
