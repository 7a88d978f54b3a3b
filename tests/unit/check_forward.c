/* SPDX-License-Identifier: BSD-2-Clause */
#include "autoconf.h"
/*
 * check_forward.c - the request head sent upstream: requests parsed as
 * the server parses them, the head forward_head() writes read back and
 * checked field by field: the target with and without a prefix, the
 * hop-by-hop fields gone (those Connection names too), the forwarding
 * fields ours whatever the client sent, Host as sent, the body's framing,
 * the WebSocket upgrade, and a buffer too small.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "forward.h"
#include "http_parse.h"

#include "../lib/unit.h"

static const struct http_limits limits = { 8192, 8192, 16384, 100 };

static struct http_request req;
static struct sockaddr_storage peer;
static char out[8192];

/* Parses raw, then writes the head with fi (peer and proto filled). */
static size_t
head_of(const char *raw, struct forward_info *fi)
{
	size_t n;

	ck_assert_int_eq(http_parse_request(raw, strlen(raw), &limits, &req),
	    0);
	if (fi->peer == NULL)
		fi->peer = unit_peer(&peer, "v4:192.0.2.7");
	fi->proto = "http";
	if (fi->host == NULL)
		fi->host = "up:3000";
	n = forward_head(&req, fi, out, sizeof(out) - 1);
	out[n] = '\0';
	return n;
}

/* How many lines of out start with line (a whole "Name: value"). */
static int
has_line(const char *line)
{
	int count = 0;
	size_t n = strlen(line);

	for (const char *p = out; (p = strstr(p, line)) != NULL; p += n)
		if ((p == out || p[-1] == '\n') && p[n] == '\r')
			count++;
	return count;
}

/* Whether a field called name (any case) is in out. */
static bool
has_field(const char *name)
{
	size_t n = strlen(name);

	for (const char *p = strstr(out, "\r\n"); p != NULL;
	    p = strstr(p + 2, "\r\n"))
		if (strncasecmp(p + 2, name, n) == 0 && p[2 + n] == ':')
			return true;
	return false;
}

START_TEST(test_plain_get)
{
	struct forward_info fi = { .path = "/api/x", .path_len = 6,
	    .match_len = 5 };

	ck_assert_uint_gt(head_of("GET /api/x?a=1&b=%20 HTTP/1.1\r\n"
	    "Host: example.com\r\nAccept: */*\r\nCookie: c=1\r\n\r\n", &fi), 0);
	ck_assert_msg(strncmp(out, "GET /api/x?a=1&b=%20 HTTP/1.1\r\n", 31) ==
	    0, "%s", out);
	ck_assert_int_eq(has_line("Host: example.com"), 1);
	ck_assert_int_eq(has_line("Accept: */*"), 1);
	ck_assert_int_eq(has_line("Cookie: c=1"), 1);
	ck_assert_int_eq(has_line("X-Forwarded-For: 192.0.2.7"), 1);
	ck_assert_int_eq(has_line("X-Forwarded-Proto: http"), 1);
	ck_assert_int_eq(has_line("X-Forwarded-Host: example.com"), 1);
	ck_assert_int_eq(has_line("Forwarded: for=192.0.2.7;proto=http;"
	    "host=\"example.com\""), 1);
	ck_assert(!has_field("Content-Length"));
	ck_assert(!has_field("Transfer-Encoding"));
	/* The client's order is kept. */
	ck_assert(strstr(out, "Accept:") < strstr(out, "Cookie:"));
	ck_assert(strcmp(out + strlen(out) - 4, "\r\n\r\n") == 0);
}
END_TEST

START_TEST(test_no_forgery)
{
	struct forward_info fi = { .path = "/", .path_len = 1 };

	head_of("GET / HTTP/1.1\r\nHost: h\r\nX-Forwarded-For: 10.0.0.1\r\n"
	    "x-forwarded-proto: https\r\nX-Forwarded-Host: evil\r\n"
	    "Forwarded: for=10.0.0.1\r\nX-Forwarded-For: 10.0.0.2\r\n\r\n", &fi);
	ck_assert(strstr(out, "10.0.0") == NULL);
	ck_assert(strstr(out, "evil") == NULL);
	ck_assert(strstr(out, "https") == NULL);
	ck_assert_int_eq(has_line("X-Forwarded-For: 192.0.2.7"), 1);
}
END_TEST

