/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * acl.c - client address lists; see acl.h.
 *
 * inet_pton(3) does the address syntax (it refuses inet_aton's shorthand,
 * brackets, scope ids, spaces), so what is left here is the prefix length
 * and the v4-mapped rule.  A peer's address is taken out of its
 * sockaddr once per acl_permits() and compared as bytes; entries keep
 * their host bits cleared, so a match is a masked memcmp.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "acl.h"
#include "util.h"

/* An address of either family, v4-mapped ones as IPv4. */
struct acl_addr {
	int family;			/* AF_INET, AF_INET6; AF_UNSPEC: none */
	unsigned char a[16];		/* 4 bytes used for AF_INET */
};

static const unsigned char acl_v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0xff, 0xff };

static bool
acl_is_v4mapped(const unsigned char a[16])
{
	return memcmp(a, acl_v4mapped, sizeof(acl_v4mapped)) == 0;
}

/* Clears the bits of a (len bytes) past the first bits. */
static void
acl_mask(unsigned char *a, size_t len, unsigned bits)
{
	size_t whole = bits / 8;

	if (whole >= len)
		return;
	if (bits % 8 != 0)
		a[whole++] &= (unsigned char)(0xff << (8 - bits % 8));
	memset(a + whole, 0, len - whole);
}

bool
acl_net_parse(const char *s, struct acl_net *out)
{
	char host[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	size_t hl = slash != NULL ? (size_t)(slash - s) : strlen(s);
	unsigned maxbits;
	uint64_t b;

	memset(out, 0, sizeof(*out));
	if (strcmp(s, "all") == 0) {
		out->family = AF_UNSPEC;
		return true;
	}
	if (hl == 0 || hl >= sizeof(host))
		return false;
	memcpy(host, s, hl);
	host[hl] = '\0';
	if (inet_pton(AF_INET, host, out->addr) == 1) {
		out->family = AF_INET;
		maxbits = 32;
	} else if (inet_pton(AF_INET6, host, out->addr) == 1) {
		out->family = AF_INET6;
		maxbits = 128;
	} else {
		return false;
	}
	b = maxbits;
	if (slash != NULL && !util_parse_u64(slash + 1, strlen(slash + 1),
	    maxbits, &b))
		return false;
	out->bits = (unsigned)b;
	if (out->family == AF_INET6 && out->bits >= 96 &&
	    acl_is_v4mapped(out->addr)) {
		memmove(out->addr, out->addr + 12, 4);
		memset(out->addr + 4, 0, 12);
		out->family = AF_INET;
		out->bits -= 96;
	}
	acl_mask(out->addr, out->family == AF_INET ? 4 : 16, out->bits);
	return true;
}

/* The peer's address, a v4-mapped one as IPv4; AF_UNSPEC if it has none. */
static void
acl_peer_addr(const struct sockaddr_storage *peer, struct acl_addr *pa)
{
	memset(pa, 0, sizeof(*pa));
	pa->family = AF_UNSPEC;
	if (peer == NULL)
		return;
	if (peer->ss_family == AF_INET) {
		struct sockaddr_in sin;

		memcpy(&sin, peer, sizeof(sin));
		pa->family = AF_INET;
		memcpy(pa->a, &sin.sin_addr, 4);
	} else if (peer->ss_family == AF_INET6) {
		struct sockaddr_in6 sin6;

		memcpy(&sin6, peer, sizeof(sin6));
		if (acl_is_v4mapped(sin6.sin6_addr.s6_addr)) {
			pa->family = AF_INET;
			memcpy(pa->a, sin6.sin6_addr.s6_addr + 12, 4);
		} else {
			pa->family = AF_INET6;
			memcpy(pa->a, sin6.sin6_addr.s6_addr, 16);
		}
	}
}

static bool
acl_addr_in(const struct acl_net *net, const struct acl_addr *pa)
{
	unsigned whole = net->bits / 8, rest = net->bits % 8;
	unsigned char mask;

	if (net->family == AF_UNSPEC)
		return true;
	if (net->family != pa->family)
		return false;
	if (memcmp(net->addr, pa->a, whole) != 0)
		return false;
	if (rest == 0)
		return true;
	mask = (unsigned char)(0xff << (8 - rest));
	return (pa->a[whole] & mask) == net->addr[whole];
}

bool
acl_net_match(const struct acl_net *net, const struct sockaddr_storage *peer)
{
	struct acl_addr pa;

	acl_peer_addr(peer, &pa);
	return acl_addr_in(net, &pa);
}

static bool
acl_list_has(const struct acl_net *list, size_t n, const struct acl_addr *pa)
{
	for (size_t i = 0; i < n; i++)
		if (acl_addr_in(&list[i], pa))
			return true;
	return false;
}

bool
acl_permits(const struct acl *acl, const struct sockaddr_storage *peer)
{
	struct acl_addr pa;

	acl_peer_addr(peer, &pa);
	/* Without an address only "all" matches: fail closed on deny. */
	if (pa.family == AF_UNSPEC && acl->ndeny > 0)
		return false;
	if (acl_list_has(acl->deny, acl->ndeny, &pa))
		return false;
	return acl->nallow == 0 || acl_list_has(acl->allow, acl->nallow, &pa);
}

int
acl_add(struct acl *acl, enum acl_list which, const char *entry)
{
	struct acl_net net, **list, *grown;
	size_t *n;

	if (!acl_net_parse(entry, &net)) {
		errno = EINVAL;
		return -1;
	}
	list = which == ACL_DENY ? &acl->deny : &acl->allow;
	n = which == ACL_DENY ? &acl->ndeny : &acl->nallow;
	if (*n >= SIZE_MAX / sizeof(net) - 1) {
		errno = ENOMEM;
		return -1;
	}
	if ((grown = realloc(*list, (*n + 1) * sizeof(net))) == NULL)
		return -1;
	grown[(*n)++] = net;
	*list = grown;
	return 0;
}

int
acl_allow_only(struct acl *acl, char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (acl_add(acl, ACL_ALLOW, list[i]) < 0)
			return -1;
	return n == 0 ? acl_add(acl, ACL_DENY, "all") : 0;
}

bool
acl_empty(const struct acl *acl)
{
	return acl->ndeny == 0 && acl->nallow == 0;
}

void
acl_free(struct acl *acl)
{
	if (acl == NULL)
		return;
	free(acl->deny);
	free(acl->allow);
	memset(acl, 0, sizeof(*acl));
}
