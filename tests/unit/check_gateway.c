/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_gateway.c - the CGI gateway against a temporary document root
 * and a real configuration (routes as a conf file writes them):
 * gateway_script() finds the script and PATH_INFO under prefix, alias
 * and regex routes, and refuses what is not a regular file beneath the
 * root (missing, a directory, a symlink out, a FIFO, an "x.jpg/y.cgi"
 * path); gateway_vars() gives the meta-variables of parsed requests
 * (httpoxy, names with '_', joined lines, CONTENT_*, the server's own
 * address from a real loopback connection); gateway_head() parses CGI
 * response heads, table-driven.
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
#include <crypt.h>

#include "config.h"
#include "gateway.h"
#include "http.h"
#include "http_parse.h"
#include "router.h"
#include "static.h"

#include "../lib/unit.h"

static char base[PATH_MAX];		/* the scratch directory */
static char docroot[PATH_MAX];		/* base/www */
static char bindir[PATH_MAX];		/* base/bin, an alias */
static struct config *cfg;
static struct static_root roots[4];

static void
setup(void)
{
	char text[4 * PATH_MAX + 512], err[512];
	const char *hash;

	unit_scratch_dir(base, sizeof(base), "gateway");
	unit_path(docroot, sizeof(docroot), base, "www");
	unit_path(bindir, sizeof(bindir), base, "bin");
	unit_make_dir(base, "www");
	unit_make_dir(base, "bin");
	unit_make_dir(base, "www/cgi-bin");
	unit_make_dir(base, "www/cgi-bin/sub");
	unit_make_dir(base, "www/up");
	unit_make_dir(base, "www/private");
	unit_write_file(docroot, "private/p.sh", "#!/bin/sh\n");
	hash = crypt("pw", "$6$gatewaysalt$");
	ck_assert_ptr_nonnull(hash);
	snprintf(text, sizeof(text), "ada:%s\n", hash);
	unit_write_file(base, "htpasswd", text);
	unit_write_file(docroot, "cgi-bin/env.sh", "#!/bin/sh\n");
	unit_write_file(docroot, "cgi-bin/sub/deep.sh", "#!/bin/sh\n");
	unit_write_file(docroot, "up/x.jpg", "not a script\n");
	unit_write_file(docroot, "up/real.cgi", "#!/bin/sh\n");
	unit_write_file(bindir, "a.sh", "#!/bin/sh\n");
	unit_write_file(base, "outside.sh", "#!/bin/sh\n");
	unit_symlink(docroot, "cgi-bin/out.sh", "../../outside.sh");
	unit_symlink(docroot, "cgi-bin/in.sh", "env.sh");
	ck_assert_int_eq(mkfifo(strcat(strcpy(text, docroot),
	    "/cgi-bin/fifo"), 0644), 0);
	snprintf(text, sizeof(text),
	    "listen = { \"127.0.0.1:8080\" }\n"
	    "document-root = \"%s\"\n"
	    "server \"example.org\" {\n"
	    "  route \"/cgi-bin/\" { cgi = true }\n"
	    "  route \"/cgi/\" { cgi = true alias = \"%s/\" }\n"
	    "  route \"~ \\\\.cgi$\" { cgi = true }\n"
	    "  route \"/private/\" { cgi = true  auth-basic = \"R\"\n"
	    "    auth-file = \"%s/htpasswd\" }\n"
	    "}\n", docroot, bindir, base);
	cfg = config_load_buf(text, "t.conf", base, err, sizeof(err));
	ck_assert_msg(cfg != NULL, "config: %s", err);
	ck_assert_uint_le(cfg->nroots, 4);
	for (size_t i = 0; i < cfg->nroots; i++) {
		int fd = static_open_root(cfg->roots[i].path);

		ck_assert_int_ge(fd, 0);
		static_root_init(&roots[i], fd,
		    cfg->roots[i].symlinks_outside_root);
	}
}

