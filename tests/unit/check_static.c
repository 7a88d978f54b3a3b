/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_static.c - request path mapping (a table), then static_serve()
 * against a temporary document root: index files, redirects, symlinks in
 * and out of the root, unreadable files, special files, and no fd leaks;
 * then what RFC 9110 asks of a file once found: validators (ETag,
 * Last-Modified), preconditions (304, 412), byte ranges (206 single and
 * multipart, 416, If-Range), and directory listings.
 */
#include "autoconf.h"

#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "config.h"
#include "fcache.h"
#include "http.h"
#include "http_response.h"
#include "listing.h"
#include "log.h"
#include "range.h"
#include "static.h"

#include "../lib/unit.h"

/*
 * The descriptors open, the file cache's left out (it is emptied first):
 * what a leak would show in.
 */
static int
count_fds(void)
{
	fcache_clear();
	return unit_count_fds();
}

/* ------------------------------------------------------------------ */
/* static_map_path */

static const struct {
	const char *path;
	int status;
	const char *out;	/* when status is 0 */
	bool dir_form;
	const char *note;
} map_cases[] = {
	{ "/", 0, "", true, "the root" },
	{ "/a/b", 0, "a/b", false, "plain" },
	{ "//a//b/", 0, "a/b", true, "empty segments collapse" },
	{ "/a/./b", 0, "a/b", false, "RFC 3986 5.2.4: '.' dropped" },
	{ "/a/../b", 0, "b", false, "'..' drops the segment before" },
	{ "/a/b/..", 0, "a", true, "a final '..' names a directory" },
	{ "/a/b/.", 0, "a/b", true, "a final '.' names a directory" },
	{ "/.", 0, "", true, "the root, by '.'" },
	{ "/a/b/../../", 0, "", true, "back to the root exactly" },
	{ "/..", 400, NULL, false, "climbs above the root" },
	{ "/../etc/passwd", 400, NULL, false, "classic traversal" },
	{ "/a/../../b", 400, NULL, false, "climbs after descending" },
	{ "/a/b/../../..", 400, NULL, false, "one '..' too many" },
	{ "/./../", 400, NULL, false, "'.' then '..'" },
	{ "/%2e%2e/x", 400, NULL, false, "dots decoded before resolving" },
	{ "/%2E%2e/x", 400, NULL, false, "hex digits in either case" },
	{ "/.%2e/x", 400, NULL, false, "half encoded" },
	{ "/a/%2e%2e/%2e%2e/x", 400, NULL, false, "encoded climb" },
	{ "/a/%2e%2e/x", 0, "x", false, "encoded '..' that stays inside" },
	{ "/%2e", 0, "", true, "encoded '.'" },
	{ "/a/%2E/b", 0, "a/b", false, "encoded '.' inside" },
	{ "/..%2fetc", 400, NULL, false, "%2f separates like '/'" },
	{ "/..%2Fetc", 400, NULL, false, "%2F too" },
	{ "/a%2fb", 0, "a/b", false, "%2f decodes to a separator" },
	{ "/a%2F..%2Fb", 0, "b", false, "encoded separators and dots" },
	{ "/%00", 400, NULL, false, "NUL would cut the name" },
	{ "/a%00.html", 400, NULL, false, "NUL before an extension" },
	{ "/a\\b", 400, NULL, false, "raw backslash" },
	{ "/%5c", 400, NULL, false, "encoded backslash" },
	{ "/..%5c..%5cx", 400, NULL, false, "backslash traversal" },
	{ "/%zz", 400, NULL, false, "not hex" },
	{ "/%g0", 400, NULL, false, "first digit not hex" },
	{ "/%4", 400, NULL, false, "truncated escape" },
	{ "/%", 400, NULL, false, "lone '%' at the end" },
	{ "/a%2", 400, NULL, false, "truncated after a name" },
	{ "/%01", 400, NULL, false, "decoded control character" },
	{ "/%1f", 400, NULL, false, "decoded control character" },
	{ "/%7f", 400, NULL, false, "decoded DEL" },
	{ "/a\tb", 400, NULL, false, "raw control character" },
	{ "x", 400, NULL, false, "no leading slash" },
	{ "", 400, NULL, false, "empty" },
	{ "*", 400, NULL, false, "asterisk-form is not a file" },
	{ "/%20", 0, " ", false, "encoded space" },
	{ "/%c3%a9.html", 0, "\xc3\xa9.html", false, "UTF-8 bytes pass" },
	{ "/...", 0, "...", false, "three dots are a name" },
	{ "/a..b/..c", 0, "a..b/..c", false, "dots inside names" },
	{ "/.hidden", 0, ".hidden", false, "dotfiles are names" },
	{ "/~user/", 0, "~user", true, "tilde is a name" },
	{ "/a?b", 0, "a?b", false, "the parser has split the query" },
};

START_TEST(test_map_path)
{
	char out[PATH_MAX];
	char in[256];
	bool dir_form = !map_cases[_i].dir_form;
	size_t len = strlen(map_cases[_i].path);
	int status;

	/* Not NUL-terminated: junk after len must not matter. */
	memcpy(in, map_cases[_i].path, len);
	memcpy(in + len, "/../..%", 7);
	status = static_map_path(in, len, out, sizeof(out), &dir_form);
	ck_assert_msg(status == map_cases[_i].status,
	    "\"%s\" (%s): status %d, want %d", map_cases[_i].path,
	    map_cases[_i].note, status, map_cases[_i].status);
	if (status != 0)
		return;
	ck_assert_msg(strcmp(out, map_cases[_i].out) == 0,
	    "\"%s\" (%s): \"%s\", want \"%s\"", map_cases[_i].path,
	    map_cases[_i].note, out, map_cases[_i].out);
	ck_assert_msg(dir_form == map_cases[_i].dir_form,
	    "\"%s\" (%s): dir_form %d", map_cases[_i].path,
	    map_cases[_i].note, dir_form);
}
END_TEST

