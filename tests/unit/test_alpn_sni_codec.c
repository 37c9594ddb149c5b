/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ALPN and server_name extension codecs (msg_alpn.c, msg_sni.c), the
 * name matcher of the certificate pairs (cert_select.c), and the client's
 * check of an ALPN answer it never asked for, without a connection.
 */
#include "testutil.h"

#include <string.h>

#include "handshake/cert_select.h"
#include "handshake/hello_ext.h"
#include "handshake/msg_ext.h"

static tlcp_cursor cur(const uint8_t *p, size_t n)
{
    tlcp_cursor c;
    tlcp_cursor_init(&c, p, n);
    return c;
}

#define CUR(lit) cur((const uint8_t *)(lit), sizeof(lit) - 1)

static void expect_decode_error(int ok, const tlcp_error *err)
{
    assert_false(ok);
    assert_int_equal(err->reason, TLCP_R_DECODE);
    assert_int_equal(err->alert, TLCP_ALERT_DECODE_ERROR);
}

static void test_alpn_parse(void **state)
{
    (void)state;
    tlcp_error err;
    tlcp_alpn_list l;
    tlcp_error_clear(&err);
    assert_true(tlcp_parse_alpn(CUR("\x00\x0c\x02h2\x08http/1.1"), &l, &err));
    assert_int_equal(l.count, 2);
    assert_true(tlcp_alpn_contains(l.names, (const uint8_t *)"h2", 2));
    assert_true(tlcp_alpn_contains(l.names, (const uint8_t *)"http/1.1", 8));
    assert_false(tlcp_alpn_contains(l.names, (const uint8_t *)"h", 1));
    assert_false(tlcp_alpn_contains(l.names, (const uint8_t *)"http/1.10", 9));
    /* A 255-byte name is the longest a length byte allows. */
    uint8_t big[2 + 1 + 255];
    big[0] = 0x01;
    big[1] = 0x00;
    big[2] = 0xFF;
    memset(big + 3, 'x', 255);
    assert_true(tlcp_parse_alpn(cur(big, sizeof(big)), &l, &err));
    assert_int_equal(l.count, 1);
}

static void test_alpn_parse_negative(void **state)
{
    (void)state;
    static const struct {
        const char *what;
        const char *data;
        size_t len;
    } bad[] = {
        {"no data", "", 0},
        {"one byte", "\x00", 1},
        {"empty list", "\x00\x00", 2},
        {"zero-length name", "\x00\x01\x00", 3},
        {"zero-length name after a good one", "\x00\x04\x02h2\x00", 5},
        {"name overruns the list", "\x00\x03\x05h2", 5},
        {"list overruns the extension", "\x00\x09\x02h2", 5},
        {"trailing bytes", "\x00\x03\x02h2\x00", 6},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        tlcp_error err;
        tlcp_alpn_list l;
        tlcp_error_clear(&err);
        int ok = tlcp_parse_alpn(cur((const uint8_t *)bad[i].data, bad[i].len), &l, &err);
        if (ok)
            fail_msg("%s accepted", bad[i].what);
        expect_decode_error(ok, &err);
    }
    /* A server answers with exactly one name. */
    tlcp_error err;
    tlcp_cursor one;
    tlcp_error_clear(&err);
    expect_decode_error(tlcp_parse_alpn_selected(CUR("\x00\x06\x02h2\x02h3"), &one, &err), &err);
    tlcp_error_clear(&err);
    expect_decode_error(tlcp_parse_alpn_selected(CUR("\x00\x00"), &one, &err), &err);
    tlcp_error_clear(&err);
    assert_true(tlcp_parse_alpn_selected(CUR("\x00\x03\x02h2"), &one, &err));
    assert_int_equal(tlcp_cursor_len(&one), 2);
}

static void test_alpn_build(void **state)
{
    (void)state;
    uint8_t mem[16];
    tlcp_builder b;
    tlcp_builder_init_fixed(&b, mem, sizeof(mem));
    assert_true(tlcp_build_alpn(&b, (const uint8_t *)"\x02h2", 3));
    tu_assert_hex(tlcp_builder_data(&b), tlcp_builder_len(&b),
                  "000302"
                  "6832");
    /* Too small a buffer fails and poisons the builder. */
    tlcp_builder_init_fixed(&b, mem, 4);
    assert_false(tlcp_build_alpn(&b, (const uint8_t *)"\x08http/1.1", 9));
}

