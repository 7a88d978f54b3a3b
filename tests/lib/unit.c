/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * unit.c - helpers shared by the unit tests; see unit.h.
 */
#include "autoconf.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "unit.h"

int
unit_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* mkdir that accepts an existing directory. */
static void
ensure_dir(const char *path)
{
	ck_assert_msg(mkdir(path, 0755) == 0 || errno == EEXIST,
	    "mkdir %s: %s", path, strerror(errno));
}

void
unit_scratch_dir(char *out, size_t cap, const char *tag)
{
	const char *build = getenv("FORKHTTPD_BUILDDIR");
	char dir[PATH_MAX] = "/tmp", tmpl[PATH_MAX], real[PATH_MAX];
	int n;

	if (cap > 0)
		out[0] = '\0';
	if (build != NULL && build[0] != '\0') {
		unit_path(dir, sizeof(dir), build, "tests");
		ensure_dir(dir);
		unit_path(dir, sizeof(dir), build, "tests/tmp");
		ensure_dir(dir);
	}
	n = snprintf(tmpl, sizeof(tmpl), "%s/%s.XXXXXX", dir, tag);
	ck_assert_msg(n > 0 && (size_t)n < sizeof(tmpl), "path too long: %s/%s",
	    dir, tag);
	ck_assert_msg(mkdtemp(tmpl) != NULL, "mkdtemp %s: %s", tmpl,
	    strerror(errno));
	ck_assert_msg(chmod(tmpl, 0755) == 0, "chmod %s: %s", tmpl,
	    strerror(errno));
	ck_assert_msg(realpath(tmpl, real) != NULL, "realpath %s: %s", tmpl,
	    strerror(errno));
	ck_assert_msg(strlen(real) < cap, "path too long: %s", real);
	memcpy(out, real, strlen(real) + 1);
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

void
unit_rmtree(const char *path)
{
	if (path[0] != '\0')
		nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

void
unit_path(char *buf, size_t cap, const char *dir, const char *rel)
{
	int n = snprintf(buf, cap, "%s/%s", dir, rel);

	ck_assert_msg(n > 0 && (size_t)n < cap, "path too long: %s/%s", dir,
	    rel);
}

void
unit_write_file(const char *dir, const char *rel, const char *text)
{
	char p[PATH_MAX];
	FILE *fp;

	unit_path(p, sizeof(p), dir, rel);
	fp = fopen(p, "w");
	ck_assert_msg(fp != NULL, "create %s: %s", p, strerror(errno));
	ck_assert_msg(fputs(text, fp) != EOF, "write %s: %s", p,
	    strerror(errno));
	ck_assert_msg(fclose(fp) == 0, "close %s: %s", p, strerror(errno));
}

void
unit_make_dir(const char *dir, const char *rel)
{
	char p[PATH_MAX];

	unit_path(p, sizeof(p), dir, rel);
	ck_assert_msg(mkdir(p, 0755) == 0, "mkdir %s: %s", p, strerror(errno));
}

void
unit_symlink(const char *dir, const char *rel, const char *target)
{
	char p[PATH_MAX];

	unit_path(p, sizeof(p), dir, rel);
	ck_assert_msg(symlink(target, p) == 0, "symlink %s: %s", p,
	    strerror(errno));
}

void
unit_two_roots(char *out, size_t cap, const char *tag)
{
	unit_scratch_dir(out, cap, tag);
	unit_make_dir(out, "A");
	unit_make_dir(out, "B");
	unit_write_file(out, "A/secret.txt", "secret\n");
	unit_symlink(out, "B/link.txt", "../A/secret.txt");
	unit_symlink(out, "B/secret.txt", "../A/secret.txt");
}

int
unit_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	ck_assert_msg(d != NULL, "opendir /proc/self/fd: %s", strerror(errno));
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] != '.')
			n++;
	}
	closedir(d);
	return n;
}

int64_t
unit_now_ms(void)
{
	struct timespec ts;

	ck_assert_int_eq(clock_gettime(CLOCK_MONOTONIC, &ts), 0);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *
unit_pair_name(int kind)
{
	return kind == UNIT_PAIR_TCP ? "tcp" : "unix";
}

static void
set_buf(int fd, int opt, int size)
{
	ck_assert_msg(setsockopt(fd, SOL_SOCKET, opt, &size, sizeof(size)) == 0,
	    "setsockopt: %s", strerror(errno));
}

static void
set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	ck_assert_msg(fl != -1 && fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0,
	    "O_NONBLOCK: %s", strerror(errno));
}

/* Loopback TCP: connect() to a listener on 127.0.0.1 completes at once. */
static void
tcp_pair(int buf, int *srv, int *cli)
{
	struct sockaddr_in addr;
	socklen_t alen = sizeof(addr);
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert_msg(l != -1, "socket: %s", strerror(errno));
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_msg(bind(l, (struct sockaddr *)&addr, sizeof(addr)) == 0 &&
	    listen(l, 4) == 0 && getsockname(l, (struct sockaddr *)&addr,
	    &alen) == 0, "listen on 127.0.0.1: %s", strerror(errno));
	*cli = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_msg(*cli != -1, "socket: %s", strerror(errno));
	if (buf > 0)
		set_buf(*cli, SO_RCVBUF, buf);
	ck_assert_msg(connect(*cli, (struct sockaddr *)&addr,
	    sizeof(addr)) == 0, "connect: %s", strerror(errno));
	*srv = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	ck_assert_msg(*srv != -1, "accept: %s", strerror(errno));
	close(l);
	if (buf > 0)
		set_buf(*srv, SO_SNDBUF, buf);
}

