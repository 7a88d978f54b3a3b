/* SPDX-License-Identifier: BSD-2-Clause */
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
	struct fcache_root root;	/* with path, the key */
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

static uint32_t
fcache_mix(uint32_t h, uint64_t v)
{
	for (int i = 0; i < 8; i++, v >>= 8)
		h = (h ^ (v & 0xff)) * 16777619u;
	return h;
}

/*
 * FNV-1a over the root, then the path: paths differ mostly at the end,
 * and it mixes every byte.  The root is in the hash so that two roots'
 * "index.html" do not take each other's place.
 */
static struct fcache_entry *
fcache_slot(const struct fcache_root *root, const char *rel)
{
	uint32_t h = 2166136261u;

	if (!fcache_ready)
		fcache_init();
	h = fcache_mix(h, (uint64_t)root->dev);
	h = fcache_mix(h, (uint64_t)root->ino);
	h = fcache_mix(h, (uint64_t)(unsigned)root->policy);
	for (const unsigned char *p = (const unsigned char *)rel; *p; p++)
		h = (h ^ *p) * 16777619u;
	return &fcache[h % FCACHE_SIZE];
}

static bool
fcache_same_root(const struct fcache_root *a, const struct fcache_root *b)
{
	return a->dev == b->dev && a->ino == b->ino &&
	    a->policy == b->policy;
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

bool
fcache_root_of(int root_fd, int policy, struct fcache_root *root)
{
	struct stat st;

	if (fstat(root_fd, &st) == -1)
		return false;
	root->dev = st.st_dev;
	root->ino = st.st_ino;
	root->policy = policy;
	return true;
}

int
fcache_get(const struct fcache_root *root, int root_fd, const char *rel,
    int64_t now_ms, struct stat *st)
{
	struct fcache_entry *e = fcache_slot(root, rel);

	if (e->fd < 0 || !fcache_same_root(&e->root, root) ||
	    strcmp(e->path, rel) != 0)
		return -1;
	/*
	 * The path as it resolves now, symlinks followed: the very inode
	 * the entry holds, unchanged?  Nothing else passes (fcache.h says
	 * why that is enough).
	 */
	if (fstatat(root_fd, rel, st, 0) == -1 || !S_ISREG(st->st_mode) ||
	    !fcache_same(e, st)) {
		fcache_drop(e);
		return -1;
	}
	e->used_ms = now_ms;
	return e->fd;
}

bool
fcache_put(const struct fcache_root *root, const char *rel, int fd,
    const struct stat *st, int64_t now_ms)
{
	size_t len = strlen(rel);
	struct fcache_entry *e;

	if (len >= FCACHE_PATH_MAX)
		return false;
	e = fcache_slot(root, rel);
	fcache_drop(e);
	e->fd = fd;
	e->used_ms = now_ms;
	e->root = *root;
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
