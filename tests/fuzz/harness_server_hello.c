/* SPDX-License-Identifier: Apache-2.0 */
/* ServerHello parser: rejection alerts and the parse-build-parse round trip. */
#include <stdlib.h>

#include "harness_msg.h"

static int same_server_hello(const tlcp_server_hello *a, const tlcp_server_hello *b)
{
    return a->version == b->version && fuzz_same_bytes(a->random, 32, b->random, 32) &&
           fuzz_same_bytes(a->session_id, a->session_id_len, b->session_id, b->session_id_len) &&
           a->cipher_suite == b->cipher_suite && a->compression_method == b->compression_method &&
           a->has_extensions == b->has_extensions &&
           fuzz_same_extensions(a->extensions, a->num_extensions, b->extensions, b->num_extensions);
}

int fuzz_server_hello(const uint8_t *data, size_t len)
{
    static const char what[] = "ServerHello";
    tlcp_error err;
    tlcp_server_hello m, again;
    tlcp_error_clear(&err);
    if (!tlcp_parse_server_hello(fuzz_cursor(data, len), &m, &err)) {
        fuzz_msg_rejected(&err, what);
        return 0;
    }
    tlcp_builder b;
    fuzz_msg_builder(&b);
    fuzz_bytes out = fuzz_msg_built(&b, tlcp_build_server_hello(&b, &m), what);
    fuzz_msg_same_wire(out, data, len, what);
    fuzz_require(tlcp_parse_server_hello(fuzz_cursor(out.data, out.len), &again, &err),
                 "ServerHello: rebuilt message does not parse");
    fuzz_require(same_server_hello(&m, &again), "ServerHello: re-parsed struct differs");
    free(out.data);
    return 0;
}
