/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_lifecycle.c - the master's life, driven from outside with real
 * signals and real load on the real binary: graceful reload under
 * continuous load, reloads that fail, listeners and pool size changed by
 * a reload, the old generation's bound (shutdown-timeout), a worker
 * killed mid-request, a crash loop and its back-off, graceful stop (QUIT)
 * and its bound, the adaptive pool, recycling after
 * max-requests-per-worker, the watchdog, log reopening after a
 * logrotate-style rename, the pid file lock, `forkhttpd -s` and the
 * status page.
 *
 * Every test starts its own server (127.0.0.1, an ephemeral port) with
 * short timeouts and waits against deadlines; the slow ones are bounded
 * to a few seconds each, the whole program to about 90 s on 2 cores.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#ifdef HAVE_SYS_PRCTL_H
#include <sys/prctl.h>
#endif

#include <check.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <grp.h>
#include <pwd.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "../lib/harness.h"

/* The server of the running test (checked fixture). */
static struct harness_server own;
/* A worker the test stopped (SIGSTOP): killed in the teardown. */
static pid_t stopped_worker;

#define BIG_PATH	"/big.bin"
#define MAX_PIDS	64

/* ---- fixtures ------------------------------------------------------------ */

static void
scratch_setup(void)
{
	stopped_worker = 0;
	ck_assert_msg(harness_setup(&own) == 0, "cannot create scratch dir");
}

static void
own_teardown(void)
{
	bool ok = true;

	if (stopped_worker > 0) {
		kill(stopped_worker, SIGKILL);
		kill(stopped_worker, SIGCONT);
	}
	if (own.pid > 0 && !own.exited)
		ok = harness_stop(&own);
	harness_cleanup(&own, !ok);
}

/* ---- helpers ------------------------------------------------------------- */

static void
start_conf(unsigned workers, const struct harness_conf *c)
{
	ck_assert_msg(harness_start(&own, workers, c) == 0,
	    "cannot start %s with \"%s\" (see %s)", harness_bin(),
	    c && c->extra ? c->extra : "", own.dir);
}

static void
start_own(unsigned workers, const char *extra)
{
	const struct harness_conf c = { .extra = extra };

	start_conf(workers, &c);
}

static void
make_big_file(uint64_t size)
{
	ck_assert_msg(harness_make_big_file(&own, "docroot" BIG_PATH, size) == 0,
	    "cannot create %s in %s", BIG_PATH, own.dir);
}

static int
exit_code(int st)
{
	return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static bool
pid_in(pid_t pid, const pid_t *set, int n)
{
	for (int i = 0; i < n; i++)
		if (set[i] == pid)
			return true;
	return false;
}

static void
pids_text(const pid_t *set, int n, char *out, size_t cap)
{
	size_t len = 0;

	out[0] = '\0';
	for (int i = 0; i < n && len + 16 < cap; i++)
		len += (size_t)snprintf(out + len, cap - len, "%s%ld",
		    i ? " " : "", (long)set[i]);
}

/* The master's live workers (children that are not zombies). */
static int
live_workers(pid_t *out)
{
	int n = harness_children(own.pid, out, MAX_PIDS, true);

	return n > MAX_PIDS ? MAX_PIDS : n;
}

/*
 * Waits until the master has exactly n live workers, none of them in
 * old[0..nold); their pids go to out.  Returns false on timeout (out then
 * holds the last look, *got their count).
 */
static bool
wait_workers_new(int n, const pid_t *old, int nold, pid_t *out, int *got,
    int timeout_ms)
{
	int64_t deadline = harness_now_ms() + timeout_ms;

	for (;;) {
		bool fresh = true;

		*got = live_workers(out);
		for (int i = 0; i < *got; i++)
			fresh &= !pid_in(out[i], old, nold);
		if (*got == n && fresh)
			return true;
		if (harness_now_ms() >= deadline)
			return false;
		harness_sleep_ms(20);
	}
}

/* Waits for exactly n live workers; aborts the test if they do not come. */
static void
wait_workers(int n, pid_t *out)
{
	char txt[512];
	int got;

	if (!wait_workers_new(n, NULL, 0, out, &got, 5000)) {
		pids_text(out, got, txt, sizeof(txt));
		ck_abort_msg("the master has %d workers (%s), want %d", got, txt,
		    n);
	}
}

/*
 * Waits until pid is gone and reaped (a zombie has exited, but its
 * parent has not yet seen it).  Returns its last state, 0 when gone.
 */
static char
wait_gone(pid_t pid, int timeout_ms)
{
	int64_t deadline = harness_now_ms() + timeout_ms;
	char st;

	while ((st = harness_pid_state(pid)) != 0 &&
	    harness_now_ms() < deadline)
		harness_sleep_ms(10);
	return st;
}

/* Is pid (a whole number) in line[0..len)? */
static bool
has_pid(const char *line, size_t len, pid_t pid)
{
	char num[32];
	size_t nl;

	snprintf(num, sizeof(num), "%ld", (long)pid);
	nl = strlen(num);
	for (size_t i = 0; i + nl <= len; i++) {
		if (memcmp(line + i, num, nl) != 0)
			continue;
		if ((i == 0 || !isdigit((unsigned char)line[i - 1])) &&
		    (i + nl == len || !isdigit((unsigned char)line[i + nl])))
			return true;
	}
	return false;
}

/*
 * The first line of text that holds every needle of the NULL-terminated
 * list and, when pid > 0, pid as a whole number.  Returns a copy, or NULL.
 */
static char *
find_line(const char *text, pid_t pid, const char *const *needles)
{
	const char *p = text;

	while (p != NULL && *p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *line = strndup(p, n);
		bool ok = line != NULL && (pid <= 0 || has_pid(line, n, pid));

		for (size_t i = 0; ok && needles[i] != NULL; i++)
			ok = strstr(line, needles[i]) != NULL;
		if (ok)
			return line;
		free(line);
		p = nl ? nl + 1 : NULL;
	}
	return NULL;
}

/* How many lines of text hold needle. */
static int
count_lines(const char *text, const char *needle)
{
	int n = 0;

	for (const char *p = text; p && (p = strstr(p, needle)) != NULL;
	    p = strchr(p, '\n'))
		n++;
	return n;
}

static char *
error_log(void)
{
	char *t = harness_read_file(&own, "error.log", NULL);

	return t ? t : strdup("(no error.log)");
}

/*
 * Waits up to timeout_ms for a line of the error log with pid (if > 0)
 * and every needle (a NULL-terminated list).  Returns the line or NULL.
 */
static char *
wait_log_v(int timeout_ms, pid_t pid, const char *const *needles)
{
	int64_t deadline = harness_now_ms() + timeout_ms;

	for (;;) {
		char *t = harness_read_file(&own, "error.log", NULL);
		char *line = t ? find_line(t, pid, needles) : NULL;

		free(t);
		if (line != NULL)
			return line;
		if (harness_now_ms() >= deadline)
			return NULL;
		harness_sleep_ms(20);
	}
}

#define NEEDLES(...)	((const char *const []){ __VA_ARGS__, NULL })

/* Aborts, showing the error log, unless such a line comes in time. */
static char *
expect_log(int timeout_ms, pid_t pid, const char *const *needles)
{
	char *line = wait_log_v(timeout_ms, pid, needles);

	if (line == NULL) {
		char *t = error_log();
		char want[512] = "";

		for (size_t i = 0; needles[i] != NULL; i++) {
			strncat(want, " \"", sizeof(want) - strlen(want) - 1);
			strncat(want, needles[i], sizeof(want) - strlen(want) - 1);
			strncat(want, "\"", sizeof(want) - strlen(want) - 1);
		}
		ck_abort_msg("no error.log line with%s%s%ld within %d ms:\n%s",
		    want, pid > 0 ? " and pid " : "", pid > 0 ? (long)pid : 0L,
		    timeout_ms, t);
	}
	return line;
}

/* GET /a answers "content of a"; a failure says how it went wrong. */
static void
assert_serving(uint16_t port, const char *when)
{
	struct harness_conn c;
	struct harness_response r;
	int64_t t0 = harness_now_ms();
	int rc;

	ck_assert_msg(harness_conn_open(&c, port) == 0, "%s: cannot connect "
	    "to port %u: %s", when, (unsigned)port, strerror(errno));
	ck_assert_msg(harness_conn_sendstr(&c, "GET /a HTTP/1.1\r\nHost: t\r\n"
	    "Connection: close\r\n\r\n") == 0, "%s: cannot send: %s", when,
	    strerror(errno));
	rc = harness_conn_read_response(&c, false, &r, HARNESS_IO_TIMEOUT_MS);
	ck_assert_msg(rc == 0, "%s: GET /a on port %u: no complete response "
	    "after %lld ms (closed %d, reset %d, %zu bytes: \"%.80s\")", when,
	    (unsigned)port, (long long)(harness_now_ms() - t0), c.eof, c.reset,
	    c.in.len, c.in.data);
	ck_assert_msg(r.status == 200 && strcmp(r.body, "content of a\n") == 0,
	    "%s: GET /a: status %d, body \"%s\"", when, r.status, r.body);
	harness_response_free(&r);
	harness_conn_close(&c);
}

/* Rewrites the conf after start, keeping the port unless listen is set. */
static void
rewrite_conf(uint16_t port, unsigned workers, const char *listen,
    const char *extra)
{
	const struct harness_conf c = { .listen_value = listen,
	    .extra = extra };

	ck_assert_int_eq(harness_write_conf(&own, port, workers, &c), 0);
}

/* `forkhttpd -s cmd -f conf`: its exit code; out and err are owned. */
static int
control(const char *cmd, char **out, char **err)
{
	const char *args[] = { "-s", cmd, "-f", own.conf, NULL };
	int st = harness_run_reap(&own, args, 20000, out, err, &own);

	if (*out == NULL)
		*out = strdup("");
	if (*err == NULL)
		*err = strdup("");
	return exit_code(st);
}

static void
pidfile_path(char *out, size_t cap)
{
	snprintf(out, cap, "%s/forkhttpd.pid", own.dir);
}

static bool
file_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* The pid in the pid file, 0 if there is none. */
static long
pidfile_pid(void)
{
	char *t = harness_read_file(&own, "forkhttpd.pid", NULL);
	long pid = t ? atol(t) : 0;

	free(t);
	return pid;
}

/* ---- a download read as a stream ------------------------------------------ */

/* A connection, and the response on it checked as it comes. */
struct download {
	struct harness_conn c;
	struct harness_stream s;
};

/*
 * Connects with a receive buffer of rcvbuf and asks for the big file.
 * With foreground, a second request is pipelined behind it: then the
 * worker sends the file itself, busy until it is out (the tests of a busy
 * worker need that), where a file alone would go on in the background
 * while the worker serves others.  Connection: close on the first, so
 * the second is never answered.
 */
static void
dl_start_as(struct download *d, uint16_t port, int rcvbuf, bool foreground)
{
	memset(d, 0, sizeof(*d));
	harness_stream_init(&d->s);
	ck_assert_msg(harness_conn_open_rcvbuf(&d->c, port, rcvbuf) == 0,
	    "cannot connect to port %u", (unsigned)port);
	ck_assert_int_eq(harness_conn_sendstr(&d->c, foreground ?
	    "GET " BIG_PATH " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
	    "GET /a HTTP/1.1\r\nHost: t\r\n\r\n" :
	    "GET " BIG_PATH " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"),
	    0);
}

/* A download that keeps its worker busy (see dl_start_as()). */
static void
dl_start(struct download *d, uint16_t port, int rcvbuf)
{
	dl_start_as(d, port, rcvbuf, true);
}

/*
 * Reads what is there, up to max bytes, without waiting (wait_ms > 0:
 * waits that long for the first byte).  Returns the bytes read; d->c.eof
 * is set when the peer closed or reset.
 */
static size_t
dl_read(struct download *d, size_t max, int wait_ms)
{
	static unsigned char chunk[256 * 1024];
	size_t got = 0;

	if (wait_ms > 0 && !d->c.eof) {
		struct pollfd pfd = { d->c.fd, POLLIN, 0 };

		(void)poll(&pfd, 1, wait_ms);
	}
	while (got < max && !d->c.eof) {
		size_t want = max - got < sizeof(chunk) ? max - got :
		    sizeof(chunk);
		ssize_t n = recv(d->c.fd, chunk, want, MSG_DONTWAIT);

		if (n > 0) {
			ck_assert_msg(harness_stream_feed(&d->s, chunk,
			    (size_t)n) == 0, "not an HTTP response head: "
			    "\"%.200s\"", d->s.head.data);
			got += (size_t)n;
		} else if (n == 0) {
			d->c.eof = true;
		} else if (errno == EINTR) {
			continue;
		} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
			break;
		} else {
			d->c.eof = true;
			d->c.reset = true;
		}
	}
	return got;
}

