/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SM4 core's dispatch: which kernel runs, and the test switches.
 *
 * Kernels (x86-64 only, chosen from CPUID at run time, so the build needs no
 * -m flags), the first the CPU supports:
 *   - GFNI + AVX2 (+ AES-NI for the key schedule): sm4_core_gfni.c. One
 *     GF2P8AFFINEINVQB computes inversion and an affine map at once, which
 *     shortens the serial chain of CBC encryption the most.
 *   - VAES + AVX2: sm4_core_vaes.c, the AES-NI round eight blocks wide.
 *   - AES-NI + SSSE3: sm4_core_aesni.c, the baseline.
 * Without AES-NI and SSSE3, tlcp_sm4_core_enabled() is 0 and callers use EVP
 * SM4. All kernels share the key format, so the choice can be made per call.
 */
#include "crypto/sm4_core_impl.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#if defined(TLCP_SM4_X86)
#include <cpuid.h>
#endif

#if defined(TLCP_SM4_X86)
/* Bit `bit` of CPUID leaf 7 ECX (8: GFNI, 9: VAES). Read directly: not every
 * compiler's __builtin_cpu_supports knows these. The AVX2 check that goes
 * with them also covers the OS saving the 256-bit registers. */
static int cpuid7_ecx(int bit)
{
    unsigned int a, b, c, d;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
        return 0;
    return (c >> bit) & 1;
}
#endif

/* Feature bits, found once: CPUID is slow, and in a virtual machine it traps
 * to the hypervisor, so it must not run per call. */
#define FEAT_KNOWN   1
#define FEAT_AESNI   2
#define FEAT_VAES    4
#define FEAT_GFNI    8
#define FEAT_GFNI512 16

static int detect_features(void)
{
    int f = FEAT_KNOWN;
#if defined(TLCP_SM4_X86)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("aes") && __builtin_cpu_supports("ssse3")) {
        f |= FEAT_AESNI;
        if (__builtin_cpu_supports("avx2")) {
            f |= cpuid7_ecx(9) ? FEAT_VAES : 0;
            f |= cpuid7_ecx(8) ? FEAT_GFNI : 0;
            /* __builtin_cpu_supports also checks that the OS saves the
             * 512-bit state (XCR0) */
            if ((f & FEAT_GFNI) && __builtin_cpu_supports("avx512f") &&
                __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl"))
                f |= FEAT_GFNI512;
        }
    }
#endif
    return f;
}

static int features(void)
{
    /* Every thread computes the same value, so a relaxed race is harmless. */
    static _Atomic int cached;
    int f = atomic_load_explicit(&cached, memory_order_relaxed);
    if (f == 0) {
        f = detect_features();
        atomic_store_explicit(&cached, f, memory_order_relaxed);
    }
    return f;
}

static int cpu_has_aesni(void)
{
    return (features() & FEAT_AESNI) != 0;
}

#if defined(TLCP_SM4_X86) || defined(TLCP_TESTING)
/* Whether the CPU runs kernel k (TLCP_SM4_KERNEL_*). */
static int kernel_available(int k)
{
    int f = features();
    switch (k) {
    case TLCP_SM4_KERNEL_AESNI:
        return (f & FEAT_AESNI) != 0;
    case TLCP_SM4_KERNEL_VAES:
        return (f & FEAT_VAES) != 0;
    case TLCP_SM4_KERNEL_GFNI:
        return (f & FEAT_GFNI) != 0;
    case TLCP_SM4_KERNEL_GFNI512:
        return (f & FEAT_GFNI512) != 0;
    default:
        return 0;
    }
}
#endif

/* ---- test switches ---------------------------------------------------- */

#if defined(TLCP_TESTING)
static int g_force_evp = -1; /* -1: not yet read from the environment */
static int g_force_kernel = TLCP_SM4_KERNEL_AUTO;

void tlcp_sm4_force_evp(int on)
{
    g_force_evp = on ? 1 : 0;
}

void tlcp_sm4_force_kernel(int kernel)
{
    g_force_kernel = kernel;
}

int tlcp_sm4_core_supported(void)
{
    return cpu_has_aesni();
}

int tlcp_sm4_kernel_available(int kernel)
{
    return kernel_available(kernel);
}

static int forced_evp(void)
{
    if (g_force_evp < 0) {
        const char *v = getenv("TLCP_TEST_SM4_EVP");
        g_force_evp = v != NULL && v[0] != '\0' && strcmp(v, "0") != 0;
    }
    return g_force_evp;
}
#define FORCED_KERNEL g_force_kernel
#else
static int forced_evp(void)
{
    return 0;
}
#define FORCED_KERNEL TLCP_SM4_KERNEL_AUTO
#endif

int tlcp_sm4_core_enabled(void)
{
    return cpu_has_aesni() && !forced_evp();
}

#if defined(TLCP_SM4_X86)

/* The kernel for this call: the test switch if the CPU runs it, else the best. */
static int kernel(void)
{
    if (FORCED_KERNEL != TLCP_SM4_KERNEL_AUTO && kernel_available(FORCED_KERNEL))
        return FORCED_KERNEL;
    if (kernel_available(TLCP_SM4_KERNEL_GFNI512))
        return TLCP_SM4_KERNEL_GFNI512;
    if (kernel_available(TLCP_SM4_KERNEL_GFNI))
        return TLCP_SM4_KERNEL_GFNI;
    if (kernel_available(TLCP_SM4_KERNEL_VAES))
        return TLCP_SM4_KERNEL_VAES;
    return TLCP_SM4_KERNEL_AESNI;
}

