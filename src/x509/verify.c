/* SPDX-License-Identifier: Apache-2.0 */
/* Verifying a peer's classified certificates: chains, key usage, host name, user hook. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "x509/store_internal.h"

static const char *leaf_name(int leaf)
{
    return leaf == TLCP_LEAF_ENC ? "encryption" : "signing";
}

static void result_init(tlcp_verify_result *r)
{
    memset(r, 0, sizeof(*r));
    r->ok = 1;
    r->reason = TLCP_R_NONE;
    r->alert = TLCP_NO_ALERT;
    r->depth = -1;
    r->leaf = TLCP_LEAF_NONE;
}

/* Records a failure in the result; always returns 0. */
__attribute__((format(printf, 5, 6))) static int fail(tlcp_verify_result *r, int reason, int alert,
                                                      int leaf, const char *fmt, ...)
{
    r->ok = 0;
    r->reason = reason;
    r->alert = alert;
    r->leaf = leaf;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->message, sizeof(r->message), fmt, ap);
    va_end(ap);
    return 0;
}

/* The alert a TLS peer expects for each chain-building failure. */
static int alert_for_x509_error(int code)
{
    switch (code) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID:
        return TLCP_ALERT_CERTIFICATE_EXPIRED;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_CERT_UNTRUSTED:
    case X509_V_ERR_INVALID_CA:
        return TLCP_ALERT_UNKNOWN_CA;
    case X509_V_ERR_CERT_REVOKED:
        return TLCP_ALERT_CERTIFICATE_REVOKED;
    case X509_V_ERR_INVALID_PURPOSE:
        return TLCP_ALERT_UNSUPPORTED_CERTIFICATE;
    default:
        return TLCP_ALERT_BAD_CERTIFICATE;
    }
}

static int chain_failed(tlcp_verify_result *r, X509_STORE_CTX *ctx, int leaf)
{
    int code = X509_STORE_CTX_get_error(ctx);
    char subject[512] = "(unknown certificate)";
    X509 *cur = X509_STORE_CTX_get_current_cert(ctx);
    if (cur != NULL)
        tlcp_x509_name_line(X509_get_subject_name(cur), subject, sizeof(subject));
    int alert = alert_for_x509_error(code);
    int reason = tlcp_x509_crl_reason(code, &alert);
    if (reason != TLCP_R_NONE)
        fail(r, reason, alert, leaf,
             "certificate verification failed: %s: %s (in the chain of the peer's %s certificate)",
             X509_verify_cert_error_string(code), subject, leaf_name(leaf));
    else
        fail(r, TLCP_R_CERT_VERIFY_FAILED, alert, leaf, "certificate verification failed: %s: %s",
             X509_verify_cert_error_string(code), subject);
    r->x509_error = code;
    r->depth = X509_STORE_CTX_get_error_depth(ctx);
    return 0;
}

/* One leaf up to a trusted CA, with the peer's other certificates as untrusted
 * intermediates. */
static int verify_chain(const tlcp_trust_store *store, const tlcp_peer_certs *peer,
                        const tlcp_cert *leaf_cert, int leaf, time_t when, tlcp_verify_result *r)
{
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    STACK_OF(X509) *untrusted = sk_X509_new_null();
    int ok = ctx != NULL && untrusted != NULL;
    for (size_t i = 0; ok && i < peer->chain.num; i++)
        ok = sk_X509_push(untrusted, tlcp_cert_x509(peer->chain.certs[i])) > 0;
    ok = ok && X509_STORE_CTX_init(ctx, store->store, tlcp_cert_x509(leaf_cert), untrusted);
    if (!ok) {
        char detail[160];
        tlcp_x509_openssl_detail(detail, sizeof(detail));
        fail(r, TLCP_R_INTERNAL, TLCP_ALERT_INTERNAL_ERROR, leaf,
             "cannot set up certificate verification (%s)", detail);
    } else {
        if (when != 0)
            X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), when);
        /* CRL checks and partial chains (crl.c) when the store asks for them. */
        if (store->vflags != 0)
            X509_VERIFY_PARAM_set_flags(X509_STORE_CTX_get0_param(ctx), store->vflags);
        if (store->vflags & X509_V_FLAG_CRL_CHECK)
            X509_STORE_CTX_set_verify_cb(ctx, tlcp_x509_crl_verify_cb);
        X509_STORE_CTX_set_app_data(ctx, (void *)store);
        /* Signatures and dates with libtlcp's SM2 (chain_verify.c); the
         * rest of the path checks stay OpenSSL's. */
        if (tlcp_x509_own_chain_checks()) {
            X509_STORE_CTX_set_verify(ctx, tlcp_x509_chain_verify);
        }
        ok = X509_verify_cert(ctx) == 1;
        if (!ok)
            chain_failed(r, ctx, leaf);
        ERR_clear_error();
    }
    X509_STORE_CTX_free(ctx);
    sk_X509_free(untrusted); /* the certificates stay owned by `peer` */
    return ok;
}

