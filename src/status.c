/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * status.c - the status page; see status.h.
 *
 * The page is written into one buffer allocated by status_init() and
 * reused by every request.  Its size is a bound, not a guess: the summary
 * takes at most STATUS_HEAD_MAX bytes, and each worker's row at most
 * STATUS_ROW_MAX, because every variable part of a row has a fixed
 * maximum: the request line and the client address are at most
 * SCOREBOARD_LINE_MAX - 1 and SCOREBOARD_CLIENT_MAX - 1 bytes (the
 * scoreboard's arrays), the state's name is cut at STATUS_NAME_MAX, one
 * byte escapes to at most STATUS_ESC_MAX bytes, and the seven numbers
 * print in at most 20 digits each.  So STATUS_HEAD_MAX + nslots *
 * STATUS_ROW_MAX holds the page for any nslots-slot scoreboard in any
 * state (about 2.4 KiB a slot: some 620 KiB for the default 256
 * workers, 10 MiB virtual for the maximum of 4096, of which only what a
 * page uses is ever touched).  The writer still checks every byte
 * against the end, and a page that does not fit is a 500, never an
 * overflow.
 *
 * The scoreboard is written by other processes while we read it.  Each
 * slot is copied once and its strings terminated in the copy, so a row
 * is printed from one consistent-enough snapshot and a string being
 * rewritten cannot make us read past its array.  The totals and counts
 * come from their own pass over the slots and may disagree with the rows
 * by a request or two: the page is a report.
 *
 * Escaping.  The request line is whatever the client sent, so every
 * string is escaped for its format:
 * - HTML: & < > " ' as entities; a byte that is not printable ASCII
 *   (controls, DEL, anything >= 0x80) as the text \xHH, and a backslash
 *   as \\ so the form reads back unambiguously (as Apache's log escaping
 *   does).  The page is then plain ASCII, valid as utf-8 whatever the
 *   line held.
 * - JSON (RFC 8259 §7): " and \ escaped with a backslash; every byte
 *   outside printable ASCII as \u00XX, the code point being the byte's
 *   value (a lossless, Latin-1 reading; RFC 8259 §8.1 requires the text
 *   to be UTF-8, which raw bytes of a line cut anywhere may not be).
 *   < > & become \u003c \u003e \u0026 as well, as Go's encoding/json
 *   does, so that the JSON stays inert if someone pastes it into a page.
 *
 * Caching: the response carries no validators and no Last-Modified, so
 * no cache has anything to revalidate with and nothing from which to
 * compute a heuristic freshness (RFC 9111 §4.2.2).
 */
#include "autoconf.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl.h"
#include "http_response.h"
#include "page.h"
#include "status.h"

/* The longest escape of one byte: "&quot;" and "\u00XX" are 6. */
#define STATUS_ESC_MAX 6

/* The longest state name we print (the scoreboard's are ~10 bytes). */
#define STATUS_NAME_MAX 32

/*
 * A row's fixed part: its markup (under 250 bytes in either format),
 * seven numbers of at most 20 characters (slot, pid, generation,
 * requests, bytes, idle connections, seconds) and the escaped state
 * name.
 */
#define STATUS_ROW_FIXED (256 + 7 * 20 + STATUS_ESC_MAX * STATUS_NAME_MAX)

#define STATUS_ROW_MAX (STATUS_ROW_FIXED + STATUS_ESC_MAX *		\
	(SCOREBOARD_LINE_MAX - 1 + SCOREBOARD_CLIENT_MAX - 1))

/*
 * Everything but the rows: the summary (eight values and a count per
 * state, under 2 KiB in either format) and the page's start and end.
 */
#define STATUS_HEAD_MAX 4096

#define STATUS_TYPE_HTML "text/html; charset=utf-8"
#define STATUS_TYPE_JSON "application/json"

/* The page being written; full once something did not fit. */
static char *status_buf;
static size_t status_cap;

