/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * listing.c - the HTML index of a directory; see listing.h.
 *
 * The directory is read with getdents64() into a fixed buffer rather than
 * with fdopendir(), which would malloc a DIR on every request.  Each entry
 * is stat'ed with AT_SYMLINK_NOFOLLOW: following a symlink could tell the
 * client the size and date of a file outside the document root, so a
 * symlink is listed as a file whose size is "-".
 *
 * Three limits bound the work, all fixed at listing_init(): the number of
 * entries, the bytes of their names, and the page.  Entries past the
 * first two are counted but not kept (which ones is the directory's
 * order, not the sorted one); rows past the page's room are dropped from
 * the end of the sorted list.  Either way the page ends with a note
 * saying how many entries it does not show.
 */
#include "autoconf.h"

#include <sys/stat.h>
#include <sys/syscall.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "listing.h"

/*
 * A row costs at least twice its name (link and text), so names that
 * fill half the page could never all be shown anyway.
 */
#define LISTING_ARENA_MAX (LISTING_PAGE_MAX / 2)

/* One getdents64() batch; a few hundred entries of ordinary names. */
#define LISTING_DENTS_MAX (32 * 1024)

/*
 * Kept free while rows are written, for the end of the table, the
 * truncation note (with a 20-digit count at most) and the end of the page.
 */
#define LISTING_TAIL_MAX 256

/* The kernel's record (linux_dirent64); <dirent.h> has no name for it. */
struct listing_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

struct listing_entry {
	const char *name;	/* in the arena, NUL-terminated */
	size_t namelen;
	off_t size;		/* -1: not a regular file, shown as "-" */
	time_t mtime;
	bool has_mtime;		/* false if fstatat() failed */
	bool dir;
};

/* The page being written; full once something did not fit. */
struct listing_out {
	char *buf;
	size_t len;
	size_t cap;
	bool full;
};

static char *listing_page;
static struct listing_entry *listing_entries;
static char *listing_arena;
static char *listing_dents;

