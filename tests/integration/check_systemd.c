/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_systemd.c - the service manager's side of forkhttpd, with
 * stand-ins for systemd: a unix datagram socket of our own as
 * $NOTIFY_SOCKET, on which the sd_notify(3) messages of the real master
 * are read and judged against what the server is doing at that moment;
 * and systemd-socket-activate (Debian package systemd), which binds a
 * listener and starts the real binary with it in LISTEN_FDS as a .socket
 * unit would.
 *
 * What systemd relies on: READY=1 only once the workers are in their
 * event loops with the listeners in their epoll sets (so `systemctl
 * start` returns when requests are answered; shown by holding each new
 * worker stopped before its first instruction, the master running under
 * ptrace with PTRACE_O_TRACEFORK, and seeing no READY=1 until they are
 * let go, at start and at a reload); RELOADING=1 with a
 * MONOTONIC_USEC taken during the reload, then READY=1 only once the new
 * generation serves, or READY=1 with the error in STATUS= when the reload
 * failed; STOPPING=1 on TERM and QUIT.  Passed listeners are served,
 * are not replaced by sockets of the server's own, survive reloads, and
 * must all be used.
 *
 * Everything binds 127.0.0.1 and waits against deadlines; the only fixed
 * waits are the half seconds in which no READY=1 may come.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#ifdef HAVE_SYS_PRCTL_H
#include <sys/prctl.h>
#endif

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../lib/harness.h"

#define NOTIFY_WAIT_MS	5000
#define MSG_MAX		4096
#define FDS_MAX		64

static struct harness_server own;
/* Our stand-in for systemd's notify socket; -1: none. */
static int notify_fd = -1;
static char notify_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
/* Every message received in this test, for the failure messages. */
static struct harness_buf notify_log;

/* ---- fixtures ------------------------------------------------------------ */

static void
setup(void)
{
	ck_assert_msg(harness_setup(&own) == 0, "cannot create scratch dir");
	harness_buf_init(&notify_log);
	notify_fd = -1;
	notify_path[0] = '\0';
}

static void
teardown(void)
{
	bool ok = true;

	if (own.pid > 0 && !own.exited)
		ok = harness_stop(&own);
	if (notify_fd >= 0)
		close(notify_fd);
	if (notify_path[0] == '/')
		unlink(notify_path);
	harness_buf_free(&notify_log);
	harness_cleanup(&own, !ok);
}

/* ---- the notify socket --------------------------------------------------- */

/*
 * Binds our notify socket: a file in the scratch directory, or an
 * abstract name ("@..." in NOTIFY_SOCKET), which forkhttpd must both
 * understand.  Returns the value for NOTIFY_SOCKET.
 */
static const char *
notify_bind(bool abstract)
{
	struct sockaddr_un sa;
	socklen_t len;
	size_t n;

	notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(notify_fd, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (abstract)
		snprintf(notify_path, sizeof(notify_path),
		    "@forkhttpd-check-systemd-%ld", (long)getpid());
	else
		ck_assert_msg((size_t)snprintf(notify_path, sizeof(notify_path),
		    "%s/notify", own.dir) < sizeof(notify_path),
		    "scratch directory too long for a socket path: %s",
		    own.dir);
	n = strlen(notify_path);
	memcpy(sa.sun_path, notify_path, n);
	if (abstract)
		sa.sun_path[0] = '\0';
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n +
	    !abstract);
	ck_assert_msg(bind(notify_fd, (struct sockaddr *)&sa, len) == 0,
	    "bind %s: %s", notify_path, strerror(errno));
	return notify_path;
}

/* The next message within timeout_ms into out; false on timeout. */
static bool
notify_recv(char *out, size_t cap, int timeout_ms)
{
	struct pollfd p = { .fd = notify_fd, .events = POLLIN };
	int64_t end = harness_now_ms() + timeout_ms;
	ssize_t n;

	for (;;) {
		int left = (int)(end - harness_now_ms());

		if (left < 0)
			return false;
		if (poll(&p, 1, left) == 1)
			break;
	}
	n = recv(notify_fd, out, cap - 1, 0);
	ck_assert_int_ge(n, 0);
	out[n] = '\0';
	harness_buf_appendf(&notify_log, "[%s]\n", out);
	return true;
}

