/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The reference path of the SM2 key exchange (see sm2_kx.c): OpenSSL 3.0
 * has no SM2 key exchange, so this one is built over EC_GROUP / EC_POINT /
 * BIGNUM and stands for "OpenSSL's" in the differential tests.
 *
 *   x̄(R) = 2^127 + (x(R) mod 2^127)
 *   t    = (d + x̄(R_self) · r) mod n
 *   U    = t · (P_peer + x̄(R_peer) · R_peer)      (cofactor h = 1)
 *
 * Secret scalars (d, r, t) carry BN_FLG_CONSTTIME. x̄(R_self)·r is a
 * Montgomery multiplication and the addition uses BN_mod_add_quick (fixed-top
 * code in libcrypto 3). U is a single-point, single-scalar EC_POINT_mul,
 * which libcrypto 3 runs as a fixed-length Montgomery ladder on this curve;
 * the multi-scalar path (not constant time) only ever sees public values.
 */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>

#include "crypto/sm2_internal.h"
#include "util/bytes.h"
#include "util/mem.h"

#define XBAR_W 127 /* w = ceil(ceil(log2 n) / 2) - 1 for the 256-bit n */

/* Everything one exchange allocates, freed in one place. */
struct kx_state {
    EC_GROUP *group;
    BN_CTX *bn;
    BN_MONT_CTX *mont;
    BIGNUM *d;    /* own static scalar (secret) */
    BIGNUM *r;    /* own ephemeral scalar (secret) */
    BIGNUM *t;    /* secret */
    BIGNUM *tmp;  /* secret (x̄·r) */
    BIGNUM *xbar; /* public */
    BIGNUM *x;    /* public coordinates of U... */
    BIGNUM *y;    /* ...which become the shared secret */
    EC_POINT *r_self;
    EC_POINT *p_peer;
    EC_POINT *r_peer;
    EC_POINT *q; /* P_peer + x̄(R_peer)·R_peer */
    EC_POINT *u;
};

static void kx_cleanup(struct kx_state *s)
{
    BN_clear_free(s->d);
    BN_clear_free(s->r);
    BN_clear_free(s->t);
    BN_clear_free(s->tmp);
    BN_free(s->xbar);
    BN_clear_free(s->x);
    BN_clear_free(s->y);
    EC_POINT_free(s->r_self);
    EC_POINT_free(s->p_peer);
    EC_POINT_free(s->r_peer);
    EC_POINT_free(s->q);
    EC_POINT_clear_free(s->u);
    BN_MONT_CTX_free(s->mont);
    BN_CTX_free(s->bn);
    EC_GROUP_free(s->group);
    memset(s, 0, sizeof(*s));
}

static int kx_setup(struct kx_state *s, const tlcp_pkey *self_static,
                    const tlcp_pkey *self_ephemeral, const tlcp_pkey *peer_static,
                    const tlcp_pkey *peer_ephemeral, tlcp_error *err)
{
    GUARD_PTR(s->group = tlcp_sm2_group_new(err));
    s->bn = BN_CTX_secure_new();
    s->mont = BN_MONT_CTX_new();
    s->t = BN_secure_new();
    s->tmp = BN_secure_new();
    s->xbar = BN_new();
    s->x = BN_secure_new();
    s->y = BN_secure_new();
    s->q = EC_POINT_new(s->group);
    s->u = EC_POINT_new(s->group);
    if (s->bn == NULL || s->mont == NULL || s->t == NULL || s->tmp == NULL || s->xbar == NULL ||
        s->x == NULL || s->y == NULL || s->q == NULL || s->u == NULL)
        return CRYPTO_FAIL(err, TLCP_R_ALLOC, "out of memory for the SM2 key exchange");
    BN_set_flags(s->t, BN_FLG_CONSTTIME);
    BN_set_flags(s->tmp, BN_FLG_CONSTTIME);
    if (BN_MONT_CTX_set(s->mont, EC_GROUP_get0_order(s->group), s->bn) != 1)
        return CRYPTO_FAIL(err, TLCP_R_CRYPTO, "cannot prepare arithmetic modulo n");
    /* Own and peer points are re-validated (on the curve, not infinity)
     * even though every tlcp_pkey constructor already checks them. */
    GUARD_PTR(s->d = tlcp_sm2_pkey_private(self_static, err));
    GUARD_PTR(s->r = tlcp_sm2_pkey_private(self_ephemeral, err));
    /* Scalars from our own key objects are < n; BN_mod_add_quick relies on it. */
    const BIGNUM *n = EC_GROUP_get0_order(s->group);
    ENSURE(BN_ucmp(s->d, n) < 0 && BN_ucmp(s->r, n) < 0, err, TLCP_R_BAD_KEY,
           "SM2 private scalar is not below the group order");
    GUARD_PTR(s->r_self = tlcp_sm2_pkey_point(self_ephemeral, s->group, err));
    GUARD_PTR(s->p_peer = tlcp_sm2_pkey_point(peer_static, s->group, err));
    GUARD_PTR(s->r_peer = tlcp_sm2_pkey_point(peer_ephemeral, s->group, err));
    return 1;
}

