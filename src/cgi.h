/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cgi.h - CGI scripts (RFC 3875): the handler of routes with
 * `cgi = true`, an application kind (app.h) whose application is a
 * process started for one request.
 *
 * The script is the file the path names beneath the route's root
 * (gateway.h: it must be a regular file there, else 404; PATH_INFO is
 * what follows it).  It is started without waiting (posix_spawn): its
 * own process group, the worker's user, signals at their defaults and
 * none blocked, cwd its directory, a clean environment (the CGI
 * meta-variables and PATH), stdin and stdout one end of a socket pair
 * whose other end is app->fd, stderr a pipe read into the error log,
 * tagged with the script.  The request body goes to stdin as it
 * arrives, then EOF; the output is a CGI response (gateway_head()),
 * its body streamed to the client.
 *
 * cgi-timeout is the longest the script may stay silent (neither
 * reading nor writing): then, or when the client goes, or when the
 * response is cut, its process group is killed (SIGKILL) and reaped.
 * A script that has answered whole but lives on gets CGI_GRACE_MS to
 * end before its group is killed.  Nothing is left behind: cgi_reap(),
 * called once per round of the worker's loop, waits for every script
 * that had not exited when its request ended.
 */
#ifndef FORKHTTPD_CGI_H
#define FORKHTTPD_CGI_H

#include "handler.h"

/* How long a script that has answered may go on before it is killed. */
#define CGI_GRACE_MS 3000

/*
 * The handler (handler.h).  Returns 0 with resp->app set (the script
 * runs), or an error status with resp complete: what gateway_script()
 * says (404, 403...), 403 for a script the worker's user may not
 * execute, 500 for one that cannot be started (no interpreter, no
 * descriptors, no memory).
 */
handler_fn cgi_handle;

/*
 * Reaps the scripts whose requests ended before they did, and kills the
 * group of any past its grace.  Never waits.  Call it once per round of
 * the event loop.
 */
void cgi_reap(void);

#endif
