/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_reply.c - one response going out over a real non-blocking
 * connection (a stream socketpair and loopback TCP, each test over both),
 * with socket buffers small enough that the larger bodies fill them and
 * the reply has to resume.  The peer is read between reply_send() calls
 * in the test's own loop, every loop bounded by DEADLINE_MS.  For each
 * body source the bytes that arrive are checked exactly: the head as
 * formatted, then the memory, the file's slice, the multipart/byteranges
 * body framed as range.h frames it, or the stream's bytes (decoded with
 * chunked_decode() when chunked); and sent, and what reply_finish()
 * closes and leaves open.
 */
#include "autoconf.h"

#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "chunked.h"
#include "http.h"
#include "http_response.h"
#include "range.h"
#include "reply.h"
#include "sock.h"

#include "../lib/unit.h"

/* What any one loop of a test may take. */
#define DEADLINE_MS 10000

/* Socket buffers that a large body fills after a few tens of KiB. */
#define SMALL_BUF (16 * 1024)

#define FILE_SIZE (300 * 1024)
#define BIG_MEM (1 << 20)

static const char date[] = "Sun, 06 Nov 1994 08:49:37 GMT";

/* ------------------------------------------------------------------ */
/* Helpers */

/* A connection and what its peer has read. */
struct rig {
	int kind;
	struct sock s;
	int peer;
	char *got;
	size_t cap, len;
	int agains;		/* REPLY_AGAIN answers so far */
};

static void
rig_open(struct rig *g, int kind, size_t cap)
{
	int srv;

	g->kind = kind;
	unit_pair(kind, SMALL_BUF, &srv, &g->peer);
	sock_init(&g->s, srv);
	g->cap = cap;
	g->len = 0;
	g->agains = 0;
	g->got = malloc(cap);
	ck_assert_ptr_nonnull(g->got);
}

/* Reads what the peer has now. */
static void
rig_read(struct rig *g)
{
	unit_drain(g->peer, g->got, g->cap, &g->len);
}

/*
 * reply_send() until it says anything but REPLY_AGAIN, reading the peer
 * between calls and waiting for room; not done by the deadline fails.
 * errno is reply_send()'s.
 */
static enum reply_result
rig_pump(struct rig *g, struct reply *r)
{
	int64_t deadline = unit_now_ms() + DEADLINE_MS;

	for (;;) {
		enum reply_result rr = reply_send(r, &g->s);
		struct pollfd pfd[2] = {
			{ .fd = g->s.fd, .events = POLLOUT },
			{ .fd = g->peer, .events = POLLIN },
		};
		int64_t left;
		int err = errno;

		rig_read(g);
		if (rr != REPLY_AGAIN) {
			errno = err;
			return rr;
		}
		g->agains++;
		left = deadline - unit_now_ms();
		ck_assert_msg(left > 0, "%s: still REPLY_AGAIN after %d ms, "
		    "%zu bytes read", unit_pair_name(g->kind), DEADLINE_MS,
		    g->len);
		poll(pfd, 2, left > 100 ? 100 : (int)left);
	}
}

/* Ends the connection's writing and reads the rest. */
static void
rig_end(struct rig *g)
{
	ck_assert_int_eq(sock_shutdown_write(&g->s), 0);
	unit_read_to_eof(g->peer, g->got, g->cap, &g->len, unit_now_ms() +
	    DEADLINE_MS);
}

static void
rig_close(struct rig *g)
{
	sock_close(&g->s);
	close(g->peer);
	free(g->got);
}

/* Formats resp's head into r->head and starts r, which takes the fd. */
static void
start(struct reply *r, struct http_response *resp)
{
	size_t hl = http_response_format(resp, date, r->head,
	    sizeof(r->head));

	ck_assert_uint_gt(hl, 0);
	ck_assert_int_eq(reply_start(r, resp, hl), 0);
	ck_assert_int_eq(resp->fd, -1);
	ck_assert(!reply_started(r));
	ck_assert_uint_eq(r->sent, 0);
}

