/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The TLCP PRF: TLS 1.2's P_hash with SM3 (a single hash, not MD5/SHA-1),
 * computed by OpenSSL's "TLS1-PRF" KDF. The label is prepended to the seed
 * here, so the KDF sees one seed parameter.
 */
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <string.h>

#include "crypto/crypto.h"
#include "util/mem.h"

/* OpenSSL's TLS1-PRF refuses seeds above 1024 bytes; TLCP needs at most 77. */
#define PRF_MAX_SEED 1024

static CRYPTO_ONCE prf_once = CRYPTO_ONCE_STATIC_INIT;
static EVP_KDF *prf_kdf;

static void prf_fetch(void)
{
    prf_kdf = EVP_KDF_fetch(NULL, "TLS1-PRF", NULL);
}

static int prf_run(const uint8_t *secret, size_t secret_len, uint8_t *seed, size_t seed_len,
                   uint8_t *out, size_t out_len, tlcp_error *err)
{
    if (!CRYPTO_THREAD_run_once(&prf_once, prf_fetch) || prf_kdf == NULL)
        return CRYPTO_FAIL(err, TLCP_R_CRYPTO, "TLS1-PRF is not available from OpenSSL");
    static uint8_t empty[1];
    char digest[] = "SM3";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET,
                                          secret_len == 0 ? empty : (uint8_t *)secret, secret_len),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, seed, seed_len),
        OSSL_PARAM_construct_end(),
    };
    EVP_KDF_CTX *ctx = EVP_KDF_CTX_new(prf_kdf);
    int ok = ctx != NULL && EVP_KDF_derive(ctx, out, out_len, params) == 1;
    EVP_KDF_CTX_free(ctx);
    if (!ok) {
        tlcp_wipe(out, out_len);
        return CRYPTO_FAIL(err, TLCP_R_CRYPTO, "PRF (TLS1-PRF with SM3) failed");
    }
    return 1;
}

int tlcp_prf_sm3(const uint8_t *secret, size_t secret_len, const char *label, const uint8_t *seed,
                 size_t seed_len, uint8_t *out, size_t out_len, tlcp_error *err)
{
    ENSURE(secret != NULL || secret_len == 0, err, TLCP_R_INVALID_ARGUMENT,
           "PRF with a NULL secret");
    ENSURE(label != NULL, err, TLCP_R_INVALID_ARGUMENT, "PRF without a label");
    ENSURE(seed != NULL || seed_len == 0, err, TLCP_R_INVALID_ARGUMENT, "PRF with a NULL seed");
    ENSURE(out != NULL && out_len > 0, err, TLCP_R_INVALID_ARGUMENT, "PRF without output space");
    size_t label_len = strlen(label);
    ENSURE(label_len + seed_len > 0 && label_len <= PRF_MAX_SEED &&
               seed_len <= PRF_MAX_SEED - label_len,
           err, TLCP_R_INVALID_ARGUMENT, "PRF label and seed must total 1..%d bytes", PRF_MAX_SEED);

    uint8_t full[PRF_MAX_SEED];
    memcpy(full, label, label_len);
    if (seed_len > 0)
        memcpy(full + label_len, seed, seed_len);
    int ok = prf_run(secret, secret_len, full, label_len + seed_len, out, out_len, err);
    tlcp_wipe(full, label_len + seed_len); /* seeds may hold a handshake hash */
    return ok;
}

int tlcp_prf_master_secret(const uint8_t *pre_master, size_t pre_master_len,
                           const uint8_t client_random[TLCP_RANDOM_LEN],
                           const uint8_t server_random[TLCP_RANDOM_LEN],
                           uint8_t out[TLCP_MASTER_SECRET_LEN], tlcp_error *err)
{
    ENSURE(pre_master != NULL && pre_master_len > 0, err, TLCP_R_INVALID_ARGUMENT,
           "master secret needs a pre-master secret");
    ENSURE(client_random != NULL && server_random != NULL, err, TLCP_R_INVALID_ARGUMENT,
           "master secret needs both randoms");
    uint8_t seed[2 * TLCP_RANDOM_LEN];
    memcpy(seed, client_random, TLCP_RANDOM_LEN);
    memcpy(seed + TLCP_RANDOM_LEN, server_random, TLCP_RANDOM_LEN);
    return tlcp_prf_sm3(pre_master, pre_master_len, "master secret", seed, sizeof(seed), out,
                        TLCP_MASTER_SECRET_LEN, err);
}

/* Note the order: the key block puts the server random first. */
int tlcp_prf_key_block(const uint8_t master[TLCP_MASTER_SECRET_LEN],
                       const uint8_t client_random[TLCP_RANDOM_LEN],
                       const uint8_t server_random[TLCP_RANDOM_LEN], uint8_t *out, size_t out_len,
                       tlcp_error *err)
{
    ENSURE(master != NULL, err, TLCP_R_INVALID_ARGUMENT, "key block needs the master secret");
    ENSURE(client_random != NULL && server_random != NULL, err, TLCP_R_INVALID_ARGUMENT,
           "key block needs both randoms");
    uint8_t seed[2 * TLCP_RANDOM_LEN];
    memcpy(seed, server_random, TLCP_RANDOM_LEN);
    memcpy(seed + TLCP_RANDOM_LEN, client_random, TLCP_RANDOM_LEN);
    return tlcp_prf_sm3(master, TLCP_MASTER_SECRET_LEN, "key expansion", seed, sizeof(seed), out,
                        out_len, err);
}

int tlcp_prf_finished(const uint8_t master[TLCP_MASTER_SECRET_LEN], int is_client,
                      const uint8_t handshake_hash[TLCP_SM3_DIGEST_LEN],
                      uint8_t out[TLCP_VERIFY_DATA_LEN], tlcp_error *err)
{
    ENSURE(master != NULL, err, TLCP_R_INVALID_ARGUMENT, "Finished needs the master secret");
    ENSURE(handshake_hash != NULL, err, TLCP_R_INVALID_ARGUMENT,
           "Finished needs the handshake hash");
    return tlcp_prf_sm3(master, TLCP_MASTER_SECRET_LEN,
                        is_client ? "client finished" : "server finished", handshake_hash,
                        TLCP_SM3_DIGEST_LEN, out, TLCP_VERIFY_DATA_LEN, err);
}
