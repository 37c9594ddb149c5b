/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ClientKeyExchange parser in both forms: every input is tried as an ECC
 * body (u16-prefixed SM2 ciphertext) and as an ECDHE body (form A or B).
 * The ECDHE builder always writes named_curve 41 (the received number is
 * ignored, tlcp-protocol.md D4), so the byte-exact check holds for 41 only;
 * for other curves the rebuilt bytes must differ in exactly those two bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "harness_msg.h"

static fuzz_bytes rebuild(const tlcp_client_key_exchange *m, int is_ecdhe)
{
    tlcp_builder b;
    fuzz_msg_builder(&b);
    int built;
    if (is_ecdhe) {
        uint8_t point[65];
        fuzz_require(tlcp_cursor_len(&m->point) == 65, "ClientKeyExchange: point not 65 bytes");
        memcpy(point, tlcp_cursor_data(&m->point), sizeof(point));
        built = tlcp_build_client_key_exchange_ecdhe(&b, point, m->ecdhe_form_b);
    } else {
        built = tlcp_build_client_key_exchange_ecc(&b, tlcp_cursor_data(&m->encrypted_pre_master),
                                                   tlcp_cursor_len(&m->encrypted_pre_master));
    }
    return fuzz_msg_built(&b, built, "ClientKeyExchange");
}

/* The input with its named_curve replaced by 41, as the builder writes it. */
static uint8_t *expected_wire(const uint8_t *data, size_t len, const tlcp_client_key_exchange *m)
{
    uint8_t *want = malloc(len);
    fuzz_require(want != NULL, "out of memory");
    memcpy(want, data, len);
    if (m->named_curve != TLCP_NAMED_CURVE_SM2) {
        size_t at = (m->ecdhe_form_b ? 2 : 0) + 1;
        want[at] = 0;
        want[at + 1] = TLCP_NAMED_CURVE_SM2;
    }
    return want;
}

static void one_form(const uint8_t *data, size_t len, int is_ecdhe)
{
    static const char what[] = "ClientKeyExchange";
    tlcp_error err;
    tlcp_client_key_exchange m, again;
    tlcp_error_clear(&err);
    if (!tlcp_parse_client_key_exchange(fuzz_cursor(data, len), is_ecdhe, &m, &err)) {
        fuzz_msg_rejected(&err, what);
        return;
    }
    fuzz_bytes out = rebuild(&m, is_ecdhe);
    if (is_ecdhe) {
        uint8_t *want = expected_wire(data, len, &m);
        fuzz_msg_same_wire(out, want, len, what);
        free(want);
    } else {
        fuzz_msg_same_wire(out, data, len, what);
    }
    fuzz_require(
        tlcp_parse_client_key_exchange(fuzz_cursor(out.data, out.len), is_ecdhe, &again, &err),
        "ClientKeyExchange: rebuilt message does not parse");
    fuzz_require(fuzz_same_cursor(&m.encrypted_pre_master, &again.encrypted_pre_master) &&
                     fuzz_same_cursor(&m.point, &again.point) &&
                     m.ecdhe_form_b == again.ecdhe_form_b,
                 "ClientKeyExchange: re-parsed struct differs");
    free(out.data);
}

int fuzz_client_key_exchange(const uint8_t *data, size_t len)
{
    one_form(data, len, 0);
    one_form(data, len, 1);
    return 0;
}
