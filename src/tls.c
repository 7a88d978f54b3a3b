/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tls.c - the OpenSSL contexts, SNI, ALPN, OCSP stapling and the shared
 * session ticket keys.  The bytes of a connection go through sock.c.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "config.h"
#include "log.h"
#include "net.h"
#include "tls.h"
#include "util.h"
#include "vhost.h"

/* Mozilla's intermediate profile (version 5.7) for TLS 1.2, less the
 * DHE suites: ECDHE with AES-GCM or ChaCha20-Poly1305.  TLS 1.3's
 * suites are all AEAD: OpenSSL's default list stands. */
static const char tls_ciphers12[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
static const char *const tls_groups[] = { "X25519", "P-256", "P-384" };

/* An OCSP response bigger than this is not one. */
#define TLS_OCSP_MAX (64 * 1024)

struct tls {
	const struct config *cfg;
	SSL_CTX **ctx;			/* by server; NULL: no certificate */
	unsigned char **ocsp;		/* by server; DER, or NULL */
	size_t *ocsp_len;
};

static struct tls *tls_live;
static int tls_ex_listener = -1;	/* SSL ex_data: the listener */
struct tls_counts tls_counts;

/* ---------------------------------------------------------------- */
/* Session ticket keys */

struct tls_key {
	unsigned char name[16];
	unsigned char aes[32];
	unsigned char hmac[32];
};

/* Three slots: the current key, the previous one, and the one being
 * written at a rotation, which no worker reads (it was two keys ago). */
struct tls_keys {
	unsigned cur;			/* atomic */
	int64_t made_ms;		/* the master's clock */
	struct tls_key k[3];
};

static struct tls_keys *tls_keys;

static int
tls_key_make(struct tls_key *k)
{
	return RAND_bytes((unsigned char *)k, (int)sizeof(*k)) == 1 ? 0 : -1;
}

int
tls_keys_init(void)
{
	void *m;

	if (tls_keys != NULL)
		return 0;
	m = mmap(NULL, sizeof(*tls_keys), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED) {
		log_error("cannot map the session ticket keys:");
		return -1;
	}
	tls_keys = m;
	if (tls_key_make(&tls_keys->k[0]) < 0 ||
	    tls_key_make(&tls_keys->k[2]) < 0) {
		log_error("RAND_bytes failed: no session ticket keys");
		return -1;
	}
	tls_keys->made_ms = net_now_ms();
	return 0;
}

int64_t
tls_keys_rotate(int64_t now_ms)
{
	unsigned cur, next;

	if (tls_keys == NULL)
		return INT64_MAX;
	if (now_ms - tls_keys->made_ms < TLS_TICKET_ROTATE_MS)
		return tls_keys->made_ms + TLS_TICKET_ROTATE_MS;
	cur = __atomic_load_n(&tls_keys->cur, __ATOMIC_ACQUIRE);
	next = (cur + 1) % 3;
	if (tls_key_make(&tls_keys->k[next]) < 0) {
		log_warn("RAND_bytes failed: the session ticket key stays");
		return now_ms + 60 * 1000;
	}
	__atomic_store_n(&tls_keys->cur, next, __ATOMIC_RELEASE);
	tls_keys->made_ms = now_ms;
	log_info("session ticket key rotated");
	return now_ms + TLS_TICKET_ROTATE_MS;
}

static int
tls_ticket_init(const struct tls_key *k, unsigned char *iv,
    EVP_CIPHER_CTX *cctx, EVP_MAC_CTX *hctx, int enc)
{
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY,
		    (void *)(uintptr_t)k->hmac, sizeof(k->hmac)),
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
		    (char *)(uintptr_t)"SHA256", 0),
		OSSL_PARAM_construct_end()
	};

	if (EVP_CipherInit_ex(cctx, EVP_aes_256_cbc(), NULL, k->aes, iv,
	    enc) != 1 || EVP_MAC_CTX_set_params(hctx, params) != 1)
		return -1;
	return 0;
}

