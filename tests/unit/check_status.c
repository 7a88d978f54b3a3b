/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_status.c - status.c: who may see the page (addresses, networks,
 * "all", v4-mapped peers), the HTML page and the JSON page for a real
 * scoreboard (the numbers, one row per busy slot, the idle keep-alive
 * connections per worker and their total over live workers, a hostile
 * request line escaped and read back intact), the escaping of every
 * kind of byte in both formats, and the buffer's bound: the largest
 * scoreboard in its worst state fits, and a page that cannot fit is a
 * 500, not an overflow.
 *
 * The JSON is checked by a strict RFC 8259 parser of our own (so the test
 * needs nothing installed), which also reads values back by path
 * ("workers.1.pid"); when python3 is there, json.tool must accept it too.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "acl.h"
#include "config.h"
#include "http.h"
#include "scoreboard.h"
#include "status.h"
#include "util.h"

#include "../lib/unit.h"

#define ROWS(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ------------------------------------------------------------------ */
/* status_allowed */

#define ALLOW_MAX 4

static const struct {
	const char *allow[ALLOW_MAX];	/* NULL-terminated */
	const char *peer;
	bool ok;
	const char *note;
} allow_cases[] = {
	/* The default: loopback only. */
	{ { "127.0.0.1", "::1" }, "v4:127.0.0.1", true,
	    "default, v4 loopback" },
	{ { "127.0.0.1", "::1" }, "v6:::1", true, "default, v6 loopback" },
	{ { "127.0.0.1", "::1" }, "v6:::ffff:127.0.0.1", true,
	    "RFC 4291 2.5.5.2: v4-mapped loopback compares as IPv4" },
	{ { "127.0.0.1", "::1" }, "v4:127.0.0.2", false,
	    "an address is one host (/32), not 127/8" },
	{ { "127.0.0.1", "::1" }, "v4:10.0.0.1", false, "default, other v4" },
	{ { "127.0.0.1", "::1" }, "v6:::2", false, "default, other v6" },
	{ { "127.0.0.1", "::1" }, "v6:::ffff:10.0.0.1", false,
	    "default, other v4-mapped" },
	{ { "127.0.0.1", "::1" }, "v6:::7f00:1", false,
	    "IPv4-compatible ::127.0.0.1 is not v4-mapped" },
	{ { "127.0.0.1", "::1" }, "unix", false, "AF_UNIX peer: no address" },
	/* IPv4 networks. */
	{ { "10.0.0.0/8" }, "v4:10.255.1.2", true, "/8 inside" },
	{ { "10.0.0.0/8" }, "v4:11.0.0.1", false, "/8 outside" },
	{ { "10.0.0.0/8" }, "v6:::ffff:10.1.2.3", true, "/8, v4-mapped peer" },
	{ { "192.168.1.0/24" }, "v4:192.168.1.255", true, "/24 last" },
	{ { "192.168.1.0/24" }, "v4:192.168.2.0", false, "/24 next" },
	{ { "172.16.0.0/12" }, "v4:172.31.255.255", true,
	    "/12, not on a byte: last inside" },
	{ { "172.16.0.0/12" }, "v4:172.32.0.0", false,
	    "/12, not on a byte: first outside" },
	{ { "172.16.0.0/12" }, "v4:172.15.255.255", false,
	    "/12, not on a byte: last before" },
	{ { "10.1.2.3/8" }, "v4:10.9.9.9", true,
	    "host bits set in the entry are ignored" },
	{ { "203.0.113.7/32" }, "v4:203.0.113.7", true, "/32 exact" },
	{ { "203.0.113.7/32" }, "v4:203.0.113.6", false, "/32 off by one" },
	{ { "203.0.113.7/31" }, "v4:203.0.113.6", true, "/31 pair" },
	{ { "0.0.0.0/0" }, "v4:198.51.100.9", true, "v4 /0: all of IPv4" },
	{ { "0.0.0.0/0" }, "v6:::ffff:1.2.3.4", true,
	    "v4 /0, v4-mapped peer" },
	{ { "0.0.0.0/0" }, "v6:2001:db8::1", false,
	    "v4 /0 is IPv4 only" },
	/* IPv6 networks. */
	{ { "fd00::/8" }, "v6:fd12:3456::1", true, "ULA /8 inside" },
	{ { "fd00::/8" }, "v6:fe80::1", false, "ULA /8 outside" },
	{ { "2001:db8::/33" }, "v6:2001:db8:7fff::1", true, "/33 inside" },
	{ { "2001:db8::/33" }, "v6:2001:db8:8000::1", false, "/33 outside" },
	{ { "::1/128" }, "v6:::1", true, "/128 exact" },
	{ { "::/0" }, "v6:2001:db8::1", true, "v6 /0: all of IPv6" },
	{ { "::/0" }, "v4:1.2.3.4", false, "v6 /0 is not IPv4" },
	{ { "::/0" }, "v6:::ffff:1.2.3.4", false,
	    "v6 /0: a v4-mapped peer compares as IPv4" },
	/* v4-mapped entries mean their IPv4 address. */
	{ { "::ffff:127.0.0.1" }, "v4:127.0.0.1", true,
	    "v4-mapped entry, v4 peer" },
	{ { "::ffff:127.0.0.1" }, "v6:::ffff:127.0.0.1", true,
	    "v4-mapped entry, v4-mapped peer" },
	{ { "::ffff:10.0.0.0/104" }, "v4:10.2.3.4", true,
	    "v4-mapped /104 is 10/8" },
	{ { "::ffff:10.0.0.0/104" }, "v4:11.2.3.4", false,
	    "v4-mapped /104 outside" },
	/* "all". */
	{ { "all" }, "v4:198.51.100.1", true, "all, v4" },
	{ { "all" }, "v6:2001:db8::1", true, "all, v6" },
	{ { "all" }, "unix", true, "all lets in even an AF_UNIX peer" },
	{ { "127.0.0.1", "all" }, "v4:192.0.2.1", true, "all after others" },
	/* Lists, and entries that match nothing. */
	{ { NULL }, "v4:127.0.0.1", false, "empty list: nobody" },
	{ { "10.0.0.0/8", "192.0.2.0/24", "2001:db8::/32" }, "v4:192.0.2.9",
	    true, "second of three" },
	{ { "10.0.0.0/8", "192.0.2.0/24", "2001:db8::/32" },
	    "v6:2001:db8:1::9", true, "third of three" },
	{ { "10.0.0.0/8", "192.0.2.0/24", "2001:db8::/32" },
	    "v6:2001:db9::1", false, "none of three" },
};
/* Entries acl_net_parse() refuses ("bogus", "127.0.0.1/33", "ALL"...)
 * never reach a snapshot: config_load() refuses them (check_config),
 * and check_acl has the parser's table. */

