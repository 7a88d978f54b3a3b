/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * harness.h - helpers for the integration tests: a scratch directory with
 * a document root, a configuration file, the real forkhttpd binary started
 * in the foreground on an ephemeral loopback port, raw HTTP round trips
 * and a reader for one response at a time (keep-alive, pipelining), the
 * master's workers from /proc, a bounded stop, and the Check programs'
 * main() and test cases.
 *
 * Everything waits against a deadline and talks to 127.0.0.1 only.
 * The binary is $FORKHTTPD_BIN; scratch directories go under
 * $FORKHTTPD_BUILDDIR/tests/tmp (kept after a failure, for debugging;
 * FORKHTTPD_KEEP_TMP=1 keeps them always).
 */
#ifndef FORKHTTPD_TESTS_HARNESS_H
#define FORKHTTPD_TESTS_HARNESS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <check.h>

#define HARNESS_START_TIMEOUT_MS	5000
#define HARNESS_STOP_TIMEOUT_MS		5000
#define HARNESS_IO_TIMEOUT_MS		5000

/* Sizes of the fixture files in the document root. */
#define HARNESS_ONE_K_SIZE		1024
#define HARNESS_LARGE_SIZE		(200 * 1024)

/*
 * The generated configuration file, one key per line in this order, so
 * tests can check that messages name the right line.  Extra text starts
 * at HARNESS_LINE_EXTRA.
 */
enum harness_conf_line {
	HARNESS_LINE_COMMENT = 1,
	HARNESS_LINE_LISTEN,
	HARNESS_LINE_WORKERS,
	HARNESS_LINE_DOCROOT,
	HARNESS_LINE_PIDFILE,
	HARNESS_LINE_ERRORLOG,
	HARNESS_LINE_ACCESSLOG,
	HARNESS_LINE_LOGLEVEL,
	HARNESS_LINE_USER,
	HARNESS_LINE_EXTRA
};

/*
 * What goes into the conf file.  Each *_value is the raw text after
 * "key = "; NULL means the default shown.
 */
struct harness_conf {
	const char *listen_value;	/* { "127.0.0.1:PORT" } */
	const char *workers_value;	/* the workers argument of harness_start;
					 * harness_no_workers: no such key */
	const char *docroot_value;	/* "docroot" */
	const char *user_value;		/* "nobody" */
	const char *extra;		/* appended verbatim, may be NULL */
};

/*
 * As workers_value: the conf gets no `workers` key (the keys of the
 * adaptive pool exclude it), only a comment in its place, so that the
 * lines keep their numbers.  Compared by address.
 */
extern const char harness_no_workers[];

struct harness_server {
	char dir[PATH_MAX];		/* scratch directory, absolute */
	char docroot[PATH_MAX];		/* dir/docroot */
	char conf[PATH_MAX];		/* dir/forkhttpd.conf */
	char outside[PATH_MAX];		/* dir/outside.txt, not under docroot */
	char secret[64];		/* the content of outside.txt */
	uint16_t port;			/* the listening port */
	unsigned workers;
	pid_t pid;			/* the master, 0 when not running */
	int exit_status;		/* waitpid() status once it exited */
	bool exited;
};

/* Growable byte buffer; data is always NUL-terminated. */
struct harness_buf {
	char *data;
	size_t len;
	size_t cap;
};

