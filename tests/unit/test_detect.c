/* SPDX-License-Identifier: Apache-2.0 */
/* tlcp_detect_protocol: every verdict, every truncation, malformed lengths. */
#include "testutil.h"

#include <string.h>

#include "tls_hello.h"
#include "tlcp/tlcp.h"

static const uint16_t suites_360[] = {0xE013, 0xE053, 0xC02F, 0x00FF};
static const uint16_t suites_tls[] = {0x1301, 0xC02F, 0xE013, 0x00FF};

static size_t hello(uint8_t *buf, uint16_t rec, uint16_t ver, const uint16_t *s, size_t n)
{
    size_t len = tu_tls_client_hello(buf, 1024, rec, ver, s, n);
    assert_true(len > 100);
    return len;
}

/* Every prefix up to the cipher suites says NEED_MORE, the rest `want`. */
static void expect_prefixes(const uint8_t *buf, size_t len, size_t decisive, int want)
{
    for (size_t i = 0; i < len; i++) {
        int got = tlcp_detect_protocol(buf, i);
        if (i < decisive && got != TLCP_DETECT_NEED_MORE)
            fail_msg("prefix %zu: verdict %d before byte %zu", i, got, decisive);
        if (i >= decisive && got != want)
            fail_msg("prefix %zu: verdict %d, want %d", i, got, want);
    }
    assert_int_equal(tlcp_detect_protocol(buf, len), want);
}

static void test_tlcp(void **state)
{
    (void)state;
    static const uint8_t rec[] = {22, 0x01, 0x01, 0x00, 0x40, 1};
    expect_prefixes(rec, sizeof(rec), 3, TLCP_DETECT_TLCP);
    assert_int_equal(tlcp_detect_protocol(NULL, 5), TLCP_DETECT_NEED_MORE);
}

static void test_tls_and_360(void **state)
{
    (void)state;
    uint8_t buf[1024];
    /* 5 header + 4 + 2 + 32 + 1 + 32 (session ID) + 2 (suites length) + first suite */
    size_t decisive = 5 + 4 + 2 + 32 + 1 + 32 + 2 + 2;
    static const uint16_t versions[][2] = {{0x0301, 0x0303}, {0x0303, 0x0303}, {0x0301, 0x0301}};
    for (size_t v = 0; v < 3; v++) {
        size_t len = hello(buf, versions[v][0], versions[v][1], suites_360, 4);
        expect_prefixes(buf, len, decisive, TLCP_DETECT_TLS_OFFERS_TLCP);
        len = hello(buf, versions[v][0], versions[v][1], suites_tls, 4);
        expect_prefixes(buf, len, decisive, TLCP_DETECT_TLS);
    }
    /* Only TLCP suites, behind GREASE and the SCSV. */
    static const uint16_t greased[] = {0x0A0A, 0x00FF, 0xE053};
    size_t len = hello(buf, 0x0301, 0x0303, greased, 3);
    expect_prefixes(buf, len, decisive + 4, TLCP_DETECT_TLS_OFFERS_TLCP);
    /* Only signalling values: TLS (libssl refuses it). */
    static const uint16_t none[] = {0x00FF};
    len = hello(buf, 0x0301, 0x0303, none, 1);
    assert_int_equal(tlcp_detect_protocol(buf, len), TLCP_DETECT_TLS);
    /* A TLCP suite that is not first: TLS. */
    static const uint16_t later[] = {0xC02F, 0xE013};
    len = hello(buf, 0x0303, 0x0303, later, 2);
    assert_int_equal(tlcp_detect_protocol(buf, len), TLCP_DETECT_TLS);
}

static void test_not_handshake(void **state)
{
    (void)state;
    static const char *const junk[] = {
        "GET / HTTP/1.1\r\n",   "PRI * HTTP/2.0",      "SSH-2.0-x",
        "\x17\x03\x03\x00\x10", "\x16\x02\x00",        "\x16\x01\x02\x00",
        "\x16\x03\x05\x00\x10", "\x80\x2e\x01\x03\x01"};
    for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
        int got = tlcp_detect_protocol((const uint8_t *)junk[i], strlen(junk[i]));
        if (got != TLCP_DETECT_NOT_HANDSHAKE)
            fail_msg("junk %zu: verdict %d", i, got);
    }
    /* A zero-length or oversized record. */
    static const uint8_t empty[] = {22, 3, 3, 0, 0, 1};
    static const uint8_t big[] = {22, 3, 3, 0x40, 0x01, 1};
    assert_int_equal(tlcp_detect_protocol(empty, sizeof(empty)), TLCP_DETECT_NOT_HANDSHAKE);
    assert_int_equal(tlcp_detect_protocol(big, sizeof(big)), TLCP_DETECT_NOT_HANDSHAKE);
    /* A TLS handshake record that is not a ClientHello. */
    uint8_t buf[1024];
    size_t len = hello(buf, 0x0303, 0x0303, suites_360, 4);
    buf[5] = 2;
    assert_int_equal(tlcp_detect_protocol(buf, len), TLCP_DETECT_NOT_HANDSHAKE);
}

static void test_malformed_tls(void **state)
{
    (void)state;
    uint8_t buf[1024];
    size_t len = hello(buf, 0x0301, 0x0303, suites_360, 4);
    size_t sid_at = 5 + 4 + 2 + 32, suites_at = sid_at + 1 + 32;
    /* Session ID longer than 32. */
    uint8_t copy[1024];
    memcpy(copy, buf, len);
    copy[sid_at] = 33;
    assert_int_equal(tlcp_detect_protocol(copy, len), TLCP_DETECT_TLS);
    /* An odd or empty suites length. */
    memcpy(copy, buf, len);
    copy[suites_at + 1] = 7;
    assert_int_equal(tlcp_detect_protocol(copy, len), TLCP_DETECT_TLS);
    memcpy(copy, buf, len);
    copy[suites_at + 1] = 0;
    assert_int_equal(tlcp_detect_protocol(copy, len), TLCP_DETECT_TLS);
    /* A record that ends inside the hello: the verdict comes from the
     * record, not from bytes after it (never NEED_MORE forever). */
    memcpy(copy, buf, len);
    copy[3] = 0;
    copy[4] = 20;
    assert_int_equal(tlcp_detect_protocol(copy, 25), TLCP_DETECT_TLS);
    assert_int_equal(tlcp_detect_protocol(copy, len), TLCP_DETECT_TLS);
    /* Suites that run past the record. */
    memcpy(copy, buf, len);
    copy[3] = 0;
    copy[4] = (uint8_t)(suites_at + 2 + 1 - 5);
    assert_int_equal(tlcp_detect_protocol(copy, len), TLCP_DETECT_TLS);
    /* A hello version that is not 3.x. */
    memcpy(copy, buf, len);
    copy[9] = 0x01;
    assert_int_equal(tlcp_detect_protocol(copy, len), TLCP_DETECT_TLS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tlcp),
        cmocka_unit_test(test_tls_and_360),
        cmocka_unit_test(test_not_handshake),
        cmocka_unit_test(test_malformed_tls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
