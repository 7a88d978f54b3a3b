/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * backend.c - parsing an application's address, and connecting to it.
 */
#include "autoconf.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "backend.h"
#include "util.h"

/* unix:/PATH */
static int
backend_unix(const char *path, struct backend *b, char *err, size_t errlen)
{
	struct sockaddr_un *un = (struct sockaddr_un *)&b->addr;

	if (path[0] != '/') {
		snprintf(err, errlen, "unix:%s: the socket's path must be "
		    "absolute", path);
		return -1;
	}
	if (strlen(path) >= sizeof(un->sun_path)) {
		snprintf(err, errlen, "unix:%s: the path is too long for a "
		    "socket", path);
		return -1;
	}
	un->sun_family = AF_UNIX;
	memcpy(un->sun_path, path, strlen(path) + 1);
	b->addrlen = (socklen_t)sizeof(*un);
	return 0;
}

/* HOST[:PORT] at p (len bytes) into host and port; [v6] unbracketed. */
static int
backend_split(const char *p, size_t len, char *host, size_t hostcap,
    char *port, size_t portcap, const char *dflt)
{
	const char *end = p + len, *h = p, *hend, *colon;
	size_t plen;

	if (len > 0 && p[0] == '[') {
		if ((hend = memchr(p, ']', len)) == NULL)
			return -1;
		h = p + 1;
		colon = hend + 1 < end ? hend + 1 : NULL;
		if (colon != NULL && *colon != ':')
			return -1;
	} else {
		colon = memchr(p, ':', len);
		hend = colon != NULL ? colon : end;
	}
	if (hend == h || (size_t)(hend - h) >= hostcap)
		return -1;
	memcpy(host, h, (size_t)(hend - h));
	host[hend - h] = '\0';
	if (colon == NULL) {
		if (dflt == NULL)
			return -1;
		snprintf(port, portcap, "%s", dflt);
		return 0;
	}
	plen = (size_t)(end - colon - 1);
	if (plen == 0 || plen >= portcap)
		return -1;
	for (size_t i = 0; i < plen; i++)
		if (colon[1 + i] < '0' || colon[1 + i] > '9')
			return -1;
	memcpy(port, colon + 1, plen);
	port[plen] = '\0';
	return 0;
}

/* HOST and PORT resolved, numerically or by name, into b. */
static int
backend_resolve(const char *host, const char *port, struct backend *b,
    const char *spec, char *err, size_t errlen)
{
	struct addrinfo hints, *res;
	long pn = strtol(port, NULL, 10);
	int rc;

	if (pn < 1 || pn > 65535) {
		snprintf(err, errlen, "\"%s\": port %s is not 1..65535", spec,
		    port);
		return -1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0) {
		snprintf(err, errlen, "\"%s\": cannot resolve %s: %s", spec,
		    host, gai_strerror(rc));
		return -1;
	}
	memcpy(&b->addr, res->ai_addr, res->ai_addrlen);
	b->addrlen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

int
backend_parse(const char *spec, bool http, struct backend *b, char *err,
    size_t errlen)
{
	char host[256], port[8];
	const char *auth = spec, *slash;
	size_t alen;

	memset(b, 0, sizeof(*b));
	if (strlen(spec) >= BACKEND_LABEL_MAX) {
		snprintf(err, errlen, "\"%.40s...\": too long", spec);
		return -1;
	}
	if (strncmp(spec, "unix:", 5) == 0) {
		if (backend_unix(spec + 5, b, err, errlen) < 0)
			return -1;
		snprintf(b->label, sizeof(b->label), "%s", spec);
		if (http) {
			b->prefix = util_xstrdup("");
			b->host = util_xstrdup("localhost");
		}
		return 0;
	}
	if (http) {
		if (strncmp(spec, "http://", 7) != 0) {
			snprintf(err, errlen, "\"%s\": an upstream is "
			    "http://HOST[:PORT][/PREFIX] or unix:/PATH "
			    "(https:// upstreams are not supported)", spec);
			return -1;
		}
		auth = spec + 7;
	}
	slash = strchr(auth, '/');
	alen = slash != NULL ? (size_t)(slash - auth) : strlen(auth);
	if ((!http && slash != NULL) || backend_split(auth, alen, host,
	    sizeof(host), port, sizeof(port), http ? "80" : NULL) < 0) {
		snprintf(err, errlen, "\"%s\": not %s", spec, http ?
		    "http://HOST[:PORT][/PREFIX] or unix:/PATH" :
		    "HOST:PORT or unix:/PATH");
		return -1;
	}
	if (backend_resolve(host, port, b, spec, err, errlen) < 0)
		return -1;
	snprintf(b->label, sizeof(b->label), "%.*s", (int)alen, auth);
	if (http) {
		b->prefix = util_xstrdup(slash != NULL && slash[1] != '\0' ?
		    slash : "");
		b->host = util_xstrdup(b->label);
	}
	return 0;
}

void
backend_free(struct backend *b)
{
	free(b->prefix);
	free(b->host);
	b->prefix = b->host = NULL;
}

int
backend_connect(const struct backend *b, bool *connecting)
{
	int fd = socket(b->addr.ss_family,
	    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;

	*connecting = false;
	if (fd < 0)
		return -1;
	/* The request head and the body go out in pieces we already
	 * coalesce: Nagle would only delay them. */
	if (b->addr.ss_family != AF_UNIX)
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one));
	if (connect(fd, (const struct sockaddr *)&b->addr, b->addrlen) == 0)
		return fd;
	if (errno == EINPROGRESS) {
		*connecting = true;
		return fd;
	}
	{
		int e = errno;

		close(fd);
		errno = e;
	}
	return -1;
}

int
backend_connected(int fd)
{
	int e = 0;
	socklen_t len = sizeof(e);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) < 0)
		return -1;
	if (e != 0) {
		errno = e;
		return -1;
	}
	return 0;
}
