/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fcgi.h - the FastCGI record protocol (FastCGI Specification 1.0), the
 * web server's side of a Responder: encoders for the records it sends
 * (BEGIN_REQUEST, PARAMS, STDIN) and a streaming decoder for those it
 * receives (STDOUT, STDERR, END_REQUEST).  Pure: no I/O, no allocation.
 *
 * Every record is an 8-byte header, then contentLength bytes of content,
 * then paddingLength bytes to ignore (spec §3.3):
 *   version(1) type(1) requestId(2) contentLength(2) paddingLength(1)
 *   reserved(1)
 * with the 16-bit values in network byte order.  PARAMS and STDIN are
 * streams: any number of records, ended by one with contentLength 0.
 *
 * The encoders write whole records into a caller's buffer and never
 * split what they cannot: they return 0 (writing nothing) when it does
 * not fit, so the caller tries again with more room or fails.  They send
 * no padding (the spec says SHOULD for alignment; a receiver must accept
 * records without it, and php-fpm does).
 *
 * The decoder takes the server's bytes in pieces of any size and hands
 * out the content of STDOUT and STDERR records where it lies in the
 * input, never copied: the caller gets an offset and a length, split
 * wherever its reads split the records.
 */
#ifndef FORKHTTPD_FCGI_H
#define FORKHTTPD_FCGI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FCGI_VERSION_1 1
#define FCGI_HEADER_LEN 8
#define FCGI_CONTENT_MAX 65535	/* contentLength is 16 bits */

/* Record types (spec §8). */
enum fcgi_type {
	FCGI_BEGIN_REQUEST = 1,
	FCGI_ABORT_REQUEST = 2,
	FCGI_END_REQUEST = 3,
	FCGI_PARAMS = 4,
	FCGI_STDIN = 5,
	FCGI_STDOUT = 6,
	FCGI_STDERR = 7,
	FCGI_DATA = 8,
	FCGI_GET_VALUES = 9,
	FCGI_GET_VALUES_RESULT = 10,
	FCGI_UNKNOWN_TYPE = 11
};

#define FCGI_RESPONDER 1		/* BEGIN_REQUEST's role */
#define FCGI_KEEP_CONN 1		/* BEGIN_REQUEST's flags */

/* END_REQUEST's protocolStatus (spec §5.5). */
enum fcgi_protocol_status {
	FCGI_REQUEST_COMPLETE = 0,
	FCGI_CANT_MPX_CONN = 1,
	FCGI_OVERLOADED = 2,
	FCGI_UNKNOWN_ROLE = 3
};

/* The length of BEGIN_REQUEST and of an empty (stream-ending) record. */
#define FCGI_BEGIN_LEN (FCGI_HEADER_LEN + 8)
#define FCGI_EMPTY_LEN FCGI_HEADER_LEN

/*
 * Writes BEGIN_REQUEST for request id (1..65535), role RESPONDER, flags
 * FCGI_KEEP_CONN when keep_conn, into out (cap bytes).  Returns
 * FCGI_BEGIN_LEN, or 0 when cap is too small or id is 0 (0 is for
 * management records).
 */
size_t fcgi_begin_request(char *out, size_t cap, uint16_t id, bool keep_conn);

/*
 * Writes the header of a record of type with len bytes of content and no
 * padding into out (cap bytes).  Returns FCGI_HEADER_LEN, or 0 when cap
 * is too small, len is over FCGI_CONTENT_MAX or id is 0.  With len 0 it
 * is the record that ends a stream (PARAMS, STDIN).
 */
size_t fcgi_header(char *out, size_t cap, enum fcgi_type type, uint16_t id,
    size_t len);

/*
 * STDIN: frames data[0..n) as records of at most FCGI_CONTENT_MAX bytes
 * into out (cap bytes), as much of data as fits: returns the bytes
 * written to out and sets *took to the bytes of data they carry (fewer
 * than n when cap is short; 0 when not even a header and one byte fit).
 * With last, and only when all of data fits, the empty record that ends
 * stdin follows; *ended says whether it was written.  n 0 with last
 * writes the empty record alone.
 */
size_t fcgi_stdin(char *out, size_t cap, uint16_t id, const char *data,
    size_t n, bool last, size_t *took, bool *ended);

/*
 * PARAMS: name-value pairs (spec §3.4), each length in 1 byte below 128
 * and in 4 bytes (high bit set) otherwise, written into records of at
 * most FCGI_CONTENT_MAX bytes of content.  A pair never spans two
 * records: php-fpm parses each PARAMS record on its own, and a pair cut
 * in two would be lost.  So a pair is limited to FCGI_CONTENT_MAX bytes
 * with its lengths (FCGI_PAIR_MAX).
 *
 *   struct fcgi_params p;
 *   fcgi_params_init(&p, buf, cap, id);
 *   fcgi_params_add(&p, "SCRIPT_FILENAME", 15, file, file_len); ...
 *   len = fcgi_params_end(&p);     0: something did not fit
 */