/* The peer got r's head, then body[0..blen), and nothing else. */
static void
assert_got(const struct rig *g, const struct reply *r, const char *body,
    size_t blen, const char *what)
{
	ck_assert_msg(g->len == r->head_len + blen, "%s, %s: %zu bytes, "
	    "want a %zu-byte head and %zu of body", what,
	    unit_pair_name(g->kind), g->len, r->head_len, blen);
	ck_assert_msg(memcmp(g->got, r->head, r->head_len) == 0,
	    "%s, %s: the head is not what was formatted", what,
	    unit_pair_name(g->kind));
	ck_assert_msg(memcmp(g->got + r->head_len, body, blen) == 0,
	    "%s, %s: other body bytes arrived", what,
	    unit_pair_name(g->kind));
}

/* fd is not open any more. */
static void
assert_closed(int fd)
{
	errno = 0;
	ck_assert_msg(fcntl(fd, F_GETFD) == -1 && errno == EBADF,
	    "fd %d is still open", fd);
}

static void
assert_open(int fd)
{
	ck_assert_msg(fcntl(fd, F_GETFD) != -1, "fd %d: %s", fd,
	    strerror(errno));
}

static void
mem_response(struct http_response *resp, const char *mem, size_t len,
    bool stable)
{
	http_response_init(resp);
	resp->status = HTTP_STATUS_OK;
	resp->content_type = "application/octet-stream";
	resp->content_length = (off_t)len;
	resp->keep_alive = true;
	resp->body = HTTP_BODY_MEM;
	resp->mem = mem;
	resp->mem_len = len;
	resp->mem_stable = stable;
}

/* A FILE response of fd's [offset, offset + len). */
static void
file_response(struct http_response *resp, int fd, off_t offset, size_t len)
{
	http_response_init(resp);
	resp->status = HTTP_STATUS_OK;
	resp->content_type = "text/plain";
	resp->content_length = (off_t)len;
	resp->keep_alive = true;
	resp->body = HTTP_BODY_FILE;
	resp->fd = fd;
	resp->offset = offset;
}

/* A new descriptor of the same open file (the reply will own it). */
static int
dup_fd(int fd)
{
	int d = fcntl(fd, F_DUPFD_CLOEXEC, 0);

	ck_assert_msg(d != -1, "dup: %s", strerror(errno));
	return d;
}

/* ------------------------------------------------------------------ */
/* HTTP_BODY_MEM */

/* Small: head and body go out in the first call. */
START_TEST(test_mem_whole)
{
	static const char body[] = "hello, world\n";
	struct http_response resp;
	struct reply r;
	struct rig g;

	rig_open(&g, _i, 4096);
	mem_response(&resp, body, strlen(body), true);
	start(&r, &resp);
	ck_assert_int_eq(reply_send(&r, &g.s), REPLY_DONE);
	ck_assert(reply_started(&r));
	ck_assert_uint_eq(r.sent, strlen(body));
	/* Done stays done. */
	ck_assert_int_eq(reply_send(&r, &g.s), REPLY_DONE);
	ck_assert_uint_eq(r.sent, strlen(body));
	ck_assert_int_eq(reply_source_fd(&r), -1);
	rig_end(&g);
	assert_got(&g, &r, body, strlen(body), "small mem");
	reply_finish(&r);
	rig_close(&g);
}
END_TEST

/* Larger than the socket holds: REPLY_AGAIN, then the rest. */
START_TEST(test_mem_resume)
{
	struct http_response resp;
	struct reply r;
	struct rig g;
	char *body = malloc(BIG_MEM);

	ck_assert_ptr_nonnull(body);
	unit_fill_pattern(body, BIG_MEM, 1);
	rig_open(&g, _i, BIG_MEM + 4096);
	mem_response(&resp, body, BIG_MEM, true);
	start(&r, &resp);
	ck_assert_int_eq(reply_send(&r, &g.s), REPLY_AGAIN);
	ck_assert(reply_started(&r));
	ck_assert_uint_lt(r.sent, BIG_MEM);
	ck_assert_int_eq(rig_pump(&g, &r), REPLY_DONE);
	ck_assert_uint_eq(r.sent, BIG_MEM);
	rig_end(&g);
	assert_got(&g, &r, body, BIG_MEM, "1 MiB mem");
	reply_finish(&r);
	rig_close(&g);
	free(body);
}
END_TEST

