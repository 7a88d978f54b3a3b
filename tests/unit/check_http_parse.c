/* SPDX-License-Identifier: BSD-2-Clause */
#include "autoconf.h"
/*
 * check_http_parse.c - http_parse_frame() and http_parse_request() against
 * tables of raw requests (each row names the RFC rule it exercises), and
 * against the llhttp request vectors in tests/data/llhttp (MIT, see the
 * NOTICE there).
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_parse.h"
#include "util.h"

#include "../lib/unit.h"

#define ANY (-1)
#define INCOMPLETE (-1)		/* "status" of a block still being framed */

static const struct http_limits dflt = {
	.request_line_max = 8192, .field_max = 8192, .header_max = 16384,
	.fields_max = 100,
};
/* Small limits, so that 414 and 431 rows stay readable. */
static const struct http_limits tiny = {
	.request_line_max = 16, .field_max = 64, .header_max = 64,
	.fields_max = 2,
};
/* One field line of at most 10 bytes, in a roomy block. */
static const struct http_limits narrow = {
	.request_line_max = 64, .field_max = 10, .header_max = 1024,
	.fields_max = 10,
};

/* ------------------------------------------------------------------ */
/* Helpers */

static bool
slice_is(struct http_slice s, const char *want)
{
	size_t n = strlen(want);

	return s.len == n && (n == 0 || memcmp(s.p, want, n) == 0);
}

/* Every slice of *req lies inside buf[0..len). */
static void
check_slices(const char *buf, size_t len, const struct http_request *req,
    int line)
{
	const struct http_slice *s[] = {
		&req->method_name, &req->request_line, &req->target,
		&req->path, &req->query, &req->host, &req->user_agent,
		&req->referer, &req->if_modified_since,
		&req->if_unmodified_since, &req->range, &req->if_range,
		&req->if_match.line[0], &req->if_match.line[1],
		&req->if_match.line[2], &req->if_match.line[3],
		&req->if_none_match.line[0], &req->if_none_match.line[1],
		&req->if_none_match.line[2], &req->if_none_match.line[3]
	};
	uintptr_t lo = (uintptr_t)buf, hi = (uintptr_t)buf + len;

	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		uintptr_t p = (uintptr_t)s[i]->p;

		if (s[i]->len == 0)
			continue;
		ck_assert_msg(p >= lo && p + s[i]->len <= hi,
		    "line %d: slice %zu lies outside the buffer", line, i);
	}
}

/* Frames buf, then parses the block: a status, 0 or INCOMPLETE. */
static int
frame_and_parse(const char *buf, size_t len, const struct http_limits *lim,
    struct http_request *req, size_t *end)
{
	int status = 0;

	memset(req, 0, sizeof(*req));
	switch (http_parse_frame(buf, len, lim, end, &status)) {
	case HTTP_FRAME_INCOMPLETE:
		return INCOMPLETE;
	case HTTP_FRAME_ERROR:
		ck_assert_int_ne(status, 0);
		return status;
	case HTTP_FRAME_COMPLETE:
		ck_assert_uint_le(*end, len);
		return http_parse_request(buf, *end, lim, req);
	}
	ck_abort_msg("http_parse_frame: no such result");
	return 0;
}

/* ------------------------------------------------------------------ */
/* Parsing: one complete header block per row. */

struct parse_row {
	int line;
	const char *raw;
	size_t len;
	const struct http_limits *limits;
	int status;
	int method;		/* enum http_method or ANY */
	int version;		/* HTTP_VERSION_1x or ANY */
	const char *path;	/* NULL: not checked */
	const char *query;
	const char *host;
	int keep_alive;		/* 0, 1 or ANY; always 0 on errors */
	long long content_length;	/* ANY: not checked */
	int has_body;		/* 0, 1 or ANY */
	const char *rfc;
};

#define M(x) HTTP_METHOD_##x
#define V10 HTTP_VERSION_10
#define V11 HTTP_VERSION_11

/* A request that parses: method, version, path, query, host, keep-alive. */
#define OK(raw, m, v, path, q, host, ka, rfc) \
	{ __LINE__, raw, sizeof(raw) - 1, &dflt, 0, m, v, path, q, host, ka, \
	  ANY, ANY, rfc }
/* A request that parses, checked for its body framing. */
#define OKB(raw, cl, body, rfc) \
	{ __LINE__, raw, sizeof(raw) - 1, &dflt, 0, ANY, ANY, NULL, NULL, \
	  NULL, ANY, cl, body, rfc }
/* A request that fails with status st. */
#define ERR(raw, st, rfc) \
	{ __LINE__, raw, sizeof(raw) - 1, &dflt, st, ANY, ANY, NULL, NULL, \
	  NULL, 0, ANY, ANY, rfc }
/* A request that fails, once method and version are known. */
#define ERRV(raw, st, m, v, rfc) \
	{ __LINE__, raw, sizeof(raw) - 1, &dflt, st, m, v, NULL, NULL, \
	  NULL, 0, ANY, ANY, rfc }
/* A request that fails under the tiny limits. */
#define ERRT(raw, st, rfc) \
	{ __LINE__, raw, sizeof(raw) - 1, &tiny, st, ANY, ANY, NULL, NULL, \
	  NULL, 0, ANY, ANY, rfc }

#define H "Host: h\r\n"
#define RAW_TINY_OK "GET / HTTP/1.1\r\nHost: a\r\nB: 2\r\n\r\n"

