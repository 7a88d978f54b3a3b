/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * forward.c - the request head sent upstream (forward.h).
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "forward.h"
#include "net.h"
#include "upstream.h"

/* The head being written; ok turns false once something does not fit. */
struct forward_out {
	char *buf;
	size_t cap, n;
	bool ok;
};

static void
forward_put(struct forward_out *o, const char *p, size_t len)
{
	if (!o->ok || len > o->cap - o->n) {
		o->ok = false;
		return;
	}
	memcpy(o->buf + o->n, p, len);
	o->n += len;
}

static void
forward_puts(struct forward_out *o, const char *s)
{
	forward_put(o, s, strlen(s));
}

/* The field lines of a block, as a request's are read. */
static bool
forward_field_next(struct http_slice fields, size_t *pos,
    struct http_slice *name, struct http_slice *value)
{
	struct http_request r;

	memset(&r, 0, sizeof(r));
	r.fields = fields;
	return http_request_field_next(&r, pos, name, value);
}

/*
 * RFC 9110 §7.6.1: Connection, and the fields it names, are for one
 * hop; so are Proxy-Connection, Keep-Alive, TE, Transfer-Encoding and
 * Upgrade, which a proxy MUST NOT forward in any case.  Trailer goes
 * with the framing we replace, Content-Length too (we frame anew).
 */
static const char *const forward_hop[] = {
	"Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer",
	"Transfer-Encoding", "Upgrade", "Content-Length"
};

/* The elements of a Connection value into h. */
static void
forward_hop_list(struct forward_hop *h, struct http_slice v)
{
	size_t i = 0;

	while (i < v.len) {
		size_t s;

		while (i < v.len && (v.p[i] == ',' ||
		    http_is_ows((unsigned char)v.p[i])))
			i++;
		for (s = i; i < v.len && http_is_tchar((unsigned char)v.p[i]);
		    i++)
			continue;
		if (i > s && h->n < FORWARD_HOP_NAMED)
			h->named[h->n++] = (struct http_slice){ v.p + s, i - s };
		else if (i > s)
			h->more = true;
		while (i < v.len && v.p[i] != ',')
			i++;
	}
}

void
forward_hop_init(struct forward_hop *h, struct http_slice fields)
{
	struct http_slice n, v;
	size_t pos = 0;

	h->fields = fields;
	h->n = 0;
	h->more = false;
	while (forward_field_next(fields, &pos, &n, &v))
		if (http_slice_eq_nocase(n, "Connection"))
			forward_hop_list(h, v);
}

/* Whether two names are the same but for case. */
static bool
forward_same(struct http_slice a, struct http_slice b)
{
	return a.len == b.len && strncasecmp(a.p, b.p, a.len) == 0;
}

bool
forward_hop_by_hop(const struct forward_hop *h, struct http_slice name)
{
	struct http_slice n, v;
	size_t pos = 0;

	for (size_t i = 0; i < sizeof(forward_hop) / sizeof(forward_hop[0]);
	    i++)
		if (http_slice_eq_nocase(name, forward_hop[i]))
			return true;
	for (unsigned i = 0; i < h->n; i++)
		if (forward_same(h->named[i], name))
			return true;
	/* A Connection field naming more than we keep: read it again. */
	while (h->more && forward_field_next(h->fields, &pos, &n, &v)) {
		char tok[128];

		if (!http_slice_eq_nocase(n, "Connection") ||
		    name.len >= sizeof(tok))
			continue;
		memcpy(tok, name.p, name.len);
		tok[name.len] = '\0';
		if (upstream_list_has(v, tok))
			return true;
	}
	return false;
}

/* Ours to set: whatever the client sent under these names goes. */
static bool
forward_ours(struct http_slice name)
{
	return http_slice_eq_nocase(name, "X-Forwarded-For") ||
	    http_slice_eq_nocase(name, "X-Forwarded-Proto") ||
	    http_slice_eq_nocase(name, "X-Forwarded-Host") ||
	    http_slice_eq_nocase(name, "Forwarded") ||
	    http_slice_eq_nocase(name, "Expect");
}

bool
forward_is_websocket(const struct http_request *req)
{
	struct http_slice v;
	bool conn = false, up = false;

	if (req->method != HTTP_METHOD_GET || req->version != HTTP_VERSION_11)
		return false;
	for (unsigned i = 0; http_request_field(req, "Connection", i, &v); i++)
		conn |= upstream_list_has(v, "upgrade");
	for (unsigned i = 0; http_request_field(req, "Upgrade", i, &v); i++)
		up |= upstream_list_has(v, "websocket");
	return conn && up;
}

/* RFC 3986 §3.3: pchar = unreserved / pct-encoded / sub-delims / ":" /
 * "@"; with '/' between segments. */
static bool
forward_is_pchar(unsigned char c)
{
	return http_is_unreserved(c) || strchr("!$&'()*+,;=:@/", c) != NULL;
}

/* p[0..len) of a decoded path, encoded again. */
static void
forward_put_encoded(struct forward_out *o, const char *p, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];
		char e[3] = { '%', hex[c >> 4], hex[c & 15] };

		if (c != '\0' && forward_is_pchar(c))
			forward_put(o, (const char *)&p[i], 1);
		else
			forward_put(o, e, 3);
	}
}

