/* SPDX-License-Identifier: BSD-2-Clause */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#ifdef HAVE_SYS_PRCTL_H
#include <sys/prctl.h>
#endif

#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "util.h"

/* ---- small things ------------------------------------------------------- */

void
harness_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("harness: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

int64_t
harness_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
harness_sleep_ms(int ms)
{
	struct timespec ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static int
remaining_ms(int64_t deadline)
{
	int64_t left = deadline - harness_now_ms();

	if (left < 0)
		return 0;
	if (left > 60000)
		return 60000;
	return (int)left;
}

bool
harness_poll(bool (*fn)(void *), void *arg, int timeout_ms)
{
	int64_t deadline = harness_now_ms() + timeout_ms;

	for (;;) {
		if (fn(arg))
			return true;
		if (harness_now_ms() >= deadline)
			return false;
		harness_sleep_ms(20);
	}
}

void
harness_fail(struct harness_failures *f, const char *fmt, ...)
{
	va_list ap;

	if (f->n++ > 0)
		return;
	va_start(ap, fmt);
	vsnprintf(f->first, sizeof(f->first), fmt, ap);
	va_end(ap);
}

/* ---- Check --------------------------------------------------------------- */

TCase *
harness_tcase(Suite *s, const char *name)
{
	TCase *tc = tcase_create(name);

	if (getenv("CK_DEFAULT_TIMEOUT") == NULL)
		tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return tc;
}

int
harness_main(const char *prog, Suite *(*make_suite)(void))
{
	SRunner *sr;
	int failed;

	signal(SIGPIPE, SIG_IGN);
	if (access(harness_bin(), X_OK) == -1) {
		fprintf(stderr, "%s: %s is not executable (set "
		    "FORKHTTPD_BIN)\n", prog, harness_bin());
		return EXIT_FAILURE;
	}
	sr = srunner_create(make_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

void
harness_buf_init(struct harness_buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	harness_buf_append(b, "", 0);
}

void
harness_buf_append(struct harness_buf *b, const void *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;

		while (cap < b->len + n + 1)
			cap *= 2;
		b->data = realloc(b->data, cap);
		if (b->data == NULL)
			harness_die("out of memory");
		b->cap = cap;
	}
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
harness_buf_appendf(struct harness_buf *b, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0 || s == NULL)
		harness_die("out of memory");
	harness_buf_append(b, s, (size_t)n);
	free(s);
}

void
harness_buf_free(struct harness_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

static void
buf_consume(struct harness_buf *b, size_t n)
{
	if (n >= b->len) {
		b->len = 0;
	} else {
		memmove(b->data, b->data + n, b->len - n);
		b->len -= n;
	}
	b->data[b->len] = '\0';
}

static char *
xstrndup(const char *p, size_t n)
{
	char *s = malloc(n + 1);

	if (s == NULL)
		harness_die("out of memory");
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

const char *
harness_bin(void)
{
	const char *v = getenv("FORKHTTPD_BIN");

	return v && *v ? v : "src/forkhttpd";
}

const char *
harness_srcdir(void)
{
	const char *v = getenv("FORKHTTPD_SRCDIR");

	return v && *v ? v : ".";
}

const char *
harness_builddir(void)
{
	const char *v = getenv("FORKHTTPD_BUILDDIR");

	return v && *v ? v : ".";
}

/* ---- files --------------------------------------------------------------- */

static int
write_path(const char *path, const void *data, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	const char *p = data;

	if (fd == -1) {
		fprintf(stderr, "harness: open %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "harness: write %s: %s\n", path,
			    strerror(errno));
			close(fd);
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	/* the umask may have narrowed it; workers running as nobody read it */
	if (fchmod(fd, mode) == -1) {
		close(fd);
		return -1;
	}
	return close(fd);
}

static int
join(char *out, size_t cap, const char *a, const char *b)
{
	int n = snprintf(out, cap, "%s/%s", a, b);

	if (n < 0 || (size_t)n >= cap) {
		fprintf(stderr, "harness: path too long: %s/%s\n", a, b);
		return -1;
	}
	return 0;
}

static int
write_in(const char *dir, const char *name, const void *data, size_t len)
{
	char path[PATH_MAX];

	if (join(path, sizeof(path), dir, name) == -1)
		return -1;
	return write_path(path, data, len, 0644);
}

static int
mkdir_in(const char *dir, const char *name)
{
	char path[PATH_MAX];

	if (join(path, sizeof(path), dir, name) == -1)
		return -1;
	if (mkdir(path, 0755) == -1 && errno != EEXIST) {
		fprintf(stderr, "harness: mkdir %s: %s\n", path, strerror(errno));
		return -1;
	}
	return chmod(path, 0755);
}

void
harness_large_content(unsigned char *buf, size_t len)
{
	uint32_t x = 0x9e3779b9u;
	size_t i;

	/* xorshift: fixed, incompressible, no long runs of one byte */
	for (i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = (unsigned char)(x >> 24);
	}
}

int
harness_setup(struct harness_server *s)
{
	char tmp[PATH_MAX];
	char path[PATH_MAX];
	char onek[HARNESS_ONE_K_SIZE];
	unsigned char *large;
	size_t i;

	memset(s, 0, sizeof(*s));
	if (join(tmp, sizeof(tmp), harness_builddir(), "tests") == -1)
		return -1;
	if (mkdir(tmp, 0755) == -1 && errno != EEXIST) {
		fprintf(stderr, "harness: mkdir %s: %s\n", tmp, strerror(errno));
		return -1;
	}
	if (mkdir_in(tmp, "tmp") == -1)
		return -1;
	if (join(path, sizeof(path), tmp, "tmp/srv.XXXXXX") == -1)
		return -1;
	if (mkdtemp(path) == NULL) {
		fprintf(stderr, "harness: mkdtemp %s: %s\n", path,
		    strerror(errno));
		return -1;
	}
	if (realpath(path, s->dir) == NULL) {
		fprintf(stderr, "harness: realpath %s: %s\n", path,
		    strerror(errno));
		return -1;
	}
	/* workers drop to nobody when the tests run as root */
	if (chmod(s->dir, 0755) == -1)
		return -1;

	if (join(s->docroot, sizeof(s->docroot), s->dir, "docroot") == -1 ||
	    join(s->conf, sizeof(s->conf), s->dir, "forkhttpd.conf") == -1 ||
	    join(s->outside, sizeof(s->outside), s->dir, "outside.txt") == -1)
		return -1;
	snprintf(s->secret, sizeof(s->secret), "OUTSIDE-SECRET-%ld-%ld\n",
	    (long)getpid(), (long)harness_now_ms());

	if (mkdir_in(s->dir, "docroot") == -1 ||
	    mkdir_in(s->docroot, "subdir") == -1 ||
	    mkdir_in(s->docroot, "noindex") == -1)
		return -1;

	for (i = 0; i < sizeof(onek); i++)
		onek[i] = (i % 64 == 63) ? '\n' : (char)('a' + i % 26);

	large = malloc(HARNESS_LARGE_SIZE);
	if (large == NULL)
		harness_die("out of memory");
	harness_large_content(large, HARNESS_LARGE_SIZE);

	if (write_in(s->docroot, "index.html", HARNESS_INDEX_HTML,
	    strlen(HARNESS_INDEX_HTML)) == -1 ||
	    write_in(s->docroot, "one-k.txt", onek, sizeof(onek)) == -1 ||
	    write_in(s->docroot, "known.txt", HARNESS_KNOWN_TEXT,
	    strlen(HARNESS_KNOWN_TEXT)) == -1 ||
	    write_in(s->docroot, "large.bin", large, HARNESS_LARGE_SIZE) == -1 ||
	    write_in(s->docroot, "a", "content of a\n", 13) == -1 ||
	    write_in(s->docroot, "b", "content of b, longer\n", 21) == -1 ||
	    write_in(s->docroot, "c", "content of c\n", 13) == -1 ||
	    write_in(s->docroot, "subdir/index.html", HARNESS_SUBDIR_HTML,
	    strlen(HARNESS_SUBDIR_HTML)) == -1 ||
	    write_in(s->docroot, "noindex/file.txt", "no index here\n",
	    14) == -1 ||
	    write_path(s->outside, s->secret, strlen(s->secret), 0644) == -1) {
		free(large);
		return -1;
	}
	free(large);

	if (join(path, sizeof(path), s->docroot, "escape") == -1)
		return -1;
	if (symlink("../outside.txt", path) == -1) {
		fprintf(stderr, "harness: symlink %s: %s\n", path,
		    strerror(errno));
		return -1;
	}
	return 0;
}

int
harness_mkdir(const struct harness_server *s, const char *name)
{
	return mkdir_in(s->dir, name);
}

int
harness_write_data(const struct harness_server *s, const char *name,
    const void *data, size_t len)
{
	return write_in(s->dir, name, data, len);
}

/* The marker at off, a multiple of HARNESS_BIG_STRIDE: "@" 14 hex "\n". */
static void
big_marker(uint64_t off, char out[HARNESS_BIG_MARK_LEN + 1])
{
	char tmp[32];

	/* 14 hex digits cover 2^56 bytes: more than any test file */
	snprintf(tmp, sizeof(tmp), "@%014llx\n",
	    (unsigned long long)(off & 0xffffffffffffffULL));
	memcpy(out, tmp, HARNESS_BIG_MARK_LEN);
	out[HARNESS_BIG_MARK_LEN] = '\0';
}

void
harness_big_content(uint64_t off, unsigned char *buf, size_t len)
{
	uint64_t end = off + len;
	uint64_t m = off - off % HARNESS_BIG_STRIDE;
	char mark[HARNESS_BIG_MARK_LEN + 1];

	memset(buf, 0, len);
	for (; m < end; m += HARNESS_BIG_STRIDE) {
		uint64_t a = m > off ? m : off;
		uint64_t b = m + HARNESS_BIG_MARK_LEN < end ?
		    m + HARNESS_BIG_MARK_LEN : end;

		if (a >= b)
			continue;
		big_marker(m, mark);
		memcpy(buf + (a - off), mark + (a - m), (size_t)(b - a));
	}
}

void
harness_stream_init(struct harness_stream *s)
{
	memset(s, 0, sizeof(*s));
	harness_buf_init(&s->head);
	s->content_length = -1;
	s->bad_at = UINT64_MAX;
}

/* Checks body bytes p[0..n) against the big file at s->body. */
static void
harness_stream_body(struct harness_stream *s, const unsigned char *p,
    size_t n)
{
	/* static: 64 KiB is too much for a test's stack, and tests are serial */
	static unsigned char want[64 * 1024];

	while (n > 0) {
		size_t k = n < sizeof(want) ? n : sizeof(want);

		if (s->bad_at == UINT64_MAX) {
			harness_big_content(s->body, want, k);
			if (memcmp(p, want, k) != 0) {
				size_t j = 0;

				while (p[j] == want[j])
					j++;
				s->bad_at = s->body + j;
			}
		}
		s->body += k;
		p += k;
		n -= k;
	}
}

int
harness_stream_feed(struct harness_stream *s, const void *p, size_t n)
{
	struct harness_response r;
	const char *e;
	size_t hl;

	if (s->in_body) {
		harness_stream_body(s, p, n);
		return 0;
	}
	harness_buf_append(&s->head, p, n);
	e = memmem(s->head.data, s->head.len, "\r\n\r\n", 4);
	if (e == NULL)
		return 0;
	hl = (size_t)(e - s->head.data) + 4;
	if (harness_parse_response(s->head.data, hl, true, false, &r) !=
	    (ssize_t)hl) {
		harness_response_free(&r);
		return -1;
	}
	s->status = r.status;
	s->content_length = r.content_length;
	harness_response_free(&r);
	s->in_body = true;
	harness_stream_body(s, (const unsigned char *)s->head.data + hl,
	    s->head.len - hl);
	return 0;
}

void
harness_stream_free(struct harness_stream *s)
{
	harness_buf_free(&s->head);
}

int
harness_make_big_file(const struct harness_server *s, const char *name,
    uint64_t size)
{
	char path[PATH_MAX];
	char mark[HARNESS_BIG_MARK_LEN + 1];
	uint64_t m;
	int fd;

	if (join(path, sizeof(path), s->dir, name) == -1)
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd == -1 || ftruncate(fd, (off_t)size) == -1) {
		fprintf(stderr, "harness: %s: %s\n", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	for (m = 0; m < size; m += HARNESS_BIG_STRIDE) {
		size_t n = size - m < HARNESS_BIG_MARK_LEN ?
		    (size_t)(size - m) : HARNESS_BIG_MARK_LEN;

		big_marker(m, mark);
		if (pwrite(fd, mark, n, (off_t)m) != (ssize_t)n) {
			fprintf(stderr, "harness: write %s: %s\n", path,
			    strerror(errno));
			close(fd);
			return -1;
		}
	}
	if (fchmod(fd, 0644) == -1) {
		close(fd);
		return -1;
	}
	return close(fd);
}

int
harness_write_file(const struct harness_server *s, const char *name,
    const char *text, char *path, size_t cap)
{
	if (join(path, cap, s->dir, name) == -1)
		return -1;
	return write_path(path, text, strlen(text), 0644);
}

char *
harness_read_file(const struct harness_server *s, const char *name,
    size_t *lenp)
{
	char path[PATH_MAX];
	struct harness_buf b;
	char chunk[8192];
	int fd;

	if (name[0] == '/') {
		snprintf(path, sizeof(path), "%s", name);
	} else if (join(path, sizeof(path), s->dir, name) == -1) {
		return NULL;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return NULL;
	harness_buf_init(&b);
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		harness_buf_append(&b, chunk, (size_t)n);
	}
	close(fd);
	if (lenp)
		*lenp = b.len;
	return b.data;
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		(void)rmdir(path);
	else
		(void)unlink(path);
	return 0;
}

void
harness_cleanup(struct harness_server *s, bool keep)
{
	const char *k = getenv("FORKHTTPD_KEEP_TMP");

	if (s->dir[0] == '\0')
		return;
	if (keep || (k && *k && strcmp(k, "0") != 0)) {
		fprintf(stderr, "harness: kept %s\n", s->dir);
		return;
	}
	nftw(s->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	s->dir[0] = '\0';
}

/* ---- configuration and processes ---------------------------------------- */

uint16_t
harness_free_port(void)
{
	struct sockaddr_in sin;
	socklen_t slen = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	uint16_t port = 0;

	if (fd == -1)
		return 0;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = 0;
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sin, &slen) == 0)
		port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

const char harness_no_workers[] = "(no workers key)";

int
harness_write_conf(struct harness_server *s, uint16_t port, unsigned workers,
    const struct harness_conf *c)
{
	struct harness_conf none = { NULL, NULL, NULL, NULL, NULL };
	struct harness_buf b;
	int rc;

	if (c == NULL)
		c = &none;
	s->port = port;
	s->workers = workers;
	harness_buf_init(&b);
	harness_buf_appendf(&b, "# forkhttpd test configuration (tests/lib/harness.c)\n");
	if (c->listen_value)
		harness_buf_appendf(&b, "listen = %s\n", c->listen_value);
	else
		harness_buf_appendf(&b, "listen = { \"127.0.0.1:%u\" }\n",
		    (unsigned)port);
	if (c->workers_value == harness_no_workers)
		harness_buf_appendf(&b, "# no workers key: an adaptive pool\n");
	else if (c->workers_value)
		harness_buf_appendf(&b, "workers = %s\n", c->workers_value);
	else
		harness_buf_appendf(&b, "workers = %u\n", workers);
	harness_buf_appendf(&b, "document-root = %s\n",
	    c->docroot_value ? c->docroot_value : "\"docroot\"");
	harness_buf_appendf(&b, "pid-file = \"forkhttpd.pid\"\n");
	harness_buf_appendf(&b, "error-log = \"error.log\"\n");
	harness_buf_appendf(&b, "access-log = \"access.log\"\n");
	harness_buf_appendf(&b, "log-level = \"info\"\n");
	harness_buf_appendf(&b, "user = %s\n",
	    c->user_value ? c->user_value : "\"nobody\"");
	if (c->extra)
		harness_buf_appendf(&b, "%s\n", c->extra);
	rc = write_path(s->conf, b.data, b.len, 0644);
	harness_buf_free(&b);
	return rc;
}

pid_t
harness_spawn(struct harness_server *s)
{
	return harness_spawn_with(s, "-n");
}

pid_t
harness_spawn_with(struct harness_server *s, const char *flag)
{
	char out[PATH_MAX], err[PATH_MAX];
	pid_t pid;

	if (join(out, sizeof(out), s->dir, "stdout.log") == -1 ||
	    join(err, sizeof(err), s->dir, "stderr.log") == -1)
		return -1;
	s->exited = false;
	s->exit_status = 0;
	fflush(NULL);
	pid = fork();
	if (pid == -1)
		return -1;
	if (pid == 0) {
		int fo = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int fe = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int fi = open("/dev/null", O_RDONLY);

#if defined(HAVE_SYS_PRCTL_H) && defined(PR_SET_PDEATHSIG)
		/* do not outlive a test program that died */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
		if (fo == -1 || fe == -1 || fi == -1)
			_exit(127);
		dup2(fi, 0);
		dup2(fo, 1);
		dup2(fe, 2);
		signal(SIGPIPE, SIG_DFL);
		execl(harness_bin(), harness_bin(), flag, "-f", s->conf,
		    (char *)NULL);
		dprintf(2, "harness: exec %s: %s\n", harness_bin(),
		    strerror(errno));
		_exit(127);
	}
	s->pid = pid;
	return pid;
}

bool
harness_wait_exit(struct harness_server *s, int timeout_ms)
{
	int64_t deadline = harness_now_ms() + timeout_ms;

	if (s->exited)
		return true;
	if (s->pid <= 0)
		return false;
	for (;;) {
		int st;
		pid_t r = waitpid(s->pid, &st, WNOHANG);

		if (r == s->pid) {
			s->exited = true;
			s->exit_status = st;
			return true;
		}
		if (r == -1 && errno != EINTR) {
			/* not our child (a Check fork): poll /proc instead */
			if (harness_pid_state(s->pid) == 0 ||
			    harness_pid_state(s->pid) == 'Z') {
				s->exited = true;
				s->exit_status = -1;
				return true;
			}
		}
		if (harness_now_ms() >= deadline)
			return false;
		harness_sleep_ms(10);
	}
}

static bool
log_says_in_use(const struct harness_server *s)
{
	const char *files[] = { "stderr.log", "error.log" };
	bool found = false;
	size_t i;

	for (i = 0; i < 2 && !found; i++) {
		char *t = harness_read_file(s, files[i], NULL);

		if (t && strstr(t, "in use"))
			found = true;
		free(t);
	}
	return found;
}

int
harness_start(struct harness_server *s, unsigned workers,
    const struct harness_conf *c)
{
	int attempt;

	for (attempt = 0; attempt < 5; attempt++) {
		uint16_t port = harness_free_port();
		int64_t deadline;

		if (port == 0) {
			fprintf(stderr, "harness: no free port\n");
			return -1;
		}
		if (harness_write_conf(s, port, workers, c) == -1)
			return -1;
		if (harness_spawn(s) == -1) {
			fprintf(stderr, "harness: fork: %s\n", strerror(errno));
			return -1;
		}
		deadline = harness_now_ms() + HARNESS_START_TIMEOUT_MS;
		for (;;) {
			int fd;

			if (harness_wait_exit(s, 0))
				break;
			fd = harness_connect(port, 200);
			if (fd != -1) {
				close(fd);
				return 0;
			}
			if (harness_now_ms() >= deadline)
				break;
			harness_sleep_ms(20);
		}
		if (!s->exited) {
			fprintf(stderr, "harness: %s did not accept on port %u "
			    "within %d ms\n", harness_bin(), (unsigned)port,
			    HARNESS_START_TIMEOUT_MS);
			harness_stop(s);
			return -1;
		}
		if (WIFEXITED(s->exit_status) && WEXITSTATUS(s->exit_status) == 1 &&
		    log_says_in_use(s)) {
			fprintf(stderr, "harness: lost a race for port %u, "
			    "retrying\n", (unsigned)port);
			s->pid = 0;
			continue;
		}
		{
			char *e = harness_read_file(s, "stderr.log", NULL);

			fprintf(stderr, "harness: %s exited at start (status "
			    "0x%x); stderr:\n%s\n", harness_bin(),
			    (unsigned)s->exit_status, e ? e : "");
			free(e);
		}
		s->pid = 0;
		return -1;
	}
	return -1;
}

bool
harness_stop(struct harness_server *s)
{
	bool clean;

	if (s->pid <= 0)
		return false;
	if (!s->exited) {
		kill(s->pid, SIGTERM);
		if (!harness_wait_exit(s, HARNESS_STOP_TIMEOUT_MS)) {
			fprintf(stderr, "harness: pid %ld ignored TERM for %d ms, "
			    "sending KILL\n", (long)s->pid,
			    HARNESS_STOP_TIMEOUT_MS);
			kill(s->pid, SIGKILL);
			harness_wait_exit(s, HARNESS_STOP_TIMEOUT_MS);
			s->pid = 0;
			return false;
		}
	}
	clean = s->exited && WIFEXITED(s->exit_status) &&
	    WEXITSTATUS(s->exit_status) == 0;
	if (!clean)
		fprintf(stderr, "harness: server exited with status 0x%x\n",
		    (unsigned)s->exit_status);
	s->pid = 0;
	return clean;
}

int
harness_run(const struct harness_server *s, const char *const *args,
    int timeout_ms, char **outp, char **errp)
{
	return harness_run_reap(s, args, timeout_ms, outp, errp, NULL);
}

int
harness_run_reap(const struct harness_server *s, const char *const *args,
    int timeout_ms, char **outp, char **errp, struct harness_server *srv)
{
	char out[PATH_MAX], err[PATH_MAX];
	const char *argv[32];
	size_t n = 0;
	int64_t deadline;
	pid_t pid;
	int st = -1;

	if (join(out, sizeof(out), s->dir, "run.stdout") == -1 ||
	    join(err, sizeof(err), s->dir, "run.stderr") == -1)
		return -1;
	argv[n++] = harness_bin();
	while (*args && n < 31)
		argv[n++] = *args++;
	argv[n] = NULL;

	fflush(NULL);
	pid = fork();
	if (pid == -1)
		return -1;
	if (pid == 0) {
		int fo = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int fe = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int fi = open("/dev/null", O_RDONLY);

#if defined(HAVE_SYS_PRCTL_H) && defined(PR_SET_PDEATHSIG)
		prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
		if (fo == -1 || fe == -1 || fi == -1)
			_exit(127);
		dup2(fi, 0);
		dup2(fo, 1);
		dup2(fe, 2);
		signal(SIGPIPE, SIG_DFL);
		execv(argv[0], (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	deadline = harness_now_ms() + timeout_ms;
	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid)
			break;
		if (srv != NULL && srv->pid > 0)
			(void)harness_wait_exit(srv, 0);
		if (harness_now_ms() >= deadline) {
			fprintf(stderr, "harness: %s did not exit within %d ms\n",
			    argv[0], timeout_ms);
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			st = -1;
			break;
		}
		harness_sleep_ms(10);
	}
	if (outp)
		*outp = harness_read_file(s, out, NULL);
	if (errp)
		*errp = harness_read_file(s, err, NULL);
	return st;
}

char
harness_pid_state(pid_t pid)
{
	char state;
	pid_t ppid;

	if (!util_proc_stat(pid, &state, &ppid))
		return 0;
	return state;
}

static bool
numeric(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

int
harness_children(pid_t ppid, pid_t *out, int max, bool live_only)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int count = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		pid_t pid, pp;
		char state;

		if (!numeric(de->d_name))
			continue;
		pid = (pid_t)atol(de->d_name);
		if (!util_proc_stat(pid, &state, &pp) || pp != ppid)
			continue;
		if (live_only && (state == 'Z' || state == 'X'))
			continue;
		if (count < max)
			out[count] = pid;
		count++;
	}
	closedir(d);
	return count;
}

int
harness_procs_with_arg(const char *needle)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int count = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		char path[300], buf[8192];
		ssize_t n;
		int fd;

		if (!numeric(de->d_name) || atol(de->d_name) == (long)getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%s/cmdline", de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd == -1)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		for (ssize_t i = 0; i < n; i += (ssize_t)strlen(buf + i) + 1) {
			if (strstr(buf + i, needle)) {
				count++;
				break;
			}
		}
	}
	closedir(d);
	return count;
}

/* ---- sockets ------------------------------------------------------------- */

int
harness_connect(uint16_t port, int timeout_ms)
{
	return harness_connect_rcvbuf(port, timeout_ms, 0);
}

int
harness_connect_rcvbuf(uint16_t port, int timeout_ms, int rcvbuf)
{
	struct sockaddr_in sin;
	struct pollfd pfd;
	socklen_t elen = sizeof(int);
	int fd, flags, e = 0;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd == -1)
		return -1;
	/* before connect(): the window scale is agreed in the handshake */
	if (rcvbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
	    sizeof(rcvbuf)) == -1) {
		close(fd);
		return -1;
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons(port);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		if (errno != EINPROGRESS) {
			close(fd);
			return -1;
		}
		pfd.fd = fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, timeout_ms) != 1 ||
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &elen) == -1 ||
		    e != 0) {
			close(fd);
			return -1;
		}
	}
	flags = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	return fd;
}

