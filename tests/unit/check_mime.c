/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_mime.c - the extension table: built-in, a mime.types file written
 * here, a missing file, and the system's /etc/mime.types.
 */
#include "autoconf.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "mime.h"

#include "../lib/unit.h"

#define T(name) mime_type((name), strlen(name))

static char tmp_dir[PATH_MAX];
static char tmp_path[PATH_MAX + 16];

/* tmp_path: a mime.types in a fresh scratch directory. */
static void
write_types(const char *text)
{
	unit_scratch_dir(tmp_dir, sizeof(tmp_dir), "check_mime");
	unit_write_file(tmp_dir, "mime.types", text);
	unit_path(tmp_path, sizeof(tmp_path), tmp_dir, "mime.types");
}

static void
setup(void)
{
	tmp_dir[0] = '\0';
	mime_free();
}

static void
teardown(void)
{
	unit_rmtree(tmp_dir);
	mime_free();
}

/* Names and the type the built-in table gives them, with a note each. */
static const struct {
	const char *name;
	const char *type;
	const char *note;
} builtin_cases[] = {
	{ "index.html", "text/html", "plain" },
	{ "a.htm", "text/html", "short form" },
	{ "INDEX.HTML", "text/html", "case-insensitive" },
	{ "style.Css", "text/css", "mixed case" },
	{ "app.js", "text/javascript", "RFC 9239" },
	{ "mod.mjs", "text/javascript", "modules" },
	{ "d.json", "application/json", "" },
	{ "r.txt", "text/plain", "no charset appended" },
	{ "f.xml", "application/xml", "" },
	{ "i.svg", "image/svg+xml", "" },
	{ "i.png", "image/png", "" },
	{ "i.jpg", "image/jpeg", "" },
	{ "i.jpeg", "image/jpeg", "" },
	{ "i.gif", "image/gif", "" },
	{ "i.webp", "image/webp", "" },
	{ "favicon.ico", "image/vnd.microsoft.icon", "" },
	{ "doc.pdf", "application/pdf", "" },
	{ "m.wasm", "application/wasm", "needed for streaming compile" },
	{ "f.woff", "font/woff", "" },
	{ "f.woff2", "font/woff2", "" },
	{ "v.mp4", "video/mp4", "" },
	{ "v.webm", "video/webm", "" },
	{ "archive.tar.gz", "application/gzip", "last dot only" },
	{ "dir/sub/page.html", "text/html", "a path" },
	{ "a.b/c", MIME_DEFAULT_TYPE, "dot in a directory, none in the name" },
	{ "a.html/c", MIME_DEFAULT_TYPE, "extension of a directory ignored" },
	{ "README", MIME_DEFAULT_TYPE, "no extension" },
	{ ".bashrc", MIME_DEFAULT_TYPE, "dotfile: \"bashrc\" is unknown" },
	{ "file.", MIME_DEFAULT_TYPE, "empty extension" },
	{ "x.unknownext", MIME_DEFAULT_TYPE, "unknown extension" },
	{ "", MIME_DEFAULT_TYPE, "empty name" },
	{ "x.htmlx", MIME_DEFAULT_TYPE, "prefix of a known one is not it" },
	{ "x.ht", MIME_DEFAULT_TYPE, "nor is a prefix of it" },
};

START_TEST(test_builtin_loaded)
{
	char err[256] = "";
	const char *want = builtin_cases[_i].type;
	const char *got;

	ck_assert_int_gt(mime_load(NULL, err, sizeof(err)), 20);
	got = T(builtin_cases[_i].name);
	ck_assert_msg(strcmp(got, want) == 0, "%s (%s): got %s, want %s",
	    builtin_cases[_i].name, builtin_cases[_i].note, got, want);
}
END_TEST

/* Before any mime_load() (and after mime_free()) the same answers. */
START_TEST(test_builtin_unloaded)
{
	const char *want = builtin_cases[_i].type;
	const char *got = T(builtin_cases[_i].name);

	ck_assert_msg(strcmp(got, want) == 0, "%s (%s): got %s, want %s",
	    builtin_cases[_i].name, builtin_cases[_i].note, got, want);
}
END_TEST

START_TEST(test_length_bounded)
{
	/* Only len bytes count: the name need not be NUL-terminated. */
	ck_assert_str_eq(mime_type("x.htmlZZZ", 6), "text/html");
	ck_assert_str_eq(mime_type("x.css/y.png", 5), "text/css");
	ck_assert_str_eq(mime_type("x.png", 0), MIME_DEFAULT_TYPE);
	ck_assert_int_gt(mime_load(NULL, NULL, 0), 0);
	ck_assert_str_eq(mime_type("x.htmlZZZ", 6), "text/html");
	ck_assert_str_eq(mime_type("x.png", 2), MIME_DEFAULT_TYPE);
}
END_TEST

