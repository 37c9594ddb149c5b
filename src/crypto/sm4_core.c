/*
 * The SM4 core's dispatch: which kernel runs, and the test switches.
 *
 * Kernels (x86-64 only, chosen from CPUID at run time, so the build needs no
 * -m flags):
 *   - GFNI + AVX2 (+ AES-NI for the key schedule): sm4_core_gfni.c. One
 *     GF2P8AFFINEINVQB computes inversion and an affine map at once, which
 *     shortens the serial chain of CBC encryption the most.
 *   - AES-NI + SSSE3: sm4_core_aesni.c, the baseline.
 * Without either, tlcp_sm4_core_enabled() is 0 and callers use EVP SM4.
 */
#include "crypto/sm4_core_impl.h"

#include <stdlib.h>
#include <string.h>

static int cpu_has_aesni(void)
{
#if defined(TLCP_SM4_X86)
    __builtin_cpu_init();
    return __builtin_cpu_supports("aes") && __builtin_cpu_supports("ssse3");
#else
    return 0;
#endif
}

#if defined(TLCP_SM4_X86) || defined(TLCP_TESTING)
static int cpu_has_gfni(void)
{
#if defined(TLCP_SM4_X86)
    return cpu_has_aesni() && __builtin_cpu_supports("gfni") && __builtin_cpu_supports("avx2");
#else
    return 0;
#endif
}
#endif

/* ---- test switches ---------------------------------------------------- */

#if defined(TLCP_TESTING)
static int g_force_evp = -1; /* -1: not yet read from the environment */
static int g_force_aesni;

void tlcp_sm4_force_evp(int on)
{
    g_force_evp = on ? 1 : 0;
}

void tlcp_sm4_force_aesni(int on)
{
    g_force_aesni = on ? 1 : 0;
}

int tlcp_sm4_core_supported(void)
{
    return cpu_has_aesni();
}

int tlcp_sm4_core_have_gfni(void)
{
    return cpu_has_gfni();
}

static int forced_evp(void)
{
    if (g_force_evp < 0) {
        const char *v = getenv("TLCP_TEST_SM4_EVP");
        g_force_evp = v != NULL && v[0] != '\0' && strcmp(v, "0") != 0;
    }
    return g_force_evp;
}
#define FORCED_AESNI g_force_aesni
#else
static int forced_evp(void)
{
    return 0;
}
#define FORCED_AESNI 0
#endif

int tlcp_sm4_core_enabled(void)
{
    return cpu_has_aesni() && !forced_evp();
}

#if defined(TLCP_SM4_X86)

static int use_gfni(void)
{
    return cpu_has_gfni() && !FORCED_AESNI;
}

void tlcp_sm4_core_expand(tlcp_sm4_key *key, const uint8_t user_key[16], int decrypt)
{
    tlcp_sm4_aesni_expand(key, user_key, decrypt);
}

void tlcp_sm4_core_ecb(const tlcp_sm4_key *key, const uint8_t *in, uint8_t *out, size_t nblocks)
{
    if (use_gfni())
        tlcp_sm4_gfni_ecb(key, in, out, nblocks);
    else
        tlcp_sm4_aesni_ecb(key, in, out, nblocks);
}

void tlcp_sm4_core_cbc_encrypt(const tlcp_sm4_key *key, const uint8_t iv[16], const uint8_t *in,
                               uint8_t *out, size_t nblocks)
{
    if (use_gfni())
        tlcp_sm4_gfni_cbc_encrypt(key, iv, in, out, nblocks);
    else
        tlcp_sm4_aesni_cbc_encrypt(key, iv, in, out, nblocks);
}

void tlcp_sm4_core_cbc_decrypt(const tlcp_sm4_key *key, const uint8_t iv[16], const uint8_t *in,
                               uint8_t *out, size_t nblocks)
{
    if (use_gfni())
        tlcp_sm4_gfni_cbc_decrypt(key, iv, in, out, nblocks);
    else
        tlcp_sm4_aesni_cbc_decrypt(key, iv, in, out, nblocks);
}

void tlcp_sm4_core_ctr32(const tlcp_sm4_key *key, uint8_t ctr[16], const uint8_t *in, uint8_t *out,
                         size_t len)
{
    if (use_gfni())
        tlcp_sm4_gfni_ctr32(key, ctr, in, out, len);
    else
        tlcp_sm4_aesni_ctr32(key, ctr, in, out, len);
}

#else /* tlcp_sm4_core_enabled() is 0: callers never get here */

void tlcp_sm4_core_expand(tlcp_sm4_key *key, const uint8_t user_key[16], int decrypt)
{
    (void)user_key;
    (void)decrypt;
    memset(key, 0, sizeof(*key));
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
