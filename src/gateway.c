/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * gateway.c - the Common Gateway Interface (RFC 3875) shared by FastCGI
 * and CGI: the script, the meta-variables, the response head.
 *
 * The script is looked at, never guessed: each candidate is opened
 * O_PATH beneath the root by static.c's resolver and fstat()ed, so what
 * runs is a regular file that the kernel found beneath the root, and a
 * path whose file part is not a script (an upload named "x.jpg/y.php")
 * runs nothing.
 *
 * Choices where RFC 3875 leaves room, written down here and in
 * forkhttpd.conf(5) (CGI):
 *   - Response lines may end in LF or CRLF (§6.3.4 says the script's
 *     "NL" is whatever the system's is; scripts write both).
 *   - Obs-folded lines, status lines ("HTTP/1.1 200 OK": NPH scripts)
 *     and a CGI field given twice are errors, not guesses.
 *   - A response with none of Status, Location and Content-Type is an
 *     error (§6.2: at least one CGI-field MUST be present).
 *   - Location with a local path and no Status is a local redirect
 *     (§6.2.2); with a Status it is sent as it is.
 */
#include "autoconf.h"

#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "gateway.h"
#include "http.h"
#include "net.h"
#include "route.h"
#include "static.h"
#include "util.h"

/* ---------------------------------------------------------------- */
/* The script */

/* fstat() of rel beneath root, looked at O_PATH.  0, or an errno. */
static int
gateway_look(const struct static_root *root, const char *rel,
    struct stat *st)
{
	int fd, err;

	if ((err = static_open_beneath(root, rel, O_PATH | O_CLOEXEC,
	    &fd)) != 0)
		return err;
	err = fstat(fd, st) == -1 ? errno : 0;
	close(fd);
	return err;
}

/*
 * Where the script ends in rel (rel_len bytes, a copy the walk may cut):
 * the first segment boundary at which rel[0..end) is a regular file; the
 * whole of rel under a regex route.  0 with *end set, or a status.
 */
static int
gateway_walk(const struct handler_ctx *ctx, char *rel, size_t rel_len,
    bool whole, size_t *end)
{
	struct stat st;
	size_t e = 0;
	int err;

	for (;;) {
		if (whole)
			e = rel_len;
		while (e < rel_len && rel[e] != '/')
			e++;
		if (e == 0)
			return HTTP_STATUS_NOT_FOUND;	/* the root itself */
		rel[e] = '\0';
		err = gateway_look(ctx->root, rel, &st);
		if (e < rel_len)
			rel[e] = '/';
		if (err != 0)
			return static_errno_status(err);
		if (S_ISREG(st.st_mode)) {
			*end = e;
			return 0;
		}
		if (!S_ISDIR(st.st_mode))
			return HTTP_STATUS_FORBIDDEN;
		/* A directory: no script in the path at all. */
		if (e == rel_len)
			return HTTP_STATUS_NOT_FOUND;
		e++;
	}
}

int
gateway_script(const struct handler_ctx *ctx, struct gateway_script *s)
{
	const char *dir = ctx->cfg->roots[ctx->scope->root].path;
	size_t rel_len = strlen(ctx->rel), plen = ctx->path_len, base, end = 0;
	size_t n;
	bool whole = ctx->match != NULL && (ctx->match->kind == ROUTE_REGEX ||
	    ctx->match->kind == ROUTE_REGEX_NOCASE);
	char rel[PATH_MAX];
	int status;

	/* rel is the end of the path, without its trailing '/' (router.c). */
	if (plen > 1 && ctx->path[plen - 1] == '/')
		plen--;
	if (rel_len >= sizeof(rel) || rel_len > plen)
		return HTTP_STATUS_INTERNAL_ERROR;
	memcpy(rel, ctx->rel, rel_len + 1);
	if ((status = gateway_walk(ctx, rel, rel_len, whole, &end)) != 0)
		return status;
	/* "/x.php/" names a directory, and x.php is not one. */
	if (whole && ctx->dir_form)
		return HTTP_STATUS_NOT_FOUND;
	base = plen - rel_len;
	s->name = ctx->path;
	s->name_len = base + end;
	s->path_info = ctx->path + s->name_len;
	s->path_info_len = ctx->path_len - s->name_len;
	n = strlen(dir);
	if (n > 0 && dir[n - 1] == '/')
		n--;
	if (n + 1 + end >= sizeof(s->filename))
		return HTTP_STATUS_URI_TOO_LONG;
	memcpy(s->filename, dir, n);
	s->filename[n] = '/';
	memcpy(s->filename + n + 1, rel, end);
	s->filename[n + 1 + end] = '\0';
	s->dir_len = (size_t)(strrchr(s->filename, '/') - s->filename);
	if (s->dir_len == 0)
		s->dir_len = 1;		/* "/" */
	return 0;
}

/* ---------------------------------------------------------------- */
/* The meta-variables */

struct gateway_out {
	gateway_var_fn *fn;
	void *arg;
	int err;
};

static void
gateway_put(struct gateway_out *o, const char *name, size_t name_len,
    const char *value, size_t value_len)
{
	if (o->err == 0 && o->fn(o->arg, name, name_len, value, value_len) < 0)
		o->err = -1;
}

static void
gateway_puts(struct gateway_out *o, const char *name, const char *value)
{
	gateway_put(o, name, strlen(name), value, strlen(value));
}

static unsigned
gateway_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)(const void *)ss)->
		    sin_port);
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)(const void *)ss)->
		    sin6_port);
	return 0;
}

