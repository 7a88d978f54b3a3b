/* SPDX-License-Identifier: BSD-2-Clause */
#include "autoconf.h"
/*
 * check_upstream.c - upstream_parse_head() against a table of heads (each
 * row names the RFC rule it exercises) with the framing each implies, and
 * the reader: whole responses (head, then body) fed whole, byte by byte
 * and cut at random points must give the same head, the same body bytes,
 * the same end and the same leftover.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "upstream.h"

#include "../lib/unit.h"

#define ROWS(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ------------------------------------------------------------------ */
/* Heads */

static const struct {
	const char *why;
	const char *head;
	bool head_request;
	int ok;				/* 0 valid, -1 not */
	int status;
	enum upstream_framing framing;
	uint64_t length;
	bool keep_alive;
} heads[] = {
	{ "RFC 9112 §6.3 (6): Content-Length",
	  "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", false, 0, 200,
	  UPSTREAM_BODY_LENGTH, 5, true },
	{ "RFC 9112 §6.3 (4): chunked",
	  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", false, 0,
	  200, UPSTREAM_BODY_CHUNKED, 0, true },
	{ "RFC 9112 §6.3 (8): neither: until the close",
	  "HTTP/1.1 200 OK\r\nX: y\r\n\r\n", false, 0, 200,
	  UPSTREAM_BODY_CLOSE, 0, false },
	{ "RFC 9112 §6.3 (1): HEAD has no body, Content-Length or not",
	  "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", true, 0, 200,
	  UPSTREAM_BODY_NONE, 5, true },
	{ "RFC 9112 §6.3 (1): 204 has no body",
	  "HTTP/1.1 204 No Content\r\n\r\n", false, 0, 204,
	  UPSTREAM_BODY_NONE, 0, true },
	{ "RFC 9112 §6.3 (1): 304 has no body even with a length",
	  "HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n", false, 0,
	  304, UPSTREAM_BODY_NONE, 9, true },
	{ "RFC 9112 §6.3 (1): 1xx has no body",
	  "HTTP/1.1 100 Continue\r\n\r\n", false, 0, 100,
	  UPSTREAM_BODY_NONE, 0, true },
	{ "RFC 9112 §9.3: Connection: close",
	  "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
	  false, 0, 200, UPSTREAM_BODY_LENGTH, 0, false },
	{ "RFC 9112 §9.3: HTTP/1.0 persists with keep-alive only",
	  "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n", false, 0, 200,
	  UPSTREAM_BODY_LENGTH, 1, false },
	{ "RFC 9112 §9.3: HTTP/1.0 keep-alive",
	  "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 1"
	  "\r\n\r\n", false, 0, 200, UPSTREAM_BODY_LENGTH, 1, true },
	{ "RFC 9110 §8.6: repeats of one length are fine",
	  "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n",
	  false, 0, 200, UPSTREAM_BODY_LENGTH, 3, true },
	{ "RFC 9112 §4: an empty reason, without its SP",
	  "HTTP/1.1 404\r\nContent-Length: 0\r\n\r\n", false, 0, 404,
	  UPSTREAM_BODY_LENGTH, 0, true },
	{ "RFC 9110 §2.5: HTTP/1.2 is read as 1.1",
	  "HTTP/1.2 200 OK\r\nContent-Length: 0\r\n\r\n", false, 0, 200,
	  UPSTREAM_BODY_LENGTH, 0, true },
	{ "RFC 9112 §6.3 (5): lengths that differ",
	  "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n",
	  false, -1, 0, 0, 0, false },
	{ "RFC 9110 §8.6: a length is digits",
	  "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", false, -1, 0, 0, 0,
	  false },
	{ "RFC 9110 §8.6: no list form",
	  "HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\n\r\n", false, -1, 0, 0,
	  0, false },
	{ "a length past 2^63 - 1",
	  "HTTP/1.1 200 OK\r\nContent-Length: 9223372036854775808\r\n\r\n",
	  false, -1, 0, 0, 0, false },
	{ "RFC 9112 §6.1: TE and Content-Length together",
	  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3"
	  "\r\n\r\n", false, -1, 0, 0, 0, false },
	{ "RFC 9112 §6.1: TE in HTTP/1.0",
	  "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", false, -1,
	  0, 0, 0, false },
	{ "a coding we would have to pass on",
	  "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", false,
	  -1, 0, 0, 0, false },
	{ "RFC 9112 §6.1: chunked twice",
	  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n",
	  false, -1, 0, 0, 0, false },
	{ "RFC 9112 §5.2: obs-fold",
	  "HTTP/1.1 200 OK\r\nX: a\r\n b\r\nContent-Length: 0\r\n\r\n", false,
	  -1, 0, 0, 0, false },
	{ "RFC 9112 §5.1: whitespace before the colon",
	  "HTTP/1.1 200 OK\r\nContent-Length : 0\r\n\r\n", false, -1, 0, 0, 0,
	  false },
	{ "RFC 9110 §5.5: a CTL in a value",
	  "HTTP/1.1 200 OK\r\nX: a\x01" "b\r\n\r\n", false, -1, 0, 0, 0,
	  false },
	{ "RFC 9112 §2.2: a bare LF",
	  "HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n", false, -1, 0, 0, 0,
	  false },
	{ "RFC 9112 §2.3: HTTP/2.0 is no HTTP/1.1 response",
	  "HTTP/2.0 200 OK\r\n\r\n", false, -1, 0, 0, 0, false },
	{ "RFC 9112 §2.3: the name is case-sensitive",
	  "http/1.1 200 OK\r\n\r\n", false, -1, 0, 0, 0, false },
	{ "RFC 9110 §15: a status outside 100..599",
	  "HTTP/1.1 600 Odd\r\n\r\n", false, -1, 0, 0, 0, false },
	{ "RFC 9112 §4: three digits",
	  "HTTP/1.1 20 OK\r\n\r\n", false, -1, 0, 0, 0, false },
	{ "RFC 9112 §4: SP after the status",
	  "HTTP/1.1 200OK\r\n\r\n", false, -1, 0, 0, 0, false },
	{ "HTTP/0.9 has no status line",
	  "<html>\r\n\r\n", false, -1, 0, 0, 0, false },
};

