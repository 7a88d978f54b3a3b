/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_router.c - router_handle() against a temporary document root:
 * OPTIONS (for a path and for "*") is 200 with Allow and no content; an
 * unknown method is 501; every other known method but GET and HEAD is
 * 405 with Allow; none of them opens a file.  GET and HEAD reach the
 * static handler, whose errors come back as full HTML responses; no fd
 * is left open on any path.
 *
 * The status page: at exactly cfg->status_path, GET and HEAD from an
 * allowed peer get the page (JSON for "?json"), a peer not allowed gets
 * 403 whatever the method, other methods 405 with Allow "GET, HEAD";
 * with the page off (no path, or no client) the path is a file path.
 */
#include "autoconf.h"

#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "acl.h"
#include "config.h"
#include "fcache.h"
#include "http.h"
#include "http_response.h"
#include "mime.h"
#include "router.h"
#include "scoreboard.h"
#include "static.h"
#include "status.h"

#include "../lib/unit.h"

#define INDEX_TEXT "<h1>index</h1>\n"
#define A_TEXT "the a file\n"

static char base[PATH_MAX];
static int root_fd = -1;
static char idx_html[] = "index.html";
static char *index_names[] = { idx_html };
static struct config cfg;
static struct config_root roots[1];
static struct config_server servers[1];

#define STATUS_PATH "/server-status"
#define BOARD_PID 7777

static char allow_v4[] = "127.0.0.1", allow_v6[] = "::1";
static char *status_allow[] = { allow_v4, allow_v6 };
static char status_path[] = STATUS_PATH;

/* Who is asking and what the status page reports: the handler
 * context's peer and sb, for route_req() (NULL: no status page). */
struct router_client {
	const struct sockaddr_storage *peer;
	const struct scoreboard *sb;
};

/* The clients: loopback (allowed by default), v4-mapped loopback, v6
 * loopback, and one from elsewhere. */
static struct scoreboard *board;
static struct sockaddr_storage peer_lo, peer_mapped, peer_lo6, peer_far;
static struct router_client client_lo, client_mapped, client_lo6,
    client_far, client_no_board;

/* The client route_req() passes; the tests that care set it. */
static const struct router_client *route_client;

static void
make_peer(struct sockaddr_storage *ss, int family, const char *addr)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in sin;

		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		ck_assert_int_eq(inet_pton(AF_INET, addr, &sin.sin_addr), 1);
		memcpy(ss, &sin, sizeof(sin));
	} else {
		struct sockaddr_in6 sin6;

		memset(&sin6, 0, sizeof(sin6));
		sin6.sin6_family = AF_INET6;
		ck_assert_int_eq(inet_pton(AF_INET6, addr, &sin6.sin6_addr),
		    1);
		memcpy(ss, &sin6, sizeof(sin6));
	}
}

static void
board_setup(void)
{
	board = scoreboard_create(2);
	ck_assert_msg(board != NULL, "scoreboard_create: %s",
	    strerror(errno));
	scoreboard_start(board, 0, BOARD_PID, 1);
	scoreboard_set_state(&board->slot[0], SCOREBOARD_IDLE);
	ck_assert_int_eq(status_init(board->nslots), 0);

	make_peer(&peer_lo, AF_INET, "127.0.0.1");
	make_peer(&peer_mapped, AF_INET6, "::ffff:127.0.0.1");
	make_peer(&peer_lo6, AF_INET6, "::1");
	make_peer(&peer_far, AF_INET, "192.0.2.1");
	client_lo.peer = &peer_lo;
	client_lo.sb = board;
	client_mapped.peer = &peer_mapped;
	client_mapped.sb = board;
	client_lo6.peer = &peer_lo6;
	client_lo6.sb = board;
	client_far.peer = &peer_far;
	client_far.sb = board;
	client_no_board.peer = &peer_lo;
	client_no_board.sb = NULL;
	/* A real client, with the page off: the tests of files are not
	 * told apart from a server without a status page. */
	route_client = &client_lo;
}

