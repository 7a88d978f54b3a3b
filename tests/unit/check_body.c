/* SPDX-License-Identifier: BSD-2-Clause */
#include "autoconf.h"
/*
 * check_body.c - body_init() and body_take() against a table of bodies.
 * Each row gives the framing, Content-Length and body-max, the bytes
 * that arrive, and what must come of them: the data handed out, in
 * order; how it ends (DONE, ERROR with its status, or MORE when the
 * input stops first); and the offset where it ends (DONE: what follows
 * is the next request's; ERROR: where the stream broke; MORE: all of
 * it).  Every row is fed whole, in two pieces split at every point, one
 * byte at a time and in random pieces (fixed seeds): the data, the end
 * and the result must be the same each time (body.h: "Feeding the same
 * bytes split anywhere gives the same data and the same end").
 *
 * body-max is checked as early as the framing allows: a 413 for a chunk
 * comes when its size line is complete, so a row that expects it lists
 * none of that chunk's data and ends right after its size line, and
 * the byte-by-byte feed sees the error before any of the data arrives.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "body.h"

#include "../lib/unit.h"

#define ROWS(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define TMAX 16384		/* the server's default header-max */
#define MIB 1048576		/* the default body-max */
#define JUNK_USED ((size_t)0xdeadbeef)
#define JUNK_STATUS (-1)
#define SPLITS_ALL 300		/* longer inputs get random split points */

/*
 * ck_assert_msg() records its location through a pipe even when it
 * passes; the feeding loops below call it per byte, so they test first.
 */
#define REQUIRE(cond, ...) do {					\
	if (!(cond))							\
		ck_abort_msg(__VA_ARGS__);				\
} while (0)

struct row {
	int line;
	enum http_framing framing;
	uint64_t content_length;
	uint64_t max;
	size_t trailer_max;
	const char *raw;
	size_t len;
	enum body_result result;	/* BODY_DONE, BODY_ERROR, BODY_MORE */
	int status;			/* with BODY_ERROR */
	size_t end;			/* see the top of the file */
	const char *data;		/* all the data handed out */
	size_t data_len;
	const char *note;
};

/* ------------------------------------------------------------------ */
/* Feeding a body in pieces */

struct outcome {
	enum body_result result;
	int status;		/* with BODY_ERROR */
	size_t end;		/* *used summed over the calls */
	char *data;		/* the data handed out, concatenated */
	size_t data_len;
	uint64_t total;		/* b.total at the end */
};

static void
outcome_init(struct outcome *o, size_t cap)
{
	o->result = BODY_MORE;
	o->status = 0;
	o->end = 0;
	o->data = malloc(cap > 0 ? cap : 1);
	ck_assert_ptr_nonnull(o->data);
	o->data_len = 0;
	o->total = 0;
}

/*
 * One call on piece[*pos..n); checks what holds for every call and adds
 * the data to o.  The data must lie among the bytes used by this call,
 * never beyond max, never beyond the input.
 */
static enum body_result
take_one(struct body_reader *b, const struct row *r, const char *piece,
    size_t n, size_t *pos, struct outcome *o, const char *what)
{
	const char *in = piece + *pos, *data = NULL;
	size_t len = n - *pos, used = JUNK_USED, dlen = JUNK_USED;
	int status = JUNK_STATUS;
	enum body_result res;

	res = body_take(b, in, len, &used, &data, &dlen, &status);
	REQUIRE(used <= len, "line %d, %s: used %zu of %zu", r->line, what,
	    used, len);
	switch (res) {
	case BODY_DATA:
		REQUIRE(dlen > 0 && dlen <= used && data >= in &&
		    (size_t)(data - in) <= used - dlen, "line %d, %s: data "
		    "[%td, +%zu) not among the %zu bytes used", r->line, what,
		    data - in, dlen, used);
		REQUIRE(o->data_len + dlen <= r->max, "line %d, %s: %zu data "
		    "bytes handed out, max %llu", r->line, what,
		    o->data_len + dlen, (unsigned long long)r->max);
		REQUIRE(o->data_len + dlen <= r->len, "line %d, %s: more "
		    "data than input", r->line, what);
		memcpy(o->data + o->data_len, data, dlen);
		o->data_len += dlen;
		REQUIRE(b->total == o->data_len, "line %d, %s: total %llu, "
		    "handed out %zu", r->line, what,
		    (unsigned long long)b->total, o->data_len);
		break;
	case BODY_MORE:
		REQUIRE(used == len, "line %d, %s: MORE used %zu of %zu",
		    r->line, what, used, len);
		break;
	case BODY_DONE:
		break;
	case BODY_ERROR:
		REQUIRE(status == HTTP_STATUS_BAD_REQUEST ||
		    status == HTTP_STATUS_PAYLOAD_TOO_LARGE, "line %d, %s: "
		    "ERROR with status %d", r->line, what, status);
		o->status = status;
		break;
	default:
		ck_abort_msg("line %d, %s: result %d", r->line, what, res);
	}
	*pos += used;
	o->end += used;
	return res;
}

