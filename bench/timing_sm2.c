/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A dudect-style statistical timing test of our SM2 signing: does the time
 * tlcp_sm2_sign_digest takes depend on the private key or on the nonce?
 * Two classes run in a random interleaving and Welch's t compares their
 * durations (raw, and after cropping the slowest 10% of the pooled samples
 * to tame scheduler noise); |t| well below ~4.5 means no difference was
 * detected at this sample size. Never run in CI (noisy, for humans):
 *   `tlcp-bench timing_sm2_sign`, TLCP_TIMING_SAMPLES (default 200000).
 *
 *   key:   class 0 signs with d = 1 (the extreme of a sparse key), class 1
 *          with one of 64 random keys; random digests, fresh nonces.
 *   nonce: one random key; class 0 signs with the injected nonce k = 1,
 *          class 1 with a random injected nonce.
 */
#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "crypto/crypto.h"
#include "crypto/sm2_internal.h"
#include "timing_sm2.h"
#include "timing_stats.h"

#define POOL 64

static void fill(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i += 8) {
        uint64_t w = timing_rand();
        for (size_t j = 0; j < 8 && i + j < n; j++)
            p[i + j] = (uint8_t)(w >> (8 * j));
    }
}

static void report(const char *test, stats st[2])
{
    char name[96];
    double t_raw, t_crop;
    double crop = timing_percentile(st, 2, 0.90);
    for (int c = 0; c < 2; c++) {
        snprintf(name, sizeof(name), "timing_sm2_sign_%s_median_class%d", test, c);
        bench_report(name, "ns", timing_percentile(&st[c], 1, 0.5));
    }
    timing_welch(&st[0], &st[1], DBL_MAX, &t_raw);
    timing_welch(&st[0], &st[1], crop, &t_crop);
    snprintf(name, sizeof(name), "timing_sm2_sign_%s_abs_t", test);
    bench_report(name, "t", t_raw < 0 ? -t_raw : t_raw);
    snprintf(name, sizeof(name), "timing_sm2_sign_%s_abs_t_cropped", test);
    bench_report(name, "t", t_crop < 0 ? -t_crop : t_crop);
}

/* Times one signature; class c picks the key (test 0) or the nonce (test 1). */
static double time_one(int test, int c, tlcp_pkey *const *keys, tlcp_pkey *one)
{
    uint8_t e[32], k[32], sig[TLCP_SM2_MAX_SIG_LEN];
    size_t sig_len;
    fill(e, sizeof(e));
    const tlcp_pkey *key = keys[timing_rand() % POOL];
    if (test == 0 && c == 0)
        key = one;
    if (test == 1) {
        key = keys[0];
        memset(k, 0, sizeof(k));
        k[31] = 1;
        if (c == 1) {
            fill(k, sizeof(k));
            k[0] &= 0x7F; /* below n */
        }
        tlcp_sm2_test_set_k(k);
    }
    double t0 = timing_now_ns();
    int ok = tlcp_sm2_sign_digest(key, e, sig, &sig_len, sizeof(sig), NULL);
    double t1 = timing_now_ns();
    return ok ? t1 - t0 : -1;
}

void bench_timing_sm2(void)
{
    const char *env = getenv("TLCP_TIMING_SAMPLES");
    size_t samples = env ? strtoul(env, NULL, 10) : 200000;
    static const uint8_t d_one[32] = {[31] = 1};
    tlcp_pkey *keys[POOL] = {0};
    tlcp_pkey *one = tlcp_pkey_from_private_scalar(d_one, NULL);
    stats st[2] = {{0}};
    int ok = one != NULL;
    for (int i = 0; ok && i < POOL; i++)
        ok = (keys[i] = tlcp_pkey_generate(NULL)) != NULL;
    for (int c = 0; ok && c < 2; c++)
        ok = (st[c].v = malloc(samples * sizeof(double))) != NULL;
    if (!ok) {
        bench_fail("timing_sm2_sign", "setup failed");
        goto out;
    }
    tlcp_sm2_force_evp(0);
    static const char *const tests[] = {"key", "nonce"};
    for (int test = 0; test < 2; test++) {
        st[0].n = st[1].n = 0;
        for (size_t s = 0; s < samples; s++) {
            int c = (int)(timing_rand() & 1);
            double d = time_one(test, c, keys, one);
            if (d < 0) {
                bench_fail("timing_sm2_sign", "signing failed");
                goto out;
            }
            st[c].v[st[c].n++] = d;
        }
        report(tests[test], st);
    }
    bench_report("timing_sm2_sign_samples_per_test", "count", (double)samples);
out:
    for (int c = 0; c < 2; c++)
        free(st[c].v);
    for (int i = 0; i < POOL; i++)
        tlcp_pkey_free(keys[i]);
    tlcp_pkey_free(one);
}
