/* SPDX-License-Identifier: Apache-2.0 */
/* SM2 keys, signatures and encryption: GB/T 32918 Annex A vectors, round
 * trips and every rejection path. Tests may use OpenSSL to build inputs. */
/* The legacy-key test builds a key with the deprecated EC_KEY API. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/params.h>
#include <openssl/pem.h>

#include "crypto/crypto.h"
#include "crypto/pkey_internal.h"

#include "sm2_vectors.h"

static const char *fixture_key(void)
{
    return tu_data_path("interop/gmssl2-ecc-sm4-cbc-sm3/server-sign.key");
}

/* Runs a call that must fail with `reason` and leave OpenSSL's queue empty. */
#define EXPECT_FAIL(call, want_reason)                                                             \
    do {                                                                                           \
        tlcp_error_clear(&err);                                                                    \
        assert_false(call);                                                                        \
        if (err.reason != (want_reason))                                                           \
            fprintf(stderr, "got reason %d: %s\n", err.reason, tlcp_error_message(&err));          \
        assert_int_equal(err.reason, (want_reason));                                               \
        assert_true(err.message[0] != '\0');                                                       \
        assert_int_equal(ERR_peek_error(), 0);                                                     \
    } while (0)

#define EXPECT_NULL(call, want_reason)                                                             \
    do {                                                                                           \
        tlcp_error_clear(&err);                                                                    \
        tlcp_pkey *bad_ = (call);                                                                  \
        assert_null(bad_);                                                                         \
        if (err.reason != (want_reason))                                                           \
            fprintf(stderr, "got reason %d: %s\n", err.reason, tlcp_error_message(&err));          \
        assert_int_equal(err.reason, (want_reason));                                               \
        assert_true(err.message[0] != '\0');                                                       \
        assert_int_equal(ERR_peek_error(), 0);                                                     \
    } while (0)

static tlcp_pkey *annex_key(void)
{
    uint8_t d[32];
    tu_hex_into(ANNEX_D, d, sizeof(d));
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_pkey *key = tlcp_pkey_from_private_scalar(d, &err);
    assert_non_null(key);
    return key;
}

static tlcp_pkey *annex_public(void)
{
    uint8_t p[65];
    tu_hex_into(ANNEX_P, p, sizeof(p));
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_pkey *key = tlcp_pkey_from_point(p, sizeof(p), &err);
    assert_non_null(key);
    return key;
}

static tlcp_pkey *load_fixture(void)
{
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_pkey *key = tlcp_pkey_load_private_file(fixture_key(), NULL, &err);
    if (key == NULL)
        fprintf(stderr, "%s\n", tlcp_error_message(&err));
    assert_non_null(key);
    return key;
}

/* DER SEQUENCE { INTEGER r, INTEGER s } from two 32-byte big-endian values. */
static size_t der_sig(const uint8_t r[32], const uint8_t s[32], uint8_t out[72])
{
    uint8_t body[70];
    size_t n = 0;
    const uint8_t *v[2] = {r, s};
    for (int i = 0; i < 2; i++) {
        size_t skip = 0;
        while (skip < 31 && v[i][skip] == 0)
            skip++;
        int pad = (v[i][skip] & 0x80) != 0;
        body[n++] = 0x02;
        body[n++] = (uint8_t)(32 - skip + pad);
        if (pad)
            body[n++] = 0;
        memcpy(body + n, v[i] + skip, 32 - skip);
        n += 32 - skip;
    }
    out[0] = 0x30;
    out[1] = (uint8_t)n;
    memcpy(out + 2, body, n);
    return n + 2;
}

static void sign_ok(const tlcp_pkey *key, const uint8_t *id, size_t id_len, const char *msg,
                    uint8_t sig[TLCP_SM2_MAX_SIG_LEN], size_t *sig_len)
{
    tlcp_error err;
    tlcp_error_clear(&err);
    assert_true(tlcp_sm2_sign(key, id, id_len, (const uint8_t *)msg, strlen(msg), sig, sig_len,
                              TLCP_SM2_MAX_SIG_LEN, &err));
    assert_true(*sig_len >= 8 && *sig_len <= TLCP_SM2_MAX_SIG_LEN);
    assert_int_equal(ERR_peek_error(), 0);
}

static void verify_ok(const tlcp_pkey *key, const uint8_t *id, size_t id_len, const char *msg,
                      const uint8_t *sig, size_t sig_len)
{
    tlcp_error err;
    tlcp_error_clear(&err);
    int ok =
        tlcp_sm2_verify(key, id, id_len, (const uint8_t *)msg, strlen(msg), sig, sig_len, &err);
    if (!ok)
        fprintf(stderr, "%s\n", tlcp_error_message(&err));
    assert_true(ok);
    assert_int_equal(ERR_peek_error(), 0);
}

/* ---- keys: Annex A, points ------------------------------------------------- */

static void test_scalar_gives_annex_point(void **state)
{
    (void)state;
    tlcp_pkey *key = annex_key();
    uint8_t point[65];
    tlcp_error err;
    tlcp_error_clear(&err);
    assert_true(tlcp_pkey_get_point(key, point, &err));
    tu_assert_hex(point, sizeof(point), ANNEX_P);
    assert_true(tlcp_pkey_has_private(key));
    tlcp_pkey *pub = annex_public();
    assert_false(tlcp_pkey_has_private(pub));
    assert_true(tlcp_pkey_public_equal(key, pub));
    tlcp_pkey_free(pub);
    tlcp_pkey_free(key);
}

static void test_z_annex_a(void **state)
{
    (void)state;
    tlcp_pkey *key = annex_public();
    uint8_t z[32];
    tlcp_error err;
    tlcp_error_clear(&err);
    assert_true(tlcp_sm2_compute_z(key, (const uint8_t *)"1234567812345678", 16, z, &err));
    tu_assert_hex(z, sizeof(z), ANNEX_ZA);
    /* NULL means the default ID, which is the Annex A ID. */
    assert_true(tlcp_sm2_compute_z(key, NULL, 0, z, &err));
    tu_assert_hex(z, sizeof(z), ANNEX_ZA);
    /* Another ID gives another Z. */
    assert_true(tlcp_sm2_compute_z(key, (const uint8_t *)"1234567812345679", 16, z, &err));
    uint8_t want[32];
    tu_hex_into(ANNEX_ZA, want, sizeof(want));
    assert_memory_not_equal(z, want, sizeof(z));
    EXPECT_FAIL(tlcp_sm2_compute_z(key, (const uint8_t *)"x", 0, z, &err), TLCP_R_INVALID_ARGUMENT);
    static uint8_t long_id[8192];
    EXPECT_FAIL(tlcp_sm2_compute_z(key, long_id, sizeof(long_id), z, &err),
                TLCP_R_INVALID_ARGUMENT);
    assert_true(tlcp_sm2_compute_z(key, long_id, sizeof(long_id) - 1, z, &err));
    tlcp_pkey_free(key);
}

static void test_from_point_rejects(void **state)
{
    (void)state;
    tlcp_error err;
    uint8_t p[65];
    tu_hex_into(ANNEX_P, p, sizeof(p));

    uint8_t off[65];
    memcpy(off, p, sizeof(off));
    off[64] ^= 0x01; /* y changed: off the curve */
    EXPECT_NULL(tlcp_pkey_from_point(off, sizeof(off), &err), TLCP_R_BAD_KEY);

    uint8_t zero[65] = {0x04}; /* (0, 0) is not on the curve (b != 0) */
    EXPECT_NULL(tlcp_pkey_from_point(zero, sizeof(zero), &err), TLCP_R_BAD_KEY);
    uint8_t inf[1] = {0x00}; /* the encoding of the point at infinity */
    EXPECT_NULL(tlcp_pkey_from_point(inf, sizeof(inf), &err), TLCP_R_BAD_KEY);
    EXPECT_NULL(tlcp_pkey_from_point(p, 64, &err), TLCP_R_BAD_KEY);
    EXPECT_NULL(tlcp_pkey_from_point(p, 33, &err), TLCP_R_BAD_KEY);
    EXPECT_NULL(tlcp_pkey_from_point(NULL, 65, &err), TLCP_R_BAD_KEY);

    uint8_t comp[65];
    memcpy(comp, p, sizeof(comp));
    comp[0] = 0x02;
    EXPECT_NULL(tlcp_pkey_from_point(comp, sizeof(comp), &err), TLCP_R_BAD_KEY);

    /* X = p (the field prime): not a field element. */
    uint8_t big[65];
    memcpy(big, p, sizeof(big));
    tu_hex_into("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF", big + 1, 32);
    EXPECT_NULL(tlcp_pkey_from_point(big, sizeof(big), &err), TLCP_R_BAD_KEY);
}

