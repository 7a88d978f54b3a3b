/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * proxy.c - the reverse proxy (proxy.h): the handler, the app kind that
 * frames the request body and de-frames the response (upstream.h), and
 * the worker's pool, round-robin and passive health.
 */
#include "autoconf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "app.h"
#include "backend.h"
#include "chunked.h"
#include "forward.h"
#include "http_response.h"
#include "log.h"
#include "net.h"
#include "proxy.h"
#include "upstream.h"

/* The upstreams this worker has seen, for health and round-robin. */
#define PROXY_PEERS 64

struct proxy_app {
	struct app app;			/* first: app.h's part */
	const struct backend *backends;	/* the scope's */
	size_t nbackends;
	size_t start;			/* round-robin: the first tried */
	size_t tried;			/* how many were tried or skipped */
	size_t attempts;		/* how many were tried */
	size_t cur;			/* the one in use */
	bool reused;			/* a->fd came from the pool */
	bool idempotent;		/* RFC 9110 §9.2.2 */
	bool head_request;
	bool websocket;			/* an upgrade was asked */
	bool has_body;
	bool chunked;			/* the body is re-framed as chunked */
	bool keep;			/* the upstream keeps the connection */
	struct upstream_reader rd;
	char reason[64];
	size_t prelude_len;
	char prelude[];			/* the head, for a retry */
};

struct proxy_idle {
	const struct backend *b;
	int fd;
	int64_t since;
};

static struct proxy_idle proxy_pool[PROXY_POOL_MAX];
static unsigned proxy_npool;

/* Health by upstream, and the round-robin turn by list of upstreams. */
static struct {
	const struct backend *b;
	int64_t down_until;
	size_t turn;
} proxy_peers[PROXY_PEERS];

/* ---------------------------------------------------------------- */
/* The worker's state */

/* b's entry (made on first use); NULL when the table is full. */
static size_t *
proxy_peer(const struct backend *b, int64_t **down)
{
	for (size_t i = 0; i < PROXY_PEERS; i++) {
		if (proxy_peers[i].b == NULL)
			proxy_peers[i].b = b;
		if (proxy_peers[i].b == b) {
			*down = &proxy_peers[i].down_until;
			return &proxy_peers[i].turn;
		}
	}
	return NULL;
}

static bool
proxy_is_down(const struct backend *b, int64_t now)
{
	int64_t *down;

	return proxy_peer(b, &down) != NULL && *down > now;
}

static void
proxy_mark_down(const struct backend *b, int64_t now)
{
	int64_t *down;

	if (proxy_peer(b, &down) != NULL)
		*down = now + PROXY_DOWN_MS;
}

/* Whether an idle upstream connection is still open and quiet. */
static bool
proxy_alive(int fd)
{
	char c;
	ssize_t n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);

	/* EOF, or bytes nobody asked for: either way it is done. */
	return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

/*
 * A pooled connection to b that is still good, or -1.  Each is looked at
 * first: one the upstream closed, or that holds bytes nobody asked for
 * (a response longer than it said), must not carry a request, or those
 * bytes would be read as its answer.
 */
static int
proxy_pool_get(const struct backend *b, int64_t now)
{
	for (unsigned i = proxy_npool; i-- > 0;) {
		struct proxy_idle e = proxy_pool[i];

		if (e.b != b)
			continue;
		proxy_pool[i] = proxy_pool[--proxy_npool];
		if (now - e.since < PROXY_POOL_IDLE_MS && proxy_alive(e.fd))
			return e.fd;
		close(e.fd);
	}
	return -1;
}

