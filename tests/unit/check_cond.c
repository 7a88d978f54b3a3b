/* SPDX-License-Identifier: BSD-2-Clause */
#include "autoconf.h"
/*
 * check_cond.c - cond_etag(), cond_parse_date() in the three HTTP-date
 * formats, cond_evaluate() in RFC 9110 §13.2.2's order and
 * cond_if_range(), against tables whose rows name the RFC rule they
 * exercise.
 */
#include <sys/stat.h>

#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cond.h"

#include "../lib/unit.h"

#define ROWS(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define LEN_STRLEN ((size_t)-1)

/* ------------------------------------------------------------------ */
/* cond_etag */

static const struct {
	unsigned long long ino, size;
	long long sec;
	long nsec;
	const char *want;
	const char *note;
} etag_cases[] = {
	{ 0x1234, 0x10, 1, 2, "\"1234-10-3b9aca02\"",
	    "lowercase hex of inode, size, mtime in ns" },
	{ 0, 0, 0, 0, "\"0-0-0\"", "all zero: no padding" },
	{ 0xabcdef, 1, 784111777, 123456789, "\"abcdef-1-ae1b981c3a4d715\"",
	    "seconds * 10^9 + nanoseconds" },
	{ 0xffffffffffffffffULL, 0x7fffffffffffffffULL, -1, 999999999,
	    "\"ffffffffffffffff-7fffffffffffffff-ffffffffffffffff\"",
	    "widest: 52 bytes, must fit HTTP_ETAG_MAX with the NUL" },
	{ 1, 1, 9300000000LL, 0, "\"1-1-81103cb9fb220000\"",
	    "mtime past 2262: over INT64_MAX ns, no signed overflow" },
	{ 1, 1, 20000000000LL, 0, "\"1-1-158e460913d00000\"",
	    "mtime past 2554: wraps modulo 2^64" },
};

START_TEST(test_etag)
{
	struct stat st;
	char out[HTTP_ETAG_MAX + 8];
	size_t n;

	memset(&st, 0, sizeof(st));
	memset(out, 0x5a, sizeof(out));
	st.st_ino = (ino_t)etag_cases[_i].ino;
	st.st_size = (off_t)etag_cases[_i].size;
	st.st_mtim.tv_sec = (time_t)etag_cases[_i].sec;
	st.st_mtim.tv_nsec = etag_cases[_i].nsec;
	n = cond_etag(&st, out);
	ck_assert_msg(n == strlen(etag_cases[_i].want) &&
	    strcmp(out, etag_cases[_i].want) == 0, "%s: got %zu %s",
	    etag_cases[_i].note, n, out);
	for (size_t i = HTTP_ETAG_MAX; i < sizeof(out); i++)
		ck_assert_msg(out[i] == 0x5a, "%s: wrote past HTTP_ETAG_MAX",
		    etag_cases[_i].note);
}
END_TEST

/* Each of the three inputs changes the tag. */
START_TEST(test_etag_changes)
{
	struct stat a, b;
	char ta[HTTP_ETAG_MAX], tb[HTTP_ETAG_MAX];

	memset(&a, 0, sizeof(a));
	a.st_ino = 7;
	a.st_size = 100;
	a.st_mtim.tv_sec = 1700000000;
	a.st_mtim.tv_nsec = 5;
	cond_etag(&a, ta);

	b = a;
	cond_etag(&b, tb);
	ck_assert_str_eq(ta, tb);
	b.st_mtim.tv_nsec = 6;
	cond_etag(&b, tb);
	ck_assert_msg(strcmp(ta, tb) != 0, "a nanosecond later, same tag");
	b = a;
	b.st_size = 101;
	cond_etag(&b, tb);
	ck_assert_msg(strcmp(ta, tb) != 0, "another size, same tag");
	b = a;
	b.st_ino = 8;
	cond_etag(&b, tb);
	ck_assert_msg(strcmp(ta, tb) != 0, "another inode, same tag");
}
END_TEST

/* ------------------------------------------------------------------ */
/* cond_parse_date */

/* Sun, 06 Nov 1994 08:49:37 GMT, RFC 9110 §5.6.7's example. */
#define T_1994 ((time_t)784111777)

