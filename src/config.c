/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * config.c - the libconfuse schema, its validation, and the snapshot the
 * rest of the server reads.  The only file that includes <confuse.h>.
 *
 * Parsing records the line each key was set on; validation then runs on
 * the whole parsed file, so every message can name the file, the line and
 * the key ("forkhttpd.conf:12: workers: value 0 out of range 1..1024").
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <confuse.h>

#include "config.h"
#include "util.h"

#ifndef FORKHTTPD_RUNDIR
#define FORKHTTPD_RUNDIR "/run"
#endif
#ifndef FORKHTTPD_LOGDIR
#define FORKHTTPD_LOGDIR "/var/log/forkhttpd"
#endif

/*
 * libconfuse parses a list's default from text, and wants it writable
 * (char *), hence the arrays.
 */
static char config_default_listen[] = "{\"*:80\"}";
static char config_default_index[] = "{\"index.html\", \"index.htm\"}";
static char config_default_status_allow[] = "{\"127.0.0.1\", \"::1\"}";

static cfg_opt_t config_opts[] = {
	CFG_STR_LIST("listen", config_default_listen, CFGF_NONE),
	CFG_INT("workers", 4, CFGF_NONE),
	CFG_INT("start-workers", 5, CFGF_NONE),
	CFG_INT("min-spare", 5, CFGF_NONE),
	CFG_INT("max-spare", 10, CFGF_NONE),
	CFG_INT("max-workers", 256, CFGF_NONE),
	CFG_INT("max-requests-per-worker", 0, CFGF_NONE),
	CFG_INT("shutdown-timeout", 30, CFGF_NONE),
	CFG_INT("request-timeout", 120, CFGF_NONE),
	CFG_STR("status-path", "", CFGF_NONE),
	CFG_STR_LIST("status-allow", config_default_status_allow, CFGF_NONE),
	CFG_STR("user", "nobody", CFGF_NONE),
	CFG_STR("group", NULL, CFGF_NONE),
	CFG_STR("document-root", "/var/www/html", CFGF_NONE),
	CFG_STR_LIST("index", config_default_index, CFGF_NONE),
	CFG_BOOL("symlinks-outside-root", cfg_false, CFGF_NONE),
	CFG_BOOL("directory-listing", cfg_false, CFGF_NONE),
	CFG_STR("pid-file", FORKHTTPD_RUNDIR "/forkhttpd.pid", CFGF_NONE),
	CFG_STR("error-log", FORKHTTPD_LOGDIR "/error.log", CFGF_NONE),
	CFG_STR("log-level", "notice", CFGF_NONE),
	CFG_STR("access-log", FORKHTTPD_LOGDIR "/access.log", CFGF_NONE),
	CFG_STR("mime-types", "/etc/mime.types", CFGF_NONE),
	CFG_INT("header-timeout", 20, CFGF_NONE),
	CFG_INT("keepalive-timeout", 5, CFGF_NONE),
	CFG_INT("send-timeout", 60, CFGF_NONE),
	CFG_INT("body-timeout", 30, CFGF_NONE),
	CFG_INT("send-min-rate", 1024, CFGF_NONE),
	CFG_INT("body-min-rate", 1024, CFGF_NONE),
	CFG_INT("min-rate-window", 10, CFGF_NONE),
	CFG_INT("request-line-max", 8192, CFGF_NONE),
	CFG_INT("header-field-max", 8192, CFGF_NONE),
	CFG_INT("header-max", 16384, CFGF_NONE),
	CFG_INT("header-fields-max", 100, CFGF_NONE),
	CFG_INT("body-max", 1048576, CFGF_NONE),
	CFG_INT("keepalive-requests", 100, CFGF_NONE),
	CFG_INT("listen-backlog", 511, CFGF_NONE),
	CFG_INT("worker-connections", 512, CFGF_NONE),
	CFG_END()
};

#define CONFIG_NKEYS (UTIL_ARRAY_LEN(config_opts) - 1)

/* What one parse needs besides libconfuse's own state. */
struct config_parse {
	const char *name;		/* the file, for messages */
	const char *base_dir;		/* relative paths resolve here */
	int line[CONFIG_NKEYS];		/* where each key was set; 0: default */
	char *err;
	size_t errlen;
	bool failed;
};

