/*
 * fcache.c - a worker's cache of open files (see fcache.h).
 */
#include "autoconf.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "fcache.h"

struct fcache_entry {
	int fd;			/* -1: empty */
	int64_t used_ms;	/* last hit or put */
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime, ctime;
	char path[FCACHE_PATH_MAX];
};

static struct fcache_entry fcache[FCACHE_SIZE];
static bool fcache_ready;
/* No entry expires before this (-1: the cache is empty): most sweeps are
 * one comparison. */
static int64_t fcache_first_expiry = -1;

static void
fcache_init(void)
{
	for (size_t i = 0; i < FCACHE_SIZE; i++)
		fcache[i].fd = -1;
	fcache_ready = true;
}

/* FNV-1a: paths differ mostly at the end, and it mixes every byte. */
static struct fcache_entry *
fcache_slot(const char *rel)
{
	uint32_t h = 2166136261u;

	if (!fcache_ready)
		fcache_init();
	for (const unsigned char *p = (const unsigned char *)rel; *p; p++)
		h = (h ^ *p) * 16777619u;
	return &fcache[h % FCACHE_SIZE];
}

static void
fcache_drop(struct fcache_entry *e)
{
	if (e->fd >= 0)
		close(e->fd);
	e->fd = -1;
}

static bool
fcache_same(const struct fcache_entry *e, const struct stat *st)
{
	return e->dev == st->st_dev && e->ino == st->st_ino &&
	    e->size == st->st_size &&
	    e->mtime.tv_sec == st->st_mtim.tv_sec &&
	    e->mtime.tv_nsec == st->st_mtim.tv_nsec &&
	    e->ctime.tv_sec == st->st_ctim.tv_sec &&
	    e->ctime.tv_nsec == st->st_ctim.tv_nsec;
}

int
fcache_get(int root_fd, const char *rel, int64_t now_ms, struct stat *st)
{
	struct fcache_entry *e = fcache_slot(rel);

	if (e->fd < 0 || strcmp(e->path, rel) != 0)
		return -1;
	/* The path as it resolves now: the same inode, unchanged? */
	if (fstatat(root_fd, rel, st, 0) == -1 || !S_ISREG(st->st_mode) ||
	    !fcache_same(e, st)) {
		fcache_drop(e);
		return -1;
	}
	e->used_ms = now_ms;
	return e->fd;
}

bool
fcache_put(const char *rel, int fd, const struct stat *st, int64_t now_ms)
{
	size_t len = strlen(rel);
	struct fcache_entry *e;

	if (len >= FCACHE_PATH_MAX)
		return false;
	e = fcache_slot(rel);
	fcache_drop(e);
	e->fd = fd;
	e->used_ms = now_ms;
	e->dev = st->st_dev;
	e->ino = st->st_ino;
	e->size = st->st_size;
	e->mtime = st->st_mtim;
	e->ctime = st->st_ctim;
	memcpy(e->path, rel, len + 1);
	if (fcache_first_expiry < 0 ||
	    now_ms + FCACHE_IDLE_MS < fcache_first_expiry)
		fcache_first_expiry = now_ms + FCACHE_IDLE_MS;
	return true;
}

int
fcache_sweep(int64_t now_ms)
{
	int64_t next = -1;

	if (fcache_first_expiry < 0 || now_ms < fcache_first_expiry)
		return fcache_first_expiry < 0 ? -1 :
		    (int)(fcache_first_expiry - now_ms);
	for (size_t i = 0; i < FCACHE_SIZE && fcache_ready; i++) {
		struct fcache_entry *e = &fcache[i];
		int64_t left;

		if (e->fd < 0)
			continue;
		left = e->used_ms + FCACHE_IDLE_MS - now_ms;
		if (left <= 0) {
			fcache_drop(e);
			continue;
		}
		if (next < 0 || left < next)
			next = left;
	}
	fcache_first_expiry = next < 0 ? -1 : now_ms + next;
	return (int)next;
}

void
fcache_clear(void)
{
	for (size_t i = 0; i < FCACHE_SIZE && fcache_ready; i++)
		fcache_drop(&fcache[i]);
	fcache_first_expiry = -1;
}
