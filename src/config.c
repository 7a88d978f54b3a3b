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
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <confuse.h>

#include "acl.h"
#include "auth.h"
#include "backend.h"
#include "config.h"
#include "http.h"
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

/*
 * The keys of a site: valid at the top level (every server's defaults),
 * in a server, and in a route.  No defaults: a key a section does not
 * set is inherited (cfg_size() is 0 for it).
 */
#define CONFIG_SITE_OPTS						\
	CFG_STR_LIST("header", NULL, CFGF_NODEFAULT),			\
	CFG_STR_LIST("error-page", NULL, CFGF_NODEFAULT),		\
	CFG_STR_LIST("allow", NULL, CFGF_NODEFAULT),			\
	CFG_STR_LIST("deny", NULL, CFGF_NODEFAULT),			\
	CFG_STR("auth-basic", NULL, CFGF_NODEFAULT),			\
	CFG_STR("auth-file", NULL, CFGF_NODEFAULT),			\
	CFG_STR_LIST("methods", NULL, CFGF_NODEFAULT),			\
	CFG_BOOL("hidden-files", cfg_false, CFGF_NODEFAULT),		\
	CFG_INT("respond", 0, CFGF_NODEFAULT),				\
	CFG_STR("body", NULL, CFGF_NODEFAULT),				\
	CFG_STR("content-type", NULL, CFGF_NODEFAULT),			\
	CFG_STR("redirect", NULL, CFGF_NODEFAULT),			\
	CFG_INT("redirect-status", 301, CFGF_NODEFAULT),		\
	CFG_BOOL("status-page", cfg_false, CFGF_NODEFAULT),		\
	CFG_BOOL("metrics", cfg_false, CFGF_NODEFAULT),			\
	CFG_STR_LIST("proxy", NULL, CFGF_NODEFAULT),			\
	CFG_BOOL("websocket", cfg_false, CFGF_NODEFAULT),		\
	CFG_STR("fastcgi", NULL, CFGF_NODEFAULT),			\
	CFG_BOOL("cgi", cfg_false, CFGF_NODEFAULT),			\
	CFG_STR("fallback", NULL, CFGF_NODEFAULT)

/* The file keys, which the top level has with their defaults. */
#define CONFIG_FILE_OPTS						\
	CFG_STR("document-root", NULL, CFGF_NODEFAULT),			\
	CFG_STR_LIST("index", NULL, CFGF_NODEFAULT),			\
	CFG_BOOL("symlinks-outside-root", cfg_false, CFGF_NODEFAULT),	\
	CFG_BOOL("directory-listing", cfg_false, CFGF_NODEFAULT)

static cfg_opt_t config_route_opts[] = {
	CONFIG_SITE_OPTS,
	CONFIG_FILE_OPTS,
	CFG_STR("alias", NULL, CFGF_NODEFAULT),
	CFG_END()
};

static cfg_opt_t config_server_opts[] = {
	CONFIG_SITE_OPTS,
	CONFIG_FILE_OPTS,
	CFG_STR_LIST("aliases", NULL, CFGF_NODEFAULT),
	CFG_BOOL("default", cfg_false, CFGF_NONE),
	CFG_STR("access-log", NULL, CFGF_NODEFAULT),
	CFG_STR("access-log-format", NULL, CFGF_NODEFAULT),
	CFG_SEC("route", config_route_opts,
	    CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
	CFG_STR_LIST("listen", NULL, CFGF_NODEFAULT),
	CFG_STR("tls-certificate", NULL, CFGF_NODEFAULT),
	CFG_STR("tls-key", NULL, CFGF_NODEFAULT),
	CFG_STR("tls-ocsp-file", NULL, CFGF_NODEFAULT),
	CFG_END()
};

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
	CFG_INT("upstream-connect-timeout", 5, CFGF_NONE),
	CFG_INT("upstream-timeout", 60, CFGF_NONE),
	CFG_INT("cgi-timeout", 60, CFGF_NONE),
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
	CFG_INT("max-connections-per-client", 0, CFGF_NONE),
	CFG_INT("client-ipv6-prefix", 64, CFGF_NONE),
	CFG_INT("file-cache-memory", 1048576, CFGF_NONE),
	CONFIG_SITE_OPTS,
	CFG_SEC("server", config_server_opts,
	    CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
	CFG_STR("access-log-format", "combined", CFGF_NONE),
	CFG_STR("access-log-escape", NULL, CFGF_NONE),
	CFG_STR("log-owner", "root", CFGF_NONE),
	CFG_STR("log-group", NULL, CFGF_NONE),
	CFG_STR("log-mode", "0640", CFGF_NONE),
	CFG_STR("tls-certificate", "", CFGF_NONE),
	CFG_STR("tls-key", "", CFGF_NONE),
	CFG_STR("tls-ocsp-file", "", CFGF_NONE),
	CFG_STR("tls-protocols", "TLSv1.2 TLSv1.3", CFGF_NONE),
	CFG_STR("tls-ciphers", "", CFGF_NONE),
	CFG_END()
};

#define CONFIG_NKEYS (UTIL_ARRAY_LEN(config_opts) - 1)

/* Where a key of a server or route section was set. */
struct config_seckey {
	const cfg_t *sec;
	const char *key;
	int line;
};

/*
 * The accepted range of every integer key, in one place: validation
 * enforces it, and every message about a bad number (out of range, not
 * a number at all, too large for the parser) states it.
 */
static const struct config_range {
	const char *key;
	long min, max;
} config_ranges[] = {
	{ "workers", 1, 1024 },
	{ "start-workers", 1, 4096 },
	{ "min-spare", 0, 4096 },
	{ "max-spare", 1, 4096 },
	{ "max-workers", 1, 4096 },
	{ "max-requests-per-worker", 0, 100000000 },
	{ "shutdown-timeout", 1, 86400 },
	{ "request-timeout", 0, 86400 },
	{ "header-timeout", 1, 3600 },
	{ "keepalive-timeout", 0, 3600 },
	{ "send-timeout", 1, 3600 },
	{ "body-timeout", 1, 3600 },
	{ "upstream-connect-timeout", 1, 3600 },
	{ "upstream-timeout", 1, 86400 },
	{ "cgi-timeout", 1, 86400 },
	{ "send-min-rate", 0, 1000000000 },
	{ "body-min-rate", 0, 1000000000 },
	{ "min-rate-window", 1, 3600 },
	{ "request-line-max", 256, 65536 },
	{ "header-field-max", 256, 65536 },
	{ "header-max", 1024, 1048576 },
	{ "header-fields-max", 1, 10000 },
	{ "body-max", 0, 1099511627776L },
	{ "keepalive-requests", 0, 1000000 },
	{ "listen-backlog", 1, 65535 },
	{ "worker-connections", 1, 65536 },
	{ "max-connections-per-client", 0, 65535 },
	{ "client-ipv6-prefix", 1, 128 },
	{ "file-cache-memory", 0, 1073741824L },
	{ "respond", 200, 599 },
	{ "redirect-status", 301, 308 },
};

/* The range of an integer key; NULL for a key that is not one. */
static const struct config_range *
config_range(const char *key)
{
	for (size_t i = 0; i < UTIL_ARRAY_LEN(config_ranges); i++)
		if (strcmp(config_ranges[i].key, key) == 0)
			return &config_ranges[i];
	return NULL;
}

/* What one parse needs besides libconfuse's own state. */
struct config_parse {
	const char *name;		/* the file, for messages */
	const char *base_dir;		/* relative paths resolve here */
	int line[CONFIG_NKEYS];		/* where each key was set; 0: default */
	const cfg_t *top;
	struct config_seckey *seckey;	/* the sections' keys, as parsed */
	size_t nseckey, capseckey;
	int *server_line, *route_line;	/* where sections start, in order */
	size_t nserver_line, nroute_line;
	size_t nroutes_seen;		/* routes of the servers before */
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
	/* One line, whatever the file put in a name or value it quotes. */
	for (char *q = msg; *q != '\0'; q++)
		if ((unsigned char)*q < 0x20 || *q == 0x7f)
			*q = '?';
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
	size_t n;
	va_list ap;

	va_start(ap, fmt);
	config_verror(p, i >= 0 ? p->line[i] : 0, fmt, ap);
	va_end(ap);
	/* No line to point at: the file does not set the key. */
	if (i >= 0 && p->line[i] == 0 && (n = strlen(p->err)) < p->errlen)
		snprintf(p->err + n, p->errlen - n, " (the default; set %s "
		    "to change it)", key);
}

/* config_error() at line, a key's in a section; a line of 0 is a
 * top-level key the file leaves to its default. */
static void __attribute__((format(printf, 4, 5)))
config_error_at(struct config_parse *p, int line, const char *key,
    const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0)
		config_report(p, line, "%s", msg);
	else
		config_error(p, key, "%s", msg);
}

/*
 * The known name nearest to name in opts, or NULL when none is near
 * enough to be what was meant: at most one edit per four characters,
 * plus one.  opts is the table of the section the name was found in
 * (libconfuse hands the error function that section's cfg_t), so a typo
 * inside a section is matched against that section's keys and the names
 * of its own sections.  The first of equally near names wins.
 */
static const char *
config_suggest(const cfg_opt_t *opts, const char *name)
{
	size_t len = strlen(name), best_d = len / 4 + 2;
	const char *best = NULL;

	for (const cfg_opt_t *o = opts; o != NULL && o->name != NULL; o++) {
		size_t d = util_edit_distance(name, o->name);

		if (d < best_d && d < len) {
			best = o->name;
			best_d = d;
		}
	}
	return best;
}

/* The text between the first and the last ' of msg, into out. */
static bool
config_quoted(const char *msg, char *out, size_t cap)
{
	const char *a = strchr(msg, '\''), *b = strrchr(msg, '\'');

	if (a == NULL || b == a || (size_t)(b - a - 1) >= cap)
		return false;
	memcpy(out, a + 1, (size_t)(b - a - 1));
	out[b - a - 1] = '\0';
	return true;
}

static bool
config_starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/*
 * libconfuse's messages about a value or a key, said in the words of our
 * documentation, with what would have been accepted: the range of an
 * integer, the forms of a boolean, the nearest known key.
 */
static void __attribute__((format(printf, 2, 0)))
config_confuse_error(cfg_t *cfg, const char *fmt, va_list ap)
{
	const struct config_range *r;
	const char *near;
	char msg[512], name[128];

	if (config_current == NULL)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (!config_quoted(msg, name, sizeof(name))) {
		config_report(config_current, cfg->line, "%s", msg);
	} else if (config_starts(msg, "no such option ")) {
		near = config_suggest(cfg->opts, name);
		config_report(config_current, cfg->line,
		    "unknown key '%s'%s%s%s", name, near != NULL ? "; did you mean '" : "",
		    near != NULL ? near : "", near != NULL ? "'?" : "");
	} else if ((config_starts(msg, "invalid integer value") ||
	    config_starts(msg, "integer value for option")) &&
	    (r = config_range(name)) != NULL) {
		config_report(config_current, cfg->line, "%s: %s %ld..%ld",
		    name, config_starts(msg, "invalid") ? "not a whole "
		    "number; expected" : "value out of range", r->min, r->max);
	} else if (config_starts(msg, "invalid boolean value")) {
		config_report(config_current, cfg->line, "%s: not a boolean; "
		    "expected true or false (or yes/no, on/off)", name);
	} else {
		config_report(config_current, cfg->line, "%s", msg);
	}
}

