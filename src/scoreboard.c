/* SPDX-License-Identifier: BSD-2-Clause */
#include "autoconf.h"
/*
 * scoreboard.c - the shared-memory scoreboard; see scoreboard.h.
 *
 * Two rules make unlocked sharing safe enough for reports:
 * - The last byte of each string array is never written with anything
 *   but NUL, so a reader racing a copy sees a mix of two strings, never
 *   an unterminated one (and scoreboard_describe() bounds its reads too).
 * - The watchdog reads heartbeat_ms alone, one aligned 64-bit value
 *   that the worker stores whole (relaxed atomics): never torn.  The
 *   request's fields (request_start_ms, the line, the client) are only
 *   ever reported, so a torn mix of two requests costs one log line's
 *   accuracy, nothing more.
 */

#include <sys/mman.h>
#include <sys/random.h>

#include <netinet/in.h>

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "http.h"
#include "log.h"
#include "net.h"
#include "scoreboard.h"

static const char *const scoreboard_names[SCOREBOARD_STATE_COUNT] = {
	[SCOREBOARD_EMPTY] = "empty",
	[SCOREBOARD_STARTING] = "starting",
	[SCOREBOARD_IDLE] = "idle",
	[SCOREBOARD_READING] = "reading",
	[SCOREBOARD_WRITING] = "writing",
	[SCOREBOARD_CLOSING] = "closing",
	[SCOREBOARD_GRACEFUL] = "graceful",
	[SCOREBOARD_FULL] = "full",
};

const uint64_t scoreboard_duration_bound_us[SCOREBOARD_DURATION_BUCKETS - 1] =
{
	5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000,
	2500000, 5000000, 10000000
};

/*
 * After the slots, at a 64-byte boundary: the per-client counts, then
 * each slot's own share of them (held, a row per slot) and its total.
 * Rows of slots never used are never touched, so cost no memory
 * (MAP_NORESERVE).
 */
struct scoreboard_clients {
	uint64_t key[2];			/* the hash's, at random */
	uint32_t count[SCOREBOARD_CLIENT_BUCKETS];
	uint32_t refused[SCOREBOARD_CLIENT_BUCKETS];	/* since the report */
	int64_t reported_ms[SCOREBOARD_CLIENT_BUCKETS];	/* 0: never */
};

typedef uint16_t scoreboard_held_row[SCOREBOARD_CLIENT_BUCKETS];

/* Where the clients' part begins. */
static size_t
scoreboard_clients_offset(size_t nslots)
{
	size_t n = sizeof(struct scoreboard) +
	    nslots * sizeof(struct scoreboard_slot);

	return (n + 63) & ~(size_t)63;
}

/* Where the metrics counters begin: after the clients' part and the
 * slots' rows of it, at a 64-byte boundary. */
static size_t
scoreboard_counts_offset(size_t nslots)
{
	size_t n = scoreboard_clients_offset(nslots) +
	    sizeof(struct scoreboard_clients) +
	    nslots * (sizeof(scoreboard_held_row) + sizeof(uint32_t));

	return (n + 63) & ~(size_t)63;
}

/* The mapping's length for nslots slots; false if it overflows size_t. */
static bool
scoreboard_size(size_t nslots, size_t *out)
{
	size_t per_slot = sizeof(struct scoreboard_slot) +
	    sizeof(scoreboard_held_row) + sizeof(uint32_t) +
	    sizeof(struct scoreboard_counts);

	if (nslots > (SIZE_MAX - sizeof(struct scoreboard) -
	    sizeof(struct scoreboard_clients) - 128) / per_slot)
		return false;
	*out = scoreboard_counts_offset(nslots) +
	    nslots * sizeof(struct scoreboard_counts);
	return true;
}

struct scoreboard_counts *
scoreboard_counts_of(const struct scoreboard *sb, size_t i)
{
	return (struct scoreboard_counts *)(uintptr_t)((const char *)sb +
	    scoreboard_counts_offset(sb->nslots)) + i;
}

static struct scoreboard_clients *
scoreboard_clients(const struct scoreboard *sb)
{
	return (struct scoreboard_clients *)(uintptr_t)((const char *)sb +
	    scoreboard_clients_offset(sb->nslots));
}

/* Slot i's share of the counts. */
static uint16_t *
scoreboard_held(const struct scoreboard *sb, size_t i)
{
	scoreboard_held_row *rows = (scoreboard_held_row *)(void *)
	    (scoreboard_clients(sb) + 1);

	return rows[i];
}