/*
 * OpenSSL's ticket callback: encrypt with the current key; decrypt with
 * whichever key named the ticket, or 0: unknown, a full handshake.  2
 * (a fresh ticket) for the previous key, and always in TLS 1.3, whose
 * clients use a ticket once (RFC 8446 §C.4): with 1 OpenSSL sends none
 * after a resumption, and the client's next connection is a full
 * handshake (wrk resumed every other one).
 */
static int
tls_ticket_cb(SSL *ssl, unsigned char *name, unsigned char *iv,
    EVP_CIPHER_CTX *cctx, EVP_MAC_CTX *hctx, int enc)
{
	unsigned cur = __atomic_load_n(&tls_keys->cur, __ATOMIC_ACQUIRE);
	const struct tls_key *k = &tls_keys->k[cur];

	if (enc) {
		if (RAND_bytes(iv, EVP_MAX_IV_LENGTH) != 1)
			return -1;
		memcpy(name, k->name, sizeof(k->name));
		return tls_ticket_init(k, iv, cctx, hctx, 1) < 0 ? -1 : 1;
	}
	for (unsigned age = 0; age < 2; age++) {
		k = &tls_keys->k[(cur + 3 - age) % 3];
		if (memcmp(name, k->name, sizeof(k->name)) != 0)
			continue;
		if (tls_ticket_init(k, iv, cctx, hctx, 0) < 0)
			return -1;
		return age == 0 && SSL_version(ssl) < TLS1_3_VERSION ? 1 : 2;
	}
	return 0;
}

/* ---------------------------------------------------------------- */
/* Callbacks: SNI, ALPN, OCSP */

/* SNI: the server whose name the client gave, if it answers on this
 * listener and has a certificate; else the listener's default stays. */
static int
tls_sni_cb(SSL *ssl, int *alert, void *arg)
{
	const struct tls *t = arg;
	const struct config *cfg = t->cfg;
	const char *name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
	size_t k = (size_t)(uintptr_t)SSL_get_ex_data(ssl, tls_ex_listener);
	int *server = SSL_get_app_data(ssl);
	const char *how;
	int i;

	(void)alert;
	if (name == NULL || server == NULL)
		return SSL_TLSEXT_ERR_OK;
	i = vhost_table_find(cfg->names, name, strlen(name), &how);
	if (i < 0 || (size_t)i >= cfg->nservers ||
	    !config_server_on(&cfg->servers[i], k) || t->ctx[i] == NULL)
		return SSL_TLSEXT_ERR_OK;
	if (t->ctx[i] != SSL_get_SSL_CTX(ssl) &&
	    SSL_set_SSL_CTX(ssl, t->ctx[i]) == NULL)
		return SSL_TLSEXT_ERR_ALERT_FATAL;
	*server = i;
	return SSL_TLSEXT_ERR_OK;
}

/* ALPN: http/1.1 when the client offers it; else no ALPN at all (RFC
 * 7301 §3.2 lets a server go on without one). */
static int
tls_alpn_cb(SSL *ssl, const unsigned char **out, unsigned char *outlen,
    const unsigned char *in, unsigned inlen, void *arg)
{
	static const unsigned char ours[] = "\x08http/1.1";
	unsigned char *sel;

	(void)ssl;
	(void)arg;
	if (SSL_select_next_proto(&sel, outlen, ours, sizeof(ours) - 1, in,
	    inlen) != OPENSSL_NPN_NEGOTIATED)
		return SSL_TLSEXT_ERR_NOACK;
	*out = sel;
	return SSL_TLSEXT_ERR_OK;
}

