/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_cmdconf.c - the configuration of -r and -l: the snapshot it
 * gives (defaults, listings, the terminal logs, no pid file), directory
 * names that a conf string would misread (quotes, backslashes, ${VAR}),
 * and messages that name the option at fault.
 */
#include "autoconf.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "cmdconf.h"
#include "config.h"

#include "../lib/unit.h"

static char base[1024];

static void
setup_base(void)
{
	if (base[0] != '\0')
		return;
	unit_scratch_dir(base, sizeof(base), "check_cmdconf");
	unit_make_dir(base, "www");
	unit_make_dir(base, "it's");
	unit_make_dir(base, "back\\slash");
	unit_make_dir(base, "${HOME}");
	unit_make_dir(base, "dq\"uote");
	unit_write_file(base, "afile", "x\n");
	ck_assert_msg(chdir(base) == 0, "chdir %s", base);
}

static struct config *
load_ok(const char *root, const char *const *listen, size_t n)
{
	char err[1024];
	struct config *c = cmdconf_load(root, listen, n, false, err,
	    sizeof(err));

	ck_assert_msg(c != NULL, "rejected: %s", err);
	return c;
}

/* -r alone: the directory, 127.0.0.1:8000, and what differs from a file. */
START_TEST(test_root_alone)
{
	char want[PATH_MAX];
	struct config *c = load_ok("www", NULL, 0);

	snprintf(want, sizeof(want), "%s/www", base);
	ck_assert_str_eq(c->document_root, want);
	ck_assert_uint_eq(c->nlisten, 1);
	ck_assert_str_eq(c->listen[0].spec, CMDCONF_LISTEN);
	ck_assert_str_eq(c->listen[0].spec, "127.0.0.1:8000");
	ck_assert(c->directory_listing);
	ck_assert_str_eq(c->error_log, "-");
	ck_assert_str_eq(c->access_log, "-");
	ck_assert_ptr_null(c->pid_file);
	ck_assert_ptr_null(c->path);
	/* Everything else as a file that sets nothing. */
	ck_assert_uint_eq(c->workers, 4);
	ck_assert_str_eq(c->user, "nobody");
	ck_assert(!c->symlinks_outside_root);
	config_free(c);
}
END_TEST

/* -l alone: the current directory; several -l, in order. */
START_TEST(test_listen_alone)
{
	static const char *const l[] = { "127.0.0.1:8081", "[::1]:8081",
	    "8082" };
	struct config *c = load_ok(NULL, l, 3);

	ck_assert_str_eq(c->document_root, base);
	ck_assert_uint_eq(c->nlisten, 3);
	for (size_t i = 0; i < 3; i++)
		ck_assert_str_eq(c->listen[i].spec, l[i]);
	config_free(c);
}
END_TEST

/* Names a conf string would misread are served as they are written. */
static const char *const odd_roots[] = {
	"it's", "back\\slash", "${HOME}", "dq\"uote",
};

START_TEST(test_odd_names)
{
	char want[PATH_MAX];
	struct config *c = load_ok(odd_roots[_i], NULL, 0);

	snprintf(want, sizeof(want), "%s/%s", base, odd_roots[_i]);
	ck_assert_str_eq(c->document_root, want);
	config_free(c);
}
END_TEST

/* Errors name the option, not a line of a file nobody wrote. */
static const struct {
	const char *root;
	const char *listen;	/* NULL: none */
	bool test;
	const char *want;	/* "@B" for the base directory */
	const char *note;
} error_cases[] = {
	{ "nope", NULL, false,
	    "-r: document-root: @B/nope: No such file or directory",
	    "a missing directory" },
	{ "afile", NULL, false, "-r: document-root: @B/afile: not a directory",
	    "a file" },
	{ "www", "127.0.0.1:x", false, "-l: listen: \"127.0.0.1:x\": bad port "
	    "\"x\"; expected a number in 1..65535", "a bad port" },
	{ "www", "no-such-host.invalid:8080", true, "-l: listen: "
	    "\"no-such-host.invalid:8080\": host \"no-such-host.invalid\" "
	    "does not resolve (", "-t: a host that does not resolve" },
	{ "a\nb", NULL, false, "-r: a directory name with a newline is not "
	    "supported", "a newline in the directory" },
	{ "www", "127.0.0.1:80\n", false, "-l: an address with a newline is "
	    "not supported", "a newline in the address" },
	{ "www", "1.2.3.4:80', 'x", false, "-l: listen: \"1.2.3.4:80', 'x\": "
	    "bad port", "a quote cannot end the string early" },
};

START_TEST(test_errors)
{
	const char *l[1] = { error_cases[_i].listen };
	char err[1024], want[2048], *at;
	struct config *c;

	c = cmdconf_load(error_cases[_i].root, l, l[0] != NULL ? 1 : 0,
	    error_cases[_i].test, err, sizeof(err));
	ck_assert_msg(c == NULL, "%s: accepted", error_cases[_i].note);
	snprintf(want, sizeof(want), "%s", error_cases[_i].want);
	if ((at = strstr(want, "@B")) != NULL) {
		char tail[1024];

		snprintf(tail, sizeof(tail), "%s", at + 2);
		snprintf(at, sizeof(want) - (size_t)(at - want), "%s%s", base,
		    tail);
	}
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "%s:\n got "
	    "\"%s\"\nwant \"%s...\"", error_cases[_i].note, err, want);
}
END_TEST

/* The text itself: single-quoted, escaped, one key a line. */
START_TEST(test_text)
{
	static const char *const l[] = { "[::1]:8000", "x'y" };
	char buf[512], err[256];

	ck_assert(cmdconf_text("a'b\\c", l, 2, buf, sizeof(buf), err,
	    sizeof(err)));
	ck_assert_str_eq(buf, "document-root = 'a\\'b\\\\c'\n"
	    "listen = {'[::1]:8000', 'x\\'y'}\n"
	    "directory-listing = true\n"
	    "error-log = \"-\"\n"
	    "access-log = \"-\"\n"
	    "pid-file = \"off\"\n");
	/* Too small a buffer is an error, never a cut text. */
	ck_assert(!cmdconf_text("www", l, 2, buf, 40, err, sizeof(err)));
	ck_assert_str_eq(err, "-r, -l: arguments too long");
}
END_TEST

static Suite *
cmdconf_suite(void)
{
	Suite *s = suite_create("cmdconf");
	TCase *tc = tcase_create("cmdconf");

	tcase_add_unchecked_fixture(tc, setup_base, NULL);
	tcase_add_test(tc, test_root_alone);
	tcase_add_test(tc, test_listen_alone);
	tcase_add_loop_test(tc, test_odd_names, 0,
	    (int)(sizeof(odd_roots) / sizeof(odd_roots[0])));
	tcase_add_loop_test(tc, test_errors, 0,
	    (int)(sizeof(error_cases) / sizeof(error_cases[0])));
	tcase_add_test(tc, test_text);
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
	status = unit_run(cmdconf_suite());
	if (chdir(cwd) < 0)
		perror(cwd);
	unit_rmtree(base);
	return status;
}
