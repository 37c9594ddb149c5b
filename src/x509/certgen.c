/* SPDX-License-Identifier: Apache-2.0 */
/* Test-PKI generation: SM2 CA and TLCP sign/enc leaf certificates (tlcp certgen). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "crypto/pkey_internal.h"
#include "tlcp/pki.h"
#include "x509/x509_internal.h"

#define SERIAL_LEN    20
#define SAN_MAX_ITEMS 64
#define SAN_MAX_LEN   4096

static unsigned profile_key_usage(int profile)
{
    switch (profile) {
    case TLCP_PROFILE_CA:
        return TLCP_KU_KEY_CERT_SIGN | TLCP_KU_CRL_SIGN;
    case TLCP_PROFILE_SIGN:
        return TLCP_KU_DIGITAL_SIGNATURE | TLCP_KU_NON_REPUDIATION;
    case TLCP_PROFILE_ENC:
        return TLCP_KU_KEY_ENCIPHERMENT | TLCP_KU_DATA_ENCIPHERMENT | TLCP_KU_KEY_AGREEMENT;
    default:
        return 0;
    }
}

/* "critical,digitalSignature,..." in OpenSSL's extension value syntax. */
static int key_usage_value(unsigned ku, char *buf, size_t cap)
{
    static const struct {
        unsigned bit;
        const char *name;
    } names[] = {
        {TLCP_KU_DIGITAL_SIGNATURE, "digitalSignature"},
        {TLCP_KU_NON_REPUDIATION, "nonRepudiation"},
        {TLCP_KU_KEY_ENCIPHERMENT, "keyEncipherment"},
        {TLCP_KU_DATA_ENCIPHERMENT, "dataEncipherment"},
        {TLCP_KU_KEY_AGREEMENT, "keyAgreement"},
        {TLCP_KU_KEY_CERT_SIGN, "keyCertSign"},
        {TLCP_KU_CRL_SIGN, "cRLSign"},
        {TLCP_KU_ENCIPHER_ONLY, "encipherOnly"},
        {TLCP_KU_DECIPHER_ONLY, "decipherOnly"},
    };
    size_t used = (size_t)snprintf(buf, cap, "critical");
    for (size_t i = 0; i < TLCP_ARRAY_LEN(names); i++) {
        if (!(ku & names[i].bit))
            continue;
        int n = snprintf(buf + used, cap - used, ",%s", names[i].name);
        if (n < 0 || (size_t)n >= cap - used)
            return 0;
        used += (size_t)n;
    }
    return ku != 0;
}

static int set_random_serial(X509 *x, tlcp_error *err)
{
    uint8_t bytes[SERIAL_LEN];
    GUARD(tlcp_random_bytes(bytes, sizeof(bytes), err));
    /* Positive (top bit clear) and never zero or short. */
    bytes[0] = (uint8_t)((bytes[0] & 0x7f) | 0x40);
    BIGNUM *bn = BN_bin2bn(bytes, sizeof(bytes), NULL);
    int ok = bn != NULL && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL;
    BN_free(bn);
    if (!ok)
        return CRYPTO_FAIL(err, TLCP_R_CRYPTO, "cannot set the certificate serial number");
    return 1;
}

static int add_name_entry(X509_NAME *name, const char *field, const char *value)
{
    if (value == NULL || value[0] == '\0')
        return 1;
    return X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8, (const unsigned char *)value, -1,
                                      -1, 0);
}

static X509_NAME *build_name(const tlcp_certgen_params *p, tlcp_error *err)
{
    X509_NAME *name = X509_NAME_new();
    int ok = name != NULL && add_name_entry(name, "C", p->country ? p->country : "CN") &&
             add_name_entry(name, "O", p->organization ? p->organization : "libtlcp") &&
             add_name_entry(name, "OU", p->org_unit) && add_name_entry(name, "CN", p->common_name);
    if (!ok) {
        X509_NAME_free(name);
        CRYPTO_FAIL(err, TLCP_R_INVALID_ARGUMENT, "cannot build the certificate name");
        return NULL;
    }
    return name;
}

