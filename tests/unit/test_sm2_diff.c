/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Our SM2 against OpenSSL's (the EVP reference path of src/crypto) on random
 * and mutated inputs: our signatures verified by OpenSSL and the reverse,
 * encryption both ways, the key exchange in both roles, verification and
 * decryption verdicts on tampered inputs, point decoding verdicts, and key
 * generation. Plus the published vectors with fixed nonces (which only our
 * path can take) and the edge cases of scalars, signatures and points.
 *
 * TLCP_SM2_DIFF_SCALE=N multiplies every case count (the long run, see
 * docs/DEVELOPMENT.md); the total count is printed at the end.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/rand.h>

#include "crypto/crypto.h"
#include "crypto/pkey_internal.h"
#include "crypto/sm2_curve.h"
#include "crypto/sm2_internal.h"

#include "sm2_vectors.h"

#define NKEYS 8

static unsigned long g_cases;
static unsigned g_scale = 1;

static void rnd(void *p, size_t n)
{
    assert_int_equal(RAND_bytes(p, (int)n), 1);
}

static unsigned rnd_below(unsigned n)
{
    unsigned v;
    rnd(&v, sizeof(v));
    return v % n;
}

static unsigned count(unsigned base)
{
    return base * g_scale;
}

struct keys {
    tlcp_pkey *priv[NKEYS];
    tlcp_pkey *pub[NKEYS]; /* the same points, public only */
};

static int setup(void **state)
{
    struct keys *k = calloc(1, sizeof(*k));
    assert_non_null(k);
    for (int i = 0; i < NKEYS; i++) {
        tlcp_sm2_force_evp(i % 2); /* half from each key generation */
        k->priv[i] = tlcp_pkey_generate(NULL);
        assert_non_null(k->priv[i]);
        uint8_t p[65];
        assert_true(tlcp_pkey_get_point(k->priv[i], p, NULL));
        k->pub[i] = tlcp_pkey_from_point(p, sizeof(p), NULL);
        assert_non_null(k->pub[i]);
    }
    tlcp_sm2_force_evp(0);
    *state = k;
    return 0;
}

static int teardown(void **state)
{
    struct keys *k = *state;
    for (int i = 0; i < NKEYS; i++) {
        tlcp_pkey_free(k->priv[i]);
        tlcp_pkey_free(k->pub[i]);
    }
    free(k);
    tlcp_sm2_force_evp(0);
    return 0;
}

/* A random message (0..99 bytes) and, half the time, a random ID. */
struct msg {
    uint8_t m[100];
    size_t len;
    uint8_t id[20];
    size_t id_len;
};

static void random_msg(struct msg *m)
{
    m->len = rnd_below(sizeof(m->m));
    rnd(m->m, sizeof(m->m));
    m->id_len = rnd_below(2) ? 1 + rnd_below(sizeof(m->id)) : 0;
    rnd(m->id, sizeof(m->id));
}

static const uint8_t *id_of(const struct msg *m)
{
    return m->id_len > 0 ? m->id : NULL;
}

/* ---- published vectors with fixed nonces ---------------------------------- */

static tlcp_pkey *annex_key(void)
{
    uint8_t d[32];
    tu_hex_into(ANNEX_D, d, sizeof(d));
    tlcp_pkey *key = tlcp_pkey_from_private_scalar(d, NULL);
    assert_non_null(key);
    return key;
}

