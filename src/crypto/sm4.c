/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SM4-CBC without padding (the record layer pads itself), and single-block
 * SM4. A record direction keeps one keyed context; each record only installs
 * its explicit IV, so the key schedule runs once per key, not once per record.
 *
 * Two backends, chosen once per context: our constant-time core (sm4_core.c,
 * x86-64 with AES-NI and SSSE3) where the CPU has it, else OpenSSL's EVP SM4
 * (table-based, so not constant time; see sm4_core.h for why we keep it as
 * the fallback). Test builds can force EVP so both stay tested.
 */
#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdlib.h>

#include "crypto/crypto.h"
#include "crypto/sm4_core.h"
#include "util/mem.h"

struct tlcp_sm4_cbc {
    EVP_CIPHER_CTX *ctx; /* EVP backend; NULL when the core is used */
    tlcp_sm4_key key;    /* core backend: round keys for this direction */
    int use_core;
    int encrypt;
};

static CRYPTO_ONCE sm4_once = CRYPTO_ONCE_STATIC_INIT;
static EVP_CIPHER *sm4_cbc_cipher;
static EVP_CIPHER *sm4_ecb_cipher;

static void sm4_fetch(void)
{
    sm4_cbc_cipher = EVP_CIPHER_fetch(NULL, "SM4-CBC", NULL);
    sm4_ecb_cipher = EVP_CIPHER_fetch(NULL, "SM4-ECB", NULL);
}

/* `cbc` picks SM4-CBC (1) or SM4-ECB (0); NULL (reason recorded) when unavailable. */
static const EVP_CIPHER *sm4_method(int cbc, tlcp_error *err)
{
    if (!CRYPTO_THREAD_run_once(&sm4_once, sm4_fetch) ||
        (cbc ? sm4_cbc_cipher : sm4_ecb_cipher) == NULL) {
        CRYPTO_FAIL(err, TLCP_R_CRYPTO, "SM4 is not available from the OpenSSL providers");
        return NULL;
    }
    return cbc ? sm4_cbc_cipher : sm4_ecb_cipher;
}

/* A context keyed for `cipher` with padding off; NULL on failure. */
static EVP_CIPHER_CTX *sm4_keyed(const EVP_CIPHER *cipher, const uint8_t *key, int encrypt,
                                 tlcp_error *err)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL || !EVP_CipherInit_ex(ctx, cipher, NULL, key, NULL, encrypt ? 1 : 0) ||
        !EVP_CIPHER_CTX_set_padding(ctx, 0)) {
        EVP_CIPHER_CTX_free(ctx);
        CRYPTO_FAIL(err, TLCP_R_CRYPTO, "cannot key SM4");
        return NULL;
    }
    return ctx;
}

tlcp_sm4_cbc *tlcp_sm4_cbc_new(const uint8_t key[TLCP_SM4_KEY_LEN], int encrypt, tlcp_error *err)
{
    if (key == NULL) {
        TLCP_ERR(err, TLCP_R_INVALID_ARGUMENT, "SM4-CBC needs a key");
        return NULL;
    }
    int use_core = tlcp_sm4_core_enabled();
    const EVP_CIPHER *cipher = NULL;
    if (!use_core && (cipher = sm4_method(1, err)) == NULL)
        return NULL;
    tlcp_sm4_cbc *cbc = calloc(1, sizeof(*cbc));
    if (cbc == NULL) {
        TLCP_ERR(err, TLCP_R_ALLOC, "out of memory for an SM4-CBC context");
        return NULL;
    }
    cbc->use_core = use_core;
    cbc->encrypt = encrypt ? 1 : 0;
    if (use_core) {
        tlcp_sm4_core_expand(&cbc->key, key, !cbc->encrypt);
        return cbc;
    }
    cbc->ctx = sm4_keyed(cipher, key, encrypt, err);
    if (cbc->ctx == NULL) {
        free(cbc);
        return NULL;
    }
    return cbc;
}

void tlcp_sm4_cbc_free(tlcp_sm4_cbc *ctx)
{
    if (ctx == NULL)
        return;
    EVP_CIPHER_CTX_free(ctx->ctx);       /* cleanses the key schedule */
    tlcp_free_secret(ctx, sizeof(*ctx)); /* our round keys */
}

