/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Certificate and CertificateRequest (tlcp-protocol.md §2.5, §2.7). The DER
 * certificates and names are only delimited here; src/x509 interprets them.
 */
#include <string.h>

#include "handshake/messages.h"
#include "handshake/msg_internal.h"

int tlcp_parse_certificate(tlcp_cursor body, tlcp_certificate_msg *out, tlcp_error *err)
{
    static const char what[] = "Certificate";
    memset(out, 0, sizeof(*out));
    tlcp_cursor c = body, list;
    DECODE_ENSURE(tlcp_cursor_get_u24_prefixed(&c, &list), err,
                  "Certificate: certificate_list length exceeds the message");
    TRAILING_ENSURE(c, err, what);
    /* An empty list is legal: a client without a certificate sends one. */
    while (!tlcp_cursor_is_empty(&list)) {
        tlcp_cursor cert;
        DECODE_ENSURE(out->num_certs < TLCP_MAX_CERTS, err,
                      "Certificate: more than %d certificates in the list", TLCP_MAX_CERTS);
        DECODE_ENSURE(tlcp_cursor_get_u24_prefixed(&list, &cert), err,
                      "Certificate: certificate %zu is longer than the certificate_list",
                      out->num_certs);
        DECODE_ENSURE(tlcp_cursor_len(&cert) >= 1, err, "Certificate: certificate %zu is empty",
                      out->num_certs);
        out->certs[out->num_certs++] = cert;
    }
    return 1;
}

int tlcp_parse_certificate_request(tlcp_cursor body, tlcp_certificate_request *out, tlcp_error *err)
{
    static const char what[] = "CertificateRequest";
    const size_t max_names = TLCP_ARRAY_LEN(out->authorities);
    memset(out, 0, sizeof(*out));
    tlcp_cursor c = body, names;
    DECODE_ENSURE(tlcp_cursor_get_u8_prefixed(&c, &out->certificate_types), err,
                  "CertificateRequest: certificate_types length exceeds the message");
    DECODE_ENSURE(tlcp_cursor_len(&out->certificate_types) >= 1, err,
                  "CertificateRequest: empty certificate_types list");
    DECODE_ENSURE(tlcp_cursor_get_u16_prefixed(&c, &names), err,
                  "CertificateRequest: certificate_authorities length exceeds the message");
    TRAILING_ENSURE(c, err, what);
    while (!tlcp_cursor_is_empty(&names)) {
        tlcp_cursor name;
        DECODE_ENSURE(out->num_authorities < max_names, err,
                      "CertificateRequest: more than %zu certificate authorities", max_names);
        DECODE_ENSURE(tlcp_cursor_get_u16_prefixed(&names, &name), err,
                      "CertificateRequest: authority %zu is longer than the list",
                      out->num_authorities);
        DECODE_ENSURE(tlcp_cursor_len(&name) >= 1, err,
                      "CertificateRequest: authority %zu is empty", out->num_authorities);
        out->authorities[out->num_authorities++] = name;
    }
    return 1;
}

/* ---- builders ---- */

static int build_certificate(tlcp_builder *b, const uint8_t *const *certs, const size_t *lens,
                             size_t num_certs)
{
    if (num_certs > TLCP_MAX_CERTS)
        return 0;
    tlcp_builder list, cert;
    GUARD(tlcp_builder_open_u24(b, &list));
    for (size_t i = 0; i < num_certs; i++) {
        if (lens[i] == 0 || certs[i] == NULL)
            return 0;
        GUARD(tlcp_builder_open_u24(&list, &cert));
        GUARD(tlcp_builder_add_bytes(&cert, certs[i], lens[i]));
    }
    return tlcp_builder_flush(b);
}

int tlcp_build_certificate(tlcp_builder *b, const uint8_t *const *certs, const size_t *lens,
                           size_t num_certs)
{
    return tlcp_msg_build_done(b, build_certificate(b, certs, lens, num_certs));
}

static int build_certificate_request(tlcp_builder *b, const uint8_t *types, size_t num_types,
                                     const uint8_t *const *names, const size_t *name_lens,
                                     size_t num_names)
{
    if (num_types == 0 || num_types > 0xFF || num_names > TLCP_MAX_CERTS * 4)
        return 0;
    tlcp_builder type_list, name_list, name;
    GUARD(tlcp_builder_open_u8(b, &type_list));
    GUARD(tlcp_builder_add_bytes(&type_list, types, num_types));
    GUARD(tlcp_builder_open_u16(b, &name_list));
    for (size_t i = 0; i < num_names; i++) {
        if (name_lens[i] == 0 || names[i] == NULL)
            return 0;
        GUARD(tlcp_builder_open_u16(&name_list, &name));
        GUARD(tlcp_builder_add_bytes(&name, names[i], name_lens[i]));
    }
    return tlcp_builder_flush(b);
}

int tlcp_build_certificate_request(tlcp_builder *b, const uint8_t *types, size_t num_types,
                                   const uint8_t *const *names, const size_t *name_lens,
                                   size_t num_names)
{
    return tlcp_msg_build_done(
        b, build_certificate_request(b, types, num_types, names, name_lens, num_names));
}
