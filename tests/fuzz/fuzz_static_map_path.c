/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_static_map_path.c - libFuzzer target for static_map_path(): any
 * path it accepts must come out as segments that cannot leave the root.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -Isrc \
 *       tests/fuzz/fuzz_static_map_path.c src/static.c src/mime.c src/util.c \
 *       src/log.c src/http.c -o fuzz_map && ./fuzz_map -max_total_time=120
 */
#include "autoconf.h"

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "static.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Checks each '/'-separated segment of out; aborts on a bad one. */
static void
check_segments(const char *out, size_t len)
{
	size_t s = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i < len && out[i] != '/')
			continue;
		/* Empty ("//", leading or trailing '/'), "." and "..". */
		if (i - s == 0)
			abort();
		if (i - s == 1 && out[s] == '.')
			abort();
		if (i - s == 2 && out[s] == '.' && out[s + 1] == '.')
			abort();
		s = i + 1;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char out[PATH_MAX], again[PATH_MAX + 1], back[PATH_MAX];
	/* A small buffer too, to exercise the 414 edge. */
	char small[16];
	bool dir_form, dir_again;
	size_t len;
	int status;

	status = static_map_path((const char *)data, size, out, sizeof(out),
	    &dir_form);
	if (status != 0 && status != 400 && status != 414)
		abort();
	if (static_map_path((const char *)data, size, small, sizeof(small),
	    &dir_again) == 0 && (status != 0 || strcmp(small, out) != 0))
		abort();
	if (status != 0)
		return 0;
	/* No NUL gets through, raw or as %00. */
	if (memchr(data, '\0', size) != NULL ||
	    memmem(data, size, "%00", 3) != NULL)
		abort();
	if (data[size - 1] == '/' && !dir_form)
		abort();

	len = strlen(out);
	/* Decoding and resolving only ever shorten the input. */
	if (len >= sizeof(out) || len > size)
		abort();
	if (len > 0) {
		check_segments(out, len);
		if (out[0] == '/' || strstr(out, "//") != NULL)
			abort();
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)out[i];

		if (c == '\0' || c == '\\' || c < 0x20 || c == 0x7f)
			abort();
	}

	/*
	 * Mapping the result again, as a path, gives it back when no '%'
	 * could be decoded twice.
	 */
	if (memchr(out, '%', len) == NULL) {
		again[0] = '/';
		memcpy(again + 1, out, len);
		if (static_map_path(again, len + 1, back, sizeof(back),
		    &dir_again) != 0 || strcmp(back, out) != 0)
			abort();
		if (dir_again != (len == 0))
			abort();
	}
	return 0;
}
