/*
 * check_router.c - router_handle() against a temporary document root:
 * OPTIONS (for a path and for "*") is 200 with Allow and no content; an
 * unknown method is 501; every other known method but GET and HEAD is
 * 405 with Allow; none of them opens a file.  GET and HEAD reach the
 * static handler, whose errors come back as full HTML responses; no fd
 * is left open on any path.
 */
#include "autoconf.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "config.h"
#include "http.h"
#include "http_response.h"
#include "mime.h"
#include "router.h"
#include "static.h"

#include "../lib/unit.h"

#define INDEX_TEXT "<h1>index</h1>\n"
#define A_TEXT "the a file\n"

static char base[PATH_MAX];
static int root_fd = -1;
static char idx_html[] = "index.html";
static char *index_names[] = { idx_html };
static struct config cfg;

static void
root_setup(void)
{
	char err[256];

	unit_scratch_dir(base, sizeof(base), "check_router");
	unit_write_file(base, "index.html", INDEX_TEXT);
	unit_write_file(base, "a.txt", A_TEXT);
	unit_make_dir(base, "dir");

	root_fd = static_open_root(base);
	ck_assert_msg(root_fd != -1, "open root %s: %s", base,
	    strerror(errno));
	err[0] = '\0';
	ck_assert_msg(mime_load(NULL, err, sizeof(err)) > 0, "mime_load: %s",
	    err);

	memset(&cfg, 0, sizeof(cfg));
	cfg.document_root = base;
	cfg.index = index_names;
	cfg.nindex = 1;
	cfg.symlinks_outside_root = false;
}

static void
root_teardown(void)
{
	if (root_fd != -1)
		close(root_fd);
	root_fd = -1;
	mime_free();
	unit_rmtree(base);
	base[0] = '\0';
}

/*
 * Fills req as the parser would leave it for "NAME target HTTP/1.1":
 * slices into a static buffer, not NUL-terminated.  query NULL: none.
 */
static void
build_request(struct http_request *req, enum http_method method,
    const char *name, const char *path, const char *query)
{
	static char buf[512];
	size_t nlen = strlen(name), plen = strlen(path);
	size_t qlen = query != NULL ? strlen(query) : 0;

	ck_assert_uint_lt(nlen + plen + qlen + 32, sizeof(buf));
	snprintf(buf, sizeof(buf), "%s %s%s%s HTTP/1.1", name, path,
	    query != NULL ? "?" : "", query != NULL ? query : "");
	memset(req, 0, sizeof(*req));
	req->method = method;
	req->method_name.p = buf;
	req->method_name.len = nlen;
	req->request_line.p = buf;
	req->request_line.len = strlen(buf);
	req->target.p = buf + nlen + 1;
	req->target.len = plen + (query != NULL ? 1 + qlen : 0);
	req->path.p = buf + nlen + 1;
	req->path.len = plen;
	if (query != NULL) {
		req->query.p = buf + nlen + 1 + plen + 1;
		req->query.len = qlen;
	}
	req->version = HTTP_VERSION_11;
	req->keep_alive = true;
}

/* Routes req; checks what the router must leave alone. */
static int
route_req(const struct http_request *req, bool head_only,
    struct http_response *resp)
{
	int status;

	http_response_init(resp);
	resp->keep_alive = true;
	resp->head_only = head_only;
	status = router_handle(&cfg, root_fd, req, resp);
	ck_assert_int_eq(status, resp->status);
	/* The connection's choices are left alone. */
	ck_assert(resp->keep_alive);
	ck_assert(resp->head_only == head_only);
	return status;
}

/* Routes "NAME path?q=1 HTTP/1.1". */
static int
route(enum http_method method, const char *name, const char *path,
    bool head_only, struct http_response *resp)
{
	struct http_request req;

	build_request(&req, method, name, path, "q=1");
	return route_req(&req, head_only, resp);
}

/* An error response: the small HTML page, no file, no Location. */
static void
check_error(const struct http_response *resp, int status, const char *what)
{
	char code[8];

	snprintf(code, sizeof(code), "%d", status);
	ck_assert_msg(resp->status == status, "%s: status %d, want %d", what,
	    resp->status, status);
	ck_assert_msg(resp->body == HTTP_BODY_MEM, "%s: body kind %d", what,
	    (int)resp->body);
	ck_assert_msg(resp->fd == -1, "%s: fd %d open", what, resp->fd);
	ck_assert_ptr_nonnull(resp->mem);
	ck_assert_uint_gt(resp->mem_len, 0);
	ck_assert_int_eq(resp->content_length, (off_t)resp->mem_len);
	ck_assert_msg(resp->content_type != NULL &&
	    strcmp(resp->content_type, "text/html") == 0, "%s: type %s", what,
	    resp->content_type ? resp->content_type : "(null)");
	ck_assert_msg(memmem(resp->mem, resp->mem_len, code, strlen(code))
	    != NULL, "%s: body lacks %s", what, code);
	ck_assert_int_eq(resp->last_modified, 0);
	ck_assert_uint_eq(resp->location_len, 0);
	/* An error page is no representation of the file: no validators. */
	ck_assert_msg(resp->etag_len == 0, "%s: ETag %.*s on an error", what,
	    (int)resp->etag_len, resp->etag);
	ck_assert_msg(!resp->accept_ranges, "%s: Accept-Ranges on an error",
	    what);
}

