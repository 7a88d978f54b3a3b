/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mime.h - file name extension -> media type.  The table comes from the
 * system's mime.types file (Debian's media-types package installs
 * /etc/mime.types), loaded once at start-up before the workers fork, with
 * a small built-in table underneath for when that file is missing.
 */
#ifndef FORKHTTPD_MIME_H
#define FORKHTTPD_MIME_H

#include <stddef.h>

/* The type for names with no known extension. */
#define MIME_DEFAULT_TYPE "application/octet-stream"

/*
 * Loads path (mime.types format: "type ext ext ..." per line, '#'
 * comments) on top of the built-in table, replacing any table loaded
 * before.  path NULL loads the built-in table alone.  Returns the number
 * of extensions known, or -1 with a message in err if the file cannot be
 * read (the previous table is kept then).
 */
int mime_load(const char *path, char *err, size_t errlen);

/*
 * The media type for a file name (only the part after the last '.' of the
 * last path segment matters, compared without case), or MIME_DEFAULT_TYPE.
 * The returned string lives until the next mime_load().
 */
const char *mime_type(const char *name, size_t len);

/* Frees the loaded table (tests, leak checkers). */
void mime_free(void);

#endif
