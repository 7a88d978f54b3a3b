/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_hostile.c - a client that misbehaves must cost only its own
 * connection.  With one worker and 16 connections that send nothing,
 * trickle their header or their body a byte a second, or never read the
 * downloads they asked for (pipelined, or one multipart range), a fresh
 * client is still answered in full within a second, every 200 ms for
 * 3 s.  And keep-alive clients see no error, not one, while the master
 * reloads ten times under them.
 *
 * The limits stay the defaults (worker-connections 512, header-timeout
 * 20 s, body-timeout 30 s, send-timeout 60 s), all far beyond a test:
 * so every misbehaving connection is still open when the probes end
 * (checked), and no deadline of the server's rescues a probe.
 *
 * Every test starts its own server (127.0.0.1, an ephemeral port) and is
 * bounded in time: about 4 s for a misbehaviour, 12 s for the reloads.
 * FORKHTTPD_HOSTILE_CLIENTS=N replaces the 16 misbehaving clients by N
 * (at most HOSTILE_MAX); with 0 every test must pass on any working
 * server, which tests the tests.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "../lib/harness.h"

#define HOSTILE_CLIENTS		16	/* misbehaving connections per test */
#define HOSTILE_MAX		64
#define TRICKLE_EVERY_MS	1000	/* one byte per client this often */

#define PROBE_FOR_MS		3000	/* probing goes on this long */
#define PROBE_EVERY_MS		200	/* a probe starts this often */
#define PROBE_LIMIT_MS		1000	/* connect to last body byte */
#define PROBE_PATH		"/one-k.txt"
#define PROBE_REQUEST		"GET " PROBE_PATH " HTTP/1.1\r\nHost: x\r\n" \
				"Connection: close\r\n\r\n"

#define BIG_PATH		"/big.bin"
#define BIG_SIZE		(4 * 1024 * 1024)
#define SMALL_RCVBUF		4096	/* fills after a few KiB unread */
#define BIG_GET			"GET " BIG_PATH " HTTP/1.1\r\nHost: x\r\n\r\n"

/* The server of the running test (checked fixture). */
static struct harness_server own;

/* ---- misbehaving clients ------------------------------------------------- */

/* What a kind of misbehaving client sends, and how. */
struct hostile_kind {
	const char *what;	/* for messages */
	int rcvbuf;		/* SO_RCVBUF, 0: the default */
	const char *opening;	/* sent at once after connecting, or NULL */
	const char *trickle;	/* then one byte a second, or NULL */
};

enum {
	HOSTILE_SILENT,
	HOSTILE_HEADER,
	HOSTILE_BODY,
	HOSTILE_PIPELINED,
	HOSTILE_MULTIPART
};

/*
 * The trickled texts are longer than a test lasts in seconds, so no
 * request is ever complete: what the server holds is always a request
 * in progress.
 */
static const struct hostile_kind kinds[] = {
	[HOSTILE_SILENT] = { "silent", 0, NULL, NULL },
	[HOSTILE_HEADER] = { "header-trickling", 0, NULL,
	    "GET " PROBE_PATH " HTTP/1.1\r\nHost: x\r\n"
	    "X-Trickle: one byte a second, for longer than any test\r\n\r\n" },
	/*
	 * A GET with a body: the server reads and drops a body whatever the
	 * method, and a GET of a file goes through routing without an
	 * error that would close the connection early.
	 */
	[HOSTILE_BODY] = { "body-trickling", 0,
	    "GET " PROBE_PATH " HTTP/1.1\r\nHost: x\r\n"
	    "Content-Length: 100000\r\n\r\n",
	    "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnop" },
	[HOSTILE_PIPELINED] = { "never-reading pipelining", SMALL_RCVBUF,
	    BIG_GET BIG_GET BIG_GET BIG_GET BIG_GET BIG_GET BIG_GET BIG_GET,
	    NULL },
	/* two parts, so a multipart/byteranges body of 4 MiB */
	[HOSTILE_MULTIPART] = { "never-reading multipart", SMALL_RCVBUF,
	    "GET " BIG_PATH " HTTP/1.1\r\nHost: x\r\n"
	    "Range: bytes=0-0,2-4194303\r\n\r\n", NULL },
};

