/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mime.c - file name extension -> media type.
 *
 * The table is one array of {extension, type} sorted by extension (lower
 * case) and searched with bsearch().  mime_load() reads the whole
 * mime.types file into one buffer, cuts it into strings in place and
 * points the entries into it, so the table is two allocations, made at
 * start-up; mime_type() never allocates.
 *
 * Choices where the file format leaves room:
 *   - The file wins over the built-in table; within the file the first
 *     line naming an extension wins (Debian's file names "csh", "chm" and
 *     a few others twice; the first is as good a guess as the last, and
 *     it does not depend on how far the file was read).
 *   - Types are returned as written, without "; charset=": like nginx, we
 *     do not guess the encoding of the files we serve.
 *   - ".js" is whatever the system file says (media-types 10 says
 *     text/javascript, RFC 9239; older files said application/javascript,
 *     which browsers accept as well).  The built-in table says
 *     text/javascript.
 *   - A line whose first word has no '/' is not a type and is skipped.
 */
#include "autoconf.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mime.h"

struct mime_entry {
	const char *ext;	/* lower case, NUL-terminated */
	const char *type;
	size_t order;		/* load order: breaks ties, first wins */
};

/* Beyond this a "mime.types" file is surely something else. */
#define MIME_FILE_MAX (16 * 1024 * 1024)

/*
 * What a static site needs when /etc/mime.types is missing.  Extensions
 * in lower case; the order does not matter (mime_load() sorts).
 */
static const struct mime_entry mime_builtin[] = {
	{ "html",	"text/html", 0 },
	{ "htm",	"text/html", 0 },
	{ "css",	"text/css", 0 },
	{ "js",		"text/javascript", 0 },
	{ "mjs",	"text/javascript", 0 },
	{ "json",	"application/json", 0 },
	{ "map",	"application/json", 0 },
	{ "txt",	"text/plain", 0 },
	{ "md",		"text/markdown", 0 },
	{ "csv",	"text/csv", 0 },
	{ "xml",	"application/xml", 0 },
	{ "svg",	"image/svg+xml", 0 },
	{ "png",	"image/png", 0 },
	{ "jpg",	"image/jpeg", 0 },
	{ "jpeg",	"image/jpeg", 0 },
	{ "gif",	"image/gif", 0 },
	{ "webp",	"image/webp", 0 },
	{ "avif",	"image/avif", 0 },
	{ "ico",	"image/vnd.microsoft.icon", 0 },
	{ "pdf",	"application/pdf", 0 },
	{ "wasm",	"application/wasm", 0 },
	{ "woff",	"font/woff", 0 },
	{ "woff2",	"font/woff2", 0 },
	{ "ttf",	"font/ttf", 0 },
	{ "otf",	"font/otf", 0 },
	{ "mp3",	"audio/mpeg", 0 },
	{ "ogg",	"audio/ogg", 0 },
	{ "mp4",	"video/mp4", 0 },
	{ "webm",	"video/webm", 0 },
	{ "zip",	"application/zip", 0 },
	{ "gz",		"application/gzip", 0 },
	{ "tar",	"application/x-tar", 0 },
};

#define MIME_NBUILTIN (sizeof(mime_builtin) / sizeof(mime_builtin[0]))

/* The loaded table; NULL until mime_load() and after mime_free(). */
static struct mime_entry *mime_table;
static size_t mime_ntable;
static char *mime_text;		/* the file the entries point into */

static void
mime_seterr(char *err, size_t errlen, const char *what, const char *path)
{
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s %s: %s", what, path, strerror(errno));
}

/* ASCII only: the table must not depend on the locale. */
static int
mime_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/*
 * Compares the n bytes at a, without case, with the lower-case string b,
 * in the order strcmp() gives the lower-case strings.
 */
static int
mime_extcmp(const char *a, size_t n, const char *b)
{
	for (size_t i = 0; i < n; i++) {
		int ca = mime_lower((unsigned char)a[i]);
		int cb = (unsigned char)b[i];

		/* b ended: a is longer (or holds a NUL), so it sorts after. */
		if (cb == '\0')
			return 1;
		if (ca != cb)
			return ca - cb;
	}
	return b[n] == '\0' ? 0 : -1;
}

static int
mime_sort_cmp(const void *va, const void *vb)
{
	const struct mime_entry *a = va, *b = vb;
	int c = strcmp(a->ext, b->ext);

	if (c != 0)
		return c;
	return a->order < b->order ? -1 : a->order > b->order;
}

struct mime_key {
	const char *p;
	size_t len;
};

static int
mime_search_cmp(const void *vkey, const void *ventry)
{
	const struct mime_key *key = vkey;
	const struct mime_entry *e = ventry;

	return mime_extcmp(key->p, key->len, e->ext);
}

/*
 * Reads path into a NUL-terminated buffer.  Returns it, or NULL with
 * errno set.
 */