static void test_annex_sign_fixed_k(void **state)
{
    (void)state;
    tlcp_sm2_force_evp(0);
    tlcp_pkey *key = annex_key();
    uint8_t k[32], sig[TLCP_SM2_MAX_SIG_LEN], want[72];
    size_t sig_len = 0;
    tu_hex_into(ANNEX_K, k, sizeof(k));
    tlcp_sm2_test_set_k(k);
    assert_true(tlcp_sm2_sign(key, NULL, 0, (const uint8_t *)"message digest", 14, sig, &sig_len,
                              sizeof(sig), NULL));
    /* SEQUENCE { INTEGER 00||r, INTEGER 00||s }: both have the top bit set. */
    want[0] = 0x30;
    want[1] = 70;
    want[2] = 0x02;
    want[3] = 33;
    want[4] = 0;
    tu_hex_into(ANNEX_R, want + 5, 32);
    want[37] = 0x02;
    want[38] = 33;
    want[39] = 0;
    tu_hex_into(ANNEX_S, want + 40, 32);
    assert_int_equal(sig_len, 72);
    assert_memory_equal(sig, want, 72);
    /* OpenSSL accepts it; the nonce was used once only. */
    assert_true(tlcp_sm2_evp_verify(key, NULL, 0, (const uint8_t *)"message digest", 14, sig,
                                    sig_len, NULL));
    assert_true(tlcp_sm2_sign(key, NULL, 0, (const uint8_t *)"message digest", 14, sig, &sig_len,
                              sizeof(sig), NULL));
    assert_memory_not_equal(sig + 5, want + 5, 32);
    tlcp_pkey_free(key);
}

static void test_annex_encrypt_fixed_k(void **state)
{
    (void)state;
    tlcp_sm2_force_evp(0);
    tlcp_pkey *key = annex_key();
    uint8_t k[32], ct[200], pt[32];
    size_t ct_len = 0, pt_len = 0, want_len = 0;
    uint8_t *want = tu_hex(ANNEX_CT, &want_len);
    tu_hex_into(ANNEX_K, k, sizeof(k));
    tlcp_random_queue(k, sizeof(k)); /* our encryption draws k from the RNG */
    assert_true(tlcp_sm2_encrypt(key, (const uint8_t *)"encryption standard", 19, ct, &ct_len,
                                 sizeof(ct), NULL));
    assert_int_equal(ct_len, want_len);
    assert_memory_equal(ct, want, want_len);
    assert_true(tlcp_sm2_evp_decrypt(key, ct, ct_len, pt, &pt_len, sizeof(pt), NULL));
    assert_int_equal(pt_len, 19);
    assert_memory_equal(pt, "encryption standard", 19);
    free(want);
    tlcp_pkey_free(key);
}

/* ---- signatures ------------------------------------------------------------- */

static void test_sign_ours_verify_openssl(void **state)
{
    struct keys *k = *state;
    tlcp_sm2_force_evp(0);
    for (unsigned i = 0; i < count(2000); i++) {
        struct msg m;
        random_msg(&m);
        int key = (int)rnd_below(NKEYS);
        uint8_t sig[TLCP_SM2_MAX_SIG_LEN];
        size_t sig_len = 0;
        assert_true(tlcp_sm2_sign(k->priv[key], id_of(&m), m.id_len, m.m, m.len, sig, &sig_len,
                                  sizeof(sig), NULL));
        assert_true(
            tlcp_sm2_evp_verify(k->pub[key], id_of(&m), m.id_len, m.m, m.len, sig, sig_len, NULL));
        assert_true(
            tlcp_sm2_verify(k->pub[key], id_of(&m), m.id_len, m.m, m.len, sig, sig_len, NULL));
        g_cases++;
    }
    for (unsigned i = 0; i < count(500); i++) { /* the digest forms */
        uint8_t e[32], sig[TLCP_SM2_MAX_SIG_LEN];
        size_t sig_len = 0;
        int key = (int)rnd_below(NKEYS);
        rnd(e, sizeof(e));
        assert_true(tlcp_sm2_sign_digest(k->priv[key], e, sig, &sig_len, sizeof(sig), NULL));
        assert_true(tlcp_sm2_evp_verify_digest(k->pub[key], e, sig, sig_len, NULL));
        g_cases++;
    }
    assert_int_equal(ERR_peek_error(), 0);
}

