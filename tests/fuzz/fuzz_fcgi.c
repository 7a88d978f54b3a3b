/* SPDX-License-Identifier: BSD-2-Clause */
#include "autoconf.h"
/*
 * fuzz_fcgi.c - libFuzzer target for fcgi_decode(), the reader of what a
 * FastCGI server sends.  The input is decoded whole, in two pieces split
 * at a point derived from the input, and in many small pieces whose
 * sizes are derived from it too.  Besides the sanitizers' findings, it
 * aborts when the contract breaks: a call that uses more than it was
 * given, or less on FCGI_MORE; data handed out that is empty or not among
 * the bytes used; ways of splitting that disagree on the result, the
 * bytes used, the STDOUT or STDERR bytes or the app status; a decoder
 * that leaves END or ERROR.
 *
 * Then the encoders on the same bytes: the input as STDIN data framed
 * into a buffer whose size comes from the input, and cut into PARAMS
 * pairs, both read back here by the specification's layout.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined \
 *       -fno-sanitize-recover=undefined -I. -Isrc \
 *       tests/fuzz/fuzz_fcgi.c src/fcgi.c
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fcgi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_outcome {
	enum fcgi_result result;
	size_t used;
	uint32_t app_status;
	uint64_t out_hash, err_hash;	/* FNV-1a of each stream */
	size_t out_len, err_len;
};

static uint64_t
fuzz_hash(uint64_t h, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 1099511628211u;
	return h;
}

/* Decodes one piece from an exact-size copy, so ASan sees overreads. */
static enum fcgi_result
fuzz_piece(struct fcgi_decoder *d, const char *p, size_t n,
    struct fuzz_outcome *o)
{
	char *copy = malloc(n > 0 ? n : 1);
	size_t at = 0;
	enum fcgi_result r;

	if (copy == NULL)
		abort();
	if (n > 0)
		memcpy(copy, p, n);
	for (;;) {
		size_t used = (size_t)-1, off = (size_t)-1, len = (size_t)-1;

		r = fcgi_decode(d, copy + at, n - at, &used, &off, &len);
		if (used > n - at)
			abort();
		if (r == FCGI_OUT || r == FCGI_ERR) {
			if (len == 0 || off > used || len > used - off)
				abort();
			if (r == FCGI_OUT) {
				o->out_hash = fuzz_hash(o->out_hash,
				    copy + at + off, len);
				o->out_len += len;
			} else {
				o->err_hash = fuzz_hash(o->err_hash,
				    copy + at + off, len);
				o->err_len += len;
			}
			at += used;
			o->used += used;
			continue;
		}
		if (r != FCGI_MORE && r != FCGI_END && r != FCGI_ERROR)
			abort();
		if (r == FCGI_MORE && used != n - at)
			abort();
		if (r == FCGI_ERROR && d->error == NULL)
			abort();
		o->used += used;
		break;
	}
	free(copy);
	o->result = r;
	return r;
}

static struct fuzz_outcome
fuzz_decode(const char *buf, size_t len, size_t split, uint32_t step)
{
	struct fcgi_decoder d;
	struct fuzz_outcome o, again;
	uint32_t s = step;
	size_t at;

	memset(&o, 0, sizeof(o));
	o.out_hash = o.err_hash = 14695981039346656037u;
	fcgi_decoder_init(&d, 1);
	if (fuzz_piece(&d, buf, split, &o) == FCGI_MORE) {
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
			if (fuzz_piece(&d, buf + at, n, &o) != FCGI_MORE)
				break;
			at += n;
		}
	}
	o.app_status = d.app_status;
	if (o.result == FCGI_END || o.result == FCGI_ERROR) {
		memset(&again, 0, sizeof(again));
		if (fuzz_piece(&d, buf, len, &again) != o.result ||
		    again.used != 0 || again.out_len != 0 ||
		    again.err_len != 0)
			abort();
	}
	return o;
}

static void
fuzz_same(const struct fuzz_outcome *a, const struct fuzz_outcome *b)
{
	if (a->result != b->result || a->used != b->used ||
	    a->app_status != b->app_status || a->out_len != b->out_len ||
	    a->err_len != b->err_len || a->out_hash != b->out_hash ||
	    a->err_hash != b->err_hash)
		abort();
}

/* Reads records of type from p[0..len); their content must be want. */
static void
fuzz_read_back(const char *p, size_t len, unsigned type, const char *want,
    size_t want_len, bool ended)
{
	size_t at = 0, got = 0;
	bool empty = false;

	while (at < len) {
		const unsigned char *h = (const unsigned char *)p + at;
		size_t clen;

		if (len - at < 8 || h[0] != 1 || h[1] != type || h[2] != 0 ||
		    h[3] != 1 || h[6] != 0 || empty)
			abort();
		clen = (size_t)h[4] << 8 | h[5];
		if (len - at - 8 < clen)
			abort();
		if (clen == 0)
			empty = true;
		if (type == FCGI_STDIN && (clen > want_len - got ||
		    memcmp(p + at + 8, want + got, clen) != 0))
			abort();
		got += clen;
		at += 8 + clen;
	}
	if (empty != ended || (type == FCGI_STDIN && got > want_len))
		abort();
}

static void
fuzz_encoders(const char *buf, size_t size, uint32_t h)
{
	size_t cap = h % (size + 64), took, w;
	char *out = malloc(cap + 1);
	struct fcgi_params p;
	bool ended;

	if (out == NULL)
		abort();
	w = fcgi_stdin(out, cap, 1, buf, size, true, &took, &ended);
	if (w > cap || took > size || (ended && took != size))
		abort();
	fuzz_read_back(out, w, FCGI_STDIN, buf, took, ended);

	/* Pairs: name and value lengths from the input's own bytes. */
	fcgi_params_init(&p, out, cap, 1);
	for (size_t at = 0; at + 2 <= size;) {
		size_t nl = (unsigned char)buf[at], vl = (unsigned char)buf[at
		    + 1] * 3;

		at += 2;
		if (nl + vl > size - at)
			break;
		(void)fcgi_params_add(&p, buf + at, nl, buf + at + nl, vl);
		at += nl + vl;
	}
	w = fcgi_params_end(&p);
	if (w > cap || (w == 0) != p.failed)
		abort();
	fuzz_read_back(out, w, FCGI_PARAMS, NULL, 0, w > 0);
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct fuzz_outcome whole, o;
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < size; i++)
		h = (h ^ data[i]) * 16777619u;

	whole = fuzz_decode(buf, size, size, 0);
	if (whole.used > size || (whole.result == FCGI_MORE &&
	    whole.used != size))
		abort();
	o = fuzz_decode(buf, size, size > 0 ? h % (size + 1) : 0, 0);
	fuzz_same(&whole, &o);
	o = fuzz_decode(buf, size, 0, h | 1);
	fuzz_same(&whole, &o);
	if (whole.result == FCGI_END) {
		/* The answer is exactly buf[0..used). */
		o = fuzz_decode(buf, whole.used, whole.used, 0);
		fuzz_same(&whole, &o);
		o = fuzz_decode(buf, whole.used - 1, whole.used - 1, 0);
		if (o.result != FCGI_MORE)
			abort();
	}
	fuzz_encoders(buf, size, h);
	return 0;
}
