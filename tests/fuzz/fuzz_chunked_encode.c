/* SPDX-License-Identifier: BSD-2-Clause */
#include "autoconf.h"
/*
 * fuzz_chunked_encode.c - libFuzzer target for the chunked encoder,
 * checked by the decoder.  The input is
 *   k (1 byte, mod 16), k chunk sizes (2 bytes each, little-endian),
 *   then the payload;
 * the payload is cut into pieces of those sizes, over and over (a size
 * of 0 is a piece to skip: chunked_encode_head() must refuse it), framed
 * with chunked_encode_head(), chunked_encode_tail and
 * chunked_encode_last(), and followed by the start of a pipelined
 * request.  It aborts when chunked.h's contract breaks: a head that is
 * not the size in lower-case hex without leading zeros and CRLF, longer
 * than CHUNKED_ENCODE_HEAD_MAX, written when refused or past a short
 * buffer; or a body that chunked_decode() does not take, whole, one byte
 * at a time (which rebuilds the payload: it must come back exactly), in
 * two pieces and in random pieces, each ending exactly where the
 * encoder's output ends with the payload's length as data.  The first
 * eight bytes, as a 64-bit size, also go through chunked_encode_head()
 * alone, so sizes of every magnitude are framed and decoded.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined \
 *       -fno-sanitize-recover=undefined -I. -Isrc \
 *       tests/fuzz/fuzz_chunked_encode.c src/chunked.c
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chunked.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_NEXT "GET / HTTP/1.1\r\n"
#define FUZZ_NEXT_LEN (sizeof(FUZZ_NEXT) - 1)

static uint32_t
fuzz_random(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/*
 * chunked_encode_head(n) into a buffer of exactly cap bytes: refused
 * (0, nothing written) or the size in lower-case hex, no leading zero,
 * then CRLF.  Returns the length; *head gets a copy.
 */
