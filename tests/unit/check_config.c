/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_config.c - config_load_buf() against a temporary base directory:
 * every default, relative paths, the listen forms, the worker pool (fixed
 * or adaptive), the status page's keys and config_valid_network(), each
 * validation error with its exact "name:LINE: key: ..." message, and
 * config_load() from a real file, whose directory (not the cwd) anchors
 * relative paths; server and route sections: inheritance, the handler
 * keys, errors inside sections with their file:line, route_table_lint()'s
 * warnings, and -T's output read back to the same -T output.
 *
 * Each test loads and frees its snapshots, so running the program under
 * ASan (--enable-sanitizers) or valgrind also checks config_free().
 */
#include "autoconf.h"

#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <check.h>
#include <crypt.h>

#include "config.h"

#include "../lib/unit.h"

/* The scratch directory (realpath'd) that relative paths resolve against. */
static char base[1024];

#define DOCROOT "document-root = \"www\"\n"

/* ------------------------------------------------------------------ */
/* helpers */

/* base + "/" + rel, or rel itself when it is absolute. */
static const char *
in_base(const char *rel, char *buf, size_t cap)
{
	if (rel[0] == '/')
		snprintf(buf, cap, "%s", rel);
	else
		snprintf(buf, cap, "%s/%s", base, rel);
	return buf;
}

/* tmpl with every "@B" replaced by the base directory. */
static const char *
subst_base(const char *tmpl, char *buf, size_t cap)
{
	size_t n = 0;

	for (const char *s = tmpl; *s != '\0' && n + 1 < cap; ) {
		if (s[0] == '@' && s[1] == 'B') {
			size_t bl = strlen(base);

			if (n + bl >= cap)
				break;
			memcpy(buf + n, base, bl);
			n += bl;
			s += 2;
		} else
			buf[n++] = *s++;
	}
	buf[n] = '\0';
	return buf;
}

static struct config *
load(const char *text, char *err, size_t errlen)
{
	return config_load_buf(text, "t.conf", base, err, errlen);
}

/* Loads text, which must succeed; fails the test with the message if not. */
static struct config *
load_ok(const char *text)
{
	char err[512];
	struct config *c = load(text, err, sizeof(err));

	ck_assert_msg(c != NULL, "config rejected: %s\n--\n%s", err, text);
	ck_assert_str_eq(err, "");
	return c;
}

static bool
starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* ------------------------------------------------------------------ */
/* defaults */

START_TEST(test_defaults)
{
	struct config *c = load_ok(DOCROOT);
	struct passwd *pw = getpwnam("nobody");
	char want[PATH_MAX];

	ck_assert_ptr_nonnull(pw);
	ck_assert_ptr_null(c->path);
	ck_assert_uint_eq(c->nlisten, 1);
	ck_assert_str_eq(c->listen[0].spec, "*:80");
	ck_assert_ptr_null(c->listen[0].host);
	ck_assert_str_eq(c->listen[0].port, "80");
	ck_assert_int_eq(c->listen[0].family, AF_INET);
	ck_assert_uint_eq(c->workers, 4);
	ck_assert_str_eq(c->user, "nobody");
	ck_assert_ptr_null(c->group);
	ck_assert_uint_eq(c->uid, pw->pw_uid);
	ck_assert_uint_eq(c->gid, pw->pw_gid);
	ck_assert_str_eq(c->document_root, in_base("www", want, sizeof(want)));
	ck_assert_uint_eq(c->nindex, 2);
	ck_assert_str_eq(c->index[0], "index.html");
	ck_assert_str_eq(c->index[1], "index.htm");
	ck_assert(!c->symlinks_outside_root);
	ck_assert_ptr_nonnull(c->pid_file);
	ck_assert_msg(c->pid_file[0] == '/', "pid_file %s", c->pid_file);
	ck_assert(ends_with(c->pid_file, "/forkhttpd.pid"));
	ck_assert_ptr_nonnull(c->error_log);
	ck_assert_msg(c->error_log[0] == '/', "error_log %s", c->error_log);
	ck_assert(ends_with(c->error_log, "/error.log"));
	ck_assert_ptr_nonnull(c->access_log);
	ck_assert_msg(c->access_log[0] == '/', "access_log %s", c->access_log);
	ck_assert(ends_with(c->access_log, "/access.log"));
	ck_assert_int_eq(c->log_level, LOG_LEVEL_NOTICE);
	ck_assert_ptr_nonnull(c->mime_types);
	ck_assert_str_eq(c->mime_types, "/etc/mime.types");
	ck_assert_uint_eq(c->header_timeout, 20);
	ck_assert_uint_eq(c->keepalive_timeout, 5);
	ck_assert_uint_eq(c->send_timeout, 60);
	ck_assert_uint_eq(c->body_timeout, 30);
	ck_assert_uint_eq(c->send_min_rate, 1024);
	ck_assert_uint_eq(c->body_min_rate, 1024);
	ck_assert_uint_eq(c->min_rate_window, 10);
	ck_assert_uint_eq(c->request_line_max, 8192);
	ck_assert_uint_eq(c->header_field_max, 8192);
	ck_assert_uint_eq(c->header_max, 16384);
	ck_assert_uint_eq(c->header_fields_max, 100);
	ck_assert_uint_eq(c->body_max, 1048576);
	ck_assert_uint_eq(c->keepalive_requests, 100);
	ck_assert_uint_eq(c->listen_backlog, 511);
	ck_assert_uint_eq(c->worker_connections, 512);
	ck_assert_uint_eq(c->max_connections_per_client, 0);
	ck_assert_uint_eq(c->client_ipv6_prefix, 64);
	ck_assert(!c->directory_listing);
	/* No pool key: a fixed pool of `workers`. */
	ck_assert(!c->adaptive);
	ck_assert_uint_eq(c->start_workers, 4);
	ck_assert_uint_eq(c->max_workers, 4);
	ck_assert_uint_eq(c->max_requests_per_worker, 0);
	ck_assert_uint_eq(c->shutdown_timeout, 30);
	ck_assert_uint_eq(c->request_timeout, 120);
	ck_assert_ptr_null(c->status_path);
	ck_assert_uint_eq(c->nstatus_allow, 2);
	ck_assert_str_eq(c->status_allow[0], "127.0.0.1");
	ck_assert_str_eq(c->status_allow[1], "::1");
	config_free(c);
}
END_TEST

/* Every key set to something other than its default. */
START_TEST(test_all_keys)
{
	struct config *c = load_ok(
	    "listen = {\"127.0.0.1:8080\", \"[::1]:8081\"}\n"
	    "workers = 7\n"
	    "user = \"nobody\"\n"
	    "group = \"nogroup\"\n"
	    "document-root = \"www\"\n"
	    "index = {\"default.htm\"}\n"
	    "symlinks-outside-root = true\n"
	    "pid-file = \"/tmp/x.pid\"\n"
	    "error-log = \"-\"\n"
	    "log-level = \"debug\"\n"
	    "access-log = \"off\"\n"
	    "mime-types = \"\"\n"
	    "header-timeout = 3\n"
	    "keepalive-timeout = 0\n"
	    "send-timeout = 9\n"
	    "body-timeout = 11\n"
	    "send-min-rate = 0\n"
	    "body-min-rate = 1000000000\n"
	    "min-rate-window = 3600\n"
	    "request-line-max = 300\n"
	    "header-field-max = 500\n"
	    "header-max = 2000\n"
	    "header-fields-max = 12\n"
	    "body-max = 5000000000\n"
	    "directory-listing = true\n"
	    "keepalive-requests = 0\n"
	    "listen-backlog = 17\n"
	    "worker-connections = 9\n"
	    "max-requests-per-worker = 5000\n"
	    "shutdown-timeout = 7\n"
	    "request-timeout = 0\n"
	    "status-path = \"/server-status\"\n"
	    "status-allow = {\"10.0.0.0/8\", \"fd00::/8\", \"192.0.2.1\"}\n");
	struct passwd *pw = getpwnam("nobody");

	ck_assert_ptr_nonnull(pw);
	ck_assert_uint_eq(c->nlisten, 2);
	ck_assert_str_eq(c->listen[0].host, "127.0.0.1");
	ck_assert_str_eq(c->listen[1].host, "::1");
	ck_assert_uint_eq(c->workers, 7);
	ck_assert_str_eq(c->group, "nogroup");
	ck_assert_uint_eq(c->uid, pw->pw_uid);
	ck_assert_uint_eq(c->gid, 65534);
	ck_assert_uint_eq(c->nindex, 1);
	ck_assert_str_eq(c->index[0], "default.htm");
	ck_assert(c->symlinks_outside_root);
	ck_assert_str_eq(c->pid_file, "/tmp/x.pid");
	ck_assert_str_eq(c->error_log, "-");
	ck_assert_int_eq(c->log_level, LOG_LEVEL_DEBUG);
	ck_assert_ptr_null(c->access_log);
	ck_assert_ptr_null(c->mime_types);
	ck_assert_uint_eq(c->header_timeout, 3);
	ck_assert_uint_eq(c->keepalive_timeout, 0);
	ck_assert_uint_eq(c->send_timeout, 9);
	ck_assert_uint_eq(c->body_timeout, 11);
	ck_assert_uint_eq(c->send_min_rate, 0);
	ck_assert_uint_eq(c->body_min_rate, 1000000000);
	ck_assert_uint_eq(c->min_rate_window, 3600);
	ck_assert_uint_eq(c->request_line_max, 300);
	ck_assert_uint_eq(c->header_field_max, 500);
	ck_assert_uint_eq(c->header_max, 2000);
	ck_assert_uint_eq(c->header_fields_max, 12);
	/* Beyond 32 bits: body-max is a 64-bit count. */
	ck_assert_uint_eq(c->body_max, 5000000000ULL);
	ck_assert(c->directory_listing);
	ck_assert_uint_eq(c->keepalive_requests, 0);
	ck_assert_uint_eq(c->listen_backlog, 17);
	ck_assert_uint_eq(c->worker_connections, 9);
	/* `workers` and no pool key: still the fixed pool, of 7. */
	ck_assert(!c->adaptive);
	ck_assert_uint_eq(c->start_workers, 7);
	ck_assert_uint_eq(c->max_workers, 7);
	ck_assert_uint_eq(c->max_requests_per_worker, 5000);
	ck_assert_uint_eq(c->shutdown_timeout, 7);
	ck_assert_uint_eq(c->request_timeout, 0);
	ck_assert_str_eq(c->status_path, "/server-status");
	/* A list given replaces the default one, in the order written. */
	ck_assert_uint_eq(c->nstatus_allow, 3);
	ck_assert_str_eq(c->status_allow[0], "10.0.0.0/8");
	ck_assert_str_eq(c->status_allow[1], "fd00::/8");
	ck_assert_str_eq(c->status_allow[2], "192.0.2.1");
	config_free(c);
}
END_TEST

/* ------------------------------------------------------------------ */
/* numeric ranges: min-1, min, max, max+1 of every integer key */

static const struct {
	const char *key;
	long min, max;
	const char *extra;	/* on line 3, so the cross-check passes */
	bool adaptive;		/* a pool key: setting one turns it on */
} range_cases[] = {
	{ "workers", 1, 1024, "", false },
	/* request-timeout must exceed these three, or be 0 (off). */
	{ "header-timeout", 1, 3600, "request-timeout = 0\n", false },
	{ "keepalive-timeout", 0, 3600, "", false },
	{ "send-timeout", 1, 3600, "request-timeout = 0\n", false },
	{ "body-timeout", 1, 3600, "request-timeout = 0\n", false },
	{ "send-min-rate", 0, 1000000000, "", false },
	{ "body-min-rate", 0, 1000000000, "", false },
	{ "min-rate-window", 1, 3600, "", false },
	{ "request-line-max", 256, 65536, "header-max = 1048576\n", false },
	{ "header-field-max", 256, 65536, "", false },
	{ "header-max", 1024, 1048576, "request-line-max = 256\n", false },
	{ "header-fields-max", 1, 10000, "", false },
	{ "body-max", 0, 1099511627776L, "", false },
	{ "keepalive-requests", 0, 1000000, "", false },
	{ "listen-backlog", 1, 65535, "", false },
	{ "worker-connections", 1, 65536, "", false },
	{ "max-connections-per-client", 0, 65535, "", false },
	{ "client-ipv6-prefix", 1, 128, "", false },
	/* The extras keep min-spare <= max-spare, start-workers and
	 * min-spare <= max-workers at both edges. */
	{ "start-workers", 1, 4096, "max-workers = 4096\n", true },
	{ "min-spare", 0, 4096, "max-spare = 4096\nmax-workers = 4096\n",
	    true },
	{ "max-spare", 1, 4096, "min-spare = 0\n", true },
	{ "max-workers", 1, 4096, "start-workers = 1\nmin-spare = 0\n", true },
	{ "max-requests-per-worker", 0, 100000000, "", false },
	{ "shutdown-timeout", 1, 86400, "", false },
	{ "request-timeout", 0, 86400, "", false },
};

static long
config_number(const struct config *c, const char *key)
{
	if (strcmp(key, "workers") == 0)
		return (long)c->workers;
	if (strcmp(key, "header-timeout") == 0)
		return (long)c->header_timeout;
	if (strcmp(key, "keepalive-timeout") == 0)
		return (long)c->keepalive_timeout;
	if (strcmp(key, "send-timeout") == 0)
		return (long)c->send_timeout;
	if (strcmp(key, "body-timeout") == 0)
		return (long)c->body_timeout;
	if (strcmp(key, "send-min-rate") == 0)
		return (long)c->send_min_rate;
	if (strcmp(key, "body-min-rate") == 0)
		return (long)c->body_min_rate;
	if (strcmp(key, "min-rate-window") == 0)
		return (long)c->min_rate_window;
	if (strcmp(key, "header-field-max") == 0)
		return (long)c->header_field_max;
	if (strcmp(key, "body-max") == 0)
		return (long)c->body_max;
	if (strcmp(key, "request-line-max") == 0)
		return (long)c->request_line_max;
	if (strcmp(key, "header-max") == 0)
		return (long)c->header_max;
	if (strcmp(key, "header-fields-max") == 0)
		return (long)c->header_fields_max;
	if (strcmp(key, "keepalive-requests") == 0)
		return (long)c->keepalive_requests;
	if (strcmp(key, "listen-backlog") == 0)
		return (long)c->listen_backlog;
	if (strcmp(key, "worker-connections") == 0)
		return (long)c->worker_connections;
	if (strcmp(key, "max-connections-per-client") == 0)
		return (long)c->max_connections_per_client;
	if (strcmp(key, "client-ipv6-prefix") == 0)
		return (long)c->client_ipv6_prefix;
	if (strcmp(key, "start-workers") == 0)
		return (long)c->start_workers;
	if (strcmp(key, "min-spare") == 0)
		return (long)c->min_spare;
	if (strcmp(key, "max-spare") == 0)
		return (long)c->max_spare;
	if (strcmp(key, "max-workers") == 0)
		return (long)c->max_workers;
	if (strcmp(key, "max-requests-per-worker") == 0)
		return (long)c->max_requests_per_worker;
	if (strcmp(key, "shutdown-timeout") == 0)
		return (long)c->shutdown_timeout;
	if (strcmp(key, "request-timeout") == 0)
		return (long)c->request_timeout;
	return -12345;
}

