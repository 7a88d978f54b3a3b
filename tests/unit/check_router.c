/*
 * check_router.c - router_handle() against a temporary document root:
 * every method but GET and HEAD is 405 with Allow and no file opened;
 * GET and HEAD reach the static handler, whose errors come back as full
 * HTML responses; no fd is left open on any path.
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
 * Routes one request built by hand, as the parser would leave it: slices
 * into a buffer, not NUL-terminated.
 */
static int
route(enum http_method method, const char *name, const char *path,
    bool head_only, struct http_response *resp)
{
	static char buf[512];
	struct http_request req;
	size_t nlen = strlen(name), plen = strlen(path);
	int status;

	ck_assert_uint_lt(nlen + plen + 32, sizeof(buf));
	/* "NAME /path?q=1 HTTP/1.1", with the slices pointing into it. */
	snprintf(buf, sizeof(buf), "%s %s?q=1 HTTP/1.1", name, path);
	memset(&req, 0, sizeof(req));
	req.method = method;
	req.method_name.p = buf;
	req.method_name.len = nlen;
	req.request_line.p = buf;
	req.request_line.len = strlen(buf);
	req.target.p = buf + nlen + 1;
	req.target.len = plen + 4;
	req.path.p = buf + nlen + 1;
	req.path.len = plen;
	req.query.p = buf + nlen + 1 + plen + 1;
	req.query.len = 3;
	req.version = HTTP_VERSION_11;
	req.keep_alive = true;

	http_response_init(resp);
	resp->keep_alive = true;
	resp->head_only = head_only;
	status = router_handle(&cfg, root_fd, &req, resp);
	ck_assert_int_eq(status, resp->status);
	/* The connection's choices are left alone. */
	ck_assert(resp->keep_alive);
	ck_assert(resp->head_only == head_only);
	return status;
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
	n = pread(resp->fd, got, sizeof(got) - 1, 0);
	ck_assert_msg(n >= 0, "%s: read: %s", what, strerror(errno));
	got[n] = '\0';
	ck_assert_str_eq(got, text);
	ck_assert_int_eq(close(resp->fd), 0);
	resp->fd = -1;
}

/* ------------------------------------------------------------------ */

static const struct {
	enum http_method method;
	const char *name;
} not_allowed[] = {
	{ HTTP_METHOD_POST, "POST" },
	{ HTTP_METHOD_PUT, "PUT" },
	{ HTTP_METHOD_DELETE, "DELETE" },
	{ HTTP_METHOD_PATCH, "PATCH" },
	{ HTTP_METHOD_OPTIONS, "OPTIONS" },
	{ HTTP_METHOD_TRACE, "TRACE" },
	{ HTTP_METHOD_CONNECT, "CONNECT" },
	{ HTTP_METHOD_UNKNOWN, "BREW" },
};

#define NNOT_ALLOWED ((int)(sizeof(not_allowed) / sizeof(not_allowed[0])))

/* Paths a 405 must not even look at. */
static const char *const any_paths[] = { "/a.txt", "/", "/missing",
    "/%2e%2e/x" };

START_TEST(test_405)
{
	struct http_response resp;

	for (size_t k = 0; k < sizeof(any_paths) / sizeof(any_paths[0]); k++) {
		char what[64];
		int status;

		snprintf(what, sizeof(what), "%s %s", not_allowed[_i].name,
		    any_paths[k]);
		status = route(not_allowed[_i].method, not_allowed[_i].name,
		    any_paths[k], k % 2 == 0, &resp);
		ck_assert_msg(status == 405, "%s: %d", what, status);
		check_error(&resp, 405, what);
		ck_assert_msg(resp.allow != NULL &&
		    strcmp(resp.allow, ROUTER_ALLOW_STATIC) == 0,
		    "%s: Allow %s", what, resp.allow ? resp.allow : "(null)");
		ck_assert_str_eq(resp.allow, "GET, HEAD");
	}
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
	tcase_add_test(tc, test_get_file);
	tcase_add_test(tc, test_head_file);
	tcase_add_test(tc, test_get_index);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_no_fd_leak);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(router_suite());
}