static const struct {
	const char *s;
	size_t len;		/* LEN_STRLEN: strlen(s) */
	bool ok;
	time_t want;
	const char *note;
} date_cases[] = {
	/* The three formats: RFC 9110 §5.6.7's examples. */
	{ "Sun, 06 Nov 1994 08:49:37 GMT", LEN_STRLEN, true, T_1994,
	    "§5.6.7: IMF-fixdate" },
	{ "Sunday, 06-Nov-94 08:49:37 GMT", LEN_STRLEN, true, T_1994,
	    "§5.6.7: obsolete RFC 850 format" },
	{ "Sun Nov  6 08:49:37 1994", LEN_STRLEN, true, T_1994,
	    "§5.6.7: ANSI C's asctime() format" },
	{ "Sun Nov 06 08:49:37 1994", LEN_STRLEN, true, T_1994,
	    "§5.6.7: date3 = month SP ( 2DIGIT / ( SP DIGIT ) ), 2DIGIT" },

	/* Dates. */
	{ "Thu, 01 Jan 1970 00:00:00 GMT", LEN_STRLEN, true, 0, "the epoch" },
	{ "Wed, 31 Dec 1969 23:59:59 GMT", LEN_STRLEN, true, -1,
	    "one second before the epoch (timegm()'s -1)" },
	{ "Fri, 31 Dec 9999 23:59:59 GMT", LEN_STRLEN, true,
	    (time_t)253402300799LL, "§5.6.7: year = 4DIGIT, the last one" },
	{ "Sat, 01 Jan 0000 00:00:00 GMT", LEN_STRLEN, true,
	    (time_t)-62167219200LL, "§5.6.7: year 0000 is 4DIGIT too" },
	{ "Thu, 29 Feb 2024 00:00:00 GMT", LEN_STRLEN, true,
	    (time_t)1709164800, "Feb 29 in a leap year" },
	{ "Tue, 29 Feb 2000 00:00:00 GMT", LEN_STRLEN, true,
	    (time_t)951782400, "Feb 29 in 2000: divisible by 400" },
	{ "Thu, 01 Mar 1900 00:00:00 GMT", LEN_STRLEN, true,
	    (time_t)-2203891200LL, "before 1970, negative" },
	{ "Thu, 29 Feb 1900 00:00:00 GMT", LEN_STRLEN, false, 0,
	    "Feb 29 in 1900: divisible by 100, not a leap year" },
	{ "Wed, 29 Feb 2023 00:00:00 GMT", LEN_STRLEN, false, 0,
	    "Feb 29 in a common year" },
	{ "Fri, 30 Feb 2024 00:00:00 GMT", LEN_STRLEN, false, 0,
	    "Feb 30 never exists" },
	{ "Tue, 30 Apr 2024 00:00:00 GMT", LEN_STRLEN, true,
	    (time_t)1714435200, "day 30 of a 30-day month" },
	{ "Wed, 31 Apr 2024 00:00:00 GMT", LEN_STRLEN, false, 0,
	    "cond.h: day 31 of a 30-day month" },
	{ "Tue, 31 Dec 2024 00:00:00 GMT", LEN_STRLEN, true,
	    (time_t)1735603200, "day 31 of December" },
	{ "Mon, 00 Jan 2024 00:00:00 GMT", LEN_STRLEN, false, 0, "day 00" },
	{ "Thu, 32 Jan 2024 00:00:00 GMT", LEN_STRLEN, false, 0, "day 32" },
	{ "Mon, 06 Nov 1994 08:49:37 GMT", LEN_STRLEN, true, T_1994,
	    "the weekday need not agree with the date" },

	/* Time of day: §5.6.7 "00:00:00 - 23:59:60 (leap second)". */
	{ "Sun, 06 Nov 1994 23:59:59 GMT", LEN_STRLEN, true,
	    (time_t)784166399, "23:59:59" },
	{ "Sun, 06 Nov 1994 24:00:00 GMT", LEN_STRLEN, false, 0,
	    "cond.h: hour 24" },
	{ "Sun, 06 Nov 1994 08:60:00 GMT", LEN_STRLEN, false, 0,
	    "minute 60" },
	{ "Sat, 31 Dec 2016 23:59:60 GMT", LEN_STRLEN, true,
	    (time_t)1483228800, "§5.6.7: leap second 60, the next second" },
	{ "Sun, 06 Nov 1994 08:49:61 GMT", LEN_STRLEN, false, 0,
	    "second 61" },
	{ "Sun, 06 Nov 1994 8:49:37 GMT", LEN_STRLEN, false, 0,
	    "§5.6.7: hour = 2DIGIT" },
	{ "Sun, 06 Nov 1994 08.49.37 GMT", LEN_STRLEN, false, 0,
	    "'.' for ':'" },

	/* IMF-fixdate syntax; §5.6.7: "HTTP-date is case sensitive". */
	{ "sun, 06 Nov 1994 08:49:37 GMT", LEN_STRLEN, false, 0,
	    "§5.6.7: case sensitive: day-name" },
	{ "Sun, 06 nov 1994 08:49:37 GMT", LEN_STRLEN, false, 0,
	    "§5.6.7: case sensitive: month" },
	{ "Sun, 06 NOV 1994 08:49:37 GMT", LEN_STRLEN, false, 0,
	    "§5.6.7: case sensitive: month upper" },
	{ "Sun, 06 Nov 1994 08:49:37 gmt", LEN_STRLEN, false, 0,
	    "§5.6.7: case sensitive: GMT" },
	{ "Sun, 06 Nov 1994 08:49:37 UTC", LEN_STRLEN, false, 0,
	    "§5.6.7: GMT = %s\"GMT\", not UTC" },
	{ "Sun, 06 Nov 1994 08:49:37 +0000", LEN_STRLEN, false, 0,
	    "§5.6.7: no numeric zone" },
	{ "Sum, 06 Nov 1994 08:49:37 GMT", LEN_STRLEN, false, 0,
	    "misspelled day name" },
	{ "Sun, 06 Nvo 1994 08:49:37 GMT", LEN_STRLEN, false, 0,
	    "misspelled month" },
	{ "Sun, 6 Nov 1994 08:49:37 GMT", LEN_STRLEN, false, 0,
	    "§5.6.7: day = 2DIGIT" },
	{ "Sun, 06 Nov 94 08:49:37 GMT", LEN_STRLEN, false, 0,
	    "§5.6.7: IMF-fixdate year = 4DIGIT" },
	{ "Sun,06 Nov 1994 08:49:37 GMT", LEN_STRLEN, false, 0,
	    "no SP after the comma" },
	{ "Sun, 06  Nov 1994 08:49:37 GMT", LEN_STRLEN, false, 0,
	    "two SP" },
	{ "Sun, 06-Nov-1994 08:49:37 GMT", LEN_STRLEN, false, 0,
	    "'-' in an IMF-fixdate" },
	{ "Sun, 06 Nov 1994 08:49:37 GMT ", LEN_STRLEN, false, 0,
	    "cond.h: trailing bytes" },
	{ " Sun, 06 Nov 1994 08:49:37 GMT", LEN_STRLEN, false, 0,
	    "leading space" },
	{ "Sun, 06 Nov 1994 08:49:37 GMT, Sun, 06 Nov 1994 08:49:37 GMT",
	    LEN_STRLEN, false, 0, "§13.1.3: a list of dates is not a date" },
	{ "Sunday, 06 Nov 1994 08:49:37 GMT", LEN_STRLEN, false, 0,
	    "IMF-fixdate with the long day name" },
	{ "Sun, 06 Nov 1994 08:49:37 GMT", 28, false, 0,
	    "only len bytes are read: GM" },
	{ "Sun, 06 Nov 1994 08:49:37 GMTxyz", 29, true, T_1994,
	    "only len bytes are read: GMT" },
	{ "Sun, 06 Nov 1994 08:49:37 GM\0", 29, false, 0, "NUL inside" },
	{ "Sun, 0\xb6 Nov 1994 08:49:37 GMT", LEN_STRLEN, false, 0,
	    "a high byte for a digit" },

	/* rfc850-date. */
	{ "Sunday, 06-Nov-10 08:49:37 GMT", LEN_STRLEN, true,
	    (time_t)1289033377, "§5.6.7: rfc850 year 10 is 2010" },
	{ "Monday, 06-Nov-94 08:49:37 GMT", LEN_STRLEN, true, T_1994,
	    "rfc850: the weekday need not agree" },
	{ "Sun, 06-Nov-94 08:49:37 GMT", LEN_STRLEN, false, 0,
	    "§5.6.7: rfc850 takes day-name-l, not day-name" },
	{ "Sundy, 06-Nov-94 08:49:37 GMT", LEN_STRLEN, false, 0,
	    "rfc850: misspelled day name" },
	{ "sunday, 06-Nov-94 08:49:37 GMT", LEN_STRLEN, false, 0,
	    "§5.6.7: rfc850 case sensitive" },
	{ "Sunday, 06-Nov-1994 08:49:37 GMT", LEN_STRLEN, false, 0,
	    "§5.6.7: date2 = day \"-\" month \"-\" 2DIGIT" },
	{ "Sunday, 06 Nov 94 08:49:37 GMT", LEN_STRLEN, false, 0,
	    "rfc850 with SP for '-'" },
	{ "Sunday, 31-Nov-94 08:49:37 GMT", LEN_STRLEN, false, 0,
	    "rfc850: day 31 of November" },
	{ "Sunday, 06-Nov-94 08:49:37 GMT ", LEN_STRLEN, false, 0,
	    "rfc850: trailing SP" },
	{ "Sunday, 06-Nov-94 08:49:37", LEN_STRLEN, false, 0,
	    "rfc850: no GMT" },
	{ "Sunday 06-Nov-94 08:49:37 GMT", LEN_STRLEN, false, 0,
	    "rfc850: no comma" },
	{ "Sunday,", LEN_STRLEN, false, 0, "rfc850: cut after the comma" },

	/* asctime-date. */
	{ "Sun Nov 6 08:49:37 1994", LEN_STRLEN, false, 0,
	    "§5.6.7: asctime one-digit day needs its SP" },
	{ "Sun Nov  6 08:49:37 94", LEN_STRLEN, false, 0,
	    "§5.6.7: asctime year = 4DIGIT" },
	{ "Sun Nov  6 08:49:37 1994 GMT", LEN_STRLEN, false, 0,
	    "asctime has no zone" },
	{ "Sun Nov  0 08:49:37 1994", LEN_STRLEN, false, 0, "asctime day 0" },
	{ "Wed Feb 29 00:00:00 2023", LEN_STRLEN, false, 0,
	    "asctime: Feb 29 in a common year" },
	{ "Thu Feb 29 00:00:00 2024", LEN_STRLEN, true, (time_t)1709164800,
	    "asctime: Feb 29 in a leap year" },
	{ "Sun Nov  x 08:49:37 1994", LEN_STRLEN, false, 0,
	    "asctime: a letter for the day" },
	{ "Sunday Nov  6 08:49:37 1994", LEN_STRLEN, false, 0,
	    "asctime takes day-name, not day-name-l" },

	/* Nothing like a date. */
	{ "", LEN_STRLEN, false, 0, "empty" },
	{ "Sun", LEN_STRLEN, false, 0, "a day name alone" },
	{ "0", LEN_STRLEN, false, 0, "a number" },
	{ "784111777", LEN_STRLEN, false, 0, "seconds since the epoch" },
	{ "1994-11-06T08:49:37Z", LEN_STRLEN, false, 0, "ISO 8601" },
};

