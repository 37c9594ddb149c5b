/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ServerKeyExchange and ClientKeyExchange. ECC suites: the server signs
 * both randoms and its encryption certificate; the client encrypts a fresh
 * pre-master to that certificate's key. ECDHE suites: the server signs its
 * ephemeral point; both sides run the SM2 key exchange with their
 * encryption keys as static keys (server = initiator).
 *
 * No pre-master oracle: when the server's decryption fails, or the
 * plaintext has the wrong length or version, it continues with a random
 * pre-master chosen before decrypting, selected without a branch, so the
 * failure shows only at Finished (bad_record_mac style: decrypt_error on
 * Finished), with the same alert as any other Finished mismatch.
 *
 * Delegated keys (key_op.h): the signature is obtained in the
 * ServerKeyExchange pre-work, the client's key exchange in the
 * ClientKeyExchange pre-work, and the server's decryption or key exchange in
 * the ClientKeyExchange post-processing: the steps the driver can suspend
 * and run again. The no-oracle rule holds for a delegated decryption too.
 */
#include <string.h>

#include "handshake/handlers.h"
#include "handshake/key_op.h"
#include "handshake/keys.h"
#include "handshake/messages.h"
#include "util/mem.h"

#define CKE_CIPHERTEXT_MAX (TLCP_PRE_MASTER_LEN + TLCP_SM2_CIPHERTEXT_OVERHEAD + 16)

/* The server's encryption certificate as both sides see it. */
static void server_enc_cert(const tlcp_hs_ctx *ctx, const uint8_t **der, size_t *len)
{
    const tlcp_cert *cert =
        ctx->is_server ? ctx->cfg.creds->enc.cert : ctx->peer_cert[TLCP_CERT_ENC];
    *der = NULL;
    *len = 0;
    if (cert != NULL)
        tlcp_cert_der(cert, der, len);
}

/* ECC: client_random || server_random || u24 len || enc cert DER.
 * ECDHE: client_random || server_random || ServerECDHParams. */
static int build_signed_params(const tlcp_hs_ctx *ctx, const uint8_t *params, size_t params_len,
                               tlcp_builder *tbs)
{
    const tlcp_hs *hs = ctx->hs;
    GUARD(tlcp_builder_add_bytes(tbs, hs->client_random, TLCP_RANDOM_LEN));
    GUARD(tlcp_builder_add_bytes(tbs, hs->server_random, TLCP_RANDOM_LEN));
    if (hs->is_ecdhe)
        return tlcp_builder_add_bytes(tbs, params, params_len);
    const uint8_t *der;
    size_t len;
    server_enc_cert(ctx, &der, &len);
    if (der == NULL)
        return 0;
    tlcp_builder cert;
    GUARD(tlcp_builder_open_u24(tbs, &cert));
    GUARD(tlcp_builder_add_bytes(&cert, der, len));
    return tlcp_builder_flush(tbs);
}

/* ECDHE: our ephemeral key, made once per handshake (a delegated signature
 * or key exchange runs the same step again). */
static int ensure_ephemeral(tlcp_hs_ctx *ctx)
{
    if (ctx->hs->eph_key == NULL)
        ctx->hs->eph_key = tlcp_pkey_generate(ctx->err);
    return ctx->hs->eph_key != NULL;
}

/* ECDHE: the ephemeral key's ServerECDHParams. */
static int make_ecdh_params(tlcp_hs_ctx *ctx, tlcp_builder *params)
{
    tlcp_hs *hs = ctx->hs;
    uint8_t point[TLCP_SM2_POINT_LEN];
    GUARD(ensure_ephemeral(ctx));
    GUARD(tlcp_pkey_get_point(hs->eph_key, point, ctx->err));
    return tlcp_build_ecdh_params(params, point);
}

/* The signed data: into tbs (initialised here; the caller cleans it up). */
static int server_kx_tbs(tlcp_hs_ctx *ctx, tlcp_builder *params, tlcp_builder *tbs)
{
    memset(tbs, 0, sizeof(*tbs));
    ENSURE_ALERT(tlcp_builder_init(tbs, 1024, 0), ctx->err, TLCP_R_ALLOC, TLCP_ALERT_INTERNAL_ERROR,
                 "out of memory");
    if (ctx->hs->is_ecdhe)
        GUARD(make_ecdh_params(ctx, params) && tlcp_builder_flush(params));
    return build_signed_params(ctx, tlcp_builder_data(params), tlcp_builder_len(params), tbs) &&
           tlcp_builder_flush(tbs);
}

