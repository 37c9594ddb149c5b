/* SPDX-License-Identifier: Apache-2.0 */
/* Subject names for CertificateRequest, walked out of DER certificates. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "handshake/ca_names.h"
#include "x509/x509.h"

static uint8_t *fixture_der(const char *rel, size_t *len)
{
    tlcp_cert *cert = tlcp_cert_load_file(tu_data_path(rel), NULL);
    assert_non_null(cert);
    const uint8_t *der;
    tlcp_cert_der(cert, &der, len);
    uint8_t *copy = malloc(*len);
    assert_non_null(copy);
    memcpy(copy, der, *len);
    tlcp_cert_free(cert);
    return copy;
}

static int contains(tlcp_cursor c, const char *text)
{
    size_t n = strlen(text);
    for (size_t i = 0; i + n <= tlcp_cursor_len(&c); i++)
        if (memcmp(tlcp_cursor_data(&c) + i, text, n) == 0)
            return 1;
    return 0;
}

static void test_subject_of_ca_and_leaf(void **state)
{
    (void)state;
    size_t len;
    uint8_t *der = fixture_der("interop/gmssl3-ecc-sm4-cbc-sm3/ca.pem", &len);
    tlcp_cursor name;
    assert_true(tlcp_cert_subject_name(der, len, &name));
    assert_int_equal(tlcp_cursor_data(&name)[0], 0x30);
    assert_true(contains(name, "TLCP Test Root CA"));
    free(der);

    /* A leaf: the subject, not the issuer, is returned. */
    der = fixture_der("interop/gmssl3-ecc-sm4-cbc-sm3/server-sign.pem", &len);
    assert_true(tlcp_cert_subject_name(der, len, &name));
    assert_true(contains(name, "localhost"));
    assert_false(contains(name, "Sub CA"));
    free(der);
}

static void test_malformed(void **state)
{
    (void)state;
    size_t len;
    uint8_t *der = fixture_der("interop/gmssl3-ecc-sm4-cbc-sm3/ca.pem", &len);
    tlcp_cursor name;
    /* Every truncation fails cleanly (no read past the end). */
    for (size_t cut = 0; cut < 200; cut++)
        assert_false(tlcp_cert_subject_name(der, cut, &name));
    /* Wrong outer tag. */
    der[0] = 0x31;
    assert_false(tlcp_cert_subject_name(der, len, &name));
    free(der);
    static const uint8_t garbage[] = {0x30, 0x84, 0xff, 0xff, 0xff, 0xff};
    assert_false(tlcp_cert_subject_name(garbage, sizeof(garbage), &name));
    static const uint8_t empty_tbs[] = {0x30, 0x02, 0x30, 0x00};
    assert_false(tlcp_cert_subject_name(empty_tbs, sizeof(empty_tbs), &name));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_subject_of_ca_and_leaf),
        cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