START_TEST(test_parse_date)
{
	const char *s = date_cases[_i].s, *note = date_cases[_i].note;
	size_t len = date_cases[_i].len == LEN_STRLEN ? strlen(s) :
	    date_cases[_i].len;
	char *copy = malloc(len > 0 ? len : 1);
	time_t t = (time_t)12345;
	bool ok;

	/* An exact-size copy, so that a sanitizer sees a read past len. */
	ck_assert(copy != NULL);
	memcpy(copy, s, len);
	ok = cond_parse_date(copy, len, &t);
	free(copy);
	ck_assert_msg(ok == date_cases[_i].ok, "%s: returned %d", note, ok);
	if (ok)
		ck_assert_msg(t == date_cases[_i].want, "%s: %lld, want %lld",
		    note, (long long)t, (long long)date_cases[_i].want);
}
END_TEST

START_TEST(test_parse_date_null)
{
	time_t t;

	ck_assert(!cond_parse_date(NULL, 0, &t));
}
END_TEST

/*
 * RFC 9110 §5.6.7: a two-digit year "that appears to be more than 50
 * years in the future" is "the most recent year in the past that had the
 * same last two digits".  Relative to today, so computed here.
 */
static time_t
jan1(int year)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mday = 1;
	return timegm(&tm);
}

