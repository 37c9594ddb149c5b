/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SM2 public-key encryption (GB/T 32918.4) in the GM/T 0009 DER form
 * SEQUENCE { INTEGER x1, INTEGER y1, OCTET STRING C3, OCTET STRING C2 },
 * which is what TLCP's ClientKeyExchange carries: the public entry points
 * (ours or OpenSSL's, sm2_enc_evp.c) and our implementation.
 *
 * Decryption is constant time in d and in the plaintext: C1 is checked
 * first (public), then d·C1, the KDF, the all-zero test of t and the C3
 * comparison all run to the end and fold into one verdict, so every
 * failure after the public checks returns the same way at the same time.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/sm2_curve.h"
#include "crypto/sm2_internal.h"
#include "util/bytes.h"
#include "util/mem.h"

/* Plaintexts up to this size are hashed into C3 from a stack buffer. */
#define C3_STACK_LEN 512
/* An all-zero KDF output (probability 2^-8·len) asks for another k. */
#define MAX_ENCRYPT_TRIES 16

/* C3 = SM3(x2 || M || y2). */
static int c3_hash(const uint8_t s[64], const uint8_t *msg, size_t len, uint8_t out[32],
                   tlcp_error *err)
{
    if (len <= C3_STACK_LEN) {
        uint8_t buf[C3_STACK_LEN + 64];
        memcpy(buf, s, 32);
        memcpy(buf + 32, msg, len);
        memcpy(buf + 32 + len, s + 32, 32);
        int ok = tlcp_sm2_hash(buf, len + 64, out, err);
        tlcp_wipe(buf, len + 64);
        return ok;
    }
    tlcp_sm3_ctx *ctx = tlcp_sm3_new(err);
    int ok = ctx != NULL && tlcp_sm3_update(ctx, s, 32, err) &&
             tlcp_sm3_update(ctx, msg, len, err) && tlcp_sm3_update(ctx, s + 32, 32, err) &&
             tlcp_sm3_final(ctx, out, err);
    tlcp_sm3_free(ctx);
    return ok;
}

/* k·P with the key's table when it has one. */
static int mul_key_point(uint8_t out[64], const uint8_t k[32], const tlcp_pkey *key)
{
    const sm2_point_table *table = tlcp_sm2_key_table(key);
    return table != NULL ? sm2_mul_point_table(out, k, table) : sm2_mul_point(out, k, key->point);
}

/* C1 = k·G and the KDF stream t from k·P = (x2, y2); 0 in *done asks for
 * another k. s (x2||y2) and t are secret. */
static int encrypt_attempt(const tlcp_pkey *key, uint8_t c1[64], uint8_t s[64], uint8_t *t,
                           size_t len, int *done, tlcp_error *err)
{
    uint8_t k[32];
    GUARD(tlcp_sm2_random_scalar(k, err));
    int ok = sm2_mul_base(c1, k) & mul_key_point(s, k, key);
    tlcp_wipe(k, sizeof(k));
    tlcp_sm2_declassify(c1, 64); /* C1 is sent */
    ok &= tlcp_sm2_kdf(s, 64, t, len, err);
    int retry = (ok ^ 1) | tlcp_sm2_all_zero(t, len);
    tlcp_sm2_declassify(&retry, sizeof(retry));
    *done = !retry;
    return 1;
}

static size_t ciphertext_body_len(const uint8_t c1[64], size_t len)
{
    return tlcp_sm2_der_uint256_len(c1) + tlcp_sm2_der_uint256_len(c1 + 32) + 2 +
           TLCP_SM3_DIGEST_LEN + tlcp_sm2_der_header_len(len) + len;
}

/* SEQUENCE { x1, y1, C3, C2 = M xor t } into out (cap checked). */
static int write_ciphertext(const uint8_t c1[64], const uint8_t c3[32], const uint8_t *msg,
                            const uint8_t *t, size_t len, uint8_t *out, size_t *out_len,
                            size_t out_cap, tlcp_error *err)
{
    size_t body = ciphertext_body_len(c1, len);
    size_t need = tlcp_sm2_der_header_len(body) + body;
    ENSURE(need <= out_cap, err, TLCP_R_INVALID_ARGUMENT,
           "ciphertext buffer holds %zu bytes, the ciphertext needs %zu", out_cap, need);
    tlcp_builder b;
    uint8_t *c2 = NULL;
    tlcp_builder_init_fixed(&b, out, out_cap);
    ENSURE(tlcp_sm2_der_put_header(&b, DER_SEQUENCE, body) && tlcp_sm2_der_put_uint256(&b, c1) &&
               tlcp_sm2_der_put_uint256(&b, c1 + 32) &&
               tlcp_sm2_der_put_header(&b, DER_OCTET_STRING, TLCP_SM3_DIGEST_LEN) &&
               tlcp_builder_add_bytes(&b, c3, TLCP_SM3_DIGEST_LEN) &&
               tlcp_sm2_der_put_header(&b, DER_OCTET_STRING, len) &&
               tlcp_builder_add_space(&b, &c2, len) && tlcp_builder_len(&b) == need,
           err, TLCP_R_INTERNAL, "cannot encode the SM2 ciphertext");
    for (size_t i = 0; i < len; i++)
        c2[i] = msg[i] ^ t[i];
    *out_len = need;
    return 1;
}

int tlcp_sm2_own_encrypt(const tlcp_pkey *key, const uint8_t *in, size_t in_len, uint8_t *out,
                         size_t *out_len, size_t out_cap, tlcp_error *err)
{
    uint8_t *t = malloc(in_len);
    ENSURE(t != NULL, err, TLCP_R_ALLOC, "out of memory for the SM2 key stream");
    uint8_t c1[64];
    uint8_t s[64];
    uint8_t c3[32];
    int done = 0;
    int ok = 1;
    for (int i = 0; ok && !done && i < MAX_ENCRYPT_TRIES; i++)
        ok = encrypt_attempt(key, c1, s, t, in_len, &done, err);
    if (ok && !done) {
        TLCP_ERR(err, TLCP_R_CRYPTO, "SM2 encryption found no usable k");
        ok = 0;
    }
    ok = ok && c3_hash(s, in, in_len, c3, err) &&
         write_ciphertext(c1, c3, in, t, in_len, out, out_len, out_cap, err);
    tlcp_wipe(s, sizeof(s));
    tlcp_free_secret(t, in_len);
    return ok;
}

int tlcp_sm2_own_decrypt(const tlcp_pkey *key, const uint8_t *in, size_t in_len, uint8_t *out,
                         size_t *out_len, size_t out_cap, tlcp_error *err)
{
    struct tlcp_sm2_ciphertext ct;
    GUARD(tlcp_sm2_parse_ciphertext(in, in_len, &ct, err));
    ENSURE(tlcp_pkey_has_private(key), err, TLCP_R_BAD_KEY, "cannot decrypt with a public SM2 key");
    ENSURE(sm2_point_is_valid(ct.c1), err, TLCP_R_DECRYPT_FAILED,
           "SM2 ciphertext point C1 is not on the curve");
    ENSURE(ct.c2_len <= out_cap, err, TLCP_R_INVALID_ARGUMENT,
           "plaintext buffer holds %zu bytes, the plaintext has %zu", out_cap, ct.c2_len);
    uint8_t s[64];
    uint8_t u[32];
    /* From here on nothing branches on a secret until the one verdict. */
    int good = sm2_mul_point(s, key->d, ct.c1);
    good &= tlcp_sm2_kdf(s, sizeof(s), out, ct.c2_len, err);
    good &= !tlcp_sm2_all_zero(out, ct.c2_len);
    for (size_t i = 0; i < ct.c2_len; i++)
        out[i] ^= ct.c2[i];
    good &= c3_hash(s, out, ct.c2_len, u, err);
    good &= tlcp_ct_equal(u, ct.c3, sizeof(u));
    tlcp_wipe(s, sizeof(s));
    tlcp_wipe(u, sizeof(u));
    tlcp_sm2_declassify(&good, sizeof(good));
    if (!good) {
        tlcp_wipe(out, ct.c2_len);
        ENSURE(0, err, TLCP_R_DECRYPT_FAILED, "SM2 decryption failed");
    }
    *out_len = ct.c2_len;
    return 1;
}

/* ---- public entry points ------------------------------------------------- */

int tlcp_sm2_encrypt(const tlcp_pkey *key, const uint8_t *in, size_t in_len, uint8_t *out,
                     size_t *out_len, size_t out_cap, tlcp_error *err)
{
    ENSURE(key != NULL && in != NULL && out != NULL && out_len != NULL, err,
           TLCP_R_INVALID_ARGUMENT, "tlcp_sm2_encrypt: missing argument");
    ENSURE(in_len > 0 && in_len <= 0xFFFF - TLCP_SM2_CIPHERTEXT_OVERHEAD, err,
           TLCP_R_INVALID_ARGUMENT, "SM2 plaintext length %zu is outside 1..%d", in_len,
           0xFFFF - TLCP_SM2_CIPHERTEXT_OVERHEAD);
    if (tlcp_sm2_use_evp())
        return tlcp_sm2_evp_encrypt(key, in, in_len, out, out_len, out_cap, err);
    return tlcp_sm2_own_encrypt(key, in, in_len, out, out_len, out_cap, err);
}

int tlcp_sm2_decrypt(const tlcp_pkey *key, const uint8_t *in, size_t in_len, uint8_t *out,
                     size_t *out_len, size_t out_cap, tlcp_error *err)
{
    ENSURE(key != NULL && in != NULL && out != NULL && out_len != NULL, err,
           TLCP_R_INVALID_ARGUMENT, "tlcp_sm2_decrypt: missing argument");
    if (tlcp_sm2_use_evp())
        return tlcp_sm2_evp_decrypt(key, in, in_len, out, out_len, out_cap, err);
    return tlcp_sm2_own_decrypt(key, in, in_len, out, out_len, out_cap, err);
}
