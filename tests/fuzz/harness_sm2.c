/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SM2 operations that take network bytes, with the recorded GmSSL 3
 * server keys. First byte even: the rest is an ECC ClientKeyExchange
 * ciphertext for tlcp_sm2_decrypt (a 48-byte pre-master comes out or a
 * refusal with a reason); odd: the rest is a DER signature that
 * tlcp_sm2_verify checks over a fixed message (it must never accept, since
 * nobody signed that message with this key).
 */
#include "harness_fixtures.h"

static tlcp_pkey *enc_key, *sign_key;

int fuzz_setup_sm2(void)
{
    if (enc_key == NULL)
        enc_key = fuzz_fixture_key(FUZZ_PKI "server-enc.key");
    if (sign_key == NULL)
        sign_key = fuzz_fixture_key(FUZZ_PKI "server-sign.key");
    return enc_key != NULL && sign_key != NULL;
}

int fuzz_sm2(const uint8_t *data, size_t len)
{
    if (len < 1)
        return 0;
    if (!fuzz_setup_sm2())
        fuzz_fail("the recorded SM2 keys do not load (fuzz setup failed)");
    tlcp_error err;
    tlcp_error_clear(&err);
    if ((data[0] & 1) == 0) {
        uint8_t out[512];
        size_t out_len = 0;
        if (tlcp_sm2_decrypt(enc_key, data + 1, len - 1, out, &out_len, sizeof(out), &err))
            fuzz_require(out_len <= sizeof(out) && out_len <= len,
                         "SM2 decryption returned more than its input");
        else
            fuzz_require(err.reason != TLCP_R_NONE, "SM2 decryption refused without a reason");
        return 0;
    }
    static const uint8_t msg[] = "libtlcp fuzz: nobody signed this";
    int ok = tlcp_sm2_verify(sign_key, NULL, 0, msg, sizeof(msg), data + 1, len - 1, &err);
    fuzz_require(!ok, "SM2 verify accepted a signature over an unsigned message");
    fuzz_require(err.reason != TLCP_R_NONE, "SM2 verify refused without a reason");
    return 0;
}
