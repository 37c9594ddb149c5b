/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SM4-GCM (NIST SP 800-38D with SM4 as the block cipher, RFC 8998).
 *
 * OpenSSL 3.0 has SM4 but no SM4-GCM, so we build it: the keystream comes
 * from our constant-time SM4 core (sm4_core.c) where the CPU has it, else from
 * EVP "SM4-CTR", and the authenticator from our constant-time GHASH
 * (ghash.c). Only 12-byte nonces and 16-byte tags, which is all TLCP uses.
 *
 * Counter handling: with a 12-byte nonce, J0 = nonce || 00000001 and the
 * payload uses inc32(J0), inc32(inc32(J0)), ... The core increments exactly
 * the low 32 bits. EVP CTR increments all 128; the two agree as long as the
 * low word never wraps, and it cannot: it starts at 2 and a message is at most
 * 2^32 - 2 blocks (the SP 800-38D limit, enforced below), so it ends at most
 * at 0xffffffff. Running the CTR stream from J0 itself also yields E_K(J0)
 * for the tag as its first block, so one IV reset per message suffices; and
 * H = E_K(0^128) is the first block of a stream started at the zero block.
 */
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "crypto/ghash.h"
#include "crypto/sm4_core.h"
#include "util/mem.h"

/* SP 800-38D: plaintext at most 2^39 - 256 bits, AAD below 2^64 bits. */
#define GCM_MAX_TEXT_LEN ((((uint64_t)1) << 36) - 32)
#define GCM_MAX_AAD_LEN  ((((uint64_t)1) << 61) - 1)

/* Bytes encrypted per EVP call before hashing them: large enough to amortise
 * the EVP dispatch, small enough that the ciphertext is still in L1 when
 * GHASH reads it. A multiple of 16 so GHASH sees whole blocks until the end. */
#define GCM_CHUNK 4096

/* EVP_EncryptUpdate takes an int length. */
#define EVP_MAX_CALL (((size_t)1) << 30)

struct tlcp_gcm {
    EVP_CIPHER_CTX *ctr; /* EVP: keyed SM4-CTR, only the IV changes per message */
    tlcp_sm4_key key;    /* core: round keys ... */
    uint8_t counter[16]; /* ... and the next counter block */
    int use_core;        /* chosen once per key */
    tlcp_ghash_key ghash;
};

/* XORs the running keystream onto len bytes (in == out allowed). */
TLCP_MUST_CHECK static int ctr_xor(tlcp_gcm *ctx, const uint8_t *in, uint8_t *out, size_t len,
                                   tlcp_error *err)
{
    if (ctx->use_core) {
        tlcp_sm4_core_ctr32(&ctx->key, ctx->counter, in, out, len);
        return 1;
    }
    while (len > 0) {
        size_t n = len < EVP_MAX_CALL ? len : EVP_MAX_CALL;
        int outl = 0;
        if (EVP_EncryptUpdate(ctx->ctr, out, &outl, in, (int)n) != 1 || (size_t)outl != n)
            return CRYPTO_FAIL(err, TLCP_R_CRYPTO, "SM4-CTR encryption failed");
        in += n;
        out += n;
        len -= n;
    }
    return 1;
}

/* Restarts the keystream at counter block `iv` and returns its first block. */
TLCP_MUST_CHECK static int ctr_start(tlcp_gcm *ctx, const uint8_t iv[16], uint8_t first[16],
                                     tlcp_error *err)
{
    if (ctx->use_core)
        memcpy(ctx->counter, iv, 16);
    else if (EVP_EncryptInit_ex(ctx->ctr, NULL, NULL, NULL, iv) != 1)
        return CRYPTO_FAIL(err, TLCP_R_CRYPTO, "SM4-CTR IV setup failed");
    memset(first, 0, 16);
    return ctr_xor(ctx, first, first, 16, err);
}