static void test_from_scalar_range(void **state)
{
    (void)state;
    tlcp_error err;
    uint8_t d[32] = {0};
    EXPECT_NULL(tlcp_pkey_from_private_scalar(d, &err), TLCP_R_BAD_KEY);
    tu_hex_into(SM2_N, d, 32);
    EXPECT_NULL(tlcp_pkey_from_private_scalar(d, &err), TLCP_R_BAD_KEY); /* n */
    d[31]--;
    EXPECT_NULL(tlcp_pkey_from_private_scalar(d, &err), TLCP_R_BAD_KEY); /* n-1 */
    d[31]--;
    tlcp_error_clear(&err);
    tlcp_pkey *key = tlcp_pkey_from_private_scalar(d, &err); /* n-2 is the largest */
    assert_non_null(key);
    tlcp_pkey_free(key);
    memset(d, 0, sizeof(d));
    d[31] = 1;
    key = tlcp_pkey_from_private_scalar(d, &err); /* d = 1: P = G */
    assert_non_null(key);
    uint8_t point[65];
    assert_true(tlcp_pkey_get_point(key, point, &err));
    tu_assert_hex(point, sizeof(point),
                  "04 32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7"
                  "BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0");
    tlcp_pkey_free(key);
    EXPECT_NULL(tlcp_pkey_from_private_scalar(NULL, &err), TLCP_R_INVALID_ARGUMENT);
}

static void test_refcount_and_generate(void **state)
{
    (void)state;
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_pkey *a = tlcp_pkey_generate(&err);
    tlcp_pkey *b = tlcp_pkey_generate(&err);
    assert_non_null(a);
    assert_non_null(b);
    assert_true(tlcp_pkey_has_private(a));
    assert_false(tlcp_pkey_public_equal(a, b));
    assert_true(tlcp_pkey_public_equal(a, a));
    assert_false(tlcp_pkey_public_equal(a, NULL));
    assert_ptr_equal(tlcp_pkey_up_ref(a), a);
    assert_int_equal(a->refs, 2);
    tlcp_pkey_free(a);
    assert_int_equal(a->refs, 1);
    assert_true(EVP_PKEY_is_a(tlcp_pkey_evp(a), "SM2"));
    tlcp_pkey_free(a);
    tlcp_pkey_free(b);
    tlcp_pkey_free(NULL);
    assert_null(tlcp_pkey_up_ref(NULL));
}

/* ---- signatures ------------------------------------------------------------ */

static void test_verify_published_signature(void **state)
{
    (void)state;
    uint8_t r[32], s[32], sig[72];
    tu_hex_into(ANNEX_R, r, 32);
    tu_hex_into(ANNEX_S, s, 32);
    size_t sig_len = der_sig(r, s, sig);
    assert_int_equal(sig_len, 72); /* both integers need a 0x00 pad */
    tlcp_pkey *pub = annex_public();
    verify_ok(pub, (const uint8_t *)"1234567812345678", 16, "message digest", sig, sig_len);
    verify_ok(pub, NULL, 0, "message digest", sig, sig_len);
    tlcp_error err;
    const uint8_t *m = (const uint8_t *)"message digesT";
    EXPECT_FAIL(tlcp_sm2_verify(pub, NULL, 0, m, 14, sig, sig_len, &err), TLCP_R_BAD_SIGNATURE);
    tlcp_pkey_free(pub);
}

static void test_sign_verify_round_trip(void **state)
{
    (void)state;
    tlcp_pkey *key = annex_key();
    tlcp_pkey *pub = annex_public();
    uint8_t sig[TLCP_SM2_MAX_SIG_LEN];
    size_t sig_len;
    sign_ok(key, NULL, 0, "message digest", sig, &sig_len);
    verify_ok(pub, NULL, 0, "message digest", sig, sig_len);
    verify_ok(key, NULL, 0, "message digest", sig, sig_len);

    const uint8_t *alice = (const uint8_t *)"ALICE123@YAHOO.COM";
    sign_ok(key, alice, 18, "", sig, &sig_len); /* empty message is fine */
    verify_ok(pub, alice, 18, "", sig, sig_len);

    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_pkey *gen = tlcp_pkey_generate(&err);
    assert_non_null(gen);
    sign_ok(gen, NULL, 0, "hello", sig, &sig_len);
    verify_ok(gen, NULL, 0, "hello", sig, sig_len);
    /* Another key does not verify it. */
    EXPECT_FAIL(tlcp_sm2_verify(pub, NULL, 0, (const uint8_t *)"hello", 5, sig, sig_len, &err),
                TLCP_R_BAD_SIGNATURE);
    tlcp_pkey_free(gen);
    tlcp_pkey_free(pub);
    tlcp_pkey_free(key);
}

static void test_sign_failures(void **state)
{
    (void)state;
    tlcp_pkey *key = annex_key();
    tlcp_pkey *pub = annex_public();
    tlcp_error err;
    uint8_t sig[TLCP_SM2_MAX_SIG_LEN];
    size_t sig_len;
    const uint8_t *m = (const uint8_t *)"abc";
    EXPECT_FAIL(tlcp_sm2_sign(pub, NULL, 0, m, 3, sig, &sig_len, sizeof(sig), &err),
                TLCP_R_BAD_KEY);
    EXPECT_FAIL(tlcp_sm2_sign(key, NULL, 0, m, 3, sig, &sig_len, 8, &err), TLCP_R_INVALID_ARGUMENT);
    EXPECT_FAIL(tlcp_sm2_sign(NULL, NULL, 0, m, 3, sig, &sig_len, sizeof(sig), &err),
                TLCP_R_INVALID_ARGUMENT);
    EXPECT_FAIL(tlcp_sm2_sign(key, NULL, 0, NULL, 3, sig, &sig_len, sizeof(sig), &err),
                TLCP_R_INVALID_ARGUMENT);
    tlcp_pkey_free(pub);
    tlcp_pkey_free(key);
}

static void test_verify_wrong_id_and_message(void **state)
{
    (void)state;
    tlcp_pkey *key = annex_key();
    uint8_t sig[TLCP_SM2_MAX_SIG_LEN];
    size_t sig_len;
    sign_ok(key, NULL, 0, "transcript", sig, &sig_len);
    tlcp_error err;
    const uint8_t *m = (const uint8_t *)"transcript";
    EXPECT_FAIL(
        tlcp_sm2_verify(key, (const uint8_t *)"1234567812345670", 16, m, 10, sig, sig_len, &err),
        TLCP_R_BAD_SIGNATURE);
    EXPECT_FAIL(
        tlcp_sm2_verify(key, NULL, 0, (const uint8_t *)"transcripT", 10, sig, sig_len, &err),
        TLCP_R_BAD_SIGNATURE);
    EXPECT_FAIL(tlcp_sm2_verify(key, NULL, 0, m, 9, sig, sig_len, &err), TLCP_R_BAD_SIGNATURE);
    /* A flipped bit inside s. */
    uint8_t bad[TLCP_SM2_MAX_SIG_LEN];
    memcpy(bad, sig, sig_len);
    bad[sig_len - 1] ^= 0x01;
    EXPECT_FAIL(tlcp_sm2_verify(key, NULL, 0, m, 10, bad, sig_len, &err), TLCP_R_BAD_SIGNATURE);
    verify_ok(key, NULL, 0, "transcript", sig, sig_len);
    tlcp_pkey_free(key);
}

/* Re-encodes a signature with a needless 0x00 before r (same r, s). */
static size_t non_minimal_r(const uint8_t *sig, size_t len, uint8_t *out)
{
    /* sig = 30 L 02 Lr r... 02 Ls s... with r's top bit clear and no pad */
    size_t lr = sig[3];
    out[0] = 0x30;
    out[1] = (uint8_t)(sig[1] + 1);
    out[2] = 0x02;
    out[3] = (uint8_t)(lr + 1);
    out[4] = 0x00;
    memcpy(out + 5, sig + 4, len - 4);
    return len + 1;
}