static size_t
fuzz_head(size_t n, size_t cap, char head[CHUNKED_ENCODE_HEAD_MAX])
{
	char *buf = malloc(cap + 1);
	uint64_t v = 0;
	size_t len, digits;

	if (buf == NULL)
		abort();
	memset(buf, '#', cap + 1);
	len = chunked_encode_head(n, buf, cap);
	if (len == 0) {
		for (size_t i = 0; i <= cap; i++)
			if (buf[i] != '#')
				abort();
		free(buf);
		if (n != 0 && (uint64_t)n <= CHUNKED_ENCODE_CHUNK_MAX &&
		    cap >= CHUNKED_ENCODE_HEAD_MAX)
			abort();	/* refused what fits */
		return 0;
	}
	if (n == 0 || (uint64_t)n > CHUNKED_ENCODE_CHUNK_MAX ||
	    len > cap || len > CHUNKED_ENCODE_HEAD_MAX || len < 3 ||
	    buf[cap] != '#')
		abort();
	digits = len - 2;
	if (buf[0] == '0' || buf[digits] != '\r' || buf[digits + 1] != '\n')
		abort();
	for (size_t i = 0; i < digits; i++) {
		char c = buf[i];

		if (c >= '0' && c <= '9')
			v = v * 16 + (uint64_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v * 16 + (uint64_t)(c - 'a' + 10);
		else
			abort();
	}
	if (v != (uint64_t)n)
		abort();
	memcpy(head, buf, len);
	free(buf);
	/* One byte short is refused. */
	if (cap >= len && fuzz_head(n, len - 1, head) != 0)
		abort();
	return len;
}

/* A head for n alone must read as the start of a chunk of n. */
static void
fuzz_big(uint64_t n64)
{
	char head[CHUNKED_ENCODE_HEAD_MAX];
	struct chunked_decoder d;
	size_t len, used;
	uint64_t data;

	if (n64 > SIZE_MAX)
		return;
	len = fuzz_head((size_t)n64, CHUNKED_ENCODE_HEAD_MAX, head);
	if (len == 0)
		return;
	chunked_init(&d, 64);
	if (chunked_decode(&d, head, len, &used, &data) != CHUNKED_MORE ||
	    used != len || data != 0)
		abort();
}

/*
 * Frames the payload; returns the encoded length (body, then FUZZ_NEXT)
 * and sets *body_len.  out holds plen * (HEAD_MAX + 3) + 32 bytes.
 */
static size_t
fuzz_encode(const uint8_t *sizes, size_t k, const char *payload, size_t plen,
    char *out, size_t *body_len)
{
	size_t at = 0, len = 0, idx = 0, since = 0;

	while (at < plen) {
		size_t n = plen - at, h;

		if (k > 0) {
			n = (size_t)sizes[2 * idx] |
			    (size_t)sizes[2 * idx + 1] << 8;
			idx = (idx + 1) % k;
			/* A whole round of empty pieces: the rest in one. */
			if (n == 0 && ++since >= k)
				n = plen - at;
			if (n > plen - at)
				n = plen - at;
		}
		h = fuzz_head(n, CHUNKED_ENCODE_HEAD_MAX, out + len);
		if (n == 0) {
			if (h != 0)
				abort();
			continue;
		}
		since = 0;
		len += h;
		memcpy(out + len, payload + at, n);
		len += n;
		memcpy(out + len, chunked_encode_tail, CHUNKED_ENCODE_TAIL_LEN);
		len += CHUNKED_ENCODE_TAIL_LEN;
		at += n;
	}
	if (chunked_encode_last(out + len, CHUNKED_ENCODE_LAST_LEN - 1) != 0)
		abort();
	if (chunked_encode_last(out + len, CHUNKED_ENCODE_LAST_LEN) !=
	    CHUNKED_ENCODE_LAST_LEN)
		abort();
	len += CHUNKED_ENCODE_LAST_LEN;
	*body_len = len;
	memcpy(out + len, FUZZ_NEXT, FUZZ_NEXT_LEN);
	return len + FUZZ_NEXT_LEN;
}

/* One call on an exact-size copy of buf[at..at+n). */
static enum chunked_result
fuzz_piece(struct chunked_decoder *d, const char *buf, size_t n,
    size_t *used, uint64_t *data)
{
	char *copy = malloc(n > 0 ? n : 1);
	enum chunked_result r;

	if (copy == NULL)
		abort();
	memcpy(copy, buf, n);
	r = chunked_decode(d, copy, n, used, data);
	free(copy);
	if (r == CHUNKED_ERROR || *used > n || *data > *used ||
	    (r == CHUNKED_MORE && *used != n))
		abort();
	return r;
}

/*
 * Byte by byte: the data bytes, in order, must be the payload; cum[i]
 * gets the data among enc[0..i).
 */
static void
fuzz_bytes(const char *enc, size_t len, size_t body_len, const char *payload,
    size_t plen, uint64_t *cum)
{
	struct chunked_decoder d;
	enum chunked_result r = CHUNKED_MORE;
	size_t i, used;
	uint64_t data, k = 0;

	chunked_init(&d, 64);
	cum[0] = 0;
	for (i = 0; i < len && r == CHUNKED_MORE; i++) {
		r = fuzz_piece(&d, enc + i, 1, &used, &data);
		if (used != 1)
			abort();
		if (data == 1 && (k >= plen || enc[i] != payload[k++]))
			abort();
		cum[i + 1] = k;
	}
	if (r != CHUNKED_DONE || i != body_len || k != plen || d.total != plen)
		abort();
}

/*
 * In pieces: the first ends at split, the rest are 1..max bytes (max 0:
 * the rest in one); must agree with cum at every end.
 */
static void
fuzz_split(const char *enc, size_t len, size_t body_len, size_t plen,
    const uint64_t *cum, size_t split, uint32_t seed, size_t max)
{
	struct chunked_decoder d;
	enum chunked_result r;
	size_t at, used;
	uint64_t data;

	chunked_init(&d, 64);
	r = fuzz_piece(&d, enc, split, &used, &data);
	at = used;
	if (data != cum[at])
		abort();
	while (r == CHUNKED_MORE && at < len) {
		size_t n = len - at;

		if (max > 0 && n > 1 + fuzz_random(&seed) % max)
			n = 1 + seed % max;
		r = fuzz_piece(&d, enc + at, n, &used, &data);
		at += used;
		if (d.total != cum[at])
			abort();
	}
	if (r != CHUNKED_DONE || at != body_len || d.total != plen)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t k, plen, len, body_len;
	const char *payload;
	uint64_t n64 = 0, *cum;
	uint32_t h = 2166136261u;
	char *enc;

	for (size_t i = 0; i < size; i++)
		h = (h ^ data[i]) * 16777619u;
	for (size_t i = 0; i < 8 && i < size; i++)
		n64 |= (uint64_t)data[i] << (8 * i);
	fuzz_big(n64);
	fuzz_big(n64 >> (h % 64));

	k = size > 0 ? data[0] % 16 : 0;
	if (size < 1 + 2 * k)
		return 0;
	payload = (const char *)data + 1 + 2 * k;
	plen = size - 1 - 2 * k;
	enc = malloc(plen * (CHUNKED_ENCODE_HEAD_MAX + 3) + 32);
	cum = malloc((plen * (CHUNKED_ENCODE_HEAD_MAX + 3) + 33) *
	    sizeof(*cum));
	if (enc == NULL || cum == NULL)
		abort();
	len = fuzz_encode(data + 1, k, payload, plen, enc, &body_len);

	fuzz_bytes(enc, len, body_len, payload, plen, cum);
	fuzz_split(enc, len, body_len, plen, cum, len, h, 0);
	fuzz_split(enc, len, body_len, plen, cum, h % (len + 1), h, 0);
	fuzz_split(enc, len, body_len, plen, cum, 0, h | 1, 7);
	fuzz_split(enc, len, body_len, plen, cum, 0, h | 1, 300);
	free(enc);
	free(cum);
	return 0;
}
