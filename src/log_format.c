/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * log_format.c - access-log formats, compiled once and rendered per
 * response (see log_format.h).
 *
 * The directives are Apache's (mod_log_config, and %I %O of mod_logio),
 * with their modifiers: a status list ("%400,501{User-Agent}i", "%!200r")
 * logs the value only for those statuses (or all others), else "-";
 * '<' and '>' are accepted and change nothing (there are no internal
 * redirects).  mod_ssl's %{SSL_PROTOCOL}x and %{SSL_CIPHER}x show
 * what an HTTPS connection negotiated ("-" on a plain one).  What forkhttpd has no notion of (%e environment, %n notes,
 * %f file name, %L log id, %R handler, %^ti trailers) is a config error
 * rather than a silent "-".
 *
 * Each item knows the least room the rest of the line needs (reserve[]):
 * literal text whole, a number its 20 digits, a string value "-" or null.
 * A string value may take what is left above that, so a line is never
 * cut in the middle of its syntax, only inside a value.
 */
#include "autoconf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "log_format.h"

enum lf_kind {
	LF_LITERAL = 0,
	LF_CLIENT,		/* %a %h */
	LF_LOCAL,		/* %A */
	LF_BYTES_CLF,		/* %b */
	LF_BYTES,		/* %B */
	LF_BYTES_IN,		/* %I */
	LF_BYTES_OUT,		/* %O */
	LF_DURATION,		/* %D %T (sub: divisor) */
	LF_REQ_FIELD,		/* %{X}i */
	LF_RESP_FIELD,		/* %{X}o */
	LF_COOKIE,		/* %{X}C */
	LF_PROTOCOL,		/* %H */
	LF_KEEPALIVES,		/* %k */
	LF_IDENT,		/* %l */
	LF_METHOD,		/* %m */
	LF_PORT,		/* %p (sub: LF_PORT_*) */
	LF_PID,			/* %P (sub: 1 hex) */
	LF_QUERY,		/* %q */
	LF_REQUEST,		/* %r */
	LF_STATUS,		/* %s %>s %<s */
	LF_TIME,		/* %t %{...}t (sub: LF_TIME_*) */
	LF_USER,		/* %u */
	LF_PATH,		/* %U */
	LF_SERVER,		/* %v */
	LF_HOST,		/* %V */
	LF_CONN_STATUS,		/* %X */
	LF_TLS			/* %{SSL_PROTOCOL}x %{SSL_CIPHER}x (sub) */
};

enum { LF_PORT_LOCAL = 0, LF_PORT_REMOTE };
enum {
	LF_TIME_STRFTIME = 0, LF_TIME_SEC, LF_TIME_MSEC, LF_TIME_USEC,
	LF_TIME_MSEC_FRAC, LF_TIME_USEC_FRAC
};

#define LF_CODES_MAX 16
#define LF_ARG_MAX 256
#define LF_NUMBER_MAX 20	/* digits of UINT64_MAX */
#define LF_TIME_MAX 128		/* one formatted time */

struct lf_item {
	enum lf_kind kind;
	char *arg;		/* literal text, field name, strftime format */
	size_t arg_len;
	int sub;
	bool end;		/* %{end:...}t: the response's end */
	bool negate;		/* "%!200..." */
	unsigned ncodes;
	int codes[LF_CODES_MAX];
	time_t cached;		/* LF_TIME: the second cache shows */
	size_t cache_len;
	char cache[LF_TIME_MAX];
};

struct log_format {
	enum log_format_escape escape;
	unsigned needs;
	size_t n;
	struct lf_item *item;
	size_t *reserve;	/* n + 1: room items i.. need at least */
};

static const struct {
	const char *name;
	const char *spec;
} log_format_names[] = {
	{ "common", "%h %l %u %t \"%r\" %>s %b" },
	{ "combined", "%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" "
	    "\"%{User-Agent}i\"" },
	{ "vhost_combined", "%v:%p %h %l %u %t \"%r\" %>s %O "
	    "\"%{Referer}i\" \"%{User-Agent}i\"" },
	{ "json", "{\"time\":%{%Y-%m-%dT%H:%M:%S%z}t,\"remote_addr\":%a,"
	    "\"remote_user\":%u,\"request\":%r,\"method\":%m,\"uri\":%U,"
	    "\"query\":%q,\"protocol\":%H,\"status\":%>s,\"bytes\":%B,"
	    "\"referer\":%{Referer}i,\"user_agent\":%{User-Agent}i,"
	    "\"host\":%V,\"duration_us\":%D}" },
};

