/* SPDX-License-Identifier: BSD-2-Clause */
#include "autoconf.h"
/*
 * http_parse.c - framing and parsing of request header blocks (RFC 9112),
 * strictly: anything the grammar does not allow is a 400, because every
 * leniency is a place where we and a proxy in front of us could disagree
 * about where a request ends (request smuggling, RFC 9112 §11.2).
 *
 * Policy decisions that go beyond "follow the grammar":
 * - Line ends are CRLF only.  RFC 9112 §2.2 lets a server accept a bare LF;
 *   we do not, and a bare CR or a NUL is an error too.
 * - Leading empty lines count towards header_max, so an endless stream of
 *   CRLFs ends in 431 instead of an ever-growing buffer.
 * - obs-fold is rejected (RFC 9112 §5.2 allows rejecting with 400).
 * - Transfer-Encoding with Content-Length, or in HTTP/1.0, is rejected.
 * - Content-Length is one number: the list form "42, 42" that RFC 9110
 *   §8.6 lets a recipient accept is a 400 (repeated lines with the same
 *   value are accepted).
 * - Expect: anything but 100-continue is 417 (RFC 9110 §10.1.1 MAY).
 * - Conditional and range fields are kept raw here and judged by cond.c
 *   and range.c; repeats of the single-valued ones are dropped.
 * - The request-target is only checked to be visible ASCII; the handlers
 *   decode and judge the path.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "http_parse.h"
#include "util.h"

/* Larger than any file we could send; keeps the value a valid off_t. */
#define HTTP_CONTENT_LENGTH_MAX ((uint64_t)INT64_MAX)

enum http_line {
	HTTP_LINE_OK,			/* *eol is the index of the CR */
	HTTP_LINE_SHORT,		/* the bytes end before the CRLF */
	HTTP_LINE_BAD			/* NUL, bare CR or bare LF */
};

/* What the field lines told us, checked once all of them are read. */
struct http_fields {
	unsigned host_count;
	bool absolute_form;		/* req->host came from the target */
	bool cl_seen;
	bool te_seen;
	bool te_chunked;		/* "chunked" appeared */
	bool te_last_chunked;		/* ... and was the final coding so far */
	bool te_other;			/* a coding we do not implement */
	bool conn_close;
	bool conn_keep_alive;
	bool expect_continue;
	bool expect_other;		/* an expectation we cannot meet */
	unsigned ims_count, ius_count, range_count, if_range_count;
};

static const struct http_slice http_no_slice = { NULL, 0 };

/* The options of a list element that the callers care about. */
struct http_list_elem {
	struct http_slice name;
	bool has_params;
};

static bool
http_is_hexdig(unsigned char c)
{
	return util_hexval((char)c) >= 0;
}

/* RFC 3986 §2.2: sub-delims = "!" / "$" / "&" / "'" / "(" / ")" / "*" /
 * "+" / "," / ";" / "=" */
static bool
http_is_sub_delim(unsigned char c)
{
	switch (c) {
	case '!': case '$': case '&': case '\'': case '(': case ')':
	case '*': case '+': case ',': case ';': case '=':
		return true;
	default:
		return false;
	}
}

static bool
http_eq_nocase(const char *p, size_t len, const char *lit)
{
	struct http_slice s = { p, len };

	return http_slice_eq_nocase(s, lit);
}

/*
 * Finds the CRLF ending the line that starts at buf[off], looking at
 * buf[off..len) only.
 */
static enum http_line
http_find_eol(const char *buf, size_t off, size_t len, size_t *eol)
{
	for (size_t i = off; i < len; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (c == '\r') {
			*eol = i;
			if (i + 1 == len)
				return HTTP_LINE_SHORT;
			/* RFC 9112 §2.2: a bare CR is invalid (we may not
			 * treat it as a line end without a matching LF). */
			return buf[i + 1] == '\n' ? HTTP_LINE_OK : HTTP_LINE_BAD;
		}
		/* RFC 9112 §2.2: line ends are CRLF; a bare LF would be
		 * allowed, but we refuse it (policy, see the top). */
		if (c == '\n' || c == '\0')
			return HTTP_LINE_BAD;
	}
	*eol = len;
	return HTTP_LINE_SHORT;
}

