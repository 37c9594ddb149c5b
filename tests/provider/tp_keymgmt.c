/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SM2 key manager: key data is a tp_key handle. Public facts (curve,
 * sizes, the public point) are given; the private half is never exported
 * nor readable as a parameter, as with a key inside a token.
 */
#include <string.h>

#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>

#include "tp.h"

static void *km_new(void *provctx)
{
    return tp_key_new(provctx, -1, 0);
}

static void km_free(void *keydata)
{
    tp_key_unref(keydata);
}

/* The reference is the handle the store loader made (tp_store.c). */
static void *km_load(const void *reference, size_t reference_sz)
{
    tp_key *key = NULL;
    if (reference == NULL || reference_sz != sizeof(key))
        return NULL;
    memcpy(&key, reference, sizeof(key));
    return tp_key_ref(key);
}

static int km_has(const void *keydata, int selection)
{
    const tp_key *key = keydata;
    if (key == NULL)
        return 0;
    if ((selection & OSSL_KEYMGMT_SELECT_KEYPAIR) != 0)
        return key->slot >= 0;
    return 1; /* domain parameters: the SM2 curve, always */
}

static int km_get_params(void *keydata, OSSL_PARAM params[])
{
    tp_key *key = keydata;
    OSSL_PARAM *p;
    if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_BITS)) != NULL &&
        !OSSL_PARAM_set_int(p, 256))
        return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_SECURITY_BITS)) != NULL &&
        !OSSL_PARAM_set_int(p, 128))
        return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_MAX_SIZE)) != NULL &&
        !OSSL_PARAM_set_int(p, TP_SIG_MAX))
        return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_GROUP_NAME)) != NULL &&
        !OSSL_PARAM_set_utf8_string(p, "SM2"))
        return 0;
    unsigned char point[TP_POINT_LEN];
    const char *pub_names[] = {OSSL_PKEY_PARAM_PUB_KEY, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY};
    for (size_t i = 0; i < 2; i++) {
        if ((p = OSSL_PARAM_locate(params, pub_names[i])) == NULL)
            continue;
        if (!tp_table_point(key->ctx, key->slot, point) ||
            !OSSL_PARAM_set_octet_string(p, point, sizeof(point)))
            return 0;
    }
    /* OSSL_PKEY_PARAM_PRIV_KEY is not gettable: left unanswered. */
    return 1;
}

static const OSSL_PARAM *km_gettable(void *provctx)
{
    (void)provctx;
    static const OSSL_PARAM table[] = {
        OSSL_PARAM_int(OSSL_PKEY_PARAM_BITS, NULL),
        OSSL_PARAM_int(OSSL_PKEY_PARAM_SECURITY_BITS, NULL),
        OSSL_PARAM_int(OSSL_PKEY_PARAM_MAX_SIZE, NULL),
        OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, NULL, 0),
        OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, NULL, 0),
        OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, NULL, 0),
        OSSL_PARAM_END};
    return table;
}

/* The public half only: a request that includes the private key fails. */
static int km_export(void *keydata, int selection, OSSL_CALLBACK *cb, void *cbarg)
{
    tp_key *key = keydata;
    unsigned char point[TP_POINT_LEN];
    if ((selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) != 0 ||
        !tp_table_point(key->ctx, key->slot, point))
        return 0;
    OSSL_PARAM params[] = {OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, "SM2", 0),
                           OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point)),
                           OSSL_PARAM_END};
    return cb(params, cbarg);
}

static const OSSL_PARAM *km_export_types(int selection)
{
    static const OSSL_PARAM types[] = {OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, NULL, 0),
                                       OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, NULL, 0),
                                       OSSL_PARAM_END};
    return (selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) != 0 ? NULL : types;
}

static int km_match(const void *a, const void *b, int selection)
{
    (void)selection;
    const tp_key *ka = a, *kb = b;
    unsigned char pa[TP_POINT_LEN], pb[TP_POINT_LEN];
    return tp_table_point(ka->ctx, ka->slot, pa) && tp_table_point(kb->ctx, kb->slot, pb) &&
           CRYPTO_memcmp(pa, pb, sizeof(pa)) == 0;
}

static const char *km_operation_name(int operation_id)
{
    return operation_id == OSSL_OP_SIGNATURE || operation_id == OSSL_OP_ASYM_CIPHER ? "SM2" : NULL;
}

const OSSL_DISPATCH tp_keymgmt_functions[] = {
    {OSSL_FUNC_KEYMGMT_NEW, (void (*)(void))km_new},
    {OSSL_FUNC_KEYMGMT_FREE, (void (*)(void))km_free},
    {OSSL_FUNC_KEYMGMT_LOAD, (void (*)(void))km_load},
    {OSSL_FUNC_KEYMGMT_HAS, (void (*)(void))km_has},
    {OSSL_FUNC_KEYMGMT_GET_PARAMS, (void (*)(void))km_get_params},
    {OSSL_FUNC_KEYMGMT_GETTABLE_PARAMS, (void (*)(void))km_gettable},
    {OSSL_FUNC_KEYMGMT_EXPORT, (void (*)(void))km_export},
    {OSSL_FUNC_KEYMGMT_EXPORT_TYPES, (void (*)(void))km_export_types},
    {OSSL_FUNC_KEYMGMT_MATCH, (void (*)(void))km_match},
    {OSSL_FUNC_KEYMGMT_QUERY_OPERATION_NAME, (void (*)(void))km_operation_name},
    {0, NULL}};
