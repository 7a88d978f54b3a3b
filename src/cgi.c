/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cgi.c - CGI scripts: started with posix_spawn(), driven as an app
 * (app.h), killed and reaped.
 *
 * posix_spawn() rather than fork(): glibc's clones with CLONE_VFORK, so
 * starting a script costs no copy of the worker's page tables, and an
 * exec that fails (EACCES, a missing interpreter) comes back as its
 * return value, before any byte is exchanged, so the client gets a 403
 * or a 500 instead of a 502.
 *
 * The script's end of the socket pair stays blocking (O_NONBLOCK belongs
 * to the open file, which both ends do not share, so only ours is): a
 * script writing to a non-blocking stdout would see EAGAIN.  A script
 * reads its body to EOF, which app.c gives by shutting our end down for
 * writing once the whole body has gone out (app->stdio).
 */
#include "autoconf.h"

#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "cgi.h"
#include "gateway.h"
#include "http_response.h"
#include "log.h"
#include "net.h"

/* The environment's PATH: enough for "#!/usr/bin/env python3". */
#define CGI_PATH "PATH=/usr/local/bin:/usr/bin:/bin"

struct cgi {
	struct app a;		/* first: the driver's part (app.h) */
	int nl;			/* the head's line ends seen: 0 none, 1 LF,
				 * 2 LF CR */
	bool in_body;		/* the head went by */
	off_t left;		/* body bytes the head announced; -1: to EOF */
};

/* ---------------------------------------------------------------- */
/* The scripts that outlived their requests */

struct cgi_wait {
	pid_t pid;
	int64_t kill_at;	/* 0: killed already */
};

static struct cgi_wait *cgi_waits;
static size_t cgi_nwaits, cgi_cap;

/* Logs how a script ended, when it was not well. */
static void
cgi_exited(pid_t pid, int st)
{
	if (WIFEXITED(st) && WEXITSTATUS(st) != 0)
		log_info("cgi: script %ld exited with %d", (long)pid,
		    WEXITSTATUS(st));
	else if (WIFSIGNALED(st) && WTERMSIG(st) != SIGKILL)
		log_info("cgi: script %ld killed by signal %d", (long)pid,
		    WTERMSIG(st));
}

/* Reaps pid if it has exited: true then (or when it is not ours). */
static bool
cgi_gone(pid_t pid)
{
	int st;
	pid_t r;

	do
		r = waitpid(pid, &st, WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r == pid)
		cgi_exited(pid, st);
	return r != 0;
}

/*
 * The group of pid, not reaped yet so its id cannot have gone to another
 * group, is killed; and pid itself, in case it left the group (setsid).
 */
static void
cgi_kill(pid_t pid)
{
	if (kill(-pid, SIGKILL) < 0 && errno != ESRCH)
		log_error("cgi: kill %ld:", (long)pid);
	(void)kill(pid, SIGKILL);
}

/* Remembers pid for cgi_reap(); kill_at 0: killed already. */
static void
cgi_wait_for(pid_t pid, int64_t kill_at)
{
	if (cgi_nwaits == cgi_cap) {
		size_t cap = cgi_cap == 0 ? 16 : 2 * cgi_cap;
		struct cgi_wait *w = realloc(cgi_waits, cap * sizeof(*w));

		if (w == NULL) {
			/* Killed at once, then a zombie until it is seen. */
			log_error("cgi: no memory to wait for script %ld",
			    (long)pid);
			if (kill_at != 0)
				cgi_kill(pid);
			return;
		}
		cgi_waits = w;
		cgi_cap = cap;
	}
	cgi_waits[cgi_nwaits].pid = pid;
	cgi_waits[cgi_nwaits].kill_at = kill_at;
	cgi_nwaits++;
}

void
cgi_reap(void)
{
	int64_t now;

	if (cgi_nwaits == 0)
		return;
	now = net_now_ms();
	for (size_t i = 0; i < cgi_nwaits;) {
		struct cgi_wait *w = &cgi_waits[i];

		if (cgi_gone(w->pid)) {
			*w = cgi_waits[--cgi_nwaits];
			continue;
		}
		if (w->kill_at != 0 && now >= w->kill_at) {
			cgi_kill(w->pid);
			w->kill_at = 0;
		}
		i++;
	}
}

/* ---------------------------------------------------------------- */
/* The app kind */

/* The body goes to stdin as it is. */
static size_t
cgi_frame(struct app *a, const char *data, size_t n, bool last)
{
	size_t room = app_out_room(a), k = n < room ? n : room;
	char *p;

	(void)last;	/* EOF: app.c shuts down once all is out (stdio) */
	if (k == 0 || (p = app_out(a, k)) == NULL)
		return 0;
	memcpy(p, data, k);
	app_out_commit(a, k);
	return k;
}

