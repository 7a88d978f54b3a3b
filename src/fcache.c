/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fcache.c - a worker's cache of open files (see fcache.h, whose top
 * comment says why a watched entry is never stale).
 *
 * A watched entry holds the watch descriptors of its path's directories,
 * from the root down (each with the name of the next component, since a
 * directory's events name the child they are about), and of the file
 * itself.  inotify gives one descriptor per inode, so entries under the
 * same directories share theirs; a watch is removed when the last entry
 * that holds it goes.
 */
#include "autoconf.h"

#include <sys/inotify.h>
#include <sys/statfs.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fcache.h"
#include "log.h"

enum fcache_state {
	FCACHE_EMPTY = 0,
	FCACHE_PENDING,		/* watched, not yet opened: never a hit */
	FCACHE_STAT,		/* every hit checked with fstatat() */
	FCACHE_WATCHED		/* inotify says whether it changed */
};

/* The root, each directory below it, and the file. */
#define FCACHE_WATCHES (FCACHE_DEPTH_MAX + 2)

/* What a directory is watched for: a name in it changing (children's
 * attributes are reported on the directory too), or itself. */
#define FCACHE_DIR_MASK (IN_ATTRIB | IN_CREATE | IN_DELETE | IN_MOVED_FROM | \
    IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF)
/* ... and a file: its bytes or its status, or its name going. */
#define FCACHE_FILE_MASK (IN_MODIFY | IN_ATTRIB | IN_DELETE_SELF | \
    IN_MOVE_SELF)

struct fcache_entry {
	int state;		/* enum fcache_state */
	int fd;			/* -1 unless STAT or WATCHED */
	int64_t used_ms;	/* last hit or put */
	struct fcache_root root;	/* with path, the key */
	struct stat st;
	char *body;		/* WATCHED: st_size bytes, or NULL */
	unsigned nwd;		/* watches: nwd - 1 directories, the file */
	int wd[FCACHE_WATCHES];
	uint16_t name[FCACHE_WATCHES];	/* a directory's child: path offset */
	char path[FCACHE_PATH_MAX];
};

static struct fcache_entry fcache[FCACHE_SIZE];
static bool fcache_ready;
/* No entry expires before this (-1: the cache is empty): most sweeps are
 * one comparison. */
static int64_t fcache_first_expiry = -1;
static int fcache_ifd = -1;		/* inotify, non-blocking */
static bool fcache_no_inotify;		/* inotify_init1() failed */
static bool fcache_loop;		/* the event loop drains the queue */
static unsigned fcache_nwatched;	/* PENDING and WATCHED entries */
static size_t fcache_budget = FCACHE_MEMORY_DEFAULT;
static size_t fcache_mem_used;
static int fcache_cap = -1;		/* fcache_watch_cap() */
static int fcache_cap_used;
/* The body of an empty file: not NULL, and nothing to free. */
static char fcache_empty[1];

static void
fcache_init(void)
{
	for (size_t i = 0; i < FCACHE_SIZE; i++) {
		fcache[i].state = FCACHE_EMPTY;
		fcache[i].fd = -1;
	}
	fcache_ready = true;
}

void
fcache_configure(size_t memory)
{
	fcache_budget = memory;
}

