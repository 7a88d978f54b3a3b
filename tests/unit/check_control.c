/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_control.c - control.c: the names of -s, the report file's path
 * and line (one line, written whole by rename), and control_send()
 * against a fake master: a forked child that holds the pid-file lock,
 * learns who signalled it from siginfo as the real master does, and
 * answers a reload with control_report(), exits on a stop, or stays
 * silent.  What control_send() prints is read back from a file put in
 * place of standard error.  Children are bounded by alarm() and reaped.
 */
#include "autoconf.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
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

#include <check.h>

#include "control.h"
#include "pidfile.h"
#include "util.h"

#include "../lib/unit.h"

#define ROWS(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Made once by root_setup(), removed by main(). */
static char root[PATH_MAX];
/* A fresh directory per test, below root; the pid file and its report. */
static char scratch[PATH_MAX];
static char pid_path[PATH_MAX];
static char report_path[PATH_MAX];
/* Where standard error goes while captured: not in scratch. */
static char err_path[PATH_MAX];

/* ------------------------------------------------------------------ */
/* Helpers */

static void
root_setup(void)
{
	if (root[0] == '\0')
		unit_scratch_dir(root, sizeof(root), "check_control");
}

static void
test_setup(void)
{
	char tmpl[PATH_MAX];
	int n;

	unit_path(scratch, sizeof(scratch), root, "t.XXXXXX");
	ck_assert_msg(mkdtemp(scratch) != NULL, "mkdtemp %s: %s", scratch,
	    strerror(errno));
	unit_path(pid_path, sizeof(pid_path), scratch, "forkhttpd.pid");
	unit_path(report_path, sizeof(report_path), scratch,
	    "forkhttpd.pid.reload");
	n = snprintf(tmpl, sizeof(tmpl), "%s.stderr", scratch);
	ck_assert(n > 0 && (size_t)n < sizeof(tmpl));
	memcpy(err_path, tmpl, (size_t)n + 1);
	umask(022);
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	ck_assert_int_eq(clock_gettime(CLOCK_MONOTONIC, &ts), 0);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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

static int saved_stderr = -1;

/* Standard error into err_path, until capture_end(). */
static void
capture_begin(void)
{
	int fd;

	fflush(stderr);
	saved_stderr = dup(STDERR_FILENO);
	ck_assert_int_ne(saved_stderr, -1);
	fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_msg(fd != -1, "open %s: %s", err_path, strerror(errno));
	ck_assert_int_eq(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	close(fd);
}

/* Puts standard error back; buf gets what was written meanwhile. */
static void
capture_end(char *buf, size_t cap)
{
	fflush(stderr);
	ck_assert_int_eq(dup2(saved_stderr, STDERR_FILENO), STDERR_FILENO);
	close(saved_stderr);
	saved_stderr = -1;
	slurp(err_path, buf, cap);
}

/* control_send() with standard error captured into err (cap bytes). */
static int
send_captured(enum control_cmd cmd, unsigned timeout_s, char *err,
    size_t cap)
{
	int status;

	capture_begin();
	status = control_send(pid_path, cmd, timeout_s);
	capture_end(err, cap);
	return status;
}

/* ------------------------------------------------------------------ */
/* The fake master */

enum fake_mode {
	FAKE_REPORT_OK,		/* HUP: "ok generation 7" to the sender */
	FAKE_REPORT_FAILED,	/* HUP: a two-line error to the sender */
	FAKE_REPORT_OTHER,	/* HUP: "ok" to pid 2, not the sender */
	FAKE_SILENT,		/* HUP: no report */
	FAKE_IGNORE_STOP,	/* TERM, QUIT: carries on */
	FAKE_SLOW_EXIT		/* TERM, QUIT: drops the lock, exits later */
};

/* Sent to the test for every signal the fake master takes. */
struct fake_event {
	int signo;
	pid_t sender;
};

struct fake {
	pid_t pid;
	int events;		/* read end: struct fake_event */
};

static volatile sig_atomic_t fake_signo, fake_sender;

static void
fake_on_signal(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	fake_sender = si->si_pid;
	fake_signo = sig;
}

/* How long FAKE_SLOW_EXIT lives on without its lock. */
#define FAKE_EXIT_DELAY_MS	400
#define FAKE_FAILURE	"conf:12: workers: bad\nsecond line"

/* The child's life; asserts nothing, exits only. */
static void
fake_main(enum fake_mode mode, int out, const char *pid_file)
{
	static const int sigs[] = { SIGHUP, SIGTERM, SIGQUIT, SIGUSR1 };
	struct sigaction sa;
	struct fake_event ev;
	sigset_t block, old;
	size_t i;
	int fd;

	alarm(20);	/* never outlive a test that failed */
	sigemptyset(&block);
	for (i = 0; i < UTIL_ARRAY_LEN(sigs); i++)
		sigaddset(&block, sigs[i]);
	sigprocmask(SIG_BLOCK, &block, &old);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fake_on_signal;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < UTIL_ARRAY_LEN(sigs); i++)
		sigaction(sigs[i], &sa, NULL);
	if ((fd = pidfile_acquire(pid_file, NULL)) == -1)
		_exit(3);
	if (write(out, "r", 1) != 1)
		_exit(4);
	for (;;) {
		while (fake_signo == 0)
			sigsuspend(&old);
		ev.signo = fake_signo;
		ev.sender = fake_sender;
		fake_signo = 0;
		if (write(out, &ev, sizeof(ev)) != (ssize_t)sizeof(ev))
			_exit(5);
		switch (ev.signo) {
		case SIGHUP:
			if (mode == FAKE_REPORT_OK)
				control_report(pid_file, ev.sender, true,
				    "generation 7");
			else if (mode == FAKE_REPORT_FAILED)
				control_report(pid_file, ev.sender, false,
				    FAKE_FAILURE);
			else if (mode == FAKE_REPORT_OTHER)
				control_report(pid_file, 2, true,
				    "generation 9");
			break;
		case SIGTERM:
		case SIGQUIT:
			/*
			 * As the real master does: the file removed and the
			 * lock dropped while it cleans up, then the exit.
			 */
			if (mode == FAKE_SLOW_EXIT) {
				pidfile_release(pid_file, fd);
				usleep(FAKE_EXIT_DELAY_MS * 1000);
			}
			/* Exiting drops the lock; the file stays, stale. */
			if (mode != FAKE_IGNORE_STOP)
				_exit(0);
			break;
		}
	}
}

/* Forks a fake master for pid_file; returns once it holds the lock. */
static void
fake_start(struct fake *f, enum fake_mode mode, const char *pid_file)
{
	int p[2];
	char c;

	ck_assert_int_eq(pipe(p), 0);
	f->pid = fork();
	ck_assert_msg(f->pid != -1, "fork: %s", strerror(errno));
	if (f->pid == 0) {
		close(p[0]);
		fake_main(mode, p[1], pid_file);
	}
	close(p[1]);
	f->events = p[0];
	ck_assert_msg(read(f->events, &c, 1) == 1 && c == 'r',
	    "the fake master did not start");
}

/* The next signal the fake master took (waits for it). */
static struct fake_event
fake_next(struct fake *f)
{
	struct fake_event ev;

	ck_assert_int_eq(read(f->events, &ev, sizeof(ev)),
	    (ssize_t)sizeof(ev));
	return ev;
}

/* True if the fake master has taken no signal that we have not read. */
static int
fake_quiet(struct fake *f)
{
	struct fake_event ev;
	int fl = fcntl(f->events, F_GETFL);

	fcntl(f->events, F_SETFL, fl | O_NONBLOCK);
	return read(f->events, &ev, sizeof(ev)) == -1 && errno == EAGAIN;
}

/* Kills and reaps it; returns its wait status. */
static int
fake_stop(struct fake *f)
{
	int status;

	kill(f->pid, SIGKILL);
	ck_assert_int_eq(waitpid(f->pid, &status, 0), f->pid);
	close(f->events);
	return status;
}

/* ------------------------------------------------------------------ */
/* control_parse, control_report_path */

static const struct {
	const char *name;
	int ret;
	enum control_cmd cmd;
	const char *note;
} parse_cases[] = {
	{ "reload", 0, CONTROL_RELOAD, "SIGHUP, synchronous" },
	{ "stop", 0, CONTROL_STOP, "SIGTERM, fast stop" },
	{ "quit", 0, CONTROL_QUIT, "SIGQUIT, graceful stop" },
	{ "reopen", 0, CONTROL_REOPEN, "SIGUSR1, reopen logs" },
	{ "", -1, CONTROL_RELOAD, "empty" },
	{ "Reload", -1, CONTROL_RELOAD, "names are lower case" },
	{ "STOP", -1, CONTROL_RELOAD, "names are lower case" },
	{ "reload ", -1, CONTROL_RELOAD, "trailing space" },
	{ "re", -1, CONTROL_RELOAD, "a prefix is not a name" },
	{ "reloads", -1, CONTROL_RELOAD, "a longer word" },
	{ "restart", -1, CONTROL_RELOAD, "not a command of ours" },
	{ "hup", -1, CONTROL_RELOAD, "signal names are not accepted" },
	{ "1", -1, CONTROL_RELOAD, "signal numbers are not accepted" },
};

START_TEST(test_parse)
{
	enum control_cmd cmd = (enum control_cmd)-1;
	int ret = control_parse(parse_cases[_i].name, &cmd);

	ck_assert_msg(ret == parse_cases[_i].ret, "\"%s\" (%s): got %d",
	    parse_cases[_i].name, parse_cases[_i].note, ret);
	if (ret == 0)
		ck_assert_msg(cmd == parse_cases[_i].cmd, "\"%s\": cmd %d",
		    parse_cases[_i].name, (int)cmd);
}
END_TEST

static const struct {
	const char *pid_file;
	size_t cap;		/* 0: sizeof the buffer */
	bool ok;
	const char *out;
	const char *note;
} path_cases[] = {
	{ "/run/forkhttpd.pid", 0, true, "/run/forkhttpd.pid.reload",
	    "next to the pid file" },
	{ "x", 0, true, "x.reload", "relative stays relative" },
	{ "/run/f.pid", 18, true, "/run/f.pid.reload", "fits exactly" },
	{ "/run/f.pid", 17, false, NULL, "one byte short" },
	{ "/run/f.pid", 1, false, NULL, "room for the NUL only" },
};

START_TEST(test_report_path)
{
	char out[64];
	size_t cap = path_cases[_i].cap ? path_cases[_i].cap : sizeof(out);
	bool ok;

	memset(out, 'z', sizeof(out));
	ok = control_report_path(path_cases[_i].pid_file, out, cap);
	ck_assert_msg(ok == path_cases[_i].ok, "%s: got %d",
	    path_cases[_i].note, ok);
	if (ok)
		ck_assert_str_eq(out, path_cases[_i].out);
	/* Never past cap. */
	ck_assert_msg(cap >= sizeof(out) || out[cap] == 'z', "%s: overrun",
	    path_cases[_i].note);
}
END_TEST

/* ------------------------------------------------------------------ */
/* control_report */

static const struct {
	pid_t requester;
	bool ok;
	const char *message;
	const char *line;
	const char *note;
} report_cases[] = {
	{ 4242, true, "generation 3", "4242 ok generation 3\n",
	    "success names the generation" },
	{ 4242, false, "/etc/f.conf:12: workers: must be 1..256",
	    "4242 failed: /etc/f.conf:12: workers: must be 1..256\n",
	    "failure carries the error" },
	{ 7, false, "conf:12: bad\nsecond line\n",
	    "7 failed: conf:12: bad second line \n",
	    "newlines become spaces: one line" },
	{ 7, false, "a\r\nb\tc", "7 failed: a  b c\n",
	    "CR and TAB too, so nothing reaches a terminal raw" },
	{ 0, true, "generation 2", "0 ok generation 2\n",
	    "requester unknown" },
	{ 99, true, "", "99 ok\n", "no message" },
	{ 99, false, "", "99 failed:\n", "no message on failure" },
};

START_TEST(test_report_line)
{
	char buf[256];
	struct stat st;

	/* mkstemp makes 0600 whatever the umask; the report is 0644. */
	umask(077);
	ck_assert_int_eq(control_report(pid_path, report_cases[_i].requester,
	    report_cases[_i].ok, report_cases[_i].message), 0);
	slurp(report_path, buf, sizeof(buf));
	ck_assert_msg(strcmp(buf, report_cases[_i].line) == 0,
	    "%s: got \"%s\"", report_cases[_i].note, buf);
	ck_assert_int_eq(stat(report_path, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0644);
}
END_TEST

START_TEST(test_report_long_message)
{
	static char msg[10000], buf[16384];
	size_t len;

	memset(msg, 'a', sizeof(msg) - 1);
	msg[5000] = '\n';
	ck_assert_int_eq(control_report(pid_path, 5, false, msg), 0);
	slurp(report_path, buf, sizeof(buf));
	len = strlen(buf);
	ck_assert_uint_gt(len, 1000);
	ck_assert_int_eq(strncmp(buf, "5 failed: aaa", 13), 0);
	/* Cut, but still one whole line. */
	ck_assert_int_eq(buf[len - 1], '\n');
	ck_assert_ptr_eq(strchr(buf, '\n'), buf + len - 1);
}
END_TEST

/* The scratch directory's entries other than . and .. */
static int
count_entries(const char *dir, char *only, size_t cap)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		n++;
		snprintf(only, cap, "%s", de->d_name);
	}
	closedir(d);
	return n;
}