/* _i / 4 is the row; _i % 4 picks min-1, min, max, max+1. */
START_TEST(test_ranges)
{
	size_t row = (size_t)_i / 4;
	int which = _i % 4;
	const char *key = range_cases[row].key;
	long min = range_cases[row].min, max = range_cases[row].max;
	long v = which == 0 ? min - 1 : which == 1 ? min :
	    which == 2 ? max : max + 1;
	char text[256], err[512], want[256];
	struct config *c;

	snprintf(text, sizeof(text), DOCROOT "%s = %ld\n%s", key, v,
	    range_cases[row].extra);
	c = load(text, err, sizeof(err));
	if (which == 1 || which == 2) {
		ck_assert_msg(c != NULL, "%s = %ld rejected: %s", key, v, err);
		ck_assert_int_eq(config_number(c, key), v);
		ck_assert_msg(c->adaptive == range_cases[row].adaptive,
		    "%s = %ld: adaptive is %d", key, v, (int)c->adaptive);
		config_free(c);
		return;
	}
	snprintf(want, sizeof(want), "t.conf:2: %s: value %ld out of range "
	    "%ld..%ld", key, v, min, max);
	ck_assert_msg(c == NULL, "%s = %ld accepted", key, v);
	ck_assert_str_eq(err, want);
}
END_TEST

/* ------------------------------------------------------------------ */
/* paths */

static const struct {
	const char *text;
	const char *field;	/* "document_root", "pid_file", ... */
	const char *want;	/* relative: under base; NULL: field is NULL */
	const char *note;
} path_cases[] = {
	{ DOCROOT, "document_root", "www", "relative docroot" },
	{ "document-root = \"./www/../www/\"\n", "document_root", "www",
	    "docroot realpath'd, no trailing slash" },
	{ "document-root = \"link\"\n", "document_root", "www",
	    "a symlinked docroot resolves to its target" },
	{ "document-root = \"@B/www\"\n", "document_root", "www",
	    "absolute docroot" },
	{ DOCROOT "pid-file = \"run/f.pid\"\n", "pid_file", "run/f.pid",
	    "relative pid-file" },
	{ DOCROOT "pid-file = \"/var/x.pid\"\n", "pid_file", "/var/x.pid",
	    "absolute pid-file kept" },
	{ DOCROOT "error-log = \"logs/e.log\"\n", "error_log", "logs/e.log",
	    "relative error-log" },
	{ DOCROOT "error-log = \"/var/e.log\"\n", "error_log", "/var/e.log",
	    "absolute error-log kept" },
	{ DOCROOT "error-log = \"-\"\n", "error_log", "/-",
	    "\"-\" is standard error, not a file" },
	{ DOCROOT "access-log = \"logs/a.log\"\n", "access_log", "logs/a.log",
	    "relative access-log" },
	{ DOCROOT "access-log = \"-\"\n", "access_log", "/-",
	    "\"-\" is standard output" },
	{ DOCROOT "access-log = \"off\"\n", "access_log", NULL,
	    "\"off\" turns it off" },
	{ DOCROOT "access-log = \"\"\n", "access_log", NULL,
	    "empty turns it off" },
	{ DOCROOT "mime-types = \"mime.types\"\n", "mime_types",
	    "mime.types", "relative mime-types" },
	{ DOCROOT "mime-types = \"\"\n", "mime_types", NULL,
	    "empty mime-types: built-in table only" },
};

static const char *
config_path_field(const struct config *c, const char *field)
{
	if (strcmp(field, "document_root") == 0)
		return c->document_root;
	if (strcmp(field, "pid_file") == 0)
		return c->pid_file;
	if (strcmp(field, "error_log") == 0)
		return c->error_log;
	if (strcmp(field, "access_log") == 0)
		return c->access_log;
	if (strcmp(field, "mime_types") == 0)
		return c->mime_types;
	ck_abort_msg("no field %s", field);
	return NULL;
}

START_TEST(test_paths)
{
	char text[PATH_MAX + 256], want[PATH_MAX];
	const char *got;
	struct config *c;

	subst_base(path_cases[_i].text, text, sizeof(text));
	c = load_ok(text);
	got = config_path_field(c, path_cases[_i].field);
	if (path_cases[_i].want == NULL)
		ck_assert_msg(got == NULL, "%s: %s is \"%s\"",
		    path_cases[_i].note, path_cases[_i].field, got);
	else {
		const char *w = path_cases[_i].want;

		/* "/-" in the table stands for the literal "-". */
		if (strcmp(w, "/-") == 0)
			snprintf(want, sizeof(want), "-");
		else
			in_base(w, want, sizeof(want));
		ck_assert_msg(got != NULL && strcmp(got, want) == 0,
		    "%s: %s is \"%s\", want \"%s\"", path_cases[_i].note,
		    path_cases[_i].field, got ? got : "(null)", want);
	}
	config_free(c);
}
END_TEST

/* ------------------------------------------------------------------ */
/* listen */

static const struct {
	const char *spec;
	const char *host;	/* NULL: wildcard */
	const char *port;
	int family;
	const char *note;
} listen_cases[] = {
	{ "127.0.0.1:8080", "127.0.0.1", "8080", AF_INET, "IPv4 address" },
	{ "[::1]:8080", "::1", "8080", AF_INET6, "IPv6 in brackets" },
	{ "[::]:443", "::", "443", AF_INET6, "IPv6 wildcard address" },
	{ "[fe80::1%lo]:80", NULL, NULL, 0, "scope id: not inet_pton" },
	{ "*:80", NULL, "80", AF_INET, "wildcard" },
	{ "8080", NULL, "8080", AF_INET, "bare port" },
	{ "localhost:8080", "localhost", "8080", AF_UNSPEC, "host name" },
	{ "www.example.org:1", "www.example.org", "1", AF_UNSPEC,
	    "dotted host name, lowest port" },
	{ "0.0.0.0:65535", "0.0.0.0", "65535", AF_INET, "highest port" },
};

START_TEST(test_listen_forms)
{
	char text[256], err[512];
	struct config *c;

	snprintf(text, sizeof(text), DOCROOT "listen = {\"%s\"}\n",
	    listen_cases[_i].spec);
	c = load(text, err, sizeof(err));
	if (listen_cases[_i].port == NULL) {
		ck_assert_msg(c == NULL, "%s: accepted", listen_cases[_i].note);
		ck_assert(starts_with(err, "t.conf:2: listen: \""));
		return;
	}
	ck_assert_msg(c != NULL, "%s: %s", listen_cases[_i].note, err);
	ck_assert_uint_eq(c->nlisten, 1);
	ck_assert_str_eq(c->listen[0].spec, listen_cases[_i].spec);
	if (listen_cases[_i].host == NULL)
		ck_assert_ptr_null(c->listen[0].host);
	else
		ck_assert_str_eq(c->listen[0].host, listen_cases[_i].host);
	ck_assert_str_eq(c->listen[0].port, listen_cases[_i].port);
	ck_assert_msg(c->listen[0].family == listen_cases[_i].family,
	    "%s: family %d, want %d", listen_cases[_i].note,
	    c->listen[0].family, listen_cases[_i].family);
	config_free(c);
}
END_TEST

START_TEST(test_listen_several)
{
	struct config *c = load_ok(DOCROOT "listen = {\"127.0.0.1:8080\",\n"
	    "  \"[::1]:8080\", \"9090\"}\n");

	ck_assert_uint_eq(c->nlisten, 3);
	ck_assert_str_eq(c->listen[0].spec, "127.0.0.1:8080");
	ck_assert_int_eq(c->listen[0].family, AF_INET);
	ck_assert_str_eq(c->listen[1].host, "::1");
	ck_assert_int_eq(c->listen[1].family, AF_INET6);
	ck_assert_ptr_null(c->listen[2].host);
	ck_assert_str_eq(c->listen[2].port, "9090");
	config_free(c);
}
END_TEST

/* " tls" listeners, certificates per server, a server's own listeners */
START_TEST(test_tls_keys)
{
	struct config *c = load_ok(DOCROOT
	    "listen = {\"127.0.0.1:8080\", \"127.0.0.1:8443 tls\"}\n"
	    "tls-certificate = \"/etc/c.pem\"\n"
	    "tls-key = \"k.pem\"\n"
	    "tls-protocols = \"TLSv1.3\"\n"
	    "server \"a.test\" { }\n"
	    "server \"b.test\" { tls-certificate = \"b.pem\"\n"
	    "  tls-ocsp-file = \"b.ocsp\"\n  default = true }\n"
	    "server \"plain\" { listen = { \"127.0.0.1:8080\" }\n"
	    "  tls-certificate = \"off\" }\n");
	char want[PATH_MAX];

	ck_assert(c->any_tls);
	ck_assert(!c->listen[0].tls);
	ck_assert(c->listen[1].tls);
	/* The address alone: what a reload compares. */
	ck_assert_str_eq(c->listen[1].spec, "127.0.0.1:8443");
	ck_assert_str_eq(c->tls_protocols, "TLSv1.3");
	ck_assert_str_eq(c->tls_ciphers, "");
	/* a.test inherits the top level's pair, paths made absolute. */
	ck_assert_str_eq(c->servers[0].tls_certificate, "/etc/c.pem");
	unit_path(want, sizeof(want), base, "k.pem");
	ck_assert_str_eq(c->servers[0].tls_key, want);
	ck_assert_ptr_null(c->servers[0].tls_ocsp_file);
	/* b.test: its own certificate, the inherited key. */
	unit_path(want, sizeof(want), base, "b.pem");
	ck_assert_str_eq(c->servers[1].tls_certificate, want);
	ck_assert_ptr_nonnull(c->servers[1].tls_ocsp_file);
	ck_assert_ptr_null(c->servers[2].tls_certificate);
	/* Who answers where: plain only on 8080; b.test is the default. */
	ck_assert(config_server_on(&c->servers[0], 1));
	ck_assert(config_server_on(&c->servers[2], 0));
	ck_assert(!config_server_on(&c->servers[2], 1));
	ck_assert_uint_eq(c->listen[0].default_server, 1);
	ck_assert_uint_eq(c->listen[1].default_server, 1);
	config_free(c);

	/* The default does not answer on 8080: the first that does. */
	c = load_ok(DOCROOT
	    "listen = {\"8080\", \"8443 tls\"}\n"
	    "tls-certificate = \"c.pem\"\n"
	    "server \"a\" { listen = { \"*:8443\" }\n  default = true }\n"
	    "server \"b\" { listen = { \"8443 tls\" } }\n"
	    "server \"c\" { listen = { \"8080\" } }\n");
	ck_assert_uint_eq(c->listen[0].default_server, 2);
	ck_assert_uint_eq(c->listen[1].default_server, 0);
	ck_assert(!c->listen[0].tls);
	config_free(c);

	/* No TLS listener: nothing to load. */
	c = load_ok(DOCROOT "tls-certificate = \"c.pem\"\n");
	ck_assert(!c->any_tls);
	config_free(c);
}
END_TEST

static const struct {
	const char *text;	/* after DOCROOT */
	const char *want;	/* the message */
} tls_errors[] = {
	{ "listen = {\"8443 tls\"}\n",
	    "t.conf:2: listen: \"8443 tls\" needs tls-certificate" },
	{ "listen = {\"8443 tls\"}\nserver \"a\" { }\n",
	    "t.conf:3: server \"a\" answers on \"8443 tls\" without "
	    "tls-certificate" },
	{ "listen = {\"8443 tls\", \"80\"}\ntls-certificate = \"c\"\n"
	    "server \"a\" { tls-certificate = \"off\" }\n",
	    "t.conf:4: server \"a\" answers on \"8443 tls\" without "
	    "tls-certificate" },
	{ "listen = {\"80\"}\nserver \"a\" { listen = { \"81\" } }\n",
	    "t.conf:3: server \"a\": listen: \"81\" is not among the top "
	    "level's listen entries" },
	{ "listen = {\"80\", \"81\"}\nserver \"a\" { listen = { \"80\" } }\n",
	    "t.conf:2: listen: \"81\": no server answers on it" },
	{ "server \"a\" { tls-key = \"k\" }\n",
	    "t.conf:2: server \"a\": tls-key: set without tls-certificate" },
	{ "listen = {\"127.0.0.1:80 tl\"}\n",
	    "t.conf:2: listen: \"127.0.0.1:80 tl\": bad port" },
};

START_TEST(test_tls_errors)
{
	char text[1024], err[512];
	struct config *c;

	snprintf(text, sizeof(text), DOCROOT "%s", tls_errors[_i].text);
	c = load(text, err, sizeof(err));
	ck_assert_msg(c == NULL, "accepted:\n%s", text);
	ck_assert_msg(starts_with(err, tls_errors[_i].want), "got \"%s\"\n"
	    "want \"%s...\"", err, tls_errors[_i].want);
}
END_TEST

/* ------------------------------------------------------------------ */
/* the worker pool: fixed (workers) or adaptive (any pool key) */

#define ANY (-1)		/* not part of the contract for this row */

