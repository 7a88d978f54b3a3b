/* SPDX-License-Identifier: BSD-2-Clause */
#include "autoconf.h"
/*
 * chunked.c - the chunked transfer coding (RFC 9112 §7.1); see chunked.h.
 * Request bodies are decoded by a state machine that takes one byte at a
 * time; response bodies get their framing from the encoder at the end.
 *
 * Every byte outside chunk data moves the machine by exactly one step and
 * the counters (line, trailer, the size being read) live in the decoder,
 * so the outcome cannot depend on where the input was split.  Chunk data
 * is skipped in bulk: only its length matters here.
 *
 * On CHUNKED_ERROR, *used is the offset of the first byte that does not
 * fit (chunked.h leaves it open; the unit tests rely on it to tell one
 * error from another).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "chunked.h"
#include "http.h"
#include "util.h"

enum chunked_state {
	CHUNKED_S_SIZE_START = 0,	/* the first HEXDIG of chunk-size */
	CHUNKED_S_SIZE,			/* more HEXDIG, or what ends them */
	CHUNKED_S_EXT_BWS,		/* BWS before ";" */
	CHUNKED_S_EXT_NAME_BWS,		/* BWS after ";" */
	CHUNKED_S_EXT_NAME,		/* chunk-ext-name */
	CHUNKED_S_EXT_NAME_END,		/* BWS after the name */
	CHUNKED_S_EXT_VAL_BWS,		/* BWS after "=" */
	CHUNKED_S_EXT_TOKEN,		/* chunk-ext-val as a token */
	CHUNKED_S_EXT_QUOTED,		/* inside a quoted-string */
	CHUNKED_S_EXT_QPAIR,		/* after "\" in a quoted-string */
	CHUNKED_S_EXT_QUOTED_END,	/* after the closing DQUOTE */
	CHUNKED_S_SIZE_LF,		/* the LF ending the size line */
	CHUNKED_S_DATA,			/* chunk-data */
	CHUNKED_S_DATA_CR,		/* the CRLF after chunk-data */
	CHUNKED_S_DATA_LF,
	CHUNKED_S_TRAILER_START,	/* a field-line or the final CRLF */
	CHUNKED_S_TRAILER_NAME,		/* field-name */
	CHUNKED_S_TRAILER_VALUE,	/* everything after the ":" */
	CHUNKED_S_TRAILER_LF,		/* the LF ending a field-line */
	CHUNKED_S_FINAL_LF,		/* the LF of the final CRLF */
	CHUNKED_S_DONE,
	CHUNKED_S_ERROR
};

/*
 * RFC 9110 §5.5: field-vchar = VCHAR / obs-text, with SP and HTAB between
 * them; also RFC 9110 §5.6.4 quoted-pair = "\" ( HTAB / SP / VCHAR /
 * obs-text ).  Leaves out every CTL: NUL, CR, LF, DEL.
 */
static bool
chunked_is_text(unsigned char c)
{
	return http_is_ows(c) || (c >= 0x21 && c != 0x7f);
}

/*
 * RFC 9110 §5.6.4: qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E /
 * obs-text, i.e. text but DQUOTE and backslash.
 */
static bool
chunked_is_qdtext(unsigned char c)
{
	return chunked_is_text(c) && c != '"' && c != '\\';
}

/* Where the chunk-size line may go after its size or an extension. */
static enum chunked_state
chunked_after_size(unsigned char c)
{
	if (http_is_ows(c))
		return CHUNKED_S_EXT_BWS;
	if (c == ';')
		return CHUNKED_S_EXT_NAME_BWS;
	if (c == '\r')
		return CHUNKED_S_SIZE_LF;
	return CHUNKED_S_ERROR;
}

/*
 * One byte of the chunk-size line:
 *   chunk-size [ chunk-ext ] CRLF
 *   chunk-ext = *( BWS ";" BWS chunk-ext-name
 *                  [ BWS "=" BWS chunk-ext-val ] )
 * d->remaining accumulates the size.
 */