/* Reads at full speed until the peer closes or timeout_ms passes. */
static void
dl_finish(struct download *d, int timeout_ms)
{
	int64_t deadline = harness_now_ms() + timeout_ms;

	while (!d->c.eof && harness_now_ms() < deadline)
		(void)dl_read(d, SIZE_MAX, 100);
}

/* Reads until at least n body bytes came (or the peer closed). */
static void
dl_until(struct download *d, uint64_t n, int timeout_ms)
{
	int64_t deadline = harness_now_ms() + timeout_ms;

	while (d->s.body < n && !d->c.eof && harness_now_ms() < deadline)
		(void)dl_read(d, 64 * 1024, 100);
	ck_assert_msg(d->s.body >= n, "only %llu body bytes of %s in %d ms "
	    "(status %d, closed %d)", (unsigned long long)d->s.body, BIG_PATH,
	    timeout_ms, d->s.status, d->c.eof);
}

static void
dl_close(struct download *d)
{
	harness_conn_close(&d->c);
	harness_stream_free(&d->s);
}

/* ---- 1. reload under continuous load ---------------------------------------- */

#define LOAD_CLIENTS	4
#define LOAD_MS		4000
#define LOAD_HUPS	5

struct load_result {
	unsigned ok;
	unsigned retried;		/* keep-alive requests retried once */
	unsigned connections;
	struct harness_failures fail;
};

/* A response to GET /one-k.txt as it must be. */
static bool
load_good(const struct harness_response *r)
{
	return r->status == 200 && r->body_len == HARNESS_ONE_K_SIZE &&
	    r->body[0] == 'a' && r->body[63] == '\n';
}

/* Sequential GETs, each on a new connection with Connection: close. */
static void
load_close(uint16_t port, int64_t until, struct load_result *res)
{
	while (harness_now_ms() < until) {
		struct harness_response r;

		res->connections++;
		if (harness_request(port, "GET", "/one-k.txt", NULL, &r) != 0)
			harness_fail(&res->fail, "close client: request %u: "
			    "no complete response", res->ok + res->fail.n + 1);
		else if (!load_good(&r))
			harness_fail(&res->fail, "close client: request %u: "
			    "status %d, %zu body bytes",
			    res->ok + res->fail.n + 1, r.status, r.body_len);
		else
			res->ok++;
		harness_response_free(&r);
	}
}

/*
 * Sequential GETs on keep-alive connections.  RFC 9112 §9.3.1: "A user
 * agent MAY automatically retry a request with an idempotent method",
 * and a connection closed by the server while idle is the case it is
 * for: a request on a reused connection that gets not one byte of
 * response before the close (or reset) is retried once on a new
 * connection.  Everything else is a failure.
 */
static void
load_keepalive(uint16_t port, int64_t until, struct load_result *res)
{
	static const char req[] = "GET /one-k.txt HTTP/1.1\r\nHost: t\r\n\r\n";
	struct harness_conn c;
	bool open = false, reused = false;

	while (harness_now_ms() < until) {
		struct harness_response r;
		bool retry = false;
		int rc;
		char v[64];

		memset(&r, 0, sizeof(r));
		for (int attempt = 0; attempt < 2; attempt++) {
			bool sent;
			int e;

			if (!open) {
				res->connections++;
				if (harness_conn_open(&c, port) == -1) {
					harness_fail(&res->fail, "keep-alive "
					    "client: cannot connect: %s",
					    strerror(errno));
					break;
				}
				open = true;
				reused = false;
			}
			sent = harness_conn_send(&c, req, sizeof(req) - 1) == 0;
			e = errno;
			rc = sent ? harness_conn_read_response(&c, false, &r,
			    HARNESS_IO_TIMEOUT_MS) : -1;
			if (rc == 0)
				break;
			/* closed before the first byte of the response */
			retry = reused && attempt == 0 && c.in.len == 0 &&
			    (c.eof || (!sent && (e == EPIPE || e == ECONNRESET)));
			if (!retry) {
				harness_fail(&res->fail, "keep-alive client: "
				    "request %u (%s connection): %s, closed %d, "
				    "reset %d, %zu bytes: \"%.60s\"",
				    res->ok + res->fail.n + 1,
				    reused ? "a reused" : "a new",
				    !sent ? strerror(e) : !c.eof ?
				    "no complete response" : "cut off", c.eof,
				    c.reset, c.in.len,
				    c.in.data);
				harness_conn_close(&c);
				open = false;
				break;
			}
			res->retried++;
			harness_conn_close(&c);
			open = false;
		}
		if (!open)
			continue;
		if (!load_good(&r)) {
			harness_fail(&res->fail, "keep-alive client: status %d, "
			    "%zu body bytes", r.status, r.body_len);
		} else {
			res->ok++;
		}
		reused = true;
		if (harness_header(&r, "Connection", v, sizeof(v)) &&
		    strcasestr(v, "close") != NULL) {
			/* the server said so: the next request goes anew */
			harness_conn_close(&c);
			open = false;
		}
		harness_response_free(&r);
	}
	if (open)
		harness_conn_close(&c);
}

static pid_t
load_spawn(uint16_t port, bool keepalive, int64_t until, int wfd)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid != 0)
		return pid;
	{
		struct load_result res;

#if defined(HAVE_SYS_PRCTL_H) && defined(PR_SET_PDEATHSIG)
		prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
		memset(&res, 0, sizeof(res));
		if (keepalive)
			load_keepalive(port, until, &res);
		else
			load_close(port, until, &res);
		if (write(wfd, &res, sizeof(res)) != (ssize_t)sizeof(res))
			_exit(2);
		_exit(0);
	}
}

START_TEST(test_reload_under_load)
{
	const struct harness_conf c = { .extra = "keepalive-timeout = 2\n" };
	pid_t before[MAX_PIDS], after[MAX_PIDS], clients[LOAD_CLIENTS];
	struct load_result res[LOAD_CLIENTS];
	unsigned total = 0, retried = 0;
	int pfd[2], got;
	int64_t t0, until;
	char *line, txt[512];

	start_conf(4, &c);
	wait_workers(4, before);
	ck_assert_int_eq(pipe(pfd), 0);
	t0 = harness_now_ms();
	until = t0 + LOAD_MS;
	for (int i = 0; i < LOAD_CLIENTS; i++) {
		clients[i] = load_spawn(own.port, i % 2 == 1, until, pfd[1]);
		ck_assert_msg(clients[i] > 0, "fork: %s", strerror(errno));
	}
	close(pfd[1]);
	for (int h = 1; h <= LOAD_HUPS; h++) {
		int64_t wait = t0 + 500 * h - harness_now_ms();

		if (wait > 0)
			harness_sleep_ms((int)wait);
		ck_assert_int_eq(kill(own.pid, SIGHUP), 0);
	}
	for (int i = 0; i < LOAD_CLIENTS; i++) {
		struct pollfd p = { pfd[0], POLLIN, 0 };

		ck_assert_msg(poll(&p, 1, LOAD_MS + 10000) == 1,
		    "load client %d did not report", i);
		ck_assert_int_eq(read(pfd[0], &res[i], sizeof(res[i])),
		    (ssize_t)sizeof(res[i]));
	}
	close(pfd[0]);
	for (int i = 0; i < LOAD_CLIENTS; i++) {
		int st;

		ck_assert_int_eq(waitpid(clients[i], &st, 0), clients[i]);
	}
	for (int i = 0; i < LOAD_CLIENTS; i++) {
		ck_assert_msg(res[i].fail.n == 0, "load client %d failed %u of "
		    "%u requests across %d reloads; the first: %s", i,
		    res[i].fail.n, res[i].ok + res[i].fail.n, LOAD_HUPS,
		    res[i].fail.first);
		/* it was load: every client made many requests */
		ck_assert_msg(res[i].ok >= 20, "load client %d made only %u "
		    "requests in %d ms", i, res[i].ok, LOAD_MS);
		total += res[i].ok;
		retried += res[i].retried;
	}
	fprintf(stderr, "check_lifecycle: %u requests, %u keep-alive retries "
	    "(RFC 9112 9.3.1), %d reloads, no failure\n", total, retried,
	    LOAD_HUPS);

	line = expect_log(5000, 0, NEEDLES("reloaded: generation 6"));
	free(line);
	/*
	 * Nobody was killed or crashed: a graceful reload that cost no
	 * request could still have killed a worker between two requests
	 * of a keep-alive client, which the retry above hides.
	 */
	{
		char *log = error_log();

		line = find_line(log, 0, NEEDLES("[error]"));
		ck_assert_msg(line == NULL, "an error during %d graceful "
		    "reloads: %s\n(the whole log:)\n%s", LOAD_HUPS, line, log);
		free(log);
	}
	/* old generations all exited; a whole new one serves */
	if (!wait_workers_new(4, before, 4, after, &got, 8000)) {
		pids_text(after, got, txt, sizeof(txt));
		ck_abort_msg("after %d reloads the master has workers %s, want "
		    "4 new ones", LOAD_HUPS, txt);
	}
	for (int i = 0; i < 4; i++) {
		char st = wait_gone(before[i], 2000);

		ck_assert_msg(st == 0, "worker %ld of generation 1 still "
		    "exists (state %c)", (long)before[i], st);
	}
	assert_serving(own.port, "after the reloads");
}
END_TEST

/* ---- 2. reloads that fail ---------------------------------------------------- */