/* A 200 with the file: checks it, reads it, closes it. */
static void
check_file(struct http_response *resp, const char *text, const char *type,
    const char *what)
{
	char got[256];
	struct stat st;
	ssize_t n;

	ck_assert_msg(resp->status == 200, "%s: status %d", what,
	    resp->status);
	ck_assert_msg(resp->body == HTTP_BODY_FILE, "%s: body kind %d", what,
	    (int)resp->body);
	ck_assert_msg(resp->fd >= 0, "%s: fd %d", what, resp->fd);
	ck_assert_ptr_null(resp->allow);
	ck_assert_int_eq(fstat(resp->fd, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_int_eq(resp->content_length, (off_t)strlen(text));
	ck_assert_int_eq(resp->content_length, st.st_size);
	ck_assert_int_eq(resp->offset, 0);
	ck_assert_msg(resp->content_type != NULL &&
	    strcmp(resp->content_type, type) == 0, "%s: type %s, want %s",
	    what, resp->content_type ? resp->content_type : "(null)", type);
	/* The static handler's validators come through the router. */
	ck_assert_msg(resp->etag_len > 0 && resp->etag[0] == '"',
	    "%s: no strong ETag", what);
	ck_assert_int_eq(resp->last_modified, st.st_mtime);
	ck_assert(resp->accept_ranges);
	ck_assert(!resp->content_range);
	n = pread(resp->fd, got, sizeof(got) - 1, 0);
	ck_assert_msg(n >= 0, "%s: read: %s", what, strerror(errno));
	got[n] = '\0';
	ck_assert_str_eq(got, text);
	ck_assert_int_eq(close(resp->fd), 0);
	resp->fd = -1;
}

/* ------------------------------------------------------------------ */

/* Known methods that are not for files (RFC 9110 §9.3). */
static const struct {
	enum http_method method;
	const char *name;
	const char *note;
} not_allowed[] = {
	{ HTTP_METHOD_POST, "POST", "RFC 9110 9.3.3" },
	{ HTTP_METHOD_PUT, "PUT", "RFC 9110 9.3.4" },
	{ HTTP_METHOD_DELETE, "DELETE", "RFC 9110 9.3.5" },
	{ HTTP_METHOD_PATCH, "PATCH", "RFC 5789" },
	{ HTTP_METHOD_TRACE, "TRACE",
	    "RFC 9110 9.3.8: refused, it would echo the request back" },
	{ HTTP_METHOD_CONNECT, "CONNECT", "RFC 9110 9.3.6: no tunnels" },
};

#define NNOT_ALLOWED ((int)(sizeof(not_allowed) / sizeof(not_allowed[0])))

/*
 * Methods the router does not recognize: the parser leaves them as
 * HTTP_METHOD_UNKNOWN with their name as sent (case-sensitive, RFC 9110
 * §9.1, so "get" is one of them).
 */
static const char *const unknown_methods[] = { "BREW", "get", "Head",
    "PROPFIND", "M-SEARCH", "PRI" };

#define NUNKNOWN ((int)(sizeof(unknown_methods) / sizeof(unknown_methods[0])))

/* Paths a 405, a 501 or an OPTIONS must not even look at. */
static const char *const any_paths[] = { "/a.txt", "/", "/missing",
    "/%2e%2e/x" };

#define NANY_PATHS (sizeof(any_paths) / sizeof(any_paths[0]))

/* RFC 9110 §15.5.6: "The origin server MUST generate an Allow header
 * field in a 405 response". */
START_TEST(test_405)
{
	struct http_response resp;

	for (size_t k = 0; k < NANY_PATHS; k++) {
		char what[128];
		int status;

		snprintf(what, sizeof(what), "%s %s (%s)",
		    not_allowed[_i].name, any_paths[k], not_allowed[_i].note);
		status = route(not_allowed[_i].method, not_allowed[_i].name,
		    any_paths[k], k % 2 == 0, &resp);
		ck_assert_msg(status == 405, "%s: %d", what, status);
		check_error(&resp, 405, what);
		ck_assert_msg(resp.allow != NULL &&
		    strcmp(resp.allow, ROUTER_ALLOW_STATIC) == 0,
		    "%s: Allow %s", what, resp.allow ? resp.allow : "(null)");
		ck_assert_str_eq(resp.allow, "GET, HEAD, OPTIONS");
	}
}
END_TEST

/* RFC 9110 §9.1: "An origin server that receives a request method that
 * is unrecognized or not implemented SHOULD respond with the 501". */
START_TEST(test_501)
{
	struct http_response resp;

	for (size_t k = 0; k < NANY_PATHS; k++) {
		char what[128];
		int status;

		snprintf(what, sizeof(what), "%s %s", unknown_methods[_i],
		    any_paths[k]);
		status = route(HTTP_METHOD_UNKNOWN, unknown_methods[_i],
		    any_paths[k], k % 2 == 1, &resp);
		ck_assert_msg(status == 501, "%s: %d", what, status);
		check_error(&resp, 501, what);
		/* 501 is no 405: it says nothing about allowed methods. */
		ck_assert_msg(resp.allow == NULL, "%s: Allow %s", what,
		    resp.allow);
	}
}
END_TEST

/* An OPTIONS answer: 200, Allow, Content-Length 0, nothing else. */
static void
check_options(const struct http_response *resp, const char *what)
{
	ck_assert_msg(resp->status == 200, "%s: status %d", what,
	    resp->status);
	ck_assert_msg(resp->allow != NULL &&
	    strcmp(resp->allow, "GET, HEAD, OPTIONS") == 0, "%s: Allow %s",
	    what, resp->allow ? resp->allow : "(null)");
	/* RFC 9110 §9.3.7: "A server MUST generate a Content-Length field
	 * with a value of "0" if no content is to be sent". */
	ck_assert_msg(resp->content_length == 0, "%s: Content-Length %lld",
	    what, (long long)resp->content_length);
	ck_assert_msg(resp->body == HTTP_BODY_NONE, "%s: body kind %d", what,
	    (int)resp->body);
	ck_assert_msg(resp->fd == -1, "%s: fd %d open", what, resp->fd);
	ck_assert_ptr_null(resp->mem);
	ck_assert_ptr_null(resp->content_type);
	ck_assert_int_eq(resp->last_modified, 0);
	ck_assert_uint_eq(resp->etag_len, 0);
	ck_assert(!resp->accept_ranges);
	ck_assert_uint_eq(resp->location_len, 0);
}

/* RFC 9110 §9.3.7: OPTIONS for a path, and "*" for the server itself. */
START_TEST(test_options)
{
	struct http_request req;
	struct http_response resp;

	for (size_t k = 0; k < NANY_PATHS; k++) {
		char what[64];

		snprintf(what, sizeof(what), "OPTIONS %s", any_paths[k]);
		ck_assert_int_eq(route(HTTP_METHOD_OPTIONS, "OPTIONS",
		    any_paths[k], false, &resp), 200);
		check_options(&resp, what);
	}
	/* A directory without its slash is no redirect for OPTIONS. */
	ck_assert_int_eq(route(HTTP_METHOD_GET, "GET", "/dir", false, &resp),
	    301);
	ck_assert_int_eq(route(HTTP_METHOD_OPTIONS, "OPTIONS", "/dir", false,
	    &resp), 200);
	check_options(&resp, "OPTIONS /dir");

	/* RFC 9112 §3.2.4: asterisk-form, as the parser leaves it. */
	build_request(&req, HTTP_METHOD_OPTIONS, "OPTIONS", "*", NULL);
	ck_assert_uint_eq(req.path.len, 1);
	ck_assert_uint_eq(req.query.len, 0);
	ck_assert_int_eq(route_req(&req, false, &resp), 200);
	check_options(&resp, "OPTIONS *");
}
END_TEST

START_TEST(test_get_file)
{
	struct http_response resp;

	ck_assert_int_eq(route(HTTP_METHOD_GET, "GET", "/a.txt", false, &resp),
	    200);
	check_file(&resp, A_TEXT, "text/plain", "GET /a.txt");

	/* head_only is the connection's: a GET leaves even true alone. */
	ck_assert_int_eq(route(HTTP_METHOD_GET, "GET", "/a.txt", true, &resp),
	    200);
	check_file(&resp, A_TEXT, "text/plain", "GET /a.txt, head_only");
}
END_TEST

START_TEST(test_head_file)
{
	struct http_response resp;

	/* The router does not set head_only (route() checks it). */
	ck_assert_int_eq(route(HTTP_METHOD_HEAD, "HEAD", "/a.txt", false,
	    &resp), 200);
	ck_assert(!resp.head_only);
	check_file(&resp, A_TEXT, "text/plain", "HEAD /a.txt");
}
END_TEST

START_TEST(test_get_index)
{
	struct http_response resp;

	ck_assert_int_eq(route(HTTP_METHOD_GET, "GET", "/", false, &resp),
	    200);
	check_file(&resp, INDEX_TEXT, "text/html", "GET /");
	ck_assert_int_eq(route(HTTP_METHOD_HEAD, "HEAD", "/", false, &resp),
	    200);
	check_file(&resp, INDEX_TEXT, "text/html", "HEAD /");
}
END_TEST

START_TEST(test_errors)
{
	struct http_response resp;

	ck_assert_int_eq(route(HTTP_METHOD_GET, "GET", "/missing", false,
	    &resp), 404);
	check_error(&resp, 404, "GET /missing");
	ck_assert_ptr_null(resp.allow);

	ck_assert_int_eq(route(HTTP_METHOD_HEAD, "HEAD", "/missing", false,
	    &resp), 404);
	check_error(&resp, 404, "HEAD /missing");

	ck_assert_int_eq(route(HTTP_METHOD_GET, "GET", "/%2e%2e/x", false,
	    &resp), 400);
	check_error(&resp, 400, "GET /%2e%2e/x");
	ck_assert_ptr_null(resp.allow);

	ck_assert_int_eq(route(HTTP_METHOD_GET, "GET", "/a.txt/", false,
	    &resp), 404);
	check_error(&resp, 404, "GET /a.txt/");
}
END_TEST

/* A slice over a NUL-terminated string. */
static struct http_slice
slice(const char *s)
{
	struct http_slice sl = { s, strlen(s) };

	return sl;
}

/*
 * What the static handler answers completely (304, 206) passes through
 * the router as it is; what it leaves bodiless (412, 416) becomes an
 * error page, and the file it had open is closed.
 */
START_TEST(test_conditional_and_range)
{
	struct http_request req;
	struct http_response resp;
	char etag[HTTP_ETAG_MAX + 1];
	size_t size = strlen(A_TEXT);
	int before;

	ck_assert_int_eq(route(HTTP_METHOD_GET, "GET", "/a.txt", false,
	    &resp), 200);
	ck_assert_uint_gt(resp.etag_len, 0);
	ck_assert_uint_lt(resp.etag_len, sizeof(etag));
	memcpy(etag, resp.etag, resp.etag_len);
	etag[resp.etag_len] = '\0';
	close(resp.fd);

	before = unit_count_fds();

	/* RFC 9110 §13.1.2: If-None-Match matches -> 304, not a page. */
	build_request(&req, HTTP_METHOD_GET, "GET", "/a.txt", NULL);
	req.if_none_match.line[0] = slice(etag);
	req.if_none_match.n = 1;
	ck_assert_int_eq(route_req(&req, false, &resp), 304);
	ck_assert_int_eq(resp.body, HTTP_BODY_NONE);
	ck_assert_ptr_null(resp.mem);
	ck_assert_int_eq(resp.fd, -1);
	ck_assert_int_eq(resp.content_length, -1);
	ck_assert_uint_eq(resp.etag_len, strlen(etag));
	ck_assert(memcmp(resp.etag, etag, resp.etag_len) == 0);
	ck_assert_int_gt(resp.last_modified, 0);
	ck_assert_int_eq(unit_count_fds(), before);

	/* RFC 9110 §13.1.1: If-Match does not match -> 412 page. */
	build_request(&req, HTTP_METHOD_GET, "GET", "/a.txt", NULL);
	req.if_match.line[0] = slice("\"not-the-tag\"");
	req.if_match.n = 1;
	ck_assert_int_eq(route_req(&req, false, &resp), 412);
	check_error(&resp, 412, "If-Match mismatch");
	ck_assert(!resp.content_range);
	ck_assert_int_eq(unit_count_fds(), before);

	/* RFC 9110 §14.2: one range -> 206, the file from its offset. */
	build_request(&req, HTTP_METHOD_GET, "GET", "/a.txt", NULL);
	req.range = slice("bytes=4-4");
	ck_assert_int_eq(route_req(&req, false, &resp), 206);
	ck_assert_int_eq(resp.body, HTTP_BODY_FILE);
	ck_assert_int_ge(resp.fd, 0);
	ck_assert_int_eq(resp.offset, 4);
	ck_assert_int_eq(resp.content_length, 1);
	ck_assert(resp.content_range && !resp.range_unsatisfied);
	ck_assert_uint_eq(resp.range_first, 4);
	ck_assert_uint_eq(resp.range_last, 4);
	ck_assert_uint_eq(resp.range_complete, size);
	close(resp.fd);
	ck_assert_int_eq(unit_count_fds(), before);

	/* RFC 9110 §15.5.17: nothing satisfiable -> 416 page that keeps
	 * "Content-Range: bytes * /size". */
	build_request(&req, HTTP_METHOD_GET, "GET", "/a.txt", NULL);
	req.range = slice("bytes=1000-");
	ck_assert_int_eq(route_req(&req, false, &resp), 416);
	check_error(&resp, 416, "unsatisfiable range");
	ck_assert(resp.content_range);
	ck_assert(resp.range_unsatisfied);
	ck_assert_uint_eq(resp.range_complete, size);
	ck_assert_int_eq(unit_count_fds(), before);

	/* RFC 9110 §14.2: Range is for GET only; HEAD gets the 200. */
	build_request(&req, HTTP_METHOD_HEAD, "HEAD", "/a.txt", NULL);
	req.range = slice("bytes=0-0");
	ck_assert_int_eq(route_req(&req, false, &resp), 200);
	ck_assert(!resp.content_range);
	ck_assert_int_eq(resp.content_length, (off_t)size);
	close(resp.fd);

	/* OPTIONS ignores preconditions: no 412 for it. */
	build_request(&req, HTTP_METHOD_OPTIONS, "OPTIONS", "/a.txt", NULL);
	req.if_match.line[0] = slice("\"not-the-tag\"");
	req.if_match.n = 1;
	req.range = slice("bytes=1000-");
	ck_assert_int_eq(route_req(&req, false, &resp), 200);
	check_options(&resp, "OPTIONS with If-Match and Range");
	ck_assert_int_eq(unit_count_fds(), before);
}
END_TEST

/* Every row, many times, closing only what a 200 hands over. */
START_TEST(test_no_fd_leak)
{
	static const char *const get_paths[] = { "/a.txt", "/", "/missing",
	    "/%2e%2e/x", "/a.txt/" };
	struct http_response resp;
	int before = -1, after, opened = 0;

	for (int round = 0; round < 21; round++) {
		/* Round 0 warms up whatever the libraries open lazily. */
		if (round == 1)
			before = unit_count_fds();
		for (int m = 0; m < NNOT_ALLOWED; m++)
			for (size_t k = 0; k < 4; k++) {
				route(not_allowed[m].method,
				    not_allowed[m].name, any_paths[k], false,
				    &resp);
				ck_assert_int_eq(resp.fd, -1);
			}
		for (int m = 0; m < NUNKNOWN; m++)
			for (size_t k = 0; k < 4; k++) {
				route(HTTP_METHOD_UNKNOWN, unknown_methods[m],
				    any_paths[k], false, &resp);
				ck_assert_int_eq(resp.fd, -1);
			}
		for (size_t k = 0; k < 4; k++) {
			route(HTTP_METHOD_OPTIONS, "OPTIONS", any_paths[k],
			    false, &resp);
			ck_assert_int_eq(resp.fd, -1);
		}
		for (size_t k = 0; k < 5; k++) {
			for (int h = 0; h < 2; h++) {
				route(h ? HTTP_METHOD_HEAD : HTTP_METHOD_GET,
				    h ? "HEAD" : "GET", get_paths[k], false,
				    &resp);
				if (resp.status == 200) {
					ck_assert_int_ge(resp.fd, 0);
					close(resp.fd);
					opened++;
				} else {
					ck_assert_int_eq(resp.fd, -1);
				}
			}
		}
	}
	after = unit_count_fds();
	ck_assert_int_eq(after, before);
	/* GET and HEAD of /a.txt and /, 21 rounds. */
	ck_assert_int_eq(opened, 21 * 4);
}
END_TEST

static Suite *
router_suite(void)
{
	Suite *s = suite_create("router");
	TCase *tc;

	tc = tcase_create("route");
	tcase_add_unchecked_fixture(tc, root_setup, root_teardown);
	tcase_set_timeout(tc, 10);
	tcase_add_loop_test(tc, test_405, 0, NNOT_ALLOWED);
	tcase_add_loop_test(tc, test_501, 0, NUNKNOWN);
	tcase_add_test(tc, test_options);
	tcase_add_test(tc, test_get_file);
	tcase_add_test(tc, test_head_file);
	tcase_add_test(tc, test_get_index);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_conditional_and_range);
	tcase_add_test(tc, test_no_fd_leak);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(router_suite());
}