/* The request-target (see forward.h). */
static void
forward_target(struct forward_out *o, const struct http_request *req,
    const struct forward_info *fi)
{
	const char *rest = fi->path;
	size_t n = fi->path_len;

	if (fi->prefix == NULL || fi->prefix[0] == '\0') {
		forward_put(o, req->path.p, req->path.len);
	} else {
		if (fi->match_len <= n) {
			rest += fi->match_len;
			n -= fi->match_len;
		}
		forward_puts(o, fi->prefix);
		/* No "//" where the prefix's slash meets the path's. */
		if (n > 0 && rest[0] == '/' &&
		    fi->prefix[strlen(fi->prefix) - 1] == '/') {
			rest++;
			n--;
		}
		forward_put_encoded(o, rest, n);
	}
	/* The parser sets query.p only where a '?' was, empty or not. */
	if (req->query.p != NULL) {
		forward_put(o, "?", 1);
		forward_put(o, req->query.p, req->query.len);
	}
}

/* The client's fields that pass. */
static void
forward_fields(struct forward_out *o, const struct http_request *req)
{
	struct forward_hop hop;
	struct http_slice n, v;
	size_t pos = 0;

	forward_hop_init(&hop, req->fields);
	while (forward_field_next(req->fields, &pos, &n, &v)) {
		if (forward_hop_by_hop(&hop, n) || forward_ours(n))
			continue;
		forward_put(o, n.p, n.len);
		forward_put(o, ": ", 2);
		forward_put(o, v.p, v.len);
		forward_put(o, "\r\n", 2);
	}
}

/* X-Forwarded-* and Forwarded (RFC 7239 §4, §5). */
static void
forward_ours_out(struct forward_out *o, const struct http_request *req,
    const struct forward_info *fi)
{
	char addr[NET_ADDR_MAX];
	bool v6;

	net_peer_name(fi->peer, addr, sizeof(addr));
	v6 = strchr(addr, ':') != NULL;
	forward_puts(o, "X-Forwarded-For: ");
	forward_puts(o, addr);
	forward_puts(o, "\r\nX-Forwarded-Proto: ");
	forward_puts(o, fi->proto);
	forward_puts(o, "\r\n");
	if (req->host.len > 0) {
		forward_puts(o, "X-Forwarded-Host: ");
		forward_put(o, req->host.p, req->host.len);
		forward_puts(o, "\r\n");
	}
	/* RFC 7239 §6: an IPv6 node is "[" IPv6address "]", and §4 a value
	 * with ':' or '[' must be a quoted-string. */
	forward_puts(o, v6 ? "Forwarded: for=\"[" : "Forwarded: for=");
	forward_puts(o, addr);
	forward_puts(o, v6 ? "]\";proto=" : ";proto=");
	forward_puts(o, fi->proto);
	if (req->host.len > 0) {
		/* A Host the parser took holds no '"' or '\\'. */
		forward_puts(o, ";host=\"");
		forward_put(o, req->host.p, req->host.len);
		forward_puts(o, "\"");
	}
	forward_puts(o, "\r\n");
}

/* Host, the body's framing, the upgrade. */
static void
forward_framing(struct forward_out *o, const struct http_request *req,
    const struct forward_info *fi)
{
	struct http_slice v;
	char num[32];

	if (!http_request_field(req, "Host", 0, &v)) {
		forward_puts(o, "Host: ");
		forward_put(o, req->host.len > 0 ? req->host.p : fi->host,
		    req->host.len > 0 ? req->host.len : strlen(fi->host));
		forward_puts(o, "\r\n");
	}
	if (req->framing == HTTP_FRAMING_LENGTH) {
		snprintf(num, sizeof(num), "%llu",
		    (unsigned long long)req->content_length);
		forward_puts(o, "Content-Length: ");
		forward_puts(o, num);
		forward_puts(o, "\r\n");
	} else if (req->framing == HTTP_FRAMING_CHUNKED) {
		forward_puts(o, "Transfer-Encoding: chunked\r\n");
	} else if (http_request_field(req, "Content-Length", 0, &v) ||
	    req->method == HTTP_METHOD_POST || req->method == HTTP_METHOD_PUT) {
		/* RFC 9110 §8.6: a user agent SHOULD send Content-Length
		 * with a POST or PUT of no content. */
		forward_puts(o, "Content-Length: 0\r\n");
	}
	if (fi->websocket)
		forward_puts(o, "Connection: upgrade\r\nUpgrade: websocket\r\n");
}

size_t
forward_head(const struct http_request *req, const struct forward_info *fi,
    char *out, size_t cap)
{
	struct forward_out o = { out, cap, 0, true };

	forward_put(&o, req->method_name.p, req->method_name.len);
	forward_put(&o, " ", 1);
	forward_target(&o, req, fi);
	forward_puts(&o, " HTTP/1.1\r\n");
	forward_fields(&o, req);
	forward_ours_out(&o, req, fi);
	forward_framing(&o, req, fi);
	forward_puts(&o, "\r\n");
	return o.ok ? o.n : 0;
}
