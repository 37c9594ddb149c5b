/* SPDX-License-Identifier: Apache-2.0 */
/* The trust store's layout, shared by store.c and verify.c. */
#ifndef TLCP_X509_STORE_INTERNAL_H
#define TLCP_X509_STORE_INTERNAL_H

#include <pthread.h>

#include <openssl/x509_vfy.h>

#include "crypto/crypto.h"
#include "x509/x509_internal.h"

#define TLCP_STORE_MAX_KEYS 64

struct tlcp_trust_store {
    X509_STORE *store;    /* owned; its get_issuer attaches the SM2 ID to what it finds */
    size_t count;         /* certificates added explicitly (files, *.pem in directories) */
    size_t crl_count;     /* CRLs loaded (crl.c); hashed CRL directories not counted */
    unsigned long vflags; /* X509_V_FLAG_* set on every verification (CRL checks, partial chains) */
    int refs;
    /* Issuer keys met by the chain checks (key_cache.c). */
    pthread_mutex_t keys_lock;
    struct {
        uint8_t point[TLCP_SM2_POINT_LEN];
        tlcp_pkey *key;
    } keys[TLCP_STORE_MAX_KEYS];
    size_t num_keys;
};

/* X509_STORE get_issuer hook: the default lookup, then the SM2 ID on the
 * issuer found (certificates of hashed directories arrive without it). */
int tlcp_store_get_issuer(X509 **issuer, X509_STORE_CTX *ctx, X509 *x);

/* The key `pkey` of certificate `issuer` as a libtlcp SM2 key: 0 when it
 * is not on the SM2 curve (OpenSSL checks those signatures). Else 1 with
 * `point` its 04||X||Y and *out the key (NULL when the point is unusable),
 * borrowed from the store's cache (store may be NULL) or, with *owned = 1,
 * the caller's to free. */
int tlcp_store_issuer_key(const tlcp_trust_store *store, X509 *issuer, EVP_PKEY *pkey,
                          tlcp_pkey **out, int *owned, uint8_t point[TLCP_SM2_POINT_LEN]);
void tlcp_store_keys_clear(tlcp_trust_store *store);

/* The first element (tag and length included) of the DER SEQUENCE at
 * der[0..len): the signed part of a certificate or CRL. */
int tlcp_x509_tbs_span(const uint8_t *der, size_t len, const uint8_t **tbs, size_t *tbs_len);

/* 1 when the SM2 signature `sig` over the first element of the DER
 * SEQUENCE der[0..der_len) verifies under key with the given ID. */
int tlcp_x509_sm2_verify_signed(const tlcp_pkey *key, const uint8_t *id, size_t id_len,
                                const unsigned char *der, int der_len, const ASN1_BIT_STRING *sig);

/* X509_STORE_CTX verify callback while CRLs are checked: OpenSSL 3.0 checks
 * a CRL's SM2 signature without the SM2 ID (so every valid SM2 CRL fails);
 * on X509_V_ERR_CRL_SIGNATURE_FAILURE this checks it again with libtlcp's
 * SM2 and the default ID and overrides only when it verifies (crl.c). */
int tlcp_x509_crl_verify_cb(int ok, X509_STORE_CTX *ctx);

/* The TLCP reason (and *alert) of a revocation-related X509_V_ERR_* code:
 * TLCP_R_CERT_REVOKED, _CRL_MISSING, _CRL_EXPIRED, _CRL_INVALID; TLCP_R_NONE
 * (alert untouched) for any other code (crl.c). */
int tlcp_x509_crl_reason(int code, int *alert);

/* One certificate signature question for the memo (sig_memo.c): did the
 * certificate with exactly these DER bytes and this SM2 ID verify under the
 * issuer key with this point? */
typedef struct tlcp_sig_question {
    const uint8_t *point; /* TLCP_SM2_POINT_LEN bytes, 04 || X || Y */
    const uint8_t *id;
    size_t id_len;
    const uint8_t *der;
    size_t der_len;
} tlcp_sig_question;
/* 1 when the same question was answered "valid" before (and is still kept). */
int tlcp_sig_memo_seen(const tlcp_sig_question *q);
/* Records a "valid" answer (call only after a successful verification). */
void tlcp_sig_memo_add(const tlcp_sig_question *q);
/* Forgets every answer (tests). */
void tlcp_sig_memo_clear(void);
/* Questions answered from the memo since the process started (tests). */
unsigned long tlcp_sig_memo_hits(void);

/* The X509_STORE_CTX verify step (X509_STORE_CTX_set_verify): signatures
 * with libtlcp's SM2 and validity dates, in place of OpenSSL's; the ctx's
 * app data is the tlcp_trust_store (or NULL: no key cache). */
int tlcp_x509_chain_verify(X509_STORE_CTX *ctx);
/* 1 unless the OpenSSL-only path is selected: build option TLCP_SM2_EVP
 * (TLCP_SM2_EVP_ONLY), or TLCP_TEST_SM2_EVP=1 in test builds. */
int tlcp_x509_own_chain_checks(void);
#if defined(TLCP_TESTING)
/* Test builds: 1 = OpenSSL's checks, 0 = ours (overrides the environment). */
void tlcp_x509_force_openssl_chain_checks(int on);
#endif

#endif