/* Runs whole blocks through an already keyed context; every byte must come out. */
static int sm4_update(EVP_CIPHER_CTX *ctx, const uint8_t *in, uint8_t *out, size_t len,
                      tlcp_error *err)
{
    int n = 0;
    if (!EVP_CipherUpdate(ctx, out, &n, in, (int)len) || (size_t)n != len)
        return CRYPTO_FAIL(err, TLCP_R_CRYPTO, "SM4 failed");
    return 1;
}

/* 1 when the buffers share bytes without being the same buffer. OpenSSL's
 * provider ciphers do not catch this, and CBC would then read bytes it has
 * already overwritten. */
static int partial_overlap(const uint8_t *in, const uint8_t *out, size_t len)
{
    uintptr_t a = (uintptr_t)in, b = (uintptr_t)out;
    if (a == b || len == 0)
        return 0;
    return a < b ? b - a < len : a - b < len;
}

static int check_blocks(const uint8_t *in, const uint8_t *out, size_t len, tlcp_error *err)
{
    ENSURE(len % TLCP_SM4_BLOCK_LEN == 0, err, TLCP_R_INVALID_ARGUMENT,
           "SM4-CBC length %zu is not a whole number of blocks", len);
    ENSURE(len <= (size_t)INT_MAX - TLCP_SM4_BLOCK_LEN, err, TLCP_R_INVALID_ARGUMENT,
           "SM4-CBC length %zu is too large", len);
    ENSURE(len == 0 || (in != NULL && out != NULL), err, TLCP_R_INVALID_ARGUMENT,
           "SM4-CBC needs input and output buffers");
    ENSURE(!partial_overlap(in, out, len), err, TLCP_R_INVALID_ARGUMENT,
           "SM4-CBC input and output overlap without being the same buffer");
    return 1;
}

int tlcp_sm4_cbc_crypt(tlcp_sm4_cbc *ctx, const uint8_t iv[TLCP_SM4_BLOCK_LEN], const uint8_t *in,
                       uint8_t *out, size_t len, tlcp_error *err)
{
    ENSURE(ctx != NULL && iv != NULL, err, TLCP_R_INVALID_ARGUMENT,
           "SM4-CBC needs a context and an IV");
    GUARD(check_blocks(in, out, len, err));
    if (ctx->use_core) {
        if (ctx->encrypt)
            tlcp_sm4_core_cbc_encrypt(&ctx->key, iv, in, out, len / TLCP_SM4_BLOCK_LEN);
        else
            tlcp_sm4_core_cbc_decrypt(&ctx->key, iv, in, out, len / TLCP_SM4_BLOCK_LEN);
        return 1;
    }
    /* NULL cipher and key keep the key schedule and padding setting; -1 keeps the direction. */
    if (!EVP_CipherInit_ex(ctx->ctx, NULL, NULL, NULL, iv, -1))
        return CRYPTO_FAIL(err, TLCP_R_CRYPTO, "cannot set the SM4-CBC IV");
    if (len == 0)
        return 1;
    return sm4_update(ctx->ctx, in, out, len, err);
}

/* The checks of both multi-chain calls; 1 when the chains may run. */
static int multi_args_ok(const tlcp_sm4_cbc *ctx, int encrypt, size_t k, const uint8_t *const iv[],
                         const uint8_t *const in[], uint8_t *const out[], const size_t len[],
                         tlcp_error *err)
{
    ENSURE(ctx != NULL && ctx->encrypt == encrypt, err, TLCP_R_INVALID_ARGUMENT,
           "multi-chain SM4-CBC needs an %s context", encrypt ? "encryption" : "decryption");
    ENSURE(k == 0 || (iv != NULL && in != NULL && out != NULL && len != NULL), err,
           TLCP_R_INVALID_ARGUMENT, "multi-chain SM4-CBC needs IVs, buffers and lengths");
    for (size_t i = 0; i < k; i++) {
        ENSURE(iv[i] != NULL, err, TLCP_R_INVALID_ARGUMENT, "SM4-CBC chain %zu has no IV", i);
        GUARD(check_blocks(in[i], out[i], len[i], err));
    }
    return 1;
}

typedef void (*core_multi_fn)(const tlcp_sm4_key *key, size_t k, const uint8_t *const iv[],
                              const uint8_t *const in[], uint8_t *const out[],
                              const size_t nblocks[]);

