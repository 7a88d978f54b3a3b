/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * http_response.c - the status line, the header fields and the small HTML
 * pages of errors and redirects.
 */
#include "autoconf.h"

#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "http_response.h"

#define HTTP_SERVER_NAME PACKAGE_NAME "/" PACKAGE_VERSION

static const char http_wday[7][4] = {
	"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"	/* from 1970-01-01 */
};
static const char http_month[12][4] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
	"Nov", "Dec"
};

/* n as two digits at p. */
static void
http_two(char *p, unsigned n)
{
	p[0] = (char)('0' + n / 10);
	p[1] = (char)('0' + n % 10);
}

/*
 * RFC 9110 §5.6.7: IMF-fixdate, always GMT.  Computed here rather than
 * with gmtime_r() and strftime(), which cost more than the rest of a
 * response head: the proleptic Gregorian calendar from a count of days
 * (the civil-from-days method, eras of 400 years).  A year that is not
 * four digits does not fit: "" then.
 */
void
http_date_format(time_t t, char out[HTTP_DATE_LEN])
{
	int64_t secs = (int64_t)t, days = secs / 86400, rem = secs % 86400;
	int64_t z, era, doe, yoe, year, doy, mp;
	unsigned day, month;

	if (rem < 0) {
		rem += 86400;
		days--;
	}
	z = days + 719468;		/* days since 0000-03-01 */
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	day = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	month = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	year = yoe + era * 400 + (month <= 2);
	if (year < 0 || year > 9999) {
		out[0] = '\0';
		return;
	}
	memcpy(out, http_wday[((days % 7) + 7) % 7], 3);
	memcpy(out + 3, ", ", 2);
	http_two(out + 5, day);
	out[7] = ' ';
	memcpy(out + 8, http_month[month - 1], 3);
	out[11] = ' ';
	http_two(out + 12, (unsigned)(year / 100));
	http_two(out + 14, (unsigned)(year % 100));
	out[16] = ' ';
	http_two(out + 17, (unsigned)(rem / 3600));
	out[19] = ':';
	http_two(out + 20, (unsigned)(rem / 60 % 60));
	out[22] = ':';
	http_two(out + 23, (unsigned)(rem % 60));
	memcpy(out + 25, " GMT", 5);
}

/*
 * The head being written: plain copies, no printf (a head is written for
 * every response; vsnprintf() was most of its cost).  ok turns false once
 * something does not fit, and nothing more is written.
 */
struct http_out {
	char *buf;
	size_t cap, n;
	bool ok;
};

static void
http_put(struct http_out *o, const char *p, size_t len)
{
	if (!o->ok || len >= o->cap - o->n) {
		o->ok = false;
		return;
	}
	memcpy(o->buf + o->n, p, len);
	o->n += len;
}

static void
http_puts(struct http_out *o, const char *s)
{
	http_put(o, s, strlen(s));
}

static void
http_put_u64(struct http_out *o, uint64_t v)
{
	char d[20];
	size_t i = sizeof(d);

	do
		d[--i] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	http_put(o, d + i, sizeof(d) - i);
}

/* "Name: value\r\n" */
static void
http_put_field(struct http_out *o, const char *name, const char *value,
    size_t len)
{
	http_puts(o, name);
	http_put(o, value, len);
	http_put(o, "\r\n", 2);
}

/* The Content-Range field, if any (RFC 9110 §14.4): range-unit SP
 * ( range-resp / unsatisfied-range ), the latter "*" "/" complete-length. */
static void
http_put_content_range(struct http_out *o, const struct http_response *resp)
{
	if (!resp->content_range)
		return;
	http_puts(o, "Content-Range: bytes ");
	if (resp->range_unsatisfied) {
		http_put(o, "*", 1);
	} else {
		http_put_u64(o, resp->range_first);
		http_put(o, "-", 1);
		http_put_u64(o, resp->range_last);
	}
	http_put(o, "/", 1);
	http_put_u64(o, resp->range_complete);
	http_put(o, "\r\n", 2);
}

/* The status line, Date and Server. */
static void
http_put_status(struct http_out *o, const struct http_response *resp,
    const char *date)
{
	int status = resp->status;
	char code[4] = { (char)('0' + status / 100 % 10),
	    (char)('0' + status / 10 % 10), (char)('0' + status % 10), ' ' };

	/* RFC 9110 §6.2: a server sends the highest version it conforms
	 * to.  A status is three digits (RFC 9110 §15). */
	http_puts(o, "HTTP/1.1 ");
	if (status < 100 || status > 999)
		o->ok = false;
	http_put(o, code, 4);
	http_puts(o, resp->reason != NULL ? resp->reason :
	    http_status_reason(status));
	http_put(o, "\r\n", 2);
	http_put_field(o, "Date: ", date, strlen(date));
	http_puts(o, "Server: " HTTP_SERVER_NAME "\r\n");
}

size_t
http_response_format(const struct http_response *resp, const char *date,
    char *buf, size_t cap)
{
	struct http_out o = { .buf = buf, .cap = cap, .n = 0, .ok = cap > 0 };

	http_put_status(&o, resp, date);
	if (resp->body == HTTP_BODY_RANGES) {
		/* RFC 9110 §14.6: the parts carry the representation's type. */
		http_puts(&o, "Content-Type: multipart/byteranges; boundary=");
		http_puts(&o, resp->boundary);
		http_put(&o, "\r\n", 2);
	} else if (resp->content_type != NULL) {
		http_put_field(&o, "Content-Type: ", resp->content_type,
		    strlen(resp->content_type));
	}
	if (resp->content_length >= 0) {
		http_puts(&o, "Content-Length: ");
		http_put_u64(&o, (uint64_t)resp->content_length);
		http_put(&o, "\r\n", 2);
	} else if (resp->chunked) {
		http_puts(&o, "Transfer-Encoding: chunked\r\n");
	}
	if (resp->last_modified > 0) {
		char lm[HTTP_DATE_LEN];

		http_date_format(resp->last_modified, lm);
		http_put_field(&o, "Last-Modified: ", lm, strlen(lm));
	}
	if (resp->etag_len > 0)
		http_put_field(&o, "ETag: ", resp->etag, resp->etag_len);
	/* RFC 9110 §14.3: tell clients that byte ranges are supported. */
	if (resp->accept_ranges)
		http_puts(&o, "Accept-Ranges: bytes\r\n");
	http_put_content_range(&o, resp);
	if (resp->location_len > 0)
		http_put_field(&o, "Location: ", resp->location,
		    resp->location_len);
	if (resp->allow != NULL)
		http_put_field(&o, "Allow: ", resp->allow, strlen(resp->allow));
	if (resp->cache_control != NULL)
		http_put_field(&o, "Cache-Control: ", resp->cache_control,
		    strlen(resp->cache_control));
	for (unsigned i = 0; i < resp->nfields; i++) {
		const struct http_field *f = &resp->field[i];

		http_put(&o, resp->field_buf + f->name, f->name_len);
		http_put_field(&o, ": ", resp->field_buf + f->value,
		    f->value_len);
	}
	/* RFC 9110 §7.8: the 101 names the upgrade in Connection. */
	if (resp->upgrade)
		http_puts(&o, "Connection: upgrade\r\n");
	else if (!resp->keep_alive)
		http_puts(&o, "Connection: close\r\n");
	else if (resp->say_keep_alive)
		http_puts(&o, "Connection: keep-alive\r\n");
	http_put(&o, "\r\n", 2);
	return o.ok ? o.n : 0;
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
