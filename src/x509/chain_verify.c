/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The signature and validity-time checks of a built chain with libtlcp's SM2
 * (src/crypto), installed as the X509_STORE_CTX "verify" step in place of
 * OpenSSL's own: OpenSSL still builds the path and checks usages,
 * constraints, trust and policy; this walks the chain from the top as
 * OpenSSL 3 does, and reports every failure the way it does (error code,
 * depth and current certificate set, then the verify callback asked), so
 * callers see the same verdicts and codes (tests/unit/test_x509_chain_diff.c).
 */
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "crypto/crypto.h"
#include "x509/store_internal.h"

#if defined(TLCP_TESTING)
#include <stdlib.h>
#endif

/* ---- which path ------------------------------------------------------- */

#if defined(TLCP_TESTING) && !defined(TLCP_SM2_EVP_ONLY)
static int g_force_openssl = -1; /* -1: not yet read from the environment */

void tlcp_x509_force_openssl_chain_checks(int on)
{
    g_force_openssl = on ? 1 : 0;
}
#endif

int tlcp_x509_own_chain_checks(void)
{
#if defined(TLCP_SM2_EVP_ONLY)
    return 0; /* the OpenSSL-only build (TLCP_SM2_EVP=ON) */
#elif defined(TLCP_TESTING)
    if (g_force_openssl < 0) {
        const char *env = getenv("TLCP_TEST_SM2_EVP");
        g_force_openssl = env != NULL && env[0] != '\0' && strcmp(env, "0") != 0;
    }
    return !g_force_openssl;
#else
    return 1;
#endif
}

/* ---- reporting as OpenSSL's internal_verify does ---------------------- */

/* Sets error (unless X509_V_OK), depth and current certificate, then asks
 * the verify callback whether to go on. */
static int report(X509_STORE_CTX *ctx, X509 *x, int depth, int error)
{
    X509_STORE_CTX_set_error_depth(ctx, depth);
    X509_STORE_CTX_set_current_cert(ctx, x);
    if (error != X509_V_OK)
        X509_STORE_CTX_set_error(ctx, error);
    X509_STORE_CTX_verify_cb cb = X509_STORE_CTX_get_verify_cb(ctx);
    return cb != NULL ? cb(error == X509_V_OK, ctx) : error == X509_V_OK;
}

/* ---- validity ---------------------------------------------------------- */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Seconds since the epoch of a certificate time in the only forms RFC 5280
 * allows (UTCTime YYMMDDHHMMSSZ, GeneralizedTime YYYYMMDDHHMMSSZ), as
 * OpenSSL's X509_cmp_time insists; 0 for anything else. */
