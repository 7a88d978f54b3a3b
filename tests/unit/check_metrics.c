/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_metrics.c - metrics.c and the scoreboard's metrics counters: the
 * page's syntax line by line (every sample a name, labels and a number;
 * a HELP and a TYPE line before each metric's first sample, never
 * twice), the numbers of a real scoreboard (method and status classes,
 * the duration buckets and their bounds, bytes), a server name's
 * escaping (\\, \", \n), servers beyond the cap as "other", counters
 * folded into the retired part when a slot is cleared and never going
 * down across clear and restart, the buffer's bound with the longest
 * names and the largest numbers, and the handler (403 off loopback
 * without allow/deny, 405 with Allow, the Content-Type).
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <inttypes.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "config.h"
#include "http.h"
#include "metrics.h"
#include "scoreboard.h"

#include "../lib/unit.h"

#define ROWS(a) ((int)(sizeof(a) / sizeof((a)[0])))

static char page[1 << 20];
static size_t page_len;

/* A configuration of n servers with these names, as metrics.c reads it
 * (only nservers and the names). */
static struct config fake_cfg;
static struct config_server fake_servers[64];

static const struct config *
fake(size_t n, const char *const *names)
{
	memset(&fake_cfg, 0, sizeof(fake_cfg));
	memset(fake_servers, 0, sizeof(fake_servers));
	ck_assert_uint_le(n, ROWS(fake_servers));
	for (size_t i = 0; i < n; i++)
		fake_servers[i].name = names != NULL ? names[i] : NULL;
	fake_cfg.servers = fake_servers;
	fake_cfg.nservers = n;
	return &fake_cfg;
}

static void
render(const struct scoreboard *sb, const struct config *cfg)
{
	ck_assert_int_eq(metrics_render(sb, cfg, sb->started + 7, page,
	    sizeof(page), &page_len), 0);
	ck_assert_uint_lt(page_len, sizeof(page));
	page[page_len] = '\0';
}

/* The value of the sample whose name and labels are exactly series;
 * fails if it is not on the page exactly once. */
static uint64_t
sample(const char *series)
{
	size_t n = strlen(series);
	const char *p = page, *hit = NULL;
	uint64_t v = 0;

	while ((p = strstr(p, series)) != NULL) {
		if ((p == page || p[-1] == '\n') && p[n] == ' ') {
			ck_assert_msg(hit == NULL, "%s twice", series);
			hit = p;
		}
		p += n;
	}
	ck_assert_msg(hit != NULL, "no sample %s in:\n%s", series, page);
	ck_assert_int_eq(sscanf(hit + n + 1, "%" SCNu64, &v), 1);
	return v;
}

/*
 * Every line is "# HELP name text", "# TYPE name type", or a sample of
 * the metric the last TYPE named (with _bucket, _sum, _count for a
 * histogram); each metric has one HELP and one TYPE, HELP first; the
 * page ends in a line feed.
 */
static void
check_syntax(void)
{
	regex_t sample_re;
	char *copy = strdup(page), *save = NULL, *line;
	char cur[128] = "", type[64] = "", seen[8192] = " ";

	ck_assert_ptr_nonnull(copy);
	ck_assert(page_len > 0 && page[page_len - 1] == '\n');
	ck_assert_int_eq(regcomp(&sample_re, "^([a-z_]+)"
	    "(\\{[a-z_]+=\"([^\"\\\\\n]|\\\\[\"\\\\n])*\""
	    "(,[a-z_]+=\"([^\"\\\\\n]|\\\\[\"\\\\n])*\")*\\})? "
	    "[0-9]+(\\.[0-9]+)?$", REG_EXTENDED), 0);
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char name[128], word[64], key[140];
		regmatch_t m[2];

		if (sscanf(line, "# HELP %127s", name) == 1) {
			snprintf(key, sizeof(key), " %s ", name);
			ck_assert_msg(strstr(seen, key) == NULL, "%s twice",
			    name);
			strncat(seen, key + 1, sizeof(seen) - strlen(seen) - 1);
			snprintf(cur, sizeof(cur), "%s", name);
			type[0] = '\0';
			continue;
		}
		if (sscanf(line, "# TYPE %127s %63s", name, word) == 2) {
			ck_assert_str_eq(name, cur);
			ck_assert_msg(type[0] == '\0', "two TYPE for %s", cur);
			ck_assert(strcmp(word, "counter") == 0 ||
			    strcmp(word, "gauge") == 0 ||
			    strcmp(word, "histogram") == 0);
			snprintf(type, sizeof(type), "%s", word);
			continue;
		}
		ck_assert_msg(regexec(&sample_re, line, 2, m, 0) == 0,
		    "not a sample: %s", line);
		ck_assert_msg(type[0] != '\0', "no TYPE before %s", line);
		snprintf(name, sizeof(name), "%.*s",
		    (int)(m[1].rm_eo - m[1].rm_so), line);
		if (strcmp(type, "histogram") == 0) {
			size_t k = strlen(cur);

			ck_assert(strncmp(name, cur, k) == 0 &&
			    (strcmp(name + k, "_bucket") == 0 ||
			    strcmp(name + k, "_sum") == 0 ||
			    strcmp(name + k, "_count") == 0));
		} else {
			ck_assert_str_eq(name, cur);
		}
		if (strcmp(type, "counter") == 0)
			ck_assert(strlen(name) > 6 &&
			    strcmp(name + strlen(name) - 6, "_total") == 0);
	}
	regfree(&sample_re);
	free(copy);
}

