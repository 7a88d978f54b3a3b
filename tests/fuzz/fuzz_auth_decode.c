/* SPDX-License-Identifier: BSD-2-Clause */
#include "autoconf.h"
/*
 * fuzz_auth_decode.c - libFuzzer target for auth_decode(), the reader of
 * an Authorization field value of the Basic scheme.  The input is the
 * value, in a buffer of its exact size so that ASan sees a read past it.
 *
 * Besides the sanitizers' findings it aborts when the contract in auth.h
 * breaks: accepted credentials whose user-id holds ':', or whose user-id
 * or password holds a control byte or does not end inside the buffer;
 * accepted input longer than AUTH_VALUE_MAX; a result that changes with
 * the case of the scheme (RFC 9110 §11.1); and accepted credentials that
 * do not encode back to the very token they came from (strict base64
 * has one spelling of each byte string).
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined \
 *       -fno-sanitize-recover=undefined -I. -Isrc \
 *       tests/fuzz/fuzz_auth_decode.c src/auth.c -lcrypt \
 *       -o fuzz_auth_decode
 *   ./fuzz_auth_decode -max_total_time=60 tests/fuzz/corpus/fuzz_auth_decode
 */
#include <ctype.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* base64 (RFC 4648 §4) of s[0..len) into out; returns its length. */
static size_t
fuzz_b64(const unsigned char *s, size_t len, char *out)
{
	static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t k = 0;

	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned)s[i] << 16;

		if (i + 1 < len)
			v |= (unsigned)s[i + 1] << 8;
		if (i + 2 < len)
			v |= s[i + 2];
		out[k++] = al[v >> 18 & 63];
		out[k++] = al[v >> 12 & 63];
		out[k++] = i + 1 < len ? al[v >> 6 & 63] : '=';
		out[k++] = i + 2 < len ? al[v & 63] : '=';
	}
	return k;
}

static void
fuzz_check_string(const struct auth_credentials *c, const char *s)
{
	if (s < c->buf || s >= c->buf + sizeof(c->buf))
		abort();
	for (; *s != '\0'; s++) {
		if (s >= c->buf + sizeof(c->buf) - 1)
			abort();
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			abort();
	}
}

/* The credentials encode back to value's token. */
static void
fuzz_check_roundtrip(const struct auth_credentials *c, const char *value,
    size_t len)
{
	unsigned char cred[AUTH_CRED_MAX + 2];
	char tok[AUTH_TOKEN_MAX + 8];
	size_t ul = strlen(c->user), pl = strlen(c->password), i = 5, n;

	if (ul + 1 + pl > AUTH_CRED_MAX)
		abort();
	memcpy(cred, c->user, ul);
	cred[ul] = ':';
	memcpy(cred + ul + 1, c->password, pl);
	n = fuzz_b64(cred, ul + 1 + pl, tok);
	while (i < len && value[i] == ' ')
		i++;
	if (len - i != n || memcmp(value + i, tok, n) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct auth_credentials c, c2;
	char *value = malloc(size > 0 ? size : 1);
	bool ok, ok2;

	if (value == NULL)
		return 0;
	memcpy(value, data, size);
	ok = auth_decode(value, size, &c);
	if (ok) {
		if (size > AUTH_VALUE_MAX || strchr(c.user, ':') != NULL)
			abort();
		fuzz_check_string(&c, c.user);
		fuzz_check_string(&c, c.password);
		fuzz_check_roundtrip(&c, value, size);
	}
	/* The scheme's case does not matter. */
	for (size_t i = 0; i < size && i < 5; i++)
		value[i] = (char)(isupper((unsigned char)value[i]) ?
		    tolower((unsigned char)value[i]) :
		    toupper((unsigned char)value[i]));
	ok2 = auth_decode(value, size, &c2);
	if (ok2 != ok || (ok && (strcmp(c.user, c2.user) != 0 ||
	    strcmp(c.password, c2.password) != 0)))
		abort();
	free(value);
	return 0;
}
