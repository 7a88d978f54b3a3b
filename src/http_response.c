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
	    resp->status, http_status_reason(resp->status), date);
	if (resp->content_type != NULL)
		n = http_response_put(buf, cap, n, &ok, "Content-Type: %s\r\n",
		    resp->content_type);
	if (resp->content_length >= 0)
		n = http_response_put(buf, cap, n, &ok,
		    "Content-Length: %lld\r\n", (long long)resp->content_length);
	if (resp->last_modified > 0) {
		char lm[HTTP_DATE_LEN];

		http_date_format(resp->last_modified, lm);
		n = http_response_put(buf, cap, n, &ok,
		    "Last-Modified: %s\r\n", lm);
	}
	if (resp->location_len > 0)
		n = http_response_put(buf, cap, n, &ok, "Location: %.*s\r\n",
		    (int)resp->location_len, resp->location);
	if (resp->allow != NULL)
		n = http_response_put(buf, cap, n, &ok, "Allow: %s\r\n",
		    resp->allow);
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
	{ 400, HTTP_PAGE(400, "Bad Request",
	    "The server could not understand the request.") },
	{ 403, HTTP_PAGE(403, "Forbidden",
	    "You do not have permission to access this resource.") },
	{ 404, HTTP_PAGE(404, "Not Found",
	    "The requested URL was not found on this server.") },
	{ 405, HTTP_PAGE(405, "Method Not Allowed",
	    "The method is not allowed for this resource.") },
	{ 408, HTTP_PAGE(408, "Request Timeout",
	    "The request was not received in time.") },
	{ 411, HTTP_PAGE(411, "Length Required",
	    "A request with a body must say how long it is.") },
	{ 413, HTTP_PAGE(413, "Content Too Large",
	    "The request body is larger than the server accepts.") },
	{ 414, HTTP_PAGE(414, "URI Too Long",
	    "The request target is longer than the server accepts.") },
	{ 431, HTTP_PAGE(431, "Request Header Fields Too Large",
	    "The request header is larger than the server accepts.") },
	{ 500, HTTP_PAGE(500, "Internal Server Error",
	    "The server could not complete the request.") },
	{ 501, HTTP_PAGE(501, "Not Implemented",
	    "The server does not support this method.") },
	{ 503, HTTP_PAGE(503, "Service Unavailable",
	    "The server cannot handle the request right now.") },
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
http_response_error(struct http_response *resp, int status)
{
	const char *page = http_page_for(status);

	/* A status without a page of its own gets its class's general one. */
	if (page == NULL)
		page = http_page_for(status >= 500 ? 500 : 400);
	if (resp->body == HTTP_BODY_FILE && resp->fd >= 0)
		close(resp->fd);
	resp->fd = -1;
	resp->offset = 0;
	resp->status = status;
	resp->content_type = "text/html";
	resp->last_modified = 0;
	resp->body = HTTP_BODY_MEM;
	resp->mem = page;
	resp->mem_len = strlen(page);
	resp->content_length = (off_t)resp->mem_len;
}