/*
 * After DONE or ERROR the reader stays there: the same result (and
 * status), nothing used, nothing handed out, whatever comes.
 */
static void
stays(struct body_reader *b, const struct row *r, const char *rest,
    size_t len, const struct outcome *o, const char *what)
{
	static const char more[] = "3\r\nabc\r\n0\r\n\r\n";
	const char *ins[3] = { rest, more, "" };
	size_t lens[3] = { len, sizeof(more) - 1, 0 };

	for (int i = 0; i < 3; i++) {
		const char *data = NULL;
		size_t used = JUNK_USED, dlen = JUNK_USED;
		int status = JUNK_STATUS;
		enum body_result res = body_take(b, ins[i], lens[i], &used,
		    &data, &dlen, &status);

		REQUIRE(res == o->result && used == 0, "line %d, %s: after "
		    "%d, call %d gives %d with %zu used", r->line, what,
		    o->result, i, res, used);
		REQUIRE(res != BODY_ERROR || status == o->status, "line %d, "
		    "%s: status %d after %d", r->line, what, status,
		    o->status);
		REQUIRE(b->total == o->data_len, "line %d, %s: total moved "
		    "after the end", r->line, what);
	}
}

/*
 * Feeds r->raw in pieces ending at cuts[0..ncuts) (ascending, the last
 * one r->len; empty pieces allowed), each an exact-size copy so that a
 * sanitizer build sees a read past it.  Within a piece, body_take() is
 * called again after each DATA with what is left (maybe nothing), as a
 * connection does, until MORE asks for the next piece.
 */
static void
feed(const struct row *r, const size_t *cuts, size_t ncuts,
    const char *what, struct outcome *o)
{
	struct body_reader b;
	enum body_result res = BODY_MORE;
	size_t start = 0;

	outcome_init(o, r->len);
	REQUIRE(body_init(&b, r->framing, r->content_length, r->max,
	    r->trailer_max) == 0, "line %d: body_init refused", r->line);
	for (size_t k = 0; k < ncuts && res == BODY_MORE; k++) {
		size_t n = cuts[k] - start, pos = 0;
		char *piece = malloc(n > 0 ? n : 1);

		REQUIRE(piece != NULL, "malloc");
		REQUIRE(cuts[k] >= start && cuts[k] <= r->len, "bad cut");
		if (n > 0)
			memcpy(piece, r->raw + start, n);
		do
			res = take_one(&b, r, piece, n, &pos, o, what);
		while (res == BODY_DATA);
		if (res != BODY_MORE) {
			o->result = res;
			stays(&b, r, piece + pos, n - pos, o, what);
		}
		free(piece);
		start = cuts[k];
	}
	o->result = res;
	o->total = b.total;
}

static void
same_outcome(const struct row *r, const struct outcome *whole,
    const struct outcome *o, const char *what)
{
	REQUIRE(o->result == whole->result && o->status == whole->status &&
	    o->end == whole->end && o->data_len == whole->data_len &&
	    memcmp(o->data, whole->data, o->data_len) == 0 &&
	    o->total == whole->total,
	    "line %d (%s): %s gives result %d status %d end %zu data "
	    "\"%.*s\"; whole gives %d %d %zu \"%.*s\"", r->line, r->note,
	    what, o->result, o->status, o->end, (int)o->data_len, o->data,
	    whole->result, whole->status, whole->end, (int)whole->data_len,
	    whole->data);
}

