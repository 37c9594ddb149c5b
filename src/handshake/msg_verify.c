/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CertificateVerify (tlcp-protocol.md §2.9): a u16-prefixed DER SM2
 * signature, with no SignatureAndHashAlgorithm in front (TLS 1.1 shape).
 */
#include <string.h>

#include "handshake/messages.h"
#include "handshake/msg_internal.h"

int tlcp_parse_certificate_verify(tlcp_cursor body, tlcp_certificate_verify *out, tlcp_error *err)
{
    memset(out, 0, sizeof(*out));
    tlcp_cursor c = body;
    DECODE_ENSURE(tlcp_cursor_get_u16_prefixed(&c, &out->signature), err,
                  "CertificateVerify: signature length exceeds the message");
    DECODE_ENSURE(tlcp_cursor_len(&out->signature) >= 1, err, "CertificateVerify: empty signature");
    TRAILING_ENSURE(c, err, "CertificateVerify");
    return 1;
}

static int build_certificate_verify(tlcp_builder *b, const uint8_t *sig, size_t sig_len)
{
    if (sig == NULL || sig_len == 0 || sig_len > 0xFFFF)
        return 0;
    tlcp_builder v;
    GUARD(tlcp_builder_open_u16(b, &v));
    GUARD(tlcp_builder_add_bytes(&v, sig, sig_len));
    return tlcp_builder_flush(b);
}

int tlcp_build_certificate_verify(tlcp_builder *b, const uint8_t *sig, size_t sig_len)
{
    return tlcp_msg_build_done(b, build_certificate_verify(b, sig, sig_len));
}
