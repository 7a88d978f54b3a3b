/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * app.c - the exchange with an application, whatever its protocol: the
 * bytes out (prelude, then the framed body), the bytes back (de-framed
 * by the kind: the head, collected and handed to the kind, then the
 * body, pulled by the reply), the connect, the deadlines and the end.
 */
#include "autoconf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "app.h"
#include "backend.h"
#include "http.h"
#include "log.h"
#include "net.h"

int
app_init(struct app *a, const struct app_kind *kind, int fd,
    bool connecting, const char *label, int64_t connect_ms, int64_t idle_ms)
{
	a->kind = kind;
	a->fd = fd;
	a->connecting = connecting;
	a->errfd = -1;
	a->pid = 0;
	snprintf(a->label, sizeof(a->label), "%s", label);
	a->connect_ms = connect_ms;
	a->idle_ms = idle_ms;
	a->out_cap = APP_HEAD_MAX + APP_OUT_WINDOW;
	a->out = malloc(a->out_cap);
	a->in = malloc(APP_IN_BUF);
	if (a->out == NULL || a->in == NULL) {
		free(a->out);
		free(a->in);
		a->out = a->in = NULL;
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

char *
app_out(struct app *a, size_t want)
{
	if (a->out_off == a->out_len)
		a->out_off = a->out_len = 0;
	/* What went out makes room: the window's promise (app_out_room())
	 * holds however the sends were cut. */
	if (a->out_len + want > a->out_cap && a->out_off > 0) {
		memmove(a->out, a->out + a->out_off, a->out_len - a->out_off);
		a->out_len -= a->out_off;
		a->out_off = 0;
	}
	if (a->out_len + want > a->out_cap)
		return NULL;
	return a->out + a->out_len;
}

void
app_out_commit(struct app *a, size_t n)
{
	a->out_len += n;
}

size_t
app_out_room(const struct app *a)
{
	size_t waiting = a->out_len - a->out_off;

	return waiting >= APP_OUT_WINDOW ? 0 : APP_OUT_WINDOW - waiting;
}

uint32_t
app_events(const struct app *a)
{
	uint32_t ev = 0;

	if (a->fd < 0)
		return 0;
	if (a->connecting || (a->out_off < a->out_len && !a->out_closed))
		ev |= EPOLLOUT;
	if (!a->connecting && !a->in_eof && !a->ended && a->data_len == 0)
		ev |= EPOLLIN;
	return ev;
}

void
app_start(struct app *a, int64_t now)
{
	a->due = now + (a->connecting ? a->connect_ms : a->idle_ms);
}

/* Something moved: the application's silence starts again. */
static void
app_moved(struct app *a, int64_t now)
{
	a->due = now + a->idle_ms;
}

/* The exchange broke with status (502 or 504) while no head was out. */
static int
app_fail(struct app *a, int status, const char *what)
{
	if (!a->failed)
		log_error("%s %s: %s", a->kind->name, a->label, what);
	a->failed = true;
	a->fail_status = status;
	return -1;
}

/* Another try (another upstream, a fresh connection), when allowed. */
static int
app_retry(struct app *a, int64_t now, const char *what)
{
	if (a->kind->retry == NULL || a->answered || a->body_in > 0) {
		char msg[160];

		snprintf(msg, sizeof(msg), "%s", what);
		return app_fail(a, HTTP_STATUS_BAD_GATEWAY, msg);
	}
	log_warn("%s %s: %s; trying again", a->kind->name, a->label, what);
	a->out_off = a->out_len = 0;
	a->in_off = a->in_len = 0;
	a->sent = 0;
	a->fd_gen++;
	if (a->kind->retry(a) < 0)
		return app_fail(a, HTTP_STATUS_BAD_GATEWAY, "no upstream left "
		    "to try");
	app_start(a, now);
	return 0;
}

/* A connect under way: done yet?  1 connected, 0 not yet, -1 failed. */
static int
app_connect_check(struct app *a, int64_t now)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char what[96];

	if (backend_connected(a->fd) < 0) {
		snprintf(what, sizeof(what), "cannot connect: %s",
		    strerror(errno));
		return app_retry(a, now, what) < 0 ? -1 : 0;
	}
	if (getpeername(a->fd, (struct sockaddr *)&ss, &len) < 0)
		return 0;
	a->connecting = false;
	app_moved(a, now);
	return 1;
}

/* Writes what waits in the output.  0, or -1 (failed). */
static int
app_flush(struct app *a, int64_t now)
{
	if (a->connecting && app_connect_check(a, now) <= 0)
		return a->failed ? -1 : 0;
	while (a->out_off < a->out_len) {
		ssize_t n = send(a->fd, a->out + a->out_off,
		    a->out_len - a->out_off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n < 0) {
			char what[96];

			snprintf(what, sizeof(what), "cannot send: %s",
			    strerror(errno));
			if ((errno != EPIPE && errno != ECONNRESET) ||
			    (a->kind->retry != NULL && !a->answered &&
			    a->body_in == 0))
				return app_retry(a, now, what);
			/* The application stopped reading (a script that
			 * answers without reading its stdin): what it answered
			 * may still be there to read, and the rest of the body
			 * is dropped, not waited on. */
			a->out_closed = true;
			a->out_off = a->out_len = 0;
			return 0;
		}
		a->out_off += (size_t)n;
		a->sent += (uint64_t)n;
		a->just_sent = !a->answered;
		app_moved(a, now);
	}
	/* The script's EOF on stdin: only once all of the body is out, so
	 * never from frame(last), which may leave some of it waiting. */
	if (a->stdio && a->body_end && !a->stdin_shut && !a->out_closed) {
		a->stdin_shut = true;
		(void)shutdown(a->fd, SHUT_WR);
	}
	return 0;
}

ssize_t
app_body(struct app *a, const char *data, size_t n, bool last, int64_t now)
{
	size_t took = 0;

	/* Room first: a window that was full when the caller last tried
	 * may be empty now, and nothing else would tell it so. */
	if (a->failed || app_flush(a, now) < 0)
		return -1;
	if (a->out_closed) {
		a->body_in += n;
		if (last)
			a->body_end = true;
		return (ssize_t)n;
	}
	/* Nothing of the body before the connection stands: a refused
	 * connection can then go to the next upstream with nothing lost. */
	if (!a->connecting && !a->body_end &&
	    (!last || app_out_room(a) >= APP_END_ROOM)) {
		took = a->kind->frame(a, data, n, last);
		a->body_in += took;
		if (last && took == n)
			a->body_end = true;
	}
	if (app_flush(a, now) < 0)
		return -1;
	return (ssize_t)took;
}

/* Reads what the application sent.  1 read, 0 nothing now, -1 failed. */
static int
app_read(struct app *a, int64_t now)
{
	ssize_t n;

	if (a->in_off == a->in_len)
		a->in_off = a->in_len = 0;
	if (a->in_len == APP_IN_BUF)
		return 1;
	do
		n = read(a->fd, a->in + a->in_len, APP_IN_BUF - a->in_len);
	while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	/* A script that exits without reading all of its stdin leaves us
	 * a reset after what it wrote, where others leave an EOF. */
	if (n < 0 && errno == ECONNRESET && a->stdio && a->answered)
		n = 0;
	if (n < 0 && !a->answered && errno == ECONNRESET)
		return app_retry(a, now, "connection reset") < 0 ? -1 : 0;
	if (n < 0) {
		a->in_eof = true;
		return app_fail(a, HTTP_STATUS_BAD_GATEWAY, strerror(errno));
	}
	if (n == 0 && !a->answered && !a->in_eof)
		return app_retry(a, now, "closed before answering") < 0 ?
		    -1 : 0;
	if (n == 0)
		a->in_eof = true;
	a->answered = true;
	a->in_len += (size_t)n;
	a->got += (uint64_t)n;
	app_moved(a, now);
	return 1;
}

/*
 * The next de-framed bytes into a->data: 1 there are some, 0 none now
 * (wait), 2 the response ended, -1 broken.
 */
static int
app_next(struct app *a, int64_t now)
{
	for (;;) {
		size_t took = 0, len = 0;
		const char *data = NULL;
		enum app_decode d;
		int r;

		if (a->data_len > 0)
			return 1;
		if (a->ended)
			return 2;
		/* The kind sees what is buffered, even nothing, before
		 * anything is read: a framing may end without another byte
		 * (a Content-Length body whose last byte went out). */
		d = a->kind->decode(a, a->in + a->in_off, a->in_len - a->in_off,
		    a->in_eof, &took, &data, &len);
		a->in_off += took;
		if (d == APP_DEC_MORE && a->in_off == a->in_len && !a->in_eof) {
			if (app_flush(a, now) < 0)
				return -1;
			/* What was just sent cannot have been answered yet: a
			 * read now would only say EAGAIN; epoll will tell. */
			if (a->just_sent) {
				a->just_sent = false;
				return 0;
			}
			if ((r = app_read(a, now)) < 0)
				return -1;
			if (r == 0)
				return 0;
			continue;
		}
		if (d == APP_DEC_ERROR)
			return app_fail(a, HTTP_STATUS_BAD_GATEWAY,
			    "not a valid response");
		if (d == APP_DEC_END)
			a->ended = true;
		if (d == APP_DEC_DATA) {
			a->data = data;
			a->data_len = len;
		}
		if (d == APP_DEC_MORE && a->in_eof && a->in_off == a->in_len)
			return app_fail(a, HTTP_STATUS_BAD_GATEWAY,
			    "closed in the middle of its response");
	}
}

/* Where the head ends in a->head (after its blank line), or 0. */
static size_t
app_head_end(const struct app *a, size_t from)
{
	for (size_t i = from > 2 ? from - 2 : 0; i < a->head_len; i++) {
		if (a->head[i] != '\n')
			continue;
		if (i + 1 < a->head_len && a->head[i + 1] == '\n')
			return i + 2;
		if (i + 2 < a->head_len && a->head[i + 1] == '\r' &&
		    a->head[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

/* Collects a->data into the head; 1 when a head is whole, -1 too long. */
static int
app_collect(struct app *a, size_t *end)
{
	size_t from = a->head_len, take = a->data_len, e;

	if (take > APP_HEAD_MAX - a->head_len)
		take = APP_HEAD_MAX - a->head_len;
	memcpy(a->head + a->head_len, a->data, take);
	a->head_len += take;
	if ((e = app_head_end(a, from)) == 0) {
		a->data += take;
		a->data_len -= take;
		return a->head_len == APP_HEAD_MAX ? -1 : 0;
	}
	/* The bytes after the blank line are the body's. */
	a->data += e - from;
	a->data_len -= e - from;
	*end = e;
	return 1;
}

int
app_head(struct app *a, struct http_response *resp, int64_t now)
{
	if (a->head == NULL && (a->head = malloc(APP_HEAD_MAX)) == NULL)
		return app_fail(a, HTTP_STATUS_BAD_GATEWAY, "out of memory");
	while (!a->head_done) {
		size_t end = 0;
		int r = app_next(a, now);

		if (r < 0)
			return -1;
		if (r == 0)
			return 0;
		if (r == 2)
			return app_fail(a, HTTP_STATUS_BAD_GATEWAY,
			    "ended without a response head");
		if ((r = app_collect(a, &end)) < 0)
			return app_fail(a, HTTP_STATUS_BAD_GATEWAY,
			    "response head too long");
		if (r == 0)
			continue;
		switch (a->kind->head(a, a->head, end, resp)) {
		case APP_HEAD_FINAL:
			a->head_done = true;
			break;
		case APP_HEAD_UPGRADE:
			a->head_done = a->upgraded = true;
			break;
		case APP_HEAD_LOCAL:
			a->head_done = a->local = true;
			break;
		case APP_HEAD_INTERIM:
			a->head_len = 0;
			break;
		default:
			return app_fail(a, HTTP_STATUS_BAD_GATEWAY,
			    "not a valid response head");
		}
	}
	return 1;
}

ssize_t
app_pull(void *arg, char *buf, size_t cap)
{
	struct app *a = arg;
	int r = app_next(a, net_now_ms());
	size_t n;

	if (r == 0) {
		errno = EAGAIN;
		return -1;
	}
	if (r < 0) {
		errno = EIO;
		return -1;
	}
	if (r == 2)
		return 0;
	n = a->data_len < cap ? a->data_len : cap;
	memcpy(buf, a->data, n);
	a->data += n;
	a->data_len -= n;
	return (ssize_t)n;
}

bool
app_in_time(struct app *a, int64_t now)
{
	if (now < a->due || a->ended)
		return true;
	app_fail(a, HTTP_STATUS_GATEWAY_TIMEOUT, a->connecting ?
	    "timed out connecting" : "timed out waiting for the response");
	return false;
}

/* One line of stderr into the error log, tagged with the script. */
static void
app_stderr_line(struct app *a)
{
	char esc[4 * sizeof(a->errline) + 1];

	if (a->errline_len == 0)
		return;
	log_escape(esc, sizeof(esc), a->errline, a->errline_len);
	log_error("%s %s: stderr: %s", a->kind->name, a->label, esc);
	a->errline_len = 0;
}

void
app_stderr(struct app *a)
{
	char buf[4096];
	ssize_t n;

	while (a->errfd >= 0) {
		n = read(a->errfd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			app_stderr_line(a);
			close(a->errfd);
			a->errfd = -1;
			return;
		}
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == '\n' ||
			    a->errline_len == sizeof(a->errline)) {
				app_stderr_line(a);
				if (buf[i] == '\n')
					continue;
			}
			a->errline[a->errline_len++] = buf[i];
		}
	}
}

unsigned
app_tunnel_count(int delta)
{
	static unsigned tunnels;

	tunnels = (unsigned)((int)tunnels + delta);
	return tunnels;
}

void
app_end(struct app *a, bool complete)
{
	if (a->errfd >= 0)
		app_stderr(a);
	app_stderr_line(a);
	free(a->out);
	free(a->in);
	free(a->head);
	a->out = a->in = a->head = NULL;
	a->kind->end(a, complete && a->ended && !a->failed);
}
