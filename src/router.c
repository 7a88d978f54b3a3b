/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * router.c - who answers a request (router.h).
 *
 * Everything a decision needs was built when the configuration was
 * loaded (vhost.h, route.h): here a request costs a hash probe for its
 * server, one for an exact route, one per path segment for the prefixes,
 * and a regexec() per regex route until one matches.
 *
 * The status page's shorthand (status-path) is matched first, on the path
 * exactly as sent (still percent-encoded, no normalization): it is a name
 * of the server's own, and "/server%2dstatus" or "/server-status/" are
 * files like any other.
 */
#include "autoconf.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "acl.h"
#include "auth.h"
#include "backend.h"
#include "cgi.h"
#include "fastcgi.h"
#include "http_response.h"
#include "router.h"
#include "static.h"
#include "metrics.h"
#include "proxy.h"
#include "status.h"
#include "util.h"

/* Whether req is for the status page (configured and reachable). */
static bool
router_is_status(const struct handler_ctx *ctx, const struct http_request *req)
{
	const char *path = ctx->cfg->status_path;
	size_t n;

	if (path == NULL || ctx->peer == NULL)
		return false;
	n = strlen(path);
	return req->path.len == n && memcmp(req->path.p, path, n) == 0;
}

/* ---------------------------------------------------------------- */
/* Choosing */

/* The scope of ch's route, or of its server. */
static const struct config_scope *
router_scope(const struct config *cfg, const struct router_choice *ch)
{
	const struct config_server *srv = &cfg->servers[ch->server];

	return ch->route >= 0 ? &srv->routes[ch->route].s : &srv->s;
}

/*
 * The file beneath the scope's root: the whole path under a document
 * root; under an alias, what follows the route's prefix.  Neither has a
 * leading or trailing '/' ("" is the root itself).
 */
static void
router_rel(const struct config_scope *sc, struct router_choice *ch)
{
	const char *p = ch->path;
	size_t n = ch->path_len;

	if (sc->alias && ch->match.prefix_len <= n) {
		p += ch->match.prefix_len;
		n -= ch->match.prefix_len;
	}
	if (n > 0 && p[0] == '/') {
		p++;
		n--;
	}
	if (n > 0 && p[n - 1] == '/')
		n--;
	memmove(ch->rel, p, n);
	ch->rel[n] = '\0';
}

/* The route for path in the server ch->server. */
static const struct config_scope *
router_choose_in(const struct config *cfg, const char *path, size_t path_len,
    struct router_choice *ch)
{
	const struct config_server *srv = &cfg->servers[ch->server];
	const struct config_scope *sc;
	size_t n;

	ch->route = -1;
	memset(&ch->match, 0, sizeof(ch->match));
	ch->status = static_map_path(path, path_len, ch->rel, sizeof(ch->rel) -
	    1, &ch->dir_form);
	if (ch->status != 0) {
		ch->path[0] = ch->rel[0] = '\0';
		ch->path_len = 0;
		return &srv->s;
	}
	/* "/" + rel, and its trailing '/' back: what routes are matched on. */
	n = strlen(ch->rel);
	ch->path[0] = '/';
	memcpy(ch->path + 1, ch->rel, n);
	n++;
	if (ch->dir_form && n > 1)
		ch->path[n++] = '/';
	ch->path[n] = '\0';
	ch->path_len = n;
	if (srv->table != NULL &&
	    route_table_match(srv->table, ch->path, n, &ch->match))
		ch->route = ch->match.index;
	sc = router_scope(cfg, ch);
	router_rel(sc, ch);
	return sc;
}

const struct config_scope *
router_choose(const struct config *cfg, const char *host, size_t host_len,
    const char *path, size_t path_len, struct router_choice *ch)
{
	int k = vhost_table_find(cfg->names, host, host_len, &ch->server_how);

	ch->server = k >= 0 ? (size_t)k : cfg->default_server;
	if (k < 0)
		ch->server_how = "default";
	return router_choose_in(cfg, path, path_len, ch);
}