void
fcache_watch_cap(int n)
{
	fcache_cap = n;
	fcache_cap_used = 0;
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

static bool
fcache_is(const struct fcache_entry *e, const struct fcache_root *root,
    const char *rel)
{
	return e->state != FCACHE_EMPTY && fcache_same_root(&e->root, root) &&
	    strcmp(e->path, rel) == 0;
}

/* Whether an entry other than skip holds the watch wd. */
static bool
fcache_wd_held(int wd, const struct fcache_entry *skip)
{
	for (size_t i = 0; i < FCACHE_SIZE; i++) {
		const struct fcache_entry *e = &fcache[i];

		if (e == skip)
			continue;
		for (unsigned k = 0; k < e->nwd; k++)
			if (e->wd[k] == wd)
				return true;
	}
	return false;
}

/* Lets go of e's watches: each one no other entry holds is removed. */
static void
fcache_unwatch(struct fcache_entry *e)
{
	for (unsigned k = 0; k < e->nwd; k++) {
		int wd = e->wd[k];
		bool seen = false;

		for (unsigned j = 0; j < k; j++)
			seen = seen || e->wd[j] == wd;
		if (!seen && !fcache_wd_held(wd, e) && fcache_ifd >= 0) {
			/* EINVAL: the kernel removed it already (IN_IGNORED). */
			inotify_rm_watch(fcache_ifd, wd);
			if (fcache_cap_used > 0)
				fcache_cap_used--;
		}
	}
	if (e->state == FCACHE_PENDING || e->state == FCACHE_WATCHED)
		fcache_nwatched--;
	e->nwd = 0;
}

static void
fcache_free_body(struct fcache_entry *e)
{
	if (e->body != NULL && e->body != fcache_empty) {
		free(e->body);
		fcache_mem_used -= (size_t)e->st.st_size;
	}
	e->body = NULL;
}

static void
fcache_drop(struct fcache_entry *e)
{
	if (e->state == FCACHE_EMPTY)
		return;
	fcache_unwatch(e);
	fcache_free_body(e);
	if (e->fd >= 0)
		close(e->fd);
	e->fd = -1;
	e->state = FCACHE_EMPTY;
}

/* Length of the path component starting at p. */
static size_t
fcache_comp_len(const char *p)
{
	const char *slash = strchr(p, '/');

	return slash != NULL ? (size_t)(slash - p) : strlen(p);
}

/* Does ev concern e: its file, one of its directories itself, or the
 * name in a directory that leads to e? */
static bool
fcache_event_hits(const struct fcache_entry *e, const struct inotify_event *ev)
{
	for (unsigned k = 0; k < e->nwd; k++) {
		const char *name;
		size_t n;

		if (e->wd[k] != ev->wd)
			continue;
		if (k == e->nwd - 1 || ev->len == 0)
			return true;
		name = e->path + e->name[k];
		n = fcache_comp_len(name);
		if (strnlen(ev->name, ev->len) == n &&
		    memcmp(ev->name, name, n) == 0)
			return true;
	}
	return false;
}

static void
fcache_drop_watched(void)
{
	for (size_t i = 0; i < FCACHE_SIZE; i++)
		if (fcache[i].state == FCACHE_PENDING ||
		    fcache[i].state == FCACHE_WATCHED)
			fcache_drop(&fcache[i]);
}

static void
fcache_event(const struct inotify_event *ev)
{
	if (ev->mask & IN_Q_OVERFLOW) {
		/* Events were lost: trust no watched entry. */
		fcache_drop_watched();
		return;
	}
	for (size_t i = 0; i < FCACHE_SIZE; i++) {
		struct fcache_entry *e = &fcache[i];

		if ((e->state == FCACHE_PENDING || e->state == FCACHE_WATCHED) &&
		    fcache_event_hits(e, ev))
			fcache_drop(e);
	}
}

/*
 * Reads every event queued so far and drops what they touch.  The
 * inotify fd is non-blocking: with nothing queued this is one read()
 * that says EAGAIN.  A read that fails otherwise leaves us blind: every
 * watched entry goes, and watching stops.
 */
static void
fcache_drain(bool all)
{
	char buf[4096]
	    __attribute__((aligned(__alignof__(struct inotify_event))));

	/* all: even with nothing watched (IN_IGNORED after a watch went),
	 * so that a readable fd in an epoll set is left empty. */
	while (fcache_ifd >= 0 && (all || fcache_nwatched > 0)) {
		ssize_t n = read(fcache_ifd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			log_error("inotify read%s", n < 0 ? ":" : ": end");
			fcache_drop_watched();
			close(fcache_ifd);
			fcache_ifd = -1;
			fcache_no_inotify = true;
			return;
		}
		for (ssize_t off = 0; off < n; ) {
			const struct inotify_event *ev =
			    (const struct inotify_event *)(buf + off);

			fcache_event(ev);
			off += (ssize_t)(sizeof(*ev) + ev->len);
		}
	}
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

static bool
fcache_same(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	    a->st_size == b->st_size &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	    a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
	    a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

int
fcache_get(const struct fcache_root *root, int root_fd, const char *rel,
    int64_t now_ms, struct stat *st, const char **body)
{
	struct fcache_entry *e = fcache_slot(root, rel);

	if (body != NULL)
		*body = NULL;
	if (e->state == FCACHE_WATCHED && fcache_is(e, root, rel)) {
		/* Every change made before the request was read is queued
		 * by now (fcache.h): read the queue, then answer, unless
		 * the event loop reads it. */
		if (!fcache_loop)
			fcache_drain(false);
		if (e->state != FCACHE_WATCHED)
			return -1;
		*st = e->st;
		if (body != NULL)
			*body = e->body;
		e->used_ms = now_ms;
		return e->fd;
	}
	if (e->state != FCACHE_STAT || !fcache_is(e, root, rel))
		return -1;
	/*
	 * The path as it resolves now, symlinks followed: the very inode
	 * the entry holds, unchanged?  Nothing else passes (fcache.h says
	 * why that is enough).
	 */
	if (fstatat(root_fd, rel, st, 0) == -1 || !S_ISREG(st->st_mode) ||
	    !fcache_same(&e->st, st)) {
		fcache_drop(e);
		return -1;
	}
	e->used_ms = now_ms;
	return e->fd;
}

int
fcache_event_fd(void)
{
	return fcache_ifd;
}

void
fcache_loop_drains(bool on)
{
	fcache_loop = on;
}

void
fcache_sync(void)
{
	fcache_drain(true);
}

static bool
fcache_inotify(void)
{
	if (fcache_ifd >= 0)
		return true;
	if (fcache_no_inotify)
		return false;
	fcache_ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (fcache_ifd < 0) {
		log_notice("inotify_init1: %s: every cached file is checked "
		    "with a stat per request", strerror(errno));
		fcache_no_inotify = true;
		return false;
	}
	return true;
}

/* One watch on path; -1 with errno (ENOSPC: the limit). */
static int
fcache_add_watch(const char *path, uint32_t mask)
{
	int wd;

	if (fcache_cap >= 0 && fcache_cap_used >= fcache_cap) {
		errno = ENOSPC;
		return -1;
	}
	if ((wd = inotify_add_watch(fcache_ifd, path, mask)) >= 0 &&
	    fcache_cap >= 0)
		fcache_cap_used++;
	return wd;
}

/* The watch limit, said once per worker. */
static void
fcache_watch_failed(int err)
{
	static bool said;

	if (err != ENOSPC || said)
		return;
	said = true;
	log_notice("inotify watch limit reached (fs.inotify.max_user_watches):"
	    " files beyond it are checked with a stat per request");
}

/*
 * The watches of e, whose key is set: each directory from the root down,
 * then the file, by their names under /proc/self/fd/ROOT (inotify takes
 * no directory fd).  A directory's watch is in place before the name in
 * it is looked up for the next, so a name changed after its lookup
 * raises an event.  false with errno when one cannot be added.
 */
static bool
fcache_watch(struct fcache_entry *e, int root_fd)
{
	char path[64 + FCACHE_PATH_MAX];
	size_t base = (size_t)snprintf(path, 64, "/proc/self/fd/%d", root_fd);
	size_t off = 0, len = strlen(e->path);

	for (;;) {
		size_t n = fcache_comp_len(e->path + off);
		int wd;

		if (e->nwd >= FCACHE_WATCHES - 1) {
			errno = ENAMETOOLONG;
			return false;
		}
		/* The directory that holds the component at off. */
		path[base] = '/';
		memcpy(path + base + 1, e->path, off);
		path[off > 0 ? base + off : base] = '\0';
		/* The root is the magic link's target: followed. */
		if ((wd = fcache_add_watch(path, FCACHE_DIR_MASK | IN_ONLYDIR |
		    (off > 0 ? IN_DONT_FOLLOW : 0))) < 0)
			return false;
		e->name[e->nwd] = (uint16_t)off;
		e->wd[e->nwd++] = wd;
		if (e->path[off + n] == '\0')
			break;
		off += n + 1;
	}
	path[base] = '/';
	memcpy(path + base + 1, e->path, len + 1);
	if ((e->wd[e->nwd] = fcache_add_watch(path, FCACHE_FILE_MASK |
	    IN_DONT_FOLLOW)) < 0)
		return false;
	e->name[e->nwd++] = 0;
	return true;
}

bool
fcache_prepare(const struct fcache_root *root, int root_fd, const char *rel)
{
	size_t len = strlen(rel);
	struct fcache_entry *e;
	int err;

	if (len == 0 || len >= FCACHE_PATH_MAX || !fcache_inotify())
		return false;
	e = fcache_slot(root, rel);
	fcache_drop(e);
	e->root = *root;
	memcpy(e->path, rel, len + 1);
	e->state = FCACHE_PENDING;
	e->fd = -1;
	e->body = NULL;
	e->nwd = 0;
	fcache_nwatched++;
	if (fcache_watch(e, root_fd))
		return true;
	err = errno;
	fcache_drop(e);
	fcache_watch_failed(err);
	return false;
}

void
fcache_cancel(const struct fcache_root *root, const char *rel)
{
	struct fcache_entry *e = fcache_slot(root, rel);

	if (e->state == FCACHE_PENDING && fcache_is(e, root, rel))
		fcache_drop(e);
}

/*
 * Whether changes to fd's file raise inotify events at all: not on a
 * network or FUSE file system, where another machine or process
 * changes files behind the kernel's back.
 */
static bool
fcache_fs_local(int fd)
{
	struct statfs sf;

	if (fstatfs(fd, &sf) == -1)
		return false;
	switch ((unsigned long)sf.f_type) {
	case 0x6969UL:		/* NFS */
	case 0x517bUL:		/* SMB */
	case 0xff534d42UL:	/* CIFS */
	case 0xfe534d42UL:	/* SMB2 */
	case 0x65735546UL:	/* FUSE */
	case 0x01021997UL:	/* 9P */
	case 0x00c36400UL:	/* Ceph */
	case 0x6b414653UL:	/* AFS */
	case 0x5346414fUL:	/* OpenAFS */
	case 0x73757245UL:	/* Coda */
	case 0x01161970UL:	/* GFS2 */
	case 0x7461636fUL:	/* OCFS2 */
		return false;
	default:
		return true;
	}
}

/* A watched file's bytes into e->body, if it is small and fits. */
static void
fcache_read_body(struct fcache_entry *e, int fd)
{
	size_t size = (size_t)e->st.st_size, got = 0;
	char *b;

	if (e->st.st_size < 0 || size > FCACHE_BODY_MAX ||
	    fcache_budget - fcache_mem_used < size ||
	    fcache_mem_used > fcache_budget)
		return;
	if (size == 0) {
		e->body = fcache_empty;
		return;
	}
	if ((b = malloc(size)) == NULL)
		return;
	while (got < size) {
		ssize_t n = pread(fd, b + got, size - got, (off_t)got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* Shorter than fstat() said: it is changing (an
			 * event is on its way); send it from the fd. */
			free(b);
			return;
		}
		got += (size_t)n;
	}
	e->body = b;
	fcache_mem_used += size;
}

/*
 * Makes the pending entry e watched, on fd: its bytes are read, then the
 * events queued meanwhile.  false when one of them touched it (e is
 * then empty again).
 */
static bool
fcache_commit(struct fcache_entry *e, int fd)
{
	fcache_read_body(e, fd);
	/* Pending still has no fd: dropping it closes nothing of the
	 * caller's. */
	fcache_drain(false);
	if (e->state != FCACHE_PENDING) {
		/* Dropped: its body was freed with it. */
		return false;
	}
	e->state = FCACHE_WATCHED;
	return true;
}

bool
fcache_put(const struct fcache_root *root, const char *rel, int fd,
    const struct stat *st, int64_t now_ms, const char **body)
{
	size_t len = strlen(rel);
	struct fcache_entry *e;

	if (body != NULL)
		*body = NULL;
	if (len >= FCACHE_PATH_MAX)
		return false;
	e = fcache_slot(root, rel);
	if (e->state == FCACHE_PENDING && fcache_is(e, root, rel)) {
		e->st = *st;
		if (!fcache_fs_local(fd) || !fcache_commit(e, fd))
			fcache_drop(e);
	} else {
		fcache_drop(e);
	}
	if (e->state == FCACHE_EMPTY) {
		e->state = FCACHE_STAT;
		e->root = *root;
		e->st = *st;
		e->body = NULL;
		e->nwd = 0;
		memcpy(e->path, rel, len + 1);
	}
	e->fd = fd;
	e->used_ms = now_ms;
	if (body != NULL)
		*body = e->body;
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

		if (e->state != FCACHE_STAT && e->state != FCACHE_WATCHED)
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
	if (fcache_ifd >= 0)
		close(fcache_ifd);
	fcache_ifd = -1;
	fcache_cap_used = 0;
}
