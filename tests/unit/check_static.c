/*
 * check_static.c - request path mapping (a table), then static_serve()
 * against a temporary document root: index files, redirects, symlinks in
 * and out of the root, unreadable files, special files, and no fd leaks.
 */
#include "autoconf.h"

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
#include "http.h"
#include "static.h"

#include "../lib/unit.h"

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

static char base[PATH_MAX];	/* mkdtemp: outside.txt, outdir/, root/ */
static char root[PATH_MAX + 8];
static int root_fd = -1;
static bool as_root;

static char idx_html[] = "index.html";
static char idx_htm[] = "index.htm";
static char *index_default[] = { idx_html, idx_htm };
static char *index_htm_first[] = { idx_htm, idx_html };

static struct config cfg;

static void
fx_symlink(const char *target, const char *rel)
{
	char p[2 * PATH_MAX];

	unit_path(p, sizeof(p), root, rel);
	ck_assert_msg(symlink(target, p) == 0, "symlink %s: %s", p,
	    strerror(errno));
}

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
	fx_symlink("../hello.txt", "linkidx/index.html");

	fx_symlink("hello.txt", "link-in.txt");
	fx_symlink("sub", "link-in-dir");
	fx_symlink("../outside.txt", "link-out.txt");
	unit_path(p, sizeof(p), base, "outside.txt");
	fx_symlink(p, "link-out-abs.txt");
	fx_symlink("../outdir", "link-out-dir");

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
	return static_serve(&cfg, root_fd, &req, resp);
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
	ck_assert_msg(resp->content_type != NULL &&
	    strcmp(resp->content_type, type) == 0, "%s: type %s, want %s",
	    what, resp->content_type ? resp->content_type : "(null)", type);
	n = pread(resp->fd, got, sizeof(got) - 1, 0);
	ck_assert_msg(n >= 0, "%s: read: %s", what, strerror(errno));
	got[n] = '\0';
	ck_assert_str_eq(got, body);
	close(resp->fd);
	resp->fd = -1;
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
			before = unit_count_fds();
		for (int k = 0; k < NSERVE_CASES; k++) {
			serve(serve_cases[k].path, serve_cases[k].query, &resp);
			if (resp.fd != -1)
				close(resp.fd);
		}
		cfg.symlinks_outside_root = !cfg.symlinks_outside_root;
	}
	after = unit_count_fds();
	ck_assert_int_eq(after, before);
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

/* Each test starts from the default configuration. */
static void
cfg_reset(void)
{
	cfg.index = index_default;
	cfg.nindex = 2;
	cfg.symlinks_outside_root = false;
}

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
	tcase_add_test(tc, test_index_order);
	tcase_add_test(tc, test_index_type);
	tcase_add_test(tc, test_index_bad_names);
	tcase_add_test(tc, test_too_long);
	tcase_add_test(tc, test_no_fd_leak);
	tcase_add_test(tc, test_open_root);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(static_suite());
}
