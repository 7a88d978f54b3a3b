/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * route.c - the route table: exact paths in one hash, prefixes in
 * another keyed by the path without its trailing slash, regexes in a
 * list.  A prefix look-up walks the path's segment boundaries from the
 * longest to the shortest, so its cost follows the path, not the number
 * of routes.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "route.h"
#include "strtab.h"

struct route_entry {
	char *text;			/* the pattern as written */
	char *path;			/* exact and prefix: the path */
	size_t len;
	char lit[64];			/* regex: what every match starts */
	size_t litlen;			/* with (route_regex_literal()) */
	enum route_kind kind;
	int index;
	bool has_re;
	regex_t re;
};

/* The prefix routes of one key: "/p" (bare) and "/p/" (slash). */
struct route_prefix {
	int bare, slash;		/* entry numbers, or -1 */
};

struct route_table {
	struct route_entry *e;
	size_t n, cap;
	struct strtab *exact;		/* path -> entry */
	struct strtab *prefix;		/* key -> prefixes[] */
	struct route_prefix *prefixes;
	size_t nprefixes, capprefixes;
	int *regex;			/* entries, in the order added */
	size_t nregex;
};

struct route_table *
route_table_new(void)
{
	struct route_table *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->exact = strtab_new();
	t->prefix = strtab_new();
	if (t->exact == NULL || t->prefix == NULL) {
		route_table_free(t);
		return NULL;
	}
	return t;
}

/*
 * A path as the router hands them over: from '/', segments that are
 * neither empty (but for a trailing slash) nor "." nor "..", no control
 * characters, nothing that looks like a percent-escape.
 */
static const char *
route_path_problem(const char *p)
{
	if (p[0] != '/')
		return "a path starts with '/'";
	for (const char *s = p; *s != '\0'; s++) {
		const char *end;
		size_t n;

		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return "a control character in a path";
		if (*s == '%' && s[1] != '\0' && s[2] != '\0' &&
		    strchr("0123456789abcdefABCDEF", s[1]) != NULL &&
		    strchr("0123456789abcdefABCDEF", s[2]) != NULL)
			return "paths are matched decoded: write \"/a b\", not "
			    "\"/a%20b\"";
		if (*s != '/')
			continue;
		end = strchr(s + 1, '/');
		n = end != NULL ? (size_t)(end - s - 1) : strlen(s + 1);
		if ((n == 0 && end != NULL) || (n == 1 && s[1] == '.') ||
		    (n == 2 && s[1] == '.' && s[2] == '.'))
			return "a path never has empty, \".\" or \"..\" segments "
			    "(requests are normalised before matching)";
	}
	return NULL;
}

/* Splits "OP ARG" into its kind and argument; NULL for no known form. */
static const char *
route_parse(const char *pattern, enum route_kind *kind)
{
	static const struct {
		const char *op;
		enum route_kind kind;
	} ops[] = {
		{ "=", ROUTE_EXACT }, { "^~", ROUTE_PREFIX_FIRST },
		{ "~*", ROUTE_REGEX_NOCASE }, { "~", ROUTE_REGEX },
	};

	if (pattern[0] == '/') {
		*kind = ROUTE_PREFIX;
		return pattern;
	}
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t n = strlen(ops[i].op);
		const char *arg = pattern + n;

		if (strncmp(pattern, ops[i].op, n) != 0)
			continue;
		/* "=/p" and "^~/p" read well enough; a regex needs the
		 * space, or "~*x" would be ambiguous. */
		if (*arg != ' ' && *arg != '\t' &&
		    !(*arg == '/' && ops[i].kind <= ROUTE_PREFIX_FIRST))
			return NULL;
		while (*arg == ' ' || *arg == '\t')
			arg++;
		*kind = ops[i].kind;
		return *arg != '\0' ? arg : NULL;
	}
	return NULL;
}

static struct route_entry *
route_new_entry(struct route_table *t)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 8;
		struct route_entry *e = realloc(t->e, cap * sizeof(*e));

		if (e == NULL)
			return NULL;
		t->e = e;
		t->cap = cap;
	}
	memset(&t->e[t->n], 0, sizeof(t->e[0]));
	return &t->e[t->n];
}

static size_t route_regex_literal(const char *re, char *out, size_t cap);

