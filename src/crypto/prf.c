/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The TLCP PRF: TLS 1.2's P_hash with SM3 (a single hash, not MD5/SHA-1), on
 * our own HMAC-SM3 with the secret's pads made once (OpenSSL's "TLS1-PRF"
 * KDF, the reference kept for the differential test, set up a provider
 * context and two HMAC objects per call: a fifth of a full handshake). The
 * label is prepended to the seed here, so P_SM3 sees one seed.
 */
#include <string.h>

#include "crypto/crypto.h"
#include "util/mem.h"

/* TLCP needs at most 77 bytes of label and seed; 1024 is OpenSSL's limit,
 * kept so both implementations refuse the same inputs. */
#define PRF_MAX_SEED 1024

/* P_SM3(secret, seed): A(0) = seed, A(i) = HMAC(secret, A(i-1)),
 * output = HMAC(secret, A(1) || seed) || HMAC(secret, A(2) || seed) ... */
static void p_sm3(const tlcp_hmac_sm3_key *k, const uint8_t *seed, size_t seed_len, uint8_t *out,
                  size_t out_len)
{
    uint8_t buf[TLCP_SM3_DIGEST_LEN + PRF_MAX_SEED]; /* A(i) || seed */
    uint8_t block[TLCP_SM3_DIGEST_LEN];
    tlcp_hmac_sm3_keyed(k, seed, seed_len, buf); /* A(1) */
    memcpy(buf + TLCP_SM3_DIGEST_LEN, seed, seed_len);
    for (;;) {
        size_t n = out_len < TLCP_SM3_DIGEST_LEN ? out_len : TLCP_SM3_DIGEST_LEN;
        tlcp_hmac_sm3_keyed(k, buf, TLCP_SM3_DIGEST_LEN + seed_len, block);
        memcpy(out, block, n);
        out += n;
        out_len -= n;
        if (out_len == 0)
            break;
        tlcp_hmac_sm3_keyed(k, buf, TLCP_SM3_DIGEST_LEN, buf); /* A(i+1) */
    }
    tlcp_wipe(buf, TLCP_SM3_DIGEST_LEN + seed_len);
    tlcp_wipe(block, sizeof(block));
}

static int prf_run(const uint8_t *secret, size_t secret_len, uint8_t *seed, size_t seed_len,
                   uint8_t *out, size_t out_len, tlcp_error *err)
{
    (void)err;
    tlcp_hmac_sm3_key k;
    tlcp_hmac_sm3_key_init(&k, secret, secret_len);
    p_sm3(&k, seed, seed_len, out, out_len);
    tlcp_wipe(&k, sizeof(k));
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