static int cert_time(const ASN1_TIME *t, int64_t *out)
{
    int type = ASN1_STRING_type(t), len = ASN1_STRING_length(t);
    const unsigned char *s = ASN1_STRING_get0_data(t);
    int want = type == V_ASN1_UTCTIME ? 13 : type == V_ASN1_GENERALIZEDTIME ? 15 : -1;
    if (len != want || s[len - 1] != 'Z')
        return 0;
    for (int i = 0; i < len - 1; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    struct tm tm;
    if (ASN1_TIME_to_tm(t, &tm) != 1) /* checks month, day, hour ... ranges */
        return 0;
    *out =
        days_from_civil((int64_t)tm.tm_year + 1900, (unsigned)tm.tm_mon + 1, (unsigned)tm.tm_mday) *
            86400 +
        tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
    return 1;
}

/* notBefore <= when < notAfter... as OpenSSL counts: valid from notBefore
 * inclusive, expired once notAfter <= when. */
static int check_time(X509_STORE_CTX *ctx, X509 *x, int depth)
{
    X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(ctx);
    unsigned long flags = X509_VERIFY_PARAM_get_flags(param);
    if ((flags & X509_V_FLAG_USE_CHECK_TIME) == 0 && (flags & X509_V_FLAG_NO_CHECK_TIME) != 0)
        return 1;
    int64_t when = (flags & X509_V_FLAG_USE_CHECK_TIME) != 0
                       ? (int64_t)X509_VERIFY_PARAM_get_time(param)
                       : (int64_t)time(NULL);
    int64_t t;
    if (!cert_time(X509_get0_notBefore(x), &t)) {
        if (!report(ctx, x, depth, X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD))
            return 0;
    } else if (t > when && !report(ctx, x, depth, X509_V_ERR_CERT_NOT_YET_VALID)) {
        return 0;
    }
    if (!cert_time(X509_get0_notAfter(x), &t)) {
        if (!report(ctx, x, depth, X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD))
            return 0;
    } else if (t <= when && !report(ctx, x, depth, X509_V_ERR_CERT_HAS_EXPIRED)) {
        return 0;
    }
    return 1;
}

/* ---- signatures --------------------------------------------------------- */

/* One DER header at p[0..len): *hdr = its size, *body = the content size. */
static int der_header(const uint8_t *p, size_t len, uint8_t tag, size_t *hdr, size_t *body)
{
    if (len < 2 || p[0] != tag)
        return 0;
    if (p[1] < 0x80) {
        *hdr = 2;
        *body = p[1];
    } else {
        size_t n = p[1] & 0x7f;
        if (n == 0 || n > 4 || len < 2 + n)
            return 0;
        size_t v = 0;
        for (size_t i = 0; i < n; i++)
            v = (v << 8) | p[2 + i];
        *hdr = 2 + n;
        *body = v;
    }
    return *body <= len - *hdr;
}

/* The TBSCertificate bytes (tag and length included) inside a
 * Certificate's DER, as they were signed (also a CRL's TBSCertList). */
int tlcp_x509_tbs_span(const uint8_t *der, size_t len, const uint8_t **tbs, size_t *tbs_len)
{
    size_t hdr, body, inner_hdr, inner_body;
    if (!der_header(der, len, 0x30, &hdr, &body) ||
        !der_header(der + hdr, body, 0x30, &inner_hdr, &inner_body))
        return 0;
    *tbs = der + hdr;
    *tbs_len = inner_hdr + inner_body;
    return 1;
}

/* SM2-with-SM3, the same AlgorithmIdentifier inside the TBS as outside (a
 * certificate whose two disagree is refused: RFC 5280 4.1.1.2). */
static int sm2_sig_alg(X509 *x)
{
    const X509_ALGOR *outer = NULL;
    const ASN1_BIT_STRING *sig = NULL;
    X509_get0_signature(&sig, &outer, x);
    if (X509_ALGOR_cmp(outer, X509_get0_tbs_sigalg(x)) != 0)
        return 0;
    const ASN1_OBJECT *oid = NULL;
    int ptype = 0;
    const void *pval = NULL;
    X509_ALGOR_get0(&oid, &ptype, &pval, outer);
    return OBJ_obj2nid(oid) == NID_SM2_with_SM3 && (ptype == V_ASN1_UNDEF || ptype == V_ASN1_NULL);
}

int tlcp_x509_sm2_verify_signed(const tlcp_pkey *key, const uint8_t *id, size_t id_len,
                                const unsigned char *der, int der_len, const ASN1_BIT_STRING *sig)
{
    const uint8_t *tbs;
    size_t tbs_len;
    tlcp_error err;
    tlcp_error_clear(&err);
    /* Unused bits: not a whole DER SEQUENCE {r, s}. */
    return sig != NULL && (sig->flags & 0x7) == 0 && der_len > 0 &&
           tlcp_x509_tbs_span(der, (size_t)der_len, &tbs, &tbs_len) &&
           tlcp_sm2_verify(key, id, id_len, tbs, tbs_len, ASN1_STRING_get0_data(sig),
                           (size_t)ASN1_STRING_length(sig), &err);
}

/* X509_V_OK when `x`'s signature verifies under `key` (whose point is
 * `point`) with x's SM2 ID; a signature that verified before for the same
 * bytes is answered from the memo (sig_memo.c). */
static int sm2_signature(X509 *x, const tlcp_pkey *key, const uint8_t *point)
{
    if (!sm2_sig_alg(x))
        return X509_V_ERR_CERT_SIGNATURE_FAILURE;
    const ASN1_BIT_STRING *sig = NULL;
    X509_get0_signature(&sig, NULL, x);
    const ASN1_OCTET_STRING *id = X509_get0_distinguishing_id(x);
    tlcp_sig_question q = {point, (const uint8_t *)TLCP_SM2_DEFAULT_ID, TLCP_SM2_DEFAULT_ID_LEN,
                           NULL, 0};
    if (id != NULL) {
        q.id = ASN1_STRING_get0_data(id);
        q.id_len = (size_t)ASN1_STRING_length(id);
    }
    unsigned char *der = NULL;
    int der_len = i2d_X509(x, &der); /* the TBS keeps its received encoding */
    if (der_len <= 0)
        return X509_V_ERR_CERT_SIGNATURE_FAILURE;
    q.der = der;
    q.der_len = (size_t)der_len;
    int ok = tlcp_sig_memo_seen(&q);
    if (!ok) {
        ok = tlcp_x509_sm2_verify_signed(key, q.id, q.id_len, der, der_len, sig);
        if (ok)
            tlcp_sig_memo_add(&q);
    }
    OPENSSL_free(der);
    return ok ? X509_V_OK : X509_V_ERR_CERT_SIGNATURE_FAILURE;
}

/* X509_V_OK when xs is signed by xi's key; with our SM2 when that key is an
 * SM2 key, otherwise (RSA, other curves) OpenSSL's X509_verify. */
static int check_signature(const tlcp_trust_store *store, X509 *xs, X509 *xi)
{
    EVP_PKEY *pkey = X509_get0_pubkey(xi);
    if (pkey == NULL)
        return X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY;
    tlcp_pkey *key = NULL;
    int owned = 0;
    uint8_t point[TLCP_SM2_POINT_LEN];
    if (!tlcp_store_issuer_key(store, xi, pkey, &key, &owned, point))
        return X509_verify(xs, pkey) > 0 ? X509_V_OK : X509_V_ERR_CERT_SIGNATURE_FAILURE;
    int r =
        key != NULL ? sm2_signature(xs, key, point) : X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY;
    if (owned)
        tlcp_pkey_free(key);
    return r;
}

/* RFC 5280 6.1.4 (n): an issuer whose keyUsage lacks keyCertSign may not
 * sign certificates (digitalSignature for proxy certificates). */
static int signing_allowed(X509 *xi, X509 *xs)
{
    uint32_t ku = X509_get_key_usage(xi); /* UINT32_MAX: no keyUsage */
    if ((X509_get_extension_flags(xs) & EXFLAG_PROXY) != 0)
        return ku == UINT32_MAX || (ku & KU_DIGITAL_SIGNATURE) != 0
                   ? X509_V_OK
                   : X509_V_ERR_KEYUSAGE_NO_DIGITAL_SIGNATURE;
    return ku == UINT32_MAX || (ku & KU_KEY_CERT_SIGN) != 0 ? X509_V_OK
                                                            : X509_V_ERR_KEYUSAGE_NO_CERTSIGN;
}

/* The checks of one subject xs (depth n) against its issuer xi (xi == xs
 * for a self-issued top certificate, whose own signature is checked only on
 * request). */
static int check_link(X509_STORE_CTX *ctx, const tlcp_trust_store *store, X509 *xs, X509 *xi, int n)
{
    unsigned long flags = X509_VERIFY_PARAM_get_flags(X509_STORE_CTX_get0_param(ctx));
    if (xs == xi && (flags & X509_V_FLAG_CHECK_SS_SIGNATURE) == 0)
        return 1;
    int issuer_depth = n + (xs == xi ? 0 : 1);
    int r = xs == xi && (X509_get_extension_flags(xi) & EXFLAG_CA) == 0 ? X509_V_OK
                                                                        : signing_allowed(xi, xs);
    if (r != X509_V_OK && !report(ctx, xi, issuer_depth, r))
        return 0;
    r = check_signature(store, xs, xi);
    if (r == X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY)
        return report(ctx, xi, issuer_depth, r);
    return r == X509_V_OK || report(ctx, xs, n, r);
}

int tlcp_x509_chain_verify(X509_STORE_CTX *ctx)
{
    const tlcp_trust_store *store = X509_STORE_CTX_get_app_data(ctx);
    STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(ctx);
    int n = sk_X509_num(chain) - 1;
    if (n < 0)
        return 0;
    X509 *xi = sk_X509_value(chain, n);
    X509 *xs = xi;
    X509_STORE_CTX_check_issued_fn issued = X509_STORE_CTX_get_check_issued(ctx);
    unsigned long flags = X509_VERIFY_PARAM_get_flags(X509_STORE_CTX_get0_param(ctx));
    int top_only_time = 0;
    if (!issued(ctx, xi, xi)) {
        /* The top is not self-issued: a partial chain ends at a trusted
         * intermediate, and a lone leaf has no issuer to check it with
         * (reported; if the callback goes on, only its dates are checked). */
        if ((flags & X509_V_FLAG_PARTIAL_CHAIN) != 0) {
            top_only_time = 1;
        } else if (n <= 0) {
            if (!report(ctx, xi, 0, X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE))
                return 0;
            top_only_time = 1;
        } else {
            xs = sk_X509_value(chain, --n);
            X509_STORE_CTX_set_error_depth(ctx, n);
        }
    }
    /* Errors stay set ("sticky"): only the callback may clear them. */
    while (n >= 0) {
        if (!top_only_time && !check_link(ctx, store, xs, xi, n))
            return 0;
        top_only_time = 0;
        if (!check_time(ctx, xs, n) || !report(ctx, xs, n, X509_V_OK))
            return 0;
        if (--n >= 0) {
            xi = xs;
            xs = sk_X509_value(chain, n);
        }
    }
    return 1;
}
