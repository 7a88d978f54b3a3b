/* SPDX-License-Identifier: BSD-2-Clause */
#include "autoconf.h"
/*
 * check_range.c - range_parse() against a table of Range values (each row
 * names the RFC 9110 rule it exercises), the limit on the number of
 * specs, and the multipart/byteranges framing: the exact bytes of part
 * headers and trailer, and range_multipart_length() against a body that
 * is actually built from them.
 */
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "range.h"

#include "../lib/unit.h"

#define ROWS(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define LEN_STRLEN ((size_t)-1)
#define U64MAX_S "18446744073709551615"
#define U64OVER_S "18446744073709551616"

/* ------------------------------------------------------------------ */
/* Helpers */

/*
 * Checks what the header promises of a satisfiable set: 1..MAX ranges,
 * each inside the representation, sorted, neither overlapping nor
 * touching (touching ones are merged).
 */
static void
check_set_shape(const struct range_set *set, uint64_t size, const char *note)
{
	ck_assert_msg(set->n >= 1 && set->n <= RANGE_SPECS_MAX,
	    "%s: n = %u", note, set->n);
	for (unsigned i = 0; i < set->n; i++) {
		ck_assert_msg(set->r[i].first <= set->r[i].last &&
		    set->r[i].last < size, "%s: range %u is %llu-%llu of %llu",
		    note, i, (unsigned long long)set->r[i].first,
		    (unsigned long long)set->r[i].last,
		    (unsigned long long)size);
		if (i > 0)
			ck_assert_msg(set->r[i - 1].last + 1 < set->r[i].first,
			    "%s: ranges %u and %u overlap, touch or are "
			    "unsorted", note, i - 1, i);
	}
}

/* The set as "a-b,c-d" into buf. */
static const char *
set_string(const struct range_set *set, char *buf, size_t cap)
{
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < set->n && n < cap; i++) {
		int k = snprintf(buf + n, cap - n, "%s%llu-%llu",
		    i > 0 ? "," : "", (unsigned long long)set->r[i].first,
		    (unsigned long long)set->r[i].last);

		ck_assert(k > 0);
		n += (size_t)k;
	}
	ck_assert_msg(n < cap, "set_string: buffer too small");
	return buf;
}

/* ------------------------------------------------------------------ */
/* range_parse */

#define IGN RANGE_IGNORE
#define SAT RANGE_SATISFIABLE
#define UNS RANGE_UNSATISFIABLE

