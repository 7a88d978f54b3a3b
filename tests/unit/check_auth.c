/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_auth.c - auth.c: htpasswd files made by the real htpasswd (bcrypt
 * -B, SHA-256 -2, SHA-512 -5) at test time, checked with right and wrong
 * passwords and unknown users; the lines a file may hold and every bad
 * line's message; the file as a whole (missing, a directory, too large);
 * Authorization values, good and bad (no scheme, another scheme, bad
 * base64, no colon, empty, overlong, control bytes); the cache of values
 * that verified (a hit runs no crypt(3), a failure is never remembered,
 * a file loaded again starts afresh, the least recently used goes); the
 * WWW-Authenticate value.
 *
 * htpasswd comes with apache2-utils (quickstart.sh installs it for
 * `check`); without it the tests that need it fail, saying so.
 */
#include "autoconf.h"

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "auth.h"
#include "util.h"

#include "../lib/unit.h"

#define ROWS(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ------------------------------------------------------------------ */
/* Helpers */

/* base64 (RFC 4648 §4) of s[0..len) into out (cap bytes), terminated. */
static void
b64(const char *s, size_t len, char *out, size_t cap)
{
	static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = (const unsigned char *)s;
	size_t k = 0;

	ck_assert_uint_ge(cap, (len + 2) / 3 * 4 + 1);
	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned)p[i] << 16;

		if (i + 1 < len)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		out[k++] = al[v >> 18 & 63];
		out[k++] = al[v >> 12 & 63];
		out[k++] = i + 1 < len ? al[v >> 6 & 63] : '=';
		out[k++] = i + 2 < len ? al[v & 63] : '=';
	}
	out[k] = '\0';
}

/* "Basic " + base64 of "user:password" into out. */
static void
basic(const char *user, const char *password, char *out, size_t cap)
{
	char cred[1024], tok[1400];
	int n = snprintf(cred, sizeof(cred), "%s:%s", user, password);

	ck_assert(n > 0 && (size_t)n < sizeof(cred));
	b64(cred, (size_t)n, tok, sizeof(tok));
	n = snprintf(out, cap, "Basic %s", tok);
	ck_assert(n > 0 && (size_t)n < cap);
}

static bool
check(const struct auth_file *f, const char *value)
{
	return auth_check(f, value, strlen(value));
}

/* Runs htpasswd with the NULL-terminated arguments; aborts unless 0. */
static void
htpasswd(const char *arg, ...)
{
	const char *argv[16];
	va_list ap;
	size_t n = 0;
	pid_t pid;
	int st;

	argv[n++] = "htpasswd";
	va_start(ap, arg);
	for (const char *a = arg; a != NULL; a = va_arg(ap, const char *)) {
		ck_assert_uint_lt(n, UTIL_ARRAY_LEN(argv) - 1);
		argv[n++] = a;
	}
	va_end(ap);
	argv[n] = NULL;
	ck_assert_int_ge(pid = fork(), 0);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0)
			dup2(null, STDERR_FILENO);
		execvp("htpasswd", (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) != 127,
	    "htpasswd not found: install apache2-utils");
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "htpasswd %s ... failed", arg);
}

/* Reads dir/rel into buf (cap bytes), terminated. */
static size_t
slurp(const char *dir, const char *rel, char *buf, size_t cap)
{
	char path[4096];
	ssize_t n;
	int fd;

	unit_path(path, sizeof(path), dir, rel);
	ck_assert_int_ge(fd = open(path, O_RDONLY), 0);
	ck_assert_int_ge(n = read(fd, buf, cap - 1), 0);
	close(fd);
	buf[n] = '\0';
	return (size_t)n;
}

static struct auth_file *
parse_ok(const char *text)
{
	char err[512] = "";
	struct auth_file *f = auth_parse("t.htpasswd", text, strlen(text),
	    err, sizeof(err));

	ck_assert_msg(f != NULL, "refused: %s", err);
	return f;
}

/* ------------------------------------------------------------------ */
/* A file made by htpasswd: every format, right and wrong passwords */

static char dir[4096];
static char file[4096];
static struct auth_file *made;

