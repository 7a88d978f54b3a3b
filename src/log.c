/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * log.c - the error log and the access logs.
 *
 * Each line is formatted into a stack buffer and written with one write(2)
 * to a file opened O_APPEND, so lines from the master and every worker
 * interleave whole, and nothing on the request path allocates.  On Linux
 * an O_APPEND write to a regular file is one atomic append whatever its
 * length; to a pipe only up to PIPE_BUF, so a log that is not a regular
 * file gets lines of at most PIPE_BUF bytes.
 *
 * Files are opened by the master, as root when started so, and inherited
 * by the workers, which could not open root's files themselves.  Hence the
 * channel: on SIGUSR1 the master reopens by name, then sends the new
 * descriptors to every worker over a socket pair made at its fork
 * (SCM_RIGHTS), and each worker puts them in place of its old ones with
 * dup2(), so nothing holding a descriptor number goes stale.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define SYSLOG_NAMES
#include <syslog.h>

#include "log.h"

#define LOG_LINE_MAX 2048
/* An access line: room for long request lines and fields; values are
 * cut beyond it (log_format_render()). */
#define LOG_ACCESS_LINE_MAX 16384
/* Descriptors per message on the channel (SCM_MAX_FD is 253). */
#define LOG_SEND_BATCH 32

static const char *const log_level_names[] = {
	[LOG_LEVEL_ERROR] = "error",
	[LOG_LEVEL_WARN] = "warn",
	[LOG_LEVEL_NOTICE] = "notice",
	[LOG_LEVEL_INFO] = "info",
	[LOG_LEVEL_DEBUG] = "debug",
};

/* An open log: its destination and, for a file, its descriptor. */
struct log_open_target {
	enum log_kind kind;
	int fd;			/* FILE and STD; -1 otherwise */
	char *path;		/* FILE: owned copy */
	uint64_t hash;		/* FILE: of path, the channel's key */
	size_t line_max;	/* PIPE_BUF unless a regular file */
	int priority;		/* SYSLOG: facility | severity (access) */
	int facility;
	struct log_format *format;	/* access logs */
};

static struct {
	struct log_open_target error;
	struct log_open_target *access;
	size_t naccess;
	enum log_level level;
	const char *role;		/* NULL: the command line */
	int echo;			/* also to stderr up to this level */
	bool own;			/* root: chown and chmod every file */
	uid_t uid;
	gid_t gid;
	mode_t mode;
	bool syslog_open;
	char tag[64];			/* openlog() keeps the pointer */
	char hostname[256];		/* %v when the entry names none */
	int chan;			/* a worker's end of the channel */
} log_state = {
	.error = { .kind = LOG_TO_STD, .fd = STDERR_FILENO,
	    .line_max = PIPE_BUF },
	.echo = -1,
	.level = LOG_LEVEL_NOTICE,
	.mode = 0640,
	.chan = -1,
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

/* ------------------------------------------------------------------ */
/* syslog destinations */

static int
log_syslog_code(const CODE *table, const char *name, size_t len)
{
	for (const CODE *c = table; c->c_name != NULL; c++)
		if (strlen(c->c_name) == len && strncmp(c->c_name, name,
		    len) == 0 && c->c_val != INTERNAL_NOPRI)
			return c->c_val;
	return -1;
}

/* One "key=value" (or Apache's bare facility) of a syslog spec. */
static int
log_syslog_param(const char *p, size_t len, bool access,
    struct log_target *t, char *err, size_t errlen)
{
	const char *eq = memchr(p, '=', len);
	size_t klen = eq != NULL ? (size_t)(eq - p) : len;
	const char *v = eq != NULL ? eq + 1 : p;
	size_t vlen = eq != NULL ? len - klen - 1 : len;

	if (eq == NULL || (klen == 8 && strncmp(p, "facility", 8) == 0)) {
		if ((t->facility = log_syslog_code(facilitynames, v, vlen)) < 0)
			goto bad;
		return 0;
	}
	if (klen == 3 && strncmp(p, "tag", 3) == 0) {
		if (vlen == 0 || vlen > 32)
			goto bad;
		for (size_t i = 0; i < vlen; i++)
			if (!(v[i] == '_' || v[i] == '-' || v[i] == '.' ||
			    (v[i] >= '0' && v[i] <= '9') ||
			    ((v[i] | 0x20) >= 'a' && (v[i] | 0x20) <= 'z')))
				goto bad;
		memcpy(t->tag, v, vlen);
		t->tag[vlen] = '\0';
		return 0;
	}
	if (klen == 8 && strncmp(p, "severity", 8) == 0 && access) {
		if ((t->severity = log_syslog_code(prioritynames, v, vlen)) < 0)
			goto bad;
		return 0;
	}
	if (klen == 6 && strncmp(p, "server", 6) == 0) {
		snprintf(err, errlen, "syslog: server= is not supported: "
		    "lines go through syslog(3) to the local daemon, which can "
		    "forward them");
		return -1;
	}
bad:
	snprintf(err, errlen, "syslog: \"%.*s\" is not %s", (int)len, p,
	    access ? "facility=F, tag=T (letters, digits, _-., at most "
	    "32) or severity=S" : "facility=F or tag=T (letters, digits, "
	    "_-., at most 32); an error line's severity is its level");
	return -1;
}

int
log_target_syslog(const char *value, bool access, struct log_target *t,
    char *err, size_t errlen)
{
	const char *p;

	if (strncmp(value, "syslog", 6) != 0 ||
	    (value[6] != '\0' && value[6] != ':'))
		return 0;
	memset(t, 0, sizeof(*t));
	t->kind = LOG_TO_SYSLOG;
	t->facility = LOG_LOCAL7;
	t->severity = LOG_INFO;
	strcpy(t->tag, "forkhttpd");
	if (value[6] == '\0')
		return 1;
	for (p = value + 7;;) {
		size_t len = strcspn(p, ",");

		if (len == 0) {
			snprintf(err, errlen, "syslog: empty parameter in "
			    "\"%s\"", value);
			return -1;
		}
		if (log_syslog_param(p, len, access, t, err, errlen) < 0)
			return -1;
		if (p[len] == '\0')
			return 1;
		p += len + 1;
	}
}

/* ------------------------------------------------------------------ */
/* Opening */

/* FNV-1a: the key a worker finds its file by on the channel. */
static uint64_t
log_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s != '\0') {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ULL;
	}
	return h;
}

