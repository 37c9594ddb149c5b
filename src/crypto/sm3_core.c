/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SM3 single-stream kernels and their run-time choice (see sm3_core.h).
 *
 * Kernels: eight blocks at a time with the message schedule computed in
 * AVX-512VL or AVX2 lanes (one block per lane, sm3_mb_avx512.c /
 * sm3_mb_avx2.c) and the rounds in BMI2 scalar code reading it, in C or in
 * assembly (sm3_rounds_x86.S, about 7.2 cycles a round against 8), or with the
 * schedule of one block at a time computed inside those rounds in AVX2
 * (kernel asm1v: the vector ports are idle there, so it costs nothing); the
 * on-the-fly C built for BMI2 (RORX rotates without touching the flags);
 * the portable C. sm3_pick.c times them and keeps the fastest. The bound is
 * the rounds' serial chain through E (add, rotate, the GG sum, P0: about
 * seven cycles a round), so the gains are modest; the width goes to the
 * multi-buffer SM3 (sm3_mb.c) instead.
 */
#include "crypto/sm3_core.h"

#include <string.h>

#include "util/mem.h"

const uint32_t tlcp_sm3_iv[TLCP_SM3_STATE_WORDS] = {
    0x7380166f, 0x4914b2b9, 0x172442d7, 0xda8a0600, 0xa96f30bc, 0x163138aa, 0xe38dee4d, 0xb0fb0e4e,
};

/* T_j <<< (j mod 32) for every round j, from the two SM3 round constants
 * 0x79cc4519 (j < 16) and 0x7a879d8a (j >= 16). */
const uint32_t tlcp_sm3_tj[64] = {
    0x79cc4519, 0xf3988a32, 0xe7311465, 0xce6228cb, 0x9cc45197, 0x3988a32f, 0x7311465e, 0xe6228cbc,
    0xcc451979, 0x988a32f3, 0x311465e7, 0x6228cbce, 0xc451979c, 0x88a32f39, 0x11465e73, 0x228cbce6,
    0x9d8a7a87, 0x3b14f50f, 0x7629ea1e, 0xec53d43c, 0xd8a7a879, 0xb14f50f3, 0x629ea1e7, 0xc53d43ce,
    0x8a7a879d, 0x14f50f3b, 0x29ea1e76, 0x53d43cec, 0xa7a879d8, 0x4f50f3b1, 0x9ea1e762, 0x3d43cec5,
    0x7a879d8a, 0xf50f3b14, 0xea1e7629, 0xd43cec53, 0xa879d8a7, 0x50f3b14f, 0xa1e7629e, 0x43cec53d,
    0x879d8a7a, 0x0f3b14f5, 0x1e7629ea, 0x3cec53d4, 0x79d8a7a8, 0xf3b14f50, 0xe7629ea1, 0xcec53d43,
    0x9d8a7a87, 0x3b14f50f, 0x7629ea1e, 0xec53d43c, 0xd8a7a879, 0xb14f50f3, 0x629ea1e7, 0xc53d43ce,
    0x8a7a879d, 0x14f50f3b, 0x29ea1e76, 0x53d43cec, 0xa7a879d8, 0x4f50f3b1, 0x9ea1e762, 0x3d43cec5,
};

#define SM3_ROUNDS_FN   tlcp_sm3_compress_portable
#define SM3_ROUNDS_ATTR /* portable */
#include "crypto/sm3_rounds.h"
#undef SM3_ROUNDS_FN
#undef SM3_ROUNDS_ATTR
#undef SM3R_PIN

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define SM3_X86         1
#define SM3R_PIN(x)     __asm__("" : "+r"(x))
#define SM3_ROUNDS_FN   sm3_compress_bmi2
#define SM3_PRE_FN      sm3_rounds_pre_bmi2
#define SM3_ROUNDS_ATTR static __attribute__((target("bmi,bmi2")))
#include "crypto/sm3_rounds.h"
#include "crypto/sm3_mb_kernels.h"

typedef void (*sm3_schedule8_fn)(const uint8_t *p, uint32_t ww[68 * 8], uint32_t wp[64 * 8]);
typedef void (*sm3_rounds8_fn)(uint32_t v[8], const uint32_t *ww, const uint32_t *wp);

/* The C rounds of the eight blocks of a schedule. */
static inline __attribute__((always_inline)) void sm3_rounds8_c(uint32_t v[8], const uint32_t *ww,
                                                                const uint32_t *wp)
{
    for (int b = 0; b < 8; b++)
        sm3_rounds_pre_bmi2(v, ww + b, wp + b);
}