/*
 * The misbehaving connections of a test, and the thread that trickles
 * into them.  Static so that the teardown can close what a failed test
 * left open.
 */
static struct hostile {
	const struct hostile_kind *kind;
	int n;
	int fd[HOSTILE_MAX];
	size_t sent;		/* bytes of kind->trickle sent to each */
	unsigned send_errors;	/* trickled sends the kernel refused */
	int stop[2];		/* closing stop[1] ends the trickler */
	pthread_t thread;
	bool trickling;
} hostile = { .n = 0, .stop = { -1, -1 } };

static int
hostile_count(void)
{
	const char *v = getenv("FORKHTTPD_HOSTILE_CLIENTS");
	long n;

	if (v == NULL || *v == '\0')
		return HOSTILE_CLIENTS;
	n = strtol(v, NULL, 10);
	return n < 0 ? 0 : n > HOSTILE_MAX ? HOSTILE_MAX : (int)n;
}

/*
 * Sends the next byte of the trickle to every client each
 * TRICKLE_EVERY_MS, the first at once, until stop[1] is closed.  A send
 * never waits: a byte the kernel will not take is counted and lost.
 */
static void *
hostile_trickler(void *arg)
{
	struct hostile *h = arg;
	size_t len = strlen(h->kind->trickle);
	int64_t next = harness_now_ms();

	for (;;) {
		struct pollfd p = { h->stop[0], POLLIN, 0 };
		int64_t wait = next - harness_now_ms();
		int rc = poll(&p, 1, wait > 0 ? (int)wait : 0);

		if (rc == -1 && errno == EINTR)
			continue;
		if (rc != 0)
			return NULL;
		if (h->sent >= len)
			return NULL;
		for (int i = 0; i < h->n; i++)
			if (send(h->fd[i], h->kind->trickle + h->sent, 1,
			    MSG_NOSIGNAL | MSG_DONTWAIT) != 1)
				h->send_errors++;
		h->sent++;
		next += TRICKLE_EVERY_MS;
	}
}

/*
 * Opens n clients of kind k to port, sends each its opening and starts
 * the trickler.  Returns 0, or -1 with the reason in why.
 */
static int
hostile_open(const struct hostile_kind *k, int n, uint16_t port, char *why,
    size_t cap)
{
	struct hostile *h = &hostile;
	int rc;

	h->kind = k;
	h->n = 0;
	h->sent = 0;
	h->send_errors = 0;
	h->trickling = false;
	for (int i = 0; i < n; i++) {
		int fd = harness_connect_rcvbuf(port, HARNESS_IO_TIMEOUT_MS,
		    k->rcvbuf);

		if (fd == -1) {
			snprintf(why, cap, "cannot connect %s client %d: %s",
			    k->what, i + 1, strerror(errno));
			return -1;
		}
		h->fd[h->n++] = fd;
		/* a few hundred bytes: a new socket's buffer takes them */
		if (k->opening != NULL && send(fd, k->opening,
		    strlen(k->opening), MSG_NOSIGNAL | MSG_DONTWAIT) !=
		    (ssize_t)strlen(k->opening)) {
			snprintf(why, cap, "cannot send the opening of %s "
			    "client %d: %s", k->what, i + 1, strerror(errno));
			return -1;
		}
	}
	if (k->trickle == NULL)
		return 0;
	if (pipe2(h->stop, O_CLOEXEC) == -1) {
		snprintf(why, cap, "pipe2: %s", strerror(errno));
		return -1;
	}
	if ((rc = pthread_create(&h->thread, NULL, hostile_trickler, h)) != 0) {
		snprintf(why, cap, "cannot start the trickler: %s",
		    strerror(rc));
		return -1;
	}
	h->trickling = true;
	return 0;
}

/* Ends the trickler, if it runs; the connections stay open. */
static void
hostile_stop_trickling(void)
{
	struct hostile *h = &hostile;

	if (h->trickling) {
		close(h->stop[1]);
		h->stop[1] = -1;
		pthread_join(h->thread, NULL);
		h->trickling = false;
	}
	if (h->stop[0] != -1)
		close(h->stop[0]);
	if (h->stop[1] != -1)
		close(h->stop[1]);
	h->stop[0] = h->stop[1] = -1;
}