/* Keeps fd for b; the oldest goes when the pool is full. */
static void
proxy_pool_put(const struct backend *b, int fd, int64_t now)
{
	if (proxy_npool == PROXY_POOL_MAX) {
		unsigned old = 0;

		for (unsigned i = 1; i < proxy_npool; i++)
			if (proxy_pool[i].since < proxy_pool[old].since)
				old = i;
		close(proxy_pool[old].fd);
		proxy_pool[old] = proxy_pool[--proxy_npool];
	}
	proxy_pool[proxy_npool].b = b;
	proxy_pool[proxy_npool].fd = fd;
	proxy_pool[proxy_npool].since = now;
	proxy_npool++;
}

/* ---------------------------------------------------------------- */
/* Reaching an upstream */

/*
 * A connection to the next upstream to try, from the pool or new: the
 * fd (p->cur, p->reused, *connecting set), or -1 when none is left.
 * down: try those marked down too.
 */
static int
proxy_open_next(struct proxy_app *p, int64_t now, bool down, bool *connecting)
{
	while (p->tried < p->nbackends) {
		size_t i = (p->start + p->tried++) % p->nbackends;
		const struct backend *b = &p->backends[i];
		int fd;

		int e;

		if (!down && proxy_is_down(b, now))
			continue;
		p->cur = i;
		p->attempts++;
		*connecting = false;
		if ((fd = proxy_pool_get(b, now)) >= 0) {
			p->reused = true;
			return fd;
		}
		p->reused = false;
		if ((fd = backend_connect(b, connecting)) >= 0)
			return fd;
		e = errno;
		log_error("proxy %s: cannot connect:", b->label);
		if (e == ECONNREFUSED || e == ENOENT)
			proxy_mark_down(b, now);
	}
	return -1;
}

/* The first connection of a request: round-robin, skipping the
 * upstreams marked down, unless all are. */
static int
proxy_open(struct proxy_app *p, int64_t now, bool *connecting)
{
	size_t *turn;
	int64_t *down;
	int fd;

	turn = proxy_peer(&p->backends[0], &down);
	p->start = turn != NULL ? (*turn)++ % p->nbackends : 0;
	if ((fd = proxy_open_next(p, now, false, connecting)) >= 0 ||
	    p->attempts > 0)
		return fd;
	/* All were marked down: they are tried all the same. */
	p->tried = 0;
	return proxy_open_next(p, now, true, connecting);
}

/* ---------------------------------------------------------------- */
/* The app kind */

/* Body bytes as they are: a Content-Length body, or a tunnel. */
static size_t
proxy_copy(struct app *a, const char *data, size_t n)
{
	size_t k = app_out_room(a);
	char *o;

	if (k > n)
		k = n;
	if (k == 0 || (o = app_out(a, k)) == NULL)
		return 0;
	memcpy(o, data, k);
	app_out_commit(a, k);
	return k;
}

/* RFC 9112 §7.1: one chunk of what fits, and the last-chunk at the end
 * (room for it is always kept, so it never has to wait). */
static size_t
proxy_chunk(struct app *a, const char *data, size_t n, bool last)
{
	const size_t over = CHUNKED_ENCODE_HEAD_MAX + CHUNKED_ENCODE_TAIL_LEN +
	    CHUNKED_ENCODE_LAST_LEN;
	size_t room = app_out_room(a), k, used = 0;
	char *o;

	k = room > over ? room - over : 0;
	if (k > n)
		k = n;
	if ((k == 0 && !(last && n == 0)) ||
	    (o = app_out(a, k + over)) == NULL)
		return 0;
	if (k > 0) {
		used = chunked_encode_head(k, o, CHUNKED_ENCODE_HEAD_MAX);
		memcpy(o + used, data, k);
		used += k;
		memcpy(o + used, chunked_encode_tail, CHUNKED_ENCODE_TAIL_LEN);
		used += CHUNKED_ENCODE_TAIL_LEN;
	}
	if (last && k == n)
		used += chunked_encode_last(o + used, CHUNKED_ENCODE_LAST_LEN);
	app_out_commit(a, used);
	return k;
}