static const struct parse_row parse_rows[] = {
	/* The request line. */
	OK("GET / HTTP/1.1\r\n" H "\r\n", M(GET), V11, "/", "", "h", 1,
	    "RFC 9112 §3 request-line, minimal HTTP/1.1 request"),
	OK("HEAD /index.html HTTP/1.0\r\n\r\n", M(HEAD), V10, "/index.html",
	    "", "", 0, "RFC 9112 §3.2 Host optional in 1.0; 1.0 closes"),
	OK("POST /form HTTP/1.1\r\n" H "\r\n", M(POST), V11, "/form", "", "h",
	    1, "RFC 9110 §9.3.3 POST"),
	OK("PUT /x HTTP/1.1\r\n" H "\r\n", M(PUT), V11, "/x", "", "h", 1,
	    "RFC 9110 §9.3.4 PUT"),
	OK("DELETE /x HTTP/1.1\r\n" H "\r\n", M(DELETE), V11, "/x", "", "h",
	    1, "RFC 9110 §9.3.5 DELETE"),
	OK("TRACE /x HTTP/1.1\r\n" H "\r\n", M(TRACE), V11, "/x", "", "h", 1,
	    "RFC 9110 §9.3.8 TRACE"),
	OK("PATCH /x HTTP/1.1\r\n" H "\r\n", M(PATCH), V11, "/x", "", "h", 1,
	    "RFC 5789 PATCH"),
	OK("BREW /pot HTTP/1.1\r\n" H "\r\n", M(UNKNOWN), V11, "/pot", "",
	    "h", 1, "RFC 9110 §9.1 unknown method token: the router answers"),
	OK("get / HTTP/1.1\r\n" H "\r\n", M(UNKNOWN), V11, "/", "", "h", 1,
	    "RFC 9110 §9.1 method is case-sensitive: 'get' is not GET"),
	OK("!#$%&'*+-.^_`|~09azAZ / HTTP/1.1\r\n" H "\r\n", M(UNKNOWN), V11,
	    "/", "", "h", 1, "RFC 9110 §5.6.2 every tchar in a method"),
	OK("GET / HTTP/1.2\r\n" H "\r\n", M(GET), V11, "/", "", "h", 1,
	    "RFC 9110 §2.5 higher minor version handled as 1.1"),
	OK("GET / HTTP/1.9\r\n" H "\r\n", M(GET), V11, "/", "", "h", 1,
	    "RFC 9110 §2.5 higher minor version handled as 1.1"),
	OK("\r\n\r\nGET / HTTP/1.1\r\n" H "\r\n", M(GET), V11, "/", "", "h",
	    1, "RFC 9112 §2.2 empty lines before the request-line skipped"),
	ERR("GET  / HTTP/1.1\r\n" H "\r\n", 400,
	    "RFC 9112 §3 exactly one SP after the method"),
	ERRV("GET /  HTTP/1.1\r\n" H "\r\n", 400, M(GET), V11,
	    "RFC 9112 §3 exactly one SP before the version"),
	ERR("GET / HTTP/1.1 \r\n" H "\r\n", 400,
	    "RFC 9112 §3 no whitespace after the version"),
	ERR(" GET / HTTP/1.1\r\n" H "\r\n", 400,
	    "RFC 9112 §3 no whitespace before the method"),
	ERR("GET\t/ HTTP/1.1\r\n" H "\r\n", 400,
	    "RFC 9112 §3 the separator is SP, not HTAB"),
	ERRV("GET /\tx HTTP/1.1\r\n" H "\r\n", 400, M(GET), V11,
	    "RFC 9112 §3.2 no CTL in the request-target"),
	ERRV("GET /a b HTTP/1.1\r\n" H "\r\n", 400, M(GET), V11,
	    "RFC 9112 §3.2 no SP in the request-target"),
	ERRV("GET /\x7f HTTP/1.1\r\n" H "\r\n", 400, M(GET), V11,
	    "RFC 9112 §3.2 no DEL in the request-target"),
	ERRV("GET /caf\xc3\xa9 HTTP/1.1\r\n" H "\r\n", 400, M(GET), V11,
	    "RFC 3986 §2 no raw non-ASCII in the request-target"),
	ERR("G@T / HTTP/1.1\r\n" H "\r\n", 400,
	    "RFC 9110 §9.1 method = token, '@' is no tchar"),
	ERR("GET / http/1.1\r\n" H "\r\n", 400,
	    "RFC 9112 §2.3 HTTP-name is case-sensitive"),
	ERR("GET / HTTP/1\r\n" H "\r\n", 400,
	    "RFC 9112 §2.3 HTTP-version = HTTP-name / DIGIT . DIGIT"),
	ERR("GET / HTTP/11\r\n" H "\r\n", 400,
	    "RFC 9112 §2.3 the dot is required"),
	ERR("GET / HTTP/1.1.1\r\n" H "\r\n", 400,
	    "RFC 9112 §2.3 one digit after the dot"),
	ERR("GET / HTTP/10.0\r\n" H "\r\n", 400,
	    "RFC 9112 §2.3 one digit before the dot"),
	ERR("GET / HTTP/1.x\r\n" H "\r\n", 400,
	    "RFC 9112 §2.3 the minor version is a DIGIT"),
	ERR("GET / HTTPS/1.1\r\n" H "\r\n", 400,
	    "RFC 9112 §2.3 HTTP-name is HTTP"),
	ERR("GET / ICE/1.0\r\n" H "\r\n", 400,
	    "RFC 9112 §2.3 HTTP-name is HTTP"),
	ERRV("GET /\r\n\r\n", 400, M(GET), ANY,
	    "RFC 9112 §3 no HTTP/0.9 simple-request: the version is required"),
	ERR("GET\r\n\r\n", 400, "RFC 9112 §3 request-line has three parts"),
	ERRV("GET / HTTP/2.0\r\n" H "\r\n", 505, M(GET), ANY,
	    "RFC 9110 §15.6.6 unsupported major version"),
	ERRV("GET / HTTP/9.9\r\n" H "\r\n", 505, M(GET), ANY,
	    "RFC 9110 §15.6.6 unsupported major version"),
	ERR("GET / HTTP/0.9\r\n\r\n", 505,
	    "RFC 9110 §15.6.6 HTTP/0.x is not supported"),

	/* The request-target forms. */
	OK("GET /a/b?x=1&y=2 HTTP/1.1\r\n" H "\r\n", M(GET), V11, "/a/b",
	    "x=1&y=2", "h", 1, "RFC 9112 §3.2.1 origin-form path ? query"),
	OK("GET /a?b?c HTTP/1.1\r\n" H "\r\n", M(GET), V11, "/a", "b?c", "h",
	    1, "RFC 3986 §3.4 the query starts at the first '?'"),
	OK("GET /a? HTTP/1.1\r\n" H "\r\n", M(GET), V11, "/a", "", "h", 1,
	    "RFC 3986 §3.4 empty query"),
	OK("GET /%7Euser/a%20b HTTP/1.1\r\n" H "\r\n", M(GET), V11,
	    "/%7Euser/a%20b", "", "h", 1,
	    "RFC 3986 §2.1 the path stays percent-encoded"),
	OK("OPTIONS * HTTP/1.1\r\n" H "\r\n", M(OPTIONS), V11, "*", "", "h", 1,
	    "RFC 9112 §3.2.4 asterisk-form with OPTIONS"),
	ERRV("GET * HTTP/1.1\r\n" H "\r\n", 400, M(GET), V11,
	    "RFC 9112 §3.2.4 asterisk-form only with OPTIONS"),
	ERR("OPTIONS *x HTTP/1.1\r\n" H "\r\n", 400,
	    "RFC 9112 §3.2.4 asterisk-form is exactly '*'"),
	OK("GET http://example.com/p?q HTTP/1.1\r\nHost: other\r\n\r\n",
	    M(GET), V11, "/p", "q", "example.com", 1,
	    "RFC 9112 §3.2.2 absolute-form: host from the target"),
	OK("GET HTTPS://Example.com:8443 HTTP/1.1\r\n" H "\r\n", M(GET), V11,
	    "/", "", "Example.com:8443", 1,
	    "RFC 9110 §4.2.3 empty path in absolute-form is '/'; scheme "
	    "case-insensitive"),
	OK("GET http://h.example?x=1 HTTP/1.1\r\n" H "\r\n", M(GET), V11, "/",
	    "x=1", "h.example", 1,
	    "RFC 3986 §3.2 authority ends at '?'"),
	OK("GET http://[::1]:80/ HTTP/1.1\r\nHost: [::1]:80\r\n\r\n", M(GET),
	    V11, "/", "", "[::1]:80", 1, "RFC 3986 §3.2.2 IP-literal"),
	OK("GET http://h/p HTTP/1.0\r\n\r\n", M(GET), V10, "/p", "", "h", 0,
	    "RFC 9112 §3.2.2 absolute-form supplies the host in 1.0"),
	ERRV("GET http://h/p HTTP/1.1\r\n\r\n", 400, M(GET), V11,
	    "RFC 9112 §3.2 Host required in 1.1 even with absolute-form"),
	ERR("GET ftp://h/p HTTP/1.1\r\n" H "\r\n", 400,
	    "RFC 9110 §4.2 only http and https URIs are ours"),
	ERR("GET http:/h/p HTTP/1.1\r\n" H "\r\n", 400,
	    "RFC 9110 §4.2.1 http URI needs '//' authority"),
	ERR("GET http:// HTTP/1.1\r\n" H "\r\n", 400,
	    "RFC 9110 §4.2.1 empty host MUST be rejected"),
	ERR("GET http:///p HTTP/1.1\r\n" H "\r\n", 400,
	    "RFC 9110 §4.2.1 empty host MUST be rejected"),
	ERR("GET http://u:pw@h/ HTTP/1.1\r\n" H "\r\n", 400,
	    "RFC 9110 §4.2.4 userinfo treated as an error"),
	ERR("GET http://h#f HTTP/1.1\r\n" H "\r\n", 400,
	    "RFC 3986 §3.2.2 '#' is not part of an authority"),
	OK("GET /a#f HTTP/1.1\r\n" H "\r\n", M(GET), V11, "/a#f", "", "h", 1,
	    "policy: the target is only checked for visible ASCII; the "
	    "handler judges the path"),
	ERR("GET http://h:8x/ HTTP/1.1\r\n" H "\r\n", 400,
	    "RFC 3986 §3.2.3 port = *DIGIT"),
	ERR("GET a/b HTTP/1.1\r\n" H "\r\n", 400,
	    "RFC 9112 §3.2 no relative request-target"),
	ERR("GET ?q HTTP/1.1\r\n" H "\r\n", 400,
	    "RFC 9112 §3.2.1 origin-form starts with '/'"),
	ERR("GET example.com:80 HTTP/1.1\r\n" H "\r\n", 400,
	    "RFC 9112 §3.2.3 authority-form only for CONNECT"),
	OK("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
	    M(CONNECT), V11, "", "", "example.com:443", 1,
	    "RFC 9112 §3.2.3 authority-form with CONNECT: no path"),
	ERR("CONNECT / HTTP/1.1\r\n" H "\r\n", 400,
	    "RFC 9112 §3.2.3 CONNECT takes authority-form only"),
	ERR("CONNECT example.com HTTP/1.1\r\n" H "\r\n", 400,
	    "RFC 9112 §3.2.3 authority-form = uri-host ':' port"),
	ERR("CONNECT http://h:1/ HTTP/1.1\r\n" H "\r\n", 400,
	    "RFC 9112 §3.2.3 CONNECT takes authority-form only"),

	/* Line ends and forbidden bytes. */
	ERR("GET / HTTP/1.1\nHost: h\r\n\r\n", 400,
	    "RFC 9112 §2.2 bare LF after the request-line (our policy)"),
	ERR("GET / HTTP/1.1\r\nHost: h\n\r\n", 400,
	    "RFC 9112 §2.2 bare LF after a field line (our policy)"),
	ERR("GET / HTTP/1.1\r\nHost: h\r\n\n", 400,
	    "RFC 9112 §2.2 bare LF as the empty line (our policy)"),
	ERR("\nGET / HTTP/1.1\r\nHost: h\r\n\r\n", 400,
	    "RFC 9112 §2.2 bare LF as a leading empty line (our policy)"),
	ERR("GET / HTTP/1.1\rHost: h\r\n\r\n", 400,
	    "RFC 9112 §2.2 bare CR"),
	ERR("GET / HTTP/1.1\r\nX: a\rb\r\n" H "\r\n", 400,
	    "RFC 9110 §5.5 CR inside a field value"),
	ERR("GET / HTTP/1.1\r\nX: a\0b\r\n" H "\r\n", 400,
	    "RFC 9110 §5.5 NUL inside a field value"),
	ERR("GET /\0 HTTP/1.1\r\n" H "\r\n", 400,
	    "RFC 9112 §3.2 NUL in the request-target"),
	ERR("GET / HTTP/1.1\r\nX\0: a\r\n" H "\r\n", 400,
	    "RFC 9110 §5.1 NUL in a field name"),
	ERR("GET / HTTP/1.1\r\n" H, 400,
	    "RFC 9112 §2.1 the header section ends with an empty line"),
	ERR("GET / HTTP/1.1\r\n" H "\r\nX", 400,
	    "http_parse.h: the caller passes exactly one block"),
	ERR("", 400, "RFC 9112 §2.1 an empty buffer is no request"),
	ERR("\r\n\r\n", 400, "RFC 9112 §2.2 empty lines alone are no request"),

	/* Field lines. */
	ERRV("GET / HTTP/1.1\r\nHost : h\r\n\r\n", 400, M(GET), V11,
	    "RFC 9112 §5.1 no whitespace between field name and colon"),
	ERR("GET / HTTP/1.1\r\nHost\t: h\r\n\r\n", 400,
	    "RFC 9112 §5.1 no whitespace between field name and colon"),
	ERR("GET / HTTP/1.1\r\n" H "X: a\r\n b\r\n\r\n", 400,
	    "RFC 9112 §5.2 obs-fold (SP) rejected"),
	ERR("GET / HTTP/1.1\r\n" H "X: a\r\n\tb\r\n\r\n", 400,
	    "RFC 9112 §5.2 obs-fold (HTAB) rejected"),
	ERR("GET / HTTP/1.1\r\n Host: h\r\n\r\n", 400,
	    "RFC 9112 §2.2 whitespace before the first field line"),
	ERR("GET / HTTP/1.1\r\n" H ": v\r\n\r\n", 400,
	    "RFC 9110 §5.1 field-name = token, not empty"),
	ERR("GET / HTTP/1.1\r\n" H "NoColon\r\n\r\n", 400,
	    "RFC 9112 §5 field-line needs ':'"),
	ERR("GET / HTTP/1.1\r\n" H "X@Y: v\r\n\r\n", 400,
	    "RFC 9110 §5.1 field-name = token, '@' is no tchar"),
	ERR("GET / HTTP/1.1\r\n" H "X: a\x01" "b\r\n\r\n", 400,
	    "RFC 9110 §5.5 no CTL in a field value"),
	ERR("GET / HTTP/1.1\r\n" H "X: a\x0b\r\n\r\n", 400,
	    "RFC 9110 §5.5 no CTL (VT) in a field value"),
	ERR("GET / HTTP/1.1\r\n" H "X: \x0c\r\n\r\n", 400,
	    "RFC 9110 §5.5 no CTL (FF) in a field value"),
	ERR("GET / HTTP/1.1\r\n" H "X: a\x7f\r\n\r\n", 400,
	    "RFC 9110 §5.5 no DEL in a field value"),
	OK("GET / HTTP/1.1\r\n" H "X: caf\xc3\xa9 \t b\r\n\r\n", M(GET), V11,
	    "/", "", "h", 1, "RFC 9110 §5.5 obs-text, SP and HTAB in a value"),
	OK("GET / HTTP/1.1\r\n" H "!#$%&'*+-.^_`|~09azAZ: v\r\nX:\r\n\r\n",
	    M(GET), V11, "/", "", "h", 1,
	    "RFC 9110 §5.1 every tchar in a field name; empty value"),
	OK("GET / HTTP/1.1\r\nHost: \t a.example \t\r\n\r\n", M(GET), V11, "/",
	    "", "a.example", 1, "RFC 9112 §5.1 OWS around the value trimmed"),
	OK("GET / HTTP/1.1\r\nhOsT:a\r\n\r\n", M(GET), V11, "/", "", "a", 1,
	    "RFC 9110 §5.1 field names are case-insensitive; OWS optional"),

	/* Host. */
	ERRV("GET / HTTP/1.1\r\n\r\n", 400, M(GET), V11,
	    "RFC 9112 §3.2 Host required in HTTP/1.1"),
	ERRV("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", 400, M(GET), V11,
	    "RFC 9112 §3.2 more than one Host field line"),
	ERRV("GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", 400, M(GET), V10,
	    "RFC 9112 §3.2 more than one Host field line, also in 1.0"),
	OK("GET / HTTP/1.1\r\nHost:\r\n\r\n", M(GET), V11, "/", "", "", 1,
	    "RFC 9112 §3.2 empty Host when the target has no authority"),
	OK("GET / HTTP/1.1\r\nHost: a.example:8080\r\n\r\n", M(GET), V11, "/",
	    "", "a.example:8080", 1, "RFC 9110 §7.2 Host = uri-host [':' port]"),
	OK("GET / HTTP/1.1\r\nHost: 127.0.0.1:\r\n\r\n", M(GET), V11, "/", "",
	    "127.0.0.1:", 1, "RFC 3986 §3.2.3 port = *DIGIT may be empty"),
	OK("GET / HTTP/1.1\r\nHost: xn--d1a.example\r\n\r\n", M(GET), V11, "/",
	    "", "xn--d1a.example", 1, "RFC 3986 §3.2.2 reg-name"),
	ERR("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400,
	    "RFC 9112 §3.2 invalid Host value (SP)"),
	ERR("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400,
	    "RFC 9112 §3.2 invalid Host value ('/')"),
	ERR("GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", 400,
	    "RFC 9110 §4.2.4 userinfo in Host"),
	ERR("GET / HTTP/1.1\r\nHost: a:8x\r\n\r\n", 400,
	    "RFC 3986 §3.2.3 port = *DIGIT"),
	ERR("GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", 400,
	    "RFC 3986 §3.2.2 unterminated IP-literal"),
	ERR("GET / HTTP/1.1\r\nHost: a%zz\r\n\r\n", 400,
	    "RFC 3986 §2.1 pct-encoded needs two HEXDIG"),

	/* Connection. */
	OK("GET / HTTP/1.1\r\n" H "Connection: close\r\n\r\n", M(GET), V11,
	    "/", "", "h", 0, "RFC 9112 §9.3 'close' ends the connection"),
	OK("GET / HTTP/1.1\r\n" H "Connection: CLOSE\r\n\r\n", M(GET), V11,
	    "/", "", "h", 0, "RFC 9110 §7.6.1 options are case-insensitive"),
	OK("GET / HTTP/1.1\r\n" H "Connection: keep-alive, close\r\n\r\n",
	    M(GET), V11, "/", "", "h", 0, "RFC 9112 §9.3 'close' wins"),
	OK("GET / HTTP/1.1\r\n" H "Connection: upgrade\r\nConnection: close"
	    "\r\n\r\n", M(GET), V11, "/", "", "h", 0,
	    "RFC 9110 §5.3 field lines combine into one list"),
	OK("GET / HTTP/1.1\r\n" H "Connection: ,, close ,\r\n\r\n", M(GET),
	    V11, "/", "", "h", 0, "RFC 9110 §5.6.1.2 empty list elements"),
	OK("GET / HTTP/1.1\r\n" H "Connection: upgrade\r\n\r\n", M(GET), V11,
	    "/", "", "h", 1, "RFC 9112 §9.3 HTTP/1.1 persists by default"),
	OK("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", M(GET), V10, "/",
	    "", "", 1, "RFC 9112 §9.3 HTTP/1.0 persists with keep-alive"),
	OK("GET / HTTP/1.0\r\nConnection: foo, Keep-Alive\r\n\r\n", M(GET), V10,
	    "/", "", "", 1, "RFC 9112 §9.3 keep-alive among other options"),
	OK("GET / HTTP/1.0\r\nConnection: keep-alive\r\nConnection: close\r\n"
	    "\r\n", M(GET), V10, "/", "", "", 0, "RFC 9112 §9.3 'close' wins"),
	ERR("GET / HTTP/1.1\r\n" H "Connection: close foo\r\n\r\n", 400,
	    "RFC 9110 §7.6.1 Connection = #token"),
	ERR("GET / HTTP/1.1\r\n" H "Connection: close;x=1\r\n\r\n", 400,
	    "RFC 9110 §7.6.1 connection-option = token, no parameters"),

	/* Content-Length. */
	OKB("POST / HTTP/1.1\r\n" H "Content-Length: 10\r\n\r\n", 10, 1,
	    "RFC 9112 §6.2 Content-Length gives the body length"),
	OKB("POST / HTTP/1.1\r\n" H "Content-Length: 0\r\n\r\n", 0, 0,
	    "RFC 9112 §6.3 (6) zero length: no body"),
	OKB("GET / HTTP/1.1\r\n" H "\r\n", 0, 0,
	    "RFC 9112 §6.3 (7) no length fields: no request body"),
	OKB("POST / HTTP/1.1\r\n" H "Content-Length: 007\r\n\r\n", 7, 1,
	    "RFC 9110 §8.6 Content-Length = 1*DIGIT, leading zeros"),
	OKB("POST / HTTP/1.1\r\n" H "Content-Length: 5\r\ncontent-length: 05"
	    "\r\n\r\n", 5, 1, "RFC 9110 §8.6 repeats of the same value"),
	OKB("POST / HTTP/1.1\r\n" H "Content-Length: 9223372036854775807\r\n"
	    "\r\n", 9223372036854775807LL, 1, "RFC 9110 §8.6 largest we take"),
	ERR("POST / HTTP/1.1\r\n" H "Content-Length: 9223372036854775808\r\n"
	    "\r\n", 400, "RFC 9110 §8.6 overflow"),
	ERR("POST / HTTP/1.1\r\n" H "Content-Length: 100000000000000000000000"
	    "\r\n\r\n", 400, "RFC 9110 §8.6 overflow"),
	ERRV("POST / HTTP/1.1\r\n" H "Content-Length: 1\r\nContent-Length: 2"
	    "\r\n\r\n", 400, M(POST), V11,
	    "RFC 9112 §6.3 (5) differing Content-Length values"),
	ERR("POST / HTTP/1.1\r\n" H "Content-Length: 1, 1\r\n\r\n", 400,
	    "RFC 9112 §6.3 (5) digits only: we reject the list form"),
	ERR("POST / HTTP/1.1\r\n" H "Content-Length: abc\r\n\r\n", 400,
	    "RFC 9112 §6.3 (5) invalid Content-Length"),
	ERR("POST / HTTP/1.1\r\n" H "Content-Length: -1\r\n\r\n", 400,
	    "RFC 9110 §8.6 no sign"),
	ERR("POST / HTTP/1.1\r\n" H "Content-Length: +1\r\n\r\n", 400,
	    "RFC 9110 §8.6 no sign"),
	ERR("POST / HTTP/1.1\r\n" H "Content-Length: 1 2\r\n\r\n", 400,
	    "RFC 9110 §8.6 no inner whitespace"),
	ERR("POST / HTTP/1.1\r\n" H "Content-Length: 0x10\r\n\r\n", 400,
	    "RFC 9110 §8.6 decimal only"),
	ERR("POST / HTTP/1.1\r\n" H "Content-Length:\r\n\r\n", 400,
	    "RFC 9110 §8.6 at least one digit"),

	/* Transfer-Encoding. */
	OKB("POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n\r\n", 0, 1,
	    "RFC 9112 §6.1 chunked request body"),
	OKB("POST / HTTP/1.1\r\n" H "Transfer-Encoding: Chunked ,\r\n\r\n", 0,
	    1, "RFC 9112 §7 coding names are case-insensitive"),
	ERRV("POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n"
	    "Content-Length: 3\r\n\r\n", 400, M(POST), V11,
	    "RFC 9112 §6.1 Transfer-Encoding with Content-Length (smuggling)"),
	ERR("POST / HTTP/1.1\r\n" H "Content-Length: 3\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n", 400,
	    "RFC 9112 §6.1 Content-Length with Transfer-Encoding (smuggling)"),
	ERRV("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400,
	    M(POST), V10, "RFC 9112 §6.1 Transfer-Encoding in HTTP/1.0 is "
	    "faulty framing"),
	ERR("POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked, gzip\r\n\r\n",
	    400, "RFC 9112 §6.3 (4) chunked is not the final coding"),
	ERR("POST / HTTP/1.1\r\n" H "Transfer-Encoding: gzip\r\n\r\n", 400,
	    "RFC 9112 §6.3 (4) chunked is not the final coding"),
	ERR("POST / HTTP/1.1\r\n" H "Transfer-Encoding: identity\r\n\r\n", 400,
	    "RFC 9112 §6.3 (4) chunked is not the final coding"),
	ERR("POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunkedchunked\r\n\r\n",
	    400, "RFC 9112 §6.3 (4) 'chunkedchunked' is not chunked"),
	ERR("POST / HTTP/1.1\r\n" H "Transfer-Encoding:\r\n\r\n", 400,
	    "RFC 9112 §6.3 (4) an empty list has no final chunked"),
	ERR("POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked, chunked\r\n"
	    "\r\n", 400, "RFC 9112 §6.1 chunked applied more than once"),
	ERR("POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n", 400,
	    "RFC 9112 §6.1 chunked applied more than once (two lines)"),
	ERR("POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n"
	    "Transfer-Encoding: gzip\r\n\r\n", 400,
	    "RFC 9112 §6.3 (4) lines combine: gzip is final"),
	ERR("POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked;x=1\r\n\r\n",
	    400, "RFC 9112 §7.1 chunked has no parameters"),
	ERR("POST / HTTP/1.1\r\n" H "Transfer-Encoding: x y\r\n\r\n", 400,
	    "RFC 9112 §6.1 Transfer-Encoding = #transfer-coding"),
	ERRV("POST / HTTP/1.1\r\n" H "Transfer-Encoding: gzip, chunked\r\n\r\n",
	    501, M(POST), V11,
	    "RFC 9112 §6.1 a coding we do not understand: 501"),
	ERR("POST / HTTP/1.1\r\n" H "Transfer-Encoding: x;a=\"b,c\" , "
	    "chunked\r\n\r\n", 501,
	    "RFC 9110 §5.6.4 quoted-string parameter holding a comma"),
	ERR("POST / HTTP/1.1\r\n" H "Transfer-Encoding: gzip\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n", 501,
	    "RFC 9112 §6.1 a coding we do not understand: 501 (two lines)"),
	ERR("POST / HTTP/1.1\r\n" H "Transfer-Encoding: x;a=\"b\r\n\r\n", 400,
	    "RFC 9110 §5.6.4 unterminated quoted-string"),

	/* Limits (tiny: request line 16, block 64, 2 fields). */
	ERRT("GET /0123456789A HTTP/1.1\r\n" H "\r\n", 414,
	    "RFC 9112 §3 request-line longer than we parse: 414"),
	ERRT("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", 431,
	    "RFC 6585 §5 more header fields than allowed: 431"),
	ERRT("GET / HTTP/1.1\r\nA: 01234567890123456789012345678901234567890"
	    "12345678\r\n\r\n", 431, "RFC 6585 §5 header section too large: 431"),
	{ __LINE__, RAW_TINY_OK, sizeof(RAW_TINY_OK) - 1, &tiny, 0, M(GET), V11,
	    "/", "", "a", 1, ANY, ANY, "RFC 6585 §5 exactly at the limits" },
	/* narrow: one field line of at most 10 bytes. */
	{ __LINE__, "GET / HTTP/1.1\r\nHost: abcd\r\n\r\n", 30, &narrow, 0,
	    M(GET), V11, "/", "", "abcd", 1, ANY, ANY,
	    "RFC 6585 §5 a field line of exactly field_max" },
	{ __LINE__, "GET / HTTP/1.1\r\nHost: abcde\r\n\r\n", 31, &narrow,
	    431, ANY, ANY, NULL, NULL, NULL, 0, ANY, ANY,
	    "RFC 6585 §5 one field line over field_max: 431" },
	{ __LINE__, "GET /0123456789012 HTTP/1.1\r\nHost: a\r\n\r\n", 40,
	    &narrow, 0, M(GET), V11, "/0123456789012", "", "a", 1, ANY, ANY,
	    "RFC 6585 §5 field_max does not apply to the request line" },
};