static const struct {
	const char *text;	/* after DOCROOT, from line 2 */
	bool adaptive;
	long workers, start, min_spare, max_spare, max_workers;
	const char *note;
} pool_cases[] = {
	{ "", false, 4, 4, ANY, ANY, 4,
	    "no pool key: a fixed pool of the default 4" },
	{ "workers = 1\n", false, 1, 1, ANY, ANY, 1,
	    "fixed pool of 1: start = max = workers" },
	{ "workers = 1024\n", false, 1024, 1024, ANY, ANY, 1024,
	    "fixed pool of 1024: start = max = workers" },
	{ "max-requests-per-worker = 1000\nshutdown-timeout = 5\n"
	    "request-timeout = 0\n", false, 4, 4, ANY, ANY, 4,
	    "the lifecycle keys are not pool keys" },
	{ "status-path = \"/s\"\nworkers = 3\n", false, 3, 3, ANY, ANY, 3,
	    "nor are the status keys" },
	{ "# start-workers = 3\n/* max-workers = 9 */\n", false, 4, 4, ANY,
	    ANY, 4, "a pool key in a comment is not set" },
	{ "start-workers = 3\n", true, 3, 3, 5, 10, 256,
	    "start-workers alone; the others default" },
	{ "min-spare = 2\n", true, 5, 5, 2, 10, 256, "min-spare alone" },
	{ "max-spare = 20\n", true, 5, 5, 5, 20, 256, "max-spare alone" },
	{ "max-workers = 50\n", true, 5, 5, 5, 10, 50, "max-workers alone" },
	{ "start-workers = 5\n", true, 5, 5, 5, 10, 256,
	    "a pool key set to its default still turns the pool on" },
	{ "start-workers = 8\nmin-spare = 2\nmax-spare = 6\n"
	    "max-workers = 64\n", true, 8, 8, 2, 6, 64, "all four" },
	{ "max-workers = 64\nmax-spare = 6\nmin-spare = 2\n"
	    "start-workers = 8\n", true, 8, 8, 2, 6, 64,
	    "all four, in another order" },
	{ "min-spare = 7\nmax-spare = 7\n", true, 5, 5, 7, 7, 256,
	    "min-spare = max-spare" },
	{ "start-workers = 10\nmax-workers = 10\n", true, 10, 10, 5, 10, 10,
	    "start-workers = max-workers" },
	{ "max-workers = 5\n", true, 5, 5, 5, 10, 5,
	    "the default start-workers and min-spare = max-workers" },
	{ "start-workers = 1\nmin-spare = 0\nmax-spare = 1\n"
	    "max-workers = 1\n", true, 1, 1, 0, 1, 1, "the smallest pool" },
	{ "start-workers = 4096\nmin-spare = 4096\nmax-spare = 4096\n"
	    "max-workers = 4096\n", true, 4096, 4096, 4096, 4096, 4096,
	    "the largest pool (above workers' 1024)" },
};

START_TEST(test_pool)
{
	char text[512];
	struct config *c;

	snprintf(text, sizeof(text), DOCROOT "%s", pool_cases[_i].text);
	c = load_ok(text);
	ck_assert_msg(c->adaptive == pool_cases[_i].adaptive,
	    "%s: adaptive is %d", pool_cases[_i].note, (int)c->adaptive);
#define POOL_FIELD(field, want)						\
	do {								\
		if ((want) != ANY)					\
			ck_assert_msg((long)c->field == (want),		\
			    "%s: " #field " is %ld, want %ld",		\
			    pool_cases[_i].note, (long)c->field,	\
			    (long)(want));				\
	} while (0)
	POOL_FIELD(workers, pool_cases[_i].workers);
	POOL_FIELD(start_workers, pool_cases[_i].start);
	POOL_FIELD(min_spare, pool_cases[_i].min_spare);
	POOL_FIELD(max_spare, pool_cases[_i].max_spare);
	POOL_FIELD(max_workers, pool_cases[_i].max_workers);
#undef POOL_FIELD
	config_free(c);
}
END_TEST

/* request-timeout just above the longest other deadline, or 0 (off). */
START_TEST(test_request_timeout)
{
	struct config *c;

	c = load_ok(DOCROOT "request-timeout = 61\n");
	ck_assert_uint_eq(c->request_timeout, 61);
	config_free(c);
	c = load_ok(DOCROOT "header-timeout = 3600\nbody-timeout = 3600\n"
	    "send-timeout = 3600\nrequest-timeout = 3601\n");
	ck_assert_uint_eq(c->request_timeout, 3601);
	config_free(c);
	c = load_ok(DOCROOT "header-timeout = 3600\nrequest-timeout = 0\n");
	ck_assert_uint_eq(c->request_timeout, 0);
	ck_assert_uint_eq(c->header_timeout, 3600);
	config_free(c);
}
END_TEST

/* ------------------------------------------------------------------ */
/* the status page: status-path, status-allow, config_valid_network() */

static const struct {
	const char *value;	/* as written between the quotes */
	bool ok;
	const char *note;
} status_path_cases[] = {
	{ "/server-status", true, "the usual path" },
	{ "/", true, "the root is an absolute path too" },
	{ "/admin/status.html", true, "several segments" },
	{ "", true, "empty: no status page" },
	{ "server-status", false, "not absolute" },
	{ "http://localhost/server-status", false,
	    "an absolute URI is not an absolute path" },
	{ "/server-status?json", false,
	    "a query: the page picks its format from the query itself" },
	{ "?", false, "only a query" },
	{ "/status#top", false, "a fragment" },
	{ "/server status", false, "a space" },
};

START_TEST(test_status_path)
{
	const char *v = status_path_cases[_i].value;
	char text[256], err[512], want[512];
	struct config *c;

	snprintf(text, sizeof(text), DOCROOT "status-path = \"%s\"\n", v);
	c = load(text, err, sizeof(err));
	if (status_path_cases[_i].ok) {
		ck_assert_msg(c != NULL, "%s: rejected: %s",
		    status_path_cases[_i].note, err);
		if (v[0] == '\0')
			ck_assert_msg(c->status_path == NULL, "%s: \"%s\"",
			    status_path_cases[_i].note, c->status_path);
		else
			ck_assert_str_eq(c->status_path, v);
		config_free(c);
		return;
	}
	ck_assert_msg(c == NULL, "%s: accepted", status_path_cases[_i].note);
	snprintf(want, sizeof(want), "t.conf:2: status-path: \"%s\" is not an "
	    "absolute URL path (as \"/server-status\", no query)", v);
	ck_assert_str_eq(err, want);
}
END_TEST

/*
 * Entries of status-allow, and config_valid_network() directly: the
 * entries the brief names first, then the edges of each form.
 */
static const struct {
	const char *s;
	bool ok;
	const char *note;
} network_cases[] = {
	{ "all", true, "everyone" },
	{ "10.0.0.0/8", true, "an IPv4 network" },
	{ "::1", true, "an IPv6 address" },
	{ "fd00::/8", true, "an IPv6 network" },
	{ "127.0.0.1", true, "an IPv4 address" },
	{ "10.0.0.0/33", false, "IPv4 prefix longer than 32 bits" },
	{ "::/129", false, "IPv6 prefix longer than 128 bits" },
	{ "host.example", false, "host names are not resolved" },
	{ "", false, "empty" },
	{ "1.2.3.4/", false, "a slash without bits" },
	{ "/8", false, "bits without an address" },
	{ "0.0.0.0/0", true, "IPv4 /0: every IPv4 address" },
	{ "192.0.2.1/32", true, "IPv4 /32: one address" },
	{ "::/0", true, "IPv6 /0" },
	{ "2001:db8::1/128", true, "IPv6 /128" },
	{ "::ffff:192.0.2.1", true, "v4-mapped IPv6 address" },
	{ "::ffff:0:0/96", true, "the v4-mapped network" },
	{ "10.0.0.0/08", true, "leading zero in the bits" },
	{ "10.0.0.0/-1", false, "negative bits" },
	{ "10.0.0.0/+8", false, "signed bits" },
	{ "10.0.0.0/8/8", false, "two slashes" },
	{ "10.0.0.0/ 8", false, "a space before the bits" },
	{ "10.0.0.0/8 ", false, "a trailing space" },
	{ " 127.0.0.1", false, "a leading space" },
	{ "10.0.0.0/0x8", false, "hex bits" },
	{ "10.0.0.0/99999999999999999999999", false,
	    "bits overflowing 64 bits" },
	{ "10.0/8", false, "IPv4 shorthand (inet_aton's, not inet_pton's)" },
	{ "256.0.0.1", false, "IPv4 octet above 255" },
	{ "1.2.3.4.5", false, "five octets" },
	{ "1.2.3.4:80", false, "a port" },
	{ "[::1]", false, "IPv6 in brackets" },
	{ "fe80::1%lo", false, "a scope id" },
	{ "::1::2", false, "two \"::\"" },
	{ "all/8", false, "\"all\" takes no bits" },
	{ "All", false, "\"all\" is lower case" },
	{ "alls", false, "\"all\" and more" },
	{ "0000:0000:0000:0000:0000:0000:0000:0000:0000/1", false,
	    "an address part longer than any IPv6 address" },
};

START_TEST(test_valid_network)
{
	bool got = config_valid_network(network_cases[_i].s);

	ck_assert_msg(got == network_cases[_i].ok, "\"%s\" (%s): %s",
	    network_cases[_i].s, network_cases[_i].note,
	    got ? "accepted" : "rejected");
}
END_TEST

/* The same entries through the conf file: kept as written, or the error. */
START_TEST(test_status_allow)
{
	const char *s = network_cases[_i].s;
	char text[256], err[512], want[512];
	struct config *c;

	snprintf(text, sizeof(text), DOCROOT "status-allow = {\"%s\"}\n", s);
	c = load(text, err, sizeof(err));
	if (network_cases[_i].ok) {
		ck_assert_msg(c != NULL, "\"%s\" (%s): rejected: %s", s,
		    network_cases[_i].note, err);
		ck_assert_uint_eq(c->nstatus_allow, 1);
		ck_assert_str_eq(c->status_allow[0], s);
		config_free(c);
		return;
	}
	ck_assert_msg(c == NULL, "\"%s\" (%s): accepted", s,
	    network_cases[_i].note);
	snprintf(want, sizeof(want), "t.conf:2: status-allow: \"%s\" is not "
	    "an address, a network or \"all\"", s);
	ck_assert_str_eq(err, want);
}
END_TEST

/* An empty list is allowed: a status page that nobody may see. */
START_TEST(test_status_allow_empty)
{
	struct config *c = load_ok(DOCROOT "status-path = \"/s\"\n"
	    "status-allow = {}\n");

	ck_assert_str_eq(c->status_path, "/s");
	ck_assert_uint_eq(c->nstatus_allow, 0);
	config_free(c);
}
END_TEST

/* ------------------------------------------------------------------ */
/* the log keys */

START_TEST(test_log_defaults)
{
	struct config *c = load_ok(DOCROOT);
	struct group *adm = getgrnam("adm");

	ck_assert_int_eq(c->log.error.kind, LOG_TO_FILE);
	ck_assert_str_eq(c->log.error.path, c->error_log);
	ck_assert_uint_eq(c->naccess_logs, 1);
	ck_assert_ptr_eq(c->log.access, c->access_logs);
	ck_assert_int_eq(c->access_logs[0].target.kind, LOG_TO_FILE);
	ck_assert_ptr_nonnull(c->access_logs[0].format);
	ck_assert_uint_eq(log_format_needs(c->access_logs[0].format), 0);
	ck_assert_uint_eq(c->log.uid, 0);
	ck_assert_uint_eq(c->log.gid, adm != NULL ? adm->gr_gid : 0);
	ck_assert_uint_eq(c->log.mode, 0640);
	ck_assert_int_eq(c->log.level, LOG_LEVEL_NOTICE);
	config_free(c);
}
END_TEST

START_TEST(test_log_keys)
{
	struct config *c = load_ok(DOCROOT
	    "error-log = \"syslog:local1\"\n"
	    "access-log = \"syslog:facility=daemon,tag=forkhttpd,"
	    "severity=notice\"\n"
	    "access-log-format = \"json\"\n"
	    "log-owner = \"nobody\"\n"
	    "log-group = \"nogroup\"\n"
	    "log-mode = \"600\"\n");
	struct log_format_entry e = { .client = "192.0.2.1", .status = 200 };
	struct passwd *pw = getpwnam("nobody");
	struct group *gr = getgrnam("nogroup");
	char line[4096];

	ck_assert_ptr_nonnull(pw);
	ck_assert_ptr_nonnull(gr);
	ck_assert_str_eq(c->error_log, "syslog:local1");
	ck_assert_int_eq(c->log.error.kind, LOG_TO_SYSLOG);
	ck_assert_int_eq(c->log.error.facility, LOG_LOCAL1);
	ck_assert_str_eq(c->log.error.tag, "forkhttpd");
	ck_assert_int_eq(c->access_logs[0].target.kind, LOG_TO_SYSLOG);
	ck_assert_int_eq(c->access_logs[0].target.facility, LOG_DAEMON);
	ck_assert_int_eq(c->access_logs[0].target.severity, LOG_NOTICE);
	/* json unless access-log-escape says otherwise */
	log_format_render(c->access_logs[0].format, &e, line, sizeof(line));
	ck_assert_msg(strncmp(line, "{\"time\":\"", 9) == 0 &&
	    strstr(line, "\"remote_user\":null") != NULL, "%s", line);
	ck_assert_uint_eq(c->log.uid, pw->pw_uid);
	ck_assert_uint_eq(c->log.gid, gr->gr_gid);
	ck_assert_uint_eq(c->log.mode, 0600);
	config_free(c);

	c = load_ok(DOCROOT "access-log = \"syslog\"\n"
	    "access-log-format = \"%h %{Referer}i %A\"\n"
	    "access-log-escape = \"json\"\n");
	ck_assert_int_eq(c->access_logs[0].target.facility, LOG_LOCAL7);
	ck_assert_int_eq(c->access_logs[0].target.severity, LOG_INFO);
	ck_assert_str_eq(c->access_logs[0].target.tag, "forkhttpd");
	ck_assert_uint_eq(log_format_needs(c->access_logs[0].format),
	    LOG_FORMAT_NEED_LOCAL);
	line[log_format_render(c->access_logs[0].format, &e, line,
	    sizeof(line) - 1)] = '\0';
	ck_assert_str_eq(line, "\"192.0.2.1\" null null\n");
	config_free(c);
}
END_TEST

/* ------------------------------------------------------------------ */
/* errors: the whole message, or its exact prefix */

