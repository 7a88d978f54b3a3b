/*
 * router.h - which handler answers a request: GET and HEAD go to the
 * static handler, OPTIONS is answered with Allow, an unknown method is
 * 501 and any other known method is 405 with Allow.
 */
#ifndef FORKHTTPD_ROUTER_H
#define FORKHTTPD_ROUTER_H

#include "config.h"
#include "http.h"

/* The methods the static handler allows, for the Allow field. */
#define ROUTER_ALLOW_STATIC "GET, HEAD, OPTIONS"

/*
 * Fills resp for req.  Always leaves a complete response (an error one
 * included); returns its status.
 */
int router_handle(const struct config *cfg, int root_fd,
    const struct http_request *req, struct http_response *resp);

#endif
