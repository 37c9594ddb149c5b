/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Multi-chain SM4-CBC encryption (tlcp_sm4_cbc_encrypt_multi) against k
 * serial tlcp_sm4_cbc_crypt calls with the same IVs, byte for byte: every
 * kernel of the core and the EVP fallback, 1..20 chains (more than one group
 * of sixteen), unequal lengths including empty chains, equal lengths (8 and
 * 16 chains take the kernels' register mode), in place and out of place; and
 * the argument checks. The same for tlcp_sm4_cbc_decrypt_multi, back to the
 * plaintext.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "crypto/sm4_core.h"

#define CHAINS 20
#define MAXB   70

/* shape 0: varied lengths; 1: all equal (the wide kernels' register mode
 * for 8 and 16 chains); 2: equal but one longer (that mode, then the
 * generic loop for the rest of the longer chain). */
static size_t chain_len(size_t i, size_t k, unsigned seed, int shape)
{
    if (shape == 0)
        return 16 * ((seed * 7 + i * 13) % (MAXB + 1));
    size_t base = 16 * (1 + seed % (MAXB - 8));
    return shape == 2 && i == k / 2 ? base + 16 * 7 : base;
}

/* Decrypts the k ciphertexts `ct` with tlcp_sm4_cbc_decrypt_multi: back to
 * `plain`, bytes past each chain untouched. */
static void check_decrypt(tlcp_sm4_cbc *dec, size_t k, int in_place, const uint8_t *const iv[],
                          uint8_t (*ct)[MAXB * 16], uint8_t (*plain)[MAXB * 16], const size_t len[])
{
    static uint8_t back[CHAINS][MAXB * 16];
    const uint8_t *in[CHAINS];
    uint8_t *out[CHAINS];
    for (size_t i = 0; i < k; i++) {
        memcpy(back[i], ct[i], sizeof(back[i]));
        in[i] = in_place ? back[i] : ct[i];
        out[i] = back[i];
    }
    assert_int_equal(tlcp_sm4_cbc_decrypt_multi(dec, k, iv, in, out, len, NULL), 1);
    for (size_t i = 0; i < k; i++) {
        assert_memory_equal(back[i], plain[i], len[i]);
        assert_memory_equal(back[i] + len[i], ct[i] + len[i], sizeof(back[i]) - len[i]);
    }
}

static void run_case(tlcp_sm4_cbc *enc, tlcp_sm4_cbc *dec, size_t k, int in_place, unsigned seed,
                     int shape)
{
    static uint8_t plain[CHAINS][MAXB * 16], got[CHAINS][MAXB * 16], want[CHAINS][MAXB * 16];
    static uint8_t ivs[CHAINS][16];
    const uint8_t *iv[CHAINS], *in[CHAINS];
    uint8_t *out[CHAINS];
    size_t len[CHAINS];
    for (size_t i = 0; i < k; i++) {
        len[i] = chain_len(i, k, seed, shape);
        for (size_t j = 0; j < sizeof(plain[i]); j++)
            plain[i][j] = (uint8_t)(seed + i * 5 + j * 3);
        for (size_t j = 0; j < 16; j++)
            ivs[i][j] = (uint8_t)(seed ^ (i * 17 + j));
        assert_int_equal(tlcp_sm4_cbc_crypt(enc, ivs[i], plain[i], want[i], len[i], NULL), 1);
        memcpy(got[i], plain[i], sizeof(got[i]));
        iv[i] = ivs[i];
        in[i] = in_place ? got[i] : plain[i];
        out[i] = got[i];
    }
    assert_int_equal(tlcp_sm4_cbc_encrypt_multi(enc, k, iv, in, out, len, NULL), 1);
    for (size_t i = 0; i < k; i++) {
        assert_memory_equal(got[i], want[i], len[i]);
        /* bytes past the chain are untouched */
        assert_memory_equal(got[i] + len[i], plain[i] + len[i], sizeof(got[i]) - len[i]);
    }
    check_decrypt(dec, k, in_place, iv, got, plain, len);
}

static void test_multi_matches_serial(void **state)
{
    (void)state;
    static const int kernels[] = {TLCP_SM4_KERNEL_AESNI, TLCP_SM4_KERNEL_VAES, TLCP_SM4_KERNEL_GFNI,
                                  TLCP_SM4_KERNEL_GFNI512};
    uint8_t key[16];
    for (size_t i = 0; i < sizeof(key); i++)
        key[i] = (uint8_t)(0x30 + i);
    for (int evp = 0; evp <= 1; evp++) {
        tlcp_sm4_force_evp(evp);
        tlcp_sm4_cbc *enc = tlcp_sm4_cbc_new(key, 1, NULL);
        tlcp_sm4_cbc *dec = tlcp_sm4_cbc_new(key, 0, NULL);
        assert_non_null(enc);
        assert_non_null(dec);
        for (size_t kn = 0; kn < sizeof(kernels) / sizeof(kernels[0]); kn++) {
            if (!evp && !tlcp_sm4_kernel_available(kernels[kn]))
                continue;
            tlcp_sm4_force_kernel(kernels[kn]);
            for (size_t k = 1; k <= CHAINS; k++)
                for (int in_place = 0; in_place <= 1; in_place++)
                    for (int shape = 0; shape <= 2; shape++)
                        run_case(enc, dec, k, in_place, (unsigned)(k * 3 + kn), shape);
        }
        tlcp_sm4_force_kernel(TLCP_SM4_KERNEL_AUTO);
        tlcp_sm4_cbc_free(enc);
        tlcp_sm4_cbc_free(dec);
    }
    tlcp_sm4_force_evp(0);
}

static void test_multi_bad_arguments(void **state)
{
    (void)state;
    uint8_t key[16] = {0}, buf[32] = {0}, iv[16] = {0};
    const uint8_t *ivp[1] = {iv}, *in[1] = {buf};
    uint8_t *out[1] = {buf};
    size_t len[1] = {17};
    tlcp_sm4_cbc *enc = tlcp_sm4_cbc_new(key, 1, NULL);
    tlcp_sm4_cbc *dec = tlcp_sm4_cbc_new(key, 0, NULL);
    assert_non_null(enc);
    assert_non_null(dec);
    tlcp_error err = {0};
    assert_int_equal(tlcp_sm4_cbc_encrypt_multi(enc, 1, ivp, in, out, len, &err), 0);
    assert_int_equal(err.reason, TLCP_R_INVALID_ARGUMENT);
    len[0] = 16;
    assert_int_equal(tlcp_sm4_cbc_encrypt_multi(dec, 1, ivp, in, out, len, NULL), 0);
    out[0] = buf + 1; /* partial overlap */
    assert_int_equal(tlcp_sm4_cbc_encrypt_multi(enc, 1, ivp, in, out, len, NULL), 0);
    ivp[0] = NULL;
    out[0] = buf;
    assert_int_equal(tlcp_sm4_cbc_encrypt_multi(enc, 1, ivp, in, out, len, NULL), 0);
    assert_int_equal(tlcp_sm4_cbc_encrypt_multi(enc, 0, NULL, NULL, NULL, NULL, NULL), 1);
    /* decryption: a decryption context, whole blocks */
    ivp[0] = iv;
    assert_int_equal(tlcp_sm4_cbc_decrypt_multi(enc, 1, ivp, in, out, len, NULL), 0);
    len[0] = 17;
    assert_int_equal(tlcp_sm4_cbc_decrypt_multi(dec, 1, ivp, in, out, len, &err), 0);
    assert_int_equal(err.reason, TLCP_R_INVALID_ARGUMENT);
    len[0] = 16;
    assert_int_equal(tlcp_sm4_cbc_decrypt_multi(dec, 1, ivp, in, out, len, NULL), 1);
    tlcp_sm4_cbc_free(enc);
    tlcp_sm4_cbc_free(dec);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_multi_matches_serial),
        cmocka_unit_test(test_multi_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
