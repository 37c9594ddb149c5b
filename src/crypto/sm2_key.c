/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SM2 key objects: wrapping, loading (PEM/DER, PKCS#8, SEC1, encrypted
 * PKCS#8), generation, raw points and scalars, export.
 *
 * Every tlcp_pkey holds a provider-backed EVP_PKEY of type "SM2" on
 * sm2p256v1, so signing and encryption always run libcrypto's SM2 code and
 * never ECDSA/ECIES. What libcrypto 3.0.19 hands out, checked here:
 * - its decoders (PKCS#8, SEC1 with "EC PRIVATE KEY" or "SM2 PRIVATE KEY",
 *   SubjectPublicKeyInfo) already type SM2-curve keys as "SM2";
 * - keys built with the deprecated EC_KEY API are legacy keys, which 3.0
 *   cannot use for SM2 at all; they are re-decoded (from_legacy);
 * - an "EC"-typed provider key on the SM2 curve cannot come from 3.0's own
 *   key manager (it refuses), but another provider could return one, and
 *   there is no EVP_PKEY_set_alias_type for provider keys in 3.0, so it is
 *   rebuilt as "SM2" from its point and scalar (rebuild_as_sm2).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "crypto/key_kdf_limit.h"
#include "crypto/sm2_curve.h"
#include "crypto/sm2_internal.h"
#include "util/mem.h"

/* Key files are small; anything larger is a mistake, not a key. */
#define MAX_KEY_FILE_LEN (1024 * 1024)

struct pass_state {
    const char *passphrase;
    int asked; /* set once the decoder met an encrypted structure */
};

/* ---- small shared helpers ----------------------------------------------- */

EC_GROUP *tlcp_sm2_group_new(tlcp_error *err)
{
    EC_GROUP *group = EC_GROUP_new_by_curve_name(NID_sm2);
    if (group == NULL)
        CRYPTO_FAIL(err, TLCP_R_CRYPTO, "the SM2 curve is not available in libcrypto");
    return group;
}

int tlcp_sm2_bn_to_field(const BIGNUM *bn, uint8_t out[TLCP_SM2_FIELD_LEN], tlcp_error *err)
{
    if (BN_bn2binpad(bn, out, TLCP_SM2_FIELD_LEN) != TLCP_SM2_FIELD_LEN)
        return CRYPTO_FAIL(err, TLCP_R_INTERNAL, "SM2 value does not fit 32 bytes");
    return 1;
}

int tlcp_sm2_resolve_id(const uint8_t **id, size_t *id_len, tlcp_error *err)
{
    if (*id == NULL) {
        *id = (const uint8_t *)TLCP_SM2_DEFAULT_ID;
        *id_len = TLCP_SM2_DEFAULT_ID_LEN;
        return 1;
    }
    /* An empty ID is legal arithmetic, but OpenSSL treats "no ID" specially;
     * refusing it keeps our Z and OpenSSL's Z the same by construction. */
    ENSURE(*id_len > 0 && *id_len <= TLCP_SM2_MAX_ID_LEN, err, TLCP_R_INVALID_ARGUMENT,
           "SM2 ID length %zu is outside 1..%d bytes", *id_len, TLCP_SM2_MAX_ID_LEN);
    return 1;
}

int tlcp_sm2_point_from_bytes(const EC_GROUP *group, const uint8_t *bytes, size_t len,
                              EC_POINT *out, tlcp_error *err)
{
    ENSURE(bytes != NULL && len == TLCP_SM2_POINT_LEN && bytes[0] == 0x04, err, TLCP_R_BAD_KEY,
           "an SM2 point must be 65 bytes 04||X||Y (got %zu bytes)", bytes == NULL ? 0 : len);
    /* oct2point checks X, Y < p and the curve equation; check both again
     * explicitly so the guarantee does not rest on one library detail. */
    if (EC_POINT_oct2point(group, out, bytes, len, NULL) != 1)
        return CRYPTO_FAIL(err, TLCP_R_BAD_KEY, "SM2 point is not on the curve");
    if (EC_POINT_is_at_infinity(group, out))
        return CRYPTO_FAIL(err, TLCP_R_BAD_KEY, "SM2 point is the point at infinity");
    if (EC_POINT_is_on_curve(group, out, NULL) != 1)
        return CRYPTO_FAIL(err, TLCP_R_BAD_KEY, "SM2 point is not on the curve");
    return 1;
}

/* 04||X||Y of any EC-style EVP_PKEY, from its affine coordinates (so the
 * result never depends on the point format the key was loaded with). */
static int evp_point(EVP_PKEY *pkey, uint8_t out[TLCP_SM2_POINT_LEN], tlcp_error *err)
{
    BIGNUM *x = NULL;
    BIGNUM *y = NULL;
    int ok = 0;
    if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_X, &x) != 1 ||
        EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &y) != 1) {
        CRYPTO_FAIL(err, TLCP_R_BAD_KEY, "SM2 key has no public point");
        goto done;
    }
    out[0] = 0x04;
    ok = tlcp_sm2_bn_to_field(x, out + 1, err) &&
         tlcp_sm2_bn_to_field(y, out + 1 + TLCP_SM2_FIELD_LEN, err);
