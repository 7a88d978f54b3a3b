/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * upstream.c - an upstream's HTTP/1.1 response, read as it streams in
 * (upstream.h): the head's end found byte by byte, the head parsed, the
 * body de-framed.
 */
#include "autoconf.h"

#include <string.h>

#include "upstream.h"

/* The trailer section of a chunked response may be as long as a head. */
enum upstream_state {
	UPSTREAM_S_HEAD = 0,		/* collecting a head */
	UPSTREAM_S_PARSE,		/* the head is out; the caller parses it */
	UPSTREAM_S_BODY,
	UPSTREAM_S_END,
	UPSTREAM_S_ERROR
};

/* Larger than any body we could count; keeps the value a valid off_t. */
#define UPSTREAM_LENGTH_MAX ((uint64_t)INT64_MAX)

/* What the field lines told us. */
struct upstream_fields {
	bool te_seen, te_chunked, te_bad;
	bool conn_close, conn_keep_alive, conn_upgrade;
	bool upgrade_websocket;
};

/* ---------------------------------------------------------------- */
/* Lists */

/* The next element of a comma-separated list in v from *pos: its name
 * (up to a '/', ';' or OWS).  false at the end. */
static bool
upstream_list_next(struct http_slice v, size_t *pos, struct http_slice *el)
{
	size_t i = *pos, s;

	while (i < v.len && (v.p[i] == ',' || http_is_ows((unsigned char)v.p[i])))
		i++;
	if (i == v.len) {
		*pos = i;
		return false;
	}
	for (s = i; i < v.len && http_is_tchar((unsigned char)v.p[i]); i++)
		continue;
	el->p = v.p + s;
	el->len = i - s;
	while (i < v.len && v.p[i] != ',')
		i++;
	*pos = i;
	return true;
}

bool
upstream_list_has(struct http_slice value, const char *tok)
{
	struct http_slice el;
	size_t pos = 0;

	while (upstream_list_next(value, &pos, &el))
		if (http_slice_eq_nocase(el, tok))
			return true;
	return false;
}

/* ---------------------------------------------------------------- */
/* The head */

/* RFC 9110 §8.6: Content-Length = 1*DIGIT, one number. */
static bool
upstream_length(struct http_slice v, uint64_t *out)
{
	uint64_t n = 0;

	if (v.len == 0)
		return false;
	for (size_t i = 0; i < v.len; i++) {
		unsigned char c = (unsigned char)v.p[i];

		if (!http_is_digit(c) ||
		    n > (UPSTREAM_LENGTH_MAX - (uint64_t)(c - '0')) / 10)
			return false;
		n = n * 10 + (uint64_t)(c - '0');
	}
	*out = n;
	return true;
}

/*
 * RFC 9112 §4: status-line = HTTP-version SP status-code SP
 * [ reason-phrase ], HTTP-version = "HTTP/" DIGIT "." DIGIT, status-code
 * = 3DIGIT, reason-phrase = 1*( HTAB / SP / VCHAR / obs-text ).  The SP
 * before an empty reason is missing from many servers' lines; we take it
 * as optional (it decides nothing about framing).
 */
static int
upstream_status_line(const char *p, size_t len, struct upstream_head *h)
{
	if (len < 12 || memcmp(p, "HTTP/1.", 7) != 0 ||
	    !http_is_digit((unsigned char)p[7]) || p[8] != ' ')
		return -1;
	/* RFC 9110 §2.5: a higher minor version of 1 is read as 1.1. */
	h->version = p[7] == '0' ? HTTP_VERSION_10 : HTTP_VERSION_11;
	for (int i = 9; i < 12; i++)
		if (!http_is_digit((unsigned char)p[i]))
			return -1;
	h->status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
	/* RFC 9110 §15: values outside 100..599 are invalid. */
	if (h->status < 100 || h->status > 599)
		return -1;
	if (len > 12 && p[12] != ' ')
		return -1;
	for (size_t i = 13; i < len; i++) {
		unsigned char c = (unsigned char)p[i];

		if (!http_is_vchar(c) && !http_is_ows(c) && c < 0x80)
			return -1;
	}
	h->reason.p = p + (len > 12 ? 13 : 12);
	h->reason.len = len > 12 ? len - 13 : 0;
	return 0;
}

/* Transfer-Encoding: "chunked", once, and nothing else (see the top). */
static void
upstream_te(struct http_slice v, struct upstream_fields *f)
{
	struct http_slice el;
	size_t pos = 0;

	f->te_seen = true;
	while (upstream_list_next(v, &pos, &el)) {
		if (!http_slice_eq_nocase(el, "chunked") || f->te_chunked ||
		    el.len == 0)
			f->te_bad = true;
		f->te_chunked = true;
	}
	/* Anything after the token (parameters) is not plain chunked. */
	for (size_t i = 0; i < v.len; i++)
		if (v.p[i] == ';')
			f->te_bad = true;
}

/* One field whose value decides framing or the connection. */
static int
upstream_field(struct http_slice name, struct http_slice v,
    struct upstream_head *h, struct upstream_fields *f)
{
	uint64_t cl;

