/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * conn.c - one connection as a state machine.
 *
 *   HEADER -> (BODY, after CONTINUE for Expect: 100-continue) -> SEND
 *   SEND -> HEADER (pipelined bytes), IDLE (keep-alive), LINGER or closed
 *   IDLE -> HEADER at the first byte of the next request
 *
 * Every state does what the socket allows now and returns what it waits
 * for; the worker comes back on readiness or at c->deadline.  So one
 * worker holds any number of slow clients side by side, each costing its
 * slot, never the worker's time.
 *
 * The exchange (struct conn_x) holds a request's buffer, parsed request,
 * response and reply.  Bytes after the end of one request (pipelined
 * ones) stay in its buffer and are parsed when the response before them
 * is out, so requests are answered in order and the request's slices
 * stay valid while its response goes out.  A connection with nothing
 * buffered gives its exchange back to the worker's pool.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>

#include "app.h"
#include "body.h"
#include "conn.h"
#include "fcache.h"
#include "http_parse.h"
#include "http_response.h"
#include "listing.h"
#include "log.h"
#include "reply.h"
#include "router.h"

enum conn_state {
	CONN_S_HEADER = 0,	/* reading a header block */
	CONN_S_CONTINUE,	/* sending "100 Continue" */
	CONN_S_BODY,		/* reading (and dropping) a request body */
	CONN_S_SEND,		/* sending the response */
	CONN_S_IDLE,		/* between requests */
	CONN_S_LINGER,		/* after an error: draining before close */
	CONN_S_APP,		/* an application answers: feeding it the
				 * body, waiting for its response head */
	CONN_S_TUNNEL		/* after a 101: bytes pass both ways */
};

/* RFC 9110 §15.2.1: the interim response to Expect: 100-continue. */
static const char conn_continue[] = "HTTP/1.1 100 Continue\r\n\r\n";

/* Local redirects of CGI scripts followed for one request. */
#define CONN_LOCAL_REDIRECTS 5

/* The access log's status for a request whose client left before its
 * application answered (nginx's convention). */
#define CONN_STATUS_CLIENT_GONE 499

/* After an error, read and drop at most this much before closing. */
#define CONN_LINGER_BYTES (64 * 1024)
#define CONN_LINGER_MS 2000

/* How often a response waiting for its client looks at the send queue:
 * a shrinking queue is progress too (see conn_send_check()). */
#define CONN_CHECK_MS 200

struct conn_x {
	struct conn_x *next;		/* the pool's free list */
	char *buf;			/* header-max + CONN_BODY_WINDOW */
	size_t cap, used, end;		/* end: the request's header block */
	struct http_request req;
	bool parsed;			/* req is a well-formed request */
	size_t server;			/* the router's choice (logs) */
	bool body_ok;			/* its body was read (or it had none) */
	bool keep_alive;
	bool counted;			/* the scoreboard counted it already */
	bool detached;			/* the reply was made independent */
	int steps;			/* requests answered in this step */
	size_t cont_off;		/* bytes of conn_continue sent */
	uint64_t body_read;		/* bytes of body read, for the rate */
	struct body_reader body;
	uint64_t lingered;		/* bytes dropped while lingering */
	uint64_t linger_cap;		/* at most these */
	int64_t linger_end;		/* until then at the latest */
	time_t when;			/* for the Date field */
	int64_t start_us;		/* wall clock, for the access log */
	struct conn_out *out;		/* from a whole header to the response's
					 * end; NULL while reading a header */
	/* An application answering the request (app.h); NULL: none. */
	struct app *app;
	size_t pend, pend_len;		/* body data in buf it did not take */
	size_t taken;			/* buf[end..end + taken): decoded */
	int aux_fd[2];			/* its descriptors as watched */
	bool aux_reg[2];		/* in the epoll set */
	uint32_t aux_ev[2];
	unsigned aux_gen;		/* app->fd_gen when watched */
	unsigned app_nfields;		/* resp's fields before the app's */
	size_t app_field_used;
	bool app_wait;			/* the client is watched as the app
					 * works (since the last step) */
	bool client_quiet;		/* watch the client only for a hang-up
					 * (conn_app_client_gone()) */
	bool app_waiting;		/* the response waits on the app, not
					 * on the client */
	char *redir;			/* a local redirect's path (malloc) */
	unsigned redirects;		/* local redirects followed */
	char *tbuf;			/* a tunnel's bytes to the client */
	size_t t_len, t_off;
};

/*
 * The response side of an exchange, taken only once a header block is
 * whole, so that a connection still reading one (a slowloris trickle)
 * holds no more than its request buffer.
 */
struct conn_out {
	struct conn_out *next;		/* the pool's free list */
	struct http_response resp;
	struct reply reply;
};

static struct conn_x *conn_pool;
static size_t conn_pool_n;
static struct conn_out *conn_out_pool;
static size_t conn_out_pool_n;
static size_t conn_buf_cap;		/* header-max + CONN_BODY_WINDOW */

/* The Date value changes once a second: format it once a second. */
static time_t conn_date_time = -1;
static char conn_date[HTTP_DATE_LEN];

int
conn_init(const struct config *cfg)
{
	conn_buf_cap = cfg->header_max + CONN_BODY_WINDOW;
	return cfg->any_listing ? listing_init() : 0;
}

void
conn_pool_clear(void)
{
	while (conn_pool != NULL) {
		struct conn_x *x = conn_pool;

		conn_pool = x->next;
		free(x->buf);
		free(x);
	}
	conn_pool_n = 0;
	while (conn_out_pool != NULL) {
		struct conn_out *o = conn_out_pool;

		conn_out_pool = o->next;
		free(o);
	}
	conn_out_pool_n = 0;
}

/*
 * An exchange for a request to come.  Its buffer starts at
 * CONN_BUF_FIRST bytes and grows to header-max + CONN_BODY_WINDOW only
 * for a header that needs it (conn_x_grow()), so that the many
 * connections a slowloris opens cost little each.
 */
static struct conn_x *
conn_x_get(void)
{
	struct conn_x *x = conn_pool;

	if (x != NULL) {
		conn_pool = x->next;
		conn_pool_n--;
	} else {
		size_t first = CONN_BUF_FIRST < conn_buf_cap ? CONN_BUF_FIRST :
		    conn_buf_cap;

		if ((x = malloc(sizeof(*x))) == NULL)
			return NULL;
		if ((x->buf = malloc(first)) == NULL) {
			free(x);
			return NULL;
		}
		x->cap = first;
	}
	x->used = x->end = 0;
	x->parsed = x->body_ok = x->keep_alive = false;
	x->counted = x->detached = false;
	x->steps = 0;
	x->when = 0;
	x->start_us = 0;
	x->out = NULL;
	x->app = NULL;
	x->tbuf = NULL;
	x->redir = NULL;
	return x;
}

/* An exchange's buffer at its full size.  0, or -1 (ENOMEM). */
static int
conn_x_grow(struct conn_x *x)
{
	char *b;

	if (x->cap >= conn_buf_cap)
		return 0;
	if ((b = realloc(x->buf, conn_buf_cap)) == NULL)
		return -1;
	x->buf = b;
	x->cap = conn_buf_cap;
	return 0;
}

