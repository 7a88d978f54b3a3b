/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_route.c - the route table as tables: every pattern form, segment
 * boundaries ("/api" is /api and /api/..., never /apix; "/p/" is not
 * /p), precedence (exact, then the longest "^~", then regexes in the
 * order added, then the longest prefix) and each tie-break, captures,
 * the patterns refused and the paths routed twice, and the warnings of
 * route_table_lint().
 */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>

#include <check.h>

#include "route.h"

#include "../lib/unit.h"

#define ROUTES_MAX 8

/* Builds a table of routes[] (index: position); each must be accepted. */
static struct route_table *
build(const char *const *routes)
{
	struct route_table *t = route_table_new();
	char err[512];
	size_t n = 0;

	ck_assert_ptr_nonnull(t);
	for (; n < ROUTES_MAX && routes[n] != NULL; n++)
		ck_assert_msg(route_table_add(t, routes[n], (int)n, err,
		    sizeof(err)) == 0, "\"%s\" refused: %s", routes[n], err);
	ck_assert_uint_eq(route_table_count(t), n);
	return t;
}

/* ------------------------------------------------------------------ */
/* matching */

/* A capture that did not take part in the match. */
#define NOCAP "(none)"

static const struct match_case {
	const char *routes[ROUTES_MAX];
	const char *path;
	int want;			/* index, or -1: no route */
	enum route_kind kind;
	size_t prefix_len;
	const char *cap1, *cap2;	/* NULL: not checked */
	const char *note;
} match_cases[] = {
	/* exact */
	{ { "= /a" }, "/a", 0, ROUTE_EXACT, 2, NULL, NULL, "exact" },
	{ { "=/a" }, "/a", 0, ROUTE_EXACT, 2, NULL, NULL, "exact, no space" },
	{ { "=   /a" }, "/a", 0, ROUTE_EXACT, 2, NULL, NULL,
	    "exact, several spaces" },
	{ { "= /a" }, "/a/", -1, 0, 0, NULL, NULL, "exact: /a is not /a/" },
	{ { "= /a" }, "/ab", -1, 0, 0, NULL, NULL, "exact: not a prefix" },
	{ { "= /a" }, "/a/b", -1, 0, 0, NULL, NULL, "exact: not a prefix" },
	{ { "= /a" }, "/A", -1, 0, 0, NULL, NULL, "exact: case counts" },
	{ { "= /" }, "/", 0, ROUTE_EXACT, 1, NULL, NULL, "exact root" },
	{ { "= /" }, "/x", -1, 0, 0, NULL, NULL, "exact root is only /" },
	/* prefixes on segment boundaries */
	{ { "/api" }, "/api", 0, ROUTE_PREFIX, 4, NULL, NULL, "bare: itself" },
	{ { "/api" }, "/api/", 0, ROUTE_PREFIX, 4, NULL, NULL,
	    "bare: with a slash" },
	{ { "/api" }, "/api/x", 0, ROUTE_PREFIX, 4, NULL, NULL,
	    "bare: below it" },
	{ { "/api" }, "/api/x/y/z", 0, ROUTE_PREFIX, 4, NULL, NULL,
	    "bare: deep below it" },
	{ { "/api" }, "/apix", -1, 0, 0, NULL, NULL, "bare: never /apix" },
	{ { "/api" }, "/apix/y", -1, 0, 0, NULL, NULL, "bare: never /apix/y" },
	{ { "/api" }, "/ap", -1, 0, 0, NULL, NULL, "bare: not shorter" },
	{ { "/api" }, "/x/api", -1, 0, 0, NULL, NULL, "bare: from the start" },
	{ { "/api/" }, "/api", -1, 0, 0, NULL, NULL, "slash: /p/ is not /p" },
	{ { "/api/" }, "/api/", 0, ROUTE_PREFIX, 5, NULL, NULL,
	    "slash: itself" },
	{ { "/api/" }, "/api/x", 0, ROUTE_PREFIX, 5, NULL, NULL,
	    "slash: below it" },
	{ { "/api/" }, "/apix/", -1, 0, 0, NULL, NULL, "slash: never /apix/" },
	{ { "/a/b" }, "/a/b/c", 0, ROUTE_PREFIX, 4, NULL, NULL,
	    "two segments" },
	{ { "/a/b" }, "/a/bc", -1, 0, 0, NULL, NULL,
	    "two segments: boundary" },
	{ { "/a/b" }, "/a", -1, 0, 0, NULL, NULL, "two segments: not /a" },
	{ { "/" }, "/", 0, ROUTE_PREFIX, 1, NULL, NULL, "root: itself" },
	{ { "/" }, "/anything/at/all", 0, ROUTE_PREFIX, 1, NULL, NULL,
	    "root: everything" },
	{ { "/p", "/p/" }, "/p", 0, ROUTE_PREFIX, 2, NULL, NULL,
	    "/p and /p/: /p is the bare one's" },
	{ { "/p", "/p/" }, "/p/", 1, ROUTE_PREFIX, 3, NULL, NULL,
	    "/p and /p/: /p/ is the longer one's" },
	{ { "/p/", "/p" }, "/p/x", 0, ROUTE_PREFIX, 3, NULL, NULL,
	    "/p and /p/: /p/x is the longer one's, whatever the order" },
	{ { "/" , "/a" }, "/ab", 0, ROUTE_PREFIX, 1, NULL, NULL,
	    "root catches what /a does not" },
	/* "^~" */
	{ { "^~ /s" }, "/s/x", 0, ROUTE_PREFIX_FIRST, 2, NULL, NULL, "^~" },
	{ { "^~/s" }, "/s", 0, ROUTE_PREFIX_FIRST, 2, NULL, NULL,
	    "^~, no space" },
	{ { "^~ /s" }, "/sx", -1, 0, 0, NULL, NULL, "^~: boundary too" },
	{ { "^~ /s/" }, "/s", -1, 0, 0, NULL, NULL, "^~ /s/ is not /s" },
	/* regexes */
	{ { "~ ^/u/([0-9]+)$" }, "/u/42", 0, ROUTE_REGEX, 0, "42", NULL,
	    "regex with a capture" },
	{ { "~ ^/u/([0-9]+)$" }, "/u/x", -1, 0, 0, NULL, NULL,
	    "regex: no match" },
	{ { "~ ^/u/([0-9]+)$" }, "/U/42", -1, 0, 0, NULL, NULL,
	    "~ is case-sensitive" },
	{ { "~* ^/u/([0-9]+)$" }, "/U/42", 0, ROUTE_REGEX_NOCASE, 0, "42",
	    NULL, "~* ignores case" },
	{ { "~ \\.php$" }, "/a/b.php", 0, ROUTE_REGEX, 0, NULL, NULL,
	    "an unanchored regex matches anywhere" },
	{ { "~ ^/(x)(y)?$" }, "/x", 0, ROUTE_REGEX, 0, "x", NOCAP,
	    "a group that did not take part" },
	{ { "~ ^/(x)(y)?$" }, "/xy", 0, ROUTE_REGEX, 0, "x", "y",
	    "both groups" },
	{ { "~ ^/([^/]+)/([^/]+)$" }, "/a b/c", 0, ROUTE_REGEX, 0, "a b",
	    "c", "captures of the decoded path" },
	{ { "~ ^/[a-z]+$", "~ ^/.*$" }, "/1", 1, ROUTE_REGEX, 0, NULL, NULL,
	    "the second regex when the first fails" },
	/* precedence: exact first */
	{ { "^~ /a", "= /a" }, "/a", 1, ROUTE_EXACT, 2, NULL, NULL,
	    "exact beats ^~" },
	{ { "~ ^/a$", "= /a" }, "/a", 1, ROUTE_EXACT, 2, NULL, NULL,
	    "exact beats a regex before it" },
	{ { "/a", "= /a" }, "/a", 1, ROUTE_EXACT, 2, NULL, NULL,
	    "exact beats the same prefix" },
	{ { "/a", "= /a" }, "/a/b", 0, ROUTE_PREFIX, 2, NULL, NULL,
	    "but only for its own path" },
	/* then the longest "^~" */
	{ { "~ ^/s/", "^~ /s/" }, "/s/x", 1, ROUTE_PREFIX_FIRST, 3, NULL, NULL,
	    "^~ beats a regex before it" },
	{ { "^~ /a", "^~ /a/b" }, "/a/b/c", 1, ROUTE_PREFIX_FIRST, 4, NULL,
	    NULL, "the longest ^~" },
	{ { "^~ /a/b", "^~ /a" }, "/a/b/c", 0, ROUTE_PREFIX_FIRST, 4, NULL,
	    NULL, "the longest ^~, whatever the order" },
	{ { "^~ /a/b", "^~ /a" }, "/a/c", 1, ROUTE_PREFIX_FIRST, 2, NULL,
	    NULL, "the shorter ^~ where the longer does not match" },
	{ { "/a/b", "^~ /a" }, "/a/b/c", 1, ROUTE_PREFIX_FIRST, 2, NULL, NULL,
	    "a ^~ beats a longer plain prefix" },
	{ { "^~ /p", "/p/" }, "/p/x", 0, ROUTE_PREFIX_FIRST, 2, NULL, NULL,
	    "^~ /p beats /p/ on the same key" },
	{ { "/p", "^~ /p/" }, "/p/x", 1, ROUTE_PREFIX_FIRST, 3, NULL, NULL,
	    "^~ /p/ beats /p on the same key" },
	{ { "/p", "^~ /p/" }, "/p", 0, ROUTE_PREFIX, 2, NULL, NULL,
	    "/p where ^~ /p/ does not match" },
	/* then regexes in the order added */
	{ { "/s/x/y", "~ ^/s" }, "/s/x/y/z", 1, ROUTE_REGEX, 0, NULL, NULL,
	    "a regex beats a longer plain prefix" },
	{ { "/", "~ ^/" }, "/a", 1, ROUTE_REGEX, 0, NULL, NULL,
	    "a regex beats the root prefix" },
	{ { "~ ^/a", "~ ^/a/b" }, "/a/b", 0, ROUTE_REGEX, 0, NULL, NULL,
	    "the first regex, not the most specific" },
	{ { "~ ^/a/b", "~ ^/a" }, "/a/b", 0, ROUTE_REGEX, 0, NULL, NULL,
	    "the first regex, again" },
	{ { "~* ^/A", "~ ^/a" }, "/a", 0, ROUTE_REGEX_NOCASE, 0, NULL, NULL,
	    "~* and ~ share one order" },
	{ { "~ ^/A", "~* ^/A" }, "/a", 1, ROUTE_REGEX_NOCASE, 0, NULL, NULL,
	    "a ~ that fails gives way to a later ~*" },
	/* then the longest prefix */
	{ { "/a", "/a/b", "/a/b/c" }, "/a/b/x", 1, ROUTE_PREFIX, 4, NULL,
	    NULL, "the longest prefix" },
	{ { "/a/b/c", "/a", "/a/b" }, "/a/b/c/d", 0, ROUTE_PREFIX, 6, NULL,
	    NULL, "the longest prefix, whatever the order" },
	{ { "/a", "/a/b", "/a/b/c" }, "/a/x", 0, ROUTE_PREFIX, 2, NULL, NULL,
	    "the shorter where the longer does not match" },
	{ { "/a", "~ ^/b" }, "/a/x", 0, ROUTE_PREFIX, 2, NULL, NULL,
	    "a prefix when no regex matches" },
	{ { "^~ /x", "/a", "~ ^/b" }, "/a/x", 1, ROUTE_PREFIX, 2, NULL, NULL,
	    "a prefix when no ^~ and no regex matches" },
	{ { "= /b", "^~ /c", "~ ^/d", "/e" }, "/f", -1, 0, 0, NULL, NULL,
	    "nothing matches" },
	{ { NULL }, "/x", -1, 0, 0, NULL, NULL, "no routes" },
	/* the example */
	{ { "= /health", "/static/", "/old/", "~ ^/u/([0-9]+)$", "/admin/",
	    "/files/", "= /server-status" }, "/u/7", 3, ROUTE_REGEX, 0, "7",
	    NULL, "the issue's routes: /u/7" },
	{ { "= /health", "/static/", "/old/", "~ ^/u/([0-9]+)$", "/admin/",
	    "/files/", "= /server-status" }, "/health", 0, ROUTE_EXACT, 7,
	    NULL, NULL, "the issue's routes: /health" },
	{ { "= /health", "/static/", "/old/", "~ ^/u/([0-9]+)$", "/admin/",
	    "/files/", "= /server-status" }, "/health/x", -1, 0, 0, NULL, NULL,
	    "the issue's routes: /health/x" },
	{ { "= /health", "/static/", "/old/", "~ ^/u/([0-9]+)$", "/admin/",
	    "/files/", "= /server-status" }, "/old/a/b", 2, ROUTE_PREFIX, 5,
	    NULL, NULL, "the issue's routes: /old/a/b" },
};

