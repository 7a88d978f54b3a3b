/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * strtab.h - a table from byte strings to small integers, built when the
 * configuration is loaded and then only read: the names of the virtual
 * hosts, the exact and prefix paths of the routes.  Open addressing over
 * a power-of-two array kept at most half full, so that a look-up costs
 * one hash of the key and, on average, fewer than two compares.
 *
 * Keys are copied and compared byte for byte; callers fold case first
 * where it does not matter.  Pure: no I/O, nothing global.
 */
#ifndef FORKHTTPD_STRTAB_H
#define FORKHTTPD_STRTAB_H

#include <stddef.h>

struct strtab;

/* An empty table; NULL when memory runs out. */
struct strtab *strtab_new(void);

/*
 * Maps key[0..len) to value (>= 0).  Returns 0, 1 when the key was
 * there already (its value unchanged), or -1 when memory runs out.
 */
int strtab_put(struct strtab *t, const char *key, size_t len, int value);

/* The value of key[0..len), or -1. */
int strtab_get(const struct strtab *t, const char *key, size_t len);

/* How many keys the table holds. */
size_t strtab_count(const struct strtab *t);

void strtab_free(struct strtab *t);

#endif
