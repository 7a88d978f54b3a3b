/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_http_response.c - IMF-fixdate formatting, the exact bytes of the
 * status line and header fields (and that a short buffer is never written
 * past), validators, Accept-Ranges, Content-Range and multipart
 * responses, the error pages, and the name tables of http.c.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "http.h"
#include "http_response.h"
#include "range.h"

#include "../lib/unit.h"

#define ROWS(a) ((int)(sizeof(a) / sizeof((a)[0])))

#define DATE "Sun, 06 Nov 1994 08:49:37 GMT"
#define SERVER "Server: " PACKAGE_NAME "/" PACKAGE_VERSION "\r\n"
#define HEAD(status) "HTTP/1.1 " status "\r\nDate: " DATE "\r\n" SERVER

#define CANARY 0xa5

/* ------------------------------------------------------------------ */
/* http_date_format */

/*
 * The hand-written calendar against gmtime_r() and strftime(): every
 * day of 1900..2100 at a time of day that moves, and a spread of times
 * from year 1000 to 9999 (strftime() pads no year below 1000).
 */
START_TEST(test_date_against_libc)
{
	char got[HTTP_DATE_LEN], want[HTTP_DATE_LEN];
	int64_t first = -2208988800LL, last = 4133980799LL;	/* 1900, 2100 */

	for (int64_t t = first, k = 0; t <= last; t += 86400 + 7, k++) {
		struct tm tm;
		time_t tt = (time_t)(t + (k * 3607) % 86400);

		if (tt > last)
			break;
		gmtime_r(&tt, &tm);
		strftime(want, sizeof(want), "%a, %d %b %Y %H:%M:%S GMT", &tm);
		http_date_format(tt, got);
		ck_assert_msg(strcmp(got, want) == 0, "%lld: got \"%s\", want "
		    "\"%s\"", (long long)tt, got, want);
	}
	for (int64_t t = -30610224000LL; t < 253402300799LL;
	    t += 99999989LL) {
		struct tm tm;
		time_t tt = (time_t)t;

		gmtime_r(&tt, &tm);
		strftime(want, sizeof(want), "%a, %d %b %Y %H:%M:%S GMT", &tm);
		http_date_format(tt, got);
		ck_assert_msg(strcmp(got, want) == 0, "%lld: got \"%s\", want "
		    "\"%s\"", (long long)tt, got, want);
	}
}
END_TEST

static const struct {
	time_t t;
	const char *want;
	const char *note;
} date_cases[] = {
	{ 0, "Thu, 01 Jan 1970 00:00:00 GMT", "the epoch" },
	{ 784111777, "Sun, 06 Nov 1994 08:49:37 GMT", "RFC 9110 5.6.7 example" },
	{ 1709210096, "Thu, 29 Feb 2024 12:34:56 GMT", "leap day" },
	{ 951868799, "Tue, 29 Feb 2000 23:59:59 GMT",
	    "leap day of a century leap year" },
	{ 1700000000, "Tue, 14 Nov 2023 22:13:20 GMT", "two-digit day" },
	{ -1, "Wed, 31 Dec 1969 23:59:59 GMT", "before the epoch" },
	{ (time_t)253402300799LL, "Fri, 31 Dec 9999 23:59:59 GMT",
	    "the last second that fits" },
	{ (time_t)253402300800LL, "", "a five-digit year does not fit: empty" },
};

START_TEST(test_date)
{
	char out[HTTP_DATE_LEN + 8];

	/* GMT whatever the local zone says. */
	setenv("TZ", "EST5EDT", 1);
	tzset();
	memset(out, CANARY, sizeof(out));
	http_date_format(date_cases[_i].t, out);
	ck_assert_msg(strcmp(out, date_cases[_i].want) == 0,
	    "%s: got \"%s\", want \"%s\"", date_cases[_i].note, out,
	    date_cases[_i].want);
	for (size_t i = HTTP_DATE_LEN; i < sizeof(out); i++)
		ck_assert_msg((unsigned char)out[i] == CANARY,
		    "%s: byte %zu written", date_cases[_i].note, i);
	if (date_cases[_i].want[0] != '\0')
		ck_assert_uint_eq(strlen(out), HTTP_DATE_LEN - 1);
}
END_TEST

/* ------------------------------------------------------------------ */
/* http_response_format */

