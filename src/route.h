/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * route.h - the routes of one server: which of them answers a path.
 *
 * Patterns, as `route "PATTERN"` writes them:
 *   "= /p"      exact: the path is /p;
 *   "/p"        prefix, on segment boundaries: /p and /p/..., never /px;
 *               "/p/" (with the slash) is /p/ and /p/..., not /p;
 *   "^~ /p"     a prefix that, when it is the longest such, wins over the
 *               regexes;
 *   "~ RE"      a POSIX extended regex (regcomp(3)), case-sensitive;
 *   "~* RE"     the same, ignoring case.
 * Precedence: an exact route, then the longest "^~" prefix, then the
 * regexes in the order added, then the longest prefix.
 *
 * Paths are matched as the router hands them over: decoded and
 * normalised (no "." or ".." segments, no empty ones, no escapes).  The
 * paths in patterns are written the same way, and a pattern that is not
 * is refused, since it could never match.
 *
 * The table is built when the configuration is loaded and then only
 * read: a look-up costs one hash probe for the exact routes, one per
 * segment of the path for the prefixes (however many routes there are),
 * and one regexec() per regex route until one matches (none for a regex
 * anchored on a literal the path does not start with).
 */
#ifndef FORKHTTPD_ROUTE_H
#define FORKHTTPD_ROUTE_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

enum route_kind {
	ROUTE_EXACT,
	ROUTE_PREFIX,
	ROUTE_PREFIX_FIRST,		/* "^~" */
	ROUTE_REGEX,
	ROUTE_REGEX_NOCASE		/* "~*" */
};

/* $0 (the whole match) and $1..$9. */
#define ROUTE_CAPTURES 10

struct route_match {
	int index;			/* the caller's, from route_table_add() */
	enum route_kind kind;
	/* Prefix routes: bytes of the path the pattern covers, its slash
	 * included ("/p/" on "/p/x": 3); exact: the whole path; regex: 0. */
	size_t prefix_len;
	/* Regex routes: the groups (rm_so -1: did not take part). */
	regmatch_t cap[ROUTE_CAPTURES];
};

struct route_table;

struct route_table *route_table_new(void);

/*
 * Adds pattern (above) as route index (>= 0).  Returns 0, or -1 with a
 * message in err: a pattern of no known form, a path that is not
 * normalised, a regex regcomp() refuses, or a path already routed (the
 * same exact path, or the same prefix, twice).
 */
int route_table_add(struct route_table *t, const char *pattern, int index,
    char *err, size_t errlen);

/* The route for path (NUL-terminated, normalised); false when none. */
bool route_table_match(const struct route_table *t, const char *path,
    size_t len, struct route_match *m);

/* How many routes the table holds. */
size_t route_table_count(const struct route_table *t);

/*
 * Calls warn for each route that cannot win, or takes requests a prefix
 * route was written for: a regex routed twice, a regex whose every match
 * lies under a "^~" prefix (that prefix always wins), and a regex that
 * matches a prefix route's own path (an exact route always wins, so
 * none takes its path).  a is the route warned
 * about, b the other one.  Returns how many warnings were given.
 */
size_t route_table_lint(const struct route_table *t,
    void (*warn)(void *arg, int a, int b, const char *why), void *arg);

void route_table_free(struct route_table *t);

#endif