/* A key inside a section: kept in a list, read only for messages. */
static void
config_note_seckey(struct config_parse *p, const cfg_t *sec, const char *key,
    int line)
{
	for (size_t i = 0; i < p->nseckey; i++)
		if (p->seckey[i].sec == sec && strcmp(p->seckey[i].key, key) ==
		    0)
			return;
	if (p->nseckey == p->capseckey) {
		p->capseckey = p->capseckey ? 2 * p->capseckey : 64;
		p->seckey = realloc(p->seckey, p->capseckey *
		    sizeof(*p->seckey));
		if (p->seckey == NULL) {
			fprintf(stderr, "forkhttpd: out of memory\n");
			exit(1);
		}
	}
	p->seckey[p->nseckey++] = (struct config_seckey){ sec, key, line };
}

/* Called by libconfuse after each key is parsed: remember its line. */
static int
config_note_line(cfg_t *cfg, cfg_opt_t *opt)
{
	int i = config_key_index(opt->name);

	if (config_current != NULL && cfg != config_current->top) {
		config_note_seckey(config_current, cfg, opt->name, cfg->line);
		return 0;
	}

	/* A list keeps the line it starts on; a repeated scalar, its last. */
	if (config_current != NULL && i >= 0 &&
	    (config_current->line[i] == 0 || !(opt->flags & CFGF_LIST)))
		config_current->line[i] = cfg->line;
	return 0;
}

