/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Secret scalars for SM2: nonces for signing and encryption, private keys.
 * Each candidate is tested against [1, n-1] in constant time; only the
 * verdict (a rejection happens with probability about 2^-32) is public.
 */
#include <string.h>

#include "crypto/sm2_curve.h"
#include "crypto/sm2_internal.h"
#include "util/mem.h"

/* A working RNG fails 64 draws in a row with probability 2^-2048. */
#define MAX_DRAWS 64

int tlcp_sm2_random_scalar(uint8_t k[32], tlcp_error *err)
{
    for (int i = 0; i < MAX_DRAWS; i++) {
        GUARD(tlcp_random_bytes(k, 32, err));
        int ok = sm2_scalar_in_range(k);
        tlcp_sm2_declassify(&ok, sizeof(ok));
        if (ok)
            return 1;
    }
    tlcp_wipe(k, 32);
    ENSURE(0, err, TLCP_R_RNG, "the RNG gave no SM2 scalar below n in %d draws", MAX_DRAWS);
}

static const uint8_t nonce_label[] = "libtlcp SM2 signing nonce";

int tlcp_sm2_sign_nonce(const uint8_t d[32], const uint8_t e[32], uint8_t k[32], tlcp_error *err)
{
#if defined(TLCP_TESTING)
    if (tlcp_sm2_test_take_k(k))
        return 1;
#endif
    /* d || e || fresh || counter || label */
    uint8_t input[32 + 32 + 32 + 4 + sizeof(nonce_label)];
    memcpy(input, d, 32);
    memcpy(input + 32, e, 32);
    memcpy(input + 100, nonce_label, sizeof(nonce_label));
    int ok = tlcp_random_bytes(input + 64, 32, err);
    for (uint32_t i = 0; ok && i < MAX_DRAWS; i++) {
        input[96] = (uint8_t)(i >> 24);
        input[97] = (uint8_t)(i >> 16);
        input[98] = (uint8_t)(i >> 8);
        input[99] = (uint8_t)i;
        ok = tlcp_sm3(input, sizeof(input), k, err);
        int in_range = ok && sm2_scalar_in_range(k);
        tlcp_sm2_declassify(&in_range, sizeof(in_range));
        if (in_range) {
            tlcp_wipe(input, sizeof(input));
            return 1;
        }
    }
    tlcp_wipe(input, sizeof(input));
    tlcp_wipe(k, 32);
    if (ok)
        TLCP_ERR(err, TLCP_R_INTERNAL, "no SM2 nonce below n in %d hashes", MAX_DRAWS);
    return 0;
}

int tlcp_sm2_own_keypair(uint8_t d[32], uint8_t point[64], tlcp_error *err)
{
    static const uint8_t one[32] = {[31] = 1};
    uint8_t d1[32];
    for (int i = 0; i < MAX_DRAWS; i++) {
        GUARD(tlcp_sm2_random_scalar(d, err));
        /* d = n-1 cannot sign: 1 + d would have no inverse. */
        sm2_scalar_add(d1, d, one);
        int usable = !sm2_scalar_is_zero(d1);
        tlcp_sm2_declassify(&usable, sizeof(usable));
        if (usable)
            break;
        ENSURE(i + 1 < MAX_DRAWS, err, TLCP_R_RNG, "the RNG keeps giving n-1");
    }
    tlcp_wipe(d1, sizeof(d1));
    int ok = sm2_mul_base(point, d);
    tlcp_sm2_declassify(&ok, sizeof(ok));
    tlcp_sm2_declassify(point, 64); /* the public key */
    if (!ok) {
        tlcp_wipe(d, 32);
        TLCP_ERR(err, TLCP_R_CRYPTO, "SM2 key generation: d·G failed");
    }
    return ok;
}
