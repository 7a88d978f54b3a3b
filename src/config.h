/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * config.h - the configuration snapshot.  config.c is the only file that
 * knows libconfuse; everything else reads this plain, immutable struct.
 * A snapshot owns all its strings; the master keeps one per generation
 * and workers receive it by fork.
 */
#ifndef FORKHTTPD_CONFIG_H
#define FORKHTTPD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "log.h"

/* One `listen` entry, split for getaddrinfo(). */
struct config_listen {
	char *spec;	/* as written: "127.0.0.1:8080", "[::1]:80", "*:80" */
	char *host;	/* NULL for the wildcard */
	char *port;
	int family;	/* AF_INET, AF_INET6 or AF_UNSPEC (a host name) */
};

struct config {
	char *path;			/* the conf file, absolute; NULL for a buffer */
	struct config_listen *listen;
	size_t nlisten;
	unsigned workers;		/* the fixed pool, or start_workers */
	bool adaptive;			/* the pool keys are set */
	unsigned start_workers;		/* adaptive: started at first */
	unsigned min_spare;		/* adaptive: fewer idle: spawn */
	unsigned max_spare;		/* adaptive: more idle: retire */
	unsigned max_workers;		/* the hard cap (fixed: workers) */
	unsigned max_requests_per_worker;	/* 0: no limit */
	unsigned shutdown_timeout;	/* seconds a graceful stop may take */
	unsigned request_timeout;	/* seconds without progress: killed */
	char *status_path;		/* NULL: no status page */
	char **status_allow;		/* who may see it */
	size_t nstatus_allow;
	char *user;			/* workers run as this user when started as root */
	char *group;			/* NULL: the user's primary group */
	uid_t uid;			/* resolved from user */
	gid_t gid;			/* resolved from group, or the user's */
	char *document_root;		/* absolute, no trailing slash */
	char **index;			/* index file names, in order */
	size_t nindex;
	bool symlinks_outside_root;	/* follow symlinks that leave the root */
	bool directory_listing;		/* list directories without an index */
	char *pid_file;			/* absolute */
	char *error_log;		/* absolute, or "-" for standard error */
	enum log_level log_level;
	char *access_log;		/* absolute, "-" for standard output, NULL off */
	char *mime_types;		/* absolute; NULL: built-in table only */
	unsigned header_timeout;	/* seconds to receive a whole header block */
	unsigned keepalive_timeout;	/* seconds an idle keep-alive waits */
	unsigned send_timeout;		/* seconds a response may stall */
	unsigned body_timeout;		/* seconds to receive a whole request body */
	/*
	 * Minimum rates in bytes per second, each averaged over every
	 * window of min_rate_window seconds (0: no minimum): a response
	 * the client takes slower is cut off, a body that arrives slower
	 * gets 408.  64 bits, so that rate * window cannot overflow.
	 */
	uint64_t send_min_rate;
	uint64_t body_min_rate;
	unsigned min_rate_window;	/* seconds, 1..3600 */
	size_t request_line_max;	/* bytes */
	size_t header_field_max;	/* bytes of one field line */
	size_t header_max;		/* bytes of the whole header block */
	unsigned header_fields_max;
	uint64_t body_max;		/* bytes of a request body */
	unsigned keepalive_requests;	/* per connection; 0: keep-alive off */
	unsigned listen_backlog;
	unsigned worker_connections;	/* open per worker, idle ones included */
};

/*
 * Loads and validates the file at path.  Relative paths inside it resolve
 * against the file's directory.  On failure returns NULL and writes one
 * line naming the file, the line and the key into err.
 */
struct config *config_load(const char *path, char *err, size_t errlen);

/*
 * The same for a configuration held in a string (tests).  base_dir is
 * what relative paths resolve against; name is used in messages.
 */
struct config *config_load_buf(const char *text, const char *name,
    const char *base_dir, char *err, size_t errlen);

void config_free(struct config *cfg);

/* "all", an address, or "address/bits" (status-allow's entries). */
bool config_valid_network(const char *s);

#endif
