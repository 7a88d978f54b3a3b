/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * reply.c - a response going out, resumable at any byte.
 *
 * Each body source is a small state machine over sock: the head goes
 * first (with a memory body in the same writev, with MSG_MORE before a
 * file so that the first packets are full), then the source.  Every
 * function returns as soon as the socket would block; the state in
 * struct reply says where to go on.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chunked.h"
#include "reply.h"

/* Room kept in front of a stream's data for its chunk-size line. */
#define REPLY_CHUNK_ROOM CHUNKED_ENCODE_HEAD_MAX
/* ... and behind it for the CRLF, or the last-chunk after the last. */
#define REPLY_CHUNK_TAIL 8

static void
reply_take_ranges(struct reply *r, const struct http_response *resp)
{
	size_t n = strlen(resp->boundary);

	/* The set and the boundary live in static.c until the next
	 * request: the reply keeps its own copies. */
	r->set = *resp->ranges;
	if (n >= sizeof(r->boundary))
		n = sizeof(r->boundary) - 1;
	memcpy(r->boundary, resp->boundary, n);
	r->boundary[n] = '\0';
	r->type = resp->content_type;
	r->complete = resp->range_complete;
}

int
reply_start(struct reply *r, struct http_response *resp, size_t head_len)
{
	r->head_len = head_len;
	r->head_off = 0;
	r->kind = resp->head_only ? HTTP_BODY_NONE : resp->body;
	r->mem_owned = NULL;
	r->sbuf = NULL;
	r->fd = -1;
	r->fd_cached = false;
	r->sent = 0;
	r->s_len = r->s_off = 0;
	r->stream_end = false;
	r->chunked = resp->chunked;
	r->pull = resp->pull;
	r->pull_arg = resp->pull_arg;
	if (r->kind == HTTP_BODY_STREAM &&
	    (r->sbuf = malloc(REPLY_STREAM_BUF)) == NULL)
		return -1;
	r->mem = resp->mem;
	r->mem_len = r->kind == HTTP_BODY_MEM ? resp->mem_len : 0;
	r->mem_off = 0;
	r->mem_stable = resp->mem_stable;
	if (r->kind == HTTP_BODY_FILE) {
		r->off = resp->offset;
		r->end = resp->offset + (resp->content_length > 0 ?
		    resp->content_length : 0);
	}
	if (r->kind == HTTP_BODY_RANGES) {
		reply_take_ranges(r, resp);
		r->part = 0;
		r->in_part = false;
		r->piece_len = r->piece_off = 0;
	}
	/* The file goes with the reply, even for a HEAD (closed at the end). */
	r->fd = resp->fd;
	r->fd_cached = resp->fd_cached;
	resp->fd = -1;
	resp->fd_cached = false;
	return 0;
}

/* Writes buf[*off..len); REPLY_DONE once all of it is out. */
static enum reply_result
reply_bytes(struct sock *s, const char *buf, size_t len, size_t *off,
    bool more, uint64_t *count)
{
	while (*off < len) {
		struct iovec iov = { .iov_base = (char *)(uintptr_t)buf + *off,
		    .iov_len = len - *off };
		ssize_t n = sock_writev(s, &iov, 1, more);

		if (n == SOCK_AGAIN)
			return REPLY_AGAIN;
		if (n < 0)
			return REPLY_ERROR;
		*off += (size_t)n;
		if (count != NULL)
			*count += (uint64_t)n;
	}
	return REPLY_DONE;
}

static enum reply_result reply_fill(struct reply *r);

/*
 * The head, with a memory body behind it in the same system call; or
 * the first piece of an application's body (resp->pull) when it is
 * there already, as it mostly is (it came with the head): one write
 * where there would be two.
 */