START_TEST(test_file)
{
	char err[256] = "";
	int nbuiltin, n;

	nbuiltin = mime_load(NULL, err, sizeof(err));
	ck_assert_int_gt(nbuiltin, 0);
	write_types(
	    "# a comment line\n"
	    "\n"
	    "   \t  \n"
	    "text/x-test\t\t\ttst  TSTB foo\n"
	    "application/x-multi  m1 m2\tm3   # trailing comment m4\n"
	    "text/plain txt\n"			/* already built in */
	    "application/x-gzip-test gz\n"	/* overrides the built-in */
	    "no-slash-here zzz\n"		/* not a type: skipped */
	    "application/x-no-extensions\n"
	    "text/x-first dup\n"
	    "text/x-second dup\n"		/* the first line wins */
	    "text/x-crlf crlf\r\n"
	    "#text/x-commented cmt\n"
	    "text/x-last last");		/* no final newline */

	n = mime_load(tmp_path, err, sizeof(err));
	/* New: tst tstb foo m1 m2 m3 dup crlf last. */
	ck_assert_int_eq(n, nbuiltin + 9);
	ck_assert_str_eq(T("a.tst"), "text/x-test");
	ck_assert_str_eq(T("a.TST"), "text/x-test");
	/* Written "TSTB" in the file. */
	ck_assert_str_eq(T("a.tstb"), "text/x-test");
	ck_assert_str_eq(T("a.Foo"), "text/x-test");
	ck_assert_str_eq(T("a.m1"), "application/x-multi");
	ck_assert_str_eq(T("a.m2"), "application/x-multi");
	ck_assert_str_eq(T("a.m3"), "application/x-multi");
	ck_assert_str_eq(T("a.m4"), MIME_DEFAULT_TYPE);
	ck_assert_str_eq(T("a.txt"), "text/plain");
	ck_assert_str_eq(T("archive.tar.gz"), "application/x-gzip-test");
	ck_assert_str_eq(T("a.zzz"), MIME_DEFAULT_TYPE);
	ck_assert_str_eq(T("a.dup"), "text/x-first");
	ck_assert_str_eq(T("a.crlf"), "text/x-crlf");
	ck_assert_str_eq(T("a.cmt"), MIME_DEFAULT_TYPE);
	ck_assert_str_eq(T("a.last"), "text/x-last");
	/* The built-in table is still underneath. */
	ck_assert_str_eq(T("index.html"), "text/html");
	ck_assert_str_eq(T("x.woff2"), "font/woff2");
	ck_assert_str_eq(T("a.b/c"), MIME_DEFAULT_TYPE);
	ck_assert_str_eq(T(".bashrc"), MIME_DEFAULT_TYPE);
	ck_assert_str_eq(T("noext"), MIME_DEFAULT_TYPE);

	/* Loading again replaces, not adds. */
	ck_assert_int_eq(mime_load(tmp_path, err, sizeof(err)), n);
	ck_assert_int_eq(mime_load(NULL, err, sizeof(err)), nbuiltin);
	ck_assert_str_eq(T("a.tst"), MIME_DEFAULT_TYPE);
	ck_assert_str_eq(T("archive.tar.gz"), "application/gzip");
}
END_TEST

START_TEST(test_empty_file)
{
	char err[256] = "";
	int nbuiltin = mime_load(NULL, err, sizeof(err));

	write_types("");
	ck_assert_int_eq(mime_load(tmp_path, err, sizeof(err)), nbuiltin);
	ck_assert_str_eq(T("a.html"), "text/html");
}
END_TEST

START_TEST(test_missing_file)
{
	char err[256] = "";
	int n;

	write_types("text/x-test tst\n");
	n = mime_load(tmp_path, err, sizeof(err));
	ck_assert_int_gt(n, 0);
	ck_assert_str_eq(T("a.tst"), "text/x-test");

	ck_assert_int_eq(mime_load("/nonexistent/mime.types", err,
	    sizeof(err)), -1);
	ck_assert_msg(strstr(err, "/nonexistent/mime.types") != NULL,
	    "message names the file: %s", err);
	/* The previous table is kept. */
	ck_assert_str_eq(T("a.tst"), "text/x-test");

	/* A directory is no file either; err may be NULL. */
	ck_assert_int_eq(mime_load("/", NULL, 0), -1);
	ck_assert_str_eq(T("a.tst"), "text/x-test");
}
END_TEST

START_TEST(test_free)
{
	write_types("text/x-test tst\n");
	ck_assert_int_gt(mime_load(tmp_path, NULL, 0), 0);
	mime_free();
	mime_free();	/* twice is fine */
	ck_assert_str_eq(T("a.tst"), MIME_DEFAULT_TYPE);
	ck_assert_str_eq(T("a.html"), "text/html");
}
END_TEST

/* The test environment has Debian's media-types installed. */
START_TEST(test_system_file)
{
	char err[256] = "";
	int n = mime_load("/etc/mime.types", err, sizeof(err));

	ck_assert_msg(n > 500, "/etc/mime.types: %d (%s)", n, err);
	ck_assert_str_eq(T("index.html"), "text/html");
	ck_assert_str_eq(T("logo.png"), "image/png");
	ck_assert_str_eq(T("LOGO.PNG"), "image/png");
	ck_assert_str_eq(T("style.css"), "text/css");
	ck_assert_str_eq(T("a.json"), "application/json");
	ck_assert_str_eq(T("a.unknownext"), MIME_DEFAULT_TYPE);
	/* Whatever the file says for .js is a JavaScript type. */
	ck_assert_msg(strcmp(T("app.js"), "text/javascript") == 0 ||
	    strcmp(T("app.js"), "application/javascript") == 0,
	    "app.js: %s", T("app.js"));
}
END_TEST

static Suite *
mime_suite(void)
{
	Suite *s = suite_create("mime");
	TCase *tc;
	int nbuiltin = (int)(sizeof(builtin_cases) / sizeof(builtin_cases[0]));

	tc = tcase_create("built-in");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_builtin_loaded, 0, nbuiltin);
	tcase_add_loop_test(tc, test_builtin_unloaded, 0, nbuiltin);
	tcase_add_test(tc, test_length_bounded);
	suite_add_tcase(s, tc);

	tc = tcase_create("file");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_file);
	tcase_add_test(tc, test_empty_file);
	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_free);
	tcase_add_test(tc, test_system_file);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(mime_suite());
}