done:
    BN_free(x);
    BN_free(y);
    return ok;
}

static BIGNUM *evp_private(EVP_PKEY *pkey)
{
    BIGNUM *d = NULL;
    ERR_set_mark();
    /* Legacy keys answer "success" with 0 when there is no scalar. */
    if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY, &d) != 1 || d == NULL ||
        BN_is_zero(d)) {
        BN_clear_free(d);
        d = NULL;
    }
    ERR_pop_to_mark(); /* "no private key" is an answer here, not an error */
    if (d != NULL)
        BN_set_flags(d, BN_FLG_CONSTTIME);
    return d;
}

/* A fresh "SM2" EVP_PKEY from a validated point and an optional scalar. */
static EVP_PKEY *build_sm2(const uint8_t pub[TLCP_SM2_POINT_LEN], const BIGNUM *priv,
                           tlcp_error *err)
{
    uint8_t native[TLCP_SM2_FIELD_LEN]; /* OSSL_PARAM BNs are native-endian */
    OSSL_PARAM params[4];
    size_t n = 0;
    EVP_PKEY *out = NULL;
    params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)"SM2", 0);
    params[n++] =
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)pub, TLCP_SM2_POINT_LEN);
    if (priv != NULL) {
        if (BN_bn2nativepad(priv, native, sizeof(native)) != (int)sizeof(native)) {
            CRYPTO_FAIL(err, TLCP_R_BAD_KEY, "SM2 private scalar does not fit 32 bytes");
            return NULL;
        }
        params[n++] = OSSL_PARAM_construct_BN(OSSL_PKEY_PARAM_PRIV_KEY, native, sizeof(native));
    }
    params[n] = OSSL_PARAM_construct_end();

    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "SM2", NULL);
    if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
        EVP_PKEY_fromdata(ctx, &out, priv != NULL ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
                          params) != 1) {
        EVP_PKEY_free(out);
        out = NULL;
        CRYPTO_FAIL(err, TLCP_R_BAD_KEY, "cannot build an SM2 key");
    }
    EVP_PKEY_CTX_free(ctx);
    tlcp_wipe(native, sizeof(native));
    return out;
}

/* Replaces an "EC" key on the SM2 curve by the equivalent "SM2" key. */
static int rebuild_as_sm2(EVP_PKEY **pkey, tlcp_error *err)
{
    uint8_t pub[TLCP_SM2_POINT_LEN];
    GUARD(evp_point(*pkey, pub, err));
    BIGNUM *d = evp_private(*pkey);
    EVP_PKEY *sm2 = build_sm2(pub, d, err);
    BN_clear_free(d);
    if (sm2 == NULL)
        return 0;
    EVP_PKEY_free(*pkey);
    *pkey = sm2;
    return 1;
}

static EVP_PKEY *decode_key(const uint8_t *data, size_t len, int selection, const char *structure,
                            struct pass_state *st, tlcp_error *err, const char *what);

/* Legacy keys (built with the deprecated EC_KEY API) cannot run SM2
 * operations in libcrypto 3.0 and do not answer the EC parameter queries;
 * a DER round trip turns them into provider keys. */
static int from_legacy(EVP_PKEY **pkey, tlcp_error *err)
{
    if (EVP_PKEY_get0_provider(*pkey) != NULL)
        return 1;
    BIGNUM *d = evp_private(*pkey);
    int has_private = d != NULL;
    BN_clear_free(d);
    unsigned char *der = NULL;
    int len = has_private ? i2d_PrivateKey(*pkey, &der) : i2d_PUBKEY(*pkey, &der);
    if (len <= 0)
        return CRYPTO_FAIL(err, TLCP_R_BAD_KEY, "cannot re-encode a legacy key");
    EVP_PKEY *fresh =
        decode_key(der, (size_t)len, has_private ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
                   has_private ? NULL : "SubjectPublicKeyInfo", NULL, err,
                   "cannot decode a re-encoded legacy key");
    OPENSSL_clear_free(der, (size_t)len);
    if (fresh == NULL)
        return 0;
    EVP_PKEY_free(*pkey);
    *pkey = fresh;
    return 1;
}