/* libconfuse callbacks carry no user pointer: one parse at a time. */
static struct config_parse *config_current;

static int
config_key_index(const char *key)
{
	for (size_t i = 0; i < CONFIG_NKEYS; i++)
		if (strcmp(config_opts[i].name, key) == 0)
			return (int)i;
	return -1;
}

/* Records the first error only: it is the one that explains the rest. */
static void __attribute__((format(printf, 3, 0)))
config_verror(struct config_parse *p, int line, const char *fmt, va_list ap)
{
	char msg[512];

	if (p->failed)
		return;
	p->failed = true;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (line > 0)
		snprintf(p->err, p->errlen, "%s:%d: %s", p->name, line, msg);
	else
		snprintf(p->err, p->errlen, "%s: %s", p->name, msg);
}

static void __attribute__((format(printf, 3, 4)))
config_report(struct config_parse *p, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	config_verror(p, line, fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 3, 4)))
config_error(struct config_parse *p, const char *key, const char *fmt, ...)
{
	int i = config_key_index(key);
	va_list ap;

	va_start(ap, fmt);
	config_verror(p, i >= 0 ? p->line[i] : 0, fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 2, 0)))
config_confuse_error(cfg_t *cfg, const char *fmt, va_list ap)
{
	static const char unknown[] = "no such option ";
	char msg[512];

	if (config_current == NULL)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* Say it in the words of our documentation. */
	if (strncmp(msg, unknown, sizeof(unknown) - 1) == 0)
		config_report(config_current, cfg->line, "unknown key %s",
		    msg + sizeof(unknown) - 1);
	else
		config_report(config_current, cfg->line, "%s", msg);
}

/* Called by libconfuse after each key is parsed: remember its line. */
static int
config_note_line(cfg_t *cfg, cfg_opt_t *opt)
{
	int i = config_key_index(opt->name);

	/* A list keeps the line it starts on; a repeated scalar, its last. */
	if (config_current != NULL && i >= 0 &&
	    (config_current->line[i] == 0 || !(opt->flags & CFGF_LIST)))
		config_current->line[i] = cfg->line;
	return 0;
}

static bool
config_int(struct config_parse *p, cfg_t *cfg, const char *key, long min,
    long max, long *out)
{
	long v = cfg_getint(cfg, key);

	if (v < min || v > max) {
		config_error(p, key, "%s: value %ld out of range %ld..%ld", key,
		    v, min, max);
		return false;
	}
	*out = v;
	return true;
}

/* base_dir/path for a relative path, a copy of path otherwise. */
static char *
config_path(const struct config_parse *p, const char *path)
{
	char buf[PATH_MAX];

	if (path[0] == '/' || p->base_dir == NULL)
		return util_xstrdup(path);
	snprintf(buf, sizeof(buf), "%s/%s", p->base_dir, path);
	return util_xstrdup(buf);
}

/*
 * "addr:port", "[v6]:port", "*:port" or a bare "port".  Host names are
 * resolved when the listener is bound, where "does not resolve" is a
 * start-up error.
 */
static bool
config_listen_parse(struct config_parse *p, const char *spec,
    struct config_listen *l)
{
	const char *colon, *port;
	char host[256];
	uint64_t portnum;
	size_t hlen;

