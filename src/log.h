/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * log.h - the error log (levels, a file or standard error) and the access
 * log (combined log format).  log.c is the only writer to stderr.
 *
 * Messages whose format ends in ':' get ": strerror(errno)" appended.
 */
#ifndef FORKHTTPD_LOG_H
#define FORKHTTPD_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

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

/*
 * Opens the logs.  error_path "-" (or NULL) is standard error;
 * access_path "-" is standard output, NULL turns the access log off.
 * Returns 0, or -1 with a message in err (nothing changed then).
 */
int log_open(const char *error_path, const char *access_path,
    enum log_level level, char *err, size_t errlen);

/* Reopens the same files (logrotate).  Returns 0 or -1 (logged). */
int log_reopen(void);

/*
 * Gives the log files (not standard streams) to uid and gid: the master,
 * running as root, does it after opening or reopening them, so that
 * workers, which run as the configured user, can reopen them by name on
 * SIGUSR1.  0, or -1 with errno.
 */
int log_chown(uid_t uid, gid_t gid);

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

/* One access-log record; slices need not be NUL-terminated. */
struct log_access_entry {
	const char *client;		/* address, NUL-terminated */
	time_t when;
	const char *request_line;	/* "-" if none was read */
	size_t request_line_len;
	int status;
	off_t bytes;			/* body bytes sent */
	const char *referer;		/* NULL: "-" */
	size_t referer_len;
	const char *user_agent;		/* NULL: "-" */
	size_t user_agent_len;
};

/* Writes one combined-log-format line, if the access log is on. */
void log_access(const struct log_access_entry *e);

#endif
