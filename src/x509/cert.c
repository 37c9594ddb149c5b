/* SPDX-License-Identifier: Apache-2.0 */
/* tlcp_cert: one parsed X.509 certificate and its read-only accessors. */
#include <limits.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "crypto/pkey_internal.h"
#include "x509/x509_internal.h"

#define NAME_LINE_MAX 512

struct tlcp_cert {
    X509 *x509;
    uint8_t *der;
    size_t der_len;
    char *subject;
    char *issuer;
    /* Atomic: a client session's certificates are shared by the
     * connections (possibly on several threads) that resume it. */
    atomic_int refs;
    /* The SM2 public key, made on first use and published once (the
     * certificate cache shares one object between handshakes, so the key
     * and its per-key precomputation outlive each of them). */
    _Atomic(tlcp_pkey *) pub;
};

int tlcp_x509_attach_sm2_id(X509 *x)
{
    if (X509_get_signature_nid(x) != NID_SM2_with_SM3 || X509_get0_distinguishing_id(x) != NULL)
        return 1;
    ASN1_OCTET_STRING *id = ASN1_OCTET_STRING_new();
    if (id == NULL || !ASN1_OCTET_STRING_set(id, (const unsigned char *)TLCP_SM2_DEFAULT_ID,
                                             TLCP_SM2_DEFAULT_ID_LEN)) {
        ASN1_OCTET_STRING_free(id);
        return 0;
    }
    X509_set0_distinguishing_id(x, id); /* the certificate owns it from here */
    return 1;
}

static char *name_dup(const X509_NAME *name)
{
    char line[NAME_LINE_MAX];
    tlcp_x509_name_line(name, line, sizeof(line));
    size_t n = strlen(line) + 1;
    char *copy = malloc(n);
    if (copy != NULL)
        memcpy(copy, line, n);
    return copy;
}

static void cert_destroy(tlcp_cert *cert)
{
    tlcp_pkey_free(atomic_load(&cert->pub));
    X509_free(cert->x509);
    free(cert->der);
    free(cert->subject);
    free(cert->issuer);
    free(cert);
}

tlcp_cert *tlcp_cert_wrap_x509(X509 *x, tlcp_error *err)
{
    if (x == NULL) {
        TLCP_ERR(err, TLCP_R_INVALID_ARGUMENT, "no certificate");
        return NULL;
    }
    tlcp_cert *cert = calloc(1, sizeof(*cert));
    if (cert == NULL) {
        X509_free(x);
        TLCP_ERR(err, TLCP_R_ALLOC, "out of memory for a certificate");
        return NULL;
    }
    cert->x509 = x;
    atomic_init(&cert->refs, 1);
    atomic_init(&cert->pub, NULL);
    unsigned char *der = NULL;
    int n = i2d_X509(x, &der);
    if (n <= 0 || !tlcp_x509_attach_sm2_id(x)) {
        OPENSSL_free(der);
        cert_destroy(cert);
        CRYPTO_FAIL(err, TLCP_R_CERT, "cannot encode certificate");
        return NULL;
    }
    cert->der = malloc((size_t)n);
    if (cert->der != NULL)
        memcpy(cert->der, der, (size_t)n);
    OPENSSL_free(der);
    cert->der_len = (size_t)n;
    cert->subject = name_dup(X509_get_subject_name(x));
    cert->issuer = name_dup(X509_get_issuer_name(x));
    if (cert->der == NULL || cert->subject == NULL || cert->issuer == NULL) {
        cert_destroy(cert);
        TLCP_ERR(err, TLCP_R_ALLOC, "out of memory for a certificate");
        return NULL;
    }
    return cert;
}

tlcp_cert *tlcp_cert_from_der(const uint8_t *der, size_t len, tlcp_error *err)
{
    if (der == NULL || len == 0 || len > (size_t)LONG_MAX) {
        TLCP_ERR_ALERT(err, TLCP_R_DECODE, TLCP_ALERT_DECODE_ERROR, "empty DER certificate");
        return NULL;
    }
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    if (x == NULL) {
        ERR_clear_error();
        TLCP_ERR_ALERT(err, TLCP_R_DECODE, TLCP_ALERT_DECODE_ERROR,
                       "malformed DER certificate (%zu bytes)", len);
        return NULL;
    }
    size_t used = (size_t)(p - der);
    if (used != len) {
        X509_free(x);
        TLCP_ERR_ALERT(err, TLCP_R_TRAILING_DATA, TLCP_ALERT_DECODE_ERROR,
                       "%zu bytes after the DER certificate", len - used);
        return NULL;
    }
    return tlcp_cert_wrap_x509(x, err);
}

/* pem_each callback: keeps the first certificate, drops the rest (a bundle of
 * any size may be given where one certificate is expected). */
static int keep_first(void *arg, X509 *x, tlcp_error *err)
{
    X509 **first = arg;
    if (*first != NULL) {
        X509_free(x);
        return 1;
    }
    (void)err;
    *first = x;
    return 1;
}

