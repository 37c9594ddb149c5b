/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The two DER structures SM2 carries: the signature SEQUENCE { r, s } and
 * the GM/T 0009 ciphertext SEQUENCE { x, y, C3, C2 }. Only canonical DER is
 * read (minimal lengths and integers, no trailing bytes), so every value has
 * exactly one accepted encoding.
 */
#include <string.h>

#include "crypto/sm2_internal.h"

int tlcp_sm2_der_tlv(tlcp_cursor *c, uint8_t tag, tlcp_cursor *body)
{
    uint8_t got;
    uint8_t first;
    size_t len;
    GUARD(tlcp_cursor_get_u8(c, &got));
    GUARD(got == tag);
    GUARD(tlcp_cursor_get_u8(c, &first));
    if (first < 0x80) {
        len = first;
    } else if (first == 0x81) {
        uint8_t v;
        GUARD(tlcp_cursor_get_u8(c, &v));
        GUARD(v >= 0x80); /* otherwise the short form was required */
        len = v;
    } else if (first == 0x82) {
        uint16_t v;
        GUARD(tlcp_cursor_get_u16(c, &v));
        GUARD(v >= 0x100);
        len = v;
    } else {
        return 0; /* indefinite, or longer than SM2 ever needs */
    }
    return tlcp_cursor_get_bytes(c, body, len);
}

int tlcp_sm2_der_uint256(tlcp_cursor *c, uint8_t out[32])
{
    tlcp_cursor body;
    GUARD(tlcp_sm2_der_tlv(c, DER_INTEGER, &body));
    size_t len = tlcp_cursor_len(&body);
    const uint8_t *v = tlcp_cursor_data(&body);
    GUARD(len >= 1);
    GUARD((v[0] & 0x80) == 0); /* negative */
    if (v[0] == 0x00 && len > 1) {
        GUARD((v[1] & 0x80) != 0); /* a needless leading zero */
        v++;
        len--;
    }
    GUARD(len <= 32);
    memset(out, 0, 32);
    memcpy(out + 32 - len, v, len);
    return 1;
}

/* Significant bytes of v (at least one) and whether a 0x00 must lead. */
static size_t significant(const uint8_t v[32], size_t *skip, int *pad)
{
    size_t i = 0;
    while (i < 31 && v[i] == 0) /* public values only: r, s, x1, y1 */
        i++;
    *skip = i;
    *pad = (v[i] & 0x80) != 0;
    return 32 - i + (size_t)*pad;
}

size_t tlcp_sm2_der_header_len(size_t len)
{
    return len < 0x80 ? 2 : len < 0x100 ? 3 : 4;
}

size_t tlcp_sm2_der_uint256_len(const uint8_t v[32])
{
    size_t skip;
    int pad;
    size_t body = significant(v, &skip, &pad);
    return tlcp_sm2_der_header_len(body) + body;
}

int tlcp_sm2_der_put_header(tlcp_builder *b, uint8_t tag, size_t len)
{
    GUARD(len <= 0xFFFF);
    GUARD(tlcp_builder_add_u8(b, tag));
    if (len < 0x80)
        return tlcp_builder_add_u8(b, (uint8_t)len);
    if (len < 0x100)
        return tlcp_builder_add_u8(b, 0x81) && tlcp_builder_add_u8(b, (uint8_t)len);
    return tlcp_builder_add_u8(b, 0x82) && tlcp_builder_add_u16(b, (uint16_t)len);
}

int tlcp_sm2_der_put_uint256(tlcp_builder *b, const uint8_t v[32])
{
    size_t skip;
    int pad;
    size_t body = significant(v, &skip, &pad);
    GUARD(tlcp_sm2_der_put_header(b, DER_INTEGER, body));
    if (pad)
        GUARD(tlcp_builder_add_u8(b, 0x00));
    return tlcp_builder_add_bytes(b, v + skip, 32 - skip);
}

/* The field prime p of sm2p256v1. */
static const uint8_t field_p[TLCP_SM2_FIELD_LEN] = {
    0xFF, 0xFF, 0xFF, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};

/* A canonical INTEGER below p. libcrypto reduces C1's coordinates mod p
 * before its curve check, so x + p would otherwise be a second accepted
 * encoding of the same ciphertext. */
static int der_coordinate(tlcp_cursor *c, uint8_t out[32])
{
    GUARD(tlcp_sm2_der_uint256(c, out));
    return memcmp(out, field_p, TLCP_SM2_FIELD_LEN) < 0; /* public bytes */
}

int tlcp_sm2_parse_ciphertext(const uint8_t *in, size_t in_len, struct tlcp_sm2_ciphertext *ct,
                              tlcp_error *err)
{
    tlcp_cursor all;
    tlcp_cursor seq;
    tlcp_cursor c3;
    tlcp_cursor c2;
    tlcp_cursor_init(&all, in, in_len);
    ENSURE(tlcp_sm2_der_tlv(&all, DER_SEQUENCE, &seq), err, TLCP_R_DECRYPT_FAILED,
           "SM2 ciphertext is not a DER SEQUENCE");
    ENSURE(tlcp_cursor_is_empty(&all), err, TLCP_R_DECRYPT_FAILED,
           "%zu bytes follow the SM2 ciphertext", tlcp_cursor_len(&all));
    ENSURE(der_coordinate(&seq, ct->c1) && der_coordinate(&seq, ct->c1 + 32), err,
           TLCP_R_DECRYPT_FAILED,
           "SM2 ciphertext point C1 is not two minimal DER INTEGERs below p");
    ENSURE(tlcp_sm2_der_tlv(&seq, DER_OCTET_STRING, &c3) &&
               tlcp_cursor_len(&c3) == TLCP_SM3_DIGEST_LEN,
           err, TLCP_R_DECRYPT_FAILED, "SM2 ciphertext hash C3 is not a 32-byte OCTET STRING");
    ENSURE(tlcp_sm2_der_tlv(&seq, DER_OCTET_STRING, &c2) && tlcp_cursor_len(&c2) > 0, err,
           TLCP_R_DECRYPT_FAILED, "SM2 ciphertext body C2 is not a non-empty OCTET STRING");
    ENSURE(tlcp_cursor_is_empty(&seq), err, TLCP_R_DECRYPT_FAILED,
           "SM2 ciphertext SEQUENCE holds extra fields");
    ct->c3 = tlcp_cursor_data(&c3);
    ct->c2 = tlcp_cursor_data(&c2);
    ct->c2_len = tlcp_cursor_len(&c2);
    return 1;
}
