/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internal to src/crypto/sm3_core.c: the scalar SM3 compression function as a
 * template, instantiated once per target (portable, BMI2). The includer
 * defines SM3_ROUNDS_FN (the name) and SM3_ROUNDS_ATTR (its attributes).
 *
 * Message expansion runs on the fly: W[j] lives in w[j % 16] and W[j+4] is
 * made just before round j, when W[j-12], the word it overwrites, is dead.
 * A round does not move the eight registers: the new A goes into d and the
 * new E into h, so the next round names them (d, a, b, c, h, e, f, g) and
 * four rounds bring the names back. The round constants T_j <<< j fold into
 * immediates once the loop is unrolled.
 */
#define SM3R_ROL(x, n)    (((x) << (n)) | ((x) >> (32 - (n))))
#define SM3R_P0(x)        ((x) ^ SM3R_ROL((x), 9) ^ SM3R_ROL((x), 17))
#define SM3R_P1(x)        ((x) ^ SM3R_ROL((x), 15) ^ SM3R_ROL((x), 23))
#define SM3R_FF0(x, y, z) ((x) ^ (y) ^ (z))
#define SM3R_FF1(x, y, z) (((x) & (y)) | (((x) | (y)) & (z)))
#define SM3R_GG1(x, y, z) ((((y) ^ (z)) & (x)) ^ (z))
#define SM3R_W(j)         w[(j)&15]
#define SM3R_EXPAND(j)                                                                             \
    (SM3R_W(j) = SM3R_P1(SM3R_W((j)-16) ^ SM3R_W((j)-9) ^ SM3R_ROL(SM3R_W((j)-3), 15)) ^           \
                 SM3R_ROL(SM3R_W((j)-13), 7) ^ SM3R_W((j)-6))

/*
 * One round given W_j (wj) and W'_j (wpj). The critical chain runs through
 * E: a12 + T_j + E, <<< 7, + the GG sum, P0; everything off it is summed
 * first (t, x, q) so that the late operand meets one add. Compilers
 * reassociate sums freely and often put the late operand first; SM3R_PIN
 * (an empty asm on GNU compilers, defined by the includer) fixes the
 * grouping.
 */
#if !defined(SM3R_PIN)
#define SM3R_PIN(x) ((void)0)
#endif
#define SM3R_CORE(a, b, c, d, e, f, g, h, j, FF, GG, wj, wpj)                                      \
    do {                                                                                           \
        uint32_t a12 = SM3R_ROL(a, 12);                                                            \
        uint32_t t = a12 + tlcp_sm3_tj[j];                                                         \
        SM3R_PIN(t);                                                                               \
        uint32_t ss1 = SM3R_ROL(t + e, 7);                                                         \
        uint32_t x = FF(a, b, c) + (d + (wpj));                                                    \
        SM3R_PIN(x);                                                                               \
        d = (ss1 ^ a12) + x;                                                                       \
        uint32_t q = GG(e, f, g) + (h + (wj));                                                     \
        SM3R_PIN(q);                                                                               \
        h = q + ss1;                                                                               \
        h = SM3R_P0(h);                                                                            \
        b = SM3R_ROL(b, 9);                                                                        \
        f = SM3R_ROL(f, 19);                                                                       \
    } while (0)

/* On the fly: W_{j+4} is made first (rounds 12 on). */
#define SM3R_ROUND(a, b, c, d, e, f, g, h, j, FF, GG)                                              \
    do {                                                                                           \
        if ((j) >= 12)                                                                             \
            SM3R_EXPAND((j) + 4);                                                                  \
        SM3R_CORE(a, b, c, d, e, f, g, h, j, FF, GG, SM3R_W(j), SM3R_W(j) ^ SM3R_W((j) + 4));      \
    } while (0)

