/* SPDX-License-Identifier: Apache-2.0 */
/* Statistics shared by the dudect-style timing tests (timing_*.c). */
#ifndef TLCP_BENCH_TIMING_STATS_H
#define TLCP_BENCH_TIMING_STATS_H

#include <stddef.h>
#include <stdint.h>

/* The durations measured for one class. */
typedef struct stats {
    double *v;
    size_t n;
} stats;

double timing_now_ns(void);
/* Welch's t of a against b over the samples <= limit (DBL_MAX: all). */
void timing_welch(const stats *a, const stats *b, double limit, double *t_out);
/* The q-quantile of the pooled samples of n_classes classes. */
double timing_percentile(stats *all, size_t n_classes, double q);
/* A fast, fixed-seed xorshift stream for the class interleaving. */
uint64_t timing_rand(void);

#endif
