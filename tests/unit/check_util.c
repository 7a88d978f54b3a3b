/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_util.c - util.c (bounded number parsing, strlcpy) and log.c: level
 * names, the error log's threshold and ": strerror" suffix, the access
 * log's combined-format line and its escaping, reopening after logrotate,
 * and a failed log_open() that must leave the previous logs in place.
 */
#include "autoconf.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <ctype.h>

#include "http.h"
#include "log.h"
#include "util.h"

#include "../lib/unit.h"

#define ROWS(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define CANARY 0xa5

/* A scratch directory for the log files, made by scratch_setup(). */
static char scratch[1024];

/* ------------------------------------------------------------------ */
/* util_parse_u64 */

#define LEN_STRLEN ((size_t)-1)

static const struct {
	const char *s;
	size_t len;		/* LEN_STRLEN: strlen(s) */
	uint64_t max;
	bool ok;
	uint64_t value;
	const char *note;
} u64_cases[] = {
	{ "", LEN_STRLEN, UINT64_MAX, false, 0, "empty" },
	{ "0", LEN_STRLEN, UINT64_MAX, true, 0, "zero" },
	{ "0", LEN_STRLEN, 0, true, 0, "zero with max 0" },
	{ "1", LEN_STRLEN, 0, false, 0, "one above max 0" },
	{ "007", LEN_STRLEN, UINT64_MAX, true, 7, "leading zeros" },
	{ "000000000000000000000000000001", LEN_STRLEN, UINT64_MAX, true, 1,
	    "more than 20 digits, all but one zeros" },
	{ "1000", LEN_STRLEN, 1000, true, 1000, "max exactly" },
	{ "1001", LEN_STRLEN, 1000, false, 0, "max + 1" },
	{ "10000", LEN_STRLEN, 1000, false, 0, "a digit too many" },
	{ "999", LEN_STRLEN, 1000, true, 999, "just below max" },
	{ "4294967295", LEN_STRLEN, UINT32_MAX, true, UINT32_MAX,
	    "UINT32_MAX with max UINT32_MAX" },
	{ "4294967296", LEN_STRLEN, UINT32_MAX, false, 0,
	    "UINT32_MAX + 1" },
	{ "18446744073709551615", LEN_STRLEN, UINT64_MAX, true, UINT64_MAX,
	    "UINT64_MAX" },
	{ "18446744073709551616", LEN_STRLEN, UINT64_MAX, false, 0,
	    "UINT64_MAX + 1 overflows" },
	{ "18446744073709551620", LEN_STRLEN, UINT64_MAX, false, 0,
	    "overflow in the last digit" },
	{ "99999999999999999999", LEN_STRLEN, UINT64_MAX, false, 0,
	    "20 nines" },
	{ "184467440737095516150", LEN_STRLEN, UINT64_MAX, false, 0,
	    "UINT64_MAX * 10" },
	{ "36893488147419103232", LEN_STRLEN, UINT64_MAX, false, 0,
	    "2^65: wraps to 0 if unchecked" },
	{ "+1", LEN_STRLEN, UINT64_MAX, false, 0, "plus sign" },
	{ "-1", LEN_STRLEN, UINT64_MAX, false, 0, "minus sign" },
	{ " 1", LEN_STRLEN, UINT64_MAX, false, 0, "leading space" },
	{ "1 ", LEN_STRLEN, UINT64_MAX, false, 0, "trailing space" },
	{ "12a", LEN_STRLEN, UINT64_MAX, false, 0, "trailing letter" },
	{ "0x10", LEN_STRLEN, UINT64_MAX, false, 0, "hex" },
	{ "1.5", LEN_STRLEN, UINT64_MAX, false, 0, "decimal point" },
	{ "7", LEN_STRLEN, 5, false, 0, "small max: above" },
	{ "5", LEN_STRLEN, 5, true, 5, "small max: exactly" },
	{ "05", LEN_STRLEN, 5, true, 5, "small max: leading zero" },
	{ "6", LEN_STRLEN, 5, false, 0, "small max: max + 1" },
	{ "50", LEN_STRLEN, 5, false, 0, "small max: ten times" },
	{ "10", LEN_STRLEN, 9, false, 0, "two digits over a one-digit max" },
	{ "123", 2, UINT64_MAX, true, 12, "only len bytes are read" },
	{ "1\0" "2", 3, UINT64_MAX, false, 0, "NUL inside" },
	{ "1/", LEN_STRLEN, UINT64_MAX, false, 0, "'/' is below '0'" },
	{ "1:", LEN_STRLEN, UINT64_MAX, false, 0, "':' is above '9'" },
};

START_TEST(test_parse_u64)
{
	size_t len = u64_cases[_i].len == LEN_STRLEN ?
	    strlen(u64_cases[_i].s) : u64_cases[_i].len;
	uint64_t out = 0xdeadbeef;
	bool ok = util_parse_u64(u64_cases[_i].s, len, u64_cases[_i].max,
	    &out);

	ck_assert_msg(ok == u64_cases[_i].ok, "%s: returned %d",
	    u64_cases[_i].note, ok);
	if (ok)
		ck_assert_msg(out == u64_cases[_i].value, "%s: %llu, want %llu",
		    u64_cases[_i].note, (unsigned long long)out,
		    (unsigned long long)u64_cases[_i].value);
}
END_TEST