/* Whether msg has the line line (exactly). */
static bool
has_line(const char *msg, const char *line)
{
	size_t len = strlen(line);

	for (const char *p = msg; p != NULL; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (strncmp(p, line, len) == 0 &&
		    (p[len] == '\n' || p[len] == '\0'))
			return true;
	}
	return false;
}

/* The value of key ("STATUS=") in msg, into out; false if absent. */
static bool
field(const char *msg, const char *key, char *out, size_t cap)
{
	size_t klen = strlen(key);

	for (const char *p = msg; p != NULL; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (strncmp(p, key, klen) == 0) {
			size_t vlen = strcspn(p + klen, "\n");

			snprintf(out, cap, "%.*s", (int)vlen, p + klen);
			return true;
		}
	}
	return false;
}

/*
 * Waits for the next message, which must have the line want; fails the
 * test otherwise (naming what came).  The message is in out.
 */
static void
expect_msg(const char *want, char *out, size_t cap, const char *when)
{
	ck_assert_msg(notify_recv(out, cap, NOTIFY_WAIT_MS), "%s: no message "
	    "within %d ms, want %s; got so far:\n%s", when, NOTIFY_WAIT_MS,
	    want, notify_log.data ? notify_log.data : "");
	ck_assert_msg(has_line(out, want), "%s: want %s, got:\n%s\n(all: %s)",
	    when, want, out, notify_log.data);
}

/* ---- the server ---------------------------------------------------------- */

/* A free port other than not (0: any). */
static uint16_t
free_port(uint16_t not)
{
	for (int i = 0; i < 20; i++) {
		uint16_t p = harness_free_port();

		if (p != 0 && p != not)
			return p;
	}
	ck_abort_msg("no free port on 127.0.0.1");
	return 0;
}

/* Writes the conf (extra may be NULL) and starts forkhttpd -n with
 * NOTIFY_SOCKET=sock, without waiting. */
static void
spawn_notified(const char *sock, unsigned workers, const char *extra)
{
	const struct harness_conf c = { .extra = extra };
	uint16_t port = free_port(0);

	ck_assert_int_eq(harness_write_conf(&own, port, workers, &c), 0);
	setenv("NOTIFY_SOCKET", sock, 1);
	ck_assert_int_gt(harness_spawn(&own), 0);
	unsetenv("NOTIFY_SOCKET");
}

static int
exit_code(int st)
{
	return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* `forkhttpd -s cmd -f conf`: its exit code; stderr into err (owned). */
static int
control(const char *cmd, char **err)
{
	const char *args[] = { "-s", cmd, "-f", own.conf, NULL };
	char *out = NULL;
	int st = harness_run_reap(&own, args, 20000, &out, err, &own);

	free(out);
	if (*err == NULL)
		*err = strdup("");
	return exit_code(st);
}

static void
assert_serving(uint16_t port, const char *when)
{
	struct harness_response r;

	ck_assert_msg(harness_request(port, "GET", "/known.txt", NULL, &r) == 0,
	    "%s: no response on port %u", when, (unsigned)port);
	ck_assert_msg(r.status == 200 && strcmp(r.body, HARNESS_KNOWN_TEXT) == 0,
	    "%s: status %d on port %u", when, r.status, (unsigned)port);
	harness_response_free(&r);
}

/* The descriptors of pid that are sockets, and their inodes. */
static int
socket_fds(pid_t pid, int *fds, unsigned long *inodes, int max)
{
	char dir[64], path[320], link[128];
	struct dirent *de;
	DIR *d;
	int n = 0;

	snprintf(dir, sizeof(dir), "/proc/%ld/fd", (long)pid);
	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL && n < max) {
		ssize_t len;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if ((len = readlink(path, link, sizeof(link) - 1)) < 0)
			continue;
		link[len] = '\0';
		if (sscanf(link, "socket:[%lu]", &inodes[n]) == 1)
			fds[n++] = atoi(de->d_name);
	}
	closedir(d);
	return n;
}

