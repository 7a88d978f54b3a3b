/* SPDX-License-Identifier: BSD-2-Clause */
#include "autoconf.h"
/*
 * fuzz_cond.c - libFuzzer target for cond_evaluate(), cond_if_range() and
 * cond_parse_date().  Input: a method byte, a byte of presence bits, a
 * byte that offsets Last-Modified from 784111777 (the RFC's example
 * date, so that dates in the seeds hit it), then pieces separated by
 * '\n': the validator's entity tag, two If-Match lines, two
 * If-None-Match lines, If-Modified-Since, If-Unmodified-Since and
 * If-Range.  Each piece gets an exact-size buffer of its own, so ASan
 * sees a read past any of them.
 *
 * Besides the sanitizers' findings it aborts when the contract breaks:
 * a status other than 0, 304 and 412; 304 for a method other than GET
 * and HEAD; GET and HEAD answered differently; a field RFC 9110 §13.1.3-4
 * says to ignore that changes the answer (If-Unmodified-Since beside
 * If-Match, If-Modified-Since beside If-None-Match or for other methods);
 * cond_if_range() false without If-Range or unequal to the date test;
 * and a date that parses but does not survive the server's own
 * formatter (http_date_format) and back, or, for an IMF-fixdate, does
 * not format to the same text (when its weekday is right).
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined \
 *       -fno-sanitize-recover=undefined -I. -Isrc \
 *       tests/fuzz/fuzz_cond.c src/cond.c src/http.c src/http_response.c \
 *       -o fuzz_cond
 *   ./fuzz_cond -max_total_time=60 tests/fuzz/corpus/fuzz_cond
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cond.h"
#include "http_response.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum {
	FUZZ_ETAG, FUZZ_IM0, FUZZ_IM1, FUZZ_INM0, FUZZ_INM1, FUZZ_IMS,
	FUZZ_IUS, FUZZ_IF_RANGE, FUZZ_PIECES
};

/* 1000-01-01 and 9999-12-31 23:59:59: years the formatter writes as 4DIGIT. */
#define FUZZ_T_MIN ((time_t)-30610224000LL)
#define FUZZ_T_MAX ((time_t)253402300799LL)

static void
fuzz_check_status(int st, enum http_method m)
{
	if (st != 0 && st != HTTP_STATUS_NOT_MODIFIED &&
	    st != HTTP_STATUS_PRECONDITION_FAILED)
		abort();
	if (st == HTTP_STATUS_NOT_MODIFIED && m != HTTP_METHOD_GET &&
	    m != HTTP_METHOD_HEAD)
		abort();
}

/*
 * A date that parses must come back from http_date_format() as a date
 * that parses to the same second; an IMF-fixdate with the right weekday
 * and no leap second must come back as the same text.
 */
