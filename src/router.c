/*
 * router.c - which handler answers a request.
 *
 * The status page is matched first, on the path exactly as sent (still
 * percent-encoded, no normalization): it is a name of the server's own,
 * and "/server%2dstatus" or "/server-status/" are files like any other.
 * On that path the peer is checked before the method, so a client that
 * may not see the page learns nothing more from a POST than from a GET.
 */
#include "autoconf.h"

#include <string.h>
#include <time.h>

#include "http_response.h"
#include "router.h"
#include "static.h"
#include "status.h"

/* Whether req is for the status page (configured and reachable). */
static bool
router_is_status(const struct config *cfg, const struct router_client *client,
    const struct http_request *req)
{
	size_t n;

	if (cfg->status_path == NULL || client == NULL)
		return false;
	n = strlen(cfg->status_path);
	return req->path.len == n && memcmp(req->path.p, cfg->status_path,
	    n) == 0;
}

/* "?json", or "?json&..." (the first parameter, without a value). */
static bool
router_wants_json(const struct http_request *req)
{
	const struct http_slice *q = &req->query;

	return q->len >= 4 && memcmp(q->p, "json", 4) == 0 &&
	    (q->len == 4 || q->p[4] == '&');
}

static int
router_status(const struct config *cfg, const struct router_client *client,
    const struct http_request *req, struct http_response *resp)
{
	int status;

	if (!status_allowed(cfg, client->peer)) {
		http_response_error(resp, HTTP_STATUS_FORBIDDEN);
		return resp->status;
	}
	if (req->method != HTTP_METHOD_GET && req->method != HTTP_METHOD_HEAD) {
		/* RFC 9110 §15.5.6: a 405 MUST carry Allow. */
		resp->allow = ROUTER_ALLOW_STATUS;
		http_response_error(resp, HTTP_STATUS_METHOD_NOT_ALLOWED);
		return resp->status;
	}
	status = status_page(client->sb, router_wants_json(req), time(NULL),
	    resp);
	if (status != HTTP_STATUS_OK)
		http_response_error(resp, status);
	return resp->status;
}

int
router_handle(const struct config *cfg, const struct static_root *root,
    const struct router_client *client, const struct http_request *req,
    struct http_response *resp)
{
	int status;

	/* RFC 9110 §9.1: an origin server that does not recognize a method
	 * SHOULD respond with 501, whatever the resource. */
	if (req->method == HTTP_METHOD_UNKNOWN) {
		http_response_error(resp, HTTP_STATUS_NOT_IMPLEMENTED);
		return resp->status;
	}
	if (router_is_status(cfg, client, req))
		return router_status(cfg, client, req, resp);

	switch (req->method) {
	case HTTP_METHOD_GET:
	case HTTP_METHOD_HEAD:
		break;
	case HTTP_METHOD_OPTIONS:
		/*
		 * RFC 9110 §9.3.7: a successful OPTIONS response SHOULD say
		 * what the server supports (Allow), for "*" (the server) as
		 * for a path; it has no content, so Content-Length is 0.
		 */
		resp->status = HTTP_STATUS_OK;
		resp->allow = ROUTER_ALLOW_STATIC;
		resp->content_length = 0;
		return resp->status;
	default:
		/*
		 * Known but not for files: POST, PUT, DELETE, PATCH, CONNECT,
		 * and TRACE, which would echo the request (cookies and all)
		 * back (RFC 9110 §9.3.8 lets a server refuse it).  RFC 9110
		 * §15.5.6: a 405 MUST carry Allow.
		 */
		resp->allow = ROUTER_ALLOW_STATIC;
		http_response_error(resp, HTTP_STATUS_METHOD_NOT_ALLOWED);
		return resp->status;
	}
	status = static_serve(cfg, root, req, resp);
	/* 200, 206 and 304 come complete; the rest get an error page. */
	if (status != HTTP_STATUS_OK && status != HTTP_STATUS_PARTIAL_CONTENT &&
	    status != HTTP_STATUS_NOT_MODIFIED)
		http_response_error(resp, status);
	return resp->status;
}
