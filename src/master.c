/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * master.c - the supervisor.  Binds every listener, forks the workers,
 * then sleeps in sigsuspend().  Signal handlers only set flags; the loop
 * below does the work:
 *
 *   CHLD  reap, log how each worker ended (with the request it was
 *         serving, from the scoreboard), refill its slot after a back-off
 *         that doubles on quick repeated crashes;
 *   HUP   graceful reload: load and validate the file into a new
 *         snapshot, open its logs, bind its new listeners; if anything
 *         fails the old generation goes on untouched, else a new
 *         generation of workers starts and the old one is told to finish
 *         (QUIT) within shutdown-timeout; the outcome goes to whoever
 *         sent HUP (control.h);
 *   QUIT  graceful stop, bounded by shutdown-timeout in the same way;
 *   TERM, INT  fast stop;
 *   USR1  reopen the logs, here and in every worker;
 *   ALRM  the once-a-second tick: the adaptive pool, the watchdog, due
 *         respawns.
 *
 * Slots and scoreboard slots are the same index.  A slot is "wanted" when
 * the current generation's pool counts it: a wanted slot whose worker
 * died is refilled; a retiring one (old generation, or a surplus idle
 * worker) is left empty.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "activation.h"
#include "control.h"
#include "log.h"
#include "master.h"
#include "mime.h"
#include "net.h"
#include "notify.h"
#include "pidfile.h"
#include "policy.h"
#include "scoreboard.h"
#include "sock.h"
#include "tls.h"
#include "util.h"
#include "worker.h"

/* The back-off, the pool's rates and the stop deadlines are policy.h's. */
/* Old and new generation side by side: twice the largest pool. */
#define MASTER_SLOTS_MAX 8192
/* The tick of the pool and the watchdog. */
#define MASTER_TICK_MS 1000
/* How often the master looks whether a new generation serves yet, while
 * the service manager waits for READY=1 (notify.h). */
#define MASTER_READY_POLL_MS 20

static volatile sig_atomic_t master_got_chld;
static volatile sig_atomic_t master_got_stop;	/* TERM or INT, or 0 */
static volatile sig_atomic_t master_got_quit;
static volatile sig_atomic_t master_got_hup;
static volatile sig_atomic_t master_hup_sender;	/* who asked to reload */
static volatile sig_atomic_t master_got_usr1;
static volatile sig_atomic_t master_got_alrm;

struct master_listener {
	char *spec;		/* as in the conf: what a reload compares */
	int fd;
};

static struct {
	struct config *cfg;
	const struct master_options *opts;
	struct master_listener *ls;
	size_t nls;
	int *fds;		/* the listeners' fds, for the workers */
	struct policy_slot *slots;
	size_t nslots;		/* the scoreboard's, MASTER_SLOTS_MAX */
	struct scoreboard *sb;
	unsigned generation;
	unsigned spawn_rate;	/* adaptive: doubles while short of spares */
	int64_t next_tick_ms;
	pid_t pid;
	bool stopping;		/* workers are being stopped on purpose */
	int pid_fd;		/* the locked pid file; -1: none */
	int ready_fd;		/* daemon mode: tells the starting parent */
	bool notify_wait;	/* READY=1 is owed once the generation serves */
} master = { .pid_fd = -1, .ready_fd = -1 };

static void
master_on_signal(int sig, siginfo_t *si, void *ctx)
{
	int saved = errno;

	(void)ctx;
	switch (sig) {
	case SIGCHLD:
		master_got_chld = 1;
		break;
	case SIGHUP:
		master_got_hup = 1;
		master_hup_sender = si != NULL ? (sig_atomic_t)si->si_pid : 0;
		break;
	case SIGUSR1:
		master_got_usr1 = 1;
		break;
	case SIGALRM:
		master_got_alrm = 1;
		break;
	case SIGQUIT:
		master_got_quit = 1;
		break;
	default:
		master_got_stop = sig;
		break;
	}
	errno = saved;
}

/*
 * The handled signals stay blocked except inside sigsuspend(), so a flag
 * can never be set between checking it and going to sleep.
 */
static void
master_signals(sigset_t *handled)
{
	static const int sigs[] = {
		SIGCHLD, SIGHUP, SIGUSR1, SIGALRM, SIGTERM, SIGINT, SIGQUIT
	};
	struct sigaction sa;

	sigemptyset(handled);
	for (size_t i = 0; i < UTIL_ARRAY_LEN(sigs); i++)
		sigaddset(handled, sigs[i]);
	sigprocmask(SIG_BLOCK, handled, NULL);
	memset(&sa, 0, sizeof(sa));
	/* SA_SIGINFO: HUP's sender is the one to tell how the reload went. */
	sa.sa_sigaction = master_on_signal;
	sa.sa_flags = SA_SIGINFO;
	sa.sa_mask = *handled;
	for (size_t i = 0; i < UTIL_ARRAY_LEN(sigs); i++)
		sigaction(sigs[i], &sa, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPIPE, &sa, NULL);
}

/* ------------------------------------------------------------------ */
/* Listeners */