START_TEST(test_map_path_limits)
{
	static char big[3 * PATH_MAX];
	char out[PATH_MAX];
	bool dir_form;
	size_t n;

	/* "abc" and its NUL need 4 bytes. */
	ck_assert_int_eq(static_map_path("/abc", 4, out, 4, &dir_form), 0);
	ck_assert_str_eq(out, "abc");
	ck_assert_int_eq(static_map_path("/abc", 4, out, 3, &dir_form), 414);
	ck_assert_int_eq(static_map_path("/a/b", 4, out, 3, &dir_form), 414);
	ck_assert_int_eq(static_map_path("/", 1, out, 1, &dir_form), 0);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(static_map_path("/", 1, out, 0, &dir_form), 414);

	/* One segment longer than the buffer. */
	big[0] = '/';
	memset(big + 1, 'a', PATH_MAX + 10);
	n = PATH_MAX + 11;
	ck_assert_int_eq(static_map_path(big, n, out, sizeof(out), &dir_form),
	    414);

	/* Long input that resolves to little: "/a/.." again and again. */
	for (n = 0; n + 5 <= sizeof(big); n += 5)
		memcpy(big + n, "/a/..", 5);
	ck_assert_int_eq(static_map_path(big, n, out, sizeof(out), &dir_form),
	    0);
	ck_assert_str_eq(out, "");
	ck_assert(dir_form);

	/* Many short segments that together fill the buffer. */
	for (n = 0; n + 2 <= sizeof(big); n += 2)
		memcpy(big + n, "/b", 2);
	ck_assert_int_eq(static_map_path(big, n, out, sizeof(out), &dir_form),
	    414);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The document root fixture */

/* 26 bytes, each naming its own offset. */
#define ALPHA "abcdefghijklmnopqrstuvwxyz"
#define ALPHA_LEN 26

static char base[PATH_MAX];	/* mkdtemp: outside.txt, outdir/, root/ */
static char root[PATH_MAX + 8];
static int root_fd = -1;

/* root_fd as static_serve() takes it, under c's symlink rule. */
static const struct static_root *
test_root(const struct config *c)
{
	static struct static_root r;

	static_root_init(&r, root_fd, c->symlinks_outside_root);
	return &r;
}

/*
 * static_serve() as the router calls it for a request under c's keys:
 * the path mapped first (a path that cannot be is the router's 400 or
 * 414, returned as static_serve() returned it before the router did it).
 */
static int
serve_scoped(const struct config *c, const struct http_request *req,
    struct http_response *resp)
{
	struct config_scope sc = {
		.index = c->index, .nindex = c->nindex,
		.directory_listing = c->directory_listing,
	};
	char rel[PATH_MAX];
	bool dir_form;
	int status = static_map_path(req->path.p, req->path.len, rel,
	    sizeof(rel), &dir_form);

	if (status != 0) {
		resp->status = status;
		return status;
	}
	return static_serve(&sc, test_root(c), rel, dir_form, req, resp);
}
static bool as_root;

static char idx_html[] = "index.html";
static char idx_htm[] = "index.htm";
static char *index_default[] = { idx_html, idx_htm };
static char *index_htm_first[] = { idx_htm, idx_html };

static struct config cfg;

static void
fx_chmod(const char *rel, mode_t mode)
{
	char p[2 * PATH_MAX];

	unit_path(p, sizeof(p), root, rel);
	ck_assert_msg(chmod(p, mode) == 0, "chmod %s: %s", p, strerror(errno));
}

/* A socket file, bound through /proc so a long root still fits. */
static void
fx_socket(const char *rel)
{
	struct sockaddr_un addr;
	int dfd, s;

	dfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ne(dfd, -1);
	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	snprintf(addr.sun_path, sizeof(addr.sun_path), "/proc/self/fd/%d/%s",
	    dfd, rel);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ne(s, -1);
	ck_assert_msg(bind(s, (struct sockaddr *)&addr, sizeof(addr)) == 0,
	    "bind %s: %s", addr.sun_path, strerror(errno));
	close(s);
	close(dfd);
}

static void
root_setup(void)
{
	char p[2 * PATH_MAX];

	unit_scratch_dir(base, sizeof(base), "check_static");
	as_root = geteuid() == 0;

	unit_write_file(base, "outside.txt", "outside\n");
	unit_make_dir(base, "outdir");
	unit_write_file(base, "outdir/index.html", "outdir\n");
	unit_make_dir(base, "root");
	snprintf(root, sizeof(root), "%s/root", base);

	unit_write_file(root, "index.html", "<h1>root</h1>\n");
	unit_write_file(root, "hello.txt", "hello\n");
	unit_write_file(root, "a b.txt", "space\n");
	unit_make_dir(root, "deep");
	unit_make_dir(root, "deep/er");
	unit_write_file(root, "deep/er/file.css", "p{}\n");
	unit_make_dir(root, "sub");
	unit_write_file(root, "sub/index.htm", "sub htm\n");
	unit_make_dir(root, "both");
	unit_write_file(root, "both/index.html", "both html\n");
	unit_write_file(root, "both/index.htm", "both htm!!\n");
	unit_make_dir(root, "noindex");
	unit_write_file(root, "noindex/a.txt", "a\n");
	unit_make_dir(root, "idxdir");
	unit_make_dir(root, "idxdir/index.html");
	unit_write_file(root, "idxdir/index.htm", "idx htm\n");
	unit_make_dir(root, "linkidx");
	unit_symlink(root, "linkidx/index.html", "../hello.txt");
	unit_write_file(root, "alpha.txt", ALPHA);
	unit_make_dir(root, "listdir");
	unit_write_file(root, "listdir/b.txt", "bb\n");
	unit_write_file(root, "listdir/a&b <i>.txt", "x\n");
	unit_write_file(root, "listdir/.hidden", "h\n");
	unit_make_dir(root, "listdir/zdir");

	unit_symlink(root, "link-in.txt", "hello.txt");
	unit_symlink(root, "link-in-dir", "sub");
	unit_symlink(root, "link-out.txt", "../outside.txt");
	unit_path(p, sizeof(p), base, "outside.txt");
	unit_symlink(root, "link-out-abs.txt", p);
	unit_symlink(root, "link-out-dir", "../outdir");

	unit_write_file(root, "secret.txt", "secret\n");
	fx_chmod("secret.txt", 0);
	unit_make_dir(root, "locked");
	unit_write_file(root, "locked/f.txt", "f\n");
	fx_chmod("locked", 0);
	unit_make_dir(root, "xonly");
	unit_write_file(root, "xonly/index.html", "xonly\n");
	fx_chmod("xonly", 0311);

	unit_path(p, sizeof(p), root, "fifo");
	ck_assert_int_eq(mkfifo(p, 0644), 0);
	fx_socket("sock");
	unit_symlink(root, "zero", "/dev/zero");

	root_fd = static_open_root(root);
	ck_assert_msg(root_fd != -1, "open root %s: %s", root,
	    strerror(errno));

	memset(&cfg, 0, sizeof(cfg));
	cfg.document_root = root;
	cfg.index = index_default;
	cfg.nindex = 2;
	cfg.symlinks_outside_root = false;
}

static void
root_teardown(void)
{
	char p[2 * PATH_MAX];

	if (root_fd != -1)
		close(root_fd);
	root_fd = -1;
	if (base[0] == '\0')
		return;
	/* Make the locked directories walkable again. */
	unit_path(p, sizeof(p), root, "locked");
	chmod(p, 0755);
	unit_path(p, sizeof(p), root, "xonly");
	chmod(p, 0755);
	unit_rmtree(base);
	base[0] = '\0';
}

/* ------------------------------------------------------------------ */
/* static_serve */

/* 403, or 200 as root, for whom file modes are no obstacle. */
#define ROOT_200 (-1)

struct serve_case {
	const char *path;
	const char *query;	/* NULL: none */
	int status;		/* or ROOT_200 */
	const char *type;	/* 200: Content-Type */
	const char *body;	/* 200: the file's contents */
	const char *location;	/* 301: Location */
	const char *note;
};

static const struct serve_case serve_cases[] = {
	{ "/", NULL, 200, "text/html", "<h1>root</h1>\n", NULL,
	    "the root's index" },
	{ "/index.html", NULL, 200, "text/html", "<h1>root</h1>\n", NULL,
	    "a file" },
	{ "/hello.txt", NULL, 200, "text/plain", "hello\n", NULL, "text" },
	{ "/a%20b.txt", NULL, 200, "text/plain", "space\n", NULL,
	    "escaped space" },
	{ "/%68ello.txt", NULL, 200, "text/plain", "hello\n", NULL,
	    "escaped letter" },
	{ "/sub/../hello.txt", NULL, 200, "text/plain", "hello\n", NULL,
	    "dot segments resolved" },
	{ "/deep/er/file.css", NULL, 200, "text/css", "p{}\n", NULL,
	    "nested" },
	{ "/sub/", NULL, 200, "text/html", "sub htm\n", NULL,
	    "second index name" },
	{ "/sub/.", NULL, 200, "text/html", "sub htm\n", NULL,
	    "directory form by '.'" },
	{ "/both/", NULL, 200, "text/html", "both html\n", NULL,
	    "first index name wins" },
	{ "/idxdir/", NULL, 200, "text/html", "idx htm\n", NULL,
	    "index.html is a directory: skipped" },
	{ "/linkidx/", NULL, 200, "text/html", "hello\n", NULL,
	    "index is a symlink elsewhere in the root" },
	{ "/link-in.txt", NULL, 200, "text/plain", "hello\n", NULL,
	    "symlink inside the root" },
	{ "/link-in-dir/", NULL, 200, "text/html", "sub htm\n", NULL,
	    "symlinked directory inside the root" },
	{ "/xonly/", NULL, 200, "text/html", "xonly\n", NULL,
	    "searchable, unreadable directory still has its index" },
	{ "/secret.txt", NULL, ROOT_200, "text/plain", "secret\n", NULL,
	    "mode 000" },
	{ "/locked/f.txt", NULL, ROOT_200, "text/plain", "f\n", NULL,
	    "inside a mode 000 directory" },

	{ "/sub", NULL, 301, NULL, NULL, "/sub/", "directory, no slash" },
	{ "/sub", "x=1&y", 301, NULL, NULL, "/sub/?x=1&y", "query kept" },
	{ "/s%75b", NULL, 301, NULL, NULL, "/s%75b/",
	    "Location as sent, still encoded" },
	{ "//sub", NULL, 301, NULL, NULL, "/sub/",
	    "no network-path reference in Location" },
	{ "/deep/er", NULL, 301, NULL, NULL, "/deep/er/", "nested" },
	{ "/noindex", NULL, 301, NULL, NULL, "/noindex/", "before the 403" },
	{ "/link-in-dir", "q", 301, NULL, NULL, "/link-in-dir/?q",
	    "symlinked directory" },
	{ "/xonly", NULL, 301, NULL, NULL, "/xonly/", "mode 0311" },

	{ "/noindex/", NULL, 403, NULL, NULL, NULL, "no listings" },
	{ "/locked/", NULL, 403, NULL, NULL, NULL, "no index to be had" },
	{ "/link-out.txt", NULL, 403, NULL, NULL, NULL,
	    "relative symlink leaving the root" },
	{ "/link-out-abs.txt", NULL, 403, NULL, NULL, NULL,
	    "absolute symlink leaving the root" },
	{ "/link-out-dir/", NULL, 403, NULL, NULL, NULL,
	    "symlinked directory outside" },
	{ "/link-out-dir/index.html", NULL, 403, NULL, NULL, NULL,
	    "through a symlinked directory outside" },
	{ "/fifo", NULL, 403, NULL, NULL, NULL, "FIFO: refused, no block" },
	{ "/sock", NULL, 403, NULL, NULL, NULL, "socket file" },

	{ "/missing.html", NULL, 404, NULL, NULL, NULL, "missing" },
	{ "/missing/x", NULL, 404, NULL, NULL, NULL, "missing directory" },
	{ "/hello.txt/x", NULL, 404, NULL, NULL, NULL, "ENOTDIR" },
	{ "/index.html/", NULL, 404, NULL, NULL, NULL,
	    "a file is no directory" },

	{ "/..", NULL, 400, NULL, NULL, NULL, "climb" },
	{ "/%2e%2e/outside.txt", NULL, 400, NULL, NULL, NULL,
	    "encoded climb" },
	{ "/sub/../../outside.txt", NULL, 400, NULL, NULL, NULL,
	    "climb after descending" },
	{ "/a\\b", NULL, 400, NULL, NULL, NULL, "backslash" },
	{ "/%00", NULL, 400, NULL, NULL, NULL, "NUL" },
	{ "x", NULL, 400, NULL, NULL, NULL, "not origin-form" },
};

#define NSERVE_CASES ((int)(sizeof(serve_cases) / sizeof(serve_cases[0])))

static int
serve(const char *path, const char *query, struct http_response *resp)
{
	static char buf[3 * HTTP_LOCATION_MAX];
	struct http_request req;
	size_t len = strlen(path);

	ck_assert_uint_lt(len + 8, sizeof(buf));
	/* Not NUL-terminated, as in the connection's header buffer. */
	memcpy(buf, path, len);
	memcpy(buf + len, "/../..%", 7);

	memset(&req, 0, sizeof(req));
	req.method = HTTP_METHOD_GET;
	req.path.p = buf;
	req.path.len = len;
	if (query != NULL) {
		req.query.p = query;
		req.query.len = strlen(query);
	}
	req.version = HTTP_VERSION_11;
	http_response_init(resp);
	resp->keep_alive = true;
	resp->head_only = true;
	return serve_scoped(&cfg, &req, resp);
}

/* Checks resp against a 200 for body, then closes its fd. */
static void
check_file(struct http_response *resp, const char *what, const char *type,
    const char *body)
{
	char got[256];
	struct stat st;
	ssize_t n;

	ck_assert_msg(resp->body == HTTP_BODY_FILE, "%s: no file body", what);
	ck_assert_msg(resp->fd >= 0, "%s: fd %d", what, resp->fd);
	ck_assert_msg(fcntl(resp->fd, F_GETFD) & FD_CLOEXEC,
	    "%s: fd not close-on-exec", what);
	ck_assert_msg(fstat(resp->fd, &st) == 0 && S_ISREG(st.st_mode),
	    "%s: fd is not a regular file", what);
	ck_assert_int_eq(resp->offset, 0);
	ck_assert_int_eq(resp->content_length, (off_t)strlen(body));
	ck_assert_int_eq(resp->last_modified, st.st_mtime);
	/* RFC 9110 §8.8: every file goes out with its validators. */
	ck_assert_msg(resp->etag_len > 2 && resp->etag[0] == '"' &&
	    resp->etag[resp->etag_len - 1] == '"', "%s: no strong ETag", what);
	ck_assert_msg(resp->accept_ranges, "%s: no Accept-Ranges", what);
	ck_assert(!resp->content_range);
	ck_assert_msg(resp->content_type != NULL &&
	    strcmp(resp->content_type, type) == 0, "%s: type %s, want %s",
	    what, resp->content_type ? resp->content_type : "(null)", type);
	n = pread(resp->fd, got, sizeof(got) - 1, 0);
	ck_assert_msg(n >= 0, "%s: read: %s", what, strerror(errno));
	got[n] = '\0';
	ck_assert_str_eq(got, body);
	http_response_close_fd(resp);
}

START_TEST(test_serve)
{
	const struct serve_case *c = &serve_cases[_i];
	struct http_response resp;
	int want = c->status, status;

	if (want == ROOT_200)
		want = as_root ? 200 : 403;
	status = serve(c->path, c->query, &resp);
	ck_assert_msg(status == want, "%s (%s): status %d, want %d", c->path,
	    c->note, status, want);
	ck_assert_int_eq(resp.status, status);
	/* The caller's choices are left alone. */
	ck_assert(resp.keep_alive);
	ck_assert(resp.head_only);

	if (status == 200) {
		check_file(&resp, c->path, c->type, c->body);
		return;
	}
	ck_assert_msg(resp.body == HTTP_BODY_NONE && resp.fd == -1,
	    "%s: an error or redirect carries no file", c->path);
	if (status == 301) {
		ck_assert_uint_eq(resp.location_len, strlen(c->location));
		ck_assert_msg(memcmp(resp.location, c->location,
		    resp.location_len) == 0, "%s: Location %.*s, want %s",
		    c->path, (int)resp.location_len, resp.location,
		    c->location);
	} else {
		ck_assert_uint_eq(resp.location_len, 0);
	}
}
END_TEST

START_TEST(test_symlinks_outside_allowed)
{
	struct http_response resp;

	cfg.symlinks_outside_root = true;
	ck_assert_int_eq(serve("/link-out.txt", NULL, &resp), 200);
	check_file(&resp, "link-out.txt", "text/plain", "outside\n");
	ck_assert_int_eq(serve("/link-out-abs.txt", NULL, &resp), 200);
	check_file(&resp, "link-out-abs.txt", "text/plain", "outside\n");
	ck_assert_int_eq(serve("/link-out-dir/", NULL, &resp), 200);
	check_file(&resp, "link-out-dir/", "text/html", "outdir\n");
	ck_assert_int_eq(serve("/link-in.txt", NULL, &resp), 200);
	check_file(&resp, "link-in.txt", "text/plain", "hello\n");
	ck_assert_int_eq(serve("/", NULL, &resp), 200);
	check_file(&resp, "/", "text/html", "<h1>root</h1>\n");

	/* Dot segments still cannot climb, and special files stay out. */
	ck_assert_int_eq(serve("/../outside.txt", NULL, &resp), 400);
	ck_assert_int_eq(serve("/%2e%2e/outside.txt", NULL, &resp), 400);
	ck_assert_int_eq(serve("/fifo", NULL, &resp), 403);
	ck_assert_int_eq(serve("/missing", NULL, &resp), 404);
}
END_TEST

/* Whether the inotify queue in holds an event, without waiting. */
static bool
inotify_pending(int in)
{
	char ev[4096] __attribute__((aligned(8)));
	ssize_t n = read(in, ev, sizeof(ev));

	ck_assert_msg(n > 0 || errno == EAGAIN, "inotify read: %s",
	    strerror(errno));
	return n > 0;
}

/*
 * A FIFO, and a device reached by a symlink the rule lets out of the
 * root, are refused before anything opens them for reading: inotify
 * reports every open but an O_PATH look (IN_OPEN), so an empty queue
 * after the request shows that no FIFO reader appeared and no driver's
 * open ran.  Before, both were opened (O_NONBLOCK) and then refused.
 */
START_TEST(test_special_not_opened)
{
	struct http_response resp;
	char p[2 * PATH_MAX];
	int in, fd;

	in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	ck_assert_int_ge(in, 0);
	unit_path(p, sizeof(p), root, "fifo");
	ck_assert_int_ge(inotify_add_watch(in, p, IN_OPEN), 0);
	ck_assert_int_eq(serve("/fifo", NULL, &resp), 403);
	ck_assert_msg(!inotify_pending(in), "the FIFO was opened");
	/* No reader holds it now either. */
	ck_assert_int_eq(open(p, O_WRONLY | O_NONBLOCK), -1);
	ck_assert_int_eq(errno, ENXIO);

	cfg.symlinks_outside_root = true;
	ck_assert_int_ge(inotify_add_watch(in, "/dev/zero", IN_OPEN), 0);
	ck_assert_int_eq(serve("/zero", NULL, &resp), 403);
	ck_assert_msg(!inotify_pending(in), "/dev/zero was opened");
	cfg.symlinks_outside_root = false;
	ck_assert_int_eq(serve("/zero", NULL, &resp), 403);
	ck_assert_msg(!inotify_pending(in), "/dev/zero was opened");

	/* The watches do see an open for reading. */
	fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert(inotify_pending(in));
	fd = open(p, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert(inotify_pending(in));
	close(in);
}
END_TEST

START_TEST(test_index_order)
{
	struct http_response resp;

	cfg.index = index_htm_first;
	ck_assert_int_eq(serve("/both/", NULL, &resp), 200);
	check_file(&resp, "htm first", "text/html", "both htm!!\n");
	cfg.index = index_default;
	ck_assert_int_eq(serve("/both/", NULL, &resp), 200);
	check_file(&resp, "html first", "text/html", "both html\n");

	/* One name only. */
	cfg.nindex = 1;
	ck_assert_int_eq(serve("/sub/", NULL, &resp), 403);
	ck_assert_int_eq(serve("/", NULL, &resp), 200);
	check_file(&resp, "one name", "text/html", "<h1>root</h1>\n");

	/* No index names: every directory is 403. */
	cfg.nindex = 0;
	ck_assert_int_eq(serve("/", NULL, &resp), 403);
	ck_assert_int_eq(serve("/sub/", NULL, &resp), 403);
}
END_TEST

/* The content type comes from the index file's own name. */
START_TEST(test_index_type)
{
	static char idx_txt[] = "a.txt";
	static char *names[] = { idx_txt };
	struct http_response resp;

	cfg.index = names;
	cfg.nindex = 1;
	ck_assert_int_eq(serve("/noindex/", NULL, &resp), 200);
	check_file(&resp, "a.txt as index", "text/plain", "a\n");
}
END_TEST

/* Index names that are not plain file names are never used. */
START_TEST(test_index_bad_names)
{
	static char up[] = "../outside.txt";
	static char slash[] = "sub/index.htm";
	static char dot[] = ".";
	static char dotdot[] = "..";
	static char empty[] = "";
	static char *names[] = { up, slash, dot, dotdot, empty };
	struct http_response resp;
	bool allow;

	cfg.index = names;
	cfg.nindex = 5;
	for (int k = 0; k < 2; k++) {
		allow = k == 1;
		cfg.symlinks_outside_root = allow;
		ck_assert_msg(serve("/", NULL, &resp) == 403,
		    "symlinks_outside_root %d: %d", allow, resp.status);
		ck_assert_int_eq(resp.fd, -1);
		ck_assert_int_eq(serve("/noindex/", NULL, &resp), 403);
	}
}
END_TEST

START_TEST(test_too_long)
{
	static char path[HTTP_LOCATION_MAX + 64];
	static char query[HTTP_LOCATION_MAX];
	struct http_response resp;
	size_t n;

	/* A name longer than NAME_MAX: ENAMETOOLONG. */
	path[0] = '/';
	memset(path + 1, 'a', NAME_MAX + 1);
	path[NAME_MAX + 2] = '\0';
	ck_assert_int_eq(serve(path, NULL, &resp), 414);

	/* A path that does not fit PATH_MAX. */
	for (n = 0; n + 2 < PATH_MAX + 8; n += 2)
		memcpy(path + n, "/a", 2);
	path[n] = '\0';
	ck_assert_int_eq(serve(path, NULL, &resp), 414);

	/* A redirect whose Location does not fit. */
	for (n = 0; n + 2 < HTTP_LOCATION_MAX; n += 2)
		memcpy(path + n, "/.", 2);
	memcpy(path + n, "/sub", 5);
	ck_assert_int_eq(serve(path, NULL, &resp), 414);
	ck_assert_uint_eq(resp.location_len, 0);

	memset(query, 'q', sizeof(query) - 1);
	query[sizeof(query) - 1] = '\0';
	ck_assert_int_eq(serve("/sub", query, &resp), 414);
	/* One byte less of query fits, with the NUL. */
	query[HTTP_LOCATION_MAX - 7] = '\0';
	ck_assert_int_eq(serve("/sub", query, &resp), 301);
	ck_assert_uint_eq(resp.location_len, HTTP_LOCATION_MAX - 1);
	query[HTTP_LOCATION_MAX - 6] = '\0';
	query[HTTP_LOCATION_MAX - 7] = 'q';
	ck_assert_int_eq(serve("/sub", query, &resp), 414);
}
END_TEST

/* Every path through static_serve, many times: no fd may stay open. */
START_TEST(test_no_fd_leak)
{
	struct http_response resp;
	int before = -1, after;

	for (int round = 0; round < 21; round++) {
		/* Round 0 warms up whatever the libraries open lazily. */
		if (round == 1)
			before = count_fds();
		for (int k = 0; k < NSERVE_CASES; k++) {
			serve(serve_cases[k].path, serve_cases[k].query, &resp);
			if (resp.fd != -1)
				close(resp.fd);
		}
		cfg.symlinks_outside_root = !cfg.symlinks_outside_root;
	}
	after = count_fds();
	ck_assert_int_eq(after, before);
}
END_TEST

/* The highest descriptor open now. */
static int
highest_fd(void)
{
	int hi = -1;

	for (int fd = 0; fd < 4096; fd++)
		if (fcntl(fd, F_GETFD) != -1)
			hi = fd;
	return hi;
}

/* The whole of a small text file, NUL-terminated (malloc'd). */
static char *
slurp(const char *path)
{
	char *buf = calloc(1, 65536);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, 65535);

	if (fd >= 0)
		close(fd);
	if (n < 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/*
 * Out of descriptors: the request is a 500, and the error log says why
 * (once per interval, with a count), never silently.
 */
START_TEST(test_out_of_fds_logged)
{
	static int fill[4096];
	static struct log_conf lc;
	char logp[PATH_MAX + 16], err[256], *text;
	struct http_response resp;
	struct rlimit rl, saved;
	int nfill = 0;

	snprintf(logp, sizeof(logp), "%s/fds.log", base);
	lc.error.kind = LOG_TO_FILE;
	lc.error.path = logp;
	lc.level = LOG_LEVEL_INFO;
	lc.mode = 0640;
	ck_assert_int_eq(log_open(&lc, err, sizeof(err)), 0);
	fcache_clear();
	/* Every descriptor below the limit taken: the next open() fails. */
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
	saved = rl;
	rl.rlim_cur = (rlim_t)highest_fd() + 1;
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
	while ((fill[nfill] = fcntl(0, F_DUPFD_CLOEXEC, 0)) >= 0 &&
	    nfill < 4095)
		nfill++;
	ck_assert_int_eq(serve("/hello.txt", NULL, &resp), 500);
	ck_assert_int_eq(serve("/hello.txt", NULL, &resp), 500);
	while (nfill > 0)
		close(fill[--nfill]);
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &saved), 0);
	log_close();
	text = slurp(logp);
	ck_assert_ptr_nonnull(text);
	ck_assert_msg(strstr(text, "cannot open a file: Too many open files")
	    != NULL, "the log says nothing of running out:\n%s", text);
	/* Once per interval: the second refusal is counted, not logged. */
	ck_assert_ptr_null(strstr(strstr(text, "cannot open") + 1,
	    "cannot open"));
	free(text);
}
END_TEST

START_TEST(test_open_root)
{
	char p[2 * PATH_MAX];
	int fd;

	fd = static_open_root(root);
	ck_assert_int_ne(fd, -1);
	ck_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);

	unit_path(p, sizeof(p), root, "hello.txt");
	errno = 0;
	ck_assert_int_eq(static_open_root(p), -1);
	ck_assert_int_eq(errno, ENOTDIR);
	unit_path(p, sizeof(p), root, "missing");
	ck_assert_int_eq(static_open_root(p), -1);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Several document roots, one file cache */

/* Two roots side by side (unit_two_roots()): A's secret.txt, B's links. */
static char two[PATH_MAX];
static int a_fd = -1, b_fd = -1;

static void
roots_setup(void)
{
	char p[2 * PATH_MAX];

	unit_two_roots(two, sizeof(two), "check_static_roots");
	unit_path(p, sizeof(p), two, "A");
	a_fd = static_open_root(p);
	unit_path(p, sizeof(p), two, "B");
	b_fd = static_open_root(p);
	ck_assert(a_fd != -1 && b_fd != -1);
	memset(&cfg, 0, sizeof(cfg));
	cfg.index = index_default;
	cfg.nindex = 2;
}

static void
roots_teardown(void)
{
	if (a_fd != -1)
		close(a_fd);
	if (b_fd != -1)
		close(b_fd);
	a_fd = b_fd = -1;
	unit_rmtree(two);
	two[0] = '\0';
}

/* serve() under the root open as fd. */
static int
serve_under(int fd, const char *path, struct http_response *resp)
{
	root_fd = fd;
	return serve(path, NULL, resp);
}

/*
 * A's secret.txt, once in the cache, must not come out under B: B's
 * symlinks leave B, so B answers 403 (symlinks-outside-root off) whether
 * or not A has just served the file they point at.
 */
START_TEST(test_roots_cache_apart)
{
	struct http_response resp;

	ck_assert_int_eq(serve_under(b_fd, "/secret.txt", &resp), 403);
	ck_assert_int_eq(serve_under(a_fd, "/secret.txt", &resp), 200);
	ck_assert_msg(resp.fd_cached, "A's secret.txt was not cached");
	check_file(&resp, "A/secret.txt", "text/plain", "secret\n");

	ck_assert_int_eq(serve_under(b_fd, "/link.txt", &resp), 403);
	ck_assert_msg(serve_under(b_fd, "/secret.txt", &resp) == 403,
	    "B's secret.txt, a symlink out of B, was served from A's cache "
	    "entry");
	ck_assert_int_eq(resp.fd, -1);
	/* And A still has it. */
	ck_assert_int_eq(serve_under(a_fd, "/secret.txt", &resp), 200);
	check_file(&resp, "A/secret.txt", "text/plain", "secret\n");
}
END_TEST

/*
 * What one policy let in, another does not get from the cache: B's
 * link.txt served with symlinks-outside-root on is cached, and must be
 * 403 again once it is off (a virtual host that shares B's directory but
 * not its setting).
 */
START_TEST(test_roots_cache_policy)
{
	struct http_response resp;

	cfg.symlinks_outside_root = true;
	ck_assert_int_eq(serve_under(b_fd, "/link.txt", &resp), 200);
	ck_assert_msg(resp.fd_cached, "B's link.txt was not cached");
	check_file(&resp, "B/link.txt", "text/plain", "secret\n");
	cfg.symlinks_outside_root = false;
	ck_assert_msg(serve_under(b_fd, "/link.txt", &resp) == 403,
	    "link.txt cached with symlinks-outside-root on was served with "
	    "it off");
}
END_TEST

/* ------------------------------------------------------------------ */
/* Validators, preconditions, ranges (RFC 9110 §8.8, §13, §14) */

/* A slice over a NUL-terminated string (the tests' header buffer). */
static struct http_slice
slice(const char *s)
{
	struct http_slice sl = { s, strlen(s) };

	return sl;
}

/* A request for path with no conditional or range fields yet. */
static void
req_init(struct http_request *req, enum http_method method,
    const char *path)
{
	memset(req, 0, sizeof(*req));
	req->method = method;
	req->path = slice(path);
	req->version = HTTP_VERSION_11;
	req->keep_alive = true;
}

/* Adds one line of If-Match or If-None-Match. */
static void
add_line(struct http_field_list *f, const char *value)
{
	ck_assert_uint_lt(f->n, HTTP_LIST_LINES_MAX);
	f->line[f->n++] = slice(value);
}

static int
serve_req(const struct http_request *req, struct http_response *resp)
{
	int status;

	http_response_init(resp);
	resp->keep_alive = true;
	resp->head_only = req->method == HTTP_METHOD_HEAD;
	status = serve_scoped(&cfg, req, resp);
	ck_assert_int_eq(resp->status, status);
	ck_assert(resp->keep_alive);
	return status;
}

/* Lets go of the file a response holds, if any, which must be open. */
static void
resp_close(struct http_response *resp)
{
	if (resp->fd != -1)
		ck_assert_int_ne(fcntl(resp->fd, F_GETFD), -1);
	http_response_close_fd(resp);
}


/* The ETag of a 200 for path, NUL-terminated in out; closes the file. */
static void
etag_of(const char *path, char out[HTTP_ETAG_MAX + 1])
{
	struct http_request req;
	struct http_response resp;

	req_init(&req, HTTP_METHOD_GET, path);
	ck_assert_int_eq(serve_req(&req, &resp), 200);
	ck_assert_uint_gt(resp.etag_len, 0);
	ck_assert_uint_le(resp.etag_len, HTTP_ETAG_MAX);
	memcpy(out, resp.etag, resp.etag_len);
	out[resp.etag_len] = '\0';
	resp_close(&resp);
}

/* The Last-Modified of a file under the root, as an IMF-fixdate. */
static void
date_of(const char *rel, time_t delta, char out[HTTP_DATE_LEN])
{
	char p[2 * PATH_MAX];
	struct stat st;

	unit_path(p, sizeof(p), root, rel);
	ck_assert_int_eq(stat(p, &st), 0);
	http_date_format(st.st_mtime + delta, out);
	ck_assert_uint_eq(strlen(out), HTTP_DATE_LEN - 1);
}

/* Sets the modification time of a file under the root. */
static void
set_mtime(const char *rel, time_t sec, long nsec)
{
	struct timespec ts[2];
	char p[2 * PATH_MAX];

	unit_path(p, sizeof(p), root, rel);
	ts[0].tv_sec = sec;
	ts[0].tv_nsec = nsec;
	ts[1] = ts[0];
	ck_assert_msg(utimensat(AT_FDCWD, p, ts, 0) == 0, "utimensat %s: %s",
	    p, strerror(errno));
}

/*
 * RFC 9110 §8.8.3: a strong ETag, quoted; RFC 9110 §8.8.2: Last-Modified;
 * RFC 9110 §14.3: Accept-Ranges.  The tag is "ino-size-mtime_ns" in hex.
 */
START_TEST(test_validators)
{
	struct http_request req;
	struct http_response resp;
	char want[HTTP_ETAG_MAX + 1];
	struct stat st;

	for (int h = 0; h < 2; h++) {
		req_init(&req, h ? HTTP_METHOD_HEAD : HTTP_METHOD_GET,
		    "/alpha.txt");
		ck_assert_int_eq(serve_req(&req, &resp), 200);
		ck_assert_int_eq(resp.body, HTTP_BODY_FILE);
		ck_assert_int_ge(resp.fd, 0);
		ck_assert_int_eq(fstat(resp.fd, &st), 0);
		snprintf(want, sizeof(want), "\"%llx-%llx-%llx\"",
		    (unsigned long long)st.st_ino,
		    (unsigned long long)st.st_size,
		    (unsigned long long)st.st_mtim.tv_sec * 1000000000ULL +
		    (unsigned long long)st.st_mtim.tv_nsec);
		ck_assert_uint_eq(resp.etag_len, strlen(want));
		ck_assert_msg(memcmp(resp.etag, want, resp.etag_len) == 0,
		    "ETag %.*s, want %s", (int)resp.etag_len, resp.etag, want);
		/* Strong: no "W/" prefix. */
		ck_assert_int_eq(resp.etag[0], '"');
		ck_assert_int_eq(resp.last_modified, st.st_mtime);
		ck_assert(resp.accept_ranges);
		ck_assert(!resp.content_range);
		ck_assert_int_eq(resp.content_length, ALPHA_LEN);
		ck_assert_str_eq(resp.content_type, "text/plain");
		resp_close(&resp);
	}

	/* The same file, unchanged: the same tag. */
	etag_of("/alpha.txt", want);
	{
		char again[HTTP_ETAG_MAX + 1];

		etag_of("/alpha.txt", again);
		ck_assert_str_eq(again, want);
	}
}
END_TEST

/* RFC 9110 §8.8.3: the tag must change when the representation does. */
START_TEST(test_etag_changes)
{
	char t1[HTTP_ETAG_MAX + 1], t2[HTTP_ETAG_MAX + 1];
	char t3[HTTP_ETAG_MAX + 1], t4[HTTP_ETAG_MAX + 1];
	char t5[HTTP_ETAG_MAX + 1];
	char from[2 * PATH_MAX], to[2 * PATH_MAX];

	unit_write_file(root, "etag.txt", "12345");
	set_mtime("etag.txt", 1000000000, 0);
	etag_of("/etag.txt", t1);

	/* Same size, other bytes, another mtime (nanoseconds only). */
	unit_write_file(root, "etag.txt", "abcde");
	set_mtime("etag.txt", 1000000000, 500);
	etag_of("/etag.txt", t2);
	ck_assert_msg(strcmp(t1, t2) != 0, "mtime changed, ETag %s kept", t1);

	/* Another size, the same mtime. */
	unit_write_file(root, "etag.txt", "abcdef");
	set_mtime("etag.txt", 1000000000, 500);
	etag_of("/etag.txt", t3);
	ck_assert_msg(strcmp(t2, t3) != 0, "size changed, ETag %s kept", t2);

	/* Replaced by another file of the same size and mtime: the inode. */
	unit_write_file(root, "etag.new", "ABCDEF");
	set_mtime("etag.new", 1000000000, 500);
	unit_path(from, sizeof(from), root, "etag.new");
	unit_path(to, sizeof(to), root, "etag.txt");
	ck_assert_int_eq(rename(from, to), 0);
	etag_of("/etag.txt", t4);
	ck_assert_msg(strcmp(t3, t4) != 0, "inode changed, ETag %s kept", t3);

	/* Nothing changed: the tag is stable. */
	etag_of("/etag.txt", t5);
	ck_assert_str_eq(t4, t5);
}
END_TEST

/* RFC 9110 §15.4.5: a 304 has no content but keeps the validators. */
static void
check_304(struct http_response *resp, const char *etag, const char *what)
{
	char p[2 * PATH_MAX];
	struct stat st;

	ck_assert_msg(resp->status == 304, "%s: status %d", what,
	    resp->status);
	ck_assert_msg(resp->body == HTTP_BODY_NONE, "%s: body kind %d", what,
	    (int)resp->body);
	ck_assert_msg(resp->fd == -1, "%s: fd %d", what, resp->fd);
	ck_assert_msg(resp->content_length == -1, "%s: Content-Length %lld",
	    what, (long long)resp->content_length);
	ck_assert_ptr_null(resp->content_type);
	ck_assert(!resp->content_range);
	ck_assert_uint_eq(resp->etag_len, strlen(etag));
	ck_assert_msg(memcmp(resp->etag, etag, resp->etag_len) == 0,
	    "%s: ETag %.*s, want %s", what, (int)resp->etag_len, resp->etag,
	    etag);
	unit_path(p, sizeof(p), root, "alpha.txt");
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_int_eq(resp->last_modified, st.st_mtime);
}

START_TEST(test_if_none_match)
{
	struct http_request req;
	struct http_response resp;
	char tag[HTTP_ETAG_MAX + 1], weak[HTTP_ETAG_MAX + 8];
	char list[2 * HTTP_ETAG_MAX + 16];
	int before;

	etag_of("/alpha.txt", tag);
	snprintf(weak, sizeof(weak), "W/%s", tag);
	snprintf(list, sizeof(list), "\"other\", %s", tag);
	before = count_fds();

	/* RFC 9110 §13.1.2: the tag matches -> 304, the file closed. */
	req_init(&req, HTTP_METHOD_GET, "/alpha.txt");
	add_line(&req.if_none_match, tag);
	ck_assert_int_eq(serve_req(&req, &resp), 304);
	check_304(&resp, tag, "If-None-Match: tag");
	ck_assert_int_eq(count_fds(), before);

	req.method = HTTP_METHOD_HEAD;
	ck_assert_int_eq(serve_req(&req, &resp), 304);
	check_304(&resp, tag, "HEAD If-None-Match: tag");

	/* The weak comparison: W/"tag" matches "tag". */
	req_init(&req, HTTP_METHOD_GET, "/alpha.txt");
	add_line(&req.if_none_match, weak);
	ck_assert_int_eq(serve_req(&req, &resp), 304);
	check_304(&resp, tag, "If-None-Match: weak tag");

	/* "*" matches any current representation. */
	req_init(&req, HTTP_METHOD_GET, "/alpha.txt");
	add_line(&req.if_none_match, "*");
	ck_assert_int_eq(serve_req(&req, &resp), 304);
	check_304(&resp, tag, "If-None-Match: *");

	/* A match anywhere in the list, or in a second field line. */
	req_init(&req, HTTP_METHOD_GET, "/alpha.txt");
	add_line(&req.if_none_match, list);
	ck_assert_int_eq(serve_req(&req, &resp), 304);
	check_304(&resp, tag, "If-None-Match: list");
	req_init(&req, HTTP_METHOD_GET, "/alpha.txt");
	add_line(&req.if_none_match, "\"other\"");
	add_line(&req.if_none_match, tag);
	ck_assert_int_eq(serve_req(&req, &resp), 304);
	check_304(&resp, tag, "If-None-Match: two lines");
	ck_assert_int_eq(count_fds(), before);

	/* No match: the 200 as usual. */
	req_init(&req, HTTP_METHOD_GET, "/alpha.txt");
	add_line(&req.if_none_match, "\"other\"");
	ck_assert_int_eq(serve_req(&req, &resp), 200);
	ck_assert_int_eq(resp.body, HTTP_BODY_FILE);
	ck_assert_int_ge(resp.fd, 0);
	ck_assert_int_eq(resp.content_length, ALPHA_LEN);
	resp_close(&resp);
	ck_assert_int_eq(count_fds(), before);
}
END_TEST

/* 412 and 416 leave a bodiless response that the caller (the router)
 * turns into an error page; afterwards no file may be open. */
static void
finish_error(struct http_response *resp, int status, int fds_before)
{
	ck_assert_int_eq(resp->status, status);
	http_response_error(resp, status);
	ck_assert_int_eq(resp->fd, -1);
	ck_assert_int_eq(count_fds(), fds_before);
}

START_TEST(test_if_match)
{
	struct http_request req;
	struct http_response resp;
	char tag[HTTP_ETAG_MAX + 1], weak[HTTP_ETAG_MAX + 8];
	char date[HTTP_DATE_LEN];
	int before;

	etag_of("/alpha.txt", tag);
	snprintf(weak, sizeof(weak), "W/%s", tag);
	before = count_fds();

	/* RFC 9110 §13.1.1: no current tag matches -> 412. */
	req_init(&req, HTTP_METHOD_GET, "/alpha.txt");
	add_line(&req.if_match, "\"other\"");
	ck_assert_int_eq(serve_req(&req, &resp), 412);
	ck_assert_int_ne(resp.body, HTTP_BODY_RANGES);
	finish_error(&resp, 412, before);

	/* The strong comparison: a weak tag never matches. */
	req_init(&req, HTTP_METHOD_GET, "/alpha.txt");
	add_line(&req.if_match, weak);
	ck_assert_int_eq(serve_req(&req, &resp), 412);
	finish_error(&resp, 412, before);

	/* 412 wins over a Range and over If-None-Match (§13.2.2 order). */
	req_init(&req, HTTP_METHOD_GET, "/alpha.txt");
	add_line(&req.if_match, "\"other\"");
	add_line(&req.if_none_match, tag);
	req.range = slice("bytes=0-0");
	ck_assert_int_eq(serve_req(&req, &resp), 412);
	ck_assert(!resp.content_range);
	finish_error(&resp, 412, before);

	/* The tag itself, and "*": the 200. */
	req_init(&req, HTTP_METHOD_GET, "/alpha.txt");
	add_line(&req.if_match, tag);
	ck_assert_int_eq(serve_req(&req, &resp), 200);
	resp_close(&resp);
	req_init(&req, HTTP_METHOD_GET, "/alpha.txt");
	add_line(&req.if_match, "*");
	ck_assert_int_eq(serve_req(&req, &resp), 200);
	resp_close(&resp);

	/* RFC 9110 §13.1.4: modified since the date -> 412. */
	date_of("alpha.txt", -1, date);
	req_init(&req, HTTP_METHOD_GET, "/alpha.txt");
	req.if_unmodified_since = slice(date);
	ck_assert_int_eq(serve_req(&req, &resp), 412);
	finish_error(&resp, 412, before);
	/* Not modified since: the 200. */
	date_of("alpha.txt", 0, date);
	req_init(&req, HTTP_METHOD_GET, "/alpha.txt");
	req.if_unmodified_since = slice(date);
	ck_assert_int_eq(serve_req(&req, &resp), 200);
	resp_close(&resp);
	ck_assert_int_eq(count_fds(), before);
}
END_TEST

START_TEST(test_if_modified_since)
{
	struct http_request req;
	struct http_response resp;
	char tag[HTTP_ETAG_MAX + 1], date[HTTP_DATE_LEN];
	int before;

	etag_of("/alpha.txt", tag);
	before = count_fds();

	/* RFC 9110 §13.1.3: "earlier or equal to the date" -> 304. */
	date_of("alpha.txt", 0, date);
	req_init(&req, HTTP_METHOD_GET, "/alpha.txt");
	req.if_modified_since = slice(date);
	ck_assert_int_eq(serve_req(&req, &resp), 304);
	check_304(&resp, tag, "If-Modified-Since: Last-Modified");
	ck_assert_int_eq(count_fds(), before);

	date_of("alpha.txt", 3600, date);
	req_init(&req, HTTP_METHOD_HEAD, "/alpha.txt");
	req.if_modified_since = slice(date);
	ck_assert_int_eq(serve_req(&req, &resp), 304);
	check_304(&resp, tag, "HEAD If-Modified-Since: later");

	/* Modified after the date: the 200. */
	date_of("alpha.txt", -1, date);
	req_init(&req, HTTP_METHOD_GET, "/alpha.txt");
	req.if_modified_since = slice(date);
	ck_assert_int_eq(serve_req(&req, &resp), 200);
	resp_close(&resp);

	/* Not a valid HTTP-date: ignored. */
	req_init(&req, HTTP_METHOD_GET, "/alpha.txt");
	req.if_modified_since = slice("yesterday");
	ck_assert_int_eq(serve_req(&req, &resp), 200);
	resp_close(&resp);

	/* "A recipient MUST ignore If-Modified-Since if the request contains
	 * an If-None-Match header field". */
	date_of("alpha.txt", 0, date);
	req_init(&req, HTTP_METHOD_GET, "/alpha.txt");
	req.if_modified_since = slice(date);
	add_line(&req.if_none_match, "\"other\"");
	ck_assert_int_eq(serve_req(&req, &resp), 200);
	resp_close(&resp);
	ck_assert_int_eq(count_fds(), before);
}
END_TEST

/* A 206 of one range: the file from its offset, with Content-Range. */
static void
check_206(struct http_response *resp, uint64_t first, uint64_t last,
    const char *what)
{
	char got[ALPHA_LEN + 1];
	ssize_t n;

	ck_assert_msg(resp->status == 206, "%s: status %d", what,
	    resp->status);
	ck_assert_msg(resp->body == HTTP_BODY_FILE, "%s: body kind %d", what,
	    (int)resp->body);
	ck_assert_int_ge(resp->fd, 0);
	ck_assert_msg(resp->offset == (off_t)first, "%s: offset %lld", what,
	    (long long)resp->offset);
	ck_assert_msg(resp->content_length == (off_t)(last - first + 1),
	    "%s: Content-Length %lld", what, (long long)resp->content_length);
	ck_assert_msg(resp->content_range && !resp->range_unsatisfied,
	    "%s: no Content-Range", what);
	ck_assert_uint_eq(resp->range_first, first);
	ck_assert_uint_eq(resp->range_last, last);
	ck_assert_uint_eq(resp->range_complete, ALPHA_LEN);
	/* RFC 9110 §15.3.7: the validators a 200 would have had. */
	ck_assert_uint_gt(resp->etag_len, 0);
	ck_assert_int_gt(resp->last_modified, 0);
	ck_assert_str_eq(resp->content_type, "text/plain");
	n = pread(resp->fd, got, (size_t)resp->content_length, resp->offset);
	ck_assert_int_eq(n, resp->content_length);
	ck_assert(memcmp(got, ALPHA + first, (size_t)n) == 0);
	resp_close(resp);
}

static const struct {
	const char *range;
	uint64_t first, last;
	const char *note;
} single_ranges[] = {
	{ "bytes=0-4", 0, 4, "RFC 9110 14.1.2: int-range" },
	{ "bytes=25-25", 25, 25, "the last byte" },
	{ "bytes=20-", 20, 25, "open-ended" },
	{ "bytes=-3", 23, 25, "suffix-range" },
	{ "bytes=-100", 0, 25, "suffix longer than the file: all of it" },
	{ "bytes=10-1000", 10, 25, "last-pos past the end: clipped" },
	{ "BYTES=1-2", 1, 2, "range-unit is case-insensitive" },
	{ "bytes=0-4,3-8", 0, 8, "overlapping: merged into one" },
	{ "bytes=5-6,0-4", 0, 6, "adjacent and out of order: merged" },
	{ "bytes=2-3,100-200", 2, 3, "the unsatisfiable one dropped" },
};

START_TEST(test_range_single)
{
	struct http_request req;
	struct http_response resp;
	int before = count_fds();

	req_init(&req, HTTP_METHOD_GET, "/alpha.txt");
	req.range = slice(single_ranges[_i].range);
	serve_req(&req, &resp);
	check_206(&resp, single_ranges[_i].first, single_ranges[_i].last,
	    single_ranges[_i].note);
	ck_assert_int_eq(count_fds(), before);
}
END_TEST

/* Range values that must be ignored: the whole file, 200. */
static const struct {
	const char *range;
	const char *note;
} ignored_ranges[] = {
	{ "bytes=5-1", "last < first: invalid" },
	{ "items=0-4", "an unknown range unit" },
	{ "bytes=a-b", "not numbers" },
	{ "bytes 0-4", "no '='" },
	{ "bytes=0-0,1-1,2-2,3-3,4-4,5-5,6-6,7-7,8-8,9-9,10-10,11-11,"
	    "12-12,13-13,14-14,15-15,16-16,17-17,18-18,19-19,20-20,21-21,"
	    "22-22,23-23,24-24,25-25,0-0,1-1,2-2,3-3,4-4,5-5,6-6",
	    "more than RANGE_SPECS_MAX specs" },
};

START_TEST(test_range_ignored)
{
	struct http_request req;
	struct http_response resp;

	req_init(&req, HTTP_METHOD_GET, "/alpha.txt");
	req.range = slice(ignored_ranges[_i].range);
	ck_assert_msg(serve_req(&req, &resp) == 200, "%s: %d",
	    ignored_ranges[_i].note, resp.status);
	ck_assert_int_eq(resp.body, HTTP_BODY_FILE);
	ck_assert_int_eq(resp.offset, 0);
	ck_assert_int_eq(resp.content_length, ALPHA_LEN);
	ck_assert(!resp.content_range);
	resp_close(&resp);
}
END_TEST

/* RFC 9110 §14.2: "A server MUST ignore a Range header field received
 * with a request method that is unrecognized or for which range
 * handling is not defined" -- only GET defines it. */
START_TEST(test_range_head)
{
	struct http_request req;
	struct http_response resp;

	req_init(&req, HTTP_METHOD_HEAD, "/alpha.txt");
	req.range = slice("bytes=0-4");
	ck_assert_int_eq(serve_req(&req, &resp), 200);
	ck_assert_int_eq(resp.content_length, ALPHA_LEN);
	ck_assert_int_eq(resp.offset, 0);
	ck_assert(!resp.content_range);
	ck_assert(resp.accept_ranges);
	resp_close(&resp);

	/* Nor does HEAD get a 416 for a range beyond the end. */
	req.range = slice("bytes=100-");
	ck_assert_int_eq(serve_req(&req, &resp), 200);
	ck_assert(!resp.content_range);
	resp_close(&resp);
}
END_TEST

/* RFC 9110 §14.6: several ranges -> multipart/byteranges. */
START_TEST(test_range_multipart)
{
	struct http_request req;
	struct http_response resp;
	char boundary[64];
	uint64_t want;
	int before = count_fds();

	req_init(&req, HTTP_METHOD_GET, "/alpha.txt");
	req.range = slice("bytes=20-21,0-1,5-6");
	ck_assert_int_eq(serve_req(&req, &resp), 206);
	ck_assert_int_eq(resp.body, HTTP_BODY_RANGES);
	ck_assert_int_ge(resp.fd, 0);
	/* The parts say their ranges; the response itself does not. */
	ck_assert(!resp.content_range);
	ck_assert_ptr_nonnull(resp.ranges);
	ck_assert_uint_eq(resp.ranges->n, 3);
	/* Sorted by first byte (RFC 9110 §15.3.7.2 lets us coalesce). */
	ck_assert_uint_eq(resp.ranges->r[0].first, 0);
	ck_assert_uint_eq(resp.ranges->r[0].last, 1);
	ck_assert_uint_eq(resp.ranges->r[1].first, 5);
	ck_assert_uint_eq(resp.ranges->r[1].last, 6);
	ck_assert_uint_eq(resp.ranges->r[2].first, 20);
	ck_assert_uint_eq(resp.ranges->r[2].last, 21);
	ck_assert_uint_eq(resp.range_complete, ALPHA_LEN);
	/* The parts carry the file's type. */
	ck_assert_str_eq(resp.content_type, "text/plain");
	ck_assert_ptr_nonnull(resp.boundary);
	ck_assert_uint_eq(strlen(resp.boundary), 10 + 16);
	ck_assert(strncmp(resp.boundary, "forkhttpd-", 10) == 0);
	for (size_t i = 10; i < 26; i++)
		ck_assert_msg(strchr("0123456789abcdef", resp.boundary[i]) !=
		    NULL && resp.boundary[i] != '\0', "boundary %s",
		    resp.boundary);
	want = range_multipart_length(resp.ranges, resp.boundary,
	    resp.content_type, ALPHA_LEN);
	ck_assert_int_eq(resp.content_length, (off_t)want);
	/* More than the bytes alone: the part headers count too. */
	ck_assert_int_gt(resp.content_length, 6);
	ck_assert_uint_gt(resp.etag_len, 0);
	snprintf(boundary, sizeof(boundary), "%s", resp.boundary);
	resp_close(&resp);

	/* The next multipart response gets another boundary. */
	req.range = slice("bytes=0-0,2-2");
	ck_assert_int_eq(serve_req(&req, &resp), 206);
	ck_assert_int_eq(resp.body, HTTP_BODY_RANGES);
	ck_assert_uint_eq(resp.ranges->n, 2);
	ck_assert_str_ne(resp.boundary, boundary);
	ck_assert_int_eq(resp.content_length,
	    (off_t)range_multipart_length(resp.ranges, resp.boundary,
	    resp.content_type, ALPHA_LEN));
	resp_close(&resp);
	ck_assert_int_eq(count_fds(), before);
}
END_TEST

/* RFC 9110 §15.5.17: none satisfiable -> 416, "Content-Range: bytes
 * * /26" (the current length). */
START_TEST(test_range_unsatisfiable)
{
	static const char *const ranges[] = { "bytes=26-", "bytes=100-200",
	    "bytes=26-30,40-", "bytes=-0" };
	struct http_request req;
	struct http_response resp;
	int before = count_fds();

	for (size_t k = 0; k < sizeof(ranges) / sizeof(ranges[0]); k++) {
		req_init(&req, HTTP_METHOD_GET, "/alpha.txt");
		req.range = slice(ranges[k]);
		ck_assert_msg(serve_req(&req, &resp) == 416, "%s: %d",
		    ranges[k], resp.status);
		ck_assert(resp.content_range);
		ck_assert(resp.range_unsatisfied);
		ck_assert_uint_eq(resp.range_complete, ALPHA_LEN);
		ck_assert_int_ne(resp.body, HTTP_BODY_RANGES);
		finish_error(&resp, 416, before);
		/* The error page keeps what the 416 must say. */
		ck_assert(resp.content_range && resp.range_unsatisfied);
		ck_assert_uint_eq(resp.range_complete, ALPHA_LEN);
	}
}
END_TEST

/* RFC 9110 §13.1.5: If-Range decides between the range and the whole. */
START_TEST(test_if_range)
{
	struct http_request req;
	struct http_response resp;
	char tag[HTTP_ETAG_MAX + 1], weak[HTTP_ETAG_MAX + 8];
	char date[HTTP_DATE_LEN];

	etag_of("/alpha.txt", tag);
	snprintf(weak, sizeof(weak), "W/%s", tag);

	/* The current tag, by strong comparison: the range applies. */
	req_init(&req, HTTP_METHOD_GET, "/alpha.txt");
	req.range = slice("bytes=0-4");
	req.if_range = slice(tag);
	serve_req(&req, &resp);
	check_206(&resp, 0, 4, "If-Range: current tag");

	/* Last-Modified exactly: the range applies. */
	date_of("alpha.txt", 0, date);
	req.if_range = slice(date);
	serve_req(&req, &resp);
	check_206(&resp, 0, 4, "If-Range: Last-Modified");

	/* Anything else: the whole file, 200. */
	{
		char later[HTTP_DATE_LEN];
		const char *others[] = { "\"other\"", weak, later, "garbage",
		    "" };

		date_of("alpha.txt", 1, later);
		for (size_t k = 0; k < sizeof(others) / sizeof(others[0]);
		    k++) {
			req.if_range = slice(others[k]);
			ck_assert_msg(serve_req(&req, &resp) == 200,
			    "If-Range %s: %d", others[k], resp.status);
			ck_assert(!resp.content_range);
			ck_assert_int_eq(resp.offset, 0);
			ck_assert_int_eq(resp.content_length, ALPHA_LEN);
			resp_close(&resp);
		}
	}

	/* A mismatch does not turn an unsatisfiable range into a 416. */
	req.range = slice("bytes=100-");
	req.if_range = slice("\"other\"");
	ck_assert_int_eq(serve_req(&req, &resp), 200);
	resp_close(&resp);
}
END_TEST

/* The index file found through its directory has validators as well. */
START_TEST(test_index_validators)
{
	struct http_request req;
	struct http_response resp;
	char tag[HTTP_ETAG_MAX + 1];

	etag_of("/index.html", tag);
	req_init(&req, HTTP_METHOD_GET, "/");
	ck_assert_int_eq(serve_req(&req, &resp), 200);
	ck_assert_uint_eq(resp.etag_len, strlen(tag));
	ck_assert(memcmp(resp.etag, tag, resp.etag_len) == 0);
	ck_assert(resp.accept_ranges);
	ck_assert_int_gt(resp.last_modified, 0);
	resp_close(&resp);

	/* ... and answers its preconditions and ranges. */
	add_line(&req.if_none_match, tag);
	ck_assert_int_eq(serve_req(&req, &resp), 304);
	ck_assert_int_eq(resp.fd, -1);
	ck_assert_uint_eq(resp.etag_len, strlen(tag));
	req_init(&req, HTTP_METHOD_GET, "/");
	req.range = slice("bytes=1-2");
	ck_assert_int_eq(serve_req(&req, &resp), 206);
	ck_assert_int_eq(resp.offset, 1);
	ck_assert_int_eq(resp.content_length, 2);
	resp_close(&resp);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Directory listings */

/* A configuration for the root loaded as the daemon would load it. */
static struct config *
listing_config(bool on)
{
	char text[PATH_MAX + 128], err[512];
	struct config *c;

	snprintf(text, sizeof(text), "document-root = \"%s\"\n%s", root,
	    on ? "directory-listing = true\n" : "");
	c = config_load_buf(text, "t.conf", NULL, err, sizeof(err));
	ck_assert_msg(c != NULL, "config: %s", err);
	ck_assert(c->directory_listing == on);
	return c;
}

static int
serve_with(const struct config *c, enum http_method method,
    const char *path, struct http_response *resp)
{
	struct http_request req;

	req_init(&req, method, path);
	http_response_init(resp);
	resp->keep_alive = true;
	return serve_scoped(c, &req, resp);
}

/* Whether the page has needle in it. */
static bool
page_has(const struct http_response *resp, const char *needle)
{
	return memmem(resp->mem, resp->mem_len, needle, strlen(needle)) !=
	    NULL;
}

/* Where needle starts in the page; aborts if it is not there. */
static size_t
page_at(const struct http_response *resp, const char *needle)
{
	const char *p = memmem(resp->mem, resp->mem_len, needle,
	    strlen(needle));

	ck_assert_msg(p != NULL, "listing lacks \"%s\":\n%.*s", needle,
	    (int)resp->mem_len, resp->mem);
	return (size_t)(p - resp->mem);
}

START_TEST(test_listing)
{
	struct config *c;
	struct http_response resp;
	int before;

	ck_assert_int_eq(listing_init(), 0);

	/* Off (the default): a directory without an index is 403. */
	c = listing_config(false);
	ck_assert_int_eq(serve_with(c, HTTP_METHOD_GET, "/listdir/", &resp),
	    403);
	ck_assert_int_eq(resp.body, HTTP_BODY_NONE);
	ck_assert_int_eq(resp.fd, -1);
	config_free(c);

	/* On: the listing, as an in-memory text/html page. */
	c = listing_config(true);
	before = count_fds();
	ck_assert_int_eq(serve_with(c, HTTP_METHOD_GET, "/listdir/", &resp),
	    200);
	ck_assert_int_eq(resp.body, HTTP_BODY_MEM);
	ck_assert_int_eq(resp.fd, -1);
	ck_assert_ptr_nonnull(resp.mem);
	ck_assert_uint_gt(resp.mem_len, 0);
	ck_assert_int_eq(resp.content_length, (off_t)resp.mem_len);
	ck_assert_msg(resp.content_type != NULL &&
	    strncmp(resp.content_type, "text/html", 9) == 0, "type %s",
	    resp.content_type ? resp.content_type : "(null)");
	/* A generated page is no file: no file validators, no ranges. */
	ck_assert_uint_eq(resp.etag_len, 0);
	ck_assert(!resp.accept_ranges);
	ck_assert_int_eq(count_fds(), before);

	/* The names: directories first, escaped, hidden ones left out. */
	ck_assert(page_at(&resp, "zdir/") < page_at(&resp, "b.txt"));
	page_at(&resp, "a&amp;b &lt;i&gt;.txt");
	ck_assert(!page_has(&resp, "<i>"));
	ck_assert(!page_has(&resp, ".hidden"));
	ck_assert(page_at(&resp, "a&amp;b") < page_at(&resp, "b.txt"));
	page_at(&resp, "/listdir/");

	/* HEAD: the same response, the connection drops the body. */
	ck_assert_int_eq(serve_with(c, HTTP_METHOD_HEAD, "/listdir/", &resp),
	    200);
	ck_assert_int_eq(resp.body, HTTP_BODY_MEM);
	page_at(&resp, "b.txt");

	/* Another directory: its own names. */
	ck_assert_int_eq(serve_with(c, HTTP_METHOD_GET, "/noindex/", &resp),
	    200);
	page_at(&resp, "a.txt");
	ck_assert(!page_has(&resp, "b.txt"));

	/* An index file still wins over the listing. */
	ck_assert_int_eq(serve_with(c, HTTP_METHOD_GET, "/sub/", &resp), 200);
	ck_assert_int_eq(resp.body, HTTP_BODY_FILE);
	ck_assert_uint_gt(resp.etag_len, 0);
	resp_close(&resp);

	/* Without the slash it is still the redirect. */
	ck_assert_int_eq(serve_with(c, HTTP_METHOD_GET, "/listdir", &resp),
	    301);

	/* A directory that cannot be read: 403 (root reads anything). */
	ck_assert_int_eq(serve_with(c, HTTP_METHOD_GET, "/locked/", &resp),
	    as_root ? 200 : 403);
	ck_assert_int_eq(resp.fd, -1);
	ck_assert_int_eq(count_fds(), before);
	config_free(c);
}
END_TEST

/* Each test starts from the default configuration. */
static void
cfg_reset(void)
{
	cfg.index = index_default;
	cfg.nindex = 2;
	cfg.symlinks_outside_root = false;
}

/*
 * With file-cache-memory, a small file asked for again comes from the
 * cache's copy: HTTP_BODY_MEM with its bytes, no fd, and the validators
 * a file gets; HEAD, 304 and a Range are answered the same way as from
 * a file.  A request with a body (its response waits for it) gets an fd
 * of its own, not the cache's.
 */
START_TEST(test_small_file_from_memory)
{
	struct http_request req;
	struct http_response resp;
	char tag[HTTP_ETAG_MAX + 1];

	fcache_configure(FCACHE_MEMORY_DEFAULT);
	for (int k = 0; k < 2; k++) {
		req_init(&req, HTTP_METHOD_GET, "/alpha.txt");
		ck_assert_int_eq(serve_req(&req, &resp), 200);
	}
	ck_assert_int_eq(resp.body, HTTP_BODY_MEM);
	ck_assert(!resp.mem_stable);
	ck_assert_int_eq(resp.fd, -1);
	ck_assert_uint_eq(resp.mem_len, ALPHA_LEN);
	ck_assert_int_eq(memcmp(resp.mem, ALPHA, ALPHA_LEN), 0);
	ck_assert_int_eq(resp.content_length, ALPHA_LEN);
	ck_assert_uint_gt(resp.etag_len, 0);
	ck_assert(resp.accept_ranges);
	memcpy(tag, resp.etag, resp.etag_len);
	tag[resp.etag_len] = '\0';

	req_init(&req, HTTP_METHOD_GET, "/alpha.txt");
	add_line(&req.if_none_match, tag);
	ck_assert_int_eq(serve_req(&req, &resp), 304);
	ck_assert_int_eq(resp.body, HTTP_BODY_NONE);

	req_init(&req, HTTP_METHOD_GET, "/alpha.txt");
	req.range = slice("bytes=1-2");
	ck_assert_int_eq(serve_req(&req, &resp), 206);
	ck_assert_int_eq(resp.body, HTTP_BODY_FILE);
	ck_assert_int_ge(resp.fd, 0);
	ck_assert_int_eq(resp.offset, 1);
	ck_assert_int_eq(resp.content_length, 2);
	resp_close(&resp);

	req_init(&req, HTTP_METHOD_GET, "/alpha.txt");
	req.framing = HTTP_FRAMING_LENGTH;
	req.content_length = 5;
	ck_assert_int_eq(serve_req(&req, &resp), 200);
	ck_assert_int_eq(resp.body, HTTP_BODY_FILE);
	ck_assert_int_ge(resp.fd, 0);
	ck_assert_msg(!resp.fd_cached, "a response waiting for a body holds "
	    "the cache's fd");
	/* Its own: the cache closing its fd leaves this one open. */
	fcache_clear();
	ck_assert_int_ne(fcntl(resp.fd, F_GETFD), -1);
	resp_close(&resp);
}
END_TEST

static Suite *
static_suite(void)
{
	Suite *s = suite_create("static");
	TCase *tc;

	tc = tcase_create("map-path");
	tcase_add_loop_test(tc, test_map_path, 0,
	    (int)(sizeof(map_cases) / sizeof(map_cases[0])));
	tcase_add_test(tc, test_map_path_limits);
	suite_add_tcase(s, tc);

	/* One root for the whole case, made and removed by the parent. */
	tc = tcase_create("serve");
	tcase_add_unchecked_fixture(tc, root_setup, root_teardown);
	tcase_add_checked_fixture(tc, cfg_reset, NULL);
	/* A FIFO that blocked open() would hang here. */
	tcase_set_timeout(tc, 10);
	tcase_add_loop_test(tc, test_serve, 0, NSERVE_CASES);
	tcase_add_test(tc, test_symlinks_outside_allowed);
	tcase_add_test(tc, test_special_not_opened);
	tcase_add_test(tc, test_index_order);
	tcase_add_test(tc, test_index_type);
	tcase_add_test(tc, test_index_bad_names);
	tcase_add_test(tc, test_too_long);
	tcase_add_test(tc, test_no_fd_leak);
	tcase_add_test(tc, test_out_of_fds_logged);
	tcase_add_test(tc, test_open_root);
	suite_add_tcase(s, tc);

	tc = tcase_create("roots");
	tcase_add_checked_fixture(tc, roots_setup, roots_teardown);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_roots_cache_apart);
	tcase_add_test(tc, test_roots_cache_policy);
	suite_add_tcase(s, tc);

	tc = tcase_create("validators");
	tcase_add_unchecked_fixture(tc, root_setup, root_teardown);
	tcase_add_checked_fixture(tc, cfg_reset, NULL);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_validators);
	tcase_add_test(tc, test_etag_changes);
	tcase_add_test(tc, test_if_none_match);
	tcase_add_test(tc, test_if_match);
	tcase_add_test(tc, test_if_modified_since);
	tcase_add_loop_test(tc, test_range_single, 0,
	    (int)(sizeof(single_ranges) / sizeof(single_ranges[0])));
	tcase_add_loop_test(tc, test_range_ignored, 0,
	    (int)(sizeof(ignored_ranges) / sizeof(ignored_ranges[0])));
	tcase_add_test(tc, test_range_head);
	tcase_add_test(tc, test_range_multipart);
	tcase_add_test(tc, test_range_unsatisfiable);
	tcase_add_test(tc, test_if_range);
	tcase_add_test(tc, test_index_validators);
	tcase_add_test(tc, test_listing);
	tcase_add_test(tc, test_small_file_from_memory);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	/* Files as fds, which is what most tests here look at;
	 * test_small_file_from_memory turns the copies on. */
	fcache_configure(0);
	return unit_run(static_suite());
}