/* A delegated signing key signs before the message is built. */
tlcp_status tlcp_hs_server_kx_pre_work(tlcp_hs_ctx *ctx)
{
    if (tlcp_hs_key_is_local(ctx, TLCP_CERT_SIGN))
        return tlcp_ok();
    uint8_t params_mem[TLCP_ECDH_PARAMS_LEN + 8];
    tlcp_builder params, tbs;
    tlcp_builder_init_fixed(&params, params_mem, sizeof(params_mem));
    tlcp_status s = tlcp_fail();
    if (server_kx_tbs(ctx, &params, &tbs))
        s = tlcp_hs_delegated_sign(ctx, tlcp_builder_data(&tbs), tlcp_builder_len(&tbs), 1, NULL);
    tlcp_builder_cleanup(&tbs);
    return s;
}

/* The signature: ours, or the one the pre-work obtained. */
static int server_kx_sign(tlcp_hs_ctx *ctx, const tlcp_builder *tbs, uint8_t *sig, size_t *sig_len)
{
    if (tlcp_hs_key_is_local(ctx, TLCP_CERT_SIGN))
        return tlcp_sm2_sign(ctx->cfg.creds->sign.key, NULL, 0, tlcp_builder_data(tbs),
                             tlcp_builder_len(tbs), sig, sig_len, TLCP_SM2_MAX_SIG_LEN, ctx->err);
    const uint8_t *kept = tlcp_hs_key_op_take(ctx, sig_len);
    ENSURE_ALERT(kept != NULL, ctx->err, TLCP_R_INTERNAL, TLCP_ALERT_INTERNAL_ERROR,
                 "no delegated ServerKeyExchange signature");
    memcpy(sig, kept, *sig_len);
    return 1;
}

tlcp_status tlcp_hs_server_kx_construct(tlcp_hs_ctx *ctx, tlcp_builder *body)
{
    uint8_t params_mem[TLCP_ECDH_PARAMS_LEN + 8];
    tlcp_builder params, tbs;
    tlcp_builder_init_fixed(&params, params_mem, sizeof(params_mem));
    uint8_t sig[TLCP_SM2_MAX_SIG_LEN];
    size_t sig_len = 0;
    int ok = server_kx_tbs(ctx, &params, &tbs) && server_kx_sign(ctx, &tbs, sig, &sig_len);
    tlcp_builder_cleanup(&tbs);
    S_GUARD(ok);
    tlcp_hs_trace(ctx, "signed ServerKeyExchange parameters with the signing key");
    return tlcp_status_of(tlcp_build_server_key_exchange(
        body, ctx->hs->is_ecdhe ? params_mem : NULL, tlcp_builder_len(&params), sig, sig_len));
}

/* The peer's ephemeral point. The point check reports into a local slot so
 * that the connection's slot gets the alert (illegal_parameter): a reason
 * recorded first without an alert would turn into internal_error. */
static int load_peer_ephemeral(tlcp_hs_ctx *ctx, tlcp_cursor point, const char *who)
{
    tlcp_error point_err;
    tlcp_error_clear(&point_err);
    ctx->hs->peer_eph_key =
        tlcp_pkey_from_point(tlcp_cursor_data(&point), tlcp_cursor_len(&point), &point_err);
    ENSURE_ALERT(ctx->hs->peer_eph_key != NULL, ctx->err, TLCP_R_BAD_KEY,
                 TLCP_ALERT_ILLEGAL_PARAMETER, "%s ephemeral point is not a valid SM2 point (%s)",
                 who, tlcp_error_message(&point_err));
    return 1;
}

tlcp_status tlcp_hs_server_kx_process(tlcp_hs_ctx *ctx, tlcp_cursor body)
{
    tlcp_hs *hs = ctx->hs;
    tlcp_server_key_exchange m;
    S_GUARD(tlcp_parse_server_key_exchange(body, hs->is_ecdhe, &m, ctx->err));
    S_ENSURE_ALERT(hs->peer_sign_key != NULL && hs->peer_enc_key != NULL, ctx->err, TLCP_R_INTERNAL,
                   TLCP_ALERT_INTERNAL_ERROR, "no server keys before ServerKeyExchange");
    tlcp_builder tbs;
    S_ENSURE_ALERT(tlcp_builder_init(&tbs, 1024, 0), ctx->err, TLCP_R_ALLOC,
                   TLCP_ALERT_INTERNAL_ERROR, "out of memory");
    int ok =
        build_signed_params(ctx, tlcp_cursor_data(&m.params), tlcp_cursor_len(&m.params), &tbs) &&
        tlcp_builder_flush(&tbs);
    if (!ok)
        TLCP_ERR_ALERT(ctx->err, TLCP_R_INTERNAL, TLCP_ALERT_INTERNAL_ERROR,
                       "cannot assemble the ServerKeyExchange signed data");
    tlcp_error sig_err;
    tlcp_error_clear(&sig_err);
    if (ok && !tlcp_sm2_verify(hs->peer_sign_key, NULL, 0, tlcp_builder_data(&tbs),
                               tlcp_builder_len(&tbs), tlcp_cursor_data(&m.signature),
                               tlcp_cursor_len(&m.signature), &sig_err)) {
        TLCP_ERR_ALERT(ctx->err, TLCP_R_BAD_SIGNATURE, TLCP_ALERT_DECRYPT_ERROR,
                       "ServerKeyExchange signature does not verify with the server's signing "
                       "certificate (%s)",
                       tlcp_error_message(&sig_err));
        ok = 0;
    }
    tlcp_builder_cleanup(&tbs);
    S_GUARD(ok);
    tlcp_hs_trace(ctx, "ServerKeyExchange signature verified");
    if (hs->is_ecdhe) {
        S_GUARD(load_peer_ephemeral(ctx, m.point, "server"));
    }
    return tlcp_ok();
}