/* Accepts "SM2" keys and "EC" keys on the SM2 curve; rejects the rest. */
static int normalize_sm2(EVP_PKEY **pkey, tlcp_error *err)
{
    GUARD(from_legacy(pkey, err));
    int is_sm2 = EVP_PKEY_is_a(*pkey, "SM2");
    if (!is_sm2 && !EVP_PKEY_is_a(*pkey, "EC")) {
        const char *name = EVP_PKEY_get0_type_name(*pkey);
        ERR_clear_error();
        TLCP_ERR(err, TLCP_R_BAD_KEY, "key type %s is not SM2", name != NULL ? name : "(unknown)");
        return 0;
    }
    char group[64];
    size_t group_len = 0;
    if (EVP_PKEY_get_utf8_string_param(*pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                       &group_len) != 1)
        return CRYPTO_FAIL(err, TLCP_R_BAD_KEY,
                           "EC key has no named curve (explicit parameters are not supported)");
    ENSURE(strcmp(group, "SM2") == 0, err, TLCP_R_BAD_KEY,
           "key is on curve %s, not on the SM2 curve sm2p256v1", group);
    return is_sm2 ? 1 : rebuild_as_sm2(pkey, err);
}

/* ---- tlcp_pkey basics ----------------------------------------------------- */

/* The key object around `pkey` (owned; freed on failure) with its point,
 * optional scalar and default-ID Z filled in. */
static tlcp_pkey *new_key(EVP_PKEY *pkey, const uint8_t point[64], const uint8_t *d,
                          tlcp_error *err)
{
    tlcp_pkey *key = calloc(1, sizeof(*key));
    if (key == NULL) {
        EVP_PKEY_free(pkey);
        TLCP_ERR(err, TLCP_R_ALLOC, "out of memory for an SM2 key");
        return NULL;
    }
    atomic_init(&key->evp, pkey);
    atomic_init(&key->refs, 1);
    atomic_init(&key->d1_inv, NULL);
    atomic_init(&key->table, NULL);
    atomic_init(&key->uses, 0);
    memcpy(key->point, point, sizeof(key->point));
    if (d != NULL) {
        memcpy(key->d, d, sizeof(key->d));
        key->has_private = 1;
    }
    if (!tlcp_sm2_z_of_point(key->point, (const uint8_t *)TLCP_SM2_DEFAULT_ID,
                             TLCP_SM2_DEFAULT_ID_LEN, key->z_default, err)) {
        tlcp_pkey_free(key);
        return NULL;
    }
    return key;
}

/* The scalar of an EVP_PKEY as 32 bytes; 0 when it has none. */
static int evp_scalar(EVP_PKEY *pkey, uint8_t d[32], tlcp_error *err)
{
    BIGNUM *bn = evp_private(pkey);
    if (bn == NULL)
        return 0;
    int ok = tlcp_sm2_bn_to_field(bn, d, err);
    BN_clear_free(bn);
    return ok ? 1 : -1;
}

tlcp_pkey *tlcp_pkey_wrap(EVP_PKEY *pkey, tlcp_error *err)
{
    if (pkey == NULL) {
        TLCP_ERR(err, TLCP_R_INVALID_ARGUMENT, "no key to wrap");
        return NULL;
    }
    /* Every tlcp_pkey must have a usable public point. */
    uint8_t point[TLCP_SM2_POINT_LEN];
    uint8_t d[32];
    int has_d = 0;
    if (!normalize_sm2(&pkey, err) || !evp_point(pkey, point, err) ||
        (has_d = evp_scalar(pkey, d, err)) < 0) {
        EVP_PKEY_free(pkey);
        return NULL;
    }
    if (!sm2_point_is_valid(point + 1)) { /* libcrypto checked it too; do not rely on that */
        EVP_PKEY_free(pkey);
        tlcp_wipe(d, sizeof(d));
        TLCP_ERR(err, TLCP_R_BAD_KEY, "SM2 key's point is not on the curve");
        return NULL;
    }
    tlcp_pkey *key = new_key(pkey, point + 1, has_d ? d : NULL, err);
    tlcp_wipe(d, sizeof(d));
    return key;
}

