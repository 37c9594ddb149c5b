/* SPDX-License-Identifier: Apache-2.0 */
/* Error slot, guard macros, reason and alert strings. */
#include <stdio.h>
#include <string.h>

#include "testutil.h"
#include "util/error.h"
#include "util/safety.h"

static void test_clear(void **state)
{
    (void)state;
    tlcp_error err;
    memset(&err, 0x7F, sizeof(err));
    tlcp_error_clear(&err);
    assert_int_equal(err.reason, TLCP_R_NONE);
    assert_int_equal(err.alert, TLCP_NO_ALERT);
    assert_null(err.file);
    assert_int_equal(err.message[0], '\0');
    assert_false(tlcp_error_is_set(&err));
    assert_string_equal(tlcp_error_message(&err), "no error");
    tlcp_error_clear(NULL);
}

static void test_set_records_everything(void **state)
{
    (void)state;
    tlcp_error err;
    tlcp_error_clear(&err);
    int line = __LINE__ + 1;
    TLCP_ERR_ALERT(&err, TLCP_R_DECODE, TLCP_ALERT_DECODE_ERROR, "%s is %d bytes, need %u",
                   "ServerHello", 3, 38u);
    assert_true(tlcp_error_is_set(&err));
    assert_int_equal(err.reason, TLCP_R_DECODE);
    assert_int_equal(err.alert, TLCP_ALERT_DECODE_ERROR);
    assert_int_equal(err.line, line);
    assert_non_null(strstr(err.file, "test_error.c"));
    assert_string_equal(err.message, "ServerHello is 3 bytes, need 38");
    assert_string_equal(tlcp_error_message(&err), "ServerHello is 3 bytes, need 38");

    tlcp_error_clear(&err);
    TLCP_ERR(&err, TLCP_R_BAD_KEY, "point not on curve");
    assert_int_equal(err.alert, TLCP_NO_ALERT);
    assert_int_equal(err.reason, TLCP_R_BAD_KEY);
}

static void test_first_error_wins(void **state)
{
    (void)state;
    tlcp_error err;
    tlcp_error_clear(&err);
    TLCP_ERR_ALERT(&err, TLCP_R_BAD_RECORD_MAC, TLCP_ALERT_BAD_RECORD_MAC, "root cause");
    int line = err.line;
    TLCP_ERR_ALERT(&err, TLCP_R_INTERNAL, TLCP_ALERT_INTERNAL_ERROR, "while unwinding");
    TLCP_ERR(&err, TLCP_R_ALLOC, "later");
    assert_int_equal(err.reason, TLCP_R_BAD_RECORD_MAC);
    assert_int_equal(err.alert, TLCP_ALERT_BAD_RECORD_MAC);
    assert_int_equal(err.line, line);
    assert_string_equal(err.message, "root cause");
    /* Cleared, it takes a new error again. */
    tlcp_error_clear(&err);
    TLCP_ERR(&err, TLCP_R_ALLOC, "second life");
    assert_int_equal(err.reason, TLCP_R_ALLOC);
    assert_string_equal(err.message, "second life");
}

static void test_null_slot(void **state)
{
    (void)state;
    TLCP_ERR(NULL, TLCP_R_INTERNAL, "nobody listens: %d", 1);
    TLCP_ERR_ALERT(NULL, TLCP_R_INTERNAL, TLCP_ALERT_INTERNAL_ERROR, "nor here");
    assert_false(tlcp_error_is_set(NULL));
    assert_string_equal(tlcp_error_message(NULL), "no error");
    char buf[32];
    assert_string_equal(tlcp_error_format(NULL, buf, sizeof(buf)), "no error");
}

static void test_long_message_truncated(void **state)
{
    (void)state;
    char longer[TLCP_ERROR_MESSAGE_MAX * 2];
    memset(longer, 'x', sizeof(longer) - 1);
    longer[sizeof(longer) - 1] = '\0';
    tlcp_error err;
    tlcp_error_clear(&err);
    TLCP_ERR(&err, TLCP_R_DECODE, "%s", longer);
    /* one endless word: cut, but still marked as shortened */
    assert_true(strlen(err.message) < TLCP_ERROR_MESSAGE_MAX);
    assert_int_equal(err.message[0], 'x');
    assert_string_equal(err.message + strlen(err.message) - 4, " ...");
}