/* OCSP stapling: the response read at load, for a client that asks. */
static int
tls_ocsp_cb(SSL *ssl, void *arg)
{
	const struct tls *t = arg;
	int *server = SSL_get_app_data(ssl);
	unsigned char *copy;
	size_t i;

	if (server == NULL || *server < 0)
		return SSL_TLSEXT_ERR_NOACK;
	i = (size_t)*server;
	if (t->ocsp[i] == NULL)
		return SSL_TLSEXT_ERR_NOACK;
	/* OpenSSL frees what it is given. */
	if ((copy = OPENSSL_memdup(t->ocsp[i], t->ocsp_len[i])) == NULL)
		return SSL_TLSEXT_ERR_NOACK;
	SSL_set_tlsext_status_ocsp_resp(ssl, copy, (long)t->ocsp_len[i]);
	return SSL_TLSEXT_ERR_OK;
}

/* ---------------------------------------------------------------- */
/* Loading */

/* OpenSSL's reason for the last failure, for a message. */
static const char *
tls_reason(void)
{
	unsigned long e = ERR_peek_last_error();
	const char *r = e != 0 ? ERR_reason_error_string(e) : NULL;

	return r != NULL ? r : "unknown error";
}

/* tls-protocols: "TLSv1.2 TLSv1.3", or either alone. */
static int
tls_protocols(SSL_CTX *ctx, const char *v, char *err, size_t errlen)
{
	int lo = 0, hi = 0;
	char buf[64];

	if (util_strlcpy(buf, v, sizeof(buf)) >= sizeof(buf))
		buf[0] = '\0';
	for (char *save = NULL, *w = strtok_r(buf, " ,", &save); w != NULL;
	    w = strtok_r(NULL, " ,", &save)) {
		int p = strcmp(w, "TLSv1.2") == 0 ? TLS1_2_VERSION :
		    strcmp(w, "TLSv1.3") == 0 ? TLS1_3_VERSION : 0;

		if (p == 0) {
			snprintf(err, errlen, "tls-protocols: \"%s\": expected "
			    "TLSv1.2, TLSv1.3 or both", v);
			return -1;
		}
		lo = lo == 0 || p < lo ? p : lo;
		hi = p > hi ? p : hi;
	}
	if (lo == 0) {
		snprintf(err, errlen, "tls-protocols: empty; expected TLSv1.2, "
		    "TLSv1.3 or both");
		return -1;
	}
	SSL_CTX_set_min_proto_version(ctx, lo);
	SSL_CTX_set_max_proto_version(ctx, hi);
	return 0;
}

/* The groups of the profile that this OpenSSL knows. */
static void
tls_set_groups(SSL_CTX *ctx)
{
	char list[64] = "";

	for (size_t i = 0; i < UTIL_ARRAY_LEN(tls_groups); i++) {
		char one[16];

		snprintf(one, sizeof(one), "%s", tls_groups[i]);
		if (SSL_CTX_set1_groups_list(ctx, one) != 1) {
			ERR_clear_error();
			continue;
		}
		if (list[0] != '\0')
			strcat(list, ":");
		strcat(list, one);
	}
	if (list[0] != '\0')
		SSL_CTX_set1_groups_list(ctx, list);
}

