/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * scoreboard.h - what every worker is doing, in memory shared by the
 * master and its workers: one slot per worker, written only by the worker
 * that owns it (and by the master when it starts or reaps one), read by
 * the master (pool size, watchdog, crash reports) and by the status page.
 *
 * The memory is an anonymous MAP_SHARED mapping made by the master before
 * the first fork, so every worker of every generation inherits it; it
 * holds no pointers.  Readers may see a slot half-updated (one request's
 * line with the next one's client): the values are reports, never used to
 * make a decision that could not stand a torn read, and strings are
 * always NUL-terminated within their arrays.
 */
#ifndef FORKHTTPD_SCOREBOARD_H
#define FORKHTTPD_SCOREBOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>

/* Room for the start of a request line and for a client address. */
#define SCOREBOARD_LINE_MAX 256
#define SCOREBOARD_CLIENT_MAX 64
/* Room for scoreboard_describe(): both escaped (4 bytes a byte), and
 * the words around them. */
#define SCOREBOARD_DESCRIBE_MAX \
	(4 * (SCOREBOARD_LINE_MAX + SCOREBOARD_CLIENT_MAX) + 64)

enum scoreboard_state {
	SCOREBOARD_EMPTY = 0,	/* no worker in this slot */
	SCOREBOARD_STARTING,	/* forked, not yet accepting */
	SCOREBOARD_IDLE,	/* in epoll_wait: for a new client, or the next
				 * request on an idle keep-alive connection */
	SCOREBOARD_READING,	/* reading a request (header or body) */
	SCOREBOARD_WRITING,	/* sending a response */
	SCOREBOARD_CLOSING,	/* lingering after an error */
	SCOREBOARD_GRACEFUL,	/* told to finish and exit */
	SCOREBOARD_FULL,	/* in epoll_wait, every connection slot taken
				 * by a client that holds it: busy, for the
				 * adaptive pool */
	SCOREBOARD_STATE_COUNT
};

/*
 * The counters the metrics page (metrics.c) reads, per slot (in rows
 * after the per-client part, scoreboard_counts_of(), so that the slots
 * stay small for the loops over them and rows of slots never used cost
 * no memory) and, for workers gone, retired in the scoreboard's global
 * part.  Fixed arrays
 * so the mapping stays bounded: the first SCOREBOARD_SERVERS servers
 * (in conf-file order) are counted apart, every later one in the extra
 * row [SCOREBOARD_SERVERS] ("other").  Methods by class (GET, HEAD,
 * POST, anything else), statuses by class (1xx..5xx); the request
 * duration in SCOREBOARD_DURATION_BUCKETS buckets (not cumulative: [k]
 * counts durations in (bound[k-1], bound[k]], the last one +Inf).
 */
#define SCOREBOARD_SERVERS 32
#define SCOREBOARD_METHOD_CLASSES 4	/* GET, HEAD, POST, other */
#define SCOREBOARD_STATUS_CLASSES 5	/* 1xx..5xx */
#define SCOREBOARD_DURATION_BUCKETS 12	/* 11 bounds, then +Inf */

struct scoreboard_counts {
	uint64_t requests[SCOREBOARD_SERVERS + 1][SCOREBOARD_METHOD_CLASSES]
	    [SCOREBOARD_STATUS_CLASSES];
	uint64_t bytes[SCOREBOARD_SERVERS + 1];	/* body bytes sent */
	uint64_t duration[SCOREBOARD_DURATION_BUCKETS];
	uint64_t duration_us;			/* their sum */
	/* HTTPS (SCOREBOARD_TLS_*): handshakes done, of which resumed;
	 * handshakes failed; plain HTTP requests to a TLS port. */
	uint64_t tls[4];
};
enum {
	SCOREBOARD_TLS_HANDSHAKES = 0, SCOREBOARD_TLS_RESUMED,
	SCOREBOARD_TLS_FAILED, SCOREBOARD_TLS_PLAIN
};

/* The duration buckets' upper bounds in microseconds (0.005 s .. 10 s). */
extern const uint64_t scoreboard_duration_bound_us[
    SCOREBOARD_DURATION_BUCKETS - 1];

struct scoreboard_slot {
	pid_t pid;
	unsigned generation;
	volatile int state;		/* enum scoreboard_state */
	volatile uint32_t idle_conns;	/* connections waiting for a request
					 * (idle keep-alive, or new and silent) */
	uint64_t requests;		/* served by this worker */
	uint64_t bytes;			/* body bytes sent by this worker */
	time_t started;			/* the worker's start (wall clock) */
	int64_t request_start_ms;	/* CLOCK_MONOTONIC ms; 0: none */
	int64_t heartbeat_ms;		/* the worker's loop last turned
					 * (monotonic ms); 0: not yet */
	time_t request_start;		/* the same on the wall clock */
	char request[SCOREBOARD_LINE_MAX];	/* the line being served */
	char client[SCOREBOARD_CLIENT_MAX];	/* its client's address */
	volatile uint32_t open_conns;	/* open, idle ones included */
};

struct scoreboard {
	time_t started;			/* the master's start */
	unsigned generation;		/* the configuration now serving */
	uint64_t reloads;		/* successful reloads */
	uint64_t past_requests;		/* requests of workers gone */
	uint64_t past_bytes;
	/* The master's counts, for the metrics page. */
	uint64_t reloads_failed;
	uint64_t worker_starts;		/* forks that succeeded */
	uint64_t worker_exits;		/* workers reaped, crashes too */
	uint64_t worker_crashes;	/* killed by a signal we did not send,
					 * or failed while serving (exit 1) */
	struct scoreboard_counts retired;	/* of workers gone */
	size_t nslots;
	struct scoreboard_slot slot[];	/* nslots of them */
};

/* Maps a zeroed scoreboard of nslots slots; NULL with errno on failure. */
struct scoreboard *scoreboard_create(size_t nslots);

/* Unmaps it (the master, at exit). */
void scoreboard_destroy(struct scoreboard *sb);

/*
 * The state's name as the status page shows it: "empty", "starting",
 * "idle", "reading", "writing", "closing", "graceful";
 * "unknown" for a value out of range (a torn or corrupt slot).
 */
const char *scoreboard_state_name(int state);

/*
 * Master: a worker is about to be forked into slot i: sets pid (0 if not
 * known yet; the master stores it after fork()), generation, state
 * STARTING, its start time, zero counters (idle_conns too) and no
 * request.  Slot i must be EMPTY (new, or scoreboard_clear()ed).  The
 * master calls it before fork(), so the child's first writes cannot be
 * undone; if called after, a child that has already written its slot
 * keeps its state and counters (idle_conns too).
 */
void scoreboard_start(struct scoreboard *sb, size_t i, pid_t pid,
    unsigned generation);

/*
 * Master: the worker of slot i is gone.  Adds its counters to the past
 * totals (its metrics counters to sb->retired, so that no total ever
 * goes down) and empties the slot (state EMPTY, pid 0, idle_conns 0,
 * open_conns 0), keeping nothing: the connections it held died with it,
 * and leave the per-client counts (scoreboard_client_add()).
 * Call scoreboard_describe() first to report what it was doing.
 */
void scoreboard_clear(struct scoreboard *sb, size_t i);

/*
 * Writes "\"GET / HTTP/1.1\" from 127.0.0.1 for 1234 ms" (what the slot's
 * worker was serving, with the time spent on it so far: now_ms is
 * net_now_ms()) into buf; "\"GET /big HTTP/1.1\" from 127.0.0.1, sending in
 * the background" for a response going out in the background (see
 * scoreboard_background_request()); or "no request" when it was between
 * requests.  " from ..." is left out when no client was recorded.  The
 * line and the client are escaped as the access log escapes its quoted
 * fields (log_escape(): '"' and '\' get a backslash, other bytes
 * outside printable ASCII become \xHH).  Truncated to cap - 1 bytes
 * (SCOREBOARD_DESCRIBE_MAX is always enough), always NUL-terminated when
 * cap > 0.  For log lines.
 */
void scoreboard_describe(const struct scoreboard_slot *s, int64_t now_ms,
    char *buf, size_t cap);

/* Worker side: slot s is its own.  Sets the state alone. */
void scoreboard_set_state(struct scoreboard_slot *s, enum scoreboard_state st);

/*
 * Worker: it now holds n connections waiting for a request (idle
 * keep-alive ones, and new ones that have sent nothing yet).  Sets idle_conns alone, whatever the state; no other worker
 * call changes it.  n above UINT32_MAX is stored as UINT32_MAX.
 */
void scoreboard_set_idle_conns(struct scoreboard_slot *s, unsigned n);

/* Worker: it holds n connections in all (idle ones included); as
 * scoreboard_set_idle_conns() for open_conns. */
void scoreboard_set_open_conns(struct scoreboard_slot *s, unsigned n);

/* The connections open in live workers (open_conns of slots not EMPTY). */
uint64_t scoreboard_total_open_conns(const struct scoreboard *sb);

/*
 * Worker: a request begins: state READING, its start time, and a copy of
 * (the start of) its request line and client address, control characters
 * replaced by '?'.
 */
void scoreboard_begin_request(struct scoreboard_slot *s, const char *line,
    size_t len, const char *client);

/*
 * Worker: its event loop turned at now_ms (net_now_ms()).  A worker
 * beats at least once a second while it lives (see worker.c), so the
 * master's watchdog takes a slot whose beat is older than
 * request-timeout for a worker stuck in one step.
 */
void scoreboard_heartbeat(struct scoreboard_slot *s, int64_t now_ms);

/* Worker: the request was answered with bytes of body; counts it and
 * clears the request (state left to the caller). */
void scoreboard_end_request(struct scoreboard_slot *s, uint64_t bytes);

/*
 * Worker: the request's response goes on in the background (a file the
 * client takes slowly) while the worker serves others.  Counts the
 * request and clears its start, so that the watchdog does not take the
 * worker for stuck on it, but keeps its line and client: until another
 * request begins, scoreboard_describe() and the status page show it as
 * sending in the background.
 */
void scoreboard_background_request(struct scoreboard_slot *s);

/*
 * Worker: a response sent in the background is done, with bytes of body:
 * counted; its line and client are cleared unless a request in the
 * foreground has taken the fields since.
 */
void scoreboard_background_done(struct scoreboard_slot *s, uint64_t bytes);

/*
 * Worker: a response is done (or cut off): counts it in the metrics
 * counters of its slot s of sb: server index server (from
 * SCOREBOARD_SERVERS up: "other"), the class of method (enum
 * http_method), the status class (a status outside 100..599 counts as
 * 5xx), bytes of body, and how long it took in microseconds.  Apart from scoreboard_end_request()'s counters.
 */
void scoreboard_count_response(struct scoreboard *sb,
    const struct scoreboard_slot *s, size_t server, int method, int status,
    uint64_t bytes, uint64_t duration_us);

/* Slot i's metrics counters (zeroed by scoreboard_start() on an EMPTY
 * slot, folded into sb->retired and zeroed by scoreboard_clear()). */
struct scoreboard_counts *scoreboard_counts_of(const struct scoreboard *sb,
    size_t i);

/*
 * The metrics counters of workers gone and of every live slot, added
 * into *out (which the caller zeroes first).  Never below an earlier
 * call's result but for the instant of a scoreboard_clear() (see there).
 */
void scoreboard_sum_counts(const struct scoreboard *sb,
    struct scoreboard_counts *out);

/* Master: a worker was reaped; crashed: killed by a signal we did not
 * send, or failed while serving (POLICY_EXIT_CRASHED). */
void scoreboard_worker_exited(struct scoreboard *sb, bool crashed);

/* Totals over the past and the live slots. */
uint64_t scoreboard_total_requests(const struct scoreboard *sb);
uint64_t scoreboard_total_bytes(const struct scoreboard *sb);

/*
 * The idle keep-alive connections held by live workers: the sum of
 * idle_conns over the slots that are not EMPTY (an empty slot's value is
 * no one's, whatever a torn read left in it).
 */
uint64_t scoreboard_total_idle_conns(const struct scoreboard *sb);

/* How many slots are in state st. */
size_t scoreboard_count(const struct scoreboard *sb, enum scoreboard_state st);

/*
 * Connections per client (max-connections-per-client), counted across
 * every worker.  A client (an IPv4 address, or an IPv6 address cut to
 * its prefix) is counted in two of SCOREBOARD_CLIENT_BUCKETS buckets
 * chosen by a hash keyed at random for each scoreboard, and its count
 * is the smaller of the two (a count-min sketch): never below the truth,
 * and above it only when other clients fill both of its buckets, which
 * no client can aim for without the key.  Each worker's slot also keeps
 * what it added itself, so that scoreboard_clear() takes a dead worker's
 * connections out of the count: a crash leaks nothing.  Atomic, no
 * locks.
 */
#define SCOREBOARD_CLIENT_BUCKETS 4096

struct scoreboard_client {
	uint16_t bucket[2];
};

/*
 * The buckets of the client at ss (AF_INET, or AF_INET6, where a
 * v4-mapped address counts as its IPv4 one and any other keeps only its
 * first ipv6_prefix bits, 1..128).  Pure, given sb's key.
 */
void scoreboard_client_of(const struct scoreboard *sb,
    const struct sockaddr_storage *ss, unsigned ipv6_prefix,
    struct scoreboard_client *out);

/*
 * Worker of slot i: counts one more connection of client c, unless the
 * client already holds limit (> 0) connections across all workers (or
 * this worker holds 65535 of its bucket).  True if counted: the worker
 * must then call scoreboard_client_remove() when it closes it.
 */
bool scoreboard_client_add(struct scoreboard *sb, size_t i,
    const struct scoreboard_client *c, unsigned limit);

/* Worker of slot i: a connection counted by scoreboard_client_add()
 * is closed. */
void scoreboard_client_remove(struct scoreboard *sb, size_t i,
    const struct scoreboard_client *c);

/* The connections client c holds across all workers (an upper bound). */
unsigned scoreboard_client_count(const struct scoreboard *sb,
    const struct scoreboard_client *c);

/*
 * A connection of client c was refused at now_ms (net_now_ms()).  Counts
 * it, and returns how many were refused since the last report when a
 * report is due (the first, or interval_ms after the last one, whichever
 * worker made it); 0 otherwise.  So a client is logged once per interval
 * across all workers, with a count.
 */
uint64_t scoreboard_client_refused(struct scoreboard *sb,
    const struct scoreboard_client *c, int64_t now_ms, int64_t interval_ms);

#endif