static int add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value, tlcp_error *err)
{
    X509_EXTENSION *ext = X509V3_EXT_nconf_nid(NULL, ctx, nid, value);
    int ok = ext != NULL && X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
    if (!ok)
        return CRYPTO_FAIL(err, TLCP_R_CRYPTO, "cannot add a certificate extension");
    return 1;
}

/* A DNS name as certgen accepts it: letters, digits, '-', '.', '_', and a
 * leading "*." wildcard. */
static int dns_name_ok(const char *s, size_t len)
{
    if (len == 0 || len > 253)
        return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        int wildcard = (c == '*' && i == 0 && len > 2 && s[1] == '.');
        if (!isalnum(c) && c != '-' && c != '.' && c != '_' && !wildcard)
            return 0;
    }
    return 1;
}

static GENERAL_NAME *san_item(const char *item, tlcp_error *err)
{
    GENERAL_NAME *gen = GENERAL_NAME_new();
    if (gen == NULL) {
        TLCP_ERR(err, TLCP_R_ALLOC, "out of memory for a subjectAltName");
        return NULL;
    }
    if (strncasecmp(item, "DNS:", 4) == 0 && dns_name_ok(item + 4, strlen(item + 4))) {
        ASN1_IA5STRING *ia5 = ASN1_IA5STRING_new();
        if (ia5 != NULL && ASN1_STRING_set(ia5, item + 4, -1)) {
            GENERAL_NAME_set0_value(gen, GEN_DNS, ia5);
            return gen;
        }
        ASN1_IA5STRING_free(ia5);
    } else if (strncasecmp(item, "IP:", 3) == 0) {
        ASN1_OCTET_STRING *ip = a2i_IPADDRESS(item + 3);
        if (ip != NULL) {
            GENERAL_NAME_set0_value(gen, GEN_IPADD, ip);
            return gen;
        }
    }
    ERR_clear_error();
    GENERAL_NAME_free(gen);
    TLCP_ERR(err, TLCP_R_INVALID_ARGUMENT,
             "bad subjectAltName entry \"%s\" (expected DNS:name or IP:address)", item);
    return NULL;
}

/* Splits "DNS:a,IP:b" (spaces around items allowed) into GENERAL_NAMES. */
static GENERAL_NAMES *parse_san(const char *san, tlcp_error *err)
{
    char buf[SAN_MAX_LEN];
    if (strlen(san) >= sizeof(buf)) {
        TLCP_ERR(err, TLCP_R_INVALID_ARGUMENT, "subjectAltName list too long");
        return NULL;
    }
    memcpy(buf, san, strlen(san) + 1);
    GENERAL_NAMES *gens = GENERAL_NAMES_new();
    int ok = gens != NULL;
    /* Split by hand: strtok would silently skip empty items ("a,,b"). */
    for (char *tok = buf; ok && tok != NULL;) {
        char *comma = strchr(tok, ',');
        if (comma != NULL)
            *comma = '\0';
        while (*tok == ' ')
            tok++;
        size_t n = strlen(tok);
        while (n > 0 && tok[n - 1] == ' ')
            tok[--n] = '\0';
        ok = sk_GENERAL_NAME_num(gens) < SAN_MAX_ITEMS;
        GENERAL_NAME *gen = ok ? san_item(tok, err) : NULL;
        ok = gen != NULL && sk_GENERAL_NAME_push(gens, gen) > 0;
        if (!ok)
            GENERAL_NAME_free(gen);
        tok = comma != NULL ? comma + 1 : NULL;
    }
    if (ok && sk_GENERAL_NAME_num(gens) == 0) {
        ok = 0;
        TLCP_ERR(err, TLCP_R_INVALID_ARGUMENT, "empty subjectAltName list");
    }
    if (!ok) {
        TLCP_ERR(err, TLCP_R_INVALID_ARGUMENT, "bad subjectAltName list \"%s\"", san);
        GENERAL_NAMES_free(gens);
        return NULL;
    }
    return gens;
}