/*
 * The inode of the TCP socket listening on 127.0.0.1:port, from
 * /proc/net/tcp, or 0.  Not every socket of the master is a listener: it
 * opens one for each notify message, and may not have closed it yet when
 * the message arrives.
 */
static unsigned long
listener_inode(uint16_t port)
{
	char line[512];
	unsigned long inode = 0;
	FILE *f = fopen("/proc/net/tcp", "r");

	ck_assert_ptr_nonnull(f);
	while (inode == 0 && fgets(line, sizeof(line), f) != NULL) {
		unsigned addr, lport, st;
		unsigned long ino;

		/* sl local rem st tx:rx tr:when retrnsmt uid timeout inode */
		if (sscanf(line, " %*u: %x:%x %*x:%*x %x %*x:%*x %*x:%*x %*x "
		    "%*u %*u %lu", &addr, &lport, &st, &ino) == 4 &&
		    lport == port && st == 0x0A)
			inode = ino;
	}
	fclose(f);
	return inode;
}

/* Whether worker pid has fd in an epoll set (its fdinfo's tfd lines). */
static bool
watches(pid_t pid, int fd)
{
	char dir[64], path[320], link[128], line[256];
	struct dirent *de;
	bool found = false;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%ld/fd", (long)pid);
	if ((d = opendir(dir)) == NULL)
		return false;
	while (!found && (de = readdir(d)) != NULL) {
		ssize_t len;
		FILE *f;
		int tfd;

		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if ((len = readlink(path, link, sizeof(link) - 1)) < 0)
			continue;
		link[len] = '\0';
		if (strcmp(link, "anon_inode:[eventpoll]") != 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/fdinfo/%s", (long)pid,
		    de->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		while (!found && fgets(line, sizeof(line), f) != NULL)
			found = sscanf(line, "tfd: %d", &tfd) == 1 && tfd == fd;
		fclose(f);
	}
	closedir(d);
	return found;
}

/*
 * At this instant: the master's live workers not in old[0..nold) number
 * want, and every one has the listener in its epoll set.
 * Fails the test naming the first that does not.  The new ones go to
 * out[] (FDS_MAX).
 */
static void
assert_workers_listening(const pid_t *old, int nold, int want, pid_t *out,
    const char *when)
{
	pid_t kids[FDS_MAX];
	int fds[FDS_MAX], n, nfd, lfd = -1, got = 0;
	unsigned long inodes[FDS_MAX], listener = listener_inode(own.port);

	ck_assert_msg(listener != 0, "%s: nothing listens on port %u", when,
	    (unsigned)own.port);
	nfd = socket_fds(own.pid, fds, inodes, FDS_MAX);
	for (int k = 0; k < nfd; k++)
		if (inodes[k] == listener)
			lfd = fds[k];
	ck_assert_msg(lfd >= 0, "%s: the master does not hold the listener",
	    when);
	n = harness_children(own.pid, kids, FDS_MAX, true);
	for (int i = 0; i < n; i++) {
		bool is_old = false;

		for (int k = 0; k < nold; k++)
			is_old |= kids[i] == old[k];
		if (is_old)
			continue;
		ck_assert_msg(watches(kids[i], lfd), "%s: worker %ld does not "
		    "wait on listener fd %d yet (messages: %s)", when,
		    (long)kids[i], lfd, notify_log.data);
		if (got < FDS_MAX)
			out[got] = kids[i];
		got++;
	}
	ck_assert_msg(got == want, "%s: %d new workers, want %d", when, got,
	    want);
}

static uint64_t
monotonic_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* ---- notify -------------------------------------------------------------- */

/*
 * Start-up: the first message is READY=1, and when it comes every worker
 * already waits on the listener; the status names the generation and the
 * workers.  Then a synchronous reload (`forkhttpd -s reload`, systemd's
 * ExecReload=): RELOADING=1 with a monotonic time taken during it, then
 * READY=1 when, again, every worker of generation 2 waits on the
 * listener.
 */
START_TEST(test_notify_start_and_reload)
{
	char msg[MSG_MAX], status[512], usec[64], *err = NULL;
	pid_t gen1[FDS_MAX], gen2[FDS_MAX];
	uint64_t before, after, t;
	int rc;

	spawn_notified(notify_bind(false), 3, NULL);
	expect_msg("READY=1", msg, sizeof(msg), "start");
	assert_workers_listening(NULL, 0, 3, gen1, "at READY=1");
	ck_assert_msg(field(msg, "STATUS=", status, sizeof(status)) &&
	    strstr(status, "generation 1") && strstr(status, "3 workers"),
	    "READY=1 without the generation and the workers in STATUS=: %s",
	    msg);
	assert_serving(own.port, "after READY=1");

	before = monotonic_usec();
	rc = control("reload", &err);
	ck_assert_msg(rc == 0, "-s reload: exit %d: %s", rc, err);
	free(err);
	expect_msg("RELOADING=1", msg, sizeof(msg), "-s reload");
	ck_assert_msg(field(msg, "MONOTONIC_USEC=", usec, sizeof(usec)),
	    "RELOADING=1 without MONOTONIC_USEC=: %s", msg);
	t = strtoull(usec, NULL, 10);
	after = monotonic_usec();
	ck_assert_msg(t >= before && t <= after, "MONOTONIC_USEC=%s is not "
	    "CLOCK_MONOTONIC during the reload (%llu..%llu)", usec,
	    (unsigned long long)before, (unsigned long long)after);
	expect_msg("READY=1", msg, sizeof(msg), "after RELOADING=1");
	assert_workers_listening(gen1, 3, 3, gen2, "at READY=1 after reload");
	ck_assert_msg(field(msg, "STATUS=", status, sizeof(status)) &&
	    strstr(status, "generation 2") && strstr(status, "3 workers"),
	    "READY=1 after the reload: STATUS= does not say generation 2 "
	    "with 3 workers: %s", msg);
	assert_serving(own.port, "after the reload's READY=1");
}
END_TEST

/*
 * A reload that fails (SIGHUP with a broken file): RELOADING=1, then
 * READY=1 at once with the error in STATUS=, since the old generation
 * goes on serving.
 */
/*
 * Holding the workers.  READY=1 must wait for the workers, not for
 * fork(): a worker sets itself up in about a millisecond, too fast for a
 * test to catch one in between, so the test makes the in-between last.
 * The master runs traced (PTRACE_TRACEME, then PTRACE_O_TRACEFORK), so
 * each worker it forks starts stopped and stays so until the test lets
 * it go; the master itself runs on, each signal it gets passed on to it.
 */
struct tracer {
	pid_t held[FDS_MAX];
	int nheld;
	bool master_stopped;	/* the SIGSTOP we sent it was seen */
};

/* Starts forkhttpd -n -f conf traced, with NOTIFY_SOCKET=sock. */
static void
spawn_traced(const char *sock)
{
	char out[PATH_MAX + 16], err[PATH_MAX + 16];
	int st;
	pid_t pid;

	snprintf(out, sizeof(out), "%s/stdout.log", own.dir);
	snprintf(err, sizeof(err), "%s/stderr.log", own.dir);
	fflush(NULL);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int fo = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int fe = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fo < 0 || fe < 0 || ptrace(PTRACE_TRACEME, 0, NULL,
		    NULL) < 0)
			_exit(127);
		dup2(fo, 1);
		dup2(fe, 2);
		setenv("NOTIFY_SOCKET", sock, 1);
		execl(harness_bin(), harness_bin(), "-n", "-f", own.conf,
		    (char *)NULL);
		_exit(127);
	}
	own.pid = pid;
	own.exited = false;
	/* The exec stops it (SIGTRAP): set the options, let it run. */
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFSTOPPED(st) && WSTOPSIG(st) == SIGTRAP, "traced "
	    "exec: status 0x%x", (unsigned)st);
	ck_assert_int_eq(ptrace(PTRACE_SETOPTIONS, pid, NULL,
	    (void *)(long)(PTRACE_O_TRACEFORK | PTRACE_O_EXITKILL)), 0);
	ck_assert_int_eq(ptrace(PTRACE_CONT, pid, NULL, NULL), 0);
}

