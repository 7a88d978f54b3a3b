/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * http_response.c - the status line, the header fields and the small HTML
 * pages of errors and redirects.
 */
#include "autoconf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "http_response.h"

#define HTTP_SERVER_NAME PACKAGE_NAME "/" PACKAGE_VERSION

void
http_date_format(time_t t, char out[HTTP_DATE_LEN])
{
	struct tm tm;

	/*
	 * RFC 9110 §5.6.7: IMF-fixdate, always GMT.  The day and month names
	 * come from strftime() in the C locale, which the server never leaves.
	 */
	gmtime_r(&t, &tm);
	if (strftime(out, HTTP_DATE_LEN, "%a, %d %b %Y %H:%M:%S GMT", &tm) == 0)
		out[0] = '\0';
}

/* Appends a formatted piece; sets *ok false once the buffer is full. */
static size_t __attribute__((format(printf, 5, 6)))
http_response_put(char *buf, size_t cap, size_t n, bool *ok,
    const char *fmt, ...)
{
	va_list ap;
	int k;

	if (!*ok)
		return n;
	va_start(ap, fmt);
	k = vsnprintf(buf + n, cap - n, fmt, ap);
	va_end(ap);
	if (k < 0 || (size_t)k >= cap - n) {
		*ok = false;
		return n;
	}
	return n + (size_t)k;
}

size_t
http_response_format(const struct http_response *resp, const char *date,
    char *buf, size_t cap)
{
	bool ok = cap > 0;
	size_t n = 0;

	/* RFC 9110 §6.2: a server sends the highest version it conforms to. */
	n = http_response_put(buf, cap, n, &ok,
	    "HTTP/1.1 %d %s\r\nDate: %s\r\nServer: " HTTP_SERVER_NAME "\r\n",
	    resp->status, resp->reason != NULL ? resp->reason :
	    http_status_reason(resp->status), date);
	if (resp->body == HTTP_BODY_RANGES)
		/* RFC 9110 §14.6: the parts carry the representation's type. */
		n = http_response_put(buf, cap, n, &ok, "Content-Type: "
		    "multipart/byteranges; boundary=%s\r\n", resp->boundary);
	else if (resp->content_type != NULL)
		n = http_response_put(buf, cap, n, &ok, "Content-Type: %s\r\n",
		    resp->content_type);
	if (resp->content_length >= 0)
		n = http_response_put(buf, cap, n, &ok,
		    "Content-Length: %lld\r\n", (long long)resp->content_length);
	else if (resp->chunked)
		n = http_response_put(buf, cap, n, &ok,
		    "Transfer-Encoding: chunked\r\n");
	if (resp->last_modified > 0) {
		char lm[HTTP_DATE_LEN];

		http_date_format(resp->last_modified, lm);
		n = http_response_put(buf, cap, n, &ok,
		    "Last-Modified: %s\r\n", lm);
	}
	if (resp->etag_len > 0)
		n = http_response_put(buf, cap, n, &ok, "ETag: %.*s\r\n",
		    (int)resp->etag_len, resp->etag);
	/* RFC 9110 §14.3: tell clients that byte ranges are supported. */
	if (resp->accept_ranges)
		n = http_response_put(buf, cap, n, &ok,
		    "Accept-Ranges: bytes\r\n");
	/* RFC 9110 §14.4: Content-Range = range-unit SP ( range-resp /
	 * unsatisfied-range ), the latter "*" "/" complete-length. */
	if (resp->content_range && resp->range_unsatisfied)
		n = http_response_put(buf, cap, n, &ok,
		    "Content-Range: bytes */%llu\r\n",
		    (unsigned long long)resp->range_complete);
	else if (resp->content_range)
		n = http_response_put(buf, cap, n, &ok,
		    "Content-Range: bytes %llu-%llu/%llu\r\n",
		    (unsigned long long)resp->range_first,
		    (unsigned long long)resp->range_last,
		    (unsigned long long)resp->range_complete);
	if (resp->location_len > 0)
		n = http_response_put(buf, cap, n, &ok, "Location: %.*s\r\n",
		    (int)resp->location_len, resp->location);
	if (resp->allow != NULL)
		n = http_response_put(buf, cap, n, &ok, "Allow: %s\r\n",
		    resp->allow);
	if (resp->cache_control != NULL)
		n = http_response_put(buf, cap, n, &ok,
		    "Cache-Control: %s\r\n", resp->cache_control);
	for (unsigned i = 0; i < resp->nfields; i++) {
		const struct http_field *f = &resp->field[i];

		n = http_response_put(buf, cap, n, &ok, "%.*s: %.*s\r\n",
		    (int)f->name_len, resp->field_buf + f->name,
		    (int)f->value_len, resp->field_buf + f->value);
	}
	if (!resp->keep_alive)
		n = http_response_put(buf, cap, n, &ok, "Connection: close\r\n");
	else if (resp->say_keep_alive)
		n = http_response_put(buf, cap, n, &ok,
		    "Connection: keep-alive\r\n");
	n = http_response_put(buf, cap, n, &ok, "\r\n");
	return ok ? n : 0;
}

#define HTTP_PAGE(code, reason, text)					\
	"<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">" \
	"<title>" #code " " reason "</title></head>\n<body>\n<h1>" #code \
	" " reason "</h1>\n<p>" text "</p>\n<hr>\n<address>forkhttpd"	\
	"</address>\n</body>\n</html>\n"