	memset(l, 0, sizeof(*l));
	if (spec[0] == '[') {
		const char *close = strchr(spec, ']');

		if (close == NULL || close[1] != ':') {
			config_error(p, "listen", "listen: \"%s\": expected "
			    "\"[address]:port\"", spec);
			return false;
		}
		hlen = (size_t)(close - spec - 1);
		port = close + 2;
		if (hlen == 0 || hlen >= sizeof(host)) {
			config_error(p, "listen", "listen: \"%s\": bad address",
			    spec);
			return false;
		}
		memcpy(host, spec + 1, hlen);
		host[hlen] = '\0';
		l->family = AF_INET6;
	} else if ((colon = strrchr(spec, ':')) != NULL) {
		hlen = (size_t)(colon - spec);
		port = colon + 1;
		if (memchr(spec, ':', hlen) != NULL) {
			config_error(p, "listen", "listen: \"%s\": write IPv6 "
			    "addresses in brackets, as \"[::1]:80\"", spec);
			return false;
		}
		if (hlen == 0 || hlen >= sizeof(host)) {
			config_error(p, "listen", "listen: \"%s\": bad address",
			    spec);
			return false;
		}
		memcpy(host, spec, hlen);
		host[hlen] = '\0';
		l->family = AF_UNSPEC;
	} else {
		port = spec;
		strcpy(host, "*");
		l->family = AF_INET;
	}
	if (!util_parse_u64(port, strlen(port), UINT64_MAX, &portnum)) {
		config_error(p, "listen", "listen: \"%s\": bad port \"%s\"",
		    spec, port);
		return false;
	}
	if (portnum < 1 || portnum > 65535) {
		config_error(p, "listen", "listen: \"%s\": port %llu out of "
		    "range 1..65535", spec, (unsigned long long)portnum);
		return false;
	}
	if (l->family != AF_INET6) {
		struct in_addr a4;

		if (strcmp(host, "*") == 0)
			l->family = AF_INET;
		else if (inet_pton(AF_INET, host, &a4) == 1)
			l->family = AF_INET;
	} else {
		struct in6_addr a6;

		if (inet_pton(AF_INET6, host, &a6) != 1) {
			config_error(p, "listen", "listen: \"%s\": bad IPv6 "
			    "address", spec);
			return false;
		}
	}
	l->spec = util_xstrdup(spec);
	l->host = strcmp(host, "*") == 0 ? NULL : util_xstrdup(host);
	l->port = util_xstrdup(port);
	return true;
}

static bool
config_check_listen(struct config_parse *p, cfg_t *cfg, struct config *c)
{
	unsigned n = cfg_size(cfg, "listen");

	if (n == 0) {
		config_error(p, "listen", "listen: at least one address is "
		    "needed");
		return false;
	}
	c->listen = util_xcalloc(n, sizeof(*c->listen));
	for (unsigned i = 0; i < n; i++) {
		const char *spec = cfg_getnstr(cfg, "listen", i);

		if (!config_listen_parse(p, spec, &c->listen[i]))
			return false;
		c->nlisten++;
		for (unsigned j = 0; j < i; j++) {
			const struct config_listen *a = &c->listen[j];
			const struct config_listen *b = &c->listen[i];

			if (strcmp(a->port, b->port) == 0 &&
			    ((a->host == NULL && b->host == NULL) ||
			    (a->host != NULL && b->host != NULL &&
			    strcmp(a->host, b->host) == 0))) {
				config_error(p, "listen", "listen: \"%s\" is "
				    "listed twice", spec);
				return false;
			}
		}
	}
	return true;
}

static bool
config_check_user(struct config_parse *p, cfg_t *cfg, struct config *c)
{
	const char *user = cfg_getstr(cfg, "user");
	const char *group = cfg_getstr(cfg, "group");
	struct passwd *pw;
	struct group *gr;

	if (user == NULL || user[0] == '\0') {
		config_error(p, "user", "user: must not be empty");
		return false;
	}
	errno = 0;
	if ((pw = getpwnam(user)) == NULL) {
		config_error(p, "user", "user: unknown user \"%s\"", user);
		return false;
	}
	if (pw->pw_uid == 0) {
		config_error(p, "user", "user: \"%s\" is root; workers never "
		    "run as root", user);
		return false;
	}
	c->user = util_xstrdup(user);
	c->uid = pw->pw_uid;
	c->gid = pw->pw_gid;
	if (group != NULL) {
		if ((gr = getgrnam(group)) == NULL) {
			config_error(p, "group", "group: unknown group \"%s\"",
			    group);
			return false;
		}
		if (gr->gr_gid == 0) {
			config_error(p, "group", "group: \"%s\" is root's group; "
			    "workers never run with it", group);
			return false;
		}
		c->group = util_xstrdup(group);
		c->gid = gr->gr_gid;
	}
	return true;
}

static bool
config_check_docroot(struct config_parse *p, cfg_t *cfg, struct config *c)
{
	char *path = config_path(p, cfg_getstr(cfg, "document-root"));
	char real[PATH_MAX];
	struct stat st;

	if (realpath(path, real) == NULL || stat(real, &st) < 0) {
		config_error(p, "document-root", "document-root: %s: %s", path,
		    strerror(errno));
		free(path);
		return false;
	}
	free(path);
	if (!S_ISDIR(st.st_mode)) {
		config_error(p, "document-root", "document-root: %s: not a "
		    "directory", real);
		return false;
	}
	c->document_root = util_xstrdup(real);
	return true;
}

