/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * range.h - byte ranges (RFC 9110 §14): parsing a Range field value
 * against the size of the representation into a sorted set of merged
 * ranges, and the framing of a multipart/byteranges body (RFC 9110
 * §14.6).  Pure: no I/O, no allocation.
 */
#ifndef FORKHTTPD_RANGE_H
#define FORKHTTPD_RANGE_H

#include <stddef.h>
#include <stdint.h>

/*
 * A Range with more range-specs than this is ignored (the whole
 * representation is sent): RFC 9110 §14.2 lets a server ignore a Range
 * with many ranges, which otherwise cost a part header each.
 */
#define RANGE_SPECS_MAX 32

struct range {
	uint64_t first;		/* first byte, inclusive */
	uint64_t last;		/* last byte, inclusive; first <= last < size */
};

struct range_set {
	struct range r[RANGE_SPECS_MAX];
	unsigned n;
};

enum range_result {
	RANGE_IGNORE = 0,	/* serve the whole representation (200) */
	RANGE_SATISFIABLE,	/* set->n >= 1 ranges: 206 */
	RANGE_UNSATISFIABLE	/* 416 with Content-Range: bytes * /size */
};

/*
 * Parses the Range field value p[0..len) (trimmed of OWS) for a
 * representation of size bytes (RFC 9110 §14.1.1-2):
 *   ranges-specifier = range-unit "=" range-set
 *   range-set = 1#range-spec
 *   range-spec = int-range / suffix-range / other-range
 * The unit "bytes" is case-insensitive; any other unit, a syntax error,
 * an int-range with last < first, or more than RANGE_SPECS_MAX specs give
 * RANGE_IGNORE.  Ranges are clipped to the size (last-pos past the end,
 * or a suffix longer than the size, means up to the end).  Specs that
 * cannot be satisfied (first-pos >= size, suffix-length 0) are dropped;
 * if none is left, RANGE_UNSATISFIABLE.  The rest are sorted by first
 * byte and those that overlap or touch are merged into one (RFC 9110
 * §15.3.7.2 allows coalescing regardless of order).  For size 0 every
 * int-range and "-0" are unsatisfiable, and a non-zero suffix-range gives
 * RANGE_IGNORE (the empty representation is sent whole).
 */
enum range_result range_parse(const char *p, size_t len, uint64_t size,
    struct range_set *set);

/* Room for one part header with the longest content type we send. */
#define RANGE_PART_HEADER_MAX 512

/*
 * Writes the delimiter and header of part i of a multipart/byteranges
 * body (RFC 9110 §14.6, RFC 2046 §5.1.1) into buf:
 *   "\r\n--" boundary "\r\nContent-Type: " type "\r\nContent-Range: bytes
 *   first-last/size\r\n\r\n"
 * The first part starts with "--" without the leading CRLF.  Returns the
 * length, or 0 if cap is too small.
 */
size_t range_part_header(const struct range_set *set, unsigned i,
    const char *boundary, const char *type, uint64_t size, char *buf,
    size_t cap);

/* Writes the closing "\r\n--" boundary "--\r\n"; returns its length or 0. */
size_t range_multipart_trailer(const char *boundary, char *buf, size_t cap);

/*
 * The Content-Length of the whole multipart body: every part header, its
 * bytes and the closing delimiter, exactly as the two functions above and
 * the ranges add up.
 */
uint64_t range_multipart_length(const struct range_set *set,
    const char *boundary, const char *type, uint64_t size);

#endif