static void
made_setup(void)
{
	char err[512] = "";

	unit_scratch_dir(dir, sizeof(dir), "auth");
	unit_path(file, sizeof(file), dir, "htpasswd");
	htpasswd("-cbB", "-C", "4", file, "alice", "alice pw", NULL);
	htpasswd("-b2", file, "bob", "b:o:b", NULL);
	htpasswd("-b5", file, "carol", "", NULL);
	htpasswd("-b5", "-r", "1000", file, "dave", "dave", NULL);
	htpasswd("-bB", "-C", "4", file, "z\xc3\xbc", "\xc3\xa9t\xc3\xa9",
	    NULL);
	made = auth_load(file, err, sizeof(err));
	ck_assert_msg(made != NULL, "htpasswd's own file refused: %s", err);
}

static void
made_teardown(void)
{
	auth_free(made);
	made = NULL;
	unit_rmtree(dir);
}

static const struct {
	const char *user;
	const char *password;
	bool ok;
	const char *note;
} pw_cases[] = {
	{ "alice", "alice pw", true, "bcrypt ($2y$, htpasswd -B)" },
	{ "alice", "alice pW", false, "bcrypt, one letter's case" },
	{ "alice", "alice pw ", false, "bcrypt, a space more" },
	{ "alice", "", false, "bcrypt, empty password" },
	{ "bob", "b:o:b", true, "SHA-256 crypt ($5$, -2), colons in it" },
	{ "bob", "b:o", false, "SHA-256, cut at a colon" },
	{ "carol", "", true, "SHA-512 crypt ($6$, -5), empty password" },
	{ "carol", "x", false, "SHA-512, not empty" },
	{ "dave", "dave", true, "SHA-512 with rounds=1000$" },
	{ "dave", "Dave", false, "SHA-512 with rounds, wrong" },
	{ "z\xc3\xbc", "\xc3\xa9t\xc3\xa9", true, "UTF-8 name and password" },
	{ "z\xc3\xbc", "ete", false, "UTF-8, not the same bytes" },
	{ "Alice", "alice pw", false, "user names are case-sensitive" },
	{ "mallory", "alice pw", false, "unknown user" },
	{ "", "alice pw", false, "empty user-id" },
	{ "alice ", "alice pw", false, "a space after the name" },
};

START_TEST(test_passwords)
{
	char value[2048];
	unsigned long before = auth_crypts();

	ck_assert_uint_eq(auth_users(made), 5);
	basic(pw_cases[_i].user, pw_cases[_i].password, value,
	    sizeof(value));
	ck_assert_msg(check(made, value) == pw_cases[_i].ok, "%s: want %s",
	    pw_cases[_i].note, pw_cases[_i].ok ? "accepted" : "refused");
	/* Known or not, right or wrong: one crypt(3), nothing told apart. */
	ck_assert_uint_eq(auth_crypts(), before + 1);
}
END_TEST

/* $2b$ and $2a$ are the same bcrypt for these passwords. */
START_TEST(test_bcrypt_variants)
{
	static const char *const variant[] = { "2b", "2a", "2y" };
	char text[4096], value[256], *p;
	struct auth_file *f;

	slurp(dir, "htpasswd", text, sizeof(text));
	for (size_t i = 0; i < UTIL_ARRAY_LEN(variant); i++) {
		ck_assert_ptr_nonnull(p = strstr(text, "alice:$2"));
		memcpy(p + 7, variant[i], 2);
		f = parse_ok(text);
		basic("alice", "alice pw", value, sizeof(value));
		ck_assert_msg(check(f, value), "$%s$", variant[i]);
		basic("alice", "alice", value, sizeof(value));
		ck_assert_msg(!check(f, value), "$%s$ wrong", variant[i]);
		auth_free(f);
	}
}
END_TEST

/* ------------------------------------------------------------------ */
/* Lines */

#define H_B "$2y$05$eHZS6Iu/umJK8zzy8ysss.KUq7EN.Yk4D.OoisEDnxu2ADHUjAHZu"
#define H_5 "$5$E/6xU5/hbZj/CNt/$KBVaA8Cc.ShbdaONBGd7DsEFkHCx6NHgZOe8vZhptr7"
#define H_6 "$6$TTSXKymWSpTZfBsu$Xl6WggNep0JFg8uo2jUmjN9k3GTvEMq8o0rv48UkKYz" \
	"0lSnYnsAN94ACQbzB/khcZfKOhT8kOZXxPyDdqzZO5."