static const struct {
	const char *value;
	size_t len;			/* LEN_STRLEN: strlen(value) */
	uint64_t size;
	enum range_result want;
	const char *ranges;		/* SAT: the set, "a-b,c-d" */
	const char *note;
} parse_cases[] = {
	/* RFC 9110 §14.1.2's examples, for a representation of 10000. */
	{ "bytes=0-499", LEN_STRLEN, 10000, SAT, "0-499",
	    "§14.1.2: the first 500 bytes" },
	{ "bytes=500-999", LEN_STRLEN, 10000, SAT, "500-999",
	    "§14.1.2: the second 500 bytes" },
	{ "bytes=-500", LEN_STRLEN, 10000, SAT, "9500-9999",
	    "§14.1.2: suffix-range, the final 500 bytes" },
	{ "bytes=9500-", LEN_STRLEN, 10000, SAT, "9500-9999",
	    "§14.1.2: int-range without last-pos, to the end" },
	{ "bytes=0-0,-1", LEN_STRLEN, 10000, SAT, "0-0,9999-9999",
	    "§14.1.2: first and last bytes only" },
	{ "bytes=0-999,4500-5499,-1000", LEN_STRLEN, 10000, SAT,
	    "0-999,4500-5499,9000-9999", "§14.1.2: three ranges" },
	{ "bytes=500-600,601-999", LEN_STRLEN, 10000, SAT, "500-999",
	    "§14.1.2 + §15.3.7.2: adjacent ranges coalesced" },
	{ "bytes=500-700,601-999", LEN_STRLEN, 10000, SAT, "500-999",
	    "§14.1.2 + §15.3.7.2: overlapping ranges coalesced" },

	/* The unit. */
	{ "BYTES=0-1", LEN_STRLEN, 100, SAT, "0-1",
	    "§14.1: range unit names are case-insensitive (upper)" },
	{ "ByTeS=0-1", LEN_STRLEN, 100, SAT, "0-1",
	    "§14.1: range unit names are case-insensitive (mixed)" },
	{ "bits=0-1", LEN_STRLEN, 100, IGN, NULL,
	    "§14.2: an unknown range unit is ignored" },
	{ "byte=0-1", LEN_STRLEN, 100, IGN, NULL, "unit one letter short" },
	{ "bytesx=0-1", LEN_STRLEN, 100, IGN, NULL,
	    "unit with a letter too many" },
	{ "none", LEN_STRLEN, 100, IGN, NULL, "\"none\" is not a range" },
	{ "", LEN_STRLEN, 100, IGN, NULL, "empty value" },
	{ "bytes", LEN_STRLEN, 100, IGN, NULL, "unit without \"=\"" },
	{ "bytes=", LEN_STRLEN, 100, IGN, NULL,
	    "§14.1.1: range-set = 1#range-spec, none given" },
	{ "=0-1", LEN_STRLEN, 100, IGN, NULL, "no unit" },
	{ "bytes 0-1", LEN_STRLEN, 100, IGN, NULL, "SP for \"=\"" },
	{ "bytes =0-1", LEN_STRLEN, 100, IGN, NULL,
	    "§14.1.1: no whitespace before \"=\"" },
	{ "bytes= 0-1", LEN_STRLEN, 100, IGN, NULL,
	    "§14.1.1: no whitespace after \"=\"" },
	{ "bytes:0-1", LEN_STRLEN, 100, IGN, NULL, "':' for '='" },

	/* The list: RFC 9110 §5.6.1. */
	{ "bytes=0-1, 3-4", LEN_STRLEN, 100, SAT, "0-1,3-4",
	    "§5.6.1: OWS after a comma" },
	{ "bytes=0-1 ,3-4", LEN_STRLEN, 100, SAT, "0-1,3-4",
	    "§5.6.1: OWS before a comma" },
	{ "bytes=0-1\t,\t3-4", LEN_STRLEN, 100, SAT, "0-1,3-4",
	    "§5.6.3: OWS may be HTAB" },
	{ "bytes=0-1  ,   3-4", LEN_STRLEN, 100, SAT, "0-1,3-4",
	    "§5.6.3: OWS is *( SP / HTAB )" },
	{ "bytes=,0-1", LEN_STRLEN, 100, SAT, "0-1",
	    "§5.6.1.2: empty leading element accepted" },
	{ "bytes=0-1,", LEN_STRLEN, 100, SAT, "0-1",
	    "§5.6.1.2: empty trailing element accepted" },
	{ "bytes=0-1,,3-4", LEN_STRLEN, 100, SAT, "0-1,3-4",
	    "§5.6.1.2: empty element in the middle" },
	{ "bytes=0-1, ,3-4", LEN_STRLEN, 100, SAT, "0-1,3-4",
	    "§5.6.1.2: empty element with OWS" },
	{ "bytes=,", LEN_STRLEN, 100, IGN, NULL,
	    "§5.6.1.2: empty elements do not count; 1# needs one" },
	{ "bytes=, ,", LEN_STRLEN, 100, IGN, NULL,
	    "§5.6.1.2: only empty elements" },
	{ "bytes=0-1 3-4", LEN_STRLEN, 100, IGN, NULL,
	    "§5.6.1: elements need a comma between them" },
	{ "bytes=0 -1", LEN_STRLEN, 100, IGN, NULL,
	    "§14.1.1: no whitespace inside an int-range" },
	{ "bytes=0- 1", LEN_STRLEN, 100, IGN, NULL,
	    "§14.1.1: no whitespace after \"-\"" },
	{ "bytes=- 1", LEN_STRLEN, 100, IGN, NULL,
	    "§14.1.1: no whitespace inside a suffix-range" },
	{ "bytes=0-1;3-4", LEN_STRLEN, 100, IGN, NULL, "';' is no separator" },

	/* Syntax of a range-spec: RFC 9110 §14.1.1. */
	{ "bytes=5-4", LEN_STRLEN, 100, IGN, NULL,
	    "§14.1.1: last-pos less than first-pos is invalid" },
	{ "bytes=0-1,5-4", LEN_STRLEN, 100, IGN, NULL,
	    "§14.1.1: one invalid spec makes the whole field invalid" },
	{ "bytes=5-5", LEN_STRLEN, 100, SAT, "5-5",
	    "§14.1.1: last-pos equal to first-pos, one byte" },
	{ "bytes=-", LEN_STRLEN, 100, IGN, NULL,
	    "§14.1.1: suffix-length = 1*DIGIT, none given" },
	{ "bytes=--1", LEN_STRLEN, 100, IGN, NULL, "two minus signs" },
	{ "bytes=1", LEN_STRLEN, 100, IGN, NULL, "first-pos without \"-\"" },
	{ "bytes=1-2-3", LEN_STRLEN, 100, IGN, NULL, "a third position" },
	{ "bytes=a-b", LEN_STRLEN, 100, IGN, NULL,
	    "§14.1.1: other-range is not a bytes range" },
	{ "bytes=+1-2", LEN_STRLEN, 100, IGN, NULL, "§14.1.1: DIGIT only, no +" },
	{ "bytes=0x1-2", LEN_STRLEN, 100, IGN, NULL, "§14.1.1: no hex" },
	{ "bytes=1.5-2", LEN_STRLEN, 100, IGN, NULL, "§14.1.1: no fraction" },
	{ "bytes=1-2x", LEN_STRLEN, 100, IGN, NULL, "trailing letter" },
	{ "bytes=007-009", LEN_STRLEN, 100, SAT, "7-9",
	    "§14.1.1: leading zeros are digits too" },

	/* Numbers that do not fit. */
	{ "bytes=" U64OVER_S "-", LEN_STRLEN, 100, IGN, NULL,
	    "first-pos overflows 64 bits" },
	{ "bytes=0-" U64OVER_S, LEN_STRLEN, 100, IGN, NULL,
	    "last-pos overflows 64 bits" },
	{ "bytes=-" U64OVER_S, LEN_STRLEN, 100, IGN, NULL,
	    "suffix-length overflows 64 bits" },
	{ "bytes=0-99999999999999999999999", LEN_STRLEN, 100, IGN, NULL,
	    "last-pos far past 64 bits" },
	{ "bytes=0-" U64MAX_S, LEN_STRLEN, 100, SAT, "0-99",
	    "§14.1.2: last-pos UINT64_MAX fits, clipped" },
	{ "bytes=-" U64MAX_S, LEN_STRLEN, 100, SAT, "0-99",
	    "§14.1.2: suffix UINT64_MAX, the whole representation" },
	{ "bytes=" U64MAX_S "-", LEN_STRLEN, 100, UNS, NULL,
	    "§14.1.1: first-pos UINT64_MAX, past the end" },

	/* Clipping: RFC 9110 §14.1.2. */
	{ "bytes=0-5000", LEN_STRLEN, 1000, SAT, "0-999",
	    "§14.1.2: last-pos >= length means up to the end" },
	{ "bytes=0-999", LEN_STRLEN, 1000, SAT, "0-999",
	    "last-pos exactly the last byte" },
	{ "bytes=0-1000", LEN_STRLEN, 1000, SAT, "0-999",
	    "last-pos one past the last byte" },
	{ "bytes=-5000", LEN_STRLEN, 1000, SAT, "0-999",
	    "§14.1.2: suffix longer than the representation, all of it" },
	{ "bytes=-1000", LEN_STRLEN, 1000, SAT, "0-999",
	    "suffix exactly the size" },
	{ "bytes=-999", LEN_STRLEN, 1000, SAT, "1-999",
	    "suffix one less than the size" },
	{ "bytes=999-", LEN_STRLEN, 1000, SAT, "999-999",
	    "first-pos on the last byte" },

	/* Unsatisfiable: RFC 9110 §14.1.1 and §15.5.17. */
	{ "bytes=1000-", LEN_STRLEN, 1000, UNS, NULL,
	    "§14.1.1: first-pos = length is unsatisfiable" },
	{ "bytes=1000-2000", LEN_STRLEN, 1000, UNS, NULL,
	    "§14.1.1: int-range entirely past the end" },
	{ "bytes=-0", LEN_STRLEN, 1000, UNS, NULL,
	    "§14.1.1: suffix-length 0 is unsatisfiable" },
	{ "bytes=1000-,-0,5000-6000", LEN_STRLEN, 1000, UNS, NULL,
	    "§14.1.1: all specs unsatisfiable" },
	{ "bytes=1000-,0-0", LEN_STRLEN, 1000, SAT, "0-0",
	    "§14.1.1: unsatisfiable specs are dropped, the rest served" },
	{ "bytes=-0,990-", LEN_STRLEN, 1000, SAT, "990-999",
	    "§14.1.1: zero suffix dropped, the rest served" },

	/* Sorting and coalescing: RFC 9110 §15.3.7.2. */
	{ "bytes=500-599,0-99", LEN_STRLEN, 1000, SAT, "0-99,500-599",
	    "§15.3.7.2: parts sorted by first byte" },
	{ "bytes=-100,0-9,500-509", LEN_STRLEN, 1000, SAT,
	    "0-9,500-509,900-999", "§15.3.7.2: a suffix sorted last" },
	{ "bytes=0-0,0-0", LEN_STRLEN, 1000, SAT, "0-0",
	    "§15.3.7.2: duplicates coalesced" },
	{ "bytes=0-10,5-6", LEN_STRLEN, 1000, SAT, "0-10",
	    "§15.3.7.2: a contained range coalesced" },
	{ "bytes=5-6,0-10", LEN_STRLEN, 1000, SAT, "0-10",
	    "§15.3.7.2: containing range listed second" },
	{ "bytes=100-199,0-99", LEN_STRLEN, 1000, SAT, "0-199",
	    "§15.3.7.2: adjacent ranges in reverse order coalesced" },
	{ "bytes=0-1,3-4", LEN_STRLEN, 1000, SAT, "0-1,3-4",
	    "a one-byte gap keeps two ranges" },
	{ "bytes=-500,0-", LEN_STRLEN, 1000, SAT, "0-999",
	    "§15.3.7.2: suffix inside an open int-range" },
	{ "bytes=0-1,4-5,2-3", LEN_STRLEN, 1000, SAT, "0-5",
	    "§15.3.7.2: a middle range joins its neighbours" },
	{ "bytes=0-9,20-29,5-24", LEN_STRLEN, 1000, SAT, "0-29",
	    "§15.3.7.2: a bridge over two ranges" },
	{ "bytes=900-2000,950-", LEN_STRLEN, 1000, SAT, "900-999",
	    "clipped ranges coalesced" },

	/* Size 0: RFC 9110 §14.1.2. */
	{ "bytes=0-", LEN_STRLEN, 0, UNS, NULL,
	    "§14.1.2: size 0, every int-range unsatisfiable" },
	{ "bytes=0-0", LEN_STRLEN, 0, UNS, NULL,
	    "§14.1.2: size 0, bytes=0-0 unsatisfiable" },
	{ "bytes=-1", LEN_STRLEN, 0, IGN, NULL,
	    "§14.1.2: size 0, a suffix-range: send the empty body whole" },
	{ "bytes=0-,-5", LEN_STRLEN, 0, IGN, NULL,
	    "§14.1.2: size 0, int-range and suffix: whole" },
	{ "bytes=-0", LEN_STRLEN, 0, UNS, NULL,
	    "§14.1.1: size 0, suffix-length 0 still unsatisfiable" },
	{ "bytes=0-1,5-4", LEN_STRLEN, 0, IGN, NULL,
	    "size 0: a syntax error still ignores" },

	/* Size 1 and the largest size. */
	{ "bytes=0-0", LEN_STRLEN, 1, SAT, "0-0", "size 1: the one byte" },
	{ "bytes=-1", LEN_STRLEN, 1, SAT, "0-0", "size 1: suffix 1" },
	{ "bytes=1-", LEN_STRLEN, 1, UNS, NULL, "size 1: first-pos 1" },
	{ "bytes=0-", LEN_STRLEN, UINT64_MAX, SAT, "0-18446744073709551614",
	    "size UINT64_MAX: last byte UINT64_MAX - 1" },
	{ "bytes=0-18446744073709551613,18446744073709551614-", LEN_STRLEN,
	    UINT64_MAX, SAT, "0-18446744073709551614",
	    "size UINT64_MAX: adjacent at the top coalesced" },
	{ "bytes=-1", LEN_STRLEN, UINT64_MAX, SAT,
	    "18446744073709551614-18446744073709551614",
	    "size UINT64_MAX: last byte" },

	/* Only len bytes count. */
	{ "bytes=0-19", 9, 100, SAT, "0-1", "only len bytes are read" },
	{ "bytes=0-1\0,2-3", 14, 100, IGN, NULL, "NUL inside the value" },
	{ "bytes=0-1\r\n", LEN_STRLEN, 100, IGN, NULL, "CRLF inside" },
};

