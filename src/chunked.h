/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * chunked.h - the chunked transfer coding (RFC 9112 §7.1): a decoder for
 * request bodies, trailer section included, and an encoder of the
 * framing around a response body whose length is not known in advance.
 * Pure: no I/O, no allocation.
 *
 * The decoder is an incremental state machine: feed it bytes as they
 * arrive, in pieces of any size; it says how many it consumed, how many
 * of those were chunk data, and when the body is complete.  forkhttpd
 * serves static files, so the data is not kept: the decoder exists to
 * find exactly where the body ends (the next pipelined request starts
 * there) and to count the data against the body limit.
 *
 * The encoder writes only the framing, never the data, so a body goes out
 * as it is, with no copy: see "Encoding" below.
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

/*
 * As chunked_decode(), but stops right after the first run of chunk
 * data, so that a reader can take the data itself: *data_len bytes of
 * data at buf + *data_off (0 bytes: none among the *used consumed).
 * Call again with buf + *used for the rest.
 */
enum chunked_result chunked_decode_data(struct chunked_decoder *d,
    const char *buf, size_t len, size_t *used, size_t *data_off,
    size_t *data_len);

/*
 * The data bytes still to come in the chunk being read (its declared
 * size, less what was taken), 0 outside chunk data: so that a chunk
 * declared larger than the body limit is refused before it arrives.
 */
uint64_t chunked_pending(const struct chunked_decoder *d);

/*
 * Encoding
 * --------
 * RFC 9112 §7.1:
 *   chunked-body = *chunk last-chunk trailer-section CRLF
 *   chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
 *   last-chunk = 1*("0") [ chunk-ext ] CRLF
 * We send no chunk extensions and no trailers, so a body of pieces of n1,
 * n2, ... bytes goes out as
 *   head(n1) data1 "\r\n" head(n2) data2 "\r\n" ... "0\r\n\r\n"
 * where head(n) is chunked_encode_head()'s "HEX\r\n".  A caller streams
 * it so, each piece with one writev():
 *   iov[0] = head (chunked_encode_head() into a CHUNKED_ENCODE_HEAD_MAX
 *            buffer), iov[1] = the data itself (untouched, not copied),
 *   iov[2] = chunked_encode_tail (CHUNKED_ENCODE_TAIL_LEN bytes);
 * and, once the body is over, the last-chunk (chunked_encode_last()).
 * A piece of 0 bytes must be skipped, never framed: "0\r\n" is the
 * last-chunk, and a recipient would take the body to end there (and the
 * rest as the next response).  That is why chunked_encode_head() refuses
 * n == 0.  The tail of one chunk and the head of the next may share a
 * buffer; the bytes are the same.
 *
 * What the response must say around it is the caller's (RFC 9112 §6.1,
 * §6.2, §7.1): "Transfer-Encoding: chunked" and no Content-Length; only
 * to an HTTP/1.1 request ("A server MUST NOT send a response containing
 * Transfer-Encoding unless the corresponding request indicates HTTP/1.1
 * (or later minor revisions)"); not on a response that has no content
 * (HEAD, 1xx, 204, 304), which gets no framing at all.
 */

/* Room for the longest head: 16 hex digits (64 bits) and CRLF. */
#define CHUNKED_ENCODE_HEAD_MAX (16 + 2)

/*
 * The largest chunk chunked_encode_head() frames: 2^63 - 1, the largest
 * the decoder above accepts ("Recipients MUST anticipate potentially
 * large hexadecimal numerals", and an off_t holds no more), or SIZE_MAX
 * where a size_t is smaller.
 */
#define CHUNKED_ENCODE_CHUNK_MAX \
	((uint64_t)SIZE_MAX < (uint64_t)INT64_MAX ? (uint64_t)SIZE_MAX : \
	(uint64_t)INT64_MAX)

/* The CRLF after each chunk's data: send CHUNKED_ENCODE_TAIL_LEN bytes. */
extern const char chunked_encode_tail[3];
#define CHUNKED_ENCODE_TAIL_LEN 2

/* The length of the last-chunk with the empty trailer section. */
#define CHUNKED_ENCODE_LAST_LEN 5

/*
 * Writes the head of a chunk of n data bytes, chunk-size CRLF (the size
 * in lower-case hex, no leading zeros, no extensions), into out (cap
 * bytes, not NUL-terminated).  Returns its length, at most
 * CHUNKED_ENCODE_HEAD_MAX; or 0, writing nothing, when n is 0 (that
 * would be the last-chunk), n is over CHUNKED_ENCODE_CHUNK_MAX, or cap
 * is too small.
 */
size_t chunked_encode_head(size_t n, char *out, size_t cap);

/*
 * Writes the last-chunk and the empty trailer section, "0\r\n\r\n",
 * which end the body, into out (cap bytes, not NUL-terminated).  Returns
 * CHUNKED_ENCODE_LAST_LEN, or 0, writing nothing, when cap is too small.
 */
size_t chunked_encode_last(char *out, size_t cap);

#endif
