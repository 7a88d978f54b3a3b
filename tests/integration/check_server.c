/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_server.c - drives the real forkhttpd binary over loopback sockets:
 * static files, keep-alive and pipelining, path traversal, malformed
 * requests, the access log, the worker supervision, shutdown, the
 * configuration test (-t), start-up errors and the command line; and
 * HTTP/1.1 proper: request bodies and their limits, Expect, validators,
 * conditionals, ranges, directory listings, and clients that stall,
 * read slowly, vanish or half-close.
 *
 * Test cases that only send requests share one server, started by an
 * unchecked fixture (once per test case, in the runner); the ones that
 * kill or stop the server get their own from a checked fixture.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "../lib/harness.h"

/* The server shared by a test case (unchecked fixture). */
static struct harness_server srv;
/* A server or scratch directory of one test (checked fixture). */
static struct harness_server own;

/* ---- fixtures ------------------------------------------------------------ */

static void
shared_setup(void)
{
	ck_assert_msg(harness_setup(&srv) == 0, "cannot create scratch dir");
	ck_assert_msg(harness_start(&srv, 2, NULL) == 0,
	    "cannot start %s (see %s)", harness_bin(), srv.dir);
}

static void
shared_teardown(void)
{
	bool ok = harness_stop(&srv);

	harness_cleanup(&srv, !ok);
}

static void
own_server_setup(void)
{
	ck_assert_msg(harness_setup(&own) == 0, "cannot create scratch dir");
	ck_assert_msg(harness_start(&own, 3, NULL) == 0,
	    "cannot start %s (see %s)", harness_bin(), own.dir);
}

static void
own_server_teardown(void)
{
	bool ok = true;

	if (own.pid > 0)
		ok = harness_stop(&own);
	harness_cleanup(&own, !ok);
}

static void
scratch_setup(void)
{
	ck_assert_msg(harness_setup(&own) == 0, "cannot create scratch dir");
}

static void
scratch_teardown(void)
{
	if (own.pid > 0) {
		kill(own.pid, SIGKILL);
		harness_wait_exit(&own, HARNESS_STOP_TIMEOUT_MS);
	}
	harness_cleanup(&own, false);
}

/* ---- helpers ------------------------------------------------------------- */

static bool
matches(const char *re, const char *s, regmatch_t *m, size_t nm)
{
	regex_t rx;
	int rc;

	if (regcomp(&rx, re, REG_EXTENDED | REG_NEWLINE) != 0)
		ck_abort_msg("bad regex %s", re);
	rc = regexec(&rx, s, nm, m, 0);
	regfree(&rx);
	return rc == 0;
}

#define DAYS	"(Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
#define MONTHS	"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"

/* An IMF-fixdate (RFC 9110 §5.6.7) as a time, or -1. */
static time_t
imf_fixdate(const char *v)
{
	struct tm tm;
	const char *end;

	if (!matches("^" DAYS ", [0-9]{2} " MONTHS " [0-9]{4} "
	    "[0-9]{2}:[0-9]{2}:[0-9]{2} GMT$", v, NULL, 0))
		return -1;
	memset(&tm, 0, sizeof(tm));
	end = strptime(v, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	if (end == NULL || *end != '\0')
		return -1;
	return timegm(&tm);
}

static void
format_imf(time_t t, char *out, size_t cap)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, cap, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

static void
get_ok(uint16_t port, const char *path, struct harness_response *r)
{
	ck_assert_msg(harness_request(port, "GET", path, NULL, r) == 0,
	    "GET %s: no complete response", path);
	ck_assert_msg(r->status == 200, "GET %s: status %d, want 200:\n%s",
	    path, r->status, r->head ? r->head : "");
}

/* The server answers GET / with 200 after whatever came before. */
static void
assert_still_serving(uint16_t port)
{
	struct harness_response r;

	get_ok(port, "/", &r);
	ck_assert_uint_eq(r.body_len, strlen(HARNESS_INDEX_HTML));
	harness_response_free(&r);
}

static void
assert_html_error(const struct harness_response *r, int status)
{
	char v[256];

	ck_assert_msg(r->status == status, "status %d, want %d:\n%s",
	    r->status, status, r->head ? r->head : "(none)");
	ck_assert_msg(harness_header(r, "Content-Type", v, sizeof(v)) &&
	    strncasecmp(v, "text/html", 9) == 0,
	    "%d without a text/html Content-Type:\n%s", status, r->head);
	ck_assert_msg(r->body_len > 0 && strchr(r->body, '<') != NULL,
	    "%d without an HTML body", status);
	ck_assert_msg(r->content_length == (long long)r->body_len,
	    "%d: Content-Length %lld, body %zu bytes", status,
	    r->content_length, r->body_len);
}

/* Text of one line of out containing both a and b? */
static bool
line_has_both(const char *out, const char *a, const char *b)
{
	const char *p = out;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *line = strndup(p, n);
		bool ok = strstr(line, a) && strstr(line, b);

		free(line);
		if (ok)
			return true;
		p = nl ? nl + 1 : NULL;
	}
	return false;
}

static int
exit_code(int st)
{
	return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* ---- static files --------------------------------------------------------- */

START_TEST(test_get_root)
{
	struct harness_response r;
	char v[256], want[64];
	struct stat st;
	time_t t;

	get_ok(srv.port, "/", &r);
	ck_assert_uint_eq(r.body_len, strlen(HARNESS_INDEX_HTML));
	ck_assert_str_eq(r.body, HARNESS_INDEX_HTML);

	ck_assert_msg(harness_header(&r, "Content-Type", v, sizeof(v)),
	    "no Content-Type:\n%s", r.head);
	ck_assert_msg(strncasecmp(v, "text/html", 9) == 0, "Content-Type %s", v);

	ck_assert_int_eq(harness_header_count(&r, "Content-Length"), 1);
	ck_assert_int_eq(r.content_length, (long long)strlen(HARNESS_INDEX_HTML));

	ck_assert_int_eq(harness_header_count(&r, "Date"), 1);
	ck_assert(harness_header(&r, "Date", v, sizeof(v)));
	t = imf_fixdate(v);
	ck_assert_msg(t != -1, "Date is not an IMF-fixdate: \"%s\"", v);
	ck_assert_msg(llabs((long long)(t - time(NULL))) < 120,
	    "Date %s is not now", v);

	ck_assert_msg(harness_header(&r, "Server", v, sizeof(v)) &&
	    strncmp(v, "forkhttpd", 9) == 0, "Server field:\n%s", r.head);

	ck_assert_msg(harness_header(&r, "Last-Modified", v, sizeof(v)),
	    "no Last-Modified:\n%s", r.head);
	ck_assert_msg(imf_fixdate(v) != -1, "Last-Modified \"%s\"", v);
	{
		char path[PATH_MAX + 16];

		snprintf(path, sizeof(path), "%s/index.html", srv.docroot);
		ck_assert_int_eq(stat(path, &st), 0);
	}
	format_imf(st.st_mtime, want, sizeof(want));
	ck_assert_str_eq(v, want);
	ck_assert_int_eq(r.minor, 1);
	harness_response_free(&r);
}
END_TEST

START_TEST(test_get_files)
{
	struct harness_response r;
	unsigned char *large = malloc(HARNESS_LARGE_SIZE);
	char v[256];

	ck_assert_ptr_nonnull(large);
	harness_large_content(large, HARNESS_LARGE_SIZE);
	get_ok(srv.port, "/large.bin", &r);
	ck_assert_int_eq(r.content_length, HARNESS_LARGE_SIZE);
	ck_assert_uint_eq(r.body_len, HARNESS_LARGE_SIZE);
	ck_assert_msg(memcmp(r.body, large, HARNESS_LARGE_SIZE) == 0,
	    "large.bin body differs from the file");
	harness_response_free(&r);
	free(large);

	get_ok(srv.port, "/one-k.txt", &r);
	ck_assert_uint_eq(r.body_len, HARNESS_ONE_K_SIZE);
	ck_assert_msg(harness_header(&r, "Content-Type", v, sizeof(v)) &&
	    strncasecmp(v, "text/plain", 10) == 0, "one-k.txt:\n%s", r.head);
	harness_response_free(&r);
}
END_TEST

START_TEST(test_head)
{
	static const char *const same[] = {
		"Content-Type", "Content-Length", "Last-Modified", "Server"
	};
	struct harness_response g, h;
	struct harness_buf out;
	char req[256], gv[256], hv[256];
	ssize_t used;
	size_t i;
	int rc;
	bool reset;

	get_ok(srv.port, "/known.txt", &g);
	ck_assert_str_eq(g.body, HARNESS_KNOWN_TEXT);

	snprintf(req, sizeof(req), "HEAD /known.txt HTTP/1.1\r\nHost: "
	    "127.0.0.1:%u\r\nConnection: close\r\n\r\n", (unsigned)srv.port);
	harness_buf_init(&out);
	rc = harness_roundtrip(srv.port, req, strlen(req), &out,
	    HARNESS_IO_TIMEOUT_MS, &reset);
	ck_assert_msg(rc == 0, "HEAD with Connection: close: not closed "
	    "within %d ms:\n%s", HARNESS_IO_TIMEOUT_MS, out.data);
	used = harness_parse_response(out.data, out.len, true, true, &h);
	ck_assert_msg(used > 0, "HEAD: not a response:\n%s", out.data);
	ck_assert_int_eq(h.status, 200);
	ck_assert_msg((size_t)used == out.len,
	    "HEAD: %zu bytes after the header block: \"%s\"",
	    out.len - (size_t)used, out.data + used);
	ck_assert_int_eq(h.content_length, (long long)strlen(HARNESS_KNOWN_TEXT));
	for (i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		ck_assert_msg(harness_header(&g, same[i], gv, sizeof(gv)),
		    "GET without %s", same[i]);
		ck_assert_msg(harness_header(&h, same[i], hv, sizeof(hv)),
		    "HEAD without %s:\n%s", same[i], h.head);
		ck_assert_msg(strcmp(gv, hv) == 0, "%s: GET \"%s\", HEAD \"%s\"",
		    same[i], gv, hv);
	}
	harness_response_free(&g);
	harness_response_free(&h);
	harness_buf_free(&out);
}
END_TEST

START_TEST(test_not_found)
{
	struct harness_response r;

	ck_assert_int_eq(harness_request(srv.port, "GET", "/no-such-file.html",
	    NULL, &r), 0);
	assert_html_error(&r, 404);
	harness_response_free(&r);
}
END_TEST

START_TEST(test_directories)
{
	struct harness_response r;
	char v[512];

	ck_assert_int_eq(harness_request(srv.port, "GET", "/subdir", NULL, &r), 0);
	ck_assert_msg(r.status == 301, "GET /subdir: %d\n%s", r.status, r.head);
	ck_assert_msg(harness_header(&r, "Location", v, sizeof(v)),
	    "301 without Location:\n%s", r.head);
	ck_assert_str_eq(v, "/subdir/");
	harness_response_free(&r);

	/* static.h: the query string is kept */
	ck_assert_int_eq(harness_request(srv.port, "GET", "/subdir?x=1", NULL,
	    &r), 0);
	ck_assert_int_eq(r.status, 301);
	ck_assert(harness_header(&r, "Location", v, sizeof(v)));
	ck_assert_str_eq(v, "/subdir/?x=1");
	harness_response_free(&r);

	get_ok(srv.port, "/subdir/", &r);
	ck_assert_str_eq(r.body, HARNESS_SUBDIR_HTML);
	ck_assert(harness_header(&r, "Content-Type", v, sizeof(v)));
	ck_assert_msg(strncasecmp(v, "text/html", 9) == 0, "%s", v);
	harness_response_free(&r);

	ck_assert_int_eq(harness_request(srv.port, "GET", "/noindex/", NULL,
	    &r), 0);
	assert_html_error(&r, 403);
	ck_assert_msg(strstr(r.body, "no index here") == NULL,
	    "403 shows the directory");
	harness_response_free(&r);
}
END_TEST

/* ---- connections --------------------------------------------------------- */

START_TEST(test_keepalive_11)
{
	struct harness_conn c;
	struct harness_response r;
	char v[128];

	ck_assert_int_eq(harness_conn_open(&c, srv.port), 0);
	ck_assert_int_eq(harness_conn_sendstr(&c,
	    "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"), 0);
	ck_assert_int_eq(harness_conn_read_response(&c, false, &r,
	    HARNESS_IO_TIMEOUT_MS), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.body, HARNESS_INDEX_HTML);
	ck_assert_msg(!harness_header(&r, "Connection", v, sizeof(v)) ||
	    strcasestr(v, "close") == NULL,
	    "HTTP/1.1 keep-alive answered with Connection: %s", v);
	harness_response_free(&r);

	ck_assert_int_eq(harness_conn_sendstr(&c,
	    "GET /known.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"), 0);
	ck_assert_msg(harness_conn_read_response(&c, false, &r,
	    HARNESS_IO_TIMEOUT_MS) == 0,
	    "no second response on a keep-alive connection (closed: %d)", c.eof);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.body, HARNESS_KNOWN_TEXT);
	harness_response_free(&r);
	harness_conn_close(&c);
}
END_TEST

START_TEST(test_http10_close)
{
	struct harness_conn c;
	struct harness_response r;
	char v[128];

	ck_assert_int_eq(harness_conn_open(&c, srv.port), 0);
	ck_assert_int_eq(harness_conn_sendstr(&c, "GET / HTTP/1.0\r\n\r\n"), 0);
	ck_assert_int_eq(harness_conn_read_response(&c, false, &r,
	    HARNESS_IO_TIMEOUT_MS), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.body, HARNESS_INDEX_HTML);
	ck_assert_msg(!harness_header(&r, "Connection", v, sizeof(v)) ||
	    strcasestr(v, "keep-alive") == NULL,
	    "HTTP/1.0 without keep-alive answered Connection: %s", v);
	ck_assert_msg(harness_conn_wait_eof(&c, 2000) == 1,
	    "HTTP/1.0 connection not closed after the response");
	harness_response_free(&r);
	harness_conn_close(&c);
}
END_TEST

