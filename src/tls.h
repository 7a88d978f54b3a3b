/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tls.h - HTTPS with OpenSSL: the contexts of a configuration (one per
 * server with a certificate), chosen by SNI; the session ticket keys
 * that every worker shares; and what the connection layer (sock.c)
 * asks of them.  The only module but sock that knows OpenSSL.
 *
 * The master reads every certificate, key and OCSP response (as root,
 * before a worker drops privileges) at start and at each reload, and
 * installs the result only once the whole configuration is good; the
 * workers it forks inherit the contexts.  A failed reload leaves the
 * installed ones, and so the old generation, as they were.
 *
 * Defaults are Mozilla's "intermediate" profile: TLS 1.2 and 1.3,
 * ECDHE key exchange with AEAD ciphers only, the groups X25519, P-256
 * and P-384; no compression, no renegotiation; ALPN http/1.1.
 */
#ifndef FORKHTTPD_TLS_H
#define FORKHTTPD_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config;
struct ssl_st;

/* Session ticket keys are replaced this often; the previous one still
 * decrypts (and the ticket is then renewed), so a ticket lives at most
 * twice this long. */
#define TLS_TICKET_ROTATE_MS (12 * 3600 * 1000LL)

/* The contexts of one configuration. */
struct tls;

/*
 * Makes the contexts of cfg (NULL and nothing to do when no listener has
 * " tls": *err is then ""): reads each server's certificate chain, key
 * and OCSP response and checks the key against the certificate.  NULL
 * with one line in err naming the file and the key on failure.
 */
struct tls *tls_load(const struct config *cfg, char *err, size_t errlen);

/* What new connections use from now on (NULL: none); the previous
 * contexts are freed (forked workers keep their copies). */
void tls_install(struct tls *t);

/* Frees t, loaded but never installed (a reload that failed later). */
void tls_discard(struct tls *t);

/*
 * The ticket keys: a shared mapping made once by the master, before any
 * worker is forked, so that every worker of every generation encrypts
 * and decrypts tickets with the same keys, and a client resumes
 * whichever worker it reaches, across reloads too.  0 or -1 (logged).
 */
int tls_keys_init(void);

/* The master, now and then: a new key when the current one is
 * TLS_TICKET_ROTATE_MS old.  Returns when to call again. */
int64_t tls_keys_rotate(int64_t now_ms);

/*
 * Whether the kernel offers TLS (the "tls" upper layer protocol), so
 * that files go out with sendfile() once a handshake is done: probed
 * once, logged by the master.
 */
bool tls_kernel_offers(void);

/*
 * A new server-side SSL for a connection accepted on listener k of the
 * installed configuration, on socket fd; *server is where SNI writes
 * the server it chose (the listener's default until then).  NULL
 * (logged) without memory.
 */
struct ssl_st *tls_new(size_t k, int fd, int *server);

/*
 * A handshake failed on fd: logged at info with OpenSSL's reason and
 * the client, at most TLS_LOG_PER_S lines a second (the rest counted
 * and said in the next line).  Clears OpenSSL's error queue.
 */
#define TLS_LOG_PER_S 10
void tls_log_failure(int fd);

/* Counters of this process (the status and metrics pages). */
struct tls_counts {
	uint64_t handshakes;		/* completed */
	uint64_t resumed;		/* of which resumed */
	uint64_t failed;		/* handshakes that failed */
	uint64_t plain;			/* plain HTTP to a TLS port */
};
extern struct tls_counts tls_counts;

#endif