static const struct {
	int status;
	const char *content_type;
	long long content_length;
	time_t last_modified;
	const char *location;	/* copied, location_len bytes */
	size_t location_len;
	const char *allow;
	bool keep_alive, say_keep_alive, head_only;
	const char *want;
	const char *note;
} format_cases[] = {
	{ 200, "text/html", 1234, 784111777, NULL, 0, NULL, true, false, false,
	    HEAD("200 OK")
	    "Content-Type: text/html\r\n"
	    "Content-Length: 1234\r\n"
	    "Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
	    "\r\n",
	    "file, keep-alive (HTTP/1.1 default): no Connection field" },
	{ 200, "text/html", 1234, 784111777, NULL, 0, NULL, false, false, false,
	    HEAD("200 OK")
	    "Content-Type: text/html\r\n"
	    "Content-Length: 1234\r\n"
	    "Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
	    "Connection: close\r\n"
	    "\r\n",
	    "file, closing" },
	{ 200, "text/html", 1234, 784111777, NULL, 0, NULL, true, true, false,
	    HEAD("200 OK")
	    "Content-Type: text/html\r\n"
	    "Content-Length: 1234\r\n"
	    "Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
	    "Connection: keep-alive\r\n"
	    "\r\n",
	    "file, HTTP/1.0 keep-alive said out loud" },
	{ 200, "text/plain", 5, 0, NULL, 0, NULL, false, true, false,
	    HEAD("200 OK")
	    "Content-Type: text/plain\r\n"
	    "Content-Length: 5\r\n"
	    "Connection: close\r\n"
	    "\r\n",
	    "closing wins over say_keep_alive; no Last-Modified at 0" },
	{ 200, "image/png", 5000000000LL, 1709210096, NULL, 0, NULL, true,
	    false, true,
	    HEAD("200 OK")
	    "Content-Type: image/png\r\n"
	    "Content-Length: 5000000000\r\n"
	    "Last-Modified: Thu, 29 Feb 2024 12:34:56 GMT\r\n"
	    "\r\n",
	    "HEAD, length beyond 32 bits" },
	{ 301, "text/html", 10, 0, "/dir/", 5, NULL, true, false, false,
	    HEAD("301 Moved Permanently")
	    "Content-Type: text/html\r\n"
	    "Content-Length: 10\r\n"
	    "Location: /dir/\r\n"
	    "\r\n",
	    "redirect with Location" },
	{ 301, NULL, -1, 0, "/a/b?q=1XXXX", 8, NULL, false, false, false,
	    HEAD("301 Moved Permanently")
	    "Location: /a/b?q=1\r\n"
	    "Connection: close\r\n"
	    "\r\n",
	    "Location is location_len bytes, not up to a NUL" },
	{ 405, "text/html", 0, 0, NULL, 0, "GET, HEAD, OPTIONS", true, false,
	    false,
	    HEAD("405 Method Not Allowed")
	    "Content-Type: text/html\r\n"
	    "Content-Length: 0\r\n"
	    "Allow: GET, HEAD, OPTIONS\r\n"
	    "\r\n",
	    "405 with Allow, zero length" },
	{ 200, NULL, 0, 0, NULL, 0, "GET, HEAD, OPTIONS", true, false, false,
	    HEAD("200 OK")
	    "Content-Length: 0\r\n"
	    "Allow: GET, HEAD, OPTIONS\r\n"
	    "\r\n",
	    "RFC 9110 9.3.7: OPTIONS, Content-Length 0 and Allow" },
	{ 200, NULL, -1, 0, NULL, 0, NULL, true, false, false,
	    HEAD("200 OK")
	    "\r\n",
	    "no type, length -1: neither field" },
	{ 304, NULL, -1, 784111777, NULL, 0, NULL, true, false, false,
	    HEAD("304 Not Modified")
	    "Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
	    "\r\n",
	    "304" },
	{ 299, NULL, -1, 0, NULL, 0, NULL, false, false, false,
	    HEAD("299 Unknown")
	    "Connection: close\r\n"
	    "\r\n",
	    "a status without a reason phrase" },
};

static void
fill_response(struct http_response *r, int row)
{
	http_response_init(r);
	r->status = format_cases[row].status;
	r->content_type = format_cases[row].content_type;
	r->content_length = (off_t)format_cases[row].content_length;
	r->last_modified = format_cases[row].last_modified;
	r->allow = format_cases[row].allow;
	r->keep_alive = format_cases[row].keep_alive;
	r->say_keep_alive = format_cases[row].say_keep_alive;
	r->head_only = format_cases[row].head_only;
	if (format_cases[row].location != NULL) {
		memcpy(r->location, format_cases[row].location,
		    strlen(format_cases[row].location));
		r->location_len = format_cases[row].location_len;
	}
}

START_TEST(test_format)
{
	static struct http_response r;
	char buf[4096];
	size_t n;

	fill_response(&r, _i);
	memset(buf, CANARY, sizeof(buf));
	n = http_response_format(&r, DATE, buf, sizeof(buf));
	ck_assert_msg(n == strlen(format_cases[_i].want) &&
	    memcmp(buf, format_cases[_i].want, n) == 0,
	    "%s:\n got (%zu) \"%.*s\"\nwant (%zu) \"%s\"", format_cases[_i].note,
	    n, (int)n, buf, strlen(format_cases[_i].want),
	    format_cases[_i].want);
}
END_TEST

/* Every cap below the full length fails without writing past cap. */
START_TEST(test_format_short)
{
	static struct http_response r;
	size_t len = strlen(format_cases[_i].want);
	char buf[1024];
	size_t n;

	ck_assert_uint_lt(len + 2, sizeof(buf));
	fill_response(&r, _i);
	for (size_t cap = 0; cap < len; cap++) {
		memset(buf, CANARY, sizeof(buf));
		n = http_response_format(&r, DATE, buf, cap);
		ck_assert_msg(n == 0, "%s: cap %zu of %zu returned %zu",
		    format_cases[_i].note, cap, len, n);
		for (size_t i = cap; i < sizeof(buf); i++)
			ck_assert_msg((unsigned char)buf[i] == CANARY,
			    "%s: cap %zu: byte %zu written",
			    format_cases[_i].note, cap, i);
	}
	/* One spare byte is enough, and nothing after it is touched. */
	memset(buf, CANARY, sizeof(buf));
	n = http_response_format(&r, DATE, buf, len + 1);
	ck_assert_uint_eq(n, len);
	ck_assert(memcmp(buf, format_cases[_i].want, len) == 0);
	for (size_t i = len + 1; i < sizeof(buf); i++)
		ck_assert_msg((unsigned char)buf[i] == CANARY,
		    "%s: cap %zu: byte %zu written", format_cases[_i].note,
		    len + 1, i);
}
END_TEST

/* The longest Location the struct holds goes out whole. */
START_TEST(test_format_long_location)
{
	static struct http_response r;
	static char buf[HTTP_LOCATION_MAX + 512];
	static const char want_head[] = HEAD("301 Moved Permanently")
	    "Location: ";
	size_t n, hl = strlen(want_head);

	http_response_init(&r);
	r.status = 301;
	r.keep_alive = true;
	memset(r.location, 'a', sizeof(r.location));
	r.location_len = sizeof(r.location);
	n = http_response_format(&r, DATE, buf, sizeof(buf));
	ck_assert_uint_eq(n, hl + HTTP_LOCATION_MAX + 4);
	ck_assert(memcmp(buf, want_head, hl) == 0);
	for (size_t i = 0; i < HTTP_LOCATION_MAX; i++)
		ck_assert_int_eq(buf[hl + i], 'a');
	ck_assert(memcmp(buf + hl + HTTP_LOCATION_MAX, "\r\n\r\n", 4) == 0);
}
END_TEST