START_TEST(test_http10_keepalive)
{
	struct harness_conn c;
	struct harness_response r;
	char v[128];
	static const char req[] =
	    "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n";

	ck_assert_int_eq(harness_conn_open(&c, srv.port), 0);
	ck_assert_int_eq(harness_conn_sendstr(&c, req), 0);
	ck_assert_int_eq(harness_conn_read_response(&c, false, &r,
	    HARNESS_IO_TIMEOUT_MS), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_msg(harness_header(&r, "Connection", v, sizeof(v)) &&
	    strcasestr(v, "keep-alive") != NULL,
	    "HTTP/1.0 keep-alive response lacks Connection: keep-alive:\n%s",
	    r.head);
	harness_response_free(&r);
	ck_assert_msg(harness_conn_wait_eof(&c, 300) == 0,
	    "HTTP/1.0 keep-alive connection closed after one response");
	ck_assert_int_eq(harness_conn_sendstr(&c, req), 0);
	ck_assert_int_eq(harness_conn_read_response(&c, false, &r,
	    HARNESS_IO_TIMEOUT_MS), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.body, HARNESS_INDEX_HTML);
	harness_response_free(&r);
	harness_conn_close(&c);
}
END_TEST

START_TEST(test_connection_close_11)
{
	struct harness_conn c;
	struct harness_response r;
	char v[128];

	ck_assert_int_eq(harness_conn_open(&c, srv.port), 0);
	ck_assert_int_eq(harness_conn_sendstr(&c, "GET / HTTP/1.1\r\n"
	    "Host: 127.0.0.1\r\nConnection: close\r\n\r\n"), 0);
	ck_assert_int_eq(harness_conn_read_response(&c, false, &r,
	    HARNESS_IO_TIMEOUT_MS), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_msg(harness_header(&r, "Connection", v, sizeof(v)) &&
	    strcasestr(v, "close") != NULL,
	    "response to Connection: close lacks Connection: close:\n%s",
	    r.head);
	ck_assert_msg(harness_conn_wait_eof(&c, 2000) == 1,
	    "connection not closed after Connection: close");
	harness_response_free(&r);
	harness_conn_close(&c);
}
END_TEST

START_TEST(test_pipelining)
{
	static const char req[] =
	    "GET /a HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
	    "HEAD /b HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
	    "GET /c HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
	struct harness_conn c;
	struct harness_response r;

	ck_assert_int_eq(harness_conn_open(&c, srv.port), 0);
	/* one write() */
	ck_assert_int_eq(send(c.fd, req, sizeof(req) - 1, MSG_NOSIGNAL),
	    (ssize_t)(sizeof(req) - 1));

	ck_assert_msg(harness_conn_read_response(&c, false, &r,
	    HARNESS_IO_TIMEOUT_MS) == 0, "no response to GET /a");
	ck_assert_int_eq(r.status, 200);
	ck_assert_msg(strstr(r.body, "content of a") != NULL, "body %s", r.body);
	harness_response_free(&r);

	ck_assert_msg(harness_conn_read_response(&c, true, &r,
	    HARNESS_IO_TIMEOUT_MS) == 0, "no response to HEAD /b (closed: %d)",
	    c.eof);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(r.content_length, 21);
	harness_response_free(&r);

	ck_assert_msg(harness_conn_read_response(&c, false, &r,
	    HARNESS_IO_TIMEOUT_MS) == 0, "no response to GET /c (closed: %d, "
	    "left: \"%s\")", c.eof, c.in.data);
	ck_assert_int_eq(r.status, 200);
	ck_assert_msg(strcmp(r.body, "content of c\n") == 0,
	    "third response body \"%s\" (HEAD /b sent a body?)", r.body);
	harness_response_free(&r);

	ck_assert_msg(harness_conn_wait_eof(&c, 2000) == 1,
	    "bytes or no close after the last pipelined response: \"%s\"",
	    c.in.data);
	harness_conn_close(&c);
}
END_TEST

/* ---- path traversal ------------------------------------------------------- */

static const struct {
	const char *target;
	int status;
} traversal[] = {
	{ "/../../etc/passwd", 400 },
	{ "/%2e%2e/%2e%2e/etc/passwd", 400 },
	{ "/%2E%2E/%2E%2E/etc/passwd", 400 },
	{ "/..%2f..%2fetc/passwd", 400 },
	{ "/%00", 400 },
	{ "/a%5c..%5c..%5cetc/passwd", 400 },
	{ "/../outside.txt", 400 },
	{ "/%2e%2e/outside.txt", 400 },
	{ "/subdir/../../outside.txt", 400 },
	{ "/subdir/%2e%2e/%2e%2e/outside.txt", 400 },
	{ "/escape", 403 },
};

START_TEST(test_traversal)
{
	struct harness_buf out;
	struct harness_response r;
	char req[512];
	const char *target = traversal[_i].target;
	int rc;

	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	    "Connection: close\r\n\r\n", target);
	harness_buf_init(&out);
	rc = harness_roundtrip(srv.port, req, strlen(req), &out,
	    HARNESS_IO_TIMEOUT_MS, NULL);
	ck_assert_msg(rc == 0, "GET %s: no close within %d ms", target,
	    HARNESS_IO_TIMEOUT_MS);
	ck_assert_msg(strstr(out.data, "root:") == NULL,
	    "GET %s leaked /etc/passwd:\n%s", target, out.data);
	ck_assert_msg(strstr(out.data, "OUTSIDE-SECRET") == NULL,
	    "GET %s leaked the file outside the root:\n%s", target, out.data);
	ck_assert_msg(harness_parse_response(out.data, out.len, false, true,
	    &r) > 0, "GET %s: not a response: \"%s\"", target, out.data);
	ck_assert_msg(r.status == traversal[_i].status,
	    "GET %s: status %d, want %d", target, r.status,
	    traversal[_i].status);
	assert_html_error(&r, traversal[_i].status);
	harness_response_free(&r);
	harness_buf_free(&out);
}
END_TEST

/* ---- malformed requests --------------------------------------------------- */

#define N_BAD_REQUESTS 8

static const char *const bad_names[N_BAD_REQUESTS] = {
	"no Host in HTTP/1.1", "garbage", "bare LF", "10000-byte target",
	"200 header fields", "20000-byte header", "HTTP/2.0", "DELETE"
};
static const int bad_status[N_BAD_REQUESTS] = {
	400, 400, 400, 414, 431, 431, 505, 405
};

static void
bad_request(int i, struct harness_buf *b)
{
	int k;

	switch (i) {
	case 0:
		harness_buf_appendf(b, "GET / HTTP/1.1\r\n\r\n");
		break;
	case 1:
		harness_buf_appendf(b, "HELLO\r\n\r\n");
		break;
	case 2:
		harness_buf_appendf(b, "GET / HTTP/1.1\nHost: 127.0.0.1\n\n");
		break;
	case 3:
		harness_buf_appendf(b, "GET /");
		for (k = 1; k < 10000; k++)
			harness_buf_append(b, "a", 1);
		harness_buf_appendf(b, " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
		break;
	case 4:
		harness_buf_appendf(b, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n");
		for (k = 0; k < 200; k++)
			harness_buf_appendf(b, "X-Field-%d: v\r\n", k);
		harness_buf_appendf(b, "\r\n");
		break;
	case 5:
		harness_buf_appendf(b, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		    "X-Big: ");
		for (k = 0; k < 20000; k++)
			harness_buf_append(b, "b", 1);
		harness_buf_appendf(b, "\r\n\r\n");
		break;
	case 6:
		harness_buf_appendf(b, "GET / HTTP/2.0\r\nHost: 127.0.0.1\r\n\r\n");
		break;
	default:
		harness_buf_appendf(b, "DELETE / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		    "Connection: close\r\n\r\n");
		break;
	}
}

START_TEST(test_bad_request)
{
	struct harness_conn c;
	struct harness_response r;
	struct harness_buf req;
	char v[256];
	int rc;

	harness_buf_init(&req);
	bad_request(_i, &req);
	ck_assert_int_eq(harness_conn_open(&c, srv.port), 0);
	/* the server may answer before reading it all: keep going */
	(void)harness_conn_send(&c, req.data, req.len);
	rc = harness_conn_read_response(&c, false, &r, HARNESS_IO_TIMEOUT_MS);
	ck_assert_msg(rc == 0, "%s: no complete response (closed %d, reset %d, "
	    "got %zu bytes: \"%.200s\")", bad_names[_i], c.eof, c.reset,
	    c.in.len, c.in.data);
	ck_assert_msg(r.status == bad_status[_i], "%s: status %d, want %d:\n%s",
	    bad_names[_i], r.status, bad_status[_i], r.head);
	assert_html_error(&r, bad_status[_i]);
	if (bad_status[_i] == 405) {
		ck_assert_msg(harness_header(&r, "Allow", v, sizeof(v)),
		    "405 without Allow:\n%s", r.head);
		ck_assert_msg(strstr(v, "GET") && strstr(v, "HEAD"),
		    "Allow: %s", v);
	}
	harness_response_free(&r);
	harness_conn_close(&c);
	harness_buf_free(&req);
	assert_still_serving(srv.port);
}
END_TEST

/* ---- access log ----------------------------------------------------------- */

struct log_wait {
	const char *needle;
	char *line;
};

static bool
access_line(void *arg)
{
	struct log_wait *w = arg;
	char *text = harness_read_file(&srv, "access.log", NULL);
	char *p, *nl;

	if (text == NULL)
		return false;
	p = strstr(text, w->needle);
	if (p == NULL) {
		free(text);
		return false;
	}
	while (p > text && p[-1] != '\n')
		p--;
	nl = strchr(p, '\n');
	if (nl == NULL) {	/* not complete yet */
		free(text);
		return false;
	}
	w->line = strndup(p, (size_t)(nl - p));
	free(text);
	return true;
}

START_TEST(test_access_log)
{
	struct harness_response r;
	struct log_wait w;
	char ua[128], hdr[256], re[512], bytes[32];
	regmatch_t m[4];
	struct tm tm;
	const char *end;

	snprintf(ua, sizeof(ua), "check-server/%ld-%ld", (long)getpid(),
	    (long)harness_now_ms());
	snprintf(hdr, sizeof(hdr), "User-Agent: %s\r\n", ua);
	get_ok(srv.port, "/", &r);
	harness_response_free(&r);
	ck_assert_int_eq(harness_request(srv.port, "GET", "/", hdr, &r), 0);
	ck_assert_int_eq(r.status, 200);
	harness_response_free(&r);

	w.needle = ua;
	w.line = NULL;
	ck_assert_msg(harness_poll(access_line, &w, 5000),
	    "no access.log line with User-Agent %s within 5 s", ua);
	snprintf(re, sizeof(re), "^127\\.0\\.0\\.1 - - \\[([0-9]{2}/" MONTHS
	    "/[0-9]{4}:[0-9]{2}:[0-9]{2}:[0-9]{2}) \\+0000\\] "
	    "\"GET / HTTP/1\\.1\" 200 ([0-9]+) \"-\" \"%s\"$", ua);
	ck_assert_msg(matches(re, w.line, m, 4),
	    "access.log line is not combined log format:\n%s", w.line);
	snprintf(bytes, sizeof(bytes), "%.*s", (int)(m[3].rm_eo - m[3].rm_so),
	    w.line + m[3].rm_so);
	ck_assert_int_eq(atol(bytes), (long)strlen(HARNESS_INDEX_HTML));
	memset(&tm, 0, sizeof(tm));
	end = strptime(w.line + m[1].rm_so, "%d/%b/%Y:%H:%M:%S", &tm);
	ck_assert_ptr_nonnull(end);
	ck_assert_msg(llabs((long long)(timegm(&tm) - time(NULL))) < 120,
	    "access.log time is not now (UTC): %s", w.line);
	free(w.line);

	/* the Referer goes into the line too */
	snprintf(hdr, sizeof(hdr), "User-Agent: %s-ref\r\n"
	    "Referer: http://referer.test/page\r\n", ua);
	ck_assert_int_eq(harness_request(srv.port, "GET", "/known.txt", hdr,
	    &r), 0);
	harness_response_free(&r);
	snprintf(hdr, sizeof(hdr), "%s-ref", ua);
	w.needle = hdr;
	w.line = NULL;
	ck_assert_msg(harness_poll(access_line, &w, 5000),
	    "no access.log line for the request with a Referer");
	ck_assert_msg(strstr(w.line, "\"GET /known.txt HTTP/1.1\" 200 ") &&
	    strstr(w.line, "\"http://referer.test/page\""),
	    "access.log line: %s", w.line);
	free(w.line);
}
END_TEST

/* ---- workers -------------------------------------------------------------- */

struct respawn {
	pid_t master;
	pid_t victim;
	pid_t now[16];
	int n;
};

static bool
three_live_workers(void *arg)
{
	struct respawn *rs = arg;

	rs->n = harness_children(rs->master, rs->now, 16, true);
	return rs->n == 3;
}

static bool
respawned(void *arg)
{
	struct respawn *rs = arg;
	int i;

	rs->n = harness_children(rs->master, rs->now, 16, false);
	if (rs->n != 3)
		return false;
	for (i = 0; i < 3; i++)
		if (rs->now[i] == rs->victim)
			return false;
	return true;
}

struct logged_death {
	char pid[32];
	char *text;
};

static bool
death_logged(void *arg)
{
	struct logged_death *d = arg;
	const char *p;

	free(d->text);
	d->text = harness_read_file(&own, "error.log", NULL);
	if (d->text == NULL)
		return false;
	for (p = d->text; (p = strstr(p, d->pid)) != NULL; p++) {
		const char *eol = strchr(p, '\n');
		const char *bol = p;
		char *line;
		bool ok;

		if (isdigit((unsigned char)p[strlen(d->pid)]) ||
		    (p > d->text && isdigit((unsigned char)p[-1])))
			continue;
		while (bol > d->text && bol[-1] != '\n')
			bol--;
		line = strndup(bol, eol ? (size_t)(eol - bol) : strlen(bol));
		ok = strstr(line, "signal 9") || strstr(line, "Killed") ||
		    strstr(line, "SIGKILL");
		free(line);
		if (ok)
			return true;
	}
	return false;
}

START_TEST(test_worker_respawn)
{
	struct respawn rs;
	struct logged_death d;
	pid_t before[3];
	int i, j;

	memset(&rs, 0, sizeof(rs));
	rs.master = own.pid;
	ck_assert_msg(harness_poll(three_live_workers, &rs, 5000),
	    "workers = 3 but the master has %d children", rs.n);
	memcpy(before, rs.now, sizeof(before));
	rs.victim = before[0];

	ck_assert_int_eq(kill(rs.victim, SIGKILL), 0);
	ck_assert_msg(harness_poll(respawned, &rs, 5000),
	    "no respawn within 5 s of killing worker %ld: %d children",
	    (long)rs.victim, rs.n);
	ck_assert_msg(harness_poll(three_live_workers, &rs, 1000),
	    "%d live workers after the respawn", rs.n);
	/* the others were left alone */
	for (i = 1; i < 3; i++) {
		bool found = false;

		for (j = 0; j < 3; j++)
			found |= rs.now[j] == before[i];
		ck_assert_msg(found, "worker %ld was replaced too",
		    (long)before[i]);
	}

	snprintf(d.pid, sizeof(d.pid), "%ld", (long)rs.victim);
	d.text = NULL;
	if (!harness_poll(death_logged, &d, 5000)) {
		char *err = harness_read_file(&own, "stderr.log", NULL);

		ck_abort_msg("error.log has no line with pid %s and "
		    "\"signal 9\":\n%s\n--- stderr:\n%s", d.pid,
		    d.text ? d.text : "(no error.log)", err ? err : "");
	}
	free(d.text);

	for (i = 0; i < 20; i++) {
		struct harness_response r;

		ck_assert_msg(harness_request(own.port, "GET", "/", NULL, &r) == 0,
		    "request %d after the respawn: no response", i);
		ck_assert_msg(r.status == 200, "request %d after the respawn: %d",
		    i, r.status);
		harness_response_free(&r);
	}
}
END_TEST

START_TEST(test_term)
{
	struct respawn rs;
	pid_t workers[3], master = own.pid;
	char *pidtext;
	char pidfile[PATH_MAX + 32];
	int i, fd;

	memset(&rs, 0, sizeof(rs));
	rs.master = master;
	ck_assert_msg(harness_poll(three_live_workers, &rs, 5000),
	    "%d workers", rs.n);
	memcpy(workers, rs.now, sizeof(workers));

	pidtext = harness_read_file(&own, "forkhttpd.pid", NULL);
	ck_assert_msg(pidtext != NULL, "no pid file %s/forkhttpd.pid", own.dir);
	ck_assert_int_eq(atol(pidtext), (long)master);
	free(pidtext);

	ck_assert_int_eq(kill(master, SIGTERM), 0);
	ck_assert_msg(harness_wait_exit(&own, 5000),
	    "master still running 5 s after TERM");
	ck_assert_msg(WIFEXITED(own.exit_status) &&
	    WEXITSTATUS(own.exit_status) == 0,
	    "master exit status 0x%x after TERM", (unsigned)own.exit_status);
	own.pid = 0;

	for (i = 0; i < 3; i++)
		ck_assert_msg(harness_pid_state(workers[i]) == 0,
		    "worker %ld outlived the master (state %c)",
		    (long)workers[i], harness_pid_state(workers[i]));
	ck_assert_int_eq(harness_children(master, rs.now, 16, false), 0);
	ck_assert_int_eq(harness_procs_with_arg(own.conf), 0);

	snprintf(pidfile, sizeof(pidfile), "%s/forkhttpd.pid", own.dir);
	ck_assert_msg(access(pidfile, F_OK) == -1 && errno == ENOENT,
	    "pid file %s left behind", pidfile);
	fd = harness_connect(own.port, 500);
	ck_assert_msg(fd == -1, "port %u still accepts", (unsigned)own.port);
}
END_TEST

/* ---- -t ------------------------------------------------------------------- */

START_TEST(test_configtest_good)
{
	const char *args[] = { "-t", "-f", own.conf, NULL };
	char *out = NULL, *err = NULL;
	int st;

	ck_assert_int_eq(harness_write_conf(&own, harness_free_port(), 2, NULL),
	    0);
	st = harness_run(&own, args, 5000, &out, &err);
	ck_assert_msg(exit_code(st) == 0, "-t on a good conf: status 0x%x\n"
	    "stdout: %s\nstderr: %s", (unsigned)st, out, err);
	free(out);
	free(err);
}
END_TEST

#define N_BAD_CONFS 5

static const char *const bad_conf_names[N_BAD_CONFS] = {
	"unknown key", "workers = 0", "port 70000", "missing document root",
	"unknown user"
};
static const int bad_conf_lines[N_BAD_CONFS] = {
	HARNESS_LINE_EXTRA, HARNESS_LINE_WORKERS, HARNESS_LINE_LISTEN,
	HARNESS_LINE_DOCROOT, HARNESS_LINE_USER
};

START_TEST(test_configtest_bad)
{
	const char *args[] = { "-t", "-f", own.conf, NULL };
	struct harness_conf c = { NULL, NULL, NULL, NULL, NULL };
	char *out = NULL, *err = NULL;
	int st;

	switch (_i) {
	case 0:
		c.extra = "no-such-key = 1";
		break;
	case 1:
		c.workers_value = "0";
		break;
	case 2:
		c.listen_value = "{ \"127.0.0.1:70000\" }";
		break;
	case 3:
		c.docroot_value = "\"no-such-dir\"";
		break;
	default:
		c.user_value = "\"no-such-user-forkhttpd\"";
		break;
	}
	ck_assert_int_eq(harness_write_conf(&own, harness_free_port(), 2, &c), 0);
	st = harness_run(&own, args, 5000, &out, &err);
	ck_assert_msg(exit_code(st) == 1, "-t, %s: status 0x%x, want exit 1\n"
	    "stdout: %s\nstderr: %s", bad_conf_names[_i], (unsigned)st, out, err);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(harness_names_line(err, "forkhttpd.conf", bad_conf_lines[_i]),
	    "-t, %s: stderr does not name forkhttpd.conf:%d:\n%s",
	    bad_conf_names[_i], bad_conf_lines[_i], err);
	if (_i == 0)
		ck_assert_msg(strstr(err, "no-such-key") != NULL,
		    "-t, unknown key: stderr does not name the key:\n%s", err);
	free(out);
	free(err);
}
END_TEST

START_TEST(test_configtest_missing_file)
{
	char path[PATH_MAX + 32];
	const char *args[] = { "-t", "-f", path, NULL };
	char *out = NULL, *err = NULL;
	int st;

	snprintf(path, sizeof(path), "%s/no-such.conf", own.dir);
	st = harness_run(&own, args, 5000, &out, &err);
	ck_assert_msg(exit_code(st) == 1, "-t on a missing file: status 0x%x",
	    (unsigned)st);
	ck_assert_msg(err && strstr(err, "no-such.conf"),
	    "stderr does not name the file:\n%s", err);
	free(out);
	free(err);
}
END_TEST

/* ---- start-up errors ------------------------------------------------------ */

/* Starts on the conf as written, expects exit 1 within 5 s, returns stderr. */
static char *
expect_start_failure(const char *what)
{
	char *err;

	ck_assert_int_gt(harness_spawn(&own), 0);
	ck_assert_msg(harness_wait_exit(&own, 5000),
	    "%s: still running after 5 s", what);
	err = harness_read_file(&own, "stderr.log", NULL);
	ck_assert_msg(WIFEXITED(own.exit_status) &&
	    WEXITSTATUS(own.exit_status) == 1,
	    "%s: status 0x%x, want exit 1; stderr:\n%s", what,
	    (unsigned)own.exit_status, err ? err : "");
	own.pid = 0;
	ck_assert_msg(harness_procs_with_arg(own.conf) == 0,
	    "%s: processes left running", what);
	return err;
}

START_TEST(test_start_port_in_use)
{
	struct sockaddr_in sin;
	socklen_t slen = sizeof(sin);
	char addr[64];
	char *err;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ne(fd, -1);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(listen(fd, 1), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &slen), 0);
	ck_assert_int_eq(harness_write_conf(&own, ntohs(sin.sin_port), 2, NULL),
	    0);
	err = expect_start_failure("port in use");
	snprintf(addr, sizeof(addr), "127.0.0.1:%u", (unsigned)own.port);
	ck_assert_msg(err && strstr(err, addr) && strstr(err, "in use"),
	    "stderr does not say %s is in use:\n%s", addr, err);
	free(err);
	close(fd);
}
END_TEST

START_TEST(test_start_missing_docroot)
{
	struct harness_conf c = { NULL, NULL, "\"no-such-dir\"", NULL, NULL };
	char *err;

	ck_assert_int_eq(harness_write_conf(&own, harness_free_port(), 2, &c), 0);
	err = expect_start_failure("missing document root");
	ck_assert_msg(err && strstr(err, "no-such-dir"),
	    "stderr does not name the document root:\n%s", err);
	ck_assert_int_eq(harness_connect(own.port, 500), -1);
	free(err);
}
END_TEST

START_TEST(test_start_unresolvable)
{
	struct harness_conf c = { "{ \"no-such-host.invalid:8080\" }", NULL,
		NULL, NULL, NULL };
	char *err;

	ck_assert_int_eq(harness_write_conf(&own, harness_free_port(), 2, &c), 0);
	err = expect_start_failure("unresolvable listen address");
	ck_assert_msg(err && strstr(err, "no-such-host.invalid"),
	    "stderr does not name the address:\n%s", err);
	free(err);
}
END_TEST

static bool
port81_accepts(void *arg)
{
	int fd = harness_connect(81, 200);

	(void)arg;
	if (fd == -1)
		return false;
	close(fd);
	return true;
}

START_TEST(test_start_privileged_port)
{
	ck_assert_int_eq(harness_write_conf(&own, 81, 2, NULL), 0);
	if (geteuid() != 0) {
		char *err = expect_start_failure("port 81 as non-root");

		ck_assert_msg(err && strstr(err, "127.0.0.1:81"),
		    "stderr does not name the address:\n%s", err);
		free(err);
		ck_assert_int_eq(harness_connect(81, 500), -1);
	} else {
		struct harness_response r;

		ck_assert_int_gt(harness_spawn(&own), 0);
		ck_assert_msg(harness_poll(port81_accepts, NULL, 5000),
		    "root: nothing listens on 127.0.0.1:81 after 5 s");
		get_ok(81, "/", &r);
		harness_response_free(&r);
		ck_assert_msg(harness_stop(&own), "root, port 81: unclean stop");
	}
}
END_TEST

/* ---- command line --------------------------------------------------------- */

START_TEST(test_cli_version)
{
	const char *args[] = { "-V", NULL };
	char *out = NULL, *err = NULL;
	int st = harness_run(&own, args, 5000, &out, &err);

	ck_assert_msg(exit_code(st) == 0, "-V: status 0x%x", (unsigned)st);
	ck_assert_msg((out && line_has_both(out, "forkhttpd", PACKAGE_VERSION)) ||
	    (err && line_has_both(err, "forkhttpd", PACKAGE_VERSION)),
	    "-V printed no line with forkhttpd and %s:\n%s%s", PACKAGE_VERSION,
	    out, err);
	free(out);
	free(err);
}
END_TEST

START_TEST(test_cli_help)
{
	const char *args[] = { "-h", NULL };
	char *out = NULL, *err = NULL;
	int st = harness_run(&own, args, 5000, &out, &err);

	ck_assert_msg(exit_code(st) == 0, "-h: status 0x%x", (unsigned)st);
	ck_assert_msg((out && strcasestr(out, "usage")) ||
	    (err && strcasestr(err, "usage")), "-h printed no usage:\n%s%s",
	    out, err);
	free(out);
	free(err);
}
END_TEST

START_TEST(test_cli_unknown_option)
{
	const char *args[] = { "-Z", NULL };
	char *out = NULL, *err = NULL;
	int st = harness_run(&own, args, 5000, &out, &err);

	ck_assert_msg(exit_code(st) == 1, "-Z: status 0x%x, want exit 1",
	    (unsigned)st);
	ck_assert_msg(err && strcasestr(err, "usage"),
	    "-Z: no usage on stderr:\n%s", err);
	free(out);
	free(err);
}
END_TEST

/* ---- supervision ---------------------------------------------------------- */

/* Waits for a server started with harness_spawn*() to accept connections. */
static void
wait_listening(struct harness_server *s)
{
	int64_t end = harness_now_ms() + HARNESS_START_TIMEOUT_MS;
	int fd;

	while ((fd = harness_connect(s->port, 100)) < 0) {
		ck_assert_msg(harness_now_ms() < end && !harness_wait_exit(s, 0),
		    "server on port %u did not come up (see %s)",
		    (unsigned)s->port, s->dir);
		harness_sleep_ms(20);
	}
	close(fd);
}

/*
 * Opens a connection to own's server and has one GET of path answered
 * with 200 on it, which leaves it idle in keep-alive.
 */
static void
open_after_one_request(struct harness_conn *a, const char *path)
{
	struct harness_response r;
	char req[256];

	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: t\r\n\r\n", path);
	ck_assert_int_eq(harness_conn_open(a, own.port), 0);
	ck_assert_int_eq(harness_conn_sendstr(a, req), 0);
	ck_assert_int_eq(harness_conn_read_response(a, false, &r, 2000), 0);
	ck_assert_int_eq(r.status, 200);
	harness_response_free(&r);
}

/* Waits for own's master to have n live workers; their pids go to out. */
static void
wait_workers(pid_t *out, int n)
{
	int64_t deadline = harness_now_ms() + 5000;
	int got = 0;

	while ((got = harness_children(own.pid, out, n, true)) != n) {
		if (harness_now_ms() >= deadline)
			ck_abort_msg("the master has %d workers, want %d", got,
			    n);
		harness_sleep_ms(20);
	}
}

/* GET path on c, answered 200 within 3 s: the response in *r. */
static void
get_on(struct harness_conn *c, const char *path, const char *what,
    struct harness_response *r)
{
	char req[256];

	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: t\r\n\r\n", path);
	ck_assert_msg(harness_conn_sendstr(c, req) == 0, "%s: send", what);
	ck_assert_msg(harness_conn_read_response(c, false, r, 3000) == 0,
	    "%s: no answer to GET %s within 3 s", what, path);
	ck_assert_msg(r->status == 200, "%s: status %d", what, r->status);
}

/* GET path on c, answered 200 with the content of path within 3 s. */
static void
assert_get_on(struct harness_conn *c, const char *path, const char *what)
{
	struct harness_response r;
	char want[64];

	snprintf(want, sizeof(want), "content of %s", path + 1);
	get_on(c, path, what, &r);
	ck_assert_msg(strstr(r.body, want) != NULL, "%s: body %s", what,
	    r.body);
	harness_response_free(&r);
}

/*
 * An idle keep-alive connection does not hold its worker: with one
 * worker, a new client is answered at once, and the idle connection
 * stays open and is answered after it.
 */
START_TEST(test_keepalive_idle_does_not_hold_worker)
{
	const struct harness_conf c = { .extra = "keepalive-timeout = 30\n" };
	struct harness_conn a, b;

	ck_assert_int_eq(harness_start(&own, 1, &c), 0);
	open_after_one_request(&a, "/a");
	ck_assert_int_eq(harness_conn_open(&b, own.port), 0);
	assert_get_on(&b, "/b", "a new client while a idles");
	assert_get_on(&a, "/a", "a, idle while b was served");
	assert_get_on(&b, "/b", "b again");
	harness_conn_close(&a);
	harness_conn_close(&b);
}
END_TEST

/*
 * One worker, many keep-alive clients: each one's second request on the
 * same connection is answered (none is starved or closed while another
 * client is served).
 */
#define MANY_CONNS 64
START_TEST(test_keepalive_many_clients_one_worker)
{
	const struct harness_conf c = { .extra = "keepalive-timeout = 30\n" };
	struct harness_conn conns[MANY_CONNS];
	char what[64];
	int i;

	ck_assert_int_eq(harness_start(&own, 1, &c), 0);
	for (i = 0; i < MANY_CONNS; i++)
		ck_assert_int_eq(harness_conn_open(&conns[i], own.port), 0);
	for (int round = 0; round < 2; round++)
		for (i = 0; i < MANY_CONNS; i++) {
			snprintf(what, sizeof(what), "client %d, request %d",
			    i, round + 1);
			assert_get_on(&conns[i], i % 2 ? "/a" : "/b", what);
		}
	for (i = 0; i < MANY_CONNS; i++)
		harness_conn_close(&conns[i]);
}
END_TEST

/*
 * worker-connections = 2, one worker: a third client makes room by
 * closing the connection idle longest (cleanly: end of stream, nothing
 * sent); the other idle one is kept.
 */
START_TEST(test_worker_connections_evicts_oldest_idle)
{
	const struct harness_conf c = { .extra = "keepalive-timeout = 30\n"
	    "worker-connections = 2\n" };
	struct harness_conn a, b, d;

	ck_assert_int_eq(harness_start(&own, 1, &c), 0);
	open_after_one_request(&a, "/a");
	open_after_one_request(&b, "/b");
	ck_assert_int_eq(harness_conn_open(&d, own.port), 0);
	assert_get_on(&d, "/a", "a third client");
	ck_assert_msg(harness_conn_wait_eof(&a, 2000) == 1,
	    "the oldest idle connection was not closed to make room");
	assert_get_on(&b, "/b", "the newer idle connection");
	harness_conn_close(&a);
	harness_conn_close(&b);
	harness_conn_close(&d);
}
END_TEST

/* Writes text to docroot/name through a new file renamed over it. */
static void
replace_file(const char *name, const char *text)
{
	char tmp[PATH_MAX + 64], path[PATH_MAX + 64];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s/.%s.new", own.docroot, name);
	snprintf(path, sizeof(path), "%s/%s", own.docroot, name);
	ck_assert_ptr_nonnull(f = fopen(tmp, "w"));
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(rename(tmp, path), 0);
}

/* GET path on c: 200 with exactly body; its ETag goes to etag. */
static void
assert_body_on(struct harness_conn *c, const char *path, const char *body,
    char *etag, size_t cap)
{
	struct harness_response r;

	get_on(c, path, path, &r);
	ck_assert_msg(strcmp(r.body, body) == 0, "body \"%s\", want \"%s\"",
	    r.body, body);
	ck_assert(harness_header(&r, "ETag", etag, cap));
	harness_response_free(&r);
}

/*
 * The worker keeps files open between requests (its file cache): a file
 * replaced, rewritten in place at the same size, or removed is served as
 * it is now, never as it was.  One worker, one connection, so every
 * request meets the same cache.
 */
START_TEST(test_file_cache_never_stale)
{
	struct harness_response r;
	struct harness_conn a;
	char e1[128], e2[128], e3[128], path[PATH_MAX + 64];
	FILE *f;

	ck_assert_int_eq(harness_start(&own, 1, NULL), 0);
	replace_file("fresh.txt", "first version\n");
	ck_assert_int_eq(harness_conn_open(&a, own.port), 0);
	assert_body_on(&a, "/fresh.txt", "first version\n", e1, sizeof(e1));
	assert_body_on(&a, "/fresh.txt", "first version\n", e2, sizeof(e2));
	ck_assert_str_eq(e1, e2);

	replace_file("fresh.txt", "second, a longer version\n");
	assert_body_on(&a, "/fresh.txt", "second, a longer version\n", e2,
	    sizeof(e2));
	ck_assert_str_ne(e1, e2);

	/* In place, the same size: the new bytes and a new ETag. */
	harness_sleep_ms(20);
	snprintf(path, sizeof(path), "%s/fresh.txt", own.docroot);
	ck_assert_ptr_nonnull(f = fopen(path, "r+"));
	ck_assert_int_ge(fputs("SECOND", f), 0);
	ck_assert_int_eq(fclose(f), 0);
	assert_body_on(&a, "/fresh.txt", "SECOND, a longer version\n", e3,
	    sizeof(e3));
	ck_assert_str_ne(e2, e3);

	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(harness_conn_sendstr(&a,
	    "GET /fresh.txt HTTP/1.1\r\nHost: t\r\n\r\n"), 0);
	ck_assert_int_eq(harness_conn_read_response(&a, false, &r, 3000), 0);
	ck_assert_int_eq(r.status, 404);
	harness_response_free(&r);
	harness_conn_close(&a);
}
END_TEST

/* own.docroot/name (or own.dir/name with outside) as a path. */
static const char *
doc_path(const char *name, bool outside, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s/%s", outside ? own.dir : own.docroot, name);
	return buf;
}

/* Writes text over the file at path, in place (O_TRUNC, not renamed). */
static void
write_in_place(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	ck_assert_int_eq(close(fd), 0);
}

/* Writes text into a new file and renames it over path. */
static void
write_renamed(const char *path, const char *text)
{
	char tmp[PATH_MAX + 80];

	snprintf(tmp, sizeof(tmp), "%s.new", path);
	write_in_place(tmp, text);
	ck_assert_int_eq(rename(tmp, path), 0);
}

/*
 * The next response on c to method path with the fields extra: status
 * want, and when body is not NULL exactly body (len bytes).
 */
static void
expect_on(struct harness_conn *c, const char *method, const char *path,
    const char *extra, int want, const char *body, size_t len,
    struct harness_response *out)
{
	struct harness_response r;
	char req[512];

	snprintf(req, sizeof(req), "%s %s HTTP/1.1\r\nHost: t\r\n%s\r\n",
	    method, path, extra != NULL ? extra : "");
	ck_assert_int_eq(harness_conn_sendstr(c, req), 0);
	ck_assert_msg(harness_conn_read_response(c, strcmp(method, "HEAD") == 0,
	    &r, 3000) == 0, "%s %s: no answer within 3 s", method, path);
	ck_assert_msg(r.status == want, "%s %s: status %d, want %d", method,
	    path, r.status, want);
	if (body != NULL)
		ck_assert_msg(r.body_len == len && memcmp(r.body, body, len) == 0,
		    "%s %s: body \"%.40s\" (%zu bytes), want \"%.40s\" (%zu)",
		    method, path, r.body, r.body_len, body, len);
	if (out != NULL)
		*out = r;
	else
		harness_response_free(&r);
}

static void
expect_get(struct harness_conn *c, const char *path, int want,
    const char *body)
{
	expect_on(c, "GET", path, NULL, want, body,
	    body != NULL ? strlen(body) : 0, NULL);
}

/*
 * The file cache keeps small files' bytes in memory and learns of
 * changes from inotify (fcache.h): every change to a cached file, or to
 * a directory on its way, shows in the very next response, with no
 * pause between the change and the request.  One worker, one
 * connection, so every request meets the same cache, and each file is
 * asked for twice first, so that the second answer is a hit.
 */
START_TEST(test_file_cache_watched_never_stale)
{
	struct harness_response r;
	struct harness_conn a;
	char f[PATH_MAX + 64], g[PATH_MAX + 64], w[PATH_MAX + 64];
	char w2[PATH_MAX + 64], out[PATH_MAX + 64], etag[128], cond[200];

	ck_assert_int_eq(harness_start(&own, 1, NULL), 0);
	doc_path("w", false, w, sizeof(w));
	doc_path("w/f.txt", false, f, sizeof(f));
	doc_path("w/g.txt", false, g, sizeof(g));
	ck_assert_int_eq(mkdir(w, 0755), 0);
	write_in_place(f, "version one\n");
	ck_assert_int_eq(harness_conn_open(&a, own.port), 0);
	expect_get(&a, "/w/f.txt", 200, "version one\n");
	expect_get(&a, "/w/f.txt", 200, "version one\n");

	/* Rewritten in place: the same size, most likely the same mtime. */
	write_in_place(f, "VERSION ONE\n");
	expect_get(&a, "/w/f.txt", 200, "VERSION ONE\n");
	/* Replaced: a new file renamed over it. */
	write_renamed(f, "version two, longer\n");
	expect_get(&a, "/w/f.txt", 200, "version two, longer\n");
	expect_get(&a, "/w/f.txt", 200, "version two, longer\n");
	/* Truncated. */
	ck_assert_int_eq(truncate(f, 0), 0);
	expect_get(&a, "/w/f.txt", 200, "");
	write_in_place(f, "three\n");
	expect_get(&a, "/w/f.txt", 200, "three\n");
	/* Its mode: unreadable to the worker, then readable again. */
	ck_assert_int_eq(chmod(f, 0), 0);
	if (geteuid() != 0 || access(f, R_OK) != 0)
		expect_get(&a, "/w/f.txt", 403, NULL);
	ck_assert_int_eq(chmod(f, 0644), 0);
	expect_get(&a, "/w/f.txt", 200, "three\n");
	/* Renamed away, then back. */
	ck_assert_int_eq(rename(f, g), 0);
	expect_get(&a, "/w/f.txt", 404, NULL);
	expect_get(&a, "/w/g.txt", 200, "three\n");
	ck_assert_int_eq(rename(g, f), 0);
	expect_get(&a, "/w/f.txt", 200, "three\n");
	/* Its directory renamed away, then another put in its place. */
	doc_path("w.old", false, w2, sizeof(w2));
	ck_assert_int_eq(rename(w, w2), 0);
	expect_get(&a, "/w/f.txt", 404, NULL);
	ck_assert_int_eq(mkdir(w, 0755), 0);
	write_in_place(f, "four\n");
	expect_get(&a, "/w/f.txt", 200, "four\n");
	expect_get(&a, "/w/f.txt", 200, "four\n");
	/*
	 * The directory replaced by a symlink that leaves the root, to a
	 * directory holding the same name: the symlink rule still holds.
	 */
	doc_path("w.older", false, w2, sizeof(w2));
	ck_assert_int_eq(rename(w, w2), 0);
	doc_path("out", true, out, sizeof(out));
	ck_assert_int_eq(mkdir(out, 0755), 0);
	doc_path("out/f.txt", true, g, sizeof(g));
	write_in_place(g, "outside the root\n");
	ck_assert_int_eq(symlink("../out", w), 0);
	expect_get(&a, "/w/f.txt", 403, NULL);
	ck_assert_int_eq(unlink(w), 0);
	ck_assert_int_eq(rename(w2, w), 0);
	expect_get(&a, "/w/f.txt", 200, "four\n");

	/* HEAD, 304 and ranges answered from a cached entry. */
	write_in_place(f, "0123456789\n");
	expect_get(&a, "/w/f.txt", 200, "0123456789\n");
	expect_on(&a, "GET", "/w/f.txt", NULL, 200, "0123456789\n", 11, &r);
	ck_assert(harness_header(&r, "ETag", etag, sizeof(etag)));
	harness_response_free(&r);
	expect_on(&a, "HEAD", "/w/f.txt", NULL, 200, "", 0, &r);
	ck_assert_int_eq(r.content_length, 11);
	harness_response_free(&r);
	snprintf(cond, sizeof(cond), "If-None-Match: %s\r\n", etag);
	expect_on(&a, "GET", "/w/f.txt", cond, 304, "", 0, NULL);
	expect_on(&a, "GET", "/w/f.txt", "Range: bytes=2-4\r\n", 206, "234", 3,
	    NULL);
	/* The old validator no longer matches once the file changed. */
	write_in_place(f, "9876543210\n");
	expect_on(&a, "GET", "/w/f.txt", cond, 200, "9876543210\n", 11, NULL);
	expect_on(&a, "GET", "/w/f.txt", "Range: bytes=2-4\r\n", 206, "765", 3,
	    NULL);
	harness_conn_close(&a);
}
END_TEST

/*
 * A file larger than the cache keeps in memory goes out with sendfile()
 * from the cached fd, and is just as fresh.
 */
START_TEST(test_file_cache_large_never_stale)
{
	static char big[64 * 1024];
	struct harness_conn a;
	char f[PATH_MAX + 64];

	ck_assert_int_eq(harness_start(&own, 1, NULL), 0);
	doc_path("big.bin", false, f, sizeof(f));
	memset(big, 'a', sizeof(big) - 1);
	write_in_place(f, big);
	ck_assert_int_eq(harness_conn_open(&a, own.port), 0);
	expect_get(&a, "/big.bin", 200, big);
	expect_get(&a, "/big.bin", 200, big);
	memset(big, 'b', 10);
	write_in_place(f, big);
	expect_get(&a, "/big.bin", 200, big);
	big[sizeof(big) - 2] = '\0';
	write_renamed(f, big);
	expect_get(&a, "/big.bin", 200, big);
	harness_conn_close(&a);
}
END_TEST

static bool
process_gone(void *arg)
{
	char st = harness_pid_state(*(pid_t *)arg);

	/* without a reaping init, an orphan stays a zombie: gone enough */
	return st == 0 || st == 'Z';
}

START_TEST(test_workers_die_with_master)
{
	pid_t workers[2];
	int n, i;

	ck_assert_int_eq(harness_start(&own, 2, NULL), 0);
	wait_workers(workers, 2);
	ck_assert_int_eq(kill(own.pid, SIGKILL), 0);
	ck_assert(harness_wait_exit(&own, 5000));
	own.pid = 0;
	for (i = 0; i < 2; i++)
		ck_assert_msg(harness_poll(process_gone, &workers[i], 5000),
		    "worker %ld outlived its killed master", (long)workers[i]);
	n = harness_connect(own.port, 500);
	ck_assert_msg(n == -1, "port %u still accepts after the master died",
	    (unsigned)own.port);
}
END_TEST

/*
 * Workers that cannot start (their document root vanished) are not
 * respawned forever: once every slot failed at start the master stops
 * with an error, exit status 1, and removes its pid file.
 */
START_TEST(test_all_workers_fail_at_start)
{
	char gone[PATH_MAX + 8], pidfile[PATH_MAX + 32];
	pid_t workers[2];
	char *log;

	ck_assert_int_eq(harness_start(&own, 2, NULL), 0);
	wait_workers(workers, 2);
	snprintf(gone, sizeof(gone), "%s.gone", own.docroot);
	ck_assert_int_eq(rename(own.docroot, gone), 0);
	kill(workers[0], SIGKILL);
	kill(workers[1], SIGKILL);
	ck_assert_msg(harness_wait_exit(&own, 10000),
	    "master still running 10 s after its workers could not start");
	ck_assert_msg(WIFEXITED(own.exit_status) &&
	    WEXITSTATUS(own.exit_status) == 1, "master status 0x%x, want exit 1",
	    (unsigned)own.exit_status);
	own.pid = 0;
	log = harness_read_file(&own, "error.log", NULL);
	ck_assert_ptr_nonnull(log);
	ck_assert_msg(strstr(log, "failed at start-up (exit status 2)") &&
	    strstr(log, "every worker failed at start-up"),
	    "error.log does not explain the stop:\n%s", log);
	free(log);
	snprintf(pidfile, sizeof(pidfile), "%s/forkhttpd.pid", own.dir);
	ck_assert_int_eq(access(pidfile, F_OK), -1);
	ck_assert_int_eq(rename(gone, own.docroot), 0);
}
END_TEST

/* The four ids of a "Uid:" or "Gid:" line of /proc/PID/status. */
static bool
proc_ids(pid_t pid, const char *key, unsigned long ids[4], char *groups,
    size_t gcap)
{
	char path[64], line[512];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return false;
	groups[0] = '\0';
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, key, strlen(key)) == 0)
			found = sscanf(line + strlen(key), "%lu %lu %lu %lu",
			    &ids[0], &ids[1], &ids[2], &ids[3]) == 4;
		else if (strncmp(line, "Groups:", 7) == 0) {
			const char *g = line + 7 + strspn(line + 7, " \t");
			size_t len = strlen(g);

			while (len > 0 && isspace((unsigned char)g[len - 1]))
				len--;
			snprintf(groups, gcap, "%.*s", (int)len, g);
		}
	}
	fclose(f);
	return found;
}