int
status_init(size_t nslots)
{
	size_t cap;
	char *p;

	if (nslots > (SIZE_MAX - STATUS_HEAD_MAX) / STATUS_ROW_MAX) {
		errno = ENOMEM;
		return -1;
	}
	cap = STATUS_HEAD_MAX + nslots * STATUS_ROW_MAX;
	if (status_buf != NULL && cap <= status_cap)
		return 0;
	if ((p = malloc(cap)) == NULL)
		return -1;
	free(status_buf);
	status_buf = p;
	status_cap = cap;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Who may see the page. */

/*
 * Each entry is parsed again on every request (a few inet_pton()s, no
 * memory), by acl.c as a route's allow list is; the parsed list will move
 * into the configuration snapshot.  An entry acl_net_parse() refuses
 * cannot be there (config.c checks each with config_valid_network()) and
 * matches nobody.
 */
bool
status_allowed(const struct config *cfg, const struct sockaddr_storage *peer)
{
	return cfg->status_acl != NULL && acl_permits(cfg->status_acl, peer);
}

/* ------------------------------------------------------------------ */
/* Writing the page. */

static bool
status_is_print(unsigned char c)
{
	return c >= 0x20 && c < 0x7f;
}

/* Appends s (up to max bytes or its NUL) escaped as HTML text. */
static void
status_put_html(struct page *o, const char *s, size_t max)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < max && s[i] != '\0' && !o->full; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[STATUS_ESC_MAX];

		switch (c) {
		case '&':
			page_put(o, "&amp;", 5);
			break;
		case '<':
			page_put(o, "&lt;", 4);
			break;
		case '>':
			page_put(o, "&gt;", 4);
			break;
		case '"':
			page_put(o, "&quot;", 6);
			break;
		case '\'':
			page_put(o, "&#39;", 5);
			break;
		case '\\':
			page_put(o, "\\\\", 2);
			break;
		default:
			if (status_is_print(c)) {
				page_put(o, (const char *)&c, 1);
				break;
			}
			esc[0] = '\\';
			esc[1] = 'x';
			esc[2] = hex[c >> 4];
			esc[3] = hex[c & 0x0f];
			page_put(o, esc, 4);
			break;
		}
	}
}

/* Appends s (up to max bytes or its NUL) as a JSON string, quotes too. */
static void
status_put_json(struct page *o, const char *s, size_t max)
{
	static const char hex[] = "0123456789abcdef";

	page_put(o, "\"", 1);
	for (size_t i = 0; i < max && s[i] != '\0' && !o->full; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[STATUS_ESC_MAX];

		/*
		 * RFC 8259 §7: quotation mark, reverse solidus and the
		 * control characters (U+0000 to U+001F) MUST be escaped.
		 */
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			page_put(o, esc, 2);
		} else if (status_is_print(c) && c != '<' && c != '>' &&
		    c != '&') {
			page_put(o, (const char *)&c, 1);
		} else {
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 0x0f];
			page_put(o, esc, 6);
		}
	}
	page_put(o, "\"", 1);
}

/*
 * Seconds from then to now; 0 when the clock was stepped back (or then is
 * not a time at all), and never an overflow, whatever a torn read gives.
 */
static int64_t
status_elapsed(time_t now, time_t then)
{
	return then >= 0 && now > then ? (int64_t)(now - then) : 0;
}

/* A state's name, never NULL. */
static const char *
status_state_name(int st)
{
	const char *name = scoreboard_state_name(st);

	return name != NULL ? name : "?";
}

/* The summary, read once so both formats print the same numbers. */
struct status_summary {
	time_t started;
	int64_t uptime;			/* seconds, >= 0 */
	unsigned generation;
	uint64_t reloads;
	uint64_t requests;
	uint64_t bytes;
	uint64_t rate_int;		/* requests per second, */
	unsigned rate_cents;		/* to two decimals, rounded down */
	uint64_t idle_conns;		/* held by live workers */
	size_t count[SCOREBOARD_STATE_COUNT];
	uint64_t tls[4];		/* SCOREBOARD_TLS_* */
};