START_TEST(test_rfc850_century)
{
	time_t now = time(NULL), t;
	struct tm tm;
	char buf[64];
	int year;

	gmtime_r(&now, &tm);
	year = tm.tm_year + 1900;

	snprintf(buf, sizeof(buf), "Monday, 01-Jan-%02d 00:00:00 GMT",
	    year % 100);
	ck_assert(cond_parse_date(buf, strlen(buf), &t));
	ck_assert_msg(t == jan1(year), "this year: %s -> %lld", buf,
	    (long long)t);

	snprintf(buf, sizeof(buf), "Monday, 01-Jan-%02d 00:00:00 GMT",
	    (year + 50) % 100);
	ck_assert(cond_parse_date(buf, strlen(buf), &t));
	ck_assert_msg(t == jan1(year + 50),
	    "50 years ahead is not more than 50: %s -> %lld", buf,
	    (long long)t);

	snprintf(buf, sizeof(buf), "Monday, 01-Jan-%02d 00:00:00 GMT",
	    (year + 51) % 100);
	ck_assert(cond_parse_date(buf, strlen(buf), &t));
	ck_assert_msg(t == jan1(year + 51 - 100),
	    "51 years ahead is the past century: %s -> %lld", buf,
	    (long long)t);

	snprintf(buf, sizeof(buf), "Monday, 01-Jan-%02d 00:00:00 GMT",
	    (year + 99) % 100);
	ck_assert(cond_parse_date(buf, strlen(buf), &t));
	ck_assert_msg(t == jan1(year - 1), "last year: %s -> %lld", buf,
	    (long long)t);
}
END_TEST

/* ------------------------------------------------------------------ */
/* cond_evaluate */

#define GET HTTP_METHOD_GET
#define HEAD HTTP_METHOD_HEAD
#define POST HTTP_METHOD_POST
#define PUT HTTP_METHOD_PUT
#define DELETE HTTP_METHOD_DELETE
#define OPTIONS HTTP_METHOD_OPTIONS

#define OK 0
#define NM HTTP_STATUS_NOT_MODIFIED
#define PF HTTP_STATUS_PRECONDITION_FAILED

/* The representation: tag "abc", last modified at T_1994. */
#define TAG "\"abc\""
#define D_EQ "Sun, 06 Nov 1994 08:49:37 GMT"
#define D_EQ_850 "Sunday, 06-Nov-94 08:49:37 GMT"
#define D_EQ_ASC "Sun Nov  6 08:49:37 1994"
#define D_BEFORE "Sun, 06 Nov 1994 08:49:36 GMT"
#define D_BEFORE_850 "Sunday, 06-Nov-94 08:49:36 GMT"
#define D_BEFORE_ASC "Sun Nov  6 08:49:36 1994"
#define D_AFTER "Sun, 06 Nov 1994 08:49:38 GMT"
#define D_BAD "Sun, 06 Nov 1994 25:49:37 GMT"

static const struct cond_validators v_main = { TAG, 5, T_1994 };

/* Field lines: up to four; an empty list means the field is absent. */
#define L(...) { __VA_ARGS__ }

