/* SPDX-License-Identifier: BSD-2-Clause */
#include "autoconf.h"
/*
 * fcgi.c - the FastCGI record protocol; see fcgi.h.  The encoders write
 * whole records or nothing.  The decoder is a state machine over the
 * record layout (header, content, padding) whose counters live in struct
 * fcgi_decoder, so its outcome cannot depend on how the input was split:
 * header bytes are collected one at a time, content is handed out or
 * skipped in bulk.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fcgi.h"

enum fcgi_state {
	FCGI_S_HEADER = 0,	/* collecting a record's 8-byte header */
	FCGI_S_CONTENT,		/* its content */
	FCGI_S_PADDING,		/* its padding */
	FCGI_S_DONE,		/* END_REQUEST taken */
	FCGI_S_ERROR
};

/* The 8-byte header (spec §3.3), no padding. */
static void
fcgi_put_header(unsigned char *h, unsigned type, uint16_t id, size_t len)
{
	h[0] = FCGI_VERSION_1;
	h[1] = (unsigned char)type;
	h[2] = (unsigned char)(id >> 8);
	h[3] = (unsigned char)(id & 0xff);
	h[4] = (unsigned char)(len >> 8);
	h[5] = (unsigned char)(len & 0xff);
	h[6] = 0;		/* paddingLength */
	h[7] = 0;		/* reserved */
}

size_t
fcgi_header(char *out, size_t cap, enum fcgi_type type, uint16_t id,
    size_t len)
{
	if (cap < FCGI_HEADER_LEN || len > FCGI_CONTENT_MAX || id == 0)
		return 0;
	fcgi_put_header((unsigned char *)out, type, id, len);
	return FCGI_HEADER_LEN;
}

size_t
fcgi_begin_request(char *out, size_t cap, uint16_t id, bool keep_conn)
{
	unsigned char *b = (unsigned char *)out;

	if (cap < FCGI_BEGIN_LEN || id == 0)
		return 0;
	/* FCGI_BeginRequestBody: role(2) flags(1) reserved(5). */
	fcgi_put_header(b, FCGI_BEGIN_REQUEST, id, 8);
	memset(b + FCGI_HEADER_LEN, 0, 8);
	b[FCGI_HEADER_LEN + 1] = FCGI_RESPONDER;
	b[FCGI_HEADER_LEN + 2] = keep_conn ? FCGI_KEEP_CONN : 0;
	return FCGI_BEGIN_LEN;
}

size_t
fcgi_stdin(char *out, size_t cap, uint16_t id, const char *data, size_t n,
    bool last, size_t *took, bool *ended)
{
	size_t w = 0;

	*took = 0;
	*ended = false;
	if (id == 0)
		return 0;
	while (*took < n && cap - w > FCGI_HEADER_LEN) {
		size_t k = n - *took;

		if (k > FCGI_CONTENT_MAX)
			k = FCGI_CONTENT_MAX;
		if (k > cap - w - FCGI_HEADER_LEN)
			k = cap - w - FCGI_HEADER_LEN;
		fcgi_put_header((unsigned char *)out + w, FCGI_STDIN, id, k);
		memcpy(out + w + FCGI_HEADER_LEN, data + *took, k);
		w += FCGI_HEADER_LEN + k;
		*took += k;
	}
	if (last && *took == n && cap - w >= FCGI_EMPTY_LEN) {
		fcgi_put_header((unsigned char *)out + w, FCGI_STDIN, id, 0);
		w += FCGI_EMPTY_LEN;
		*ended = true;
	}
	return w;
}

void
fcgi_params_init(struct fcgi_params *p, char *out, size_t cap, uint16_t id)
{
	p->out = out;
	p->cap = cap;
	p->len = 0;
	p->rec = 0;
	p->open = false;
	p->failed = id == 0;
	p->id = id;
}

/* A name or value length: 1 byte below 128, else 4 with the high bit. */
static size_t
fcgi_put_len(unsigned char *o, size_t len)
{
	if (len < 128) {
		o[0] = (unsigned char)len;
		return 1;
	}
	o[0] = (unsigned char)(0x80 | (len >> 24));
	o[1] = (unsigned char)(len >> 16);
	o[2] = (unsigned char)(len >> 8);
	o[3] = (unsigned char)len;
	return 4;
}