static size_t
proxy_frame(struct app *a, const char *data, size_t n, bool last)
{
	struct proxy_app *p = (struct proxy_app *)a;

	if (p->chunked && !a->upgraded)
		return proxy_chunk(a, data, n, last);
	return proxy_copy(a, data, n);
}

static enum app_decode
proxy_decode(struct app *a, const char *in, size_t n, bool eof, size_t *took,
    const char **data, size_t *len)
{
	struct proxy_app *p = (struct proxy_app *)a;
	size_t off = 0;

	switch (upstream_take(&p->rd, in, n, eof, took, &off, len)) {
	case UPSTREAM_DATA:
		*data = in + off;
		return APP_DEC_DATA;
	case UPSTREAM_END:
		return APP_DEC_END;
	case UPSTREAM_MORE:
		return APP_DEC_MORE;
	default:
		return APP_DEC_ERROR;
	}
}

/* One field of the upstream's into resp, after the route's own (the
 * router put them there first). */
static int
proxy_add(struct proxy_app *p, struct http_response *resp,
    struct http_slice n, struct http_slice v)
{
	if (http_response_add_field(resp, n.p, n.len, v.p, v.len) < 0) {
		log_error("proxy %s: the response has more header fields "
		    "than we pass (%d, %d bytes)", p->app.label,
		    HTTP_FIELDS_MAX, HTTP_FIELD_BYTES);
		return -1;
	}
	return 0;
}

/*
 * The upstream's fields into resp, but for the hop-by-hop ones and Date
 * and Server (ours are sent; nginx drops the upstream's the same way).
 */
static int
proxy_fields(struct proxy_app *p, const struct upstream_head *h,
    struct http_response *resp)
{
	struct forward_hop hop;
	struct http_slice n, v;
	size_t pos = 0;

	forward_hop_init(&hop, h->fields);
	while (upstream_field_next(h, &pos, &n, &v)) {
		if (forward_hop_by_hop(&hop, n) ||
		    http_slice_eq_nocase(n, "Date") ||
		    http_slice_eq_nocase(n, "Server"))
			continue;
		if (proxy_add(p, resp, n, v) < 0)
			return -1;
	}
	return 0;
}

/* The status line's parts into resp. */
static void
proxy_status(struct proxy_app *p, const struct upstream_head *h,
    struct http_response *resp)
{
	resp->status = h->status;
	resp->reason = NULL;
	if (h->reason.len > 0 && h->reason.len < sizeof(p->reason)) {
		memcpy(p->reason, h->reason.p, h->reason.len);
		p->reason[h->reason.len] = '\0';
		resp->reason = p->reason;
	}
}

/* A 101: the tunnel, if that is what was asked. */
static enum app_head
proxy_upgrade(struct proxy_app *p, const struct upstream_head *h,
    struct http_response *resp)
{
	static const struct http_slice up = { "Upgrade", 7 },
	    ws = { "websocket", 9 };

	if (!p->websocket || !h->upgrade_websocket)
		return APP_HEAD_BAD;
	proxy_status(p, h, resp);
	/* Connection: upgrade is the connection's to write (resp->upgrade). */
	if (proxy_fields(p, h, resp) < 0 || proxy_add(p, resp, up, ws) < 0)
		return APP_HEAD_BAD;
	resp->content_length = -1;
	upstream_body(&p->rd, h);
	p->keep = false;
	return APP_HEAD_UPGRADE;
}

static enum app_head
proxy_head(struct app *a, const char *in, size_t len,
    struct http_response *resp)
{
	struct proxy_app *p = (struct proxy_app *)a;
	struct upstream_head h;

