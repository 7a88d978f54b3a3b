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
#include "static.h"
#include "util.h"
#include "worker.h"

static volatile sig_atomic_t worker_stop;

static void
worker_on_stop(int sig)
{
	(void)sig;
	worker_stop = 1;
}

/*
 * The master blocks signals and catches them; a worker starts from a
 * clean slate.  A forked worker dies on TERM and INT by default action:
 * that is the fast stop, and nothing it holds needs cleaning up.
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
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
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

int
worker_run(const struct config *cfg, const int *fds, size_t nfds,
    pid_t master_pid, bool one_process)
{
	struct conn_env env;
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
	if (conn_init(cfg) < 0) {
		log_error("cannot allocate the header buffer:");
		return WORKER_EXIT_FATAL;
	}
	env.cfg = cfg;
	env.root_fd = root_fd;
	env.listeners = fds;
	env.nlisteners = nfds;
	env.stop = &worker_stop;
	log_debug("serving");
	while (!worker_stop) {
		struct sockaddr_storage peer;
		int cfd = worker_accept(fds, nfds, &peer);

		if (cfd >= 0)
			conn_serve(&env, cfd, &peer);
	}
	close(root_fd);
	return WORKER_EXIT_OK;
}