static const struct {
	const char *text;
	const char *want;	/* "@B" stands for the base directory */
	bool prefix;		/* want is a prefix, not the whole message */
	const char *also;	/* must appear too; NULL: nothing */
	const char *not;	/* must not appear; NULL: nothing */
	const char *note;
} error_cases[] = {
	{ DOCROOT "\nbogus-key = 1\n", "t.conf:3: unknown key ", true,
	    "bogus-key", NULL, "unknown key, its name and line" },
	{ DOCROOT "\nbogus-key = 1\n", "t.conf:3: unknown key 'bogus-key'",
	    false, NULL, NULL, "no known key near enough: no suggestion" },
	{ DOCROOT "worker = 4\n",
	    "t.conf:2: unknown key 'worker'; did you mean 'workers'?", false,
	    NULL, NULL, "a letter missing: the nearest key" },
	{ DOCROOT "keepalive-timout = 4\n", "t.conf:2: unknown key "
	    "'keepalive-timout'; did you mean 'keepalive-timeout'?", false,
	    NULL, NULL, "a letter missing in a long key" },
	{ DOCROOT "documnet_root = \"www\"\n", "t.conf:2: unknown key "
	    "'documnet_root'; did you mean 'document-root'?", false, NULL,
	    NULL, "two letters swapped and an underscore" },
	{ DOCROOT "max-spares = 4\n",
	    "t.conf:2: unknown key 'max-spares'; did you mean 'max-spare'?",
	    false, NULL, NULL, "the nearest of several near keys" },
	{ DOCROOT "indx = {\"a\"}\n",
	    "t.conf:2: unknown key 'indx'; did you mean 'index'?", false, NULL,
	    NULL, "a short key" },
	{ DOCROOT "usr = \"a\"\n",
	    "t.conf:2: unknown key 'usr'; did you mean 'user'?", false, NULL,
	    NULL, "a three-letter typo" },
	{ DOCROOT "ab = 1\n", "t.conf:2: unknown key 'ab'", false, NULL, NULL,
	    "two letters are no key's typo" },
	/* where a problem starts, not where libconfuse gave up */
	{ DOCROOT "workers = 2\nuser = \"nobody\n\npid-file = \"x.pid\"\n",
	    "t.conf:3: unterminated string: a string must end on the line it "
	    "starts", false, NULL, NULL,
	    "an unterminated string, with another string below" },
	{ DOCROOT "workers = 2\n\nuser = 'nobody\n\n",
	    "t.conf:4: unterminated string: a string must end on the line it "
	    "starts", false, NULL, NULL, "an unterminated single-quoted string" },
	{ DOCROOT "user = \"nobody\\\"\n",
	    "t.conf:2: unterminated string", true, NULL, NULL,
	    "an escaped quote does not end a string" },
	{ DOCROOT "user = 'nob\\\\'\n", "t.conf:2: user: unknown user "
	    "\"nob\\\"", false, NULL, NULL,
	    "an escaped backslash ends a single-quoted string's escapes" },
	{ DOCROOT "user = 'no\\'body'\n", "t.conf:2: user: unknown user "
	    "\"no'body\"", false, NULL, NULL,
	    "an escaped quote in a single-quoted string" },
	{ DOCROOT "user = \"nobody\"\n\"\n", "t.conf:3: unterminated string",
	    true, NULL, NULL, "a lone quote at the end of the file" },
	{ DOCROOT "workers = 2\n/* a comment\nworkers = 0\n\n",
	    "t.conf:3: unterminated comment: '/*' without '*/'", false, NULL,
	    NULL, "an unterminated comment swallows nothing silently" },
	{ DOCROOT "workers = \"x\"\n",
	    "t.conf:2: workers: not a whole number; expected 1..1024", false,
	    NULL, NULL, "string for an integer: the range" },
	{ DOCROOT "workers = 3.5\n",
	    "t.conf:2: workers: not a whole number; expected 1..1024", false,
	    NULL, NULL, "float for an integer: the range" },
	{ DOCROOT "workers = 99999999999999999999999\n",
	    "t.conf:2: workers: value out of range 1..1024", false, NULL, NULL,
	    "integer overflow in the parser: the range" },
	{ DOCROOT "symlinks-outside-root = maybe\n",
	    "t.conf:2: symlinks-outside-root: not a boolean; expected true or "
	    "false (or yes/no, on/off)", false, NULL, NULL,
	    "not a boolean: the forms" },
	{ DOCROOT "workers = 0\n",
	    "t.conf:2: workers: value 0 out of range 1..1024", false, NULL,
	    NULL, "workers 0" },
	{ DOCROOT "workers = 2000\n",
	    "t.conf:2: workers: value 2000 out of range 1..1024", false, NULL,
	    NULL, "workers 2000" },
	{ DOCROOT "workers = -1\n",
	    "t.conf:2: workers: value -1 out of range 1..1024", false, NULL,
	    NULL, "negative" },
	{ DOCROOT "\nheader-field-max = 255\n",
	    "t.conf:3: header-field-max: value 255 out of range 256..65536",
	    false, NULL, NULL, "header-field-max below 256, on line 3" },
	{ DOCROOT "body-max = 2199023255552\n",
	    "t.conf:2: body-max: value 2199023255552 out of range "
	    "0..1099511627776", false, NULL, NULL, "body-max of 2 TiB" },
	{ DOCROOT "body-max = 99999999999999999999999\n",
	    "t.conf:2: body-max: value out of range 0..1099511627776", false,
	    NULL, NULL, "body-max overflows in the parser" },
	{ DOCROOT "body-max = \"1M\"\n",
	    "t.conf:2: body-max: not a whole number; expected 0..1099511627776",
	    false, NULL, NULL, "no unit suffixes: a string for an integer" },
	{ DOCROOT "workers = 2\nbody-timeout = 0\n",
	    "t.conf:3: body-timeout: value 0 out of range 1..3600", false,
	    NULL, NULL, "body-timeout 0: a body must have a deadline" },
	{ DOCROOT "directory-listing = maybe\n",
	    "t.conf:2: directory-listing: not a boolean; ", true, NULL, NULL,
	    "directory-listing not a boolean" },
	{ DOCROOT "workers = 2\n\nworkers = 0\n",
	    "t.conf:4: workers: value 0 out of range 1..1024", false, NULL,
	    NULL, "a repeated key: the line of the value that counts" },
	{ DOCROOT "listen = {\"127.0.0.1:0\"}\n",
	    "t.conf:2: listen: \"127.0.0.1:0\": port 0 out of range 1..65535",
	    false, NULL, NULL, "port 0" },
	{ DOCROOT "listen = {\"127.0.0.1:70000\"}\n",
	    "t.conf:2: listen: \"127.0.0.1:70000\": port 70000 out of range "
	    "1..65535", false, NULL, NULL, "port 70000" },
	{ DOCROOT "listen = {\"99999999999999999999999\"}\n",
	    "t.conf:2: listen: \"99999999999999999999999\": bad port", true,
	    NULL, NULL, "port overflows 64 bits" },
	{ DOCROOT "listen = {\"[::1]\"}\n",
	    "t.conf:2: listen: \"[::1]\": expected \"[address]:port\"", false,
	    NULL, NULL, "brackets without a port" },
	{ DOCROOT "listen = {\"[::1]80\"}\n",
	    "t.conf:2: listen: \"[::1]80\": expected \"[address]:port\"", false,
	    NULL, NULL, "no colon after the bracket" },
	{ DOCROOT "listen = {\"[::1\"}\n",
	    "t.conf:2: listen: \"[::1\": expected \"[address]:port\"", false,
	    NULL, NULL, "no closing bracket" },
	{ DOCROOT "listen = {\"::1:80\"}\n",
	    "t.conf:2: listen: \"::1:80\": write IPv6 addresses in brackets",
	    true, NULL, NULL, "IPv6 without brackets" },
	{ DOCROOT "listen = {\"[zz]:80\"}\n",
	    "t.conf:2: listen: \"[zz]:80\": bad IPv6 address", false, NULL,
	    NULL, "bad IPv6 address" },
	{ DOCROOT "listen = {\"[127.0.0.1]:80\"}\n",
	    "t.conf:2: listen: \"[127.0.0.1]:80\": bad IPv6 address", false,
	    NULL, NULL, "IPv4 in brackets" },
	{ DOCROOT "listen = {\"[]:80\"}\n",
	    "t.conf:2: listen: \"[]:80\": bad address; expected "
	    "\"[address]:port\"", false, NULL, NULL,
	    "empty brackets" },
	{ DOCROOT "listen = {\":80\"}\n",
	    "t.conf:2: listen: \":80\": bad address; expected "
	    "\"host:port\", \"*:port\" or \"port\"", false, NULL, NULL,
	    "empty host" },
	{ DOCROOT "listen = {\"[::1]:\"}\n",
	    "t.conf:2: listen: \"[::1]:\": bad port \"\"; expected a "
	    "number in 1..65535", false, NULL, NULL,
	    "empty port" },
	{ DOCROOT "listen = {\"localhost:http\"}\n",
	    "t.conf:2: listen: \"localhost:http\": bad port \"http\"; "
	    "expected a number in 1..65535", false,
	    NULL, NULL, "service names are not ports" },
	{ DOCROOT "listen = {\"+80\"}\n",
	    "t.conf:2: listen: \"+80\": bad port \"+80\"; expected a "
	    "number in 1..65535", false, NULL, NULL,
	    "signed port" },
	{ DOCROOT "listen = {\"*:80\",\n \"80\"}\n",
	    "t.conf:2: listen: \"80\" is listed twice", false, NULL, NULL,
	    "wildcard twice, written two ways" },
	{ DOCROOT "listen = {\"127.0.0.1:8080\", \"127.0.0.1:8080\"}\n",
	    "t.conf:2: listen: \"127.0.0.1:8080\" is listed twice", false, NULL,
	    NULL, "the same address twice" },
	{ DOCROOT "listen = {}\n", "t.conf:", true,
	    "listen: at least one address is needed", NULL, "empty list" },
	{ "document-root = \"nope\"\n",
	    "t.conf:1: document-root: @B/nope: No such file or directory", false,
	    NULL, NULL, "missing document root" },
	{ "workers = 2\n\ndocument-root = \"afile\"\n",
	    "t.conf:3: document-root: @B/afile: not a directory", false, NULL,
	    NULL, "document root is a file" },
	{ DOCROOT "user = \"no-such-user-fkh\"\n",
	    "t.conf:2: user: unknown user \"no-such-user-fkh\"", false, NULL,
	    NULL, "unknown user" },
	{ DOCROOT "user = \"root\"\n",
	    "t.conf:2: user: \"root\" is root; workers never run as root", false,
	    NULL, NULL, "root refused" },
	{ DOCROOT "user = \"\"\n", "t.conf:2: user: must not be empty; "
	    "expected a user name", false,
	    NULL, NULL, "empty user" },
	{ DOCROOT "group = \"no-such-group-fkh\"\n",
	    "t.conf:2: group: unknown group \"no-such-group-fkh\"", false, NULL,
	    NULL, "unknown group" },
	{ DOCROOT "group = \"root\"\n",
	    "t.conf:2: group: \"root\" is root's group", true, NULL, NULL,
	    "root's group refused" },
	{ DOCROOT "log-level = \"verbose\"\n",
	    "t.conf:2: log-level: \"verbose\" is not one of error, warn, notice, "
	    "info, debug", false, NULL, NULL, "bad log level" },
	{ DOCROOT "index = {\"index.html\", \"a/b.html\"}\n",
	    "t.conf:2: index: \"a/b.html\" is not a file name (one name in "
	    "the directory, no '/')", false, NULL,
	    NULL, "index with a slash" },
	{ DOCROOT "index = {\"..\"}\n",
	    "t.conf:2: index: \"..\" is not a file name", true, NULL, NULL,
	    "index \"..\"" },
	{ DOCROOT "index = {\"\"}\n",
	    "t.conf:2: index: \"\" is not a file name", true, NULL, NULL,
	    "empty index name" },
	{ DOCROOT "error-log = \"\"\n",
	    "t.conf:2: error-log: must not be empty", true, NULL, NULL,
	    "empty error-log" },
	{ DOCROOT "pid-file = \"\"\n", "t.conf:2: pid-file: must not be empty; "
	    "expected a path or \"off\"", false, NULL, NULL, "empty pid-file" },
	{ DOCROOT "request-line-max = 4096\nheader-max = 2048\n",
	    "t.conf:2: request-line-max: 4096 is larger than header-max 2048",
	    false, NULL, NULL, "request line longer than the header block" },
	{ DOCROOT "\nheader-max = 4096\n",
	    "t.conf:3: request-line-max: 8192 is larger than header-max 4096",
	    false, NULL, NULL, "header-max below the default request line" },
	{ DOCROOT "index = {\"a\"\n",
	    "t.conf:2: list not closed: a '}' is missing", false, NULL, NULL,
	    "a list open at the end: its line, not the end of the file" },
	{ DOCROOT "listen = {\"127.0.0.1:80\",\n  \"[::1]:80\"\n"
	    "workers = 2\nindex = {\"a\"}\n",
	    "t.conf:2: list not closed: a '}' is missing", false, NULL, NULL,
	    "a list open at the next key: its line, not the key's" },
	{ DOCROOT "listen = {\n  \"127.0.0.1:80\",\n  \"[::1]:80\"\n}\n"
	    "workers = 0\n", "t.conf:6: workers: value 0 out of range 1..1024",
	    false, NULL, NULL, "a list over several lines, closed" },
	{ DOCROOT "index = {\"a\" \"b\"}\n", "t.conf:2: unexpected token 'b'",
	    false, NULL, NULL, "a comma missing: libconfuse's word" },
	{ DOCROOT "index = {\"a=b\", 'c{d'}\nworkers = 0\n",
	    "t.conf:3: workers: value 0 out of range 1..1024", false, NULL,
	    NULL, "'=' and '{' inside strings are text" },
	{ DOCROOT "\nvhost {\n", "t.conf:3: section not closed: a '}' is "
	    "missing", false, NULL, NULL, "a section open at the end" },

	{ DOCROOT "}\n", "t.conf:2: unexpected closing brace", false, NULL,
	    NULL, "stray closing brace" },
	{ DOCROOT "# a comment\n/* a\n block */\nworkers = 0\n",
	    "t.conf:5: workers: value 0 out of range 1..1024", false, NULL,
	    NULL, "lines count through # and C-style comments" },
	{ DOCROOT "// one\n// two\nbogus = 1\n", "t.conf:4: unknown key ",
	    true, "bogus", NULL, "lines count through // comments" },
	{ DOCROOT "listen = {\"80\", # first\n  \"80\"} # again\n",
	    "t.conf:2: listen: \"80\" is listed twice", false, NULL, NULL,
	    "a comment inside a list" },
	{ DOCROOT "index = {\"a#b\", \"c/d\"}\n",
	    "t.conf:2: index: \"c/d\" is not a file name", true, NULL, NULL,
	    "'#' inside a string is not a comment" },
	{ DOCROOT "bogus-one = 1\nbogus-two = 2\n", "t.conf:2: unknown key ",
	    true, "bogus-one", "bogus-two", "first of two unknown keys wins" },
	{ DOCROOT "workers = 0\nheader-timeout = 0\n",
	    "t.conf:2: workers: value 0 out of range 1..1024", false, NULL,
	    "header-timeout", "first of two range errors wins" },
	{ DOCROOT "listen = {\"[::1]\", \"[zz]:80\"}\n",
	    "t.conf:2: listen: \"[::1]\": expected", true, NULL, "zz",
	    "first bad listen entry wins" },	/* the pool */
	{ DOCROOT "workers = 4\nstart-workers = 3\n",
	    "t.conf:2: workers: a fixed pool cannot be combined with "
	    "start-workers (the adaptive pool); use one or the other", false,
	    NULL, NULL, "workers with a pool key" },
	{ DOCROOT "max-workers = 64\n\nworkers = 8\n",
	    "t.conf:4: workers: a fixed pool cannot be combined with "
	    "max-workers", true, NULL, NULL,
	    "workers after a pool key: the line of workers" },
	{ DOCROOT "max-spare = 20\nmin-spare = 1\nworkers = 2\n",
	    "t.conf:4: workers: a fixed pool cannot be combined with "
	    "max-spare ", true, NULL, "min-spare",
	    "two pool keys: the first in the file is named" },
	{ DOCROOT "min-spare = 1\nworkers = 4\n",
	    "t.conf:3: workers: a fixed pool cannot be combined with "
	    "min-spare", true, NULL, NULL,
	    "workers set to its default is still set" },
	{ DOCROOT "workers = 2\nstart-workers = 0\n",
	    "t.conf:3: start-workers: value 0 out of range 1..4096", false,
	    NULL, NULL, "a pool key's range comes before the combination" },
	{ DOCROOT "min-spare = 20\n",
	    "t.conf:2: min-spare: 20 is larger than max-spare 10", false, NULL,
	    NULL, "min-spare above the default max-spare" },
	{ DOCROOT "min-spare = 8\nmax-spare = 7\n",
	    "t.conf:2: min-spare: 8 is larger than max-spare 7", false, NULL,
	    NULL, "min-spare = max-spare + 1" },
	{ DOCROOT "start-workers = 3\n\nmax-spare = 2\n",
	    "t.conf:4: min-spare: 5 is larger than max-spare 2", false, NULL,
	    NULL, "max-spare below the default min-spare: max-spare's line, "
	    "not the first pool key's" },
	{ DOCROOT "max-workers = 3\n",
	    "t.conf:2: max-workers: 3 is below start-workers 5 or min-spare 5",
	    false, NULL, NULL, "max-workers below the default start-workers" },
	{ DOCROOT "max-workers = 10\nstart-workers = 11\n",
	    "t.conf:2: max-workers: 10 is below start-workers 11 or "
	    "min-spare 5", false, NULL, NULL,
	    "start-workers = max-workers + 1" },
	{ DOCROOT "max-workers = 3\nstart-workers = 1\nmin-spare = 4\n",
	    "t.conf:2: max-workers: 3 is below start-workers 1 or min-spare 4",
	    false, NULL, NULL, "min-spare above max-workers" },
	/* the status page */
	{ DOCROOT "status-allow = {\"127.0.0.1\",\n  \"10.0.0.0/33\"}\n",
	    "t.conf:2: status-allow: \"10.0.0.0/33\" is not an address, a "
	    "network or \"all\"", false, NULL, NULL,
	    "a bad entry on a list's second line: the list's line" },
	{ DOCROOT "\nstatus-allow = {\"host.example\", \"::/129\"}\n",
	    "t.conf:3: status-allow: \"host.example\" is not", true, NULL,
	    "::/129", "first bad status-allow entry wins" },
	{ DOCROOT "status-path = \"x\"\nstatus-allow = {\"\"}\n",
	    "t.conf:2: status-path: \"x\" is not an absolute URL path", true,
	    NULL, "status-allow", "status-path before status-allow" },
	{ DOCROOT "status-path = \"/a\"\n\nstatus-path = \"b\"\n",
	    "t.conf:4: status-path: \"b\" is not an absolute URL path", true,
	    NULL, NULL, "a repeated status-path: the one that counts" },
	{ DOCROOT "shutdown-timeout = 0\n",
	    "t.conf:2: shutdown-timeout: value 0 out of range 1..86400", false,
	    NULL, NULL, "a graceful stop must end" },
	/* the minimum rates */
	{ DOCROOT "send-min-rate = 1024\n\nbody-min-rate = -1\n",
	    "t.conf:4: body-min-rate: value -1 out of range 0..1000000000",
	    false, NULL, NULL, "a negative body-min-rate, on line 4" },
	{ DOCROOT "# rates\nsend-min-rate = 1000000001\n",
	    "t.conf:3: send-min-rate: value 1000000001 out of range "
	    "0..1000000000", false, NULL, NULL,
	    "send-min-rate above 1 GB/s, after a comment" },
	{ DOCROOT "min-rate-window = 0\n",
	    "t.conf:2: min-rate-window: value 0 out of range 1..3600", false,
	    NULL, NULL, "a window of 0 s averages nothing" },
	{ DOCROOT "send-min-rate = \"1k\"\n",
	    "t.conf:2: send-min-rate: not a whole number; expected "
	    "0..1000000000", false, NULL, NULL, "no unit suffixes on a rate" },
	/* the watchdog outlasts the other deadlines */
	{ DOCROOT "request-timeout = 60\n",
	    "t.conf:2: request-timeout: 60 must be 0 or more than "
	    "header-timeout (20), body-timeout (30) and send-timeout (60)",
	    false, NULL, NULL, "request-timeout = the default send-timeout" },
	{ DOCROOT "send-timeout = 5\nrequest-timeout = 30\n",
	    "t.conf:3: request-timeout: 30 must be 0 or more than "
	    "header-timeout (20), body-timeout (30) and send-timeout (5)",
	    false, NULL, NULL, "request-timeout = the default body-timeout" },
	/* the logs */
	{ DOCROOT "access-log-format = \"%h %Z\"\n",
	    "t.conf:2: access-log-format: unknown directive %Z at column 4",
	    false, NULL, NULL, "an unknown directive, with its column" },
	{ DOCROOT "\naccess-log-format = \"%{Referer}i %e\"\n",
	    "t.conf:3: access-log-format: %e is not supported by forkhttpd "
	    "at column 13", false, NULL, NULL, "what Apache has and we lack" },
	{ DOCROOT "access-log-format = \"a\\nb\"\n",
	    "t.conf:2: access-log-format: control character 0x0a in the "
	    "format at column 2", false, NULL, NULL, "a newline in a format" },
	{ DOCROOT "access-log-format = \"\"\n",
	    "t.conf:2: access-log-format: the format is empty", false, NULL,
	    NULL, "an empty format" },
	{ DOCROOT "access-log-escape = \"xml\"\n",
	    "t.conf:2: access-log-escape: \"xml\" is not apache or json",
	    false, NULL, NULL, "an unknown escaping" },
	{ DOCROOT "log-mode = \"0666\"\n", "t.conf:2: log-mode: \"0666\" is "
	    "not an octal mode up to 0777 that the owner may write and others "
	    "may not", false, NULL, NULL, "world-writable logs" },
	{ DOCROOT "log-mode = \"0440\"\n", "t.conf:2: log-mode: \"0440\" ",
	    true, NULL, NULL, "logs the owner cannot write" },
	{ DOCROOT "log-mode = \"64o\"\n", "t.conf:2: log-mode: \"64o\" ",
	    true, NULL, NULL, "not octal" },
	{ DOCROOT "log-mode = \"01640\"\n", "t.conf:2: log-mode: \"01640\" ",
	    true, NULL, NULL, "the sticky bit" },
	{ DOCROOT "log-owner = \"no-such-user-x\"\n", "t.conf:2: log-owner: "
	    "unknown user \"no-such-user-x\"", false, NULL, NULL,
	    "an unknown log-owner" },
	{ DOCROOT "log-group = \"no-such-group-x\"\n", "t.conf:2: log-group: "
	    "unknown group \"no-such-group-x\"", false, NULL, NULL,
	    "an unknown log-group" },
	{ DOCROOT "error-log = \"syslog:server=192.0.2.1\"\n",
	    "t.conf:2: error-log: syslog: server= is not supported", true,
	    NULL, NULL, "no remote syslog" },
	{ DOCROOT "error-log = \"syslog:severity=info\"\n",
	    "t.conf:2: error-log: syslog: \"severity=info\" is not facility=F "
	    "or tag=T", true, NULL, NULL, "an error line's severity is its "
	    "level" },
	{ DOCROOT "access-log = \"syslog:facility=bogus\"\n",
	    "t.conf:2: access-log: syslog: \"facility=bogus\" is not", true,
	    NULL, NULL, "an unknown facility" },
	{ DOCROOT "access-log = \"syslog:local9\"\n",
	    "t.conf:2: access-log: syslog: \"local9\" is not", true,
	    NULL, NULL, "Apache's form, an unknown facility" },
	{ DOCROOT "access-log = \"syslog:tag=a b\"\n",
	    "t.conf:2: access-log: syslog: \"tag=a b\" is not", true,
	    NULL, NULL, "a tag with a space" },
	{ DOCROOT "access-log = \"syslog:\"\n",
	    "t.conf:2: access-log: syslog: empty parameter in \"syslog:\"",
	    false, NULL, NULL, "nothing after the colon" },
	{ DOCROOT "error-log = \"syslog:tag=a\"\naccess-log = \"syslog:tag=b\"\n",
	    "t.conf:3: access-log: syslog tag \"b\" differs from error-log's "
	    "\"a\"; syslog(3) has one tag per process", false, NULL, NULL,
	    "two tags" },
	{ DOCROOT "send-timeout = 5\nbody-timeout = 5\nrequest-timeout = 20\n",
	    "t.conf:4: request-timeout: 20 must be 0 or more than "
	    "header-timeout (20), body-timeout (5) and send-timeout (5)",
	    false, NULL, NULL, "request-timeout = the default header-timeout" },
};

