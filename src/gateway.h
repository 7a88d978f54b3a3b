/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * gateway.h - the Common Gateway Interface (RFC 3875), the part FastCGI
 * and CGI share: the script a request names and the PATH_INFO after it,
 * the meta-variables the script is given, and the CGI response head the
 * script answers with (RFC 3875 §6).
 *
 * No I/O but the look at the script: an O_PATH open beneath the root,
 * made by static.c's own resolver (RESOLVE_BENEATH: no symlink leaves
 * the root unless symlinks-outside-root), and an fstat() of it; and a
 * getsockname() for SERVER_ADDR.  Nothing allocates but gateway_vars()'s
 * scratch, freed before it returns.
 */
#ifndef FORKHTTPD_GATEWAY_H
#define FORKHTTPD_GATEWAY_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "handler.h"
#include "http.h"

/* The script a request names, found by gateway_script(). */
struct gateway_script {
	char filename[PATH_MAX];	/* SCRIPT_FILENAME: absolute */
	size_t dir_len;			/* filename[0..dir_len): its directory
					 * (the script's cwd) */
	const char *name;		/* SCRIPT_NAME: the URL path up to
					 * the script, into ctx->path */
	size_t name_len;
	const char *path_info;		/* PATH_INFO: the rest of ctx->path
					 * ("" when none) */
	size_t path_info_len;
};

/*
 * Finds the script of the request the router chose in ctx (ctx->root,
 * ctx->rel, ctx->path, ctx->match) and fills s; s->name and
 * s->path_info point into ctx->path, so s lives no longer than ctx.
 *
 * Under a regex route ("~ \.php$") the script is the whole path.  Under
 * any other, the path's segments are walked from the start, and the
 * first one that is a regular file is the script; what follows it is
 * PATH_INFO ("/cgi-bin/env.sh/extra" -> "/cgi-bin/env.sh", "/extra").
 * Either way the script must exist as a regular file beneath the root,
 * looked at as static.c opens files (RESOLVE_BENEATH), before anything
 * runs: "/up.jpg/x.php" names no script, whatever a FastCGI server
 * would make of it (the php-fpm PATH_INFO attacks, CVE-2019-11043).
 *
 * Returns 0, or the status to answer with: 404 (no such file, or a path
 * that never reaches a regular file), 403 (a symlink leaving the root,
 * a FIFO or device, no permission), 414 (too long), 500.
 */
int gateway_script(const struct handler_ctx *ctx, struct gateway_script *s);

/*
 * One meta-variable: name (upper case, "[A-Z0-9_]+") and value, neither
 * NUL-terminated, valid only during the call.  Returns 0, or -1 to stop.
 */
typedef int gateway_var_fn(void *arg, const char *name, size_t name_len,
    const char *value, size_t value_len);

/*
 * Calls fn for each meta-variable of req (RFC 3875 §4.1) run as script
 * s under ctx: GATEWAY_INTERFACE, SERVER_SOFTWARE, SERVER_PROTOCOL,
 * SERVER_NAME, SERVER_ADDR, SERVER_PORT (ctx->client_fd's address),
 * REMOTE_ADDR, REMOTE_PORT, REQUEST_METHOD, REQUEST_URI, QUERY_STRING
 * (always, "" when none), SCRIPT_NAME, SCRIPT_FILENAME, DOCUMENT_ROOT,
 * PATH_INFO and PATH_TRANSLATED (when there is a PATH_INFO),
 * CONTENT_LENGTH (a body of known length), CONTENT_TYPE (when sent),
 * REDIRECT_STATUS=200 (php-cgi refuses to run without it), HTTPS=on
 * when https, AUTH_TYPE=Basic and REMOTE_USER where the scope checked
 * the credentials (auth-basic), then HTTP_* for the request's fields,
 * each name once (its lines joined with ", ", Cookie's with "; ").
 *
 * Fields that are not passed: Content-Length and Content-Type (they are
 * CONTENT_*), Proxy (HTTP_PROXY would set the script's proxy: httpoxy,
 * CVE-2016-5385), Authorization where the scope checked it (the
 * password stays with the server, RFC 3875 §4.1.18; elsewhere the
 * application may do its own), and any whose name has a character
 * other than a letter, a digit or '-' ("X_Foo" would become HTTP_X_FOO,
 * the very variable "X-Foo" makes, and could pose as a field a front
 * end set).
 *
 * Returns 0, or -1 when fn said -1 or memory ran out.
 */
int gateway_vars(const struct handler_ctx *ctx, const struct http_request *req,
    const struct gateway_script *s, bool https, gateway_var_fn *fn, void *arg);

/* What gateway_head() found in a CGI response head. */
enum gateway_head {
	GATEWAY_HEAD_DOCUMENT = 0,	/* resp has the status and fields */
	GATEWAY_HEAD_LOCAL,		/* a local redirect: resp->location
					 * holds the path ("/x?q") to answer
					 * instead, as a GET (RFC 3875 §6.2.2) */
	GATEWAY_HEAD_BAD		/* not a CGI response: 502 */
};

/*
 * Parses the CGI response head in[0..len) (field lines ending in LF or
 * CRLF, up to and including the blank line; RFC 3875 §6.3) into resp:
 *   Status: "3DIGIT [SP reason]" (200..599; the reason kept in resp);
 *   Location: an absolute URI ("http://x/") -> 302 unless Status says
 *     otherwise; a local path ("/x") without a Status -> GATEWAY_HEAD_LOCAL
 *     (with a Status, it is sent as it is);
 *   Content-Type, Content-Length (digits only: resp->content_length);
 *   any other field is added to resp (http_response_add_field()), but
 *     those the server writes itself or that are hop-by-hop (Connection,
 *     Keep-Alive, Transfer-Encoding, TE, Trailer, Upgrade,
 *     Proxy-Connection, Date, Server), which are dropped.
 * Without a Status: 200, or 302 with a Location.  At least one of
 * Status, Location and Content-Type is required (RFC 3875 §6.2).
 * Strict: a line that is not "name: value" (a token, then field-content
 * without control bytes but HTAB), a folded line, a status line
 * ("HTTP/1.1 200 OK", NPH: not supported), a CGI field given twice, a
 * value that does not fit in resp: GATEWAY_HEAD_BAD (resp then holds
 * nothing the caller needs).  resp's strings (reason, content_type) are
 * kept in resp's own field memory, so they live as long as it.
 */
enum gateway_head gateway_head(const char *in, size_t len,
    struct http_response *resp);

#endif