void
unit_pair(int kind, int buf, int *srv, int *cli)
{
	int sv[2];

	if (kind == UNIT_PAIR_TCP) {
		tcp_pair(buf, srv, cli);
	} else {
		ck_assert_msg(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
		    sv) == 0, "socketpair: %s", strerror(errno));
		*srv = sv[0];
		*cli = sv[1];
		if (buf > 0) {
			set_buf(*srv, SO_SNDBUF, buf);
			set_buf(*cli, SO_RCVBUF, buf);
		}
	}
	set_nonblock(*srv);
	set_nonblock(*cli);
}

bool
unit_drain(int fd, char *buf, size_t cap, size_t *len)
{
	for (;;) {
		char extra;
		ssize_t n;

		if (*len < cap)
			n = recv(fd, buf + *len, cap - *len, MSG_DONTWAIT);
		else
			n = recv(fd, &extra, 1, MSG_DONTWAIT);
		if (n == 0)
			return true;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return false;
		ck_assert_msg(n > 0, "recv: %s", strerror(errno));
		ck_assert_msg(*len < cap, "more than the %zu bytes expected",
		    cap);
		*len += (size_t)n;
	}
}

bool
unit_wait_fd(int fd, short events, int64_t deadline_ms)
{
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = events };
		int64_t left = deadline_ms - unit_now_ms();
		int rc;

		if (left <= 0)
			return false;
		rc = poll(&pfd, 1, left > 1000 ? 1000 : (int)left);
		if (rc > 0)
			return true;
		ck_assert_msg(rc == 0 || errno == EINTR, "poll: %s",
		    strerror(errno));
	}
}

void
unit_read_to_eof(int fd, char *buf, size_t cap, size_t *len,
    int64_t deadline_ms)
{
	while (!unit_drain(fd, buf, cap, len))
		ck_assert_msg(unit_wait_fd(fd, POLLIN, deadline_ms),
		    "no end of stream by the deadline, %zu bytes read", *len);
}

uint32_t
unit_random(uint32_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 17;
	*state ^= *state << 5;
	return *state;
}

static int
cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

void
unit_random_cuts(size_t *cuts, size_t n, size_t len, uint32_t *seed)
{
	for (size_t k = 0; k + 1 < n; k++)
		cuts[k] = unit_random(seed) % (len + 1);
	cuts[n - 1] = len;
	qsort(cuts, n, sizeof(cuts[0]), cmp_size);
}

void
unit_fill_pattern(char *buf, size_t len, unsigned seed)
{
	uint32_t x = seed * 2654435761u + 1;

	for (size_t i = 0; i < len; i++)
		buf[i] = (char)(unit_random(&x) >> 24);
}

int
unit_temp_file(size_t len, unsigned seed, char **data)
{
	char dir[PATH_MAX], path[PATH_MAX + 16];
	char *bytes = malloc(len > 0 ? len : 1);
	int fd, err;

	ck_assert_ptr_nonnull(bytes);
	unit_scratch_dir(dir, sizeof(dir), "unit_file");
	unit_path(path, sizeof(path), dir, "data");
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	err = errno;
	unit_rmtree(dir);
	ck_assert_msg(fd != -1, "create %s: %s", path, strerror(err));
	unit_fill_pattern(bytes, len, seed);
	ck_assert_msg(pwrite(fd, bytes, len, 0) == (ssize_t)len, "write %s: %s",
	    path, strerror(errno));
	if (data != NULL)
		*data = bytes;
	else
		free(bytes);
	return fd;
}

/*
 * A peer: "v4:a.b.c.d" and "v6:addr" as accept() fills them, "unix" for
 * an AF_UNIX peer; "none" gives NULL.
 */
const struct sockaddr_storage *
unit_peer(struct sockaddr_storage *ss, const char *spec)
{
	memset(ss, 0, sizeof(*ss));
	if (strncmp(spec, "v4:", 3) == 0) {
		struct sockaddr_in sin;

		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = htons(40000);
		ck_assert_msg(inet_pton(AF_INET, spec + 3, &sin.sin_addr) == 1,
		    "bad v4 peer %s", spec);
		memcpy(ss, &sin, sizeof(sin));
	} else if (strncmp(spec, "v6:", 3) == 0) {
		struct sockaddr_in6 sin6;

		memset(&sin6, 0, sizeof(sin6));
		sin6.sin6_family = AF_INET6;
		sin6.sin6_port = htons(40000);
		ck_assert_msg(inet_pton(AF_INET6, spec + 3, &sin6.sin6_addr)
		    == 1, "bad v6 peer %s", spec);
		memcpy(ss, &sin6, sizeof(sin6));
	} else if (strcmp(spec, "unix") == 0) {
		struct sockaddr_un sun;

		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		memcpy(ss, &sun, sizeof(sun));
	} else {
		ck_assert_str_eq(spec, "none");
		return NULL;
	}
	return ss;
}
