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
	resp->head_only = false;
	resp->body = HTTP_BODY_NONE;
	resp->mem_stable = false;
	resp->chunked = false;
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
}

const char *
http_status_reason(int status)
{
	switch (status) {
	case HTTP_STATUS_CONTINUE:		return "Continue";
	case HTTP_STATUS_OK:			return "OK";
	case HTTP_STATUS_NO_CONTENT:		return "No Content";
	case HTTP_STATUS_PARTIAL_CONTENT:	return "Partial Content";
	case HTTP_STATUS_MOVED_PERMANENTLY:	return "Moved Permanently";
	case HTTP_STATUS_NOT_MODIFIED:		return "Not Modified";
	case HTTP_STATUS_BAD_REQUEST:		return "Bad Request";
	case HTTP_STATUS_FORBIDDEN:		return "Forbidden";
	case HTTP_STATUS_NOT_FOUND:		return "Not Found";
	case HTTP_STATUS_METHOD_NOT_ALLOWED:	return "Method Not Allowed";
	case HTTP_STATUS_REQUEST_TIMEOUT:	return "Request Timeout";
	case HTTP_STATUS_LENGTH_REQUIRED:	return "Length Required";
	case HTTP_STATUS_PRECONDITION_FAILED:	return "Precondition Failed";
	case HTTP_STATUS_PAYLOAD_TOO_LARGE:	return "Content Too Large";
	case HTTP_STATUS_URI_TOO_LONG:		return "URI Too Long";
	case HTTP_STATUS_RANGE_NOT_SATISFIABLE:	return "Range Not Satisfiable";
	case HTTP_STATUS_EXPECTATION_FAILED:	return "Expectation Failed";
	case HTTP_STATUS_HEADER_TOO_LARGE:	return "Request Header Fields Too Large";
	case HTTP_STATUS_INTERNAL_ERROR:	return "Internal Server Error";
	case HTTP_STATUS_NOT_IMPLEMENTED:	return "Not Implemented";
	case HTTP_STATUS_SERVICE_UNAVAILABLE:	return "Service Unavailable";
	case HTTP_STATUS_VERSION_NOT_SUPPORTED:	return "HTTP Version Not Supported";
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
