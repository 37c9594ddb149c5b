/* SPDX-License-Identifier: Apache-2.0 */
/* CertificateRequest parser: rejection alerts and the parse-build-parse round trip. */
#include <stdlib.h>

#include "harness_msg.h"

#define MAX_NAMES (TLCP_MAX_CERTS * 4)

int fuzz_certificate_request(const uint8_t *data, size_t len)
{
    static const char what[] = "CertificateRequest";
    tlcp_error err;
    tlcp_certificate_request m, again;
    tlcp_error_clear(&err);
    if (!tlcp_parse_certificate_request(fuzz_cursor(data, len), &m, &err)) {
        fuzz_msg_rejected(&err, what);
        return 0;
    }
    fuzz_require(m.num_authorities <= MAX_NAMES, "CertificateRequest: too many authorities");
    const uint8_t *names[MAX_NAMES];
    size_t lens[MAX_NAMES];
    for (size_t i = 0; i < m.num_authorities; i++) {
        names[i] = tlcp_cursor_data(&m.authorities[i]);
        lens[i] = tlcp_cursor_len(&m.authorities[i]);
    }
    tlcp_builder b;
    fuzz_msg_builder(&b);
    int built = tlcp_build_certificate_request(&b, tlcp_cursor_data(&m.certificate_types),
                                               tlcp_cursor_len(&m.certificate_types), names, lens,
                                               m.num_authorities);
    fuzz_bytes out = fuzz_msg_built(&b, built, what);
    fuzz_msg_same_wire(out, data, len, what);
    fuzz_require(tlcp_parse_certificate_request(fuzz_cursor(out.data, out.len), &again, &err),
                 "CertificateRequest: rebuilt message does not parse");
    fuzz_require(fuzz_same_cursor(&m.certificate_types, &again.certificate_types) &&
                     again.num_authorities == m.num_authorities,
                 "CertificateRequest: re-parsed struct differs");
    for (size_t i = 0; i < m.num_authorities; i++)
        fuzz_require(fuzz_same_cursor(&m.authorities[i], &again.authorities[i]),
                     "CertificateRequest: re-parsed authority differs");
    free(out.data);
    return 0;
}