static char *
mime_read_file(const char *path)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	int fd, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	if (fstat(fd, &st) == -1)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		goto fail;
	}
	if (st.st_size > MIME_FILE_MAX) {
		errno = EFBIG;
		goto fail;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL)
		goto fail;
	/* Stops at the size fstat() saw even if the file grows meanwhile. */
	while (len < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + len, (size_t)st.st_size - len);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			goto fail;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	close(fd);
	return buf;

fail:
	saved = errno;
	free(buf);
	close(fd);
	errno = saved;
	return NULL;
}

static int
mime_isspace(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/*
 * Cuts text into words in place and appends an entry for each extension
 * to table (which has room for every word).  Returns the entries added.
 */
static size_t
mime_parse(char *text, struct mime_entry *table, size_t order)
{
	size_t n = 0;
	char *line = text;

	while (*line != '\0') {
		char *end = strchr(line, '\n');
		char *next = end != NULL ? end + 1 : line + strlen(line);
		char *p = line, *type = NULL;

		if (end != NULL)
			*end = '\0';
		/* '#' starts a comment anywhere on the line. */
		if ((end = strchr(line, '#')) != NULL)
			*end = '\0';
		for (;;) {
			char *word;

			while (mime_isspace(*p))
				p++;
			if (*p == '\0')
				break;
			word = p;
			while (*p != '\0' && !mime_isspace(*p))
				p++;
			if (*p != '\0')
				*p++ = '\0';
			if (type == NULL) {
				if (strchr(word, '/') == NULL)
					break;
				type = word;
				continue;
			}
			for (char *c = word; *c != '\0'; c++)
				*c = (char)mime_lower((unsigned char)*c);
			table[n].ext = word;
			table[n].type = type;
			table[n].order = order + n;
			n++;
		}
		line = next;
	}
	return n;
}

/* An upper bound on the words in text, hence on its extensions. */
static size_t
mime_count_words(const char *text)
{
	size_t n = 0;
	int in_word = 0;

	for (const char *p = text; *p != '\0'; p++) {
		int sp = mime_isspace(*p) || *p == '\n';

		if (!sp && !in_word)
			n++;
		in_word = !sp;
	}
	return n;
}

int
mime_load(const char *path, char *err, size_t errlen)
{
	struct mime_entry *table;
	char *text = NULL;
	size_t n = 0, nfile = 0, out;

	if (path != NULL) {
		if ((text = mime_read_file(path)) == NULL) {
			mime_seterr(err, errlen, "cannot read", path);
			return -1;
		}
		nfile = mime_count_words(text);
	}
	table = calloc(nfile + MIME_NBUILTIN, sizeof(*table));
	if (table == NULL) {
		mime_seterr(err, errlen, "cannot load",
		    path != NULL ? path : "(built-in)");
		free(text);
		return -1;
	}
	if (text != NULL)
		n = mime_parse(text, table, 0);
	/* The built-in entries sort after the file's, so the file wins. */
	for (size_t i = 0; i < MIME_NBUILTIN; i++) {
		table[n] = mime_builtin[i];
		table[n].order = nfile + i;
		n++;
	}
	qsort(table, n, sizeof(*table), mime_sort_cmp);

	/* Keep the first of each run of equal extensions. */
	out = 0;
	for (size_t i = 0; i < n; i++) {
		if (out > 0 && strcmp(table[out - 1].ext, table[i].ext) == 0)
			continue;
		table[out++] = table[i];
	}

	mime_free();
	mime_table = table;
	mime_ntable = out;
	mime_text = text;
	return out > (size_t)INT_MAX ? INT_MAX : (int)out;
}

const char *
mime_type(const char *name, size_t len)
{
	struct mime_key key;
	const struct mime_entry *e;
	size_t i, dot;

	/* Only the last segment: "a.b/c" has no extension. */
	for (i = len; i > 0 && name[i - 1] != '/'; i--)
		;
	for (dot = len; dot > i && name[dot - 1] != '.'; dot--)
		;
	if (dot == i)
		return MIME_DEFAULT_TYPE;
	key.p = name + dot;
	key.len = len - dot;
	if (key.len == 0)
		return MIME_DEFAULT_TYPE;

	if (mime_table == NULL) {
		/* Nothing loaded: the small built-in table, unsorted. */
		for (i = 0; i < MIME_NBUILTIN; i++) {
			e = &mime_builtin[i];
			if (mime_extcmp(key.p, key.len, e->ext) == 0)
				return e->type;
		}
		return MIME_DEFAULT_TYPE;
	}
	e = bsearch(&key, mime_table, mime_ntable, sizeof(*mime_table),
	    mime_search_cmp);
	return e != NULL ? e->type : MIME_DEFAULT_TYPE;
}

void
mime_free(void)
{
	free(mime_table);
	free(mime_text);
	mime_table = NULL;
	mime_ntable = 0;
	mime_text = NULL;
}