static int check_sm2(const tlcp_cert *cert, int leaf, tlcp_verify_result *r)
{
    if (tlcp_cert_is_sm2(cert))
        return 1;
    return fail(r, TLCP_R_CERT, TLCP_ALERT_UNSUPPORTED_CERTIFICATE, leaf,
                "peer %s certificate does not hold an SM2 key: %s", leaf_name(leaf),
                tlcp_cert_subject(cert));
}

/* extendedKeyUsage bits a peer in `role` may have (any one of them). */
static uint32_t xku_for_role(int role)
{
    switch (role) {
    case TLCP_PEER_SERVER:
        return XKU_SSL_SERVER | XKU_ANYEKU;
    case TLCP_PEER_CLIENT:
        return XKU_SSL_CLIENT | XKU_ANYEKU;
    default:
        return XKU_SSL_SERVER | XKU_SSL_CLIENT | XKU_ANYEKU;
    }
}

static const char *xku_wanted(int role)
{
    switch (role) {
    case TLCP_PEER_SERVER:
        return "serverAuth";
    case TLCP_PEER_CLIENT:
        return "clientAuth";
    default:
        return "serverAuth or clientAuth";
    }
}

static int check_key_usage(const tlcp_cert *cert, int leaf, int role, tlcp_verify_result *r)
{
    int present = 0;
    unsigned ku = tlcp_cert_key_usage(cert, &present);
    const char *subject = tlcp_cert_subject(cert);
    if (present && (ku & TLCP_KU_KEY_CERT_SIGN))
        return fail(r, TLCP_R_CERT_KEY_USAGE, TLCP_ALERT_UNSUPPORTED_CERTIFICATE, leaf,
                    "peer %s certificate is a CA certificate (keyCertSign): %s", leaf_name(leaf),
                    subject);
    if (leaf == TLCP_LEAF_SIGN && present && !(ku & TLCP_KU_DIGITAL_SIGNATURE))
        return fail(r, TLCP_R_CERT_KEY_USAGE, TLCP_ALERT_UNSUPPORTED_CERTIFICATE, leaf,
                    "peer signing certificate lacks digitalSignature: %s", subject);
    if (leaf == TLCP_LEAF_ENC && present && !(ku & TLCP_KU_ENC_ANY))
        return fail(r, TLCP_R_CERT_KEY_USAGE, TLCP_ALERT_UNSUPPORTED_CERTIFICATE, leaf,
                    "peer encryption certificate lacks keyEncipherment/keyAgreement: %s", subject);
    /* UINT32_MAX: no extendedKeyUsage extension, anything goes. */
    uint32_t xku = X509_get_extended_key_usage(tlcp_cert_x509(cert));
    ERR_clear_error();
    /* A server must not authenticate with a certificate issued only for
     * client authentication (and the other way round). */
    if (xku != UINT32_MAX && !(xku & xku_for_role(role)))
        return fail(r, TLCP_R_CERT_KEY_USAGE, TLCP_ALERT_UNSUPPORTED_CERTIFICATE, leaf,
                    "peer %s certificate's extendedKeyUsage does not allow %s: %s", leaf_name(leaf),
                    xku_wanted(role), subject);
    return 1;
}

