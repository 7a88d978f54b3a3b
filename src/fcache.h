/*
 * fcache.h - a worker's cache of open files, so that a file asked for
 * again costs one fstatat() instead of open(), fstat() and close().
 *
 * It never serves a file that changed: every hit is checked with one
 * fstatat() of the same path from the document root, and an entry whose
 * device, inode, size, mtime or ctime differ (the file was replaced,
 * written, truncated, its mode changed) or that is gone is dropped, and
 * the caller opens afresh.  Content is never copied: a hit hands back
 * the fd, and sendfile() reads what the file holds now.  A hit can only
 * return a file that was opened through the caller's checks (beneath
 * the root), since it is the same inode.
 *
 * Entries unused for FCACHE_IDLE_MS are closed by fcache_sweep(), so a
 * deleted file does not stay open (and its disk space taken) for long.
 * Storage is static: FCACHE_SIZE entries, direct-mapped by a hash of the
 * path; one process, one request at a time, so no locking.
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
 * The fd kept for rel (a path relative to root_fd, as static_map_path()
 * makes it) if the file at rel is still the one it was opened on; *st is
 * then the file's current status.  -1 on a miss; a stale entry is
 * closed.  The fd stays the cache's: the caller must not close it.
 */
int fcache_get(int root_fd, const char *rel, int64_t now_ms,
    struct stat *st);

/*
 * Keeps fd, open on the regular file rel whose status is st, replacing
 * (and closing) whatever entry held its place.  Returns true when the
 * cache took fd (the caller must not close it), false when rel is too
 * long to keep (the caller still owns fd).
 */
bool fcache_put(const char *rel, int fd, const struct stat *st,
    int64_t now_ms);

/*
 * Closes entries unused for FCACHE_IDLE_MS.  Returns the milliseconds
 * until the next would expire, or -1 when the cache is empty.
 */
int fcache_sweep(int64_t now_ms);

/* Closes every entry. */
void fcache_clear(void);

#endif