/*
 * How many of the connections the server has closed or reset (a FIN or
 * an error is there, whatever unread bytes come before it).
 */
static int
hostile_dropped(void)
{
	int dropped = 0;

	for (int i = 0; i < hostile.n; i++) {
		struct pollfd p = { hostile.fd[i], POLLRDHUP, 0 };

		if (poll(&p, 1, 0) == 1 &&
		    (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0)
			dropped++;
	}
	return dropped;
}

static void
hostile_close(void)
{
	hostile_stop_trickling();
	for (int i = 0; i < hostile.n; i++)
		close(hostile.fd[i]);
	hostile.n = 0;
}

/* ---- probes -------------------------------------------------------------- */

struct probes {
	int done;
	struct harness_failures fail;
	int64_t slowest_ms;	/* of the answered ones, -1: none */
};

/* "after N ms: M bytes, closed, reset" for a probe's message. */
static void
probe_state(const struct harness_conn *c, int64_t took, char *out,
    size_t cap)
{
	snprintf(out, cap, "after %lld ms: %zu bytes%s%s%s%.40s%s",
	    (long long)took, c->in.len, c->eof ? ", closed" : "",
	    c->reset ? ", reset" : "", c->in.len ? " \"" : "", c->in.data,
	    c->in.len ? "\"" : "");
}

/*
 * One GET of PROBE_PATH on a new connection, from connect() to the last
 * body byte within PROBE_LIMIT_MS.  Returns true for a complete 200 with
 * the file's bytes; otherwise why says what came, and when.
 */
static bool
probe_once(uint16_t port, const char *want, int64_t *took, char *why,
    size_t cap)
{
	int64_t t0 = harness_now_ms(), left;
	struct harness_conn c;
	struct harness_response r;
	char state[160];
	int rc = -1;

	memset(&r, 0, sizeof(r));
	c.eof = c.reset = false;
	harness_buf_init(&c.in);
	c.fd = harness_connect(port, PROBE_LIMIT_MS);
	if (c.fd == -1) {
		*took = harness_now_ms() - t0;
		snprintf(why, cap, "cannot connect within %d ms: %s",
		    PROBE_LIMIT_MS, strerror(errno));
		harness_conn_close(&c);
		return false;
	}
	if (harness_conn_sendstr(&c, PROBE_REQUEST) == 0) {
		left = t0 + PROBE_LIMIT_MS - harness_now_ms();
		rc = harness_conn_read_response(&c, false, &r,
		    left > 0 ? (int)left : 0);
	}
	*took = harness_now_ms() - t0;
	probe_state(&c, *took, state, sizeof(state));
	if (rc != 0)
		snprintf(why, cap, "no complete response within %d ms (%s)",
		    PROBE_LIMIT_MS, state);
	else if (r.status != 200 || r.body_len != HARNESS_ONE_K_SIZE ||
	    memcmp(r.body, want, HARNESS_ONE_K_SIZE) != 0)
		snprintf(why, cap, "status %d, %zu body bytes, not the 200 "
		    "with the file", r.status, r.body_len);
	else if (*took > PROBE_LIMIT_MS)
		snprintf(why, cap, "complete only after %lld ms",
		    (long long)*took);
	else
		rc = 1;
	harness_response_free(&r);
	harness_conn_close(&c);
	return rc == 1;
}

/*
 * A probe every PROBE_EVERY_MS for PROBE_FOR_MS (one at a time: a slow
 * one delays the next).  Every probe runs, whatever the ones before
 * did, so the count of failures says how bad it is.
 */
static void
probe_for(uint16_t port, const char *want, struct probes *p)
{
	int64_t start = harness_now_ms(), next = start;

	memset(p, 0, sizeof(*p));
	p->slowest_ms = -1;
	while (next < start + PROBE_FOR_MS) {
		int64_t now = harness_now_ms(), took;
		char why[200];

		if (next > now)
			harness_sleep_ms((int)(next - now));
		next = harness_now_ms() + PROBE_EVERY_MS;
		p->done++;
		if (probe_once(port, want, &took, why, sizeof(why))) {
			if (took > p->slowest_ms)
				p->slowest_ms = took;
		} else {
			harness_fail(&p->fail, "probe %d, %lld ms into "
			    "probing: %s", p->done,
			    (long long)(next - PROBE_EVERY_MS - start), why);
		}
	}
}

/* ---- fixtures ------------------------------------------------------------ */

static void
scratch_setup(void)
{
	hostile.n = 0;
	hostile.stop[0] = hostile.stop[1] = -1;
	hostile.trickling = false;
	ck_assert_msg(harness_setup(&own) == 0, "cannot create scratch dir");
}

static void
own_teardown(void)
{
	bool ok = true;

	hostile_close();
	if (own.pid > 0 && !own.exited)
		ok = harness_stop(&own);
	harness_cleanup(&own, !ok);
}

static void
start_server(unsigned workers)
{
	ck_assert_msg(harness_start(&own, workers, NULL) == 0,
	    "cannot start %s (see %s)", harness_bin(), own.dir);
}

/* The bytes of PROBE_PATH as the server must send them (owned). */
static char *
probe_content(void)
{
	size_t len;
	char *t = harness_read_file(&own, "docroot" PROBE_PATH, &len);

	ck_assert_msg(t != NULL && len == HARNESS_ONE_K_SIZE,
	    "cannot read docroot%s", PROBE_PATH);
	return t;
}

/* ---- the misbehaviours --------------------------------------------------- */

/*
 * One worker, n clients of kind k, then the probes; every probe must
 * have been answered in time, and every misbehaving connection must
 * still be open (else the server did not face what the test says).
 */
static void
assert_probes_with(const struct hostile_kind *k)
{
	int n = hostile_count(), dropped, open_rc;
	struct probes p;
	char why[256];
	char *want;

	memset(&p, 0, sizeof(p));
	ck_assert_msg(harness_make_big_file(&own, "docroot" BIG_PATH,
	    BIG_SIZE) == 0, "cannot create %s in %s", BIG_PATH, own.dir);
	start_server(1);
	want = probe_content();
	open_rc = hostile_open(k, n, own.port, why, sizeof(why));
	if (open_rc == 0)
		probe_for(own.port, want, &p);
	hostile_stop_trickling();
	dropped = hostile_dropped();
	free(want);
	ck_assert_msg(open_rc == 0, "%s", why);
	fprintf(stderr, "check_hostile: %d %s clients: %d probes, %u failed, "
	    "slowest answered %lld ms (-1: none); %zu bytes trickled to each, "
	    "%u sends refused, %d connections dropped by the server\n", n,
	    k->what, p.done, p.fail.n, (long long)p.slowest_ms, hostile.sent,
	    hostile.send_errors, dropped);
	ck_assert_msg(p.fail.n == 0, "one worker with %d %s clients: %u of "
	    "%d probes (GET %s on a new connection, every %d ms for %d ms) "
	    "not answered in full within %d ms; the first: %s", n, k->what,
	    p.fail.n, p.done, PROBE_PATH, PROBE_EVERY_MS, PROBE_FOR_MS,
	    PROBE_LIMIT_MS, p.fail.first);
	ck_assert_msg(dropped == 0, "the server closed %d of %d %s clients "
	    "within the test, long before any of its deadlines: the probes "
	    "did not meet the misbehaviour", dropped, n, k->what);
	hostile_close();
}

/* a. Connections that send nothing at all. */
START_TEST(test_silent_clients)
{
	assert_probes_with(&kinds[HOSTILE_SILENT]);
}
END_TEST

/* b. A header block trickled one byte a second (slowloris). */
START_TEST(test_header_trickle)
{
	assert_probes_with(&kinds[HOSTILE_HEADER]);
}
END_TEST

/* c. A complete header, then its 100000-byte body a byte a second. */
START_TEST(test_body_trickle)
{
	assert_probes_with(&kinds[HOSTILE_BODY]);
}
END_TEST

/*
 * d. Eight pipelined GETs of a 4 MiB file through a 4 KiB receive
 * buffer that is never read.
 */
START_TEST(test_pipelined_never_read)
{
	assert_probes_with(&kinds[HOSTILE_PIPELINED]);
}
END_TEST

/* e. A two-part multipart/byteranges response of 4 MiB, never read. */
START_TEST(test_multipart_never_read)
{
	assert_probes_with(&kinds[HOSTILE_MULTIPART]);
}
END_TEST

/*
 * g. One client that pipelines small requests as fast as it can, on
 * one connection, and reads every answer (a writer and a reader
 * thread): every request is served, but the worker must still turn to
 * the others between them.
 */
struct flood {
	int fd;
	int64_t until;
	uint64_t got;		/* response bytes read */
};

static void *
flood_writer(void *arg)
{
	struct flood *f = arg;
	char block[100 * (sizeof("GET /a HTTP/1.1\r\nHost: x\r\n\r\n") - 1)];
	size_t one = sizeof("GET /a HTTP/1.1\r\nHost: x\r\n\r\n") - 1;

	for (size_t i = 0; i < sizeof(block); i += one)
		memcpy(block + i, "GET /a HTTP/1.1\r\nHost: x\r\n\r\n", one);
	while (harness_now_ms() < f->until) {
		struct pollfd p = { f->fd, POLLOUT, 0 };

		if (poll(&p, 1, 100) == 1 && send(f->fd, block, sizeof(block),
		    MSG_NOSIGNAL | MSG_DONTWAIT) < 0 && errno != EAGAIN)
			break;
	}
	return NULL;
}

static void *
flood_reader(void *arg)
{
	struct flood *f = arg;
	static char buf[65536];

	while (harness_now_ms() < f->until) {
		struct pollfd p = { f->fd, POLLIN, 0 };
		ssize_t n;

		if (poll(&p, 1, 100) != 1)
			continue;
		n = recv(f->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN))
			break;
		if (n > 0)
			f->got += (uint64_t)n;
	}
	return NULL;
}

