/* SPDX-License-Identifier: BSD-2-Clause */
#include "autoconf.h"
/*
 * cond.c - entity tags, HTTP-dates and the preconditions of RFC 9110 §13.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cond.h"

/*
 * '"' ino '-' size '-' mtime '"' with three 64-bit values in hex: at most
 * 1 + 16 + 1 + 16 + 1 + 16 + 1 = 52 bytes and the NUL.
 */
_Static_assert(HTTP_ETAG_MAX >= 53, "HTTP_ETAG_MAX too small for an ETag");

/* v in lower-case hex, without leading zeros, at out; its length. */
static size_t
cond_hex(uint64_t v, char *out)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[16];
	size_t n = 0;

	do {
		tmp[n++] = digits[v & 0xf];
		v >>= 4;
	} while (v != 0);
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	return n;
}

size_t
cond_etag(const struct stat *st, char out[HTTP_ETAG_MAX])
{
	/*
	 * In unsigned arithmetic, which wraps instead of overflowing: a
	 * modification time past 2262 (or before 1970) still gives a tag,
	 * just not the nanosecond count itself.
	 */
	uint64_t ns = (uint64_t)st->st_mtim.tv_sec * UINT64_C(1000000000) +
	    (uint64_t)st->st_mtim.tv_nsec;
	size_t k = 0;

	/* By hand: this runs for every file served, and snprintf() costs
	 * more than the rest of the tag.  3 x 16 digits, 2 '-', 2 '"' and
	 * the NUL always fit in HTTP_ETAG_MAX. */
	out[k++] = '"';
	k += cond_hex((uint64_t)st->st_ino, out + k);
	out[k++] = '-';
	k += cond_hex((uint64_t)st->st_size, out + k);
	out[k++] = '-';
	k += cond_hex(ns, out + k);
	out[k++] = '"';
	out[k] = '\0';
	return k;
}

/* ------------------------------------------------------------------ */
/* HTTP-date (RFC 9110 §5.6.7) */

static const char *const cond_day_names[7] = {
	"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"
};

static const char *const cond_day_names_long[7] = {
	"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
	"Sunday"
};

static const char *const cond_month_names[12] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
	"Nov", "Dec"
};

struct cond_date {
	int year, mon, mday;	/* mon 0-11 */
	int hour, min, sec;
};

/* n DIGITs at p into *out. */
static bool
cond_digits(const char *p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!http_is_digit((unsigned char)p[i]))
			return false;
		v = v * 10 + (p[i] - '0');
	}
	*out = v;
	return true;
}

/*
 * RFC 9110 §5.6.7: "HTTP-date is case sensitive", so the names are
 * compared exactly.  Returns the index of the name that is exactly
 * p[0..len), or -1.
 */
static int
cond_name(const char *p, size_t len, const char *const *names, int count)
{
	for (int i = 0; i < count; i++) {
		if (strlen(names[i]) == len && memcmp(p, names[i], len) == 0)
			return i;
	}
	return -1;
}

/* time-of-day = hour ":" minute ":" second, 8 bytes at p. */
static bool
cond_time_of_day(const char *p, struct cond_date *d)
{
	return cond_digits(p, 2, &d->hour) && p[2] == ':' &&
	    cond_digits(p + 3, 2, &d->min) && p[5] == ':' &&
	    cond_digits(p + 6, 2, &d->sec);
}

