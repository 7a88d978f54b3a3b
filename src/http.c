/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * http.c - name tables for methods and statuses.
 */
#include "autoconf.h"

#include <string.h>
#include <strings.h>

#include "http.h"

static const char *const http_method_names[HTTP_METHOD_COUNT] = {
	[HTTP_METHOD_UNKNOWN] = "",
	[HTTP_METHOD_GET] = "GET",
	[HTTP_METHOD_HEAD] = "HEAD",
	[HTTP_METHOD_POST] = "POST",
	[HTTP_METHOD_PUT] = "PUT",
	[HTTP_METHOD_DELETE] = "DELETE",
	[HTTP_METHOD_CONNECT] = "CONNECT",
	[HTTP_METHOD_OPTIONS] = "OPTIONS",
	[HTTP_METHOD_TRACE] = "TRACE",
	[HTTP_METHOD_PATCH] = "PATCH",
};

void
http_response_init(struct http_response *resp)
{
	/* Not a memset: location[] is large and only read up to location_len. */
	resp->status = HTTP_STATUS_NONE;
	resp->content_type = NULL;
	resp->content_length = -1;
	resp->last_modified = 0;
	resp->allow = NULL;
	resp->cache_control = NULL;
	resp->keep_alive = false;
	resp->say_keep_alive = false;
	resp->upgrade = false;
	resp->head_only = false;
	resp->body = HTTP_BODY_NONE;
	resp->mem_stable = false;
	resp->chunked = false;
	resp->pull = NULL;
	resp->pull_arg = NULL;
	resp->app = NULL;
	resp->mem = NULL;
	resp->mem_len = 0;
	resp->fd = -1;
	resp->fd_cached = false;
	resp->offset = 0;
	resp->etag_len = 0;
	resp->accept_ranges = false;
	resp->content_range = false;
	resp->range_unsatisfied = false;
	resp->range_first = 0;
	resp->range_last = 0;
	resp->range_complete = 0;
	resp->ranges = NULL;
	resp->boundary = NULL;
	resp->location_len = 0;
	resp->reason = NULL;
	resp->nfields = 0;
	resp->field_used = 0;
}

/* RFC 9110 §5.5: field-content has no CR, LF or NUL; no OWS around. */
static bool
http_field_value_ok(const char *v, size_t n)
{
	if (n > 0 && (http_is_ows((unsigned char)v[0]) ||
	    http_is_ows((unsigned char)v[n - 1])))
		return false;
	for (size_t i = 0; i < n; i++)
		if (v[i] == '\r' || v[i] == '\n' || v[i] == '\0')
			return false;
	return true;
}

int
http_response_add_field(struct http_response *resp, const char *name,
    size_t name_len, const char *value, size_t value_len)
{
	struct http_field *f;

	if (name_len == 0 || resp->nfields >= HTTP_FIELDS_MAX ||
	    name_len + value_len > HTTP_FIELD_BYTES - resp->field_used ||
	    !http_field_value_ok(value, value_len))
		return -1;
	/* RFC 9110 §5.1: field-name = token */
	for (size_t i = 0; i < name_len; i++)
		if (!http_is_tchar((unsigned char)name[i]))
			return -1;
	f = &resp->field[resp->nfields++];
	f->name = (uint16_t)resp->field_used;
	f->name_len = (uint16_t)name_len;
	memcpy(resp->field_buf + resp->field_used, name, name_len);
	resp->field_used += name_len;
	f->value = (uint16_t)resp->field_used;
	f->value_len = (uint16_t)value_len;
	memcpy(resp->field_buf + resp->field_used, value, value_len);
	resp->field_used += value_len;
	return 0;
}

bool
http_request_field_next(const struct http_request *req, size_t *pos,
    struct http_slice *name, struct http_slice *value)
{
	const char *p = req->fields.p, *colon, *eol;
	size_t left;

	if (p == NULL || *pos >= req->fields.len)
		return false;
	p += *pos;
	left = req->fields.len - *pos;
	/* Parsed strictly: "name:" OWS value OWS CRLF on every line. */
	eol = memchr(p, '\r', left);
	colon = memchr(p, ':', left);
	if (eol == NULL || colon == NULL || colon > eol)
		return false;
	name->p = p;
	name->len = (size_t)(colon - p);
	value->p = colon + 1;
	value->len = (size_t)(eol - value->p);
	while (value->len > 0 && http_is_ows((unsigned char)value->p[0])) {
		value->p++;
		value->len--;
	}
	while (value->len > 0 &&
	    http_is_ows((unsigned char)value->p[value->len - 1]))
		value->len--;
	*pos += (size_t)(eol - p) + 2;
	return true;
}