/* status-allow as config.c builds it: parsed once into an acl. */
static void
set_allow(struct config *cfg, char **list, size_t n)
{
	static struct acl acl;

	memset(&acl, 0, sizeof(acl));
	ck_assert_int_eq(acl_allow_only(&acl, list, n), 0);
	cfg->status_allow = list;
	cfg->nstatus_allow = n;
	cfg->status_acl = &acl;
}

START_TEST(test_allowed)
{
	char *allow[ALLOW_MAX];
	struct sockaddr_storage peer;
	struct config cfg;
	size_t n = 0;

	memset(&cfg, 0, sizeof(cfg));
	while (n < ALLOW_MAX && allow_cases[_i].allow[n] != NULL) {
		allow[n] = (char *)(uintptr_t)allow_cases[_i].allow[n];
		n++;
	}
	set_allow(&cfg, allow, n);
	unit_peer(&peer, allow_cases[_i].peer);
	ck_assert_msg(status_allowed(&cfg, &peer) == allow_cases[_i].ok,
	    "%s (peer %s): want %s", allow_cases[_i].note,
	    allow_cases[_i].peer, allow_cases[_i].ok ? "allowed" : "refused");
	acl_free(cfg.status_acl);
}
END_TEST

/* No peer at all: only "all" lets it in. */
START_TEST(test_allowed_no_peer)
{
	char lo[] = "127.0.0.1", all[] = "all";
	char *list1[] = { lo }, *list2[] = { lo, all };
	struct config cfg;

	memset(&cfg, 0, sizeof(cfg));
	set_allow(&cfg, list1, 1);
	ck_assert(!status_allowed(&cfg, NULL));
	acl_free(cfg.status_acl);
	set_allow(&cfg, list2, 2);
	ck_assert(status_allowed(&cfg, NULL));
	acl_free(cfg.status_acl);
}
END_TEST

/* ------------------------------------------------------------------ */
/* A strict JSON parser (RFC 8259) that can fetch one value by path. */

#define JSON_DEPTH_MAX 32
#define JSON_PATH_MAX 128
#define JSON_STR_MAX 2048

enum json_kind { JSON_NONE, JSON_NUMBER, JSON_STRING, JSON_LITERAL,
	JSON_OBJECT, JSON_ARRAY };

struct json_val {
	bool found;
	enum json_kind kind;
	char raw[JSON_STR_MAX];		/* as written, quotes off */
	size_t raw_len;
	char dec[JSON_STR_MAX];		/* a string, decoded to bytes */
	size_t dec_len;
	size_t members;			/* an object's or array's */
};

struct json_parser {
	const char *start, *p, *end;
	const char *want;		/* NULL: validate only */
	struct json_val *out;
	char path[JSON_PATH_MAX];
	size_t plen;
	int depth;
	char err[128];
};

static bool json_value(struct json_parser *jp);

static bool
json_fail(struct json_parser *jp, const char *what)
{
	if (jp->err[0] == '\0')
		snprintf(jp->err, sizeof(jp->err), "%s at offset %td", what,
		    jp->p - jp->start);
	return false;
}

static void
json_ws(struct json_parser *jp)
{
	while (jp->p < jp->end && (*jp->p == ' ' || *jp->p == '\t' ||
	    *jp->p == '\n' || *jp->p == '\r'))
		jp->p++;
}

static bool
json_at_want(const struct json_parser *jp)
{
	return jp->want != NULL && strcmp(jp->path, jp->want) == 0;
}

/* Appends ".name" (or "name" at the top) to the path; the old length. */
static size_t
json_push(struct json_parser *jp, const char *name, size_t len)
{
	size_t old = jp->plen;
	int k = snprintf(jp->path + jp->plen, sizeof(jp->path) - jp->plen,
	    "%s%.*s", jp->plen > 0 ? "." : "", (int)len, name);

	if (k > 0 && (size_t)k < sizeof(jp->path) - jp->plen)
		jp->plen += (size_t)k;
	return old;
}

static void
json_pop(struct json_parser *jp, size_t old)
{
	jp->plen = old;
	jp->path[old] = '\0';
}

static int
json_hex(char c)
{
	return util_hexval(c);
}

/*
 * A string at jp->p (at its quote).  RFC 8259 §7: no unescaped control
 * character; escapes are \" \\ \/ \b \f \n \r \t and \uXXXX.  \u00XX
 * decodes to that byte (the page's documented reading); others to '?'.
 */
static bool
json_string(struct json_parser *jp, char *raw, size_t *raw_len, char *dec,
    size_t *dec_len)
{
	size_t r = 0, d = 0;

	if (jp->p >= jp->end || *jp->p != '"')
		return json_fail(jp, "string expected");
	jp->p++;
	for (;;) {
		unsigned char c;

		if (jp->p >= jp->end)
			return json_fail(jp, "unterminated string");
		c = (unsigned char)*jp->p;
		if (c == '"')
			break;
		if (c < 0x20)
			return json_fail(jp, "raw control character in string");
		if (c == '\\') {
			char e;
			int v = 0;

			if (jp->end - jp->p < 2)
				return json_fail(jp, "cut escape");
			e = jp->p[1];
			if (r + 6 < JSON_STR_MAX) {
				memcpy(raw + r, jp->p, e == 'u' ? 6 : 2);
				r += e == 'u' ? 6 : 2;
			}
			switch (e) {
			case '"': case '\\': case '/':
				c = (unsigned char)e;
				break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case 'u':
				if (jp->end - jp->p < 6)
					return json_fail(jp, "cut \\u");
				for (int k = 2; k < 6; k++) {
					int h = json_hex(jp->p[k]);

					if (h < 0)
						return json_fail(jp,
						    "bad \\u digit");
					v = v * 16 + h;
				}
				c = v < 0x100 ? (unsigned char)v : '?';
				jp->p += 4;
				break;
			default:
				return json_fail(jp, "bad escape");
			}
			jp->p += 2;
		} else {
			if (r + 1 < JSON_STR_MAX)
				raw[r++] = (char)c;
			jp->p++;
		}
		if (d + 1 < JSON_STR_MAX)
			dec[d++] = (char)c;
	}
	jp->p++;
	raw[r] = '\0';
	dec[d] = '\0';
	*raw_len = r;
	*dec_len = d;
	return true;
}

