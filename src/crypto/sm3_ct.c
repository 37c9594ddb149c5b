/*
 * Constant-time HMAC-SM3 for CBC records (the Lucky13 countermeasure).
 *
 * After CBC decryption the MAC covers a fragment whose length depends on the
 * secret padding. A plain HMAC would run one compression more or less
 * depending on that length, and the timing difference leaks plaintext. Here
 * every block that the longest possible fragment (max_len) could need is
 * built with masks and compressed, and the chaining value after the block
 * that really ends the message is kept by a masked copy. Running time and
 * memory accesses then depend on max_len only.
 *
 * OpenSSL exposes no SM3 compression function, so this file carries its own
 * SM3 (GB/T 32905), tested against OpenSSL's.
 */
#include <string.h>

#include "crypto/crypto.h"
#include "crypto/sm3_ct.h"
#include "util/mem.h"

#define SM3_WORDS       8
#define HMAC_HEADER_LEN 13
/* Sanity bound on max_len: far above a TLCP record, keeps the arithmetic trivially safe. */
#define CT_MAX_LEN ((size_t)1 << 24)

static const uint32_t sm3_iv[SM3_WORDS] = {
    0x7380166f, 0x4914b2b9, 0x172442d7, 0xda8a0600, 0xa96f30bc, 0x163138aa, 0xe38dee4d, 0xb0fb0e4e,
};

/* ---- SM3 (GB/T 32905) ------------------------------------------------ */

static uint32_t rotl(uint32_t x, unsigned n)
{
    n &= 31;
    return (x << n) | (x >> ((32 - n) & 31));
}

static uint32_t p0(uint32_t x)
{
    return x ^ rotl(x, 9) ^ rotl(x, 17);
}

static uint32_t p1(uint32_t x)
{
    return x ^ rotl(x, 15) ^ rotl(x, 23);
}

static uint32_t load_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static void store_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Message expansion: W[0..67] from the block, then W'[j] = W[j] ^ W[j+4]. */
static void sm3_expand(const uint8_t block[TLCP_SM3_BLOCK_LEN], uint32_t w[68], uint32_t wp[64])
{
    for (int j = 0; j < 16; j++)
        w[j] = load_be32(block + 4 * j);
    for (int j = 16; j < 68; j++)
        w[j] = p1(w[j - 16] ^ w[j - 9] ^ rotl(w[j - 3], 15)) ^ rotl(w[j - 13], 7) ^ w[j - 6];
    for (int j = 0; j < 64; j++)
        wp[j] = w[j] ^ w[j + 4];
}

/* The compression function CF: V(i+1) = CF(V(i), B(i)). The round number j
 * is public, so branching on it is harmless. */
static void sm3_compress(uint32_t v[SM3_WORDS], const uint8_t block[TLCP_SM3_BLOCK_LEN])
{
    uint32_t w[68], wp[64];
    sm3_expand(block, w, wp);
    uint32_t a = v[0], b = v[1], c = v[2], d = v[3];
    uint32_t e = v[4], f = v[5], g = v[6], h = v[7];
    for (unsigned j = 0; j < 64; j++) {
        uint32_t t = j < 16 ? 0x79cc4519u : 0x7a879d8au;
        uint32_t a12 = rotl(a, 12);
        uint32_t ss1 = rotl(a12 + e + rotl(t, j % 32), 7);
        uint32_t ss2 = ss1 ^ a12;
        uint32_t ff = j < 16 ? a ^ b ^ c : (a & b) | (a & c) | (b & c);
        uint32_t gg = j < 16 ? e ^ f ^ g : (e & f) | (~e & g);
        uint32_t tt1 = ff + d + ss2 + wp[j];
        uint32_t tt2 = gg + h + ss1 + w[j];
        d = c;
        c = rotl(b, 9);
        b = a;
        a = tt1;
        h = g;
        g = rotl(f, 19);
        f = e;
        e = p0(tt2);
    }
    v[0] ^= a, v[1] ^= b, v[2] ^= c, v[3] ^= d;
    v[4] ^= e, v[5] ^= f, v[6] ^= g, v[7] ^= h;
    tlcp_wipe(w, sizeof(w));
    tlcp_wipe(wp, sizeof(wp));
}

static void sm3_output(const uint32_t v[SM3_WORDS], uint8_t out[TLCP_SM3_DIGEST_LEN])
{
    for (int i = 0; i < SM3_WORDS; i++)
        store_be32(out + 4 * i, v[i]);
}