	if (upstream_parse_head(in, len, p->head_request, &h) < 0)
		return APP_HEAD_BAD;
	if (h.status == HTTP_STATUS_SWITCHING_PROTOCOLS)
		return proxy_upgrade(p, &h, resp);
	if (h.status < 200) {
		/* 100, 102, 103: nothing the client needs from us. */
		upstream_next_head(&p->rd);
		return APP_HEAD_INTERIM;
	}
	proxy_status(p, &h, resp);
	if (proxy_fields(p, &h, resp) < 0)
		return APP_HEAD_BAD;
	resp->content_length = -1;
	if (h.framing == UPSTREAM_BODY_LENGTH)
		resp->content_length = (off_t)h.content_length;
	else if (p->head_request && h.has_length &&
	    h.status != HTTP_STATUS_NOT_MODIFIED)
		/* RFC 9110 §8.6: a HEAD's Content-Length is the GET's. */
		resp->content_length = (off_t)h.content_length;
	p->keep = h.keep_alive;
	upstream_body(&p->rd, &h);
	return APP_HEAD_FINAL;
}

static void
proxy_end(struct app *a, bool complete)
{
	struct proxy_app *p = (struct proxy_app *)a;

	/* Only a connection whose exchange ended exactly where both sides
	 * think it did can carry another. */
	if (a->fd >= 0 && complete && p->keep && !a->upgraded &&
	    !p->rd.extra && (!p->has_body || a->body_end) &&
	    a->out_off == a->out_len)
		proxy_pool_put(&p->backends[p->cur], a->fd, net_now_ms());
	else if (a->fd >= 0)
		close(a->fd);
	a->fd = -1;
	free(p);
}

/* Writes the prelude (the head) into the output. */
static int
proxy_prelude(struct proxy_app *p)
{
	char *o = app_out(&p->app, p->prelude_len);

	if (o == NULL)
		return -1;
	memcpy(o, p->prelude, p->prelude_len);
	app_out_commit(&p->app, p->prelude_len);
	return 0;
}

static int
proxy_retry(struct app *a)
{
	struct proxy_app *p = (struct proxy_app *)a;
	int64_t now = net_now_ms();
	bool connecting = false;
	int fd = -1;

	/* RFC 9110 §9.2.2: only an idempotent request may be sent twice. */
	if (a->sent > 0 && !p->idempotent)
		return -1;
	if (a->connecting)
		proxy_mark_down(&p->backends[p->cur], now);
	close(a->fd);
	a->fd = -1;
	if (p->reused) {
		/* The pooled connection had been closed: a fresh one to the
		 * same upstream is no new try. */
		p->reused = false;
		fd = backend_connect(&p->backends[p->cur], &connecting);
	}
	if (fd < 0 && (fd = proxy_open_next(p, now, false, &connecting)) < 0)
		return -1;
	a->fd = fd;
	a->connecting = connecting;
	snprintf(a->label, sizeof(a->label), "%s", p->backends[p->cur].label);
	upstream_init(&p->rd, APP_HEAD_MAX);
	return proxy_prelude(p);
}

static const struct app_kind proxy_kind = {
	.name = "proxy",
	.frame = proxy_frame,
	.decode = proxy_decode,
	.head = proxy_head,
	.end = proxy_end,
	.retry = proxy_retry
};

/* ---------------------------------------------------------------- */
/* The handler */

/* RFC 9110 §9.2.2: GET, HEAD, OPTIONS, TRACE, PUT and DELETE. */
static bool
proxy_idempotent(enum http_method m)
{
	return m == HTTP_METHOD_GET || m == HTTP_METHOD_HEAD ||
	    m == HTTP_METHOD_OPTIONS || m == HTTP_METHOD_TRACE ||
	    m == HTTP_METHOD_PUT || m == HTTP_METHOD_DELETE;
}