static enum chunked_state
chunked_size_line(struct chunked_decoder *d, unsigned char c)
{
	int v;

	/* The line is counted without its CRLF: size and extensions. */
	if (c != '\r' && ++d->line > CHUNKED_LINE_MAX)
		return CHUNKED_S_ERROR;

	switch (d->state) {
	case CHUNKED_S_SIZE_START:
		/* RFC 9112 §7.1: chunk-size = 1*HEXDIG; nothing before it
		 * (no sign, no "0x", no whitespace). */
		if ((v = util_hexval((char)c)) < 0)
			return CHUNKED_S_ERROR;
		d->remaining = (uint64_t)v;
		return CHUNKED_S_SIZE;
	case CHUNKED_S_SIZE:
		if ((v = util_hexval((char)c)) < 0)
			return chunked_after_size(c);
		/* RFC 9112 §7.1: "Recipients MUST anticipate potentially
		 * large hexadecimal numerals and prevent parsing errors due
		 * to integer conversion overflows": past INT64_MAX (which an
		 * off_t can still hold) is an error. */
		if (d->remaining > ((uint64_t)INT64_MAX - (uint64_t)v) / 16)
			return CHUNKED_S_ERROR;
		d->remaining = d->remaining * 16 + (uint64_t)v;
		return CHUNKED_S_SIZE;
	case CHUNKED_S_EXT_BWS:
		/* BWS must lead to ";": no whitespace before the CRLF. */
		if (http_is_ows(c))
			return CHUNKED_S_EXT_BWS;
		return c == ';' ? CHUNKED_S_EXT_NAME_BWS : CHUNKED_S_ERROR;
	case CHUNKED_S_EXT_NAME_BWS:
		if (http_is_ows(c))
			return CHUNKED_S_EXT_NAME_BWS;
		/* RFC 9112 §7.1.1: chunk-ext-name = token (1*tchar). */
		return http_is_tchar(c) ? CHUNKED_S_EXT_NAME :
		    CHUNKED_S_ERROR;
	case CHUNKED_S_EXT_NAME:
		if (http_is_tchar(c))
			return CHUNKED_S_EXT_NAME;
		if (c == '=')
			return CHUNKED_S_EXT_VAL_BWS;
		if (http_is_ows(c))
			return CHUNKED_S_EXT_NAME_END;
		return chunked_after_size(c);
	case CHUNKED_S_EXT_NAME_END:
		if (http_is_ows(c))
			return CHUNKED_S_EXT_NAME_END;
		if (c == '=')
			return CHUNKED_S_EXT_VAL_BWS;
		return c == ';' ? CHUNKED_S_EXT_NAME_BWS : CHUNKED_S_ERROR;
	case CHUNKED_S_EXT_VAL_BWS:
		/* RFC 9112 §7.1.1: chunk-ext-val = token / quoted-string;
		 * a name with "=" needs a value. */
		if (http_is_ows(c))
			return CHUNKED_S_EXT_VAL_BWS;
		if (c == '"')
			return CHUNKED_S_EXT_QUOTED;
		return http_is_tchar(c) ? CHUNKED_S_EXT_TOKEN :
		    CHUNKED_S_ERROR;
	case CHUNKED_S_EXT_TOKEN:
		if (http_is_tchar(c))
			return CHUNKED_S_EXT_TOKEN;
		return chunked_after_size(c);
	case CHUNKED_S_EXT_QUOTED:
		/* RFC 9110 §5.6.4: quoted-string = DQUOTE *( qdtext /
		 * quoted-pair ) DQUOTE. */
		if (c == '"')
			return CHUNKED_S_EXT_QUOTED_END;
		if (c == '\\')
			return CHUNKED_S_EXT_QPAIR;
		return chunked_is_qdtext(c) ? CHUNKED_S_EXT_QUOTED :
		    CHUNKED_S_ERROR;
	case CHUNKED_S_EXT_QPAIR:
		return chunked_is_text(c) ? CHUNKED_S_EXT_QUOTED :
		    CHUNKED_S_ERROR;
	case CHUNKED_S_EXT_QUOTED_END:
		return chunked_after_size(c);
	default:
		return CHUNKED_S_ERROR;
	}
}

/*
 * One byte of the trailer section (RFC 9112 §7.1.2, §5):
 *   trailer-section = *( field-line CRLF )
 *   field-line = field-name ":" OWS field-value OWS
 * followed by the CRLF that ends the body.  The field lines and their
 * CRLFs count against d->trailer_max; the final CRLF does not.
 */