START_TEST(test_pipeline_flood)
{
	const struct harness_conf conf = {
		.extra = "keepalive-requests = 1000000\n",
	};
	struct flood f;
	pthread_t w, r;
	struct probes p;
	char *want;

	ck_assert_msg(harness_start(&own, 1, &conf) == 0,
	    "cannot start %s (see %s)", harness_bin(), own.dir);
	want = probe_content();
	f.fd = harness_connect(own.port, HARNESS_IO_TIMEOUT_MS);
	ck_assert_int_ge(f.fd, 0);
	f.until = harness_now_ms() + PROBE_FOR_MS + 1000;
	f.got = 0;
	ck_assert_int_eq(pthread_create(&w, NULL, flood_writer, &f), 0);
	ck_assert_int_eq(pthread_create(&r, NULL, flood_reader, &f), 0);
	/* Let the flood fill the pipe first. */
	harness_sleep_ms(300);
	probe_for(own.port, want, &p);
	pthread_join(w, NULL);
	pthread_join(r, NULL);
	close(f.fd);
	free(want);
	fprintf(stderr, "check_hostile: a pipelining flood (%llu response "
	    "bytes read): %d probes, %u failed, slowest %lld ms\n",
	    (unsigned long long)f.got, p.done, p.fail.n,
	    (long long)p.slowest_ms);
	ck_assert_msg(f.got > 100000, "the flood got only %llu bytes of "
	    "answers: it did not load the worker",
	    (unsigned long long)f.got);
	ck_assert_msg(p.fail.n == 0, "one worker under a pipelining flood: %u "
	    "of %d probes not answered within %d ms; the first: %s",
	    p.fail.n, p.done, PROBE_LIMIT_MS, p.fail.first);
	/* One at a time: slow answers leave fewer probes in the time. */
	ck_assert_msg(p.done >= PROBE_FOR_MS / PROBE_EVERY_MS - 1, "only %d "
	    "probes in %d ms under a pipelining flood (slowest %lld ms)",
	    p.done, PROBE_FOR_MS, (long long)p.slowest_ms);
}
END_TEST

