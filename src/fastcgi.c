/* SPDX-License-Identifier: BSD-2-Clause */
#include "autoconf.h"
/*
 * fastcgi.c - the FastCGI handler (see fastcgi.h): struct app_kind's four
 * functions over fcgi.c's records, and the handler that sets one up.
 *
 * The output buffer (app.c's) is one block that is reused from its start
 * only once all of it went out, so app_out_room() (the body's window) may
 * promise more than the block still holds at its end.  frame() therefore
 * leaves FCGI_EMPTY_LEN bytes free at the end of the block after every
 * record it writes, and the prelude does too: the empty STDIN record
 * that ends the body always fits, whenever the body ends.  Without it, a
 * body ending while the block is full would be marked ended (the driver
 * takes "all of nothing" as done) with stdin never closed, and the
 * script would wait for it until upstream-timeout.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "backend.h"
#include "config.h"
#include "fastcgi.h"
#include "fcgi.h"
#include "gateway.h"
#include "http_response.h"
#include "log.h"

/* Our only request on each connection. */
#define FASTCGI_ID 1
/* The script's name as the error log tags its stderr with. */
#define FASTCGI_TAG_MAX 200
/* A stderr line longer than this is logged in pieces. */
#define FASTCGI_LINE_MAX 512

struct fastcgi_app {
	struct app app;			/* first: app.h's contract */
	struct fcgi_decoder dec;
	char tag[FASTCGI_TAG_MAX];	/* SCRIPT_NAME, for the log */
	char line[FASTCGI_LINE_MAX];	/* a stderr line being collected */
	size_t line_len;
	bool head_only;			/* HEAD: the script sends no body */
};

/* Room in the output block from where the next byte goes to its end. */
static size_t
fastcgi_block_room(struct app *a)
{
	/* app_out() of nothing starts the block over once it is all out. */
	if (app_out(a, 0) == NULL)
		return 0;
	return a->out_cap - a->out_len;
}

static size_t
fastcgi_frame(struct app *a, const char *data, size_t n, bool last)
{
	size_t room = app_out_room(a), block = fastcgi_block_room(a);
	size_t took, w, end_took;
	bool ended;
	char *o;

	if (block < room)
		room = block;
	/* The data's records leave the end record's room (see the top). */
	if (room < FCGI_EMPTY_LEN || (o = app_out(a, room)) == NULL)
		return 0;
	w = fcgi_stdin(o, room - FCGI_EMPTY_LEN, FASTCGI_ID, data, n, false,
	    &took, &ended);
	if (last && took == n)
		w += fcgi_stdin(o + w, FCGI_EMPTY_LEN, FASTCGI_ID, NULL, 0,
		    true, &end_took, &ended);
	app_out_commit(a, w);
	return took;
}

/* One line of the script's stderr into the error log. */
static void
fastcgi_log_line(struct fastcgi_app *fa)
{
	char esc[4 * FASTCGI_LINE_MAX + 1];

	if (fa->line_len == 0)
		return;
	log_escape(esc, sizeof(esc), fa->line, fa->line_len);
	log_error("fastcgi %s: %s: stderr: %s", fa->app.label, fa->tag, esc);
	fa->line_len = 0;
}

/* STDERR content: lines into the error log, a long one in pieces. */
static void
fastcgi_stderr(struct fastcgi_app *fa, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\n') {
			fastcgi_log_line(fa);
			continue;
		}
		if (fa->line_len == sizeof(fa->line))
			fastcgi_log_line(fa);
		fa->line[fa->line_len++] = p[i];
	}
}

