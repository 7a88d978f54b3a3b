/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * acl.h - client address lists: "deny" and "allow" lists of addresses,
 * networks and "all", parsed once when the configuration is loaded and
 * matched against a peer's address on each request without parsing or
 * allocating.
 *
 * An entry is one of:
 *   "all"               every client, whatever its address (even none)
 *   an IPv4 address     "192.0.2.1", one host (inet_pton(3)'s dotted quad:
 *                       no shorthand such as "10.1", no leading spaces)
 *   an IPv6 address     "2001:db8::1", one host (no brackets, no scope id)
 *   a network           "10.0.0.0/8", "2001:db8::/32": an address, '/' and
 *                       the prefix length in decimal digits (0..32 for
 *                       IPv4, 0..128 for IPv6; no sign, no spaces)
 * Nothing may come before or after.  Host bits set beyond the prefix
 * ("10.1.2.3/8") are ignored: the entry means its network (10.0.0.0/8),
 * as status-allow has always read it.
 *
 * IPv4-mapped IPv6 (RFC 4291 §2.5.5.2, ::ffff:a.b.c.d) is the address an
 * AF_INET6 socket shows for an IPv4 client, so it is that IPv4 client: a
 * v4-mapped peer matches IPv4 entries, a v4-mapped entry of /96 or longer
 * is the IPv4 one (::ffff:10.0.0.0/104 is 10.0.0.0/8, a bare
 * ::ffff:192.0.2.1 is 192.0.2.1), and every other IPv6 entry, ::/0 and
 * networks shorter than /96 that hold ::ffff:0:0/96 included, matches
 * IPv6 clients only, never an IPv4 one.
 */
#ifndef FORKHTTPD_ACL_H
#define FORKHTTPD_ACL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* One parsed entry. */
struct acl_net {
	int family;		/* AF_INET, AF_INET6, or AF_UNSPEC for "all" */
	unsigned char addr[16];	/* network order; bits past the prefix 0 */
	unsigned bits;		/* prefix length; 0 for "all" */
};

/*
 * Parses one entry (see above) into *out.  Returns false, leaving *out
 * unspecified, for anything else: "", a host name, "1.2.3", "10.0.0.0/33",
 * "::1/129", "10.0.0.1/8x", " 1.2.3.4", "All".
 */
bool acl_net_parse(const char *s, struct acl_net *out);

/*
 * Whether peer is in net.  A NULL peer, or one of a family other than
 * AF_INET and AF_INET6 (AF_UNIX), has no address: only "all" matches it.
 */
bool acl_net_match(const struct acl_net *net,
    const struct sockaddr_storage *peer);

enum acl_list {
	ACL_DENY,
	ACL_ALLOW
};

/*
 * deny, then allow (as nginx's and Apache's "deny, allow" orders): a
 * client in deny is refused; where allow is not empty, a client not in
 * it is refused; anyone else is let in.  So both empty lets everyone in,
 * allow = {"all"} with a deny list refuses only those it names, and
 * deny = {"all"} refuses everyone.  A zeroed struct acl is the empty one.
 */
struct acl {
	struct acl_net *deny;
	size_t ndeny;
	struct acl_net *allow;
	size_t nallow;
};

/*
 * Parses entry and appends it to the list which of acl.  0, or -1 with
 * errno EINVAL for an entry acl_net_parse() refuses (acl unchanged) or
 * ENOMEM.  Load time only: it allocates.
 */
int acl_add(struct acl *acl, enum acl_list which, const char *entry);

/*
 * Whether acl lets the client at peer in (the rule at struct acl).  A
 * peer without an address (NULL, AF_UNIX) cannot be shown to be outside
 * a deny list, so it is let in only when deny is empty and allow is
 * empty or holds "all".  Allocates nothing; linear in the entries.
 */
bool acl_permits(const struct acl *acl, const struct sockaddr_storage *peer);

/*
 * Makes *acl (empty) let in exactly the clients of list: allow = list,
 * or, for an empty list, deny = "all" (status-allow: nobody).  0, or -1
 * as acl_add() for a bad entry (acl then partly filled: acl_free() it).
 */
int acl_allow_only(struct acl *acl, char *const *list, size_t n);

/* Whether both lists are empty (every client is let in). */
bool acl_empty(const struct acl *acl);

/* Frees the lists and zeroes *acl; NULL or a zeroed acl is fine. */
void acl_free(struct acl *acl);

#endif
