/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ServerKeyExchange parser in both forms: every input is tried as an ECC
 * body (signature only) and as an ECDHE body (params + signature).
 */
#include <stdlib.h>

#include "harness_msg.h"

static void one_form(const uint8_t *data, size_t len, int is_ecdhe)
{
    static const char what[] = "ServerKeyExchange";
    tlcp_error err;
    tlcp_server_key_exchange m, again;
    tlcp_error_clear(&err);
    if (!tlcp_parse_server_key_exchange(fuzz_cursor(data, len), is_ecdhe, &m, &err)) {
        fuzz_msg_rejected(&err, what);
        return;
    }
    fuzz_require(m.has_params == is_ecdhe, "ServerKeyExchange: has_params does not match form");
    if (is_ecdhe)
        fuzz_require(tlcp_cursor_len(&m.params) == TLCP_ECDH_PARAMS_LEN &&
                         tlcp_cursor_len(&m.point) == 65 && tlcp_cursor_data(&m.point)[0] == 4,
                     "ServerKeyExchange: accepted params of the wrong shape");
    tlcp_builder b;
    fuzz_msg_builder(&b);
    int built = tlcp_build_server_key_exchange(
        &b, tlcp_cursor_data(&m.params), tlcp_cursor_len(&m.params), tlcp_cursor_data(&m.signature),
        tlcp_cursor_len(&m.signature));
    fuzz_bytes out = fuzz_msg_built(&b, built, what);
    fuzz_msg_same_wire(out, data, len, what);
    fuzz_require(
        tlcp_parse_server_key_exchange(fuzz_cursor(out.data, out.len), is_ecdhe, &again, &err),
        "ServerKeyExchange: rebuilt message does not parse");
    fuzz_require(fuzz_same_cursor(&m.params, &again.params) &&
                     fuzz_same_cursor(&m.point, &again.point) &&
                     fuzz_same_cursor(&m.signature, &again.signature) &&
                     m.named_curve == again.named_curve && m.has_params == again.has_params,
                 "ServerKeyExchange: re-parsed struct differs");
    free(out.data);
}

int fuzz_server_key_exchange(const uint8_t *data, size_t len)
{
    one_form(data, len, 0);
    one_form(data, len, 1);
    return 0;
}
