/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ServerKeyExchange and ClientKeyExchange (tlcp-protocol.md §2.6, §2.8).
 *
 * ECC suites: SKE is a signature only and CKE an SM2 ciphertext, both behind
 * a u16 length. ECDHE suites: SKE is ServerECDHParams + signature; CKE is the
 * client's ECDHParams in one of two wire forms that real peers disagree on
 * (§8 D1): form A is the 69 bare bytes (Tongsuo, GmSSL 2, gotlcp), form B
 * puts a u16 length 0x0045 in front (GmSSL 3). Both are accepted, told apart
 * by length alone.
 */
#include <string.h>

#include "handshake/messages.h"
#include "handshake/msg_internal.h"

#define CURVE_TYPE_NAMED   3
#define POINT_LEN          65
#define POINT_UNCOMPRESSED 0x04
#define CKE_FORM_B_LEN     (2 + TLCP_ECDH_PARAMS_LEN)

/*
 * ECParameters + point: curve_type(1) = named_curve, namedcurve(2), point<1..255>.
 * The curve number is recorded but not checked: GmSSL 2 sends 30, everyone
 * else 41, and SM2 is the only curve TLCP knows (§8 D4).
 */
static int parse_ecdh_params(tlcp_cursor *c, tlcp_cursor *params, tlcp_cursor *point,
                             uint16_t *named_curve, const char *what, tlcp_error *err)
{
    const tlcp_cursor start = *c;
    uint8_t curve_type, form;
    DECODE_ENSURE(tlcp_cursor_get_u8(c, &curve_type), err, "%s: curve_type missing", what);
    ILLEGAL_ENSURE(curve_type == CURVE_TYPE_NAMED, err,
                   "%s: curve_type %u (only named_curve (3) is supported)", what, curve_type);
    DECODE_ENSURE(tlcp_cursor_get_u16(c, named_curve), err, "%s: named_curve truncated", what);
    DECODE_ENSURE(tlcp_cursor_get_u8_prefixed(c, point), err,
                  "%s: point length exceeds the message", what);
    DECODE_ENSURE(tlcp_cursor_len(point) == POINT_LEN, err,
                  "%s: point of %zu bytes (65-byte uncompressed SM2 point expected)", what,
                  tlcp_cursor_len(point));
    GUARD(tlcp_cursor_peek_u8(point, &form));
    ILLEGAL_ENSURE(form == POINT_UNCOMPRESSED, err,
                   "%s: point format 0x%02x (only uncompressed 0x04 is supported)", what, form);
    /* The params exactly as sent: what the SKE signature covers. */
    tlcp_cursor rest = start;
    return tlcp_cursor_get_bytes(&rest, params, tlcp_cursor_len(&start) - tlcp_cursor_len(c));
}

static int parse_signature(tlcp_cursor *c, tlcp_cursor *sig, const char *what, tlcp_error *err)
{
    DECODE_ENSURE(tlcp_cursor_get_u16_prefixed(c, sig), err,
                  "%s: signature length exceeds the message", what);
    DECODE_ENSURE(tlcp_cursor_len(sig) >= 1, err, "%s: empty signature", what);
    return 1;
}

int tlcp_parse_server_key_exchange(tlcp_cursor body, int is_ecdhe, tlcp_server_key_exchange *out,
                                   tlcp_error *err)
{
    static const char what[] = "ServerKeyExchange";
    memset(out, 0, sizeof(*out));
    tlcp_cursor c = body;
    if (is_ecdhe) {
        GUARD(parse_ecdh_params(&c, &out->params, &out->point, &out->named_curve, what, err));
        out->has_params = 1;
    }
    GUARD(parse_signature(&c, &out->signature, what, err));
    TRAILING_ENSURE(c, err, what);
    return 1;
}

