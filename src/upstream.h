/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * upstream.h - pure: an HTTP/1.1 response from an upstream (RFC 9112),
 * read as it streams in: where its head ends, the head parsed (status
 * line, field lines, the body's framing), and the body de-framed.  No
 * I/O, no allocation; slices point into the caller's buffer.
 *
 * Strict, as http_parse.c is for requests, for the same reason: every
 * leniency in framing is a place where we and the client could disagree
 * about where a response ends (response splitting, RFC 9112 §11.2).
 * Line ends are CRLF only; obs-fold, a NUL or a bare CR or LF is an
 * error; Content-Length is one number (repeats of the same value are
 * fine); Transfer-Encoding is "chunked" alone (a coding we would have to
 * pass on cannot be, since the field is hop-by-hop), never with
 * Content-Length, never in HTTP/1.0.  Every error means 502.
 */
#ifndef FORKHTTPD_UPSTREAM_H
#define FORKHTTPD_UPSTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chunked.h"
#include "http.h"

/* How the body of a response is delimited (RFC 9112 §6.3). */
enum upstream_framing {
	UPSTREAM_BODY_NONE = 0,		/* HEAD, 1xx, 204, 304: none at all */
	UPSTREAM_BODY_LENGTH,		/* content_length bytes */
	UPSTREAM_BODY_CHUNKED,		/* the chunked coding */
	UPSTREAM_BODY_CLOSE,		/* until the upstream closes */
	UPSTREAM_BODY_TUNNEL		/* after a 101: bytes as they are */
};

struct upstream_head {
	int version;			/* HTTP_VERSION_10 or _11 */
	int status;			/* 100..599 */
	struct http_slice reason;	/* may be empty */
	/* Every field line in order, from the first to the CRLF of the
	 * last (len 0: none): read with upstream_field_next(). */
	struct http_slice fields;
	enum upstream_framing framing;
	bool has_length;		/* a Content-Length field came */
	uint64_t content_length;	/* its value */
	bool keep_alive;		/* the upstream keeps the connection */
	bool upgrade_websocket;		/* Upgrade names websocket and
					 * Connection names upgrade */
};

/*
 * Parses one complete head, buf[0..len) up to and including its blank
 * line, into h.  head_request: the request was HEAD (no body whatever
 * the fields say).  Returns 0, or -1 when it is not a valid response
 * head (h then holds nothing of use).
 */
int upstream_parse_head(const char *buf, size_t len, bool head_request,
    struct upstream_head *h);

/*
 * The field lines of h in order: starts at *pos = 0; sets *name and
 * *value (trimmed); false when none is left.
 */
bool upstream_field_next(const struct upstream_head *h, size_t *pos,
    struct http_slice *name, struct http_slice *value);

/*
 * Whether the comma-separated token list in value (a Connection or
 * Upgrade value: RFC 9110 §5.6.1, elements compared without case,
 * anything after a '/' or ';' in an element ignored) has an element
 * named tok.
 */
bool upstream_list_has(struct http_slice value, const char *tok);

/* What upstream_take() found. */
enum upstream_result {
	UPSTREAM_MORE = 0,	/* everything given was taken; need more */
	UPSTREAM_DATA,		/* bytes [*off, *off + *len) of the input */
	UPSTREAM_END,		/* the response (its body) is complete */
	UPSTREAM_ERROR		/* not HTTP: 502, and the connection is done */
};

/*
 * The reader of one connection's responses: a head (handed out as data,
 * so that the caller collects it), then, once the caller has parsed it
 * and called upstream_body() or upstream_next_head(), the body.
 */
struct upstream_reader {
	int state;			/* private */
	size_t head_max;		/* the longest head */
	size_t head_len;		/* private: head bytes so far */
	unsigned match;			/* private: how much of "\r\n\r\n" */
	bool line_start;		/* private */
	enum upstream_framing framing;	/* the body's, once known */
	uint64_t remaining;		/* LENGTH: bytes still to come */
	struct chunked_decoder chunks;	/* CHUNKED */
	bool extra;			/* bytes came after the end: the
					 * connection cannot carry another */
};

/* Starts r on a response; its head may have up to head_max bytes. */
void upstream_init(struct upstream_reader *r, size_t head_max);

/* After a final or 101 head: the body as h frames it. */
void upstream_body(struct upstream_reader *r, const struct upstream_head *h);

/* After an interim (1xx) head: another head follows. */
void upstream_next_head(struct upstream_reader *r);

/*
 * Takes from in[0..n); eof: the upstream closed after them.  Sets *took
 * (bytes consumed).  In the head: UPSTREAM_DATA with the head's bytes,
 * never past its blank line; once the blank line is out, nothing more
 * until upstream_body() or upstream_next_head() (a call then is an
 * UPSTREAM_ERROR).  In the body: UPSTREAM_DATA with the body's bytes,
 * framing removed (chunk sizes, extensions, trailers dropped), then
 * UPSTREAM_END (taking nothing past the end; what is left there sets
 * r->extra).  UPSTREAM_MORE with everything taken when the bytes were
 * framing only, or with nothing when n is 0 and the body is not over
 * (at eof: the response was cut).  After END or ERROR, it stays there.
 */
enum upstream_result upstream_take(struct upstream_reader *r, const char *in,
    size_t n, bool eof, size_t *took, size_t *off, size_t *len);

#endif