static void test_server_name_parse(void **state)
{
    (void)state;
    tlcp_error err;
    tlcp_cursor host;
    tlcp_error_clear(&err);
    assert_true(tlcp_parse_server_name(CUR("\x00\x0c\x00\x00\x09localhost"), &host, &err));
    assert_int_equal(tlcp_cursor_len(&host), 9);
    assert_memory_equal(tlcp_cursor_data(&host), "localhost", 9);
    /* Unknown type skipped, then a host name; a second host name ignored. */
    assert_true(tlcp_parse_server_name(CUR("\x00\x0c\x07\x00\x01z\x00\x00\x01"
                                           "a\x00\x00\x01"
                                           "b"),
                                       &host, &err));
    assert_int_equal(tlcp_cursor_len(&host), 1);
    assert_memory_equal(tlcp_cursor_data(&host), "a", 1);
    /* Unusable names leave no host: empty, a control byte, a space. */
    assert_true(tlcp_parse_server_name(CUR("\x00\x03\x00\x00\x00"), &host, &err));
    assert_int_equal(tlcp_cursor_len(&host), 0);
    assert_true(tlcp_parse_server_name(CUR("\x00\x05\x00\x00\x02\x1b["), &host, &err));
    assert_int_equal(tlcp_cursor_len(&host), 0);
    assert_true(tlcp_parse_server_name(CUR("\x00\x05\x00\x00\x02"
                                           "a "),
                                       &host, &err));
    assert_int_equal(tlcp_cursor_len(&host), 0);
    /* An empty list is allowed (a server echoes one). */
    assert_true(tlcp_parse_server_name(CUR("\x00\x00"), &host, &err));
    /* Over 255 bytes: skipped. */
    uint8_t big[2 + 3 + 256];
    big[0] = 0x01;
    big[1] = 0x03;
    big[2] = 0;
    big[3] = 0x01;
    big[4] = 0x00;
    memset(big + 5, 'a', 256);
    assert_true(tlcp_parse_server_name(cur(big, sizeof(big)), &host, &err));
    assert_int_equal(tlcp_cursor_len(&host), 0);
}

static void test_server_name_parse_negative(void **state)
{
    (void)state;
    static const struct {
        const char *what;
        const char *data;
        size_t len;
    } bad[] = {
        {"no data", "", 0},
        {"list overruns", "\x00\x05\x00\x00\x01", 5},
        {"name overruns",
         "\x00\x04\x00\x00\x05"
         "a",
         6},
        {"type without a name", "\x00\x01\x00", 3},
        {"trailing bytes",
         "\x00\x04\x00\x00\x01"
         "a!",
         7},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        tlcp_error err;
        tlcp_cursor host;
        tlcp_error_clear(&err);
        int ok = tlcp_parse_server_name(cur((const uint8_t *)bad[i].data, bad[i].len), &host, &err);
        if (ok)
            fail_msg("%s accepted", bad[i].what);
        expect_decode_error(ok, &err);
    }
}

static void test_server_name_build(void **state)
{
    (void)state;
    uint8_t mem[32];
    tlcp_builder b;
    tlcp_builder_init_fixed(&b, mem, sizeof(mem));
    assert_true(tlcp_build_server_name(&b, "a.b"));
    tu_assert_hex(tlcp_builder_data(&b), tlcp_builder_len(&b),
                  "0006"
                  "00"
                  "0003"
                  "612e62");
}

static void test_cert_patterns(void **state)
{
    (void)state;
    const char *good[] = {"a", "www.example.com", "*.example.com", "*.a", "x-1.example", NULL};
    const char *bad[] = {"", "*", "*.", "**.a", "a.*.b", "a*", "a..b", ".a", "a.", "a b", NULL};
    for (int i = 0; good[i] != NULL; i++)
        if (!tlcp_cert_pattern_valid(good[i]))
            fail_msg("'%s' refused", good[i]);
    for (int i = 0; bad[i] != NULL; i++)
        if (tlcp_cert_pattern_valid(bad[i]))
            fail_msg("'%s' accepted", bad[i]);
    assert_false(tlcp_cert_pattern_valid(NULL));
}