/* Fed so, the row must give what whole feeding gave. */
static void
feed_same(const struct row *r, const size_t *cuts, size_t ncuts,
    const char *what, const struct outcome *whole)
{
	struct outcome o;

	feed(r, cuts, ncuts, what, &o);
	same_outcome(r, whole, &o, what);
	free(o.data);
}

/*
 * Feeds r whole, in two pieces at every split point (at SPLITS_ALL
 * random ones when the input is longer), byte by byte and in random
 * pieces (up to 8 at random points, then random sizes of 1..17 bytes);
 * all must agree.  Returns the whole-input outcome (data to free).
 */
static struct outcome
feed_all_ways(const struct row *r)
{
	size_t len = r->len, whole_cut = len, two[2], many[8];
	size_t *cuts = malloc((len + 1) * sizeof(size_t));
	uint32_t seed = 0x9e3779b9u ^ (uint32_t)r->line;
	struct outcome whole;
	char what[64];
	size_t n;

	ck_assert_ptr_nonnull(cuts);
	feed(r, &whole_cut, 1, "whole", &whole);

	for (size_t i = 0; i <= len && i <= SPLITS_ALL; i++) {
		two[0] = len <= SPLITS_ALL ? i : unit_random(&seed) % (len + 1);
		two[1] = len;
		snprintf(what, sizeof(what), "split at %zu", two[0]);
		feed_same(r, two, 2, what, &whole);
	}

	/* An empty input is one empty piece. */
	cuts[0] = 0;
	for (size_t i = 0; i < len; i++)
		cuts[i] = i + 1;
	feed_same(r, cuts, len > 0 ? len : 1, "byte by byte", &whole);

	for (int round = 0; round < 8; round++) {
		n = 1 + unit_random(&seed) % 8;
		unit_random_cuts(many, n, len, &seed);
		snprintf(what, sizeof(what), "%zu random cuts (round %d)", n,
		    round);
		feed_same(r, many, n, what, &whole);
	}
	for (int round = 0; round < 4; round++) {
		size_t at = 0;

		n = 0;
		do {
			at += 1 + unit_random(&seed) % 17;
			cuts[n++] = at < len ? at : len;
		} while (at < len);
		snprintf(what, sizeof(what), "random sizes (round %d)", round);
		feed_same(r, cuts, n, what, &whole);
	}
	free(cuts);
	return whole;
}

/* Feeds r every way, then holds the whole outcome to the row. */
static void
check_row(const struct row *r)
{
	struct outcome o = feed_all_ways(r);

	ck_assert_msg(o.result == r->result, "line %d (%s): result %d, want "
	    "%d", r->line, r->note, o.result, r->result);
	ck_assert_msg(r->result != BODY_ERROR || o.status == r->status,
	    "line %d (%s): status %d, want %d", r->line, r->note, o.status,
	    r->status);
	ck_assert_msg(o.end == r->end, "line %d (%s): ends at %zu, want %zu",
	    r->line, r->note, o.end, r->end);
	ck_assert_msg(o.data_len == r->data_len &&
	    memcmp(o.data, r->data, r->data_len) == 0 &&
	    o.total == r->data_len, "line %d (%s): data \"%.*s\" (%zu, "
	    "total %llu), want \"%.*s\" (%zu)", r->line, r->note,
	    (int)o.data_len, o.data, o.data_len,
	    (unsigned long long)o.total, (int)r->data_len, r->data,
	    r->data_len);
	free(o.data);
}

/* ------------------------------------------------------------------ */
/* The table */

#define ROW(framing, cl, max, tmax, raw, result, status, end, data, note) \
	{ __LINE__, framing, cl, max, tmax, raw, sizeof(raw) - 1, result, \
	  status, end, data, sizeof(data) - 1, note }

