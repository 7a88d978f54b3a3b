/* SPDX-License-Identifier: BSD-2-Clause */
#include "autoconf.h"
/*
 * metrics.c - the metrics page; see metrics.h.
 *
 * The format (Prometheus text exposition format 0.0.4): for each metric
 * a "# HELP name text" and a "# TYPE name type" line, then one line per
 * series, "name{label=\"value\",...} number".  Label values are escaped
 * as the format says: a backslash as \\, a double quote as \", a line
 * feed as \n.  Only the server's name comes from the configuration; the
 * other label values are ours.  HELP texts are ours and hold none of
 * those characters.
 *
 * Counters only grow: a worker's counters live in its scoreboard slot,
 * and when the master clears the slot of a worker gone it adds them to
 * the scoreboard's retired part first (scoreboard_clear()), so neither
 * a reload nor a crash takes anything away.  The one exception is the
 * instant of that clearing, when a page read in between may miss the
 * worker's share (never count it twice): a scrape then sees a drop,
 * which Prometheus takes for a counter reset.
 *
 * Servers are counted by their position in the conf file (the
 * scoreboard holds no names): the first SCOREBOARD_SERVERS apart, the
 * rest as server="other".  A reload that reorders the servers therefore
 * moves the counts already made to other names.
 *
 * Size: the page has a fixed part (METRICS_FIXED: the HELP and TYPE
 * lines, the histogram, the states, each number at most 20 digits), and
 * per server counted METRICS_SERVER_SERIES series of at most
 * METRICS_SERIES_MAX bytes plus its escaped name (twice its length at
 * most).  metrics_size() adds that up for the configuration the worker
 * runs; the writer checks every byte anyway, and a page that does not
 * fit is a 500.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl.h"
#include "http_response.h"
#include "metrics.h"
#include "page.h"

#define METRICS_FIXED 8192
/* requests_total: 4 method classes x 5 status classes; bytes_total. */
#define METRICS_SERVER_SERIES \
	(SCOREBOARD_METHOD_CLASSES * SCOREBOARD_STATUS_CLASSES + 1)
/* A series but for its server name: name, other labels, a number. */
#define METRICS_SERIES_MAX 128

/* What servers without sections and beyond the cap are called. */
#define METRICS_SERVER_TOP "*"
#define METRICS_SERVER_OTHER "other"

static char *metrics_buf;
static size_t metrics_cap;

static const char *const metrics_methods[SCOREBOARD_METHOD_CLASSES] = {
	"GET", "HEAD", "POST", "other"
};

/* How many servers get a row of their own (the rest: "other"). */
static size_t
metrics_nservers(const struct config *cfg)
{
	return cfg->nservers < SCOREBOARD_SERVERS ? cfg->nservers :
	    SCOREBOARD_SERVERS;
}

static const char *
metrics_server_name(const struct config *cfg, size_t i)
{
	if (i >= metrics_nservers(cfg))
		return METRICS_SERVER_OTHER;
	return cfg->servers[i].name != NULL ? cfg->servers[i].name :
	    METRICS_SERVER_TOP;
}

size_t
metrics_size(const struct config *cfg)
{
	size_t n = METRICS_FIXED;

	/* One more for "other". */
	for (size_t i = 0; i <= metrics_nservers(cfg); i++)
		n += METRICS_SERVER_SERIES * (METRICS_SERIES_MAX +
		    2 * strlen(metrics_server_name(cfg, i)));
	return n;
}

