/*
 * master.c - the supervisor.  Binds every listener, forks the workers,
 * then sleeps in sigsuspend().  Signal handlers only set flags; the loop
 * below does the work: reap and respawn, stop.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "master.h"
#include "mime.h"
#include "net.h"
#include "util.h"
#include "worker.h"

/* A worker that dies sooner than this after its start counts as failing. */
#define MASTER_QUICK_DEATH_MS 1000
/* Respawn back-off for a failing slot: doubles from MIN up to MAX. */
#define MASTER_BACKOFF_MIN_MS 100
#define MASTER_BACKOFF_MAX_MS 10000
/* How long a fast stop waits for workers before SIGKILL. */
#define MASTER_STOP_WAIT_MS 5000

static volatile sig_atomic_t master_got_chld;
static volatile sig_atomic_t master_got_stop;	/* the signal, or 0 */
static volatile sig_atomic_t master_got_hup;
static volatile sig_atomic_t master_got_usr1;
static volatile sig_atomic_t master_got_alrm;

struct master_slot {
	pid_t pid;		/* 0: empty */
	int64_t started_ms;
	int64_t respawn_ms;	/* when an empty slot may be refilled */
	unsigned failures;	/* quick deaths in a row */
	bool fatal;		/* the last worker failed at start (exit 2) */
};

static struct {
	struct config *cfg;
	const struct master_options *opts;
	int *fds;
	size_t nfds;
	struct master_slot *slots;
	size_t nslots;
	pid_t pid;
	bool pid_file_written;
	int ready_fd;		/* daemon mode: tells the starting parent */
} master = { .ready_fd = -1 };

static void
master_on_signal(int sig)
{
	int saved = errno;

	switch (sig) {
	case SIGCHLD:
		master_got_chld = 1;
		break;
	case SIGHUP:
		master_got_hup = 1;
		break;
	case SIGUSR1:
		master_got_usr1 = 1;
		break;
	case SIGALRM:
		master_got_alrm = 1;
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
	sa.sa_handler = master_on_signal;
	sa.sa_mask = *handled;
	for (size_t i = 0; i < UTIL_ARRAY_LEN(sigs); i++)
		sigaction(sigs[i], &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPIPE, &sa, NULL);
}

/* Refuses to start over a pid file whose process is alive. */
static int
master_check_pid_file(const char *path)
{
	char buf[32];
	ssize_t n;
	long pid;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	pid = strtol(buf, NULL, 10);
	if (pid > 1 && pid != getpid() &&
	    (kill((pid_t)pid, 0) == 0 || errno == EPERM)) {
		log_error("already running as pid %ld (pid file %s)", pid,
		    path);
		return -1;
	}
	return 0;
}

static int
master_write_pid_file(const char *path)
{
	char buf[32];
	int fd, n;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
	    0644);
	if (fd < 0) {
		log_error("cannot write pid file %s:", path);
		return -1;
	}
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (write(fd, buf, (size_t)n) != n) {
		log_error("cannot write pid file %s:", path);
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	master.pid_file_written = true;
	return 0;
}

static void
master_remove_pid_file(void)
{
	if (master.pid_file_written && master.pid == getpid())
		unlink(master.cfg->pid_file);
	master.pid_file_written = false;
}

static int
master_bind(void)
{
	const struct config *cfg = master.cfg;
	char err[512];

	master.fds = util_xcalloc(cfg->nlisten, sizeof(*master.fds));
	for (size_t i = 0; i < cfg->nlisten; i++) {
		int fd = net_listen(&cfg->listen[i], (int)cfg->listen_backlog,
		    err, sizeof(err));

		if (fd < 0) {
			log_error("%s", err);
			return -1;
		}
		master.fds[master.nfds++] = fd;
		/* Several listeners are polled: accept() must not block. */
		if (cfg->nlisten > 1)
			fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	}
	return 0;
}

static void
master_close_listeners(void)
{
	for (size_t i = 0; i < master.nfds; i++)
		close(master.fds[i]);
	master.nfds = 0;
}

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

static void
master_spawn(struct master_slot *slot)
{
	pid_t pid = fork();

	if (pid < 0) {
		/* Try again later instead of spinning on a full process table. */
		log_error("fork:");
		slot->respawn_ms = net_now_ms() + MASTER_BACKOFF_MAX_MS;
		return;
	}
	if (pid == 0) {
		if (master.ready_fd >= 0)
			close(master.ready_fd);
		_exit(worker_run(master.cfg, master.fds, master.nfds,
		    master.pid, false));
	}
	slot->pid = pid;
	slot->started_ms = net_now_ms();
	log_debug("worker %ld started", (long)pid);
}

static struct master_slot *
master_slot_of(pid_t pid)
{
	for (size_t i = 0; i < master.nslots; i++)
		if (master.slots[i].pid == pid)
			return &master.slots[i];
	return NULL;
}

/* Logs how a worker ended and schedules its replacement. */
static void
master_worker_exited(struct master_slot *slot, pid_t pid, int status)
{
	int64_t now = net_now_ms();
	bool quick = now - slot->started_ms < MASTER_QUICK_DEATH_MS;

	slot->pid = 0;
	slot->fatal = false;
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);

		log_error("worker %ld killed by signal %d (%s)%s", (long)pid,
		    sig, strsignal(sig),
		    WCOREDUMP(status) ? ", core dumped" : "");
	} else if (WIFEXITED(status) && WEXITSTATUS(status) == WORKER_EXIT_FATAL) {
		slot->fatal = true;
		log_error("worker %ld failed at start-up (exit status %d)",
		    (long)pid, WORKER_EXIT_FATAL);
	} else if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
		log_error("worker %ld exited with status %d", (long)pid,
		    WEXITSTATUS(status));
	} else {
		log_info("worker %ld exited", (long)pid);
	}
	if (quick || slot->fatal) {
		unsigned shift = slot->failures < 16 ? slot->failures : 16;
		int64_t delay = (int64_t)MASTER_BACKOFF_MIN_MS << shift;

		if (delay > MASTER_BACKOFF_MAX_MS)
			delay = MASTER_BACKOFF_MAX_MS;
		slot->failures++;
		slot->respawn_ms = now + delay;
		if (slot->failures > 1)
			log_warn("worker slot %zu failing repeatedly; next "
			    "start in %lld ms", (size_t)(slot - master.slots),
			    (long long)delay);
	} else {
		slot->failures = 0;
		slot->respawn_ms = now;
	}
}

