/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internal to the SM4 core: the 256-bit modes (ECB, CBC decryption, CTR)
 * shared by the kernels that hold eight blocks per register. Included once by
 * each such kernel file, after it has defined:
 *   WIDE_TARGET, WIDE_INLINE   the target attribute (and always_inline)
 *   wide_consts                 the constants its round keeps in registers
 *   wide_load_consts(c)         fills them
 *   wide_round(a0, z, c)        a0 ^ Z(T(t)) per 32-bit lane from z = IN(t)
 *   wide_enter(x, c)            bytes -> the Z domain (no constant)
 *   wide_leave(x, c)            the Z domain -> bytes
 *   WIDE_ECB, WIDE_CBC_DECRYPT, WIDE_CTR32, WIDE_CBC_MULTI   the names of
 *                               the functions
 *
 * Layout: a 256-bit register holds one word of eight blocks. Blocks are loaded
 * 32 bytes at a time, so register j starts as (block 2j | block 2j+1) and the
 * 4x4 transposes inside each 128-bit half put word i of blocks 0, 2, 4, 6 in
 * the low half of x_i and of blocks 1, 3, 5, 7 in the high half. The inverse
 * transpose restores the same order, so memory order needs no extra shuffle.
 * Two such groups (sixteen blocks) are interleaved in the bulk loops. Only
 * lengths steer branches and addresses.
 */
WIDE_INLINE __m256i load32(const uint8_t *p)
{
    return _mm256_loadu_si256((const __m256i *)(const void *)p);
}

WIDE_INLINE void store32(uint8_t *p, __m256i v)
{
    _mm256_storeu_si256((__m256i *)(void *)p, v);
}

WIDE_INLINE __m128i load16(const uint8_t *p)
{
    return _mm_loadu_si128((const __m128i *)(const void *)p);
}

WIDE_INLINE void store16(uint8_t *p, __m128i v)
{
    _mm_storeu_si128((__m128i *)(void *)p, v);
}

/* a3 is always the newest word, so it is XORed in last. Compilers
 * reassociate XORs and were seen to put it first (two XORs on the chain
 * instead of one); WIDE_PIN fixes the grouping. */
#define WIDE_ROUND(a0, a1, a2, a3, k)                                                              \
    do {                                                                                           \
        __m256i early_ = _mm256_xor_si256(_mm256_xor_si256(a1, a2), k);                            \
        WIDE_PIN(early_);                                                                          \
        a0 = wide_round(a0, _mm256_xor_si256(early_, a3), c);                                      \
    } while (0)

/* 32 rounds on one group; afterwards x holds X32..X35. */
WIDE_INLINE void rounds8(const uint32_t *rk, __m256i x[4], const wide_consts *c)
{
    __m256i a0 = x[0], a1 = x[1], a2 = x[2], a3 = x[3];
    for (int i = 0; i < TLCP_SM4_ROUNDS; i += 4) {
        WIDE_ROUND(a0, a1, a2, a3, _mm256_set1_epi32((int)rk[i]));
        WIDE_ROUND(a1, a2, a3, a0, _mm256_set1_epi32((int)rk[i + 1]));
        WIDE_ROUND(a2, a3, a0, a1, _mm256_set1_epi32((int)rk[i + 2]));
        WIDE_ROUND(a3, a0, a1, a2, _mm256_set1_epi32((int)rk[i + 3]));
    }
    x[0] = a0, x[1] = a1, x[2] = a2, x[3] = a3;
}

/* Two groups round by round, so their independent chains overlap. */
WIDE_INLINE void rounds16(const uint32_t *rk, __m256i x[4], __m256i y[4], const wide_consts *c)
{
    __m256i a0 = x[0], a1 = x[1], a2 = x[2], a3 = x[3];
    __m256i b0 = y[0], b1 = y[1], b2 = y[2], b3 = y[3];
    for (int i = 0; i < TLCP_SM4_ROUNDS; i += 4) {
        __m256i k = _mm256_set1_epi32((int)rk[i]);
        WIDE_ROUND(a0, a1, a2, a3, k);
        WIDE_ROUND(b0, b1, b2, b3, k);
        k = _mm256_set1_epi32((int)rk[i + 1]);
        WIDE_ROUND(a1, a2, a3, a0, k);
        WIDE_ROUND(b1, b2, b3, b0, k);
        k = _mm256_set1_epi32((int)rk[i + 2]);
        WIDE_ROUND(a2, a3, a0, a1, k);
        WIDE_ROUND(b2, b3, b0, b1, k);
        k = _mm256_set1_epi32((int)rk[i + 3]);
        WIDE_ROUND(a3, a0, a1, a2, k);
        WIDE_ROUND(b3, b0, b1, b2, k);
    }
    x[0] = a0, x[1] = a1, x[2] = a2, x[3] = a3;
    y[0] = b0, y[1] = b1, y[2] = b2, y[3] = b3;
}