tlcp_result tlcp_pki_check_san(const char *san, char *errbuf, size_t errlen)
{
    tlcp_error err;
    tlcp_error_clear(&err);
    GENERAL_NAMES *gens = san != NULL ? parse_san(san, &err) : NULL;
    if (gens == NULL) {
        if (errbuf != NULL && errlen > 0)
            snprintf(errbuf, errlen, "%s",
                     san == NULL ? "no subjectAltName list" : tlcp_error_message(&err));
        return TLCP_ERROR;
    }
    GENERAL_NAMES_free(gens);
    return TLCP_OK;
}

static int add_san(X509 *x, const char *san, tlcp_error *err)
{
    if (san == NULL || san[0] == '\0')
        return 1;
    GENERAL_NAMES *gens = parse_san(san, err);
    GUARD_PTR(gens);
    int ok = X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0, X509V3_ADD_DEFAULT) == 1;
    GENERAL_NAMES_free(gens);
    if (!ok)
        return CRYPTO_FAIL(err, TLCP_R_CRYPTO, "cannot add the subjectAltName extension");
    return 1;
}

static int add_extensions(X509 *x, X509 *issuer, const tlcp_certgen_params *p, tlcp_error *err)
{
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
    /* Leaves carry no basicConstraints at all: DER drops the DEFAULT cA FALSE,
     * leaving an empty SEQUENCE that GmSSL 3 rejects, while an explicit FALSE
     * is not DER (Python's cryptography refuses it). GmSSL 3's own leaves omit
     * the extension, and RFC 5280 reads its absence as "not a CA". */
    if (p->profile == TLCP_PROFILE_CA)
        GUARD(add_ext(x, &ctx, NID_basic_constraints, "critical,CA:TRUE", err));
    char ku[256];
    unsigned bits = p->key_usage != 0 ? p->key_usage : profile_key_usage(p->profile);
    ENSURE(key_usage_value(bits, ku, sizeof(ku)), err, TLCP_R_INVALID_ARGUMENT,
           "no key usage for certificate profile %d", p->profile);
    GUARD(add_ext(x, &ctx, NID_key_usage, ku, err));
    GUARD(add_ext(x, &ctx, NID_subject_key_identifier, "hash", err));
    if (issuer != NULL)
        GUARD(add_ext(x, &ctx, NID_authority_key_identifier, "keyid:always", err));
    return add_san(x, p->san, err);
}

/* SM3withSM2 with the default ID (OpenSSL 3.0 needs it set explicitly). */
EVP_MD_CTX *tlcp_x509_sm2_sign_ctx(const tlcp_pkey *key)
{
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    if (mctx != NULL && EVP_DigestSignInit(mctx, &pctx, EVP_sm3(), NULL, tlcp_pkey_evp(key)) == 1 &&
        EVP_PKEY_CTX_set1_id(pctx, TLCP_SM2_DEFAULT_ID, TLCP_SM2_DEFAULT_ID_LEN) > 0)
        return mctx;
    EVP_MD_CTX_free(mctx);
    return NULL;
}

static int sign_sm2(X509 *x, const tlcp_pkey *key, tlcp_error *err)
{
    EVP_MD_CTX *mctx = tlcp_x509_sm2_sign_ctx(key);
    int ok = mctx != NULL && X509_sign_ctx(x, mctx) > 0;
    EVP_MD_CTX_free(mctx);
    if (!ok)
        return CRYPTO_FAIL(err, TLCP_R_CRYPTO, "cannot sign the certificate with SM2");
    return 1;
}