START_TEST(test_hop_by_hop)
{
	struct forward_info fi = { .path = "/", .path_len = 1 };

	head_of("GET / HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, X-Secret"
	    "\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\nTrailer: X\r\n"
	    "Upgrade: h2c\r\nProxy-Connection: keep-alive\r\nX-Secret: 1\r\n"
	    "Expect: 100-continue\r\nX-Kept: 2\r\n\r\n", &fi);
	ck_assert(!has_field("Connection"));
	ck_assert(!has_field("Keep-Alive"));
	ck_assert(!has_field("TE"));
	ck_assert(!has_field("Trailer"));
	ck_assert(!has_field("Upgrade"));
	ck_assert(!has_field("Proxy-Connection"));
	ck_assert(!has_field("X-Secret"));
	ck_assert(!has_field("Expect"));
	ck_assert_int_eq(has_line("X-Kept: 2"), 1);
}
END_TEST

START_TEST(test_ipv6)
{
	struct sockaddr_storage ss;
	struct forward_info fi = { .path = "/", .path_len = 1 };

	fi.peer = unit_peer(&ss, "v6:2001:db8::1");
	head_of("GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n", &fi);
	ck_assert_int_eq(has_line("X-Forwarded-For: 2001:db8::1"), 1);
	/* RFC 7239 §6: bracketed, and quoted since ':' is no tchar. */
	ck_assert_int_eq(has_line("Forwarded: for=\"[2001:db8::1]\";"
	    "proto=http;host=\"[::1]:8080\""), 1);
	ck_assert_int_eq(has_line("Host: [::1]:8080"), 1);
}
END_TEST

START_TEST(test_prefix)
{
	struct forward_info fi = { .prefix = "/v1/", .path = "/api/a b/c",
	    .path_len = 10, .match_len = 5 };

	head_of("GET /api/a%20b/c?q HTTP/1.1\r\nHost: h\r\n\r\n", &fi);
	ck_assert_msg(strncmp(out, "GET /v1/a%20b/c?q HTTP/1.1\r\n", 28) == 0,
	    "%s", out);
	/* The route's whole path: the prefix alone. */
	fi.path = "/api/";
	fi.path_len = 5;
	head_of("GET /api/ HTTP/1.1\r\nHost: h\r\n\r\n", &fi);
	ck_assert(strncmp(out, "GET /v1/ HTTP/1.1\r\n", 19) == 0);
	/* A prefix without its slash joins as nginx does. */
	fi.prefix = "/v1";
	fi.path = "/api/x";
	fi.path_len = 6;
	head_of("GET /api/x HTTP/1.1\r\nHost: h\r\n\r\n", &fi);
	ck_assert(strncmp(out, "GET /v1x HTTP/1.1\r\n", 19) == 0);
	/* A regex route matched no part: the prefix goes in front. */
	fi.prefix = "/app/";
	fi.match_len = 0;
	head_of("GET /api/x HTTP/1.1\r\nHost: h\r\n\r\n", &fi);
	ck_assert(strncmp(out, "GET /app/api/x HTTP/1.1\r\n", 25) == 0);
	/* Bytes that are no pchar are encoded again. */
	fi.path = "/api/%?#\"";
	fi.path_len = 9;
	fi.match_len = 5;
	head_of("GET /api/%25%3F%23%22 HTTP/1.1\r\nHost: h\r\n\r\n", &fi);
	ck_assert_msg(strncmp(out, "GET /app/%25%3F%23%22 HTTP/1.1\r\n", 32) ==
	    0, "%s", out);
}
END_TEST

START_TEST(test_body_framing)
{
	struct forward_info fi = { .path = "/", .path_len = 1 };

	head_of("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0012\r\n\r\n",
	    &fi);
	ck_assert_int_eq(has_line("Content-Length: 12"), 1);
	head_of("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
	    "\r\n", &fi);
	ck_assert_int_eq(has_line("Transfer-Encoding: chunked"), 1);
	ck_assert(!has_field("Content-Length"));
	/* RFC 9110 §8.6: an empty POST says so. */
	head_of("POST / HTTP/1.1\r\nHost: h\r\n\r\n", &fi);
	ck_assert_int_eq(has_line("Content-Length: 0"), 1);
	head_of("DELETE / HTTP/1.1\r\nHost: h\r\n\r\n", &fi);
	ck_assert(!has_field("Content-Length"));
}
END_TEST