START_TEST(test_errors)
{
	char text[PATH_MAX + 256], want[PATH_MAX + 256], err[1024];
	struct config *c;

	subst_base(error_cases[_i].text, text, sizeof(text));
	subst_base(error_cases[_i].want, want, sizeof(want));
	memset(err, 'X', sizeof(err));
	c = load(text, err, sizeof(err));
	ck_assert_msg(c == NULL, "%s: accepted", error_cases[_i].note);
	ck_assert_msg(memchr(err, '\0', sizeof(err)) != NULL,
	    "%s: message not terminated", error_cases[_i].note);
	ck_assert_msg(strchr(err, '\n') == NULL, "%s: message has a newline",
	    error_cases[_i].note);
	if (error_cases[_i].prefix)
		ck_assert_msg(starts_with(err, want), "%s:\n got \"%s\"\nwant "
		    "\"%s...\"", error_cases[_i].note, err, want);
	else
		ck_assert_msg(strcmp(err, want) == 0, "%s:\n got \"%s\"\nwant "
		    "\"%s\"", error_cases[_i].note, err, want);
	if (error_cases[_i].also != NULL)
		ck_assert_msg(strstr(err, error_cases[_i].also) != NULL,
		    "%s: \"%s\" lacks \"%s\"", error_cases[_i].note, err,
		    error_cases[_i].also);
	if (error_cases[_i].not != NULL)
		ck_assert_msg(strstr(err, error_cases[_i].not) == NULL,
		    "%s: \"%s\" mentions \"%s\"", error_cases[_i].note, err,
		    error_cases[_i].not);
}
END_TEST

/* ------------------------------------------------------------------ */
/* config_test_buf(): what -t checks beyond the file */

/* Logs and pid file in the base, so that only the key under test fails. */
#define TESTED DOCROOT "error-log = \"e.log\"\naccess-log = \"a.log\"\n" \
	"pid-file = \"p.pid\"\n"

static const struct {
	const char *text;	/* after TESTED, from line 5 */
	const char *want;	/* NULL: passes; "@B": the base directory */
	bool prefix;
	const char *note;
} system_cases[] = {
	{ "", NULL, false, "logs and pid file in an existing directory" },
	{ "listen = {\"localhost:8080\", \"127.0.0.1:8080\", \"[::1]:8080\", "
	    "\"8081\"}\n", NULL, false, "a name that resolves, addresses and "
	    "the wildcard" },
	{ "\nlisten = {\"127.0.0.1:80\", \"no-such-host.invalid:80\"}\n",
	    "t.conf:6: listen: \"no-such-host.invalid:80\": host "
	    "\"no-such-host.invalid\" does not resolve (", true,
	    "a host that does not resolve: the key and its line" },
	{ "error-log = \"nodir/e.log\"\n",
	    "t.conf:5: error-log: @B/nodir/e.log: directory @B/nodir does not "
	    "exist", false, "the error log's directory is missing" },
	{ "access-log = \"afile/a.log\"\n",
	    "t.conf:5: access-log: @B/afile/a.log: @B/afile is not a "
	    "directory", false, "the access log's directory is a file" },
	{ "access-log = \"www\"\n",
	    "t.conf:5: access-log: @B/www is a directory; expected a file",
	    false, "the access log is a directory" },
	{ "pid-file = \"nodir/p.pid\"\n",
	    "t.conf:5: pid-file: @B/nodir/p.pid: directory @B/nodir does not "
	    "exist", false, "the pid file's directory is missing" },
	{ "error-log = \"-\"\naccess-log = \"off\"\npid-file = \"off\"\n",
	    NULL, false, "standard error, no access log, no pid file" },
	{ "access-log = \"-\"\n", NULL, false, "standard output" },
	{ "server \"a\" {\n\n  access-log = \"nodir/s.log\"\n}\n",
	    "t.conf:7: access-log: @B/nodir/s.log: directory @B/nodir does "
	    "not exist", false, "a server's own access log: its line" },
	{ "server \"a\" {\n  access-log = \"s.log\"\n}\n", NULL, false,
	    "a server's own access log in an existing directory" },
};

START_TEST(test_system)
{
	char text[1024], want[PATH_MAX + 256], err[1024];
	struct config *c;

	snprintf(text, sizeof(text), "%s%s", TESTED, system_cases[_i].text);
	/* None of this is looked at without -t. */
	c = load(text, err, sizeof(err));
	ck_assert_msg(c != NULL, "%s: config_load_buf(): %s",
	    system_cases[_i].note, err);
	config_free(c);
	c = config_test_buf(text, "t.conf", base, err, sizeof(err));
	if (system_cases[_i].want == NULL) {
		ck_assert_msg(c != NULL, "%s: %s", system_cases[_i].note, err);
		config_free(c);
		return;
	}
	ck_assert_msg(c == NULL, "%s: accepted", system_cases[_i].note);
	subst_base(system_cases[_i].want, want, sizeof(want));
	if (system_cases[_i].prefix)
		ck_assert_msg(starts_with(err, want), "%s:\n got \"%s\"\nwant "
		    "\"%s...\"", system_cases[_i].note, err, want);
	else
		ck_assert_msg(strcmp(err, want) == 0, "%s:\n got \"%s\"\nwant "
		    "\"%s\"", system_cases[_i].note, err, want);
}
END_TEST

/*
 * A key the file does not set has no line to point at: the message says
 * the value is the default.  The built-in log directory may or may not
 * exist here; if -t fails on it, it must say so.
 */
START_TEST(test_system_default)
{
	char err[1024];
	struct config *c;

	c = config_test_buf(DOCROOT "access-log = \"off\"\n"
	    "pid-file = \"off\"\n", "t.conf", base, err, sizeof(err));
	if (c != NULL) {
		config_free(c);
		return;
	}
	ck_assert_msg(starts_with(err, "t.conf: error-log: ") &&
	    strstr(err, " (the default; set error-log to change it)") != NULL,
	    "%s", err);
}
END_TEST

/*
 * Writable by whom: the user running the test.  Root may write anywhere
 * (its -t passes); anyone else is told which uid cannot, and why.
 */