/* The response side, once a header block is whole.  NULL: no memory. */
static struct conn_out *
conn_out_get(void)
{
	struct conn_out *o = conn_out_pool;

	if (o != NULL) {
		conn_out_pool = o->next;
		conn_out_pool_n--;
	} else if ((o = malloc(sizeof(*o))) == NULL) {
		return NULL;
	}
	http_response_init(&o->resp);
	o->reply.fd = -1;
	o->reply.mem_owned = NULL;
	o->reply.sbuf = NULL;
	return o;
}

/* Lets go of x's response side and what it holds. */
static void
conn_out_put(struct conn_x *x)
{
	struct conn_out *o = x->out;

	if (o == NULL)
		return;
	x->out = NULL;
	reply_finish(&o->reply);
	http_response_close_fd(&o->resp);
	if (conn_out_pool_n >= CONN_POOL_KEEP) {
		free(o);
		return;
	}
	o->next = conn_out_pool;
	conn_out_pool = o;
	conn_out_pool_n++;
}

static void
conn_x_put(struct conn_x *x)
{
	if (x->app != NULL) {
		/* Cut short (the client left, the worker stops): the
		 * application's descriptors close with it, and their watches
		 * with them. */
		app_end(x->app, false);
		x->app = NULL;
	}
	free(x->redir);
	x->redir = NULL;
	if (x->tbuf != NULL) {
		free(x->tbuf);
		x->tbuf = NULL;
		app_tunnel_count(-1);
	}
	conn_out_put(x);
	if (conn_pool_n >= CONN_POOL_KEEP) {
		free(x->buf);
		free(x);
		return;
	}
	x->next = conn_pool;
	conn_pool = x;
	conn_pool_n++;
}

static const char *
conn_date_now(time_t now)
{
	if (now != conn_date_time) {
		http_date_format(now, conn_date);
		conn_date_time = now;
	}
	return conn_date;
}

static void
conn_state(const struct conn_env *env, enum scoreboard_state st)
{
	if (env->slot != NULL)
		scoreboard_set_state(env->slot, st);
}

/* Between requests: the logs are reopened when SIGUSR1 asked for it. */
static void
conn_reopen_logs(const struct conn_env *env)
{
	if (env->reopen != NULL && *env->reopen) {
		*env->reopen = 0;
		log_reopen();
	}
}

static struct http_limits
conn_limits(const struct config *cfg)
{
	struct http_limits lim = {
		.request_line_max = cfg->request_line_max,
		.field_max = cfg->header_field_max,
		.header_max = cfg->header_max,
		.fields_max = cfg->header_fields_max,
	};

	return lim;
}

void
conn_open(const struct conn_env *env, struct conn *c, int fd,
    const struct sockaddr_storage *peer, int64_t now)
{
	sock_init(&c->sock, fd);
	c->state = CONN_S_HEADER;
	c->served = 0;
	c->x = NULL;
	c->due = now + (int64_t)env->cfg->header_timeout * 1000;
	c->deadline = now;
	c->peer = *peer;
	net_peer_name(peer, c->client, sizeof(c->client));
}

static void
conn_close(struct conn *c)
{
	sock_close(&c->sock);
	if (c->x != NULL) {
		conn_x_put(c->x);
		c->x = NULL;
	}
}

/* The wall clock in microseconds, as the access log shows times. */
static int64_t
conn_wall_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static unsigned
conn_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)(const void *)ss)->
		    sin_port);
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)(const void *)ss)->
		    sin6_port);
	return 0;
}

/*
 * The access log line and the scoreboard's count of one response;
 * status: 'X' cut off, else whether the connection stays open.
 */
static void
conn_log(const struct conn_env *env, struct conn *c, uint64_t bytes,
    char status)
{
	struct conn_x *x = c->x;
	const struct http_request *req = &x->req;
	const struct reply *r = &x->out->reply;
	const struct config_server *srv = &env->cfg->servers[x->server];
	size_t which = srv->access_log >= 0 ? (size_t)srv->access_log : 0;
	struct sockaddr_storage local;
	socklen_t len = sizeof(local);
	char local_name[NET_ADDR_MAX];
	struct log_format_entry e = {
		.client = c->client,
		.client_port = conn_port(&c->peer),
		.start_us = x->start_us,
		.end_us = conn_wall_us(),
		.req = x->parsed ? req : NULL,
		.status = x->out->resp.status,
		.bytes_body = bytes,
		.bytes_in = x->end + x->body_read,
		.bytes_out = r->head_off + r->sent,
		.head = r->head,
		.head_len = r->head_len,
		.keepalives = c->served,
		.conn_status = status,
		.tls_protocol = sock_tls_protocol(&c->sock),
		.tls_cipher = sock_tls_cipher(&c->sock),
	};

	if (req->request_line.len > 0) {
		e.request_line = req->request_line.p;
		e.request_line_len = req->request_line.len;
	}
	/* %v: the server's name (log.c puts the host's for none). */
	e.server = srv->name;
	/* Only a format with %A or %p costs the system call. */
	if (srv->access_log >= 0 &&
	    (log_access_needs(which) & LOG_FORMAT_NEED_LOCAL) &&
	    getsockname(c->sock.fd, (struct sockaddr *)&local, &len) == 0) {
		net_peer_name(&local, local_name, sizeof(local_name));
		e.local = local_name;
		e.local_port = conn_port(&local);
	}
	/* The server's own access log, or the top level's (0). */
	if (srv->access_log >= 0)
		log_access(which, &e);
	if (env->slot == NULL)
		return;
	if (env->sb != NULL)
		scoreboard_count_response(env->sb, env->slot, x->server,
		    x->parsed ? (int)req->method : HTTP_METHOD_UNKNOWN,
		    e.status, bytes, e.end_us > e.start_us ?
		    (uint64_t)(e.end_us - e.start_us) : 0);
	if (x->counted)
		scoreboard_background_done(env->slot, bytes);
	else
		scoreboard_end_request(env->slot, bytes);
}

/*
 * The connection is about to wait on its client with a request under
 * way: the worker turns to others, so the watchdog (which is about a
 * worker stuck in one step) must not count this wait against it.
 */
static void
conn_yield(const struct conn_env *env, struct conn *c)
{
	if ((c->state == CONN_S_CONTINUE || c->state == CONN_S_BODY ||
	    c->state == CONN_S_SEND || c->state == CONN_S_APP ||
	    c->state == CONN_S_TUNNEL) && c->x != NULL && !c->x->counted &&
	    env->slot != NULL) {
		scoreboard_background_request(env->slot);
		c->x->counted = true;
	}
}

static enum conn_want
conn_wait(const struct conn_env *env, struct conn *c, enum conn_want w,
    int64_t deadline)
{
	c->deadline = deadline;
	if (w == CONN_WANT_READ || w == CONN_WANT_WRITE || w == CONN_WANT_APP)
		conn_yield(env, c);
	return w;
}

/* Starts draining after an error (see conn_linger_step()). */
static enum conn_want conn_linger_start(const struct conn_env *env,
    struct conn *c, int64_t now);
static enum conn_want conn_respond(const struct conn_env *env,
    struct conn *c, int64_t now);
static enum conn_want conn_header(const struct conn_env *env,
    struct conn *c, int64_t now);
static enum conn_want conn_app_start(const struct conn_env *env,
    struct conn *c, int64_t now);
static enum conn_want conn_app_begin(const struct conn_env *env,
    struct conn *c, int64_t now);
static void conn_route(const struct conn_env *env, struct conn *c);
static void conn_app_end(const struct conn_env *env, struct conn *c,
    bool complete);