START_TEST(test_report_no_temp_left)
{
	char name[256];

	ck_assert_int_eq(control_report(pid_path, 1, true, "generation 1"),
	    0);
	ck_assert_int_eq(control_report(pid_path, 2, false, "oops"), 0);
	ck_assert_int_eq(count_entries(scratch, name, sizeof(name)), 1);
	ck_assert_str_eq(name, "forkhttpd.pid.reload");
}
END_TEST

START_TEST(test_report_replaced_whole)
{
	char buf[256];
	struct stat first, second;
	ssize_t n;
	int fd;

	ck_assert_int_eq(control_report(pid_path, 123456, false,
	    "a long first message that the second one is shorter than"), 0);
	ck_assert_int_eq(stat(report_path, &first), 0);
	fd = open(report_path, O_RDONLY);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(control_report(pid_path, 9, true, "generation 2"),
	    0);
	/* Renamed over, not rewritten: the new line, no tail of the old. */
	slurp(report_path, buf, sizeof(buf));
	ck_assert_str_eq(buf, "9 ok generation 2\n");
	ck_assert_int_eq(stat(report_path, &second), 0);
	ck_assert(first.st_ino != second.st_ino);
	/* A reader that had the old one open still has all of it. */
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_str_eq(buf, "123456 failed: a long first message that the "
	    "second one is shorter than\n");
	close(fd);
}
END_TEST

