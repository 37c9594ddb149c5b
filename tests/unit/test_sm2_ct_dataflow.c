/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Data-flow check of our SM2 operations (the "ctgrind" method): private
 * scalars, nonces and the RNG output that becomes them are marked undefined
 * for Valgrind's memcheck, which then reports any branch or memory address
 * that depends on them. Covered: signing (injected and hedged nonces),
 * decryption (good and tampered ciphertexts), encryption's nonce, the key
 * exchange and key generation. What the operations publish on purpose (r, s,
 * C1, public keys, verdicts) goes through tlcp_sm2_declassify in the library.
 *
 * The test re-runs itself under valgrind. Without valgrind (or in sanitizer
 * builds, which cannot run under it) it exits 77: skipped, not passed.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "crypto/crypto.h"
#include "crypto/pkey_internal.h"
#include "crypto/sm2_internal.h"

#include "dataflow.h"
#include "sm2_vectors.h"

static tlcp_pkey *key_with_secret_scalar(const char *hex)
{
    uint8_t d[32];
    tu_hex_into(hex, d, sizeof(d));
    tlcp_pkey *key = tlcp_pkey_from_private_scalar(d, NULL);
    assert_non_null(key);
    MAKE_SECRET(key->d, sizeof(key->d)); /* before any cache derives from it */
    return key;
}

static tlcp_pkey *fresh_key_with_secret_scalar(void)
{
    tlcp_pkey *key = tlcp_pkey_generate(NULL);
    assert_non_null(key);
    MAKE_SECRET(key->d, sizeof(key->d));
    return key;
}

/* Queues n secret random bytes for the next tlcp_random_bytes call. */
static void queue_secret_random(size_t n)
{
    uint8_t bytes[64];
    assert_true(n <= sizeof(bytes));
    assert_int_equal(RAND_bytes(bytes, (int)n), 1);
    MAKE_SECRET(bytes, n);
    tlcp_random_queue(bytes, n);
}

static void test_sign(void **state)
{
    (void)state;
    tlcp_pkey *key = key_with_secret_scalar(ANNEX_D);
    uint8_t e[32], k[32], sig[TLCP_SM2_MAX_SIG_LEN];
    size_t sig_len = 0;
    for (int i = 0; i < 3; i++) {
        memset(e, 0x30 + i, sizeof(e));
        assert_int_equal(RAND_bytes(k, sizeof(k)), 1);
        k[0] &= 0x7F;
        MAKE_SECRET(k, sizeof(k));
        tlcp_sm2_test_set_k(k);
        int rc = tlcp_sm2_sign_digest(key, e, sig, &sig_len, sizeof(sig), NULL);
        MAKE_PUBLIC(&rc, sizeof(rc));
        assert_int_equal(rc, 1);
        MAKE_PUBLIC(sig, sizeof(sig));
        assert_true(tlcp_sm2_verify_digest(key, e, sig, sig_len, NULL));
        /* The hedged nonce: SM3 of the secret d, e and secret RNG output. */
        queue_secret_random(32);
        rc = tlcp_sm2_sign(key, NULL, 0, e, sizeof(e), sig, &sig_len, sizeof(sig), NULL);
        MAKE_PUBLIC(&rc, sizeof(rc));
        assert_int_equal(rc, 1);
        MAKE_PUBLIC(sig, sizeof(sig));
        assert_true(tlcp_sm2_verify(key, NULL, 0, e, sizeof(e), sig, sig_len, NULL));
    }
    tlcp_pkey_free(key);
}

static void test_encrypt_decrypt(void **state)
{
    (void)state;
    tlcp_pkey *key = fresh_key_with_secret_scalar();
    uint8_t msg[TLCP_PRE_MASTER_LEN], ct[TLCP_PRE_MASTER_LEN + TLCP_SM2_CIPHERTEXT_OVERHEAD];
    uint8_t pt[TLCP_PRE_MASTER_LEN];
    size_t ct_len = 0, pt_len = 0;
    for (int i = 0; i < 3; i++) {
        memset(msg, 0x11 * i, sizeof(msg));
        MAKE_SECRET(msg, sizeof(msg)); /* the pre-master is secret too */
        queue_secret_random(32);       /* becomes the nonce k */
        int rc = tlcp_sm2_encrypt(key, msg, sizeof(msg), ct, &ct_len, sizeof(ct), NULL);
        MAKE_PUBLIC(&rc, sizeof(rc));
        assert_int_equal(rc, 1);
        MAKE_PUBLIC(ct, sizeof(ct)); /* C2 and C3 are the ciphertext */
        MAKE_PUBLIC(msg, sizeof(msg));
        rc = tlcp_sm2_decrypt(key, ct, ct_len, pt, &pt_len, sizeof(pt), NULL);
        MAKE_PUBLIC(&rc, sizeof(rc));
        assert_int_equal(rc, 1);
        MAKE_PUBLIC(pt, sizeof(pt));
        assert_memory_equal(pt, msg, sizeof(msg));
        /* A wrong C3 or C2 runs the same code to the one verdict. */
        ct[ct_len - 1 - (size_t)i * 20] ^= 1;
        rc = tlcp_sm2_decrypt(key, ct, ct_len, pt, &pt_len, sizeof(pt), NULL);
        MAKE_PUBLIC(&rc, sizeof(rc));
        assert_int_equal(rc, 0);
    }
    tlcp_pkey_free(key);
}

static void test_key_exchange(void **state)
{
    (void)state;
    tlcp_pkey *as = fresh_key_with_secret_scalar(), *ae = fresh_key_with_secret_scalar();
    tlcp_pkey *bs = tlcp_pkey_generate(NULL), *be = tlcp_pkey_generate(NULL);
    assert_non_null(bs);
    assert_non_null(be);
    uint8_t ka[48], kb[48];
    int rc = tlcp_sm2_kx(1, as, ae, NULL, 0, bs, be, NULL, 0, ka, sizeof(ka), NULL);
    MAKE_PUBLIC(&rc, sizeof(rc));
    assert_int_equal(rc, 1);
    MAKE_PUBLIC(ka, sizeof(ka));
    assert_true(tlcp_sm2_kx(0, bs, be, NULL, 0, as, ae, NULL, 0, kb, sizeof(kb), NULL));
    assert_memory_equal(ka, kb, sizeof(ka));
    tlcp_pkey_free(as);
    tlcp_pkey_free(ae);
    tlcp_pkey_free(bs);
    tlcp_pkey_free(be);
}

static void test_keygen(void **state)
{
    (void)state;
    for (int i = 0; i < 3; i++) {
        queue_secret_random(32); /* becomes d */
        tlcp_pkey *key = tlcp_pkey_generate(NULL);
        assert_non_null(key);
        MAKE_PUBLIC(key->d, sizeof(key->d));
        /* The pair is consistent: d·G is the point. */
        tlcp_pkey *again = tlcp_pkey_from_private_scalar(key->d, NULL);
        assert_non_null(again);
        assert_true(tlcp_pkey_public_equal(key, again));
        tlcp_pkey_free(again);
        tlcp_pkey_free(key);
    }
}

static int dataflow_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sign),
        cmocka_unit_test(test_encrypt_decrypt),
        cmocka_unit_test(test_key_exchange),
        cmocka_unit_test(test_keygen),
    };
    tlcp_sm2_force_evp(0); /* the data-flow claim is about our path */
    return cmocka_run_group_tests(tests, NULL, NULL);
}

int main(int argc, char **argv)
{
    (void)argc;
    return tu_dataflow_main(argv[0], dataflow_tests, NULL);
}