START_TEST(test_reload_control_and_broken_conf)
{
	pid_t gen1[MAX_PIDS], gen2[MAX_PIDS], now[MAX_PIDS];
	char *out, *err, *line, txt[512];
	int rc, got;

	start_own(2, NULL);
	wait_workers(2, gen1);

	/* a good conf: applied, synchronously */
	rewrite_conf(own.port, 2, NULL, "keepalive-timeout = 2\n");
	rc = control("reload", &out, &err);
	ck_assert_msg(rc == 0, "-s reload with a good conf: exit %d\n"
	    "stdout: %s\nstderr: %s", rc, out, err);
	ck_assert_msg((strstr(out, "ok") || strstr(err, "ok")) &&
	    (strstr(out, "generation 2") || strstr(err, "generation 2")),
	    "-s reload does not say ok and generation 2:\nstdout: %s\n"
	    "stderr: %s", out, err);
	free(out);
	free(err);
	ck_assert_msg(wait_workers_new(2, gen1, 2, gen2, &got, 5000),
	    "no new generation of 2 workers after -s reload (%d)", got);
	assert_serving(own.port, "after -s reload");

	/* workers = 0: refused before the master is bothered */
	rewrite_conf(own.port, 0, NULL, NULL);
	rc = control("reload", &out, &err);
	ck_assert_msg(rc == 1, "-s reload with workers = 0: exit %d, want 1\n"
	    "stdout: %s\nstderr: %s", rc, out, err);
	ck_assert_msg(harness_names_line(err, "forkhttpd.conf", HARNESS_LINE_WORKERS) &&
	    strstr(err, "workers") != NULL, "-s reload with workers = 0: "
	    "stderr does not name forkhttpd.conf:%d and workers:\n%s",
	    HARNESS_LINE_WORKERS, err);
	free(out);
	free(err);
	harness_sleep_ms(300);
	assert_serving(own.port, "after a refused -s reload");
	got = live_workers(now);
	pids_text(now, got, txt, sizeof(txt));
	ck_assert_msg(got == 2 && pid_in(gen2[0], now, got) &&
	    pid_in(gen2[1], now, got), "the refused reload changed the "
	    "workers: %s", txt);

	/* SIGHUP with the conf broken after start: logged, old one serves */
	ck_assert_int_eq(kill(own.pid, SIGHUP), 0);
	line = expect_log(5000, 0, NEEDLES("reload failed", "workers"));
	ck_assert_msg(harness_names_line(line, "forkhttpd.conf", HARNESS_LINE_WORKERS),
	    "the reload failure does not name forkhttpd.conf:%d:\n%s",
	    HARNESS_LINE_WORKERS, line);
	free(line);
	assert_serving(own.port, "after a failed SIGHUP reload");
	harness_sleep_ms(300);
	got = live_workers(now);
	pids_text(now, got, txt, sizeof(txt));
	ck_assert_msg(got == 2 && pid_in(gen2[0], now, got) &&
	    pid_in(gen2[1], now, got), "the failed reload changed the "
	    "workers: %s", txt);
	ck_assert_msg(pidfile_pid() == (long)own.pid, "pid file holds %ld",
	    pidfile_pid());
}
END_TEST

/* ---- 3. listen and workers changed by a reload ----------------------------- */

START_TEST(test_reload_listen_and_workers)
{
	pid_t gen1[MAX_PIDS], gen2[MAX_PIDS], gen3[MAX_PIDS];
	uint16_t a, b;
	char listen[128], *line, txt[512];
	int got, fd;

	start_own(2, NULL);
	a = own.port;
	wait_workers(2, gen1);
	b = harness_free_port();
	ck_assert_msg(b != 0 && b != a, "no second port");

	/* add port b */
	snprintf(listen, sizeof(listen), "{ \"127.0.0.1:%u\", "
	    "\"127.0.0.1:%u\" }", (unsigned)a, (unsigned)b);
	rewrite_conf(a, 2, listen, NULL);
	ck_assert_int_eq(kill(own.pid, SIGHUP), 0);
	line = expect_log(5000, 0, NEEDLES("reloaded: generation 2"));
	free(line);
	if (!wait_workers_new(2, gen1, 2, gen2, &got, 5000)) {
		pids_text(gen2, got, txt, sizeof(txt));
		ck_abort_msg("generation 2: workers %s", txt);
	}
	assert_serving(b, "the added port");
	assert_serving(a, "the kept port");

	/* drop port a, 3 workers */
	snprintf(listen, sizeof(listen), "{ \"127.0.0.1:%u\" }", (unsigned)b);
	rewrite_conf(b, 3, listen, NULL);
	ck_assert_int_eq(kill(own.pid, SIGHUP), 0);
	line = expect_log(5000, 0, NEEDLES("reloaded: generation 3"));
	free(line);
	if (!wait_workers_new(3, gen2, 2, gen3, &got, 5000)) {
		pids_text(gen3, got, txt, sizeof(txt));
		ck_abort_msg("generation 3 (workers = 3): workers %s", txt);
	}
	for (int i = 0; i < 2; i++) {
		char st = wait_gone(gen2[i], 2000);

		ck_assert_msg(st == 0, "worker %ld of generation 2 still "
		    "exists (state %c)", (long)gen2[i], st);
	}
	assert_serving(b, "the port that stayed");
	fd = harness_connect(a, 500);
	if (fd != -1)
		close(fd);
	ck_assert_msg(fd == -1, "port %u, removed from listen, still accepts "
	    "connections after its workers exited", (unsigned)a);
	harness_sleep_ms(300);
	ck_assert_int_eq(live_workers(gen3), 3);
}
END_TEST

/* ---- 3b. the old generation's deadline ------------------------------------ */

#define OLD_GEN_SIZE	((uint64_t)64 * 1024 * 1024)
/* shutdown-timeout = 2: the old worker is gone within this after HUP. */
#define OLD_GEN_MARGIN_MS	4000

/*
 * shutdown-timeout bounds the old generation after a reload as it bounds
 * a graceful stop: a worker of generation 1 held by a client that asked
 * for a big file and reads nothing (send-timeout = 60 would let it hold
 * on for a minute) is stopped shutdown-timeout after the HUP, the error
 * log names it with its generation and request, and nothing about it is
 * logged as an error (the stop is ours).  The new generation serves all
 * along.  Observed from outside only (the pid, the log, the client), so
 * it holds whether the worker sends the file itself or in the
 * background.
 */
/* When pid was gone, in ms after since (waiting until limit_ms after
 * it), or -1 if it still exists then. */
static int64_t
gone_after(pid_t pid, int64_t since, int64_t limit_ms)
{
	while (harness_now_ms() - since < limit_ms) {
		if (harness_pid_state(pid) == 0)
			return harness_now_ms() - since;
		harness_sleep_ms(20);
	}
	return -1;
}

START_TEST(test_reload_old_generation_deadline)
{
	struct download d;
	pid_t gen1[MAX_PIDS], gen2[MAX_PIDS];
	int64_t hup_at, gone_ms = -1;
	char *line, *log;
	int got;

	make_big_file(OLD_GEN_SIZE);
	start_own(1, "shutdown-timeout = 2\nsend-timeout = 60\n");
	wait_workers(1, gen1);
	/* Its head and a first piece, then not another byte read. */
	dl_start(&d, own.port, 16 * 1024);
	dl_until(&d, 1, 5000);
	ck_assert_msg(d.s.status == 200, "GET %s: status %d", BIG_PATH,
	    d.s.status);

	hup_at = harness_now_ms();
	ck_assert_int_eq(kill(own.pid, SIGHUP), 0);
	line = expect_log(5000, 0, NEEDLES("reloaded: generation 2"));
	free(line);
	assert_serving(own.port, "while generation 1 finishes");
	/* Up to KILL's time, to tell "late" from "never" in the message. */
	gone_ms = gone_after(gen1[0], hup_at,
	    2000 + 5000 + OLD_GEN_MARGIN_MS);
	ck_assert_msg(gone_ms >= 0, "worker %ld of generation 1, held by a "
	    "client that reads nothing, still exists %d ms after the reload "
	    "with shutdown-timeout = 2", (long)gen1[0],
	    2000 + 5000 + OLD_GEN_MARGIN_MS);
	ck_assert_msg(gone_ms >= 1500, "worker %ld of generation 1 was gone "
	    "%lld ms after the reload, before its shutdown-timeout (2 s)",
	    (long)gen1[0], (long long)gone_ms);
	ck_assert_msg(gone_ms <= 2000 + OLD_GEN_MARGIN_MS, "worker %ld of "
	    "generation 1 was gone %lld ms after the reload, want within "
	    "shutdown-timeout (2 s) + %d ms", (long)gen1[0], (long long)gone_ms,
	    OLD_GEN_MARGIN_MS);
	line = expect_log(2000, gen1[0], NEEDLES("generation 1",
	    "shutdown-timeout", "GET " BIG_PATH " HTTP/1.1"));
	free(line);
	log = error_log();
	line = find_line(log, 0, NEEDLES("[error]"));
	ck_assert_msg(line == NULL, "stopping the old generation logged an "
	    "error: %s\n(the whole log:)\n%s", line, log);
	free(log);

	/* Its client was cut off; generation 2 alone serves. */
	dl_finish(&d, 3000);
	ck_assert_msg(d.c.eof && d.s.body < OLD_GEN_SIZE, "the old "
	    "generation's download: closed %d after %llu bytes", d.c.eof,
	    (unsigned long long)d.s.body);
	dl_close(&d);
	ck_assert_msg(wait_workers_new(1, gen1, 1, gen2, &got, 5000),
	    "after the old worker went, %d workers, want 1 of generation 2",
	    got);
	assert_serving(own.port, "after generation 1 was stopped");
}
END_TEST

/*
 * A worker that retires itself (max-requests-per-worker) drains as on a
 * graceful stop, but no master bounds it: its own shutdown-timeout
 * does.  Held by a client that reads nothing (and no send-min-rate to
 * cut it off), it must still be gone within shutdown-timeout, not at
 * send-timeout.
 */
START_TEST(test_retiring_worker_bounded)
{
	struct download d;
	pid_t w[MAX_PIDS], now[MAX_PIDS];
	struct harness_response r;
	int64_t t0, gone_ms = -1;
	char *line;
	int got;

	make_big_file(OLD_GEN_SIZE);
	start_own(1, "max-requests-per-worker = 2\nshutdown-timeout = 2\n"
	    "send-timeout = 60\nsend-min-rate = 0\n");
	wait_workers(1, w);
	dl_start(&d, own.port, 16 * 1024);
	dl_until(&d, 1, 5000);
	ck_assert_int_eq(d.s.status, 200);
	/* Two responses complete: the worker retires, the download holds
	 * it (a response counts once it is out). */
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(harness_request(own.port, "GET", "/a", NULL,
		    &r), 0);
		ck_assert_int_eq(r.status, 200);
		harness_response_free(&r);
	}
	line = expect_log(3000, w[0], NEEDLES("max-requests-per-worker"));
	free(line);
	t0 = harness_now_ms();
	gone_ms = gone_after(w[0], t0, 2000 + OLD_GEN_MARGIN_MS);
	ck_assert_msg(gone_ms >= 0, "the retiring worker %ld, held by a client "
	    "that reads nothing, still exists %d ms after its last request "
	    "with shutdown-timeout = 2", (long)w[0], 2000 + OLD_GEN_MARGIN_MS);
	dl_finish(&d, 3000);
	ck_assert_msg(d.c.eof && d.s.body < OLD_GEN_SIZE, "the held download: "
	    "closed %d after %llu bytes", d.c.eof,
	    (unsigned long long)d.s.body);
	dl_close(&d);
	ck_assert_msg(wait_workers_new(1, w, 1, now, &got, 5000),
	    "no new worker after the retiring one left (%d)", got);
	assert_serving(own.port, "after a retiring worker was bounded");
}
END_TEST