/* The settings every context shares. */
static int
tls_ctx_settings(struct tls *t, SSL_CTX *ctx, char *err, size_t errlen)
{
	const struct config *cfg = t->cfg;
	const char *ciphers = cfg->tls_ciphers[0] != '\0' ? cfg->tls_ciphers :
	    tls_ciphers12;

	/*
	 * The server's order of ciphers: every one on the list is strong,
	 * but the AES-GCM ones first, where CPUs have AES instructions;
	 * testssl.sh rates a server without an order HIGH.
	 */
	SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION |
	    SSL_OP_NO_RENEGOTIATION | SSL_OP_IGNORE_UNEXPECTED_EOF |
	    SSL_OP_CIPHER_SERVER_PREFERENCE);
	/*
	 * Kernel TLS only where the kernel has it: OpenSSL tries it after
	 * every handshake, and without the module each try has the kernel
	 * look for it again (request_module(), which runs modprobe): that
	 * halved the handshakes per second.
	 */
	if (tls_kernel_offers())
		SSL_CTX_set_options(ctx, SSL_OP_ENABLE_KTLS);
	/* Whole records in one read() where they are there: OpenSSL
	 * otherwise reads each record's header and body apart (the bytes
	 * it holds are what sock_buffered() tells the worker about). */
	SSL_CTX_set_read_ahead(ctx, 1);
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS |
	    SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (tls_protocols(ctx, cfg->tls_protocols, err, errlen) < 0)
		return -1;
	if (SSL_CTX_set_cipher_list(ctx, ciphers) != 1) {
		snprintf(err, errlen, "tls-ciphers: \"%s\": %s", ciphers,
		    tls_reason());
		return -1;
	}
	tls_set_groups(ctx);
	/* No server-side cache: tickets, whose keys every worker has. */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"forkhttpd",
	    9);
	if (tls_keys != NULL)
		SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, tls_ticket_cb);
	SSL_CTX_set_tlsext_servername_callback(ctx, tls_sni_cb);
	SSL_CTX_set_tlsext_servername_arg(ctx, t);
	SSL_CTX_set_alpn_select_cb(ctx, tls_alpn_cb, t);
	SSL_CTX_set_tlsext_status_cb(ctx, tls_ocsp_cb);
	SSL_CTX_set_tlsext_status_arg(ctx, t);
	return 0;
}

/* A readable regular file, opened here: its name in the message. */
static int
tls_check_file(const char *key, const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s: %s", key, path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: %s: not a regular file", key, path);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static int
tls_read_ocsp(struct tls *t, size_t i, const char *path, char *err,
    size_t errlen)
{
	unsigned char *buf;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "tls-ocsp-file: %s: %s", path,
		    strerror(errno));
		return -1;
	}
	buf = util_xmalloc(TLS_OCSP_MAX);
	n = read(fd, buf, TLS_OCSP_MAX);
	close(fd);
	if (n <= 0 || n >= TLS_OCSP_MAX || buf[0] != 0x30) {
		snprintf(err, errlen, "tls-ocsp-file: %s: %s", path, n < 0 ?
		    strerror(errno) : "not a DER OCSP response");
		free(buf);
		return -1;
	}
	t->ocsp[i] = buf;
	t->ocsp_len[i] = (size_t)n;
	return 0;
}

/* Server i's context: its chain, its key, matched. */
static int
tls_load_server(struct tls *t, size_t i, char *err, size_t errlen)
{
	const struct config_server *srv = &t->cfg->servers[i];
	const char *key = srv->tls_key != NULL ? srv->tls_key :
	    srv->tls_certificate;
	SSL_CTX *ctx;

	if (srv->tls_certificate == NULL)
		return 0;
	if (tls_check_file("tls-certificate", srv->tls_certificate, err,
	    errlen) < 0 || tls_check_file("tls-key", key, err, errlen) < 0)
		return -1;
	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL) {
		snprintf(err, errlen, "SSL_CTX_new: %s", tls_reason());
		return -1;
	}
	t->ctx[i] = ctx;
	if (tls_ctx_settings(t, ctx, err, errlen) < 0)
		return -1;
	if (SSL_CTX_use_certificate_chain_file(ctx, srv->tls_certificate) !=
	    1) {
		snprintf(err, errlen, "tls-certificate: %s: %s",
		    srv->tls_certificate, tls_reason());
		return -1;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
		snprintf(err, errlen, "tls-key: %s: %s", key, tls_reason());
		return -1;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		snprintf(err, errlen, "tls-key: %s does not match the "
		    "certificate %s", key, srv->tls_certificate);
		return -1;
	}
	if (srv->tls_ocsp_file != NULL &&
	    tls_read_ocsp(t, i, srv->tls_ocsp_file, err, errlen) < 0)
		return -1;
	return 0;
}

