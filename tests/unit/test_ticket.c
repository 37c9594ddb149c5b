/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Session tickets below the handshake: key files (good and every kind of
 * malformed line, with the line named), sealing and opening (wrong key,
 * garbled, truncated, expired), the NewSessionTicket handler on malformed
 * bodies (decode_error), and that a NewSessionTicket is in no sequence and
 * no post-handshake row without the ticket flag (so an unasked-for one is
 * unexpected_message).
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "handshake/context.h"
#include "handshake/handlers.h"
#include "handshake/table.h"
#include "handshake/ticket.h"

#define NAME_A "00112233445566778899aabbccddeeff"
#define NAME_B "ffeeddccbbaa99887766554433221100"
#define SECRET "000102030405060708090a0b0c0d0e0f"

static int parse_text(tlcp_ticket_keys *k, const char *text, tlcp_error *err)
{
    tlcp_error_clear(err);
    return tlcp_ticket_keys_parse(k, text, strlen(text), "keys.txt", err);
}

static void test_key_file_good(void **state)
{
    (void)state;
    tlcp_ticket_keys *k = tlcp_ticket_keys_new();
    assert_non_null(k);
    tlcp_error err;
    assert_true(parse_text(k,
                           "# shared by the fleet\n\nkey " NAME_A " " SECRET "\n"
                           "  key\t" NAME_B " " SECRET SECRET "\r\nlifetime 600\n",
                           &err));
    assert_int_equal(tlcp_ticket_keys_count(k), 2);
    assert_int_equal(k->lifetime, 600);
    /* the last key is the newest */
    assert_int_equal(k->keys[1].name[0], 0xff);
    tlcp_ticket_keys_free(k);
}

static void test_key_file_errors(void **state)
{
    (void)state;
    static const struct {
        const char *text, *want;
    } cases[] = {
        {"", "keys.txt: no 'key' line"},
        {"# only a comment\n", "keys.txt: no 'key' line"},
        {"key 0011 " SECRET "\n", "keys.txt:1: key name must be 32 hex digits"},
        {"key " NAME_A "\n", "keys.txt:1: key secret must be 32 to 128 hex digits"},
        {"\nkey " NAME_A " 0001\n", "keys.txt:2: key secret must be 32 to 128 hex digits"},
        {"key " NAME_A " " SECRET "zz\n", "keys.txt:1: key secret"},
        {"key " NAME_A " " SECRET " extra\n", "keys.txt:1: unexpected 'extra'"},
        {"key " NAME_A " " SECRET "\nkey " NAME_A " " SECRET "\n", "keys.txt:2: key name"},
        {"kee " NAME_A " " SECRET "\n", "keys.txt:1: expected 'key NAME SECRET'"},
        {"key " NAME_A " " SECRET "\nlifetime 0\n", "keys.txt:2: lifetime must be"},
        {"key " NAME_A " " SECRET "\nlifetime 1x\n", "keys.txt:2: lifetime must be"},
        {"lifetime 60\nlifetime 60\n", "keys.txt:2: lifetime given twice"},
    };
    tlcp_ticket_keys *k = tlcp_ticket_keys_new();
    assert_non_null(k);
    tlcp_error err;
    assert_true(parse_text(k, "key " NAME_A " " SECRET "\n", &err));
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_false(parse_text(k, cases[i].text, &err));
        assert_int_equal(err.reason, TLCP_R_TICKET_KEY_FILE);
        if (strstr(tlcp_error_message(&err), cases[i].want) == NULL)
            fail_msg("case %zu: '%s', expected '%s'", i, tlcp_error_message(&err), cases[i].want);
        /* a bad file changes nothing */
        assert_int_equal(tlcp_ticket_keys_count(k), 1);
    }
    tlcp_error_clear(&err);
    assert_false(tlcp_ticket_keys_load_file(k, "/nonexistent/keys.txt", &err));
    assert_int_equal(err.reason, TLCP_R_FILE);
    tlcp_ticket_keys_free(k);
}

static tlcp_session *sample(int64_t created)
{
    uint8_t id[32] = {1}, master[48] = {2};
    tlcp_cert *none[2] = {NULL, NULL};
    tlcp_session *s = tlcp_session_new(id, 0xE053, master, none);
    assert_non_null(s);
    assert_true(tlcp_session_bind_peer(s, "example.test", 1));
    tlcp_session_set_times(s, created, 600);
    return s;
}

