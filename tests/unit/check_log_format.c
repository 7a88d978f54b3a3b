/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_log_format.c - the access-log formats: every directive against a
 * fixed request, the named formats, Apache's and JSON's escaping (the
 * JSON lines checked by a strict validator written here from RFC 8259),
 * lines cut to fit without breaking their syntax, and the compile errors.
 */
#include "autoconf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "http.h"
#include "log_format.h"
#include "util.h"

#include "../lib/unit.h"

#define ROWS(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* GET /p/a%20th?x=1&y HTTP/1.1 from 192.0.2.7:40000 to 127.0.0.1:8080,
 * 784111777.250300 to .251800 (1500 us), 200 with 1234 body bytes. */
static const char fields[] =
    "Host: example.org:8080\r\n"
    "Referer: http://r.example/\r\n"
    "User-Agent: agent/1.0\r\n"
    "X-Multi: one\r\n"
    "x-multi: two\r\n"
    "Cookie: a=1; sess=abc; b=2\r\n";
static const char head[] =
    "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
    "Content-Length: 1234\r\nETag: \"x\"\r\n\r\n";
static const char line[] = "GET /p/a%20th?x=1&y HTTP/1.1";

static struct http_request req;

static struct log_format_entry
entry(void)
{
	struct log_format_entry e = {
		.client = "192.0.2.7", .client_port = 40000,
		.local = "127.0.0.1", .local_port = 8080,
		.server = "www.example",
		.start_us = 784111777250300LL, .end_us = 784111777251800LL,
		.request_line = line, .request_line_len = sizeof(line) - 1,
		.req = &req, .status = 200, .bytes_body = 1234,
		.bytes_in = 180, .bytes_out = 1300,
		.head = head, .head_len = sizeof(head) - 1,
		.user = NULL, .keepalives = 3, .conn_status = '+',
	};

	memset(&req, 0, sizeof(req));
	req.method = HTTP_METHOD_GET;
	req.method_name = (struct http_slice){ line, 3 };
	req.request_line = (struct http_slice){ line, sizeof(line) - 1 };
	req.path = (struct http_slice){ line + 4, 9 };
	req.query = (struct http_slice){ line + 14, 5 };
	req.version = HTTP_VERSION_11;
	req.host = (struct http_slice){ fields + 6, 16 };
	req.fields = (struct http_slice){ fields, sizeof(fields) - 1 };
	return e;
}

static char *
render(const char *spec, enum log_format_escape esc,
    const struct log_format_entry *e, size_t cap)
{
	static char buf[20000];
	char err[256] = "";
	struct log_format *f = log_format_compile(spec, esc, err, sizeof(err));
	size_t n;

	ck_assert_msg(f != NULL, "%s: %s", spec, err);
	ck_assert_uint_le(cap, sizeof(buf));
	n = log_format_render(f, e, buf, cap);
	ck_assert_uint_le(n, cap);
	ck_assert_msg(n > 0 && buf[n - 1] == '\n', "no newline");
	ck_assert_msg(memchr(buf, '\n', n - 1) == NULL, "a newline inside");
	buf[n - 1] = '\0';
	log_format_free(f);
	return buf;
}

/* ------------------------------------------------------------------ */
/* every directive */