/* ---------------------------------------------------------------- */
/* Handlers of the router's own */

/* RFC 9110 §9.3.7: OPTIONS says what the resource allows (Allow); it
 * has no content, so Content-Length is 0. */
static int
router_options(struct http_response *resp, const char *allow)
{
	resp->status = HTTP_STATUS_OK;
	resp->allow = allow;
	resp->content_length = 0;
	return resp->status;
}

/* RFC 9110 §15.5.6: a 405 MUST carry Allow. */
static int
router_not_allowed(struct http_response *resp, const char *allow)
{
	resp->allow = allow;
	http_response_error(resp, HTTP_STATUS_METHOD_NOT_ALLOWED);
	return resp->status;
}

/* RFC 3986 §3.3: pchar, and '/', pass; anything else is escaped. */
static bool
router_url_char(unsigned char c)
{
	return http_is_unreserved(c) || c == '/' || c == ':' || c == '@' ||
	    strchr("!$&'()*+,;=", c) != NULL;
}

/* Appends s[0..len) to out at *n, escaped when escape; false: no room. */
static bool
router_put(char *out, size_t cap, size_t *n, const char *s, size_t len,
    bool escape)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!escape || (c != '\0' && router_url_char(c))) {
			if (*n + 1 >= cap)
				return false;
			out[(*n)++] = (char)c;
			continue;
		}
		if (*n + 3 >= cap)
			return false;
		out[(*n)++] = '%';
		out[(*n)++] = hex[c >> 4];
		out[(*n)++] = hex[c & 15];
	}
	return true;
}

/* What "$host" stands for: the Host without its port, lower case; else
 * the server's name. */
static size_t
router_host(const struct http_request *req, const struct config_server *srv,
    char *out, size_t cap)
{
	size_t n = 0;

	for (size_t i = 0; i < req->host.len && n + 1 < cap; i++) {
		char c = req->host.p[i];

		if (c == ':' && (n == 0 || out[0] != '[' || out[n - 1] == ']'))
			break;
		out[n++] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
	}
	if (n == 0 && srv->name != NULL &&
	    util_strlcpy(out, srv->name, cap) < cap)
		return strlen(out);
	out[n] = '\0';
	return n;
}

/*
 * One "$name" of a redirect template at t (after the '$'): appends its
 * value and returns how many characters of t it took (0: not a name,
 * the '$' stands for itself).
 */
static size_t
router_var(const char *t, const struct handler_ctx *ctx,
    const struct http_request *req, char *out, size_t cap, size_t *n,
    bool *ok, bool *used_query)
{
	const char *path = ctx->path;
	size_t plen = ctx->path_len;
	char host[VHOST_NAME_MAX + 1];

	if (t[0] >= '0' && t[0] <= '9') {
		const regmatch_t *m = ctx->match != NULL ?
		    &ctx->match->cap[t[0] - '0'] : NULL;

		if (m != NULL && m->rm_so >= 0 && ctx->match->kind >=
		    ROUTE_REGEX)
			*ok = *ok && router_put(out, cap, n, path + m->rm_so,
			    (size_t)(m->rm_eo - m->rm_so), true);
		return 1;
	}
	if (strncmp(t, "path", 4) == 0) {
		if (ctx->match != NULL && ctx->match->kind < ROUTE_REGEX &&
		    ctx->match->kind != ROUTE_EXACT) {
			path += ctx->match->prefix_len;
			plen -= ctx->match->prefix_len;
		}
		*ok = *ok && router_put(out, cap, n, path, plen, true);
		return 4;
	}
	if (strncmp(t, "query", 5) == 0) {
		*used_query = true;
		*ok = *ok && router_put(out, cap, n, req->query.p,
		    req->query.len, false);
		return 5;
	}
	if (strncmp(t, "host", 4) == 0) {
		size_t hl = router_host(req, ctx->server, host, sizeof(host));

		*ok = *ok && router_put(out, cap, n, host, hl, true);
		return 4;
	}
	if (strncmp(t, "scheme", 6) == 0) {
		*ok = *ok && (ctx->tls ? router_put(out, cap, n, "https", 5,
		    false) : router_put(out, cap, n, "http", 4, false));
		return 6;
	}
	return 0;
}