/* The HTTPS counters, from the metrics rows (static: some 9 KiB). */
static void
status_tls(const struct scoreboard *sb, struct status_summary *sum)
{
	static struct scoreboard_counts c;

	memset(&c, 0, sizeof(c));
	scoreboard_sum_counts(sb, &c);
	memcpy(sum->tls, c.tls, sizeof(sum->tls));
}

static void
status_summarize(const struct scoreboard *sb, time_t now,
    struct status_summary *sum)
{
	uint64_t up;

	sum->started = sb->started;
	sum->uptime = status_elapsed(now, sb->started);
	sum->generation = sb->generation;
	sum->reloads = sb->reloads;
	sum->requests = scoreboard_total_requests(sb);
	sum->bytes = scoreboard_total_bytes(sb);
	/* In the first second the requests so far are that second's. */
	up = sum->uptime > 0 ? (uint64_t)sum->uptime : 1;
	sum->rate_int = sum->requests / up;
	sum->rate_cents = (unsigned)(sum->requests % up * 100 / up);
	sum->idle_conns = scoreboard_total_idle_conns(sb);
	status_tls(sb, sum);
	for (int st = 0; st < SCOREBOARD_STATE_COUNT; st++)
		sum->count[st] = scoreboard_count(sb,
		    (enum scoreboard_state)st);
}

/*
 * Copies slot i so that a row is printed from one snapshot; false if the
 * slot is empty.  *secs is how long its request has run, -1 for none.
 */
static bool
status_snapshot(const struct scoreboard *sb, size_t i, time_t now,
    struct scoreboard_slot *s, int64_t *secs)
{
	memcpy(s, &sb->slot[i], sizeof(*s));
	if (s->state == SCOREBOARD_EMPTY)
		return false;
	s->request[sizeof(s->request) - 1] = '\0';
	s->client[sizeof(s->client) - 1] = '\0';
	*secs = s->request_start_ms == 0 ? -1 :
	    status_elapsed(now, s->request_start);
	return true;
}

static void
status_html(struct page *o, const struct scoreboard *sb, time_t now,
    const struct status_summary *sum)
{
	int64_t up = sum->uptime;

	page_printf(o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>"
	    "<meta charset=\"utf-8\"><title>");
	status_put_html(o, PACKAGE_STRING, sizeof(PACKAGE_STRING));
	page_printf(o, " status</title>\n<style>table{border-collapse:"
	    "collapse}th,td{padding:2px 8px;text-align:left}"
	    "td.n{text-align:right}</style>\n</head>\n<body>\n<h1>");
	status_put_html(o, PACKAGE_STRING, sizeof(PACKAGE_STRING));
	page_printf(o, " status</h1>\n<table>\n");
	page_printf(o, "<tr><th>Uptime</th><td>%" PRId64 " d %02d:%02d:%02d "
	    "(%" PRId64 " s)</td></tr>\n", up / 86400,
	    (int)(up % 86400 / 3600), (int)(up % 3600 / 60), (int)(up % 60),
	    up);
	page_printf(o, "<tr><th>Generation</th><td>%u</td></tr>\n"
	    "<tr><th>Reloads</th><td>%" PRIu64 "</td></tr>\n"
	    "<tr><th>Requests</th><td>%" PRIu64 "</td></tr>\n"
	    "<tr><th>Bytes</th><td>%" PRIu64 "</td></tr>\n"
	    "<tr><th>Requests per second</th><td>%" PRIu64 ".%02u</td></tr>\n"
	    "<tr><th>Connections waiting for a request</th><td>%" PRIu64
	    "</td></tr>\n", sum->generation, sum->reloads,
	    sum->requests, sum->bytes, sum->rate_int, sum->rate_cents,
	    sum->idle_conns);
	page_printf(o, "<tr><th>TLS handshakes (resumed, failed)</th><td>%"
	    PRIu64 " (%" PRIu64 ", %" PRIu64 ")</td></tr>\n"
	    "<tr><th>Plain HTTP to a TLS port</th><td>%" PRIu64
	    "</td></tr>\n</table>\n", sum->tls[SCOREBOARD_TLS_HANDSHAKES],
	    sum->tls[SCOREBOARD_TLS_RESUMED], sum->tls[SCOREBOARD_TLS_FAILED],
	    sum->tls[SCOREBOARD_TLS_PLAIN]);

	page_printf(o, "<h2>Workers by state</h2>\n<table>\n");
	for (int st = 0; st < SCOREBOARD_STATE_COUNT; st++) {
		page_printf(o, "<tr><th>");
		status_put_html(o, status_state_name(st), STATUS_NAME_MAX);
		page_printf(o, "</th><td class=\"n\">%zu</td></tr>\n",
		    sum->count[st]);
	}
	page_printf(o, "</table>\n<h2>Workers</h2>\n<table>\n<tr><th>Slot</th>"
	    "<th>PID</th><th>Generation</th><th>State</th><th>Requests</th>"
	    "<th>Bytes</th><th>Idle conns</th><th>Request</th><th>Client</th>"
	    "<th>For (s)</th></tr>\n");
	for (size_t i = 0; i < sb->nslots && !o->full; i++) {
		struct scoreboard_slot s;
		int64_t secs;
		char fors[24] = "";

		if (!status_snapshot(sb, i, now, &s, &secs))
			continue;
		if (secs >= 0)
			snprintf(fors, sizeof(fors), "%" PRId64, secs);
		page_printf(o, "<tr class=\"slot\"><td class=\"n\">%zu</td>"
		    "<td class=\"n\">%ld</td><td class=\"n\">%u</td><td>", i,
		    (long)s.pid, s.generation);
		status_put_html(o, status_state_name(s.state),
		    STATUS_NAME_MAX);
		page_printf(o, "</td><td class=\"n\">%" PRIu64 "</td>"
		    "<td class=\"n\">%" PRIu64 "</td><td class=\"n\">%" PRIu32
		    "</td><td class=\"req\">", s.requests, s.bytes,
		    s.idle_conns);
		status_put_html(o, s.request, sizeof(s.request));
		page_printf(o, "</td><td class=\"client\">");
		status_put_html(o, s.client, sizeof(s.client));
		page_printf(o, "</td><td class=\"n\">%s</td></tr>\n", fors);
	}
	page_printf(o, "</table>\n</body>\n</html>\n");
}