static void
master_close_listeners(struct master_listener *ls, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		/* A passed socket stays: the next reload may want it. */
		if (ls[i].fd >= 0 && !activation_owns(ls[i].fd))
			close(ls[i].fd);
		free(ls[i].spec);
	}
	free(ls);
}

/* Undoes master_bind(): taken fds go back to old, bound ones close. */
static void
master_unbind(struct master_listener *ls, size_t n,
    struct master_listener *old, size_t nold)
{
	for (size_t i = 0; i < n; i++) {
		bool taken = false;

		for (size_t k = 0; k < nold && !taken; k++) {
			if (old[k].fd < 0 && strcmp(old[k].spec, ls[i].spec) == 0) {
				old[k].fd = ls[i].fd;
				taken = true;
			}
		}
		if (!taken && !activation_owns(ls[i].fd))
			close(ls[i].fd);
		free(ls[i].spec);
	}
	free(ls);
}

/* A passed socket for l that ls[0..n) does not use yet, or -1. */
static int
master_passed(const struct config_listen *l, const struct master_listener *ls,
    size_t n)
{
	int fd = activation_find(l);

	for (size_t i = 0; i < n && fd >= 0; i++)
		if (ls[i].fd == fd)
			fd = -1;
	return fd;
}

/* activation_check_used() on the fds of ls[0..n). */
static int
master_check_passed(const struct master_listener *ls, size_t n, char *err,
    size_t errlen)
{
	int *fds = util_xcalloc(n, sizeof(*fds)), rc;

	for (size_t i = 0; i < n; i++)
		fds[i] = ls[i].fd;
	rc = activation_check_used(fds, n, err, errlen);
	free(fds);
	return rc;
}

/*
 * The listeners of cfg: those with a spec the old set has too are taken
 * over (the same socket, so nothing queued on it is lost), those whose
 * address a socket passed by the service manager has use it, the others
 * are bound.  On success returns the new set (taken fds are -1 in old); on
 * failure closes what it bound, leaves old alone and returns NULL with
 * the error in err.
 */
static struct master_listener *
master_bind(const struct config *cfg, struct master_listener *old,
    size_t nold, char *err, size_t errlen)
{
	struct master_listener *ls = util_xcalloc(cfg->nlisten, sizeof(*ls));
	size_t n;

	for (n = 0; n < cfg->nlisten; n++) {
		const char *spec = cfg->listen[n].spec;
		int fd = -1;

		for (size_t k = 0; k < nold; k++) {
			if (old[k].fd >= 0 && strcmp(old[k].spec, spec) == 0) {
				fd = old[k].fd;
				old[k].fd = -1;
				/* The backlog may have changed; a passed
				 * socket's is its unit's (Backlog=). */
				if (!activation_owns(fd))
					listen(fd, (int)cfg->listen_backlog);
				break;
			}
		}
		if (fd < 0)
			fd = master_passed(&cfg->listen[n], ls, n);
		if (fd < 0 && (fd = net_listen(&cfg->listen[n],
		    (int)cfg->listen_backlog, err, errlen)) < 0)
			goto fail;
		/*
		 * A silent connection stays in the kernel for about the
		 * time it would have had in a worker to send its header,
		 * and then gets that time again there: a worker is woken
		 * by a request, not by a connect().  Set on a taken-over
		 * listener too: header-timeout may have changed.
		 */
		if (net_defer_accept(fd, cfg->header_timeout) < 0)
			log_warn("listen %s: cannot defer accept:", spec);
		ls[n].fd = fd;
		ls[n].spec = util_xstrdup(spec);
	}
	if (master_check_passed(ls, n, err, errlen) < 0)
		goto fail;
	return ls;
fail:
	master_unbind(ls, n, old, nold);
	return NULL;
}

/* The fds of master.ls, as workers take them. */
static void
master_set_fds(void)
{
	free(master.fds);
	master.fds = util_xcalloc(master.nls, sizeof(*master.fds));
	for (size_t i = 0; i < master.nls; i++)
		master.fds[i] = master.ls[i].fd;
}

/* ------------------------------------------------------------------ */
/* Start-up */

/*
 * Detaches from the terminal.  The starting process waits until the
 * daemon says it is ready, so that `forkhttpd` exits 1 when start-up fails
 * after the fork (pid file, workers) and init scripts see it.
 */
static int
master_daemonize(void)
{
	int pfd[2], null;
	pid_t pid;
	char c;

	if (pipe2(pfd, O_CLOEXEC) < 0) {
		log_error("pipe:");
		return -1;
	}
	if ((pid = fork()) < 0) {
		log_error("fork:");
		return -1;
	}
	if (pid > 0) {
		ssize_t n;

		close(pfd[1]);
		while ((n = read(pfd[0], &c, 1)) < 0 && errno == EINTR)
			;
		_exit(n == 1 && c == 'R' ? 0 : 1);
	}
	close(pfd[0]);
	setsid();
	/* A second fork: not a session leader, so no terminal can return. */
	if ((pid = fork()) < 0) {
		log_error("fork:");
		_exit(1);
	}
	if (pid > 0)
		_exit(0);
	if (chdir("/") < 0)
		log_warn("chdir /:");
	if ((null = open("/dev/null", O_RDWR)) >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		if (null > STDERR_FILENO)
			close(null);
	}
	master.ready_fd = pfd[1];
	return 0;
}

