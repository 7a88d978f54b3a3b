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
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>

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

/*
 * At most this many responses per worker go on in the background (the
 * access log's fields of each are kept meanwhile, in a buffer of
 * CONN_LOG_KEEP bytes); beyond, a file is sent as before, the worker
 * waiting on it.
 */
#define CONN_SENDING_MAX 32
#define CONN_LOG_KEEP 4096

/* A file body still going out while its worker serves others. */
struct conn_sending {
	int file_fd;			/* owned */
	off_t start, off, end;		/* body bytes [start, end) */
	int64_t deadline;		/* send-timeout: stalled past it, ends */
	int64_t check;			/* next look at the send queue */
	int queued;			/* unacknowledged bytes at the last look
					 * (SIOCOUTQ), or -1 */
	int status;
	bool keep_alive;
	time_t when;			/* for the access log */
	char *log;			/* request line, referer, user agent */
	size_t line_len, ref_len, ua_len;
	bool has_ref, has_ua;
};

/* One client connection, as its worker keeps it between requests. */
struct conn {
	int fd;				/* -1 once closed */
	unsigned served;		/* responses sent on it */
	struct sockaddr_storage peer;
	char client[NET_ADDR_MAX];	/* the peer's address, for the logs */
	bool sending;			/* snd is in use */
	struct conn_sending snd;
};

/* How conn_serve() or conn_send_more() left a connection. */
enum conn_after {
	CONN_CLOSED,	/* closed; c->fd is -1 */
	CONN_IDLE,	/* keep-alive with nothing buffered: the worker
			 * waits for it to be readable, then calls
			 * conn_serve() again */
	CONN_SENDING	/* a file body is going out (c->sending): the worker
			 * waits for it to be writable, or for c->snd.deadline,
			 * and calls conn_send_more() */
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

/*
 * Goes on with c's file body (c->sending) as far as the socket takes it
 * without waiting; the worker calls it when the socket is writable, and
 * at c->snd.check (every NET_SEND_SLICE_MS), when it looks at the send
 * queue: a queue that shrank is progress, as bytes sent are, and moves
 * c->snd.deadline on.  At the deadline with neither, the client has
 * stalled for send-timeout: the connection is closed.  Once the body
 * is out the response is logged and counted; then the connection goes
 * idle (keep-alive, unless a graceful stop began) or is closed.
 */
enum conn_after conn_send_more(const struct conn_env *env, struct conn *c,
    int64_t now_ms);

/* Gives up c's file body (c->sending): logged with what went out, and
 * the connection closed. */
void conn_send_abort(const struct conn_env *env, struct conn *c);

#endif