/* SM2 key exchange, TLCP profile: server = initiator A, default IDs, 48 bytes. */
static int ecdhe_pre_master(tlcp_hs_ctx *ctx)
{
    tlcp_hs *hs = ctx->hs;
    const uint8_t *id = (const uint8_t *)TLCP_SM2_DEFAULT_ID;
    ENSURE_ALERT(hs->peer_enc_key != NULL && hs->peer_eph_key != NULL, ctx->err,
                 TLCP_R_HANDSHAKE_FAILURE, TLCP_ALERT_HANDSHAKE_FAILURE,
                 "ECDHE without the peer's encryption key or ephemeral point");
    GUARD(tlcp_sm2_kx(ctx->is_server, ctx->cfg.creds->enc.key, hs->eph_key, id,
                      TLCP_SM2_DEFAULT_ID_LEN, hs->peer_enc_key, hs->peer_eph_key, id,
                      TLCP_SM2_DEFAULT_ID_LEN, hs->pre_master, TLCP_PRE_MASTER_LEN, ctx->err));
    tlcp_hs_trace(ctx, "key schedule: SM2 key exchange gave the 48-byte pre-master secret");
    return 1;
}

static int client_kx_ecc(tlcp_hs_ctx *ctx, tlcp_builder *body)
{
    tlcp_hs *hs = ctx->hs;
    ENSURE_ALERT(hs->peer_enc_key != NULL, ctx->err, TLCP_R_INTERNAL, TLCP_ALERT_INTERNAL_ERROR,
                 "no server encryption key");
    /* client_version(2) || random(46) */
    tlcp_builder pm;
    uint8_t *rnd = NULL;
    tlcp_builder_init_fixed(&pm, hs->pre_master, sizeof(hs->pre_master));
    ENSURE_ALERT(tlcp_builder_add_u16(&pm, TLCP_PROTOCOL_VERSION) &&
                     tlcp_builder_add_space(&pm, &rnd, TLCP_PRE_MASTER_LEN - 2),
                 ctx->err, TLCP_R_INTERNAL, TLCP_ALERT_INTERNAL_ERROR,
                 "cannot lay out the pre-master secret");
    GUARD(tlcp_random_bytes(rnd, TLCP_PRE_MASTER_LEN - 2, ctx->err));
    uint8_t ct[CKE_CIPHERTEXT_MAX];
    size_t ct_len = 0;
    GUARD(tlcp_sm2_encrypt(hs->peer_enc_key, hs->pre_master, TLCP_PRE_MASTER_LEN, ct, &ct_len,
                           sizeof(ct), ctx->err));
    tlcp_hs_trace(ctx,
                  "key schedule: pre-master secret encrypted to the server's encryption "
                  "certificate (%zu bytes)",
                  ct_len);
    return tlcp_build_client_key_exchange_ecc(body, ct, ct_len);
}

static int client_kx_ecdhe(tlcp_hs_ctx *ctx, tlcp_builder *body)
{
    tlcp_hs *hs = ctx->hs;
    uint8_t point[TLCP_SM2_POINT_LEN];
    GUARD(ensure_ephemeral(ctx));
    GUARD(tlcp_pkey_get_point(hs->eph_key, point, ctx->err));
    /* A delegated enc key computed the pre-master in the pre-work. */
    if (tlcp_hs_key_is_local(ctx, TLCP_CERT_ENC))
        GUARD(ecdhe_pre_master(ctx));
    /* Form A (69 bytes, no length prefix: Tongsuo, gotlcp, GmSSL 2) unless
     * configured for form B (u16 prefix: GmSSL 3). */
    return tlcp_build_client_key_exchange_ecdhe(body, point, ctx->cfg.ecdhe_cke_prefixed);
}