/* Content-Length: the body, then what is not its own. */
#define LDONE(cl, max, body, next, note) \
	ROW(HTTP_FRAMING_LENGTH, cl, max, TMAX, body next, BODY_DONE, 0, \
	    sizeof(body) - 1, body, note)
/* Content-Length: input that stops short, all of it data. */
#define LMORE(cl, max, raw, note) \
	ROW(HTTP_FRAMING_LENGTH, cl, max, TMAX, raw, BODY_MORE, 0, \
	    sizeof(raw) - 1, raw, note)
/* Chunked: a whole body, then what is not its own. */
#define CDONE(max, body, next, data, note) \
	ROW(HTTP_FRAMING_CHUNKED, 0, max, TMAX, body next, BODY_DONE, 0, \
	    sizeof(body) - 1, data, note)
/* Chunked: input that stops short. */
#define CMORE(max, raw, data, note) \
	ROW(HTTP_FRAMING_CHUNKED, 0, max, TMAX, raw, BODY_MORE, 0, \
	    sizeof(raw) - 1, data, note)
/* Chunked: broken at offset `at` (the first byte that does not fit). */
#define C400(raw, at, data, note) \
	ROW(HTTP_FRAMING_CHUNKED, 0, MIB, TMAX, raw, BODY_ERROR, \
	    HTTP_STATUS_BAD_REQUEST, at, data, note)
#define C400T(tmax, raw, at, data, note) \
	ROW(HTTP_FRAMING_CHUNKED, 0, MIB, tmax, raw, BODY_ERROR, \
	    HTTP_STATUS_BAD_REQUEST, at, data, note)
/* Chunked: over max, refused where the offending size line ends. */
#define C413(max, raw, at, data, note) \
	ROW(HTTP_FRAMING_CHUNKED, 0, max, TMAX, raw, BODY_ERROR, \
	    HTTP_STATUS_PAYLOAD_TOO_LARGE, at, data, note)

#define END "0\r\n\r\n"
#define NEXT "GET / HTTP/1.1\r\nHost: h\r\n\r\n"
#define HW "5\r\nhello\r\n6\r\n world\r\n1\r\n!\r\n"	/* 12 bytes of data */