/* 4x4 transpose of 32-bit lanes inside each 128-bit half (its own inverse). */
WIDE_INLINE void transpose(__m256i r[4])
{
    __m256i t0 = _mm256_unpacklo_epi32(r[0], r[1]);
    __m256i t1 = _mm256_unpacklo_epi32(r[2], r[3]);
    __m256i t2 = _mm256_unpackhi_epi32(r[0], r[1]);
    __m256i t3 = _mm256_unpackhi_epi32(r[2], r[3]);
    r[0] = _mm256_unpacklo_epi64(t0, t1);
    r[1] = _mm256_unpackhi_epi64(t0, t1);
    r[2] = _mm256_unpacklo_epi64(t2, t3);
    r[3] = _mm256_unpackhi_epi64(t2, t3);
}

/* Eight blocks as loaded (four registers) -> transposed, in the Z domain. */
WIDE_INLINE void enter(__m256i x[4], const __m256i b[4], const wide_consts *c)
{
    for (int j = 0; j < 4; j++)
        x[j] = b[j];
    transpose(x);
    for (int j = 0; j < 4; j++)
        x[j] = wide_enter(x[j], c);
}

/* Round output X32..X35 -> eight blocks (X35, X34, X33, X32) as stored. */
WIDE_INLINE void leave(__m256i b[4], const __m256i x[4], const wide_consts *c)
{
    for (int j = 0; j < 4; j++)
        b[j] = wide_leave(x[3 - j], c);
    transpose(b);
}

/* Encrypts (or decrypts, by the key order) 8 or 16 blocks in registers. */
WIDE_INLINE void crypt8(const uint32_t *rk, __m256i b[4], const wide_consts *c)
{
    __m256i x[4];
    enter(x, b, c);
    rounds8(rk, x, c);
    leave(b, x, c);
}

WIDE_INLINE void crypt16(const uint32_t *rk, __m256i b[8], const wide_consts *c)
{
    __m256i x[4], y[4];
    enter(x, b, c);
    enter(y, b + 4, c);
    rounds16(rk, x, y, c);
    leave(b, x, c);
    leave(b + 4, y, c);
}

WIDE_TARGET void WIDE_ECB(const tlcp_sm4_key *key, const uint8_t *in, uint8_t *out, size_t nblocks)
{
    wide_consts c;
    __m256i b[8];

    wide_load_consts(&c);
    for (; nblocks >= 16; nblocks -= 16, in += 256, out += 256) {
        for (int j = 0; j < 8; j++)
            b[j] = load32(in + 32 * j);
        crypt16(key->rk, b, &c);
        for (int j = 0; j < 8; j++)
            store32(out + 32 * j, b[j]);
    }
    while (nblocks > 0) {
        size_t n = nblocks < 8 ? nblocks : 8;
        uint8_t buf[128] = {0};
        memcpy(buf, in, 16 * n);
        for (int j = 0; j < 4; j++)
            b[j] = load32(buf + 32 * j);
        crypt8(key->rk, b, &c);
        for (int j = 0; j < 4; j++)
            store32(buf + 32 * j, b[j]);
        memcpy(out, buf, 16 * n);
        tlcp_wipe(buf, sizeof(buf));
        in += 16 * n;
        out += 16 * n;
        nblocks -= n;
    }
}

/*
 * CBC-decrypts 8 * groups blocks (groups 1 or 2). Register j holds blocks
 * (2j, 2j+1), so the previous ciphertexts are (2j-1, 2j): a load 16 bytes
 * earlier, except for the first, whose block -1 is *prev. Everything is loaded
 * before anything is stored, so in == out works; *prev becomes the last block.
 */