START_TEST(test_system_rights)
{
	char text[1024], want[PATH_MAX + 256], err[1024], path[PATH_MAX];
	struct config *c;

	unit_make_dir(base, "ro");
	unit_write_file(base, "ro/e.log", "");
	unit_path(path, sizeof(path), base, "ro/e.log");
	ck_assert(chmod(path, 0444) == 0);
	unit_path(path, sizeof(path), base, "ro");
	ck_assert(chmod(path, 0555) == 0);

	snprintf(text, sizeof(text), TESTED "pid-file = \"ro/p.pid\"\n");
	c = config_test_buf(text, "t.conf", base, err, sizeof(err));
	if (geteuid() == 0) {
		ck_assert_msg(c != NULL, "root: %s", err);
		config_free(c);
	} else {
		ck_assert_ptr_null(c);
		snprintf(want, sizeof(want), "t.conf:5: pid-file: %s/ro/p.pid: "
		    "cannot be created in %s/ro by uid %ld: Permission denied",
		    base, base, (long)geteuid());
		ck_assert_str_eq(err, want);
	}
	snprintf(text, sizeof(text), TESTED "error-log = \"ro/e.log\"\n");
	c = config_test_buf(text, "t.conf", base, err, sizeof(err));
	if (geteuid() == 0) {
		ck_assert_msg(c != NULL, "root: %s", err);
		config_free(c);
	} else {
		ck_assert_ptr_null(c);
		snprintf(want, sizeof(want), "t.conf:5: error-log: %s/ro/e.log: "
		    "not writable by uid %ld: Permission denied", base,
		    (long)geteuid());
		ck_assert_str_eq(err, want);
	}
	ck_assert(chmod(path, 0755) == 0);
}
END_TEST

/* Comment markers inside strings are text; comments elsewhere vanish. */
START_TEST(test_comments)
{
	struct config *c = load_ok(
	    "# leading comment\n"
	    "document-root = \"www\" # trailing\n"
	    "index = { \"a#b\", // the first\n"
	    "  \"c\" /* the second */ }\n"
	    "mime-types = \"m#t//x/*y*/z\"\n"
	    "/* workers = 0 */\n"
	    "// workers = 0\n");
	char want[PATH_MAX];

	ck_assert_uint_eq(c->workers, 4);
	ck_assert_uint_eq(c->nindex, 2);
	ck_assert_str_eq(c->index[0], "a#b");
	ck_assert_str_eq(c->index[1], "c");
	ck_assert_str_eq(c->mime_types, in_base("m#t//x/*y*/z", want,
	    sizeof(want)));
	config_free(c);
}
END_TEST

/* The name in messages is the one given; a short err is cut, terminated. */
START_TEST(test_error_buffer)
{
	char err[16];
	struct config *c;

	c = config_load_buf(DOCROOT "workers = 0\n", "other.conf", base, err,
	    sizeof(err));
	ck_assert_ptr_null(c);
	ck_assert_str_eq(err, "other.conf:2: w");

	memset(err, 'X', sizeof(err));
	c = config_load_buf(DOCROOT "workers = 0\n", "x", base, err, 1);
	ck_assert_ptr_null(c);
	ck_assert_int_eq(err[0], '\0');
	ck_assert_int_eq(err[1], 'X');

	/* No room at all: nothing is written, nothing crashes. */
	c = config_load_buf(DOCROOT "workers = 0\n", "x", base, NULL, 0);
	ck_assert_ptr_null(c);
	c = config_load_buf(DOCROOT "bogus = 1\n", "x", base, NULL, 0);
	ck_assert_ptr_null(c);
}
END_TEST

/* A failure leaves nothing behind that breaks the next load. */
START_TEST(test_load_after_failure)
{
	char err[512];
	struct config *c;

	for (int i = 0; i < 50; i++) {
		ck_assert_ptr_null(load(DOCROOT "bogus = 1\n", err, sizeof(err)));
		ck_assert_ptr_null(load(DOCROOT "listen = {\"80\", \"[zz]:1\"}\n",
		    err, sizeof(err)));
		ck_assert_ptr_null(load(DOCROOT "index = {\"a\", \"b/c\"}\n",
		    err, sizeof(err)));
		c = load(DOCROOT "workers = 9\n", err, sizeof(err));
		ck_assert_msg(c != NULL, "%s", err);
		ck_assert_str_eq(err, "");
		ck_assert_uint_eq(c->workers, 9);
		config_free(c);
	}
}
END_TEST

START_TEST(test_free_null)
{
	config_free(NULL);
	/* Reaching here is the test; make it assert something too. */
	ck_assert_ptr_null(load("document-root = \"nope\"\n", NULL, 0));
}
END_TEST

/* ------------------------------------------------------------------ */
/* sites: server and route sections */

/* The route of srv whose pattern is pat; fails the test if none. */
static const struct config_scope *
route_scope(const struct config_server *srv, const char *pat)
{
	for (size_t i = 0; i < srv->nroutes; i++)
		if (strcmp(srv->routes[i].pattern, pat) == 0)
			return &srv->routes[i].s;
	ck_abort_msg("no route \"%s\" in server \"%s\"", pat, srv->name);
	return NULL;
}

/* The error page s gives status, or NULL. */
static const char *
error_page(const struct config_scope *s, int status)
{
	for (size_t i = 0; i < s->nerror_pages; i++)
		if (s->error_pages[i].status == status)
			return s->error_pages[i].path;
	return NULL;
}

/* "Name: value" of s's header i. */
static const char *
header_at(const struct config_scope *s, size_t i, char *buf, size_t cap)
{
	ck_assert_uint_lt(i, s->nheaders);
	snprintf(buf, cap, "%.*s: %.*s", (int)s->headers[i].name_len,
	    s->headers[i].name, (int)s->headers[i].value_len,
	    s->headers[i].value);
	return buf;
}

static const char *
root_of(const struct config *c, const struct config_scope *s)
{
	ck_assert_uint_lt(s->root, c->nroots);
	return c->roots[s->root].path;
}

/* An htpasswd file with one user (SHA-256 crypt, made here). */
static void
write_htpasswd(const char *rel)
{
	char line[256];
	const char *h = crypt("pw", "$5$saltsaltsalt$");

	ck_assert_ptr_nonnull(h);
	snprintf(line, sizeof(line), "user:%s\n", h);
	unit_write_file(base, rel, line);
}

#define SITES								\
	"document-root = \"www\"\n"					\
	"index = {\"top.html\"}\n"					\
	"directory-listing = true\n"					\
	"header = {\"X-Top: 1\"}\n"					\
	"error-page = {\"404 /top404.html\", \"500 503 /top50x.html\"}\n" \
	"allow = {\"10.0.0.0/8\"}\n"					\
	"deny = {\"10.1.0.0/16\"}\n"					\
	"auth-basic = \"Top\"\n"					\
	"auth-file = \"pw\"\n"						\
	"methods = {\"GET\", \"POST\"}\n"				\
	"server \"a.test\" {\n"						\
	"    document-root = \"www2\"\n"				\
	"    index = {\"a.html\", \"b.html\"}\n"			\
	"    header = {\"X-Server: 2\"}\n"				\
	"    error-page = {\"404 /a404.html\"}\n"			\
	"    allow = {\"192.168.0.0/16\"}\n"				\
	"    route \"/r/\" {\n"						\
	"        header = {\"X-Route: 3\", \"X-Route-Too: 4\"}\n"	\
	"        error-page = {\"503 /r503.html\"}\n"			\
	"        directory-listing = false\n"				\
	"        auth-basic = \"off\"\n"				\
	"        methods = {\"GET\"}\n"					\
	"        deny = {\"192.168.1.1\"}\n"				\
	"    }\n"							\
	"    route \"/p/\" { }\n"					\
	"    route \"/d/\" { document-root = \"www\"  hidden-files = true }\n" \
	"}\n"								\
	"server \"b.test\" {\n"						\
	"    auth-basic = \"B\"\n"					\
	"}\n"

/* document-root, index, listing, header, error-page, allow/deny,
 * auth-basic, methods: top -> server -> route. */
START_TEST(test_sites_inherit)
{
	struct config *c;
	const struct config_server *a, *b;
	const struct config_scope *r, *p, *d;
	char want[PATH_MAX], h[256];

	write_htpasswd("pw");
	c = load_ok(SITES);
	ck_assert_uint_eq(c->nservers, 2);
	a = &c->servers[0];
	b = &c->servers[1];
	ck_assert_str_eq(a->name, "a.test");
	ck_assert_str_eq(b->name, "b.test");
	ck_assert_uint_eq(c->default_server, 0);

	/* b.test: everything from the top. */
	ck_assert_str_eq(root_of(c, &b->s), in_base("www", want,
	    sizeof(want)));
	ck_assert_uint_eq(b->s.nindex, 1);
	ck_assert_str_eq(b->s.index[0], "top.html");
	ck_assert(b->s.directory_listing);
	ck_assert_uint_eq(b->s.nheaders, 1);
	ck_assert_str_eq(header_at(&b->s, 0, h, sizeof(h)), "X-Top: 1");
	ck_assert_str_eq(error_page(&b->s, 404), "/top404.html");
	ck_assert_str_eq(error_page(&b->s, 500), "/top50x.html");
	ck_assert_str_eq(error_page(&b->s, 503), "/top50x.html");
	ck_assert_uint_eq(b->s.nallow, 1);
	ck_assert_str_eq(b->s.allow[0], "10.0.0.0/8");
	ck_assert_uint_eq(b->s.ndeny, 1);
	ck_assert_str_eq(b->s.deny[0], "10.1.0.0/16");
	ck_assert_ptr_nonnull(b->s.acl);
	ck_assert_str_eq(b->s.auth_realm, "B");
	ck_assert_ptr_nonnull(b->s.auth);
	ck_assert_str_eq(b->s.auth_file, in_base("pw", want, sizeof(want)));
	ck_assert_ptr_nonnull(strstr(b->s.auth_challenge, "realm=\"B\""));
	ck_assert_str_eq(b->s.allow_field, "GET, HEAD, POST, OPTIONS");

	/* a.test overrides; header adds up; error-page per status. */
	ck_assert_str_eq(root_of(c, &a->s), in_base("www2", want,
	    sizeof(want)));
	ck_assert_uint_eq(a->s.nindex, 2);
	ck_assert_str_eq(a->s.index[1], "b.html");
	ck_assert(a->s.directory_listing);
	ck_assert_uint_eq(a->s.nheaders, 2);
	ck_assert_uint_eq(a->s.nheaders_inherited, 1);
	ck_assert_str_eq(header_at(&a->s, 0, h, sizeof(h)), "X-Top: 1");
	ck_assert_str_eq(header_at(&a->s, 1, h, sizeof(h)), "X-Server: 2");
	ck_assert_str_eq(error_page(&a->s, 404), "/a404.html");
	ck_assert_str_eq(error_page(&a->s, 500), "/top50x.html");
	/* allow and deny go as a pair: allow set, so deny is a.test's own
	 * (none), not the top's. */
	ck_assert_uint_eq(a->s.nallow, 1);
	ck_assert_str_eq(a->s.allow[0], "192.168.0.0/16");
	ck_assert_uint_eq(a->s.ndeny, 0);
	ck_assert_str_eq(a->s.auth_realm, "Top");
	ck_assert_ptr_nonnull(a->s.auth);
	ck_assert_uint_eq(a->nroutes, 3);

	/* /r/ overrides again. */
	r = route_scope(a, "/r/");
	ck_assert_str_eq(root_of(c, r), in_base("www2", want, sizeof(want)));
	ck_assert(!r->alias);
	ck_assert_uint_eq(r->nindex, 2);
	ck_assert(!r->directory_listing);
	ck_assert_uint_eq(r->nheaders, 4);
	ck_assert_uint_eq(r->nheaders_inherited, 2);
	ck_assert_str_eq(header_at(r, 2, h, sizeof(h)), "X-Route: 3");
	ck_assert_str_eq(header_at(r, 3, h, sizeof(h)), "X-Route-Too: 4");
	ck_assert_str_eq(error_page(r, 503), "/r503.html");
	ck_assert_str_eq(error_page(r, 500), "/top50x.html");
	ck_assert_str_eq(error_page(r, 404), "/a404.html");
	ck_assert_uint_eq(r->nallow, 0);
	ck_assert_uint_eq(r->ndeny, 1);
	ck_assert_str_eq(r->deny[0], "192.168.1.1");
	ck_assert_ptr_null(r->auth_realm);
	ck_assert_ptr_null(r->auth);
	ck_assert_str_eq(r->allow_field, "GET, HEAD, OPTIONS");
	ck_assert_uint_eq(r->handler, CONFIG_HANDLER_STATIC);

	/* /p/ sets nothing: the server's scope. */
	p = route_scope(a, "/p/");
	ck_assert_uint_eq(p->root, a->s.root);
	ck_assert_ptr_eq(p->index, a->s.index);
	ck_assert(p->directory_listing);
	ck_assert_uint_eq(p->nheaders, 2);
	ck_assert_uint_eq(p->nheaders_inherited, 2);
	ck_assert_str_eq(error_page(p, 404), "/a404.html");
	ck_assert_ptr_eq(p->acl, a->s.acl);
	ck_assert_ptr_eq(p->auth, a->s.auth);
	ck_assert_str_eq(p->allow_field, "GET, HEAD, POST, OPTIONS");
	ck_assert(!p->hidden_files);

	/* /d/: back to the top's root, the same root entry. */
	d = route_scope(a, "/d/");
	ck_assert_uint_eq(d->root, b->s.root);
	ck_assert(d->hidden_files);
	config_free(c);
}
END_TEST

/* respond, redirect and status-page answer where they are set, never
 * below: a route of a redirecting server serves files. */
START_TEST(test_sites_handlers)
{
	struct config *c = load_ok(DOCROOT
	    "server \"h\" {\n"
	    "    redirect = \"https://h/$path\"\n"
	    "    route \"/files/\" { }\n"
	    "    route \"= /ok\" { respond = 200  body = \"ok\\n\" }\n"
	    "    route \"= /t\" { respond = 200  body = \"{}\"  "
	    "content-type = \"application/json\" }\n"
	    "    route \"= /none\" { respond = 204 }\n"
	    "    route \"= /st\" { status-page = true }\n"
	    "    route \"/old/\" { redirect = \"/new/$path\"  "
	    "redirect-status = 308 }\n"
	    "}\n");
	const struct config_server *h = &c->servers[0];
	const struct config_scope *s;

	ck_assert_int_eq(h->s.handler, CONFIG_HANDLER_REDIRECT);
	ck_assert_int_eq(h->s.status, 301);
	ck_assert_str_eq(h->s.target, "https://h/$path");
	s = route_scope(h, "/files/");
	ck_assert_int_eq(s->handler, CONFIG_HANDLER_STATIC);
	ck_assert_ptr_null(s->target);
	ck_assert_int_eq(s->status, 0);
	s = route_scope(h, "= /ok");
	ck_assert_int_eq(s->handler, CONFIG_HANDLER_RESPOND);
	ck_assert_int_eq(s->status, 200);
	ck_assert_str_eq(s->body, "ok\n");
	ck_assert_uint_eq(s->body_len, 3);
	ck_assert_str_eq(s->content_type, "text/plain");
	s = route_scope(h, "= /t");
	ck_assert_str_eq(s->content_type, "application/json");
	s = route_scope(h, "= /none");
	ck_assert_int_eq(s->status, 204);
	ck_assert_ptr_null(s->body);
	ck_assert_ptr_null(s->content_type);
	s = route_scope(h, "= /st");
	ck_assert_int_eq(s->handler, CONFIG_HANDLER_STATUS);
	ck_assert(c->any_status_page);
	s = route_scope(h, "/old/");
	ck_assert_int_eq(s->handler, CONFIG_HANDLER_REDIRECT);
	ck_assert_int_eq(s->status, 308);
	config_free(c);
}
END_TEST

