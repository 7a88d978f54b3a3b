/*
 * router.h - which handler answers a request: the status page at
 * cfg->status_path (when set, for the clients status-allow lets in), GET
 * and HEAD to the static handler, OPTIONS answered with Allow, an unknown
 * method 501 and any other known method 405 with Allow.
 */
#ifndef FORKHTTPD_ROUTER_H
#define FORKHTTPD_ROUTER_H

#include <sys/socket.h>

#include "config.h"
#include "http.h"
#include "scoreboard.h"
#include "static.h"

/* The methods the static handler allows, for the Allow field. */
#define ROUTER_ALLOW_STATIC "GET, HEAD, OPTIONS"

/* The methods the status page allows. */
#define ROUTER_ALLOW_STATUS "GET, HEAD"

/*
 * Who is asking, and what the status page reports.  Neither is owned;
 * both outlive the call.  sb NULL: the page is a 500.
 */
struct router_client {
	const struct sockaddr_storage *peer;	/* from accept() */
	const struct scoreboard *sb;
};

/*
 * Fills resp for req from the client.  client NULL means no status page:
 * its path is then a file path like any other.  Always leaves a complete
 * response (an error one included); returns its status.
 */
int router_handle(const struct config *cfg, const struct static_root *root,
    const struct router_client *client, const struct http_request *req,
    struct http_response *resp);

#endif