static void conn_app_watch(const struct conn_env *env, struct conn *c,
    uint32_t mask);
static enum conn_want conn_tunnel_start(const struct conn_env *env,
    struct conn *c, int64_t now);
static bool conn_app_client_gone(struct conn *c);
static void conn_app_client_watch(struct conn *c);

/* ---------------------------------------------------------------- */
/* Sending */

/*
 * A reply waiting on the socket.  Linux reports a TCP socket writable
 * only once about a third of its send buffer is free, and that buffer
 * grows to megabytes, so a client that reads slowly but steadily shows
 * only as its send queue shrinking (SIOCOUTQ), looked at every
 * CONN_CHECK_MS: that is progress too, and moves the stall deadline on.
 * send-min-rate is judged on the bytes the client acknowledged (handed
 * to the kernel minus still queued) over each window: a reader that
 * trickles just enough to beat the stall deadline is still dropped.
 */
static bool
conn_send_check(const struct config *cfg, struct conn *c, int64_t now,
    bool moved)
{
	struct conn_x *x = c->x;
	bool judge = cfg->send_min_rate > 0 && now >= c->win_start +
	    (int64_t)cfg->min_rate_window * 1000;
	uint64_t handed = x->out->reply.head_off + x->out->reply.sent, acked;
	int q;

	/* Bytes moved: progress, and no need to ask the kernel about its
	 * queue (one system call less per piece of a large file), unless
	 * the rate is judged now. */
	if (moved && !judge) {
		c->due = now + (int64_t)cfg->send_timeout * 1000;
		c->queued = -1;
		return true;
	}
	q = sock_pending(&c->sock);
	if (moved || (q >= 0 && c->queued >= 0 && q < c->queued))
		c->due = now + (int64_t)cfg->send_timeout * 1000;
	c->queued = q;
	acked = q >= 0 && (uint64_t)q < handed ? handed - (uint64_t)q : 0;
	if (judge) {
		uint64_t want = (uint64_t)cfg->send_min_rate *
		    cfg->min_rate_window;

		if (acked - c->win_bytes < want && acked >= c->win_bytes) {
			log_info("%s: client took %llu bytes in %u s, below "
			    "send-min-rate: closed", c->client,
			    (unsigned long long)(acked - c->win_bytes),
			    cfg->min_rate_window);
			return false;
		}
		c->win_start = now;
		c->win_bytes = acked;
	}
	return now < c->due;
}

/* The response is out (or the client is gone): log it, then go on. */
static enum conn_want
conn_sent(const struct conn_env *env, struct conn *c, int64_t now,
    bool complete)
{
	struct conn_x *x = c->x;
	bool linger = !x->body_ok || x->used > x->end;

	if (!complete && errno == EIO && (x->out->reply.kind == HTTP_BODY_FILE ||
	    x->out->reply.kind == HTTP_BODY_RANGES))
		log_error("file shrank while being sent (status %d)",
		    x->out->resp.status);
	if (x->app != NULL && x->app->upgraded && complete)
		return conn_tunnel_start(env, c, now);
	if (x->app != NULL)
		conn_app_end(env, c, complete && x->app->ended);
	conn_log(env, c, x->out->reply.sent, !complete ? 'X' :
	    x->keep_alive ? '+' : '-');
	conn_out_put(x);
	conn_reopen_logs(env);
	c->served++;
	if (!complete) {
		/* Cut off: what is queued must not go on to the client. */
		sock_abort(&c->sock);
		conn_close(c);
		return CONN_CLOSED;
	}
	if (!x->keep_alive) {
		/* The client may still be sending: an error cut its request
		 * short, or the body was not read. */
		if (linger)
			return conn_linger_start(env, c, now);
		conn_close(c);
		return CONN_CLOSED;
	}
	/* Keep what the client pipelined behind this request. */
	memmove(x->buf, x->buf + x->end, x->used - x->end);
	x->used -= x->end;
	x->end = 0;
	c->state = CONN_S_HEADER;
	c->due = now + (int64_t)env->cfg->header_timeout * 1000;
	if (x->used == 0) {
		conn_x_put(x);
		c->x = NULL;
		c->state = CONN_S_IDLE;
		c->due = now + (int64_t)env->cfg->keepalive_timeout * 1000;
		return conn_wait(env, c, CONN_WANT_IDLE, c->due);
	}
	if (++x->steps >= CONN_STEP_REQUESTS)
		return conn_wait(env, c, CONN_WANT_RUN, now);
	return conn_header(env, c, now);
}

/* The response's body comes from an application that has nothing yet:
 * wait for it (upstream-timeout), unless the client left meanwhile. */
static enum conn_want
conn_send_app_wait(const struct conn_env *env, struct conn *c, int64_t now)
{
	struct app *a = c->x->app;

	if (a->errfd >= 0)
		app_stderr(a);
	/* The app's silence counts from when it is waited on: not while
	 * the response waited on a slow client. */
	if (!c->x->app_waiting)
		app_start(a, now);
	c->x->app_waiting = true;
	if (conn_app_client_gone(c) || !app_in_time(a, now)) {
		errno = EIO;
		return conn_sent(env, c, now, false);
	}
	conn_app_watch(env, c, ~0u);
	conn_app_client_watch(c);
	return conn_wait(env, c, CONN_WANT_APP, a->due);
}

static enum conn_want
conn_send(const struct conn_env *env, struct conn *c, int64_t now)
{
	struct conn_x *x = c->x;
	uint64_t before = x->out->reply.head_off + x->out->reply.sent;
	enum reply_result r;

	conn_state(env, SCOREBOARD_WRITING);
	r = reply_send(&x->out->reply, &c->sock);
	if (r == REPLY_DONE)
		return conn_sent(env, c, now, true);
	if (r == REPLY_SOURCE_AGAIN && x->app != NULL)
		return conn_send_app_wait(env, c, now);
	if (r == REPLY_ERROR || r == REPLY_SOURCE_AGAIN)
		return conn_sent(env, c, now, false);
	if (x->app != NULL) {	/* the client first: the app waits */
		conn_app_watch(env, c, 0);
		x->app_waiting = false;
	}
	/* The socket is full: the reply must outlive this step. */
	if (!x->detached) {
		if (reply_detach(&x->out->reply) < 0) {
			log_error("%s: cannot keep a response waiting:",
			    c->client);
			return conn_sent(env, c, now, false);
		}
		x->detached = true;
	}
	if (!conn_send_check(env->cfg, c, now,
	    x->out->reply.head_off + x->out->reply.sent > before))
		return conn_sent(env, c, now, false);
	c->check = now + CONN_CHECK_MS;
	return conn_wait(env, c, CONN_WANT_WRITE,
	    c->check < c->due ? c->check : c->due);
}