static void store_bitlen(uint8_t out[8], uint64_t bytes)
{
    uint64_t bits = bytes * 8;
    for (int i = 0; i < 8; i++)
        out[i] = (uint8_t)(bits >> (56 - 8 * i));
}

/* Plain SM3 of a public-length message (long HMAC keys, the outer hash, tests). */
static void sm3_digest(const uint8_t *data, size_t len, uint8_t out[TLCP_SM3_DIGEST_LEN])
{
    uint32_t v[SM3_WORDS];
    memcpy(v, sm3_iv, sizeof(v));
    size_t full = len / TLCP_SM3_BLOCK_LEN * TLCP_SM3_BLOCK_LEN;
    for (size_t off = 0; off < full; off += TLCP_SM3_BLOCK_LEN)
        sm3_compress(v, data + off);

    /* Tail, 0x80, zeros, 64-bit bit length: one block, or two when the tail
     * leaves fewer than 9 free bytes. */
    uint8_t tail[2 * TLCP_SM3_BLOCK_LEN] = {0};
    size_t rest = len - full;
    if (rest > 0)
        memcpy(tail, data + full, rest);
    tail[rest] = 0x80;
    size_t tail_len = rest + 9 <= TLCP_SM3_BLOCK_LEN ? TLCP_SM3_BLOCK_LEN : 2 * TLCP_SM3_BLOCK_LEN;
    store_bitlen(tail + tail_len - 8, len);
    for (size_t off = 0; off < tail_len; off += TLCP_SM3_BLOCK_LEN)
        sm3_compress(v, tail + off);
    sm3_output(v, out);
    tlcp_wipe(tail, sizeof(tail));
    tlcp_wipe(v, sizeof(v));
}

#if defined(TLCP_TESTING)
void tlcp_sm3_ct_digest(const uint8_t *data, size_t len, uint8_t out[32])
{
    sm3_digest(data, len, out);
}
#endif

/* ---- constant-time helpers -------------------------------------------- */

/* Hides a mask's value from the optimiser so it cannot turn the masked
 * selections below back into branches. */
static size_t ct_barrier(size_t x)
{
#if defined(__GNUC__)
    __asm__("" : "+r"(x));
#endif
    return x;
}

static uint8_t ct_byte(size_t mask, uint8_t v)
{
    return (uint8_t)(mask & v);
}

/* ---- HMAC ---------------------------------------------------------------- */

/* Chaining value after the key block (K0 ^ pad); key_len is public. */
static void hmac_key_state(const uint8_t k0[TLCP_SM3_BLOCK_LEN], uint8_t pad, uint32_t v[SM3_WORDS])
{
    uint8_t block[TLCP_SM3_BLOCK_LEN];
    for (int i = 0; i < TLCP_SM3_BLOCK_LEN; i++)
        block[i] = (uint8_t)(k0[i] ^ pad);
    memcpy(v, sm3_iv, SM3_WORDS * sizeof(uint32_t));
    sm3_compress(v, block);
    tlcp_wipe(block, sizeof(block));
}

/*
 * Builds block `b` of the inner message header || data || 0x80 || 0.. || bitlen
 * (the stream after the key block) for a secret data_len. Only the position
 * is used for branches and indices; data_len enters through masks.
 */
static void inner_block(uint8_t block[TLCP_SM3_BLOCK_LEN], size_t b, const uint8_t *header,
                        const uint8_t *data, size_t data_len, size_t max_len, size_t is_final,
                        const uint8_t bitlen[8])
{
    for (size_t i = 0; i < TLCP_SM3_BLOCK_LEN; i++) {
        size_t pos = b * TLCP_SM3_BLOCK_LEN + i;
        if (pos < HMAC_HEADER_LEN) {
            block[i] = header[pos];
            continue;
        }
        size_t k = pos - HMAC_HEADER_LEN;
        uint8_t byte = k < max_len ? data[k] : 0; /* every readable byte, always */
        size_t in_data = ct_barrier(tlcp_ct_lt(k, data_len));
        size_t at_end = ct_barrier(tlcp_ct_eq(k, data_len));
        block[i] = (uint8_t)(ct_byte(in_data, byte) | ct_byte(at_end, 0x80));
    }
    /* The final block always has room for the length after the 0x80 byte. */
    for (size_t i = 0; i < 8; i++)
        block[TLCP_SM3_BLOCK_LEN - 8 + i] |= ct_byte(is_final, bitlen[i]);
}