/*
 * reply_detach() copies what is left of an unstable memory body: the
 * original may be overwritten and freed (the next request's buffer) and
 * the old bytes still go out.  Detached after part went out, and before
 * anything did.  A stable body is not copied.
 */
START_TEST(test_mem_detach)
{
	struct http_response resp;
	struct reply r;
	struct rig g;
	char *want = malloc(BIG_MEM);

	ck_assert_ptr_nonnull(want);
	unit_fill_pattern(want, BIG_MEM, 2);
	for (int early = 0; early < 2; early++) {
		char *buf = malloc(BIG_MEM);

		ck_assert_ptr_nonnull(buf);
		memcpy(buf, want, BIG_MEM);
		rig_open(&g, _i, BIG_MEM + 4096);
		mem_response(&resp, buf, BIG_MEM, false);
		start(&r, &resp);
		if (!early)
			ck_assert_int_eq(reply_send(&r, &g.s), REPLY_AGAIN);
		ck_assert_int_eq(reply_detach(&r), 0);
		ck_assert_ptr_nonnull(r.mem_owned);
		ck_assert_ptr_ne(r.mem, buf);
		/* Detached twice is still one copy. */
		ck_assert_int_eq(reply_detach(&r), 0);
		memset(buf, 0xee, BIG_MEM);
		free(buf);
		ck_assert_int_eq(rig_pump(&g, &r), REPLY_DONE);
		ck_assert_uint_eq(r.sent, BIG_MEM);
		rig_end(&g);
		assert_got(&g, &r, want, BIG_MEM, early ? "detached at once" :
		    "detached after a part");
		reply_finish(&r);
		ck_assert_ptr_null(r.mem_owned);
		rig_close(&g);
	}

	/* Stable: nothing to copy. */
	rig_open(&g, _i, BIG_MEM + 4096);
	mem_response(&resp, want, BIG_MEM, true);
	start(&r, &resp);
	ck_assert_int_eq(reply_send(&r, &g.s), REPLY_AGAIN);
	ck_assert_int_eq(reply_detach(&r), 0);
	ck_assert_ptr_null(r.mem_owned);
	ck_assert_ptr_eq(r.mem, want);
	ck_assert_int_eq(rig_pump(&g, &r), REPLY_DONE);
	rig_end(&g);
	assert_got(&g, &r, want, BIG_MEM, "stable");
	reply_finish(&r);
	rig_close(&g);
	free(want);
}
END_TEST

/* ------------------------------------------------------------------ */
/* HTTP_BODY_FILE */

/* A slice of a file from an offset; the reply closes the file it owns. */
START_TEST(test_file)
{
	struct http_response resp;
	struct reply r;
	struct rig g;
	char *data;
	int file = unit_temp_file(FILE_SIZE, 3, &data), fd;

	rig_open(&g, _i, FILE_SIZE + 4096);
	fd = dup_fd(file);
	file_response(&resp, fd, 1001, 200000);
	start(&r, &resp);
	ck_assert_int_eq(rig_pump(&g, &r), REPLY_DONE);
	ck_assert_int_gt(g.agains, 0);
	ck_assert_uint_eq(r.sent, 200000);
	rig_end(&g);
	assert_got(&g, &r, data + 1001, 200000, "file slice");
	reply_finish(&r);
	assert_closed(fd);
	rig_close(&g);

	/* Nothing of it (Content-Length: 0): the head alone. */
	rig_open(&g, _i, 4096);
	fd = dup_fd(file);
	file_response(&resp, fd, 7, 0);
	start(&r, &resp);
	ck_assert_int_eq(rig_pump(&g, &r), REPLY_DONE);
	ck_assert_uint_eq(r.sent, 0);
	rig_end(&g);
	assert_got(&g, &r, "", 0, "empty file slice");
	reply_finish(&r);
	assert_closed(fd);
	rig_close(&g);
	close(file);
	free(data);
}
END_TEST

/*
 * The file cache's fd is never closed by the reply; detached, the reply
 * holds a dup of its own, which it closes, and the cache's stays.
 */
