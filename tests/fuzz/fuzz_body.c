/* SPDX-License-Identifier: BSD-2-Clause */
#include "autoconf.h"
/*
 * fuzz_body.c - libFuzzer target for body_init() and body_take().  The
 * input's first FUZZ_HEAD bytes choose the body (missing ones are 0):
 *
 *   byte 0      framing: & 3 is 0 none, 1 Content-Length, 2 or 3
 *               chunked; >> 2 is trailer_max (0..63, small so that
 *               inputs reach it)
 *   bytes 1-2   body-max, little-endian; 0xffff means UINT64_MAX
 *   bytes 3-4   Content-Length, the same way
 *
 * and the rest is the stream, read whole, in two pieces split at a point
 * derived from the input, and in small pieces whose sizes are derived
 * from it too.  Besides the sanitizers' findings, it aborts when the
 * contract in body.h breaks: a call that uses more than it was given,
 * or less on BODY_MORE; data outside the bytes the call used (so outside
 * the input); more data handed out than body-max, or than
 * Content-Length; b->total that is not the data handed out; a reader
 * that leaves DONE or ERROR, or hands out data after them; ways of
 * splitting that disagree on the data, the end, the result or the
 * status; a 413 from body_init() that the declared length does not
 * call for; or an end that chunked_decode() on the same bytes does not
 * confirm.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined \
 *       -fno-sanitize-recover=undefined -I. -Isrc \
 *       tests/fuzz/fuzz_body.c src/body.c src/chunked.c
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "body.h"
#include "chunked.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_HEAD 5

struct fuzz_body {
	enum http_framing framing;
	uint64_t content_length;
	uint64_t max;
	size_t trailer_max;
};

struct fuzz_outcome {
	enum body_result result;	/* MORE, DONE or ERROR */
	int status;			/* with ERROR */
	size_t end;			/* *used summed over the calls */
	char *data;			/* the data handed out, concatenated */
	size_t data_len;
};

static uint64_t
fuzz_u16(const uint8_t *p)
{
	uint64_t v = (uint64_t)p[0] | (uint64_t)p[1] << 8;

	return v == 0xffff ? UINT64_MAX : v;
}

/*
 * One call on piece[*pos..n).  Returns the result; DATA is appended to
 * o after the checks.
 */
static enum body_result
fuzz_call(struct body_reader *b, const struct fuzz_body *fb,
    const char *piece, size_t n, size_t *pos, struct fuzz_outcome *o)
{
	const char *in = piece + *pos, *data = NULL;
	size_t len = n - *pos, used = (size_t)-1, dlen = (size_t)-1;
	int status = -1;
	enum body_result r = body_take(b, in, len, &used, &data, &dlen,
	    &status);

	if (used > len)
		abort();
	switch (r) {
	case BODY_DATA:
		/* The data lies among the bytes this call used. */
		if (dlen == 0 || dlen > used || data == NULL ||
		    (uintptr_t)data < (uintptr_t)in ||
		    (uintptr_t)data - (uintptr_t)in > used - dlen)
			abort();
		if ((uint64_t)(o->data_len + dlen) > fb->max)
			abort();
		if (fb->framing == HTTP_FRAMING_LENGTH &&
		    (uint64_t)(o->data_len + dlen) > fb->content_length)
			abort();
		memcpy(o->data + o->data_len, data, dlen);
		o->data_len += dlen;
		break;
	case BODY_MORE:
		if (used != len)
			abort();
		break;
	case BODY_DONE:
		break;
	case BODY_ERROR:
		if (status != 400 && status != 413)
			abort();
		o->status = status;
		break;
	default:
		abort();
	}
	if (b->total != o->data_len)
		abort();
	*pos += used;
	o->end += used;
	return r;
}

/* body.h: after DONE or ERROR the reader stays there. */
static void
fuzz_stays(struct body_reader *b, const char *rest, size_t len,
    const struct fuzz_outcome *o)
{
	const char *ins[2] = { rest, "1\r\nx\r\n0\r\n\r\n" };
	size_t lens[2] = { len, 11 };

	for (int i = 0; i < 2; i++) {
		const char *data;
		size_t used = (size_t)-1, dlen;
		int status = -1;
		enum body_result r = body_take(b, ins[i], lens[i], &used,
		    &data, &dlen, &status);

		if (r != o->result || used != 0 || b->total != o->data_len)
			abort();
		if (r == BODY_ERROR && status != o->status)
			abort();
	}
}

/*
 * Reads buf[0..len) in pieces: the first ends at `split`, the rest are
 * at most `step` bytes long (0: one piece).  Each piece is an exact-size
 * copy, so ASan sees a read past it.  o->data must hold len bytes.
 */