int
metrics_init(const struct config *cfg)
{
	size_t cap = metrics_size(cfg);
	char *p;

	if (metrics_buf != NULL && cap <= metrics_cap)
		return 0;
	if ((p = malloc(cap)) == NULL)
		return -1;
	free(metrics_buf);
	metrics_buf = p;
	metrics_cap = cap;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Writing the page. */

/* A label value, escaped: \ as \\, " as \", a line feed as \n. */
static void
metrics_put_label(struct page *o, const char *s)
{
	for (; *s != '\0' && !o->full; s++) {
		if (*s == '\\' || *s == '"') {
			page_put(o, "\\", 1);
			page_put(o, s, 1);
		} else if (*s == '\n') {
			page_put(o, "\\n", 2);
		} else {
			page_put(o, s, 1);
		}
	}
}

/* The HELP and TYPE lines of a metric. */
static void
metrics_head(struct page *o, const char *name, const char *type,
    const char *help)
{
	page_printf(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Microseconds as seconds, to the microsecond, without trailing zeros
 * ("0.005", "1", "0.473362"). */
static void
metrics_put_seconds(struct page *o, uint64_t us)
{
	char frac[8];
	int n;

	page_printf(o, "%" PRIu64, us / 1000000);
	if (us % 1000000 == 0)
		return;
	snprintf(frac, sizeof(frac), "%06" PRIu64, us % 1000000);
	for (n = 6; frac[n - 1] == '0'; n--)
		;
	page_printf(o, ".%.*s", n, frac);
}

/*
 * Rows of servers a reload took away (beyond this configuration's
 * servers, below the cap) go to "other", so that no count disappears
 * and no two series share a name.
 */
static void
metrics_fold(const struct config *cfg, struct scoreboard_counts *c)
{
	for (size_t i = metrics_nservers(cfg); i < SCOREBOARD_SERVERS; i++) {
		for (size_t m = 0; m < SCOREBOARD_METHOD_CLASSES; m++)
			for (size_t k = 0; k < SCOREBOARD_STATUS_CLASSES; k++) {
				c->requests[SCOREBOARD_SERVERS][m][k] +=
				    c->requests[i][m][k];
				c->requests[i][m][k] = 0;
			}
		c->bytes[SCOREBOARD_SERVERS] += c->bytes[i];
		c->bytes[i] = 0;
	}
}

/* Whether row i is printed: a server's always; "other" when there are
 * servers beyond the cap, or it has counted something. */
static bool
metrics_row_shown(const struct config *cfg, const struct scoreboard_counts
    *c, size_t i)
{
	if (i < metrics_nservers(cfg) || cfg->nservers > SCOREBOARD_SERVERS)
		return true;
	if (i < SCOREBOARD_SERVERS)
		return false;
	if (c->bytes[i] != 0)
		return true;
	for (size_t m = 0; m < SCOREBOARD_METHOD_CLASSES; m++)
		for (size_t k = 0; k < SCOREBOARD_STATUS_CLASSES; k++)
			if (c->requests[i][m][k] != 0)
				return true;
	return false;
}

static void
metrics_requests(struct page *o, const struct config *cfg,
    const struct scoreboard_counts *c)
{
	metrics_head(o, "forkhttpd_requests_total", "counter",
	    "Responses by server, method class and status class.");
	for (size_t i = 0; i <= SCOREBOARD_SERVERS; i++) {
		if (!metrics_row_shown(cfg, c, i))
			continue;
		for (size_t m = 0; m < SCOREBOARD_METHOD_CLASSES; m++)
			for (size_t k = 0; k < SCOREBOARD_STATUS_CLASSES; k++) {
				page_printf(o, "forkhttpd_requests_total"
				    "{server=\"");
				metrics_put_label(o,
				    metrics_server_name(cfg, i));
				page_printf(o, "\",method=\"%s\","
				    "code=\"%zuxx\"} %" PRIu64 "\n",
				    metrics_methods[m], k + 1,
				    c->requests[i][m][k]);
			}
	}
	metrics_head(o, "forkhttpd_response_bytes_total", "counter",
	    "Bytes of response body sent, by server.");
	for (size_t i = 0; i <= SCOREBOARD_SERVERS; i++) {
		if (!metrics_row_shown(cfg, c, i))
			continue;
		page_printf(o, "forkhttpd_response_bytes_total{server=\"");
		metrics_put_label(o, metrics_server_name(cfg, i));
		page_printf(o, "\"} %" PRIu64 "\n", c->bytes[i]);
	}
}

static void
metrics_duration(struct page *o, const struct scoreboard_counts *c)
{
	static const char name[] = "forkhttpd_request_duration_seconds";
	uint64_t n = 0;

	metrics_head(o, name, "histogram", "Time from a request's header "
	    "to the end of its response.");
	for (size_t b = 0; b < SCOREBOARD_DURATION_BUCKETS; b++) {
		n += c->duration[b];
		page_printf(o, "%s_bucket{le=\"", name);
		if (b < SCOREBOARD_DURATION_BUCKETS - 1)
			metrics_put_seconds(o, scoreboard_duration_bound_us[b]);
		else
			page_printf(o, "+Inf");
		page_printf(o, "\"} %" PRIu64 "\n", n);
	}
	page_printf(o, "%s_sum ", name);
	metrics_put_seconds(o, c->duration_us);
	/* The +Inf bucket's, from the same copy: they must agree. */
	page_printf(o, "\n%s_count %" PRIu64 "\n", name, n);
}

static void
metrics_processes(struct page *o, const struct scoreboard *sb)
{
	uint64_t open = scoreboard_total_open_conns(sb);
	uint64_t idle = scoreboard_total_idle_conns(sb);

	metrics_head(o, "forkhttpd_connections", "gauge", "Open client "
	    "connections: active (a request under way) or idle (waiting "
	    "for one).");
	page_printf(o, "forkhttpd_connections{state=\"active\"} %" PRIu64
	    "\nforkhttpd_connections{state=\"idle\"} %" PRIu64 "\n",
	    open > idle ? open - idle : 0, idle);
	metrics_head(o, "forkhttpd_workers", "gauge", "Workers by state.");
	for (int st = SCOREBOARD_EMPTY + 1; st < SCOREBOARD_STATE_COUNT; st++)
		page_printf(o, "forkhttpd_workers{state=\"%s\"} %zu\n",
		    scoreboard_state_name(st),
		    scoreboard_count(sb, (enum scoreboard_state)st));
	metrics_head(o, "forkhttpd_worker_starts_total", "counter",
	    "Workers started.");
	page_printf(o, "forkhttpd_worker_starts_total %" PRIu64 "\n",
	    sb->worker_starts);
	metrics_head(o, "forkhttpd_worker_exits_total", "counter",
	    "Workers that ended, crashes included.");
	page_printf(o, "forkhttpd_worker_exits_total %" PRIu64 "\n",
	    sb->worker_exits);
	metrics_head(o, "forkhttpd_worker_crashes_total", "counter",
	    "Workers killed by a signal the master did not send, or that "
	    "exited with an error.");
	page_printf(o, "forkhttpd_worker_crashes_total %" PRIu64 "\n",
	    sb->worker_crashes);
}

static void
metrics_server(struct page *o, const struct scoreboard *sb,
    time_t now)
{
	metrics_head(o, "forkhttpd_reloads_total", "counter",
	    "Reloads of the configuration, by outcome.");
	page_printf(o, "forkhttpd_reloads_total{outcome=\"ok\"} %" PRIu64
	    "\nforkhttpd_reloads_total{outcome=\"failed\"} %" PRIu64 "\n",
	    sb->reloads, sb->reloads_failed);
	metrics_head(o, "forkhttpd_generation", "gauge",
	    "The configuration's generation now serving (1 at start).");
	page_printf(o, "forkhttpd_generation %u\n", sb->generation);
	metrics_head(o, "forkhttpd_start_time_seconds", "gauge",
	    "When the master started, in seconds since the Epoch.");
	page_printf(o, "forkhttpd_start_time_seconds %lld\n",
	    (long long)sb->started);
	metrics_head(o, "forkhttpd_uptime_seconds", "gauge",
	    "Seconds since the master started.");
	page_printf(o, "forkhttpd_uptime_seconds %lld\n",
	    now > sb->started ? (long long)(now - sb->started) : 0LL);
	metrics_head(o, "forkhttpd_build_info", "gauge",
	    "Always 1; the version as a label.");
	page_printf(o, "forkhttpd_build_info{version=\"");
	metrics_put_label(o, PACKAGE_VERSION);
	page_printf(o, "\"} 1\n");
}

static void
metrics_tls(struct page *o, const struct scoreboard_counts *c)
{
	metrics_head(o, "forkhttpd_tls_handshakes_total", "counter",
	    "TLS handshakes, by outcome (resumed ones also count as done).");
	page_printf(o, "forkhttpd_tls_handshakes_total{outcome=\"done\"} %"
	    PRIu64 "\nforkhttpd_tls_handshakes_total{outcome=\"resumed\"} %"
	    PRIu64 "\nforkhttpd_tls_handshakes_total{outcome=\"failed\"} %"
	    PRIu64 "\n", c->tls[SCOREBOARD_TLS_HANDSHAKES],
	    c->tls[SCOREBOARD_TLS_RESUMED], c->tls[SCOREBOARD_TLS_FAILED]);
	metrics_head(o, "forkhttpd_tls_plain_requests_total", "counter",
	    "Plain HTTP requests sent to a TLS port (answered 400).");
	page_printf(o, "forkhttpd_tls_plain_requests_total %" PRIu64 "\n",
	    c->tls[SCOREBOARD_TLS_PLAIN]);
}

int
metrics_render(const struct scoreboard *sb, const struct config *cfg,
    time_t now, char *buf, size_t cap, size_t *len)
{
	struct page o = { buf, 0, cap, cap == 0 };
	/* Static: some 9 KiB, too much for a worker's stack to spare. */
	static struct scoreboard_counts c;

	memset(&c, 0, sizeof(c));
	scoreboard_sum_counts(sb, &c);
	metrics_fold(cfg, &c);
	metrics_requests(&o, cfg, &c);
	metrics_duration(&o, &c);
	metrics_processes(&o, sb);
	metrics_server(&o, sb, now);
	metrics_tls(&o, &c);
	*len = o.len;
	return o.full ? -1 : 0;
}

/*
 * The peer is checked before the method, so a client that may not see
 * the page learns nothing more from a POST than from a GET.
 */
int
metrics_handle(const struct handler_ctx *ctx, const struct http_request *req,
    struct http_response *resp)
{
	size_t len;

	/* A route with allow or deny of its own has had them applied
	 * (router.c); otherwise loopback only. */
	if ((ctx->scope == NULL || ctx->scope->acl == NULL) &&
	    (ctx->cfg->metrics_acl == NULL ||
	    !acl_permits(ctx->cfg->metrics_acl, ctx->peer))) {
		http_response_error(resp, HTTP_STATUS_FORBIDDEN);
		return resp->status;
	}
	if (req->method != HTTP_METHOD_GET && req->method != HTTP_METHOD_HEAD) {
		/* RFC 9110 §15.5.6: a 405 MUST carry Allow. */
		resp->allow = METRICS_ALLOW;
		http_response_error(resp, HTTP_STATUS_METHOD_NOT_ALLOWED);
		return resp->status;
	}
	if (metrics_buf == NULL || ctx->sb == NULL ||
	    metrics_render(ctx->sb, ctx->cfg, time(NULL), metrics_buf,
	    metrics_cap, &len) < 0) {
		http_response_error(resp, HTTP_STATUS_INTERNAL_ERROR);
		return resp->status;
	}
	resp->status = HTTP_STATUS_OK;
	resp->content_type = METRICS_CONTENT_TYPE;
	/* A snapshot of now: no cache may keep it (RFC 9111 §5.2.2.5). */
	resp->cache_control = "no-store";
	resp->body = HTTP_BODY_MEM;
	resp->mem = metrics_buf;
	resp->mem_len = len;
	resp->content_length = (off_t)len;
	resp->last_modified = 0;
	resp->etag_len = 0;
	resp->accept_ranges = false;
	resp->content_range = false;
	resp->range_unsatisfied = false;
	resp->location_len = 0;
	return resp->status;
}