const char *
log_format_named(const char *name)
{
	for (size_t i = 0; i < sizeof(log_format_names) /
	    sizeof(log_format_names[0]); i++)
		if (strcmp(name, log_format_names[i].name) == 0)
			return log_format_names[i].spec;
	return NULL;
}

enum log_format_escape
log_format_default_escape(const char *spec)
{
	return strcmp(spec, "json") == 0 ? LOG_FORMAT_JSON : LOG_FORMAT_APACHE;
}

/* ------------------------------------------------------------------ */
/* Compiling */

struct lf_parse {
	const char *spec;
	struct lf_item *item;
	size_t n;
	char *err;
	size_t errlen;
};

static bool __attribute__((format(printf, 3, 4)))
lf_fail(struct lf_parse *p, const char *at, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errlen, "%s at column %zu", msg,
	    (size_t)(at - p->spec) + 1);
	return false;
}

static struct lf_item *
lf_add(struct lf_parse *p, const char *at)
{
	if (p->n == LOG_FORMAT_ITEMS_MAX) {
		lf_fail(p, at, "more than %d items", LOG_FORMAT_ITEMS_MAX);
		return NULL;
	}
	memset(&p->item[p->n], 0, sizeof(p->item[p->n]));
	p->item[p->n].cached = (time_t)-1;
	return &p->item[p->n++];
}

static char *
lf_strndup(const char *s, size_t len)
{
	char *d = malloc(len + 1);

	if (d != NULL) {
		memcpy(d, s, len);
		d[len] = '\0';
	}
	return d;
}

/* Literal text up to the next '%': printable, TAB, or any byte >= 0x80. */
static bool
lf_literal(struct lf_parse *p, const char **sp, const char *text,
    size_t len)
{
	struct lf_item *it;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return lf_fail(p, text + i, "control character 0x%02x "
			    "in the format", c);
	}
	if ((it = lf_add(p, text)) == NULL)
		return false;
	it->kind = LF_LITERAL;
	it->arg_len = len;
	if ((it->arg = lf_strndup(text, len)) == NULL)
		return lf_fail(p, text, "out of memory");
	*sp = text + len;
	return true;
}

static bool
lf_is(const char *arg, const char *lit)
{
	return arg != NULL && strcmp(arg, lit) == 0;
}

/* %{...}t: "begin:" or "end:", then sec, msec, ... or a strftime format. */
static bool
lf_time_arg(struct lf_parse *p, const char *at, struct lf_item *it)
{
	static const char *const units[] = {
		[LF_TIME_SEC] = "sec", [LF_TIME_MSEC] = "msec",
		[LF_TIME_USEC] = "usec", [LF_TIME_MSEC_FRAC] = "msec_frac",
		[LF_TIME_USEC_FRAC] = "usec_frac",
	};
	char *a = it->arg;

	if (a == NULL)
		return true;
	if (strncmp(a, "begin:", 6) == 0)
		a += 6;
	else if (strncmp(a, "end:", 4) == 0) {
		a += 4;
		it->end = true;
	}
	memmove(it->arg, a, strlen(a) + 1);
	for (int u = LF_TIME_SEC; u <= LF_TIME_USEC_FRAC; u++)
		if (strcmp(it->arg, units[u]) == 0) {
			it->sub = u;
			return true;
		}
	if (it->arg[0] == '\0')
		return lf_fail(p, at, "empty time format in %%{...}t");
	return true;
}

/* The argument a directive takes, if any, checked. */
static bool
lf_directive_arg(struct lf_parse *p, const char *at, char d,
    struct lf_item *it)
{
	const char *a = it->arg;