/* Opens path for appending, and gives it owner and mode when root. */
static int
log_open_file(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
	    O_NOCTTY, log_state.mode);

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (log_state.own && (fchown(fd, log_state.uid, log_state.gid) < 0 ||
	    fchmod(fd, log_state.mode) < 0)) {
		snprintf(err, errlen, "%s: cannot give it to %u:%u mode %04o: "
		    "%s", path, (unsigned)log_state.uid,
		    (unsigned)log_state.gid, (unsigned)log_state.mode,
		    strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* The longest line that reaches fd in one piece. */
static size_t
log_line_max(int fd)
{
	struct stat st;

	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		return SIZE_MAX;
	return PIPE_BUF;
}

static int
log_target_open(struct log_open_target *o, const struct log_target *t,
    int std_fd, char *err, size_t errlen)
{
	memset(o, 0, sizeof(*o));
	o->kind = t->kind;
	o->fd = -1;
	switch (t->kind) {
	case LOG_TO_OFF:
		return 0;
	case LOG_TO_STD:
		o->fd = std_fd;
		break;
	case LOG_TO_FILE:
		if ((o->fd = log_open_file(t->path, err, errlen)) < 0)
			return -1;
		o->path = strdup(t->path);
		o->hash = log_hash(t->path);
		break;
	case LOG_TO_SYSLOG:
		o->facility = t->facility;
		o->priority = t->facility | t->severity;
		o->line_max = SIZE_MAX;
		return 0;
	}
	o->line_max = log_line_max(o->fd);
	return 0;
}

static void
log_target_close(struct log_open_target *o)
{
	if (o->kind == LOG_TO_FILE && o->fd >= 0)
		close(o->fd);
	free(o->path);
	o->path = NULL;
	o->fd = -1;
	o->kind = LOG_TO_OFF;
}

/* Checks that every syslog target agrees on the one tag a process has. */
static const char *
log_conf_tag(const struct log_conf *lc, char *err, size_t errlen)
{
	const char *tag = lc->error.kind == LOG_TO_SYSLOG ? lc->error.tag :
	    NULL;

	for (size_t i = 0; i < lc->naccess; i++) {
		const struct log_target *t = &lc->access[i].target;

		if (t->kind != LOG_TO_SYSLOG)
			continue;
		if (tag != NULL && strcmp(tag, t->tag) != 0) {
			snprintf(err, errlen, "syslog: tags \"%s\" and \"%s\": "
			    "syslog(3) has one tag per process", tag, t->tag);
			return NULL;
		}
		tag = t->tag;
	}
	return tag != NULL ? tag : "";
}

void
log_close(void)
{
	if (log_state.error.kind == LOG_TO_FILE)
		log_target_close(&log_state.error);
	log_state.error = (struct log_open_target){ .kind = LOG_TO_STD,
	    .fd = STDERR_FILENO, .line_max = PIPE_BUF };
	for (size_t i = 0; i < log_state.naccess; i++)
		log_target_close(&log_state.access[i]);
	free(log_state.access);
	log_state.access = NULL;
	log_state.naccess = 0;
	if (log_state.syslog_open)
		closelog();
	log_state.syslog_open = false;
}

int
log_open(const struct log_conf *lc, char *err, size_t errlen)
{
	struct log_open_target error, *access;
	bool own = log_state.own;
	uid_t uid = log_state.uid;
	gid_t gid = log_state.gid;
	mode_t mode = log_state.mode;
	const char *tag;
	char msg[512];
	size_t i;

	if ((tag = log_conf_tag(lc, err, errlen)) == NULL)
		return -1;
	if ((access = calloc(lc->naccess + 1, sizeof(*access))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	log_state.own = geteuid() == 0;
	log_state.uid = lc->uid;
	log_state.gid = lc->gid;
	log_state.mode = lc->mode;
	if (log_target_open(&error, &lc->error, STDERR_FILENO, msg,
	    sizeof(msg)) < 0) {
		snprintf(err, errlen, "cannot open error log %s", msg);
		goto fail;
	}
	for (i = 0; i < lc->naccess; i++) {
		if (log_target_open(&access[i], &lc->access[i].target,
		    STDOUT_FILENO, msg, sizeof(msg)) < 0) {
			snprintf(err, errlen, "cannot open access log %s", msg);
			while (i-- > 0)
				log_target_close(&access[i]);
			log_target_close(&error);
			goto fail;
		}
		access[i].format = lc->access[i].format;
	}
	log_close();
	log_state.error = error;
	log_state.access = access;
	log_state.naccess = lc->naccess;
	log_state.level = lc->level;
	if (gethostname(log_state.hostname, sizeof(log_state.hostname)) < 0)
		log_state.hostname[0] = '\0';
	log_state.hostname[sizeof(log_state.hostname) - 1] = '\0';
	if (tag[0] != '\0') {
		snprintf(log_state.tag, sizeof(log_state.tag), "%s", tag);
		/* Connected now, while /dev/log is surely reachable; the
		 * workers inherit the socket. */
		openlog(log_state.tag, LOG_PID | LOG_NDELAY,
		    error.kind == LOG_TO_SYSLOG ? error.facility : LOG_LOCAL7);
		log_state.syslog_open = true;
	}
	return 0;
fail:
	free(access);
	log_state.own = own;
	log_state.uid = uid;
	log_state.gid = gid;
	log_state.mode = mode;
	return -1;
}

/* ------------------------------------------------------------------ */
/* Reopening */

/* Puts nfd in the place of *fd, keeping the number. */
static int
log_replace(int *fd, int nfd)
{
	if (dup2(nfd, *fd) < 0)
		return -1;
	fcntl(*fd, F_SETFD, FD_CLOEXEC);
	return 0;
}

static int
log_reopen_one(struct log_open_target *o)
{
	char err[512];
	int nfd;

	if (o->kind != LOG_TO_FILE)
		return 0;
	if ((nfd = log_open_file(o->path, err, sizeof(err))) < 0) {
		log_error("cannot reopen %s", err);
		return -1;
	}
	if (log_replace(&o->fd, nfd) < 0) {
		close(nfd);
		log_error("cannot reopen %s:", o->path);
		return -1;
	}
	close(nfd);
	return 0;
}

/* Each file that a message on the channel carries, put in place. */
static void
log_take(const uint64_t *hash, const int *fds, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		struct log_open_target *o = NULL;

		if (log_state.error.kind == LOG_TO_FILE &&
		    log_state.error.hash == hash[k])
			o = &log_state.error;
		for (size_t i = 0; o == NULL && i < log_state.naccess; i++)
			if (log_state.access[i].kind == LOG_TO_FILE &&
			    log_state.access[i].hash == hash[k])
				o = &log_state.access[i];
		if (o != NULL && log_replace(&o->fd, fds[k]) < 0)
			log_error("cannot take the reopened %s:", o->path);
		close(fds[k]);
	}
}

/* Whether this process writes to any log file (the master sends
 * nothing on USR1 otherwise). */
static bool
log_has_files(void)
{
	bool any = log_state.error.kind == LOG_TO_FILE;

	for (size_t i = 0; i < log_state.naccess; i++)
		any = any || log_state.access[i].kind == LOG_TO_FILE;
	return any;
}

/* Reads every message waiting on the channel; the last one wins. */
static int
log_receive(void)
{
	uint64_t hash[LOG_SEND_BATCH];
	union {
		char buf[CMSG_SPACE(LOG_SEND_BATCH * sizeof(int))];
		struct cmsghdr align;
	} u;
	int got = 0;

	for (;;) {
		struct iovec iov = { hash, sizeof(hash) };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
		    .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
		struct cmsghdr *cm;
		ssize_t n = recvmsg(log_state.chan, &mh,
		    MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		size_t nfd = 0;
		int *fds = NULL;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got++;
		for (cm = CMSG_FIRSTHDR(&mh); cm != NULL;
		    cm = CMSG_NXTHDR(&mh, cm))
			if (cm->cmsg_level == SOL_SOCKET &&
			    cm->cmsg_type == SCM_RIGHTS) {
				fds = (int *)(void *)CMSG_DATA(cm);
				nfd = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			}
		if ((mh.msg_flags & (MSG_CTRUNC | MSG_TRUNC)) ||
		    (size_t)n != nfd * sizeof(uint64_t)) {
			log_error("a malformed message on the log channel");
			for (size_t k = 0; k < nfd; k++)
				close(fds[k]);
			continue;
		}
		log_take(hash, fds, nfd);
	}
	if (got == 0 && log_has_files())
		log_warn("SIGUSR1, but no log files from the master");
	return 0;
}

int
log_reopen(void)
{
	int rc = 0;

	if (log_state.chan >= 0)
		return log_receive();
	if (log_reopen_one(&log_state.error) < 0)
		rc = -1;
	for (size_t i = 0; i < log_state.naccess; i++)
		if (log_reopen_one(&log_state.access[i]) < 0)
			rc = -1;
	return rc;
}

void
log_set_channel(int fd)
{
	log_state.chan = fd;
}

static int
log_send_batch(int chan, const uint64_t *hash, const int *fds, size_t n)
{
	union {
		char buf[CMSG_SPACE(LOG_SEND_BATCH * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { (void *)(uintptr_t)hash, n * sizeof(*hash) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = u.buf, .msg_controllen = CMSG_SPACE(n * sizeof(int)) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);

	if (cm == NULL) {
		errno = EINVAL;
		return -1;
	}
	memset(u.buf, 0, sizeof(u.buf));
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(cm), fds, n * sizeof(int));
	while (sendmsg(chan, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		if (errno != EINTR)
			return -1;
	return 0;
}

int
log_send(int chan)
{
	uint64_t hash[LOG_SEND_BATCH];
	int fds[LOG_SEND_BATCH];
	size_t n = 0;

	if (log_state.error.kind == LOG_TO_FILE) {
		hash[n] = log_state.error.hash;
		fds[n++] = log_state.error.fd;
	}
	for (size_t i = 0; i < log_state.naccess; i++) {
		if (log_state.access[i].kind != LOG_TO_FILE)
			continue;
		hash[n] = log_state.access[i].hash;
		fds[n++] = log_state.access[i].fd;
		if (n == LOG_SEND_BATCH) {
			if (log_send_batch(chan, hash, fds, n) < 0)
				return -1;
			n = 0;
		}
	}
	return n > 0 ? log_send_batch(chan, hash, fds, n) : 0;
}

/* ------------------------------------------------------------------ */
/* Writing */

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

/* syslog(3) severities of our levels. */
static int
log_syslog_severity(enum log_level level)
{
	static const int sev[] = {
		[LOG_LEVEL_ERROR] = LOG_ERR,
		[LOG_LEVEL_WARN] = LOG_WARNING,
		[LOG_LEVEL_NOTICE] = LOG_NOTICE,
		[LOG_LEVEL_INFO] = LOG_INFO,
		[LOG_LEVEL_DEBUG] = LOG_DEBUG,
	};

	return (unsigned)level <= LOG_LEVEL_DEBUG ? sev[level] : LOG_DEBUG;
}

/* Appends at most what fits, keeping room for the newline. */
static size_t
log_vappend(char *line, size_t n, size_t cap, const char *fmt, va_list ap)
{
	int k = vsnprintf(line + n, cap - n, fmt, ap);

	if (k > 0)
		n += (size_t)k < cap - n ? (size_t)k : cap - n - 1;
	return n;
}

static size_t __attribute__((format(printf, 4, 5)))
log_append(char *line, size_t n, size_t cap, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	n = log_vappend(line, n, cap, fmt, ap);
	va_end(ap);
	return n;
}

/* The time, level, role and pid before a file's line ("" for syslog,
 * which has its own; the command line's short prefix before a role). */
static size_t
log_prefix(char *line, size_t cap, enum log_level level, bool to_syslog)
{
	struct tm tm;
	time_t now;
	size_t n;

	if (log_state.role == NULL)
		return log_append(line, 0, cap, "forkhttpd: ");
	if (to_syslog)
		return log_append(line, 0, cap, "[%s] %s: ",
		    log_level_name(level), log_state.role);
	now = time(NULL);
	localtime_r(&now, &tm);
	n = strftime(line, cap, "%Y-%m-%d %H:%M:%S", &tm);
	return log_append(line, n, cap, " [%s] %s %ld: ",
	    log_level_name(level), log_state.role, (long)getpid());
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	int saved_errno = errno;
	bool to_syslog = log_state.error.kind == LOG_TO_SYSLOG;
	size_t n, flen, start;
	va_list ap;

	if (!log_enabled(level))
		return;
	n = log_prefix(line, sizeof(line), level, to_syslog);
	start = n;
	va_start(ap, fmt);
	n = log_vappend(line, n, sizeof(line), fmt, ap);
	va_end(ap);
	flen = strlen(fmt);
	if (flen > 0 && fmt[flen - 1] == ':')
		n = log_append(line, n, sizeof(line), " %s",
		    strerror(saved_errno));
	if (n >= sizeof(line) - 1)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if (to_syslog)
		syslog(log_state.error.facility | log_syslog_severity(level),
		    "%.*s", (int)(n - 1), line);
	else
		log_write(log_state.error.fd, line, n);
	if ((int)level <= log_state.echo && log_state.error.fd != STDERR_FILENO) {
		if (to_syslog && log_state.role != NULL) {
			/* stderr has no syslog stamp: the file's prefix */
			char pre[128];
			size_t k = log_prefix(pre, sizeof(pre), level, false);

			log_write(STDERR_FILENO, pre, k);
			log_write(STDERR_FILENO, line + start, n - start);
		} else
			log_write(STDERR_FILENO, line, n);
	}
	errno = saved_errno;
}

size_t
log_escape(char *dst, size_t cap, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;

	if (cap == 0)
		return 0;
	for (size_t i = 0; i < len && n + 4 < cap; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			dst[n++] = '\\';
			dst[n++] = (char)c;
		} else if (c < 0x20 || c >= 0x7f) {
			dst[n++] = '\\';
			dst[n++] = 'x';
			dst[n++] = hex[c >> 4];
			dst[n++] = hex[c & 0xf];
		} else
			dst[n++] = (char)c;
	}
	dst[n] = '\0';
	return n;
}

void
log_access(size_t which, const struct log_format_entry *e)
{
	struct log_format_entry copy;
	struct log_open_target *o;
	char line[LOG_ACCESS_LINE_MAX];
	size_t n, cap = sizeof(line);

	if (which >= log_state.naccess)
		return;
	o = &log_state.access[which];
	if (o->kind == LOG_TO_OFF || o->format == NULL)
		return;
	if (e->server == NULL) {
		copy = *e;
		copy.server = log_state.hostname[0] != '\0' ?
		    log_state.hostname : NULL;
		e = &copy;
	}
	if (cap > o->line_max)
		cap = o->line_max;
	n = log_format_render(o->format, e, line, cap);
	if (o->kind == LOG_TO_SYSLOG)
		syslog(o->priority, "%.*s", (int)(n - 1), line);
	else
		log_write(o->fd, line, n);
}

unsigned
log_access_needs(size_t which)
{
	if (which >= log_state.naccess || log_state.access[which].format == NULL)
		return 0;
	return log_format_needs(log_state.access[which].format);
}
