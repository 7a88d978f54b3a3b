/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fcache.h - a worker's cache of open files, so that a file asked for
 * again costs one fstatat() instead of open(), fstat() and close().
 *
 * An entry is keyed by the document root it was opened under (the root
 * directory's device and inode, and the caller's open policy) and the
 * path relative to that root.  A look-up under one root never returns an
 * entry made under another, nor under another policy: the same path, or
 * a symlink in root B to a file root A has cached, is B's own miss, and B
 * opens it afresh through its own checks (RESOLVE_BENEATH), which refuse
 * a symlink out of B.  Without the root in the key, B's "secret.txt", a
 * symlink to ../A/secret.txt, would resolve to A's cached inode and pass
 * the revalidation below.
 *
 * It never serves a file that changed: every hit is checked with one
 * fstatat() of the same path from the document root, and an entry whose
 * device, inode, size, mtime or ctime differ (the file was replaced,
 * written, truncated, its mode changed) or that is gone is dropped, and
 * the caller opens afresh.  Content is never copied: a hit hands back
 * the fd, and sendfile() reads what the file holds now.
 *
 * Why that fstatat() may follow symlinks: it only decides whether to
 * hand back the fd already open, never opens anything, and it accepts
 * nothing but the very inode that fd holds, which was opened through the
 * caller's checks beneath this root under this policy.  The fd pins the
 * inode, so its (device, inode) cannot be reused by another file while
 * the entry lives.  If the path, or a directory on it, is swapped for a
 * symlink to anything else, the stat sees another inode (or none) and
 * the look-up misses; the caller's open then applies its checks to the
 * new path.  A symlink to the same inode (or a hard link of it) yields
 * the file this root already let out by this name, unchanged.  Not
 * following (AT_SYMLINK_NOFOLLOW) would buy nothing: it applies to the
 * last component only, and would make every in-root symlink a miss.
 *
 * Entries unused for FCACHE_IDLE_MS are closed by fcache_sweep(), so a
 * deleted file does not stay open (and its disk space taken) for long.
 * Storage is static: FCACHE_SIZE entries, direct-mapped by a hash of the
 * root and path; one process, one request at a time, so no locking.
 */
#ifndef FORKHTTPD_FCACHE_H
#define FORKHTTPD_FCACHE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#define FCACHE_SIZE 64
/* Longer paths are not cached. */
#define FCACHE_PATH_MAX 256
#define FCACHE_IDLE_MS 5000

/*
 * Which document root an entry belongs to.  dev and ino are the root
 * directory's (fstat() of the root fd), so two fds open on one directory
 * share entries and two directories never do.  policy is the caller's
 * rule for opening beneath the root (static.c: symlinks-outside-root);
 * entries made under one policy are never returned under another, so a
 * file that a lax rule let in does not come out under a strict one.
 */
struct fcache_root {
	dev_t dev;
	ino_t ino;
	int policy;
};

/*
 * Fills *root for the directory open as root_fd under policy.  Returns
 * false (errno set by fstat()) when it cannot tell: the caller then does
 * without the cache.  One fstat(); a caller that keeps its roots open
 * for long (a virtual host's) may call it once and keep the result.
 */
bool fcache_root_of(int root_fd, int policy, struct fcache_root *root);

/*
 * The fd kept for rel under root (a path relative to root_fd, as
 * static_map_path() makes it; root is root_fd's, from fcache_root_of())
 * if the file at rel is still the one it was opened on; *st is then the
 * file's current status.  -1 on a miss; a stale entry is closed.  The fd
 * stays the cache's: the caller must not close it.
 */
int fcache_get(const struct fcache_root *root, int root_fd, const char *rel,
    int64_t now_ms, struct stat *st);

/*
 * Keeps fd, open on the regular file rel under root whose status is st,
 * replacing (and closing) whatever entry held its place.  fd must have
 * been opened through the caller's checks for root and its policy: a
 * hit hands it out under that key with no other check than the
 * fstatat() above.  Returns true when the cache took fd (the caller must
 * not close it), false when rel is too long to keep (the caller still
 * owns fd).
 */
bool fcache_put(const struct fcache_root *root, const char *rel, int fd,
    const struct stat *st, int64_t now_ms);

/*
 * Closes entries unused for FCACHE_IDLE_MS.  Returns the milliseconds
 * until the next would expire, or -1 when the cache is empty.
 */
int fcache_sweep(int64_t now_ms);

/* Closes every entry. */
void fcache_clear(void);

#endif