/* ECDHE with a delegated enc key: the key exchange before the message. */
tlcp_status tlcp_hs_client_kx_pre_work(tlcp_hs_ctx *ctx)
{
    if (!ctx->hs->is_ecdhe || tlcp_hs_key_is_local(ctx, TLCP_CERT_ENC))
        return tlcp_ok();
    S_GUARD(ensure_ephemeral(ctx));
    return tlcp_hs_delegated_kx(ctx);
}

tlcp_status tlcp_hs_client_kx_construct(tlcp_hs_ctx *ctx, tlcp_builder *body)
{
    return tlcp_status_of(ctx->hs->is_ecdhe ? client_kx_ecdhe(ctx, body)
                                            : client_kx_ecc(ctx, body));
}

/* As in the trace: the client derives the master secret after sending CKE. */
tlcp_status tlcp_hs_client_kx_post_work(tlcp_hs_ctx *ctx)
{
    return tlcp_hs_derive_keys(ctx);
}

void tlcp_hs_select_pre_master(uint8_t out[TLCP_PRE_MASTER_LEN], size_t decrypted,
                               const uint8_t plain[TLCP_PRE_MASTER_LEN], size_t plain_len,
                               const uint8_t fallback[TLCP_PRE_MASTER_LEN])
{
    size_t good = tlcp_ct_eq(decrypted, 1) & tlcp_ct_eq(plain_len, TLCP_PRE_MASTER_LEN) &
                  tlcp_ct_eq(plain[0], TLCP_PROTOCOL_VERSION >> 8) &
                  tlcp_ct_eq(plain[1], TLCP_PROTOCOL_VERSION & 0xFF);
    for (size_t i = 0; i < TLCP_PRE_MASTER_LEN; i++)
        out[i] = (uint8_t)tlcp_ct_select(good, plain[i], fallback[i]);
}

/* Decrypts into hs->pre_master without revealing whether it worked. */
static int server_kx_ecc(tlcp_hs_ctx *ctx, const tlcp_client_key_exchange *m)
{
    tlcp_hs *hs = ctx->hs;
    uint8_t fallback[TLCP_PRE_MASTER_LEN];
    uint8_t plain[TLCP_PRE_MASTER_LEN];
    size_t plain_len = 0;
    GUARD(tlcp_random_bytes(fallback, sizeof(fallback), ctx->err));
    memset(plain, 0, sizeof(plain));
    tlcp_error scratch;
    tlcp_error_clear(&scratch);
    size_t decrypted = (size_t)tlcp_sm2_decrypt(
        ctx->cfg.creds->enc.key, tlcp_cursor_data(&m->encrypted_pre_master),
        tlcp_cursor_len(&m->encrypted_pre_master), plain, &plain_len, sizeof(plain), &scratch);
    tlcp_hs_select_pre_master(hs->pre_master, decrypted, plain, plain_len, fallback);
    tlcp_wipe(plain, sizeof(plain));
    tlcp_wipe(fallback, sizeof(fallback));
    tlcp_wipe(&scratch, sizeof(scratch));
    tlcp_hs_trace(ctx, "key schedule: pre-master secret taken from ClientKeyExchange");
    return 1;
}

tlcp_status tlcp_hs_client_kx_process(tlcp_hs_ctx *ctx, tlcp_cursor body)
{
    tlcp_hs *hs = ctx->hs;
    tlcp_client_key_exchange m;
    S_GUARD(tlcp_parse_client_key_exchange(body, hs->is_ecdhe, &m, ctx->err));
    int local = tlcp_hs_key_is_local(ctx, TLCP_CERT_ENC);
    if (!hs->is_ecdhe && local)
        return tlcp_status_of(server_kx_ecc(ctx, &m));
    if (!hs->is_ecdhe) /* delegated: the fallback now, the decryption in post-processing */
        return tlcp_status_of(tlcp_random_bytes(hs->pre_master, TLCP_PRE_MASTER_LEN, ctx->err) &&
                              tlcp_hs_key_op_stash(ctx, tlcp_cursor_data(&m.encrypted_pre_master),
                                                   tlcp_cursor_len(&m.encrypted_pre_master)));
    S_GUARD(load_peer_ephemeral(ctx, m.point, "client"));
    return local ? tlcp_status_of(ecdhe_pre_master(ctx)) : tlcp_ok();
}

/* A delegated enc key decrypts or exchanges here (the driver can suspend
 * this step), then the key schedule. */
tlcp_status tlcp_hs_client_kx_post_process(tlcp_hs_ctx *ctx)
{
    if (!tlcp_hs_key_is_local(ctx, TLCP_CERT_ENC)) {
        tlcp_status s =
            ctx->hs->is_ecdhe ? tlcp_hs_delegated_kx(ctx) : tlcp_hs_delegated_decrypt(ctx);
        if (!tlcp_is_ok(s))
            return s;
    }
    return tlcp_hs_derive_keys(ctx);
}
