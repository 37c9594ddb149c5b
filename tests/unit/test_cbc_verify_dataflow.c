/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Data-flow check of tlcp_cbc_verify, the constant-time padding and MAC
 * check of CBC records (the "ctgrind" method): the decrypted record (data,
 * MAC, padding) and the MAC key are marked undefined for Valgrind's
 * memcheck, which reports any branch or memory address that depends on
 * them. Good records, bad padding and bad MACs of several lengths; the
 * verdicts are checked too. The same for tlcp_cbc_verify_multi, the check of
 * a batch of records (read_batch.c) through the multi-buffer constant-time
 * HMAC, under the multi-buffer kernels the CPU has and the scalar one, each
 * verdict equal to tlcp_cbc_verify's. Skipped (77) without valgrind.
 */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "crypto/crypto.h"
#include "crypto/sm3_core.h"
#include "record/record_internal.h"

#include "dataflow.h"

#define MAX_N (16 * 40)
#define BATCH 9

typedef struct cbc_case {
    size_t data_len;
    size_t pad;
    int corrupt; /* 0 none, 1 a padding byte, 2 a MAC byte, 3 pad too long */
} cbc_case;

/* data || HMAC || padding as tlcp_cbc_seal lays it out before encryption. */
static size_t build(const cbc_case *c, const uint8_t key[32], uint64_t seq, uint8_t *p)
{
    uint8_t header[13];
    uint8_t msg[13 + MAX_N];
    for (size_t i = 0; i < c->data_len; i++)
        p[i] = (uint8_t)(i * 13 + seq);
    tlcp_record_pseudo_header(header, seq, TLCP_CT_APPLICATION_DATA, c->data_len);
    memcpy(msg, header, 13);
    memcpy(msg + 13, p, c->data_len);
    assert_int_equal(tlcp_hmac_sm3(key, 32, msg, 13 + c->data_len, p + c->data_len, NULL), 1);
    size_t n = c->data_len + TLCP_CBC_MAC_LEN + c->pad + 1;
    memset(p + c->data_len + TLCP_CBC_MAC_LEN, (int)c->pad, c->pad + 1);
    if (c->corrupt == 1 && c->pad > 0)
        p[n - 2] ^= 1;
    if (c->corrupt == 2)
        p[c->data_len + 5] ^= 0x80;
    if (c->corrupt == 3)
        p[n - 1] = (uint8_t)(n - TLCP_CBC_MAC_LEN);
    return n;
}

static void test_secret_record_never_steers(void **state)
{
    (void)state;
    static const cbc_case cases[] = {
        {0, 15, 0},   {1, 14, 0},   {15, 0, 0},  {16, 15, 0},  {100, 11, 0},
        {40, 183, 0}, {64, 255, 0}, {16, 15, 1}, {100, 11, 1}, {0, 15, 2},
        {64, 255, 2}, {33, 14, 2},  {16, 15, 3}, {64, 255, 1},
    };
    uint8_t key[32], p[MAX_N];
    memset(key, 0x3C, sizeof(key));
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const cbc_case *c = &cases[i];
        size_t n = build(c, key, 7, p);
        assert_true(n >= 48 && n <= MAX_N);
        size_t data_len = 0, good = 0;
        tlcp_hmac_sm3_key hk;
        tlcp_hmac_sm3_key_init(&hk, key, sizeof(key));
        MAKE_SECRET(p, n);
        MAKE_SECRET(key, sizeof(key));
        MAKE_SECRET(&hk, sizeof(hk));
        int rc = tlcp_cbc_verify(&hk, 7, TLCP_CT_APPLICATION_DATA, p, n, &data_len, &good);
        MAKE_PUBLIC(&rc, sizeof(rc));
        MAKE_PUBLIC(&good, sizeof(good));
        MAKE_PUBLIC(&data_len, sizeof(data_len));
        MAKE_PUBLIC(p, n);
        MAKE_PUBLIC(key, sizeof(key));
        MAKE_PUBLIC(&hk, sizeof(hk));
        assert_int_equal(rc, 1);
        if (c->corrupt == 0) {
            assert_true(good == (size_t)-1);
            assert_int_equal(data_len, c->data_len);
        } else {
            assert_true(good == 0);
        }
    }
}

static void one_batch(const cbc_case *cases, size_t k)
{
    uint8_t key[32], rec[BATCH][MAX_N];
    const uint8_t *p[BATCH];
    size_t n[BATCH];
    uint64_t seq[BATCH];
    tlcp_cbc_opened res[BATCH];
    memset(key, 0x3C, sizeof(key));
    memset(res, 0, sizeof(res));
    for (size_t i = 0; i < k; i++) {
        seq[i] = 100 + i;
        n[i] = build(&cases[i], key, seq[i], rec[i]);
        assert_true(n[i] >= 48 && n[i] <= MAX_N);
        p[i] = rec[i];
    }
    tlcp_hmac_sm3_key hk;
    tlcp_hmac_sm3_key_init(&hk, key, sizeof(key));
    MAKE_SECRET(rec, sizeof(rec));
    MAKE_SECRET(key, sizeof(key));
    MAKE_SECRET(&hk, sizeof(hk));
    tlcp_cbc_verify_multi(&hk, seq, TLCP_CT_APPLICATION_DATA, p, n, k, res);
    MAKE_PUBLIC(res, sizeof(res));
    MAKE_PUBLIC(rec, sizeof(rec));
    MAKE_PUBLIC(key, sizeof(key));
    MAKE_PUBLIC(&hk, sizeof(hk));
    for (size_t i = 0; i < k; i++) {
        size_t data_len = 0, good = 0;
        int rc =
            tlcp_cbc_verify(&hk, seq[i], TLCP_CT_APPLICATION_DATA, p[i], n[i], &data_len, &good);
        assert_int_equal(rc, 1);
        assert_int_equal(res[i].mac_ok, 1);
        assert_true(res[i].good == good);
        if (cases[i].corrupt == 0) {
            assert_true(good == (size_t)-1);
            assert_int_equal(res[i].data_len, cases[i].data_len);
        } else {
            assert_true(good == 0);
        }
    }
}

static void test_secret_batch_never_steers(void **state)
{
    (void)state;
    static const cbc_case cases[] = {
        {0, 15, 0},  {1, 14, 0},  {100, 11, 1}, {40, 183, 0}, {64, 255, 2}, {300, 3, 0},
        {16, 15, 3}, {33, 14, 2}, {500, 11, 0}, {15, 0, 0},   {64, 255, 1}, {400, 111, 0},
    };
    static const int masks[] = {-1, 0};
    for (size_t m = 0; m < sizeof(masks) / sizeof(masks[0]); m++) {
        tlcp_sm3_force_features(masks[m]);
        one_batch(cases, BATCH);
        one_batch(cases + 3, BATCH);
        one_batch(cases + 9, 3);
    }
    tlcp_sm3_force_features(-1);
}

static int run_group(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_secret_record_never_steers),
        cmocka_unit_test(test_secret_batch_never_steers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

int main(int argc, char **argv)
{
    (void)argc;
    return tu_dataflow_main(argv[0], run_group, NULL);
}