/*
 * The redirect's Location: the template with $1..$9 (the regex's
 * groups), $path (in a prefix route, what follows the prefix; else the
 * whole path), $query, $host and $scheme put in, escaped where they come
 * from the request; the query string appended when the template does not
 * place it (as Apache's Redirect does).  false: it does not fit.
 */
static bool
router_location(const struct handler_ctx *ctx, const struct http_request *req,
    char *out, size_t cap, size_t *len)
{
	const char *t = ctx->scope->target;
	bool ok = true, used_query = false;
	size_t n = 0, k;

	while (*t != '\0' && ok) {
		if (*t == '$' && (k = router_var(t + 1, ctx, req, out, cap, &n,
		    &ok, &used_query)) > 0) {
			t += 1 + k;
			continue;
		}
		ok = router_put(out, cap, &n, t++, 1, false);
	}
	if (ok && !used_query && req->query.len > 0)
		ok = router_put(out, cap, &n, "?", 1, false) &&
		    router_put(out, cap, &n, req->query.p, req->query.len,
		    false);
	out[n] = '\0';
	*len = n;
	return ok;
}

/* `redirect`: the status and the Location, with the small page. */
static int
router_redirect(const struct handler_ctx *ctx, const struct http_request *req,
    struct http_response *resp)
{
	if (!router_location(ctx, req, resp->location, sizeof(resp->location),
	    &resp->location_len)) {
		resp->location_len = 0;
		http_response_error(resp, HTTP_STATUS_INTERNAL_ERROR);
		return resp->status;
	}
	http_response_error(resp, ctx->scope->status);
	return resp->status;
}

/* `respond`: the status and the body given, or the built-in page of an
 * error without one. */
static int
router_respond(const struct handler_ctx *ctx, struct http_response *resp)
{
	const struct config_scope *sc = ctx->scope;

	if (sc->body == NULL && sc->status >= 400) {
		http_response_error(resp, sc->status);
		return resp->status;
	}
	resp->status = sc->status;
	if (sc->status == HTTP_STATUS_NO_CONTENT ||
	    sc->status == HTTP_STATUS_NOT_MODIFIED) {
		/* RFC 9110 §8.6: no Content-Length in a 204; a 304 has no
		 * content to measure. */
		resp->body = HTTP_BODY_NONE;
		resp->content_length = -1;
		return resp->status;
	}
	resp->content_type = sc->content_type;
	resp->body = HTTP_BODY_MEM;
	resp->mem = sc->body != NULL ? sc->body : "";
	resp->mem_len = sc->body_len;
	/* The configuration outlives every response of its generation. */
	resp->mem_stable = true;
	resp->content_length = (off_t)sc->body_len;
	return resp->status;
}

/* A segment of the path starting with '.', but for a first segment
 * ".well-known" (RFC 8615: ACME and others must reach it; a hidden name
 * below it is still hidden). */
static bool
router_hidden(const char *path, size_t len)
{
	static const char wk[] = "/.well-known";
	size_t i = 0;

	if (len >= sizeof(wk) - 1 && memcmp(path, wk, sizeof(wk) - 1) == 0 &&
	    (len == sizeof(wk) - 1 || path[sizeof(wk) - 1] == '/'))
		i = sizeof(wk) - 1;
	for (; i + 1 < len; i++)
		if (path[i] == '/' && path[i + 1] == '.')
			return true;
	return false;
}

/* Files: GET and HEAD (and OPTIONS); names starting with '.' are 404
 * unless the scope says hidden-files. */
static int router_run(const struct handler_ctx *ctx,
    const struct http_request *req, struct http_response *resp);

/*
 * Another path of ctx's server, as its route sees it: *sub becomes ctx
 * for path (decoded, normalised), its choice in *ch.  Returns the scope,
 * or NULL when path maps to nothing.
 */