/* In daemon mode: start-up went well, let the starting process exit 0. */
static void
master_ready(void)
{
	int null;

	if (master.ready_fd < 0)
		return;
	while (write(master.ready_fd, "R", 1) < 0 && errno == EINTR)
		;
	close(master.ready_fd);
	master.ready_fd = -1;
	/* From now on nobody reads our stderr, unless it is the error log. */
	if (strcmp(master.cfg->error_log, "-") != 0 &&
	    (null = open("/dev/null", O_WRONLY)) >= 0) {
		dup2(null, STDERR_FILENO);
		close(null);
	}
}

/* Loads the media types of cfg, falling back to the built-in table. */
static void
master_load_mime(const struct config *cfg)
{
	char err[512];

	if (mime_load(cfg->mime_types, err, sizeof(err)) < 0) {
		log_warn("%s; using the built-in media types", err);
		mime_load(NULL, err, sizeof(err));
	}
}

/* What -t warns about goes to the error log too, at start and reload. */
static void
master_warn(const struct config *cfg)
{
	for (size_t i = 0; i < cfg->nwarnings; i++)
		log_warn("%s", cfg->warnings[i]);
}

/*
 * HTTPS at start: the ticket keys (once, for every generation), the
 * certificates, and which path files take.  0, or -1 (logged).
 */
static int
master_tls(const struct config *cfg)
{
	char err[1024];
	struct tls *t;

	if (!cfg->any_tls)
		return 0;
	if (tls_keys_init() < 0)
		return -1;
	if ((t = tls_load(cfg, err, sizeof(err))) == NULL) {
		log_error("%s", err);
		return -1;
	}
	tls_install(t);
	if (tls_kernel_offers())
		log_notice("HTTPS: the kernel offers TLS: files go out with "
		    "sendfile() once a handshake is done");
	else
		log_notice("HTTPS: no kernel TLS (the tls module is not "
		    "loaded or built): files go out through SSL_write(), "
		    "read %d KiB at a time", SOCK_TLS_READ / 1024);
	return 0;
}

/* Start-up shared by both modes; 0, or -1 after reporting the error. */
static int
master_start(void)
{
	struct config *cfg = master.cfg;
	char err[512];
	pid_t holder = 0;

	master_load_mime(cfg);
	/* The lock first: a second instance must say so, not "in use". */
	if (cfg->pid_file != NULL &&
	    (master.pid_fd = pidfile_acquire(cfg->pid_file, &holder)) < 0) {
		if (errno == EWOULDBLOCK)
			log_error("already running as pid %ld (pid file %s is "
			    "locked)", (long)holder, cfg->pid_file);
		else
			log_error("cannot write pid file %s:", cfg->pid_file);
		return -1;
	}
	if (master_tls(cfg) < 0)
		return -1;
	master.ls = master_bind(cfg, NULL, 0, err, sizeof(err));
	if (master.ls == NULL) {
		log_error("%s", err);
		return -1;
	}
	master.nls = cfg->nlisten;
	master_set_fds();
	if (log_open(&cfg->log, err, sizeof(err)) < 0) {
		log_error("%s", err);
		return -1;
	}
	master_warn(cfg);
	if (!master.opts->foreground && !master.opts->one_process &&
	    master_daemonize() < 0)
		return -1;
	master.pid = getpid();
	/* Daemonizing changed our pid; the lock came with the fd. */
	if (master.pid_fd >= 0 && pidfile_write(master.pid_fd) < 0) {
		log_error("cannot write pid file %s:", cfg->pid_file);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Workers */

static void
master_spawn(size_t i)
{
	struct policy_slot *slot = &master.slots[i];
	int chan[2];
	pid_t pid;

	/* The log channel: reopened logs reach the worker through it. */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, chan) < 0) {
		log_error("socketpair (log channel):");
		slot->respawn_ms = net_now_ms() + POLICY_BACKOFF_MAX_MS;
		return;
	}
	/*
	 * The scoreboard slot is made ready before the fork: afterwards the
	 * child may already be writing its first request into it.
	 */
	scoreboard_start(master.sb, i, 0, master.generation);
	if ((pid = fork()) < 0) {
		/* Try again later instead of spinning on a full process table. */
		log_error("fork:");
		close(chan[0]);
		close(chan[1]);
		scoreboard_clear(master.sb, i);
		slot->respawn_ms = net_now_ms() + POLICY_BACKOFF_MAX_MS;
		return;
	}
	if (pid == 0) {
		/* The other workers' channels are the master's alone. */
		for (size_t j = 0; j < master.nslots; j++)
			if (master.slots[j].chan >= 0)
				close(master.slots[j].chan);
		close(chan[0]);
		log_set_channel(chan[1]);
		if (master.ready_fd >= 0)
			close(master.ready_fd);
		/* The lock is the master's: a worker outliving it must not
		 * make a new master believe another one runs. */
		if (master.pid_fd >= 0)
			close(master.pid_fd);
		_exit(worker_run(master.cfg, master.fds, master.nls,
		    master.pid, false, master.sb, &master.sb->slot[i]));
	}
	close(chan[1]);
	slot->chan = chan[0];
	slot->pid = pid;
	slot->generation = master.generation;
	slot->started_ms = net_now_ms();
	slot->term_ms = 0;
	slot->retiring = false;
	slot->quit_ms = slot->finish_by_ms = 0;
	master.sb->slot[i].pid = pid;
	master.sb->worker_starts++;
	log_debug("worker %ld started in slot %zu", (long)pid, i);
}