/* NAME=address and PORTNAME=port of ss. */
static void
gateway_addr(struct gateway_out *o, const char *name, const char *port_name,
    const struct sockaddr_storage *ss)
{
	char addr[NET_ADDR_MAX], port[8];

	net_peer_name(ss, addr, sizeof(addr));
	snprintf(port, sizeof(port), "%u", gateway_port(ss));
	gateway_puts(o, name, addr);
	gateway_puts(o, port_name, port);
}

/*
 * SERVER_NAME (RFC 3875 §4.1.14): the host the client asked for, without
 * its port; else the server's name, else its address.  SERVER_ADDR and
 * SERVER_PORT: where the connection came in.
 */
static void
gateway_server(struct gateway_out *o, const struct handler_ctx *ctx,
    const struct http_request *req)
{
	struct sockaddr_storage local;
	socklen_t len = sizeof(local);
	char addr[NET_ADDR_MAX] = "";
	const char *host = req->host.p, *name = ctx->server->name;
	size_t n = 0;

	if (ctx->client_fd >= 0 && getsockname(ctx->client_fd,
	    (struct sockaddr *)&local, &len) == 0) {
		gateway_addr(o, "SERVER_ADDR", "SERVER_PORT", &local);
		net_peer_name(&local, addr, sizeof(addr));
	}
	if (host != NULL && req->host.len > 0 && host[0] == '[') {
		const char *close = memchr(host, ']', req->host.len);

		n = close != NULL ? (size_t)(close - host) + 1 : 0;
	} else if (host != NULL) {
		const char *colon = memchr(host, ':', req->host.len);

		n = colon != NULL ? (size_t)(colon - host) : req->host.len;
	}
	if (n > 0)
		gateway_put(o, "SERVER_NAME", 11, host, n);
	else if (name != NULL && strchr(name, '*') == NULL)
		gateway_puts(o, "SERVER_NAME", name);
	else
		gateway_puts(o, "SERVER_NAME", addr);
}

/* The request line's part and the script's (RFC 3875 §4.1). */
static void
gateway_request(struct gateway_out *o, const struct handler_ctx *ctx,
    const struct http_request *req, const struct gateway_script *s)
{
	const char *docroot = ctx->cfg->roots[ctx->scope->alias ?
	    ctx->server->s.root : ctx->scope->root].path;

	gateway_put(o, "REQUEST_METHOD", 14, req->method_name.p,
	    req->method_name.len);
	/* The path and query as sent, also of an absolute-form target
	 * ("http://host/p?q": "/p?q"), where they lie side by side. */
	if (req->query.len > 0 && req->query.p == req->path.p +
	    req->path.len + 1)
		gateway_put(o, "REQUEST_URI", 11, req->path.p, req->path.len +
		    1 + req->query.len);
	else
		gateway_put(o, "REQUEST_URI", 11, req->path.p, req->path.len);
	gateway_put(o, "QUERY_STRING", 12, req->query.len > 0 ? req->query.p :
	    "", req->query.len);
	gateway_put(o, "SCRIPT_NAME", 11, s->name, s->name_len);
	gateway_puts(o, "SCRIPT_FILENAME", s->filename);
	gateway_puts(o, "DOCUMENT_ROOT", docroot);
	if (s->path_info_len > 0) {
		char pt[PATH_MAX];
		size_t d = strlen(docroot);

		gateway_put(o, "PATH_INFO", 9, s->path_info, s->path_info_len);
		/* §4.1.6: the PATH_INFO mapped as a document would be. */
		if (d > 0 && docroot[d - 1] == '/')
			d--;
		if (d + s->path_info_len < sizeof(pt)) {
			memcpy(pt, docroot, d);
			memcpy(pt + d, s->path_info, s->path_info_len);
			gateway_put(o, "PATH_TRANSLATED", 15, pt,
			    d + s->path_info_len);
		}
	}
}

