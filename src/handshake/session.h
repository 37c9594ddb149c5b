/*
 * Session-ID resumption: the client's tlcp_session objects and the
 * server's session cache (shared by the connections of one config, so it
 * is locked).
 */
#ifndef TLCP_HANDSHAKE_SESSION_H
#define TLCP_HANDSHAKE_SESSION_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "crypto/crypto.h"
#include "tlcp/tlcp.h"
#include "x509/x509.h"

#define TLCP_SESSION_ID_LEN           32
#define TLCP_DEFAULT_SESSION_LIFETIME 3600

struct tlcp_session {
    int refs;
    uint8_t id[TLCP_SESSION_ID_LEN];
    uint16_t suite;
    uint8_t master[TLCP_MASTER_SECRET_LEN];
    tlcp_cert *peer_cert[2]; /* server's sign and enc certificates */
};

/* A new session holding new references to the certificates. */
tlcp_session *tlcp_session_new(const uint8_t id[TLCP_SESSION_ID_LEN], uint16_t suite,
                               const uint8_t master[TLCP_MASTER_SECRET_LEN],
                               tlcp_cert *const peer_cert[2]);
tlcp_session *tlcp_session_up_ref(tlcp_session *s);

typedef struct tlcp_cached_session {
    int used;
    uint8_t id[TLCP_SESSION_ID_LEN];
    uint16_t suite;
    uint8_t master[TLCP_MASTER_SECRET_LEN];
    time_t created;
} tlcp_cached_session;

typedef struct tlcp_session_cache {
    pthread_mutex_t lock;
    tlcp_cached_session *entries;
    size_t cap;
    size_t next; /* round-robin replacement */
    unsigned lifetime;
} tlcp_session_cache;

tlcp_session_cache *tlcp_session_cache_new(size_t cap, unsigned lifetime);
void tlcp_session_cache_free(tlcp_session_cache *cache);
void tlcp_session_cache_store(tlcp_session_cache *cache, const uint8_t id[TLCP_SESSION_ID_LEN],
                              uint16_t suite, const uint8_t master[TLCP_MASTER_SECRET_LEN]);
/* 1 and the entry's suite and master when `id` is cached and not expired. */
int tlcp_session_cache_lookup(tlcp_session_cache *cache, const uint8_t *id, size_t id_len,
                              uint16_t *out_suite, uint8_t out_master[TLCP_MASTER_SECRET_LEN]);

#endif
