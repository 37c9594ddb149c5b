/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The private operations of a key opened from a URI, through EVP only (the
 * provider that holds the key performs them): an SM2 signature of the
 * digest e (OpenSSL's SM2 EVP_PKEY_sign takes e, Z already applied) and the
 * SM2 decryption of a DER ciphertext (the TLCP ClientKeyExchange form).
 */
#include <string.h>

#include <openssl/err.h>

#include "crypto/key_store_internal.h"
#include "util/mem.h"

#define MAX_PLAIN 256 /* a ClientKeyExchange ciphertext is at most 176 bytes */

static EVP_PKEY_CTX *op_ctx(const tlcp_store_key *key, tlcp_error *err)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(key->libctx, key->pkey, key->propq);
    if (ctx == NULL)
        CRYPTO_FAIL(err, TLCP_R_ALLOC, "cannot make an operation context for the key");
    return ctx;
}

int tlcp_store_key_sign_digest(const tlcp_store_key *key, const uint8_t e[TLCP_SM3_DIGEST_LEN],
                               uint8_t *sig, size_t *sig_len, size_t cap, tlcp_error *err)
{
    EVP_PKEY_CTX *ctx = op_ctx(key, err);
    GUARD_PTR(ctx);
    size_t n = cap;
    int ok = EVP_PKEY_sign_init(ctx) > 0 && EVP_PKEY_sign(ctx, sig, &n, e, TLCP_SM3_DIGEST_LEN) > 0;
    EVP_PKEY_CTX_free(ctx);
    if (!ok)
        return CRYPTO_FAIL(err, TLCP_R_CRYPTO, "the key's provider did not sign");
    *sig_len = n;
    return 1;
}

int tlcp_store_key_decrypt(const tlcp_store_key *key, const uint8_t *in, size_t in_len,
                           uint8_t *out, size_t *out_len, size_t cap, tlcp_error *err)
{
    ENSURE(in_len > 0 && in_len <= MAX_PLAIN, err, TLCP_R_DECRYPT_FAILED,
           "SM2 ciphertext of %zu bytes", in_len);
    EVP_PKEY_CTX *ctx = op_ctx(key, err);
    GUARD_PTR(ctx);
    uint8_t plain[MAX_PLAIN];
    size_t n = sizeof(plain);
    int ok = EVP_PKEY_decrypt_init(ctx) > 0 && EVP_PKEY_decrypt(ctx, plain, &n, in, in_len) > 0;
    EVP_PKEY_CTX_free(ctx);
    if (ok && n <= cap) {
        memcpy(out, plain, n);
        *out_len = n;
    }
    tlcp_wipe(plain, sizeof(plain));
    if (!ok)
        return CRYPTO_FAIL(err, TLCP_R_DECRYPT_FAILED, "the key's provider did not decrypt");
    ENSURE(n <= cap, err, TLCP_R_DECRYPT_FAILED, "SM2 plaintext of %zu bytes is too long", n);
    return 1;
}