START_TEST(test_http10_host)
{
	struct forward_info fi = { .path = "/", .path_len = 1 };

	head_of("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", &fi);
	ck_assert(strncmp(out, "GET / HTTP/1.1\r\n", 16) == 0);
	ck_assert_int_eq(has_line("Host: up:3000"), 1);
	ck_assert(!has_field("X-Forwarded-Host"));
	ck_assert_int_eq(has_line("Forwarded: for=192.0.2.7;proto=http"), 1);
}
END_TEST

START_TEST(test_websocket)
{
	struct forward_info fi = { .path = "/", .path_len = 1 };
	static const char ws[] = "GET /ws/ HTTP/1.1\r\nHost: h\r\n"
	    "Connection: Upgrade\r\nUpgrade: websocket\r\n"
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
	    "Sec-WebSocket-Version: 13\r\n\r\n";

	head_of(ws, &fi);
	ck_assert(forward_is_websocket(&req));
	ck_assert(!has_field("Connection"));
	fi.websocket = true;
	head_of(ws, &fi);
	ck_assert_int_eq(has_line("Connection: upgrade"), 1);
	ck_assert_int_eq(has_line("Upgrade: websocket"), 1);
	ck_assert_int_eq(has_line("Sec-WebSocket-Version: 13"), 1);
	head_of("POST / HTTP/1.1\r\nHost: h\r\nConnection: upgrade\r\n"
	    "Upgrade: websocket\r\n\r\n", &fi);
	ck_assert(!forward_is_websocket(&req));
	head_of("GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n\r\n",
	    &fi);
	ck_assert(!forward_is_websocket(&req));
}
END_TEST

START_TEST(test_too_small)
{
	static const char raw[] = "GET / HTTP/1.1\r\nHost: h\r\n\r\n";
	struct forward_info fi = { .path = "/", .path_len = 1 };
	size_t full = head_of(raw, &fi);

	ck_assert_uint_gt(full, 0);
	ck_assert_uint_eq(forward_head(&req, &fi, out, full), full);
	ck_assert_uint_eq(forward_head(&req, &fi, out, full - 1), 0);
}
END_TEST

START_TEST(test_hop_by_hop_response)
{
	static const char f[] = "Connection: close, X-A\r\nX-A: 1\r\nX-B: 2\r\n"
	    "connection: x-c\r\n";
	struct http_slice fields = { f, sizeof(f) - 1 };
	struct http_slice xa = { "x-a", 3 }, xb = { "X-B", 3 },
	    xc = { "X-C", 3 }, te = { "transfer-encoding", 17 };
	struct forward_hop hop;
	char many[1024];
	int len;

	forward_hop_init(&hop, fields);
	ck_assert(forward_hop_by_hop(&hop, xa));
	ck_assert(forward_hop_by_hop(&hop, xc));
	ck_assert(!forward_hop_by_hop(&hop, xb));
	ck_assert(forward_hop_by_hop(&hop, te));
	/* More names than are kept: the rest are still found. */
	len = snprintf(many, sizeof(many), "Connection: ");
	for (int i = 0; i < FORWARD_HOP_NAMED + 4; i++)
		len += snprintf(many + len, sizeof(many) - (size_t)len,
		    "%sX-%d", i > 0 ? ", " : "", i);
	len += snprintf(many + len, sizeof(many) - (size_t)len, "\r\n");
	forward_hop_init(&hop, (struct http_slice){ many, (size_t)len });
	ck_assert(hop.more);
	ck_assert(forward_hop_by_hop(&hop, (struct http_slice){ "x-0", 3 }));
	ck_assert(forward_hop_by_hop(&hop, (struct http_slice){ "X-19", 4 }));
	ck_assert(!forward_hop_by_hop(&hop, (struct http_slice){ "X-20", 4 }));
}
END_TEST

static Suite *
forward_suite(void)
{
	Suite *s = suite_create("forward");
	TCase *tc = tcase_create("all");

	tcase_add_test(tc, test_plain_get);
	tcase_add_test(tc, test_no_forgery);
	tcase_add_test(tc, test_hop_by_hop);
	tcase_add_test(tc, test_ipv6);
	tcase_add_test(tc, test_prefix);
	tcase_add_test(tc, test_body_framing);
	tcase_add_test(tc, test_http10_host);
	tcase_add_test(tc, test_websocket);
	tcase_add_test(tc, test_too_small);
	tcase_add_test(tc, test_hop_by_hop_response);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(forward_suite());
}