/* ------------------------------------------------------------------ */
/* util_strlcpy */

static const struct {
	const char *src;
	size_t cap;
	const char *want;	/* NULL: dst untouched (cap 0) */
	const char *note;
} strlcpy_cases[] = {
	{ "hello", 16, "hello", "room to spare" },
	{ "hello", 6, "hello", "exact fit" },
	{ "hello", 5, "hell", "one short: truncated" },
	{ "hello", 2, "h", "truncated to one byte" },
	{ "hello", 1, "", "cap 1: only the NUL" },
	{ "hello", 0, NULL, "cap 0: nothing written" },
	{ "", 4, "", "empty source" },
	{ "", 1, "", "empty source, cap 1" },
	{ "", 0, NULL, "empty source, cap 0" },
};

/* util_edit_distance, each case also with its arguments swapped */
static const struct {
	const char *a, *b;
	size_t want;
	const char *note;
} edit_cases[] = {
	{ "", "", 0, "both empty" },
	{ "workers", "workers", 0, "equal" },
	{ "", "abc", 3, "one empty: its length" },
	{ "worker", "workers", 1, "one inserted at the end" },
	{ "wrkers", "workers", 1, "one deleted inside" },
	{ "workerz", "workers", 1, "one substituted" },
	{ "wokrers", "workers", 1, "two neighbours swapped: one edit" },
	{ "ca", "abc", 3, "optimal alignment: no edit of a swapped pair" },
	{ "kitten", "sitting", 3, "the textbook pair" },
	{ "Workers", "workers", 1, "case counts" },
	{ "document_root", "document-root", 1, "an underscore for a dash" },
	{ "x", "document-root", 13, "nothing in common" },
};

START_TEST(test_edit_distance)
{
	const char *a = edit_cases[_i / 2].a, *b = edit_cases[_i / 2].b;
	size_t d;

	if (_i % 2 == 1) {
		const char *t = a;

		a = b;
		b = t;
	}
	d = util_edit_distance(a, b);
	ck_assert_msg(d == edit_cases[_i / 2].want, "%s: \"%s\" \"%s\": %zu, "
	    "want %zu", edit_cases[_i / 2].note, a, b, d,
	    edit_cases[_i / 2].want);
}
END_TEST

/* Past UTIL_EDIT_MAX either way: SIZE_MAX, not a read past the table. */
START_TEST(test_edit_distance_long)
{
	char s[UTIL_EDIT_MAX + 2];

	memset(s, 'a', sizeof(s) - 1);
	s[sizeof(s) - 1] = '\0';
	ck_assert_uint_eq(util_edit_distance(s, "a"), SIZE_MAX);
	ck_assert_uint_eq(util_edit_distance("a", s), SIZE_MAX);
	s[UTIL_EDIT_MAX] = '\0';
	ck_assert_uint_eq(util_edit_distance(s, "a"), UTIL_EDIT_MAX - 1);
	ck_assert_uint_eq(util_edit_distance(s, s), 0);
}
END_TEST

/* Every byte: the sixteen digits in both cases, and -1 for the rest. */
START_TEST(test_hexval)
{
	static const char digits[] = "0123456789abcdef";

	for (int c = 0; c < 256; c++) {
		const char *d = c != 0 ? strchr(digits, tolower(c)) : NULL;
		int want = d != NULL ? (int)(d - digits) : -1;

		ck_assert_msg(util_hexval((char)c) == want,
		    "util_hexval(0x%02x) = %d, want %d", (unsigned)c,
		    util_hexval((char)c), want);
	}
}
END_TEST

START_TEST(test_strlcpy)
{
	char dst[32];
	size_t cap = strlcpy_cases[_i].cap, r;

	memset(dst, CANARY, sizeof(dst));
	r = util_strlcpy(dst, strlcpy_cases[_i].src, cap);
	ck_assert_uint_eq(r, strlen(strlcpy_cases[_i].src));
	if (strlcpy_cases[_i].want != NULL)
		ck_assert_msg(strcmp(dst, strlcpy_cases[_i].want) == 0,
		    "%s: \"%.*s\"", strlcpy_cases[_i].note, (int)cap, dst);
	for (size_t i = cap; i < sizeof(dst); i++)
		ck_assert_msg((unsigned char)dst[i] == CANARY,
		    "%s: byte %zu written", strlcpy_cases[_i].note, i);
}
END_TEST

/*
 * Our own process runs; a child that exited and is not reaped yet is a
 * zombie whose parent is us; once reaped there is nothing to read.
 */
START_TEST(test_proc_stat)
{
	char state = 0;
	pid_t ppid = 0, child;
	int p[2], status;
	char c;

	ck_assert(util_proc_stat(getpid(), &state, &ppid));
	ck_assert_int_eq(state, 'R');
	ck_assert_int_eq(ppid, getppid());

	ck_assert_int_eq(pipe(p), 0);
	child = fork();
	ck_assert_int_ne(child, -1);
	if (child == 0)
		_exit(0);
	close(p[1]);
	/* End of file once the child has exited and its end has closed. */
	ck_assert_int_eq(read(p[0], &c, 1), 0);
	close(p[0]);
	for (int i = 0; i < 500; i++) {
		ck_assert(util_proc_stat(child, &state, &ppid));
		if (state == 'Z')
			break;
		usleep(10 * 1000);
	}
	ck_assert_int_eq(state, 'Z');
	ck_assert_int_eq(ppid, getpid());
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	ck_assert(!util_proc_stat(child, &state, &ppid));
}
END_TEST

