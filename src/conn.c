/*
 * conn.c - one connection: read a header block, answer it, and go on while
 * requests are buffered; a keep-alive connection with nothing buffered
 * goes back to the worker to wait, idle, with the others (worker.c).
 *
 * The buffer is the worker's, allocated once: header-max bytes for a
 * header block and CONN_BODY_WINDOW more that request bodies pass through
 * (read and dropped: we serve files, so no body is ever kept).  Bytes
 * after the end of one request (a pipelined one) stay in the buffer and
 * are parsed next, so requests are answered in order; so the buffer is
 * empty whenever a connection goes idle, and serves the next one.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "chunked.h"
#include "conn.h"
#include "http_parse.h"
#include "listing.h"
#include "http_response.h"
#include "log.h"
#include "net.h"
#include "range.h"
#include "router.h"
#include "scoreboard.h"

/* Room for the status line and header fields of any response we send. */
#define CONN_RESPONSE_HEAD_MAX (HTTP_LOCATION_MAX + 1024)

/* Room behind the header block for reading request bodies through. */
#define CONN_BODY_WINDOW (16 * 1024)

/* RFC 9110 §15.2.1: the interim response to Expect: 100-continue. */
static const char conn_continue[] = "HTTP/1.1 100 Continue\r\n\r\n";

/* After an error, read and drop at most this much before closing. */
#define CONN_LINGER_BYTES (64 * 1024)
#define CONN_LINGER_MS 2000

static char *conn_buf;
static size_t conn_cap;

/* The log buffers of responses going on in the background: a stack of
 * the free ones. */
static char *conn_logs[CONN_SENDING_MAX];
static size_t conn_nlogs;

/* conn_send(): the file body goes on in the background (c->sending). */
#define CONN_SEND_PAUSED ((off_t)-2)

/* The Date value changes once a second: format it once a second. */
static time_t conn_date_time = -1;
static char conn_date[HTTP_DATE_LEN];

