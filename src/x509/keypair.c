/* SPDX-License-Identifier: Apache-2.0 */
/* Key pairs (certificate + private key) and the credentials an endpoint presents. */
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "crypto/pkey_internal.h"
#include "x509/x509_internal.h"

/* Checks one certificate/key combination; names are used in the sentences. */
static int check_pair(tlcp_cert *cert, tlcp_pkey *key, const char *cert_name, const char *key_name,
                      tlcp_error *err)
{
    ENSURE(cert != NULL && key != NULL, err, TLCP_R_INVALID_ARGUMENT,
           "a key pair needs a certificate and a private key");
    ENSURE(tlcp_cert_is_sm2(cert), err, TLCP_R_CERT, "certificate %s does not hold an SM2 key (%s)",
           cert_name, tlcp_cert_subject(cert));
    ENSURE(tlcp_pkey_has_private(key), err, TLCP_R_BAD_KEY, "%s is not a private key", key_name);
    int eq = EVP_PKEY_eq(X509_get0_pubkey(tlcp_cert_x509(cert)), tlcp_pkey_evp(key));
    ERR_clear_error();
    ENSURE(eq == 1, err, TLCP_R_KEY_CERT_MISMATCH, "private key %s does not match certificate %s",
           key_name, cert_name);
    return 1;
}

static void keypair_install(tlcp_keypair *out, tlcp_cert *cert, tlcp_pkey *key,
                            tlcp_cert_list *extra)
{
    tlcp_keypair_clear(out);
    out->cert = cert;
    out->key = key;
    if (extra != NULL)
        out->extra = *extra; /* takes the list's references */
}

/* The certificates after the first one of a PEM bundle (none for DER). */
static int load_extra(tlcp_cert_list *extra, const char *cert_path, tlcp_error *err)
{
    tlcp_cert_list all;
    tlcp_cert_list_init(&all);
    tlcp_cert_list_init(extra);
    GUARD(tlcp_cert_list_load_file(&all, cert_path, err));
    int ok = 1;
    for (size_t i = 1; ok && i < all.num; i++)
        ok = tlcp_cert_list_push(extra, all.certs[i], err);
    tlcp_cert_list_clear(&all);
    if (!ok)
        tlcp_cert_list_clear(extra);
    return ok;
}

int tlcp_keypair_set(tlcp_keypair *out, tlcp_cert *cert, tlcp_pkey *key, tlcp_error *err)
{
    GUARD(check_pair(cert, key, cert != NULL ? tlcp_cert_subject(cert) : "(none)", "(in memory)",
                     err));
    keypair_install(out, tlcp_cert_up_ref(cert), tlcp_pkey_up_ref(key), NULL);
    return 1;
}

int tlcp_keypair_load_files(tlcp_keypair *out, const char *cert_path, const char *key_path,
                            const char *passphrase, tlcp_error *err)
{
    ENSURE(cert_path != NULL && key_path != NULL, err, TLCP_R_INVALID_ARGUMENT,
           "a key pair needs a certificate file and a key file");
    tlcp_cert *cert = tlcp_cert_load_file(cert_path, err);
    GUARD_PTR(cert);
    if (!tlcp_cert_is_sm2(cert)) {
        TLCP_ERR(err, TLCP_R_CERT, "certificate %s does not hold an SM2 key (%s)", cert_path,
                 tlcp_cert_subject(cert));
        tlcp_cert_free(cert);
        return 0;
    }
    tlcp_error local;
    tlcp_error_clear(&local);
    tlcp_pkey *key = tlcp_pkey_load_private_file(key_path, passphrase, &local);
    if (key == NULL) {
        tlcp_cert_free(cert);
        /* Keep the loader's reason (file, passphrase, not SM2); make sure the
         * sentence names the file. */
        TLCP_ERR(err, local.reason != TLCP_R_NONE ? local.reason : TLCP_R_BAD_KEY,
                 "cannot load private key %s: %s", key_path, tlcp_error_message(&local));
        return 0;
    }
    tlcp_cert_list extra;
    tlcp_cert_list_init(&extra);
    if (!check_pair(cert, key, cert_path, key_path, err) || !load_extra(&extra, cert_path, err)) {
        tlcp_cert_free(cert);
        tlcp_pkey_free(key);
        return 0;
    }
    keypair_install(out, cert, key, &extra);
    return 1;
}

int tlcp_keypair_load_cert_only(tlcp_keypair *out, const char *cert_path, tlcp_error *err)
{
    ENSURE(cert_path != NULL, err, TLCP_R_INVALID_ARGUMENT, "a delegated pair needs a certificate");
    tlcp_cert *cert = tlcp_cert_load_file(cert_path, err);
    GUARD_PTR(cert);
    tlcp_cert_list extra;
    if (!tlcp_cert_is_sm2(cert)) {
        TLCP_ERR(err, TLCP_R_CERT, "certificate %s does not hold an SM2 key (%s)", cert_path,
                 tlcp_cert_subject(cert));
        tlcp_cert_free(cert);
        return 0;
    }
    if (!load_extra(&extra, cert_path, err)) {
        tlcp_cert_free(cert);
        return 0;
    }
    keypair_install(out, cert, NULL, &extra);
    return 1;
}

