/*
 * worker.c - a worker's life: signals, privileges, the accept loop.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "conn.h"
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
 * Waits for a connection on any listener.  With one listener, a blocking
 * accept() (the kernel wakes one waiter per connection); with several,
 * the listeners are non-blocking and poll() says which one is ready.
 * Returns the connection, or -1 to look at the flags and try again.
 */
static int
worker_accept(const int *fds, size_t nfds, struct sockaddr_storage *peer)
{
	socklen_t len = sizeof(*peer);
	int lfd = fds[0];
	int cfd;

	if (nfds > 1) {
		struct pollfd pfd[64];
		size_t n = nfds < UTIL_ARRAY_LEN(pfd) ? nfds : UTIL_ARRAY_LEN(pfd);
		size_t i;

		for (i = 0; i < n; i++) {
			pfd[i].fd = fds[i];
			pfd[i].events = POLLIN;
			pfd[i].revents = 0;
		}
		if (poll(pfd, (nfds_t)n, -1) <= 0)
			return -1;
		for (i = 0; i < n && !(pfd[i].revents & POLLIN); i++)
			;
		if (i == n)
			return -1;
		lfd = fds[i];
	}
	cfd = accept4(lfd, (struct sockaddr *)peer, &len, SOCK_CLOEXEC);
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
	worker_slot = slot;
	if (slot != NULL)
		net_set_progress_hook(worker_progress);
	env.cfg = cfg;
	env.root_fd = root_fd;
	env.listeners = fds;
	env.nlisteners = nfds;
	env.stop = &worker_stop;
	env.reopen = &worker_reopen;
	env.sb = sb;
	env.slot = slot;
	limit = worker_request_limit(cfg->max_requests_per_worker);
	log_debug("serving");
	while (!worker_stop) {
		struct sockaddr_storage peer;
		int cfd;

		if (worker_reopen) {
			worker_reopen = 0;
			log_reopen();
		}
		if (slot != NULL)
			scoreboard_set_state(slot, SCOREBOARD_IDLE);
		if ((cfd = worker_accept(fds, nfds, &peer)) < 0)
			continue;
		served += conn_serve(&env, cfd, &peer);
		if (limit > 0 && served >= limit) {
			log_info("served %llu requests (max-requests-per-worker "
			    "%u): retiring", (unsigned long long)served,
			    cfg->max_requests_per_worker);
			break;
		}
	}
	if (slot != NULL)
		scoreboard_set_state(slot, SCOREBOARD_GRACEFUL);
	close(root_fd);
	return WORKER_EXIT_OK;
}