/* How many connections slot i holds in all its buckets together. */
static uint32_t *
scoreboard_held_total(const struct scoreboard *sb, size_t i)
{
	scoreboard_held_row *rows = (scoreboard_held_row *)(void *)
	    (scoreboard_clients(sb) + 1);

	return (uint32_t *)(void *)(rows + sb->nslots) + i;
}

/* net_now_ms(), but never 0: 0 means "no request" in the slot. */
static int64_t
scoreboard_now_ms(void)
{
	int64_t now = net_now_ms();

	return now != 0 ? now : 1;
}

/*
 * dst (cap > 0 bytes) = the first cap - 1 bytes at most of src[0..len),
 * control characters (NUL included) as '?', so the log line or status
 * row it ends up in cannot be split or spoofed by a client.  Bytes from
 * 0x80 up are kept: whoever prints them escapes for its own format.
 */
static void
scoreboard_copy(char *dst, size_t cap, const char *src, size_t len)
{
	size_t i, n = len < cap - 1 ? len : cap - 1;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)src[i];

		dst[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	dst[n] = '\0';
}

struct scoreboard *
scoreboard_create(size_t nslots)
{
	struct scoreboard *sb;
	size_t size;
	void *p;

	if (!scoreboard_size(nslots, &size)) {
		errno = ENOMEM;
		return NULL;
	}
	/* Anonymous mappings come zeroed: every slot starts EMPTY. */
	p = mmap(NULL, size, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	sb = p;
	sb->started = time(NULL);
	sb->nslots = nslots;
	/* A key no client knows, so none can aim at another's buckets. */
	if (getrandom(scoreboard_clients(sb)->key,
	    sizeof(scoreboard_clients(sb)->key), 0) !=
	    (ssize_t)sizeof(scoreboard_clients(sb)->key)) {
		munmap(p, size);
		return NULL;
	}
	return sb;
}

void
scoreboard_destroy(struct scoreboard *sb)
{
	size_t size;

	if (sb == NULL)
		return;
	/* nslots is the master's own value, written once at creation. */
	if (scoreboard_size(sb->nslots, &size))
		munmap(sb, size);
}

const char *
scoreboard_state_name(int state)
{
	if (state < 0 || state >= SCOREBOARD_STATE_COUNT)
		return "unknown";
	return scoreboard_names[state];
}

/*
 * What slot i added to the per-client counts comes out: its worker is
 * gone, and so are its connections.  Only a slot that holds some has
 * its row read.
 */
static void
scoreboard_client_forget(struct scoreboard *sb, size_t i)
{
	struct scoreboard_clients *cl = scoreboard_clients(sb);
	uint32_t *total = scoreboard_held_total(sb, i);
	uint16_t *held;

	if (__atomic_load_n(total, __ATOMIC_ACQUIRE) == 0)
		return;
	held = scoreboard_held(sb, i);
	for (size_t b = 0; b < SCOREBOARD_CLIENT_BUCKETS; b++) {
		if (held[b] == 0)
			continue;
		__atomic_sub_fetch(&cl->count[b], held[b], __ATOMIC_RELAXED);
		held[b] = 0;
	}
	__atomic_store_n(total, 0, __ATOMIC_RELEASE);
}

void
scoreboard_start(struct scoreboard *sb, size_t i, pid_t pid,
    unsigned generation)
{
	struct scoreboard_slot *s = &sb->slot[i];
	int expected = SCOREBOARD_EMPTY;

	/*
	 * After fork() either side may run first.  If the child has already
	 * set its state (and perhaps counted a request), overwriting that
	 * with STARTING would show an accepting worker as starting until its
	 * next request, so counters and state are reset only on a slot that
	 * is still EMPTY, which scoreboard_clear() left zeroed anyway.
	 */
	if (s->state == SCOREBOARD_EMPTY) {
		s->requests = 0;
		s->bytes = 0;
		s->idle_conns = 0;
		s->open_conns = 0;
		memset(scoreboard_counts_of(sb, i), 0,
		    sizeof(struct scoreboard_counts));
		__atomic_store_n(&s->request_start_ms, 0, __ATOMIC_RELEASE);
		s->heartbeat_ms = 0;
		s->request_start = 0;
		s->request[0] = '\0';
		s->client[0] = '\0';
	}
	s->pid = pid;
	s->generation = generation;
	s->started = time(NULL);
	__atomic_compare_exchange_n(&s->state, &expected, SCOREBOARD_STARTING,
	    false, __ATOMIC_RELEASE, __ATOMIC_RELAXED);
}

/* *to += *from, counter by counter. */
static void
scoreboard_add_counts(struct scoreboard_counts *to,
    const struct scoreboard_counts *from)
{
	uint64_t *t = (uint64_t *)(void *)to;
	const uint64_t *f = (const uint64_t *)(const void *)from;

	/* The struct is uint64_t arrays only, so no padding. */
	for (size_t k = 0; k < sizeof(*to) / sizeof(uint64_t); k++)
		t[k] += f[k];
}

void
scoreboard_clear(struct scoreboard *sb, size_t i)
{
	struct scoreboard_slot *s = &sb->slot[i];
	struct scoreboard_counts *row = scoreboard_counts_of(sb, i);
	uint64_t requests = s->requests, bytes = s->bytes;
	/* Static: some 3 KiB, and only the master calls this. */
	static struct scoreboard_counts counts;

	/*
	 * Empty the slot before adding to the past: a status page reading
	 * in between undercounts for an instant instead of counting the
	 * worker twice, so the totals it shows never go down.
	 */
	counts = *row;
	memset(s, 0, sizeof(*s));
	memset(row, 0, sizeof(*row));
	__atomic_thread_fence(__ATOMIC_RELEASE);
	sb->past_requests += requests;
	sb->past_bytes += bytes;
	scoreboard_add_counts(&sb->retired, &counts);
	scoreboard_client_forget(sb, i);
}

void
scoreboard_describe(const struct scoreboard_slot *s, int64_t now_ms,
    char *buf, size_t cap)
{
	int64_t start = __atomic_load_n(&s->request_start_ms, __ATOMIC_ACQUIRE);
	int64_t ms;
	/* Escaped as the access log escapes its quoted fields, so a '"' in
	 * a request cannot end the field early in the error log.
	 * strnlen() bounds the reads even if a string lost its NUL. */
	char line[4 * SCOREBOARD_LINE_MAX], client[4 * SCOREBOARD_CLIENT_MAX];

	if (cap == 0)
		return;
	log_escape(line, sizeof(line), s->request,
	    strnlen(s->request, SCOREBOARD_LINE_MAX - 1));
	log_escape(client, sizeof(client), s->client,
	    strnlen(s->client, SCOREBOARD_CLIENT_MAX - 1));
	if (start == 0 && s->request[0] != '\0') {
		/* A response going out in the background (see
		 * scoreboard_background_request()). */
		snprintf(buf, cap, "\"%s\"%s%s, sending in the background",
		    line, client[0] != '\0' ? " from " : "", client);
		return;
	}
	if (start == 0) {
		snprintf(buf, cap, "no request");
		return;
	}
	/* A torn read or a clock from another source: never negative. */
	ms = now_ms > start ? now_ms - start : 0;
	if (client[0] != '\0')
		snprintf(buf, cap, "\"%s\" from %s for %" PRId64 " ms",
		    line, client, ms);
	else
		snprintf(buf, cap, "\"%s\" for %" PRId64 " ms", line, ms);
}

void
scoreboard_set_state(struct scoreboard_slot *s, enum scoreboard_state st)
{
	s->state = (int)st;
}

void
scoreboard_set_idle_conns(struct scoreboard_slot *s, unsigned n)
{
	s->idle_conns = n < UINT32_MAX ? (uint32_t)n : UINT32_MAX;
}

void
scoreboard_set_open_conns(struct scoreboard_slot *s, unsigned n)
{
	s->open_conns = n < UINT32_MAX ? (uint32_t)n : UINT32_MAX;
}

void
scoreboard_begin_request(struct scoreboard_slot *s, const char *line,
    size_t len, const char *client)
{
	int64_t now = scoreboard_now_ms();

	scoreboard_copy(s->request, sizeof(s->request), line != NULL ? line :
	    "", line != NULL ? len : 0);
	scoreboard_copy(s->client, sizeof(s->client), client != NULL ? client :
	    "", client != NULL ? strnlen(client, sizeof(s->client)) : 0);
	s->request_start = time(NULL);
	__atomic_store_n(&s->request_start_ms, now, __ATOMIC_RELEASE);
	s->state = SCOREBOARD_READING;
}

void
scoreboard_heartbeat(struct scoreboard_slot *s, int64_t now_ms)
{
	__atomic_store_n(&s->heartbeat_ms, now_ms, __ATOMIC_RELAXED);
}

void
scoreboard_end_request(struct scoreboard_slot *s, uint64_t bytes)
{
	/* No request any more before its details go: see the top. */
	__atomic_store_n(&s->request_start_ms, 0, __ATOMIC_RELEASE);
	s->request_start = 0;
	s->request[0] = '\0';
	s->client[0] = '\0';
	s->requests++;
	s->bytes += bytes;
}

void
scoreboard_background_request(struct scoreboard_slot *s)
{
	/* No request in the foreground: the watchdog leaves it alone. */
	__atomic_store_n(&s->request_start_ms, 0, __ATOMIC_RELEASE);
	s->request_start = 0;
	s->requests++;
}

void
scoreboard_background_done(struct scoreboard_slot *s, uint64_t bytes)
{
	s->bytes += bytes;
	/* Forget it unless a request in the foreground holds the fields
	 * now (which it then will clear itself). */
	if (__atomic_load_n(&s->request_start_ms, __ATOMIC_ACQUIRE) == 0) {
		s->request[0] = '\0';
		s->client[0] = '\0';
	}
}

uint64_t
scoreboard_total_requests(const struct scoreboard *sb)
{
	uint64_t n = sb->past_requests;
	size_t i;

	for (i = 0; i < sb->nslots; i++)
		n += sb->slot[i].requests;
	return n;
}

uint64_t
scoreboard_total_bytes(const struct scoreboard *sb)
{
	uint64_t n = sb->past_bytes;
	size_t i;

	for (i = 0; i < sb->nslots; i++)
		n += sb->slot[i].bytes;
	return n;
}

uint64_t
scoreboard_total_idle_conns(const struct scoreboard *sb)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < sb->nslots; i++)
		if (sb->slot[i].state != SCOREBOARD_EMPTY)
			n += sb->slot[i].idle_conns;
	return n;
}

