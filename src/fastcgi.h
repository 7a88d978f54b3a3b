/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fastcgi.h - the FastCGI handler: a route with `fastcgi = "ADDRESS"`
 * hands its requests to a FastCGI server (php-fpm) as a Responder.
 *
 * It finds the script first (gateway.h: a regular file beneath the
 * route's root, or 404 before the server hears of it), connects to the
 * server without waiting (backend.h), writes the prelude (BEGIN_REQUEST
 * and the CGI meta-variables as PARAMS, fcgi.h) and hands the exchange
 * to the connection as an app (app.h): the request body goes out as
 * STDIN records as it arrives, the STDOUT records come back as one CGI
 * response (gateway_head()), STDERR goes to the error log, tagged with
 * the server and the script, and END_REQUEST ends it.  One request per
 * connection to the server (no FCGI_KEEP_CONN): the server closes it.
 * php-fpm gives a kept connection a child of its own until it closes,
 * so a worker's idle kept connections would hold children that the
 * other workers' requests wait for, however few of them there are.
 */
#ifndef FORKHTTPD_FASTCGI_H
#define FORKHTTPD_FASTCGI_H

#include "handler.h"
#include "http.h"

/*
 * The handler for scope->handler == CONFIG_HANDLER_FASTCGI, any method.
 * Returns 0 with resp->app set (the connection drives it from there), or
 * a status it answered with itself: 404 and the like from
 * gateway_script(), 411 for a chunked request body (FastCGI servers
 * read CONTENT_LENGTH bytes, and the body is not stored to learn it),
 * 502 when the server cannot be reached at once (refused, no socket
 * file), 431 when the request's meta-variables do not fit in the
 * prelude, 500 when memory ran out.
 */
int fastcgi_handle(const struct handler_ctx *ctx,
    const struct http_request *req, struct http_response *resp);

#endif