static int check_host(const tlcp_cert *sign, const char *host, tlcp_verify_result *r)
{
    tlcp_error local;
    tlcp_error_clear(&local);
    if (tlcp_cert_check_host(sign, host, &local))
        return 1;
    return fail(r, local.reason,
                local.alert != TLCP_NO_ALERT ? local.alert : TLCP_ALERT_BAD_CERTIFICATE,
                TLCP_LEAF_SIGN, "%s", local.message);
}

/* Every built-in check in order; stops at the first failure. */
static int run_checks(const tlcp_trust_store *store, const tlcp_peer_certs *peer,
                      const tlcp_verify_params *p, tlcp_verify_result *r)
{
    if (peer == NULL || peer->sign == NULL)
        return fail(r, TLCP_R_CERT, TLCP_ALERT_BAD_CERTIFICATE, TLCP_LEAF_NONE,
                    "peer sent no certificates");
    if (p->require_enc && peer->enc == NULL)
        return fail(r, TLCP_R_CERT, TLCP_ALERT_BAD_CERTIFICATE, TLCP_LEAF_ENC,
                    "peer sent no encryption certificate (only %s)", tlcp_cert_subject(peer->sign));
    GUARD(check_sm2(peer->sign, TLCP_LEAF_SIGN, r));
    if (peer->enc != NULL)
        GUARD(check_sm2(peer->enc, TLCP_LEAF_ENC, r));
    if (store == NULL)
        return fail(r, TLCP_R_CERT_VERIFY_FAILED, TLCP_ALERT_UNKNOWN_CA, TLCP_LEAF_NONE,
                    "certificate verification failed: no trusted CA certificates configured");
    GUARD(verify_chain(store, peer, peer->sign, TLCP_LEAF_SIGN, p->time, r));
    if (peer->enc != NULL)
        GUARD(verify_chain(store, peer, peer->enc, TLCP_LEAF_ENC, p->time, r));
    GUARD(check_key_usage(peer->sign, TLCP_LEAF_SIGN, p->peer_role, r));
    if (peer->enc != NULL)
        GUARD(check_key_usage(peer->enc, TLCP_LEAF_ENC, p->peer_role, r));
    if (p->host != NULL)
        GUARD(check_host(peer->sign, p->host, r));
    return 1;
}

int tlcp_verify_peer(const tlcp_trust_store *store, const tlcp_peer_certs *peer,
                     const tlcp_verify_params *params, tlcp_verify_result *out, tlcp_error *err)
{
    static const tlcp_verify_params defaults = {0, NULL, 0, NULL, NULL, TLCP_PEER_ANY};
    const tlcp_verify_params *p = params != NULL ? params : &defaults;
    tlcp_verify_result local;
    tlcp_verify_result *r = out != NULL ? out : &local;
    result_init(r);
    int accepted = run_checks(store, peer, p, r);
    if (p->cb != NULL && peer != NULL) {
        int checks_ok = r->ok;
        accepted = p->cb(p->cb_arg, r, peer) != 0;
        if (!accepted && checks_ok) {
            int alert = r->alert != TLCP_NO_ALERT ? r->alert : TLCP_ALERT_BAD_CERTIFICATE;
            fail(r, TLCP_R_CERT_VERIFY_FAILED, alert, TLCP_LEAF_NONE,
                 "certificate rejected by the verify callback: %s", tlcp_cert_subject(peer->sign));
        }
    }
    if (!accepted) {
        int alert = r->alert != TLCP_NO_ALERT ? r->alert : TLCP_ALERT_BAD_CERTIFICATE;
        TLCP_ERR_ALERT(err, r->reason != TLCP_R_NONE ? r->reason : TLCP_R_CERT_VERIFY_FAILED, alert,
                       "%s", r->message);
    }
    return accepted;
}
