/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * worker.h - one worker process: reset the signals inherited from the
 * master, drop privileges, open the document root, then accept and serve
 * connections until told to stop.
 */
#ifndef FORKHTTPD_WORKER_H
#define FORKHTTPD_WORKER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "config.h"
#include "scoreboard.h"

/* Exit codes the master understands. */
enum worker_exit {
	WORKER_EXIT_OK = 0,	/* asked to stop, or done */
	WORKER_EXIT_ERROR = 1,	/* failed while serving: respawned */
	WORKER_EXIT_FATAL = 2	/* failed at start (privileges, document
				 * root): not respawned in a tight loop */
};

/*
 * Runs a worker on the listening sockets fds and returns its exit code
 * (enum worker_exit); the forked child passes it to _exit().
 *
 * A forked worker (one_process false) dies on TERM and INT like any
 * process, and on its master's death (PR_SET_PDEATHSIG).  With one_process
 * (-X) it runs in the master's place: TERM and INT set a flag it checks
 * between connections, and it returns WORKER_EXIT_OK.  QUIT is a graceful
 * stop either way, USR1 reopens the logs between requests.
 *
 * slot is the worker's own scoreboard slot (NULL: none), which it keeps
 * up to date; sb, the whole scoreboard, feeds the status page.  With
 * cfg->max_requests_per_worker it returns WORKER_EXIT_OK after about
 * that many requests (see worker_request_limit()).
 */
int worker_run(const struct config *cfg, const int *fds, size_t nfds,
    pid_t master_pid, bool one_process, struct scoreboard *sb,
    struct scoreboard_slot *slot);

#endif