static const struct config_scope *
router_resolve(const struct handler_ctx *ctx, const char *path, size_t len,
    struct router_choice *ch, struct handler_ctx *sub)
{
	const struct config_scope *sc;

	ch->server = (size_t)(ctx->server - ctx->cfg->servers);
	sc = router_choose_in(ctx->cfg, path, len, ch);
	if (ch->status != 0)
		return NULL;
	*sub = *ctx;
	sub->scope = sc;
	sub->match = ch->route >= 0 ? &ch->match : NULL;
	sub->path = ch->path;
	sub->path_len = ch->path_len;
	sub->root = &ctx->roots[sc->root];
	sub->rel = ch->rel;
	sub->dir_form = ch->dir_form;
	return sc;
}

/*
 * A directory whose first index file (in `index` order, the one the
 * static handler would send) is a script of a CGI or FastCGI route,
 * "index.php" under route '~ \.php$' { fastcgi = ... }: the script runs,
 * with that route's access rules, as nginx's index and Apache's
 * DirectoryIndex do; its source is never sent.  Returns true with
 * *status the script's handler's (0: its app started), or false when
 * the static handler answers (a plain index file, or none).
 */
static bool
router_index_app(const struct handler_ctx *ctx, const struct http_request *req,
    struct http_response *resp, int *status)
{
	const struct config_scope *sc = ctx->scope, *isc;
	struct handler_ctx sub;
	struct router_choice ch;
	char path[PATH_MAX], rel[PATH_MAX];
	struct stat st;
	size_t k;
	int n = 0;

	/* A '%' in the decoded path would be decoded again below. */
	if (!ctx->dir_form || memchr(ctx->path, '%', ctx->path_len) != NULL)
		return false;
	for (k = 0; k < sc->nindex; k++) {
		n = snprintf(rel, sizeof(rel), "%s%s%s", ctx->rel,
		    ctx->rel[0] != '\0' ? "/" : "", sc->index[k]);
		if (n > 0 && (size_t)n < sizeof(rel) &&
		    fstatat(ctx->root->fd, rel, &st, 0) == 0 &&
		    S_ISREG(st.st_mode))
			break;
	}
	if (k == sc->nindex || (n = snprintf(path, sizeof(path), "%.*s%s",
	    (int)ctx->path_len, ctx->path, sc->index[k])) < 0 ||
	    (size_t)n >= sizeof(path))
		return false;
	isc = router_resolve(ctx, path, (size_t)n, &ch, &sub);
	if (isc == NULL || (isc->handler != CONFIG_HANDLER_FASTCGI &&
	    isc->handler != CONFIG_HANDLER_CGI))
		return false;
	*status = router_run(&sub, req, resp);
	return true;
}

/*
 * `fallback`: a path that names nothing beneath the root (no file, no
 * directory) is answered as the fallback path would be, with the
 * request's method, fields, query and body: WordPress's pretty
 * permalinks (fallback = "/index.php"), nginx's try_files $uri $uri/
 * /index.php.  The fallback's own route decides how; one whose route
 * would fall back again is not followed (the 404 stands).
 */
static bool
router_fallback(const struct handler_ctx *ctx, const struct http_request *req,
    struct http_response *resp, int *status)
{
	const struct config_scope *sc = ctx->scope, *fsc;
	struct handler_ctx sub;
	struct router_choice ch;
	struct stat st;

	if (sc->fallback == NULL || ctx->rel[0] == '\0' ||
	    fstatat(ctx->root->fd, ctx->rel, &st, 0) == 0 ||
	    (errno != ENOENT && errno != ENOTDIR))
		return false;
	fsc = router_resolve(ctx, sc->fallback, strlen(sc->fallback), &ch,
	    &sub);
	if (fsc == NULL || (fsc->handler == CONFIG_HANDLER_STATIC &&
	    fsc->fallback != NULL))
		return false;
	*status = router_run(&sub, req, resp);
	return true;
}

