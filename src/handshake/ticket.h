/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Session tickets (RFC 5077). The server's ticket keys: a small ring of
 * named SM4-GCM keys shared by the connections of one config (locked, so
 * keys may be rotated while connections run). The newest key seals, every
 * key opens. A ticket is
 *
 *   key name (16) | nonce (12, random) | SM4-GCM(session export) | tag (16)
 *
 * with the key name as additional data. The plaintext is the session export
 * format (session_codec.c) holding the server's view of the session: suite,
 * master secret, creation time, lifetime, the client's certificates and
 * their verification outcome, and the client's server_name as the host.
 */
#ifndef TLCP_HANDSHAKE_TICKET_H
#define TLCP_HANDSHAKE_TICKET_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"
#include "handshake/session.h"
#include "util/error.h"
#include "util/safety.h"

#define TLCP_TICKET_NAME_LEN     16
#define TLCP_TICKET_MAX_KEYS     16
#define TLCP_TICKET_DEFAULT_LIFE 7200
#define TLCP_TICKET_SECRET_MIN   16
#define TLCP_TICKET_SECRET_MAX   64
#define TLCP_TICKET_OVERHEAD     (TLCP_TICKET_NAME_LEN + TLCP_GCM_NONCE_LEN + TLCP_GCM_TAG_LEN)

typedef struct tlcp_ticket_key {
    uint8_t name[TLCP_TICKET_NAME_LEN];
    tlcp_gcm *gcm;
} tlcp_ticket_key;

typedef struct tlcp_ticket_keys {
    pthread_mutex_t lock;
    tlcp_ticket_key keys[TLCP_TICKET_MAX_KEYS]; /* oldest first; keys[count-1] seals */
    size_t count;
    uint32_t lifetime; /* seconds, the hint we send */
} tlcp_ticket_keys;

tlcp_ticket_keys *tlcp_ticket_keys_new(void);
void tlcp_ticket_keys_free(tlcp_ticket_keys *k);
/* Adds a key named `name` derived from `secret` (HMAC-SM3(secret, label ||
 * name), first 16 bytes); replaces a key of the same name, drops the oldest
 * when full. It becomes the newest. 1/0 with err. */
TLCP_MUST_CHECK int tlcp_ticket_keys_add(tlcp_ticket_keys *k,
                                         const uint8_t name[TLCP_TICKET_NAME_LEN],
                                         const uint8_t *secret, size_t secret_len, tlcp_error *err);
/* Adds a random key (random name and secret). */
TLCP_MUST_CHECK int tlcp_ticket_keys_add_random(tlcp_ticket_keys *k, tlcp_error *err);
/* 1 when a key of that name was removed. */
int tlcp_ticket_keys_remove(tlcp_ticket_keys *k, const uint8_t name[TLCP_TICKET_NAME_LEN]);
void tlcp_ticket_keys_clear(tlcp_ticket_keys *k);
size_t tlcp_ticket_keys_count(tlcp_ticket_keys *k);
/* Moves all keys of `from` into `k` (replacing k's), leaving `from` empty. */
void tlcp_ticket_keys_take(tlcp_ticket_keys *k, tlcp_ticket_keys *from);

/* Seals `s` under the newest key into a heap buffer; NULL when no key. */
uint8_t *tlcp_ticket_seal(tlcp_ticket_keys *k, const tlcp_session *s, size_t *out_len,
                          tlcp_error *err);
/* The session in `ticket`, or NULL with err saying why (unknown key,
 * authentication failure, malformed, expired). *newest: sealed under the
 * newest key (no need to renew). */
tlcp_session *tlcp_ticket_open(tlcp_ticket_keys *k, const uint8_t *ticket, size_t len, int64_t now,
                               int *newest, tlcp_error *err);

/* Key file (docs/DESIGN.md "Ticket key files"): replaces the keys of `k`
 * with those of the file; errors name the file and line. */
TLCP_MUST_CHECK int tlcp_ticket_keys_load_file(tlcp_ticket_keys *k, const char *path,
                                               tlcp_error *err);
/* The same from text in memory (`source` names it in errors). */
TLCP_MUST_CHECK int tlcp_ticket_keys_parse(tlcp_ticket_keys *k, const char *text, size_t len,
                                           const char *source, tlcp_error *err);

#endif