/* The head for req into buf; 0 when it does not fit. */
static size_t
proxy_build(const struct handler_ctx *ctx, const struct http_request *req,
    bool ws, char *buf, size_t cap)
{
	const struct backend *b = &ctx->scope->backends[0];
	struct forward_info fi;

	memset(&fi, 0, sizeof(fi));
	/* The prefix is the first upstream's: a route's upstreams are one
	 * application, so they share it (forkhttpd.conf(5)). */
	fi.prefix = b->prefix;
	fi.path = ctx->path;
	fi.path_len = ctx->path_len;
	fi.match_len = ctx->match != NULL ? ctx->match->prefix_len : 0;
	fi.peer = ctx->peer;
	fi.proto = ctx->tls ? "https" : "http";
	fi.host = b->host != NULL ? b->host : "localhost";
	fi.websocket = ws;
	return forward_head(req, &fi, buf, cap);
}

/* The exchange for req, set up: p, connected (or connecting). */
static struct proxy_app *
proxy_new(const struct handler_ctx *ctx, const struct http_request *req,
    bool ws, const char *head, size_t len)
{
	const struct config_scope *sc = ctx->scope;
	const struct config *cfg = ctx->cfg;
	struct proxy_app *p = calloc(1, sizeof(*p) + len);
	bool connecting = false;
	int fd;

	if (p == NULL)
		return NULL;
	p->backends = sc->backends;
	p->nbackends = sc->nbackends;
	p->idempotent = proxy_idempotent(req->method);
	p->head_request = req->method == HTTP_METHOD_HEAD;
	p->has_body = req->has_body;
	p->chunked = req->framing == HTTP_FRAMING_CHUNKED;
	p->prelude_len = len;
	memcpy(p->prelude, head, len);
	upstream_init(&p->rd, APP_HEAD_MAX);
	if ((fd = proxy_open(p, net_now_ms(), &connecting)) < 0) {
		free(p);
		errno = ECONNREFUSED;
		return NULL;
	}
	if (app_init(&p->app, &proxy_kind, fd, connecting,
	    p->backends[p->cur].label,
	    (int64_t)cfg->upstream_connect_timeout * 1000,
	    (int64_t)cfg->upstream_timeout * 1000) < 0 ||
	    proxy_prelude(p) < 0) {
		close(fd);
		free(p->app.out);
		free(p->app.in);
		free(p);
		errno = ENOMEM;
		return NULL;
	}
	p->websocket = ws;
	return p;
}

int
proxy_handle(const struct handler_ctx *ctx, const struct http_request *req,
    struct http_response *resp)
{
	const struct config_scope *sc = ctx->scope;
	unsigned cap = ctx->cfg->worker_connections / 2;
	bool ws = sc->websocket && forward_is_websocket(req);
	char head[APP_HEAD_MAX];
	struct proxy_app *p;
	size_t len;

	if (sc->nbackends == 0 || ctx->peer == NULL) {
		http_response_error(resp, HTTP_STATUS_INTERNAL_ERROR);
		return resp->status;
	}
	if (ws && app_tunnel_count(0) >= (cap > 0 ? cap : 1)) {
		log_warn("proxy %s: %u WebSocket tunnels open, the most a "
		    "worker keeps: 503", sc->backends[0].label,
		    app_tunnel_count(0));
		http_response_error(resp, HTTP_STATUS_SERVICE_UNAVAILABLE);
		return resp->status;
	}
	if ((len = proxy_build(ctx, req, ws, head, sizeof(head))) == 0) {
		log_warn("proxy %s: the request head is longer than %d bytes",
		    sc->backends[0].label, APP_HEAD_MAX);
		http_response_error(resp, HTTP_STATUS_HEADER_TOO_LARGE);
		return resp->status;
	}
	if ((p = proxy_new(ctx, req, ws, head, len)) == NULL) {
		if (errno == ENOMEM)
			log_error("proxy: out of memory");
		else
			log_error("proxy %s: no upstream can be reached",
			    sc->backends[0].label);
		http_response_error(resp, errno == ENOMEM ?
		    HTTP_STATUS_INTERNAL_ERROR : HTTP_STATUS_BAD_GATEWAY);
		return resp->status;
	}
	resp->app = &p->app;
	return 0;
}
