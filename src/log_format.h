/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * log_format.h - access-log formats: Apache's mod_log_config directives
 * ("%h %l %u %t \"%r\" %>s %b ...") compiled once, at load, into a list
 * of items, and one line rendered from them per response.  Nothing is
 * parsed per request, and rendering never allocates.
 *
 * Two escapings: APACHE (the text formats: '"' and '\' get a backslash,
 * \b \n \r \t \v are written so, and any other byte that is not printable
 * ASCII as \xhh) and JSON (RFC 8259: every value a string in quotes, a
 * number, or null; '"', '\' and the control characters escaped, U+0000 to
 * U+001F and DEL as \u00XX; well-formed UTF-8 passes as it is, and each
 * byte that is not part of well-formed UTF-8 is written as \u00XX, the
 * byte read as Latin-1, so that no byte is lost and the line is always
 * valid JSON).
 */
#ifndef FORKHTTPD_LOG_FORMAT_H
#define FORKHTTPD_LOG_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum log_format_escape {
	LOG_FORMAT_APACHE = 0,
	LOG_FORMAT_JSON
};

/* The longest format string accepted, and the most items in one. */
#define LOG_FORMAT_SPEC_MAX 4096
#define LOG_FORMAT_ITEMS_MAX 128
/*
 * What the literal text and the fixed-width values of one format may take
 * at least: a line buffer of LOG_FORMAT_MIN_CAP always holds a whole line
 * (values cut to fit), so PIPE_BUF (4096) suffices for a pipe.
 */
#define LOG_FORMAT_MIN_CAP 4096

/* What a format needs that costs a system call to learn. */
#define LOG_FORMAT_NEED_LOCAL 0x1	/* %A, %p, %{local}p: getsockname() */

struct http_request;
struct log_format;

/* One response, as the access log sees it.  Slices need no NUL. */
struct log_format_entry {
	const char *client;		/* the peer's address, NUL-terminated */
	unsigned client_port;
	const char *local;		/* NULL: unknown ("-") */
	unsigned local_port;		/* 0: unknown */
	const char *server;		/* %v, NUL-terminated; NULL: "-" */
	int64_t start_us;		/* wall clock, us since the epoch: the
					 * request's header block was whole */
	int64_t end_us;			/* the response was out (or cut off) */
	const char *request_line;	/* NULL: none was read */
	size_t request_line_len;
	const struct http_request *req;	/* NULL: none was parsed */
	int status;
	uint64_t bytes_body;		/* body bytes sent (%b, %B) */
	uint64_t bytes_in;		/* request head and body read (%I) */
	uint64_t bytes_out;		/* response head and body sent (%O) */
	const char *head;		/* the response head as sent (%{X}o) */
	size_t head_len;
	const char *user;		/* %u, NUL-terminated; NULL: "-" */
	unsigned keepalives;		/* requests before this one on the
					 * connection (%k) */
	char conn_status;		/* %X: 'X' cut off, '+' kept, '-' closed */
	const char *tls_protocol;	/* %{SSL_PROTOCOL}x; NULL: "-" */
	const char *tls_cipher;		/* %{SSL_CIPHER}x; NULL: "-" */
};

/* The format string of a named format ("combined", "common",
 * "vhost_combined", "json"), or NULL. */
const char *log_format_named(const char *name);

/* The escaping a spec gets unless one is asked for: JSON for "json". */
enum log_format_escape log_format_default_escape(const char *spec);

/*
 * Compiles spec, a format's name or a format string, for escape.  Returns
 * the format (free it with log_format_free()), or NULL with one line in
 * err that names the directive and its column ("unknown directive %Z at
 * column 7").  Literal text may not hold control characters but TAB.
 */
struct log_format *log_format_compile(const char *spec,
    enum log_format_escape escape, char *err, size_t errlen);

void log_format_free(struct log_format *f);

/* LOG_FORMAT_NEED_* bits of what f uses. */
unsigned log_format_needs(const struct log_format *f);

/*
 * Renders e as one line ending in '\n' into buf (cap bytes, at least
 * LOG_FORMAT_MIN_CAP) and returns its length.  A line that would not fit
 * has its longest values cut, at an escape's or a UTF-8 sequence's
 * boundary, so it is still well formed.  f caches formatted times, per
 * process: hence not const.
 */
size_t log_format_render(struct log_format *f,
    const struct log_format_entry *e, char *buf, size_t cap);

#endif