/* A long sentence ends at a word boundary, never inside a word. */
static void test_long_message_cut_between_words(void **state)
{
    (void)state;
    char words[TLCP_ERROR_MESSAGE_MAX * 2] = "";
    size_t n = 0;
    for (int i = 0; n + 20 < sizeof(words); i++)
        n += (size_t)snprintf(words + n, sizeof(words) - n, "word%d ", i);
    tlcp_error err;
    tlcp_error_clear(&err);
    TLCP_ERR(&err, TLCP_R_CERT, "certificate verification failed: %s", words);
    size_t len = strlen(err.message);
    assert_true(len < TLCP_ERROR_MESSAGE_MAX && len > TLCP_ERROR_MESSAGE_MAX - 20);
    assert_string_equal(err.message + len - 4, " ...");
    /* what precedes " ..." is a whole word of the original */
    const char *last = strrchr(err.message, 'w');
    char word[32];
    snprintf(word, sizeof(word), " %.*s ", (int)(err.message + len - 4 - last), last);
    assert_non_null(strstr(words, word + 1));
    assert_non_null(strstr(err.message, "certificate verification failed: word0 word1 "));
    /* a sentence that fits is left alone */
    tlcp_error_clear(&err);
    TLCP_ERR(&err, TLCP_R_CERT, "short %s", "sentence");
    assert_string_equal(err.message, "short sentence");
}

static void test_empty_message_uses_reason(void **state)
{
    (void)state;
    tlcp_error err;
    tlcp_error_clear(&err);
    TLCP_ERR(&err, TLCP_R_BAD_SIGNATURE, "%s", "");
    assert_string_equal(tlcp_error_message(&err), "bad signature");
}

static void test_format(void **state)
{
    (void)state;
    tlcp_error err;
    char buf[256];
    tlcp_error_clear(&err);
    assert_string_equal(tlcp_error_format(&err, buf, sizeof(buf)), "no error");
    TLCP_ERR(&err, TLCP_R_BAD_FINISHED, "verify_data mismatch");
    err.line = 42; /* fixed for a stable expectation */
    err.file = "src/handshake/finished.c";
    assert_string_equal(tlcp_error_format(&err, buf, sizeof(buf)),
                        "verify_data mismatch (bad Finished message) at "
                        "src/handshake/finished.c:42");
    /* Truncation keeps the terminator inside cap. */
    memset(buf, 'Q', sizeof(buf));
    tlcp_error_format(&err, buf, 8);
    assert_string_equal(buf, "verify_");
    assert_int_equal(buf[8], 'Q');
    assert_null(tlcp_error_format(&err, NULL, 0));
}

/* Guard macros, exercised through tiny functions as production code uses them. */
static int ensure_positive(tlcp_error *err, int v)
{
    ENSURE(v > 0, err, TLCP_R_INVALID_ARGUMENT, "value %d is not positive", v);
    return 1;
}

static int ensure_alert_small(tlcp_error *err, int v)
{
    ENSURE_ALERT(v < 10, err, TLCP_R_RECORD_OVERFLOW, TLCP_ALERT_RECORD_OVERFLOW, "%d >= 10", v);
    return 1;
}

static int guarded(tlcp_error *err, int v)
{
    GUARD(ensure_positive(err, v));
    GUARD(ensure_alert_small(err, v));
    return 1;
}

static int guarded_ptr(const void *p)
{
    GUARD_PTR(p);
    return 1;
}

static void test_guard_macros(void **state)
{
    (void)state;
    tlcp_error err;
    tlcp_error_clear(&err);
    assert_int_equal(guarded(&err, 5), 1);
    assert_false(tlcp_error_is_set(&err));

    assert_int_equal(guarded(&err, -3), 0);
    assert_int_equal(err.reason, TLCP_R_INVALID_ARGUMENT);
    assert_int_equal(err.alert, TLCP_NO_ALERT);
    assert_string_equal(err.message, "value -3 is not positive");

    tlcp_error_clear(&err);
    assert_int_equal(guarded(&err, 12), 0);
    assert_int_equal(err.reason, TLCP_R_RECORD_OVERFLOW);
    assert_int_equal(err.alert, TLCP_ALERT_RECORD_OVERFLOW);
    assert_string_equal(err.message, "12 >= 10");

    assert_int_equal(guarded_ptr(&err), 1);
    assert_int_equal(guarded_ptr(NULL), 0);
    int arr[7];
    assert_int_equal(TLCP_ARRAY_LEN(arr), 7);
}

