/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * reply.h - one response on its way to the client: its head (status line
 * and fields, formatted by the caller), then its body from one of the
 * body sources, resumed as often as the socket asks, never waiting.
 *
 * Body sources (enum http_body_kind):
 *   HTTP_BODY_MEM     bytes in memory
 *   HTTP_BODY_FILE    a file's bytes [offset, offset + length), sendfile()
 *   HTTP_BODY_RANGES  several ranges of a file as multipart/byteranges
 *   HTTP_BODY_STREAM  a pipe or socket another process writes, or what
 *                     resp->pull gives (an application, app.h), until its
 *                     end; framed with the chunked coding when
 *                     resp->chunked (RFC 9112 §7.1), else delimited by
 *                     closing the connection
 *
 * Ownership.  reply_start() takes the response's body: afterwards the
 * reply closes an owned file or stream fd and frees what it allocated,
 * in reply_finish().  Memory and cached files stay the handler's or the
 * worker's, which is fine while the reply runs within the step that made
 * it; before the connection waits on its client, the caller calls
 * reply_detach(), which makes the reply hold everything it still needs
 * on its own (the rest of an unstable memory body copied, a cached file
 * dup()ed), so that the next request in the worker may reuse those.
 */
#ifndef FORKHTTPD_REPLY_H
#define FORKHTTPD_REPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "http.h"
#include "range.h"
#include "sock.h"

/* Room for the status line and header fields of any response we send. */
#define REPLY_HEAD_MAX (HTTP_LOCATION_MAX + HTTP_FIELD_BYTES + \
    4 * HTTP_FIELDS_MAX + 1024)

/*
 * The most of a file one reply_send() hands the socket before it says
 * REPLY_AGAIN and the worker turns to others: filling a socket's whole
 * send buffer (megabytes) in one go was slower for large files, the
 * bytes cold in the cache by the time they leave, and one download
 * would hold the worker while others wait.
 */
#define REPLY_FILE_STEP (256 * 1024)

/* The buffer a stream's bytes pass through (allocated for streams only). */
#define REPLY_STREAM_BUF (16 * 1024)

enum reply_result {
	REPLY_DONE = 0,		/* everything went out */
	REPLY_AGAIN,		/* the socket is full: call again when writable */
	REPLY_SOURCE_AGAIN,	/* a stream has nothing now: call again when
				 * reply_source_fd() is readable */
	REPLY_ERROR		/* the client is gone, or the source failed
				 * (errno; EIO: a file shrank): close */
};

struct reply {
	char head[REPLY_HEAD_MAX];
	size_t head_len, head_off;
	enum http_body_kind kind;	/* HTTP_BODY_NONE for a HEAD */
	/* HTTP_BODY_MEM */
	const char *mem;
	size_t mem_len, mem_off;
	bool mem_stable;		/* mem outlives the reply */
	char *mem_owned;		/* reply_detach()'s copy, freed at the end */
	/* HTTP_BODY_FILE, _RANGES, _STREAM */
	int fd;
	bool fd_cached;			/* the file cache's: never closed here */
	off_t off, end;			/* FILE: the bytes left */
	/* HTTP_BODY_RANGES */
	struct range_set set;
	char boundary[48];
	const char *type;		/* the parts' Content-Type (static) */
	uint64_t complete;		/* the file's size */
	unsigned part;			/* the part going out */
	bool in_part;			/* its header is out, its bytes are next */
	char piece[RANGE_PART_HEADER_MAX];	/* a part header or the trailer */
	size_t piece_len, piece_off;
	/* HTTP_BODY_STREAM */
	bool chunked;
	bool stream_end;		/* the source said end of stream */
	ssize_t (*pull)(void *, char *, size_t);	/* NULL: read fd */
	void *pull_arg;
	char *sbuf;			/* REPLY_STREAM_BUF bytes */
	size_t s_len, s_off;		/* framed bytes waiting in sbuf */
	uint64_t sent;			/* body bytes (data only) handed over */
};

/*
 * Starts sending resp, whose head the caller has formatted into
 * r->head[0..head_len).  With resp->head_only, no body goes out.  Takes
 * resp's file (resp->fd becomes -1).  Returns 0, or -1 (ENOMEM for a
 * stream's buffer): then nothing was taken.
 */
int reply_start(struct reply *r, struct http_response *resp,
    size_t head_len);

/* Sends as much as s takes now. */
enum reply_result reply_send(struct reply *r, struct sock *s);

/*
 * Makes r independent of the step that started it (see the top).
 * Returns 0, or -1 (out of memory or descriptors): then r must be
 * finished unsent.
 */
int reply_detach(struct reply *r);

/* Whether any byte of the head has gone out (then an error can no longer
 * be sent in its place). */
bool reply_started(const struct reply *r);

/* The stream source's fd, to wait for (REPLY_SOURCE_AGAIN). */
int reply_source_fd(const struct reply *r);

/* Lets go of everything r holds. */
void reply_finish(struct reply *r);

#endif
