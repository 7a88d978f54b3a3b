/*
 * chunked.h - a decoder for the chunked transfer coding of request
 * bodies (RFC 9112 §7.1), trailer section included.  An incremental
 * state machine: feed it bytes as they arrive, in pieces of any size; it
 * says how many it consumed, how many of those were chunk data, and when
 * the body is complete.  Pure: no I/O, no allocation.
 *
 * forkhttpd serves static files, so the data is not kept: the decoder
 * exists to find exactly where the body ends (the next pipelined request
 * starts there) and to count the data against the body limit.
 */
#ifndef FORKHTTPD_CHUNKED_H
#define FORKHTTPD_CHUNKED_H

#include <stddef.h>
#include <stdint.h>

/* A chunk-size line (size and extensions) longer than this is an error. */
#define CHUNKED_LINE_MAX 4096

enum chunked_result {
	CHUNKED_MORE = 0,	/* everything given was consumed; need more */
	CHUNKED_DONE,		/* the body ended; *used bytes belong to it */
	CHUNKED_ERROR		/* not the chunked coding: 400, then close */
};

struct chunked_decoder {
	int state;		/* private */
	uint64_t remaining;	/* private: data bytes left in this chunk */
	size_t line;		/* private: bytes of the current line so far */
	size_t trailer_max;	/* bytes allowed for the trailer section */
	size_t trailer;		/* private: trailer bytes so far */
	uint64_t total;		/* chunk data bytes decoded so far */
};

/*
 * Starts a decoder.  trailer_max bounds the trailer section (field lines
 * and their CRLFs); the server passes header-max.
 */
void chunked_init(struct chunked_decoder *d, size_t trailer_max);

/*
 * Decodes from buf[0..len).  Returns CHUNKED_MORE with *used = len,
 * CHUNKED_DONE with *used = the bytes up to and including the final CRLF
 * (what follows is not the body's), or CHUNKED_ERROR.  *data is set to
 * the number of chunk data bytes among the *used ones; d->total adds them
 * up, so the caller checks it against the body limit.
 *
 * The grammar, strictly (RFC 9112 §7.1):
 *   chunked-body = *chunk last-chunk trailer-section CRLF
 *   chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
 *   chunk-size = 1*HEXDIG       (a value past 2^63 - 1 is an error)
 *   last-chunk = 1*("0") [ chunk-ext ] CRLF
 *   chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
 *   trailer-section = *( field-line CRLF )
 * Lines end in CRLF only (no bare LF, no bare CR); a NUL anywhere outside
 * chunk data is an error; trailer field lines must be token ":" value
 * with no whitespace before the colon and no obs-fold; a chunk-size line
 * longer than CHUNKED_LINE_MAX or a trailer section longer than
 * trailer_max is an error.  On CHUNKED_ERROR *used is the offset of the
 * first bad byte, however the input was split.  After CHUNKED_DONE or
 * CHUNKED_ERROR the decoder stays in that state (further calls consume
 * nothing).
 */
enum chunked_result chunked_decode(struct chunked_decoder *d,
    const char *buf, size_t len, size_t *used, uint64_t *data);

#endif