static int cbc_multi(tlcp_sm4_cbc *ctx, int encrypt, size_t k, const uint8_t *const iv[],
                     const uint8_t *const in[], uint8_t *const out[], const size_t len[],
                     tlcp_error *err)
{
    GUARD(multi_args_ok(ctx, encrypt, k, iv, in, out, len, err));
    if (!ctx->use_core) {
        for (size_t i = 0; i < k; i++)
            GUARD(tlcp_sm4_cbc_crypt(ctx, iv[i], in[i], out[i], len[i], err));
        return 1;
    }
    core_multi_fn fn = encrypt ? tlcp_sm4_core_cbc_encrypt_multi : tlcp_sm4_core_cbc_decrypt_multi;
    size_t nblocks[16];
    for (size_t at = 0; at < k; at += 16) {
        size_t n = k - at < 16 ? k - at : 16;
        for (size_t i = 0; i < n; i++)
            nblocks[i] = len[at + i] / TLCP_SM4_BLOCK_LEN;
        fn(&ctx->key, n, iv + at, in + at, out + at, nblocks);
    }
    return 1;
}

int tlcp_sm4_cbc_encrypt_multi(tlcp_sm4_cbc *ctx, size_t k, const uint8_t *const iv[],
                               const uint8_t *const in[], uint8_t *const out[], const size_t len[],
                               tlcp_error *err)
{
    return cbc_multi(ctx, 1, k, iv, in, out, len, err);
}

int tlcp_sm4_cbc_decrypt_multi(tlcp_sm4_cbc *ctx, size_t k, const uint8_t *const iv[],
                               const uint8_t *const in[], uint8_t *const out[], const size_t len[],
                               tlcp_error *err)
{
    return cbc_multi(ctx, 0, k, iv, in, out, len, err);
}

static int sm4_cbc_oneshot(const uint8_t *key, const uint8_t *iv, const uint8_t *in, uint8_t *out,
                           size_t len, int encrypt, tlcp_error *err)
{
    ENSURE(key != NULL && iv != NULL, err, TLCP_R_INVALID_ARGUMENT,
           "SM4-CBC needs a key and an IV");
    GUARD(check_blocks(in, out, len, err));
    tlcp_sm4_cbc *ctx = tlcp_sm4_cbc_new(key, encrypt, err);
    if (ctx == NULL)
        return 0;
    int ok = tlcp_sm4_cbc_crypt(ctx, iv, in, out, len, err);
    tlcp_sm4_cbc_free(ctx);
    return ok;
}

int tlcp_sm4_cbc_encrypt(const uint8_t key[TLCP_SM4_KEY_LEN], const uint8_t iv[TLCP_SM4_BLOCK_LEN],
                         const uint8_t *in, uint8_t *out, size_t len, tlcp_error *err)
{
    return sm4_cbc_oneshot(key, iv, in, out, len, 1, err);
}

int tlcp_sm4_cbc_decrypt(const uint8_t key[TLCP_SM4_KEY_LEN], const uint8_t iv[TLCP_SM4_BLOCK_LEN],
                         const uint8_t *in, uint8_t *out, size_t len, tlcp_error *err)
{
    return sm4_cbc_oneshot(key, iv, in, out, len, 0, err);
}

int tlcp_sm4_encrypt_block(const uint8_t key[TLCP_SM4_KEY_LEN], const uint8_t in[16],
                           uint8_t out[16], tlcp_error *err)
{
    ENSURE(key != NULL && in != NULL && out != NULL, err, TLCP_R_INVALID_ARGUMENT,
           "SM4 block encryption needs key, input and output");
    ENSURE(!partial_overlap(in, out, TLCP_SM4_BLOCK_LEN), err, TLCP_R_INVALID_ARGUMENT,
           "SM4 block input and output overlap without being the same buffer");
    if (tlcp_sm4_core_enabled()) {
        tlcp_sm4_key ks;
        tlcp_sm4_core_expand(&ks, key, 0);
        tlcp_sm4_core_ecb(&ks, in, out, 1);
        tlcp_wipe(&ks, sizeof(ks));
        return 1;
    }
    const EVP_CIPHER *cipher = sm4_method(0, err);
    if (cipher == NULL)
        return 0;
    EVP_CIPHER_CTX *ctx = sm4_keyed(cipher, key, 1, err);
    if (ctx == NULL)
        return 0;
    int ok = sm4_update(ctx, in, out, TLCP_SM4_BLOCK_LEN, err);
    EVP_CIPHER_CTX_free(ctx);
    return ok;
}
