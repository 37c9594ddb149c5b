/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SM2 key exchange (GB/T 32918.3) with the TLCP profile: no confirmation
 * hashes, K = KDF(xU || yU || ZA || ZB, klen) with ZA (the initiator's Z)
 * always first. The public entry point, and our implementation over
 * sm2_curve.h (OpenSSL's stand-in is sm2_kx_evp.c).
 *
 *   x̄(R) = 2^127 + (x(R) mod 2^127)
 *   t    = (d + x̄(R_self) · r) mod n                    (secret)
 *   U    = t · (P_peer + x̄(R_peer) · R_peer)            (cofactor h = 1)
 *
 * t comes from the constant-time scalar operations and U from the
 * constant-time variable-base multiplication; the combination of the peer's
 * points uses public values only.
 */
#include <string.h>

#include "crypto/sm2_curve.h"
#include "crypto/sm2_internal.h"
#include "util/mem.h"

/* x̄ of a point's x coordinate, as a 32-byte scalar (< 2^128 < n). */
static void xbar(const uint8_t point[64], uint8_t out[32])
{
    memset(out, 0, 16);
    memcpy(out + 16, point + 16, 16);
    out[16] = (uint8_t)((out[16] & 0x7F) | 0x80);
}

/* t = (d + x̄(R_self)·r) mod n. */
static void compute_t(const tlcp_pkey *self_static, const tlcp_pkey *self_ephemeral, uint8_t t[32])
{
    uint8_t x1[32];
    uint8_t xr[32];
    xbar(self_ephemeral->point, x1);
    sm2_scalar_mul(xr, x1, self_ephemeral->d);
    sm2_scalar_add(t, self_static->d, xr);
    tlcp_wipe(xr, sizeof(xr));
}

int tlcp_sm2_own_kx(int initiator, const tlcp_pkey *self_static, const tlcp_pkey *self_ephemeral,
                    const uint8_t za[32], const uint8_t zb[32], const tlcp_pkey *peer_static,
                    const tlcp_pkey *peer_ephemeral, uint8_t *out, size_t out_len, tlcp_error *err)
{
    (void)initiator; /* already applied to the order of za and zb */
    ENSURE(self_static->has_private && self_ephemeral->has_private, err, TLCP_R_BAD_KEY,
           "SM2 key has no private part");
    uint8_t x2[32];
    uint8_t t[32];
    uint8_t z[64 + 2 * TLCP_SM3_DIGEST_LEN]; /* xU || yU || ZA || ZB */
    xbar(peer_ephemeral->point, x2);
    compute_t(self_static, self_ephemeral, t);
    /* U = t·(x̄(R_peer)·R_peer + P_peer): the peer's points combine with
     * public arithmetic, then t multiplies in constant time. */
    int sum_ok = 1;
    int ok = sm2_mul_sum(z, t, x2, peer_ephemeral->point, peer_static->point, &sum_ok);
    tlcp_wipe(t, sizeof(t));
    tlcp_sm2_declassify(&ok, sizeof(ok));
    if (!sum_ok) {
        tlcp_wipe(z, sizeof(z));
        ENSURE(0, err, TLCP_R_BAD_KEY,
               "peer's static and ephemeral keys combine to the point at infinity");
    }
    if (!ok) {
        tlcp_wipe(z, sizeof(z));
        ENSURE(0, err, TLCP_R_BAD_KEY, "SM2 key exchange produced the point at infinity");
    }
    memcpy(z + 64, za, TLCP_SM3_DIGEST_LEN);
    memcpy(z + 64 + TLCP_SM3_DIGEST_LEN, zb, TLCP_SM3_DIGEST_LEN);
    ok = tlcp_sm2_kdf(z, sizeof(z), out, out_len, err);
    tlcp_wipe(z, sizeof(z));
    int zero = ok && tlcp_sm2_all_zero(out, out_len);
    tlcp_sm2_declassify(&zero, sizeof(zero));
    if (zero) {
        TLCP_ERR(err, TLCP_R_CRYPTO, "SM2 key exchange produced an all-zero key");
        ok = 0;
    }
    return ok;
}

int tlcp_sm2_kx(int initiator, const tlcp_pkey *self_static, const tlcp_pkey *self_ephemeral,
                const uint8_t *self_id, size_t self_id_len, const tlcp_pkey *peer_static,
                const tlcp_pkey *peer_ephemeral, const uint8_t *peer_id, size_t peer_id_len,
                uint8_t *out, size_t out_len, tlcp_error *err)
{
    ENSURE(self_static != NULL && self_ephemeral != NULL && peer_static != NULL &&
               peer_ephemeral != NULL && out != NULL,
           err, TLCP_R_INVALID_ARGUMENT, "tlcp_sm2_kx: missing argument");
    ENSURE(out_len > 0 && out_len <= 1024, err, TLCP_R_INVALID_ARGUMENT,
           "SM2 key exchange output length %zu is outside 1..1024", out_len);

    /* ZA belongs to the initiator (A, the TLCP server), ZB to the responder. */
    uint8_t z_self[TLCP_SM3_DIGEST_LEN];
    uint8_t z_peer[TLCP_SM3_DIGEST_LEN];
    int ok = tlcp_sm2_compute_z(self_static, self_id, self_id_len, z_self, err) &&
             tlcp_sm2_compute_z(peer_static, peer_id, peer_id_len, z_peer, err);
    const uint8_t *za = initiator ? z_self : z_peer;
    const uint8_t *zb = initiator ? z_peer : z_self;
    if (ok && tlcp_sm2_use_evp())
        ok = tlcp_sm2_evp_kx(initiator, self_static, self_ephemeral, za, zb, peer_static,
                             peer_ephemeral, out, out_len, err);
    else if (ok)
        ok = tlcp_sm2_own_kx(initiator, self_static, self_ephemeral, za, zb, peer_static,
                             peer_ephemeral, out, out_len, err);
    if (!ok)
        tlcp_wipe(out, out_len); /* a caller that ignores failure gets zeros */
    return ok;
}