START_TEST(test_parse_table)
{
	const char *note = parse_cases[_i].note;
	size_t len = parse_cases[_i].len == LEN_STRLEN ?
	    strlen(parse_cases[_i].value) : parse_cases[_i].len;
	uint64_t size = parse_cases[_i].size;
	struct range_set set;
	enum range_result got;
	char buf[512];

	memset(&set, 0xa5, sizeof(set));
	got = range_parse(parse_cases[_i].value, len, size, &set);
	ck_assert_msg(got == parse_cases[_i].want, "%s: result %d, want %d",
	    note, (int)got, (int)parse_cases[_i].want);
	if (got != RANGE_SATISFIABLE)
		return;
	check_set_shape(&set, size, note);
	ck_assert_msg(strcmp(set_string(&set, buf, sizeof(buf)),
	    parse_cases[_i].ranges) == 0, "%s: got %s, want %s", note, buf,
	    parse_cases[_i].ranges);
}
END_TEST

/*
 * "bytes=" and count specs "2i-2i" (not touching, so none merge), with
 * empty elements sprinkled in when empties is set.
 */
static void
make_many(char *buf, size_t cap, unsigned count, bool empties)
{
	size_t n = 0;
	int k;

	k = snprintf(buf, cap, "bytes=%s", empties ? ", ," : "");
	ck_assert(k > 0 && (size_t)k < cap);
	n = (size_t)k;
	for (unsigned i = 0; i < count; i++) {
		k = snprintf(buf + n, cap - n, "%s%u-%u%s", i > 0 ? "," : "",
		    2 * i, 2 * i, empties ? " , " : "");
		ck_assert(k > 0 && (size_t)k < cap - n);
		n += (size_t)k;
	}
}

