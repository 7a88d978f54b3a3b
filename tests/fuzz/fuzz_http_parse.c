/* SPDX-License-Identifier: BSD-2-Clause */
#include "autoconf.h"
/*
 * fuzz_http_parse.c - libFuzzer target for http_parse_frame() and
 * http_parse_request() with the default limits.  Besides the sanitizers'
 * findings, it aborts when an invariant of the contract breaks: slices
 * outside the buffer, an unknown status, framing and parsing that
 * disagree, keep-alive after an error.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -Isrc \
 *       tests/fuzz/fuzz_http_parse.c src/http_parse.c src/http.c
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct http_limits fuzz_limits = {
	.request_line_max = 8192, .field_max = 8192, .header_max = 16384,
	.fields_max = 100,
};

static void
fuzz_check_slice(const char *buf, size_t len, struct http_slice s)
{
	uintptr_t lo = (uintptr_t)buf, p = (uintptr_t)s.p;

	if (s.len == 0)
		return;
	if (s.p == NULL || p < lo || s.len > len || p - lo > len - s.len)
		abort();
}

/*
 * Every field line is handed out, each a token name and a value inside
 * the buffer with no CR, LF or surrounding whitespace, as many as the
 * limit allows, ending exactly at the end of the field section.
 */
static void
fuzz_check_fields(const char *buf, size_t len, const struct http_request *req)
{
	struct http_slice name, value;
	size_t pos = 0;
	unsigned n = 0;

	fuzz_check_slice(buf, len, req->fields);
	while (http_request_field_next(req, &pos, &name, &value)) {
		fuzz_check_slice(buf, len, name);
		fuzz_check_slice(buf, len, value);
		if (name.len == 0 || ++n > fuzz_limits.fields_max)
			abort();
		for (size_t i = 0; i < name.len; i++)
			if (!http_is_tchar((unsigned char)name.p[i]))
				abort();
		if (memchr(value.p, '\r', value.len) != NULL ||
		    memchr(value.p, '\n', value.len) != NULL ||
		    (value.len > 0 && (http_is_ows((unsigned char)value.p[0]) ||
		    http_is_ows((unsigned char)value.p[value.len - 1]))))
			abort();
	}
	if (pos != req->fields.len)
		abort();
}

static bool
fuzz_known_status(int status)
{
	switch (status) {
	case 0:
	case HTTP_STATUS_BAD_REQUEST:
	case HTTP_STATUS_URI_TOO_LONG:
	case HTTP_STATUS_HEADER_TOO_LARGE:
	case HTTP_STATUS_EXPECTATION_FAILED:
	case HTTP_STATUS_NOT_IMPLEMENTED:
	case HTTP_STATUS_VERSION_NOT_SUPPORTED:
		return true;
	default:
		return false;
	}
}

/* Parses buf[0..len) and checks what the header promises. */
static int
fuzz_parse(const char *buf, size_t len)
{
	struct http_request req;
	int status = http_parse_request(buf, len, &fuzz_limits, &req);

	if (!fuzz_known_status(status))
		abort();
	fuzz_check_slice(buf, len, req.method_name);
	fuzz_check_slice(buf, len, req.request_line);
	fuzz_check_slice(buf, len, req.target);
	fuzz_check_slice(buf, len, req.path);
	fuzz_check_slice(buf, len, req.query);
	fuzz_check_slice(buf, len, req.host);
	fuzz_check_slice(buf, len, req.user_agent);
	fuzz_check_slice(buf, len, req.referer);
	fuzz_check_slice(buf, len, req.if_modified_since);
	fuzz_check_slice(buf, len, req.if_unmodified_since);
	fuzz_check_slice(buf, len, req.range);
	fuzz_check_slice(buf, len, req.if_range);
	if (req.if_match.n > HTTP_LIST_LINES_MAX ||
	    req.if_none_match.n > HTTP_LIST_LINES_MAX)
		abort();
	for (unsigned i = 0; i < req.if_match.n; i++)
		fuzz_check_slice(buf, len, req.if_match.line[i]);
	for (unsigned i = 0; i < req.if_none_match.n; i++)
		fuzz_check_slice(buf, len, req.if_none_match.line[i]);
	if (req.version != HTTP_VERSION_10 && req.version != HTTP_VERSION_11)
		abort();
	if (req.header_len != len)
		abort();
	if (status != 0 && req.keep_alive)
		abort();
	if (status == 0) {
		size_t end = 0;
		int fstatus = 0;

		if (req.method_name.len == 0 || req.request_line.len == 0 ||
		    req.target.len == 0 ||
		    req.request_line.len > fuzz_limits.request_line_max ||
		    len > fuzz_limits.header_max)
			abort();
		if (req.content_length > 0 && !req.has_body)
			abort();
		/* Framing is one of three, and a body has exactly one. */
		if (req.has_body != (req.framing != HTTP_FRAMING_NONE) ||
		    (req.framing == HTTP_FRAMING_LENGTH &&
		    req.content_length == 0))
			abort();
		/* RFC 9110 §10.1.1: 1.0 expectations are ignored. */
		if (req.expect_continue && req.version != HTTP_VERSION_11)
			abort();
		if ((int)req.method < 0 || req.method >= HTTP_METHOD_COUNT)
			abort();
		fuzz_check_fields(buf, len, &req);
		/* What parses is exactly one framed block. */
		if (http_parse_frame(buf, len, &fuzz_limits, &end, &fstatus) !=
		    HTTP_FRAME_COMPLETE || end != len)
			abort();
	}
	return status;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy, so that ASan sees any read past the end. */
	char *buf = malloc(size > 0 ? size : 1);
	size_t end = 0, end2 = 0;
	int status = 0;

	if (buf == NULL)
		return 0;
	buf[0] = '\0';
	if (size > 0)
		memcpy(buf, data, size);

	switch (http_parse_frame(buf, size, &fuzz_limits, &end, &status)) {
	case HTTP_FRAME_COMPLETE:
		if (end == 0 || end > size || end > fuzz_limits.header_max)
			abort();
		/* Stateless: the block alone frames the same, one byte less
		 * is incomplete. */
		if (http_parse_frame(buf, end, &fuzz_limits, &end2, &status) !=
		    HTTP_FRAME_COMPLETE || end2 != end)
			abort();
		if (http_parse_frame(buf, end - 1, &fuzz_limits, &end2,
		    &status) != HTTP_FRAME_INCOMPLETE)
			abort();
		(void)fuzz_parse(buf, end);
		break;
	case HTTP_FRAME_ERROR:
		if (status != HTTP_STATUS_BAD_REQUEST &&
		    status != HTTP_STATUS_URI_TOO_LONG &&
		    status != HTTP_STATUS_HEADER_TOO_LARGE)
			abort();
		break;
	case HTTP_FRAME_INCOMPLETE:
		if (size > fuzz_limits.header_max)
			abort();
		break;
	default:
		abort();
	}
	/* The parser must also hold up on bytes nobody framed. */
	(void)fuzz_parse(buf, size);
	free(buf);
	return 0;
}