static void
status_json(struct page *o, const struct scoreboard *sb, time_t now,
    const struct status_summary *sum)
{
	bool first = true;

	page_printf(o, "{\n\"server\": ");
	status_put_json(o, PACKAGE_STRING, sizeof(PACKAGE_STRING));
	page_printf(o, ",\n\"time\": %lld,\n\"started\": %lld,\n"
	    "\"uptime\": %" PRId64 ",\n\"generation\": %u,\n"
	    "\"reloads\": %" PRIu64 ",\n\"requests\": %" PRIu64 ",\n"
	    "\"bytes\": %" PRIu64 ",\n"
	    "\"requests_per_second\": %" PRIu64 ".%02u,\n"
	    "\"idle_connections\": %" PRIu64 ",\n",
	    (long long)now, (long long)sum->started, sum->uptime,
	    sum->generation, sum->reloads, sum->requests, sum->bytes,
	    sum->rate_int, sum->rate_cents, sum->idle_conns);
	page_printf(o, "\"tls\": {\"handshakes\": %" PRIu64 ", \"resumed\": "
	    "%" PRIu64 ", \"failed\": %" PRIu64 ", \"plain_requests\": %"
	    PRIu64 "},\n\"states\": {", sum->tls[SCOREBOARD_TLS_HANDSHAKES],
	    sum->tls[SCOREBOARD_TLS_RESUMED], sum->tls[SCOREBOARD_TLS_FAILED],
	    sum->tls[SCOREBOARD_TLS_PLAIN]);
	for (int st = 0; st < SCOREBOARD_STATE_COUNT; st++) {
		page_printf(o, "%s", st > 0 ? ", " : "");
		status_put_json(o, status_state_name(st), STATUS_NAME_MAX);
		page_printf(o, ": %zu", sum->count[st]);
	}
	page_printf(o, "},\n\"workers\": [");
	for (size_t i = 0; i < sb->nslots && !o->full; i++) {
		struct scoreboard_slot s;
		int64_t secs;
		char fors[24] = "null";

		if (!status_snapshot(sb, i, now, &s, &secs))
			continue;
		if (secs >= 0)
			snprintf(fors, sizeof(fors), "%" PRId64, secs);
		page_printf(o, "%s\n{\"slot\": %zu, \"pid\": %ld, "
		    "\"generation\": %u, \"state\": ", first ? "" : ",", i,
		    (long)s.pid, s.generation);
		first = false;
		status_put_json(o, status_state_name(s.state),
		    STATUS_NAME_MAX);
		page_printf(o, ", \"requests\": %" PRIu64 ", \"bytes\": %"
		    PRIu64 ", \"idle_connections\": %" PRIu32
		    ", \"request\": ", s.requests, s.bytes, s.idle_conns);
		status_put_json(o, s.request, sizeof(s.request));
		page_printf(o, ", \"client\": ");
		status_put_json(o, s.client, sizeof(s.client));
		page_printf(o, ", \"seconds\": %s}", fors);
	}
	page_printf(o, "\n]\n}\n");
}

