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
#include <time.h>
#include <unistd.h>

#include "conn.h"
#include "fcache.h"
#include "log.h"
#include "net.h"
#include "scoreboard.h"
#include "static.h"
#include "status.h"
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

/* The net module's progress hook: the watchdog's heartbeat. */
static void
worker_progress(void)
{
	scoreboard_progress(worker_slot);
}

/*
 * The master blocks signals and catches them; a worker starts from a
 * clean slate.  A forked worker dies on TERM and INT by default action:
 * that is the fast stop, and nothing it holds needs cleaning up.  QUIT is
 * the graceful stop (finish the request in flight, then exit) and USR1
 * asks for the logs to be reopened; their handlers only set flags, and
 * without SA_RESTART they interrupt accept() and poll() so the flags are
 * seen at once.  HUP is the master's business alone.
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
	case ENOMEM: {
		/* Out of resources: back off instead of spinning. */
		struct timespec ts = { 0, 100 * 1000 * 1000 };

		log_error("accept:");
		nanosleep(&ts, NULL);
		break;
	}
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
 * The worker's connections.  It serves one request at a time; between
 * requests, keep-alive connections wait idle in this table, watched by
 * epoll beside the listeners, so that a client that keeps its connection
 * open does not hold a whole process (the keep-alive handling of
 * Apache's event MPM, in processes).  Idle connections are on a list
 * oldest first.  Every one's deadline is its time of arrival plus
 * keepalive-timeout, so the list is in deadline order too: the head
 * expires next, and is the first to go when a new client needs room.
 */
struct worker_conn {
	struct conn c;
	int64_t deadline;	/* while idle: keepalive-timeout runs out */
	uint32_t gen;		/* tells stale epoll events from a new client */
	uint32_t prev, next;	/* the idle list; next: the free list */
	bool idle;
	bool sending;		/* on the sending list */
	uint32_t events;	/* watched for in the epoll set; 0: not in it */
};

#define WORKER_NIL UINT32_MAX
/* epoll events per wait; more wait for the next round. */
#define WORKER_EVENTS 64
/* epoll data of a listener: this bit and its index. */
#define WORKER_LISTENER (UINT64_C(1) << 63)
/* Descriptors a worker needs besides its connections: listeners, logs,
 * the document root, the file cache's, the files being sent, epoll. */
#define WORKER_FD_RESERVE (64 + FCACHE_SIZE + CONN_SENDING_MAX)

static struct {
	struct worker_conn *t;
	uint32_t cap;
	uint32_t free;			/* head of the free list */
	uint32_t oldest, newest;	/* the idle list */
	uint32_t nidle;			/* on it */
	uint32_t sending[CONN_SENDING_MAX];	/* sending in the background */
	uint32_t nsending;
	const int *fds;			/* the listeners */
	size_t nfds;
	bool listening;			/* the listeners are in the epoll set */
	bool draining;			/* a graceful end: never again */
	int ep;				/* the epoll instance */
} wk;

/*
 * The table for cfg->worker_connections, as far as the open-file limit
 * allows (raised to what is needed when the hard limit lets it).  0 or
 * -1 (logged).
 */
/*
 * Puts the listeners in the epoll set (on) or takes them out, each woken
 * alone (EPOLLEXCLUSIVE: a connection wakes one waiting worker, not
 * all).  Out while every slot is busy sending, lest a ready listener
 * that cannot be served keep epoll_wait() from ever sleeping; out for
 * good in a graceful stop.  0 or -1 (logged).
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

static int
worker_conns_init(const struct config *cfg)
{
	uint64_t want = (uint64_t)cfg->worker_connections + WORKER_FD_RESERVE;
	struct rlimit rl;
	uint32_t cap = cfg->worker_connections;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < want) {
		rlim_t was = rl.rlim_cur;

		rl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
		if (rl.rlim_cur > was && setrlimit(RLIMIT_NOFILE, &rl) < 0)
			rl.rlim_cur = was;
		if (rl.rlim_cur < want) {
			cap = rl.rlim_cur > 2 * WORKER_FD_RESERVE ?
			    (uint32_t)(rl.rlim_cur - WORKER_FD_RESERVE) :
			    WORKER_FD_RESERVE;
			log_warn("worker-connections %u is more than the "
			    "open-file limit (%llu) allows: %u",
			    cfg->worker_connections,
			    (unsigned long long)rl.rlim_cur, cap);
		}
	}
	wk.t = calloc(cap, sizeof(*wk.t));
	if (wk.t == NULL)
		return -1;
	wk.cap = cap;
	for (uint32_t i = 0; i < cap; i++) {
		wk.t[i].c.fd = -1;
		wk.t[i].next = i + 1 < cap ? i + 1 : WORKER_NIL;
	}
	wk.free = 0;
	wk.oldest = wk.newest = WORKER_NIL;
	return 0;
}

static void
worker_idle_push(uint32_t i, int64_t deadline)
{
	struct worker_conn *w = &wk.t[i];

	w->idle = true;
	w->deadline = deadline;
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

/* Closes slot i's connection (closing takes it out of the epoll set). */
static void
worker_release(uint32_t i)
{
	struct worker_conn *w = &wk.t[i];

	if (w->idle)
		worker_idle_unlink(i);
	if (w->c.fd >= 0)
		close(w->c.fd);
	w->c.fd = -1;
	w->events = 0;
	w->gen++;
	w->next = wk.free;
	wk.free = i;
	/* A slot is free again: new clients may come (see worker_listen). */
	if (!wk.listening && !wk.draining)
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

	if (w->events == events)
		return 0;
	if (epoll_ctl(wk.ep, w->events == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD,
	    w->c.fd, &ev) < 0) {
		log_error("epoll_ctl:");
		return -1;
	}
	w->events = events;
	return 0;
}

static void
worker_sending_remove(uint32_t i)
{
	for (uint32_t k = 0; k < wk.nsending; k++) {
		if (wk.sending[k] == i) {
			wk.sending[k] = wk.sending[--wk.nsending];
			break;
		}
	}
	wk.t[i].sending = false;
}

/*
 * Where slot i goes after conn_serve() or conn_send_more() said how they
 * left it: idle (watched for its next request), sending (watched for
 * room in its socket), or closed (the slot freed).
 */
static void
worker_after(const struct conn_env *env, uint32_t i, enum conn_after how)
{
	struct worker_conn *w = &wk.t[i];

	if (how != CONN_SENDING && w->sending)
		worker_sending_remove(i);
	switch (how) {
	case CONN_CLOSED:
		worker_release(i);
		return;
	case CONN_IDLE:
		if (worker_watch(i, EPOLLIN) < 0) {
			worker_release(i);
			return;
		}
		worker_idle_push(i, net_now_ms() +
		    (int64_t)env->cfg->keepalive_timeout * 1000);
		return;
	case CONN_SENDING:
		if (worker_watch(i, EPOLLOUT) < 0) {
			/* Cannot wait for room: give it up. */
			conn_send_abort(env, &w->c);
			worker_after(env, i, CONN_CLOSED);
			return;
		}
		if (!w->sending) {
			wk.sending[wk.nsending++] = i;
			w->sending = true;
		}
		return;
	}
}

/*
 * Serves slot i until its connection closes, goes idle or sends in the
 * background, counting the responses in *served.
 */
static void
worker_serve(const struct conn_env *env, uint32_t i, uint64_t *served)
{
	struct worker_conn *w = &wk.t[i];
	unsigned before = w->c.served;
	enum conn_after how = conn_serve(env, &w->c);

	*served += w->c.served - before;
	worker_after(env, i, how);
}

/*
 * A new client on listener lfd, served at once.  With the table full,
 * the connection idle longest makes room: a worker is worth more to a
 * client with a request than to one without.
 */
static void
worker_new_client(const struct conn_env *env, int lfd, uint64_t *served)
{
	struct sockaddr_storage peer;
	uint32_t i;
	int cfd;

	if (wk.free == WORKER_NIL) {
		if (wk.oldest == WORKER_NIL) {
			/* Every one sending: no room until one is done. */
			worker_listen(false);
			return;
		}
		worker_release(wk.oldest);
	}
	if ((cfd = worker_accept(lfd, &peer)) < 0)
		return;
	i = wk.free;
	wk.free = wk.t[i].next;
	conn_open(&wk.t[i].c, cfd, &peer);
	worker_serve(env, i, served);
}

/*
 * Closes the idle connections whose keepalive-timeout ran out, and
 * looks at the sending ones whose time to look at their queue came.
 */
static void
worker_expire(const struct conn_env *env, int64_t now)
{
	while (wk.oldest != WORKER_NIL && wk.t[wk.oldest].deadline <= now)
		worker_release(wk.oldest);
	/* Backwards: worker_after() may move the last one into k. */
	for (uint32_t k = wk.nsending; k-- > 0;) {
		uint32_t i = wk.sending[k];

		if (wk.t[i].c.snd.check <= now)
			worker_after(env, i, conn_send_more(env, &wk.t[i].c,
			    now));
	}
}

/* How long epoll_wait() may sleep: until the next deadline. */
static int
worker_timeout(int64_t now)
{
	int64_t next = INT64_MAX, left;

	if (wk.oldest != WORKER_NIL)
		next = wk.t[wk.oldest].deadline;
	for (uint32_t k = 0; k < wk.nsending; k++)
		if (wk.t[wk.sending[k]].c.snd.check < next)
			next = wk.t[wk.sending[k]].c.snd.check;
	if (next == INT64_MAX)
		return -1;
	left = next - now;
	if (left <= 0)
		return 0;
	return left > INT32_MAX ? INT32_MAX : (int)left;
}

/*
 * One round: waits for listeners and idle connections (or an idle
 * deadline, or a signal) and serves what is ready.  timeout_ms -1: as
 * the idle deadlines say.  Returns the number of events, or -1.
 */
static int
worker_round(const struct conn_env *env, int timeout_ms, uint64_t *served)
{
	struct epoll_event ev[WORKER_EVENTS];
	int n;

	if (timeout_ms < 0) {
		int64_t now = net_now_ms();
		int files = fcache_sweep(now);

		timeout_ms = worker_timeout(now);
		/* Wake to close cached files that went unused, too. */
		if (files >= 0 && (timeout_ms < 0 || files < timeout_ms))
			timeout_ms = files;
	}
	n = epoll_wait(wk.ep, ev, WORKER_EVENTS, timeout_ms);
	if (n < 0) {
		if (errno != EINTR)
			log_error("epoll_wait:");
		return -1;
	}
	for (int k = 0; k < n; k++) {
		uint64_t d = ev[k].data.u64;
		uint32_t i = (uint32_t)d;

		if (d & WORKER_LISTENER) {
			if (!*env->stop)
				worker_new_client(env, wk.fds[i], served);
			continue;
		}
		/* A slot closed and reused earlier in this round: stale. */
		if (i >= wk.cap || wk.t[i].gen != (uint32_t)(d >> 32))
			continue;
		if (wk.t[i].sending)
			worker_after(env, i, conn_send_more(env, &wk.t[i].c,
			    net_now_ms()));
		else if (wk.t[i].idle) {
			worker_idle_unlink(i);
			worker_serve(env, i, served);
		}
	}
	worker_expire(env, net_now_ms());
	if (worker_slot != NULL)
		scoreboard_set_idle_conns(worker_slot, wk.nidle);
	return n;
}

/*
 * A graceful end: the listeners leave the epoll set, idle connections
 * whose client has already sent a request get a last answer (with
 * Connection: close), the rest are closed, and responses still going
 * out in the background are finished (each bounded by send-timeout; the
 * master's shutdown-timeout bounds it all).
 */
static void
worker_drain(const struct conn_env *env, uint64_t *served)
{
	wk.draining = true;
	worker_listen(false);
	while (wk.oldest != WORKER_NIL && worker_round(env, 0, served) > 0)
		;
	while (wk.oldest != WORKER_NIL)
		worker_release(wk.oldest);
	while (wk.nsending > 0)
		worker_round(env, -1, served);
	if (worker_slot != NULL)
		scoreboard_set_idle_conns(worker_slot, 0);
}

/* The epoll set and the listeners in it.  0 or -1 (logged). */
static int
worker_watch_listeners(const int *fds, size_t nfds)
{
	if ((wk.ep = epoll_create1(EPOLL_CLOEXEC)) < 0) {
		log_error("epoll_create1:");
		return -1;
	}
	wk.fds = fds;
	wk.nfds = nfds;
	return worker_listen(true);
}

int
worker_run(const struct config *cfg, const int *fds, size_t nfds,
    pid_t master_pid, bool one_process, struct scoreboard *sb,
    struct scoreboard_slot *slot)
{
	struct conn_env env;
	uint64_t limit, served = 0;
	int root_fd;

	log_set_role("worker");
	worker_signals(one_process);
	/*
	 * Open the document root before dropping privileges: the worker then
	 * needs rights only below it, as after a chroot.
	 */
	if ((root_fd = static_open_root(cfg->document_root)) < 0) {
		log_error("document root %s:", cfg->document_root);
		return WORKER_EXIT_FATAL;
	}
	/* Before the privilege drop: root may raise the hard limit. */
	if (worker_conns_init(cfg) < 0) {
		log_error("cannot allocate the connection table:");
		return WORKER_EXIT_FATAL;
	}
	if (worker_drop_privileges(cfg) < 0)
		return WORKER_EXIT_FATAL;
	if (!one_process) {
		/*
		 * Die with the master.  Set after the privilege drop, which
		 * clears it (prctl(2)).  The master may have died before:
		 * then our parent is no longer it.
		 */
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 ||
		    getppid() != master_pid)
			return WORKER_EXIT_FATAL;
	}
	/* Rows for the old and the new generation side by side. */
	if (conn_init(cfg) < 0 || (cfg->status_path != NULL && sb != NULL &&
	    status_init(2 * (size_t)cfg->max_workers < sb->nslots ?
	    2 * (size_t)cfg->max_workers : sb->nslots) < 0)) {
		log_error("cannot allocate the worker's buffers:");
		return WORKER_EXIT_FATAL;
	}
	if (worker_watch_listeners(fds, nfds) < 0)
		return WORKER_EXIT_FATAL;
	worker_slot = slot;
	if (slot != NULL)
		net_set_progress_hook(worker_progress);
	env.cfg = cfg;
	env.root_fd = root_fd;
	env.stop = &worker_stop;
	env.reopen = &worker_reopen;
	env.sb = sb;
	env.slot = slot;
	limit = worker_request_limit(cfg->max_requests_per_worker);
	log_debug("serving");
	while (!worker_stop) {
		if (worker_reopen) {
			worker_reopen = 0;
			log_reopen();
		}
		if (slot != NULL)
			scoreboard_set_state(slot, SCOREBOARD_IDLE);
		worker_round(&env, -1, &served);
		if (limit > 0 && served >= limit) {
			log_info("served %llu requests (max-requests-per-worker "
			    "%u): retiring", (unsigned long long)served,
			    cfg->max_requests_per_worker);
			/* From here on, as a graceful stop. */
			worker_stop = 1;
		}
	}
	if (slot != NULL)
		scoreboard_set_state(slot, SCOREBOARD_GRACEFUL);
	worker_drain(&env, &served);
	close(wk.ep);
	close(root_fd);
	return WORKER_EXIT_OK;
}
