/* SPDX-License-Identifier: BSD-2-Clause */
#include "autoconf.h"
/*
 * fuzz_chunked.c - libFuzzer target for chunked_decode().  The input is
 * decoded whole, in two pieces split at a point derived from the input,
 * and in many small pieces whose sizes are derived from it too.  Besides
 * the sanitizers' findings, it aborts when the contract breaks: a call
 * that uses more than it was given or less on CHUNKED_MORE, data that is
 * not among the bytes used, d->total that is not the sum of the data,
 * ways of splitting that disagree on the result, the bytes used or the
 * data, a body that does not end where it said, or a decoder that leaves
 * DONE or ERROR.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined \
 *       -fno-sanitize-recover=undefined -I. -Isrc \
 *       tests/fuzz/fuzz_chunked.c src/chunked.c
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chunked.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Small, so that inputs reach the trailer limit and go past it. */
#define FUZZ_TRAILER_MAX 64

struct fuzz_outcome {
	enum chunked_result result;
	size_t used;
	uint64_t data;
};

/* Decodes one piece from an exact-size copy, so ASan sees overreads. */
static enum chunked_result
fuzz_piece(struct chunked_decoder *d, const char *p, size_t n,
    struct fuzz_outcome *o)
{
	char *copy = malloc(n > 0 ? n : 1);
	enum chunked_result r;
	size_t used = (size_t)-1;
	uint64_t data = UINT64_MAX;

	if (copy == NULL)
		abort();
	if (n > 0)
		memcpy(copy, p, n);
	r = chunked_decode(d, copy, n, &used, &data);
	free(copy);
	if (r != CHUNKED_MORE && r != CHUNKED_DONE && r != CHUNKED_ERROR)
		abort();
	if (used > n || data > used)
		abort();
	if (r == CHUNKED_MORE && used != n)
		abort();
	o->result = r;
	o->used += used;
	o->data += data;
	if (d->total != o->data)
		abort();
	return r;
}

/*
 * Decodes buf[0..len) in pieces: the first ends at `split`, the rest are
 * at most `step` bytes long (0: one piece).  Stops at DONE or ERROR and
 * checks that the decoder then stays there.
 */
static struct fuzz_outcome
fuzz_decode(const char *buf, size_t len, size_t split, uint32_t step)
{
	struct chunked_decoder d;
	struct fuzz_outcome o = { CHUNKED_MORE, 0, 0 }, again;
	size_t at = 0;
	uint32_t s = step;

	chunked_init(&d, FUZZ_TRAILER_MAX);
	if (fuzz_piece(&d, buf, split, &o) == CHUNKED_MORE) {
		at = split;
		while (at < len) {
			size_t n = len - at;

			if (step != 0) {
				/* xorshift32: piece sizes 1..16 */
				s ^= s << 13;
				s ^= s >> 17;
				s ^= s << 5;
				if (n > 1 + s % 16)
					n = 1 + s % 16;
			}
			if (fuzz_piece(&d, buf + at, n, &o) != CHUNKED_MORE)
				break;
			at += n;
		}
	}
	if (o.data > o.used)
		abort();
	if (o.result != CHUNKED_MORE) {
		/* chunked.h: after DONE or ERROR the decoder stays there. */
		again.used = 0;
		again.data = o.data;
		if (fuzz_piece(&d, buf, len, &again) != o.result ||
		    again.used != 0 || again.data != o.data)
			abort();
	}
	return o;
}

static void
fuzz_same(struct fuzz_outcome a, struct fuzz_outcome b)
{
	if (a.result != b.result || a.used != b.used || a.data != b.data)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct fuzz_outcome whole, o;
	uint32_t h = 2166136261u;	/* FNV-1a of the input */

	for (size_t i = 0; i < size; i++)
		h = (h ^ data[i]) * 16777619u;

	whole = fuzz_decode(buf, size, size, 0);
	if (whole.used > size)
		abort();
	if (whole.result == CHUNKED_MORE && whole.used != size)
		abort();

	o = fuzz_decode(buf, size, size > 0 ? h % (size + 1) : 0, 0);
	fuzz_same(whole, o);
	o = fuzz_decode(buf, size, 0, h | 1);
	fuzz_same(whole, o);

	if (whole.result == CHUNKED_DONE) {
		/* The body is exactly buf[0..used): alone it is complete,
		 * and one byte short it is not. */
		if (whole.used == 0)
			abort();
		o = fuzz_decode(buf, whole.used, whole.used, 0);
		fuzz_same(whole, o);
		o = fuzz_decode(buf, whole.used - 1, whole.used - 1, 0);
		if (o.result != CHUNKED_MORE)
			abort();
	}
	return 0;
}