static int
router_static(const struct handler_ctx *ctx, const struct http_request *req,
    struct http_response *resp)
{
	int status;

	if ((req->method == HTTP_METHOD_GET || req->method == HTTP_METHOD_HEAD ||
	    req->method == HTTP_METHOD_POST) &&
	    router_index_app(ctx, req, resp, &status))
		return status;
	if (router_fallback(ctx, req, resp, &status))
		return status;
	switch (req->method) {
	case HTTP_METHOD_GET:
	case HTTP_METHOD_HEAD:
		break;
	case HTTP_METHOD_OPTIONS:
		return router_options(resp, ROUTER_ALLOW_STATIC);
	default:
		/* POST, PUT, DELETE, PATCH, CONNECT, and TRACE, which would
		 * echo the request (cookies and all) back (RFC 9110 §9.3.8
		 * lets a server refuse it). */
		return router_not_allowed(resp, ROUTER_ALLOW_STATIC);
	}
	if (!ctx->scope->hidden_files &&
	    router_hidden(ctx->path, ctx->path_len)) {
		http_response_error(resp, HTTP_STATUS_NOT_FOUND);
		return resp->status;
	}
	return static_handle(ctx, req, resp);
}

/* Scripts: every method is the script's to answer; names starting with
 * '.' are 404 as they are for files. */
static int
router_cgi(const struct handler_ctx *ctx, const struct http_request *req,
    struct http_response *resp)
{
	if (!ctx->scope->hidden_files &&
	    router_hidden(ctx->path, ctx->path_len)) {
		http_response_error(resp, HTTP_STATUS_NOT_FOUND);
		return resp->status;
	}
	return cgi_handle(ctx, req, resp);
}

/*
 * deny/allow, then the password.  RFC 9110 §11.6.1: a 401 MUST carry
 * WWW-Authenticate; RFC 7617 §2 gives its Basic form.
 */
static int
router_access(const struct handler_ctx *ctx, const struct http_request *req,
    struct http_response *resp)
{
	const struct config_scope *sc = ctx->scope;
	struct http_slice cred, other;

	if (sc->acl != NULL && !acl_permits(sc->acl, ctx->peer)) {
		http_response_error(resp, HTTP_STATUS_FORBIDDEN);
		return resp->status;
	}
	if (sc->auth == NULL)
		return 0;
	/* One Authorization field; two are no credentials at all. */
	if (http_request_field(req, "Authorization", 0, &cred) &&
	    !http_request_field(req, "Authorization", 1, &other) &&
	    auth_check(sc->auth, cred.p, cred.len))
		return 0;
	if (http_response_add_field(resp, "WWW-Authenticate", 16,
	    sc->auth_challenge, strlen(sc->auth_challenge)) < 0) {
		http_response_error(resp, HTTP_STATUS_INTERNAL_ERROR);
		return resp->status;
	}
	http_response_error(resp, HTTP_STATUS_UNAUTHORIZED);
	return resp->status;
}

/* The scope's handler, once access and the method are settled. */
static int
router_run(const struct handler_ctx *ctx, const struct http_request *req,
    struct http_response *resp)
{
	const struct config_scope *sc = ctx->scope;
	int status;

	if ((status = router_access(ctx, req, resp)) != 0)
		return status;
	if (sc->methods != 0) {
		if (req->method == HTTP_METHOD_OPTIONS)
			return router_options(resp, sc->allow_field);
		if (!(sc->methods & (1u << req->method)))
			return router_not_allowed(resp, sc->allow_field);
	}
	switch (sc->handler) {
	case CONFIG_HANDLER_REDIRECT:
		return router_redirect(ctx, req, resp);
	case CONFIG_HANDLER_RESPOND:
		return router_respond(ctx, resp);
	case CONFIG_HANDLER_STATUS:
		return status_handle(ctx, req, resp);
	case CONFIG_HANDLER_METRICS:
		return metrics_handle(ctx, req, resp);
	case CONFIG_HANDLER_FASTCGI:
		/* Every method: the script decides what it answers. */
		return fastcgi_handle(ctx, req, resp);
	case CONFIG_HANDLER_CGI:
		return router_cgi(ctx, req, resp);
	case CONFIG_HANDLER_PROXY:
		/* Every method: the application says what it allows. */
		return proxy_handle(ctx, req, resp);
	case CONFIG_HANDLER_STATIC:
	default:
		return router_static(ctx, req, resp);
	}
}

