/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * body.h - a request body as a stream of data: the framing (RFC 9112
 * §6.3: Content-Length, or the chunked coding with its trailers) taken
 * off the bytes as they arrive, in pieces of any size, the data handed
 * out where it lies in the caller's buffer, and body-max enforced as
 * early as the framing allows: a Content-Length, or a chunk size, that
 * declares more than the limit is refused before its data arrives.
 *
 * Pure: no I/O, no allocation.  The connection feeds it what it reads;
 * a handler that takes the body gets the data, one that does not leaves
 * the connection to drop it, and either way the connection learns where
 * the body ends (the next pipelined request starts there).
 */
#ifndef FORKHTTPD_BODY_H
#define FORKHTTPD_BODY_H

#include <stddef.h>
#include <stdint.h>

#include "chunked.h"
#include "http.h"

enum body_result {
	BODY_MORE = 0,	/* everything given was taken; need more */
	BODY_DATA,	/* data for the reader (maybe with framing before it) */
	BODY_DONE,	/* the body ended; the bytes after it are not its */
	BODY_ERROR	/* *status: 400 (not the chunked coding) or 413 */
};

struct body_reader {
	enum http_framing framing;
	uint64_t left;			/* HTTP_FRAMING_LENGTH: bytes to come */
	uint64_t max;			/* body-max */
	uint64_t total;			/* data bytes handed out so far */
	struct chunked_decoder dec;	/* HTTP_FRAMING_CHUNKED */
	enum body_result end;		/* BODY_MORE until DONE or ERROR */
	int status;			/* with BODY_ERROR */
};

/*
 * Starts reading a body of req's framing and content_length, with at
 * most max bytes of data and trailer_max bytes of trailers.  Returns 0,
 * or 413 when the declared Content-Length is over max (nothing needs
 * to be read to know it).
 */
int body_init(struct body_reader *b, enum http_framing framing,
    uint64_t content_length, uint64_t max, size_t trailer_max);

/*
 * Takes from in[0..len): sets *used (bytes consumed) and, for BODY_DATA,
 * *data and *data_len (the data among them, inside in).  BODY_DONE: the
 * *used bytes end the body (for a body without framing, at once with 0).
 * BODY_ERROR: *status says why, and *used is where: for 400 the first
 * bad byte (as in chunked.h), for 413 the start of the refused chunk's
 * data; the stream is broken from there on.
 * Feeding the same bytes split anywhere gives the same data and the
 * same end.
 */
enum body_result body_take(struct body_reader *b, const char *in, size_t len,
    size_t *used, const char **data, size_t *data_len, int *status);

#endif
