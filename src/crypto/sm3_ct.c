/* SPDX-License-Identifier: Apache-2.0 */
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

/* T_j <<< (j mod 32) for every round j, precomputed from the two SM3 round
 * constants 0x79cc4519 (j < 16) and 0x7a879d8a (j >= 16). */
static const uint32_t sm3_tj[64] = {
    0x79cc4519, 0xf3988a32, 0xe7311465, 0xce6228cb, 0x9cc45197, 0x3988a32f, 0x7311465e, 0xe6228cbc,
    0xcc451979, 0x988a32f3, 0x311465e7, 0x6228cbce, 0xc451979c, 0x88a32f39, 0x11465e73, 0x228cbce6,
    0x9d8a7a87, 0x3b14f50f, 0x7629ea1e, 0xec53d43c, 0xd8a7a879, 0xb14f50f3, 0x629ea1e7, 0xc53d43ce,
    0x8a7a879d, 0x14f50f3b, 0x29ea1e76, 0x53d43cec, 0xa7a879d8, 0x4f50f3b1, 0x9ea1e762, 0x3d43cec5,
    0x7a879d8a, 0xf50f3b14, 0xea1e7629, 0xd43cec53, 0xa879d8a7, 0x50f3b14f, 0xa1e7629e, 0x43cec53d,
    0x879d8a7a, 0x0f3b14f5, 0x1e7629ea, 0x3cec53d4, 0x79d8a7a8, 0xf3b14f50, 0xe7629ea1, 0xcec53d43,
    0x9d8a7a87, 0x3b14f50f, 0x7629ea1e, 0xec53d43c, 0xd8a7a879, 0xb14f50f3, 0x629ea1e7, 0xc53d43ce,
    0x8a7a879d, 0x14f50f3b, 0x29ea1e76, 0x53d43cec, 0xa7a879d8, 0x4f50f3b1, 0x9ea1e762, 0x3d43cec5,
};

/*
 * Message expansion on the fly: W[j] lives in w[j % 16], and W[j+4] is made
 * just before round j, when W[j-12] (the word it overwrites) is no longer
 * needed. W'[j] = W[j] ^ W[j+4] is formed in the round itself.
 */
#define SM3_W(j) w[(j)&15]
#define SM3_EXPAND(j)                                                                              \
    (SM3_W(j) = p1(SM3_W((j)-16) ^ SM3_W((j)-9) ^ rotl(SM3_W((j)-3), 15)) ^                        \
                rotl(SM3_W((j)-13), 7) ^ SM3_W((j)-6))

static uint32_t ff_low(uint32_t x, uint32_t y, uint32_t z)
{
    return x ^ y ^ z;
}

static uint32_t ff_high(uint32_t x, uint32_t y, uint32_t z)
{
    return (x & y) | (x & z) | (y & z);
}

static uint32_t gg_high(uint32_t x, uint32_t y, uint32_t z)
{
    return (x & y) | (~x & z);
}

/*
 * One SM3 round without moving the eight registers: the new A is written
 * into d and the new E into h, so the next round names the registers
 * (d, a, b, c, h, e, f, g). Four rounds bring the names back.
 */
#define SM3_ROUND(a, b, c, d, e, f, g, h, j, FF, GG)                                               \
    do {                                                                                           \
        if ((j) >= 12)                                                                             \
            SM3_EXPAND((j) + 4);                                                                   \
        uint32_t a12 = rotl(a, 12);                                                                \
        uint32_t ss1 = rotl(a12 + e + sm3_tj[j], 7);                                               \
        d = FF(a, b, c) + d + (ss1 ^ a12) + (SM3_W(j) ^ SM3_W((j) + 4));                           \
        h = p0(GG(e, f, g) + h + ss1 + SM3_W(j));                                                  \
        b = rotl(b, 9);                                                                            \
        f = rotl(f, 19);                                                                           \
    } while (0)

#define SM3_FOUR_ROUNDS(j, FF, GG)                                                                 \
    do {                                                                                           \
        SM3_ROUND(a, b, c, d, e, f, g, h, (j), FF, GG);                                            \
        SM3_ROUND(d, a, b, c, h, e, f, g, (j) + 1, FF, GG);                                        \
        SM3_ROUND(c, d, a, b, g, h, e, f, (j) + 2, FF, GG);                                        \
        SM3_ROUND(b, c, d, a, f, g, h, e, (j) + 3, FF, GG);                                        \
    } while (0)

/*
 * The compression function CF: V(i+1) = CF(V(i), B(i)). `w` is caller
 * scratch (16 words) so that the caller wipes it once, not every block.
 * Rounds 0..15 use the XOR forms of FF and GG, rounds 16..63 majority and
 * choice.
 */
