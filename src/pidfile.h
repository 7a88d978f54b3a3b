/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pidfile.h - the master's pid file, locked with flock() for as long as
 * the master lives.  The lock, not the number in the file, says whether
 * a server is running: a file left by a crash (or a reused pid) is stale
 * exactly when nobody holds its lock.
 */
#ifndef FORKHTTPD_PIDFILE_H
#define FORKHTTPD_PIDFILE_H

#include <sys/types.h>

/*
 * Opens path (creating it, mode 0644, never following a symlink) and
 * takes its lock without waiting, then writes our pid.  Returns the fd,
 * which the master keeps open (close-on-exec) to hold the lock.  On
 * failure returns -1 with errno: EWOULDBLOCK when another process holds
 * the lock (a server is running; *holder is the pid in the file, 0 if it
 * cannot be read), anything else when the file cannot be opened or
 * written.
 */
int pidfile_acquire(const char *path, pid_t *holder);

/* Rewrites the pid in the locked file (after daemonizing changed it).
 * 0, or -1 with errno. */
int pidfile_write(int fd);

/* Removes path and closes fd, which drops the lock.  fd -1: nothing. */
void pidfile_release(const char *path, int fd);

/*
 * For `forkhttpd -s`: the pid of the server holding path's lock.  Returns
 * the pid (> 0); 0 with errno ESRCH when nobody holds the lock (no file,
 * or a stale one); -1 with errno when the file cannot be read, or it is
 * locked but holds no valid pid.
 */
pid_t pidfile_running(const char *path);

#endif