static tlcp_cert *first_of(const uint8_t *data, size_t len, const char *what, tlcp_error *err)
{
    if (data == NULL || len == 0) {
        TLCP_ERR(err, TLCP_R_DECODE, "%s is empty", what);
        return NULL;
    }
    if (!tlcp_x509_is_pem(data, len)) {
        tlcp_error local;
        tlcp_error_clear(&local);
        tlcp_cert *cert = tlcp_cert_from_der(data, len, &local);
        if (cert == NULL)
            TLCP_ERR(err, local.reason, "%s: %s", what, local.message);
        return cert;
    }
    X509 *first = NULL;
    if (!tlcp_x509_pem_each(data, len, what, keep_first, &first, err)) {
        X509_free(first);
        return NULL;
    }
    return tlcp_cert_wrap_x509(first, err);
}

tlcp_cert *tlcp_cert_from_pem(const uint8_t *pem, size_t len, tlcp_error *err)
{
    if (pem == NULL || !tlcp_x509_is_pem(pem, len)) {
        TLCP_ERR(err, TLCP_R_DECODE, "no PEM certificate found");
        return NULL;
    }
    return first_of(pem, len, "PEM data", err);
}

tlcp_cert *tlcp_cert_load(const uint8_t *data, size_t len, tlcp_error *err)
{
    if (data != NULL && tlcp_x509_is_pem(data, len))
        return tlcp_cert_from_pem(data, len, err);
    return tlcp_cert_from_der(data, len, err);
}

tlcp_cert *tlcp_cert_load_file(const char *path, tlcp_error *err)
{
    uint8_t *data = NULL;
    size_t len = 0;
    if (!tlcp_x509_read_file(path, "certificate", &data, &len, err))
        return NULL;
    tlcp_cert *cert = first_of(data, len, path, err);
    free(data);
    return cert;
}

tlcp_cert *tlcp_cert_up_ref(tlcp_cert *cert)
{
    if (cert != NULL)
        atomic_fetch_add(&cert->refs, 1);
    return cert;
}

void tlcp_cert_free(tlcp_cert *cert)
{
    if (cert == NULL || atomic_fetch_sub(&cert->refs, 1) > 1)
        return;
    cert_destroy(cert);
}

X509 *tlcp_cert_x509(const tlcp_cert *cert)
{
    return cert->x509;
}

void tlcp_cert_der(const tlcp_cert *cert, const uint8_t **out_der, size_t *out_len)
{
    *out_der = cert->der;
    *out_len = cert->der_len;
}

const char *tlcp_cert_subject(const tlcp_cert *cert)
{
    return cert->subject;
}

const char *tlcp_cert_issuer(const tlcp_cert *cert)
{
    return cert->issuer;
}

int tlcp_cert_is_sm2(const tlcp_cert *cert)
{
    EVP_PKEY *pk = X509_get0_pubkey(cert->x509);
    char group[32];
    size_t glen = 0;
    if (pk == NULL) {
        ERR_clear_error();
        return 0;
    }
    if (!EVP_PKEY_is_a(pk, "SM2") && !EVP_PKEY_is_a(pk, "EC"))
        return 0;
    if (!EVP_PKEY_get_group_name(pk, group, sizeof(group), &glen)) {
        ERR_clear_error();
        return 0;
    }
    return strcmp(group, "SM2") == 0;
}

tlcp_pkey *tlcp_cert_public_key(const tlcp_cert *cert, tlcp_error *err)
{
    if (!tlcp_cert_is_sm2(cert)) {
        TLCP_ERR_ALERT(err, TLCP_R_CERT, TLCP_ALERT_UNSUPPORTED_CERTIFICATE,
                       "certificate does not hold an SM2 key: %s", cert->subject);
        return NULL;
    }
    tlcp_cert *c = (tlcp_cert *)cert; /* the key memo is not the certificate's value */
    tlcp_pkey *have = atomic_load_explicit(&c->pub, memory_order_acquire);
    if (have != NULL)
        return tlcp_pkey_up_ref(have);
    EVP_PKEY *pk = X509_get0_pubkey(cert->x509);
    if (pk == NULL || !EVP_PKEY_up_ref(pk)) {
        CRYPTO_FAIL(err, TLCP_R_CERT, "cannot read the certificate's public key");
        return NULL;
    }
    tlcp_pkey *fresh = tlcp_pkey_wrap(pk, err);
    if (fresh == NULL)
        return NULL;
    tlcp_pkey *expected = NULL;
    if (atomic_compare_exchange_strong_explicit(&c->pub, &expected, fresh, memory_order_acq_rel,
                                                memory_order_acquire))
        return tlcp_pkey_up_ref(fresh);
    tlcp_pkey_free(fresh); /* another thread published first */
    return tlcp_pkey_up_ref(expected);
}

