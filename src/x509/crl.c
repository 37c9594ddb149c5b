/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Certificate revocation lists in the trust store, and partial chains.
 * Loading a CRL turns revocation checking on for every certificate of every
 * chain the store verifies (X509_V_FLAG_CRL_CHECK | CRL_CHECK_ALL): a CA
 * without a CRL then fails the chain (unable to get certificate CRL), so a
 * deployment cannot believe it checks revocation while a CRL is missing.
 * OpenSSL finds the CRL for each issuer, checks its signature, issuer, key
 * usage (cRLSign) and dates at the verification time; verify.c maps the
 * outcomes to TLCP reasons and alerts.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>

#include "x509/store_internal.h"

#define CRL_FLAGS (X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL)

static int add_crl(tlcp_trust_store *store, X509_CRL *crl, const char *path, tlcp_error *err)
{
    int ok = X509_STORE_add_crl(store->store, crl) == 1;
    X509_CRL_free(crl); /* the store holds its own reference */
    if (!ok) {
        ERR_clear_error();
        TLCP_ERR(err, TLCP_R_CONFIG, "cannot add the CRL of %s to the trust store", path);
        return 0;
    }
    store->crl_count++;
    store->vflags |= CRL_FLAGS;
    return 1;
}

/* Every "X509 CRL" block of a PEM buffer (at least one). */
static int add_pem(tlcp_trust_store *store, const uint8_t *data, size_t len, const char *path,
                   tlcp_error *err)
{
    BIO *bio = BIO_new_mem_buf(data, (int)len);
    ENSURE(bio != NULL, err, TLCP_R_ALLOC, "out of memory reading %s", path);
    size_t found = 0;
    int ok = 1;
    X509_CRL *crl;
    while (ok && (crl = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL)) != NULL) {
        ok = add_crl(store, crl, path, err);
        found++;
    }
    unsigned long e = ERR_peek_last_error();
    ERR_clear_error();
    BIO_free(bio);
    GUARD(ok);
    /* End of input is PEM_R_NO_START_LINE; anything else is a broken block. */
    ENSURE(found > 0, err, TLCP_R_DECODE, "%s: no X509 CRL block found", path);
    ENSURE(e == 0 || ERR_GET_REASON(e) == PEM_R_NO_START_LINE, err, TLCP_R_DECODE,
           "%s: CRL block %zu is malformed", path, found + 1);
    return 1;
}

static int add_der(tlcp_trust_store *store, const uint8_t *data, size_t len, const char *path,
                   tlcp_error *err)
{
    const unsigned char *p = data;
    X509_CRL *crl = d2i_X509_CRL(NULL, &p, (long)len);
    ERR_clear_error();
    if (crl == NULL || p != data + len) {
        X509_CRL_free(crl);
        TLCP_ERR(err, TLCP_R_DECODE, "%s: not a CRL (PEM or DER)", path);
        return 0;
    }
    return add_crl(store, crl, path, err);
}

int tlcp_trust_store_load_crl_file(tlcp_trust_store *store, const char *path, tlcp_error *err)
{
    ENSURE(path != NULL && path[0] != '\0', err, TLCP_R_INVALID_ARGUMENT, "no CRL file given");
    uint8_t *data = NULL;
    size_t len = 0;
    GUARD(tlcp_x509_read_file(path, "CRL", &data, &len, err));
    int ok = tlcp_x509_is_pem(data, len) ? add_pem(store, data, len, path, err)
                                         : add_der(store, data, len, path, err);
    free(data);
    return ok;
}

static int is_crl_name(const char *name)
{
    size_t n = strlen(name);
    if (n > 4 && (strcmp(name + n - 4, ".crl") == 0 || strcmp(name + n - 4, ".pem") == 0))
        return 1;
    /* OpenSSL's hashed CRL names: 8 hex digits, ".r", digits. */
    return n > 10 && name[8] == '.' && name[9] == 'r' && strspn(name, "0123456789abcdef") == 8 &&
           strspn(name + 10, "0123456789") == n - 10;
}

int tlcp_trust_store_load_crl_dir(tlcp_trust_store *store, const char *path, tlcp_error *err)
{
    ENSURE(path != NULL && path[0] != '\0', err, TLCP_R_INVALID_ARGUMENT, "no CRL directory given");
    DIR *dir = opendir(path);
    ENSURE(dir != NULL, err, TLCP_R_FILE, "cannot open CRL directory %s: %s", path,
           strerror(errno));
    size_t before = store->crl_count;
    int ok = 1;
    struct dirent *ent;
    while (ok && (ent = readdir(dir)) != NULL) {
        if (!is_crl_name(ent->d_name))
            continue;
        char full[4096];
        int n = snprintf(full, sizeof(full), "%s/%s", path, ent->d_name);
        struct stat st;
        if (n < 0 || (size_t)n >= sizeof(full)) {
            TLCP_ERR(err, TLCP_R_FILE, "CRL file path too long in %s", path);
            ok = 0;
        } else if (stat(full, &st) == 0 && S_ISREG(st.st_mode)) {
            ok = tlcp_trust_store_load_crl_file(store, full, err);
        }
    }
    closedir(dir);
    GUARD(ok);
    ENSURE(store->crl_count > before, err, TLCP_R_CONFIG,
           "CRL directory %s holds no CRLs (*.crl, *.pem or hashed .rN names)", path);
    return 1;
}