#define FCGI_PAIR_MAX FCGI_CONTENT_MAX

struct fcgi_params {
	char *out;		/* the caller's buffer */
	size_t cap;
	size_t len;		/* bytes written so far */
	size_t rec;		/* private: where the open record's header is */
	bool open;		/* private: a record is open */
	bool failed;		/* a pair did not fit (or was too long) */
	uint16_t id;
};

void fcgi_params_init(struct fcgi_params *p, char *out, size_t cap,
    uint16_t id);

/*
 * Adds one pair.  Returns true, or false (and p->failed from then on,
 * every later call failing too) when the pair is longer than
 * FCGI_PAIR_MAX or the buffer is full.
 */
bool fcgi_params_add(struct fcgi_params *p, const char *name, size_t nlen,
    const char *value, size_t vlen);

/*
 * Closes the open record and writes the empty PARAMS record that ends
 * the stream.  Returns the bytes written into the buffer in all, or 0
 * when anything failed to fit.
 */
size_t fcgi_params_end(struct fcgi_params *p);

/*
 * Decoding
 * --------
 * What the decoder accepts from the application (a Responder's answer):
 *   - STDOUT and STDERR records for our request id: their content is
 *     handed out; an empty one ends that stream, and content after it is
 *     an error;
 *   - END_REQUEST for our id, content exactly 8 bytes: appStatus(4)
 *     protocolStatus(1) reserved(3); protocolStatus other than
 *     REQUEST_COMPLETE is an error (the server refused the request:
 *     CANT_MPX_CONN, OVERLOADED, UNKNOWN_ROLE);
 *   - management records (request id 0: GET_VALUES_RESULT,
 *     UNKNOWN_TYPE, any other) and records of types this version does
 *     not define (above FCGI_UNKNOWN_TYPE, or 0): skipped.
 * Errors: a version other than 1; a record of ours with another request
 * id; a record a server does not send (BEGIN_REQUEST, ABORT_REQUEST,
 * PARAMS, STDIN, DATA, GET_VALUES for a request).  Everything is bounded
 * by the format itself: a record is at most 8 + 65535 + 255 bytes, and
 * the decoder holds at most one header and END_REQUEST's 8 bytes.
 */
enum fcgi_result {
	FCGI_MORE = 0,		/* every byte given was taken; need more */
	FCGI_OUT,		/* STDOUT content at in + *off, *len bytes */
	FCGI_ERR,		/* STDERR content at in + *off, *len bytes */
	FCGI_END,		/* END_REQUEST (and its padding) taken */
	FCGI_ERROR		/* not the protocol, or a refused request */
};

struct fcgi_decoder {
	uint16_t id;		/* our request id */
	int state;		/* private */
	unsigned char buf[8];	/* private: a header or END_REQUEST's body */
	size_t buf_len;		/* private */
	unsigned type;		/* private: the record being read */
	size_t content;		/* private: its content bytes left */
	size_t padding;		/* private: its padding bytes left */
	bool skip;		/* private: the record is not for us */
	bool out_closed;	/* the empty STDOUT came */
	bool err_closed;	/* the empty STDERR came */
	uint32_t app_status;	/* END_REQUEST's appStatus */
	unsigned protocol_status;	/* END_REQUEST's protocolStatus */
	const char *error;	/* FCGI_ERROR: what was wrong, for the log */
};

void fcgi_decoder_init(struct fcgi_decoder *d, uint16_t id);

/*
 * Decodes from in[0..n): sets *used to the bytes taken and returns
 *   FCGI_MORE   *used == n, nothing to hand out;
 *   FCGI_OUT, FCGI_ERR
 *               content at in + *off, *len bytes (*len > 0), the last
 *               of the *used bytes taken (call again with in + *used);
 *   FCGI_END    the request is over: *used bytes up to the end of the
 *               END_REQUEST record; app_status and protocol_status set;
 *   FCGI_ERROR  d->error says why; *used is the offset of the byte
 *               that showed it (the last byte of a header, or of
 *               END_REQUEST's body), wherever the input was split.
 * After FCGI_END or FCGI_ERROR the decoder stays there, taking nothing.
 */
enum fcgi_result fcgi_decode(struct fcgi_decoder *d, const char *in,
    size_t n, size_t *used, size_t *off, size_t *len);

#endif