START_TEST(test_report_missing_dir)
{
	char path[PATH_MAX], name[256];

	unit_path(path, sizeof(path), scratch, "no/such.pid");
	errno = 0;
	ck_assert_int_eq(control_report(path, 1, true, "generation 1"), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(count_entries(scratch, name, sizeof(name)), 0);
}
END_TEST

/* ------------------------------------------------------------------ */
/* control_send */

START_TEST(test_send_no_pid_file)
{
	char err[512], want[PATH_MAX + 64];

	ck_assert_int_eq(send_captured(CONTROL_RELOAD, 1, err, sizeof(err)),
	    1);
	snprintf(want, sizeof(want),
	    "forkhttpd: not running (no lock on %s)\n", pid_path);
	ck_assert_str_eq(err, want);
}
END_TEST

START_TEST(test_send_stale_pid_file)
{
	char err[512], want[PATH_MAX + 64], line[32];

	/*
	 * Our own pid, unlocked: if control_send believed the number, its
	 * SIGHUP would kill this test (HUP's default action).
	 */
	snprintf(line, sizeof(line), "%ld\n", (long)getpid());
	unit_write_file(scratch, "forkhttpd.pid", line);
	ck_assert_int_eq(send_captured(CONTROL_RELOAD, 1, err, sizeof(err)),
	    1);
	snprintf(want, sizeof(want),
	    "forkhttpd: not running (no lock on %s)\n", pid_path);
	ck_assert_str_eq(err, want);
	ck_assert_int_eq(send_captured(CONTROL_STOP, 1, err, sizeof(err)), 1);
	ck_assert_str_eq(err, want);
}
END_TEST

START_TEST(test_send_reload_ok)
{
	struct fake f;
	struct fake_event ev;
	char err[512], buf[256], want[64];

	fake_start(&f, FAKE_REPORT_OK, pid_path);
	ck_assert_int_eq(send_captured(CONTROL_RELOAD, 10, err, sizeof(err)),
	    0);
	ck_assert_str_eq(err, "forkhttpd: reload: ok (generation 7)\n");
	ev = fake_next(&f);
	ck_assert_int_eq(ev.signo, SIGHUP);
	ck_assert_int_eq(ev.sender, getpid());
	snprintf(want, sizeof(want), "%ld ok generation 7\n", (long)getpid());
	slurp(report_path, buf, sizeof(buf));
	ck_assert_str_eq(buf, want);
	fake_stop(&f);
}
END_TEST

START_TEST(test_send_reload_failed)
{
	struct fake f;
	char err[512];

	fake_start(&f, FAKE_REPORT_FAILED, pid_path);
	ck_assert_int_eq(send_captured(CONTROL_RELOAD, 10, err, sizeof(err)),
	    1);
	ck_assert_str_eq(err,
	    "forkhttpd: reload failed: conf:12: workers: bad second line\n");
	ck_assert_int_eq(fake_next(&f).signo, SIGHUP);
	fake_stop(&f);
}
END_TEST

/* What a reload that never hears back must print, and how long it took. */
static void
assert_reload_times_out(struct fake *f)
{
	char err[512], want[128];
	int64_t t0, ms;

	t0 = now_ms();
	ck_assert_int_eq(send_captured(CONTROL_RELOAD, 1, err, sizeof(err)),
	    1);
	ms = now_ms() - t0;
	ck_assert_msg(ms >= 1000 && ms < 3000, "gave up after %ld ms",
	    (long)ms);
	snprintf(want, sizeof(want),
	    "forkhttpd: reload: no report from pid %ld within 1 s",
	    (long)f->pid);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "stderr: %s",
	    err);
	/* It did ask. */
	ck_assert_int_eq(fake_next(f).signo, SIGHUP);
}