START_TEST(test_heads)
{
	struct upstream_head h;
	const char *s = heads[_i].head;
	int r = upstream_parse_head(s, strlen(s), heads[_i].head_request, &h);

	ck_assert_msg(r == heads[_i].ok, "%s: %d", heads[_i].why, r);
	if (r != 0)
		return;
	ck_assert_int_eq(h.status, heads[_i].status);
	ck_assert_msg(h.framing == heads[_i].framing, "%s: framing %d",
	    heads[_i].why, h.framing);
	if (h.has_length)
		ck_assert_uint_eq(h.content_length, heads[_i].length);
	ck_assert_msg(h.keep_alive == heads[_i].keep_alive, "%s: keep-alive",
	    heads[_i].why);
}
END_TEST

START_TEST(test_fields_and_reason)
{
	static const char s[] = "HTTP/1.1 418 I'm a teapot\r\nA: 1\r\n"
	    "Set-Cookie:  x=y \r\nB:\r\n\r\n";
	struct upstream_head h;
	struct http_slice n, v;
	size_t pos = 0;

	ck_assert_int_eq(upstream_parse_head(s, strlen(s), false, &h), 0);
	ck_assert_int_eq((int)h.reason.len, 12);
	ck_assert(memcmp(h.reason.p, "I'm a teapot", 12) == 0);
	ck_assert(upstream_field_next(&h, &pos, &n, &v));
	ck_assert(http_slice_eq_nocase(n, "A") && v.len == 1 && v.p[0] == '1');
	ck_assert(upstream_field_next(&h, &pos, &n, &v));
	ck_assert(http_slice_eq_nocase(n, "set-cookie"));
	ck_assert(v.len == 3 && memcmp(v.p, "x=y", 3) == 0);
	ck_assert(upstream_field_next(&h, &pos, &n, &v));
	ck_assert(http_slice_eq_nocase(n, "B") && v.len == 0);
	ck_assert(!upstream_field_next(&h, &pos, &n, &v));
}
END_TEST

START_TEST(test_websocket_101)
{
	static const char s[] = "HTTP/1.1 101 Switching Protocols\r\n"
	    "Upgrade: WebSocket\r\nConnection: keep-alive, Upgrade\r\n"
	    "Sec-WebSocket-Accept: x\r\n\r\n";
	static const char no[] = "HTTP/1.1 101 Switching Protocols\r\n"
	    "Upgrade: h2c\r\nConnection: Upgrade\r\n\r\n";
	struct upstream_head h;

	ck_assert_int_eq(upstream_parse_head(s, strlen(s), false, &h), 0);
	ck_assert(h.upgrade_websocket);
	ck_assert_int_eq(upstream_parse_head(no, strlen(no), false, &h), 0);
	ck_assert(!h.upgrade_websocket);
}
END_TEST

