/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * http_response.h - pure response formatting: a struct http_response and
 * the current time in, the status line and header fields out, written to
 * a caller's buffer.  Also the small HTML bodies of error responses and
 * the IMF-fixdate format (RFC 9110 §5.6.7).
 */
#ifndef FORKHTTPD_HTTP_RESPONSE_H
#define FORKHTTPD_HTTP_RESPONSE_H

#include "http.h"

/* "Sun, 06 Nov 1994 08:49:37 GMT" plus the NUL. */
#define HTTP_DATE_LEN 30

/* Writes t as an IMF-fixdate into out (HTTP_DATE_LEN bytes). */
void http_date_format(time_t t, char out[HTTP_DATE_LEN]);

/*
 * Writes the status line and header fields of resp, ending with the empty
 * line, into buf.  date is an IMF-fixdate.  Returns the number of bytes
 * written, or 0 if cap is too small.
 */
size_t http_response_format(const struct http_response *resp,
    const char *date, char *buf, size_t cap);

/*
 * Closes the file of resp (HTTP_BODY_FILE or HTTP_BODY_RANGES) unless it
 * is the file cache's (fd_cached), and forgets it: fd -1.
 */
void http_response_close_fd(struct http_response *resp);

/*
 * Turns resp into a response for status with a small static HTML body:
 * errors, and redirects (the Location set before is kept).  Any open file
 * in resp is let go first (http_response_close_fd()), and the
 * validators go.  keep_alive, head_only and allow are left as they are,
 * and so are the Content-Range fields for a 416 (cleared otherwise).
 */
void http_response_error(struct http_response *resp, int status);

#endif
