/* SPDX-License-Identifier: BSD-2-Clause */
#include "autoconf.h"
/*
 * fuzz_vhost.c - libFuzzer target for vhost_table_find(), which reads a
 * client's Host value, against a table of exact names, wildcards and an
 * IPv6 literal.  Besides the sanitizers' findings, it aborts when the
 * contract breaks: a server out of the table, "name" or "wildcard" not
 * matching the result, a result that changes with the case of the Host,
 * with a port or a trailing dot added, or with bytes after the slice.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined \
 *       -fno-sanitize-recover=undefined -I. -Isrc \
 *       tests/fuzz/fuzz_vhost.c src/vhost.c src/strtab.c -o fuzz_vhost
 *   ./fuzz_vhost -max_total_time=60 tests/fuzz/corpus/fuzz_vhost
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vhost.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = {
	"example.com", "www.example.com", "*.example.org", "*.b.example.org",
	"[::1]", "127.0.0.1", "*.a", "localhost",
};
#define NNAMES (int)(sizeof(names) / sizeof(names[0]))

static struct vhost_table *table;

static int
find(const char *host, size_t len, const char **how)
{
	int v = vhost_table_find(table, host, len, how);

	if (v < -1 || v >= NNAMES)
		abort();
	if ((v < 0) != (*how == NULL))
		abort();
	if (*how != NULL && strcmp(*how, "name") != 0 &&
	    strcmp(*how, "wildcard") != 0)
		abort();
	return v;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[VHOST_NAME_MAX * 2 + 16], up[sizeof(buf)];
	const char *how, *how2;
	int v, w;

	if (table == NULL) {
		char err[256];

		if ((table = vhost_table_new()) == NULL)
			abort();
		for (int i = 0; i < NNAMES; i++)
			if (vhost_table_add(table, names[i], i, err,
			    sizeof(err)) < 0)
				abort();
	}
	if (size > VHOST_NAME_MAX * 2)
		return 0;
	/* The slice: bytes after it are not read. */
	memcpy(buf, data, size);
	memset(buf + size, 'x', sizeof(buf) - size);
	v = find(buf, size, &how);
	if (find(size > 0 ? (const char *)data : NULL, size, &how2) != v)
		abort();
	/* Case does not count. */
	for (size_t i = 0; i < size; i++)
		up[i] = buf[i] >= 'a' && buf[i] <= 'z' ? (char)(buf[i] - 32) :
		    buf[i];
	if (find(up, size, &how2) != v)
		abort();
	/* Neither does a port after a name without one, nor a trailing
	 * dot before it, when the name has no ':' or ']' of its own. */
	if (size > 0 && memchr(buf, ':', size) == NULL &&
	    memchr(buf, '[', size) == NULL && buf[size - 1] != '.') {
		memcpy(up, buf, size);
		memcpy(up + size, ".:8080", 6);
		if (find(up, size + 6, &how2) != v)
			abort();
		if (find(up, size + 1, &how2) != v)
			abort();
	}
	return 0;
}
