/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Data-flow check of the server's pre-master choice in the ECC key
 * exchange (tlcp_hs_select_pre_master): whether the SM2 decryption worked,
 * the decrypted length and bytes and the random fallback are marked
 * undefined for Valgrind's memcheck, which reports any branch or memory
 * address that depends on them. A branch there would tell a client whether
 * its ciphertext decrypted to a well-formed pre-master. Skipped (77)
 * without valgrind.
 */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "handshake/keys.h"

#include "dataflow.h"

typedef struct pm_case {
    size_t decrypted;
    size_t plain_len;
    uint8_t v0, v1; /* the first two bytes: the client's version */
    int take_plain;
} pm_case;

static void test_outcome_never_steers(void **state)
{
    (void)state;
    static const pm_case cases[] = {
        {1, 48, 0x01, 0x01, 1}, {0, 48, 0x01, 0x01, 0}, {1, 47, 0x01, 0x01, 0},
        {1, 0, 0x01, 0x01, 0},  {1, 48, 0x03, 0x01, 0}, {1, 48, 0x01, 0x03, 0},
        {2, 48, 0x01, 0x01, 0}, {0, 0, 0x00, 0x00, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const pm_case *c = &cases[i];
        uint8_t plain[TLCP_PRE_MASTER_LEN], fallback[TLCP_PRE_MASTER_LEN], out[TLCP_PRE_MASTER_LEN];
        for (size_t j = 0; j < sizeof(plain); j++) {
            plain[j] = (uint8_t)(j * 3 + 1);
            fallback[j] = (uint8_t)(0xF0 ^ j);
        }
        plain[0] = c->v0;
        plain[1] = c->v1;
        size_t decrypted = c->decrypted, plain_len = c->plain_len;
        MAKE_SECRET(&decrypted, sizeof(decrypted));
        MAKE_SECRET(&plain_len, sizeof(plain_len));
        MAKE_SECRET(plain, sizeof(plain));
        MAKE_SECRET(fallback, sizeof(fallback));
        tlcp_hs_select_pre_master(out, decrypted, plain, plain_len, fallback);
        MAKE_PUBLIC(out, sizeof(out));
        MAKE_PUBLIC(plain, sizeof(plain));
        MAKE_PUBLIC(fallback, sizeof(fallback));
        assert_memory_equal(out, c->take_plain ? plain : fallback, sizeof(out));
    }
}

static int run_group(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_outcome_never_steers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

int main(int argc, char **argv)
{
    (void)argc;
    return tu_dataflow_main(argv[0], run_group, NULL);
}
