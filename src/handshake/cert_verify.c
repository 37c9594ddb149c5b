/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CertificateVerify: SM2 signature (default ID) over SM3 of the handshake
 * messages so far, the "double hash" of Tongsuo, gotlcp, GmSSL 3.1.1 and
 * the test centre (tlcp-protocol.md §2.9, D2). GmSSL 3 master and GmSSL 2
 * differ; the config picks the form a client sends and the forms a server
 * accepts (enum tlcp_cert_verify_form).
 */
#include "handshake/handlers.h"
#include "handshake/key_op.h"
#include "handshake/messages.h"

/* A delegated signing key signs in the pre-work (the driver can suspend
 * it); the same data as below, per form. */
tlcp_status tlcp_hs_cert_verify_pre_work(tlcp_hs_ctx *ctx)
{
    if (tlcp_hs_key_is_local(ctx, TLCP_CERT_SIGN))
        return tlcp_ok();
    uint8_t hash[TLCP_SM3_DIGEST_LEN];
    S_GUARD(tlcp_transcript_hash(&ctx->hs->transcript, hash, ctx->err));
    if (ctx->cfg.cv_form == TLCP_CV_GMSSL2)
        return tlcp_hs_delegated_sign(ctx, NULL, 0, 0, hash);
    if (ctx->cfg.cv_form == TLCP_CV_GMSSL3_RAW) {
        size_t len = 0;
        const uint8_t *raw = tlcp_transcript_raw(&ctx->hs->transcript, &len);
        S_ENSURE_ALERT(raw != NULL, ctx->err, TLCP_R_INTERNAL, TLCP_ALERT_INTERNAL_ERROR,
                       "handshake messages were not kept for the raw CertificateVerify");
        return tlcp_hs_delegated_sign(ctx, raw, len, 1, NULL);
    }
    return tlcp_hs_delegated_sign(ctx, hash, sizeof(hash), 1, NULL);
}

tlcp_status tlcp_hs_cert_verify_construct(tlcp_hs_ctx *ctx, tlcp_builder *body)
{
    if (!tlcp_hs_key_is_local(ctx, TLCP_CERT_SIGN)) {
        size_t len = 0;
        const uint8_t *sig = tlcp_hs_key_op_take(ctx, &len);
        tlcp_transcript_drop_raw(&ctx->hs->transcript);
        S_ENSURE_ALERT(sig != NULL, ctx->err, TLCP_R_INTERNAL, TLCP_ALERT_INTERNAL_ERROR,
                       "no delegated CertificateVerify signature");
        return tlcp_status_of(tlcp_build_certificate_verify(body, sig, len));
    }
    uint8_t hash[TLCP_SM3_DIGEST_LEN];
    uint8_t sig[TLCP_SM2_MAX_SIG_LEN];
    size_t sig_len = 0;
    const uint8_t *msg = hash;
    size_t msg_len = sizeof(hash);
    S_GUARD(tlcp_transcript_hash(&ctx->hs->transcript, hash, ctx->err));
    const tlcp_pkey *key = ctx->cfg.creds->sign.key;
    if (ctx->cfg.cv_form == TLCP_CV_GMSSL2) {
        /* GmSSL 2: the hash itself is e, without Z. */
        S_GUARD(tlcp_sm2_sign_digest(key, hash, sig, &sig_len, sizeof(sig), ctx->err));
        return tlcp_status_of(tlcp_build_certificate_verify(body, sig, sig_len));
    }
    if (ctx->cfg.cv_form == TLCP_CV_GMSSL3_RAW) {
        /* GmSSL 3 master: the signature covers the messages themselves. */
        msg = tlcp_transcript_raw(&ctx->hs->transcript, &msg_len);
        S_ENSURE_ALERT(msg != NULL, ctx->err, TLCP_R_INTERNAL, TLCP_ALERT_INTERNAL_ERROR,
                       "handshake messages were not kept for the raw CertificateVerify");
    }
    int ok = tlcp_sm2_sign(key, NULL, 0, msg, msg_len, sig, &sig_len, sizeof(sig), ctx->err);
    tlcp_transcript_drop_raw(&ctx->hs->transcript);
    S_GUARD(ok);
    return tlcp_status_of(tlcp_build_certificate_verify(body, sig, sig_len));
}