/* Sends everything before the deadline; errors are left in errno. */
static int
send_all(int fd, const void *data, size_t len, int64_t deadline)
{
	const char *p = data;

	while (len > 0) {
		struct pollfd pfd = { fd, POLLOUT, 0 };
		ssize_t n;

		if (poll(&pfd, 1, remaining_ms(deadline)) != 1) {
			errno = ETIMEDOUT;
			return -1;
		}
		n = send(fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n == -1)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Reads what is there, waiting up to the deadline for something.
 * Returns bytes read, 0 at EOF, -1 with errno (ETIMEDOUT, ECONNRESET).
 */
static ssize_t
recv_some(int fd, struct harness_buf *b, int64_t deadline)
{
	char chunk[65536];

	for (;;) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		ssize_t n;
		int pr = poll(&pfd, 1, remaining_ms(deadline));

		if (pr == -1 && errno == EINTR)
			continue;
		if (pr != 1) {
			errno = ETIMEDOUT;
			return -1;
		}
		n = recv(fd, chunk, sizeof(chunk), MSG_DONTWAIT);
		if (n == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n > 0)
			harness_buf_append(b, chunk, (size_t)n);
		return n;
	}
}

int
harness_roundtrip(uint16_t port, const void *req, size_t len,
    struct harness_buf *out, int timeout_ms, bool *reset)
{
	int64_t deadline = harness_now_ms() + timeout_ms;
	int fd = harness_connect(port, timeout_ms);
	int rc;

	if (reset)
		*reset = false;
	if (fd == -1)
		return -1;
	/* a server that answers early may stop reading: keep the reply */
	(void)send_all(fd, req, len, deadline);
	for (;;) {
		ssize_t n = recv_some(fd, out, deadline);

		if (n > 0)
			continue;
		if (n == 0) {
			rc = 0;
		} else if (errno == ETIMEDOUT) {
			rc = 1;
		} else {
			if (reset)
				*reset = true;
			rc = 0;
		}
		break;
	}
	close(fd);
	return rc;
}

int
harness_conn_open(struct harness_conn *c, uint16_t port)
{
	return harness_conn_open_rcvbuf(c, port, 0);
}

int
harness_conn_open_rcvbuf(struct harness_conn *c, uint16_t port, int rcvbuf)
{
	c->fd = harness_connect_rcvbuf(port, HARNESS_IO_TIMEOUT_MS, rcvbuf);
	c->eof = false;
	c->reset = false;
	harness_buf_init(&c->in);
	return c->fd == -1 ? -1 : 0;
}

int
harness_conn_send(struct harness_conn *c, const void *data, size_t len)
{
	return send_all(c->fd, data, len,
	    harness_now_ms() + HARNESS_IO_TIMEOUT_MS);
}

int
harness_conn_sendstr(struct harness_conn *c, const char *s)
{
	return harness_conn_send(c, s, strlen(s));
}

static void
conn_fill(struct harness_conn *c, int64_t deadline)
{
	ssize_t n;

	if (c->eof)
		return;
	n = recv_some(c->fd, &c->in, deadline);
	if (n == 0) {
		c->eof = true;
	} else if (n == -1 && errno != ETIMEDOUT) {
		c->eof = true;
		c->reset = true;
	}
}

int
harness_conn_read_response(struct harness_conn *c, bool head,
    struct harness_response *r, int timeout_ms)
{
	int64_t deadline = harness_now_ms() + timeout_ms;

	memset(r, 0, sizeof(*r));
	for (;;) {
		ssize_t used = harness_parse_response(c->in.data, c->in.len,
		    head, c->eof, r);

		if (used > 0) {
			buf_consume(&c->in, (size_t)used);
			return 0;
		}
		if (used < 0 || c->eof || harness_now_ms() >= deadline)
			return -1;
		conn_fill(c, deadline);
	}
}

int
harness_conn_wait_eof(struct harness_conn *c, int timeout_ms)
{
	int64_t deadline = harness_now_ms() + timeout_ms;

	while (!c->eof && c->in.len == 0 && harness_now_ms() < deadline)
		conn_fill(c, deadline);
	if (c->in.len > 0)
		return -1;
	return c->eof ? 1 : 0;
}

ssize_t
harness_conn_recv(struct harness_conn *c, int timeout_ms)
{
	size_t before = c->in.len;

	if (c->eof)
		return 0;
	conn_fill(c, harness_now_ms() + timeout_ms);
	if (c->in.len > before)
		return (ssize_t)(c->in.len - before);
	return c->eof ? 0 : -1;
}

void
harness_conn_close(struct harness_conn *c)
{
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
	harness_buf_free(&c->in);
}

int
harness_request(uint16_t port, const char *method, const char *path,
    const char *extra_headers, struct harness_response *r)
{
	struct harness_conn c;
	struct harness_buf req;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	if (harness_conn_open(&c, port) == -1)
		return -1;
	harness_buf_init(&req);
	harness_buf_appendf(&req, "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
	    "Connection: close\r\n%s\r\n", method, path, (unsigned)port,
	    extra_headers ? extra_headers : "");
	if (harness_conn_send(&c, req.data, req.len) == 0)
		rc = harness_conn_read_response(&c,
		    strcmp(method, "HEAD") == 0, r, HARNESS_IO_TIMEOUT_MS);
	harness_buf_free(&req);
	harness_conn_close(&c);
	return rc;
}

/* ---- responses ----------------------------------------------------------- */

void
harness_response_free(struct harness_response *r)
{
	free(r->head);
	free(r->body);
	memset(r, 0, sizeof(*r));
}

/* Finds field name in head; *vp, *vl: the trimmed value. */
static bool
find_field(const char *head, size_t head_len, const char *name, int nth,
    const char **vp, size_t *vl)
{
	const char *p = memchr(head, '\n', head_len);
	const char *end = head + head_len;
	size_t nlen = strlen(name);
	int seen = 0;

	while (p != NULL && ++p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *line_end;

		if (eol == NULL)
			eol = end;
		line_end = eol;
		if (line_end > p && line_end[-1] == '\r')
			line_end--;
		if ((size_t)(line_end - p) > nlen && p[nlen] == ':' &&
		    strncasecmp(p, name, nlen) == 0) {
			if (seen++ == nth) {
				const char *v = p + nlen + 1;

				while (v < line_end && (*v == ' ' || *v == '\t'))
					v++;
				while (line_end > v && (line_end[-1] == ' ' ||
				    line_end[-1] == '\t'))
					line_end--;
				*vp = v;
				*vl = (size_t)(line_end - v);
				return true;
			}
		}
		p = eol < end ? eol : NULL;
	}
	return false;
}

bool
harness_header(const struct harness_response *r, const char *name, char *out,
    size_t cap)
{
	const char *v;
	size_t vl;

	if (r->head == NULL || !find_field(r->head, r->head_len, name, 0, &v, &vl))
		return false;
	if (out && cap > 0) {
		if (vl >= cap)
			vl = cap - 1;
		memcpy(out, v, vl);
		out[vl] = '\0';
	}
	return true;
}

int
harness_header_count(const struct harness_response *r, const char *name)
{
	const char *v;
	size_t vl;
	int n = 0;

	if (r->head == NULL)
		return 0;
	while (find_field(r->head, r->head_len, name, n, &v, &vl))
		n++;
	return n;
}

ssize_t
harness_parse_response(const char *buf, size_t len, bool head, bool at_eof,
    struct harness_response *r)
{
	const char *end;
	size_t head_len, body_len;
	const char *v;
	size_t vl;
	int status, minor;
	char cl[32];

	memset(r, 0, sizeof(*r));
	r->content_length = -1;
	if (len >= 5 && strncmp(buf, "HTTP/", 5) != 0)
		return -1;
	if (len < 5 && strncmp(buf, "HTTP/", len) != 0)
		return -1;
	end = memmem(buf, len, "\r\n\r\n", 4);
	if (end == NULL)
		return 0;
	head_len = (size_t)(end - buf) + 4;
	if (sscanf(buf, "HTTP/1.%d %3d", &minor, &status) != 2)
		return -1;
	if (find_field(buf, head_len, "Content-Length", 0, &v, &vl)) {
		char *e;

		if (vl == 0 || vl >= sizeof(cl))
			return -1;
		memcpy(cl, v, vl);
		cl[vl] = '\0';
		r->content_length = strtoll(cl, &e, 10);
		if (*e != '\0' || r->content_length < 0)
			return -1;
	}
	if (head || status / 100 == 1 || status == 204 || status == 304) {
		body_len = 0;
	} else if (r->content_length >= 0) {
		body_len = (size_t)r->content_length;
		if (len - head_len < body_len)
			return 0;
	} else {
		if (!at_eof)
			return 0;
		body_len = len - head_len;
	}
	r->status = status;
	r->minor = minor;
	r->head = xstrndup(buf, head_len);
	r->head_len = head_len;
	r->body = xstrndup(buf + head_len, body_len);
	r->body_len = body_len;
	return (ssize_t)(head_len + body_len);
}

bool
harness_names_line(const char *text, const char *conf_name, int line)
{
	char needle[PATH_MAX];
	const char *p = text;
	size_t n;

	snprintf(needle, sizeof(needle), "%s:%d", conf_name, line);
	n = strlen(needle);
	while ((p = strstr(p, needle)) != NULL) {
		if (!isdigit((unsigned char)p[n]))
			return true;
		p += n;
	}
	return false;
}