/*
 * Started as root, every worker runs as the configured user with only
 * its group (real, effective, saved and file-system ids alike); started
 * as anyone else, workers keep that identity.
 */
START_TEST(test_workers_drop_privileges)
{
	struct passwd *pw = getpwnam("nobody");
	unsigned long uid[4], gid[4];
	unsigned long want_uid, want_gid;
	pid_t workers[2];
	char groups[512], want_groups[64];
	int i, k;

	ck_assert_ptr_nonnull(pw);
	want_uid = geteuid() == 0 ? pw->pw_uid : geteuid();
	want_gid = geteuid() == 0 ? pw->pw_gid : getegid();
	ck_assert_int_eq(harness_start(&own, 2, NULL), 0);
	wait_workers(workers, 2);
	snprintf(want_groups, sizeof(want_groups), "%lu", want_gid);
	for (i = 0; i < 2; i++) {
		/* A worker drops them before it serves, a moment after
		 * fork(): give it that moment. */
		for (int64_t end = harness_now_ms() + 5000;;) {
			ck_assert(proc_ids(workers[i], "Uid:", uid, groups,
			    sizeof(groups)));
			if (uid[0] == want_uid || harness_now_ms() >= end)
				break;
			harness_sleep_ms(20);
		}
		ck_assert(proc_ids(workers[i], "Uid:", uid, groups,
		    sizeof(groups)));
		ck_assert(proc_ids(workers[i], "Gid:", gid, groups,
		    sizeof(groups)));
		for (k = 0; k < 4; k++) {
			ck_assert_msg(uid[k] == want_uid, "worker %ld uid[%d] "
			    "%lu, want %lu", (long)workers[i], k, uid[k],
			    want_uid);
			ck_assert_msg(gid[k] == want_gid, "worker %ld gid[%d] "
			    "%lu, want %lu", (long)workers[i], k, gid[k],
			    want_gid);
		}
		/* as root, supplementary groups are exactly the one */
		if (geteuid() == 0)
			ck_assert_msg(strcmp(groups, want_groups) == 0,
			    "worker groups \"%s\", want \"%s\"", groups,
			    want_groups);
	}
}
END_TEST

