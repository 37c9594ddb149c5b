/* SPDX-License-Identifier: Apache-2.0 */
/* Statistics shared by the dudect-style timing tests (timing_*.c). */
#include <float.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "timing_stats.h"

static double monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <x86intrin.h>

/*
 * The time stamp counter, in ns: CLOCK_MONOTONIC in a virtual machine can
 * step in tens of ns (it did on the KVM guest this was tuned on), which
 * quantizes microsecond durations into a few values, and the cropped t
 * statistics then compare ties instead of times. The TSC ticks at a
 * constant rate (nonstop_tsc) well under a ns; its rate is found once
 * against CLOCK_MONOTONIC over 20 ms. LFENCE keeps the read from running
 * ahead of the measured code.
 */
static double tsc_ticks(void)
{
    _mm_lfence();
    double t = (double)__rdtsc();
    _mm_lfence();
    return t;
}

double timing_now_ns(void)
{
    static double ns_per_tick;
    if (ns_per_tick == 0) {
        double m0 = monotonic_ns(), c0 = tsc_ticks(), m1;
        do
            m1 = monotonic_ns();
        while (m1 - m0 < 20e6);
        ns_per_tick = (m1 - m0) / (tsc_ticks() - c0);
    }
    return tsc_ticks() * ns_per_tick;
}
#else
double timing_now_ns(void)
{
    return monotonic_ns();
}
#endif

/* Square root by Newton's method: tlcp-bench does not link libm. */
static double root(double x)
{
    if (x <= 0)
        return 0;
    double r = x > 1 ? x : 1;
    for (int i = 0; i < 200; i++)
        r = 0.5 * (r + x / r);
    return r;
}

void timing_welch(const stats *a, const stats *b, double limit, double *t_out)
{
    double ma = 0, mb = 0, va = 0, vb = 0;
    size_t na = 0, nb = 0;
    for (size_t i = 0; i < a->n; i++)
        if (a->v[i] <= limit) {
            ma += a->v[i];
            na++;
        }
    for (size_t i = 0; i < b->n; i++)
        if (b->v[i] <= limit) {
            mb += b->v[i];
            nb++;
        }
    if (na < 2 || nb < 2) {
        *t_out = 0;
        return;
    }
    ma /= (double)na;
    mb /= (double)nb;
    for (size_t i = 0; i < a->n; i++)
        if (a->v[i] <= limit)
            va += (a->v[i] - ma) * (a->v[i] - ma);
    for (size_t i = 0; i < b->n; i++)
        if (b->v[i] <= limit)
            vb += (b->v[i] - mb) * (b->v[i] - mb);
    va /= (double)(na - 1);
    vb /= (double)(nb - 1);
    *t_out = (ma - mb) / root(va / (double)na + vb / (double)nb);
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

double timing_percentile(stats *all, size_t n_classes, double q)
{
    size_t total = 0;
    for (size_t c = 0; c < n_classes; c++)
        total += all[c].n;
    double *pool = malloc(total * sizeof(double));
    if (pool == NULL)
        return DBL_MAX;
    size_t k = 0;
    for (size_t c = 0; c < n_classes; c++)
        for (size_t i = 0; i < all[c].n; i++)
            pool[k++] = all[c].v[i];
    qsort(pool, total, sizeof(double), cmp_double);
    double r = pool[(size_t)(q * (double)(total - 1))];
    free(pool);
    return r;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
uint64_t timing_rand(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}
