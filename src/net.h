/*
 * net.h - sockets: binding listeners, and reading, writing and sendfile()
 * against a deadline on non-blocking connections.
 *
 * Deadlines are absolute CLOCK_MONOTONIC times in milliseconds (from
 * net_now_ms()), so a read deadline is a total for a whole exchange, not a
 * per-read timeout a trickling client could renew forever.  Sends can
 * instead take a stall deadline, renewed by every byte the client takes:
 * a slow reader of a large file is not cut off, a stopped one is.
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

/*
 * How often a send waiting under a stall deadline looks at its send
 * queue (see net_send_queued()): a shrinking queue is progress too.
 */
#define NET_SEND_SLICE_MS 200

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

/*
 * Reads at most cap bytes, waiting until deadline_ms.  Returns the count,
 * 0 at end of stream, or -1 with errno (ETIMEDOUT when the deadline
 * passed).
 */
ssize_t net_read(int fd, void *buf, size_t cap, int64_t deadline_ms);

/*
 * Sends all of iov (which it consumes), waiting until deadline_ms.  With
 * more, the kernel holds a partial segment back for what follows (a
 * sendfile() body), so headers and body leave in the same packets.
 * Returns 0, or -1 with errno (ETIMEDOUT, EPIPE, ...); never raises
 * SIGPIPE.
 *
 * stall_ms 0 makes deadline_ms a total.  stall_ms > 0 moves the deadline
 * to stall_ms from now each time bytes go out: a client that keeps
 * reading a large file is never cut off, one that stops reading is
 * dropped stall_ms after it stopped.
 */
int net_send_all(int fd, struct iovec *iov, int iovcnt, bool more,
    int64_t deadline_ms, int stall_ms);

/*
 * Sends len bytes of file_fd from *offset with sendfile(), advancing
 * *offset, waiting until deadline_ms (moved on by progress as above).
 * Returns 0, or -1 with errno; a file that shrank underneath gives EIO.
 */
int net_sendfile_all(int fd, int file_fd, off_t *offset, off_t len,
    int64_t deadline_ms, int stall_ms);

/*
 * Sends what the socket takes of file_fd's bytes [*offset, end) without
 * waiting, advancing *offset.  Returns 0 when all went out, 1 when the
 * socket is full (wait for it to be writable), or -1 with errno (EIO:
 * the file shrank underneath).
 */
int net_sendfile_some(int fd, int file_fd, off_t *offset, off_t end);

/* The bytes sent on fd and not yet acknowledged (SIOCOUTQ), or -1. */
int net_send_queued(int fd);

/*
 * A function called each time a send moves bytes (the worker's
 * scoreboard heartbeat, so that its watchdog tells a slow client from a
 * stuck worker).  NULL: none.
 */
void net_set_progress_hook(void (*hook)(void));

/* The numeric address of a peer ("127.0.0.1", "::1"). */
void net_peer_name(const struct sockaddr_storage *ss, char *out, size_t cap);

#endif