/* ---- 4. kill -9 of a worker mid-download --------------------------------- */

/*
 * The log line names the download the killed worker was sending: _i 0
 * with the worker busy sending it, 1 with it going out in the background
 * ("sending in the background").
 */
START_TEST(test_kill_worker_mid_download)
{
	struct download d;
	pid_t w[MAX_PIDS], now[MAX_PIDS];
	char *line;
	int got;

	make_big_file((uint64_t)64 * 1024 * 1024);
	start_own(1, NULL);
	wait_workers(1, w);
	dl_start_as(&d, own.port, 16 * 1024, _i == 0);
	/* a slow reader: the file is being sent for a long while */
	for (int i = 0; i < 5; i++) {
		(void)dl_read(&d, 16 * 1024, 50);
		harness_sleep_ms(40);
	}
	ck_assert_msg(d.s.status == 200 && d.s.body > 0 && !d.c.eof,
	    "the download did not start (status %d, %llu bytes, closed %d)",
	    d.s.status, (unsigned long long)d.s.body, d.c.eof);
	ck_assert_int_eq(kill(w[0], SIGKILL), 0);

	ck_assert_msg(wait_workers_new(1, w, 1, now, &got, 5000),
	    "worker %ld killed: no new worker within 5 s (%d)", (long)w[0], got);
	line = expect_log(5000, w[0], NEEDLES("signal 9",
	    "GET " BIG_PATH " HTTP/1.1", "127.0.0.1"));
	ck_assert_msg(_i == 0 || strstr(line, "sending in the background"),
	    "the crash line does not say the download was going out in the "
	    "background: %s", line);
	free(line);
	dl_finish(&d, 3000);
	ck_assert_msg(d.c.eof && d.s.body < (uint64_t)64 * 1024 * 1024,
	    "the killed worker's download: closed %d after %llu bytes", d.c.eof,
	    (unsigned long long)d.s.body);
	dl_close(&d);
	assert_serving(own.port, "after the respawn");
}
END_TEST

/* ---- 5. crash loop ---------------------------------------------------------- */

#define CRASHES 5

START_TEST(test_crash_loop_backoff)
{
	pid_t w[MAX_PIDS], killed[CRASHES], now[MAX_PIDS], other;
	int64_t killed_at[CRASHES], seen_at[CRASHES];
	long delays[CRASHES];
	int ndelays = 0, got;
	char *log, *p;

	start_own(2, NULL);
	wait_workers(2, w);
	other = w[1];
	killed[0] = w[0];
	killed_at[0] = harness_now_ms();
	seen_at[0] = killed_at[0];
	ck_assert_int_eq(kill(killed[0], SIGKILL), 0);
	for (int k = 1; k < CRASHES; k++) {
		pid_t fresh = 0;
		int64_t deadline = harness_now_ms() + 10000;

		/* the slot's next worker: kill it as soon as it appears */
		while (fresh == 0 && harness_now_ms() < deadline) {
			got = live_workers(now);
			for (int i = 0; i < got; i++)
				if (now[i] != other && !pid_in(now[i], killed, k))
					fresh = now[i];
			if (fresh == 0)
				harness_sleep_ms(5);
		}
		ck_assert_msg(fresh != 0, "crash %d: the slot was not refilled "
		    "within 10 s", k);
		seen_at[k] = harness_now_ms();
		killed[k] = fresh;
		killed_at[k] = seen_at[k];
		ck_assert_int_eq(kill(fresh, SIGKILL), 0);
	}
	/*
	 * The other worker serves all along.  Not before the last victim is
	 * dead: a process woken in accept() by SIGKILL may still take a
	 * connection that arrives in that instant (the kernel checks the
	 * queue before the signal) and die with it, whatever the server.
	 */
	for (int64_t deadline = harness_now_ms() + 2000;
	    harness_pid_state(killed[CRASHES - 1]) != 0 &&
	    harness_pid_state(killed[CRASHES - 1]) != 'Z' &&
	    harness_now_ms() < deadline;)
		harness_sleep_ms(5);
	for (int i = 0; i < 10; i++)
		assert_serving(own.port, "while one slot crash-loops");
	ck_assert_msg(harness_pid_state(other) != 0 &&
	    harness_pid_state(other) != 'Z', "the other worker %ld is gone",
	    (long)other);
	ck_assert_msg(!harness_wait_exit(&own, 0), "the master exited "
	    "(status 0x%x)", (unsigned)own.exit_status);

	/* every crash after the first is a quick repeated one */
	for (int64_t deadline = harness_now_ms() + 3000;;) {
		log = error_log();
		if (count_lines(log, "crashing repeatedly") >= CRASHES - 1 ||
		    harness_now_ms() >= deadline)
			break;
		free(log);
		harness_sleep_ms(50);
	}
	for (p = log; (p = strstr(p, "crashing repeatedly")) != NULL; p++) {
		const char *q = strstr(p, "next start in ");
		const char *eol = strchr(p, '\n');

		if (q != NULL && (eol == NULL || q < eol) && ndelays < CRASHES)
			delays[ndelays++] = atol(q + strlen("next start in "));
	}
	ck_assert_msg(ndelays == CRASHES - 1, "%d \"crashing repeatedly ... "
	    "next start in\" lines for %d quick crashes in a row, want %d:\n%s",
	    ndelays, CRASHES, CRASHES - 1, log);
	for (int i = 1; i < ndelays; i++)
		ck_assert_msg(delays[i] > delays[i - 1], "the back-off does not "
		    "grow: %ld ms, then %ld ms:\n%s", delays[i - 1], delays[i],
		    log);
	/*
	 * And it is real: the last refill waited about what the log said
	 * (line i of them is crash i + 1, counting from 0).
	 */
	ck_assert_msg(seen_at[CRASHES - 1] - killed_at[CRASHES - 2] >=
	    delays[CRASHES - 3] * 8 / 10, "refilled %lld ms after the crash, "
	    "the log announced %ld ms:\n%s", (long long)(seen_at[CRASHES - 1] -
	    killed_at[CRASHES - 2]), delays[CRASHES - 3], log);
	free(log);
	/* after the last back-off the slot is refilled: 2 workers again */
	ck_assert_msg(wait_workers_new(2, killed, CRASHES, now, &got, 8000),
	    "the slot was not refilled after the last back-off (%d workers)",
	    got);
	assert_serving(own.port, "after the crash loop");
}
END_TEST

/* ---- 6. graceful stop -------------------------------------------------------- */

#define QUIT_SIZE	((uint64_t)20 * 1024 * 1024)

/*
 * QUIT lets a slow download finish, byte for byte, and serves no new
 * client: _i 0 with the worker busy sending it, 1 with the file going
 * out in the background while the worker waits for events.
 */
START_TEST(test_quit_finishes_download)
{
	struct download d;
	struct harness_conn probe;
	pid_t w[MAX_PIDS];
	char pidfile[PATH_MAX + 32];
	int64_t t0, quit_at = 0, done_at;
	bool probed = false, probe_connected = false;

	memset(&probe, 0, sizeof(probe));
	make_big_file(QUIT_SIZE);
	start_own(2, NULL);
	wait_workers(2, w);
	dl_start_as(&d, own.port, 256 * 1024, _i == 0);
	t0 = harness_now_ms();
	/* about 5 MiB/s: 256 KiB every 50 ms, about 4 s in all */
	while (!d.c.eof && harness_now_ms() - t0 < 20000) {
		(void)dl_read(&d, 256 * 1024, 0);
		harness_sleep_ms(50);
		if (quit_at == 0 && harness_now_ms() - t0 >= 500) {
			ck_assert_msg(!d.c.eof, "the download ended before QUIT");
			ck_assert_int_eq(kill(own.pid, SIGQUIT), 0);
			quit_at = harness_now_ms();
		}
		if (!probed && quit_at > 0 && harness_now_ms() - quit_at >= 800) {
			/* a new client, never to be served: read at the end */
			probed = true;
			if (harness_conn_open(&probe, own.port) == 0) {
				probe_connected = true;
				(void)harness_conn_sendstr(&probe, "GET /a "
				    "HTTP/1.1\r\nHost: t\r\n\r\n");
			}
		}
	}
	done_at = harness_now_ms();
	ck_assert_msg(quit_at > 0, "the download took under half a second");
	ck_assert_msg(d.s.status == 200 &&
	    d.s.content_length == (long long)QUIT_SIZE,
	    "status %d, Content-Length %lld", d.s.status, d.s.content_length);
	ck_assert_msg(d.s.body == QUIT_SIZE && !d.c.reset, "QUIT cut the "
	    "download in flight: %llu of %llu bytes (reset %d), %lld ms after "
	    "QUIT",
	    (unsigned long long)d.s.body, (unsigned long long)QUIT_SIZE,
	    d.c.reset, (long long)(done_at - quit_at));
	ck_assert_msg(d.s.bad_at == UINT64_MAX, "the body differs from the file "
	    "at %llu", (unsigned long long)d.s.bad_at);
	ck_assert_msg(done_at - quit_at >= 1500 && probed, "the download "
	    "ended %lld ms after QUIT: was it slow at all?",
	    (long long)(done_at - quit_at));
	dl_close(&d);

	ck_assert_msg(harness_wait_exit(&own, 5000), "the master did not exit "
	    "within 5 s of the download's end");
	ck_assert_msg(WIFEXITED(own.exit_status) &&
	    WEXITSTATUS(own.exit_status) == 0, "master exit status 0x%x after "
	    "QUIT", (unsigned)own.exit_status);
	if (probe_connected) {
		/* Everything is gone now: whatever it got, it got by now. */
		for (int64_t end = harness_now_ms() + 2000;
		    !probe.eof && harness_now_ms() < end;)
			(void)harness_conn_recv(&probe, 100);
		ck_assert_msg(probe.in.len == 0, "a client that connected 800 "
		    "ms after QUIT was answered: \"%.80s\"", probe.in.data);
		harness_conn_close(&probe);
	}
	pidfile_path(pidfile, sizeof(pidfile));
	ck_assert_msg(!file_exists(pidfile), "pid file %s left after QUIT",
	    pidfile);
	for (int i = 0; i < 2; i++)
		ck_assert_msg(harness_pid_state(w[i]) == 0, "worker %ld "
		    "outlived the master", (long)w[i]);
	own.pid = 0;
}
END_TEST