/* Four rounds of ROUND bring the register names back. */
#define SM3R_FOUR_OF(ROUND, j, FF, GG)                                                             \
    do {                                                                                           \
        ROUND(a, b, c, d, e, f, g, h, (j), FF, GG);                                                \
        ROUND(d, a, b, c, h, e, f, g, (j) + 1, FF, GG);                                            \
        ROUND(c, d, a, b, g, h, e, f, (j) + 2, FF, GG);                                            \
        ROUND(b, c, d, a, f, g, h, e, (j) + 3, FF, GG);                                            \
    } while (0)
#define SM3R_FOUR(j, FF, GG) SM3R_FOUR_OF(SM3R_ROUND, j, FF, GG)

/* The 64 rounds: XOR forms of FF and GG for rounds 0..15, majority and
 * choice after. */
#define SM3R_ALL(FOUR)                                                                             \
    do {                                                                                           \
        FOUR(0, SM3R_FF0, SM3R_FF0);                                                               \
        FOUR(4, SM3R_FF0, SM3R_FF0);                                                               \
        FOUR(8, SM3R_FF0, SM3R_FF0);                                                               \
        FOUR(12, SM3R_FF0, SM3R_FF0);                                                              \
        FOUR(16, SM3R_FF1, SM3R_GG1);                                                              \
        FOUR(20, SM3R_FF1, SM3R_GG1);                                                              \
        FOUR(24, SM3R_FF1, SM3R_GG1);                                                              \
        FOUR(28, SM3R_FF1, SM3R_GG1);                                                              \
        FOUR(32, SM3R_FF1, SM3R_GG1);                                                              \
        FOUR(36, SM3R_FF1, SM3R_GG1);                                                              \
        FOUR(40, SM3R_FF1, SM3R_GG1);                                                              \
        FOUR(44, SM3R_FF1, SM3R_GG1);                                                              \
        FOUR(48, SM3R_FF1, SM3R_GG1);                                                              \
        FOUR(52, SM3R_FF1, SM3R_GG1);                                                              \
        FOUR(56, SM3R_FF1, SM3R_GG1);                                                              \
        FOUR(60, SM3R_FF1, SM3R_GG1);                                                              \
    } while (0)

SM3_ROUNDS_ATTR void SM3_ROUNDS_FN(uint32_t v[8], const uint8_t *p, size_t nblocks)
{
    uint32_t w[16];
    for (; nblocks > 0; nblocks--, p += 64) {
        for (int i = 0; i < 16; i++)
            w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
                   (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
        uint32_t a = v[0], b = v[1], c = v[2], d = v[3];
        uint32_t e = v[4], f = v[5], g = v[6], h = v[7];
        SM3R_ALL(SM3R_FOUR);
        v[0] ^= a, v[1] ^= b, v[2] ^= c, v[3] ^= d;
        v[4] ^= e, v[5] ^= f, v[6] ^= g, v[7] ^= h;
    }
    tlcp_wipe(w, sizeof(w));
}

#if defined(SM3_PRE_FN)
/*
 * The same rounds on a schedule computed beforehand (sm3_mb_avx2.c builds it
 * for eight consecutive blocks at once): W_j at ww[8 * j] and W'_j at
 * wp[8 * j], the stride of eight interleaving the eight blocks. The scalar
 * ports are then left to the rounds, whose serial chain is the bound.
 */
#define SM3P_ROUND(a, b, c, d, e, f, g, h, j, FF, GG)                                              \
    SM3R_CORE(a, b, c, d, e, f, g, h, j, FF, GG, ww[8 * (j)], wp[8 * (j)])
#define SM3P_FOUR(j, FF, GG) SM3R_FOUR_OF(SM3P_ROUND, j, FF, GG)

SM3_ROUNDS_ATTR void SM3_PRE_FN(uint32_t v[8], const uint32_t *ww, const uint32_t *wp)
{
    uint32_t a = v[0], b = v[1], c = v[2], d = v[3];
    uint32_t e = v[4], f = v[5], g = v[6], h = v[7];
    SM3R_ALL(SM3P_FOUR);
    v[0] ^= a, v[1] ^= b, v[2] ^= c, v[3] ^= d;
    v[4] ^= e, v[5] ^= f, v[6] ^= g, v[7] ^= h;
}
#endif
