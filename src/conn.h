/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * conn.h - one client connection in a worker, as a state machine that
 * the worker's event loop resumes whenever the socket is ready or the
 * connection's deadline comes: read a header block, route it, read (and
 * drop) its body, send the response, log it, go on with what is
 * pipelined, then wait idle for the next request or close.  No call
 * here ever waits on the client: a slow, silent or stalled client costs
 * its connection's slot and buffer, never the worker.
 *
 * Memory.  An idle connection is a struct conn (about 300 bytes) and its
 * socket.  A connection reading a request also holds an exchange from
 * the worker's pool: about 600 bytes and a request buffer of
 * CONN_BUF_FIRST (4 KiB), grown to header-max + CONN_BODY_WINDOW only
 * for a header that needs it.  Once a header block is whole, the
 * response side (the response and the reply, about 36 KiB) joins it
 * until the response is out.  Both go back to their pools; a response
 * that must wait for its client may also hold a copy of the rest of a
 * generated page (a listing or the status page) and one file
 * descriptor.
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
#include "sock.h"
#include "static.h"

/* Room behind the header block for reading request bodies through. */
#define CONN_BODY_WINDOW (16 * 1024)

/*
 * A request buffer starts this large, enough for nearly every header
 * block, and grows to header-max + CONN_BODY_WINDOW only when a header
 * needs more, or leaves less than CONN_BODY_MIN behind it for a body.
 */
#define CONN_BUF_FIRST 4096
#define CONN_BODY_MIN 2048

/* Requests one connection may have answered in one step before the
 * worker turns to the others (pipelining must not starve them). */
#define CONN_STEP_REQUESTS 8

/* Exchanges the worker keeps allocated for reuse when none is in use. */
#define CONN_POOL_KEEP 64

/* What a worker hands to every connection. */
struct conn_env {
	const struct config *cfg;
	const struct static_root *roots; /* by cfg->roots' index */
	const volatile sig_atomic_t *stop;	/* non-zero: last response */
	volatile sig_atomic_t *reopen;	/* non-zero: reopen the logs */
	struct scoreboard *sb;		/* for the status page; NULL: none */
	struct scoreboard_slot *slot;	/* this worker's; NULL: none */
	int ep;				/* the worker's epoll instance, where a
					 * connection watches its application's
					 * descriptors (app.h); -1: none */
};

/* In a connection's epoll data: the event is about its application's
 * descriptors, not its socket. */
#define CONN_TAG_APP (UINT64_C(1) << 31)

struct conn_x;

/* One client connection. */
struct conn {
	struct sock sock;
	int state;			/* private: enum conn_state */
	unsigned served;		/* responses sent on it */
	int64_t deadline;		/* the worker calls conn_step() by then */
	int64_t due;			/* private: the deadline of the state */
	int64_t check;			/* private: next look at the send queue
					 * or at the transfer rate */
	int64_t win_start;		/* private: the rate window's start */
	uint64_t win_bytes;		/* private: bytes moved before it */
	int queued;			/* private: SIOCOUTQ at the last look */
	struct conn_x *x;		/* the exchange; NULL while idle */
	uint64_t tag;			/* the worker's epoll data for it */
	uint32_t events;		/* CONN_WANT_APP: what the socket is
					 * watched for */
	uint32_t revents;		/* what epoll said of the socket at
					 * this step (0: a deadline, or an
					 * application's descriptor) */
	struct sockaddr_storage peer;
	char client[NET_ADDR_MAX];	/* the peer's address, for the logs */
};

/* What the connection waits for after conn_step(). */
enum conn_want {
	CONN_WANT_READ,		/* readable, or c->deadline */
	CONN_WANT_WRITE,	/* writable, or c->deadline */
	CONN_WANT_IDLE,		/* waiting for the first byte of a request
				 * (keep-alive, or a new silent connection):
				 * readable, or c->deadline; holds nothing */
	CONN_WANT_RUN,		/* more is buffered: step again soon */
	CONN_WANT_APP,		/* waiting on its application (app.h),
				 * whose descriptors it watches itself;
				 * the socket for c->events (the client
				 * hanging up, or a tunnel's traffic), or
				 * c->deadline */
	CONN_CLOSED		/* closed; the slot is free */
};

/*
 * Allocates what every worker needs once (the listing buffers when
 * directory-listing is on).  0 or -1.
 */
int conn_init(const struct config *cfg);

/* Frees the pool of exchanges (a worker at its end; tests). */
void conn_pool_clear(void);

/*
 * Takes over an accepted socket (non-blocking; TCP_NODELAY from its
 * listener) at now (net_now_ms()): its first request must arrive
 * within header-timeout.  Call conn_step() next: the request is usually
 * there already.
 */
void conn_open(const struct conn_env *env, struct conn *c, int fd,
    const struct sockaddr_storage *peer, int64_t now);

/*
 * Goes on with c as far as it can without waiting: the worker calls it
 * when the socket is ready (as the last conn_want asked) or at
 * c->deadline, whichever comes first.  Deadlines are enforced here: a
 * header not complete within header-timeout (408), a body not complete
 * within body-timeout or slower than body-min-rate (408), a response
 * stalled for send-timeout or taken slower than send-min-rate (closed),
 * an idle connection at keepalive-timeout (closed).  A graceful stop
 * (*env->stop) makes every response from then on the last of its
 * connection.
 */
enum conn_want conn_step(const struct conn_env *env, struct conn *c,
    int64_t now);

/*
 * A graceful end: a connection that holds nothing (CONN_WANT_IDLE)
 * waits for its next request until until at the latest; c->deadline
 * follows.
 */
void conn_hurry(struct conn *c, int64_t until);

/*
 * Closes c at once (the worker needs the room, or is stopping): a
 * response in flight is logged with what went out.
 */
void conn_abort(const struct conn_env *env, struct conn *c);

#endif
