/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Key loading from file bytes: private keys (PEM/DER; PKCS#8, SEC1,
 * encrypted PKCS#8 under the passphrase "fuzz"), public keys (SPKI) and raw
 * points. A refusal must carry a reason; an accepted private key must hold a
 * private part and a point that loads back as the same public key.
 *
 * The key derivation bounds (crypto/key_kdf_limit.h) are lowered to 10^5
 * PBKDF2 iterations and 2^20 scrypt work while a fuzz input runs: the default
 * 10^7 iterations take seconds, over libFuzzer's 1 s limit per input, and the
 * check itself runs the same way at any bound.
 */
#include "crypto/key_kdf_limit.h"
#include "harness_fixtures.h"

#define FUZZ_MAX_KDF_ITERATIONS 100000u
#define FUZZ_MAX_SCRYPT_WORK    (1u << 20)

static void check_point_round_trip(const tlcp_pkey *key)
{
    tlcp_error err;
    tlcp_error_clear(&err);
    uint8_t point[TLCP_SM2_POINT_LEN];
    fuzz_require(tlcp_pkey_get_point(key, point, &err), "a loaded key has no point");
    tlcp_pkey *again = tlcp_pkey_from_point(point, sizeof(point), &err);
    fuzz_require(again != NULL && tlcp_pkey_public_equal(key, again),
                 "a key's point does not load back as the same key");
    tlcp_pkey_free(again);
}

int fuzz_pkey(const uint8_t *data, size_t len)
{
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_test_set_kdf_limits(FUZZ_MAX_KDF_ITERATIONS, FUZZ_MAX_SCRYPT_WORK);
    tlcp_pkey *key = tlcp_pkey_load_private(data, len, "fuzz", &err);
    tlcp_test_set_kdf_limits(0, 0);
    if (key != NULL) {
        fuzz_require(tlcp_pkey_has_private(key), "private key load returned a public key");
        check_point_round_trip(key);
        tlcp_pkey_free(key);
    } else {
        fuzz_require(err.reason != TLCP_R_NONE, "private key refused without a reason");
    }

    tlcp_error_clear(&err);
    key = tlcp_pkey_load_public(data, len, &err);
    if (key != NULL) {
        check_point_round_trip(key);
        tlcp_pkey_free(key);
    } else {
        fuzz_require(err.reason != TLCP_R_NONE, "public key refused without a reason");
    }

    tlcp_error_clear(&err);
    key = tlcp_pkey_from_point(data, len, &err);
    if (key != NULL) {
        fuzz_require(len == TLCP_SM2_POINT_LEN, "a point of the wrong length was accepted");
        check_point_round_trip(key);
        tlcp_pkey_free(key);
    } else {
        fuzz_require(err.reason != TLCP_R_NONE, "point refused without a reason");
    }
    return 0;
}