static void sm3_compress(uint32_t v[SM3_WORDS], const uint8_t block[TLCP_SM3_BLOCK_LEN],
                         uint32_t w[16])
{
    for (int j = 0; j < 16; j++)
        w[j] = load_be32(block + 4 * j);
    uint32_t a = v[0], b = v[1], c = v[2], d = v[3];
    uint32_t e = v[4], f = v[5], g = v[6], h = v[7];
    SM3_FOUR_ROUNDS(0, ff_low, ff_low);
    SM3_FOUR_ROUNDS(4, ff_low, ff_low);
    SM3_FOUR_ROUNDS(8, ff_low, ff_low);
    SM3_FOUR_ROUNDS(12, ff_low, ff_low);
    SM3_FOUR_ROUNDS(16, ff_high, gg_high);
    SM3_FOUR_ROUNDS(20, ff_high, gg_high);
    SM3_FOUR_ROUNDS(24, ff_high, gg_high);
    SM3_FOUR_ROUNDS(28, ff_high, gg_high);
    SM3_FOUR_ROUNDS(32, ff_high, gg_high);
    SM3_FOUR_ROUNDS(36, ff_high, gg_high);
    SM3_FOUR_ROUNDS(40, ff_high, gg_high);
    SM3_FOUR_ROUNDS(44, ff_high, gg_high);
    SM3_FOUR_ROUNDS(48, ff_high, gg_high);
    SM3_FOUR_ROUNDS(52, ff_high, gg_high);
    SM3_FOUR_ROUNDS(56, ff_high, gg_high);
    SM3_FOUR_ROUNDS(60, ff_high, gg_high);
    v[0] ^= a, v[1] ^= b, v[2] ^= c, v[3] ^= d;
    v[4] ^= e, v[5] ^= f, v[6] ^= g, v[7] ^= h;
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
    uint32_t v[SM3_WORDS], w[16];
    memcpy(v, sm3_iv, sizeof(v));
    size_t full = len / TLCP_SM3_BLOCK_LEN * TLCP_SM3_BLOCK_LEN;
    for (size_t off = 0; off < full; off += TLCP_SM3_BLOCK_LEN)
        sm3_compress(v, data + off, w);

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
        sm3_compress(v, tail + off, w);
    sm3_output(v, out);
    tlcp_wipe(tail, sizeof(tail));
    tlcp_wipe(v, sizeof(v));
    tlcp_wipe(w, sizeof(w));
}

#if defined(TLCP_TESTING)
void tlcp_sm3_ct_digest(const uint8_t *data, size_t len, uint8_t out[32])
{
    sm3_digest(data, len, out);
}
#endif

/* ---- constant-time helpers -------------------------------------------- */

/* Hides a value from the optimiser so that it cannot reason about it and
 * turn the masked selections below back into branches. */
static uint32_t ct_barrier(uint32_t x)
{
#if defined(__GNUC__)
    __asm__("" : "+r"(x));
#endif
    return x;
}

/* All-ones when x, read as a two's complement number, is negative. Lengths
 * here stay below 2^24 (CT_MAX_LEN), so a - b is negative exactly when a < b. */
static uint32_t ct_neg_mask(uint32_t x)
{
    return 0 - (x >> 31);
}

/* All-ones when x is zero. */
static uint32_t ct_zero_mask(uint32_t x)
{
    return 0 - ((~x & (x - 1)) >> 31);
}

/* ---- HMAC ---------------------------------------------------------------- */

/* Chaining value after the key block (K0 ^ pad); key_len is public. */
static void hmac_key_state(const uint8_t k0[TLCP_SM3_BLOCK_LEN], uint8_t pad, uint32_t v[SM3_WORDS])
{
    uint8_t block[TLCP_SM3_BLOCK_LEN];
    uint32_t w[16];
    for (int i = 0; i < TLCP_SM3_BLOCK_LEN; i++)
        block[i] = (uint8_t)(k0[i] ^ pad);
    memcpy(v, sm3_iv, SM3_WORDS * sizeof(uint32_t));
    sm3_compress(v, block, w);
    tlcp_wipe(block, sizeof(block));
    tlcp_wipe(w, sizeof(w));
}

/*
 * Builds block `b` of the inner message header || data || 0x80 || 0.. || bitlen
 * (the stream after the key block) for a secret data_len. The bytes are first
 * copied by position alone (every readable data byte, whatever data_len is),
 * then masked: data_len enters only through arithmetic masks.
 */