	switch (d) {
	case 'a': case 'h':
		return a == NULL || lf_is(a, "c") ||
		    lf_fail(p, at, "%%{%s}%c: only {c} is known", a, d);
	case 'i': case 'o': case 'C':
		if (a == NULL || a[0] == '\0')
			return lf_fail(p, at, "%%%c needs a name: %%{Name}%c",
			    d, d);
		for (const char *s = a; *s != '\0'; s++)
			if (!http_is_tchar((unsigned char)*s) &&
			    !(d == 'C' && *s != ';' && *s != '=' &&
			    http_is_vchar((unsigned char)*s)))
				return lf_fail(p, at, "%%{%s}%c: not a field "
				    "or cookie name", a, d);
		return true;
	case 'p':
		if (a == NULL || lf_is(a, "canonical") || lf_is(a, "local"))
			it->sub = LF_PORT_LOCAL;
		else if (lf_is(a, "remote"))
			it->sub = LF_PORT_REMOTE;
		else
			return lf_fail(p, at, "%%{%s}p: one of canonical, "
			    "local, remote", a);
		return true;
	case 'P':
		if (a == NULL || lf_is(a, "pid") || lf_is(a, "tid"))
			return true;
		if (lf_is(a, "hextid")) {
			it->sub = 1;
			return true;
		}
		return lf_fail(p, at, "%%{%s}P: one of pid, tid, hextid", a);
	case 'T':
		it->sub = 1000000;
		if (a == NULL || lf_is(a, "s"))
			return true;
		if (lf_is(a, "ms") || lf_is(a, "us")) {
			it->sub = lf_is(a, "ms") ? 1000 : 1;
			return true;
		}
		return lf_fail(p, at, "%%{%s}T: one of s, ms, us", a);
	case 't':
		return lf_time_arg(p, at, it);
	case 'x':
		/* mod_ssl's names: what a TLS connection negotiated. */
		if (lf_is(a, "SSL_PROTOCOL") || lf_is(a, "SSL_CIPHER")) {
			it->sub = lf_is(a, "SSL_CIPHER");
			return true;
		}
		return lf_fail(p, at, "%%x: one of %%{SSL_PROTOCOL}x, "
		    "%%{SSL_CIPHER}x");
	default:
		return a == NULL ||
		    lf_fail(p, at, "%%%c takes no {argument}", d);
	}
}

static bool
lf_kind_of(struct lf_parse *p, const char *at, char d, struct lf_item *it)
{
	static const struct {
		char d;
		enum lf_kind kind;
		int sub;
	} table[] = {
		{ 'a', LF_CLIENT, 0 }, { 'h', LF_CLIENT, 0 },
		{ 'A', LF_LOCAL, 0 }, { 'b', LF_BYTES_CLF, 0 },
		{ 'B', LF_BYTES, 0 }, { 'I', LF_BYTES_IN, 0 },
		{ 'O', LF_BYTES_OUT, 0 }, { 'D', LF_DURATION, 1 },
		{ 'T', LF_DURATION, 1000000 }, { 'i', LF_REQ_FIELD, 0 },
		{ 'o', LF_RESP_FIELD, 0 }, { 'C', LF_COOKIE, 0 },
		{ 'H', LF_PROTOCOL, 0 }, { 'k', LF_KEEPALIVES, 0 },
		{ 'l', LF_IDENT, 0 }, { 'm', LF_METHOD, 0 },
		{ 'p', LF_PORT, 0 }, { 'P', LF_PID, 0 },
		{ 'q', LF_QUERY, 0 }, { 'r', LF_REQUEST, 0 },
		{ 's', LF_STATUS, 0 }, { 't', LF_TIME, 0 },
		{ 'u', LF_USER, 0 }, { 'U', LF_PATH, 0 },
		{ 'v', LF_SERVER, 0 }, { 'V', LF_HOST, 0 },
		{ 'X', LF_CONN_STATUS, 0 }, { 'x', LF_TLS, 0 },
	};

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (table[i].d == d) {
			it->kind = table[i].kind;
			it->sub = table[i].sub;
			return lf_directive_arg(p, at, d, it);
		}
	if (d != '\0' && strchr("efnLRS^", d) != NULL)
		return lf_fail(p, at, "%%%c is not supported by forkhttpd", d);
	if (d == '\0')
		return lf_fail(p, at, "the format ends inside a directive");
	return lf_fail(p, at, "unknown directive %%%c", d);
}