START_TEST(test_quit_shutdown_timeout)
{
	struct download d;
	pid_t w[MAX_PIDS];
	int64_t t0, dt;
	char *line;

	make_big_file(QUIT_SIZE);
	start_own(1, "shutdown-timeout = 1\n");
	wait_workers(1, w);
	/* a client that stops reading: the download stalls */
	dl_start(&d, own.port, 16 * 1024);
	(void)dl_read(&d, 16 * 1024, 2000);
	ck_assert_msg(d.s.status == 200, "no response head");
	harness_sleep_ms(300);
	t0 = harness_now_ms();
	ck_assert_int_eq(kill(own.pid, SIGQUIT), 0);
	ck_assert_msg(harness_wait_exit(&own, 8000), "the master still runs "
	    "8 s after QUIT with shutdown-timeout = 1");
	dt = harness_now_ms() - t0;
	ck_assert_msg(dt >= 800 && dt <= 4000, "the master exited %lld ms "
	    "after QUIT, want about shutdown-timeout (1 s)", (long long)dt);
	ck_assert_msg(WIFEXITED(own.exit_status) &&
	    WEXITSTATUS(own.exit_status) == 0, "master exit status 0x%x",
	    (unsigned)own.exit_status);
	ck_assert_msg(harness_pid_state(w[0]) == 0, "the stalled worker %ld "
	    "outlived the master", (long)w[0]);
	line = expect_log(1000, 0, NEEDLES("shutdown-timeout"));
	free(line);
	dl_finish(&d, 2000);
	ck_assert_msg(d.c.eof && d.s.body < QUIT_SIZE, "the stalled download: "
	    "closed %d, %llu bytes", d.c.eof, (unsigned long long)d.s.body);
	dl_close(&d);
	own.pid = 0;
}
END_TEST

/*
 * A fast stop (TERM) is asked for: the workers the master itself
 * terminates are not crashes, and the error log gets no error for them.
 */
START_TEST(test_term_logs_no_error)
{
	pid_t w[MAX_PIDS];
	char *log;

	start_own(2, NULL);
	wait_workers(2, w);
	assert_serving(own.port, "before TERM");
	ck_assert_msg(harness_stop(&own), "TERM: exit status 0x%x",
	    (unsigned)own.exit_status);
	log = error_log();
	ck_assert_msg(strstr(log, "[error]") == NULL, "a fast stop logs "
	    "errors for the workers it stopped itself:\n%s", log);
	free(log);
}
END_TEST

/* ---- max-connections-per-client ----------------------------------------- */

/* A keep-alive GET /a on c, which must be answered with status. */
static void
get_on(struct harness_conn *c, int status, const char *what)
{
	struct harness_response r;

	ck_assert_msg(harness_conn_sendstr(c, "GET /a HTTP/1.1\r\nHost: t\r\n"
	    "\r\n") == 0, "%s: cannot send: %s", what, strerror(errno));
	ck_assert_msg(harness_conn_read_response(c, false, &r,
	    HARNESS_IO_TIMEOUT_MS) == 0, "%s: no response (closed %d, reset "
	    "%d, \"%.80s\")", what, c->eof, c->reset, c->in.data);
	ck_assert_msg(r.status == status, "%s: status %d, want %d", what,
	    r.status, status);
	if (status == 503) {
		char v[32];

		ck_assert_msg(harness_header(&r, "Retry-After", v, sizeof(v)) &&
		    strcmp(v, "10") == 0, "%s: no Retry-After: 10", what);
		ck_assert(harness_header(&r, "Connection", v, sizeof(v)) &&
		    strcasecmp(v, "close") == 0);
		ck_assert_msg(harness_conn_wait_eof(c, HARNESS_IO_TIMEOUT_MS) ==
		    1, "%s: the 503 did not close the connection", what);
	}
	harness_response_free(&r);
}

/*
 * A new keep-alive connection whose GET /a is answered 200 (not 503),
 * left open in *c; false if it was refused or failed.
 */
static bool
open_admitted(struct harness_conn *c, const char *extra)
{
	struct harness_response r;
	char req[128];
	bool ok = false;

	snprintf(req, sizeof(req), "GET /a HTTP/1.1\r\nHost: t\r\n%s\r\n",
	    extra);
	if (harness_conn_open(c, own.port) != 0)
		return false;
	if (harness_conn_sendstr(c, req) == 0 &&
	    harness_conn_read_response(c, false, &r,
	    HARNESS_IO_TIMEOUT_MS) == 0) {
		ok = r.status == 200;
		harness_response_free(&r);
	}
	if (!ok)
		harness_conn_close(c);
	return ok;
}

/* For harness_poll(): a new connection is served, then closed. */
static bool
admitted(void *arg)
{
	struct harness_conn c;

	(void)arg;
	if (!open_admitted(&c, "Connection: close\r\n"))
		return false;
	harness_conn_close(&c);
	return true;
}

/*
 * Opens a connection that the server counts and keeps: retried until
 * served, since the harness's own probe at start may still be counted
 * for a moment by a worker that has not yet seen it close.
 */
static void
hold(struct harness_conn *c)
{
	int64_t deadline = harness_now_ms() + 5000;

	while (!open_admitted(c, "")) {
		ck_assert_msg(harness_now_ms() < deadline, "no connection "
		    "admitted within 5 s");
		harness_sleep_ms(20);
	}
}

/*
 * Two connections held by one client (whichever workers took them): the
 * third and fourth get 503 with Retry-After and are closed, logged once
 * with the count; when one is closed, a new one is served again.
 */
START_TEST(test_max_connections_per_client)
{
	struct harness_conn held[2], extra;
	char *log, *line;

	start_own(2, "max-connections-per-client = 2\n");
	for (int k = 0; k < 2; k++)
		hold(&held[k]);
	for (int k = 0; k < 2; k++) {
		ck_assert_int_eq(harness_conn_open(&extra, own.port), 0);
		get_on(&extra, 503, "a connection over the limit");
		harness_conn_close(&extra);
	}
	line = expect_log(5000, 0, NEEDLES("client 127.0.0.1 holds ",
	    " connections (max-connections-per-client 2): ",
	    " refused with 503 since the last report"));
	free(line);
	log = error_log();
	ck_assert_msg(count_lines(log, "max-connections-per-client") == 1,
	    "two refusals within 10 s are one line:\n%s", log);
	free(log);
	harness_conn_close(&held[0]);
	ck_assert_msg(harness_poll(admitted, NULL, 5000),
	    "a connection closed, and the next one is still refused");
	get_on(&held[1], 200, "the other held connection, still served");
	harness_conn_close(&held[1]);
}
END_TEST

/*
 * The worker holding the client's one connection is killed: the master
 * takes the dead worker's share out of the count, so the client is
 * served again, by the new worker.
 */
START_TEST(test_max_connections_per_client_crash)
{
	struct harness_conn held, extra;
	pid_t w[MAX_PIDS];

	start_own(1, "max-connections-per-client = 1\n");
	wait_workers(1, w);
	hold(&held);
	ck_assert_int_eq(harness_conn_open(&extra, own.port), 0);
	get_on(&extra, 503, "a second connection");
	harness_conn_close(&extra);
	ck_assert_int_eq(kill(w[0], SIGKILL), 0);
	ck_assert_int_eq(wait_gone(w[0], 5000), 0);
	harness_conn_close(&held);
	ck_assert_msg(harness_poll(admitted, NULL, 5000),
	    "the dead worker's connection is still counted");
}
END_TEST

/* ---- descriptors --------------------------------------------------------- */

#define LEAK_FD 251

/*
 * Whether pid holds descriptor fd, or one open on path (as the kernel
 * names it); says which in why.
 */
static bool
holds_fd(pid_t pid, int fd, const char *path, char *why, size_t cap)
{
	char dir[64], link[PATH_MAX], target[PATH_MAX];
	struct dirent *e;
	bool found = false;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%ld/fd", (long)pid);
	d = opendir(dir);
	ck_assert_msg(d != NULL, "%s: %s", dir, strerror(errno));
	while (!found && (e = readdir(d)) != NULL) {
		ssize_t n;

		if (e->d_name[0] == '.')
			continue;
		snprintf(link, sizeof(link), "%s/%s", dir, e->d_name);
		n = readlink(link, target, sizeof(target) - 1);
		if (n < 0)
			continue;
		target[n] = '\0';
		if (atoi(e->d_name) == fd || strcmp(target, path) == 0) {
			snprintf(why, cap, "%s -> %s", link, target);
			found = true;
		}
	}
	closedir(d);
	return found;
}

/*
 * A descriptor the launcher leaked (here the test's own, open without
 * O_CLOEXEC at 251, as a shell's would be) is closed at start: neither
 * the master nor a worker holds it.
 */