static int
route_add_regex(struct route_table *t, struct route_entry *e,
    const char *re, char *err, size_t errlen)
{
	int flags = REG_EXTENDED | (e->kind == ROUTE_REGEX_NOCASE ?
	    REG_ICASE : 0);
	int rc = regcomp(&e->re, re, flags);
	int *list;

	if (rc != 0) {
		char msg[256];

		regerror(rc, &e->re, msg, sizeof(msg));
		snprintf(err, errlen, "bad regex \"%s\": %s", re, msg);
		return -1;
	}
	e->has_re = true;
	if (e->kind == ROUTE_REGEX)
		e->litlen = route_regex_literal(re, e->lit, sizeof(e->lit));
	if ((list = realloc(t->regex, (t->nregex + 1) * sizeof(*list))) ==
	    NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	t->regex = list;
	t->regex[t->nregex++] = (int)t->n;
	return 0;
}

static int
route_add_prefix(struct route_table *t, const struct route_entry *e,
    char *err, size_t errlen)
{
	bool slash = e->len > 0 && e->path[e->len - 1] == '/';
	size_t klen = slash ? e->len - 1 : e->len;
	int k = strtab_get(t->prefix, e->path, klen);
	int *slot;

	if (k < 0) {
		if (t->nprefixes == t->capprefixes) {
			size_t cap = t->capprefixes ? 2 * t->capprefixes : 8;
			struct route_prefix *p = realloc(t->prefixes,
			    cap * sizeof(*p));

			if (p == NULL)
				goto oom;
			t->prefixes = p;
			t->capprefixes = cap;
		}
		k = (int)t->nprefixes;
		if (strtab_put(t->prefix, e->path, klen, k) < 0)
			goto oom;
		t->prefixes[t->nprefixes++] = (struct route_prefix){ -1, -1 };
	}
	slot = slash ? &t->prefixes[k].slash : &t->prefixes[k].bare;
	if (*slot >= 0) {
		snprintf(err, errlen, "the prefix %s is routed twice (\"%s\" "
		    "and \"%s\")", e->path, t->e[*slot].text, e->text);
		return -1;
	}
	*slot = (int)t->n;
	return 0;
oom:
	snprintf(err, errlen, "out of memory");
	return -1;
}

int
route_table_add(struct route_table *t, const char *pattern, int index,
    char *err, size_t errlen)
{
	struct route_entry *e;
	enum route_kind kind;
	const char *arg = route_parse(pattern, &kind);
	const char *why;
	int rc;

	if (arg == NULL) {
		snprintf(err, errlen, "is not \"= /path\", \"/prefix\", "
		    "\"^~ /prefix\", \"~ regex\" or \"~* regex\"");
		return -1;
	}
	if (kind != ROUTE_REGEX && kind != ROUTE_REGEX_NOCASE &&
	    (why = route_path_problem(arg)) != NULL) {
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	if ((e = route_new_entry(t)) == NULL ||
	    (e->text = strdup(pattern)) == NULL ||
	    (e->path = strdup(arg)) == NULL) {
		if (e != NULL)
			free(e->text);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	e->len = strlen(arg);
	e->kind = kind;
	e->index = index;
	switch (kind) {
	case ROUTE_EXACT:
		rc = strtab_put(t->exact, e->path, e->len, (int)t->n);
		if (rc != 0)
			snprintf(err, errlen, rc > 0 ? "the path %s is routed "
			    "exactly twice" : "out of memory", e->path);
		break;
	case ROUTE_PREFIX:
	case ROUTE_PREFIX_FIRST:
		rc = route_add_prefix(t, e, err, errlen);
		break;
	default:
		rc = route_add_regex(t, e, arg, err, errlen);
		break;
	}
	if (rc != 0) {
		if (e->has_re)
			regfree(&e->re);
		free(e->text);
		free(e->path);
		return -1;
	}
	t->n++;
	return 0;
}

static void
route_found(const struct route_entry *e, size_t prefix_len,
    struct route_match *m)
{
	m->index = e->index;
	m->kind = e->kind;
	m->prefix_len = prefix_len;
}

/*
 * The longest "^~" and the longest plain prefix of path, walking its
 * segment boundaries from the end: the key before each '/' (and the
 * whole path) names a bare prefix; a '/' after it, a slash one too.
 */
static void
route_prefixes(const struct route_table *t, const char *path, size_t len,
    int *first, int *plain)
{
	*first = *plain = -1;
	if (strtab_count(t->prefix) == 0)
		return;
	for (size_t i = len + 1; i-- > 0;) {
		const struct route_prefix *p;
		int k, hit[2];

		if (i < len && path[i] != '/')
			continue;
		if ((k = strtab_get(t->prefix, path, i)) < 0)
			continue;
		p = &t->prefixes[k];
		/* "/p/" is the longer of the two, so it goes first. */
		hit[0] = i < len ? p->slash : -1;
		hit[1] = p->bare;
		for (int h = 0; h < 2; h++) {
			int *best;

			if (hit[h] < 0)
				continue;
			best = t->e[hit[h]].kind == ROUTE_PREFIX_FIRST ?
			    first : plain;
			if (*best < 0)
				*best = hit[h];
		}
		if (*first >= 0)
			return;
	}
}

bool
route_table_match(const struct route_table *t, const char *path, size_t len,
    struct route_match *m)
{
	int k, first, plain;

	memset(m, 0, sizeof(*m));
	m->index = -1;
	if ((k = strtab_get(t->exact, path, len)) >= 0) {
		route_found(&t->e[k], len, m);
		return true;
	}
	route_prefixes(t, path, len, &first, &plain);
	if (first >= 0) {
		route_found(&t->e[first], t->e[first].len, m);
		return true;
	}
	for (size_t r = 0; r < t->nregex; r++) {
		const struct route_entry *e = &t->e[t->regex[r]];

		/* A regex anchored on a literal cannot match a path that
		 * does not start with it: no regexec() for that. */
		if (e->litlen > 0 && (len < e->litlen ||
		    memcmp(path, e->lit, e->litlen) != 0))
			continue;
		if (regexec(&e->re, path, ROUTE_CAPTURES, m->cap, 0) == 0) {
			route_found(e, 0, m);
			return true;
		}
	}
	if (plain >= 0) {
		route_found(&t->e[plain], t->e[plain].len, m);
		return true;
	}
	m->index = -1;
	return false;
}

size_t
route_table_count(const struct route_table *t)
{
	return t != NULL ? t->n : 0;
}

/*
 * The text every match of an anchored regex starts with: from after its
 * '^' up to the first character with a meaning, less the last one when
 * a quantifier makes it optional.  "" when the regex is not anchored or
 * has an alternative ('|') that could start elsewhere.
 */
static size_t
route_regex_literal(const char *re, char *out, size_t cap)
{
	size_t n = 0;

	if (re[0] != '^' || strchr(re, '|') != NULL)
		return 0;
	for (re++; *re != '\0' && strchr(".[]()*+?{}|^$\\", *re) == NULL &&
	    n + 1 < cap; re++)
		out[n++] = *re;
	if (n > 0 && (*re == '*' || *re == '?' || *re == '{'))
		n--;
	out[n] = '\0';
	return n;
}

/* Whether every path starting with lit lies under the prefix e: "/p/"
 * takes whatever starts with it, "/p" only what goes on with a '/'. */
static bool
route_under(const struct route_entry *e, const char *lit, size_t n)
{
	if (n < e->len || memcmp(lit, e->path, e->len) != 0)
		return false;
	if (e->path[e->len - 1] == '/')
		return true;
	return n > e->len && lit[e->len] == '/';
}

static size_t
route_lint_regex(const struct route_table *t, size_t r,
    void (*warn)(void *, int, int, const char *), void *arg)
{
	const struct route_entry *e = &t->e[t->regex[r]];
	char lit[256];
	size_t n = 0, litlen = e->kind == ROUTE_REGEX ?
	    route_regex_literal(e->path, lit, sizeof(lit)) : 0;

	for (size_t q = 0; q < r; q++) {
		const struct route_entry *o = &t->e[t->regex[q]];

		if (o->kind == e->kind && strcmp(o->path, e->path) == 0) {
			warn(arg, e->index, o->index, "the same regex comes "
			    "earlier, so this one never wins");
			return 1;
		}
	}
	for (size_t i = 0; i < t->n; i++) {
		const struct route_entry *o = &t->e[i];

		if (o->kind == ROUTE_PREFIX_FIRST && litlen > 0 &&
		    route_under(o, lit, litlen)) {
			warn(arg, e->index, o->index, "every path it matches "
			    "lies under this \"^~\" prefix, which wins: it "
			    "never does");
			return n + 1;
		}
		if (o->kind == ROUTE_PREFIX &&
		    regexec(&e->re, o->path, 0, NULL, 0) == 0) {
			warn(arg, e->index, o->index, "it matches this prefix "
			    "route's own path, and regexes win over prefixes");
			n++;
		}
	}
	return n;
}

size_t
route_table_lint(const struct route_table *t,
    void (*warn)(void *arg, int a, int b, const char *why), void *arg)
{
	size_t n = 0;

	for (size_t r = 0; r < t->nregex; r++)
		n += route_lint_regex(t, r, warn, arg);
	return n;
}

void
route_table_free(struct route_table *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->n; i++) {
		if (t->e[i].has_re)
			regfree(&t->e[i].re);
		free(t->e[i].text);
		free(t->e[i].path);
	}
	free(t->e);
	free(t->regex);
	free(t->prefixes);
	strtab_free(t->exact);
	strtab_free(t->prefix);
	free(t);
}
