/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * worker.c - a worker's life: signals, privileges, and the event loop over
 * its listeners and its idle keep-alive connections.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "conn.h"
#include "fcache.h"
#include "http_response.h"
#include "log.h"
#include "net.h"
#include "scoreboard.h"
#include "static.h"
#include "metrics.h"
#include "status.h"
#include "timers.h"
#include "util.h"
#include "worker.h"

static volatile sig_atomic_t worker_stop;
static volatile sig_atomic_t worker_reopen;
static struct scoreboard_slot *worker_slot;

static void
worker_on_stop(int sig)
{
	(void)sig;
	worker_stop = 1;
}

static void
worker_on_reopen(int sig)
{
	(void)sig;
	worker_reopen = 1;
}

/*
 * The master blocks signals and catches them; a worker starts from a
 * clean slate.  A forked worker dies on TERM and INT by default action:
 * that is the fast stop, and nothing it holds needs cleaning up.  QUIT is
 * the graceful stop (finish the request in flight, then exit) and USR1
 * asks for the logs to be reopened; their handlers only set flags, and
 * a signal interrupts epoll_wait() (whatever SA_RESTART says, signal(7))
 * so the flags are seen at once.  HUP is the master's business alone.
 */
static void
worker_signals(bool one_process)
{
	struct sigaction sa;
	sigset_t none;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGCHLD, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = worker_on_stop;
	sigaction(SIGQUIT, &sa, NULL);
	sa.sa_handler = worker_on_reopen;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = one_process ? worker_on_stop : SIG_DFL;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	/* A client that goes away must be an EPIPE, not a dead worker. */
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Drops to cfg's user and group when started as root; 0 or -1 (logged). */
static int
worker_drop_privileges(const struct config *cfg)
{
	if (geteuid() != 0)
		return 0;
	if (setgroups(1, &cfg->gid) < 0 || setgid(cfg->gid) < 0) {
		log_error("cannot change to group %u:", (unsigned)cfg->gid);
		return -1;
	}
	if (setuid(cfg->uid) < 0) {
		log_error("cannot change to user %s:", cfg->user);
		return -1;
	}
	/* Refuse to serve with any way back to root. */
	if (getuid() == 0 || geteuid() == 0 || setuid(0) == 0) {
		log_error("still root after dropping privileges; refusing to "
		    "serve");
		return -1;
	}
	return 0;
}

/*
 * Takes a connection from listener lfd (non-blocking, like every
 * listener: a worker must never block in accept() while its idle
 * connections wait).  Returns the socket, or -1 when there is none to
 * take.
 */
static int
worker_accept(int lfd, struct sockaddr_storage *peer)
{
	socklen_t len = sizeof(*peer);
	int cfd;

	cfd = accept4(lfd, (struct sockaddr *)peer, &len,
	    SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (cfd >= 0)
		return cfd;
	switch (errno) {
	case EINTR:
	case EAGAIN:
#if EAGAIN != EWOULDBLOCK
	case EWOULDBLOCK:
#endif
	case ECONNABORTED:
	case EPROTO:
	case EPERM:
		/* Another worker took it, or the client gave up: not ours. */
		break;
	case EMFILE:
	case ENFILE:
	case ENOBUFS:
	case ENOMEM:
		/* Out of resources: worker_out_of_fds() says so and backs
		 * off, without stopping the connections this worker has. */
		break;
	default:
		log_error("accept:");
		break;
	}
	return -1;
}

/*
 * The request count after which this worker retires: the limit plus up to
 * a tenth more, different for each worker, so that workers started
 * together do not all recycle at the same moment.  0: never.
 */
static uint64_t
worker_request_limit(unsigned limit)
{
	uint64_t spread;

	if (limit == 0)
		return 0;
	spread = (uint64_t)limit / 10 + 1;
	return limit + ((uint64_t)getpid() * 2654435761u) % spread;
}

/*
 * The worker's connections.  Each is a state machine (conn.c) that the
 * worker resumes when its socket is ready or its deadline comes: epoll
 * watches the sockets beside the listeners, a heap (timers.c) keeps the
 * deadlines.  No connection is ever waited on: a slow or silent client
 * costs its slot, and the worker goes on with the others.
 *
 * Connections that hold nothing (idle keep-alive ones, new ones that
 * have sent nothing yet) are also on a list, oldest first: with the
 * table full, the oldest of them makes room for a new client.
 */
struct worker_conn {
	struct conn c;
	uint32_t gen;		/* tells stale epoll events from a new client */
	uint32_t prev, next;	/* the idle list; next: the free list */
	bool idle;		/* on the idle list */
	bool open;		/* the slot holds a connection */
	bool queued;		/* on the run queue */
	bool counted;		/* in the per-client counts (client) */
	struct scoreboard_client client;
	uint32_t events;	/* watched for in the epoll set */
	bool in_set;		/* the socket is in the epoll set */
};

#define WORKER_NIL UINT32_MAX
/* epoll events per wait; more wait for the next round. */
#define WORKER_EVENTS 64
/* epoll data of a listener: this bit and its index. */
#define WORKER_LISTENER (UINT64_C(1) << 63)
/* epoll data of the file cache's inotify fd. */
#define WORKER_INOTIFY (WORKER_LISTENER | UINT32_MAX)
/* Descriptors a worker needs besides its connections: listeners, logs,
 * the document root, the file cache's, epoll. */
#define WORKER_FD_RESERVE (64 + FCACHE_SIZE)
/* Descriptors one connection may hold: its socket and a file that goes
 * out while the worker serves others. */
#define WORKER_FDS_PER_CONN 3
/* The longest a worker sleeps: its heartbeat for the watchdog. */
#define WORKER_BEAT_MS 1000
/* Running out of descriptors is logged at most this often, and stops
 * accepting for a while. */
#define WORKER_EMFILE_LOG_MS 10000
#define WORKER_EMFILE_REST_MS 100
/* A client over max-connections-per-client: logged at most this often
 * (across all workers), and told to come back after this many seconds. */
#define WORKER_CLIENT_LOG_MS 10000
#define WORKER_CLIENT_RETRY_AFTER "10"

static struct {
	struct worker_conn *t;
	uint32_t cap;
	uint32_t free;			/* head of the free list */
	uint32_t oldest, newest;	/* the idle list */
	uint32_t nidle;			/* on it */
	uint32_t nconns;		/* open */
	struct timers timers;		/* every open connection's deadline */
	const int *fds;			/* the listeners */
	size_t nfds;
	bool listening;			/* the listeners are in the epoll set */
	bool draining;			/* a graceful end: never again */
	bool self_drain;		/* begun by max-requests-per-worker */
	int ep;				/* the epoll instance */
	int64_t emfile_logged;		/* when running out was last logged */
	uint64_t emfile_missed;		/* accepts refused since */
	int64_t relisten;		/* out of descriptors: listen again
					 * then; 0: not resting */
	uint32_t *runq, *running;	/* CONN_WANT_RUN: stepped next round */
	uint32_t nrun;
	int inotify;			/* the file cache's fd in the epoll set */
	uint64_t served;		/* responses sent, for
					 * max-requests-per-worker */
	struct scoreboard *sb;		/* NULL: none (tests) */
	size_t slot;			/* ours in it */
	struct static_root *roots;	/* cfg->roots, open */
} wk;

/*
 * Puts the listeners in the epoll set (on) or takes them out, each woken
 * alone (EPOLLEXCLUSIVE: a connection wakes one waiting worker, not
 * all).  Out while the table is full of connections that cannot make
 * room, lest a ready listener that cannot be served keep epoll_wait()
 * from ever sleeping; out for good in a graceful stop.  0 or -1
 * (logged).
 */
static int
worker_listen(bool on)
{
	if (on == wk.listening)
		return 0;
	for (size_t i = 0; i < wk.nfds; i++) {
		struct epoll_event ev = {
			.events = EPOLLIN | EPOLLEXCLUSIVE,
			.data.u64 = WORKER_LISTENER | i,
		};

		if (on && epoll_ctl(wk.ep, EPOLL_CTL_ADD, wk.fds[i], &ev) < 0) {
			log_error("epoll_ctl (listener):");
			return -1;
		}
		if (!on)
			epoll_ctl(wk.ep, EPOLL_CTL_DEL, wk.fds[i], NULL);
	}
	wk.listening = on;
	return 0;
}

/*
 * The table for cfg->worker_connections, as far as the open-file limit
 * allows (raised to what is needed when the hard limit lets it): every
 * connection may hold WORKER_FDS_PER_CONN descriptors, so the sum of
 * connections, their files, the cache and the rest always fits.  0 or
 * -1 (logged).
 */
static int
worker_conns_init(const struct config *cfg)
{
	uint64_t want = (uint64_t)cfg->worker_connections *
	    WORKER_FDS_PER_CONN + WORKER_FD_RESERVE + cfg->nroots;
	struct rlimit rl;
	uint32_t cap = cfg->worker_connections;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < want) {
		rlim_t was = rl.rlim_cur;

		rl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
		if (rl.rlim_cur > was && setrlimit(RLIMIT_NOFILE, &rl) < 0)
			rl.rlim_cur = was;
		if (rl.rlim_cur < want) {
			cap = rl.rlim_cur > 2 * WORKER_FD_RESERVE ?
			    (uint32_t)((rl.rlim_cur - WORKER_FD_RESERVE) /
			    WORKER_FDS_PER_CONN) : WORKER_FD_RESERVE /
			    WORKER_FDS_PER_CONN;
			log_warn("worker-connections %u is more than the "
			    "open-file limit (%llu) allows: %u",
			    cfg->worker_connections,
			    (unsigned long long)rl.rlim_cur, cap);
		}
	}
	wk.t = calloc(cap, sizeof(*wk.t));
	wk.runq = calloc(cap, sizeof(*wk.runq));
	wk.running = calloc(cap, sizeof(*wk.running));
	if (wk.t == NULL || wk.runq == NULL || wk.running == NULL ||
	    timers_init(&wk.timers, cap) < 0)
		return -1;
	wk.cap = cap;
	for (uint32_t i = 0; i < cap; i++)
		wk.t[i].next = i + 1 < cap ? i + 1 : WORKER_NIL;
	wk.free = 0;
	wk.oldest = wk.newest = WORKER_NIL;
	return 0;
}

static void
worker_idle_push(uint32_t i)
{
	struct worker_conn *w = &wk.t[i];

	w->idle = true;
	w->next = WORKER_NIL;
	w->prev = wk.newest;
	if (wk.newest != WORKER_NIL)
		wk.t[wk.newest].next = i;
	else
		wk.oldest = i;
	wk.newest = i;
	wk.nidle++;
}

static void
worker_idle_unlink(uint32_t i)
{
	struct worker_conn *w = &wk.t[i];

	if (!w->idle)
		return;
	if (w->prev != WORKER_NIL)
		wk.t[w->prev].next = w->next;
	else
		wk.oldest = w->next;
	if (w->next != WORKER_NIL)
		wk.t[w->next].prev = w->prev;
	else
		wk.newest = w->prev;
	w->idle = false;
	wk.nidle--;
}

/* Slot i's connection is closed (closing took it out of the epoll set):
 * the slot is free again. */
static void
worker_release(uint32_t i)
{
	struct worker_conn *w = &wk.t[i];

	worker_idle_unlink(i);
	timers_del(&wk.timers, i);
	if (w->counted)
		scoreboard_client_remove(wk.sb, wk.slot, &w->client);
	w->counted = false;
	w->open = false;
	w->events = 0;
	w->in_set = false;
	w->gen++;
	w->next = wk.free;
	wk.free = i;
	wk.nconns--;
	/* A slot is free again: new clients may come (see worker_listen). */
	if (!wk.listening && !wk.draining && wk.relisten == 0)
		worker_listen(true);
}

/* Watches slot i's connection for events (EPOLLIN or EPOLLOUT).  0 or
 * -1 (logged). */
static int
worker_watch(uint32_t i, uint32_t events)
{
	struct worker_conn *w = &wk.t[i];
	struct epoll_event ev = {
		.events = events,
		.data.u64 = (uint64_t)w->gen << 32 | i,
	};

	if (w->in_set && w->events == events)
		return 0;
	if (epoll_ctl(wk.ep, !w->in_set ? EPOLL_CTL_ADD : EPOLL_CTL_MOD,
	    w->c.sock.fd, &ev) < 0) {
		log_error("epoll_ctl:");
		return -1;
	}
	w->events = events;
	w->in_set = true;
	return 0;
}

/*
 * Where slot i goes after conn_step() said what it waits for: watched
 * for its socket (and on the idle list when it holds nothing), its
 * deadline in the heap; or freed.
 */
static void
worker_after(const struct conn_env *env, uint32_t i, enum conn_want want)
{
	struct worker_conn *w = &wk.t[i];
	uint32_t events = want == CONN_WANT_WRITE ? EPOLLOUT :
	    want == CONN_WANT_APP ? w->c.events : EPOLLIN;

	if (want == CONN_CLOSED) {
		worker_release(i);
		return;
	}
	worker_idle_unlink(i);
	if (want != CONN_WANT_RUN && worker_watch(i, events) < 0) {
		conn_abort(env, &w->c);
		worker_release(i);
		return;
	}
	if (want == CONN_WANT_IDLE)
		worker_idle_push(i);
	if (want == CONN_WANT_RUN) {
		/* Next round, after the others' events: fairness. */
		if (!w->queued)
			wk.runq[wk.nrun++] = i;
		w->queued = true;
		timers_del(&wk.timers, i);
		return;
	}
	timers_set(&wk.timers, i, w->c.deadline);
}

static void worker_step(const struct conn_env *env, uint32_t i, int64_t now);

/* Steps the connections that asked to run again in the last round. */
static void
worker_run_queued(const struct conn_env *env, int64_t now)
{
	uint32_t n = wk.nrun;
	uint32_t *list = wk.runq;

	/* What runs now may queue itself again: for the round after. */
	wk.runq = wk.running;
	wk.running = list;
	wk.nrun = 0;
	for (uint32_t k = 0; k < n; k++) {
		uint32_t i = list[k];

		wk.t[i].queued = false;
		if (wk.t[i].open)
			worker_step(env, i, now);
	}
}

/* Resumes slot i's connection, counting the responses it sends. */
static void
worker_step(const struct conn_env *env, uint32_t i, int64_t now)
{
	struct conn *c = &wk.t[i].c;
	unsigned before = c->served;
	enum conn_want want = conn_step(env, c, now);

	wk.served += c->served - before;
	worker_after(env, i, want);
}

/*
 * accept() failed for want of descriptors or memory: said once in a
 * while, with how many were refused meanwhile, never silently; and the
 * listeners rest for WORKER_EMFILE_REST_MS (a connection left in the
 * queue would make epoll_wait() return at once, for ever), while the
 * connections already open go on.
 */
static void
worker_out_of_fds(int64_t now)
{
	worker_listen(false);
	wk.relisten = now + WORKER_EMFILE_REST_MS;
	wk.emfile_missed++;
	if (wk.emfile_logged != 0 &&
	    now - wk.emfile_logged < WORKER_EMFILE_LOG_MS)
		return;
	log_error("accept: %s (%llu refused since the last report)",
	    strerror(errno), (unsigned long long)wk.emfile_missed);
	wk.emfile_logged = now;
	wk.emfile_missed = 0;
}

/*
 * A client over max-connections-per-client: 503 with Retry-After, then
 * closed.  Written without waiting (the socket is non-blocking; a client
 * that does not take it loses it), since a refusal must not cost the
 * worker more than an accept.  What the client sent is read first, as
 * far as it is there, lest the close reset the 503 away.  Logged once
 * per WORKER_CLIENT_LOG_MS per client across all workers, with a count.
 */
static void
worker_refuse(int fd, const struct sockaddr_storage *peer,
    const struct scoreboard_client *client, const struct config *cfg,
    int64_t now)
{
	static struct http_response resp;
	char head[512], date[HTTP_DATE_LEN], drain[4096], name[NET_ADDR_MAX];
	struct iovec iov[2];
	struct msghdr msg;
	uint64_t refused;

	http_response_init(&resp);
	resp.keep_alive = false;
	http_response_error(&resp, HTTP_STATUS_SERVICE_UNAVAILABLE);
	http_response_add_field(&resp, "Retry-After", 11,
	    WORKER_CLIENT_RETRY_AFTER, sizeof(WORKER_CLIENT_RETRY_AFTER) - 1);
	http_date_format(time(NULL), date);
	iov[0].iov_base = head;
	iov[0].iov_len = http_response_format(&resp, date, head, sizeof(head));
	iov[1].iov_base = (void *)(uintptr_t)resp.mem;
	iov[1].iov_len = resp.mem_len;
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = iov;
	msg.msg_iovlen = 2;
	(void)!recv(fd, drain, sizeof(drain), MSG_DONTWAIT);
	if (iov[0].iov_len > 0)
		(void)!sendmsg(fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
	shutdown(fd, SHUT_WR);
	close(fd);
	refused = scoreboard_client_refused(wk.sb, client, now,
	    WORKER_CLIENT_LOG_MS);
	if (refused == 0)
		return;
	net_peer_name(peer, name, sizeof(name));
	log_warn("client %s holds %u connections (max-connections-per-client "
	    "%u): %llu refused with 503 since the last report", name,
	    scoreboard_client_count(wk.sb, client),
	    cfg->max_connections_per_client, (unsigned long long)refused);
}

/*
 * A new client on listener lfd, served at once.  With the table full,
 * the connection that held nothing longest makes room: a slot is worth
 * more to a client with a request than to one without.
 */
static void
worker_new_client(const struct conn_env *env, int lfd, int64_t now)
{
	struct sockaddr_storage peer;
	struct scoreboard_client client = { { 0, 0 } };
	unsigned limit = env->cfg->max_connections_per_client;
	uint32_t i;
	int cfd;

	if (wk.free == WORKER_NIL) {
		if (wk.oldest == WORKER_NIL) {
			/* Every one busy: no room until one is done. */
			worker_listen(false);
			return;
		}
		i = wk.oldest;
		conn_abort(env, &wk.t[i].c);
		worker_release(i);
	}
	if ((cfd = worker_accept(lfd, &peer)) < 0) {
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		    errno == ENOMEM)
			worker_out_of_fds(now);
		return;
	}
	if (limit > 0 && wk.sb != NULL) {
		scoreboard_client_of(wk.sb, &peer,
		    env->cfg->client_ipv6_prefix, &client);
		if (!scoreboard_client_add(wk.sb, wk.slot, &client, limit)) {
			worker_refuse(cfd, &peer, &client, env->cfg, now);
			return;
		}
	}
	i = wk.free;
	wk.free = wk.t[i].next;
	wk.t[i].counted = limit > 0 && wk.sb != NULL;
	wk.t[i].client = client;
	wk.t[i].open = true;
	wk.nconns++;
	conn_open(env, &wk.t[i].c, cfd, &peer, now);
	wk.t[i].c.tag = (uint64_t)wk.t[i].gen << 32 | i;
	wk.t[i].c.revents = 0;
	worker_step(env, i, now);
}

/* Steps every connection whose deadline has come. */
static void
worker_expire(const struct conn_env *env, int64_t now)
{
	int64_t when;
	uint32_t i;

	while ((i = timers_first(&wk.timers, &when)) != TIMERS_NONE &&
	    when <= now) {
		/* Off the heap first: a step that waits puts it back. */
		timers_del(&wk.timers, i);
		worker_step(env, i, now);
	}
}

/* How long epoll_wait() may sleep: until the next deadline, or not at
 * all when connections wait on the run queue. */
static int
worker_timeout(int64_t now)
{
	int64_t when, left;

	if (wk.nrun > 0)
		return 0;
	if (timers_first(&wk.timers, &when) == TIMERS_NONE)
		when = INT64_MAX;
	if (wk.relisten != 0 && wk.relisten < when)
		when = wk.relisten;
	if (when == INT64_MAX)
		return -1;
	left = when - now;
	if (left <= 0)
		return 0;
	return left > INT32_MAX ? INT32_MAX : (int)left;
}

/*
 * The file cache's changes first (fcache.h): before any connection of
 * this round is stepped, every change complete before the round began
 * is read.  A full batch may have left the inotify fd out: read anyway.
 * And a cache that has just made its inotify fd gets it watched here,
 * from when on its hits no longer read the queue themselves.
 */
static void
worker_file_events(const struct epoll_event *ev, int n)
{
	bool ready = n == WORKER_EVENTS;
	int fd = fcache_event_fd();

	for (int k = 0; k < n && !ready; k++)
		ready = ev[k].data.u64 == WORKER_INOTIFY;
	if (fd != wk.inotify) {
		struct epoll_event e = {
			.events = EPOLLIN,
			.data.u64 = WORKER_INOTIFY,
		};

		wk.inotify = fd;
		if (fd >= 0 && epoll_ctl(wk.ep, EPOLL_CTL_ADD, fd, &e) < 0) {
			log_error("epoll_ctl (inotify):");
			wk.inotify = fd = -1;
		}
		fcache_loop_drains(fd >= 0);
		/* What was queued before the watch began. */
		ready = true;
	}
	if (ready)
		fcache_sync();
}

/*
 * One round: waits for listeners and connections (or the next deadline,
 * or a signal) and steps what is ready.  timeout_ms -1: as the deadlines
 * say.  Returns the number of events, or -1.
 */
static int
worker_round(const struct conn_env *env, int timeout_ms)
{
	struct epoll_event ev[WORKER_EVENTS];
	int64_t now;
	int n;

	if (timeout_ms < 0) {
		int files;

		now = net_now_ms();
		files = fcache_sweep(now);
		timeout_ms = worker_timeout(now);
		/* Wake to close cached files that went unused, too. */
		if (files >= 0 && (timeout_ms < 0 || files < timeout_ms))
			timeout_ms = files;
	}
	/* Beat at least once a second: the watchdog listens for it. */
	if (timeout_ms < 0 || timeout_ms > WORKER_BEAT_MS)
		timeout_ms = WORKER_BEAT_MS;
	if (worker_slot != NULL)
		scoreboard_set_state(worker_slot, wk.draining ?
		    SCOREBOARD_GRACEFUL : wk.listening ? SCOREBOARD_IDLE :
		    SCOREBOARD_FULL);
	n = epoll_wait(wk.ep, ev, WORKER_EVENTS, timeout_ms);
	if (n < 0) {
		if (errno != EINTR)
			log_error("epoll_wait:");
		return -1;
	}
	now = net_now_ms();
	if (worker_slot != NULL)
		scoreboard_heartbeat(worker_slot, now);
	worker_file_events(ev, n);
	for (int k = 0; k < n; k++) {
		uint64_t d = ev[k].data.u64;
		uint32_t i = (uint32_t)d & ~(uint32_t)CONN_TAG_APP;

		if (d == WORKER_INOTIFY)
			continue;
		if (d & WORKER_LISTENER) {
			if (!*env->stop)
				worker_new_client(env, wk.fds[i], now);
			continue;
		}
		/* A slot closed and reused earlier in this round: stale. */
		if (i >= wk.cap || !wk.t[i].open ||
		    wk.t[i].gen != (uint32_t)(d >> 32))
			continue;
		timers_del(&wk.timers, i);
		wk.t[i].c.revents = d & CONN_TAG_APP ? 0 : ev[k].events;
		worker_step(env, i, now);
		if (i < wk.cap)
			wk.t[i].c.revents = 0;
	}
	worker_run_queued(env, now);
	worker_expire(env, now);
	if (wk.relisten != 0 && now >= wk.relisten) {
		wk.relisten = 0;
		if (!wk.draining && wk.free != WORKER_NIL)
			worker_listen(true);
	}
	if (worker_slot != NULL) {
		scoreboard_set_idle_conns(worker_slot, wk.nidle);
		scoreboard_set_open_conns(worker_slot, wk.nconns);
	}
	return n;
}

/*
 * A graceful end: the listeners leave the epoll set; every connection
 * goes on, and each response from now on says Connection: close
 * (*env->stop is set), so keep-alive clients move to the new
 * generation without a request lost.  Connections that hold nothing
 * wait at most keepalive-timeout more for a last request.  The master's
 * shutdown-timeout bounds it all.
 */
static void
worker_drain(const struct conn_env *env)
{
	int64_t grace = net_now_ms() +
	    (int64_t)env->cfg->keepalive_timeout * 1000, end;

	wk.draining = true;
	worker_listen(false);
	for (uint32_t i = wk.oldest; i != WORKER_NIL; i = wk.t[i].next) {
		conn_hurry(&wk.t[i].c, grace);
		timers_set(&wk.timers, i, wk.t[i].c.deadline);
	}
	/*
	 * The master bounds a drain it asked for (and names what the worker
	 * was doing when it ends it); this bounds one the worker began
	 * itself (max-requests-per-worker) the same way.
	 */
	end = wk.self_drain ? net_now_ms() +
	    (int64_t)env->cfg->shutdown_timeout * 1000 : INT64_MAX;
	while (wk.nconns > 0 && net_now_ms() < end)
		worker_round(env, -1);
	for (uint32_t i = 0; i < wk.cap; i++) {
		if (!wk.t[i].open)
			continue;
		conn_abort(env, &wk.t[i].c);
		worker_release(i);
	}
	if (worker_slot != NULL) {
		scoreboard_set_idle_conns(worker_slot, 0);
		scoreboard_set_open_conns(worker_slot, 0);
	}
}

/* The epoll set and the listeners in it.  0 or -1 (logged). */
static int
worker_watch_listeners(const int *fds, size_t nfds)
{
	wk.inotify = -1;
	if ((wk.ep = epoll_create1(EPOLL_CLOEXEC)) < 0) {
		log_error("epoll_create1:");
		return -1;
	}
	wk.fds = fds;
	wk.nfds = nfds;
	return worker_listen(true);
}

/*
 * Opens every directory the configuration serves files from (document
 * roots and aliases) into wk.roots.  0, or -1 (logged).
 */
static int
worker_open_roots(const struct config *cfg)
{
	if ((wk.roots = calloc(cfg->nroots, sizeof(*wk.roots))) == NULL) {
		log_error("cannot allocate the document roots:");
		return -1;
	}
	for (size_t i = 0; i < cfg->nroots; i++) {
		const struct config_root *r = &cfg->roots[i];
		int fd = static_open_root(r->path);

		if (fd < 0) {
			log_error("document root %s:", r->path);
			return -1;
		}
		static_root_init(&wk.roots[i], fd, r->symlinks_outside_root);
	}
	return 0;
}

static void
worker_close_roots(const struct config *cfg)
{
	for (size_t i = 0; i < cfg->nroots && wk.roots != NULL; i++)
		close(wk.roots[i].fd);
	free(wk.roots);
	wk.roots = NULL;
}

/*
 * What a worker sets up before it serves: the document roots (opened
 * before the privilege drop, so that the worker needs rights only below
 * it, as after a chroot), the connection table (before the drop too:
 * the soft open-file limit is raised as far as the hard one allows),
 * the privilege drop, death with the master, and the buffers.  Returns
 * 0, or -1 (logged).
 */
static int
worker_prepare(const struct config *cfg, pid_t master_pid, bool one_process,
    const struct scoreboard *sb)
{
	if (worker_open_roots(cfg) < 0)
		return -1;
	if (worker_conns_init(cfg) < 0) {
		log_error("cannot allocate the connection table:");
		return -1;
	}
	if (worker_drop_privileges(cfg) < 0)
		return -1;
	fcache_configure(cfg->file_cache_memory);
	/*
	 * Die with the master.  Set after the privilege drop, which clears
	 * it (prctl(2)).  The master may have died before: then our parent
	 * is no longer it.
	 */
	if (!one_process && (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 ||
	    getppid() != master_pid))
		return -1;
	/* Rows for the old and the new generation side by side. */
	if (conn_init(cfg) < 0 || (cfg->any_status_page && sb != NULL &&
	    status_init(2 * (size_t)cfg->max_workers < sb->nslots ?
	    2 * (size_t)cfg->max_workers : sb->nslots) < 0) ||
	    (cfg->any_metrics && metrics_init(cfg) < 0)) {
		log_error("cannot allocate the worker's buffers:");
		return -1;
	}
	return 0;
}

int
worker_run(const struct config *cfg, const int *fds, size_t nfds,
    pid_t master_pid, bool one_process, struct scoreboard *sb,
    struct scoreboard_slot *slot)
{
	struct conn_env env;
	uint64_t limit;

	log_set_role("worker");
	worker_signals(one_process);
	if (worker_prepare(cfg, master_pid, one_process, sb) < 0 ||
	    worker_watch_listeners(fds, nfds) < 0)
		return WORKER_EXIT_FATAL;
	worker_slot = slot;
	wk.sb = sb;
	wk.slot = sb != NULL && slot != NULL ? (size_t)(slot - sb->slot) : 0;
	env.cfg = cfg;
	env.roots = wk.roots;
	env.stop = &worker_stop;
	env.reopen = &worker_reopen;
	env.sb = sb;
	env.slot = slot;
	env.ep = wk.ep;
	limit = worker_request_limit(cfg->max_requests_per_worker);
	log_debug("serving");
	while (!worker_stop) {
		if (worker_reopen) {
			worker_reopen = 0;
			log_reopen();
		}
		worker_round(&env, -1);
		if (limit > 0 && wk.served >= limit) {
			log_info("served %llu requests (max-requests-per-worker "
			    "%u): retiring", (unsigned long long)wk.served,
			    cfg->max_requests_per_worker);
			/* From here on, as a graceful stop, but one that no
			 * master bounds: worker_drain() does. */
			worker_stop = 1;
			wk.self_drain = true;
		}
	}
	if (slot != NULL)
		scoreboard_set_state(slot, SCOREBOARD_GRACEFUL);
	worker_drain(&env);
	conn_pool_clear();
	close(wk.ep);
	worker_close_roots(cfg);
	return WORKER_EXIT_OK;
}