static void
fuzz_read(const struct fuzz_body *fb, const char *buf, size_t len,
    size_t split, uint32_t step, struct fuzz_outcome *o)
{
	struct body_reader b;
	enum body_result r = BODY_MORE;
	size_t start = 0, end = split;
	uint32_t s = step;

	o->result = BODY_MORE;
	o->status = 0;
	o->end = 0;
	o->data_len = 0;
	if (body_init(&b, fb->framing, fb->content_length, fb->max,
	    fb->trailer_max) != 0)
		abort();
	for (;;) {
		size_t n = end - start, pos = 0;
		char *piece = malloc(n > 0 ? n : 1);

		if (piece == NULL)
			abort();
		if (n > 0)
			memcpy(piece, buf + start, n);
		do
			r = fuzz_call(&b, fb, piece, n, &pos, o);
		while (r == BODY_DATA);
		if (r != BODY_MORE) {
			o->result = r;
			fuzz_stays(&b, piece + pos, n - pos, o);
		}
		free(piece);
		if (r != BODY_MORE || end == len)
			break;
		start = end;
		end = len;
		if (step != 0) {
			/* xorshift32: piece sizes 1..16 */
			s ^= s << 13;
			s ^= s >> 17;
			s ^= s << 5;
			if (end - start > 1 + s % 16)
				end = start + 1 + s % 16;
		}
	}
	o->result = r;
}

static void
fuzz_same(const struct fuzz_outcome *a, const struct fuzz_outcome *b)
{
	if (a->result != b->result || a->status != b->status ||
	    a->end != b->end || a->data_len != b->data_len ||
	    memcmp(a->data, b->data, a->data_len) != 0)
		abort();
}

/*
 * What the whole read says, held to the framing: chunked_decode() on
 * the same bytes must end where the reader did, with as much data.
 */
static void
fuzz_framing(const struct fuzz_body *fb, const char *buf, size_t len,
    const struct fuzz_outcome *o)
{
	struct chunked_decoder d;
	enum chunked_result r;
	size_t used;
	uint64_t data;

	if (o->end > len || (o->result == BODY_MORE && o->end != len))
		abort();
	switch (fb->framing) {
	case HTTP_FRAMING_NONE:
		if (o->result != BODY_DONE || o->end != 0)
			abort();
		return;
	case HTTP_FRAMING_LENGTH:
		if (o->result == BODY_ERROR || o->end != o->data_len ||
		    (o->result == BODY_DONE) !=
		    (o->data_len == fb->content_length))
			abort();
		return;
	default:
		break;
	}
	chunked_init(&d, fb->trailer_max);
	if (o->result == BODY_ERROR &&
	    o->status == HTTP_STATUS_PAYLOAD_TOO_LARGE) {
		/* Refused where a chunk's data would start: the framing was
		 * good up to there, and the data before it all handed out. */
		r = chunked_decode(&d, buf, o->end, &used, &data);
		if (r != CHUNKED_MORE || data != o->data_len ||
		    chunked_pending(&d) == 0 ||
		    chunked_pending(&d) <= fb->max - o->data_len)
			abort();
		return;
	}
	r = chunked_decode(&d, buf, len, &used, &data);
	if (used != o->end || data != o->data_len)
		abort();
	if (r != (o->result == BODY_DONE ? CHUNKED_DONE :
	    o->result == BODY_ERROR ? CHUNKED_ERROR : CHUNKED_MORE))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t head[FUZZ_HEAD] = { 0 };
	struct fuzz_body fb;
	struct fuzz_outcome whole, o;
	const char *buf;
	size_t len;
	uint32_t h = 2166136261u;	/* FNV-1a of the input */
	bool too_large;
	int st;

	memcpy(head, data, size < FUZZ_HEAD ? size : FUZZ_HEAD);
	buf = (const char *)data + (size < FUZZ_HEAD ? size : FUZZ_HEAD);
	len = size < FUZZ_HEAD ? 0 : size - FUZZ_HEAD;
	fb.framing = (head[0] & 3) == 0 ? HTTP_FRAMING_NONE :
	    (head[0] & 3) == 1 ? HTTP_FRAMING_LENGTH : HTTP_FRAMING_CHUNKED;
	fb.trailer_max = head[0] >> 2;
	fb.max = fuzz_u16(head + 1);
	fb.content_length = fuzz_u16(head + 3);
	for (size_t i = 0; i < size; i++)
		h = (h ^ data[i]) * 16777619u;

	/* RFC 9110 §15.5.14: 413 at once exactly when the declared length
	 * is over the limit. */
	{
		struct body_reader b;

		st = body_init(&b, fb.framing, fb.content_length, fb.max,
		    fb.trailer_max);
	}
	too_large = fb.framing == HTTP_FRAMING_LENGTH &&
	    fb.content_length > fb.max;
	if (st != (too_large ? HTTP_STATUS_PAYLOAD_TOO_LARGE : 0))
		abort();
	if (too_large)
		return 0;

	whole.data = malloc(len > 0 ? len : 1);
	o.data = malloc(len > 0 ? len : 1);
	if (whole.data == NULL || o.data == NULL)
		abort();
	fuzz_read(&fb, buf, len, len, 0, &whole);
	fuzz_framing(&fb, buf, len, &whole);

	fuzz_read(&fb, buf, len, len > 0 ? h % (len + 1) : 0, 0, &o);
	fuzz_same(&whole, &o);
	fuzz_read(&fb, buf, len, 0, h | 1, &o);
	fuzz_same(&whole, &o);
	free(o.data);
	free(whole.data);
	return 0;
}