static const struct {
	const char *spec;
	const char *want;
} directive_cases[] = {
	{ "%h %a %{c}a %{c}h", "192.0.2.7 192.0.2.7 192.0.2.7 192.0.2.7" },
	{ "%A %p %{canonical}p %{local}p %{remote}p",
	    "127.0.0.1 8080 8080 8080 40000" },
	{ "%l %u", "- -" },
	{ "%t", "[06/Nov/1994:08:49:37 +0000]" },
	{ "%{%Y-%m-%dT%H:%M:%S}t", "1994-11-06T08:49:37" },
	{ "%{end:%S}t %{begin:%S}t", "37 37" },
	{ "%{sec}t %{msec}t %{usec}t", "784111777 784111777250 784111777250300" },
	{ "%{msec_frac}t %{usec_frac}t %{end:usec_frac}t", "250 250300 251800" },
	{ "\"%r\"", "\"GET /p/a%20th?x=1&y HTTP/1.1\"" },
	{ "%m %U %q %H", "GET /p/a%20th ?x=1&y HTTP/1.1" },
	{ "%s %>s %<s", "200 200 200" },
	{ "%b %B %I %O", "1234 1234 180 1300" },
	{ "%D %T %{ms}T %{us}T %{s}T", "1500 0 1 1500 0" },
	{ "%{Referer}i|%{user-agent}i|%{X-None}i", "http://r.example/|agent/1.0|-" },
	{ "%{X-Multi}i", "one, two" },
	{ "%{Content-Type}o %{content-length}o %{ETag}o %{Vary}o",
	    "text/html 1234 \\\"x\\\" -" },
	{ "%{sess}C %{a}C %{b}C %{c}C", "abc 1 2 -" },
	{ "%v %V", "www.example example.org" },
	{ "%k %X", "3 +" },
	{ "%% 100%% %%h", "% 100% %h" },
	{ "%200s %!200s %404,500s %!404,500{Referer}i",
	    "200 - - http://r.example/" },
	{ "a\tb %>s", "a\tb 200" },
};

START_TEST(test_directive)
{
	struct log_format_entry e = entry();

	setenv("TZ", "UTC0", 1);
	tzset();
	ck_assert_str_eq(render(directive_cases[_i].spec, LOG_FORMAT_APACHE,
	    &e, 4096), directive_cases[_i].want);
}
END_TEST

/* What is absent, and a request that was not parsed. */
START_TEST(test_absent)
{
	struct log_format_entry e = entry();

	setenv("TZ", "UTC0", 1);
	tzset();
	e.req = NULL;
	e.request_line = NULL;
	e.head = NULL;
	e.local = NULL;
	e.local_port = 0;
	e.server = NULL;
	e.bytes_body = 0;
	e.status = 408;
	ck_assert_str_eq(render("%r %m %U %q| %H %{Referer}i %{a}C %{ETag}o "
	    "%A %p %v %V %b %B %>s", LOG_FORMAT_APACHE, &e, 4096),
	    "- - - | - - - - - - - - - 0 408");
	ck_assert_str_eq(render("%r %m %U %q %H %{Referer}i %A %p %V %b %u",
	    LOG_FORMAT_JSON, &e, 4096),
	    "null null null \"\" null null null null null 0 null");
}
END_TEST

/* mod_ssl's names: a TLS connection's protocol and cipher, else "-". */
START_TEST(test_tls)
{
	struct log_format_entry e = entry();

	ck_assert_str_eq(render("%{SSL_PROTOCOL}x %{SSL_CIPHER}x",
	    LOG_FORMAT_APACHE, &e, 4096), "- -");
	ck_assert_str_eq(render("%{SSL_PROTOCOL}x %{SSL_CIPHER}x",
	    LOG_FORMAT_JSON, &e, 4096), "null null");
	e.tls_protocol = "TLSv1.3";
	e.tls_cipher = "TLS_AES_128_GCM_SHA256";
	ck_assert_str_eq(render("%{SSL_PROTOCOL}x %{SSL_CIPHER}x",
	    LOG_FORMAT_APACHE, &e, 4096), "TLSv1.3 TLS_AES_128_GCM_SHA256");
	ck_assert_str_eq(render("%{SSL_CIPHER}x", LOG_FORMAT_JSON, &e, 4096),
	    "\"TLS_AES_128_GCM_SHA256\"");
}
END_TEST

START_TEST(test_pid)
{
	struct log_format_entry e = entry();
	char want[64];

	snprintf(want, sizeof(want), "%ld %ld %lx", (long)getpid(),
	    (long)getpid(), (unsigned long)getpid());
	ck_assert_str_eq(render("%P %{tid}P %{hextid}P", LOG_FORMAT_APACHE,
	    &e, 4096), want);
}
END_TEST

/* ------------------------------------------------------------------ */
/* named formats */

