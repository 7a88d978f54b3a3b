/* SPDX-License-Identifier: BSD-2-Clause */
#include "autoconf.h"
/*
 * fuzz_config.c - libFuzzer target for config_load_buf(): the scan that
 * blanks comments and finds strings, comments, lists and sections left
 * open, then libconfuse and every check.  The input is conf text (cut at
 * its first NUL, as config_read_file() refuses NULs); relative paths
 * resolve against a directory that does not exist, so no check reaches
 * a real file by accident.
 *
 * Besides the sanitizers' findings it aborts when the contract in
 * config.h breaks: a failed load without a message, a message that is
 * not one line (a string must end on its line, so not even a quoted
 * value can bring a newline in), does not name the text, or is not
 * terminated within the buffer; a message after a successful load; a
 * snapshot without a listener or a document root.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined \
 *       -fno-sanitize-recover=undefined -I. -Isrc \
 *       tests/fuzz/fuzz_config.c src/config.c src/util.c src/log.c \
 *       -lconfuse -o fuzz_config
 *   ./fuzz_config -max_total_time=60 tests/fuzz/corpus/fuzz_config
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	char *text = malloc(size + 1);
	struct config *c;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	memset(err, 'X', sizeof(err));
	c = config_load_buf(text, "f.conf", "/nonexistent-fuzz-base", err,
	    sizeof(err));
	if (memchr(err, '\0', sizeof(err)) == NULL)
		abort();
	if (c == NULL) {
		if (err[0] == '\0' || strncmp(err, "f.conf", 6) != 0 ||
		    strchr(err, '\n') != NULL)
			abort();
	} else {
		if (err[0] != '\0' || c->nlisten == 0 ||
		    c->document_root == NULL)
			abort();
		config_free(c);
	}
	free(text);
	return 0;
}
