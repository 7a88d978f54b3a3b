/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_acl.c - acl.c: entries parsed (every accepted form, what it
 * means once parsed, and the bad ones), one entry against peers (IPv4,
 * IPv6, v4-mapped, prefixes on and off byte boundaries, /0, /32, /128,
 * "all", peers without an address), and whole lists: deny before allow,
 * empty lists, and a bad entry that leaves a list as it was.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "acl.h"

#include "../lib/unit.h"

#define ROWS(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ------------------------------------------------------------------ */
/* acl_net_parse */

static const struct {
	const char *s;
	bool ok;
	int family;		/* what it parses to */
	const char *addr;	/* the network, as inet_ntop() writes it */
	unsigned bits;
	const char *note;
} parse_cases[] = {
	{ "all", true, AF_UNSPEC, NULL, 0, "everyone" },
	{ "127.0.0.1", true, AF_INET, "127.0.0.1", 32,
	    "an IPv4 address is one host" },
	{ "::1", true, AF_INET6, "::1", 128, "an IPv6 address is one host" },
	{ "10.0.0.0/8", true, AF_INET, "10.0.0.0", 8, "IPv4 network" },
	{ "2001:db8::/32", true, AF_INET6, "2001:db8::", 32, "IPv6 network" },
	{ "0.0.0.0/0", true, AF_INET, "0.0.0.0", 0, "IPv4 /0" },
	{ "::/0", true, AF_INET6, "::", 0, "IPv6 /0" },
	{ "192.0.2.1/32", true, AF_INET, "192.0.2.1", 32, "IPv4 /32" },
	{ "2001:db8::1/128", true, AF_INET6, "2001:db8::1", 128,
	    "IPv6 /128" },
	{ "10.1.2.3/8", true, AF_INET, "10.0.0.0", 8,
	    "host bits past the prefix are ignored (cleared)" },
	{ "255.255.255.255/7", true, AF_INET, "254.0.0.0", 7,
	    "odd prefix: the 8th bit cleared" },
	{ "2001:db8:ffff::/33", true, AF_INET6, "2001:db8:8000::", 33,
	    "IPv6 /33: bits past it cleared" },
	{ "10.0.0.0/08", true, AF_INET, "10.0.0.0", 8,
	    "a leading zero in the bits" },
	{ "::ffff:192.0.2.1", true, AF_INET, "192.0.2.1", 32,
	    "v4-mapped address is the IPv4 one" },
	{ "::ffff:10.0.0.0/104", true, AF_INET, "10.0.0.0", 8,
	    "v4-mapped /104 is IPv4 /8" },
	{ "::ffff:0:0/96", true, AF_INET, "0.0.0.0", 0,
	    "the v4-mapped /96 is all of IPv4" },
	{ "::ffff:0:0/95", true, AF_INET6, "::fffe:0:0", 95,
	    "shorter than /96: stays IPv6" },
	/* Refused. */
	{ "10.0.0.0/33", false, 0, NULL, 0, "IPv4 bits above 32" },
	{ "::/33", true, AF_INET6, "::", 33, "IPv6 /33 is fine" },
	{ "::1/129", false, 0, NULL, 0, "IPv6 bits above 128" },
	{ "1.2.3", false, 0, NULL, 0, "three octets" },
	{ "10.1", false, 0, NULL, 0, "inet_aton shorthand" },
	{ "10.0.0.1/8x", false, 0, NULL, 0, "junk after the bits" },
	{ "", false, 0, NULL, 0, "empty" },
	{ " 1.2.3.4", false, 0, NULL, 0, "a leading space" },
	{ "1.2.3.4 ", false, 0, NULL, 0, "a trailing space" },
	{ "1.2.3.4/", false, 0, NULL, 0, "a slash without bits" },
	{ "/8", false, 0, NULL, 0, "bits without an address" },
	{ "1.2.3.4/+8", false, 0, NULL, 0, "a sign" },
	{ "1.2.3.4/-0", false, 0, NULL, 0, "a negative zero" },
	{ "1.2.3.4/ 8", false, 0, NULL, 0, "a space before the bits" },
	{ "1.2.3.4/8/8", false, 0, NULL, 0, "two slashes" },
	{ "1.2.3.4/99999999999999999999", false, 0, NULL, 0,
	    "bits overflowing 64 bits" },
	{ "1.2.3.4:80", false, 0, NULL, 0, "a port" },
	{ "[::1]", false, 0, NULL, 0, "brackets" },
	{ "fe80::1%eth0", false, 0, NULL, 0, "a scope id" },
	{ "localhost", false, 0, NULL, 0, "names are not resolved" },
	{ "All", false, 0, NULL, 0, "\"all\" is lower case" },
	{ "all/0", false, 0, NULL, 0, "\"all\" takes no bits" },
	{ "all ", false, 0, NULL, 0, "\"all\" and a space" },
	{ "0000:0000:0000:0000:0000:0000:0000:0000:0000/1", false, 0, NULL, 0,
	    "longer than any address" },
};

