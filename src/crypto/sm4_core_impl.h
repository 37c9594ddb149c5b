/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internal to the SM4 core: the kernels behind the dispatch in sm4_core.c.
 * All kernels share one key format (tlcp_sm4_key, from the AES-NI key
 * schedule), so the kernel may be chosen per call. Each function may only run
 * on a CPU with the features its kernel is compiled for.
 */
#ifndef TLCP_CRYPTO_SM4_CORE_IMPL_H
#define TLCP_CRYPTO_SM4_CORE_IMPL_H

#include "crypto/sm4_core.h"

/* -DTLCP_SM4_NO_SIMD builds without the core (EVP SM4 everywhere), e.g. to
 * check the fallback build on an x86-64 machine. */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(TLCP_SM4_NO_SIMD)
#define TLCP_SM4_X86 1

/* An empty asm the compiler cannot see through: keeps a value computed as
 * written, so that XORs are not reassociated onto a serial chain. */
#define WIDE_PIN(x) __asm__("" : "+x"(x))

/* AES-NI + SSSE3: the key schedule and four/eight blocks at a time. */
void tlcp_sm4_aesni_expand(tlcp_sm4_key *key, const uint8_t user_key[16], int decrypt);
void tlcp_sm4_aesni_ecb(const tlcp_sm4_key *key, const uint8_t *in, uint8_t *out, size_t nblocks);
void tlcp_sm4_aesni_cbc_encrypt(const tlcp_sm4_key *key, const uint8_t iv[16], const uint8_t *in,
                                uint8_t *out, size_t nblocks);
void tlcp_sm4_aesni_cbc_decrypt(const tlcp_sm4_key *key, const uint8_t iv[16], const uint8_t *in,
                                uint8_t *out, size_t nblocks);
void tlcp_sm4_aesni_ctr32(const tlcp_sm4_key *key, uint8_t ctr[16], const uint8_t *in, uint8_t *out,
                          size_t len);

/* VAES + AVX2: the AES-NI round on eight blocks per register, sixteen at a
 * time (CBC encryption is serial: the AES-NI kernel's serves). */
void tlcp_sm4_vaes_ecb(const tlcp_sm4_key *key, const uint8_t *in, uint8_t *out, size_t nblocks);
void tlcp_sm4_vaes_cbc_decrypt(const tlcp_sm4_key *key, const uint8_t iv[16], const uint8_t *in,
                               uint8_t *out, size_t nblocks);
void tlcp_sm4_vaes_ctr32(const tlcp_sm4_key *key, uint8_t ctr[16], const uint8_t *in, uint8_t *out,
                         size_t len);
/* CBC encryption of 8 * groups chains (groups 1 or 2) of nblocks blocks each,
 * side by side (sm4_core_wide.h). */
void tlcp_sm4_vaes_cbc_multi(const tlcp_sm4_key *key, int groups, const uint8_t *const iv[],
                             const uint8_t *const in[], uint8_t *const out[], size_t nblocks);

/* GFNI + AVX2: eight blocks per register, sixteen at a time. */
void tlcp_sm4_gfni_ecb(const tlcp_sm4_key *key, const uint8_t *in, uint8_t *out, size_t nblocks);
void tlcp_sm4_gfni_cbc_encrypt(const tlcp_sm4_key *key, const uint8_t iv[16], const uint8_t *in,
                               uint8_t *out, size_t nblocks);
void tlcp_sm4_gfni_cbc_decrypt(const tlcp_sm4_key *key, const uint8_t iv[16], const uint8_t *in,
                               uint8_t *out, size_t nblocks);
void tlcp_sm4_gfni_ctr32(const tlcp_sm4_key *key, uint8_t ctr[16], const uint8_t *in, uint8_t *out,
                         size_t len);
void tlcp_sm4_gfni_cbc_multi(const tlcp_sm4_key *key, int groups, const uint8_t *const iv[],
                             const uint8_t *const in[], uint8_t *const out[], size_t nblocks);

/* GFNI + AVX-512 (F, BW, VL): sixteen blocks per register (CTR and short
 * tails use the 256-bit GFNI kernel). */
void tlcp_sm4_gfni512_ecb(const tlcp_sm4_key *key, const uint8_t *in, uint8_t *out, size_t nblocks);
void tlcp_sm4_gfni512_cbc_encrypt(const tlcp_sm4_key *key, const uint8_t iv[16], const uint8_t *in,
                                  uint8_t *out, size_t nblocks);
void tlcp_sm4_gfni512_cbc_decrypt(const tlcp_sm4_key *key, const uint8_t iv[16], const uint8_t *in,
                                  uint8_t *out, size_t nblocks);
void tlcp_sm4_gfni512_cbc_multi(const tlcp_sm4_key *key, int groups, const uint8_t *const iv[],
                                const uint8_t *const in[], uint8_t *const out[], size_t nblocks);
#endif

#endif