/* The same in assembly (sm3_rounds_x86.S; BMI1 + BMI2). */
static inline __attribute__((always_inline)) void sm3_rounds8_asm(uint32_t v[8], const uint32_t *ww,
                                                                  const uint32_t *wp)
{
    tlcp_sm3_rounds8_x86(v, ww, wp, 8);
}

/* Eight blocks at a time: the schedule in SIMD lanes, the rounds scalar. */
static inline __attribute__((always_inline)) void
sm3_compress_sched(uint32_t v[8], const uint8_t *data, size_t nblocks, sm3_schedule8_fn sched,
                   sm3_rounds8_fn rounds)
{
    uint32_t ww[68 * 8], wp[64 * 8];
    for (; nblocks >= 8; nblocks -= 8, data += 8 * 64) {
        sched(data, ww, wp);
        rounds(v, ww, wp);
    }
    if (nblocks > 0)
        sm3_compress_bmi2(v, data, nblocks);
    tlcp_wipe(ww, sizeof(ww));
    tlcp_wipe(wp, sizeof(wp));
}

/* One block at a time, the schedule inside the rounds (sm3_rounds_x86.S). */
void tlcp_sm3_blocks_avx2_x86(uint32_t v[8], const uint8_t *data, size_t nblocks);

static void sm3_compress_sched8(uint32_t v[8], const uint8_t *data, size_t nblocks)
{
    sm3_compress_sched(v, data, nblocks, tlcp_sm3_schedule8_avx2, sm3_rounds8_c);
}

static void sm3_compress_sched8x(uint32_t v[8], const uint8_t *data, size_t nblocks)
{
    sm3_compress_sched(v, data, nblocks, tlcp_sm3_schedule8_avx512, sm3_rounds8_c);
}

static void sm3_compress_asm8(uint32_t v[8], const uint8_t *data, size_t nblocks)
{
    sm3_compress_sched(v, data, nblocks, tlcp_sm3_schedule8_avx2, sm3_rounds8_asm);
}

static void sm3_compress_asm8x(uint32_t v[8], const uint8_t *data, size_t nblocks)
{
    sm3_compress_sched(v, data, nblocks, tlcp_sm3_schedule8_avx512, sm3_rounds8_asm);
}
#endif

/* Fastest expected first: with a forced feature mask (tests, benchmarks)
 * the first kernel the mask allows runs. */
const tlcp_sm3_kernel tlcp_sm3_kernels[] = {
#if defined(SM3_X86)
    {"asm1v", TLCP_SM3_FEAT_ASM1V, 1, tlcp_sm3_blocks_avx2_x86},
    {"asm8i", TLCP_SM3_FEAT_ASM8I, 8, tlcp_sm3_compress_asm8i},
    {"asm8x", TLCP_SM3_FEAT_ASM8X, 8, sm3_compress_asm8x},
    {"asm8", TLCP_SM3_FEAT_ASM8, 8, sm3_compress_asm8},
    {"sched8i", TLCP_SM3_FEAT_SCHED8I, 8, tlcp_sm3_compress_sched8i},
    {"sched8x", TLCP_SM3_FEAT_SCHED8X, 8, sm3_compress_sched8x},
    {"sched8", TLCP_SM3_FEAT_SCHED8, 8, sm3_compress_sched8},
    {"bmi2", TLCP_SM3_FEAT_BMI2, 1, sm3_compress_bmi2},
#endif
    {"portable", 0, 1, tlcp_sm3_compress_portable},
};
const size_t tlcp_sm3_nkernels = sizeof(tlcp_sm3_kernels) / sizeof(tlcp_sm3_kernels[0]);

/* ---- padding and output ------------------------------------------------ */

size_t tlcp_sm3_pad(uint8_t out[128], const uint8_t *tail, size_t rest, uint64_t total)
{
    size_t n = rest + 9 <= 64 ? 64 : 128;
    memset(out, 0, n);
    if (rest > 0)
        memcpy(out, tail, rest);
    out[rest] = 0x80;
    uint64_t bits = total * 8;
    for (int i = 0; i < 8; i++)
        out[n - 8 + i] = (uint8_t)(bits >> (56 - 8 * i));
    return n / 64;
}

void tlcp_sm3_state_out(const uint32_t v[TLCP_SM3_STATE_WORDS], uint8_t out[32])
{
    for (int i = 0; i < TLCP_SM3_STATE_WORDS; i++) {
        out[4 * i] = (uint8_t)(v[i] >> 24);
        out[4 * i + 1] = (uint8_t)(v[i] >> 16);
        out[4 * i + 2] = (uint8_t)(v[i] >> 8);
        out[4 * i + 3] = (uint8_t)v[i];
    }
}
