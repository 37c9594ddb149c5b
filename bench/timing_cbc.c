/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A dudect-style statistical timing test of CBC record opening: does the time
 * tlcp_record_open takes depend on whether (and where) the padding or the
 * MAC is wrong? Four classes of records of the same length are opened in a
 * random interleaving; per class we keep every duration and compare classes
 * with Welch's t statistic (raw, and after cropping the slowest 10% of the
 * pooled samples to tame scheduler noise). |t| well below ~4.5 means no
 * difference was detected at this sample size. Never run in CI: timing on a
 * shared machine is noisy, and the figure is for humans.
 *
 * Classes (plaintext n = 320 bytes after the 16-byte IV):
 *   valid_pad0    valid record, padding length 0 (longest data)
 *   valid_pad255  valid record, padding length 255 (shortest data)
 *   bad_padding   padding length 255 with one wrong padding byte
 *   bad_mac       padding length 0 with a wrong MAC byte
 * TLCP_TIMING_SAMPLES sets the samples per phase (default 400000).
 */
#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "record/record_internal.h"
#include "timing_cbc.h"
#include "timing_stats.h"

#define N_PLAIN  320
#define FRAG_LEN (16 + N_PLAIN)
#define CLASSES  4
/* The classes' records lie whole 64-byte lines apart, so every class's
 * copy has the same alignment: FRAG_LEN (336) apart, the odd classes'
 * copies were 16 bytes off the even ones', and that untimed copy's cost
 * reached into the timed window (valid_pad0 and bad_padding against
 * valid_pad255 and bad_mac, cropped |t| up to 13 in a fifth of the runs). */
#define REC_STRIDE ((FRAG_LEN + 63) / 64 * 64)

static const char *const class_names[CLASSES] = {"valid_pad0", "valid_pad255", "bad_padding",
                                                 "bad_mac"};

/* Builds one record fragment (IV || ciphertext) of the given class. */
static int build_record(const tlcp_record_keys *k, int cls, uint8_t frag[FRAG_LEN])
{
    size_t pad = (cls == 1 || cls == 2) ? 255 : 0;
    size_t dlen = N_PLAIN - 33 - pad;
    uint8_t buf[13 + N_PLAIN];
    uint8_t *p = buf + 13;
    tlcp_record_pseudo_header(buf, 0, TLCP_CT_APPLICATION_DATA, dlen);
    for (size_t i = 0; i < dlen; i++)
        p[i] = (uint8_t)(i * 13);
    if (!tlcp_hmac_sm3(k->mac_key, 32, buf, 13 + dlen, p + dlen, NULL))
        return 0;
    memset(p + dlen + 32, (int)pad, pad + 1);
    if (cls == 2)
        p[dlen + 32 + 100] ^= 1; /* a padding byte in the middle */
    if (cls == 3)
        p[dlen + 5] ^= 1;
    for (int i = 0; i < 16; i++)
        frag[i] = (uint8_t)(0x33 * i);
    return tlcp_sm4_cbc_encrypt(k->key, frag, p, frag + 16, N_PLAIN, NULL);
}

/* One timed operation on a record of class c. */
typedef struct timing_ctx {
    tlcp_record_dir dir;
    uint8_t recs[CLASSES][REC_STRIDE]; /* IV || ciphertext */
    uint8_t plain[CLASSES][N_PLAIN];   /* decrypted, for the verify phase */
    uint8_t work[FRAG_LEN];
} timing_ctx;

/* The phases (see bench_timing_cbc). */
enum { PH_OPEN, PH_TO_VERDICT, PH_VERDICT, PH_VERIFY, PH_VERIFY_MULTI, PHASES };
static const char *const phase_names[PHASES] = {"open", "to_verdict", "verdict", "verify",
                                                "verify_multi"};

/* Records per batch in the verify_multi phase: a full multi-buffer group,
 * as a 16 KiB write arrives. */
#define BATCH 16

/* The batch check of read_batch.c on BATCH copies of record c's plaintext. */
static int verify_batch(timing_ctx *t, int c, int want, double *ns)
{
    uint64_t seq[BATCH] = {0};
    const uint8_t *p[BATCH];
    size_t n[BATCH];
    tlcp_cbc_opened res[BATCH];
    memcpy(t->work + 16, t->plain[c], N_PLAIN); /* one address for every class */
    for (int i = 0; i < BATCH; i++) {
        p[i] = t->work + 16;
        n[i] = N_PLAIN;
    }
    double t0 = timing_now_ns();
    tlcp_cbc_verify_multi(&t->dir.mac, seq, TLCP_CT_APPLICATION_DATA, p, n, BATCH, res);
    *ns = timing_now_ns() - t0;
    for (int i = 0; i < BATCH; i++)
        if (!res[i].mac_ok || (res[i].good != 0) != want)
            return 0;
    return 1;
}

/* Decryption and the constant-time check of a fresh copy of record c: what
 * tlcp_cbc_open does before its verdict. */
static int open_to_verdict(timing_ctx *t, int *mac_ok, size_t *good)
{
    size_t len;
    uint8_t *p = t->work + 16;
    if (!tlcp_sm4_cbc_crypt(t->dir.cbc, t->work, p, p, N_PLAIN, NULL))
        return 0;
    *mac_ok = tlcp_cbc_verify(&t->dir.mac, 0, TLCP_CT_APPLICATION_DATA, p, N_PLAIN, &len, good);
    return 1;
}

