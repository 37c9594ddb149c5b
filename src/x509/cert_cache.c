/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A process-wide cache of parsed peer certificates, keyed by their exact DER
 * bytes. OpenSSL 3's d2i_X509 decodes the public key through its provider
 * decoders, which made parsing the peer's certificates the largest cost of a
 * full handshake after SM2 itself; a client that meets the same server again
 * (or a server the same client) now parses each certificate once. Parsing
 * is a function of the bytes alone, so a hit (same length, same bytes,
 * compared in full) gives the very object a fresh parse would: no verdict
 * is cached here, every check still runs on it. The cached objects also
 * keep their SM2 public key (cert.c), and with it the per-key tables
 * src/crypto builds for keys used again.
 *
 * Bounded: TLCP_CERT_CACHE_SLOTS entries of at most TLCP_CERT_CACHE_MAX_DER
 * bytes each, replaced round-robin, so a peer sending ever new certificates
 * only evicts (a cost, never a wrong result).
 */
#include <pthread.h>
#include <string.h>

#include "util/siphash.h"
#include "x509/x509_internal.h"

#define TLCP_CERT_CACHE_SLOTS   64
#define TLCP_CERT_CACHE_MAX_DER 8192

/* The hash only speeds up the scan (a hit is a full comparison), so a
 * fixed key is enough. */
static const uint8_t g_hash_key[TLCP_SIPHASH_KEY_LEN] = "tlcp cert cache";

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
    uint64_t hash;
    tlcp_cert *cert;
} g_slots[TLCP_CERT_CACHE_SLOTS];
static size_t g_next; /* the slot replaced next */
#if defined(TLCP_TESTING)
static unsigned long g_hits;
#endif

/* The cached certificate with exactly these bytes (a new reference), or NULL. */
static tlcp_cert *find_locked(uint64_t hash, const uint8_t *der, size_t len)
{
    for (size_t i = 0; i < TLCP_CERT_CACHE_SLOTS; i++) {
        if (g_slots[i].cert == NULL || g_slots[i].hash != hash)
            continue;
        const uint8_t *have;
        size_t have_len;
        tlcp_cert_der(g_slots[i].cert, &have, &have_len);
        if (have_len == len && memcmp(have, der, len) == 0)
            return tlcp_cert_up_ref(g_slots[i].cert);
    }
    return NULL;
}

/* Keeps `cert` (parsed from der) unless another thread was faster; returns
 * the reference the caller keeps: `cert` itself or the one already cached. */
static tlcp_cert *insert(uint64_t hash, const uint8_t *der, size_t len, tlcp_cert *cert)
{
    tlcp_cert *evicted = NULL;
    pthread_mutex_lock(&g_lock);
    tlcp_cert *other = find_locked(hash, der, len);
    if (other == NULL) {
        evicted = g_slots[g_next].cert;
        g_slots[g_next].hash = hash;
        g_slots[g_next].cert = tlcp_cert_up_ref(cert);
        g_next = (g_next + 1) % TLCP_CERT_CACHE_SLOTS;
    }
    pthread_mutex_unlock(&g_lock);
    tlcp_cert_free(evicted);
    if (other == NULL)
        return cert;
    tlcp_cert_free(cert);
    return other;
}

tlcp_cert *tlcp_cert_from_der_cached(const uint8_t *der, size_t len, tlcp_error *err)
{
    if (der == NULL || len == 0 || len > TLCP_CERT_CACHE_MAX_DER)
        return tlcp_cert_from_der(der, len, err);
    uint64_t hash = tlcp_siphash24(g_hash_key, der, len);
    pthread_mutex_lock(&g_lock);
    tlcp_cert *hit = find_locked(hash, der, len);
#if defined(TLCP_TESTING)
    g_hits += hit != NULL;
#endif
    pthread_mutex_unlock(&g_lock);
    if (hit != NULL)
        return hit;
    tlcp_cert *cert = tlcp_cert_from_der(der, len, err);
    return cert != NULL ? insert(hash, der, len, cert) : NULL;
}

void tlcp_cert_cache_clear(void)
{
    tlcp_cert *old[TLCP_CERT_CACHE_SLOTS];
    pthread_mutex_lock(&g_lock);
    for (size_t i = 0; i < TLCP_CERT_CACHE_SLOTS; i++) {
        old[i] = g_slots[i].cert;
        g_slots[i].cert = NULL;
    }
    g_next = 0;
    pthread_mutex_unlock(&g_lock);
    for (size_t i = 0; i < TLCP_CERT_CACHE_SLOTS; i++)
        tlcp_cert_free(old[i]);
}

#if defined(TLCP_TESTING)
unsigned long tlcp_cert_cache_hits(void)
{
    pthread_mutex_lock(&g_lock);
    unsigned long n = g_hits;
    pthread_mutex_unlock(&g_lock);
    return n;
}
#endif
