/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * static.c - static files under the document root.
 *
 * Two walls keep requests inside the root.  static_map_path() decodes the
 * path and resolves its dot segments itself, so what reaches the file
 * system has no "..", "." or empty segment and no leading '/'.  Then
 * every open is relative to the root's fd and, unless the configuration
 * says symlinks may leave the root, goes through openat2() with
 * RESOLVE_BENEATH, so the kernel refuses a symlink that leads outside
 * (EXDEV -> 403).  Kernels before 5.6 have no openat2(); there we open
 * with openat() and then compare where the fd really is with where the
 * root is, through /proc/self/fd.
 *
 * XXX RESOLVE_BENEATH also refuses absolute symlinks that point back into
 * the root (the fallback accepts those); make them relative.
 *
 * A file found is then answered as RFC 9110 asks of an origin server:
 * validators (ETag, Last-Modified), the preconditions (cond.c) and byte
 * ranges (range.c).
 *
 * Nothing here allocates: the mapped path lives in a PATH_MAX buffer on
 * the stack, and the range set and multipart boundary of the response
 * being made live in this file until the next request: the reply takes
 * its own copies (reply_start()), so responses going out side by side
 * never share them.
 */
#include "autoconf.h"

#include <sys/stat.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#if defined(HAVE_LINUX_OPENAT2_H) && defined(SYS_openat2)
#include <linux/openat2.h>
#define STATIC_HAVE_OPENAT2 1
#endif

#include "cond.h"
#include "fcache.h"
#include "http_response.h"
#include "listing.h"
#include "log.h"
#include "mime.h"
#include "range.h"
#include "static.h"
#include "util.h"

/*
 * The file we serve must be readable, so no O_PATH.  O_NONBLOCK and
 * O_NOCTTY are a second guard: static_open_beneath() opens no FIFO and
 * no device (a FIFO would wait for a writer, a terminal become ours).
 */
#define STATIC_OPEN_FLAGS (O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)

/*
 * Set once openat2() has said ENOSYS, so an old kernel costs one failed
 * system call per process, not one per request.  Building with
 * -DSTATIC_NO_OPENAT2 starts with the fallback (tests of that path).
 */
#ifdef STATIC_NO_OPENAT2
static bool static_openat2_missing = true;
#else
static bool static_openat2_missing = false;
#endif

/* The ranges and boundary of a multipart/byteranges response. */
static struct range_set static_ranges;
static char static_boundary[40];
static uint64_t static_boundary_seq;