/* Formats x->out->resp and starts sending it. */
static enum conn_want
conn_respond(const struct conn_env *env, struct conn *c, int64_t now)
{
	struct conn_x *x = c->x;
	struct http_response *resp = &x->out->resp;
	size_t hlen;

	x->keep_alive = x->body_ok && x->parsed && x->req.keep_alive &&
	    env->cfg->keepalive_timeout > 0 &&
	    c->served + 1 < env->cfg->keepalive_requests && !*env->stop;
	resp->keep_alive = x->keep_alive;
	resp->say_keep_alive = x->keep_alive &&
	    x->req.version == HTTP_VERSION_10;
	if (x->when == 0) {
		x->start_us = conn_wall_us();
		x->when = (time_t)(x->start_us / 1000000);
	}
	hlen = http_response_format(resp, conn_date_now(x->when),
	    x->out->reply.head, sizeof(x->out->reply.head));
	if (hlen == 0) {
		/* Only an absurd Location could do this; answer plainly. */
		log_error("response header too large for %d", resp->status);
		resp->location_len = 0;
		resp->keep_alive = x->keep_alive = false;
		http_response_error(resp, HTTP_STATUS_INTERNAL_ERROR);
		hlen = http_response_format(resp, conn_date_now(x->when),
		    x->out->reply.head, sizeof(x->out->reply.head));
	}
	if (reply_start(&x->out->reply, resp, hlen) < 0) {
		log_error("%s: cannot start a response:", c->client);
		conn_close(c);
		return CONN_CLOSED;
	}
	x->detached = false;
	c->state = CONN_S_SEND;
	c->due = now + (int64_t)env->cfg->send_timeout * 1000;
	c->win_start = now;
	c->win_bytes = 0;
	c->queued = -1;
	return conn_send(env, c, now);
}

/* ---------------------------------------------------------------- */
/* Request bodies */

/*
 * Drops the body bytes in x->buf[end..used) (no handler takes a body
 * yet), and moves what follows the body (a pipelined request) back to
 * end.  Returns 1 when the body is complete, 0 when more must come, or
 * the status to answer with.
 */
static int
conn_body_take(struct conn_x *x)
{
	for (;;) {
		size_t avail = x->used - x->end, take, n;
		const char *data;
		int status;
		enum body_result r = body_take(&x->body, x->buf + x->end,
		    avail, &take, &data, &n, &status);

		memmove(x->buf + x->end, x->buf + x->end + take, avail - take);
		x->used -= take;
		if (r == BODY_DONE)
			return 1;
		if (r == BODY_ERROR)
			return status;
		if (r == BODY_MORE)
			return 0;
	}
}

/* The body failed: the response becomes the error, then the end. */
static enum conn_want
conn_body_fail(const struct conn_env *env, struct conn *c, int64_t now,
    int status)
{
	c->x->body_ok = false;
	http_response_error(&c->x->out->resp, status);
	return conn_respond(env, c, now);
}

/* body-min-rate over each window of min-rate-window seconds. */
static bool
conn_body_rate_ok(const struct config *cfg, struct conn *c, int64_t now)
{
	uint64_t want;

	if (cfg->body_min_rate == 0 ||
	    now < c->win_start + (int64_t)cfg->min_rate_window * 1000)
		return true;
	want = (uint64_t)cfg->body_min_rate * cfg->min_rate_window;
	if (c->x->body_read - c->win_bytes < want)
		return false;
	c->win_start = now;
	c->win_bytes = c->x->body_read;
	return true;
}

static enum conn_want
conn_body(const struct conn_env *env, struct conn *c, int64_t now)
{
	const struct config *cfg = env->cfg;
	struct conn_x *x = c->x;

	conn_state(env, SCOREBOARD_READING);
	for (;;) {
		int r = conn_body_take(x);
		ssize_t n;

		if (r == 1) {
			x->body_ok = true;
			return conn_respond(env, c, now);
		}
		if (r > 1)
			return conn_body_fail(env, c, now, r);
		/* Not done means every byte was taken: the window is empty. */
		n = sock_read(&c->sock, x->buf + x->end, x->cap - x->end);
		if (n == SOCK_AGAIN) {
			int64_t win = c->win_start +
			    (int64_t)cfg->min_rate_window * 1000;

			if (now >= c->due || !conn_body_rate_ok(cfg, c, now))
				return conn_body_fail(env, c, now,
				    HTTP_STATUS_REQUEST_TIMEOUT);
			return conn_wait(env, c, CONN_WANT_READ,
			    cfg->body_min_rate > 0 && win < c->due ? win :
			    c->due);
		}
		if (n <= 0)	/* the client left: answered to nobody */
			return conn_body_fail(env, c, now,
			    HTTP_STATUS_BAD_REQUEST);
		x->used += (size_t)n;
		x->body_read += (uint64_t)n;
	}
}

static enum conn_want
conn_body_start(const struct conn_env *env, struct conn *c, int64_t now)
{
	c->state = CONN_S_BODY;
	c->due = now + (int64_t)env->cfg->body_timeout * 1000;
	c->win_start = now;
	c->win_bytes = 0;
	return conn_body(env, c, now);
}

/* Sending "100 Continue" before reading the body. */
static enum conn_want
conn_continue_send(const struct conn_env *env, struct conn *c, int64_t now)
{
	struct conn_x *x = c->x;
	enum conn_want w;

	while (x->cont_off < sizeof(conn_continue) - 1) {
		struct iovec iov = {
			.iov_base = (char *)(uintptr_t)conn_continue + x->cont_off,
			.iov_len = sizeof(conn_continue) - 1 - x->cont_off,
		};
		ssize_t n = sock_writev(&c->sock, &iov, 1, false);

		if (n == SOCK_AGAIN) {
			if (now >= c->due)
				break;
			w = conn_wait(env, c, CONN_WANT_WRITE, c->due);
			return w;
		}
		if (n < 0)
			break;
		x->cont_off += (size_t)n;
	}
	if (x->cont_off < sizeof(conn_continue) - 1) {
		conn_log(env, c, 0, 'X');
		http_response_close_fd(&x->out->resp);
		conn_close(c);
		return CONN_CLOSED;
	}
	if (x->app != NULL)
		return conn_app_start(env, c, now);
	return conn_body_start(env, c, now);
}

/*
 * What to do with a request's body before the response goes out:
 * none, refused at once (413 by its own account; an error to an Expect:
 * 100-continue, which the client then need not send), or read.
 */
static enum conn_want
conn_body_begin(const struct conn_env *env, struct conn *c, int64_t now)
{
	const struct config *cfg = env->cfg;
	struct conn_x *x = c->x;

	if (!x->parsed || x->req.framing == HTTP_FRAMING_NONE) {
		x->body_ok = x->parsed;
		return conn_respond(env, c, now);
	}
	if (body_init(&x->body, x->req.framing, x->req.content_length,
	    cfg->body_max, cfg->header_max) != 0) {
		http_response_error(&x->out->resp, HTTP_STATUS_PAYLOAD_TOO_LARGE);
		return conn_respond(env, c, now);
	}
	x->body_read = x->used - x->end;
	if (x->req.expect_continue && x->used == x->end) {
		/*
		 * RFC 9110 §10.1.1: a server that receives 100-continue
		 * either sends 100 and reads the content, or sends the final
		 * status without reading it.  An error needs no body, and
		 * then the client need not send it: answer, then close.
		 */
		if (x->out->resp.status >= 400)
			return conn_respond(env, c, now);
		x->cont_off = 0;
		c->state = CONN_S_CONTINUE;
		c->due = now + (int64_t)cfg->send_timeout * 1000;
		return conn_continue_send(env, c, now);
	}
	return conn_body_start(env, c, now);
}

/* ---------------------------------------------------------------- */
/* Applications (app.h) */

static enum conn_want conn_app(const struct conn_env *env, struct conn *c,
    int64_t now);

/* Watches the app's descriptors as app_events() says (but only the
 * events in mask), in the worker's epoll set, tagged as this
 * connection's. */