static enum app_decode
fastcgi_decode(struct app *a, const char *in, size_t n, bool eof,
    size_t *took, const char **data, size_t *len)
{
	struct fastcgi_app *fa = (struct fastcgi_app *)a;
	size_t at = 0, used, off, dl;

	(void)eof;	/* a close before END_REQUEST: the driver's 502 */
	for (;;) {
		enum fcgi_result r = fcgi_decode(&fa->dec, in + at, n - at,
		    &used, &off, &dl);

		switch (r) {
		case FCGI_OUT:
			*data = in + at + off;
			*len = dl;
			*took = at + used;
			return APP_DEC_DATA;
		case FCGI_ERR:
			fastcgi_stderr(fa, in + at + off, dl);
			at += used;
			continue;
		case FCGI_END:
			*took = at + used;
			fastcgi_log_line(fa);
			if (fa->dec.app_status != 0)
				log_info("fastcgi %s: %s: exit status %u",
				    a->label, fa->tag,
				    (unsigned)fa->dec.app_status);
			return APP_DEC_END;
		case FCGI_ERROR:
			*took = at + used;
			log_error("fastcgi %s: %s: %s", a->label, fa->tag,
			    fa->dec.error);
			return APP_DEC_ERROR;
		default:
			*took = n;
			return APP_DEC_MORE;
		}
	}
}

/*
 * A response the script gave no length is sent chunked, unless all of it
 * is already here (a short page usually comes in one read, END_REQUEST
 * and all): then its length is known, and it goes out with
 * Content-Length, without the chunks' framing and their last write.
 * Looks ahead with a copy of the decoder; takes nothing.
 */
static void
fastcgi_length(struct fastcgi_app *fa, struct http_response *resp)
{
	struct app *a = &fa->app;
	struct fcgi_decoder d = fa->dec;
	const char *in = a->in + a->in_off;
	size_t n = a->in_len - a->in_off, at = 0, used, off, len;
	uint64_t total = a->data_len;
	int st = resp->status;

	if (fa->head_only || resp->content_length >= 0 || st < 200 ||
	    st == 204 || st == 304)
		return;
	for (;;) {
		switch (fcgi_decode(&d, in + at, n - at, &used, &off, &len)) {
		case FCGI_OUT:
			total += len;
			/* fall through */
		case FCGI_ERR:
			at += used;
			continue;
		case FCGI_END:
			resp->content_length = (off_t)total;
			return;
		default:
			return;
		}
	}
}

static enum app_head
fastcgi_head(struct app *a, const char *in, size_t len,
    struct http_response *resp)
{
	switch (gateway_head(in, len, resp)) {
	case GATEWAY_HEAD_DOCUMENT:
		fastcgi_length((struct fastcgi_app *)a, resp);
		return APP_HEAD_FINAL;
	case GATEWAY_HEAD_LOCAL:
		/* RFC 3875 §6.2.2: the connection answers the path itself,
		 * or, where it cannot, sends the 302 gateway_head() made. */
		fastcgi_length((struct fastcgi_app *)a, resp);
		return APP_HEAD_LOCAL;
	default:
		return APP_HEAD_BAD;
	}
}

static void
fastcgi_end(struct app *a, bool complete)
{
	struct fastcgi_app *fa = (struct fastcgi_app *)a;

	(void)complete;		/* no connection is kept: closed either way */
	fastcgi_log_line(fa);
	if (a->fd >= 0)
		close(a->fd);
	a->fd = -1;
	free(fa);
}

static const struct app_kind fastcgi_kind = {
	.name = "fastcgi",
	.frame = fastcgi_frame,
	.decode = fastcgi_decode,
	.head = fastcgi_head,
	.end = fastcgi_end,
	.retry = NULL,
};

/* gateway_vars()'s callback: one PARAMS pair. */
static int
fastcgi_param(void *arg, const char *name, size_t name_len,
    const char *value, size_t value_len)
{
	return fcgi_params_add(arg, name, name_len, value, value_len) ? 0 : -1;
}

/*
 * BEGIN_REQUEST and the PARAMS stream into a's output, FCGI_EMPTY_LEN
 * left free behind them (see the top); for a request without a body,
 * the empty STDIN record in that room, so that all of it goes to the
 * server in one write.  Returns 0, or the status to answer with.
 */
