/* SPDX-License-Identifier: BSD-2-Clause */
#include "autoconf.h"
/*
 * fuzz_acl.c - libFuzzer target for acl_net_parse() and acl_net_match().
 * The input is one entry as the conf file gives it (cut at the first
 * NUL, as a C string from libconfuse is).
 *
 * Besides the sanitizers' findings it aborts when the contract in acl.h
 * breaks: an accepted entry of another family than AF_INET, AF_INET6 or
 * AF_UNSPEC ("all", and nothing else), a prefix longer than its family's
 * address, a bit set past the prefix, a v4-mapped network of /96 or more
 * left as IPv6; a network that, written back as inet_ntop(3) "/bits",
 * does not parse to itself; or one that does not match its own address
 * as a peer (both as IPv4 and v4-mapped, for an IPv4 one).
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined \
 *       -fno-sanitize-recover=undefined -I. -Isrc \
 *       tests/fuzz/fuzz_acl.c src/acl.c src/util.c src/log.c -o fuzz_acl
 *   ./fuzz_acl -max_total_time=60 tests/fuzz/corpus/fuzz_acl
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const unsigned char fuzz_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0xff, 0xff };

/* No bit of addr (len bytes) is set past the first bits. */
static void
fuzz_check_host_bits(const unsigned char *addr, size_t len, unsigned bits)
{
	for (size_t i = 0; i < len; i++) {
		unsigned keep = bits >= 8 * (i + 1) ? 8 :
		    bits > 8 * i ? bits - 8 * (unsigned)i : 0;
		unsigned char mask = (unsigned char)(0xff00 >> keep);

		if ((addr[i] & ~mask) != 0)
			abort();
	}
}

/* The network's own address, as a peer, is in it. */
static void
fuzz_check_self(const struct acl_net *net)
{
	struct sockaddr_storage ss;
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;

	memset(&ss, 0, sizeof(ss));
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	if (net->family == AF_INET) {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		memcpy(&sin.sin_addr, net->addr, 4);
		memcpy(&ss, &sin, sizeof(sin));
		if (!acl_net_match(net, &ss))
			abort();
		memcpy(sin6.sin6_addr.s6_addr, fuzz_mapped, 12);
		memcpy(sin6.sin6_addr.s6_addr + 12, net->addr, 4);
	} else {
		memcpy(sin6.sin6_addr.s6_addr, net->addr, 16);
	}
	memcpy(&ss, &sin6, sizeof(sin6));
	/* A short v6 network holding ::ffff:0:0/96 is the one exception. */
	if (net->family == AF_INET6 && memcmp(net->addr, fuzz_mapped, 12) == 0)
		return;
	if (!acl_net_match(net, &ss))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), text[INET6_ADDRSTRLEN + 8];
	struct acl_net net, again;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (!acl_net_parse(s, &net)) {
		free(s);
		return 0;
	}
	if (net.family == AF_UNSPEC) {
		if (strcmp(s, "all") != 0 || net.bits != 0)
			abort();
	} else if (net.family == AF_INET) {
		if (net.bits > 32)
			abort();
		fuzz_check_host_bits(net.addr, 16, net.bits);
	} else if (net.family == AF_INET6) {
		if (net.bits > 128 || (net.bits >= 96 &&
		    memcmp(net.addr, fuzz_mapped, 12) == 0))
			abort();
		fuzz_check_host_bits(net.addr, 16, net.bits);
	} else {
		abort();
	}
	if (net.family != AF_UNSPEC) {
		if (inet_ntop(net.family, net.addr, text, INET6_ADDRSTRLEN) ==
		    NULL)
			abort();
		snprintf(text + strlen(text), 8, "/%u", net.bits);
		if (!acl_net_parse(text, &again) ||
		    memcmp(&net, &again, sizeof(net)) != 0)
			abort();
		fuzz_check_self(&net);
	}
	free(s);
	return 0;
}