/* RFC 9110 §14.2: a server MAY ignore a Range with many ranges. */
START_TEST(test_specs_max)
{
	struct range_set set;
	char buf[2048];

	make_many(buf, sizeof(buf), RANGE_SPECS_MAX, false);
	ck_assert_int_eq(range_parse(buf, strlen(buf), 1000, &set),
	    RANGE_SATISFIABLE);
	ck_assert_uint_eq(set.n, RANGE_SPECS_MAX);
	check_set_shape(&set, 1000, "RANGE_SPECS_MAX specs");
	ck_assert_uint_eq(set.r[RANGE_SPECS_MAX - 1].first,
	    2 * (RANGE_SPECS_MAX - 1));

	make_many(buf, sizeof(buf), RANGE_SPECS_MAX + 1, false);
	ck_assert_msg(range_parse(buf, strlen(buf), 1000, &set) ==
	    RANGE_IGNORE, "§14.2: RANGE_SPECS_MAX + 1 specs are ignored");

	/* §5.6.1.2: empty elements do not count. */
	make_many(buf, sizeof(buf), RANGE_SPECS_MAX, true);
	ck_assert_msg(range_parse(buf, strlen(buf), 1000, &set) ==
	    RANGE_SATISFIABLE, "§5.6.1.2: empty elements counted as specs");
	ck_assert_uint_eq(set.n, RANGE_SPECS_MAX);

	/* Counted as sent, before unsatisfiable ones are dropped. */
	make_many(buf, sizeof(buf), RANGE_SPECS_MAX + 1, false);
	ck_assert_msg(range_parse(buf, strlen(buf), 3, &set) == RANGE_IGNORE,
	    "specs counted after dropping the unsatisfiable ones");

	/* Many specs that merge into one are still many specs. */
	buf[0] = '\0';
	strcat(buf, "bytes=0-0");
	for (unsigned i = 1; i <= RANGE_SPECS_MAX; i++)
		strcat(buf, ",0-0");
	ck_assert_msg(range_parse(buf, strlen(buf), 1000, &set) ==
	    RANGE_IGNORE, "RANGE_SPECS_MAX + 1 identical specs");
}
END_TEST

