/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cond.h - validators and conditional requests (RFC 9110 §8.8, §13): the
 * entity tag of a file, HTTP-date parsing, and the evaluation of
 * If-Match, If-Unmodified-Since, If-None-Match, If-Modified-Since and
 * If-Range in the order RFC 9110 §13.2.2 gives.  Pure: no I/O, no
 * allocation.
 */
#ifndef FORKHTTPD_COND_H
#define FORKHTTPD_COND_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <time.h>

#include "http.h"

/* The validators of the selected representation. */
struct cond_validators {
	const char *etag;	/* a strong entity-tag with its quotes */
	size_t etag_len;
	time_t last_modified;	/* seconds; what Last-Modified says */
};

/*
 * Writes the strong entity tag of a file, quotes included, into out
 * (HTTP_ETAG_MAX bytes): lowercase hex of inode, size and the
 * modification time in nanoseconds, '"ino-size-mtime"'.  Any change that
 * rewrites the file changes one of them.  Returns the length.
 */
size_t cond_etag(const struct stat *st, char out[HTTP_ETAG_MAX]);

/*
 * Parses an HTTP-date (RFC 9110 §5.6.7): IMF-fixdate, and the obsolete
 * rfc850-date and asctime-date a recipient MUST accept.  A two-digit
 * rfc850 year that would lie more than 50 years in the future is taken
 * as the past century.  Returns false for anything else, with trailing
 * bytes or an impossible date (day 31 of a 30-day month, hour 24).
 */
bool cond_parse_date(const char *p, size_t len, time_t *out);

/*
 * Evaluates the preconditions of req against v in RFC 9110 §13.2.2 order:
 *   1. If-Match: false -> 412;
 *   2. else If-Unmodified-Since (a valid date): modified after it -> 412;
 *   3. If-None-Match: false -> 304 for GET and HEAD, else 412;
 *   4. else, for GET and HEAD, If-Modified-Since (a valid date): not
 *      modified after it -> 304.
 * If-Match uses the strong comparison, If-None-Match the weak one
 * (RFC 9110 §8.8.3.2); "*" matches any current representation.  A list
 * that does not parse as 1#entity-tag (or "*") is false for If-Match and
 * ignored for If-None-Match (the full response is the safe answer).
 * Returns 0 to go on, HTTP_STATUS_NOT_MODIFIED or
 * HTTP_STATUS_PRECONDITION_FAILED.
 */
int cond_evaluate(const struct http_request *req,
    const struct cond_validators *v);

/*
 * RFC 9110 §13.1.5: whether a Range in req applies.  True without
 * If-Range; with one, true only if it is an entity-tag equal to v's by
 * the strong comparison, or an HTTP-date exactly equal to
 * v->last_modified.  A weak tag, an invalid value or a mismatch: false,
 * and the whole representation is sent.
 */
bool cond_if_range(const struct http_request *req,
    const struct cond_validators *v);

#endif