static ssize_t
master_slot_of(pid_t pid)
{
	for (size_t i = 0; i < master.nslots; i++)
		if (master.slots[i].pid == pid)
			return (ssize_t)i;
	return -1;
}

/* Logs how a worker ended, with what it was doing, and plans its slot. */
static void
master_worker_exited(size_t i, pid_t pid, int status)
{
	struct policy_slot *slot = &master.slots[i];
	int64_t now = net_now_ms(), delay;
	enum policy_exit how = POLICY_EXIT_CRASHED;
	char what[SCOREBOARD_DESCRIBE_MAX];

	scoreboard_describe(&master.sb->slot[i], now, what, sizeof(what));
	scoreboard_clear(master.sb, i);
	slot->pid = 0;
	slot->fatal = false;
	if (slot->chan >= 0)
		close(slot->chan);
	slot->chan = -1;
	if (WIFSIGNALED(status) && (master.stopping ||
	    (slot->retiring && slot->term_ms > 0))) {
		/* A stop we made (and logged when it was overdue). */
		how = POLICY_EXIT_STOPPED;
		log_info("worker %ld stopped (signal %d)", (long)pid,
		    WTERMSIG(status));
	} else if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);

		log_error("worker %ld (slot %zu, generation %u) killed by "
		    "signal %d (%s)%s while serving %s", (long)pid, i,
		    slot->generation, sig, strsignal(sig),
		    WCOREDUMP(status) ? ", core dumped" : "", what);
	} else if (WIFEXITED(status) &&
	    WEXITSTATUS(status) == WORKER_EXIT_FATAL) {
		how = POLICY_EXIT_FATAL;
		log_error("worker %ld failed at start-up (exit status %d)",
		    (long)pid, WORKER_EXIT_FATAL);
	} else if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
		log_error("worker %ld exited with status %d while serving %s",
		    (long)pid, WEXITSTATUS(status), what);
	} else {
		how = POLICY_EXIT_CLEAN;
		log_info("worker %ld exited", (long)pid);
	}
	scoreboard_worker_exited(master.sb, how == POLICY_EXIT_CRASHED);
	delay = policy_exited(slot, how, now);
	if (delay > 0 && slot->failures > 1)
		log_warn("worker slot %zu crashing repeatedly (%u in a row); "
		    "next start in %lld ms", i, slot->failures,
		    (long long)delay);
}

static void
master_reap(void)
{
	pid_t pid;
	int status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		ssize_t i = master_slot_of(pid);

		if (i >= 0)
			master_worker_exited((size_t)i, pid, status);
	}
}

/* True when every wanted slot's last worker failed at start: nothing
 * can serve. */
static bool
master_all_fatal(void)
{
	size_t wanted = 0;

	for (size_t i = 0; i < master.nslots; i++) {
		const struct policy_slot *s = &master.slots[i];

		if (!s->wanted)
			continue;
		wanted++;
		if (s->pid != 0 || !s->fatal)
			return false;
	}
	return wanted > 0;
}

/*
 * Tells the worker of slot i to finish what it is doing and exit (QUIT),
 * within shutdown-timeout: master_enforce() stops it then.  The same for
 * every reason: an old generation after a reload, a surplus idle worker,
 * a graceful stop.  A worker already retiring keeps its first deadline.
 */
static void
master_retire(size_t i)
{
	struct policy_slot *slot = &master.slots[i];

	if (policy_retire(slot, net_now_ms(),
	    (int64_t)master.cfg->shutdown_timeout * 1000))
		kill(slot->pid, SIGQUIT);
}

/* TERM to the worker of slot i; master_enforce() sends KILL later. */
static void
master_terminate(size_t i, int64_t now)
{
	struct policy_slot *slot = &master.slots[i];

	if (slot->pid > 0 && slot->term_ms == 0) {
		kill(slot->pid, SIGTERM);
		slot->term_ms = now;
	}
}

/*
 * The deadlines of workers told to stop, whoever told them: a retiring
 * worker still running shutdown-timeout after its QUIT gets TERM, logged
 * with what it is doing; one still running POLICY_KILL_WAIT_MS after a
 * TERM (from here, the watchdog or a fast stop) gets KILL, and again
 * each POLICY_KILL_WAIT_MS.  Whenever the master wakes, and in
 * master_stop_workers().  Returns when the next of these is due
 * (INT64_MAX: none), for the timer.
 */