#define H_6R "$6$rounds=5000$TTSXKymWSpTZfBsu$Xl6WggNep0JFg8uo2jUmjN9k3GTv" \
	"EMq8o0rv48UkKYz0lSnYnsAN94ACQbzB/khcZfKOhT8kOZXxPyDdqzZO5."
#define FIX "; make it with htpasswd -B (bcrypt)"

static const struct {
	const char *text;
	size_t users;		/* when accepted */
	const char *err;	/* NULL: accepted */
	const char *note;
} line_cases[] = {
	{ "", 0, NULL, "an empty file: nobody" },
	{ "a:" H_B "\n", 1, NULL, "bcrypt" },
	{ "a:" H_B, 1, NULL, "no newline at the end" },
	{ "a:" H_B "\r\nb:" H_5 "\r\n", 2, NULL, "CRLF" },
	{ "# users\n\n  \t\n  # indented comment\na:" H_6 "\n\n", 1, NULL,
	    "comments and blank lines" },
	{ "a:" H_5 "\nb:" H_6 "\nc:" H_6R "\n", 3, NULL, "every SHA form" },
	{ "a b:" H_B "\n", 1, NULL, "a space in a name is a byte like others" },
	/* Bad lines, and what is said. */
	{ "alice\n", 0, "t.htpasswd:1: no ':' (a line is user:hash, as "
	    "htpasswd writes it)", "no colon" },
	{ "a:" H_B "\nb:\n", 0, "t.htpasswd:2: user \"b\": empty hash" FIX,
	    "empty hash" },
	{ ":" H_B "\n", 0, "t.htpasswd:1: empty user name", "empty name" },
	{ "a\tb:" H_B "\n", 0, "t.htpasswd:1: a control character in the "
	    "user name", "a tab in a name" },
	{ "a:" H_B ":x\n", 0, "t.htpasswd:1: user \"a\": more than one ':' "
	    "(a line is user:hash)", "a third field" },
	{ "a:$apr1$/tVQXRIp$4lmtQjYS/vgUJm27tjoAb/\n", 0, "t.htpasswd:1: user "
	    "\"a\": an Apache MD5 ($apr1$) hash, which crypt(3) cannot check"
	    FIX, "htpasswd's default, -m" },
	{ "a:{SHA}GpHWL3ymc5liWkNopqtdSjuqYHM=\n", 0, "t.htpasswd:1: user "
	    "\"a\": a SHA-1 ({SHA}) hash, which crypt(3) cannot check" FIX,
	    "htpasswd -s" },
	{ "a:$1$abcdefgh$0123456789012345678901\n", 0, "t.htpasswd:1: user "
	    "\"a\": an MD5 crypt ($1$) hash, which is too weak" FIX, "$1$" },
	{ "a:lbhssmxFpK4G2\n", 0, "t.htpasswd:1: user \"a\": not a bcrypt "
	    "($2y$) or SHA-256/512 crypt ($5$, $6$) hash (DES crypt, or a "
	    "password in plain text?)" FIX, "htpasswd -d" },
	{ "a:secret\n", 0, "t.htpasswd:1: user \"a\": not a bcrypt ($2y$) or "
	    "SHA-256/512 crypt ($5$, $6$) hash (DES crypt, or a password in "
	    "plain text?)" FIX, "htpasswd -p" },
	{ "a:*0\n", 0, "t.htpasswd:1: user \"a\": crypt(3)'s mark of a "
	    "failure (\"*0\", \"*1\"), not a hash: htpasswd could not make "
	    "one (-r out of range?)" FIX, "htpasswd -5 -r 100 writes *0" },
	{ "a:" H_B "x\n", 0, "t.htpasswd:1: user \"a\": a malformed hash" FIX,
	    "bcrypt one byte long" },
	{ "a:$2y$05$eHZS6Iu\n", 0, "t.htpasswd:1: user \"a\": a malformed "
	    "hash" FIX, "bcrypt cut short" },
	{ "a:$2x$05$eHZS6Iu/umJK8zzy8ysss.KUq7EN.Yk4D.OoisEDnxu2ADHUjAHZu\n",
	    0, "t.htpasswd:1: user \"a\": a malformed hash" FIX, "$2x$" },
	{ "a:$2y$03$eHZS6Iu/umJK8zzy8ysss.KUq7EN.Yk4D.OoisEDnxu2ADHUjAHZu\n",
	    0, "t.htpasswd:1: user \"a\": a malformed hash" FIX, "cost 03" },
	{ "a:$2y$32$eHZS6Iu/umJK8zzy8ysss.KUq7EN.Yk4D.OoisEDnxu2ADHUjAHZu\n",
	    0, "t.htpasswd:1: user \"a\": a malformed hash" FIX, "cost 32" },
	{ "a:$2y$05$eHZS6Iu/umJK8zzy8ysss.KUq7EN.Yk4D.OoisEDnxu2ADHUjAH!u\n",
	    0, "t.htpasswd:1: user \"a\": a malformed hash" FIX,
	    "a byte outside the alphabet" },
	{ "a:" H_B " \n", 0, "t.htpasswd:1: user \"a\": a malformed hash" FIX,
	    "a trailing space" },
	{ "a:$5$E/6xU5/hbZj/CNt/$KBVaA8Cc\n", 0, "t.htpasswd:1: user \"a\": "
	    "a malformed hash" FIX, "$5$ cut short" },
	{ "a:$5$rounds=0999$E/6xU5/hbZj/CNt/$KBVaA8Cc.ShbdaONBGd7DsEFkHCx6"
	    "NHgZOe8vZhptr7\n", 0, "t.htpasswd:1: user \"a\": a malformed hash"
	    FIX, "rounds with a leading zero" },
	{ "a:$5$0123456789abcdefg$KBVaA8Cc.ShbdaONBGd7DsEFkHCx6NHgZOe8vZhptr7"
	    "\n", 0, "t.htpasswd:1: user \"a\": a malformed hash" FIX,
	    "a salt of 17 bytes" },
	{ "a:" H_5 "\nb:" H_B "\na:" H_6 "\n", 0, "t.htpasswd:3: user \"a\" "
	    "again (first on line 1); htpasswd updates a user in place",
	    "a user twice" },
	{ "b:" H_5 "\na:" H_B "\na:" H_6 "\nb:" H_6 "\n", 0, "t.htpasswd:3: "
	    "user \"a\" again (first on line 2); htpasswd updates a user in "
	    "place", "the first duplicate in the file is named" },
	{ "a:" H_B "\nb:" H_B "\n\n#\nc", 0, "t.htpasswd:5: no ':' (a line is "
	    "user:hash, as htpasswd writes it)", "line numbers count blanks" },
};

