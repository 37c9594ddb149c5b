/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internal to the multi-buffer SM3 kernels (sm3_mb_avx2.c, sm3_mb_avx512.c):
 * the rounds of MB_LANES independent SM3 streams, one stream per 32-bit lane
 * of a vector, as a template. The includer defines:
 *   mbv, MB_LANES, MB_TARGET, MB_INLINE   vector type, lanes, attributes
 *   mb_add mb_xor mb_rol mb_set1          lane-wise operations
 *   mb_xor3 mb_maj mb_choose              x^y^z, majority, x ? y : z
 *   mb_load_words(w, p)                   w[0..15] = big-endian message
 *                                         words of the blocks at p[lane]
 *   mb_load_state / mb_store_state        lane states in and out
 *   MB_COMPRESS                           the name of the function
 * and gets
 *   MB_COMPRESS(v, p, adv, nblocks): for each lane i, v[i] = CF(...) over
 *   nblocks blocks at p[i], stepping 64 bytes when bit i of adv is set (a
 *   lane without the bit repeats one block: a filler lane whose result the
 *   caller discards).
 * Only add, rotate and xor touch the data: constant time.
 */
#include "crypto/sm3_core.h"

MB_INLINE mbv mb_p0(mbv x)
{
    return mb_xor3(x, mb_rol(x, 9), mb_rol(x, 17));
}

MB_INLINE mbv mb_p1(mbv x)
{
    return mb_xor3(x, mb_rol(x, 15), mb_rol(x, 23));
}

#define MB_W(j) w[(j)&15]
#define MB_EXPAND(j)                                                                               \
    (MB_W(j) = mb_xor3(mb_p1(mb_xor3(MB_W((j)-16), MB_W((j)-9), mb_rol(MB_W((j)-3), 15))),         \
                       mb_rol(MB_W((j)-13), 7), MB_W((j)-6)))

/* As the scalar round (sm3_rounds.h): new A into d, new E into h. */
#define MB_ROUND(a, b, c, d, e, f, g, h, j, FF, GG)                                                \
    do {                                                                                           \
        if ((j) >= 12)                                                                             \
            MB_EXPAND((j) + 4);                                                                    \
        mbv a12 = mb_rol(a, 12);                                                                   \
        mbv ss1 = mb_rol(mb_add(mb_add(a12, e), mb_set1(tlcp_sm3_tj[j])), 7);                      \
        d = mb_add(mb_add(FF(a, b, c), d),                                                         \
                   mb_add(mb_xor(ss1, a12), mb_xor(MB_W(j), MB_W((j) + 4))));                      \
        h = mb_p0(mb_add(mb_add(GG(e, f, g), h), mb_add(ss1, MB_W(j))));                           \
        b = mb_rol(b, 9);                                                                          \
        f = mb_rol(f, 19);                                                                         \
    } while (0)

#define MB_FOUR(j, FF, GG)                                                                         \
    do {                                                                                           \
        MB_ROUND(a, b, c, d, e, f, g, h, (j), FF, GG);                                             \
        MB_ROUND(d, a, b, c, h, e, f, g, (j) + 1, FF, GG);                                         \
        MB_ROUND(c, d, a, b, g, h, e, f, (j) + 2, FF, GG);                                         \
        MB_ROUND(b, c, d, a, f, g, h, e, (j) + 3, FF, GG);                                         \
    } while (0)

MB_INLINE void mb_block(mbv s[8], const uint8_t *const p[MB_LANES])
{
    mbv w[16];
    mb_load_words(w, p);
    mbv a = s[0], b = s[1], c = s[2], d = s[3], e = s[4], f = s[5], g = s[6], h = s[7];
    MB_FOUR(0, mb_xor3, mb_xor3);
    MB_FOUR(4, mb_xor3, mb_xor3);
    MB_FOUR(8, mb_xor3, mb_xor3);
    MB_FOUR(12, mb_xor3, mb_xor3);
    MB_FOUR(16, mb_maj, mb_choose);
    MB_FOUR(20, mb_maj, mb_choose);
    MB_FOUR(24, mb_maj, mb_choose);
    MB_FOUR(28, mb_maj, mb_choose);
    MB_FOUR(32, mb_maj, mb_choose);
    MB_FOUR(36, mb_maj, mb_choose);
    MB_FOUR(40, mb_maj, mb_choose);
    MB_FOUR(44, mb_maj, mb_choose);
    MB_FOUR(48, mb_maj, mb_choose);
    MB_FOUR(52, mb_maj, mb_choose);
    MB_FOUR(56, mb_maj, mb_choose);
    MB_FOUR(60, mb_maj, mb_choose);
    s[0] = mb_xor(s[0], a), s[1] = mb_xor(s[1], b), s[2] = mb_xor(s[2], c);
    s[3] = mb_xor(s[3], d), s[4] = mb_xor(s[4], e), s[5] = mb_xor(s[5], f);
    s[6] = mb_xor(s[6], g), s[7] = mb_xor(s[7], h);
}

MB_TARGET void MB_COMPRESS(uint32_t *const v[MB_LANES], const uint8_t *const p[MB_LANES],
                           uint32_t adv, size_t nblocks)
{
    mbv s[8];
    const uint8_t *q[MB_LANES];
    size_t step[MB_LANES];
    for (int i = 0; i < MB_LANES; i++) {
        q[i] = p[i];
        step[i] = ((adv >> i) & 1) * 64;
    }
    mb_load_state(s, v);
    for (; nblocks > 0; nblocks--) {
        mb_block(s, q);
        for (int i = 0; i < MB_LANES; i++)
            q[i] += step[i];
    }
    mb_store_state(v, s);
}