static void
master_reap(void)
{
	pid_t pid;
	int status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		struct master_slot *slot = master_slot_of(pid);

		if (slot != NULL)
			master_worker_exited(slot, pid, status);
	}
}

/* True when every slot's last worker failed at start: nothing can serve. */
static bool
master_all_fatal(void)
{
	for (size_t i = 0; i < master.nslots; i++)
		if (master.slots[i].pid != 0 || !master.slots[i].fatal)
			return false;
	return true;
}

/* Refills empty slots that are due; arms the timer for the others. */
static void
master_maintain(void)
{
	int64_t now = net_now_ms(), next = 0;
	struct itimerval it;

	for (size_t i = 0; i < master.nslots; i++) {
		struct master_slot *slot = &master.slots[i];

		if (slot->pid != 0)
			continue;
		if (slot->respawn_ms <= now)
			master_spawn(slot);
		else if (next == 0 || slot->respawn_ms < next)
			next = slot->respawn_ms;
	}
	memset(&it, 0, sizeof(it));
	if (next > 0) {
		int64_t ms = next - now;

		it.it_value.tv_sec = (time_t)(ms / 1000);
		it.it_value.tv_usec = (suseconds_t)((ms % 1000) * 1000);
		if (it.it_value.tv_sec == 0 && it.it_value.tv_usec == 0)
			it.it_value.tv_usec = 1000;
	}
	setitimer(ITIMER_REAL, &it, NULL);
}