/* %{arg}: up to '}', printable, bounded. */
static bool
lf_brace(struct lf_parse *p, const char **sp, struct lf_item *it)
{
	const char *s = *sp + 1, *end = strchr(s, '}');

	if (end == NULL)
		return lf_fail(p, *sp, "'{' without '}'");
	if (it->arg != NULL)
		return lf_fail(p, *sp, "two {arguments} in one directive");
	if ((size_t)(end - s) > LF_ARG_MAX)
		return lf_fail(p, *sp, "{argument} longer than %d bytes",
		    LF_ARG_MAX);
	for (const char *c = s; c < end; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return lf_fail(p, c, "control character in {argument}");
	if ((it->arg = lf_strndup(s, (size_t)(end - s))) == NULL)
		return lf_fail(p, s, "out of memory");
	it->arg_len = (size_t)(end - s);
	*sp = end + 1;
	return true;
}

/* One directive from just after its '%'. */
static bool
lf_directive(struct lf_parse *p, const char **sp)
{
	const char *s = *sp, *start = s - 1;
	struct lf_item *it;

	if (*s == '%')
		return lf_literal(p, sp, s, 1);
	if ((it = lf_add(p, start)) == NULL)
		return false;
	for (;;) {
		if (*s == '!')
			it->negate = true, s++;
		else if (*s == ',' || *s == '<' || *s == '>')
			s++;
		else if (http_is_digit((unsigned char)*s)) {
			if (!http_is_digit((unsigned char)s[1]) ||
			    !http_is_digit((unsigned char)s[2]) ||
			    http_is_digit((unsigned char)s[3]) || *s == '0')
				return lf_fail(p, s, "a status is 3 digits");
			if (it->ncodes == LF_CODES_MAX)
				return lf_fail(p, s, "more than %d statuses",
				    LF_CODES_MAX);
			it->codes[it->ncodes++] = (s[0] - '0') * 100 +
			    (s[1] - '0') * 10 + (s[2] - '0');
			s += 3;
		} else if (*s == '{') {
			if (!lf_brace(p, &s, it))
				return false;
		} else
			break;
	}
	if (it->negate && it->ncodes == 0)
		return lf_fail(p, s, "'!' without statuses");
	if (!lf_kind_of(p, start, *s, it))
		return false;
	*sp = s + 1;
	return true;
}

static bool
lf_is_string(const struct lf_item *it)
{
	switch (it->kind) {
	case LF_BYTES_CLF: case LF_BYTES: case LF_BYTES_IN: case LF_BYTES_OUT: case LF_DURATION:
	case LF_KEEPALIVES: case LF_PORT: case LF_STATUS:
		return false;
	case LF_PID:
		return it->sub == 1;
	case LF_TIME:
		return it->sub == LF_TIME_STRFTIME;
	default:
		return true;
	}
}

/* The least room item i takes. */
static size_t
lf_min_room(const struct log_format *f, const struct lf_item *it)
{
	if (it->kind == LF_LITERAL)
		return it->arg_len;
	if (!lf_is_string(it))
		return LF_NUMBER_MAX;
	return f->escape == LOG_FORMAT_JSON ? 4 : 1;	/* null, "-" */
}

void
log_format_free(struct log_format *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; i < f->n; i++)
		free(f->item[i].arg);
	free(f->item);
	free(f->reserve);
	free(f);
}

static struct log_format *
lf_finish(struct lf_parse *p, enum log_format_escape escape)
{
	struct log_format *f = calloc(1, sizeof(*f));

	if (f == NULL || (f->reserve = calloc(p->n + 1,
	    sizeof(*f->reserve))) == NULL) {
		free(f);
		snprintf(p->err, p->errlen, "out of memory");
		return NULL;
	}
	f->escape = escape;
	f->item = p->item;
	f->n = p->n;
	f->reserve[f->n] = 1;		/* the newline */
	for (size_t i = f->n; i-- > 0;) {
		f->reserve[i] = f->reserve[i + 1] + lf_min_room(f, &f->item[i]);
		if (f->item[i].kind == LF_LOCAL || (f->item[i].kind ==
		    LF_PORT && f->item[i].sub == LF_PORT_LOCAL))
			f->needs |= LOG_FORMAT_NEED_LOCAL;
	}
	if (f->reserve[0] > LOG_FORMAT_MIN_CAP / 2) {
		snprintf(p->err, p->errlen, "the format needs %zu bytes a "
		    "line at least; at most %d", f->reserve[0],
		    LOG_FORMAT_MIN_CAP / 2);
		f->item = NULL;
		f->n = 0;
		log_format_free(f);
		return NULL;
	}
	return f;
}

