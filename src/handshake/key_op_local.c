/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A tlcp_key_op performed with a private key held in this process: what a
 * key server or a test callback does with the request the handshake sent.
 */
#include "crypto/crypto.h"
#include "handshake/key_op.h"
#include "util/mem.h"

static int perform_sign(const tlcp_pkey *key, const tlcp_key_op *op, uint8_t *out, size_t *out_len,
                        tlcp_error *err)
{
    if (op->has_z && op->msg != NULL)
        return tlcp_sm2_sign(key, op->id, op->id_len, op->msg, op->msg_len, out, out_len,
                             op->max_out, err);
    ENSURE(op->digest != NULL, err, TLCP_R_INVALID_ARGUMENT, "signature request without a digest");
    return tlcp_sm2_sign_digest(key, op->digest, out, out_len, op->max_out, err);
}

static int perform_kx(const tlcp_pkey *key, const tlcp_key_op *op, uint8_t *out, size_t *out_len,
                      tlcp_error *err)
{
    ENSURE(op->self_eph_private != NULL && op->peer_static_point != NULL &&
               op->peer_eph_point != NULL && op->out_len <= op->max_out && op->out_len > 0,
           err, TLCP_R_INVALID_ARGUMENT, "incomplete key-exchange request");
    tlcp_pkey *eph = tlcp_pkey_from_private_scalar(op->self_eph_private, err);
    tlcp_pkey *peer = tlcp_pkey_from_point(op->peer_static_point, TLCP_SM2_POINT_LEN, err);
    tlcp_pkey *peer_eph = tlcp_pkey_from_point(op->peer_eph_point, TLCP_SM2_POINT_LEN, err);
    const uint8_t *id = (const uint8_t *)TLCP_SM2_DEFAULT_ID;
    const uint8_t *self_id = op->self_id != NULL ? op->self_id : id;
    size_t self_id_len = op->self_id != NULL ? op->self_id_len : TLCP_SM2_DEFAULT_ID_LEN;
    const uint8_t *peer_id = op->peer_id != NULL ? op->peer_id : id;
    size_t peer_id_len = op->peer_id != NULL ? op->peer_id_len : TLCP_SM2_DEFAULT_ID_LEN;
    int ok = eph != NULL && peer != NULL && peer_eph != NULL &&
             tlcp_sm2_kx(op->initiator, key, eph, self_id, self_id_len, peer, peer_eph, peer_id,
                         peer_id_len, out, op->out_len, err);
    tlcp_pkey_free(eph);
    tlcp_pkey_free(peer);
    tlcp_pkey_free(peer_eph);
    if (ok)
        *out_len = op->out_len;
    return ok;
}

int tlcp_key_op_perform_local(const tlcp_pkey *key, const tlcp_key_op *op, uint8_t *out,
                              size_t *out_len, tlcp_error *err)
{
    ENSURE(key != NULL && op != NULL && out != NULL && out_len != NULL, err,
           TLCP_R_INVALID_ARGUMENT, "missing key, request or output");
    switch (op->type) {
    case TLCP_KEY_OP_SIGN:
        return perform_sign(key, op, out, out_len, err);
    case TLCP_KEY_OP_DECRYPT:
        ENSURE(op->in != NULL, err, TLCP_R_INVALID_ARGUMENT, "decryption request without input");
        return tlcp_sm2_decrypt(key, op->in, op->in_len, out, out_len, op->max_out, err);
    case TLCP_KEY_OP_KX:
        return perform_kx(key, op, out, out_len, err);
    default:
        TLCP_ERR(err, TLCP_R_INVALID_ARGUMENT, "unknown key operation %d", op->type);
        return 0;
    }
}