/* Without -n: the starting process exits 0 once the daemon serves. */
START_TEST(test_daemon_mode)
{
	const char *args[] = { "-f", own.conf, NULL };
	char *out = NULL, *err = NULL, *pidtext;
	struct harness_response r;
	pid_t daemon_pid;
	int st;

	own.port = harness_free_port();
	ck_assert_int_ne(own.port, 0);
	ck_assert_int_eq(harness_write_conf(&own, own.port, 2, NULL), 0);
	st = harness_run(&own, args, 5000, &out, &err);
	ck_assert_msg(exit_code(st) == 0, "daemon start: status 0x%x\n%s",
	    (unsigned)st, err ? err : "");
	ck_assert_msg(err == NULL || err[0] == '\0',
	    "a good start printed on stderr:\n%s", err);
	free(out);
	free(err);
	pidtext = harness_read_file(&own, "forkhttpd.pid", NULL);
	ck_assert_ptr_nonnull(pidtext);
	daemon_pid = (pid_t)atol(pidtext);
	free(pidtext);
	ck_assert_int_gt(daemon_pid, 1);
	ck_assert_int_eq(harness_request(own.port, "GET", "/known.txt", NULL,
	    &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.body, HARNESS_KNOWN_TEXT);
	harness_response_free(&r);
	/* the daemon left its session: not in our process group */
	ck_assert_int_ne(getpgid(daemon_pid), getpgrp());
	ck_assert_int_eq(kill(daemon_pid, SIGTERM), 0);
	ck_assert_msg(harness_poll(process_gone, &daemon_pid, 5000),
	    "daemon %ld still running 5 s after TERM", (long)daemon_pid);
	ck_assert_int_eq(harness_connect(own.port, 200), -1);
}
END_TEST

/*
 * A start-up failure after the daemon detached (here: the pid file cannot
 * be written) still makes the starting command fail, with the reason.
 */
START_TEST(test_daemon_start_failure)
{
	const struct harness_conf c = {
		.extra = "pid-file = \"no-such-dir/forkhttpd.pid\"\n",
	};
	const char *args[] = { "-f", own.conf, NULL };
	char *out = NULL, *err = NULL;
	int st;

	own.port = harness_free_port();
	ck_assert_int_ne(own.port, 0);
	ck_assert_int_eq(harness_write_conf(&own, own.port, 2, &c), 0);
	st = harness_run(&own, args, 5000, &out, &err);
	ck_assert_msg(exit_code(st) == 1, "status 0x%x, want exit 1",
	    (unsigned)st);
	ck_assert_msg(err != NULL && strstr(err, "pid file") &&
	    strstr(err, "no-such-dir/forkhttpd.pid"),
	    "stderr does not name the pid file:\n%s", err ? err : "");
	free(out);
	free(err);
	/* nothing was left listening */
	ck_assert_int_eq(harness_connect(own.port, 300), -1);
}
END_TEST

/* -X: one worker in the foreground: no children, serves, stops on TERM. */
START_TEST(test_one_process)
{
	struct harness_response r;
	pid_t kids[4];

	own.port = harness_free_port();
	ck_assert_int_ne(own.port, 0);
	ck_assert_int_eq(harness_write_conf(&own, own.port, 3, NULL), 0);
	ck_assert_int_gt(harness_spawn_with(&own, "-X"), 0);
	wait_listening(&own);
	ck_assert_int_eq(harness_children(own.pid, kids, 4, false), 0);
	ck_assert_int_eq(harness_request(own.port, "GET", "/a", NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_msg(strstr(r.body, "content of a") != NULL, "body %s", r.body);
	harness_response_free(&r);
	ck_assert_msg(harness_stop(&own), "-X did not exit 0 on TERM");
	own.pid = 0;
}
END_TEST

/* ---- limits and deadlines ------------------------------------------------- */

/*
 * header-timeout is one deadline for the whole header: a client that
 * trickles a byte every 200 ms (each well within the second) gets 408
 * while it is still trickling, not a fresh timeout per byte, which would
 * never run out.  Observed as an answer during the trickle, whatever the
 * machine's load; only "not before the second" is a wall-clock bound.
 */
START_TEST(test_header_deadline_is_total)
{
	const struct harness_conf c = { .extra = "header-timeout = 1\n" };
	static const char req[] = "GET / HTTP/1.1\r\nHost: t\r\nX-Slow: "
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	struct harness_response r;
	struct harness_conn a;
	int64_t t0, dt = -1;
	size_t i;

	ck_assert_int_eq(harness_start(&own, 1, &c), 0);
	ck_assert_int_eq(harness_conn_open(&a, own.port), 0);
	t0 = harness_now_ms();
	/* up to 50 bytes, 10 s: far past the deadline either way */
	for (i = 0; i < sizeof(req) - 1 && harness_now_ms() - t0 < 10000; i++) {
		if (harness_conn_send(&a, &req[i], 1) < 0)
			break;
		/* the pause between bytes doubles as the wait for an answer */
		if (harness_conn_recv(&a, 200) >= 0) {
			dt = harness_now_ms() - t0;
			break;
		}
	}
	ck_assert_msg(dt >= 0, "no answer while %zu header bytes trickled in "
	    "over %lld ms with header-timeout = 1", i,
	    (long long)(harness_now_ms() - t0));
	ck_assert_msg(dt >= 700, "answered %lld ms after the first byte, "
	    "before header-timeout (1 s)", (long long)dt);
	ck_assert_int_eq(harness_conn_read_response(&a, false, &r, 3000), 0);
	ck_assert_int_eq(r.status, 408);
	harness_response_free(&r);
	/* the server drains what else comes for up to 2 s, then closes */
	ck_assert_int_eq(harness_conn_wait_eof(&a, 4000), 1);
	harness_conn_close(&a);
}
END_TEST

/* An idle keep-alive connection is closed after keepalive-timeout. */
START_TEST(test_keepalive_timeout)
{
	const struct harness_conf c = { .extra = "keepalive-timeout = 1\n" };
	struct harness_conn a;
	int64_t t0;

	ck_assert_int_eq(harness_start(&own, 2, &c), 0);
	open_after_one_request(&a, "/a");
	t0 = harness_now_ms();
	ck_assert_int_eq(harness_conn_wait_eof(&a, 4000), 1);
	ck_assert_msg(harness_now_ms() - t0 >= 700,
	    "closed after %lld ms, before keepalive-timeout",
	    (long long)(harness_now_ms() - t0));
	harness_conn_close(&a);
}
END_TEST

/*
 * keepalive-requests = 3: the third response on a connection says
 * "Connection: close" and the server closes, even with more pipelined.
 */
START_TEST(test_keepalive_requests)
{
	const struct harness_conf c = { .extra = "keepalive-requests = 3\n" };
	struct harness_response r;
	struct harness_conn a;
	char v[64];
	int i;

	ck_assert_int_eq(harness_start(&own, 1, &c), 0);
	ck_assert_int_eq(harness_conn_open(&a, own.port), 0);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(harness_conn_sendstr(&a,
		    "GET /a HTTP/1.1\r\nHost: t\r\n\r\n"), 0);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(harness_conn_read_response(&a, false, &r,
		    2000), 0);
		ck_assert_int_eq(r.status, 200);
		if (i < 2)
			ck_assert_msg(!harness_header(&r, "Connection", v,
			    sizeof(v)), "response %d says Connection: %s", i + 1,
			    v);
		else
			ck_assert_msg(harness_header(&r, "Connection", v,
			    sizeof(v)) && strcasecmp(v, "close") == 0,
			    "the last response lacks Connection: close");
		harness_response_free(&r);
	}
	ck_assert_int_eq(harness_conn_wait_eof(&a, 3000), 1);
	harness_conn_close(&a);
}
END_TEST

/* ---- HTTP/1.1: request bodies and methods --------------------------------- */

/*
 * A request body that looks like a request: if the server took the body
 * for the next request it would answer GET /c, which no test expects.
 */
static const char decoy_request[] = "GET /c HTTP/1.1\r\nHost: t\r\n\r\n";

/* Starts own's server with workers and extra conf text (may be NULL). */
static void
start_own(unsigned workers, const char *extra)
{
	const struct harness_conf c = { .extra = extra };

	ck_assert_msg(harness_start(&own, workers, &c) == 0,
	    "cannot start %s with \"%s\" (see %s)", harness_bin(),
	    extra ? extra : "", own.dir);
}

/* Reads one response from c within timeout_ms and checks its status. */
static void
expect_response(struct harness_conn *c, bool head, int status, int timeout_ms,
    const char *what, struct harness_response *r)
{
	ck_assert_msg(harness_conn_read_response(c, head, r, timeout_ms) == 0,
	    "%s: no complete response within %d ms (closed %d, reset %d, "
	    "%zu bytes: \"%.300s\")", what, timeout_ms, c->eof, c->reset,
	    c->in.len, c->in.data);
	ck_assert_msg(r->status == status, "%s: status %d, want %d:\n%s", what,
	    r->status, status, r->head);
}

/* Sends len bytes of p in one send() call, so they travel together. */
static void
send_one_write(struct harness_conn *c, const void *p, size_t len)
{
	ck_assert_int_eq(send(c->fd, p, len, MSG_NOSIGNAL), (ssize_t)len);
}

/*
 * c is open and idle (no bytes pending, no close) and answers one more
 * request on it: GET /known.txt.
 */
static void
assert_conn_usable(struct harness_conn *c, const char *what)
{
	struct harness_response r;
	int rc = harness_conn_wait_eof(c, 200);

	ck_assert_msg(rc == 0, "%s: the connection %s", what, rc == 1 ?
	    "was closed" : "got more bytes than the responses expected");
	ck_assert_int_eq(harness_conn_sendstr(c,
	    "GET /known.txt HTTP/1.1\r\nHost: t\r\n\r\n"), 0);
	expect_response(c, false, 200, HARNESS_IO_TIMEOUT_MS, what, &r);
	ck_assert_str_eq(r.body, HARNESS_KNOWN_TEXT);
	harness_response_free(&r);
}

/*
 * RFC 9112 §6.3: a GET with Content-Length carries that many bytes of
 * body; the server reads (and drops) them and answers the request that
 * follows, pipelined in the same write.
 */
START_TEST(test_body_length_pipelined)
{
	struct harness_conn c;
	struct harness_response r;
	struct harness_buf req;

	harness_buf_init(&req);
	harness_buf_appendf(&req, "GET /a HTTP/1.1\r\nHost: t\r\n"
	    "Content-Length: %zu\r\n\r\n%s"
	    "GET /b HTTP/1.1\r\nHost: t\r\n\r\n", strlen(decoy_request),
	    decoy_request);
	ck_assert_int_eq(harness_conn_open(&c, srv.port), 0);
	send_one_write(&c, req.data, req.len);
	expect_response(&c, false, 200, HARNESS_IO_TIMEOUT_MS,
	    "GET /a with a Content-Length body", &r);
	ck_assert_str_eq(r.body, "content of a\n");
	harness_response_free(&r);
	expect_response(&c, false, 200, HARNESS_IO_TIMEOUT_MS,
	    "GET /b pipelined after a body", &r);
	ck_assert_msg(strcmp(r.body, "content of b, longer\n") == 0,
	    "second response is not /b (the body was parsed as a request?): "
	    "\"%s\"", r.body);
	harness_response_free(&r);
	assert_conn_usable(&c, "after a body and a pipelined request");
	harness_conn_close(&c);
	harness_buf_free(&req);
}
END_TEST

/*
 * RFC 9112 §7.1: a chunked body, with chunk extensions (a token value and
 * a quoted-string holding ';', with BWS) and a trailer section, ends at
 * the empty line after the trailer; the request behind it is answered.
 */
START_TEST(test_body_chunked_pipelined)
{
	struct harness_conn c;
	struct harness_response r;
	struct harness_buf req;

	harness_buf_init(&req);
	harness_buf_appendf(&req, "GET /a HTTP/1.1\r\nHost: t\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n"
	    "5 ; name=value\r\nhello\r\n"
	    "%zx;quoted=\"a;b c\";flag\r\n%s\r\n"
	    "0\r\nX-Trailer: one\r\nX-Other: two\r\n\r\n"
	    "GET /b HTTP/1.1\r\nHost: t\r\n\r\n",
	    strlen(decoy_request), decoy_request);
	ck_assert_int_eq(harness_conn_open(&c, srv.port), 0);
	send_one_write(&c, req.data, req.len);
	expect_response(&c, false, 200, HARNESS_IO_TIMEOUT_MS,
	    "GET /a with a chunked body", &r);
	ck_assert_str_eq(r.body, "content of a\n");
	harness_response_free(&r);
	expect_response(&c, false, 200, HARNESS_IO_TIMEOUT_MS,
	    "GET /b pipelined after a chunked body", &r);
	ck_assert_msg(strcmp(r.body, "content of b, longer\n") == 0,
	    "second response is not /b: \"%s\"", r.body);
	harness_response_free(&r);
	assert_conn_usable(&c, "after a chunked body");
	harness_conn_close(&c);
	harness_buf_free(&req);
}
END_TEST

/*
 * RFC 9110 §15.5.6: 405 with Allow.  The POST's body is read, so the
 * request pipelined behind it is answered on the same connection.
 */
START_TEST(test_post_405_pipelined)
{
	struct harness_conn c;
	struct harness_response r;
	struct harness_buf req;
	char v[128];

	harness_buf_init(&req);
	harness_buf_appendf(&req, "POST /a HTTP/1.1\r\nHost: t\r\n"
	    "Content-Type: text/plain\r\nContent-Length: %zu\r\n\r\n%s"
	    "GET /b HTTP/1.1\r\nHost: t\r\n\r\n", strlen(decoy_request),
	    decoy_request);
	ck_assert_int_eq(harness_conn_open(&c, srv.port), 0);
	send_one_write(&c, req.data, req.len);
	expect_response(&c, false, 405, HARNESS_IO_TIMEOUT_MS,
	    "POST with a body", &r);
	assert_html_error(&r, 405);
	ck_assert_msg(harness_header(&r, "Allow", v, sizeof(v)),
	    "405 without Allow:\n%s", r.head);
	ck_assert_str_eq(v, "GET, HEAD, OPTIONS");
	harness_response_free(&r);
	expect_response(&c, false, 200, HARNESS_IO_TIMEOUT_MS,
	    "GET /b pipelined after a POST", &r);
	ck_assert_msg(strcmp(r.body, "content of b, longer\n") == 0,
	    "second response is not /b: \"%s\"", r.body);
	harness_response_free(&r);
	assert_conn_usable(&c, "after a 405");
	harness_conn_close(&c);
	harness_buf_free(&req);
}
END_TEST

/*
 * body-max = 1024: a body of exactly 1024 bytes is fine, either framing;
 * Content-Length: 1025 (or 5000) is refused with 413 before any of it is
 * read, and chunked data adding up to more than 1024 with 413 too; both
 * close the connection.
 */
START_TEST(test_body_max)
{
	struct harness_conn c;
	struct harness_response r;
	struct harness_buf req;
	char data[1024];
	static const long long too_long[] = { 1025, 5000 };
	size_t i;

	memset(data, 'x', sizeof(data));
	start_own(2, "body-max = 1024\n");

	/* at the limit, Content-Length: answered, connection kept */
	harness_buf_init(&req);
	harness_buf_appendf(&req, "GET /a HTTP/1.1\r\nHost: t\r\n"
	    "Content-Length: 1024\r\n\r\n");
	harness_buf_append(&req, data, sizeof(data));
	ck_assert_int_eq(harness_conn_open(&c, own.port), 0);
	ck_assert_int_eq(harness_conn_send(&c, req.data, req.len), 0);
	expect_response(&c, false, 200, HARNESS_IO_TIMEOUT_MS,
	    "a body of exactly body-max", &r);
	harness_response_free(&r);
	assert_conn_usable(&c, "after a body of body-max bytes");
	harness_conn_close(&c);
	harness_buf_free(&req);

	/* at the limit, chunked (two chunks of 512) */
	harness_buf_init(&req);
	harness_buf_appendf(&req, "GET /a HTTP/1.1\r\nHost: t\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n200\r\n");
	harness_buf_append(&req, data, 512);
	harness_buf_appendf(&req, "\r\n200\r\n");
	harness_buf_append(&req, data, 512);
	harness_buf_appendf(&req, "\r\n0\r\n\r\n");
	ck_assert_int_eq(harness_conn_open(&c, own.port), 0);
	ck_assert_int_eq(harness_conn_send(&c, req.data, req.len), 0);
	expect_response(&c, false, 200, HARNESS_IO_TIMEOUT_MS,
	    "a chunked body of exactly body-max", &r);
	harness_response_free(&r);
	assert_conn_usable(&c, "after a chunked body of body-max bytes");
	harness_conn_close(&c);
	harness_buf_free(&req);

	/* too long by its Content-Length: 413 without sending the body */
	for (i = 0; i < sizeof(too_long) / sizeof(too_long[0]); i++) {
		char head[128];

		snprintf(head, sizeof(head), "GET /a HTTP/1.1\r\nHost: t\r\n"
		    "Content-Length: %lld\r\n\r\n", too_long[i]);
		ck_assert_int_eq(harness_conn_open(&c, own.port), 0);
		ck_assert_int_eq(harness_conn_sendstr(&c, head), 0);
		expect_response(&c, false, 413, 3000,
		    "Content-Length over body-max", &r);
		assert_html_error(&r, 413);
		harness_response_free(&r);
		ck_assert_msg(harness_conn_wait_eof(&c, 3000) == 1,
		    "Content-Length %lld: not closed after the 413",
		    too_long[i]);
		harness_conn_close(&c);
	}

	/* chunked: 1024 + 1 bytes of data */
	harness_buf_init(&req);
	harness_buf_appendf(&req, "GET /a HTTP/1.1\r\nHost: t\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n400\r\n");
	harness_buf_append(&req, data, sizeof(data));
	harness_buf_appendf(&req, "\r\n1\r\nx\r\n0\r\n\r\n%s", decoy_request);
	ck_assert_int_eq(harness_conn_open(&c, own.port), 0);
	(void)harness_conn_send(&c, req.data, req.len);
	expect_response(&c, false, 413, 3000, "chunked data over body-max", &r);
	assert_html_error(&r, 413);
	harness_response_free(&r);
	ck_assert_msg(harness_conn_wait_eof(&c, 3000) == 1,
	    "chunked data over body-max: not closed after the 413 (or the "
	    "request after it was answered)");
	harness_conn_close(&c);
	harness_buf_free(&req);
}
END_TEST

/*
 * RFC 9110 §10.1.1: a client sending "Expect: 100-continue" waits for the
 * interim 100 before the body.  Here it really waits: the body is sent
 * only once "HTTP/1.1 100 Continue" arrived, then the final 200, and the
 * connection goes on.
 */
START_TEST(test_expect_continue)
{
	struct harness_conn c;
	struct harness_response r;

	start_own(2, NULL);
	ck_assert_int_eq(harness_conn_open(&c, own.port), 0);
	ck_assert_int_eq(harness_conn_sendstr(&c, "GET /a HTTP/1.1\r\n"
	    "Host: t\r\nContent-Length: 10\r\nExpect: 100-continue\r\n\r\n"),
	    0);
	expect_response(&c, false, 100, 3000,
	    "Expect: 100-continue, header only", &r);
	ck_assert_msg(strcmp(r.head, "HTTP/1.1 100 Continue\r\n\r\n") == 0,
	    "interim response \"%s\"", r.head);
	harness_response_free(&r);
	/* nothing but the 100 before the body */
	ck_assert_msg(harness_conn_wait_eof(&c, 200) == 0,
	    "after the 100: closed, or more came before the body: \"%s\"",
	    c.in.data);
	ck_assert_int_eq(harness_conn_sendstr(&c, "0123456789"), 0);
	expect_response(&c, false, 200, HARNESS_IO_TIMEOUT_MS,
	    "the final response after 100 and the body", &r);
	ck_assert_str_eq(r.body, "content of a\n");
	harness_response_free(&r);
	assert_conn_usable(&c, "after 100-continue");
	harness_conn_close(&c);
}
END_TEST

/*
 * When the answer is an error, the server sends it at once, without a
 * 100, and closes: the client need not send the body.
 */
START_TEST(test_expect_continue_error)
{
	static const struct {
		const char *req;
		int status;
	} rows[] = {
		{ "POST /a HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n"
		  "Expect: 100-continue\r\n\r\n", 405 },
		{ "GET /no-such-file HTTP/1.1\r\nHost: t\r\n"
		  "Content-Length: 10\r\nExpect: 100-continue\r\n\r\n", 404 },
	};
	struct harness_conn c;
	struct harness_response r;
	size_t i;

	start_own(2, NULL);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		ck_assert_int_eq(harness_conn_open(&c, own.port), 0);
		ck_assert_int_eq(harness_conn_sendstr(&c, rows[i].req), 0);
		ck_assert_msg(harness_conn_read_response(&c, false, &r, 3000)
		    == 0, "row %zu: no response to the header alone", i);
		ck_assert_msg(r.status == rows[i].status, "row %zu: status %d, "
		    "want %d without a 100 first:\n%s", i, r.status,
		    rows[i].status, r.head);
		assert_html_error(&r, rows[i].status);
		harness_response_free(&r);
		ck_assert_msg(harness_conn_wait_eof(&c, 3000) == 1,
		    "row %zu: not closed after the %d", i, rows[i].status);
		harness_conn_close(&c);
	}
}
END_TEST

/*
 * body-timeout = 1: a body that stops after 10 of 100 bytes is answered
 * with 408 about a second later, and the connection is closed.
 */
START_TEST(test_body_timeout)
{
	struct harness_conn c;
	struct harness_response r;
	int64_t t0, dt;

	start_own(2, "body-timeout = 1\n");
	ck_assert_int_eq(harness_conn_open(&c, own.port), 0);
	ck_assert_int_eq(harness_conn_sendstr(&c, "GET /a HTTP/1.1\r\n"
	    "Host: t\r\nContent-Length: 100\r\n\r\n0123456789"), 0);
	t0 = harness_now_ms();
	expect_response(&c, false, 408, 6000, "a body that stalls", &r);
	dt = harness_now_ms() - t0;
	/* Generous above: what it tells from is the 30 s default. */
	ck_assert_msg(dt >= 700 && dt <= 5000,
	    "408 after %lld ms, want about body-timeout (1 s)", (long long)dt);
	assert_html_error(&r, 408);
	harness_response_free(&r);
	ck_assert_msg(harness_conn_wait_eof(&c, 3000) == 1,
	    "not closed after the 408");
	harness_conn_close(&c);
}
END_TEST

/*
 * body-timeout is a total: a body trickling in a byte every 200 ms (each
 * well within a second) is still cut while it trickles, a second or more
 * after it began (a deadline per read would never run out).
 */
START_TEST(test_body_timeout_is_total)
{
	struct harness_conn c;
	struct harness_response r;
	int64_t t0, dt = -1;
	int sent = 0;

	start_own(2, "body-timeout = 1\n");
	ck_assert_int_eq(harness_conn_open(&c, own.port), 0);
	ck_assert_int_eq(harness_conn_sendstr(&c, "GET /a HTTP/1.1\r\n"
	    "Host: t\r\nContent-Length: 100\r\n\r\n"), 0);
	t0 = harness_now_ms();
	while (harness_now_ms() - t0 < 5000 && sent < 100) {
		ssize_t n;

		if (harness_conn_send(&c, "x", 1) < 0)
			break;
		sent++;
		/* the pause between bytes doubles as the wait for an answer */
		n = harness_conn_recv(&c, 200);
		if (n >= 0) {
			dt = harness_now_ms() - t0;
			break;
		}
	}
	ck_assert_msg(dt >= 0, "no answer after %d trickled bytes in %lld ms",
	    sent, (long long)(harness_now_ms() - t0));
	ck_assert_msg(dt >= 700, "answered after %lld ms (%d bytes trickled), "
	    "before body-timeout (1 s)", (long long)dt, sent);
	expect_response(&c, false, 408, 2000, "a trickled body", &r);
	harness_response_free(&r);
	ck_assert_msg(harness_conn_wait_eof(&c, 3000) == 1,
	    "not closed after the 408");
	harness_conn_close(&c);
}
END_TEST

/*
 * A request buffer starts small and grows for the header that needs it:
 * a 12 KiB header block is answered, and so is a body (with a pipelined
 * request behind it) after a header that nearly fills the first buffer.
 */
START_TEST(test_large_header_grows)
{
	struct harness_buf b;
	struct harness_conn c;
	struct harness_response r;

	start_own(1, NULL);
	harness_buf_init(&b);
	harness_buf_appendf(&b, "GET /a HTTP/1.1\r\nHost: t\r\n");
	for (int i = 0; i < 12; i++) {
		harness_buf_appendf(&b, "X-Pad-%d: ", i);
		for (int k = 0; k < 1000; k++)
			harness_buf_append(&b, "p", 1);
		harness_buf_appendf(&b, "\r\n");
	}
	harness_buf_appendf(&b, "\r\n");
	/* then a header of about 3.9 KiB with a body, then a pipelined GET */
	harness_buf_appendf(&b, "GET /a HTTP/1.1\r\nHost: t\r\n"
	    "Content-Length: 5000\r\nX-Pad: ");
	for (int k = 0; k < 3800; k++)
		harness_buf_append(&b, "q", 1);
	harness_buf_appendf(&b, "\r\n\r\n");
	for (int k = 0; k < 5000; k++)
		harness_buf_append(&b, "b", 1);
	harness_buf_appendf(&b, "GET /b HTTP/1.1\r\nHost: t\r\n\r\n");
	ck_assert_int_eq(harness_conn_open(&c, own.port), 0);
	ck_assert_int_eq(harness_conn_send(&c, b.data, b.len), 0);
	harness_buf_free(&b);
	expect_response(&c, false, 200, 3000, "a 12 KiB header", &r);
	ck_assert_str_eq(r.body, "content of a\n");
	harness_response_free(&r);
	expect_response(&c, false, 200, 3000, "a body after a 3.9 KiB header",
	    &r);
	ck_assert_str_eq(r.body, "content of a\n");
	harness_response_free(&r);
	expect_response(&c, false, 200, 3000, "the request after the body", &r);
	ck_assert_str_eq(r.body, "content of b, longer\n");
	harness_response_free(&r);
	harness_conn_close(&c);
}
END_TEST

/*
 * body-min-rate: a body that keeps coming, but slower than the floor
 * over a window, is refused long before body-timeout; one that comes at
 * a decent pace is not.
 */
START_TEST(test_body_min_rate)
{
	static char piece[500];
	struct harness_conn c;
	struct harness_response r;
	int64_t t0, dt = -1;
	int sent = 0;

	start_own(1, "body-timeout = 60\nbody-min-rate = 1000\n"
	    "min-rate-window = 1\n");
	/* 500 bytes every 100 ms: 5000 B/s, above the floor. */
	memset(piece, 'x', sizeof(piece));
	ck_assert_int_eq(harness_conn_open(&c, own.port), 0);
	ck_assert_int_eq(harness_conn_sendstr(&c, "GET /a HTTP/1.1\r\n"
	    "Host: t\r\nContent-Length: 15000\r\n\r\n"), 0);
	for (int i = 0; i < 30; i++) {
		ck_assert_int_eq(harness_conn_send(&c, piece, sizeof(piece)), 0);
		/* The last piece completes the body: the answer comes. */
		ck_assert_msg(i == 29 || (harness_conn_recv(&c, 100) < 0 &&
		    !c.eof),
		    "answered during a body sent at 5000 B/s after %d bytes",
		    (i + 1) * (int)sizeof(piece));
	}
	expect_response(&c, false, 200, 3000, "a body at 5000 B/s", &r);
	harness_response_free(&r);
	harness_conn_close(&c);

	/* 1 byte every 100 ms: 10 B/s, far below it. */
	ck_assert_int_eq(harness_conn_open(&c, own.port), 0);
	ck_assert_int_eq(harness_conn_sendstr(&c, "GET /a HTTP/1.1\r\n"
	    "Host: t\r\nContent-Length: 100000\r\n\r\n"), 0);
	t0 = harness_now_ms();
	while (harness_now_ms() - t0 < 10000 && sent < 100) {
		if (harness_conn_send(&c, "x", 1) < 0)
			break;
		sent++;
		if (harness_conn_recv(&c, 100) >= 0) {
			dt = harness_now_ms() - t0;
			break;
		}
	}
	ck_assert_msg(dt >= 0, "a body at 10 B/s (body-min-rate 1000, window "
	    "1 s) not refused after %d bytes in %lld ms", sent,
	    (long long)(harness_now_ms() - t0));
	expect_response(&c, false, 408, 2000, "a body below body-min-rate", &r);
	harness_response_free(&r);
	harness_conn_close(&c);
}
END_TEST

/* ---- HTTP/1.1: stalled, slow and vanishing clients ------------------------ */

#define BIG_PATH	"/big.bin"
#define BIG_SIZE	((uint64_t)64 * 1024 * 1024)

static void
make_big_file(void)
{
	ck_assert_msg(harness_make_big_file(&own, "docroot" BIG_PATH,
	    BIG_SIZE) == 0, "cannot create the 64 MiB file in %s", own.dir);
}

/*
 * Reads c until the peer closes (or resets) or timeout_ms passes, dropping
 * the bytes.  Returns how many there were, those already in c->in included.
 */
static uint64_t
drain(struct harness_conn *c, int timeout_ms)
{
	int64_t deadline = harness_now_ms() + timeout_ms;
	uint64_t total = 0;

	for (;;) {
		total += c->in.len;
		c->in.len = 0;
		c->in.data[0] = '\0';
		if (c->eof || harness_now_ms() >= deadline)
			return total;
		(void)harness_conn_recv(c, (int)(deadline - harness_now_ms()));
	}
}

/* Feeds s the next n bytes of the response (harness_stream_feed). */
static void
stream_feed(struct harness_stream *s, const unsigned char *p, size_t n)
{
	ck_assert_msg(harness_stream_feed(s, p, n) == 0, "not an HTTP "
	    "response head: \"%.200s\"", s->head.data);
}

/*
 * send-timeout = 1 with one worker: a client that asks for 64 MiB and
 * reads nothing (a small receive window) does not hold the worker, whose
 * response to it goes on in the background: a second client is answered
 * at once.  The stalled one is still given up about a second after the
 * server could send no more: EOF (or a reset) long before 64 MiB.
 */
START_TEST(test_send_stall_gives_up)
{
	struct harness_conn a, b;
	struct harness_response r;
	int64_t t0, dt;
	uint64_t got;

	make_big_file();
	start_own(1, "send-timeout = 1\n");
	ck_assert_int_eq(harness_conn_open_rcvbuf(&a, own.port, 16 * 1024), 0);
	ck_assert_int_eq(harness_conn_sendstr(&a, "GET " BIG_PATH " HTTP/1.1\r\n"
	    "Host: t\r\n\r\n"), 0);
	t0 = harness_now_ms();
	ck_assert_int_eq(harness_conn_open(&b, own.port), 0);
	ck_assert_int_eq(harness_conn_sendstr(&b, "GET /b HTTP/1.1\r\n"
	    "Host: t\r\nConnection: close\r\n\r\n"), 0);
	expect_response(&b, false, 200, 6000,
	    "a second client while the only worker sends to one that does not "
	    "read", &r);
	dt = harness_now_ms() - t0;
	ck_assert_str_eq(r.body, "content of b, longer\n");
	harness_response_free(&r);
	ck_assert_msg(dt < 700, "second client served after %lld ms: it "
	    "waited for the stalled response", (long long)dt);
	harness_conn_close(&b);

	/* Still reading nothing, past send-timeout; then what came. */
	harness_sleep_ms(2500);
	got = drain(&a, 5000);
	ck_assert_msg(a.eof, "the stalled client's connection is still open "
	    "(%llu bytes read)", (unsigned long long)got);
	ck_assert_msg(got < BIG_SIZE / 4, "the stalled client got %llu bytes "
	    "(reset %d): it was not given up", (unsigned long long)got,
	    a.reset);
	harness_conn_close(&a);
}
END_TEST

/* own's error.log has a line with the text arg. */
static bool
own_error_has(void *arg)
{
	char *text = harness_read_file(&own, "error.log", NULL);
	bool found = text != NULL && strstr(text, arg) != NULL;

	free(text);
	return found;
}

/* own's access.log has a line with the text arg. */
static bool
own_access_has(void *arg)
{
	char *text = harness_read_file(&own, "access.log", NULL);
	bool found = text != NULL && strstr(text, arg) != NULL;

	free(text);
	return found;
}

/*
 * send-min-rate: a reader that keeps taking bytes (so send-timeout, a
 * stall deadline, never fires) but slower than the floor over a window
 * is cut off, and the log says why.
 */
START_TEST(test_send_min_rate)
{
	static unsigned char buf[16 * 1024];
	struct harness_conn c;
	int64_t t0, dt = -1;
	uint64_t got = 0;

	make_big_file();
	start_own(1, "send-timeout = 60\nsend-min-rate = 200000\n"
	    "min-rate-window = 1\n");
	ck_assert_int_eq(harness_conn_open_rcvbuf(&c, own.port, 4096), 0);
	ck_assert_int_eq(harness_conn_sendstr(&c, "GET " BIG_PATH " HTTP/1.1\r\n"
	    "Host: t\r\nConnection: close\r\n\r\n"), 0);
	/* 16 KiB every 200 ms: 80 KB/s, steady, below 200000 B/s. */
	t0 = harness_now_ms();
	while (harness_now_ms() - t0 < 15000) {
		ssize_t n;

		harness_sleep_ms(200);
		n = recv(c.fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			dt = harness_now_ms() - t0;
			break;
		}
		if (n > 0)
			got += (uint64_t)n;
	}
	ck_assert_msg(dt >= 0, "a reader at 80 KB/s (send-min-rate 200000, "
	    "window 1 s) still served after %lld ms, %llu bytes",
	    (long long)(harness_now_ms() - t0), (unsigned long long)got);
	ck_assert_msg(got < BIG_SIZE, "the whole file went out");
	ck_assert_msg(harness_poll(own_error_has, (void *)"send-min-rate", 3000),
	    "error.log does not say the client was below send-min-rate");
	harness_conn_close(&c);
}
END_TEST

/*
 * send-timeout bounds a stall, not the response: with send-timeout = 1 a
 * client that reads 256 KiB every 300 ms for 3 s, then the rest at full
 * speed, gets all of the 64 MiB file, byte for byte.  The file goes out
 * in the background (nothing is pipelined behind it), and is logged
 * once it is all out, with every byte counted.
 */
START_TEST(test_send_slow_reader)
{
	static unsigned char chunk[256 * 1024];
	struct harness_conn c;
	struct harness_stream s;
	char want[128];
	int64_t t0;

	make_big_file();
	start_own(1, "send-timeout = 1\n");
	ck_assert_int_eq(harness_conn_open(&c, own.port), 0);
	ck_assert_int_eq(harness_conn_sendstr(&c, "GET " BIG_PATH " HTTP/1.1\r\n"
	    "Host: t\r\nConnection: close\r\n\r\n"), 0);
	harness_stream_init(&s);
	t0 = harness_now_ms();
	while (harness_now_ms() - t0 < 3000 && !c.eof) {
		size_t got = 0;

		harness_sleep_ms(300);
		while (got < sizeof(chunk)) {
			ssize_t n = recv(c.fd, chunk, sizeof(chunk) - got,
			    MSG_DONTWAIT);

			if (n == 0 || (n < 0 && errno != EAGAIN &&
			    errno != EINTR)) {
				c.eof = true;
				c.reset = n < 0;
				break;
			}
			if (n < 0)
				break;
			stream_feed(&s, chunk, (size_t)n);
			got += (size_t)n;
		}
	}
	ck_assert_msg(!c.eof, "the connection ended during the slow reads, "
	    "after %llu body bytes (reset %d)", (unsigned long long)s.body,
	    c.reset);
	while (!c.eof) {
		struct pollfd pfd = { c.fd, POLLIN, 0 };
		ssize_t n;

		ck_assert_msg(poll(&pfd, 1, 5000) == 1, "nothing for 5 s after "
		    "%llu body bytes", (unsigned long long)s.body);
		n = recv(c.fd, chunk, sizeof(chunk), 0);
		if (n > 0) {
			stream_feed(&s, chunk, (size_t)n);
		} else if (n == 0 || errno != EINTR) {
			c.eof = true;
			c.reset = n < 0;
		}
	}
	ck_assert_msg(s.in_body && s.status == 200, "status %d", s.status);
	ck_assert_int_eq(s.content_length, (long long)BIG_SIZE);
	ck_assert_msg(!c.reset && s.body == BIG_SIZE, "slow reader cut off: "
	    "%llu of %llu bytes (reset %d)", (unsigned long long)s.body,
	    (unsigned long long)BIG_SIZE, c.reset);
	ck_assert_msg(s.bad_at == UINT64_MAX, "body differs from the file at "
	    "offset %llu", (unsigned long long)s.bad_at);
	harness_stream_free(&s);
	harness_conn_close(&c);
	snprintf(want, sizeof(want), "\"GET %s HTTP/1.1\" 200 %llu \"",
	    BIG_PATH, (unsigned long long)BIG_SIZE);
	ck_assert_msg(harness_poll(own_access_has, want, 5000), "no access.log "
	    "line with %s", want);
}
END_TEST

/* The pid of own's one worker. */
static pid_t
the_worker(void)
{
	pid_t w[2];

	wait_workers(w, 1);
	return w[0];
}

/*
 * A client that closes in the middle of a 64 MiB download costs nothing:
 * with one worker (and the default send-timeout of 60 s) the next client
 * is answered at once, by the same worker.
 */
START_TEST(test_client_abort_mid_download)
{
	struct harness_conn a, b;
	struct harness_response r;
	pid_t worker;
	int64_t t0, dt;
	uint64_t got = 0;

	make_big_file();
	start_own(1, NULL);
	worker = the_worker();
	ck_assert_int_eq(harness_conn_open(&a, own.port), 0);
	ck_assert_int_eq(harness_conn_sendstr(&a, "GET " BIG_PATH " HTTP/1.1\r\n"
	    "Host: t\r\n\r\n"), 0);
	t0 = harness_now_ms();
	while (got < 1024 * 1024 && !a.eof && harness_now_ms() - t0 < 5000) {
		(void)harness_conn_recv(&a, 1000);
		got += a.in.len;
		a.in.len = 0;
	}
	ck_assert_msg(got >= 1024 * 1024 && !a.eof, "only %llu bytes of the "
	    "big file (closed %d)", (unsigned long long)got, a.eof);
	/* unread data: close() sends a reset, as a killed browser would */
	harness_conn_close(&a);

	t0 = harness_now_ms();
	ck_assert_int_eq(harness_conn_open(&b, own.port), 0);
	ck_assert_int_eq(harness_conn_sendstr(&b, "GET /b HTTP/1.1\r\n"
	    "Host: t\r\nConnection: close\r\n\r\n"), 0);
	expect_response(&b, false, 200, 12000, "the next client", &r);
	dt = harness_now_ms() - t0;
	ck_assert_str_eq(r.body, "content of b, longer\n");
	harness_response_free(&r);
	harness_conn_close(&b);
	/* Generous: a worker held by the aborted download would hold on
	 * for send-timeout, 60 s. */
	ck_assert_msg(dt < 10000, "the next client waited %lld ms",
	    (long long)dt);
	ck_assert_msg(harness_pid_state(worker) != 0 &&
	    harness_pid_state(worker) != 'Z', "the worker died");
	ck_assert_int_eq(the_worker(), worker);
}
END_TEST

/*
 * A client that sends two requests and then half-closes (SHUT_WR) gets
 * both responses complete, then the close; the next client is served.
 */
START_TEST(test_client_half_close)
{
	unsigned char *large = malloc(HARNESS_LARGE_SIZE);
	struct harness_conn a, b;
	struct harness_response r;
	pid_t worker;

	ck_assert_ptr_nonnull(large);
	harness_large_content(large, HARNESS_LARGE_SIZE);
	start_own(1, NULL);
	worker = the_worker();
	ck_assert_int_eq(harness_conn_open(&a, own.port), 0);
	ck_assert_int_eq(harness_conn_sendstr(&a, "GET /a HTTP/1.1\r\n"
	    "Host: t\r\n\r\nGET /large.bin HTTP/1.1\r\nHost: t\r\n\r\n"), 0);
	ck_assert_int_eq(shutdown(a.fd, SHUT_WR), 0);
	expect_response(&a, false, 200, HARNESS_IO_TIMEOUT_MS,
	    "GET /a, then half-closed", &r);
	ck_assert_str_eq(r.body, "content of a\n");
	harness_response_free(&r);
	expect_response(&a, false, 200, HARNESS_IO_TIMEOUT_MS,
	    "GET /large.bin, pipelined before the half-close", &r);
	ck_assert_uint_eq(r.body_len, HARNESS_LARGE_SIZE);
	ck_assert_msg(memcmp(r.body, large, HARNESS_LARGE_SIZE) == 0,
	    "large.bin differs after a half-close");
	harness_response_free(&r);
	ck_assert_msg(harness_conn_wait_eof(&a, 3000) == 1,
	    "not closed after the half-closed client's last response");
	ck_assert_msg(!a.reset, "reset instead of a close");
	harness_conn_close(&a);
	free(large);

	ck_assert_int_eq(harness_conn_open(&b, own.port), 0);
	ck_assert_int_eq(harness_conn_sendstr(&b, "GET /b HTTP/1.1\r\n"
	    "Host: t\r\nConnection: close\r\n\r\n"), 0);
	expect_response(&b, false, 200, 2000, "the next client", &r);
	ck_assert_str_eq(r.body, "content of b, longer\n");
	harness_response_free(&r);
	harness_conn_close(&b);
	ck_assert_int_eq(the_worker(), worker);
}
END_TEST

/* ---- HTTP/1.1: directory listing ------------------------------------------ */

/* docroot/list: no index, names that need escaping, a hidden file. */
static void
make_list_dir(void)
{
	char path[PATH_MAX + 32];

	ck_assert_int_eq(harness_mkdir(&own, "docroot/list"), 0);
	ck_assert_int_eq(harness_mkdir(&own, "docroot/list/sub"), 0);
	ck_assert_int_eq(harness_write_data(&own, "docroot/list/a&b.txt",
	    "ampersand\n", 10), 0);
	ck_assert_int_eq(harness_write_data(&own, "docroot/list/<b>.txt",
	    "angle\n", 6), 0);
	ck_assert_int_eq(harness_write_data(&own, "docroot/list/z.txt",
	    "twelve bytes", 12), 0);
	ck_assert_int_eq(harness_write_data(&own, "docroot/list/.hidden",
	    "hidden\n", 7), 0);
	snprintf(path, sizeof(path), "%s/list/link", own.docroot);
	ck_assert_int_eq(symlink("z.txt", path), 0);
}

/* Where needle is in the body, or -1. */
static long
body_pos(const struct harness_response *r, const char *needle)
{
	const char *p = strstr(r->body, needle);

	return p ? (long)(p - r->body) : -1;
}

/*
 * directory-listing = true: GET /list/ (no index file) is an HTML page
 * listing the names, HTML-escaped in the text, percent-encoded in the
 * links, directories first, dotfiles hidden, sizes in bytes, times in
 * UTC, a symlink with size "-"; a link on it leads to the file.
 */
START_TEST(test_listing_on)
{
	struct harness_response r;
	char v[256], when[32], path[PATH_MAX + 32], target[256];
	regmatch_t m[2];
	struct stat st;
	struct tm tm;

	make_list_dir();
	start_own(2, "directory-listing = true\n");
	get_ok(own.port, "/list/", &r);
	ck_assert_msg(harness_header(&r, "Content-Type", v, sizeof(v)) &&
	    strncasecmp(v, "text/html", 9) == 0, "listing:\n%s", r.head);
	ck_assert_int_eq(r.content_length, (long long)r.body_len);
	ck_assert_msg(body_pos(&r, ">a&amp;b.txt<") >= 0 &&
	    body_pos(&r, ">&lt;b&gt;.txt<") >= 0 &&
	    body_pos(&r, ">z.txt<") >= 0 && body_pos(&r, ">sub/<") >= 0 &&
	    body_pos(&r, ">link<") >= 0, "names missing:\n%s", r.body);
	ck_assert_msg(body_pos(&r, "a&b") < 0 && body_pos(&r, "<b>") < 0,
	    "a name is not HTML-escaped:\n%s", r.body);
	ck_assert_msg(body_pos(&r, "hidden") < 0, "a dotfile is listed:\n%s",
	    r.body);
	/* directories first, then bytewise order: '<' < 'a' < 'l' < 'z' */
	ck_assert_msg(body_pos(&r, ">sub/<") <
	    body_pos(&r, ">&lt;b&gt;.txt<") &&
	    body_pos(&r, ">&lt;b&gt;.txt<") < body_pos(&r, ">a&amp;b.txt<") &&
	    body_pos(&r, ">a&amp;b.txt<") < body_pos(&r, ">link<") &&
	    body_pos(&r, ">link<") < body_pos(&r, ">z.txt<"),
	    "not sorted with directories first:\n%s", r.body);
	ck_assert_msg(matches("href=\"a%26b\\.txt\"", r.body, NULL, 0) &&
	    matches("href=\"%3Cb%3E\\.txt\"", r.body, NULL, 0),
	    "links are not percent-encoded:\n%s", r.body);

	/* z.txt: 12 bytes, its mtime in UTC; the symlink: size "-" */
	snprintf(path, sizeof(path), "%s/list/z.txt", own.docroot);
	ck_assert_int_eq(stat(path, &st), 0);
	gmtime_r(&st.st_mtime, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
	ck_assert_msg(line_has_both(r.body, ">z.txt<", ">12<") &&
	    line_has_both(r.body, ">z.txt<", when),
	    "z.txt's row lacks size 12 or time %s:\n%s", when, r.body);
	ck_assert_msg(line_has_both(r.body, ">link<", ">-<"),
	    "the symlink's row has a size:\n%s", r.body);

	/* the link to a&b.txt works */
	ck_assert(matches("href=\"([^\"]*)\">a&amp;b\\.txt<", r.body, m, 2));
	snprintf(target, sizeof(target), "/list/%.*s",
	    (int)(m[1].rm_eo - m[1].rm_so), r.body + m[1].rm_so);
	harness_response_free(&r);
	get_ok(own.port, target, &r);
	ck_assert_str_eq(r.body, "ampersand\n");
	harness_response_free(&r);

	/* a directory with an index file still gets the index */
	get_ok(own.port, "/subdir/", &r);
	ck_assert_str_eq(r.body, HARNESS_SUBDIR_HTML);
	harness_response_free(&r);
}
END_TEST

/* By default the same directory is 403, and nothing of it is shown. */
START_TEST(test_listing_off)
{
	struct harness_response r;

	make_list_dir();
	start_own(2, NULL);
	ck_assert_int_eq(harness_request(own.port, "GET", "/list/", NULL, &r),
	    0);
	assert_html_error(&r, 403);
	ck_assert_msg(strstr(r.body, "z.txt") == NULL &&
	    strstr(r.body, "a&amp;b") == NULL, "403 lists the directory:\n%s",
	    r.body);
	harness_response_free(&r);
}
END_TEST

/* ---- HTTP/1.1: validators, conditionals, ranges --------------------------- */

/*
 * RFC 9110 §8.8: a file's 200 carries a strong ETag (here
 * "inode-size-mtime_ns" in hex), Last-Modified (its mtime) and
 * Accept-Ranges: bytes (§14.3).
 */
START_TEST(test_validators)
{
	struct harness_response r;
	char v[256], want[256], path[PATH_MAX + 32];
	struct stat st;

	snprintf(path, sizeof(path), "%s/known.txt", srv.docroot);
	ck_assert_int_eq(stat(path, &st), 0);
	get_ok(srv.port, "/known.txt", &r);
	ck_assert_int_eq(harness_header_count(&r, "ETag"), 1);
	ck_assert(harness_header(&r, "ETag", v, sizeof(v)));
	snprintf(want, sizeof(want), "\"%llx-%llx-%llx\"",
	    (unsigned long long)st.st_ino, (unsigned long long)st.st_size,
	    (unsigned long long)st.st_mtim.tv_sec * 1000000000ULL +
	    (unsigned long long)st.st_mtim.tv_nsec);
	ck_assert_str_eq(v, want);
	ck_assert(harness_header(&r, "Last-Modified", v, sizeof(v)));
	format_imf(st.st_mtime, want, sizeof(want));
	ck_assert_str_eq(v, want);
	ck_assert_msg(harness_header(&r, "Accept-Ranges", v, sizeof(v)),
	    "no Accept-Ranges:\n%s", r.head);
	ck_assert_str_eq(v, "bytes");
	harness_response_free(&r);
}
END_TEST

/* GETs path with the extra header lines on c; checks the status. */
static void
conn_get(struct harness_conn *c, const char *path, const char *extra,
    int status, struct harness_response *r)
{
	char req[1024], what[512];

	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: t\r\n%s\r\n", path,
	    extra);
	snprintf(what, sizeof(what), "GET %s with \"%s\"", path, extra);
	ck_assert_int_eq(harness_conn_sendstr(c, req), 0);
	expect_response(c, false, status, HARNESS_IO_TIMEOUT_MS, what, r);
}

/*
 * RFC 9110 §13.1-13.2 through the server, one keep-alive connection: a
 * matching If-None-Match (also by weak comparison) or If-Modified-Since
 * gives 304 without a body, Content-Length or Content-Type but with the
 * validators, and the connection goes on; a failed If-Match gives 412.
 */
START_TEST(test_conditionals)
{
	struct harness_conn c;
	struct harness_response r;
	char etag[128], lm[64], h[512], v[256];
	int i;

	get_ok(srv.port, "/known.txt", &r);
	ck_assert(harness_header(&r, "ETag", etag, sizeof(etag)));
	ck_assert(harness_header(&r, "Last-Modified", lm, sizeof(lm)));
	harness_response_free(&r);

	ck_assert_int_eq(harness_conn_open(&c, srv.port), 0);
	for (i = 0; i < 3; i++) {
		if (i == 0)
			snprintf(h, sizeof(h), "If-None-Match: %s\r\n", etag);
		else if (i == 1)
			snprintf(h, sizeof(h), "If-None-Match: \"other\", "
			    "W/%s\r\n", etag);
		else
			snprintf(h, sizeof(h), "If-Modified-Since: %s\r\n", lm);
		conn_get(&c, "/known.txt", h, 304, &r);
		ck_assert_uint_eq(r.body_len, 0);
		ck_assert_msg(!harness_header(&r, "Content-Length", NULL, 0) &&
		    !harness_header(&r, "Content-Type", NULL, 0),
		    "304 with Content-Length or Content-Type:\n%s", r.head);
		ck_assert_msg(harness_header(&r, "ETag", v, sizeof(v)) &&
		    strcmp(v, etag) == 0, "304 without the ETag:\n%s", r.head);
		ck_assert_msg(harness_header(&r, "Last-Modified", v,
		    sizeof(v)) && strcmp(v, lm) == 0,
		    "304 without Last-Modified:\n%s", r.head);
		harness_response_free(&r);
		/* no body followed the 304: the next response parses */
		conn_get(&c, "/a", "", 200, &r);
		ck_assert_str_eq(r.body, "content of a\n");
		harness_response_free(&r);
	}
	/* a different tag: the full 200 */
	conn_get(&c, "/known.txt", "If-None-Match: \"other\"\r\n", 200, &r);
	ck_assert_str_eq(r.body, HARNESS_KNOWN_TEXT);
	harness_response_free(&r);
	/* If-Match by strong comparison: a weak tag never matches */
	snprintf(h, sizeof(h), "If-Match: W/%s\r\n", etag);
	conn_get(&c, "/known.txt", h, 412, &r);
	harness_response_free(&r);
	snprintf(h, sizeof(h), "If-Match: %s\r\n", etag);
	conn_get(&c, "/known.txt", h, 200, &r);
	ck_assert_str_eq(r.body, HARNESS_KNOWN_TEXT);
	harness_response_free(&r);
	harness_conn_close(&c);
}
END_TEST

/*
 * RFC 9110 §14: single ranges (int, suffix, open-ended, clipped),
 * overlapping ones merged into one, HEAD ignoring Range, 416 with
 * "Content-Range: bytes *" "/length".
 */
START_TEST(test_ranges)
{
	static const struct {
		const char *range;
		unsigned first, last;	/* of known.txt */
	} rows[] = {
		{ "bytes=0-4", 0, 4 },
		{ "bytes=-4", 55, 58 },
		{ "bytes=50-", 50, 58 },
		{ "bytes=50-1000", 50, 58 },
		{ "bytes=0-4,3-8", 0, 8 },
		{ "bytes=10-14,0-4,5-9", 0, 14 },
	};
	const size_t len = strlen(HARNESS_KNOWN_TEXT);
	struct harness_conn c;
	struct harness_response r;
	char h[128], v[128], want[128];
	size_t i;

	ck_assert_uint_eq(len, 59);
	ck_assert_int_eq(harness_conn_open(&c, srv.port), 0);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		size_t n = rows[i].last - rows[i].first + 1;

		snprintf(h, sizeof(h), "Range: %s\r\n", rows[i].range);
		conn_get(&c, "/known.txt", h, 206, &r);
		ck_assert_msg(harness_header(&r, "Content-Range", v, sizeof(v)),
		    "%s: 206 without Content-Range:\n%s", rows[i].range,
		    r.head);
		snprintf(want, sizeof(want), "bytes %u-%u/%zu", rows[i].first,
		    rows[i].last, len);
		ck_assert_msg(strcmp(v, want) == 0, "%s: Content-Range \"%s\", "
		    "want \"%s\"", rows[i].range, v, want);
		ck_assert_msg(harness_header(&r, "Content-Type", v, sizeof(v)) &&
		    strncasecmp(v, "text/plain", 10) == 0,
		    "%s: Content-Type %s", rows[i].range, v);
		ck_assert_int_eq(r.content_length, (long long)n);
		ck_assert_msg(r.body_len == n && memcmp(r.body,
		    HARNESS_KNOWN_TEXT + rows[i].first, n) == 0,
		    "%s: body \"%s\"", rows[i].range, r.body);
		harness_response_free(&r);
	}
	conn_get(&c, "/known.txt", "Range: bytes=59-\r\n", 416, &r);
	ck_assert_msg(harness_header(&r, "Content-Range", v, sizeof(v)),
	    "416 without Content-Range:\n%s", r.head);
	snprintf(want, sizeof(want), "bytes */%zu", len);
	ck_assert_str_eq(v, want);
	harness_response_free(&r);
	/* the connection survived all of it */
	conn_get(&c, "/known.txt", "", 200, &r);
	ck_assert_str_eq(r.body, HARNESS_KNOWN_TEXT);
	harness_response_free(&r);
	/* §14.2: Range is ignored for HEAD */
	ck_assert_int_eq(harness_conn_sendstr(&c, "HEAD /known.txt HTTP/1.1\r\n"
	    "Host: t\r\nRange: bytes=0-4\r\n\r\n"), 0);
	expect_response(&c, true, 200, HARNESS_IO_TIMEOUT_MS, "HEAD with Range",
	    &r);
	ck_assert_int_eq(r.content_length, (long long)len);
	harness_response_free(&r);
	assert_conn_usable(&c, "after ranges");
	harness_conn_close(&c);
}
END_TEST