/* RFC 8259 §6: number = [ minus ] int [ frac ] [ exp ] */
static bool
json_number(struct json_parser *jp)
{
	const char *s = jp->p;

	if (jp->p < jp->end && *jp->p == '-')
		jp->p++;
	if (jp->p < jp->end && *jp->p == '0')
		jp->p++;
	else if (jp->p < jp->end && *jp->p >= '1' && *jp->p <= '9')
		while (jp->p < jp->end && http_is_digit((unsigned char)*jp->p))
			jp->p++;
	else
		return json_fail(jp, "bad number");
	if (jp->p < jp->end && *jp->p == '.') {
		jp->p++;
		if (jp->p >= jp->end || !http_is_digit((unsigned char)*jp->p))
			return json_fail(jp, "bad fraction");
		while (jp->p < jp->end && http_is_digit((unsigned char)*jp->p))
			jp->p++;
	}
	if (jp->p < jp->end && (*jp->p == 'e' || *jp->p == 'E')) {
		jp->p++;
		if (jp->p < jp->end && (*jp->p == '+' || *jp->p == '-'))
			jp->p++;
		if (jp->p >= jp->end || !http_is_digit((unsigned char)*jp->p))
			return json_fail(jp, "bad exponent");
		while (jp->p < jp->end && http_is_digit((unsigned char)*jp->p))
			jp->p++;
	}
	if (json_at_want(jp)) {
		size_t n = (size_t)(jp->p - s);

		jp->out->found = true;
		jp->out->kind = JSON_NUMBER;
		jp->out->raw_len = n < JSON_STR_MAX ? n : JSON_STR_MAX - 1;
		memcpy(jp->out->raw, s, jp->out->raw_len);
		jp->out->raw[jp->out->raw_len] = '\0';
	}
	return true;
}

static bool
json_literal(struct json_parser *jp)
{
	static const char *const lits[] = { "true", "false", "null" };

	for (size_t i = 0; i < 3; i++) {
		size_t n = strlen(lits[i]);

		if ((size_t)(jp->end - jp->p) >= n &&
		    memcmp(jp->p, lits[i], n) == 0) {
			if (json_at_want(jp)) {
				jp->out->found = true;
				jp->out->kind = JSON_LITERAL;
				memcpy(jp->out->raw, lits[i], n + 1);
				jp->out->raw_len = n;
			}
			jp->p += n;
			return true;
		}
	}
	return json_fail(jp, "bad literal");
}

static bool
json_container(struct json_parser *jp, bool object)
{
	static char key[JSON_STR_MAX], keydec[JSON_STR_MAX];
	bool here = json_at_want(jp);
	size_t n = 0;

	if (++jp->depth > JSON_DEPTH_MAX)
		return json_fail(jp, "too deep");
	jp->p++;
	json_ws(jp);
	if (jp->p < jp->end && *jp->p == (object ? '}' : ']')) {
		jp->p++;
	} else {
		for (;;) {
			size_t old, klen, kdlen;
			char idx[24];

			json_ws(jp);
			if (object) {
				if (!json_string(jp, key, &klen, keydec,
				    &kdlen))
					return false;
				json_ws(jp);
				if (jp->p >= jp->end || *jp->p != ':')
					return json_fail(jp, "':' expected");
				jp->p++;
				old = json_push(jp, keydec, kdlen);
			} else {
				snprintf(idx, sizeof(idx), "%zu", n);
				old = json_push(jp, idx, strlen(idx));
			}
			if (!json_value(jp))
				return false;
			json_pop(jp, old);
			n++;
			json_ws(jp);
			if (jp->p < jp->end && *jp->p == ',') {
				jp->p++;
				continue;
			}
			if (jp->p < jp->end && *jp->p == (object ? '}' : ']')) {
				jp->p++;
				break;
			}
			return json_fail(jp, object ? "',' or '}' expected" :
			    "',' or ']' expected");
		}
	}
	if (here) {
		jp->out->found = true;
		jp->out->kind = object ? JSON_OBJECT : JSON_ARRAY;
		jp->out->members = n;
	}
	jp->depth--;
	return true;
}

static bool
json_value(struct json_parser *jp)
{
	json_ws(jp);
	if (jp->p >= jp->end)
		return json_fail(jp, "value expected");
	switch (*jp->p) {
	case '{':
		return json_container(jp, true);
	case '[':
		return json_container(jp, false);
	case '"':
		if (json_at_want(jp)) {
			jp->out->found = true;
			jp->out->kind = JSON_STRING;
			return json_string(jp, jp->out->raw,
			    &jp->out->raw_len, jp->out->dec,
			    &jp->out->dec_len);
		} else {
			static char raw[JSON_STR_MAX], dec[JSON_STR_MAX];
			size_t rl, dl;

			return json_string(jp, raw, &rl, dec, &dl);
		}
	case 't': case 'f': case 'n':
		return json_literal(jp);
	default:
		return json_number(jp);
	}
}

/*
 * Parses the whole of doc as one JSON text; if want is not NULL, *out
 * gets the value at that path (out->found false if there is none).
 */
static bool
json_parse(const char *doc, size_t len, const char *want,
    struct json_val *out, char *err, size_t errcap)
{
	struct json_parser jp;
	bool ok;

	memset(&jp, 0, sizeof(jp));
	jp.start = jp.p = doc;
	jp.end = doc + len;
	jp.want = want;
	jp.out = out;
	if (out != NULL)
		memset(out, 0, sizeof(*out));
	ok = json_value(&jp);
	if (ok) {
		json_ws(&jp);
		if (jp.p != jp.end)
			ok = json_fail(&jp, "text after the value");
	}
	snprintf(err, errcap, "%s", jp.err);
	return ok;
}

/* The value at path in doc, which must be valid JSON. */
static void
json_get(const char *doc, size_t len, const char *path, struct json_val *v)
{
	char err[128];

	ck_assert_msg(json_parse(doc, len, path, v, err, sizeof(err)),
	    "invalid JSON: %s", err);
}

/* The number at path, as written. */
static void
check_json_number(const char *doc, size_t len, const char *path,
    const char *want)
{
	static struct json_val v;

	json_get(doc, len, path, &v);
	ck_assert_msg(v.found, "%s: missing", path);
	ck_assert_msg(v.kind == JSON_NUMBER, "%s: kind %d, not a number",
	    path, (int)v.kind);
	ck_assert_msg(strcmp(v.raw, want) == 0, "%s: %s, want %s", path,
	    v.raw, want);
}

