/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * log.h - the error log (levels; a file, standard error or syslog) and the
 * access logs (a file, standard output or syslog; their lines rendered by
 * log_format).  log.c is the only writer to stderr.
 *
 * Messages whose format ends in ':' get ": strerror(errno)" appended.
 */
#ifndef FORKHTTPD_LOG_H
#define FORKHTTPD_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "log_format.h"

enum log_level {
	LOG_LEVEL_ERROR = 0,
	LOG_LEVEL_WARN,
	LOG_LEVEL_NOTICE,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG
};

/* The level called name ("error", "warn", ...); -1 if none. */
int log_level_parse(const char *name);
const char *log_level_name(enum log_level level);

/* Where a log goes. */
enum log_kind {
	LOG_TO_OFF = 0,		/* an access log only: nowhere */
	LOG_TO_STD,		/* standard error (error log), output (access) */
	LOG_TO_FILE,
	LOG_TO_SYSLOG		/* syslog(3), to the local daemon */
};

/* One log's destination, as configured; the strings are the caller's. */
struct log_target {
	enum log_kind kind;
	const char *path;	/* LOG_TO_FILE: absolute */
	int facility;		/* LOG_TO_SYSLOG: LOG_LOCAL7 unless set */
	int severity;		/* LOG_TO_SYSLOG, access log: each line's
				 * priority (LOG_INFO unless set) */
	char tag[40];		/* LOG_TO_SYSLOG: the ident, "forkhttpd" */
};

/*
 * Reads a syslog destination: "syslog", Apache's "syslog:FACILITY", or
 * nginx's "syslog:" followed by comma-separated facility=, tag= and (for
 * an access log) severity=.  Returns 1 with *t filled, 0 when value
 * does not start with "syslog", -1 with a message in err.
 */
int log_target_syslog(const char *value, bool access, struct log_target *t,
    char *err, size_t errlen);

/* One access log: where, and in what format (compiled, not owned). */
struct log_access_conf {
	struct log_target target;
	struct log_format *format;
};

/*
 * Everything log_open() needs.  access[0] is the server-wide access log;
 * a virtual host with its own gets another entry, and passes its index
 * to log_access().  Started as root, the master gives every log file it
 * opens (or reopens) to uid:gid with mode (on the descriptor, so no race
 * on the name); otherwise files are created with mode and existing ones
 * left as they are.
 */
struct log_conf {
	struct log_target error;
	enum log_level level;
	const struct log_access_conf *access;
	size_t naccess;
	uid_t uid;
	gid_t gid;
	mode_t mode;
};

/*
 * Opens the logs lc describes; lc (and the formats it points to) must
 * live until the next log_open() or log_close().  Returns 0, or -1 with
 * a message in err (nothing changed then).
 */
int log_open(const struct log_conf *lc, char *err, size_t errlen);

/*
 * Reopens the log files (after a rotation).  In the master, and in a
 * process with no channel (-X), by name, with the ownership and mode
 * log_open() applied.  In a worker (log_set_channel()), by taking the
 * descriptors the master opened from the channel: a worker runs as an
 * unprivileged user, who may not open root's log files.  Returns 0 or -1
 * (logged).
 */
int log_reopen(void);

/*
 * The worker's end of its channel to the master (a SOCK_SEQPACKET
 * socket), which log_reopen() reads; -1: none.  Called after fork().
 */
void log_set_channel(int fd);

/*
 * The master: sends its current log file descriptors down a worker's
 * channel, each with the hash of its path, so that a worker of an older
 * generation (other paths) takes only its own.  Does not wait: 0, or -1
 * with errno.
 */
int log_send(int chan);

/* Closes the files log_open() opened. */
void log_close(void);

/*
 * Error-log lines at or above the importance of level (LOG_LEVEL_ERROR is
 * the most important) also go to standard error when the error log is a
 * file: warnings during start-up, so a failure is seen by whoever started
 * the server, and everything in the foreground (-n).  -1: none.
 */
void log_set_echo(int level);

/*
 * The name in every error-log line after the time and level: "master",
 * "worker".  Until it is set, lines are short ("forkhttpd: message"), for
 * the command line.
 */
void log_set_role(const char *role);

/* True if messages at level would be written. */
bool log_enabled(enum log_level level);

void log_msg(enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define log_error(...)	log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_notice(...)	log_msg(LOG_LEVEL_NOTICE, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)

/*
 * Writes one access-log line for e to access log which (an index into
 * log_conf.access), if it is on: one write(2) to a file opened O_APPEND,
 * so lines of different workers never interleave, whatever their length.
 * e->server NULL is the host name.
 */
void log_access(size_t which, const struct log_format_entry *e);

/* LOG_FORMAT_NEED_* bits of what access log which needs filled in. */
unsigned log_access_needs(size_t which);

/*
 * Copies s[0..len) into dst escaped for a quoted log field, as the
 * access log writes its fields: '"' and '\' get a backslash, bytes
 * outside printable ASCII become \xHH.  Stops before an escape that
 * would not fit; dst is always NUL-terminated when cap > 0.  Returns the
 * length written (4 * len + 1 bytes of dst always suffice).
 */
size_t log_escape(char *dst, size_t cap, const char *s, size_t len);

#endif
