/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * control.c - `forkhttpd -s`: signalling the master, and the report file
 * through which a reload is made synchronous; see control.h.
 *
 * A file, rather than a pipe or a unix socket, because the two sides
 * share nothing else: the master learns who asked from the siginfo of
 * SIGHUP, and `-s reload` finds the file by the pid-file path it already
 * knows.  Each report is a new file renamed over the old one, so a reader
 * sees one whole line or the previous one, never a mixture.
 *
 * XXX Two SIGHUPs that arrive before the master looks are one reload,
 * reported to the last sender only: a second `-s reload` run at the same
 * moment waits out its timeout (the reload did happen).
 */
#include "autoconf.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "control.h"
#include "log.h"
#include "pidfile.h"
#include "util.h"

#define CONTROL_SUFFIX		".reload"
#define CONTROL_POLL_MS		50
/* A report line, newline included; longer messages are cut. */
#define CONTROL_REPORT_MAX	4096

static const struct {
	const char *name;
	enum control_cmd cmd;
	int sig;
} control_cmds[] = {
	{ "reload", CONTROL_RELOAD, SIGHUP },
	{ "stop", CONTROL_STOP, SIGTERM },
	{ "quit", CONTROL_QUIT, SIGQUIT },
	{ "reopen", CONTROL_REOPEN, SIGUSR1 },
};

/* What the report file says to us. */
enum control_seen {
	CONTROL_SEEN_NOTHING,	/* no file, the old one, or someone else's */
	CONTROL_SEEN_OK,
	CONTROL_SEEN_FAILED,
	CONTROL_SEEN_GARBLED,	/* ours, but neither "ok" nor "failed:" */
	CONTROL_SEEN_ERROR	/* cannot be read: errno */
};

/* Which report file existed before we signalled: not the answer. */
struct control_stamp {
	bool exists;
	dev_t dev;
	ino_t ino;
	struct timespec ctime;
};

int
control_parse(const char *name, enum control_cmd *cmd)
{
	for (size_t i = 0; i < UTIL_ARRAY_LEN(control_cmds); i++) {
		if (strcmp(name, control_cmds[i].name) == 0) {
			*cmd = control_cmds[i].cmd;
			return 0;
		}
	}
	return -1;
}

bool
control_report_path(const char *pid_file, char *out, size_t cap)
{
	int n;

	if (cap == 0)
		return false;
	n = snprintf(out, cap, "%s" CONTROL_SUFFIX, pid_file);
	return n > 0 && (size_t)n < cap;
}

/* Writes all of buf[0..len) to fd; 0, or -1 with errno. */
static int
control_write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int
control_report(const char *pid_file, pid_t requester, bool ok,
    const char *message)
{
	char path[PATH_MAX], tmp[PATH_MAX], line[CONTROL_REPORT_MAX];
	size_t n;
	int fd, k, saved;

	if (!control_report_path(pid_file, path, sizeof(path))) {
		errno = ENAMETOOLONG;
		return -1;
	}
	/* The same directory, so that rename() is atomic. */
	k = snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	if (k <= 0 || (size_t)k >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	k = snprintf(line, sizeof(line), ok ? "%ld ok" : "%ld failed:",
	    (long)requester);
	n = (size_t)k;
	if (message != NULL && message[0] != '\0') {
		line[n++] = ' ';
		/* One line: the reader takes everything up to the newline.
		 * Other control characters go too; they would reach a
		 * terminal through `-s reload`. */
		for (const char *p = message; *p != '\0' &&
		    n < sizeof(line) - 1; p++) {
			unsigned char c = (unsigned char)*p;

			line[n++] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
		}
	}
	line[n++] = '\n';

	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1)
		return -1;
	/* mkstemp makes 0600; the requester may not be the master's user. */
	if (fchmod(fd, 0644) == -1 || control_write_all(fd, line, n) == -1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) == -1)
		goto fail;
	return 0;

fail:
	saved = errno;
	if (fd != -1)
		close(fd);
	unlink(tmp);
	errno = saved;
	return -1;
}