tlcp_pkey *tlcp_pkey_up_ref(tlcp_pkey *key)
{
    if (key != NULL)
        atomic_fetch_add_explicit(&key->refs, 1, memory_order_relaxed);
    return key;
}

void tlcp_pkey_free(tlcp_pkey *key)
{
    if (key == NULL || atomic_fetch_sub_explicit(&key->refs, 1, memory_order_acq_rel) > 1)
        return;
    EVP_PKEY_free(atomic_load(&key->evp)); /* libcrypto clears its copy of the scalar */
    tlcp_sm2_key_caches_free(key);
    tlcp_wipe(key->d, sizeof(key->d));
    free(key);
}

int tlcp_pkey_has_private(const tlcp_pkey *key)
{
    return key != NULL && key->has_private;
}

int tlcp_pkey_get_point(const tlcp_pkey *key, uint8_t out[TLCP_SM2_POINT_LEN], tlcp_error *err)
{
    ENSURE(key != NULL && out != NULL, err, TLCP_R_INVALID_ARGUMENT, "no SM2 key");
    out[0] = 0x04;
    memcpy(out + 1, key->point, sizeof(key->point));
    return 1;
}

int tlcp_pkey_public_equal(const tlcp_pkey *a, const tlcp_pkey *b)
{
    if (a == NULL || b == NULL)
        return 0;
    return memcmp(a->point, b->point, sizeof(a->point)) == 0; /* public values */
}

EC_POINT *tlcp_sm2_pkey_point(const tlcp_pkey *key, const EC_GROUP *group, tlcp_error *err)
{
    uint8_t bytes[TLCP_SM2_POINT_LEN];
    if (!tlcp_pkey_get_point(key, bytes, err))
        return NULL;
    EC_POINT *point = EC_POINT_new(group);
    if (point == NULL) {
        CRYPTO_FAIL(err, TLCP_R_ALLOC, "out of memory for an EC point");
        return NULL;
    }
    if (!tlcp_sm2_point_from_bytes(group, bytes, sizeof(bytes), point, err)) {
        EC_POINT_free(point);
        return NULL;
    }
    return point;
}

BIGNUM *tlcp_sm2_pkey_private(const tlcp_pkey *key, tlcp_error *err)
{
    if (key == NULL || !key->has_private) {
        TLCP_ERR(err, TLCP_R_BAD_KEY, "SM2 key has no private part");
        return NULL;
    }
    BIGNUM *d = BN_secure_new();
    if (d != NULL) {
        BN_set_flags(d, BN_FLG_CONSTTIME);
        if (BN_bin2bn(key->d, sizeof(key->d), d) == NULL) {
            BN_clear_free(d);
            d = NULL;
        }
    }
    if (d == NULL)
        CRYPTO_FAIL(err, TLCP_R_ALLOC, "out of memory for an SM2 scalar");
    return d;
}

/* ---- construction ----------------------------------------------------------- */

/* OpenSSL's path (the reference): EC_POINT decoding and key generation. */
static tlcp_pkey *evp_from_point(const uint8_t *point, size_t len, tlcp_error *err)
{
    EC_GROUP *group = tlcp_sm2_group_new(err);
    EC_POINT *p = group != NULL ? EC_POINT_new(group) : NULL;
    EVP_PKEY *pkey = NULL;
    if (p == NULL) {
        if (group != NULL)
            CRYPTO_FAIL(err, TLCP_R_ALLOC, "out of memory for an EC point");
    } else if (tlcp_sm2_point_from_bytes(group, point, len, p, err)) {
        pkey = build_sm2(point, NULL, err);
    }
    EC_POINT_free(p);
    EC_GROUP_free(group);
    return pkey != NULL ? tlcp_pkey_wrap(pkey, err) : NULL;
}

EVP_PKEY *tlcp_sm2_evp_generate(tlcp_error *err)
{
    EVP_PKEY *pkey = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "SM2", NULL);
    if (ctx == NULL || EVP_PKEY_keygen_init(ctx) != 1 ||
        EVP_PKEY_CTX_set_group_name(ctx, "SM2") != 1 || EVP_PKEY_generate(ctx, &pkey) != 1) {
        EVP_PKEY_free(pkey);
        pkey = NULL;
        CRYPTO_FAIL(err, TLCP_R_CRYPTO, "SM2 key generation failed");
    }
    EVP_PKEY_CTX_free(ctx);
    return pkey;
}