/* Content-Length and Content-Type go as CONTENT_* alone (§4.1.2-3). */
static void
gateway_content(struct gateway_out *o, const struct http_request *req)
{
	struct http_slice type;
	char len[24];

	if (req->framing == HTTP_FRAMING_LENGTH) {
		snprintf(len, sizeof(len), "%llu",
		    (unsigned long long)req->content_length);
		gateway_puts(o, "CONTENT_LENGTH", len);
	}
	if (http_request_field(req, "Content-Type", 0, &type))
		gateway_put(o, "CONTENT_TYPE", 12, type.p, type.len);
}

/* A field the script sees as HTTP_*: see gateway.h. */
static bool
gateway_field_passed(struct http_slice name)
{
	for (size_t i = 0; i < name.len; i++) {
		unsigned char c = (unsigned char)name.p[i];

		if (!http_is_alpha(c) && !http_is_digit(c) && c != '-')
			return false;
	}
	return name.len > 0 && !http_slice_eq_nocase(name, "Content-Length") &&
	    !http_slice_eq_nocase(name, "Content-Type") &&
	    !http_slice_eq_nocase(name, "Proxy");
}

static bool
gateway_same_name(struct http_slice a, struct http_slice b)
{
	if (a.len != b.len)
		return false;
	for (size_t i = 0; i < a.len; i++) {
		unsigned char x = (unsigned char)a.p[i];
		unsigned char y = (unsigned char)b.p[i];

		if (x != y && (!http_is_alpha(x) || (x ^ y) != 0x20))
			return false;
	}
	return true;
}

/* Whether a line before pos had the name already (it was passed then). */
static bool
gateway_seen(const struct http_request *req, size_t before,
    struct http_slice name)
{
	struct http_slice n, v;
	size_t pos = 0;

	while (pos < before && http_request_field_next(req, &pos, &n, &v))
		if (gateway_same_name(n, name))
			return true;
	return false;
}

/*
 * Each field's lines from at on, joined into value (RFC 9110 §5.3:
 * ", "; RFC 6265 §5.4: Cookie's with "; ").  The joined value is never
 * longer than the lines it came from, so fields.len bytes hold it.
 */
static size_t
gateway_join(const struct http_request *req, size_t at,
    struct http_slice name, char *value)
{
	const char *sep = http_slice_eq_nocase(name, "Cookie") ? "; " : ", ";
	struct http_slice n, v;
	size_t len = 0;

	while (http_request_field_next(req, &at, &n, &v)) {
		if (!gateway_same_name(n, name))
			continue;
		if (len > 0) {
			memcpy(value + len, sep, 2);
			len += 2;
		}
		memcpy(value + len, v.p, v.len);
		len += v.len;
	}
	return len;
}

/*
 * AUTH_TYPE and REMOTE_USER (RFC 3875 §4.1.1, §4.1.11) where the server
 * checked the credentials itself (auth-basic): the router ran the
 * handler, so the one Authorization field holds a user of the file.
 */
static void
gateway_auth(struct gateway_out *o, const struct handler_ctx *ctx,
    const struct http_request *req)
{
	struct auth_credentials cred;
	struct http_slice v;

	if (ctx->scope->auth == NULL ||
	    !http_request_field(req, "Authorization", 0, &v) ||
	    !auth_decode(v.p, v.len, &cred))
		return;
	gateway_puts(o, "AUTH_TYPE", "Basic");
	gateway_puts(o, "REMOTE_USER", cred.user);
}

