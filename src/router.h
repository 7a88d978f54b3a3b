/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * router.h - which handler answers a request: an unknown method 501; the
 * status page at cfg->status_path (when set, for the clients
 * status-allow lets in); GET and HEAD the static handler; OPTIONS
 * answered with Allow; any other known method 405 with Allow.
 */
#ifndef FORKHTTPD_ROUTER_H
#define FORKHTTPD_ROUTER_H

#include "handler.h"
#include "static.h"
#include "status.h"

/* The methods the static handler allows, for the Allow field. */
#define ROUTER_ALLOW_STATIC "GET, HEAD, OPTIONS"

/* The handler for req.  ctx->peer NULL means no status page: its path
 * is then a file path like any other. */
handler_fn *router_pick(const struct handler_ctx *ctx,
    const struct http_request *req);

/*
 * Picks the handler for req and runs it: resp is then complete (an
 * error one included, with its body).  Returns its status.
 */
int router_handle(const struct handler_ctx *ctx,
    const struct http_request *req, struct http_response *resp);

#endif
