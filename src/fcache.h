/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fcache.h - a worker's cache of open files, so that a file asked for
 * again costs no open(), fstat() and close(), and, when inotify watches
 * it, no system call of its own at all: its status, and for a small file
 * its bytes, come from memory.
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
 * It never serves a file that changed.  An entry is one of two kinds:
 *
 * Watched.  fcache_prepare() puts inotify watches on every directory
 * from the root down to the file, and on the file, BEFORE the caller
 * opens it (with no symlink anywhere on its way: RESOLVE_NO_SYMLINKS),
 * fstat()s it and fcache_put() reads its bytes.  From then on any change
 * to the file (written, truncated, its mode, owner or times) or to any
 * name on its way (the file or a directory above it removed, renamed
 * away, replaced by a rename over it) queues an event, and the kernel
 * queues it inside the system call that makes the change, before that
 * call returns.  fcache_get() reads every queued event (a read() of the
 * inotify fd, non-blocking) before it answers, and drops the entries an
 * event touches.  So a change that was complete when the request was
 * read from its socket has its event queued by then, and is seen before
 * the request is answered: never stale, with one read() that finds
 * nothing (EAGAIN) as the whole cost of a hit.  A worker saves even
 * that: it watches the inotify fd in its epoll set and, once it says so
 * with fcache_loop_drains(), calls fcache_sync() whenever a round of its
 * loop finds the fd readable, before stepping any connection; a
 * request is then answered in the round its bytes woke, after every
 * change complete before that round began (a pipelined request that
 * follows another in the same step may have arrived later: conn calls
 * fcache_sync() before it).  A change made before
 * the watches were in place is in what the caller reads after them.  An
 * event that arrives while fcache_put() is still reading makes the
 * entry a stat-checked one.  A queue overflow (IN_Q_OVERFLOW) drops
 * every watched entry.
 *
 * Stat-checked, when watching is not possible: inotify unavailable, the
 * watch limit reached (fs.inotify.max_user_watches: ENOSPC), a symlink
 * on the path, a path deeper than FCACHE_DEPTH_MAX, a network or FUSE
 * file system (whose changes made elsewhere raise no event), or a change
 * during fcache_put().  Every hit is then checked with one fstatat() of
 * the same path from the document root, and an entry whose device,
 * inode, size, mtime or ctime differ (the file was replaced, written,
 * truncated, its mode changed) or that is gone is dropped, and the caller
 * opens afresh.  Its content is never copied: a hit hands back the fd,
 * and sendfile() reads what the file holds now.
 *
 * What inotify cannot see, and so a watched entry cannot either: a
 * write through a shared writable mmap() of the file (no event,
 * inotify(7)), and a file system mounted over a directory on the way.
 * Set file-cache-memory to 0 where that matters: bytes are then never
 * copied, and sendfile() reads the file as it is.
 *
 * Why the stat-checked look-up may follow symlinks: it only decides
 * whether to hand back the fd already open, never opens anything, and it
 * accepts nothing but the very inode that fd holds, which was opened
 * through the caller's checks beneath this root under this policy.  The
 * fd pins the inode, so its (device, inode) cannot be reused by another
 * file while the entry lives.  If the path, or a directory on it, is
 * swapped for a symlink to anything else, the stat sees another inode
 * (or none) and the look-up misses; the caller's open then applies its
 * checks to the new path.  A symlink to the same inode (or a hard link of
 * it) yields the file this root already let out by this name, unchanged.
 *
 * Memory: FCACHE_SIZE entries (about 0.6 KiB each), direct-mapped by a
 * hash of the root and path, each holding one fd; and the bytes of
 * watched files of at most FCACHE_BODY_MAX, up to the budget given to
 * fcache_configure() (file-cache-memory) in all.  Entries unused for
 * FCACHE_IDLE_MS are closed by fcache_sweep(), so a deleted file does not
 * stay open (and its disk space taken) for long.  One process, one
 * request at a time, so no locking.
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
/* Directories below the root a watched file may lie in. */
#define FCACHE_DEPTH_MAX 8
/* Larger files are never copied: sendfile() sends them from the fd. */
#define FCACHE_BODY_MAX (32 * 1024)
/* file-cache-memory's default: bytes of files kept per worker. */
#define FCACHE_MEMORY_DEFAULT (1024 * 1024)

/*
 * Sets the budget of file bytes kept in memory (0: none; entries are
 * still watched, and hits sent with sendfile()).  Called once per
 * worker before the first request; the default is FCACHE_MEMORY_DEFAULT.
 */
void fcache_configure(size_t memory);

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
 * file's current status, and *body (when body is not NULL) its st_size
 * bytes, or NULL when they are not in memory.  -1 on a miss; a stale
 * entry is closed.  The fd and the bytes stay the cache's: the caller
 * must not close or free them, and they live until the next call into
 * the cache.
 */
int fcache_get(const struct fcache_root *root, int root_fd, const char *rel,
    int64_t now_ms, struct stat *st, const char **body);

/* The inotify fd, once there is one (-1: none yet, or never). */
int fcache_event_fd(void);

/* on: the caller's event loop calls fcache_sync() when fcache_event_fd()
 * is readable (see the top), so a hit need not read the queue. */
void fcache_loop_drains(bool on);

/* Reads every queued event now, and drops what they touch. */
void fcache_sync(void);

/*
 * Before the caller opens rel (after a miss), to make it a watched
 * entry: takes rel's slot and puts the watches in place.  Returns true
 * when it did: the caller then opens rel with no symlink on its way
 * (openat2() RESOLVE_NO_SYMLINKS, on top of its own checks) and hands
 * the fd to fcache_put(), or calls fcache_cancel() (not a regular file,
 * a symlink on the way, an error).  false: no watch (see the top), and
 * the caller opens as it would anyway.
 */
bool fcache_prepare(const struct fcache_root *root, int root_fd,
    const char *rel);

/* Gives up what fcache_prepare() took for rel (its slot and watches). */
void fcache_cancel(const struct fcache_root *root, const char *rel);

/*
 * Keeps fd, open on the regular file rel under root whose status is st,
 * replacing (and closing) whatever entry held its place.  fd must have
 * been opened through the caller's checks for root and its policy (and,
 * after fcache_prepare() said true, after it): a hit hands it out under
 * that key with no other check than the above.  A watched entry keeps
 * the bytes of a file of at most FCACHE_BODY_MAX while the budget
 * allows; *body (when body is not NULL) says where, or NULL.  Returns
 * true when the cache took fd (the caller must not close it), false when
 * rel is too long to keep (the caller still owns fd).
 */
bool fcache_put(const struct fcache_root *root, const char *rel, int fd,
    const struct stat *st, int64_t now_ms, const char **body);

/*
 * Closes entries unused for FCACHE_IDLE_MS.  Returns the milliseconds
 * until the next would expire, or -1 when the cache is empty.
 */
int fcache_sweep(int64_t now_ms);

/*
 * Closes every entry, and the inotify fd (opened again when needed), so
 * the cache holds no descriptor.
 */
void fcache_clear(void);

/*
 * For tests: at most n watches (-1: as many as the kernel allows), as if
 * fs.inotify.max_user_watches were reached beyond them.
 */
void fcache_watch_cap(int n);

#endif