static void
hold(struct tracer *t, pid_t pid)
{
	for (int i = 0; i < t->nheld; i++)
		if (t->held[i] == pid)
			return;
	ck_assert_int_lt(t->nheld, FDS_MAX);
	t->held[t->nheld++] = pid;
}

/*
 * One ptrace stop of the master: a fork event (the child reports its own
 * first stop, and is held then), a signal to pass on, or our SIGSTOP.
 */
static void
master_stop(struct tracer *t, int st)
{
	int sig = WSTOPSIG(st);

	/* Only the test sends the master SIGSTOP: to let it go. */
	if (sig == SIGSTOP) {
		t->master_stopped = true;
		return;
	}
	ck_assert_int_eq(ptrace(PTRACE_CONT, own.pid, NULL,
	    (void *)(long)(sig == SIGTRAP ? 0 : sig)), 0);
}

/* Handles every ptrace stop there is now; the master runs on. */
static void
trace_service(struct tracer *t)
{
	int st;
	pid_t pid;

	while ((pid = waitpid(-1, &st, __WALL | WNOHANG)) > 0) {
		if (pid != own.pid) {
			/* A new worker's first stop (SIGSTOP): held. */
			if (WIFSTOPPED(st))
				hold(t, pid);
			continue;
		}
		if (WIFSTOPPED(st))
			master_stop(t, st);
		else {
			own.exited = true;
			own.exit_status = st;
			ck_abort_msg("the traced master ended: status 0x%x",
			    (unsigned)st);
		}
	}
}

