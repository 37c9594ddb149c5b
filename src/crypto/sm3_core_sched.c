/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Single-stream SM3 with the message schedule interleaved with the rounds
 * (kernel "sched8i", see sm3_core.h and sm3_pick.c).
 *
 * The rounds are one serial chain of about seven cycles a round that leaves
 * most vector ports idle, and computing the schedule of eight blocks in
 * AVX-512VL lanes up front (kernel "sched8x") costs a burst the chain cannot
 * overlap: the out-of-order window holds only a dozen rounds. Here the
 * schedule of the next eight blocks is cut into 54 steps (the two loads
 * and transposes of their sixteen words, then one expanded word W_j and one
 * W'_{j-4} per step), and seven steps run after each of the current blocks,
 * so the vector work fills gaps in the scalar chain of the rounds still in
 * flight. (One step after every four rounds, inside the rounds, was slower
 * on a Zen 4: the step's addresses took registers from the rounds.) On that
 * CPU this kernel was the fastest: 1.08x the portable C at 16 KiB.
 * Only add, rotate and xor touch the data: constant time.
 */
#include "crypto/sm3_core.h"
#include "crypto/sm3_mb_kernels.h"

#if defined(TLCP_SM3_MB_X86)
#include <immintrin.h>

#include "crypto/sm3_mb_transpose.h"
#include "util/mem.h"

#define SX_TARGET   "bmi2,avx2,avx512f,avx512vl"
#define SX_INLINE   static inline __attribute__((always_inline, target(SX_TARGET)))
#define SCHED_STEPS 54
#define WW_WORDS    (68 * 8)
#define WP_WORDS    (64 * 8)

/* The schedule of eight blocks at p under way into ww/wp (the layout of
 * tlcp_sm3_schedule8_avx2); step counts the steps done. */
typedef struct sched_job {
    const uint8_t *p;
    uint32_t *ww, *wp;
    int step;
} sched_job;

SX_INLINE __m256i ld(const uint32_t *w, int j)
{
    return _mm256_loadu_si256((const __m256i *)(const void *)(w + 8 * j));
}

SX_INLINE void st(uint32_t *w, int j, __m256i x)
{
    _mm256_storeu_si256((__m256i *)(void *)(w + 8 * j), x);
}

#define xor3(x, y, z) _mm256_ternarylogic_epi32((x), (y), (z), 0x96)

SX_INLINE void sched_step(sched_job *s)
{
    int j = s->step++;
    if (j < 2) {
        /* Words 8j..8j+7 of the eight blocks, lane b = block b. */
        __m256i r[8];
        for (int i = 0; i < 8; i++)
            r[i] = _mm256_loadu_si256((const __m256i *)(const void *)(s->p + 64 * i + 32 * j));
        tlcp_sm3_transpose8(r);
        for (int k = 0; k < 8; k++)
            st(s->ww, 8 * j + k, tlcp_sm3_bswap32(r[k]));
        if (j == 1)
            for (int k = 0; k < 12; k++)
                st(s->wp, k, _mm256_xor_si256(ld(s->ww, k), ld(s->ww, k + 4)));
        return;
    }
    int n = j + 14; /* W_16 .. W_67 */
    __m256i x = xor3(ld(s->ww, n - 16), ld(s->ww, n - 9), _mm256_rol_epi32(ld(s->ww, n - 3), 15));
    x = xor3(x, _mm256_rol_epi32(x, 15), _mm256_rol_epi32(x, 23));
    x = xor3(x, _mm256_rol_epi32(ld(s->ww, n - 13), 7), ld(s->ww, n - 6));
    st(s->ww, n, x);
    st(s->wp, n - 4, _mm256_xor_si256(ld(s->ww, n - 4), x));
}

#define SM3R_PIN(x)     __asm__("" : "+r"(x))
#define SM3_ROUNDS_FN   sm3i_compress_bmi2
#define SM3_PRE_FN      sm3i_rounds_pre
#define SM3_ROUNDS_ATTR static __attribute__((target(SX_TARGET)))
#include "crypto/sm3_rounds.h"

typedef void (*sm3i_rounds_fn)(uint32_t v[8], const uint32_t *ww, const uint32_t *wp);

/* The rounds in assembly (sm3_rounds_x86.S), one block at a time. */
static void sm3i_rounds_asm(uint32_t v[8], const uint32_t *ww, const uint32_t *wp)
{
    tlcp_sm3_rounds8_x86(v, ww, wp, 1);
}

SX_INLINE void sm3i_compress(uint32_t v[8], const uint8_t *data, size_t nblocks,
                             sm3i_rounds_fn rounds)
{
    uint32_t buf[2][WW_WORDS + WP_WORDS];
    size_t groups = nblocks / 8;
    if (groups > 0) {
        sched_job first = {data, buf[0], buf[0] + WW_WORDS, 0};
        while (first.step < SCHED_STEPS)
            sched_step(&first);
    }
    for (size_t g = 0; g < groups; g++) {
        uint32_t *cur = buf[g & 1], *next = buf[(g + 1) & 1];
        sched_job job = {data + 512 * (g + 1), next, next + WW_WORDS,
                         g + 1 < groups ? 0 : SCHED_STEPS};
        for (int b = 0; b < 8; b++) {
            rounds(v, cur + b, cur + WW_WORDS + b);
            /* A seventh of the next schedule between blocks: the
             * out-of-order window runs it beside the rounds still in
             * flight, without taking registers from them. */
            for (int i = 0; i < 7 && job.step < SCHED_STEPS; i++)
                sched_step(&job);
        }
        while (job.step < SCHED_STEPS)
            sched_step(&job);
    }
    if (nblocks % 8 > 0)
        sm3i_compress_bmi2(v, data + 512 * groups, nblocks % 8);
    tlcp_wipe(buf, sizeof(buf));
}

__attribute__((target(SX_TARGET))) void
tlcp_sm3_compress_sched8i(uint32_t v[8], const uint8_t *data, size_t nblocks)
{
    sm3i_compress(v, data, nblocks, sm3i_rounds_pre);
}

__attribute__((target(SX_TARGET))) void tlcp_sm3_compress_asm8i(uint32_t v[8], const uint8_t *data,
                                                                size_t nblocks)
{
    sm3i_compress(v, data, nblocks, sm3i_rounds_asm);
}

#endif