static void test_verify_bad_der(void **state)
{
    (void)state;
    tlcp_pkey *key = annex_key();
    uint8_t sig[TLCP_SM2_MAX_SIG_LEN];
    size_t sig_len;
    tlcp_error err;
    const uint8_t *m = (const uint8_t *)"msg";
    /* Find a signature whose r has its top bit clear (so DER has no pad). */
    for (int tries = 0;; tries++) {
        assert_true(tries < 200);
        sign_ok(key, NULL, 0, "msg", sig, &sig_len);
        if (sig[3] == 32 && (sig[4] & 0x80) == 0 && sig_len < TLCP_SM2_MAX_SIG_LEN)
            break;
    }
    uint8_t buf[TLCP_SM2_MAX_SIG_LEN + 2];
    /* truncated */
    EXPECT_FAIL(tlcp_sm2_verify(key, NULL, 0, m, 3, sig, sig_len - 1, &err), TLCP_R_BAD_SIGNATURE);
    /* trailing byte */
    memcpy(buf, sig, sig_len);
    buf[sig_len] = 0x00;
    EXPECT_FAIL(tlcp_sm2_verify(key, NULL, 0, m, 3, buf, sig_len + 1, &err), TLCP_R_BAD_SIGNATURE);
    /* non-minimal INTEGER (BER-valid, same numbers) */
    size_t n = non_minimal_r(sig, sig_len, buf);
    assert_true(n <= TLCP_SM2_MAX_SIG_LEN);
    EXPECT_FAIL(tlcp_sm2_verify(key, NULL, 0, m, 3, buf, n, &err), TLCP_R_BAD_SIGNATURE);
    /* long-form length where the short form is required */
    buf[0] = 0x30;
    buf[1] = 0x81;
    buf[2] = sig[1];
    memcpy(buf + 3, sig + 2, sig_len - 2);
    EXPECT_FAIL(tlcp_sm2_verify(key, NULL, 0, m, 3, buf, sig_len + 1, &err), TLCP_R_BAD_SIGNATURE);
    /* wrong outer tag, empty, oversize */
    memcpy(buf, sig, sig_len);
    buf[0] = 0x31;
    EXPECT_FAIL(tlcp_sm2_verify(key, NULL, 0, m, 3, buf, sig_len, &err), TLCP_R_BAD_SIGNATURE);
    EXPECT_FAIL(tlcp_sm2_verify(key, NULL, 0, m, 3, sig, 0, &err), TLCP_R_BAD_SIGNATURE);
    static uint8_t huge[200];
    EXPECT_FAIL(tlcp_sm2_verify(key, NULL, 0, m, 3, huge, sizeof(huge), &err),
                TLCP_R_BAD_SIGNATURE);
    /* r = 0 and s = 0 are well-formed DER but never valid */
    const uint8_t zeros[8] = {0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00};
    EXPECT_FAIL(tlcp_sm2_verify(key, NULL, 0, m, 3, zeros, sizeof(zeros), &err),
                TLCP_R_BAD_SIGNATURE);
    verify_ok(key, NULL, 0, "msg", sig, sig_len);
    tlcp_pkey_free(key);
}

/* Our Z must equal the Z libcrypto uses inside EVP_DigestSign: verify our
 * signature as a raw SM2 signature over e = SM3(Z_ours || M). */
static void test_z_matches_libcrypto(void **state)
{
    (void)state;
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_pkey *key = tlcp_pkey_generate(&err);
    assert_non_null(key);
    const char *ids[2] = {NULL, "ALICE123@YAHOO.COM"};
    for (int i = 0; i < 2; i++) {
        const uint8_t *id = (const uint8_t *)ids[i];
        size_t id_len = ids[i] ? strlen(ids[i]) : 0;
        uint8_t sig[TLCP_SM2_MAX_SIG_LEN];
        size_t sig_len;
        sign_ok(key, id, id_len, "cross check", sig, &sig_len);
        uint8_t buf[32 + 11];
        assert_true(tlcp_sm2_compute_z(key, id, id_len, buf, &err));
        memcpy(buf + 32, "cross check", 11);
        uint8_t e[32];
        unsigned int e_len = 0;
        assert_int_equal(EVP_Digest(buf, sizeof(buf), e, &e_len, EVP_sm3(), NULL), 1);
        EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, tlcp_pkey_evp(key), NULL);
        assert_non_null(ctx);
        assert_int_equal(EVP_PKEY_verify_init(ctx), 1);
        assert_int_equal(EVP_PKEY_verify(ctx, sig, sig_len, e, sizeof(e)), 1);
        e[0] ^= 1;
        assert_int_not_equal(EVP_PKEY_verify(ctx, sig, sig_len, e, sizeof(e)), 1);
        ERR_clear_error();
        EVP_PKEY_CTX_free(ctx);
    }
    tlcp_pkey_free(key);
}

/* ---- signatures over a given digest (GmSSL 2 CertificateVerify) ------------ */

/* e = SM3(Z(default ID) || msg), computed outside the library under test. */
static void z_digest(const tlcp_pkey *key, const char *msg, uint8_t e[32])
{
    tlcp_error err;
    tlcp_error_clear(&err);
    size_t n = strlen(msg);
    uint8_t *buf = malloc(32 + n + 1);
    assert_non_null(buf);
    assert_true(tlcp_sm2_compute_z(key, NULL, 0, buf, &err));
    memcpy(buf + 32, msg, n);
    unsigned int e_len = 0;
    assert_int_equal(EVP_Digest(buf, 32 + n, e, &e_len, EVP_sm3(), NULL), 1);
    assert_int_equal(e_len, 32);
    free(buf);
}

static void plain_digest(const char *msg, uint8_t e[32])
{
    unsigned int e_len = 0;
    assert_int_equal(EVP_Digest(msg, strlen(msg), e, &e_len, EVP_sm3(), NULL), 1);
    assert_int_equal(e_len, 32);
}

static void sign_digest_ok(const tlcp_pkey *key, const uint8_t e[32], uint8_t *sig, size_t *sig_len)
{
    tlcp_error err;
    tlcp_error_clear(&err);
    *sig_len = 0;
    assert_true(tlcp_sm2_sign_digest(key, e, sig, sig_len, TLCP_SM2_MAX_SIG_LEN, &err));
    assert_true(*sig_len >= 8 && *sig_len <= TLCP_SM2_MAX_SIG_LEN);
    assert_int_equal(sig[0], 0x30);
    assert_int_equal(ERR_peek_error(), 0);
}

static void verify_digest_ok(const tlcp_pkey *key, const uint8_t e[32], const uint8_t *sig,
                             size_t sig_len)
{
    tlcp_error err;
    tlcp_error_clear(&err);
    int ok = tlcp_sm2_verify_digest(key, e, sig, sig_len, &err);
    if (!ok)
        fprintf(stderr, "%s\n", tlcp_error_message(&err));
    assert_true(ok);
    assert_int_equal(ERR_peek_error(), 0);
}

/* The published Annex A signature is over e = SM3(ZA || "message digest"). */
static void test_verify_digest_published(void **state)
{
    (void)state;
    uint8_t r[32], s[32], sig[72], e[32];
    tu_hex_into(ANNEX_R, r, 32);
    tu_hex_into(ANNEX_S, s, 32);
    size_t sig_len = der_sig(r, s, sig);
    tlcp_pkey *pub = annex_public();
    z_digest(pub, "message digest", e);
    verify_digest_ok(pub, e, sig, sig_len);
    tlcp_error err;
    /* SM3 of the message alone (no Z) is another e. */
    plain_digest("message digest", e);
    EXPECT_FAIL(tlcp_sm2_verify_digest(pub, e, sig, sig_len, &err), TLCP_R_BAD_SIGNATURE);
    tlcp_pkey_free(pub);
}

