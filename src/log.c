/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * log.c - the error log and the access log.
 *
 * Each line is formatted into a stack buffer and written with one write(2)
 * to a file opened O_APPEND, so lines from the master and every worker
 * interleave whole, and nothing on the request path allocates.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "log.h"

#define LOG_LINE_MAX 2048

static const char *const log_level_names[] = {
	[LOG_LEVEL_ERROR] = "error",
	[LOG_LEVEL_WARN] = "warn",
	[LOG_LEVEL_NOTICE] = "notice",
	[LOG_LEVEL_INFO] = "info",
	[LOG_LEVEL_DEBUG] = "debug",
};

static struct {
	int error_fd;			/* 2 until a file is opened */
	int access_fd;			/* -1: off */
	enum log_level level;
	char *error_path;		/* NULL: standard error */
	char *access_path;		/* NULL: off or standard output */
	const char *role;		/* NULL: the command line */
	int echo;			/* also to stderr up to this level */
	time_t access_stamp_time;	/* the second access_stamp shows */
	char access_stamp[40];
} log_state = {
	.error_fd = STDERR_FILENO,
	.access_fd = -1,
	.echo = -1,
	.level = LOG_LEVEL_NOTICE,
	.access_stamp_time = -1,
};

int
log_level_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(log_level_names) / sizeof(log_level_names[0]); i++)
		if (strcasecmp(name, log_level_names[i]) == 0)
			return (int)i;
	return -1;
}

const char *
log_level_name(enum log_level level)
{
	if ((unsigned)level > LOG_LEVEL_DEBUG)
		return "?";
	return log_level_names[level];
}

static int
log_open_file(const char *path)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY,
	    0644);
}

static bool
log_is_std(const char *path)
{
	return path == NULL || strcmp(path, "-") == 0;
}

int
log_open(const char *error_path, const char *access_path,
    enum log_level level, char *err, size_t errlen)
{
	int efd = STDERR_FILENO, afd = -1;

	if (!log_is_std(error_path) && (efd = log_open_file(error_path)) < 0) {
		snprintf(err, errlen, "cannot open error log %s: %s",
		    error_path, strerror(errno));
		return -1;
	}
	if (access_path != NULL) {
		if (strcmp(access_path, "-") == 0)
			afd = STDOUT_FILENO;
		else if ((afd = log_open_file(access_path)) < 0) {
			snprintf(err, errlen, "cannot open access log %s: %s",
			    access_path, strerror(errno));
			if (efd != STDERR_FILENO)
				close(efd);
			return -1;
		}
	}
	log_close();
	log_state.error_fd = efd;
	log_state.access_fd = afd;
	log_state.level = level;
	log_state.error_path = log_is_std(error_path) ? NULL : strdup(error_path);
	log_state.access_path = log_is_std(access_path) ? NULL : strdup(access_path);
	return 0;
}

static int
log_reopen_one(int *fd, const char *path)
{
	int nfd;

	if (path == NULL)
		return 0;
	if ((nfd = log_open_file(path)) < 0) {
		log_error("cannot reopen %s:", path);
		return -1;
	}
	/* dup2 keeps the descriptor number, so nothing holding it goes stale. */
	if (dup2(nfd, *fd) < 0) {
		close(nfd);
		log_error("cannot reopen %s:", path);
		return -1;
	}
	fcntl(*fd, F_SETFD, FD_CLOEXEC);
	close(nfd);
	return 0;
}

int
log_reopen(void)
{
	int rc = 0;

	if (log_reopen_one(&log_state.error_fd, log_state.error_path) < 0)
		rc = -1;
	if (log_reopen_one(&log_state.access_fd, log_state.access_path) < 0)
		rc = -1;
	return rc;
}

int
log_chown(uid_t uid, gid_t gid)
{
	int rc = 0;

	if (log_state.error_path != NULL &&
	    fchown(log_state.error_fd, uid, gid) < 0)
		rc = -1;
	if (log_state.access_path != NULL &&
	    fchown(log_state.access_fd, uid, gid) < 0)
		rc = -1;
	return rc;
}

void
log_close(void)
{
	if (log_state.error_fd > STDERR_FILENO)
		close(log_state.error_fd);
	if (log_state.access_fd > STDERR_FILENO)
		close(log_state.access_fd);
	log_state.error_fd = STDERR_FILENO;
	log_state.access_fd = -1;
	free(log_state.error_path);
	free(log_state.access_path);
	log_state.error_path = NULL;
	log_state.access_path = NULL;
}

void
log_set_echo(int level)
{
	log_state.echo = level;
}