/* Without a server section: one server of the top-level keys, as
 * before; default = true picks the default; else the first. */
START_TEST(test_sites_servers)
{
	struct config *c = load_ok(DOCROOT "header = {\"X-A: b\"}\n");

	ck_assert_uint_eq(c->nservers, 1);
	ck_assert_ptr_null(c->servers[0].name);
	ck_assert_uint_eq(c->servers[0].nroutes, 0);
	ck_assert_uint_eq(c->servers[0].s.nheaders, 1);
	ck_assert_uint_eq(c->default_server, 0);
	ck_assert_uint_eq(c->nwarnings, 0);
	config_free(c);

	c = load_ok(DOCROOT "server \"a\" { }\nserver \"b\" { default = true }\n"
	    "server \"c\" { }\n");
	ck_assert_uint_eq(c->nservers, 3);
	ck_assert_uint_eq(c->default_server, 1);
	config_free(c);

	c = load_ok(DOCROOT "server \"a\" { }\nserver \"b\" { }\n");
	ck_assert_uint_eq(c->default_server, 0);
	config_free(c);
}
END_TEST

/* Errors inside sections: the file, the line, the section and the key. */
static const struct site_error_case {
	const char *text;
	const char *want;		/* the whole message */
} site_error_cases[] = {
	/* Found by fuzz_config: a quoted name with a newline in it made a
	 * message of two lines; every message is one line. */
	{ DOCROOT "server \"a\" {\n  route \"/x\" { body =`\"ok\\n\" }\n}\n",
	    "t.conf:3: unknown key 'ok?'" },
	{ DOCROOT "server \"a\" {\n  route \"/x\" {\n    redirect-status = 302\n"
	    "  }\n}\n", "t.conf:4: route \"/x\": redirect-status: goes with "
	    "redirect" },
	{ DOCROOT "server \"a\" {\n\n  route \"~ (\" {\n  }\n}\n",
	    "t.conf:4: route \"~ (\": bad regex \"(\": Unmatched ( or \\(" },
	{ DOCROOT "server \"a\" {\n  route \"~* [a\" { }\n}\n",
	    "t.conf:3: route \"~* [a\": bad regex \"[a\": Unmatched [, [^, [:, [., or [=" },
	{ DOCROOT "server \"a\" {\n  route \"/a\" { }\n  route \"/a\" { }\n}\n",
	    "t.conf:4: found duplicate title '/a'" },
	{ DOCROOT "server \"a\" {\n  route \"/a\" { }\n  route \"^~ /a\" { }\n}\n",
	    "t.conf:4: route \"^~ /a\": the prefix /a is routed twice (\"/a\" and "
	    "\"^~ /a\")" },
	{ DOCROOT "server \"a\" {\n  route \"= /a\" { }\n  route \"=/a\" { }\n}\n",
	    "t.conf:4: route \"=/a\": the path /a is routed exactly twice" },
	{ DOCROOT "server \"a\" {\n  route \"~ x\" {\n   alias = \"www\"\n  }\n"
	    "}\n", "t.conf:4: route \"~ x\": alias: only a prefix route has a "
	    "prefix to replace" },
	{ DOCROOT "server \"a\" {\n  route \"= /x\" { alias = \"www\" }\n}\n",
	    "t.conf:3: route \"= /x\": alias: only a prefix route has a "
	    "prefix to replace" },
	{ DOCROOT "server \"a\" {\n  default = true\n}\nserver \"b\" {\n"
	    "  default = true\n}\n", "t.conf:5: server \"b\": default: only "
	    "one server is the default" },
	{ DOCROOT "server \"a b\" {\n}\n", "t.conf:2: server \"a b\": \"a b\" "
	    "is not a host name" },
	{ DOCROOT "\nserver \"*x.org\" {\n}\n", "t.conf:3: server \"*x.org\": "
	    "\"*x.org\" is not a host name (a wildcard is \"*.\" then a "
	    "domain)" },
	{ DOCROOT "server \"a\" {\n  aliases = {\"b\",\n \"c d\"}\n}\n",
	    "t.conf:3: server \"a\": \"c d\" is not a host name" },
	{ DOCROOT "server \"a\" {\n}\nserver \"b\" {\n  aliases = {\"A.\"}\n}\n",
	    "t.conf:5: server \"b\": the name \"A.\" is given to two servers" },
	{ DOCROOT "server \"a\" {\n}\nserver \"a\" {\n}\n",
	    "t.conf:4: found duplicate title 'a'" },
	{ DOCROOT "server \"a\" {\n  route \"/x\" {\n    respond = 200\n"
	    "    redirect = \"/y\"\n  }\n}\n", "t.conf:4: route \"/x\": "
	    "respond: respond, redirect, status-page, metrics, proxy, fastcgi "
	    "and cgi each answer the request: set one" },
	{ DOCROOT "server \"a\" {\n  route \"/x\" {\n    status-page = true\n"
	    "    metrics = true\n  }\n}\n", "t.conf:4: route \"/x\": "
	    "status-page: respond, redirect, status-page, metrics, proxy, "
	    "fastcgi and cgi each answer the request: set one" },
	{ DOCROOT "server \"a\" {\n  route \"/x\" {\n    cgi = true\n"
	    "    fastcgi = \"unix:/run/php.sock\"\n  }\n}\n", "t.conf:5: route "
	    "\"/x\": fastcgi: respond, redirect, status-page, metrics, proxy, "
	    "fastcgi and cgi each answer the request: set one" },
	{ DOCROOT "server \"a\" {\n  route \"/x\" {\n    fallback = "
	    "\"index.php\"\n  }\n}\n", "t.conf:4: route \"/x\": fallback: "
	    "\"index.php\" is not a path (\"/index.php\"), or \"\" for none" },
	{ DOCROOT "server \"a\" {\n  route \"/x\" {\n    websocket = true\n"
	    "  }\n}\n", "t.conf:4: route \"/x\": websocket: goes with proxy" },
	{ DOCROOT "server \"a\" {\n  route \"/x\" {\n    proxy = "
	    "\"https://127.0.0.1\"\n  }\n}\n", "t.conf:4: route \"/x\": proxy: "
	    "\"https://127.0.0.1\": an upstream is http://HOST[:PORT][/PREFIX] "
	    "or unix:/PATH (https:// upstreams are not supported)" },
	{ DOCROOT "server \"a\" {\n  route \"/x\" {\n    proxy = "
	    "\"http://127.0.0.1:0\"\n  }\n}\n", "t.conf:4: route \"/x\": proxy: "
	    "\"http://127.0.0.1:0\": port 0 is not 1..65535" },
	{ DOCROOT "server \"a\" {\n  route \"/x\" {\n    fastcgi = "
	    "\"unix:run/php.sock\"\n  }\n}\n", "t.conf:4: route \"/x\": "
	    "fastcgi: unix:run/php.sock: the socket's path must be absolute" },
	{ DOCROOT "server \"a\" {\n  route \"/x\" {\n    fastcgi = "
	    "\"127.0.0.1\"\n  }\n}\n", "t.conf:4: route \"/x\": fastcgi: "
	    "\"127.0.0.1\": not HOST:PORT or unix:/PATH" },
	{ DOCROOT "server \"a\" {\n  route \"/x\" {\n    body = \"x\"\n  }\n}\n",
	    "t.conf:4: route \"/x\": body: goes with respond" },
	{ DOCROOT "server \"a\" {\n  header = {\"Content-Length: 3\"}\n}\n",
	    "t.conf:3: server \"a\": header: Content-Length is set by the "
	    "server itself" },
	{ DOCROOT "server \"a\" {\n  route \"/x\" {\n    methods = {\"get\"}\n"
	    "  }\n}\n", "t.conf:4: route \"/x\": methods: \"get\" is not GET, "
	    "HEAD, POST, PUT, DELETE, CONNECT, OPTIONS, TRACE or PATCH (upper "
	    "case)" },
	{ DOCROOT "server \"a\" {\n  route \"/x\" {\n    auth-basic = \"R\"\n"
	    "  }\n}\n", "t.conf:4: route \"/x\": auth-basic: needs auth-file "
	    "(the htpasswd file)" },
	{ DOCROOT "server \"a\" {\n  route \"/x\" {\n    alias = \"www\"\n"
	    "    document-root = \"www\"\n  }\n}\n", "t.conf:4: route \"/x\": "
	    "alias: a route has document-root (the path is appended) or alias "
	    "(it replaces the prefix), not both" },
	{ DOCROOT "server \"a\" {\n  route \"/x\" {\n    allow = {\"1.2.3.4\",\n"
	    " \"nope\"}\n  }\n}\n", "t.conf:4: route \"/x\": allow: \"nope\" is "
	    "not an address, a network (\"10.0.0.0/8\") or \"all\"" },
	{ DOCROOT "server \"a\" {\n  route \"/x\" {\n\n    error-page = "
	    "{\"404 x\"}\n  }\n}\n", "t.conf:5: route \"/x\": error-page: "
	    "\"404 x\" is not \"STATUS ... /path\"" },
	{ DOCROOT "server \"a\" {\n  error-page = {\"399 /x\"}\n}\n",
	    "t.conf:3: server \"a\": error-page: \"399\" is not a status "
	    "400..599" },
	{ DOCROOT "server \"a\" {\n  route \"/x\" {\n    respond = 700\n  }\n}\n",
	    "t.conf:4: route \"/x\": respond: 700 is not a status 200..599" },
	{ DOCROOT "server \"a\" {\n  route \"/x\" {\n    redirect = \"/x\"\n"
	    "    redirect-status = 304\n  }\n}\n", "t.conf:5: route \"/x\": "
	    "redirect-status: 304 is not 301, 302, 303, 307 or 308" },
	{ DOCROOT "server \"a\" {\n  route \"/x\" {\n    redirect = \"/a b\"\n"
	    "  }\n}\n", "t.conf:4: route \"/x\": redirect: \"/a b\" is not a "
	    "URL" },
	{ DOCROOT "server \"a\" {\n  route \"/x\" {\n    document-root = "
	    "\"nope\"\n  }\n}\n", "t.conf:4: route \"/x\": document-root: "
	    "@B/nope: No such file or directory" },
	{ DOCROOT "server \"a\" {\n  route \"/x\" {\n    bogus = 1\n  }\n}\n",
	    "t.conf:4: unknown key 'bogus'" },
	{ DOCROOT "server \"a\" {\n  route \"x\" {\n  }\n}\n",
	    "t.conf:3: route \"x\": is not \"= /path\", \"/prefix\", \"^~ "
	    "/prefix\", \"~ regex\" or \"~* regex\"" },
	{ DOCROOT "server \"a\" {\n  route \"/a//b\" {\n  }\n}\n",
	    "t.conf:3: route \"/a//b\": a path never has empty, \".\" or "
	    "\"..\" segments (requests are normalised before matching)" },
	{ DOCROOT "server \"a\" {\n  route \"/a\" {\n    aliases = {\"x\"}\n"
	    "  }\n}\n", "t.conf:4: unknown key 'aliases'" },
	{ DOCROOT "route \"/a\" {\n}\n", "t.conf:2: unknown key 'route'" },
	{ DOCROOT "server \"a\" {\n}\nserver \"b\" {\n  route \"/x\" {\n"
	    "    respond = 1\n  }\n}\n", "t.conf:6: route \"/x\": respond: 1 "
	    "is not a status 200..599" },
	{ DOCROOT "server \"a\" {\n  route \"/a\" { }\n}\nserver \"b\" {\n"
	    "  route \"/b\" { }\n  route \"~ [z-a]\" { }\n}\n",
	    "t.conf:7: route \"~ [z-a]\": bad regex \"[z-a]\"" },
};

START_TEST(test_sites_errors)
{
	char text[PATH_MAX + 512], want[PATH_MAX + 512], err[1024];
	struct config *c;

	subst_base(site_error_cases[_i].text, text, sizeof(text));
	subst_base(site_error_cases[_i].want, want, sizeof(want));
	c = load(text, err, sizeof(err));
	ck_assert_msg(c == NULL, "accepted:\n%s", text);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "\n got \"%s\"\n"
	    "want \"%s\"\n--\n%s", err, want, text);
}
END_TEST

/* route_table_lint()'s warnings, as -t prints them: file:line. */
START_TEST(test_sites_warnings)
{
	struct config *c = load_ok(DOCROOT
	    "server \"a\" {\n"
	    "    route \"/api/\" { }\n"
	    "    route \"^~ /static/\" { }\n"
	    "\n"
	    "    route \"~ ^/api\" { }\n"
	    "    route \"~ ^/static/x\" { }\n"
	    "}\n"
	    "server \"b\" {\n"
	    "    route \"~ ^/b\" { }\n"
	    "    route \"~  ^/b\" { }\n"
	    "}\n");

	ck_assert_uint_eq(c->nwarnings, 3);
	ck_assert_msg(starts_with(c->warnings[0], "t.conf:6: route \"~ ^/api\": "
	    "it matches this prefix route's own path") &&
	    ends_with(c->warnings[0], "(route \"/api/\", line 3)"), "%s",
	    c->warnings[0]);
	ck_assert_msg(starts_with(c->warnings[1], "t.conf:7: route "
	    "\"~ ^/static/x\": every path it matches lies under") &&
	    ends_with(c->warnings[1], "(route \"^~ /static/\", line 4)"), "%s",
	    c->warnings[1]);
	/* The same regex twice: libconfuse refuses the same title, but
	 * not one spaced differently. */
	ck_assert_msg(starts_with(c->warnings[2], "t.conf:11: route \"~  ^/b\": "
	    "the same regex comes earlier") &&
	    ends_with(c->warnings[2], "(route \"~ ^/b\", line 10)"), "%s",
	    c->warnings[2]);
	config_free(c);
}
END_TEST

/* ------------------------------------------------------------------ */
/* -T: config_print() */

/* What config_print() writes for the file base/rel, without its first
 * line (which names the file); "" when it fails. */