/*
 * The head's bytes up to its blank line (the same rule as app.c's: LF
 * LF, or LF CR LF), and nothing after it before head() has said how long
 * the body is.  In the head, *took bytes of in, and whether the head
 * ended there.
 */
static bool
cgi_head_bytes(struct cgi *g, const char *in, size_t n, size_t *took)
{
	for (size_t i = 0; i < n; i++) {
		if (in[i] == '\n' && g->nl != 0) {
			*took = i + 1;
			return true;
		}
		g->nl = in[i] == '\n' ? 1 : (in[i] == '\r' && g->nl == 1) ?
		    2 : 0;
	}
	*took = n;
	return false;
}

static enum app_decode
cgi_decode(struct app *a, const char *in, size_t n, bool eof, size_t *took,
    const char **data, size_t *len)
{
	struct cgi *g = (struct cgi *)a;
	size_t k;

	*took = 0;
	if (!g->in_body) {
		(void)cgi_head_bytes(g, in, n, &k);
		if (k == 0)
			return APP_DEC_MORE;
	} else {
		if (g->left == 0)
			return APP_DEC_END;
		if (n == 0)
			/* Fewer bytes than its Content-Length: cut. */
			return !eof ? APP_DEC_MORE : g->left > 0 ?
			    APP_DEC_ERROR : APP_DEC_END;
		k = g->left >= 0 && (uint64_t)g->left < n ? (size_t)g->left :
		    n;
		if (g->left > 0)
			g->left -= (off_t)k;
	}
	*took = k;
	*data = in;
	*len = k;
	return APP_DEC_DATA;
}

static enum app_head
cgi_head(struct app *a, const char *in, size_t len, struct http_response *resp)
{
	struct cgi *g = (struct cgi *)a;

	switch (gateway_head(in, len, resp)) {
	case GATEWAY_HEAD_LOCAL:
		/* The connection answers the path itself (RFC 3875 §6.2.2),
		 * or, where it cannot, sends this as a 302 with whatever
		 * body the script wrote. */
		g->in_body = true;
		g->left = resp->content_length;
		return APP_HEAD_LOCAL;
	case GATEWAY_HEAD_DOCUMENT:
		g->in_body = true;
		g->left = resp->content_length;
		return APP_HEAD_FINAL;
	default:
		return APP_HEAD_BAD;
	}
}

static void
cgi_end(struct app *a, bool complete)
{
	struct cgi *g = (struct cgi *)a;

	if (a->fd >= 0)
		close(a->fd);
	if (a->errfd >= 0)
		close(a->errfd);
	if (a->pid > 0 && !cgi_gone(a->pid)) {
		if (complete) {
			cgi_wait_for(a->pid, net_now_ms() + CGI_GRACE_MS);
		} else {
			cgi_kill(a->pid);
			if (!cgi_gone(a->pid))
				cgi_wait_for(a->pid, 0);
		}
	}
	free(g);
}

static const struct app_kind cgi_kind = {
	.name = "cgi",
	.frame = cgi_frame,
	.decode = cgi_decode,
	.head = cgi_head,
	.end = cgi_end,
	.retry = NULL,
};

/* ---------------------------------------------------------------- */
/* Starting the script */

/* The environment: "NAME=value" strings in one buffer, then envp. */
struct cgi_env {
	char *buf;
	size_t len, cap;
	size_t n;
};

static int
cgi_env_add(void *arg, const char *name, size_t nlen, const char *value,
    size_t vlen)
{
	struct cgi_env *e = arg;
	size_t need = nlen + vlen + 2;

	if (e->cap - e->len < need) {
		size_t cap = 2 * e->cap + need;
		char *b = realloc(e->buf, cap);

		if (b == NULL)
			return -1;
		e->buf = b;
		e->cap = cap;
	}
	memcpy(e->buf + e->len, name, nlen);
	e->buf[e->len + nlen] = '=';
	memcpy(e->buf + e->len + nlen + 1, value, vlen);
	e->buf[e->len + need - 1] = '\0';
	e->len += need;
	e->n++;
	return 0;
}

/* envp for e (PATH first), pointing into e->buf; NULL: no memory. */
static char **
cgi_envp(struct cgi_env *e)
{
	char **envp = malloc((e->n + 2) * sizeof(*envp));
	size_t k = 0;

	if (envp == NULL)
		return NULL;
	envp[k++] = (char *)CGI_PATH;
	for (size_t off = 0; off < e->len; off += strlen(e->buf + off) + 1)
		envp[k++] = e->buf + off;
	envp[k] = NULL;
	return envp;
}