START_TEST(test_parse)
{
	struct acl_net net;
	char text[INET6_ADDRSTRLEN];
	bool got = acl_net_parse(parse_cases[_i].s, &net);

	ck_assert_msg(got == parse_cases[_i].ok, "\"%s\" (%s): %s",
	    parse_cases[_i].s, parse_cases[_i].note,
	    got ? "accepted" : "refused");
	if (!got)
		return;
	ck_assert_int_eq(net.family, parse_cases[_i].family);
	ck_assert_uint_eq(net.bits, parse_cases[_i].bits);
	if (net.family == AF_UNSPEC)
		return;
	ck_assert_ptr_nonnull(inet_ntop(net.family, net.addr, text,
	    sizeof(text)));
	ck_assert_msg(strcmp(text, parse_cases[_i].addr) == 0,
	    "\"%s\" (%s): %s, want %s", parse_cases[_i].s,
	    parse_cases[_i].note, text, parse_cases[_i].addr);
}
END_TEST

/* ------------------------------------------------------------------ */
/* acl_net_match */

static const struct {
	const char *entry;
	const char *peer;
	bool match;
	const char *note;
} match_cases[] = {
	{ "127.0.0.1", "v4:127.0.0.1", true, "v4 address" },
	{ "127.0.0.1", "v4:127.0.0.2", false, "an address is a /32" },
	{ "127.0.0.1", "v6:::ffff:127.0.0.1", true,
	    "RFC 4291 2.5.5.2: a v4-mapped peer is its IPv4 address" },
	{ "127.0.0.1", "v6:::7f00:1", false,
	    "IPv4-compatible ::127.0.0.1 is not v4-mapped" },
	{ "::1", "v6:::1", true, "v6 address" },
	{ "::1", "v4:127.0.0.1", false, "v6 loopback is not v4 loopback" },
	{ "10.0.0.0/8", "v4:10.255.255.255", true, "/8 last" },
	{ "10.0.0.0/8", "v4:11.0.0.0", false, "/8 next" },
	{ "10.0.0.0/8", "v6:::ffff:10.1.2.3", true, "/8, v4-mapped peer" },
	{ "172.16.0.0/12", "v4:172.31.255.255", true, "/12 last inside" },
	{ "172.16.0.0/12", "v4:172.32.0.0", false, "/12 first outside" },
	{ "172.16.0.0/12", "v4:172.15.255.255", false, "/12 last before" },
	{ "254.0.0.0/7", "v4:255.1.2.3", true, "/7 inside" },
	{ "254.0.0.0/7", "v4:253.255.255.255", false, "/7 outside" },
	{ "10.1.2.3/8", "v4:10.9.9.9", true, "host bits ignored" },
	{ "203.0.113.7/32", "v4:203.0.113.7", true, "/32 exact" },
	{ "203.0.113.7/32", "v4:203.0.113.6", false, "/32 off by one" },
	{ "203.0.113.7/31", "v4:203.0.113.6", true, "/31 pair" },
	{ "0.0.0.0/0", "v4:198.51.100.9", true, "v4 /0" },
	{ "0.0.0.0/0", "v6:::ffff:1.2.3.4", true, "v4 /0, mapped peer" },
	{ "0.0.0.0/0", "v6:2001:db8::1", false, "v4 /0 is IPv4 only" },
	{ "::/0", "v6:2001:db8::1", true, "v6 /0" },
	{ "::/0", "v4:1.2.3.4", false, "v6 /0 is IPv6 only" },
	{ "::/0", "v6:::ffff:1.2.3.4", false,
	    "v6 /0: a mapped peer is IPv4" },
	{ "2001:db8::/33", "v6:2001:db8:7fff:ffff::1", true, "/33 inside" },
	{ "2001:db8::/33", "v6:2001:db8:8000::", false, "/33 outside" },
	{ "2001:db8::/32", "v6:2001:db9::", false, "/32 next" },
	{ "2001:db8::1/128", "v6:2001:db8::1", true, "/128 exact" },
	{ "2001:db8::1/128", "v6:2001:db8::", false, "/128 off by one" },
	{ "fe80::/10", "v6:febf:ffff::1", true, "/10 last" },
	{ "fe80::/10", "v6:fec0::1", false, "/10 next" },
	{ "::ffff:10.0.0.0/104", "v4:10.2.3.4", true,
	    "mapped /104 entry, v4 peer" },
	{ "::ffff:10.0.0.0/104", "v6:::ffff:10.2.3.4", true,
	    "mapped /104 entry, mapped peer" },
	{ "::ffff:10.0.0.0/104", "v4:11.2.3.4", false, "mapped /104 outside" },
	{ "::ffff:0:0/96", "v4:8.8.8.8", true, "mapped /96: all of IPv4" },
	{ "::ffff:0:0/96", "v6:2001:db8::1", false, "mapped /96: not IPv6" },
	{ "all", "v4:198.51.100.1", true, "all, v4" },
	{ "all", "v6:2001:db8::1", true, "all, v6" },
	{ "all", "unix", true, "all, AF_UNIX" },
	{ "all", "none", true, "all, no peer" },
	{ "0.0.0.0/0", "unix", false, "AF_UNIX has no address" },
	{ "::/0", "none", false, "no peer has no address" },
};

