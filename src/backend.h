/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * backend.h - where an application listens, as the conf file names it,
 * and reaching it without waiting.
 *
 *   http://HOST[:PORT][/PREFIX]   an HTTP upstream (proxy; PORT 80)
 *   HOST:PORT                     a FastCGI server over TCP
 *   unix:/PATH                    either, over a Unix-domain socket
 *
 * HOST is a name, an IPv4 address or a bracketed IPv6 one; a name is
 * resolved when the conf file is loaded (getaddrinfo, the first address),
 * so a reload picks up a change of address.
 */
#ifndef FORKHTTPD_BACKEND_H
#define FORKHTTPD_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* The longest spec, and the label made from it. */
#define BACKEND_LABEL_MAX 128

struct backend {
	char label[BACKEND_LABEL_MAX];	/* "127.0.0.1:3000", "unix:/run/x" */
	struct sockaddr_storage addr;
	socklen_t addrlen;
	char *prefix;			/* http:// only: the path after the
					 * authority ("" when none); owned */
	char *host;			/* http:// only: HOST[:PORT] as
					 * written; owned */
};

/*
 * Parses spec into b (http: the http:// form, else HOST:PORT) and
 * resolves it.  Returns 0, or -1 with a message for the conf file's
 * error in err (then b holds nothing to free).
 */
int backend_parse(const char *spec, bool http, struct backend *b, char *err,
    size_t errlen);

/* Frees what backend_parse() allocated. */
void backend_free(struct backend *b);

/*
 * A non-blocking, close-on-exec socket connecting to b: returns it,
 * with *connecting true when the connect is still under way (wait for
 * writable, then backend_connected()), or -1 (errno: ECONNREFUSED,
 * ENOENT for a missing socket file, EMFILE...).
 */
int backend_connect(const struct backend *b, bool *connecting);

/* Whether a connect under way on fd succeeded: 0, or -1 (errno says why). */
int backend_connected(int fd);

#endif