int
listing_init(void)
{
	if (listing_page != NULL)
		return 0;
	listing_entries = calloc(LISTING_ENTRIES_MAX,
	    sizeof(*listing_entries));
	listing_arena = malloc(LISTING_ARENA_MAX);
	listing_dents = malloc(LISTING_DENTS_MAX);
	listing_page = malloc(LISTING_PAGE_MAX);
	if (listing_entries == NULL || listing_arena == NULL ||
	    listing_dents == NULL || listing_page == NULL) {
		free(listing_entries);
		free(listing_arena);
		free(listing_dents);
		free(listing_page);
		listing_entries = NULL;
		listing_arena = NULL;
		listing_dents = NULL;
		listing_page = NULL;
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

/* The status for a failed open or read of the directory. */
static int
listing_errno_status(int err)
{
	return err == EACCES ? HTTP_STATUS_FORBIDDEN :
	    HTTP_STATUS_INTERNAL_ERROR;
}

/*
 * Keeps name in the next entry if the entry array and the arena have
 * room; returns false (and keeps nothing) if not.  A name that vanished
 * since getdents64() counts as kept: it is simply not there any more.
 */
static bool
listing_keep(int fd, const char *name, unsigned char d_type, size_t *n,
    size_t *arena_used)
{
	struct listing_entry *e;
	struct stat st;
	size_t namelen = strlen(name);

	if (*n == LISTING_ENTRIES_MAX ||
	    namelen + 1 > LISTING_ARENA_MAX - *arena_used)
		return false;

	e = &listing_entries[*n];
	if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		e->dir = S_ISDIR(st.st_mode);
		e->size = S_ISREG(st.st_mode) ? st.st_size : -1;
		e->mtime = st.st_mtime;
		e->has_mtime = true;
	} else if (errno == ENOENT) {
		return true;
	} else {
		/* Still listed, by name: the directory itself is readable. */
		e->dir = d_type == DT_DIR;
		e->size = -1;
		e->mtime = 0;
		e->has_mtime = false;
	}
	e->name = listing_arena + *arena_used;
	e->namelen = namelen;
	memcpy(listing_arena + *arena_used, name, namelen + 1);
	*arena_used += namelen + 1;
	(*n)++;
	return true;
}

/*
 * Reads the directory open as fd into the entries: *n kept, *dropped
 * shown to nobody for want of room.  0, or an HTTP status.
 */
static int
listing_read(int fd, size_t *n, size_t *dropped)
{
	size_t arena_used = 0;

	*n = 0;
	*dropped = 0;
	for (;;) {
		long got = syscall(SYS_getdents64, fd, listing_dents,
		    LISTING_DENTS_MAX);
		size_t pos = 0;

		if (got == -1)
			return listing_errno_status(errno);
		if (got == 0)
			return 0;
		while (pos < (size_t)got) {
			const char *rec = listing_dents + pos;
			const char *name = rec +
			    offsetof(struct listing_dirent64, d_name);
			unsigned short reclen;
			unsigned char d_type;

			/* memcpy: no assumption about the alignment. */
			memcpy(&reclen, rec +
			    offsetof(struct listing_dirent64, d_reclen),
			    sizeof(reclen));
			memcpy(&d_type, rec +
			    offsetof(struct listing_dirent64, d_type),
			    sizeof(d_type));
			if (reclen == 0)
				return HTTP_STATUS_INTERNAL_ERROR;
			pos += reclen;

			/* Also "." and "..": hidden names are not listed. */
			if (name[0] == '.')
				continue;
			if (!listing_keep(fd, name, d_type, n, &arena_used))
				(*dropped)++;
		}
	}
}

/* Directories first, then bytes in strcmp() order. */
static int
listing_compare(const void *a, const void *b)
{
	const struct listing_entry *ea = a, *eb = b;

	if (ea->dir != eb->dir)
		return ea->dir ? -1 : 1;
	return strcmp(ea->name, eb->name);
}

static void
listing_put(struct listing_out *o, const char *s, size_t n)
{
	if (o->full || n > o->cap - o->len) {
		o->full = true;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static void
listing_puts(struct listing_out *o, const char *s)
{
	listing_put(o, s, strlen(s));
}

/* s as HTML text or attribute value: the five characters that matter. */
static void
listing_put_html(struct listing_out *o, const char *s, size_t n)
{
	size_t i, done = 0;

	for (i = 0; i < n; i++) {
		const char *ref;

		switch (s[i]) {
		case '&':
			ref = "&amp;";
			break;
		case '<':
			ref = "&lt;";
			break;
		case '>':
			ref = "&gt;";
			break;
		case '"':
			ref = "&quot;";
			break;
		case '\'':
			ref = "&#39;";
			break;
		default:
			continue;
		}
		listing_put(o, s + done, i - done);
		listing_puts(o, ref);
		done = i + 1;
	}
	listing_put(o, s + done, n - done);
}

/*
 * s as a relative reference of one path segment.  RFC 3986 §2.3:
 * "unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~"" -- every other
 * byte is percent-encoded (§2.1), reserved ones too: ':' would make the
 * name a scheme, '?' and '#' would end the path (§3.3), and '"' or '<'
 * could not leave the attribute anyway once encoded.
 */
static void
listing_put_href(struct listing_out *o, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i, done = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char pct[3];

		if (http_is_unreserved(c))
			continue;
		listing_put(o, s + done, i - done);
		pct[0] = '%';
		pct[1] = hex[c >> 4];
		pct[2] = hex[c & 0x0f];
		listing_put(o, pct, sizeof(pct));
		done = i + 1;
	}
	listing_put(o, s + done, n - done);
}

static void
listing_put_row(struct listing_out *o, const struct listing_entry *e)
{
	char num[32], when[32];
	struct tm tm;

	listing_puts(o, "<tr><td><a href=\"");
	listing_put_href(o, e->name, e->namelen);
	if (e->dir)
		listing_puts(o, "/");
	listing_puts(o, "\">");
	listing_put_html(o, e->name, e->namelen);
	if (e->dir)
		listing_puts(o, "/");
	listing_puts(o, "</a></td><td class=\"n\">");
	if (e->size >= 0) {
		snprintf(num, sizeof(num), "%jd", (intmax_t)e->size);
		listing_puts(o, num);
	} else {
		listing_puts(o, "-");
	}
	listing_puts(o, "</td><td>");
	if (e->has_mtime && gmtime_r(&e->mtime, &tm) != NULL &&
	    strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm) > 0)
		listing_puts(o, when);
	else
		listing_puts(o, "-");
	listing_puts(o, "</td></tr>\n");
}

int
listing_format(int dir_fd, const char *url_path, size_t url_len,
    const char **page, size_t *len)
{
	struct listing_out o;
	size_t n, dropped, i;
	int fd, status;

	if (listing_page == NULL)
		return HTTP_STATUS_INTERNAL_ERROR;

	/*
	 * Our own descriptor: dir_fd may be O_PATH (no getdents64()), and
	 * reading through it would move its offset.
	 */
	fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1)
		return listing_errno_status(errno);
	status = listing_read(fd, &n, &dropped);
	close(fd);
	if (status != 0)
		return status;
	qsort(listing_entries, n, sizeof(listing_entries[0]),
	    listing_compare);

	o.buf = listing_page;
	o.len = 0;
	o.cap = LISTING_PAGE_MAX - LISTING_TAIL_MAX;
	o.full = false;

	listing_puts(&o, "<!DOCTYPE html>\n"
	    "<html>\n"
	    "<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<title>Index of ");
	listing_put_html(&o, url_path, url_len);
	listing_puts(&o, "</title>\n"
	    "<style>th,td{padding:0 1em 0 0;text-align:left}"
	    "td.n{text-align:right}</style>\n"
	    "</head>\n"
	    "<body>\n"
	    "<h1>Index of ");
	listing_put_html(&o, url_path, url_len);
	listing_puts(&o, "</h1>\n"
	    "<table>\n"
	    "<thead><tr><th>Name</th><th>Size</th>"
	    "<th>Last modified (UTC)</th></tr></thead>\n"
	    "<tbody>\n");
	if (url_len != 1 || url_path[0] != '/')
		listing_puts(&o, "<tr><td><a href=\"../\">../</a></td>"
		    "<td class=\"n\">-</td><td>-</td></tr>\n");
	/*
	 * Only a request path of hundreds of kilobytes fills the page
	 * before the first row; request-line-max allows 64 KiB at most.
	 */
	if (o.full)
		return HTTP_STATUS_INTERNAL_ERROR;

	for (i = 0; i < n; i++) {
		size_t row = o.len;

		listing_put_row(&o, &listing_entries[i]);
		if (o.full) {
			o.len = row;
			o.full = false;
			dropped += n - i;
			break;
		}
	}

	o.cap = LISTING_PAGE_MAX;
	listing_puts(&o, "</tbody>\n</table>\n");
	if (dropped > 0) {
		char note[96];

		snprintf(note, sizeof(note),
		    "<p>Listing truncated: %zu %s not shown.</p>\n", dropped,
		    dropped == 1 ? "entry" : "entries");
		listing_puts(&o, note);
	}
	listing_puts(&o, "</body>\n</html>\n");
	/* The tail is shorter than LISTING_TAIL_MAX, so this cannot be. */
	if (o.full)
		return HTTP_STATUS_INTERNAL_ERROR;

	*page = listing_page;
	*len = o.len;
	return 0;
}