WIDE_INLINE void cbc_decrypt_batch(const uint32_t *rk, const uint8_t *in, uint8_t *out,
                                   __m128i *prev, int groups, const wide_consts *c)
{
    __m256i b[8], p[8];
    int regs = 4 * groups;
    for (int j = 0; j < regs; j++)
        b[j] = load32(in + 32 * j);
    p[0] = _mm256_inserti128_si256(_mm256_castsi128_si256(*prev), load16(in), 1);
    for (int j = 1; j < regs; j++)
        p[j] = load32(in + 32 * j - 16);
    *prev = _mm256_extracti128_si256(b[regs - 1], 1);
    if (groups == 2)
        crypt16(rk, b, c);
    else
        crypt8(rk, b, c);
    for (int j = 0; j < regs; j++)
        store32(out + 32 * j, _mm256_xor_si256(b[j], p[j]));
}

WIDE_TARGET void WIDE_CBC_DECRYPT(const tlcp_sm4_key *key, const uint8_t iv[16], const uint8_t *in,
                                  uint8_t *out, size_t nblocks)
{
    wide_consts c;
    __m128i prev = load16(iv);

    wide_load_consts(&c);
    for (; nblocks >= 16; nblocks -= 16, in += 256, out += 256)
        cbc_decrypt_batch(key->rk, in, out, &prev, 2, &c);
    for (; nblocks >= 8; nblocks -= 8, in += 128, out += 128)
        cbc_decrypt_batch(key->rk, in, out, &prev, 1, &c);
    if (nblocks > 0) {
        uint8_t buf[128] = {0};
        memcpy(buf, in, 16 * nblocks);
        cbc_decrypt_batch(key->rk, buf, buf, &prev, 1, &c);
        memcpy(out, buf, 16 * nblocks);
        tlcp_wipe(buf, sizeof(buf));
    }
}

/* Eight counter blocks from w3 + first on, transposed and in the Z domain;
 * `fixed` holds the first three words, already transformed. */
WIDE_INLINE void counter_words(__m256i x[4], const __m256i fixed[3], uint32_t w3, uint32_t first,
                               const wide_consts *c)
{
    const __m256i bswap = _mm256_setr_epi8(3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12, 3,
                                           2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12);
    /* Low half: blocks 0, 2, 4, 6; high half: 1, 3, 5, 7 (see the layout).
     * 32-bit lane addition wraps modulo 2^32: exactly inc32. */
    __m256i n = _mm256_add_epi32(_mm256_set1_epi32((int)(w3 + first)),
                                 _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7));
    x[0] = fixed[0];
    x[1] = fixed[1];
    x[2] = fixed[2];
    x[3] = wide_enter(_mm256_shuffle_epi8(n, bswap), c);
}

WIDE_INLINE void xor_out(uint8_t *out, const uint8_t *in, const __m256i ks[4])
{
    for (int j = 0; j < 4; j++)
        store32(out + 32 * j, _mm256_xor_si256(load32(in + 32 * j), ks[j]));
}

WIDE_TARGET void WIDE_CTR32(const tlcp_sm4_key *key, uint8_t ctr[16], const uint8_t *in,
                            uint8_t *out, size_t len)
{
    wide_consts c;
    __m256i x[4], y[4], ks[4], fixed[3];
    uint32_t w3 =
        (uint32_t)ctr[12] << 24 | (uint32_t)ctr[13] << 16 | (uint32_t)ctr[14] << 8 | ctr[15];

    wide_load_consts(&c);
    for (int i = 0; i < 3; i++) {
        uint32_t lane;
        memcpy(&lane, ctr + 4 * i, 4); /* lanes hold words in memory byte order */
        fixed[i] = wide_enter(_mm256_set1_epi32((int)lane), &c);
    }
    for (; len >= 256; len -= 256, in += 256, out += 256, w3 += 16) {
        counter_words(x, fixed, w3, 0, &c);
        counter_words(y, fixed, w3, 8, &c);
        rounds16(key->rk, x, y, &c);
        leave(ks, x, &c);
        xor_out(out, in, ks);
        leave(ks, y, &c);
        xor_out(out + 128, in + 128, ks);
    }
    while (len > 0) {
        size_t n = len < 128 ? len : 128;
        counter_words(x, fixed, w3, 0, &c);
        rounds8(key->rk, x, &c);
        leave(ks, x, &c);
        if (n == 128) {
            xor_out(out, in, ks);
        } else {
            uint8_t stream[128];
            for (int j = 0; j < 4; j++)
                store32(stream + 32 * j, ks[j]);
            for (size_t i = 0; i < n; i++)
                out[i] = in[i] ^ stream[i];
            tlcp_wipe(stream, sizeof(stream));
        }
        w3 += (uint32_t)((n + 15) / 16);
        in += n;
        out += n;
        len -= n;
    }
    ctr[12] = (uint8_t)(w3 >> 24);
    ctr[13] = (uint8_t)(w3 >> 16);
    ctr[14] = (uint8_t)(w3 >> 8);
    ctr[15] = (uint8_t)w3;
}