/* SM2 signing needs (1 + d) invertible, so d must lie in [1, n-2]. */
static int scalar_in_range(const BIGNUM *d, const EC_GROUP *group, tlcp_error *err)
{
    BIGNUM *limit = BN_dup(EC_GROUP_get0_order(group));
    if (limit == NULL || !BN_sub_word(limit, 1)) {
        BN_free(limit);
        return CRYPTO_FAIL(err, TLCP_R_ALLOC, "out of memory");
    }
    int ok = !BN_is_zero(d) && BN_cmp(d, limit) < 0;
    BN_free(limit);
    ENSURE(ok, err, TLCP_R_BAD_KEY, "SM2 private scalar is outside [1, n-2]");
    return 1;
}

static EVP_PKEY *pkey_from_scalar(const BIGNUM *d, const EC_GROUP *group, tlcp_error *err)
{
    uint8_t pub[TLCP_SM2_POINT_LEN];
    EC_POINT *p = EC_POINT_new(group);
    EVP_PKEY *pkey = NULL;
    /* Generator-only EC_POINT_mul with a CONSTTIME scalar runs OpenSSL's
     * fixed-length ladder. */
    if (p == NULL || EC_POINT_mul(group, p, d, NULL, NULL, NULL) != 1 ||
        EC_POINT_point2oct(group, p, POINT_CONVERSION_UNCOMPRESSED, pub, sizeof(pub), NULL) !=
            sizeof(pub))
        CRYPTO_FAIL(err, TLCP_R_CRYPTO, "cannot compute the SM2 public point");
    else
        pkey = build_sm2(pub, d, err);
    EC_POINT_free(p);
    return pkey;
}

static tlcp_pkey *evp_from_private_scalar(const uint8_t d[32], tlcp_error *err)
{
    EVP_PKEY *pkey = NULL;
    EC_GROUP *group = tlcp_sm2_group_new(err);
    BIGNUM *bn = BN_secure_new();
    if (group != NULL && bn == NULL)
        CRYPTO_FAIL(err, TLCP_R_ALLOC, "out of memory");
    if (group != NULL && bn != NULL) {
        BN_set_flags(bn, BN_FLG_CONSTTIME);
        if (BN_bin2bn(d, TLCP_SM2_FIELD_LEN, bn) == NULL)
            CRYPTO_FAIL(err, TLCP_R_ALLOC, "out of memory");
        else if (scalar_in_range(bn, group, err))
            pkey = pkey_from_scalar(bn, group, err);
    }
    BN_clear_free(bn);
    EC_GROUP_free(group);
    return pkey != NULL ? tlcp_pkey_wrap(pkey, err) : NULL;
}

/* Our path: the point checked by sm2_point_is_valid, d·G by sm2_mul_base;
 * the EVP_PKEY waits until something needs one (tlcp_pkey_evp). */
static tlcp_pkey *own_key(const uint8_t point[64], const uint8_t *d, tlcp_error *err)
{
    return new_key(NULL, point, d, err);
}

EVP_PKEY *tlcp_pkey_evp(const tlcp_pkey *key)
{
    tlcp_pkey *k = (tlcp_pkey *)key; /* the cache is not part of the key's value */
    EVP_PKEY *have = atomic_load_explicit(&k->evp, memory_order_acquire);
    if (have != NULL)
        return have;
    uint8_t pub[TLCP_SM2_POINT_LEN];
    pub[0] = 0x04;
    memcpy(pub + 1, key->point, 64);
    BIGNUM *bn = NULL;
    if (key->has_private) {
        bn = BN_secure_new();
        if (bn == NULL || BN_bin2bn(key->d, 32, bn) == NULL) {
            BN_clear_free(bn);
            ERR_clear_error();
            return NULL;
        }
    }
    EVP_PKEY *fresh = build_sm2(pub, bn, NULL);
    BN_clear_free(bn);
    ERR_clear_error();
    if (fresh == NULL)
        return NULL;
    EVP_PKEY *expected = NULL;
    if (!atomic_compare_exchange_strong_explicit(&k->evp, &expected, fresh, memory_order_acq_rel,
                                                 memory_order_acquire)) {
        EVP_PKEY_free(fresh);
        return expected;
    }
    return fresh;
}