/* The parser itself must tell valid from invalid, or it proves nothing. */
static const struct {
	const char *text;
	bool ok;
	const char *note;
} json_cases[] = {
	{ "{\"a\": [1, -2.5e3, \"x\\u0041\", true, null]}", true, "mixed" },
	{ "[]", true, "empty array" },
	{ "{}", true, "empty object" },
	{ "{\"a\": 1,}", false, "trailing comma" },
	{ "[01]", false, "leading zero" },
	{ "[1.]", false, "fraction without digits" },
	{ "[\"a\tb\"]", false, "raw control character" },
	{ "[\"\\x41\"]", false, "\\x is no JSON escape" },
	{ "[\"\\u00g1\"]", false, "bad \\u digit" },
	{ "{\"a\" 1}", false, "missing colon" },
	{ "[1] [2]", false, "two values" },
	{ "[\"open]", false, "unterminated string" },
	{ "[nul]", false, "cut literal" },
	{ "", false, "nothing" },
};

START_TEST(test_json_parser)
{
	char err[128];
	bool ok = json_parse(json_cases[_i].text, strlen(json_cases[_i].text),
	    NULL, NULL, err, sizeof(err));

	ck_assert_msg(ok == json_cases[_i].ok, "%s: %s (%s)",
	    json_cases[_i].note, ok ? "accepted" : "refused", err);
}
END_TEST

/* When python3 is installed, its json.tool must accept doc too. */
static void
check_json_python(const char *doc, size_t len)
{
	FILE *f;
	int st;

	if (system("command -v python3 >/dev/null 2>&1") != 0)
		return;
	f = popen("python3 -m json.tool >/dev/null", "w");
	ck_assert_msg(f != NULL, "popen: %s", strerror(errno));
	ck_assert_uint_eq(fwrite(doc, 1, len, f), len);
	st = pclose(f);
	ck_assert_msg(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "python3 -m json.tool refused the page (status %d)", st);
}

/* ------------------------------------------------------------------ */
/* The pages for a small, known scoreboard. */

#define PID_A 4242
#define PID_B 4243
#define LINE_A "GET /index.html HTTP/1.1"
#define CLIENT_A "192.0.2.7"
#define LINE_B "GET /<script>alert(\"x\")&'</script> HTTP/1.1"
#define CLIENT_B "2001:db8::5"
#define IDLE_A 3
#define IDLE_B 2
#define IDLE_STRAY 50

static struct scoreboard *sb;
static time_t now;

/*
 * Four slots: 0 has served one request of 1000 bytes and waits in
 * epoll_wait (idle) holding IDLE_A idle keep-alive connections; 2 is
 * writing the hostile request for 7 s and holds IDLE_B; 1 and 3 are
 * empty, 1 with a stray IDLE_STRAY that no total may count.  Ten
 * requests and 5000 bytes of workers gone; generation 3 after 2
 * reloads, 100 s up.
 */
static void
board_setup(void)
{
	sb = scoreboard_create(4);
	ck_assert_msg(sb != NULL, "scoreboard_create: %s", strerror(errno));
	ck_assert_int_eq(status_init(4), 0);
	now = time(NULL);
	sb->started = now - 100;
	sb->generation = 3;
	sb->reloads = 2;
	sb->past_requests = 10;
	sb->past_bytes = 5000;

	scoreboard_start(sb, 0, PID_A, 3);
	scoreboard_set_state(&sb->slot[0], SCOREBOARD_IDLE);
	scoreboard_begin_request(&sb->slot[0], LINE_A, strlen(LINE_A),
	    CLIENT_A);
	scoreboard_end_request(&sb->slot[0], 1000);
	scoreboard_set_state(&sb->slot[0], SCOREBOARD_IDLE);
	scoreboard_set_idle_conns(&sb->slot[0], IDLE_A);

	scoreboard_start(sb, 2, PID_B, 3);
	scoreboard_set_state(&sb->slot[2], SCOREBOARD_IDLE);
	scoreboard_begin_request(&sb->slot[2], LINE_B, strlen(LINE_B),
	    CLIENT_B);
	scoreboard_set_state(&sb->slot[2], SCOREBOARD_WRITING);
	scoreboard_set_idle_conns(&sb->slot[2], IDLE_B);
	/* The wall-clock start, as if 7 s ago. */
	sb->slot[2].request_start = now - 7;
	/* Not a worker's: the page must not add it to the total. */
	sb->slot[1].idle_conns = IDLE_STRAY;

	/* What the scoreboard itself says, so a failure below is ours. */
	ck_assert_uint_eq(sb->slot[0].requests, 1);
	ck_assert_uint_eq(sb->slot[0].bytes, 1000);
	ck_assert_int_eq(sb->slot[0].request_start_ms, 0);
	ck_assert_int_ne(sb->slot[2].request_start_ms, 0);
	ck_assert_str_eq(sb->slot[2].request, LINE_B);
	ck_assert_str_eq(sb->slot[2].client, CLIENT_B);
	ck_assert_uint_eq(scoreboard_total_requests(sb), 11);
	ck_assert_uint_eq(scoreboard_total_bytes(sb), 6000);
	ck_assert_int_eq(sb->slot[1].state, SCOREBOARD_EMPTY);
	ck_assert_uint_eq(sb->slot[0].idle_conns, IDLE_A);
	ck_assert_uint_eq(sb->slot[2].idle_conns, IDLE_B);
}

static void
board_teardown(void)
{
	scoreboard_destroy(sb);
	sb = NULL;
}

/* Renders the page; checks what every 200 page must be. */
static void
render(bool json, struct http_response *resp)
{
	http_response_init(resp);
	resp->keep_alive = true;
	resp->head_only = false;
	ck_assert_int_eq(status_page(sb, json, now, resp), 200);
	ck_assert_int_eq(resp->status, 200);
	ck_assert_int_eq(resp->body, HTTP_BODY_MEM);
	ck_assert_ptr_nonnull(resp->mem);
	ck_assert_uint_gt(resp->mem_len, 0);
	ck_assert_int_eq(resp->content_length, (off_t)resp->mem_len);
	ck_assert_int_eq(resp->fd, -1);
	ck_assert_str_eq(resp->content_type, json ? "application/json" :
	    "text/html; charset=utf-8");
	/* Nothing to revalidate or to cache heuristically by. */
	ck_assert_int_eq(resp->last_modified, 0);
	ck_assert_uint_eq(resp->etag_len, 0);
	ck_assert(!resp->accept_ranges);
	ck_assert_ptr_null(resp->allow);
	/* The connection's choices are the caller's. */
	ck_assert(resp->keep_alive);
	ck_assert(!resp->head_only);
	/* Plain ASCII whatever the slots hold: valid UTF-8 by construction. */
	for (size_t i = 0; i < resp->mem_len; i++) {
		unsigned char c = (unsigned char)resp->mem[i];

		ck_assert_msg(c == '\n' || (c >= 0x20 && c < 0x7f),
		    "byte 0x%02x at %zu", c, i);
	}
}

