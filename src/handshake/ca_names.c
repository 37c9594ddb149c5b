/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CertificateRequest certificate_authorities: the subject Name (DER) of each
 * trusted CA certificate loaded from a CA file. GmSSL 3 clients refuse a
 * request whose list does not name the issuer of their chain's last
 * certificate, so the list is filled rather than left empty.
 *
 * Only the few DER headers on the path Certificate -> TBSCertificate ->
 * subject are walked, through the bounds-checked cursor; the certificates
 * were already parsed and accepted by src/x509 when they were loaded.
 */
#include "handshake/ca_names.h"

#define DER_SEQUENCE  0x30
#define DER_INTEGER   0x02
#define DER_CONTEXT_0 0xA0

/* One DER TLV: its tag, its contents, and the whole element. */
static int der_next(tlcp_cursor *c, uint8_t *tag, tlcp_cursor *contents, tlcp_cursor *whole)
{
    tlcp_cursor start = *c;
    uint8_t len_byte;
    GUARD(tlcp_cursor_get_u8(c, tag));
    GUARD(tlcp_cursor_get_u8(c, &len_byte));
    size_t len = len_byte;
    if (len_byte == 0x81) {
        uint8_t l;
        GUARD(tlcp_cursor_get_u8(c, &l));
        len = l;
    } else if (len_byte == 0x82) {
        uint16_t l;
        GUARD(tlcp_cursor_get_u16(c, &l));
        len = l;
    } else if (len_byte == 0x83) {
        uint32_t l;
        GUARD(tlcp_cursor_get_u24(c, &l));
        len = l;
    } else if (len_byte > 0x80) {
        return 0;
    }
    GUARD(tlcp_cursor_get_bytes(c, contents, len));
    size_t header = tlcp_cursor_len(&start) - tlcp_cursor_len(c) - len;
    return tlcp_cursor_get_bytes(&start, whole, header + len);
}

static int der_expect(tlcp_cursor *c, uint8_t want, tlcp_cursor *contents, tlcp_cursor *whole)
{
    uint8_t tag;
    GUARD(der_next(c, &tag, contents, whole));
    return tag == want;
}

int tlcp_cert_subject_name(const uint8_t *der, size_t len, tlcp_cursor *out_name)
{
    tlcp_cursor c, cert, tbs, item, whole;
    uint8_t tag;
    tlcp_cursor_init(&c, der, len);
    GUARD(der_expect(&c, DER_SEQUENCE, &cert, &whole));
    GUARD(der_expect(&cert, DER_SEQUENCE, &tbs, &whole));
    GUARD(der_next(&tbs, &tag, &item, &whole)); /* [0] version, or the serial */
    if (tag == DER_CONTEXT_0)
        GUARD(der_expect(&tbs, DER_INTEGER, &item, &whole)); /* serial */
    else if (tag != DER_INTEGER)
        return 0;
    GUARD(der_expect(&tbs, DER_SEQUENCE, &item, &whole));   /* signature algorithm */
    GUARD(der_expect(&tbs, DER_SEQUENCE, &item, &whole));   /* issuer */
    GUARD(der_expect(&tbs, DER_SEQUENCE, &item, &whole));   /* validity */
    GUARD(der_expect(&tbs, DER_SEQUENCE, &item, out_name)); /* subject */
    return 1;
}