static void
teardown(void)
{
	for (size_t i = 0; cfg != NULL && i < cfg->nroots; i++)
		close(roots[i].fd);
	config_free(cfg);
	cfg = NULL;
	unit_rmtree(base);
}

/* What the router would hand the handler for path: ctx from ch. */
static void
route_ctx(const char *path, struct router_choice *ch, struct handler_ctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->cfg = cfg;
	ctx->roots = roots;
	ctx->client_fd = -1;
	ctx->scope = router_choose(cfg, "example.org", 11, path, strlen(path),
	    ch);
	ck_assert_int_eq(ch->status, 0);
	ctx->server = &cfg->servers[ch->server];
	ctx->match = ch->route >= 0 ? &ch->match : NULL;
	ctx->path = ch->path;
	ctx->path_len = ch->path_len;
	ctx->root = &roots[ctx->scope->root];
	ctx->rel = ch->rel;
	ctx->dir_form = ch->dir_form;
}

/* gateway_script() of path: its status, and s. */
static int
find(const char *path, struct gateway_script *s)
{
	static struct router_choice ch;
	struct handler_ctx ctx;

	route_ctx(path, &ch, &ctx);
	ck_assert_int_eq(ctx.scope->handler, CONFIG_HANDLER_CGI);
	return gateway_script(&ctx, s);
}

static void
check_found(const char *path, const char *filename, const char *name,
    const char *info)
{
	struct gateway_script s;
	char dir[PATH_MAX];
	int status = find(path, &s);

	ck_assert_msg(status == 0, "%s: %d", path, status);
	ck_assert_str_eq(s.filename, filename);
	ck_assert_uint_eq(s.name_len, strlen(name));
	ck_assert_msg(memcmp(s.name, name, s.name_len) == 0, "%s: name %.*s",
	    path, (int)s.name_len, s.name);
	ck_assert_uint_eq(s.path_info_len, strlen(info));
	ck_assert(memcmp(s.path_info, info, s.path_info_len) == 0);
	strcpy(dir, filename);
	*strrchr(dir, '/') = '\0';
	ck_assert_uint_eq(s.dir_len, strlen(dir));
}

START_TEST(script_prefix)
{
	char f[PATH_MAX], g[PATH_MAX];

	unit_path(f, sizeof(f), docroot, "cgi-bin/env.sh");
	check_found("/cgi-bin/env.sh", f, "/cgi-bin/env.sh", "");
	check_found("/cgi-bin/env.sh/extra/path", f, "/cgi-bin/env.sh",
	    "/extra/path");
	/* The trailing slash is PATH_INFO's. */
	check_found("/cgi-bin/env.sh/", f, "/cgi-bin/env.sh", "/");
	/* Decoded and normalised as the router hands it over. */
	check_found("/cgi-bin/%65nv.sh/a/../b", f, "/cgi-bin/env.sh", "/b");
	unit_path(g, sizeof(g), docroot, "cgi-bin/sub/deep.sh");
	check_found("/cgi-bin/sub/deep.sh/x", g, "/cgi-bin/sub/deep.sh", "/x");
	/* A symlink that stays inside: its own name is the script. */
	unit_path(g, sizeof(g), docroot, "cgi-bin/in.sh");
	check_found("/cgi-bin/in.sh", g, "/cgi-bin/in.sh", "");
}
END_TEST

START_TEST(script_alias)
{
	char f[PATH_MAX];

	unit_path(f, sizeof(f), bindir, "a.sh");
	check_found("/cgi/a.sh", f, "/cgi/a.sh", "");
	check_found("/cgi/a.sh/more", f, "/cgi/a.sh", "/more");
}
END_TEST

START_TEST(script_regex)
{
	struct gateway_script s;
	char f[PATH_MAX];

	unit_path(f, sizeof(f), docroot, "up/real.cgi");
	check_found("/up/real.cgi", f, "/up/real.cgi", "");
	/* CVE-2019-11043's shape: a file, then a path that ends like a
	 * script.  The whole path is the script, and it is not a file. */
	ck_assert_int_eq(find("/up/x.jpg/y.cgi", &s), HTTP_STATUS_NOT_FOUND);
	ck_assert_int_eq(find("/up/none.cgi", &s), HTTP_STATUS_NOT_FOUND);
}
END_TEST