/* How many times needle occurs in the n bytes of hay. */
static size_t
count(const char *hay, size_t n, const char *needle)
{
	size_t k = 0, nl = strlen(needle);
	const char *p = hay, *end = hay + n;

	while ((p = memmem(p, (size_t)(end - p), needle, nl)) != NULL) {
		k++;
		p += nl;
	}
	return k;
}

static bool
contains(const struct http_response *resp, const char *needle)
{
	return memmem(resp->mem, resp->mem_len, needle, strlen(needle)) != NULL;
}

/*
 * The text of the nth (from 0) cell opening with open ("<td
 * class=\"req\">"), up to its "</td>", into out.
 */
static void
html_cell(const struct http_response *resp, const char *open, size_t nth,
    char *out, size_t cap)
{
	const char *p = resp->mem, *end = resp->mem + resp->mem_len, *q;
	size_t n;

	for (size_t k = 0; k <= nth; k++) {
		p = memmem(p, (size_t)(end - p), open, strlen(open));
		ck_assert_msg(p != NULL, "no cell %zu of %s", nth, open);
		p += strlen(open);
	}
	q = memmem(p, (size_t)(end - p), "</td>", 5);
	ck_assert_ptr_nonnull(q);
	n = (size_t)(q - p);
	ck_assert_uint_lt(n, cap);
	memcpy(out, p, n);
	out[n] = '\0';
}