/* Writes the open record's header with the length it came to. */
static void
fcgi_params_close(struct fcgi_params *p)
{
	if (!p->open)
		return;
	fcgi_put_header((unsigned char *)p->out + p->rec, FCGI_PARAMS, p->id,
	    p->len - p->rec - FCGI_HEADER_LEN);
	p->open = false;
}

bool
fcgi_params_add(struct fcgi_params *p, const char *name, size_t nlen,
    const char *value, size_t vlen)
{
	size_t pair;
	unsigned char *o;

	if (p->failed)
		return false;
	if (nlen > FCGI_PAIR_MAX || vlen > FCGI_PAIR_MAX ||
	    (pair = (nlen < 128 ? 1 : 4) + (vlen < 128 ? 1 : 4) + nlen +
	    vlen) > FCGI_PAIR_MAX) {
		p->failed = true;
		return false;
	}
	/* A new record when the pair would take the open one past 64 KiB. */
	if (p->open && p->len - p->rec - FCGI_HEADER_LEN + pair >
	    FCGI_CONTENT_MAX)
		fcgi_params_close(p);
	if (p->cap - p->len < pair + (p->open ? 0 : FCGI_HEADER_LEN)) {
		p->failed = true;
		return false;
	}
	if (!p->open) {
		p->rec = p->len;
		p->len += FCGI_HEADER_LEN;
		p->open = true;
	}
	o = (unsigned char *)p->out + p->len;
	o += fcgi_put_len(o, nlen);
	o += fcgi_put_len(o, vlen);
	memcpy(o, name, nlen);
	memcpy(o + nlen, value, vlen);
	p->len += pair;
	return true;
}

size_t
fcgi_params_end(struct fcgi_params *p)
{
	if (p->failed)
		return 0;
	fcgi_params_close(p);
	if (p->cap - p->len < FCGI_EMPTY_LEN) {
		p->failed = true;
		return 0;
	}
	fcgi_put_header((unsigned char *)p->out + p->len, FCGI_PARAMS, p->id,
	    0);
	p->len += FCGI_EMPTY_LEN;
	return p->len;
}

void
fcgi_decoder_init(struct fcgi_decoder *d, uint16_t id)
{
	memset(d, 0, sizeof(*d));
	d->id = id;
	d->state = FCGI_S_HEADER;
}

static int
fcgi_fail(struct fcgi_decoder *d, const char *why)
{
	d->state = FCGI_S_ERROR;
	d->error = why;
	return -1;
}

/* A whole header in d->buf: what to do with the record.  -1: error. */
static int
fcgi_header_check(struct fcgi_decoder *d)
{
	const unsigned char *h = d->buf;
	unsigned id = (unsigned)h[2] << 8 | h[3];
	bool *closed;

	d->type = h[1];
	d->content = (size_t)h[4] << 8 | h[5];
	d->padding = h[6];
	d->buf_len = 0;
	d->skip = true;
	if (h[0] != FCGI_VERSION_1)
		return fcgi_fail(d, "not FastCGI version 1");
	/* Management records, and types this version does not define, are
	 * skipped (spec §4.2: a server answers them; a client ignores). */
	if (id == 0 || d->type == 0 || d->type > FCGI_UNKNOWN_TYPE ||
	    d->type == FCGI_GET_VALUES_RESULT || d->type == FCGI_UNKNOWN_TYPE)
		return 0;
	if (id != d->id)
		return fcgi_fail(d, "a record for another request");
	d->skip = false;
	switch (d->type) {
	case FCGI_STDOUT:
	case FCGI_STDERR:
		closed = d->type == FCGI_STDOUT ? &d->out_closed :
		    &d->err_closed;
		if (*closed && d->content > 0)
			return fcgi_fail(d, "output after its stream ended");
		if (d->content == 0)
			*closed = true;
		return 0;
	case FCGI_END_REQUEST:
		/* FCGI_EndRequestBody: appStatus(4) protocolStatus(1)
		 * reserved(3). */
		if (d->content != 8)
			return fcgi_fail(d, "END_REQUEST of the wrong length");
		return 0;
	default:
		return fcgi_fail(d, "a record a server does not send");
	}
}