START_TEST(test_named)
{
	struct log_format_entry e = entry();

	setenv("TZ", "UTC0", 1);
	tzset();
	ck_assert_str_eq(render("common", LOG_FORMAT_APACHE, &e, 4096),
	    "192.0.2.7 - - [06/Nov/1994:08:49:37 +0000] "
	    "\"GET /p/a%20th?x=1&y HTTP/1.1\" 200 1234");
	ck_assert_str_eq(render("combined", LOG_FORMAT_APACHE, &e, 4096),
	    "192.0.2.7 - - [06/Nov/1994:08:49:37 +0000] "
	    "\"GET /p/a%20th?x=1&y HTTP/1.1\" 200 1234 "
	    "\"http://r.example/\" \"agent/1.0\"");
	ck_assert_str_eq(render("vhost_combined", LOG_FORMAT_APACHE, &e, 4096),
	    "www.example:8080 192.0.2.7 - - [06/Nov/1994:08:49:37 +0000] "
	    "\"GET /p/a%20th?x=1&y HTTP/1.1\" 200 1300 "
	    "\"http://r.example/\" \"agent/1.0\"");
	ck_assert_str_eq(render("json", LOG_FORMAT_JSON, &e, 4096),
	    "{\"time\":\"1994-11-06T08:49:37+0000\",\"remote_addr\":"
	    "\"192.0.2.7\",\"remote_user\":null,\"request\":"
	    "\"GET /p/a%20th?x=1&y HTTP/1.1\",\"method\":\"GET\","
	    "\"uri\":\"/p/a%20th\",\"query\":\"?x=1&y\",\"protocol\":"
	    "\"HTTP/1.1\",\"status\":200,\"bytes\":1234,\"referer\":"
	    "\"http://r.example/\",\"user_agent\":\"agent/1.0\","
	    "\"host\":\"example.org\",\"duration_us\":1500}");
	ck_assert_int_eq(log_format_default_escape("json"), LOG_FORMAT_JSON);
	ck_assert_int_eq(log_format_default_escape("combined"),
	    LOG_FORMAT_APACHE);
	ck_assert_int_eq(log_format_default_escape("%h"), LOG_FORMAT_APACHE);
	ck_assert_ptr_null(log_format_named("Combined"));
}
END_TEST

/* ------------------------------------------------------------------ */
/* escaping */

static const struct {
	const char *in;
	size_t len;
	const char *apache;
	const char *json;
} escape_cases[] = {
	{ "plain", 5, "plain", "\"plain\"" },
	{ "a\"b\\c", 5, "a\\\"b\\\\c", "\"a\\\"b\\\\c\"" },
	{ "\b\n\r\t\v", 5, "\\b\\n\\r\\t\\v",
	    "\"\\u0008\\u000a\\u000d\\u0009\\u000b\"" },
	{ "\x01\x1b\x7f", 3, "\\x01\\x1b\\x7f", "\"\\u0001\\u001b\\u007f\"" },
	{ "n\0l", 3, "n\\x00l", "\"n\\u0000l\"" },
	{ "\xc3\xa9", 2, "\\xc3\\xa9", "\"\xc3\xa9\"" },
	{ "\xe2\x82\xac\xf0\x9f\x98\x80", 7,
	    "\\xe2\\x82\\xac\\xf0\\x9f\\x98\\x80",
	    "\"\xe2\x82\xac\xf0\x9f\x98\x80\"" },
	/* not UTF-8: a lone continuation, a lone lead, overlong, a
	 * surrogate, above U+10FFFF, 0xff */
	{ "\x80", 1, "\\x80", "\"\\u0080\"" },
	{ "\xc3z", 2, "\\xc3z", "\"\\u00c3z\"" },
	{ "\xc0\xaf", 2, "\\xc0\\xaf", "\"\\u00c0\\u00af\"" },
	{ "\xe0\x80\xaf", 3, "\\xe0\\x80\\xaf", "\"\\u00e0\\u0080\\u00af\"" },
	{ "\xed\xa0\x80", 3, "\\xed\\xa0\\x80", "\"\\u00ed\\u00a0\\u0080\"" },
	{ "\xf4\x90\x80\x80", 4, "\\xf4\\x90\\x80\\x80",
	    "\"\\u00f4\\u0090\\u0080\\u0080\"" },
	{ "\xff", 1, "\\xff", "\"\\u00ff\"" },
	{ "\xe2\x82", 2, "\\xe2\\x82", "\"\\u00e2\\u0082\"" },
};

