/* SPDX-License-Identifier: BSD-2-Clause */
#include "autoconf.h"
/*
 * check_chunked.c - chunked_decode() against a table of bodies (each row
 * names the RFC rule it exercises) and against long generated bodies at
 * the line and trailer limits.  Every body is fed whole, one byte at a
 * time, split in two at every point (or many when it is long) and cut at
 * random points: the result, the bytes used and the data counted must be
 * the same each time.
 *
 * chunked_decode_data(): known calls with the runs of data they must
 * report and chunked_pending() after each; and every row of the table
 * again, the calls repeated until the input is used up, which must end
 * as chunked_decode() does with exactly the bytes it counts as data.
 *
 * Then the encoder: chunked_encode_head() and chunked_encode_last()
 * against a table of sizes and buffer capacities, and a round trip:
 * random payloads cut into random chunks, framed by the encoder, must
 * decode to exactly the payload, and end exactly where the encoder's
 * output ends, however the decoder is fed.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chunked.h"

#include "../lib/unit.h"

#define ROWS(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define TMAX 16384		/* the server's default header-max */
#define JUNK_USED ((size_t)0xdeadbeef)
#define JUNK_DATA ((uint64_t)0xdeadbeef)

/*
 * ck_assert_msg() records its location through a pipe even when it
 * passes; the feeding loops below call it per byte, so they test first.
 */
#define REQUIRE(cond, ...) do {					\
	if (!(cond))							\
		ck_abort_msg(__VA_ARGS__);				\
} while (0)

/* ------------------------------------------------------------------ */
/* Feeding a body in pieces */

struct outcome {
	enum chunked_result result;
	size_t used;		/* *used summed over the calls */
	uint64_t data;		/* *data summed over the calls */
	uint64_t total;		/* d.total at the end */
};

/*
 * Decodes buf[0..len) in pieces ending at cuts[0..ncuts) (ascending, the
 * last one len; empty pieces allowed), stopping at DONE or ERROR.  Each
 * piece is an exact-size copy, so a sanitizer build sees any read past
 * it.  Checks what holds for every call: MORE uses the whole piece, the
 * data is part of what was used, d.total adds the data up.
 */
static struct outcome
feed(const char *buf, size_t len, size_t trailer_max, const size_t *cuts,
    size_t ncuts, const char *what)
{
	struct chunked_decoder d;
	struct outcome o = { CHUNKED_MORE, 0, 0, 0 };
	size_t start = 0;

	chunked_init(&d, trailer_max);
	for (size_t k = 0; k < ncuts; k++) {
		size_t n = cuts[k] - start, used = JUNK_USED;
		uint64_t data = JUNK_DATA;
		char *piece = malloc(n > 0 ? n : 1);

		REQUIRE(piece != NULL, "malloc");
		REQUIRE(cuts[k] >= start && cuts[k] <= len, "%s: bad cut %zu",
		    what, cuts[k]);
		if (n > 0)
			memcpy(piece, buf + start, n);
		o.result = chunked_decode(&d, piece, n, &used, &data);
		free(piece);
		REQUIRE(used <= n, "%s: piece %zu: used %zu of %zu", what, k,
		    used, n);
		REQUIRE(data <= used, "%s: piece %zu: %llu data bytes among "
		    "%zu used", what, k, (unsigned long long)data, used);
		o.used += used;
		o.data += data;
		REQUIRE(d.total == o.data, "%s: piece %zu: total %llu, data so "
		    "far %llu", what, k, (unsigned long long)d.total,
		    (unsigned long long)o.data);
		if (o.result != CHUNKED_MORE)
			break;
		REQUIRE(used == n, "%s: MORE used %zu of %zu", what, used, n);
		start = cuts[k];
	}
	o.total = d.total;
	return o;
}

static void
same_outcome(struct outcome a, struct outcome b, const char *what,
    int line, const char *note)
{
	REQUIRE(a.result == b.result && a.used == b.used &&
	    a.data == b.data && a.total == b.total,
	    "line %d (%s): %s gives result %d used %zu data %llu, whole "
	    "gives %d %zu %llu", line, note, what, b.result, b.used,
	    (unsigned long long)b.data, a.result, a.used,
	    (unsigned long long)a.data);
}

/*
 * Feeds buf whole, then byte by byte, in two pieces at every split point
 * (at 200 random ones when the body is long) and in up to 8 pieces at
 * random points; all must agree.  Returns the whole-body outcome.
 */
static struct outcome
feed_all_ways(const char *buf, size_t len, size_t trailer_max, int line,
    const char *note)
{
	size_t whole_cut = len, two[2], many[8];
	size_t *bytes = malloc((len > 0 ? len : 1) * sizeof(size_t));
	struct outcome whole, o;
	uint32_t seed = 0x9e3779b9u ^ (uint32_t)line;
	char what[64];

	ck_assert_ptr_nonnull(bytes);
	whole = feed(buf, len, trailer_max, &whole_cut, 1, "whole");

	for (size_t i = 0; i < len; i++)
		bytes[i] = i + 1;
	o = feed(buf, len, trailer_max, bytes, len, "byte by byte");
	same_outcome(whole, o, "byte by byte", line, note);
	free(bytes);

	for (size_t i = 0; i <= len && i <= 200; i++) {
		two[0] = len <= 200 ? i : unit_random(&seed) % (len + 1);
		two[1] = len;
		snprintf(what, sizeof(what), "split at %zu", two[0]);
		o = feed(buf, len, trailer_max, two, 2, what);
		same_outcome(whole, o, what, line, note);
	}

	for (int round = 0; round < 8; round++) {
		size_t n = 1 + unit_random(&seed) % 8;

		unit_random_cuts(many, n, len, &seed);
		snprintf(what, sizeof(what), "%zu random pieces (round %d)", n,
		    round);
		o = feed(buf, len, trailer_max, many, n, what);
		same_outcome(whole, o, what, line, note);
	}
	return whole;
}

/* ------------------------------------------------------------------ */
/* The table */

struct row {
	int line;
	const char *raw;
	size_t len;
	size_t trailer_max;
	enum chunked_result result;
	size_t used;		/* DONE: the body's end; ERROR: the bad byte */
	uint64_t data;
	const char *rfc;
};

/* A whole body and nothing after it. */
#define DONE(raw, data, rfc) \
	{ __LINE__, raw, sizeof(raw) - 1, TMAX, CHUNKED_DONE, \
	  sizeof(raw) - 1, data, rfc }
/* A body followed by bytes that are not its own. */
#define PIPE(body, next, data, rfc) \
	{ __LINE__, body next, sizeof(body next) - 1, TMAX, CHUNKED_DONE, \
	  sizeof(body) - 1, data, rfc }
/* A body under a trailer limit. */
#define DONET(raw, tmax, data, rfc) \
	{ __LINE__, raw, sizeof(raw) - 1, tmax, CHUNKED_DONE, \
	  sizeof(raw) - 1, data, rfc }
/* A body not finished yet: all of it used. */
#define MORE(raw, data, rfc) \
	{ __LINE__, raw, sizeof(raw) - 1, TMAX, CHUNKED_MORE, \
	  sizeof(raw) - 1, data, rfc }
/*
 * Not the chunked coding: the byte at offset `at` is the first that does
 * not fit.  (chunked.h leaves *used on ERROR open; the decoder sets it
 * to that offset, and pinning it makes each row fail for its own reason.)
 */
#define ERR(raw, at, data, rfc) \
	{ __LINE__, raw, sizeof(raw) - 1, TMAX, CHUNKED_ERROR, at, data, rfc }
#define ERRT(raw, tmax, at, data, rfc) \
	{ __LINE__, raw, sizeof(raw) - 1, tmax, CHUNKED_ERROR, at, data, rfc }