/* The scope's header fields, on whatever the response is. */
static void
router_headers(const struct config_scope *sc, struct http_response *resp)
{
	for (size_t i = 0; i < sc->nheaders; i++) {
		const struct config_header *h = &sc->headers[i];

		/* Checked at load, and room kept for them (config.c). */
		(void)http_response_add_field(resp, h->name, h->name_len,
		    h->value, h->value_len);
	}
}

/* The error-page path for status in sc, or NULL. */
static const char *
router_error_page(const struct config_scope *sc, int status)
{
	for (size_t i = 0; i < sc->nerror_pages; i++)
		if (sc->error_pages[i].status == status)
			return sc->error_pages[i].path;
	return NULL;
}

/*
 * An error-page: the file at page, found as a GET of it would be (its
 * route's root) but only where that route serves files, becomes resp's
 * body; resp keeps its status and its fields (Allow, WWW-Authenticate,
 * Location...).  Anything else about the page (missing, another error,
 * a route that redirects) leaves the built-in page: one level, no loops.
 */
static void
router_error_body(const struct handler_ctx *ctx, const char *page,
    struct http_response *resp)
{
	struct router_choice ch;
	struct http_request get;
	struct http_response file;
	struct handler_ctx sub = *ctx;
	const struct config_scope *sc;

	ch.server = (size_t)(ctx->server - ctx->cfg->servers);
	sc = router_choose_in(ctx->cfg, page, strlen(page), &ch);
	if (ch.status != 0)
		return;
	memset(&get, 0, sizeof(get));
	get.method = HTTP_METHOD_GET;
	get.version = HTTP_VERSION_11;
	get.path.p = page;
	get.path.len = strlen(page);
	http_response_init(&file);
	sub.scope = sc;
	sub.root = &ctx->roots[sc->root];
	sub.rel = ch.rel;
	sub.dir_form = ch.dir_form;
	/* A file: sent from its fd, or from the file cache's copy of a
	 * small one (HTTP_BODY_MEM with a Last-Modified; a listing has
	 * none). */
	if (sc->handler != CONFIG_HANDLER_STATIC ||
	    static_serve(sc, sub.root, ch.rel, ch.dir_form, &get, &file) !=
	    HTTP_STATUS_OK || (file.body != HTTP_BODY_FILE &&
	    (file.body != HTTP_BODY_MEM || file.last_modified == 0))) {
		http_response_close_fd(&file);
		return;
	}
	http_response_close_fd(resp);
	resp->body = file.body;
	resp->mem = file.mem;
	resp->mem_len = file.mem_len;
	resp->mem_stable = file.mem_stable;
	resp->fd = file.fd;
	resp->fd_cached = file.fd_cached;
	resp->offset = 0;
	resp->content_length = file.content_length;
	resp->content_type = file.content_type;
}

/*
 * router_choose() among the servers that answer on the request's
 * listener: a name of a server that does not is as unknown, and gets
 * the listener's default.
 */
static const struct config_scope *
router_choose_on(const struct handler_ctx *ctx, const struct http_request *req,
    struct router_choice *ch)
{
	const struct config *cfg = ctx->cfg;
	size_t k;
	int i;

	if (ctx->listen == NULL)
		return router_choose(cfg, req->host.p, req->host.len,
		    req->path.p, req->path.len, ch);
	k = (size_t)(ctx->listen - cfg->listen);
	i = vhost_table_find(cfg->names, req->host.p, req->host.len,
	    &ch->server_how);
	if (i >= 0 && config_server_on(&cfg->servers[i], k)) {
		ch->server = (size_t)i;
	} else {
		ch->server = ctx->listen->default_server;
		ch->server_how = "default";
	}
	return router_choose_in(cfg, req->path.p, req->path.len, ch);
}