void
log_set_role(const char *role)
{
	log_state.role = role;
}

bool
log_enabled(enum log_level level)
{
	return level <= log_state.level;
}

static void
log_write(int fd, const char *buf, size_t len)
{
	/* A lost log line must not stop the server; retry only on EINTR. */
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	int saved_errno = errno;
	size_t n, flen;
	struct tm tm;
	time_t now;
	va_list ap;
	int k;

	if (!log_enabled(level))
		return;
	if (log_state.role == NULL) {
		/* The command line, before any server runs: short messages. */
		n = (size_t)snprintf(line, sizeof(line), "forkhttpd: ");
	} else {
		now = time(NULL);
		localtime_r(&now, &tm);
		n = strftime(line, sizeof(line), "%Y-%m-%d %H:%M:%S", &tm);
		k = snprintf(line + n, sizeof(line) - n, " [%s] %s %ld: ",
		    log_level_name(level), log_state.role, (long)getpid());
		if (k > 0)
			n += (size_t)k < sizeof(line) - n ? (size_t)k :
			    sizeof(line) - n - 1;
	}
	va_start(ap, fmt);
	k = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	if (k > 0)
		n += (size_t)k < sizeof(line) - n ? (size_t)k : sizeof(line) - n - 1;
	flen = strlen(fmt);
	if (flen > 0 && fmt[flen - 1] == ':') {
		k = snprintf(line + n, sizeof(line) - n, " %s",
		    strerror(saved_errno));
		if (k > 0)
			n += (size_t)k < sizeof(line) - n ? (size_t)k :
			    sizeof(line) - n - 1;
	}
	if (n >= sizeof(line) - 1)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	log_write(log_state.error_fd, line, n);
	if ((int)level <= log_state.echo && log_state.error_fd != STDERR_FILENO)
		log_write(STDERR_FILENO, line, n);
	errno = saved_errno;
}

/*
 * Appends s[0..len) to the line, escaping '"', '\' and bytes outside
 * printable ASCII as \xHH the way Apache does, so a client cannot forge
 * log fields or write terminal escapes.  Returns the new length.
 */
static size_t
log_append_escaped(char *line, size_t n, size_t cap, const char *s,
    size_t len)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < len && n + 4 < cap; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			line[n++] = '\\';
			line[n++] = (char)c;
		} else if (c < 0x20 || c >= 0x7f) {
			line[n++] = '\\';
			line[n++] = 'x';
			line[n++] = hex[c >> 4];
			line[n++] = hex[c & 0xf];
		} else
			line[n++] = (char)c;
	}
	return n;
}

static size_t
log_append(char *line, size_t n, size_t cap, const char *s)
{
	size_t len = strlen(s);

	if (len > cap - n - 1)
		len = cap - n - 1;
	memcpy(line + n, s, len);
	return n + len;
}

void
log_access(const struct log_access_entry *e)
{
	char line[LOG_LINE_MAX * 2];
	char num[32];
	size_t n = 0, cap = sizeof(line) - 1;

	if (log_state.access_fd < 0)
		return;
	/* The timestamp changes once a second: format it once a second. */
	if (e->when != log_state.access_stamp_time) {
		struct tm tm;

		localtime_r(&e->when, &tm);
		strftime(log_state.access_stamp, sizeof(log_state.access_stamp),
		    "[%d/%b/%Y:%H:%M:%S %z]", &tm);
		log_state.access_stamp_time = e->when;
	}
	n = log_append(line, n, cap, e->client);
	n = log_append(line, n, cap, " - - ");
	n = log_append(line, n, cap, log_state.access_stamp);
	n = log_append(line, n, cap, " \"");
	n = log_append_escaped(line, n, cap, e->request_line,
	    e->request_line_len);
	if (e->bytes > 0)
		snprintf(num, sizeof(num), "\" %d %lld \"", e->status,
		    (long long)e->bytes);
	else
		snprintf(num, sizeof(num), "\" %d - \"", e->status);
	n = log_append(line, n, cap, num);
	if (e->referer != NULL)
		n = log_append_escaped(line, n, cap, e->referer, e->referer_len);
	else
		n = log_append(line, n, cap, "-");
	n = log_append(line, n, cap, "\" \"");
	if (e->user_agent != NULL)
		n = log_append_escaped(line, n, cap, e->user_agent,
		    e->user_agent_len);
	else
		n = log_append(line, n, cap, "-");
	n = log_append(line, n, cap, "\"");
	line[n++] = '\n';
	log_write(log_state.access_fd, line, n);
}