START_TEST(test_lines)
{
	char err[512] = "";
	const char *text = line_cases[_i].text;
	struct auth_file *f = auth_parse("t.htpasswd", text, strlen(text),
	    err, sizeof(err));

	if (line_cases[_i].err == NULL) {
		ck_assert_msg(f != NULL, "%s: refused: %s",
		    line_cases[_i].note, err);
		ck_assert_uint_eq(auth_users(f), line_cases[_i].users);
		auth_free(f);
		return;
	}
	ck_assert_msg(f == NULL, "%s: accepted", line_cases[_i].note);
	ck_assert_msg(strcmp(err, line_cases[_i].err) == 0,
	    "%s:\n got %s\nwant %s", line_cases[_i].note, err,
	    line_cases[_i].err);
}
END_TEST

/* A NUL byte, a line too long, a file too large: by length, not text. */
START_TEST(test_bounds)
{
	static char big[AUTH_FILE_MAX + 2];
	char err[512] = "";
	char text[AUTH_LINE_MAX + 64];
	struct auth_file *f;
	size_t n;

	memcpy(text, "a:" H_B "\nb\0:" H_B "\n", 2 + 60 + 1 + 3 + 60 + 1);
	f = auth_parse("t", text, 2 + 60 + 1 + 3 + 60 + 1, err, sizeof(err));
	ck_assert_ptr_null(f);
	ck_assert_str_eq(err, "t:2: a NUL byte");

	/* A comment of exactly AUTH_LINE_MAX bytes is fine, one more not. */
	memset(text, '#', AUTH_LINE_MAX);
	text[AUTH_LINE_MAX] = '\n';
	f = auth_parse("t", text, AUTH_LINE_MAX + 1, err, sizeof(err));
	ck_assert_msg(f != NULL, "%s", err);
	auth_free(f);
	memset(text, '#', AUTH_LINE_MAX + 1);
	f = auth_parse("t", text, AUTH_LINE_MAX + 1, err, sizeof(err));
	ck_assert_ptr_null(f);
	snprintf(text, sizeof(text), "t:1: longer than %d bytes",
	    AUTH_LINE_MAX);
	ck_assert_str_eq(err, text);

	/* AUTH_FILE_MAX bytes of blank lines are fine, one more not. */
	memset(big, '\n', sizeof(big));
	n = AUTH_FILE_MAX;
	f = auth_parse("t", big, n, err, sizeof(err));
	ck_assert_msg(f != NULL, "%s", err);
	auth_free(f);
	f = auth_parse("t", big, n + 1, err, sizeof(err));
	ck_assert_ptr_null(f);
	snprintf(text, sizeof(text), "t: larger than %d bytes", AUTH_FILE_MAX);
	ck_assert_str_eq(err, text);
}
END_TEST