/*
 * Multi-chain CBC encryption, 8 * groups chains (groups 1 or 2) of nblocks
 * blocks each: chain i starts from iv[i] and encrypts in[i] to out[i]. One
 * block of every chain per step, like the generic loop in sm4_core_multi.c,
 * but the chaining values never leave the registers: they stay transposed
 * in the Z domain, where Z(P ^ C) = Z(P) ^ Z(C) (the map is linear), so a
 * step is loads, one transpose and map in, the XOR, the rounds, one map and
 * transpose out and stores, with no gather or scatter through memory and no
 * call per step. Register j holds chains (2j, 2j+1) as loaded. Every load of
 * a step comes before its stores, so in[i] == out[i] works.
 */
WIDE_INLINE __m256i load_pair(const uint8_t *lo, const uint8_t *hi)
{
    return _mm256_inserti128_si256(_mm256_castsi128_si256(load16(lo)), load16(hi), 1);
}

/* The body, inlined once per group count so that each copy gets its own
 * register allocation (shared, the eight-chain copy spilled its round state
 * to the stack, a store and a reload on the serial chain of every round). */
WIDE_INLINE void cbc_multi(const tlcp_sm4_key *key, const int groups, const uint8_t *const iv[],
                           const uint8_t *const in[], uint8_t *const out[], size_t nblocks)
{
    wide_consts c;
    __m256i b[8], x[8], zc[8];
    int regs = 4 * groups;

    wide_load_consts(&c);
    for (int j = 0; j < regs; j++)
        b[j] = load_pair(iv[2 * j], iv[2 * j + 1]);
    for (int g = 0; g < groups; g++)
        enter(zc + 4 * g, b + 4 * g, &c);
    for (size_t s = 0; s < nblocks; s++) {
        for (int j = 0; j < regs; j++)
            b[j] = load_pair(in[2 * j] + 16 * s, in[2 * j + 1] + 16 * s);
        for (int g = 0; g < groups; g++) {
            enter(x + 4 * g, b + 4 * g, &c);
            for (int j = 0; j < 4; j++)
                x[4 * g + j] = _mm256_xor_si256(x[4 * g + j], zc[4 * g + j]);
        }
        if (groups == 2)
            rounds16(key->rk, x, x + 4, &c);
        else
            rounds8(key->rk, x, &c);
        for (int g = 0; g < groups; g++) {
            /* The ciphertext is (X35, X34, X33, X32): the next chaining value. */
            for (int j = 0; j < 4; j++)
                zc[4 * g + j] = x[4 * g + 3 - j];
            leave(b + 4 * g, x + 4 * g, &c);
        }
        for (int j = 0; j < regs; j++) {
            store16(out[2 * j] + 16 * s, _mm256_castsi256_si128(b[j]));
            store16(out[2 * j + 1] + 16 * s, _mm256_extracti128_si256(b[j], 1));
        }
    }
}

WIDE_TARGET void WIDE_CBC_MULTI(const tlcp_sm4_key *key, int groups, const uint8_t *const iv[],
                                const uint8_t *const in[], uint8_t *const out[], size_t nblocks)
{
    if (groups == 2)
        cbc_multi(key, 2, iv, in, out, nblocks);
    else
        cbc_multi(key, 1, iv, in, out, nblocks);
}