/* ------------------------------------------------------------------ */
/* helpers for the log tests */

/*
 * Made once, by the first case's unchecked fixture (so that a failure is
 * reported), and removed by main().
 */
static void
scratch_setup(void)
{
	if (scratch[0] == '\0')
		unit_scratch_dir(scratch, sizeof(scratch), "check_util");
}

/* The whole file as a string (static buffer); "" if it does not exist. */
static const char *
slurp(const char *path)
{
	static char buf[65536];
	ssize_t n;
	size_t len = 0;
	int fd;

	buf[0] = '\0';
	if ((fd = open(path, O_RDONLY)) < 0)
		return buf;
	while (len < sizeof(buf) - 1 &&
	    (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = '\0';
	return buf;
}

/*
 * log_open() the way the server's defaults would: error_path "-" is
 * standard error, access_path "-" standard output, NULL off; combined.
 */
static struct log_access_conf test_access_conf;
static struct log_conf test_conf;

static int
test_log_open(const char *error_path, const char *access_path,
    enum log_level level, char *err, size_t errlen)
{
	static struct log_format *combined;

	if (combined == NULL)
		combined = log_format_compile("combined", LOG_FORMAT_APACHE,
		    err, errlen);
	ck_assert_ptr_nonnull(combined);
	memset(&test_conf, 0, sizeof(test_conf));
	memset(&test_access_conf, 0, sizeof(test_access_conf));
	test_conf.error.kind = strcmp(error_path, "-") == 0 ? LOG_TO_STD :
	    LOG_TO_FILE;
	test_conf.error.path = error_path;
	test_access_conf.target.kind = access_path == NULL ? LOG_TO_OFF :
	    strcmp(access_path, "-") == 0 ? LOG_TO_STD : LOG_TO_FILE;
	test_access_conf.target.path = access_path;
	test_access_conf.format = combined;
	test_conf.level = level;
	test_conf.access = &test_access_conf;
	test_conf.naccess = 1;
	test_conf.uid = geteuid();
	test_conf.gid = getegid();
	test_conf.mode = 0640;
	return log_open(&test_conf, err, errlen);
}

static void
must_open_logs(const char *error_path, const char *access_path,
    enum log_level level)
{
	char err[512] = "";

	ck_assert_msg(test_log_open(error_path, access_path, level, err,
	    sizeof(err)) == 0, "log_open: %s", err);
}

/*
 * An access-log entry as conn.c makes one: the Referer and User-Agent
 * (NULL: absent) are field lines of a parsed request.
 */
static char test_fields[12000];
static struct http_request test_req;

static struct log_format_entry
test_entry(const char *client, time_t when, const char *line, size_t len,
    int status, uint64_t bytes, const char *referer, size_t referer_len,
    const char *agent, size_t agent_len)
{
	struct log_format_entry e = {
		.client = client, .start_us = (int64_t)when * 1000000,
		.end_us = (int64_t)when * 1000000, .request_line = line,
		.request_line_len = len, .status = status,
		.bytes_body = bytes, .req = &test_req,
	};
	size_t n = 0;

	memset(&test_req, 0, sizeof(test_req));
	if (referer != NULL) {
		memcpy(test_fields + n, "Referer: ", 9);
		memcpy(test_fields + n + 9, referer, referer_len);
		n += 9 + referer_len;
		memcpy(test_fields + n, "\r\n", 2);
		n += 2;
	}
	if (agent != NULL) {
		memcpy(test_fields + n, "User-Agent: ", 12);
		memcpy(test_fields + n + 12, agent, agent_len);
		n += 12 + agent_len;
		memcpy(test_fields + n, "\r\n", 2);
		n += 2;
	}
	test_req.fields.p = n > 0 ? test_fields : NULL;
	test_req.fields.len = n;
	return e;
}

/* A fresh path in the scratch directory, removed if it exists. */
static void
fresh_path(char *buf, size_t cap, const char *name)
{
	unit_path(buf, cap, scratch, name);
	unlink(buf);
}

/* Points fd (1 or 2) at a new file; returns the saved descriptor. */
static int
redirect_fd(int fd, const char *path)
{
	int saved = dup(fd);
	int nfd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	ck_assert_int_ge(saved, 0);
	ck_assert_int_ge(nfd, 0);
	ck_assert_int_eq(dup2(nfd, fd), fd);
	close(nfd);
	return saved;
}

static void
restore_fd(int fd, int saved)
{
	dup2(saved, fd);
	close(saved);
}

static bool
matches(const char *pattern, const char *s)
{
	regex_t re;
	int rc;

	ck_assert_int_eq(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
	rc = regexec(&re, s, 0, NULL, 0);
	regfree(&re);
	return rc == 0;
}

/* ------------------------------------------------------------------ */
/* level names */

static const struct {
	const char *name;
	int level;
	const char *note;
} level_cases[] = {
	{ "error", LOG_LEVEL_ERROR, "error" },
	{ "warn", LOG_LEVEL_WARN, "warn" },
	{ "notice", LOG_LEVEL_NOTICE, "notice" },
	{ "info", LOG_LEVEL_INFO, "info" },
	{ "debug", LOG_LEVEL_DEBUG, "debug" },
	{ "DEBUG", LOG_LEVEL_DEBUG, "case does not matter" },
	{ "Notice", LOG_LEVEL_NOTICE, "case does not matter" },
	{ "warning", -1, "syslog's spelling is not ours" },
	{ "err", -1, "a prefix" },
	{ "", -1, "empty" },
	{ "debug ", -1, "trailing space" },
	{ "crit", -1, "a syslog level we do not have" },
	{ "?", -1, "what log_level_name returns for nonsense" },
};

START_TEST(test_level_parse)
{
	ck_assert_msg(log_level_parse(level_cases[_i].name) ==
	    level_cases[_i].level, "%s", level_cases[_i].note);
}
END_TEST

START_TEST(test_level_round_trip)
{
	static const char *const names[] = {
		"error", "warn", "notice", "info", "debug",
	};

	for (int l = LOG_LEVEL_ERROR; l <= LOG_LEVEL_DEBUG; l++) {
		const char *name = log_level_name((enum log_level)l);

		ck_assert_str_eq(name, names[l]);
		ck_assert_int_eq(log_level_parse(name), l);
	}
	ck_assert_str_eq(log_level_name((enum log_level)(LOG_LEVEL_DEBUG + 1)),
	    "?");
	ck_assert_str_eq(log_level_name((enum log_level)-1), "?");
}
END_TEST

/* ------------------------------------------------------------------ */
/* the error log */

/* _i is the threshold; one message at each level, only some appear. */
START_TEST(test_threshold)
{
	char path[PATH_MAX], want[512] = "";
	size_t n = 0;

	fresh_path(path, sizeof(path), "threshold.log");
	log_set_role(NULL);
	must_open_logs(path, NULL, (enum log_level)_i);
	for (int l = LOG_LEVEL_ERROR; l <= LOG_LEVEL_DEBUG; l++) {
		ck_assert_msg(log_enabled((enum log_level)l) == (l <= _i),
		    "threshold %d: log_enabled(%d)", _i, l);
		log_msg((enum log_level)l, "message at %s",
		    log_level_name((enum log_level)l));
		if (l <= _i)
			n += (size_t)snprintf(want + n, sizeof(want) - n,
			    "forkhttpd: message at %s\n",
			    log_level_name((enum log_level)l));
	}
	/* The macros are the same thing. */
	log_debug("debug macro");
	log_error("error macro");
	snprintf(want + n, sizeof(want) - n, "%sforkhttpd: error macro\n",
	    _i == LOG_LEVEL_DEBUG ? "forkhttpd: debug macro\n" : "");
	ck_assert_str_eq(slurp(path), want);
	log_close();
}
END_TEST

START_TEST(test_strerror_suffix)
{
	char path[PATH_MAX];

	fresh_path(path, sizeof(path), "errno.log");
	log_set_role(NULL);
	must_open_logs(path, NULL, LOG_LEVEL_DEBUG);

	errno = ENOENT;
	log_error("cannot open %s:", "x.conf");
	ck_assert_int_eq(errno, ENOENT);
	errno = EACCES;
	log_warn("no colon at the end");
	errno = EACCES;
	log_warn("colon inside: %s", "then text");
	errno = ENOENT;
	log_notice("plain colon:");
	errno = 0;
	log_info("errno 0:");
	ck_assert_int_eq(errno, 0);
	ck_assert_str_eq(slurp(path),
	    "forkhttpd: cannot open x.conf: No such file or directory\n"
	    "forkhttpd: no colon at the end\n"
	    "forkhttpd: colon inside: then text\n"
	    "forkhttpd: plain colon: No such file or directory\n"
	    "forkhttpd: errno 0: Success\n");
	log_close();
}
END_TEST

/* With a role, lines carry the time, the level, the role and the pid. */
START_TEST(test_role_prefix)
{
	char path[PATH_MAX], pattern[256];
	const char *text;

	fresh_path(path, sizeof(path), "role.log");
	must_open_logs(path, NULL, LOG_LEVEL_INFO);
	log_set_role("worker");
	log_notice("hello %d", 42);
	errno = EPIPE;
	log_error("send:");
	log_set_role(NULL);
	text = slurp(path);
	snprintf(pattern, sizeof(pattern),
	    "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} "
	    "\\[notice\\] worker %ld: hello 42\n"
	    "[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} "
	    "\\[error\\] worker %ld: send: Broken pipe\n$",
	    (long)getpid(), (long)getpid());
	ck_assert_msg(matches(pattern, text), "got:\n%s", text);
	log_close();
}
END_TEST

/* A message longer than a line is cut, and still ends the line. */
START_TEST(test_long_message)
{
	static char big[6000];
	char path[PATH_MAX];
	const char *text;
	size_t len;

	fresh_path(path, sizeof(path), "long.log");
	log_set_role(NULL);
	must_open_logs(path, NULL, LOG_LEVEL_NOTICE);
	memset(big, 'x', sizeof(big) - 1);
	log_notice("%s", big);
	errno = ENOENT;
	log_error("%s:", big);
	log_notice("after");
	text = slurp(path);
	len = strlen(text);
	ck_assert_uint_gt(len, 2048);
	ck_assert_uint_lt(len, 2 * 4096);
	ck_assert(strncmp(text, "forkhttpd: xxxx", 15) == 0);
	/* Three lines, each whole. */
	{
		const char *a = strchr(text, '\n');
		const char *b = a ? strchr(a + 1, '\n') : NULL;

		ck_assert_ptr_nonnull(a);
		ck_assert_ptr_nonnull(b);
		ck_assert_uint_gt((size_t)(a - text), 1000);
		ck_assert_uint_lt((size_t)(a - text), 4096);
		ck_assert_str_eq(b + 1, "forkhttpd: after\n");
	}
	log_close();
}
END_TEST

/* "-" is standard error, and so is the error log once closed. */
START_TEST(test_stderr)
{
	char path[PATH_MAX], errfile[PATH_MAX];
	int saved;

	fresh_path(path, sizeof(path), "stderr.log");
	unit_path(errfile, sizeof(errfile), scratch, "stderr.txt");
	log_set_role(NULL);
	log_set_echo(-1);
	saved = redirect_fd(STDERR_FILENO, errfile);
	must_open_logs("-", NULL, LOG_LEVEL_NOTICE);
	log_notice("to stderr");
	log_info("below the threshold");
	must_open_logs(path, NULL, LOG_LEVEL_NOTICE);
	log_notice("file only");
	log_close();
	log_notice("closed: stderr");
	restore_fd(STDERR_FILENO, saved);
	ck_assert_str_eq(slurp(path), "forkhttpd: file only\n");
	ck_assert_str_eq(slurp(errfile), "forkhttpd: to stderr\n"
	    "forkhttpd: closed: stderr\n");
}
END_TEST

/*
 * _i - 1 is the echo level (-1: none).  The file gets every line; stderr
 * gets a copy of those at or above the echo level's importance.
 */
START_TEST(test_echo)
{
	int echo = _i - 1;
	char path[PATH_MAX], errfile[PATH_MAX];
	char want_file[512] = "", want_err[512] = "";
	size_t nf = 0, ne = 0;
	int saved;

	fresh_path(path, sizeof(path), "echo.log");
	unit_path(errfile, sizeof(errfile), scratch, "echo-stderr.txt");
	log_set_role(NULL);
	saved = redirect_fd(STDERR_FILENO, errfile);
	must_open_logs(path, NULL, LOG_LEVEL_INFO);
	log_set_echo(echo);
	for (int l = LOG_LEVEL_ERROR; l <= LOG_LEVEL_DEBUG; l++) {
		const char *name = log_level_name((enum log_level)l);

		log_msg((enum log_level)l, "at %s", name);
		if (l > LOG_LEVEL_INFO)
			continue;
		nf += (size_t)snprintf(want_file + nf, sizeof(want_file) - nf,
		    "forkhttpd: at %s\n", name);
		if (l <= echo)
			ne += (size_t)snprintf(want_err + ne,
			    sizeof(want_err) - ne, "forkhttpd: at %s\n", name);
	}
	/* Echo never doubles lines when the error log is stderr itself. */
	must_open_logs("-", NULL, LOG_LEVEL_INFO);
	log_error("stderr once");
	snprintf(want_err + ne, sizeof(want_err) - ne,
	    "forkhttpd: stderr once\n");
	log_set_echo(-1);
	log_close();
	restore_fd(STDERR_FILENO, saved);
	ck_assert_str_eq(slurp(path), want_file);
	ck_assert_msg(strcmp(slurp(errfile), want_err) == 0,
	    "echo %d: stderr got\n%s\nwant\n%s", echo, slurp(errfile),
	    want_err);
}
END_TEST

/* ------------------------------------------------------------------ */
/* the access log */

/* Combined log format, with the escaping log.c promises. */
#define COMBINED_RE							\
	"^[^ ]+ - - \\[[0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}:[0-9]{2}:[0-9]{2}:"	\
	"[0-9]{2} [+-][0-9]{4}\\] \"([^\"\\\\]|\\\\.)*\" [1-5][0-9]{2} "	\
	"([0-9]+|-) \"([^\"\\\\]|\\\\.)*\" \"([^\"\\\\]|\\\\.)*\"\n$"

#define STAMP "[06/Nov/1994:08:49:37 +0000]"

static const struct {
	const char *request_line;
	size_t request_line_len;	/* LEN_STRLEN: strlen */
	int status;
	long long bytes;
	const char *referer;		/* NULL: none */
	const char *user_agent;		/* NULL: none */
	const char *want;
	const char *note;
} access_cases[] = {
	{ "GET / HTTP/1.1", LEN_STRLEN, 200, 1234, "http://example.org/",
	    "curl/8.0",
	    "192.0.2.7 - - " STAMP " \"GET / HTTP/1.1\" 200 1234 "
	    "\"http://example.org/\" \"curl/8.0\"\n", "plain" },
	{ "GET /a\"b\\c\x1b[2J HTTP/1.1", LEN_STRLEN, 404, 0, NULL, NULL,
	    "192.0.2.7 - - " STAMP " \"GET /a\\\"b\\\\c\\x1b[2J HTTP/1.1\" "
	    "404 - \"-\" \"-\"\n",
	    "quote, backslash, ESC escaped; 0 bytes, no referer, no agent" },
	{ "GET /\r\n1.2.3.4 - - x HTTP/1.1", LEN_STRLEN, 400, 10, NULL, NULL,
	    "192.0.2.7 - - " STAMP " \"GET /\\r\\n1.2.3.4 - - x HTTP/1.1\" "
	    "400 10 \"-\" \"-\"\n", "CR LF cannot forge a line" },
	{ "GET /\x7f\xff\x80 HTTP/1.1", LEN_STRLEN, 200, 1, NULL, NULL,
	    "192.0.2.7 - - " STAMP " \"GET /\\x7f\\xff\\x80 HTTP/1.1\" "
	    "200 1 \"-\" \"-\"\n", "DEL and high bytes" },
	{ "GET /\0x HTTP/1.1", 16, 200, 1, NULL, NULL,
	    "192.0.2.7 - - " STAMP " \"GET /\\x00x HTTP/1.1\" 200 1 \"-\" \"-\"\n",
	    "NUL inside the slice" },
	{ "GET / HTTP/1.1 and more", 14, 200, 1, NULL, NULL,
	    "192.0.2.7 - - " STAMP " \"GET / HTTP/1.1\" 200 1 \"-\" \"-\"\n",
	    "only len bytes of the request line" },
	{ "-", LEN_STRLEN, 408, 0, NULL, NULL,
	    "192.0.2.7 - - " STAMP " \"-\" 408 - \"-\" \"-\"\n",
	    "no request line read" },
	{ "GET /big HTTP/1.0", LEN_STRLEN, 200, 5000000000LL,
	    "a\"b", "Mozilla/5.0 (X11; \"x\")",
	    "192.0.2.7 - - " STAMP " \"GET /big HTTP/1.0\" 200 5000000000 "
	    "\"a\\\"b\" \"Mozilla/5.0 (X11; \\\"x\\\")\"\n",
	    "64-bit length, quotes in referer and agent" },
	{ "HEAD / HTTP/1.1", LEN_STRLEN, 304, 0, "", "",
	    "192.0.2.7 - - " STAMP " \"HEAD / HTTP/1.1\" 304 - \"\" \"\"\n",
	    "empty referer and agent are not \"-\"" },
};

START_TEST(test_access_line)
{
	char path[PATH_MAX];
	const char *rl = access_cases[_i].request_line;
	struct log_format_entry e = test_entry("192.0.2.7", 784111777,
	    strcmp(rl, "-") == 0 ? NULL : rl,
	    access_cases[_i].request_line_len == LEN_STRLEN ? strlen(rl) :
	    access_cases[_i].request_line_len, access_cases[_i].status,
	    (uint64_t)access_cases[_i].bytes, access_cases[_i].referer,
	    access_cases[_i].referer ? strlen(access_cases[_i].referer) : 0,
	    access_cases[_i].user_agent, access_cases[_i].user_agent ?
	    strlen(access_cases[_i].user_agent) : 0);
	const char *text;

	setenv("TZ", "UTC0", 1);
	tzset();
	fresh_path(path, sizeof(path), "access.log");
	must_open_logs("-", path, LOG_LEVEL_NOTICE);
	log_access(0, &e);
	text = slurp(path);
	ck_assert_msg(strcmp(text, access_cases[_i].want) == 0,
	    "%s:\n got %s\nwant %s", access_cases[_i].note, text,
	    access_cases[_i].want);
	ck_assert_msg(matches(COMBINED_RE, text), "%s: shape: %s",
	    access_cases[_i].note, text);
	log_close();
}
END_TEST

/* The time is local, with its offset. */
START_TEST(test_access_local_time)
{
	char path[PATH_MAX];
	struct log_format_entry e = test_entry("::1", 784111778,
	    "GET / HTTP/1.1", 14, 200, 3, NULL, 0, NULL, 0);

	setenv("TZ", "EST5", 1);
	tzset();
	fresh_path(path, sizeof(path), "access-tz.log");
	must_open_logs("-", path, LOG_LEVEL_NOTICE);
	log_access(0, &e);
	e.start_us += 3600 * 1000000LL;
	log_access(0, &e);
	ck_assert_str_eq(slurp(path),
	    "::1 - - [06/Nov/1994:03:49:38 -0500] \"GET / HTTP/1.1\" 200 3 "
	    "\"-\" \"-\"\n"
	    "::1 - - [06/Nov/1994:04:49:38 -0500] \"GET / HTTP/1.1\" 200 3 "
	    "\"-\" \"-\"\n");
	log_close();
}
END_TEST

/* A huge, all-escaped request line is cut but the line stays one line. */
START_TEST(test_access_long)
{
	static char junk[5000];
	char path[PATH_MAX];
	struct log_format_entry e;
	const char *text;

	/*
	 * log.c caches the stamp by second, not by zone: keep UTC for 784111777
	 * so later tests in the same process (CK_FORK=no) see the right one.
	 */
	setenv("TZ", "UTC0", 1);
	tzset();
	memset(junk, 0x01, sizeof(junk));
	fresh_path(path, sizeof(path), "access-long.log");
	must_open_logs("-", path, LOG_LEVEL_NOTICE);
	e = test_entry("192.0.2.7", 784111777, junk, sizeof(junk), 414, 0,
	    NULL, 0, junk, sizeof(junk));
	log_access(0, &e);
	e = test_entry("192.0.2.7", 784111777, "GET / HTTP/1.1", 14, 414, 0,
	    NULL, 0, NULL, 0);
	log_access(0, &e);
	text = slurp(path);
	ck_assert_ptr_nonnull(strchr(text, '\n'));
	ck_assert_uint_gt((size_t)(strchr(text, '\n') - text), 8192);
	ck_assert_uint_le((size_t)(strchr(text, '\n') - text) + 1, 16384);
	ck_assert(strncmp(text, "192.0.2.7 - - [", 15) == 0);
	ck_assert(strstr(text, "\\x01\\x01") != NULL);
	/* The next line is whole and starts after exactly one newline. */
	ck_assert(matches("\n192\\.0\\.2\\.7 - - \\[[^]]+\\] \"GET / HTTP/1\\.1\" "
	    "414 - \"-\" \"-\"\n$", text));
}
END_TEST

/* Off: nothing written anywhere; "-": standard output. */
START_TEST(test_access_off_and_stdout)
{
	char path[PATH_MAX], outfile[PATH_MAX];
	struct log_format_entry e = test_entry("192.0.2.7", 784111777,
	    "GET / HTTP/1.1", 14, 200, 5, NULL, 0, NULL, 0);
	int saved;

	setenv("TZ", "UTC0", 1);
	tzset();
	fresh_path(path, sizeof(path), "off-error.log");
	unit_path(outfile, sizeof(outfile), scratch, "stdout.txt");
	saved = redirect_fd(STDOUT_FILENO, outfile);
	must_open_logs(path, NULL, LOG_LEVEL_DEBUG);
	log_access(0, &e);
	must_open_logs(path, "-", LOG_LEVEL_DEBUG);
	log_access(0, &e);
	log_close();
	log_access(0, &e);
	restore_fd(STDOUT_FILENO, saved);
	ck_assert_str_eq(slurp(path), "");
	ck_assert_str_eq(slurp(outfile),
	    "192.0.2.7 - - " STAMP " \"GET / HTTP/1.1\" 200 5 \"-\" \"-\"\n");
}
END_TEST

/* ------------------------------------------------------------------ */
/* reopen and failed opens */

static void
access_line(const char *what)
{
	struct log_format_entry e = test_entry("192.0.2.7", 784111777, what,
	    strlen(what), 200, 1, NULL, 0, NULL, 0);

	log_access(0, &e);
}

#define ALINE(what) \
	"192.0.2.7 - - " STAMP " \"" what "\" 200 1 \"-\" \"-\"\n"

START_TEST(test_reopen_after_rotate)
{
	char elog[PATH_MAX], alog[PATH_MAX], elog1[PATH_MAX], alog1[PATH_MAX];

	setenv("TZ", "UTC0", 1);
	tzset();
	log_set_role(NULL);
	fresh_path(elog, sizeof(elog), "rot-error.log");
	fresh_path(alog, sizeof(alog), "rot-access.log");
	fresh_path(elog1, sizeof(elog1), "rot-error.log.1");
	fresh_path(alog1, sizeof(alog1), "rot-access.log.1");
	must_open_logs(elog, alog, LOG_LEVEL_NOTICE);
	log_notice("one");
	access_line("one");
	ck_assert_int_eq(rename(elog, elog1), 0);
	ck_assert_int_eq(rename(alog, alog1), 0);
	/* Until the reopen, lines follow the renamed files. */
	log_notice("two");
	access_line("two");
	ck_assert_int_eq(log_reopen(), 0);
	log_notice("three");
	access_line("three");
	ck_assert_str_eq(slurp(elog1), "forkhttpd: one\nforkhttpd: two\n");
	ck_assert_str_eq(slurp(alog1), ALINE("one") ALINE("two"));
	ck_assert_str_eq(slurp(elog), "forkhttpd: three\n");
	ck_assert_str_eq(slurp(alog), ALINE("three"));
	/* Reopening without a rotation appends to the same files. */
	ck_assert_int_eq(log_reopen(), 0);
	log_notice("four");
	ck_assert_str_eq(slurp(elog), "forkhttpd: three\nforkhttpd: four\n");
	log_close();
}
END_TEST

/* If the path is gone, reopen fails, says so, and keeps the old file. */
START_TEST(test_reopen_fails)
{
	char dir[PATH_MAX], dir2[PATH_MAX], elog[PATH_MAX], elog2[PATH_MAX];
	char want[PATH_MAX * 2];

	log_set_role(NULL);
	unit_path(dir, sizeof(dir), scratch, "rdir");
	unit_path(dir2, sizeof(dir2), scratch, "rdir-moved");
	unit_path(elog, sizeof(elog), scratch, "rdir/e.log");
	unit_path(elog2, sizeof(elog2), scratch, "rdir-moved/e.log");
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	must_open_logs(elog, NULL, LOG_LEVEL_NOTICE);
	log_notice("before");
	ck_assert_int_eq(rename(dir, dir2), 0);
	ck_assert_int_eq(log_reopen(), -1);
	log_notice("after");
	snprintf(want, sizeof(want), "forkhttpd: before\n"
	    "forkhttpd: cannot reopen %s: No such file or directory\n"
	    "forkhttpd: after\n", elog);
	ck_assert_str_eq(slurp(elog2), want);
	log_close();
}
END_TEST

START_TEST(test_open_fails_keeps_logs)
{
	char elog[PATH_MAX], alog[PATH_MAX], other[PATH_MAX], err[512];
	char want[PATH_MAX * 2];
	int fds;

	setenv("TZ", "UTC0", 1);
	tzset();
	log_set_role(NULL);
	fresh_path(elog, sizeof(elog), "keep-error.log");
	fresh_path(alog, sizeof(alog), "keep-access.log");
	fresh_path(other, sizeof(other), "keep-other.log");
	must_open_logs(elog, alog, LOG_LEVEL_NOTICE);
	log_notice("before");
	access_line("before");

	/* The error log is a directory. */
	fds = unit_count_fds();
	ck_assert_int_eq(test_log_open(scratch, other, LOG_LEVEL_DEBUG, err,
	    sizeof(err)), -1);
	snprintf(want, sizeof(want), "cannot open error log %s: Is a directory",
	    scratch);
	ck_assert_str_eq(err, want);
	ck_assert_int_eq(unit_count_fds(), fds);
	ck_assert_int_eq(access(other, F_OK), -1);
	/* Nothing changed, the level neither. */
	ck_assert(!log_enabled(LOG_LEVEL_DEBUG));
	log_notice("after one");
	log_debug("not at notice");
	access_line("after one");

	/* The access log is a directory: the new error log is let go. */
	ck_assert_int_eq(test_log_open(other, scratch, LOG_LEVEL_DEBUG, err,
	    sizeof(err)), -1);
	snprintf(want, sizeof(want), "cannot open access log %s: Is a "
	    "directory", scratch);
	ck_assert_str_eq(err, want);
	ck_assert_int_eq(unit_count_fds(), fds);
	log_notice("after two");
	access_line("after two");

	ck_assert_str_eq(slurp(elog), "forkhttpd: before\n"
	    "forkhttpd: after one\nforkhttpd: after two\n");
	ck_assert_str_eq(slurp(alog), ALINE("before") ALINE("after one")
	    ALINE("after two"));
	ck_assert_str_eq(slurp(other), "");

	/* A good open afterwards switches over. */
	must_open_logs(other, NULL, LOG_LEVEL_NOTICE);
	log_notice("switched");
	access_line("off now");
	ck_assert_str_eq(slurp(other), "forkhttpd: switched\n");
	ck_assert_str_eq(slurp(alog), ALINE("before") ALINE("after one")
	    ALINE("after two"));
	log_close();
}
END_TEST

/* ------------------------------------------------------------------ */

static Suite *
util_suite(void)
{
	Suite *s = suite_create("util");
	TCase *tc;

	tc = tcase_create("util");
	tcase_add_loop_test(tc, test_parse_u64, 0, ROWS(u64_cases));
	tcase_add_loop_test(tc, test_strlcpy, 0, ROWS(strlcpy_cases));
	tcase_add_test(tc, test_proc_stat);
	tcase_add_test(tc, test_hexval);
	tcase_add_loop_test(tc, test_edit_distance, 0, ROWS(edit_cases) * 2);
	tcase_add_test(tc, test_edit_distance_long);
	suite_add_tcase(s, tc);

	tc = tcase_create("log");
	tcase_add_unchecked_fixture(tc, scratch_setup, NULL);
	tcase_add_loop_test(tc, test_level_parse, 0, ROWS(level_cases));
	tcase_add_test(tc, test_level_round_trip);
	tcase_add_loop_test(tc, test_threshold, LOG_LEVEL_ERROR,
	    LOG_LEVEL_DEBUG + 1);
	tcase_add_test(tc, test_strerror_suffix);
	tcase_add_test(tc, test_role_prefix);
	tcase_add_test(tc, test_long_message);
	tcase_add_test(tc, test_stderr);
	tcase_add_loop_test(tc, test_echo, 0, LOG_LEVEL_DEBUG + 2);
	suite_add_tcase(s, tc);

	tc = tcase_create("access");
	tcase_add_unchecked_fixture(tc, scratch_setup, NULL);
	tcase_add_loop_test(tc, test_access_line, 0, ROWS(access_cases));
	tcase_add_test(tc, test_access_local_time);
	tcase_add_test(tc, test_access_long);
	tcase_add_test(tc, test_access_off_and_stdout);
	suite_add_tcase(s, tc);

	tc = tcase_create("files");
	tcase_add_unchecked_fixture(tc, scratch_setup, NULL);
	tcase_add_test(tc, test_reopen_after_rotate);
	tcase_add_test(tc, test_reopen_fails);
	tcase_add_test(tc, test_open_fails_keeps_logs);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	int status = unit_run(util_suite());

	log_close();
	unit_rmtree(scratch);
	return status;
}
