/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Which SM2 implementation runs (ours or OpenSSL's), and the test-only
 * hooks of the SM2 code: the forced path, an injected nonce, and the
 * declassification points the valgrind data-flow tests rely on.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/sm2_internal.h"
#include "util/mem.h"

#if defined(TLCP_TESTING) && defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define SM2_HAVE_MEMCHECK 1
#endif
#endif

void tlcp_sm2_declassify(const void *p, size_t len)
{
#if defined(SM2_HAVE_MEMCHECK)
    VALGRIND_MAKE_MEM_DEFINED(p, len);
#else
    (void)p;
    (void)len;
#endif
}

#if defined(TLCP_SM2_EVP_ONLY)
int tlcp_sm2_use_evp(void)
{
    return 1;
}
#elif defined(TLCP_TESTING)
static atomic_int g_force_evp = -1; /* -1: not yet read from the environment */

void tlcp_sm2_force_evp(int on)
{
    atomic_store(&g_force_evp, on ? 1 : 0);
}

int tlcp_sm2_use_evp(void)
{
    int v = atomic_load_explicit(&g_force_evp, memory_order_relaxed);
    if (v < 0) {
        const char *env = getenv("TLCP_TEST_SM2_EVP");
        v = env != NULL && env[0] != '\0' && strcmp(env, "0") != 0;
        atomic_store(&g_force_evp, v);
    }
    return v;
}
#else
int tlcp_sm2_use_evp(void)
{
    return 0;
}
#endif

#if defined(TLCP_TESTING)
#if defined(TLCP_SM2_EVP_ONLY)
void tlcp_sm2_force_evp(int on)
{
    (void)on; /* this build has no other path */
}
#endif

static uint8_t g_test_k[32];
static int g_test_k_set;

void tlcp_sm2_test_set_k(const uint8_t k[32])
{
    memcpy(g_test_k, k, sizeof(g_test_k));
    g_test_k_set = 1;
}

int tlcp_sm2_test_take_k(uint8_t k[32])
{
    if (!g_test_k_set)
        return 0;
    memcpy(k, g_test_k, sizeof(g_test_k));
    tlcp_wipe(g_test_k, sizeof(g_test_k));
    g_test_k_set = 0;
    return 1;
}
#endif