/*
 * Waits up to timeout_ms for a notify message, serving the tracer
 * meanwhile; true with it in out, false at the deadline.
 */
static bool
traced_recv(struct tracer *t, char *out, size_t cap, int timeout_ms)
{
	int64_t end = harness_now_ms() + timeout_ms;

	do {
		trace_service(t);
		if (notify_recv(out, cap, 5))
			return true;
	} while (harness_now_ms() < end);
	return false;
}

/* Stops the master for a moment and lets it go untraced. */
static void
untrace_master(struct tracer *t)
{
	int64_t end = harness_now_ms() + NOTIFY_WAIT_MS;

	t->master_stopped = false;
	ck_assert_int_eq(kill(own.pid, SIGSTOP), 0);
	while (!t->master_stopped) {
		ck_assert_msg(harness_now_ms() < end, "the master does not "
		    "stop to be let go");
		trace_service(t);
		harness_sleep_ms(1);
	}
	ck_assert_int_eq(ptrace(PTRACE_DETACH, own.pid, NULL, NULL), 0);
}

/*
 * Waits (serving the tracer) until the master has forked want workers in
 * all, each held at its first stop.
 */
static void
wait_held(struct tracer *t, int want, const char *when)
{
	int64_t end = harness_now_ms() + NOTIFY_WAIT_MS;
	char msg[MSG_MAX];

	while (t->nheld < want) {
		ck_assert_msg(harness_now_ms() < end, "%s: %d workers held, "
		    "want %d", when, t->nheld, want);
		ck_assert_msg(!traced_recv(t, msg, sizeof(msg), 20), "%s: a "
		    "message before the workers were forked: %s", when, msg);
	}
}

/* Lets the held workers go, from the from-th on. */
static void
release(struct tracer *t, int from)
{
	for (int i = from; i < t->nheld; i++)
		ck_assert_int_eq(ptrace(PTRACE_DETACH, t->held[i], NULL, NULL),
		    0);
}

/*
 * While its workers are held, before they run a single instruction, the
 * master sends no READY=1 however long (half a second: 25 of its looks);
 * let go, they serve, and READY=1 comes.  The same at a reload, after
 * RELOADING=1, with generation 2's workers held.
 */