static void
tls_free(struct tls *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->cfg->nservers; i++) {
		SSL_CTX_free(t->ctx[i]);
		free(t->ocsp[i]);
	}
	free(t->ctx);
	free(t->ocsp);
	free(t->ocsp_len);
	free(t);
}

struct tls *
tls_load(const struct config *cfg, char *err, size_t errlen)
{
	struct tls *t;

	err[0] = '\0';
	if (!cfg->any_tls)
		return NULL;
	if (tls_ex_listener < 0 && (tls_ex_listener = SSL_get_ex_new_index(0,
	    NULL, NULL, NULL, NULL)) < 0) {
		snprintf(err, errlen, "SSL_get_ex_new_index: %s", tls_reason());
		return NULL;
	}
	t = util_xcalloc(1, sizeof(*t));
	t->cfg = cfg;
	t->ctx = util_xcalloc(cfg->nservers, sizeof(*t->ctx));
	t->ocsp = util_xcalloc(cfg->nservers, sizeof(*t->ocsp));
	t->ocsp_len = util_xcalloc(cfg->nservers, sizeof(*t->ocsp_len));
	ERR_clear_error();
	for (size_t i = 0; i < cfg->nservers; i++) {
		if (tls_load_server(t, i, err, errlen) < 0) {
			ERR_clear_error();
			tls_free(t);
			return NULL;
		}
	}
	return t;
}

void
tls_discard(struct tls *t)
{
	if (t != tls_live)
		tls_free(t);
}

void
tls_install(struct tls *t)
{
	if (t == tls_live)
		return;
	tls_free(tls_live);
	tls_live = t;
}

bool
tls_kernel_offers(void)
{
	static int known = -1;
	int fd;

	if (known >= 0)
		return known;
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return false;
	/* An unconnected socket: the kernel finds (or loads) the "tls"
	 * ULP, then refuses with ENOTCONN; without it, ENOENT.  Once per
	 * process: the answer stays until a restart. */
	known = setsockopt(fd, IPPROTO_TCP, TCP_ULP, "tls", 3) == 0 ||
	    errno == ENOTCONN;
	close(fd);
	return known;
}

SSL *
tls_new(size_t k, int fd, int *server)
{
	const struct tls *t = tls_live;
	SSL *ssl;

	if (t == NULL || k >= t->cfg->nlisten)
		return NULL;
	*server = (int)t->cfg->listen[k].default_server;
	if ((ssl = SSL_new(t->ctx[*server])) == NULL ||
	    SSL_set_fd(ssl, fd) != 1) {
		log_error("SSL_new: %s", tls_reason());
		ERR_clear_error();
		SSL_free(ssl);
		return NULL;
	}
	SSL_set_ex_data(ssl, tls_ex_listener, (void *)(uintptr_t)k);
	SSL_set_app_data(ssl, server);
	SSL_set_accept_state(ssl);
	return ssl;
}

void
tls_log_failure(int fd)
{
	static int64_t second;
	static unsigned lines;
	static uint64_t hidden;
	struct sockaddr_storage peer;
	socklen_t len = sizeof(peer);
	char who[NET_ADDR_MAX] = "?";
	int64_t now = net_now_ms() / 1000;

	tls_counts.failed++;
	if (now != second) {
		second = now;
		lines = 0;
	}
	if (lines >= TLS_LOG_PER_S || !log_enabled(LOG_LEVEL_INFO)) {
		hidden++;
		ERR_clear_error();
		return;
	}
	lines++;
	if (getpeername(fd, (struct sockaddr *)&peer, &len) == 0)
		net_peer_name(&peer, who, sizeof(who));
	if (hidden > 0)
		log_info("%s: TLS handshake failed: %s (and %llu more not "
		    "logged)", who, tls_reason(), (unsigned long long)hidden);
	else
		log_info("%s: TLS handshake failed: %s", who, tls_reason());
	hidden = 0;
	ERR_clear_error();
}
