/* SPDX-License-Identifier: Apache-2.0 */
/*
 * HMAC-SM3 (RFC 2104 over GB/T 32905) on our own SM3 compression function.
 * The key is made ready once (two chaining values), so a record MAC costs
 * only the message blocks and one outer block.
 */
#include <string.h>

#include "crypto/crypto.h"
#include "crypto/sm3_core.h"
#include "util/mem.h"

static void pad_state(const uint8_t k0[TLCP_SM3_BLOCK_LEN], uint8_t pad, uint32_t v[8])
{
    uint8_t block[TLCP_SM3_BLOCK_LEN];
    for (int i = 0; i < TLCP_SM3_BLOCK_LEN; i++)
        block[i] = (uint8_t)(k0[i] ^ pad);
    memcpy(v, tlcp_sm3_iv, 8 * sizeof(uint32_t));
    tlcp_sm3_compress(v, block, 1);
    tlcp_wipe(block, sizeof(block));
}

void tlcp_hmac_sm3_key_init(tlcp_hmac_sm3_key *k, const uint8_t *key, size_t key_len)
{
    uint8_t k0[TLCP_SM3_BLOCK_LEN] = {0};
    if (key_len > TLCP_SM3_BLOCK_LEN)
        tlcp_sm3_digest(key, key_len, k0);
    else if (key_len > 0)
        memcpy(k0, key, key_len);
    pad_state(k0, 0x36, k->ipad);
    pad_state(k0, 0x5c, k->opad);
    tlcp_wipe(k0, sizeof(k0));
}

/* SM3 continued from state v over data, as if `prefix` bytes came before. */
static void hash_from(uint32_t v[8], const uint8_t *data, size_t len, uint64_t prefix,
                      uint8_t out[TLCP_SM3_DIGEST_LEN])
{
    size_t full = len / TLCP_SM3_BLOCK_LEN;
    if (full > 0)
        tlcp_sm3_compress(v, data, full);
    uint8_t tail[2 * TLCP_SM3_BLOCK_LEN];
    size_t rest = len % TLCP_SM3_BLOCK_LEN;
    size_t n = tlcp_sm3_pad(tail, data + full * TLCP_SM3_BLOCK_LEN, rest, prefix + len);
    tlcp_sm3_compress(v, tail, n);
    tlcp_sm3_state_out(v, out);
    tlcp_wipe(tail, sizeof(tail));
}

/* The outer hash over the inner digest; wipes the state and the digest. */
static void finish_outer(const tlcp_hmac_sm3_key *k, uint32_t v[8],
                         uint8_t inner[TLCP_SM3_DIGEST_LEN], uint8_t out[TLCP_SM3_DIGEST_LEN])
{
    memcpy(v, k->opad, 8 * sizeof(uint32_t));
    hash_from(v, inner, TLCP_SM3_DIGEST_LEN, TLCP_SM3_BLOCK_LEN, out);
    tlcp_wipe(v, 8 * sizeof(uint32_t));
    tlcp_wipe(inner, TLCP_SM3_DIGEST_LEN);
}

void tlcp_hmac_sm3_keyed(const tlcp_hmac_sm3_key *k, const uint8_t *data, size_t len,
                         uint8_t out[TLCP_SM3_DIGEST_LEN])
{
    uint32_t v[8];
    uint8_t inner[TLCP_SM3_DIGEST_LEN];
    memcpy(v, k->ipad, sizeof(v));
    hash_from(v, data, len, TLCP_SM3_BLOCK_LEN, inner);
    finish_outer(k, v, inner, out);
}

void tlcp_hmac_sm3_keyed_hdr(const tlcp_hmac_sm3_key *k, const uint8_t header[13],
                             const uint8_t *data, size_t len, uint8_t out[TLCP_SM3_DIGEST_LEN])
{
    /* header || the data's first 51 bytes make the first block */
    const size_t first = TLCP_SM3_BLOCK_LEN - 13;
    uint32_t v[8];
    uint8_t inner[TLCP_SM3_DIGEST_LEN], block[TLCP_SM3_BLOCK_LEN];
    size_t take = len < first ? len : first;
    memcpy(block, header, 13);
    if (take > 0)
        memcpy(block + 13, data, take);
    memcpy(v, k->ipad, sizeof(v));
    if (len < first) {
        hash_from(v, block, 13 + len, TLCP_SM3_BLOCK_LEN, inner);
    } else {
        tlcp_sm3_compress(v, block, 1);
        hash_from(v, data + first, len - first, 2 * TLCP_SM3_BLOCK_LEN, inner);
    }
    tlcp_wipe(block, sizeof(block));
    finish_outer(k, v, inner, out);
}

int tlcp_hmac_sm3(const uint8_t *key, size_t key_len, const uint8_t *data, size_t len,
                  uint8_t out[TLCP_SM3_DIGEST_LEN], tlcp_error *err)
{
    ENSURE(key != NULL || key_len == 0, err, TLCP_R_INVALID_ARGUMENT, "HMAC-SM3 with a NULL key");
    ENSURE(data != NULL || len == 0, err, TLCP_R_INVALID_ARGUMENT, "HMAC-SM3 of NULL data");
    ENSURE(out != NULL, err, TLCP_R_INVALID_ARGUMENT, "HMAC-SM3 without an output buffer");
    tlcp_hmac_sm3_key k;
    tlcp_hmac_sm3_key_init(&k, key, key_len);
    tlcp_hmac_sm3_keyed(&k, data, len, out);
    tlcp_wipe(&k, sizeof(k));
    return 1;
}