/* regmatch_t m of path as a string, or NOCAP. */
static void
capture(const char *path, const regmatch_t *m, char *out, size_t cap)
{
	if (m->rm_so < 0) {
		snprintf(out, cap, "%s", NOCAP);
		return;
	}
	snprintf(out, cap, "%.*s", (int)(m->rm_eo - m->rm_so),
	    path + m->rm_so);
}

START_TEST(test_match)
{
	const struct match_case *mc = &match_cases[_i];
	struct route_table *t = build(mc->routes);
	struct route_match m;
	bool found = route_table_match(t, mc->path, strlen(mc->path), &m);
	char got[256];

	ck_assert_msg(found == (mc->want >= 0), "%s: %s: found %d", mc->note,
	    mc->path, found);
	ck_assert_msg(m.index == mc->want, "%s: %s: route %d, want %d",
	    mc->note, mc->path, m.index, mc->want);
	if (mc->want >= 0) {
		ck_assert_msg(m.kind == mc->kind, "%s: kind %d, want %d",
		    mc->note, m.kind, mc->kind);
		ck_assert_msg(m.prefix_len == mc->prefix_len, "%s: prefix_len "
		    "%zu, want %zu", mc->note, m.prefix_len, mc->prefix_len);
	}
	if (mc->want >= 0 && m.kind >= ROUTE_REGEX) {
		ck_assert_msg(m.cap[0].rm_so >= 0 && m.cap[0].rm_eo >
		    m.cap[0].rm_so, "%s: $0 is %d..%d", mc->note,
		    (int)m.cap[0].rm_so, (int)m.cap[0].rm_eo);
	}
	if (mc->cap1 != NULL) {
		capture(mc->path, &m.cap[1], got, sizeof(got));
		ck_assert_msg(strcmp(got, mc->cap1) == 0, "%s: $1 \"%s\", want "
		    "\"%s\"", mc->note, got, mc->cap1);
	}
	if (mc->cap2 != NULL) {
		capture(mc->path, &m.cap[2], got, sizeof(got));
		ck_assert_msg(strcmp(got, mc->cap2) == 0, "%s: $2 \"%s\", want "
		    "\"%s\"", mc->note, got, mc->cap2);
	}
	route_table_free(t);
}
END_TEST