/*
 * The probes alone, no misbehaving client: they pass on the server as
 * it is, so when the tests above fail it is the server, not the probe.
 */
START_TEST(test_probes_alone)
{
	struct probes p;
	char *want;

	start_server(1);
	want = probe_content();
	probe_for(own.port, want, &p);
	free(want);
	fprintf(stderr, "check_hostile: no other client: %d probes, %u "
	    "failed, slowest answered %lld ms (-1: none)\n", p.done, p.fail.n,
	    (long long)p.slowest_ms);
	ck_assert_msg(p.fail.n == 0, "one worker, no other client: %u of %d "
	    "probes failed; the first: %s", p.fail.n, p.done, p.fail.first);
	ck_assert_msg(p.done >= PROBE_FOR_MS / PROBE_EVERY_MS - 1, "only %d "
	    "probes in %d ms", p.done, PROBE_FOR_MS);
}
END_TEST

/* ---- f. keep-alive clients across reloads -------------------------------- */

#define KA_CLIENTS		16
#define KA_MS			10000	/* the clients run this long */
#define KA_HUPS			10	/* reloads spread over KA_MS */
#define KA_RELOAD_MS		3000	/* each reload is logged within */
#define KA_ANSWER_MS		3000	/* each response is complete within */
#define KA_REQUEST		"GET /a HTTP/1.1\r\nHost: x\r\n\r\n"