/* HTTP_* for the request's fields, each name once. */
static void
gateway_fields(struct gateway_out *o, const struct http_request *req,
    bool checked)
{
	size_t cap = req->fields.len + 8, pos = 0, at;
	struct http_slice n, v;
	char *name, *value;

	if (req->fields.len == 0)
		return;
	if ((name = malloc(2 * cap)) == NULL) {
		o->err = -1;
		return;
	}
	value = name + cap;
	memcpy(name, "HTTP_", 5);
	while (at = pos, http_request_field_next(req, &pos, &n, &v)) {
		if (!gateway_field_passed(n) || gateway_seen(req, at, n))
			continue;
		/* §4.1.18: credentials the server checked stay with it. */
		if (checked && http_slice_eq_nocase(n, "Authorization"))
			continue;
		for (size_t i = 0; i < n.len; i++) {
			unsigned char c = (unsigned char)n.p[i];

			name[5 + i] = c == '-' ? '_' : (c >= 'a' && c <= 'z') ?
			    (char)(c - 'a' + 'A') : (char)c;
		}
		gateway_put(o, name, 5 + n.len, value,
		    gateway_join(req, at, n, value));
	}
	free(name);
}

int
gateway_vars(const struct handler_ctx *ctx, const struct http_request *req,
    const struct gateway_script *s, bool https, gateway_var_fn *fn, void *arg)
{
	struct gateway_out o = { .fn = fn, .arg = arg, .err = 0 };

	gateway_puts(&o, "GATEWAY_INTERFACE", "CGI/1.1");
	gateway_puts(&o, "SERVER_SOFTWARE", PACKAGE_NAME "/" PACKAGE_VERSION);
	gateway_puts(&o, "SERVER_PROTOCOL", req->version == HTTP_VERSION_10 ?
	    "HTTP/1.0" : "HTTP/1.1");
	gateway_server(&o, ctx, req);
	if (ctx->peer != NULL)
		gateway_addr(&o, "REMOTE_ADDR", "REMOTE_PORT", ctx->peer);
	gateway_request(&o, ctx, req, s);
	gateway_content(&o, req);
	/* php-cgi (force-cgi-redirect) runs only when told a server
	 * started it. */
	gateway_puts(&o, "REDIRECT_STATUS", "200");
	if (https)
		gateway_puts(&o, "HTTPS", "on");
	gateway_auth(&o, ctx, req);
	gateway_fields(&o, req, ctx->scope->auth != NULL);
	return o.err;
}

/* ---------------------------------------------------------------- */
/* The response head (RFC 3875 §6) */

/* What a head has said so far: each CGI field once. */
struct gateway_seen {
	bool status, location, type, length;
};

/* s[0..len) with a NUL, kept in resp's field memory; NULL: no room. */
static const char *
gateway_keep(struct http_response *resp, const char *s, size_t len)
{
	char *p;

	if (len + 1 > HTTP_FIELD_BYTES - resp->field_used)
		return NULL;
	p = resp->field_buf + resp->field_used;
	memcpy(p, s, len);
	p[len] = '\0';
	resp->field_used += len + 1;
	return p;
}

/*
 * RFC 3875 §6.3.3: Status = "Status:" SP status-code SP reason-phrase NL;
 * status-code = 3digit; reason-phrase = *TEXT.  The reason may be left
 * out ("Status: 404"): the standard phrase goes out then.
 */
static int
gateway_status(const char *v, size_t n, struct http_response *resp)
{
	int code;

	if (n < 3 || !http_is_digit((unsigned char)v[0]) ||
	    !http_is_digit((unsigned char)v[1]) ||
	    !http_is_digit((unsigned char)v[2]) || (n > 3 && v[3] != ' '))
		return -1;
	code = (v[0] - '0') * 100 + (v[1] - '0') * 10 + (v[2] - '0');
	/* No interim responses: the script answers once. */
	if (code < 200 || code > 599)
		return -1;
	resp->status = code;
	resp->reason = NULL;
	if (n > 4 && (resp->reason = gateway_keep(resp, v + 4, n - 4)) == NULL)
		return -1;
	return 0;
}

/* RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
static bool
gateway_has_scheme(const char *v, size_t n)
{
	size_t i = 0;

	if (n == 0 || !http_is_alpha((unsigned char)v[0]))
		return false;
	while (i < n && (http_is_alpha((unsigned char)v[i]) ||
	    http_is_digit((unsigned char)v[i]) || v[i] == '+' || v[i] == '-' ||
	    v[i] == '.'))
		i++;
	return i < n && v[i] == ':';
}

/*
 * RFC 3875 §6.3.2: Location = local-Location | client-Location, an
 * absolute URI or an abs-path with its query.  Anything else ("x.html",
 * "//host/": a network-path reference) is not a CGI Location.
 */
static int
gateway_location(const char *v, size_t n, struct http_response *resp,
    bool *local)
{
	if (n == 0 || n > sizeof(resp->location) || memchr(v, ' ', n) != NULL)
		return -1;
	*local = v[0] == '/' && (n == 1 || v[1] != '/');
	if (!*local && !gateway_has_scheme(v, n))
		return -1;
	memcpy(resp->location, v, n);
	resp->location_len = n;
	return 0;
}