static bool
config_check_index(struct config_parse *p, cfg_t *cfg, struct config *c)
{
	unsigned n = cfg_size(cfg, "index");

	c->index = util_xcalloc(n, sizeof(*c->index));
	for (unsigned i = 0; i < n; i++) {
		const char *name = cfg_getnstr(cfg, "index", i);

		/* An index name is one file in the directory, nothing more. */
		if (name[0] == '\0' || strchr(name, '/') != NULL ||
		    strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
			config_error(p, "index", "index: \"%s\" is not a file "
			    "name", name);
			return false;
		}
		c->index[c->nindex++] = util_xstrdup(name);
	}
	return true;
}

/*
 * The status page: a path of its own (an absolute path without a query),
 * and who may see it.  Each status-allow entry is checked here so that a
 * typo fails at -t, not silently at request time.
 */
static bool
config_check_status(struct config_parse *p, cfg_t *cfg, struct config *c)
{
	const char *path = cfg_getstr(cfg, "status-path");
	unsigned n = cfg_size(cfg, "status-allow");

	if (path != NULL && path[0] != '\0') {
		if (path[0] != '/' || strpbrk(path, "?# \t") != NULL) {
			config_error(p, "status-path", "status-path: \"%s\" is "
			    "not an absolute URL path", path);
			return false;
		}
		c->status_path = util_xstrdup(path);
	}
	c->status_allow = util_xcalloc(n + 1, sizeof(*c->status_allow));
	for (unsigned i = 0; i < n; i++) {
		const char *a = cfg_getnstr(cfg, "status-allow", i);

		if (!config_valid_network(a)) {
			config_error(p, "status-allow", "status-allow: \"%s\" "
			    "is not an address, a network or \"all\"", a);
			return false;
		}
		c->status_allow[c->nstatus_allow++] = util_xstrdup(a);
	}
	return true;
}

static bool
config_check_logs(struct config_parse *p, cfg_t *cfg, struct config *c)
{
	const char *level = cfg_getstr(cfg, "log-level");
	const char *elog = cfg_getstr(cfg, "error-log");
	const char *alog = cfg_getstr(cfg, "access-log");
	const char *pid = cfg_getstr(cfg, "pid-file");
	const char *mt = cfg_getstr(cfg, "mime-types");
	int lv;

	if ((lv = log_level_parse(level)) < 0) {
		config_error(p, "log-level", "log-level: \"%s\" is not one of "
		    "error, warn, notice, info, debug", level);
		return false;
	}
	c->log_level = (enum log_level)lv;
	if (elog == NULL || elog[0] == '\0') {
		config_error(p, "error-log", "error-log: must not be empty "
		    "(use \"-\" for standard error)");
		return false;
	}
	c->error_log = strcmp(elog, "-") == 0 ? util_xstrdup("-") :
	    config_path(p, elog);
	if (alog == NULL || alog[0] == '\0' || strcmp(alog, "off") == 0)
		c->access_log = NULL;
	else
		c->access_log = strcmp(alog, "-") == 0 ? util_xstrdup("-") :
		    config_path(p, alog);
	if (pid == NULL || pid[0] == '\0') {
		config_error(p, "pid-file", "pid-file: must not be empty");
		return false;
	}
	c->pid_file = config_path(p, pid);
	c->mime_types = (mt == NULL || mt[0] == '\0') ? NULL :
	    config_path(p, mt);
	return true;
}

/*
 * "all", an address, or a network "address/bits" (IPv4 or IPv6), as
 * status-allow takes them.
 */