START_TEST(test_file_cached)
{
	struct http_response resp;
	struct reply r;
	struct rig g;
	char *data;
	int file = unit_temp_file(FILE_SIZE, 4, &data), mine;

	for (int detach = 0; detach < 2; detach++) {
		rig_open(&g, _i, FILE_SIZE + 4096);
		file_response(&resp, file, 0, FILE_SIZE);
		resp.fd_cached = true;
		start(&r, &resp);
		ck_assert_int_eq(reply_send(&r, &g.s), REPLY_AGAIN);
		mine = file;
		if (detach) {
			ck_assert_int_eq(reply_detach(&r), 0);
			mine = r.fd;
			ck_assert_int_ne(mine, file);
			ck_assert(!r.fd_cached);
			assert_open(mine);
		}
		ck_assert_int_eq(rig_pump(&g, &r), REPLY_DONE);
		ck_assert_uint_eq(r.sent, FILE_SIZE);
		rig_end(&g);
		assert_got(&g, &r, data, FILE_SIZE, detach ? "cached, detached"
		    : "cached");
		reply_finish(&r);
		assert_open(file);
		if (detach)
			assert_closed(mine);
		rig_close(&g);
	}
	close(file);
	free(data);
}
END_TEST

/* A file shorter than its Content-Length: an error, EIO, not a hang. */
START_TEST(test_file_shrunk)
{
	struct http_response resp;
	struct reply r;
	struct rig g;
	char *data;
	int file = unit_temp_file(FILE_SIZE, 5, &data);

	rig_open(&g, _i, FILE_SIZE + 4096);
	file_response(&resp, dup_fd(file), 0, FILE_SIZE);
	start(&r, &resp);
	ck_assert_int_eq(ftruncate(file, 1000), 0);
	errno = 0;
	ck_assert_int_eq(rig_pump(&g, &r), REPLY_ERROR);
	ck_assert_msg(errno == EIO, "errno %s", strerror(errno));
	ck_assert_uint_eq(r.sent, 1000);
	reply_finish(&r);
	rig_close(&g);
	close(file);
	free(data);
}
END_TEST

/* ------------------------------------------------------------------ */
/* HTTP_BODY_RANGES */

/*
 * set of the file as multipart/byteranges: what range.h frames, part by
 * part, with the file's bytes between.  The reply must keep its own
 * copies of the set and the boundary (static.c reuses them): both are
 * clobbered once it has started.
 */
static void
ranges_case(int kind, int file, const char *data, const struct range_set *set)
{
	static const char type[] = "text/plain";
	struct http_response resp;
	struct range_set mine = *set;
	char boundary[] = "3d6b6a416f9b5e2c";
	struct reply r;
	struct rig g;
	char *want = malloc(FILE_SIZE + 4096);
	size_t wlen = 0, n;
	uint64_t total;

	ck_assert_ptr_nonnull(want);
	for (unsigned i = 0; i < set->n; i++) {
		const struct range *p = &set->r[i];

		n = range_part_header(set, i, boundary, type, FILE_SIZE,
		    want + wlen, RANGE_PART_HEADER_MAX);
		ck_assert_uint_gt(n, 0);
		wlen += n;
		memcpy(want + wlen, data + p->first, p->last - p->first + 1);
		wlen += p->last - p->first + 1;
	}
	n = range_multipart_trailer(boundary, want + wlen, 256);
	ck_assert_uint_gt(n, 0);
	wlen += n;
	total = range_multipart_length(set, boundary, type, FILE_SIZE);
	ck_assert_uint_eq(wlen, total);

	rig_open(&g, kind, wlen + 4096);
	http_response_init(&resp);
	resp.status = HTTP_STATUS_PARTIAL_CONTENT;
	resp.content_type = type;
	resp.content_length = (off_t)total;
	resp.keep_alive = true;
	resp.body = HTTP_BODY_RANGES;
	resp.fd = dup_fd(file);
	resp.ranges = &mine;
	resp.boundary = boundary;
	resp.range_complete = FILE_SIZE;
	start(&r, &resp);
	memset(&mine, 0xa5, sizeof(mine));
	memset(boundary, 'x', sizeof(boundary) - 1);
	ck_assert_int_eq(rig_pump(&g, &r), REPLY_DONE);
	/* The multipart body is the content: its framing counts. */
	ck_assert_uint_eq(r.sent, total);
	rig_end(&g);
	assert_got(&g, &r, want, wlen, "ranges");
	reply_finish(&r);
	rig_close(&g);
	free(want);
}