static int64_t
control_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
control_pause(void)
{
	const struct timespec ts = { 0, CONTROL_POLL_MS * 1000000L };

	nanosleep(&ts, NULL);
}

static void
control_stamp_of(const struct stat *st, struct control_stamp *stamp)
{
	stamp->exists = true;
	stamp->dev = st->st_dev;
	stamp->ino = st->st_ino;
	stamp->ctime = st->st_ctim;
}

static bool
control_stamp_equal(const struct control_stamp *a,
    const struct control_stamp *b)
{
	return a->exists && b->exists && a->dev == b->dev &&
	    a->ino == b->ino && a->ctime.tv_sec == b->ctime.tv_sec &&
	    a->ctime.tv_nsec == b->ctime.tv_nsec;
}

/*
 * Reads the report at path.  A report is ours when it names our pid and
 * is not the file that was there before we signalled (stamp): a report
 * left by an earlier `-s reload` whose pid we now happen to reuse must
 * not pass for the answer.  The inode alone would not do, as a freed one
 * may be reused; with its change time it cannot be.  On OK and FAILED,
 * msg gets the message; on GARBLED, the whole line.
 */
static enum control_seen
control_read_report(const char *path, const struct control_stamp *before,
    char *msg, size_t cap)
{
	char buf[CONTROL_REPORT_MAX + 1], *p, *nl;
	struct control_stamp now;
	struct stat st;
	uint64_t v;
	size_t len = 0, digits;
	ssize_t n;
	int fd, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return errno == ENOENT ? CONTROL_SEEN_NOTHING :
		    CONTROL_SEEN_ERROR;
	if (fstat(fd, &st) == -1)
		goto error;
	control_stamp_of(&st, &now);
	if (control_stamp_equal(&now, before)) {
		close(fd);
		return CONTROL_SEEN_NOTHING;
	}
	while (len < sizeof(buf) - 1) {
		n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			goto error;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	if ((nl = strchr(buf, '\n')) != NULL)
		*nl = '\0';

	digits = strspn(buf, "0123456789");
	if (buf[digits] != ' ' ||
	    !util_parse_u64(buf, digits, INT_MAX, &v) ||
	    (pid_t)v != getpid())
		return CONTROL_SEEN_NOTHING;
	p = buf + digits + 1;
	if (strncmp(p, "ok", 2) == 0 && (p[2] == '\0' || p[2] == ' ')) {
		util_strlcpy(msg, p[2] == ' ' ? p + 3 : "", cap);
		return CONTROL_SEEN_OK;
	}
	if (strncmp(p, "failed:", 7) == 0 && (p[7] == '\0' || p[7] == ' ')) {
		util_strlcpy(msg, p[7] == ' ' ? p + 8 : "", cap);
		return CONTROL_SEEN_FAILED;
	}
	util_strlcpy(msg, buf, cap);
	return CONTROL_SEEN_GARBLED;

error:
	saved = errno;
	close(fd);
	errno = saved;
	return CONTROL_SEEN_ERROR;
}

/* After SIGHUP: waits for the master's report naming us. */
static int
control_wait_report(const char *report, const struct control_stamp *before,
    pid_t pid, unsigned timeout_s)
{
	int64_t deadline = control_now_ms() + (int64_t)timeout_s * 1000;
	char msg[CONTROL_REPORT_MAX];

	for (;;) {
		switch (control_read_report(report, before, msg,
		    sizeof(msg))) {
		case CONTROL_SEEN_OK:
			if (msg[0] == '\0')
				log_notice("reload: ok");
			else
				log_notice("reload: ok (%s)", msg);
			return 0;
		case CONTROL_SEEN_FAILED:
			log_error("reload failed: %s", msg);
			return 1;
		case CONTROL_SEEN_GARBLED:
			log_error("reload: unreadable report in %s: %s",
			    report, msg);
			return 1;
		case CONTROL_SEEN_ERROR:
			log_error("reload: %s:", report);
			return 1;
		case CONTROL_SEEN_NOTHING:
			break;
		}
		/* A master that died while reloading will never answer. */
		if (kill(pid, 0) == -1 && errno == ESRCH) {
			log_error("reload: the server (pid %ld) exited "
			    "without reporting", (long)pid);
			return 1;
		}
		if (control_now_ms() >= deadline) {
			log_error("reload: no report from pid %ld within %u s "
			    "(see the error log)", (long)pid, timeout_s);
			return 1;
		}
		control_pause();
	}
}

/*
 * True once PID has exited: no such process, or a zombie nobody has
 * reaped yet (a master whose parent is a pid 1 that does not reap stays
 * one).  Without /proc a process that exists counts as alive.
 */
static bool
control_pid_gone(pid_t pid)
{
	pid_t ppid;
	char state;

	if (kill(pid, 0) == -1 && errno == ESRCH)
		return true;
	return util_proc_stat(pid, &state, &ppid) && state == 'Z';
}

/*
 * After SIGTERM or SIGQUIT: waits until nobody holds the pid file's lock
 * and the master has exited.  The master removes the pid file (dropping
 * its lock) while it cleans up, a moment before its exit: a caller told
 * "stopped" must find no process left, or a start that follows at once
 * may race the old one for the port, and a supervisor sees a survivor.
 */
static int
control_wait_exit(const char *pid_file, const char *name, pid_t pid,
    unsigned timeout_s)
{
	int64_t deadline = control_now_ms() + (int64_t)timeout_s * 1000;
	pid_t now;

	for (;;) {
		now = pidfile_running(pid_file);
		/* Another pid: ours is gone and a new server has started. */
		if (now > 0 && now != pid) {
			log_notice("stopped");
			return 0;
		}
		if (now == 0 && control_pid_gone(pid)) {
			log_notice("stopped");
			return 0;
		}
		/* EINVAL: locked and empty, a new server starting. */
		if (now == -1 && errno != EINVAL) {
			log_error("%s: %s:", name, pid_file);
			return 1;
		}
		if (control_now_ms() >= deadline) {
			log_error("%s: pid %ld still running after %u s", name,
			    (long)pid, timeout_s);
			return 1;
		}
		control_pause();
	}
}

int
control_send(const char *pid_file, enum control_cmd cmd, unsigned timeout_s)
{
	char report[PATH_MAX];
	struct control_stamp before = { .exists = false };
	struct stat st;
	const char *name = NULL;
	size_t i;
	pid_t pid;
	int sig = 0;

	for (i = 0; i < UTIL_ARRAY_LEN(control_cmds); i++) {
		if (control_cmds[i].cmd == cmd) {
			name = control_cmds[i].name;
			sig = control_cmds[i].sig;
		}
	}
	if (name == NULL) {
		log_error("unknown control command %d", (int)cmd);
		return 1;
	}
	if (cmd == CONTROL_RELOAD &&
	    !control_report_path(pid_file, report, sizeof(report))) {
		log_error("%s: pid-file path too long", pid_file);
		return 1;
	}

	pid = pidfile_running(pid_file);
	if (pid == 0) {
		log_error("not running (no lock on %s)", pid_file);
		return 1;
	}
	if (pid < 0) {
		if (errno == EINVAL)
			log_error("%s is locked but holds no valid pid",
			    pid_file);
		else
			log_error("%s:", pid_file);
		return 1;
	}

	/* Not what it says, only which file it is (control_read_report). */
	if (cmd == CONTROL_RELOAD && lstat(report, &st) == 0)
		control_stamp_of(&st, &before);

	if (kill(pid, sig) == -1) {
		if (errno == EPERM)
			log_error("no permission to signal pid %ld (run as the "
			    "server's user or root)", (long)pid);
		else if (errno == ESRCH)
			log_error("not running (pid %ld has exited)",
			    (long)pid);
		else
			log_error("%s: kill %ld:", name, (long)pid);
		return 1;
	}

	switch (cmd) {
	case CONTROL_RELOAD:
		return control_wait_report(report, &before, pid, timeout_s);
	case CONTROL_STOP:
	case CONTROL_QUIT:
		return control_wait_exit(pid_file, name, pid, timeout_s);
	case CONTROL_REOPEN:
		break;
	}
	return 0;
}
