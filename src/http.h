/*
 * http.h - the protocol vocabulary shared by the parser, the response
 * writer and the handlers: methods, status codes (whose values are the
 * wire codes), the parsed request and the response to send.
 *
 * Neither struct owns memory.  A request's slices point into the
 * connection's header buffer and live for one request; a response's
 * strings are static or owned by the handler that filled it.
 */
#ifndef FORKHTTPD_HTTP_H
#define FORKHTTPD_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

enum http_method {
	HTTP_METHOD_UNKNOWN = 0,
	HTTP_METHOD_GET,
	HTTP_METHOD_HEAD,
	HTTP_METHOD_POST,
	HTTP_METHOD_PUT,
	HTTP_METHOD_DELETE,
	HTTP_METHOD_CONNECT,
	HTTP_METHOD_OPTIONS,
	HTTP_METHOD_TRACE,
	HTTP_METHOD_PATCH,
	HTTP_METHOD_COUNT
};

/* Values are the codes sent on the wire. */
enum http_status {
	HTTP_STATUS_NONE = 0,
	HTTP_STATUS_OK = 200,
	HTTP_STATUS_MOVED_PERMANENTLY = 301,
	HTTP_STATUS_NOT_MODIFIED = 304,
	HTTP_STATUS_BAD_REQUEST = 400,
	HTTP_STATUS_FORBIDDEN = 403,
	HTTP_STATUS_NOT_FOUND = 404,
	HTTP_STATUS_METHOD_NOT_ALLOWED = 405,
	HTTP_STATUS_REQUEST_TIMEOUT = 408,
	HTTP_STATUS_LENGTH_REQUIRED = 411,
	HTTP_STATUS_PAYLOAD_TOO_LARGE = 413,
	HTTP_STATUS_URI_TOO_LONG = 414,
	HTTP_STATUS_HEADER_TOO_LARGE = 431,
	HTTP_STATUS_INTERNAL_ERROR = 500,
	HTTP_STATUS_NOT_IMPLEMENTED = 501,
	HTTP_STATUS_SERVICE_UNAVAILABLE = 503,
	HTTP_STATUS_VERSION_NOT_SUPPORTED = 505
};

/* A piece of the header buffer: not NUL-terminated. */
struct http_slice {
	const char *p;
	size_t len;
};

/* HTTP versions as major * 10 + minor. */
#define HTTP_VERSION_10 10
#define HTTP_VERSION_11 11

struct http_request {
	enum http_method method;
	struct http_slice method_name;	/* as sent, for the access log */
	struct http_slice request_line;	/* without the CRLF */
	struct http_slice target;	/* the raw request-target */
	struct http_slice path;		/* origin-form path, still encoded */
	struct http_slice query;	/* after '?', without it; len 0 if none */
	int version;			/* HTTP_VERSION_10 or HTTP_VERSION_11 */
	struct http_slice host;		/* the Host field value, trimmed */
	struct http_slice user_agent;
	struct http_slice referer;
	bool keep_alive;		/* the client allows another request */
	bool has_body;			/* Content-Length > 0 or Transfer-Encoding */
	uint64_t content_length;
	size_t header_len;		/* bytes up to and including the blank line */
};

enum http_body_kind {
	HTTP_BODY_NONE = 0,
	HTTP_BODY_MEM,
	HTTP_BODY_FILE
};

/* Room for a Location value: the longest request-target plus a slash. */
#define HTTP_LOCATION_MAX 8200

struct http_response {
	int status;			/* an enum http_status */
	const char *content_type;	/* NULL: no Content-Type */
	off_t content_length;		/* -1: no Content-Length */
	time_t last_modified;		/* 0: no Last-Modified */
	const char *allow;		/* NULL: no Allow (405) */
	bool keep_alive;		/* keep the connection, else Connection: close */
	bool say_keep_alive;		/* send Connection: keep-alive (HTTP/1.0) */
	bool head_only;			/* HEAD: headers alone, body suppressed */
	enum http_body_kind body;
	const char *mem;		/* HTTP_BODY_MEM */
	size_t mem_len;
	int fd;				/* HTTP_BODY_FILE: owned, conn closes it */
	off_t offset;
	size_t location_len;		/* 0: no Location */
	char location[HTTP_LOCATION_MAX];
};

/* Reset a response to "no status yet, no body, fd -1". */
void http_response_init(struct http_response *resp);

/* The reason phrase of a status ("Not Found"), "Unknown" if none. */
const char *http_status_reason(int status);

/* The method named by the token (case-sensitive, RFC 9110 §9.1), or
 * HTTP_METHOD_UNKNOWN. */
enum http_method http_method_lookup(const char *p, size_t len);

/* The canonical name of a method, "" for HTTP_METHOD_UNKNOWN. */
const char *http_method_name(enum http_method method);

/* Case-insensitive comparison of a slice with a NUL-terminated string. */
bool http_slice_eq_nocase(struct http_slice s, const char *lit);

#endif