static const struct {
	enum http_method method;
	const char *im[HTTP_LIST_LINES_MAX];	/* If-Match lines */
	const char *inm[HTTP_LIST_LINES_MAX];	/* If-None-Match lines */
	const char *ims;			/* If-Modified-Since */
	const char *ius;			/* If-Unmodified-Since */
	int want;
	const char *note;
} eval_cases[] = {
	{ GET, L(0), L(0), NULL, NULL, OK, "no preconditions" },
	{ POST, L(0), L(0), NULL, NULL, OK, "no preconditions, POST" },

	/* If-Match: RFC 9110 §13.1.1, strong comparison. */
	{ GET, L(TAG), L(0), NULL, NULL, OK,
	    "§13.1.1: If-Match with the current tag is true" },
	{ GET, L("\"xyz\""), L(0), NULL, NULL, PF,
	    "§13.2.2 step 1: If-Match false -> 412" },
	{ PUT, L("\"xyz\""), L(0), NULL, NULL, PF,
	    "§13.2.2 step 1: If-Match false -> 412 for PUT" },
	{ POST, L(TAG), L(0), NULL, NULL, OK,
	    "§13.1.1: If-Match true for POST" },
	{ GET, L("W/\"abc\""), L(0), NULL, NULL, PF,
	    "§13.1.1: If-Match uses the strong comparison, weak never "
	    "matches" },
	{ GET, L("*"), L(0), NULL, NULL, OK,
	    "§13.1.1: If-Match * is true for a current representation" },
	{ DELETE, L("*"), L(0), NULL, NULL, OK, "§13.1.1: If-Match *, DELETE" },
	{ GET, L("\"xyz\", \"abc\""), L(0), NULL, NULL, OK,
	    "§13.1.1: any listed tag matching is enough" },
	{ GET, L("\"x\", \"y\", \"z\""), L(0), NULL, NULL, PF,
	    "§13.1.1: none of three listed tags match" },
	{ GET, L("\"xyz\"", "\"abc\""), L(0), NULL, NULL, OK,
	    "§5.3: two field lines form one list; match in the second" },
	{ GET, L("\"a\"", "\"b\"", "\"c\"", "\"abc\""), L(0), NULL, NULL, OK,
	    "§5.3: match in the fourth line" },
	{ GET, L("\"a\"", "\"b\""), L(0), NULL, NULL, PF,
	    "§5.3: two lines, no match" },
	{ GET, L("\"abc\"  ,\t\"d\""), L(0), NULL, NULL, OK,
	    "§5.6.1: OWS around the comma" },
	{ GET, L(",\"abc\","), L(0), NULL, NULL, OK,
	    "§5.6.1.2: empty elements accepted" },
	{ GET, L("", "\"abc\""), L(0), NULL, NULL, OK,
	    "§5.6.1.2: an empty line is an empty element" },
	{ GET, L("\"\""), L(0), NULL, NULL, PF,
	    "§8.8.3: the empty opaque-tag is valid, but not ours" },
	{ GET, L("\"\xe9\", \"abc\""), L(0), NULL, NULL, OK,
	    "§8.8.3: etagc includes obs-text" },
	{ GET, L("\"!#~\", \"abc\""), L(0), NULL, NULL, OK,
	    "§8.8.3: etagc = %x21 / %x23-7E" },

	/* Invalid If-Match lists: false (cond.h). */
	{ GET, L("abc"), L(0), NULL, NULL, PF,
	    "§8.8.3: opaque-tag needs DQUOTEs; invalid -> false" },
	{ GET, L("\"abc\", garbage"), L(0), NULL, NULL, PF,
	    "invalid after a matching tag is still invalid" },
	{ GET, L("garbage, \"abc\""), L(0), NULL, NULL, PF,
	    "invalid before a matching tag" },
	{ GET, L("\"abc\"", "garbage"), L(0), NULL, NULL, PF,
	    "§5.3: an invalid second line invalidates the list" },
	{ GET, L(""), L(0), NULL, NULL, PF,
	    "cond.h: 1#entity-tag, an empty value is invalid" },
	{ GET, L(", ,"), L(0), NULL, NULL, PF,
	    "§5.6.1.2: only empty elements, none counted" },
	{ GET, L("*, \"abc\""), L(0), NULL, NULL, PF,
	    "§13.1.1: \"*\" / #entity-tag, not both" },
	{ GET, L("*", "\"abc\""), L(0), NULL, NULL, PF,
	    "§5.3: \"*\" and a tag in two lines are not both allowed" },
	{ GET, L("*", "*"), L(0), NULL, NULL, PF, "\"*\" twice" },
	{ GET, L("**"), L(0), NULL, NULL, PF, "\"**\"" },
	{ GET, L("\"a b\", \"abc\""), L(0), NULL, NULL, PF,
	    "§8.8.3: SP is not etagc" },
	{ GET, L("\"a\x7f\", \"abc\""), L(0), NULL, NULL, PF,
	    "§8.8.3: DEL is not etagc" },
	{ GET, L("\"a\x01\", \"abc\""), L(0), NULL, NULL, PF,
	    "§8.8.3: CTL is not etagc" },
	{ GET, L("\"abc"), L(0), NULL, NULL, PF, "unterminated opaque-tag" },
	{ GET, L("\"abc\"x"), L(0), NULL, NULL, PF,
	    "bytes after the closing DQUOTE" },
	{ GET, L("\"abc\" \"d\""), L(0), NULL, NULL, PF,
	    "§5.6.1: no comma between tags" },
	{ GET, L("w/\"abc\""), L(0), NULL, NULL, PF,
	    "§8.8.3: weak = %s\"W/\", case-sensitive" },
	{ GET, L("W\"abc\""), L(0), NULL, NULL, PF, "W without '/'" },

	/* If-Unmodified-Since: RFC 9110 §13.1.4, step 2. */
	{ GET, L(0), L(0), NULL, D_EQ, OK,
	    "§13.1.4: not modified since, true" },
	{ GET, L(0), L(0), NULL, D_AFTER, OK,
	    "§13.1.4: date after the modification, true" },
	{ GET, L(0), L(0), NULL, D_BEFORE, PF,
	    "§13.2.2 step 2: modified after the date -> 412" },
	{ PUT, L(0), L(0), NULL, D_BEFORE, PF,
	    "§13.2.2 step 2: 412 for PUT" },
	{ GET, L(0), L(0), NULL, D_BEFORE_850, PF,
	    "§5.6.7: If-Unmodified-Since in rfc850 format" },
	{ GET, L(0), L(0), NULL, D_BEFORE_ASC, PF,
	    "§5.6.7: If-Unmodified-Since in asctime format" },
	{ GET, L(0), L(0), NULL, D_BAD, OK,
	    "§13.1.4: an invalid date is ignored" },
	{ GET, L(0), L(0), NULL, D_BEFORE ", " D_BEFORE, OK,
	    "§13.1.4: a list of dates is ignored" },
	{ GET, L(0), L(0), NULL, "", OK, "§13.1.4: an empty value is ignored" },
	{ GET, L(TAG), L(0), NULL, D_BEFORE, OK,
	    "§13.1.4: If-Unmodified-Since ignored when If-Match present" },
	{ GET, L("*"), L(0), NULL, D_BEFORE, OK,
	    "§13.1.4: ignored when If-Match * present" },
	{ GET, L("\"xyz\""), L(0), NULL, D_AFTER, PF,
	    "§13.2.2: If-Match false, a true If-Unmodified-Since cannot save "
	    "it" },
	{ GET, L("garbage"), L(0), NULL, D_AFTER, PF,
	    "§13.1.4: ignored even when If-Match is invalid" },

	/* If-None-Match: RFC 9110 §13.1.2, weak comparison, step 3. */
	{ GET, L(0), L(TAG), NULL, NULL, NM,
	    "§13.2.2 step 3: If-None-Match false for GET -> 304" },
	{ HEAD, L(0), L(TAG), NULL, NULL, NM,
	    "§13.2.2 step 3: If-None-Match false for HEAD -> 304" },
	{ POST, L(0), L(TAG), NULL, NULL, PF,
	    "§13.2.2 step 3: If-None-Match false for POST -> 412" },
	{ DELETE, L(0), L(TAG), NULL, NULL, PF,
	    "§13.2.2 step 3: If-None-Match false for DELETE -> 412" },
	{ GET, L(0), L("W/\"abc\""), NULL, NULL, NM,
	    "§13.1.2: If-None-Match uses the weak comparison" },
	{ GET, L(0), L("\"xyz\""), NULL, NULL, OK,
	    "§13.1.2: no listed tag matches, true" },
	{ GET, L(0), L("W/\"xyz\""), NULL, NULL, OK,
	    "§13.1.2: a weak tag that does not match" },
	{ GET, L(0), L("*"), NULL, NULL, NM,
	    "§13.1.2: * is false when a representation exists -> 304" },
	{ PUT, L(0), L("*"), NULL, NULL, PF,
	    "§13.1.2: If-None-Match * for PUT -> 412" },
	{ GET, L(0), L("\"xyz\", W/\"abc\""), NULL, NULL, NM,
	    "§13.1.2: second listed tag matches weakly" },
	{ GET, L(0), L("\"x\"", "\"abc\""), NULL, NULL, NM,
	    "§5.3: If-None-Match over two lines" },
	{ GET, L(0), L("\"\xe9\", \"abc\""), NULL, NULL, NM,
	    "§8.8.3: obs-text in If-None-Match" },
	{ GET, L(0), L("abc"), NULL, NULL, OK,
	    "cond.h: an invalid If-None-Match is ignored" },
	{ POST, L(0), L("abc"), NULL, NULL, OK,
	    "cond.h: an invalid If-None-Match is ignored, POST" },
	{ GET, L(0), L("\"abc\", garbage"), NULL, NULL, OK,
	    "invalid after a match: the whole list is ignored" },
	{ GET, L(0), L("*, \"abc\""), NULL, NULL, OK,
	    "\"*\" and a tag: invalid, ignored" },
	{ GET, L(0), L(""), NULL, NULL, OK,
	    "an empty If-None-Match is ignored" },

	/* If-Modified-Since: RFC 9110 §13.1.3, step 4. */
	{ GET, L(0), L(0), D_EQ, NULL, NM,
	    "§13.2.2 step 4: not modified since -> 304" },
	{ HEAD, L(0), L(0), D_EQ, NULL, NM,
	    "§13.2.2 step 4: HEAD not modified since -> 304" },
	{ GET, L(0), L(0), D_AFTER, NULL, NM,
	    "§13.1.3: a date after the modification -> 304" },
	{ GET, L(0), L(0), D_BEFORE, NULL, OK,
	    "§13.1.3: modified after the date, true" },
	{ GET, L(0), L(0), D_EQ_850, NULL, NM,
	    "§5.6.7: If-Modified-Since in rfc850 format" },
	{ GET, L(0), L(0), D_EQ_ASC, NULL, NM,
	    "§5.6.7: If-Modified-Since in asctime format" },
	{ POST, L(0), L(0), D_EQ, NULL, OK,
	    "§13.1.3: ignored when the method is neither GET nor HEAD" },
	{ PUT, L(0), L(0), D_AFTER, NULL, OK,
	    "§13.1.3: ignored for PUT" },
	{ OPTIONS, L(0), L(0), D_EQ, NULL, OK,
	    "§13.1.3: ignored for OPTIONS" },
	{ GET, L(0), L(0), D_BAD, NULL, OK,
	    "§13.1.3: an invalid date is ignored" },
	{ GET, L(0), L(0), D_EQ ", " D_EQ, NULL, OK,
	    "§13.1.3: more than one member is ignored" },
	{ GET, L(0), L(0), "", NULL, OK, "§13.1.3: an empty value is ignored" },
	{ GET, L(0), L("\"xyz\""), D_EQ, NULL, OK,
	    "§13.1.3: ignored when If-None-Match present" },
	{ GET, L(0), L("garbage"), D_EQ, NULL, OK,
	    "§13.1.3: ignored when If-None-Match present, even invalid" },

	/* Precedence: RFC 9110 §13.2.2. */
	{ GET, L("\"xyz\""), L(TAG), NULL, NULL, PF,
	    "§13.2.2: If-Match false beats If-None-Match (412, not 304)" },
	{ GET, L("\"xyz\""), L(0), D_EQ, NULL, PF,
	    "§13.2.2: If-Match false beats If-Modified-Since" },
	{ GET, L(TAG), L(TAG), NULL, NULL, NM,
	    "§13.2.2: If-Match true, then If-None-Match false -> 304" },
	{ POST, L(TAG), L(TAG), NULL, NULL, PF,
	    "§13.2.2: If-Match true, If-None-Match false, POST -> 412" },
	{ GET, L(TAG), L(0), D_EQ, NULL, NM,
	    "§13.2.2: If-Match true, then If-Modified-Since -> 304" },
	{ GET, L(0), L(TAG), NULL, D_BEFORE, PF,
	    "§13.2.2: If-Unmodified-Since false beats If-None-Match" },
	{ GET, L(0), L(0), D_EQ, D_BEFORE, PF,
	    "§13.2.2: If-Unmodified-Since false beats If-Modified-Since" },
	{ GET, L(0), L(0), D_EQ, D_EQ, NM,
	    "§13.2.2: If-Unmodified-Since true, If-Modified-Since false" },
	{ GET, L(0), L("\"xyz\""), D_BEFORE, D_AFTER, OK,
	    "§13.2.2: every condition true" },
	{ GET, L("*"), L("*"), NULL, NULL, NM,
	    "§13.2.2: If-Match * true, If-None-Match * false -> 304" },
};