static void inner_block(uint8_t block[TLCP_SM3_BLOCK_LEN], size_t b, const uint8_t *header,
                        const uint8_t *data, uint32_t data_len, size_t max_len, uint32_t is_final,
                        const uint8_t bitlen[8])
{
    size_t start = b * TLCP_SM3_BLOCK_LEN;
    size_t first = start < HMAC_HEADER_LEN ? HMAC_HEADER_LEN - start : 0; /* header bytes here */
    size_t k0 = start + first - HMAC_HEADER_LEN; /* data index of block[first] */
    size_t n = TLCP_SM3_BLOCK_LEN - first;
    size_t readable = k0 < max_len ? max_len - k0 : 0;
    if (readable > n)
        readable = n;

    memset(block, 0, TLCP_SM3_BLOCK_LEN);
    if (first > 0)
        memcpy(block, header + start, first);
    if (readable > 0)
        memcpy(block + first, data + k0, readable);
    /* 32-bit arithmetic suffices (lengths < 2^24). The barrier on i stops the
     * compiler from merging base + i into the loop counter, which would make
     * the loop's exit test read a secret-derived register. */
    uint32_t base = (uint32_t)k0 - data_len; /* k - data_len for block[first] */
    for (size_t i = 0; i < n; i++) {
        uint32_t diff = base + ct_barrier((uint32_t)i);
        uint32_t byte = block[first + i];
        block[first + i] = (uint8_t)((ct_neg_mask(diff) & byte) | (ct_zero_mask(diff) & 0x80));
    }
    /* The final block always has room for the length after the 0x80 byte. */
    for (size_t i = 0; i < 8; i++)
        block[TLCP_SM3_BLOCK_LEN - 8 + i] |= (uint8_t)(is_final & bitlen[i]);
}

/* Inner hash over every block max_len could need, keeping the state after the
 * (secret) final block. */
static void inner_hash(const uint32_t key_state[SM3_WORDS], const uint8_t *header,
                       const uint8_t *data, size_t data_len, size_t max_len,
                       uint8_t out[TLCP_SM3_DIGEST_LEN])
{
    /* header + data + 0x80 + 8-byte length ends in block (13 + len + 8) / 64
     * (a shift: no secret-dependent division timing). */
    size_t last_block = (HMAC_HEADER_LEN + max_len + 8) / TLCP_SM3_BLOCK_LEN;
    size_t final_block = (HMAC_HEADER_LEN + data_len + 8) / TLCP_SM3_BLOCK_LEN;
    uint8_t bitlen[8];
    store_bitlen(bitlen, (uint64_t)TLCP_SM3_BLOCK_LEN + HMAC_HEADER_LEN + data_len);

    uint32_t v[SM3_WORDS], result[SM3_WORDS] = {0}, w[16];
    uint8_t block[TLCP_SM3_BLOCK_LEN];
    uint32_t secret_len = ct_barrier((uint32_t)data_len); /* < CT_MAX_LEN */
    memcpy(v, key_state, sizeof(v));
    for (size_t b = 0; b <= last_block; b++) {
        uint32_t is_final =
            ct_barrier(ct_zero_mask(ct_barrier((uint32_t)b) - (uint32_t)final_block));
        inner_block(block, b, header, data, secret_len, max_len, is_final, bitlen);
        sm3_compress(v, block, w);
        for (int i = 0; i < SM3_WORDS; i++)
            result[i] = (is_final & v[i]) | (~is_final & result[i]);
    }
    sm3_output(result, out);
    tlcp_wipe(v, sizeof(v));
    tlcp_wipe(result, sizeof(result));
    tlcp_wipe(block, sizeof(block));
    tlcp_wipe(w, sizeof(w));
}

/* Outer hash: one block of 32 bytes after the key block, length public. */
static void outer_hash(const uint32_t key_state[SM3_WORDS],
                       const uint8_t inner[TLCP_SM3_DIGEST_LEN], uint8_t out[TLCP_SM3_DIGEST_LEN])
{
    uint8_t block[TLCP_SM3_BLOCK_LEN] = {0};
    memcpy(block, inner, TLCP_SM3_DIGEST_LEN);
    block[TLCP_SM3_DIGEST_LEN] = 0x80;
    store_bitlen(block + TLCP_SM3_BLOCK_LEN - 8, TLCP_SM3_BLOCK_LEN + TLCP_SM3_DIGEST_LEN);
    uint32_t v[SM3_WORDS], w[16];
    memcpy(v, key_state, sizeof(v));
    sm3_compress(v, block, w);
    sm3_output(v, out);
    tlcp_wipe(v, sizeof(v));
    tlcp_wipe(w, sizeof(w));
    tlcp_wipe(block, sizeof(block));
}

int tlcp_hmac_sm3_ct(const uint8_t *key, size_t key_len, const uint8_t header[13],
                     const uint8_t *data, size_t data_len, size_t max_len,
                     uint8_t out[TLCP_SM3_DIGEST_LEN])
{
    if ((key == NULL && key_len != 0) || header == NULL || out == NULL ||
        (data == NULL && max_len != 0) || max_len > CT_MAX_LEN)
        return 0;
    /* data_len > max_len breaks the contract; even that check must not branch
     * on data_len. The MAC is then computed for max_len, zeroed, and 0 returned. */
    size_t over = tlcp_ct_lt(max_len, data_len);
    data_len = tlcp_ct_select(over, max_len, data_len);

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
    for (size_t i = 0; i < TLCP_SM3_DIGEST_LEN; i++)
        out[i] &= (uint8_t)~over;
    tlcp_wipe(inner, sizeof(inner));
    tlcp_wipe(ipad_state, sizeof(ipad_state));
    tlcp_wipe(opad_state, sizeof(opad_state));
    return (int)(1 & ~over);
}
