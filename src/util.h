/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * util.h - small helpers used everywhere: bounded number parsing and the
 * allocators for start-up code, which die instead of returning NULL.
 * Nothing here allocates on the request path.
 */
#ifndef FORKHTTPD_UTIL_H
#define FORKHTTPD_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define UTIL_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Parses s[0..len) as a decimal number made only of digits (no sign, no
 * spaces, at least one digit) that is at most max.  Returns false on any
 * other input or overflow.
 */
bool util_parse_u64(const char *s, size_t len, uint64_t max, uint64_t *out);

/* The value of a hexadecimal digit (either case, RFC 5234 HEXDIG), or -1.
 * Inline, so that the pure modules can use it without linking util.c. */
static inline int
util_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * The edit distance between a and b: the fewest insertions, deletions,
 * substitutions and swaps of two neighbouring characters that turn one
 * into the other ("worker" -> "workers" is 1, "wokrers" -> "workers" 1).
 * For suggesting a known name for a misspelt one; strings longer than
 * UTIL_EDIT_MAX give SIZE_MAX.
 */
#define UTIL_EDIT_MAX 64
size_t util_edit_distance(const char *a, const char *b);

/* Copies src into dst (cap bytes), always terminated; returns strlen(src). */
size_t util_strlcpy(char *dst, const char *src, size_t cap);

/*
 * Reads /proc/PID/stat (Linux): the state letter ('R', 'S', 'Z', ...)
 * and the parent's pid.  False if there is no such process or no /proc.
 */
bool util_proc_stat(pid_t pid, char *state, pid_t *ppid);

/* Start-up only: these print and exit(1) when memory runs out. */
void *util_xmalloc(size_t size);
void *util_xcalloc(size_t n, size_t size);
char *util_xstrdup(const char *s);

#endif