/* $1..$9 all come back; the groups past the regex's did not take part. */
START_TEST(test_nine_captures)
{
	const char *routes[] = {
		"~ ^/(1)(2)(3)(4)(5)(6)(7)(8)(9)$", NULL
	};
	struct route_table *t = build(routes);
	struct route_match m;
	char got[8];

	ck_assert(route_table_match(t, "/123456789", 10, &m));
	for (int i = 1; i <= 9; i++) {
		capture("/123456789", &m.cap[i], got, sizeof(got));
		ck_assert_int_eq(got[0], '0' + i);
		ck_assert_int_eq(got[1], '\0');
	}
	route_table_free(t);

	routes[0] = "~ ^/(a)$";
	t = build(routes);
	ck_assert(route_table_match(t, "/a", 2, &m));
	for (int i = 2; i < ROUTE_CAPTURES; i++)
		ck_assert_int_eq(m.cap[i].rm_so, -1);
	route_table_free(t);
}
END_TEST

/* Many routes: a look-up still finds each, and only its own. */
START_TEST(test_many)
{
	struct route_table *t = route_table_new();
	struct route_match m;
	char pat[64], path[64], err[256];

	for (int i = 0; i < 1000; i++) {
		snprintf(pat, sizeof(pat), "/p%d", i);
		ck_assert_int_eq(route_table_add(t, pat, i, err, sizeof(err)),
		    0);
		snprintf(pat, sizeof(pat), "= /e%d", i);
		ck_assert_int_eq(route_table_add(t, pat, 1000 + i, err,
		    sizeof(err)), 0);
	}
	ck_assert_uint_eq(route_table_count(t), 2000);
	for (int i = 0; i < 1000; i++) {
		int n = snprintf(path, sizeof(path), "/p%d/x/y", i);

		if (!route_table_match(t, path, (size_t)n, &m) || m.index != i)
			ck_abort_msg("%s: route %d", path, m.index);
		n = snprintf(path, sizeof(path), "/e%d", i);
		if (!route_table_match(t, path, (size_t)n, &m) ||
		    m.index != 1000 + i)
			ck_abort_msg("%s: route %d", path, m.index);
		n = snprintf(path, sizeof(path), "/e%d/x", i);
		if (route_table_match(t, path, (size_t)n, &m))
			ck_abort_msg("%s: route %d", path, m.index);
	}
	route_table_free(t);
}
END_TEST