/* xbar = 2^127 + (x(R) mod 2^127); public. */
static int compute_xbar(struct kx_state *s, const EC_POINT *r, tlcp_error *err)
{
    if (EC_POINT_get_affine_coordinates(s->group, r, s->xbar, NULL, s->bn) != 1 ||
        (BN_num_bits(s->xbar) > XBAR_W && BN_mask_bits(s->xbar, XBAR_W) != 1) ||
        BN_set_bit(s->xbar, XBAR_W) != 1)
        return CRYPTO_FAIL(err, TLCP_R_CRYPTO, "cannot compute x-bar of an ephemeral point");
    return 1;
}

/* t = (d + x̄(R_self)·r) mod n, without secret-dependent branches. */
static int compute_t(struct kx_state *s, tlcp_error *err)
{
    GUARD(compute_xbar(s, s->r_self, err));
    const BIGNUM *n = EC_GROUP_get0_order(s->group);
    /* to_mont(x̄) · r · R^-1 = x̄·r mod n; both inputs are < n. */
    if (BN_to_montgomery(s->tmp, s->xbar, s->mont, s->bn) != 1 ||
        BN_mod_mul_montgomery(s->tmp, s->tmp, s->r, s->mont, s->bn) != 1 ||
        BN_mod_add_quick(s->t, s->d, s->tmp, n) != 1)
        return CRYPTO_FAIL(err, TLCP_R_CRYPTO, "cannot compute t for the SM2 key exchange");
    return 1;
}

/* U = t · (P_peer + x̄(R_peer)·R_peer); refuses the point at infinity. */
static int compute_u(struct kx_state *s, tlcp_error *err)
{
    GUARD(compute_xbar(s, s->r_peer, err));
    /* Public scalar and public points: the fast path is fine here. */
    if (EC_POINT_mul(s->group, s->q, NULL, s->r_peer, s->xbar, s->bn) != 1 ||
        EC_POINT_add(s->group, s->q, s->q, s->p_peer, s->bn) != 1)
        return CRYPTO_FAIL(err, TLCP_R_CRYPTO, "cannot combine the peer's points");
    ENSURE(!EC_POINT_is_at_infinity(s->group, s->q), err, TLCP_R_BAD_KEY,
           "peer's static and ephemeral keys combine to the point at infinity");
    /* Secret scalar: one point, one scalar, no generator term -> ladder. */
    if (EC_POINT_mul(s->group, s->u, NULL, s->q, s->t, s->bn) != 1)
        return CRYPTO_FAIL(err, TLCP_R_CRYPTO, "SM2 key exchange multiplication failed");
    ENSURE(!EC_POINT_is_at_infinity(s->group, s->u), err, TLCP_R_BAD_KEY,
           "SM2 key exchange produced the point at infinity");
    if (EC_POINT_get_affine_coordinates(s->group, s->u, s->x, s->y, s->bn) != 1)
        return CRYPTO_FAIL(err, TLCP_R_CRYPTO, "cannot read the shared point");
    return 1;
}

static int derive(struct kx_state *s, const uint8_t za[TLCP_SM3_DIGEST_LEN],
                  const uint8_t zb[TLCP_SM3_DIGEST_LEN], uint8_t *out, size_t out_len,
                  tlcp_error *err)
{
    uint8_t z[2 * TLCP_SM2_FIELD_LEN + 2 * TLCP_SM3_DIGEST_LEN];
    int ok = tlcp_sm2_bn_to_field(s->x, z, err) &&
             tlcp_sm2_bn_to_field(s->y, z + TLCP_SM2_FIELD_LEN, err);
    if (ok) {
        memcpy(z + 2 * TLCP_SM2_FIELD_LEN, za, TLCP_SM3_DIGEST_LEN);
        memcpy(z + 2 * TLCP_SM2_FIELD_LEN + TLCP_SM3_DIGEST_LEN, zb, TLCP_SM3_DIGEST_LEN);
        ok = tlcp_sm2_kdf(z, sizeof(z), out, out_len, err);
    }
    tlcp_wipe(z, sizeof(z));
    if (ok && tlcp_sm2_all_zero(out, out_len)) {
        TLCP_ERR(err, TLCP_R_CRYPTO, "SM2 key exchange produced an all-zero key");
        ok = 0;
    }
    if (!ok)
        tlcp_wipe(out, out_len);
    return ok;
}

int tlcp_sm2_evp_kx(int initiator, const tlcp_pkey *self_static, const tlcp_pkey *self_ephemeral,
                    const uint8_t za[32], const uint8_t zb[32], const tlcp_pkey *peer_static,
                    const tlcp_pkey *peer_ephemeral, uint8_t *out, size_t out_len, tlcp_error *err)
{
    (void)initiator; /* already applied to the order of za and zb */
    struct kx_state s;
    memset(&s, 0, sizeof(s));
    int ok = kx_setup(&s, self_static, self_ephemeral, peer_static, peer_ephemeral, err) &&
             compute_t(&s, err) && compute_u(&s, err) && derive(&s, za, zb, out, out_len, err);
    kx_cleanup(&s);
    ERR_clear_error(); /* nothing may stay queued, success or not */
    return ok;
}
