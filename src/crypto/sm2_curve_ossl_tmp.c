/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TEMPORARY stand-in for the SM2 curve arithmetic (sm2_curve.h) over
 * OpenSSL's EC_POINT / BIGNUM, so the SM2 operations can be built and tested
 * while the real field and point code (branch sm2math) is written. It is
 * slow and only as constant-time as libcrypto's ladder; it is deleted when
 * that code is merged. Not a deliverable.
 */
#include <pthread.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>

#include "crypto/sm2_curve.h"

static EC_GROUP *g_group;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static void group_init(void)
{
    g_group = EC_GROUP_new_by_curve_name(NID_sm2);
}

static const EC_GROUP *group(void)
{
    pthread_once(&g_once, group_init);
    return g_group;
}

static const BIGNUM *order(void)
{
    return EC_GROUP_get0_order(group());
}

struct sm2_point_table {
    uint8_t p[64];
};

/* A BIGNUM holding 32 big-endian bytes, flagged constant-time. */
static BIGNUM *bn32(const uint8_t v[32])
{
    BIGNUM *bn = BN_secure_new();
    if (bn != NULL) {
        BN_set_flags(bn, BN_FLG_CONSTTIME);
        if (BN_bin2bn(v, 32, bn) == NULL) {
            BN_clear_free(bn);
            bn = NULL;
        }
    }
    return bn;
}

static EC_POINT *point_in(const uint8_t xy[64], BN_CTX *ctx)
{
    uint8_t oct[65];
    oct[0] = 0x04;
    memcpy(oct + 1, xy, 64);
    EC_POINT *pt = EC_POINT_new(group());
    if (pt != NULL && EC_POINT_oct2point(group(), pt, oct, sizeof(oct), ctx) != 1) {
        EC_POINT_free(pt);
        pt = NULL;
    }
    return pt;
}

static int point_out(uint8_t out[64], const EC_POINT *pt, BN_CTX *ctx)
{
    uint8_t oct[65];
    if (EC_POINT_is_at_infinity(group(), pt) ||
        EC_POINT_point2oct(group(), pt, POINT_CONVERSION_UNCOMPRESSED, oct, sizeof(oct), ctx) !=
            sizeof(oct))
        return 0;
    memcpy(out, oct + 1, 64);
    return 1;
}

int sm2_point_is_valid(const uint8_t xy[64])
{
    BN_CTX *ctx = BN_CTX_new();
    EC_POINT *pt = ctx != NULL ? point_in(xy, ctx) : NULL;
    int ok = pt != NULL && !EC_POINT_is_at_infinity(group(), pt) &&
             EC_POINT_is_on_curve(group(), pt, ctx) == 1;
    EC_POINT_free(pt);
    BN_CTX_free(ctx);
    ERR_clear_error();
    return ok;
}

/* out = a*G + b*P with any of the terms absent (NULL). */
static int mul(uint8_t out[64], const uint8_t *a, const uint8_t *b, const uint8_t *p)
{
    BN_CTX *ctx = BN_CTX_secure_new();
    BIGNUM *bna = a != NULL ? bn32(a) : NULL;
    BIGNUM *bnb = b != NULL ? bn32(b) : NULL;
    EC_POINT *pt = p != NULL && ctx != NULL ? point_in(p, ctx) : NULL;
    EC_POINT *r = EC_POINT_new(group());
    int ok = ctx != NULL && r != NULL && (a == NULL || bna != NULL) && (b == NULL || bnb != NULL) &&
             (p == NULL || pt != NULL);
    if (ok && bna != NULL)
        ok = BN_nnmod(bna, bna, order(), ctx) == 1;
    if (ok && bnb != NULL)
        ok = BN_nnmod(bnb, bnb, order(), ctx) == 1;
    ok = ok && EC_POINT_mul(group(), r, bna, pt, bnb, ctx) == 1 && point_out(out, r, ctx);
    EC_POINT_clear_free(r);
    EC_POINT_free(pt);
    BN_clear_free(bna);
    BN_clear_free(bnb);
    BN_CTX_free(ctx);
    ERR_clear_error();
    return ok;
}

int sm2_mul_base(uint8_t out[64], const uint8_t k[32])
{
    return sm2_scalar_in_range(k) && mul(out, k, NULL, NULL);
}

int sm2_mul_point(uint8_t out[64], const uint8_t k[32], const uint8_t p[64])
{
    return sm2_scalar_in_range(k) && mul(out, NULL, k, p);
}

int sm2_mul_double_vartime(uint8_t out[64], const uint8_t a[32], const uint8_t b[32],
                           const uint8_t p[64])
{
    return mul(out, a, b, p);
}

