/* SPDX-License-Identifier: BSD-2-Clause */
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
	HTTP_STATUS_CONTINUE = 100,
	HTTP_STATUS_SWITCHING_PROTOCOLS = 101,
	HTTP_STATUS_OK = 200,
	HTTP_STATUS_CREATED = 201,
	HTTP_STATUS_ACCEPTED = 202,
	HTTP_STATUS_NO_CONTENT = 204,
	HTTP_STATUS_PARTIAL_CONTENT = 206,
	HTTP_STATUS_MOVED_PERMANENTLY = 301,
	HTTP_STATUS_FOUND = 302,
	HTTP_STATUS_SEE_OTHER = 303,
	HTTP_STATUS_NOT_MODIFIED = 304,
	HTTP_STATUS_TEMPORARY_REDIRECT = 307,
	HTTP_STATUS_PERMANENT_REDIRECT = 308,
	HTTP_STATUS_BAD_REQUEST = 400,
	HTTP_STATUS_UNAUTHORIZED = 401,
	HTTP_STATUS_FORBIDDEN = 403,
	HTTP_STATUS_NOT_FOUND = 404,
	HTTP_STATUS_METHOD_NOT_ALLOWED = 405,
	HTTP_STATUS_REQUEST_TIMEOUT = 408,
	HTTP_STATUS_LENGTH_REQUIRED = 411,
	HTTP_STATUS_PRECONDITION_FAILED = 412,
	HTTP_STATUS_PAYLOAD_TOO_LARGE = 413,
	HTTP_STATUS_URI_TOO_LONG = 414,
	HTTP_STATUS_RANGE_NOT_SATISFIABLE = 416,
	HTTP_STATUS_EXPECTATION_FAILED = 417,
	HTTP_STATUS_MISDIRECTED_REQUEST = 421,
	HTTP_STATUS_TOO_MANY_REQUESTS = 429,
	HTTP_STATUS_HEADER_TOO_LARGE = 431,
	HTTP_STATUS_INTERNAL_ERROR = 500,
	HTTP_STATUS_NOT_IMPLEMENTED = 501,
	HTTP_STATUS_BAD_GATEWAY = 502,
	HTTP_STATUS_SERVICE_UNAVAILABLE = 503,
	HTTP_STATUS_GATEWAY_TIMEOUT = 504,
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

/*
 * A list-valued field (RFC 9110 §5.6.1) may come in several field lines
 * that together form one list (RFC 9110 §5.3).  We keep up to this many
 * lines of each one we evaluate; a request with more is 400.
 */
#define HTTP_LIST_LINES_MAX 4

struct http_field_list {
	struct http_slice line[HTTP_LIST_LINES_MAX];
	unsigned n;			/* 0: the field is absent */
};

/* How the request's body is delimited (RFC 9112 §6.3). */
enum http_framing {
	HTTP_FRAMING_NONE = 0,		/* no body */
	HTTP_FRAMING_LENGTH,		/* content_length bytes (> 0) */
	HTTP_FRAMING_CHUNKED		/* the chunked coding, trailers included */
};

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
	bool has_body;			/* framing != HTTP_FRAMING_NONE */
	enum http_framing framing;
	uint64_t content_length;	/* HTTP_FRAMING_LENGTH */
	bool expect_continue;		/* HTTP/1.1 "Expect: 100-continue" */
	size_t header_len;		/* bytes up to and including the blank line */
	/*
	 * Every field line of the request, in order, as sent: from the
	 * first field line to the CRLF of the last (len 0: none).  Read it
	 * with http_request_field() or http_request_field_next().
	 */
	struct http_slice fields;
	/*
	 * Conditional and range fields, values trimmed.  A slice with p NULL
	 * is absent.  The date fields and Range/If-Range are single values:
	 * when one comes in more than one line the parser drops it (p NULL),
	 * as RFC 9110 §13.1.3-4 says for dates; a dropped If-Range drops
	 * Range too, so such a request gets the whole representation.
	 */
	struct http_field_list if_match;
	struct http_field_list if_none_match;
	struct http_slice if_modified_since;
	struct http_slice if_unmodified_since;
	struct http_slice range;
	struct http_slice if_range;
};

enum http_body_kind {
	HTTP_BODY_NONE = 0,
	HTTP_BODY_MEM,
	HTTP_BODY_FILE,
	HTTP_BODY_RANGES,		/* multipart/byteranges of fd */
	HTTP_BODY_STREAM		/* fd, a pipe or socket, to its end */
};

/*
 * Fields a handler adds to a response (beyond those struct
 * http_response names), copied into the response so that they live as
 * long as it: at most HTTP_FIELDS_MAX of them, HTTP_FIELD_BYTES in all.
 */
#define HTTP_FIELDS_MAX 64
#define HTTP_FIELD_BYTES 8192

struct http_field {
	uint16_t name, name_len;	/* offsets into field_buf */
	uint16_t value, value_len;
};

/* A strong entity tag with its quotes: '"' 3 x 16 hex digits, 2 '-' '"'. */
#define HTTP_ETAG_MAX 56

struct range_set;
struct app;

/* Room for a Location value: the longest request-target plus a slash. */
#define HTTP_LOCATION_MAX 8200