static void test_reason_strings(void **state)
{
    (void)state;
    assert_string_equal(tlcp_reason_string(TLCP_R_NONE), "no error");
    assert_string_equal(tlcp_reason_string(TLCP_R_BAD_RECORD_MAC), "bad record MAC");
    /* Every code has its own non-empty phrase. */
    for (int r = 0; r < TLCP_R_REASON_COUNT; r++) {
        const char *s = tlcp_reason_string(r);
        assert_non_null(s);
        assert_true(strlen(s) > 0);
        /* 40-74 are handed out in blocks to work in progress (COMMON
         * numbering); a block not merged yet leaves a gap there. */
        if (strcmp(s, "unknown reason") == 0 && r >= 40 && r <= 74)
            continue;
        if (strcmp(s, "unknown reason") == 0)
            fail_msg("reason %d has no string", r);
        for (int q = 0; q < r; q++) {
            if (strcmp(s, tlcp_reason_string(q)) == 0)
                fail_msg("reasons %d and %d share the string '%s'", q, r, s);
        }
    }
    assert_string_equal(tlcp_reason_string(-1), "unknown reason");
    assert_string_equal(tlcp_reason_string(TLCP_R_REASON_COUNT), "unknown reason");
    assert_string_equal(tlcp_reason_string(1 << 30), "unknown reason");
}

static const struct {
    int alert;
    const char *name;
} alerts[] = {
    {0, "close_notify"},
    {10, "unexpected_message"},
    {20, "bad_record_mac"},
    {21, "decryption_failed"},
    {22, "record_overflow"},
    {30, "decompression_failure"},
    {40, "handshake_failure"},
    {42, "bad_certificate"},
    {43, "unsupported_certificate"},
    {44, "certificate_revoked"},
    {45, "certificate_expired"},
    {46, "certificate_unknown"},
    {47, "illegal_parameter"},
    {48, "unknown_ca"},
    {49, "access_denied"},
    {50, "decode_error"},
    {51, "decrypt_error"},
    {60, "export_restriction"},
    {70, "protocol_version"},
    {71, "insufficient_security"},
    {80, "internal_error"},
    {90, "user_canceled"},
    {100, "no_renegotiation"},
    {110, "unsupported_extension"},
    {112, "unrecognized_name"},
    {120, "no_application_protocol"},
    /* TLCP's own (GM/T 0024 table 1) */
    {200, "unsupported_site2site"},
    {201, "no_area"},
    {202, "unsupported_areatype"},
    {203, "bad_ibcparam"},
    {204, "unsupported_ibcparam"},
    {205, "identity_need"},
};

static void test_alert_strings(void **state)
{
    (void)state;
    size_t known = 0;
    for (size_t i = 0; i < sizeof(alerts) / sizeof(alerts[0]); i++)
        assert_string_equal(tlcp_alert_string(alerts[i].alert), alerts[i].name);
    /* Everything else in a byte's range is "unknown". */
    for (int a = -1; a <= 256; a++) {
        if (strcmp(tlcp_alert_string(a), "unknown") != 0)
            known++;
    }
    assert_int_equal(known, sizeof(alerts) / sizeof(alerts[0]));
    assert_string_equal(tlcp_alert_string(41), "unknown"); /* no_certificate: SSLv3 only */
    assert_string_equal(tlcp_alert_string(206), "unknown");
    assert_string_equal(tlcp_alert_string(255), "unknown");
}

static void test_version(void **state)
{
    (void)state;
    char expect[32];
    snprintf(expect, sizeof(expect), "%d.%d.%d", TLCP_VERSION_MAJOR, TLCP_VERSION_MINOR,
             TLCP_VERSION_PATCH);
    assert_string_equal(tlcp_version(), expect);
    assert_string_equal(tlcp_version(), TLCP_VERSION_STRING);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clear),
        cmocka_unit_test(test_set_records_everything),
        cmocka_unit_test(test_first_error_wins),
        cmocka_unit_test(test_null_slot),
        cmocka_unit_test(test_long_message_truncated),
        cmocka_unit_test(test_long_message_cut_between_words),
        cmocka_unit_test(test_empty_message_uses_reason),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_guard_macros),
        cmocka_unit_test(test_reason_strings),
        cmocka_unit_test(test_alert_strings),
        cmocka_unit_test(test_version),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