START_TEST(test_notify_ready_waits_for_workers)
{
	struct tracer t = { .nheld = 0 };
	char msg[MSG_MAX], status[256];

	ck_assert_int_eq(harness_write_conf(&own, free_port(0), 3, NULL), 0);
	spawn_traced(notify_bind(false));
	wait_held(&t, 3, "start");
	ck_assert_msg(!traced_recv(&t, msg, sizeof(msg), 500), "with every "
	    "worker held before its first instruction: %s", msg);
	release(&t, 0);
	ck_assert_msg(traced_recv(&t, msg, sizeof(msg), NOTIFY_WAIT_MS) &&
	    has_line(msg, "READY=1"), "no READY=1 once the workers were let "
	    "go: %s", notify_log.data ? notify_log.data : "");

	ck_assert_int_eq(kill(own.pid, SIGHUP), 0);
	ck_assert_msg(traced_recv(&t, msg, sizeof(msg), NOTIFY_WAIT_MS) &&
	    has_line(msg, "RELOADING=1"), "no RELOADING=1 after SIGHUP: %s",
	    notify_log.data);
	wait_held(&t, 6, "reload");
	ck_assert_msg(!traced_recv(&t, msg, sizeof(msg), 500), "with "
	    "generation 2's workers held: %s", msg);
	release(&t, 3);
	ck_assert_msg(traced_recv(&t, msg, sizeof(msg), NOTIFY_WAIT_MS) &&
	    has_line(msg, "READY=1") && field(msg, "STATUS=", status,
	    sizeof(status)) && strstr(status, "generation 2"), "no READY=1 "
	    "for generation 2 once its workers were let go: %s",
	    notify_log.data);
	untrace_master(&t);
	assert_serving(own.port, "after READY=1");
}
END_TEST

START_TEST(test_notify_failed_reload)
{
	const struct harness_conf bad = { .workers_value = "0" };
	char msg[MSG_MAX], status[1024];

	spawn_notified(notify_bind(false), 2, NULL);
	expect_msg("READY=1", msg, sizeof(msg), "start");
	ck_assert_int_eq(harness_write_conf(&own, own.port, 2, &bad), 0);
	ck_assert_int_eq(kill(own.pid, SIGHUP), 0);
	expect_msg("RELOADING=1", msg, sizeof(msg), "SIGHUP");
	expect_msg("READY=1", msg, sizeof(msg), "a failed reload");
	ck_assert_msg(field(msg, "STATUS=", status, sizeof(status)) &&
	    strstr(status, "reload failed") && strstr(status, "workers") &&
	    strstr(status, "generation 1"), "READY=1 after a failed reload "
	    "does not give the error and the generation still serving in "
	    "STATUS=: %s", msg);
	assert_serving(own.port, "after a failed reload");
}
END_TEST

/* STOPPING=1 on TERM (_i 0) and on QUIT (_i 1), on an abstract socket. */
START_TEST(test_notify_stopping)
{
	char msg[MSG_MAX], status[256];
	int sig = _i == 0 ? SIGTERM : SIGQUIT;

	spawn_notified(notify_bind(true), 2, NULL);
	expect_msg("READY=1", msg, sizeof(msg), "start (abstract socket)");
	ck_assert_int_eq(kill(own.pid, sig), 0);
	expect_msg("STOPPING=1", msg, sizeof(msg), strsignal(sig));
	ck_assert_msg(field(msg, "STATUS=", status, sizeof(status)) &&
	    strstr(status, "stopping") != NULL, "STOPPING=1 without a status: "
	    "%s", msg);
	ck_assert_msg(harness_wait_exit(&own, 10000), "the master did not "
	    "exit after %s", strsignal(sig));
	ck_assert_int_eq(exit_code(own.exit_status), 0);
}
END_TEST

/* ---- socket activation --------------------------------------------------- */

/*
 * Starts systemd-socket-activate listening on 127.0.0.1:port (and on
 * extra_port too, if not 0), to run forkhttpd -n -f conf when the first
 * connection comes.  It execs in place: own.pid becomes the master.
 */