START_TEST(test_send_reload_timeout)
{
	struct fake f;

	fake_start(&f, FAKE_SILENT, pid_path);
	assert_reload_times_out(&f);
	fake_stop(&f);
}
END_TEST

START_TEST(test_send_reload_not_for_us)
{
	struct fake f;
	char buf[256];

	/* Another `-s reload` got its answer; it is not ours. */
	fake_start(&f, FAKE_REPORT_OTHER, pid_path);
	assert_reload_times_out(&f);
	slurp(report_path, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2 ok generation 9\n");
	fake_stop(&f);
}
END_TEST

START_TEST(test_send_reload_old_report)
{
	struct fake f;

	/*
	 * A report naming our pid from before we asked (an earlier run
	 * whose pid we reuse) must not pass for the answer.
	 */
	ck_assert_int_eq(control_report(pid_path, getpid(), true,
	    "generation 1"), 0);
	fake_start(&f, FAKE_SILENT, pid_path);
	assert_reload_times_out(&f);
	fake_stop(&f);
}
END_TEST

/* stop and quit: the signal, then 0 once the lock is gone. */
static void
assert_stops(enum control_cmd cmd, int signo)
{
	struct fake f;
	char err[512];
	int status;

	fake_start(&f, FAKE_SILENT, pid_path);
	ck_assert_int_eq(send_captured(cmd, 5, err, sizeof(err)), 0);
	ck_assert_str_eq(err, "forkhttpd: stopped\n");
	ck_assert_int_eq(fake_next(&f).signo, signo);
	/* It had exited by itself before we returned. */
	ck_assert_int_eq(waitpid(f.pid, &status, WNOHANG), f.pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(f.events);
	ck_assert_int_eq(pidfile_running(pid_path), 0);
}

START_TEST(test_send_stop)
{
	assert_stops(CONTROL_STOP, SIGTERM);
}
END_TEST

START_TEST(test_send_quit)
{
	assert_stops(CONTROL_QUIT, SIGQUIT);
}
END_TEST

/*
 * A master that has dropped its lock is not yet gone: stop returns once
 * the process has exited (here a zombie, which counts as gone), not when
 * the lock goes.
 */
START_TEST(test_send_stop_waits_for_exit)
{
	struct fake f;
	char err[512];
	int status;
	int64_t t0, ms;

	fake_start(&f, FAKE_SLOW_EXIT, pid_path);
	t0 = now_ms();
	ck_assert_int_eq(send_captured(CONTROL_STOP, 5, err, sizeof(err)), 0);
	ms = now_ms() - t0;
	ck_assert_str_eq(err, "forkhttpd: stopped\n");
	ck_assert_int_eq(waitpid(f.pid, &status, WNOHANG), f.pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_msg(ms >= FAKE_EXIT_DELAY_MS, "returned after %ld ms",
	    (long)ms);
	close(f.events);
}
END_TEST

START_TEST(test_send_stop_timeout)
{
	struct fake f;
	char err[512], want[128];
	int64_t t0, ms;

	fake_start(&f, FAKE_IGNORE_STOP, pid_path);
	t0 = now_ms();
	ck_assert_int_eq(send_captured(CONTROL_QUIT, 1, err, sizeof(err)), 1);
	ms = now_ms() - t0;
	ck_assert_msg(ms >= 1000 && ms < 3000, "gave up after %ld ms",
	    (long)ms);
	snprintf(want, sizeof(want),
	    "forkhttpd: quit: pid %ld still running after 1 s\n",
	    (long)f.pid);
	ck_assert_str_eq(err, want);
	ck_assert_int_eq(fake_next(&f).signo, SIGQUIT);
	ck_assert_int_eq(pidfile_running(pid_path), f.pid);
	fake_stop(&f);
}
END_TEST

START_TEST(test_send_reopen)
{
	struct fake f;
	char err[512];
	int64_t t0;

	fake_start(&f, FAKE_SILENT, pid_path);
	t0 = now_ms();
	ck_assert_int_eq(send_captured(CONTROL_REOPEN, 30, err, sizeof(err)),
	    0);
	/* Nothing to wait for. */
	ck_assert_int_lt(now_ms() - t0, 1000);
	ck_assert_str_eq(err, "");
	ck_assert_int_eq(fake_next(&f).signo, SIGUSR1);
	ck_assert(fake_quiet(&f));
	fake_stop(&f);
}
END_TEST

/*
 * A master we may not signal.  As root: a sender dropped to nobody
 * against a root fake master.  Otherwise: a fake master whose pid file
 * names a process of another user (found in /proc and proved unsignalable
 * with signal 0, which sends nothing).
 */
static pid_t
foreign_pid(void)
{
	struct dirent *de;
	struct stat st;
	char path[300];
	DIR *d = opendir("/proc");
	pid_t found = 0;
	long v;

	ck_assert_ptr_nonnull(d);
	while (found == 0 && (de = readdir(d)) != NULL) {
		if ((v = strtol(de->d_name, NULL, 10)) <= 1)
			continue;
		snprintf(path, sizeof(path), "/proc/%s", de->d_name);
		if (stat(path, &st) == 0 && st.st_uid != geteuid() &&
		    kill((pid_t)v, 0) == -1 && errno == EPERM)
			found = (pid_t)v;
	}
	closedir(d);
	return found;
}

START_TEST(test_send_no_permission)
{
	char dir[] = "/tmp/check_control.XXXXXX", pf[PATH_MAX];
	char err[512], want[160];
	struct fake f;
	pid_t target, sender;
	int status, lockfd;
	ssize_t n;

	/* Under /tmp: every user can reach it, whatever the build dir. */
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(chmod(dir, 0755), 0);
	unit_path(pf, sizeof(pf), dir, "forkhttpd.pid");
	if (geteuid() == 0) {
		fake_start(&f, FAKE_SILENT, pf);
		target = f.pid;
		capture_begin();
		sender = fork();
		if (sender == 0) {
			alarm(10);
			if (setgid(65534) == -1 || setuid(65534) == -1)
				_exit(9);
			_exit(control_send(pf, CONTROL_RELOAD, 1));
		}
		ck_assert_int_eq(waitpid(sender, &status, 0), sender);
		capture_end(err, sizeof(err));
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 1,
		    "sender status %#x, stderr %s", status, err);
		ck_assert_msg(fake_quiet(&f), "the master was signalled");
		fake_stop(&f);
	} else {
		if ((target = foreign_pid()) == 0) {
			/* Nothing here can be denied to us; say so. */
			fprintf(stderr, "test_send_no_permission: no process "
			    "of another user to aim at; not tested\n");
			rmdir(dir);
			return;
		}
		/* Holds the lock and names target, as a root master would. */
		lockfd = pidfile_acquire(pf, NULL);
		ck_assert_int_ge(lockfd, 0);
		snprintf(want, sizeof(want), "%ld\n", (long)target);
		n = (ssize_t)strlen(want);
		ck_assert_int_eq(pwrite(lockfd, want, (size_t)n, 0), n);
		ck_assert_int_eq(ftruncate(lockfd, n), 0);
		capture_begin();
		status = control_send(pf, CONTROL_RELOAD, 1);
		capture_end(err, sizeof(err));
		ck_assert_int_eq(status, 1);
		pidfile_release(pf, lockfd);
	}
	snprintf(want, sizeof(want), "forkhttpd: no permission to signal pid "
	    "%ld (run as the server's user or root)\n", (long)target);
	ck_assert_str_eq(err, want);
	unit_rmtree(dir);
}
END_TEST

/* ------------------------------------------------------------------ */

static Suite *
control_suite(void)
{
	Suite *s = suite_create("control");
	TCase *tc;

	tc = tcase_create("names");
	tcase_add_unchecked_fixture(tc, root_setup, NULL);
	tcase_add_checked_fixture(tc, test_setup, NULL);
	tcase_add_loop_test(tc, test_parse, 0, ROWS(parse_cases));
	tcase_add_loop_test(tc, test_report_path, 0, ROWS(path_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("report");
	tcase_add_unchecked_fixture(tc, root_setup, NULL);
	tcase_add_checked_fixture(tc, test_setup, NULL);
	tcase_add_loop_test(tc, test_report_line, 0, ROWS(report_cases));
	tcase_add_test(tc, test_report_long_message);
	tcase_add_test(tc, test_report_no_temp_left);
	tcase_add_test(tc, test_report_replaced_whole);
	tcase_add_test(tc, test_report_missing_dir);
	suite_add_tcase(s, tc);

	tc = tcase_create("send");
	tcase_add_unchecked_fixture(tc, root_setup, NULL);
	tcase_add_checked_fixture(tc, test_setup, NULL);
	tcase_set_timeout(tc, 15);
	tcase_add_test(tc, test_send_no_pid_file);
	tcase_add_test(tc, test_send_stale_pid_file);
	tcase_add_test(tc, test_send_reload_ok);
	tcase_add_test(tc, test_send_reload_failed);
	tcase_add_test(tc, test_send_reload_timeout);
	tcase_add_test(tc, test_send_reload_not_for_us);
	tcase_add_test(tc, test_send_reload_old_report);
	tcase_add_test(tc, test_send_stop);
	tcase_add_test(tc, test_send_quit);
	tcase_add_test(tc, test_send_stop_waits_for_exit);
	tcase_add_test(tc, test_send_stop_timeout);
	tcase_add_test(tc, test_send_reopen);
	tcase_add_test(tc, test_send_no_permission);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	int status = unit_run(control_suite());

	unit_rmtree(root);
	return status;
}