uint64_t
scoreboard_total_open_conns(const struct scoreboard *sb)
{
	uint64_t n = 0;

	for (size_t i = 0; i < sb->nslots; i++)
		if (sb->slot[i].state != SCOREBOARD_EMPTY)
			n += sb->slot[i].open_conns;
	return n;
}

static size_t
scoreboard_method_class(int method)
{
	switch (method) {
	case HTTP_METHOD_GET:
		return 0;
	case HTTP_METHOD_HEAD:
		return 1;
	case HTTP_METHOD_POST:
		return 2;
	default:
		return 3;
	}
}

void
scoreboard_count_response(struct scoreboard *sb,
    const struct scoreboard_slot *s, size_t server, int method, int status,
    uint64_t bytes, uint64_t duration_us)
{
	struct scoreboard_counts *c = scoreboard_counts_of(sb,
	    (size_t)(s - sb->slot));
	size_t srv = server < SCOREBOARD_SERVERS ? server : SCOREBOARD_SERVERS;
	size_t cls = status >= 100 && status <= 599 ?
	    (size_t)(status / 100 - 1) : SCOREBOARD_STATUS_CLASSES - 1;
	size_t b = 0;

	c->requests[srv][scoreboard_method_class(method)][cls]++;
	c->bytes[srv] += bytes;
	while (b < SCOREBOARD_DURATION_BUCKETS - 1 &&
	    duration_us > scoreboard_duration_bound_us[b])
		b++;
	c->duration[b]++;
	c->duration_us += duration_us;
}