/* The request as the router sees it: server, path, route, scope. */
static void
router_prepare(struct handler_ctx *ctx, const struct http_request *req,
    struct router_choice *ch)
{
	const struct config *cfg = ctx->cfg;

	ctx->scope = router_choose_on(ctx, req, ch);
	ctx->server = &cfg->servers[ch->server];
	if (ctx->server_out != NULL)
		*ctx->server_out = ch->server;
	ctx->match = ch->route >= 0 ? &ch->match : NULL;
	ctx->path = ch->path;
	ctx->path_len = ch->path_len;
	ctx->root = &ctx->roots[ctx->scope->root];
	ctx->rel = ch->rel;
	ctx->dir_form = ch->dir_form;
}

int
router_handle(const struct handler_ctx *base, const struct http_request *req,
    struct http_response *resp)
{
	struct handler_ctx ctx = *base;
	struct router_choice ch;
	const char *page;
	int status;

	/* The scope first: its header fields and error pages go on every
	 * response, the 501 too. */
	router_prepare(&ctx, req, &ch);
	if (ctx.tls && ch.server != ctx.tls_server) {
		/*
		 * RFC 9110 §15.5.20: 421, a request "directed at a server
		 * that is unable or unwilling to produce an authoritative
		 * response": the Host is another server than the one whose
		 * certificate the handshake (SNI) chose.
		 */
		http_response_error(resp, HTTP_STATUS_MISDIRECTED_REQUEST);
		status = resp->status;
	} else if (req->method == HTTP_METHOD_UNKNOWN) {
		/* RFC 9110 §9.1: an origin server that does not recognize a
		 * method SHOULD respond with 501, whatever the resource. */
		http_response_error(resp, HTTP_STATUS_NOT_IMPLEMENTED);
		status = resp->status;
	} else if (router_is_status(&ctx, req)) {
		status = status_handle(&ctx, req, resp);
	} else if (req->method == HTTP_METHOD_OPTIONS && req->target.len == 1 &&
	    req->target.p[0] == '*') {
		/* RFC 9110 §9.3.7: "*" asks about the server itself. */
		status = router_options(resp, ROUTER_ALLOW_STATIC);
	} else if (ch.status != 0) {
		http_response_error(resp, ch.status);
		status = resp->status;
	} else {
		status = router_run(&ctx, req, resp);
	}
	if (status >= 400 &&
	    (page = router_error_page(ctx.scope, status)) != NULL)
		router_error_body(&ctx, page, resp);
	router_headers(ctx.scope, resp);
	return resp->status;
}

static const char *
router_kind_name(enum route_kind k)
{
	switch (k) {
	case ROUTE_EXACT:
		return "exact";
	case ROUTE_PREFIX:
		return "prefix";
	case ROUTE_PREFIX_FIRST:
		return "\"^~\" prefix, which wins over regexes";
	case ROUTE_REGEX:
		return "regex, the first in file order that matches";
	default:
		return "case-insensitive regex, the first in file order that "
		    "matches";
	}
}