/* ------------------------------------------------------------------ */
/* refused patterns */

static const struct bad_case {
	const char *before;		/* added first, or NULL */
	const char *pattern;
	const char *want;		/* in the message */
} bad_cases[] = {
	{ NULL, "", "is not \"= /path\"" },
	{ NULL, "x", "is not \"= /path\"" },
	{ NULL, " /a", "is not \"= /path\"" },
	{ NULL, "=", "is not \"= /path\"" },
	{ NULL, "= ", "is not \"= /path\"" },
	{ NULL, "==/a", "is not \"= /path\"" },
	{ NULL, "^~", "is not \"= /path\"" },
	{ NULL, "^ /a", "is not \"= /path\"" },
	{ NULL, "~", "is not \"= /path\"" },
	{ NULL, "~ ", "is not \"= /path\"" },
	{ NULL, "~*", "is not \"= /path\"" },
	{ NULL, "~x", "is not \"= /path\"" },
	{ NULL, "~*x", "is not \"= /path\"" },
	{ NULL, "~/a", "is not \"= /path\"" },
	{ NULL, "= a", "a path starts with '/'" },
	{ NULL, "^~ a", "a path starts with '/'" },
	{ NULL, "/a//b", "empty, \".\" or \"..\" segments" },
	{ NULL, "//", "empty, \".\" or \"..\" segments" },
	{ NULL, "/a/./b", "empty, \".\" or \"..\" segments" },
	{ NULL, "/a/..", "empty, \".\" or \"..\" segments" },
	{ NULL, "= /.", "empty, \".\" or \"..\" segments" },
	{ NULL, "^~ /a/../b", "empty, \".\" or \"..\" segments" },
	{ NULL, "/a%20b", "matched decoded" },
	{ NULL, "= /%2e", "matched decoded" },
	{ NULL, "/a\tb", "a control character" },
	{ NULL, "~ (", "bad regex \"(\"" },
	{ NULL, "~* [a", "bad regex \"[a\"" },
	{ NULL, "~ a{2,1}", "bad regex" },
	/* paths routed twice */
	{ "= /a", "= /a", "the path /a is routed exactly twice" },
	{ "= /a", "=/a", "routed exactly twice" },
	{ "/a", "/a", "the prefix /a is routed twice (\"/a\" and \"/a\")" },
	{ "/a", "^~ /a", "the prefix /a is routed twice (\"/a\" and "
	    "\"^~ /a\")" },
	{ "^~ /a/", "/a/", "the prefix /a/ is routed twice" },
	{ "/", "^~ /", "the prefix / is routed twice" },
};

