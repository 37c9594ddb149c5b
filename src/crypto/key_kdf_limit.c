/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reads the key derivation parameters of an encrypted PKCS#8 key
 * (EncryptedPrivateKeyInfo -> PBES2 -> PBKDF2 or scrypt, or PBES1/PKCS#12
 * PBE) and refuses a cost above the bounds of key_kdf_limit.h before the
 * decoder runs the derivation. Whatever does not parse is left to the
 * decoder, which reports it properly; this file only ever refuses on cost.
 */
#include "crypto/key_kdf_limit.h"

#include <limits.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

static uint64_t max_iterations = TLCP_MAX_KDF_ITERATIONS;
static uint64_t max_scrypt_work = TLCP_MAX_SCRYPT_WORK;

#if defined(TLCP_TESTING)
void tlcp_test_set_kdf_limits(uint64_t iterations, uint64_t scrypt_work)
{
    max_iterations = iterations != 0 ? iterations : TLCP_MAX_KDF_ITERATIONS;
    max_scrypt_work = scrypt_work != 0 ? scrypt_work : TLCP_MAX_SCRYPT_WORK;
}
#endif

/* The DER of a SEQUENCE-typed algorithm parameter, or NULL. */
static const unsigned char *seq_param(const X509_ALGOR *alg, long *len)
{
    int ptype = V_ASN1_UNDEF;
    const void *pval = NULL;
    X509_ALGOR_get0(NULL, &ptype, &pval, alg);
    if (ptype != V_ASN1_SEQUENCE || pval == NULL)
        return NULL;
    *len = ASN1_STRING_length(pval);
    return ASN1_STRING_get0_data(pval);
}

/* An iteration count must read as an unsigned number within the bound. */
static int check_iterations(const ASN1_INTEGER *iter, const char *kdf, tlcp_error *err)
{
    uint64_t n = 0;
    if (iter == NULL || ASN1_INTEGER_get_uint64(&n, iter) != 1) {
        TLCP_ERR(err, TLCP_R_BAD_KEY,
                 "encrypted key: the %s iteration count is not a number this library accepts", kdf);
        return 0;
    }
    if (n > max_iterations) {
        TLCP_ERR(err, TLCP_R_BAD_KEY,
                 "encrypted key asks for %llu %s iterations, more than the %llu allowed (a "
                 "corrupt or hostile file would keep the loader busy for minutes)",
                 (unsigned long long)n, kdf, (unsigned long long)max_iterations);
        return 0;
    }
    return 1;
}

/* a * b, or UINT64_MAX when it overflows */
static uint64_t mul_sat(uint64_t a, uint64_t b)
{
    if (a != 0 && b > UINT64_MAX / a)
        return UINT64_MAX;
    return a * b;
}

static int check_scrypt(const unsigned char *p, long len, tlcp_error *err)
{
    SCRYPT_PARAMS *sp = d2i_SCRYPT_PARAMS(NULL, &p, len);
    if (sp == NULL)
        return 1;
    uint64_t n = 0, r = 0, par = 0;
    int read = ASN1_INTEGER_get_uint64(&n, sp->costParameter) == 1 &&
               ASN1_INTEGER_get_uint64(&r, sp->blockSize) == 1 &&
               ASN1_INTEGER_get_uint64(&par, sp->parallelizationParameter) == 1;
    SCRYPT_PARAMS_free(sp);
    uint64_t work = read ? mul_sat(mul_sat(n, r), par) : UINT64_MAX;
    if (work > max_scrypt_work) {
        TLCP_ERR(err, TLCP_R_BAD_KEY,
                 "encrypted key asks for scrypt work N*r*p = %llu*%llu*%llu, more than the %llu "
                 "allowed (a corrupt or hostile file would keep the loader busy for minutes)",
                 (unsigned long long)n, (unsigned long long)r, (unsigned long long)par,
                 (unsigned long long)max_scrypt_work);
        return 0;
    }
    return 1;
}

static int check_pbes2(const X509_ALGOR *alg, tlcp_error *err)
{
    long len = 0;
    const unsigned char *p = seq_param(alg, &len);
    PBE2PARAM *pbe2 = p != NULL ? d2i_PBE2PARAM(NULL, &p, len) : NULL;
    if (pbe2 == NULL)
        return 1;
    int ok = 1;
    int kdf = OBJ_obj2nid(pbe2->keyfunc->algorithm);
    const unsigned char *kp = seq_param(pbe2->keyfunc, &len);
    if (kp != NULL && kdf == NID_id_pbkdf2) {
        PBKDF2PARAM *kdp = d2i_PBKDF2PARAM(NULL, &kp, len);
        if (kdp != NULL)
            ok = check_iterations(kdp->iter, "PBKDF2", err);
        PBKDF2PARAM_free(kdp);
    } else if (kp != NULL && kdf == NID_id_scrypt) {
        ok = check_scrypt(kp, len, err);
    }
    PBE2PARAM_free(pbe2);
    return ok;
}

/* PBES1 and the PKCS#12 schemes share the PBEParameter (salt, iterations). */
static int check_pbes1(const X509_ALGOR *alg, tlcp_error *err)
{
    long len = 0;
    const unsigned char *p = seq_param(alg, &len);
    PBEPARAM *pbe = p != NULL ? d2i_PBEPARAM(NULL, &p, len) : NULL;
    if (pbe == NULL)
        return 1;
    int ok = check_iterations(pbe->iter, "PBE", err);
    PBEPARAM_free(pbe);
    return ok;
}

static int check_der(const unsigned char *der, long len, tlcp_error *err)
{
    X509_SIG *sig = d2i_X509_SIG(NULL, &der, len);
    if (sig == NULL)
        return 1;
    const X509_ALGOR *alg = NULL;
    X509_SIG_get0(sig, &alg, NULL);
    const ASN1_OBJECT *oid = NULL;
    X509_ALGOR_get0(&oid, NULL, NULL, alg);
    int ok = OBJ_obj2nid(oid) == NID_pbes2 ? check_pbes2(alg, err) : check_pbes1(alg, err);
    X509_SIG_free(sig);
    return ok;
}

/* Every "ENCRYPTED PRIVATE KEY" block of a PEM text. */
static int check_pem(const uint8_t *data, size_t len, tlcp_error *err)
{
    if (len > INT32_MAX)
        return 1;
    BIO *bio = BIO_new_mem_buf(data, (int)len);
    if (bio == NULL)
        return 1;
    int ok = 1;
    char *name = NULL, *header = NULL;
    unsigned char *der = NULL;
    long der_len = 0;
    while (ok && PEM_read_bio(bio, &name, &header, &der, &der_len) == 1) {
        if (strcmp(name, PEM_STRING_PKCS8) == 0)
            ok = check_der(der, der_len, err);
        OPENSSL_free(name);
        OPENSSL_free(header);
        OPENSSL_clear_free(der, (size_t)der_len);
        name = header = NULL;
        der = NULL;
    }
    BIO_free(bio);
    return ok;
}

int tlcp_key_check_kdf_cost(const uint8_t *data, size_t len, tlcp_error *err)
{
    if (data == NULL || len == 0)
        return 1;
    int ok = data[0] == 0x30 ? (len > LONG_MAX || check_der(data, (long)len, err))
                             : check_pem(data, len, err);
    ERR_clear_error(); /* the parse attempts above are not the caller's errors */
    return ok;
}
