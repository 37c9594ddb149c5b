/*
 * TEMPORARY: stand-ins for the tlcp_pkey functions the x509 tests need, until
 * the crypto-sm2 branch (src/crypto/sm2_*.c) lands on main. They compile only
 * while src/crypto/sm2_internal.h (a file of that branch) is absent, so the
 * real implementation is tested as soon as it is merged; delete this file and
 * its #include then.
 */
#ifndef TLCP_X509_TEST_SHIM_H
#define TLCP_X509_TEST_SHIM_H

#if !__has_include("crypto/sm2_internal.h")

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "crypto/pkey_internal.h"

#define SHIM __attribute__((weak))

SHIM tlcp_pkey *tlcp_pkey_wrap(EVP_PKEY *pkey, tlcp_error *err)
{
    char group[32] = "";
    size_t glen = 0;
    if (pkey == NULL || !EVP_PKEY_get_group_name(pkey, group, sizeof(group), &glen) ||
        strcmp(group, "SM2") != 0) {
        EVP_PKEY_free(pkey);
        ERR_clear_error();
        TLCP_ERR(err, TLCP_R_BAD_KEY, "not an SM2 key (shim)");
        return NULL;
    }
    tlcp_pkey *k = calloc(1, sizeof(*k));
    if (k == NULL) {
        EVP_PKEY_free(pkey);
        return NULL;
    }
    k->pkey = pkey;
    k->refs = 1;
    return k;
}

SHIM tlcp_pkey *tlcp_pkey_up_ref(tlcp_pkey *key)
{
    if (key != NULL)
        key->refs++;
    return key;
}

SHIM void tlcp_pkey_free(tlcp_pkey *key)
{
    if (key == NULL || --key->refs > 0)
        return;
    EVP_PKEY_free(key->pkey);
    free(key);
}

SHIM int tlcp_pkey_has_private(const tlcp_pkey *key)
{
    BIGNUM *d = NULL;
    int has = EVP_PKEY_get_bn_param(key->pkey, "priv", &d) == 1;
    BN_clear_free(d);
    ERR_clear_error();
    return has;
}

SHIM tlcp_pkey *tlcp_pkey_load_private_file(const char *path, const char *passphrase,
                                            tlcp_error *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        TLCP_ERR(err, TLCP_R_FILE, "cannot open key file %s (shim)", path);
        return NULL;
    }
    EVP_PKEY *pk = PEM_read_PrivateKey(f, NULL, NULL, (void *)passphrase);
    fclose(f);
    if (pk == NULL) {
        ERR_clear_error();
        TLCP_ERR(err, TLCP_R_BAD_KEY, "cannot read key file %s (shim)", path);
        return NULL;
    }
    return tlcp_pkey_wrap(pk, err);
}

SHIM tlcp_pkey *tlcp_pkey_generate(tlcp_error *err)
{
    EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, "SM2");
    if (pk == NULL) {
        TLCP_ERR(err, TLCP_R_CRYPTO, "keygen failed (shim)");
        return NULL;
    }
    return tlcp_pkey_wrap(pk, err);
}

SHIM int tlcp_pkey_to_pem(const tlcp_pkey *key, char **out_pem, size_t *out_len, tlcp_error *err)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *text = NULL;
    long n = 0;
    if (bio == NULL || !PEM_write_bio_PrivateKey(bio, key->pkey, NULL, NULL, 0, NULL, NULL) ||
        (n = BIO_get_mem_data(bio, &text)) <= 0) {
        BIO_free(bio);
        TLCP_ERR(err, TLCP_R_CRYPTO, "cannot write key (shim)");
        return 0;
    }
    *out_pem = malloc((size_t)n + 1);
    memcpy(*out_pem, text, (size_t)n);
    (*out_pem)[n] = '\0';
    *out_len = (size_t)n;
    BIO_free(bio);
    return 1;
}

#undef SHIM

#endif /* no sm2_internal.h */

#endif