START_TEST(test_bad)
{
	const struct bad_case *bc = &bad_cases[_i];
	struct route_table *t = route_table_new();
	struct route_match m;
	char err[512];
	size_t before = 0;

	if (bc->before != NULL) {
		ck_assert_int_eq(route_table_add(t, bc->before, 0, err,
		    sizeof(err)), 0);
		before = 1;
	}
	err[0] = '\0';
	ck_assert_msg(route_table_add(t, bc->pattern, 1, err, sizeof(err)) ==
	    -1, "\"%s\" accepted", bc->pattern);
	ck_assert_msg(strstr(err, bc->want) != NULL, "\"%s\": \"%s\" lacks "
	    "\"%s\"", bc->pattern, err, bc->want);
	/* Refused means not there: the count, and the first one still
	 * answers its path. */
	ck_assert_uint_eq(route_table_count(t), before);
	if (bc->before != NULL) {
		ck_assert(route_table_match(t, "/a", 2, &m) ||
		    route_table_match(t, "/a/", 3, &m));
		ck_assert_int_eq(m.index, 0);
	}
	route_table_free(t);
}
END_TEST

/* Neither of these is a duplicate. */
START_TEST(test_not_duplicates)
{
	const char *routes[] = {
		"/a", "/a/", "= /a", "= /a/", "~ ^/a", "~ ^/a", "~* ^/a", NULL
	};
	struct route_table *t = build(routes);

	route_table_free(t);
	route_table_free(NULL);
	ck_assert_uint_eq(route_table_count(NULL), 0);
}
END_TEST

/* ------------------------------------------------------------------ */
/* lint */

#define WARN_MAX 4

struct warnings {
	int n;
	int a[WARN_MAX], b[WARN_MAX];
	char why[WARN_MAX][256];
};

static void
collect(void *arg, int a, int b, const char *why)
{
	struct warnings *w = arg;

	ck_assert_msg(w->n < WARN_MAX, "too many warnings");
	w->a[w->n] = a;
	w->b[w->n] = b;
	snprintf(w->why[w->n], sizeof(w->why[0]), "%s", why);
	w->n++;
}

