/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * control.h - `forkhttpd -s reload|stop|quit|reopen`: signalling the
 * running master found through the pid file, and the synchronous reload.
 *
 * A reload is synchronous: the master reports its outcome in a small file
 * next to the pid file (pid-file + ".reload"), one line naming the pid
 * that asked (the sender of SIGHUP, from siginfo) and the outcome:
 *     "4242 ok generation 3\n"
 *     "4242 failed: /etc/forkhttpd/forkhttpd.conf:12: workers: ...\n"
 * written to a temporary file and renamed, so it is never seen half
 * written.  `-s reload` sends SIGHUP and waits until the file names its
 * own pid, then prints the outcome and exits 0 or 1.
 */
#ifndef FORKHTTPD_CONTROL_H
#define FORKHTTPD_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum control_cmd {
	CONTROL_RELOAD,		/* SIGHUP, wait for the report */
	CONTROL_STOP,		/* SIGTERM, wait until the master is gone */
	CONTROL_QUIT,		/* SIGQUIT, wait until the master is gone */
	CONTROL_REOPEN		/* SIGUSR1 */
};

/* "reload", "stop", "quit", "reopen" -> 0 and *cmd; else -1. */
int control_parse(const char *name, enum control_cmd *cmd);

/*
 * Signals the master that holds pid_file's lock and, for reload, stop and
 * quit, waits at most timeout_s seconds for the outcome.  Messages go to
 * standard error ("forkhttpd: reload: ok (generation 3)", "not running",
 * the master's error ...).  Returns the exit status: 0 on success, 1 on
 * failure (not running, no permission, the reload failed, timed out).
 */
int control_send(const char *pid_file, enum control_cmd cmd,
    unsigned timeout_s);

/* Writes pid_file + ".reload" into out; false if it does not fit. */
bool control_report_path(const char *pid_file, char *out, size_t cap);

/*
 * The master's side: reports a reload's outcome for the process that
 * asked (requester, 0 if unknown).  message is "generation N" on success
 * and the error on failure; it is put on one line.  0, or -1 with errno.
 */
int control_report(const char *pid_file, pid_t requester, bool ok,
    const char *message);

#endif
