/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * activation.h - listeners passed by the service manager (socket
 * activation, the sd_listen_fds(3) protocol, without libsystemd).  A
 * systemd .socket unit binds the addresses itself and starts the server
 * with them as descriptors 3, 4, ... and LISTEN_PID (our pid),
 * LISTEN_FDS (how many) and LISTEN_FDNAMES (their names, ':'-separated)
 * in the environment.
 *
 * The master uses a passed socket in place of binding a `listen` entry
 * whose address it has (the entry resolved as net_listen() would, against
 * getsockname() of the socket).  Passed sockets belong to this module for
 * the life of the process: a reload keeps them whatever the new file says,
 * and nothing else may close them.  Every passed socket must match an
 * entry: one left over would hold connections that nobody accepts (the
 * service manager keeps its own copy open), so a start or a reload that
 * leaves one unused fails, naming it.
 */
#ifndef FORKHTTPD_ACTIVATION_H
#define FORKHTTPD_ACTIVATION_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

/*
 * Takes the descriptors passed to this process: when LISTEN_PID is our
 * pid, descriptors 3 .. 3 + LISTEN_FDS - 1, each of which must be a
 * listening TCP socket (IPv4 or IPv6); they become close-on-exec and
 * non-blocking.  Unsets the three variables in any case, so that nothing
 * the server starts takes them for its own.  Call it first in main(),
 * before anything opens or closes a descriptor.  Returns how many were
 * taken (0: none passed, or passed to another process), or -1 with one
 * line in err (a malformed variable, a descriptor that is not a listening
 * TCP socket); nothing is taken then.
 */
int activation_take(char *err, size_t errlen);

/*
 * The passed socket bound to one of the addresses l resolves to, or -1.
 * -1 too when l does not resolve: net_listen() then says why.
 */
int activation_find(const struct config_listen *l);

/* Whether fd is a passed socket, which only this module may close. */
bool activation_owns(int fd);

/*
 * 0 if every passed socket is among fds[0..n) (the listeners of a
 * configuration); else -1 with err naming the first that is not.
 */
int activation_check_used(const int *fds, size_t n, char *err,
    size_t errlen);

/*
 * For log lines: "fd 3, \"forkhttpd.socket\"" (the name as passed) if fd
 * is a passed socket, else NULL.
 */
const char *activation_describe(int fd);

#endif