static const struct lint_case {
	const char *routes[ROUTES_MAX];
	int n;				/* warnings */
	int a, b;			/* the first one's routes */
	const char *why;		/* in the first one's text */
	const char *note;
} lint_cases[] = {
	{ { "~ ^/a", "~ ^/a" }, 1, 1, 0, "the same regex comes earlier",
	    "a regex twice" },
	{ { "~* ^/a", "~ ^/b", "~* ^/a" }, 1, 2, 0, "never wins",
	    "a ~* regex twice" },
	{ { "~ ^/a", "~* ^/a" }, 0, 0, 0, NULL, "~ and ~* differ" },
	{ { "^~ /static/", "~ ^/static/.*\\.css$" }, 1, 1, 0,
	    "lies under this \"^~\" prefix", "a regex under ^~ /static/" },
	{ { "~ ^/static/x", "^~ /static" }, 1, 0, 1,
	    "lies under this \"^~\" prefix",
	    "a regex under a bare ^~, added after it" },
	{ { "^~ /static", "~ ^/staticx" }, 0, 0, 0, NULL,
	    "/staticx is not under ^~ /static" },
	{ { "^~ /static", "~ ^/static" }, 0, 0, 0, NULL,
	    "^/static also matches /staticx, not under ^~ /static" },
	{ { "^~ /a/", "~ ^/a/b?" }, 1, 1, 0, "lies under",
	    "an optional last character is not part of the literal" },
	{ { "^~ /a/b", "~ ^/a/b?" }, 0, 0, 0, NULL,
	    "^/a/b? matches /a/, not under ^~ /a/b" },
	{ { "^~ /a/", "~ ^/a/|^/b" }, 0, 0, 0, NULL,
	    "an alternative may start elsewhere" },
	{ { "^~ /a/", "~ /a/" }, 0, 0, 0, NULL,
	    "an unanchored regex is under nothing" },
	{ { "/api/", "~ ^/api" }, 1, 1, 0, "matches this prefix route's own "
	    "path", "a regex that takes a prefix route's path" },
	{ { "/api", "/img", "~ ^/(api|img)" }, 2, 2, 0, "own path",
	    "a regex that takes two prefix routes' paths" },
	{ { "/api/", "~ ^/other" }, 0, 0, 0, NULL, "a regex beside a prefix" },
	{ { "= /x", "~ ^/x$" }, 0, 0, 0, NULL,
	    "an exact route wins anyway" },
	{ { "= /a", "/b", "^~ /c", "~ ^/d" }, 0, 0, 0, NULL, "no overlap" },
};

START_TEST(test_lint)
{
	const struct lint_case *lc = &lint_cases[_i];
	struct route_table *t = build(lc->routes);
	struct warnings w = { 0 };
	size_t n = route_table_lint(t, collect, &w);

	ck_assert_msg((int)n == w.n, "%s: returned %zu, said %d", lc->note, n,
	    w.n);
	ck_assert_msg(w.n == lc->n, "%s: %d warnings (first: \"%s\"), want %d",
	    lc->note, w.n, w.n > 0 ? w.why[0] : "", lc->n);
	if (lc->n > 0) {
		ck_assert_msg(w.a[0] == lc->a && w.b[0] == lc->b, "%s: routes "
		    "%d and %d, want %d and %d", lc->note, w.a[0], w.b[0],
		    lc->a, lc->b);
		ck_assert_msg(strstr(w.why[0], lc->why) != NULL, "%s: \"%s\" "
		    "lacks \"%s\"", lc->note, w.why[0], lc->why);
	}
	route_table_free(t);
}
END_TEST

static Suite *
route_suite(void)
{
	Suite *s = suite_create("route");
	TCase *tc;

	tc = tcase_create("match");
	tcase_add_loop_test(tc, test_match, 0,
	    (int)(sizeof(match_cases) / sizeof(match_cases[0])));
	tcase_add_test(tc, test_nine_captures);
	tcase_add_test(tc, test_many);
	suite_add_tcase(s, tc);

	tc = tcase_create("bad");
	tcase_add_loop_test(tc, test_bad, 0,
	    (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
	tcase_add_test(tc, test_not_duplicates);
	suite_add_tcase(s, tc);

	tc = tcase_create("lint");
	tcase_add_loop_test(tc, test_lint, 0,
	    (int)(sizeof(lint_cases) / sizeof(lint_cases[0])));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(route_suite());
}