START_TEST(script_refused)
{
	struct gateway_script s;

	ck_assert_int_eq(find("/cgi-bin/none.sh", &s), HTTP_STATUS_NOT_FOUND);
	ck_assert_int_eq(find("/cgi-bin/none.sh/x", &s),
	    HTTP_STATUS_NOT_FOUND);
	/* Directories, the route's own among them, are no script. */
	ck_assert_int_eq(find("/cgi-bin/", &s), HTTP_STATUS_NOT_FOUND);
	ck_assert_int_eq(find("/cgi-bin/sub/", &s), HTTP_STATUS_NOT_FOUND);
	ck_assert_int_eq(find("/cgi/", &s), HTTP_STATUS_NOT_FOUND);
	/* Leaving the root, and a FIFO (looking at it opens nothing). */
	ck_assert_int_eq(find("/cgi-bin/out.sh", &s), HTTP_STATUS_FORBIDDEN);
	ck_assert_int_eq(find("/cgi-bin/fifo", &s), HTTP_STATUS_FORBIDDEN);
}
END_TEST

/* ---------------------------------------------------------------- */
/* The meta-variables */

#define VARS_MAX 64

struct vars {
	unsigned n;
	char *v[VARS_MAX];
	int fail_at;		/* -1: never */
};

static int
collect(void *arg, const char *name, size_t nlen, const char *value,
    size_t vlen)
{
	struct vars *vs = arg;
	char *s;

	if (vs->fail_at >= 0 && vs->n == (unsigned)vs->fail_at)
		return -1;
	ck_assert_uint_lt(vs->n, VARS_MAX);
	ck_assert_ptr_nonnull(s = malloc(nlen + vlen + 2));
	memcpy(s, name, nlen);
	s[nlen] = '=';
	memcpy(s + nlen + 1, value, vlen);
	s[nlen + 1 + vlen] = '\0';
	vs->v[vs->n++] = s;
	return 0;
}

/* The value of name, or NULL; a name given twice fails the test. */
static const char *
var(const struct vars *vs, const char *name)
{
	const char *found = NULL;
	size_t n = strlen(name);

	for (unsigned i = 0; i < vs->n; i++)
		if (strncmp(vs->v[i], name, n) == 0 && vs->v[i][n] == '=') {
			ck_assert_msg(found == NULL, "%s twice", name);
			found = vs->v[i] + n + 1;
		}
	return found;
}

static void
vars_free(struct vars *vs)
{
	for (unsigned i = 0; i < vs->n; i++)
		free(vs->v[i]);
	vs->n = 0;
}

static struct http_request req;

static void
parse(const char *raw)
{
	const struct http_limits lim = { 8192, 8192, 65536, 100 };

	memset(&req, 0, sizeof(req));
	ck_assert_int_eq(http_parse_request(raw, strlen(raw), &lim, &req), 0);
}

/* gateway_vars() of raw for path, peer 192.0.2.7:4321, no socket. */
static void
vars_of(const char *raw, const char *path, struct vars *vs, bool https)
{
	static struct router_choice ch;
	struct sockaddr_in sin;
	struct sockaddr_storage peer;
	struct handler_ctx ctx;
	struct gateway_script s;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(4321);
	inet_pton(AF_INET, "192.0.2.7", &sin.sin_addr);
	memset(&peer, 0, sizeof(peer));
	memcpy(&peer, &sin, sizeof(sin));
	parse(raw);
	route_ctx(path, &ch, &ctx);
	ctx.peer = &peer;
	ck_assert_int_eq(gateway_script(&ctx, &s), 0);
	vs->n = 0;
	vs->fail_at = -1;
	ck_assert_int_eq(gateway_vars(&ctx, &req, &s, https, collect, vs), 0);
}

