/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * util.c - bounded number parsing, edit distance, /proc/PID/stat and
 * start-up allocators.
 */
#include "autoconf.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

bool
util_parse_u64(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9')
			return false;
		d = (unsigned)(s[i] - '0');
		if (d > max || v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

/*
 * The optimal string alignment distance (Damerau-Levenshtein with each
 * substring edited once): three rows of the usual table, since a swap
 * looks two rows back.  Bounded, so it needs no allocation.
 */
size_t
util_edit_distance(const char *a, const char *b)
{
	size_t rows[3][UTIL_EDIT_MAX + 1];
	size_t la = strlen(a), lb = strlen(b);
	size_t *prev2 = rows[0], *prev = rows[1], *cur = rows[2], *t;

	if (la > UTIL_EDIT_MAX || lb > UTIL_EDIT_MAX)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t d = prev[j - 1] + cost;

			if (prev[j] + 1 < d)
				d = prev[j] + 1;
			if (cur[j - 1] + 1 < d)
				d = cur[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && prev2[j - 2] + 1 < d)
				d = prev2[j - 2] + 1;
			cur[j] = d;
		}
		t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	return prev[lb];
}

size_t
util_strlcpy(char *dst, const char *src, size_t cap)
{
	size_t n = strlen(src);

	if (cap > 0) {
		size_t k = n < cap - 1 ? n : cap - 1;

		memcpy(dst, src, k);
		dst[k] = '\0';
	}
	return n;
}

static void
util_out_of_memory(size_t size)
{
	/* Start-up code only: there is nothing sensible to do but stop. */
	log_error("out of memory (%zu bytes)", size);
	exit(1);
}

void *
util_xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (p == NULL)
		util_out_of_memory(size);
	return p;
}

void *
util_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		util_out_of_memory(n * size);
	return p;
}

char *
util_xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		util_out_of_memory(strlen(s) + 1);
	return p;
}

/* "pid (comm) S ppid ...": comm may hold spaces and parentheses. */
bool
util_proc_stat(pid_t pid, char *state, pid_t *ppid)
{
	char path[64], buf[1024];
	ssize_t n;
	char *p;
	int fd;
	long pp;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (p == NULL || sscanf(p + 1, " %c %ld", state, &pp) != 2)
		return false;
	*ppid = (pid_t)pp;
	return true;
}
