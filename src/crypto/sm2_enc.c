/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SM2 public-key encryption (GB/T 32918.4) in the GM/T 0009 DER form
 * SEQUENCE { INTEGER x1, INTEGER y1, OCTET STRING C3, OCTET STRING C2 },
 * which is what TLCP's ClientKeyExchange carries and what libcrypto 3
 * produces and consumes.
 *
 * libcrypto's ASN.1 decoder is lenient (BER lengths, trailing bytes), so
 * decryption first checks the exact DER shape itself, through tlcp_cursor.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "crypto/sm2_internal.h"
#include "util/bytes.h"
#include "util/mem.h"

#define DER_INTEGER      0x02
#define DER_OCTET_STRING 0x04
#define DER_SEQUENCE     0x30

/* One DER TLV with a minimal definite length (short form, 0x81 or 0x82:
 * SM2 ciphertexts above 64 KiB are not supported). */
static int der_tlv(tlcp_cursor *c, uint8_t tag, tlcp_cursor *body)
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
        return 0;
    }
    return tlcp_cursor_get_bytes(c, body, len);
}

/* The field prime p of sm2p256v1. */
static const uint8_t field_p[TLCP_SM2_FIELD_LEN] = {
    0xFF, 0xFF, 0xFF, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};

/* A non-negative, minimally encoded INTEGER below p. libcrypto reduces C1's
 * coordinates mod p before its curve check, so x + p would otherwise be a
 * second accepted encoding of the same ciphertext. */
static int der_coordinate(tlcp_cursor *c)
{
    tlcp_cursor body;
    GUARD(der_tlv(c, DER_INTEGER, &body));
    size_t len = tlcp_cursor_len(&body);
    const uint8_t *v = tlcp_cursor_data(&body);
    GUARD(len >= 1 && len <= TLCP_SM2_FIELD_LEN + 1);
    GUARD((v[0] & 0x80) == 0); /* negative */
    if (v[0] == 0x00 && len > 1)
        GUARD((v[1] & 0x80) != 0); /* a needless leading zero */
    if (len == TLCP_SM2_FIELD_LEN + 1) {
        GUARD(v[0] == 0x00);
        v++;
        len--;
    }
    uint8_t value[TLCP_SM2_FIELD_LEN] = {0};
    memcpy(value + sizeof(value) - len, v, len);
    return memcmp(value, field_p, sizeof(value)) < 0; /* public bytes */
}

/* Checks the whole ciphertext is exactly one canonical SM2 ciphertext;
 * returns the C2 (plaintext) length. */
static int check_ciphertext_der(const uint8_t *in, size_t in_len, size_t *c2_len, tlcp_error *err)
{
    tlcp_cursor all;
    tlcp_cursor seq;
    tlcp_cursor c3;
    tlcp_cursor c2;
    tlcp_cursor_init(&all, in, in_len);
    ENSURE(der_tlv(&all, DER_SEQUENCE, &seq), err, TLCP_R_DECRYPT_FAILED,
           "SM2 ciphertext is not a DER SEQUENCE");
    ENSURE(tlcp_cursor_is_empty(&all), err, TLCP_R_DECRYPT_FAILED,
           "%zu bytes follow the SM2 ciphertext", tlcp_cursor_len(&all));
    ENSURE(der_coordinate(&seq) && der_coordinate(&seq), err, TLCP_R_DECRYPT_FAILED,
           "SM2 ciphertext point C1 is not two minimal DER INTEGERs below p");
    ENSURE(der_tlv(&seq, DER_OCTET_STRING, &c3) && tlcp_cursor_len(&c3) == TLCP_SM3_DIGEST_LEN, err,
           TLCP_R_DECRYPT_FAILED, "SM2 ciphertext hash C3 is not a 32-byte OCTET STRING");
    ENSURE(der_tlv(&seq, DER_OCTET_STRING, &c2) && tlcp_cursor_len(&c2) > 0, err,
           TLCP_R_DECRYPT_FAILED, "SM2 ciphertext body C2 is not a non-empty OCTET STRING");
    ENSURE(tlcp_cursor_is_empty(&seq), err, TLCP_R_DECRYPT_FAILED,
           "SM2 ciphertext SEQUENCE holds extra fields");
    *c2_len = tlcp_cursor_len(&c2);
    return 1;
}