START_TEST(vars_basic)
{
	struct vars vs;
	char f[PATH_MAX], t[PATH_MAX];

	vars_of("GET /cgi-bin/env.sh/x/y?a=1&b=%20 HTTP/1.1\r\n"
	    "Host: Example.org:8080\r\n"
	    "Accept: text/html\r\n"
	    "\r\n", "/cgi-bin/env.sh/x/y", &vs, false);
	unit_path(f, sizeof(f), docroot, "cgi-bin/env.sh");
	unit_path(t, sizeof(t), docroot, "x/y");
	ck_assert_str_eq(var(&vs, "GATEWAY_INTERFACE"), "CGI/1.1");
	ck_assert_str_eq(var(&vs, "SERVER_SOFTWARE"),
	    PACKAGE_NAME "/" PACKAGE_VERSION);
	ck_assert_str_eq(var(&vs, "SERVER_PROTOCOL"), "HTTP/1.1");
	ck_assert_str_eq(var(&vs, "SERVER_NAME"), "Example.org");
	ck_assert_str_eq(var(&vs, "REMOTE_ADDR"), "192.0.2.7");
	ck_assert_str_eq(var(&vs, "REMOTE_PORT"), "4321");
	ck_assert_str_eq(var(&vs, "REQUEST_METHOD"), "GET");
	ck_assert_str_eq(var(&vs, "REQUEST_URI"),
	    "/cgi-bin/env.sh/x/y?a=1&b=%20");
	ck_assert_str_eq(var(&vs, "QUERY_STRING"), "a=1&b=%20");
	ck_assert_str_eq(var(&vs, "SCRIPT_NAME"), "/cgi-bin/env.sh");
	ck_assert_str_eq(var(&vs, "SCRIPT_FILENAME"), f);
	ck_assert_str_eq(var(&vs, "PATH_INFO"), "/x/y");
	ck_assert_str_eq(var(&vs, "PATH_TRANSLATED"), t);
	ck_assert_str_eq(var(&vs, "DOCUMENT_ROOT"), docroot);
	ck_assert_str_eq(var(&vs, "REDIRECT_STATUS"), "200");
	ck_assert_str_eq(var(&vs, "HTTP_HOST"), "Example.org:8080");
	ck_assert_str_eq(var(&vs, "HTTP_ACCEPT"), "text/html");
	ck_assert_ptr_null(var(&vs, "CONTENT_LENGTH"));
	ck_assert_ptr_null(var(&vs, "CONTENT_TYPE"));
	ck_assert_ptr_null(var(&vs, "HTTPS"));
	/* No socket: no address of our own to tell. */
	ck_assert_ptr_null(var(&vs, "SERVER_ADDR"));
	vars_free(&vs);

	/* An absolute-form target: REQUEST_URI is its path and query. */
	vars_of("GET http://example.org/cgi-bin/env.sh?x=1 HTTP/1.1\r\n"
	    "Host: example.org\r\n\r\n", "/cgi-bin/env.sh", &vs, false);
	ck_assert_str_eq(var(&vs, "REQUEST_URI"), "/cgi-bin/env.sh?x=1");
	ck_assert_str_eq(var(&vs, "QUERY_STRING"), "x=1");
	vars_free(&vs);

	/* No query: QUERY_STRING is there, empty (RFC 3875 §4.1.7). */
	vars_of("GET /cgi-bin/env.sh HTTP/1.0\r\n\r\n", "/cgi-bin/env.sh",
	    &vs, true);
	ck_assert_str_eq(var(&vs, "QUERY_STRING"), "");
	ck_assert_str_eq(var(&vs, "SERVER_PROTOCOL"), "HTTP/1.0");
	ck_assert_str_eq(var(&vs, "SERVER_NAME"), "example.org");
	ck_assert_str_eq(var(&vs, "HTTPS"), "on");
	ck_assert_ptr_null(var(&vs, "PATH_INFO"));
	ck_assert_ptr_null(var(&vs, "PATH_TRANSLATED"));
	vars_free(&vs);
}
END_TEST