/*
 * Checks a multipart/byteranges body (RFC 9110 §14.6, RFC 2046 §5.1.1):
 * exactly the parts want[] (first, last) in order, each with its
 * Content-Range and the file's bytes, then the close delimiter and
 * nothing more.
 */
static void
check_multipart(const struct harness_response *r, const unsigned char *file,
    size_t size, const unsigned long long (*want)[2], size_t nwant)
{
	char ct[256], delim[128];
	const char *b, *p = r->body, *end = r->body + r->body_len;
	size_t dlen, i;

	ck_assert(harness_header(r, "Content-Type", ct, sizeof(ct)));
	ck_assert_msg(strncasecmp(ct, "multipart/byteranges;", 21) == 0,
	    "Content-Type %s", ct);
	b = strstr(ct, "boundary=");
	ck_assert_msg(b != NULL, "no boundary: %s", ct);
	b += 9;
	ck_assert_msg(matches("^forkhttpd-[0-9a-f]{16}$", b, NULL, 0),
	    "boundary \"%s\"", b);
	snprintf(delim, sizeof(delim), "--%s\r\n", b);
	dlen = strlen(delim);
	for (i = 0; i < nwant; i++) {
		unsigned long long first, last, total;
		const char *hend, *cr;
		char *fields;
		size_t n;

		if (i > 0) {
			ck_assert_msg(end - p >= 2 && memcmp(p, "\r\n", 2) == 0,
			    "part %zu: no CRLF before the delimiter", i);
			p += 2;
		}
		ck_assert_msg((size_t)(end - p) >= dlen &&
		    memcmp(p, delim, dlen) == 0,
		    "part %zu: no delimiter at \"%.60s\"", i, p);
		p += dlen;
		hend = memmem(p, (size_t)(end - p), "\r\n\r\n", 4);
		ck_assert_msg(hend != NULL, "part %zu: header not ended", i);
		fields = strndup(p - 2, (size_t)(hend - p) + 4);
		ck_assert_ptr_nonnull(fields);
		cr = strcasestr(fields, "\r\nContent-Range:");
		ck_assert_msg(cr != NULL && sscanf(cr + 16,
		    " bytes %llu-%llu/%llu", &first, &last, &total) == 3,
		    "part %zu: no Content-Range in \"%s\"", i, fields);
		free(fields);
		ck_assert_msg(first == want[i][0] && last == want[i][1] &&
		    total == size, "part %zu: bytes %llu-%llu/%llu, want "
		    "%llu-%llu/%zu", i, first, last, total, want[i][0],
		    want[i][1], size);
		p = hend + 4;
		n = (size_t)(last - first + 1);
		ck_assert_msg((size_t)(end - p) >= n &&
		    memcmp(p, file + first, n) == 0,
		    "part %zu: the data are not bytes %llu-%llu", i, first,
		    last);
		p += n;
	}
	snprintf(delim, sizeof(delim), "\r\n--%s--\r\n", b);
	dlen = strlen(delim);
	ck_assert_msg((size_t)(end - p) == dlen && memcmp(p, delim, dlen) == 0,
	    "after the last part: \"%.*s\", want the close delimiter",
	    (int)(end - p), p);
}