static void
spawn_activated(uint16_t port, uint16_t extra_port)
{
	char l1[64], l2[64], out[PATH_MAX + 16], err[PATH_MAX + 16];
	pid_t pid;

	snprintf(l1, sizeof(l1), "--listen=127.0.0.1:%u", (unsigned)port);
	snprintf(l2, sizeof(l2), "--listen=127.0.0.1:%u", (unsigned)extra_port);
	snprintf(out, sizeof(out), "%s/stdout.log", own.dir);
	snprintf(err, sizeof(err), "%s/stderr.log", own.dir);
	fflush(NULL);
	/* No ck_assert between fork() and exec: the child is not the test. */
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int fo = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int fe = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);

#if defined(HAVE_SYS_PRCTL_H) && defined(PR_SET_PDEATHSIG)
		prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
		if (fo < 0 || fe < 0)
			_exit(127);
		dup2(fo, 1);
		dup2(fe, 2);
		signal(SIGPIPE, SIG_DFL);
		if (extra_port != 0)
			execlp("systemd-socket-activate", "systemd-socket-activate",
			    l1, l2, "--fdname=web:extra", harness_bin(), "-n",
			    "-f", own.conf, (char *)NULL);
		else
			execlp("systemd-socket-activate", "systemd-socket-activate",
			    l1, "--fdname=web", harness_bin(), "-n", "-f",
			    own.conf, (char *)NULL);
		dprintf(2, "exec systemd-socket-activate: %s (Debian package "
		    "systemd)\n", strerror(errno));
		_exit(127);
	}
	own.pid = pid;
	own.exited = false;
	own.port = port;
}

/*
 * Connects to port until systemd-socket-activate listens there (which
 * makes it start forkhttpd), within HARNESS_START_TIMEOUT_MS.  The
 * connection is closed: the server accepts it and sees it gone.
 */
static void
wait_listening(uint16_t port)
{
	int64_t end = harness_now_ms() + HARNESS_START_TIMEOUT_MS;
	int fd;

	while ((fd = harness_connect(port, 200)) < 0) {
		ck_assert_msg(harness_now_ms() < end, "systemd-socket-activate "
		    "does not listen on port %u (see %s/stderr.log)",
		    (unsigned)port, own.dir);
		harness_sleep_ms(20);
	}
	close(fd);
}

/* The inode of the socket at fd of pid, or 0. */
static unsigned long
socket_inode(pid_t pid, int fd)
{
	int fds[FDS_MAX];
	unsigned long inodes[FDS_MAX];
	int n = socket_fds(pid, fds, inodes, FDS_MAX);

	for (int i = 0; i < n; i++)
		if (fds[i] == fd)
			return inodes[i];
	return 0;
}

/* Whether inode is a TCP socket's (/proc/net/tcp and tcp6, column 10):
 * the master's other sockets (the log channels to its workers) are
 * AF_UNIX, and only a TCP one would be a listener of its own. */
static bool
tcp_inode(unsigned long inode)
{
	static const char *const tables[] = { "/proc/net/tcp",
	    "/proc/net/tcp6" };
	char line[512];
	bool found = false;

	for (size_t t = 0; t < 2 && !found; t++) {
		FILE *f = fopen(tables[t], "r");

		if (f == NULL)
			continue;
		while (!found && fgets(line, sizeof(line), f) != NULL) {
			unsigned long ino;

			if (sscanf(line, "%*s %*s %*s %*s %*s %*s %*s %*s %*s %lu",
			    &ino) == 1 && ino == inode)
				found = true;
		}
		fclose(f);
	}
	return found;
}

/* Whether the error log has needle. */
static bool
log_has(const char *needle)
{
	char *t = harness_read_file(&own, "error.log", NULL);
	bool yes = t != NULL && strstr(t, needle) != NULL;

	free(t);
	return yes;
}

/*
 * The passed listener is served, and it is the master's only socket: it
 * bound none of its own.  A reload keeps it (the same socket, still
 * served) and binds a listen entry it adds that was not passed; a reload
 * that would leave the passed socket unused fails, and it goes on being
 * served.
 */
