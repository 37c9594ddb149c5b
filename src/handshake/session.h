/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Session-ID resumption: the client's tlcp_session objects and the
 * server's session cache (shared by the connections of one config, so it
 * is locked).
 */
#ifndef TLCP_HANDSHAKE_SESSION_H
#define TLCP_HANDSHAKE_SESSION_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "crypto/crypto.h"
#include "tlcp/tlcp.h"
#include "x509/x509.h"

#define TLCP_SESSION_ID_LEN           32
#define TLCP_DEFAULT_SESSION_LIFETIME 3600

#define TLCP_SESSION_SNI_MAX 255

struct tlcp_session {
    atomic_int refs; /* one session may be offered by connections on several threads */
    uint8_t id[TLCP_SESSION_ID_LEN];
    uint16_t suite;
    uint8_t master[TLCP_MASTER_SECRET_LEN];
    tlcp_cert *peer_cert[2]; /* server's sign and enc certificates */
    /* Who the session was made with: it is offered again only to the same
     * host name, and only by a connection that verifies no more strictly
     * than the one that made it (resumption skips the certificate checks). */
    char *host;   /* the client's configured host name, NULL = none */
    int verified; /* the server's certificates passed the built-in checks */
    /* They failed them (verify_reason, a TLCP_R_*) and the verify callback
     * accepted them: never offered to a connection that verifies. */
    int overridden;
    int verify_reason;
    /* When it was made (seconds since the epoch) and for how long it may be
     * offered; an expired session is not offered (nor imported). */
    int64_t created;
    uint32_t lifetime;
};

/* A new session holding new references to the certificates. */
tlcp_session *tlcp_session_new(const uint8_t id[TLCP_SESSION_ID_LEN], uint16_t suite,
                               const uint8_t master[TLCP_MASTER_SECRET_LEN],
                               tlcp_cert *const peer_cert[2]);
tlcp_session *tlcp_session_up_ref(tlcp_session *s);
/* Records the peer the session was made with (host may be NULL) and that
 * its certificates passed the built-in checks (verified = 1). */
TLCP_MUST_CHECK int tlcp_session_bind_peer(tlcp_session *s, const char *host, int verified);
/* Sets the creation time and lifetime (seconds, > 0); new sessions get
 * now and TLCP_DEFAULT_SESSION_LIFETIME. */
void tlcp_session_set_times(tlcp_session *s, int64_t created, uint32_t lifetime);
/* 1 when `s` has expired at `now`: past its lifetime, or made more than
 * TLCP_SESSION_CLOCK_SKEW seconds in the future. */
int tlcp_session_expired(const tlcp_session *s, int64_t now);
#define TLCP_SESSION_CLOCK_SKEW 60

/* Records that the checks failed with `reason` and the verify callback
 * accepted the certificates anyway. */
void tlcp_session_mark_overridden(tlcp_session *s, int reason);
/* 1 when a connection with this host name and verify mode may offer `s`
 * (and it has not expired). */
int tlcp_session_fits_peer(const tlcp_session *s, const char *host, int verify_mode);

/* tlcp_session_import with the clock as a parameter (tests, stores that
 * keep their own time). NULL with err set on failure. */
tlcp_session *tlcp_session_decode(const uint8_t *in, size_t len, int64_t now, tlcp_error *err);

/*
 * The server's cache: a hash table over a fixed array of `cap` slots, so
 * memory is bounded and a lookup costs one keyed hash and a short chain
 * whatever the cache holds. The bucket of an ID is SipHash-2-4 under a
 * random per-cache key: a client choosing IDs cannot aim at one bucket.
 * Slots are also linked from oldest to newest; when the cache is full the
 * oldest entry goes (sessions expire by age, so it is the next to expire
 * anyway), and expired entries are dropped as the store reaches them.
 * Links are slot index + 1, 0 = none, so calloc'ed memory is a valid empty
 * cache (and untouched pages of a large cache stay unallocated).
 */
typedef struct tlcp_cached_session {
    int used;
    uint8_t id[TLCP_SESSION_ID_LEN];
    uint16_t suite;
    uint8_t master[TLCP_MASTER_SECRET_LEN];
    time_t created;
    /* The client's server_name (RFC 6066: resume only for the same name),
     * NULL = none. */
    char *sni;
    uint32_t chain; /* next slot in the same bucket */
    uint32_t older; /* age list */
    uint32_t newer;
} tlcp_cached_session;

typedef struct tlcp_session_cache {
    pthread_mutex_t lock;
    tlcp_cached_session *entries;
    size_t cap;
    uint32_t *buckets; /* nbuckets chain heads */
    size_t nbuckets;   /* a power of two >= cap */
    size_t count;
    size_t high_water;  /* slots below it were used at least once */
    uint32_t free_list; /* released slots, through `chain` */
    uint32_t oldest, newest;
    uint8_t key[16];
    unsigned lifetime;
} tlcp_session_cache;

#define TLCP_SESSION_CACHE_MAX (1u << 20)

/* cap: 1..TLCP_SESSION_CACHE_MAX; lifetime 0 = the default. */
tlcp_session_cache *tlcp_session_cache_new(size_t cap, unsigned lifetime);
void tlcp_session_cache_free(tlcp_session_cache *cache);
/* sni: the server_name of the handshake, NULL when the client sent none. */
void tlcp_session_cache_store(tlcp_session_cache *cache, const uint8_t id[TLCP_SESSION_ID_LEN],
                              uint16_t suite, const uint8_t master[TLCP_MASTER_SECRET_LEN],
                              const char *sni);
/* 1 and the entry's suite and master when `id` is cached, not expired and
 * was made for the same server_name (`sni`, NULL = none). */
int tlcp_session_cache_lookup(tlcp_session_cache *cache, const uint8_t *id, size_t id_len,
                              const char *sni, uint16_t *out_suite,
                              uint8_t out_master[TLCP_MASTER_SECRET_LEN]);
/* Forgets `id` (no-op when not cached). */
void tlcp_session_cache_remove(tlcp_session_cache *cache, const uint8_t id[TLCP_SESSION_ID_LEN]);

#endif
