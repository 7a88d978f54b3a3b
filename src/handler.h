/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * handler.h - the contract between a connection and what answers its
 * requests.  A handler receives the parsed request and a context, and
 * fills a response: a status (any, with its reason phrase or one of its
 * own), fields (those struct http_response names, and any others added
 * with http_response_add_field()), and a body source (http.h: none,
 * memory, a file, file ranges, or a stream another process writes).
 *
 * Who owns what:
 *   - req and everything it points to belong to the connection and live
 *     until the response is sent; a handler keeps no pointer into them.
 *   - resp is the connection's.  A file or stream fd put in it becomes
 *     the response's: the connection closes it when the response is
 *     done (unless fd_cached: then it is the file cache's).  A memory
 *     body must live until the handler returns; unless resp->mem_stable
 *     says it lives longer (a literal), the connection copies what it
 *     cannot send at once before it waits on the client.
 *   - ctx and what it points to belong to the worker.
 *
 * When: a handler runs inside one step of the worker's event loop and
 * must not wait on anything a client controls.  It returns the
 * response's status, and the response is then complete: a handler that
 * answers with an error fills the error body itself (http_response_error()
 * for the built-in page), and what it filled is sent as it is, so an
 * error of the handler's own keeps its body.
 *
 * Not ready: a handler that hands the request to an application in
 * another process (a proxy, FastCGI, CGI: app.h) does not wait for it.
 * It sets up the exchange (connects, or starts the script; writes the
 * request's prelude), puts it in resp->app and returns 0.  The
 * connection then owns the app and resumes it whenever its descriptors
 * are ready, with the worker serving others meanwhile: it feeds it the
 * request body as it arrives, takes the response head from it (then
 * adds the scope's header fields), and streams the body to the client.
 * A handler that cannot set one up (no upstream reachable at once, no
 * such script) answers itself, with an error status, as any other.
 *
 * Request bodies: a handler that takes no body leaves it to the
 * connection, which reads and drops it (within body-max, body-timeout
 * and body-min-rate) before the response goes out.  The body of a
 * request handed to an app goes to the app.
 */
#ifndef FORKHTTPD_HANDLER_H
#define FORKHTTPD_HANDLER_H

#include <sys/socket.h>

#include "config.h"
#include "http.h"

/* Only pointed to here: a handler that needs one includes its header. */
struct scoreboard;
struct static_root;

struct handler_ctx {
	const struct config *cfg;
	const struct static_root *roots;	/* the worker's, cfg->roots' */
	const struct sockaddr_storage *peer;	/* the client, from accept() */
	int client_fd;				/* its socket, for getsockname()
						 * alone (CGI's SERVER_ADDR);
						 * -1: none */
	const struct scoreboard *sb;		/* NULL: no status page */
	size_t *server_out;			/* NULL, or where the router
						 * writes the server it chose */
	/* What the router chose (router.h), for the handler it runs: */
	const struct config_server *server;
	const struct config_scope *scope;	/* the route's, or server's */
	const struct route_match *match;	/* NULL: no route matched */
	const char *path;			/* decoded, normalised */
	size_t path_len;
	const struct static_root *root;		/* roots[scope->root] */
	const char *rel;			/* the file beneath root */
	bool dir_form;				/* the path ended in '/' */
};

/* Fills resp for req (see the top); returns resp->status, or 0 with
 * resp->app set. */
typedef int handler_fn(const struct handler_ctx *ctx,
    const struct http_request *req, struct http_response *resp);

#endif