START_TEST(test_ranges)
{
	const struct range_set three = { .r = { { 0, 99 }, { 1000, 1999 },
	    { 250000, FILE_SIZE - 1 } }, .n = 3 };
	const struct range_set two = { .r = { { 5, 5 },
	    { FILE_SIZE - 1, FILE_SIZE - 1 } }, .n = 2 };
	char *data;
	int file = unit_temp_file(FILE_SIZE, 6, &data);

	ranges_case(_i, file, data, &three);
	ranges_case(_i, file, data, &two);
	close(file);
	free(data);
}
END_TEST

/* ------------------------------------------------------------------ */
/* HTTP_BODY_STREAM */

/*
 * Pieces written into the pipe one after another, each once the reply
 * has emptied it: sizes around the reply's buffer (16 KiB less its
 * chunk framing room, 16358 bytes) and larger than it.
 */
static const size_t stream_pieces[] = { 5, 1, 16358, 16359, 40000, 3,
    60000, 16384 };

#define NSTREAM_PIECES (sizeof(stream_pieces) / sizeof(stream_pieces[0]))

/*
 * The chunk data of a chunked body, taken out by the decoder itself:
 * fed one byte at a time, it says of each whether it was data.  The body
 * must end exactly where the decoder says it does.
 */
static size_t
dechunk(const char *body, size_t len, char *out)
{
	struct chunked_decoder d;
	size_t olen = 0;

	chunked_init(&d, 1024);
	for (size_t i = 0; i < len; i++) {
		enum chunked_result cr;
		uint64_t data = 0;
		size_t used = 0;

		cr = chunked_decode(&d, body + i, 1, &used, &data);
		if (cr == CHUNKED_ERROR)
			ck_abort_msg("not the chunked coding at byte %zu of "
			    "%zu", i, len);
		if (data == 1)
			out[olen++] = body[i];
		if (cr == CHUNKED_DONE && i + 1 != len)
			ck_abort_msg("the chunked body ends at byte %zu of %zu",
			    i + 1, len);
		if (cr == CHUNKED_MORE && i + 1 == len)
			ck_abort_msg("the chunked body does not end (%zu "
			    "bytes)", len);
	}
	ck_assert_uint_eq(d.total, olen);
	return olen;
}

/*
 * Writes piece into the non-blocking pipe p, letting the reply take
 * what the pipe does not hold; each pump must end in REPLY_SOURCE_AGAIN
 * (the pipe empty and still open).
 */
static void
feed(struct rig *g, struct reply *r, int p, const char *piece, size_t len)
{
	int64_t deadline = unit_now_ms() + DEADLINE_MS;
	size_t off = 0;

	while (off < len) {
		ssize_t n = write(p, piece + off, len - off);

		if (n > 0)
			off += (size_t)n;
		else
			ck_assert_msg(n == -1 && errno == EAGAIN, "write to "
			    "the pipe: %s", strerror(errno));
		ck_assert_int_eq(rig_pump(g, r), REPLY_SOURCE_AGAIN);
		ck_assert_msg(unit_now_ms() < deadline, "%zu of %zu bytes "
		    "into the pipe", off, len);
	}
}

