/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OpenSSL's SM2 encryption (the reference path): EVP_PKEY_encrypt /
 * EVP_PKEY_decrypt, which produce and consume the GM/T 0009 DER form.
 * libcrypto's ASN.1 decoder is lenient (BER lengths, trailing bytes, x + p),
 * so decryption first checks the exact DER shape (sm2_der.c).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "crypto/sm2_internal.h"
#include "util/mem.h"

int tlcp_sm2_evp_encrypt(const tlcp_pkey *key, const uint8_t *in, size_t in_len, uint8_t *out,
                         size_t *out_len, size_t out_cap, tlcp_error *err)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, tlcp_pkey_evp(key), NULL);
    uint8_t *buf = NULL;
    size_t need = 0;
    int ok = ctx != NULL && EVP_PKEY_encrypt_init(ctx) == 1 &&
             EVP_PKEY_encrypt(ctx, NULL, &need, in, in_len) == 1 && (buf = malloc(need)) != NULL &&
             EVP_PKEY_encrypt(ctx, buf, &need, in, in_len) == 1;
    EVP_PKEY_CTX_free(ctx);
    if (!ok) {
        free(buf);
        return CRYPTO_FAIL(err, TLCP_R_CRYPTO, "SM2 encryption failed");
    }
    if (need > out_cap) {
        free(buf);
        ENSURE(0, err, TLCP_R_INVALID_ARGUMENT,
               "ciphertext buffer holds %zu bytes, the ciphertext needs %zu", out_cap, need);
    }
    memcpy(out, buf, need);
    *out_len = need;
    free(buf); /* ciphertext only: nothing secret */
    return 1;
}

int tlcp_sm2_evp_decrypt(const tlcp_pkey *key, const uint8_t *in, size_t in_len, uint8_t *out,
                         size_t *out_len, size_t out_cap, tlcp_error *err)
{
    struct tlcp_sm2_ciphertext ct;
    GUARD(tlcp_sm2_parse_ciphertext(in, in_len, &ct, err));
    size_t c2_len = ct.c2_len;
    ENSURE(tlcp_pkey_has_private(key), err, TLCP_R_BAD_KEY, "cannot decrypt with a public SM2 key");

    /* libcrypto decides the buffer size from the DER; never trust it to be
     * at least C2's length, allocate whichever is larger. */
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, tlcp_pkey_evp(key), NULL);
    uint8_t *pt = NULL;
    size_t cap = 0;
    size_t pt_len = 0;
    int ok = ctx != NULL && EVP_PKEY_decrypt_init(ctx) == 1 &&
             EVP_PKEY_decrypt(ctx, NULL, &cap, in, in_len) == 1;
    if (ok) {
        cap = cap > c2_len ? cap : c2_len;
        pt_len = cap;
        ok = (pt = malloc(cap)) != NULL && EVP_PKEY_decrypt(ctx, pt, &pt_len, in, in_len) == 1 &&
             pt_len == c2_len;
    }
    EVP_PKEY_CTX_free(ctx);
    if (!ok) {
        tlcp_free_secret(pt, cap);
        /* A point off the curve or a wrong C3 both end here. */
        return CRYPTO_FAIL(err, TLCP_R_DECRYPT_FAILED, "SM2 decryption failed");
    }
    if (pt_len > out_cap) {
        tlcp_free_secret(pt, cap);
        ENSURE(0, err, TLCP_R_INVALID_ARGUMENT,
               "plaintext buffer holds %zu bytes, the plaintext has %zu", out_cap, pt_len);
    }
    memcpy(out, pt, pt_len);
    *out_len = pt_len;
    tlcp_free_secret(pt, cap);
    return 1;
}
