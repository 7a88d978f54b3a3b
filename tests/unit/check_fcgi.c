/* SPDX-License-Identifier: BSD-2-Clause */
#include "autoconf.h"
/*
 * check_fcgi.c - the FastCGI record protocol (fcgi.c).
 *
 * Encoders: BEGIN_REQUEST byte for byte; STDIN records for data of any
 * size (split at 65535, cut short by the room given, the empty record
 * only when everything fit); PARAMS with 1- and 4-byte lengths at the
 * 127/128 boundary, large values, many pairs across records (no record
 * over 65535, no pair across two), and what does not fit.  The records
 * written are read back by a parser of this file's own, written from the
 * specification, not by the module.
 *
 * Decoder: a table of server answers (each built from records, with and
 * without padding) fed whole, one byte at a time, split in two at every
 * point and cut at random points: the STDOUT and STDERR bytes handed
 * out, the result, the bytes used and the app status must be the same
 * each time.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcgi.h"

#include "../lib/unit.h"

#define ROWS(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Called per byte: test first, record only a failure (see check_chunked). */
#define REQUIRE(cond, ...) do {					\
	if (!(cond))							\
		ck_abort_msg(__VA_ARGS__);				\
} while (0)

/* ------------------------------------------------------------------ */
/* Records as the specification lays them out (§3.3), written here */

struct buf {
	char *p;
	size_t len, cap;
};

static void
buf_put(struct buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 64;
		b->p = realloc(b->p, b->cap);
		ck_assert_ptr_nonnull(b->p);
	}
	if (n > 0)
		memcpy(b->p + b->len, p, n);
	b->len += n;
}

/* One record: version 1 unless ver says otherwise (ver 0: 1). */
static void
rec(struct buf *b, unsigned ver, unsigned type, unsigned id, const void *c,
    size_t len, unsigned pad)
{
	unsigned char h[8] = {
		(unsigned char)(ver ? ver : 1), (unsigned char)type,
		(unsigned char)(id >> 8), (unsigned char)id,
		(unsigned char)(len >> 8), (unsigned char)len,
		(unsigned char)pad, 0
	};
	char zeros[255] = { 0 };

	buf_put(b, h, 8);
	buf_put(b, c, len);
	buf_put(b, zeros, pad);
}

static void
end_rec(struct buf *b, unsigned id, uint32_t app, unsigned proto,
    unsigned pad)
{
	unsigned char e[8] = {
		(unsigned char)(app >> 24), (unsigned char)(app >> 16),
		(unsigned char)(app >> 8), (unsigned char)app,
		(unsigned char)proto, 0, 0, 0
	};

	rec(b, 1, FCGI_END_REQUEST, id, e, 8, pad);
}

/* ------------------------------------------------------------------ */
/* Encoders */

START_TEST(test_begin_request)
{
	char out[32];
	static const unsigned char want[] = {
		1, 1, 0x01, 0x02, 0, 8, 0, 0,	/* header: id 258, 8 bytes */
		0, 1, 1, 0, 0, 0, 0, 0		/* RESPONDER, KEEP_CONN */
	};

	ck_assert_uint_eq(fcgi_begin_request(out, sizeof(out), 258, true),
	    FCGI_BEGIN_LEN);
	ck_assert_mem_eq(out, want, sizeof(want));
	ck_assert_uint_eq(fcgi_begin_request(out, sizeof(out), 258, false),
	    FCGI_BEGIN_LEN);
	ck_assert_int_eq(out[10], 0);
	ck_assert_uint_eq(fcgi_begin_request(out, FCGI_BEGIN_LEN - 1, 1,
	    false), 0);
	ck_assert_uint_eq(fcgi_begin_request(out, sizeof(out), 0, false), 0);
}
END_TEST

START_TEST(test_header)
{
	char out[8];
	static const unsigned char want[] = { 1, 5, 0, 1, 0xff, 0xff, 0, 0 };

	ck_assert_uint_eq(fcgi_header(out, 8, FCGI_STDIN, 1, 65535), 8);
	ck_assert_mem_eq(out, want, 8);
	ck_assert_uint_eq(fcgi_header(out, 8, FCGI_STDIN, 1, 65536), 0);
	ck_assert_uint_eq(fcgi_header(out, 7, FCGI_STDIN, 1, 0), 0);
	ck_assert_uint_eq(fcgi_header(out, 8, FCGI_STDIN, 0, 0), 0);
}
END_TEST

