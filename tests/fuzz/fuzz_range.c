/* SPDX-License-Identifier: BSD-2-Clause */
#include "autoconf.h"
/*
 * fuzz_range.c - libFuzzer target for range_parse() and the
 * multipart/byteranges framing.  The first byte picks the size of the
 * representation (bit 0 set: the next 8 bytes, little-endian, else the
 * next byte alone, so that small sizes come often); the rest is the Range
 * value.  Besides the sanitizers' findings, it aborts when the contract
 * breaks: a result out of the enum, ranges unsorted, overlapping,
 * touching or past the end, more than RANGE_SPECS_MAX of them, a
 * multipart length other than the formatted parts add up to, a result
 * that changes with the case of "bytes" or with an empty list element
 * appended (RFC 9110 §5.6.1.2).
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined \
 *       -fno-sanitize-recover=undefined -I. -Isrc \
 *       tests/fuzz/fuzz_range.c src/range.c -o fuzz_range
 *   ./fuzz_range -max_total_time=60 tests/fuzz/corpus/fuzz_range
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "range.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The checks of a satisfiable set; aborts on a broken one. */
static void
fuzz_check_set(const struct range_set *set, uint64_t size)
{
	if (set->n < 1 || set->n > RANGE_SPECS_MAX)
		abort();
	for (unsigned i = 0; i < set->n; i++) {
		if (set->r[i].first > set->r[i].last || set->r[i].last >= size)
			abort();
		/* Sorted, and neither overlapping nor touching. */
		if (i > 0 && set->r[i - 1].last + 1 >= set->r[i].first)
			abort();
	}
}

/* range_multipart_length() is the sum of what the formatters write. */
static void
fuzz_check_length(const struct range_set *set, uint64_t size,
    const char *type)
{
	static const char boundary[] = "0123456789abcdef";
	char buf[RANGE_PART_HEADER_MAX];
	uint64_t sum = 0;
	size_t k;

	for (unsigned i = 0; i < set->n; i++) {
		k = range_part_header(set, i, boundary, type, size, buf,
		    sizeof(buf));
		if (k == 0 || k >= sizeof(buf))
			abort();
		/* Every part after the first begins with its own CRLF. */
		if ((i == 0) != (buf[0] == '-'))
			abort();
		sum += k + (set->r[i].last - set->r[i].first + 1);
	}
	k = range_multipart_trailer(boundary, buf, sizeof(buf));
	if (k == 0)
		abort();
	sum += k;
	if (range_multipart_length(set, boundary, type, size) != sum)
		abort();
	if (range_part_header(set, set->n, boundary, type, size, buf,
	    sizeof(buf)) != 0)
		abort();
}

static bool
fuzz_same(enum range_result ra, const struct range_set *a,
    enum range_result rb, const struct range_set *b)
{
	if (ra != rb)
		return false;
	if (ra != RANGE_SATISFIABLE)
		return true;
	return a->n == b->n &&
	    memcmp(a->r, b->r, a->n * sizeof(a->r[0])) == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct range_set set, set2;
	enum range_result res, res2;
	uint64_t rsize = 0;
	size_t skip, len;
	char *buf, *alt;

	if (size < 1)
		return 0;
	if (data[0] & 1) {
		if (size < 9)
			return 0;
		for (int i = 8; i >= 1; i--)
			rsize = rsize << 8 | data[i];
		skip = 9;
	} else {
		if (size < 2)
			return 0;
		rsize = data[1];
		skip = 2;
	}
	len = size - skip;

	/* An exact-size copy, so that ASan sees any read past the end. */
	buf = malloc(len > 0 ? len : 1);
	alt = malloc(len + 2);
	if (buf == NULL || alt == NULL)
		abort();
	memcpy(buf, data + skip, len);

	res = range_parse(buf, len, rsize, &set);
	switch (res) {
	case RANGE_SATISFIABLE:
		fuzz_check_set(&set, rsize);
		fuzz_check_length(&set, rsize, "text/plain; charset=utf-8");
		fuzz_check_length(&set, rsize, NULL);
		break;
	case RANGE_IGNORE:
	case RANGE_UNSATISFIABLE:
		break;
	default:
		abort();
	}
	/* Satisfiable needs a byte to serve. */
	if (rsize == 0 && res == RANGE_SATISFIABLE)
		abort();

	/* Deterministic: the same input, the same answer. */
	res2 = range_parse(buf, len, rsize, &set2);
	if (!fuzz_same(res, &set, res2, &set2))
		abort();

	/* RFC 9110 §14.1: the unit is case-insensitive. */
	if (len >= 6 && strncasecmp(buf, "bytes=", 6) == 0) {
		memcpy(alt, buf, len);
		for (int i = 0; i < 5; i++)
			alt[i] = (char)(alt[i] ^ 0x20);
		res2 = range_parse(alt, len, rsize, &set2);
		if (!fuzz_same(res, &set, res2, &set2))
			abort();
	}

	/*
	 * RFC 9110 §5.6.1.2: an empty element does not count, so ",", or
	 * ", " after the list, changes nothing once there is a list (after
	 * "=", and not after a trailing CR or other junk that is an error
	 * either way).
	 */
	if (len >= 6 && strncasecmp(buf, "bytes=", 6) == 0) {
		memcpy(alt, buf, len);
		alt[len] = ',';
		alt[len + 1] = ' ';
		res2 = range_parse(alt, len + 1, rsize, &set2);
		if (!fuzz_same(res, &set, res2, &set2))
			abort();
		res2 = range_parse(alt, len + 2, rsize, &set2);
		if (!fuzz_same(res, &set, res2, &set2))
			abort();
	}
	free(alt);
	free(buf);
	return 0;
}
