/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store loader of "tlcptest:PATH[?fail=sign|decrypt]": one object, the
 * private key of PATH, handed to libcrypto as a reference to a handle (the
 * key manager's load turns it into key data), never as key material.
 * "tlcptest:PATH?cert": the certificates of the PEM file PATH instead, one
 * object each (DER), as a token that holds a key's certificate and chain.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/core_object.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "tp.h"

#define TP_MAX_CERTS 8

typedef struct tp_loader {
    tp_ctx *ctx;
    char *path;
    unsigned fail;
    int done;
    int certs; /* ?cert: the file's certificates, handed out in order */
    unsigned char *der[TP_MAX_CERTS];
    int der_len[TP_MAX_CERTS];
    int num_der, next_der;
} tp_loader;

/* Reads every certificate of the PEM file; 0 when there is none. */
static int read_certs(tp_loader *l)
{
    BIO *bio = BIO_new_file(l->path, "r");
    X509 *x = NULL;
    while (bio != NULL && l->num_der < TP_MAX_CERTS &&
           (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
        unsigned char *der = NULL;
        int len = i2d_X509(x, &der);
        X509_free(x);
        if (len <= 0)
            break;
        l->der[l->num_der] = der;
        l->der_len[l->num_der++] = len;
    }
    BIO_free(bio);
    ERR_clear_error();
    return l->num_der > 0;
}

static void free_loader(tp_loader *l)
{
    for (int i = 0; i < l->num_der; i++)
        OPENSSL_free(l->der[i]);
    free(l->path);
    free(l);
}

static int parse_fail(const char *query, unsigned *out)
{
    *out = 0;
    if (query == NULL)
        return 1;
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
    l->certs = q != NULL && strcmp(q, "cert") == 0;
    /* A URI that names nothing fails here, as a token without the object. */
    if ((!l->certs && !parse_fail(q, &l->fail)) || access(l->path, R_OK) != 0 ||
        (l->certs && !read_certs(l))) {
        free_loader(l);
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

static int load_cert(tp_loader *l, OSSL_CALLBACK *object_cb, void *object_cbarg)
{
    if (l->next_der >= l->num_der)
        return 0;
    int i = l->next_der++;
    int type = OSSL_OBJECT_CERT;
    OSSL_PARAM params[] = {
        OSSL_PARAM_int(OSSL_OBJECT_PARAM_TYPE, &type),
        OSSL_PARAM_octet_string(OSSL_OBJECT_PARAM_DATA, l->der[i], (size_t)l->der_len[i]),
        OSSL_PARAM_END};
    return object_cb(params, object_cbarg);
}

static int store_load(void *loaderctx, OSSL_CALLBACK *object_cb, void *object_cbarg,
                      OSSL_PASSPHRASE_CALLBACK *pw_cb, void *pw_cbarg)
{
    (void)pw_cb;
    (void)pw_cbarg;
    tp_loader *l = loaderctx;
    if (l->certs)
        return load_cert(l, object_cb, object_cbarg);
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
    tp_loader *l = loaderctx;
    return l->certs ? l->next_der >= l->num_der : l->done;
}

static int store_close(void *loaderctx)
{
    free_loader(loaderctx);
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