START_TEST(test_response_init)
{
	static struct http_response r;

	memset(&r, 0x5a, sizeof(r));
	http_response_init(&r);
	ck_assert_int_eq(r.status, HTTP_STATUS_NONE);
	ck_assert_ptr_null(r.content_type);
	ck_assert_int_eq(r.content_length, -1);
	ck_assert_int_eq(r.last_modified, 0);
	ck_assert_ptr_null(r.allow);
	ck_assert(!r.keep_alive);
	ck_assert(!r.say_keep_alive);
	ck_assert(!r.head_only);
	ck_assert_int_eq(r.body, HTTP_BODY_NONE);
	ck_assert_ptr_null(r.mem);
	ck_assert_uint_eq(r.mem_len, 0);
	ck_assert_int_eq(r.fd, -1);
	ck_assert_int_eq(r.offset, 0);
	ck_assert_uint_eq(r.location_len, 0);
	ck_assert_uint_eq(r.etag_len, 0);
	ck_assert(!r.accept_ranges);
	ck_assert(!r.content_range);
	ck_assert(!r.range_unsatisfied);
	ck_assert_uint_eq(r.range_first, 0);
	ck_assert_uint_eq(r.range_last, 0);
	ck_assert_uint_eq(r.range_complete, 0);
	ck_assert_ptr_null(r.ranges);
	ck_assert_ptr_null(r.boundary);
}
END_TEST

/* ------------------------------------------------------------------ */
/* http_response_format: validators and ranges */

#define ETAG "\"1a2b-1a-17a5c1e2f3d4c5b6\""
#define BOUNDARY "forkhttpd-0123456789abcdef"

static struct range_set two_ranges = { { { 0, 4 }, { 10, 12 } }, 2 };

static const struct {
	int status;
	const char *content_type;
	long long content_length;
	time_t last_modified;
	const char *etag;	/* NULL: none */
	bool accept_ranges;
	bool content_range, unsatisfied;
	unsigned long long first, last, complete;
	bool multipart;		/* HTTP_BODY_RANGES of two_ranges */
	bool keep_alive;
	const char *want;
	const char *note;
} range_format_cases[] = {
	{ 200, "text/plain", 26, 784111777, ETAG, true, false, false,
	    0, 0, 0, false, true,
	    HEAD("200 OK")
	    "Content-Type: text/plain\r\n"
	    "Content-Length: 26\r\n"
	    "Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
	    "ETag: " ETAG "\r\n"
	    "Accept-Ranges: bytes\r\n"
	    "\r\n",
	    "RFC 9110 8.8.3, 14.3: a file with ETag and Accept-Ranges" },
	{ 206, "text/plain", 5, 784111777, ETAG, true, true, false,
	    0, 4, 26, false, true,
	    HEAD("206 Partial Content")
	    "Content-Type: text/plain\r\n"
	    "Content-Length: 5\r\n"
	    "Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
	    "ETag: " ETAG "\r\n"
	    "Accept-Ranges: bytes\r\n"
	    "Content-Range: bytes 0-4/26\r\n"
	    "\r\n",
	    "RFC 9110 14.4: range-resp \"first-last/complete\"" },
	{ 206, "application/octet-stream", 10, 0, NULL, false, true, false,
	    5000000000ULL, 5000000009ULL, 6000000000ULL, false, false,
	    HEAD("206 Partial Content")
	    "Content-Type: application/octet-stream\r\n"
	    "Content-Length: 10\r\n"
	    "Content-Range: bytes 5000000000-5000000009/6000000000\r\n"
	    "Connection: close\r\n"
	    "\r\n",
	    "Content-Range beyond 32 bits" },
	{ 416, "text/html", 100, 0, NULL, false, true, true, 7, 9, 26, false,
	    true,
	    HEAD("416 Range Not Satisfiable")
	    "Content-Type: text/html\r\n"
	    "Content-Length: 100\r\n"
	    "Content-Range: bytes */26\r\n"
	    "\r\n",
	    "RFC 9110 14.4: unsatisfied-range \"*/complete\", first-last unused" },
	{ 206, "text/plain", 300, 784111777, ETAG, true, false, false,
	    0, 0, 26, true, true,
	    HEAD("206 Partial Content")
	    "Content-Type: multipart/byteranges; boundary=" BOUNDARY "\r\n"
	    "Content-Length: 300\r\n"
	    "Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
	    "ETag: " ETAG "\r\n"
	    "Accept-Ranges: bytes\r\n"
	    "\r\n",
	    "RFC 9110 14.6: multipart/byteranges with its boundary, not the "
	    "file's type" },
	{ 206, NULL, 300, 0, NULL, false, false, false, 0, 0, 26, true, true,
	    HEAD("206 Partial Content")
	    "Content-Type: multipart/byteranges; boundary=" BOUNDARY "\r\n"
	    "Content-Length: 300\r\n"
	    "\r\n",
	    "multipart even when the file has no type" },
	{ 304, NULL, -1, 784111777, ETAG, false, false, false, 0, 0, 0, false,
	    true,
	    HEAD("304 Not Modified")
	    "Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
	    "ETag: " ETAG "\r\n"
	    "\r\n",
	    "RFC 9110 15.4.5: 304 with validators, no Content-Length" },
	{ 200, "text/plain", -1, 0, ETAG, true, false, false, 0, 0, 0, false,
	    false,
	    HEAD("200 OK")
	    "Content-Type: text/plain\r\n"
	    "ETag: " ETAG "\r\n"
	    "Accept-Ranges: bytes\r\n"
	    "Connection: close\r\n"
	    "\r\n",
	    "content_length -1: no Content-Length" },
};

