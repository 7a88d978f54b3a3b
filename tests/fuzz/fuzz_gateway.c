/* SPDX-License-Identifier: BSD-2-Clause */
#include "autoconf.h"
/*
 * fuzz_gateway.c - libFuzzer target for gateway_head(), the CGI
 * response head parser (RFC 3875 §6).  The input is the head as a
 * script would write it, in an exact-size buffer so that ASan sees a
 * read past it.
 *
 * Besides the sanitizers' findings it aborts when the contract breaks:
 * a result out of the enum; an accepted head whose status is outside
 * 200..599, whose reason or Content-Type holds a control byte, whose
 * Location is empty, too long or not what the head said, whose fields
 * overrun the response's memory or have a name that is not a token or
 * a value with CR, LF or NUL; a local redirect that is not 302 with a
 * path; an accepted head the server cannot write (http_response_format);
 * and a head without CR parsed differently once its LFs become CRLFs.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined \
 *       -fno-sanitize-recover=undefined -I. -Isrc \
 *       tests/fuzz/fuzz_gateway.c src/gateway.c src/static.c ... \
 *       -o fuzz_gateway   (make fuzz lists them all)
 *   ./fuzz_gateway -max_total_time=60 tests/fuzz/corpus/fuzz_gateway
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gateway.h"
#include "http.h"
#include "http_response.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool
fuzz_text_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return false;
	}
	return true;
}

/* What an accepted head must look like. */
static void
fuzz_check(enum gateway_head r, const struct http_response *resp)
{
	static char out[HTTP_LOCATION_MAX + 2 * HTTP_FIELD_BYTES + 4096];

	if (r == GATEWAY_HEAD_BAD)
		return;
	if (r != GATEWAY_HEAD_DOCUMENT && r != GATEWAY_HEAD_LOCAL)
		abort();
	if (resp->status < 200 || resp->status > 599)
		abort();
	if (resp->reason != NULL && (resp->reason[0] == '\0' ||
	    !fuzz_text_ok(resp->reason, strlen(resp->reason))))
		abort();
	if (resp->content_type != NULL &&
	    !fuzz_text_ok(resp->content_type, strlen(resp->content_type)))
		abort();
	if (resp->location_len > sizeof(resp->location) ||
	    !fuzz_text_ok(resp->location, resp->location_len))
		abort();
	if (r == GATEWAY_HEAD_LOCAL && (resp->status != 302 ||
	    resp->location_len == 0 || resp->location[0] != '/' ||
	    (resp->location_len > 1 && resp->location[1] == '/')))
		abort();
	if (resp->field_used > HTTP_FIELD_BYTES ||
	    resp->nfields > HTTP_FIELDS_MAX)
		abort();
	for (unsigned i = 0; i < resp->nfields; i++) {
		const struct http_field *f = &resp->field[i];

		if ((size_t)f->name + f->name_len > resp->field_used ||
		    (size_t)f->value + f->value_len > resp->field_used ||
		    f->name_len == 0)
			abort();
		for (unsigned k = 0; k < f->name_len; k++)
			if (!http_is_tchar((unsigned char)
			    resp->field_buf[f->name + k]))
				abort();
		if (!fuzz_text_ok(resp->field_buf + f->value, f->value_len))
			abort();
	}
	if (http_response_format(resp, "Thu, 01 Jan 1970 00:00:00 GMT", out,
	    sizeof(out)) == 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct http_response a, b;
	enum gateway_head r, r2;
	char *in, *crlf;
	size_t n = 0;

	if (size > 3 * HTTP_FIELD_BYTES)
		return 0;
	if ((in = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(in, data, size);
	http_response_init(&a);
	r = gateway_head(in, size, &a);
	fuzz_check(r, &a);
	if (memchr(in, '\r', size) == NULL &&
	    (crlf = malloc(2 * size + 1)) != NULL) {
		for (size_t i = 0; i < size; i++) {
			if (in[i] == '\n')
				crlf[n++] = '\r';
			crlf[n++] = in[i];
		}
		http_response_init(&b);
		r2 = gateway_head(crlf, n, &b);
		if (r2 != r || (r != GATEWAY_HEAD_BAD && (a.status != b.status ||
		    a.nfields != b.nfields || a.content_length !=
		    b.content_length || a.location_len != b.location_len)))
			abort();
		free(crlf);
	}
	free(in);
	return 0;
}
