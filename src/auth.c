/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * auth.c - HTTP Basic authentication; see auth.h.
 *
 * A loaded file is one copy of its text, cut into NUL-terminated names
 * and hashes in place, and an array of users sorted by name, so a lookup
 * is a bsearch() and a duplicate is a neighbour.  The hashes' syntax is
 * checked here at load, not by running crypt(3) on each: a bcrypt at
 * cost 12 takes a quarter of a second, and a reload of a file of
 * thousands of users would take minutes.  crypt_checksalt() then asks
 * libxcrypt whether it knows and allows the method.
 *
 * Comparisons of secrets (crypt's output against the stored hash, a
 * value against the cache) look at every byte whatever the first
 * difference, so their time does not say how much of a guess was right.
 */
#include "autoconf.h"

#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth.h"

struct auth_user {
	const char *name;	/* into text */
	const char *hash;	/* into text */
	unsigned line;
};

struct auth_file {
	uint64_t id;		/* the cache's key: unique per load */
	char *text;		/* the file, cut into strings */
	struct auth_user *users;	/* sorted by name */
	size_t nusers;
};

/* For an unknown user when the file has nobody: some bcrypt at cost 5. */
static const char auth_dummy_hash[] =
    "$2y$05$eHZS6Iu/umJK8zzy8ysss.KUq7EN.Yk4D.OoisEDnxu2ADHUjAHZu";

static uint64_t auth_next_id;
static unsigned long auth_ncrypts;

/* ------------------------------------------------------------------ */
/* Loading a file. */