/* Inner hash over every block max_len could need, keeping the state after the
 * (secret) final block. */
static void inner_hash(const uint32_t key_state[SM3_WORDS], const uint8_t *header,
                       const uint8_t *data, size_t data_len, size_t max_len,
                       uint8_t out[TLCP_SM3_DIGEST_LEN])
{
    /* header + data + 0x80 + 8-byte length ends in block (13 + len + 8) / 64. */
    size_t last_block = (HMAC_HEADER_LEN + max_len + 8) / TLCP_SM3_BLOCK_LEN;
    size_t final_block = (HMAC_HEADER_LEN + data_len + 8) / TLCP_SM3_BLOCK_LEN;
    uint8_t bitlen[8];
    store_bitlen(bitlen, (uint64_t)TLCP_SM3_BLOCK_LEN + HMAC_HEADER_LEN + data_len);

    uint32_t v[SM3_WORDS], result[SM3_WORDS] = {0};
    uint8_t block[TLCP_SM3_BLOCK_LEN];
    memcpy(v, key_state, sizeof(v));
    for (size_t b = 0; b <= last_block; b++) {
        size_t is_final = ct_barrier(tlcp_ct_eq(b, final_block));
        inner_block(block, b, header, data, data_len, max_len, is_final, bitlen);
        sm3_compress(v, block);
        for (int w = 0; w < SM3_WORDS; w++)
            result[w] = (uint32_t)tlcp_ct_select(is_final, v[w], result[w]);
    }
    sm3_output(result, out);
    tlcp_wipe(v, sizeof(v));
    tlcp_wipe(result, sizeof(result));
    tlcp_wipe(block, sizeof(block));
}

/* Outer hash: one block of 32 bytes after the key block, length public. */
static void outer_hash(const uint32_t key_state[SM3_WORDS],
                       const uint8_t inner[TLCP_SM3_DIGEST_LEN], uint8_t out[TLCP_SM3_DIGEST_LEN])
{
    uint8_t block[TLCP_SM3_BLOCK_LEN] = {0};
    memcpy(block, inner, TLCP_SM3_DIGEST_LEN);
    block[TLCP_SM3_DIGEST_LEN] = 0x80;
    store_bitlen(block + TLCP_SM3_BLOCK_LEN - 8, TLCP_SM3_BLOCK_LEN + TLCP_SM3_DIGEST_LEN);
    uint32_t v[SM3_WORDS];
    memcpy(v, key_state, sizeof(v));
    sm3_compress(v, block);
    sm3_output(v, out);
    tlcp_wipe(v, sizeof(v));
    tlcp_wipe(block, sizeof(block));
}

int tlcp_hmac_sm3_ct(const uint8_t *key, size_t key_len, const uint8_t header[13],
                     const uint8_t *data, size_t data_len, size_t max_len,
                     uint8_t out[TLCP_SM3_DIGEST_LEN])
{
    /* data_len > max_len is a caller bug, not a secret-dependent outcome. */
    if ((key == NULL && key_len != 0) || header == NULL || out == NULL ||
        (data == NULL && max_len != 0) || max_len > CT_MAX_LEN || data_len > max_len)
        return 0;

    /* RFC 2104: keys longer than a block are hashed first. */
    uint8_t k0[TLCP_SM3_BLOCK_LEN] = {0};
    if (key_len > TLCP_SM3_BLOCK_LEN)
        sm3_digest(key, key_len, k0);
    else if (key_len > 0)
        memcpy(k0, key, key_len);

    uint32_t ipad_state[SM3_WORDS], opad_state[SM3_WORDS];
    hmac_key_state(k0, 0x36, ipad_state);
    hmac_key_state(k0, 0x5c, opad_state);
    tlcp_wipe(k0, sizeof(k0));

    uint8_t inner[TLCP_SM3_DIGEST_LEN];
    inner_hash(ipad_state, header, data, data_len, max_len, inner);
    outer_hash(opad_state, inner, out);
    tlcp_wipe(inner, sizeof(inner));
    tlcp_wipe(ipad_state, sizeof(ipad_state));
    tlcp_wipe(opad_state, sizeof(opad_state));
    return 1;
}
