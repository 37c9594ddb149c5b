/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The trust store's cache of issuer keys as libtlcp SM2 keys, keyed by the
 * exact public point: the chain checks (chain_verify.c) then reuse one key
 * object per CA, with whatever per-key precomputation src/crypto keeps.
 * It caches keys, never verdicts: a key is found only for the same 65 point
 * bytes it was made from. Entries are never replaced, so a borrowed key
 * stays valid while the store lives; once full, keys are made per use.
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "crypto/crypto.h"
#include "x509/store_internal.h"

/* 04 || X || Y straight from the certificate's subjectPublicKeyInfo when
 * it is the usual form (id-ecPublicKey, named curve SM2, uncompressed
 * point): the same bytes OpenSSL decoded the key from, without the cost of
 * its parameter queries (a tenth of a handshake). 0: some other form. */
static int spki_point(X509 *x, uint8_t out[TLCP_SM2_POINT_LEN])
{
    ASN1_OBJECT *alg = NULL;
    const unsigned char *pk = NULL;
    int pk_len = 0;
    X509_ALGOR *pa = NULL;
    X509_PUBKEY *pub = X509_get_X509_PUBKEY(x);
    if (pub == NULL || X509_PUBKEY_get0_param(&alg, &pk, &pk_len, &pa, pub) != 1 ||
        OBJ_obj2nid(alg) != NID_X9_62_id_ecPublicKey || pk_len != TLCP_SM2_POINT_LEN ||
        pk[0] != 0x04)
        return 0;
    int ptype = 0;
    const void *pval = NULL;
    X509_ALGOR_get0(NULL, &ptype, &pval, pa);
    if (ptype != V_ASN1_OBJECT || OBJ_obj2nid((const ASN1_OBJECT *)pval) != NID_sm2)
        return 0;
    memcpy(out, pk, TLCP_SM2_POINT_LEN);
    return 1;
}

/* 04 || X || Y of an SM2-curve key; 0 for keys on other curves or not EC. */
static int sm2_point(EVP_PKEY *pkey, uint8_t out[TLCP_SM2_POINT_LEN])
{
    char group[32];
    if (EVP_PKEY_get_group_name(pkey, group, sizeof(group), NULL) != 1 || strcmp(group, "SM2") != 0)
        return 0;
    BIGNUM *x = NULL, *y = NULL;
    int ok = EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_X, &x) == 1 &&
             EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &y) == 1 &&
             BN_bn2binpad(x, out + 1, 32) == 32 && BN_bn2binpad(y, out + 33, 32) == 32;
    out[0] = 0x04;
    BN_free(x);
    BN_free(y);
    return ok;
}

static tlcp_pkey *cached(tlcp_trust_store *store, const uint8_t point[TLCP_SM2_POINT_LEN])
{
    for (size_t i = 0; i < store->num_keys; i++)
        if (memcmp(store->keys[i].point, point, TLCP_SM2_POINT_LEN) == 0)
            return store->keys[i].key;
    return NULL;
}

int tlcp_store_issuer_key(const tlcp_trust_store *cstore, X509 *issuer, EVP_PKEY *pkey,
                          tlcp_pkey **out, int *owned, uint8_t point[TLCP_SM2_POINT_LEN])
{
    *out = NULL;
    *owned = 0;
    if (!spki_point(issuer, point) && !sm2_point(pkey, point))
        return 0;
    tlcp_trust_store *store = (tlcp_trust_store *)cstore; /* the cache is not the store's state */
    if (store != NULL) {
        pthread_mutex_lock(&store->keys_lock);
        *out = cached(store, point);
        pthread_mutex_unlock(&store->keys_lock);
        if (*out != NULL)
            return 1;
    }
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_pkey *key = tlcp_pkey_from_point(point, TLCP_SM2_POINT_LEN, &err);
    if (key == NULL)
        return 1; /* not a usable point: "unable to decode issuer public key" */
    if (store != NULL) {
        pthread_mutex_lock(&store->keys_lock);
        tlcp_pkey *other = cached(store, point); /* another thread was faster */
        if (other == NULL && store->num_keys < TLCP_STORE_MAX_KEYS) {
            memcpy(store->keys[store->num_keys].point, point, TLCP_SM2_POINT_LEN);
            store->keys[store->num_keys++].key = key;
            other = key;
            key = NULL;
        }
        pthread_mutex_unlock(&store->keys_lock);
        if (other != NULL) {
            tlcp_pkey_free(key);
            *out = other;
            return 1;
        }
    }
    *out = key;
    *owned = 1;
    return 1;
}

void tlcp_store_keys_clear(tlcp_trust_store *store)
{
    for (size_t i = 0; i < store->num_keys; i++)
        tlcp_pkey_free(store->keys[i].key);
    store->num_keys = 0;
}