static void test_sign_digest_round_trip(void **state)
{
    (void)state;
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_pkey *key = tlcp_pkey_generate(&err);
    assert_non_null(key);
    uint8_t point[TLCP_SM2_POINT_LEN];
    assert_true(tlcp_pkey_get_point(key, point, &err));
    tlcp_pkey *pub = tlcp_pkey_from_point(point, sizeof(point), &err);
    assert_non_null(pub);
    tlcp_pkey *other = tlcp_pkey_generate(&err);
    assert_non_null(other);

    uint8_t e[32], sig[TLCP_SM2_MAX_SIG_LEN];
    size_t sig_len = 0;
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 32; i++)
            e[i] = (uint8_t)(round * 91 + i * 13 + 1);
        sign_digest_ok(key, e, sig, &sig_len);
        verify_digest_ok(pub, e, sig, sig_len);
        verify_digest_ok(key, e, sig, sig_len);
        /* Any other digest, any bit of it, fails. */
        for (int bit = 0; bit < 256; bit += 37) {
            e[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            EXPECT_FAIL(tlcp_sm2_verify_digest(pub, e, sig, sig_len, &err), TLCP_R_BAD_SIGNATURE);
            e[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        }
        EXPECT_FAIL(tlcp_sm2_verify_digest(other, e, sig, sig_len, &err), TLCP_R_BAD_SIGNATURE);
        verify_digest_ok(pub, e, sig, sig_len);
    }
    /* All-zero and all-one digests are ordinary inputs. */
    memset(e, 0, sizeof(e));
    sign_digest_ok(key, e, sig, &sig_len);
    verify_digest_ok(pub, e, sig, sig_len);
    memset(e, 0xFF, sizeof(e));
    sign_digest_ok(key, e, sig, &sig_len);
    verify_digest_ok(pub, e, sig, sig_len);
    tlcp_pkey_free(other);
    tlcp_pkey_free(pub);
    tlcp_pkey_free(key);
}

/* Proves that the digest path takes e as it is: signing SM3(Z || M) as a
 * digest gives what tlcp_sm2_sign(M) would, and the other way round; and
 * a digest without Z (GmSSL 2's form) is a different signature. */
static void test_digest_forms_cross_check(void **state)
{
    (void)state;
    tlcp_pkey *key = load_fixture();
    const char *m = "client hello .. client key exchange";
    uint8_t ez[32], e_plain[32], sig[TLCP_SM2_MAX_SIG_LEN];
    size_t sig_len = 0;
    z_digest(key, m, ez);
    plain_digest(m, e_plain);
    tlcp_error err;

    sign_digest_ok(key, ez, sig, &sig_len);
    verify_ok(key, NULL, 0, m, sig, sig_len);
    EXPECT_FAIL(tlcp_sm2_verify_digest(key, e_plain, sig, sig_len, &err), TLCP_R_BAD_SIGNATURE);

    sign_ok(key, NULL, 0, m, sig, &sig_len);
    verify_digest_ok(key, ez, sig, sig_len);
    EXPECT_FAIL(tlcp_sm2_verify_digest(key, e_plain, sig, sig_len, &err), TLCP_R_BAD_SIGNATURE);

    sign_digest_ok(key, e_plain, sig, &sig_len);
    verify_digest_ok(key, e_plain, sig, sig_len);
    EXPECT_FAIL(tlcp_sm2_verify(key, NULL, 0, (const uint8_t *)m, strlen(m), sig, sig_len, &err),
                TLCP_R_BAD_SIGNATURE);
    /* Nor is it a signature over the digest treated as a message. */
    EXPECT_FAIL(tlcp_sm2_verify(key, NULL, 0, e_plain, 32, sig, sig_len, &err),
                TLCP_R_BAD_SIGNATURE);
    tlcp_pkey_free(key);
}

static void test_digest_failures(void **state)
{
    (void)state;
    tlcp_pkey *key = annex_key();
    tlcp_pkey *pub = annex_public();
    tlcp_error err;
    uint8_t e[32], sig[TLCP_SM2_MAX_SIG_LEN], buf[TLCP_SM2_MAX_SIG_LEN + 2];
    size_t sig_len = 0;
    memset(e, 0x5A, sizeof(e));
    EXPECT_FAIL(tlcp_sm2_sign_digest(pub, e, sig, &sig_len, sizeof(sig), &err), TLCP_R_BAD_KEY);
    EXPECT_FAIL(tlcp_sm2_sign_digest(NULL, e, sig, &sig_len, sizeof(sig), &err),
                TLCP_R_INVALID_ARGUMENT);
    EXPECT_FAIL(tlcp_sm2_sign_digest(key, NULL, sig, &sig_len, sizeof(sig), &err),
                TLCP_R_INVALID_ARGUMENT);
    EXPECT_FAIL(tlcp_sm2_sign_digest(key, e, NULL, &sig_len, sizeof(sig), &err),
                TLCP_R_INVALID_ARGUMENT);
    EXPECT_FAIL(tlcp_sm2_sign_digest(key, e, sig, NULL, sizeof(sig), &err),
                TLCP_R_INVALID_ARGUMENT);
    EXPECT_FAIL(tlcp_sm2_sign_digest(key, e, sig, &sig_len, 8, &err), TLCP_R_INVALID_ARGUMENT);

    sign_digest_ok(key, e, sig, &sig_len);
    EXPECT_FAIL(tlcp_sm2_verify_digest(NULL, e, sig, sig_len, &err), TLCP_R_INVALID_ARGUMENT);
    EXPECT_FAIL(tlcp_sm2_verify_digest(pub, NULL, sig, sig_len, &err), TLCP_R_INVALID_ARGUMENT);
    EXPECT_FAIL(tlcp_sm2_verify_digest(pub, e, NULL, sig_len, &err), TLCP_R_INVALID_ARGUMENT);
    /* Trailing bytes after the DER, a truncated DER, an empty one. */
    memcpy(buf, sig, sig_len);
    buf[sig_len] = 0x00;
    EXPECT_FAIL(tlcp_sm2_verify_digest(pub, e, buf, sig_len + 1, &err), TLCP_R_BAD_SIGNATURE);
    EXPECT_FAIL(tlcp_sm2_verify_digest(pub, e, sig, sig_len - 1, &err), TLCP_R_BAD_SIGNATURE);
    EXPECT_FAIL(tlcp_sm2_verify_digest(pub, e, sig, 0, &err), TLCP_R_BAD_SIGNATURE);
    /* A flipped bit inside s. */
    memcpy(buf, sig, sig_len);
    buf[sig_len - 1] ^= 0x01;
    EXPECT_FAIL(tlcp_sm2_verify_digest(pub, e, buf, sig_len, &err), TLCP_R_BAD_SIGNATURE);
    verify_digest_ok(pub, e, sig, sig_len);
    tlcp_pkey_free(pub);
    tlcp_pkey_free(key);
}

/* ---- encryption ------------------------------------------------------------ */

static void test_decrypt_published(void **state)
{
    (void)state;
    tlcp_pkey *key = annex_key();
    size_t ct_len;
    uint8_t *ct = tu_hex(ANNEX_CT, &ct_len);
    uint8_t pt[64];
    size_t pt_len = 0;
    tlcp_error err;
    tlcp_error_clear(&err);
    assert_true(tlcp_sm2_decrypt(key, ct, ct_len, pt, &pt_len, sizeof(pt), &err));
    assert_int_equal(pt_len, 19);
    assert_memory_equal(pt, "encryption standard", 19);
    /* Exactly-sized output buffer works; one byte less does not. */
    assert_true(tlcp_sm2_decrypt(key, ct, ct_len, pt, &pt_len, 19, &err));
    EXPECT_FAIL(tlcp_sm2_decrypt(key, ct, ct_len, pt, &pt_len, 18, &err), TLCP_R_INVALID_ARGUMENT);
    /* Decrypting needs the private key. */
    tlcp_pkey *pub = annex_public();
    EXPECT_FAIL(tlcp_sm2_decrypt(pub, ct, ct_len, pt, &pt_len, sizeof(pt), &err), TLCP_R_BAD_KEY);
    /* Another private key fails the C3 check. */
    tlcp_pkey *other = tlcp_pkey_generate(&err);
    assert_non_null(other);
    EXPECT_FAIL(tlcp_sm2_decrypt(other, ct, ct_len, pt, &pt_len, sizeof(pt), &err),
                TLCP_R_DECRYPT_FAILED);
    tlcp_pkey_free(other);
    tlcp_pkey_free(pub);
    free(ct);
    tlcp_pkey_free(key);
}