static void
fuzz_check_date(const char *p, size_t len)
{
	char out[HTTP_DATE_LEN];
	time_t t, t2;

	if (!cond_parse_date(p, len, &t))
		return;
	if (t < FUZZ_T_MIN || t > FUZZ_T_MAX)
		return;
	http_date_format(t, out);
	if (strlen(out) != 29)
		abort();
	if (!cond_parse_date(out, strlen(out), &t2) || t2 != t)
		abort();
	if (len == 29 && p[3] == ',' && memcmp(p + 23, "60", 2) != 0 &&
	    memcmp(p, out, 3) == 0 && memcmp(p, out, 29) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *piece[FUZZ_PIECES];
	size_t plen[FUZZ_PIECES];
	struct http_request req;
	struct cond_validators v;
	size_t pos;
	unsigned present;
	int st, st2;

	if (size < 3)
		return 0;
	memset(&req, 0, sizeof(req));
	req.method = (enum http_method)(data[0] % HTTP_METHOD_COUNT);
	present = data[1];
	v.last_modified = (time_t)784111777 + (int8_t)data[2];

	pos = 3;
	for (int i = 0; i < FUZZ_PIECES; i++) {
		const uint8_t *nl = pos < size ?
		    memchr(data + pos, '\n', size - pos) : NULL;
		size_t end = nl != NULL ? (size_t)(nl - data) : size;

		plen[i] = pos < size ? end - pos : 0;
		piece[i] = malloc(plen[i] > 0 ? plen[i] : 1);
		if (piece[i] == NULL)
			abort();
		if (plen[i] > 0)
			memcpy(piece[i], data + pos, plen[i]);
		pos = end < size ? end + 1 : size;
	}

	v.etag = piece[FUZZ_ETAG];
	v.etag_len = plen[FUZZ_ETAG];
	/* Presence bits: an absent piece is a NULL slice or no line. */
	for (int i = FUZZ_IM0; i <= FUZZ_INM1; i++) {
		struct http_field_list *f = i <= FUZZ_IM1 ? &req.if_match :
		    &req.if_none_match;

		if (present & (1u << i)) {
			f->line[f->n].p = piece[i];
			f->line[f->n].len = plen[i];
			f->n++;
		}
	}
	if (present & (1u << FUZZ_IMS)) {
		req.if_modified_since.p = piece[FUZZ_IMS];
		req.if_modified_since.len = plen[FUZZ_IMS];
	}
	if (present & (1u << FUZZ_IUS)) {
		req.if_unmodified_since.p = piece[FUZZ_IUS];
		req.if_unmodified_since.len = plen[FUZZ_IUS];
	}
	if (present & (1u << FUZZ_IF_RANGE)) {
		req.if_range.p = piece[FUZZ_IF_RANGE];
		req.if_range.len = plen[FUZZ_IF_RANGE];
	}

	st = cond_evaluate(&req, &v);
	fuzz_check_status(st, req.method);

	/* GET and HEAD are evaluated alike. */
	if (req.method == HTTP_METHOD_GET || req.method == HTTP_METHOD_HEAD) {
		struct http_request r2 = req;

		r2.method = req.method == HTTP_METHOD_GET ? HTTP_METHOD_HEAD :
		    HTTP_METHOD_GET;
		if (cond_evaluate(&r2, &v) != st)
			abort();
	}
	/* No precondition, nothing to say. */
	if (req.if_match.n == 0 && req.if_none_match.n == 0 &&
	    req.if_modified_since.p == NULL &&
	    req.if_unmodified_since.p == NULL && st != 0)
		abort();
	/* RFC 9110 §13.1.4: If-Unmodified-Since is ignored beside If-Match. */
	if (req.if_match.n > 0 && req.if_unmodified_since.p != NULL) {
		struct http_request r2 = req;

		r2.if_unmodified_since.p = NULL;
		r2.if_unmodified_since.len = 0;
		if (cond_evaluate(&r2, &v) != st)
			abort();
	}
	/*
	 * RFC 9110 §13.1.3: If-Modified-Since is ignored beside
	 * If-None-Match and for methods other than GET and HEAD.
	 */
	if (req.if_modified_since.p != NULL && (req.if_none_match.n > 0 ||
	    (req.method != HTTP_METHOD_GET &&
	    req.method != HTTP_METHOD_HEAD))) {
		struct http_request r2 = req;

		r2.if_modified_since.p = NULL;
		r2.if_modified_since.len = 0;
		st2 = cond_evaluate(&r2, &v);
		if (st2 != st)
			abort();
	}

	/* If-Range: absent is true; a valid date is an exact comparison. */
	{
		bool ir = cond_if_range(&req, &v);
		time_t t;

		if (req.if_range.p == NULL && !ir)
			abort();
		if (req.if_range.p != NULL &&
		    cond_parse_date(req.if_range.p, req.if_range.len, &t) &&
		    ir != (t == v.last_modified))
			abort();
	}

	for (int i = 0; i < FUZZ_PIECES; i++)
		fuzz_check_date(piece[i], plen[i]);

	for (int i = 0; i < FUZZ_PIECES; i++)
		free(piece[i]);
	return 0;
}
