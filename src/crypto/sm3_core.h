/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Our own SM3 (GB/T 32905), internal to src/crypto: the compression function
 * behind tlcp_sm3_*, HMAC-SM3, the constant-time HMAC of CBC records
 * (sm3_ct.c) and the multi-buffer SM3 (sm3_mb.h).
 *
 * SM3 is add-rotate-xor only, so every implementation here runs in time
 * independent of the data; only lengths steer branches. The single-stream
 * kernel is picked at run time by timing the ones CPUID allows
 * (sm3_pick.c): the portable C, the same C compiled for BMI2 (RORX rotates
 * without touching the flags), or BMI2 rounds on a schedule computed eight
 * blocks at a time in AVX2 or AVX-512VL lanes, in C or in x86-64 assembly
 * (sm3_rounds_x86.S), or assembly rounds computing their block's schedule
 * in AVX2 as they go (asm1v).
 */
#ifndef TLCP_CRYPTO_SM3_CORE_H
#define TLCP_CRYPTO_SM3_CORE_H

#include <stddef.h>
#include <stdint.h>

#define TLCP_SM3_STATE_WORDS 8

/* The initial value IV of GB/T 32905. */
extern const uint32_t tlcp_sm3_iv[TLCP_SM3_STATE_WORDS];

/* T_j <<< (j mod 32), the round constants of rounds 0..63. */
extern const uint32_t tlcp_sm3_tj[64];

/* v = CF(v, block) for nblocks consecutive 64-byte blocks at data. */
void tlcp_sm3_compress(uint32_t v[TLCP_SM3_STATE_WORDS], const uint8_t *data, size_t nblocks);

/* The portable kernel (always present; the reference of the others). */
void tlcp_sm3_compress_portable(uint32_t v[TLCP_SM3_STATE_WORDS], const uint8_t *data,
                                size_t nblocks);

/* A single-stream kernel (sm3_core.c): runs on a CPU with all of
 * `features`; worth calling from min_blocks blocks on. */
typedef struct tlcp_sm3_kernel {
    const char *name;
    int features;
    size_t min_blocks;
    void (*fn)(uint32_t v[TLCP_SM3_STATE_WORDS], const uint8_t *data, size_t nblocks);
} tlcp_sm3_kernel;

/* Every kernel built in, fastest expected first, the portable one last. */
extern const tlcp_sm3_kernel tlcp_sm3_kernels[];
extern const size_t tlcp_sm3_nkernels;

/* The kernel tlcp_sm3_compress runs on nblocks blocks (sm3_pick.c): the
 * fastest one measured on this CPU, or with forced features the first one
 * they allow. */
const tlcp_sm3_kernel *tlcp_sm3_kernel_for(size_t nblocks);

/* SM3 of data[0..len) (sm3.c); data may be NULL when len is 0. */
void tlcp_sm3_digest(const uint8_t *data, size_t len, uint8_t out[32]);

/* Big-endian output of a state. */
void tlcp_sm3_state_out(const uint32_t v[TLCP_SM3_STATE_WORDS], uint8_t out[32]);

/*
 * The final one or two blocks of a message of `total` bytes whose last
 * `rest` (< 64) bytes are at tail: tail || 0x80 || zeros || bit length.
 * Returns the number of blocks written to out (1 or 2).
 */
size_t tlcp_sm3_pad(uint8_t out[128], const uint8_t *tail, size_t rest, uint64_t total);

/*
 * Multi-buffer compression of whole blocks (sm3_mb.c): lane i compresses
 * blocks0[i] blocks at run0[i], then blocks1[i] blocks at run1[i], into v[i]
 * (either count may be 0), the lanes side by side. The constant-time CBC MAC
 * of several records (sm3_ct.c) builds its blocks itself and hashes them here.
 */
void tlcp_sm3_mb_blocks(size_t n, uint32_t *const v[], const uint8_t *const run0[],
                        const size_t blocks0[], const uint8_t *const run1[],
                        const size_t blocks1[]);

/* CPU features the SM3 kernels use, found once. */
#define TLCP_SM3_FEAT_BMI2   1
#define TLCP_SM3_FEAT_AVX2   2
#define TLCP_SM3_FEAT_AVX512 4 /* AVX-512 F + VL (with the OS saving the state) */
/* Single stream eight blocks at a time, the schedule in AVX2 lanes and the
 * rounds with BMI2: set with those two; a mask without it keeps the kernels
 * apart in tests and benchmarks. */
#define TLCP_SM3_FEAT_SCHED8_BIT 8
#define TLCP_SM3_FEAT_SCHED8     (TLCP_SM3_FEAT_BMI2 | TLCP_SM3_FEAT_AVX2 | TLCP_SM3_FEAT_SCHED8_BIT)
/* The same with the schedule in AVX-512VL instructions. */
#define TLCP_SM3_FEAT_SCHED8X_BIT 16
#define TLCP_SM3_FEAT_SCHED8X                                                                      \
    (TLCP_SM3_FEAT_SCHED8 | TLCP_SM3_FEAT_AVX512 | TLCP_SM3_FEAT_SCHED8X_BIT)
/* And with that schedule computed in slices between the blocks before. */
#define TLCP_SM3_FEAT_SCHED8I_BIT 32
#define TLCP_SM3_FEAT_SCHED8I     (TLCP_SM3_FEAT_SCHED8X | TLCP_SM3_FEAT_SCHED8I_BIT)
/* The AVX2 or AVX-512 schedule with the rounds in x86-64 assembly, which
 * also needs BMI1 (ANDN). */
#define TLCP_SM3_FEAT_BMI1      64
#define TLCP_SM3_FEAT_ASM8_BIT  128
#define TLCP_SM3_FEAT_ASM8      (TLCP_SM3_FEAT_SCHED8 | TLCP_SM3_FEAT_BMI1 | TLCP_SM3_FEAT_ASM8_BIT)
#define TLCP_SM3_FEAT_ASM8X_BIT 256
#define TLCP_SM3_FEAT_ASM8X     (TLCP_SM3_FEAT_ASM8 | TLCP_SM3_FEAT_SCHED8X | TLCP_SM3_FEAT_ASM8X_BIT)
/* And the AVX-512 schedule interleaved as in sched8i. */
#define TLCP_SM3_FEAT_ASM8I_BIT 512
#define TLCP_SM3_FEAT_ASM8I     (TLCP_SM3_FEAT_ASM8X | TLCP_SM3_FEAT_SCHED8I | TLCP_SM3_FEAT_ASM8I_BIT)
/* One block at a time, the schedule in AVX2 xmm instructions inside the
 * assembly rounds (BMI1 + BMI2 + AVX2). */
#define TLCP_SM3_FEAT_ASM1V_BIT 1024
#define TLCP_SM3_FEAT_ASM1V                                                                        \
    (TLCP_SM3_FEAT_BMI1 | TLCP_SM3_FEAT_BMI2 | TLCP_SM3_FEAT_AVX2 | TLCP_SM3_FEAT_ASM1V_BIT)
int tlcp_sm3_cpu_features(void);

#if defined(TLCP_TESTING)
/* Test and bench builds: features are masked with `mask` (all bits set: as
 * the CPU has them), so every kernel the CPU runs can be selected. */
void tlcp_sm3_force_features(int mask);
#endif

#endif