/* END_REQUEST's body is whole in d->buf. */
static int
fcgi_end_check(struct fcgi_decoder *d)
{
	const unsigned char *b = d->buf;

	d->app_status = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | b[3];
	d->protocol_status = b[4];
	switch (d->protocol_status) {
	case FCGI_REQUEST_COMPLETE:
		return 0;
	case FCGI_CANT_MPX_CONN:
		return fcgi_fail(d, "refused: cannot multiplex");
	case FCGI_OVERLOADED:
		return fcgi_fail(d, "refused: overloaded");
	case FCGI_UNKNOWN_ROLE:
		return fcgi_fail(d, "refused: unknown role");
	default:
		return fcgi_fail(d, "refused: unknown protocol status");
	}
}

/*
 * Content bytes from in[*i..n): handed out (STDOUT, STDERR), collected
 * (END_REQUEST) or skipped.  Advances *i.  Returns FCGI_OUT/_ERR with
 * *off, *len set, FCGI_ERROR, or FCGI_MORE to go on.
 */
static enum fcgi_result
fcgi_content(struct fcgi_decoder *d, const char *in, size_t n, size_t *i,
    size_t *off, size_t *len)
{
	size_t k = n - *i < d->content ? n - *i : d->content;
	size_t at = *i;

	*i += k;
	d->content -= k;
	if (d->skip)
		return FCGI_MORE;
	if (d->type == FCGI_END_REQUEST) {
		/* content is 8 (checked): buf has room for all of it. */
		memcpy(d->buf + d->buf_len, in + at, k);
		d->buf_len += k;
		if (d->content == 0 && fcgi_end_check(d) < 0)
			return FCGI_ERROR;
		return FCGI_MORE;
	}
	*off = at;
	*len = k;
	return d->type == FCGI_STDOUT ? FCGI_OUT : FCGI_ERR;
}

/*
 * One step over in[*i..n).  Returns FCGI_MORE to go on, or what to
 * hand back (FCGI_OUT/_ERR with *off, *len, FCGI_END, FCGI_ERROR).
 */
static enum fcgi_result
fcgi_step(struct fcgi_decoder *d, const char *in, size_t n, size_t *i,
    size_t *off, size_t *len)
{
	enum fcgi_result r = FCGI_MORE;
	size_t k;

	switch (d->state) {
	case FCGI_S_HEADER:
		d->buf[d->buf_len++] = (unsigned char)in[(*i)++];
		if (d->buf_len < FCGI_HEADER_LEN)
			return FCGI_MORE;
		if (fcgi_header_check(d) < 0)
			return FCGI_ERROR;
		d->state = FCGI_S_CONTENT;
		break;
	case FCGI_S_CONTENT:
		if ((r = fcgi_content(d, in, n, i, off, len)) == FCGI_ERROR)
			return r;
		break;
	case FCGI_S_PADDING:
		k = n - *i < d->padding ? n - *i : d->padding;
		*i += k;
		d->padding -= k;
		break;
	default:
		return FCGI_ERROR;
	}
	/* Where the record stands now: content, padding, or over. */
	if (d->state == FCGI_S_CONTENT && d->content == 0)
		d->state = FCGI_S_PADDING;
	if (d->state == FCGI_S_PADDING && d->padding == 0) {
		d->state = FCGI_S_HEADER;
		if (!d->skip && d->type == FCGI_END_REQUEST) {
			/* The request is over, its record to the last byte. */
			d->state = FCGI_S_DONE;
			if (r == FCGI_MORE)
				r = FCGI_END;
		}
	}
	return r;
}

enum fcgi_result
fcgi_decode(struct fcgi_decoder *d, const char *in, size_t n, size_t *used,
    size_t *off, size_t *len)
{
	size_t i = 0;
	enum fcgi_result r;

	*off = *len = 0;
	*used = 0;
	if (d->state == FCGI_S_DONE)
		return FCGI_END;
	if (d->state == FCGI_S_ERROR)
		return FCGI_ERROR;
	while (i < n) {
		r = fcgi_step(d, in, n, &i, off, len);
		if (r == FCGI_ERROR) {
			*used = i > 0 ? i - 1 : 0;
			return r;
		}
		if (r != FCGI_MORE) {
			*used = i;
			return r;
		}
	}
	*used = n;
	return FCGI_MORE;
}
