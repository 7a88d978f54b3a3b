/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * net.h - sockets before they are connections: binding listeners, the
 * names of peers, and the clock every deadline is measured on.  What goes
 * over a connection is sock.h's.
 *
 * Deadlines are absolute CLOCK_MONOTONIC times in milliseconds (from
 * net_now_ms()), so a deadline is a total for a whole exchange, not a
 * per-read timeout a trickling client could renew forever.
 */
#ifndef FORKHTTPD_NET_H
#define FORKHTTPD_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "config.h"

/* Longest text net_peer_name() writes, with the NUL ("[...]:port" not used). */
#define NET_ADDR_MAX 64

/* Milliseconds of CLOCK_MONOTONIC. */
int64_t net_now_ms(void);

/*
 * Binds and listens on one configured address (SO_REUSEADDR, close-on-exec,
 * non-blocking, IPV6_V6ONLY for IPv6, TCP_NODELAY for the connections it
 * accepts).  Returns the fd, or -1 with one
 * line in err (address in use, permission denied, does not resolve ...).
 */
int net_listen(const struct config_listen *l, int backlog, char *err,
    size_t errlen);

/*
 * TCP_DEFER_ACCEPT on listener fd: the kernel completes a connection for
 * accept() only when its first data arrives, or about seconds after the
 * handshake if none comes, so a client that connects and says nothing
 * wakes no worker meanwhile.  The kernel rounds seconds up to its SYN-ACK
 * retransmission schedule (1, 3, 7, 15, 31 ... s), which is what
 * getsockopt() reads back.  Separate from net_listen() because a reload
 * keeps the listener and sets it again.  0, or -1 with errno.
 */
int net_defer_accept(int fd, unsigned seconds);

/* The numeric address of a peer ("127.0.0.1", "::1"). */
void net_peer_name(const struct sockaddr_storage *ss, char *out, size_t cap);

#endif
