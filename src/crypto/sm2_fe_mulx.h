/* SPDX-License-Identifier: Apache-2.0 */
/* Placeholder until the MULX/ADX code lands: the portable product. */
#ifndef TLCP_CRYPTO_SM2_FE_MULX_H
#define TLCP_CRYPTO_SM2_FE_MULX_H
#include "crypto/sm2_fe.h"
#define sm2_fe_mul_mulx sm2_fe_mul_portable
#define sm2_fe_sqr_mulx sm2_fe_sqr_portable
#endif
