/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * status.h - the status page: uptime, generation, totals, requests per
 * second and one row per worker, from the scoreboard, as HTML or (with
 * "?json") as JSON.  Served at cfg->status_path when that is set, to the
 * clients cfg->status_allow lets in (loopback by default).
 *
 * The page is written into a buffer of the worker's, allocated once by
 * status_init(); nothing is allocated per request.
 */
#ifndef FORKHTTPD_STATUS_H
#define FORKHTTPD_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <time.h>

#include "config.h"
#include "handler.h"
#include "http.h"
#include "scoreboard.h"

/* Allocates the page buffer for up to nslots rows.  0, or -1. */
int status_init(size_t nslots);

/*
 * Whether the client at peer may see the page: its address matches one
 * of cfg->status_allow (addresses, or networks as "10.0.0.0/8",
 * "fd00::/8"; "all" lets everyone in).  A v4-mapped IPv6 peer matches as
 * its IPv4 address.
 */
bool status_allowed(const struct config *cfg,
    const struct sockaddr_storage *peer);

/*
 * Fills resp with the page for sb at now: 200 with HTTP_BODY_MEM pointing
 * into the worker's buffer, Content-Type text/html or application/json,
 * never cached (the caller adds nothing).  Returns the status (500 when
 * status_init() was not called or the buffer is too small).
 */
int status_page(const struct scoreboard *sb, bool json, time_t now,
    struct http_response *resp);

/* The methods the status page allows. */
#define STATUS_ALLOW "GET, HEAD"

/*
 * The handler (handler.h) of the status page: 403 for a client
 * status-allow does not let in, 405 for a method but GET and HEAD, else
 * the page for ctx->sb (as HTML, or JSON for "?json"; 500 when sb is
 * NULL).
 */
handler_fn status_handle;

#endif
