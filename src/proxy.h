/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * proxy.h - the reverse proxy: a handler that hands a request to an HTTP
 * upstream (`proxy = { "http://...", "unix:/..." }`) as an application
 * (app.h), and the worker's state for it.
 *
 * Per worker, nothing shared:
 *   - the upstreams of a route are used round-robin;
 *   - one that refuses a connection (or whose socket file is missing) is
 *     skipped for PROXY_DOWN_MS (passive health), unless all are;
 *   - keep-alive connections to upstreams are pooled (PROXY_POOL_MAX,
 *     idle at most PROXY_POOL_IDLE_MS), each checked with a
 *     recv(MSG_PEEK | MSG_DONTWAIT) before it is used again; only a
 *     connection whose response came whole, and that both sides keep, is
 *     put back;
 *   - at most half of worker-connections WebSocket tunnels are open
 *     (app_tunnel_count(), 503 beyond).
 * A request not sent yet goes to the next upstream when one cannot be
 * reached or closes before answering (retry()); one that was sent is
 * sent again only when its method is idempotent (RFC 9110 §9.2.2).
 */
#ifndef FORKHTTPD_PROXY_H
#define FORKHTTPD_PROXY_H

#include "handler.h"

#define PROXY_DOWN_MS 10000
#define PROXY_POOL_MAX 32
#define PROXY_POOL_IDLE_MS 30000

/*
 * The handler of a `proxy` scope (ctx->scope->backends): returns 0 with
 * resp->app set (handler.h), or an error status with resp filled (502:
 * no upstream can be reached; 503: too many tunnels; 431: the head does
 * not fit; logged).
 */
int proxy_handle(const struct handler_ctx *ctx, const struct http_request *req,
    struct http_response *resp);

#endif
