/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A process-wide memo of certificate signatures that verified: (issuer's SM2
 * point, the certificate's SM2 ID, the certificate's exact DER). An SM2
 * verification is a pure function of those bytes, so an entry answers only
 * the very same question again, and only with the "valid" it got then:
 * failures are never stored, so nothing here can turn a failure into a
 * success. Everything else about a chain (which path OpenSSL builds from
 * which trust store, usages, constraints, the validity dates at the time
 * asked, the verify callback) is still checked on every verification;
 * a chain met again (the same server's certificates on every handshake)
 * just skips the two scalar multiplications per certificate.
 *
 * Bounded: TLCP_SIG_MEMO_SLOTS entries, DER up to TLCP_SIG_MEMO_MAX_DER and
 * IDs up to TLCP_SIG_MEMO_MAX_ID bytes (longer ones are not memoised),
 * replaced round-robin.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/siphash.h"
#include "x509/store_internal.h"

#define TLCP_SIG_MEMO_SLOTS   64
#define TLCP_SIG_MEMO_MAX_DER 8192
#define TLCP_SIG_MEMO_MAX_ID  64

/* The hash only narrows the scan (a hit compares every byte). */
static const uint8_t g_hash_key[TLCP_SIPHASH_KEY_LEN] = "tlcp sig memo..";

typedef struct memo_entry {
    uint64_t hash;
    uint8_t point[TLCP_SM2_POINT_LEN];
    uint8_t id[TLCP_SIG_MEMO_MAX_ID];
    size_t id_len;
    uint8_t *der; /* owned; NULL: empty slot */
    size_t der_len;
} memo_entry;

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static memo_entry g_slots[TLCP_SIG_MEMO_SLOTS];
static size_t g_next;
static unsigned long g_hits;

static int fits(size_t id_len, size_t der_len)
{
    return id_len <= TLCP_SIG_MEMO_MAX_ID && der_len > 0 && der_len <= TLCP_SIG_MEMO_MAX_DER;
}

static int same(const memo_entry *e, uint64_t hash, const tlcp_sig_question *q)
{
    return e->der != NULL && e->hash == hash && e->der_len == q->der_len &&
           e->id_len == q->id_len && memcmp(e->point, q->point, TLCP_SM2_POINT_LEN) == 0 &&
           memcmp(e->id, q->id, q->id_len) == 0 && memcmp(e->der, q->der, q->der_len) == 0;
}

static int find_locked(uint64_t hash, const tlcp_sig_question *q)
{
    for (size_t i = 0; i < TLCP_SIG_MEMO_SLOTS; i++)
        if (same(&g_slots[i], hash, q))
            return 1;
    return 0;
}

int tlcp_sig_memo_seen(const tlcp_sig_question *q)
{
    if (!fits(q->id_len, q->der_len))
        return 0;
    uint64_t hash = tlcp_siphash24(g_hash_key, q->der, q->der_len);
    pthread_mutex_lock(&g_lock);
    int hit = find_locked(hash, q);
    g_hits += (unsigned long)hit;
    pthread_mutex_unlock(&g_lock);
    return hit;
}

void tlcp_sig_memo_add(const tlcp_sig_question *q)
{
    if (!fits(q->id_len, q->der_len))
        return;
    uint8_t *der = malloc(q->der_len);
    if (der == NULL)
        return; /* a memo is optional */
    memcpy(der, q->der, q->der_len);
    uint64_t hash = tlcp_siphash24(g_hash_key, q->der, q->der_len);
    uint8_t *old = NULL;
    pthread_mutex_lock(&g_lock);
    if (!find_locked(hash, q)) {
        memo_entry *e = &g_slots[g_next];
        g_next = (g_next + 1) % TLCP_SIG_MEMO_SLOTS;
        old = e->der;
        e->hash = hash;
        memcpy(e->point, q->point, TLCP_SM2_POINT_LEN);
        memcpy(e->id, q->id, q->id_len);
        e->id_len = q->id_len;
        e->der = der;
        e->der_len = q->der_len;
        der = NULL;
    }
    pthread_mutex_unlock(&g_lock);
    free(old);
    free(der);
}

void tlcp_sig_memo_clear(void)
{
    pthread_mutex_lock(&g_lock);
    for (size_t i = 0; i < TLCP_SIG_MEMO_SLOTS; i++) {
        free(g_slots[i].der);
        memset(&g_slots[i], 0, sizeof(g_slots[i]));
    }
    g_next = 0;
    pthread_mutex_unlock(&g_lock);
}

unsigned long tlcp_sig_memo_hits(void)
{
    pthread_mutex_lock(&g_lock);
    unsigned long n = g_hits;
    pthread_mutex_unlock(&g_lock);
    return n;
}