void tlcp_keypair_clear(tlcp_keypair *pair)
{
    if (pair == NULL)
        return;
    tlcp_cert_free(pair->cert);
    tlcp_pkey_free(pair->key);
    tlcp_cert_list_clear(&pair->extra);
    pair->cert = NULL;
    pair->key = NULL;
}

/* ---- credentials ---- */

tlcp_credentials *tlcp_credentials_new(tlcp_error *err)
{
    tlcp_credentials *creds = calloc(1, sizeof(*creds));
    if (creds == NULL) {
        TLCP_ERR(err, TLCP_R_ALLOC, "out of memory for credentials");
        return NULL;
    }
    tlcp_cert_list_init(&creds->chain);
    creds->refs = 1;
    return creds;
}

tlcp_credentials *tlcp_credentials_up_ref(tlcp_credentials *creds)
{
    if (creds != NULL)
        creds->refs++;
    return creds;
}

void tlcp_credentials_free(tlcp_credentials *creds)
{
    if (creds == NULL || --creds->refs > 0)
        return;
    tlcp_keypair_clear(&creds->sign);
    tlcp_keypair_clear(&creds->enc);
    tlcp_cert_list_clear(&creds->chain);
    free(creds);
}

int tlcp_credentials_load_sign(tlcp_credentials *creds, const char *cert_path, const char *key_path,
                               const char *passphrase, tlcp_error *err)
{
    return tlcp_keypair_load_files(&creds->sign, cert_path, key_path, passphrase, err);
}

int tlcp_credentials_load_enc(tlcp_credentials *creds, const char *cert_path, const char *key_path,
                              const char *passphrase, tlcp_error *err)
{
    return tlcp_keypair_load_files(&creds->enc, cert_path, key_path, passphrase, err);
}

int tlcp_credentials_load_chain_file(tlcp_credentials *creds, const char *path, tlcp_error *err)
{
    return tlcp_cert_list_load_file(&creds->chain, path, err);
}

int tlcp_credentials_check(const tlcp_credentials *creds, int require_enc, tlcp_error *err)
{
    int present = 0;
    ENSURE(creds->sign.cert != NULL, err, TLCP_R_CONFIG, "no signing certificate and key");
    unsigned ku = tlcp_cert_key_usage(creds->sign.cert, &present);
    ENSURE(!present || (ku & TLCP_KU_DIGITAL_SIGNATURE), err, TLCP_R_CERT_KEY_USAGE,
           "signing certificate lacks digitalSignature: %s", tlcp_cert_subject(creds->sign.cert));
    if (!require_enc && creds->enc.cert == NULL)
        return 1;
    ENSURE(creds->enc.cert != NULL, err, TLCP_R_CONFIG, "no encryption certificate and key");
    ku = tlcp_cert_key_usage(creds->enc.cert, &present);
    ENSURE(!present || (ku & TLCP_KU_ENC_ANY), err, TLCP_R_CERT_KEY_USAGE,
           "encryption certificate lacks keyEncipherment/keyAgreement: %s",
           tlcp_cert_subject(creds->enc.cert));
    return 1;
}

static int same_cert(const tlcp_cert *a, const tlcp_cert *b)
{
    const uint8_t *da, *db;
    size_t la, lb;
    tlcp_cert_der(a, &da, &la);
    tlcp_cert_der(b, &db, &lb);
    return la == lb && memcmp(da, db, la) == 0;
}

/* Appends `cert` unless it is already in out[0..n). */
static void put_once(const tlcp_cert **out, size_t *n, const tlcp_cert *cert)
{
    for (size_t i = 0; i < *n; i++) {
        if (same_cert(out[i], cert))
            return;
    }
    out[(*n)++] = cert;
}

#define WIRE_MAX (2 + 3 * TLCP_X509_MAX_LIST)

/* sign, enc, chain file, sign file's chain, enc file's chain; no repeats. */
static size_t wire_certs(const tlcp_credentials *creds, const tlcp_cert *out[WIRE_MAX])
{
    size_t n = 0;
    if (creds->sign.cert != NULL)
        out[n++] = creds->sign.cert;
    if (creds->enc.cert != NULL)
        out[n++] = creds->enc.cert;
    const tlcp_cert_list *lists[] = {&creds->chain, &creds->sign.extra, &creds->enc.extra};
    for (size_t l = 0; l < 3; l++) {
        for (size_t i = 0; i < lists[l]->num; i++)
            put_once(out, &n, lists[l]->certs[i]);
    }
    return n;
}

size_t tlcp_credentials_wire_list(const tlcp_credentials *creds, const uint8_t **ders, size_t *lens,
                                  size_t cap)
{
    const tlcp_cert *certs[WIRE_MAX];
    size_t n = wire_certs(creds, certs);
    for (size_t i = 0; i < n && i < cap; i++)
        tlcp_cert_der(certs[i], &ders[i], &lens[i]);
    return n;
}

size_t tlcp_credentials_chain_count(const tlcp_credentials *creds)
{
    const tlcp_cert *certs[WIRE_MAX];
    size_t leaves = (creds->sign.cert != NULL) + (creds->enc.cert != NULL);
    return wire_certs(creds, certs) - leaves;
}