#define END "0\r\n\r\n"
#define HELLO "\r\nhello\r\n" END

static const struct row rows[] = {
	/* Chunks and sizes. */
	DONE(END, 0,
	    "RFC 9112 §7.1 last-chunk then the final CRLF: an empty body"),
	DONE("5" HELLO, 5, "RFC 9112 §7.1 one chunk"),
	DONE("5\r\nhello\r\n6\r\n world\r\n1\r\n!\r\n" END, 12,
	    "RFC 9112 §7.1 *chunk: several chunks"),
	DONE("a\r\n0123456789\r\n" END, 10,
	    "RFC 9112 §7.1 chunk-size = 1*HEXDIG, lowercase"),
	DONE("A\r\n0123456789\r\n" END, 10,
	    "RFC 9112 §7.1 chunk-size = 1*HEXDIG, uppercase (RFC 5234 "
	    "HEXDIG is case-insensitive)"),
	DONE("1a\r\nabcdefghijklmnopqrstuvwxyz\r\n" END, 26,
	    "RFC 9112 §7.1 chunk-size is hexadecimal: 1a = 26"),
	DONE("1A\r\nabcdefghijklmnopqrstuvwxyz\r\n" END, 26,
	    "RFC 9112 §7.1 chunk-size is hexadecimal: 1A = 26"),
	DONE("10\r\n0123456789abcdef\r\n" END, 16,
	    "RFC 9112 §7.1 chunk-size is hexadecimal: 10 = 16, not 10"),
	DONE("0005" HELLO, 5, "RFC 9112 §7.1 1*HEXDIG: leading zeros"),
	DONE("00000000000000000000000005" HELLO, 5,
	    "RFC 9112 §7.1 leading zeros past 16 digits do not overflow"),
	DONE("000\r\n\r\n", 0, "RFC 9112 §7.1 last-chunk = 1*(\"0\")"),
	DONE("6\r\n\r\n\0\n\rx\r\n" END, 6,
	    "RFC 9112 §7.1 chunk-data = 1*OCTET: CR, LF, NUL are data"),
	DONE("2\r\n\xff\x80\r\n" END, 2,
	    "RFC 9112 §7.1 chunk-data = 1*OCTET: any byte"),

	/* Chunk extensions. */
	DONE("5;foo" HELLO, 5,
	    "RFC 9112 §7.1.1 chunk-ext-name without a value"),
	DONE("5;foo=bar" HELLO, 5,
	    "RFC 9112 §7.1.1 chunk-ext-val = token"),
	DONE("5;foo=\"bar baz\"" HELLO, 5,
	    "RFC 9112 §7.1.1 chunk-ext-val = quoted-string"),
	DONE("5;foo=\"\"" HELLO, 5,
	    "RFC 9110 §5.6.4 an empty quoted-string"),
	DONE("5;a=1;b;c=\"x;y=z\"" HELLO, 5,
	    "RFC 9112 §7.1.1 several extensions; ';' '=' in a quoted-string"),
	DONE("5 ; foo = bar ; baz" HELLO, 5,
	    "RFC 9112 §7.1.1 BWS around ';' and '='"),
	DONE("5\t;\tfoo\t=\t\"q\"\t;x" HELLO, 5,
	    "RFC 9110 §5.6.3 BWS includes HTAB"),
	DONE("5;q=\"a\\\"b\\\\c\\\t\"" HELLO, 5,
	    "RFC 9110 §5.6.4 quoted-pair: escaped DQUOTE, backslash, HTAB"),
	DONE("5;q=\"caf\xc3\xa9\\\xff\"" HELLO, 5,
	    "RFC 9110 §5.6.4 qdtext and quoted-pair take obs-text"),
	DONE("5;!#$%&'*+-.^_`|~09azAZ=!#$%&'*+-.^_`|~09azAZ" HELLO, 5,
	    "RFC 9110 §5.6.2 every tchar in a name and a token value"),
	DONE("0;last=\"yes\"\r\n\r\n", 0,
	    "RFC 9112 §7.1 last-chunk = 1*(\"0\") [ chunk-ext ] CRLF"),

	/* Trailers. */
	DONE("0\r\nExpires: never\r\n\r\n", 0,
	    "RFC 9112 §7.1.2 a trailer field"),
	DONE("3\r\nabc\r\n0\r\nA: 1\r\nB-c: two words\r\n\r\n", 3,
	    "RFC 9112 §7.1.2 trailer-section = *( field-line CRLF )"),
	DONE("0\r\nA:\r\n\r\n", 0,
	    "RFC 9110 §5.5 field-value may be empty"),
	DONE("0\r\nA:x\r\n\r\n", 0,
	    "RFC 9112 §5 field-line = field-name \":\" OWS ...: OWS optional"),
	DONE("0\r\nA:\tx\xff y\"\\ \t\r\n\r\n", 0,
	    "RFC 9110 §5.5 value: VCHAR, obs-text, SP, HTAB, trailing OWS"),
	DONE("0\r\nA::b:\r\n\r\n", 0,
	    "RFC 9110 §5.5 ':' is a VCHAR, allowed in the value"),
	DONET(END, 0, 0,
	    "RFC 9112 §7.1 the final CRLF is not part of trailer-section"),
	DONET("0\r\nA: 123\r\n\r\n", 8, 0,
	    "trailer section of exactly trailer_max bytes (CRLF counted)"),
	DONET("0\r\nA:1\r\nB:2\r\n\r\n", 10, 0,
	    "trailer_max bounds all field lines together"),

	/* What follows the body is not the body's. */
	PIPE(END, "GET / HTTP/1.1\r\nHost: h\r\n\r\n", 0,
	    "RFC 9112 §7.1 the body ends at the final CRLF: a pipelined "
	    "request follows"),
	PIPE("5\r\nhello\r\n0\r\nT: 1\r\n\r\n", "POST /", 5,
	    "RFC 9112 §7.1 the body ends after the trailer's final CRLF"),
	PIPE(END, "\r\n", 0,
	    "RFC 9112 §7.1 one final CRLF: another is the next message's"),
	PIPE("3\r\nabc\r\n" END, "3\r\nabc\r\n" END, 3,
	    "RFC 9112 §7.1 a second body is not consumed"),
	PIPE(END, "\0\n\r", 0,
	    "RFC 9112 §7.1 bytes after the body are never looked at"),

	/* Unfinished bodies. */
	MORE("", 0, "RFC 9112 §7.1 nothing yet"),
	MORE("5", 0, "RFC 9112 §7.1 chunk-size may go on"),
	MORE("5\r\nhel", 3, "RFC 9112 §7.1 chunk-data in progress"),
	MORE("5\r\nhello", 5, "RFC 9112 §7.1 the CRLF after the data"),
	MORE("5\r\nhello\r\n", 5, "RFC 9112 §7.1 *chunk last-chunk"),
	MORE("5\r\nhello\r\n0\r\n", 5, "RFC 9112 §7.1 the final CRLF"),
	MORE("0\r\nA: 1\r\n", 0, "RFC 9112 §7.1.2 more trailer or CRLF"),
	MORE("0\r\n\r", 0, "RFC 9112 §2.2 CR waits for its LF"),
	MORE("5;q=\"a", 0, "RFC 9110 §5.6.4 inside a quoted-string"),
	MORE("7fffffffffffffff\r\nabc", 3,
	    "RFC 9112 §7.1 the largest size accepted: INT64_MAX"),
	MORE("7FFFFFFFFFFFFFFF;x\r\nab", 2,
	    "RFC 9112 §7.1 INT64_MAX in uppercase, with an extension"),

	/* The CRLF after chunk-data. */
	ERR("5\r\nhelloX\r\n" END, 8, 5,
	    "RFC 9112 §7.1 chunk-data CRLF: CRLF required after the data"),
	ERR("5\r\nhelloworld\r\n" END, 8, 5,
	    "RFC 9112 §7.1 more data than chunk-size"),
	ERR("5\r\nhell\r\n" END, 8, 5,
	    "RFC 9112 §7.1 less data than chunk-size: CR LF become data"),
	ERR("5\r\nhello\n" END, 8, 5,
	    "RFC 9112 §2.2 no bare LF after the data"),
	ERR("5\r\nhello\r0\r\n\r\n", 9, 5,
	    "RFC 9112 §2.2 no bare CR after the data"),
	ERR("5\r\nhello" END, 8, 5,
	    "RFC 9112 §7.1 the last-chunk does not replace the data's CRLF"),

	/* chunk-size. */
	ERR("0x10\r\n0123456789abcdef\r\n" END, 1, 0,
	    "RFC 9112 §7.1 chunk-size = 1*HEXDIG: no 0x prefix"),
	ERR("0X10\r\n0123456789abcdef\r\n" END, 1, 0,
	    "RFC 9112 §7.1 chunk-size = 1*HEXDIG: no 0X prefix"),
	ERR("-5" HELLO, 0, 0, "RFC 9112 §7.1 chunk-size: no sign"),
	ERR("+5" HELLO, 0, 0, "RFC 9112 §7.1 chunk-size: no sign"),
	ERR("-0\r\n\r\n", 0, 0, "RFC 9112 §7.1 last-chunk: no sign"),
	ERR(" 5" HELLO, 0, 0,
	    "RFC 9112 §7.1 no whitespace before chunk-size"),
	ERR("\t5" HELLO, 0, 0,
	    "RFC 9112 §7.1 no whitespace before chunk-size"),
	ERR("\r\n" END, 0, 0, "RFC 9112 §7.1 chunk-size is not empty"),
	ERR(";a=b" HELLO, 0, 0,
	    "RFC 9112 §7.1 chunk-size is not empty, even with chunk-ext"),
	ERR("g\r\n" END, 0, 0, "RFC 9112 §7.1 'g' is no HEXDIG"),
	ERR("1 0\r\n0123456789abcdef\r\n" END, 2, 0,
	    "RFC 9112 §7.1 no space inside chunk-size"),
	ERR("5 " HELLO, 2, 0,
	    "RFC 9112 §7.1.1 BWS only before ';': no whitespace before CRLF"),
	ERR("10000000000000000\r\n", 16, 0,
	    "RFC 9112 §7.1 overflow: 17 hex digits = 2^64"),
	ERR("8000000000000000\r\n", 15, 0,
	    "RFC 9112 §7.1 overflow: 2^63 is past INT64_MAX"),
	ERR("ffffffffffffffff\r\n", 15, 0,
	    "RFC 9112 §7.1 overflow: UINT64_MAX"),
	ERR("1000000000000000000000000005" HELLO, 16, 0,
	    "RFC 9112 §7.1 overflow: what wraps to 5 is still an error"),

	/* chunk-ext. */
	ERR("5;" HELLO, 2, 0, "RFC 9112 §7.1.1 chunk-ext-name = token"),
	ERR("5;=x" HELLO, 2, 0, "RFC 9112 §7.1.1 chunk-ext-name = token"),
	ERR("5;a=" HELLO, 4, 0,
	    "RFC 9112 §7.1.1 '=' needs a chunk-ext-val"),
	ERR("5;a b" HELLO, 4, 0,
	    "RFC 9112 §7.1.1 after a name: '=', ';' or the CRLF"),
	ERR("5;a=b c" HELLO, 6, 0,
	    "RFC 9112 §7.1.1 a token value ends at whitespace"),
	ERR("5;a =" HELLO, 5, 0,
	    "RFC 9112 §7.1.1 BWS before '=' still needs a value"),
	ERR("5;a@=b" HELLO, 3, 0, "RFC 9110 §5.6.2 '@' is no tchar"),
	ERR("5;a=b@" HELLO, 5, 0, "RFC 9110 §5.6.2 '@' is no tchar"),
	ERR("5;a=b\"c\"" HELLO, 5, 0,
	    "RFC 9112 §7.1.1 token / quoted-string, not both"),
	ERR("5;a=\"x" HELLO, 6, 0,
	    "RFC 9110 §5.6.4 the quoted-string is closed before the CRLF"),
	ERR("5;a=\"x\"y" HELLO, 7, 0,
	    "RFC 9110 §5.6.4 nothing right after the closing DQUOTE"),
	ERR("5;a=\"\x01\"" HELLO, 5, 0, "RFC 9110 §5.6.4 no CTL in qdtext"),
	ERR("5;a=\"\x7f\"" HELLO, 5, 0, "RFC 9110 §5.6.4 no DEL in qdtext"),
	ERR("5;a=\"\\\n\"" HELLO, 6, 0,
	    "RFC 9110 §5.6.4 quoted-pair cannot escape LF"),
	ERR("5;a=\"\\\0\"" HELLO, 6, 0,
	    "RFC 9110 §5.6.4 quoted-pair cannot escape NUL"),

	/* Line ends and NUL outside the data. */
	ERR("5\nhello\r\n" END, 1, 0,
	    "RFC 9112 §2.2 no bare LF ending chunk-size"),
	ERR("0\n\r\n", 1, 0, "RFC 9112 §2.2 no bare LF ending last-chunk"),
	ERR("0\r\n\n", 3, 0, "RFC 9112 §2.2 no bare LF as the final CRLF"),
	ERR("0\n\n", 1, 0, "RFC 9112 §2.2 no bare LF anywhere"),
	ERR("5\rhello\r\n" END, 2, 0,
	    "RFC 9112 §2.2 no bare CR ending chunk-size"),
	ERR("0\r\n\rX", 4, 0, "RFC 9112 §2.2 no bare CR as the final CRLF"),
	ERR("0\r\r\n\r\n", 2, 0, "RFC 9112 §2.2 CR CR LF is no CRLF"),
	ERR("\0", 0, 0, "RFC 9110 §5.5 no NUL outside the data: first byte"),
	ERR("5\0" HELLO, 1, 0, "RFC 9110 §5.5 no NUL after chunk-size"),
	ERR("5;a\0" HELLO, 3, 0, "RFC 9110 §5.5 no NUL in chunk-ext"),
	ERR("0\r\n\r\0", 4, 0, "RFC 9110 §5.5 no NUL in the final CRLF"),
	ERR("2\r\nab\r\n\0\r\n\r\n", 7, 2,
	    "RFC 9110 §5.5 no NUL where a chunk-size starts"),

	/* Trailer section. */
	ERR("0\r\nA : 1\r\n\r\n", 4, 0,
	    "RFC 9112 §5.1 no whitespace between field name and colon"),
	ERR("0\r\nA\t: 1\r\n\r\n", 4, 0,
	    "RFC 9112 §5.1 no whitespace between field name and colon"),
	ERR("0\r\nA\r\n\r\n", 4, 0, "RFC 9112 §5 a field-line has a colon"),
	ERR("0\r\n: x\r\n\r\n", 3, 0, "RFC 9110 §5.1 field-name = token"),
	ERR("0\r\nA@: x\r\n\r\n", 4, 0, "RFC 9110 §5.1 field-name = token"),
	ERR("0\r\nA: 1\r\n  2\r\n\r\n", 9, 0,
	    "RFC 9112 §5.2 obs-fold (SP) rejected"),
	ERR("0\r\nA: 1\r\n\t2\r\n\r\n", 9, 0,
	    "RFC 9112 §5.2 obs-fold (HTAB) rejected"),
	ERR("0\r\n A: 1\r\n\r\n", 3, 0,
	    "RFC 9112 §5.2 no whitespace before the first field line"),
	ERR("0\r\nA: 1\n\r\n", 7, 0,
	    "RFC 9112 §2.2 no bare LF ending a field line"),
	ERR("0\r\nA: 1\rx\r\n\r\n", 8, 0,
	    "RFC 9112 §2.2 no bare CR in a field line"),
	ERR("0\r\nA: x\0\r\n\r\n", 7, 0,
	    "RFC 9110 §5.5 no NUL in a field value"),
	ERR("0\r\nA\0: x\r\n\r\n", 4, 0,
	    "RFC 9110 §5.5 no NUL in a field name"),
	ERR("0\r\nA: \x7f\r\n\r\n", 6, 0,
	    "RFC 9110 §5.5 no DEL in a field value"),
	ERR("0\r\nA: \x01\r\n\r\n", 6, 0,
	    "RFC 9110 §5.5 no CTL in a field value"),
	ERR("0\r\nGET / HTTP/1.1\r\n\r\n", 6, 0,
	    "RFC 9112 §7.1 the final CRLF cannot be skipped"),
	ERRT("0\r\nA: 1234\r\n\r\n", 8, 11, 0,
	    "trailer section one byte over trailer_max"),
	ERRT("0\r\nA:1\r\nB:2\r\n\r\n", 9, 12, 0,
	    "trailer_max counts across field lines"),
	ERRT("0\r\nA:1\r\n\r\n", 0, 3, 0,
	    "trailer_max 0 allows no field line"),
	ERRT("3\r\nabc\r\n0\r\nAb:\r\n\r\n", 4, 15, 3,
	    "chunk data does not count against trailer_max"),
};

