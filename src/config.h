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
#include <stdio.h>
#include <stdint.h>
#include <sys/types.h>

#include "log.h"
#include "route.h"

struct acl;
struct auth_file;
#include "vhost.h"

/* One `listen` entry, split for getaddrinfo(). */
struct config_listen {
	char *spec;	/* as written: "127.0.0.1:8080", "[::1]:80", "*:80" */
	char *host;	/* NULL for the wildcard */
	char *port;
	int family;	/* AF_INET, AF_INET6 or AF_UNSPEC (a host name) */
	bool tls;	/* "... tls": HTTPS */
	size_t default_server;	/* for a Host no server on it names */
};

/* What answers in a server or route, when not its files. */
enum config_handler {
	CONFIG_HANDLER_STATIC = 0,	/* files under the root (default) */
	CONFIG_HANDLER_REDIRECT,	/* `redirect` */
	CONFIG_HANDLER_RESPOND,		/* `respond` */
	CONFIG_HANDLER_STATUS,		/* `status-page` */
	CONFIG_HANDLER_METRICS,		/* `metrics` */
	CONFIG_HANDLER_PROXY,		/* `proxy` */
	CONFIG_HANDLER_FASTCGI,		/* `fastcgi` */
	CONFIG_HANDLER_CGI		/* `cgi` */
};

/* One `header` entry, split: "Name: value". */
struct config_header {
	const char *name;
	size_t name_len;
	const char *value;
	size_t value_len;
};

/* One status of an `error-page` entry, and the path that answers it. */
struct config_error_page {
	int status;
	const char *path;
};

/* A directory files are served from (a document root or an alias),
 * opened once by each worker; the symlink rule goes with it. */
struct config_root {
	char *path;			/* absolute, real */
	bool symlinks_outside_root;
};

/*
 * The keys a server or a route may set.  The top level's are the
 * defaults of every server, a server's those of its routes: a scope
 * starts as its parent's and overrides what its section sets, but for
 * the handler keys (respond, redirect, status-page, metrics), which are never
 * inherited, and header, whose lists add up.  Arrays may be shared with
 * the parent; the configuration owns them all.
 */
struct backend;

struct config_scope {
	size_t root;			/* in cfg->roots */
	bool alias;			/* root stands for the matched prefix */
	char *const *index;
	size_t nindex;
	bool directory_listing;
	bool hidden_files;		/* serve names starting with '.' */
	const char *fallback;		/* a path no file answers goes there;
					 * NULL: none */
	const struct config_header *headers;	/* added to every response */
	size_t nheaders;
	size_t nheaders_inherited;	/* headers[0..this): the parent's */
	const struct config_error_page *error_pages;	/* first match wins */
	size_t nerror_pages;
	char *const *allow;		/* `allow` entries; NULL: not set */
	size_t nallow;
	char *const *deny;		/* `deny` entries */
	size_t ndeny;
	const struct acl *acl;		/* from them; NULL: everyone */
	const char *auth_realm;		/* NULL: no authentication */
	const char *auth_file;		/* absolute */
	const struct auth_file *auth;	/* loaded; NULL: none */
	const char *auth_challenge;	/* the 401's WWW-Authenticate */
	unsigned methods;		/* bit 1 << method; 0: the handler's */
	const char *allow_field;	/* methods as an Allow value */
	enum config_handler handler;
	int status;			/* respond's, or redirect's */
	const char *target;		/* redirect: the template */
	const char *body;		/* respond */
	size_t body_len;
	const char *content_type;	/* respond; NULL: none */
	char *const *proxy;		/* proxy: the upstreams, as written */
	size_t nproxy;
	bool websocket;			/* proxy: pass WebSocket upgrades */
	const char *fastcgi;		/* fastcgi: the server, as written */
	const struct backend *backends;	/* proxy's nproxy, or fastcgi's one */
	size_t nbackends;
	int line;			/* where the section starts; 0: top */
};

struct config_route {
	const char *pattern;		/* as written */
	struct config_scope s;
};