static void
fill_list(struct http_field_list *f, const char *const *lines)
{
	f->n = 0;
	for (unsigned i = 0; i < HTTP_LIST_LINES_MAX && lines[i] != NULL; i++) {
		f->line[i].p = lines[i];
		f->line[i].len = strlen(lines[i]);
		f->n = i + 1;
	}
}

static struct http_slice
slice_of(const char *s)
{
	struct http_slice sl = { s, s != NULL ? strlen(s) : 0 };

	return sl;
}

START_TEST(test_evaluate)
{
	struct http_request req;
	int got;

	memset(&req, 0, sizeof(req));
	req.method = eval_cases[_i].method;
	fill_list(&req.if_match, eval_cases[_i].im);
	fill_list(&req.if_none_match, eval_cases[_i].inm);
	req.if_modified_since = slice_of(eval_cases[_i].ims);
	req.if_unmodified_since = slice_of(eval_cases[_i].ius);
	got = cond_evaluate(&req, &v_main);
	ck_assert_msg(got == eval_cases[_i].want, "%s: %d, want %d",
	    eval_cases[_i].note, got, eval_cases[_i].want);
}
END_TEST

/* A representation without an entity tag: only "*" matches. */
START_TEST(test_evaluate_no_etag)
{
	static const struct cond_validators v = { NULL, 0, T_1994 };
	struct http_request req;

	memset(&req, 0, sizeof(req));
	req.method = GET;
	fill_list(&req.if_match, (const char *const[]){ "*", NULL });
	ck_assert_int_eq(cond_evaluate(&req, &v), OK);
	fill_list(&req.if_match, (const char *const[]){ TAG, NULL });
	ck_assert_int_eq(cond_evaluate(&req, &v), PF);
	fill_list(&req.if_match, (const char *const[]){ NULL });
	fill_list(&req.if_none_match, (const char *const[]){ TAG, NULL });
	ck_assert_int_eq(cond_evaluate(&req, &v), OK);
	fill_list(&req.if_none_match, (const char *const[]){ "*", NULL });
	ck_assert_int_eq(cond_evaluate(&req, &v), NM);
}
END_TEST

