/*
 * router.c - which handler answers a request.
 */
#include "autoconf.h"

#include "http_response.h"
#include "router.h"
#include "static.h"

int
router_handle(const struct config *cfg, int root_fd,
    const struct http_request *req, struct http_response *resp)
{
	int status;

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
	case HTTP_METHOD_UNKNOWN:
		/* RFC 9110 §9.1: an origin server that does not recognize a
		 * method SHOULD respond with 501. */
		http_response_error(resp, HTTP_STATUS_NOT_IMPLEMENTED);
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
	status = static_serve(cfg, root_fd, req, resp);
	/* 200, 206 and 304 come complete; the rest get an error page. */
	if (status != HTTP_STATUS_OK && status != HTTP_STATUS_PARTIAL_CONTENT &&
	    status != HTTP_STATUS_NOT_MODIFIED)
		http_response_error(resp, status);
	return resp->status;
}