static void round_trip(const tlcp_pkey *enc, const tlcp_pkey *dec, size_t len)
{
    uint8_t *msg = malloc(len);
    uint8_t *ct = malloc(len + TLCP_SM2_CIPHERTEXT_OVERHEAD);
    uint8_t *pt = malloc(len);
    assert_non_null(msg);
    assert_non_null(ct);
    assert_non_null(pt);
    for (size_t i = 0; i < len; i++)
        msg[i] = (uint8_t)(i * 7 + 3);
    size_t ct_len = 0, pt_len = 0;
    tlcp_error err;
    tlcp_error_clear(&err);
    assert_true(
        tlcp_sm2_encrypt(enc, msg, len, ct, &ct_len, len + TLCP_SM2_CIPHERTEXT_OVERHEAD, &err));
    /* 2 x INTEGER (34..35) + OCTET STRING C3 (34) + C2 header + outer header */
    assert_true(ct_len >= len + 2 * 3 + 34 + 2 + 2 && ct_len <= len + TLCP_SM2_CIPHERTEXT_OVERHEAD);
    assert_int_equal(ct[0], 0x30);
    assert_true(tlcp_sm2_decrypt(dec, ct, ct_len, pt, &pt_len, len, &err));
    assert_int_equal(pt_len, len);
    assert_memory_equal(pt, msg, len);
    assert_int_equal(ERR_peek_error(), 0);
    free(msg);
    free(ct);
    free(pt);
}

static void test_encrypt_round_trip(void **state)
{
    (void)state;
    tlcp_pkey *key = annex_key();
    tlcp_pkey *pub = annex_public();
    round_trip(pub, key, 1);
    round_trip(pub, key, 19);
    round_trip(pub, key, TLCP_PRE_MASTER_LEN);
    round_trip(pub, key, 200);  /* 0x81 lengths */
    round_trip(pub, key, 1000); /* 0x82 lengths */

    /* The pre-master size: 155..157 bytes in practice. */
    uint8_t pms[TLCP_PRE_MASTER_LEN] = {1, 1};
    uint8_t ct[TLCP_PRE_MASTER_LEN + TLCP_SM2_CIPHERTEXT_OVERHEAD];
    size_t ct_len;
    tlcp_error err;
    for (int i = 0; i < 8; i++) {
        tlcp_error_clear(&err);
        assert_true(tlcp_sm2_encrypt(pub, pms, sizeof(pms), ct, &ct_len, sizeof(ct), &err));
        assert_true(ct_len >= 152 && ct_len <= 157);
        assert_int_equal(ct[1], 0x81);
    }
    EXPECT_FAIL(tlcp_sm2_encrypt(pub, pms, sizeof(pms), ct, &ct_len, 100, &err),
                TLCP_R_INVALID_ARGUMENT);
    EXPECT_FAIL(tlcp_sm2_encrypt(pub, pms, 0, ct, &ct_len, sizeof(ct), &err),
                TLCP_R_INVALID_ARGUMENT);
    EXPECT_FAIL(tlcp_sm2_encrypt(NULL, pms, 48, ct, &ct_len, sizeof(ct), &err),
                TLCP_R_INVALID_ARGUMENT);
    tlcp_pkey_free(pub);
    tlcp_pkey_free(key);
}

static void expect_decrypt_fails(const tlcp_pkey *key, const uint8_t *ct, size_t len)
{
    uint8_t pt[256];
    size_t pt_len = 0;
    tlcp_error err;
    EXPECT_FAIL(tlcp_sm2_decrypt(key, ct, len, pt, &pt_len, sizeof(pt), &err),
                TLCP_R_DECRYPT_FAILED);
}

static void test_decrypt_rejects_tampering(void **state)
{
    (void)state;
    tlcp_pkey *key = annex_key();
    size_t len;
    uint8_t *ct = tu_hex(ANNEX_CT, &len);
    uint8_t buf[256];
    /* Layout: 30 7C | 02 20 x(32) | 02 21 00 y(32) | 04 20 C3(32) | 04 13 C2(19) */
    const size_t x_at = 4, y_at = 2 + 34 + 3, c3_at = 2 + 34 + 35 + 2, c2_at = c3_at + 32 + 2;
    assert_int_equal(len, 126);
    size_t spots[] = {x_at, x_at + 31, y_at + 5, c3_at, c3_at + 31, c2_at, c2_at + 18};
    for (size_t i = 0; i < TLCP_ARRAY_LEN(spots); i++) {
        memcpy(buf, ct, len);
        buf[spots[i]] ^= 0x01;
        expect_decrypt_fails(key, buf, len);
    }
    /* truncated anywhere */
    expect_decrypt_fails(key, ct, len - 1);
    expect_decrypt_fails(key, ct, 2);
    expect_decrypt_fails(key, ct, 1);
    /* trailing bytes */
    memcpy(buf, ct, len);
    buf[len] = 0;
    expect_decrypt_fails(key, buf, len + 1);
    /* non-minimal outer length 30 81 7C */
    buf[0] = 0x30;
    buf[1] = 0x81;
    memcpy(buf + 2, ct + 1, len - 1);
    expect_decrypt_fails(key, buf, len + 1);
    /* C3 of 31 bytes (inner lengths adjusted so only C3's size is wrong) */
    memcpy(buf, ct, len);
    buf[1] = 0x7B;
    buf[c3_at - 1] = 0x1F;
    memmove(buf + c3_at + 31, buf + c3_at + 32, len - (c3_at + 32));
    expect_decrypt_fails(key, buf, len - 1);
    /* negative x: top bit of the first content byte */
    memcpy(buf, ct, len);
    buf[x_at] = 0x84;
    expect_decrypt_fails(key, buf, len);
    /* needless 0x00 before x (x < 2^255): 02 21 00 04 EB ... */
    buf[0] = 0x30;
    buf[1] = 0x7D;
    buf[2] = 0x02;
    buf[3] = 0x21;
    buf[4] = 0x00;
    memcpy(buf + 5, ct + 4, len - 4);
    expect_decrypt_fails(key, buf, len + 1);
    /* extra field inside the SEQUENCE */
    memcpy(buf, ct, len);
    buf[1] = 0x7E;
    buf[len] = 0x05;
    buf[len + 1] = 0x00;
    expect_decrypt_fails(key, buf, len + 2);
    /* fields out of order: the C3 OCTET STRING tag replaced */
    memcpy(buf, ct, len);
    buf[c3_at - 2] = 0x03;
    expect_decrypt_fails(key, buf, len);
    /* missing C3 and C2 */
    const uint8_t no_c3[] = {0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01};
    expect_decrypt_fails(key, no_c3, sizeof(no_c3));
    /* empty C2: SEQUENCE { 1, 1, OCTET STRING(32), OCTET STRING(0) } */
    uint8_t empty_c2[44] = {0x30, 0x2A, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01, 0x04, 0x20};
    empty_c2[42] = 0x04;
    empty_c2[43] = 0x00;
    expect_decrypt_fails(key, empty_c2, sizeof(empty_c2));
    expect_decrypt_fails(key, ct, 0);
    /* x, y a valid-looking shape but not a curve point */
    memcpy(buf, ct, len);
    buf[y_at + 31] ^= 0x80;
    expect_decrypt_fails(key, buf, len);
    /* x = p: coordinates must be reduced field elements */
    memcpy(buf, ct, len);
    buf[1] = 0x7D;
    buf[3] = 0x21;
    buf[4] = 0x00;
    tu_hex_into("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF", buf + 5, 32);
    memcpy(buf + 37, ct + 36, len - 36);
    expect_decrypt_fails(key, buf, len + 1);
    /* The original still decrypts after all that. */
    uint8_t pt[32];
    size_t pt_len;
    tlcp_error err;
    tlcp_error_clear(&err);
    assert_true(tlcp_sm2_decrypt(key, ct, len, pt, &pt_len, sizeof(pt), &err));
    free(ct);
    tlcp_pkey_free(key);
}

/* DER INTEGER of a non-negative BIGNUM, minimal. */
static size_t der_bn(const BIGNUM *v, uint8_t *out)
{
    uint8_t tmp[40];
    int n = BN_bn2bin(v, tmp);
    assert_true(n > 0 && n <= 33);
    size_t pad = (tmp[0] & 0x80) != 0;
    out[0] = 0x02;
    out[1] = (uint8_t)(n + pad);
    out[2] = 0;
    memcpy(out + 2 + pad, tmp, (size_t)n);
    return 2 + pad + (size_t)n;
}

/*
 * SM2 encryption done by hand with a chosen C1 (the test knows the private
 * key, so it can derive (x2, y2) = d·C1). C1 with a tiny x lets the test
 * write x + p, which still fits 256 bits: the same ciphertext under a second
 * encoding, which must be refused.
 */