/* Returns the duration in ns, or a negative value if the outcome is wrong. */
static double time_one(timing_ctx *t, int phase, int c)
{
    tlcp_error err;
    tlcp_error_clear(&err);
    int want = c < 2;
    double t0, t1;
    int r;
    size_t len, good = 0;
    int mac_ok = 0;
    memcpy(t->work, t->recs[c], FRAG_LEN); /* opening works in place */
    switch (phase) {
    case PH_OPEN: {
        t->dir.seq = 0;
        tlcp_cursor out;
        t0 = timing_now_ns();
        r = tlcp_record_open(&t->dir, TLCP_CT_APPLICATION_DATA, t->work, FRAG_LEN, &out, &err);
        t1 = timing_now_ns();
        return r == want ? t1 - t0 : -1;
    }
    case PH_TO_VERDICT:
        t0 = timing_now_ns();
        r = open_to_verdict(t, &mac_ok, &good);
        t1 = timing_now_ns();
        return r && mac_ok && (good != 0) == want ? t1 - t0 : -1;
    case PH_VERDICT:
        /* The verdict alone, on the check's result: the error path (the
         * alert and its message) runs only after the verdict is known. */
        if (!open_to_verdict(t, &mac_ok, &good))
            return -1;
        t0 = timing_now_ns();
        r = tlcp_cbc_verdict(mac_ok, good, &err);
        t1 = timing_now_ns();
        return r == want ? t1 - t0 : -1;
    case PH_VERIFY_MULTI: {
        double ns;
        return verify_batch(t, c, want, &ns) ? ns : -1;
    }
    default:
        /* From the one work buffer, as the other phases: read from each
         * class's own array, cropped |t| up to 80 came and went from run
         * to run (verify_multi: up to 35, 5 with one buffer). */
        memcpy(t->work + 16, t->plain[c], N_PLAIN);
        t0 = timing_now_ns();
        r = tlcp_cbc_verify(&t->dir.mac, 0, TLCP_CT_APPLICATION_DATA, t->work + 16, N_PLAIN, &len,
                            &good);
        t1 = timing_now_ns();
        return r && (good != 0) == want ? t1 - t0 : -1;
    }
}

static void report_phase(const char *phase, stats *st)
{
    double crop = timing_percentile(st, CLASSES, 0.90);
    char name[128];
    for (int c = 0; c < CLASSES; c++) {
        snprintf(name, sizeof(name), "timing_cbc_%s_median_%s", phase, class_names[c]);
        bench_report(name, "ns", timing_percentile(&st[c], 1, 0.5));
    }
    static const int pairs[][2] = {{0, 1}, {0, 2}, {0, 3}, {2, 3}, {1, 2}, {1, 3}};
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        double t_raw, t_crop;
        timing_welch(&st[pairs[i][0]], &st[pairs[i][1]], DBL_MAX, &t_raw);
        timing_welch(&st[pairs[i][0]], &st[pairs[i][1]], crop, &t_crop);
        snprintf(name, sizeof(name), "timing_cbc_%s_t_%s_vs_%s", phase, class_names[pairs[i][0]],
                 class_names[pairs[i][1]]);
        bench_report(name, "t", t_raw);
        snprintf(name + strlen(name), sizeof(name) - strlen(name), "_cropped");
        bench_report(name, "t", t_crop);
    }
}

/*
 * Four phases: "open" times tlcp_record_open as a whole; "to_verdict" the
 * same work up to the verdict (SM4-CBC decryption and the constant-time
 * padding/MAC check) and "verdict" only the verdict after it (the error
 * path: tlcp_error with its message, allowed to differ, since the alert
 * makes the verdict public anyway), which splits a difference seen in
 * "open" into before and after the verdict; "verify" only the check on the
 * decrypted plaintext, which isolates our code from the cipher;
 * "verify_multi" the batch check (tlcp_cbc_verify_multi, the multi-buffer
 * constant-time HMAC of read_batch.c) on 16 records of one class.
 */
void bench_timing_cbc(void)
{
    const char *env = getenv("TLCP_TIMING_SAMPLES");
    size_t samples = env ? strtoul(env, NULL, 10) : 400000;
    tlcp_record_keys k;
    memset(&k, 0, sizeof(k));
    k.bulk = TLCP_BULK_SM4_CBC_SM3;
    for (int i = 0; i < 32; i++)
        k.mac_key[i] = (uint8_t)(i + 1);
    for (int i = 0; i < 16; i++)
        k.key[i] = (uint8_t)(0xf0 - i);

    timing_ctx *t = calloc(1, sizeof(*t));
    stats st[CLASSES] = {{0}};
    int ok = t != NULL && tlcp_record_dir_init(&t->dir, &k, 0, NULL);
    for (int c = 0; ok && c < CLASSES; c++) {
        ok = build_record(&k, c, t->recs[c]) &&
             tlcp_sm4_cbc_decrypt(k.key, t->recs[c], t->recs[c] + 16, t->plain[c], N_PLAIN, NULL);
        st[c].v = malloc(samples * sizeof(double));
        ok = ok && st[c].v != NULL;
    }
    if (!ok) {
        bench_fail("timing_cbc", "setup failed");
        goto out;
    }
    for (int phase = 0; phase < PHASES; phase++) {
        for (int c = 0; c < CLASSES; c++)
            st[c].n = 0;
        for (size_t s = 0; s < samples; s++) {
            int c = (int)(timing_rand() % CLASSES);
            double d = time_one(t, phase, c);
            if (d < 0) {
                bench_fail("timing_cbc", "a record opened against its class");
                goto out;
            }
            st[c].v[st[c].n++] = d;
        }
        report_phase(phase_names[phase], st);
    }
    bench_report("timing_cbc_samples_per_phase", "count", (double)samples);
out:
    for (int c = 0; c < CLASSES; c++)
        free(st[c].v);
    if (t != NULL)
        tlcp_record_dir_clear(&t->dir);
    free(t);
}
