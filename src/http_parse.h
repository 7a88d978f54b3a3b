/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * http_parse.h - pure request parsing: bytes in, a struct http_request or
 * the status to answer with out (RFC 9112, strict).  No I/O, no
 * allocation; the request's slices point into the caller's buffer.
 *
 * Framing and parsing are separate steps: the connection reads until
 * http_parse_frame() says the header block is complete, then calls
 * http_parse_request() on exactly that block.
 */
#ifndef FORKHTTPD_HTTP_PARSE_H
#define FORKHTTPD_HTTP_PARSE_H

#include "http.h"

struct http_limits {
	size_t request_line_max;	/* longer request line: 414 */
	size_t field_max;		/* a longer field line: 431 */
	size_t header_max;		/* longer header block: 431 */
	unsigned fields_max;		/* more header fields: 431 */
};

enum http_frame_result {
	HTTP_FRAME_INCOMPLETE = 0,	/* need more bytes */
	HTTP_FRAME_COMPLETE,		/* *end is set */
	HTTP_FRAME_ERROR		/* *status is set */
};

/*
 * Looks for the end of the header block in buf[0..len).  Returns
 * HTTP_FRAME_COMPLETE with *end = the length of the block including the
 * terminating empty line; HTTP_FRAME_INCOMPLETE when more bytes are needed
 * and the limits still allow them; HTTP_FRAME_ERROR with *status set when
 * the bytes so far can never become a valid request (414 for an overlong
 * request line, 431 for an overlong field line or header block, 400 for a
 * bare LF or a NUL).  Leading empty lines (RFC 9112 §2.2) are skipped and counted in
 * *end.  Call again with the same buffer grown; it does not keep state.
 */
enum http_frame_result http_parse_frame(const char *buf, size_t len,
    const struct http_limits *limits, size_t *end, int *status);

/*
 * Parses one complete header block (as framed above) into *req.
 * Returns 0 on success, or the status to answer with (400, 414, 417, 431,
 * 501, 505).  *req is fully written either way; on error its method, version
 * and keep_alive are set as far as they could be read so that the error
 * response can be framed.
 */
int http_parse_request(const char *buf, size_t len,
    const struct http_limits *limits, struct http_request *req);

#endif