START_TEST(vars_alias_docroot)
{
	struct vars vs;

	/* Under an alias, DOCUMENT_ROOT is the server's. */
	vars_of("GET /cgi/a.sh HTTP/1.1\r\nHost: [::1]:80\r\n\r\n",
	    "/cgi/a.sh", &vs, false);
	ck_assert_str_eq(var(&vs, "DOCUMENT_ROOT"), docroot);
	ck_assert_str_eq(var(&vs, "SERVER_NAME"), "[::1]");
	vars_free(&vs);
}
END_TEST

START_TEST(vars_fields)
{
	struct vars vs;

	vars_of("POST /cgi-bin/env.sh HTTP/1.1\r\n"
	    "Host: example.org\r\n"
	    "Content-Length: 7\r\n"
	    "Content-Type: application/x-www-form-urlencoded\r\n"
	    "Proxy: http://evil.example:3128/\r\n"
	    "X_Forwarded_For: 10.9.9.9\r\n"
	    "X-Forwarded-For: 10.1.1.1\r\n"
	    "x-forwarded-for: 10.2.2.2\r\n"
	    "Cookie: a=1\r\n"
	    "Accept: text/html\r\n"
	    "Cookie: b=2\r\n"
	    "X.Dot: no\r\n"
	    "\r\n", "/cgi-bin/env.sh", &vs, false);
	ck_assert_str_eq(var(&vs, "REQUEST_METHOD"), "POST");
	ck_assert_str_eq(var(&vs, "CONTENT_LENGTH"), "7");
	ck_assert_str_eq(var(&vs, "CONTENT_TYPE"),
	    "application/x-www-form-urlencoded");
	ck_assert_ptr_null(var(&vs, "HTTP_CONTENT_LENGTH"));
	ck_assert_ptr_null(var(&vs, "HTTP_CONTENT_TYPE"));
	/* httpoxy. */
	ck_assert_ptr_null(var(&vs, "HTTP_PROXY"));
	/* X_Forwarded_For would alias X-Forwarded-For: only the latter,
	 * its two lines joined. */
	ck_assert_str_eq(var(&vs, "HTTP_X_FORWARDED_FOR"),
	    "10.1.1.1, 10.2.2.2");
	ck_assert_str_eq(var(&vs, "HTTP_COOKIE"), "a=1; b=2");
	ck_assert_str_eq(var(&vs, "HTTP_ACCEPT"), "text/html");
	ck_assert_ptr_null(var(&vs, "HTTP_X.DOT"));
	ck_assert_ptr_null(var(&vs, "HTTP_X_DOT"));
	for (unsigned i = 0; i < vs.n; i++)
		ck_assert_msg(strstr(vs.v[i], "10.9.9.9") == NULL, "%s",
		    vs.v[i]);
	vars_free(&vs);

	/* Chunked: no CONTENT_LENGTH; the script reads to the end. */
	vars_of("POST /cgi-bin/env.sh HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n", "/cgi-bin/env.sh", &vs,
	    false);
	ck_assert_ptr_null(var(&vs, "CONTENT_LENGTH"));
	ck_assert_str_eq(var(&vs, "HTTP_TRANSFER_ENCODING"), "chunked");
	vars_free(&vs);
}
END_TEST

