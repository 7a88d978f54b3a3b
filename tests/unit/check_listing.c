/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_listing.c - listing_format() against scratch directories: the
 * order of the rows (directories first, then bytes), hidden names, the
 * size and date cells, names that try to break the HTML or the links (a
 * table), the parent link, empty, unreadable and vanished directories,
 * the three limits (entries, page, request path), O_PATH descriptors,
 * the caller's offset, and no fd leaks.
 *
 * Every page is also checked for its shape (check_shape): a whole HTML5
 * document, no NUL, within LISTING_PAGE_MAX.
 */
#include "autoconf.h"

#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>

#include "listing.h"

#include "../lib/unit.h"

#define ROWS(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Longer than any href: a 255-byte name, every byte encoded, and '/'. */
#define HREF_MAX 1024

/* Made by the parent once per TCase; each test works in base/<tag>. */
static char base[PATH_MAX];
static char dir[PATH_MAX + 64];

/* The last page, NUL-terminated so that strstr() can search it. */
static char text[LISTING_PAGE_MAX + 1];
static size_t text_len;

/* ------------------------------------------------------------------ */
/* helpers */

static void
base_setup(void)
{
	unit_scratch_dir(base, sizeof(base), "check_listing");
}

static void
base_teardown(void)
{
	char p[PATH_MAX + 64];

	if (base[0] == '\0')
		return;
	/* test_unreadable may have failed before giving the mode back. */
	unit_path(p, sizeof(p), base, "locked/locked");
	chmod(p, 0755);
	unit_rmtree(base);
	base[0] = '\0';
}

static void
init_setup(void)
{
	ck_assert_int_eq(listing_init(), 0);
}

/* Makes base/tag, this test's directory, as dir. */
static void
fresh_dir(const char *tag)
{
	unit_make_dir(base, tag);
	unit_path(dir, sizeof(dir), base, tag);
}

static int
must_open(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);

	ck_assert_msg(fd != -1, "open %s: %s", path, strerror(errno));
	return fd;
}

/* An empty file dir/name, made with openat() so any byte but '/' goes. */
static void
touch(const char *name)
{
	int dfd = must_open(dir, O_PATH | O_DIRECTORY);
	int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0644);

	ck_assert_msg(fd != -1, "create %s/%s: %s", dir, name,
	    strerror(errno));
	close(fd);
	close(dfd);
}

/* Sets the modification time of dir/rel, not following a symlink. */
static void
set_mtime(const char *rel, time_t t)
{
	struct timespec ts[2] = { { t, 0 }, { t, 0 } };
	char p[2 * PATH_MAX];

	unit_path(p, sizeof(p), dir, rel);
	ck_assert_msg(utimensat(AT_FDCWD, p, ts, AT_SYMLINK_NOFOLLOW) == 0,
	    "utimensat %s: %s", p, strerror(errno));
}