static int set_validity(X509 *x, const tlcp_certgen_params *p, tlcp_error *err)
{
    time_t start = p->not_before != 0 ? p->not_before : time(NULL) - 3600;
    int days = p->days > 0 ? p->days : 365;
    int ok = ASN1_TIME_set(X509_getm_notBefore(x), start) != NULL &&
             ASN1_TIME_adj(X509_getm_notAfter(x), start, days, 0) != NULL;
    if (!ok)
        return CRYPTO_FAIL(err, TLCP_R_INVALID_ARGUMENT, "cannot set the validity period");
    return 1;
}

static int check_inputs(const tlcp_cert *issuer, const tlcp_pkey *issuer_key,
                        const tlcp_pkey *subject_key, const tlcp_certgen_params *p, tlcp_error *err)
{
    ENSURE(p != NULL && p->common_name != NULL && p->common_name[0] != '\0', err,
           TLCP_R_INVALID_ARGUMENT, "a certificate needs a common name");
    ENSURE(p->days <= TLCP_CERTGEN_MAX_DAYS, err, TLCP_R_INVALID_ARGUMENT,
           "validity of %d days is too long (GmSSL 3 accepts at most %d)", p->days,
           TLCP_CERTGEN_MAX_DAYS);
    ENSURE(profile_key_usage(p->profile) != 0, err, TLCP_R_INVALID_ARGUMENT,
           "unknown certificate profile %d", p->profile);
    ENSURE(issuer_key != NULL && subject_key != NULL && tlcp_pkey_has_private(issuer_key), err,
           TLCP_R_INVALID_ARGUMENT, "certificate generation needs the issuer's private key");
    const EVP_PKEY *expected =
        issuer != NULL ? X509_get0_pubkey(tlcp_cert_x509(issuer)) : tlcp_pkey_evp(subject_key);
    int eq = expected != NULL && EVP_PKEY_eq(expected, tlcp_pkey_evp(issuer_key)) == 1;
    ERR_clear_error();
    ENSURE(eq, err, TLCP_R_KEY_CERT_MISMATCH, "%s",
           issuer != NULL ? "the issuer key does not match the issuer certificate"
                          : "a self-signed certificate must be signed with its own key");
    return 1;
}

tlcp_cert *tlcp_certgen_issue(const tlcp_cert *issuer, const tlcp_pkey *issuer_key,
                              const tlcp_pkey *subject_key, const tlcp_certgen_params *params,
                              tlcp_error *err)
{
    if (!check_inputs(issuer, issuer_key, subject_key, params, err))
        return NULL;
    X509 *issuer_x = issuer != NULL ? tlcp_cert_x509(issuer) : NULL;
    X509 *x = X509_new();
    X509_NAME *name = build_name(params, err);
    int ok = x != NULL && name != NULL && X509_set_version(x, X509_VERSION_3) &&
             X509_set_subject_name(x, name) &&
             X509_set_issuer_name(x, issuer_x != NULL ? X509_get_subject_name(issuer_x) : name) &&
             X509_set_pubkey(x, tlcp_pkey_evp(subject_key));
    X509_NAME_free(name);
    if (!ok) {
        X509_free(x);
        if (name != NULL)
            CRYPTO_FAIL(err, TLCP_R_CRYPTO, "cannot build the certificate");
        return NULL;
    }
    ok = set_random_serial(x, err) && set_validity(x, params, err) &&
         add_extensions(x, issuer_x, params, err) && sign_sm2(x, issuer_key, err);
    if (!ok) {
        X509_free(x);
        return NULL;
    }
    /* Hand out the certificate as a peer would see it: re-parsed from its
     * DER, so it shares nothing with subject_key (X509_set_pubkey keeps a
     * reference to the private key object). */
    unsigned char *der = NULL;
    int len = i2d_X509(x, &der);
    X509_free(x);
    if (len <= 0) {
        CRYPTO_FAIL(err, TLCP_R_CRYPTO, "cannot encode the new certificate");
        return NULL;
    }
    tlcp_cert *cert = tlcp_cert_from_der(der, (size_t)len, err);
    OPENSSL_free(der);
    return cert;
}