/* What the scope answers with, in words. */
static void
router_explain_answer(const struct handler_ctx *ctx,
    const struct http_request *req, FILE *out)
{
	const struct config_scope *sc = ctx->scope;
	char loc[HTTP_LOCATION_MAX];
	size_t len;

	if (sc->acl != NULL)
		fprintf(out, "access: only clients its allow/deny lists let "
		    "in\n");
	if (sc->auth != NULL)
		fprintf(out, "password: realm \"%s\", users of %s\n",
		    sc->auth_realm, sc->auth_file);
	if (sc->methods != 0)
		fprintf(out, "methods: %s\n", sc->allow_field);
	switch (sc->handler) {
	case CONFIG_HANDLER_REDIRECT:
		if (router_location(ctx, req, loc, sizeof(loc), &len))
			fprintf(out, "answer: redirect %d to %s\n", sc->status,
			    loc);
		else
			fprintf(out, "answer: 500, the redirect is too long\n");
		break;
	case CONFIG_HANDLER_RESPOND:
		fprintf(out, "answer: respond %d with %zu bytes%s%s\n",
		    sc->status, sc->body_len, sc->content_type ? " of " : "",
		    sc->content_type ? sc->content_type : "");
		break;
	case CONFIG_HANDLER_STATUS:
		fprintf(out, "answer: the status page\n");
		break;
	case CONFIG_HANDLER_METRICS:
		fprintf(out, "answer: the metrics page%s\n", sc->acl == NULL ?
		    " (loopback clients only)" : "");
		break;
	case CONFIG_HANDLER_PROXY:
		fprintf(out, "answer: proxied to");
		for (size_t i = 0; i < sc->nbackends; i++)
			fprintf(out, "%s %s", i > 0 ? "," : "",
			    sc->backends[i].label);
		fprintf(out, "%s\n", sc->websocket ? " (WebSocket upgrades "
		    "passed)" : "");
		break;
	case CONFIG_HANDLER_FASTCGI:
		fprintf(out, "answer: the FastCGI server at %s runs the script "
		    "%s/%s\n", sc->backends[0].label,
		    ctx->cfg->roots[sc->root].path, ctx->rel);
		break;
	case CONFIG_HANDLER_CGI:
		fprintf(out, "answer: CGI, the script %s/%s\n",
		    ctx->cfg->roots[sc->root].path, ctx->rel);
		break;
	default:
		fprintf(out, "answer: files, %s/%s (%s)\n",
		    ctx->cfg->roots[sc->root].path, ctx->rel,
		    sc->alias ? "alias" : "document-root");
		break;
	}
}

int
router_explain(const struct config *cfg, const char *url, FILE *out)
{
	struct handler_ctx ctx = { .cfg = cfg };
	struct http_request req;
	struct router_choice ch;
	const char *host = "", *path = url, *q;
	const struct config_server *srv;
	size_t host_len = 0;

	memset(&req, 0, sizeof(req));
	if (strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) ==
	    0) {
		host = strstr(url, "//") + 2;
		path = host + strcspn(host, "/?");
		host_len = (size_t)(path - host);
	}
	if (path[0] == '\0')
		path = "/";
	if (path[0] != '/')
		return -1;
	q = strchr(path, '?');
	req.host = (struct http_slice){ host, host_len };
	req.path = (struct http_slice){ path, q ? (size_t)(q - path) :
	    strlen(path) };
	if (q != NULL)
		req.query = (struct http_slice){ q + 1, strlen(q + 1) };
	ctx.scope = router_choose(cfg, host, host_len, req.path.p, req.path.len,
	    &ch);
	srv = &cfg->servers[ch.server];
	ctx.server = srv;
	ctx.match = ch.route >= 0 ? &ch.match : NULL;
	ctx.path = ch.path;
	ctx.path_len = ch.path_len;
	ctx.rel = ch.rel;
	if (srv->name != NULL)
		fprintf(out, "server: \"%s\" (line %d), by %s\n", srv->name,
		    srv->s.line, ch.server_how);
	else
		fprintf(out, "server: the top level (no server sections)\n");
	if (ch.status != 0) {
		fprintf(out, "answer: %d, the path cannot be mapped\n",
		    ch.status);
		return 0;
	}
	fprintf(out, "path: %s\n", ch.path);
	if (ch.route >= 0)
		fprintf(out, "route: \"%s\" (line %d), %s\n",
		    srv->routes[ch.route].pattern, srv->routes[ch.route].s.line,
		    router_kind_name(ch.match.kind));
	else
		fprintf(out, "route: none; the server's own keys answer\n");
	router_explain_answer(&ctx, &req, out);
	return 0;
}