START_TEST(test_escape)
{
	struct log_format_entry e = entry();

	e.request_line = escape_cases[_i].in;
	e.request_line_len = escape_cases[_i].len;
	ck_assert_str_eq(render("%r", LOG_FORMAT_APACHE, &e, 4096),
	    escape_cases[_i].apache);
	ck_assert_str_eq(render("%r", LOG_FORMAT_JSON, &e, 4096),
	    escape_cases[_i].json);
}
END_TEST

/* ------------------------------------------------------------------ */
/* a strict JSON validator (RFC 8259), for the lines below */

struct json {
	const unsigned char *p, *end;
};

static bool json_value(struct json *j, int depth);

static void
json_ws(struct json *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' ||
	    *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static bool
json_string(struct json *j)
{
	if (j->p >= j->end || *j->p != '"')
		return false;
	for (j->p++; j->p < j->end; j->p++) {
		unsigned char c = *j->p;

		if (c == '"') {
			j->p++;
			return true;
		}
		if (c < 0x20)
			return false;
		if (c == '\\') {
			if (++j->p >= j->end)
				return false;
			if (*j->p == 'u') {
				for (int k = 0; k < 4; k++)
					if (++j->p >= j->end ||
					    util_hexval((char)*j->p) < 0)
						return false;
			} else if (strchr("\"\\/bfnrt", *j->p) == NULL ||
			    *j->p == '\0')
				return false;
		} else if (c >= 0x80) {
			/* must be well-formed UTF-8 */
			size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 :
			    c >= 0xc2 ? 2 : 0;

			if (len == 0 || (size_t)(j->end - j->p) < len)
				return false;
			for (size_t k = 1; k < len; k++)
				if ((j->p[k] & 0xc0) != 0x80)
					return false;
			j->p += len - 1;
		}
	}
	return false;
}

static bool
json_number(struct json *j)
{
	const unsigned char *s = j->p;

	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p >= j->end || !http_is_digit(*j->p))
		return false;
	if (*j->p == '0' && j->p + 1 < j->end && http_is_digit(j->p[1]))
		return false;	/* no leading zeros */
	while (j->p < j->end && http_is_digit(*j->p))
		j->p++;
	return j->p > s;
}

static bool
json_members(struct json *j, int depth, bool object)
{
	json_ws(j);
	if (j->p < j->end && *j->p == (object ? '}' : ']')) {
		j->p++;
		return true;
	}
	for (;;) {
		json_ws(j);
		if (object) {
			if (!json_string(j))
				return false;
			json_ws(j);
			if (j->p >= j->end || *j->p++ != ':')
				return false;
		}
		if (!json_value(j, depth + 1))
			return false;
		json_ws(j);
		if (j->p >= j->end)
			return false;
		if (*j->p == ',') {
			j->p++;
			continue;
		}
		return *j->p++ == (object ? '}' : ']');
	}
}

static bool
json_value(struct json *j, int depth)
{
	json_ws(j);
	if (depth > 32 || j->p >= j->end)
		return false;
	switch (*j->p) {
	case '{': case '[':
		return j->p++, json_members(j, depth, j->p[-1] == '{');
	case '"':
		return json_string(j);
	case 'n':
		if (j->end - j->p >= 4 && memcmp(j->p, "null", 4) == 0)
			return j->p += 4, true;
		return false;
	default:
		return json_number(j);
	}
}

static bool
json_valid(const char *s)
{
	struct json j = { (const unsigned char *)s,
	    (const unsigned char *)s + strlen(s) };

	if (!json_value(&j, 0))
		return false;
	json_ws(&j);
	return j.p == j.end;
}