static const struct row rows[] = {
	/* No body. */
	ROW(HTTP_FRAMING_NONE, 0, MIB, TMAX, "", BODY_DONE, 0, 0, "",
	    "RFC 9112 §6.3: no framing, no body: DONE at once"),
	ROW(HTTP_FRAMING_NONE, 0, MIB, TMAX, NEXT, BODY_DONE, 0, 0, "",
	    "no framing: the next request's bytes are not taken"),
	ROW(HTTP_FRAMING_NONE, 0, 0, TMAX, "5\r\nhello\r\n" END, BODY_DONE,
	    0, 0, "", "no framing: even chunked-looking bytes are not taken"),

	/* Content-Length. */
	LDONE(5, MIB, "hello", "", "RFC 9112 §6.2: exactly Content-Length"),
	LDONE(5, 5, "hello", "", "Content-Length exactly body-max"),
	LDONE(5, MIB, "hello", NEXT,
	    "RFC 9112 §6.3: what follows Content-Length is the next request"),
	LDONE(5, MIB, "hello", "world",
	    "longer input: the rest is not consumed"),
	LDONE(1, 1, "\0", "\0\0", "Content-Length data is any octet: NUL"),
	LDONE(7, MIB, "0\r\n\r\nab", "0\r\n\r\n",
	    "Content-Length data is never read as chunked framing"),
	LDONE(12, 12, "\r\n\r\n\r\n\r\n\r\n\r\n", "GET",
	    "Content-Length data of line ends only"),
	ROW(HTTP_FRAMING_LENGTH, 0, MIB, TMAX, NEXT, BODY_DONE, 0, 0, "",
	    "Content-Length 0 (the parser says NONE): DONE at once"),
	LMORE(5, MIB, "", "Content-Length: nothing yet"),
	LMORE(5, MIB, "hel", "shorter input: MORE, all of it data"),
	LMORE(5, 5, "hell", "shorter input under max"),
	LMORE(100, MIB, "0\r\n\r\n", "Content-Length: chunked-looking data"),

	/* Chunked: whole bodies. */
	CDONE(MIB, END, "", "", "RFC 9112 §7.1: the last-chunk alone"),
	CDONE(MIB, "000" ";a=b\r\n\r\n", "", "",
	    "RFC 9112 §7.1: last-chunk = 1*(\"0\") [ chunk-ext ] CRLF"),
	CDONE(MIB, "5\r\nhello\r\n" END, "", "hello",
	    "RFC 9112 §7.1: one chunk"),
	CDONE(MIB, HW END, "", "hello world!",
	    "RFC 9112 §7.1: several chunks"),
	CDONE(MIB, "5;a=b;c=\"x;y\\\"z\"\r\nhello\r\n1 ; d\r\n!\r\n0;e=f\r\n"
	    "\r\n", "", "hello!",
	    "RFC 9112 §7.1.1: extensions are framing, not data"),
	CDONE(MIB, "3\r\nabc\r\n0\r\nA: 1\r\nB-c: two words\r\n\r\n", "",
	    "abc", "RFC 9112 §7.1.2: trailers are framing, not data"),
	CDONE(MIB, "6\r\n\r\n\0\n\rx\r\n2\r\n\xff\x80\r\n" END, "",
	    "\r\n\0\n\rx\xff\x80",
	    "RFC 9112 §7.1: chunk-data = 1*OCTET: CR, LF, NUL, any byte"),
	CDONE(MIB, "a\r\n0123456789\r\n10\r\n0123456789abcdef\r\n" END, "",
	    "01234567890123456789abcdef",
	    "RFC 9112 §7.1: chunk-size is hexadecimal"),
	CDONE(MIB, "5\r\nhello\r\n" END, NEXT, "hello",
	    "RFC 9112 §7.1: a pipelined request follows the final CRLF"),
	CDONE(MIB, "3\r\nabc\r\n0\r\nT: 1\r\n\r\n", "3\r\nabc\r\n" END, "abc",
	    "a second body after the trailers is not consumed"),
	CDONE(MIB, END, "\r\n", "",
	    "one final CRLF: another is the next message's"),

	/* Chunked: body-max. */
	CDONE(12, HW END, NEXT, "hello world!",
	    "data of exactly body-max across chunks"),
	CDONE(5, "5\r\nhello\r\n" END, "", "hello",
	    "one chunk of exactly body-max"),
	CDONE(0, END, NEXT, "", "body-max 0: the last-chunk alone is fine"),
	CDONE(0, "0\r\nA: 1\r\n\r\n", "", "",
	    "body-max 0: trailers are no data"),
	C413(4, "5\r\nhello\r\n" END, 3, "",
	    "RFC 9110 §15.5.14: a chunk declared over max, before its data"),
	C413(4, "5\r\n", 3, "",
	    "413 as soon as the size line is complete, no data yet"),
	C413(4, "0005;ext=\"v\"\r\nhello\r\n" END, 14, "",
	    "a chunk over max: the whole size line, extensions too, first"),
	C413(MIB, "7fffffffffffffff\r\nabc", 18, "",
	    "the largest chunk-size: refused before its data"),
	C413(0, "1\r\nx\r\n" END, 3, "", "body-max 0: any data is too much"),
	C413(11, HW END, 24, "hello world",
	    "data over max across chunks: the chunk that crosses it"),
	C413(5, "2\r\nab\r\n2\r\ncd\r\n2\r\nef\r\n" END, 17, "abcd",
	    "three chunks of 2 under max 5: the third is refused"),
	C413(5, "5\r\nhello\r\n1\r\nx\r\n" END, 13, "hello",
	    "max reached exactly, then one chunk more"),
	C413(5, "3\r\nabc\r\n3\r\ndef\r\n" END, 11, "abc",
	    "a chunk that fits alone but not after the others"),
	CMORE(5, "5\r\nhello\r\n1", "hello",
	    "a size line not complete yet: no 413 yet"),
	CMORE(5, "5\r\nhello\r\n1;x=\"y", "hello",
	    "a size line in its extension: no 413 yet"),
	CMORE(5, "5\r\nhello\r\n0\r\n", "hello",
	    "max reached, only the last-chunk so far"),

	/* Chunked: unfinished. */
	CMORE(MIB, "", "", "chunked: nothing yet"),
	CMORE(MIB, "5\r\nhel", "hel", "RFC 9112 §7.1: chunk-data in progress"),
	CMORE(MIB, "5\r\nhello", "hello", "the CRLF after the data to come"),
	CMORE(MIB, HW, "hello world!", "*chunk, the last-chunk to come"),
	CMORE(MIB, "0\r\nA: 1\r\n", "", "more trailers or the final CRLF"),
	CMORE(MIB, "0\r\n\r", "", "RFC 9112 §2.2: CR waits for its LF"),

	/* Chunked: broken framing. */
	C400("5\r\nhelloX\r\n" END, 8, "hello",
	    "RFC 9112 §7.1: the data is followed by CRLF"),
	C400("5\r\nhelloworld\r\n" END, 8, "hello",
	    "RFC 9112 §7.1: more data than chunk-size"),
	C400("3\r\nabc\r\nzz\r\n" END, 8, "abc",
	    "RFC 9112 §7.1: chunk-size = 1*HEXDIG"),
	C400("5\nhello\r\n" END, 1, "",
	    "RFC 9112 §2.2: no bare LF ending chunk-size"),
	C400("5 \r\nhello\r\n" END, 2, "",
	    "RFC 9112 §7.1.1: BWS only before ';'"),
	C400("5;\r\nhello\r\n" END, 2, "",
	    "RFC 9112 §7.1.1: chunk-ext-name = token"),
	C400("10000000000000000\r\n", 16, "",
	    "RFC 9112 §7.1: a chunk-size past 2^63 - 1"),
	C400("0\r\nA : 1\r\n\r\n", 4, "",
	    "RFC 9112 §5.1: no whitespace between field name and colon"),
	C400("2\r\nab\r\n0\r\nA: 1\r\n  2\r\n\r\n", 16, "ab",
	    "RFC 9112 §5.2: no obs-fold in the trailers"),
	C400("0\r\n\n", 3, "", "RFC 9112 §2.2: no bare LF as the final CRLF"),
	C400T(4, "0\r\nAB: 1\r\n\r\n", 7, "",
	    "a trailer section over trailer_max"),
	C400T(4, "3\r\nabc\r\n0\r\nA:1\r\n\r\n", 15, "abc",
	    "trailer_max counts a field line with its CRLF"),
	ROW(HTTP_FRAMING_CHUNKED, 0, MIB, 4, "3\r\nabc\r\n0\r\nA:\r\n\r\n",
	    BODY_DONE, 0, 17, "abc",
	    "a trailer section of exactly trailer_max: data is not counted"),
	ROW(HTTP_FRAMING_CHUNKED, 0, 4, TMAX, "5x\r\nhello\r\n" END,
	    BODY_ERROR, HTTP_STATUS_BAD_REQUEST, 1, "",
	    "a size line broken before it is complete: 400, not 413"),
	C400("2\r\nab\r\n3x\r\nabc\r\n" END, 8, "ab",
	    "a broken size line after data: the data before it stands"),
};