int tlcp_sm2_encrypt(const tlcp_pkey *key, const uint8_t *in, size_t in_len, uint8_t *out,
                     size_t *out_len, size_t out_cap, tlcp_error *err)
{
    ENSURE(key != NULL && in != NULL && out != NULL && out_len != NULL, err,
           TLCP_R_INVALID_ARGUMENT, "tlcp_sm2_encrypt: missing argument");
    ENSURE(in_len > 0 && in_len <= 0xFFFF - TLCP_SM2_CIPHERTEXT_OVERHEAD, err,
           TLCP_R_INVALID_ARGUMENT, "SM2 plaintext length %zu is outside 1..%d", in_len,
           0xFFFF - TLCP_SM2_CIPHERTEXT_OVERHEAD);

    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key->pkey, NULL);
    uint8_t *buf = NULL;
    size_t need = 0;
    int ok = ctx != NULL && EVP_PKEY_encrypt_init(ctx) == 1 &&
             EVP_PKEY_encrypt(ctx, NULL, &need, in, in_len) == 1 && (buf = malloc(need)) != NULL &&
             EVP_PKEY_encrypt(ctx, buf, &need, in, in_len) == 1;
    EVP_PKEY_CTX_free(ctx);
    if (!ok) {
        free(buf);
        return CRYPTO_FAIL(err, TLCP_R_CRYPTO, "SM2 encryption failed");
    }
    if (need > out_cap) {
        free(buf);
        ENSURE(0, err, TLCP_R_INVALID_ARGUMENT,
               "ciphertext buffer holds %zu bytes, the ciphertext needs %zu", out_cap, need);
    }
    memcpy(out, buf, need);
    *out_len = need;
    free(buf); /* ciphertext only: nothing secret */
    return 1;
}

int tlcp_sm2_decrypt(const tlcp_pkey *key, const uint8_t *in, size_t in_len, uint8_t *out,
                     size_t *out_len, size_t out_cap, tlcp_error *err)
{
    ENSURE(key != NULL && in != NULL && out != NULL && out_len != NULL, err,
           TLCP_R_INVALID_ARGUMENT, "tlcp_sm2_decrypt: missing argument");
    size_t c2_len = 0;
    GUARD(check_ciphertext_der(in, in_len, &c2_len, err));
    ENSURE(tlcp_pkey_has_private(key), err, TLCP_R_BAD_KEY, "cannot decrypt with a public SM2 key");

    /* libcrypto decides the buffer size from the DER; never trust it to be
     * at least C2's length, allocate whichever is larger. */
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key->pkey, NULL);
    uint8_t *pt = NULL;
    size_t cap = 0;
    size_t pt_len = 0;
    int ok = ctx != NULL && EVP_PKEY_decrypt_init(ctx) == 1 &&
             EVP_PKEY_decrypt(ctx, NULL, &cap, in, in_len) == 1;
    if (ok) {
        cap = cap > c2_len ? cap : c2_len;
        pt_len = cap;
        ok = (pt = malloc(cap)) != NULL && EVP_PKEY_decrypt(ctx, pt, &pt_len, in, in_len) == 1 &&
             pt_len == c2_len;
    }
    EVP_PKEY_CTX_free(ctx);
    if (!ok) {
        tlcp_free_secret(pt, cap);
        /* A point off the curve or a wrong C3 both end here. */
        return CRYPTO_FAIL(err, TLCP_R_DECRYPT_FAILED, "SM2 decryption failed");
    }
    if (pt_len > out_cap) {
        tlcp_free_secret(pt, cap);
        ENSURE(0, err, TLCP_R_INVALID_ARGUMENT,
               "plaintext buffer holds %zu bytes, the plaintext has %zu", out_cap, pt_len);
    }
    memcpy(out, pt, pt_len);
    *out_len = pt_len;
    tlcp_free_secret(pt, cap);
    return 1;
}