static enum reply_result
reply_head(struct reply *r, struct sock *s)
{
	if (r->head_off == 0 && r->kind == HTTP_BODY_STREAM &&
	    r->pull != NULL && r->s_off == r->s_len && !r->stream_end &&
	    reply_fill(r) == REPLY_ERROR)
		return REPLY_ERROR;
	while (r->head_off < r->head_len) {
		struct iovec iov[2];
		int cnt = 1;
		ssize_t n;
		size_t body;

		iov[0].iov_base = r->head + r->head_off;
		iov[0].iov_len = r->head_len - r->head_off;
		if (r->kind == HTTP_BODY_MEM && r->mem_len > 0) {
			iov[1].iov_base = (char *)(uintptr_t)r->mem;
			iov[1].iov_len = r->mem_len;
			cnt = 2;
		} else if (r->kind == HTTP_BODY_STREAM && r->s_off < r->s_len) {
			iov[1].iov_base = r->sbuf + r->s_off;
			iov[1].iov_len = r->s_len - r->s_off;
			cnt = 2;
		}
		/* MSG_MORE only when the body's bytes follow in another
		 * call; with them here, nothing may wait for more. */
		n = sock_writev(s, iov, cnt, cnt == 1 &&
		    r->kind != HTTP_BODY_NONE && r->kind != HTTP_BODY_MEM);
		if (n == SOCK_AGAIN)
			return REPLY_AGAIN;
		if (n < 0)
			return REPLY_ERROR;
		body = (size_t)n > iov[0].iov_len ? (size_t)n - iov[0].iov_len :
		    0;
		r->head_off += (size_t)n - body;
		if (r->kind == HTTP_BODY_STREAM) {
			/* Framed bytes: reply_fill() counted the data. */
			r->s_off += body;
			continue;
		}
		r->mem_off += body;
		r->sent += body;
	}
	return REPLY_DONE;
}

/* [off, end) of the file. */
static enum reply_result
reply_file(struct reply *r, struct sock *s)
{
	size_t step = 0;

	while (r->off < r->end) {
		size_t want = (size_t)(r->end - r->off);
		ssize_t n;

		/* The rest waits for the next turn: see REPLY_FILE_STEP. */
		if (step >= REPLY_FILE_STEP)
			return REPLY_AGAIN;
		if (want > REPLY_FILE_STEP - step)
			want = REPLY_FILE_STEP - step;
		n = sock_sendfile(s, r->fd, &r->off, want);
		if (n == SOCK_AGAIN)
			return REPLY_AGAIN;
		if (n < 0)
			return REPLY_ERROR;
		r->sent += (uint64_t)n;
		step += (size_t)n;
	}
	return REPLY_DONE;
}

/*
 * The parts of a multipart/byteranges body (RFC 9110 §14.6): each
 * part's header, its bytes, and after the last the closing delimiter.
 * r->part == set.n + 1 once the delimiter is in r->piece.
 */
static enum reply_result
reply_ranges(struct reply *r, struct sock *s)
{
	for (;;) {
		enum reply_result rr;

		rr = reply_bytes(s, r->piece, r->piece_len, &r->piece_off,
		    r->part <= r->set.n, &r->sent);
		if (rr != REPLY_DONE)
			return rr;
		if (r->in_part) {
			if ((rr = reply_file(r, s)) != REPLY_DONE)
				return rr;
			r->in_part = false;
			r->part++;
			continue;
		}
		if (r->part > r->set.n)
			return REPLY_DONE;
		r->piece_off = 0;
		if (r->part == r->set.n) {
			r->piece_len = range_multipart_trailer(r->boundary,
			    r->piece, sizeof(r->piece));
			r->part++;
		} else {
			const struct range *g = &r->set.r[r->part];

			r->piece_len = range_part_header(&r->set, r->part,
			    r->boundary, r->type, r->complete, r->piece,
			    sizeof(r->piece));
			r->off = (off_t)g->first;
			r->end = (off_t)g->last + 1;
			r->in_part = true;
		}
		if (r->piece_len == 0) {
			errno = ENOBUFS;
			return REPLY_ERROR;
		}
	}
}