static bool
config_int(struct config_parse *p, cfg_t *cfg, const char *key, long *out)
{
	const struct config_range *r = config_range(key);
	long v = cfg_getint(cfg, key);

	if (r == NULL) {
		/* A key validated here but missing from config_ranges[]. */
		config_error(p, key, "%s: no range known (a bug)", key);
		return false;
	}
	if (v < r->min || v > r->max) {
		config_error(p, key, "%s: value %ld out of range %ld..%ld", key,
		    v, r->min, r->max);
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

static bool config_listen_addr(struct config_parse *p, const char *spec,
    struct config_listen *l);

/*
 * A listen entry: an address, then " tls" for HTTPS.  The address alone
 * is the spec a reload compares, so a listener may change its kind and
 * stay bound.
 */
static bool
config_listen_parse(struct config_parse *p, const char *spec,
    struct config_listen *l)
{
	char addr[300];
	size_t len = strlen(spec);

	memset(l, 0, sizeof(*l));
	/* Anything else is an address, or said to be bad as one. */
	if (len > 4 && strcmp(spec + len - 4, " tls") == 0 &&
	    len - 4 < sizeof(addr)) {
		memcpy(addr, spec, len - 4);
		addr[len - 4] = '\0';
		l->tls = true;
		return config_listen_addr(p, addr, l);
	}
	return config_listen_addr(p, spec, l);
}

/*
 * "addr:port", "[v6]:port", "*:port" or a bare "port".  Host names are
 * resolved when the listener is bound, where "does not resolve" is a
 * start-up error.
 */
static bool
config_listen_addr(struct config_parse *p, const char *spec,
    struct config_listen *l)
{
	const char *colon, *port;
	char host[256];
	uint64_t portnum;
	size_t hlen;

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
			config_error(p, "listen", "listen: \"%s\": bad "
			    "address; expected \"[address]:port\"", spec);
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
			config_error(p, "listen", "listen: \"%s\": bad "
			    "address; expected \"host:port\", \"*:port\" or "
			    "\"port\"", spec);
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
		config_error(p, "listen", "listen: \"%s\": bad port \"%s\"; "
		    "expected a number in 1..65535", spec, port);
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
		config_error(p, "user", "user: must not be empty; expected "
		    "a user name");
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

/* ---------------------------------------------------------------- */
/* Sites: servers, routes and the keys they inherit */

/* Keeps ptr until the configuration is freed; returns it. */
static void *
config_own(struct config *c, void *ptr)
{
	if (c->nowned == c->capowned) {
		c->capowned = c->capowned ? 2 * c->capowned : 64;
		c->owned = realloc(c->owned, c->capowned * sizeof(*c->owned));
		if (c->owned == NULL) {
			fprintf(stderr, "forkhttpd: out of memory\n");
			exit(1);
		}
	}
	c->owned[c->nowned++] = ptr;
	return ptr;
}

static char *
config_own_str(struct config *c, const char *s)
{
	return config_own(c, util_xstrdup(s));
}

/* The line key was set on in sec, else the section's own. */
static int
config_sec_line(const struct config_parse *p, const cfg_t *sec,
    const char *key)
{
	if (sec == p->top) {
		int i = config_key_index(key);

		return i >= 0 ? p->line[i] : 0;
	}
	for (size_t i = 0; i < p->nseckey; i++)
		if (p->seckey[i].sec == sec && strcmp(p->seckey[i].key, key) ==
		    0)
			return p->seckey[i].line;
	return key[0] != '\0' ? config_sec_line(p, sec, "") : sec->line;
}

/* Records where sec starts: the nth section of its kind in the file. */
static int
config_sec_start(struct config_parse *p, const cfg_t *sec, const int *lines,
    size_t nlines, size_t nth)
{
	int line = nth < nlines ? lines[nth] : sec->line;

	config_note_seckey(p, sec, "", line);
	return line;
}

/* An error in sec's key, said as `server "a": route "/b": key: ...`. */
static void __attribute__((format(printf, 4, 5)))
config_sec_error(struct config_parse *p, const cfg_t *sec, const char *key,
    const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (sec == p->top)
		config_report(p, config_sec_line(p, sec, key), "%s: %s", key,
		    msg);
	else
		config_report(p, config_sec_line(p, sec, key), "%s \"%s\": "
		    "%s: %s", cfg_name((cfg_t *)sec),
		    cfg_title((cfg_t *)sec), key, msg);
}

static void __attribute__((format(printf, 3, 4)))
config_warn(struct config_parse *p, struct config *c, const char *fmt, ...)
{
	char msg[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->warnings = realloc(c->warnings, (c->nwarnings + 1) *
	    sizeof(*c->warnings));
	if (c->warnings == NULL) {
		fprintf(stderr, "forkhttpd: out of memory\n");
		exit(1);
	}
	(void)p;
	c->warnings[c->nwarnings++] = util_xstrdup(msg);
}

static bool
config_set(cfg_t *sec, const char *key)
{
	return cfg_size(sec, key) > 0;
}

/* The real path of an existing directory, or NULL (reported). */
static char *
config_dir(struct config_parse *p, const cfg_t *sec, const char *key,
    const char *value)
{
	char *path = config_path(p, value);
	char real[PATH_MAX];
	struct stat st;

	if (realpath(path, real) == NULL || stat(real, &st) < 0) {
		config_sec_error(p, sec, key, "%s: %s", path, strerror(errno));
		free(path);
		return NULL;
	}
	free(path);
	if (!S_ISDIR(st.st_mode)) {
		config_sec_error(p, sec, key, "%s: not a directory", real);
		return NULL;
	}
	return util_xstrdup(real);
}

/* The index of the root (path, rule) in c->roots, added if new. */
static size_t
config_root(struct config *c, const char *path, bool symlinks)
{
	for (size_t i = 0; i < c->nroots; i++)
		if (strcmp(c->roots[i].path, path) == 0 &&
		    c->roots[i].symlinks_outside_root == symlinks)
			return i;
	c->roots = realloc(c->roots, (c->nroots + 1) * sizeof(*c->roots));
	if (c->roots == NULL) {
		fprintf(stderr, "forkhttpd: out of memory\n");
		exit(1);
	}
	c->roots[c->nroots].path = util_xstrdup(path);
	c->roots[c->nroots].symlinks_outside_root = symlinks;
	return c->nroots++;
}

/* `index`: file names in a directory, nothing more. */
static bool
config_index_list(struct config_parse *p, cfg_t *sec, char ***out,
    size_t *n)
{
	unsigned k = cfg_size(sec, "index");

	*out = util_xcalloc(k + 1, sizeof(**out));
	*n = 0;
	for (unsigned i = 0; i < k; i++) {
		const char *name = cfg_getnstr(sec, "index", i);

		if (name[0] == '\0' || strchr(name, '/') != NULL ||
		    strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
			config_sec_error(p, sec, "index", "\"%s\" is not a file "
			    "name (one name in the directory, no '/')", name);
			return false;
		}
		(*out)[(*n)++] = util_xstrdup(name);
	}
	return true;
}

/* The file keys of a section: the root (document-root or alias, and
 * the symlink rule), index and directory-listing. */
static bool
config_scope_files(struct config_parse *p, struct config *c, cfg_t *sec,
    struct config_scope *s, bool route)
{
	const struct config_root *parent = &c->roots[s->root];
	bool symlinks = parent->symlinks_outside_root;
	char *dir = NULL;

	if (config_set(sec, "symlinks-outside-root"))
		symlinks = cfg_getbool(sec, "symlinks-outside-root");
	if (route && config_set(sec, "document-root") &&
	    config_set(sec, "alias")) {
		config_sec_error(p, sec, "alias", "a route has document-root "
		    "(the path is appended) or alias (it replaces the prefix), "
		    "not both");
		return false;
	}
	if (config_set(sec, "document-root")) {
		dir = config_dir(p, sec, "document-root",
		    cfg_getstr(sec, "document-root"));
		s->alias = false;
	} else if (route && config_set(sec, "alias")) {
		dir = config_dir(p, sec, "alias", cfg_getstr(sec, "alias"));
		s->alias = true;
	} else {
		dir = util_xstrdup(parent->path);
	}
	if (dir == NULL)
		return false;
	s->root = config_root(c, dir, symlinks);
	free(dir);
	if (config_set(sec, "index")) {
		char **list;
		size_t n;
		bool ok = config_index_list(p, sec, &list, &n);

		config_own(c, list);
		for (size_t i = 0; i < n; i++)
			config_own(c, list[i]);
		if (!ok)
			return false;
		s->index = list;
		s->nindex = n;
	}
	if (config_set(sec, "directory-listing"))
		s->directory_listing = cfg_getbool(sec, "directory-listing");
	c->any_listing |= s->directory_listing;
	return true;
}

/* Fields the server frames the message with, or keeps to itself. */
static bool
config_header_reserved(const char *name, size_t len)
{
	static const char *const reserved[] = {
		"Connection", "Content-Length", "Date", "Keep-Alive",
		"Proxy-Connection", "TE", "Trailer", "Transfer-Encoding",
		"Upgrade",
	};

	for (size_t i = 0; i < UTIL_ARRAY_LEN(reserved); i++)
		if (strlen(reserved[i]) == len &&
		    strncasecmp(reserved[i], name, len) == 0)
			return true;
	return false;
}

/* Room a response keeps for its handler's own fields. */
#define CONFIG_HEADERS_MAX 16
#define CONFIG_HEADER_BYTES 2048

/* "Name: value", RFC 9110 §5.1 and §5.5. */
static bool
config_header_parse(struct config_parse *p, cfg_t *sec, const char *e,
    struct config_header *h)
{
	const char *colon = strchr(e, ':'), *v, *end;

	for (h->name = e; e < colon && http_is_tchar((unsigned char)*e); e++)
		;
	if (colon == NULL || e != colon || colon == h->name) {
		config_sec_error(p, sec, "header", "\"%s\" is not \"Name: "
		    "value\" (a name is a token, RFC 9110 §5.1)", h->name);
		return false;
	}
	h->name_len = (size_t)(colon - h->name);
	if (config_header_reserved(h->name, h->name_len)) {
		config_sec_error(p, sec, "header", "%.*s is set by the server "
		    "itself", (int)h->name_len, h->name);
		return false;
	}
	for (v = colon + 1; http_is_ows((unsigned char)*v); v++)
		;
	for (end = v + strlen(v); end > v &&
	    http_is_ows((unsigned char)end[-1]); end--)
		;
	for (const char *q = v; q < end; q++)
		if ((unsigned char)*q < 0x20 && *q != '\t') {
			config_sec_error(p, sec, "header", "\"%s\": a control "
			    "character in the value", h->name);
			return false;
		}
	h->value = v;
	h->value_len = (size_t)(end - v);
	return true;
}

/* `header`: the parent's fields, then this section's. */
static bool
config_scope_headers(struct config_parse *p, struct config *c, cfg_t *sec,
    struct config_scope *s)
{
	unsigned n = cfg_size(sec, "header");
	struct config_header *h;
	size_t bytes = 0;

	s->nheaders_inherited = s->nheaders;
	if (n == 0)
		return true;
	if (s->nheaders + n > CONFIG_HEADERS_MAX) {
		config_sec_error(p, sec, "header", "more than %d fields (with "
		    "those inherited)", CONFIG_HEADERS_MAX);
		return false;
	}
	h = config_own(c, util_xcalloc(s->nheaders + n, sizeof(*h)));
	/* The first list has nothing to copy, and headers is NULL. */
	if (s->nheaders > 0)
		memcpy(h, s->headers, s->nheaders * sizeof(*h));
	for (unsigned i = 0; i < n; i++) {
		const char *e = config_own_str(c, cfg_getnstr(sec, "header", i));

		if (!config_header_parse(p, sec, e, &h[s->nheaders + i]))
			return false;
	}
	for (size_t i = 0; i < s->nheaders + n; i++)
		bytes += h[i].name_len + h[i].value_len + 4;
	if (bytes > CONFIG_HEADER_BYTES) {
		config_sec_error(p, sec, "header", "the fields take more than "
		    "%d bytes (with those inherited)", CONFIG_HEADER_BYTES);
		return false;
	}
	s->headers = h;
	s->nheaders += n;
	return true;
}

/* One `error-page` entry: "404 /404.html", "500 502 503 /50x.html". */
static bool
config_error_page_parse(struct config_parse *p, struct config *c,
    cfg_t *sec, const char *e, struct config_error_page *out, size_t *n)
{
	const char *path = strrchr(e, ' ');
	const char *q = e;

	path = path != NULL ? path + 1 : e;
	if (path[0] != '/' || strpbrk(path, "?#\t") != NULL || path == e) {
		config_sec_error(p, sec, "error-page", "\"%s\" is not \"STATUS "
		    "... /path\"", e);
		return false;
	}
	path = config_own_str(c, path);
	while (q < e + strlen(e) - strlen(path)) {
		uint64_t status;
		size_t len = strcspn(q, " ");

		if (len == 0) {
			q++;
			continue;
		}
		if (!util_parse_u64(q, len, 999, &status) || status < 400 ||
		    status > 599) {
			config_sec_error(p, sec, "error-page", "\"%.*s\" is not "
			    "a status 400..599", (int)len, q);
			return false;
		}
		out[(*n)++] = (struct config_error_page){ (int)status, path };
		q += len;
	}
	return true;
}

/* `error-page`: this section's statuses, then the parent's. */
static bool
config_scope_errors(struct config_parse *p, struct config *c, cfg_t *sec,
    struct config_scope *s)
{
	unsigned n = cfg_size(sec, "error-page");
	struct config_error_page *e;
	size_t k = 0, most = 0;

	if (n == 0)
		return true;
	for (unsigned i = 0; i < n; i++)
		most += strlen(cfg_getnstr(sec, "error-page", i)) / 2 + 1;
	e = config_own(c, util_xcalloc(most + s->nerror_pages, sizeof(*e)));
	for (unsigned i = 0; i < n; i++)
		if (!config_error_page_parse(p, c, sec,
		    cfg_getnstr(sec, "error-page", i), e, &k))
			return false;
	/* The parent's, but for the statuses this section maps itself. */
	for (size_t i = 0; i < s->nerror_pages; i++) {
		size_t j = 0;

		while (j < k && e[j].status != s->error_pages[i].status)
			j++;
		if (j == k)
			e[k++] = s->error_pages[i];
	}
	s->error_pages = e;
	s->nerror_pages = k;
	return true;
}

/* An `allow` or `deny` list, each entry checked. */
static bool
config_scope_net_list(struct config_parse *p, struct config *c, cfg_t *sec,
    const char *key, char *const **out, size_t *nout)
{
	unsigned n = cfg_size(sec, key);
	char **list = config_own(c, util_xcalloc(n + 1, sizeof(*list)));

	for (unsigned i = 0; i < n; i++) {
		const char *a = cfg_getnstr(sec, key, i);

		if (!config_valid_network(a)) {
			config_sec_error(p, sec, key, "\"%s\" is not an "
			    "address, a network (\"10.0.0.0/8\") or \"all\"",
			    a);
			return false;
		}
		list[i] = config_own_str(c, a);
	}
	*out = n > 0 ? list : NULL;
	*nout = n;
	return true;
}

/* The lists of s, parsed once here for every request. */
static void
config_scope_acl(struct config *c, struct config_scope *s)
{
	struct acl *a = util_xcalloc(1, sizeof(*a));

	for (size_t i = 0; i < s->ndeny; i++)
		if (acl_add(a, ACL_DENY, s->deny[i]) < 0)
			goto oom;
	for (size_t i = 0; i < s->nallow; i++)
		if (acl_add(a, ACL_ALLOW, s->allow[i]) < 0)
			goto oom;
	c->acls = realloc(c->acls, (c->nacls + 1) * sizeof(*c->acls));
	if (c->acls == NULL)
		goto oom;
	c->acls[c->nacls++] = a;
	s->acl = acl_empty(a) ? NULL : a;
	return;
oom:
	fprintf(stderr, "forkhttpd: out of memory\n");
	exit(1);
}

/* The htpasswd file at path, loaded once however many scopes use it. */
static const struct auth_file *
config_auth_file(struct config_parse *p, struct config *c, cfg_t *sec,
    const char *path)
{
	char err[512];
	struct auth_file *f;

	for (size_t i = 0; i < c->nauths; i++)
		if (strcmp(c->auth_paths[i], path) == 0)
			return c->auths[i];
	if ((f = auth_load(path, err, sizeof(err))) == NULL) {
		config_report(p, config_sec_line(p, sec, "auth-file"),
		    "auth-file: %s", err);
		return NULL;
	}
	c->auths = realloc(c->auths, (c->nauths + 1) * sizeof(*c->auths));
	c->auth_paths = realloc(c->auth_paths, (c->nauths + 1) *
	    sizeof(*c->auth_paths));
	if (c->auths == NULL || c->auth_paths == NULL) {
		fprintf(stderr, "forkhttpd: out of memory\n");
		exit(1);
	}
	c->auth_paths[c->nauths] = config_own_str(c, path);
	c->auths[c->nauths++] = f;
	return f;
}

/* The password: auth-basic (a realm, or "off") and auth-file. */
static bool
config_scope_auth(struct config_parse *p, struct config *c, cfg_t *sec,
    struct config_scope *s)
{
	char challenge[512];

	if (config_set(sec, "auth-file")) {
		s->auth_file = config_own(c, config_path(p,
		    cfg_getstr(sec, "auth-file")));
		s->auth = NULL;
	}
	if (config_set(sec, "auth-basic")) {
		const char *realm = cfg_getstr(sec, "auth-basic");

		s->auth_realm = strcmp(realm, "off") == 0 ? NULL :
		    config_own_str(c, realm);
	}
	if (s->auth_realm == NULL) {
		s->auth = NULL;
		return true;
	}
	if (s->auth_file == NULL) {
		config_sec_error(p, sec, "auth-basic", "needs auth-file (the "
		    "htpasswd file)");
		return false;
	}
	if (auth_challenge(s->auth_realm, challenge, sizeof(challenge)) == 0) {
		config_sec_error(p, sec, "auth-basic", "\"%s\": a control "
		    "character, or too long", s->auth_realm);
		return false;
	}
	s->auth_challenge = config_own_str(c, challenge);
	if (s->auth == NULL &&
	    (s->auth = config_auth_file(p, c, sec, s->auth_file)) == NULL)
		return false;
	return true;
}

/* allow, deny (set either, and both lists are this section's), and
 * the password. */
static bool
config_scope_access(struct config_parse *p, struct config *c, cfg_t *sec,
    struct config_scope *s)
{
	if (config_set(sec, "allow") || config_set(sec, "deny")) {
		if (!config_scope_net_list(p, c, sec, "allow", &s->allow,
		    &s->nallow) ||
		    !config_scope_net_list(p, c, sec, "deny", &s->deny,
		    &s->ndeny))
			return false;
		config_scope_acl(c, s);
	}
	return config_scope_auth(p, c, sec, s);
}

/* `methods`: which methods the section answers (GET brings HEAD). */
static bool
config_scope_methods(struct config_parse *p, struct config *c, cfg_t *sec,
    struct config_scope *s)
{
	unsigned n = cfg_size(sec, "methods");
	char field[128] = "";
	unsigned mask = 0;

	if (n == 0)
		return true;
	for (unsigned i = 0; i < n; i++) {
		const char *m = cfg_getnstr(sec, "methods", i);
		enum http_method k = http_method_lookup(m, strlen(m));

		if (k == HTTP_METHOD_UNKNOWN) {
			config_sec_error(p, sec, "methods", "\"%s\" is not GET, "
			    "HEAD, POST, PUT, DELETE, CONNECT, OPTIONS, TRACE "
			    "or PATCH (upper case)", m);
			return false;
		}
		mask |= 1u << k;
	}
	/* GET brings HEAD (RFC 9110 §9.3.2: HEAD is GET without content);
	 * OPTIONS, which says what the route allows, is always answered. */
	if (mask & (1u << HTTP_METHOD_GET))
		mask |= 1u << HTTP_METHOD_HEAD;
	mask |= 1u << HTTP_METHOD_OPTIONS;
	for (int k = 1; k < HTTP_METHOD_COUNT; k++)
		if (mask & (1u << k))
			snprintf(field + strlen(field), sizeof(field) -
			    strlen(field), "%s%s", field[0] ? ", " : "",
			    http_method_name((enum http_method)k));
	s->methods = mask;
	s->allow_field = config_own_str(c, field);
	return true;
}

/* The applications' addresses, parsed and resolved (backend.h). */
static bool
config_scope_backends(struct config_parse *p, struct config *c, cfg_t *sec,
    const char *key, char *const *specs, size_t n, struct config_scope *s)
{
	struct backend *b = config_own(c, util_xcalloc(n, sizeof(*b)));
	char err[256];

	for (size_t i = 0; i < n; i++) {
		if (backend_parse(specs[i], s->handler == CONFIG_HANDLER_PROXY,
		    &b[i], err, sizeof(err)) < 0) {
			config_sec_error(p, sec, key, "%s", err);
			return false;
		}
		if (b[i].prefix != NULL)
			config_own(c, b[i].prefix);
		if (b[i].host != NULL)
			config_own(c, b[i].host);
	}
	s->backends = b;
	s->nbackends = n;
	return true;
}

/*
 * proxy (with websocket), fastcgi, cgi: the applications.  The addresses
 * are checked where they are used (backend.c); here only that they are
 * there.
 */
static bool
config_scope_app(struct config_parse *p, struct config *c, cfg_t *sec,
    struct config_scope *s)
{
	if (config_set(sec, "proxy")) {
		unsigned n = cfg_size(sec, "proxy");
		char **v;

		if (n == 0) {
			config_sec_error(p, sec, "proxy", "names no upstream");
			return false;
		}
		v = config_own(c, util_xcalloc(n + 1, sizeof(*v)));
		for (unsigned i = 0; i < n; i++)
			v[i] = config_own_str(c, cfg_getnstr(sec, "proxy", i));
		s->handler = CONFIG_HANDLER_PROXY;
		s->proxy = v;
		s->nproxy = n;
	}
	if (config_set(sec, "websocket")) {
		if (!config_set(sec, "proxy")) {
			config_sec_error(p, sec, "websocket", "goes with proxy");
			return false;
		}
		s->websocket = cfg_getbool(sec, "websocket");
	}
	if (config_set(sec, "fastcgi")) {
		s->handler = CONFIG_HANDLER_FASTCGI;
		s->fastcgi = config_own_str(c, cfg_getstr(sec, "fastcgi"));
	}
	if (config_set(sec, "cgi") && cfg_getbool(sec, "cgi"))
		s->handler = CONFIG_HANDLER_CGI;
	if (s->handler == CONFIG_HANDLER_PROXY)
		return config_scope_backends(p, c, sec, "proxy", s->proxy,
		    s->nproxy, s);
	if (s->handler == CONFIG_HANDLER_FASTCGI)
		return config_scope_backends(p, c, sec, "fastcgi",
		    (char *const *)&s->fastcgi, 1, s);
	return true;
}

/* The keys that answer a request, of which a section sets one. */
static const char *const config_handler_keys[] = {
	"respond", "redirect", "status-page", "metrics", "proxy", "fastcgi",
	"cgi"
};

/* How many of them sec sets (a boolean set false does not count), and
 * the first. */
static unsigned
config_handlers_set(cfg_t *sec, const char **first)
{
	unsigned n = 0;

	for (size_t i = 0; i < sizeof(config_handler_keys) /
	    sizeof(config_handler_keys[0]); i++) {
		const char *k = config_handler_keys[i];
		bool on = config_set(sec, k);

		if (on && (!strcmp(k, "status-page") || !strcmp(k, "metrics") ||
		    !strcmp(k, "cgi")))
			on = cfg_getbool(sec, k);
		if (on && n++ == 0)
			*first = k;
	}
	return n;
}

/* respond (with body and content-type), redirect (with
 * redirect-status), status-page, metrics, or an application: at most
 * one, never inherited. */
static bool
config_scope_handler(struct config_parse *p, struct config *c, cfg_t *sec,
    struct config_scope *s)
{
	bool respond = config_set(sec, "respond");
	bool redirect = config_set(sec, "redirect");
	bool status = config_set(sec, "status-page") &&
	    cfg_getbool(sec, "status-page");
	bool metrics = config_set(sec, "metrics") &&
	    cfg_getbool(sec, "metrics");

	const char *first = NULL;

	if (config_handlers_set(sec, &first) > 1) {
		config_sec_error(p, sec, first, "respond, redirect, "
		    "status-page, metrics, proxy, fastcgi and cgi each answer "
		    "the request: set one");
		return false;
	}
	if (!config_scope_app(p, c, sec, s))
		return false;
	if (metrics) {
		s->handler = CONFIG_HANDLER_METRICS;
		c->any_metrics = true;
	}
	if (!respond && (config_set(sec, "body") ||
	    config_set(sec, "content-type"))) {
		config_sec_error(p, sec, config_set(sec, "body") ? "body" :
		    "content-type", "goes with respond");
		return false;
	}
	if (!redirect && config_set(sec, "redirect-status")) {
		config_sec_error(p, sec, "redirect-status", "goes with "
		    "redirect");
		return false;
	}
	if (status) {
		s->handler = CONFIG_HANDLER_STATUS;
		c->any_status_page = true;
	}
	if (respond) {
		long v = cfg_getint(sec, "respond");

		if (v < 200 || v > 599) {
			config_sec_error(p, sec, "respond", "%ld is not a status "
			    "200..599", v);
			return false;
		}
		s->handler = CONFIG_HANDLER_RESPOND;
		s->status = (int)v;
		if (config_set(sec, "body")) {
			s->body = config_own_str(c, cfg_getstr(sec, "body"));
			s->body_len = strlen(s->body);
			s->content_type = "text/plain";
		}
		if (config_set(sec, "content-type"))
			s->content_type = config_own_str(c,
			    cfg_getstr(sec, "content-type"));
	}
	if (redirect) {
		const char *t = cfg_getstr(sec, "redirect");
		long v = config_set(sec, "redirect-status") ?
		    cfg_getint(sec, "redirect-status") : 301;

		if (v != 301 && v != 302 && v != 303 && v != 307 && v != 308) {
			config_sec_error(p, sec, "redirect-status", "%ld is not "
			    "301, 302, 303, 307 or 308", v);
			return false;
		}
		if (t[0] == '\0' || strpbrk(t, " \t\r\n") != NULL) {
			config_sec_error(p, sec, "redirect", "\"%s\" is not a "
			    "URL", t);
			return false;
		}
		s->handler = CONFIG_HANDLER_REDIRECT;
		s->status = (int)v;
		s->target = config_own_str(c, t);
	}
	return true;
}

/* The keys every level has; the handler is its own, never inherited. */
static bool
config_scope_site(struct config_parse *p, struct config *c, cfg_t *sec,
    struct config_scope *s)
{
	s->handler = CONFIG_HANDLER_STATIC;
	s->status = 0;
	s->target = s->body = s->content_type = NULL;
	s->body_len = 0;
	s->proxy = NULL;
	s->nproxy = 0;
	s->websocket = false;
	s->fastcgi = NULL;
	s->backends = NULL;
	s->nbackends = 0;
	if (config_set(sec, "hidden-files"))
		s->hidden_files = cfg_getbool(sec, "hidden-files");
	if (config_set(sec, "fallback")) {
		const char *f = cfg_getstr(sec, "fallback");

		if (f[0] == '\0') {
			s->fallback = NULL;	/* "": none, not the parent's */
		} else if (f[0] != '/' || strpbrk(f, "?# \t\r\n") != NULL) {
			config_sec_error(p, sec, "fallback", "\"%s\" is not a "
			    "path (\"/index.php\"), or \"\" for none", f);
			return false;
		} else {
			s->fallback = config_own_str(c, f);
		}
	}
	return config_scope_headers(p, c, sec, s) &&
	    config_scope_errors(p, c, sec, s) &&
	    config_scope_access(p, c, sec, s) &&
	    config_scope_methods(p, c, sec, s) &&
	    config_scope_handler(p, c, sec, s);
}

/* A section's scope: its parent's, overridden by what it sets. */
static bool
config_scope_section(struct config_parse *p, struct config *c, cfg_t *sec,
    const struct config_scope *parent, struct config_scope *s, bool route)
{
	*s = *parent;
	s->line = config_sec_line(p, sec, "");
	return config_scope_files(p, c, sec, s, route) &&
	    config_scope_site(p, c, sec, s);
}

static void
config_lint_warn(void *arg, int a, int b, const char *why)
{
	void **ctx = arg;
	struct config_parse *p = ctx[0];
	struct config *c = ctx[1];
	const struct config_server *srv = ctx[2];

	config_warn(p, c, "%s:%d: route \"%s\": %s (route \"%s\", line %d)",
	    p->name, srv->routes[a].s.line, srv->routes[a].pattern, why,
	    srv->routes[b].pattern, srv->routes[b].s.line);
}

static bool
config_server_routes(struct config_parse *p, struct config *c, cfg_t *sec,
    struct config_server *srv)
{
	unsigned n = cfg_size(sec, "route");
	void *ctx[3] = { p, c, srv };
	char err[400];

	srv->routes = config_own(c, util_xcalloc(n + 1,
	    sizeof(*srv->routes)));
	if ((srv->table = route_table_new()) == NULL) {
		config_report(p, sec->line, "out of memory");
		return false;
	}
	for (unsigned i = 0; i < n; i++) {
		cfg_t *r = cfg_getnsec(sec, "route", i);
		struct config_route *route = &srv->routes[i];
		const char *pat = cfg_title(r);
		int line = config_sec_start(p, r, p->route_line, p->nroute_line,
		    p->nroutes_seen + i);

		route->pattern = config_own_str(c, pat);
		if (!config_scope_section(p, c, r, &srv->s, &route->s, true))
			return false;
		route->s.line = line;
		if (route_table_add(srv->table, pat, (int)i, err,
		    sizeof(err)) < 0) {
			config_report(p, line, "route \"%s\": %s", pat, err);
			return false;
		}
		if (route->s.alias && pat[0] != '/' &&
		    strncmp(pat, "^~", 2) != 0) {
			config_sec_error(p, r, "alias", "only a prefix route "
			    "has a prefix to replace");
			return false;
		}
		srv->nroutes++;
	}
	p->nroutes_seen += n;
	route_table_lint(srv->table, config_lint_warn, ctx);
	return true;
}

static bool config_is_syslog(const char *v);

/*
 * A server's own access-log (and access-log-format, else the top
 * level's): another entry of c->access_logs, whose index the server
 * keeps; "off" logs nothing for it.  Without the key, the server logs
 * to the top level's (index 0).
 */
static bool
config_server_log(struct config_parse *p, struct config *c, cfg_t *sec,
    cfg_t *top, struct config_server *srv)
{
	const char *v = config_set(sec, "access-log") ?
	    cfg_getstr(sec, "access-log") : NULL;
	const char *spec = config_set(sec, "access-log-format") ?
	    cfg_getstr(sec, "access-log-format") :
	    cfg_getstr(top, "access-log-format");
	struct log_access_conf *a;
	char err[320];
	int rc;

	srv->access_log = 0;
	if (v == NULL)
		return true;
	if (v[0] == '\0' || strcmp(v, "off") == 0) {
		srv->access_log = -1;
		return true;
	}
	c->access_logs = realloc(c->access_logs, (c->naccess_logs + 1) *
	    sizeof(*c->access_logs));
	if (c->access_logs == NULL) {
		fprintf(stderr, "forkhttpd: out of memory\n");
		exit(1);
	}
	a = &c->access_logs[c->naccess_logs];
	memset(a, 0, sizeof(*a));
	a->format = log_format_compile(spec != NULL ? spec : "",
	    log_format_default_escape(spec != NULL ? spec : ""), err,
	    sizeof(err));
	if (a->format == NULL) {
		config_sec_error(p, sec, "access-log-format", "%s", err);
		return false;
	}
	srv->access_log = (int)c->naccess_logs++;
	srv->access_log_line = config_sec_line(p, sec, "access-log");
	c->log.access = c->access_logs;
	c->log.naccess = c->naccess_logs;
	if (strcmp(v, "-") != 0 && !config_is_syslog(v))
		v = config_own(c, config_path(p, v));
	if ((rc = log_target_syslog(v, true, &a->target, err, sizeof(err))) <
	    0) {
		config_sec_error(p, sec, "access-log", "%s", err);
		return false;
	}
	if (rc == 0) {
		a->target.kind = strcmp(v, "-") == 0 ? LOG_TO_STD : LOG_TO_FILE;
		a->target.path = v;
	}
	return true;
}

/* A server section: its names, its keys, its routes. */
static bool
config_server(struct config_parse *p, struct config *c, cfg_t *sec,
    size_t i, const struct config_scope *top)
{
	struct config_server *srv = &c->servers[i];
	unsigned n = cfg_size(sec, "aliases");
	char err[400];

	int line = config_sec_start(p, sec, p->server_line, p->nserver_line,
	    i);

	srv->name = config_own_str(c, cfg_title(sec));
	srv->is_default = cfg_getbool(sec, "default");
	if (!config_server_log(p, c, sec, (cfg_t *)p->top, srv))
		return false;
	if (!config_scope_section(p, c, sec, top, &srv->s, false))
		return false;
	srv->s.line = line;
	if (!config_server_routes(p, c, sec, srv))
		return false;
	for (unsigned k = 0; k <= n; k++) {
		const char *name = k == 0 ? srv->name :
		    cfg_getnstr(sec, "aliases", k - 1);

		if (vhost_table_add(c->names, name, (int)i, err,
		    sizeof(err)) < 0) {
			config_report(p, k == 0 ? line :
			    config_sec_line(p, sec, "aliases"), "server \"%s\": "
			    "%s", srv->name, err);
			return false;
		}
	}
	return true;
}

/*
 * The sites: the top level's keys make servers[0]'s scope (and, with no
 * `server` section, the only server); each section inherits them.
 */
static bool
config_check_sites(struct config_parse *p, cfg_t *cfg, struct config *c)
{
	unsigned n = cfg_size(cfg, "server");
	struct config_scope top = {
		.root = config_root(c, c->document_root,
		    c->symlinks_outside_root),
		.index = c->index, .nindex = c->nindex,
		.directory_listing = c->directory_listing,
	};
	bool have_default = false;

	c->any_listing = c->directory_listing;
	c->any_status_page = c->status_path != NULL;
	if (!config_scope_site(p, c, cfg, &top))
		return false;
	c->nservers = n > 0 ? n : 1;
	c->servers = config_own(c, util_xcalloc(c->nservers,
	    sizeof(*c->servers)));
	c->servers[0].s = top;
	c->top = top;
	if ((c->names = vhost_table_new()) == NULL) {
		config_report(p, 0, "out of memory");
		return false;
	}
	for (unsigned i = 0; i < n; i++)
		if (!config_server(p, c, cfg_getnsec(cfg, "server", i), i,
		    &top))
			return false;
	for (size_t i = 0; i < n; i++) {
		if (!c->servers[i].is_default)
			continue;
		if (have_default) {
			config_report(p, c->servers[i].s.line,
			    "server \"%s\": default: only one server is the "
			    "default", c->servers[i].name);
			return false;
		}
		have_default = true;
		c->default_server = i;
	}
	return true;
}

/* ---------------------------------------------------------------- */
/* HTTPS: listeners per server, certificates (read by tls.c) */

/* sec's value of a path key, absolute, else dflt's; NULL: neither. */
static const char *
config_tls_path(struct config_parse *p, struct config *c, cfg_t *sec,
    const char *key, const char *dflt)
{
	const char *v;

	if (sec == NULL || !config_set(sec, key))
		return dflt;
	v = cfg_getstr(sec, key);
	if (v == NULL || v[0] == '\0' || strcmp(v, "off") == 0)
		return NULL;
	return config_own(c, config_path(p, v));
}

/* A server's `listen`: the top level's entries it answers on. */
static bool
config_server_listen(struct config_parse *p, struct config *c, cfg_t *sec,
    struct config_server *srv)
{
	unsigned n = cfg_size(sec, "listen");
	bool *on;

	if (n == 0)
		return true;
	on = config_own(c, util_xcalloc(c->nlisten, sizeof(*on)));
	for (unsigned i = 0; i < n; i++) {
		struct config_listen l;
		size_t k;

		if (!config_listen_parse(p, cfg_getnstr(sec, "listen", i), &l))
			return false;
		/* The same address however written ("80", "*:80"). */
		for (k = 0; k < c->nlisten; k++)
			if (strcmp(c->listen[k].port, l.port) == 0 &&
			    (c->listen[k].host == NULL ? l.host == NULL :
			    l.host != NULL && strcmp(c->listen[k].host,
			    l.host) == 0))
				break;
		if (k == c->nlisten)
			config_sec_error(p, sec, "listen", "\"%s\" is not "
			    "among the top level's listen entries",
			    cfg_getnstr(sec, "listen", i));
		else
			on[k] = true;
		free(l.spec);
		free(l.host);
		free(l.port);
		if (k == c->nlisten)
			return false;
	}
	srv->on = on;
	return true;
}

/* A server's certificate, key and OCSP response, or the top level's. */
static bool
config_server_tls(struct config_parse *p, struct config *c, cfg_t *sec,
    struct config_server *srv, const struct config_server *top)
{
	srv->tls_certificate = config_tls_path(p, c, sec, "tls-certificate",
	    top->tls_certificate);
	srv->tls_key = config_tls_path(p, c, sec, "tls-key", top->tls_key);
	srv->tls_ocsp_file = config_tls_path(p, c, sec, "tls-ocsp-file",
	    top->tls_ocsp_file);
	srv->tls_line = sec != NULL ? config_sec_line(p, sec,
	    "tls-certificate") : top->tls_line;
	if (srv->tls_certificate == NULL && srv->tls_key != NULL &&
	    sec != NULL && config_set(sec, "tls-key")) {
		config_sec_error(p, sec, "tls-key", "set without "
		    "tls-certificate");
		return false;
	}
	return true;
}

/* Each listener's default server, and a certificate wherever TLS is. */
static bool
config_listen_servers(struct config_parse *p, struct config *c)
{
	for (size_t k = 0; k < c->nlisten; k++) {
		struct config_listen *l = &c->listen[k];
		size_t d = c->default_server;

		if (!config_server_on(&c->servers[d], k))
			for (d = 0; d < c->nservers; d++)
				if (config_server_on(&c->servers[d], k))
					break;
		if (d == c->nservers) {
			config_error(p, "listen", "listen: \"%s\": no server "
			    "answers on it", l->spec);
			return false;
		}
		l->default_server = d;
		c->any_tls = c->any_tls || l->tls;
		for (size_t i = 0; l->tls && i < c->nservers; i++) {
			const struct config_server *srv = &c->servers[i];

			if (!config_server_on(srv, k) ||
			    srv->tls_certificate != NULL)
				continue;
			if (srv->name == NULL)
				config_error(p, "listen", "listen: \"%s tls\" "
				    "needs tls-certificate", l->spec);
			else
				config_report(p, srv->s.line, "server \"%s\" "
				    "answers on \"%s tls\" without "
				    "tls-certificate", srv->name, l->spec);
			return false;
		}
	}
	return true;
}

static bool
config_check_tls(struct config_parse *p, cfg_t *cfg, struct config *c)
{
	unsigned n = cfg_size(cfg, "server");
	struct config_server top = { .name = NULL };

	if (!config_server_tls(p, c, cfg, &top, &top))
		return false;
	c->tls_certificate = top.tls_certificate;
	c->tls_key = top.tls_key;
	c->tls_ocsp_file = top.tls_ocsp_file;
	c->tls_protocols = config_own_str(c, cfg_getstr(cfg, "tls-protocols"));
	c->tls_ciphers = config_own_str(c, cfg_getstr(cfg, "tls-ciphers"));
	if (n == 0 && !config_server_tls(p, c, NULL, &c->servers[0], &top))
		return false;
	for (unsigned i = 0; i < n; i++) {
		cfg_t *sec = cfg_getnsec(cfg, "server", i);

		if (!config_server_tls(p, c, sec, &c->servers[i], &top) ||
		    !config_server_listen(p, c, sec, &c->servers[i]))
			return false;
	}
	return config_listen_servers(p, c);
}

static bool
config_check_docroot(struct config_parse *p, cfg_t *cfg, struct config *c)
{
	c->document_root = config_dir(p, cfg, "document-root",
	    cfg_getstr(cfg, "document-root"));
	return c->document_root != NULL;
}

static bool
config_check_index(struct config_parse *p, cfg_t *cfg, struct config *c)
{
	return config_index_list(p, cfg, &c->index, &c->nindex);
}

/*
 * The status page: a path of its own (an absolute path without a query),
 * and who may see it.  Each status-allow entry is checked here so that a
 * typo fails at -t, not silently at request time.
 */
/* Who may see a metrics route without allow/deny of its own: loopback
 * only.  0, or -1 (out of memory). */
static int
config_metrics_acl(struct config *c)
{
	static char lo4[] = "127.0.0.1", lo6[] = "::1";
	char *const loopback[] = { lo4, lo6 };

	c->metrics_acl = util_xcalloc(1, sizeof(*c->metrics_acl));
	return acl_allow_only(c->metrics_acl, loopback, 2);
}

static bool
config_check_status(struct config_parse *p, cfg_t *cfg, struct config *c)
{
	const char *path = cfg_getstr(cfg, "status-path");
	unsigned n = cfg_size(cfg, "status-allow");

	if (path != NULL && path[0] != '\0') {
		if (path[0] != '/' || strpbrk(path, "?# \t") != NULL) {
			config_error(p, "status-path", "status-path: \"%s\" is "
			    "not an absolute URL path (as \"/server-status\", "
			    "no query)", path);
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
	/* Parsed once here; an empty list lets nobody in (an empty acl
	 * would let everyone). */
	c->status_acl = util_xcalloc(1, sizeof(*c->status_acl));
	if (acl_allow_only(c->status_acl, c->status_allow, c->nstatus_allow) <
	    0 || config_metrics_acl(c) < 0) {
		fprintf(stderr, "forkhttpd: out of memory\n");
		exit(1);
	}
	return true;
}

/* "syslog" or "syslog:...": a destination, not a relative path. */
static bool
config_is_syslog(const char *v)
{
	return strncmp(v, "syslog", 6) == 0 && (v[6] == '\0' || v[6] == ':');
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
	c->error_log = strcmp(elog, "-") == 0 || config_is_syslog(elog) ?
	    util_xstrdup(elog) : config_path(p, elog);
	if (alog == NULL || alog[0] == '\0' || strcmp(alog, "off") == 0)
		c->access_log = NULL;
	else
		c->access_log = strcmp(alog, "-") == 0 ||
		    config_is_syslog(alog) ? util_xstrdup(alog) :
		    config_path(p, alog);
	if (pid == NULL || pid[0] == '\0') {
		config_error(p, "pid-file", "pid-file: must not be empty; "
		    "expected a path or \"off\"");
		return false;
	}
	/* "off": no pid file (-r, or a supervisor that tracks the pid). */
	c->pid_file = strcmp(pid, "off") == 0 ? NULL : config_path(p, pid);
	c->mime_types = (mt == NULL || mt[0] == '\0') ? NULL :
	    config_path(p, mt);
	return true;
}

/* A log destination from its key's resolved value (NULL: off). */
static bool
config_log_target(struct config_parse *p, const char *key, const char *v,
    bool access, struct log_target *t)
{
	char err[256];
	int rc;

	memset(t, 0, sizeof(*t));
	if (v == NULL)
		return true;
	if ((rc = log_target_syslog(v, access, t, err, sizeof(err))) < 0) {
		config_error(p, key, "%s: %s", key, err);
		return false;
	}
	if (rc == 0) {
		t->kind = strcmp(v, "-") == 0 ? LOG_TO_STD : LOG_TO_FILE;
		t->path = v;
	}
	return true;
}

/* access-log-format and access-log-escape, compiled once. */
static bool
config_check_access_format(struct config_parse *p, cfg_t *cfg,
    struct config *c)
{
	const char *spec = cfg_getstr(cfg, "access-log-format");
	const char *esc = cfg_getstr(cfg, "access-log-escape");
	enum log_format_escape e;
	char err[320];

	if (spec == NULL)
		spec = "";
	e = log_format_default_escape(spec);
	if (esc != NULL && strcmp(esc, "apache") == 0)
		e = LOG_FORMAT_APACHE;
	else if (esc != NULL && strcmp(esc, "json") == 0)
		e = LOG_FORMAT_JSON;
	else if (esc != NULL) {
		config_error(p, "access-log-escape", "access-log-escape: \"%s\" "
		    "is not apache or json", esc);
		return false;
	}
	c->access_logs = util_xcalloc(1, sizeof(*c->access_logs));
	c->naccess_logs = 1;
	c->access_logs[0].format = log_format_compile(spec, e, err,
	    sizeof(err));
	if (c->access_logs[0].format == NULL) {
		config_error(p, "access-log-format", "access-log-format: %s",
		    err);
		return false;
	}
	return true;
}

/* log-mode: octal, owner-writable, not world-writable. */
static bool
config_log_mode(struct config_parse *p, const char *v, mode_t *out)
{
	unsigned long m = 0;
	size_t n = strlen(v);

	if (n == 0 || n > 4 || strspn(v, "01234567") != n)
		goto bad;
	for (size_t i = 0; i < n; i++)
		m = m * 8 + (unsigned long)(v[i] - '0');
	if (m > 0777 || !(m & 0200) || (m & 0002))
		goto bad;
	*out = (mode_t)m;
	return true;
bad:
	config_error(p, "log-mode", "log-mode: \"%s\" is not an octal mode "
	    "up to 0777 that the owner may write and others may not", v);
	return false;
}

/*
 * log-owner, log-group (default adm when it exists, Debian's group for
 * reading logs, else the owner's), log-mode; then the whole log_conf.
 */
static bool
config_check_log_files(struct config_parse *p, cfg_t *cfg, struct config *c)
{
	const char *owner = cfg_getstr(cfg, "log-owner");
	const char *group = cfg_getstr(cfg, "log-group");
	struct passwd *pw;
	struct group *gr = NULL;

	if (owner == NULL || (pw = getpwnam(owner)) == NULL) {
		config_error(p, "log-owner", "log-owner: unknown user \"%s\"",
		    owner ? owner : "");
		return false;
	}
	c->log.uid = pw->pw_uid;
	c->log.gid = pw->pw_gid;
	if (group != NULL && (gr = getgrnam(group)) == NULL) {
		config_error(p, "log-group", "log-group: unknown group \"%s\"",
		    group);
		return false;
	}
	if (gr != NULL || (gr = getgrnam("adm")) != NULL)
		c->log.gid = gr->gr_gid;
	if (!config_log_mode(p, cfg_getstr(cfg, "log-mode"), &c->log.mode))
		return false;
	c->log.level = c->log_level;
	c->log.access = c->access_logs;
	c->log.naccess = c->naccess_logs;
	if (!config_log_target(p, "error-log", c->error_log, false,
	    &c->log.error) ||
	    !config_log_target(p, "access-log", c->access_log, true,
	    &c->access_logs[0].target))
		return false;
	if (c->log.error.kind == LOG_TO_SYSLOG &&
	    c->access_logs[0].target.kind == LOG_TO_SYSLOG &&
	    strcmp(c->log.error.tag, c->access_logs[0].target.tag) != 0) {
		config_error(p, "access-log", "access-log: syslog tag \"%s\" "
		    "differs from error-log's \"%s\"; syslog(3) has one tag "
		    "per process", c->access_logs[0].target.tag,
		    c->log.error.tag);
		return false;
	}
	return true;
}

/*
 * "all", an address, or a network "address/bits" (IPv4 or IPv6), as
 * status-allow takes them: acl.c's entries.
 */
bool
config_valid_network(const char *s)
{
	struct acl_net net;

	return acl_net_parse(s, &net);
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

#define CONFIG_RANGE(key, field, type)					\
	do {								\
		if (!config_int(p, cfg, key, &v))			\
			return false;					\
		c->field = (type)v;					\
	} while (0)
	CONFIG_RANGE("workers", workers, unsigned);
	CONFIG_RANGE("start-workers", start_workers, unsigned);
	CONFIG_RANGE("min-spare", min_spare, unsigned);
	CONFIG_RANGE("max-spare", max_spare, unsigned);
	CONFIG_RANGE("max-workers", max_workers, unsigned);
	CONFIG_RANGE("max-requests-per-worker", max_requests_per_worker,
	    unsigned);
	CONFIG_RANGE("shutdown-timeout", shutdown_timeout, unsigned);
	CONFIG_RANGE("request-timeout", request_timeout, unsigned);
	CONFIG_RANGE("header-timeout", header_timeout, unsigned);
	CONFIG_RANGE("keepalive-timeout", keepalive_timeout, unsigned);
	CONFIG_RANGE("send-timeout", send_timeout, unsigned);
	CONFIG_RANGE("body-timeout", body_timeout, unsigned);
	CONFIG_RANGE("upstream-connect-timeout", upstream_connect_timeout,
	    unsigned);
	CONFIG_RANGE("upstream-timeout", upstream_timeout, unsigned);
	CONFIG_RANGE("cgi-timeout", cgi_timeout, unsigned);
	CONFIG_RANGE("send-min-rate", send_min_rate, uint64_t);
	CONFIG_RANGE("body-min-rate", body_min_rate, uint64_t);
	CONFIG_RANGE("min-rate-window", min_rate_window, unsigned);
	CONFIG_RANGE("request-line-max", request_line_max, size_t);
	CONFIG_RANGE("header-field-max", header_field_max, size_t);
	CONFIG_RANGE("header-max", header_max, size_t);
	CONFIG_RANGE("header-fields-max", header_fields_max, unsigned);
	CONFIG_RANGE("body-max", body_max, uint64_t);
	CONFIG_RANGE("keepalive-requests", keepalive_requests, unsigned);
	CONFIG_RANGE("listen-backlog", listen_backlog, unsigned);
	CONFIG_RANGE("worker-connections", worker_connections, unsigned);
	CONFIG_RANGE("max-connections-per-client",
	    max_connections_per_client, unsigned);
	CONFIG_RANGE("client-ipv6-prefix", client_ipv6_prefix, unsigned);
	CONFIG_RANGE("file-cache-memory", file_cache_memory, size_t);
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
 * -t: a listen host must resolve as net_listen() will resolve it (the
 * same hints), so that a typo in a name fails the test, not the start.
 */
static bool
config_check_resolve(struct config_parse *p, const struct config *c)
{
	struct addrinfo hints, *res;
	int rc;

	for (size_t i = 0; i < c->nlisten; i++) {
		const struct config_listen *l = &c->listen[i];

		if (l->host == NULL)
			continue;
		memset(&hints, 0, sizeof(hints));
		hints.ai_family = l->family;
		hints.ai_socktype = SOCK_STREAM;
		hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
		if ((rc = getaddrinfo(l->host, l->port, &hints, &res)) != 0) {
			config_error(p, "listen", "listen: \"%s\": host \"%s\" "
			    "does not resolve (%s)", l->spec, l->host,
			    rc == EAI_SYSTEM ? strerror(errno) :
			    gai_strerror(rc));
			return false;
		}
		freeaddrinfo(res);
	}
	return true;
}

/*
 * -t: the master opens path for writing (a log) or creates it (the pid
 * file), as the user who starts it, before any worker runs.  So its
 * directory must exist, and the file (or, for a file not there yet, the
 * directory) must be writable by the user running the test, with the
 * effective ids (AT_EACCESS): the same user that will start the server.
 */
static bool
config_check_writable_at(struct config_parse *p, int line, const char *key,
    const char *path)
{
	char dir[PATH_MAX];
	char *slash;
	struct stat st;

	util_strlcpy(dir, path, sizeof(dir));
	if ((slash = strrchr(dir, '/')) != NULL)
		*(slash == dir ? slash + 1 : slash) = '\0';
	if (stat(dir, &st) < 0) {
		config_error_at(p, line, key, "%s: %s: directory %s %s", key, path, dir,
		    errno == ENOENT ? "does not exist" : strerror(errno));
		return false;
	}
	if (!S_ISDIR(st.st_mode)) {
		config_error_at(p, line, key, "%s: %s: %s is not a directory", key, path,
		    dir);
		return false;
	}
	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			config_error_at(p, line, key, "%s: %s is a directory; expected "
			    "a file", key, path);
			return false;
		}
		if (faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) < 0) {
			config_error_at(p, line, key, "%s: %s: not writable by uid %ld: "
			    "%s", key, path, (long)geteuid(), strerror(errno));
			return false;
		}
	} else if (faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) < 0) {
		config_error_at(p, line, key, "%s: %s: cannot be created in %s by uid "
		    "%ld: %s", key, path, dir, (long)geteuid(),
		    strerror(errno));
		return false;
	}
	return true;
}

static bool
config_check_writable(struct config_parse *p, const char *key,
    const char *path)
{
	int i = config_key_index(key);

	return config_check_writable_at(p, i >= 0 ? p->line[i] : 0, key, path);
}

/* What -t checks beyond the file itself: names, directories, rights. */
static bool
config_check_system(struct config_parse *p, const struct config *c)
{
	if (!config_check_resolve(p, c))
		return false;
	if (c->log.error.kind == LOG_TO_FILE &&
	    !config_check_writable(p, "error-log", c->error_log))
		return false;
	if (c->access_logs[0].target.kind == LOG_TO_FILE &&
	    !config_check_writable(p, "access-log", c->access_log))
		return false;
	/* The servers' own access logs, each at its server's line. */
	for (size_t i = 0; i < c->nservers; i++) {
		const struct config_server *srv = &c->servers[i];
		const struct log_access_conf *a;

		if (srv->access_log <= 0)
			continue;
		a = &c->access_logs[srv->access_log];
		if (a->target.kind == LOG_TO_FILE &&
		    !config_check_writable_at(p, srv->access_log_line, "access-log",
		    a->target.path))
			return false;
	}
	return c->pid_file == NULL ||
	    config_check_writable(p, "pid-file", c->pid_file);
}

/*
 * Where each open '{' is, while config_scan() reads the text: the line,
 * and whether it opens a list ("= {", "+= {") or a section ("name {").
 * Deeper nesting than this is left to libconfuse.
 */
#define CONFIG_SCAN_DEPTH 16

struct config_scan {
	int line;			/* of the character being read */
	int start;		/* where the open string or comment began */
	char last;		/* the last character outside strings and
				 * comments that was not a space */
	size_t depth;
	int brace_line[CONFIG_SCAN_DEPTH];
	bool brace_list[CONFIG_SCAN_DEPTH];
};

/*
 * A character of code: braces are tracked, and a '=' inside a list means
 * that the list was never closed (a list holds only values and commas,
 * and '=' is never part of an unquoted value), so the error belongs to
 * the line of its '{', not to the key below that libconfuse would name.
 */
static const char *
config_scan_code(struct config_scan *sc, char c, int *line)
{
	size_t top = sc->depth < CONFIG_SCAN_DEPTH ? sc->depth : 0;

	if (c == '{') {
		if (top < CONFIG_SCAN_DEPTH && sc->depth == top) {
			sc->brace_line[top] = sc->line;
			sc->brace_list[top] = sc->last == '=';
		}
		sc->depth++;
	} else if (c == '}' && sc->depth > 0) {
		sc->depth--;
	} else if (c == '=' && sc->depth > 0 &&
	    sc->depth <= CONFIG_SCAN_DEPTH && sc->brace_list[sc->depth - 1]) {
		*line = sc->brace_line[sc->depth - 1];
		return "list not closed: a '}' is missing";
	}
	if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
		sc->last = c;
	return NULL;
}

/* What is still open at the end of the text. */
static const char *
config_scan_end(const struct config_scan *sc, bool string, bool comment,
    int *line)
{
	*line = sc->start;
	if (string)
		return "unterminated string: a string must end on the line it "
		    "starts";
	if (comment)
		return "unterminated comment: '/*' without '*/'";
	if (sc->depth > 0 && sc->depth <= CONFIG_SCAN_DEPTH) {
		*line = sc->brace_line[sc->depth - 1];
		return sc->brace_list[sc->depth - 1] ? "list not closed: a '}' "
		    "is missing" : "section not closed: a '}' is missing";
	}
	return NULL;
}

/*
 * Blanks out comments (#, // and C-style) outside quoted strings, keeping
 * every newline.  libconfuse 3.3 miscounts lines after comments and cannot
 * parse a comment inside a list; it never sees one this way, so messages
 * name the right line.
 *
 * It also finds what libconfuse would report far from where it starts: a
 * string not closed on its own line, which libconfuse reads on into the
 * lines below and reports where it gives up; a list or section never
 * closed, which it reports at the next key or at the end of the file;
 * and a C-style comment never closed, which would silently swallow the
 * rest of the file.  A string must end on the line it starts (no value
 * spans lines).  Returns NULL, or a message for the line in *line.
 */
static const char *
config_strip_comments(char *s, int *line)
{
	enum { CODE, DQUOTE, SQUOTE, LINE, BLOCK } st = CODE;
	struct config_scan sc = { .line = 1 };
	const char *bad;

	for (; *s != '\0'; s++) {
		if (*s == '\n') {
			if (st == DQUOTE || st == SQUOTE) {
				*line = sc.start;
				return "unterminated string: a string must "
				    "end on the line it starts";
			}
			sc.line++;
		}
		switch (st) {
		case CODE:
			sc.start = sc.line;
			if (*s == '"')
				st = DQUOTE;
			else if (*s == '\'')
				st = SQUOTE;
			else if (*s == '#' || (s[0] == '/' && s[1] == '/'))
				st = LINE;
			else if (s[0] == '/' && s[1] == '*') {
				st = BLOCK;
				*s++ = ' ';
			} else if ((bad = config_scan_code(&sc, *s, line)) !=
			    NULL)
				return bad;
			if (st == DQUOTE || st == SQUOTE)
				sc.last = *s;
			break;
		case DQUOTE:
			if (*s == '\\' && s[1] != '\0' && s[1] != '\n')
				s++;
			else if (*s == '"')
				st = CODE;
			break;
		case SQUOTE:
			/* libconfuse: \' and \\ are the only escapes here. */
			if (*s == '\\' && (s[1] == '\'' || s[1] == '\\'))
				s++;
			else if (*s == '\'')
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
	return config_scan_end(&sc, st == DQUOTE || st == SQUOTE,
	    st == BLOCK, line);
}

/*
 * Where each `server` and `route` section starts, in file order (which is
 * the order libconfuse keeps them in): libconfuse only knows where one
 * ends.  text has its comments blanked; quoted strings are skipped.
 */
static void
config_scan_sections(struct config_parse *p, const char *text)
{
	int line = 1;

	for (const char *s = text; *s != '\0'; s++) {
		size_t n = 0;
		int **list = NULL;
		size_t *count = NULL;

		if (*s == '\n')
			line++;
		if (*s == '"' || *s == '\'') {
			char q = *s;

			for (s++; *s != '\0' && *s != q; s++) {
				if (*s == '\n')
					line++;
				if (q == '"' && *s == '\\' && s[1] != '\0')
					s++;
			}
			if (*s == '\0')
				break;
			continue;
		}
		if (s > text && (isalnum((unsigned char)s[-1]) || s[-1] == '-'))
			continue;
		if (strncmp(s, "server", 6) == 0 && isspace((unsigned char)s[6])) {
			list = &p->server_line;
			count = &p->nserver_line;
			n = 6;
		} else if (strncmp(s, "route", 5) == 0 &&
		    isspace((unsigned char)s[5])) {
			list = &p->route_line;
			count = &p->nroute_line;
			n = 5;
		}
		if (list == NULL)
			continue;
		*list = realloc(*list, (*count + 1) * sizeof(**list));
		if (*list == NULL) {
			fprintf(stderr, "forkhttpd: out of memory\n");
			exit(1);
		}
		(*list)[(*count)++] = line;
		s += n - 1;
	}
}

/* Every key, in sections too, tells config_note_line() its line. */
static void
config_note_lines(cfg_t *cfg)
{
	char path[64];

	for (size_t i = 0; i < CONFIG_NKEYS; i++)
		if (config_opts[i].type != CFGT_SEC)
			cfg_set_validate_func(cfg, config_opts[i].name,
			    config_note_line);
	for (cfg_opt_t *o = config_server_opts; o->name != NULL; o++) {
		if (o->type == CFGT_SEC)
			continue;
		snprintf(path, sizeof(path), "server|%s", o->name);
		cfg_set_validate_func(cfg, path, config_note_line);
	}
	for (cfg_opt_t *o = config_route_opts; o->name != NULL; o++) {
		snprintf(path, sizeof(path), "server|route|%s", o->name);
		cfg_set_validate_func(cfg, path, config_note_line);
	}
}

static struct config *
config_parse(const char *text, const char *name, const char *base_dir,
    bool system, char *err, size_t errlen)
{
	struct config_parse p = {
		.name = name, .base_dir = base_dir, .err = err, .errlen = errlen,
	};
	struct config *c;
	const char *bad;
	char *buf;
	cfg_t *cfg;
	int bad_line;

	if (errlen > 0)
		err[0] = '\0';
	if ((cfg = cfg_init(config_opts, CFGF_NONE)) == NULL) {
		snprintf(err, errlen, "%s: cannot initialise the parser", name);
		return NULL;
	}
	cfg_set_error_function(cfg, config_confuse_error);
	config_note_lines(cfg);
	p.top = cfg;
	buf = util_xstrdup(text);
	config_current = &p;
	if ((bad = config_strip_comments(buf, &bad_line)) != NULL) {
		config_report(&p, bad_line, "%s", bad);
	} else {
		config_scan_sections(&p, buf);
		if (cfg_parse_buf(cfg, buf) != CFG_SUCCESS)
			config_error(&p, "", "syntax error");
	}
	free(buf);
	if (p.failed) {
		config_current = NULL;
		free(p.seckey);
		free(p.server_line);
		free(p.route_line);
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
	    !config_check_logs(&p, cfg, c) ||
	    !config_check_access_format(&p, cfg, c) ||
	    !config_check_log_files(&p, cfg, c) ||
	    !config_check_sites(&p, cfg, c) ||
	    !config_check_tls(&p, cfg, c) ||
	    (system && !config_check_system(&p, c))) {
		config_current = NULL;
		free(p.seckey);
		free(p.server_line);
		free(p.route_line);
		cfg_free(cfg);
		config_free(c);
		return NULL;
	}
	config_current = NULL;
	free(p.seckey);
	free(p.server_line);
	free(p.route_line);
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

static struct config *
config_load_file(const char *path, bool system, char *err, size_t errlen)
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
	c = config_parse(text, path, dir, system, err, errlen);
	free(text);
	if (c != NULL)
		c->path = util_xstrdup(real);
	return c;
}

struct config *
config_load(const char *path, char *err, size_t errlen)
{
	return config_load_file(path, false, err, errlen);
}

struct config *
config_test(const char *path, char *err, size_t errlen)
{
	return config_load_file(path, true, err, errlen);
}

struct config *
config_load_buf(const char *text, const char *name, const char *base_dir,
    char *err, size_t errlen)
{
	return config_parse(text, name, base_dir, false, err, errlen);
}

struct config *
config_test_buf(const char *text, const char *name, const char *base_dir,
    char *err, size_t errlen)
{
	return config_parse(text, name, base_dir, true, err, errlen);
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
	acl_free(c->status_acl);
	free(c->status_acl);
	acl_free(c->metrics_acl);
	free(c->metrics_acl);
	free(c->status_path);
	free(c->path);
	free(c->user);
	free(c->group);
	free(c->document_root);
	free(c->pid_file);
	free(c->error_log);
	free(c->access_log);
	for (size_t i = 0; i < c->naccess_logs; i++)
		log_format_free(c->access_logs[i].format);
	free(c->access_logs);
	free(c->mime_types);
	for (size_t i = 0; i < c->nservers; i++)
		route_table_free(c->servers[i].table);
	vhost_table_free(c->names);
	for (size_t i = 0; i < c->nroots; i++)
		free(c->roots[i].path);
	free(c->roots);
	for (size_t i = 0; i < c->nwarnings; i++)
		free(c->warnings[i]);
	free(c->warnings);
	for (size_t i = 0; i < c->nacls; i++) {
		acl_free(c->acls[i]);
		free(c->acls[i]);
	}
	free(c->acls);
	for (size_t i = 0; i < c->nauths; i++)
		auth_free(c->auths[i]);
	free(c->auths);
	free(c->auth_paths);
	for (size_t i = 0; i < c->nowned; i++)
		free(c->owned[i]);
	free(c->owned);
	free(c);
}

/* ---------------------------------------------------------------- */
/* -T: the effective configuration */

/* s as a libconfuse double-quoted string. */
static void
config_print_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\%03o", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static void
config_print_list(FILE *out, const char *ind, const char *key,
    char *const *list, size_t n)
{
	fprintf(out, "%s%s = {", ind, key);
	for (size_t i = 0; i < n; i++) {
		fputs(i > 0 ? ", " : "", out);
		config_print_str(out, list[i]);
	}
	fputs("}\n", out);
}

static void
config_print_key(FILE *out, const char *ind, const char *key, const char *v)
{
	fprintf(out, "%s%s = ", ind, key);
	config_print_str(out, v);
	fputc('\n', out);
}

/* The handler keys of s, and what goes with them. */
static void
config_print_handler(FILE *out, const char *ind, const struct config_scope *s)
{
	switch (s->handler) {
	case CONFIG_HANDLER_REDIRECT:
		config_print_key(out, ind, "redirect", s->target);
		fprintf(out, "%sredirect-status = %d\n", ind, s->status);
		break;
	case CONFIG_HANDLER_RESPOND:
		fprintf(out, "%srespond = %d\n", ind, s->status);
		if (s->body != NULL)
			config_print_key(out, ind, "body", s->body);
		if (s->content_type != NULL)
			config_print_key(out, ind, "content-type",
			    s->content_type);
		break;
	case CONFIG_HANDLER_STATUS:
		fprintf(out, "%sstatus-page = true\n", ind);
		break;
	case CONFIG_HANDLER_METRICS:
		fprintf(out, "%smetrics = true\n", ind);
		break;
	case CONFIG_HANDLER_PROXY:
		config_print_list(out, ind, "proxy", s->proxy, s->nproxy);
		if (s->websocket)
			fprintf(out, "%swebsocket = true\n", ind);
		break;
	case CONFIG_HANDLER_FASTCGI:
		config_print_key(out, ind, "fastcgi", s->fastcgi);
		break;
	case CONFIG_HANDLER_CGI:
		fprintf(out, "%scgi = true\n", ind);
		break;
	default:
		break;
	}
}

/* The headers of s that its parent does not give it already. */
static void
config_print_headers(FILE *out, const char *ind, const struct config_scope *s)
{
	if (s->nheaders == s->nheaders_inherited)
		return;
	fprintf(out, "%sheader = {", ind);
	for (size_t i = s->nheaders_inherited; i < s->nheaders; i++) {
		const struct config_header *h = &s->headers[i];
		char line[CONFIG_HEADER_BYTES + 8];

		snprintf(line, sizeof(line), "%.*s: %.*s", (int)h->name_len,
		    h->name, (int)h->value_len, h->value);
		fputs(i > s->nheaders_inherited ? ", " : "", out);
		config_print_str(out, line);
	}
	fputs("}\n", out);
}

/* Every key of a server or route, as it takes effect. */
static void
config_print_scope(FILE *out, const struct config *c, const char *ind,
    const struct config_scope *s, bool route)
{
	const struct config_root *r = &c->roots[s->root];

	config_print_key(out, ind, route && s->alias ? "alias" :
	    "document-root", r->path);
	fprintf(out, "%ssymlinks-outside-root = %s\n", ind,
	    r->symlinks_outside_root ? "true" : "false");
	config_print_list(out, ind, "index", s->index, s->nindex);
	fprintf(out, "%sdirectory-listing = %s\n", ind,
	    s->directory_listing ? "true" : "false");
	fprintf(out, "%shidden-files = %s\n", ind,
	    s->hidden_files ? "true" : "false");
	if (s->fallback != NULL)
		config_print_key(out, ind, "fallback", s->fallback);
	config_print_headers(out, ind, s);
	if (s->nerror_pages > 0) {
		fprintf(out, "%serror-page = {", ind);
		for (size_t i = 0; i < s->nerror_pages; i++)
			fprintf(out, "%s\"%d %s\"", i > 0 ? ", " : "",
			    s->error_pages[i].status, s->error_pages[i].path);
		fputs("}\n", out);
	}
	if (s->allow != NULL || s->deny != NULL) {
		config_print_list(out, ind, "allow", s->allow, s->nallow);
		config_print_list(out, ind, "deny", s->deny, s->ndeny);
	}
	if (s->auth_file != NULL)
		config_print_key(out, ind, "auth-file", s->auth_file);
	config_print_key(out, ind, "auth-basic", s->auth_realm != NULL ?
	    s->auth_realm : "off");
	if (s->methods != 0) {
		char buf[128], *save = NULL;

		util_strlcpy(buf, s->allow_field, sizeof(buf));
		fprintf(out, "%smethods = {", ind);
		for (char *m = strtok_r(buf, ", ", &save); m != NULL;
		    m = strtok_r(NULL, ", ", &save))
			fprintf(out, "%s\"%s\"", m == buf ? "" : ", ", m);
		fputs("}\n", out);
	}
	config_print_handler(out, ind, s);
}

static void
config_print_server(FILE *out, const struct config *c,
    const struct config_server *srv, cfg_t *sec)
{
	unsigned n = cfg_size(sec, "aliases");

	fputs("\nserver ", out);
	config_print_str(out, srv->name);
	fputs(" {\n", out);
	fprintf(out, "    aliases = {");
	for (unsigned i = 0; i < n; i++) {
		fputs(i > 0 ? ", " : "", out);
		config_print_str(out, cfg_getnstr(sec, "aliases", i));
	}
	fputs("}\n", out);
	fprintf(out, "    default = %s\n", srv == &c->servers[c->default_server]
	    ? "true" : "false");
	if (srv->on != NULL) {
		fputs("    listen = {", out);
		for (size_t k = 0, m = 0; k < c->nlisten; k++)
			if (srv->on[k]) {
				fputs(m++ > 0 ? ", " : "", out);
				config_print_str(out, c->listen[k].spec);
			}
		fputs("}\n", out);
	}
	config_print_key(out, "    ", "tls-certificate",
	    srv->tls_certificate != NULL ? srv->tls_certificate : "off");
	config_print_key(out, "    ", "tls-key",
	    srv->tls_key != NULL ? srv->tls_key : "off");
	config_print_key(out, "    ", "tls-ocsp-file",
	    srv->tls_ocsp_file != NULL ? srv->tls_ocsp_file : "off");
	config_print_scope(out, c, "    ", &srv->s, false);
	for (size_t i = 0; i < srv->nroutes; i++) {
		fputs("\n    route ", out);
		config_print_str(out, srv->routes[i].pattern);
		fputs(" {\n", out);
		config_print_scope(out, c, "        ", &srv->routes[i].s, true);
		fputs("    }\n", out);
	}
	fputs("}\n", out);
}

/* Paths the file may give relative to itself: printed absolute. */
static const char *
config_print_path(const struct config *c, const char *key)
{
	if (strcmp(key, "document-root") == 0)
		return c->document_root;
	if (strcmp(key, "pid-file") == 0)
		return c->pid_file;
	if (strcmp(key, "error-log") == 0)
		return c->error_log;
	if (strcmp(key, "access-log") == 0)
		return c->access_log != NULL ? c->access_log : "off";
	if (strcmp(key, "mime-types") == 0)
		return c->mime_types != NULL ? c->mime_types : "";
	if (strcmp(key, "auth-file") == 0 && c->top.auth_file != NULL)
		return c->top.auth_file;
	if (strcmp(key, "tls-certificate") == 0)
		return c->tls_certificate != NULL ? c->tls_certificate : "";
	if (strcmp(key, "tls-key") == 0)
		return c->tls_key != NULL ? c->tls_key : "";
	if (strcmp(key, "tls-ocsp-file") == 0)
		return c->tls_ocsp_file != NULL ? c->tls_ocsp_file : "";
	return NULL;
}

/*
 * The keys whose effect the file alone does not say: the pool (a fixed
 * one, or the adaptive keys, never both) and request-timeout (computed
 * when not set).  true when key was printed (or left out) here.
 */
static bool
config_print_number(const struct config *c, const char *key, FILE *out)
{
	static const char *const adaptive[] = {
		"start-workers", "min-spare", "max-spare", "max-workers"
	};
	const unsigned values[] = {
		c->start_workers, c->min_spare, c->max_spare, c->max_workers
	};

	if (strcmp(key, "workers") == 0) {
		fprintf(out, "%sworkers = %u\n", c->adaptive ? "# " : "",
		    c->workers);
		return true;
	}
	for (size_t i = 0; i < UTIL_ARRAY_LEN(adaptive); i++)
		if (strcmp(key, adaptive[i]) == 0) {
			fprintf(out, "%s%s = %u\n", c->adaptive ? "" : "# ",
			    key, values[i]);
			return true;
		}
	if (strcmp(key, "request-timeout") == 0) {
		fprintf(out, "request-timeout = %u\n", c->request_timeout);
		return true;
	}
	return false;
}

int
config_print(const struct config *c, FILE *out)
{
	char err[1024];
	char *text;
	int bad_line;
	cfg_t *cfg;

	if (c->path == NULL || (text = config_read_file(c->path, c->path, err,
	    sizeof(err))) == NULL)
		return -1;
	/* The top level as the file gives it (libconfuse prints defaults
	 * and quotes); the servers as they take effect. */
	cfg = config_strip_comments(text, &bad_line) != NULL ? NULL :
	    cfg_init(config_opts, CFGF_NONE);
	if (cfg == NULL || cfg_parse_buf(cfg, text) != CFG_SUCCESS) {
		free(text);
		cfg_free(cfg);
		return -1;
	}
	free(text);
	fprintf(out, "# forkhttpd -T: the effective configuration of %s\n",
	    c->path);
	for (cfg_opt_t *o = cfg->opts; o->name != NULL; o++) {
		const char *path = config_print_path(c, o->name);

		if (o->type == CFGT_SEC || config_print_number(c, o->name, out))
			continue;
		if (path != NULL)
			config_print_key(out, "", o->name, path);
		else
			cfg_opt_print(o, out);
	}
	for (size_t i = 0; i < c->nservers && c->servers[i].name != NULL; i++)
		config_print_server(out, c, &c->servers[i],
		    cfg_getnsec(cfg, "server", (unsigned)i));
	cfg_free(cfg);
	return 0;
}