/*
 * Several ranges: 206 multipart/byteranges, parts sorted, each with the
 * right bytes; Content-Length is exactly the body the server sends
 * before it closes (read to EOF, nothing left over).
 */
START_TEST(test_multipart_ranges)
{
	static const unsigned long long want[3][2] = {
		{ 100, 199 }, { 1000, 1099 }, { 204700, 204799 },
	};
	unsigned char *large = malloc(HARNESS_LARGE_SIZE);
	struct harness_buf out;
	struct harness_response r;
	static const char req[] = "GET /large.bin HTTP/1.1\r\nHost: t\r\n"
	    "Range: bytes=204700-,100-199, 1000-1099\r\n"
	    "Connection: close\r\n\r\n";
	ssize_t used;

	ck_assert_ptr_nonnull(large);
	harness_large_content(large, HARNESS_LARGE_SIZE);
	ck_assert_uint_eq(HARNESS_LARGE_SIZE, 204800);
	harness_buf_init(&out);
	ck_assert_msg(harness_roundtrip(srv.port, req, sizeof(req) - 1, &out,
	    HARNESS_IO_TIMEOUT_MS, NULL) == 0, "not closed after the response");
	used = harness_parse_response(out.data, out.len, false, true, &r);
	ck_assert_msg(used > 0, "not a complete response (Content-Length "
	    "larger than the body?):\n%.400s", out.data);
	ck_assert_msg(r.status == 206, "status %d:\n%s", r.status, r.head);
	ck_assert_msg(r.content_length >= 0 && (size_t)used == out.len,
	    "Content-Length %lld, but %zu bytes came after the header block",
	    r.content_length, out.len - r.head_len);
	check_multipart(&r, large, HARNESS_LARGE_SIZE, want, 3);
	harness_response_free(&r);
	harness_buf_free(&out);
	free(large);
}
END_TEST