static void
fill_range_response(struct http_response *r, int row)
{
	http_response_init(r);
	r->status = range_format_cases[row].status;
	r->content_type = range_format_cases[row].content_type;
	r->content_length = (off_t)range_format_cases[row].content_length;
	r->last_modified = range_format_cases[row].last_modified;
	if (range_format_cases[row].etag != NULL) {
		r->etag_len = strlen(range_format_cases[row].etag);
		memcpy(r->etag, range_format_cases[row].etag, r->etag_len);
	}
	r->accept_ranges = range_format_cases[row].accept_ranges;
	r->content_range = range_format_cases[row].content_range;
	r->range_unsatisfied = range_format_cases[row].unsatisfied;
	r->range_first = range_format_cases[row].first;
	r->range_last = range_format_cases[row].last;
	r->range_complete = range_format_cases[row].complete;
	if (range_format_cases[row].multipart) {
		r->body = HTTP_BODY_RANGES;
		r->ranges = &two_ranges;
		r->boundary = BOUNDARY;
	}
	r->keep_alive = range_format_cases[row].keep_alive;
}

START_TEST(test_format_ranges)
{
	static struct http_response r;
	const char *want = range_format_cases[_i].want;
	size_t n, len = strlen(want);
	char buf[1024];

	fill_range_response(&r, _i);
	memset(buf, CANARY, sizeof(buf));
	n = http_response_format(&r, DATE, buf, sizeof(buf));
	ck_assert_msg(n == len && memcmp(buf, want, n) == 0,
	    "%s:\n got (%zu) \"%.*s\"\nwant (%zu) \"%s\"",
	    range_format_cases[_i].note, n, (int)n, buf, len, want);

	/* Every cap below the full length fails within cap. */
	for (size_t cap = 0; cap < len; cap++) {
		memset(buf, CANARY, sizeof(buf));
		ck_assert_uint_eq(http_response_format(&r, DATE, buf, cap), 0);
		for (size_t i = cap; i < sizeof(buf); i++)
			ck_assert_msg((unsigned char)buf[i] == CANARY,
			    "%s: cap %zu: byte %zu written",
			    range_format_cases[_i].note, cap, i);
	}
	ck_assert_uint_eq(http_response_format(&r, DATE, buf, len + 1), len);
}
END_TEST

/* The longest tag HTTP_ETAG_MAX allows goes out whole. */
START_TEST(test_format_long_etag)
{
	static struct http_response r;
	char buf[1024], want[1024];
	size_t n;

	http_response_init(&r);
	r.status = 304;
	r.keep_alive = true;
	r.etag_len = HTTP_ETAG_MAX;
	memset(r.etag, 'f', sizeof(r.etag));
	r.etag[0] = '"';
	r.etag[HTTP_ETAG_MAX - 1] = '"';
	n = http_response_format(&r, DATE, buf, sizeof(buf));
	snprintf(want, sizeof(want), HEAD("304 Not Modified") "ETag: %.*s\r\n"
	    "\r\n", HTTP_ETAG_MAX, r.etag);
	ck_assert_uint_eq(n, strlen(want));
	ck_assert(memcmp(buf, want, n) == 0);
}
END_TEST

/* ------------------------------------------------------------------ */
/* http_response_error */

static const struct {
	int status;
	int page;	/* whose page it gets */
	const char *note;
} error_cases[] = {
	{ 301, 301, "redirect" },
	{ 302, 302, "redirect (routes)" },
	{ 303, 303, "redirect (routes)" },
	{ 307, 307, "redirect (routes)" },
	{ 308, 308, "redirect (routes)" },
	{ 400, 400, "bad request" },
	{ 402, 402, "RFC 9110 15.5.3 (respond)" },
	{ 406, 406, "RFC 9110 15.5.7 (respond)" },
	{ 407, 407, "RFC 9110 15.5.8 (respond)" },
	{ 409, 409, "RFC 9110 15.5.10 (respond)" },
	{ 410, 410, "RFC 9110 15.5.11: gone (respond)" },
	{ 415, 415, "RFC 9110 15.5.16 (respond)" },
	{ 421, 421, "RFC 9110 15.5.20" },
	{ 422, 422, "RFC 9110 15.5.21 (respond)" },
	{ 426, 426, "RFC 9110 15.5.22 (respond)" },
	{ 428, 428, "RFC 6585 3 (respond)" },
	{ 429, 429, "RFC 6585 4 (respond)" },
	{ 451, 451, "RFC 7725 3 (respond)" },
	{ 511, 511, "RFC 6585 6 (respond)" },
	{ 401, 401, "RFC 9110 15.5.2: unauthorized (auth-basic)" },
	{ 403, 403, "forbidden" },
	{ 404, 404, "not found" },
	{ 405, 405, "method not allowed" },
	{ 408, 408, "timeout" },
	{ 411, 411, "length required" },
	{ 412, 412, "RFC 9110 15.5.13: precondition failed" },
	{ 413, 413, "content too large" },
	{ 414, 414, "URI too long" },
	{ 416, 416, "RFC 9110 15.5.17: range not satisfiable" },
	{ 417, 417, "RFC 9110 15.5.18: expectation failed" },
	{ 431, 431, "header too large" },
	{ 500, 500, "internal error" },
	{ 501, 501, "not implemented" },
	{ 502, 502, "bad gateway" },
	{ 503, 503, "unavailable" },
	{ 504, 504, "gateway timeout" },
	{ 505, 505, "version" },
	{ 418, 400, "unknown 4xx: the 400 page" },
	{ 499, 400, "unknown 4xx: the 400 page" },
	{ 599, 500, "unknown 5xx: the 500 page" },
	{ 507, 500, "5xx without a page: the 500 page" },
	{ 399, 302, "3xx without a page: the 302 page" },
};