static void test_sign_openssl_verify_ours(void **state)
{
    struct keys *k = *state;
    tlcp_sm2_force_evp(0);
    for (unsigned i = 0; i < count(2000); i++) {
        struct msg m;
        random_msg(&m);
        int key = (int)rnd_below(NKEYS);
        uint8_t sig[TLCP_SM2_MAX_SIG_LEN];
        size_t sig_len = 0;
        assert_true(tlcp_sm2_evp_sign(k->priv[key], id_of(&m), m.id_len, m.m, m.len, sig, &sig_len,
                                      sizeof(sig), NULL));
        assert_true(
            tlcp_sm2_verify(k->pub[key], id_of(&m), m.id_len, m.m, m.len, sig, sig_len, NULL));
        /* A different message or key does not verify, on either path. */
        m.m[0] ^= 1;
        m.len = m.len == 0 ? 1 : m.len;
        assert_false(
            tlcp_sm2_verify(k->pub[key], id_of(&m), m.id_len, m.m, m.len, sig, sig_len, NULL));
        assert_false(tlcp_sm2_verify(k->pub[(key + 1) % NKEYS], id_of(&m), m.id_len, m.m, m.len,
                                     sig, sig_len, NULL));
        g_cases++;
    }
    for (unsigned i = 0; i < count(500); i++) {
        uint8_t e[32], sig[TLCP_SM2_MAX_SIG_LEN];
        size_t sig_len = 0;
        int key = (int)rnd_below(NKEYS);
        rnd(e, sizeof(e));
        assert_true(tlcp_sm2_evp_sign_digest(k->priv[key], e, sig, &sig_len, sizeof(sig), NULL));
        assert_true(tlcp_sm2_verify_digest(k->pub[key], e, sig, sig_len, NULL));
        g_cases++;
    }
    ERR_clear_error();
}

/* One random change to a DER signature: a bit, a byte, a length, a cut or
 * extra bytes. */
static size_t mutate(uint8_t *buf, size_t len, size_t cap)
{
    switch (rnd_below(6)) {
    case 0:
        buf[rnd_below((unsigned)len)] ^= (uint8_t)(1u << rnd_below(8));
        return len;
    case 1:
        buf[rnd_below((unsigned)len)] = (uint8_t)rnd_below(256);
        return len;
    case 2:
        return rnd_below((unsigned)len); /* truncated */
    case 3: {
        size_t extra = 1 + rnd_below(4);
        if (len + extra > cap)
            return len - 1;
        rnd(buf + len, extra);
        return len + extra; /* trailing bytes */
    }
    case 4:
        buf[1 + 2 * rnd_below(2)] += (uint8_t)(rnd_below(2) ? 1 : -1); /* a length */
        return len;
    default: /* a leading 0x00 or 0xFF inside an integer */
        if (len + 1 > cap)
            return len;
        memmove(buf + 5, buf + 4, len - 4);
        buf[4] = rnd_below(2) ? 0x00 : 0xFF;
        buf[3]++;
        buf[1]++;
        return len + 1;
    }
}

static void test_verify_verdicts_agree(void **state)
{
    struct keys *k = *state;
    tlcp_sm2_force_evp(0);
    for (unsigned i = 0; i < count(3000); i++) {
        uint8_t e[32], sig[TLCP_SM2_MAX_SIG_LEN + 8];
        size_t sig_len = 0;
        int key = (int)rnd_below(NKEYS);
        rnd(e, sizeof(e));
        assert_true(
            tlcp_sm2_sign_digest(k->priv[key], e, sig, &sig_len, TLCP_SM2_MAX_SIG_LEN, NULL));
        sig_len = mutate(sig, sig_len, sizeof(sig));
        tlcp_error a, b;
        tlcp_error_clear(&a);
        tlcp_error_clear(&b);
        int ours = tlcp_sm2_verify_digest(k->pub[key], e, sig, sig_len, &a);
        int theirs = tlcp_sm2_evp_verify_digest(k->pub[key], e, sig, sig_len, &b);
        assert_int_equal(ours, theirs);
        if (!ours)
            assert_int_equal(a.reason, TLCP_R_BAD_SIGNATURE);
        g_cases++;
    }
    assert_int_equal(ERR_peek_error(), 0);
}

/* ---- encryption --------------------------------------------------------------- */

