/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * master.h - the supervising process: binds the listeners, forks the
 * workers, sleeps in sigsuspend() and acts on signals and dead children.
 * The only module that forks or waits.
 */
#ifndef FORKHTTPD_MASTER_H
#define FORKHTTPD_MASTER_H

#include <stdbool.h>

#include "config.h"

struct master_options {
	bool foreground;	/* -n: do not daemonize, log to stderr */
	bool one_process;	/* -X: a single worker, in this process */
};

/*
 * Runs the server with cfg until it is told to stop; takes ownership of
 * cfg.  Returns the process exit status (0, or 1 after a start-up error,
 * which it has reported).
 */
int master_run(struct config *cfg, const struct master_options *opts);

#endif