static void test_cert_select(void **state)
{
    (void)state;
    tlcp_named_pair pairs[3] = {{0}};
    pairs[0].pattern = "*.example.com";
    pairs[1].pattern = "www.example.com";
    pairs[2].pattern = "api.example.org";
    assert_ptr_equal(tlcp_cert_select(pairs, 3, "www.example.com"), &pairs[1]); /* exact wins */
    assert_ptr_equal(tlcp_cert_select(pairs, 3, "WWW.EXAMPLE.COM"), &pairs[1]);
    assert_ptr_equal(tlcp_cert_select(pairs, 3, "mail.example.com"), &pairs[0]);
    assert_ptr_equal(tlcp_cert_select(pairs, 3, "Mail.Example.Com"), &pairs[0]);
    assert_ptr_equal(tlcp_cert_select(pairs, 3, "api.example.org"), &pairs[2]);
    assert_null(tlcp_cert_select(pairs, 3, "example.com"));
    assert_null(tlcp_cert_select(pairs, 3, "a.b.example.com"));
    assert_null(tlcp_cert_select(pairs, 3, ".example.com"));
    assert_null(tlcp_cert_select(pairs, 3, "www.example.com."));
    assert_null(tlcp_cert_select(pairs, 3, "xexample.com"));
    assert_null(tlcp_cert_select(pairs, 3, NULL));
    assert_null(tlcp_cert_select(pairs, 0, "www.example.com"));
}

/* The client never offered ALPN, the ServerHello answers it anyway:
 * unsupported_extension (RFC 5246 §7.4.1.4). */
static void test_unsolicited_alpn_answer(void **state)
{
    (void)state;
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_hs_ctx ctx;
    memset(&ctx, 0, sizeof(ctx));
    assert_true(tlcp_hs_ctx_init(&ctx, 0, &err));
    tlcp_server_hello m;
    memset(&m, 0, sizeof(m));
    m.has_extensions = 1;
    m.num_extensions = 1;
    m.extensions[0].type = TLCP_EXT_ALPN;
    m.extensions[0].data = CUR("\x00\x03\x02h2");
    assert_false(tlcp_is_ok(tlcp_hs_alpn_check_answer(&ctx, &m)));
    assert_int_equal(err.reason, TLCP_R_ALPN_NOT_OFFERED);
    assert_int_equal(err.alert, TLCP_ALERT_UNSUPPORTED_EXTENSION);
    /* Offered: accepted and kept. */
    tlcp_error_clear(&err);
    static const uint8_t ours[] = "\x00\x03\x02h2";
    ctx.cfg.alpn_ext = ours;
    ctx.cfg.alpn_ext_len = sizeof(ours) - 1;
    assert_true(tlcp_is_ok(tlcp_hs_alpn_check_answer(&ctx, &m)));
    assert_int_equal(ctx.alpn_len, 2);
    /* Two names in an answer: decode_error. */
    m.extensions[0].data = CUR("\x00\x06\x02h2\x02h2");
    assert_false(tlcp_is_ok(tlcp_hs_alpn_check_answer(&ctx, &m)));
    assert_int_equal(err.alert, TLCP_ALERT_DECODE_ERROR);
    assert_int_equal(ctx.alpn_len, 0);
    tlcp_hs_ctx_cleanup(&ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alpn_parse),
        cmocka_unit_test(test_alpn_parse_negative),
        cmocka_unit_test(test_alpn_build),
        cmocka_unit_test(test_server_name_parse),
        cmocka_unit_test(test_server_name_parse_negative),
        cmocka_unit_test(test_server_name_build),
        cmocka_unit_test(test_cert_patterns),
        cmocka_unit_test(test_cert_select),
        cmocka_unit_test(test_unsolicited_alpn_answer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
