/* SPDX-License-Identifier: BSD-2-Clause */
#include "autoconf.h"
/*
 * fuzz_log_format.c - libFuzzer target for log_format_compile() and
 * log_format_render().  The first byte picks the escaping (bit 0) and the
 * line buffer (bit 1: LOG_FORMAT_MIN_CAP, else 16 KiB); the input up to
 * the first NUL is a format string, the rest the request line and, split
 * at its first CR, a User-Agent value.  Each compiled format is rendered,
 * and so is the named "combined" or "json" with the same values.  Besides
 * the sanitizers' findings, it aborts when the contract breaks: a line
 * longer than the buffer, not ending in exactly one newline, a CR in it,
 * a control byte a value put there (only a format's literal TAB may be),
 * or, for JSON, a byte >= 0x80 outside well-formed UTF-8 (RFC 3629).
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined \
 *       -fno-sanitize-recover=undefined -I. -Isrc \
 *       tests/fuzz/fuzz_log_format.c src/log_format.c src/http.c \
 *       -o fuzz_log_format
 *   ./fuzz_log_format -max_total_time=60 tests/fuzz/corpus/fuzz_log_format
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "log_format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t
fuzz_utf8(const unsigned char *s, size_t n)
{
	size_t len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;

	if (len == 0 || n < len || s[0] > 0xf4)
		return 0;
	for (size_t k = 1; k < len; k++)
		if ((s[k] & 0xc0) != 0x80)
			return 0;
	return len;
}

static void
fuzz_check(const char *buf, size_t n, size_t cap, bool json, bool named)
{
	const unsigned char *u = (const unsigned char *)buf;

	if (n == 0 || n > cap || buf[n - 1] != '\n')
		abort();
	for (size_t i = 0; i + 1 < n; i++) {
		if (u[i] == '\n' || u[i] == '\r')
			abort();
		if (named && (u[i] < 0x20 || u[i] == 0x7f))
			abort();
		if (named && json && u[i] >= 0x80) {
			size_t k = fuzz_utf8(u + i, n - 1 - i);

			if (k == 0)
				abort();
			i += k - 1;
		}
		if (named && !json && u[i] >= 0x80)
			abort();
	}
}

static void
fuzz_render(struct log_format *f, const struct log_format_entry *e,
    size_t cap, bool json, bool named)
{
	static char buf[16384];

	fuzz_check(buf, log_format_render(f, e, buf, cap), cap, json, named);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char fields[70000];
	struct http_request req;
	struct log_format_entry e = {
		.client = "192.0.2.1", .client_port = 1, .server = "s",
		.start_us = 1, .end_us = 2, .status = 200, .req = &req,
		.conn_status = '+',
	};
	const char *spec, *rest, *cr;
	char err[256], *specbuf;
	struct log_format *f;
	size_t speclen, restlen, n = 0;
	bool json;
	size_t cap;

	if (size < 1 || size > 60000)
		return 0;
	json = data[0] & 1;
	cap = data[0] & 2 ? LOG_FORMAT_MIN_CAP : 16384;
	spec = (const char *)data + 1;
	speclen = strnlen(spec, size - 1);
	rest = spec + speclen + (speclen < size - 1);
	restlen = size - 1 - (size_t)(rest - spec);
	memset(&req, 0, sizeof(req));
	cr = memchr(rest, '\r', restlen);
	e.request_line = rest;
	e.request_line_len = cr ? (size_t)(cr - rest) : restlen;
	if (cr != NULL) {
		/* a User-Agent line; field values hold no CR or LF */
		memcpy(fields, "User-Agent: ", 12);
		n = 12;
		for (const char *p = cr + 1; p < rest + restlen; p++)
			fields[n++] = *p == '\r' || *p == '\n' ? ' ' : *p;
		memcpy(fields + n, "\r\n", 2);
		req.fields = (struct http_slice){ fields, n + 2 };
	}
	if ((specbuf = malloc(speclen + 1)) == NULL)
		return 0;
	memcpy(specbuf, spec, speclen);
	specbuf[speclen] = '\0';
	f = log_format_compile(specbuf, json ? LOG_FORMAT_JSON :
	    LOG_FORMAT_APACHE, err, sizeof(err));
	free(specbuf);
	if (f != NULL) {
		fuzz_render(f, &e, cap, json, false);
		log_format_free(f);
	}
	f = log_format_compile(json ? "json" : "combined", json ?
	    LOG_FORMAT_JSON : LOG_FORMAT_APACHE, err, sizeof(err));
	if (f == NULL)
		abort();
	fuzz_render(f, &e, cap, json, true);
	log_format_free(f);
	return 0;
}
