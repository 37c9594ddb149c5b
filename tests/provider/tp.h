/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tlcptest: an OpenSSL 3 provider for the tests of key URIs. It registers
 * the store scheme "tlcptest:PATH[?fail=sign|decrypt]", an SM2 key manager
 * whose keys are handles into a table inside the provider (the private key
 * is read from PATH into the provider's own library context and never
 * leaves it: export and get_params of the private half are refused), and
 * the SM2 signature (of a digest) and SM2 decryption operations on those
 * handles. The arithmetic is OpenSSL's default provider, fetched in the
 * provider's own library context; what the tests exercise is the route of a
 * key that libtlcp can only use through EVP, as with a token or a card.
 * "?fail=" makes that operation fail, as a card that reports an error.
 */
#ifndef TLCPTEST_TP_H
#define TLCPTEST_TP_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

#include <openssl/core.h>
#include <openssl/evp.h>

#define TP_NAME         "tlcptest"
#define TP_SCHEME       "tlcptest"
#define TP_MAX_KEYS     16
#define TP_SIG_MAX      72
#define TP_POINT_LEN    65
#define TP_FAIL_SIGN    1u
#define TP_FAIL_DECRYPT 2u

/* The provider's context: its own library context with the default
 * provider, and the table of private keys it holds. */
typedef struct tp_ctx {
    OSSL_LIB_CTX *inner;
    OSSL_PROVIDER *inner_default;
    pthread_mutex_t lock;
    struct tp_slot {
        char *path;
        EVP_PKEY *pkey; /* in `inner`: the private key, only ever used here */
    } slots[TP_MAX_KEYS];
} tp_ctx;

/* What libcrypto holds as the key: a handle, not the key. */
typedef struct tp_key {
    atomic_int refs;
    tp_ctx *ctx;
    int slot; /* -1: an empty key made by keymgmt new */
    unsigned fail;
} tp_key;

/* tp_table.c: the slot holding PATH's key (loaded on first use), -1 when
 * the file is missing or not an SM2 private key. */
int tp_table_load(tp_ctx *ctx, const char *path);
EVP_PKEY *tp_table_key(tp_ctx *ctx, int slot); /* borrowed */
void tp_table_clear(tp_ctx *ctx);
/* The public point 04||X||Y of a slot's key: 1 on success. */
int tp_table_point(tp_ctx *ctx, int slot, unsigned char out[TP_POINT_LEN]);

tp_key *tp_key_new(tp_ctx *ctx, int slot, unsigned fail);
tp_key *tp_key_ref(tp_key *key);
void tp_key_unref(tp_key *key);

extern const OSSL_DISPATCH tp_store_functions[];
extern const OSSL_DISPATCH tp_keymgmt_functions[];
extern const OSSL_DISPATCH tp_signature_functions[];
extern const OSSL_DISPATCH tp_asym_cipher_functions[];

#endif