START_TEST(vars_auth)
{
	struct vars vs;

	/* The server checked these credentials: the user, not them. */
	vars_of("GET /private/p.sh HTTP/1.1\r\nHost: a\r\n"
	    "Authorization: Basic YWRhOnB3\r\n\r\n", "/private/p.sh", &vs,
	    false);
	ck_assert_str_eq(var(&vs, "AUTH_TYPE"), "Basic");
	ck_assert_str_eq(var(&vs, "REMOTE_USER"), "ada");
	ck_assert_ptr_null(var(&vs, "HTTP_AUTHORIZATION"));
	vars_free(&vs);
	/* Where the application checks them itself, they are its own. */
	vars_of("GET /cgi-bin/env.sh HTTP/1.1\r\nHost: a\r\n"
	    "Authorization: Basic YWRhOnB3\r\n\r\n", "/cgi-bin/env.sh", &vs,
	    false);
	ck_assert_ptr_null(var(&vs, "AUTH_TYPE"));
	ck_assert_ptr_null(var(&vs, "REMOTE_USER"));
	ck_assert_str_eq(var(&vs, "HTTP_AUTHORIZATION"), "Basic YWRhOnB3");
	vars_free(&vs);
}
END_TEST

START_TEST(vars_stop)
{
	static struct router_choice ch;
	struct handler_ctx ctx;
	struct gateway_script s;
	struct vars vs = { .n = 0, .fail_at = 3 };

	parse("GET /cgi-bin/env.sh HTTP/1.1\r\nHost: a\r\nA: b\r\n\r\n");
	route_ctx("/cgi-bin/env.sh", &ch, &ctx);
	ck_assert_int_eq(gateway_script(&ctx, &s), 0);
	ck_assert_int_eq(gateway_vars(&ctx, &req, &s, false, collect, &vs),
	    -1);
	/* Not called again once it said -1. */
	ck_assert_uint_eq(vs.n, 3);
	vars_free(&vs);
}
END_TEST

