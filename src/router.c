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

	if (req->method != HTTP_METHOD_GET && req->method != HTTP_METHOD_HEAD) {
		/* RFC 9110 §15.5.6: a 405 MUST carry Allow. */
		resp->allow = ROUTER_ALLOW_STATIC;
		http_response_error(resp, HTTP_STATUS_METHOD_NOT_ALLOWED);
		return resp->status;
	}
	status = static_serve(cfg, root_fd, req, resp);
	if (status != HTTP_STATUS_OK)
		http_response_error(resp, status);
	return resp->status;
}
