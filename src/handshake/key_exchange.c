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
 */
#include <string.h>

#include "handshake/handlers.h"
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

/* ECDHE: a fresh ephemeral key and its ServerECDHParams. */
static int make_ecdh_params(tlcp_hs_ctx *ctx, tlcp_builder *params)
{
    tlcp_hs *hs = ctx->hs;
    uint8_t point[TLCP_SM2_POINT_LEN];
    hs->eph_key = tlcp_pkey_generate(ctx->err);
    GUARD_PTR(hs->eph_key);
    GUARD(tlcp_pkey_get_point(hs->eph_key, point, ctx->err));
    return tlcp_build_ecdh_params(params, point);
}

tlcp_status tlcp_hs_server_kx_construct(tlcp_hs_ctx *ctx, tlcp_builder *body)
{
    uint8_t params_mem[TLCP_ECDH_PARAMS_LEN + 8];
    tlcp_builder params;
    tlcp_builder_init_fixed(&params, params_mem, sizeof(params_mem));
    if (ctx->hs->is_ecdhe)
        S_GUARD(make_ecdh_params(ctx, &params) && tlcp_builder_flush(&params));

    tlcp_builder tbs;
    S_ENSURE_ALERT(tlcp_builder_init(&tbs, 1024, 0), ctx->err, TLCP_R_ALLOC,
                   TLCP_ALERT_INTERNAL_ERROR, "out of memory");
    uint8_t sig[TLCP_SM2_MAX_SIG_LEN];
    size_t sig_len = 0;
    int ok =
        build_signed_params(ctx, tlcp_builder_data(&params), tlcp_builder_len(&params), &tbs) &&
        tlcp_builder_flush(&tbs);
    ok = ok && tlcp_sm2_sign(ctx->cfg.creds->sign.key, NULL, 0, tlcp_builder_data(&tbs),
                             tlcp_builder_len(&tbs), sig, &sig_len, sizeof(sig), ctx->err);
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
    hs->eph_key = tlcp_pkey_generate(ctx->err);
    GUARD_PTR(hs->eph_key);
    GUARD(tlcp_pkey_get_point(hs->eph_key, point, ctx->err));
    GUARD(ecdhe_pre_master(ctx));
    /* Form A (69 bytes, no length prefix: Tongsuo, gotlcp, GmSSL 2) unless
     * configured for form B (u16 prefix: GmSSL 3). */
    return tlcp_build_client_key_exchange_ecdhe(body, point, ctx->cfg.ecdhe_cke_prefixed);
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
    if (!hs->is_ecdhe)
        return tlcp_status_of(server_kx_ecc(ctx, &m));
    S_GUARD(load_peer_ephemeral(ctx, m.point, "client"));
    return tlcp_status_of(ecdhe_pre_master(ctx));
}

tlcp_status tlcp_hs_client_kx_post_process(tlcp_hs_ctx *ctx)
{
    return tlcp_hs_derive_keys(ctx);
}