START_TEST(test_match)
{
	struct sockaddr_storage ss;
	const struct sockaddr_storage *peer;
	struct acl_net net;

	ck_assert(acl_net_parse(match_cases[_i].entry, &net));
	peer = unit_peer(&ss, match_cases[_i].peer);
	ck_assert_msg(acl_net_match(&net, peer) == match_cases[_i].match,
	    "%s against %s (%s): want %s", match_cases[_i].entry,
	    match_cases[_i].peer, match_cases[_i].note,
	    match_cases[_i].match ? "a match" : "no match");
}
END_TEST

/* ------------------------------------------------------------------ */
/* acl_add, acl_permits */

#define LIST_MAX 4

static const struct {
	const char *deny[LIST_MAX];	/* NULL-terminated */
	const char *allow[LIST_MAX];
	const char *peer;
	bool ok;
	const char *note;
} permit_cases[] = {
	{ { NULL }, { NULL }, "v4:192.0.2.1", true, "both empty: everyone" },
	{ { NULL }, { NULL }, "none", true, "both empty: even no peer" },
	{ { NULL }, { NULL }, "unix", true, "both empty: even AF_UNIX" },
	{ { "10.0.0.0/8" }, { NULL }, "v4:10.1.1.1", false, "denied" },
	{ { "10.0.0.0/8" }, { NULL }, "v4:192.0.2.1", true,
	    "not denied, no allow list" },
	{ { "10.0.0.0/8" }, { NULL }, "v6:::ffff:10.1.1.1", false,
	    "denied as v4-mapped" },
	{ { NULL }, { "10.0.0.0/8", "::1" }, "v4:10.1.1.1", true, "allowed" },
	{ { NULL }, { "10.0.0.0/8", "::1" }, "v6:::1", true,
	    "allowed, second entry" },
	{ { NULL }, { "10.0.0.0/8", "::1" }, "v4:192.0.2.1", false,
	    "not in a non-empty allow list" },
	{ { "10.0.0.1" }, { "10.0.0.0/8" }, "v4:10.0.0.1", false,
	    "deny before allow: the denied host inside an allowed network" },
	{ { "10.0.0.1" }, { "10.0.0.0/8" }, "v4:10.0.0.2", true,
	    "its neighbour is allowed" },
	{ { "10.0.0.1" }, { "10.0.0.0/8" }, "v4:11.0.0.1", false,
	    "outside both: not allowed" },
	{ { "10.0.0.0/8" }, { "10.0.0.1" }, "v4:10.0.0.1", false,
	    "deny wins whatever is more specific" },
	{ { "192.0.2.0/24" }, { "all" }, "v4:198.51.100.1", true,
	    "allow all with a deny list: everyone else" },
	{ { "192.0.2.0/24" }, { "all" }, "v4:192.0.2.200", false,
	    "allow all does not undo a deny" },
	{ { "all" }, { "127.0.0.1" }, "v4:127.0.0.1", false,
	    "deny all: nobody, allow is never reached" },
	{ { "all" }, { NULL }, "none", false, "deny all, no peer" },
	{ { NULL }, { "all" }, "none", true, "allow all, no peer" },
	{ { NULL }, { "all" }, "unix", true, "allow all, AF_UNIX" },
	{ { NULL }, { "0.0.0.0/0", "::/0" }, "none", false,
	    "allow every address, but no peer has none" },
	{ { "192.0.2.1" }, { NULL }, "none", false,
	    "no peer cannot be shown outside a deny list" },
	{ { "192.0.2.1" }, { "all" }, "unix", false,
	    "AF_UNIX against a deny list: refused" },
	{ { "::/0" }, { NULL }, "v4:1.2.3.4", true,
	    "deny all of IPv6 leaves IPv4" },
	{ { "::/0" }, { NULL }, "v6:::ffff:1.2.3.4", true,
	    "... and v4-mapped IPv4" },
	{ { "0.0.0.0/0" }, { NULL }, "v6:::ffff:1.2.3.4", false,
	    "deny all of IPv4 takes v4-mapped too" },
	{ { "0.0.0.0/0" }, { NULL }, "v6:2001:db8::1", true,
	    "deny all of IPv4 leaves IPv6" },
};

