/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Certificate and CertificateRequest handlers. We send sign, enc, then the
 * chain; we accept sign/enc/chain and sign/chain/enc (src/x509 tells the
 * leaves apart by key usage) and verify them against the trust store.
 */
#include <string.h>

#include "handshake/ca_names.h"
#include "handshake/handlers.h"
#include "handshake/messages.h"

/* with_enc = 0 leaves the encryption certificate out (sign, chain). */
static int build_own_certificate(tlcp_hs_ctx *ctx, tlcp_builder *body, int with_enc)
{
    const tlcp_credentials *creds = ctx->cfg.creds;
    const uint8_t *ders[TLCP_MAX_CERTS];
    size_t lens[TLCP_MAX_CERTS];
    size_t n = tlcp_credentials_wire_list(creds, ders, lens, TLCP_MAX_CERTS);
    ENSURE_ALERT(n <= TLCP_MAX_CERTS, ctx->err, TLCP_R_CONFIG, TLCP_ALERT_INTERNAL_ERROR,
                 "our certificate list has %zu entries, at most %d fit", n, TLCP_MAX_CERTS);
    if (!with_enc && creds->enc.cert != NULL && n >= 2) {
        /* wire order is sign, enc, chain...: drop entry 1 */
        for (size_t i = 1; i + 1 < n; i++) {
            ders[i] = ders[i + 1];
            lens[i] = lens[i + 1];
        }
        n--;
    }
    return tlcp_build_certificate(body, ders, lens, n);
}

tlcp_status tlcp_hs_server_cert_construct(tlcp_hs_ctx *ctx, tlcp_builder *body)
{
    return tlcp_status_of(build_own_certificate(ctx, body, 1));
}

/* Bridges the x509 layer's hook to the public verify callback. */
static int verify_hook(void *arg, tlcp_verify_result *result, const tlcp_peer_certs *peer)
{
    const tlcp_hs_config *cfg = arg;
    const uint8_t *sign_der = NULL, *enc_der = NULL;
    size_t sign_len = 0, enc_len = 0;
    tlcp_cert_der(peer->sign, &sign_der, &sign_len);
    if (peer->enc != NULL)
        tlcp_cert_der(peer->enc, &enc_der, &enc_len);
    return cfg->verify_cb(cfg->verify_arg, result->ok, result->ok ? "ok" : result->message,
                          sign_der, sign_len, enc_der, enc_len) != 0;
}

/* A server in verify mode OPTIONAL goes on when the client's certificates
 * fail (reported by tlcp_conn_peer_verify_result); every other mode fails
 * the handshake with the error tlcp_verify_peer recorded. */
static int optional_failure(tlcp_hs_ctx *ctx, const tlcp_verify_result *result)
{
    if (!ctx->is_server || ctx->cfg.verify_mode != TLCP_VERIFY_OPTIONAL)
        return 0;
    tlcp_hs_note_verify(ctx, TLCP_PEER_VERIFY_FAILED, result->reason);
    tlcp_hs_trace(ctx,
                  "client certificates failed verification (%s); going on (verify mode optional)",
                  result->message);
    tlcp_error_clear(ctx->err);
    return 1;
}

static int verify_peer(tlcp_hs_ctx *ctx, const tlcp_peer_certs *peer, int require_enc)
{
    const tlcp_hs_config *cfg = &ctx->cfg;
    if (ctx->cfg.verify_mode == TLCP_VERIFY_NONE) {
        tlcp_hs_trace(ctx, "peer certificates not verified (verify mode none)");
        return 1;
    }
    ENSURE_ALERT(cfg->trust != NULL, ctx->err, TLCP_R_CONFIG, TLCP_ALERT_INTERNAL_ERROR,
                 "no trusted CA certificates configured to verify the peer");
    tlcp_verify_params params;
    memset(&params, 0, sizeof(params));
    params.time = (time_t)cfg->verify_time;
    params.host = ctx->is_server ? NULL : cfg->host_name;
    params.require_enc = require_enc;
    params.peer_role = ctx->is_server ? TLCP_PEER_CLIENT : TLCP_PEER_SERVER;
    if (cfg->verify_cb != NULL) {
        params.cb = verify_hook;
        params.cb_arg = (void *)cfg;
    }
    tlcp_verify_result result;
    if (!tlcp_verify_peer(cfg->trust, peer, &params, &result, ctx->err))
        return optional_failure(ctx, &result);
    /* Accepted; by the checks or only by the callback (result.ok = 0). */
    tlcp_hs_note_verify(ctx, result.ok ? TLCP_PEER_VERIFIED : TLCP_PEER_VERIFY_OVERRIDDEN,
                        result.reason);
    ctx->hs->peer_verified = result.ok;
    ctx->hs->peer_verify_overridden = !result.ok;
    ctx->hs->peer_verify_reason = result.reason;
    if (!result.ok)
        tlcp_hs_trace(ctx,
                      "peer certificates failed verification (%s); accepted by the "
                      "verify callback",
                      result.message);
    tlcp_hs_trace(ctx, "peer certificates verified: sign \"%s\"%s%s%s",
                  tlcp_cert_subject(peer->sign), peer->enc ? ", enc \"" : "",
                  peer->enc ? tlcp_cert_subject(peer->enc) : "", peer->enc ? "\"" : "");
    return 1;
}

