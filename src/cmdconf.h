/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cmdconf.h - the configuration of `forkhttpd -r DIR -l ADDR:PORT`: a
 * directory served without a conf file, for developers.  It is written
 * as conf text and loaded by config_load_buf(), so that it passes every
 * check a file passes and means what the same keys in a file mean.
 */
#ifndef FORKHTTPD_CMDCONF_H
#define FORKHTTPD_CMDCONF_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

/* -l without -r serves this directory; -r without -l listens here. */
#define CMDCONF_ROOT	"."
#define CMDCONF_LISTEN	"127.0.0.1:8000"

/* How many -l options one command line may give. */
#define CMDCONF_LISTEN_MAX 16

/*
 * Writes the conf text for root (NULL: CMDCONF_ROOT) and the n listen
 * entries (n 0: CMDCONF_LISTEN) into buf: document-root on line 1, listen
 * on line 2, then directory-listing on, both logs to the terminal
 * (error-log "-", access-log "-") and pid-file "off"; every other key
 * keeps its default.  Returns false, with a message in err, when an
 * argument holds a newline (a string ends on its line) or buf is too
 * small.
 */
bool cmdconf_text(const char *root, const char *const *listen, size_t n,
    char *buf, size_t cap, char *err, size_t errlen);

/*
 * cmdconf_text(), then config_load_buf() (config_test_buf() when test)
 * with relative paths resolved against the working directory.  Returns
 * the snapshot (path NULL: there is no file to reload), or NULL with one
 * line in err that names the option at fault ("-r: document-root: ...",
 * "-l: listen: ...").
 */
struct config *cmdconf_load(const char *root, const char *const *listen,
    size_t n, bool test, char *err, size_t errlen);

#endif
