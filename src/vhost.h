/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * vhost.h - which server a Host names.
 *
 * Names are compared without case, and a port or a trailing dot in the
 * Host does not count ("Example.COM.:8080" is example.com).  A name is
 * exact ("www.example.com") or a wildcard ("*.example.org": any name
 * ending in ".example.org", however deep, but not example.org itself).
 * An exact name beats a wildcard, and a longer wildcard a shorter one.
 *
 * Built when the configuration is loaded, then only read: a look-up
 * costs one hash probe, plus one per dot of the name when no exact name
 * matches and there are wildcards.
 */
#ifndef FORKHTTPD_VHOST_H
#define FORKHTTPD_VHOST_H

#include <stddef.h>

/* The longest name (RFC 1035 §2.3.4 allows 253, plus brackets for IPv6
 * literals and a dot). */
#define VHOST_NAME_MAX 255

struct vhost_table;

struct vhost_table *vhost_table_new(void);

/*
 * Adds name for server index (>= 0).  Returns 0, or -1 with a message
 * in err: a name that is empty, too long, has characters no host name
 * has (letters, digits, '-', '.', '_', and for an IPv6 literal in
 * brackets ':' and hex digits), a '*' anywhere but a leading "*.", or
 * that another server has already.
 */
int vhost_table_add(struct vhost_table *t, const char *name, int index,
    char *err, size_t errlen);

/*
 * The server for host[0..len), a Host field value (port and trailing
 * dot allowed), or -1 when no name matches.  How the name matched, for
 * -R: *how is "name" or "wildcard" (NULL when nothing matched).
 */
int vhost_table_find(const struct vhost_table *t, const char *host,
    size_t len, const char **how);

void vhost_table_free(struct vhost_table *t);

#endif