/* Lines are read only up to their len. */
START_TEST(test_evaluate_line_len)
{
	struct http_request req;

	memset(&req, 0, sizeof(req));
	req.method = GET;
	req.if_match.n = 1;
	req.if_match.line[0].p = "\"abc\"garbage";
	req.if_match.line[0].len = 5;
	ck_assert_int_eq(cond_evaluate(&req, &v_main), OK);
	req.if_match.line[0].len = 4;
	ck_assert_int_eq(cond_evaluate(&req, &v_main), PF);
}
END_TEST

/* ------------------------------------------------------------------ */
/* cond_if_range */

static const struct {
	const char *if_range;		/* NULL: absent */
	bool want;
	const char *note;
} if_range_cases[] = {
	{ NULL, true, "§13.1.5: without If-Range the Range applies" },
	{ TAG, true, "§13.1.5: the tag matches by the strong comparison" },
	{ "\"xyz\"", false, "§13.1.5: another tag" },
	{ "W/\"abc\"", false,
	    "§13.1.5: a weak tag never matches the strong comparison" },
	{ D_EQ, true, "§13.1.5: the date exactly matches Last-Modified" },
	{ D_BEFORE, false, "§13.1.5: an earlier date" },
	{ D_AFTER, false, "§13.1.5: a later date is no exact match" },
	{ D_EQ_850, true, "§5.6.7: If-Range date in rfc850 format" },
	{ D_EQ_ASC, true, "§5.6.7: If-Range date in asctime format" },
	{ "Wed, 06 Nov 1994 08:49:37 GMT", true,
	    "a date on \"Wed\" starts with W but is no weak tag" },
	{ "Wednesday, 06-Nov-94 08:49:37 GMT", true,
	    "an rfc850 date on Wednesday" },
	{ D_BAD, false, "an invalid date" },
	{ "garbage", false, "§13.1.5: neither entity-tag nor HTTP-date" },
	{ "", false, "an empty If-Range" },
	{ "*", false, "\"*\" is not allowed in If-Range" },
	{ "\"abc\"x", false, "bytes after the tag" },
	{ "\"abc\", \"abc\"", false, "§13.1.5: a list is no entity-tag" },
	{ "\"abc", false, "unterminated tag" },
	{ "W/", false, "W/ alone" },
	{ "abc", false, "a tag without quotes" },
};