/* _i % 2: the kind of pair; _i / 2: chunked. */
START_TEST(test_stream)
{
	int kind = _i % 2, p[2];
	bool chunked = _i / 2 != 0;
	struct http_response resp;
	struct reply r;
	struct rig g;
	size_t total = 0, off = 0, blen;
	char *data, *plain;
	const char *body;

	for (size_t i = 0; i < NSTREAM_PIECES; i++)
		total += stream_pieces[i];
	data = malloc(total);
	plain = malloc(total + 1);
	ck_assert(data != NULL && plain != NULL);
	unit_fill_pattern(data, total, 7);
	ck_assert_int_eq(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);

	rig_open(&g, kind, total + total / 8 + 4096);
	http_response_init(&resp);
	resp.status = HTTP_STATUS_OK;
	resp.content_type = "text/plain";
	resp.content_length = -1;
	resp.keep_alive = chunked;
	resp.body = HTTP_BODY_STREAM;
	resp.chunked = chunked;
	resp.fd = p[0];
	start(&r, &resp);
	ck_assert_int_eq(reply_source_fd(&r), p[0]);

	/* The pipe is empty but open: wait for it, the head already out. */
	ck_assert_int_eq(rig_pump(&g, &r), REPLY_SOURCE_AGAIN);
	ck_assert(reply_started(&r));
	ck_assert_uint_eq(r.sent, 0);
	for (size_t i = 0; i < NSTREAM_PIECES; i++) {
		feed(&g, &r, p[1], data + off, stream_pieces[i]);
		off += stream_pieces[i];
		ck_assert_uint_eq(r.sent, off);
	}
	/* Its end is the body's. */
	close(p[1]);
	ck_assert_int_eq(rig_pump(&g, &r), REPLY_DONE);
	ck_assert_uint_eq(r.sent, total);
	rig_end(&g);

	ck_assert_uint_ge(g.len, r.head_len);
	ck_assert(memcmp(g.got, r.head, r.head_len) == 0);
	body = g.got + r.head_len;
	blen = g.len - r.head_len;
	if (chunked) {
		ck_assert_msg(blen >= CHUNKED_ENCODE_LAST_LEN &&
		    memcmp(body + blen - CHUNKED_ENCODE_LAST_LEN, "0\r\n\r\n",
		    CHUNKED_ENCODE_LAST_LEN) == 0, "%s: no last-chunk at the "
		    "end", unit_pair_name(kind));
		ck_assert_uint_eq(dechunk(body, blen, plain), total);
		ck_assert(memcmp(plain, data, total) == 0);
	} else {
		assert_got(&g, &r, data, total, "raw stream");
	}
	reply_finish(&r);
	assert_closed(p[0]);
	rig_close(&g);
	free(data);
	free(plain);
}
END_TEST