	if (http_slice_eq_nocase(name, "Content-Length")) {
		/* RFC 9112 §6.3 (5): invalid, or several that differ:
		 * unrecoverable. */
		if (!upstream_length(v, &cl) ||
		    (h->has_length && cl != h->content_length))
			return -1;
		h->has_length = true;
		h->content_length = cl;
	} else if (http_slice_eq_nocase(name, "Transfer-Encoding")) {
		upstream_te(v, f);
	} else if (http_slice_eq_nocase(name, "Connection")) {
		f->conn_close |= upstream_list_has(v, "close");
		f->conn_keep_alive |= upstream_list_has(v, "keep-alive");
		f->conn_upgrade |= upstream_list_has(v, "upgrade");
	} else if (http_slice_eq_nocase(name, "Upgrade")) {
		f->upgrade_websocket |= upstream_list_has(v, "websocket");
	}
	return 0;
}

/* RFC 9112 §5: field-line = field-name ":" OWS field-value OWS. */
static int
upstream_field_line(const char *p, size_t len, struct upstream_head *h,
    struct upstream_fields *f)
{
	struct http_slice name, v;
	size_t n, s, e;

	/* RFC 9112 §5.2: a proxy MUST reject obs-fold (502) or replace
	 * it; we reject.  RFC 9112 §5.1: no whitespace before the colon. */
	for (n = 0; n < len && http_is_tchar((unsigned char)p[n]); n++)
		continue;
	if (n == 0 || n == len || p[n] != ':')
		return -1;
	for (s = n + 1; s < len && http_is_ows((unsigned char)p[s]); s++)
		continue;
	for (e = len; e > s && http_is_ows((unsigned char)p[e - 1]); e--)
		continue;
	/* RFC 9110 §5.5: field-content is VCHAR, obs-text, SP and HTAB;
	 * CR, LF and NUL MUST be rejected; other CTLs are, too. */
	for (size_t i = s; i < e; i++) {
		unsigned char c = (unsigned char)p[i];

		if (!http_is_vchar(c) && !http_is_ows(c) && c < 0x80)
			return -1;
	}
	name.p = p;
	name.len = n;
	v.p = p + s;
	v.len = e - s;
	return upstream_field(name, v, h, f);
}

/* RFC 9112 §6.3: the body's length, in its order of rules. */
static int
upstream_framing(struct upstream_head *h, const struct upstream_fields *f,
    bool head_request)
{
	if (f->te_seen) {
		/* RFC 9112 §6.1: TE with Content-Length "ought to be
		 * handled as an error"; TE in HTTP/1.0 is faulty framing. */
		if (f->te_bad || h->has_length || h->version == HTTP_VERSION_10)
			return -1;
	}
	h->keep_alive = !f->conn_close && (h->version == HTTP_VERSION_11 ||
	    f->conn_keep_alive);
	h->upgrade_websocket = f->conn_upgrade && f->upgrade_websocket;
	/* (1) HEAD, 1xx, 204 and 304 have no content whatever they say. */
	if (head_request || h->status < 200 || h->status == 204 ||
	    h->status == 304)
		h->framing = UPSTREAM_BODY_NONE;
	else if (f->te_seen)
		h->framing = UPSTREAM_BODY_CHUNKED;
	else if (h->has_length)
		h->framing = UPSTREAM_BODY_LENGTH;
	else
		h->framing = UPSTREAM_BODY_CLOSE;
	/* (8) Read until close: nothing can follow it. */
	if (h->framing == UPSTREAM_BODY_CLOSE)
		h->keep_alive = false;
	return 0;
}

/* The CRLF ending the line at p[off..len), or len when none. */
static size_t
upstream_eol(const char *p, size_t off, size_t len)
{
	for (size_t i = off; i + 1 < len; i++) {
		if (p[i] == '\r' && p[i + 1] == '\n')
			return i;
		if (p[i] == '\r' || p[i] == '\n' || p[i] == '\0')
			return len;
	}
	return len;
}

int
upstream_parse_head(const char *buf, size_t len, bool head_request,
    struct upstream_head *h)
{
	struct upstream_fields f;
	size_t start = 0, eol;

	memset(h, 0, sizeof(*h));
	memset(&f, 0, sizeof(f));
	eol = upstream_eol(buf, 0, len);
	if (eol == len || upstream_status_line(buf, eol, h) < 0)
		return -1;
	h->fields.p = buf + eol + 2;
	for (;;) {
		start = eol + 2;
		eol = upstream_eol(buf, start, len);
		if (eol == len)
			return -1;
		if (eol == start)
			break;
		if (upstream_field_line(buf + start, eol - start, h, &f) < 0)
			return -1;
	}
	/* The blank line ends the head, and the block given. */
	if (eol + 2 != len)
		return -1;
	h->fields.len = (size_t)(buf + start - h->fields.p);
	return upstream_framing(h, &f, head_request);
}

bool
upstream_field_next(const struct upstream_head *h, size_t *pos,
    struct http_slice *name, struct http_slice *value)
{
	struct http_request r;

