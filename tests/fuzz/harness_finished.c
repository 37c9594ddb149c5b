/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Finished and ServerHelloDone, the two fixed-shape messages: Finished must
 * accept exactly 12 bytes and round-trip, ServerHelloDone exactly nothing.
 */
#include <stdlib.h>

#include "harness_msg.h"

int fuzz_finished(const uint8_t *data, size_t len)
{
    static const char what[] = "Finished";
    tlcp_error err;
    tlcp_finished m, again;
    tlcp_error_clear(&err);
    int ok = tlcp_parse_finished(fuzz_cursor(data, len), &m, &err);
    fuzz_require(ok == (len == 12),
                 "Finished: accepted a body that is not 12 bytes or refused one");
    if (ok) {
        tlcp_builder b;
        fuzz_msg_builder(&b);
        fuzz_bytes out = fuzz_msg_built(&b, tlcp_build_finished(&b, m.verify_data), what);
        fuzz_msg_same_wire(out, data, len, what);
        fuzz_require(tlcp_parse_finished(fuzz_cursor(out.data, out.len), &again, &err) &&
                         fuzz_same_bytes(m.verify_data, 12, again.verify_data, 12),
                     "Finished: rebuilt message does not parse to the same verify_data");
        free(out.data);
    } else {
        fuzz_msg_rejected(&err, what);
    }
    tlcp_error_clear(&err);
    ok = tlcp_parse_server_hello_done(fuzz_cursor(data, len), &err);
    fuzz_require(ok == (len == 0), "ServerHelloDone: accepted a non-empty body or refused none");
    if (!ok)
        fuzz_msg_rejected(&err, "ServerHelloDone");
    return 0;
}
