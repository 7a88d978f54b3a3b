/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * auth.h - HTTP Basic authentication (RFC 7617) against an htpasswd file.
 *
 * The file is read whole when the configuration is loaded or reloaded
 * (auth_load(), by the master, before workers fork), so a worker checks
 * credentials without touching the file system.  Its lines, as
 * `htpasswd -B` writes them:
 *     user:hash
 * where hash is bcrypt ("$2y$", also "$2b$" and "$2a$", cost 04..31)
 * or SHA-256 / SHA-512 crypt ("$5$", "$6$", with or without
 * "rounds=N$"), checked with crypt(3).  Blank lines (spaces and tabs
 * only) and lines whose first non-blank byte is '#' are skipped; a line
 * may end in CRLF.  Anything else is an error naming the file and the
 * line: Apache's default "$apr1$" MD5, "$1$" MD5 crypt, "{SHA}", DES
 * crypt or a plain-text password, crypt's failure mark "*0" (what
 * htpasswd writes when it cannot hash), an empty hash, a line without ':',
 * more than one ':', an empty user name or one with a control byte, a
 * NUL byte, a malformed hash, a user named twice, a line longer than
 * AUTH_LINE_MAX bytes or a file larger than AUTH_FILE_MAX.
 *
 * bcrypt looks at the first 72 bytes of a password only; that is the
 * algorithm's, and htpasswd's, limit.
 */
#ifndef FORKHTTPD_AUTH_H
#define FORKHTTPD_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#define AUTH_LINE_MAX 1024		/* bytes of a line, without its end */
#define AUTH_FILE_MAX (4 << 20)	/* bytes of a file: some 60,000 users */

/*
 * The decoded credentials, user-id ":" password (RFC 7617 §2), are at
 * most AUTH_CRED_MAX bytes, so the Authorization value is at most
 * AUTH_VALUE_MAX: "Basic", spaces, and the base64 token.  crypt(3) takes
 * no longer passphrase.
 */
#define AUTH_CRED_MAX 510
#define AUTH_TOKEN_MAX (4 * ((AUTH_CRED_MAX + 2) / 3))
#define AUTH_VALUE_MAX 768

/*
 * How many verified Authorization values a process remembers (least
 * recently used goes first): a keep-alive client sends the same value
 * with every request, and without the cache each would cost a bcrypt
 * (milliseconds of CPU at htpasswd's default cost, a quarter of a second
 * at cost 12).  About 12 KiB a process, used only by workers that check
 * credentials.  A value is remembered with the identity of the loaded
 * file it was checked against, and a file loaded again (a reload) has a
 * new identity, so nothing checked against an old file counts for a new
 * one.  Values that failed are not remembered.
 */
#define AUTH_CACHE_SLOTS 16

struct auth_file;

/*
 * Reads and checks the htpasswd file at path.  Returns it (free with
 * auth_free()), or NULL with one line in err: "path:LINE: message" for
 * a bad line, "path: message" for the file as a whole (cannot be opened,
 * not a regular file, too large).  Allocates.
 */
struct auth_file *auth_load(const char *path, char *err, size_t errlen);

/*
 * The same for the file's contents text[0..len) (tests, fuzzing); name
 * stands for the path in messages.
 */
struct auth_file *auth_parse(const char *name, const char *text, size_t len,
    char *err, size_t errlen);

/* How many users f lists. */
size_t auth_users(const struct auth_file *f);

/* Frees f and forgets what the cache holds for it; NULL is fine. */
void auth_free(struct auth_file *f);

/* Credentials decoded by auth_decode(): pointers into buf. */
struct auth_credentials {
	char buf[AUTH_CRED_MAX + 2];
	const char *user;	/* NUL-terminated, no ':' */
	const char *password;	/* NUL-terminated */
};

/*
 * Decodes an Authorization field value value[0..len) of the Basic
 * scheme (RFC 7617 §2; RFC 9110 §11.4: credentials = auth-scheme
 * [ 1*SP token68 ]): "Basic" in any case, one or more spaces, then
 * base64 (RFC 4648 §4: the padding that makes it a multiple of 4
 * characters, no other alphabet, no line breaks, the bits the padding
 * drops zero) of user-id ":" password.  False for any other value, for
 * one longer than AUTH_VALUE_MAX or decoding to more than AUTH_CRED_MAX
 * bytes, for credentials without ':', and for a control character (NUL
 * included) in them (RFC 7617 §2: "MUST NOT contain any control
 * characters").  The password may be empty, and may hold ':'.
 */
bool auth_decode(const char *value, size_t len, struct auth_credentials *out);

/*
 * Whether the Authorization field value value[0..len) carries the name
 * and password of a user of f (auth_decode(), then crypt(3) with that
 * user's hash).  An unknown user and a wrong password are both false,
 * and both cost a crypt(3) (an unknown user's against one of the file's
 * hashes), so the time taken does not tell which users exist.  A value
 * that verified is remembered (AUTH_CACHE_SLOTS) and found again without
 * crypt(3).  Allocates nothing.
 */
bool auth_check(const struct auth_file *f, const char *value, size_t len);

/*
 * How many times this process has run crypt(3) in auth_check(): what the
 * cache saves, for tests and reports.
 */
unsigned long auth_crypts(void);

/*
 * Writes into buf (size bytes) the value of a 401's WWW-Authenticate
 * field for realm (RFC 7617 §2, with §2.1's charset):
 *     Basic realm="Admin", charset="UTF-8"
 * the realm a quoted-string (RFC 9110 §5.6.4) with '"' and '\' escaped.
 * Returns its length, or 0 when realm holds a control character other
 * than HTAB (a quoted-string cannot carry one) or buf is too small.
 * Call it at load time to check a realm.
 */
size_t auth_challenge(const char *realm, char *buf, size_t size);

#endif