START_TEST(test_leaked_fd_closed)
{
	char path[PATH_MAX], real[PATH_MAX], why[2 * PATH_MAX + 256];
	pid_t w[MAX_PIDS];
	int fd;

	ck_assert_int_eq(harness_write_file(&own, "leaked.txt", "x\n", path,
	    sizeof(path)), 0);
	ck_assert_ptr_nonnull(realpath(path, real));
	fd = open(real, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(dup2(fd, LEAK_FD), LEAK_FD);
	close(fd);
	/* The look can see it. */
	ck_assert(holds_fd(getpid(), LEAK_FD, real, why, sizeof(why)));

	start_own(1, NULL);
	wait_workers(1, w);
	close(LEAK_FD);
	ck_assert_msg(!holds_fd(own.pid, LEAK_FD, real, why, sizeof(why)),
	    "the master holds a leaked descriptor: %s", why);
	ck_assert_msg(!holds_fd(w[0], LEAK_FD, real, why, sizeof(why)),
	    "the worker holds a leaked descriptor: %s", why);
	assert_serving(own.port, "after closing what it inherited");
}
END_TEST

/* ---- 7. the adaptive pool ------------------------------------------------------ */

#define POOL_CLIENTS	6

START_TEST(test_adaptive_pool)
{
	const struct harness_conf c = { .workers_value = harness_no_workers,
	    .extra = "worker-connections = 1\nstart-workers = 2\nmin-spare = 1\nmax-spare = 2\n"
	    "max-workers = 8\n" };
	struct download d[POOL_CLIENTS];
	pid_t w[MAX_PIDS];
	int n, most = 0;
	int64_t t0, grown_ms = -1, all_ms = -1, shrunk_ms = -1;

	make_big_file((uint64_t)64 * 1024 * 1024);
	start_conf(0, &c);
	wait_workers(2, w);
	harness_sleep_ms(1500);
	n = live_workers(w);
	ck_assert_msg(n == 2, "start-workers = 2, idle: %d workers", n);

	/* 6 downloads that stall: 6 busy workers wanted, 1 spare */
	for (int i = 0; i < POOL_CLIENTS; i++)
		dl_start(&d[i], own.port, 16 * 1024);
	t0 = harness_now_ms();
	while (harness_now_ms() - t0 < 10000) {
		int served = 0;

		n = live_workers(w);
		if (n > most)
			most = n;
		if (n >= 5 && grown_ms < 0)
			grown_ms = harness_now_ms() - t0;
		for (int i = 0; i < POOL_CLIENTS; i++) {
			(void)dl_read(&d[i], 16 * 1024, 0);
			served += d[i].s.status == 200;
		}
		if (served == POOL_CLIENTS && all_ms < 0)
			all_ms = harness_now_ms() - t0;
		if (grown_ms >= 0 && all_ms >= 0 && (n >= POOL_CLIENTS + 1 ||
		    harness_now_ms() - t0 > all_ms + 1500))
			break;
		harness_sleep_ms(50);
	}
	fprintf(stderr, "check_lifecycle: adaptive pool: 5 workers after %lld "
	    "ms, all %d downloads served after %lld ms, at most %d workers\n",
	    (long long)grown_ms, POOL_CLIENTS, (long long)all_ms, most);
	ck_assert_msg(grown_ms >= 0 && grown_ms <= 6000, "under %d stalled "
	    "downloads the pool did not grow to 5 workers in 6 s (at most %d, "
	    "5 after %lld ms)", POOL_CLIENTS, most, (long long)grown_ms);
	ck_assert_msg(all_ms >= 0, "max-workers = 8, but %d concurrent "
	    "downloads were not all served within 10 s (at most %d workers)",
	    POOL_CLIENTS, most);
	ck_assert_msg(most <= 8, "max-workers = 8, but %d workers", most);
	for (int i = 0; i < POOL_CLIENTS; i++)
		dl_close(&d[i]);

	/* all idle now: one retired per second down to max-spare */
	t0 = harness_now_ms();
	while (harness_now_ms() - t0 < 12000) {
		n = live_workers(w);
		if (n <= 3) {
			shrunk_ms = harness_now_ms() - t0;
			break;
		}
		harness_sleep_ms(50);
	}
	ck_assert_msg(shrunk_ms >= 0, "12 s after the downloads ended the "
	    "pool still has %d workers (max-spare = 2)", n);
	if (most >= 6)
		ck_assert_msg(shrunk_ms >= 1500, "%d workers shrank to %d in "
		    "%lld ms: not one a second", most, n, (long long)shrunk_ms);
	harness_sleep_ms(1200);
	n = live_workers(w);
	ck_assert_msg(n >= 1 && n <= 3, "the pool settled at %d workers", n);
	assert_serving(own.port, "after the pool shrank");
}
END_TEST

/*
 * "Spawning doubles per second while short" (issue 4; Apache prefork's
 * idle_spawn_rate): with 6 stalled downloads and 2 workers the pool is
 * short at every tick until it has 7, and spawns 1, 2, then 4 (capped by
 * max-workers).  Told by the master's own account, one line per tick
 * ("started N more"): one a second would never start 2 in a tick.  The
 * wall clock only bounds the wait, generously (3 ticks are enough).
 */
START_TEST(test_adaptive_pool_doubles)
{
	const struct harness_conf c = { .workers_value = harness_no_workers,
	    .extra = "worker-connections = 1\nstart-workers = 2\nmin-spare = 1\nmax-spare = 2\n"
	    "max-workers = 8\n" };
	struct download d[POOL_CLIENTS];
	pid_t w[MAX_PIDS];
	int64_t t0, seven_ms = -1;
	char *line, *log;
	int n = 0;

	make_big_file((uint64_t)64 * 1024 * 1024);
	start_conf(0, &c);
	wait_workers(2, w);
	for (int i = 0; i < POOL_CLIENTS; i++)
		dl_start(&d[i], own.port, 16 * 1024);
	t0 = harness_now_ms();
	while (harness_now_ms() - t0 < 10000) {
		n = live_workers(w);
		if (n >= POOL_CLIENTS + 1) {
			seven_ms = harness_now_ms() - t0;
			break;
		}
		harness_sleep_ms(20);
	}
	ck_assert_msg(seven_ms >= 0, "6 stalled downloads, min-spare = 1: %d "
	    "workers after 10 s, want 7", n);
	line = expect_log(2000, 0, NEEDLES("started 1 more"));
	free(line);
	log = error_log();
	line = find_line(log, 0, NEEDLES("started 2 more"));
	ck_assert_msg(line != NULL, "the pool grew to %d workers, but never "
	    "by 2 in a tick (1, then 2, then 4):\n%s", n, log);
	free(line);
	free(log);
	for (int i = 0; i < POOL_CLIENTS; i++)
		dl_close(&d[i]);
}
END_TEST

/* ---- 8. max-requests-per-worker -------------------------------------------- */

START_TEST(test_max_requests_recycles)
{
	pid_t seen[MAX_PIDS], now[MAX_PIDS], first;
	int nseen = 0, first_change = 0, got;
	char *log, txt[512];
	struct harness_response r;

	start_own(1, "max-requests-per-worker = 20\n");
	wait_workers(1, now);
	first = now[0];
	seen[nseen++] = first;
	for (int i = 1; i <= 60; i++) {
		char what[64];

		snprintf(what, sizeof(what), "request %d of 60", i);
		assert_serving(own.port, what);
		got = live_workers(now);
		for (int k = 0; k < got; k++) {
			if (pid_in(now[k], seen, nseen) || nseen >= MAX_PIDS)
				continue;
			seen[nseen++] = now[k];
			if (first_change == 0)
				first_change = i;
		}
	}
	pids_text(seen, nseen, txt, sizeof(txt));
	ck_assert_msg(nseen >= 3, "60 requests with max-requests-per-worker = "
	    "20: workers seen %s, want at least 3", txt);
	/* 20 plus a jitter of at most 10 % (+1), and a respawn's moment */
	ck_assert_msg(first_change >= 20 && first_change <= 25, "the first "
	    "worker was replaced after %d requests, want 20 to 22",
	    first_change);
	log = error_log();
	ck_assert_msg(count_lines(log, "max-requests-per-worker") >= 2,
	    "error.log does not tell of two recyclings:\n%s", log);
	ck_assert_msg(strstr(log, "killed by") == NULL &&
	    strstr(log, "exited with status") == NULL,
	    "a recycled worker is logged as a crash:\n%s", log);
	free(log);
	/* the status page is off by default */
	ck_assert_int_eq(harness_request(own.port, "GET", "/server-status",
	    NULL, &r), 0);
	ck_assert_msg(r.status == 404, "GET /server-status without "
	    "status-path: %d", r.status);
	harness_response_free(&r);
}
END_TEST

/* ---- 9. the watchdog ----------------------------------------------------------- */

START_TEST(test_watchdog_stuck_worker)
{
	struct download d;
	pid_t w[MAX_PIDS], now[MAX_PIDS];
	int64_t t0, gone_ms = -1;
	char *line, *log;
	int got;

	make_big_file((uint64_t)64 * 1024 * 1024);
	/* request-timeout must exceed the I/O timeouts (config.c) */
	start_own(1, "request-timeout = 2\nheader-timeout = 1\n"
	    "body-timeout = 1\nsend-timeout = 1\n");
	wait_workers(1, w);

	/* slow but moving for 3.5 s: not stuck */
	dl_start(&d, own.port, 64 * 1024);
	t0 = harness_now_ms();
	while (harness_now_ms() - t0 < 3500 && !d.c.eof) {
		(void)dl_read(&d, 128 * 1024, 50);
		harness_sleep_ms(100);
	}
	ck_assert_msg(!d.c.eof && d.s.status == 200, "a slow download that "
	    "makes progress was cut after %llu bytes with request-timeout = 2",
	    (unsigned long long)d.s.body);
	dl_close(&d);
	ck_assert_int_eq(live_workers(now), 1);
	ck_assert_msg(now[0] == w[0], "the slow download's worker %ld was "
	    "replaced by %ld", (long)w[0], (long)now[0]);
	log = error_log();
	ck_assert_msg(strstr(log, "stuck") == NULL, "a slow download is taken "
	    "for a stuck worker:\n%s", log);
	free(log);

	/* hung: stopped in the middle of a response */
	dl_start(&d, own.port, 64 * 1024);
	dl_until(&d, 256 * 1024, 3000);
	ck_assert_int_eq(kill(w[0], SIGSTOP), 0);
	stopped_worker = w[0];
	t0 = harness_now_ms();
	while (harness_now_ms() - t0 < 14000) {
		(void)dl_read(&d, SIZE_MAX, 0);
		if (harness_pid_state(w[0]) == 0) {
			gone_ms = harness_now_ms() - t0;
			break;
		}
		harness_sleep_ms(50);
	}
	ck_assert_msg(gone_ms >= 0, "a worker stopped mid-response still "
	    "exists 14 s later with request-timeout = 2");
	stopped_worker = 0;
	/* TERM after 2 s does nothing to a stopped process; KILL 5 s later */
	ck_assert_msg(gone_ms >= 6000 && gone_ms <= 12000, "the stopped worker "
	    "was gone %lld ms after it stopped, want 2 s + 5 s",
	    (long long)gone_ms);
	line = expect_log(2000, w[0], NEEDLES("stuck",
	    "GET " BIG_PATH " HTTP/1.1"));
	free(line);
	line = expect_log(2000, w[0], NEEDLES("signal 9"));
	free(line);
	ck_assert_msg(wait_workers_new(1, w, 1, now, &got, 5000),
	    "no new worker after the watchdog killed %ld", (long)w[0]);
	dl_finish(&d, 2000);
	ck_assert(d.c.eof);
	dl_close(&d);
	assert_serving(own.port, "after the watchdog");
}
END_TEST

/* ---- 10. USR1 after a logrotate-style rename ------------------------------- */

struct access_wait {
	const char *file;
	const char *needle;
	int want;
	int got;
};

static bool
access_lines(void *arg)
{
	struct access_wait *a = arg;
	char *t = harness_read_file(&own, a->file, NULL);

	a->got = t ? count_lines(t, a->needle) : 0;
	free(t);
	return a->got >= a->want;
}

static void
get_with_agent(uint16_t port, const char *agent)
{
	struct harness_response r;
	char h[256];

	snprintf(h, sizeof(h), "User-Agent: %s\r\n", agent);
	ck_assert_int_eq(harness_request(port, "GET", "/a", h, &r), 0);
	ck_assert_int_eq(r.status, 200);
	harness_response_free(&r);
}

/* Does pid hold an open file named dir/name (as /proc/PID/fd shows it)? */
static bool
holds_file(pid_t pid, const char *dir, const char *name)
{
	char fddir[64], link[PATH_MAX + 64], target[PATH_MAX + 1];
	size_t dl = strlen(dir);
	struct dirent *e;
	bool found = false;
	DIR *d;

	snprintf(fddir, sizeof(fddir), "/proc/%ld/fd", (long)pid);
	if ((d = opendir(fddir)) == NULL)
		return false;
	while (!found && (e = readdir(d)) != NULL) {
		ssize_t n;

		snprintf(link, sizeof(link), "%s/%s", fddir, e->d_name);
		if ((n = readlink(link, target, sizeof(target) - 1)) <= 0)
			continue;
		target[n] = '\0';
		found = strncmp(target, dir, dl) == 0 && target[dl] == '/' &&
		    strcmp(target + dl + 1, name) == 0;
	}
	closedir(d);
	return found;
}

/*
 * Whether the master and every live worker have reopened their logs: none
 * holds access.log.1 or error.log.1 any more (a renamed file shows under
 * its new name in /proc/PID/fd).  The state itself, where a fixed wait
 * after USR1 would only guess it.
 */
static bool
logs_reopened(void *arg)
{
	pid_t pids[MAX_PIDS + 1];
	int n = live_workers(pids);

	(void)arg;
	pids[n++] = own.pid;
	for (int i = 0; i < n; i++)
		if (holds_file(pids[i], own.dir, "access.log.1") ||
		    holds_file(pids[i], own.dir, "error.log.1"))
			return false;
	return true;
}

/* The defaults of log-owner, log-group and log-mode: root, adm, 0640. */
static void
assert_owner(const char *name, uid_t uid, gid_t gid)
{
	char path[PATH_MAX + 32];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", own.dir, name);
	ck_assert_msg(stat(path, &st) == 0, "no %s after the reopen", path);
	ck_assert_msg(st.st_uid == uid && st.st_gid == gid &&
	    (st.st_mode & 07777) == 0640, "%s is %u:%u %04o, want %u:%u 0640 "
	    "(log-owner, log-group, log-mode)", name, (unsigned)st.st_uid,
	    (unsigned)st.st_gid, (unsigned)(st.st_mode & 07777),
	    (unsigned)uid, (unsigned)gid);
}

START_TEST(test_usr1_reopen_after_rename)
{
	struct access_wait aw;
	struct harness_conn ka;
	struct harness_response r;
	pid_t w[MAX_PIDS], now[MAX_PIDS];
	char before[64], after[64], agent[256], path[PATH_MAX + 32];
	char path1[PATH_MAX + 32], *old;
	const char *names[] = { "access.log", "error.log" };
	int got;

	snprintf(before, sizeof(before), "rotate-before-%ld", (long)getpid());
	snprintf(after, sizeof(after), "rotate-after-%ld", (long)getpid());
	/* 3: two in accept(), so the idle keep-alive one never yields */
	start_own(3, "keepalive-timeout = 10\n");
	wait_workers(3, w);
	get_with_agent(own.port, before);
	aw = (struct access_wait){ "access.log", before, 1, 0 };
	ck_assert_msg(harness_poll(access_lines, &aw, 5000),
	    "the first request is not in access.log");
	/* a keep-alive connection idle in a worker across the rotation */
	ck_assert_int_eq(harness_conn_open(&ka, own.port), 0);
	snprintf(agent, sizeof(agent), "GET /a HTTP/1.1\r\nHost: t\r\n"
	    "User-Agent: %s-ka\r\n\r\n", before);
	ck_assert_int_eq(harness_conn_sendstr(&ka, agent), 0);
	ck_assert_int_eq(harness_conn_read_response(&ka, false, &r, 5000), 0);
	harness_response_free(&r);

	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s", own.dir, names[i]);
		snprintf(path1, sizeof(path1), "%s/%s.1", own.dir, names[i]);
		ck_assert_int_eq(rename(path, path1), 0);
	}
	ck_assert_msg(holds_file(w[0], own.dir, "access.log.1"), "worker %ld "
	    "does not hold the renamed access.log: /proc cannot tell a reopen",
	    (long)w[0]);
	ck_assert_int_eq(kill(own.pid, SIGUSR1), 0);
	ck_assert_msg(harness_poll(logs_reopened, NULL, 5000), "5 s after "
	    "USR1 the master or a worker still holds a renamed log");

	for (int i = 0; i < 10; i++) {
		snprintf(agent, sizeof(agent), "%s-%d", after, i);
		get_with_agent(own.port, agent);
	}
	snprintf(agent, sizeof(agent), "GET /a HTTP/1.1\r\nHost: t\r\n"
	    "User-Agent: %s-ka\r\nConnection: close\r\n\r\n", after);
	ck_assert_int_eq(harness_conn_sendstr(&ka, agent), 0);
	ck_assert_msg(harness_conn_read_response(&ka, false, &r, 5000) == 0 &&
	    r.status == 200, "the keep-alive connection idle across USR1 was "
	    "not answered");
	harness_response_free(&r);
	harness_conn_close(&ka);

	aw = (struct access_wait){ "access.log", after, 11, 0 };
	if (!harness_poll(access_lines, &aw, 5000)) {
		char *t = harness_read_file(&own, "access.log", NULL);

		ck_abort_msg("the new access.log has %d of the 11 requests made "
		    "after USR1:\n%s", aw.got, t ? t : "(no access.log)");
	}
	old = harness_read_file(&own, "access.log.1", NULL);
	ck_assert_msg(old != NULL && count_lines(old, before) == 2,
	    "the renamed access.log lost its lines:\n%s", old ? old : "");
	ck_assert_msg(strstr(old, after) == NULL, "requests made after USR1 "
	    "went to the renamed access.log:\n%s", old);
	free(old);
	snprintf(path, sizeof(path), "%s/error.log", own.dir);
	ck_assert_msg(file_exists(path), "USR1 did not create a new error.log");
	if (geteuid() == 0) {
		/* The workers run as nobody and could not have made these:
		 * they took the master's descriptors. */
		struct group *gr = getgrnam("adm");
		gid_t gid = gr != NULL ? gr->gr_gid : 0;

		assert_owner("access.log", 0, gid);
		assert_owner("error.log", 0, gid);
	}
	/* USR1 does not restart anybody */
	got = live_workers(now);
	ck_assert_msg(got == 3 && pid_in(w[0], now, got) &&
	    pid_in(w[1], now, got) && pid_in(w[2], now, got),
	    "USR1 replaced workers");
}
END_TEST

