/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Data-flow check of the new SM3 paths (ctgrind method, tests/support/
 * dataflow.h): the HMAC key and the messages are marked undefined for
 * Valgrind's memcheck, which reports any branch or address that depends on
 * them, in tlcp_hmac_sm3_key_init, tlcp_hmac_sm3_keyed (scalar, BMI2 and
 * eight-block AVX2-schedule kernels) and tlcp_hmac_sm3_mb (scalar and AVX2 lanes; Valgrind has no
 * AVX-512, and hides it from CPUID, so that kernel cannot be checked this
 * way). Lengths are public. Exits 77 (skipped) without a usable valgrind.
 */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "crypto/crypto.h"
#include "crypto/sm3_core.h"

#include "dataflow.h"

/* SCHED8X, SCHED8I, ASM8X and ASM8I are there for CPUs and valgrind
 * versions that run AVX-512; where they do not, those masks select the AVX2
 * kernels again. ASM8 is the assembly rounds (sm3_rounds_x86.S) on the AVX2
 * schedule, which valgrind runs, and ASM1V the same rounds with the AVX2
 * schedule inside them (one block at a time). */
static const int masks[] = {0,
                            TLCP_SM3_FEAT_BMI2,
                            TLCP_SM3_FEAT_AVX2,
                            TLCP_SM3_FEAT_SCHED8,
                            TLCP_SM3_FEAT_SCHED8X,
                            TLCP_SM3_FEAT_ASM8,
                            TLCP_SM3_FEAT_ASM8X,
                            TLCP_SM3_FEAT_ASM8I,
                            TLCP_SM3_FEAT_ASM1V,
                            -1};

static void test_secret_key_and_data_never_steer(void **state)
{
    (void)state;
    static const size_t key_lens[] = {32, 100};
    uint8_t key[100], data[16][300];
    static uint8_t big[1100]; /* >= 8 blocks: the eight-block schedule kernel */
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (uint8_t)(i * 3 + 7);
    for (size_t i = 0; i < sizeof(key); i++)
        key[i] = (uint8_t)(i * 7 + 1);
    for (size_t l = 0; l < 16; l++)
        for (size_t i = 0; i < sizeof(data[l]); i++)
            data[l][i] = (uint8_t)(l * 31 + i);
    for (size_t m = 0; m < sizeof(masks) / sizeof(masks[0]); m++) {
        tlcp_sm3_force_features(masks[m]);
        /* The assembly kernel is the one checked wherever the CPU (as
         * valgrind shows it) has what it needs. */
        int asm8 = TLCP_SM3_FEAT_ASM8;
        if (masks[m] == asm8 && (tlcp_sm3_cpu_features() & asm8) == asm8)
            assert_string_equal(tlcp_sm3_kernel_for(sizeof(big) / 64)->name, "asm8");
        int asm1v = TLCP_SM3_FEAT_ASM1V;
        if (masks[m] == asm1v && (tlcp_sm3_cpu_features() & asm1v) == asm1v)
            assert_string_equal(tlcp_sm3_kernel_for(1)->name, "asm1v");
        fprintf(stderr, "mask %#x: kernel %s\n", (unsigned)masks[m],
                tlcp_sm3_kernel_for(sizeof(big) / 64)->name);
        for (size_t k = 0; k < sizeof(key_lens) / sizeof(key_lens[0]); k++) {
            uint8_t want[16][32], got[16][32], want_hdr[16][32], got_hdr[16][32];
            const uint8_t *in[16], *body[16];
            uint8_t *out[16], *out_hdr[16];
            size_t lens[16], body_len[16];
            for (size_t l = 0; l < 16; l++) {
                lens[l] = (l * 37 + k * 11) % 300;
                in[l] = data[l];
                out[l] = got[l];
                assert_int_equal(tlcp_hmac_sm3(key, key_lens[k], data[l], lens[l], want[l], NULL),
                                 1);
                /* the record MAC's shape: 13-byte header apart from the data */
                body[l] = data[l] + 13;
                body_len[l] = lens[l] > 13 ? lens[l] - 13 : 0;
                out_hdr[l] = got_hdr[l];
                assert_int_equal(
                    tlcp_hmac_sm3(key, key_lens[k], data[l], 13 + body_len[l], want_hdr[l], NULL),
                    1);
            }
            MAKE_SECRET(key, sizeof(key));
            MAKE_SECRET(data, sizeof(data));
            tlcp_hmac_sm3_key hk;
            tlcp_hmac_sm3_key_init(&hk, key, key_lens[k]);
            tlcp_hmac_sm3_mb(&hk, 16, in, lens, out);
            tlcp_hmac_sm3_mb(&hk, 3, in, lens, out); /* a group with filler lanes */
            tlcp_hmac_sm3_mb_hdr(&hk, 16, in, body, body_len, out_hdr);
            uint8_t one_hdr[32];
            tlcp_hmac_sm3_keyed_hdr(&hk, data[7], body[7], body_len[7], one_hdr);
            uint8_t one[32], big_mac[32], big_want[32], big_hash[32], big_hash_want[32];
            assert_int_equal(tlcp_sm3(big, sizeof(big), big_hash_want, NULL), 1);
            tlcp_hmac_sm3_keyed(&hk, data[5], lens[5], one);
            MAKE_SECRET(big, sizeof(big));
            tlcp_hmac_sm3_keyed(&hk, big, sizeof(big), big_mac);
            assert_int_equal(tlcp_sm3(big, sizeof(big), big_hash, NULL), 1); /* plain SM3 */
            MAKE_PUBLIC(big, sizeof(big));
            MAKE_PUBLIC(big_hash, sizeof(big_hash));
            assert_memory_equal(big_hash, big_hash_want, sizeof(big_hash));
            MAKE_PUBLIC(big_mac, sizeof(big_mac));
            MAKE_PUBLIC(got, sizeof(got));
            MAKE_PUBLIC(one, sizeof(one));
            MAKE_PUBLIC(got_hdr, sizeof(got_hdr));
            MAKE_PUBLIC(one_hdr, sizeof(one_hdr));
            MAKE_PUBLIC(key, sizeof(key));
            MAKE_PUBLIC(data, sizeof(data));
            MAKE_PUBLIC(&hk, sizeof(hk));
            assert_memory_equal(got, want, sizeof(got));
            assert_memory_equal(one, want[5], sizeof(one));
            assert_memory_equal(got_hdr, want_hdr, sizeof(got_hdr));
            assert_memory_equal(one_hdr, want_hdr[7], sizeof(one_hdr));
            assert_int_equal(tlcp_hmac_sm3(key, key_lens[k], big, sizeof(big), big_want, NULL), 1);
            assert_memory_equal(big_mac, big_want, sizeof(big_mac));
        }
    }
    tlcp_sm3_force_features(-1);
}

static int dataflow_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_secret_key_and_data_never_steer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

int main(int argc, char **argv)
{
    (void)argc;
    return tu_dataflow_main(argv[0], dataflow_tests, NULL);
}
