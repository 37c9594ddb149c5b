/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared between src/crypto/ and src/x509/ only: the layout of tlcp_pkey, so
 * that certificate code can hand out a certificate's public key as a
 * tlcp_pkey without another encode/decode round trip.
 */
#ifndef TLCP_CRYPTO_PKEY_INTERNAL_H
#define TLCP_CRYPTO_PKEY_INTERNAL_H

#include <stdatomic.h>

#include <openssl/evp.h>

#include "crypto/crypto.h"

struct sm2_point_table;

/*
 * A key object is immutable after construction except for the lazily built
 * caches below, each published once with a compare-exchange, so one object
 * may be used by many threads at once (a server's keys, a trust store's CA
 * keys). The raw scalar and point are extracted from the EVP_PKEY once, at
 * construction, so no operation pays for OpenSSL's parameter queries.
 */
struct tlcp_pkey {
    /* The same key as an "SM2" EVP_PKEY, owned: set at load for keys that
     * came through OpenSSL, built on first use (tlcp_pkey_evp) for keys made
     * here (generated, from a point or a scalar), which often never need one. */
    _Atomic(EVP_PKEY *) evp;
    atomic_int refs;   /* tlcp_pkey_up_ref / tlcp_pkey_free */
    int has_private;   /* d below is set */
    uint8_t point[64]; /* public point X||Y (validated) */
    uint8_t d[32];     /* private scalar, big-endian; zeros when public; wiped on free */
    uint8_t z_default[TLCP_SM3_DIGEST_LEN]; /* Z for the default ID */
    /* (1 + d)^-1 mod n for signing: 32 bytes, built on first signature. */
    _Atomic(uint8_t *) d1_inv;
    /* Precomputed multiples of the point, built once the key has been used
     * TLCP_SM2_TABLE_AFTER_USES times, within a process-wide memory budget. */
    _Atomic(struct sm2_point_table *) table;
    atomic_uint uses;
};

/* The key's EVP_PKEY (owned by the key; NULL only when out of memory). */
EVP_PKEY *tlcp_pkey_evp(const tlcp_pkey *key);

/* Takes ownership of `pkey` (an up-ref'd or fresh EVP_PKEY). Checks that it is
 * an SM2 key on sm2p256v1; on failure frees pkey and returns NULL. */
tlcp_pkey *tlcp_pkey_wrap(EVP_PKEY *pkey, tlcp_error *err);

#endif