START_TEST(test_table)
{
	const struct row *r = &rows[_i];
	struct outcome o = feed_all_ways(r->raw, r->len, r->trailer_max,
	    r->line, r->rfc);

	ck_assert_msg(o.result == r->result, "line %d (%s): result %d, want "
	    "%d", r->line, r->rfc, o.result, r->result);
	ck_assert_msg(o.used == r->used, "line %d (%s): used %zu, want %zu",
	    r->line, r->rfc, o.used, r->used);
	ck_assert_msg(o.data == r->data && o.total == r->data,
	    "line %d (%s): data %llu, total %llu, want %llu", r->line,
	    r->rfc, (unsigned long long)o.data, (unsigned long long)o.total,
	    (unsigned long long)r->data);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Generated bodies at the limits */

struct gen {
	char *buf;
	size_t len;
};

static void
gen_add(struct gen *g, const char *s, size_t n)
{
	char *p = realloc(g->buf, g->len + n + 1);

	ck_assert_ptr_nonnull(p);
	memcpy(p + g->len, s, n);
	g->buf = p;
	g->len += n;
	g->buf[g->len] = '\0';
}

static void
gen_str(struct gen *g, const char *s)
{
	gen_add(g, s, strlen(s));
}

static void
gen_fill(struct gen *g, char c, size_t n)
{
	char *run = malloc(n > 0 ? n : 1);

	ck_assert_ptr_nonnull(run);
	memset(run, c, n);
	gen_add(g, run, n);
	free(run);
}

static void
gen_check(struct gen *g, size_t trailer_max, enum chunked_result result,
    size_t used, uint64_t data, int line, const char *note)
{
	struct outcome o = feed_all_ways(g->buf, g->len, trailer_max, line,
	    note);

	ck_assert_msg(o.result == result, "line %d (%s): result %d, want %d",
	    line, note, o.result, result);
	ck_assert_msg(o.used == used, "line %d (%s): used %zu, want %zu",
	    line, note, o.used, used);
	ck_assert_msg(o.data == data, "line %d (%s): data %llu, want %llu",
	    line, note, (unsigned long long)o.data, (unsigned long long)data);
	free(g->buf);
	g->buf = NULL;
	g->len = 0;
}

/* RFC 9112 §7.1 puts no bound on the line; CHUNKED_LINE_MAX does. */
START_TEST(test_line_max)
{
	struct gen g = { NULL, 0 };
	const size_t max = CHUNKED_LINE_MAX;

	/* Size and extensions of exactly CHUNKED_LINE_MAX bytes. */
	gen_str(&g, "1;");
	gen_fill(&g, 'a', max - 2);
	gen_str(&g, "\r\nx\r\n" END);
	gen_check(&g, TMAX, CHUNKED_DONE, max + 10, 1, __LINE__,
	    "a chunk-size line of CHUNKED_LINE_MAX bytes");

	/* One more: the byte past the limit is the error. */
	gen_str(&g, "1;");
	gen_fill(&g, 'a', max - 1);
	gen_str(&g, "\r\nx\r\n" END);
	gen_check(&g, TMAX, CHUNKED_ERROR, max, 0, __LINE__,
	    "a chunk-size line of CHUNKED_LINE_MAX + 1 bytes");

	/* Leading zeros count too. */
	gen_fill(&g, '0', max - 1);
	gen_str(&g, "1\r\nx\r\n" END);
	gen_check(&g, TMAX, CHUNKED_DONE, max + 10, 1, __LINE__,
	    "CHUNKED_LINE_MAX hex digits, all but one zeros");
	gen_fill(&g, '0', max);
	gen_str(&g, "1\r\nx\r\n" END);
	gen_check(&g, TMAX, CHUNKED_ERROR, max, 0, __LINE__,
	    "CHUNKED_LINE_MAX + 1 hex digits");

	/* A quoted extension value running past the limit. */
	gen_str(&g, "1;q=\"");
	gen_fill(&g, ' ', max);
	gen_check(&g, TMAX, CHUNKED_ERROR, max, 0, __LINE__,
	    "an unterminated quoted-string stops at CHUNKED_LINE_MAX");

	/* The last-chunk line has the same limit. */
	gen_str(&g, "0;");
	gen_fill(&g, 'z', max - 2);
	gen_str(&g, "\r\n\r\n");
	gen_check(&g, 0, CHUNKED_DONE, max + 4, 0, __LINE__,
	    "a last-chunk line of CHUNKED_LINE_MAX bytes");
	gen_str(&g, "0;");
	gen_fill(&g, 'z', max - 1);
	gen_str(&g, "\r\n\r\n");
	gen_check(&g, 0, CHUNKED_ERROR, max, 0, __LINE__,
	    "a last-chunk line of CHUNKED_LINE_MAX + 1 bytes");

	/* The count starts again on each line: three lines at the limit. */
	for (int i = 0; i < 2; i++) {
		gen_str(&g, "2;");
		gen_fill(&g, 'b', max - 2);
		gen_str(&g, "\r\nxy\r\n");
	}
	gen_str(&g, "0;");
	gen_fill(&g, 'b', max - 2);
	gen_str(&g, "\r\n\r\n");
	gen_check(&g, TMAX, CHUNKED_DONE, 3 * max + 2 * 6 + 4, 4, __LINE__,
	    "every chunk-size line may reach CHUNKED_LINE_MAX");
}
END_TEST

/* The server passes header-max (default 16384) as trailer_max. */
START_TEST(test_trailer_max)
{
	struct gen g = { NULL, 0 };

	/* "X: " + value + CRLF = exactly TMAX bytes. */
	gen_str(&g, "0\r\nX: ");
	gen_fill(&g, 'v', TMAX - 5);
	gen_str(&g, "\r\n\r\n");
	gen_check(&g, TMAX, CHUNKED_DONE, 3 + TMAX + 2, 0, __LINE__,
	    "a trailer section of exactly header-max bytes");

	gen_str(&g, "0\r\nX: ");
	gen_fill(&g, 'v', TMAX - 4);
	gen_str(&g, "\r\n\r\n");
	gen_check(&g, TMAX, CHUNKED_ERROR, 3 + TMAX, 0, __LINE__,
	    "a trailer section of header-max + 1 bytes");

	/* Many short field lines add up. */
	gen_str(&g, "0\r\n");
	for (size_t i = 0; i <= TMAX / 5; i++)
		gen_str(&g, "A:1\r\n");
	gen_str(&g, "\r\n");
	gen_check(&g, TMAX, CHUNKED_ERROR, 3 + TMAX, 0, __LINE__,
	    "many small field lines over header-max together");
}
END_TEST

/* A large chunk is counted as it arrives, across calls. */
START_TEST(test_large_chunk)
{
	static char buf[65536];
	struct chunked_decoder d;
	size_t used;
	uint64_t data, sum = 0;

	memset(buf, 'z', sizeof(buf));
	chunked_init(&d, TMAX);
	ck_assert_int_eq(chunked_decode(&d, "100000\r\n", 8, &used, &data),
	    CHUNKED_MORE);
	ck_assert_uint_eq(used, 8);
	ck_assert_uint_eq(data, 0);
	for (int i = 0; i < 16; i++) {
		ck_assert_int_eq(chunked_decode(&d, buf, sizeof(buf), &used,
		    &data), CHUNKED_MORE);
		ck_assert_uint_eq(used, sizeof(buf));
		ck_assert_uint_eq(data, sizeof(buf));
		sum += data;
		ck_assert_uint_eq(d.total, sum);
	}
	ck_assert_uint_eq(d.total, 0x100000);
	/* The chunk is full: the next byte must be its CR. */
	ck_assert_int_eq(chunked_decode(&d, "z", 1, &used, &data),
	    CHUNKED_ERROR);
	ck_assert_uint_eq(used, 0);
	ck_assert_uint_eq(data, 0);
	ck_assert_uint_eq(d.total, 0x100000);
}
END_TEST

/* ------------------------------------------------------------------ */
/* After DONE or ERROR the decoder stays there (chunked.h). */

START_TEST(test_stays_done)
{
	struct chunked_decoder d;
	size_t used = JUNK_USED;
	uint64_t data = JUNK_DATA;

	chunked_init(&d, TMAX);
	ck_assert_int_eq(chunked_decode(&d, "3\r\nabc\r\n" END "3\r\n", 16,
	    &used, &data), CHUNKED_DONE);
	ck_assert_uint_eq(used, 13);
	ck_assert_uint_eq(data, 3);

	/* More of anything: DONE, nothing used, nothing counted. */
	used = JUNK_USED;
	data = JUNK_DATA;
	ck_assert_int_eq(chunked_decode(&d, "3\r\nabc\r\n" END, 13, &used,
	    &data), CHUNKED_DONE);
	ck_assert_uint_eq(used, 0);
	ck_assert_uint_eq(data, 0);
	used = JUNK_USED;
	data = JUNK_DATA;
	ck_assert_int_eq(chunked_decode(&d, "\0garbage", 8, &used, &data),
	    CHUNKED_DONE);
	ck_assert_uint_eq(used, 0);
	ck_assert_uint_eq(data, 0);
	used = JUNK_USED;
	ck_assert_int_eq(chunked_decode(&d, "", 0, &used, &data),
	    CHUNKED_DONE);
	ck_assert_uint_eq(used, 0);
	ck_assert_uint_eq(d.total, 3);
}
END_TEST

START_TEST(test_stays_error)
{
	struct chunked_decoder d;
	size_t used = JUNK_USED;
	uint64_t data = JUNK_DATA;

	chunked_init(&d, TMAX);
	ck_assert_int_eq(chunked_decode(&d, "2\r\nab", 5, &used, &data),
	    CHUNKED_MORE);
	ck_assert_int_eq(chunked_decode(&d, "X", 1, &used, &data),
	    CHUNKED_ERROR);
	ck_assert_uint_eq(used, 0);
	ck_assert_uint_eq(data, 0);

	/* Even what would have been right next is still an error. */
	used = JUNK_USED;
	data = JUNK_DATA;
	ck_assert_int_eq(chunked_decode(&d, "\r\n" END, 7, &used, &data),
	    CHUNKED_ERROR);
	ck_assert_uint_eq(used, 0);
	ck_assert_uint_eq(data, 0);
	ck_assert_int_eq(chunked_decode(&d, "", 0, &used, &data),
	    CHUNKED_ERROR);
	ck_assert_uint_eq(d.total, 2);
}
END_TEST

/* chunked_init() starts over, whatever state the decoder was left in. */
START_TEST(test_init_again)
{
	struct chunked_decoder d;
	size_t used;
	uint64_t data;

	chunked_init(&d, 3);
	ck_assert_int_eq(chunked_decode(&d, "4\r\nab", 5, &used, &data),
	    CHUNKED_MORE);
	chunked_init(&d, TMAX);
	ck_assert_uint_eq(d.total, 0);
	ck_assert_uint_eq(d.trailer_max, TMAX);
	ck_assert_int_eq(chunked_decode(&d, "0\r\nA: 1\r\n\r\n", 11, &used,
	    &data), CHUNKED_DONE);
	ck_assert_uint_eq(used, 11);

	chunked_init(&d, TMAX);
	ck_assert_int_eq(chunked_decode(&d, "x", 1, &used, &data),
	    CHUNKED_ERROR);
	chunked_init(&d, TMAX);
	ck_assert_int_eq(chunked_decode(&d, "1\r\nq\r\n" END, 11, &used,
	    &data), CHUNKED_DONE);
	ck_assert_uint_eq(used, 11);
	ck_assert_uint_eq(d.total, 1);
}
END_TEST

/* ------------------------------------------------------------------ */
/* chunked_decode_data() and chunked_pending() */

/*
 * Known calls: each step gives a new piece to chunked_decode_data(), or
 * (REST) what the previous call left of its piece, as a reader goes on
 * from buf + *used; and says what the call must report.
 */
struct data_step {
	const char *piece;	/* NULL: the rest of the previous piece */
	size_t piece_len;
	enum chunked_result result;
	size_t used;
	size_t off, len;	/* the run of data: buf + off, len bytes */
	uint64_t pending;	/* chunked_pending() after the call */
};

#define STEP(piece, result, used, off, len, pending) \
	{ piece, sizeof(piece) - 1, result, used, off, len, pending }
#define REST(result, used, off, len, pending) \
	{ NULL, 0, result, used, off, len, pending }

static const struct data_call {
	int line;
	const char *note;
	struct data_step steps[6];
	size_t nsteps;
} data_calls[] = {
	{ __LINE__, "one run per call, extensions and trailers skipped", {
	    STEP("5;x\r\nhello\r\n3\r\nabc\r\n0\r\nT: 1\r\n\r\nGET",
	        CHUNKED_MORE, 10, 5, 5, 0),
	    REST(CHUNKED_MORE, 8, 5, 3, 0),
	    REST(CHUNKED_DONE, 13, 0, 0, 0),
	    REST(CHUNKED_DONE, 0, 0, 0, 0),
	}, 4 },
	{ __LINE__, "a chunk across pieces: its runs come as they arrive", {
	    STEP("a\r\n0123", CHUNKED_MORE, 7, 3, 4, 6),
	    STEP("456789\r\n0\r\n\r\n", CHUNKED_MORE, 6, 0, 6, 0),
	    REST(CHUNKED_DONE, 7, 0, 0, 0),
	}, 3 },
	{ __LINE__, "a size line alone: no data, the whole chunk pending", {
	    STEP("5\r\n", CHUNKED_MORE, 3, 0, 0, 5),
	    STEP("he", CHUNKED_MORE, 2, 0, 2, 3),
	    STEP("", CHUNKED_MORE, 0, 0, 0, 3),
	    STEP("llo\r", CHUNKED_MORE, 3, 0, 3, 0),
	    REST(CHUNKED_MORE, 1, 0, 0, 0),
	    STEP("\n0\r\n\r\n", CHUNKED_DONE, 6, 0, 0, 0),
	}, 6 },
	{ __LINE__, "the largest chunk-size is all pending", {
	    STEP("7fffffffffffffff;e\r\nab", CHUNKED_MORE, 22, 20, 2,
	        (uint64_t)INT64_MAX - 2),
	}, 1 },
	{ __LINE__, "an error after a run: the run first, then the error", {
	    STEP("2\r\nabX", CHUNKED_MORE, 5, 3, 2, 0),
	    REST(CHUNKED_ERROR, 0, 0, 0, 0),
	    STEP("\r\n" END, CHUNKED_ERROR, 0, 0, 0, 0),
	}, 3 },
	{ __LINE__, "data is data: NUL, CR, LF; trailers are not", {
	    STEP("3\r\n\0\r\n\r\n0\r\nA: 1\r\n", CHUNKED_MORE, 6, 3, 3,
	        0),
	    REST(CHUNKED_MORE, 11, 0, 0, 0),
	    STEP("\r\n", CHUNKED_DONE, 2, 0, 0, 0),
	}, 3 },
};

START_TEST(test_decode_data_calls)
{
	const struct data_call *c = &data_calls[_i];
	struct chunked_decoder d;
	const char *buf = "";
	size_t len = 0;
	uint64_t sum = 0;

	chunked_init(&d, TMAX);
	for (size_t k = 0; k < c->nsteps; k++) {
		const struct data_step *s = &c->steps[k];
		size_t used = JUNK_USED, off = JUNK_USED, n = JUNK_USED;
		enum chunked_result r;

		if (s->piece != NULL) {
			buf = s->piece;
			len = s->piece_len;
		}
		r = chunked_decode_data(&d, buf, len, &used, &off, &n);
		ck_assert_msg(r == s->result && used == s->used &&
		    (n == 0 || off == s->off) && n == s->len,
		    "line %d (%s), call %zu: result %d used %zu run %zu+%zu, "
		    "want %d %zu %zu+%zu", c->line, c->note, k, r, used, off,
		    n, s->result, s->used, s->off, s->len);
		ck_assert_msg(chunked_pending(&d) == s->pending, "line %d (%s), "
		    "call %zu: pending %llu, want %llu", c->line, c->note, k,
		    (unsigned long long)chunked_pending(&d),
		    (unsigned long long)s->pending);
		sum += n;
		ck_assert_uint_eq(d.total, sum);
		buf += used;
		len -= used;
	}
}
END_TEST

/* Which bytes of r->raw are chunk data: chunked_decode() byte by byte. */
static void
data_mask(const struct row *r, char *mask)
{
	struct chunked_decoder d;
	enum chunked_result res = CHUNKED_MORE;

	memset(mask, 0, r->len + 1);
	chunked_init(&d, r->trailer_max);
	for (size_t i = 0; i < r->len && res == CHUNKED_MORE; i++) {
		size_t used;
		uint64_t data;

		res = chunked_decode(&d, r->raw + i, 1, &used, &data);
		mask[i] = data == 1;
	}
}

/*
 * chunked_decode_data() on r->raw in pieces ending at cuts[0..ncuts),
 * called again on what is left of a piece after each run, as a reader
 * does.  Each run must be chunk data (mask), must end the call ("stops
 * right after the first run"), and the bytes before it in the call must
 * not be data; together the runs must cover every data byte.
 */
static struct outcome
feed_data(const struct row *r, const char *mask, const size_t *cuts,
    size_t ncuts, const char *what)
{
	struct chunked_decoder d;
	struct outcome o = { CHUNKED_MORE, 0, 0, 0 };
	size_t start = 0;

	chunked_init(&d, r->trailer_max);
	for (size_t k = 0; k < ncuts && o.result == CHUNKED_MORE; k++) {
		size_t n = cuts[k] - start, pos = 0;
		char *piece = malloc(n > 0 ? n : 1);

		REQUIRE(piece != NULL, "malloc");
		if (n > 0)
			memcpy(piece, r->raw + start, n);
		do {
			size_t used = JUNK_USED, off = JUNK_USED,
			    len = JUNK_USED, at = start + pos;

			o.result = chunked_decode_data(&d, piece + pos,
			    n - pos, &used, &off, &len);
			REQUIRE(used <= n - pos && (len == 0 ||
			    off + len == used), "line %d, %s: used %zu, run "
			    "%zu+%zu, of %zu", r->line, what, used, off, len,
			    n - pos);
			for (size_t i = 0; i < used; i++)
				REQUIRE(mask[at + i] == (len > 0 && i >= off),
				    "line %d, %s: byte %zu: data %d, run "
				    "%zu+%zu", r->line, what, at + i,
				    mask[at + i], off, len);
			pos += used;
			o.used += used;
			o.data += len;
			REQUIRE(d.total == o.data, "line %d, %s: total",
			    r->line, what);
			REQUIRE(used > 0 || o.result != CHUNKED_MORE ||
			    pos == n, "line %d, %s: MORE with nothing used",
			    r->line, what);
		} while (o.result == CHUNKED_MORE && pos < n);
		free(piece);
		start = cuts[k];
	}
	o.total = d.total;
	return o;
}

/*
 * Every row of the table: chunked_decode_data() called until the input
 * is used up must end as chunked_decode() does, with the same data
 * count and exactly the data bytes; fed whole, byte by byte and split
 * in two at every point.
 */
START_TEST(test_decode_data_table)
{
	const struct row *r = &rows[_i];
	size_t whole_cut = r->len, two[2];
	size_t *bytes = malloc((r->len + 1) * sizeof(size_t));
	char *mask = malloc(r->len + 1);
	struct outcome want, o;
	char what[64];

	ck_assert_ptr_nonnull(bytes);
	ck_assert_ptr_nonnull(mask);
	data_mask(r, mask);
	want = feed(r->raw, r->len, r->trailer_max, &whole_cut, 1, "whole");

	o = feed_data(r, mask, &whole_cut, 1, "data, whole");
	same_outcome(want, o, "chunked_decode_data, whole", r->line, r->rfc);
	bytes[0] = 0;
	for (size_t i = 0; i < r->len; i++)
		bytes[i] = i + 1;
	o = feed_data(r, mask, bytes, r->len > 0 ? r->len : 1,
	    "data, byte by byte");
	same_outcome(want, o, "chunked_decode_data, byte by byte", r->line,
	    r->rfc);
	for (size_t i = 0; i <= r->len; i++) {
		two[0] = i;
		two[1] = r->len;
		snprintf(what, sizeof(what), "data, split at %zu", i);
		o = feed_data(r, mask, two, 2, what);
		same_outcome(want, o, what, r->line, r->rfc);
	}
	free(mask);
	free(bytes);
}
END_TEST

/* chunked_pending() is 0 anywhere outside chunk data. */
START_TEST(test_pending_outside_data)
{
	static const char body[] = "5;a=\"b\"\r\nhello\r\n0\r\nT: 1\r\n\r\n";
	struct chunked_decoder d;
	size_t used;
	uint64_t data, left = 0;

	chunked_init(&d, TMAX);
	ck_assert_uint_eq(chunked_pending(&d), 0);
	for (size_t i = 0; i < sizeof(body) - 1; i++) {
		ck_assert_int_ne(chunked_decode(&d, body + i, 1, &used, &data),
		    CHUNKED_ERROR);
		/* "\r\n" ending the size line at 7..8: data 9..13. */
		left = i == 8 ? 5 : i > 8 && i < 14 ? left - 1 : 0;
		ck_assert_msg(chunked_pending(&d) == left, "after byte %zu: "
		    "pending %llu, want %llu", i,
		    (unsigned long long)chunked_pending(&d),
		    (unsigned long long)left);
	}
	ck_assert_int_eq(chunked_decode(&d, "x", 1, &used, &data),
	    CHUNKED_DONE);
	ck_assert_uint_eq(chunked_pending(&d), 0);

	chunked_init(&d, TMAX);
	ck_assert_int_eq(chunked_decode(&d, "9\r\nabX", 6, &used, &data),
	    CHUNKED_MORE);
	ck_assert_uint_eq(chunked_pending(&d), 6);
	chunked_init(&d, TMAX);
	ck_assert_int_eq(chunked_decode(&d, "9x", 2, &used, &data),
	    CHUNKED_ERROR);
	ck_assert_uint_eq(chunked_pending(&d), 0);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The encoder */

#define HEAD_MAX CHUNKED_ENCODE_HEAD_MAX

static const struct head_row {
	int line;
	uint64_t n;
	size_t cap;
	const char *want;	/* NULL: refused (returns 0, writes nothing) */
} head_rows[] = {
	{ __LINE__, 1, HEAD_MAX, "1\r\n" },
	{ __LINE__, 9, HEAD_MAX, "9\r\n" },
	{ __LINE__, 10, HEAD_MAX, "a\r\n" },
	{ __LINE__, 15, HEAD_MAX, "f\r\n" },
	{ __LINE__, 16, HEAD_MAX, "10\r\n" },
	{ __LINE__, 255, HEAD_MAX, "ff\r\n" },
	{ __LINE__, 256, HEAD_MAX, "100\r\n" },
	{ __LINE__, 4096, HEAD_MAX, "1000\r\n" },
	{ __LINE__, 65535, HEAD_MAX, "ffff\r\n" },
	{ __LINE__, 0x12345678, HEAD_MAX, "12345678\r\n" },
	{ __LINE__, 0xabcdef0, HEAD_MAX, "abcdef0\r\n" },
	{ __LINE__, UINT32_MAX, HEAD_MAX, "ffffffff\r\n" },
	/* Rows past SIZE_MAX cannot be asked where size_t is 32 bits. */
	{ __LINE__, (uint64_t)UINT32_MAX + 1, HEAD_MAX, "100000000\r\n" },
	{ __LINE__, INT64_MAX, HEAD_MAX, "7fffffffffffffff\r\n" },
	/* The decoder refuses a chunk-size past 2^63 - 1: so does this. */
	{ __LINE__, (uint64_t)INT64_MAX + 1, HEAD_MAX, NULL },
	{ __LINE__, SIZE_MAX, HEAD_MAX,
	    (uint64_t)SIZE_MAX > (uint64_t)INT64_MAX ? NULL : "ffffffff\r\n" },
	/* RFC 9112 §7.1: a chunk-size of 0 is the last-chunk. */
	{ __LINE__, 0, HEAD_MAX, NULL },
	/* Capacity: exactly enough, one byte short, none. */
	{ __LINE__, 1, 3, "1\r\n" },
	{ __LINE__, 1, 2, NULL },
	{ __LINE__, 1, 0, NULL },
	{ __LINE__, 4096, 6, "1000\r\n" },
	{ __LINE__, 4096, 5, NULL },
	{ __LINE__, 16, 3, NULL },
	{ __LINE__, INT64_MAX, HEAD_MAX - 1, NULL },
	{ __LINE__, 0, 0, NULL },
};

/*
 * Each row written into a buffer of exactly cap bytes (so a sanitizer
 * build sees a write past it) preceded by a guard; then the head, fed to
 * chunked_decode(), must read as a chunk of n, and for a small n the data,
 * the tail and the last-chunk must end the body with n bytes of data.
 */
START_TEST(test_encode_head)
{
	const struct head_row *r = &head_rows[_i];
	char *buf, *out, body[8192];
	struct chunked_decoder d;
	size_t len, used;
	uint64_t data;

	if (r->n > SIZE_MAX)
		return;
	buf = malloc(r->cap + 1);
	ck_assert_ptr_nonnull(buf);
	memset(buf, '#', r->cap + 1);
	out = buf + 1;
	len = chunked_encode_head((size_t)r->n, out, r->cap);
	if (r->want == NULL) {
		ck_assert_msg(len == 0, "line %d: n %llu cap %zu: %zu, want "
		    "0", r->line, (unsigned long long)r->n, r->cap, len);
		for (size_t i = 0; i < r->cap + 1; i++)
			ck_assert_msg(buf[i] == '#', "line %d: refused, yet "
			    "byte %zu written", r->line, i);
		free(buf);
		return;
	}
	ck_assert_msg(len == strlen(r->want) && memcmp(out, r->want, len) == 0,
	    "line %d: n %llu: \"%.*s\" (%zu), want \"%s\"", r->line,
	    (unsigned long long)r->n, (int)len, out, len, r->want);
	ck_assert_uint_le(len, HEAD_MAX);
	ck_assert_msg(buf[0] == '#', "line %d: wrote before out", r->line);
	for (size_t i = len; i < r->cap; i++)
		ck_assert_msg(out[i] == '#', "line %d: wrote past the head, at "
		    "%zu", r->line, i);

	chunked_init(&d, TMAX);
	ck_assert_int_eq(chunked_decode(&d, out, len, &used, &data),
	    CHUNKED_MORE);
	ck_assert_uint_eq(used, len);
	ck_assert_uint_eq(data, 0);
	if (r->n + CHUNKED_ENCODE_TAIL_LEN + CHUNKED_ENCODE_LAST_LEN <=
	    sizeof(body)) {
		size_t n = (size_t)r->n, blen;

		memset(body, '0', n);
		memcpy(body + n, chunked_encode_tail, CHUNKED_ENCODE_TAIL_LEN);
		blen = n + CHUNKED_ENCODE_TAIL_LEN;
		blen += chunked_encode_last(body + blen, sizeof(body) - blen);
		ck_assert_int_eq(chunked_decode(&d, body, blen, &used, &data),
		    CHUNKED_DONE);
		ck_assert_uint_eq(used, blen);
		ck_assert_uint_eq(data, n);
		ck_assert_uint_eq(d.total, n);
	}
	free(buf);
}
END_TEST

START_TEST(test_encode_last)
{
	char buf[CHUNKED_ENCODE_LAST_LEN + 2];
	struct chunked_decoder d;
	size_t used;
	uint64_t data;

	ck_assert_int_eq(CHUNKED_ENCODE_TAIL_LEN, 2);
	ck_assert(memcmp(chunked_encode_tail, "\r\n", 2) == 0);

	for (size_t cap = 0; cap < CHUNKED_ENCODE_LAST_LEN; cap++) {
		memset(buf, '#', sizeof(buf));
		ck_assert_uint_eq(chunked_encode_last(buf, cap), 0);
		for (size_t i = 0; i < sizeof(buf); i++)
			ck_assert_msg(buf[i] == '#', "cap %zu: byte %zu "
			    "written", cap, i);
	}
	memset(buf, '#', sizeof(buf));
	ck_assert_uint_eq(chunked_encode_last(buf, CHUNKED_ENCODE_LAST_LEN),
	    CHUNKED_ENCODE_LAST_LEN);
	ck_assert(memcmp(buf, "0\r\n\r\n#", 6) == 0);
	ck_assert_uint_eq(chunked_encode_last(buf, sizeof(buf)),
	    CHUNKED_ENCODE_LAST_LEN);

	/* Alone, it is a whole body of no data. */
	chunked_init(&d, TMAX);
	ck_assert_int_eq(chunked_decode(&d, buf, sizeof(buf), &used, &data),
	    CHUNKED_DONE);
	ck_assert_uint_eq(used, CHUNKED_ENCODE_LAST_LEN);
	ck_assert_uint_eq(d.total, 0);
}
END_TEST

/*
 * The round trip.  A payload is drawn from bytes that look like framing
 * ('0', CR, LF, hex digits) and any byte, and cut into pieces: mostly
 * small, sometimes large, sometimes empty (an empty piece must be
 * skipped: chunked_encode_head() refuses it).  The encoded body is
 * followed by the start of a pipelined request, which must not be taken.
 *
 * chunked_decode() does not hand data back, only how many of the bytes
 * it used were data; fed one byte at a time, that says of each byte
 * whether it is data, so the payload is rebuilt from those calls and must
 * be the payload exactly.  Fed in random pieces, it must agree with that
 * at every piece's end (data so far, bytes used, the result) and end the
 * body where the encoder's output ends.
 */
#define TRIP_ROUNDS 300
#define TRIP_PAYLOAD_MAX 20000
#define NEXT_REQUEST "GET / HTTP/1.1\r\n"

struct trip {
	char payload[TRIP_PAYLOAD_MAX];
	size_t plen;
	char enc[2 * TRIP_PAYLOAD_MAX + 64];	/* body, then NEXT_REQUEST */
	size_t body_len, len;
	uint64_t cum[2 * TRIP_PAYLOAD_MAX + 64 + 1]; /* data in enc[0..i) */
	char back[TRIP_PAYLOAD_MAX];
};

static void
trip_make(struct trip *t, uint32_t *seed)
{
	static const char looks[] = "0\r\n;1aF";
	size_t at = 0, len = 0;

	t->plen = unit_random(seed) % 8 == 0 ? 0 :
	    unit_random(seed) % (unit_random(seed) % 2 ? 64 : TRIP_PAYLOAD_MAX);
	for (size_t i = 0; i < t->plen; i++) {
		uint32_t r = unit_random(seed);

		t->payload[i] = r % 3 == 0 ? (char)(r >> 8) :
		    looks[(r >> 8) % (sizeof(looks) - 1)];
	}
	while (at < t->plen) {
		uint32_t r = unit_random(seed);
		size_t n = r % 10 == 0 ? 0 : r % 10 < 8 ? 1 + (r >> 8) % 17 :
		    1 + (r >> 8) % 5000;
		size_t h;

		if (n > t->plen - at)
			n = t->plen - at;
		h = chunked_encode_head(n, t->enc + len, HEAD_MAX);
		if (n == 0) {
			ck_assert_uint_eq(h, 0);
			continue;
		}
		ck_assert_uint_gt(h, 0);
		len += h;
		memcpy(t->enc + len, t->payload + at, n);
		len += n;
		memcpy(t->enc + len, chunked_encode_tail,
		    CHUNKED_ENCODE_TAIL_LEN);
		len += CHUNKED_ENCODE_TAIL_LEN;
		at += n;
	}
	len += chunked_encode_last(t->enc + len, CHUNKED_ENCODE_LAST_LEN);
	t->body_len = len;
	memcpy(t->enc + len, NEXT_REQUEST, strlen(NEXT_REQUEST));
	t->len = len + strlen(NEXT_REQUEST);
	ck_assert_uint_le(t->len, sizeof(t->enc));
}

/* One byte at a time: rebuilds the payload and fills t->cum. */
static void
trip_bytes(struct trip *t, int round)
{
	struct chunked_decoder d;
	enum chunked_result r = CHUNKED_MORE;
	size_t i, k = 0, used;
	uint64_t data;

	chunked_init(&d, TMAX);
	t->cum[0] = 0;
	for (i = 0; i < t->len && r == CHUNKED_MORE; i++) {
		r = chunked_decode(&d, t->enc + i, 1, &used, &data);
		REQUIRE(r != CHUNKED_ERROR, "round %d: error at byte %zu",
		    round, i);
		REQUIRE(used == 1 && data <= 1 && k + data <= t->plen,
		    "round %d: byte %zu: used %zu data %llu", round, i, used,
		    (unsigned long long)data);
		if (data == 1)
			t->back[k++] = t->enc[i];
		t->cum[i + 1] = k;
	}
	REQUIRE(r == CHUNKED_DONE && i == t->body_len, "round %d: result %d "
	    "after %zu bytes, body is %zu", round, r, i, t->body_len);
	REQUIRE(k == t->plen && d.total == t->plen, "round %d: %zu data "
	    "bytes, total %llu, payload %zu", round, k,
	    (unsigned long long)d.total, t->plen);
	REQUIRE(memcmp(t->back, t->payload, t->plen) == 0,
	    "round %d: the payload came back changed", round);
}

/* Random pieces of 1..max bytes, each an exact-size copy. */
static void
trip_pieces(const struct trip *t, size_t max, uint32_t *seed, int round)
{
	struct chunked_decoder d;
	enum chunked_result r = CHUNKED_MORE;
	size_t at = 0, used;
	uint64_t data, sum = 0;

	chunked_init(&d, TMAX);
	while (at < t->len && r == CHUNKED_MORE) {
		size_t n = 1 + unit_random(seed) % max;
		char *piece;

		if (n > t->len - at)
			n = t->len - at;
		piece = malloc(n);
		REQUIRE(piece != NULL, "malloc");
		memcpy(piece, t->enc + at, n);
		r = chunked_decode(&d, piece, n, &used, &data);
		free(piece);
		REQUIRE(r != CHUNKED_ERROR, "round %d: error at %zu", round,
		    at + used);
		REQUIRE(r == CHUNKED_DONE || used == n, "round %d: MORE used "
		    "%zu of %zu", round, used, n);
		at += used;
		sum += data;
		REQUIRE(sum == t->cum[at], "round %d: %llu data bytes in the "
		    "first %zu, byte by byte %llu", round,
		    (unsigned long long)sum, at,
		    (unsigned long long)t->cum[at]);
	}
	REQUIRE(r == CHUNKED_DONE && at == t->body_len, "round %d: pieces "
	    "of up to %zu: result %d at %zu, body is %zu", round, max, r, at,
	    t->body_len);
	REQUIRE(d.total == t->plen, "round %d: total %llu, payload %zu",
	    round, (unsigned long long)d.total, t->plen);
}

START_TEST(test_round_trip)
{
	static struct trip t;
	uint32_t seed = 0x2545f491u;
	static const size_t maxes[] = { 1, 3, 7, 64, 4096, SIZE_MAX };

	for (int round = 0; round < TRIP_ROUNDS; round++) {
		trip_make(&t, &seed);
		trip_bytes(&t, round);
		for (size_t m = 0; m < ROWS(maxes); m++)
			trip_pieces(&t, maxes[m] == SIZE_MAX ? t.len :
			    maxes[m], &seed, round);
	}
}
END_TEST

/* ------------------------------------------------------------------ */

static Suite *
chunked_suite(void)
{
	Suite *s = suite_create("chunked");
	TCase *tc;

	tc = tcase_create("table");
	tcase_add_loop_test(tc, test_table, 0, ROWS(rows));
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_test(tc, test_line_max);
	tcase_add_test(tc, test_trailer_max);
	tcase_add_test(tc, test_large_chunk);
	suite_add_tcase(s, tc);

	tc = tcase_create("state");
	tcase_add_test(tc, test_stays_done);
	tcase_add_test(tc, test_stays_error);
	tcase_add_test(tc, test_init_again);
	suite_add_tcase(s, tc);

	tc = tcase_create("data");
	tcase_add_loop_test(tc, test_decode_data_calls, 0, ROWS(data_calls));
	tcase_add_loop_test(tc, test_decode_data_table, 0, ROWS(rows));
	tcase_add_test(tc, test_pending_outside_data);
	suite_add_tcase(s, tc);

	tc = tcase_create("encode");
	tcase_add_loop_test(tc, test_encode_head, 0, ROWS(head_rows));
	tcase_add_test(tc, test_encode_last);
	tcase_add_test(tc, test_round_trip);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(chunked_suite());
}