/* Keeps the leaves for the getters and their keys for the handshake. */
static int take_peer_keys(tlcp_hs_ctx *ctx, const tlcp_peer_certs *peer)
{
    tlcp_hs *hs = ctx->hs;
    hs->peer_sign_key = tlcp_cert_public_key(peer->sign, ctx->err);
    GUARD_PTR(hs->peer_sign_key);
    if (peer->enc != NULL) {
        hs->peer_enc_key = tlcp_cert_public_key(peer->enc, ctx->err);
        GUARD_PTR(hs->peer_enc_key);
        ctx->peer_cert[TLCP_CERT_ENC] = tlcp_cert_up_ref(peer->enc);
    }
    ctx->peer_cert[TLCP_CERT_SIGN] = tlcp_cert_up_ref(peer->sign);
    return 1;
}

/* Parses, classifies and verifies a peer's non-empty list. */
static int process_peer_list(tlcp_hs_ctx *ctx, const tlcp_certificate_msg *m, int require_enc)
{
    const uint8_t *ders[TLCP_MAX_CERTS];
    size_t lens[TLCP_MAX_CERTS];
    for (size_t i = 0; i < m->num_certs; i++) {
        ders[i] = tlcp_cursor_data(&m->certs[i]);
        lens[i] = tlcp_cursor_len(&m->certs[i]);
    }
    tlcp_peer_certs peer;
    memset(&peer, 0, sizeof(peer));
    GUARD(tlcp_peer_certs_parse(&peer, ders, lens, m->num_certs, ctx->err));
    int ok = 1;
    if (require_enc && peer.enc == NULL) {
        TLCP_ERR_ALERT(ctx->err, TLCP_R_CERT, TLCP_ALERT_BAD_CERTIFICATE,
                       "peer sent no encryption certificate");
        ok = 0;
    }
    ok = ok && verify_peer(ctx, &peer, require_enc);
    ok = ok && take_peer_keys(ctx, &peer);
    tlcp_peer_certs_clear(&peer);
    /* Where the encryption key is used (pre-master encryption, SM2 key
     * exchange) it must not be the signing key: one dual-use certificate
     * sent twice would merge the two roles TLCP keeps apart. (A GmSSL 2
     * client sends its sign key twice for ECC client auth; there the enc
     * certificate is unused, so it is tolerated.) */
    ENSURE_ALERT(!ok || !require_enc ||
                     !tlcp_pkey_public_equal(ctx->hs->peer_sign_key, ctx->hs->peer_enc_key),
                 ctx->err, TLCP_R_CERT, TLCP_ALERT_BAD_CERTIFICATE,
                 "peer signing and encryption certificates certify the same key");
    return ok;
}

tlcp_status tlcp_hs_server_cert_process(tlcp_hs_ctx *ctx, tlcp_cursor body)
{
    tlcp_certificate_msg m;
    S_GUARD(tlcp_parse_certificate(body, &m, ctx->err));
    S_ENSURE_ALERT(m.num_certs >= 2, ctx->err, TLCP_R_CERT, TLCP_ALERT_BAD_CERTIFICATE,
                   "server sent %zu certificate(s); TLCP needs a signing and an encryption "
                   "certificate",
                   m.num_certs);
    return tlcp_status_of(process_peer_list(ctx, &m, 1));
}

