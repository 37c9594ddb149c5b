/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Our own SM4 (GB/T 32907), internal to src/crypto: sm4.c and gcm.c use it
 * for the record bulk path in place of OpenSSL's EVP SM4.
 *
 * Why: OpenSSL 3.0's SM4 is table-based C, and its S-box lookups are indexed
 * by key- and data-dependent bytes (a cache-timing channel). This core
 * computes the S-box with AES-NI instead: SM4's and AES's S-boxes are both
 * affine maps around inversion in GF(2^8), so SM4's is OUT(AESSubBytes(IN(x)))
 * for two affine maps (derived by scripts/derive_sm4_affine.py), applied as
 * PSHUFB nibble lookups into tables held in registers (eight blocks per
 * register with VAES); or, on CPUs with GFNI, with GF2P8AFFINEINVQB. No memory access and no branch
 * depends on the key or the data.
 *
 * The core exists only on x86-64 CPUs with AES-NI and SSSE3, detected at run
 * time (sm4_core.c picks the kernel). Elsewhere sm4.c and gcm.c keep using
 * EVP SM4: a portable table-based fallback of our own would be no better than
 * OpenSSL's (and as leaky), and a bit-sliced one is not worth it for the
 * platforms we ship on. Callers must check tlcp_sm4_core_enabled() before any
 * other function of this header, and decide once per key (the round keys are
 * only meaningful to this core).
 */
#ifndef TLCP_CRYPTO_SM4_CORE_H
#define TLCP_CRYPTO_SM4_CORE_H

#include <stddef.h>
#include <stdint.h>

#define TLCP_SM4_ROUNDS 32

/* Round keys in the order the rounds use them: reversed for decryption. */
typedef struct tlcp_sm4_key {
    uint32_t rk[TLCP_SM4_ROUNDS];
} tlcp_sm4_key;

/* 1 when the constant-time core runs on this CPU (and, in test builds, the
 * force-EVP switch is off). */
int tlcp_sm4_core_enabled(void);

/* Expands a 16-byte key; wipe the result with tlcp_wipe when done. */
void tlcp_sm4_core_expand(tlcp_sm4_key *key, const uint8_t user_key[16], int decrypt);

/* ECB over nblocks whole blocks; in == out allowed. */
void tlcp_sm4_core_ecb(const tlcp_sm4_key *key, const uint8_t *in, uint8_t *out, size_t nblocks);

/* CBC with an encryption key (serial: one block at a time); in == out allowed. */
void tlcp_sm4_core_cbc_encrypt(const tlcp_sm4_key *key, const uint8_t iv[16], const uint8_t *in,
                               uint8_t *out, size_t nblocks);

/* k independent CBC encryptions with one encryption key (sm4_core_multi.c):
 * chain i encrypts nblocks[i] blocks from in[i] to out[i] (in[i] == out[i]
 * allowed, chains must not overlap) under iv[i]; up to sixteen chains
 * advance together, one block each per step, through the wide kernels. */
void tlcp_sm4_core_cbc_encrypt_multi(const tlcp_sm4_key *key, size_t k, const uint8_t *const iv[],
                                     const uint8_t *const in[], uint8_t *const out[],
                                     const size_t nblocks[]);

/* k (<= 16) independent CBC decryptions with one decryption key
 * (sm4_core_multi.c), as k tlcp_sm4_core_cbc_decrypt calls: each chain's
 * whole 16-block batches alone, the shorter tails of all chains together. */
void tlcp_sm4_core_cbc_decrypt_multi(const tlcp_sm4_key *key, size_t k, const uint8_t *const iv[],
                                     const uint8_t *const in[], uint8_t *const out[],
                                     const size_t nblocks[]);

/* 8 * groups chains (groups 1 or 2) of nblocks blocks each with the chaining
 * values kept in registers; returns 0 (doing nothing) when the kernel in use
 * has no such mode (the 128-bit AES-NI one). */
int tlcp_sm4_core_cbc_multi_equal(const tlcp_sm4_key *key, int groups, const uint8_t *const iv[],
                                  const uint8_t *const in[], uint8_t *const out[], size_t nblocks);

/* CBC with a decryption key, eight blocks in parallel; in == out allowed. */
void tlcp_sm4_core_cbc_decrypt(const tlcp_sm4_key *key, const uint8_t iv[16], const uint8_t *in,
                               uint8_t *out, size_t nblocks);

/*
 * GCM-style CTR: XORs E(ctr), E(inc32(ctr)), ... onto len bytes (in == out
 * allowed), incrementing only the last 32 bits of the counter block, modulo
 * 2^32 (SP 800-38D inc32). Afterwards ctr holds the counter of the next unused
 * block, so calls with lengths that are multiples of 16 continue the stream;
 * a partial final block consumes a whole counter value.
 */
void tlcp_sm4_core_ctr32(const tlcp_sm4_key *key, uint8_t ctr[16], const uint8_t *in, uint8_t *out,
                         size_t len);

/* The core's kernels (sm4_core.c); AUTO picks the best the CPU runs. */
enum {
    TLCP_SM4_KERNEL_AUTO = 0,
    TLCP_SM4_KERNEL_AESNI = 1,  /* AES-NI + SSSE3 */
    TLCP_SM4_KERNEL_VAES = 2,   /* VAES + AVX2 (+ AES-NI) */
    TLCP_SM4_KERNEL_GFNI = 3,   /* GFNI + AVX2 (+ AES-NI) */
    TLCP_SM4_KERNEL_GFNI512 = 4 /* GFNI + AVX-512 F, BW, VL (+ the above) */
};

#if defined(TLCP_TESTING)
/* Test builds only: 1 makes tlcp_sm4_core_enabled() return 0 so contexts
 * created afterwards use EVP SM4. The initial value is 1 when the environment
 * variable TLCP_TEST_SM4_EVP is set to a non-empty value other than "0", so a
 * whole test suite can be rerun on the EVP path. */
void tlcp_sm4_force_evp(int on);
/* 1 when the CPU (and build) offers the core, whatever the switch says. */
int tlcp_sm4_core_supported(void);
/* Makes the core use `kernel` (TLCP_SM4_KERNEL_*) where the CPU runs it;
 * TLCP_SM4_KERNEL_AUTO restores the normal choice. Applies per call. */
void tlcp_sm4_force_kernel(int kernel);
/* 1 when this CPU runs `kernel`. */
int tlcp_sm4_kernel_available(int kernel);
#endif

#endif