static void test_encrypt_both_ways(void **state)
{
    struct keys *k = *state;
    tlcp_sm2_force_evp(0);
    for (unsigned i = 0; i < count(1000); i++) {
        uint8_t msg[300], ct[300 + TLCP_SM2_CIPHERTEXT_OVERHEAD], pt[300];
        size_t len = i % 4 == 0 ? 1 + rnd_below(sizeof(msg)) : TLCP_PRE_MASTER_LEN;
        size_t ct_len = 0, pt_len = 0;
        int key = (int)rnd_below(NKEYS);
        rnd(msg, len);
        int ours_first = i % 2 == 0;
        if (ours_first) {
            assert_true(tlcp_sm2_encrypt(k->pub[key], msg, len, ct, &ct_len, sizeof(ct), NULL));
            assert_true(
                tlcp_sm2_evp_decrypt(k->priv[key], ct, ct_len, pt, &pt_len, sizeof(pt), NULL));
        } else {
            assert_true(tlcp_sm2_evp_encrypt(k->pub[key], msg, len, ct, &ct_len, sizeof(ct), NULL));
            assert_true(tlcp_sm2_decrypt(k->priv[key], ct, ct_len, pt, &pt_len, sizeof(pt), NULL));
        }
        assert_int_equal(pt_len, len);
        assert_memory_equal(pt, msg, len);
        /* A tampered copy: both paths give the same verdict (and plaintext). */
        ct_len = mutate(ct, ct_len, sizeof(ct));
        uint8_t pa[300], pb[300];
        size_t la = 0, lb = 0;
        int a = tlcp_sm2_decrypt(k->priv[key], ct, ct_len, pa, &la, sizeof(pa), NULL);
        int b = tlcp_sm2_evp_decrypt(k->priv[key], ct, ct_len, pb, &lb, sizeof(pb), NULL);
        assert_int_equal(a, b);
        if (a) {
            assert_int_equal(la, lb);
            assert_memory_equal(pa, pb, la);
        }
        g_cases += 2;
    }
    assert_int_equal(ERR_peek_error(), 0);
}

/* ---- key exchange ---------------------------------------------------------------- */

static void test_kx_both_roles(void **state)
{
    (void)state;
    for (unsigned i = 0; i < count(300); i++) {
        tlcp_sm2_force_evp(0);
        tlcp_pkey *as = tlcp_pkey_generate(NULL), *ae = tlcp_pkey_generate(NULL);
        tlcp_pkey *bs = tlcp_pkey_generate(NULL), *be = tlcp_pkey_generate(NULL);
        assert_true(as && ae && bs && be);
        uint8_t ka[48], kb[48], kc[48], kd[48];
        const uint8_t *ida = i % 3 == 0 ? (const uint8_t *)"server.example" : NULL;
        size_t ida_len = ida != NULL ? 14 : 0;
        /* A ours, B OpenSSL's; then the other way round. */
        assert_true(tlcp_sm2_kx(1, as, ae, ida, ida_len, bs, be, NULL, 0, ka, 48, NULL));
        assert_true(tlcp_sm2_kx(0, bs, be, NULL, 0, as, ae, ida, ida_len, kc, 48, NULL));
        tlcp_sm2_force_evp(1);
        assert_true(tlcp_sm2_kx(0, bs, be, NULL, 0, as, ae, ida, ida_len, kb, 48, NULL));
        assert_true(tlcp_sm2_kx(1, as, ae, ida, ida_len, bs, be, NULL, 0, kd, 48, NULL));
        tlcp_sm2_force_evp(0);
        assert_memory_equal(ka, kb, 48);
        assert_memory_equal(kc, kd, 48);
        assert_memory_equal(ka, kc, 48);
        tlcp_pkey_free(as);
        tlcp_pkey_free(ae);
        tlcp_pkey_free(bs);
        tlcp_pkey_free(be);
        g_cases += 2;
    }
    assert_int_equal(ERR_peek_error(), 0);
}

/* ---- key generation ---------------------------------------------------------------- */