/* Fast stop: TERM to every worker, wait a bounded time, then KILL. */
static void
master_stop_workers(void)
{
	int64_t deadline = net_now_ms() + MASTER_STOP_WAIT_MS;
	bool killed = false;

	for (size_t i = 0; i < master.nslots; i++)
		if (master.slots[i].pid > 0)
			kill(master.slots[i].pid, SIGTERM);
	for (;;) {
		size_t alive = 0;
		pid_t pid;
		int status;

		while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
			struct master_slot *slot = master_slot_of(pid);

			if (slot != NULL)
				slot->pid = 0;
		}
		for (size_t i = 0; i < master.nslots; i++)
			alive += master.slots[i].pid > 0;
		if (alive == 0)
			return;
		if (!killed && net_now_ms() >= deadline) {
			log_warn("%zu workers still running; killing them",
			    alive);
			for (size_t i = 0; i < master.nslots; i++)
				if (master.slots[i].pid > 0)
					kill(master.slots[i].pid, SIGKILL);
			killed = true;
		}
		usleep(10 * 1000);
	}
}

static void
master_log_listening(void)
{
	const struct config *cfg = master.cfg;

	for (size_t i = 0; i < cfg->nlisten; i++)
		log_notice("listening on %s", cfg->listen[i].spec);
}

/* Start-up shared by both modes; 0, or -1 after reporting the error. */
static int
master_start(void)
{
	struct config *cfg = master.cfg;
	char err[512];

	if (mime_load(cfg->mime_types, err, sizeof(err)) < 0) {
		log_warn("%s; using the built-in media types", err);
		mime_load(NULL, err, sizeof(err));
	}
	if (master_check_pid_file(cfg->pid_file) < 0 || master_bind() < 0)
		return -1;
	if (log_open(cfg->error_log, cfg->access_log, cfg->log_level, err,
	    sizeof(err)) < 0) {
		log_error("%s", err);
		return -1;
	}
	if (!master.opts->foreground && !master.opts->one_process &&
	    master_daemonize() < 0)
		return -1;
	master.pid = getpid();
	if (master_write_pid_file(cfg->pid_file) < 0)
		return -1;
	return 0;
}

int
master_run(struct config *cfg, const struct master_options *opts)
{
	sigset_t handled, none;
	int rc = 0;

	master.cfg = cfg;
	master.opts = opts;
	log_set_role("master");
	log_set_echo(opts->foreground ? LOG_LEVEL_DEBUG : LOG_LEVEL_WARN);
	master_signals(&handled);
	if (master_start() < 0) {
		master_remove_pid_file();
		master_close_listeners();
		return 1;
	}
	master_log_listening();
	if (opts->one_process) {
		log_notice("%s started in one-process mode (-X)", PACKAGE_STRING);
		rc = worker_run(cfg, master.fds, master.nfds, getpid(), true);
		master_remove_pid_file();
		master_close_listeners();
		return rc == WORKER_EXIT_OK ? 0 : 1;
	}
	master.nslots = cfg->workers;
	master.slots = util_xcalloc(master.nslots, sizeof(*master.slots));
	master_maintain();
	log_notice("%s started: %zu workers", PACKAGE_STRING, master.nslots);
	master_ready();
	log_set_echo(opts->foreground ? LOG_LEVEL_DEBUG : -1);
	sigemptyset(&none);
	while (!master_got_stop) {
		sigsuspend(&none);
		if (master_got_chld) {
			master_got_chld = 0;
			master_reap();
			if (master_all_fatal()) {
				log_error("every worker failed at start-up; "
				    "stopping (see the errors above)");
				rc = 1;
				break;
			}
		}
		if (master_got_hup) {
			master_got_hup = 0;
			log_warn("SIGHUP: this version cannot reload its "
			    "configuration; restart the server to apply "
			    "changes");
		}
		if (master_got_usr1) {
			master_got_usr1 = 0;
			log_reopen();
		}
		master_got_alrm = 0;
		if (!master_got_stop)
			master_maintain();
	}
	if (master_got_stop)
		log_notice("signal %d (%s): stopping", (int)master_got_stop,
		    strsignal(master_got_stop));
	master_stop_workers();
	master_remove_pid_file();
	master_close_listeners();
	free(master.slots);
	free(master.fds);
	log_notice("stopped");
	return rc;
}