static int
fastcgi_prelude(struct fastcgi_app *fa, const struct handler_ctx *ctx,
    const struct http_request *req, const struct gateway_script *s)
{
	struct app *a = &fa->app;
	size_t cap = APP_HEAD_MAX + APP_OUT_WINDOW - FCGI_EMPTY_LEN, len, took;
	struct fcgi_params p;
	char *o = app_out(a, cap + FCGI_EMPTY_LEN);
	bool ended;

	if (o == NULL)
		return HTTP_STATUS_INTERNAL_ERROR;
	len = fcgi_begin_request(o, cap, FASTCGI_ID, false);
	fcgi_params_init(&p, o + len, cap - len, FASTCGI_ID);
	if (gateway_vars(ctx, req, s, ctx->tls, fastcgi_param, &p) < 0 &&
	    !p.failed)
		return HTTP_STATUS_INTERNAL_ERROR;
	if (fcgi_params_end(&p) == 0) {
		log_warn("fastcgi %s: %s: the request's variables take more "
		    "than %zu bytes", a->label, fa->tag, cap);
		return HTTP_STATUS_HEADER_TOO_LARGE;
	}
	len += p.len;
	if (req->framing == HTTP_FRAMING_NONE)
		len += fcgi_stdin(o + len, FCGI_EMPTY_LEN, FASTCGI_ID, NULL, 0,
		    true, &took, &ended);
	app_out_commit(a, len);
	return 0;
}

/* Sets up the exchange for script s; 0, or the status to answer with. */
static int
fastcgi_start(const struct handler_ctx *ctx, const struct http_request *req,
    const struct gateway_script *s, struct http_response *resp)
{
	const struct config *cfg = ctx->cfg;
	const struct backend *b = &ctx->scope->backends[0];
	struct fastcgi_app *fa;
	bool connecting;
	int fd, status;

	if ((fd = backend_connect(b, &connecting)) < 0) {
		log_error("fastcgi %s: cannot connect:", b->label);
		return HTTP_STATUS_BAD_GATEWAY;
	}
	if ((fa = calloc(1, sizeof(*fa))) == NULL ||
	    app_init(&fa->app, &fastcgi_kind, fd, connecting, b->label,
	    (int64_t)cfg->upstream_connect_timeout * 1000,
	    (int64_t)cfg->upstream_timeout * 1000) < 0) {
		log_error("fastcgi %s: no memory for a request", b->label);
		free(fa);
		close(fd);
		return HTTP_STATUS_INTERNAL_ERROR;
	}
	/* No body: the prelude ends stdin (body_always stays false). */
	fa->head_only = req->method == HTTP_METHOD_HEAD;
	fcgi_decoder_init(&fa->dec, FASTCGI_ID);
	/* The name is the client's (decoded): escaped for the log. */
	log_escape(fa->tag, sizeof(fa->tag), s->name, s->name_len);
	if ((status = fastcgi_prelude(fa, ctx, req, s)) != 0) {
		app_end(&fa->app, false);
		return status;
	}
	resp->app = &fa->app;
	return 0;
}

int
fastcgi_handle(const struct handler_ctx *ctx, const struct http_request *req,
    struct http_response *resp)
{
	struct gateway_script s;
	int status;

	/* The script must be there before the server hears of it: php-fpm
	 * would otherwise look for one along the path itself (its
	 * PATH_INFO attacks, CVE-2019-11043). */
	if ((status = gateway_script(ctx, &s)) == 0) {
		/* php-fpm reads as many bytes of stdin as CONTENT_LENGTH
		 * says, none without it, and a chunked body has no length
		 * until all of it has come; it is passed on as it arrives,
		 * never stored, so there is none to give.  RFC 9110
		 * §15.5.12: 411, the server refuses a request without a
		 * defined Content-Length. */
		if (req->framing == HTTP_FRAMING_CHUNKED)
			status = HTTP_STATUS_LENGTH_REQUIRED;
		else if ((status = fastcgi_start(ctx, req, &s, resp)) == 0)
			return 0;
	}
	http_response_error(resp, status);
	return resp->status;
}