static void test_keygen_pairs_check(void **state)
{
    (void)state;
    tlcp_sm2_force_evp(0);
    for (unsigned i = 0; i < count(500); i++) {
        tlcp_pkey *key = tlcp_pkey_generate(NULL);
        assert_non_null(key);
        EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, tlcp_pkey_evp(key), NULL);
        assert_non_null(ctx);
        assert_int_equal(EVP_PKEY_check(ctx), 1); /* OpenSSL: d in range and d·G = P */
        EVP_PKEY_CTX_free(ctx);
        tlcp_pkey_free(key);
        g_cases++;
    }
}

/* ---- point decoding ------------------------------------------------------------------- */

/* OpenSSL's verdict on 04||xy: decodes, on the curve, not infinity. */
static int openssl_point_ok(const EC_GROUP *g, const uint8_t xy[64])
{
    uint8_t oct[65] = {0x04};
    memcpy(oct + 1, xy, 64);
    EC_POINT *p = EC_POINT_new(g);
    int ok = p != NULL && EC_POINT_oct2point(g, p, oct, sizeof(oct), NULL) == 1 &&
             !EC_POINT_is_at_infinity(g, p) && EC_POINT_is_on_curve(g, p, NULL) == 1;
    EC_POINT_free(p);
    ERR_clear_error();
    return ok;
}

/* Big-endian 32-byte a + b (mod 2^256); returns the carry. */
static int add256(uint8_t out[32], const uint8_t a[32], const uint8_t b[32])
{
    unsigned carry = 0;
    for (int i = 31; i >= 0; i--) {
        unsigned v = (unsigned)a[i] + b[i] + carry;
        out[i] = (uint8_t)v;
        carry = v >> 8;
    }
    return (int)carry;
}

static void sub256(uint8_t out[32], const uint8_t a[32], const uint8_t b[32])
{
    unsigned borrow = 0;
    for (int i = 31; i >= 0; i--) {
        unsigned v = (unsigned)a[i] - b[i] - borrow;
        out[i] = (uint8_t)v;
        borrow = (v >> 8) & 1u;
    }
}

static void test_point_decoding_verdicts(void **state)
{
    struct keys *k = *state;
    EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_sm2);
    assert_non_null(g);
    uint8_t p[32];
    tu_hex_into(SM2_P, p, sizeof(p));
    unsigned valid = 0;
    for (unsigned i = 0; i < count(100000); i++) {
        uint8_t xy[64];
        memcpy(xy, k->pub[i % NKEYS]->point, 64);
        switch (i % 8) {
        case 0: /* a valid point */
            break;
        case 1: /* its negation: still valid */
            sub256(xy + 32, p, xy + 32);
            break;
        case 2: /* one flipped bit */
            xy[rnd_below(64)] ^= (uint8_t)(1u << rnd_below(8));
            break;
        case 3: /* x + p or y + p where it fits 256 bits: never a second encoding */
            if (add256(xy + 32 * (i / 8 % 2), xy + 32 * (i / 8 % 2), p))
                memset(xy, 0xFF, 32);
            break;
        case 4: /* random */
            rnd(xy, sizeof(xy));
            break;
        case 5: /* small coordinates, zero, p - 1, p */
            memset(xy, 0, 64);
            if (rnd_below(2))
                memcpy(xy + 32 * rnd_below(2), p, 32);
            xy[31] = (uint8_t)rnd_below(3);
            xy[63] = (uint8_t)rnd_below(3);
            break;
        case 6: /* x and y swapped */
            memcpy(xy, k->pub[i % NKEYS]->point + 32, 32);
            memcpy(xy + 32, k->pub[i % NKEYS]->point, 32);
            break;
        default: /* random bytes in y only */
            rnd(xy + 32, 32);
            break;
        }
        int ours = sm2_point_is_valid(xy);
        int theirs = openssl_point_ok(g, xy);
        if (ours != theirs)
            fprintf(stderr, "case %u: ours %d, OpenSSL %d\n", i, ours, theirs);
        assert_int_equal(ours, theirs);
        valid += (unsigned)ours;
        g_cases++;
    }
    assert_true(valid >= count(100000) / 4); /* the valid cases were really valid */
    EC_GROUP_free(g);
}

/* ---- edge cases ------------------------------------------------------------------------- */

