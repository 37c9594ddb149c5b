/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SM2 signatures (GB/T 32918.2): Z, the public entry points (which pick our
 * path or OpenSSL's, sm2_sign_evp.c) and our signing and verifying over the
 * curve code of sm2_curve.h.
 *
 * Signing is constant time in d and k: s = (1 + d)^-1 · (k + r) − r mod n,
 * which equals (1 + d)^-1 · (k − r·d), with (1 + d)^-1 computed once per key.
 * Verifying handles public values only and may take variable time.
 */
#include <string.h>

#include "crypto/sm2_curve.h"
#include "crypto/sm2_internal.h"
#include "util/bytes.h"
#include "util/mem.h"

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

/* Messages up to this size are hashed from one stack buffer with Z. */
#define E_STACK_LEN 1024
/* Signing retries (r = 0, r + k = n, s = 0) happen with probability ~2^-254. */
#define MAX_SIGN_TRIES 16

int tlcp_sm2_hash(const uint8_t *data, size_t len, uint8_t out[TLCP_SM3_DIGEST_LEN],
                  tlcp_error *err)
{
    return tlcp_sm3(data, len, out, err);
}

int tlcp_sm2_z_of_point(const uint8_t point[64], const uint8_t *id, size_t id_len,
                        uint8_t out[TLCP_SM3_DIGEST_LEN], tlcp_error *err)
{
    tlcp_builder b;
    ENSURE(tlcp_builder_init(&b, 2 + id_len + sizeof(curve_abg) + 2 * TLCP_SM2_FIELD_LEN, 0), err,
           TLCP_R_ALLOC, "out of memory for the SM2 Z input");
    int ok = tlcp_builder_add_u16(&b, (uint16_t)(id_len * 8)) && /* ENTL: ID length in bits */
             tlcp_builder_add_bytes(&b, id, id_len) &&
             tlcp_builder_add_bytes(&b, curve_abg, sizeof(curve_abg)) &&
             tlcp_builder_add_bytes(&b, point, 2 * TLCP_SM2_FIELD_LEN);
    if (!ok)
        TLCP_ERR(err, TLCP_R_INTERNAL, "cannot assemble the SM2 Z input");
    else
        ok = tlcp_sm2_hash(tlcp_builder_data(&b), tlcp_builder_len(&b), out, err);
    tlcp_builder_cleanup(&b);
    return ok;
}

int tlcp_sm2_compute_z(const tlcp_pkey *key, const uint8_t *id, size_t id_len,
                       uint8_t out[TLCP_SM3_DIGEST_LEN], tlcp_error *err)
{
    ENSURE(key != NULL && out != NULL, err, TLCP_R_INVALID_ARGUMENT,
           "tlcp_sm2_compute_z: missing argument");
    GUARD(tlcp_sm2_resolve_id(&id, &id_len, err));
    if (id_len == TLCP_SM2_DEFAULT_ID_LEN && memcmp(id, TLCP_SM2_DEFAULT_ID, id_len) == 0) {
        memcpy(out, key->z_default, TLCP_SM3_DIGEST_LEN); /* computed when the key was made */
        return 1;
    }
    return tlcp_sm2_z_of_point(key->point, id, id_len, out, err);
}

/* e = SM3(Z || msg). */
static int message_e(const tlcp_pkey *key, const uint8_t *id, size_t id_len, const uint8_t *msg,
                     size_t msg_len, uint8_t e[32], tlcp_error *err)
{
    uint8_t z[TLCP_SM3_DIGEST_LEN];
    GUARD(tlcp_sm2_compute_z(key, id, id_len, z, err));
    if (msg_len <= E_STACK_LEN - sizeof(z)) {
        uint8_t buf[E_STACK_LEN];
        memcpy(buf, z, sizeof(z));
        if (msg_len > 0)
            memcpy(buf + sizeof(z), msg, msg_len);
        return tlcp_sm3(buf, sizeof(z) + msg_len, e, err);
    }
    tlcp_sm3_ctx *ctx = tlcp_sm3_new(err);
    int ok = ctx != NULL && tlcp_sm3_update(ctx, z, sizeof(z), err) &&
             tlcp_sm3_update(ctx, msg, msg_len, err) && tlcp_sm3_final(ctx, e, err);
    tlcp_sm3_free(ctx);
    return ok;
}

/* DER SEQUENCE { INTEGER r, INTEGER s } into sig. */
static int encode_signature(const uint8_t r[32], const uint8_t s[32], uint8_t *sig, size_t *sig_len,
                            size_t sig_cap, tlcp_error *err)
{
    size_t body = tlcp_sm2_der_uint256_len(r) + tlcp_sm2_der_uint256_len(s);
    size_t need = tlcp_sm2_der_header_len(body) + body;
    ENSURE(need <= sig_cap, err, TLCP_R_INVALID_ARGUMENT,
           "signature buffer holds %zu bytes, the signature needs %zu", sig_cap, need);
    tlcp_builder b;
    tlcp_builder_init_fixed(&b, sig, sig_cap);
    ENSURE(tlcp_sm2_der_put_header(&b, DER_SEQUENCE, body) && tlcp_sm2_der_put_uint256(&b, r) &&
               tlcp_sm2_der_put_uint256(&b, s) && tlcp_builder_len(&b) == need,
           err, TLCP_R_INTERNAL, "cannot encode the SM2 signature");
    *sig_len = need;
    return 1;
}

/* One signing attempt with nonce k; 0 in *done asks for another k. */
static void sign_attempt(const uint8_t e_mod_n[32], const uint8_t k[32], const uint8_t d1_inv[32],
                         uint8_t r[32], uint8_t s[32], int *done)
{
    uint8_t pt[64];
    uint8_t x1[32];
    uint8_t rk[32];
    uint8_t t[32];
    int ok = sm2_mul_base(pt, k);
    sm2_scalar_reduce(x1, pt);
    sm2_scalar_add(r, e_mod_n, x1);
    tlcp_sm2_declassify(r, 32); /* r is part of the signature */
    sm2_scalar_add(rk, r, k);
    int retry = (ok ^ 1) | sm2_scalar_is_zero(r) | sm2_scalar_is_zero(rk);
    sm2_scalar_mul(t, d1_inv, rk);
    sm2_scalar_sub(s, t, r);
    tlcp_sm2_declassify(s, 32);
    retry |= sm2_scalar_is_zero(s);
    tlcp_sm2_declassify(&retry, sizeof(retry)); /* only says this k was thrown away */
    *done = !retry;
    tlcp_wipe(pt, sizeof(pt));
    tlcp_wipe(x1, sizeof(x1));
    tlcp_wipe(rk, sizeof(rk));
    tlcp_wipe(t, sizeof(t));
}

int tlcp_sm2_own_sign_e(const tlcp_pkey *key, const uint8_t e[32], uint8_t *sig, size_t *sig_len,
                        size_t sig_cap, tlcp_error *err)
{
    ENSURE(tlcp_pkey_has_private(key), err, TLCP_R_BAD_KEY, "cannot sign with a public SM2 key");
    const uint8_t *d1_inv = tlcp_sm2_key_d1_inv(key, err);
    if (d1_inv == NULL)
        return 0;
    uint8_t e_mod_n[32];
    uint8_t k[32];
    uint8_t r[32];
    uint8_t s[32];
    int done = 0;
    sm2_scalar_reduce(e_mod_n, e);
    for (int i = 0; !done && i < MAX_SIGN_TRIES; i++) {
        GUARD(tlcp_sm2_sign_nonce(key->d, e, k, err));
        sign_attempt(e_mod_n, k, d1_inv, r, s, &done);
    }
    tlcp_wipe(k, sizeof(k));
    ENSURE(done, err, TLCP_R_CRYPTO, "SM2 signing found no usable nonce");
    return encode_signature(r, s, sig, sig_len, sig_cap, err);
}

/* Only the one canonical DER encoding of SEQUENCE { r, s } is accepted. */
static int decode_signature(const uint8_t *sig, size_t sig_len, uint8_t r[32], uint8_t s[32],
                            tlcp_error *err)
{
    ENSURE(sig_len > 0 && sig_len <= TLCP_SM2_MAX_SIG_LEN, err, TLCP_R_BAD_SIGNATURE,
           "SM2 signature length %zu is outside 1..%d", sig_len, TLCP_SM2_MAX_SIG_LEN);
    tlcp_cursor all;
    tlcp_cursor seq;
    tlcp_cursor_init(&all, sig, sig_len);
    ENSURE(tlcp_sm2_der_tlv(&all, DER_SEQUENCE, &seq) && tlcp_sm2_der_uint256(&seq, r) &&
               tlcp_sm2_der_uint256(&seq, s) && tlcp_cursor_is_empty(&seq),
           err, TLCP_R_BAD_SIGNATURE, "SM2 signature is not minimal DER SEQUENCE {r, s}");
    ENSURE(tlcp_cursor_is_empty(&all), err, TLCP_R_BAD_SIGNATURE,
           "%zu bytes follow the DER SM2 signature", tlcp_cursor_len(&all));
    return 1;
}

int tlcp_sm2_own_verify_e(const tlcp_pkey *key, const uint8_t e[32], const uint8_t *sig,
                          size_t sig_len, tlcp_error *err)
{
    uint8_t r[32];
    uint8_t s[32];
    GUARD(decode_signature(sig, sig_len, r, s, err));
    ENSURE(sm2_scalar_in_range(r) && sm2_scalar_in_range(s), err, TLCP_R_BAD_SIGNATURE,
           "SM2 signature r or s is outside [1, n-1]");
    uint8_t t[32];
    sm2_scalar_add(t, r, s);
    ENSURE(!sm2_scalar_is_zero(t), err, TLCP_R_BAD_SIGNATURE, "SM2 signature has r + s = n");
    uint8_t pt[64];
    const sm2_point_table *table = tlcp_sm2_key_table(key);
    int ok = table != NULL ? sm2_mul_double_table_vartime(pt, s, t, table)
                           : sm2_mul_double_vartime(pt, s, t, key->point);
    ENSURE(ok, err, TLCP_R_BAD_SIGNATURE, "SM2 signature does not verify (s·G + t·P = O)");
    uint8_t e_mod_n[32];
    uint8_t x1[32];
    uint8_t want[32];
    sm2_scalar_reduce(e_mod_n, e);
    sm2_scalar_reduce(x1, pt);
    sm2_scalar_add(want, e_mod_n, x1);
    ENSURE(memcmp(want, r, 32) == 0, err, TLCP_R_BAD_SIGNATURE, "SM2 signature does not verify");
    return 1;
}

/* ---- public entry points ------------------------------------------------- */

int tlcp_sm2_sign(const tlcp_pkey *key, const uint8_t *id, size_t id_len, const uint8_t *msg,
                  size_t msg_len, uint8_t *sig, size_t *sig_len, size_t sig_cap, tlcp_error *err)
{
    ENSURE(key != NULL && sig != NULL && sig_len != NULL && (msg != NULL || msg_len == 0), err,
           TLCP_R_INVALID_ARGUMENT, "tlcp_sm2_sign: missing argument");
    GUARD(tlcp_sm2_resolve_id(&id, &id_len, err));
    ENSURE(tlcp_pkey_has_private(key), err, TLCP_R_BAD_KEY, "cannot sign with a public SM2 key");
    if (tlcp_sm2_use_evp())
        return tlcp_sm2_evp_sign(key, id, id_len, msg, msg_len, sig, sig_len, sig_cap, err);
    uint8_t e[32];
    GUARD(message_e(key, id, id_len, msg, msg_len, e, err));
    return tlcp_sm2_own_sign_e(key, e, sig, sig_len, sig_cap, err);
}

int tlcp_sm2_verify(const tlcp_pkey *key, const uint8_t *id, size_t id_len, const uint8_t *msg,
                    size_t msg_len, const uint8_t *sig, size_t sig_len, tlcp_error *err)
{
    ENSURE(key != NULL && sig != NULL && (msg != NULL || msg_len == 0), err,
           TLCP_R_INVALID_ARGUMENT, "tlcp_sm2_verify: missing argument");
    GUARD(tlcp_sm2_resolve_id(&id, &id_len, err));
    if (tlcp_sm2_use_evp())
        return tlcp_sm2_evp_verify(key, id, id_len, msg, msg_len, sig, sig_len, err);
    uint8_t e[32];
    GUARD(message_e(key, id, id_len, msg, msg_len, e, err));
    return tlcp_sm2_own_verify_e(key, e, sig, sig_len, err);
}

int tlcp_sm2_sign_digest(const tlcp_pkey *key, const uint8_t digest[TLCP_SM3_DIGEST_LEN],
                         uint8_t *sig, size_t *sig_len, size_t sig_cap, tlcp_error *err)
{
    ENSURE(key != NULL && digest != NULL && sig != NULL && sig_len != NULL, err,
           TLCP_R_INVALID_ARGUMENT, "tlcp_sm2_sign_digest: missing argument");
    ENSURE(tlcp_pkey_has_private(key), err, TLCP_R_BAD_KEY, "cannot sign with a public SM2 key");
    if (tlcp_sm2_use_evp())
        return tlcp_sm2_evp_sign_digest(key, digest, sig, sig_len, sig_cap, err);
    return tlcp_sm2_own_sign_e(key, digest, sig, sig_len, sig_cap, err);
}

int tlcp_sm2_verify_digest(const tlcp_pkey *key, const uint8_t digest[TLCP_SM3_DIGEST_LEN],
                           const uint8_t *sig, size_t sig_len, tlcp_error *err)
{
    ENSURE(key != NULL && digest != NULL && sig != NULL, err, TLCP_R_INVALID_ARGUMENT,
           "tlcp_sm2_verify_digest: missing argument");
    if (tlcp_sm2_use_evp())
        return tlcp_sm2_evp_verify_digest(key, digest, sig, sig_len, err);
    return tlcp_sm2_own_verify_e(key, digest, sig, sig_len, err);
}