START_TEST(test_empty)
{
	static const char *const names[] = { "a.test", "b.test" };
	struct scoreboard *sb = scoreboard_create(4);

	ck_assert_ptr_nonnull(sb);
	sb->generation = 3;
	render(sb, fake(2, names));
	check_syntax();
	ck_assert_uint_eq(sample("forkhttpd_requests_total{server=\"a.test\","
	    "method=\"GET\",code=\"2xx\"}"), 0);
	ck_assert_uint_eq(sample("forkhttpd_requests_total{server=\"b.test\","
	    "method=\"other\",code=\"5xx\"}"), 0);
	/* No "other" row while every server has one of its own. */
	ck_assert_ptr_null(strstr(page, "server=\"other\""));
	ck_assert_uint_eq(sample("forkhttpd_generation"), 3);
	ck_assert_uint_eq(sample("forkhttpd_uptime_seconds"), 7);
	ck_assert_uint_eq(sample("forkhttpd_start_time_seconds"),
	    (uint64_t)sb->started);
	ck_assert_uint_eq(sample("forkhttpd_request_duration_seconds_bucket"
	    "{le=\"+Inf\"}"), 0);
	ck_assert_uint_eq(sample("forkhttpd_workers{state=\"idle\"}"), 0);
	ck_assert_ptr_null(strstr(page, "state=\"empty\""));
	ck_assert_ptr_nonnull(strstr(page, "# TYPE forkhttpd_request_duration_"
	    "seconds histogram\n"));
	scoreboard_destroy(sb);
}
END_TEST

/* Method and status classes, bytes per server, the top level's name. */
START_TEST(test_classes)
{
	struct scoreboard *sb = scoreboard_create(2);
	struct scoreboard_slot *s;

	ck_assert_ptr_nonnull(sb);
	scoreboard_start(sb, 0, 100, 1);
	s = &sb->slot[0];
	scoreboard_count_response(sb, s, 0, HTTP_METHOD_GET, 200, 10, 1);
	scoreboard_count_response(sb, s, 0, HTTP_METHOD_GET, 204, 0, 1);
	scoreboard_count_response(sb, s, 0, HTTP_METHOD_HEAD, 304, 0, 1);
	scoreboard_count_response(sb, s, 0, HTTP_METHOD_POST, 413, 5, 1);
	scoreboard_count_response(sb, s, 0, HTTP_METHOD_DELETE, 405, 7, 1);
	scoreboard_count_response(sb, s, 0, HTTP_METHOD_UNKNOWN, 501, 1, 1);
	scoreboard_count_response(sb, s, 0, HTTP_METHOD_PATCH, 101, 0, 1);
	/* Out of range: counted as a server error, never out of bounds. */
	scoreboard_count_response(sb, s, 0, HTTP_METHOD_GET, 99, 0, 1);
	scoreboard_count_response(sb, s, 0, HTTP_METHOD_GET, 600, 0, 1);
	scoreboard_count_response(sb, s, 0, -1, 0, 0, 1);
	render(sb, fake(1, NULL));
	check_syntax();
#define R(m, c) sample("forkhttpd_requests_total{server=\"*\",method=\"" m \
	"\",code=\"" c "\"}")
	ck_assert_uint_eq(R("GET", "2xx"), 2);
	ck_assert_uint_eq(R("HEAD", "3xx"), 1);
	ck_assert_uint_eq(R("POST", "4xx"), 1);
	ck_assert_uint_eq(R("other", "4xx"), 1);
	ck_assert_uint_eq(R("other", "5xx"), 2);
	ck_assert_uint_eq(R("other", "1xx"), 1);
	ck_assert_uint_eq(R("GET", "5xx"), 2);
	ck_assert_uint_eq(R("GET", "4xx"), 0);