void
scoreboard_sum_counts(const struct scoreboard *sb,
    struct scoreboard_counts *out)
{
	/* The retired part first: a slot cleared while we read its
	 * neighbours is then missed at worst, never counted twice. */
	scoreboard_add_counts(out, &sb->retired);
	/* An empty slot's row is zero (scoreboard_clear()); skipping it
	 * leaves the rows of slots never used untouched. */
	for (size_t i = 0; i < sb->nslots; i++)
		if (sb->slot[i].state != SCOREBOARD_EMPTY)
			scoreboard_add_counts(out, scoreboard_counts_of(sb, i));
}

void
scoreboard_worker_exited(struct scoreboard *sb, bool crashed)
{
	sb->worker_exits++;
	if (crashed)
		sb->worker_crashes++;
}

size_t
scoreboard_count(const struct scoreboard *sb, enum scoreboard_state st)
{
	size_t i, n = 0;

	for (i = 0; i < sb->nslots; i++)
		if (sb->slot[i].state == (int)st)
			n++;
	return n;
}

/* splitmix64's finalizer: every input bit moves every output bit. */
static uint64_t
scoreboard_mix(uint64_t x)
{
	x ^= x >> 30;
	x *= UINT64_C(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64_C(0x94d049bb133111eb);
	x ^= x >> 31;
	return x;
}

void
scoreboard_client_of(const struct scoreboard *sb,
    const struct sockaddr_storage *ss, unsigned ipv6_prefix,
    struct scoreboard_client *out)
{
	const struct scoreboard_clients *cl = scoreboard_clients(sb);
	unsigned char a[16];
	uint64_t hi, lo, h, kind = 4;	/* which kind of address: 4, or
					 * 6 with its prefix */

	memset(a, 0, sizeof(a));
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)ss;

		memcpy(a, &s6->sin6_addr, sizeof(a));
		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
			memmove(a, a + 12, 4);
			memset(a + 4, 0, 12);
		} else {
			unsigned bits = ipv6_prefix > 128 ? 128 : ipv6_prefix;

			for (unsigned k = bits; k < 128; k++)
				a[k / 8] &= (unsigned char)~(0x80u >> (k % 8));
			kind = 6 << 8 | bits;
		}
	} else if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)ss;

		memcpy(a, &s4->sin_addr, 4);
	}
	memcpy(&hi, a, 8);
	memcpy(&lo, a + 8, 8);
	h = scoreboard_mix(scoreboard_mix(scoreboard_mix(hi ^ cl->key[0]) ^
	    lo ^ cl->key[1]) ^ kind);
	out->bucket[0] = (uint16_t)(h % SCOREBOARD_CLIENT_BUCKETS);
	out->bucket[1] = (uint16_t)((h >> 32) % SCOREBOARD_CLIENT_BUCKETS);
}