static void test_decrypt_rejects_unreduced_coordinates(void **state)
{
    (void)state;
    tlcp_pkey *key = annex_key();
    EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_sm2);
    BN_CTX *ctx = BN_CTX_new();
    BIGNUM *p = BN_new(), *a = BN_new(), *b = BN_new(), *x = BN_new(), *rhs = BN_new(),
           *t = BN_new(), *y = NULL, *xp = BN_new();
    BIGNUM *d = NULL;
    EC_POINT *c1 = EC_POINT_new(g), *s = EC_POINT_new(g);
    assert_int_equal(EC_GROUP_get_curve(g, p, a, b, ctx), 1);
    assert_int_equal(EVP_PKEY_get_bn_param(tlcp_pkey_evp(key), OSSL_PKEY_PARAM_PRIV_KEY, &d), 1);
    for (unsigned long xi = 1;; xi++) {
        assert_true(xi < 100);
        assert_int_equal(BN_set_word(x, xi), 1);
        /* rhs = x^3 + a x + b mod p */
        assert_int_equal(BN_mod_sqr(t, x, p, ctx), 1);
        assert_int_equal(BN_mod_add(t, t, a, p, ctx), 1);
        assert_int_equal(BN_mod_mul(t, t, x, p, ctx), 1);
        assert_int_equal(BN_mod_add(rhs, t, b, p, ctx), 1);
        y = BN_mod_sqrt(NULL, rhs, p, ctx);
        ERR_clear_error();
        if (y != NULL && EC_POINT_set_affine_coordinates(g, c1, x, y, ctx) == 1)
            break;
        BN_free(y);
        y = NULL;
        ERR_clear_error();
    }
    assert_int_equal(EC_POINT_mul(g, s, NULL, c1, d, ctx), 1);
    uint8_t xy2[65];
    assert_int_equal(EC_POINT_point2oct(g, s, POINT_CONVERSION_UNCOMPRESSED, xy2, 65, ctx), 65);
    const char *msg = "encryption standard";
    size_t mlen = strlen(msg);
    uint8_t kin[68], kdf[32], c3in[32 + 19 + 32], c3[32];
    unsigned int hl;
    memcpy(kin, xy2 + 1, 64);
    memcpy(kin + 64, "\x00\x00\x00\x01", 4);
    assert_int_equal(EVP_Digest(kin, sizeof(kin), kdf, &hl, EVP_sm3(), NULL), 1);
    memcpy(c3in, xy2 + 1, 32);
    memcpy(c3in + 32, msg, mlen);
    memcpy(c3in + 32 + mlen, xy2 + 33, 32);
    assert_int_equal(EVP_Digest(c3in, sizeof(c3in), c3, &hl, EVP_sm3(), NULL), 1);

    /* The same holds for raw points: (x + p, y) is refused by from_point. */
    uint8_t raw[65] = {0x04};
    tlcp_error perr;
    assert_int_equal(BN_bn2binpad(x, raw + 1, 32), 32);
    assert_int_equal(BN_bn2binpad(y, raw + 33, 32), 32);
    tlcp_error_clear(&perr);
    tlcp_pkey *small = tlcp_pkey_from_point(raw, sizeof(raw), &perr);
    assert_non_null(small);
    tlcp_pkey_free(small);
    assert_int_equal(BN_add(xp, x, p), 1);
    assert_int_equal(BN_bn2binpad(xp, raw + 1, 32), 32);
    tlcp_error_clear(&perr);
    assert_null(tlcp_pkey_from_point(raw, sizeof(raw), &perr));
    assert_int_equal(perr.reason, TLCP_R_BAD_KEY);
    assert_int_equal(ERR_peek_error(), 0);

    for (int variant = 0; variant < 2; variant++) {
        assert_int_equal(BN_copy(xp, x) != NULL, 1);
        if (variant == 1)
            assert_int_equal(BN_add(xp, xp, p), 1); /* x + p < 2^256 */
        uint8_t ct[256];
        size_t n = 2;
        n += der_bn(xp, ct + n);
        n += der_bn(y, ct + n);
        ct[n++] = 0x04;
        ct[n++] = 32;
        memcpy(ct + n, c3, 32);
        n += 32;
        ct[n++] = 0x04;
        ct[n++] = (uint8_t)mlen;
        for (size_t i = 0; i < mlen; i++)
            ct[n++] = (uint8_t)(msg[i] ^ kdf[i]);
        ct[0] = 0x30;
        ct[1] = (uint8_t)(n - 2);
        assert_true(n - 2 < 0x80);
        uint8_t pt[64];
        size_t pt_len = 0;
        tlcp_error err;
        if (variant == 0) {
            tlcp_error_clear(&err);
            assert_true(tlcp_sm2_decrypt(key, ct, n, pt, &pt_len, sizeof(pt), &err));
            assert_int_equal(pt_len, mlen);
            assert_memory_equal(pt, msg, mlen);
        } else {
            EXPECT_FAIL(tlcp_sm2_decrypt(key, ct, n, pt, &pt_len, sizeof(pt), &err),
                        TLCP_R_DECRYPT_FAILED);
        }
    }
    BN_free(p);
    BN_free(a);
    BN_free(b);
    BN_free(x);
    BN_free(rhs);
    BN_free(t);
    BN_free(y);
    BN_free(xp);
    BN_clear_free(d);
    EC_POINT_free(c1);
    EC_POINT_free(s);
    BN_CTX_free(ctx);
    EC_GROUP_free(g);
    tlcp_pkey_free(key);
}

/* ---- loading ---------------------------------------------------------------- */

/* Encodes the fixture key with OpenSSL in a given form. */
static uint8_t *encode_key(EVP_PKEY *pkey, int selection, const char *type, const char *structure,
                           const char *pass, size_t *out_len)
{
    OSSL_ENCODER_CTX *ectx = OSSL_ENCODER_CTX_new_for_pkey(pkey, selection, type, structure, NULL);
    assert_non_null(ectx);
    if (pass != NULL) {
        assert_int_equal(OSSL_ENCODER_CTX_set_cipher(ectx, "AES-128-CBC", NULL), 1);
        assert_int_equal(
            OSSL_ENCODER_CTX_set_passphrase(ectx, (const unsigned char *)pass, strlen(pass)), 1);
    }
    unsigned char *data = NULL;
    size_t len = 0;
    assert_int_equal(OSSL_ENCODER_to_data(ectx, &data, &len), 1);
    OSSL_ENCODER_CTX_free(ectx);
    uint8_t *copy = malloc(len + 1);
    assert_non_null(copy);
    memcpy(copy, data, len);
    copy[len] = 0;
    OPENSSL_free(data);
    *out_len = len;
    return copy;
}

static void expect_same_key(const tlcp_pkey *ref, const uint8_t *data, size_t len, const char *pass)
{
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_pkey *key = tlcp_pkey_load_private(data, len, pass, &err);
    if (key == NULL)
        fprintf(stderr, "load failed: %s\n", tlcp_error_message(&err));
    assert_non_null(key);
    assert_int_equal(ERR_peek_error(), 0);
    assert_true(tlcp_pkey_has_private(key));
    assert_true(tlcp_pkey_public_equal(key, ref));
    assert_true(EVP_PKEY_is_a(tlcp_pkey_evp(key), "SM2"));
    uint8_t sig[TLCP_SM2_MAX_SIG_LEN];
    size_t sig_len;
    sign_ok(key, NULL, 0, "loaded", sig, &sig_len);
    verify_ok(ref, NULL, 0, "loaded", sig, sig_len);
    tlcp_pkey_free(key);
}

static char *replace_label(const uint8_t *pem, const char *from, const char *to)
{
    const char *s = (const char *)pem;
    size_t cap = strlen(s) + 64;
    char *out = malloc(cap);
    assert_non_null(out);
    out[0] = 0;
    const char *p = s;
    const char *hit;
    int n = 0;
    while ((hit = strstr(p, from)) != NULL) {
        strncat(out, p, (size_t)(hit - p));
        strcat(out, to);
        p = hit + strlen(from);
        n++;
    }
    strcat(out, p);
    assert_int_equal(n, 2);
    return out;
}