static void
conn_app_watch(const struct conn_env *env, struct conn *c, uint32_t mask)
{
	struct conn_x *x = c->x;
	struct app *a = x->app;
	int fds[2] = { a->fd, a->errfd };
	uint32_t ev[2] = { app_events(a) & mask, EPOLLIN };

	if (env->ep < 0)
		return;
	for (int k = 0; k < 2; k++) {
		struct epoll_event e = {
			.events = ev[k],
			.data.u64 = c->tag | CONN_TAG_APP,
		};

		/* A descriptor that changed was closed, and its watch went
		 * with it. */
		if (x->aux_fd[k] != fds[k] || (k == 0 && x->aux_gen != a->fd_gen))
			x->aux_reg[k] = false;
		x->aux_fd[k] = fds[k];
		if (k == 0)
			x->aux_gen = a->fd_gen;
		if (fds[k] < 0 || (x->aux_reg[k] && x->aux_ev[k] == ev[k]))
			continue;
		if (epoll_ctl(env->ep, x->aux_reg[k] ? EPOLL_CTL_MOD :
		    EPOLL_CTL_ADD, fds[k], &e) < 0) {
			log_error("%s: epoll_ctl (%s %s):", c->client,
			    a->kind->name, a->label);
			continue;
		}
		x->aux_reg[k] = true;
		x->aux_ev[k] = ev[k];
	}
}

/*
 * Done with the application.  complete: its answer is whole, so the
 * kind may keep its connection (then it must leave the epoll set now,
 * while it is still open); else the kind closes it, and its watch goes.
 */
static void
conn_app_end(const struct conn_env *env, struct conn *c, bool complete)
{
	struct conn_x *x = c->x;

	if (x->app == NULL)
		return;
	for (int k = 0; k < 2 && complete && env->ep >= 0; k++)
		if (x->aux_reg[k] && x->aux_fd[k] >= 0)
			(void)epoll_ctl(env->ep, EPOLL_CTL_DEL, x->aux_fd[k],
			    NULL);
	app_end(x->app, complete);
	x->app = NULL;
}

/* The application failed before its head (502, 504), or the client's
 * body did (400, 408, 413): that error is the answer. */
static enum conn_want
conn_app_fail(const struct conn_env *env, struct conn *c, int64_t now,
    int status)
{
	struct conn_x *x = c->x;
	struct http_response *resp = &x->out->resp;

	conn_app_end(env, c, false);
	/* Whatever the app's head had added goes; the route's stay. */
	resp->nfields = x->app_nfields;
	resp->field_used = x->app_field_used;
	resp->reason = NULL;
	resp->content_length = -1;
	if (!x->body_ok || x->pend_len > 0)
		x->body_ok = false;
	http_response_error(resp, status);
	return conn_respond(env, c, now);
}

/* What the body reader consumed of buf[end..) goes; the rest moves up. */
static void
conn_app_drop(struct conn_x *x, size_t n)
{
	memmove(x->buf + x->end, x->buf + x->end + n, x->used - x->end - n);
	x->used -= n;
}

enum conn_feed {
	CONN_FEED_DONE,		/* all of the body went to the app */
	CONN_FEED_CLIENT,	/* waiting for the client's next bytes */
	CONN_FEED_APP,		/* waiting for the app to take more */
	CONN_FEED_FAILED	/* *status: the body broke (400, 413) or the
				 * app did (0: see app->fail_status) */
};

/* Hands the data the reader found to the app; false: it failed. */
static bool
conn_app_give(struct conn_x *x, int64_t now)
{
	ssize_t k = app_body(x->app, x->buf + x->pend, x->pend_len, false,
	    now);

	if (k < 0)
		return false;
	x->pend += (size_t)k;
	x->pend_len -= (size_t)k;
	if (x->pend_len == 0) {
		conn_app_drop(x, x->taken);
		x->taken = 0;
	}
	return true;
}

/* Feeds the app the request body, as far as both sides allow now. */
static enum conn_feed
conn_app_feed(struct conn *c, int64_t now, int *status)
{
	struct conn_x *x = c->x;

	*status = 0;
	for (;;) {
		size_t take, n;
		const char *data;
		enum body_result r;
		ssize_t got;

		if (x->pend_len > 0 && !conn_app_give(x, now))
			return CONN_FEED_FAILED;
		if (x->pend_len > 0)
			return CONN_FEED_APP;
		if (x->body_ok) {
			if (!x->app->body_end && (x->req.framing !=
			    HTTP_FRAMING_NONE || x->app->body_always) &&
			    app_body(x->app, NULL, 0, true, now) < 0)
				return CONN_FEED_FAILED;
			return x->app->body_end || (x->req.framing ==
			    HTTP_FRAMING_NONE && !x->app->body_always) ?
			    CONN_FEED_DONE : CONN_FEED_APP;
		}
		r = body_take(&x->body, x->buf + x->end, x->used - x->end,
		    &take, &data, &n, status);
		if (r == BODY_ERROR)
			return CONN_FEED_FAILED;
		if (r == BODY_DATA) {
			x->pend = (size_t)(data - x->buf);
			x->pend_len = n;
			x->taken = take;
			continue;
		}
		conn_app_drop(x, take);
		if (r == BODY_DONE) {
			x->body_ok = true;
			continue;
		}
		got = sock_read(&c->sock, x->buf + x->used, x->cap - x->used);
		if (got == SOCK_AGAIN)
			return CONN_FEED_CLIENT;
		if (got <= 0) {
			*status = HTTP_STATUS_BAD_REQUEST;
			return CONN_FEED_FAILED;
		}
		x->used += (size_t)got;
		x->body_read += (uint64_t)got;
	}
}

/* The response head came: it goes out, its body pulled from the app. */
static enum conn_want
conn_app_respond(const struct conn_env *env, struct conn *c, int64_t now)
{
	struct conn_x *x = c->x;
	struct http_response *resp = &x->out->resp;
	int st = resp->status;

	resp->body = HTTP_BODY_STREAM;
	resp->pull = app_pull;
	resp->pull_arg = x->app;
	resp->fd = -1;
	if (x->app->upgraded) {
		resp->body = HTTP_BODY_NONE;
		resp->content_length = -1;
		resp->upgrade = true;
	} else if ((st >= 100 && st < 200) || st == 204 || st == 304) {
		resp->body = HTTP_BODY_NONE;
		resp->content_length = -1;
	} else if (resp->content_length < 0) {
		/* RFC 9112 §7.1: chunked for an HTTP/1.1 client; an HTTP/1.0
		 * one learns the end when the connection closes. */
		resp->chunked = x->req.version == HTTP_VERSION_11;
		if (!resp->chunked)
			x->req.keep_alive = false;
	}
	return conn_respond(env, c, now);
}

/*
 * A CGI local redirect (RFC 3875 §6.2.2: "the server MUST generate the
 * response that it would have produced in response to a request
 * containing the URL"): the path is answered as a GET of it, with the
 * request's other fields, at most CONN_LOCAL_REDIRECTS deep.  Where
 * that cannot be (a body the script left unread, too deep, no memory),
 * the client gets the 302 to it instead.
 */
