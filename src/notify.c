/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * notify.c - the sd_notify(3) datagrams; see notify.h.
 *
 * A socket per message, not one kept open: messages are a few per reload,
 * and a kept descriptor would be inherited by every worker.
 */
#include "autoconf.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "notify.h"
#include "util.h"

/* The longest message the master sends, with room for an error text. */
#define NOTIFY_MSG_MAX 2048

static struct {
	struct sockaddr_un addr;
	socklen_t len;		/* 0: not enabled */
} notify;

bool
notify_init(void)
{
	const char *v = getenv("NOTIFY_SOCKET");
	size_t n;

	notify.len = 0;
	if (v == NULL)
		return false;
	n = strlen(v);
	memset(&notify.addr, 0, sizeof(notify.addr));
	notify.addr.sun_family = AF_UNIX;
	/*
	 * sd_notify(3): "/path" names a socket in the file system, "@name"
	 * one in the abstract namespace (a leading NUL on the wire, and no
	 * trailing one: the length says where the name ends).
	 */
	if ((v[0] != '/' && v[0] != '@') || n < 2 ||
	    n > sizeof(notify.addr.sun_path) - (v[0] == '/')) {
		log_warn("NOTIFY_SOCKET=%s: not a unix socket path or "
		    "@abstract name; not notifying the service manager", v);
		unsetenv("NOTIFY_SOCKET");
		return false;
	}
	memcpy(notify.addr.sun_path, v, n);
	if (v[0] == '@')
		notify.addr.sun_path[0] = '\0';
	notify.len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n +
	    (v[0] == '/'));
	unsetenv("NOTIFY_SOCKET");
	return true;
}

bool
notify_enabled(void)
{
	return notify.len > 0;
}

static int
notify_write(const char *msg, size_t len)
{
	int fd, saved;
	ssize_t n;

	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		log_warn("notify: socket:");
		return -1;
	}
	n = sendto(fd, msg, len, MSG_NOSIGNAL,
	    (const struct sockaddr *)&notify.addr, notify.len);
	saved = errno;
	close(fd);
	if (n != (ssize_t)len) {
		errno = saved;
		log_warn("notify: cannot tell the service manager \"%.*s\":",
		    (int)strcspn(msg, "\n"), msg);
		return -1;
	}
	log_debug("notify: %.*s", (int)strcspn(msg, "\n"), msg);
	return 0;
}

/* Appends " STATUS=text" as a line, newlines flattened; the length. */
static size_t
notify_status(char *msg, size_t len, size_t cap, const char *status)
{
	int n = snprintf(msg + len, cap - len, "\nSTATUS=");

	if (n < 0 || (size_t)n >= cap - len)
		return len;
	len += (size_t)n;
	/* A STATUS= cut short is still a message; it is the last line. */
	for (; *status != '\0' && len < cap - 1; status++)
		msg[len++] = *status == '\n' || *status == '\r' ? ' ' :
		    *status;
	msg[len] = '\0';
	return len;
}

int
notify_send(const char *state, const char *status)
{
	char msg[NOTIFY_MSG_MAX];
	size_t len;

	if (!notify_enabled())
		return -1;
	len = util_strlcpy(msg, state, sizeof(msg));
	if (len >= sizeof(msg))
		return -1;
	if (status != NULL)
		len = notify_status(msg, len, sizeof(msg), status);
	return notify_write(msg, len);
}

int
notify_reloading(const char *status)
{
	char state[64];
	struct timespec ts;
	uint64_t usec;

	if (!notify_enabled())
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	usec = (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
	snprintf(state, sizeof(state), "RELOADING=1\nMONOTONIC_USEC=%llu",
	    (unsigned long long)usec);
	return notify_send(state, status);
}