tlcp_gcm *tlcp_gcm_new(const uint8_t key[TLCP_SM4_KEY_LEN], tlcp_error *err)
{
    static const uint8_t zero_iv[16] = {0};
    uint8_t h[16];
    tlcp_gcm *ctx;
    EVP_CIPHER *cipher;

    if (key == NULL) {
        TLCP_ERR(err, TLCP_R_INVALID_ARGUMENT, "SM4-GCM key is NULL");
        return NULL;
    }
    ctx = calloc(1, sizeof(*ctx));
    if (ctx == NULL) {
        TLCP_ERR(err, TLCP_R_ALLOC, "out of memory for an SM4-GCM context");
        return NULL;
    }
    ctx->use_core = tlcp_sm4_core_enabled();
    if (ctx->use_core) {
        tlcp_sm4_core_expand(&ctx->key, key, 0); /* counter: zero block (calloc) */
    } else {
        cipher = EVP_CIPHER_fetch(NULL, "SM4-CTR", NULL);
        ctx->ctr = EVP_CIPHER_CTX_new();
        if (cipher == NULL || ctx->ctr == NULL ||
            EVP_EncryptInit_ex(ctx->ctr, cipher, NULL, key, zero_iv) != 1) {
            EVP_CIPHER_free(cipher);
            CRYPTO_FAIL(err, TLCP_R_CRYPTO, "SM4-CTR is unavailable");
            tlcp_gcm_free(ctx);
            return NULL;
        }
        EVP_CIPHER_free(cipher); /* the context keeps its own reference */
    }

    /* H = E_K(0^128): the first keystream block of a zero counter. */
    memset(h, 0, sizeof(h));
    if (!ctr_xor(ctx, h, h, sizeof(h), err)) {
        tlcp_gcm_free(ctx);
        return NULL;
    }
    tlcp_ghash_init(&ctx->ghash, h);
    tlcp_wipe(h, sizeof(h));
    return ctx;
}

void tlcp_gcm_free(tlcp_gcm *ctx)
{
    if (ctx == NULL)
        return;
    EVP_CIPHER_CTX_free(ctx->ctr);       /* OpenSSL cleanses its key schedule */
    tlcp_free_secret(ctx, sizeof(*ctx)); /* ours, the counter and the GHASH key */
}

/* 1 when [in, in+len) and [out, out+len) overlap without being identical. */
static int overlaps_partially(const uint8_t *in, const uint8_t *out, size_t len)
{
    uintptr_t a = (uintptr_t)in, b = (uintptr_t)out;
    if (len == 0 || a == b)
        return 0;
    return a < b + len && b < a + len;
}

TLCP_MUST_CHECK static int check_args(const tlcp_gcm *ctx, const uint8_t *nonce, const uint8_t *aad,
                                      size_t aad_len, const uint8_t *in, size_t len,
                                      const uint8_t *out, const uint8_t *tag, tlcp_error *err)
{
    ENSURE(ctx != NULL && nonce != NULL && tag != NULL, err, TLCP_R_INVALID_ARGUMENT,
           "SM4-GCM context, nonce or tag is NULL");
    ENSURE(aad != NULL || aad_len == 0, err, TLCP_R_INVALID_ARGUMENT, "SM4-GCM AAD is NULL");
    ENSURE((in != NULL && out != NULL) || len == 0, err, TLCP_R_INVALID_ARGUMENT,
           "SM4-GCM input or output is NULL");
    ENSURE((uint64_t)len <= GCM_MAX_TEXT_LEN, err, TLCP_R_INVALID_ARGUMENT,
           "SM4-GCM message of %zu bytes exceeds the GCM limit", len);
    ENSURE((uint64_t)aad_len <= GCM_MAX_AAD_LEN, err, TLCP_R_INVALID_ARGUMENT,
           "SM4-GCM AAD of %zu bytes exceeds the GCM limit", aad_len);
    ENSURE(!overlaps_partially(in, out, len), err, TLCP_R_INVALID_ARGUMENT,
           "SM4-GCM input and output overlap without being the same buffer");
    return 1;
}

static void put_be64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
}

