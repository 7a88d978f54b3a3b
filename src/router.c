/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * router.c - which handler answers a request.
 *
 * The status page is matched first, on the path exactly as sent (still
 * percent-encoded, no normalization): it is a name of the server's own,
 * and "/server%2dstatus" or "/server-status/" are files like any other.
 */
#include "autoconf.h"

#include <string.h>

#include "http_response.h"
#include "router.h"
#include "static.h"
#include "status.h"

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

/*
 * RFC 9110 §9.3.7: a successful OPTIONS response SHOULD say what the
 * server supports (Allow), for "*" (the server) as for a path; it has no
 * content, so Content-Length is 0.
 */
static int
router_options(const struct handler_ctx *ctx, const struct http_request *req,
    struct http_response *resp)
{
	(void)ctx;
	(void)req;
	resp->status = HTTP_STATUS_OK;
	resp->allow = ROUTER_ALLOW_STATIC;
	resp->content_length = 0;
	return resp->status;
}

/*
 * Known but not for files: POST, PUT, DELETE, PATCH, CONNECT, and
 * TRACE, which would echo the request (cookies and all) back (RFC 9110
 * §9.3.8 lets a server refuse it).  RFC 9110 §15.5.6: a 405 MUST carry
 * Allow.
 */
static int
router_not_allowed(const struct handler_ctx *ctx,
    const struct http_request *req, struct http_response *resp)
{
	(void)ctx;
	(void)req;
	resp->allow = ROUTER_ALLOW_STATIC;
	http_response_error(resp, HTTP_STATUS_METHOD_NOT_ALLOWED);
	return resp->status;
}

/* RFC 9110 §9.1: an origin server that does not recognize a method
 * SHOULD respond with 501, whatever the resource. */
static int
router_not_implemented(const struct handler_ctx *ctx,
    const struct http_request *req, struct http_response *resp)
{
	(void)ctx;
	(void)req;
	http_response_error(resp, HTTP_STATUS_NOT_IMPLEMENTED);
	return resp->status;
}

handler_fn *
router_pick(const struct handler_ctx *ctx, const struct http_request *req)
{
	if (req->method == HTTP_METHOD_UNKNOWN)
		return router_not_implemented;
	if (router_is_status(ctx, req))
		return status_handle;
	switch (req->method) {
	case HTTP_METHOD_GET:
	case HTTP_METHOD_HEAD:
		return static_handle;
	case HTTP_METHOD_OPTIONS:
		return router_options;
	default:
		return router_not_allowed;
	}
}

int
router_handle(const struct handler_ctx *ctx, const struct http_request *req,
    struct http_response *resp)
{
	return router_pick(ctx, req)(ctx, req, resp);
}