static enum chunked_state
chunked_trailer(struct chunked_decoder *d, unsigned char c)
{
	if ((d->state != CHUNKED_S_TRAILER_START || c != '\r') &&
	    ++d->trailer > d->trailer_max)
		return CHUNKED_S_ERROR;

	switch (d->state) {
	case CHUNKED_S_TRAILER_START:
		if (c == '\r')
			return CHUNKED_S_FINAL_LF;
		/* RFC 9112 §5.2: a server that receives an obs-fold (a line
		 * starting with SP or HTAB) in a request "MUST either reject
		 * the message by sending a 400 (Bad Request) ... or replace
		 * each received obs-fold with one or more SP": we reject.
		 * RFC 9110 §5.1: field-name = token. */
		return http_is_tchar(c) ? CHUNKED_S_TRAILER_NAME :
		    CHUNKED_S_ERROR;
	case CHUNKED_S_TRAILER_NAME:
		/* RFC 9112 §5.1: "No whitespace is allowed between the
		 * field name and colon ... A server MUST reject, with a
		 * response status code of 400 (Bad Request), any received
		 * request message that contains whitespace between a header
		 * field name and colon." */
		if (http_is_tchar(c))
			return CHUNKED_S_TRAILER_NAME;
		return c == ':' ? CHUNKED_S_TRAILER_VALUE : CHUNKED_S_ERROR;
	case CHUNKED_S_TRAILER_VALUE:
		/* RFC 9110 §5.5: field values are VCHAR, obs-text, SP and
		 * HTAB; "a recipient of CR, LF, or NUL within a field value
		 * MUST either reject the message or replace" them. */
		if (c == '\r')
			return CHUNKED_S_TRAILER_LF;
		return chunked_is_text(c) ? CHUNKED_S_TRAILER_VALUE :
		    CHUNKED_S_ERROR;
	case CHUNKED_S_TRAILER_LF:
		return c == '\n' ? CHUNKED_S_TRAILER_START : CHUNKED_S_ERROR;
	default:
		return CHUNKED_S_ERROR;
	}
}

/* One byte anywhere outside chunk data; the next state. */
static enum chunked_state
chunked_step(struct chunked_decoder *d, unsigned char c)
{
	/*
	 * RFC 9112 §2.2: "a recipient MAY recognize a single LF as a line
	 * terminator" (we do not: lines end in CRLF, as the grammar says)
	 * and "A recipient of such a bare CR MUST consider that element to
	 * be invalid": a CR must be followed by LF.  A stray LF or a NUL
	 * fits no state's grammar, so it is an error wherever it comes.
	 */
	switch (d->state) {
	case CHUNKED_S_SIZE_LF:
		if (c != '\n')
			return CHUNKED_S_ERROR;
		d->line = 0;
		/* RFC 9112 §7.1: last-chunk = 1*("0") [ chunk-ext ] CRLF */
		return d->remaining == 0 ? CHUNKED_S_TRAILER_START :
		    CHUNKED_S_DATA;
	case CHUNKED_S_DATA_CR:
		/* RFC 9112 §7.1: chunk = chunk-size [ chunk-ext ] CRLF
		 * chunk-data CRLF; whatever else follows the data means the
		 * size was a lie. */
		return c == '\r' ? CHUNKED_S_DATA_LF : CHUNKED_S_ERROR;
	case CHUNKED_S_DATA_LF:
		return c == '\n' ? CHUNKED_S_SIZE_START : CHUNKED_S_ERROR;
	case CHUNKED_S_TRAILER_START:
	case CHUNKED_S_TRAILER_NAME:
	case CHUNKED_S_TRAILER_VALUE:
	case CHUNKED_S_TRAILER_LF:
		return chunked_trailer(d, c);
	case CHUNKED_S_FINAL_LF:
		return c == '\n' ? CHUNKED_S_DONE : CHUNKED_S_ERROR;
	case CHUNKED_S_DONE:
	case CHUNKED_S_ERROR:
	case CHUNKED_S_DATA:
		/* Not reached: chunked_decode() handles these itself. */
		return CHUNKED_S_ERROR;
	default:
		return chunked_size_line(d, c);
	}
}

