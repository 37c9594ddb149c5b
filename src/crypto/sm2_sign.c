/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SM2 signatures (GB/T 32918.2): Z computation, signing and strict verifying.
 *
 * Z is computed here independently of OpenSSL (the TLCP layer needs it, and
 * the key exchange needs it). Signing and verifying go through EVP with the
 * ID set on the operation, so libcrypto derives the same Z internally; the
 * unit tests cross-check the two.
 */
#include <string.h>

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "crypto/sm2_internal.h"
#include "util/bytes.h"

/* a, b, Gx, Gy of sm2p256v1 (GB/T 32918.5), the fixed middle of Z's input. */
static const uint8_t curve_abg[4 * TLCP_SM2_FIELD_LEN] = {
    /* a */
    0xFF, 0xFF, 0xFF, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFC,
    /* b */
    0x28, 0xE9, 0xFA, 0x9E, 0x9D, 0x9F, 0x5E, 0x34, 0x4D, 0x5A, 0x9E, 0x4B, 0xCF, 0x65, 0x09, 0xA7,
    0xF3, 0x97, 0x89, 0xF5, 0x15, 0xAB, 0x8F, 0x92, 0xDD, 0xBC, 0xBD, 0x41, 0x4D, 0x94, 0x0E, 0x93,
    /* Gx */
    0x32, 0xC4, 0xAE, 0x2C, 0x1F, 0x19, 0x81, 0x19, 0x5F, 0x99, 0x04, 0x46, 0x6A, 0x39, 0xC9, 0x94,
    0x8F, 0xE3, 0x0B, 0xBF, 0xF2, 0x66, 0x0B, 0xE1, 0x71, 0x5A, 0x45, 0x89, 0x33, 0x4C, 0x74, 0xC7,
    /* Gy */
    0xBC, 0x37, 0x36, 0xA2, 0xF4, 0xF6, 0x77, 0x9C, 0x59, 0xBD, 0xCE, 0xE3, 0x6B, 0x69, 0x21, 0x53,
    0xD0, 0xA9, 0x87, 0x7C, 0xC6, 0x2A, 0x47, 0x40, 0x02, 0xDF, 0x32, 0xE5, 0x21, 0x39, 0xF0, 0xA0};

static const uint8_t empty_msg[1] = {0};

/* One-shot SM3 for the SM2 code. Goes through EVP until tlcp_sm3 (crypto
 * core) is on main; then this becomes a call to tlcp_sm3. */
int tlcp_sm2_hash(const uint8_t *data, size_t len, uint8_t out[TLCP_SM3_DIGEST_LEN],
                  tlcp_error *err)
{
    unsigned int n = 0;
    if (EVP_Digest(data, len, out, &n, EVP_sm3(), NULL) != 1 || n != TLCP_SM3_DIGEST_LEN)
        return CRYPTO_FAIL(err, TLCP_R_CRYPTO, "SM3 failed");
    return 1;
}

int tlcp_sm2_compute_z(const tlcp_pkey *key, const uint8_t *id, size_t id_len,
                       uint8_t out[TLCP_SM3_DIGEST_LEN], tlcp_error *err)
{
    ENSURE(key != NULL && out != NULL, err, TLCP_R_INVALID_ARGUMENT,
           "tlcp_sm2_compute_z: missing argument");
    GUARD(tlcp_sm2_resolve_id(&id, &id_len, err));
    uint8_t point[TLCP_SM2_POINT_LEN];
    GUARD(tlcp_pkey_get_point(key, point, err));

    tlcp_builder b;
    ENSURE(tlcp_builder_init(&b, 2 + id_len + sizeof(curve_abg) + 2 * TLCP_SM2_FIELD_LEN, 0), err,
           TLCP_R_ALLOC, "out of memory for the SM2 Z input");
    int ok = tlcp_builder_add_u16(&b, (uint16_t)(id_len * 8)) && /* ENTL: ID length in bits */
             tlcp_builder_add_bytes(&b, id, id_len) &&
             tlcp_builder_add_bytes(&b, curve_abg, sizeof(curve_abg)) &&
             tlcp_builder_add_bytes(&b, point + 1, 2 * TLCP_SM2_FIELD_LEN);
    if (!ok)
        TLCP_ERR(err, TLCP_R_INTERNAL, "cannot assemble the SM2 Z input");
    else
        ok = tlcp_sm2_hash(tlcp_builder_data(&b), tlcp_builder_len(&b), out, err);
    tlcp_builder_cleanup(&b);
    return ok;
}