/* ------------------------------------------------------------------ */
/* multipart/byteranges framing */

static void
parse_ok(const char *value, uint64_t size, struct range_set *set)
{
	ck_assert_msg(range_parse(value, strlen(value), size, set) ==
	    RANGE_SATISFIABLE, "range_parse(%s, %llu)", value,
	    (unsigned long long)size);
}

/* RFC 9110 §14.6's example layout, byte for byte. */
START_TEST(test_part_header_bytes)
{
	static const char want0[] =
	    "--THIS_STRING_SEPARATES\r\n"
	    "Content-Type: application/pdf\r\n"
	    "Content-Range: bytes 500-999/8000\r\n\r\n";
	static const char want1[] =
	    "\r\n--THIS_STRING_SEPARATES\r\n"
	    "Content-Type: application/pdf\r\n"
	    "Content-Range: bytes 7000-7999/8000\r\n\r\n";
	static const char want_trailer[] = "\r\n--THIS_STRING_SEPARATES--\r\n";
	struct range_set set;
	char buf[RANGE_PART_HEADER_MAX];
	size_t n;

	parse_ok("bytes=7000-7999,500-999", 8000, &set);
	ck_assert_uint_eq(set.n, 2);

	n = range_part_header(&set, 0, "THIS_STRING_SEPARATES",
	    "application/pdf", 8000, buf, sizeof(buf));
	ck_assert_msg(n == strlen(want0) && memcmp(buf, want0, n) == 0,
	    "§14.6: first part header: %.*s", (int)n, buf);

	n = range_part_header(&set, 1, "THIS_STRING_SEPARATES",
	    "application/pdf", 8000, buf, sizeof(buf));
	ck_assert_msg(n == strlen(want1) && memcmp(buf, want1, n) == 0,
	    "RFC 2046 §5.1.1: later parts start with CRLF: %.*s", (int)n,
	    buf);

	n = range_multipart_trailer("THIS_STRING_SEPARATES", buf,
	    sizeof(buf));
	ck_assert_msg(n == strlen(want_trailer) &&
	    memcmp(buf, want_trailer, n) == 0,
	    "RFC 2046 §5.1.1: close-delimiter: %.*s", (int)n, buf);
}
END_TEST

