/* SPDX-License-Identifier: BSD-2-Clause */
#include "autoconf.h"
/*
 * fuzz_upstream.c - libFuzzer target for the upstream response reader
 * (upstream.h): the input, after one byte of options, is what an upstream
 * sends.  It is read the way app.c and proxy.c read it (the head's bytes
 * collected, upstream_parse_head() on it, then upstream_body() or
 * upstream_next_head() for a 1xx), whole and in pieces whose sizes the
 * input gives, with the close after it or not.  Besides the sanitizers'
 * findings, it aborts when the contract breaks: more taken than given,
 * data outside what was taken, a head handed out past its blank line, a
 * reader that leaves END or ERROR, and ways of cutting the input that
 * disagree on the outcome, the heads, the body's bytes or where it
 * ended.  Every head that parses has field lines that read back as
 * token ":" value with no CR, LF or NUL, and a framing its fields allow.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined \
 *       -fno-sanitize-recover=undefined -I. -Isrc \
 *       tests/fuzz/fuzz_upstream.c src/upstream.c src/chunked.c src/http.c
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "upstream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Small, so that inputs reach the limit. */
#define FUZZ_HEAD_MAX 512

struct fuzz_outcome {
	int end;			/* 1 END, -1 ERROR, 0 neither */
	unsigned heads;
	size_t used;			/* input bytes taken */
	size_t body_len;
	uint64_t body_sum;		/* a position-weighted sum of the body */
	bool extra_known;
};

/* Every field line of h reads back well formed. */
static void
fuzz_check_head(const struct upstream_head *h)
{
	struct http_slice n, v;
	size_t pos = 0;

	while (upstream_field_next(h, &pos, &n, &v)) {
		if (n.len == 0)
			abort();
		for (size_t i = 0; i < n.len; i++)
			if (!http_is_tchar((unsigned char)n.p[i]))
				abort();
		for (size_t i = 0; i < v.len; i++)
			if (v.p[i] == '\r' || v.p[i] == '\n' || v.p[i] == '\0')
				abort();
	}
	if (pos != h->fields.len)
		abort();
	if (h->status < 100 || h->status > 599)
		abort();
	if (h->framing == UPSTREAM_BODY_LENGTH && !h->has_length)
		abort();
	if (h->framing == UPSTREAM_BODY_CLOSE && h->keep_alive)
		abort();
}

/* The head collected so far is parsed; 0, or -1 (not a head). */
static int
fuzz_head(struct upstream_reader *r, const char *head, size_t len,
    bool head_request, struct fuzz_outcome *o)
{
	struct upstream_head h;

	/* Handed out up to its blank line, and not a byte more. */
	if (len < 4 || memcmp(head + len - 4, "\r\n\r\n", 4) != 0)
		abort();
	if (upstream_parse_head(head, len, head_request, &h) < 0)
		return -1;
	fuzz_check_head(&h);
	o->heads++;
	if (h.status < 200 && h.status != 101)
		upstream_next_head(r);
	else
		upstream_body(r, &h);
	return 0;
}

/* Reads in[0..len) in pieces of at most step bytes (0: whole). */
static struct fuzz_outcome
fuzz_read(const char *in, size_t len, size_t step, bool eof,
    bool head_request)
{
	struct fuzz_outcome o = { 0, 0, 0, 0, 0, false };
	struct upstream_reader r;
	char head[FUZZ_HEAD_MAX];
	size_t head_len = 0, at = 0;

	upstream_init(&r, sizeof(head));
	while (o.end == 0) {
		size_t end = step == 0 || len - at < step ? len : at + step;
		bool last = end == len;
		size_t took, off, n;
		enum upstream_result res;

		/* An exact-size copy, so that ASan sees a read past it. */
		char *piece = malloc(end - at + 1);

		if (piece == NULL)
			abort();
		memcpy(piece, in + at, end - at);
		res = upstream_take(&r, piece, end - at, eof && last, &took,
		    &off, &n);
		if (took > end - at || off + n > took)
			abort();
		if (res == UPSTREAM_DATA && r.state <= 1) {
			if (head_len + n > sizeof(head))
				abort();
			memcpy(head + head_len, piece + off, n);
			head_len += n;
			if (r.state == 1) {
				if (fuzz_head(&r, head, head_len, head_request,
				    &o) < 0)
					res = UPSTREAM_ERROR;
				head_len = 0;
			}
		} else if (res == UPSTREAM_DATA) {
			for (size_t i = 0; i < n; i++)
				o.body_sum += (uint64_t)(unsigned char)piece[off +
				    i] * (o.body_len + i + 1);
			o.body_len += n;
		}
		free(piece);
		at += took;
		if (res == UPSTREAM_ERROR)
			o.end = -1;
		else if (res == UPSTREAM_END)
			o.end = 1;
		else if (res == UPSTREAM_MORE && took == 0 && at == end &&
		    last)
			break;
		else if (res == UPSTREAM_MORE && at != end)
			abort();
	}
	o.used = at;
	if (o.end != 0) {
		size_t took, off, n;
		enum upstream_result again = upstream_take(&r, "x", 1, false,
		    &took, &off, &n);

		if ((o.end == 1) != (again == UPSTREAM_END) || took != 0)
			abort();
	}
	return o;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_outcome whole, cut;
	bool head_request, eof;
	size_t step;

	if (size < 1)
		return 0;
	head_request = data[0] & 1;
	eof = data[0] & 2;
	step = (size_t)(data[0] >> 2) + 1;
	data++;
	size--;
	whole = fuzz_read((const char *)data, size, 0, eof, head_request);
	cut = fuzz_read((const char *)data, size, step, eof, head_request);
	if (whole.end != cut.end || whole.heads != cut.heads ||
	    (whole.end != -1 && (whole.used != cut.used ||
	    whole.body_len != cut.body_len || whole.body_sum !=
	    cut.body_sum)))
		abort();
	return 0;
}
