/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * app.h - a request answered by an application in another process: an
 * HTTP upstream (proxy.c), a FastCGI server (fastcgi.c) or a CGI script
 * (cgi.c).  One exchange over one descriptor to the application (a
 * socket; for CGI one end of a socket pair that is the script's stdin
 * and stdout), and for CGI a second one that reads its stderr.
 *
 * What is common lives here, the driver: a non-blocking connect, the
 * bytes going out to the application (a prelude the handler writes: the
 * request head, or FastCGI's parameters; then the request body, framed
 * by the kind as it arrives), the bytes coming back (de-framed by the
 * kind into one stream: the response head, then its body), deadlines,
 * and the end.  What differs is a struct app_kind: four functions.
 *
 * Never waits: every call does what the descriptors allow now; the
 * connection (conn.c) watches app->fd for app_events() and app->errfd
 * for reading, and calls again when they are ready or at app->due.
 *
 * Ownership.  A handler makes the app (app_init() on memory of its own
 * kind's struct, which embeds struct app first), writes its prelude
 * with app_out(), and puts it in resp->app; from then on the connection
 * owns it and ends it with app_end(), exactly once, which calls the
 * kind's end() to free it.  The app keeps no pointer into the request:
 * whatever the prelude needs is copied when the handler runs.
 */
#ifndef FORKHTTPD_APP_H
#define FORKHTTPD_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "http.h"

struct app;

/* What a kind's decode() found in the application's bytes. */
enum app_decode {
	APP_DEC_MORE = 0,	/* everything given was taken; need more */
	APP_DEC_DATA,		/* data and len: bytes of the response stream */
	APP_DEC_END,		/* the response is complete */
	APP_DEC_ERROR		/* broken: what came is not the protocol */
};

/* What a kind's head() made of a complete response head. */
enum app_head {
	APP_HEAD_FINAL = 0,	/* resp has the status, fields and framing */
	APP_HEAD_INTERIM,	/* a 1xx to skip: another head follows */
	APP_HEAD_UPGRADE,	/* 101: from now on bytes pass both ways as
				 * they are (a WebSocket tunnel) */
	APP_HEAD_LOCAL,		/* a CGI local redirect (RFC 3875 §6.2.2):
				 * resp->location is a path the server
				 * answers itself, as a GET of it (resp is
				 * also a 302 to it, for where it cannot) */
	APP_HEAD_BAD		/* not a valid head: 502 */
};

struct app_kind {
	const char *name;	/* "proxy", "fastcgi", "cgi": for the logs */
	/*
	 * Frames request body data[0..n) into the output with app_out();
	 * returns the bytes of data taken (fewer when the output has no
	 * room; 0 is fine).  last: the body ends after data (n may be 0):
	 * once all of data is taken, the kind writes its end-of-body
	 * framing (the driver calls with last only while app_out_room()
	 * leaves at least APP_END_ROOM bytes beside data, so it fits).  Never called for a request without a body unless the
	 * kind's prelude asked for it (app->body_always).  After
	 * APP_HEAD_UPGRADE, bytes pass as they are (a tunnel).
	 */
	size_t (*frame)(struct app *a, const char *data, size_t n, bool last);
	/*
	 * De-frames in[0..n) from the application: sets *took (bytes
	 * consumed) and, for APP_DEC_DATA, *data and *len (inside in, or
	 * in the kind's own memory until the next call).  eof: the
	 * application closed after in (n may be 0).  Called with n 0 and
	 * eof false too, before the driver reads more: a framing may end
	 * without another byte (then APP_DEC_END), else APP_DEC_MORE.  Bytes of the head are
	 * handed out as data too; a kind whose framing depends on the head
	 * (HTTP) hands out no byte past the blank line that ends it until
	 * head() has been called.  After APP_HEAD_UPGRADE, bytes pass as
	 * they are.
	 */
	enum app_decode (*decode)(struct app *a, const char *in, size_t n,
	    bool eof, size_t *took, const char **data, size_t *len);
	/*
	 * The response head, in[0..len) up to and including the blank line
	 * (CRLF or LF line ends): fills resp's status, reason, fields and,
	 * when known, content_length (else -1: the connection chunks the
	 * body for the client, or closes after it).  resp may already have
	 * fields (the route's `header` ones): add to them, never reset it.
	 */
	enum app_head (*head)(struct app *a, const char *in, size_t len,
	    struct http_response *resp);
	/*
	 * The application is done with: complete says the exchange ended
	 * as the protocol says (the kind may keep its connection for
	 * another request) or not (the kind closes it, kills a script).
	 * Frees a.  a->fd and a->errfd are the kind's to close or keep.
	 */
	void (*end)(struct app *a, bool complete);
	/*
	 * Optional (NULL: none).  The application could not be reached,
	 * or closed before answering, and no byte of its answer came:
	 * connects a->fd anew (another upstream) and writes the prelude
	 * again (the output is empty when it is called); returns 0, or -1
	 * when there is nothing left to try.  Not called once a byte of the
	 * request body was taken.
	 */
	int (*retry)(struct app *a);
};

/* The longest response head an application may send. */
#define APP_HEAD_MAX (16 * 1024)
/* The output buffer's room for request body bytes beyond the prelude. */
#define APP_OUT_WINDOW (16 * 1024)
/* Room a kind's end-of-body framing may take (see frame()). */
#define APP_END_ROOM 64
/* The input buffer. */
#define APP_IN_BUF (16 * 1024)

struct app {
	const struct app_kind *kind;
	char label[128];	/* who, for the logs: "127.0.0.1:3000" */
	int fd;			/* to the application; -1: none */
	unsigned fd_gen;	/* counts the times fd was replaced (retry):
				 * the old one went with its epoll watch */
	bool connecting;	/* a non-blocking connect() under way */
	int errfd;		/* CGI's stderr, read into the error log;
				 * -1: none */
	pid_t pid;		/* CGI's script (its process group); 0 */
	int64_t connect_ms;	/* upstream-connect-timeout */
	int64_t idle_ms;	/* longest silence once connected */
	int64_t due;		/* the deadline of what the app waits for */
	bool body_always;	/* frame() is called even without a body
				 * (FastCGI ends an empty stdin) */
	bool stdio;		/* fd is a script's stdin and stdout (CGI):
				 * shut down for writing once the body is
				 * out (its EOF), and a reset once it has
				 * answered is its end (it exited without
				 * reading all of its stdin) */
	/* The private part (app.c): buffers and the exchange's state. */
	char *out;		/* to the application */
	size_t out_len, out_off, out_cap;
	char *in;		/* from it */
	size_t in_len, in_off;
	const char *data;	/* de-framed bytes not yet handed on */
	size_t data_len;
	char *head;		/* the response head, collected */
	size_t head_len;
	bool head_done;		/* head() said APP_HEAD_FINAL */
	bool upgraded;		/* head() said APP_HEAD_UPGRADE */
	bool local;		/* head() said APP_HEAD_LOCAL */
	bool body_end;		/* the request body ended (frame(last)) */
	bool out_closed;	/* it stopped reading (EPIPE): the rest of
				 * the body is dropped */
	bool stdin_shut;	/* stdio: shutdown(SHUT_WR) done */
	uint64_t body_in;	/* request body bytes taken */
	bool answered;		/* a byte of the answer came */
	bool just_sent;		/* bytes went out since the last look for
				 * an answer: none can be there yet */
	bool in_eof;		/* the application closed its side */
	bool ended;		/* decode() said APP_DEC_END */
	bool failed;		/* it broke: 502/504 or a cut response */
	int fail_status;	/* 502 or 504 while no head went out */
	uint64_t sent;		/* bytes written to the application */
	uint64_t got;		/* bytes read from it */
	char errline[256];	/* a stderr line being collected */
	size_t errline_len;
};

/*
 * Sets up a (its kind's struct, zeroed by the caller) for kind, with the
 * application's descriptor fd (connected, or connecting when connecting
 * is true: EINPROGRESS), label for the logs and the deadlines in
 * milliseconds.  Allocates the buffers.  Returns 0, or -1 (ENOMEM: fd
 * is then the caller's to close).
 */
int app_init(struct app *a, const struct app_kind *kind, int fd,
    bool connecting, const char *label, int64_t connect_ms, int64_t idle_ms);

/*
 * Room for at least want more bytes of output: a pointer to write them
 * at, then app_out_commit() with how many were written.  NULL when the
 * output is full (want beyond what is left of the window: the body must
 * wait) or memory ran out.  The prelude may be up to APP_HEAD_MAX +
 * APP_OUT_WINDOW bytes.
 */
char *app_out(struct app *a, size_t want);
void app_out_commit(struct app *a, size_t n);

/* How many bytes app_out() would give room for now (the body's share:
 * at most APP_OUT_WINDOW beyond what waits to go out). */
size_t app_out_room(const struct app *a);

/* What app->fd waits for now (EPOLLIN, EPOLLOUT, both, or 0). */
uint32_t app_events(const struct app *a);

/*
 * Starts the clock: the connect deadline, or the idle one.  The
 * connection calls it once the app is its own, at now (ms).
 */
void app_start(struct app *a, int64_t now);

/*
 * Hands request body data[0..n) to the application (framed by the kind)
 * and writes what the descriptor takes.  last: the body ends after it.
 * Returns the bytes of data taken (fewer, even 0, when the application
 * is not taking them now: wait for app_events()), or -1 when the
 * application failed (app->fail_status says 502 or 504).
 */
ssize_t app_body(struct app *a, const char *data, size_t n, bool last,
    int64_t now);

/*
 * Moves what the descriptors allow now, until the response head is
 * known.  Returns 1 when it is (resp filled; the body follows through
 * app_pull()), 0 when more must come (wait for app_events(), or
 * app->due), -1 when the application failed (app->fail_status: 502 or
 * 504; logged, with app->label).
 */
int app_head(struct app *a, struct http_response *resp, int64_t now);

/*
 * The response body: up to cap de-framed bytes into buf.  Returns the
 * count, 0 at its end, or -1 with errno EAGAIN (nothing now: wait for
 * app_events() or app->due) or another errno (the application failed:
 * the response is cut short).  This is the body source a reply pulls
 * from (http.h, HTTP_BODY_STREAM with resp->pull).
 */
ssize_t app_pull(void *app, char *buf, size_t cap);

/* Deadline check: false (and logged, 504) when app->due has passed. */
bool app_in_time(struct app *a, int64_t now);

/* Reads and logs what the script wrote to stderr (CGI); EOF closes it. */
void app_stderr(struct app *a);

/*
 * The worker's open tunnels (WebSocket connections after their 101):
 * adds delta (the connection counts them), returns the count, so that
 * a handler can refuse an upgrade beyond its cap (0 asks).
 */
unsigned app_tunnel_count(int delta);

/* Ends the exchange (see the top): frees a. */
void app_end(struct app *a, bool complete);

#endif