int sm2_point_add(uint8_t out[64], const uint8_t a[64], const uint8_t b[64])
{
    BN_CTX *ctx = BN_CTX_new();
    EC_POINT *pa = ctx != NULL ? point_in(a, ctx) : NULL;
    EC_POINT *pb = ctx != NULL ? point_in(b, ctx) : NULL;
    EC_POINT *r = EC_POINT_new(group());
    int ok = pa != NULL && pb != NULL && r != NULL && EC_POINT_add(group(), r, pa, pb, ctx) == 1 &&
             point_out(out, r, ctx);
    EC_POINT_free(pa);
    EC_POINT_free(pb);
    EC_POINT_free(r);
    BN_CTX_free(ctx);
    ERR_clear_error();
    return ok;
}

sm2_point_table *sm2_point_table_new(const uint8_t p[64])
{
    sm2_point_table *t = OPENSSL_malloc(sizeof(*t));
    if (t != NULL)
        memcpy(t->p, p, 64);
    return t;
}

void sm2_point_table_free(sm2_point_table *t)
{
    OPENSSL_free(t);
}

int sm2_mul_point_table(uint8_t out[64], const uint8_t k[32], const sm2_point_table *t)
{
    return sm2_mul_point(out, k, t->p);
}

int sm2_mul_double_table_vartime(uint8_t out[64], const uint8_t a[32], const uint8_t b[32],
                                 const sm2_point_table *t)
{
    return sm2_mul_double_vartime(out, a, b, t->p);
}

/* r = op(a, b) mod n; op 0 add, 1 sub, 2 mul, 3 inverse, 4 reduce. */
static void scalar_op(uint8_t r[32], const uint8_t a[32], const uint8_t *b, int op)
{
    BN_CTX *ctx = BN_CTX_secure_new();
    BIGNUM *x = bn32(a);
    BIGNUM *y = b != NULL ? bn32(b) : NULL;
    BIGNUM *e = BN_new();
    BIGNUM *out = BN_secure_new();
    int ok = ctx != NULL && x != NULL && (b == NULL || y != NULL) && e != NULL && out != NULL;
    if (ok) {
        BN_set_flags(out, BN_FLG_CONSTTIME);
        switch (op) {
        case 0:
            ok = BN_mod_add(out, x, y, order(), ctx);
            break;
        case 1:
            ok = BN_mod_sub(out, x, y, order(), ctx);
            break;
        case 2:
            ok = BN_mod_mul(out, x, y, order(), ctx);
            break;
        case 3:
            ok = BN_copy(e, order()) != NULL && BN_sub_word(e, 2) &&
                 BN_mod_exp_mont_consttime(out, x, e, order(), ctx, NULL);
            break;
        default:
            ok = BN_nnmod(out, x, order(), ctx);
            break;
        }
    }
    if (!ok || BN_bn2binpad(out, r, 32) != 32)
        memset(r, 0, 32);
    BN_clear_free(x);
    BN_clear_free(y);
    BN_free(e);
    BN_clear_free(out);
    BN_CTX_free(ctx);
    ERR_clear_error();
}

void sm2_scalar_add(uint8_t r[32], const uint8_t a[32], const uint8_t b[32])
{
    scalar_op(r, a, b, 0);
}

void sm2_scalar_sub(uint8_t r[32], const uint8_t a[32], const uint8_t b[32])
{
    scalar_op(r, a, b, 1);
}

void sm2_scalar_mul(uint8_t r[32], const uint8_t a[32], const uint8_t b[32])
{
    scalar_op(r, a, b, 2);
}

void sm2_scalar_inv(uint8_t r[32], const uint8_t a[32])
{
    scalar_op(r, a, NULL, 3);
}

void sm2_scalar_reduce(uint8_t r[32], const uint8_t a[32])
{
    scalar_op(r, a, NULL, 4);
}

int sm2_scalar_is_zero(const uint8_t a[32])
{
    uint8_t acc = 0;
    for (int i = 0; i < 32; i++)
        acc |= a[i];
    return (int)(((unsigned)acc - 1u) >> 31);
}

/* n of sm2p256v1, big-endian. */
static const uint8_t n_bytes[32] = {
    0xFF, 0xFF, 0xFF, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0x72, 0x03, 0xDF, 0x6B, 0x21, 0xC6, 0x05, 0x2B, 0x53, 0xBB, 0xF4, 0x09, 0x39, 0xD5, 0x41, 0x23};

int sm2_scalar_in_range(const uint8_t a[32])
{
    /* a - n borrows exactly when a < n; computed from the low byte up. */
    unsigned borrow = 0;
    for (int i = 31; i >= 0; i--) {
        unsigned d = (unsigned)a[i] - n_bytes[i] - borrow;
        borrow = (d >> 8) & 1u;
    }
    return (int)(borrow & (unsigned)(sm2_scalar_is_zero(a) ^ 1));
}