static void test_load_variants(void **state)
{
    (void)state;
    tlcp_pkey *ref = load_fixture();
    EVP_PKEY *pk = tlcp_pkey_evp(ref);
    size_t len;
    uint8_t *data;

    data = encode_key(pk, EVP_PKEY_KEYPAIR, "PEM", "PrivateKeyInfo", NULL, &len);
    assert_non_null(strstr((char *)data, "BEGIN PRIVATE KEY"));
    expect_same_key(ref, data, len, NULL);
    expect_same_key(ref, data, len, "ignored for unencrypted keys");
    free(data);

    data = encode_key(pk, EVP_PKEY_KEYPAIR, "DER", "PrivateKeyInfo", NULL, &len);
    expect_same_key(ref, data, len, NULL);
    /* DER must be consumed exactly. */
    uint8_t *longer = malloc(len + 1);
    assert_non_null(longer);
    memcpy(longer, data, len);
    longer[len] = 0;
    tlcp_error err;
    EXPECT_NULL(tlcp_pkey_load_private(longer, len + 1, NULL, &err), TLCP_R_TRAILING_DATA);
    free(longer);
    /* truncated DER */
    EXPECT_NULL(tlcp_pkey_load_private(data, len - 1, NULL, &err), TLCP_R_DECODE);
    free(data);

    /* SEC1, as OpenSSL labels it for SM2 and as GmSSL labels it */
    data = encode_key(pk, EVP_PKEY_KEYPAIR, "PEM", "type-specific", NULL, &len);
    expect_same_key(ref, data, len, NULL);
    if (strstr((char *)data, "SM2 PRIVATE KEY") != NULL) {
        char *ec = replace_label(data, "SM2 PRIVATE KEY", "EC PRIVATE KEY");
        expect_same_key(ref, (uint8_t *)ec, strlen(ec), NULL);
        free(ec);
    }
    free(data);
    data = encode_key(pk, EVP_PKEY_KEYPAIR, "DER", "type-specific", NULL, &len);
    expect_same_key(ref, data, len, NULL);
    free(data);

    /* encrypted PKCS#8, PEM and DER */
    const char *pw = "correct horse";
    data = encode_key(pk, EVP_PKEY_KEYPAIR, "PEM", "EncryptedPrivateKeyInfo", pw, &len);
    assert_non_null(strstr((char *)data, "BEGIN ENCRYPTED PRIVATE KEY"));
    expect_same_key(ref, data, len, pw);
    EXPECT_NULL(tlcp_pkey_load_private(data, len, "wrong horse", &err), TLCP_R_BAD_PASSPHRASE);
    assert_non_null(strstr(err.message, "passphrase"));
    EXPECT_NULL(tlcp_pkey_load_private(data, len, NULL, &err), TLCP_R_BAD_PASSPHRASE);
    assert_non_null(strstr(err.message, "no passphrase"));
    EXPECT_NULL(tlcp_pkey_load_private(data, len, "", &err), TLCP_R_BAD_PASSPHRASE);
    free(data);
    data = encode_key(pk, EVP_PKEY_KEYPAIR, "DER", "EncryptedPrivateKeyInfo", pw, &len);
    expect_same_key(ref, data, len, pw);
    EXPECT_NULL(tlcp_pkey_load_private(data, len, "Correct horse", &err), TLCP_R_BAD_PASSPHRASE);
    free(data);

    /* traditional encrypted SEC1 PEM (Proc-Type/DEK-Info headers) */
    data = encode_key(pk, EVP_PKEY_KEYPAIR, "PEM", "type-specific", pw, &len);
    assert_non_null(strstr((char *)data, "Proc-Type: 4,ENCRYPTED"));
    expect_same_key(ref, data, len, pw);
    if (strstr((char *)data, "SM2 PRIVATE KEY") != NULL) {
        char *ec = replace_label(data, "SM2 PRIVATE KEY", "EC PRIVATE KEY");
        expect_same_key(ref, (uint8_t *)ec, strlen(ec), pw);
        EXPECT_NULL(tlcp_pkey_load_private((uint8_t *)ec, strlen(ec), "pw", &err),
                    TLCP_R_BAD_PASSPHRASE);
        free(ec);
    }
    EXPECT_NULL(tlcp_pkey_load_private(data, len, NULL, &err), TLCP_R_BAD_PASSPHRASE);
    free(data);

    /* A public key is not a private key. */
    data = encode_key(pk, EVP_PKEY_PUBLIC_KEY, "PEM", "SubjectPublicKeyInfo", NULL, &len);
    EXPECT_NULL(tlcp_pkey_load_private(data, len, NULL, &err), TLCP_R_DECODE);
    free(data);

    EXPECT_NULL(tlcp_pkey_load_private((const uint8_t *)"garbage", 7, NULL, &err), TLCP_R_DECODE);
    EXPECT_NULL(tlcp_pkey_load_private(NULL, 0, NULL, &err), TLCP_R_INVALID_ARGUMENT);
    tlcp_pkey_free(ref);
}

/* GmSSL's `sm2keygen -pass` writes PBES2 with PBKDF2-HMAC-SM3 and SM4-CBC;
 * OpenSSL 3.0 has no HMAC-SM3 PRF for PBKDF2. That must be reported as an
 * unsupported scheme, not as a wrong passphrase (the passphrase is right). */
static void test_load_gmssl_encrypted_key(void **state)
{
    (void)state;
    tlcp_error err;
    size_t len;
    const char *path = TLCP_SOURCE_DIR "/tests/data/gmssl-sm2-encrypted.key";
    uint8_t *data = tu_read_file(path, &len);
    assert_non_null(data);
    assert_non_null(strstr((char *)data, "BEGIN ENCRYPTED PRIVATE KEY"));
    const char *sentence = "encrypted key uses an algorithm OpenSSL cannot decrypt (PBES2 with "
                           "HMAC-SM3?): re-encrypt it with `openssl pkcs8 -topk8 -v2 aes-256-cbc` "
                           "or decrypt it with gmssl";
    /* the right passphrase and a wrong one: the scheme fails before either
     * could be tried */
    const char *passes[] = {"TestPass123", "not the passphrase"};
    for (size_t i = 0; i < 2; i++) {
        EXPECT_NULL(tlcp_pkey_load_private(data, len, passes[i], &err), TLCP_R_BAD_KEY);
        assert_non_null(strstr(err.message, sentence));
        assert_null(strstr(err.message, "wrong passphrase"));
        assert_int_equal(ERR_peek_error(), 0);
    }
    EXPECT_NULL(tlcp_pkey_load_private(data, len, NULL, &err), TLCP_R_BAD_PASSPHRASE);
    assert_non_null(strstr(err.message, "no passphrase"));
    EXPECT_NULL(tlcp_pkey_load_private_file(path, "TestPass123", &err), TLCP_R_BAD_KEY);
    assert_non_null(strstr(err.message, "OpenSSL cannot decrypt"));
    free(data);
}

static void test_load_public(void **state)
{
    (void)state;
    tlcp_pkey *ref = load_fixture();
    size_t len;
    tlcp_error err;
    const char *forms[2] = {"PEM", "DER"};
    for (int i = 0; i < 2; i++) {
        uint8_t *data = encode_key(tlcp_pkey_evp(ref), EVP_PKEY_PUBLIC_KEY, forms[i],
                                   "SubjectPublicKeyInfo", NULL, &len);
        tlcp_error_clear(&err);
        tlcp_pkey *pub = tlcp_pkey_load_public(data, len, &err);
        assert_non_null(pub);
        assert_false(tlcp_pkey_has_private(pub));
        assert_true(tlcp_pkey_public_equal(pub, ref));
        uint8_t sig[TLCP_SM2_MAX_SIG_LEN];
        size_t sig_len;
        sign_ok(ref, NULL, 0, "spki", sig, &sig_len);
        verify_ok(pub, NULL, 0, "spki", sig, sig_len);
        tlcp_pkey_free(pub);
        if (i == 1) {
            EXPECT_NULL(tlcp_pkey_load_public(data, len - 1, &err), TLCP_R_DECODE);
        }
        free(data);
    }
    EXPECT_NULL(tlcp_pkey_load_public((const uint8_t *)"nope", 4, &err), TLCP_R_DECODE);
    EXPECT_NULL(tlcp_pkey_load_public(NULL, 0, &err), TLCP_R_INVALID_ARGUMENT);
    tlcp_pkey_free(ref);
}

static void test_reject_other_key_types(void **state)
{
    (void)state;
    tlcp_error err;
    EVP_PKEY *keys[2];
    keys[0] = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    keys[1] = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
    for (int i = 0; i < 2; i++) {
        assert_non_null(keys[i]);
        size_t len;
        uint8_t *data = encode_key(keys[i], EVP_PKEY_KEYPAIR, "PEM", "PrivateKeyInfo", NULL, &len);
        EXPECT_NULL(tlcp_pkey_load_private(data, len, NULL, &err), TLCP_R_BAD_KEY);
        free(data);
        data = encode_key(keys[i], EVP_PKEY_PUBLIC_KEY, "DER", "SubjectPublicKeyInfo", NULL, &len);
        EXPECT_NULL(tlcp_pkey_load_public(data, len, &err), TLCP_R_BAD_KEY);
        free(data);
        /* tlcp_pkey_wrap takes ownership and frees on failure. */
        EXPECT_NULL(tlcp_pkey_wrap(keys[i], &err), TLCP_R_BAD_KEY);
    }
    EXPECT_NULL(tlcp_pkey_wrap(NULL, &err), TLCP_R_INVALID_ARGUMENT);
}

