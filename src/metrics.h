/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * metrics.h - the metrics page: the scoreboard's counters in the
 * Prometheus text exposition format (version 0.0.4), served by a route
 * with `metrics = true` to loopback clients, or to those its own allow
 * and deny let in.
 *
 * The page is written into a buffer of the worker's, allocated once by
 * metrics_init(); nothing is allocated per request.
 */
#ifndef FORKHTTPD_METRICS_H
#define FORKHTTPD_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "config.h"
#include "handler.h"
#include "http.h"
#include "scoreboard.h"

#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* The methods the metrics page allows. */
#define METRICS_ALLOW "GET, HEAD"

/*
 * The bytes metrics_render() may need for cfg: a bound, from the
 * number of servers counted apart and the length of their names.
 */
size_t metrics_size(const struct config *cfg);

/* Allocates the page buffer for cfg (metrics_size()).  0, or -1. */
int metrics_init(const struct config *cfg);

/*
 * Writes the page for sb (the servers' names from cfg) at now into
 * buf[0..cap): 0 with *len set, or -1 if it did not fit (buf then holds
 * a cut page).  Pure but for reading sb, which others write meanwhile.
 */
int metrics_render(const struct scoreboard *sb, const struct config *cfg,
    time_t now, char *buf, size_t cap, size_t *len);

/*
 * The handler (handler.h) of a `metrics` route: 403 for a client not on
 * loopback when the route has no allow or deny of its own (with them,
 * the router has applied them), 405 for a method but GET and HEAD, else
 * 200 with the page (500 when metrics_init() was not called, sb is
 * NULL, or the page did not fit).  Never cached.
 */
handler_fn metrics_handle;

#endif