/* The file as a whole: what auth_load() says, with the path. */
START_TEST(test_load_errors)
{
	char path[4096], want[4200], err[4400];
	int fd;

	unit_path(path, sizeof(path), dir, "missing");
	ck_assert_ptr_null(auth_load(path, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s: No such file or directory", path);
	ck_assert_str_eq(err, want);

	ck_assert_ptr_null(auth_load(dir, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s: not a regular file", dir);
	ck_assert_str_eq(err, want);

	unit_path(path, sizeof(path), dir, "big");
	ck_assert_int_ge(fd = open(path, O_WRONLY | O_CREAT, 0600), 0);
	ck_assert_int_eq(ftruncate(fd, AUTH_FILE_MAX + 1), 0);
	close(fd);
	ck_assert_ptr_null(auth_load(path, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s: larger than %d bytes", path,
	    AUTH_FILE_MAX);
	ck_assert_str_eq(err, want);

	/* A bad line is named with the path given. */
	unit_write_file(dir, "bad", "# ok\nalice:$apr1$x$y\n");
	unit_path(path, sizeof(path), dir, "bad");
	ck_assert_ptr_null(auth_load(path, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s:2: user \"alice\": an Apache MD5",
	    path);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "%s", err);

	/* A short err is cut, never overrun. */
	ck_assert_ptr_null(auth_load(path, err, 8));
	ck_assert_uint_eq(strlen(err), 7);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Authorization values */

/* "YWxpY2U6YWxpY2UgcHc=" is base64 of "alice:alice pw". */
#define ALICE "YWxpY2U6YWxpY2UgcHc="

static const struct {
	const char *value;
	size_t len;		/* 0: strlen(value) */
	const char *user;	/* NULL: refused */
	const char *password;
	const char *note;
} decode_cases[] = {
	{ "Basic " ALICE, 0, "alice", "alice pw", "the usual form" },
	{ "basic " ALICE, 0, "alice", "alice pw", "scheme in lower case" },
	{ "BASIC " ALICE, 0, "alice", "alice pw", "scheme in upper case" },
	{ "bAsIc " ALICE, 0, "alice", "alice pw", "scheme in mixed case" },
	{ "Basic    " ALICE, 0, "alice", "alice pw", "1*SP: several" },
	{ "Basic YTo=", 0, "a", "", "empty password" },
	{ "Basic OmI=", 0, "", "b", "empty user-id" },
	{ "Basic Og==", 0, "", "", "just a colon" },
	{ "Basic YTpiOmM=", 0, "a", "b:c", "the user-id ends at the first "
	    "colon (RFC 7617 2)" },
	{ "Basic w6k6w6k=", 0, "\xc3\xa9", "\xc3\xa9", "UTF-8 bytes" },
	/* Refused. */
	{ "", 0, NULL, NULL, "empty" },
	{ "Basic", 0, NULL, NULL, "a scheme alone" },
	{ "Basic ", 0, NULL, NULL, "a scheme and a space" },
	{ ALICE, 0, NULL, NULL, "no scheme" },
	{ "Bearer " ALICE, 0, NULL, NULL, "another scheme" },
	{ "Digest username=\"alice\"", 0, NULL, NULL, "Digest" },
	{ "Basically " ALICE, 0, NULL, NULL, "a longer scheme name" },
	{ "Basic" ALICE, 0, NULL, NULL, "no space after the scheme" },
	{ "Basic\t" ALICE, 0, NULL, NULL, "a tab, not SP" },
	{ "Basic " ALICE " ", 0, NULL, NULL, "a trailing space" },
	{ " Basic " ALICE, 0, NULL, NULL, "a leading space" },
	{ "Basic YWxpY2U6YWxpY2UgcHc", 0, NULL, NULL, "padding missing" },
	{ "Basic YWxpY2U6YWxpY2UgcH==", 0, NULL, NULL,
	    "padding where a byte is" },
	{ "Basic YWxpY2U6YWxpY2UgcHc===", 0, NULL, NULL, "three '='" },
	{ "Basic YW=pY2U6YWxpY2UgcHc=", 0, NULL, NULL, "'=' inside" },
	{ "Basic YWxp Y2U6YWxpY2UgcHc=", 0, NULL, NULL, "a space inside" },
	{ "Basic YWxpY2U6YWxpY2UgcHc=\r\n", 0, NULL, NULL, "a line end" },
	{ "Basic YWxpY2U6YWxp-2UgcHc=", 0, NULL, NULL,
	    "the URL-safe alphabet" },
	{ "Basic YWxpY2U6YWxpY2UgcHd=", 0, NULL, NULL,
	    "non-zero bits under the padding (RFC 4648 3.5)" },
	{ "Basic YR==", 0, NULL, NULL, "non-zero bits under '=='" },
	{ "Basic YWxpY2U=", 0, NULL, NULL, "no colon: \"alice\"" },
	{ "Basic ====", 0, NULL, NULL, "padding only" },
	{ "Basic YTpiAGM=", 0, NULL, NULL, "a NUL in the password" },
	{ "Basic YQA6Yg==", 0, NULL, NULL, "a NUL in the user-id" },
	{ "Basic YTpiCmM=", 0, NULL, NULL, "a LF in the password" },
	{ "Basic YTpifw==", 0, NULL, NULL, "DEL in the password" },
	{ "Basic " ALICE "\0", 27, NULL, NULL, "a NUL after the token" },
	{ "Basic\0" ALICE, 26, NULL, NULL, "a NUL for the space" },
};

START_TEST(test_decode)
{
	struct auth_credentials c;
	size_t len = decode_cases[_i].len;
	bool ok;

	if (len == 0)
		len = strlen(decode_cases[_i].value);
	ok = auth_decode(decode_cases[_i].value, len, &c);
	ck_assert_msg(ok == (decode_cases[_i].user != NULL), "%s: %s",
	    decode_cases[_i].note, ok ? "accepted" : "refused");
	if (!ok)
		return;
	ck_assert_str_eq(c.user, decode_cases[_i].user);
	ck_assert_str_eq(c.password, decode_cases[_i].password);
}
END_TEST

/* The bounds of the decoded credentials and of the value. */
START_TEST(test_decode_bounds)
{
	char cred[AUTH_CRED_MAX + 2], value[AUTH_VALUE_MAX + 64];
	char tok[AUTH_TOKEN_MAX + 8];
	struct auth_credentials c;
	size_t n;

	/* AUTH_CRED_MAX bytes decode; one more does not. */
	memset(cred, 'p', sizeof(cred));
	cred[0] = 'u';
	cred[1] = ':';
	b64(cred, AUTH_CRED_MAX, tok, sizeof(tok));
	n = (size_t)snprintf(value, sizeof(value), "Basic %s", tok);
	ck_assert(auth_decode(value, n, &c));
	ck_assert_uint_eq(strlen(c.password), AUTH_CRED_MAX - 2);
	b64(cred, AUTH_CRED_MAX + 1, tok, sizeof(tok));
	n = (size_t)snprintf(value, sizeof(value), "Basic %s", tok);
	ck_assert(!auth_decode(value, n, &c));

	/* A value of AUTH_VALUE_MAX bytes (spaces) decodes; one more not. */
	b64("u:p", 3, tok, sizeof(tok));
	memset(value, ' ', sizeof(value));
	memcpy(value, "Basic", 5);
	memcpy(value + AUTH_VALUE_MAX - 4, tok, 4);
	ck_assert(auth_decode(value, AUTH_VALUE_MAX, &c));
	ck_assert_str_eq(c.password, "p");
	memmove(value + AUTH_VALUE_MAX - 3, value + AUTH_VALUE_MAX - 4, 4);
	value[AUTH_VALUE_MAX - 4] = ' ';
	ck_assert(!auth_decode(value, AUTH_VALUE_MAX + 1, &c));
}
END_TEST

/* Whole values through auth_check(): a bad one costs no crypt(3). */
START_TEST(test_check_bad_values)
{
	unsigned long before = auth_crypts();
	struct auth_file *f = parse_ok("alice:" H_B "\n");

	for (int i = 0; i < ROWS(decode_cases); i++) {
		size_t len = decode_cases[i].len;

		if (decode_cases[i].user != NULL)
			continue;
		if (len == 0)
			len = strlen(decode_cases[i].value);
		ck_assert_msg(!auth_check(f, decode_cases[i].value, len), "%s",
		    decode_cases[i].note);
	}
	ck_assert_uint_eq(auth_crypts(), before);
	auth_free(f);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The cache */

START_TEST(test_cache_hit)
{
	char value[256], wrong[256], unknown[256];
	unsigned long n0 = auth_crypts();

	basic("alice", "alice pw", value, sizeof(value));
	basic("alice", "alice pW", wrong, sizeof(wrong));
	basic("mallory", "alice pw", unknown, sizeof(unknown));
	ck_assert(check(made, value));
	ck_assert_uint_eq(auth_crypts(), n0 + 1);
	/* Found again: no crypt(3). */
	for (int i = 0; i < 5; i++)
		ck_assert(check(made, value));
	ck_assert_uint_eq(auth_crypts(), n0 + 1);
	/* Failures are not remembered: each costs a crypt(3). */
	for (int i = 0; i < 3; i++) {
		ck_assert(!check(made, wrong));
		ck_assert(!check(made, unknown));
	}
	ck_assert_uint_eq(auth_crypts(), n0 + 7);
	/* The exact value is the key: the scheme in another case is new. */
	value[0] = 'b';
	ck_assert(check(made, value));
	ck_assert_uint_eq(auth_crypts(), n0 + 8);
	ck_assert(check(made, value));
	ck_assert_uint_eq(auth_crypts(), n0 + 8);
}
END_TEST

/*
 * A file loaded again is a new file: a value that verified against the
 * old one counts for nothing, whether the password changed or not.
 */
START_TEST(test_cache_reload)
{
	char err[512], value[256];
	struct auth_file *again;
	unsigned long n0;

	basic("alice", "alice pw", value, sizeof(value));
	ck_assert(check(made, value));
	n0 = auth_crypts();
	ck_assert(check(made, value));
	ck_assert_uint_eq(auth_crypts(), n0);

	/* The same file, loaded again: checked afresh, then remembered. */
	ck_assert_ptr_nonnull(again = auth_load(file, err, sizeof(err)));
	ck_assert(check(again, value));
	ck_assert_uint_eq(auth_crypts(), n0 + 1);
	ck_assert(check(again, value));
	ck_assert_uint_eq(auth_crypts(), n0 + 1);
	auth_free(again);

	/* alice's password changed: the old value is refused. */
	htpasswd("-bB", "-C", "4", file, "alice", "new pw", NULL);
	ck_assert_ptr_nonnull(again = auth_load(file, err, sizeof(err)));
	ck_assert(!check(again, value));
	basic("alice", "new pw", value, sizeof(value));
	ck_assert(check(again, value));
	/* The old file, still loaded, still has the old password. */
	ck_assert(!check(made, value));
	auth_free(again);
}
END_TEST

/*
 * AUTH_CACHE_SLOTS values are remembered; one more pushes out the one
 * least recently found.  The values differ by the spaces after "Basic".
 */
START_TEST(test_cache_bound)
{
	char value[AUTH_CACHE_SLOTS + 1][256], tok[64];
	unsigned long n0;

	b64("alice:alice pw", 14, tok, sizeof(tok));
	for (int i = 0; i <= AUTH_CACHE_SLOTS; i++)
		snprintf(value[i], sizeof(value[i]), "Basic%*s%s", i + 1, "",
		    tok);
	n0 = auth_crypts();
	for (int i = 0; i <= AUTH_CACHE_SLOTS; i++)
		ck_assert(check(made, value[i]));
	ck_assert_uint_eq(auth_crypts(), n0 + AUTH_CACHE_SLOTS + 1);
	/* The last AUTH_CACHE_SLOTS are there; finding 1 makes it recent. */
	for (int i = AUTH_CACHE_SLOTS; i >= 1; i--)
		ck_assert(check(made, value[i]));
	ck_assert_uint_eq(auth_crypts(), n0 + AUTH_CACHE_SLOTS + 1);
	/* value[0] went first; bringing it back pushes out value[16]... */
	ck_assert(check(made, value[0]));
	ck_assert_uint_eq(auth_crypts(), n0 + AUTH_CACHE_SLOTS + 2);
	/* ...the least recently found, not value[1] */
	ck_assert(check(made, value[1]));
	ck_assert_uint_eq(auth_crypts(), n0 + AUTH_CACHE_SLOTS + 2);
	ck_assert(check(made, value[AUTH_CACHE_SLOTS]));
	ck_assert_uint_eq(auth_crypts(), n0 + AUTH_CACHE_SLOTS + 3);
}
END_TEST

/* ------------------------------------------------------------------ */
/* WWW-Authenticate */

static const struct {
	const char *realm;
	const char *want;	/* NULL: refused */
} challenge_cases[] = {
	{ "Admin", "Basic realm=\"Admin\", charset=\"UTF-8\"" },
	{ "", "Basic realm=\"\", charset=\"UTF-8\"" },
	{ "say \"hi\"", "Basic realm=\"say \\\"hi\\\"\", charset=\"UTF-8\"" },
	{ "a\\b", "Basic realm=\"a\\\\b\", charset=\"UTF-8\"" },
	{ "tab\there", "Basic realm=\"tab\there\", charset=\"UTF-8\"" },
	{ "Z\xc3\xbcrich", "Basic realm=\"Z\xc3\xbcrich\", charset=\"UTF-8\"" },
	{ "a\r\nSet-Cookie: x", NULL },
	{ "a\nb", NULL },
	{ "a\x7f", NULL },
	{ "a\x01", NULL },
};

START_TEST(test_challenge)
{
	char buf[256];
	size_t n = auth_challenge(challenge_cases[_i].realm, buf, sizeof(buf));

	if (challenge_cases[_i].want == NULL) {
		ck_assert_uint_eq(n, 0);
		return;
	}
	ck_assert_uint_eq(n, strlen(challenge_cases[_i].want));
	ck_assert_str_eq(buf, challenge_cases[_i].want);
}
END_TEST

/* Every buffer size below the one needed is refused, never overrun. */
START_TEST(test_challenge_sizes)
{
	const char *want = "Basic realm=\"a\\\"b\", charset=\"UTF-8\"";
	size_t need = strlen(want) + 1;
	char buf[64];

	for (size_t size = 0; size < need; size++) {
		memset(buf, 'X', sizeof(buf));
		ck_assert_uint_eq(auth_challenge("a\"b", buf, size), 0);
		ck_assert_msg(buf[size] == 'X', "wrote past %zu", size);
	}
	ck_assert_uint_eq(auth_challenge("a\"b", buf, need), need - 1);
	ck_assert_str_eq(buf, want);
}
END_TEST

static Suite *
auth_suite(void)
{
	Suite *s = suite_create("auth");
	TCase *tc;

	tc = tcase_create("htpasswd");
	tcase_add_checked_fixture(tc, made_setup, made_teardown);
	tcase_add_loop_test(tc, test_passwords, 0, ROWS(pw_cases));
	tcase_add_test(tc, test_bcrypt_variants);
	tcase_add_test(tc, test_load_errors);
	tcase_add_test(tc, test_cache_hit);
	tcase_add_test(tc, test_cache_reload);
	tcase_add_test(tc, test_cache_bound);
	suite_add_tcase(s, tc);

	tc = tcase_create("lines");
	tcase_add_loop_test(tc, test_lines, 0, ROWS(line_cases));
	tcase_add_test(tc, test_bounds);
	suite_add_tcase(s, tc);

	tc = tcase_create("values");
	tcase_add_loop_test(tc, test_decode, 0, ROWS(decode_cases));
	tcase_add_test(tc, test_decode_bounds);
	tcase_add_test(tc, test_check_bad_values);
	suite_add_tcase(s, tc);

	tc = tcase_create("challenge");
	tcase_add_loop_test(tc, test_challenge, 0, ROWS(challenge_cases));
	tcase_add_test(tc, test_challenge_sizes);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(auth_suite());
}