START_TEST(test_error_page)
{
	static struct http_response r;
	int status = error_cases[_i].status, page = error_cases[_i].page;
	char title[128], h1[128];
	const char *body;

	http_response_init(&r);
	r.status = 200;
	r.content_type = "image/png";
	r.content_length = 999;
	r.last_modified = 784111777;
	r.body = HTTP_BODY_MEM;
	r.mem = "stale";
	r.mem_len = 5;
	r.offset = 3;
	r.keep_alive = true;
	r.say_keep_alive = true;
	r.head_only = true;
	r.allow = "GET";
	memcpy(r.location, "/x/", 3);
	r.location_len = 3;
	memcpy(r.etag, ETAG, strlen(ETAG));
	r.etag_len = strlen(ETAG);
	r.accept_ranges = true;
	r.content_range = true;
	r.range_unsatisfied = true;
	r.range_first = 1;
	r.range_last = 2;
	r.range_complete = 26;

	http_response_error(&r, status);

	ck_assert_int_eq(r.status, status);
	ck_assert_str_eq(r.content_type, "text/html");
	ck_assert_int_eq(r.body, HTTP_BODY_MEM);
	ck_assert_ptr_nonnull(r.mem);
	body = r.mem;
	ck_assert_uint_eq(r.mem_len, strlen(body));
	ck_assert_int_eq(r.content_length, (off_t)strlen(body));
	ck_assert_int_eq(r.last_modified, 0);
	ck_assert_int_eq(r.offset, 0);
	ck_assert_int_eq(r.fd, -1);
	/* Left alone. */
	ck_assert(r.keep_alive);
	ck_assert(r.say_keep_alive);
	ck_assert(r.head_only);
	ck_assert_str_eq(r.allow, "GET");
	ck_assert_uint_eq(r.location_len, 3);
	ck_assert(memcmp(r.location, "/x/", 3) == 0);
	/* The page is no representation of the file: its validators go. */
	ck_assert_uint_eq(r.etag_len, 0);
	ck_assert(!r.accept_ranges);
	/* Content-Range stays for a 416, which must say the length, and
	 * goes for any other status (RFC 9110 §14.4). */
	if (status == HTTP_STATUS_RANGE_NOT_SATISFIABLE) {
		ck_assert(r.content_range);
		ck_assert(r.range_unsatisfied);
		ck_assert_uint_eq(r.range_complete, 26);
	} else {
		ck_assert(!r.content_range);
		ck_assert(!r.range_unsatisfied);
	}

	snprintf(title, sizeof(title), "<title>%d %s</title>", page,
	    http_status_reason(page));
	snprintf(h1, sizeof(h1), "<h1>%d %s</h1>", page,
	    http_status_reason(page));
	ck_assert_msg(strstr(body, title) != NULL, "%s: no %s in\n%s",
	    error_cases[_i].note, title, body);
	ck_assert_msg(strstr(body, h1) != NULL, "%s: no %s in\n%s",
	    error_cases[_i].note, h1, body);
	ck_assert(strncmp(body, "<!DOCTYPE html>\n", 16) == 0);
	ck_assert(strlen(body) > 16 &&
	    strcmp(body + strlen(body) - 8, "</html>\n") == 0);
}
END_TEST

/* The same status always gets the same, static page. */
START_TEST(test_error_page_static)
{
	static struct http_response a, b;

	http_response_init(&a);
	http_response_init(&b);
	http_response_error(&a, 404);
	http_response_error(&b, 404);
	ck_assert_ptr_eq(a.mem, b.mem);
	http_response_error(&b, 403);
	ck_assert_ptr_ne(a.mem, b.mem);
	ck_assert_str_ne(a.mem, b.mem);
}
END_TEST

START_TEST(test_error_closes_file)
{
	static struct http_response r;
	int fd = open("/dev/null", O_RDONLY);

	ck_assert_int_ge(fd, 0);
	http_response_init(&r);
	r.status = 200;
	r.body = HTTP_BODY_FILE;
	r.fd = fd;
	r.offset = 100;
	r.content_length = 4096;
	http_response_error(&r, 500);
	errno = 0;
	ck_assert_int_eq(fcntl(fd, F_GETFD), -1);
	ck_assert_int_eq(errno, EBADF);
	ck_assert_int_eq(r.fd, -1);
	ck_assert_int_eq(r.body, HTTP_BODY_MEM);
	ck_assert_int_eq(r.offset, 0);
	ck_assert_int_eq(r.status, 500);
	/* A second error on the same response closes nothing more. */
	http_response_error(&r, 404);
	ck_assert_int_eq(r.fd, -1);
	ck_assert_int_eq(r.status, 404);
}
END_TEST

/*
 * A multipart 206 made an error (a body over body-max, read after the
 * file was chosen) closes its file too; a leaked fd per request was the
 * bug.
 */
START_TEST(test_error_closes_ranges_file)
{
	static struct http_response r;
	int fd = open("/dev/null", O_RDONLY);

	ck_assert_int_ge(fd, 0);
	http_response_init(&r);
	r.status = 206;
	r.body = HTTP_BODY_RANGES;
	r.fd = fd;
	r.boundary = "forkhttpd-0123456789abcdef";
	http_response_error(&r, 413);
	errno = 0;
	ck_assert_int_eq(fcntl(fd, F_GETFD), -1);
	ck_assert_int_eq(errno, EBADF);
	ck_assert_int_eq(r.fd, -1);
	ck_assert_int_eq(r.body, HTTP_BODY_MEM);
}
END_TEST

/*
 * RFC 9110 §14.4: Content-Range belongs to 206 and 416.  A single-range
 * 206 made a 413 must not say "Content-Range: bytes 0-4/26".
 */
