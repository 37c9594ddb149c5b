/* SPDX-License-Identifier: Apache-2.0 */
/* dudect-style timing check of our SM2 signing (see timing_sm2.c). */
#ifndef TLCP_BENCH_TIMING_SM2_H
#define TLCP_BENCH_TIMING_SM2_H

/* Prints "timing_sm2_sign_<test>_abs_t t value" lines; long-running, not for CI. */
void bench_timing_sm2(void);

#endif
