/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Data-flow check of tlcp_hmac_sm3_ct (the "ctgrind" method): data_len, the
 * data and the key are marked undefined for Valgrind's memcheck, which then
 * reports any branch or memory address that depends on them. The test
 * re-runs itself under valgrind when it is installed; without valgrind, when
 * valgrind cannot run the binary, or in sanitizer builds (which cannot run
 * under valgrind), it runs the same calls as a plain correctness check and
 * exits 77, which CTest reports as skipped (tu_dataflow_main).
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crypto/crypto.h"

#include "dataflow.h"

static void test_secret_length_never_steers(void **state)
{
    (void)state;
    static const size_t max_lens[] = {0, 50, 64 + 51, 300};
    uint8_t key[32], header[13], data[300], want[32], got[32];
    uint8_t msg[13 + 300];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(i * 29 + 3);
    memset(key, 0x42, sizeof(key));
    memset(header, 0x17, sizeof(header));
    for (size_t m = 0; m < sizeof(max_lens) / sizeof(max_lens[0]); m++) {
        size_t max_len = max_lens[m];
        for (size_t d = 0; d <= max_len; d += 1 + max_len / 9) {
            memcpy(msg, header, 13);
            memcpy(msg + 13, data, d);
            assert_int_equal(tlcp_hmac_sm3(key, sizeof(key), msg, 13 + d, want, NULL), 1);

            /* The plaintext and the MAC key are secret as well. */
            size_t secret_len = d;
            MAKE_SECRET(&secret_len, sizeof(secret_len));
            MAKE_SECRET(data, sizeof(data));
            MAKE_SECRET(key, sizeof(key));
            int rc = tlcp_hmac_sm3_ct(key, sizeof(key), header, data, secret_len, max_len, got);
            MAKE_PUBLIC(&rc, sizeof(rc));
            MAKE_PUBLIC(got, sizeof(got));
            MAKE_PUBLIC(data, sizeof(data));
            MAKE_PUBLIC(key, sizeof(key));
            assert_int_equal(rc, 1);
            assert_memory_equal(want, got, sizeof(got));
        }
    }
    /* The keyed form with a public lower bound (as CBC opening uses it: the
     * blocks before min_len are hashed without masks). */
    static uint8_t big[1100], bigmsg[13 + 1100];
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (uint8_t)(i * 13 + 5);
    tlcp_hmac_sm3_key k;
    for (size_t d = 1100 - 255; d <= 1100; d += 37) {
        memcpy(bigmsg, header, 13);
        memcpy(bigmsg + 13, big, d);
        assert_int_equal(tlcp_hmac_sm3(key, sizeof(key), bigmsg, 13 + d, want, NULL), 1);
        size_t secret_len = d;
        MAKE_SECRET(&secret_len, sizeof(secret_len));
        MAKE_SECRET(big, sizeof(big));
        MAKE_SECRET(key, sizeof(key));
        tlcp_hmac_sm3_key_init(&k, key, sizeof(key));
        int rc = tlcp_hmac_sm3_ct_keyed(&k, header, big, secret_len, 1100 - 255, 1100, got);
        MAKE_PUBLIC(&rc, sizeof(rc));
        MAKE_PUBLIC(got, sizeof(got));
        MAKE_PUBLIC(big, sizeof(big));
        MAKE_PUBLIC(key, sizeof(key));
        MAKE_PUBLIC(&k, sizeof(k));
        assert_int_equal(rc, 1);
        assert_memory_equal(want, got, sizeof(got));
    }
    /* The contract check (data_len > max_len) must not branch on it either. */
    size_t secret_len = 301;
    MAKE_SECRET(&secret_len, sizeof(secret_len));
    int rc = tlcp_hmac_sm3_ct(key, sizeof(key), header, data, secret_len, 300, got);
    MAKE_PUBLIC(&rc, sizeof(rc));
    assert_int_equal(rc, 0);
}

static int dataflow_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_secret_length_never_steers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

int main(int argc, char **argv)
{
    (void)argc;
    return tu_dataflow_main(argv[0], dataflow_tests, NULL);
}