/* Undoes the page's HTML escaping (status.c's top comment). */
static void
html_unescape(const char *s, char *out, size_t cap)
{
	static const struct { const char *ent; char c; } ents[] = {
		{ "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' },
		{ "&quot;", '"' }, { "&#39;", '\'' }, { "\\\\", '\\' },
	};
	size_t n = 0;

	while (*s != '\0') {
		size_t k;

		ck_assert_uint_lt(n + 1, cap);
		for (k = 0; k < UTIL_ARRAY_LEN(ents); k++)
			if (strncmp(s, ents[k].ent, strlen(ents[k].ent)) == 0)
				break;
		if (k < UTIL_ARRAY_LEN(ents)) {
			out[n++] = ents[k].c;
			s += strlen(ents[k].ent);
		} else if (s[0] == '\\' && s[1] == 'x') {
			int hi = util_hexval(s[2]), lo = hi < 0 ? -1 :
			    util_hexval(s[3]);

			ck_assert_msg(hi >= 0 && lo >= 0, "bad \\x in %s", s);
			out[n++] = (char)(hi * 16 + lo);
			s += 4;
		} else {
			/* Anything else must have been escaped. */
			ck_assert_msg(*s != '&' && *s != '<' && *s != '>' &&
			    *s != '"' && *s != '\'' && *s != '\\',
			    "raw '%c' in a cell", *s);
			out[n++] = *s++;
		}
	}
	out[n] = '\0';
}

START_TEST(test_html)
{
	struct http_response resp;
	char want[256], cell[2048], text[2048];
	const char *m;

	render(false, &resp);
	m = resp.mem;
	ck_assert_msg(strncmp(m, "<!DOCTYPE html>\n", 16) == 0,
	    "no doctype: %.40s", m);
	ck_assert_msg(resp.mem_len > 8 &&
	    memcmp(m + resp.mem_len - 8, "</html>\n", 8) == 0,
	    "the page does not end with </html>");
	ck_assert(contains(&resp, "<meta charset=\"utf-8\">"));
	ck_assert(contains(&resp, PACKAGE_STRING));

	/* The hostile line is text, never markup. */
	ck_assert(!contains(&resp, "<script"));
	ck_assert(!contains(&resp, "</script"));
	ck_assert(contains(&resp, "&lt;script&gt;alert(&quot;x&quot;)&amp;"
	    "&#39;&lt;/script&gt;"));

	/* Every element we open is closed. */
	ck_assert_uint_eq(count(m, resp.mem_len, "<table>"),
	    count(m, resp.mem_len, "</table>"));
	ck_assert_uint_eq(count(m, resp.mem_len, "<tr"),
	    count(m, resp.mem_len, "</tr>"));
	ck_assert_uint_eq(count(m, resp.mem_len, "<td"),
	    count(m, resp.mem_len, "</td>"));
	ck_assert_uint_eq(count(m, resp.mem_len, "<th>"),
	    count(m, resp.mem_len, "</th>"));

	/* The summary. */
	ck_assert(contains(&resp, "<th>Uptime</th><td>0 d 00:01:40 "
	    "(100 s)</td>"));
	ck_assert(contains(&resp, "<th>Generation</th><td>3</td>"));
	ck_assert(contains(&resp, "<th>Reloads</th><td>2</td>"));
	ck_assert(contains(&resp, "<th>Requests</th><td>11</td>"));
	ck_assert(contains(&resp, "<th>Bytes</th><td>6000</td>"));
	/* 11 requests in 100 s. */
	ck_assert(contains(&resp, "<th>Requests per second</th><td>0.11"
	    "</td>"));
	/* Slots 0 and 2; not the stray count of empty slot 1. */
	snprintf(want, sizeof(want), "<th>Connections waiting for a request</th>"
	    "<td>%d</td>", IDLE_A + IDLE_B);
	ck_assert_msg(contains(&resp, want), "no total %s", want);
	for (int st = 0; st < SCOREBOARD_STATE_COUNT; st++) {
		size_t n = st == SCOREBOARD_EMPTY ? 2 :
		    st == SCOREBOARD_IDLE || st == SCOREBOARD_WRITING ?
		    1 : 0;

		snprintf(want, sizeof(want), "<tr><th>%s</th><td class=\"n\">"
		    "%zu</td></tr>", scoreboard_state_name(st), n);
		ck_assert_msg(contains(&resp, want), "no count row %s", want);
	}

	/* One row per busy slot, in slot order; 1 and 3 are empty. */
	ck_assert_uint_eq(count(m, resp.mem_len, "<tr class=\"slot\">"), 2);
	ck_assert(contains(&resp, "<th>Bytes</th><th>Idle conns</th>"
	    "<th>Request</th>"));
	snprintf(want, sizeof(want), "<tr class=\"slot\"><td class=\"n\">0"
	    "</td><td class=\"n\">%d</td><td class=\"n\">3</td><td>%s</td>"
	    "<td class=\"n\">1</td><td class=\"n\">1000</td>"
	    "<td class=\"n\">%d</td><td class=\"req\">", PID_A,
	    scoreboard_state_name(SCOREBOARD_IDLE), IDLE_A);
	ck_assert_msg(contains(&resp, want), "no row %s", want);
	snprintf(want, sizeof(want), "<tr class=\"slot\"><td class=\"n\">2"
	    "</td><td class=\"n\">%d</td><td class=\"n\">3</td><td>%s</td>"
	    "<td class=\"n\">0</td><td class=\"n\">0</td>"
	    "<td class=\"n\">%d</td><td class=\"req\">", PID_B,
	    scoreboard_state_name(SCOREBOARD_WRITING), IDLE_B);
	ck_assert_msg(contains(&resp, want), "no row %s", want);
	ck_assert(contains(&resp, "<td class=\"n\">7</td></tr>"));

	/* The cells read back as exactly what the scoreboard holds. */
	html_cell(&resp, "<td class=\"req\">", 0, cell, sizeof(cell));
	html_unescape(cell, text, sizeof(text));
	ck_assert_str_eq(text, sb->slot[0].request);
	html_cell(&resp, "<td class=\"req\">", 1, cell, sizeof(cell));
	html_unescape(cell, text, sizeof(text));
	ck_assert_str_eq(text, LINE_B);
	html_cell(&resp, "<td class=\"client\">", 1, cell, sizeof(cell));
	html_unescape(cell, text, sizeof(text));
	ck_assert_str_eq(text, CLIENT_B);
	ck_assert_msg(strstr(cell, ":") != NULL, "client cell %s", cell);
}
END_TEST

START_TEST(test_json)
{
	static struct json_val v;
	struct http_response resp;
	char err[128], path[64];
	const char *m;
	size_t n;

	render(true, &resp);
	m = resp.mem;
	n = resp.mem_len;
	ck_assert_msg(json_parse(m, n, NULL, NULL, err, sizeof(err)),
	    "invalid JSON: %s\n%.*s", err, (int)n, m);
	check_json_python(m, n);
	ck_assert(!contains(&resp, "<script"));

	json_get(m, n, "server", &v);
	ck_assert(v.found && v.kind == JSON_STRING);
	ck_assert_str_eq(v.dec, PACKAGE_STRING);
	snprintf(path, sizeof(path), "%lld", (long long)now);
	check_json_number(m, n, "time", path);
	snprintf(path, sizeof(path), "%lld", (long long)now - 100);
	check_json_number(m, n, "started", path);
	check_json_number(m, n, "uptime", "100");
	check_json_number(m, n, "generation", "3");
	check_json_number(m, n, "reloads", "2");
	check_json_number(m, n, "requests", "11");
	check_json_number(m, n, "bytes", "6000");
	check_json_number(m, n, "requests_per_second", "0.11");
	/* Slots 0 and 2; not the stray count of empty slot 1. */
	snprintf(path, sizeof(path), "%d", IDLE_A + IDLE_B);
	check_json_number(m, n, "idle_connections", path);

	json_get(m, n, "states", &v);
	ck_assert(v.found && v.kind == JSON_OBJECT);
	ck_assert_uint_eq(v.members, SCOREBOARD_STATE_COUNT);
	for (int st = 0; st < SCOREBOARD_STATE_COUNT; st++) {
		char want[8];

		snprintf(path, sizeof(path), "states.%s",
		    scoreboard_state_name(st));
		snprintf(want, sizeof(want), "%d", st == SCOREBOARD_EMPTY ? 2 :
		    st == SCOREBOARD_IDLE || st == SCOREBOARD_WRITING ?
		    1 : 0);
		check_json_number(m, n, path, want);
	}

	/* The busy slots only, in slot order. */
	json_get(m, n, "workers", &v);
	ck_assert(v.found && v.kind == JSON_ARRAY);
	ck_assert_uint_eq(v.members, 2);

	check_json_number(m, n, "workers.0.slot", "0");
	check_json_number(m, n, "workers.0.pid", "4242");
	check_json_number(m, n, "workers.0.generation", "3");
	check_json_number(m, n, "workers.0.requests", "1");
	check_json_number(m, n, "workers.0.bytes", "1000");
	snprintf(path, sizeof(path), "%d", IDLE_A);
	check_json_number(m, n, "workers.0.idle_connections", path);
	json_get(m, n, "workers.0.state", &v);
	ck_assert(v.found && v.kind == JSON_STRING);
	ck_assert_str_eq(v.dec, scoreboard_state_name(SCOREBOARD_IDLE));
	json_get(m, n, "workers.0.seconds", &v);
	ck_assert(v.found && v.kind == JSON_LITERAL);
	ck_assert_str_eq(v.raw, "null");
	json_get(m, n, "workers.0.request", &v);
	ck_assert(v.found && v.kind == JSON_STRING);
	ck_assert_str_eq(v.dec, sb->slot[0].request);

	check_json_number(m, n, "workers.1.slot", "2");
	check_json_number(m, n, "workers.1.pid", "4243");
	check_json_number(m, n, "workers.1.requests", "0");
	snprintf(path, sizeof(path), "%d", IDLE_B);
	check_json_number(m, n, "workers.1.idle_connections", path);
	check_json_number(m, n, "workers.1.seconds", "7");
	json_get(m, n, "workers.1.state", &v);
	ck_assert_str_eq(v.dec, scoreboard_state_name(SCOREBOARD_WRITING));
	json_get(m, n, "workers.1.request", &v);
	ck_assert(v.found && v.kind == JSON_STRING);
	ck_assert_str_eq(v.dec, LINE_B);
	/* RFC 8259 §7: the quotation mark is escaped; < > & are too. */
	ck_assert_str_eq(v.raw, "GET /\\u003cscript\\u003ealert(\\\"x\\\")"
	    "\\u0026'\\u003c/script\\u003e HTTP/1.1");
	json_get(m, n, "workers.1.client", &v);
	ck_assert_str_eq(v.dec, CLIENT_B);
	json_get(m, n, "workers.2", &v);
	ck_assert(!v.found);
}
END_TEST

/* Both formats agree with the scoreboard after it changes. */
START_TEST(test_changes)
{
	static struct json_val v;
	struct http_response resp;

	/* Slot 2's client kept its connection: back to idle, with more. */
	scoreboard_end_request(&sb->slot[2], 4000);
	scoreboard_set_state(&sb->slot[2], SCOREBOARD_IDLE);
	scoreboard_set_idle_conns(&sb->slot[2], 6);
	/* Slot 0's worker is gone, and its connections with it. */
	scoreboard_clear(sb, 0);
	sb->generation = 4;
	now += 100;

	render(true, &resp);
	check_json_number(resp.mem, resp.mem_len, "requests", "12");
	check_json_number(resp.mem, resp.mem_len, "bytes", "10000");
	check_json_number(resp.mem, resp.mem_len, "uptime", "200");
	check_json_number(resp.mem, resp.mem_len, "generation", "4");
	check_json_number(resp.mem, resp.mem_len, "requests_per_second",
	    "0.06");
	check_json_number(resp.mem, resp.mem_len, "idle_connections", "6");
	json_get(resp.mem, resp.mem_len, "workers", &v);
	ck_assert_uint_eq(v.members, 1);
	check_json_number(resp.mem, resp.mem_len, "workers.0.pid", "4243");
	check_json_number(resp.mem, resp.mem_len,
	    "workers.0.idle_connections", "6");
	json_get(resp.mem, resp.mem_len, "workers.0.seconds", &v);
	ck_assert_str_eq(v.raw, "null");

	render(false, &resp);
	ck_assert_uint_eq(count(resp.mem, resp.mem_len, "<tr class=\"slot\">"),
	    1);
	ck_assert(contains(&resp, "<th>Requests</th><td>12</td>"));
	ck_assert(contains(&resp, "<th>Requests per second</th><td>0.06"
	    "</td>"));
	ck_assert(contains(&resp, "<th>Connections waiting for a request</th>"
	    "<td>6</td>"));
	ck_assert(contains(&resp, "<td class=\"n\">4000</td>"
	    "<td class=\"n\">6</td><td class=\"req\">"));
	ck_assert(!contains(&resp, "<td class=\"n\">4242</td>"));
}
END_TEST

/* Within the first second the rate is the requests so far; a clock
 * stepped back shows an uptime of 0, not a negative one. */
START_TEST(test_clock)
{
	struct http_response resp;

	now = sb->started;
	render(false, &resp);
	ck_assert(contains(&resp, "(0 s)"));
	ck_assert(contains(&resp, "<th>Requests per second</th><td>11.00"
	    "</td>"));
	now = sb->started - 50;
	render(true, &resp);
	check_json_number(resp.mem, resp.mem_len, "uptime", "0");
	check_json_number(resp.mem, resp.mem_len, "workers.1.seconds", "0");
}
END_TEST

/* ------------------------------------------------------------------ */
/* Escaping, byte by byte, in both formats. */

static const struct {
	const char *line;
	const char *html;
	const char *json;	/* as written, between the quotes */
	const char *note;
} esc_cases[] = {
	{ "a<b>c", "a&lt;b&gt;c", "a\\u003cb\\u003ec", "angle brackets" },
	{ "\"q\"", "&quot;q&quot;", "\\\"q\\\"",
	    "RFC 8259 7: quotation mark" },
	{ "it's", "it&#39;s", "it's", "apostrophe (attribute-safe)" },
	{ "a&b", "a&amp;b", "a\\u0026b", "ampersand" },
	{ "back\\slash", "back\\\\slash", "back\\\\slash",
	    "RFC 8259 7: reverse solidus" },
	{ "\x01", "\\x01", "\\u0001", "RFC 8259 7: control U+0001" },
	{ "\x1f", "\\x1f", "\\u001f", "RFC 8259 7: control U+001F" },
	{ "\t", "\\x09", "\\u0009", "tab" },
	{ "\x7f", "\\x7f", "\\u007f", "DEL" },
	{ "\xc3\xa9", "\\xc3\\xa9", "\\u00c3\\u00a9",
	    "non-ASCII bytes, one by one" },
	{ "\xff", "\\xff", "\\u00ff", "byte 0xff" },
	{ "</script>", "&lt;/script&gt;", "\\u003c/script\\u003e",
	    "end tag" },
	{ "/ok-_~.%20", "/ok-_~.%20", "/ok-_~.%20", "left as it is" },
};

START_TEST(test_escape)
{
	static struct json_val v;
	struct http_response resp;
	char cell[2048], text[2048];

	/* Written as a worker would leave it, bypassing its '?' for
	 * controls: the page must not trust the scoreboard. */
	util_strlcpy(sb->slot[0].request, esc_cases[_i].line,
	    sizeof(sb->slot[0].request));
	util_strlcpy(sb->slot[0].client, esc_cases[_i].line,
	    sizeof(sb->slot[0].client));

	render(false, &resp);
	html_cell(&resp, "<td class=\"req\">", 0, cell, sizeof(cell));
	ck_assert_msg(strcmp(cell, esc_cases[_i].html) == 0,
	    "%s: HTML %s, want %s", esc_cases[_i].note, cell,
	    esc_cases[_i].html);
	html_unescape(cell, text, sizeof(text));
	ck_assert_str_eq(text, esc_cases[_i].line);
	html_cell(&resp, "<td class=\"client\">", 0, cell, sizeof(cell));
	ck_assert_str_eq(cell, esc_cases[_i].html);

	render(true, &resp);
	check_json_python(resp.mem, resp.mem_len);
	json_get(resp.mem, resp.mem_len, "workers.0.request", &v);
	ck_assert(v.found && v.kind == JSON_STRING);
	ck_assert_msg(strcmp(v.raw, esc_cases[_i].json) == 0,
	    "%s: JSON %s, want %s", esc_cases[_i].note, v.raw,
	    esc_cases[_i].json);
	ck_assert_str_eq(v.dec, esc_cases[_i].line);
	json_get(resp.mem, resp.mem_len, "workers.0.client", &v);
	ck_assert_str_eq(v.raw, esc_cases[_i].json);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The bound. */

/*
 * Every slot busy with the longest numbers, state name and strings that
 * escape the most: for HTML '"' (6 bytes each), for JSON a byte >= 0x80
 * (6 too).
 */
static void
fill_worst(struct scoreboard *b, bool json)
{
	char fill = json ? '\x80' : '"';
	int longest = SCOREBOARD_EMPTY;

	for (int st = 0; st < SCOREBOARD_STATE_COUNT; st++)
		if (strlen(scoreboard_state_name(st)) >
		    strlen(scoreboard_state_name(longest)))
			longest = st;

	b->started = 1;
	b->generation = UINT_MAX;
	b->reloads = UINT64_MAX;
	b->past_requests = UINT64_MAX / 2;
	b->past_bytes = UINT64_MAX / 2;
	for (size_t i = 0; i < b->nslots; i++) {
		struct scoreboard_slot *s = &b->slot[i];

		s->pid = INT_MIN;
		s->generation = UINT_MAX;
		s->state = longest;
		s->idle_conns = UINT32_MAX;
		s->requests = UINT64_MAX;
		s->bytes = UINT64_MAX;
		s->request_start_ms = 1;
		s->request_start = 1;
		memset(s->request, fill, sizeof(s->request) - 1);
		s->request[sizeof(s->request) - 1] = '\0';
		memset(s->client, fill, sizeof(s->client) - 1);
		s->client[sizeof(s->client) - 1] = '\0';
	}
}

/* status_init(n): a page of n busy slots always fits.  4096 is the
 * largest max-workers. */
static const size_t bound_slots[] = { 0, 1, 7, 256, 4096 };

START_TEST(test_bound)
{
	size_t n = bound_slots[_i];
	struct scoreboard *b = scoreboard_create(n);
	size_t esc = 6 * (SCOREBOARD_LINE_MAX - 1 + SCOREBOARD_CLIENT_MAX - 1);
	struct http_response resp;
	char err[128];

	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(status_init(n), 0);
	for (int json = 0; json < 2; json++) {
		fill_worst(b, json);
		http_response_init(&resp);
		ck_assert_msg(status_page(b, json, (time_t)INT64_MAX, &resp)
		    == 200, "%zu slots, %s: %d", n, json ? "JSON" : "HTML",
		    resp.status);
		/* The rows are there, escaped to the full: not a page that
		 * fits because it left something out. */
		ck_assert_uint_gt(resp.mem_len, n * esc);
		if (json) {
			ck_assert_msg(json_parse(resp.mem, resp.mem_len, NULL,
			    NULL, err, sizeof(err)), "%s", err);
			if (n <= 7)
				check_json_python(resp.mem, resp.mem_len);
		} else {
			ck_assert_uint_eq(count(resp.mem, resp.mem_len,
			    "<tr class=\"slot\">"), n);
			ck_assert(memcmp(resp.mem + resp.mem_len - 8,
			    "</html>\n", 8) == 0);
		}
	}
	scoreboard_destroy(b);
}
END_TEST

/*
 * A scoreboard larger than status_init() was told: a 500, not an
 * overflow (ASan builds would catch one), and the error page is whole.
 * Well past test_bound's largest (whose buffer has some slack), so that
 * this holds even when CK_FORK=no leaves that buffer in place.
 */
#define TOO_MANY 6000

START_TEST(test_too_small)
{
	struct scoreboard *b = scoreboard_create(TOO_MANY);
	struct http_response resp;

	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(status_init(1), 0);
	for (int json = 0; json < 2; json++) {
		fill_worst(b, json);
		http_response_init(&resp);
		ck_assert_int_eq(status_page(b, json, time(NULL), &resp), 500);
		ck_assert_int_eq(resp.status, 500);
		ck_assert_int_eq(resp.body, HTTP_BODY_MEM);
		ck_assert_str_eq(resp.content_type, "text/html");
		ck_assert(memmem(resp.mem, resp.mem_len, "500", 3) != NULL);
		ck_assert_int_eq(resp.content_length, (off_t)resp.mem_len);
	}
	/* A larger status_init() makes room. */
	ck_assert_int_eq(status_init(TOO_MANY), 0);
	http_response_init(&resp);
	ck_assert_int_eq(status_page(b, true, time(NULL), &resp), 200);
	scoreboard_destroy(b);
}
END_TEST

/*
 * Before status_init() there is no buffer: 500.  Added first, so that it
 * runs before any status_init() even when CK_FORK=no keeps one process.
 */
START_TEST(test_no_init)
{
	struct scoreboard *b = scoreboard_create(2);
	struct http_response resp;

	ck_assert_ptr_nonnull(b);
	http_response_init(&resp);
	ck_assert_int_eq(status_page(b, false, time(NULL), &resp), 500);
	ck_assert_int_eq(resp.status, 500);
	ck_assert_int_eq(resp.body, HTTP_BODY_MEM);
	scoreboard_destroy(b);
}
END_TEST

START_TEST(test_init_limits)
{
	struct http_response resp;

	errno = 0;
	ck_assert_int_eq(status_init(SIZE_MAX), -1);
	ck_assert_int_eq(errno, ENOMEM);
	ck_assert_int_eq(status_init(SIZE_MAX / 2), -1);
	/* No scoreboard: 500 even with a buffer. */
	ck_assert_int_eq(status_init(1), 0);
	ck_assert_int_eq(status_init(1), 0);
	http_response_init(&resp);
	ck_assert_int_eq(status_page(NULL, false, time(NULL), &resp), 500);
}
END_TEST

static Suite *
status_suite(void)
{
	Suite *s = suite_create("status");
	TCase *tc;

	tc = tcase_create("init");
	tcase_add_test(tc, test_no_init);
	tcase_add_test(tc, test_init_limits);
	suite_add_tcase(s, tc);

	tc = tcase_create("allowed");
	tcase_add_loop_test(tc, test_allowed, 0, ROWS(allow_cases));
	tcase_add_test(tc, test_allowed_no_peer);
	suite_add_tcase(s, tc);

	tc = tcase_create("json parser");
	tcase_add_loop_test(tc, test_json_parser, 0, ROWS(json_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("page");
	tcase_add_checked_fixture(tc, board_setup, board_teardown);
	tcase_add_test(tc, test_html);
	tcase_add_test(tc, test_json);
	tcase_add_test(tc, test_changes);
	tcase_add_test(tc, test_clock);
	tcase_add_loop_test(tc, test_escape, 0, ROWS(esc_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("bound");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_bound, 0, ROWS(bound_slots));
	tcase_add_test(tc, test_too_small);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(status_suite());
}
