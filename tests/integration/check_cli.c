/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_cli.c - the command line against the real binary: -r and -l
 * serving a directory without a conf file (files, listings, the logs on
 * the terminal, no pid file, the privilege drop, Ctrl-C), --help and
 * --version and the usage text against forkhttpd(8), what -t checks
 * beyond the file (names that must resolve, log and pid-file
 * directories), and configuration messages as a user sees them (the
 * line a problem starts on, the nearest key).
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/harness.h"

/* A scratch directory (and a server) of one test (checked fixture). */
static struct harness_server own;

static void
scratch_setup(void)
{
	ck_assert_msg(harness_setup(&own) == 0, "cannot create scratch dir");
}

static void
scratch_teardown(void)
{
	if (own.pid > 0) {
		kill(own.pid, SIGKILL);
		harness_wait_exit(&own, HARNESS_STOP_TIMEOUT_MS);
	}
	harness_cleanup(&own, false);
}

static int
exit_code(int st)
{
	return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Runs the binary with args; exit code, and owned stdout and stderr. */
static int
run(const char *const *args, char **out, char **err)
{
	return exit_code(harness_run(&own, args, 5000, out, err));
}

/*
 * Starts the binary with args in directory cwd, stdout and stderr into
 * own.dir/TAG.stdout and TAG.stderr.  Returns the pid.
 */
static pid_t
spawn_tagged(const char *tag, const char *cwd, const char *const *args)
{
	char out[PATH_MAX + 32], err[PATH_MAX + 32];
	const char *argv[16];
	size_t n = 0;
	pid_t pid;

	snprintf(out, sizeof(out), "%s/%s.stdout", own.dir, tag);
	snprintf(err, sizeof(err), "%s/%s.stderr", own.dir, tag);
	argv[n++] = harness_bin();
	while (*args != NULL && n < 15)
		argv[n++] = *args++;
	argv[n] = NULL;
	fflush(NULL);
	if ((pid = fork()) == 0) {
		int fo = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int fe = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int fi = open("/dev/null", O_RDONLY);

		if (fo == -1 || fe == -1 || fi == -1 || chdir(cwd) == -1)
			_exit(127);
		dup2(fi, 0);
		dup2(fo, 1);
		dup2(fe, 2);
		signal(SIGPIPE, SIG_DFL);
		execv(argv[0], (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	ck_assert_int_gt(pid, 0);
	return pid;
}

/* spawn_tagged("cli", ...); own.pid is the master. */
static pid_t
spawn_in(const char *cwd, const char *const *args)
{
	own.pid = spawn_tagged("cli", cwd, args);
	own.exited = false;
	return own.pid;
}

static bool
port_accepts(void *arg)
{
	int fd = harness_connect(*(uint16_t *)arg, 200);

	if (fd == -1)
		return false;
	close(fd);
	return true;
}

/* Waits (5 s at most) until own.port accepts, or the server has exited. */
static void
wait_serving(const char *what)
{
	char *err;

	if (harness_poll(port_accepts, &own.port, 5000))
		return;
	err = harness_read_file(&own, "cli.stderr", NULL);
	ck_abort_msg("%s: nothing accepts on port %u after 5 s; stderr:\n%s",
	    what, (unsigned)own.port, err != NULL ? err : "");
}

/* INT, as Ctrl-C sends it: the server must stop and exit 0 within 5 s. */
static void
interrupt(const char *what)
{
	ck_assert_int_eq(kill(own.pid, SIGINT), 0);
	ck_assert_msg(harness_wait_exit(&own, 5000), "%s: still running 5 s "
	    "after INT", what);
	ck_assert_msg(WIFEXITED(own.exit_status) &&
	    WEXITSTATUS(own.exit_status) == 0, "%s: status 0x%x after INT",
	    what, (unsigned)own.exit_status);
	own.pid = 0;
}

static bool
has_line(void *arg)
{
	const char *const *want = arg;
	char *text = harness_read_file(&own, want[0], NULL);
	bool ok = text != NULL && strstr(text, want[1]) != NULL;

	free(text);
	return ok;
}

/* ---- -r and -l -------------------------------------------------------- */

/*
 * No pid file: a second -r on another port starts beside the first (with
 * a pid file in common it would say "already running" and exit 1), and
 * serves; INT stops it.
 */
static void
second_server(void)
{
	char listen[64];
	const char *args[] = { "-r", own.docroot, "-l", listen, NULL };
	uint16_t port = harness_free_port();
	struct harness_server two = { .pid = 0 };
	struct harness_response r;

	snprintf(two.dir, sizeof(two.dir), "%s", own.dir);
	snprintf(listen, sizeof(listen), "127.0.0.1:%u", (unsigned)port);
	two.pid = spawn_tagged("two", own.dir, args);
	if (!harness_poll(port_accepts, &port, 5000)) {
		char *err = harness_read_file(&own, "two.stderr", NULL);

		kill(two.pid, SIGKILL);
		harness_wait_exit(&two, 5000);
		ck_abort_msg("a second -r does not serve beside the first:\n%s",
		    err != NULL ? err : "");
	}
	ck_assert_int_eq(harness_request(port, "GET", "/known.txt", NULL, &r),
	    0);
	ck_assert_int_eq(r.status, 200);
	harness_response_free(&r);
	kill(two.pid, SIGINT);
	ck_assert_msg(harness_wait_exit(&two, 5000) &&
	    WIFEXITED(two.exit_status) && WEXITSTATUS(two.exit_status) == 0,
	    "the second -r did not stop cleanly on INT");
}

/*
 * -r DIR -l ADDR:PORT: files and listings from DIR, the access log on
 * standard output and the error log on standard error, no pid file, and
 * Ctrl-C stops it.
 */
START_TEST(test_serve_dir)
{
	char listen[64], *out, *err;
	const char *args[] = { "-r", own.docroot, "-l", listen, NULL };
	const char *want_access[] = { "cli.stdout",
	    "\"GET /noindex/ HTTP/1.1\" 200" };
	struct harness_response r;

	own.port = harness_free_port();
	snprintf(listen, sizeof(listen), "127.0.0.1:%u", (unsigned)own.port);
	spawn_in(own.dir, args);
	wait_serving("-r -l");
	ck_assert_int_eq(harness_request(own.port, "GET", "/known.txt", NULL,
	    &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.body, HARNESS_KNOWN_TEXT);
	harness_response_free(&r);
	/* A directory without an index: listed, as python3 -m http.server. */
	ck_assert_int_eq(harness_request(own.port, "GET", "/noindex/", NULL,
	    &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_msg(strstr(r.body, "file.txt") != NULL, "no listing:\n%s",
	    r.body);
	harness_response_free(&r);
	ck_assert_msg(harness_poll(has_line, want_access, 5000),
	    "no access-log line on standard output");
	err = harness_read_file(&own, "cli.stderr", NULL);
	ck_assert_msg(err != NULL && strstr(err, listen) != NULL &&
	    strstr(err, "listening on") != NULL,
	    "the error log on stderr does not say where it listens:\n%s", err);
	free(err);
	second_server();
	interrupt("-r -l");
	out = harness_read_file(&own, "cli.stdout", NULL);
	ck_assert_msg(out != NULL && strstr(out, "GET /known.txt") != NULL,
	    "access log:\n%s", out);
	free(out);
}
END_TEST

/* -l alone serves the working directory; -l may be repeated. */
START_TEST(test_listen_alone)
{
	char l1[64], l2[64];
	const char *args[] = { "-l", l1, "-l", l2, NULL };
	struct harness_response r;
	uint16_t second;

	own.port = harness_free_port();
	second = harness_free_port();
	if (second == own.port)
		second = harness_free_port();
	snprintf(l1, sizeof(l1), "127.0.0.1:%u", (unsigned)own.port);
	snprintf(l2, sizeof(l2), "127.0.0.1:%u", (unsigned)second);
	spawn_in(own.docroot, args);
	wait_serving("-l alone");
	ck_assert_msg(harness_poll(port_accepts, &second, 5000),
	    "the second -l does not accept");
	ck_assert_int_eq(harness_request(second, "GET", "/known.txt", NULL,
	    &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.body, HARNESS_KNOWN_TEXT);
	harness_response_free(&r);
	interrupt("-l alone");
}
END_TEST

/* Every live worker (2 at least) runs as a user other than root. */
static bool
workers_dropped(void *arg)
{
	pid_t kids[8];
	char path[64];
	int n = harness_children(own.pid, kids, 8, true);

	(void)arg;
	if (n < 2)
		return false;
	for (int i = 0; i < n; i++) {
		char *status, *uid;
		bool root;

		snprintf(path, sizeof(path), "/proc/%ld/status", (long)kids[i]);
		if ((status = harness_read_file(&own, path, NULL)) == NULL)
			return false;
		uid = strstr(status, "\nUid:");
		root = uid == NULL || strncmp(uid, "\nUid:\t0\t", 8) == 0;
		free(status);
		if (root)
			return false;
	}
	return true;
}

/*
 * Started as root, -r still drops the workers to the default user (a
 * worker is root for a moment after its fork, so this waits for it).
 */
START_TEST(test_serve_drops_privileges)
{
	char listen[64];
	const char *args[] = { "-r", own.docroot, "-l", listen, NULL };

	if (geteuid() != 0)
		return;	/* nothing to drop: covered by the root run of CI */
	own.port = harness_free_port();
	snprintf(listen, sizeof(listen), "127.0.0.1:%u", (unsigned)own.port);
	spawn_in(own.dir, args);
	wait_serving("-r as root");
	ck_assert_msg(harness_poll(workers_dropped, NULL, 5000), "-r as root: "
	    "workers still root after 5 s");
	interrupt("-r as root");
}
END_TEST

/* The options that need a file, or that do not start a server. */
START_TEST(test_cmdconf_conflicts)
{
	const char *with_f[] = { "-r", ".", "-f", own.conf, NULL };
	const char *with_s[] = { "-l", "8080", "-s", "stop", NULL };
	const char *test_ok[] = { "-t", "-r", own.docroot, NULL };
	const char *test_bad[] = { "-t", "-r", "no-such-dir", NULL };
	char *out = NULL, *err = NULL;

	ck_assert_int_eq(run(with_f, &out, &err), 1);
	ck_assert_msg(strstr(err, "cannot be combined with -f") != NULL, "%s",
	    err);
	free(out);
	free(err);
	ck_assert_int_eq(run(with_s, &out, &err), 1);
	ck_assert_msg(strstr(err, "usage") != NULL, "%s", err);
	free(out);
	free(err);
	ck_assert_int_eq(run(test_ok, &out, &err), 0);
	ck_assert_msg(strstr(err, "(-r, -l) test is successful") != NULL, "%s",
	    err);
	free(out);
	free(err);
	ck_assert_int_eq(run(test_bad, &out, &err), 1);
	ck_assert_msg(strstr(err, "-r: document-root: ") != NULL &&
	    strstr(err, "no-such-dir: No such file or directory") != NULL,
	    "%s", err);
	free(out);
	free(err);
}
END_TEST

/* ---- --help, --version, and the man page ------------------------------ */

START_TEST(test_version)
{
	const char *lng[] = { "--version", NULL }, *shrt[] = { "-V", NULL };
	char *out = NULL, *out2 = NULL, *err = NULL;

	ck_assert_int_eq(run(lng, &out, &err), 0);
	ck_assert_str_eq(out, PACKAGE_STRING "\n");
	ck_assert_str_eq(err, "");
	free(err);
	ck_assert_int_eq(run(shrt, &out2, &err), 0);
	ck_assert_str_eq(out2, out);
	free(out);
	free(out2);
	free(err);
}
END_TEST

/*
 * --help on standard output, exit 0, the same as -h; and every option of
 * forkhttpd(8) (an ".It Fl x" line) in it, and every option it lists in
 * the man page: the two are kept in step.
 */
START_TEST(test_help_matches_man)
{
	const char *lng[] = { "--help", NULL }, *shrt[] = { "-h", NULL };
	char *out = NULL, *out2 = NULL, *err = NULL, *man, *p, opt[16];
	char path[2 * PATH_MAX + 32], cwd[PATH_MAX];
	int nman = 0;

	ck_assert_int_eq(run(lng, &out, &err), 0);
	ck_assert_msg(strncmp(out, "usage: forkhttpd", 16) == 0, "%s", out);
	free(err);
	ck_assert_int_eq(run(shrt, &out2, &err), 0);
	ck_assert_str_eq(out2, out);
	free(out2);
	free(err);
	if (harness_srcdir()[0] == '/')
		snprintf(path, sizeof(path), "%s/man/forkhttpd.8",
		    harness_srcdir());
	else
		snprintf(path, sizeof(path), "%s/%s/man/forkhttpd.8",
		    getcwd(cwd, sizeof(cwd)), harness_srcdir());
	man = harness_read_file(&own, path, NULL);
	ck_assert_msg(man != NULL, "cannot read %s", path);
	for (p = strstr(man, "\n.It Fl "); p != NULL;
	    p = strstr(p + 1, "\n.It Fl ")) {
		/* ".It Fl f Ar file", ".It Fl V , Fl \-version" */
		char *long_opt = strstr(p, " Fl \\-");
		char *eol = strchr(p + 1, '\n');

		snprintf(opt, sizeof(opt), "  -%c", p[8]);
		ck_assert_msg(strstr(out, opt) != NULL, "forkhttpd(8) has -%c, "
		    "--help does not:\n%s", p[8], out);
		nman++;
		if (long_opt != NULL && long_opt < eol) {
			char name[32];
			size_t k = strcspn(long_opt + 6, " \n");

			snprintf(name, sizeof(name), "--%.*s", (int)k,
			    long_opt + 6);
			ck_assert_msg(strstr(out, name) != NULL, "forkhttpd(8) "
			    "has %s, --help does not", name);
		}
	}
	ck_assert_int_ge(nman, 9);
	/* And back: each option --help lists is described in the man page. */
	for (p = strstr(out, "\n  -"); p != NULL; p = strstr(p + 1, "\n  -")) {
		snprintf(opt, sizeof(opt), "\n.It Fl %c", p[4]);
		ck_assert_msg(strstr(man, opt) != NULL, "--help has -%c, "
		    "forkhttpd(8) does not", p[4]);
	}
	ck_assert_msg(strstr(man, "Fl \\-help") != NULL &&
	    strstr(man, "Fl \\-version") != NULL,
	    "forkhttpd(8) lacks --help or --version");
	free(man);
	free(out);
}
END_TEST

/* ---- -t: names that must resolve, directories that must exist ---------- */

/* Writes the harness conf with extra (line HARNESS_LINE_EXTRA), runs -t. */
static int
configtest(const char *listen_value, const char *extra, char **err)
{
	struct harness_conf c = { listen_value, NULL, NULL, NULL, extra };
	const char *args[] = { "-t", "-f", own.conf, NULL };
	char *out = NULL;
	int st;

	ck_assert_int_eq(harness_write_conf(&own, harness_free_port(), 2, &c),
	    0);
	st = run(args, &out, err);
	free(out);
	return st;
}

START_TEST(test_configtest_resolves)
{
	char *err = NULL;

	ck_assert_int_eq(configtest("{ \"localhost:8080\", \"[::1]:8080\" }",
	    NULL, &err), 0);
	free(err);
	ck_assert_int_eq(configtest("{ \"127.0.0.1:8080\",\n"
	    "  \"no-such-host.invalid:8080\" }", NULL, &err), 1);
	ck_assert_msg(harness_names_line(err, "forkhttpd.conf",
	    HARNESS_LINE_LISTEN) && strstr(err, "listen: "
	    "\"no-such-host.invalid:8080\": host \"no-such-host.invalid\" "
	    "does not resolve") != NULL, "%s", err);
	ck_assert_msg(strstr(err, "test failed") != NULL, "%s", err);
	free(err);
}
END_TEST

static const struct {
	const char *extra;
	const char *key;
	const char *says;
} dir_cases[] = {
	{ "error-log = \"no-such-dir/error.log\"", "error-log: ",
	    "/no-such-dir/error.log: directory " },
	{ "access-log = \"no-such-dir/access.log\"", "access-log: ",
	    "does not exist" },
	{ "pid-file = \"no-such-dir/forkhttpd.pid\"", "pid-file: ",
	    "does not exist" },
	{ "access-log = \"docroot\"", "access-log: ", "is a directory" },
};

START_TEST(test_configtest_directories)
{
	char *err = NULL;

	ck_assert_int_eq(configtest(NULL, dir_cases[_i].extra, &err), 1);
	ck_assert_msg(harness_names_line(err, "forkhttpd.conf",
	    HARNESS_LINE_EXTRA) && strstr(err, dir_cases[_i].key) != NULL &&
	    strstr(err, dir_cases[_i].says) != NULL, "%s: %s",
	    dir_cases[_i].extra, err);
	free(err);
}
END_TEST

/* ---- messages ---------------------------------------------------------- */

/* The case: a string left open on line 5 is reported on line 5. */
START_TEST(test_message_unterminated_string)
{
	char path[PATH_MAX];
	const char *args[] = { "-t", "-f", path, NULL };
	char *out = NULL, *err = NULL;

	ck_assert_int_eq(harness_write_file(&own, "open.conf",
	    "# line 1\n"
	    "listen = { \"127.0.0.1:8080\" }\n"
	    "document-root = \"docroot\"\n"
	    "error-log = \"error.log\"\n"
	    "user = \"nobody\n"
	    "pid-file = \"forkhttpd.pid\"\n"
	    "access-log = \"access.log\"\n", path, sizeof(path)), 0);
	ck_assert_int_eq(run(args, &out, &err), 1);
	ck_assert_msg(harness_names_line(err, "open.conf", 5) &&
	    strstr(err, "unterminated string") != NULL, "%s", err);
	free(out);
	free(err);
}
END_TEST

START_TEST(test_message_nearest_key)
{
	char *err = NULL;

	ck_assert_int_eq(configtest(NULL, "worker-conections = 16", &err), 1);
	ck_assert_msg(harness_names_line(err, "forkhttpd.conf",
	    HARNESS_LINE_EXTRA) && strstr(err, "unknown key "
	    "'worker-conections'; did you mean 'worker-connections'?") != NULL,
	    "%s", err);
	free(err);
	ck_assert_int_eq(configtest(NULL, "keepalive-timeout = 1.5", &err), 1);
	ck_assert_msg(strstr(err, "keepalive-timeout: not a whole number; "
	    "expected 0..3600") != NULL, "%s", err);
	free(err);
}
END_TEST

static Suite *
cli_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *tc;

	tc = harness_tcase(s, "cmdconf");
	tcase_add_checked_fixture(tc, scratch_setup, scratch_teardown);
	tcase_add_test(tc, test_serve_dir);
	tcase_add_test(tc, test_listen_alone);
	tcase_add_test(tc, test_serve_drops_privileges);
	tcase_add_test(tc, test_cmdconf_conflicts);

	tc = harness_tcase(s, "options");
	tcase_add_checked_fixture(tc, scratch_setup, scratch_teardown);
	tcase_add_test(tc, test_version);
	tcase_add_test(tc, test_help_matches_man);

	tc = harness_tcase(s, "configtest");
	tcase_add_checked_fixture(tc, scratch_setup, scratch_teardown);
	tcase_add_test(tc, test_configtest_resolves);
	tcase_add_loop_test(tc, test_configtest_directories, 0,
	    (int)(sizeof(dir_cases) / sizeof(dir_cases[0])));
	tcase_add_test(tc, test_message_unterminated_string);
	tcase_add_test(tc, test_message_nearest_key);
	return s;
}

int
main(void)
{
	return harness_main("check_cli", cli_suite);
}
