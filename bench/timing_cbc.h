/* SPDX-License-Identifier: Apache-2.0 */
/* dudect-style timing check of CBC record opening (see timing_cbc.c). */
#ifndef TLCP_BENCH_TIMING_CBC_H
#define TLCP_BENCH_TIMING_CBC_H

/* Prints "timing_cbc_t_<a>_vs_<b> t value" lines; long-running, not for CI. */
void bench_timing_cbc(void);

#endif
