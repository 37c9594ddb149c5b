/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Differential test: our SM4-GCM against libgcrypt's (an independent SM4 and
 * GCM). Random keys, nonces, AAD of 0..64 bytes, every plaintext length from
 * 0 to 1000 plus long messages; ciphertext and tag must match byte for byte,
 * and our open() must accept what libgcrypt sealed. Runs on both GHASH paths
 * and both SM4 backends (our core and EVP).
 */
#include "testutil.h"

#include <gcrypt.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "crypto/ghash.h"
#include "crypto/sm4_core.h"

static uint64_t g_rng = 0xa4093822299f31d0u;

static uint64_t next_rand(void)
{
    uint64_t z = (g_rng += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static void fill_random(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)next_rand();
}

static void gcrypt_seal(const uint8_t key[16], const uint8_t nonce[12], const uint8_t *aad,
                        size_t aad_len, const uint8_t *pt, size_t len, uint8_t *ct, uint8_t tag[16])
{
    gcry_cipher_hd_t h;
    assert_int_equal(gcry_cipher_open(&h, GCRY_CIPHER_SM4, GCRY_CIPHER_MODE_GCM, 0), 0);
    assert_int_equal(gcry_cipher_setkey(h, key, 16), 0);
    assert_int_equal(gcry_cipher_setiv(h, nonce, 12), 0);
    assert_int_equal(gcry_cipher_authenticate(h, aad, aad_len), 0);
    assert_int_equal(gcry_cipher_final(h), 0);
    assert_int_equal(gcry_cipher_encrypt(h, ct, len, pt, len), 0);
    assert_int_equal(gcry_cipher_gettag(h, tag, 16), 0);
    gcry_cipher_close(h);
}

/* One random message of `len` bytes: compare seal, then open gcrypt's output.
 * path bit 0 selects the portable GHASH, bit 1 EVP SM4 instead of our core,
 * and path >> 2 forces a kernel of the core (TLCP_SM4_KERNEL_*; 0 = auto). */
static void compare_one(size_t len, int path)
{
    uint8_t key[16], nonce[12], aad[64], tag_ours[16], tag_ref[16];
    size_t aad_len = (size_t)(next_rand() % 65);
    uint8_t *pt = calloc(1, len + 1), *ct_ours = calloc(1, len + 1);
    uint8_t *ct_ref = calloc(1, len + 1), *back = calloc(1, len + 1);
    tlcp_error err = {0};
    tlcp_gcm *ctx;
    fill_random(key, sizeof(key));
    fill_random(nonce, sizeof(nonce));
    fill_random(aad, aad_len);
    fill_random(pt, len);

    tlcp_ghash_force_portable(path & 1);
    tlcp_sm4_force_evp((path >> 1) & 1);
    tlcp_sm4_force_kernel(path >> 2);
    ctx = tlcp_gcm_new(key, &err);
    tlcp_ghash_force_portable(0);
    tlcp_sm4_force_evp(0);
    assert_non_null(ctx);

    gcrypt_seal(key, nonce, aad, aad_len, pt, len, ct_ref, tag_ref);
    assert_true(tlcp_gcm_seal(ctx, nonce, aad, aad_len, pt, len, ct_ours, tag_ours, &err));
    assert_memory_equal(ct_ours, ct_ref, len);
    assert_memory_equal(tag_ours, tag_ref, 16);
    assert_true(tlcp_gcm_open(ctx, nonce, aad, aad_len, ct_ref, len, tag_ref, back, &err));
    assert_memory_equal(back, pt, len);
    tlcp_sm4_force_kernel(TLCP_SM4_KERNEL_AUTO);

    tlcp_gcm_free(ctx);
    free(pt);
    free(ct_ours);
    free(ct_ref);
    free(back);
}

static void test_every_length_fast_path(void **state)
{
    (void)state;
    for (size_t len = 0; len <= 1000; len++)
        compare_one(len, 0);
}

static void test_every_length_portable_path(void **state)
{
    (void)state;
    for (size_t len = 0; len <= 1000; len++)
        compare_one(len, 1);
}

static void test_every_length_evp_sm4(void **state)
{
    (void)state;
    for (size_t len = 0; len <= 1000; len++)
        compare_one(len, 2);
}

static void test_every_length_aesni_kernel(void **state)
{
    (void)state;
    for (size_t len = 0; len <= 1000; len++)
        compare_one(len, TLCP_SM4_KERNEL_AESNI << 2);
}

static void test_every_length_vaes_kernel(void **state)
{
    (void)state;
    if (!tlcp_sm4_kernel_available(TLCP_SM4_KERNEL_VAES))
        skip();
    for (size_t len = 0; len <= 1000; len++)
        compare_one(len, TLCP_SM4_KERNEL_VAES << 2);
}

static void test_long_messages(void **state)
{
    static const size_t lens[] = {4095, 4096, 4097, 16384, 16384 + 2048, 70000, 131071};
    (void)state;
    for (size_t i = 0; i < TLCP_ARRAY_LEN(lens); i++) {
        for (int path = 0; path < 16; path++)
            compare_one(lens[i], path);
    }
    /* Random lengths across a few chunk boundaries. */
    for (int i = 0; i < 40; i++)
        compare_one((size_t)(next_rand() % 20000), i & 15);
}

int main(void)
{
    /* libgcrypt must be initialised before use. */
    if (gcry_check_version(NULL) == NULL)
        return 1;
    gcry_control(GCRYCTL_DISABLE_SECMEM, 0);
    gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);

    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_length_fast_path),
        cmocka_unit_test(test_every_length_portable_path),
        cmocka_unit_test(test_every_length_evp_sm4),
        cmocka_unit_test(test_every_length_aesni_kernel),
        cmocka_unit_test(test_every_length_vaes_kernel),
        cmocka_unit_test(test_long_messages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
