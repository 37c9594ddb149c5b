/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Which single-stream SM3 kernel runs (the kernels are in sm3_core.c).
 *
 * CPUID says which kernels the CPU can run, not which is fastest: on an
 * AMD Zen 4 the eight-block AVX2-schedule kernel gained from nothing to 5%
 * over the portable C (run to run), while on an AVX-512 Xeon it was the
 * fastest; GmSSL 3's SSE SM3 runs at about half its own portable C's speed
 * on that Zen 4.
 * So the first call times every kernel the CPU runs on the same few blocks,
 * a handful of times each, interleaved, and keeps the fastest by its best
 * time (the minimum filters out preemption on a loaded machine). Twice:
 * for short inputs (under eight blocks the eight-block kernels fall back to
 * per-block code) and for long ones. All kernels compute the same function
 * in time independent of the data, so the choice only affects speed.
 */
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "crypto/sm3_core.h"
#include "util/mem.h"

#define FEAT_KNOWN 0x10000

static int detect(void)
{
    int f = FEAT_KNOWN;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    __builtin_cpu_init();
    if (__builtin_cpu_supports("bmi2"))
        f |= TLCP_SM3_FEAT_BMI2;
    if (__builtin_cpu_supports("bmi"))
        f |= TLCP_SM3_FEAT_BMI1;
    if (__builtin_cpu_supports("avx2"))
        f |= TLCP_SM3_FEAT_AVX2;
    if ((f & TLCP_SM3_FEAT_BMI2) && (f & TLCP_SM3_FEAT_AVX2))
        f |= TLCP_SM3_FEAT_SCHED8_BIT;
    /* The builtin checks that the OS saves the ZMM state (XCR0). */
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl"))
        f |= TLCP_SM3_FEAT_AVX512;
    if ((f & TLCP_SM3_FEAT_SCHED8X) == (TLCP_SM3_FEAT_SCHED8X & ~TLCP_SM3_FEAT_SCHED8X_BIT))
        f |= TLCP_SM3_FEAT_SCHED8X_BIT | TLCP_SM3_FEAT_SCHED8I_BIT;
    if ((f & TLCP_SM3_FEAT_ASM8) == (TLCP_SM3_FEAT_ASM8 & ~TLCP_SM3_FEAT_ASM8_BIT))
        f |= TLCP_SM3_FEAT_ASM8_BIT;
    if ((f & TLCP_SM3_FEAT_ASM1V) == (TLCP_SM3_FEAT_ASM1V & ~TLCP_SM3_FEAT_ASM1V_BIT))
        f |= TLCP_SM3_FEAT_ASM1V_BIT;
    if ((f & TLCP_SM3_FEAT_ASM8X) == (TLCP_SM3_FEAT_ASM8X & ~TLCP_SM3_FEAT_ASM8X_BIT))
        f |= TLCP_SM3_FEAT_ASM8X_BIT | TLCP_SM3_FEAT_ASM8I_BIT;
#endif
    return f;
}

#if defined(TLCP_TESTING)
static _Atomic int g_mask = -1;
void tlcp_sm3_force_features(int mask)
{
    atomic_store_explicit(&g_mask, mask, memory_order_relaxed);
}
#define FEATURE_MASK atomic_load_explicit(&g_mask, memory_order_relaxed)
#else
#define FEATURE_MASK (-1)
#endif

static int cpu_features(void)
{
    /* Every thread computes the same value, so a relaxed race is harmless;
     * CPUID traps in virtual machines, so it must not run per call. */
    static _Atomic int cached;
    int f = atomic_load_explicit(&cached, memory_order_relaxed);
    if (f == 0) {
        f = detect();
        atomic_store_explicit(&cached, f, memory_order_relaxed);
    }
    return f & ~FEAT_KNOWN;
}

int tlcp_sm3_cpu_features(void)
{
    return cpu_features() & FEATURE_MASK;
}

/* ---- timing the kernels ------------------------------------------------ */

#define PICK_ROUNDS 9
#define PICK_SHORT  3  /* blocks timed for short inputs */
#define PICK_LONG   32 /* and for long ones (2 KiB) */

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int runs(const tlcp_sm3_kernel *k, int f, size_t nblocks)
{
    return (k->features & f) == k->features && nblocks >= k->min_blocks;
}

/* The index of the fastest kernel the features f allow on nblocks blocks. */
static size_t time_kernels(int f, size_t nblocks)
{
    static const uint8_t data[PICK_LONG * 64]; /* contents do not matter */
    double best[16];
    size_t n = tlcp_sm3_nkernels < 16 ? tlcp_sm3_nkernels : 16;
    for (size_t i = 0; i < n; i++)
        best[i] = -1.0;
    for (int r = 0; r < PICK_ROUNDS; r++) {
        for (size_t i = 0; i < n; i++) {
            if (!runs(&tlcp_sm3_kernels[i], f, nblocks))
                continue;
            uint32_t v[TLCP_SM3_STATE_WORDS];
            memcpy(v, tlcp_sm3_iv, sizeof(v));
            double t0 = now_ns();
            tlcp_sm3_kernels[i].fn(v, data, nblocks);
            double t = now_ns() - t0;
            if (best[i] < 0 || t < best[i])
                best[i] = t;
        }
    }
    size_t pick = n - 1; /* portable, always allowed */
    for (size_t i = 0; i < n; i++)
        if (best[i] >= 0 && best[i] < best[pick])
            pick = i;
    return pick;
}

/* Both picks, found once per process: bits 0-7 the short one, 8-15 the
 * long one, bit 16 set when known. */
static int measured_picks(void)
{
    static _Atomic int cached;
    int p = atomic_load_explicit(&cached, memory_order_relaxed);
    if (p == 0) {
        int f = cpu_features();
        p = 0x10000 | (int)time_kernels(f, PICK_SHORT) | (int)time_kernels(f, PICK_LONG) << 8;
        atomic_store_explicit(&cached, p, memory_order_relaxed);
    }
    return p;
}

/* With the features masked (tests, benchmarks): the first kernel allowed. */
static const tlcp_sm3_kernel *first_allowed(int f, size_t nblocks)
{
    for (size_t i = 0; i < tlcp_sm3_nkernels; i++)
        if (runs(&tlcp_sm3_kernels[i], f, nblocks))
            return &tlcp_sm3_kernels[i];
    return &tlcp_sm3_kernels[tlcp_sm3_nkernels - 1];
}

const tlcp_sm3_kernel *tlcp_sm3_kernel_for(size_t nblocks)
{
    int f = tlcp_sm3_cpu_features();
    if (f != cpu_features())
        return first_allowed(f, nblocks);
    int p = measured_picks();
    return &tlcp_sm3_kernels[nblocks >= 8 ? (p >> 8) & 0xff : p & 0xff];
}

void tlcp_sm3_compress(uint32_t v[TLCP_SM3_STATE_WORDS], const uint8_t *data, size_t nblocks)
{
    tlcp_sm3_kernel_for(nblocks)->fn(v, data, nblocks);
}