START_TEST(test_error_drops_content_range)
{
	static struct http_response r;
	char buf[1024];
	size_t n;

	http_response_init(&r);
	r.status = 206;
	r.content_range = true;
	r.range_first = 0;
	r.range_last = 4;
	r.range_complete = 26;
	http_response_error(&r, 413);
	ck_assert(!r.content_range && !r.range_unsatisfied);
	n = http_response_format(&r, DATE, buf, sizeof(buf));
	ck_assert_uint_gt(n, 0);
	buf[n] = '\0';
	ck_assert_msg(strstr(buf, "Content-Range") == NULL, "got \"%s\"", buf);
}
END_TEST

/* An error response formats with its page's length and the kept fields. */
START_TEST(test_error_formatted)
{
	static struct http_response r;
	char buf[1024], want[1024];
	size_t n;

	http_response_init(&r);
	r.keep_alive = false;
	memcpy(r.location, "/docs/", 6);
	r.location_len = 6;
	http_response_error(&r, 301);
	n = http_response_format(&r, DATE, buf, sizeof(buf));
	snprintf(want, sizeof(want), HEAD("301 Moved Permanently")
	    "Content-Type: text/html\r\n"
	    "Content-Length: %zu\r\n"
	    "Location: /docs/\r\n"
	    "Connection: close\r\n"
	    "\r\n", strlen(r.mem));
	ck_assert_uint_eq(n, strlen(want));
	ck_assert(memcmp(buf, want, n) == 0);

	http_response_init(&r);
	r.keep_alive = true;
	r.allow = "GET, HEAD";
	http_response_error(&r, 405);
	n = http_response_format(&r, DATE, buf, sizeof(buf));
	snprintf(want, sizeof(want), HEAD("405 Method Not Allowed")
	    "Content-Type: text/html\r\n"
	    "Content-Length: %zu\r\n"
	    "Allow: GET, HEAD\r\n"
	    "\r\n", strlen(r.mem));
	ck_assert_uint_eq(n, strlen(want));
	ck_assert(memcmp(buf, want, n) == 0);
}
END_TEST

/*
 * The error pages of the new statuses, formatted: the 416 keeps its
 * "Content-Range: bytes * /complete" (RFC 9110 §15.5.17), loses the
 * file's ETag and Accept-Ranges; a 405 keeps Allow.
 */
START_TEST(test_error_formatted_ranges)
{
	static struct http_response r;
	char buf[1024], want[1024];
	size_t n;

	/* What static_serve() leaves for a 416: the file's fields, open. */
	http_response_init(&r);
	r.keep_alive = true;
	r.status = 416;
	r.body = HTTP_BODY_FILE;
	r.fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(r.fd, 0);
	r.content_type = "text/plain";
	r.content_length = 26;
	r.last_modified = 784111777;
	memcpy(r.etag, ETAG, strlen(ETAG));
	r.etag_len = strlen(ETAG);
	r.accept_ranges = true;
	r.content_range = true;
	r.range_unsatisfied = true;
	r.range_complete = 26;
	{
		int fd = r.fd;

		http_response_error(&r, 416);
		errno = 0;
		ck_assert_int_eq(fcntl(fd, F_GETFD), -1);
		ck_assert_int_eq(errno, EBADF);
	}
	n = http_response_format(&r, DATE, buf, sizeof(buf));
	snprintf(want, sizeof(want), HEAD("416 Range Not Satisfiable")
	    "Content-Type: text/html\r\n"
	    "Content-Length: %zu\r\n"
	    "Content-Range: bytes */26\r\n"
	    "\r\n", strlen(r.mem));
	ck_assert_msg(n == strlen(want) && memcmp(buf, want, n) == 0,
	    "got \"%.*s\"", (int)n, buf);

	/* A 412: the page alone, nothing of the file. */
	http_response_init(&r);
	r.keep_alive = false;
	r.status = 412;
	r.body = HTTP_BODY_FILE;
	r.fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(r.fd, 0);
	r.content_type = "text/plain";
	r.last_modified = 784111777;
	memcpy(r.etag, ETAG, strlen(ETAG));
	r.etag_len = strlen(ETAG);
	r.accept_ranges = true;
	http_response_error(&r, 412);
	ck_assert_int_eq(r.fd, -1);
	n = http_response_format(&r, DATE, buf, sizeof(buf));
	snprintf(want, sizeof(want), HEAD("412 Precondition Failed")
	    "Content-Type: text/html\r\n"
	    "Content-Length: %zu\r\n"
	    "Connection: close\r\n"
	    "\r\n", strlen(r.mem));
	ck_assert_msg(n == strlen(want) && memcmp(buf, want, n) == 0,
	    "got \"%.*s\"", (int)n, buf);

	/* A 417 with the page of its own. */
	http_response_init(&r);
	r.keep_alive = false;
	http_response_error(&r, 417);
	ck_assert_ptr_nonnull(strstr(r.mem, "<h1>417 Expectation Failed</h1>"));
	n = http_response_format(&r, DATE, buf, sizeof(buf));
	snprintf(want, sizeof(want), HEAD("417 Expectation Failed")
	    "Content-Type: text/html\r\n"
	    "Content-Length: %zu\r\n"
	    "Connection: close\r\n"
	    "\r\n", strlen(r.mem));
	ck_assert_msg(n == strlen(want) && memcmp(buf, want, n) == 0,
	    "got \"%.*s\"", (int)n, buf);

	/* The 405 the router makes: Allow with OPTIONS. */
	http_response_init(&r);
	r.keep_alive = true;
	r.allow = "GET, HEAD, OPTIONS";
	http_response_error(&r, 405);
	n = http_response_format(&r, DATE, buf, sizeof(buf));
	snprintf(want, sizeof(want), HEAD("405 Method Not Allowed")
	    "Content-Type: text/html\r\n"
	    "Content-Length: %zu\r\n"
	    "Allow: GET, HEAD, OPTIONS\r\n"
	    "\r\n", strlen(r.mem));
	ck_assert_msg(n == strlen(want) && memcmp(buf, want, n) == 0,
	    "got \"%.*s\"", (int)n, buf);
}
END_TEST