tlcp_status tlcp_hs_cert_request_construct(tlcp_hs_ctx *ctx, tlcp_builder *body)
{
    /* certificate_types {ecdsa_sign(64)}: what GmSSL 3's client requires. */
    static const uint8_t types[] = {TLCP_CERT_TYPE_ECDSA_SIGN};
    /* certificate_authorities: the CAs loaded from CA files (GmSSL 3's
     * client insists on finding its issuer there). */
    const tlcp_cert_list *cas = ctx->cfg.ca_list;
    const uint8_t *names[TLCP_X509_MAX_LIST];
    size_t lens[TLCP_X509_MAX_LIST];
    size_t n = 0;
    for (size_t i = 0; i < cas->num && n < TLCP_X509_MAX_LIST; i++) {
        const uint8_t *der;
        size_t der_len;
        tlcp_cursor name;
        tlcp_cert_der(cas->certs[i], &der, &der_len);
        if (!tlcp_cert_subject_name(der, der_len, &name))
            continue;
        names[n] = tlcp_cursor_data(&name);
        lens[n++] = tlcp_cursor_len(&name);
    }
    return tlcp_status_of(
        tlcp_build_certificate_request(body, types, sizeof(types), names, lens, n));
}

tlcp_status tlcp_hs_cert_request_process(tlcp_hs_ctx *ctx, tlcp_cursor body)
{
    tlcp_certificate_request m;
    S_GUARD(tlcp_parse_certificate_request(body, &m, ctx->err));
    tlcp_hs *hs = ctx->hs;
    const tlcp_credentials *creds = ctx->cfg.creds;
    hs->cert_requested = 1;
    int have_sign = creds != NULL && creds->sign.cert != NULL;
    int have_enc = creds != NULL && creds->enc.cert != NULL;
    /* ECDHE needs our encryption pair as the static key-exchange key. */
    hs->send_client_cert = have_sign && (!hs->is_ecdhe || have_enc);
    S_ENSURE_ALERT(!hs->is_ecdhe || hs->send_client_cert, ctx->err, TLCP_R_CONFIG,
                   TLCP_ALERT_HANDSHAKE_FAILURE,
                   "ECDHE needs a client signing and encryption certificate, none configured");
    tlcp_hs_trace(ctx, "server requested a client certificate; %s",
                  hs->send_client_cert ? "sending ours" : "we have none");
    return tlcp_ok();
}

/* Whether our ECC client list carries the encryption certificate. Tongsuo
 * and GmSSL 2 servers refuse a list without it ("no certificates returned");
 * GmSSL 3 verifies the list as one chain and refuses one with it. Unless set
 * explicitly, the GmSSL 3 CertificateVerify form selects the GmSSL 3 list. */
static int ecc_client_list_has_enc(const tlcp_hs_config *cfg)
{
    if (cfg->client_cert_list != 0)
        return cfg->client_cert_list == TLCP_CLIENT_CERTS_SIGN_ENC;
    return cfg->cv_form != TLCP_CV_GMSSL3_RAW;
}

tlcp_status tlcp_hs_client_cert_construct(tlcp_hs_ctx *ctx, tlcp_builder *body)
{
    if (!ctx->hs->send_client_cert)
        return tlcp_status_of(tlcp_build_certificate(body, NULL, NULL, 0));
    /* ECDHE always needs the encryption certificate: its key is the static
     * key-exchange key. */
    const tlcp_credentials *creds = ctx->cfg.creds;
    int with_enc =
        creds->enc.cert != NULL && (ctx->hs->is_ecdhe || ecc_client_list_has_enc(&ctx->cfg));
    tlcp_hs_trace(ctx, "sending client certificates: sign%s, %zu chain", with_enc ? ", enc" : "",
                  tlcp_credentials_chain_count(creds));
    return tlcp_status_of(build_own_certificate(ctx, body, with_enc));
}

tlcp_status tlcp_hs_client_cert_process(tlcp_hs_ctx *ctx, tlcp_cursor body)
{
    tlcp_hs *hs = ctx->hs;
    tlcp_certificate_msg m;
    S_GUARD(tlcp_parse_certificate(body, &m, ctx->err));
    hs->peer_cert_seen = 1;
    if (m.num_certs == 0) {
        S_ENSURE_ALERT(ctx->cfg.verify_mode != TLCP_VERIFY_REQUIRED && !hs->is_ecdhe, ctx->err,
                       TLCP_R_HANDSHAKE_FAILURE, TLCP_ALERT_HANDSHAKE_FAILURE,
                       "client sent no certificate but one is required");
        hs->peer_sent_cert = 0;
        if (ctx->cfg.verify_mode == TLCP_VERIFY_OPTIONAL)
            tlcp_hs_note_verify(ctx, TLCP_PEER_NO_CERT, TLCP_R_NO_PEER_CERT);
        tlcp_transcript_drop_raw(&hs->transcript);
        return tlcp_ok();
    }
    hs->peer_sent_cert = 1;
    return tlcp_status_of(process_peer_list(ctx, &m, hs->is_ecdhe));
}