#undef R
	ck_assert_uint_eq(sample("forkhttpd_response_bytes_total"
	    "{server=\"*\"}"), 23);
	scoreboard_destroy(sb);
}
END_TEST

/* Each duration in its bucket (a bound is inclusive: le), cumulative. */
START_TEST(test_histogram)
{
	static const uint64_t us[] = { 0, 5000, 5001, 10000, 99999, 1000000,
	    10000000, 10000001, 3600000000u };
	static const struct { const char *le; uint64_t n; } want[] = {
		{ "0.005", 2 }, { "0.01", 4 }, { "0.025", 4 }, { "0.05", 4 },
		{ "0.1", 5 }, { "0.25", 5 }, { "0.5", 5 }, { "1", 6 },
		{ "2.5", 6 }, { "5", 6 }, { "10", 7 }, { "+Inf", 9 },
	};
	struct scoreboard *sb = scoreboard_create(1);
	uint64_t sum = 0;
	char series[96], want_sum[64];

	ck_assert_ptr_nonnull(sb);
	scoreboard_start(sb, 0, 100, 1);
	for (int i = 0; i < ROWS(us); i++) {
		scoreboard_count_response(sb, &sb->slot[0], 0, HTTP_METHOD_GET,
		    200, 0, us[i]);
		sum += us[i];
	}
	render(sb, fake(1, NULL));
	check_syntax();
	for (int i = 0; i < ROWS(want); i++) {
		snprintf(series, sizeof(series),
		    "forkhttpd_request_duration_seconds_bucket{le=\"%s\"}",
		    want[i].le);
		ck_assert_msg(sample(series) == want[i].n, "%s", series);
	}
	ck_assert_uint_eq(sample("forkhttpd_request_duration_seconds_count"),
	    ROWS(us));
	snprintf(want_sum, sizeof(want_sum),
	    "\nforkhttpd_request_duration_seconds_sum %" PRIu64 ".%06" PRIu64
	    "\n", sum / 1000000, sum % 1000000);
	ck_assert_msg(strstr(page, want_sum) != NULL, "no%s", want_sum);
	scoreboard_destroy(sb);
}
END_TEST

/* Label values: \ " and a line feed escaped, anything else as it is. */
static const struct {
	const char *name;
	const char *label;
} esc_cases[] = {
	{ "plain.test", "plain.test" },
	{ "q\"uote", "q\\\"uote" },
	{ "back\\slash", "back\\\\slash" },
	{ "line\nfeed", "line\\nfeed" },
	{ "\\\"\n", "\\\\\\\"\\n" },
	{ "caf\xc3\xa9", "caf\xc3\xa9" },
};

START_TEST(test_escape)
{
	const char *names[] = { esc_cases[_i].name };
	struct scoreboard *sb = scoreboard_create(1);
	char series[128];

	ck_assert_ptr_nonnull(sb);
	scoreboard_start(sb, 0, 100, 1);
	scoreboard_count_response(sb, &sb->slot[0], 0, HTTP_METHOD_GET, 200, 42,
	    1);
	render(sb, fake(1, names));
	check_syntax();
	snprintf(series, sizeof(series),
	    "forkhttpd_response_bytes_total{server=\"%s\"}", esc_cases[_i].label);
	ck_assert_uint_eq(sample(series), 42);
}
END_TEST

/* Servers past SCOREBOARD_SERVERS, and servers a reload took away, are
 * "other", once. */