START_TEST(vars_server_addr)
{
	static struct router_choice ch;
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	struct handler_ctx ctx;
	struct gateway_script s;
	struct vars vs = { .n = 0, .fail_at = -1 };
	char port[16];
	int l, c, a;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_ge(l = socket(AF_INET, SOCK_STREAM, 0), 0);
	ck_assert_int_eq(bind(l, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(listen(l, 1), 0);
	ck_assert_int_eq(getsockname(l, (struct sockaddr *)&sin, &len), 0);
	ck_assert_int_ge(c = socket(AF_INET, SOCK_STREAM, 0), 0);
	ck_assert_int_eq(connect(c, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_ge(a = accept(l, NULL, NULL), 0);
	parse("GET /cgi-bin/env.sh HTTP/1.0\r\n\r\n");
	route_ctx("/cgi-bin/env.sh", &ch, &ctx);
	ctx.client_fd = a;
	ck_assert_int_eq(gateway_script(&ctx, &s), 0);
	ck_assert_int_eq(gateway_vars(&ctx, &req, &s, false, collect, &vs), 0);
	snprintf(port, sizeof(port), "%u", ntohs(sin.sin_port));
	ck_assert_str_eq(var(&vs, "SERVER_ADDR"), "127.0.0.1");
	ck_assert_str_eq(var(&vs, "SERVER_PORT"), port);
	/* No Host: the server's name. */
	ck_assert_str_eq(var(&vs, "SERVER_NAME"), "example.org");
	vars_free(&vs);
	close(a);
	close(c);
	close(l);
}
END_TEST

/* ---------------------------------------------------------------- */
/* The response head */

/* The value of the added field name in resp, or NULL. */
static const char *
field(const struct http_response *resp, const char *name, char *buf,
    size_t cap)
{
	for (unsigned i = 0; i < resp->nfields; i++) {
		const struct http_field *f = &resp->field[i];

		if (f->name_len == strlen(name) && strncasecmp(resp->field_buf +
		    f->name, name, f->name_len) == 0) {
			ck_assert_uint_lt(f->value_len, cap);
			memcpy(buf, resp->field_buf + f->value, f->value_len);
			buf[f->value_len] = '\0';
			return buf;
		}
	}
	return NULL;
}

static enum gateway_head
head(const char *text, struct http_response *resp)
{
	http_response_init(resp);
	return gateway_head(text, strlen(text), resp);
}

START_TEST(head_document)
{
	static struct http_response resp;
	char buf[256];

	ck_assert_int_eq(head("Content-Type: text/plain\n\n", &resp),
	    GATEWAY_HEAD_DOCUMENT);
	ck_assert_int_eq(resp.status, 200);
	ck_assert_str_eq(resp.content_type, "text/plain");
	ck_assert_int_eq(resp.content_length, -1);
	ck_assert_ptr_null(resp.reason);
	ck_assert_uint_eq(resp.nfields, 0);

	ck_assert_int_eq(head("Status: 404 Not Here\r\n"
	    "content-type:text/html; charset=utf-8  \r\n"
	    "Content-Length: 12\r\n"
	    "X-App: one\r\n"
	    "Set-Cookie: a=1\r\n"
	    "Set-Cookie: b=2\r\n"
	    "Connection: close\r\n"
	    "Date: Thu, 01 Jan 1970 00:00:00 GMT\r\n"
	    "\r\n", &resp), GATEWAY_HEAD_DOCUMENT);
	ck_assert_int_eq(resp.status, 404);
	ck_assert_str_eq(resp.reason, "Not Here");
	ck_assert_str_eq(resp.content_type, "text/html; charset=utf-8");
	ck_assert_int_eq(resp.content_length, 12);
	ck_assert_str_eq(field(&resp, "X-App", buf, sizeof(buf)), "one");
	/* Two Set-Cookie stay two; Connection and Date are the server's. */
	ck_assert_uint_eq(resp.nfields, 3);
	ck_assert_ptr_null(field(&resp, "Connection", buf, sizeof(buf)));
	ck_assert_ptr_null(field(&resp, "Date", buf, sizeof(buf)));

	/* A Status without a reason, and no Content-Type (a 204). */
	ck_assert_int_eq(head("Status: 204\n\n", &resp),
	    GATEWAY_HEAD_DOCUMENT);
	ck_assert_int_eq(resp.status, 204);
	ck_assert_ptr_null(resp.reason);
	ck_assert_ptr_null(resp.content_type);
}
END_TEST

START_TEST(head_location)
{
	static struct http_response resp;

	/* A client redirect: 302. */
	ck_assert_int_eq(head("Location: https://example.org/x?y\n\n", &resp),
	    GATEWAY_HEAD_DOCUMENT);
	ck_assert_int_eq(resp.status, 302);
	ck_assert_uint_eq(resp.location_len, 23);
	ck_assert(memcmp(resp.location, "https://example.org/x?y", 23) == 0);
	/* With a Status, that status. */
	ck_assert_int_eq(head("Status: 301 Moved\nLocation: http://a/\n"
	    "Content-Type: text/html\n\n", &resp), GATEWAY_HEAD_DOCUMENT);
	ck_assert_int_eq(resp.status, 301);
	/* A local path: a local redirect, 302 for a caller that cannot. */
	ck_assert_int_eq(head("Location: /other?q=1\r\n\r\n", &resp),
	    GATEWAY_HEAD_LOCAL);
	ck_assert_int_eq(resp.status, 302);
	ck_assert_uint_eq(resp.location_len, 10);
	ck_assert(memcmp(resp.location, "/other?q=1", 10) == 0);
	ck_assert_int_eq(head("Status: 303 See Other\nLocation: /done\n\n",
	    &resp), GATEWAY_HEAD_DOCUMENT);
	ck_assert_int_eq(resp.status, 303);
}
END_TEST

START_TEST(head_bad)
{
	static const char *const bad[] = {
		"",						/* nothing */
		"Content-Type: text/plain\n",			/* no blank line */
		"\n",						/* no CGI field */
		"X-Only: 1\n\n",				/* no CGI field */
		"HTTP/1.1 200 OK\nContent-Type: a/b\n\n",	/* NPH */
		"Content-Type: a/b\n X-Fold: 1\n\n",		/* obs-fold */
		"Content-Type: a/b\n\tX-Fold: 1\n\n",
		"Content-Type a/b\n\n",				/* no colon */
		": x\nContent-Type: a/b\n\n",			/* no name */
		"Bad Name: x\nContent-Type: a/b\n\n",		/* not a token */
		"Content-Type: a/b\nX: a\x01z\n\n",		/* control */
		"Content-Type: a/b\nX: a\rz\n\n",		/* bare CR */
		"Content-Type: a/b\nX: a\x7fz\n\n",		/* DEL */
		"Status: 200 OK\nStatus: 404 No\n\n",		/* twice */
		"Content-Type: a/b\nContent-Type: a/c\n\n",
		"Location: http://a/\nLocation: http://b/\n\n",
		"Status: 20\n\n",				/* 2 digits */
		"Status: 2000\n\n",
		"Status: abc\n\n",
		"Status: 199 Early\n\n",			/* interim */
		"Status: 600 Out\n\n",
		"Status: 200OK\n\n",
		"Location: relative.html\n\n",			/* no scheme */
		"Location: //host/x\n\n",			/* net path */
		"Location: /a b\n\n",
		"Location:\n\n",
		"Content-Type:\n\n",
		"Content-Type: a/b\nContent-Length: -1\n\n",
		"Content-Type: a/b\nContent-Length: 1 2\n\n",
		"Content-Type: a/b\nContent-Length: 0x10\n\n",
		"Content-Type: a/b\nContent-Length: "
		    "99999999999999999999\n\n",
		"Content-Type: a/b\nContent-Length: 1\nContent-Length: 1\n\n",
		"Content-Type: a/b\n\nbody after the blank line",
	};
	static struct http_response resp;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(head(bad[i], &resp) == GATEWAY_HEAD_BAD,
		    "accepted [%zu]: %s", i, bad[i]);
}
END_TEST

START_TEST(head_bounded)
{
	static struct http_response resp;
	static char text[3 * HTTP_FIELD_BYTES];
	size_t n = 0;

	/* More fields than a response holds: refused, not cut. */
	n += (size_t)sprintf(text, "Content-Type: a/b\n");
	for (unsigned i = 0; i <= HTTP_FIELDS_MAX; i++)
		n += (size_t)sprintf(text + n, "X-%u: v\n", i);
	strcpy(text + n, "\n");
	ck_assert_int_eq(head(text, &resp), GATEWAY_HEAD_BAD);
	/* A value larger than the response's field memory. */
	n = (size_t)sprintf(text, "Content-Type: a/b\nX-Big: ");
	memset(text + n, 'v', HTTP_FIELD_BYTES);
	strcpy(text + n + HTTP_FIELD_BYTES, "\n\n");
	ck_assert_int_eq(head(text, &resp), GATEWAY_HEAD_BAD);
	/* A reason that does not fit either. */
	n = (size_t)sprintf(text, "Status: 200 ");
	memset(text + n, 'r', HTTP_FIELD_BYTES);
	strcpy(text + n + HTTP_FIELD_BYTES, "\n\n");
	ck_assert_int_eq(head(text, &resp), GATEWAY_HEAD_BAD);
}
END_TEST

static Suite *
gateway_suite(void)
{
	Suite *s = suite_create("gateway");
	TCase *tc = tcase_create("script");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, script_prefix);
	tcase_add_test(tc, script_alias);
	tcase_add_test(tc, script_regex);
	tcase_add_test(tc, script_refused);
	suite_add_tcase(s, tc);
	tc = tcase_create("vars");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, vars_basic);
	tcase_add_test(tc, vars_alias_docroot);
	tcase_add_test(tc, vars_fields);
	tcase_add_test(tc, vars_auth);
	tcase_add_test(tc, vars_stop);
	tcase_add_test(tc, vars_server_addr);
	suite_add_tcase(s, tc);
	tc = tcase_create("head");
	tcase_add_test(tc, head_document);
	tcase_add_test(tc, head_location);
	tcase_add_test(tc, head_bad);
	tcase_add_test(tc, head_bounded);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(gateway_suite());
}