/* Reads the next piece of the stream into sbuf, framed. */
static enum reply_result
reply_fill(struct reply *r)
{
	size_t cap = REPLY_STREAM_BUF - REPLY_CHUNK_ROOM - REPLY_CHUNK_TAIL;
	char *data = r->sbuf + REPLY_CHUNK_ROOM;
	ssize_t n;

	do
		n = r->pull != NULL ? r->pull(r->pull_arg, data, cap) :
		    read(r->fd, data, cap);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ?
		    REPLY_SOURCE_AGAIN : REPLY_ERROR;
	r->s_off = REPLY_CHUNK_ROOM;
	r->s_len = REPLY_CHUNK_ROOM + (size_t)n;
	if (n == 0) {
		r->stream_end = true;
		if (r->chunked)
			r->s_len += chunked_encode_last(data, REPLY_CHUNK_TAIL);
		return REPLY_DONE;
	}
	r->sent += (uint64_t)n;
	if (r->chunked) {
		char h[CHUNKED_ENCODE_HEAD_MAX];
		size_t hl = chunked_encode_head((size_t)n, h, sizeof(h));

		r->s_off -= hl;
		memcpy(r->sbuf + r->s_off, h, hl);
		memcpy(r->sbuf + r->s_len, "\r\n", 2);
		r->s_len += 2;
	}
	return REPLY_DONE;
}

static enum reply_result
reply_stream(struct reply *r, struct sock *s)
{
	for (;;) {
		enum reply_result rr;

		rr = reply_bytes(s, r->sbuf, r->s_len, &r->s_off, false, NULL);
		if (rr != REPLY_DONE || r->stream_end)
			return rr;
		if ((rr = reply_fill(r)) != REPLY_DONE)
			return rr;
	}
}

enum reply_result
reply_send(struct reply *r, struct sock *s)
{
	enum reply_result rr = reply_head(r, s);

	if (rr != REPLY_DONE)
		return rr;
	switch (r->kind) {
	case HTTP_BODY_MEM:
		return reply_bytes(s, r->mem, r->mem_len, &r->mem_off, false,
		    &r->sent);
	case HTTP_BODY_FILE:
		return reply_file(r, s);
	case HTTP_BODY_RANGES:
		return reply_ranges(r, s);
	case HTTP_BODY_STREAM:
		return reply_stream(r, s);
	case HTTP_BODY_NONE:
		break;
	}
	return REPLY_DONE;
}

int
reply_detach(struct reply *r)
{
	if (r->kind == HTTP_BODY_MEM && !r->mem_stable && r->mem_owned == NULL &&
	    r->mem_off < r->mem_len) {
		size_t left = r->mem_len - r->mem_off;

		if ((r->mem_owned = malloc(left)) == NULL)
			return -1;
		memcpy(r->mem_owned, r->mem + r->mem_off, left);
		r->mem = r->mem_owned;
		r->mem_len = left;
		r->mem_off = 0;
	}
	if (r->fd >= 0 && r->fd_cached) {
		/* The cache may close its own while this one waits. */
		int fd = fcntl(r->fd, F_DUPFD_CLOEXEC, 0);

		if (fd < 0)
			return -1;
		r->fd = fd;
		r->fd_cached = false;
	}
	return 0;
}

bool
reply_started(const struct reply *r)
{
	return r->head_off > 0;
}

int
reply_source_fd(const struct reply *r)
{
	return r->kind == HTTP_BODY_STREAM ? r->fd : -1;
}

void
reply_finish(struct reply *r)
{
	if (r->fd >= 0 && !r->fd_cached)
		close(r->fd);
	r->fd = -1;
	r->fd_cached = false;
	free(r->mem_owned);
	r->mem_owned = NULL;
	free(r->sbuf);
	r->sbuf = NULL;
}
