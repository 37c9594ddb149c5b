/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internal to the multi-buffer SM3: the SIMD kernels behind sm3_mb.c. Each
 * may only run on a CPU with the features it is compiled for (see
 * tlcp_sm3_cpu_features). See sm3_mb_impl.h for the contract: lane i
 * compresses nblocks blocks from p[i] into the state v[i], stepping 64 bytes
 * per block when bit i of adv is set.
 */
#ifndef TLCP_CRYPTO_SM3_MB_KERNELS_H
#define TLCP_CRYPTO_SM3_MB_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define TLCP_SM3_MB_X86 1
void tlcp_sm3_mb_compress_avx2(uint32_t *const v[8], const uint8_t *const p[8], uint32_t adv,
                               size_t nblocks);
/* The single-stream schedule of eight consecutive blocks (sm3_core.c). */
void tlcp_sm3_schedule8_avx2(const uint8_t *p, uint32_t ww[68 * 8], uint32_t wp[64 * 8]);
/* Single stream, the next eight blocks' schedule computed between the
 * blocks before (sm3_core_sched.c; BMI2, AVX2, AVX-512F/VL). */
void tlcp_sm3_compress_sched8i(uint32_t v[8], const uint8_t *data, size_t nblocks);
/* The same with the rounds in assembly (BMI1 too). */
void tlcp_sm3_compress_asm8i(uint32_t v[8], const uint8_t *data, size_t nblocks);
/* The rounds of nblocks (<= 8) blocks of an eight-block schedule: W_j of
 * block b at ww[8 * j + b], W'_j at wp[8 * j + b] (sm3_rounds_x86.S). */
void tlcp_sm3_rounds8_x86(uint32_t v[8], const uint32_t *ww, const uint32_t *wp, size_t nblocks);
/* The same with AVX-512VL instructions (sm3_mb_avx512.c). */
void tlcp_sm3_schedule8_avx512(const uint8_t *p, uint32_t ww[68 * 8], uint32_t wp[64 * 8]);
void tlcp_sm3_mb_compress_avx512(uint32_t *const v[16], const uint8_t *const p[16], uint32_t adv,
                                 size_t nblocks);
#endif

#endif