/* Both paths give the same verdict on a private scalar. */
static void test_edge_scalars(void **state)
{
    (void)state;
    static const char *const scalars[] = {
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000000000001",
        "0000000000000000000000000000000000000000000000000000000000000002",
        "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54121", /* n-2 */
        "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54122", /* n-1 */
        SM2_N,
        "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54124", /* n+1 */
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
    };
    static const int usable[] = {0, 1, 1, 1, 0, 0, 0, 0};
    for (size_t i = 0; i < sizeof(scalars) / sizeof(scalars[0]); i++) {
        uint8_t d[32], pa[65], pb[65];
        tu_hex_into(scalars[i], d, sizeof(d));
        tlcp_error err;
        tlcp_sm2_force_evp(0);
        tlcp_error_clear(&err);
        tlcp_pkey *ours = tlcp_pkey_from_private_scalar(d, &err);
        assert_int_equal(ours != NULL, usable[i]);
        if (ours == NULL)
            assert_int_equal(err.reason, TLCP_R_BAD_KEY);
        tlcp_sm2_force_evp(1);
        tlcp_pkey *theirs = tlcp_pkey_from_private_scalar(d, NULL);
        tlcp_sm2_force_evp(0);
        assert_int_equal(theirs != NULL, usable[i]);
        if (ours != NULL) {
            assert_true(tlcp_pkey_get_point(ours, pa, NULL));
            assert_true(tlcp_pkey_get_point(theirs, pb, NULL));
            assert_memory_equal(pa, pb, sizeof(pa));
            /* Our scalar multiplication refuses 0 and n as scalars. */
            uint8_t out[64], zero[32] = {0}, n[32];
            tu_hex_into(SM2_N, n, sizeof(n));
            assert_false(sm2_mul_point(out, zero, pa + 1));
            assert_false(sm2_mul_point(out, n, pa + 1));
            assert_false(sm2_mul_base(out, zero));
            assert_false(sm2_mul_base(out, n));
        }
        tlcp_pkey_free(ours);
        tlcp_pkey_free(theirs);
    }
    ERR_clear_error();
}

/* x(k·G) as a BIGNUM. */
static BIGNUM *x_of_kg(const uint8_t k[32])
{
    tlcp_pkey *kp = tlcp_pkey_from_private_scalar(k, NULL);
    assert_non_null(kp);
    BIGNUM *x = BN_bin2bn(kp->point, 32, NULL);
    tlcp_pkey_free(kp);
    return x;
}

/* Signs digest e with the injected nonce k; the nonce must have been thrown
 * away (r differs from the forced r) and the signature must still verify. */
static void sign_rejects_nonce(const tlcp_pkey *key, const BIGNUM *e_bn, const uint8_t k[32],
                               const BIGNUM *forced_r)
{
    uint8_t e[32], sig[TLCP_SM2_MAX_SIG_LEN];
    size_t sig_len = 0;
    assert_int_equal(BN_bn2binpad(e_bn, e, 32), 32);
    tlcp_sm2_test_set_k(k);
    assert_true(tlcp_sm2_sign_digest(key, e, sig, &sig_len, sizeof(sig), NULL));
    assert_true(tlcp_sm2_evp_verify_digest(key, e, sig, sig_len, NULL));
    const unsigned char *q = sig;
    ECDSA_SIG *parsed = d2i_ECDSA_SIG(NULL, &q, (long)sig_len);
    assert_non_null(parsed);
    assert_int_not_equal(BN_cmp(ECDSA_SIG_get0_r(parsed), forced_r), 0);
    ECDSA_SIG_free(parsed);
}