tlcp_pkey *tlcp_pkey_from_point(const uint8_t *point, size_t len, tlcp_error *err)
{
    if (tlcp_sm2_use_evp())
        return evp_from_point(point, len, err);
    if (point == NULL || len != TLCP_SM2_POINT_LEN || point[0] != 0x04) {
        TLCP_ERR(err, TLCP_R_BAD_KEY, "an SM2 point must be 65 bytes 04||X||Y (got %zu bytes)",
                 point == NULL ? 0 : len);
        return NULL;
    }
    if (!sm2_point_is_valid(point + 1)) {
        TLCP_ERR(err, TLCP_R_BAD_KEY, "SM2 point is not on the curve (or a coordinate is >= p)");
        return NULL;
    }
    return own_key(point + 1, NULL, err);
}

tlcp_pkey *tlcp_pkey_generate(tlcp_error *err)
{
    if (tlcp_sm2_use_evp()) {
        EVP_PKEY *pkey = tlcp_sm2_evp_generate(err);
        return pkey != NULL ? tlcp_pkey_wrap(pkey, err) : NULL;
    }
    uint8_t d[32];
    uint8_t point[64];
    tlcp_pkey *key = tlcp_sm2_own_keypair(d, point, err) ? own_key(point, d, err) : NULL;
    tlcp_wipe(d, sizeof(d));
    return key;
}

tlcp_pkey *tlcp_pkey_from_private_scalar(const uint8_t d[32], tlcp_error *err)
{
    if (d == NULL) {
        TLCP_ERR(err, TLCP_R_INVALID_ARGUMENT, "no private scalar");
        return NULL;
    }
    if (tlcp_sm2_use_evp())
        return evp_from_private_scalar(d, err);
    /* SM2 signing needs (1 + d) invertible, so d must lie in [1, n-2]. */
    static const uint8_t one[32] = {[31] = 1};
    uint8_t d1[32];
    int ok = sm2_scalar_in_range(d);
    tlcp_sm2_declassify(&ok, sizeof(ok));
    if (ok) {
        sm2_scalar_add(d1, d, one);
        ok = !sm2_scalar_is_zero(d1);
        tlcp_sm2_declassify(&ok, sizeof(ok));
        tlcp_wipe(d1, sizeof(d1));
    }
    if (!ok) {
        TLCP_ERR(err, TLCP_R_BAD_KEY, "SM2 private scalar is outside [1, n-2]");
        return NULL;
    }
    uint8_t point[64];
    ok = sm2_mul_base(point, d);
    tlcp_sm2_declassify(&ok, sizeof(ok));
    tlcp_sm2_declassify(point, sizeof(point));
    if (!ok) {
        TLCP_ERR(err, TLCP_R_CRYPTO, "cannot compute the SM2 public point");
        return NULL;
    }
    return own_key(point, d, err);
}

/* ---- loading ------------------------------------------------------------------ */

static int pass_cb(char *buf, size_t size, size_t *out_len, const OSSL_PARAM params[], void *arg)
{
    (void)params;
    struct pass_state *st = arg;
    st->asked = 1;
    if (st->passphrase == NULL)
        return 0;
    size_t len = strlen(st->passphrase);
    if (len > size)
        return 0;
    memcpy(buf, st->passphrase, len);
    *out_len = len;
    return 1;
}

/* Whether an OpenSSL error says the encryption scheme of a key is one it
 * does not implement (as opposed to a wrong passphrase). */
static int is_unsupported_scheme(unsigned long code)
{
    if (ERR_GET_LIB(code) != ERR_LIB_EVP)
        return 0;
    switch (ERR_GET_REASON(code)) {
    case EVP_R_UNSUPPORTED_PRF:
    case EVP_R_UNSUPPORTED_KEY_DERIVATION_FUNCTION:
    case EVP_R_UNSUPPORTED_CIPHER:
    case EVP_R_UNKNOWN_CIPHER:
    case EVP_R_UNKNOWN_DIGEST:
    case EVP_R_UNKNOWN_PBE_ALGORITHM:
    case EVP_R_UNSUPPORTED_ALGORITHM:
    case EVP_R_UNSUPPORTED_KEYLENGTH:
    case EVP_R_UNSUPPORTED_SALT_TYPE:
        return 1;
    default:
        return 0;
    }
}

/* Scans (and empties) the error queue for an unsupported scheme; the first
 * error is raised again so that CRYPTO_FAIL can still quote it. */
static int queue_says_unsupported(void)
{
    unsigned long code, first = 0;
    int found = 0;
    while ((code = ERR_get_error()) != 0) {
        if (first == 0)
            first = code;
        found |= is_unsupported_scheme(code);
    }
    if (first != 0)
        ERR_raise(ERR_GET_LIB(first), ERR_GET_REASON(first));
    return found;
}

