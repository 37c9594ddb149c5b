/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internal to the constant-time HMAC-SM3 (sm3_ct.c): the masking of one
 * 64-byte block of header || data || 0x80 || 0.. around a secret data
 * length, on AVX2 vectors (sm3_ct_avx2.c). block[first..64) holds message
 * bytes (block[0..first) header bytes, kept); byte first + i is data byte
 * k0 + i, and `base` = k0 - data_len (mod 2^32, |value| < 2^24): it stays
 * when base + i < 0, becomes 0x80 when base + i == 0, and 0 after.
 */
#ifndef TLCP_CRYPTO_SM3_CT_MASK_H
#define TLCP_CRYPTO_SM3_CT_MASK_H

#include <stddef.h>
#include <stdint.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define TLCP_SM3_CT_MASK_X86 1
void tlcp_sm3_ct_mask_avx2(uint8_t block[64], size_t first, uint32_t base);
#endif

#endif