unsigned tlcp_cert_key_usage(const tlcp_cert *cert, int *out_present)
{
    static const struct {
        uint32_t ossl;
        unsigned ours;
    } map[] = {
        {KU_DIGITAL_SIGNATURE, TLCP_KU_DIGITAL_SIGNATURE},
        {KU_NON_REPUDIATION, TLCP_KU_NON_REPUDIATION},
        {KU_KEY_ENCIPHERMENT, TLCP_KU_KEY_ENCIPHERMENT},
        {KU_DATA_ENCIPHERMENT, TLCP_KU_DATA_ENCIPHERMENT},
        {KU_KEY_AGREEMENT, TLCP_KU_KEY_AGREEMENT},
        {KU_KEY_CERT_SIGN, TLCP_KU_KEY_CERT_SIGN},
        {KU_CRL_SIGN, TLCP_KU_CRL_SIGN},
        {KU_ENCIPHER_ONLY, TLCP_KU_ENCIPHER_ONLY},
        {KU_DECIPHER_ONLY, TLCP_KU_DECIPHER_ONLY},
    };
    /* UINT32_MAX means "no keyUsage extension"; a certificate whose
     * extensions do not decode reports 0, i.e. present with no usage. */
    uint32_t ku = X509_get_key_usage(cert->x509);
    ERR_clear_error();
    if (ku == UINT32_MAX) {
        if (out_present != NULL)
            *out_present = 0;
        return 0;
    }
    if (out_present != NULL)
        *out_present = 1;
    unsigned ours = 0;
    for (size_t i = 0; i < TLCP_ARRAY_LEN(map); i++) {
        if (ku & map[i].ossl)
            ours |= map[i].ours;
    }
    return ours;
}

int tlcp_cert_is_ca(const tlcp_cert *cert)
{
    int r = X509_check_ca(cert->x509);
    ERR_clear_error();
    return r != 0;
}

int tlcp_cert_is_self_signed(const tlcp_cert *cert)
{
    int r = X509_self_signed(cert->x509, 1);
    ERR_clear_error();
    return r == 1;
}

static int asn1_time_to_time_t(const ASN1_TIME *t, time_t *out, tlcp_error *err)
{
    int days = 0, secs = 0;
    ASN1_TIME *epoch = ASN1_TIME_set(NULL, 0);
    int ok = epoch != NULL && t != NULL && ASN1_TIME_diff(&days, &secs, epoch, t);
    ASN1_TIME_free(epoch);
    if (!ok)
        return CRYPTO_FAIL(err, TLCP_R_CERT, "certificate has an invalid validity date");
    *out = (time_t)days * 86400 + (time_t)secs;
    return 1;
}

int tlcp_cert_validity(const tlcp_cert *cert, time_t *out_not_before, time_t *out_not_after,
                       tlcp_error *err)
{
    GUARD(asn1_time_to_time_t(X509_get0_notBefore(cert->x509), out_not_before, err));
    GUARD(asn1_time_to_time_t(X509_get0_notAfter(cert->x509), out_not_after, err));
    return 1;
}

int tlcp_cert_check_host(const tlcp_cert *cert, const char *host, tlcp_error *err)
{
    ENSURE(host != NULL && host[0] != '\0', err, TLCP_R_INVALID_ARGUMENT,
           "empty host name to check");
    /* -2: not an IP literal, so it is a DNS name. */
    int r = X509_check_ip_asc(cert->x509, host, 0);
    const char *kind = "IP address";
    if (r == -2) {
        kind = "host name";
        r = X509_check_host(cert->x509, host, 0, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, NULL);
    }
    ERR_clear_error();
    ENSURE_ALERT(r == 1, err, TLCP_R_HOSTNAME_MISMATCH, TLCP_ALERT_BAD_CERTIFICATE,
                 "%s %s does not match the peer certificate %s", kind, host, cert->subject);
    return 1;
}

int tlcp_cert_to_pem(const tlcp_cert *cert, char **out_pem, size_t *out_len, tlcp_error *err)
{
    BIO *bio = BIO_new(BIO_s_mem());
    if (bio == NULL || !PEM_write_bio_X509(bio, cert->x509)) {
        BIO_free(bio);
        return CRYPTO_FAIL(err, TLCP_R_CERT, "cannot write the certificate as PEM");
    }
    char *text = NULL;
    long n = BIO_get_mem_data(bio, &text);
    char *copy = n > 0 ? malloc((size_t)n + 1) : NULL;
    if (copy == NULL) {
        BIO_free(bio);
        TLCP_ERR(err, TLCP_R_ALLOC, "out of memory for PEM output");
        return 0;
    }
    memcpy(copy, text, (size_t)n);
    copy[n] = '\0';
    BIO_free(bio);
    *out_pem = copy;
    if (out_len != NULL)
        *out_len = (size_t)n;
    return 1;
}
