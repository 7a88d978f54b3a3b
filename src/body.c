/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * body.c - a request body's framing taken off as it arrives.
 */
#include "autoconf.h"

#include "body.h"

int
body_init(struct body_reader *b, enum http_framing framing,
    uint64_t content_length, uint64_t max, size_t trailer_max)
{
	b->framing = framing;
	b->left = framing == HTTP_FRAMING_LENGTH ? content_length : 0;
	b->max = max;
	b->total = 0;
	b->end = BODY_MORE;
	b->status = 0;
	if (framing == HTTP_FRAMING_CHUNKED)
		chunked_init(&b->dec, trailer_max);
	/* RFC 9110 §15.5.14: too large by its own account, say so at once. */
	if (framing == HTTP_FRAMING_LENGTH && content_length > max)
		return HTTP_STATUS_PAYLOAD_TOO_LARGE;
	if (framing == HTTP_FRAMING_NONE)
		b->end = BODY_DONE;
	return 0;
}

static enum body_result
body_fail(struct body_reader *b, int status, int *out)
{
	b->end = BODY_ERROR;
	b->status = status;
	*out = status;
	return BODY_ERROR;
}

static enum body_result
body_take_length(struct body_reader *b, const char *in, size_t len,
    size_t *used, const char **data, size_t *data_len)
{
	size_t n = (uint64_t)len < b->left ? len : (size_t)b->left;

	if (b->left == 0) {
		b->end = BODY_DONE;
		return BODY_DONE;
	}
	if (n == 0)
		return BODY_MORE;
	*used = n;
	b->left -= n;
	b->total += n;
	*data = in;
	*data_len = n;
	return BODY_DATA;
}

static enum body_result
body_take_chunked(struct body_reader *b, const char *in, size_t len,
    size_t *used, const char **data, size_t *data_len, int *status)
{
	size_t off, n;
	enum chunked_result r;

	r = chunked_decode_data(&b->dec, in, len, used, &off, &n);
	if (r == CHUNKED_ERROR)
		return body_fail(b, HTTP_STATUS_BAD_REQUEST, status);
	/*
	 * A chunk that declares more than the limit leaves is refused
	 * before its data comes: n + pending is its declared size.  When
	 * its size line and some of its data came in this one call, none
	 * of that data is handed out or counted, and *used stops where the
	 * data starts, as it does when the input is split right there
	 * (body.h: the same end however the bytes are split).
	 */
	if ((uint64_t)n + chunked_pending(&b->dec) > b->max - b->total) {
		if (n > 0)
			*used = off;
		return body_fail(b, HTTP_STATUS_PAYLOAD_TOO_LARGE, status);
	}
	b->total += n;
	if (n > 0) {
		/* One run of data ends the call (chunked_decode_data()). */
		*data = in + off;
		*data_len = n;
		return BODY_DATA;
	}
	if (r == CHUNKED_DONE) {
		b->end = BODY_DONE;
		return BODY_DONE;
	}
	return BODY_MORE;
}

enum body_result
body_take(struct body_reader *b, const char *in, size_t len, size_t *used,
    const char **data, size_t *data_len, int *status)
{
	*used = 0;
	*data = NULL;
	*data_len = 0;
	*status = b->status;
	if (b->end != BODY_MORE)
		return b->end;
	if (b->framing == HTTP_FRAMING_LENGTH)
		return body_take_length(b, in, len, used, data, data_len);
	return body_take_chunked(b, in, len, used, data, data_len, status);
}
