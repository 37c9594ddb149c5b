/* SPDX-License-Identifier: Apache-2.0 */
/* Test CRLs: a v2 CRL signed with SM3withSM2 by a CA (tlcp certgen --revoke, tests). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "crypto/pkey_internal.h"
#include "x509/x509_internal.h"

static int set_time(X509_CRL *crl, time_t t, int next)
{
    ASN1_TIME *at = ASN1_TIME_set(NULL, t);
    int ok = at != NULL &&
             (next ? X509_CRL_set1_nextUpdate(crl, at) : X509_CRL_set1_lastUpdate(crl, at)) == 1;
    ASN1_TIME_free(at);
    return ok;
}

static int add_revoked(X509_CRL *crl, const tlcp_cert *cert, time_t when)
{
    X509_REVOKED *rev = X509_REVOKED_new();
    ASN1_TIME *at = ASN1_TIME_set(NULL, when);
    int ok = rev != NULL && at != NULL &&
             X509_REVOKED_set_serialNumber(rev, X509_get_serialNumber(tlcp_cert_x509(cert))) &&
             X509_REVOKED_set_revocationDate(rev, at) && X509_CRL_add0_revoked(crl, rev);
    ASN1_TIME_free(at);
    if (!ok)
        X509_REVOKED_free(rev);
    return ok;
}

/* authorityKeyIdentifier (what OpenSSL matches the issuer by) and crlNumber. */
static int add_extensions(X509_CRL *crl, X509 *issuer, long number)
{
    X509V3_CTX v3;
    X509V3_set_ctx(&v3, issuer, NULL, NULL, crl, 0);
    X509_EXTENSION *aki =
        X509V3_EXT_conf_nid(NULL, &v3, NID_authority_key_identifier, "keyid:always");
    ASN1_INTEGER *num = ASN1_INTEGER_new();
    int ok = aki != NULL && num != NULL && X509_CRL_add_ext(crl, aki, -1) &&
             ASN1_INTEGER_set(num, number) && X509_CRL_add1_ext_i2d(crl, NID_crl_number, num, 0, 0);
    X509_EXTENSION_free(aki);
    ASN1_INTEGER_free(num);
    return ok;
}

static int sign_crl(X509_CRL *crl, const tlcp_pkey *key)
{
    EVP_MD_CTX *mctx = tlcp_x509_sm2_sign_ctx(key);
    int ok = mctx != NULL && X509_CRL_sign_ctx(crl, mctx) > 0;
    EVP_MD_CTX_free(mctx);
    return ok;
}

static X509_CRL *build(const tlcp_cert *issuer, const tlcp_pkey *issuer_key,
                       tlcp_cert *const *revoked, size_t num_revoked, const tlcp_crlgen_params *p)
{
    time_t now = time(NULL);
    time_t this_update = p->this_update != 0 ? p->this_update : now - 3600;
    time_t next_update = p->next_update != 0 ? p->next_update : this_update + 30 * 86400;
    X509 *ix = tlcp_cert_x509(issuer);
    X509_CRL *crl = X509_CRL_new();
    int ok = crl != NULL && X509_CRL_set_version(crl, X509_CRL_VERSION_2) &&
             X509_CRL_set_issuer_name(crl, X509_get_subject_name(ix)) &&
             set_time(crl, this_update, 0) && set_time(crl, next_update, 1);
    for (size_t i = 0; ok && i < num_revoked; i++)
        ok = add_revoked(crl, revoked[i], this_update);
    ok = ok && add_extensions(crl, ix, p->number > 0 ? p->number : 1) && X509_CRL_sort(crl) &&
         sign_crl(crl, issuer_key);
    if (!ok) {
        X509_CRL_free(crl);
        return NULL;
    }
    return crl;
}

int tlcp_crlgen(const tlcp_cert *issuer, const tlcp_pkey *issuer_key, tlcp_cert *const *revoked,
                size_t num_revoked, const tlcp_crlgen_params *params, uint8_t **out,
                size_t *out_len, tlcp_error *err)
{
    static const tlcp_crlgen_params defaults = {0, 0, 0, 0};
    const tlcp_crlgen_params *p = params != NULL ? params : &defaults;
    ENSURE(issuer != NULL && issuer_key != NULL && out != NULL && out_len != NULL, err,
           TLCP_R_INVALID_ARGUMENT, "a CRL needs an issuer certificate and key");
    X509_CRL *crl = build(issuer, issuer_key, revoked, num_revoked, p);
    if (crl == NULL)
        return CRYPTO_FAIL(err, TLCP_R_CRYPTO, "cannot build and sign the CRL");
    BIO *bio = BIO_new(BIO_s_mem());
    int ok =
        bio != NULL && (p->pem ? PEM_write_bio_X509_CRL(bio, crl) : i2d_X509_CRL_bio(bio, crl));
    X509_CRL_free(crl);
    char *data = NULL;
    long n = ok ? BIO_get_mem_data(bio, &data) : 0;
    *out = n > 0 ? malloc((size_t)n + 1) : NULL;
    if (*out != NULL) {
        memcpy(*out, data, (size_t)n);
        (*out)[n] = 0; /* PEM callers may treat it as a string */
        *out_len = (size_t)n;
    }
    BIO_free(bio);
    if (*out == NULL)
        return CRYPTO_FAIL(err, TLCP_R_ALLOC, "cannot encode the CRL");
    return 1;
}