static enum conn_want
conn_app_local(const struct conn_env *env, struct conn *c, int64_t now)
{
	struct conn_x *x = c->x;
	struct http_response *resp = &x->out->resp;
	size_t len = resp->location_len;
	bool head_only = resp->head_only;
	const char *q;

	if (!x->body_ok || x->pend_len > 0 ||
	    x->redirects >= CONN_LOCAL_REDIRECTS || (x->redir == NULL &&
	    (x->redir = malloc(HTTP_LOCATION_MAX)) == NULL)) {
		if (x->redirects >= CONN_LOCAL_REDIRECTS)
			log_warn("%s: more than %d local redirects: the client "
			    "gets the last", c->client, CONN_LOCAL_REDIRECTS);
		return conn_app_respond(env, c, now);
	}
	memcpy(x->redir, resp->location, len);
	conn_app_end(env, c, false);
	x->redirects++;
	q = memchr(x->redir, '?', len);
	x->req.method = HTTP_METHOD_GET;
	x->req.method_name = (struct http_slice){ "GET", 3 };
	x->req.target = (struct http_slice){ x->redir, len };
	x->req.path = (struct http_slice){ x->redir,
	    q != NULL ? (size_t)(q - x->redir) : len };
	x->req.query = q != NULL ? (struct http_slice){ q + 1,
	    len - (size_t)(q + 1 - x->redir) } : (struct http_slice){ NULL, 0 };
	x->req.framing = HTTP_FRAMING_NONE;
	x->req.has_body = x->req.expect_continue = false;
	x->req.content_length = 0;
	http_response_init(resp);
	resp->head_only = head_only;
	conn_route(env, c);
	if (resp->app != NULL)
		return conn_app_begin(env, c, now);
	return conn_respond(env, c, now);
}

/*
 * The client hung up while the app worked: nobody to answer.  Its
 * socket is watched for EPOLLIN as it was while its request came (no
 * epoll_ctl() for each request that waits on an app), so readable means
 * it closed, or sent more (pipelined): a peek tells, and in the second
 * case the socket is watched for EPOLLRDHUP only from then on, lest the
 * waiting bytes wake the worker again and again.
 */
static bool
conn_app_client_gone(struct conn *c)
{
	if (c->revents & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))
		return true;
	/* EPOLLIN means something only while the app is waited on: at the
	 * step that starts it, it was the request coming. */
	if (!(c->revents & EPOLLIN) || c->x == NULL || !c->x->body_ok ||
	    !c->x->app_wait)
		return false;
	if (sock_peer_closed(&c->sock))
		return true;
	c->x->client_quiet = true;
	return false;
}

/* What the client's socket is watched for while the app works: while
 * body bytes wait for the app to take them, EPOLLIN would say so for
 * ever. */
static void
conn_app_client_watch(struct conn *c)
{
	struct conn_x *x = c->x;

	x->app_wait = true;
	c->events = x->client_quiet || !x->body_ok || x->pend_len > 0 ?
	    EPOLLRDHUP : EPOLLIN;
}

/* What to wait for while the app works, and until when. */
static enum conn_want
conn_app_wait(const struct conn_env *env, struct conn *c, int64_t now,
    enum conn_feed f)
{
	const struct config *cfg = env->cfg;
	struct app *a = c->x->app;
	/* Its head in, the app waits on the body's end, not the reverse. */
	int64_t until = a->head_done ? c->due : a->due;

	conn_app_watch(env, c, a->head_done ? 0 : ~0u);
	if (f == CONN_FEED_CLIENT) {
		int64_t win = c->win_start + (int64_t)cfg->min_rate_window *
		    1000;

		if (c->due < until)
			until = c->due;
		if (cfg->body_min_rate > 0 && win < until)
			until = win;
		return conn_wait(env, c, CONN_WANT_READ, until);
	}
	(void)now;
	conn_app_client_watch(c);
	return conn_wait(env, c, CONN_WANT_APP, until);
}

static enum conn_want
conn_app(const struct conn_env *env, struct conn *c, int64_t now)
{
	struct conn_x *x = c->x;
	struct app *a = x->app;
	enum conn_feed f = CONN_FEED_DONE;
	int status = 0, r;

	conn_state(env, x->body_ok ? SCOREBOARD_WRITING : SCOREBOARD_READING);
	if (conn_app_client_gone(c)) {
		conn_app_end(env, c, false);
		/* As nginx logs it: the client closed the request. */
		x->out->resp.status = CONN_STATUS_CLIENT_GONE;
		conn_log(env, c, 0, 'X');
		conn_close(c);
		return CONN_CLOSED;
	}
	if (a->errfd >= 0)
		app_stderr(a);
	for (int round = 0;; round++) {
		if (!x->body_ok || !a->body_end) {
			f = conn_app_feed(c, now, &status);
			if (f == CONN_FEED_FAILED)
				return conn_app_fail(env, c, now, status != 0 ?
				    status : a->fail_status);
		}
		r = app_head(a, &x->out->resp, now);
		/* An app that answered and stopped reading (a script that
		 * exits without reading its stdin): the rest of the body is
		 * read and dropped before its answer goes out, so that the
		 * client, still sending, never meets a reset and the
		 * connection stays whole. */
		if (r > 0 && !x->body_ok && a->out_closed &&
		    f == CONN_FEED_CLIENT)
			break;
		if (r > 0)
			return a->local ? conn_app_local(env, c, now) :
			    conn_app_respond(env, c, now);
		if (r < 0)
			return conn_app_fail(env, c, now, a->fail_status);
		/* app_head() may have sent all the body had queued: then
		 * nothing would wake the body again, and it goes on now (in
		 * the next pass after a few rounds: others get a turn). */
		if (f != CONN_FEED_APP || (app_events(a) & EPOLLOUT))
			break;
		if (round == CONN_STEP_REQUESTS)
			return conn_wait(env, c, CONN_WANT_RUN, now);
	}
	if (!a->head_done && !app_in_time(a, now))
		return conn_app_fail(env, c, now, a->fail_status);
	if (f == CONN_FEED_CLIENT && (now >= c->due ||
	    !conn_body_rate_ok(env->cfg, c, now)))
		return conn_app_fail(env, c, now, HTTP_STATUS_REQUEST_TIMEOUT);
	return conn_app_wait(env, c, now, f);
}

/* Starts the exchange with the app the handler put in the response. */
static enum conn_want
conn_app_start(const struct conn_env *env, struct conn *c, int64_t now)
{
	c->state = CONN_S_APP;
	c->due = now + (int64_t)env->cfg->body_timeout * 1000;
	c->win_start = now;
	c->win_bytes = 0;
	return conn_app(env, c, now);
}

static enum conn_want
conn_app_begin(const struct conn_env *env, struct conn *c, int64_t now)
{
	struct conn_x *x = c->x;
	struct http_response *resp = &x->out->resp;

	x->app = resp->app;
	resp->app = NULL;
	x->pend = x->pend_len = x->taken = 0;
	x->aux_fd[0] = x->aux_fd[1] = -1;
	x->aux_reg[0] = x->aux_reg[1] = false;
	x->aux_gen = x->app->fd_gen;
	x->app_waiting = false;
	x->client_quiet = x->app_wait = false;
	x->app_nfields = resp->nfields;
	x->app_field_used = resp->field_used;
	app_start(x->app, now);
	x->body_ok = x->req.framing == HTTP_FRAMING_NONE;
	if (!x->body_ok && body_init(&x->body, x->req.framing,
	    x->req.content_length, env->cfg->body_max, env->cfg->header_max) != 0)
		return conn_app_fail(env, c, now,
		    HTTP_STATUS_PAYLOAD_TOO_LARGE);
	x->body_read = x->used - x->end;
	if (!x->body_ok && x->req.expect_continue && x->used == x->end) {
		x->cont_off = 0;
		c->state = CONN_S_CONTINUE;
		c->due = now + (int64_t)env->cfg->send_timeout * 1000;
		return conn_continue_send(env, c, now);
	}
	return conn_app_start(env, c, now);
}