START_TEST(test_parse_table)
{
	const struct parse_row *row = &parse_rows[_i];
	struct http_request req;
	size_t end = 0;
	int status, fstatus = 0;
	enum http_frame_result fr;

	status = http_parse_request(row->raw, row->len, row->limits, &req);
	ck_assert_msg(status == row->status,
	    "line %d (%s): status %d, want %d", row->line, row->rfc, status,
	    row->status);
	check_slices(row->raw, row->len, &req, row->line);
	ck_assert_msg(req.header_len == row->len, "line %d: header_len",
	    row->line);
	if (row->method != ANY)
		ck_assert_msg((int)req.method == row->method,
		    "line %d (%s): method %d, want %d", row->line, row->rfc,
		    req.method, row->method);
	if (row->version != ANY)
		ck_assert_msg(req.version == row->version,
		    "line %d (%s): version %d, want %d", row->line, row->rfc,
		    req.version, row->version);
	ck_assert_msg(req.version == HTTP_VERSION_10 ||
	    req.version == HTTP_VERSION_11, "line %d: version %d", row->line,
	    req.version);
	if (row->path != NULL)
		ck_assert_msg(slice_is(req.path, row->path),
		    "line %d (%s): path '%.*s', want '%s'", row->line, row->rfc,
		    (int)req.path.len, req.path.p, row->path);
	if (row->query != NULL)
		ck_assert_msg(slice_is(req.query, row->query),
		    "line %d (%s): query '%.*s', want '%s'", row->line,
		    row->rfc, (int)req.query.len, req.query.p, row->query);
	if (row->host != NULL)
		ck_assert_msg(slice_is(req.host, row->host),
		    "line %d (%s): host '%.*s', want '%s'", row->line, row->rfc,
		    (int)req.host.len, req.host.p, row->host);
	if (row->keep_alive != ANY)
		ck_assert_msg(req.keep_alive == (row->keep_alive != 0),
		    "line %d (%s): keep_alive %d", row->line, row->rfc,
		    req.keep_alive);
	if (row->content_length != ANY)
		ck_assert_msg(req.content_length ==
		    (uint64_t)row->content_length,
		    "line %d (%s): content_length %llu", row->line, row->rfc,
		    (unsigned long long)req.content_length);
	if (row->has_body != ANY)
		ck_assert_msg(req.has_body == (row->has_body != 0),
		    "line %d (%s): has_body %d", row->line, row->rfc,
		    req.has_body);
	if (status == 0)
		ck_assert_msg(req.method_name.len > 0 &&
		    req.request_line.len > 0 && req.target.len > 0,
		    "line %d: method_name, request_line, target unset",
		    row->line);

	/* Framing agrees: a valid block frames to exactly its length, and
	 * a framing error has the status the parser gives. */
	fr = http_parse_frame(row->raw, row->len, row->limits, &end, &fstatus);
	if (status == 0)
		ck_assert_msg(fr == HTTP_FRAME_COMPLETE && end == row->len,
		    "line %d: frame %d end %zu", row->line, fr, end);
	if (fr == HTTP_FRAME_ERROR)
		ck_assert_msg(fstatus == row->status,
		    "line %d: frame status %d, want %d", row->line, fstatus,
		    row->status);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Body framing, Expect, and the conditional and range fields kept raw. */

#define ABSENT NULL

struct field_row {
	int line;
	const char *raw;
	int status;
	int framing;		/* enum http_framing, or ANY */
	int expect;		/* expect_continue 0/1, or ANY */
	unsigned inm_n;		/* If-None-Match lines */
	const char *inm_last;	/* the last of them, or NULL */
	unsigned im_n;		/* If-Match lines */
	const char *ims;	/* ABSENT: p must be NULL */
	const char *ius;
	const char *range;
	const char *if_range;
	const char *rfc;
};

#define FR(raw, st, fr, ex, rfc) \
	{ __LINE__, raw, st, fr, ex, 0, NULL, 0, ABSENT, ABSENT, ABSENT, \
	  ABSENT, rfc }
#define CR(raw, inm_n, inm_last, im_n, ims, ius, range, if_range, rfc) \
	{ __LINE__, raw, 0, ANY, ANY, inm_n, inm_last, im_n, ims, ius, \
	  range, if_range, rfc }

static const struct field_row field_rows[] = {
	FR("GET / HTTP/1.1\r\n" H "\r\n", 0, HTTP_FRAMING_NONE, 0,
	    "RFC 9112 §6.3 (7) no Content-Length, no Transfer-Encoding"),
	FR("GET / HTTP/1.1\r\n" H "Content-Length: 0\r\n\r\n", 0,
	    HTTP_FRAMING_NONE, 0, "RFC 9112 §6.3 (6) a length of zero"),
	FR("POST / HTTP/1.1\r\n" H "Content-Length: 12\r\n\r\n", 0,
	    HTTP_FRAMING_LENGTH, 0, "RFC 9112 §6.3 (6) Content-Length"),
	FR("POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n\r\n", 0,
	    HTTP_FRAMING_CHUNKED, 0, "RFC 9112 §6.3 (4) chunked is final"),
	FR("POST / HTTP/1.1\r\n" H "Expect: 100-continue\r\n"
	    "Content-Length: 3\r\n\r\n", 0, HTTP_FRAMING_LENGTH, 1,
	    "RFC 9110 §10.1.1 Expect: 100-continue"),
	FR("POST / HTTP/1.1\r\n" H "Expect: 100-Continue\r\n"
	    "Content-Length: 3\r\n\r\n", 0, HTTP_FRAMING_LENGTH, 1,
	    "RFC 9110 §10.1.1 the expectation is case-insensitive"),
	FR("POST / HTTP/1.1\r\n" H "Expect: ,  100-continue , \r\n"
	    "Content-Length: 3\r\n\r\n", 0, HTTP_FRAMING_LENGTH, 1,
	    "RFC 9110 §5.6.1 empty list elements are ignored"),
	FR("POST / HTTP/1.0\r\nExpect: 100-continue\r\n"
	    "Content-Length: 3\r\n\r\n", 0, HTTP_FRAMING_LENGTH, 0,
	    "RFC 9110 §10.1.1 MUST ignore 100-continue in HTTP/1.0"),
	FR("POST / HTTP/1.0\r\nExpect: teapot\r\n\r\n", 0,
	    HTTP_FRAMING_NONE, 0,
	    "RFC 9110 §10.1.1 HTTP/1.0 expectations are ignored"),
	FR("GET / HTTP/1.1\r\n" H "Expect: teapot\r\n\r\n", 417, ANY, ANY,
	    "RFC 9110 §10.1.1 an expectation we cannot meet: 417"),
	FR("GET / HTTP/1.1\r\n" H "Expect: 100-continue, x=1\r\n\r\n", 417,
	    ANY, ANY, "RFC 9110 §10.1.1 any other member: 417"),
	FR("GET / HTTP/1.1\r\n" H "Expect:\r\n\r\n", 0, HTTP_FRAMING_NONE, 0,
	    "RFC 9110 §5.6.1 an empty list expects nothing"),

	CR("GET / HTTP/1.1\r\n" H "If-None-Match: \"a\"\r\n\r\n", 1,
	    "\"a\"", 0, ABSENT, ABSENT, ABSENT, ABSENT,
	    "RFC 9110 §13.1.2 If-None-Match kept"),
	CR("GET / HTTP/1.1\r\n" H "If-None-Match: \"a\"\r\n"
	    "If-None-Match: W/\"b\" \r\n\r\n", 2, "W/\"b\"", 0, ABSENT,
	    ABSENT, ABSENT, ABSENT,
	    "RFC 9110 §5.3 lines of a list field combine, in order"),
	CR("GET / HTTP/1.1\r\n" H "If-Match: \"a\"\r\nIf-Match: *\r\n"
	    "If-Match: \"c\"\r\nIf-Match: \"d\"\r\n\r\n", 0, NULL, 4,
	    ABSENT, ABSENT, ABSENT, ABSENT,
	    "RFC 9110 §5.3 HTTP_LIST_LINES_MAX lines are kept"),
	CR("GET / HTTP/1.1\r\n" H
	    "If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
	    "If-Unmodified-Since: Sun, 06 Nov 1994 08:49:38 GMT\r\n\r\n",
	    0, NULL, 0, "Sun, 06 Nov 1994 08:49:37 GMT",
	    "Sun, 06 Nov 1994 08:49:38 GMT", ABSENT, ABSENT,
	    "RFC 9110 §13.1.3-4 the date fields kept, trimmed"),
	CR("GET / HTTP/1.1\r\n" H "If-Modified-Since: a\r\n"
	    "If-Modified-Since: a\r\n\r\n", 0, NULL, 0, ABSENT, ABSENT,
	    ABSENT, ABSENT,
	    "RFC 9110 §13.1.3 more than one member: ignored"),
	CR("GET / HTTP/1.1\r\n" H "If-Unmodified-Since: a\r\n"
	    "If-Unmodified-Since: b\r\n\r\n", 0, NULL, 0, ABSENT, ABSENT,
	    ABSENT, ABSENT,
	    "RFC 9110 §13.1.4 more than one member: ignored"),
	CR("GET / HTTP/1.1\r\n" H "Range: bytes=0-1\r\n"
	    "If-Range: \"e\"\r\n\r\n", 0, NULL, 0, ABSENT, ABSENT,
	    "bytes=0-1", "\"e\"", "RFC 9110 §14.2 Range and If-Range kept"),
	CR("GET / HTTP/1.1\r\n" H "Range: bytes=0-1\r\n"
	    "Range: bytes=2-3\r\n\r\n", 0, NULL, 0, ABSENT, ABSENT, ABSENT,
	    ABSENT, "RFC 9110 §14.2 a repeated Range is ignored"),
	CR("GET / HTTP/1.1\r\n" H "Range: bytes=0-1\r\n"
	    "If-Range: \"e\"\r\nIf-Range: \"f\"\r\n\r\n", 0, NULL, 0,
	    ABSENT, ABSENT, ABSENT, ABSENT,
	    "RFC 9110 §13.1.5 an untrustworthy If-Range drops the Range"),
	{ __LINE__, "GET / HTTP/1.1\r\n" H "If-Match: a\r\nIf-Match: b\r\n"
	    "If-Match: c\r\nIf-Match: d\r\nIf-Match: e\r\n\r\n", 400,
	    ANY, ANY, 0, NULL, 0, ABSENT, ABSENT, ABSENT, ABSENT,
	    "policy: more lines of one list than HTTP_LIST_LINES_MAX: 400" },
};

static void
check_field_slice(int line, const char *rfc, const char *what,
    struct http_slice s, const char *want)
{
	if (want == ABSENT)
		ck_assert_msg(s.p == NULL, "line %d (%s): %s present", line,
		    rfc, what);
	else
		ck_assert_msg(slice_is(s, want), "line %d (%s): %s '%.*s', "
		    "want '%s'", line, rfc, what, (int)s.len,
		    s.p == NULL ? "" : s.p, want);
}

START_TEST(test_field_table)
{
	const struct field_row *row = &field_rows[_i];
	struct http_request req;
	size_t len = strlen(row->raw);
	int status;

	status = http_parse_request(row->raw, len, &dflt, &req);
	ck_assert_msg(status == row->status, "line %d (%s): status %d, want %d",
	    row->line, row->rfc, status, row->status);
	check_slices(row->raw, len, &req, row->line);
	if (status != 0)
		return;
	if (row->framing != ANY)
		ck_assert_msg((int)req.framing == row->framing &&
		    req.has_body == (row->framing != HTTP_FRAMING_NONE),
		    "line %d (%s): framing %d has_body %d", row->line,
		    row->rfc, req.framing, req.has_body);
	if (row->expect != ANY)
		ck_assert_msg(req.expect_continue == (row->expect != 0),
		    "line %d (%s): expect_continue %d", row->line, row->rfc,
		    req.expect_continue);
	ck_assert_msg(req.if_none_match.n == row->inm_n &&
	    req.if_match.n == row->im_n, "line %d (%s): %u/%u lines",
	    row->line, row->rfc, req.if_none_match.n, req.if_match.n);
	if (row->inm_last != NULL)
		check_field_slice(row->line, row->rfc, "If-None-Match",
		    req.if_none_match.line[req.if_none_match.n - 1],
		    row->inm_last);
	check_field_slice(row->line, row->rfc, "If-Modified-Since",
	    req.if_modified_since, row->ims);
	check_field_slice(row->line, row->rfc, "If-Unmodified-Since",
	    req.if_unmodified_since, row->ius);
	check_field_slice(row->line, row->rfc, "Range", req.range, row->range);
	check_field_slice(row->line, row->rfc, "If-Range", req.if_range,
	    row->if_range);
}
END_TEST

#define NFIELD_ROWS ((int)(sizeof(field_rows) / sizeof(field_rows[0])))

/* ------------------------------------------------------------------ */
/* Framing. */

struct frame_row {
	int line;
	const char *raw;
	size_t len;
	const struct http_limits *limits;
	enum http_frame_result result;
	size_t end;		/* COMPLETE: the block length */
	int status;		/* ERROR */
	const char *rfc;
};

#define F_INC(raw, lim, rfc) \
	{ __LINE__, raw, sizeof(raw) - 1, lim, HTTP_FRAME_INCOMPLETE, 0, 0, \
	  rfc }
#define F_END(raw, lim, end, rfc) \
	{ __LINE__, raw, sizeof(raw) - 1, lim, HTTP_FRAME_COMPLETE, end, 0, \
	  rfc }
#define CRLF8 "\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n"
#define F_ERR(raw, lim, st, rfc) \
	{ __LINE__, raw, sizeof(raw) - 1, lim, HTTP_FRAME_ERROR, 0, st, rfc }

static const struct frame_row frame_rows[] = {
	F_INC("", &dflt, "nothing read yet"),
	F_INC("\r", &dflt, "RFC 9112 §2.2 a CR waiting for its LF"),
	F_INC("\r\n", &dflt, "RFC 9112 §2.2 leading empty line"),
	F_INC("\r\n\r\n\r\n", &dflt, "RFC 9112 §2.2 leading empty lines"),
	F_INC("GET / HTTP/1.1\r\nHost: h\r\n", &dflt,
	    "RFC 9112 §2.1 no empty line yet"),
	F_INC("GET / HTTP/1.1\r\nHost: h\r\n\r", &dflt,
	    "RFC 9112 §2.1 the last LF is missing"),
	F_END("GET / HTTP/1.1\r\nHost: h\r\n\r\n", &dflt, 27,
	    "RFC 9112 §2.1 the empty line ends the block"),
	F_END("\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n", &dflt, 31,
	    "RFC 9112 §2.2 leading empty lines are part of *end"),
	F_END("POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc", &dflt, 38,
	    "RFC 9112 §6 the body is not part of the block"),
	F_END("POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\n\0\n\r", &dflt, 38,
	    "RFC 9112 §6 body bytes are not looked at"),
	F_END("GET / HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n", &dflt, 18,
	    "RFC 9112 §9.3.2 pipelining: the first block only"),
	F_ERR("\n", &dflt, 400, "RFC 9112 §2.2 bare LF (our policy)"),
	F_ERR("\rX", &dflt, 400, "RFC 9112 §2.2 bare CR"),
	F_ERR("GET / HTTP/1.1\n", &dflt, 400,
	    "RFC 9112 §2.2 bare LF, found while incomplete"),
	F_ERR("GET / HTTP/1.1\r\nHost: h\n", &dflt, 400,
	    "RFC 9112 §2.2 bare LF after a field line"),
	F_ERR("GET / HTTP/1.1\r\nHost: h\r\n\n", &dflt, 400,
	    "RFC 9112 §2.2 bare LF as the empty line"),
	F_ERR("GET / HTTP/1.1\rHost", &dflt, 400, "RFC 9112 §2.2 bare CR"),
	F_ERR("GET /\0", &dflt, 400, "RFC 9110 §5.5 NUL, found while incomplete"),
	F_ERR("\r\n\r\n\n", &dflt, 400, "RFC 9112 §2.2 bare LF after CRLFs"),
	/* tiny: request line 16, block 64. */
	F_INC("GET /01234 HTTP/", &tiny, "16 bytes of request line: fine"),
	F_INC("GET /01234 HTTP/\r", &tiny, "16 bytes and CR: fine"),
	F_ERR("GET /01234 HTTP/1", &tiny, 414,
	    "RFC 9112 §3 request-line too long before its CRLF: 414"),
	F_ERR("GET /0123456789 HTTP/1.1\r\n\r\n", &tiny, 414,
	    "RFC 9112 §3 request-line too long: 414"),
	F_INC("\r\n\r\nGET /01234 HTTP/", &tiny,
	    "RFC 9112 §2.2 leading empty lines are not the request-line"),
	F_END("GET / HTTP/1.1\r\nA: 01234567890123456789012345678901234567890"
	    "\r\n\r\n", &tiny, 64, "RFC 6585 §5 a block of exactly header_max"),
	F_ERR("GET / HTTP/1.1\r\nA: 012345678901234567890123456789012345678901"
	    "\r\n\r\n", &tiny, 431, "RFC 6585 §5 one byte over header_max: 431"),
	F_ERR("GET / HTTP/1.1\r\nA: 012345678901234567890123456789012345678"
	    "9012345", &tiny, 431, "RFC 6585 §5 431 while still incomplete"),
	F_INC("GET / HTTP/1.1\r\nHost: abcd", &narrow,
	    "a field line of field_max bytes so far"),
	F_ERR("GET / HTTP/1.1\r\nHost: abcde", &narrow, 431,
	    "RFC 6585 §5 field line too large before its CRLF: 431"),
	F_ERR(CRLF8 CRLF8 CRLF8 CRLF8 "\r\n", &tiny, 431,
	    "leading empty lines count towards header_max"),
};

START_TEST(test_frame_table)
{
	const struct frame_row *row = &frame_rows[_i];
	size_t end = 12345;
	int status = 0;
	enum http_frame_result r;

	r = http_parse_frame(row->raw, row->len, row->limits, &end, &status);
	ck_assert_msg(r == row->result, "line %d (%s): result %d, want %d",
	    row->line, row->rfc, r, row->result);
	if (r == HTTP_FRAME_COMPLETE)
		ck_assert_msg(end == row->end, "line %d (%s): end %zu, want %zu",
		    row->line, row->rfc, end, row->end);
	if (r == HTTP_FRAME_ERROR)
		ck_assert_msg(status == row->status,
		    "line %d (%s): status %d, want %d", row->line, row->rfc,
		    status, row->status);
}
END_TEST

/* Requests that frame and parse; every proper prefix is incomplete. */
static const char *const prefix_samples[] = {
	"GET / HTTP/1.1\r\nHost: h\r\n\r\n",
	"\r\n\r\nGET /a?b HTTP/1.1\r\nHost: h\r\nUser-Agent: x\r\n\r\n",
	"POST /f HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\n",
	"OPTIONS * HTTP/1.0\r\n\r\n",
};

START_TEST(test_frame_prefixes)
{
	const char *raw = prefix_samples[_i];
	size_t len = strlen(raw);
	struct http_request req;
	size_t end = 0;
	int status = 0;

	for (size_t k = 0; k < len; k++) {
		enum http_frame_result r;

		r = http_parse_frame(raw, k, &dflt, &end, &status);
		ck_assert_msg(r == HTTP_FRAME_INCOMPLETE,
		    "sample %d prefix %zu: result %d", _i, k, r);
	}
	ck_assert_int_eq(http_parse_frame(raw, len, &dflt, &end, &status),
	    HTTP_FRAME_COMPLETE);
	ck_assert_uint_eq(end, len);
	ck_assert_int_eq(http_parse_request(raw, end, &dflt, &req), 0);
}
END_TEST

/* RFC 9112 §9.3.2: pipelined requests; each block ends exactly where the
 * next begins, whatever follows it. */
START_TEST(test_pipelined)
{
	static const char first[] = "GET /1 HTTP/1.1\r\nHost: h\r\n\r\n";
	static const char second[] = "\r\nHEAD /2 HTTP/1.1\r\nHost: h\r\n\r\n";
	static const char third[] = "GET /3 HTTP/1.1\r\nHo";
	char buf[256];
	struct http_request req;
	size_t n1 = sizeof(first) - 1, n2 = sizeof(second) - 1, end = 0;
	size_t n = 0;
	int status = 0;

	memcpy(buf + n, first, n1);
	n += n1;
	memcpy(buf + n, second, n2);
	n += n2;
	memcpy(buf + n, third, sizeof(third) - 1);
	n += sizeof(third) - 1;

	ck_assert_int_eq(http_parse_frame(buf, n, &dflt, &end, &status),
	    HTTP_FRAME_COMPLETE);
	ck_assert_uint_eq(end, n1);
	ck_assert_int_eq(http_parse_request(buf, end, &dflt, &req), 0);
	ck_assert(slice_is(req.path, "/1"));
	ck_assert(req.keep_alive);

	ck_assert_int_eq(http_parse_frame(buf + n1, n - n1, &dflt, &end,
	    &status), HTTP_FRAME_COMPLETE);
	ck_assert_uint_eq(end, n2);
	ck_assert_int_eq(http_parse_request(buf + n1, end, &dflt, &req), 0);
	ck_assert_int_eq(req.method, HTTP_METHOD_HEAD);
	ck_assert(slice_is(req.request_line, "HEAD /2 HTTP/1.1"));
	ck_assert_uint_eq(req.header_len, n2);

	ck_assert_int_eq(http_parse_frame(buf + n1 + n2, n - n1 - n2, &dflt,
	    &end, &status), HTTP_FRAME_INCOMPLETE);
}
END_TEST

/* The slices other than the ones the table checks. */
START_TEST(test_slices)
{
	static const char raw[] = "\r\nPOST /s?q=1 HTTP/1.1\r\n"
	    "User-Agent:  curl/8.0 \r\nReferer: http://r/ \r\n"
	    "User-Agent: second\r\nHost: h\r\nContent-Length: 2\r\n\r\n";
	struct http_request req;

	ck_assert_int_eq(http_parse_request(raw, sizeof(raw) - 1, &dflt,
	    &req), 0);
	ck_assert(slice_is(req.method_name, "POST"));
	ck_assert(slice_is(req.request_line, "POST /s?q=1 HTTP/1.1"));
	ck_assert(slice_is(req.target, "/s?q=1"));
	ck_assert(slice_is(req.user_agent, "curl/8.0"));
	ck_assert(slice_is(req.referer, "http://r/"));
	ck_assert_uint_eq(req.header_len, sizeof(raw) - 1);
	ck_assert_uint_eq(req.content_length, 2);
	ck_assert(req.has_body);
	check_slices(raw, sizeof(raw) - 1, &req, __LINE__);
}
END_TEST

/*
 * Every field line is kept, in order, duplicates and unknown names
 * included, with its value trimmed of OWS (RFC 9110 §5.5).
 */
START_TEST(test_all_fields)
{
	static const char raw[] = "GET / HTTP/1.1\r\n"
	    "Host: h\r\nX-A:  one \r\nAccept-Encoding: gzip\r\n"
	    "x-a: two\r\nX-Empty:\r\nX-A:\tthree\t\r\n\r\n";
	static const char *const want[][2] = {
		{ "Host", "h" }, { "X-A", "one" },
		{ "Accept-Encoding", "gzip" }, { "x-a", "two" },
		{ "X-Empty", "" }, { "X-A", "three" },
	};
	struct http_request req;
	struct http_slice name, value;
	size_t pos = 0;
	unsigned n = 0;

	ck_assert_int_eq(http_parse_request(raw, sizeof(raw) - 1, &dflt,
	    &req), 0);
	while (http_request_field_next(&req, &pos, &name, &value)) {
		ck_assert_uint_lt(n, (sizeof(want) / sizeof(want[0])));
		ck_assert_msg(slice_is(name, want[n][0]) &&
		    slice_is(value, want[n][1]), "field %u: \"%.*s: %.*s\"",
		    n, (int)name.len, name.p, (int)value.len, value.p);
		n++;
	}
	ck_assert_uint_eq(n, (sizeof(want) / sizeof(want[0])));
	/* By name, without case, the nth in order. */
	ck_assert(http_request_field(&req, "x-A", 0, &value));
	ck_assert(slice_is(value, "one"));
	ck_assert(http_request_field(&req, "X-A", 1, &value));
	ck_assert(slice_is(value, "two"));
	ck_assert(http_request_field(&req, "X-A", 2, &value));
	ck_assert(slice_is(value, "three"));
	ck_assert(!http_request_field(&req, "X-A", 3, &value));
	ck_assert(!http_request_field(&req, "X-B", 0, &value));
	ck_assert(!http_request_field(&req, "X-", 0, &value));
	ck_assert(http_request_field(&req, "accept-encoding", 0, &value));
	ck_assert(slice_is(value, "gzip"));
}
END_TEST

/* A request with no field lines (HTTP/1.0) has none to give. */
START_TEST(test_no_fields)
{
	static const char raw[] = "GET / HTTP/1.0\r\n\r\n";
	struct http_request req;
	struct http_slice name, value;
	size_t pos = 0;

	ck_assert_int_eq(http_parse_request(raw, sizeof(raw) - 1, &dflt,
	    &req), 0);
	ck_assert_uint_eq(req.fields.len, 0);
	ck_assert(!http_request_field_next(&req, &pos, &name, &value));
	ck_assert(!http_request_field(&req, "Host", 0, &value));
}
END_TEST

/* The default limits, at and just past their edges. */
START_TEST(test_default_limits)
{
	static char buf[20000];
	struct http_request req;
	size_t n, end = 0;
	int status = 0;

	/* A request line of exactly 8192 bytes frames and parses. */
	memcpy(buf, "GET /", 5);
	memset(buf + 5, 'a', 8192 - 5 - 9);
	memcpy(buf + 8192 - 9, " HTTP/1.1\r\nHost: h\r\n\r\n", 23);
	n = 8192 + 2 + 9 + 2;
	ck_assert_int_eq(http_parse_frame(buf, n, &dflt, &end, &status),
	    HTTP_FRAME_COMPLETE);
	ck_assert_int_eq(http_parse_request(buf, end, &dflt, &req), 0);
	ck_assert_uint_eq(req.request_line.len, 8192);

	/* 8193 bytes without a CRLF yet: 414 already. */
	memset(buf + 5, 'a', 8193 - 5);
	ck_assert_int_eq(http_parse_frame(buf, 8192, &dflt, &end, &status),
	    HTTP_FRAME_INCOMPLETE);
	ck_assert_int_eq(http_parse_frame(buf, 8193, &dflt, &end, &status),
	    HTTP_FRAME_ERROR);
	ck_assert_int_eq(status, 414);

	/* A header block of 16384 bytes is fine, one more is 431, and a
	 * block that has no end within 16384 bytes is 431 while still
	 * incomplete. */
	n = (size_t)sprintf(buf, "GET / HTTP/1.1\r\nHost: h\r\nX: ");
	/* Three fields of under 8192 bytes each (the default field_max). */
	memset(buf + n, 'x', 16384 - n - 4);
	memcpy(buf + n + 5000, "\r\nY: ", 5);
	memcpy(buf + n + 10000, "\r\nZ: ", 5);
	memcpy(buf + 16384 - 4, "\r\n\r\n", 4);
	ck_assert_int_eq(http_parse_frame(buf, 16384, &dflt, &end, &status),
	    HTTP_FRAME_COMPLETE);
	ck_assert_uint_eq(end, 16384);
	ck_assert_int_eq(http_parse_request(buf, end, &dflt, &req), 0);
	memset(buf + n, 'x', 16385 - n - 4);
	memcpy(buf + n + 5000, "\r\nY: ", 5);
	memcpy(buf + n + 10000, "\r\nZ: ", 5);
	memcpy(buf + 16385 - 4, "\r\n\r\n", 4);
	ck_assert_int_eq(http_parse_frame(buf, 16385, &dflt, &end, &status),
	    HTTP_FRAME_ERROR);
	ck_assert_int_eq(status, 431);
	ck_assert_int_eq(http_parse_request(buf, 16385, &dflt, &req), 431);
	ck_assert(!req.keep_alive);
	memset(buf + n, 'x', 17000 - n);
	for (size_t k = n + 5000; k < 17000; k += 5000)
		memcpy(buf + k, "\r\nY: ", 5);
	ck_assert_int_eq(http_parse_frame(buf, 16384, &dflt, &end, &status),
	    HTTP_FRAME_INCOMPLETE);
	ck_assert_int_eq(http_parse_frame(buf, 16385, &dflt, &end, &status),
	    HTTP_FRAME_ERROR);
	ck_assert_int_eq(status, 431);

	/* 100 fields are fine, 101 are 431. */
	n = (size_t)sprintf(buf, "GET / HTTP/1.1\r\nHost: h\r\n");
	for (int i = 1; i < 100; i++)
		n += (size_t)sprintf(buf + n, "X%d: %d\r\n", i, i);
	memcpy(buf + n, "\r\n", 2);
	ck_assert_int_eq(http_parse_request(buf, n + 2, &dflt, &req), 0);
	n += (size_t)sprintf(buf + n, "X100: 100\r\n\r\n");
	ck_assert_int_eq(http_parse_request(buf, n, &dflt, &req), 431);
	ck_assert_int_eq(req.version, HTTP_VERSION_11);
	ck_assert_int_eq(req.method, HTTP_METHOD_GET);
	ck_assert(!req.keep_alive);
}
END_TEST

/* ------------------------------------------------------------------ */
/*
 * The llhttp request vectors (tests/data/llhttp/request/<name>.md).
 *
 * Each ```http block is a raw request (with the escapes of llhttp's
 * test/md-test.ts); the ```log block after it is what llhttp reports.
 * llhttp's verdict on the first request's header block is:
 *   accept      "headers complete" comes before any "error" line (errors
 *               after it are about the body or what follows, which this
 *               parser never sees), except
 *   reject      an "error" line comes first (this includes the PRI * pause:
 *               the HTTP/2 preface is no HTTP/1.1 request), or one at the
 *               offset of "headers complete" that is not the CONNECT/Upgrade
 *               pause (code 22): llhttp checks Transfer-Encoding there;
 *   incomplete  neither (llhttp waits for more bytes).
 * We frame the raw bytes, then parse the first block; our verdict must
 * match: accept = 0, reject = any status, incomplete = incomplete.  The
 * table below lists every vector where our strict policy differs on
 * purpose, with the reason.  "+Host" rows are also run with a Host field
 * line inserted after the request line, to show that the missing Host
 * (RFC 9112 §3.2) is the only difference; "+CRLFCRLF" rows get the block
 * terminated, to show what we answer once the request is complete.
 */

enum ll_verdict { LL_ACCEPT, LL_REJECT, LL_INCOMPLETE };
enum ll_fix { FIX_NONE, FIX_ADD_HOST, FIX_ADD_END };

struct ll_vector {
	char file[40];
	int ordinal;			/* 1-based, within the file */
	char title[160];
	char type[64];			/* the meta "type" */
	char *raw;
	size_t len;
	enum ll_verdict llhttp;
};

struct ll_deviation {
	const char *file;
	int ordinal;
	const char *title;
	int expect;			/* our status, or INCOMPLETE */
	enum ll_fix fix;
	int expect_fixed;		/* our status after the fix */
	const char *reason;
};

#define NO_HOST(file, n, title) \
	{ file, n, title, 400, FIX_ADD_HOST, 0, \
	  "HTTP/1.1 without Host: 400 (RFC 9112 §3.2)" }

/*
 * Where we differ from llhttp, on purpose.  In short:
 * - most llhttp samples are HTTP/1.1 without a Host field: 400 for us
 *   (NO_HOST rows; with a Host line inserted they parse);
 * - the "lenient" vectors show what llhttp accepts with a leniency flag
 *   set (obs-fold, bare CR or LF, CTLs in values, whitespace before the
 *   colon, Transfer-Encoding with Content-Length, chunked not final): we
 *   have no such flags, so 400, with or without Host;
 * - llhttp rejects some incomplete blocks early; we frame first and then
 *   parse, so those wait for the empty line (the header timeout ends
 *   them), and once complete they get the status shown;
 * - RTSP/ICE versions, asterisk-form for M-SEARCH, HTTP/0.9, userinfo:
 *   400; an unknown method is no parse error (ANNOUNCE); HTTP/5.6 is
 *   505; a transfer coding other than chunked is 501.
 */
static const struct ll_deviation ll_deviations[] = {
	NO_HOST("connection", 1, "Setting flag"),
	NO_HOST("connection", 2, "Restarting when keep-alive is explicitly"),
	NO_HOST("connection", 7, "Setting flag on `close`"),
	NO_HOST("connection", 8, "Setting flag on `close` followed by tab"),
	NO_HOST("connection", 12, "Sample"),
	{ "connection", 13,
	  "Multiple tokens with folding",
	  400, FIX_ADD_HOST, 400,
	  "obs-fold: 400 (RFC 9112 §5.2); llhttp takes it only in a "
	  "lenient mode" },
	NO_HOST("connection", 14, "Multiple tokens with folding and LWS"),
	{ "connection", 15,
	  "Multiple tokens with folding, LWS, and CRLF",
	  400, FIX_ADD_HOST, 400,
	  "obs-fold: 400 (RFC 9112 §5.2); llhttp takes it only in a "
	  "lenient mode" },
	{ "connection", 17,
	  "Invalid whitespace token with `Connection` header field (lenient)",
	  400, FIX_ADD_HOST, 400,
	  "whitespace before the colon: 400 (RFC 9112 §5.1); llhttp takes"
	  " it only in a lenient mode" },
	NO_HOST("connection", 18, "Setting a flag and pausing"),
	NO_HOST("connection", 19, "Emitting part of body and pausing"),
	NO_HOST("content-length", 1, "`Content-Length` with zeroes"),
	NO_HOST("content-length", 2, "`Content-Length` with follow-up headers"),
	{ "content-length", 3,
	  "Error on `Content-Length` overflow",
	  INCOMPLETE, FIX_ADD_END, 400,
	  "no empty line yet, so we still frame (llhttp fails on the "
	  "value); complete, it is 400 (RFC 9110 §8.6 overflow)" },
	{ "content-length", 4,
	  "Error on duplicate `Content-Length`",
	  INCOMPLETE, FIX_ADD_END, 400,
	  "no empty line yet, so we still frame (llhttp fails on the "
	  "value); complete, it is 400 (RFC 9112 §6.3 differing Content-"
	  "Length)" },
	{ "content-length", 7,
	  "Invalid whitespace token with `Content-Length` header field (lenient)",
	  400, FIX_ADD_HOST, 400,
	  "whitespace before the colon: 400 (RFC 9112 §5.1); llhttp takes"
	  " it only in a lenient mode" },
	{ "content-length", 8,
	  "No error on simultaneous `Content-Length` and `Transfer-Encoding: identity` (lenient)",
	  400, FIX_ADD_HOST, 400,
	  "Content-Length with Transfer-Encoding: 400 (RFC 9112 §6.1); "
	  "llhttp takes it only in a lenient mode" },
	NO_HOST("content-length", 10, "Spaces in `Content-Length` (surrounding)"),
	NO_HOST("content-length", 11, "Tabs in `Content-Length` (surrounding)"),
	NO_HOST("content-length", 16, "Content-Length reset when no body is received"),
	{ "content-length", 18,
	  "Missing CRLF-CRLF before body (lenient)",
	  400, FIX_ADD_HOST, 400,
	  "bare CR: 400 (RFC 9112 §2.2); llhttp takes it only in a "
	  "lenient mode" },
	NO_HOST("finish", 1, "It should be safe to finish after GET request"),
	{ "invalid", 4,
	  "HTTP protocol and ANNOUNCE method",
	  0, FIX_NONE, 0,
	  "llhttp ties ANNOUNCE to RTSP; for us it is a well-formed "
	  "unknown method, which the router answers (RFC 9110 §9.1: 501, "
	  "not 400)" },
	{ "invalid", 8,
	  "Headers separated by dummy characters (lenient)",
	  400, FIX_ADD_HOST, 400,
	  "bare CR: 400 (RFC 9112 §2.2); llhttp takes it only in a "
	  "lenient mode" },
	{ "invalid", 19,
	  "Invalid HTTP version",
	  INCOMPLETE, FIX_ADD_END, 505,
	  "no line end yet, so we still frame (llhttp fails on the "
	  "version); complete, HTTP/5.6 is 505 (RFC 9110 §15.6.6)" },
	{ "invalid", 20,
	  "Invalid space after start line",
	  INCOMPLETE, FIX_ADD_END, 400,
	  "no empty line yet, so we still frame (llhttp fails on the "
	  "space); complete, it is 400 (RFC 9112 §2.2, §5.2)" },
	{ "invalid", 22,
	  "Only LFs present (lenient)",
	  400, FIX_ADD_HOST, 400,
	  "bare LF line ends: 400 (our policy, RFC 9112 §2.2 allows "
	  "either); llhttp takes it only in a lenient mode" },
	{ "invalid", 24,
	  "Spaces before headers (lenient)",
	  400, FIX_ADD_HOST, 400,
	  "obs-fold / space before a field line: 400 (RFC 9112 §5.2); "
	  "llhttp takes it only in a lenient mode" },
	{ "lenient-header-value-relaxed", 1,
	  "Control char in header value (relaxed)",
	  400, FIX_ADD_HOST, 400,
	  "CTL (FF) in a field value: 400 (RFC 9110 §5.5); llhttp takes "
	  "it only in a lenient mode" },
	{ "lenient-header-value-relaxed", 5,
	  "Space after start line must still fail",
	  INCOMPLETE, FIX_ADD_END, 400,
	  "no empty line yet, so we still frame (llhttp fails on the "
	  "space); complete, it is 400 (RFC 9112 §5.2)" },
	{ "lenient-headers", 1,
	  "Header value (lenient)",
	  400, FIX_ADD_HOST, 400,
	  "CTL (FF) in a field value: 400 (RFC 9110 §5.5); llhttp takes "
	  "it only in a lenient mode" },
	NO_HOST("lenient-headers", 2, "Second request header value (lenient)"),
	{ "lenient-headers", 4,
	  "Empty headers separated by CR (lenient)",
	  400, FIX_ADD_HOST, 400,
	  "bare CR: 400 (RFC 9112 §2.2); llhttp takes it only in a "
	  "lenient mode" },
	{ "lenient-version", 1,
	  "Invalid HTTP version (lenient)",
	  505, FIX_ADD_HOST, 505,
	  "HTTP/5.6: major version 5 is not ours, 505 (RFC 9110 §15.6.6; "
	  "§2.5 maps higher minor versions only); llhttp takes it only in"
	  " a lenient mode" },
	NO_HOST("method", 1, "REPORT request"),
	{ "method", 5,
	  "M-SEARCH request",
	  400, FIX_ADD_HOST, 400,
	  "asterisk-form with a method other than OPTIONS: 400 (RFC 9112 "
	  "§3.2.4)" },
	{ "method", 12,
	  "SOURCE request with ICE",
	  400, FIX_ADD_HOST, 400,
	  "ICE/1.0 is no HTTP-version: 400 (RFC 9112 §2.3)" },
	{ "method", 13,
	  "OPTIONS request with RTSP",
	  400, FIX_ADD_HOST, 400,
	  "RTSP/1.0 is no HTTP-version: 400 (RFC 9112 §2.3)" },
	{ "method", 14,
	  "ANNOUNCE request with RTSP",
	  400, FIX_ADD_HOST, 400,
	  "RTSP/1.0 is no HTTP-version: 400 (RFC 9112 §2.3)" },
	NO_HOST("pausing", 1, "on_message_begin"),
	NO_HOST("pausing", 2, "on_message_complete"),
	NO_HOST("pausing", 3, "on_protocol_complete"),
	NO_HOST("pausing", 4, "on_method_complete"),
	NO_HOST("pausing", 5, "on_url_complete"),
	NO_HOST("pausing", 6, "on_version_complete"),
	NO_HOST("pausing", 7, "on_header_field_complete"),
	NO_HOST("pausing", 8, "on_header_value_complete"),
	NO_HOST("pausing", 9, "on_headers_complete"),
	NO_HOST("pausing", 10, "on_chunk_header"),
	NO_HOST("pausing", 11, "on_chunk_extension_name"),
	NO_HOST("pausing", 12, "on_chunk_extension_value"),
	NO_HOST("pausing", 13, "on_chunk_complete"),
	NO_HOST("pipelining", 1, "Should parse multiple events"),
	NO_HOST("sample", 1, "Simple request"),
	NO_HOST("sample", 2, "Request with method starting with `H`"),
	NO_HOST("sample", 5, "DUMBPACK"),
	NO_HOST("sample", 6, "No headers and no body"),
	NO_HOST("sample", 7, "One header and no body"),
	NO_HOST("sample", 9, "Prefix newline"),
	{ "sample", 10,
	  "No HTTP version",
	  400, FIX_ADD_HOST, 400,
	  "HTTP/0.9 request-line without a version: 400 (RFC 9112 §3)" },
	{ "sample", 11,
	  "Line folding in header value with CRLF",
	  400, FIX_ADD_HOST, 400,
	  "obs-fold: 400 (RFC 9112 §5.2); llhttp takes it only in a "
	  "lenient mode" },
	{ "sample", 14,
	  "No LF after CR (lenient)",
	  400, FIX_ADD_HOST, 400,
	  "bare CR: 400 (RFC 9112 §2.2); llhttp waits only in lenient "
	  "mode" },
	NO_HOST("sample", 15, "Request starting with CRLF"),
	NO_HOST("sample", 16, "Extended Characters"),
	NO_HOST("sample", 17, "255 ASCII in header value"),
	{ "sample", 18,
	  "X-SSL-Nonsense",
	  400, FIX_ADD_HOST, 400,
	  "obs-fold: 400 (RFC 9112 §5.2); llhttp takes it only in a "
	  "lenient mode" },
	NO_HOST("transfer-encoding", 1, "Parsing and setting flag"),
	NO_HOST("transfer-encoding", 2, "Parse chunks with lowercase size"),
	NO_HOST("transfer-encoding", 3, "Parse chunks with uppercase size"),
	NO_HOST("transfer-encoding", 4, "POST with `Transfer-Encoding: chunked`"),
	NO_HOST("transfer-encoding", 5, "Two chunks and triple zero prefixed end chunk"),
	NO_HOST("transfer-encoding", 6, "Trailing headers"),
	NO_HOST("transfer-encoding", 7, "Chunk extensions"),
	NO_HOST("transfer-encoding", 10, "Chunk extensions quoting"),
	NO_HOST("transfer-encoding", 11, "Unbalanced chunk extensions quoting"),
	{ "transfer-encoding", 14,
	  "POST with `Transfer-Encoding` and `Content-Length` (lenient)",
	  400, FIX_ADD_HOST, 400,
	  "Transfer-Encoding with Content-Length: 400 (RFC 9112 §6.1); "
	  "llhttp takes it only in a lenient mode" },
	{ "transfer-encoding", 18,
	  "POST with `chunked` before other transfer-coding (lenient)",
	  400, FIX_ADD_HOST, 400,
	  "chunked is not the final coding: 400 (RFC 9112 §6.3); llhttp "
	  "takes it only in a lenient mode" },
	{ "transfer-encoding", 19,
	  "POST with `chunked` and duplicate transfer-encoding (lenient)",
	  400, FIX_ADD_HOST, 400,
	  "chunked is not the final coding: 400 (RFC 9112 §6.3); llhttp "
	  "takes it only in a lenient mode" },
	{ "transfer-encoding", 20,
	  "POST with `chunked` as last transfer-encoding",
	  400, FIX_ADD_HOST, 501,
	  "no Host: 400 (RFC 9112 §3.2); with it, deflate is a coding we "
	  "do not implement: 501 (RFC 9112 §6.1)" },
	{ "transfer-encoding", 21,
	  "POST with `chunked` as last transfer-encoding (multiple headers)",
	  400, FIX_ADD_HOST, 501,
	  "no Host: 400 (RFC 9112 §3.2); with it, deflate is a coding we "
	  "do not implement: 501 (RFC 9112 §6.1)" },
	NO_HOST("transfer-encoding", 23, "Missing last-chunk"),
	NO_HOST("transfer-encoding", 24, "Validate chunk parameters"),
	NO_HOST("transfer-encoding", 30, "Space after chunk header"),
	NO_HOST("transfer-encoding", 31, "Space after chunk header (lenient)"),
	NO_HOST("uri", 1, "Quotes in URI"),
	NO_HOST("uri", 2, "Query URL with question mark"),
	NO_HOST("uri", 3, "Host terminated by a query string"),
	NO_HOST("uri", 4, "`host:port` terminated by a query string"),
	NO_HOST("uri", 5, "Query URL with vertical bar character"),
	NO_HOST("uri", 6, "`host:port` terminated by a space"),
	NO_HOST("uri", 8, "Fragment in URI"),
	{ "uri", 10,
	  "`host:port` and basic auth",
	  400, FIX_ADD_HOST, 400,
	  "userinfo in an http URI: 400 (RFC 9110 §4.2.4)" },
	{ NULL, 0, NULL, 0, FIX_NONE, 0, NULL }
};

static const char *const ll_files[] = {
	"connection", "content-length", "finish", "invalid",
	"lenient-header-value-relaxed", "lenient-headers", "lenient-version",
	"method", "pausing", "pipelining", "sample", "transfer-encoding",
	"uri",
};

static struct ll_vector *ll_vectors;
static size_t ll_count, ll_cap;
static char ll_error[1200];		/* why loading failed, if it did */
static bool ll_used[sizeof(ll_deviations) / sizeof(ll_deviations[0])];

/* Appends the UTF-8 encoding of v (a JavaScript string unit: the tests
 * hand llhttp UTF-8 bytes). */
static size_t
ll_put_utf8(char *out, unsigned long v)
{
	if (v < 0x80) {
		out[0] = (char)v;
		return 1;
	}
	if (v < 0x800) {
		out[0] = (char)(0xc0 | (v >> 6));
		out[1] = (char)(0x80 | (v & 0x3f));
		return 2;
	}
	out[0] = (char)(0xe0 | ((v >> 12) & 0x0f));
	out[1] = (char)(0x80 | ((v >> 6) & 0x3f));
	out[2] = (char)(0x80 | (v & 0x3f));
	return 3;
}

/*
 * The escapes of llhttp's md-test.ts: drop the final newline, drop
 * backslash-newline, newlines become CRLF, then \r \n \t \f \xH.. and
 * octal \N{1,3} are expanded.  Returns a malloc'ed buffer.
 */
static char *
ll_unescape(const char *text, size_t n, size_t *outlen)
{
	char *tmp = malloc(2 * n + 1), *out = malloc(3 * n + 1);
	size_t t = 0, o = 0;

	if (tmp == NULL || out == NULL)
		abort();
	if (n > 0 && text[n - 1] == '\n')
		n--;
	for (size_t i = 0; i < n; i++) {
		if (text[i] == '\\' && i + 1 < n && text[i + 1] == '\n') {
			i++;
			continue;
		}
		if (text[i] == '\n')
			tmp[t++] = '\r';
		tmp[t++] = text[i];
	}
	for (size_t i = 0; i < t; i++) {
		char c = tmp[i + 1 < t ? i + 1 : i];

		if (tmp[i] != '\\' || i + 1 == t) {
			out[o++] = tmp[i];
			continue;
		}
		if (c == 'r' || c == 'n' || c == 't' || c == 'f') {
			out[o++] = c == 'r' ? '\r' : c == 'n' ? '\n' :
			    c == 't' ? '\t' : '\f';
			i++;
		} else if (c == 'x' && i + 2 < t && util_hexval(tmp[i + 2]) >= 0) {
			unsigned long v = 0;

			for (i += 2; i < t && util_hexval(tmp[i]) >= 0; i++)
				v = v * 16 + (unsigned long)util_hexval(tmp[i]);
			i--;
			o += ll_put_utf8(out + o, v & 0xffff);
		} else if (c >= '0' && c <= '7') {
			unsigned long v = 0;
			int k = 0;

			for (i++; k < 3 && i < t && tmp[i] >= '0' &&
			    tmp[i] <= '7'; i++, k++)
				v = v * 8 + (unsigned long)(tmp[i] - '0');
			i--;
			o += ll_put_utf8(out + o, v);
		} else {
			out[o++] = tmp[i];
		}
	}
	free(tmp);
	*outlen = o;
	return out;
}

static enum ll_verdict
ll_verdict_of(const char *log)
{
	long hc_off = -1;

	for (const char *l = log; *l != '\0'; l = strchr(l, '\n') + 1) {
		long off = strtol(l + 4, NULL, 10);
		const char *nl = strchr(l, '\n'), *err = strstr(l, " error code=");

		if (nl == NULL)
			break;
		if (err != NULL && err > nl)
			err = NULL;
		if (hc_off < 0 && strncmp(l, "off=", 4) == 0 &&
		    strstr(l, " headers complete ") != NULL &&
		    strstr(l, " headers complete ") < nl) {
			hc_off = off;
			continue;
		}
		if (err == NULL)
			continue;
		if (hc_off < 0)
			return LL_REJECT;
		/* Raised by on_headers_complete (Transfer-Encoding checks)
		 * at the same offset: still about the header block.  Code
		 * 22 is the CONNECT/Upgrade pause, no error. */
		if (off == hc_off && strtol(err + 12, NULL, 10) != 22)
			return LL_REJECT;
	}
	return hc_off >= 0 ? LL_ACCEPT : LL_INCOMPLETE;
}

static void
ll_add(const struct ll_vector *v)
{
	if (ll_count == ll_cap) {
		ll_cap = ll_cap ? 2 * ll_cap : 64;
		ll_vectors = realloc(ll_vectors, ll_cap * sizeof(*v));
		if (ll_vectors == NULL)
			abort();
	}
	ll_vectors[ll_count++] = *v;
}

/* Copies the text between the fence line at *pos and the closing "```"
 * (each line with its '\n'); moves *pos past the closing fence. */
static char *
ll_block(const char *md, size_t *pos, size_t *n)
{
	const char *start = strchr(md + *pos, '\n'), *end;
	char *copy;

	if (start == NULL)
		return NULL;
	start++;
	for (end = start; strncmp(end, "```", 3) != 0; end++) {
		end = strchr(end, '\n');
		if (end == NULL)
			return NULL;
	}
	*n = (size_t)(end - start);
	copy = malloc(*n + 1);
	if (copy == NULL)
		abort();
	memcpy(copy, start, *n);
	copy[*n] = '\0';
	*pos = (size_t)(end - md) + 3;
	return copy;
}

static bool
ll_load_file(const char *dir, const char *name)
{
	char path[1024], *md;
	FILE *fp;
	long size;
	size_t pos = 0;
	struct ll_vector v;
	int ordinal = 0;

	snprintf(path, sizeof(path), "%s/tests/data/llhttp/request/%s.md", dir,
	    name);
	fp = fopen(path, "rb");
	if (fp == NULL) {
		snprintf(ll_error, sizeof(ll_error), "cannot open %s", path);
		return false;
	}
	fseek(fp, 0, SEEK_END);
	size = ftell(fp);
	rewind(fp);
	md = malloc((size_t)size + 1);
	if (md == NULL || fread(md, 1, (size_t)size, fp) != (size_t)size)
		abort();
	md[size] = '\0';
	fclose(fp);

	memset(&v, 0, sizeof(v));
	snprintf(v.file, sizeof(v.file), "%s", name);
	while (md[pos] != '\0') {
		const char *line = md + pos, *nl = strchr(line, '\n');
		size_t linelen = nl ? (size_t)(nl - line) : strlen(line);

		if (line[0] == '#') {
			const char *t = line;

			while (*t == '#' || *t == ' ')
				t++;
			snprintf(v.title, sizeof(v.title), "%.*s",
			    (int)(linelen - (size_t)(t - line)), t);
		} else if (strncmp(line, "<!-- meta=", 10) == 0) {
			const char *ty = strstr(line, "\"type\"");

			v.type[0] = '\0';
			if (ty != NULL && ty < line + linelen &&
			    (ty = strchr(ty + 6, '"')) != NULL)
				snprintf(v.type, sizeof(v.type), "%.*s",
				    (int)strcspn(ty + 1, "\""), ty + 1);
		} else if (strncmp(line, "```http", 7) == 0 &&
		    linelen == 7) {
			size_t n, logn;
			char *text = ll_block(md, &pos, &n), *log;
			const char *lf = strstr(md + pos, "\n```log\n");

			if (text == NULL || lf == NULL)
				goto bad;
			pos = (size_t)(lf - md) + 1;
			log = ll_block(md, &pos, &logn);
			if (log == NULL)
				goto bad;
			v.ordinal = ++ordinal;
			v.raw = ll_unescape(text, n, &v.len);
			v.llhttp = ll_verdict_of(log);
			free(text);
			free(log);
			ll_add(&v);
			continue;
		}
		pos += linelen + (nl ? 1 : 0);
	}
	free(md);
	return true;
bad:
	snprintf(ll_error, sizeof(ll_error), "%s: unterminated block", path);
	free(md);
	return false;
}

static void
ll_load(void)
{
	const char *dir = getenv("FORKHTTPD_SRCDIR");

	if (dir == NULL || *dir == '\0')
		dir = ".";
	for (size_t i = 0; i < sizeof(ll_files) / sizeof(ll_files[0]); i++)
		if (!ll_load_file(dir, ll_files[i]))
			return;
}

static void
ll_free(void)
{
	for (size_t i = 0; i < ll_count; i++)
		free(ll_vectors[i].raw);
	free(ll_vectors);
}

static const struct ll_deviation *
ll_deviation_for(const struct ll_vector *v)
{
	for (size_t i = 0; ll_deviations[i].file != NULL; i++)
		if (strcmp(ll_deviations[i].file, v->file) == 0 &&
		    ll_deviations[i].ordinal == v->ordinal)
			return &ll_deviations[i];
	return NULL;
}

static int
ll_run(const char *buf, size_t len)
{
	struct http_request req;
	size_t end = 0;
	int status = frame_and_parse(buf, len, &dflt, &req, &end);

	if (status != INCOMPLETE)
		check_slices(buf, len, &req, __LINE__);
	return status;
}

/* The vector with a fix applied; malloc'ed. */
static char *
ll_fixed(const struct ll_vector *v, enum ll_fix fix, size_t *len)
{
	static const char host[] = "Host: example.com\r\n";
	static const char crlf2[] = "\r\n\r\n";
	char *out = malloc(v->len + sizeof(host) + sizeof(crlf2));
	size_t at = v->len;

	if (out == NULL)
		abort();
	if (fix == FIX_ADD_HOST) {
		/* after the leading empty lines and the request line */
		at = 0;
		while (at + 1 < v->len && v->raw[at] == '\r' &&
		    v->raw[at + 1] == '\n')
			at += 2;
		while (at + 1 < v->len && !(v->raw[at] == '\r' &&
		    v->raw[at + 1] == '\n'))
			at++;
		at = at + 2 <= v->len ? at + 2 : v->len;
	}
	memcpy(out, v->raw, at);
	*len = at;
	if (fix == FIX_ADD_HOST) {
		memcpy(out + *len, host, sizeof(host) - 1);
		*len += sizeof(host) - 1;
	} else {
		memcpy(out + *len, crlf2, sizeof(crlf2) - 1);
		*len += sizeof(crlf2) - 1;
	}
	memcpy(out + *len, v->raw + at, v->len - at);
	*len += v->len - at;
	return out;
}

static const char *
ll_verdict_name(enum ll_verdict v)
{
	return v == LL_ACCEPT ? "accept" : v == LL_REJECT ? "reject" :
	    "incomplete";
}

START_TEST(test_llhttp_vector)
{
	const struct ll_vector *v = &ll_vectors[_i];
	const struct ll_deviation *d = ll_deviation_for(v);
	int status = ll_run(v->raw, v->len);

	if (d == NULL) {
		bool ok = v->llhttp == LL_ACCEPT ? status == 0 :
		    v->llhttp == LL_REJECT ?
		    status != 0 && status != INCOMPLETE :
		    status == INCOMPLETE;

		ck_assert_msg(ok, "%s.md #%d \"%s\" (%s): llhttp says %s, "
		    "we say %d", v->file, v->ordinal, v->title, v->type,
		    ll_verdict_name(v->llhttp), status);
		return;
	}
	ck_assert_msg(strcmp(d->title, v->title) == 0,
	    "%s.md #%d: the deviation is for \"%s\", the vector is \"%s\"",
	    v->file, v->ordinal, d->title, v->title);
	ck_assert_msg(status == d->expect, "%s.md #%d \"%s\": we say %d, the "
	    "deviation table says %d", v->file, v->ordinal, v->title, status,
	    d->expect);
	if (d->fix != FIX_NONE) {
		size_t len;
		char *buf = ll_fixed(v, d->fix, &len);

		status = ll_run(buf, len);
		free(buf);
		ck_assert_msg(status == d->expect_fixed, "%s.md #%d \"%s\" "
		    "fixed: we say %d, want %d", v->file, v->ordinal, v->title,
		    status, d->expect_fixed);
	}
}
END_TEST

/* The vectors are there, and every row of the table names one of them. */
START_TEST(test_llhttp_loaded)
{
	size_t n = sizeof(ll_deviations) / sizeof(ll_deviations[0]) - 1;

	ck_assert_msg(ll_error[0] == '\0', "%s", ll_error);
	ck_assert_msg(ll_count >= 160, "only %zu llhttp vectors", ll_count);
	for (size_t i = 0; i < ll_count; i++) {
		const struct ll_deviation *d = ll_deviation_for(&ll_vectors[i]);

		if (d != NULL)
			ll_used[d - ll_deviations] = true;
	}
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(ll_used[i], "deviation %s.md #%d \"%s\" matches "
		    "no vector", ll_deviations[i].file, ll_deviations[i].ordinal,
		    ll_deviations[i].title);
}
END_TEST

/* ------------------------------------------------------------------ */

static Suite *
http_parse_suite(void)
{
	Suite *s = suite_create("http_parse");
	TCase *tc;

	tc = tcase_create("parse");
	tcase_add_loop_test(tc, test_parse_table, 0,
	    (int)(sizeof(parse_rows) / sizeof(parse_rows[0])));
	tcase_add_test(tc, test_slices);
	tcase_add_test(tc, test_all_fields);
	tcase_add_test(tc, test_no_fields);
	tcase_add_loop_test(tc, test_field_table, 0, NFIELD_ROWS);
	suite_add_tcase(s, tc);

	tc = tcase_create("frame");
	tcase_add_loop_test(tc, test_frame_table, 0,
	    (int)(sizeof(frame_rows) / sizeof(frame_rows[0])));
	tcase_add_loop_test(tc, test_frame_prefixes, 0,
	    (int)(sizeof(prefix_samples) / sizeof(prefix_samples[0])));
	tcase_add_test(tc, test_pipelined);
	tcase_add_test(tc, test_default_limits);
	suite_add_tcase(s, tc);

	tc = tcase_create("llhttp");
	tcase_add_test(tc, test_llhttp_loaded);
	tcase_add_loop_test(tc, test_llhttp_vector, 0, (int)ll_count);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	int status;

	ll_load();
	status = unit_run(http_parse_suite());
	ll_free();
	return status;
}
