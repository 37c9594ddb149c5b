/* SPDX-License-Identifier: Apache-2.0 */
/* The SM2 point algorithms on the x86-64 MULX/ADX field back end (chosen
 * by sm2_curve.c only when CPUID reports BMI2 and ADX). */
#include "crypto/sm2_impl.h"

#if defined(__x86_64__)
#include "crypto/sm2_fe_mulx.h"

#define FE_MUL       sm2_fe_mul_mulx
#define FE_SQR       sm2_fe_sqr_mulx
#define FE_ADD       sm2_fe_add_x86
#define FE_SUB       sm2_fe_sub_x86
#define FE_MUL_SMALL sm2_fe_mul_small_mulx
#include "crypto/sm2_fe_inv_impl.h"
#include "crypto/sm2_point_impl.h"
#include "crypto/sm2_mul_impl.h"

const struct sm2_impl sm2_impl_mulx = SM2_IMPL_INIT("mulx");
#endif
