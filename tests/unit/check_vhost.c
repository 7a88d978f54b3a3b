/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_vhost.c - which server a Host names, as tables: exact names,
 * case, a port, a trailing dot, IPv6 and IPv4 literals, wildcards at any
 * depth (never the bare domain), the longest wildcard winning, an exact
 * name beating a wildcard; the names refused and those given twice.
 */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>

#include <check.h>

#include "vhost.h"

#include "../lib/unit.h"

#define NAMES_MAX 6

/* names[i] belongs to server i. */
static struct vhost_table *
build(const char *const *names)
{
	struct vhost_table *t = vhost_table_new();
	char err[512];

	ck_assert_ptr_nonnull(t);
	for (int i = 0; i < NAMES_MAX && names[i] != NULL; i++)
		ck_assert_msg(vhost_table_add(t, names[i], i, err,
		    sizeof(err)) == 0, "\"%s\" refused: %s", names[i], err);
	return t;
}

static const struct find_case {
	const char *names[NAMES_MAX];
	const char *host;
	int want;
	const char *how;		/* "name", "wildcard", NULL */
	const char *note;
} find_cases[] = {
	{ { "example.com" }, "example.com", 0, "name", "exact" },
	{ { "a.com", "example.com" }, "example.com", 1, "name",
	    "exact, second server" },
	{ { "example.com" }, "EXAMPLE.Com", 0, "name", "Host case ignored" },
	{ { "Example.COM" }, "example.com", 0, "name", "name case ignored" },
	{ { "example.com" }, "example.com:8080", 0, "name", "a port" },
	{ { "example.com" }, "example.com:", 0, "name", "an empty port" },
	{ { "example.com" }, "example.com.", 0, "name", "a trailing dot" },
	{ { "example.com" }, "Example.COM.:8080", 0, "name",
	    "case, trailing dot and port together" },
	{ { "example.com." }, "example.com", 0, "name",
	    "a name written with a trailing dot" },
	{ { "example.com" }, "example.com..", -1, NULL, "two trailing dots" },
	{ { "example.com" }, "www.example.com", -1, NULL,
	    "an exact name is not a wildcard" },
	{ { "example.com" }, "xexample.com", -1, NULL, "a longer name" },
	{ { "example.com" }, "example.co", -1, NULL, "a shorter name" },
	{ { "example.com" }, "", -1, NULL, "no Host" },
	{ { "example.com" }, ":80", -1, NULL, "only a port" },
	{ { "127.0.0.1" }, "127.0.0.1:8080", 0, "name", "an IPv4 literal" },
	{ { "[::1]" }, "[::1]", 0, "name", "an IPv6 literal" },
	{ { "[::1]" }, "[::1]:8080", 0, "name", "an IPv6 literal and a port" },
	{ { "[2001:DB8::1]" }, "[2001:db8::1]:80", 0, "name",
	    "an IPv6 literal, case ignored" },
	{ { "[::1]" }, "[::1", -1, NULL, "an unclosed IPv6 literal" },
	{ { "[::1]" }, "::1", -1, NULL, "an IPv6 address needs brackets" },
	/* wildcards */
	{ { "*.example.org" }, "a.example.org", 0, "wildcard", "wildcard" },
	{ { "*.example.org" }, "a.b.c.example.org", 0, "wildcard",
	    "wildcard, any depth" },
	{ { "*.example.org" }, "A.Example.ORG.:81", 0, "wildcard",
	    "wildcard, case, dot and port" },
	{ { "*.example.org" }, "example.org", -1, NULL,
	    "a wildcard is not the domain itself" },
	{ { "*.example.org" }, ".example.org", -1, NULL,
	    "nor a name with an empty first label" },
	{ { "*.example.org" }, "aexample.org", -1, NULL,
	    "a wildcard starts at a dot" },
	{ { "*.example.org" }, "a.example.org.evil", -1, NULL,
	    "a wildcard is a suffix" },
	{ { "*.example.org", "*.b.example.org" }, "a.b.example.org", 1,
	    "wildcard", "the longest wildcard" },
	{ { "*.b.example.org", "*.example.org" }, "a.b.example.org", 0,
	    "wildcard", "the longest wildcard, whatever the order" },
	{ { "*.example.org", "*.b.example.org" }, "x.y.b.example.org", 1,
	    "wildcard", "the longest wildcard, deeper" },
	{ { "*.example.org", "*.b.example.org" }, "b.example.org", 0,
	    "wildcard", "*.b.example.org is not b.example.org" },
	{ { "*.example.org", "*.b.example.org" }, "a.c.example.org", 0,
	    "wildcard", "the shorter wildcard where the longer fails" },
	{ { "*.example.org", "www.example.org" }, "www.example.org", 1,
	    "name", "exact beats wildcard" },
	{ { "www.example.org", "*.example.org" }, "WWW.example.org.", 0,
	    "name", "exact beats wildcard, whatever the order" },
	{ { "www.example.org", "*.example.org" }, "ww.example.org", 1,
	    "wildcard", "the wildcard for the other names" },
	{ { "example.org", "*.example.org" }, "example.org", 0, "name",
	    "the domain and its wildcard side by side" },
	{ { "a.com" }, NULL, -1, NULL, "a Host longer than any name" },
};