struct ka_client {
	pthread_t thread;
	uint16_t port;
	int64_t until;
	unsigned ok;
	unsigned connections;
	struct harness_failures fail;
};

/* Why no complete response came on c, the on_conn-th on it (from 0). */
static const char *
ka_why(const struct harness_conn *c, unsigned on_conn)
{
	if (c->reset)
		return "connection reset";
	if (c->eof && c->in.len == 0 && on_conn > 0)
		return "closed after a response without Connection: close";
	if (c->eof && c->in.len == 0)
		return "closed before the first response";
	if (c->eof)
		return "closed in the middle of a response";
	return "no complete response in time (or not HTTP)";
}

enum ka_next { KA_KEEP, KA_CLOSE, KA_FAILED };

/* One request on c, the on_conn-th on it (from 0); no retry. */
static enum ka_next
ka_one(struct ka_client *k, struct harness_conn *c, unsigned on_conn)
{
	struct harness_response r;
	unsigned nth = k->ok + k->fail.n + 1;
	enum ka_next next = KA_KEEP;
	char v[64];

	if (harness_conn_sendstr(c, KA_REQUEST) == -1) {
		harness_fail(&k->fail, "request %u (%u on its connection): "
		    "cannot send: %s", nth, on_conn + 1, strerror(errno));
		return KA_FAILED;
	}
	if (harness_conn_read_response(c, false, &r, KA_ANSWER_MS) == -1) {
		harness_fail(&k->fail, "request %u (%u on its connection): %s "
		    "(%zu bytes: \"%.60s\")", nth, on_conn + 1,
		    ka_why(c, on_conn), c->in.len, c->in.data);
		return KA_FAILED;
	}
	if (r.status / 100 != 2) {
		harness_fail(&k->fail, "request %u (%u on its connection): "
		    "status %d", nth, on_conn + 1, r.status);
		next = KA_FAILED;
	} else {
		k->ok++;
		if (harness_header(&r, "Connection", v, sizeof(v)) &&
		    strcasestr(v, "close") != NULL)
			next = KA_CLOSE;
	}
	harness_response_free(&r);
	return next;
}

/*
 * GETs one after the other on one connection, a new one only after a
 * failure or a response that said Connection: close.
 */
static void *
ka_run(void *arg)
{
	struct ka_client *k = arg;
	struct harness_conn c;
	unsigned on_conn = 0;
	bool open = false;

	while (harness_now_ms() < k->until) {
		enum ka_next next;

		if (!open) {
			k->connections++;
			if (harness_conn_open(&c, k->port) == -1) {
				harness_fail(&k->fail, "cannot connect: %s",
				    strerror(errno));
				harness_conn_close(&c);
				break;
			}
			open = true;
			on_conn = 0;
		}
		next = ka_one(k, &c, on_conn++);
		if (next != KA_KEEP) {
			harness_conn_close(&c);
			open = false;
		}
	}
	if (open)
		harness_conn_close(&c);
	return NULL;
}