static int64_t
master_enforce(int64_t now)
{
	int64_t next = INT64_MAX;

	for (size_t i = 0; i < master.nslots; i++) {
		struct policy_slot *s = &master.slots[i];
		char what[SCOREBOARD_DESCRIBE_MAX];

		switch (policy_enforce(s, now, &next)) {
		case POLICY_STOP_KILL:
			log_warn("worker %ld still running %d ms after TERM: "
			    "killing it", (long)s->pid, POLICY_KILL_WAIT_MS);
			kill(s->pid, SIGKILL);
			s->term_ms = now;
			break;
		case POLICY_STOP_TERM:
			scoreboard_describe(&master.sb->slot[i], now, what,
			    sizeof(what));
			log_warn("worker %ld (generation %u) still busy %lld ms "
			    "after it was told to finish (shutdown-timeout), "
			    "serving %s: stopping it", (long)s->pid,
			    s->generation, (long long)(now - s->quit_ms), what);
			master_terminate(i, now);
			break;
		case POLICY_STOP_NONE:
			break;
		}
	}
	return next;
}

/*
 * QUIT again, once a tick, to workers still finishing: a QUIT that came
 * between a worker's look at its flag and its accept() leaves it blocked
 * there until a connection comes; another signal wakes it.
 */
static void
master_requit(void)
{
	for (size_t i = 0; i < master.nslots; i++)
		if (master.slots[i].retiring && master.slots[i].pid > 0 &&
		    master.slots[i].term_ms == 0)
			kill(master.slots[i].pid, SIGQUIT);
}

/* Marks n more slots wanted (and starts them); returns how many. */
static size_t
master_want(size_t n)
{
	size_t done = 0;

	for (size_t i = 0; i < master.nslots && done < n; i++) {
		struct policy_slot *s = &master.slots[i];

		if (s->wanted || s->pid != 0)
			continue;
		s->wanted = true;
		s->failures = 0;
		s->fatal = false;
		master_spawn(i);
		done++;
	}
	return done;
}

/*
 * The adaptive pool, once a tick: policy_adapt() says how many workers
 * to start, or which idle one to retire; max-workers is never passed.
 */
static void
master_adapt(void)
{
	const struct config *cfg = master.cfg;
	const struct policy_pool pool = { .min_spare = cfg->min_spare,
	    .max_spare = cfg->max_spare, .max_workers = cfg->max_workers };
	size_t wanted, idle, n;
	ssize_t retire;

	if (!cfg->adaptive)
		return;
	policy_count(master.slots, master.sb, master.nslots, &wanted, &idle);
	n = policy_adapt(master.slots, master.sb, master.nslots, &pool,
	    &master.spawn_rate, &retire);
	if (n > 0 && (n = master_want(n)) > 0)
		log_info("%zu idle of %zu workers: started %zu more", idle,
		    wanted, n);
	if (retire >= 0) {
		log_info("%zu idle workers (max-spare %u): retiring worker %ld",
		    idle, cfg->max_spare, (long)master.slots[retire].pid);
		master_retire((size_t)retire);
	}
}

/*
 * The watchdog: a worker stuck for request-timeout in one step (a bug,
 * a hung file system; policy_stuck()) gets TERM, then KILL
 * (master_enforce()).  Its slot is refilled like after any crash.
 */
static void
master_watchdog(int64_t now)
{
	int64_t limit = (int64_t)master.cfg->request_timeout * 1000;

	for (size_t i = 0; i < master.nslots && limit > 0; i++) {
		struct policy_slot *s = &master.slots[i];
		const struct scoreboard_slot *sb = &master.sb->slot[i];
		char what[SCOREBOARD_DESCRIBE_MAX];

		if (!policy_stuck(s, sb, now, limit))
			continue;
		scoreboard_describe(sb, now, what, sizeof(what));
		log_error("worker %ld stuck for %u s (request-timeout) serving "
		    "%s: stopping it", (long)s->pid,
		    master.cfg->request_timeout, what);
		master_terminate(i, now);
	}
}

/*
 * The tick's work when it is due, the deadlines of workers told to stop,
 * due refills of wanted slots; then the timer for the next thing due.
 */
static void
master_maintain(void)
{
	int64_t now = net_now_ms(), next;
	struct itimerval it;

	if (now >= master.next_tick_ms) {
		master_adapt();
		master_watchdog(now);
		master_requit();
		tls_keys_rotate(now);
		master.next_tick_ms = now + MASTER_TICK_MS;
	}
	next = master_enforce(now);
	if (master.next_tick_ms < next)
		next = master.next_tick_ms;
	/* Nothing tells the master when a worker reaches its loop. */
	if (master.notify_wait && now + MASTER_READY_POLL_MS < next)
		next = now + MASTER_READY_POLL_MS;
	for (size_t i = 0; i < master.nslots; i++)
		if (policy_refill(&master.slots[i], now, &next))
			master_spawn(i);
	memset(&it, 0, sizeof(it));
	{
		int64_t ms = next - now;

		if (ms < 1)
			ms = 1;
		it.it_value.tv_sec = (time_t)(ms / 1000);
		it.it_value.tv_usec = (suseconds_t)((ms % 1000) * 1000);
	}
	setitimer(ITIMER_REAL, &it, NULL);
}

