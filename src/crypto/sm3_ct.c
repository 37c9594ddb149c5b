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
 * The compression function is ours (sm3_core.c, constant time by
 * construction: add, rotate and xor only), tested against OpenSSL's SM3.
 */
#include <string.h>

#include "crypto/crypto.h"
#include "crypto/sm3_core.h"
#include "crypto/sm3_ct.h"
#include "crypto/sm3_ct_mask.h"
#include "util/mem.h"

#define SM3_WORDS       8
#define HMAC_HEADER_LEN 13
/* Sanity bound on max_len: far above a TLCP record, keeps the arithmetic trivially safe. */
#define CT_MAX_LEN ((size_t)1 << 24)

static void store_bitlen(uint8_t out[8], uint64_t bytes)
{
    uint64_t bits = bytes * 8;
    for (int i = 0; i < 8; i++)
        out[i] = (uint8_t)(bits >> (56 - 8 * i));
}

#if defined(TLCP_TESTING)
void tlcp_sm3_ct_digest(const uint8_t *data, size_t len, uint8_t out[32])
{
    tlcp_sm3_digest(data, len, out); /* the shared compression function */
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

/* The masks of inner_block, a byte at a time (sm3_ct_mask.h: the same on
 * AVX2). The barrier on i stops the compiler from merging base + i into the
 * loop counter, which would make the loop's exit test read a secret-derived
 * register. */
static void mask_portable(uint8_t block[TLCP_SM3_BLOCK_LEN], size_t first, uint32_t base)
{
    for (size_t i = 0; i < TLCP_SM3_BLOCK_LEN - first; i++) {
        uint32_t diff = base + ct_barrier((uint32_t)i);
        uint32_t byte = block[first + i];
        block[first + i] = (uint8_t)((ct_neg_mask(diff) & byte) | (ct_zero_mask(diff) & 0x80));
    }
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
    /* 32-bit arithmetic suffices (lengths < 2^24). */
    uint32_t base = (uint32_t)k0 - data_len; /* k - data_len for block[first] */
#if defined(TLCP_SM3_CT_MASK_X86)
    if (tlcp_sm3_cpu_features() & TLCP_SM3_FEAT_AVX2)
        tlcp_sm3_ct_mask_avx2(block, first, base);
    else
#endif
        mask_portable(block, first, base);
    /* The final block always has room for the length after the 0x80 byte. */
    for (size_t i = 0; i < 8; i++)
        block[TLCP_SM3_BLOCK_LEN - 8 + i] |= (uint8_t)(is_final & bitlen[i]);
}

/*
 * Blocks of the inner message that hold only header and data bytes whatever
 * the secret length is, given data_len >= min_len (public): none of them can
 * hold the 0x80 byte, so they are hashed as they are, in one multi-block
 * call, and only the blocks after them go through the masks.
 */
static size_t plain_blocks(size_t min_len)
{
    return (HMAC_HEADER_LEN + min_len) / TLCP_SM3_BLOCK_LEN;
}

/* Hashes the first `plain` blocks of header || data into v (plain >= 1). */
static void hash_plain(uint32_t v[SM3_WORDS], const uint8_t *header, const uint8_t *data,
                       size_t plain)
{
    uint8_t first[TLCP_SM3_BLOCK_LEN];
    memcpy(first, header, HMAC_HEADER_LEN);
    memcpy(first + HMAC_HEADER_LEN, data, TLCP_SM3_BLOCK_LEN - HMAC_HEADER_LEN);
    tlcp_sm3_compress(v, first, 1);
    if (plain > 1)
        tlcp_sm3_compress(v, data + TLCP_SM3_BLOCK_LEN - HMAC_HEADER_LEN, plain - 1);
    tlcp_wipe(first, sizeof(first));
}

/* Inner hash over every block max_len could need, keeping the state after the
 * (secret) final block. */
static void inner_hash(const uint32_t key_state[SM3_WORDS], const uint8_t *header,
                       const uint8_t *data, size_t data_len, size_t min_len, size_t max_len,
                       uint8_t out[TLCP_SM3_DIGEST_LEN])
{
    /* header + data + 0x80 + 8-byte length ends in block (13 + len + 8) / 64
     * (a shift: no secret-dependent division timing). */
    size_t last_block = (HMAC_HEADER_LEN + max_len + 8) / TLCP_SM3_BLOCK_LEN;
    size_t final_block = (HMAC_HEADER_LEN + data_len + 8) / TLCP_SM3_BLOCK_LEN;
    size_t plain = plain_blocks(min_len);
    uint8_t bitlen[8];
    store_bitlen(bitlen, (uint64_t)TLCP_SM3_BLOCK_LEN + HMAC_HEADER_LEN + data_len);

    uint32_t v[SM3_WORDS], result[SM3_WORDS] = {0};
    uint8_t block[TLCP_SM3_BLOCK_LEN];
    uint32_t secret_len = ct_barrier((uint32_t)data_len); /* < CT_MAX_LEN */
    memcpy(v, key_state, sizeof(v));
    if (plain > 0)
        hash_plain(v, header, data, plain);
    for (size_t b = plain; b <= last_block; b++) {
        uint32_t is_final =
            ct_barrier(ct_zero_mask(ct_barrier((uint32_t)b) - (uint32_t)final_block));
        inner_block(block, b, header, data, secret_len, max_len, is_final, bitlen);
        tlcp_sm3_compress(v, block, 1);
        for (int i = 0; i < SM3_WORDS; i++)
            result[i] = (is_final & v[i]) | (~is_final & result[i]);
    }
    tlcp_sm3_state_out(result, out);
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
    tlcp_sm3_compress(v, block, 1);
    tlcp_sm3_state_out(v, out);
    tlcp_wipe(v, sizeof(v));
    tlcp_wipe(block, sizeof(block));
}

int tlcp_hmac_sm3_ct_keyed(const tlcp_hmac_sm3_key *k, const uint8_t header[13],
                           const uint8_t *data, size_t data_len, size_t min_len, size_t max_len,
                           uint8_t out[TLCP_SM3_DIGEST_LEN])
{
    if (k == NULL || header == NULL || out == NULL || (data == NULL && max_len != 0) ||
        max_len > CT_MAX_LEN || min_len > max_len)
        return 0;
    /* data_len outside [min_len, max_len] breaks the contract; even that
     * check must not branch on data_len. The MAC is then computed for a
     * length inside the range, zeroed, and 0 returned. */
    size_t over = tlcp_ct_lt(max_len, data_len);
    size_t under = tlcp_ct_lt(data_len, min_len);
    data_len = tlcp_ct_select(over, max_len, data_len);
    data_len = tlcp_ct_select(under, min_len, data_len);
    size_t bad = over | under;

    uint8_t inner[TLCP_SM3_DIGEST_LEN];
    inner_hash(k->ipad, header, data, data_len, min_len, max_len, inner);
    outer_hash(k->opad, inner, out);
    for (size_t i = 0; i < TLCP_SM3_DIGEST_LEN; i++)
        out[i] &= (uint8_t)~bad;
    tlcp_wipe(inner, sizeof(inner));
    return (int)(1 & ~bad);
}

/* ---- several MACs side by side ----------------------------------------- */

/* The state of one MAC of tlcp_hmac_sm3_ct_keyed_mb. */
typedef struct ct_lane {
    uint32_t v[SM3_WORDS], result[SM3_WORDS];
    uint8_t block[TLCP_SM3_BLOCK_LEN]; /* the first block, then the masked ones */
    uint8_t bitlen[8];
    uint32_t secret_len;
    size_t plain, last_block, final_block, bad;
} ct_lane;

/* Arguments as tlcp_hmac_sm3_ct_keyed checks them; public. */
static int job_usable(const tlcp_hmac_ct_job *j)
{
    return j->header != NULL && (j->data != NULL || j->max_len == 0) && j->max_len <= CT_MAX_LEN &&
           j->min_len <= j->max_len;
}

/* Clamps data_len into range without a branch on it (as the single MAC). */
static void lane_start(ct_lane *l, const tlcp_hmac_sm3_key *k, const tlcp_hmac_ct_job *j)
{
    size_t over = tlcp_ct_lt(j->max_len, j->data_len);
    size_t under = tlcp_ct_lt(j->data_len, j->min_len);
    size_t data_len = tlcp_ct_select(over, j->max_len, j->data_len);
    data_len = tlcp_ct_select(under, j->min_len, data_len);
    l->bad = over | under;
    l->last_block = (HMAC_HEADER_LEN + j->max_len + 8) / TLCP_SM3_BLOCK_LEN;
    l->final_block = (HMAC_HEADER_LEN + data_len + 8) / TLCP_SM3_BLOCK_LEN;
    l->plain = plain_blocks(j->min_len);
    store_bitlen(l->bitlen, (uint64_t)TLCP_SM3_BLOCK_LEN + HMAC_HEADER_LEN + data_len);
    l->secret_len = ct_barrier((uint32_t)data_len);
    memcpy(l->v, k->ipad, sizeof(l->v));
    memset(l->result, 0, sizeof(l->result));
}

/* The unmasked blocks of every lane: the first (header and data) from a
 * copy, the rest in place. */
static void mb_plain(ct_lane *lanes, const tlcp_hmac_ct_job job[], size_t n, uint32_t *const v[])
{
    const uint8_t *run0[TLCP_SM3_MB_MAX] = {0}, *run1[TLCP_SM3_MB_MAX] = {0};
    size_t b0[TLCP_SM3_MB_MAX] = {0}, b1[TLCP_SM3_MB_MAX] = {0};
    for (size_t i = 0; i < n; i++) {
        ct_lane *l = &lanes[i];
        b0[i] = b1[i] = 0;
        run0[i] = run1[i] = l->block;
        if (l->plain == 0)
            continue;
        memcpy(l->block, job[i].header, HMAC_HEADER_LEN);
        memcpy(l->block + HMAC_HEADER_LEN, job[i].data, TLCP_SM3_BLOCK_LEN - HMAC_HEADER_LEN);
        b0[i] = 1;
        run1[i] = job[i].data + TLCP_SM3_BLOCK_LEN - HMAC_HEADER_LEN;
        b1[i] = l->plain - 1;
    }
    tlcp_sm3_mb_blocks(n, v, run0, b0, run1, b1);
}

/* Masked block `step` after the plain ones, in every lane that has it. */
static void mb_masked_step(ct_lane *lanes, const tlcp_hmac_ct_job job[], size_t n,
                           uint32_t *const v[], size_t step)
{
    const uint8_t *run[TLCP_SM3_MB_MAX] = {0};
    size_t b0[TLCP_SM3_MB_MAX] = {0}, none[TLCP_SM3_MB_MAX] = {0};
    uint32_t is_final[TLCP_SM3_MB_MAX] = {0};
    for (size_t i = 0; i < n; i++) {
        ct_lane *l = &lanes[i];
        size_t b = l->plain + step;
        run[i] = l->block;
        none[i] = 0;
        b0[i] = b <= l->last_block; /* public: lengths only */
        is_final[i] = 0;
        if (!b0[i])
            continue;
        is_final[i] = ct_barrier(ct_zero_mask(ct_barrier((uint32_t)b) - (uint32_t)l->final_block));
        inner_block(l->block, b, job[i].header, job[i].data, l->secret_len, job[i].max_len,
                    is_final[i], l->bitlen);
    }
    tlcp_sm3_mb_blocks(n, v, run, b0, run, none);
    for (size_t i = 0; i < n; i++)
        for (int w = 0; w < SM3_WORDS; w++)
            lanes[i].result[w] =
                (is_final[i] & lanes[i].v[w]) | (~is_final[i] & lanes[i].result[w]);
}

/* Outer hashes of every lane: one block after the key block each. */
static void mb_outer(ct_lane *lanes, const tlcp_hmac_sm3_key *k, size_t n, uint32_t *const v[])
{
    const uint8_t *run[TLCP_SM3_MB_MAX] = {0};
    size_t one[TLCP_SM3_MB_MAX] = {0}, none[TLCP_SM3_MB_MAX] = {0};
    for (size_t i = 0; i < n; i++) {
        ct_lane *l = &lanes[i];
        memset(l->block, 0, sizeof(l->block));
        tlcp_sm3_state_out(l->result, l->block);
        l->block[TLCP_SM3_DIGEST_LEN] = 0x80;
        store_bitlen(l->block + TLCP_SM3_BLOCK_LEN - 8, TLCP_SM3_BLOCK_LEN + TLCP_SM3_DIGEST_LEN);
        memcpy(l->v, k->opad, sizeof(l->v));
        run[i] = l->block;
        one[i] = 1;
        none[i] = 0;
    }
    tlcp_sm3_mb_blocks(n, v, run, one, run, none);
}

/* Up to TLCP_SM3_MB_MAX usable jobs. */
static void ct_mb_group(const tlcp_hmac_sm3_key *k, size_t n, const tlcp_hmac_ct_job job[],
                        uint8_t *const out[], int ok[])
{
    ct_lane lanes[TLCP_SM3_MB_MAX];
    uint32_t *v[TLCP_SM3_MB_MAX] = {0};
    size_t steps = 0;
    for (size_t i = 0; i < n; i++) {
        lane_start(&lanes[i], k, &job[i]);
        v[i] = lanes[i].v;
        if (lanes[i].last_block + 1 - lanes[i].plain > steps)
            steps = lanes[i].last_block + 1 - lanes[i].plain;
    }
    mb_plain(lanes, job, n, v);
    for (size_t s = 0; s < steps; s++)
        mb_masked_step(lanes, job, n, v, s);
    mb_outer(lanes, k, n, v);
    for (size_t i = 0; i < n; i++) {
        tlcp_sm3_state_out(lanes[i].v, out[i]);
        for (size_t b = 0; b < TLCP_SM3_DIGEST_LEN; b++)
            out[i][b] &= (uint8_t)~lanes[i].bad;
        ok[i] = (int)(1 & ~lanes[i].bad);
    }
    tlcp_wipe(lanes, sizeof(lanes));
}

/* Runs the m collected jobs and files their verdicts at their slots. */
static void ct_mb_flush(const tlcp_hmac_sm3_key *k, size_t m, const tlcp_hmac_ct_job use[],
                        uint8_t *const use_out[], const size_t slot[], int ok[])
{
    int use_ok[TLCP_SM3_MB_MAX];
    if (m == 0)
        return;
    ct_mb_group(k, m, use, use_out, use_ok);
    for (size_t j = 0; j < m; j++)
        ok[slot[j]] = use_ok[j];
}

void tlcp_hmac_sm3_ct_keyed_mb(const tlcp_hmac_sm3_key *k, size_t n, const tlcp_hmac_ct_job job[],
                               uint8_t *const out[], int ok[])
{
    tlcp_hmac_ct_job use[TLCP_SM3_MB_MAX];
    uint8_t *use_out[TLCP_SM3_MB_MAX];
    size_t slot[TLCP_SM3_MB_MAX];
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        ok[i] = 0;
        if (k == NULL || out[i] == NULL || !job_usable(&job[i]))
            continue; /* refused like the single MAC: public arguments */
        use[m] = job[i];
        use_out[m] = out[i];
        slot[m++] = i;
        if (m == TLCP_SM3_MB_MAX) {
            ct_mb_flush(k, m, use, use_out, slot, ok);
            m = 0;
        }
    }
    ct_mb_flush(k, m, use, use_out, slot, ok);
}

int tlcp_hmac_sm3_ct(const uint8_t *key, size_t key_len, const uint8_t header[13],
                     const uint8_t *data, size_t data_len, size_t max_len,
                     uint8_t out[TLCP_SM3_DIGEST_LEN])
{
    if (key == NULL && key_len != 0)
        return 0;
    tlcp_hmac_sm3_key k;
    tlcp_hmac_sm3_key_init(&k, key, key_len);
    int ok = tlcp_hmac_sm3_ct_keyed(&k, header, data, data_len, 0, max_len, out);
    tlcp_wipe(&k, sizeof(k));
    return ok;
}
