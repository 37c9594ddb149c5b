/* SPDX-License-Identifier: Apache-2.0 */
/* Constants and byte conversions of the SM2 field (see sm2_fe.h). */
#include "crypto/sm2_fe.h"

const sm2_fe sm2_fe_rr = {0x0000000200000003ULL, 0x00000002ffffffffULL, 0x0000000100000001ULL,
                          0x0000000400000002ULL};
const sm2_fe sm2_fe_b = {0x90d230632bc0dd42ULL, 0x71cf379ae9b537abULL, 0x527981505ea51c3cULL,
                         0x240fe188ba20e2c8ULL};

void sm2_limbs_from_bytes(uint64_t r[4], const uint8_t in[32])
{
    for (int i = 0; i < 4; i++) {
        uint64_t w = 0;
        for (int j = 0; j < 8; j++)
            w = (w << 8) | in[(3 - i) * 8 + j];
        r[i] = w;
    }
}

void sm2_limbs_to_bytes(uint8_t out[32], const uint64_t a[4])
{
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 8; j++)
            out[(3 - i) * 8 + j] = (uint8_t)(a[i] >> (56 - 8 * j));
}

/* Any 256-bit input is reduced: the Montgomery product by 2^512 mod p of a
 * value below 2^256 stays below 2p before the final subtraction. */
void sm2_fe_from_bytes(sm2_fe r, const uint8_t in[32])
{
    uint64_t a[4];
    sm2_limbs_from_bytes(a, in);
    sm2_fe_mul_portable(r, a, sm2_fe_rr);
}

void sm2_fe_to_bytes(uint8_t out[32], const sm2_fe a)
{
    static const sm2_fe plain_one = {1, 0, 0, 0};
    sm2_fe v;
    sm2_fe_mul_portable(v, a, plain_one);
    sm2_limbs_to_bytes(out, v);
}

int sm2_fe_bytes_in_range(const uint8_t in[32])
{
    uint64_t a[4], borrow = 0;
    sm2_limbs_from_bytes(a, in);
    for (int i = 0; i < 4; i++) {
        sm2_u128 d = (sm2_u128)a[i] - sm2_fe_p[i] - borrow;
        borrow = (uint64_t)(d >> 64) & 1;
    }
    return (int)borrow;
}