START_TEST(test_if_range)
{
	struct http_request req;
	bool got;

	memset(&req, 0, sizeof(req));
	req.method = GET;
	req.range = slice_of("bytes=0-0");
	req.if_range = slice_of(if_range_cases[_i].if_range);
	got = cond_if_range(&req, &v_main);
	ck_assert_msg(got == if_range_cases[_i].want, "%s: %d",
	    if_range_cases[_i].note, got);
}
END_TEST

START_TEST(test_if_range_no_etag)
{
	static const struct cond_validators v = { NULL, 0, T_1994 };
	struct http_request req;

	memset(&req, 0, sizeof(req));
	req.if_range = slice_of(TAG);
	ck_assert(!cond_if_range(&req, &v));
	req.if_range = slice_of(D_EQ);
	ck_assert(cond_if_range(&req, &v));
}
END_TEST

static Suite *
cond_suite(void)
{
	Suite *s = suite_create("cond");
	TCase *tc;

	tc = tcase_create("etag");
	tcase_add_loop_test(tc, test_etag, 0, ROWS(etag_cases));
	tcase_add_test(tc, test_etag_changes);
	suite_add_tcase(s, tc);

	tc = tcase_create("date");
	tcase_add_loop_test(tc, test_parse_date, 0, ROWS(date_cases));
	tcase_add_test(tc, test_parse_date_null);
	tcase_add_test(tc, test_rfc850_century);
	suite_add_tcase(s, tc);

	tc = tcase_create("evaluate");
	tcase_add_loop_test(tc, test_evaluate, 0, ROWS(eval_cases));
	tcase_add_test(tc, test_evaluate_no_etag);
	tcase_add_test(tc, test_evaluate_line_len);
	suite_add_tcase(s, tc);

	tc = tcase_create("if_range");
	tcase_add_loop_test(tc, test_if_range, 0, ROWS(if_range_cases));
	tcase_add_test(tc, test_if_range_no_etag);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(cond_suite());
}
