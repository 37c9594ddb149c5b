/* SPDX-License-Identifier: Apache-2.0 */
/*
 * GHASH, the universal hash inside GCM (NIST SP 800-38D). Internal to
 * src/crypto; gcm.c is the only user outside the tests.
 *
 * Field elements are kept "reflected": a 16-byte block read as one big-endian
 * 128-bit integer, so the coefficient of x^i is bit 127-i. In that form the
 * field product is the plain carry-less integer product shifted left by one
 * and reduced, which both the portable and the PCLMULQDQ code compute.
 *
 * Everything here is constant time: no table indexed by secret data, no branch
 * on secret data. The only branch is on the CPU feature, chosen per key.
 */
#ifndef TLCP_CRYPTO_GHASH_H
#define TLCP_CRYPTO_GHASH_H

#include <stddef.h>
#include <stdint.h>

#define TLCP_GHASH_BLOCK_LEN 16

/* A 128-bit field element: hi holds block bytes 0..7, lo bytes 8..15. */
typedef struct tlcp_gf128 {
    uint64_t hi;
    uint64_t lo;
} tlcp_gf128;

/* The hash key H and its powers H^1..H^4 (powers let the PCLMULQDQ path
 * multiply four blocks before one reduction). */
typedef struct tlcp_ghash_key {
    tlcp_gf128 h[4]; /* h[i] = H^(i+1) */
    int use_clmul;   /* decided once per key from the CPU (and the test switch) */
} tlcp_ghash_key;

/* Sets up the key from H = E_K(0^128). */
void tlcp_ghash_init(tlcp_ghash_key *key, const uint8_t h[TLCP_GHASH_BLOCK_LEN]);

/* y = (...((y ^ b0) * H ^ b1) * H ...) over nblocks whole 16-byte blocks. */
void tlcp_ghash_blocks(const tlcp_ghash_key *key, tlcp_gf128 *y, const uint8_t *data,
                       size_t nblocks);

/* Absorbs `len` bytes, zero-padding the last partial block (GCM's rule for
 * both the AAD and the ciphertext). */
void tlcp_ghash_padded(const tlcp_ghash_key *key, tlcp_gf128 *y, const uint8_t *data, size_t len);

/* The portable field multiply, exposed for the differential tests. */
tlcp_gf128 tlcp_gf128_mul(tlcp_gf128 a, tlcp_gf128 b);

void tlcp_gf128_load(tlcp_gf128 *out, const uint8_t in[TLCP_GHASH_BLOCK_LEN]);
void tlcp_gf128_store(uint8_t out[TLCP_GHASH_BLOCK_LEN], tlcp_gf128 in);

#if defined(TLCP_TESTING)
/* Test builds only: 1 makes keys initialised afterwards use the portable
 * multiply even where PCLMULQDQ exists, so both paths stay tested. */
void tlcp_ghash_force_portable(int on);
/* 1 when this CPU (and build) offers the PCLMULQDQ path. */
int tlcp_ghash_have_clmul(void);
#endif

#endif