bool
config_valid_network(const char *s)
{
	unsigned char addr[sizeof(struct in6_addr)];
	char host[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	size_t hl = slash != NULL ? (size_t)(slash - s) : strlen(s);
	int maxbits;
	uint64_t bits;

	if (strcmp(s, "all") == 0)
		return true;
	if (hl == 0 || hl >= sizeof(host))
		return false;
	memcpy(host, s, hl);
	host[hl] = '\0';
	if (inet_pton(AF_INET, host, addr) == 1) {
		maxbits = 32;
	} else if (inet_pton(AF_INET6, host, addr) == 1) {
		maxbits = 128;
	} else {
		return false;
	}
	if (slash == NULL)
		return true;
	return util_parse_u64(slash + 1, strlen(slash + 1), (uint64_t)maxbits,
	    &bits);
}

/* The key of these the file sets first, for messages; NULL if none. */
static const char *
config_set_key(const struct config_parse *p, const char *const *keys,
    size_t n)
{
	const char *best = NULL;
	int line = 0;

	for (size_t i = 0; i < n; i++) {
		int l = p->line[config_key_index(keys[i])];

		if (l > 0 && (best == NULL || l < line)) {
			best = keys[i];
			line = l;
		}
	}
	return best;
}

/*
 * The pool: `workers = N` is a fixed pool of N; any of the adaptive keys
 * turns on the adaptive pool (Apache prefork's Start/MinSpare/MaxSpare/
 * MaxRequestWorkers), and then `workers` may not be given too.
 */
static bool
config_check_pool(struct config_parse *p, struct config *c)
{
	static const char *const pool_keys[] = {
		"start-workers", "min-spare", "max-spare", "max-workers"
	};
	const char *key = config_set_key(p, pool_keys,
	    UTIL_ARRAY_LEN(pool_keys));

	if (key == NULL) {
		c->adaptive = false;
		c->start_workers = c->max_workers = c->workers;
		c->min_spare = 0;
		c->max_spare = c->workers;
		return true;
	}
	if (p->line[config_key_index("workers")] > 0) {
		config_error(p, "workers", "workers: a fixed pool cannot be "
		    "combined with %s (the adaptive pool); use one or the "
		    "other", key);
		return false;
	}
	c->adaptive = true;
	if (c->min_spare > c->max_spare) {
		const char *k = config_set_key(p, pool_keys + 1, 2);

		config_error(p, k != NULL ? k : key, "min-spare: %u is larger "
		    "than max-spare %u", c->min_spare, c->max_spare);
		return false;
	}
	if (c->start_workers > c->max_workers ||
	    c->min_spare > c->max_workers) {
		static const char *const cap_keys[] = {
			"start-workers", "min-spare", "max-workers"
		};
		const char *k = p->line[config_key_index("max-workers")] > 0 ?
		    "max-workers" : config_set_key(p, cap_keys, 3);

		config_error(p, k != NULL ? k : key, "max-workers: "
		    "%u is below start-workers %u or min-spare %u",
		    c->max_workers, c->start_workers, c->min_spare);
		return false;
	}
	c->workers = c->start_workers;
	return true;
}

static bool
config_check_numbers(struct config_parse *p, cfg_t *cfg, struct config *c)
{
	long v;

#define CONFIG_RANGE(key, min, max, field, type)			\
	do {								\
		if (!config_int(p, cfg, key, min, max, &v))		\
			return false;					\
		c->field = (type)v;					\
	} while (0)
	CONFIG_RANGE("workers", 1, 1024, workers, unsigned);
	CONFIG_RANGE("start-workers", 1, 4096, start_workers, unsigned);
	CONFIG_RANGE("min-spare", 0, 4096, min_spare, unsigned);
	CONFIG_RANGE("max-spare", 1, 4096, max_spare, unsigned);
	CONFIG_RANGE("max-workers", 1, 4096, max_workers, unsigned);
	CONFIG_RANGE("max-requests-per-worker", 0, 100000000,
	    max_requests_per_worker, unsigned);
	CONFIG_RANGE("shutdown-timeout", 1, 86400, shutdown_timeout, unsigned);
	CONFIG_RANGE("request-timeout", 0, 86400, request_timeout, unsigned);
	CONFIG_RANGE("header-timeout", 1, 3600, header_timeout, unsigned);
	CONFIG_RANGE("keepalive-timeout", 0, 3600, keepalive_timeout, unsigned);
	CONFIG_RANGE("send-timeout", 1, 3600, send_timeout, unsigned);
	CONFIG_RANGE("body-timeout", 1, 3600, body_timeout, unsigned);
	CONFIG_RANGE("send-min-rate", 0, 1000000000, send_min_rate, uint64_t);
	CONFIG_RANGE("body-min-rate", 0, 1000000000, body_min_rate, uint64_t);
	CONFIG_RANGE("min-rate-window", 1, 3600, min_rate_window, unsigned);
	CONFIG_RANGE("request-line-max", 256, 65536, request_line_max, size_t);
	CONFIG_RANGE("header-field-max", 256, 65536, header_field_max,
	    size_t);
	CONFIG_RANGE("header-max", 1024, 1048576, header_max, size_t);
	CONFIG_RANGE("header-fields-max", 1, 10000, header_fields_max,
	    unsigned);
	CONFIG_RANGE("body-max", 0, 1099511627776L, body_max, uint64_t);
	CONFIG_RANGE("keepalive-requests", 0, 1000000, keepalive_requests,
	    unsigned);
	CONFIG_RANGE("listen-backlog", 1, 65535, listen_backlog, unsigned);
	CONFIG_RANGE("worker-connections", 1, 65536, worker_connections,
	    unsigned);
#undef CONFIG_RANGE
	if (!config_check_pool(p, c))
		return false;
	/*
	 * The watchdog counts a request stuck when nothing moved on it for
	 * request-timeout; reading a header or a body slowly, or a client
	 * that stopped reading, are the other deadlines' business and must
	 * end first.
	 */
	if (p->line[config_key_index("request-timeout")] == 0) {
		/* Not set: 120 s, or a minute past the longest of those. */
		unsigned longest = c->header_timeout;

		if (c->body_timeout > longest)
			longest = c->body_timeout;
		if (c->send_timeout > longest)
			longest = c->send_timeout;
		if (c->request_timeout < longest + 60)
			c->request_timeout = longest + 60;
	} else if (c->request_timeout > 0 &&
	    (c->request_timeout <= c->header_timeout ||
	    c->request_timeout <= c->body_timeout ||
	    c->request_timeout <= c->send_timeout)) {
		config_error(p, "request-timeout", "request-timeout: %u must be "
		    "0 or more than header-timeout (%u), body-timeout (%u) and "
		    "send-timeout (%u)", c->request_timeout, c->header_timeout,
		    c->body_timeout, c->send_timeout);
		return false;
	}
	if (c->request_line_max > c->header_max) {
		/* Point at whichever of the two the file sets. */
		config_error(p, p->line[config_key_index("request-line-max")] ?
		    "request-line-max" : "header-max",
		    "request-line-max: %zu is larger than header-max %zu",
		    c->request_line_max, c->header_max);
		return false;
	}
	return true;
}

/*
 * Blanks out comments (#, // and C-style) outside quoted strings, keeping
 * every newline.  libconfuse 3.3 miscounts lines after comments and cannot
 * parse a comment inside a list; it never sees one this way, so messages
 * name the right line.
 */
static void
config_strip_comments(char *s)
{
	enum { CODE, DQUOTE, SQUOTE, LINE, BLOCK } st = CODE;

	for (; *s != '\0'; s++) {
		switch (st) {
		case CODE:
			if (*s == '"')
				st = DQUOTE;
			else if (*s == '\'')
				st = SQUOTE;
			else if (*s == '#' || (s[0] == '/' && s[1] == '/'))
				st = LINE;
			else if (s[0] == '/' && s[1] == '*') {
				st = BLOCK;
				*s++ = ' ';
			}
			break;
		case DQUOTE:
			if (*s == '\\' && s[1] != '\0')
				s++;
			else if (*s == '"')
				st = CODE;
			break;
		case SQUOTE:
			if (*s == '\'')
				st = CODE;
			break;
		case LINE:
			if (*s == '\n')
				st = CODE;
			break;
		case BLOCK:
			if (s[0] == '*' && s[1] == '/') {
				*s++ = ' ';
				*s = ' ';
				st = CODE;
			}
			break;
		}
		if ((st == LINE || st == BLOCK) && *s != '\n')
			*s = ' ';
	}
}

static struct config *
config_parse(const char *text, const char *name, const char *base_dir,
    char *err, size_t errlen)
{
	struct config_parse p = {
		.name = name, .base_dir = base_dir, .err = err, .errlen = errlen,
	};
	struct config *c;
	char *buf;
	cfg_t *cfg;
	int rc;

	if (errlen > 0)
		err[0] = '\0';
	if ((cfg = cfg_init(config_opts, CFGF_NONE)) == NULL) {
		snprintf(err, errlen, "%s: cannot initialise the parser", name);
		return NULL;
	}
	cfg_set_error_function(cfg, config_confuse_error);
	for (size_t i = 0; i < CONFIG_NKEYS; i++)
		cfg_set_validate_func(cfg, config_opts[i].name,
		    config_note_line);
	buf = util_xstrdup(text);
	config_strip_comments(buf);
	config_current = &p;
	rc = cfg_parse_buf(cfg, buf);
	free(buf);
	if (rc != CFG_SUCCESS)
		config_error(&p, "", "syntax error");
	if (p.failed) {
		config_current = NULL;
		cfg_free(cfg);
		return NULL;
	}
	c = util_xcalloc(1, sizeof(*c));
	c->symlinks_outside_root = cfg_getbool(cfg, "symlinks-outside-root");
	c->directory_listing = cfg_getbool(cfg, "directory-listing");
	if (!config_check_numbers(&p, cfg, c) ||
	    !config_check_listen(&p, cfg, c) ||
	    !config_check_user(&p, cfg, c) ||
	    !config_check_docroot(&p, cfg, c) ||
	    !config_check_index(&p, cfg, c) ||
	    !config_check_status(&p, cfg, c) ||
	    !config_check_logs(&p, cfg, c)) {
		config_current = NULL;
		cfg_free(cfg);
		config_free(c);
		return NULL;
	}
	config_current = NULL;
	cfg_free(cfg);
	return c;
}

/* A configuration file larger than this is a mistake, not a config. */
#define CONFIG_FILE_MAX (1024 * 1024)

/* Reads the whole file; NULL with a message in err. */
static char *
config_read_file(const char *path, const char *name, char *err,
    size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	if ((f = fopen(path, "re")) == NULL) {
		snprintf(err, errlen, "%s: %s", name, strerror(errno));
		return NULL;
	}
	text = util_xmalloc(CONFIG_FILE_MAX + 1);
	len = fread(text, 1, CONFIG_FILE_MAX + 1, f);
	if (ferror(f) || len > CONFIG_FILE_MAX) {
		snprintf(err, errlen, "%s: %s", name, ferror(f) ?
		    strerror(errno) : "larger than 1 MiB");
		fclose(f);
		free(text);
		return NULL;
	}
	fclose(f);
	if (memchr(text, '\0', len) != NULL) {
		snprintf(err, errlen, "%s: not a text file", name);
		free(text);
		return NULL;
	}
	text[len] = '\0';
	return text;
}

struct config *
config_load(const char *path, char *err, size_t errlen)
{
	char real[PATH_MAX], dir[PATH_MAX];
	struct config *c;
	char *slash, *text;

	if (realpath(path, real) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if ((text = config_read_file(real, path, err, errlen)) == NULL)
		return NULL;
	util_strlcpy(dir, real, sizeof(dir));
	if ((slash = strrchr(dir, '/')) != NULL)
		*(slash == dir ? slash + 1 : slash) = '\0';
	c = config_parse(text, path, dir, err, errlen);
	free(text);
	if (c != NULL)
		c->path = util_xstrdup(real);
	return c;
}

struct config *
config_load_buf(const char *text, const char *name, const char *base_dir,
    char *err, size_t errlen)
{
	return config_parse(text, name, base_dir, err, errlen);
}

void
config_free(struct config *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->nlisten; i++) {
		free(c->listen[i].spec);
		free(c->listen[i].host);
		free(c->listen[i].port);
	}
	free(c->listen);
	for (size_t i = 0; i < c->nindex; i++)
		free(c->index[i]);
	free(c->index);
	for (size_t i = 0; i < c->nstatus_allow; i++)
		free(c->status_allow[i]);
	free(c->status_allow);
	free(c->status_path);
	free(c->path);
	free(c->user);
	free(c->group);
	free(c->document_root);
	free(c->pid_file);
	free(c->error_log);
	free(c->access_log);
	free(c->mime_types);
	free(c);
}