/* A legacy (EC_KEY-built) SM2 key becomes a provider SM2 key. */
static void test_wrap_legacy_key(void **state)
{
    (void)state;
    uint8_t d_be[32];
    tu_hex_into(ANNEX_D, d_be, 32);
    BIGNUM *d = BN_bin2bn(d_be, 32, NULL);
    EC_KEY *ec = EC_KEY_new_by_curve_name(NID_sm2);
    assert_non_null(d);
    assert_non_null(ec);
    EC_POINT *p = EC_POINT_new(EC_KEY_get0_group(ec));
    assert_non_null(p);
    assert_int_equal(EC_POINT_mul(EC_KEY_get0_group(ec), p, d, NULL, NULL, NULL), 1);
    assert_int_equal(EC_KEY_set_private_key(ec, d), 1);
    assert_int_equal(EC_KEY_set_public_key(ec, p), 1);
    EVP_PKEY *legacy = EVP_PKEY_new();
    EVP_PKEY *legacy_pub = EVP_PKEY_new();
    assert_int_equal(EVP_PKEY_set1_EC_KEY(legacy, ec), 1);
    EC_KEY *pub_only = EC_KEY_new_by_curve_name(NID_sm2);
    assert_int_equal(EC_KEY_set_public_key(pub_only, p), 1);
    assert_int_equal(EVP_PKEY_set1_EC_KEY(legacy_pub, pub_only), 1);
    assert_null(EVP_PKEY_get0_provider(legacy));
    EC_KEY_free(ec);
    EC_KEY_free(pub_only);
    EC_POINT_free(p);
    BN_free(d);

    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_pkey *key = tlcp_pkey_wrap(legacy, &err);
    assert_non_null(key);
    assert_true(EVP_PKEY_is_a(tlcp_pkey_evp(key), "SM2"));
    assert_non_null(EVP_PKEY_get0_provider(tlcp_pkey_evp(key)));
    assert_true(tlcp_pkey_has_private(key));
    /* SM2 decryption of the Annex A ciphertext proves the SM2 code path. */
    size_t ct_len;
    uint8_t *ct = tu_hex(ANNEX_CT, &ct_len);
    uint8_t pt[32];
    size_t pt_len;
    assert_true(tlcp_sm2_decrypt(key, ct, ct_len, pt, &pt_len, sizeof(pt), &err));
    assert_memory_equal(pt, "encryption standard", 19);
    free(ct);

    tlcp_pkey *pub = tlcp_pkey_wrap(legacy_pub, &err);
    if (pub == NULL)
        fprintf(stderr, "%s\n", tlcp_error_message(&err));
    assert_non_null(pub);
    assert_false(tlcp_pkey_has_private(pub));
    assert_true(tlcp_pkey_public_equal(pub, key));
    uint8_t z[32];
    assert_true(tlcp_sm2_compute_z(pub, NULL, 0, z, &err));
    tu_assert_hex(z, sizeof(z), ANNEX_ZA);
    tlcp_pkey_free(pub);
    tlcp_pkey_free(key);
    assert_int_equal(ERR_peek_error(), 0);
}

static void test_load_files_and_pem(void **state)
{
    (void)state;
    tlcp_error err;
    EXPECT_NULL(tlcp_pkey_load_private_file("/nonexistent/dir/key.pem", NULL, &err), TLCP_R_FILE);
    assert_non_null(strstr(err.message, "cannot open /nonexistent/dir/key.pem"));
    assert_non_null(strstr(err.message, "No such file"));
    EXPECT_NULL(tlcp_pkey_load_private_file(NULL, NULL, &err), TLCP_R_INVALID_ARGUMENT);
    EXPECT_NULL(tlcp_pkey_load_private_file("/dev/null", NULL, &err), TLCP_R_DECODE);

    tlcp_pkey *ref = load_fixture();
    char *pem = NULL;
    size_t pem_len = 0;
    tlcp_error_clear(&err);
    assert_true(tlcp_pkey_to_pem(ref, &pem, &pem_len, &err));
    assert_int_equal(strlen(pem), pem_len);
    assert_true(strncmp(pem, "-----BEGIN PRIVATE KEY-----\n", 28) == 0);
    expect_same_key(ref, (const uint8_t *)pem, pem_len, NULL);

    /* Through a file, the way the CLI loads keys. */
    char path[] = "/tmp/tlcp-sm2-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, pem, pem_len), (ssize_t)pem_len);
    close(fd);
    tlcp_pkey *again = tlcp_pkey_load_private_file(path, NULL, &err);
    assert_non_null(again);
    assert_true(tlcp_pkey_public_equal(again, ref));
    tlcp_pkey_free(again);
    unlink(path);
    free(pem);

    tlcp_pkey *pub = annex_public();
    EXPECT_FAIL(tlcp_pkey_to_pem(pub, &pem, &pem_len, &err), TLCP_R_BAD_KEY);
    tlcp_pkey_free(pub);
    tlcp_pkey_free(ref);
}

/* Every fixture key loads as SM2 and its certificate's public key matches. */
static void test_fixture_keys(void **state)
{
    (void)state;
    char **names;
    size_t n = tu_list_fixtures(&names);
    assert_true(n > 0);
    size_t loaded = 0, rsa = 0;
    for (size_t i = 0; i < n; i++) {
        const char *kinds[2] = {"server-sign.key", "server-enc.key"};
        for (int k = 0; k < 2; k++) {
            char rel[512];
            snprintf(rel, sizeof(rel), "interop/%s/%s", names[i], kinds[k]);
            const char *path = tu_data_path(rel);
            if (access(path, R_OK) != 0)
                continue;
            tlcp_error err;
            tlcp_error_clear(&err);
            tlcp_pkey *key = tlcp_pkey_load_private_file(path, NULL, &err);
            if (strstr(names[i], "-rsa-") != NULL) {
                /* The RSA suites' fixtures hold RSA keys: refused. */
                assert_null(key);
                assert_int_equal(err.reason, TLCP_R_BAD_KEY);
                assert_int_equal(ERR_peek_error(), 0);
                rsa++;
                continue;
            }
            if (key == NULL)
                fprintf(stderr, "%s: %s\n", path, tlcp_error_message(&err));
            assert_non_null(key);
            tlcp_pkey_free(key);
            loaded++;
        }
    }
    assert_true(loaded > 0);
    assert_true(rsa > 0);
    tu_free_list(names, n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scalar_gives_annex_point),
        cmocka_unit_test(test_z_annex_a),
        cmocka_unit_test(test_from_point_rejects),
        cmocka_unit_test(test_from_scalar_range),
        cmocka_unit_test(test_refcount_and_generate),
        cmocka_unit_test(test_verify_published_signature),
        cmocka_unit_test(test_sign_verify_round_trip),
        cmocka_unit_test(test_sign_failures),
        cmocka_unit_test(test_verify_wrong_id_and_message),
        cmocka_unit_test(test_verify_bad_der),
        cmocka_unit_test(test_z_matches_libcrypto),
        cmocka_unit_test(test_verify_digest_published),
        cmocka_unit_test(test_sign_digest_round_trip),
        cmocka_unit_test(test_digest_forms_cross_check),
        cmocka_unit_test(test_digest_failures),
        cmocka_unit_test(test_decrypt_published),
        cmocka_unit_test(test_encrypt_round_trip),
        cmocka_unit_test(test_decrypt_rejects_tampering),
        cmocka_unit_test(test_decrypt_rejects_unreduced_coordinates),
        cmocka_unit_test(test_load_variants),
        cmocka_unit_test(test_load_public),
        cmocka_unit_test(test_reject_other_key_types),
        cmocka_unit_test(test_wrap_legacy_key),
        cmocka_unit_test(test_load_files_and_pem),
        cmocka_unit_test(test_fixture_keys),
        cmocka_unit_test(test_load_gmssl_encrypted_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