int tlcp_sm2_sign(const tlcp_pkey *key, const uint8_t *id, size_t id_len, const uint8_t *msg,
                  size_t msg_len, uint8_t *sig, size_t *sig_len, size_t sig_cap, tlcp_error *err)
{
    ENSURE(key != NULL && sig != NULL && sig_len != NULL && (msg != NULL || msg_len == 0), err,
           TLCP_R_INVALID_ARGUMENT, "tlcp_sm2_sign: missing argument");
    GUARD(tlcp_sm2_resolve_id(&id, &id_len, err));
    ENSURE(tlcp_pkey_has_private(key), err, TLCP_R_BAD_KEY, "cannot sign with a public SM2 key");

    uint8_t buf[TLCP_SM2_MAX_SIG_LEN + 8];
    size_t len = sizeof(buf);
    EVP_PKEY_CTX *pctx = NULL; /* owned by md */
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    /* The ID goes onto the operation after init and before the first
     * update, which is when libcrypto computes Z. */
    int ok = md != NULL && EVP_DigestSignInit(md, &pctx, EVP_sm3(), NULL, key->pkey) == 1 &&
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

int tlcp_sm2_verify(const tlcp_pkey *key, const uint8_t *id, size_t id_len, const uint8_t *msg,
                    size_t msg_len, const uint8_t *sig, size_t sig_len, tlcp_error *err)
{
    ENSURE(key != NULL && sig != NULL && (msg != NULL || msg_len == 0), err,
           TLCP_R_INVALID_ARGUMENT, "tlcp_sm2_verify: missing argument");
    GUARD(tlcp_sm2_resolve_id(&id, &id_len, err));
    GUARD(strict_signature_der(sig, sig_len, err));

    EVP_PKEY_CTX *pctx = NULL; /* owned by md */
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int setup = md != NULL && EVP_DigestVerifyInit(md, &pctx, EVP_sm3(), NULL, key->pkey) == 1 &&
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

/* EVP_PKEY_sign / EVP_PKEY_verify on an SM2 key take the 32-byte input as e
 * itself: libcrypto (3.0 provider) neither computes Z nor hashes again on
 * this path. The unit tests prove it against tlcp_sm2_sign/verify. */
static EVP_PKEY_CTX *digest_ctx(const tlcp_pkey *key, int signing)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key->pkey, NULL);
    if (ctx == NULL)
        return NULL;
    int ok = signing ? EVP_PKEY_sign_init(ctx) == 1 : EVP_PKEY_verify_init(ctx) == 1;
    if (!ok) {
        EVP_PKEY_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

int tlcp_sm2_sign_digest(const tlcp_pkey *key, const uint8_t digest[TLCP_SM3_DIGEST_LEN],
                         uint8_t *sig, size_t *sig_len, size_t sig_cap, tlcp_error *err)
{
    ENSURE(key != NULL && digest != NULL && sig != NULL && sig_len != NULL, err,
           TLCP_R_INVALID_ARGUMENT, "tlcp_sm2_sign_digest: missing argument");
    ENSURE(tlcp_pkey_has_private(key), err, TLCP_R_BAD_KEY, "cannot sign with a public SM2 key");

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

int tlcp_sm2_verify_digest(const tlcp_pkey *key, const uint8_t digest[TLCP_SM3_DIGEST_LEN],
                           const uint8_t *sig, size_t sig_len, tlcp_error *err)
{
    ENSURE(key != NULL && digest != NULL && sig != NULL, err, TLCP_R_INVALID_ARGUMENT,
           "tlcp_sm2_verify_digest: missing argument");
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
