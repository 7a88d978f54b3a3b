/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * router.h - who answers a request: the server its Host names, the
 * route its path matches, and that route's (or server's) keys.
 *
 * In order: an unknown method is 501; the status page at status-path
 * (the shorthand, matched on the path as sent) is the status handler;
 * then the server (vhost.h: by name, else the default one), the path
 * decoded and normalised (400 or 414 when it cannot be), the route
 * (route.h), and in the scope it gives: deny/allow (403), the password
 * (401), methods (405 with Allow, OPTIONS answered with it), and the
 * handler: redirect, respond, the status page, or static files (GET and
 * HEAD; a name starting with '.' is 404 unless hidden-files, but for
 * /.well-known/).  The scope's header fields go on every response, and
 * an error status with an error-page gets that page's file as its body.
 */
#ifndef FORKHTTPD_ROUTER_H
#define FORKHTTPD_ROUTER_H

#include <limits.h>
#include <stdio.h>

#include "config.h"
#include "handler.h"
#include "route.h"
#include "static.h"
#include "status.h"

/* The methods the static handler allows, for the Allow field. */
#define ROUTER_ALLOW_STATIC "GET, HEAD, OPTIONS"

/* What the router chose for a request (router_choose()). */
struct router_choice {
	size_t server;			/* in cfg->servers */
	const char *server_how;		/* "name", "wildcard", "default" */
	int route;			/* in its routes; -1: none */
	struct route_match match;
	int status;			/* 0, or 400/414: no usable path */
	bool dir_form;			/* the path ended in '/' */
	size_t path_len;
	char path[PATH_MAX];		/* decoded, normalised */
	char rel[PATH_MAX];		/* the file beneath the scope's root */
};

/*
 * Chooses the server for host (a Host value; len 0: none) and the route
 * for path (as sent, still encoded) into ch.  Returns ch's scope.
 */
const struct config_scope *router_choose(const struct config *cfg,
    const char *host, size_t host_len, const char *path, size_t path_len,
    struct router_choice *ch);

/*
 * Answers req: resp is then complete (an error one included, with its
 * body).  Returns its status.  ctx->peer NULL means no status page (its
 * path is then a file path like any other).
 */
int router_handle(const struct handler_ctx *ctx,
    const struct http_request *req, struct http_response *resp);

/*
 * For `forkhttpd -t -R URL`: writes to out which server and route would
 * answer url ("http://host[:port]/path?query", or a bare "/path"), by
 * which rule, and with what.  Returns 0, or -1 for a URL it cannot read.
 */
int router_explain(const struct config *cfg, const char *url, FILE *out);

#endif
