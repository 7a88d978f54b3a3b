/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cmdconf.c - `forkhttpd -r DIR -l ADDR:PORT` as conf text.
 *
 * Text rather than a struct filled in by hand: config.c's checks, its
 * defaults and its meaning of each key apply unchanged, and nothing here
 * needs to know how config.c stores them.  Arguments go into single-quoted
 * strings, in which libconfuse expands no ${VAR} and knows only the
 * escapes \' and \\.
 */
#include "autoconf.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmdconf.h"
#include "config.h"
#include "util.h"

/* What the messages call the text, before cmdconf_load() rewrites them. */
#define CMDCONF_NAME "command line"

/* Appends s to buf[*len..cap) as a single-quoted string; false if full. */
static bool
cmdconf_quote(char *buf, size_t cap, size_t *len, const char *s)
{
	size_t n = *len;

	if (n + 1 >= cap)
		return false;
	buf[n++] = '\'';
	for (; *s != '\0'; s++) {
		if (n + 3 >= cap)
			return false;
		if (*s == '\'' || *s == '\\')
			buf[n++] = '\\';
		buf[n++] = *s;
	}
	buf[n++] = '\'';
	buf[n] = '\0';
	*len = n;
	return true;
}

static bool
cmdconf_append(char *buf, size_t cap, size_t *len, const char *s)
{
	size_t n = strlen(s);

	if (*len + n >= cap)
		return false;
	memcpy(buf + *len, s, n + 1);
	*len += n;
	return true;
}

bool
cmdconf_text(const char *root, const char *const *listen, size_t n,
    char *buf, size_t cap, char *err, size_t errlen)
{
	static const char *const dflt[] = { CMDCONF_LISTEN };
	size_t len = 0;
	bool ok;

	if (root == NULL)
		root = CMDCONF_ROOT;
	if (n == 0) {
		listen = dflt;
		n = 1;
	}
	if (strchr(root, '\n') != NULL) {
		snprintf(err, errlen, "-r: a directory name with a newline is "
		    "not supported");
		return false;
	}
	ok = cmdconf_append(buf, cap, &len, "document-root = ") &&
	    cmdconf_quote(buf, cap, &len, root) &&
	    cmdconf_append(buf, cap, &len, "\nlisten = {");
	for (size_t i = 0; ok && i < n; i++) {
		if (strchr(listen[i], '\n') != NULL) {
			snprintf(err, errlen, "-l: an address with a newline "
			    "is not supported");
			return false;
		}
		ok = (i == 0 || cmdconf_append(buf, cap, &len, ", ")) &&
		    cmdconf_quote(buf, cap, &len, listen[i]);
	}
	ok = ok && cmdconf_append(buf, cap, &len, "}\n"
	    "directory-listing = true\n"
	    "error-log = \"-\"\n"
	    "access-log = \"-\"\n"
	    "pid-file = \"off\"\n");
	if (!ok)
		snprintf(err, errlen, "-r, -l: arguments too long");
	return ok;
}

/*
 * "command line:1: document-root: ..." -> "-r: document-root: ...": the
 * line of the text says which option the value came from.
 */
static void
cmdconf_name_option(char *err, size_t errlen)
{
	static const char prefix[] = CMDCONF_NAME ":";
	char msg[1024], *end;
	long line;

	if (strncmp(err, prefix, sizeof(prefix) - 1) != 0)
		return;
	line = strtol(err + sizeof(prefix) - 1, &end, 10);
	if (end == err + sizeof(prefix) - 1 || *end != ':')
		return;
	util_strlcpy(msg, end + 1, sizeof(msg));
	snprintf(err, errlen, "%s:%s", line == 1 ? "-r" : line == 2 ? "-l" :
	    CMDCONF_NAME, msg);
}

struct config *
cmdconf_load(const char *root, const char *const *listen, size_t n,
    bool test, char *err, size_t errlen)
{
	char cwd[PATH_MAX], *text;
	size_t cap = 4 * PATH_MAX + n * 1024;
	struct config *c = NULL;

	if (getcwd(cwd, sizeof(cwd)) == NULL) {
		snprintf(err, errlen, "the working directory: %s",
		    strerror(errno));
		return NULL;
	}
	text = util_xmalloc(cap);
	if (cmdconf_text(root, listen, n, text, cap, err, errlen)) {
		c = test ? config_test_buf(text, CMDCONF_NAME, cwd, err,
		    errlen) : config_load_buf(text, CMDCONF_NAME, cwd, err,
		    errlen);
		if (c == NULL)
			cmdconf_name_option(err, errlen);
	}
	free(text);
	return c;
}