/* tag = E_K(J0) ^ GHASH(... || len(A) || len(C)); y already covers A and C. */
static void finish_tag(const tlcp_gcm *ctx, tlcp_gf128 y, size_t aad_len, size_t len,
                       const uint8_t ek_j0[16], uint8_t tag[16])
{
    uint8_t lengths[16];
    put_be64(lengths, (uint64_t)aad_len * 8);
    put_be64(lengths + 8, (uint64_t)len * 8);
    tlcp_ghash_blocks(&ctx->ghash, &y, lengths, 1);
    tlcp_gf128_store(tag, y);
    for (int i = 0; i < 16; i++)
        tag[i] ^= ek_j0[i];
}

static void make_j0(const uint8_t nonce[TLCP_GCM_NONCE_LEN], uint8_t j0[16])
{
    memcpy(j0, nonce, TLCP_GCM_NONCE_LEN);
    j0[12] = 0;
    j0[13] = 0;
    j0[14] = 0;
    j0[15] = 1;
}

/* Encrypts and hashes chunk by chunk so GHASH reads ciphertext still in cache. */
TLCP_MUST_CHECK static int seal_body(tlcp_gcm *ctx, const uint8_t *in, size_t len, uint8_t *out,
                                     tlcp_gf128 *y, tlcp_error *err)
{
    while (len > 0) {
        size_t n = len < GCM_CHUNK ? len : GCM_CHUNK;
        GUARD(ctr_xor(ctx, in, out, n, err));
        tlcp_ghash_padded(&ctx->ghash, y, out, n); /* pads only the very last chunk */
        in += n;
        out += n;
        len -= n;
    }
    return 1;
}

int tlcp_gcm_seal(tlcp_gcm *ctx, const uint8_t nonce[TLCP_GCM_NONCE_LEN], const uint8_t *aad,
                  size_t aad_len, const uint8_t *in, size_t len, uint8_t *out,
                  uint8_t tag[TLCP_GCM_TAG_LEN], tlcp_error *err)
{
    uint8_t j0[16], ek_j0[16];
    tlcp_gf128 y = {0, 0};
    int ok;

    GUARD(check_args(ctx, nonce, aad, aad_len, in, len, out, tag, err));
    make_j0(nonce, j0);
    tlcp_ghash_padded(&ctx->ghash, &y, aad, aad_len);
    ok = ctr_start(ctx, j0, ek_j0, err) && seal_body(ctx, in, len, out, &y, err);
    if (ok) {
        finish_tag(ctx, y, aad_len, len, ek_j0, tag);
    } else if (len > 0) {
        tlcp_wipe(out, len); /* no half-encrypted output on a backend failure */
    }
    tlcp_wipe(ek_j0, sizeof(ek_j0));
    return ok;
}

int tlcp_gcm_open(tlcp_gcm *ctx, const uint8_t nonce[TLCP_GCM_NONCE_LEN], const uint8_t *aad,
                  size_t aad_len, const uint8_t *in, size_t len,
                  const uint8_t tag[TLCP_GCM_TAG_LEN], uint8_t *out, tlcp_error *err)
{
    uint8_t j0[16], ek_j0[16], expected[TLCP_GCM_TAG_LEN];
    tlcp_gf128 y = {0, 0};
    int ok;

    GUARD(check_args(ctx, nonce, aad, aad_len, in, len, out, tag, err));
    make_j0(nonce, j0);
    /* Authenticate everything before a single plaintext byte is produced. */
    tlcp_ghash_padded(&ctx->ghash, &y, aad, aad_len);
    tlcp_ghash_padded(&ctx->ghash, &y, in, len);
    ok = ctr_start(ctx, j0, ek_j0, err);
    if (ok) {
        finish_tag(ctx, y, aad_len, len, ek_j0, expected);
        if (!tlcp_ct_equal(expected, tag, TLCP_GCM_TAG_LEN)) {
            TLCP_ERR(err, TLCP_R_DECRYPT_FAILED, "SM4-GCM authentication tag mismatch");
            ok = 0;
        } else {
            ok = ctr_xor(ctx, in, out, len, err);
        }
    }
    if (!ok && len > 0)
        tlcp_wipe(out, len); /* callers must never see unauthenticated data */
    tlcp_wipe(ek_j0, sizeof(ek_j0));
    tlcp_wipe(expected, sizeof(expected));
    return ok;
}