/* ---------------------------------------------------------------- */
/* Tunnels: after a 101, bytes pass both ways as they are */

/* The buffer of a tunnel's bytes on their way to the client. */
#define CONN_TUNNEL_BUF (16 * 1024)

/* Client to app; the events the client's socket waits for (EPOLLIN),
 * or -1 when the tunnel ends (a side closed or failed). */
static int
conn_tunnel_up(struct conn *c, int64_t now)
{
	struct conn_x *x = c->x;

	for (;;) {
		ssize_t n;

		if (x->used > 0) {
			ssize_t k = app_body(x->app, x->buf, x->used, false,
			    now);

			if (k < 0)
				return -1;
			memmove(x->buf, x->buf + k, x->used - (size_t)k);
			x->used -= (size_t)k;
			if (x->used > 0)
				return 0;	/* the app's turn */
		}
		n = sock_read(&c->sock, x->buf, x->cap);
		if (n == SOCK_AGAIN)
			return EPOLLIN;
		if (n <= 0)
			return -1;
		x->used = (size_t)n;
	}
}

/* App to client: the client's events (EPOLLOUT), or -1 at the end;
 * *pull: the app's bytes are wanted. */
static int
conn_tunnel_down(struct conn *c, bool *pull)
{
	struct conn_x *x = c->x;

	*pull = false;
	for (;;) {
		ssize_t n;

		if (x->t_off < x->t_len) {
			struct iovec iov = {
				.iov_base = x->tbuf + x->t_off,
				.iov_len = x->t_len - x->t_off,
			};

			n = sock_writev(&c->sock, &iov, 1, false);
			if (n == SOCK_AGAIN)
				return EPOLLOUT;
			if (n < 0)
				return -1;
			x->t_off += (size_t)n;
			continue;
		}
		n = app_pull(x->app, x->tbuf, CONN_TUNNEL_BUF);
		if (n > 0) {
			x->t_off = 0;
			x->t_len = (size_t)n;
			continue;
		}
		if (n < 0 && errno == EAGAIN) {
			*pull = true;
			return 0;
		}
		return -1;
	}
}

static enum conn_want
conn_tunnel(const struct conn_env *env, struct conn *c, int64_t now)
{
	struct app *a = c->x->app;
	bool pull;
	int up, down;

	conn_state(env, SCOREBOARD_WRITING);
	if (!app_in_time(a, now) || (up = conn_tunnel_up(c, now)) < 0 ||
	    (down = conn_tunnel_down(c, &pull)) < 0) {
		conn_app_end(env, c, false);
		conn_close(c);
		return CONN_CLOSED;
	}
	c->events = (uint32_t)(up | down);
	conn_app_watch(env, c, pull ? ~0u : ~(uint32_t)EPOLLIN);
	return conn_wait(env, c, CONN_WANT_APP, a->due);
}

/* The 101 is out: from now on the connection is a tunnel, until either
 * side closes or neither sends for upstream-timeout. */
static enum conn_want
conn_tunnel_start(const struct conn_env *env, struct conn *c, int64_t now)
{
	struct conn_x *x = c->x;

	conn_log(env, c, 0, '-');
	conn_out_put(x);
	c->served++;
	if ((x->tbuf = malloc(CONN_TUNNEL_BUF)) == NULL) {
		log_error("%s: no memory for a tunnel:", c->client);
		conn_close(c);
		return CONN_CLOSED;
	}
	app_tunnel_count(1);
	x->t_len = x->t_off = 0;
	/* What the client sent after its request is the tunnel's. */
	memmove(x->buf, x->buf + x->end, x->used - x->end);
	x->used -= x->end;
	x->end = 0;
	c->state = CONN_S_TUNNEL;
	return conn_tunnel(env, c, now);
}

/* ---------------------------------------------------------------- */
/* Requests */

/*
 * Plain HTTP sent to a TLS port: a 400 that says so, in plain text (the
 * client can read nothing else), and the connection closed.  A parse
 * error gets its own status as any other.
 */
static void
conn_plain_on_tls(struct conn *c)
{
	static const char body[] = "<!DOCTYPE html>\n<html><head><title>"
	    "400 Bad Request</title></head><body>\n<h1>Bad Request</h1>\n"
	    "<p>A plain HTTP request was sent to an HTTPS port: use "
	    "https://.</p>\n</body></html>\n";
	struct http_response *resp = &c->x->out->resp;

	http_response_error(resp, HTTP_STATUS_BAD_REQUEST);
	resp->mem = body;
	resp->mem_len = sizeof(body) - 1;
	resp->content_length = (off_t)resp->mem_len;
	c->x->req.keep_alive = false;
}

/* Who answers x->req: the router fills x->out->resp. */
static void
conn_route(const struct conn_env *env, struct conn *c)
{
	struct conn_x *x = c->x;
	const struct handler_ctx ctx = {
		.cfg = env->cfg,
		.roots = env->roots,
		.server_out = &x->server,
		.peer = &c->peer,
		.client_fd = c->sock.fd,
		.sb = env->sb,
		.listen = c->sock.listener >= 0 ? &env->cfg->listen[
		    c->sock.listener] : NULL,
		.tls = c->sock.server >= 0,
		.tls_server = c->sock.server >= 0 ? (size_t)c->sock.server : 0,
	};

	router_handle(&ctx, &x->req, &x->out->resp);
}

/* A whole header block is in x->buf[0..end): parse it and route it. */
static enum conn_want
conn_request(const struct conn_env *env, struct conn *c, int64_t now,
    int frame_status)
{
	struct conn_x *x = c->x;
	const struct http_limits lim = conn_limits(env->cfg);
	int status = frame_status;

	/* Room to read a body through behind the header (the slices of
	 * the request point into the buffer: grow it before parsing). */
	if ((x->cap - x->end < CONN_BODY_MIN && conn_x_grow(x) < 0) ||
	    (x->out == NULL && (x->out = conn_out_get()) == NULL)) {
		log_error("%s: no memory for a response:", c->client);
		conn_close(c);
		return CONN_CLOSED;
	}
	memset(&x->req, 0, sizeof(x->req));
	http_response_init(&x->out->resp);
	x->parsed = false;
	x->server = env->cfg->default_server;
	x->body_ok = false;
	x->counted = false;
	x->start_us = conn_wall_us();
	x->when = (time_t)(x->start_us / 1000000);
	if (status == 0) {
		status = http_parse_request(x->buf, x->end, &lim, &x->req);
		x->parsed = status == 0;
	}
	x->out->resp.head_only = x->req.method == HTTP_METHOD_HEAD;
	if (env->slot != NULL)
		scoreboard_begin_request(env->slot, x->req.request_line.p,
		    x->req.request_line.len, c->client);
	/* A pipelined request may have come after this round's look at
	 * the file changes (fcache.h). */
	if (x->steps > 0)
		fcache_sync();
	x->redirects = 0;
	if (x->parsed && sock_plain_on_tls(&c->sock))
		conn_plain_on_tls(c);
	else if (x->parsed)
		conn_route(env, c);
	else
		http_response_error(&x->out->resp, status);
	if (x->out->resp.app != NULL)
		return conn_app_begin(env, c, now);
	return conn_body_begin(env, c, now);
}

