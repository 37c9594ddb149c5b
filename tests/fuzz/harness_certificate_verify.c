/* SPDX-License-Identifier: Apache-2.0 */
/* CertificateVerify parser: rejection alerts and the parse-build-parse round trip. */
#include <stdlib.h>

#include "harness_msg.h"

int fuzz_certificate_verify(const uint8_t *data, size_t len)
{
    static const char what[] = "CertificateVerify";
    tlcp_error err;
    tlcp_certificate_verify m, again;
    tlcp_error_clear(&err);
    if (!tlcp_parse_certificate_verify(fuzz_cursor(data, len), &m, &err)) {
        fuzz_msg_rejected(&err, what);
        return 0;
    }
    tlcp_builder b;
    fuzz_msg_builder(&b);
    fuzz_bytes out =
        fuzz_msg_built(&b,
                       tlcp_build_certificate_verify(&b, tlcp_cursor_data(&m.signature),
                                                     tlcp_cursor_len(&m.signature)),
                       what);
    fuzz_msg_same_wire(out, data, len, what);
    fuzz_require(tlcp_parse_certificate_verify(fuzz_cursor(out.data, out.len), &again, &err),
                 "CertificateVerify: rebuilt message does not parse");
    fuzz_require(fuzz_same_cursor(&m.signature, &again.signature),
                 "CertificateVerify: re-parsed signature differs");
    free(out.data);
    return 0;
}
