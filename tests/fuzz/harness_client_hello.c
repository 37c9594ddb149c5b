/* SPDX-License-Identifier: Apache-2.0 */
/* ClientHello parser: rejection alerts and the parse-build-parse round trip. */
#include <stdlib.h>

#include "harness_msg.h"

static int same_client_hello(const tlcp_client_hello *a, const tlcp_client_hello *b)
{
    return a->version == b->version && fuzz_same_bytes(a->random, 32, b->random, 32) &&
           fuzz_same_bytes(a->session_id, a->session_id_len, b->session_id, b->session_id_len) &&
           fuzz_same_cursor(&a->cipher_suites, &b->cipher_suites) &&
           fuzz_same_cursor(&a->compression_methods, &b->compression_methods) &&
           a->has_extensions == b->has_extensions &&
           fuzz_same_extensions(a->extensions, a->num_extensions, b->extensions, b->num_extensions);
}

int fuzz_client_hello(const uint8_t *data, size_t len)
{
    static const char what[] = "ClientHello";
    tlcp_error err;
    tlcp_client_hello m, again;
    tlcp_error_clear(&err);
    if (!tlcp_parse_client_hello(fuzz_cursor(data, len), &m, &err)) {
        fuzz_msg_rejected(&err, what);
        return 0;
    }
    uint16_t suites[TLCP_MAX_CIPHER_SUITES];
    size_t num = 0;
    tlcp_cursor list = m.cipher_suites;
    while (num < TLCP_MAX_CIPHER_SUITES && tlcp_cursor_get_u16(&list, &suites[num]))
        num++;
    fuzz_require(tlcp_cursor_is_empty(&list), "ClientHello: suite list not a whole u16 list");
    tlcp_builder b;
    fuzz_msg_builder(&b);
    fuzz_bytes out = fuzz_msg_built(&b, tlcp_build_client_hello(&b, &m, suites, num), what);
    fuzz_msg_same_wire(out, data, len, what);
    fuzz_require(tlcp_parse_client_hello(fuzz_cursor(out.data, out.len), &again, &err),
                 "ClientHello: rebuilt message does not parse");
    fuzz_require(same_client_hello(&m, &again), "ClientHello: re-parsed struct differs");
    free(out.data);
    return 0;
}