static int parse_cke_ecdhe(tlcp_cursor c, tlcp_client_key_exchange *out, tlcp_error *err)
{
    static const char what[] = "ClientKeyExchange";
    size_t len = tlcp_cursor_len(&c);
    DECODE_ENSURE(len == TLCP_ECDH_PARAMS_LEN || len == CKE_FORM_B_LEN, err,
                  "ClientKeyExchange: ECDHE body of %zu bytes (69, or 71 with a length prefix, "
                  "expected)",
                  len);
    if (len == CKE_FORM_B_LEN) {
        uint16_t prefix;
        GUARD(tlcp_cursor_get_u16(&c, &prefix));
        DECODE_ENSURE(prefix == TLCP_ECDH_PARAMS_LEN, err,
                      "ClientKeyExchange: 71-byte ECDHE body starts with 0x%04x, not the "
                      "length 0x0045",
                      prefix);
        out->ecdhe_form_b = 1;
    }
    GUARD(parse_ecdh_params(&c, &out->params, &out->point, &out->named_curve, what, err));
    TRAILING_ENSURE(c, err, what);
    return 1;
}

int tlcp_parse_client_key_exchange(tlcp_cursor body, int is_ecdhe, tlcp_client_key_exchange *out,
                                   tlcp_error *err)
{
    memset(out, 0, sizeof(*out));
    if (is_ecdhe)
        return parse_cke_ecdhe(body, out, err);
    tlcp_cursor c = body;
    DECODE_ENSURE(tlcp_cursor_get_u16_prefixed(&c, &out->encrypted_pre_master), err,
                  "ClientKeyExchange: encrypted pre-master length exceeds the message");
    /* An empty ciphertext can never decrypt; refusing it here says nothing
     * about any secret. */
    DECODE_ENSURE(tlcp_cursor_len(&out->encrypted_pre_master) >= 1, err,
                  "ClientKeyExchange: empty encrypted pre-master");
    TRAILING_ENSURE(c, err, "ClientKeyExchange");
    return 1;
}

/* ---- builders ---- */

static int build_ecdh_params(tlcp_builder *b, const uint8_t point[65])
{
    if (point == NULL || point[0] != POINT_UNCOMPRESSED)
        return 0;
    GUARD(tlcp_builder_add_u8(b, CURVE_TYPE_NAMED));
    GUARD(tlcp_builder_add_u16(b, TLCP_NAMED_CURVE_SM2));
    GUARD(tlcp_builder_add_u8(b, POINT_LEN));
    return tlcp_builder_add_bytes(b, point, POINT_LEN);
}

int tlcp_build_ecdh_params(tlcp_builder *b, const uint8_t point[65])
{
    return tlcp_msg_build_done(b, build_ecdh_params(b, point));
}

static int build_u16_vector(tlcp_builder *b, const uint8_t *data, size_t len)
{
    if (len == 0 || len > 0xFFFF || data == NULL)
        return 0;
    tlcp_builder v;
    GUARD(tlcp_builder_open_u16(b, &v));
    GUARD(tlcp_builder_add_bytes(&v, data, len));
    return tlcp_builder_flush(b);
}

static int build_server_key_exchange(tlcp_builder *b, const uint8_t *params, size_t params_len,
                                     const uint8_t *sig, size_t sig_len)
{
    if (params_len != 0) {
        if (params_len != TLCP_ECDH_PARAMS_LEN || params == NULL)
            return 0;
        GUARD(tlcp_builder_add_bytes(b, params, params_len));
    }
    return build_u16_vector(b, sig, sig_len);
}

int tlcp_build_server_key_exchange(tlcp_builder *b, const uint8_t *params, size_t params_len,
                                   const uint8_t *sig, size_t sig_len)
{
    return tlcp_msg_build_done(b, build_server_key_exchange(b, params, params_len, sig, sig_len));
}

int tlcp_build_client_key_exchange_ecc(tlcp_builder *b, const uint8_t *ct, size_t ct_len)
{
    return tlcp_msg_build_done(b, build_u16_vector(b, ct, ct_len));
}

static int build_cke_ecdhe(tlcp_builder *b, const uint8_t point[65], int form_b)
{
    if (form_b)
        GUARD(tlcp_builder_add_u16(b, TLCP_ECDH_PARAMS_LEN));
    return build_ecdh_params(b, point);
}

int tlcp_build_client_key_exchange_ecdhe(tlcp_builder *b, const uint8_t point[65], int form_b)
{
    return tlcp_msg_build_done(b, build_cke_ecdhe(b, point, form_b));
}