struct config_server {
	const char *name;		/* NULL: the top level, no sections */
	bool is_default;
	int access_log;			/* in access_logs; -1: off */
	int access_log_line;		/* where the file sets it */
	struct config_scope s;
	struct config_route *routes;
	size_t nroutes;
	struct route_table *table;	/* index: routes[] */
	/* The listeners it answers on (by cfg->listen's index): NULL, all. */
	const bool *on;
	/* HTTPS: absolute paths (inherited from the top level), NULL: none;
	 * the key is in the certificate's file when tls_key is NULL. */
	const char *tls_certificate;
	const char *tls_key;
	const char *tls_ocsp_file;
	int tls_line;			/* where tls-certificate is set */
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
	struct acl *status_acl;		/* status_allow, parsed */
	char *user;			/* workers run as this user when started as root */
	char *group;			/* NULL: the user's primary group */
	uid_t uid;			/* resolved from user */
	gid_t gid;			/* resolved from group, or the user's */
	char *document_root;		/* absolute, no trailing slash */
	char **index;			/* index file names, in order */
	size_t nindex;
	bool symlinks_outside_root;	/* follow symlinks that leave the root */
	bool directory_listing;		/* list directories without an index */
	char *pid_file;			/* absolute; NULL: none (-r, -l) */
	char *error_log;		/* absolute, "-" for standard error, or
					 * "syslog[:...]" */
	enum log_level log_level;
	char *access_log;		/* absolute, "-" for standard output,
					 * "syslog[:...]", NULL off */
	char *mime_types;		/* absolute; NULL: built-in table only */
	unsigned header_timeout;	/* seconds to receive a whole header block */
	unsigned keepalive_timeout;	/* seconds an idle keep-alive waits */
	unsigned send_timeout;		/* seconds a response may stall */
	unsigned body_timeout;		/* seconds to receive a whole request body */
	unsigned upstream_connect_timeout;	/* seconds to reach an upstream
						 * or a FastCGI server */
	unsigned upstream_timeout;	/* seconds an application may be silent */
	unsigned cgi_timeout;		/* seconds a CGI script may run */
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
	size_t file_cache_memory;	/* bytes of small files kept per worker */
	/*
	 * Open connections one client may hold, across all workers (0: no
	 * limit); an IPv6 client is its client-ipv6-prefix bits (/64).
	 */
	unsigned max_connections_per_client;
	unsigned client_ipv6_prefix;
	/*
	 * The sites.  Without `server` sections, one server made of the
	 * top-level keys; otherwise one per section, in file order, and
	 * names (index: servers[]) says which a Host means.
	 */
	struct config_scope top;	/* the top level's keys */
	struct config_server *servers;
	size_t nservers;
	size_t default_server;		/* for a Host no name matches */
	struct vhost_table *names;
	struct config_root *roots;	/* roots[0]: document_root */
	size_t nroots;
	bool any_listing;		/* some scope lists directories */
	bool any_status_page;		/* status-path, or a status-page */
	/* What -t warns about (a route that can never win...): whole
	 * lines, "file:line: ...". */
	char **warnings;
	size_t nwarnings;
	struct acl **acls;		/* the scopes' */
	size_t nacls;
	struct auth_file **auths;	/* the scopes', one per file */
	char **auth_paths;		/* auths[i]'s file */
	size_t nauths;
	void **owned;			/* what the scopes point to */
	size_t nowned, capowned;
	/*
	 * The logs as log_open() takes them (log.h), built from error_log,
	 * log_level, access_log, access-log-format, access-log-escape,
	 * log-owner, log-group and log-mode.  log.access is access_logs:
	 * [0] is the server-wide access log (LOG_TO_OFF when "off"); a
	 * server section with its own access log adds an entry and keeps
	 * its index for log_access().
	 */
	struct log_conf log;
	struct log_access_conf *access_logs;	/* formats owned */
	size_t naccess_logs;
	/* A `metrics` route, and who may see one without allow/deny of its
	 * own: loopback (127.0.0.1 and ::1), parsed once at load. */
	bool any_metrics;
	struct acl *metrics_acl;
	/* HTTPS: some listener has " tls"; the protocols and ciphers of
	 * every certificate (tls-protocols, tls-ciphers: "" is the
	 * default, Mozilla's intermediate profile). */
	bool any_tls;
	const char *tls_protocols;
	const char *tls_ciphers;
	/* The top level's, absolute (NULL: none): every server's default. */
	const char *tls_certificate;
	const char *tls_key;
	const char *tls_ocsp_file;
};

/* Whether srv answers on listener k. */
static inline bool
config_server_on(const struct config_server *srv, size_t k)
{
	return srv->on == NULL || srv->on[k];
}

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

/*
 * config_load() and config_load_buf() and then what -t checks beyond the
 * file: that every listen host resolves (getaddrinfo(), as the listener
 * will be bound), and that the directories of error-log, access-log and
 * pid-file exist and the files can be written or created there by this
 * process's effective user (the user who starts the server opens them).
 * Messages as config_load()'s, naming the key and its line.
 */
struct config *config_test(const char *path, char *err, size_t errlen);
struct config *config_test_buf(const char *text, const char *name,
    const char *base_dir, char *err, size_t errlen);

void config_free(struct config *cfg);

/*
 * `forkhttpd -T`: writes cfg as a file config_load() accepts with the
 * same effect: every top-level key (defaults included), then each
 * server and route with every key as it takes effect, inherited ones
 * included (header lists: a section's own).  Re-reads cfg->path for the
 * top level.  0, or -1 when cfg has no file or it changed meanwhile.
 */
int config_print(const struct config *cfg, FILE *out);

/* "all", an address, or "address/bits" (status-allow's entries). */
bool config_valid_network(const char *s);

#endif