/*
 * Reads records of type for id from p[0..len) as the specification says:
 * their content concatenated into *content, the sizes of the records in
 * sizes[] (*nrec of them).  Fails the test on anything else.
 */
static void
read_stream(const char *p, size_t len, unsigned type, unsigned id,
    struct buf *content, size_t *sizes, size_t maxrec, size_t *nrec)
{
	size_t at = 0;

	*nrec = 0;
	while (at < len) {
		const unsigned char *h = (const unsigned char *)p + at;
		size_t clen, pad;

		ck_assert_uint_ge(len - at, 8);
		ck_assert_uint_eq(h[0], 1);
		ck_assert_uint_eq(h[1], type);
		ck_assert_uint_eq((unsigned)h[2] << 8 | h[3], id);
		clen = (size_t)h[4] << 8 | h[5];
		pad = h[6];
		ck_assert_uint_ge(len - at - 8, clen + pad);
		buf_put(content, p + at + 8, clen);
		ck_assert_uint_lt(*nrec, maxrec);
		sizes[(*nrec)++] = clen;
		at += 8 + clen + pad;
	}
}

START_TEST(test_stdin_sizes)
{
	static const size_t sizes[] = { 1, 100, 65535, 65536, 200000 };
	size_t n = sizes[_i];
	char *data = malloc(n), *out = malloc(n + 64);
	struct buf got = { 0 };
	size_t took, w, rs[8], nrec, cap = n + 64;
	bool ended;

	unit_fill_pattern(data, n, (unsigned)n);
	w = fcgi_stdin(out, cap, 7, data, n, true, &took, &ended);
	ck_assert_uint_eq(took, n);
	ck_assert(ended);
	read_stream(out, w, FCGI_STDIN, 7, &got, rs, 8, &nrec);
	ck_assert_uint_eq(got.len, n);
	ck_assert_mem_eq(got.p, data, n);
	/* Full records of 65535, the rest, then the empty one. */
	ck_assert_uint_eq(nrec, (n + 65534) / 65535 + 1);
	for (size_t i = 0; i + 2 < nrec; i++)
		ck_assert_uint_eq(rs[i], 65535);
	ck_assert_uint_eq(rs[nrec - 1], 0);
	ck_assert_uint_eq(w, n + 8 * nrec);
	free(got.p);
	free(data);
	free(out);
}
END_TEST

START_TEST(test_stdin_room)
{
	char out[64], data[100];
	size_t took, w;
	bool ended;

	memset(data, 'x', sizeof(data));
	/* Room for a header and 10 bytes: 10 taken, no end. */
	w = fcgi_stdin(out, 18, 1, data, 100, true, &took, &ended);
	ck_assert_uint_eq(w, 18);
	ck_assert_uint_eq(took, 10);
	ck_assert(!ended);
	/* Not even a header and one byte: nothing. */
	w = fcgi_stdin(out, 8, 1, data, 100, false, &took, &ended);
	ck_assert_uint_eq(w, 0);
	ck_assert_uint_eq(took, 0);
	/* All of it fits but not the empty record: taken, not ended. */
	w = fcgi_stdin(out, 8 + 20 + 7, 1, data, 20, true, &took, &ended);
	ck_assert_uint_eq(w, 28);
	ck_assert_uint_eq(took, 20);
	ck_assert(!ended);
	/* And the end alone, later. */
	w = fcgi_stdin(out, 8, 1, data, 0, true, &took, &ended);
	ck_assert_uint_eq(w, 8);
	ck_assert(ended);
	ck_assert_int_eq(out[1], FCGI_STDIN);
	ck_assert_int_eq(out[4] | out[5], 0);
	/* Not last: no end record, even with room. */
	w = fcgi_stdin(out, sizeof(out), 1, data, 5, false, &took, &ended);
	ck_assert_uint_eq(w, 13);
	ck_assert(!ended);
	w = fcgi_stdin(out, sizeof(out), 1, data, 0, false, &took, &ended);
	ck_assert_uint_eq(w, 0);
}
END_TEST