struct http_response {
	int status;			/* an enum http_status */
	const char *content_type;	/* NULL: no Content-Type */
	off_t content_length;		/* -1: no Content-Length */
	time_t last_modified;		/* 0: no Last-Modified */
	const char *allow;		/* NULL: no Allow (405) */
	const char *cache_control;	/* NULL: no Cache-Control */
	bool keep_alive;		/* keep the connection, else Connection: close */
	bool say_keep_alive;		/* send Connection: keep-alive (HTTP/1.0) */
	bool upgrade;			/* a 101 that switches protocols: send
					 * Connection: upgrade */
	bool head_only;			/* HEAD: headers alone, body suppressed */
	enum http_body_kind body;
	const char *mem;		/* HTTP_BODY_MEM */
	size_t mem_len;
	bool mem_stable;		/* mem outlives the request (a literal);
					 * else it is copied if it must wait */
	bool chunked;			/* HTTP_BODY_STREAM: Transfer-Encoding:
					 * chunked (else close-delimited) */
	int fd;				/* HTTP_BODY_FILE, _RANGES, _STREAM:
					 * owned, the reply closes it */
	bool fd_cached;			/* fd is the file cache's: never closed */
	/*
	 * HTTP_BODY_STREAM from a source that is not a plain descriptor:
	 * pull() gives up to cap bytes of body into buf and returns the
	 * count, 0 at the end, or -1 with errno EAGAIN (nothing now) or
	 * another (the source failed).  NULL: read fd.
	 */
	ssize_t (*pull)(void *arg, char *buf, size_t cap);
	void *pull_arg;
	/*
	 * Set by a handler that hands the request to an application
	 * (app.h) instead of answering it: the connection owns it from
	 * then on, and the response's status and fields come from it.
	 */
	struct app *app;
	off_t offset;			/* HTTP_BODY_FILE: first byte to send */
	size_t etag_len;		/* 0: no ETag */
	char etag[HTTP_ETAG_MAX];
	bool accept_ranges;		/* send Accept-Ranges: bytes */
	/*
	 * Content-Range: for a 206 of one range "bytes first-last/complete";
	 * for a 416 (range_unsatisfied) the same with "*" for first-last.
	 */
	bool content_range;
	bool range_unsatisfied;
	uint64_t range_first, range_last, range_complete;
	/* HTTP_BODY_RANGES: the parts (not owned) and their boundary. */
	const struct range_set *ranges;
	const char *boundary;
	size_t location_len;		/* 0: no Location */
	char location[HTTP_LOCATION_MAX];
	const char *reason;		/* NULL: http_status_reason()'s */
	unsigned nfields;		/* added by http_response_add_field() */
	size_t field_used;
	struct http_field field[HTTP_FIELDS_MAX];
	char field_buf[HTTP_FIELD_BYTES];
};

/* Reset a response to "no status yet, no body, fd -1". */
void http_response_init(struct http_response *resp);

/*
 * Adds the field "name: value" to resp, copied.  name must be a token
 * (RFC 9110 §5.1) and value field-content: no CR, LF or NUL (RFC 9110
 * §5.5), with no leading or trailing whitespace.  Returns 0, or -1 when
 * it is not well formed or resp has no room left (then nothing changed).
 */
int http_response_add_field(struct http_response *resp, const char *name,
    size_t name_len, const char *value, size_t value_len);

/*
 * The request's field lines in order, duplicates included: starts at
 * *pos = 0, and each call sets *name and *value (value without its
 * surrounding whitespace) and moves *pos on.  false when there is none
 * left.  The request was parsed strictly, so every line is well formed.
 */
bool http_request_field_next(const struct http_request *req, size_t *pos,
    struct http_slice *name, struct http_slice *value);

/*
 * The value of the nth (from 0) field line named name (compared without
 * case, RFC 9110 §5.1), in the order sent.  false when there are fewer.
 */
bool http_request_field(const struct http_request *req, const char *name,
    unsigned nth, struct http_slice *value);

/* The reason phrase of a status ("Not Found"), "Unknown" if none. */
const char *http_status_reason(int status);

/* The method named by the token (case-sensitive, RFC 9110 §9.1), or
 * HTTP_METHOD_UNKNOWN. */
enum http_method http_method_lookup(const char *p, size_t len);

/* The canonical name of a method, "" for HTTP_METHOD_UNKNOWN. */
const char *http_method_name(enum http_method method);

/*
 * The character classes of the grammars, shared by every parser of
 * protocol text (request, chunked coding, ranges, validators, listing
 * links), so that each rule is written once.
 */

/* RFC 5234 B.1: DIGIT = %x30-39 */
static inline bool
http_is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* RFC 5234 B.1: ALPHA = %x41-5A / %x61-7A */
static inline bool
http_is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* RFC 5234 B.1: VCHAR = %x21-7E */
static inline bool
http_is_vchar(unsigned char c)
{
	return c >= 0x21 && c <= 0x7e;
}

/* RFC 9110 §5.6.3: OWS = *( SP / HTAB ), and BWS, RWS alike */
static inline bool
http_is_ows(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/*
 * RFC 9110 §5.6.2: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" /
 * "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
 */
static inline bool
http_is_tchar(unsigned char c)
{
	if (http_is_alpha(c) || http_is_digit(c))
		return true;
	switch (c) {
	case '!': case '#': case '$': case '%': case '&': case '\'':
	case '*': case '+': case '-': case '.': case '^': case '_':
	case '`': case '|': case '~':
		return true;
	default:
		return false;
	}
}

/* RFC 3986 §2.3: unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~" */
static inline bool
http_is_unreserved(unsigned char c)
{
	return http_is_alpha(c) || http_is_digit(c) || c == '-' ||
	    c == '.' || c == '_' || c == '~';
}

/* Case-insensitive comparison of a slice with a NUL-terminated string. */
bool http_slice_eq_nocase(struct http_slice s, const char *lit);

#endif