/* Random bytes in every client-controlled value: still valid JSON. */
START_TEST(test_json_random)
{
	static char junk[3][600];
	static char flds[2000];
	uint32_t seed = 0x5eed + (uint32_t)_i;

	for (int round = 0; round < 200; round++) {
		struct log_format_entry e = entry();
		size_t len[3], n = 0;

		for (int k = 0; k < 3; k++) {
			len[k] = unit_random(&seed) % sizeof(junk[k]);
			for (size_t b = 0; b < len[k]; b++) {
				unsigned char c = (unsigned char)unit_random(&seed);

				/* field values cannot hold CR or LF */
				junk[k][b] = (char)(k > 0 && (c == '\r' ||
				    c == '\n') ? 'x' : c);
			}
		}
		n += (size_t)snprintf(flds, sizeof(flds), "Referer: ");
		memcpy(flds + n, junk[1], len[1]);
		n += len[1];
		n += (size_t)snprintf(flds + n, sizeof(flds) - n,
		    "\r\nUser-Agent: ");
		memcpy(flds + n, junk[2], len[2]);
		n += len[2];
		memcpy(flds + n, "\r\n", 2);
		n += 2;
		req.fields = (struct http_slice){ flds, n };
		req.host = (struct http_slice){ junk[2], len[2] };
		e.request_line = junk[0];
		e.request_line_len = len[0];
		/* a small cap now and then: cut values must stay valid */
		{
			size_t cap = round % 4 == 0 ? 4096 : 16384;
			const char *l = render("json", LOG_FORMAT_JSON, &e, cap);

			ck_assert_msg(json_valid(l), "not JSON: %s", l);
		}
	}
}
END_TEST

/* ------------------------------------------------------------------ */
/* cutting */

START_TEST(test_cut)
{
	static char big[12000];
	struct log_format_entry e = entry();
	const char *l;

	memset(big, 'a', sizeof(big));
	big[100] = '"';		/* an escape early on */
	e.request_line = big;
	e.request_line_len = sizeof(big);
	l = render("combined", LOG_FORMAT_APACHE, &e, 4096);
	/* full but for the room a number might have taken */
	ck_assert_uint_le(strlen(l) + 1, 4096);
	ck_assert_uint_gt(strlen(l) + 1, 4096 - 20);
	ck_assert_msg(strstr(l, "\" 200 1234 \"http://r.example/\" "
	    "\"agent/1.0\"") != NULL, "the tail after a cut value: %s",
	    l + strlen(l) - 80);
	/* all escapes: never half of one */
	memset(big, 0x01, sizeof(big));
	l = render("\"%r\" %>s", LOG_FORMAT_APACHE, &e, 4096);
	ck_assert_msg(strlen(l) < 4096 && strcmp(l + strlen(l) - 5,
	    "\" 200") == 0 && strcmp(l + strlen(l) - 9, "\\x01\" 200") == 0,
	    "cut inside an escape: %s", l + strlen(l) - 20);
	/* UTF-8: never half a sequence */
	for (size_t i = 0; i + 2 < sizeof(big); i += 3)
		memcpy(big + i, "\xe2\x82\xac", 3);
	l = render("json", LOG_FORMAT_JSON, &e, 4096);
	ck_assert_msg(json_valid(l), "cut JSON: %s", l);
}
END_TEST

/* ------------------------------------------------------------------ */
/* compile errors */

