/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The suite table: every implemented suite's facts, the default order, the
 * protection lengths, and that every user of suite facts agrees with it.
 */
#include "testutil.h"

#include <string.h>

#include "record/record.h"
#include "suite/suite.h"
#include "tlcp/tlcp.h"

static void test_implemented_suites(void **state)
{
    (void)state;
    static const struct {
        uint16_t code;
        const char *name, *ossl;
        int kx, bulk;
    } want[] = {
        {TLCP_ECC_SM4_CBC_SM3, "ECC_SM4_CBC_SM3", "ECC-SM2-SM4-CBC-SM3", TLCP_KX_ECC,
         TLCP_BULK_SM4_CBC_SM3},
        {TLCP_ECC_SM4_GCM_SM3, "ECC_SM4_GCM_SM3", "ECC-SM2-SM4-GCM-SM3", TLCP_KX_ECC,
         TLCP_BULK_SM4_GCM},
        {TLCP_ECDHE_SM4_CBC_SM3, "ECDHE_SM4_CBC_SM3", "ECDHE-SM2-SM4-CBC-SM3", TLCP_KX_ECDHE,
         TLCP_BULK_SM4_CBC_SM3},
        {TLCP_ECDHE_SM4_GCM_SM3, "ECDHE_SM4_GCM_SM3", "ECDHE-SM2-SM4-GCM-SM3", TLCP_KX_ECDHE,
         TLCP_BULK_SM4_GCM},
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        const tlcp_suite *s = tlcp_suite_find(want[i].code);
        assert_non_null(s);
        assert_string_equal(s->name, want[i].name);
        assert_string_equal(s->ossl_name, want[i].ossl);
        assert_int_equal(s->kx, want[i].kx);
        assert_int_equal(s->bulk, want[i].bulk);
        assert_true(tlcp_suite_implemented(want[i].code));
        assert_int_equal(tlcp_suite_is_ecdhe(want[i].code), want[i].kx == TLCP_KX_ECDHE);
    }
}

static void test_known_but_not_implemented(void **state)
{
    (void)state;
    /* Named for traces, never negotiated. */
    const uint16_t named[] = {0x00FF, 0xE001, 0xE003, 0xE019, 0xE059, 0xE05A};
    for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
        assert_non_null(tlcp_suite_find(named[i]));
        assert_false(tlcp_suite_implemented(named[i]));
        assert_int_equal(tlcp_suite_bulk(named[i]), TLCP_BULK_NULL);
    }
    assert_true(tlcp_suite_is_ecdhe(0xE001)); /* ECDHE_SM1_SM3: its SKE has params */
    assert_null(tlcp_suite_find(0x1234));
    assert_false(tlcp_suite_implemented(0x1234));
    assert_false(tlcp_suite_is_ecdhe(0x1234));
}

static void test_defaults_in_order(void **state)
{
    (void)state;
    uint16_t d[8];
    assert_int_equal(tlcp_suite_defaults(d, 8), 2);
    assert_int_equal(d[0], TLCP_ECC_SM4_GCM_SM3);
    assert_int_equal(d[1], TLCP_ECC_SM4_CBC_SM3);
    assert_int_equal(tlcp_suite_defaults(d, 1), 1);
    assert_int_equal(d[0], TLCP_ECC_SM4_GCM_SM3);
    /* The config starts from the same list. */
    tlcp_config *cfg = tlcp_config_new();
    assert_non_null(cfg);
    const uint16_t bad[] = {0xE019};
    assert_int_equal(tlcp_config_set_cipher_suites(cfg, bad, 1), TLCP_ERROR);
    tlcp_config_free(cfg);
}

static void test_protection_lengths(void **state)
{
    (void)state;
    assert_int_equal(tlcp_protection_key_block_len(TLCP_BULK_SM4_CBC_SM3), 128);
    assert_int_equal(tlcp_protection_key_block_len(TLCP_BULK_SM4_GCM), 40);
    assert_int_equal(tlcp_protection_key_block_len(TLCP_BULK_NULL), 0);
    assert_null(tlcp_protection_find(TLCP_BULK_NULL));
    /* The record layer's layout is the table's. */
    assert_int_equal(tlcp_key_block_len(TLCP_BULK_SM4_GCM),
                     tlcp_protection_key_block_len(TLCP_BULK_SM4_GCM));
    const tlcp_protection *gcm = tlcp_protection_find(TLCP_BULK_SM4_GCM);
    assert_int_equal(gcm->mac_key_len, 0);
    assert_int_equal(gcm->iv_len, 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_implemented_suites),
        cmocka_unit_test(test_known_but_not_implemented),
        cmocka_unit_test(test_defaults_in_order),
        cmocka_unit_test(test_protection_lengths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