	/* The same block shape as a request's: read it the same way. */
	memset(&r, 0, sizeof(r));
	r.fields = h->fields;
	return http_request_field_next(&r, pos, name, value);
}

/* ---------------------------------------------------------------- */
/* The reader */

void
upstream_init(struct upstream_reader *r, size_t head_max)
{
	memset(r, 0, sizeof(*r));
	r->head_max = head_max;
	r->line_start = true;
	r->state = UPSTREAM_S_HEAD;
}

void
upstream_next_head(struct upstream_reader *r)
{
	upstream_init(r, r->head_max);
}

void
upstream_body(struct upstream_reader *r, const struct upstream_head *h)
{
	r->state = UPSTREAM_S_BODY;
	r->framing = h->status == HTTP_STATUS_SWITCHING_PROTOCOLS ?
	    UPSTREAM_BODY_TUNNEL : h->framing;
	r->remaining = h->framing == UPSTREAM_BODY_LENGTH ?
	    h->content_length : 0;
	/* The trailer section is bounded like a head. */
	chunked_init(&r->chunks, r->head_max);
}

/*
 * One byte of a head: 1 it was the last (the blank line's LF), 0 more
 * to come, -1 not a head.  RFC 9112 §2.2: lines end in CRLF; we take
 * no bare LF, and a bare CR or a NUL is invalid.
 */
static int
upstream_head_byte(struct upstream_reader *r, char c)
{
	if (++r->head_len > r->head_max || c == '\0')
		return -1;
	if (c == '\r') {
		if (r->match != 0 && r->match != 2)
			return -1;
		r->match++;
		return 0;
	}
	if (c == '\n') {
		if (r->match != 1 && r->match != 3)
			return -1;
		/* An empty first line is no status line. */
		if (r->head_len == 2)
			return -1;
		return r->match++ == 3 ? 1 : 0;
	}
	if (r->match == 1 || r->match == 3)
		return -1;
	r->match = 0;
	return 0;
}

static enum upstream_result
upstream_take_head(struct upstream_reader *r, const char *in, size_t n,
    size_t *took, size_t *len)
{
	for (size_t i = 0; i < n; i++) {
		int b = upstream_head_byte(r, in[i]);

		if (b < 0) {
			r->state = UPSTREAM_S_ERROR;
			return UPSTREAM_ERROR;
		}
		if (b == 1) {
			r->state = UPSTREAM_S_PARSE;
			*took = *len = i + 1;
			return UPSTREAM_DATA;
		}
	}
	*took = *len = n;
	return n > 0 ? UPSTREAM_DATA : UPSTREAM_MORE;
}

static enum upstream_result
upstream_take_chunks(struct upstream_reader *r, const char *in, size_t n,
    size_t *took, size_t *off, size_t *len)
{
	enum chunked_result c;

	c = chunked_decode_data(&r->chunks, in, n, took, off, len);
	if (c == CHUNKED_ERROR) {
		r->state = UPSTREAM_S_ERROR;
		return UPSTREAM_ERROR;
	}
	if (c == CHUNKED_DONE) {
		r->state = UPSTREAM_S_END;
		r->extra = *took < n;
		/* The last-chunk carries no data. */
		return UPSTREAM_END;
	}
	return *len > 0 ? UPSTREAM_DATA : UPSTREAM_MORE;
}

/* The body framed by a length, by the close, or a tunnel. */
static enum upstream_result
upstream_take_plain(struct upstream_reader *r, const char *in, size_t n,
    bool eof, size_t *took, size_t *len)
{
	size_t k = n;

	if (r->framing == UPSTREAM_BODY_LENGTH) {
		if (r->remaining == 0) {
			r->state = UPSTREAM_S_END;
			r->extra = n > 0;
			return UPSTREAM_END;
		}
		if ((uint64_t)k > r->remaining) {
			k = (size_t)r->remaining;
			r->extra = true;
		}
		r->remaining -= k;
	} else if (n == 0 && eof) {
		r->state = UPSTREAM_S_END;
		return UPSTREAM_END;
	}
	(void)in;
	*took = *len = k;
	return k > 0 ? UPSTREAM_DATA : UPSTREAM_MORE;
}

enum upstream_result
upstream_take(struct upstream_reader *r, const char *in, size_t n, bool eof,
    size_t *took, size_t *off, size_t *len)
{
	*took = *off = *len = 0;
	switch (r->state) {
	case UPSTREAM_S_HEAD:
		return upstream_take_head(r, in, n, took, len);
	case UPSTREAM_S_BODY:
		break;
	case UPSTREAM_S_END:
		r->extra |= n > 0;
		return UPSTREAM_END;
	default:
		r->state = UPSTREAM_S_ERROR;
		return UPSTREAM_ERROR;
	}
	switch (r->framing) {
	case UPSTREAM_BODY_NONE:
		r->state = UPSTREAM_S_END;
		r->extra = n > 0;
		return UPSTREAM_END;
	case UPSTREAM_BODY_CHUNKED:
		return upstream_take_chunks(r, in, n, took, off, len);
	default:
		return upstream_take_plain(r, in, n, eof, took, len);
	}
}