/* Fields the server writes itself, or that belong to one connection. */
static bool
gateway_dropped(const char *name, size_t n)
{
	static const char *const drop[] = {
		"Connection", "Keep-Alive", "Transfer-Encoding", "TE",
		"Trailer", "Upgrade", "Proxy-Connection", "Date", "Server"
	};
	struct http_slice s = { name, n };

	for (size_t i = 0; i < UTIL_ARRAY_LEN(drop); i++)
		if (http_slice_eq_nocase(s, drop[i]))
			return true;
	return false;
}

/* One field line, name and value split, value trimmed.  0, or -1. */
static int
gateway_field(const char *name, size_t nlen, const char *v, size_t vlen,
    struct http_response *resp, struct gateway_seen *seen, bool *local)
{
	struct http_slice s = { name, nlen };
	uint64_t length;

	if (http_slice_eq_nocase(s, "Status")) {
		if (seen->status)
			return -1;
		seen->status = true;
		return gateway_status(v, vlen, resp);
	}
	if (http_slice_eq_nocase(s, "Location")) {
		if (seen->location)
			return -1;
		seen->location = true;
		return gateway_location(v, vlen, resp, local);
	}
	if (http_slice_eq_nocase(s, "Content-Type")) {
		if (seen->type || vlen == 0)
			return -1;
		seen->type = true;
		resp->content_type = gateway_keep(resp, v, vlen);
		return resp->content_type == NULL ? -1 : 0;
	}
	if (http_slice_eq_nocase(s, "Content-Length")) {
		/* RFC 9110 §8.6: Content-Length = 1*DIGIT */
		if (seen->length || !util_parse_u64(v, vlen, INT64_MAX, &length))
			return -1;
		seen->length = true;
		resp->content_length = (off_t)length;
		return 0;
	}
	if (gateway_dropped(name, nlen))
		return 0;
	return http_response_add_field(resp, name, nlen, v, vlen);
}

/*
 * One line (without its LF or CRLF): RFC 9112 §5: field-name ":" OWS
 * field-value OWS; field-name a token, so a folded line (leading
 * whitespace) or a status line is refused here.  The value is
 * field-content: no control byte but HTAB (RFC 9110 §5.5).
 */
static int
gateway_line(const char *line, size_t n, struct http_response *resp,
    struct gateway_seen *seen, bool *local)
{
	const char *colon = memchr(line, ':', n), *v;
	size_t nlen, vlen;

	if (colon == NULL || colon == line)
		return -1;
	nlen = (size_t)(colon - line);
	for (size_t i = 0; i < nlen; i++)
		if (!http_is_tchar((unsigned char)line[i]))
			return -1;
	v = colon + 1;
	vlen = n - nlen - 1;
	for (size_t i = 0; i < vlen; i++) {
		unsigned char c = (unsigned char)v[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return -1;
	}
	while (vlen > 0 && http_is_ows((unsigned char)v[0])) {
		v++;
		vlen--;
	}
	while (vlen > 0 && http_is_ows((unsigned char)v[vlen - 1]))
		vlen--;
	return gateway_field(line, nlen, v, vlen, resp, seen, local);
}

enum gateway_head
gateway_head(const char *in, size_t len, struct http_response *resp)
{
	struct gateway_seen seen = { false, false, false, false };
	bool local = false;
	size_t pos = 0;

	resp->status = HTTP_STATUS_OK;
	resp->content_length = -1;
	for (;;) {
		const char *line = in + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t n;

		if (nl == NULL)
			return GATEWAY_HEAD_BAD;	/* no blank line */
		n = (size_t)(nl - line);
		pos += n + 1;
		if (n > 0 && line[n - 1] == '\r')
			n--;
		if (n == 0)
			break;
		if (gateway_line(line, n, resp, &seen, &local) < 0)
			return GATEWAY_HEAD_BAD;
	}
	/* The head given ends at its blank line; §6.2: a CGI field. */
	if (pos != len || (!seen.status && !seen.location && !seen.type))
		return GATEWAY_HEAD_BAD;
	if (seen.location && !seen.status) {
		resp->status = HTTP_STATUS_FOUND;
		if (local)
			return GATEWAY_HEAD_LOCAL;
	}
	return GATEWAY_HEAD_DOCUMENT;
}