int
static_open_root(const char *document_root)
{
	return open(document_root, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

void
static_root_init(struct static_root *r, int fd, bool symlinks_outside_root)
{
	r->fd = fd;
	r->symlinks_outside_root = symlinks_outside_root;
	r->cacheable = fcache_root_of(fd, symlinks_outside_root, &r->cache);
}

/*
 * Decodes and resolves in one pass, segment by segment, writing straight
 * into out: each segment is written after the ones kept so far, then
 * kept, dropped ("." and empty) or dropped along with the one before it
 * (".."), as remove_dot_segments does (RFC 3986 §5.2.4).  Where the RFC
 * lets ".." stop at the root, we answer 400: no honest client sends it.
 * A path that does not fit in out at any step is 414, even if a later
 * ".." would have shortened it.
 */
int
static_map_path(const char *path, size_t len, char *out, size_t cap,
    bool *dir_form)
{
	size_t i = 1;		/* next byte of path */
	size_t o = 0;		/* length of the segments kept in out */

	*dir_form = false;
	if (cap == 0)
		return HTTP_STATUS_URI_TOO_LONG;
	out[0] = '\0';
	/* RFC 9112 §3.2.1: origin-form is an absolute-path. */
	if (len == 0 || path[0] != '/')
		return HTTP_STATUS_BAD_REQUEST;

	for (;;) {
		size_t s = o == 0 ? 0 : o + 1;	/* room for the '/' */
		size_t w = s, n;
		bool more = false, dot, dotdot;

		while (i < len) {
			unsigned char c = (unsigned char)path[i];

			if (c == '%') {
				int hi = -1, lo = -1;

				/* RFC 3986 §2.1: '%' HEXDIG HEXDIG. */
				if (len - i >= 3) {
					hi = util_hexval(path[i + 1]);
					lo = util_hexval(path[i + 2]);
				}
				if (hi < 0 || lo < 0)
					return HTTP_STATUS_BAD_REQUEST;
				c = (unsigned char)(hi << 4 | lo);
				i += 3;
			} else {
				i++;
			}
			/*
			 * No NUL (it would cut the name short), no control
			 * characters, and no backslash, which some clients
			 * and file systems take for a separator.
			 */
			if (c < 0x20 || c == 0x7f || c == '\\')
				return HTTP_STATUS_BAD_REQUEST;
			/* "%2f" separates segments as '/' does. */
			if (c == '/') {
				more = true;
				break;
			}
			if (w + 1 >= cap)
				return HTTP_STATUS_URI_TOO_LONG;
			out[w++] = (char)c;
		}

		n = w - s;
		dot = n == 1 && out[s] == '.';
		dotdot = n == 2 && out[s] == '.' && out[s + 1] == '.';
		if (dotdot) {
			if (o == 0)
				return HTTP_STATUS_BAD_REQUEST;
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
		} else if (n > 0 && !dot) {
			if (o > 0)
				out[o] = '/';
			o = w;
		}
		if (!more) {
			/* "/a/", "/a/." and "/a/b/.." all name a directory. */
			*dir_form = n == 0 || dot || dotdot;
			break;
		}
	}
	out[o] = '\0';
	return 0;
}

/* Running out of descriptors is logged at most this often. */
#define STATIC_EMFILE_LOG_S 10

/*
 * Out of descriptors or memory for a file is the server's trouble, not
 * the request's: never a silent 500.  Said once in a while, with how
 * many requests it cost meanwhile.
 */
static void
static_log_exhausted(int err)
{
	static time_t last;
	static unsigned long missed;
	time_t now = time(NULL);

	missed++;
	if (last != 0 && now - last < STATIC_EMFILE_LOG_S)
		return;
	log_error("cannot open a file: %s (%lu requests answered 500 since "
	    "the last report)", strerror(err), missed);
	last = now;
	missed = 0;
}

int
static_errno_status(int err)
{
	if (err == EMFILE || err == ENFILE || err == ENOMEM)
		static_log_exhausted(err);
	switch (err) {
	case ENOENT:
	case ENOTDIR:
		return HTTP_STATUS_NOT_FOUND;
	case EACCES:
	case EPERM:
	case ELOOP:
	case EXDEV:
	case ENXIO:	/* a socket, or a device without a driver */
	case ENODEV:
		return HTTP_STATUS_FORBIDDEN;
	case ENAMETOOLONG:
		return HTTP_STATUS_URI_TOO_LONG;
	default:
		return HTTP_STATUS_INTERNAL_ERROR;
	}
}

/*
 * Where fd really is, as the kernel names it (no symlinks in it).
 * Returns 0, or an errno value.
 */
static int
static_fd_path(int fd, char *buf, size_t cap)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	if ((n = readlink(link, buf, cap)) == -1)
		return errno;
	if ((size_t)n >= cap)
		return ENAMETOOLONG;
	buf[n] = '\0';
	return 0;
}

/*
 * The fallback's check: is fd the root or beneath it?  Both paths come
 * from the kernel, so a root reached through a symlink compares right.
 * Returns 0, EXDEV if fd is outside, or EIO when /proc cannot tell us
 * (no /proc: refuse rather than guess).
 */
static int
static_check_beneath(int root_fd, int fd)
{
	char root[PATH_MAX], file[PATH_MAX];
	size_t n;

	if (static_fd_path(root_fd, root, sizeof(root)) != 0 ||
	    static_fd_path(fd, file, sizeof(file)) != 0)
		return EIO;
	n = strlen(root);
	if (n == 1 && root[0] == '/')
		return 0;
	if (strncmp(file, root, n) == 0 &&
	    (file[n] == '\0' || file[n] == '/'))
		return 0;
	return EXDEV;
}

/*
 * Opens for flags the inode that the O_PATH descriptor fd looks at, and
 * closes fd: through /proc/self/fd/N, which reopens that very inode (a
 * rename meanwhile cannot swap it), and only a regular file or a
 * directory (else EPERM).  0 with *fdp set, or an errno value.
 */
static int
static_reopen(int fd, int flags, int *fdp)
{
	char self[40];
	struct stat st;
	int err = 0;

	if (fstat(fd, &st) == -1)
		err = EIO;
	else if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		err = EPERM;
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	if (err == 0 && (*fdp = open(self, flags)) == -1)
		err = errno;
	close(fd);
	return err;
}

/*
 * Anything but an O_PATH look is made on an O_PATH descriptor first and
 * refused unless it is a regular file or a directory: opening a FIFO
 * for reading waits for a writer or (O_NONBLOCK) succeeds, and opening a
 * device runs its driver's open, so a type check after the open comes
 * too late.  The real open then goes through /proc/self/fd/N, which
 * reopens the very inode looked at (a rename meanwhile cannot swap it).
 */
int
static_open_beneath(const struct static_root *root, const char *rel,
    int flags, int *fdp)
{
	const char *name = rel[0] == '\0' ? "." : rel;
	int root_fd = root->fd;
	int fd, err;

	if ((flags & O_PATH) == 0) {
		err = static_open_beneath(root, rel,
		    O_PATH | O_CLOEXEC | (flags & O_DIRECTORY), &fd);
		return err != 0 ? err : static_reopen(fd, flags, fdp);
	}
	if (root->symlinks_outside_root) {
		/* rel has no ".." (static_map_path), so only symlinks leave. */
		if ((fd = openat(root_fd, name, flags)) == -1)
			return errno;
		*fdp = fd;
		return 0;
	}
#ifdef STATIC_HAVE_OPENAT2
	if (!static_openat2_missing) {
		struct open_how how;

		memset(&how, 0, sizeof(how));
		how.flags = (uint64_t)flags;
		how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
		fd = (int)syscall(SYS_openat2, root_fd, name, &how,
		    sizeof(how));
		if (fd >= 0) {
			*fdp = fd;
			return 0;
		}
		if (errno != ENOSYS)
			return errno;
		static_openat2_missing = true;
	}
#endif
	if ((fd = openat(root_fd, name, flags)) == -1)
		return errno;
	if ((err = static_check_beneath(root_fd, fd)) != 0) {
		close(fd);
		return err;
	}
	*fdp = fd;
	return 0;
}

/*
 * Opens rel beneath root_fd with no symlink anywhere on its way
 * (RESOLVE_NO_SYMLINKS): the open the file cache can watch (fcache.h),
 * since inotify follows names, not where symlinks lead.  Nothing that
 * passes can leave the root (rel has no ".." either), whatever the
 * symlink rule.  Returns 0 with *fdp set, or an errno value (ELOOP: a
 * symlink on the way; ENOSYS: no openat2()).
 */
static int
static_open_nosymlinks(int root_fd, const char *rel, int *fdp)
{
#ifdef STATIC_HAVE_OPENAT2
	struct open_how how;
	int fd;

	if (static_openat2_missing)
		return ENOSYS;
	memset(&how, 0, sizeof(how));
	/* A look first, as static_open_beneath() does: no FIFO or device
	 * is opened for reading. */
	how.flags = (uint64_t)(O_PATH | O_CLOEXEC);
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
	    RESOLVE_NO_MAGICLINKS;
	fd = (int)syscall(SYS_openat2, root_fd, rel, &how, sizeof(how));
	if (fd < 0)
		return errno;
	return static_reopen(fd, STATIC_OPEN_FLAGS, fdp);
#else
	(void)root_fd;
	(void)rel;
	(void)fdp;
	return ENOSYS;
#endif
}

/*
 * Opens rel afresh, watched by the file cache when it can be (*watched):
 * the watches go in place before the open, and a path that the open
 * with no symlinks refuses is opened as any other, unwatched.
 */
static int
static_open_fresh(const struct static_root *root, const char *rel, int *fdp,
    bool *watched)
{
	*watched = false;
	if (root->cacheable && !static_openat2_missing && rel[0] != '\0' &&
	    fcache_prepare(&root->cache, root->fd, rel)) {
		if (static_open_nosymlinks(root->fd, rel, fdp) == 0) {
			*watched = true;
			return 0;
		}
		fcache_cancel(&root->cache, rel);
	}
	return static_open_beneath(root, rel, STATIC_OPEN_FLAGS, fdp);
}

/*
 * Opens rel beneath root_fd to serve it, with *st its status: from the
 * file cache when it holds rel unchanged, else afresh, and then a
 * regular file goes into the cache.  *cached says whose the fd is (the
 * cache's must not be closed); *body is the file's bytes when the cache
 * has them in memory, else NULL.  Returns 0, or an errno value (EIO when
 * fstat() failed).
 */
static int
static_open_file(const struct static_root *root, const char *rel, int *fdp,
    struct stat *st, bool *cached, const char **body)
{
	struct timespec ts;
	int64_t now;
	int fd, err;
	bool watched;
	/* The cache is keyed by the root and the symlink rule (fcache.h);
	 * a root that fstat() could not tell goes without it. */
	bool use_cache = root->cacheable;

	/* Coarse is fine for an idle time of seconds, and cheaper. */
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	if (use_cache && (fd = fcache_get(&root->cache, root->fd, rel, now,
	    st, body)) >= 0) {
		*fdp = fd;
		*cached = true;
		return 0;
	}
	*cached = false;
	*body = NULL;
	if ((err = static_open_fresh(root, rel, &fd, &watched)) != 0)
		return err;
	if (fstat(fd, st) == -1) {
		if (watched)
			fcache_cancel(&root->cache, rel);
		close(fd);
		return EIO;
	}
	if (use_cache && S_ISREG(st->st_mode))
		*cached = fcache_put(&root->cache, rel, fd, st, now, body);
	else if (watched)
		fcache_cancel(&root->cache, rel);
	*fdp = fd;
	return 0;
}

static int
static_fail(struct http_response *resp, int status)
{
	resp->status = status;
	return status;
}

/*
 * A fresh multipart boundary.  RFC 2046 §5.1.1: it must not occur in the
 * parts; 64 bits that no client can predict (the sequence is hashed with
 * the pid and start time) make that as good as certain.
 */
static const char *
static_next_boundary(void)
{
	uint64_t z;

	if (static_boundary_seq == 0)
		static_boundary_seq = ((uint64_t)getpid() << 32) ^
		    (uint64_t)time(NULL);
	/* splitmix64: each value of the sequence gives an unrelated one. */
	z = (static_boundary_seq += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	snprintf(static_boundary, sizeof(static_boundary), "forkhttpd-%016llx",
	    (unsigned long long)z);
	return static_boundary;
}

/*
 * Applies a Range (RFC 9110 §14.2) to the 200 response in resp: 206 with
 * one range or with multipart/byteranges, 416, or the 200 as it was.
 */
static int
static_range(const struct http_request *req, struct http_response *resp,
    uint64_t size)
{
	switch (range_parse(req->range.p, req->range.len, size,
	    &static_ranges)) {
	case RANGE_IGNORE:
		return resp->status;
	case RANGE_UNSATISFIABLE:
		/* RFC 9110 §15.5.17: a 416 SHOULD say the current length. */
		resp->content_range = true;
		resp->range_unsatisfied = true;
		resp->range_complete = size;
		return static_fail(resp, HTTP_STATUS_RANGE_NOT_SATISFIABLE);
	case RANGE_SATISFIABLE:
		break;
	}
	resp->status = HTTP_STATUS_PARTIAL_CONTENT;
	resp->range_complete = size;
	if (static_ranges.n == 1) {
		/* RFC 9110 §15.3.7.1: one part is sent as itself, with
		 * Content-Range, never as a multipart of one. */
		const struct range *r = &static_ranges.r[0];

		resp->offset = (off_t)r->first;
		resp->content_length = (off_t)(r->last - r->first + 1);
		resp->content_range = true;
		resp->range_first = r->first;
		resp->range_last = r->last;
		return resp->status;
	}
	resp->body = HTTP_BODY_RANGES;
	resp->ranges = &static_ranges;
	resp->boundary = static_next_boundary();
	resp->content_length = (off_t)range_multipart_length(&static_ranges,
	    resp->boundary, resp->content_type, size);
	return resp->status;
}

/*
 * The response for a regular file, open as fd (resp owns it from here,
 * or the file cache does when cached): 200 with validators, or what the
 * preconditions and a Range make of it (304, 412, 206, 416).
 */
static int
static_file(const struct http_request *req, struct http_response *resp,
    int fd, bool cached, const char *body, const struct stat *st,
    const char *name)
{
	struct cond_validators v;
	int status;

	/*
	 * A request with a body waits for it after this returns, and the
	 * cache may drop the entry meanwhile: its fd and bytes would be
	 * gone.  Such a request (rare: a GET with content) gets its own fd.
	 */
	if (cached && req->framing != HTTP_FRAMING_NONE) {
		if ((fd = fcntl(fd, F_DUPFD_CLOEXEC, 0)) < 0)
			return static_fail(resp, static_errno_status(errno));
		cached = false;
		body = NULL;
	}

	resp->status = HTTP_STATUS_OK;
	resp->body = HTTP_BODY_FILE;
	resp->fd = fd;
	resp->fd_cached = cached;
	resp->offset = 0;
	resp->content_length = st->st_size;
	resp->last_modified = st->st_mtime;
	resp->content_type = mime_type(name, strlen(name));
	resp->etag_len = cond_etag(st, resp->etag);
	resp->accept_ranges = true;

	v.etag = resp->etag;
	v.etag_len = resp->etag_len;
	v.last_modified = st->st_mtime;
	status = cond_evaluate(req, &v);
	if (status == HTTP_STATUS_NOT_MODIFIED) {
		/* RFC 9110 §15.4.5: no content; the validators stay, as a
		 * 200 would have sent them. */
		http_response_close_fd(resp);
		resp->body = HTTP_BODY_NONE;
		resp->content_length = -1;
		resp->content_type = NULL;
		resp->accept_ranges = false;
		resp->status = status;
		return status;
	}
	if (status != 0)
		return static_fail(resp, status);
	/* RFC 9110 §14.2: a server MUST ignore Range for any method but
	 * GET (range handling is defined for GET only), HEAD included. */
	if (req->method == HTTP_METHOD_GET && req->range.p != NULL &&
	    cond_if_range(req, &v))
		return static_range(req, resp, (uint64_t)st->st_size);
	if (body != NULL) {
		/*
		 * The cache's copy: the head and these bytes leave in one
		 * writev().  Not stable: if the response has to wait, the
		 * reply copies what is left (reply_detach()), since the
		 * cache may drop the entry meanwhile.
		 */
		resp->fd = -1;
		resp->fd_cached = false;
		resp->body = HTTP_BODY_MEM;
		resp->mem = body;
		resp->mem_len = (size_t)st->st_size;
		resp->mem_stable = false;
	}
	return HTTP_STATUS_OK;
}

/*
 * 301 to the same path with a slash, as the client sent it (still
 * encoded), and the query kept.  Leading slashes are folded into one:
 * "//host/" would be a network-path reference to another host (RFC 3986
 * §4.2).
 */
static int
static_redirect(const struct http_request *req, struct http_response *resp)
{
	const char *p = req->path.p;
	size_t n = req->path.len, need;

	while (n > 1 && p[0] == '/' && p[1] == '/') {
		p++;
		n--;
	}
	need = n + 1 + (req->query.len > 0 ? 1 + req->query.len : 0);
	if (need >= sizeof(resp->location))
		return static_fail(resp, HTTP_STATUS_URI_TOO_LONG);
	memcpy(resp->location, p, n);
	resp->location[n++] = '/';
	if (req->query.len > 0) {
		resp->location[n++] = '?';
		memcpy(resp->location + n, req->query.p, req->query.len);
		n += req->query.len;
	}
	resp->location[n] = '\0';
	resp->location_len = n;
	resp->status = HTTP_STATUS_MOVED_PERMANENTLY;
	return HTTP_STATUS_MOVED_PERMANENTLY;
}

/*
 * A name in the index list must be one plain file name: with "sub/x" or
 * ".." it could reach another directory, and outside the root when
 * symlinks_outside_root turns the kernel's check off.
 */
static bool
static_index_name_ok(const char *name)
{
	return name[0] != '\0' && strchr(name, '/') == NULL &&
	    strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

/* The HTML listing of the directory open as dir_fd, as a 200. */
static int
static_listing(const struct http_request *req, struct http_response *resp,
    int dir_fd)
{
	const char *page;
	size_t len;
	int status;

	status = listing_format(dir_fd, req->path.p, req->path.len, &page,
	    &len);
	if (status != 0)
		return static_fail(resp, status);
	resp->status = HTTP_STATUS_OK;
	resp->content_type = "text/html; charset=utf-8";
	resp->body = HTTP_BODY_MEM;
	resp->mem = page;
	resp->mem_len = len;
	resp->content_length = (off_t)len;
	return HTTP_STATUS_OK;
}

/*
 * The directory rel in directory form, open as dir_fd: its first index
 * file that is a regular file we can open; else its listing when the
 * configuration asks for one; else 403.  Index files are opened from
 * the root, not from the directory, so an index that is a symlink to
 * elsewhere in the root still works under RESOLVE_BENEATH.
 */
static int
static_index(const struct config_scope *sc, const struct static_root *root,
    const char *rel, int dir_fd, const struct http_request *req,
    struct http_response *resp)
{
	char path[PATH_MAX];
	size_t dirlen = strlen(rel);

	for (size_t k = 0; k < sc->nindex; k++) {
		const char *name = sc->index[k];
		struct stat st;
		size_t namelen;
		bool cached;
		const char *body;
		int fd, err;

		if (!static_index_name_ok(name))
			continue;
		namelen = strlen(name);
		if (dirlen + 1 + namelen >= sizeof(path))
			return static_fail(resp, HTTP_STATUS_URI_TOO_LONG);
		if (dirlen > 0) {
			memcpy(path, rel, dirlen);
			path[dirlen] = '/';
			memcpy(path + dirlen + 1, name, namelen + 1);
		} else {
			memcpy(path, name, namelen + 1);
		}

		err = static_open_file(root, path, &fd, &st, &cached, &body);
		if (err != 0) {
			int status = static_errno_status(err);

			/* Missing or refused: try the next name. */
			if (status == HTTP_STATUS_NOT_FOUND ||
			    status == HTTP_STATUS_FORBIDDEN)
				continue;
			return static_fail(resp, status);
		}
		if (S_ISREG(st.st_mode))
			return static_file(req, resp, fd, cached, body, &st,
			    name);
		close(fd);
	}
	if (sc->directory_listing)
		return static_listing(req, resp, dir_fd);
	return static_fail(resp, HTTP_STATUS_FORBIDDEN);
}

int
static_serve(const struct config_scope *sc, const struct static_root *root,
    const char *rel, bool dir_form, const struct http_request *req,
    struct http_response *resp)
{
	struct stat st;
	bool cached;
	const char *body;
	int status, fd, err;

	err = static_open_file(root, rel, &fd, &st, &cached, &body);
	/*
	 * A directory we may search but not read (mode 0711) still serves
	 * its index files: look at it again without asking to read it.
	 */
	if (err == EACCES) {
		err = static_open_beneath(root, rel,
		    O_PATH | O_DIRECTORY | O_CLOEXEC, &fd) == 0 ? 0 : EACCES;
		if (err == 0 && fstat(fd, &st) == -1) {
			close(fd);
			err = EIO;
		}
	}
	if (err != 0)
		return static_fail(resp, static_errno_status(err));

	if (S_ISREG(st.st_mode)) {
		/* "/file/" names a directory, and file is not one (ENOTDIR). */
		if (dir_form) {
			if (!cached)
				close(fd);
			return static_fail(resp, HTTP_STATUS_NOT_FOUND);
		}
		return static_file(req, resp, fd, cached, body, &st, rel);
	}
	if (!S_ISDIR(st.st_mode)) {
		/* FIFOs, sockets, devices. */
		close(fd);
		return static_fail(resp, HTTP_STATUS_FORBIDDEN);
	}
	if (!dir_form) {
		close(fd);
		return static_redirect(req, resp);
	}
	status = static_index(sc, root, rel, fd, req, resp);
	close(fd);
	return status;
}

int
static_handle(const struct handler_ctx *ctx, const struct http_request *req,
    struct http_response *resp)
{
	int status = static_serve(ctx->scope, ctx->root, ctx->rel,
	    ctx->dir_form, req, resp);

	/* 200, 206 and 304 come complete; the rest get an error page. */
	if (status != HTTP_STATUS_OK && status != HTTP_STATUS_PARTIAL_CONTENT &&
	    status != HTTP_STATUS_NOT_MODIFIED)
		http_response_error(resp, status);
	return resp->status;
}