/*
 * Whether the current generation serves: at least one of its workers
 * waits in its event loop with the listeners in its epoll set (its
 * scoreboard state has left STARTING), and none is still on its way
 * there.  A worker that died at start does not hold this up: its slot is
 * empty, backing off.  *serving: how many serve.
 */
static bool
master_serving(size_t *serving)
{
	size_t starting = 0;

	*serving = 0;
	for (size_t i = 0; i < master.nslots; i++) {
		const struct policy_slot *s = &master.slots[i];
		int st = master.sb->slot[i].state;

		if (!s->wanted || s->pid == 0 ||
		    s->generation != master.generation)
			continue;
		if (st == SCOREBOARD_STARTING || st == SCOREBOARD_EMPTY)
			starting++;
		else
			(*serving)++;
	}
	return *serving > 0 && starting == 0;
}

/*
 * READY=1 when it is owed (start-up, a reload that took) and the
 * generation serves: so `systemctl start` and `reload` return when
 * requests are answered by what was asked for, not before.
 */
static void
master_notify_ready(void)
{
	char status[128];
	size_t serving;

	if (!master.notify_wait || !master_serving(&serving))
		return;
	master.notify_wait = false;
	snprintf(status, sizeof(status), "generation %u: %zu workers serving",
	    master.generation, serving);
	notify_send("READY=1", status);
}

/*
 * A reload failed: nothing changed, so ready again at once, since the
 * old generation never stopped serving; the error goes in the status.
 */
static void
master_notify_reload_failed(const char *err)
{
	char status[1200];

	master.notify_wait = false;
	snprintf(status, sizeof(status), "reload failed, still serving "
	    "generation %u: %s", master.generation, err);
	notify_send("READY=1", status);
}

/*
 * After a reload, every new worker failed at start: the reload's job in
 * the service manager must end all the same (the master goes on retrying).
 */
static void
master_notify_start_failed(void)
{
	char status[128];

	if (!master.notify_wait)
		return;
	master.notify_wait = false;
	snprintf(status, sizeof(status), "generation %u: every worker failed "
	    "at start-up; retrying", master.generation);
	notify_send("READY=1", status);
}

/* Live workers, of any generation. */
static size_t
master_alive(void)
{
	size_t n = 0;

	for (size_t i = 0; i < master.nslots; i++)
		n += master.slots[i].pid > 0;
	return n;
}

/*
 * After log_reopen(): every worker gets the new descriptors down its
 * channel, then USR1 to take them.  Workers run as an unprivileged user
 * and could not reopen root's files by name.
 */
static void
master_send_logs(void)
{
	for (size_t i = 0; i < master.nslots; i++) {
		struct policy_slot *slot = &master.slots[i];

		if (slot->pid <= 0)
			continue;
		if (slot->chan < 0 || log_send(slot->chan) < 0)
			log_error("cannot hand the reopened logs to worker "
			    "%ld:", (long)slot->pid);
		kill(slot->pid, SIGUSR1);
	}
}

/*
 * When master_stop_workers() gives up: every live worker has had its
 * deadline (TERM), POLICY_KILL_WAIT_MS more (KILL), and as long again to
 * die.  Only a worker stuck in the kernel outlives that.
 */
static int64_t
master_give_up_ms(void)
{
	int64_t last = net_now_ms();

	for (size_t i = 0; i < master.nslots; i++) {
		const struct policy_slot *s = &master.slots[i];
		int64_t t = s->term_ms > 0 ? s->term_ms : s->finish_by_ms;

		if (s->pid > 0 && t > last)
			last = t;
	}
	return last + 2 * POLICY_KILL_WAIT_MS + MASTER_TICK_MS;
}

/*
 * Stops every worker, with the handled signals let through while it
 * waits.  Graceful: each is retired (QUIT), as at a reload, and
 * master_enforce() stops those still busy after shutdown-timeout; a TERM
 * or INT meanwhile makes it fast.  Fast: TERM at once.  Either way KILL
 * follows POLICY_KILL_WAIT_MS after TERM.
 */