START_TEST(test_other)
{
	static const char *names[SCOREBOARD_SERVERS + 8];
	static char buf[SCOREBOARD_SERVERS + 8][16];
	struct scoreboard *sb = scoreboard_create(1);

	ck_assert_ptr_nonnull(sb);
	for (int i = 0; i < ROWS(names); i++) {
		snprintf(buf[i], sizeof(buf[i]), "s%d.test", i);
		names[i] = buf[i];
	}
	scoreboard_start(sb, 0, 100, 1);
	scoreboard_count_response(sb, &sb->slot[0], 0, HTTP_METHOD_GET, 200,
	    1, 1);
	scoreboard_count_response(sb, &sb->slot[0], 5, HTTP_METHOD_GET, 200,
	    2, 1);
	scoreboard_count_response(sb, &sb->slot[0], SCOREBOARD_SERVERS,
	    HTTP_METHOD_GET, 200, 4, 1);
	scoreboard_count_response(sb, &sb->slot[0], SCOREBOARD_SERVERS + 7,
	    HTTP_METHOD_GET, 200, 8, 1);
	scoreboard_count_response(sb, &sb->slot[0], SIZE_MAX, HTTP_METHOD_GET,
	    200, 16, 1);
	render(sb, fake(ROWS(names), names));
	check_syntax();
	ck_assert_uint_eq(sample("forkhttpd_response_bytes_total"
	    "{server=\"s0.test\"}"), 1);
	ck_assert_uint_eq(sample("forkhttpd_response_bytes_total"
	    "{server=\"s5.test\"}"), 2);
	ck_assert_uint_eq(sample("forkhttpd_response_bytes_total"
	    "{server=\"other\"}"), 28);
	ck_assert_ptr_null(strstr(page, "s32.test"));
	/* After a reload to 2 servers: s5's count is other's. */
	render(sb, fake(2, names));
	check_syntax();
	ck_assert_uint_eq(sample("forkhttpd_response_bytes_total"
	    "{server=\"other\"}"), 30);
	ck_assert_uint_eq(sample("forkhttpd_requests_total{server=\"other\","
	    "method=\"GET\",code=\"2xx\"}"), 4);
	ck_assert_ptr_null(strstr(page, "s5.test"));
	scoreboard_destroy(sb);
}
END_TEST

/* Every counter on the page, as "series value" lines, into out. */
static void
counters(char *out, size_t cap)
{
	const char *p = page;

	out[0] = '\0';
	while (*p != '\0') {
		const char *end = strchr(p, '\n');

		if (strncmp(p, "forkhttpd_", 10) == 0 &&
		    (memmem(p, (size_t)(end - p), "_total", 6) != NULL ||
		    memmem(p, (size_t)(end - p), "_duration", 9) != NULL))
			strncat(out, p, (size_t)(end - p + 1) <
			    cap - strlen(out) - 1 ? (size_t)(end - p + 1) :
			    cap - strlen(out) - 1);
		p = end + 1;
	}
}

/* No counter of now is below the one of before (same series, same
 * order on both pages). */
static void
check_not_below(const char *before, const char *now)
{
	while (*before != '\0') {
		const char *e1 = strchr(before, ' '), *e2 = strchr(now, ' ');
		double a, b;

		ck_assert(e1 != NULL && e2 != NULL);
		ck_assert_msg(e1 - before == e2 - now &&
		    memcmp(before, now, (size_t)(e1 - before)) == 0,
		    "series differ: %.40s / %.40s", before, now);
		a = strtod(e1, NULL);
		b = strtod(e2, NULL);
		ck_assert_msg(b >= a, "%.*s went down: %f -> %f",
		    (int)(e1 - before), before, a, b);
		before = strchr(e1, '\n') + 1;
		now = strchr(e2, '\n') + 1;
	}
	ck_assert(*now == '\0');
}

/* A worker's counts go to the retired part when its slot is cleared,
 * and a new worker in the slot starts from zero on top of them. */