void harness_buf_init(struct harness_buf *b);
void harness_buf_append(struct harness_buf *b, const void *p, size_t n);
void harness_buf_appendf(struct harness_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void harness_buf_free(struct harness_buf *b);

/* One parsed response.  head and body are owned (harness_response_free). */
struct harness_response {
	int status;			/* 0 if no status line could be read */
	int minor;			/* HTTP/1.minor */
	char *head;			/* status line and fields, CRLFs included */
	size_t head_len;		/* up to and including the empty line */
	char *body;			/* NUL-terminated copy */
	size_t body_len;
	long long content_length;	/* -1 if no Content-Length */
};

void harness_response_free(struct harness_response *r);

/*
 * Copies the value of the first field called name (no case) into out,
 * trimmed.  Returns true if the field is present.
 */
bool harness_header(const struct harness_response *r, const char *name,
    char *out, size_t cap);

/* How many fields called name the response has. */
int harness_header_count(const struct harness_response *r, const char *name);

/*
 * Parses one response at the start of buf[0..len).  head: the request was
 * HEAD (no body whatever the fields say).  at_eof: the bytes end where
 * the peer closed, so a response without Content-Length ends there.
 * Returns the bytes consumed, 0 if incomplete, -1 if not HTTP.
 */
ssize_t harness_parse_response(const char *buf, size_t len, bool head,
    bool at_eof, struct harness_response *r);

/* Abort with a message naming the caller's expectation (not Check). */
void harness_die(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

/* Milliseconds of CLOCK_MONOTONIC. */
int64_t harness_now_ms(void);

/*
 * Whether text names "conf_name:line" (an error message pointing at a
 * configuration line), with line not followed by another digit.
 */
bool harness_names_line(const char *text, const char *conf_name, int line);
void harness_sleep_ms(int ms);

/* $FORKHTTPD_BIN, $FORKHTTPD_SRCDIR, $FORKHTTPD_BUILDDIR (with fallbacks). */
const char *harness_bin(void);
const char *harness_srcdir(void);
const char *harness_builddir(void);

/*
 * Creates the scratch directory (mode 0755, under builddir/tests/tmp) and
 * the document root in it:
 *   index.html          HARNESS_INDEX_HTML
 *   one-k.txt           1 KiB of text
 *   known.txt           HARNESS_KNOWN_TEXT
 *   large.bin           200 KiB of a fixed pseudo-random pattern
 *   a, b, c             "content of a\n" ...
 *   subdir/index.html   HARNESS_SUBDIR_HTML
 *   noindex/file.txt    (a directory without an index)
 *   escape              symlink to ../outside.txt
 * and dir/outside.txt (s->secret) outside the root.
 * Returns 0, or -1 with a message on stderr.
 */
int harness_setup(struct harness_server *s);

#define HARNESS_INDEX_HTML \
	"<!DOCTYPE html>\n<html><head><title>forkhttpd test root</title>" \
	"</head>\n<body><p>index of the test document root</p></body></html>\n"
#define HARNESS_SUBDIR_HTML \
	"<!DOCTYPE html>\n<html><head><title>subdir</title></head>\n" \
	"<body><p>the index of subdir</p></body></html>\n"
#define HARNESS_KNOWN_TEXT \
	"known content: the quick brown fox jumps over the lazy dog\n"

/* Fills buf with the bytes of large.bin (HARNESS_LARGE_SIZE). */
void harness_large_content(unsigned char *buf, size_t len);

/*
 * Extra files for one test, relative to s->dir (so "docroot/x" is in the
 * document root).  harness_mkdir: a directory, mode 0755.
 * harness_write_data: len bytes, mode 0644.  Both return 0, or -1 with a
 * message on stderr.
 */
int harness_mkdir(const struct harness_server *s, const char *name);
int harness_write_data(const struct harness_server *s, const char *name,
    const void *data, size_t len);

/*
 * A big file of size bytes that costs no disk: a sparse file, zero but
 * for a 16-byte marker at every multiple of HARNESS_BIG_STRIDE naming its
 * offset, so a reader can tell a byte of it from a misplaced one.
 * harness_big_content() fills buf with the bytes at [off, off + len).
 */
#define HARNESS_BIG_STRIDE		(1024 * 1024)
#define HARNESS_BIG_MARK_LEN		16
int harness_make_big_file(const struct harness_server *s, const char *name,
    uint64_t size);
void harness_big_content(uint64_t off, unsigned char *buf, size_t len);

/*
 * A response to a GET of a big file read as a stream: the head is
 * gathered and parsed, then every body byte is checked against
 * harness_big_content() as it comes, so 64 MiB can be verified without
 * being kept.  Only the first wrong byte is recorded; counting goes on.
 *
 * harness_stream_init() readies s (no head yet, content_length -1,
 * bad_at UINT64_MAX).  harness_stream_feed() takes the next n bytes of
 * the connection, in any split.  It returns 0, or -1 when the head is
 * complete but is not an HTTP response head (s->head.data holds it, for
 * the message); it keeps returning -1 after that.  Bytes that follow the
 * head count as body from offset 0 of the file.  harness_stream_free()
 * releases the head.
 */
struct harness_stream {
	struct harness_buf head;	/* the bytes up to the empty line */
	bool in_body;			/* the head was read and parsed */
	int status;			/* 0 until in_body */
	long long content_length;	/* -1 if none (or not yet known) */
	uint64_t body;			/* body bytes so far */
	uint64_t bad_at;		/* first wrong byte, or UINT64_MAX */
};

void harness_stream_init(struct harness_stream *s);
int harness_stream_feed(struct harness_stream *s, const void *p, size_t n);
void harness_stream_free(struct harness_stream *s);

/* A free port on 127.0.0.1 (bound to port 0, read back, closed); 0 on error. */
uint16_t harness_free_port(void);

/*
 * Writes s->conf for port and workers with the overrides in c (NULL: none).
 * Returns 0 or -1.
 */
int harness_write_conf(struct harness_server *s, uint16_t port,
    unsigned workers, const struct harness_conf *c);

/* Writes text to dir/name (for hand-made conf files); path gets the name. */
int harness_write_file(const struct harness_server *s, const char *name,
    const char *text, char *path, size_t cap);

/*
 * Picks a port, writes the conf, starts $FORKHTTPD_BIN -n -f conf with
 * stdout/stderr in dir/stdout.log and dir/stderr.log, and waits (20 ms
 * steps, up to 5 s) until a connect() succeeds.  Retries with another port
 * if the server lost a race for the port.  Returns 0, or -1 (the server
 * is not running then; the reason is on stderr).
 */
int harness_start(struct harness_server *s, unsigned workers,
    const struct harness_conf *c);

/*
 * Starts the binary on the conf as it is, without waiting for anything.
 * Returns the pid (also in s->pid) or -1.
 */
pid_t harness_spawn(struct harness_server *s);

/* The same with flag ("-n", "-X") in place of -n. */
pid_t harness_spawn_with(struct harness_server *s, const char *flag);

/*
 * Waits up to timeout_ms for s->pid to exit; stores its status.  Returns
 * true if it exited.
 */
bool harness_wait_exit(struct harness_server *s, int timeout_ms);

/*
 * TERM, wait up to 5 s, then KILL as a last resort.  Returns true if the
 * master exited by itself with status 0.
 */
bool harness_stop(struct harness_server *s);

/*
 * Removes the scratch directory unless keep (or FORKHTTPD_KEEP_TMP) is
 * set; then it says where the directory is.
 */
void harness_cleanup(struct harness_server *s, bool keep);

/* Reads dir/name (or an absolute path) into a NUL-terminated buffer. */
char *harness_read_file(const struct harness_server *s, const char *name,
    size_t *len);

/*
 * Runs $FORKHTTPD_BIN with args (argv[0] is added), stdout and stderr
 * captured into *out and *err (owned, NUL-terminated; either may be
 * NULL), waiting up to timeout_ms.  Returns the waitpid() status, or -1
 * if it had to be killed.
 */
int harness_run(const struct harness_server *s, const char *const *args,
    int timeout_ms, char **out, char **err);

/*
 * harness_run, reaping srv's master (harness_spawn's child) while it
 * waits, so a command that waits for the master to be gone (`-s stop`)
 * does not wait on a zombie of ours: outside the tests, init reaps it.
 * srv's exited and exit_status are set when it exits; srv may be NULL.
 */
int harness_run_reap(const struct harness_server *s, const char *const *args,
    int timeout_ms, char **out, char **err, struct harness_server *srv);

/* ---- sockets ----------------------------------------------------------- */

/* A connected TCP socket to 127.0.0.1:port within timeout_ms, or -1. */
int harness_connect(uint16_t port, int timeout_ms);

/*
 * harness_connect with SO_RCVBUF set to rcvbuf bytes before connecting
 * (the kernel doubles it and then leaves it alone), so a client that does
 * not read fills its window soon.  rcvbuf <= 0: the default buffer.
 */
int harness_connect_rcvbuf(uint16_t port, int timeout_ms, int rcvbuf);

/*
 * Connects, sends len bytes and reads until the peer closes or timeout_ms
 * passes.  The reply (possibly partial) is in out.  Returns 0 when the
 * peer closed, 1 on timeout, -1 if it could not connect.  A reset after
 * some bytes counts as closed (*reset tells, if not NULL).
 */
int harness_roundtrip(uint16_t port, const void *req, size_t len,
    struct harness_buf *out, int timeout_ms, bool *reset);

/* A connection for reading one response at a time. */
struct harness_conn {
	int fd;
	struct harness_buf in;		/* received, not yet consumed */
	bool eof;			/* the peer closed (or reset) */
	bool reset;
};

int harness_conn_open(struct harness_conn *c, uint16_t port);
/* The same with a receive buffer of rcvbuf (harness_connect_rcvbuf). */
int harness_conn_open_rcvbuf(struct harness_conn *c, uint16_t port,
    int rcvbuf);
/* Sends all of data; returns 0 or -1 (errno). */
int harness_conn_send(struct harness_conn *c, const void *data, size_t len);
int harness_conn_sendstr(struct harness_conn *c, const char *s);
/*
 * Reads exactly one response (head: it answers a HEAD request).  Returns 0,
 * or -1 on timeout, a close before the response was complete, or bytes
 * that are not HTTP.
 */
int harness_conn_read_response(struct harness_conn *c, bool head,
    struct harness_response *r, int timeout_ms);
/*
 * Waits up to timeout_ms for the peer to close.  Returns 1 if it closed
 * with nothing more sent, 0 if the connection is still open, -1 if more
 * bytes arrived (left in c->in).
 */
int harness_conn_wait_eof(struct harness_conn *c, int timeout_ms);
/*
 * One read of what arrives within timeout_ms, appended to c->in.  Returns
 * the bytes read; 0 if the peer closed (c->eof, and c->reset if it was a
 * reset), also when it had closed before; -1 on timeout.
 */
ssize_t harness_conn_recv(struct harness_conn *c, int timeout_ms);
void harness_conn_close(struct harness_conn *c);

/*
 * GET (or HEAD) path over a new HTTP/1.1 connection with Connection: close
 * and the extra header lines (each ending in CRLF, may be NULL).
 * Returns 0 with *r filled, or -1.
 */
int harness_request(uint16_t port, const char *method, const char *path,
    const char *extra_headers, struct harness_response *r);

/* ---- processes --------------------------------------------------------- */

/*
 * The pids whose parent is ppid (from /proc/<pid>/stat), zombies included
 * unless live_only.  Returns the count (at most max are stored).
 */
int harness_children(pid_t ppid, pid_t *out, int max, bool live_only);

/* The state letter of pid ('R', 'S', 'Z', ...), or 0 if it does not exist. */
char harness_pid_state(pid_t pid);

/* How many processes other than this one have an argument containing needle. */
int harness_procs_with_arg(const char *needle);

/* Polls fn every 20 ms until it returns true or timeout_ms passes. */
bool harness_poll(bool (*fn)(void *), void *arg, int timeout_ms);

/*
 * The failures of a loop that goes on after one (a load client, a
 * probe): how many, and the message of the first, for the assertion at
 * the end.  Starts zeroed.
 */
struct harness_failures {
	unsigned n;
	char first[256];
};

/* Counts one failure in f; its message is kept if it is the first. */
void harness_fail(struct harness_failures *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- Check ------------------------------------------------------------- */

/*
 * A new test case called name, added to s.  Its timeout is 30 s when
 * CK_DEFAULT_TIMEOUT is not set: make check sets it, and by hand Check's
 * 4 s is too short for a real server.
 */
TCase *harness_tcase(Suite *s, const char *name);

/*
 * main() of an integration test called prog: ignores SIGPIPE (a server
 * may close before a request is all sent), makes sure $FORKHTTPD_BIN can
 * run, then runs every test of make_suite() (CK_ENV output).  Returns
 * main()'s status: EXIT_SUCCESS when all passed.
 */
int harness_main(const char *prog, Suite *(*make_suite)(void));

#endif