START_TEST(test_activation_served_and_kept)
{
	uint16_t port = free_port(0), port2 = free_port(port);
	char listen2[128], *err = NULL;
	const struct harness_conf both = { .listen_value = listen2 };
	int fds[FDS_MAX], n, rc;
	unsigned long inodes[FDS_MAX], passed;
	struct harness_conf only2 = { 0 };
	char listen_only2[64];

	ck_assert_int_eq(harness_write_conf(&own, port, 2, NULL), 0);
	spawn_activated(port, 0);
	/* The first connection makes it exec forkhttpd. */
	wait_listening(port);
	assert_serving(port, "the first request over the passed socket");
	ck_assert_msg(log_has("(socket activation: fd 3, \"web\")"),
	    "the error log does not say the listener was passed");
	passed = socket_inode(own.pid, 3);
	ck_assert_msg(passed != 0, "the master has no socket at fd 3");
	n = socket_fds(own.pid, fds, inodes, FDS_MAX);
	for (int i = 0; i < n; i++)
		ck_assert_msg(inodes[i] == passed || !tcp_inode(inodes[i]),
		    "the master holds a TCP socket of its own (fd %d) beside "
		    "the passed one", fds[i]);

	snprintf(listen2, sizeof(listen2), "{\"127.0.0.1:%u\", "
	    "\"127.0.0.1:%u\"}", (unsigned)port, (unsigned)port2);
	ck_assert_int_eq(harness_write_conf(&own, port, 2, &both), 0);
	rc = control("reload", &err);
	ck_assert_msg(rc == 0, "-s reload adding a listener: exit %d: %s", rc,
	    err);
	free(err);
	err = NULL;
	assert_serving(port, "the passed socket after a reload");
	assert_serving(port2, "a listener added by the reload");
	ck_assert_msg(socket_inode(own.pid, 3) == passed, "the reload "
	    "replaced the passed socket");

	/* The passed socket in no listen entry: refused, still served. */
	snprintf(listen_only2, sizeof(listen_only2), "{\"127.0.0.1:%u\"}",
	    (unsigned)port2);
	only2.listen_value = listen_only2;
	ck_assert_int_eq(harness_write_conf(&own, port, 2, &only2), 0);
	rc = control("reload", &err);
	ck_assert_msg(rc == 1 && strstr(err, "matches no listen entry"),
	    "-s reload leaving the passed socket unused: exit %d: %s", rc,
	    err);
	free(err);
	assert_serving(port, "the passed socket after a refused reload");
	ck_assert_msg(socket_inode(own.pid, 3) == passed, "the refused "
	    "reload replaced the passed socket");
}
END_TEST

/* A passed socket that no listen entry names: start-up fails, naming it. */
START_TEST(test_activation_unmatched_fails)
{
	uint16_t port = free_port(0), port2 = free_port(port);
	char want[64], *log;

	ck_assert_int_eq(harness_write_conf(&own, port, 2, NULL), 0);
	spawn_activated(port, port2);
	wait_listening(port);
	ck_assert_msg(harness_wait_exit(&own, 10000), "forkhttpd did not exit");
	ck_assert_int_eq(exit_code(own.exit_status), 1);
	log = harness_read_file(&own, "stderr.log", NULL);
	snprintf(want, sizeof(want), "127.0.0.1:%u", (unsigned)port2);
	ck_assert_msg(log != NULL && strstr(log, "matches no listen entry") &&
	    strstr(log, want) && strstr(log, "\"extra\""), "the error does "
	    "not name the unused socket %s (\"extra\"):\n%s", want,
	    log ? log : "");
	free(log);
}
END_TEST

static Suite *
systemd_suite(void)
{
	Suite *s = suite_create("systemd");
	TCase *tc = harness_tcase(s, "notify");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_notify_start_and_reload);
	tcase_add_test(tc, test_notify_ready_waits_for_workers);
	tcase_add_test(tc, test_notify_failed_reload);
	tcase_add_loop_test(tc, test_notify_stopping, 0, 2);

	tc = harness_tcase(s, "activation");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_activation_served_and_kept);
	tcase_add_test(tc, test_activation_unmatched_fails);
	return s;
}

int
main(void)
{
	return harness_main("check_systemd", systemd_suite);
}