static void
master_stop_workers(bool graceful)
{
	int64_t now = net_now_ms(), requit = now + MASTER_TICK_MS, give_up;
	bool fast = false;
	sigset_t none, old;

	master.stopping = true;
	for (size_t i = 0; i < master.nslots; i++) {
		if (graceful)
			master_retire(i);
		master.slots[i].wanted = false;
	}
	give_up = master_give_up_ms();
	sigemptyset(&none);
	for (;;) {
		master_reap();
		if (master_alive() == 0)
			return;
		now = net_now_ms();
		if (!fast && (!graceful || master_got_stop)) {
			if (graceful)
				log_notice("signal %d (%s): stopping the "
				    "workers now", (int)master_got_stop,
				    strsignal(master_got_stop));
			fast = true;
			for (size_t i = 0; i < master.nslots; i++)
				master_terminate(i, now);
			give_up = master_give_up_ms();
		}
		(void)master_enforce(now);
		/* See master_requit(). */
		if (now >= requit) {
			master_requit();
			requit = now + MASTER_TICK_MS;
		}
		if (now >= give_up) {
			log_error("%zu workers still running after KILL; "
			    "leaving them", master_alive());
			return;
		}
		sigprocmask(SIG_SETMASK, &none, &old);
		usleep(10 * 1000);
		sigprocmask(SIG_SETMASK, &old, NULL);
	}
}

/* ------------------------------------------------------------------ */
/* Reload */