static size_t
count(const char *needle)
{
	size_t n = 0;

	for (const char *p = text; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

/* What every page must be, whatever the directory. */
static void
check_shape(void)
{
	static const char head[] = "<!DOCTYPE html>\n<html>\n<head>\n"
	    "<meta charset=\"utf-8\">\n<title>Index of ";
	static const char tail[] = "</body>\n</html>\n";

	ck_assert_msg(strlen(text) == text_len, "a NUL inside the page");
	ck_assert_msg(strncmp(text, head, strlen(head)) == 0,
	    "page does not start with the HTML5 head: %.80s", text);
	ck_assert_msg(text_len >= strlen(tail) &&
	    strcmp(text + text_len - strlen(tail), tail) == 0,
	    "page does not end with </html>");
	ck_assert_uint_eq(count("<title>"), 1);
	ck_assert_uint_eq(count("</title>"), 1);
	ck_assert_uint_eq(count("<h1>"), 1);
	ck_assert_uint_eq(count("<table>"), 1);
	ck_assert_ptr_nonnull(strstr(text, "</tbody>\n</table>\n"));
	ck_assert_uint_eq(count("<tr>"), count("</tr>"));
	ck_assert_uint_eq(count("<a href=\""), count("</a>"));
}

/* listing_format() on fd for url; a page goes to text and is checked. */
static int
list_fd(int fd, const char *url, size_t url_len)
{
	const char *page = NULL;
	size_t len = 0;
	int r;

	text[0] = '\0';
	text_len = 0;
	r = listing_format(fd, url, url_len, &page, &len);
	if (r != 0)
		return r;
	ck_assert_ptr_nonnull(page);
	ck_assert_uint_le(len, LISTING_PAGE_MAX);
	memcpy(text, page, len);
	text[len] = '\0';
	text_len = len;
	check_shape();
	return 0;
}

/* The same for dir, through an O_PATH descriptor as static.c has. */
static int
list_dir(const char *url)
{
	int fd = must_open(dir, O_PATH | O_DIRECTORY);
	int r = list_fd(fd, url, strlen(url));

	close(fd);
	return r;
}

/* The next link after *p into out; false when there is none. */
static bool
next_link(const char **p, char *out, size_t cap)
{
	const char *s = strstr(*p, "<a href=\""), *e;

	if (s == NULL)
		return false;
	s += strlen("<a href=\"");
	e = strchr(s, '"');
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_lt((size_t)(e - s), cap);
	memcpy(out, s, (size_t)(e - s));
	out[e - s] = '\0';
	*p = e;
	return true;
}

static size_t
count_links(void)
{
	return count("<a href=\"");
}

/* The rows are exactly want[0..n), in this order. */
static void
check_links(const char *const *want, size_t n)
{
	const char *p = text;
	char href[HREF_MAX];
	size_t i = 0;

	while (next_link(&p, href, sizeof(href))) {
		ck_assert_msg(i < n, "extra link \"%s\"", href);
		ck_assert_msg(strcmp(href, want[i]) == 0,
		    "link %zu is \"%s\", want \"%s\"", i, href, want[i]);
		i++;
	}
	ck_assert_msg(i == n, "%zu links, want %zu", i, n);
}

struct row {
	char name[HREF_MAX * 2];	/* the link's text */
	char size[64];
	char date[64];
};

/* The next cell's content after *p. */
static void
next_cell(const char **p, char *out, size_t cap)
{
	const char *s = strstr(*p, "<td"), *e;

	ck_assert_ptr_nonnull(s);
	s = strchr(s, '>');
	ck_assert_ptr_nonnull(s);
	s++;
	e = strstr(s, "</td>");
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_lt((size_t)(e - s), cap);
	memcpy(out, s, (size_t)(e - s));
	out[e - s] = '\0';
	*p = e + strlen("</td>");
}

/* The cells of the row that links to href; false if there is none. */
static bool
find_row(const char *href, struct row *r)
{
	char needle[HREF_MAX + 32];
	const char *p, *e;

	snprintf(needle, sizeof(needle), "<tr><td><a href=\"%s\">", href);
	if ((p = strstr(text, needle)) == NULL)
		return false;
	p += strlen(needle);
	e = strstr(p, "</a></td>");
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_lt((size_t)(e - p), sizeof(r->name));
	memcpy(r->name, p, (size_t)(e - p));
	r->name[e - p] = '\0';
	p = e + strlen("</a>");
	next_cell(&p, r->size, sizeof(r->size));
	next_cell(&p, r->date, sizeof(r->date));
	ck_assert_msg(strncmp(p, "</tr>", 5) == 0, "row %s has more cells",
	    href);
	return true;
}

/* The number in "Listing truncated: N entr", or -1 if there is no note. */
static long
truncated_count(void)
{
	const char *p = strstr(text, "<p>Listing truncated: ");

	if (p == NULL)
		return -1;
	return strtol(p + strlen("<p>Listing truncated: "), NULL, 10);
}

/* ------------------------------------------------------------------ */
/* order and hidden names */

START_TEST(test_order)
{
	static const char *const want[] = {
		"../", "Bdir/", "adir/", "zdir/",
		"10.txt", "9.txt", "Z.txt", "_u", "a.txt", "b.txt", "~tilde",
	};
	struct row r;

	fresh_dir("order");
	touch("b.txt");
	touch("a.txt");
	touch("~tilde");
	touch("Z.txt");
	touch("9.txt");
	touch("10.txt");
	touch("_u");
	unit_make_dir(dir, "zdir");
	unit_make_dir(dir, "adir");
	unit_make_dir(dir, "Bdir");
	touch(".hidden");
	touch("...");
	unit_make_dir(dir, ".hdir");

	ck_assert_int_eq(list_dir("/order/"), 0);
	/* Directories first, then bytes: '1' < '9' < 'Z' < '_' < 'a' < '~'. */
	check_links(want, (size_t)ROWS(want));
	ck_assert_msg(strstr(text, "hidden") == NULL, "a dotfile is listed");
	ck_assert_msg(strstr(text, "hdir") == NULL, "a dot-dir is listed");
	ck_assert_msg(strstr(text, "...") == NULL, "\"...\" is listed");
	ck_assert_msg(strstr(text, "href=\"./\"") == NULL, "\".\" is listed");
	ck_assert_int_eq(truncated_count(), -1);

	ck_assert(find_row("adir/", &r));
	ck_assert_str_eq(r.name, "adir/");
	ck_assert(find_row("a.txt", &r));
	ck_assert_str_eq(r.name, "a.txt");
}
END_TEST

/* ------------------------------------------------------------------ */
/* size and date cells */

static const struct {
	const char *href;
	const char *size;
	const char *date;
	const char *note;
} cell_cases[] = {
	{ "f.txt", "6", "2021-03-04 05:06", "size in bytes, date UTC" },
	{ "empty.txt", "0", "1970-01-01 00:00", "empty file at the epoch" },
	{ "big.bin", "5000000000", "2038-01-19 03:14",
	    "size past 32 bits, date past 2^31 s" },
	{ "sub/", "-", "1999-12-31 23:59", "a directory has no size" },
	{ "link", "-", "2001-09-09 01:46",
	    "a symlink: no size, its own date, not the target's" },
	{ "linkdir", "-", NULL, "symlink to a directory: a file row" },
	{ "outside", "-", NULL, "symlink out of the root: nothing of it" },
	{ "fifo", "-", NULL, "a FIFO has no size" },
};

START_TEST(test_cells)
{
	char p[2 * PATH_MAX];
	struct row r;
	int fd;

	/* Dates are UTC whatever the local zone (POSIX: 5:30 east of UTC). */
	ck_assert_int_eq(setenv("TZ", "IST-5:30", 1), 0);
	tzset();

	fresh_dir("cells");
	unit_write_file(dir, "f.txt", "hello\n");
	set_mtime("f.txt", 1614834367);
	touch("empty.txt");
	set_mtime("empty.txt", 1);
	touch("big.bin");
	unit_path(p, sizeof(p), dir, "big.bin");
	fd = must_open(p, O_WRONLY);
	ck_assert_int_eq(ftruncate(fd, 5000000000LL), 0);
	close(fd);
	set_mtime("big.bin", 2147483648LL);
	unit_make_dir(dir, "sub");
	set_mtime("sub", 946684799);

	unit_path(p, sizeof(p), dir, "link");
	ck_assert_int_eq(symlink("big.bin", p), 0);
	set_mtime("link", 1000000000);
	unit_path(p, sizeof(p), dir, "linkdir");
	ck_assert_int_eq(symlink("sub", p), 0);
	unit_path(p, sizeof(p), dir, "outside");
	ck_assert_int_eq(symlink("/etc/passwd", p), 0);
	unit_path(p, sizeof(p), dir, "fifo");
	ck_assert_int_eq(mkfifo(p, 0644), 0);

	ck_assert_int_eq(list_dir("/cells/"), 0);
	ck_assert_uint_eq(count_links(), 1 + (size_t)ROWS(cell_cases));
	for (int i = 0; i < ROWS(cell_cases); i++) {
		ck_assert_msg(find_row(cell_cases[i].href, &r),
		    "%s: no row for %s", cell_cases[i].note,
		    cell_cases[i].href);
		ck_assert_msg(strcmp(r.size, cell_cases[i].size) == 0,
		    "%s: size \"%s\", want \"%s\"", cell_cases[i].note, r.size,
		    cell_cases[i].size);
		if (cell_cases[i].date != NULL)
			ck_assert_msg(strcmp(r.date, cell_cases[i].date) == 0,
			    "%s: date \"%s\", want \"%s\"", cell_cases[i].note,
			    r.date, cell_cases[i].date);
		else
			ck_assert_msg(strlen(r.date) == 16 &&
			    r.date[4] == '-' && r.date[10] == ' ',
			    "%s: date \"%s\"", cell_cases[i].note, r.date);
	}
	/* The parent row has no size or date either. */
	ck_assert(find_row("../", &r));
	ck_assert_str_eq(r.size, "-");
}
END_TEST

/* ------------------------------------------------------------------ */
/* hostile names */

static const struct {
	const char *name;
	bool is_dir;
	const char *href;
	const char *text;	/* the link's text */
	const char *note;
} escape_cases[] = {
	{ "a b?#%.txt", false, "a%20b%3F%23%25.txt", "a b?#%.txt",
	    "RFC 3986 2.1: space, '?', '#' and '%' percent-encoded" },
	{ "<script>alert(1)", false, "%3Cscript%3Ealert%281%29",
	    "&lt;script&gt;alert(1)", "markup in a name stays text" },
	{ "\"><img src=x onerror=alert(1)>", false,
	    "%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E",
	    "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;",
	    "a quote cannot end the attribute" },
	{ "it's", false, "it%27s", "it&#39;s", "apostrophe" },
	{ "a&b", false, "a%26b", "a&amp;b", "ampersand" },
	{ "caf\xc3\xa9", false, "caf%C3%A9", "caf\xc3\xa9",
	    "UTF-8: encoded in the link, raw in the text" },
	{ "\xff\xfe", false, "%FF%FE", "\xff\xfe",
	    "bytes that are not UTF-8 are encoded too" },
	{ "Az09-._~", false, "Az09-._~", "Az09-._~",
	    "RFC 3986 2.3: unreserved characters are kept" },
	{ "x:y", false, "x%3Ay", "x:y",
	    "':' is encoded, or the link would have a scheme" },
	{ "!$*+,;=@", false, "%21%24%2A%2B%2C%3B%3D%40", "!$*+,;=@",
	    "sub-delims and '@' are encoded" },
	{ "%41", false, "%2541", "%41", "a name is not decoded" },
	{ "tab\there", false, "tab%09here", "tab\there",
	    "a control character" },
	{ "back\\slash", false, "back%5Cslash", "back\\slash", "backslash" },
	{ "d<ir", true, "d%3Cir/", "d&lt;ir/",
	    "directory: '/' added after the encoding" },
	{ "a b", true, "a%20b/", "a b/", "directory with a space" },
};

START_TEST(test_escape)
{
	const char *name = escape_cases[_i].name;
	char tag[32];
	struct row r;

	snprintf(tag, sizeof(tag), "escape%d", _i);
	fresh_dir(tag);
	if (escape_cases[_i].is_dir)
		unit_make_dir(dir, name);
	else
		touch(name);

	ck_assert_int_eq(list_dir("/x/"), 0);
	ck_assert_msg(count_links() == 2, "%s: %zu links",
	    escape_cases[_i].note, count_links());
	ck_assert_msg(find_row(escape_cases[_i].href, &r),
	    "%s: no link to %s", escape_cases[_i].note, escape_cases[_i].href);
	ck_assert_msg(strcmp(r.name, escape_cases[_i].text) == 0,
	    "%s: text \"%s\", want \"%s\"", escape_cases[_i].note, r.name,
	    escape_cases[_i].text);
	if (strpbrk(name, "<>\"'&") != NULL)
		ck_assert_msg(strstr(text, name) == NULL,
		    "%s: the raw name is in the page", escape_cases[_i].note);
}
END_TEST

/* ------------------------------------------------------------------ */
/* title and parent link */

START_TEST(test_title)
{
	static const char url[] = "/a%20b/<x>&\"'/";
	static const char want[] = "/a%20b/&lt;x&gt;&amp;&quot;&#39;/";
	char needle[256];

	fresh_dir("title");
	ck_assert_int_eq(list_dir(url), 0);
	snprintf(needle, sizeof(needle), "<title>Index of %s</title>", want);
	ck_assert_msg(strstr(text, needle) != NULL, "no %s", needle);
	snprintf(needle, sizeof(needle), "<h1>Index of %s</h1>", want);
	ck_assert_msg(strstr(text, needle) != NULL, "no %s", needle);
	ck_assert_msg(strstr(text, "<x>") == NULL, "raw markup from the path");
}
END_TEST

/* Only url_len bytes of the path are read. */
START_TEST(test_title_len)
{
	int fd;

	fresh_dir("titlelen");
	fd = must_open(dir, O_PATH | O_DIRECTORY);
	ck_assert_int_eq(list_fd(fd, "/abc/IGNORED", 5), 0);
	close(fd);
	ck_assert_ptr_nonnull(strstr(text, "<title>Index of /abc/</title>"));
	ck_assert_ptr_null(strstr(text, "IGNORED"));
}
END_TEST

START_TEST(test_parent)
{
	static const char *const at_root[] = { "f" };
	static const char *const below[] = { "../", "f" };

	fresh_dir("parent");
	touch("f");
	ck_assert_int_eq(list_dir("/"), 0);
	check_links(at_root, 1);
	ck_assert_ptr_null(strstr(text, "../"));
	ck_assert_int_eq(list_dir("/parent/"), 0);
	check_links(below, 2);
	ck_assert_int_eq(list_dir("/a/b/"), 0);
	check_links(below, 2);
}
END_TEST

START_TEST(test_empty)
{
	static const char *const below[] = { "../" };

	fresh_dir("empty");
	ck_assert_int_eq(list_dir("/"), 0);
	ck_assert_uint_eq(count_links(), 0);
	ck_assert_uint_eq(count("<tr><td>"), 0);
	ck_assert_int_eq(truncated_count(), -1);
	ck_assert_int_eq(list_dir("/empty/"), 0);
	check_links(below, 1);
	ck_assert_int_eq(truncated_count(), -1);
}
END_TEST

/* ------------------------------------------------------------------ */
/* failures */

/*
 * A directory with mode 000 is 403.  Root ignores file modes, so as root
 * the listing is made in a child that has dropped to nobody (65534); the
 * assertion is skipped only if that drop fails.
 */
START_TEST(test_unreadable)
{
	char p[PATH_MAX + 64];
	int fd, r = -1, pfd[2];
	pid_t pid;
	int st;

	fresh_dir("locked");
	unit_make_dir(dir, "locked");
	touch("locked/f");
	unit_path(p, sizeof(p), dir, "locked");
	/* O_PATH needs no right on the directory itself. */
	fd = must_open(p, O_PATH | O_DIRECTORY);
	ck_assert_int_eq(chmod(p, 0), 0);

	if (geteuid() != 0) {
		r = list_fd(fd, "/locked/", 8);
	} else {
		ck_assert_int_eq(pipe(pfd), 0);
		pid = fork();
		ck_assert_int_ne(pid, -1);
		if (pid == 0) {
			const char *page;
			size_t len;
			int cr = -1;

			close(pfd[0]);
			if (setgroups(0, NULL) == 0 &&
			    setresgid(65534, 65534, 65534) == 0 &&
			    setresuid(65534, 65534, 65534) == 0)
				cr = listing_format(fd, "/locked/", 8, &page,
				    &len);
			(void)!write(pfd[1], &cr, sizeof(cr));
			_exit(0);
		}
		close(pfd[1]);
		ck_assert_int_eq(read(pfd[0], &r, sizeof(r)), (int)sizeof(r));
		close(pfd[0]);
		ck_assert_int_eq(waitpid(pid, &st, 0), pid);
		if (r == -1) {
			fprintf(stderr, "check_listing: as root and cannot "
			    "drop to uid 65534: 403 not tested\n");
			r = 403;
		}
	}
	chmod(p, 0755);
	close(fd);
	ck_assert_int_eq(r, 403);
}
END_TEST

START_TEST(test_not_a_directory)
{
	char p[PATH_MAX + 64];
	int fd;

	fresh_dir("notdir");
	unit_write_file(dir, "f", "x");
	unit_path(p, sizeof(p), dir, "f");
	fd = must_open(p, O_RDONLY);
	ck_assert_int_eq(list_fd(fd, "/f/", 3), 500);
	close(fd);
	ck_assert_int_eq(list_fd(-1, "/", 1), 500);
}
END_TEST

/* A directory removed while the worker holds it: not 403, not a crash. */
START_TEST(test_removed)
{
	char p[PATH_MAX + 64];
	int fd;

	fresh_dir("removed");
	unit_make_dir(dir, "gone");
	unit_path(p, sizeof(p), dir, "gone");
	fd = must_open(p, O_PATH | O_DIRECTORY);
	ck_assert_int_eq(rmdir(p), 0);
	ck_assert_int_eq(list_fd(fd, "/gone/", 6), 500);
	close(fd);
}
END_TEST

/* ------------------------------------------------------------------ */
/* limits */

START_TEST(test_many_entries)
{
	const char *p;
	char prev[HREF_MAX] = "", href[HREF_MAX], name[32];
	size_t n = 0;
	int dfd;

	fresh_dir("many");
	dfd = must_open(dir, O_PATH | O_DIRECTORY);
	for (int i = 0; i < LISTING_ENTRIES_MAX + 5; i++) {
		int fd;

		snprintf(name, sizeof(name), "f%05d", i);
		fd = openat(dfd, name, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		ck_assert_msg(fd != -1, "create %s: %s", name, strerror(errno));
		close(fd);
	}
	close(dfd);
	/* Hidden names are not entries: they must not count. */
	touch(".a");
	touch(".b");

	ck_assert_int_eq(list_dir("/many/"), 0);
	ck_assert_int_eq(truncated_count(), 5);
	ck_assert_ptr_nonnull(strstr(text,
	    "<p>Listing truncated: 5 entries not shown.</p>"));
	p = strstr(text, "<tbody>");
	ck_assert_ptr_nonnull(p);
	ck_assert(next_link(&p, href, sizeof(href)));
	ck_assert_str_eq(href, "../");
	while (next_link(&p, href, sizeof(href))) {
		ck_assert_msg(strcmp(prev, href) < 0, "%s before %s", prev,
		    href);
		memcpy(prev, href, sizeof(prev));
		n++;
	}
	ck_assert_uint_eq(n, LISTING_ENTRIES_MAX);
}
END_TEST

/*
 * Long names that are all quotes: each row is over 2 KB, so the page
 * fills after a few hundred.  The rows shown are the first ones in
 * sorted order, and the note counts the rest.
 */
#define PAGE_FULL_NAMES 600

START_TEST(test_page_full)
{
	char name[256], href[HREF_MAX], last[HREF_MAX] = "";
	const char *p, *row, *row_end;
	size_t shown = 0, row_len;
	long dropped;

	fresh_dir("pagefull");
	memset(name, '"', 250);
	for (unsigned i = 0; i < PAGE_FULL_NAMES; i++) {
		snprintf(name + 250, sizeof(name) - 250, "%03u", i);
		touch(name);
	}
	ck_assert_int_eq(list_dir("/full/"), 0);
	p = strstr(text, "<tbody>");
	ck_assert_ptr_nonnull(p);
	while (next_link(&p, href, sizeof(href))) {
		if (strcmp(href, "../") != 0) {
			memcpy(last, href, sizeof(last));
			shown++;
		}
	}
	dropped = truncated_count();
	ck_assert_uint_gt(shown, 0);
	ck_assert_uint_lt(shown, PAGE_FULL_NAMES);
	ck_assert_int_eq(dropped, (long)(PAGE_FULL_NAMES - shown));
	/* The shown ones are 000 .. shown - 1: the end of the sort was cut. */
	ck_assert_uint_eq(strlen(last), 250 * 3 + 3);
	ck_assert_int_eq(atoi(last + 250 * 3), (int)shown - 1);

	/* Cut only because the next row would not fit. */
	row = strstr(text, "<tr><td><a href=\"%22");
	ck_assert_ptr_nonnull(row);
	row_end = strstr(row, "</tr>\n");
	ck_assert_ptr_nonnull(row_end);
	row_len = (size_t)(row_end - row) + strlen("</tr>\n");
	ck_assert_msg(text_len + row_len > LISTING_PAGE_MAX - 256,
	    "page of %zu bytes had room for a row of %zu", text_len, row_len);
}
END_TEST

/* A request path that alone overflows the page is 500, not an overflow. */
static char long_url[200000];

START_TEST(test_long_url)
{
	struct row r;
	int fd;

	fresh_dir("longurl");
	touch("f");
	fd = must_open(dir, O_PATH | O_DIRECTORY);
	memset(long_url, '&', sizeof(long_url));
	long_url[0] = '/';
	long_url[sizeof(long_url) - 1] = '/';
	/* request-line-max allows 65536 bytes: that much must still work. */
	long_url[65535] = '/';
	ck_assert_int_eq(list_fd(fd, long_url, 65536), 0);
	ck_assert_uint_eq(count("&amp;"), 2 * 65534);
	ck_assert(find_row("f", &r));
	ck_assert_int_eq(list_fd(fd, long_url, sizeof(long_url)), 500);
	close(fd);
}
END_TEST

/* ------------------------------------------------------------------ */
/* descriptors */

START_TEST(test_opath_and_offset)
{
	static const char *const want[] = { "../", "f1", "f2", "f3" };
	char buf[64];
	off_t before;
	long got;
	int fd;

	fresh_dir("fds");
	touch("f1");
	touch("f2");
	touch("f3");

	fd = must_open(dir, O_PATH | O_DIRECTORY);
	ck_assert_int_eq(list_fd(fd, "/fds/", 5), 0);
	check_links(want, 4);
	close(fd);

	/* A readable fd part-way through: its offset is the caller's. */
	fd = must_open(dir, O_RDONLY | O_DIRECTORY);
	got = syscall(SYS_getdents64, fd, buf, sizeof(buf));
	ck_assert_int_gt(got, 0);
	before = lseek(fd, 0, SEEK_CUR);
	ck_assert_int_gt(before, 0);
	ck_assert_int_eq(list_fd(fd, "/fds/", 5), 0);
	check_links(want, 4);
	ck_assert_int_eq(lseek(fd, 0, SEEK_CUR), before);
	close(fd);
}
END_TEST

START_TEST(test_no_fd_leak)
{
	char p[PATH_MAX + 64];
	int before, fd, ffd;

	fresh_dir("leak");
	touch("a");
	unit_make_dir(dir, "b");
	unit_path(p, sizeof(p), dir, "a");
	ffd = must_open(p, O_RDONLY);
	fd = must_open(dir, O_PATH | O_DIRECTORY);
	before = unit_count_fds();
	for (int i = 0; i < 5; i++) {
		ck_assert_int_eq(list_fd(fd, "/", 1), 0);
		ck_assert_int_eq(list_fd(ffd, "/", 1), 500);
	}
	ck_assert_int_eq(unit_count_fds(), before);
	close(fd);
	close(ffd);
}
END_TEST

/* A second listing_init() keeps the buffers. */
START_TEST(test_init_again)
{
	const char *p1 = NULL, *p2 = NULL;
	size_t len;
	int fd;

	fresh_dir("again");
	fd = must_open(dir, O_PATH | O_DIRECTORY);
	ck_assert_int_eq(listing_format(fd, "/", 1, &p1, &len), 0);
	ck_assert_int_eq(listing_init(), 0);
	ck_assert_int_eq(listing_format(fd, "/", 1, &p2, &len), 0);
	ck_assert_ptr_nonnull(p1);
	ck_assert_ptr_eq(p1, p2);
	close(fd);
}
END_TEST

static Suite *
listing_suite(void)
{
	Suite *s = suite_create("listing");
	TCase *tc;

	tc = tcase_create("format");
	tcase_add_unchecked_fixture(tc, base_setup, base_teardown);
	tcase_add_checked_fixture(tc, init_setup, NULL);
	tcase_add_test(tc, test_order);
	tcase_add_test(tc, test_cells);
	tcase_add_loop_test(tc, test_escape, 0, ROWS(escape_cases));
	tcase_add_test(tc, test_title);
	tcase_add_test(tc, test_title_len);
	tcase_add_test(tc, test_parent);
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_opath_and_offset);
	tcase_add_test(tc, test_no_fd_leak);
	tcase_add_test(tc, test_init_again);
	suite_add_tcase(s, tc);

	tc = tcase_create("failures");
	tcase_add_unchecked_fixture(tc, base_setup, base_teardown);
	tcase_add_checked_fixture(tc, init_setup, NULL);
	tcase_add_test(tc, test_unreadable);
	tcase_add_test(tc, test_not_a_directory);
	tcase_add_test(tc, test_removed);
	suite_add_tcase(s, tc);

	/* Ten thousand files take a while on a slow disk. */
	tc = tcase_create("limits");
	tcase_add_unchecked_fixture(tc, base_setup, base_teardown);
	tcase_add_checked_fixture(tc, init_setup, NULL);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_many_entries);
	tcase_add_test(tc, test_page_full);
	tcase_add_test(tc, test_long_url);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(listing_suite());
}