/* Whether error.log has said "reloaded: generation gen" by deadline. */
static bool
ka_wait_generation(unsigned gen, int64_t deadline)
{
	char needle[64];

	snprintf(needle, sizeof(needle), "reloaded: generation %u with", gen);
	for (;;) {
		char *t = harness_read_file(&own, "error.log", NULL);
		bool found = t != NULL && strstr(t, needle) != NULL;

		free(t);
		if (found)
			return true;
		if (harness_now_ms() >= deadline)
			return false;
		harness_sleep_ms(20);
	}
}

/*
 * KA_HUPS SIGHUPs, the h-th at (h - 1/2) / KA_HUPS of KA_MS, each waited
 * for (its "reloaded" line).  Returns the generation reached.
 */
static unsigned
ka_reloads(int64_t t0)
{
	unsigned gen = 1;

	for (int h = 1; h <= KA_HUPS; h++) {
		int64_t at = t0 + (2 * h - 1) * KA_MS / (2 * KA_HUPS);
		int64_t now = harness_now_ms();

		if (at > now)
			harness_sleep_ms((int)(at - now));
		if (kill(own.pid, SIGHUP) == -1 ||
		    !ka_wait_generation(gen + 1, harness_now_ms() +
		    KA_RELOAD_MS))
			break;
		gen++;
	}
	return gen;
}

START_TEST(test_reload_keepalive_clients)
{
	static struct ka_client k[KA_CLIENTS];
	unsigned gen, total = 0, failed = 0, conns = 0;
	int started = 0, failing = 0, first = 0;
	int64_t t0;

	start_server(2);
	memset(k, 0, sizeof(k));
	t0 = harness_now_ms();
	for (; started < KA_CLIENTS; started++) {
		k[started].port = own.port;
		k[started].until = t0 + KA_MS;
		if (pthread_create(&k[started].thread, NULL, ka_run,
		    &k[started]) != 0)
			break;
	}
	gen = started == KA_CLIENTS ? ka_reloads(t0) : 1;
	for (int i = 0; i < started; i++)
		pthread_join(k[i].thread, NULL);
	ck_assert_msg(started == KA_CLIENTS, "started only %d client threads",
	    started);
	ck_assert_msg(gen == KA_HUPS + 1, "reload %u of %d was not logged "
	    "within %d ms", gen, KA_HUPS, KA_RELOAD_MS);
	for (int i = 0; i < KA_CLIENTS; i++) {
		total += k[i].ok;
		conns += k[i].connections;
	}
	for (int i = 0; i < KA_CLIENTS; i++) {
		if (k[i].fail.n > 0 && failing++ == 0)
			first = i;
		failed += k[i].fail.n;
	}
	fprintf(stderr, "check_hostile: %d keep-alive clients, %d reloads: "
	    "%u requests answered, %u failed, on %u connections\n",
	    KA_CLIENTS, KA_HUPS, total, failed, conns);
	ck_assert_msg(failed == 0, "%u of %u requests failed across %d "
	    "reloads (no retries), at %d of %d keep-alive clients; the first "
	    "of client %d: %s", failed, total + failed, KA_HUPS, failing,
	    KA_CLIENTS, first + 1, k[first].fail.first);
	for (int i = 0; i < KA_CLIENTS; i++)
		ck_assert_msg(k[i].ok > 0, "keep-alive client %d made no "
		    "request in %d ms", i + 1, KA_MS);
}
END_TEST

/* ---- suite --------------------------------------------------------------- */

static TCase *
tcase(Suite *s, const char *name)
{
	TCase *tc = harness_tcase(s, name);

	tcase_add_checked_fixture(tc, scratch_setup, own_teardown);
	return tc;
}

static Suite *
hostile_suite(void)
{
	Suite *s = suite_create("hostile");
	TCase *tc;

	tc = tcase(s, "misbehaving");
	tcase_add_test(tc, test_probes_alone);
	tcase_add_test(tc, test_silent_clients);
	tcase_add_test(tc, test_header_trickle);
	tcase_add_test(tc, test_body_trickle);
	tcase_add_test(tc, test_pipelined_never_read);
	tcase_add_test(tc, test_multipart_never_read);
	tcase_add_test(tc, test_pipeline_flood);

	tc = tcase(s, "reload");
	tcase_add_test(tc, test_reload_keepalive_clients);
	return s;
}

int
main(void)
{
	return harness_main("check_hostile", hostile_suite);
}
