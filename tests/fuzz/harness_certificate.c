/* SPDX-License-Identifier: Apache-2.0 */
/* Certificate parser: rejection alerts and the parse-build-parse round trip. */
#include <stdlib.h>

#include "harness_msg.h"

int fuzz_certificate(const uint8_t *data, size_t len)
{
    static const char what[] = "Certificate";
    tlcp_error err;
    tlcp_certificate_msg m, again;
    tlcp_error_clear(&err);
    if (!tlcp_parse_certificate(fuzz_cursor(data, len), &m, &err)) {
        fuzz_msg_rejected(&err, what);
        return 0;
    }
    fuzz_require(m.num_certs <= TLCP_MAX_CERTS, "Certificate: more certificates than the limit");
    const uint8_t *certs[TLCP_MAX_CERTS];
    size_t lens[TLCP_MAX_CERTS];
    for (size_t i = 0; i < m.num_certs; i++) {
        certs[i] = tlcp_cursor_data(&m.certs[i]);
        lens[i] = tlcp_cursor_len(&m.certs[i]);
    }
    tlcp_builder b;
    fuzz_msg_builder(&b);
    fuzz_bytes out = fuzz_msg_built(&b, tlcp_build_certificate(&b, certs, lens, m.num_certs), what);
    fuzz_msg_same_wire(out, data, len, what);
    fuzz_require(tlcp_parse_certificate(fuzz_cursor(out.data, out.len), &again, &err),
                 "Certificate: rebuilt message does not parse");
    fuzz_require(again.num_certs == m.num_certs, "Certificate: re-parsed count differs");
    for (size_t i = 0; i < m.num_certs; i++)
        fuzz_require(fuzz_same_cursor(&m.certs[i], &again.certs[i]),
                     "Certificate: re-parsed certificate differs");
    free(out.data);
    return 0;
}