void tlcp_sm4_core_expand(tlcp_sm4_key *key, const uint8_t user_key[16], int decrypt)
{
    tlcp_sm4_aesni_expand(key, user_key, decrypt);
}

void tlcp_sm4_core_ecb(const tlcp_sm4_key *key, const uint8_t *in, uint8_t *out, size_t nblocks)
{
    switch (kernel()) {
    case TLCP_SM4_KERNEL_GFNI512:
        tlcp_sm4_gfni512_ecb(key, in, out, nblocks);
        break;
    case TLCP_SM4_KERNEL_GFNI:
        tlcp_sm4_gfni_ecb(key, in, out, nblocks);
        break;
    case TLCP_SM4_KERNEL_VAES:
        tlcp_sm4_vaes_ecb(key, in, out, nblocks);
        break;
    default:
        tlcp_sm4_aesni_ecb(key, in, out, nblocks);
    }
}

void tlcp_sm4_core_cbc_encrypt(const tlcp_sm4_key *key, const uint8_t iv[16], const uint8_t *in,
                               uint8_t *out, size_t nblocks)
{
    /* Serial: width does not help, so VAES CPUs use the AES-NI kernel. */
    switch (kernel()) {
    case TLCP_SM4_KERNEL_GFNI512:
        tlcp_sm4_gfni512_cbc_encrypt(key, iv, in, out, nblocks);
        break;
    case TLCP_SM4_KERNEL_GFNI:
        tlcp_sm4_gfni_cbc_encrypt(key, iv, in, out, nblocks);
        break;
    default:
        tlcp_sm4_aesni_cbc_encrypt(key, iv, in, out, nblocks);
    }
}

void tlcp_sm4_core_cbc_decrypt(const tlcp_sm4_key *key, const uint8_t iv[16], const uint8_t *in,
                               uint8_t *out, size_t nblocks)
{
    switch (kernel()) {
    case TLCP_SM4_KERNEL_GFNI512:
        tlcp_sm4_gfni512_cbc_decrypt(key, iv, in, out, nblocks);
        break;
    case TLCP_SM4_KERNEL_GFNI:
        tlcp_sm4_gfni_cbc_decrypt(key, iv, in, out, nblocks);
        break;
    case TLCP_SM4_KERNEL_VAES:
        tlcp_sm4_vaes_cbc_decrypt(key, iv, in, out, nblocks);
        break;
    default:
        tlcp_sm4_aesni_cbc_decrypt(key, iv, in, out, nblocks);
    }
}

int tlcp_sm4_core_cbc_multi_equal(const tlcp_sm4_key *key, int groups, const uint8_t *const iv[],
                                  const uint8_t *const in[], uint8_t *const out[], size_t nblocks)
{
    switch (kernel()) {
    case TLCP_SM4_KERNEL_GFNI512:
        tlcp_sm4_gfni512_cbc_multi(key, groups, iv, in, out, nblocks);
        return 1;
    case TLCP_SM4_KERNEL_GFNI:
        tlcp_sm4_gfni_cbc_multi(key, groups, iv, in, out, nblocks);
        return 1;
    case TLCP_SM4_KERNEL_VAES:
        tlcp_sm4_vaes_cbc_multi(key, groups, iv, in, out, nblocks);
        return 1;
    default:
        return 0;
    }
}

void tlcp_sm4_core_ctr32(const tlcp_sm4_key *key, uint8_t ctr[16], const uint8_t *in, uint8_t *out,
                         size_t len)
{
    switch (kernel()) {
    case TLCP_SM4_KERNEL_GFNI512: /* CTR stays on 256 bits: GCM as before */
    case TLCP_SM4_KERNEL_GFNI:
        tlcp_sm4_gfni_ctr32(key, ctr, in, out, len);
        break;
    case TLCP_SM4_KERNEL_VAES:
        tlcp_sm4_vaes_ctr32(key, ctr, in, out, len);
        break;
    default:
        tlcp_sm4_aesni_ctr32(key, ctr, in, out, len);
    }
}

#else /* tlcp_sm4_core_enabled() is 0: callers never get here */

void tlcp_sm4_core_expand(tlcp_sm4_key *key, const uint8_t user_key[16], int decrypt)
{
    (void)user_key;
    (void)decrypt;
    memset(key, 0, sizeof(*key));
}

int tlcp_sm4_core_cbc_multi_equal(const tlcp_sm4_key *key, int groups, const uint8_t *const iv[],
                                  const uint8_t *const in[], uint8_t *const out[], size_t nblocks)
{
    (void)key;
    (void)groups;
    (void)iv;
    (void)in;
    (void)out;
    (void)nblocks;
    return 0;
}

void tlcp_sm4_core_ecb(const tlcp_sm4_key *key, const uint8_t *in, uint8_t *out, size_t nblocks)
{
    (void)key;
    (void)in;
    (void)out;
    (void)nblocks;
    abort();
}

void tlcp_sm4_core_cbc_encrypt(const tlcp_sm4_key *key, const uint8_t iv[16], const uint8_t *in,
                               uint8_t *out, size_t nblocks)
{
    (void)iv;
    tlcp_sm4_core_ecb(key, in, out, nblocks);
}

void tlcp_sm4_core_cbc_decrypt(const tlcp_sm4_key *key, const uint8_t iv[16], const uint8_t *in,
                               uint8_t *out, size_t nblocks)
{
    (void)iv;
    tlcp_sm4_core_ecb(key, in, out, nblocks);
}

void tlcp_sm4_core_ctr32(const tlcp_sm4_key *key, uint8_t ctr[16], const uint8_t *in, uint8_t *out,
                         size_t len)
{
    (void)ctr;
    tlcp_sm4_core_ecb(key, in, out, len);
}

#endif
