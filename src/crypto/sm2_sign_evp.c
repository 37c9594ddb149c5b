/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OpenSSL's SM2 signatures (the reference path): EVP with the ID set on the
 * operation, so libcrypto derives Z itself, and the digest forms through
 * EVP_PKEY_sign / EVP_PKEY_verify. The unit tests cross-check this path
 * against ours (sm2_sign.c) on random inputs.
 */
#include <string.h>

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "crypto/sm2_internal.h"

static const uint8_t empty_msg[1] = {0};

int tlcp_sm2_evp_sign(const tlcp_pkey *key, const uint8_t *id, size_t id_len, const uint8_t *msg,
                      size_t msg_len, uint8_t *sig, size_t *sig_len, size_t sig_cap,
                      tlcp_error *err)
{
    GUARD(tlcp_sm2_resolve_id(&id, &id_len, err)); /* tests call this path directly */

    uint8_t buf[TLCP_SM2_MAX_SIG_LEN + 8];
    size_t len = sizeof(buf);
    EVP_PKEY_CTX *pctx = NULL; /* owned by md */
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    /* The ID goes onto the operation after init and before the first
     * update, which is when libcrypto computes Z. */
    int ok = md != NULL &&
             EVP_DigestSignInit(md, &pctx, EVP_sm3(), NULL, tlcp_pkey_evp(key)) == 1 &&
             EVP_PKEY_CTX_set1_id(pctx, id, (int)id_len) == 1 &&
             EVP_DigestSign(md, buf, &len, msg != NULL ? msg : empty_msg, msg_len) == 1;
    EVP_MD_CTX_free(md);
    if (!ok)
        return CRYPTO_FAIL(err, TLCP_R_CRYPTO, "SM2 signing failed");
    ENSURE(len <= sig_cap, err, TLCP_R_INVALID_ARGUMENT,
           "signature buffer holds %zu bytes, the signature needs %zu", sig_cap, len);
    memcpy(sig, buf, len);
    *sig_len = len;
    return 1;
}

/* Only the one canonical DER encoding of SEQUENCE { r, s } is accepted:
 * decode, re-encode and compare, so BER variants, non-minimal integers
 * and trailing bytes are all refused. */
static int strict_signature_der(const uint8_t *sig, size_t sig_len, tlcp_error *err)
{
    ENSURE(sig_len > 0 && sig_len <= TLCP_SM2_MAX_SIG_LEN, err, TLCP_R_BAD_SIGNATURE,
           "SM2 signature length %zu is outside 1..%d", sig_len, TLCP_SM2_MAX_SIG_LEN);
    const unsigned char *p = sig;
    ECDSA_SIG *parsed = d2i_ECDSA_SIG(NULL, &p, (long)sig_len);
    if (parsed == NULL)
        return CRYPTO_FAIL(err, TLCP_R_BAD_SIGNATURE, "SM2 signature is not DER SEQUENCE {r, s}");
    size_t used = (size_t)(p - sig);
    unsigned char *der = NULL;
    int der_len = i2d_ECDSA_SIG(parsed, &der);
    int canonical = der_len > 0 && (size_t)der_len == used && memcmp(der, sig, used) == 0;
    OPENSSL_free(der);
    ECDSA_SIG_free(parsed);
    ERR_clear_error();
    ENSURE(used == sig_len, err, TLCP_R_BAD_SIGNATURE, "%zu bytes follow the DER SM2 signature",
           sig_len - used);
    ENSURE(canonical, err, TLCP_R_BAD_SIGNATURE, "SM2 signature is not minimal DER");
    return 1;
}

int tlcp_sm2_evp_verify(const tlcp_pkey *key, const uint8_t *id, size_t id_len, const uint8_t *msg,
                        size_t msg_len, const uint8_t *sig, size_t sig_len, tlcp_error *err)
{
    GUARD(tlcp_sm2_resolve_id(&id, &id_len, err)); /* tests call this path directly */
    GUARD(strict_signature_der(sig, sig_len, err));

    EVP_PKEY_CTX *pctx = NULL; /* owned by md */
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int setup = md != NULL &&
                EVP_DigestVerifyInit(md, &pctx, EVP_sm3(), NULL, tlcp_pkey_evp(key)) == 1 &&
                EVP_PKEY_CTX_set1_id(pctx, id, (int)id_len) == 1;
    int verdict =
        setup ? EVP_DigestVerify(md, sig, sig_len, msg != NULL ? msg : empty_msg, msg_len) : -1;
    EVP_MD_CTX_free(md);
    if (!setup)
        return CRYPTO_FAIL(err, TLCP_R_CRYPTO, "cannot set up SM2 verification");
    if (verdict != 1)
        return CRYPTO_FAIL(err, TLCP_R_BAD_SIGNATURE, "SM2 signature does not verify");
    return 1;
}

/* Arguments are checked by the public entry points (sm2_sign.c).
 *
 * EVP_PKEY_sign / EVP_PKEY_verify on an SM2 key take the 32-byte input as e
 * itself: libcrypto (3.0 provider) neither computes Z nor hashes again on
 * this path. The unit tests prove it against tlcp_sm2_sign/verify. */
static EVP_PKEY_CTX *digest_ctx(const tlcp_pkey *key, int signing)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, tlcp_pkey_evp(key), NULL);
    if (ctx == NULL)
        return NULL;
    int ok = signing ? EVP_PKEY_sign_init(ctx) == 1 : EVP_PKEY_verify_init(ctx) == 1;
    if (!ok) {
        EVP_PKEY_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

int tlcp_sm2_evp_sign_digest(const tlcp_pkey *key, const uint8_t digest[TLCP_SM3_DIGEST_LEN],
                             uint8_t *sig, size_t *sig_len, size_t sig_cap, tlcp_error *err)
{

    uint8_t buf[TLCP_SM2_MAX_SIG_LEN + 8];
    size_t len = sizeof(buf);
    EVP_PKEY_CTX *ctx = digest_ctx(key, 1);
    int ok = ctx != NULL && EVP_PKEY_sign(ctx, buf, &len, digest, TLCP_SM3_DIGEST_LEN) == 1;
    EVP_PKEY_CTX_free(ctx);
    if (!ok)
        return CRYPTO_FAIL(err, TLCP_R_CRYPTO, "SM2 signing of a digest failed");
    ENSURE(len <= sig_cap, err, TLCP_R_INVALID_ARGUMENT,
           "signature buffer holds %zu bytes, the signature needs %zu", sig_cap, len);
    memcpy(sig, buf, len);
    *sig_len = len;
    return 1;
}

int tlcp_sm2_evp_verify_digest(const tlcp_pkey *key, const uint8_t digest[TLCP_SM3_DIGEST_LEN],
                               const uint8_t *sig, size_t sig_len, tlcp_error *err)
{
    GUARD(strict_signature_der(sig, sig_len, err));

    EVP_PKEY_CTX *ctx = digest_ctx(key, 0);
    int verdict =
        ctx != NULL ? EVP_PKEY_verify(ctx, sig, sig_len, digest, TLCP_SM3_DIGEST_LEN) : -1;
    EVP_PKEY_CTX_free(ctx);
    if (ctx == NULL)
        return CRYPTO_FAIL(err, TLCP_R_CRYPTO, "cannot set up SM2 digest verification");
    if (verdict != 1)
        return CRYPTO_FAIL(err, TLCP_R_BAD_SIGNATURE, "SM2 signature does not verify");
    return 1;
}
