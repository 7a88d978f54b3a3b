/*
 * conn.h - one client connection in a worker: read a header block against
 * the header deadline, parse it, route it, send the response, log it, and
 * go on while pipelined requests are buffered; then hand the connection
 * back to the worker, idle, or close it.  Nothing on this path allocates: the
 * buffer for headers and bodies is allocated once per worker by
 * conn_init().
 */
#ifndef FORKHTTPD_CONN_H
#define FORKHTTPD_CONN_H

#include <signal.h>
#include <sys/socket.h>

#include "config.h"
#include "net.h"
#include "scoreboard.h"

/*
 * Allocates the worker's buffer (cfg->header_max plus a window for
 * reading bodies through) and, if cfg->directory_listing, the listing
 * buffers.  0 or -1.
 */
int conn_init(const struct config *cfg);

/* What a worker hands to every connection. */
struct conn_env {
	const struct config *cfg;
	int root_fd;			/* from static_open_root() */
	const volatile sig_atomic_t *stop;	/* non-zero: last response */
	volatile sig_atomic_t *reopen;	/* non-zero: reopen the logs */
	struct scoreboard *sb;		/* for the status page; NULL: none */
	struct scoreboard_slot *slot;	/* this worker's; NULL: none */
};

/* One client connection, as its worker keeps it between requests. */
struct conn {
	int fd;				/* -1 once closed */
	unsigned served;		/* responses sent on it */
	struct sockaddr_storage peer;
	char client[NET_ADDR_MAX];	/* the peer's address, for the logs */
};

/* How conn_serve() left a connection. */
enum conn_after {
	CONN_CLOSED,	/* closed; c->fd is -1 */
	CONN_IDLE	/* keep-alive with nothing buffered: the worker waits
			 * for it to be readable, then calls conn_serve() again */
};

/* Takes over an accepted socket (non-blocking; TCP_NODELAY from its
 * listener, see net_listen()). */
void conn_open(struct conn *c, int fd, const struct sockaddr_storage *peer);

/*
 * Serves c's requests, pipelined ones included, until the connection
 * closes or would have to wait for its client's next request.  A new
 * connection's first request must arrive within header-timeout; a
 * connection back from idling is read once without waiting (nothing
 * there: CONN_IDLE again).  A graceful stop (*env->stop) makes the
 * response in flight the last.  The worker's scoreboard slot follows
 * what it does, and the logs are reopened between requests when
 * *env->reopen asks.
 */
enum conn_after conn_serve(const struct conn_env *env, struct conn *c);

#endif
