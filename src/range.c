/* SPDX-License-Identifier: BSD-2-Clause */
#include "autoconf.h"
/*
 * range.c - the Range field (RFC 9110 §14.1-14.2) against a size, and the
 * framing of multipart/byteranges (RFC 9110 §14.6).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http.h"
#include "range.h"

/* A range-spec as read, before clipping. */
struct range_spec {
	bool suffix;		/* "-" suffix-length */
	uint64_t first;		/* int-range: first-pos; suffix: its length */
	uint64_t last;		/* int-range: last-pos, UINT64_MAX if absent */
};

/*
 * Reads 1*DIGIT at p[*i..len) into *out.  False if there is no digit or
 * the number does not fit in 64 bits: such a position lies beyond any
 * file we can serve, and treating the field as invalid (the whole
 * representation) is the safe answer.
 */
static bool
range_digits(const char *p, size_t len, size_t *i, uint64_t *out)
{
	uint64_t v = 0;
	size_t start = *i;

	while (*i < len && http_is_digit((unsigned char)p[*i])) {
		unsigned d = (unsigned)(p[*i] - '0');

		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
		(*i)++;
	}
	*out = v;
	return *i > start;
}

/*
 * Parses one non-empty range-spec, exactly p[0..len):
 *   int-range    = first-pos "-" [ last-pos ]
 *   suffix-range = "-" suffix-length
 * other-range is for other units: for "bytes" it is a syntax error.
 */
static bool
range_parse_spec(const char *p, size_t len, struct range_spec *spec)
{
	size_t i = 0;

	if (len > 0 && p[0] == '-') {
		i = 1;
		spec->suffix = true;
		spec->last = 0;
		return range_digits(p, len, &i, &spec->first) && i == len;
	}
	spec->suffix = false;
	if (!range_digits(p, len, &i, &spec->first) || i == len || p[i] != '-')
		return false;
	i++;
	if (i == len) {
		spec->last = UINT64_MAX;
		return true;
	}
	if (!range_digits(p, len, &i, &spec->last) || i != len)
		return false;
	/*
	 * RFC 9110 §14.1.1: "A range-spec is invalid if the last-pos value is
	 * present and less than the first-pos."
	 */
	return spec->last >= spec->first;
}

/* Insertion sort by first byte: at most RANGE_SPECS_MAX elements. */
static void
range_sort(struct range *r, unsigned n)
{
	for (unsigned i = 1; i < n; i++) {
		struct range x = r[i];
		unsigned j = i;

		for (; j > 0 && r[j - 1].first > x.first; j--)
			r[j] = r[j - 1];
		r[j] = x;
	}
}

/* Merges sorted ranges that overlap or touch; returns the new count. */
static unsigned
range_merge(struct range *r, unsigned n)
{
	unsigned out = 0;

	for (unsigned i = 0; i < n; i++) {
		/* last < size <= UINT64_MAX, so last + 1 cannot wrap. */
		if (out > 0 && r[i].first <= r[out - 1].last + 1) {
			if (r[i].last > r[out - 1].last)
				r[out - 1].last = r[i].last;
			continue;
		}
		r[out++] = r[i];
	}
	return out;
}