START_TEST(test_fold)
{
	static char c0[32768], c1[32768], c2[32768];
	struct scoreboard *sb = scoreboard_create(2);

	ck_assert_ptr_nonnull(sb);
	scoreboard_start(sb, 0, 100, 1);
	scoreboard_start(sb, 1, 101, 1);
	for (int i = 0; i < 5; i++) {
		scoreboard_count_response(sb, &sb->slot[0], 0, HTTP_METHOD_GET,
		    200, 100, 2000);
		scoreboard_count_response(sb, &sb->slot[1], 0, HTTP_METHOD_POST,
		    500, 1, 20000);
	}
	render(sb, fake(1, NULL));
	counters(c0, sizeof(c0));
	ck_assert_uint_eq(sample("forkhttpd_response_bytes_total"
	    "{server=\"*\"}"), 505);

	/* Slot 0's worker dies (a crash). */
	scoreboard_clear(sb, 0);
	scoreboard_worker_exited(sb, true);
	ck_assert_uint_eq(sb->retired.bytes[0], 500);
	ck_assert_uint_eq(scoreboard_counts_of(sb, 0)->bytes[0], 0);
	render(sb, fake(1, NULL));
	counters(c1, sizeof(c1));
	check_not_below(c0, c1);
	ck_assert_uint_eq(sample("forkhttpd_response_bytes_total"
	    "{server=\"*\"}"), 505);
	ck_assert_uint_eq(sample("forkhttpd_requests_total{server=\"*\","
	    "method=\"GET\",code=\"2xx\"}"), 5);
	ck_assert_uint_eq(sample("forkhttpd_request_duration_seconds_count"),
	    10);
	/* The crash itself is counted. */
	ck_assert_uint_eq(sample("forkhttpd_worker_exits_total"), 1);
	ck_assert_uint_eq(sample("forkhttpd_worker_crashes_total"), 1);

	/* Its successor serves one more; slot 1 exits cleanly. */
	scoreboard_start(sb, 0, 102, 2);
	ck_assert_uint_eq(scoreboard_counts_of(sb, 0)->bytes[0], 0);
	scoreboard_count_response(sb, &sb->slot[0], 0, HTTP_METHOD_GET, 200, 1,
	    1);
	scoreboard_clear(sb, 1);
	scoreboard_worker_exited(sb, false);
	render(sb, fake(1, NULL));
	counters(c2, sizeof(c2));
	check_not_below(c1, c2);
	ck_assert_uint_eq(sample("forkhttpd_response_bytes_total"
	    "{server=\"*\"}"), 506);
	ck_assert_uint_eq(sample("forkhttpd_requests_total{server=\"*\","
	    "method=\"GET\",code=\"2xx\"}"), 6);
	ck_assert_uint_eq(sample("forkhttpd_requests_total{server=\"*\","
	    "method=\"POST\",code=\"5xx\"}"), 5);
	ck_assert_uint_eq(sample("forkhttpd_request_duration_seconds_count"),
	    11);
	ck_assert_uint_eq(sample("forkhttpd_worker_exits_total"), 2);
	ck_assert_uint_eq(sample("forkhttpd_worker_crashes_total"), 1);
	/* An empty slot's row is no one's, whatever is left in it. */
	ck_assert_uint_eq(scoreboard_counts_of(sb, 1)->bytes[0], 0);
	scoreboard_counts_of(sb, 1)->bytes[0] = 1000;
	render(sb, fake(1, NULL));
	ck_assert_uint_eq(sample("forkhttpd_response_bytes_total"
	    "{server=\"*\"}"), 506);
	scoreboard_destroy(sb);
}
END_TEST

/* Connections: active = open - idle, over live slots only. */
START_TEST(test_connections)
{
	struct scoreboard *sb = scoreboard_create(3);

	ck_assert_ptr_nonnull(sb);
	scoreboard_start(sb, 0, 100, 1);
	scoreboard_start(sb, 1, 101, 1);
	scoreboard_set_open_conns(&sb->slot[0], 5);
	scoreboard_set_idle_conns(&sb->slot[0], 2);
	scoreboard_set_open_conns(&sb->slot[1], 1);
	scoreboard_set_state(&sb->slot[1], SCOREBOARD_WRITING);
	/* An empty slot's leftovers are no one's. */
	sb->slot[2].open_conns = 50;
	render(sb, fake(1, NULL));
	ck_assert_uint_eq(sample("forkhttpd_connections{state=\"active\"}"), 4);
	ck_assert_uint_eq(sample("forkhttpd_connections{state=\"idle\"}"), 2);
	ck_assert_uint_eq(sample("forkhttpd_workers{state=\"starting\"}"), 1);
	ck_assert_uint_eq(sample("forkhttpd_workers{state=\"writing\"}"), 1);
	sb->reloads = 4;
	sb->reloads_failed = 2;
	sb->worker_starts = 9;
	render(sb, fake(1, NULL));
	ck_assert_uint_eq(sample("forkhttpd_reloads_total{outcome=\"ok\"}"), 4);
	ck_assert_uint_eq(sample("forkhttpd_reloads_total"
	    "{outcome=\"failed\"}"), 2);
	ck_assert_uint_eq(sample("forkhttpd_worker_starts_total"), 9);
	scoreboard_destroy(sb);
}
END_TEST