static void auth_err(char *err, size_t errlen, const char *name,
    unsigned line, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* "name:LINE: message", or "name: message" for line 0. */
static void
auth_err(char *err, size_t errlen, const char *name, unsigned line,
    const char *fmt, ...)
{
	va_list ap;
	int n;

	if (errlen == 0)
		return;
	n = line > 0 ? snprintf(err, errlen, "%s:%u: ", name, line) :
	    snprintf(err, errlen, "%s: ", name);
	if (n < 0 || (size_t)n >= errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

static bool
auth_is_ctl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/* bcrypt's and sha-crypt's base64 alphabet: ./0-9A-Za-z */
static size_t
auth_b64_span(const char *s)
{
	size_t n = 0;

	while ((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z') ||
	    (s[n] >= '0' && s[n] <= '9') || s[n] == '.' || s[n] == '/')
		n++;
	return n;
}

/* "$2y$" (or 2a, 2b) "NN$", 22 bytes of salt and 31 of hash. */
static bool
auth_valid_bcrypt(const char *h)
{
	if (strlen(h) != 60 || h[0] != '$' || h[1] != '2' ||
	    strchr("aby", h[2]) == NULL || h[3] != '$' || h[6] != '$')
		return false;
	if (h[4] < '0' || h[4] > '3' || h[5] < '0' || h[5] > '9')
		return false;
	if ((h[4] - '0') * 10 + (h[5] - '0') < 4 ||
	    (h[4] - '0') * 10 + (h[5] - '0') > 31)
		return false;
	return auth_b64_span(h + 7) == 53;
}

/*
 * "$5$" or "$6$", then "rounds=N$" (1000..999999999, no leading zero),
 * a salt of 1..16 bytes and "$", and 43 or 86 bytes of hash.
 */
static bool
auth_valid_shacrypt(const char *h)
{
	size_t want = h[1] == '5' ? 43 : 86, n;
	const char *p = h + 3;

	if (strncmp(p, "rounds=", 7) == 0) {
		p += 7;
		for (n = 0; p[n] >= '0' && p[n] <= '9'; n++)
			;
		if (n < 4 || n > 9 || p[0] == '0' || p[n] != '$')
			return false;
		p += n + 1;
	}
	n = auth_b64_span(p);
	if (n < 1 || n > 16 || p[n] != '$')
		return false;
	p += n + 1;
	return auth_b64_span(p) == want && p[want] == '\0';
}

/* NULL if hash is one we check, else what to say about it. */
static const char *
auth_hash_problem(const char *hash)
{
	int ok;

	if (hash[0] == '\0')
		return "empty hash";
	if (strncmp(hash, "$2", 2) == 0)
		ok = auth_valid_bcrypt(hash);
	else if (strncmp(hash, "$5$", 3) == 0 || strncmp(hash, "$6$", 3) == 0)
		ok = auth_valid_shacrypt(hash);
	else if (strncmp(hash, "$apr1$", 6) == 0)
		return "an Apache MD5 ($apr1$) hash, which crypt(3) cannot "
		    "check";
	else if (strncmp(hash, "{SHA}", 5) == 0)
		return "a SHA-1 ({SHA}) hash, which crypt(3) cannot check";
	else if (strncmp(hash, "$1$", 3) == 0)
		return "an MD5 crypt ($1$) hash, which is too weak";
	else if (hash[0] == '*')
		return "crypt(3)'s mark of a failure (\"*0\", \"*1\"), not a "
		    "hash: htpasswd could not make one (-r out of range?)";
	else
		return "not a bcrypt ($2y$) or SHA-256/512 crypt ($5$, $6$) "
		    "hash (DES crypt, or a password in plain text?)";
	if (!ok)
		return "a malformed hash";
	ok = crypt_checksalt(hash);
	if (ok == CRYPT_SALT_INVALID || ok == CRYPT_SALT_METHOD_DISABLED)
		return "a hash this system's crypt(3) does not take";
	return NULL;
}

/*
 * Checks one line (NUL-terminated in place, without its end) and, if it
 * names a user, cuts it at ':' into *u.  0: a user; 1: nothing (blank,
 * comment); -1: an error, written to err.
 */
static int
auth_parse_line(char *s, size_t len, unsigned line, const char *name,
    struct auth_user *u, char *err, size_t errlen)
{
	static const char fix[] = "; make it with htpasswd -B (bcrypt)";
	size_t lead = strspn(s, " \t");
	char *colon;
	const char *why;

	if (len > 0 && s[len - 1] == '\r')
		s[--len] = '\0';
	if (strlen(s) != len) {
		auth_err(err, errlen, name, line, "a NUL byte");
		return -1;
	}
	if (s[lead] == '\0' || s[lead] == '#')
		return 1;
	if ((colon = strchr(s, ':')) == NULL) {
		auth_err(err, errlen, name, line, "no ':' (a line is "
		    "user:hash, as htpasswd writes it)");
		return -1;
	}
	*colon = '\0';
	if (colon == s) {
		auth_err(err, errlen, name, line, "empty user name");
		return -1;
	}
	for (const char *p = s; p < colon; p++) {
		if (auth_is_ctl((unsigned char)*p)) {
			auth_err(err, errlen, name, line, "a control "
			    "character in the user name");
			return -1;
		}
	}
	if (strchr(colon + 1, ':') != NULL) {
		auth_err(err, errlen, name, line, "user \"%s\": more than one "
		    "':' (a line is user:hash)", s);
		return -1;
	}
	if ((why = auth_hash_problem(colon + 1)) != NULL) {
		auth_err(err, errlen, name, line, "user \"%s\": %s%s", s, why,
		    fix);
		return -1;
	}
	u->name = s;
	u->hash = colon + 1;
	u->line = line;
	return 0;
}

static int
auth_user_cmp(const void *a, const void *b)
{
	const struct auth_user *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c != 0)
		return c;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* Sorts f's users; false (and err) if one is named twice. */
static bool
auth_sort(struct auth_file *f, const char *name, char *err, size_t errlen)
{
	const struct auth_user *dup = NULL, *first = NULL;

	if (f->nusers > 1)
		qsort(f->users, f->nusers, sizeof(*f->users), auth_user_cmp);
	for (size_t i = 1; i < f->nusers; i++) {
		if (strcmp(f->users[i - 1].name, f->users[i].name) != 0)
			continue;
		if (dup == NULL || f->users[i].line < dup->line) {
			dup = &f->users[i];
			first = &f->users[i - 1];
		}
	}
	if (dup == NULL)
		return true;
	while (first > f->users && strcmp(first[-1].name, dup->name) == 0)
		first--;
	auth_err(err, errlen, name, dup->line, "user \"%s\" again (first on "
	    "line %u); htpasswd updates a user in place", dup->name,
	    first->line);
	return false;
}

/* Cuts f->text (len bytes, NUL after) into lines and users. */
static bool
auth_parse_lines(struct auth_file *f, size_t len, const char *name,
    char *err, size_t errlen)
{
	char *p = f->text, *end = f->text + len, *nl;
	unsigned line = 0;
	int r;

	for (; p < end; p = nl + 1) {
		line++;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;	/* the last line, without its end */
		if ((size_t)(nl - p) > AUTH_LINE_MAX) {
			auth_err(err, errlen, name, line, "longer than %d "
			    "bytes", AUTH_LINE_MAX);
			return false;
		}
		*nl = '\0';
		r = auth_parse_line(p, (size_t)(nl - p), line, name,
		    &f->users[f->nusers], err, errlen);
		if (r < 0)
			return false;
		if (r == 0)
			f->nusers++;
	}
	return auth_sort(f, name, err, errlen);
}

struct auth_file *
auth_parse(const char *name, const char *text, size_t len, char *err,
    size_t errlen)
{
	struct auth_file *f;
	size_t lines = 1;

	if (len > AUTH_FILE_MAX) {
		auth_err(err, errlen, name, 0, "larger than %d bytes",
		    AUTH_FILE_MAX);
		return NULL;
	}
	for (const char *p = text; (p = memchr(p, '\n',
	    len - (size_t)(p - text))) != NULL; p++)
		lines++;
	if ((f = calloc(1, sizeof(*f))) == NULL ||
	    (f->text = malloc(len + 1)) == NULL ||
	    (f->users = calloc(lines, sizeof(*f->users))) == NULL) {
		auth_err(err, errlen, name, 0, "out of memory");
		auth_free(f);
		return NULL;
	}
	memcpy(f->text, text, len);
	f->text[len] = '\0';
	if (!auth_parse_lines(f, len, name, err, errlen)) {
		auth_free(f);
		return NULL;
	}
	f->id = ++auth_next_id;
	return f;
}

/* The whole of the regular file fd (at most AUTH_FILE_MAX); NULL: err. */
static char *
auth_read(int fd, const char *path, size_t *len, char *err, size_t errlen)
{
	struct stat st;
	size_t cap;
	char *buf;
	ssize_t n;

	if (fstat(fd, &st) < 0) {
		auth_err(err, errlen, path, 0, "%s", strerror(errno));
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		auth_err(err, errlen, path, 0, "not a regular file");
		return NULL;
	}
	if (st.st_size > AUTH_FILE_MAX) {
		auth_err(err, errlen, path, 0, "larger than %d bytes",
		    AUTH_FILE_MAX);
		return NULL;
	}
	/* One byte more than its size: a file that grew is caught. */
	cap = (size_t)st.st_size + 1;
	if ((buf = malloc(cap)) == NULL) {
		auth_err(err, errlen, path, 0, "out of memory");
		return NULL;
	}
	*len = 0;
	while (*len < cap && (n = read(fd, buf + *len, cap - *len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			auth_err(err, errlen, path, 0, "%s", strerror(errno));
			free(buf);
			return NULL;
		}
		*len += (size_t)n;
	}
	if (*len == cap) {
		auth_err(err, errlen, path, 0, "changed while it was read");
		free(buf);
		return NULL;
	}
	return buf;
}

struct auth_file *
auth_load(const char *path, char *err, size_t errlen)
{
	struct auth_file *f;
	size_t len = 0;
	char *buf;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
		auth_err(err, errlen, path, 0, "%s", strerror(errno));
		return NULL;
	}
	buf = auth_read(fd, path, &len, err, errlen);
	close(fd);
	if (buf == NULL)
		return NULL;
	f = auth_parse(path, buf, len, err, errlen);
	free(buf);
	return f;
}

size_t
auth_users(const struct auth_file *f)
{
	return f->nusers;
}

/* ------------------------------------------------------------------ */
/* What a process remembers of values that verified. */

struct auth_cache_slot {
	uint64_t file;		/* auth_file id; 0: empty */
	uint64_t used;		/* auth_cache_clock when last found */
	size_t len;
	char value[AUTH_VALUE_MAX];
};

static struct auth_cache_slot auth_cache[AUTH_CACHE_SLOTS];
static uint64_t auth_cache_clock;

/* a and b (len bytes each) are equal, in a time that depends on len only. */
static bool
auth_same(const char *a, const char *b, size_t len)
{
	volatile unsigned char diff = 0;

	for (size_t i = 0; i < len; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return diff == 0;
}

static bool
auth_cache_find(uint64_t file, const char *value, size_t len)
{
	for (size_t i = 0; i < AUTH_CACHE_SLOTS; i++) {
		struct auth_cache_slot *c = &auth_cache[i];

		if (c->file == file && c->len == len &&
		    auth_same(c->value, value, len)) {
			c->used = ++auth_cache_clock;
			return true;
		}
	}
	return false;
}

/* Remembers value in an empty slot, or the one least recently used. */
static void
auth_cache_add(uint64_t file, const char *value, size_t len)
{
	struct auth_cache_slot *c = &auth_cache[0];

	for (size_t i = 1; i < AUTH_CACHE_SLOTS && c->file != 0; i++)
		if (auth_cache[i].file == 0 || auth_cache[i].used < c->used)
			c = &auth_cache[i];
	c->file = file;
	c->used = ++auth_cache_clock;
	c->len = len;
	memcpy(c->value, value, len);
}

/* Forgets what was checked against file (0: everything). */
static void
auth_cache_forget(uint64_t file)
{
	for (size_t i = 0; i < AUTH_CACHE_SLOTS; i++)
		if (file == 0 || auth_cache[i].file == file)
			explicit_bzero(&auth_cache[i], sizeof(auth_cache[i]));
}

void
auth_free(struct auth_file *f)
{
	if (f == NULL)
		return;
	if (f->id != 0)
		auth_cache_forget(f->id);
	free(f->users);
	free(f->text);
	free(f);
}

/* ------------------------------------------------------------------ */
/* Checking credentials. */

static int
auth_b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * RFC 4648 §4, strictly: t[0..n) is a multiple of 4 characters of the
 * alphabet, with '=' only as the last one or two, and the bits that the
 * padding leaves over zero (§3.5: decoders MAY reject otherwise, and a
 * value has then only one spelling).  Writes the bytes to out, at most
 * max of them; returns how many, or -1.
 */
static ssize_t
auth_b64_decode(const char *t, size_t n, unsigned char *out, size_t max)
{
	size_t pad = 0, k = 0;
	uint32_t acc = 0;

	if (n == 0 || n % 4 != 0)
		return -1;
	while (pad < 2 && t[n - 1 - pad] == '=')
		pad++;
	if (n / 4 * 3 - pad > max)
		return -1;
	for (size_t i = 0; i < n - pad; i++) {
		int v = auth_b64_value((unsigned char)t[i]);

		if (v < 0)
			return -1;
		acc = acc << 6 | (uint32_t)v;
		if (i % 4 == 3) {
			out[k++] = (unsigned char)(acc >> 16);
			out[k++] = (unsigned char)(acc >> 8);
			out[k++] = (unsigned char)acc;
			acc = 0;
		}
	}
	if (pad == 2) {		/* 12 bits for one byte */
		if ((acc & 0x0f) != 0)
			return -1;
		out[k++] = (unsigned char)(acc >> 4);
	} else if (pad == 1) {	/* 18 bits for two bytes */
		if ((acc & 0x03) != 0)
			return -1;
		out[k++] = (unsigned char)(acc >> 10);
		out[k++] = (unsigned char)(acc >> 2);
	}
	return (ssize_t)k;
}

bool
auth_decode(const char *value, size_t len, struct auth_credentials *out)
{
	size_t i = 5;
	ssize_t n;
	char *colon;

	out->user = out->password = NULL;
	/* RFC 9110 §11.1: the scheme is case-insensitive. */
	if (len > AUTH_VALUE_MAX || len < 6 ||
	    strncasecmp(value, "Basic", 5) != 0 || value[5] != ' ')
		return false;
	while (i < len && value[i] == ' ')
		i++;
	n = auth_b64_decode(value + i, len - i, (unsigned char *)out->buf,
	    AUTH_CRED_MAX);
	if (n < 0)
		return false;
	for (ssize_t k = 0; k < n; k++)
		if (auth_is_ctl((unsigned char)out->buf[k]))
			return false;
	out->buf[n] = '\0';
	/* RFC 7617 §2: the user-id ends at the first colon. */
	if ((colon = strchr(out->buf, ':')) == NULL)
		return false;
	*colon = '\0';
	out->user = out->buf;
	out->password = colon + 1;
	return true;
}

static int
auth_user_key_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct auth_user *)elem)->name);
}

/* crypt(3) of password with hash's settings equals hash. */
static bool
auth_verify(const char *password, const char *hash)
{
	static struct crypt_data data;
	const char *out;
	bool ok;

	auth_ncrypts++;
	out = crypt_rn(password, hash, &data, (int)sizeof(data));
	ok = out != NULL && strlen(out) == strlen(hash) &&
	    auth_same(out, hash, strlen(hash));
	explicit_bzero(&data, sizeof(data));
	return ok;
}

bool
auth_check(const struct auth_file *f, const char *value, size_t len)
{
	struct auth_credentials cred;
	const struct auth_user *u;
	bool ok;

	/* Only a value that decoded and verified can be in the cache. */
	if (len <= AUTH_VALUE_MAX && auth_cache_find(f->id, value, len))
		return true;
	if (!auth_decode(value, len, &cred))
		return false;
	u = bsearch(cred.user, f->users, f->nusers, sizeof(*f->users),
	    auth_user_key_cmp);
	/* An unknown user costs a crypt(3) too. */
	ok = auth_verify(cred.password, u != NULL ? u->hash :
	    f->nusers > 0 ? f->users[0].hash : auth_dummy_hash) && u != NULL;
	explicit_bzero(&cred, sizeof(cred));
	if (ok)
		auth_cache_add(f->id, value, len);
	return ok;
}

unsigned long
auth_crypts(void)
{
	return auth_ncrypts;
}

/* ------------------------------------------------------------------ */
/* The challenge. */

size_t
auth_challenge(const char *realm, char *buf, size_t size)
{
	static const char head[] = "Basic realm=\"";
	static const char tail[] = "\", charset=\"UTF-8\"";
	size_t k = sizeof(head) - 1;

	if (size < sizeof(head))
		return 0;
	memcpy(buf, head, k);
	for (const char *p = realm; *p != '\0'; p++) {
		/* RFC 9110 §5.6.4: quoted-pair = "\" ( HTAB / SP / VCHAR /
		 * obs-text ); other controls cannot be carried at all. */
		if (*p != '\t' && auth_is_ctl((unsigned char)*p))
			return 0;
		if (k + 2 >= size)
			return 0;
		if (*p == '"' || *p == '\\')
			buf[k++] = '\\';
		buf[k++] = *p;
	}
	if (size - k < sizeof(tail))
		return 0;
	memcpy(buf + k, tail, sizeof(tail));
	return k + sizeof(tail) - 1;
}
