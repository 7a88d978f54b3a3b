/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * notify.h - telling the service manager how the server is doing: the
 * sd_notify(3) protocol, written here rather than linked from libsystemd.
 * Each message is one datagram of "KEY=value" lines sent to the unix
 * socket named by $NOTIFY_SOCKET (a path, or an abstract name written
 * with a leading '@').  Without that variable every call does nothing, so
 * the master calls these unconditionally.
 *
 * What the master sends, and when (see master.c):
 *     READY=1, STATUS=...     the first generation serves; again after
 *                             each reload, failed or not
 *     RELOADING=1, MONOTONIC_USEC=...   a reload begins
 *     STOPPING=1              TERM, INT or QUIT
 */
#ifndef FORKHTTPD_NOTIFY_H
#define FORKHTTPD_NOTIFY_H

#include <stdbool.h>

/*
 * Reads $NOTIFY_SOCKET and unsets it, so that nothing the server starts
 * (workers, and whatever they may ever run) talks to the service manager
 * in its name.  Only the process that will send calls it: the master
 * (after daemonizing, a service manager would not accept our messages
 * anyway; see forkhttpd(8)).  A value that is not a usable address is
 * logged and ignored.  Returns whether messages will be sent.
 */
bool notify_init(void);

/* Whether notify_init() found a socket. */
bool notify_enabled(void);

/*
 * Sends one message: state ("READY=1", "STOPPING=1") and, unless status
 * is NULL, a STATUS= line (newlines in it become spaces: a message is a
 * list of lines).  Never blocks: a service manager that does not keep up
 * loses the message, which is logged.  0, or -1 (logged; also when not
 * enabled, quietly).
 */
int notify_send(const char *state, const char *status);

/*
 * RELOADING=1 with MONOTONIC_USEC=<CLOCK_MONOTONIC in microseconds> and
 * STATUS=status: under Type=notify-reload (systemd 253 and later, which
 * requires the time) systemd holds the reload job until the READY=1 that
 * follows, and uses the time to tell this RELOADING=1 from an older one.
 * 0 or -1, as notify_send().
 */
int notify_reloading(const char *status);

#endif