static const struct {
	const char *spec;
	const char *err;
} error_cases[] = {
	{ "%Z", "unknown directive %Z at column 1" },
	{ "abc %y", "unknown directive %y at column 5" },
	{ "%h %", "the format ends inside a directive at column 4" },
	{ "%{Referer", "'{' without '}' at column 2" },
	{ "%i", "%i needs a name: %{Name}i at column 1" },
	{ "%{}o", "%o needs a name: %{Name}o at column 1" },
	{ "%{a b}i", "%{a b}i: not a field or cookie name at column 1" },
	{ "%{x}h", "%{x}h: only {c} is known at column 1" },
	{ "%{x}m", "%m takes no {argument} at column 1" },
	{ "%{x}p", "%{x}p: one of canonical, local, remote at column 1" },
	{ "%{x}P", "%{x}P: one of pid, tid, hextid at column 1" },
	{ "%{x}T", "%{x}T: one of s, ms, us at column 1" },
	{ "%{end:}t", "empty time format in %{...}t at column 1" },
	{ "%{FOO}e", "%e is not supported by forkhttpd at column 1" },
	{ "%x", "%x: one of %{SSL_PROTOCOL}x, %{SSL_CIPHER}x at column 1" },
	{ "%{SSL_X}x", "%x: one of %{SSL_PROTOCOL}x, %{SSL_CIPHER}x at column 1" },
	{ "%f", "%f is not supported by forkhttpd at column 1" },
	{ "%R", "%R is not supported by forkhttpd at column 1" },
	{ "%40s", "a status is 3 digits at column 2" },
	{ "%4000s", "a status is 3 digits at column 2" },
	{ "%!s", "'!' without statuses at column 3" },
	{ "%{a}{b}i", "two {arguments} in one directive at column 5" },
	{ "a\nb", "control character 0x0a in the format at column 2" },
	{ "", "the format is empty" },
};

START_TEST(test_compile_error)
{
	char err[256] = "";
	struct log_format *f = log_format_compile(error_cases[_i].spec,
	    LOG_FORMAT_APACHE, err, sizeof(err));

	ck_assert_msg(f == NULL, "\"%s\" compiled", error_cases[_i].spec);
	ck_assert_str_eq(err, error_cases[_i].err);
}
END_TEST

START_TEST(test_compile_limits)
{
	static char spec[LOG_FORMAT_SPEC_MAX + 2];
	char err[256];
	struct log_format *f;

	memset(spec, 'a', sizeof(spec) - 1);
	ck_assert_ptr_null(log_format_compile(spec, LOG_FORMAT_APACHE, err,
	    sizeof(err)));
	ck_assert_str_eq(err, "the format is longer than 4096 bytes");
	/* literal text past half the smallest line buffer */
	memset(spec, 'a', 2100);
	spec[2100] = '\0';
	ck_assert_ptr_null(log_format_compile(spec, LOG_FORMAT_APACHE, err,
	    sizeof(err)));
	ck_assert_str_eq(err, "the format needs 2101 bytes a line at least; "
	    "at most 2048");
	/* too many items */
	spec[0] = '\0';
	for (int i = 0; i < LOG_FORMAT_ITEMS_MAX + 1; i++)
		strcat(spec, "%s");
	ck_assert_ptr_null(log_format_compile(spec, LOG_FORMAT_APACHE, err,
	    sizeof(err)));
	ck_assert_str_eq(err, "more than 128 items at column 257");
	f = log_format_compile("%A %h", LOG_FORMAT_APACHE, err, sizeof(err));
	ck_assert_uint_eq(log_format_needs(f), LOG_FORMAT_NEED_LOCAL);
	log_format_free(f);
	f = log_format_compile("combined", LOG_FORMAT_APACHE, err, sizeof(err));
	ck_assert_uint_eq(log_format_needs(f), 0);
	log_format_free(f);
}
END_TEST

static Suite *
log_format_suite(void)
{
	Suite *s = suite_create("log_format");
	TCase *tc = tcase_create("log_format");

	tcase_add_loop_test(tc, test_directive, 0, ROWS(directive_cases));
	tcase_add_test(tc, test_absent);
	tcase_add_test(tc, test_pid);
	tcase_add_test(tc, test_tls);
	tcase_add_test(tc, test_named);
	tcase_add_loop_test(tc, test_escape, 0, ROWS(escape_cases));
	tcase_add_loop_test(tc, test_json_random, 0, 4);
	tcase_add_test(tc, test_cut);
	tcase_add_loop_test(tc, test_compile_error, 0, ROWS(error_cases));
	tcase_add_test(tc, test_compile_limits);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(log_format_suite());
}