/* header-field-max = 256: one longer field line is 431, shorter is fine. */
START_TEST(test_header_field_max)
{
	struct harness_response r;
	char h[512];

	start_own(2, "header-field-max = 256\n");
	snprintf(h, sizeof(h), "X-Long: %0200d\r\n", 0);
	ck_assert_int_eq(harness_request(own.port, "GET", "/a", h, &r), 0);
	ck_assert_msg(r.status == 200, "a 208-byte field: %d", r.status);
	harness_response_free(&r);
	snprintf(h, sizeof(h), "X-Long: %0300d\r\n", 0);
	ck_assert_int_eq(harness_request(own.port, "GET", "/a", h, &r), 0);
	assert_html_error(&r, 431);
	harness_response_free(&r);
}
END_TEST

/* ---- -t: the keys of HTTP/1.1 bodies and listings ------------------------- */

static const struct {
	const char *extra;
	int line;		/* the bad one, after HARNESS_LINE_EXTRA; -1 */
	const char *key;
	const char *says;	/* in the message: the value, or why */
} new_keys[] = {
	{ "header-field-max = 256\nbody-max = 0\nbody-timeout = 1\n"
	  "directory-listing = true\nsend-timeout = 1", -1, NULL, NULL },
	{ "header-field-max = 65536\nbody-max = 1099511627776\n"
	  "body-timeout = 3600\ndirectory-listing = false\n"
	  "send-timeout = 3600", -1, NULL, NULL },
	{ "# a comment first\nheader-field-max = 255", 1, "header-field-max",
	  "255" },
	{ "header-field-max = 65537", 0, "header-field-max", "65537" },
	{ "body-timeout = 30\nbody-max = -1", 1, "body-max", "-1" },
	{ "body-max = 1099511627777", 0, "body-max", "1099511627777" },
	{ "body-timeout = 0", 0, "body-timeout", "range" },
	{ "body-max = 10\n\nbody-timeout = 3601", 2, "body-timeout", "3601" },
	{ "send-timeout = 0", 0, "send-timeout", "range" },
	{ "directory-listing = maybe", 0, "directory-listing", "boolean" },
	{ "send-min-rate = 0\nbody-min-rate = 1000000000\n"
	  "min-rate-window = 1", -1, NULL, NULL },
	{ "send-min-rate = 1024\nbody-min-rate = -1", 1, "body-min-rate",
	  "-1" },
	{ "send-min-rate = 1000000001", 0, "send-min-rate", "1000000001" },
	{ "min-rate-window = 3601", 0, "min-rate-window", "3601" },
};

