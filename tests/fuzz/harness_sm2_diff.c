/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Differential SM2 target: our implementation against OpenSSL's (the EVP
 * reference path) on the same fuzzed bytes, with the recorded GmSSL 3 server
 * keys. The first byte picks the operation:
 *   0: point decoding of the rest (04||X||Y or anything else);
 *   1: a 32-byte digest e, then a DER signature checked with the sign key;
 *   2: a GM/T 0009 ciphertext decrypted with the enc key.
 * Both paths must give the same verdict, and the same point or plaintext
 * when they accept.
 */
#include <string.h>

#include "crypto/crypto.h"
#include "crypto/sm2_internal.h"
#include "harness_fixtures.h"

static tlcp_pkey *enc_key, *sign_key;

int fuzz_setup_sm2_diff(void)
{
    if (enc_key == NULL)
        enc_key = fuzz_fixture_key(FUZZ_PKI "server-enc.key");
    if (sign_key == NULL)
        sign_key = fuzz_fixture_key(FUZZ_PKI "server-sign.key");
    return enc_key != NULL && sign_key != NULL;
}

/* 1 when the point decodes; its bytes in out. */
static int decode_point(int evp, const uint8_t *data, size_t len, uint8_t out[65])
{
    tlcp_sm2_force_evp(evp);
    tlcp_pkey *key = tlcp_pkey_from_point(data, len, NULL);
    tlcp_sm2_force_evp(0);
    int ok = key != NULL && tlcp_pkey_get_point(key, out, NULL);
    tlcp_pkey_free(key);
    return ok;
}

static void diff_point(const uint8_t *data, size_t len)
{
    uint8_t a[65], b[65];
    int ours = decode_point(0, data, len, a);
    int theirs = decode_point(1, data, len, b);
    fuzz_require(ours == theirs, "point decoding: our verdict differs from OpenSSL's");
    if (ours)
        fuzz_require(memcmp(a, b, sizeof(a)) == 0 && memcmp(a, data, sizeof(a)) == 0,
                     "point decoding: accepted points differ");
}

static void diff_verify(const uint8_t *data, size_t len)
{
    if (len < TLCP_SM3_DIGEST_LEN)
        return;
    const uint8_t *e = data;
    const uint8_t *sig = data + TLCP_SM3_DIGEST_LEN;
    size_t sig_len = len - TLCP_SM3_DIGEST_LEN;
    tlcp_error err;
    tlcp_error_clear(&err);
    int ours = tlcp_sm2_verify_digest(sign_key, e, sig, sig_len, &err);
    int theirs = tlcp_sm2_evp_verify_digest(sign_key, e, sig, sig_len, NULL);
    fuzz_require(ours == theirs, "verify: our verdict differs from OpenSSL's");
    fuzz_require(ours || err.reason == TLCP_R_BAD_SIGNATURE, "verify refused without the reason");
}

static void diff_decrypt(const uint8_t *data, size_t len)
{
    uint8_t a[512], b[512];
    size_t a_len = 0, b_len = 0;
    tlcp_error err;
    tlcp_error_clear(&err);
    int ours = tlcp_sm2_decrypt(enc_key, data, len, a, &a_len, sizeof(a), &err);
    int theirs = tlcp_sm2_evp_decrypt(enc_key, data, len, b, &b_len, sizeof(b), NULL);
    fuzz_require(ours == theirs, "decrypt: our verdict differs from OpenSSL's");
    if (ours)
        fuzz_require(fuzz_same_bytes(a, a_len, b, b_len), "decrypt: plaintexts differ");
    else
        fuzz_require(err.reason != TLCP_R_NONE, "decrypt refused without a reason");
}

int fuzz_sm2_diff(const uint8_t *data, size_t len)
{
    if (len < 1)
        return 0;
    if (!fuzz_setup_sm2_diff())
        fuzz_fail("the recorded SM2 keys do not load (fuzz setup failed)");
    tlcp_sm2_force_evp(0);
    switch (data[0] % 3) {
    case 0:
        diff_point(data + 1, len - 1);
        break;
    case 1:
        diff_verify(data + 1, len - 1);
        break;
    default:
        diff_decrypt(data + 1, len - 1);
        break;
    }
    return 0;
}