bool
scoreboard_client_add(struct scoreboard *sb, size_t i,
    const struct scoreboard_client *c, unsigned limit)
{
	struct scoreboard_clients *cl = scoreboard_clients(sb);
	uint16_t *held = scoreboard_held(sb, i);
	uint32_t n0, n1;

	if (held[c->bucket[0]] == UINT16_MAX ||
	    held[c->bucket[1]] == UINT16_MAX)
		return false;
	/*
	 * Add first, then judge: of two workers adding the last one
	 * allowed at once, exactly one sees the limit passed.
	 */
	n0 = __atomic_add_fetch(&cl->count[c->bucket[0]], 1, __ATOMIC_RELAXED);
	n1 = __atomic_add_fetch(&cl->count[c->bucket[1]], 1, __ATOMIC_RELAXED);
	if (limit > 0 && (n0 < n1 ? n0 : n1) > limit) {
		__atomic_sub_fetch(&cl->count[c->bucket[0]], 1,
		    __ATOMIC_RELAXED);
		__atomic_sub_fetch(&cl->count[c->bucket[1]], 1,
		    __ATOMIC_RELAXED);
		return false;
	}
	/* Ours alone to write; the master reads it once we are gone. */
	held[c->bucket[0]]++;
	held[c->bucket[1]]++;
	__atomic_add_fetch(scoreboard_held_total(sb, i), 1, __ATOMIC_RELEASE);
	return true;
}

void
scoreboard_client_remove(struct scoreboard *sb, size_t i,
    const struct scoreboard_client *c)
{
	struct scoreboard_clients *cl = scoreboard_clients(sb);
	uint16_t *held = scoreboard_held(sb, i);

	held[c->bucket[0]]--;
	held[c->bucket[1]]--;
	__atomic_sub_fetch(scoreboard_held_total(sb, i), 1, __ATOMIC_RELEASE);
	__atomic_sub_fetch(&cl->count[c->bucket[0]], 1, __ATOMIC_RELAXED);
	__atomic_sub_fetch(&cl->count[c->bucket[1]], 1, __ATOMIC_RELAXED);
}

unsigned
scoreboard_client_count(const struct scoreboard *sb,
    const struct scoreboard_client *c)
{
	const struct scoreboard_clients *cl = scoreboard_clients(sb);
	uint32_t n0 = __atomic_load_n(&cl->count[c->bucket[0]],
	    __ATOMIC_RELAXED);
	uint32_t n1 = __atomic_load_n(&cl->count[c->bucket[1]],
	    __ATOMIC_RELAXED);

	return n0 < n1 ? n0 : n1;
}

uint64_t
scoreboard_client_refused(struct scoreboard *sb,
    const struct scoreboard_client *c, int64_t now_ms, int64_t interval_ms)
{
	struct scoreboard_clients *cl = scoreboard_clients(sb);
	size_t b = c->bucket[0];
	int64_t last = __atomic_load_n(&cl->reported_ms[b], __ATOMIC_RELAXED);

	__atomic_add_fetch(&cl->refused[b], 1, __ATOMIC_RELAXED);
	if (last != 0 && now_ms - last < interval_ms)
		return 0;
	/* One worker wins the report; the others count on. */
	if (!__atomic_compare_exchange_n(&cl->reported_ms[b], &last,
	    now_ms != 0 ? now_ms : 1, false, __ATOMIC_RELAXED,
	    __ATOMIC_RELAXED))
		return 0;
	return __atomic_exchange_n(&cl->refused[b], 0, __ATOMIC_RELAXED);
}