/* The header did not come (whole) in time: 408, or a silent close for
 * a connection that sent nothing. */
static enum conn_want
conn_header_late(const struct conn_env *env, struct conn *c, int64_t now)
{
	if (c->x == NULL || c->x->used == 0) {
		conn_close(c);
		return CONN_CLOSED;
	}
	c->x->end = c->x->used;
	return conn_request(env, c, now, HTTP_STATUS_REQUEST_TIMEOUT);
}

static enum conn_want
conn_header(const struct conn_env *env, struct conn *c, int64_t now)
{
	const struct http_limits lim = conn_limits(env->cfg);

	if (c->x == NULL && (c->x = conn_x_get()) == NULL) {
		log_error("%s: no memory for a request:", c->client);
		conn_close(c);
		return CONN_CLOSED;
	}
	for (;;) {
		struct conn_x *x = c->x;
		int status = 0;
		ssize_t n;

		if (x->used > 0) {
			enum http_frame_result r = http_parse_frame(x->buf,
			    x->used, &lim, &x->end, &status);

			if (r == HTTP_FRAME_COMPLETE)
				return conn_request(env, c, now, 0);
			/* A header longer than the first buffer: all of it. */
			if (r == HTTP_FRAME_INCOMPLETE && x->used >= x->cap &&
			    x->cap < conn_buf_cap && conn_x_grow(x) == 0)
				continue;
			if (r == HTTP_FRAME_ERROR || x->used >= x->cap) {
				x->end = x->used;
				return conn_request(env, c, now, status != 0 ?
				    status : HTTP_STATUS_HEADER_TOO_LARGE);
			}
		}
		n = sock_read(&c->sock, x->buf + x->used, x->cap - x->used);
		if (n == SOCK_AGAIN) {
			if (now >= c->due)
				return conn_header_late(env, c, now);
			/* A silent connection holds no buffer, and may
			 * make room for others (CONN_WANT_IDLE). */
			if (x->used == 0) {
				conn_x_put(x);
				c->x = NULL;
				return conn_wait(env, c, CONN_WANT_IDLE, c->due);
			}
			return conn_wait(env, c, CONN_WANT_READ, c->due);
		}
		if (n <= 0) {
			conn_close(c);
			return CONN_CLOSED;
		}
		x->used += (size_t)n;
	}
}

/* Back from idling: the first byte of the next request starts its
 * header-timeout. */
static enum conn_want
conn_idle(const struct conn_env *env, struct conn *c, int64_t now)
{
	ssize_t n;

	if (c->x == NULL && (c->x = conn_x_get()) == NULL) {
		conn_close(c);
		return CONN_CLOSED;
	}
	n = sock_read(&c->sock, c->x->buf, c->x->cap);
	if (n == SOCK_AGAIN) {
		conn_x_put(c->x);
		c->x = NULL;
		if (now >= c->due) {
			conn_close(c);
			return CONN_CLOSED;
		}
		return conn_wait(env, c, CONN_WANT_IDLE, c->due);
	}
	if (n <= 0) {
		conn_close(c);
		return CONN_CLOSED;
	}
	c->x->used = (size_t)n;
	c->state = CONN_S_HEADER;
	c->due = now + (int64_t)env->cfg->header_timeout * 1000;
	return conn_header(env, c, now);
}

/* ---------------------------------------------------------------- */
/* Lingering */

/*
 * Closing a socket with unread input makes the kernel send a reset, which
 * can destroy the response still in flight to the client.  So when the
 * client may still be sending (an error, an unread body), stop writing,
 * then read and drop what comes, as nginx's lingering close does: while
 * bytes keep coming (CONN_LINGER_MS of silence ends it), for at most
 * body-timeout, and no more than CONN_LINGER_BYTES beyond what is left
 * of a body the request declared (within body-max): a client still
 * uploading a body the answer did not need (a script that answered
 * without reading it) gets to the end of it and reads its answer.
 */
static enum conn_want
conn_linger_step(const struct conn_env *env, struct conn *c, int64_t now)
{
	struct conn_x *x = c->x;

	while (x->lingered < x->linger_cap) {
		ssize_t n = sock_read(&c->sock, x->buf, x->cap);

		if (n == SOCK_AGAIN && now < c->due)
			return conn_wait(env, c, CONN_WANT_READ, c->due);
		if (n <= 0)
			break;
		x->lingered += (uint64_t)n;
		c->due = now + CONN_LINGER_MS < x->linger_end ?
		    now + CONN_LINGER_MS : x->linger_end;
	}
	conn_close(c);
	return CONN_CLOSED;
}

/* What may still come of the request's body, within body-max. */
static uint64_t
conn_body_left(const struct config *cfg, const struct conn_x *x)
{
	uint64_t left = cfg->body_max;

	if (!x->parsed || x->body_ok || x->req.framing == HTTP_FRAMING_NONE)
		return 0;
	if (x->req.framing == HTTP_FRAMING_LENGTH &&
	    x->req.content_length - x->body_read < left)
		left = x->req.content_length > x->body_read ?
		    x->req.content_length - x->body_read : 0;
	return left;
}

static enum conn_want
conn_linger_start(const struct conn_env *env, struct conn *c, int64_t now)
{
	if (sock_shutdown_write(&c->sock) < 0) {
		conn_close(c);
		return CONN_CLOSED;
	}
	conn_state(env, SCOREBOARD_CLOSING);
	c->state = CONN_S_LINGER;
	c->due = now + CONN_LINGER_MS;
	c->x->lingered = 0;
	c->x->linger_cap = CONN_LINGER_BYTES + conn_body_left(env->cfg, c->x);
	c->x->linger_end = now + (int64_t)env->cfg->body_timeout * 1000;
	return conn_linger_step(env, c, now);
}

/* ---------------------------------------------------------------- */

enum conn_want
conn_step(const struct conn_env *env, struct conn *c, int64_t now)
{
	if (c->x != NULL)
		c->x->steps = 0;
	switch (c->state) {
	case CONN_S_HEADER:
		conn_state(env, SCOREBOARD_READING);
		return conn_header(env, c, now);
	case CONN_S_CONTINUE:
		return conn_continue_send(env, c, now);
	case CONN_S_BODY:
		return conn_body(env, c, now);
	case CONN_S_SEND:
		return conn_send(env, c, now);
	case CONN_S_IDLE:
		return conn_idle(env, c, now);
	case CONN_S_LINGER:
		return conn_linger_step(env, c, now);
	case CONN_S_APP:
		return conn_app(env, c, now);
	case CONN_S_TUNNEL:
		return conn_tunnel(env, c, now);
	}
	conn_close(c);
	return CONN_CLOSED;
}

void
conn_hurry(struct conn *c, int64_t until)
{
	if (c->x == NULL && c->due > until)
		c->due = until;
	if (c->deadline > c->due)
		c->deadline = c->due;
}

void
conn_abort(const struct conn_env *env, struct conn *c)
{
	if (c->x != NULL && c->x->out != NULL && c->state == CONN_S_SEND) {
		conn_log(env, c, c->x->out->reply.sent, 'X');
		sock_abort(&c->sock);
	}
	conn_close(c);
}