/* A NULL type leaves the Content-Type line out. */
START_TEST(test_part_header_no_type)
{
	static const char want[] =
	    "--b\r\nContent-Range: bytes 0-0/10\r\n\r\n";
	struct range_set set;
	char buf[RANGE_PART_HEADER_MAX];
	size_t n;

	parse_ok("bytes=0-0,5-5", 10, &set);
	n = range_part_header(&set, 0, "b", NULL, 10, buf, sizeof(buf));
	ck_assert_msg(n == strlen(want) && memcmp(buf, want, n) == 0,
	    "no Content-Type: %.*s", (int)n, buf);
	ck_assert_uint_eq(range_multipart_length(&set, "b", NULL, 10),
	    strlen(want) + 1 + strlen("\r\n--b\r\nContent-Range: bytes "
	    "5-5/10\r\n\r\n") + 1 + strlen("\r\n--b--\r\n"));
}
END_TEST

/* Too small a buffer gives 0; so does a part that does not exist. */
START_TEST(test_part_header_cap)
{
	struct range_set set;
	char buf[RANGE_PART_HEADER_MAX];
	size_t full, n;

	parse_ok("bytes=0-9,20-29", 100, &set);
	full = range_part_header(&set, 1, "bnd", "text/plain", 100, buf,
	    sizeof(buf));
	ck_assert_uint_gt(full, 0);
	ck_assert_uint_eq(range_part_header(&set, 1, "bnd", "text/plain", 100,
	    buf, full + 1), full);
	ck_assert_msg(range_part_header(&set, 1, "bnd", "text/plain", 100,
	    buf, full) == 0, "no room for the NUL: must give 0");
	ck_assert_uint_eq(range_part_header(&set, 1, "bnd", "text/plain", 100,
	    buf, 1), 0);
	ck_assert_uint_eq(range_part_header(&set, 1, "bnd", "text/plain", 100,
	    buf, 0), 0);
	ck_assert_msg(range_part_header(&set, 2, "bnd", "text/plain", 100,
	    buf, sizeof(buf)) == 0, "part 2 of 2 does not exist");

	n = range_multipart_trailer("bnd", buf, sizeof(buf));
	ck_assert_uint_eq(n, strlen("\r\n--bnd--\r\n"));
	ck_assert_uint_eq(range_multipart_trailer("bnd", buf, n + 1), n);
	ck_assert_uint_eq(range_multipart_trailer("bnd", buf, n), 0);
	ck_assert_uint_eq(range_multipart_trailer("bnd", buf, 0), 0);
}
END_TEST