/* A length as §3.4 reads it; advances *at. */
static size_t
pair_len(const unsigned char *p, size_t len, size_t *at)
{
	size_t v;

	ck_assert_uint_lt(*at, len);
	if (p[*at] < 128)
		return p[(*at)++];
	ck_assert_uint_ge(len - *at, 4);
	v = ((size_t)(p[*at] & 0x7f) << 24) | (size_t)p[*at + 1] << 16 |
	    (size_t)p[*at + 2] << 8 | p[*at + 3];
	*at += 4;
	return v;
}

/*
 * The PARAMS stream in p[0..len): every record's content must hold
 * whole pairs (php-fpm parses each record alone); the last record is the
 * empty one.  Returns the pairs as "name=value\n" lines in *out.
 */
static void
read_params(const char *p, size_t len, struct buf *out, size_t *nrec)
{
	size_t at = 0;

	*nrec = 0;
	for (;;) {
		const unsigned char *h = (const unsigned char *)p + at;
		size_t clen, i = 0;

		ck_assert_uint_ge(len - at, 8);
		ck_assert_uint_eq(h[0], 1);
		ck_assert_uint_eq(h[1], FCGI_PARAMS);
		clen = (size_t)h[4] << 8 | h[5];
		ck_assert_uint_ge(len - at - 8, clen + h[6]);
		(*nrec)++;
		if (clen == 0) {
			ck_assert_uint_eq(at + 8 + h[6], len);
			return;
		}
		while (i < clen) {
			size_t nl = pair_len(h + 8, clen, &i);
			size_t vl = pair_len(h + 8, clen, &i);

			ck_assert_uint_ge(clen - i, nl + vl);
			buf_put(out, h + 8 + i, nl);
			buf_put(out, "=", 1);
			buf_put(out, h + 8 + i + nl, vl);
			buf_put(out, "\n", 1);
			i += nl + vl;
		}
		at += 8 + clen + h[6];
	}
}

START_TEST(test_params_lengths)
{
	static const size_t lens[] = { 0, 1, 127, 128, 129, 255, 256, 65535 -
	    8 - 10, 40000 };
	size_t vl = lens[_i], n, nrec;
	char *value = malloc(vl + 1), *out = malloc(vl + 256);
	struct fcgi_params p;
	struct buf got = { 0 }, want = { 0 };

	memset(value, 'v', vl);
	fcgi_params_init(&p, out, vl + 256, 1);
	ck_assert(fcgi_params_add(&p, "QUERY_STRING", 12, value, vl));
	ck_assert(fcgi_params_add(&p, "A", 1, "", 0));
	n = fcgi_params_end(&p);
	ck_assert_uint_gt(n, 0);
	read_params(out, n, &got, &nrec);
	buf_put(&want, "QUERY_STRING=", 13);
	buf_put(&want, value, vl);
	buf_put(&want, "\nA=\n", 4);
	ck_assert_uint_eq(got.len, want.len);
	ck_assert_mem_eq(got.p, want.p, want.len);
	/* The lengths' own bytes: 1 below 128, 4 from 128 on. */
	ck_assert_uint_eq(n, 8 + 1 + (vl < 128 ? 1 : 4) + 12 + vl + 3 +
	    (nrec == 3 ? 8 : 0) + 8);
	free(got.p);
	free(want.p);
	free(value);
	free(out);
}
END_TEST

/* Many pairs, 200 KiB of them: records of at most 65535, none split. */
START_TEST(test_params_big)
{
	size_t cap = 300000, n, nrec;
	char *out = malloc(cap), name[32], value[1000];
	struct fcgi_params p;
	struct buf got = { 0 }, want = { 0 };

	fcgi_params_init(&p, out, cap, 3);
	for (int i = 0; i < 200; i++) {
		int nl = snprintf(name, sizeof(name), "HTTP_X_%d", i);

		memset(value, 'a' + i % 26, sizeof(value));
		ck_assert(fcgi_params_add(&p, name, (size_t)nl, value,
		    sizeof(value)));
		buf_put(&want, name, (size_t)nl);
		buf_put(&want, "=", 1);
		buf_put(&want, value, sizeof(value));
		buf_put(&want, "\n", 1);
	}
	n = fcgi_params_end(&p);
	ck_assert_uint_gt(n, 0);
	read_params(out, n, &got, &nrec);
	ck_assert_uint_ge(nrec, 4);
	ck_assert_uint_eq(got.len, want.len);
	ck_assert_mem_eq(got.p, want.p, want.len);
	free(got.p);
	free(want.p);
	free(out);
}
END_TEST

