/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * activation.c - sockets passed by the service manager; see activation.h.
 */
#include "autoconf.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "activation.h"
#include "util.h"

/* sd_listen_fds(3): passed descriptors start here. */
#define ACTIVATION_FD_START 3
/* More than any .socket unit needs; a bound on what we believe. */
#define ACTIVATION_MAX 1024
/* systemd's own limit on a FileDescriptorName=. */
#define ACTIVATION_NAME_MAX 255

struct activation_sock {
	int fd;
	struct sockaddr_storage addr;	/* getsockname() */
	char desc[ACTIVATION_NAME_MAX + 32];	/* fd 3, "name" */
	char where[INET6_ADDRSTRLEN + 16];	/* 127.0.0.1:80, [::1]:80 */
};

static struct activation_sock *activation;
static size_t activation_n;

/* "127.0.0.1:80", "[::1]:80" */
static void
activation_format(const struct sockaddr_storage *ss, char *out, size_t cap)
{
	char a[INET6_ADDRSTRLEN] = "?";

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		snprintf(out, cap, "%s:%u", a, ntohs(s4->sin_port));
	} else {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		snprintf(out, cap, "[%s]:%u", a, ntohs(s6->sin6_port));
	}
}

/* The next name of LISTEN_FDNAMES (*names moves on), or "unknown". */
static void
activation_name(const char **names, char *out, size_t cap)
{
	const char *p = *names;
	size_t len;

	if (p == NULL || *p == '\0') {
		util_strlcpy(out, "unknown", cap);
		return;
	}
	len = strcspn(p, ":");
	snprintf(out, cap, "%.*s", (int)(len < cap - 1 ? len : cap - 1), p);
	*names = p[len] == ':' ? p + len + 1 : p + len;
}

/* Checks and readies one passed descriptor; 0, or -1 with err. */
static int
activation_adopt(struct activation_sock *s, int fd, const char *name,
    char *err, size_t errlen)
{
	socklen_t len = sizeof(s->addr);
	int type = 0, listening = 0, flags, one = 1;
	socklen_t ilen = sizeof(int);

	s->fd = fd;
	snprintf(s->desc, sizeof(s->desc), "fd %d, \"%s\"", fd, name);
	if (getsockname(fd, (struct sockaddr *)&s->addr, &len) < 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &ilen) < 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &ilen) < 0) {
		snprintf(err, errlen, "socket activation: %s: not a socket "
		    "(%s)", s->desc, strerror(errno));
		return -1;
	}
	if ((s->addr.ss_family != AF_INET && s->addr.ss_family != AF_INET6) ||
	    type != SOCK_STREAM || !listening) {
		snprintf(err, errlen, "socket activation: %s: not a listening "
		    "TCP socket (a .socket unit's ListenStream= gives one)",
		    s->desc);
		return -1;
	}
	activation_format(&s->addr, s->where, sizeof(s->where));
	/* As net_listen() does: accepted sockets inherit it (NoDelay=). */
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0) {
		snprintf(err, errlen, "socket activation: %s: TCP_NODELAY: %s",
		    s->desc, strerror(errno));
		return -1;
	}
	/* Workers accept() only what epoll says is there: never block. */
	if ((flags = fcntl(fd, F_GETFL)) < 0 ||
	    fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
		snprintf(err, errlen, "socket activation: %s: fcntl: %s",
		    s->desc, strerror(errno));
		return -1;
	}
	return 0;
}

/* LISTEN_PID and LISTEN_FDS: how many are ours (0: none), or -1. */
static int
activation_count(char *err, size_t errlen)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	uint64_t p, n;

	if (pid == NULL || fds == NULL)
		return 0;
	if (!util_parse_u64(pid, strlen(pid), UINT32_MAX, &p)) {
		snprintf(err, errlen, "socket activation: LISTEN_PID=%.32s: "
		    "not a pid", pid);
		return -1;
	}
	/* For another process (one that exec()ed us, say): not ours. */
	if (p != (uint64_t)getpid())
		return 0;
	if (!util_parse_u64(fds, strlen(fds), ACTIVATION_MAX, &n)) {
		snprintf(err, errlen, "socket activation: LISTEN_FDS=%.32s: "
		    "not a count 0..%d", fds, ACTIVATION_MAX);
		return -1;
	}
	return (int)n;
}

int
activation_take(char *err, size_t errlen)
{
	const char *names = getenv("LISTEN_FDNAMES");
	char name[ACTIVATION_NAME_MAX + 1];
	int n = activation_count(err, errlen);

	if (n > 0)
		activation = util_xcalloc((size_t)n, sizeof(*activation));
	for (int i = 0; i < n; i++) {
		activation_name(&names, name, sizeof(name));
		if (activation_adopt(&activation[i], ACTIVATION_FD_START + i,
		    name, err, errlen) < 0) {
			n = -1;
			break;
		}
	}
	if (n > 0)
		activation_n = (size_t)n;
	else {
		free(activation);
		activation = NULL;
	}
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	return n;
}

/* The same address: family, port, address (and an IPv6 scope). */
static bool
activation_same(const struct sockaddr_storage *ss, const struct sockaddr *sa)
{
	if (ss->ss_family != sa->sa_family)
		return false;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)ss;
		const struct sockaddr_in *b = (const struct sockaddr_in *)sa;

		return a->sin_port == b->sin_port &&
		    a->sin_addr.s_addr == b->sin_addr.s_addr;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
		const struct sockaddr_in6 *b = (const struct sockaddr_in6 *)sa;

		return a->sin6_port == b->sin6_port &&
		    a->sin6_scope_id == b->sin6_scope_id &&
		    memcmp(&a->sin6_addr, &b->sin6_addr,
		    sizeof(a->sin6_addr)) == 0;
	}
	return false;
}

int
activation_find(const struct config_listen *l)
{
	struct addrinfo hints, *res = NULL, *ai;
	int fd = -1;

	if (activation_n == 0)
		return -1;
	/* As net_listen() resolves it, so a match is what it would bind. */
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = l->family;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if (getaddrinfo(l->host, l->port, &hints, &res) != 0)
		return -1;
	for (ai = res; ai != NULL && fd < 0; ai = ai->ai_next)
		for (size_t i = 0; i < activation_n && fd < 0; i++)
			if (activation_same(&activation[i].addr, ai->ai_addr))
				fd = activation[i].fd;
	freeaddrinfo(res);
	return fd;
}

static const struct activation_sock *
activation_of(int fd)
{
	for (size_t i = 0; i < activation_n; i++)
		if (activation[i].fd == fd)
			return &activation[i];
	return NULL;
}

bool
activation_owns(int fd)
{
	return fd >= 0 && activation_of(fd) != NULL;
}

int
activation_check_used(const int *fds, size_t n, char *err, size_t errlen)
{
	for (size_t i = 0; i < activation_n; i++) {
		size_t k = 0;

		while (k < n && fds[k] != activation[i].fd)
			k++;
		if (k == n) {
			snprintf(err, errlen, "socket activation: the socket "
			    "passed as %s, on %s, matches no listen entry "
			    "(add \"%s\" to listen, or remove it from the "
			    ".socket unit)", activation[i].desc,
			    activation[i].where, activation[i].where);
			return -1;
		}
	}
	return 0;
}

const char *
activation_describe(int fd)
{
	const struct activation_sock *s = activation_of(fd);

	return s != NULL ? s->desc : NULL;
}