/* ---- 11. the pid file lock --------------------------------------------------- */

START_TEST(test_pidfile_lock)
{
	const char *args[] = { "-n", "-f", own.conf, NULL };
	char *out = NULL, *err = NULL, stale[32], path[PATH_MAX + 32];
	int st;

	start_own(1, NULL);
	ck_assert_int_eq(pidfile_pid(), (long)own.pid);
	st = harness_run(&own, args, 5000, &out, &err);
	ck_assert_msg(exit_code(st) == 1, "a second instance on the same pid "
	    "file: status 0x%x, want exit 1\nstderr: %s", (unsigned)st,
	    err ? err : "");
	ck_assert_msg(err != NULL && strstr(err, "already running") != NULL,
	    "the second instance does not say \"already running\":\n%s",
	    err ? err : "");
	free(out);
	free(err);
	ck_assert_msg(!harness_wait_exit(&own, 0), "the first instance died");
	ck_assert_int_eq(pidfile_pid(), (long)own.pid);
	assert_serving(own.port, "with a second instance refused");

	/* a stale file: a live pid (ours), but nobody holds the lock */
	ck_assert(harness_stop(&own));
	pidfile_path(path, sizeof(path));
	ck_assert_msg(!file_exists(path), "pid file left after TERM");
	snprintf(stale, sizeof(stale), "%ld\n", (long)getpid());
	ck_assert_int_eq(harness_write_data(&own, "forkhttpd.pid", stale,
	    strlen(stale)), 0);
	start_own(1, NULL);
	ck_assert_msg(pidfile_pid() == (long)own.pid, "pid file holds %ld, "
	    "want the new master %ld", pidfile_pid(), (long)own.pid);
	assert_serving(own.port, "started over a stale pid file");
}
END_TEST

/* ---- 12. forkhttpd -s ---------------------------------------------------------- */

START_TEST(test_control_commands)
{
	struct access_wait aw;
	char *out, *err, path[PATH_MAX + 32], agent[64];
	char log[PATH_MAX + 32], log1[PATH_MAX + 32];
	int rc;

	pidfile_path(path, sizeof(path));

	/* reopen */
	start_own(1, NULL);
	snprintf(log, sizeof(log), "%s/access.log", own.dir);
	snprintf(log1, sizeof(log1), "%s/access.log.1", own.dir);
	ck_assert_int_eq(rename(log, log1), 0);
	rc = control("reopen", &out, &err);
	ck_assert_msg(rc == 0, "-s reopen: exit %d\nstderr: %s", rc, err);
	free(out);
	free(err);
	/* -s reopen does not wait: the worker's fds tell when it is done. */
	ck_assert_msg(harness_poll(logs_reopened, NULL, 5000), "5 s after "
	    "-s reopen the master or its worker still holds access.log.1");
	snprintf(agent, sizeof(agent), "after-reopen-%ld", (long)getpid());
	get_with_agent(own.port, agent);
	aw = (struct access_wait){ "access.log", agent, 1, 0 };
	ck_assert_msg(harness_poll(access_lines, &aw, 5000), "-s reopen: the "
	    "request is not in the new access.log");

	/* stop */
	rc = control("stop", &out, &err);
	ck_assert_msg(rc == 0, "-s stop: exit %d\nstderr: %s", rc, err);
	free(out);
	free(err);
	ck_assert_msg(harness_wait_exit(&own, 2000), "the master runs after "
	    "-s stop returned");
	ck_assert_msg(WIFEXITED(own.exit_status) &&
	    WEXITSTATUS(own.exit_status) == 0, "master exit status 0x%x after "
	    "-s stop", (unsigned)own.exit_status);
	ck_assert_msg(!file_exists(path), "pid file left after -s stop");

	/* quit */
	start_own(1, NULL);
	rc = control("quit", &out, &err);
	ck_assert_msg(rc == 0, "-s quit: exit %d\nstderr: %s", rc, err);
	free(out);
	free(err);
	ck_assert_msg(harness_wait_exit(&own, 2000), "the master runs after "
	    "-s quit returned");
	ck_assert_msg(WIFEXITED(own.exit_status) &&
	    WEXITSTATUS(own.exit_status) == 0, "master exit status 0x%x after "
	    "-s quit", (unsigned)own.exit_status);
	ck_assert_msg(!file_exists(path), "pid file left after -s quit");
	own.pid = 0;

	/* nothing runs now */
	rc = control("reload", &out, &err);
	ck_assert_msg(rc == 1, "-s reload with no server: exit %d, want 1", rc);
	ck_assert_msg(strstr(err, "not running") != NULL, "-s reload with no "
	    "server does not say \"not running\":\n%s", err);
	free(out);
	free(err);
	rc = control("restart", &out, &err);
	ck_assert_msg(rc == 1, "-s restart (no such command): exit %d, want 1",
	    rc);
	free(out);
	free(err);
}
END_TEST

/* ---- 13. the status page ------------------------------------------------------- */

/* A strict check of RFC 8259 JSON, enough to tell a broken page. */
struct json {
	const char *p;
	int depth;
};

static bool json_value(struct json *j);