/*
 * The longest part header: a 70-character boundary (RFC 2046 §5.1.1's
 * limit), 20-digit numbers and a long media type fit in
 * RANGE_PART_HEADER_MAX.
 */
START_TEST(test_part_header_max)
{
	char boundary[71], type[201], buf[RANGE_PART_HEADER_MAX];
	struct range_set set;

	memset(boundary, 'b', 70);
	boundary[70] = '\0';
	memset(type, 't', 200);
	type[200] = '\0';
	parse_ok("bytes=18446744073709551613-", UINT64_MAX, &set);
	ck_assert_uint_gt(range_part_header(&set, 0, boundary, type,
	    UINT64_MAX, buf, sizeof(buf)), 300);
}
END_TEST

/*
 * The body of a 206 built the way the sender does, from the two
 * formatters and the file's bytes, must be exactly as long as
 * range_multipart_length() says: that is the Content-Length.
 */
static const struct {
	const char *value;
	uint64_t size;
	const char *type;
	const char *note;
} body_cases[] = {
	{ "bytes=0-0,-1", 200, "text/plain", "two one-byte parts" },
	{ "bytes=0-9,20-29,-5", 200, "text/plain", "three parts" },
	{ "bytes=0-49,100-149", 150, "application/octet-stream",
	    "parts to the last byte" },
	{ "bytes=0-9", 10, "text/html; charset=utf-8", "a single range" },
	{ "bytes=1-1,3-3,5-5,7-7,9-9,11-11,13-13,15-15,17-17,19-19,21-21,"
	  "23-23,25-25,27-27,29-29,31-31,33-33,35-35,37-37,39-39,41-41,43-43,"
	  "45-45,47-47,49-49,51-51,53-53,55-55,57-57,59-59,61-61,63-63", 64,
	  "text/plain", "RANGE_SPECS_MAX parts" },
	{ "bytes=0-0,-1", 200, NULL, "no Content-Type" },
};