/* An encrypted key that did not decode: no passphrase, a scheme OpenSSL
 * lacks (GmSSL writes PBES2 with PBKDF2-HMAC-SM3, which OpenSSL 3.0 cannot
 * derive: reporting a wrong passphrase there sends users hunting for the
 * wrong fault), or else a wrong passphrase. */
static void encrypted_key_failure(const struct pass_state *st, tlcp_error *err)
{
    if (st->passphrase == NULL) {
        CRYPTO_FAIL(err, TLCP_R_BAD_PASSPHRASE,
                    "the private key is encrypted and no passphrase was given");
    } else if (queue_says_unsupported()) {
        CRYPTO_FAIL(err, TLCP_R_BAD_KEY,
                    "encrypted key uses an algorithm OpenSSL cannot decrypt (PBES2 with "
                    "HMAC-SM3?): re-encrypt it with `openssl pkcs8 -topk8 -v2 aes-256-cbc` or "
                    "decrypt it with gmssl");
    } else {
        CRYPTO_FAIL(err, TLCP_R_BAD_PASSPHRASE,
                    "wrong passphrase: the encrypted private key did not decrypt");
    }
}

/* PEM or DER (OSSL_DECODER autodetects). DER must be consumed exactly; text
 * after a PEM block (another block, comments) is left alone. */
static EVP_PKEY *decode_key(const uint8_t *data, size_t len, int selection, const char *structure,
                            struct pass_state *st, tlcp_error *err, const char *what)
{
    EVP_PKEY *pkey = NULL;
    OSSL_DECODER_CTX *dctx =
        OSSL_DECODER_CTX_new_for_pkey(&pkey, NULL, structure, NULL, selection, NULL, NULL);
    if (dctx == NULL ||
        (st != NULL && OSSL_DECODER_CTX_set_passphrase_cb(dctx, pass_cb, st) != 1)) {
        OSSL_DECODER_CTX_free(dctx);
        CRYPTO_FAIL(err, TLCP_R_CRYPTO, "cannot set up the key decoder");
        return NULL;
    }
    const unsigned char *p = data;
    size_t left = len;
    int ok = OSSL_DECODER_from_data(dctx, &p, &left) == 1 && pkey != NULL;
    OSSL_DECODER_CTX_free(dctx);
    if (!ok) {
        EVP_PKEY_free(pkey);
        if (st != NULL && st->asked)
            encrypted_key_failure(st, err);
        else
            CRYPTO_FAIL(err, TLCP_R_DECODE, what);
        return NULL;
    }
    ERR_clear_error(); /* failed attempts of other decoders on the way */
    if (data[0] == 0x30 && left != 0) {
        EVP_PKEY_free(pkey);
        TLCP_ERR(err, TLCP_R_TRAILING_DATA, "%zu bytes follow the DER key", left);
        return NULL;
    }
    return pkey;
}

/* Library self-check of the loaded pair: point on the curve, scalar in
 * range and matching the point. Catches corrupted or forged key files. */
static int check_pair(const tlcp_pkey *key, tlcp_error *err)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, tlcp_pkey_evp(key), NULL);
    int ok = ctx != NULL && EVP_PKEY_check(ctx) == 1;
    EVP_PKEY_CTX_free(ctx);
    if (!ok)
        return CRYPTO_FAIL(err, TLCP_R_BAD_KEY,
                           "SM2 private key is inconsistent (scalar and point do not match)");
    return 1;
}

tlcp_pkey *tlcp_pkey_load_private(const uint8_t *data, size_t len, const char *passphrase,
                                  tlcp_error *err)
{
    if (data == NULL || len == 0) {
        TLCP_ERR(err, TLCP_R_INVALID_ARGUMENT, "no private key data");
        return NULL;
    }
    /* before the decoder runs a derivation of whatever cost the file asks */
    if (!tlcp_key_check_kdf_cost(data, len, err))
        return NULL;
    struct pass_state st = {passphrase, 0};
    EVP_PKEY *pkey =
        decode_key(data, len, EVP_PKEY_KEYPAIR, NULL, &st, err,
                   "not a private key (expected PKCS#8, encrypted PKCS#8 or SEC1; PEM or DER)");
    tlcp_pkey *key = pkey != NULL ? tlcp_pkey_wrap(pkey, err) : NULL;
    if (key == NULL)
        return NULL;
    if (!tlcp_pkey_has_private(key)) {
        TLCP_ERR(err, TLCP_R_BAD_KEY, "the key holds no private part");
        tlcp_pkey_free(key);
        return NULL;
    }
    if (!check_pair(key, err)) {
        tlcp_pkey_free(key);
        return NULL;
    }
    return key;
}