START_TEST(test_list_has)
{
	struct http_slice v = { "keep-alive , Upgrade;x=1,  foo/1", 32 };

	ck_assert(upstream_list_has(v, "upgrade"));
	ck_assert(upstream_list_has(v, "KEEP-ALIVE"));
	ck_assert(upstream_list_has(v, "foo"));
	ck_assert(!upstream_list_has(v, "close"));
	ck_assert(!upstream_list_has(v, "keep"));
}
END_TEST

/* ------------------------------------------------------------------ */
/* The reader */

struct result {
	int end;			/* 1 END, -1 ERROR, 0 neither */
	char head[2048];
	size_t head_len;
	char body[8192];
	size_t body_len;
	bool extra;
	int heads;			/* final and interim heads parsed */
};

/*
 * Feeds msg[0..len) in pieces ending at cuts[], the way app.c does:
 * the head's bytes are collected, parsed when whole, then the body.
 */
static void
feed(const char *msg, size_t len, const size_t *cuts, size_t ncuts,
    bool head_request, bool eof_at_end, struct result *out)
{
	struct upstream_reader r;
	size_t at = 0;

	memset(out, 0, sizeof(*out));
	ck_assert(ncuts > 0 && cuts[ncuts - 1] == len);
	upstream_init(&r, sizeof(out->head));
	for (size_t c = 0; c < ncuts && out->end == 0; c++) {
		size_t end = cuts[c];
		bool eof = eof_at_end && c == ncuts - 1;

		for (;;) {
			size_t took, off, n;
			enum upstream_result res = upstream_take(&r, msg + at,
			    end - at, eof, &took, &off, &n);

			ck_assert(took <= end - at && off + n <= took);
			at += took;
			if (res == UPSTREAM_ERROR) {
				out->end = -1;
				break;
			}
			if (res == UPSTREAM_END) {
				out->end = 1;
				out->extra = r.extra;
				break;
			}
			if (res == UPSTREAM_MORE) {
				ck_assert(at == end || n == 0);
				if (at == end)
					break;
				continue;
			}
			/* state 0: in a head, 1: its blank line is out. */
			if (r.state == 0 || r.state == 1) {
				struct upstream_head h;

				/* Head bytes (state HEAD or PARSE). */
				memcpy(out->head + out->head_len,
				    msg + at - took + off, n);
				out->head_len += n;
				if (r.state == 0)
					continue;
				if (upstream_parse_head(out->head,
				    out->head_len, head_request, &h) < 0) {
					out->end = -1;
					break;
				}
				out->heads++;
				if (h.status < 200 && h.status != 101) {
					out->head_len = 0;
					upstream_next_head(&r);
				} else {
					upstream_body(&r, &h);
				}
				continue;
			}
			memcpy(out->body + out->body_len, msg + at - took + off,
			    n);
			out->body_len += n;
		}
	}
}

static const struct {
	const char *why;
	const char *msg;
	bool head_request;
	bool eof;			/* the upstream closes after msg */
	int end;
	const char *body;
	bool extra;
} msgs[] = {
	{ "a length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
	  false, false, 1, "hello", false },
	{ "a length, with bytes after it",
	  "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhello", false, false, 1,
	  "he", true },
	{ "a zero length", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
	  false, false, 1, "", false },
	{ "a length cut short by the close",
	  "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nhello", false, true, 0,
	  "hello", false },
	{ "chunked, with an extension and a trailer",
	  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	  "5;a=b\r\nhello\r\n6\r\n world\r\n0\r\nX-T: 1\r\n\r\n", false, false,
	  1, "hello world", false },
	{ "chunked, broken",
	  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	  "5\r\nhelloX\r\n", false, false, -1, "hello", false },
	{ "until the close",
	  "HTTP/1.1 200 OK\r\n\r\nall of it, until the end", false, true, 1,
	  "all of it, until the end", false },
	{ "HEAD: no body", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n",
	  true, false, 1, "", false },
	{ "204 with bytes after it",
	  "HTTP/1.1 204 No Content\r\n\r\nxx", false, false, 1, "", true },
	{ "interim heads, then the final one",
	  "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: <x>"
	  "\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", false,
	  false, 1, "ok", false },
	{ "101: a tunnel until the close",
	  "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
	  "Connection: upgrade\r\n\r\n\x81\x02hi", false, true, 1, "\x81\x02hi",
	  false },
	{ "a bare LF in the head", "HTTP/1.1 200 OK\r\nA: b\n\r\n", false,
	  false, -1, "", false },
	{ "a NUL in the head", "HTTP/1.1 200 OK\r\nA: \0b\r\n\r\n", false,
	  false, -1, "", false },
	{ "an empty first line", "\r\nHTTP/1.1 200 OK\r\n\r\n", false, false,
	  -1, "", false },
};