/* status-allow as config.c builds it: the entries, parsed once. */
static void
set_status_allow(char **list, size_t n)
{
	static struct acl acl;

	acl_free(&acl);
	ck_assert_int_eq(acl_allow_only(&acl, list, n), 0);
	cfg.status_allow = list;
	cfg.nstatus_allow = n;
	cfg.status_acl = &acl;
}

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
	cfg.status_path = NULL;
	set_status_allow(status_allow, 2);
	/* One server of the top-level keys, as a file without sections. */
	roots[0].path = base;
	servers[0].s.index = index_names;
	servers[0].s.nindex = 1;
	cfg.roots = roots;
	cfg.nroots = 1;
	cfg.servers = servers;
	cfg.nservers = 1;
	board_setup();
}

static void
root_teardown(void)
{
	if (root_fd != -1)
		close(root_fd);
	root_fd = -1;
	mime_free();
	scoreboard_destroy(board);
	board = NULL;
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
	struct static_root root;
	struct handler_ctx ctx = { .cfg = &cfg, .roots = &root };
	int status;

	http_response_init(resp);
	resp->keep_alive = true;
	resp->head_only = head_only;
	static_root_init(&root, root_fd, false);
	if (route_client != NULL) {
		ctx.peer = route_client->peer;
		ctx.sb = route_client->sb;
	}
	status = router_handle(&ctx, req, resp);
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
	http_response_close_fd(resp);
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

/*
 * Paths a 405, a 501 or an OPTIONS must not open.  The last cannot be
 * mapped: a 501 comes before the path is looked at, while a 405 or an
 * OPTIONS needs the route the path picks, so for them it is a 400
 * (test_bad_path).
 */
static const char *const any_paths[] = { "/a.txt", "/", "/missing",
    "/%2e%2e/x" };

#define NANY_PATHS (sizeof(any_paths) / sizeof(any_paths[0]))
#define NMAPPED_PATHS (NANY_PATHS - 1)

/* RFC 9110 §15.5.6: "The origin server MUST generate an Allow header
 * field in a 405 response". */
START_TEST(test_405)
{
	struct http_response resp;

	for (size_t k = 0; k < NMAPPED_PATHS; k++) {
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

/* A path that climbs above the root has no route: 400 for any known
 * method, before its method is judged. */
START_TEST(test_bad_path)
{
	static const enum http_method methods[] = {
		HTTP_METHOD_GET, HTTP_METHOD_POST, HTTP_METHOD_OPTIONS
	};
	struct http_response resp;

	for (size_t k = 0; k < sizeof(methods) / sizeof(methods[0]); k++) {
		const char *name = http_method_name(methods[k]);

		ck_assert_int_eq(route(methods[k], name,
		    any_paths[NANY_PATHS - 1], false, &resp), 400);
		check_error(&resp, 400, name);
		ck_assert_ptr_null(resp.allow);
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

	for (size_t k = 0; k < NMAPPED_PATHS; k++) {
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

	/* No client at all (router.h: no status page) serves files alike. */
	route_client = NULL;
	ck_assert_int_eq(route(HTTP_METHOD_GET, "GET", "/a.txt", false, &resp),
	    200);
	check_file(&resp, A_TEXT, "text/plain", "GET /a.txt, no client");
	route_client = &client_lo;

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
	http_response_close_fd(&resp);

	/* The file cache keeps a.txt open from here on: counted in both. */
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
	http_response_close_fd(&resp);
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
	http_response_close_fd(&resp);

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
					http_response_close_fd(&resp);
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

/* ------------------------------------------------------------------ */
/* The status page. */

/* A status page: 200, the type, the body in memory, no file. */
static void
check_status_page(const struct http_response *resp, bool json,
    const char *what)
{
	char pid[16];

	ck_assert_msg(resp->status == 200, "%s: status %d", what,
	    resp->status);
	ck_assert_msg(resp->body == HTTP_BODY_MEM, "%s: body kind %d", what,
	    (int)resp->body);
	ck_assert_msg(resp->fd == -1, "%s: fd %d open", what, resp->fd);
	ck_assert_ptr_nonnull(resp->mem);
	ck_assert_int_eq(resp->content_length, (off_t)resp->mem_len);
	ck_assert_ptr_null(resp->allow);
	ck_assert_uint_eq(resp->etag_len, 0);
	ck_assert_int_eq(resp->last_modified, 0);
	ck_assert(!resp->accept_ranges);
	ck_assert_msg(resp->content_type != NULL &&
	    strcmp(resp->content_type, json ? "application/json" :
	    "text/html; charset=utf-8") == 0, "%s: type %s", what,
	    resp->content_type ? resp->content_type : "(null)");
	if (json)
		ck_assert_msg(resp->mem_len > 0 && resp->mem[0] == '{',
		    "%s: not JSON: %.20s", what, resp->mem);
	else
		ck_assert_msg(resp->mem_len > 15 &&
		    memcmp(resp->mem, "<!DOCTYPE html>", 15) == 0,
		    "%s: not HTML: %.20s", what, resp->mem);
	/* The scoreboard's worker is on it. */
	snprintf(pid, sizeof(pid), "%d", BOARD_PID);
	ck_assert_msg(memmem(resp->mem, resp->mem_len, pid, strlen(pid))
	    != NULL, "%s: pid %s not on the page", what, pid);
}

/* Which queries ask for JSON: "json" as the first parameter, alone. */
static const struct {
	const char *query;		/* NULL: none */
	bool json;
	const char *note;
} status_queries[] = {
	{ NULL, false, "no query: HTML" },
	{ "json", true, "?json" },
	{ "json&refresh=5", true, "?json first of two" },
	{ "", false, "empty query" },
	{ "jsonx", false, "another name" },
	{ "json=1", false, "json with a value is another parameter" },
	{ "x=1&json", false, "json not first" },
	{ "JSON", false, "names are case-sensitive" },
};

#define NSTATUS_QUERIES \
	((int)(sizeof(status_queries) / sizeof(status_queries[0])))

START_TEST(test_status_page)
{
	struct http_request req;
	struct http_response resp;
	bool json = status_queries[_i].json;

	cfg.status_path = status_path;
	for (int h = 0; h < 2; h++) {
		char what[96];

		snprintf(what, sizeof(what), "%s %s (%s)", h ? "HEAD" : "GET",
		    STATUS_PATH, status_queries[_i].note);
		build_request(&req, h ? HTTP_METHOD_HEAD : HTTP_METHOD_GET,
		    h ? "HEAD" : "GET", STATUS_PATH, status_queries[_i].query);
		ck_assert_int_eq(route_req(&req, h == 1, &resp), 200);
		check_status_page(&resp, json, what);
	}
	cfg.status_path = NULL;
}
END_TEST

/* The default status-allow is loopback: v4, v6 and v4-mapped v4. */
START_TEST(test_status_loopback)
{
	const struct router_client *const clients[] = { &client_lo,
	    &client_mapped, &client_lo6 };
	struct http_response resp;

	cfg.status_path = status_path;
	for (size_t k = 0; k < 3; k++) {
		route_client = clients[k];
		ck_assert_int_eq(route(HTTP_METHOD_GET, "GET", STATUS_PATH,
		    false, &resp), 200);
		check_status_page(&resp, false, "loopback");
	}
	route_client = &client_lo;
	cfg.status_path = NULL;
}
END_TEST

/*
 * A peer status-allow does not let in: 403 whatever the method it uses,
 * so that a POST tells it no more than a GET.
 */
START_TEST(test_status_forbidden)
{
	static const struct {
		enum http_method method;
		const char *name;
	} methods[] = {
		{ HTTP_METHOD_GET, "GET" }, { HTTP_METHOD_HEAD, "HEAD" },
		{ HTTP_METHOD_POST, "POST" },
		{ HTTP_METHOD_OPTIONS, "OPTIONS" },
	};
	struct http_response resp;

	cfg.status_path = status_path;
	route_client = &client_far;
	for (size_t k = 0; k < sizeof(methods) / sizeof(methods[0]); k++) {
		char what[64];

		snprintf(what, sizeof(what), "%s %s from 192.0.2.1",
		    methods[k].name, STATUS_PATH);
		ck_assert_int_eq(route(methods[k].method, methods[k].name,
		    STATUS_PATH, false, &resp), 403);
		check_error(&resp, 403, what);
		ck_assert_ptr_null(resp.allow);
	}
	/* The same peer is allowed once status-allow names its network. */
	{
		char net[] = "192.0.2.0/24";
		char *allow[] = { net };

		set_status_allow(allow, 1);
		ck_assert_int_eq(route(HTTP_METHOD_GET, "GET", STATUS_PATH,
		    false, &resp), 200);
		check_status_page(&resp, false, "192.0.2.0/24 allowed");
		/* ... and loopback no longer is. */
		route_client = &client_lo;
		ck_assert_int_eq(route(HTTP_METHOD_GET, "GET", STATUS_PATH,
		    false, &resp), 403);
		check_error(&resp, 403, "loopback not in the list");
		set_status_allow(status_allow, 2);
	}
	route_client = &client_lo;
	cfg.status_path = NULL;
}
END_TEST

/* RFC 9110 §15.5.6: the status page is read-only; a 405 MUST carry
 * Allow, here the page's own methods.  OPTIONS is one of them too. */
START_TEST(test_status_405)
{
	struct http_response resp;
	char what[96];
	int status;

	cfg.status_path = status_path;
	snprintf(what, sizeof(what), "%s %s (%s)", not_allowed[_i].name,
	    STATUS_PATH, not_allowed[_i].note);
	status = route(not_allowed[_i].method, not_allowed[_i].name,
	    STATUS_PATH, false, &resp);
	ck_assert_msg(status == 405, "%s: %d", what, status);
	check_error(&resp, 405, what);
	ck_assert_msg(resp.allow != NULL &&
	    strcmp(resp.allow, "GET, HEAD") == 0, "%s: Allow %s", what,
	    resp.allow ? resp.allow : "(null)");

	status = route(HTTP_METHOD_OPTIONS, "OPTIONS", STATUS_PATH, false,
	    &resp);
	ck_assert_int_eq(status, 405);
	check_error(&resp, 405, "OPTIONS on the status page");
	ck_assert_str_eq(resp.allow, STATUS_ALLOW);

	/* RFC 9110 §9.1: an unrecognized method is still 501. */
	status = route(HTTP_METHOD_UNKNOWN, "BREW", STATUS_PATH, false, &resp);
	ck_assert_int_eq(status, 501);
	check_error(&resp, 501, "BREW on the status page");
	ck_assert_ptr_null(resp.allow);
	cfg.status_path = NULL;
}
END_TEST

/*
 * Off: no status-path, or no client to judge.  The path is then a file
 * path like any other, and there is no such file.
 */
START_TEST(test_status_off)
{
	struct http_response resp;

	ck_assert_ptr_null(cfg.status_path);
	ck_assert_int_eq(route(HTTP_METHOD_GET, "GET", STATUS_PATH, false,
	    &resp), 404);
	check_error(&resp, 404, "status-path off");
	/* Not even the 405 of the page: POST is the static handler's 405. */
	ck_assert_int_eq(route(HTTP_METHOD_POST, "POST", STATUS_PATH, false,
	    &resp), 405);
	ck_assert_str_eq(resp.allow, ROUTER_ALLOW_STATIC);

	cfg.status_path = status_path;
	route_client = NULL;
	ck_assert_int_eq(route(HTTP_METHOD_GET, "GET", STATUS_PATH, false,
	    &resp), 404);
	check_error(&resp, 404, "no client");
	route_client = &client_lo;
	cfg.status_path = NULL;
}
END_TEST

/* The path as sent, compared exactly: anything else is a file path. */
static const char *const near_paths[] = { "/server-status/",
    "/server-status.html", "/server%2Dstatus", "/server%2dstatus",
    "/Server-Status", "/server-statu", "/server-statusx", "//server-status",
    "/./server-status" };

#define NNEAR_PATHS ((int)(sizeof(near_paths) / sizeof(near_paths[0])))

START_TEST(test_status_exact)
{
	struct http_request req;
	struct http_response resp;
	int status;

	cfg.status_path = status_path;
	build_request(&req, HTTP_METHOD_GET, "GET", near_paths[_i], "json");
	status = route_req(&req, false, &resp);
	ck_assert_msg(status == 404 || status == 400, "%s: %d",
	    near_paths[_i], status);
	check_error(&resp, status, near_paths[_i]);
	/* And the page's 403 does not reach it either. */
	route_client = &client_far;
	status = route_req(&req, false, &resp);
	ck_assert_msg(status == 404 || status == 400, "%s, far: %d",
	    near_paths[_i], status);
	route_client = &client_lo;
	cfg.status_path = NULL;
}
END_TEST

/* The page comes first: at a path that is also a file, the page wins
 * (a 403 for a stranger, not the file); off, the file is back. */
START_TEST(test_status_shadows_file)
{
	char path[] = "/a.txt";
	struct http_response resp;
	int before = unit_count_fds();

	cfg.status_path = path;
	ck_assert_int_eq(route(HTTP_METHOD_GET, "GET", "/a.txt", false,
	    &resp), 200);
	check_status_page(&resp, false, "status at /a.txt");
	route_client = &client_far;
	ck_assert_int_eq(route(HTTP_METHOD_GET, "GET", "/a.txt", false,
	    &resp), 403);
	check_error(&resp, 403, "status at /a.txt, far");
	route_client = &client_lo;
	ck_assert_int_eq(unit_count_fds(), before);

	cfg.status_path = NULL;
	ck_assert_int_eq(route(HTTP_METHOD_GET, "GET", "/a.txt", false,
	    &resp), 200);
	check_file(&resp, A_TEXT, "text/plain", "status off, /a.txt");
}
END_TEST

/* A client without a scoreboard: the page cannot be made, 500. */
START_TEST(test_status_no_board)
{
	struct http_response resp;

	cfg.status_path = status_path;
	route_client = &client_no_board;
	ck_assert_int_eq(route(HTTP_METHOD_GET, "GET", STATUS_PATH, false,
	    &resp), 500);
	check_error(&resp, 500, "no scoreboard");
	route_client = &client_lo;
	cfg.status_path = NULL;
}
END_TEST

/* Every status route, many times: no fd opened, none left. */
START_TEST(test_status_no_fd_leak)
{
	const struct router_client *const clients[] = { &client_lo,
	    &client_far, &client_no_board };
	struct http_response resp;
	int before;

	cfg.status_path = status_path;
	before = unit_count_fds();
	for (int round = 0; round < 50; round++)
		for (size_t k = 0; k < 3; k++) {
			route_client = clients[k];
			route(HTTP_METHOD_GET, "GET", STATUS_PATH, false,
			    &resp);
			ck_assert_int_eq(resp.fd, -1);
			route(HTTP_METHOD_POST, "POST", STATUS_PATH, false,
			    &resp);
			ck_assert_int_eq(resp.fd, -1);
		}
	ck_assert_int_eq(unit_count_fds(), before);
	route_client = &client_lo;
	cfg.status_path = NULL;
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
	tcase_add_test(tc, test_bad_path);
	tcase_add_loop_test(tc, test_501, 0, NUNKNOWN);
	tcase_add_test(tc, test_options);
	tcase_add_test(tc, test_get_file);
	tcase_add_test(tc, test_head_file);
	tcase_add_test(tc, test_get_index);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_conditional_and_range);
	tcase_add_test(tc, test_no_fd_leak);
	suite_add_tcase(s, tc);

	tc = tcase_create("status");
	tcase_add_unchecked_fixture(tc, root_setup, root_teardown);
	tcase_set_timeout(tc, 10);
	tcase_add_loop_test(tc, test_status_page, 0, NSTATUS_QUERIES);
	tcase_add_test(tc, test_status_loopback);
	tcase_add_test(tc, test_status_forbidden);
	tcase_add_loop_test(tc, test_status_405, 0, NNOT_ALLOWED);
	tcase_add_test(tc, test_status_off);
	tcase_add_loop_test(tc, test_status_exact, 0, NNEAR_PATHS);
	tcase_add_test(tc, test_status_shadows_file);
	tcase_add_test(tc, test_status_no_board);
	tcase_add_test(tc, test_status_no_fd_leak);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	/* Files as fds (the file cache keeps no copies), as these tests
	 * look at them; check_static tests the copies. */
	fcache_configure(0);
	return unit_run(router_suite());
}
