/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * forward.h - pure: the request head a proxy sends upstream for a
 * client's request (RFC 9110 §7.6, RFC 9112, RFC 7239).
 *
 *   request line   the method as sent, the target (below), HTTP/1.1
 *   fields         the client's, in order, but for the hop-by-hop ones
 *                  (Connection, Keep-Alive, TE, Trailer, Upgrade,
 *                  Proxy-Connection, Transfer-Encoding, Content-Length,
 *                  and every field the Connection field names), Expect
 *                  (we answer it ourselves) and the forwarding fields
 *   then ours      X-Forwarded-For, X-Forwarded-Proto, X-Forwarded-Host
 *                  and Forwarded (RFC 7239), replacing what the client
 *                  sent, so that no client can forge them; Host when
 *                  the client sent none (HTTP/1.0); the body's framing
 *                  (Content-Length as the client gave it, else
 *                  Transfer-Encoding: chunked: we re-frame it); for a
 *                  WebSocket upgrade, Connection: upgrade and Upgrade:
 *                  websocket
 *
 * The target: without a prefix the path passes as it came (still
 * encoded), with the query.  With one (http://host/PREFIX), the part of
 * the path the route matched is replaced by the prefix, nginx-style:
 * route "/api/" to http://b/v1/ sends /api/x as /v1/x.  That part is
 * known on the decoded, normalised path, so the rest is re-encoded
 * (RFC 3986 §3.3: anything but pchar and '/' as %XX).  A regex route
 * matches no part: the prefix goes before the whole path.
 */
#ifndef FORKHTTPD_FORWARD_H
#define FORKHTTPD_FORWARD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "http.h"

struct forward_info {
	const char *prefix;		/* "" or NULL: none */
	const char *path;		/* decoded, normalised (the router's) */
	size_t path_len;
	size_t match_len;		/* bytes of path the route matched */
	const struct sockaddr_storage *peer;	/* the client */
	const char *proto;		/* "http" */
	const char *host;		/* Host when the client sent none */
	bool websocket;			/* pass the client's upgrade */
};

/*
 * Whether req asks for a WebSocket (RFC 6455 §4.1): GET, HTTP/1.1,
 * Upgrade naming websocket and Connection naming upgrade.
 */
bool forward_is_websocket(const struct http_request *req);

/* The names a message's Connection fields list, read once. */
#define FORWARD_HOP_NAMED 16

struct forward_hop {
	struct http_slice fields;	/* the message's field lines */
	struct http_slice named[FORWARD_HOP_NAMED];
	unsigned n;
	bool more;			/* more than that: fields is read again */
};

/* Reads the Connection fields among fields (a block of field lines, as
 * struct http_request's) into h. */
void forward_hop_init(struct forward_hop *h, struct http_slice fields);

/*
 * Whether the field called name is hop-by-hop (see the top) in h's
 * message: one of the fixed list, or named by its Connection fields.
 */
bool forward_hop_by_hop(const struct forward_hop *h, struct http_slice name);

/*
 * Writes the head for req into out[0..cap), the blank line included.
 * Returns its length, or 0 when it does not fit (nothing usable in out).
 */
size_t forward_head(const struct http_request *req,
    const struct forward_info *fi, char *out, size_t cap);

#endif