START_TEST(test_find)
{
	const struct find_case *fc = &find_cases[_i];
	struct vhost_table *t = build(fc->names);
	char longhost[VHOST_NAME_MAX + 40];
	const char *host = fc->host, *how = "unset";
	int got;

	if (host == NULL) {
		memset(longhost, 'a', sizeof(longhost) - 7);
		memcpy(longhost + sizeof(longhost) - 7, ".a.com", 7);
		host = longhost;
	}
	got = vhost_table_find(t, host, strlen(host), &how);
	ck_assert_msg(got == fc->want, "%s: \"%s\": server %d, want %d",
	    fc->note, host, got, fc->want);
	if (fc->how == NULL)
		ck_assert_msg(how == NULL, "%s: how \"%s\"", fc->note, how);
	else
		ck_assert_msg(how != NULL && strcmp(how, fc->how) == 0,
		    "%s: how \"%s\", want \"%s\"", fc->note, how ? how :
		    "(null)", fc->how);
	vhost_table_free(t);
}
END_TEST

/* The Host is a slice: bytes past len do not count. */
START_TEST(test_find_slice)
{
	const char *names[] = { "a.com", NULL };
	struct vhost_table *t = build(names);
	const char *how;

	ck_assert_int_eq(vhost_table_find(t, "a.comX", 5, &how), 0);
	ck_assert_int_eq(vhost_table_find(t, "a.com", 4, &how), -1);
	ck_assert_int_eq(vhost_table_find(NULL, "a.com", 5, &how), -1);
	/* A request without Host: its slice is (NULL, 0). */
	ck_assert_int_eq(vhost_table_find(t, NULL, 0, &how), -1);
	ck_assert_ptr_null(how);
	ck_assert_int_eq(vhost_table_find(NULL, NULL, 0, &how), -1);
	ck_assert_ptr_null(how);
	vhost_table_free(t);
	vhost_table_free(NULL);
}
END_TEST

static const struct bad_case {
	const char *before;		/* added first (server 0), or NULL */
	const char *name;
	const char *want;		/* in the message */
} bad_cases[] = {
	{ NULL, "", "is not a host name" },
	{ NULL, ".", "is not a host name" },
	{ NULL, "*", "is not a host name" },
	{ NULL, "*.", "is not a host name" },
	{ NULL, "*example.org", "a wildcard is \"*.\" then a domain" },
	{ NULL, "a.*.org", "a wildcard is \"*.\" then a domain" },
	{ NULL, "*.*.org", "a wildcard is \"*.\" then a domain" },
	{ NULL, "www.example.*", "a wildcard" },
	{ NULL, "ex ample.com", "is not a host name" },
	{ NULL, "a/b", "is not a host name" },
	{ NULL, "example.com:80", "no port" },
	{ NULL, "http://example.com", "is not a host name" },
	{ NULL, "[::1]:80", "is not a host name" },
	{ NULL, "[::1", "is not a host name" },
	{ NULL, "[", "is not a host name" },
	{ NULL, "[zz]", "is not a host name" },
	{ NULL, "[example.com]", "is not a host name" },
	{ NULL, "exa\x01mple.com", "is not a host name" },
	{ NULL, NULL, "at most 255 characters" },	/* 256 of them */
	/* given twice */
	{ "a.com", "a.com", "the name \"a.com\" is given to two servers" },
	{ "a.com", "A.COM", "given to two servers" },
	{ "a.com", "a.com.", "given to two servers" },
	{ "*.a.com", "*.A.com", "given to two servers" },
	{ "[::1]", "[::1]", "given to two servers" },
};

START_TEST(test_bad)
{
	const struct bad_case *bc = &bad_cases[_i];
	struct vhost_table *t = vhost_table_new();
	char name[VHOST_NAME_MAX + 2], err[512];
	const char *n = bc->name, *how;

	if (n == NULL) {
		memset(name, 'a', sizeof(name) - 1);
		name[sizeof(name) - 1] = '\0';
		n = name;
	}
	if (bc->before != NULL)
		ck_assert_int_eq(vhost_table_add(t, bc->before, 0, err,
		    sizeof(err)), 0);
	err[0] = '\0';
	ck_assert_msg(vhost_table_add(t, n, 1, err, sizeof(err)) == -1,
	    "\"%s\" accepted", n);
	ck_assert_msg(strstr(err, bc->want) != NULL, "\"%s\": \"%s\" lacks "
	    "\"%s\"", n, err, bc->want);
	/* A name given twice still names the first server. */
	if (bc->before != NULL && bc->before[0] != '*')
		ck_assert_int_eq(vhost_table_find(t, bc->before,
		    strlen(bc->before), &how), 0);
	vhost_table_free(t);
}
END_TEST

/* The longest name there is, and names that look odd but are fine. */
START_TEST(test_good_names)
{
	const char *names[] = {
		"under_score.example", "xn--bcher-kva.example", "a-b.c-d",
		"*.a", "localhost", NULL
	};
	struct vhost_table *t = build(names);
	char name[VHOST_NAME_MAX + 1], err[256];
	const char *how;

	memset(name, 'b', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	ck_assert_msg(vhost_table_add(t, name, 9, err, sizeof(err)) == 0,
	    "%s", err);
	ck_assert_int_eq(vhost_table_find(t, name, strlen(name), &how), 9);
	ck_assert_int_eq(vhost_table_find(t, "x.a", 3, &how), 3);
	ck_assert_int_eq(vhost_table_find(t, "LOCALHOST:80", 12, &how), 4);
	vhost_table_free(t);
}
END_TEST

static Suite *
vhost_suite(void)
{
	Suite *s = suite_create("vhost");
	TCase *tc;

	tc = tcase_create("find");
	tcase_add_loop_test(tc, test_find, 0,
	    (int)(sizeof(find_cases) / sizeof(find_cases[0])));
	tcase_add_test(tc, test_find_slice);
	suite_add_tcase(s, tc);

	tc = tcase_create("add");
	tcase_add_loop_test(tc, test_bad, 0,
	    (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
	tcase_add_test(tc, test_good_names);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(vhost_suite());
}
