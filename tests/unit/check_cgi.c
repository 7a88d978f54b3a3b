/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_cgi.c - cgi_handle() and the cgi app kind, driven here as the
 * connection drives them (app_body(), app_head(), app_pull(), poll() on
 * the app's descriptors, app_end()), with real scripts in a temporary
 * root: refusals before anything runs (404, 403), the body to stdin and
 * its EOF (an empty body too), a clean environment, a Content-Length
 * that cuts a longer body and a shorter body that fails, a broken head
 * (502), stderr, and the end: a script killed with its process group
 * and reaped by cgi_reap(), and one that answered but lingers killed
 * after CGI_GRACE_MS.
 */
#include "autoconf.h"

#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "app.h"
#include "cgi.h"
#include "config.h"
#include "http.h"
#include "http_parse.h"
#include "net.h"
#include "router.h"
#include "static.h"

#include "../lib/unit.h"

static char base[PATH_MAX], docroot[PATH_MAX];
static struct config *cfg;
static struct static_root roots[2];
static struct router_choice ch;
static struct http_request req;
static struct http_response resp;
static char raw[2 * PATH_MAX];

/* Writes an executable script cgi-bin/name. */
static void
script(const char *name, const char *text)
{
	char rel[256], path[PATH_MAX];

	snprintf(rel, sizeof(rel), "cgi-bin/%s", name);
	unit_write_file(docroot, rel, text);
	unit_path(path, sizeof(path), docroot, rel);
	ck_assert_int_eq(chmod(path, 0755), 0);
}

static void
setup(void)
{
	char text[2 * PATH_MAX], err[512];

	unit_scratch_dir(base, sizeof(base), "cgi");
	unit_path(docroot, sizeof(docroot), base, "www");
	unit_make_dir(base, "www");
	unit_make_dir(base, "www/cgi-bin");
	snprintf(text, sizeof(text),
	    "listen = { \"127.0.0.1:8080\" }\n"
	    "document-root = \"%s\"\n"
	    "cgi-timeout = 5\n"
	    "server \"localhost\" {\n"
	    "  route \"/cgi-bin/\" { cgi = true }\n"
	    "}\n", docroot);
	cfg = config_load_buf(text, "t.conf", base, err, sizeof(err));
	ck_assert_msg(cfg != NULL, "config: %s", err);
	for (size_t i = 0; i < cfg->nroots; i++)
		static_root_init(&roots[i], static_open_root(
		    cfg->roots[i].path), cfg->roots[i].symlinks_outside_root);
	/* The script's environment must not come from ours. */
	setenv("CHECK_CGI_LEAK", "leaked", 1);
}

static void
teardown(void)
{
	for (size_t i = 0; cfg != NULL && i < cfg->nroots; i++)
		close(roots[i].fd);
	config_free(cfg);
	cfg = NULL;
	unsetenv("CHECK_CGI_LEAK");
	unit_rmtree(base);
}

/* cgi_handle() of "METHOD path" with body's length (or none). */
static int
handle(const char *method, const char *path, const char *body)
{
	const struct http_limits lim = { 8192, 8192, 65536, 100 };
	struct handler_ctx ctx;
	size_t n;

	if (body != NULL)
		n = (size_t)snprintf(raw, sizeof(raw), "%s %s HTTP/1.1\r\n"
		    "Host: localhost\r\nContent-Length: %zu\r\n\r\n", method,
		    path, strlen(body));
	else
		n = (size_t)snprintf(raw, sizeof(raw), "%s %s HTTP/1.1\r\n"
		    "Host: localhost\r\n\r\n", method, path);
	memset(&req, 0, sizeof(req));
	ck_assert_int_eq(http_parse_request(raw, n, &lim, &req), 0);
	memset(&ctx, 0, sizeof(ctx));
	ctx.cfg = cfg;
	ctx.roots = roots;
	ctx.client_fd = -1;
	ctx.scope = router_choose(cfg, "localhost", 9, req.path.p,
	    req.path.len, &ch);
	ctx.server = &cfg->servers[ch.server];
	ctx.match = ch.route >= 0 ? &ch.match : NULL;
	ctx.path = ch.path;
	ctx.path_len = ch.path_len;
	ctx.root = &roots[ctx.scope->root];
	ctx.rel = ch.rel;
	ctx.dir_form = ch.dir_form;
	http_response_init(&resp);
	return cgi_handle(&ctx, &req, &resp);
}

/* Waits up to 100 ms for what the app waits for. */
static void
wait_app(struct app *a)
{
	struct pollfd p[2] = {
		{ .fd = a->fd, .events = 0 },
		{ .fd = a->errfd, .events = POLLIN },
	};
	uint32_t ev = app_events(a);

	if (ev & EPOLLIN)
		p[0].events |= POLLIN;
	if (ev & EPOLLOUT)
		p[0].events |= POLLOUT;
	(void)poll(p, 2, 100);
	if (a->errfd >= 0)
		app_stderr(a);
}

/* Feeds body (last), then waits for the head: app_head()'s result. */
static int
drive_head(struct app *a, const char *body)
{
	size_t n = body != NULL ? strlen(body) : 0, off = 0;
	int64_t until = net_now_ms() + 8000;
	int r;

	app_start(a, net_now_ms());
	while (!a->body_end) {
		ssize_t k = app_body(a, body + off, n - off, true,
		    net_now_ms());

		ck_assert_int_ge(k, 0);
		off += (size_t)k;
		if (!a->body_end)
			wait_app(a);
		ck_assert_msg(net_now_ms() < until, "body not taken");
	}
	while ((r = app_head(a, &resp, net_now_ms())) == 0) {
		ck_assert_msg(net_now_ms() < until, "no head");
		wait_app(a);
	}
	return r;
}

/* Pulls the whole body into out; -1 when the source failed. */
static ssize_t
drive_body(struct app *a, char *out, size_t cap)
{
	int64_t until = net_now_ms() + 8000;
	size_t len = 0;

	for (;;) {
		ssize_t k = app_pull(a, out + len, cap - 1 - len);

		if (k == 0)
			break;
		if (k < 0 && errno != EAGAIN)
			return -1;
		if (k < 0)
			wait_app(a);
		else
			len += (size_t)k;
		ck_assert_msg(net_now_ms() < until, "no end of body");
		ck_assert_uint_lt(len, cap - 1);
	}
	out[len] = '\0';
	return (ssize_t)len;
}

/* Whether pid's process group still has a member. */
static bool
group_alive(pid_t pid)
{
	return kill(-pid, 0) == 0;
}

/* Until deadline_ms from now, cgi_reap() until pid is gone. */
static bool
reaped_within(pid_t pid, int64_t ms)
{
	int64_t until = net_now_ms() + ms;

	while (net_now_ms() < until) {
		cgi_reap();
		/* Reaped: no longer our child (ECHILD), and its group gone. */
		if (waitpid(pid, NULL, WNOHANG) < 0 && errno == ECHILD &&
		    !group_alive(pid))
			return true;
		usleep(20000);
	}
	return false;
}

START_TEST(refused)
{
	script("ok.sh", "#!/bin/sh\necho 'Content-Type: text/plain'\necho\n");
	unit_write_file(docroot, "cgi-bin/plain.sh", "#!/bin/sh\n");
	ck_assert_int_eq(handle("GET", "/cgi-bin/none.sh", NULL), 404);
	ck_assert_ptr_null(resp.app);
	ck_assert_int_eq(resp.body, HTTP_BODY_MEM);
	ck_assert_int_eq(handle("GET", "/cgi-bin/", NULL), 404);
	ck_assert_int_eq(handle("GET", "/cgi-bin/plain.sh", NULL), 403);
	ck_assert_ptr_null(resp.app);
}
END_TEST

START_TEST(echo_body)
{
	static char out[4096];
	struct app *a;
	pid_t pid;

	script("echo.sh", "#!/bin/sh\n"
	    "printf 'Status: 201 Made\\r\\nContent-Type: text/plain\\r\\n"
	    "X-Method: %s\\r\\n\\r\\n' \"$REQUEST_METHOD\"\n"
	    "cat\n"
	    "printf '|%s|%s' \"$CONTENT_LENGTH\" \"${CHECK_CGI_LEAK:-clean}\"\n");
	ck_assert_int_eq(handle("PUT", "/cgi-bin/echo.sh", "hello, script"),
	    0);
	ck_assert_ptr_nonnull(a = resp.app);
	ck_assert_int_gt(pid = a->pid, 0);
	ck_assert_int_eq(drive_head(a, "hello, script"), 1);
	ck_assert_int_eq(resp.status, 201);
	ck_assert_str_eq(resp.reason, "Made");
	ck_assert_str_eq(resp.content_type, "text/plain");
	ck_assert_uint_eq(resp.nfields, 1);
	ck_assert_int_eq(drive_body(a, out, sizeof(out)), 22);
	/* The body reached it whole, then EOF (cat ended). */
	ck_assert_str_eq(out, "hello, script|13|clean");
	app_end(a, true);
	ck_assert(reaped_within(pid, 5000));
}
END_TEST

START_TEST(no_body_eof)
{
	static char out[256];
	struct app *a;
	pid_t pid;

	/* cat with no body: EOF at once, or it would wait forever. */
	script("cat.sh", "#!/bin/sh\nprintf 'Content-Type: a/b\\n\\n['\n"
	    "cat\nprintf ']'\n");
	ck_assert_int_eq(handle("GET", "/cgi-bin/cat.sh", NULL), 0);
	a = resp.app;
	pid = a->pid;
	ck_assert_int_eq(drive_head(a, NULL), 1);
	ck_assert_int_eq(drive_body(a, out, sizeof(out)), 2);
	ck_assert_str_eq(out, "[]");
	app_end(a, true);
	ck_assert(reaped_within(pid, 5000));
}
END_TEST

START_TEST(content_length)
{
	static char out[256];
	struct app *a;
	pid_t pid;

	/* More than announced: cut at the length. */
	script("long.sh", "#!/bin/sh\n"
	    "printf 'Content-Type: a/b\\nContent-Length: 3\\n\\nabcdef'\n");
	ck_assert_int_eq(handle("GET", "/cgi-bin/long.sh", NULL), 0);
	a = resp.app;
	pid = a->pid;
	ck_assert_int_eq(drive_head(a, NULL), 1);
	ck_assert_int_eq(resp.content_length, 3);
	ck_assert_int_eq(drive_body(a, out, sizeof(out)), 3);
	ck_assert_str_eq(out, "abc");
	app_end(a, true);
	ck_assert(reaped_within(pid, 5000));

	/* Fewer: the body fails, the response is cut. */
	script("short.sh", "#!/bin/sh\n"
	    "printf 'Content-Type: a/b\\nContent-Length: 10\\n\\nabc'\n");
	ck_assert_int_eq(handle("GET", "/cgi-bin/short.sh", NULL), 0);
	a = resp.app;
	pid = a->pid;
	ck_assert_int_eq(drive_head(a, NULL), 1);
	ck_assert_int_eq(drive_body(a, out, sizeof(out)), -1);
	app_end(a, false);
	ck_assert(reaped_within(pid, 5000));
}
END_TEST

START_TEST(bad_head)
{
	struct app *a;
	pid_t pid;

	script("nph.sh", "#!/bin/sh\nprintf 'HTTP/1.1 200 OK\\r\\n"
	    "Content-Type: a/b\\r\\n\\r\\nx'\n");
	ck_assert_int_eq(handle("GET", "/cgi-bin/nph.sh", NULL), 0);
	a = resp.app;
	pid = a->pid;
	ck_assert_int_eq(drive_head(a, NULL), -1);
	ck_assert_int_eq(a->fail_status, 502);
	app_end(a, false);
	ck_assert(reaped_within(pid, 5000));

	/* Nothing at all. */
	script("silent.sh", "#!/bin/sh\nexit 0\n");
	ck_assert_int_eq(handle("GET", "/cgi-bin/silent.sh", NULL), 0);
	a = resp.app;
	pid = a->pid;
	ck_assert_int_eq(drive_head(a, NULL), -1);
	ck_assert_int_eq(a->fail_status, 502);
	app_end(a, false);
	ck_assert(reaped_within(pid, 5000));
}
END_TEST

START_TEST(killed_with_group)
{
	struct app *a;
	pid_t pid;
	char path[PATH_MAX];
	FILE *f;
	long child = 0;

	/* A script with a child of its own, and silence. */
	unit_path(path, sizeof(path), base, "child.pid");
	snprintf(raw, sizeof(raw), "#!/bin/sh\nsleep 60 &\necho $! >%s\n"
	    "wait\n", path);
	script("hang.sh", raw);
	ck_assert_int_eq(handle("GET", "/cgi-bin/hang.sh", NULL), 0);
	a = resp.app;
	pid = a->pid;
	app_start(a, net_now_ms());
	/* Its child has started once its pid is written. */
	for (int64_t until = net_now_ms() + 5000; child == 0 &&
	    net_now_ms() < until; usleep(20000))
		if ((f = fopen(path, "r")) != NULL) {
			if (fscanf(f, "%ld", &child) != 1)
				child = 0;
			fclose(f);
		}
	ck_assert_int_gt(child, 0);
	ck_assert(group_alive(pid));
	/* The client went away. */
	app_end(a, false);
	ck_assert(reaped_within(pid, 5000));
	ck_assert_int_ne(kill((pid_t)child, 0), 0);
}
END_TEST

START_TEST(left_its_group)
{
	struct app *a;
	pid_t pid;

	/* A script that moves to another group is killed too. */
	script("leave.py", "#!/usr/bin/env python3\nimport os, time\n"
	    "os.setpgid(0, os.getpgid(os.getppid()))\ntime.sleep(60)\n");
	ck_assert_int_eq(handle("GET", "/cgi-bin/leave.py", NULL), 0);
	a = resp.app;
	pid = a->pid;
	app_start(a, net_now_ms());
	for (int64_t until = net_now_ms() + 5000; getpgid(pid) == pid &&
	    net_now_ms() < until; usleep(20000))
		;
	ck_assert_int_ne(getpgid(pid), pid);
	app_end(a, false);
	ck_assert(reaped_within(pid, 5000));
}
END_TEST

START_TEST(grace)
{
	static char out[64];
	struct app *a;
	pid_t pid;
	int64_t t0;

	/* Answers whole, closes its output, and lives on. */
	script("linger.sh", "#!/bin/sh\nprintf 'Content-Type: a/b\\n\\nok'\n"
	    "exec <&- >&- 2>&-\nsleep 60\n");
	ck_assert_int_eq(handle("GET", "/cgi-bin/linger.sh", NULL), 0);
	a = resp.app;
	pid = a->pid;
	ck_assert_int_eq(drive_head(a, NULL), 1);
	ck_assert_int_eq(drive_body(a, out, sizeof(out)), 2);
	t0 = net_now_ms();
	app_end(a, true);
	/* Not killed at once... */
	usleep(300000);
	cgi_reap();
	ck_assert(group_alive(pid));
	/* ...but after the grace. */
	ck_assert(reaped_within(pid, CGI_GRACE_MS + 3000));
	ck_assert_int_ge(net_now_ms() - t0, CGI_GRACE_MS - 100);
}
END_TEST

static Suite *
cgi_suite(void)
{
	Suite *s = suite_create("cgi");
	TCase *tc = tcase_create("cgi");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, refused);
	tcase_add_test(tc, echo_body);
	tcase_add_test(tc, no_body_eof);
	tcase_add_test(tc, content_length);
	tcase_add_test(tc, bad_head);
	tcase_add_test(tc, killed_with_group);
	tcase_add_test(tc, left_its_group);
	tcase_add_test(tc, grace);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(cgi_suite());
}