/* RFC 9112 §2.2: skip empty lines (CRLF) received before the request-line. */
static size_t
http_skip_empty_lines(const char *buf, size_t len)
{
	size_t i = 0;

	while (i + 1 < len && buf[i] == '\r' && buf[i + 1] == '\n')
		i += 2;
	return i;
}

enum http_frame_result
http_parse_frame(const char *buf, size_t len,
    const struct http_limits *limits, size_t *end, int *status)
{
	/* A block that fits ends within header_max bytes, so nothing past
	 * that needs to be looked at. */
	size_t scan = len < limits->header_max ? len : limits->header_max;
	size_t start = http_skip_empty_lines(buf, scan);
	bool first = true;

	for (;;) {
		size_t eol = 0;
		enum http_line r = http_find_eol(buf, start, scan, &eol);

		if (r == HTTP_LINE_BAD) {
			*status = HTTP_STATUS_BAD_REQUEST;
			return HTTP_FRAME_ERROR;
		}
		/* RFC 9112 §3: a server that receives a request-target
		 * longer than it wishes to parse MUST respond with 414;
		 * the line is already too long before its CRLF arrives. */
		if (first && eol - start > limits->request_line_max) {
			*status = HTTP_STATUS_URI_TOO_LONG;
			return HTTP_FRAME_ERROR;
		}
		/* RFC 6585 §5: 431 when one header field is too large,
		 * again before its CRLF arrives. */
		if (!first && eol - start > limits->field_max) {
			*status = HTTP_STATUS_HEADER_TOO_LARGE;
			return HTTP_FRAME_ERROR;
		}
		if (r == HTTP_LINE_SHORT)
			break;
		/* RFC 9112 §2.1: the header section ends with an empty
		 * line (CRLF); the first line cannot be empty here because
		 * the empty lines before it were skipped. */
		if (!first && eol == start) {
			*end = eol + 2;
			return HTTP_FRAME_COMPLETE;
		}
		first = false;
		start = eol + 2;
	}
	/* RFC 6585 §5: 431 when the header fields are too large. */
	if (len > limits->header_max) {
		*status = HTTP_STATUS_HEADER_TOO_LARGE;
		return HTTP_FRAME_ERROR;
	}
	return HTTP_FRAME_INCOMPLETE;
}

/*
 * RFC 9110 §8.6: Content-Length = 1*DIGIT.  Leading zeros are fine, signs,
 * spaces and overflow are not.
 */