int
conn_init(const struct config *cfg)
{
	free(conn_buf);
	conn_cap = cfg->header_max + CONN_BODY_WINDOW;
	conn_buf = malloc(conn_cap);
	if (conn_buf == NULL)
		return -1;
	for (; conn_nlogs < CONN_SENDING_MAX; conn_nlogs++)
		if ((conn_logs[conn_nlogs] = malloc(CONN_LOG_KEEP)) == NULL)
			return -1;
	return cfg->directory_listing ? listing_init() : 0;
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

/*
 * Closing a socket with unread input makes the kernel send a reset, which
 * can destroy the response still in flight to the client.  So when the
 * client may still be sending (an error, an unread body), stop writing,
 * then read and drop what comes for a short, bounded while.
 */
static void
conn_linger(int fd)
{
	int64_t deadline = net_now_ms() + CONN_LINGER_MS;
	size_t total = 0;

	if (shutdown(fd, SHUT_WR) < 0)
		return;
	while (total < CONN_LINGER_BYTES) {
		ssize_t n = net_read(fd, conn_buf, conn_cap, deadline);

		if (n <= 0)
			break;
		total += (size_t)n;
	}
}

/*
 * The parts of a multipart/byteranges body (RFC 9110 §14.6): each part's
 * header from memory, its bytes with sendfile(), then the closing
 * delimiter.  Returns 0, or -1 if the client is gone.
 */
static int
conn_send_ranges(int fd, const struct http_response *resp,
    int64_t deadline, int stall_ms)
{
	const struct range_set *set = resp->ranges;
	uint64_t size = resp->range_complete;
	char part[RANGE_PART_HEADER_MAX];
	struct iovec iov;

	for (unsigned i = 0; i < set->n; i++) {
		off_t off = (off_t)set->r[i].first;

		iov.iov_base = part;
		iov.iov_len = range_part_header(set, i, resp->boundary,
		    resp->content_type, size, part, sizeof(part));
		if (iov.iov_len == 0 ||
		    net_send_all(fd, &iov, 1, true, deadline, stall_ms) < 0 ||
		    net_sendfile_all(fd, resp->fd, &off,
		    (off_t)(set->r[i].last - set->r[i].first + 1), deadline,
		    stall_ms) < 0)
			return -1;
	}
	iov.iov_base = part;
	iov.iov_len = range_multipart_trailer(resp->boundary, part,
	    sizeof(part));
	if (iov.iov_len == 0)
		return -1;
	return net_send_all(fd, &iov, 1, false, deadline, stall_ms);
}

/*
 * Hands the rest of resp's file, [off, end), to c->snd: the worker sends
 * it as the client takes it, serving others meanwhile.  The file becomes
 * c's (a cached one is dup()ed: the cache may close its own).  Returns
 * 0, or -1 when no log buffer is free or dup() failed: then the caller
 * sends the rest itself.
 */
static int
conn_pause(struct conn *c, struct http_response *resp, off_t off,
    off_t end, int stall_ms)
{
	struct conn_sending *snd = &c->snd;
	int file_fd = resp->fd;

	if (conn_nlogs == 0)
		return -1;
	if (resp->fd_cached &&
	    (file_fd = fcntl(resp->fd, F_DUPFD_CLOEXEC, 0)) < 0)
		return -1;
	if (!resp->fd_cached)
		resp->fd = -1;	/* c's now: not closed with the response */
	memset(snd, 0, sizeof(*snd));
	snd->file_fd = file_fd;
	snd->start = resp->offset;
	snd->off = off;
	snd->end = end;
	snd->deadline = net_now_ms() + stall_ms;
	snd->check = net_now_ms() + NET_SEND_SLICE_MS;
	snd->queued = net_send_queued(c->fd);
	snd->log = conn_logs[--conn_nlogs];
	c->sending = true;
	return 0;
}

/*
 * Sends resp; returns the body bytes sent, or -1 if the client is gone.
 * send-timeout bounds each stall, not the whole response: a large file
 * to a slow but reading client must not be cut off.  With c non-NULL a
 * file body that does not fit in the socket goes on in the background:
 * CONN_SEND_PAUSED (see conn_pause()).
 */
static off_t
conn_send(const struct config *cfg, int fd, struct http_response *resp,
    time_t now, struct conn *c)
{
	char head[CONN_RESPONSE_HEAD_MAX];
	int stall = (int)cfg->send_timeout * 1000;
	int64_t deadline = net_now_ms() + stall;
	bool body = !resp->head_only && resp->body != HTTP_BODY_NONE;
	bool file = body && (resp->body == HTTP_BODY_FILE ||
	    resp->body == HTTP_BODY_RANGES) && resp->content_length > 0;
	struct iovec iov[2];
	size_t hlen;
	int iovcnt = 1;

	hlen = http_response_format(resp, conn_date_now(now), head,
	    sizeof(head));
	if (hlen == 0) {
		/* Only an absurd Location could do this; answer plainly. */
		log_error("response header too large for %d", resp->status);
		resp->location_len = 0;
		resp->keep_alive = false;
		http_response_error(resp, HTTP_STATUS_INTERNAL_ERROR);
		body = !resp->head_only;
		file = false;
		hlen = http_response_format(resp, conn_date_now(now), head,
		    sizeof(head));
	}
	iov[0].iov_base = head;
	iov[0].iov_len = hlen;
	if (body && resp->body == HTTP_BODY_MEM) {
		iov[1].iov_base = (void *)(uintptr_t)resp->mem;
		iov[1].iov_len = resp->mem_len;
		iovcnt = 2;
	}
	if (net_send_all(fd, iov, iovcnt, file, deadline, stall) < 0)
		return -1;
	if (file && resp->body == HTTP_BODY_RANGES)
		return conn_send_ranges(fd, resp, deadline, stall) < 0 ? -1 :
		    resp->content_length;
	if (file) {
		off_t off = resp->offset, end = off + resp->content_length;
		int r = 1;

		if (c != NULL && (r = net_sendfile_some(fd, resp->fd, &off,
		    end)) == 1 && conn_pause(c, resp, off, end, stall) == 0)
			return CONN_SEND_PAUSED;
		if (r == 1 && net_sendfile_all(fd, resp->fd, &off, end - off,
		    deadline, stall) < 0)
			r = -1;
		if (r < 0) {
			if (errno == EIO)
				log_error("file shrank while being sent "
				    "(status %d)", resp->status);
			return -1;
		}
		return resp->content_length;
	}
	return body && resp->body == HTTP_BODY_MEM ? (off_t)resp->mem_len : 0;
}

static void
conn_log(const char *client, const struct http_request *req, bool parsed,
    int status, off_t bytes, time_t now)
{
	struct log_access_entry e = {
		.client = client,
		.when = now,
		.request_line = "-",
		.request_line_len = 1,
		.status = status,
		.bytes = bytes,
	};

	if (req->request_line.len > 0) {
		e.request_line = req->request_line.p;
		e.request_line_len = req->request_line.len;
	}
	if (parsed && req->referer.p != NULL) {
		e.referer = req->referer.p;
		e.referer_len = req->referer.len;
	}
	if (parsed && req->user_agent.p != NULL) {
		e.user_agent = req->user_agent.p;
		e.user_agent_len = req->user_agent.len;
	}
	log_access(&e);
}

/* Copies at most n bytes of p to the rest of buf (cap in all, *used so
 * far); returns how many. */
static size_t
conn_keep(char *buf, size_t cap, size_t *used, const char *p, size_t n)
{
	if (n > cap - *used)
		n = cap - *used;
	memcpy(buf + *used, p, n);
	*used += n;
	return n;
}

/*
 * The access log's fields of req, copied into c->snd.log for when its
 * body is out.  CONN_LOG_KEEP is the longest access log line, so a field
 * cut here would have been cut in the line anyway.
 */
static void
conn_keep_log(struct conn *c, const struct http_request *req, bool parsed)
{
	struct conn_sending *snd = &c->snd;
	size_t used = 0;

	if (req->request_line.len > 0)
		snd->line_len = conn_keep(snd->log, CONN_LOG_KEEP, &used,
		    req->request_line.p, req->request_line.len);
	else
		snd->line_len = conn_keep(snd->log, CONN_LOG_KEEP, &used, "-",
		    1);
	snd->has_ref = parsed && req->referer.p != NULL;
	if (snd->has_ref)
		snd->ref_len = conn_keep(snd->log, CONN_LOG_KEEP, &used,
		    req->referer.p, req->referer.len);
	snd->has_ua = parsed && req->user_agent.p != NULL;
	if (snd->has_ua)
		snd->ua_len = conn_keep(snd->log, CONN_LOG_KEEP, &used,
		    req->user_agent.p, req->user_agent.len);
}

/*
 * The end of a response sent in the background: logged with the body
 * bytes that went out, counted, its file closed; then the connection
 * goes idle when all went out and keep-alive allows, else it is closed.
 */
static enum conn_after
conn_send_done(const struct conn_env *env, struct conn *c, bool complete)
{
	struct conn_sending *snd = &c->snd;
	off_t bytes = snd->off - snd->start;
	struct log_access_entry e = {
		.client = c->client,
		.when = snd->when,
		.request_line = snd->log,
		.request_line_len = snd->line_len,
		.status = snd->status,
		.bytes = bytes,
		.referer = snd->has_ref ? snd->log + snd->line_len : NULL,
		.referer_len = snd->ref_len,
		.user_agent = snd->has_ua ? snd->log + snd->line_len +
		    snd->ref_len : NULL,
		.user_agent_len = snd->ua_len,
	};

	log_access(&e);
	if (env->slot != NULL)
		scoreboard_background_done(env->slot, (uint64_t)bytes);
	close(snd->file_fd);
	snd->file_fd = -1;
	conn_logs[conn_nlogs++] = snd->log;
	snd->log = NULL;
	c->sending = false;
	if (complete && snd->keep_alive && !*env->stop)
		return CONN_IDLE;
	close(c->fd);
	c->fd = -1;
	return CONN_CLOSED;
}

enum conn_after
conn_send_more(const struct conn_env *env, struct conn *c, int64_t now_ms)
{
	struct conn_sending *snd = &c->snd;
	int stall = (int)env->cfg->send_timeout * 1000;
	off_t before = snd->off;
	int r, q;

	r = net_sendfile_some(c->fd, snd->file_fd, &snd->off, snd->end);
	if (r == 1) {
		if (snd->off > before)
			snd->deadline = now_ms + stall;
		/*
		 * Linux reports a socket writable only once a third of its
		 * buffer is free, so a client that reads slowly shows only
		 * as its send queue shrinking: look at it now and then.
		 */
		if (now_ms >= snd->check || snd->off > before) {
			q = net_send_queued(c->fd);
			if (snd->off == before && q >= 0 && snd->queued >= 0 &&
			    q < snd->queued)
				snd->deadline = now_ms + stall;
			snd->queued = q;
			snd->check = now_ms + NET_SEND_SLICE_MS;
		}
		if (now_ms < snd->deadline)
			return CONN_SENDING;
		r = -1;
	} else if (r < 0 && errno == EIO)
		log_error("file shrank while being sent (status %d)",
		    snd->status);
	return conn_send_done(env, c, r == 0);
}

void
conn_send_abort(const struct conn_env *env, struct conn *c)
{
	conn_send_done(env, c, false);
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

/*
 * Reads until buf holds a whole header block.  Returns HTTP_FRAME_COMPLETE
 * with *end set, HTTP_FRAME_ERROR with *status set (408 included), or
 * HTTP_FRAME_INCOMPLETE when the connection should just be closed (the
 * client left).  The whole header must arrive within header-timeout of
 * the call: a total, so trickling bytes cannot hold the worker.
 */
static enum http_frame_result
conn_read_header(const struct config *cfg, const struct http_limits *lim,
    int fd, size_t *used, size_t *end, int *status)
{
	int64_t deadline = net_now_ms() + (int64_t)cfg->header_timeout * 1000;

	for (;;) {
		enum http_frame_result r;
		ssize_t n;

		if (*used > 0) {
			r = http_parse_frame(conn_buf, *used, lim, end, status);
			if (r != HTTP_FRAME_INCOMPLETE)
				return r;
			if (*used >= conn_cap) {
				*status = HTTP_STATUS_HEADER_TOO_LARGE;
				return HTTP_FRAME_ERROR;
			}
		}
		n = net_read(fd, conn_buf + *used, conn_cap - *used, deadline);
		if (n == 0)
			return HTTP_FRAME_INCOMPLETE;
		if (n < 0) {
			if (errno == ETIMEDOUT && *used > 0) {
				*status = HTTP_STATUS_REQUEST_TIMEOUT;
				return HTTP_FRAME_ERROR;
			}
			return HTTP_FRAME_INCOMPLETE;
		}
		*used += (size_t)n;
	}
}

/*
 * Reads and drops the body of req, whose first bytes (if any) are at
 * conn_buf[end..*used).  The whole body must arrive within body-timeout
 * (a total, like the header's) and be at most body-max bytes of data.
 * On return 0, conn_buf[end..*used) holds what followed the body: the
 * next pipelined request.  Otherwise returns the status to answer with
 * (400 for a broken chunked coding, 408, 413), or -1 if the client left.
 */
static int
conn_discard_body(const struct config *cfg, int fd,
    const struct http_request *req, size_t end, size_t *used)
{
	int64_t deadline = net_now_ms() + (int64_t)cfg->body_timeout * 1000;
	uint64_t left = req->content_length;
	struct chunked_decoder dec;

	if (req->framing == HTTP_FRAMING_CHUNKED)
		chunked_init(&dec, cfg->header_max);
	for (;;) {
		size_t avail = *used - end, take;
		bool done;
		ssize_t n;

		if (req->framing == HTTP_FRAMING_CHUNKED) {
			enum chunked_result r;
			uint64_t data;

			r = chunked_decode(&dec, conn_buf + end, avail, &take,
			    &data);
			if (r == CHUNKED_ERROR)
				return HTTP_STATUS_BAD_REQUEST;
			if (dec.total > cfg->body_max)
				return HTTP_STATUS_PAYLOAD_TOO_LARGE;
			done = r == CHUNKED_DONE;
		} else {
			take = avail < left ? avail : (size_t)left;
			left -= take;
			done = left == 0;
		}
		memmove(conn_buf + end, conn_buf + end + take, avail - take);
		*used -= take;
		if (done)
			return 0;
		/* Not done means every byte was taken: the window is empty. */
		n = net_read(fd, conn_buf + end, conn_cap - end, deadline);
		if (n == 0)
			return -1;
		if (n < 0)
			return errno == ETIMEDOUT ? HTTP_STATUS_REQUEST_TIMEOUT : -1;
		*used += (size_t)n;
	}
}

/*
 * What to do with a request's body before the response goes out.
 * Returns true when the body was read (or there was none) and the
 * connection may go on; false when it is closed after the response,
 * which then may have been replaced by an error.
 */
static bool
conn_body(const struct config *cfg, int fd, const struct http_request *req,
    struct http_response *resp, size_t end, size_t *used)
{
	int status;

	if (req->framing == HTTP_FRAMING_NONE)
		return true;
	/* Too large by its own account: say so without reading it. */
	if (req->framing == HTTP_FRAMING_LENGTH &&
	    req->content_length > cfg->body_max) {
		http_response_error(resp, HTTP_STATUS_PAYLOAD_TOO_LARGE);
		return false;
	}
	if (req->expect_continue && *used == end) {
		/*
		 * RFC 9110 §10.1.1: a server that receives 100-continue
		 * either sends 100 and reads the content, or sends the final
		 * status without reading it.  An error needs no body, and
		 * then the client need not send it: answer, then close.
		 */
		struct iovec iov = { .iov_base = (void *)(uintptr_t)conn_continue,
		    .iov_len = sizeof(conn_continue) - 1 };

		if (resp->status >= 400)
			return false;
		if (net_send_all(fd, &iov, 1, false, net_now_ms() +
		    (int64_t)cfg->send_timeout * 1000, 0) < 0)
			return false;
	}
	status = conn_discard_body(cfg, fd, req, end, used);
	if (status == 0)
		return true;
	/* A client that left gets its answer written to nobody; logged. */
	http_response_error(resp, status < 0 ? HTTP_STATUS_BAD_REQUEST :
	    status);
	return false;
}

void
conn_open(struct conn *c, int fd, const struct sockaddr_storage *peer)
{
	c->fd = fd;
	c->served = 0;
	c->sending = false;
	c->peer = *peer;
	net_peer_name(peer, c->client, sizeof(c->client));
}

enum conn_after
conn_serve(const struct conn_env *env, struct conn *c)
{
	const struct config *cfg = env->cfg;
	const struct http_limits lim = {
		.request_line_max = cfg->request_line_max,
		.field_max = cfg->header_field_max,
		.header_max = cfg->header_max,
		.fields_max = cfg->header_fields_max,
	};
	struct router_client rclient;
	int fd = c->fd;
	size_t used = 0;
	bool linger = false;

	rclient.peer = &c->peer;
	rclient.sb = env->sb;
	if (c->served > 0) {
		/*
		 * Back from idling: the worker saw the connection readable,
		 * so one read() without waiting takes the request (or the
		 * end of stream); nothing there after all is not worth a
		 * wait that would hold the worker.
		 */
		ssize_t n = read(fd, conn_buf, conn_cap);

		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return CONN_IDLE;
		if (n <= 0)
			goto done;
		used = (size_t)n;
	}
	conn_state(env, SCOREBOARD_READING);
	for (;;) {
		struct http_request req;
		struct http_response resp;
		enum http_frame_result fr;
		size_t end = 0;
		int status = 0;
		bool parsed = false, body_ok;
		off_t sent;
		time_t now;

		fr = conn_read_header(cfg, &lim, fd, &used, &end, &status);
		if (fr == HTTP_FRAME_INCOMPLETE)
			break;
		memset(&req, 0, sizeof(req));
		http_response_init(&resp);
		if (fr == HTTP_FRAME_COMPLETE) {
			status = http_parse_request(conn_buf, end, &lim, &req);
			parsed = status == 0;
		}
		resp.head_only = req.method == HTTP_METHOD_HEAD;
		if (env->slot != NULL)
			scoreboard_begin_request(env->slot, req.request_line.p,
			    req.request_line.len, c->client);
		if (parsed)
			router_handle(cfg, env->root_fd, &rclient, &req, &resp);
		else
			http_response_error(&resp, status);
		body_ok = parsed && conn_body(cfg, fd, &req, &resp, end, &used);
		/*
		 * Keep the connection only for a well-formed request whose
		 * client allows it and whose body was read, while this
		 * worker goes on.
		 */
		resp.keep_alive = body_ok && req.keep_alive &&
		    cfg->keepalive_timeout > 0 &&
		    c->served + 1 < cfg->keepalive_requests && !*env->stop;
		resp.say_keep_alive = resp.keep_alive &&
		    req.version == HTTP_VERSION_10;
		now = time(NULL);
		conn_state(env, SCOREBOARD_WRITING);
		/* Only with nothing pipelined behind it may a response go on
		 * in the background: conn_buf is the next connection's. */
		sent = conn_send(cfg, fd, &resp, now, used == end ? c : NULL);
		if (sent == CONN_SEND_PAUSED) {
			conn_keep_log(c, &req, parsed);
			c->snd.status = resp.status;
			c->snd.keep_alive = resp.keep_alive;
			c->snd.when = now;
			http_response_close_fd(&resp);
			if (env->slot != NULL)
				scoreboard_background_request(env->slot);
			conn_reopen_logs(env);
			c->served++;
			return CONN_SENDING;
		}
		http_response_close_fd(&resp);
		conn_log(c->client, &req, parsed, resp.status,
		    sent > 0 ? sent : 0, now);
		if (env->slot != NULL)
			scoreboard_end_request(env->slot,
			    sent > 0 ? (uint64_t)sent : 0);
		conn_reopen_logs(env);
		c->served++;
		if (sent < 0)
			break;
		if (!resp.keep_alive) {
			/* The client may still be sending: an error cut its
			 * request short, or the body was not read. */
			linger = !body_ok || used > end;
			break;
		}
		/* Keep what the client pipelined behind this request. */
		memmove(conn_buf, conn_buf + end, used - end);
		used -= end;
		/* Nothing more buffered: the worker waits for the next. */
		if (used == 0)
			return CONN_IDLE;
	}
	if (linger) {
		conn_state(env, SCOREBOARD_CLOSING);
		conn_linger(fd);
	}
done:
	close(fd);
	c->fd = -1;
	return CONN_CLOSED;
}
