/* SPDX-License-Identifier: Apache-2.0 */
/* The SM2 point algorithms on the portable C field back end (any CPU). */
#include "crypto/sm2_impl.h"

#define FE_MUL       sm2_fe_mul_portable
#define FE_SQR       sm2_fe_sqr_portable
#define FE_ADD       sm2_fe_add
#define FE_SUB       sm2_fe_sub
#define FE_MUL_SMALL sm2_fe_mul_small_portable
#include "crypto/sm2_fe_inv_impl.h"
#include "crypto/sm2_point_impl.h"
#include "crypto/sm2_mul_impl.h"

const struct sm2_impl sm2_impl_portable = SM2_IMPL_INIT("portable");