/* A stream that ends at once: chunked, the last-chunk alone. */
START_TEST(test_stream_empty)
{
	int kind = _i % 2, p[2];
	bool chunked = _i / 2 != 0;
	struct http_response resp;
	struct reply r;
	struct rig g;

	ck_assert_int_eq(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
	close(p[1]);
	rig_open(&g, kind, 4096);
	http_response_init(&resp);
	resp.status = HTTP_STATUS_OK;
	resp.content_length = -1;
	resp.body = HTTP_BODY_STREAM;
	resp.chunked = chunked;
	resp.fd = p[0];
	start(&r, &resp);
	ck_assert_int_eq(rig_pump(&g, &r), REPLY_DONE);
	ck_assert_uint_eq(r.sent, 0);
	rig_end(&g);
	if (chunked)
		assert_got(&g, &r, "0\r\n\r\n", 5, "empty chunked stream");
	else
		assert_got(&g, &r, "", 0, "empty raw stream");
	reply_finish(&r);
	assert_closed(p[0]);
	rig_close(&g);
}
END_TEST

/* ------------------------------------------------------------------ */
/* HEAD, errors */

/*
 * head_only: the head (with the body's Content-Length) and no body,
 * whatever the source; an owned fd is still closed at the end.
 */
START_TEST(test_head_only)
{
	static const char body[] = "not to be sent";
	struct http_response resp;
	struct reply r;
	struct rig g;
	char *data;
	int file = unit_temp_file(FILE_SIZE, 8, &data), fd, p[2];

	for (int kind = HTTP_BODY_MEM; kind <= HTTP_BODY_STREAM; kind++) {
		const struct range_set set = { .r = { { 0, 9 }, { 20, 29 } },
		    .n = 2 };

		if (kind == HTTP_BODY_MEM) {
			mem_response(&resp, body, strlen(body), true);
			fd = -1;
		} else if (kind == HTTP_BODY_FILE) {
			fd = dup_fd(file);
			file_response(&resp, fd, 0, FILE_SIZE);
		} else if (kind == HTTP_BODY_RANGES) {
			fd = dup_fd(file);
			file_response(&resp, fd, 0, 999);
			resp.body = HTTP_BODY_RANGES;
			resp.ranges = &set;
			resp.boundary = "b0undary";
			resp.range_complete = FILE_SIZE;
		} else {
			ck_assert_int_eq(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
			ck_assert_int_eq(write(p[1], "data", 4), 4);
			fd = p[0];
			http_response_init(&resp);
			resp.status = HTTP_STATUS_OK;
			resp.content_length = -1;
			resp.body = HTTP_BODY_STREAM;
			resp.chunked = true;
			resp.fd = fd;
		}
		resp.head_only = true;
		rig_open(&g, _i, 4096);
		start(&r, &resp);
		ck_assert_int_eq(reply_send(&r, &g.s), REPLY_DONE);
		ck_assert_uint_eq(r.sent, 0);
		ck_assert_int_eq(reply_source_fd(&r), -1);
		rig_end(&g);
		assert_got(&g, &r, "", 0, "HEAD");
		reply_finish(&r);
		if (fd != -1)
			assert_closed(fd);
		if (kind == HTTP_BODY_STREAM)
			close(p[1]);
		rig_close(&g);
	}
	close(file);
	free(data);
}
END_TEST

/* A client that has gone: REPLY_ERROR with its errno, no SIGPIPE. */
START_TEST(test_peer_gone)
{
	struct http_response resp;
	struct reply r;
	struct rig g;
	enum reply_result rr;
	char *body = calloc(1, BIG_MEM);
	int64_t deadline = unit_now_ms() + DEADLINE_MS;

	ck_assert_ptr_nonnull(body);
	rig_open(&g, _i, 16);
	close(g.peer);
	g.peer = -1;
	mem_response(&resp, body, BIG_MEM, true);
	start(&r, &resp);
	/* TCP may take a write or two before the peer's reset comes back. */
	while ((rr = reply_send(&r, &g.s)) == REPLY_AGAIN) {
		ck_assert_msg(unit_now_ms() < deadline, "still REPLY_AGAIN to "
		    "a closed peer");
		unit_wait_fd(g.s.fd, POLLOUT, unit_now_ms() + 10);
	}
	ck_assert_int_eq(rr, REPLY_ERROR);
	ck_assert_msg(errno == EPIPE || errno == ECONNRESET, "errno %s",
	    strerror(errno));
	reply_finish(&r);
	rig_close(&g);
	free(body);
}
END_TEST

/* ------------------------------------------------------------------ */

static Suite *
reply_suite(void)
{
	Suite *s = suite_create("reply");
	TCase *tc;

	tc = tcase_create("mem");
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_mem_whole, 0, UNIT_PAIR_KINDS);
	tcase_add_loop_test(tc, test_mem_resume, 0, UNIT_PAIR_KINDS);
	tcase_add_loop_test(tc, test_mem_detach, 0, UNIT_PAIR_KINDS);
	suite_add_tcase(s, tc);

	tc = tcase_create("file");
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_file, 0, UNIT_PAIR_KINDS);
	tcase_add_loop_test(tc, test_file_cached, 0, UNIT_PAIR_KINDS);
	tcase_add_loop_test(tc, test_file_shrunk, 0, UNIT_PAIR_KINDS);
	tcase_add_loop_test(tc, test_ranges, 0, UNIT_PAIR_KINDS);
	suite_add_tcase(s, tc);

	tc = tcase_create("stream");
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_stream, 0, 2 * UNIT_PAIR_KINDS);
	tcase_add_loop_test(tc, test_stream_empty, 0, 2 * UNIT_PAIR_KINDS);
	suite_add_tcase(s, tc);

	tc = tcase_create("head-errors");
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_head_only, 0, UNIT_PAIR_KINDS);
	tcase_add_loop_test(tc, test_peer_gone, 0, UNIT_PAIR_KINDS);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(reply_suite());
}