int
status_page(const struct scoreboard *sb, bool json, time_t now,
    struct http_response *resp)
{
	struct page o = { status_buf, 0, status_cap, false };
	struct status_summary sum;

	if (status_buf == NULL || sb == NULL) {
		http_response_error(resp, HTTP_STATUS_INTERNAL_ERROR);
		return resp->status;
	}
	status_summarize(sb, now, &sum);
	if (json)
		status_json(&o, sb, now, &sum);
	else
		status_html(&o, sb, now, &sum);
	if (o.full) {
		http_response_error(resp, HTTP_STATUS_INTERNAL_ERROR);
		return resp->status;
	}
	resp->status = HTTP_STATUS_OK;
	resp->content_type = json ? STATUS_TYPE_JSON : STATUS_TYPE_HTML;
	/* A snapshot of now: no cache may keep it (RFC 9111 §5.2.2.5). */
	resp->cache_control = "no-store";
	resp->body = HTTP_BODY_MEM;
	resp->mem = status_buf;
	resp->mem_len = o.len;
	resp->content_length = (off_t)o.len;
	resp->last_modified = 0;
	resp->etag_len = 0;
	resp->accept_ranges = false;
	resp->content_range = false;
	resp->range_unsatisfied = false;
	resp->location_len = 0;
	return resp->status;
}

/* "?json", or "?json&..." (the first parameter, without a value). */
static bool
status_wants_json(const struct http_request *req)
{
	const struct http_slice *q = &req->query;

	return q->len >= 4 && memcmp(q->p, "json", 4) == 0 &&
	    (q->len == 4 || q->p[4] == '&');
}

/*
 * The peer is checked before the method, so a client that may not see
 * the page learns nothing more from a POST than from a GET.
 */
int
status_handle(const struct handler_ctx *ctx, const struct http_request *req,
    struct http_response *resp)
{
	int status;

	/* A status-page route with allow or deny of its own has had them
	 * applied (router.c); otherwise status-allow decides. */
	bool routed = ctx->scope != NULL &&
	    ctx->scope->handler == CONFIG_HANDLER_STATUS &&
	    ctx->scope->acl != NULL;

	if (!routed && !status_allowed(ctx->cfg, ctx->peer)) {
		http_response_error(resp, HTTP_STATUS_FORBIDDEN);
		return resp->status;
	}
	if (req->method != HTTP_METHOD_GET && req->method != HTTP_METHOD_HEAD) {
		/* RFC 9110 §15.5.6: a 405 MUST carry Allow. */
		resp->allow = STATUS_ALLOW;
		http_response_error(resp, HTTP_STATUS_METHOD_NOT_ALLOWED);
		return resp->status;
	}
	status = status_page(ctx->sb, status_wants_json(req), time(NULL),
	    resp);
	if (status != HTTP_STATUS_OK)
		http_response_error(resp, status);
	return resp->status;
}