static char *
print_file(const char *rel)
{
	char path[PATH_MAX], err[1024], *text = NULL;
	size_t len = 0;
	struct config *c;
	FILE *f;
	char *nl;

	unit_path(path, sizeof(path), base, rel);
	c = config_load(path, err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	f = open_memstream(&text, &len);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(config_print(c, f), 0);
	fclose(f);
	config_free(c);
	ck_assert(starts_with(text, "# forkhttpd -T: "));
	nl = strchr(text, '\n');
	memmove(text, nl + 1, strlen(nl + 1) + 1);
	return text;
}

/* -T's output is a file that loads (config_load_buf too) to the same
 * -T output: every server and route, every key as it takes effect. */
/* -T: the tls paths absolute, each server's effective ones, the
 * listeners a server answers on; and -T of -T is the same. */
START_TEST(test_print_tls)
{
	char want[PATH_MAX + 64], *one, *two;

	unit_write_file(base, "tls.conf", DOCROOT
	    "listen = {\"127.0.0.1:8080\", \"127.0.0.1:8443 tls\"}\n"
	    "tls-certificate = \"c.pem\"\n"
	    "server \"a.test\" { tls-key = \"a.key\" }\n"
	    "server \"plain\" { listen = { \"127.0.0.1:8080\" } }\n");
	one = print_file("tls.conf");
	snprintf(want, sizeof(want), "\ntls-certificate = \"%s/c.pem\"\n",
	    base);
	ck_assert_msg(strstr(one, want) != NULL, "no %s in:\n%s", want, one);
	snprintf(want, sizeof(want), "    tls-key = \"%s/a.key\"\n", base);
	ck_assert_msg(strstr(one, want) != NULL, "no %s in:\n%s", want, one);
	ck_assert(strstr(one, "    listen = {\"127.0.0.1:8080\"}\n") != NULL);
	unit_write_file(base, "tls2.conf", one);
	two = print_file("tls2.conf");
	ck_assert_msg(strcmp(one, two) == 0, "-T of -T differs:\n%s\n--\n%s",
	    one, two);
	free(one);
	free(two);
}
END_TEST

START_TEST(test_print_idempotent)
{
	char *one, *two, err[1024];
	struct config *c, *d;

	write_htpasswd("pw");
	unit_write_file(base, "print.conf", SITES
	    "server \"c.test\" {\n"
	    "    aliases = {\"*.c.test\", \"[::1]\"}\n"
	    "    default = true\n"
	    "    hidden-files = true\n"
	    "    route \"= /health\" { respond = 200  body = \"ok\\n\"  "
	    "content-type = \"text/plain\" }\n"
	    "    route \"= /none\" { respond = 204 }\n"
	    "    route \"~* ^/u/([0-9]+)$\" { redirect = \"/users/$1?a=\\\"b\\\"\"  "
	    "redirect-status = 307 }\n"
	    "    route \"^~ /files/\" { alias = \"shared\"  "
	    "directory-listing = true }\n"
	    "    route \"= /st\" { status-page = true }\n"
	    "    route \"= /metrics\" { metrics = true }\n"
	    "    route \"/x\" { allow = {\"all\"}  auth-basic = \"off\" }\n"
	    "}\n");
	one = print_file("print.conf");
	ck_assert_msg(strstr(one, "\n        metrics = true\n") != NULL,
	    "-T lost metrics:\n%s", one);
	unit_write_file(base, "print2.conf", one);
	two = print_file("print2.conf");
	ck_assert_msg(strcmp(one, two) == 0, "-T of -T differs:\n%s\n--\n%s",
	    one, two);

	/* The same servers, routes and scopes when read from a buffer. */
	c = load(one, err, sizeof(err));
	ck_assert_msg(c != NULL, "-T's output refused: %s\n%s", err, one);
	{
		char path[PATH_MAX];

		unit_path(path, sizeof(path), base, "print.conf");
		d = config_load(path, err, sizeof(err));
		ck_assert_msg(d != NULL, "%s", err);
	}
	ck_assert_uint_eq(c->nservers, d->nservers);
	ck_assert_uint_eq(c->default_server, d->default_server);
	for (size_t i = 0; i < c->nservers; i++) {
		const struct config_server *x = &c->servers[i];
		const struct config_server *y = &d->servers[i];

		ck_assert_str_eq(x->name, y->name);
		ck_assert_uint_eq(x->nroutes, y->nroutes);
		ck_assert_uint_eq(x->s.nheaders, y->s.nheaders);
		ck_assert_uint_eq(x->s.nerror_pages, y->s.nerror_pages);
		for (size_t k = 0; k < x->nroutes; k++) {
			const struct config_scope *u = &x->routes[k].s;
			const struct config_scope *v = &y->routes[k].s;

			ck_assert_str_eq(x->routes[k].pattern,
			    y->routes[k].pattern);
			ck_assert_str_eq(root_of(c, u), root_of(d, v));
			ck_assert_int_eq(u->alias, v->alias);
			ck_assert_int_eq(u->handler, v->handler);
			ck_assert_int_eq(u->status, v->status);
			ck_assert_uint_eq(u->nheaders, v->nheaders);
			ck_assert_uint_eq(u->nerror_pages, v->nerror_pages);
			ck_assert_uint_eq(u->methods, v->methods);
			ck_assert_int_eq(u->directory_listing,
			    v->directory_listing);
			ck_assert_int_eq(u->hidden_files, v->hidden_files);
			ck_assert_int_eq(u->auth == NULL, v->auth == NULL);
			ck_assert_int_eq(u->acl == NULL, v->acl == NULL);
			if (u->target != NULL)
				ck_assert_str_eq(u->target, v->target);
		}
	}
	/* A configuration from a buffer has no file to print. */
	ck_assert_int_eq(config_print(c, stdout), -1);
	config_free(c);
	config_free(d);
	free(one);
	free(two);
}
END_TEST

/* ------------------------------------------------------------------ */
/* config_load: a file on disk */

/* Runs with cwd = base/cwd, so "../etc/..." names the file relatively. */
static void
enter_cwd(void)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/cwd", base);
	ck_assert_int_eq(chdir(dir), 0);
}

START_TEST(test_file_relative)
{
	char want[PATH_MAX];
	char err[512];
	struct config *c;

	enter_cwd();
	c = config_load("../etc/f.conf", err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_str_eq(err, "");
	ck_assert_str_eq(c->path, in_base("etc/f.conf", want, sizeof(want)));
	/* cwd/docs exists too: resolving against the cwd would pick it. */
	ck_assert_str_eq(c->document_root, in_base("etc/docs", want,
	    sizeof(want)));
	ck_assert_str_eq(c->pid_file, in_base("etc/run/x.pid", want,
	    sizeof(want)));
	ck_assert_str_eq(c->error_log, in_base("etc/../logs/e.log", want,
	    sizeof(want)));
	ck_assert_str_eq(c->access_log, in_base("etc/a.log", want,
	    sizeof(want)));
	ck_assert_uint_eq(c->workers, 3);
	config_free(c);
}
END_TEST

START_TEST(test_file_errors)
{
	char err[512], want[PATH_MAX + 64];
	struct config *c;

	enter_cwd();
	c = config_load("../etc/bad.conf", err, sizeof(err));
	ck_assert_ptr_null(c);
	ck_assert_str_eq(err, "../etc/bad.conf:3: workers: value 0 out of "
	    "range 1..1024");

	c = config_load("../etc/syntax.conf", err, sizeof(err));
	ck_assert_ptr_null(c);
	ck_assert_str_eq(err, "../etc/syntax.conf:2: unknown key 'nope'");

	c = config_load("../etc/none.conf", err, sizeof(err));
	ck_assert_ptr_null(c);
	ck_assert_str_eq(err, "../etc/none.conf: No such file or directory");

	c = config_load("../etc/missing-dir/f.conf", err, sizeof(err));
	ck_assert_ptr_null(c);
	ck_assert(starts_with(err, "../etc/missing-dir/f.conf: "));
	ck_assert_ptr_nonnull(strstr(err, "No such file"));

	c = config_load("../etc", err, sizeof(err));
	ck_assert_ptr_null(c);
	ck_assert_str_eq(err, "../etc: Is a directory");

	/* An absolute path is named as given too. */
	snprintf(want, sizeof(want), "%s/etc/bad.conf", base);
	c = config_load(want, err, sizeof(err));
	ck_assert_ptr_null(c);
	ck_assert(starts_with(err, want));
	ck_assert_ptr_nonnull(strstr(err, ":3: workers: "));
}
END_TEST

/* Root reads any file; anyone else is refused, with the reason. */
START_TEST(test_file_unreadable)
{
	char err[512];
	struct config *c;

	enter_cwd();
	c = config_load("../etc/secret.conf", err, sizeof(err));
	if (geteuid() == 0) {
		ck_assert_msg(c != NULL, "%s", err);
		config_free(c);
	} else {
		ck_assert_ptr_null(c);
		ck_assert_msg(starts_with(err, "../etc/secret.conf: ") &&
		    strstr(err, "Permission denied") != NULL, "%s", err);
	}
}
END_TEST

/* ------------------------------------------------------------------ */

/*
 * The tree every case reads: made once, by the first case's unchecked
 * fixture (so that a failure is reported), and removed by main().
 */
static void
setup_base(void)
{
	char path[PATH_MAX], target[PATH_MAX];

	if (base[0] != '\0')
		return;
	unit_scratch_dir(base, sizeof(base), "check_config");
	unit_make_dir(base, "www");
	unit_make_dir(base, "www2");
	unit_make_dir(base, "shared");
	unit_write_file(base, "afile", "not a directory\n");
	unit_path(path, sizeof(path), base, "link");
	unit_path(target, sizeof(target), base, "www");
	ck_assert_msg(symlink(target, path) == 0, "symlink %s: %s", path,
	    strerror(errno));
	unit_make_dir(base, "cwd");
	unit_make_dir(base, "cwd/docs");
	unit_make_dir(base, "etc");
	unit_make_dir(base, "etc/docs");
	unit_write_file(base, "etc/f.conf",
	    "# relative paths resolve against this file's directory\n"
	    "document-root = \"docs\"\n"
	    "pid-file = \"run/x.pid\"\n"
	    "error-log = \"../logs/e.log\"\n"
	    "access-log = \"a.log\"\n"
	    "workers = 3\n");
	unit_write_file(base, "etc/bad.conf",
	    "document-root = \"docs\"\n\nworkers = 0\n");
	unit_write_file(base, "etc/syntax.conf",
	    "document-root = \"docs\"\nnope = 1\n");
	unit_write_file(base, "etc/secret.conf", "document-root = \"docs\"\n");
	unit_path(path, sizeof(path), base, "etc/secret.conf");
	ck_assert_msg(chmod(path, 0) == 0, "chmod %s: %s", path,
	    strerror(errno));
}

static Suite *
config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc;

	tc = tcase_create("defaults");
	tcase_add_unchecked_fixture(tc, setup_base, NULL);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_all_keys);
	tcase_add_loop_test(tc, test_ranges, 0,
	    (int)(sizeof(range_cases) / sizeof(range_cases[0])) * 4);
	tcase_add_test(tc, test_request_timeout);
	suite_add_tcase(s, tc);

	tc = tcase_create("paths");
	tcase_add_unchecked_fixture(tc, setup_base, NULL);
	tcase_add_loop_test(tc, test_paths, 0,
	    (int)(sizeof(path_cases) / sizeof(path_cases[0])));
	suite_add_tcase(s, tc);

	tc = tcase_create("listen");
	tcase_add_unchecked_fixture(tc, setup_base, NULL);
	tcase_add_loop_test(tc, test_listen_forms, 0,
	    (int)(sizeof(listen_cases) / sizeof(listen_cases[0])));
	tcase_add_test(tc, test_listen_several);
	tcase_add_test(tc, test_tls_keys);
	tcase_add_loop_test(tc, test_tls_errors, 0,
	    (int)(sizeof(tls_errors) / sizeof(tls_errors[0])));
	suite_add_tcase(s, tc);

	tc = tcase_create("pool");
	tcase_add_unchecked_fixture(tc, setup_base, NULL);
	tcase_add_loop_test(tc, test_pool, 0,
	    (int)(sizeof(pool_cases) / sizeof(pool_cases[0])));
	suite_add_tcase(s, tc);

	tc = tcase_create("status");
	tcase_add_unchecked_fixture(tc, setup_base, NULL);
	tcase_add_loop_test(tc, test_status_path, 0,
	    (int)(sizeof(status_path_cases) / sizeof(status_path_cases[0])));
	tcase_add_loop_test(tc, test_valid_network, 0,
	    (int)(sizeof(network_cases) / sizeof(network_cases[0])));
	tcase_add_loop_test(tc, test_status_allow, 0,
	    (int)(sizeof(network_cases) / sizeof(network_cases[0])));
	tcase_add_test(tc, test_status_allow_empty);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_unchecked_fixture(tc, setup_base, NULL);
	tcase_add_test(tc, test_log_defaults);
	tcase_add_test(tc, test_log_keys);
	tcase_add_loop_test(tc, test_errors, 0,
	    (int)(sizeof(error_cases) / sizeof(error_cases[0])));
	tcase_add_test(tc, test_comments);
	tcase_add_loop_test(tc, test_system, 0,
	    (int)(sizeof(system_cases) / sizeof(system_cases[0])));
	tcase_add_test(tc, test_system_rights);
	tcase_add_test(tc, test_system_default);
	tcase_add_test(tc, test_error_buffer);
	tcase_add_test(tc, test_load_after_failure);
	tcase_add_test(tc, test_free_null);
	suite_add_tcase(s, tc);

	tc = tcase_create("sites");
	tcase_add_unchecked_fixture(tc, setup_base, NULL);
	tcase_add_test(tc, test_sites_inherit);
	tcase_add_test(tc, test_sites_handlers);
	tcase_add_test(tc, test_sites_servers);
	tcase_add_loop_test(tc, test_sites_errors, 0,
	    (int)(sizeof(site_error_cases) / sizeof(site_error_cases[0])));
	tcase_add_test(tc, test_sites_warnings);
	tcase_add_test(tc, test_print_idempotent);
	tcase_add_test(tc, test_print_tls);
	suite_add_tcase(s, tc);

	tc = tcase_create("file");
	tcase_add_unchecked_fixture(tc, setup_base, NULL);
	tcase_add_test(tc, test_file_relative);
	tcase_add_test(tc, test_file_errors);
	tcase_add_test(tc, test_file_unreadable);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	char cwd[PATH_MAX];
	int status;

	if (getcwd(cwd, sizeof(cwd)) == NULL) {
		perror("getcwd");
		return EXIT_FAILURE;
	}
	status = unit_run(config_suite());
	/* The file tests chdir when Check does not fork (CK_FORK=no). */
	if (chdir(cwd) < 0)
		perror(cwd);
	unit_rmtree(base);
	return status;
}