struct log_format *
log_format_compile(const char *spec, enum log_format_escape escape,
    char *err, size_t errlen)
{
	struct lf_parse p = { .err = err, .errlen = errlen };
	const char *named = log_format_named(spec), *s;
	struct log_format *f;

	if (named != NULL)
		spec = named;
	if (strlen(spec) > LOG_FORMAT_SPEC_MAX) {
		snprintf(err, errlen, "the format is longer than %d bytes",
		    LOG_FORMAT_SPEC_MAX);
		return NULL;
	}
	if (spec[0] == '\0') {
		snprintf(err, errlen, "the format is empty");
		return NULL;
	}
	p.spec = s = spec;
	if ((p.item = calloc(LOG_FORMAT_ITEMS_MAX, sizeof(*p.item))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	while (*s != '\0') {
		bool ok;

		if (*s == '%') {
			s++;
			ok = lf_directive(&p, &s);
		} else
			ok = lf_literal(&p, &s, s, strcspn(s, "%"));
		if (!ok)
			goto fail;
	}
	if ((f = lf_finish(&p, escape)) != NULL)
		return f;
fail:
	for (size_t i = 0; i < p.n; i++)
		free(p.item[i].arg);
	free(p.item);
	return NULL;
}

unsigned
log_format_needs(const struct log_format *f)
{
	return f->needs;
}

/* ------------------------------------------------------------------ */
/* Rendering */

struct lf_out {
	char *buf;
	size_t n, cap;
	enum log_format_escape escape;
};

static const char lf_hex[] = "0123456789abcdef";

static void
lf_put(struct lf_out *o, const char *s, size_t len)
{
	if (len > o->cap - o->n)
		len = o->cap - o->n;
	memcpy(o->buf + o->n, s, len);
	o->n += len;
}

/*
 * The length of the well-formed UTF-8 sequence at s (RFC 3629 §4), or 0
 * when s[0] does not start one.
 */
static size_t
lf_utf8_len(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		if (s[0] == 0xe0)
			lo = 0xa0;
		else if (s[0] == 0xed)
			hi = 0x9f;	/* no surrogates */
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		if (s[0] == 0xf0)
			lo = 0x90;
		else if (s[0] == 0xf4)
			hi = 0x8f;	/* nothing above U+10FFFF */
	} else
		return 0;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

/* The escaped form of the character at s into tmp; *used bytes of s. */
static size_t
lf_escape_one(enum log_format_escape esc, const unsigned char *s, size_t n,
    char *tmp, size_t *used)
{
	unsigned char c = s[0];
	static const char cesc[] = "\b\n\r\t\v";
	static const char cname[] = "bnrtv";
	const char *k;

	*used = 1;
	if (c == '"' || c == '\\') {
		tmp[0] = '\\';
		tmp[1] = (char)c;
		return 2;
	}
	if (c >= 0x20 && c < 0x7f) {
		tmp[0] = (char)c;
		return 1;
	}
	if (esc == LOG_FORMAT_APACHE) {
		if (c != '\0' && (k = strchr(cesc, c)) != NULL) {
			tmp[0] = '\\';
			tmp[1] = cname[k - cesc];
			return 2;
		}
		memcpy(tmp, "\\x", 2);
		tmp[2] = lf_hex[c >> 4];
		tmp[3] = lf_hex[c & 0xf];
		return 4;
	}
	if (c >= 0x80 && (*used = lf_utf8_len(s, n)) > 0) {
		memcpy(tmp, s, *used);
		return *used;
	}
	*used = 1;
	memcpy(tmp, "\\u00", 4);
	tmp[4] = lf_hex[c >> 4];
	tmp[5] = lf_hex[c & 0xf];
	return 6;
}

/* Escapes s into o without passing limit; false if it had to cut. */
static bool
lf_text(struct lf_out *o, const char *s, size_t len, size_t limit)
{
	const unsigned char *u = (const unsigned char *)s;
	char tmp[8];

	for (size_t i = 0; i < len;) {
		size_t used, k = lf_escape_one(o->escape, u + i, len - i, tmp,
		    &used);

		if (o->n + k > limit)
			return false;
		memcpy(o->buf + o->n, tmp, k);
		o->n += k;
		i += used;
	}
	return true;
}

static void
lf_absent(struct lf_out *o)
{
	if (o->escape == LOG_FORMAT_JSON)
		lf_put(o, "null", 4);
	else
		lf_put(o, "-", 1);
}

static void
lf_number(struct lf_out *o, uint64_t v)
{
	char num[24];
	int k = snprintf(num, sizeof(num), "%llu", (unsigned long long)v);

	lf_put(o, num, (size_t)k);
}

/* A string value: in quotes for JSON, escaped, cut at limit. */
static void
lf_string(struct lf_out *o, const char *s, size_t len, size_t limit)
{
	if (s == NULL) {
		lf_absent(o);
		return;
	}
	if (o->escape == LOG_FORMAT_JSON) {
		lf_put(o, "\"", 1);
		lf_text(o, s, len, limit - 1);
		lf_put(o, "\"", 1);
	} else
		lf_text(o, s, len, limit);
}

static bool
lf_status_wanted(const struct lf_item *it, int status)
{
	bool in = false;

	if (it->ncodes == 0)
		return true;
	for (unsigned i = 0; i < it->ncodes; i++)
		in = in || it->codes[i] == status;
	return in != it->negate;
}

/* The next "Name: value" line of a response head after *pos. */
static bool
lf_head_field(const char *head, size_t len, size_t *pos,
    struct http_slice *name, struct http_slice *value)
{
	const char *p, *eol, *colon;

	if (*pos == 0) {
		/* Past the status line. */
		if ((eol = memchr(head, '\n', len)) == NULL)
			return false;
		*pos = (size_t)(eol - head) + 1;
	}
	p = head + *pos;
	if (*pos >= len || (eol = memchr(p, '\r', len - *pos)) == NULL ||
	    eol == p || (colon = memchr(p, ':', (size_t)(eol - p))) == NULL)
		return false;
	name->p = p;
	name->len = (size_t)(colon - p);
	value->p = colon + 1;
	while (value->p < eol && *value->p == ' ')
		value->p++;
	value->len = (size_t)(eol - value->p);
	*pos = (size_t)(eol - head) + 2;
	return true;
}

/* Every field line named it->arg, joined with ", " (RFC 9110 §5.3). */
static void
lf_fields(struct lf_out *o, const struct lf_item *it,
    const struct log_format_entry *e, size_t limit)
{
	struct http_slice name, value;
	size_t pos = 0;
	bool any = false, room = true;

	if (o->escape == LOG_FORMAT_JSON)
		limit--;
	for (;;) {
		bool got = it->kind == LF_REQ_FIELD ?
		    e->req != NULL && http_request_field_next(e->req, &pos,
		    &name, &value) :
		    e->head != NULL && lf_head_field(e->head, e->head_len,
		    &pos, &name, &value);

		if (!got)
			break;
		if (!http_slice_eq_nocase(name, it->arg))
			continue;
		if (!any && o->escape == LOG_FORMAT_JSON)
			lf_put(o, "\"", 1);
		if (any && room)
			room = lf_text(o, ", ", 2, limit);
		if (room)
			room = lf_text(o, value.p, value.len, limit);
		any = true;
	}
	if (!any)
		lf_absent(o);
	else if (o->escape == LOG_FORMAT_JSON)
		lf_put(o, "\"", 1);
}

/* The value of cookie it->arg in the request's Cookie lines. */
static bool
lf_cookie(const struct lf_item *it, const struct http_request *req,
    struct http_slice *out)
{
	struct http_slice v;

	for (unsigned nth = 0; req != NULL &&
	    http_request_field(req, "Cookie", nth, &v); nth++) {
		const char *p = v.p, *end = v.p + v.len;

		while (p < end) {
			const char *semi = memchr(p, ';', (size_t)(end - p));
			const char *stop = semi != NULL ? semi : end;
			const char *eq = memchr(p, '=', (size_t)(stop - p));

			while (p < stop && http_is_ows((unsigned char)*p))
				p++;
			if (eq != NULL && (size_t)(eq - p) == it->arg_len &&
			    memcmp(p, it->arg, it->arg_len) == 0) {
				out->p = eq + 1;
				out->len = (size_t)(stop - eq - 1);
				return true;
			}
			p = stop + 1;
		}
	}
	return false;
}

/* %t and %{...}t: cached per second for the strftime forms. */
static void
lf_time(struct lf_out *o, struct lf_item *it,
    const struct log_format_entry *e, size_t limit)
{
	int64_t us = it->end ? e->end_us : e->start_us;
	time_t sec = (time_t)(us / 1000000);
	struct tm tm;

	switch (it->sub) {
	case LF_TIME_SEC:
		lf_number(o, (uint64_t)sec);
		return;
	case LF_TIME_MSEC:
		lf_number(o, (uint64_t)(us / 1000));
		return;
	case LF_TIME_USEC:
		lf_number(o, (uint64_t)us);
		return;
	case LF_TIME_MSEC_FRAC: case LF_TIME_USEC_FRAC: {
		char num[8];
		bool ms = it->sub == LF_TIME_MSEC_FRAC;
		long v = ms ? (long)(us % 1000000 / 1000) : (long)(us % 1000000);

		if (o->escape == LOG_FORMAT_JSON)
			lf_number(o, (uint64_t)v);
		else
			lf_put(o, num, (size_t)snprintf(num, sizeof(num),
			    ms ? "%03ld" : "%06ld", v));
		return;
	}
	}
	if (sec != it->cached) {
		localtime_r(&sec, &tm);
		/* The format is the admin's; strftime() has no %n to abuse,
		 * and its output is bounded by the buffer. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		it->cache_len = strftime(it->cache, sizeof(it->cache),
		    it->arg != NULL ? it->arg : "[%d/%b/%Y:%H:%M:%S %z]", &tm);
#pragma GCC diagnostic pop
		it->cached = sec;
	}
	lf_string(o, it->cache, it->cache_len, limit);
}

static const char *
lf_req_slice(const struct http_slice *s, size_t *len)
{
	if (s->p == NULL)
		return NULL;
	*len = s->len;
	return s->p;
}

/* %V: the Host field without its port, else the server name. */
static void
lf_host(struct lf_out *o, const struct log_format_entry *e, size_t limit)
{
	const struct http_request *req = e->req;
	size_t len;

	if (req != NULL && req->host.p != NULL && req->host.len > 0) {
		const char *h = req->host.p;

		len = req->host.len;
		if (h[0] == '[') {
			const char *close = memchr(h, ']', len);

			if (close != NULL)
				len = (size_t)(close - h) + 1;
		} else {
			const char *colon = memchr(h, ':', len);

			if (colon != NULL)
				len = (size_t)(colon - h);
		}
		lf_string(o, h, len, limit);
	} else
		lf_string(o, e->server, e->server ? strlen(e->server) : 0,
		    limit);
}

/* %q: the query with its '?', empty (never absent) without one. */
static void
lf_query(struct lf_out *o, const struct http_request *req, size_t limit)
{
	bool json = o->escape == LOG_FORMAT_JSON;

	if (req == NULL || req->query.len == 0) {
		lf_string(o, "", 0, limit);
		return;
	}
	if (json)
		lf_put(o, "\"", 1);
	if (lf_text(o, "?", 1, limit - json))
		lf_text(o, req->query.p, req->query.len, limit - json);
	if (json)
		lf_put(o, "\"", 1);
}

static void
lf_cstring(struct lf_out *o, const char *s, size_t limit)
{
	lf_string(o, s, s != NULL ? strlen(s) : 0, limit);
}

/* The items whose value is a number (or absent). */
static bool
lf_numeric(struct lf_out *o, const struct lf_item *it,
    const struct log_format_entry *e)
{
	int64_t d;

	switch (it->kind) {
	case LF_BYTES_CLF:
		if (e->bytes_body == 0 && o->escape == LOG_FORMAT_APACHE)
			lf_absent(o);
		else
			lf_number(o, e->bytes_body);
		return true;
	case LF_BYTES:
		lf_number(o, e->bytes_body);
		return true;
	case LF_BYTES_IN:
		lf_number(o, e->bytes_in);
		return true;
	case LF_BYTES_OUT:
		lf_number(o, e->bytes_out);
		return true;
	case LF_DURATION:
		d = e->end_us - e->start_us;
		lf_number(o, d > 0 ? (uint64_t)d / (uint64_t)it->sub : 0);
		return true;
	case LF_KEEPALIVES:
		lf_number(o, e->keepalives);
		return true;
	case LF_STATUS:
		if (e->status > 0)
			lf_number(o, (uint64_t)e->status);
		else
			lf_absent(o);
		return true;
	case LF_PORT:
		d = it->sub == LF_PORT_REMOTE ? e->client_port : e->local_port;
		if (d > 0)
			lf_number(o, (uint64_t)d);
		else
			lf_absent(o);
		return true;
	case LF_PID:
		if (it->sub == 1)
			return false;
		lf_number(o, (uint64_t)getpid());
		return true;
	default:
		return false;
	}
}

/* The items whose value is a string (or absent). */
static void
lf_value(struct lf_out *o, struct lf_item *it,
    const struct log_format_entry *e, size_t limit)
{
	const struct http_request *req = e->req;
	struct http_slice v;
	const char *s = NULL;
	size_t len = 0;
	char tmp[24];

	switch (it->kind) {
	case LF_CLIENT:
		lf_cstring(o, e->client, limit);
		return;
	case LF_LOCAL:
		lf_cstring(o, e->local, limit);
		return;
	case LF_REQ_FIELD: case LF_RESP_FIELD:
		lf_fields(o, it, e, limit);
		return;
	case LF_COOKIE:
		if (lf_cookie(it, req, &v))
			s = v.p, len = v.len;
		break;
	case LF_PROTOCOL:
		if (req != NULL)
			s = req->version == HTTP_VERSION_10 ? "HTTP/1.0" :
			    "HTTP/1.1", len = 8;
		break;
	case LF_METHOD:
		if (req != NULL)
			s = lf_req_slice(&req->method_name, &len);
		break;
	case LF_PID:
		len = (size_t)snprintf(tmp, sizeof(tmp), "%lx",
		    (unsigned long)getpid());
		s = tmp;
		break;
	case LF_QUERY:
		lf_query(o, req, limit);
		return;
	case LF_REQUEST:
		s = e->request_line, len = e->request_line_len;
		break;
	case LF_TIME:
		lf_time(o, it, e, limit);
		return;
	case LF_USER:
		lf_cstring(o, e->user, limit);
		return;
	case LF_PATH:
		if (req != NULL)
			s = lf_req_slice(&req->path, &len);
		break;
	case LF_SERVER:
		lf_cstring(o, e->server, limit);
		return;
	case LF_HOST:
		lf_host(o, e, limit);
		return;
	case LF_CONN_STATUS:
		if (e->conn_status != '\0')
			s = &e->conn_status, len = 1;
		break;
	case LF_TLS:
		lf_cstring(o, it->sub ? e->tls_cipher : e->tls_protocol, limit);
		return;
	default:
		break;		/* LF_IDENT: never known */
	}
	lf_string(o, s, len, limit);
}

size_t
log_format_render(struct log_format *f, const struct log_format_entry *e,
    char *buf, size_t cap)
{
	struct lf_out o = { buf, 0, cap - 1, f->escape };

	for (size_t i = 0; i < f->n; i++) {
		struct lf_item *it = &f->item[i];
		size_t limit = o.cap - (f->reserve[i + 1] - 1);

		if (it->kind == LF_LITERAL)
			lf_put(&o, it->arg, it->arg_len);
		else if (!lf_status_wanted(it, e->status))
			lf_absent(&o);
		else if (!lf_numeric(&o, it, e))
			lf_value(&o, it, e, limit);
	}
	buf[o.n++] = '\n';
	return o.n;
}
