/* SPDX-License-Identifier: Apache-2.0 */
/* Limb-level scalar helpers mod n shared by the SM2 curve files (constant time). */
#ifndef TLCP_CRYPTO_SM2_SCALAR_H
#define TLCP_CRYPTO_SM2_SCALAR_H

#include <stdint.h>

extern const uint64_t sm2_scalar_n[4];

/* a mod n for any 256-bit a (little-endian limbs). */
void sm2_scalar_reduce_limbs(uint64_t r[4], const uint64_t a[4]);
/* All-ones masks. */
uint64_t sm2_scalar_is_zero_limbs(const uint64_t a[4]);
uint64_t sm2_scalar_in_range_limbs(const uint64_t a[4]);

#endif