/* The bound: SCOREBOARD_SERVERS + 8 servers with 253-byte names of
 * characters that all escape, every counter at its largest: it fits in
 * metrics_size(); one byte less than the page is -1, never an overflow. */
START_TEST(test_bound)
{
	static char name[254];
	static const char *names[SCOREBOARD_SERVERS + 8];
	struct scoreboard *sb = scoreboard_create(1);
	uint64_t *p;
	size_t need, len;
	char *buf;

	ck_assert_ptr_nonnull(sb);
	memset(name, '"', sizeof(name) - 1);
	for (int i = 0; i < ROWS(names); i++)
		names[i] = name;
	fake(ROWS(names), names);
	sb->slot[0].state = SCOREBOARD_IDLE;
	p = (uint64_t *)(void *)&sb->retired;
	for (size_t k = 0; k < sizeof(sb->retired) / sizeof(*p); k++)
		p[k] = UINT64_MAX / 4;
	sb->reloads = sb->reloads_failed = sb->worker_starts = UINT64_MAX;
	sb->worker_exits = sb->worker_crashes = UINT64_MAX;
	sb->generation = UINT32_MAX;
	need = metrics_size(&fake_cfg);
	buf = malloc(need);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(metrics_render(sb, &fake_cfg, sb->started, buf, need,
	    &len), 0);
	ck_assert_uint_lt(len, need);
	ck_assert_int_eq(metrics_render(sb, &fake_cfg, sb->started, buf, len,
	    &len), -1);
	ck_assert_int_eq(metrics_render(sb, &fake_cfg, sb->started, buf, 0,
	    &len), -1);
	free(buf);
	scoreboard_destroy(sb);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The handler */

static struct config *hcfg;

static void
handler_setup(void)
{
	char err[256];

	hcfg = config_load_buf("document-root = \"/tmp\"\n"
	    "server \"a.test\" {\n"
	    "route \"= /metrics\" { metrics = true }\n"
	    "route \"= /open\" { metrics = true  allow = { \"all\" } }\n}\n",
	    "test.conf", "/tmp", err, sizeof(err));
	ck_assert_msg(hcfg != NULL, "%s", err);
	ck_assert(hcfg->any_metrics);
	ck_assert_int_eq(metrics_init(hcfg), 0);
}

static void
handler_teardown(void)
{
	config_free(hcfg);
}

static void
peer(struct sockaddr_storage *ss, int af, const char *addr)
{
	memset(ss, 0, sizeof(*ss));
	if (af == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)(void *)ss;

		sin->sin_family = AF_INET;
		ck_assert_int_eq(inet_pton(AF_INET, addr, &sin->sin_addr), 1);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)(void *)ss;

		sin6->sin6_family = AF_INET6;
		ck_assert_int_eq(inet_pton(AF_INET6, addr, &sin6->sin6_addr),
		    1);
	}
}

static int
handle(size_t route, int af, const char *addr, enum http_method m,
    struct scoreboard *sb, struct http_response *resp)
{
	struct sockaddr_storage ss;
	struct http_request req;
	struct handler_ctx ctx = { .cfg = hcfg, .peer = &ss, .sb = sb };

	ck_assert_uint_eq(hcfg->nservers, 1);
	ck_assert_uint_gt(hcfg->servers[0].nroutes, route);
	ctx.server = &hcfg->servers[0];
	ctx.scope = &hcfg->servers[0].routes[route].s;
	ck_assert_int_eq(ctx.scope->handler, CONFIG_HANDLER_METRICS);
	peer(&ss, af, addr);
	memset(&req, 0, sizeof(req));
	req.method = m;
	http_response_init(resp);
	return metrics_handle(&ctx, &req, resp);
}

