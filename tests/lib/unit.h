/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * unit.h - helpers shared by the Check programs in tests/unit: running a
 * suite, scratch directories and the files in them, counting open fds,
 * connected socket pairs with a reader side for the I/O modules, and
 * reproducible random numbers and cut points for feeding parsers.
 *
 * Helpers that can fail report through ck_abort_msg(), so call them from
 * a test or a fixture, never from main() outside unit_run().
 */
#ifndef FORKHTTPD_TESTS_UNIT_H
#define FORKHTTPD_TESTS_UNIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <check.h>

/*
 * Runs every test of s (CK_NORMAL output) and frees it.  Returns
 * EXIT_SUCCESS if none failed, else EXIT_FAILURE: main()'s status.
 */
int unit_run(Suite *s);

/*
 * Makes a fresh directory tag.XXXXXX (mkdtemp, then mode 0755 so that a
 * process dropped to nobody can walk it) under $FORKHTTPD_BUILDDIR/tests/tmp,
 * creating tests/ and tests/tmp as needed, or under /tmp when the variable
 * is unset or empty.  out (cap bytes) gets its canonical absolute path; it
 * is "" until then.  Any failure aborts the test.  The caller removes the
 * directory (unit_rmtree).
 */
void unit_scratch_dir(char *out, size_t cap, const char *tag);

/*
 * Removes path and everything below it, following no symlinks.  Best
 * effort: never aborts, so main() may call it.  "" does nothing.
 */
void unit_rmtree(const char *path);

/* buf (cap bytes, not overlapping the others) = dir/rel; too long aborts. */
void unit_path(char *buf, size_t cap, const char *dir, const char *rel);

/* Creates or truncates dir/rel holding exactly text; creates nothing else. */
void unit_write_file(const char *dir, const char *rel, const char *text);

/* Makes the directory dir/rel, mode 0755; any failure (EEXIST too) aborts. */
void unit_make_dir(const char *dir, const char *rel);

/* Makes dir/rel a symlink to target (as given); any failure aborts. */
void unit_symlink(const char *dir, const char *rel, const char *target);

/*
 * Two document roots side by side, as virtual hosts have them, in a new
 * unit_scratch_dir(out, cap, tag): A holds secret.txt ("secret\n"); B
 * holds link.txt and secret.txt, both symlinks to ../A/secret.txt,
 * leaving B.  The caller removes out (unit_rmtree).
 */
void unit_two_roots(char *out, size_t cap, const char *tag);

/* How many fds this process has open; only a difference of two means much. */
int unit_count_fds(void);

/* Milliseconds of CLOCK_MONOTONIC, measured without any module of ours. */
int64_t unit_now_ms(void);

/* The kinds of connection unit_pair() makes; loop tests over them. */
enum unit_pair_kind {
	UNIT_PAIR_UNIX = 0,	/* socketpair(AF_UNIX, SOCK_STREAM) */
	UNIT_PAIR_TCP,		/* loopback TCP, 127.0.0.1, ephemeral port */
	UNIT_PAIR_KINDS
};

/* "unix" or "tcp", for messages. */
const char *unit_pair_name(int kind);

/*
 * A connected pair of kind: *srv is the server's side, *cli the client;
 * both non-blocking and close-on-exec.  buf > 0 sets SO_SNDBUF of srv
 * and SO_RCVBUF of cli to it (for TCP before connect(), so that the
 * window is agreed with it), so that a client that does not read fills
 * the pair after a few tens of KiB; 0 keeps the kernel's sizes.
 */
void unit_pair(int kind, int buf, int *srv, int *cli);

/*
 * Reads what fd holds now, without waiting, onto buf[*len..cap),
 * advancing *len.  Returns true once fd is at its end.  More than cap
 * bytes, or an error, aborts.
 */
bool unit_drain(int fd, char *buf, size_t cap, size_t *len);

/*
 * unit_drain() until fd ends; the end not there by deadline_ms
 * (unit_now_ms() time) aborts.
 */
void unit_read_to_eof(int fd, char *buf, size_t cap, size_t *len,
    int64_t deadline_ms);

/*
 * Waits until fd has one of events (poll(2)) or deadline_ms passes.
 * Returns whether it has.
 */
bool unit_wait_fd(int fd, short events, int64_t deadline_ms);

/*
 * The next number of a pseudo-random sequence (xorshift32) that is the
 * same on every machine, unlike rand(): *state, never 0, is where the
 * sequence is.
 */
uint32_t unit_random(uint32_t *state);

/*
 * Where to cut len bytes into n pieces (n >= 1), for feeding them to an
 * incremental parser: cuts[0..n - 1) are unit_random(seed) points in
 * 0..len, sorted; cuts[n - 1] is len.  Pieces may be empty.
 */
void unit_random_cuts(size_t *cuts, size_t n, size_t len, uint32_t *seed);

/* len pseudo-random bytes from seed, the same on every machine. */
void unit_fill_pattern(char *buf, size_t len, unsigned seed);

/*
 * An unlinked regular file (O_RDWR, close-on-exec) holding len
 * unit_fill_pattern() bytes of seed; *data, unless data is NULL, gets a
 * malloc()ed copy of them for the caller to free.  Returns the fd.
 */
int unit_temp_file(size_t len, unsigned seed, char **data);

struct sockaddr_storage;

/*
 * A client address as accept() fills it, in ss: "v4:a.b.c.d",
 * "v6:addr", "unix" (an AF_UNIX peer); "none" gives NULL.  Returns ss.
 */
const struct sockaddr_storage *unit_peer(struct sockaddr_storage *ss,
    const char *spec);

#endif