static void
add_all(struct acl *acl, enum acl_list which, const char *const *list)
{
	for (size_t i = 0; i < LIST_MAX && list[i] != NULL; i++)
		ck_assert_msg(acl_add(acl, which, list[i]) == 0, "\"%s\"",
		    list[i]);
}

START_TEST(test_permits)
{
	struct sockaddr_storage ss;
	const struct sockaddr_storage *peer;
	struct acl acl;

	memset(&acl, 0, sizeof(acl));
	add_all(&acl, ACL_DENY, permit_cases[_i].deny);
	add_all(&acl, ACL_ALLOW, permit_cases[_i].allow);
	peer = unit_peer(&ss, permit_cases[_i].peer);
	ck_assert_msg(acl_permits(&acl, peer) == permit_cases[_i].ok,
	    "%s (peer %s): want %s", permit_cases[_i].note,
	    permit_cases[_i].peer, permit_cases[_i].ok ? "let in" : "refused");
	acl_free(&acl);
	ck_assert(acl.deny == NULL && acl.allow == NULL);
	ck_assert(acl_empty(&acl));
}
END_TEST

/* The entries the brief names as bad, and a few more, through acl_add. */
static const char *const bad_entries[] = {
	"10.0.0.0/33", "1.2.3", "::1/129", "10.0.0.1/8x", "", " 1.2.3.4",
	"all 10.0.0.0/8", "10.0.0.0/8,10.1.0.0/16", "*",
};

START_TEST(test_add_bad)
{
	struct sockaddr_storage ss;
	struct acl acl;

	memset(&acl, 0, sizeof(acl));
	ck_assert_int_eq(acl_add(&acl, ACL_ALLOW, "127.0.0.1"), 0);
	errno = 0;
	ck_assert_int_eq(acl_add(&acl, ACL_ALLOW, bad_entries[_i]), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(acl_add(&acl, ACL_DENY, bad_entries[_i]), -1);
	ck_assert_int_eq(errno, EINVAL);
	/* The lists are as they were. */
	ck_assert_uint_eq(acl.nallow, 1);
	ck_assert_uint_eq(acl.ndeny, 0);
	ck_assert(acl_permits(&acl, unit_peer(&ss, "v4:127.0.0.1")));
	ck_assert(!acl_permits(&acl, unit_peer(&ss, "v4:127.0.0.2")));
	acl_free(&acl);
}
END_TEST

/* Many entries: the list grows, every entry is kept, in order. */
START_TEST(test_add_many)
{
	struct sockaddr_storage ss;
	struct acl acl;
	char entry[32];

	memset(&acl, 0, sizeof(acl));
	for (unsigned i = 0; i < 1000; i++) {
		snprintf(entry, sizeof(entry), "10.%u.%u.0/24", i / 256,
		    i % 256);
		ck_assert_int_eq(acl_add(&acl, ACL_ALLOW, entry), 0);
	}
	ck_assert_uint_eq(acl.nallow, 1000);
	ck_assert(!acl_empty(&acl));
	ck_assert(acl_permits(&acl, unit_peer(&ss, "v4:10.3.231.77")));
	ck_assert(!acl_permits(&acl, unit_peer(&ss, "v4:10.3.232.1")));
	acl_free(&acl);
	acl_free(&acl);		/* twice: a zeroed acl is fine */
	acl_free(NULL);
}
END_TEST

static Suite *
acl_suite(void)
{
	Suite *s = suite_create("acl");
	TCase *tc;

	tc = tcase_create("parse");
	tcase_add_loop_test(tc, test_parse, 0, ROWS(parse_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("match");
	tcase_add_loop_test(tc, test_match, 0, ROWS(match_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("lists");
	tcase_add_loop_test(tc, test_permits, 0, ROWS(permit_cases));
	tcase_add_loop_test(tc, test_add_bad, 0, ROWS(bad_entries));
	tcase_add_test(tc, test_add_many);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(acl_suite());
}