static void test_seal_open(void **state)
{
    (void)state;
    tlcp_ticket_keys *k = tlcp_ticket_keys_new(), *other = tlcp_ticket_keys_new();
    assert_non_null(k);
    assert_non_null(other);
    tlcp_error err;
    tlcp_error_clear(&err);
    size_t len = 0;
    tlcp_session *s = sample((int64_t)time(NULL));
    assert_null(tlcp_ticket_seal(k, s, &len, &err)); /* no key yet */
    assert_true(tlcp_ticket_keys_add_random(k, &err));
    assert_true(tlcp_ticket_keys_add_random(other, &err));
    uint8_t *t = tlcp_ticket_seal(k, s, &len, &err);
    assert_non_null(t);
    int newest = 0;
    int64_t now = (int64_t)time(NULL);
    tlcp_session *back = tlcp_ticket_open(k, t, len, now, &newest, &err);
    assert_non_null(back);
    assert_int_equal(newest, 1);
    assert_int_equal(back->suite, 0xE053);
    assert_memory_equal(back->master, s->master, 48);
    assert_string_equal(back->host, "example.test");
    tlcp_session_free(back);
    /* a newer key: still opens, no longer the newest */
    assert_true(tlcp_ticket_keys_add_random(k, &err));
    back = tlcp_ticket_open(k, t, len, now, &newest, &err);
    assert_non_null(back);
    assert_int_equal(newest, 0);
    tlcp_session_free(back);
    /* foreign, garbled anywhere, truncated, expired */
    assert_null(tlcp_ticket_open(other, t, len, now, &newest, &err));
    for (size_t i = 0; i < len; i += 7) {
        t[i] ^= 0x80;
        assert_null(tlcp_ticket_open(k, t, len, now, &newest, &err));
        t[i] ^= 0x80;
    }
    for (size_t cut = 0; cut < len; cut += 13)
        assert_null(tlcp_ticket_open(k, t, cut, now, &newest, &err));
    tlcp_error_clear(&err);
    assert_null(tlcp_ticket_open(k, t, len, now + 601, &newest, &err));
    assert_int_equal(err.reason, TLCP_R_SESSION_EXPIRED);
    free(t);
    tlcp_session_free(s);
    tlcp_ticket_keys_free(k);
    tlcp_ticket_keys_free(other);
}

static void test_new_session_ticket_malformed(void **state)
{
    (void)state;
    static const struct {
        const uint8_t *body;
        size_t len;
    } bad[] = {
        {(const uint8_t *)"", 0},
        {(const uint8_t *)"\x00\x00\x1c", 3},
        {(const uint8_t *)"\x00\x00\x1c\x20\x00", 5},
        {(const uint8_t *)"\x00\x00\x1c\x20\x00\x05\x01\x02", 8},
        {(const uint8_t *)"\x00\x00\x1c\x20\x00\x01\x01\x02", 8}, /* trailing byte */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        tlcp_error err;
        tlcp_error_clear(&err);
        tlcp_hs_ctx ctx;
        memset(&ctx, 0, sizeof(ctx));
        assert_true(tlcp_hs_ctx_init(&ctx, 0, &err));
        tlcp_cursor body;
        tlcp_cursor_init(&body, bad[i].body, bad[i].len);
        assert_false(tlcp_is_ok(tlcp_hs_new_session_ticket_process(&ctx, body)));
        assert_int_equal(err.alert, TLCP_ALERT_DECODE_ERROR);
        assert_int_equal(ctx.hs->got_ticket, 0);
        tlcp_hs_ctx_cleanup(&ctx);
    }
    /* an empty ticket is well formed: the server keeps nothing for us */
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_hs_ctx ctx;
    memset(&ctx, 0, sizeof(ctx));
    assert_true(tlcp_hs_ctx_init(&ctx, 0, &err));
    tlcp_cursor body;
    tlcp_cursor_init(&body, (const uint8_t *)"\x00\x00\x00\x00\x00\x00", 6);
    assert_true(tlcp_is_ok(tlcp_hs_new_session_ticket_process(&ctx, body)));
    assert_int_equal(ctx.hs->got_ticket, 1);
    assert_null(ctx.hs->new_ticket);
    tlcp_hs_ctx_cleanup(&ctx);
}

/* Without the ticket flag a NewSessionTicket fits nowhere, during the
 * handshake or after it: the driver answers unexpected_message. */
static void test_unasked_ticket_is_unexpected(void **state)
{
    (void)state;
    for (unsigned f = 0; f <= TLCP_HS_F_ALL; f++) {
        int seq = tlcp_hs_seq_for_flags(f), found = 0;
        for (size_t i = 0; tlcp_hs_seq_row(seq, i) != TLCP_ROW_END; i++)
            found |= tlcp_hs_seq_row(seq, i) == TLCP_ROW_NEW_SESSION_TICKET;
        assert_int_equal(found, (f & TLCP_HS_F_TICKET) != 0);
    }
    assert_null(tlcp_hs_optional_for(TLCP_CLIENT, TLCP_CT_HANDSHAKE, TLCP_HS_NEW_SESSION_TICKET));
    assert_null(tlcp_hs_unsequenced_row(TLCP_CLIENT, TLCP_HS_NEW_SESSION_TICKET, 0));
    assert_null(tlcp_hs_unsequenced_row(TLCP_CLIENT, TLCP_HS_NEW_SESSION_TICKET, 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_file_good),
        cmocka_unit_test(test_key_file_errors),
        cmocka_unit_test(test_seal_open),
        cmocka_unit_test(test_new_session_ticket_malformed),
        cmocka_unit_test(test_unasked_ticket_is_unexpected),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