/* ------------------------------------------------------------------ */
/* http.c: names */

static const struct {
	int status;
	const char *reason;
} reason_cases[] = {
	{ 100, "Continue" },
	{ 200, "OK" },
	{ 204, "No Content" },
	{ 206, "Partial Content" },
	{ 301, "Moved Permanently" },
	{ 304, "Not Modified" },
	{ 400, "Bad Request" },
	{ 403, "Forbidden" },
	{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 408, "Request Timeout" },
	{ 411, "Length Required" },
	{ 412, "Precondition Failed" },
	{ 413, "Content Too Large" },
	{ 414, "URI Too Long" },
	{ 416, "Range Not Satisfiable" },
	{ 417, "Expectation Failed" },
	{ 431, "Request Header Fields Too Large" },
	{ 500, "Internal Server Error" },
	{ 501, "Not Implemented" },
	{ 503, "Service Unavailable" },
	{ 505, "HTTP Version Not Supported" },
	{ 101, "Switching Protocols" },
	{ 201, "Created" },
	{ 202, "Accepted" },
	{ 302, "Found" },
	{ 303, "See Other" },
	{ 307, "Temporary Redirect" },
	{ 308, "Permanent Redirect" },
	{ 401, "Unauthorized" },
	{ 421, "Misdirected Request" },
	{ 429, "Too Many Requests" },
	{ 502, "Bad Gateway" },
	{ 504, "Gateway Timeout" },
	{ 0, "Unknown" },
	{ 418, "Unknown" },
	{ 599, "Unknown" },
	{ -404, "Unknown" },
	{ 1404, "Unknown" },
};

/* A handler's own fields and reason phrase reach the wire; what is not
 * a field is refused, and nothing of it is kept. */
START_TEST(test_extra_fields)
{
	struct http_response resp;
	char buf[8192];
	size_t n;

	http_response_init(&resp);
	resp.status = 299;
	resp.reason = "Fine Indeed";
	resp.keep_alive = true;
	resp.content_length = 0;
	ck_assert_int_eq(http_response_add_field(&resp, "X-Frame-Options", 15,
	    "DENY", 4), 0);
	ck_assert_int_eq(http_response_add_field(&resp, "Set-Cookie", 10,
	    "a=1", 3), 0);
	ck_assert_int_eq(http_response_add_field(&resp, "Set-Cookie", 10,
	    "b=2", 3), 0);
	ck_assert_int_eq(http_response_add_field(&resp, "Bad Name", 8, "x",
	    1), -1);
	ck_assert_int_eq(http_response_add_field(&resp, "", 0, "x", 1), -1);
	ck_assert_int_eq(http_response_add_field(&resp, "X-Split", 7,
	    "a\r\nX-Injected: 1", 16), -1);
	ck_assert_int_eq(http_response_add_field(&resp, "X-Nul", 5, "a\0b",
	    3), -1);
	ck_assert_int_eq(http_response_add_field(&resp, "X-Space", 7, " a",
	    2), -1);
	ck_assert_uint_eq(resp.nfields, 3);
	n = http_response_format(&resp, "Sun, 06 Nov 1994 08:49:37 GMT", buf,
	    sizeof(buf) - 1);
	ck_assert_uint_gt(n, 0);
	buf[n] = '\0';
	ck_assert_msg(strncmp(buf, "HTTP/1.1 299 Fine Indeed\r\n", 26) == 0,
	    "%s", buf);
	ck_assert_ptr_nonnull(strstr(buf, "\r\nX-Frame-Options: DENY\r\n"
	    "Set-Cookie: a=1\r\nSet-Cookie: b=2\r\n"));
	ck_assert_ptr_null(strstr(buf, "Injected"));
	ck_assert_ptr_null(strstr(buf, "Bad Name"));
}
END_TEST

/* The room is bounded: the field that does not fit is refused whole. */
START_TEST(test_extra_fields_full)
{
	static char big[HTTP_FIELD_BYTES];
	struct http_response resp;
	unsigned i;

	http_response_init(&resp);
	memset(big, 'v', sizeof(big));
	ck_assert_int_eq(http_response_add_field(&resp, "X", 1, big,
	    sizeof(big)), -1);
	ck_assert_int_eq(http_response_add_field(&resp, "X", 1, big,
	    sizeof(big) - 1), 0);
	ck_assert_int_eq(http_response_add_field(&resp, "Y", 1, "", 0), -1);
	http_response_init(&resp);
	for (i = 0; i < HTTP_FIELDS_MAX; i++)
		ck_assert_int_eq(http_response_add_field(&resp, "Z", 1, "1", 1),
		    0);
	ck_assert_int_eq(http_response_add_field(&resp, "Z", 1, "1", 1), -1);
	ck_assert_uint_eq(resp.nfields, HTTP_FIELDS_MAX);
}
END_TEST

START_TEST(test_status_reason)
{
	ck_assert_str_eq(http_status_reason(reason_cases[_i].status),
	    reason_cases[_i].reason);
}
END_TEST