bool
http_request_field(const struct http_request *req, const char *name,
    unsigned nth, struct http_slice *value)
{
	struct http_slice n;
	size_t pos = 0;

	while (http_request_field_next(req, &pos, &n, value))
		if (http_slice_eq_nocase(n, name) && nth-- == 0)
			return true;
	return false;
}

const char *
http_status_reason(int status)
{
	switch (status) {
	case HTTP_STATUS_CONTINUE:		return "Continue";
	case HTTP_STATUS_SWITCHING_PROTOCOLS:	return "Switching Protocols";
	case HTTP_STATUS_OK:			return "OK";
	case HTTP_STATUS_CREATED:		return "Created";
	case HTTP_STATUS_ACCEPTED:		return "Accepted";
	case HTTP_STATUS_NO_CONTENT:		return "No Content";
	case HTTP_STATUS_PARTIAL_CONTENT:	return "Partial Content";
	case HTTP_STATUS_MOVED_PERMANENTLY:	return "Moved Permanently";
	case HTTP_STATUS_FOUND:			return "Found";
	case HTTP_STATUS_SEE_OTHER:		return "See Other";
	case HTTP_STATUS_NOT_MODIFIED:		return "Not Modified";
	case HTTP_STATUS_TEMPORARY_REDIRECT:	return "Temporary Redirect";
	case HTTP_STATUS_PERMANENT_REDIRECT:	return "Permanent Redirect";
	case HTTP_STATUS_BAD_REQUEST:		return "Bad Request";
	case HTTP_STATUS_UNAUTHORIZED:		return "Unauthorized";
	case 402:				return "Payment Required";
	case HTTP_STATUS_FORBIDDEN:		return "Forbidden";
	case HTTP_STATUS_NOT_FOUND:		return "Not Found";
	case HTTP_STATUS_METHOD_NOT_ALLOWED:	return "Method Not Allowed";
	case 406:				return "Not Acceptable";
	case 407:			return "Proxy Authentication Required";
	case HTTP_STATUS_REQUEST_TIMEOUT:	return "Request Timeout";
	case 409:				return "Conflict";
	case 410:				return "Gone";
	case HTTP_STATUS_LENGTH_REQUIRED:	return "Length Required";
	case HTTP_STATUS_PRECONDITION_FAILED:	return "Precondition Failed";
	case HTTP_STATUS_PAYLOAD_TOO_LARGE:	return "Content Too Large";
	case HTTP_STATUS_URI_TOO_LONG:		return "URI Too Long";
	case 415:				return "Unsupported Media Type";
	case HTTP_STATUS_RANGE_NOT_SATISFIABLE:	return "Range Not Satisfiable";
	case HTTP_STATUS_EXPECTATION_FAILED:	return "Expectation Failed";
	case HTTP_STATUS_MISDIRECTED_REQUEST:	return "Misdirected Request";
	case 422:				return "Unprocessable Content";
	case 426:				return "Upgrade Required";
	case 428:				return "Precondition Required";
	case HTTP_STATUS_TOO_MANY_REQUESTS:	return "Too Many Requests";
	case HTTP_STATUS_HEADER_TOO_LARGE:	return "Request Header Fields Too Large";
	/* RFC 7725 */
	case 451:			return "Unavailable For Legal Reasons";
	case HTTP_STATUS_INTERNAL_ERROR:	return "Internal Server Error";
	case HTTP_STATUS_NOT_IMPLEMENTED:	return "Not Implemented";
	case HTTP_STATUS_BAD_GATEWAY:		return "Bad Gateway";
	case HTTP_STATUS_SERVICE_UNAVAILABLE:	return "Service Unavailable";
	case HTTP_STATUS_GATEWAY_TIMEOUT:	return "Gateway Timeout";
	case HTTP_STATUS_VERSION_NOT_SUPPORTED:	return "HTTP Version Not Supported";
	/* RFC 6585 §6 */
	case 511:			return "Network Authentication Required";
	default:				return "Unknown";
	}
}

enum http_method
http_method_lookup(const char *p, size_t len)
{
	for (int m = HTTP_METHOD_GET; m < HTTP_METHOD_COUNT; m++) {
		const char *name = http_method_names[m];

		/* RFC 9110 §9.1: "The method token is case-sensitive". */
		if (strlen(name) == len && memcmp(name, p, len) == 0)
			return (enum http_method)m;
	}
	return HTTP_METHOD_UNKNOWN;
}

const char *
http_method_name(enum http_method method)
{
	if ((int)method < 0 || method >= HTTP_METHOD_COUNT)
		return "";
	return http_method_names[method];
}

bool
http_slice_eq_nocase(struct http_slice s, const char *lit)
{
	size_t n = strlen(lit);

	return s.len == n && strncasecmp(s.p, lit, n) == 0;
}