static bool
http_parse_length(const char *p, size_t len, uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];
		uint64_t d;

		if (!http_is_digit(c))
			return false;
		d = (uint64_t)(c - '0');
		if (v > (HTTP_CONTENT_LENGTH_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

/*
 * RFC 9110 §7.2: Host = uri-host [ ":" port ], with RFC 3986 §3.2.2
 * uri-host = IP-literal / IPv4address / reg-name and §3.2.3 port = *DIGIT.
 * IPv4address is a reg-name syntactically.  No userinfo: RFC 9110 §4.2.4
 * says to treat it as an error.  need_host: the host may not be empty
 * (RFC 9110 §4.2.1, "http" URIs); need_port: the port must be there
 * (RFC 9112 §3.2.3, authority-form).
 */
static bool
http_valid_authority(const char *p, size_t len, bool need_host,
    bool need_port)
{
	size_t i = 0;

	if (len > 0 && p[0] == '[') {
		/* RFC 3986 §3.2.2: IP-literal = "[" ( IPv6address /
		 * IPvFuture ) "]"; checked for its alphabet only. */
		for (i = 1; i < len && p[i] != ']'; i++) {
			unsigned char c = (unsigned char)p[i];

			if (!http_is_unreserved(c) && !http_is_sub_delim(c) &&
			    c != ':')
				return false;
		}
		if (i == len || i == 1)
			return false;
		i++;
	} else {
		/* RFC 3986 §3.2.2: reg-name = *( unreserved / pct-encoded /
		 * sub-delims ) */
		while (i < len && p[i] != ':') {
			unsigned char c = (unsigned char)p[i];

			if (c == '%') {
				/* RFC 3986 §2.1: pct-encoded = "%" HEXDIG
				 * HEXDIG */
				if (len - i < 3 ||
				    !http_is_hexdig((unsigned char)p[i + 1]) ||
				    !http_is_hexdig((unsigned char)p[i + 2]))
					return false;
				i += 3;
				continue;
			}
			if (!http_is_unreserved(c) && !http_is_sub_delim(c))
				return false;
			i++;
		}
		if (need_host && i == 0)
			return false;
	}
	if (i == len)
		return !need_port;
	if (p[i] != ':')
		return false;
	i++;
	if (need_port && i == len)
		return false;
	for (; i < len; i++)
		if (!http_is_digit((unsigned char)p[i]))
			return false;
	return true;
}

/*
 * Reads the next element of a comma-separated list (RFC 9110 §5.6.1)
 * whose elements are token *( OWS ";" OWS parameter ), the shape of
 * Connection and Transfer-Encoding values, from p[*pos..len).  Returns 1
 * with *elem set, 0 at the end of the list, -1 on a syntax error.  Empty
 * elements are skipped: RFC 9110 §5.6.1.2 says a recipient MUST parse
 * and ignore a reasonable number of them (the line length bounds ours).
 */
static int
http_list_next(const char *p, size_t len, size_t *pos,
    struct http_list_elem *elem)
{
	size_t i = *pos, start;

	for (;;) {
		while (i < len && http_is_ows((unsigned char)p[i]))
			i++;
		if (i == len) {
			*pos = i;
			return 0;
		}
		if (p[i] != ',')
			break;
		i++;
	}
	start = i;
	while (i < len && http_is_tchar((unsigned char)p[i]))
		i++;
	if (i == start)
		return -1;
	elem->name.p = p + start;
	elem->name.len = i - start;
	elem->has_params = false;
	while (i < len && http_is_ows((unsigned char)p[i]))
		i++;
	/* RFC 9110 §5.6.6: parameters = *( OWS ";" OWS [ parameter ] ),
	 * parameter = parameter-name "=" parameter-value, and
	 * parameter-value = ( token / quoted-string ).  RFC 9112 §7 allows
	 * BWS around "=" for transfer-parameter. */
	while (i < len && p[i] == ';') {
		elem->has_params = true;
		i++;
		while (i < len && http_is_ows((unsigned char)p[i]))
			i++;
		if (i == len || p[i] == ',' || p[i] == ';')
			continue;	/* the parameter is optional */
		start = i;
		while (i < len && http_is_tchar((unsigned char)p[i]))
			i++;
		if (i == start)
			return -1;
		while (i < len && http_is_ows((unsigned char)p[i]))
			i++;
		if (i == len || p[i] != '=')
			return -1;
		i++;
		while (i < len && http_is_ows((unsigned char)p[i]))
			i++;
		if (i < len && p[i] == '"') {
			/* RFC 9110 §5.6.4: quoted-string = DQUOTE *( qdtext
			 * / quoted-pair ) DQUOTE; the field value check
			 * already limited the bytes to what both allow. */
			for (i++; i < len && p[i] != '"'; i++)
				if (p[i] == '\\' && ++i == len)
					return -1;
			if (i == len)
				return -1;
			i++;
		} else {
			start = i;
			while (i < len && http_is_tchar((unsigned char)p[i]))
				i++;
			if (i == start)
				return -1;
		}
		while (i < len && http_is_ows((unsigned char)p[i]))
			i++;
	}
	if (i < len) {
		if (p[i] != ',')
			return -1;
		i++;
	}
	*pos = i;
	return 1;
}

/* RFC 9112 §2.3: HTTP-version = HTTP-name "/" DIGIT "." DIGIT, and
 * HTTP-name = %s"HTTP" (case-sensitive). */
static int
http_parse_version(const char *p, size_t len, struct http_request *req)
{
	if (len != 8 || memcmp(p, "HTTP/", 5) != 0 ||
	    !http_is_digit((unsigned char)p[5]) || p[6] != '.' ||
	    !http_is_digit((unsigned char)p[7]))
		return HTTP_STATUS_BAD_REQUEST;
	/* RFC 9110 §15.6.6: 505 for a major version we do not support,
	 * HTTP/0.x (whose requests have no version at all) included. */
	if (p[5] != '1')
		return HTTP_STATUS_VERSION_NOT_SUPPORTED;
	/* RFC 9110 §2.5: a recipient SHOULD process a higher minor version
	 * of a major version it implements as the highest minor version it
	 * conforms to, here 1.1. */
	req->version = p[7] == '0' ? HTTP_VERSION_10 : HTTP_VERSION_11;
	return 0;
}

/* The target is absolute-form; store its path, query and authority. */
static int
http_parse_absolute_form(const char *t, size_t len, struct http_request *req)
{
	size_t s, a, i;

	/* RFC 9112 §3.2.2: absolute-form = absolute-URI; of those we serve
	 * "http" and "https" (RFC 9110 §4.2.1-2, scheme case-insensitive). */
	if (len > 7 && http_eq_nocase(t, 7, "http://"))
		s = 7;
	else if (len > 8 && http_eq_nocase(t, 8, "https://"))
		s = 8;
	else
		return HTTP_STATUS_BAD_REQUEST;
	/* RFC 3986 §3.2: the authority ends at the next "/", "?" or "#";
	 * "#" is not allowed in an authority either, so leave it to fail
	 * the check below. */
	for (a = s; a < len && t[a] != '/' && t[a] != '?'; a++)
		continue;
	/* RFC 9110 §4.2.1: a recipient MUST reject an "http" URI with an
	 * empty host as invalid; §4.2.4: userinfo is treated as an error. */
	if (!http_valid_authority(t + s, a - s, true, false))
		return HTTP_STATUS_BAD_REQUEST;
	/* RFC 9112 §3.2.2: the server MUST ignore the Host field and use
	 * the host of the request-target. */
	req->host.p = t + s;
	req->host.len = a - s;
	for (i = a; i < len && t[i] != '?'; i++)
		continue;
	if (i > a) {
		req->path.p = t + a;
		req->path.len = i - a;
	} else {
		/* RFC 9110 §4.2.3: an empty path is equivalent to "/";
		 * the last slash of "://" is one, inside the buffer. */
		req->path.p = t + s - 1;
		req->path.len = 1;
	}
	if (i < len) {
		req->query.p = t + i + 1;
		req->query.len = len - i - 1;
	}
	return 0;
}

/* RFC 9112 §3.2: request-target = origin-form / absolute-form /
 * authority-form / asterisk-form */
static int
http_parse_target(const char *t, size_t len, struct http_request *req,
    struct http_fields *f)
{
	size_t i;

	req->target.p = t;
	req->target.len = len;
	if (req->method == HTTP_METHOD_CONNECT) {
		/* RFC 9112 §3.2.3: authority-form = uri-host ":" port, used
		 * only for CONNECT, and CONNECT uses only it. */
		if (!http_valid_authority(t, len, true, true))
			return HTTP_STATUS_BAD_REQUEST;
		return 0;
	}
	if (t[0] == '/') {
		/* RFC 9112 §3.2.1: origin-form = absolute-path
		 * [ "?" query ] */
		for (i = 0; i < len && t[i] != '?'; i++)
			continue;
		req->path.p = t;
		req->path.len = i;
		if (i < len) {
			req->query.p = t + i + 1;
			req->query.len = len - i - 1;
		}
		return 0;
	}
	if (len == 1 && t[0] == '*') {
		/* RFC 9112 §3.2.4: asterisk-form = "*", only for
		 * server-wide OPTIONS. */
		if (req->method != HTTP_METHOD_OPTIONS)
			return HTTP_STATUS_BAD_REQUEST;
		req->path.p = t;
		req->path.len = 1;
		return 0;
	}
	f->absolute_form = true;
	return http_parse_absolute_form(t, len, req);
}

/* RFC 9112 §3: request-line = method SP request-target SP HTTP-version */
static int
http_parse_request_line(const char *p, size_t len, struct http_request *req,
    struct http_fields *f)
{
	size_t m, v, i;
	int status;

	req->request_line.p = p;
	req->request_line.len = len;
	/* RFC 9110 §9.1: method = token */
	for (m = 0; m < len && http_is_tchar((unsigned char)p[m]); m++)
		continue;
	/* RFC 9112 §3: exactly one SP after the method. */
	if (m == 0 || m == len || p[m] != ' ')
		return HTTP_STATUS_BAD_REQUEST;
	req->method_name.p = p;
	req->method_name.len = m;
	/* Unknown methods are not a parse error: the router answers them
	 * (RFC 9110 §9.1: 501 for a method the server does not know). */
	req->method = http_method_lookup(p, m);

	/* The version follows the last SP.  If that SP is the one after the
	 * method, there is no version: RFC 9112 §3 has no HTTP/0.9 form. */
	for (v = len; v > m + 1 && p[v - 1] != ' '; v--)
		continue;
	if (v == m + 1)
		return HTTP_STATUS_BAD_REQUEST;
	status = http_parse_version(p + v, len - v, req);
	if (status != 0)
		return status;

	/* RFC 9112 §3.2: the request-target is one run of visible
	 * characters (the URI grammar has no SP or CTL); a second SP in a
	 * row leaves it empty or, inside it, fails here (RFC 9112 §3: no
	 * whitespace other than the two single SPs). */
	if (v - 1 == m + 1)
		return HTTP_STATUS_BAD_REQUEST;
	for (i = m + 1; i < v - 1; i++)
		if (!http_is_vchar((unsigned char)p[i]))
			return HTTP_STATUS_BAD_REQUEST;
	return http_parse_target(p + m + 1, v - 1 - (m + 1), req, f);
}

/* Connection = #connection-option, connection-option = token
 * (RFC 9110 §7.6.1), names case-insensitive. */
static int
http_parse_connection(const char *p, size_t len, struct http_fields *f)
{
	struct http_list_elem e;
	size_t pos = 0;
	int r;

	while ((r = http_list_next(p, len, &pos, &e)) == 1) {
		if (e.has_params)
			return HTTP_STATUS_BAD_REQUEST;
		if (http_slice_eq_nocase(e.name, "close"))
			f->conn_close = true;
		else if (http_slice_eq_nocase(e.name, "keep-alive"))
			f->conn_keep_alive = true;
	}
	return r == 0 ? 0 : HTTP_STATUS_BAD_REQUEST;
}

/* Transfer-Encoding = #transfer-coding (RFC 9112 §6.1); several field
 * lines form one list in order (RFC 9110 §5.3). */
static int
http_parse_transfer_encoding(const char *p, size_t len, struct http_fields *f)
{
	struct http_list_elem e;
	size_t pos = 0;
	int r;

	f->te_seen = true;
	while ((r = http_list_next(p, len, &pos, &e)) == 1) {
		if (http_slice_eq_nocase(e.name, "chunked")) {
			/* RFC 9112 §6.1: a sender MUST NOT apply chunked
			 * more than once; RFC 9112 §7.1 defines no
			 * parameters for it. */
			if (f->te_chunked || e.has_params)
				return HTTP_STATUS_BAD_REQUEST;
			f->te_chunked = true;
			f->te_last_chunked = true;
		} else {
			f->te_other = true;
			f->te_last_chunked = false;
		}
	}
	return r == 0 ? 0 : HTTP_STATUS_BAD_REQUEST;
}

/*
 * Expect = #expectation (RFC 9110 §10.1.1).  The only expectation defined
 * is 100-continue (case-insensitive, no parameters); a server MAY answer
 * any other with 417, and we do, as we cannot meet it.
 */
static void
http_parse_expect(const char *p, size_t len, struct http_fields *f)
{
	size_t i = 0;

	while (i < len) {
		size_t s, e;

		while (i < len && (p[i] == ',' || http_is_ows((unsigned char)p[i])))
			i++;
		for (s = i; i < len && p[i] != ','; i++)
			continue;
		for (e = i; e > s && http_is_ows((unsigned char)p[e - 1]); e--)
			continue;
		if (e == s)
			continue;
		if (http_eq_nocase(p + s, e - s, "100-continue"))
			f->expect_continue = true;
		else
			f->expect_other = true;
	}
}

/* One more line of a list-valued field (RFC 9110 §5.3: the lines of a
 * field form one list, in order); more lines than we keep: 400. */
static int
http_keep_list_line(struct http_field_list *list, const char *p, size_t len)
{
	if (list->n == HTTP_LIST_LINES_MAX)
		return HTTP_STATUS_BAD_REQUEST;
	list->line[list->n].p = p;
	list->line[list->n].len = len;
	list->n++;
	return 0;
}

/* A single-valued field; a repeat is dropped in http_check_fields(). */
static void
http_keep_single(struct http_slice *s, unsigned *count, const char *p,
    size_t len)
{
	if ((*count)++ == 0) {
		s->p = p;
		s->len = len;
	}
}

/* RFC 9112 §5: field-line = field-name ":" OWS field-value OWS */
static int
http_parse_field_line(const char *p, size_t len, struct http_request *req,
    struct http_fields *f)
{
	struct http_slice name;
	size_t n, v, e;

	/* RFC 9112 §5.2: obs-fold = OWS CRLF RWS; a server MUST either
	 * reject it with 400 or replace it, and we reject.  The same goes
	 * for whitespace before the first field line (RFC 9112 §2.2). */
	if (http_is_ows((unsigned char)p[0]))
		return HTTP_STATUS_BAD_REQUEST;
	/* RFC 9110 §5.1: field-name = token */
	for (n = 0; n < len && http_is_tchar((unsigned char)p[n]); n++)
		continue;
	/* RFC 9112 §5.1: no whitespace is allowed between the field name
	 * and colon; a server MUST reject such a message with 400.  An
	 * empty name or a missing colon is no field line at all. */
	if (n == 0 || n == len || p[n] != ':')
		return HTTP_STATUS_BAD_REQUEST;
	/* RFC 9112 §5.1: OWS before and after the value is not part of it. */
	for (v = n + 1; v < len && http_is_ows((unsigned char)p[v]); v++)
		continue;
	for (e = len; e > v && http_is_ows((unsigned char)p[e - 1]); e--)
		continue;
	/* RFC 9110 §5.5: field-value = *field-content, made of VCHAR,
	 * obs-text, SP and HTAB; a recipient of CR, LF or NUL MUST reject
	 * or replace them, and we reject every other CTL (and DEL) too. */
	for (size_t i = v; i < e; i++) {
		unsigned char c = (unsigned char)p[i];

		if (!http_is_vchar(c) && !http_is_ows(c) && c < 0x80)
			return HTTP_STATUS_BAD_REQUEST;
	}
	name.p = p;
	name.len = n;
	p += v;
	len = e - v;

	if (http_slice_eq_nocase(name, "Host")) {
		/* RFC 9112 §3.2: 400 for more than one Host field line or
		 * an invalid Host value.  An empty value is what a client
		 * sends when the target has no authority (same section). */
		if (++f->host_count > 1 ||
		    !http_valid_authority(p, len, false, false))
			return HTTP_STATUS_BAD_REQUEST;
		if (!f->absolute_form) {
			req->host.p = p;
			req->host.len = len;
		}
	} else if (http_slice_eq_nocase(name, "Content-Length")) {
		uint64_t cl;

		/* RFC 9112 §6.3 (5): an invalid Content-Length, or several
		 * that differ, are unrecoverable: 400.  RFC 9110 §8.6 allows
		 * repeats of the same value. */
		if (!http_parse_length(p, len, &cl) ||
		    (f->cl_seen && cl != req->content_length))
			return HTTP_STATUS_BAD_REQUEST;
		f->cl_seen = true;
		req->content_length = cl;
	} else if (http_slice_eq_nocase(name, "Transfer-Encoding")) {
		return http_parse_transfer_encoding(p, len, f);
	} else if (http_slice_eq_nocase(name, "Connection")) {
		return http_parse_connection(p, len, f);
	} else if (http_slice_eq_nocase(name, "Expect")) {
		http_parse_expect(p, len, f);
	} else if (http_slice_eq_nocase(name, "If-Match")) {
		return http_keep_list_line(&req->if_match, p, len);
	} else if (http_slice_eq_nocase(name, "If-None-Match")) {
		return http_keep_list_line(&req->if_none_match, p, len);
	} else if (http_slice_eq_nocase(name, "If-Modified-Since")) {
		http_keep_single(&req->if_modified_since, &f->ims_count, p, len);
	} else if (http_slice_eq_nocase(name, "If-Unmodified-Since")) {
		http_keep_single(&req->if_unmodified_since, &f->ius_count, p,
		    len);
	} else if (http_slice_eq_nocase(name, "Range")) {
		http_keep_single(&req->range, &f->range_count, p, len);
	} else if (http_slice_eq_nocase(name, "If-Range")) {
		http_keep_single(&req->if_range, &f->if_range_count, p, len);
	} else if (http_slice_eq_nocase(name, "User-Agent")) {
		if (req->user_agent.p == NULL) {
			req->user_agent.p = p;
			req->user_agent.len = len;
		}
	} else if (http_slice_eq_nocase(name, "Referer")) {
		if (req->referer.p == NULL) {
			req->referer.p = p;
			req->referer.len = len;
		}
	}
	return 0;
}

/* The checks that need every field line. */
static int
http_check_fields(struct http_request *req, const struct http_fields *f)
{
	/* RFC 9112 §3.2: a server MUST respond with 400 to an HTTP/1.1
	 * request that lacks a Host header field. */
	if (req->version == HTTP_VERSION_11 && f->host_count == 0)
		return HTTP_STATUS_BAD_REQUEST;
	if (f->te_seen) {
		/* RFC 9112 §6.1: a server MAY reject a request with both
		 * Content-Length and Transfer-Encoding, and MUST close the
		 * connection after it (request smuggling, §11.2). */
		if (f->cl_seen)
			return HTTP_STATUS_BAD_REQUEST;
		/* RFC 9112 §6.1: an HTTP/1.0 message with Transfer-Encoding
		 * MUST be treated as if the framing is faulty. */
		if (req->version == HTTP_VERSION_10)
			return HTTP_STATUS_BAD_REQUEST;
		/* RFC 9112 §6.3 (4): if chunked is not the final coding of
		 * a request, the server MUST respond with 400 and close. */
		if (!f->te_last_chunked)
			return HTTP_STATUS_BAD_REQUEST;
		/* RFC 9112 §6.1: a transfer coding the server does not
		 * understand SHOULD get 501; we decode chunked only. */
		if (f->te_other)
			return HTTP_STATUS_NOT_IMPLEMENTED;
		req->framing = HTTP_FRAMING_CHUNKED;
	} else if (req->content_length > 0) {
		req->framing = HTTP_FRAMING_LENGTH;
	}
	req->has_body = req->framing != HTTP_FRAMING_NONE;
	/* RFC 9110 §10.1.1: a server that receives a 100-continue
	 * expectation in an HTTP/1.0 request MUST ignore it. */
	if (req->version == HTTP_VERSION_11) {
		if (f->expect_other)
			return HTTP_STATUS_EXPECTATION_FAILED;
		req->expect_continue = f->expect_continue;
	}
	/*
	 * RFC 9110 §13.1.3-4: a recipient MUST ignore If-Modified-Since and
	 * If-Unmodified-Since with more than one member, which repeated
	 * lines are.  Range and If-Range are single values too (§14.2,
	 * §13.1.5); a server MAY ignore Range, and without a trustworthy
	 * If-Range the whole representation is the safe answer.
	 */
	if (f->ims_count > 1)
		req->if_modified_since = http_no_slice;
	if (f->ius_count > 1)
		req->if_unmodified_since = http_no_slice;
	if (f->range_count > 1 || f->if_range_count > 1) {
		req->range = http_no_slice;
		req->if_range = http_no_slice;
	}
	/* RFC 9112 §9.3: "close" ends the connection; otherwise HTTP/1.1
	 * persists and HTTP/1.0 persists only with "keep-alive". */
	if (f->conn_close)
		req->keep_alive = false;
	else if (req->version == HTTP_VERSION_11)
		req->keep_alive = true;
	else
		req->keep_alive = f->conn_keep_alive;
	return 0;
}

static int
http_parse_block(const char *buf, size_t len,
    const struct http_limits *limits, struct http_request *req)
{
	struct http_fields f;
	size_t start, eol = 0;
	unsigned nfields = 0;
	int status;

	memset(&f, 0, sizeof(f));
	start = http_skip_empty_lines(buf, len);
	switch (http_find_eol(buf, start, len, &eol)) {
	case HTTP_LINE_BAD:
		return HTTP_STATUS_BAD_REQUEST;
	case HTTP_LINE_SHORT:
		/* Too long is the better answer if it is too long. */
		if (eol - start > limits->request_line_max)
			return HTTP_STATUS_URI_TOO_LONG;
		return HTTP_STATUS_BAD_REQUEST;
	case HTTP_LINE_OK:
		break;
	}
	/* RFC 9112 §3: a request-target longer than the server wishes to
	 * parse gets 414 (we limit the whole request-line). */
	if (eol - start > limits->request_line_max)
		return HTTP_STATUS_URI_TOO_LONG;
	status = http_parse_request_line(buf + start, eol - start, req, &f);
	if (status != 0)
		return status;
	/* RFC 6585 §5: 431 when the header section is too large. */
	if (len > limits->header_max)
		return HTTP_STATUS_HEADER_TOO_LARGE;

	req->fields.p = buf + eol + 2;
	for (;;) {
		start = eol + 2;
		if (http_find_eol(buf, start, len, &eol) != HTTP_LINE_OK)
			return HTTP_STATUS_BAD_REQUEST;
		if (eol == start) {
			/* RFC 9112 §2.1: the empty line ends the header
			 * section; the caller passes exactly one block. */
			if (eol + 2 != len)
				return HTTP_STATUS_BAD_REQUEST;
			req->fields.len = (size_t)(buf + start - req->fields.p);
			break;
		}
		/* RFC 6585 §5: 431 for too many header fields, or one
		 * that is too large. */
		if (++nfields > limits->fields_max ||
		    eol - start > limits->field_max)
			return HTTP_STATUS_HEADER_TOO_LARGE;
		status = http_parse_field_line(buf + start, eol - start, req,
		    &f);
		if (status != 0)
			return status;
	}
	return http_check_fields(req, &f);
}

int
http_parse_request(const char *buf, size_t len,
    const struct http_limits *limits, struct http_request *req)
{
	int status;

	memset(req, 0, sizeof(*req));
	/* Until the request-line says otherwise, answer as to a 1.0
	 * client: that framing every client understands. */
	req->version = HTTP_VERSION_10;
	req->header_len = len;
	status = http_parse_block(buf, len, limits, req);
	if (status != 0)
		req->keep_alive = false;	/* we close after an error */
	return status;
}
