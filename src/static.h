/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * static.h - static files under the document root: mapping a request path
 * to a file that cannot lie outside the root, directory index files, and
 * filling a response with the open file.  Pure of sockets and signals;
 * tested in-process against a temporary document root.
 */
#ifndef FORKHTTPD_STATIC_H
#define FORKHTTPD_STATIC_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "fcache.h"
#include "handler.h"
#include "http.h"

/*
 * Opens the document root (O_PATH | O_DIRECTORY) once per process, to
 * resolve every request beneath it.  Returns the fd, or -1 with errno set.
 */
int static_open_root(const char *document_root);

/*
 * A document root as the handlers use it: its fd and, computed once,
 * its identity for the file cache (fcache.h), so that a request costs
 * no fstat() of the root.
 */
struct static_root {
	int fd;				/* from static_open_root() */
	bool symlinks_outside_root;	/* follow symlinks that leave it */
	bool cacheable;			/* fstat() of fd told its identity */
	struct fcache_root cache;	/* that identity, with the symlink rule */
};

/* Fills r for fd (not owned) under the symlink rule. */
void static_root_init(struct static_root *r, int fd,
    bool symlinks_outside_root);

/*
 * Opens rel ("" for the root itself, else as static_map_path() writes
 * it) beneath root with open(2) flags: RESOLVE_BENEATH unless the
 * root's rule lets symlinks leave it; O_PATH for a look that opens
 * nothing.  Returns 0 with *fdp set, or an errno value (EPERM: neither
 * a regular file nor a directory; EXDEV: a symlink out of the root).
 * What the CGI gateway looks at scripts with, so both agree on what
 * lies beneath a root.
 */
int static_open_beneath(const struct static_root *root, const char *rel,
    int flags, int *fdp);

/* The status for an errno of static_open_beneath(): 404, 403, 414, 500. */
int static_errno_status(int err);

/*
 * Maps an origin-form path, still percent-encoded, to a path relative to
 * the document root written into out: "" is the root itself, otherwise
 * segments joined by '/', never starting with '/', never containing "."
 * or ".." segments or empty segments.  Percent-escapes are decoded before
 * dot segments are resolved (RFC 3986 §5.2.4), so "%2e%2e" and "..%2f"
 * cannot climb.  *dir_form is set when the decoded path ends in '/'.
 *
 * Returns 0, or 400 for a path not starting with '/', a bad escape, a NUL
 * (%00), a backslash, or dot segments that would climb above the root;
 * 414 when out (cap bytes) is too small.
 */
int static_map_path(const char *path, size_t len, char *out, size_t cap,
    bool *dir_form);

/*
 * Serves req (GET or HEAD) with the file rel beneath root, a path as
 * static_map_path() writes them (dir_form: the request's path ended in
 * '/'), under the scope sc (its index files and listing rule):
 *   a regular file   -> 200, resp->body = HTTP_BODY_FILE with fd, length,
 *                       content type, ETag, Last-Modified, Accept-Ranges;
 *                       or, by the preconditions (RFC 9110 §13.2.2), 304
 *                       (no body, validators kept) or 412; or, for a GET
 *                       with a Range that applies (If-Range), 206 (one
 *                       range: HTTP_BODY_FILE from offset; several:
 *                       HTTP_BODY_RANGES) or 416 (Content-Range set);
 *   a directory without a trailing slash -> 301 with Location "path/"
 *                       (req's path, the query string kept);
 *   a directory      -> its first index file from sc->index, else its
 *                       listing (HTTP_BODY_MEM) if sc->directory_listing,
 *                       else 403;
 *   missing          -> 404; unreadable or not a regular file -> 403;
 *   a symlink leaving the root, unless the root's rule allows it -> 403;
 *   another I/O error -> 500.
 * Returns the status it chose.  200, 206 and 304 are complete responses.
 * For any other status resp is not: it may still hold the open file and
 * its fields (412, and 416 with Content-Range set), and the caller makes
 * it an error page with http_response_error(), which closes the file.
 */
int static_serve(const struct config_scope *sc, const struct static_root *root,
    const char *rel, bool dir_form, const struct http_request *req,
    struct http_response *resp);

/*
 * The handler (handler.h) of static files: static_serve() of ctx->rel
 * under ctx->root and ctx->scope, with an error page for any status it
 * leaves incomplete.
 */
handler_fn static_handle;

#endif
