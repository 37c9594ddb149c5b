/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What GmSSL 3 and Tongsuo sent in their recorded ALPN handshakes, read
 * with libtlcp's extension parsers (msg_alpn.c, msg_sni.c): the protocols
 * each client offered, the name it asked for and the protocol each server
 * selected, against the fixtures' manifests.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handshake/messages.h"
#include "handshake/msg_ext.h"

#define GMSSL3  "interop/gmssl3-ecc-sm4-gcm-sm3-multisuite-alpn/"
#define TONGSUO "interop/tongsuo-ecc-sm4-cbc-sm3-sni-alpn/"

/* The body of the first handshake message of a stream's first record
 * (copied: the file buffer is freed). */
static uint8_t *first_message(const char *rel, uint8_t type, size_t *out_len)
{
    size_t n = 0;
    uint8_t *raw = tu_read_file(tu_data_path(rel), &n);
    assert_non_null(raw);
    assert_true(n > 9);
    assert_int_equal(raw[0], 22); /* handshake record */
    assert_int_equal(raw[5], type);
    size_t len = (size_t)raw[6] << 16 | (size_t)raw[7] << 8 | raw[8];
    assert_true(9 + len <= n);
    uint8_t *body = malloc(len);
    assert_non_null(body);
    memcpy(body, raw + 9, len);
    free(raw);
    *out_len = len;
    return body;
}

/* The offered names joined with ',' (the manifests' spelling). */
static void join_names(tlcp_alpn_list list, char *out, size_t cap)
{
    tlcp_cursor name;
    size_t used = 0;
    out[0] = '\0';
    while (tlcp_alpn_next(&list.names, &name)) {
        size_t len = tlcp_cursor_len(&name);
        assert_true(used + len + 2 < cap);
        if (used > 0)
            out[used++] = ',';
        memcpy(out + used, tlcp_cursor_data(&name), len);
        used += len;
        out[used] = '\0';
    }
}

static void check_fixture(const char *dir, const char *offered, size_t count, const char *sni,
                          const char *selected)
{
    char path[256];
    tlcp_error err;
    tlcp_error_clear(&err);
    size_t len = 0;
    snprintf(path, sizeof(path), "%sc2s.bin", dir);
    uint8_t *ch_body = first_message(path, TLCP_HS_CLIENT_HELLO, &len);
    tlcp_cursor c;
    tlcp_cursor_init(&c, ch_body, len);
    tlcp_client_hello ch;
    assert_true(tlcp_parse_client_hello(c, &ch, &err));
    const tlcp_extension *alpn =
        tlcp_find_extension(ch.extensions, ch.num_extensions, TLCP_EXT_ALPN);
    const tlcp_extension *name =
        tlcp_find_extension(ch.extensions, ch.num_extensions, TLCP_EXT_SERVER_NAME);
    assert_non_null(alpn);
    assert_non_null(name);
    tlcp_alpn_list list;
    assert_true(tlcp_parse_alpn(alpn->data, &list, &err));
    assert_int_equal(list.count, count);
    char joined[256];
    join_names(list, joined, sizeof(joined));
    assert_string_equal(joined, offered);
    tlcp_cursor host;
    assert_true(tlcp_parse_server_name(name->data, &host, &err));
    assert_int_equal(tlcp_cursor_len(&host), strlen(sni));
    assert_memory_equal(tlcp_cursor_data(&host), sni, strlen(sni));
    /* An ALPN list is not a one-name answer. */
    tlcp_cursor one;
    assert_int_equal(tlcp_parse_alpn_selected(alpn->data, &one, &err), count == 1);

    snprintf(path, sizeof(path), "%ss2c.bin", dir);
    uint8_t *sh_body = first_message(path, TLCP_HS_SERVER_HELLO, &len);
    tlcp_cursor_init(&c, sh_body, len);
    tlcp_server_hello sh;
    assert_true(tlcp_parse_server_hello(c, &sh, &err));
    alpn = tlcp_find_extension(sh.extensions, sh.num_extensions, TLCP_EXT_ALPN);
    assert_non_null(alpn);
    tlcp_error_clear(&err);
    assert_true(tlcp_parse_alpn_selected(alpn->data, &one, &err));
    assert_int_equal(tlcp_cursor_len(&one), strlen(selected));
    assert_memory_equal(tlcp_cursor_data(&one), selected, strlen(selected));
    /* The answer is one of the offered names. */
    assert_true(tlcp_alpn_contains(list.names, (const uint8_t *)selected, strlen(selected)));
    free(ch_body);
    free(sh_body);
}

static void test_gmssl3_alpn(void **state)
{
    (void)state;
    check_fixture(GMSSL3, "h2,http/1.1", 2, "localhost", "http/1.1");
}

static void test_tongsuo_sni_alpn(void **state)
{
    (void)state;
    check_fixture(TONGSUO, "http/1.1", 1, "localhost", "http/1.1");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gmssl3_alpn),
        cmocka_unit_test(test_tongsuo_sni_alpn),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
