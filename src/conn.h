/*
 * conn.h - one client connection in a worker: read a header block against
 * the header deadline, parse it, route it, send the response, log it, and
 * loop while keep-alive allows.  Nothing on this path allocates: the
 * buffer for headers and bodies is allocated once per worker by
 * conn_init().
 */
#ifndef FORKHTTPD_CONN_H
#define FORKHTTPD_CONN_H

#include <signal.h>
#include <sys/socket.h>

#include "config.h"
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
	const int *listeners;		/* the listening sockets */
	size_t nlisteners;
	const volatile sig_atomic_t *stop;	/* non-zero: last response */
	volatile sig_atomic_t *reopen;	/* non-zero: reopen the logs */
	struct scoreboard *sb;		/* for the status page; NULL: none */
	struct scoreboard_slot *slot;	/* this worker's; NULL: none */
};

/*
 * Serves the accepted socket fd until the connection ends, then closes
 * it.  An idle keep-alive connection is closed early when connections are
 * waiting on a listener and no other worker takes them: a prefork worker
 * is worth more to a waiting client than to an idle one.  A graceful
 * stop (*env->stop) ends it after the response in flight, or at once
 * while it is idle.  The worker's scoreboard slot follows what it does,
 * and the logs are reopened between requests when *env->reopen asks.
 * Returns the number of responses sent.
 */
unsigned conn_serve(const struct conn_env *env, int fd,
    const struct sockaddr_storage *peer);

#endif