static void
json_ws(struct json *j)
{
	while (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')
		j->p++;
}

static bool
json_string(struct json *j)
{
	if (*j->p != '"')
		return false;
	for (j->p++; *j->p != '"'; j->p++) {
		if ((unsigned char)*j->p < 0x20)
			return false;
		if (*j->p == '\\') {
			j->p++;
			if (*j->p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (!isxdigit((unsigned char)j->p[i]))
						return false;
				j->p += 4;
			} else if (strchr("\"\\/bfnrt", *j->p) == NULL ||
			    *j->p == '\0') {
				return false;
			}
		}
	}
	j->p++;
	return true;
}

static bool
json_number(struct json *j)
{
	const char *s = j->p;

	if (*j->p == '-')
		j->p++;
	if (*j->p == '0')
		j->p++;
	else if (isdigit((unsigned char)*j->p))
		while (isdigit((unsigned char)*j->p))
			j->p++;
	else
		return false;
	if (*j->p == '.') {
		j->p++;
		if (!isdigit((unsigned char)*j->p))
			return false;
		while (isdigit((unsigned char)*j->p))
			j->p++;
	}
	if (*j->p == 'e' || *j->p == 'E') {
		j->p++;
		if (*j->p == '+' || *j->p == '-')
			j->p++;
		if (!isdigit((unsigned char)*j->p))
			return false;
		while (isdigit((unsigned char)*j->p))
			j->p++;
	}
	return j->p > s;
}

static bool
json_list(struct json *j, char close, bool object)
{
	j->p++;
	json_ws(j);
	if (*j->p == close) {
		j->p++;
		return true;
	}
	for (;;) {
		json_ws(j);
		if (object) {
			if (!json_string(j))
				return false;
			json_ws(j);
			if (*j->p++ != ':')
				return false;
		}
		if (!json_value(j))
			return false;
		json_ws(j);
		if (*j->p == close) {
			j->p++;
			return true;
		}
		if (*j->p++ != ',')
			return false;
	}
}

static bool
json_value(struct json *j)
{
	bool ok;

	json_ws(j);
	if (++j->depth > 64)
		return false;
	switch (*j->p) {
	case '{':
		ok = json_list(j, '}', true);
		break;
	case '[':
		ok = json_list(j, ']', false);
		break;
	case '"':
		ok = json_string(j);
		break;
	case 't':
		ok = strncmp(j->p, "true", 4) == 0 && (j->p += 4);
		break;
	case 'f':
		ok = strncmp(j->p, "false", 5) == 0 && (j->p += 5);
		break;
	case 'n':
		ok = strncmp(j->p, "null", 4) == 0 && (j->p += 4);
		break;
	default:
		ok = json_number(j);
		break;
	}
	j->depth--;
	return ok;
}

/* text[0..len) is one JSON value (RFC 8259 §2), nothing after it. */
static bool
json_valid(const char *text, size_t len)
{
	struct json j = { text, 0 };

	if (strlen(text) != len || !json_value(&j))
		return false;
	json_ws(&j);
	return *j.p == '\0';
}

/* Does the JSON text have "key": value (a number) somewhere? */
static bool
json_has(const char *text, const char *key, long value)
{
	char re[128];
	regex_t rx;
	bool ok;

	snprintf(re, sizeof(re), "\"%s\"[[:space:]]*:[[:space:]]*%ld"
	    "([^0-9]|$)", key, value);
	ck_assert_int_eq(regcomp(&rx, re, REG_EXTENDED), 0);
	ok = regexec(&rx, text, 0, NULL, 0) == 0;
	regfree(&rx);
	return ok;
}

static void
status_get(const char *path, struct harness_response *r)
{
	ck_assert_msg(harness_request(own.port, "GET", path, NULL, r) == 0,
	    "GET %s: no complete response", path);
}

/* The page shows generation gen and every pid of w[0..n). */
static void
assert_status_page(const pid_t *w, int n, unsigned gen)
{
	struct harness_response r;
	char v[256];

	status_get("/server-status", &r);
	ck_assert_msg(r.status == 200, "GET /server-status: %d:\n%s", r.status,
	    r.head);
	ck_assert_msg(harness_header(&r, "Content-Type", v, sizeof(v)) &&
	    strncasecmp(v, "text/html", 9) == 0, "status page: Content-Type "
	    "\"%s\"", v);
	ck_assert_msg(r.content_length == (long long)r.body_len &&
	    strcasestr(r.body, "<html") != NULL, "status page: not an HTML "
	    "page of Content-Length bytes:\n%.300s", r.body);
	for (int i = 0; i < n; i++)
		ck_assert_msg(has_pid(r.body, r.body_len, w[i]), "the HTML "
		    "status page does not show worker %ld:\n%s", (long)w[i],
		    r.body);
	harness_response_free(&r);

	status_get("/server-status?json", &r);
	ck_assert_msg(r.status == 200, "GET /server-status?json: %d", r.status);
	ck_assert_msg(harness_header(&r, "Content-Type", v, sizeof(v)) &&
	    strncasecmp(v, "application/json", 16) == 0, "?json: Content-Type "
	    "\"%s\"", v);
	ck_assert_msg(json_valid(r.body, r.body_len), "?json is not valid "
	    "JSON:\n%s", r.body);
	ck_assert_msg(json_has(r.body, "generation", (long)gen), "?json does "
	    "not say \"generation\": %u:\n%s", gen, r.body);
	for (int i = 0; i < n; i++)
		ck_assert_msg(json_has(r.body, "pid", (long)w[i]), "?json has no "
		    "row with \"pid\": %ld:\n%s", (long)w[i], r.body);
	/*
	 * status.h: "never cached".  A 200 without validators is still
	 * heuristically cacheable (RFC 9111 §4.2.2); only Cache-Control
	 * says never.
	 */
	ck_assert_msg(harness_header(&r, "Cache-Control", v, sizeof(v)) &&
	    (strcasestr(v, "no-store") || strcasestr(v, "no-cache")),
	    "the status page may be cached (RFC 9111 4.2.2: a 200 is "
	    "heuristically cacheable without Cache-Control):\n%s", r.head);
	harness_response_free(&r);
}

START_TEST(test_status_page)
{
	pid_t gen1[MAX_PIDS], gen2[MAX_PIDS];
	struct harness_response r;
	char *line;
	int got;

	start_own(2, "status-path = \"/server-status\"\n");
	wait_workers(2, gen1);
	assert_status_page(gen1, 2, 1);

	/* a reload shows on the page */
	ck_assert_int_eq(kill(own.pid, SIGHUP), 0);
	line = expect_log(5000, 0, NEEDLES("reloaded: generation 2"));
	free(line);
	ck_assert_msg(wait_workers_new(2, gen1, 2, gen2, &got, 5000),
	    "generation 2: %d workers", got);
	assert_status_page(gen2, 2, 2);

	/* loopback is no longer let in */
	rewrite_conf(own.port, 2, NULL, "status-path = \"/server-status\"\n"
	    "status-allow = { \"10.0.0.0/8\" }\n");
	ck_assert_int_eq(kill(own.pid, SIGHUP), 0);
	line = expect_log(5000, 0, NEEDLES("reloaded: generation 3"));
	free(line);
	ck_assert_msg(wait_workers_new(2, gen2, 2, gen1, &got, 5000),
	    "generation 3: %d workers", got);
	status_get("/server-status", &r);
	ck_assert_msg(r.status == 403, "status-allow = 10.0.0.0/8, from "
	    "127.0.0.1: %d, want 403", r.status);
	ck_assert_msg(!has_pid(r.body, r.body_len, gen1[0]), "the 403 shows "
	    "a worker pid");
	harness_response_free(&r);
	status_get("/server-status?json", &r);
	ck_assert_msg(r.status == 403, "?json from outside status-allow: %d",
	    r.status);
	harness_response_free(&r);
	assert_serving(own.port, "next to a forbidden status page");
}
END_TEST

/*
 * The page counts the idle keep-alive connections a worker holds: one
 * worker, three connections left idle after a request each, then the
 * page on a fourth (served by the same worker, so not idle itself).
 * After they close, the count goes back to 0.
 */
START_TEST(test_status_idle_connections)
{
	struct harness_conn ka[3];
	struct harness_response r;

	start_own(1, "status-path = \"/server-status\"\n"
	    "keepalive-timeout = 30\n");
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(harness_conn_open(&ka[i], own.port), 0);
		ck_assert_int_eq(harness_conn_sendstr(&ka[i],
		    "GET /a HTTP/1.1\r\nHost: t\r\n\r\n"), 0);
		ck_assert_int_eq(harness_conn_read_response(&ka[i], false, &r,
		    5000), 0);
		harness_response_free(&r);
	}
	status_get("/server-status?json", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_msg(json_has(r.body, "idle_connections", 3), "?json does "
	    "not count 3 idle connections:\n%s", r.body);
	harness_response_free(&r);

	for (int i = 0; i < 3; i++)
		harness_conn_close(&ka[i]);
	/* The worker sees each end of stream as a readable connection. */
	for (int64_t end = harness_now_ms() + 5000;;) {
		status_get("/server-status?json", &r);
		if (json_has(r.body, "idle_connections", 0))
			break;
		harness_response_free(&r);
		r.body = NULL;
		if (harness_now_ms() >= end)
			break;
		harness_sleep_ms(20);
	}
	ck_assert_msg(r.body != NULL, "idle_connections never went back "
	    "to 0");
	harness_response_free(&r);
}
END_TEST

/* ---- suite ---------------------------------------------------------------- */

static TCase *
tcase(Suite *s, const char *name, int timeout_s)
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, scratch_setup, own_teardown);
	tcase_set_timeout(tc, timeout_s);
	suite_add_tcase(s, tc);
	return tc;
}

static Suite *
lifecycle_suite(void)
{
	Suite *s = suite_create("lifecycle");
	TCase *tc;

	tc = tcase(s, "reload", 40);
	tcase_add_test(tc, test_reload_under_load);
	tcase_add_test(tc, test_reload_control_and_broken_conf);
	tcase_add_test(tc, test_reload_listen_and_workers);

	tc = tcase(s, "old-generation", 40);
	tcase_add_test(tc, test_reload_old_generation_deadline);
	tcase_add_test(tc, test_retiring_worker_bounded);

	tc = tcase(s, "crashes", 40);
	tcase_add_loop_test(tc, test_kill_worker_mid_download, 0, 2);
	tcase_add_test(tc, test_crash_loop_backoff);
	tcase_add_test(tc, test_watchdog_stuck_worker);

	tc = tcase(s, "stop", 40);
	tcase_add_loop_test(tc, test_quit_finishes_download, 0, 2);
	tcase_add_test(tc, test_quit_shutdown_timeout);
	tcase_add_test(tc, test_term_logs_no_error);

	tc = tcase(s, "pool", 40);
	tcase_add_test(tc, test_adaptive_pool);
	tcase_add_test(tc, test_adaptive_pool_doubles);
	tcase_add_test(tc, test_max_requests_recycles);

	tc = tcase(s, "control", 40);
	tcase_add_test(tc, test_usr1_reopen_after_rename);
	tcase_add_test(tc, test_pidfile_lock);
	tcase_add_test(tc, test_control_commands);
	tcase_add_test(tc, test_leaked_fd_closed);

	tc = tcase(s, "per-client", 40);
	tcase_add_test(tc, test_max_connections_per_client);
	tcase_add_test(tc, test_max_connections_per_client_crash);

	tc = tcase(s, "status", 40);
	tcase_add_test(tc, test_status_page);
	tcase_add_test(tc, test_status_idle_connections);

	return s;
}

int
main(void)
{
	return harness_main("check_lifecycle", lifecycle_suite);
}