START_TEST(test_multipart_body)
{
	const char *boundary = "3d6b6a416f9b5";
	const char *type = body_cases[_i].type, *note = body_cases[_i].note;
	uint64_t size = body_cases[_i].size;
	static char body[65536];
	char file[256];
	struct range_set set;
	size_t n = 0, k;

	ck_assert(size <= sizeof(file));
	for (size_t i = 0; i < size; i++)
		file[i] = (char)('a' + i % 26);
	parse_ok(body_cases[_i].value, size, &set);
	for (unsigned i = 0; i < set.n; i++) {
		size_t len = (size_t)(set.r[i].last - set.r[i].first + 1);

		k = range_part_header(&set, i, boundary, type, size, body + n,
		    RANGE_PART_HEADER_MAX);
		ck_assert_msg(k > 0, "%s: part %u header", note, i);
		n += k;
		memcpy(body + n, file + set.r[i].first, len);
		n += len;
	}
	k = range_multipart_trailer(boundary, body + n, sizeof(body) - n);
	ck_assert_msg(k > 0, "%s: trailer", note);
	n += k;
	ck_assert_msg(range_multipart_length(&set, boundary, type, size) == n,
	    "%s: range_multipart_length %llu, body %zu", note,
	    (unsigned long long)range_multipart_length(&set, boundary, type,
	    size), n);
	ck_assert_msg(memcmp(body, "--3d6b6a416f9b5\r\n", 17) == 0,
	    "%s: the body starts with the first delimiter", note);
	ck_assert_msg(n > 21 && memcmp(body + n - 21,
	    "\r\n--3d6b6a416f9b5--\r\n", 21) == 0,
	    "%s: the body ends with the close-delimiter", note);
}
END_TEST

/* Sizes too large to build: add the header lengths up instead. */
START_TEST(test_multipart_length_large)
{
	static const char *const values[] = {
		"bytes=0-0,-1",
		"bytes=0-99999,1000000000-1000000099,-12345678901",
		"bytes=9-99,999-9999,99999-999999,9999999-99999999",
	};
	uint64_t size = UINT64_C(10000000000000000000);
	char buf[RANGE_PART_HEADER_MAX];

	for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
		struct range_set set;
		uint64_t sum = 0;
		size_t k;

		parse_ok(values[v], size, &set);
		for (unsigned i = 0; i < set.n; i++) {
			k = range_part_header(&set, i, "B", "image/png", size,
			    buf, sizeof(buf));
			ck_assert_uint_gt(k, 0);
			sum += k + (set.r[i].last - set.r[i].first + 1);
		}
		k = range_multipart_trailer("B", buf, sizeof(buf));
		ck_assert_uint_gt(k, 0);
		sum += k;
		ck_assert_msg(range_multipart_length(&set, "B", "image/png",
		    size) == sum, "%s: length differs from the sum", values[v]);
	}
}
END_TEST

static Suite *
range_suite(void)
{
	Suite *s = suite_create("range");
	TCase *tc;

	tc = tcase_create("parse");
	tcase_add_loop_test(tc, test_parse_table, 0, ROWS(parse_cases));
	tcase_add_test(tc, test_specs_max);
	suite_add_tcase(s, tc);

	tc = tcase_create("multipart");
	tcase_add_test(tc, test_part_header_bytes);
	tcase_add_test(tc, test_part_header_no_type);
	tcase_add_test(tc, test_part_header_cap);
	tcase_add_test(tc, test_part_header_max);
	tcase_add_loop_test(tc, test_multipart_body, 0, ROWS(body_cases));
	tcase_add_test(tc, test_multipart_length_large);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(range_suite());
}