START_TEST(test_params_limits)
{
	size_t cap = 140000;
	char *out = malloc(cap), *big = malloc(70000);
	struct fcgi_params p;

	memset(big, 'b', 70000);
	/* A pair that no record can hold. */
	fcgi_params_init(&p, out, cap, 1);
	ck_assert(!fcgi_params_add(&p, "X", 1, big, 65535 - 4 - 1 - 1 + 1));
	ck_assert(p.failed);
	ck_assert(!fcgi_params_add(&p, "A", 1, "b", 1));
	ck_assert_uint_eq(fcgi_params_end(&p), 0);
	/* The largest one does. */
	fcgi_params_init(&p, out, cap, 1);
	ck_assert(fcgi_params_add(&p, "X", 1, big, 65535 - 4 - 1 - 1));
	ck_assert_uint_eq(fcgi_params_end(&p), 8 + 65535 + 8);
	/* The buffer full: refused, and the end too. */
	fcgi_params_init(&p, out, 8 + 16 + 15, 1);
	ck_assert(fcgi_params_add(&p, "NAME", 4, "0123456789", 10));
	ck_assert(!fcgi_params_add(&p, "NAME", 4, "0123456789", 10));
	ck_assert_uint_eq(fcgi_params_end(&p), 0);
	/* Room for the pair but not the end record. */
	fcgi_params_init(&p, out, 8 + 16 + 7, 1);
	ck_assert(fcgi_params_add(&p, "NAME", 4, "0123456789", 10));
	ck_assert_uint_eq(fcgi_params_end(&p), 0);
	/* No pair at all: the empty record alone. */
	fcgi_params_init(&p, out, 8, 1);
	ck_assert_uint_eq(fcgi_params_end(&p), 8);
	free(out);
	free(big);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Decoder */

struct outcome {
	enum fcgi_result result;
	size_t used;			/* summed over the calls */
	struct buf out, err;		/* STDOUT and STDERR content */
	uint32_t app_status;
};

static void
outcome_free(struct outcome *o)
{
	free(o->out.p);
	free(o->err.p);
}

/*
 * Decodes buf[0..len) in pieces ending at cuts[0..ncuts) (ascending, the
 * last len), each an exact-size copy, calling again after OUT and ERR,
 * stopping at END or ERROR.
 */
static void
feed(const char *buf, size_t len, const size_t *cuts, size_t ncuts,
    struct outcome *o)
{
	struct fcgi_decoder d;
	size_t start = 0;

	memset(o, 0, sizeof(*o));
	fcgi_decoder_init(&d, 1);
	o->result = FCGI_MORE;
	for (size_t c = 0; c < ncuts && o->result == FCGI_MORE; c++) {
		size_t n = cuts[c] - start, at = 0;
		char *piece = malloc(n ? n : 1);

		memcpy(piece, buf + start, n);
		for (;;) {
			size_t used = (size_t)-1, off, dl;
			enum fcgi_result r = fcgi_decode(&d, piece + at,
			    n - at, &used, &off, &dl);

			REQUIRE(used <= n - at, "used %zu of %zu", used,
			    n - at);
			o->used += used;
			at += used;
			if (r == FCGI_OUT || r == FCGI_ERR) {
				REQUIRE(dl > 0 && off + dl <= used,
				    "data %zu+%zu beyond %zu", off, dl, used);
				buf_put(r == FCGI_OUT ? &o->out : &o->err,
				    piece + at - used + off, dl);
				continue;
			}
			REQUIRE(r != FCGI_MORE || at == n, "MORE left bytes");
			o->result = r;
			break;
		}
		free(piece);
		start = cuts[c];
	}
	o->app_status = d.app_status;
	if (o->result == FCGI_END || o->result == FCGI_ERROR) {
		/* It stays there, taking nothing. */
		size_t used = 1, off, dl;

		REQUIRE(fcgi_decode(&d, buf, len, &used, &off, &dl) ==
		    o->result && used == 0, "did not stay");
	}
}

static void
same(const struct outcome *a, const struct outcome *b, const char *how)
{
	REQUIRE(a->result == b->result, "%s: result %d, whole %d", how,
	    b->result, a->result);
	REQUIRE(a->used == b->used, "%s: used %zu, whole %zu", how, b->used,
	    a->used);
	REQUIRE(a->out.len == b->out.len && (a->out.len == 0 ||
	    !memcmp(a->out.p, b->out.p, a->out.len)), "%s: stdout", how);
	REQUIRE(a->err.len == b->err.len && (a->err.len == 0 ||
	    !memcmp(a->err.p, b->err.p, a->err.len)), "%s: stderr", how);
	REQUIRE(a->app_status == b->app_status, "%s: app status", how);
}

enum row_kind {
	R_HELLO, R_PADDED, R_STDERR, R_SKIPPED, R_BIG, R_APP_STATUS,
	R_TRAILING, R_TRUNCATED, R_BAD_VERSION, R_OTHER_ID, R_OVERLOADED,
	R_UNKNOWN_ROLE, R_END_SHORT, R_STDIN, R_AFTER_CLOSE, R_BEGIN_ID0,
	R_ROWS
};

struct row {
	const char *name;
	enum fcgi_result result;
	const char *out;	/* NULL: not checked here (R_BIG) */
	const char *err;
	size_t used_less;	/* bytes at the end that are not used */
};

static const char hello[] = "Content-Type: text/plain\r\n\r\nhello";

static const struct row rows[R_ROWS] = {
	[R_HELLO] = { "stdout, empty stdout, end", FCGI_END, hello, "",
	    0 },
	[R_PADDED] = { "padding 7 and 255", FCGI_END, hello, "", 0 },
	[R_STDERR] = { "stderr between stdout", FCGI_END, hello,
	    "PHP message: one\nPHP message: two\n", 0 },
	[R_SKIPPED] = { "management and unknown types skipped", FCGI_END,
	    hello, "", 0 },
	[R_BIG] = { "three full records", FCGI_END, NULL, "", 0 },
	[R_APP_STATUS] = { "app status 3", FCGI_END, hello, "", 0 },
	[R_TRAILING] = { "bytes after END_REQUEST", FCGI_END, hello, "", 5 },
	[R_TRUNCATED] = { "no END_REQUEST", FCGI_MORE, hello, "", 0 },
	[R_BAD_VERSION] = { "version 2", FCGI_ERROR, "", "", 0 },
	[R_OTHER_ID] = { "another request id", FCGI_ERROR, hello, "", 0 },
	[R_OVERLOADED] = { "OVERLOADED", FCGI_ERROR, "", "", 0 },
	[R_UNKNOWN_ROLE] = { "UNKNOWN_ROLE, padded", FCGI_ERROR, "", "", 0 },
	[R_END_SHORT] = { "END_REQUEST of 4 bytes", FCGI_ERROR, hello, "", 0 },
	[R_STDIN] = { "STDIN from the server", FCGI_ERROR, "", "", 0 },
	[R_AFTER_CLOSE] = { "stdout after its end", FCGI_ERROR, hello, "", 0 },
	[R_BEGIN_ID0] = { "BEGIN_REQUEST as a management record", FCGI_END,
	    hello, "", 0 },
};

/*
 * Row kind into b (and R_BIG's content into big); *err_at: where an
 * error must be seen, the last byte of the header or END_REQUEST body
 * that shows it.
 */
static void
build(int kind, struct buf *b, struct buf *big, size_t *err_at)
{
	const char *h = hello;
	size_t hl = strlen(hello);

	switch (kind) {
	case R_HELLO:
		rec(b, 1, FCGI_STDOUT, 1, h, hl, 0);
		rec(b, 1, FCGI_STDOUT, 1, NULL, 0, 0);
		end_rec(b, 1, 0, FCGI_REQUEST_COMPLETE, 0);
		break;
	case R_PADDED:
		rec(b, 1, FCGI_STDOUT, 1, h, 10, 7);
		rec(b, 1, FCGI_STDOUT, 1, h + 10, hl - 10, 255);
		rec(b, 1, FCGI_STDOUT, 1, NULL, 0, 3);
		end_rec(b, 1, 0, FCGI_REQUEST_COMPLETE, 255);
		break;
	case R_STDERR:
		rec(b, 1, FCGI_STDERR, 1, "PHP message: one\n", 17, 0);
		rec(b, 1, FCGI_STDOUT, 1, h, 20, 4);
		rec(b, 1, FCGI_STDERR, 1, "PHP message: two\n", 17, 1);
		rec(b, 1, FCGI_STDOUT, 1, h + 20, hl - 20, 0);
		rec(b, 1, FCGI_STDERR, 1, NULL, 0, 0);
		rec(b, 1, FCGI_STDOUT, 1, NULL, 0, 0);
		end_rec(b, 1, 0, FCGI_REQUEST_COMPLETE, 0);
		break;
	case R_SKIPPED:
		rec(b, 1, FCGI_GET_VALUES_RESULT, 0, "\x0e\x01MAX_CONNS1", 13,
		    3);
		rec(b, 1, FCGI_STDOUT, 1, h, 5, 0);
		rec(b, 1, 200, 1, "whatever", 8, 0);
		rec(b, 1, FCGI_UNKNOWN_TYPE, 0, "\x0c\0\0\0\0\0\0\0", 8, 0);
		rec(b, 1, 0, 1, "zero", 4, 4);
		rec(b, 1, FCGI_STDOUT, 1, h + 5, hl - 5, 0);
		end_rec(b, 1, 0, FCGI_REQUEST_COMPLETE, 0);
		break;
	case R_BIG:
		big->len = 0;
		for (int i = 0; i < 3; i++) {
			char *c = malloc(65535);

			unit_fill_pattern(c, 65535, (unsigned)i + 1);
			rec(b, 1, FCGI_STDOUT, 1, c, 65535, (unsigned)i);
			buf_put(big, c, 65535);
			free(c);
		}
		end_rec(b, 1, 0, FCGI_REQUEST_COMPLETE, 0);
		break;
	case R_APP_STATUS:
		rec(b, 1, FCGI_STDOUT, 1, h, hl, 0);
		end_rec(b, 1, 3, FCGI_REQUEST_COMPLETE, 0);
		break;
	case R_TRAILING:
		rec(b, 1, FCGI_STDOUT, 1, h, hl, 0);
		end_rec(b, 1, 0, FCGI_REQUEST_COMPLETE, 0);
		buf_put(b, "extra", 5);
		break;
	case R_TRUNCATED:
		rec(b, 1, FCGI_STDOUT, 1, h, hl, 0);
		rec(b, 1, FCGI_STDOUT, 1, NULL, 0, 0);
		buf_put(b, "\1\3\0\1\0\10", 6);
		break;
	case R_BAD_VERSION:
		*err_at = b->len + 7;
		rec(b, 2, FCGI_STDOUT, 1, h, hl, 0);
		break;
	case R_OTHER_ID:
		rec(b, 1, FCGI_STDOUT, 1, h, hl, 0);
		*err_at = b->len + 7;
		rec(b, 1, FCGI_STDOUT, 2, h, hl, 0);
		break;
	case R_OVERLOADED:
		*err_at = b->len + 15;
		end_rec(b, 1, 0, FCGI_OVERLOADED, 0);
		break;
	case R_UNKNOWN_ROLE:
		*err_at = b->len + 15;
		end_rec(b, 1, 0, FCGI_UNKNOWN_ROLE, 3);
		break;
	case R_END_SHORT:
		rec(b, 1, FCGI_STDOUT, 1, h, hl, 0);
		*err_at = b->len + 7;
		rec(b, 1, FCGI_END_REQUEST, 1, "\0\0\0\0", 4, 0);
		break;
	case R_STDIN:
		*err_at = b->len + 7;
		rec(b, 1, FCGI_STDIN, 1, "abc", 3, 0);
		break;
	case R_AFTER_CLOSE:
		rec(b, 1, FCGI_STDOUT, 1, h, hl, 0);
		rec(b, 1, FCGI_STDOUT, 1, NULL, 0, 0);
		*err_at = b->len + 7;
		rec(b, 1, FCGI_STDOUT, 1, "xy", 2, 0);
		break;
	case R_BEGIN_ID0:
		rec(b, 1, FCGI_BEGIN_REQUEST, 0, "\0\1\0\0\0\0\0\0", 8, 0);
		rec(b, 1, FCGI_STDOUT, 1, h, hl, 0);
		end_rec(b, 1, 0, FCGI_REQUEST_COMPLETE, 0);
		break;
	default:
		ck_abort_msg("row %d", kind);
	}
}

START_TEST(test_decode_table)
{
	const struct row *r = &rows[_i];
	struct buf b = { 0 }, big = { 0 };
	struct outcome whole, o;
	size_t cut[2], cuts[16];
	uint32_t seed = 0x9e3779b9u + (uint32_t)_i;
	size_t err_at = 0;

	build(_i, &b, &big, &err_at);
	cut[0] = b.len;
	feed(b.p, b.len, cut, 1, &whole);
	ck_assert_msg(whole.result == r->result, "%s: result %d", r->name,
	    whole.result);
	if (r->result == FCGI_ERROR)
		ck_assert_msg(whole.used == err_at, "%s: error at %zu, not "
		    "%zu", r->name, whole.used, err_at);
	else
		ck_assert_msg(whole.used == b.len - r->used_less, "%s: used "
		    "%zu of %zu", r->name, whole.used, b.len);
	if (r->out != NULL) {
		ck_assert_uint_eq(whole.out.len, strlen(r->out));
		ck_assert_mem_eq(whole.out.p ? whole.out.p : "", r->out,
		    strlen(r->out));
	} else {
		ck_assert_uint_eq(whole.out.len, big.len);
		ck_assert_mem_eq(whole.out.p, big.p, big.len);
	}
	ck_assert_uint_eq(whole.err.len, strlen(r->err));
	ck_assert_mem_eq(whole.err.p ? whole.err.p : "", r->err,
	    strlen(r->err));
	ck_assert_uint_eq(whole.app_status, _i == R_APP_STATUS ? 3 : 0);

	/* Split in two at every point (at most about 256 of them for a
	 * long one, which sanitizer builds would take minutes over). */
	for (size_t at = 0; at <= b.len;
	    at += b.len < 4096 ? 1 : b.len / 256) {
		cut[0] = at;
		cut[1] = b.len;
		feed(b.p, b.len, cut, 2, &o);
		same(&whole, &o, "split");
		outcome_free(&o);
	}
	/* One byte at a time, unless it is long. */
	if (b.len < 4096) {
		size_t *every = malloc(b.len * sizeof(*every) + 1);

		for (size_t i = 0; i < b.len; i++)
			every[i] = i + 1;
		feed(b.p, b.len, every, b.len, &o);
		same(&whole, &o, "bytes");
		outcome_free(&o);
		free(every);
	}
	/* Random cuts. */
	for (int k = 0; k < 50; k++) {
		unit_random_cuts(cuts, 16, b.len, &seed);
		feed(b.p, b.len, cuts, 16, &o);
		same(&whole, &o, "random");
		outcome_free(&o);
	}
	outcome_free(&whole);
	free(b.p);
	free(big.p);
}
END_TEST

/* An END_REQUEST that refuses: the status and the reason kept. */
START_TEST(test_error_says_why)
{
	struct fcgi_decoder d;
	struct buf b = { 0 };
	size_t used, off, len;

	end_rec(&b, 1, 0, FCGI_OVERLOADED, 0);
	fcgi_decoder_init(&d, 1);
	ck_assert_int_eq(fcgi_decode(&d, b.p, b.len, &used, &off, &len),
	    FCGI_ERROR);
	ck_assert_uint_eq(d.protocol_status, FCGI_OVERLOADED);
	ck_assert_ptr_nonnull(d.error);
	ck_assert_ptr_nonnull(strstr(d.error, "overloaded"));
	free(b.p);
}
END_TEST

static Suite *
fcgi_suite(void)
{
	Suite *s = suite_create("fcgi");
	TCase *tc;

	tc = tcase_create("encode");
	tcase_add_test(tc, test_begin_request);
	tcase_add_test(tc, test_header);
	tcase_add_loop_test(tc, test_stdin_sizes, 0, 5);
	tcase_add_test(tc, test_stdin_room);
	tcase_add_loop_test(tc, test_params_lengths, 0, 9);
	tcase_add_test(tc, test_params_big);
	tcase_add_test(tc, test_params_limits);
	suite_add_tcase(s, tc);

	tc = tcase_create("decode");
	tcase_add_loop_test(tc, test_decode_table, 0, R_ROWS);
	tcase_add_test(tc, test_error_says_why);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(fcgi_suite());
}