/* Digests chosen so that the injected k gives r + k = n, r = 0 or s = 0. */
static void test_edge_sign_retries(void **state)
{
    (void)state;
    tlcp_sm2_force_evp(0);
    tlcp_pkey *key = annex_key();
    BN_CTX *ctx = BN_CTX_new();
    BIGNUM *n = NULL, *d = BN_bin2bn(key->d, 32, NULL), *kb = BN_new(), *e = BN_new();
    BIGNUM *r = BN_new(), *dinv = BN_new();
    assert_true(BN_hex2bn(&n, SM2_N) > 0);
    uint8_t k[32];
    for (int round = 0; round < 8; round++) {
        rnd(k, sizeof(k));
        k[0] &= 0x7F; /* below n */
        assert_non_null(BN_bin2bn(k, 32, kb));
        BIGNUM *x1 = x_of_kg(k);
        /* r + k = n: r = n - k, e = r - x1. */
        assert_true(BN_mod_sub(r, n, kb, n, ctx));
        assert_true(BN_mod_sub(e, r, x1, n, ctx));
        sign_rejects_nonce(key, e, k, r);
        /* r = 0: e = -x1. */
        BN_zero(r);
        assert_true(BN_mod_sub(e, r, x1, n, ctx));
        sign_rejects_nonce(key, e, k, r);
        /* s = 0: k + r = r(1 + d), so r = k / d. */
        assert_non_null(BN_mod_inverse(dinv, d, n, ctx));
        assert_true(BN_mod_mul(r, kb, dinv, n, ctx));
        assert_true(BN_mod_sub(e, r, x1, n, ctx));
        sign_rejects_nonce(key, e, k, r);
        BN_free(x1);
    }
    BN_free(n);
    BN_free(d);
    BN_free(kb);
    BN_free(e);
    BN_free(r);
    BN_free(dinv);
    BN_CTX_free(ctx);
    tlcp_pkey_free(key);
}

/* Signatures with r or s outside [1, n-1], or r + s = n: both paths refuse. */
static void test_edge_verify_rs(void **state)
{
    struct keys *k = *state;
    static const char *const bad[] = {
        "0000000000000000000000000000000000000000000000000000000000000000",
        SM2_N,
        "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54124",
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
    };
    uint8_t e[32], sig[80];
    rnd(e, sizeof(e));
    size_t sig_len = 0;
    assert_true(tlcp_sm2_sign_digest(k->priv[0], e, sig, &sig_len, sizeof(sig), NULL));
    const unsigned char *q = sig;
    ECDSA_SIG *good = d2i_ECDSA_SIG(NULL, &q, (long)sig_len);
    assert_non_null(good);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        for (int which = 0; which < 2; which++) {
            BIGNUM *v = NULL;
            assert_true(BN_hex2bn(&v, bad[i]) > 0);
            BIGNUM *r = BN_dup(ECDSA_SIG_get0_r(good)), *s = BN_dup(ECDSA_SIG_get0_s(good));
            ECDSA_SIG *forged = ECDSA_SIG_new();
            assert_true(ECDSA_SIG_set0(forged, which ? r : v, which ? v : s));
            if (which)
                BN_free(s);
            else
                BN_free(r);
            unsigned char *der = NULL;
            int der_len = i2d_ECDSA_SIG(forged, &der);
            assert_true(der_len > 0);
            tlcp_error err;
            tlcp_error_clear(&err);
            assert_false(tlcp_sm2_verify_digest(k->pub[0], e, der, (size_t)der_len, &err));
            assert_int_equal(err.reason, TLCP_R_BAD_SIGNATURE);
            assert_false(tlcp_sm2_evp_verify_digest(k->pub[0], e, der, (size_t)der_len, NULL));
            OPENSSL_free(der);
            ECDSA_SIG_free(forged);
        }
    }
    /* r + s = n with r in range. */
    BIGNUM *n = NULL;
    assert_true(BN_hex2bn(&n, SM2_N) > 0);
    BIGNUM *r = BN_dup(ECDSA_SIG_get0_r(good)), *s = BN_new();
    assert_true(BN_sub(s, n, r));
    ECDSA_SIG *forged = ECDSA_SIG_new();
    assert_true(ECDSA_SIG_set0(forged, r, s));
    unsigned char *der = NULL;
    int der_len = i2d_ECDSA_SIG(forged, &der);
    assert_false(tlcp_sm2_verify_digest(k->pub[0], e, der, (size_t)der_len, NULL));
    assert_false(tlcp_sm2_evp_verify_digest(k->pub[0], e, der, (size_t)der_len, NULL));
    OPENSSL_free(der);
    ECDSA_SIG_free(forged);
    BN_free(n);
    ECDSA_SIG_free(good);
    /* Truncated and oversized DER. */
    for (size_t cut = 0; cut < sig_len; cut++)
        assert_false(tlcp_sm2_verify_digest(k->pub[0], e, sig, cut, NULL));
    memset(sig + sig_len, 0, sizeof(sig) - sig_len);
    assert_false(tlcp_sm2_verify_digest(k->pub[0], e, sig, sig_len + 1, NULL));
    assert_false(tlcp_sm2_verify_digest(k->pub[0], e, sig, sizeof(sig), NULL));
    ERR_clear_error();
}