START_TEST(test_handler)
{
	struct scoreboard *sb = scoreboard_create(1);
	struct http_response resp;

	ck_assert_ptr_nonnull(sb);
	ck_assert_int_eq(handle(0, AF_INET, "127.0.0.1", HTTP_METHOD_GET, sb,
	    &resp), 200);
	ck_assert_str_eq(resp.content_type,
	    "text/plain; version=0.0.4; charset=utf-8");
	ck_assert_str_eq(resp.cache_control, "no-store");
	ck_assert_int_eq(resp.body, HTTP_BODY_MEM);
	ck_assert_uint_eq((size_t)resp.content_length, resp.mem_len);
	ck_assert(resp.mem_len > 0);
	ck_assert_int_eq(handle(0, AF_INET6, "::1", HTTP_METHOD_HEAD, sb,
	    &resp), 200);
	ck_assert_int_eq(handle(0, AF_INET6, "::ffff:127.0.0.1",
	    HTTP_METHOD_GET, sb, &resp), 200);
	/* Off loopback: 403, whatever the method. */
	ck_assert_int_eq(handle(0, AF_INET, "192.0.2.1", HTTP_METHOD_GET, sb,
	    &resp), 403);
	ck_assert_int_eq(handle(0, AF_INET, "127.0.0.2", HTTP_METHOD_GET, sb,
	    &resp), 403);
	ck_assert_int_eq(handle(0, AF_INET6, "2001:db8::1", HTTP_METHOD_POST,
	    sb, &resp), 403);
	/* RFC 9110 §15.5.6: a 405 carries Allow. */
	ck_assert_int_eq(handle(0, AF_INET, "127.0.0.1", HTTP_METHOD_POST, sb,
	    &resp), 405);
	ck_assert_str_eq(resp.allow, "GET, HEAD");
	/* allow of the route's own: the router applied it, not loopback. */
	ck_assert_int_eq(handle(1, AF_INET, "192.0.2.1", HTTP_METHOD_GET, sb,
	    &resp), 200);
	/* No scoreboard: 500. */
	ck_assert_int_eq(handle(0, AF_INET, "127.0.0.1", HTTP_METHOD_GET,
	    NULL, &resp), 500);
	scoreboard_destroy(sb);
}
END_TEST

/* metrics, and at most one handler key; -T prints it. */
START_TEST(test_config)
{
	char err[256];
	struct config *c;

	c = config_load_buf("document-root = \"/tmp\"\n"
	    "server \"a.test\" { route \"= /m\" { metrics = true  "
	    "status-page = true } }\n",
	    "test.conf", "/tmp", err, sizeof(err));
	ck_assert_ptr_null(c);
	ck_assert_msg(strstr(err, "metrics") != NULL, "%s", err);
	c = config_load_buf("document-root = \"/tmp\"\n"
	    "server \"a.test\" { route \"= /m\" { metrics = true  "
	    "respond = 200 } }\n",
	    "test.conf", "/tmp", err, sizeof(err));
	ck_assert_ptr_null(c);
	c = config_load_buf("document-root = \"/tmp\"\n",
	    "test.conf", "/tmp", err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert(!c->any_metrics);
	ck_assert_int_eq(c->servers[0].s.handler, CONFIG_HANDLER_STATIC);
	config_free(c);
	/* Not inherited: a route below a metrics server serves files. */
	c = config_load_buf("document-root = \"/tmp\"\n"
	    "server \"a.test\" { metrics = true  route \"/f/\" { } }\n",
	    "test.conf", "/tmp", err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_int_eq(c->servers[0].s.handler, CONFIG_HANDLER_METRICS);
	ck_assert_int_eq(c->servers[0].routes[0].s.handler,
	    CONFIG_HANDLER_STATIC);
	config_free(c);
}
END_TEST

static Suite *
metrics_suite(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("render");

	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_classes);
	tcase_add_test(tc, test_histogram);
	tcase_add_loop_test(tc, test_escape, 0, ROWS(esc_cases));
	tcase_add_test(tc, test_other);
	tcase_add_test(tc, test_fold);
	tcase_add_test(tc, test_connections);
	tcase_add_test(tc, test_bound);
	suite_add_tcase(s, tc);
	tc = tcase_create("handler");
	tcase_add_checked_fixture(tc, handler_setup, handler_teardown);
	tcase_add_test(tc, test_handler);
	tcase_add_test(tc, test_config);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(metrics_suite());
}
