/* SPDX-License-Identifier: BSD-2-Clause */
#include "autoconf.h"
/*
 * fuzz_auth_file.c - libFuzzer target for auth_parse(), the reader of an
 * htpasswd file.  The input is the file, in a buffer of its exact size.
 *
 * Besides the sanitizers' findings it aborts when the contract in auth.h
 * breaks: a refusal whose message does not begin with the file's name,
 * or names a line the file does not have; an accepted file with more
 * users than lines, or one that a line end added, or a comment line put
 * first, changes (refused, or another count of users).  No credentials
 * are checked: crypt(3) of a bcrypt hash costs milliseconds.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined \
 *       -fno-sanitize-recover=undefined -I. -Isrc \
 *       tests/fuzz/fuzz_auth_file.c src/auth.c -lcrypt -o fuzz_auth_file
 *   ./fuzz_auth_file -max_total_time=60 tests/fuzz/corpus/fuzz_auth_file
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_NAME "f"

/* err is "f: ..." or "f:LINE: ..." with 1 <= LINE <= lines. */
static void
fuzz_check_err(const char *err, size_t lines)
{
	unsigned long line;
	char *end;

	if (strncmp(err, FUZZ_NAME ":", 2) != 0)
		abort();
	if (err[2] == ' ')
		return;
	line = strtoul(err + 2, &end, 10);
	if (line < 1 || line > lines || strncmp(end, ": ", 2) != 0)
		abort();
}

/* The same users, or the same refusal, for text with extra around it. */
static void
fuzz_check_variant(const char *pre, const uint8_t *data, size_t size,
    const char *post, bool ok, size_t users)
{
	size_t pl = strlen(pre), ql = strlen(post);
	char *t = malloc(pl + size + ql + 1), err[256];
	struct auth_file *f;

	if (t == NULL)
		return;
	memcpy(t, pre, pl);
	memcpy(t + pl, data, size);
	memcpy(t + pl + size, post, ql);
	f = auth_parse(FUZZ_NAME, t, pl + size + ql, err, sizeof(err));
	if ((f != NULL) != ok || (f != NULL && auth_users(f) != users))
		abort();
	auth_free(f);
	free(t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size > 0 ? size : 1), err[256];
	struct auth_file *f;
	size_t lines = 1, users = 0;
	bool ok;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	for (size_t i = 0; i < size; i++)
		lines += text[i] == '\n';
	err[0] = '\0';
	f = auth_parse(FUZZ_NAME, text, size, err, sizeof(err));
	ok = f != NULL;
	if (!ok)
		fuzz_check_err(err, lines);
	else if ((users = auth_users(f)) > lines)
		abort();
	auth_free(f);
	free(text);
	/* Whole lines only: a partial last line could join the new end. */
	if (size + 2 <= AUTH_FILE_MAX &&
	    (size == 0 || data[size - 1] == '\n')) {
		fuzz_check_variant("", data, size, "\n", ok, users);
		fuzz_check_variant("#\n", data, size, "", ok, users);
	}
	return 0;
}