/* Public keys: infinity, off the curve, x + p, other encodings, lengths. */
static void test_edge_points(void **state)
{
    struct keys *k = *state;
    uint8_t good[65], bad[66], p[32];
    assert_true(tlcp_pkey_get_point(k->pub[1], good, NULL));
    tu_hex_into(SM2_P, p, sizeof(p));
    for (int path = 0; path < 2; path++) {
        tlcp_sm2_force_evp(path);
        tlcp_error err;
        memset(bad, 0, sizeof(bad));
        bad[0] = 0x04; /* (0, 0): the usual stand-in for infinity */
        tlcp_error_clear(&err);
        assert_null(tlcp_pkey_from_point(bad, 65, &err));
        assert_int_equal(err.reason, TLCP_R_BAD_KEY);
        assert_null(tlcp_pkey_from_point(bad, 1, NULL)); /* the one-byte infinity 00 / 04 */
        bad[0] = 0x00;
        assert_null(tlcp_pkey_from_point(bad, 1, NULL));
        memcpy(bad, good, 65);
        bad[64] ^= 1;
        assert_null(tlcp_pkey_from_point(bad, 65, NULL)); /* off the curve */
        memcpy(bad, good, 65);
        bad[0] = (uint8_t)(0x02 | (good[64] & 1));
        assert_null(tlcp_pkey_from_point(bad, 33, NULL)); /* compressed */
        bad[0] = 0x06;
        assert_null(tlcp_pkey_from_point(bad, 65, NULL)); /* hybrid */
        memcpy(bad, good, 65);
        assert_null(tlcp_pkey_from_point(bad, 64, NULL));
        assert_null(tlcp_pkey_from_point(bad, 66, NULL));
        memcpy(bad, good, 65);
        if (!add256(bad + 1, good + 1, p)) /* x + p, when it fits */
            assert_null(tlcp_pkey_from_point(bad, 65, NULL));
        memcpy(bad, good, 65);
        if (!add256(bad + 33, good + 33, p))
            assert_null(tlcp_pkey_from_point(bad, 65, NULL));
        tlcp_pkey *ok = tlcp_pkey_from_point(good, 65, NULL);
        assert_non_null(ok);
        tlcp_pkey_free(ok);
    }
    tlcp_sm2_force_evp(0);
    ERR_clear_error();
}

int main(void)
{
    const char *scale = getenv("TLCP_SM2_DIFF_SCALE");
    if (scale != NULL && atoi(scale) > 0)
        g_scale = (unsigned)atoi(scale);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_annex_sign_fixed_k),
        cmocka_unit_test(test_annex_encrypt_fixed_k),
        cmocka_unit_test(test_sign_ours_verify_openssl),
        cmocka_unit_test(test_sign_openssl_verify_ours),
        cmocka_unit_test(test_verify_verdicts_agree),
        cmocka_unit_test(test_encrypt_both_ways),
        cmocka_unit_test(test_kx_both_roles),
        cmocka_unit_test(test_keygen_pairs_check),
        cmocka_unit_test(test_point_decoding_verdicts),
        cmocka_unit_test(test_edge_scalars),
        cmocka_unit_test(test_edge_sign_retries),
        cmocka_unit_test(test_edge_verify_rs),
        cmocka_unit_test(test_edge_points),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    fprintf(stderr, "sm2 differential cases (ours vs OpenSSL): %lu (scale %u)\n", g_cases, g_scale);
    return rc;
}