/* Two pid-file settings, either of which may be "off" (NULL). */
static bool
master_same_pid_file(const char *a, const char *b)
{
	return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

/* The reload's outcome for `forkhttpd -s reload`, beside the pid file. */
static void
master_report(pid_t sender, bool ok, const char *message)
{
	if (master.cfg->pid_file != NULL)
		control_report(master.cfg->pid_file, sender, ok, message);
}

/*
 * SIGHUP.  Everything that can fail is done before anything is changed;
 * on failure the old generation goes on as if nothing happened.
 */
static void
master_reload(pid_t sender)
{
	struct config *cfg;
	struct master_listener *ls;
	struct tls *tls;
	char err[1024];
	size_t start;

	if (master.cfg->path == NULL) {
		/* -r, -l: the configuration came from the command line. */
		log_warn("SIGHUP: no configuration file to reload (started "
		    "with -r or -l)");
		return;
	}
	log_notice("SIGHUP: reloading %s", master.cfg->path);
	snprintf(err, sizeof(err), "reloading %s", master.cfg->path);
	notify_reloading(err);
	cfg = config_load(master.cfg->path, err, sizeof(err));
	if (cfg == NULL)
		goto fail;
	if (!master_same_pid_file(cfg->pid_file, master.cfg->pid_file)) {
		/* The lock is on the old file, and -s finds us by it. */
		log_warn("pid-file: a reload cannot move the pid file; %s stays "
		    "in use until a restart", master.cfg->pid_file != NULL ?
		    master.cfg->pid_file : "\"off\"");
		free(cfg->pid_file);
		cfg->pid_file = master.cfg->pid_file != NULL ?
		    util_xstrdup(master.cfg->pid_file) : NULL;
	}
	/* Certificates before listeners: a bad key leaves nothing bound. */
	if (cfg->any_tls && tls_keys_init() < 0) {
		snprintf(err, sizeof(err), "no session ticket keys");
		config_free(cfg);
		goto fail;
	}
	tls = tls_load(cfg, err, sizeof(err));
	if (cfg->any_tls && tls == NULL) {
		config_free(cfg);
		goto fail;
	}
	ls = master_bind(cfg, master.ls, master.nls, err, sizeof(err));
	if (ls == NULL) {
		tls_discard(tls);
		config_free(cfg);
		goto fail;
	}
	if (log_open(&cfg->log, err, sizeof(err)) < 0) {
		master_unbind(ls, cfg->nlisten, master.ls, master.nls);
		tls_discard(tls);
		config_free(cfg);
		goto fail;
	}

	/* Committed.  Listeners no longer configured close here (old
	 * workers keep their own copies until they exit). */
	master_close_listeners(master.ls, master.nls);
	master.ls = ls;
	master.nls = cfg->nlisten;
	master_set_fds();
	/* The old contexts point into the old configuration. */
	tls_install(tls);
	config_free(master.cfg);
	master.cfg = cfg;
	master_warn(cfg);
	master_load_mime(cfg);
	master.generation++;
	master.sb->generation = master.generation;
	master.sb->reloads++;
	for (size_t i = 0; i < master.nslots; i++)
		if (master.slots[i].pid > 0 || master.slots[i].wanted)
			master_retire(i);
	start = master_want(cfg->adaptive ? cfg->start_workers : cfg->workers);
	master.spawn_rate = 1;
	log_notice("reloaded: generation %u with %zu workers", master.generation,
	    start);
	snprintf(err, sizeof(err), "generation %u", master.generation);
	master_report(sender, true, err);
	/* READY=1 once the new workers serve: master_notify_ready(). */
	master.notify_wait = notify_enabled();
	return;
fail:
	master.sb->reloads_failed++;
	log_error("reload failed, still serving generation %u: %s",
	    master.generation, err);
	master_report(sender, false, err);
	master_notify_reload_failed(err);
}

/* ------------------------------------------------------------------ */

static void
master_log_listening(void)
{
	for (size_t i = 0; i < master.nls; i++) {
		const char *passed = activation_describe(master.ls[i].fd);

		if (passed != NULL)
			log_notice("listening on %s (socket activation: %s)",
			    master.ls[i].spec, passed);
		else
			log_notice("listening on %s", master.ls[i].spec);
	}
}

static void
master_cleanup(void)
{
	pidfile_release(master.cfg->pid_file, master.pid == getpid() ?
	    master.pid_fd : -1);
	master.pid_fd = -1;
	master_close_listeners(master.ls, master.nls);
	master.ls = NULL;
	master.nls = 0;
	free(master.fds);
	master.fds = NULL;
	if (master.sb != NULL)
		scoreboard_destroy(master.sb);
	master.sb = NULL;
	free(master.slots);
	master.slots = NULL;
}

/*
 * The master holds one log channel per live worker: up to
 * MASTER_SLOTS_MAX, more than the usual soft limit of 1024 descriptors.
 */
static void
master_raise_nofile(void)
{
	rlim_t want = MASTER_SLOTS_MAX + 256;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ?
	    want : rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
}

/* -X: one worker in the master's place, with a scoreboard of one. */
static int
master_run_one(void)
{
	int rc;

	log_notice("%s started in one-process mode (-X)", PACKAGE_STRING);
	scoreboard_start(master.sb, 0, getpid(), master.generation);
	/* The listeners are bound; the worker's own start is not watched. */
	notify_send("READY=1", "one-process mode (-X)");
	rc = worker_run(master.cfg, master.fds, master.nls, getpid(), true,
	    master.sb, &master.sb->slot[0]);
	return rc == WORKER_EXIT_OK ? 0 : 1;
}

int
master_run(struct config *cfg, const struct master_options *opts)
{
	sigset_t handled, none;
	int rc = 0;
	bool graceful = false;

	master.cfg = cfg;
	master.opts = opts;
	master.generation = 1;
	master.spawn_rate = 1;
	master.pid = getpid();
	/* Type=notify wants the pid it started: the daemon's is another. */
	if (notify_init() && !opts->foreground)
		log_warn("NOTIFY_SOCKET is set but the server detaches: under "
		    "systemd's Type=notify run it with -n");
	log_set_role("master");
	log_set_echo(opts->foreground ? LOG_LEVEL_DEBUG : LOG_LEVEL_WARN);
	master_signals(&handled);
	master.nslots = opts->one_process ? 1 : MASTER_SLOTS_MAX;
	if ((master.sb = scoreboard_create(master.nslots)) == NULL) {
		log_error("cannot map the scoreboard:");
		return 1;
	}
	master.sb->generation = master.generation;
	if (master_start() < 0) {
		master_cleanup();
		return 1;
	}
	master_log_listening();
	if (opts->one_process) {
		rc = master_run_one();
		master_cleanup();
		return rc;
	}
	master.slots = util_xcalloc(master.nslots, sizeof(*master.slots));
	for (size_t i = 0; i < master.nslots; i++)
		master.slots[i].chan = -1;
	master_raise_nofile();
	master_want(cfg->adaptive ? cfg->start_workers : cfg->workers);
	master.next_tick_ms = net_now_ms() + MASTER_TICK_MS;
	master.notify_wait = notify_enabled();
	master_maintain();
	log_notice("%s started: %s pool of %u workers", PACKAGE_STRING,
	    cfg->adaptive ? "an adaptive" : "a fixed",
	    cfg->adaptive ? cfg->start_workers : cfg->workers);
	master_ready();
	log_set_echo(opts->foreground ? LOG_LEVEL_DEBUG : -1);
	sigemptyset(&none);
	while (!master_got_stop && !master_got_quit) {
		sigsuspend(&none);
		if (master_got_chld) {
			master_got_chld = 0;
			master_reap();
			if (master_all_fatal()) {
				if (master.generation == 1) {
					log_error("every worker failed at "
					    "start-up; stopping (see the "
					    "errors above)");
					rc = 1;
					break;
				}
				/* After a reload, stopping would end the
				 * service; the slots keep backing off. */
				log_error("every worker of generation %u failed "
				    "at start-up (see the errors above); "
				    "retrying", master.generation);
				master_notify_start_failed();
			}
		}
		if (master_got_hup) {
			master_got_hup = 0;
			master_reload((pid_t)master_hup_sender);
		}
		if (master_got_usr1) {
			master_got_usr1 = 0;
			log_notice("SIGUSR1: reopening the logs");
			log_reopen();
			master_send_logs();
		}
		master_got_alrm = 0;
		if (!master_got_stop && !master_got_quit) {
			master_maintain();
			master_notify_ready();
		}
	}
	graceful = master_got_quit && !master_got_stop;
	if (master_got_stop)
		log_notice("signal %d (%s): stopping", (int)master_got_stop,
		    strsignal(master_got_stop));
	else if (graceful)
		log_notice("SIGQUIT: stopping gracefully (shutdown-timeout %u "
		    "s)", master.cfg->shutdown_timeout);
	notify_send("STOPPING=1", rc != 0 ? "every worker failed at start-up" :
	    graceful ? "stopping gracefully" : "stopping");
	master_stop_workers(graceful);
	master_cleanup();
	log_notice("stopped");
	return rc;
}