START_TEST(test_configtest_new_keys)
{
	const char *args[] = { "-t", "-f", own.conf, NULL };
	struct harness_conf c = { NULL, NULL, NULL, NULL, new_keys[_i].extra };
	char *out = NULL, *err = NULL;
	int st;

	ck_assert_int_eq(harness_write_conf(&own, harness_free_port(), 2, &c),
	    0);
	st = harness_run(&own, args, 5000, &out, &err);
	if (new_keys[_i].line < 0) {
		ck_assert_msg(exit_code(st) == 0, "-t with \"%s\": status 0x%x\n"
		    "stderr: %s", new_keys[_i].extra, (unsigned)st, err);
	} else {
		ck_assert_msg(exit_code(st) == 1, "-t with \"%s\": status 0x%x, "
		    "want exit 1\nstderr: %s", new_keys[_i].extra,
		    (unsigned)st, err);
		ck_assert_ptr_nonnull(err);
		ck_assert_msg(harness_names_line(err, "forkhttpd.conf",
		    HARNESS_LINE_EXTRA + new_keys[_i].line),
		    "-t with \"%s\": stderr does not name forkhttpd.conf:%d:\n%s",
		    new_keys[_i].extra, HARNESS_LINE_EXTRA + new_keys[_i].line,
		    err);
		ck_assert_msg(strstr(err, new_keys[_i].key) != NULL &&
		    strcasestr(err, new_keys[_i].says) != NULL &&
		    strcasestr(err, "unknown") == NULL,
		    "-t with \"%s\": stderr does not name %s and \"%s\" (or "
		    "does not know the key):\n%s", new_keys[_i].extra,
		    new_keys[_i].key, new_keys[_i].says, err);
	}
	free(out);
	free(err);
}
END_TEST

/* ---- suite ---------------------------------------------------------------- */

static Suite *
server_suite(void)
{
	Suite *s = suite_create("server");
	TCase *tc;

	tc = harness_tcase(s, "http");
	tcase_add_unchecked_fixture(tc, shared_setup, shared_teardown);
	tcase_add_test(tc, test_get_root);
	tcase_add_test(tc, test_get_files);
	tcase_add_test(tc, test_head);
	tcase_add_test(tc, test_not_found);
	tcase_add_test(tc, test_directories);
	tcase_add_test(tc, test_keepalive_11);
	tcase_add_test(tc, test_http10_close);
	tcase_add_test(tc, test_http10_keepalive);
	tcase_add_test(tc, test_connection_close_11);
	tcase_add_test(tc, test_pipelining);
	tcase_add_test(tc, test_access_log);

	tc = harness_tcase(s, "traversal");
	tcase_add_unchecked_fixture(tc, shared_setup, shared_teardown);
	tcase_add_loop_test(tc, test_traversal, 0,
	    (int)(sizeof(traversal) / sizeof(traversal[0])));

	tc = harness_tcase(s, "bad_requests");
	tcase_add_unchecked_fixture(tc, shared_setup, shared_teardown);
	tcase_add_loop_test(tc, test_bad_request, 0, N_BAD_REQUESTS);

	tc = harness_tcase(s, "workers");
	tcase_add_checked_fixture(tc, own_server_setup, own_server_teardown);
	tcase_add_test(tc, test_worker_respawn);
	tcase_add_test(tc, test_term);

	tc = harness_tcase(s, "supervision");
	tcase_add_checked_fixture(tc, scratch_setup, own_server_teardown);
	tcase_add_test(tc, test_keepalive_idle_does_not_hold_worker);
	tcase_add_test(tc, test_keepalive_many_clients_one_worker);
	tcase_add_test(tc, test_worker_connections_evicts_oldest_idle);
	tcase_add_test(tc, test_file_cache_never_stale);
	tcase_add_test(tc, test_workers_die_with_master);
	tcase_add_test(tc, test_all_workers_fail_at_start);
	tcase_add_test(tc, test_workers_drop_privileges);
	tcase_add_test(tc, test_daemon_mode);
	tcase_add_test(tc, test_daemon_start_failure);
	tcase_add_test(tc, test_one_process);

	tc = harness_tcase(s, "file_cache");
	tcase_add_checked_fixture(tc, scratch_setup, own_server_teardown);
	tcase_add_test(tc, test_file_cache_watched_never_stale);
	tcase_add_test(tc, test_file_cache_large_never_stale);

	tc = harness_tcase(s, "limits");
	tcase_add_checked_fixture(tc, scratch_setup, own_server_teardown);
	tcase_add_test(tc, test_header_deadline_is_total);
	tcase_add_test(tc, test_keepalive_timeout);
	tcase_add_test(tc, test_keepalive_requests);

	tc = harness_tcase(s, "http11");
	tcase_add_unchecked_fixture(tc, shared_setup, shared_teardown);
	tcase_add_test(tc, test_body_length_pipelined);
	tcase_add_test(tc, test_body_chunked_pipelined);
	tcase_add_test(tc, test_post_405_pipelined);
	tcase_add_test(tc, test_validators);
	tcase_add_test(tc, test_conditionals);
	tcase_add_test(tc, test_ranges);
	tcase_add_test(tc, test_multipart_ranges);

	tc = harness_tcase(s, "http11_own");
	tcase_add_checked_fixture(tc, scratch_setup, own_server_teardown);
	tcase_add_test(tc, test_body_max);
	tcase_add_test(tc, test_expect_continue);
	tcase_add_test(tc, test_expect_continue_error);
	tcase_add_test(tc, test_body_timeout);
	tcase_add_test(tc, test_body_timeout_is_total);
	tcase_add_test(tc, test_body_min_rate);
	tcase_add_test(tc, test_large_header_grows);
	tcase_add_test(tc, test_header_field_max);
	tcase_add_test(tc, test_listing_on);
	tcase_add_test(tc, test_listing_off);

	tc = harness_tcase(s, "clients");
	tcase_add_checked_fixture(tc, scratch_setup, own_server_teardown);
	tcase_add_test(tc, test_send_stall_gives_up);
	tcase_add_test(tc, test_send_slow_reader);
	tcase_add_test(tc, test_send_min_rate);
	tcase_add_test(tc, test_client_abort_mid_download);
	tcase_add_test(tc, test_client_half_close);

	tc = harness_tcase(s, "configtest");
	tcase_add_checked_fixture(tc, scratch_setup, scratch_teardown);
	tcase_add_test(tc, test_configtest_good);
	tcase_add_loop_test(tc, test_configtest_bad, 0, N_BAD_CONFS);
	tcase_add_test(tc, test_configtest_missing_file);
	tcase_add_loop_test(tc, test_configtest_new_keys, 0,
	    (int)(sizeof(new_keys) / sizeof(new_keys[0])));

	tc = harness_tcase(s, "startup_errors");
	tcase_add_checked_fixture(tc, scratch_setup, scratch_teardown);
	tcase_add_test(tc, test_start_port_in_use);
	tcase_add_test(tc, test_start_missing_docroot);
	tcase_add_test(tc, test_start_unresolvable);
	tcase_add_test(tc, test_start_privileged_port);

	tc = harness_tcase(s, "cli");
	tcase_add_checked_fixture(tc, scratch_setup, scratch_teardown);
	tcase_add_test(tc, test_cli_version);
	tcase_add_test(tc, test_cli_help);
	tcase_add_test(tc, test_cli_unknown_option);

	return s;
}

int
main(void)
{
	return harness_main("check_server", server_suite);
}