static const struct {
	const char *p;
	size_t len;
	enum http_method want;
	const char *note;
} method_cases[] = {
	{ "GET", 3, HTTP_METHOD_GET, "GET" },
	{ "HEAD", 4, HTTP_METHOD_HEAD, "HEAD" },
	{ "POST", 4, HTTP_METHOD_POST, "POST" },
	{ "PUT", 3, HTTP_METHOD_PUT, "PUT" },
	{ "DELETE", 6, HTTP_METHOD_DELETE, "DELETE" },
	{ "CONNECT", 7, HTTP_METHOD_CONNECT, "CONNECT" },
	{ "OPTIONS", 7, HTTP_METHOD_OPTIONS, "OPTIONS" },
	{ "TRACE", 5, HTTP_METHOD_TRACE, "TRACE" },
	{ "PATCH", 5, HTTP_METHOD_PATCH, "PATCH" },
	{ "get", 3, HTTP_METHOD_UNKNOWN, "RFC 9110 9.1: case-sensitive" },
	{ "Get", 3, HTTP_METHOD_UNKNOWN, "mixed case" },
	{ "head", 4, HTTP_METHOD_UNKNOWN, "lower-case HEAD" },
	{ "GETS", 4, HTTP_METHOD_UNKNOWN, "longer" },
	{ "GE", 2, HTTP_METHOD_UNKNOWN, "a prefix" },
	{ "", 0, HTTP_METHOD_UNKNOWN, "empty" },
	{ " GET", 4, HTTP_METHOD_UNKNOWN, "leading space" },
	{ "GET ", 4, HTTP_METHOD_UNKNOWN, "trailing space" },
	{ "GETX", 3, HTTP_METHOD_GET, "only len bytes count" },
	{ "HEADER", 4, HTTP_METHOD_HEAD, "only len bytes count" },
	{ "G\0T", 3, HTTP_METHOD_UNKNOWN, "NUL inside" },
	{ "PRI", 3, HTTP_METHOD_UNKNOWN, "HTTP/2 preface method" },
};

START_TEST(test_method_lookup)
{
	ck_assert_msg(http_method_lookup(method_cases[_i].p,
	    method_cases[_i].len) == method_cases[_i].want, "%s",
	    method_cases[_i].note);
}
END_TEST

START_TEST(test_method_name)
{
	ck_assert_str_eq(http_method_name(HTTP_METHOD_UNKNOWN), "");
	ck_assert_str_eq(http_method_name(HTTP_METHOD_GET), "GET");
	ck_assert_str_eq(http_method_name(HTTP_METHOD_PATCH), "PATCH");
	ck_assert_str_eq(http_method_name(HTTP_METHOD_COUNT), "");
	ck_assert_str_eq(http_method_name((enum http_method)-1), "");
	ck_assert_str_eq(http_method_name((enum http_method)99), "");
	/* Every name looks itself up. */
	for (int m = HTTP_METHOD_GET; m < HTTP_METHOD_COUNT; m++) {
		const char *name = http_method_name((enum http_method)m);

		ck_assert_msg(name[0] != '\0', "method %d has no name", m);
		ck_assert_int_eq(http_method_lookup(name, strlen(name)), m);
	}
}
END_TEST

static const struct {
	const char *p;
	size_t len;
	const char *lit;
	bool want;
	const char *note;
} nocase_cases[] = {
	{ "close", 5, "close", true, "same" },
	{ "CLOSE", 5, "close", true, "upper" },
	{ "Keep-Alive", 10, "keep-alive", true, "mixed" },
	{ "closed", 5, "close", true, "only len bytes of the slice" },
	{ "closed", 6, "close", false, "slice longer" },
	{ "clos", 4, "close", false, "slice shorter" },
	{ "", 0, "", true, "both empty" },
	{ "x", 0, "", true, "empty slice of a longer buffer" },
	{ "", 0, "x", false, "empty slice, non-empty literal" },
	{ "clo\0e", 5, "close", false, "NUL in the slice" },
	{ "c1ose", 5, "close", false, "one byte differs" },
	{ "close ", 6, "close", false, "trailing space" },
	{ "\xc9", 1, "\xe9", false, "no case folding beyond ASCII" },
};

START_TEST(test_slice_eq_nocase)
{
	struct http_slice s = { nocase_cases[_i].p, nocase_cases[_i].len };

	ck_assert_msg(http_slice_eq_nocase(s, nocase_cases[_i].lit) ==
	    nocase_cases[_i].want, "%s", nocase_cases[_i].note);
}
END_TEST

/* ------------------------------------------------------------------ */

static Suite *
http_response_suite(void)
{
	Suite *s = suite_create("http_response");
	TCase *tc;

	tc = tcase_create("date");
	tcase_add_test(tc, test_date_against_libc);
	tcase_add_loop_test(tc, test_date, 0, ROWS(date_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("format");
	tcase_add_loop_test(tc, test_format, 0, ROWS(format_cases));
	tcase_add_loop_test(tc, test_format_short, 0, ROWS(format_cases));
	tcase_add_test(tc, test_format_long_location);
	tcase_add_loop_test(tc, test_format_ranges, 0,
	    ROWS(range_format_cases));
	tcase_add_test(tc, test_format_long_etag);
	tcase_add_test(tc, test_response_init);
	suite_add_tcase(s, tc);

	tc = tcase_create("error");
	tcase_add_loop_test(tc, test_error_page, 0, ROWS(error_cases));
	tcase_add_test(tc, test_error_page_static);
	tcase_add_test(tc, test_error_closes_file);
	tcase_add_test(tc, test_error_closes_ranges_file);
	tcase_add_test(tc, test_error_drops_content_range);
	tcase_add_test(tc, test_error_formatted);
	tcase_add_test(tc, test_error_formatted_ranges);
	suite_add_tcase(s, tc);

	tc = tcase_create("names");
	tcase_add_loop_test(tc, test_status_reason, 0, ROWS(reason_cases));
	tcase_add_test(tc, test_extra_fields);
	tcase_add_test(tc, test_extra_fields_full);
	tcase_add_loop_test(tc, test_method_lookup, 0, ROWS(method_cases));
	tcase_add_test(tc, test_method_name);
	tcase_add_loop_test(tc, test_slice_eq_nocase, 0, ROWS(nocase_cases));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(http_response_suite());
}