void
chunked_init(struct chunked_decoder *d, size_t trailer_max)
{
	d->state = CHUNKED_S_SIZE_START;
	d->remaining = 0;
	d->line = 0;
	d->trailer_max = trailer_max;
	d->trailer = 0;
	d->total = 0;
}

static enum chunked_result chunked_run(struct chunked_decoder *d,
    const char *buf, size_t len, bool one_run, size_t *used, size_t *first,
    uint64_t *data);

enum chunked_result
chunked_decode(struct chunked_decoder *d, const char *buf, size_t len,
    size_t *used, uint64_t *data)
{
	size_t off;

	return chunked_run(d, buf, len, false, used, &off, data);
}

enum chunked_result
chunked_decode_data(struct chunked_decoder *d, const char *buf, size_t len,
    size_t *used, size_t *data_off, size_t *data_len)
{
	uint64_t n;
	enum chunked_result r = chunked_run(d, buf, len, true, used, data_off,
	    &n);

	*data_len = (size_t)n;
	return r;
}

uint64_t
chunked_pending(const struct chunked_decoder *d)
{
	return d->state == CHUNKED_S_DATA ? d->remaining : 0;
}

/*
 * The decoder's loop.  one_run: stop right after the first run of chunk
 * data, whose offset in buf is then *first.
 */
static enum chunked_result
chunked_run(struct chunked_decoder *d, const char *buf, size_t len,
    bool one_run, size_t *used, size_t *first, uint64_t *data)
{
	const unsigned char *p = (const unsigned char *)buf;
	uint64_t n = 0;
	size_t i = 0;

	*used = 0;
	*data = 0;
	*first = 0;
	if (d->state == CHUNKED_S_DONE)
		return CHUNKED_DONE;
	if (d->state == CHUNKED_S_ERROR)
		return CHUNKED_ERROR;

	while (i < len) {
		if (d->state == CHUNKED_S_DATA) {
			size_t take = len - i;

			if ((uint64_t)take > d->remaining)
				take = (size_t)d->remaining;
			*first = i;
			i += take;
			n += take;
			d->remaining -= take;
			if (d->remaining == 0)
				d->state = CHUNKED_S_DATA_CR;
			if (one_run)
				break;
			continue;
		}
		d->state = chunked_step(d, p[i]);
		if (d->state == CHUNKED_S_ERROR)
			break;	/* *used stops before the bad byte */
		i++;
		if (d->state == CHUNKED_S_DONE)
			break;
	}

	*used = i;
	*data = n;
	d->total += n;
	if (d->state == CHUNKED_S_DONE)
		return CHUNKED_DONE;
	if (d->state == CHUNKED_S_ERROR)
		return CHUNKED_ERROR;
	return CHUNKED_MORE;
}

/* ------------------------------------------------------------------ */
/* Encoding */

const char chunked_encode_tail[3] = "\r\n";

size_t
chunked_encode_head(size_t n, char *out, size_t cap)
{
	static const char hex[] = "0123456789abcdef";
	size_t digits = 0, len;

	/* RFC 9112 §7.1: a chunk-size of 0 is the last-chunk; never a chunk
	 * of data. */
	if (n == 0 || (uint64_t)n > CHUNKED_ENCODE_CHUNK_MAX)
		return 0;
	for (size_t v = n; v != 0; v >>= 4)
		digits++;
	len = digits + 2;
	if (len > cap)
		return 0;
	/* chunk-size = 1*HEXDIG, most significant first. */
	for (size_t i = digits, v = n; i > 0; i--, v >>= 4)
		out[i - 1] = hex[v & 0xf];
	out[digits] = '\r';
	out[digits + 1] = '\n';
	return len;
}

size_t
chunked_encode_last(char *out, size_t cap)
{
	/* last-chunk = 1*("0") CRLF, then an empty trailer-section and the
	 * CRLF that ends the chunked-body. */
	if (cap < CHUNKED_ENCODE_LAST_LEN)
		return 0;
	memcpy(out, "0\r\n\r\n", CHUNKED_ENCODE_LAST_LEN);
	return CHUNKED_ENCODE_LAST_LEN;
}
