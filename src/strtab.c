/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * strtab.c - string-keyed open addressing with linear probing.
 *
 * FNV-1a is enough: the keys come from the administrator's file, not
 * from clients, so nobody chooses them to collide; a look-up with a
 * client's string can at worst probe the run it hashes into, which the
 * half-full bound keeps short.
 */
#include "autoconf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strtab.h"

struct strtab_slot {
	char *key;		/* NULL: free */
	size_t len;
	uint32_t hash;
	int value;
};

struct strtab {
	struct strtab_slot *slot;
	size_t cap;		/* a power of two */
	size_t n;
};

#define STRTAB_FIRST 16

static uint32_t
strtab_hash(const char *key, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)key[i];
		h *= 16777619u;
	}
	return h;
}

struct strtab *
strtab_new(void)
{
	struct strtab *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	if ((t->slot = calloc(STRTAB_FIRST, sizeof(*t->slot))) == NULL) {
		free(t);
		return NULL;
	}
	t->cap = STRTAB_FIRST;
	return t;
}

/* The slot holding key, or the free slot where it would go. */
static struct strtab_slot *
strtab_find(const struct strtab_slot *slot, size_t cap, const char *key,
    size_t len, uint32_t hash)
{
	size_t i = hash & (cap - 1);

	for (;;) {
		const struct strtab_slot *s = &slot[i];

		if (s->key == NULL || (s->hash == hash && s->len == len &&
		    memcmp(s->key, key, len) == 0))
			return (struct strtab_slot *)s;
		i = (i + 1) & (cap - 1);
	}
}

static int
strtab_grow(struct strtab *t)
{
	size_t cap = t->cap * 2;
	struct strtab_slot *slot = calloc(cap, sizeof(*slot));

	if (slot == NULL)
		return -1;
	for (size_t i = 0; i < t->cap; i++) {
		const struct strtab_slot *s = &t->slot[i];

		if (s->key != NULL)
			*strtab_find(slot, cap, s->key, s->len, s->hash) = *s;
	}
	free(t->slot);
	t->slot = slot;
	t->cap = cap;
	return 0;
}

int
strtab_put(struct strtab *t, const char *key, size_t len, int value)
{
	uint32_t hash = strtab_hash(key, len);
	struct strtab_slot *s;

	if (2 * (t->n + 1) > t->cap && strtab_grow(t) < 0)
		return -1;
	s = strtab_find(t->slot, t->cap, key, len, hash);
	if (s->key != NULL)
		return 1;
	/* One byte more, so that an empty key is not a NULL one. */
	if ((s->key = malloc(len + 1)) == NULL)
		return -1;
	memcpy(s->key, key, len);
	s->key[len] = '\0';
	s->len = len;
	s->hash = hash;
	s->value = value;
	t->n++;
	return 0;
}

int
strtab_get(const struct strtab *t, const char *key, size_t len)
{
	const struct strtab_slot *s;

	if (t == NULL || t->n == 0)
		return -1;
	s = strtab_find(t->slot, t->cap, key, len, strtab_hash(key, len));
	return s->key != NULL ? s->value : -1;
}

size_t
strtab_count(const struct strtab *t)
{
	return t != NULL ? t->n : 0;
}

void
strtab_free(struct strtab *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->cap; i++)
		free(t->slot[i].key);
	free(t->slot);
	free(t);
}