/* Spawns s with stdin and stdout io, stderr err.  0, or an errno. */
static int
cgi_spawn(const struct gateway_script *s, char *const envp[], int io,
    int err, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t all, none;
	char dir[PATH_MAX];
	char *argv[2] = { (char *)s->filename, NULL };
	int r;

	memcpy(dir, s->filename, s->dir_len);
	dir[s->dir_len] = '\0';
	sigfillset(&all);
	sigemptyset(&none);
	if ((r = posix_spawn_file_actions_init(&fa)) != 0)
		return r;
	if ((r = posix_spawnattr_init(&at)) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return r;
	}
	/* Descriptors: 0 and 1 the socket, 2 the pipe, nothing else (ours
	 * are close-on-exec; closefrom also covers a leak). */
	if ((r = posix_spawn_file_actions_adddup2(&fa, io, 0)) != 0 ||
	    (r = posix_spawn_file_actions_adddup2(&fa, io, 1)) != 0 ||
	    (r = posix_spawn_file_actions_adddup2(&fa, err, 2)) != 0 ||
	    (r = posix_spawn_file_actions_addchdir_np(&fa, dir)) != 0 ||
#ifdef HAVE_POSIX_SPAWN_FILE_ACTIONS_ADDCLOSEFROM_NP
	    (r = posix_spawn_file_actions_addclosefrom_np(&fa, 3)) != 0 ||
#endif
	    /* The worker ignores SIGPIPE and others; a script starts
	     * clean, in a group of its own that can be killed whole. */
	    (r = posix_spawnattr_setsigdefault(&at, &all)) != 0 ||
	    (r = posix_spawnattr_setsigmask(&at, &none)) != 0 ||
	    (r = posix_spawnattr_setpgroup(&at, 0)) != 0 ||
	    (r = posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP |
	    POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)) != 0)
		goto out;
	r = posix_spawn(pid, s->filename, &fa, &at, argv, envp);
out:
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	return r;
}

/* The socket pair and the stderr pipe: ours non-blocking.  0 or -1. */
static int
cgi_pipes(int sv[2], int ep[2])
{
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	if (pipe2(ep, O_CLOEXEC) < 0) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (fcntl(sv[0], F_SETFL, O_NONBLOCK) < 0 ||
	    fcntl(ep[0], F_SETFL, O_NONBLOCK) < 0) {
		close(sv[0]);
		close(sv[1]);
		close(ep[0]);
		close(ep[1]);
		return -1;
	}
	return 0;
}

/* The status for posix_spawn()'s error. */
static int
cgi_spawn_status(int err)
{
	return err == EACCES || err == EPERM ? HTTP_STATUS_FORBIDDEN :
	    HTTP_STATUS_INTERNAL_ERROR;
}

/*
 * Starts s for req into g (its app set up by the caller, on fd sv[0]).
 * 0, or the status to answer with.
 */
static int
cgi_start(const struct handler_ctx *ctx, const struct http_request *req,
    const struct gateway_script *s, struct cgi *g, int sv1, int ep1)
{
	struct cgi_env e = { NULL, 0, 0, 0 };
	char **envp = NULL;
	int err = ENOMEM;

	if (gateway_vars(ctx, req, s, false, cgi_env_add, &e) == 0 &&
	    (envp = cgi_envp(&e)) != NULL)
		err = cgi_spawn(s, envp, sv1, ep1, &g->a.pid);
	free(envp);
	free(e.buf);
	if (err == 0)
		return 0;
	errno = err;
	log_error("cgi %s: cannot run %s:", g->a.label, s->filename);
	return cgi_spawn_status(err);
}

/* The label for the logs: the script's name, escaped. */
static void
cgi_label(const struct gateway_script *s, char *out, size_t cap)
{
	log_escape(out, cap, s->name, s->name_len);
}

int
cgi_handle(const struct handler_ctx *ctx, const struct http_request *req,
    struct http_response *resp)
{
	struct gateway_script s;
	char label[sizeof(((struct app *)0)->label)];
	struct cgi *g;
	int sv[2], ep[2], status;

	if ((status = gateway_script(ctx, &s)) != 0) {
		http_response_error(resp, status);
		return resp->status;
	}
	cgi_label(&s, label, sizeof(label));
	if ((g = calloc(1, sizeof(*g))) == NULL || cgi_pipes(sv, ep) < 0) {
		log_error("cgi %s: cannot start:", label);
		free(g);
		http_response_error(resp, HTTP_STATUS_INTERNAL_ERROR);
		return resp->status;
	}
	if (app_init(&g->a, &cgi_kind, sv[0], false, label, 0,
	    (int64_t)ctx->cfg->cgi_timeout * 1000) < 0)
		status = HTTP_STATUS_INTERNAL_ERROR;
	else
		status = cgi_start(ctx, req, &s, g, sv[1], ep[1]);
	close(sv[1]);
	close(ep[1]);
	if (status != 0) {
		close(sv[0]);
		close(ep[0]);
		free(g->a.out);
		free(g->a.in);
		free(g);
		http_response_error(resp, status);
		return resp->status;
	}
	g->a.errfd = ep[0];
	g->a.stdio = true;
	g->a.body_always = true;	/* an empty body is an EOF too */
	g->left = -1;
	resp->app = &g->a;
	return 0;
}
