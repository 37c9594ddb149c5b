/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The three delegated operations as the handshake handlers use them: build
 * the request from the handshake state, start it or collect it, and put the
 * result where the handshake expects it (key_op.h).
 */
#include <string.h>

#include "handshake/handshake.h"
#include "handshake/key_op.h"
#include "handshake/keys.h"
#include "util/mem.h"

/* Starts op, or collects the operation already started for it. */
static int start_or_collect(tlcp_hs_ctx *ctx, const tlcp_key_op *op, uint8_t *out, size_t *out_len,
                            int quiet)
{
    if (tlcp_hs_key_op_active(ctx))
        return tlcp_hs_key_op_collect(ctx, out, out_len, quiet);
    return tlcp_hs_key_op_start(ctx, op, out, out_len, quiet);
}

tlcp_status tlcp_hs_delegated_sign(tlcp_hs_ctx *ctx, const uint8_t *msg, size_t msg_len, int has_z,
                                   const uint8_t *digest)
{
    tlcp_key_op op;
    memset(&op, 0, sizeof(op));
    op.type = TLCP_KEY_OP_SIGN;
    op.key = TLCP_CERT_SIGN;
    op.has_z = has_z;
    if (has_z) {
        op.msg = msg;
        op.msg_len = msg_len;
        op.id = (const uint8_t *)TLCP_SM2_DEFAULT_ID;
        op.id_len = TLCP_SM2_DEFAULT_ID_LEN;
    } else {
        op.digest = digest;
    }
    uint8_t sig[TLCP_KEY_OP_MAX_OUT];
    size_t sig_len = 0;
    int r = start_or_collect(ctx, &op, sig, &sig_len, 0);
    if (r == TLCP_HS_KOP_PENDING)
        return tlcp_hs_pending();
    S_GUARD(r == TLCP_HS_KOP_DONE);
    return tlcp_status_of(tlcp_hs_key_op_keep(ctx, sig, sig_len));
}

/* The points and the ephemeral scalar of the TLCP key exchange. */
typedef struct kx_inputs {
    uint8_t eph_private[32];
    uint8_t eph_point[TLCP_SM2_POINT_LEN];
    uint8_t peer_static[TLCP_SM2_POINT_LEN];
    uint8_t peer_eph[TLCP_SM2_POINT_LEN];
} kx_inputs;

static int kx_request(tlcp_hs_ctx *ctx, kx_inputs *in, tlcp_key_op *op)
{
    const tlcp_hs *hs = ctx->hs;
    ENSURE_ALERT(hs->eph_key != NULL && hs->peer_enc_key != NULL && hs->peer_eph_key != NULL,
                 ctx->err, TLCP_R_HANDSHAKE_FAILURE, TLCP_ALERT_HANDSHAKE_FAILURE,
                 "ECDHE without the peer's encryption key or ephemeral point");
    GUARD(tlcp_pkey_get_private_scalar(hs->eph_key, in->eph_private, ctx->err) &&
          tlcp_pkey_get_point(hs->eph_key, in->eph_point, ctx->err) &&
          tlcp_pkey_get_point(hs->peer_enc_key, in->peer_static, ctx->err) &&
          tlcp_pkey_get_point(hs->peer_eph_key, in->peer_eph, ctx->err));
    memset(op, 0, sizeof(*op));
    op->type = TLCP_KEY_OP_KX;
    op->key = TLCP_CERT_ENC;
    op->initiator = ctx->is_server; /* TLCP: server = A */
    op->self_eph_private = in->eph_private;
    op->self_eph_point = in->eph_point;
    op->peer_static_point = in->peer_static;
    op->peer_eph_point = in->peer_eph;
    op->self_id = op->peer_id = (const uint8_t *)TLCP_SM2_DEFAULT_ID;
    op->self_id_len = op->peer_id_len = TLCP_SM2_DEFAULT_ID_LEN;
    op->out_len = TLCP_PRE_MASTER_LEN;
    return 1;
}

tlcp_status tlcp_hs_delegated_kx(tlcp_hs_ctx *ctx)
{
    kx_inputs in;
    tlcp_key_op op;
    memset(&op, 0, sizeof(op));
    if (!tlcp_hs_key_op_active(ctx) && !kx_request(ctx, &in, &op)) {
        tlcp_wipe(&in, sizeof(in));
        return tlcp_fail();
    }
    uint8_t out[TLCP_KEY_OP_MAX_OUT];
    size_t out_len = 0;
    int r = start_or_collect(ctx, &op, out, &out_len, 0);
    tlcp_wipe(&in, sizeof(in));
    if (r == TLCP_HS_KOP_PENDING)
        return tlcp_hs_pending();
    S_GUARD(r == TLCP_HS_KOP_DONE);
    memcpy(ctx->hs->pre_master, out, TLCP_PRE_MASTER_LEN);
    tlcp_wipe(out, sizeof(out));
    tlcp_hs_trace(ctx, "key schedule: SM2 key exchange gave the 48-byte pre-master secret");
    return tlcp_ok();
}

tlcp_status tlcp_hs_delegated_decrypt(tlcp_hs_ctx *ctx)
{
    tlcp_key_op op;
    memset(&op, 0, sizeof(op));
    op.type = TLCP_KEY_OP_DECRYPT;
    op.key = TLCP_CERT_ENC;
    op.in = tlcp_hs_key_op_stashed(ctx, &op.in_len);
    uint8_t plain[TLCP_KEY_OP_MAX_OUT];
    size_t plain_len = 0;
    memset(plain, 0, sizeof(plain));
    int r = start_or_collect(ctx, &op, plain, &plain_len, 1);
    if (r == TLCP_HS_KOP_PENDING)
        return tlcp_hs_pending();
    S_GUARD(r != TLCP_HS_KOP_FAILED); /* a timeout or a setup failure */
    uint8_t fallback[TLCP_PRE_MASTER_LEN];
    memcpy(fallback, ctx->hs->pre_master, sizeof(fallback));
    tlcp_hs_select_pre_master(ctx->hs->pre_master, r == TLCP_HS_KOP_DONE, plain, plain_len,
                              fallback);
    tlcp_wipe(plain, sizeof(plain));
    tlcp_wipe(fallback, sizeof(fallback));
    tlcp_hs_trace(ctx, "key schedule: pre-master secret taken from ClientKeyExchange");
    return tlcp_ok();
}