static bool
cond_leap(int year)
{
	return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

/*
 * Checks the ranges, then converts.  RFC 9110 §5.6.7 gives
 * "00:00:00 - 23:59:60 (leap second)", so second 60 is valid; POSIX time
 * has no leap seconds and timegm() makes it the first second of the next
 * minute.
 */
static bool
cond_date_time(const struct cond_date *d, time_t *out)
{
	static const int mdays[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	struct tm tm;
	time_t t;
	int dim;

	if (d->mon < 0 || d->mon > 11)
		return false;
	dim = mdays[d->mon] + (d->mon == 1 && cond_leap(d->year) ? 1 : 0);
	if (d->mday < 1 || d->mday > dim || d->hour > 23 || d->min > 59 ||
	    d->sec > 60)
		return false;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = d->year - 1900;
	tm.tm_mon = d->mon;
	tm.tm_mday = d->mday;
	tm.tm_hour = d->hour;
	tm.tm_min = d->min;
	tm.tm_sec = d->sec;
	t = timegm(&tm);
	/* -1 is also 1969-12-31 23:59:59; anything else means overflow. */
	if (t == (time_t)-1 && !(d->year == 1969 && d->mon == 11 &&
	    d->mday == 31 && d->hour == 23 && d->min == 59 && d->sec == 59))
		return false;
	*out = t;
	return true;
}

/*
 * IMF-fixdate = day-name "," SP date1 SP time-of-day SP GMT
 * date1 = day SP month SP year    ; e.g., 02 Jun 1982
 * "Sun, 06 Nov 1994 08:49:37 GMT": 29 bytes.
 */
static bool
cond_imf_fixdate(const char *p, size_t len, struct cond_date *d)
{
	return len == 29 && cond_name(p, 3, cond_day_names, 7) >= 0 &&
	    p[3] == ',' && p[4] == ' ' && cond_digits(p + 5, 2, &d->mday) &&
	    p[7] == ' ' &&
	    (d->mon = cond_name(p + 8, 3, cond_month_names, 12)) >= 0 &&
	    p[11] == ' ' && cond_digits(p + 12, 4, &d->year) &&
	    p[16] == ' ' && cond_time_of_day(p + 17, d) && p[25] == ' ' &&
	    memcmp(p + 26, "GMT", 3) == 0;
}

/*
 * rfc850-date = day-name-l "," SP date2 SP time-of-day SP GMT
 * date2 = day "-" month "-" 2DIGIT    ; e.g., 02-Jun-82
 * "Sunday, 06-Nov-94 08:49:37 GMT".
 */
static bool
cond_rfc850_date(const char *p, size_t len, struct cond_date *d)
{
	const char *comma = memchr(p, ',', len);
	size_t n;
	struct tm now;
	time_t t;
	int year;

	if (comma == NULL)
		return false;
	n = (size_t)(comma - p);
	/* From the comma: ", 06-Nov-94 08:49:37 GMT", 24 bytes. */
	if (cond_name(p, n, cond_day_names_long, 7) < 0 || len - n != 24)
		return false;
	p = comma;
	if (!(p[1] == ' ' && cond_digits(p + 2, 2, &d->mday) && p[4] == '-' &&
	    (d->mon = cond_name(p + 5, 3, cond_month_names, 12)) >= 0 &&
	    p[8] == '-' && cond_digits(p + 9, 2, &year) && p[11] == ' ' &&
	    cond_time_of_day(p + 12, d) && p[20] == ' ' &&
	    memcmp(p + 21, "GMT", 3) == 0))
		return false;
	/*
	 * RFC 9110 §5.6.7: "Recipients of a timestamp value in rfc850-date
	 * format, which uses a two-digit year, MUST interpret a timestamp
	 * that appears to be more than 50 years in the future as representing
	 * the most recent year in the past that had the same last two
	 * digits."  So the year is taken in (now - 50, now + 50].
	 */
	t = time(NULL);
	if (gmtime_r(&t, &now) == NULL)
		return false;
	d->year = (now.tm_year + 1900) / 100 * 100 + year;
	if (d->year > now.tm_year + 1900 + 50)
		d->year -= 100;
	else if (d->year <= now.tm_year + 1900 - 50)
		d->year += 100;
	return true;
}

/*
 * asctime-date = day-name SP date3 SP time-of-day SP year
 * date3 = month SP ( 2DIGIT / ( SP DIGIT ) )    ; e.g., Jun  2
 * "Sun Nov  6 08:49:37 1994": 24 bytes.
 */
static bool
cond_asctime_date(const char *p, size_t len, struct cond_date *d)
{
	if (len != 24 || cond_name(p, 3, cond_day_names, 7) < 0 ||
	    p[3] != ' ' ||
	    (d->mon = cond_name(p + 4, 3, cond_month_names, 12)) < 0 ||
	    p[7] != ' ')
		return false;
	if (p[8] == ' ') {
		if (!cond_digits(p + 9, 1, &d->mday))
			return false;
	} else if (!cond_digits(p + 8, 2, &d->mday))
		return false;
	return p[10] == ' ' && cond_time_of_day(p + 11, d) && p[19] == ' ' &&
	    cond_digits(p + 20, 4, &d->year);
}

bool
cond_parse_date(const char *p, size_t len, time_t *out)
{
	struct cond_date d;
	bool ok;

	/*
	 * RFC 9110 §5.6.7: HTTP-date = IMF-fixdate / obs-date, and "A
	 * recipient that parses a timestamp value in an HTTP field MUST
	 * accept all three HTTP-date formats."  The weekday must be a day
	 * name but need not agree with the date: the date is what counts.
	 */
	if (p == NULL || len < 4)
		return false;
	if (p[3] == ',')
		ok = cond_imf_fixdate(p, len, &d);
	else if (p[3] == ' ')
		ok = cond_asctime_date(p, len, &d);
	else
		ok = cond_rfc850_date(p, len, &d);
	return ok && cond_date_time(&d, out);
}

/* ------------------------------------------------------------------ */
/* Entity tags (RFC 9110 §8.8.3) */

struct cond_tag {
	bool weak;
	const char *opaque;	/* with its quotes */
	size_t len;
};

/*
 * Reads an entity-tag at p[*i..len):
 *   entity-tag = [ weak ] opaque-tag
 *   weak       = %s"W/"
 *   opaque-tag = DQUOTE *etagc DQUOTE
 *   etagc      = %x21 / %x23-7E / obs-text
 */
static bool
cond_read_tag(const char *p, size_t len, size_t *i, struct cond_tag *tag)
{
	size_t j = *i;

	tag->weak = false;
	if (len - j >= 2 && p[j] == 'W' && p[j + 1] == '/') {
		tag->weak = true;
		j += 2;
	}
	if (j >= len || p[j] != '"')
		return false;
	tag->opaque = p + j;
	for (j++; j < len && p[j] != '"'; j++) {
		unsigned char c = (unsigned char)p[j];

		if (c < 0x21 || c == 0x7f)
			return false;
	}
	if (j >= len)
		return false;
	j++;
	tag->len = (size_t)(p + j - tag->opaque);
	*i = j;
	return true;
}

/*
 * RFC 9110 §8.8.3.2: "Strong comparison: two entity tags are equivalent
 * if both are not weak and their opaque-tags match character-by-
 * character.  Weak comparison: two entity tags are equivalent if their
 * opaque-tags match character-by-character, regardless of either or
 * both being tagged as "weak"."
 */
static bool
cond_tag_eq(const struct cond_tag *a, const struct cond_tag *b, bool weak)
{
	if (!weak && (a->weak || b->weak))
		return false;
	return a->len == b->len && memcmp(a->opaque, b->opaque, a->len) == 0;
}

/* v's tag, false if v has none (then only "*" can match). */
static bool
cond_own_tag(const struct cond_validators *v, struct cond_tag *tag)
{
	size_t i = 0;

	if (v->etag == NULL || v->etag_len == 0)
		return false;
	return cond_read_tag(v->etag, v->etag_len, &i, tag) &&
	    i == v->etag_len;
}

enum cond_list {
	COND_LIST_INVALID,
	COND_LIST_MATCH,
	COND_LIST_NO_MATCH
};

/*
 * Matches If-Match or If-None-Match, every line of it, against v:
 *   If-Match = "*" / #entity-tag
 * The lines form one list (RFC 9110 §5.3).  RFC 9110 §5.6.1.2: a
 * recipient MUST accept empty list elements and does not count them.
 * At least one element is needed (cond.h: 1#entity-tag), and "*" must
 * be the only one: "*, "x"" is neither alternative.  The whole list is
 * checked before a match counts, so garbage after a matching tag still
 * makes it invalid.
 */
static enum cond_list
cond_match_list(const struct http_field_list *f,
    const struct cond_validators *v, bool weak)
{
	struct cond_tag own, tag;
	bool have_own = cond_own_tag(v, &own), star = false, match = false;
	unsigned count = 0, lines = f->n;

	if (lines > HTTP_LIST_LINES_MAX)
		lines = HTTP_LIST_LINES_MAX;
	for (unsigned l = 0; l < lines; l++) {
		const char *p = f->line[l].p;
		size_t len = p != NULL ? f->line[l].len : 0, i = 0;

		for (;;) {
			if (i < len && p[i] != ',') {
				if (p[i] == '*') {
					star = true;
					i++;
				} else if (!cond_read_tag(p, len, &i, &tag))
					return COND_LIST_INVALID;
				else if (have_own && cond_tag_eq(&tag, &own,
				    weak))
					match = true;
				count++;
			}
			while (i < len && http_is_ows((unsigned char)p[i]))
				i++;
			if (i >= len)
				break;
			if (p[i] != ',')
				return COND_LIST_INVALID;
			i++;
			while (i < len && http_is_ows((unsigned char)p[i]))
				i++;
		}
	}
	if (count == 0 || (star && count > 1))
		return COND_LIST_INVALID;
	/*
	 * RFC 9110 §13.1.1-2: "*" is about whether "the origin server has a
	 * current representation for the target resource"; v is one.
	 */
	return star || match ? COND_LIST_MATCH : COND_LIST_NO_MATCH;
}

/* A date field: present and a valid HTTP-date. */
static bool
cond_date_field(struct http_slice s, time_t *out)
{
	return s.p != NULL && cond_parse_date(s.p, s.len, out);
}

int
cond_evaluate(const struct http_request *req, const struct cond_validators *v)
{
	bool get_head = req->method == HTTP_METHOD_GET ||
	    req->method == HTTP_METHOD_HEAD;
	time_t t;

	/*
	 * RFC 9110 §13.2.2 step 1: "When recipient is the origin server and
	 * If-Match is present, evaluate the If-Match precondition: if true,
	 * continue to step 3; if false, respond 412 (Precondition Failed)".
	 * A list we cannot read is not a match: failing is the safe side.
	 */
	if (req->if_match.n > 0) {
		if (cond_match_list(&req->if_match, v, false) !=
		    COND_LIST_MATCH)
			return HTTP_STATUS_PRECONDITION_FAILED;
	} else if (cond_date_field(req->if_unmodified_since, &t)) {
		/*
		 * Step 2, and §13.1.4: "A recipient MUST ignore the
		 * If-Unmodified-Since header field if the received field
		 * value is not a valid HTTP-date"; the condition is false
		 * when the representation was modified after the date.
		 */
		if (v->last_modified > t)
			return HTTP_STATUS_PRECONDITION_FAILED;
	}

	/*
	 * Step 3: "When the recipient is the origin server and If-None-Match
	 * is present, evaluate the If-None-Match precondition: if true,
	 * continue to step 5; if false for GET/HEAD, respond 304 (Not
	 * Modified); if false for other methods, respond 412".  The
	 * condition is false when a listed tag matches (weak comparison,
	 * §13.1.2) or for "*".  An unreadable list is ignored: the full
	 * response is the safe answer.
	 */
	if (req->if_none_match.n > 0) {
		if (cond_match_list(&req->if_none_match, v, true) ==
		    COND_LIST_MATCH)
			return get_head ? HTTP_STATUS_NOT_MODIFIED :
			    HTTP_STATUS_PRECONDITION_FAILED;
	} else if (get_head && cond_date_field(req->if_modified_since, &t)) {
		/*
		 * Step 4, and §13.1.3: "A recipient MUST ignore
		 * If-Modified-Since if the request contains an If-None-Match
		 * header field" or "if the request method is neither GET nor
		 * HEAD"; "if the selected representation's last modification
		 * date is earlier or equal to the date provided in the field
		 * value, the condition is false".
		 */
		if (v->last_modified <= t)
			return HTTP_STATUS_NOT_MODIFIED;
	}
	return 0;
}

bool
cond_if_range(const struct http_request *req, const struct cond_validators *v)
{
	const char *p = req->if_range.p;
	size_t len = req->if_range.len, i = 0;
	struct cond_tag tag, own;
	time_t t;

	if (p == NULL)
		return true;
	/*
	 * RFC 9110 §13.1.5: If-Range = entity-tag / HTTP-date.  An
	 * entity-tag starts with DQUOTE or "W/"; no HTTP-date does (but
	 * "Wed" starts with 'W').
	 */
	if (len > 0 && (p[0] == '"' ||
	    (len >= 2 && p[0] == 'W' && p[1] == '/'))) {
		/*
		 * "A client MUST NOT generate an If-Range header field
		 * containing an entity tag that is marked as weak"; the
		 * condition is true only "if the entity-tag validator
		 * provided exactly matches the ETag field value for the
		 * selected representation using the strong comparison
		 * function", which a weak tag never does.
		 */
		if (!cond_read_tag(p, len, &i, &tag) || i != len)
			return false;
		return cond_own_tag(v, &own) && cond_tag_eq(&tag, &own, false);
	}
	/* "If the HTTP-date validator provided exactly matches the
	 * Last-Modified field value for the selected representation". */
	return cond_parse_date(p, len, &t) && t == v->last_modified;
}