size_t tlcp_trust_store_crl_count(const tlcp_trust_store *store)
{
    return store->crl_count;
}

void tlcp_trust_store_set_partial_chain(tlcp_trust_store *store, int enabled)
{
    if (enabled)
        store->vflags |= X509_V_FLAG_PARTIAL_CHAIN;
    else
        store->vflags &= ~(unsigned long)X509_V_FLAG_PARTIAL_CHAIN;
}

int tlcp_x509_crl_reason(int code, int *alert)
{
    switch (code) {
    case X509_V_ERR_CERT_REVOKED:
        *alert = TLCP_ALERT_CERTIFICATE_REVOKED;
        return TLCP_R_CERT_REVOKED;
    case X509_V_ERR_UNABLE_TO_GET_CRL:
    case X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER:
        /* Revocation status unknown: certificate_unknown, not a claim that
         * the certificate itself is bad. */
        *alert = TLCP_ALERT_CERTIFICATE_UNKNOWN;
        return TLCP_R_CRL_MISSING;
    case X509_V_ERR_CRL_HAS_EXPIRED:
    case X509_V_ERR_CRL_NOT_YET_VALID:
        *alert = TLCP_ALERT_CERTIFICATE_UNKNOWN;
        return TLCP_R_CRL_EXPIRED;
    case X509_V_ERR_CRL_SIGNATURE_FAILURE:
    case X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE:
    case X509_V_ERR_ERROR_IN_CRL_LAST_UPDATE_FIELD:
    case X509_V_ERR_ERROR_IN_CRL_NEXT_UPDATE_FIELD:
    case X509_V_ERR_KEYUSAGE_NO_CRL_SIGN:
    case X509_V_ERR_DIFFERENT_CRL_SCOPE:
    case X509_V_ERR_CRL_PATH_VALIDATION_ERROR:
    case X509_V_ERR_UNHANDLED_CRITICAL_CRL_EXTENSION:
        *alert = TLCP_ALERT_CERTIFICATE_UNKNOWN;
        return TLCP_R_CRL_INVALID;
    default:
        return TLCP_R_NONE;
    }
}

/* SM2-with-SM3 signature of `crl` by `issuer`, default ID: 1 when it
 * verifies. Not an SM2 issuer key or another algorithm: 0 (OpenSSL's
 * verdict stands). */
static int crl_sm2_signature_ok(const tlcp_trust_store *store, X509_CRL *crl, X509 *issuer)
{
    EVP_PKEY *pkey = issuer != NULL ? X509_get0_pubkey(issuer) : NULL;
    if (pkey == NULL || X509_CRL_get_signature_nid(crl) != NID_SM2_with_SM3)
        return 0;
    tlcp_pkey *key = NULL;
    int owned = 0;
    uint8_t point[TLCP_SM2_POINT_LEN];
    if (!tlcp_store_issuer_key(store, issuer, pkey, &key, &owned, point) || key == NULL)
        return 0;
    const ASN1_BIT_STRING *sig = NULL;
    const X509_ALGOR *alg = NULL;
    X509_CRL_get0_signature(crl, &sig, &alg);
    unsigned char *der = NULL;
    int der_len = i2d_X509_CRL(crl, &der); /* the TBS keeps its received encoding */
    int ok = tlcp_x509_sm2_verify_signed(key, (const uint8_t *)TLCP_SM2_DEFAULT_ID,
                                         TLCP_SM2_DEFAULT_ID_LEN, der, der_len, sig);
    OPENSSL_free(der);
    if (owned)
        tlcp_pkey_free(key);
    return ok;
}

int tlcp_x509_crl_verify_cb(int ok, X509_STORE_CTX *ctx)
{
    if (ok || X509_STORE_CTX_get_error(ctx) != X509_V_ERR_CRL_SIGNATURE_FAILURE)
        return ok;
    X509_CRL *crl = X509_STORE_CTX_get0_current_crl(ctx);
    if (crl == NULL || !crl_sm2_signature_ok(X509_STORE_CTX_get_app_data(ctx), crl,
                                             X509_STORE_CTX_get0_current_issuer(ctx)))
        return 0;
    X509_STORE_CTX_set_error(ctx, X509_V_OK);
    ERR_clear_error();
    return 1;
}