/* GmSSL 3 master signs the raw handshake messages instead of their hash
 * (tlcp-protocol.md D2, GmSSL issue #1917). A server accepts that form too
 * unless configured strict, so GmSSL 3 clients can authenticate. */
static int verify_raw_convention(tlcp_hs_ctx *ctx, const tlcp_certificate_verify *m)
{
    size_t len = 0;
    const uint8_t *raw = tlcp_transcript_raw(&ctx->hs->transcript, &len);
    if (raw == NULL)
        return 0;
    tlcp_error scratch;
    tlcp_error_clear(&scratch);
    int ok =
        tlcp_sm2_verify(ctx->hs->peer_sign_key, NULL, 0, raw, len, tlcp_cursor_data(&m->signature),
                        tlcp_cursor_len(&m->signature), &scratch);
    if (ok)
        tlcp_hs_trace(ctx, "client CertificateVerify signs the raw handshake messages "
                           "(GmSSL 3 convention); accepted");
    return ok;
}

/* GmSSL 2 signs with e = SM3(handshake messages) directly, no Z. Same key:
 * the client's sign certificate, never its enc certificate. */
static int verify_gmssl2_convention(tlcp_hs_ctx *ctx, const uint8_t hash[TLCP_SM3_DIGEST_LEN],
                                    const tlcp_certificate_verify *m)
{
    tlcp_error scratch;
    tlcp_error_clear(&scratch);
    int ok = tlcp_sm2_verify_digest(ctx->hs->peer_sign_key, hash, tlcp_cursor_data(&m->signature),
                                    tlcp_cursor_len(&m->signature), &scratch);
    if (ok)
        tlcp_hs_trace(ctx, "client CertificateVerify signs SM3(handshake messages) without Z "
                           "(GmSSL 2 convention); accepted");
    return ok;
}

/* The non-standard forms the config accepts, tried after the standard one. */
static int verify_other_conventions(tlcp_hs_ctx *ctx, const uint8_t hash[TLCP_SM3_DIGEST_LEN],
                                    const tlcp_certificate_verify *m)
{
    unsigned accept = ctx->cfg.cv_accept;
    return ((accept & TLCP_CV_GMSSL2) != 0 && verify_gmssl2_convention(ctx, hash, m)) ||
           ((accept & TLCP_CV_GMSSL3_RAW) != 0 && verify_raw_convention(ctx, m));
}

tlcp_status tlcp_hs_cert_verify_process(tlcp_hs_ctx *ctx, tlcp_cursor body)
{
    tlcp_certificate_verify m;
    S_GUARD(tlcp_parse_certificate_verify(body, &m, ctx->err));
    S_ENSURE_ALERT(ctx->hs->peer_sign_key != NULL, ctx->err, TLCP_R_UNEXPECTED_MESSAGE,
                   TLCP_ALERT_UNEXPECTED_MESSAGE, "CertificateVerify without a client certificate");
    uint8_t hash[TLCP_SM3_DIGEST_LEN];
    S_GUARD(tlcp_transcript_hash(&ctx->hs->transcript, hash, ctx->err));
    tlcp_error sig_err;
    tlcp_error_clear(&sig_err);
    int ok =
        tlcp_sm2_verify(ctx->hs->peer_sign_key, NULL, 0, hash, sizeof(hash),
                        tlcp_cursor_data(&m.signature), tlcp_cursor_len(&m.signature), &sig_err) ||
        verify_other_conventions(ctx, hash, &m);
    tlcp_transcript_drop_raw(&ctx->hs->transcript);
    S_ENSURE_ALERT(ok, ctx->err, TLCP_R_BAD_SIGNATURE, TLCP_ALERT_DECRYPT_ERROR,
                   "CertificateVerify signature does not verify with the client's signing "
                   "certificate (%s)",
                   tlcp_error_message(&sig_err));
    tlcp_hs_trace(ctx, "client CertificateVerify verified");
    return tlcp_ok();
}