START_TEST(test_table)
{
	check_row(&rows[_i]);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Generated bodies: long, across many pieces */

#define GEN_CHUNKS 100
#define GEN_CHUNK 1000

/*
 * GEN_CHUNKS chunks of GEN_CHUNK bytes, then a pipelined request; the
 * data, for the row, in data.  Returns the body's length.
 */
static size_t
gen_chunked(char *raw, size_t cap, char *data, size_t *len)
{
	size_t at = 0, body;
	int n;

	for (int c = 0; c < GEN_CHUNKS; c++) {
		n = snprintf(raw + at, cap - at, "%x;c=%d\r\n", GEN_CHUNK, c);
		ck_assert(n > 0 && (size_t)n < cap - at);
		at += (size_t)n;
		for (size_t i = 0; i < GEN_CHUNK; i++) {
			char b = (char)(i * 7 + (size_t)c * 13);

			raw[at++] = b;
			data[(size_t)c * GEN_CHUNK + i] = b;
		}
		memcpy(raw + at, "\r\n", 2);
		at += 2;
	}
	memcpy(raw + at, END, strlen(END));
	body = at + strlen(END);
	memcpy(raw + body, NEXT, strlen(NEXT));
	*len = body + strlen(NEXT);
	ck_assert_uint_le(*len, cap);
	return body;
}

START_TEST(test_long_chunked)
{
	static char raw[GEN_CHUNKS * (GEN_CHUNK + 32) + 64];
	static char data[GEN_CHUNKS * GEN_CHUNK];
	const uint64_t all = GEN_CHUNKS * GEN_CHUNK;
	struct row r = { __LINE__, HTTP_FRAMING_CHUNKED, 0, all, TMAX, raw,
	    0, BODY_DONE, 0, 0, data, all, "long: exactly body-max" };
	size_t last_line;

	r.end = gen_chunked(raw, sizeof(raw), data, &r.len);
	check_row(&r);

	/* One byte less: the last chunk is refused at its size line,
	 * "3e8;c=99\r\n", none of its data handed out. */
	last_line = strlen("3e8;c=99\r\n");
	r.line = __LINE__;
	r.note = "long: one byte over body-max in the last chunk";
	r.max = all - 1;
	r.result = BODY_ERROR;
	r.status = HTTP_STATUS_PAYLOAD_TOO_LARGE;
	r.end = r.end - strlen(END) - 2 - GEN_CHUNK;
	ck_assert(memcmp(raw + r.end - last_line, "3e8;c=99\r\n",
	    last_line) == 0);
	r.data_len = all - GEN_CHUNK;
	check_row(&r);
}
END_TEST

START_TEST(test_long_length)
{
	static char raw[100000 + sizeof(NEXT)];
	struct row r = { __LINE__, HTTP_FRAMING_LENGTH, 100000, 100000, TMAX,
	    raw, sizeof(raw) - 1, BODY_DONE, 0, 100000, raw, 100000,
	    "long Content-Length of exactly body-max, then a request" };

	for (size_t i = 0; i < 100000; i++)
		raw[i] = (char)(i * 31 + 7);
	memcpy(raw + 100000, NEXT, sizeof(NEXT));
	check_row(&r);

	r.line = __LINE__;
	r.note = "long Content-Length, input a byte short";
	r.len = 99999;
	r.result = BODY_MORE;
	r.end = 99999;
	r.data_len = 99999;
	check_row(&r);
}
END_TEST

/* ------------------------------------------------------------------ */
/* body_init() and the ends */

static const struct init_row {
	int line;
	enum http_framing framing;
	uint64_t content_length;
	uint64_t max;
	int want;
} init_rows[] = {
	{ __LINE__, HTTP_FRAMING_LENGTH, 6, 5, HTTP_STATUS_PAYLOAD_TOO_LARGE },
	{ __LINE__, HTTP_FRAMING_LENGTH, 5, 5, 0 },
	{ __LINE__, HTTP_FRAMING_LENGTH, 1, 0, HTTP_STATUS_PAYLOAD_TOO_LARGE },
	{ __LINE__, HTTP_FRAMING_LENGTH, MIB + 1, MIB,
	    HTTP_STATUS_PAYLOAD_TOO_LARGE },
	{ __LINE__, HTTP_FRAMING_LENGTH, UINT64_MAX, UINT64_MAX - 1,
	    HTTP_STATUS_PAYLOAD_TOO_LARGE },
	{ __LINE__, HTTP_FRAMING_LENGTH, UINT64_MAX, UINT64_MAX, 0 },
	/* Chunked declares no length; only the chunks are held to max. */
	{ __LINE__, HTTP_FRAMING_CHUNKED, 0, 0, 0 },
	{ __LINE__, HTTP_FRAMING_CHUNKED, 6, 5, 0 },
	{ __LINE__, HTTP_FRAMING_NONE, 0, 0, 0 },
};

/* RFC 9110 §15.5.14: a declared length over max is 413 before reading. */
START_TEST(test_init)
{
	const struct init_row *r = &init_rows[_i];
	struct body_reader b;
	int got = body_init(&b, r->framing, r->content_length, r->max, TMAX);

	ck_assert_msg(got == r->want, "line %d: body_init gives %d, want %d",
	    r->line, got, r->want);
}
END_TEST

/* body.h: after DONE or ERROR, the same end again, nothing consumed. */
START_TEST(test_after_end)
{
	static const char in[] = "abcGET";
	struct body_reader b;
	const char *data;
	size_t used, n;
	int status;

	ck_assert_int_eq(body_init(&b, HTTP_FRAMING_LENGTH, 3, MIB, TMAX), 0);
	ck_assert_int_eq(body_take(&b, in, 6, &used, &data, &n, &status),
	    BODY_DATA);
	ck_assert_uint_eq(used, 3);
	ck_assert_uint_eq(n, 3);
	ck_assert_ptr_eq(data, in);
	for (int i = 0; i < 3; i++) {
		used = JUNK_USED;
		ck_assert_int_eq(body_take(&b, "GET", 3, &used, &data, &n,
		    &status), BODY_DONE);
		ck_assert_uint_eq(used, 0);
	}
	ck_assert_uint_eq(b.total, 3);

	ck_assert_int_eq(body_init(&b, HTTP_FRAMING_CHUNKED, 0, MIB, TMAX), 0);
	ck_assert_int_eq(body_take(&b, "0\r\n\r\nGET", 8, &used, &data, &n,
	    &status), BODY_DONE);
	ck_assert_uint_eq(used, 5);
	for (int i = 0; i < 3; i++) {
		used = JUNK_USED;
		ck_assert_int_eq(body_take(&b, "1\r\nx\r\n", 6, &used, &data,
		    &n, &status), BODY_DONE);
		ck_assert_uint_eq(used, 0);
	}

	ck_assert_int_eq(body_init(&b, HTTP_FRAMING_CHUNKED, 0, MIB, TMAX), 0);
	ck_assert_int_eq(body_take(&b, "x", 1, &used, &data, &n, &status),
	    BODY_ERROR);
	ck_assert_int_eq(status, HTTP_STATUS_BAD_REQUEST);
	ck_assert_uint_eq(used, 0);
	for (int i = 0; i < 3; i++) {
		used = JUNK_USED;
		status = JUNK_STATUS;
		ck_assert_int_eq(body_take(&b, END, 5, &used, &data, &n,
		    &status), BODY_ERROR);
		ck_assert_uint_eq(used, 0);
		ck_assert_int_eq(status, HTTP_STATUS_BAD_REQUEST);
	}

	ck_assert_int_eq(body_init(&b, HTTP_FRAMING_CHUNKED, 0, 2, TMAX), 0);
	ck_assert_int_eq(body_take(&b, "3\r\nabc\r\n" END, 13, &used, &data,
	    &n, &status), BODY_ERROR);
	ck_assert_int_eq(status, HTTP_STATUS_PAYLOAD_TOO_LARGE);
	for (int i = 0; i < 3; i++) {
		used = JUNK_USED;
		status = JUNK_STATUS;
		ck_assert_int_eq(body_take(&b, "abc\r\n" END, 10, &used, &data,
		    &n, &status), BODY_ERROR);
		ck_assert_uint_eq(used, 0);
		ck_assert_int_eq(status, HTTP_STATUS_PAYLOAD_TOO_LARGE);
	}
	ck_assert_uint_eq(b.total, 0);
}
END_TEST

/* ------------------------------------------------------------------ */

static Suite *
body_suite(void)
{
	Suite *s = suite_create("body");
	TCase *tc;

	tc = tcase_create("table");
	tcase_add_loop_test(tc, test_table, 0, ROWS(rows));
	suite_add_tcase(s, tc);

	tc = tcase_create("long");
	tcase_add_test(tc, test_long_chunked);
	tcase_add_test(tc, test_long_length);
	suite_add_tcase(s, tc);

	tc = tcase_create("ends");
	tcase_add_loop_test(tc, test_init, 0, ROWS(init_rows));
	tcase_add_test(tc, test_after_end);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(body_suite());
}