enum range_result
range_parse(const char *p, size_t len, uint64_t size, struct range_set *set)
{
	static const char unit[] = "bytes";
	const size_t unit_len = sizeof(unit) - 1;
	unsigned specs = 0;
	bool whole = false;
	size_t i;

	set->n = 0;
	/*
	 * RFC 9110 §14.1.1: ranges-specifier = range-unit "=" range-set, and
	 * §14.1: "range unit names are case-insensitive".  No whitespace
	 * around "=": the grammar has none.
	 */
	if (p == NULL || len <= unit_len ||
	    strncasecmp(p, unit, unit_len) != 0 || p[unit_len] != '=')
		return RANGE_IGNORE;
	i = unit_len + 1;

	/*
	 * range-set = 1#range-spec.  RFC 9110 §5.6.1.2: a recipient MUST
	 * accept empty list elements and does not count them, so the list
	 * is [ element ] *( OWS "," OWS [ element ] ), and at least one
	 * element must be non-empty.
	 */
	for (;;) {
		size_t start = i, end;
		struct range_spec spec;

		while (i < len && p[i] != ',' && !http_is_ows((unsigned char)p[i]))
			i++;
		end = i;
		while (i < len && http_is_ows((unsigned char)p[i]))
			i++;
		/* OWS is allowed only next to a comma (or trimmed). */
		if (i < len && p[i] != ',')
			return RANGE_IGNORE;
		if (end > start) {
			if (!range_parse_spec(p + start, end - start, &spec))
				return RANGE_IGNORE;
			/*
			 * RFC 9110 §14.2: "A server that supports range
			 * requests MAY ignore or reject a Range header field
			 * that contains ... a set of many small ranges".
			 */
			if (++specs > RANGE_SPECS_MAX)
				return RANGE_IGNORE;
			if (spec.suffix) {
				/*
				 * RFC 9110 §14.1.2: "If the selected
				 * representation is shorter than the
				 * specified suffix-length, the entire
				 * representation is used."  A suffix of 0 is
				 * unsatisfiable (§14.1.1).  For size 0 a
				 * non-zero suffix is satisfiable yet selects
				 * no byte, which no Content-Range can say:
				 * the empty representation is sent whole.
				 */
				if (spec.first > 0 && size == 0)
					whole = true;
				else if (spec.first > 0) {
					set->r[set->n].first =
					    spec.first >= size ? 0 :
					    size - spec.first;
					set->r[set->n].last = size - 1;
					set->n++;
				}
			} else if (spec.first < size) {
				/*
				 * RFC 9110 §14.1.2: a last-pos absent, or
				 * "greater than or equal to the current
				 * length of the representation data", means
				 * the remainder of the representation.
				 */
				set->r[set->n].first = spec.first;
				set->r[set->n].last = spec.last >= size ?
				    size - 1 : spec.last;
				set->n++;
			}
			/* else RFC 9110 §14.1.1: first-pos past the end is
			 * unsatisfiable, dropped. */
		}
		if (i == len)
			break;
		i++;		/* the comma */
		while (i < len && http_is_ows((unsigned char)p[i]))
			i++;
	}
	if (specs == 0 || whole) {
		set->n = 0;
		return RANGE_IGNORE;
	}
	if (set->n == 0)
		return RANGE_UNSATISFIABLE;
	/* RFC 9110 §15.3.7.2: a server MAY coalesce overlapping ranges. */
	range_sort(set->r, set->n);
	set->n = range_merge(set->r, set->n);
	return RANGE_SATISFIABLE;
}

/*
 * snprintf()s part i's delimiter and header into buf (NULL, 0: only
 * measure).  One function, so that range_multipart_length() counts
 * exactly the bytes range_part_header() writes.  A NULL type leaves the
 * Content-Type line out.  Returns what snprintf() returns.
 */
static int
range_part_format(const struct range_set *set, unsigned i,
    const char *boundary, const char *type, uint64_t size, char *buf,
    size_t cap)
{
	/* RFC 2046 §5.1.1: the CRLF before "--" belongs to the delimiter. */
	const char *lead = i == 0 ? "" : "\r\n";

	if (type == NULL)
		return snprintf(buf, cap,
		    "%s--%s\r\nContent-Range: bytes %llu-%llu/%llu\r\n\r\n",
		    lead, boundary, (unsigned long long)set->r[i].first,
		    (unsigned long long)set->r[i].last,
		    (unsigned long long)size);
	return snprintf(buf, cap, "%s--%s\r\nContent-Type: %s\r\n"
	    "Content-Range: bytes %llu-%llu/%llu\r\n\r\n", lead, boundary, type,
	    (unsigned long long)set->r[i].first,
	    (unsigned long long)set->r[i].last, (unsigned long long)size);
}

size_t
range_part_header(const struct range_set *set, unsigned i,
    const char *boundary, const char *type, uint64_t size, char *buf,
    size_t cap)
{
	int k;

	if (i >= set->n || cap == 0)
		return 0;
	k = range_part_format(set, i, boundary, type, size, buf, cap);
	if (k < 0 || (size_t)k >= cap)
		return 0;
	return (size_t)k;
}

size_t
range_multipart_trailer(const char *boundary, char *buf, size_t cap)
{
	int k;

	if (cap == 0)
		return 0;
	/* RFC 2046 §5.1.1: close-delimiter = delimiter "--" */
	k = snprintf(buf, cap, "\r\n--%s--\r\n", boundary);
	if (k < 0 || (size_t)k >= cap)
		return 0;
	return (size_t)k;
}

uint64_t
range_multipart_length(const struct range_set *set, const char *boundary,
    const char *type, uint64_t size)
{
	uint64_t total;
	int k;

	k = snprintf(NULL, 0, "\r\n--%s--\r\n", boundary);
	total = k > 0 ? (uint64_t)k : 0;
	for (unsigned i = 0; i < set->n; i++) {
		k = range_part_format(set, i, boundary, type, size, NULL, 0);
		if (k > 0)
			total += (uint64_t)k;
		total += set->r[i].last - set->r[i].first + 1;
	}
	return total;
}
