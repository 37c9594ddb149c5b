/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store loader of "tlcptest:PATH[?fail=sign|decrypt]": one object, the
 * private key of PATH, handed to libcrypto as a reference to a handle (the
 * key manager's load turns it into key data), never as key material.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/core_object.h>

#include "tp.h"

typedef struct tp_loader {
    tp_ctx *ctx;
    char *path;
    unsigned fail;
    int done;
} tp_loader;

static int parse_fail(const char *query, unsigned *out)
{
    if (query == NULL) {
        *out = 0;
        return 1;
    }
    if (strcmp(query, "fail=sign") == 0)
        *out = TP_FAIL_SIGN;
    else if (strcmp(query, "fail=decrypt") == 0)
        *out = TP_FAIL_DECRYPT;
    else
        return 0;
    return 1;
}

static void *store_open(void *provctx, const char *uri)
{
    size_t plen = strlen(TP_SCHEME);
    if (strncmp(uri, TP_SCHEME ":", plen + 1) != 0)
        return NULL;
    tp_loader *l = calloc(1, sizeof(*l));
    if (l == NULL || (l->path = strdup(uri + plen + 1)) == NULL) {
        free(l);
        return NULL;
    }
    char *q = strchr(l->path, '?');
    if (q != NULL)
        *q++ = '\0';
    /* A URI that names nothing fails here, as a token without the object. */
    if (!parse_fail(q, &l->fail) || access(l->path, R_OK) != 0) {
        free(l->path);
        free(l);
        return NULL;
    }
    l->ctx = provctx;
    return l;
}

static const OSSL_PARAM *store_settable(void *provctx)
{
    (void)provctx;
    static const OSSL_PARAM none[] = {OSSL_PARAM_END};
    return none;
}

static int store_set_params(void *loaderctx, const OSSL_PARAM params[])
{
    (void)loaderctx;
    (void)params;
    return 1; /* one object only: "expect" and searches change nothing */
}

static int store_load(void *loaderctx, OSSL_CALLBACK *object_cb, void *object_cbarg,
                      OSSL_PASSPHRASE_CALLBACK *pw_cb, void *pw_cbarg)
{
    (void)pw_cb;
    (void)pw_cbarg;
    tp_loader *l = loaderctx;
    l->done = 1;
    int slot = tp_table_load(l->ctx, l->path);
    if (slot < 0)
        return 0;
    tp_key *key = tp_key_new(l->ctx, slot, l->fail);
    if (key == NULL)
        return 0;
    int type = OSSL_OBJECT_PKEY;
    OSSL_PARAM params[] = {OSSL_PARAM_int(OSSL_OBJECT_PARAM_TYPE, &type),
                           OSSL_PARAM_utf8_string(OSSL_OBJECT_PARAM_DATA_TYPE, "SM2", 0),
                           OSSL_PARAM_octet_string(OSSL_OBJECT_PARAM_REFERENCE, &key, sizeof(key)),
                           OSSL_PARAM_END};
    int ok = object_cb(params, object_cbarg);
    tp_key_unref(key); /* the key manager's load took its own reference */
    return ok;
}

static int store_eof(void *loaderctx)
{
    return ((tp_loader *)loaderctx)->done;
}

static int store_close(void *loaderctx)
{
    tp_loader *l = loaderctx;
    free(l->path);
    free(l);
    return 1;
}

const OSSL_DISPATCH tp_store_functions[] = {
    {OSSL_FUNC_STORE_OPEN, (void (*)(void))store_open},
    {OSSL_FUNC_STORE_SETTABLE_CTX_PARAMS, (void (*)(void))store_settable},
    {OSSL_FUNC_STORE_SET_CTX_PARAMS, (void (*)(void))store_set_params},
    {OSSL_FUNC_STORE_LOAD, (void (*)(void))store_load},
    {OSSL_FUNC_STORE_EOF, (void (*)(void))store_eof},
    {OSSL_FUNC_STORE_CLOSE, (void (*)(void))store_close},
    {0, NULL}};
