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

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

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

/* The mapping's length for nslots slots; false if it overflows size_t. */
static bool
scoreboard_size(size_t nslots, size_t *out)
{
	if (nslots > (SIZE_MAX - sizeof(struct scoreboard)) /
	    sizeof(struct scoreboard_slot))
		return false;
	*out = sizeof(struct scoreboard) +
	    nslots * sizeof(struct scoreboard_slot);
	return true;
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
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
	    -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	sb = p;
	sb->started = time(NULL);
	sb->nslots = nslots;
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

void
scoreboard_clear(struct scoreboard *sb, size_t i)
{
	struct scoreboard_slot *s = &sb->slot[i];
	uint64_t requests = s->requests, bytes = s->bytes;

	/*
	 * Empty the slot before adding to the past: a status page reading
	 * in between undercounts for an instant instead of counting the
	 * worker twice, so the totals it shows never go down.
	 */
	memset(s, 0, sizeof(*s));
	__atomic_thread_fence(__ATOMIC_RELEASE);
	sb->past_requests += requests;
	sb->past_bytes += bytes;
}

void
scoreboard_describe(const struct scoreboard_slot *s, int64_t now_ms,
    char *buf, size_t cap)
{
	int64_t start = __atomic_load_n(&s->request_start_ms, __ATOMIC_ACQUIRE);
	int64_t ms;

	if (cap == 0)
		return;
	if (start == 0 && s->request[0] != '\0') {
		/* A response going out in the background (see
		 * scoreboard_background_request()). */
		snprintf(buf, cap, "\"%.*s\"%s%.*s, sending in the background",
		    SCOREBOARD_LINE_MAX - 1, s->request,
		    s->client[0] != '\0' ? " from " : "",
		    SCOREBOARD_CLIENT_MAX - 1, s->client);
		return;
	}
	if (start == 0) {
		snprintf(buf, cap, "no request");
		return;
	}
	/* A torn read or a clock from another source: never negative. */
	ms = now_ms > start ? now_ms - start : 0;
	/* Precisions bound the reads even if a string lost its NUL. */
	if (s->client[0] != '\0')
		snprintf(buf, cap, "\"%.*s\" from %.*s for %" PRId64 " ms",
		    SCOREBOARD_LINE_MAX - 1, s->request,
		    SCOREBOARD_CLIENT_MAX - 1, s->client, ms);
	else
		snprintf(buf, cap, "\"%.*s\" for %" PRId64 " ms",
		    SCOREBOARD_LINE_MAX - 1, s->request, ms);
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

size_t
scoreboard_count(const struct scoreboard *sb, enum scoreboard_state st)
{
	size_t i, n = 0;

	for (i = 0; i < sb->nslots; i++)
		if (sb->slot[i].state == (int)st)
			n++;
	return n;
}
