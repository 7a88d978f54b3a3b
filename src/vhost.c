/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * vhost.c - server names in two hashes: exact names, and wildcards keyed
 * by the suffix after the '*' (".example.org").  A look-up folds the
 * Host to the form the names were stored in, then tries the exact name
 * and each suffix that starts at a dot, the longest first.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strtab.h"
#include "vhost.h"

struct vhost_table {
	struct strtab *exact;
	struct strtab *wild;
};

struct vhost_table *
vhost_table_new(void)
{
	struct vhost_table *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->exact = strtab_new();
	t->wild = strtab_new();
	if (t->exact == NULL || t->wild == NULL) {
		vhost_table_free(t);
		return NULL;
	}
	return t;
}

static char
vhost_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* A character of a host name as written in a server's names. */
static bool
vhost_name_char(char c, bool literal)
{
	if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
	    c == '.' || c == '_')
		return true;
	return literal && (c == ':' || (c >= 'A' && c <= 'F'));
}

/*
 * Folds host[0..len) into out: lower case, without a port or a trailing
 * dot.  Returns the length, or -1 when it does not fit.
 */
static int
vhost_fold(const char *host, size_t len, char out[VHOST_NAME_MAX + 1])
{
	size_t n = len;

	/* No Host at all (HTTP/1.0): host may be NULL. */
	if (len == 0) {
		out[0] = '\0';
		return 0;
	}
	if (host[0] == '[') {
		const char *close = memchr(host, ']', len);

		n = close != NULL ? (size_t)(close - host) + 1 : len;
	} else {
		const char *colon = memchr(host, ':', len);

		if (colon != NULL)
			n = (size_t)(colon - host);
		if (n > 0 && host[n - 1] == '.')
			n--;
	}
	if (n > VHOST_NAME_MAX)
		return -1;
	for (size_t i = 0; i < n; i++)
		out[i] = vhost_lower(host[i]);
	out[n] = '\0';
	return (int)n;
}

/* An IPv6 literal, key[0..n) folded: "[" what inet_pton(3) reads "]". */
static bool
vhost_literal_ok(const char *key, int n)
{
	char addr[VHOST_NAME_MAX + 1];
	struct in6_addr a;

	if (n < 3 || key[n - 1] != ']')
		return false;
	memcpy(addr, key + 1, (size_t)n - 2);
	addr[n - 2] = '\0';
	return inet_pton(AF_INET6, addr, &a) == 1;
}

int
vhost_table_add(struct vhost_table *t, const char *name, int index,
    char *err, size_t errlen)
{
	char key[VHOST_NAME_MAX + 1];
	bool wild = strncmp(name, "*.", 2) == 0;
	bool literal = name[0] == '[';
	const char *p = wild ? name + 1 : name;
	int n = vhost_fold(p, strlen(p), key), rc;

	if (name[0] == '\0' || n <= (wild ? 1 : 0) ||
	    (size_t)n != strlen(p) - (p[strlen(p) - 1] == '.' && !literal)) {
		snprintf(err, errlen, "\"%s\" is not a host name (no port, "
		    "at most %d characters)", name, VHOST_NAME_MAX);
		return -1;
	}
	if (literal && !vhost_literal_ok(key, n)) {
		snprintf(err, errlen, "\"%s\" is not a host name (an IPv6 "
		    "address goes in brackets, \"[2001:db8::1]\")", name);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		if (literal && (i == 0 || i == n - 1))
			continue;
		if (!vhost_name_char(key[i], literal)) {
			snprintf(err, errlen, "\"%s\" is not a host name%s",
			    name, strchr(name, '*') != NULL ? " (a wildcard "
			    "is \"*.\" then a domain)" : "");
			return -1;
		}
	}
	rc = strtab_put(wild ? t->wild : t->exact, key, (size_t)n, index);
	if (rc != 0) {
		snprintf(err, errlen, rc > 0 ? "the name \"%s\" is given to two "
		    "servers" : "out of memory", name);
		return -1;
	}
	return 0;
}

int
vhost_table_find(const struct vhost_table *t, const char *host, size_t len,
    const char **how)
{
	char key[VHOST_NAME_MAX + 1];
	int n = vhost_fold(host, len, key), v;

	*how = NULL;
	if (t == NULL || n <= 0)
		return -1;
	if ((v = strtab_get(t->exact, key, (size_t)n)) >= 0) {
		*how = "name";
		return v;
	}
	if (strtab_count(t->wild) == 0)
		return -1;
	/* ".b.example.org" before ".example.org"; never the whole name. */
	for (int i = 1; i < n; i++) {
		if (key[i] != '.')
			continue;
		if ((v = strtab_get(t->wild, key + i, (size_t)(n - i))) >= 0) {
			*how = "wildcard";
			return v;
		}
	}
	return -1;
}

void
vhost_table_free(struct vhost_table *t)
{
	if (t == NULL)
		return;
	strtab_free(t->exact);
	strtab_free(t->wild);
	free(t);
}