static const struct {
	int status;
	const char *page;
} http_pages[] = {
	{ 301, HTTP_PAGE(301, "Moved Permanently",
	    "The document has moved; follow the Location header.") },
	{ 302, HTTP_PAGE(302, "Found",
	    "The document is elsewhere for now; follow the Location header.") },
	{ 303, HTTP_PAGE(303, "See Other",
	    "The answer is elsewhere; follow the Location header.") },
	{ 307, HTTP_PAGE(307, "Temporary Redirect",
	    "The document is elsewhere for now; follow the Location header.") },
	{ 308, HTTP_PAGE(308, "Permanent Redirect",
	    "The document has moved; follow the Location header.") },
	{ 400, HTTP_PAGE(400, "Bad Request",
	    "The server could not understand the request.") },
	{ 401, HTTP_PAGE(401, "Unauthorized",
	    "This resource needs a user name and a password.") },
	{ 402, HTTP_PAGE(402, "Payment Required",
	    "This resource needs a payment.") },
	{ 403, HTTP_PAGE(403, "Forbidden",
	    "You do not have permission to access this resource.") },
	{ 404, HTTP_PAGE(404, "Not Found",
	    "The requested URL was not found on this server.") },
	{ 405, HTTP_PAGE(405, "Method Not Allowed",
	    "The method is not allowed for this resource.") },
	{ 406, HTTP_PAGE(406, "Not Acceptable",
	    "No form of this resource is one the request accepts.") },
	{ 407, HTTP_PAGE(407, "Proxy Authentication Required",
	    "The proxy needs a user name and a password.") },
	{ 408, HTTP_PAGE(408, "Request Timeout",
	    "The request was not received in time.") },
	{ 409, HTTP_PAGE(409, "Conflict",
	    "The request conflicts with the state of the resource.") },
	{ 410, HTTP_PAGE(410, "Gone",
	    "The requested URL is no longer on this server, for good.") },
	{ 411, HTTP_PAGE(411, "Length Required",
	    "A request with a body must say how long it is.") },
	{ 412, HTTP_PAGE(412, "Precondition Failed",
	    "A precondition of the request did not hold.") },
	{ 413, HTTP_PAGE(413, "Content Too Large",
	    "The request body is larger than the server accepts.") },
	{ 414, HTTP_PAGE(414, "URI Too Long",
	    "The request target is longer than the server accepts.") },
	{ 415, HTTP_PAGE(415, "Unsupported Media Type",
	    "The request's content is in a format this resource does not take.") },
	{ 416, HTTP_PAGE(416, "Range Not Satisfiable",
	    "None of the requested ranges lies within the resource.") },
	{ 417, HTTP_PAGE(417, "Expectation Failed",
	    "The server cannot meet the expectation of the request.") },
	{ 421, HTTP_PAGE(421, "Misdirected Request",
	    "This server does not answer for that name on this connection.") },
	{ 422, HTTP_PAGE(422, "Unprocessable Content",
	    "The request's content could not be processed.") },
	{ 426, HTTP_PAGE(426, "Upgrade Required",
	    "The request needs another protocol.") },
	{ 428, HTTP_PAGE(428, "Precondition Required",
	    "This request must be conditional.") },
	{ 429, HTTP_PAGE(429, "Too Many Requests",
	    "Too many requests; try again later.") },
	{ 431, HTTP_PAGE(431, "Request Header Fields Too Large",
	    "The request header is larger than the server accepts.") },
	{ 451, HTTP_PAGE(451, "Unavailable For Legal Reasons",
	    "The resource cannot be served for legal reasons.") },
	{ 500, HTTP_PAGE(500, "Internal Server Error",
	    "The server could not complete the request.") },
	{ 501, HTTP_PAGE(501, "Not Implemented",
	    "The server does not implement what the request needs.") },
	{ 502, HTTP_PAGE(502, "Bad Gateway",
	    "The server behind this one gave no valid answer.") },
	{ 503, HTTP_PAGE(503, "Service Unavailable",
	    "The server cannot handle the request right now.") },
	{ 504, HTTP_PAGE(504, "Gateway Timeout",
	    "The server behind this one did not answer in time.") },
	{ 511, HTTP_PAGE(511, "Network Authentication Required",
	    "The network needs you to authenticate first.") },
	{ 505, HTTP_PAGE(505, "HTTP Version Not Supported",
	    "The server supports HTTP/1.0 and HTTP/1.1.") },
};

static const char *
http_page_for(int status)
{
	for (size_t i = 0; i < sizeof(http_pages) / sizeof(http_pages[0]); i++)
		if (http_pages[i].status == status)
			return http_pages[i].page;
	return NULL;
}

void
http_response_close_fd(struct http_response *resp)
{
	if ((resp->body == HTTP_BODY_FILE || resp->body == HTTP_BODY_RANGES ||
	    resp->body == HTTP_BODY_STREAM) && resp->fd >= 0 && !resp->fd_cached)
		close(resp->fd);
	resp->fd = -1;
	resp->fd_cached = false;
}

void
http_response_error(struct http_response *resp, int status)
{
	const char *page = http_page_for(status);

	/* A status without a page of its own gets its class's general one. */
	if (page == NULL)
		page = http_page_for(status >= 500 ? 500 : status >= 400 ? 400 :
		    302);
	http_response_close_fd(resp);
	resp->offset = 0;
	resp->status = status;
	resp->content_type = "text/html";
	resp->last_modified = 0;
	resp->etag_len = 0;
	resp->accept_ranges = false;
	resp->ranges = NULL;
	/* RFC 9110 §14.4: Content-Range means something in a 206 and a 416
	 * only; a 206 turned into an error (a body too large) loses it. */
	if (status != HTTP_STATUS_RANGE_NOT_SATISFIABLE) {
		resp->content_range = false;
		resp->range_unsatisfied = false;
	}
	resp->body = HTTP_BODY_MEM;
	resp->mem_stable = true;
	resp->chunked = false;
	resp->mem = page;
	resp->mem_len = strlen(page);
	resp->content_length = (off_t)resp->mem_len;
}
