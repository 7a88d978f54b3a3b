/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * listing.h - the HTML index of a directory, for directories without an
 * index file when `directory-listing` is on.  Names are sorted (bytes,
 * as strcmp), directories first, each with a trailing '/'; names
 * starting with '.' are not shown.  Every name is escaped twice over: as
 * HTML in the text and percent-encoded in the link.  Each row gives the
 * size and the modification time (UTC).
 *
 * The memory is the worker's, allocated once by listing_init(), never on
 * the request path.  A directory with more entries than fit is listed in
 * part, and the page says so.
 */
#ifndef FORKHTTPD_LISTING_H
#define FORKHTTPD_LISTING_H

#include <stddef.h>

/* Sizes of the worker's buffers: the page, and the names while sorting. */
#define LISTING_PAGE_MAX (1024 * 1024)
#define LISTING_ENTRIES_MAX 10000

/* Allocates the buffers (once; again is a no-op).  0, or -1 on ENOMEM. */
int listing_init(void);

/*
 * Lists the directory open as dir_fd (any open fd of it; the function
 * reads it through its own descriptor and leaves dir_fd's offset alone).
 * url_path is the request path as sent (percent-encoded, ending in '/'),
 * shown HTML-escaped in the title.  On success returns 0 and points *page
 * and *len at the page in the worker's buffer (valid until the next
 * call); on failure returns an HTTP status (403 if the directory cannot
 * be read, 500 otherwise).
 */
int listing_format(int dir_fd, const char *url_path, size_t url_len,
    const char **page, size_t *len);

#endif