/* msgs[i]'s length: the literal may hold a NUL (then the line ends
 * "\r\n\r\n" after it). */
static size_t
msg_len(int i)
{
	const char *m = msgs[i].msg;
	size_t n = strlen(m);

	return strstr(msgs[i].why, "NUL") != NULL ? n + 1 + strlen(m + n + 1) :
	    n;
}

static void
check_result(int i, const struct result *r, const char *how)
{
	size_t bl = strlen(msgs[i].body);

	ck_assert_msg(r->end == msgs[i].end, "%s (%s): end %d", msgs[i].why,
	    how, r->end);
	if (r->end < 0)
		return;
	ck_assert_msg(r->body_len == bl && memcmp(r->body, msgs[i].body, bl) ==
	    0, "%s (%s): body %zu bytes", msgs[i].why, how, r->body_len);
	/* Bytes past the end are seen when they come with it; later ones
	 * are the pool's check to find (proxy.c). */
	if (r->end == 1 && strcmp(how, "whole") == 0)
		ck_assert_msg(r->extra == msgs[i].extra, "%s (%s): extra",
		    msgs[i].why, how);
}

START_TEST(test_reader)
{
	const char *m = msgs[_i].msg;
	size_t len = msg_len(_i), cuts[64];
	uint32_t seed = 7u + (uint32_t)_i;
	struct result r;

	cuts[0] = len;
	feed(m, len, cuts, 1, msgs[_i].head_request, msgs[_i].eof, &r);
	check_result(_i, &r, "whole");
	if (len <= 64) {
		for (size_t k = 0; k < len; k++)
			cuts[k] = k + 1;
		feed(m, len, cuts, len, msgs[_i].head_request, msgs[_i].eof,
		    &r);
		check_result(_i, &r, "byte by byte");
	}
	for (int round = 0; round < 50; round++) {
		unit_random_cuts(cuts, 8, len, &seed);
		feed(m, len, cuts, 8, msgs[_i].head_request, msgs[_i].eof, &r);
		check_result(_i, &r, "cut at random");
	}
}
END_TEST

START_TEST(test_head_limit)
{
	struct upstream_reader r;
	char buf[300];
	size_t took, off, len;

	memset(buf, 'a', sizeof(buf));
	memcpy(buf, "HTTP/1.1 200 OK\r\nX: ", 20);
	upstream_init(&r, 256);
	ck_assert_int_eq(upstream_take(&r, buf, 256, false, &took, &off, &len),
	    UPSTREAM_DATA);
	ck_assert_int_eq(upstream_take(&r, buf + 256, 1, false, &took, &off,
	    &len), UPSTREAM_ERROR);
	/* And it stays there. */
	ck_assert_int_eq(upstream_take(&r, buf, 1, false, &took, &off, &len),
	    UPSTREAM_ERROR);
}
END_TEST

START_TEST(test_take_before_parse)
{
	static const char s[] = "HTTP/1.1 200 OK\r\n\r\nbody";
	struct upstream_reader r;
	size_t took, off, len;

	upstream_init(&r, 1024);
	ck_assert_int_eq(upstream_take(&r, s, sizeof(s) - 1, false, &took,
	    &off, &len), UPSTREAM_DATA);
	ck_assert_uint_eq(took, 19);
	/* The framing is not known until the head is parsed. */
	ck_assert_int_eq(upstream_take(&r, s + 19, 4, false, &took, &off,
	    &len), UPSTREAM_ERROR);
}
END_TEST

static Suite *
upstream_suite(void)
{
	Suite *s = suite_create("upstream");
	TCase *tc = tcase_create("all");

	tcase_add_loop_test(tc, test_heads, 0, ROWS(heads));
	tcase_add_test(tc, test_fields_and_reason);
	tcase_add_test(tc, test_websocket_101);
	tcase_add_test(tc, test_list_has);
	tcase_add_loop_test(tc, test_reader, 0, ROWS(msgs));
	tcase_add_test(tc, test_head_limit);
	tcase_add_test(tc, test_take_before_parse);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(upstream_suite());
}