/* Reads a whole (small) file; the buffer may hold a secret, so it is wiped
 * by the caller through tlcp_free_secret with *cap. */
static uint8_t *read_file(const char *path, size_t *out_len, size_t *cap, tlcp_error *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        TLCP_ERR(err, TLCP_R_FILE, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    size_t len = 0;
    *cap = 0;
    uint8_t *buf = NULL;
    for (;;) {
        if (len == *cap) {
            size_t new_cap = *cap == 0 ? 4096 : *cap * 2;
            uint8_t *grown = new_cap > MAX_KEY_FILE_LEN + 1 ? NULL : malloc(new_cap);
            if (grown == NULL) {
                TLCP_ERR(err, new_cap > MAX_KEY_FILE_LEN + 1 ? TLCP_R_FILE : TLCP_R_ALLOC,
                         "%s: key file too large or out of memory", path);
                break;
            }
            if (buf != NULL)
                memcpy(grown, buf, len);
            tlcp_free_secret(buf, *cap);
            buf = grown;
            *cap = new_cap;
        }
        size_t n = fread(buf + len, 1, *cap - len, f);
        len += n;
        if (n == 0) {
            if (ferror(f)) {
                TLCP_ERR(err, TLCP_R_FILE, "cannot read %s: %s", path, strerror(errno));
                break;
            }
            fclose(f);
            *out_len = len;
            return buf;
        }
    }
    fclose(f);
    tlcp_free_secret(buf, *cap);
    return NULL;
}

tlcp_pkey *tlcp_pkey_load_private_file(const char *path, const char *passphrase, tlcp_error *err)
{
    if (path == NULL) {
        TLCP_ERR(err, TLCP_R_INVALID_ARGUMENT, "no key file path");
        return NULL;
    }
    size_t len = 0;
    size_t cap = 0;
    uint8_t *data = read_file(path, &len, &cap, err);
    if (data == NULL)
        return NULL;
    if (len == 0) {
        tlcp_free_secret(data, cap);
        TLCP_ERR(err, TLCP_R_DECODE, "%s is empty", path);
        return NULL;
    }
    tlcp_pkey *key = tlcp_pkey_load_private(data, len, passphrase, err);
    tlcp_free_secret(data, cap);
    return key;
}

tlcp_pkey *tlcp_pkey_load_public(const uint8_t *data, size_t len, tlcp_error *err)
{
    if (data == NULL || len == 0) {
        TLCP_ERR(err, TLCP_R_INVALID_ARGUMENT, "no public key data");
        return NULL;
    }
    EVP_PKEY *pkey = decode_key(data, len, EVP_PKEY_PUBLIC_KEY, "SubjectPublicKeyInfo", NULL, err,
                                "not a SubjectPublicKeyInfo public key (PEM or DER)");
    return pkey != NULL ? tlcp_pkey_wrap(pkey, err) : NULL;
}

/* ---- export -------------------------------------------------------------------- */

int tlcp_pkey_to_pem(const tlcp_pkey *key, char **out_pem, size_t *out_len, tlcp_error *err)
{
    ENSURE(key != NULL && out_pem != NULL && out_len != NULL, err, TLCP_R_INVALID_ARGUMENT,
           "tlcp_pkey_to_pem: missing argument");
    ENSURE(tlcp_pkey_has_private(key), err, TLCP_R_BAD_KEY,
           "cannot write a private key PEM from a public key");
    /* secmem BIO: its buffer is cleared when freed. */
    BIO *bio = BIO_new(BIO_s_secmem());
    char *mem = NULL;
    long n = 0;
    if (bio == NULL ||
        PEM_write_bio_PrivateKey(bio, tlcp_pkey_evp(key), NULL, NULL, 0, NULL, NULL) != 1 ||
        (n = BIO_get_mem_data(bio, &mem)) <= 0) {
        BIO_free(bio);
        return CRYPTO_FAIL(err, TLCP_R_CRYPTO, "cannot encode the SM2 private key as PKCS#8 PEM");
    }
    char *pem = malloc((size_t)n + 1);
    if (pem == NULL) {
        BIO_free(bio);
        ENSURE(0, err, TLCP_R_ALLOC, "out of memory for the PEM text");
    }
    memcpy(pem, mem, (size_t)n);
    pem[n] = '\0';
    BIO_free(bio);
    *out_pem = pem;
    *out_len = (size_t)n;
    return 1;
}
