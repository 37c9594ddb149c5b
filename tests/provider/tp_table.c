/* SPDX-License-Identifier: Apache-2.0 */
/* The provider's key table: where the private keys live (see tp.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/pem.h>

#include "tp.h"

static EVP_PKEY *read_key(tp_ctx *ctx, const char *path)
{
    BIO *bio = BIO_new_file(path, "r");
    if (bio == NULL)
        return NULL;
    EVP_PKEY *pkey = PEM_read_bio_PrivateKey_ex(bio, NULL, NULL, NULL, ctx->inner, NULL);
    BIO_free(bio);
    if (pkey != NULL && !EVP_PKEY_is_a(pkey, "SM2")) {
        EVP_PKEY_free(pkey);
        pkey = NULL;
    }
    return pkey;
}

int tp_table_load(tp_ctx *ctx, const char *path)
{
    int found = -1;
    pthread_mutex_lock(&ctx->lock);
    for (int i = 0; i < TP_MAX_KEYS && found < 0; i++) {
        struct tp_slot *s = &ctx->slots[i];
        if (s->path != NULL && strcmp(s->path, path) == 0) {
            found = i;
        } else if (s->path == NULL) {
            EVP_PKEY *pkey = read_key(ctx, path);
            char *copy = pkey != NULL ? strdup(path) : NULL;
            if (copy == NULL) {
                EVP_PKEY_free(pkey);
                break;
            }
            s->path = copy;
            s->pkey = pkey;
            found = i;
        }
    }
    pthread_mutex_unlock(&ctx->lock);
    return found;
}

EVP_PKEY *tp_table_key(tp_ctx *ctx, int slot)
{
    if (slot < 0 || slot >= TP_MAX_KEYS)
        return NULL;
    pthread_mutex_lock(&ctx->lock);
    EVP_PKEY *pkey = ctx->slots[slot].pkey;
    pthread_mutex_unlock(&ctx->lock);
    return pkey;
}

int tp_table_point(tp_ctx *ctx, int slot, unsigned char out[TP_POINT_LEN])
{
    EVP_PKEY *pkey = tp_table_key(ctx, slot);
    size_t len = 0;
    return pkey != NULL &&
           EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PUB_KEY, out, TP_POINT_LEN,
                                           &len) &&
           len == TP_POINT_LEN;
}

void tp_table_clear(tp_ctx *ctx)
{
    for (int i = 0; i < TP_MAX_KEYS; i++) {
        free(ctx->slots[i].path);
        EVP_PKEY_free(ctx->slots[i].pkey);
        ctx->slots[i].path = NULL;
        ctx->slots[i].pkey = NULL;
    }
}

tp_key *tp_key_new(tp_ctx *ctx, int slot, unsigned fail)
{
    tp_key *key = calloc(1, sizeof(*key));
    if (key == NULL)
        return NULL;
    atomic_init(&key->refs, 1);
    key->ctx = ctx;
    key->slot = slot;
    key->fail = fail;
    return key;
}

tp_key *tp_key_ref(tp_key *key)
{
    atomic_fetch_add(&key->refs, 1);
    return key;
}

void tp_key_unref(tp_key *key)
{
    if (key != NULL && atomic_fetch_sub(&key->refs, 1) == 1)
        free(key);
}
