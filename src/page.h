/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * page.h - a page written into a fixed buffer, as the status page and
 * the metrics page are: appends that stop, and say so, when the buffer
 * is full, so that a page either fits whole or is known not to.
 */
#ifndef FORKHTTPD_PAGE_H
#define FORKHTTPD_PAGE_H

#include <stdbool.h>
#include <stddef.h>

struct page {
	char *buf;
	size_t len;			/* bytes written; buf[len] is NUL */
	size_t cap;			/* of buf, the NUL included */
	bool full;			/* an append did not fit: the page is
					 * cut, and nothing more goes in */
};

/* Appends printf(fmt, ...), whole or not at all. */
void page_printf(struct page *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Appends the n bytes of p, whole or not at all. */
void page_put(struct page *o, const char *p, size_t n);

#endif
