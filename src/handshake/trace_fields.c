/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Field-by-field handshake message printer (see trace_fields.h).
 *
 * The printer walks the bytes with its own lenient cursor reads so that it
 * can show a message up to the point where it breaks; when the walk gets
 * through, the strict parser from messages.h has the last word, so a message
 * the engine would reject is never printed as if it were fine.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "handshake/messages.h"
#include "handshake/trace_fields.h"

#define LINE_MAX_CHARS  1024
#define HEX_SHORT       16 /* certificates: enough to see the DER header */
#define HEX_LONG        64 /* ciphertexts, tickets, names, extension data */
#define HEX_FULL        80 /* randoms, points, signatures: shown whole */
#define MAX_SUITE_NAMES 12

typedef struct tracer {
    tlcp_trace_emit_fn emit;
    void *arg;
    uint16_t suite;
    const char *malformed; /* first walk failure */
    char line[LINE_MAX_CHARS];
    size_t len;
} tracer;

/* ---- line assembly (truncates rather than overflows) ---- */

static void line_add(tracer *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void line_add(tracer *t, const char *fmt, ...)
{
    if (t->len >= sizeof(t->line) - 1)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->line + t->len, sizeof(t->line) - t->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        t->len += (size_t)n < sizeof(t->line) - t->len ? (size_t)n : sizeof(t->line) - 1 - t->len;
}

static void line_start(tracer *t, const char *field)
{
    t->len = 0;
    t->line[0] = '\0';
    line_add(t, "  %s: ", field);
}

static void line_end(tracer *t)
{
    t->emit(t->arg, t->line);
    t->len = 0;
    t->line[0] = '\0';
}

/* The bytes of `c` as "aa bb cc", cut with "..." after `max` bytes. */
static void line_hex(tracer *t, tlcp_cursor c, size_t max)
{
    uint8_t v;
    size_t i = 0;
    while (i < max && tlcp_cursor_get_u8(&c, &v))
        line_add(t, i++ == 0 ? "%02x" : " %02x", v);
    if (!tlcp_cursor_is_empty(&c))
        line_add(t, " ...");
}

/* A number as its `width` wire bytes. */
static void line_uint(tracer *t, uint32_t v, int width)
{
    for (int i = width - 1; i >= 0; i--)
        line_add(t, i == width - 1 ? "%02x" : " %02x", (v >> (8 * i)) & 0xFF);
}

/* ---- walk helpers: print as they read, record why they stop ---- */

#define NEED(cond, why)                                                                            \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            t->malformed = (why);                                                                  \
            return 0;                                                                              \
        }                                                                                          \
    } while (0)

/* A 1/2/3-byte big-endian length. */
static int read_length(tlcp_cursor *c, int width, uint32_t *n)
{
    uint8_t u8;
    uint16_t u16;
    if (width == 3)
        return tlcp_cursor_get_u24(c, n);
    if (width == 2 && tlcp_cursor_get_u16(c, &u16)) {
        *n = u16;
        return 1;
    }
    if (width == 1 && tlcp_cursor_get_u8(c, &u8)) {
        *n = u8;
        return 1;
    }
    return 0;
}

/* "field: length <prefix>, <data hex>" for a 1/2/3-byte length vector. */
static int walk_vector(tracer *t, tlcp_cursor *c, const char *field, int width, size_t max)
{
    tlcp_cursor probe = *c, data;
    uint32_t n = 0;
    int ok = read_length(&probe, width, &n);
    NEED(ok, "length field truncated");
    line_start(t, field);
    line_add(t, "length ");
    line_uint(t, n, width);
    if (!tlcp_cursor_get_bytes(&probe, &data, n)) {
        line_add(t, " (%u bytes, only %zu present)", n, tlcp_cursor_len(&probe));
        line_end(t);
        NEED(0, "vector longer than the rest of the message");
    }
    if (n > 0) {
        line_add(t, ", ");
        line_hex(t, data, max);
    } else {
        line_add(t, " (empty)");
    }
    line_end(t);
    *c = probe;
    return 1;
}

static int walk_fixed(tracer *t, tlcp_cursor *c, const char *field, size_t n, size_t max)
{
    tlcp_cursor data;
    NEED(tlcp_cursor_get_bytes(c, &data, n), "field truncated");
    line_start(t, field);
    line_hex(t, data, max);
    line_end(t);
    return 1;
}

static int walk_version(tracer *t, tlcp_cursor *c)
{
    uint16_t v;
    NEED(tlcp_cursor_get_u16(c, &v), "version truncated");
    line_start(t, "version");
    line_uint(t, v, 2);
    if (v == 0x0101)
        line_add(t, " (TLCP)");
    line_end(t);
    return 1;
}

static int walk_session_id(tracer *t, tlcp_cursor *c)
{
    tlcp_cursor sid;
    NEED(tlcp_cursor_get_u8_prefixed(c, &sid), "session_id truncated");
    line_start(t, "session_id");
    line_add(t, "(%zu bytes)", tlcp_cursor_len(&sid));
    if (!tlcp_cursor_is_empty(&sid)) {
        line_add(t, " ");
        line_hex(t, sid, HEX_FULL);
    }
    line_end(t);
    return 1;
}

static int walk_hello_start(tracer *t, tlcp_cursor *c)
{
    if (!walk_version(t, c) || !walk_fixed(t, c, "random", 32, HEX_FULL))
        return 0;
    return walk_session_id(t, c);
}

/* Printable ASCII as-is, anything else as '.', for SNI and ALPN names. */
static void line_text(tracer *t, tlcp_cursor c)
{
    uint8_t v;
    line_add(t, "\"");
    while (tlcp_cursor_get_u8(&c, &v))
        line_add(t, "%c", v >= 0x20 && v < 0x7F && v != '"' ? (char)v : '.');
    line_add(t, "\"");
}

/* SNI: u16 list of {type u8, name u16<>}; ALPN: u16 list of u8<> names. */
static void gloss_names(tracer *t, uint16_t type, tlcp_cursor data)
{
    tlcp_cursor list, name;
    if (type != TLCP_EXT_SERVER_NAME && type != TLCP_EXT_ALPN)
        return;
    if (!tlcp_cursor_get_u16_prefixed(&data, &list) || !tlcp_cursor_is_empty(&data))
        return;
    line_add(t, " (");
    for (int first = 1; !tlcp_cursor_is_empty(&list); first = 0) {
        uint8_t name_type;
        int ok = type == TLCP_EXT_ALPN ? tlcp_cursor_get_u8_prefixed(&list, &name)
                                       : tlcp_cursor_get_u8(&list, &name_type) &&
                                             tlcp_cursor_get_u16_prefixed(&list, &name);
        if (!ok)
            break;
        if (!first)
            line_add(t, ", ");
        line_text(t, name);
    }
    line_add(t, ")");
}

static int walk_extensions(tracer *t, tlcp_cursor *c)
{
    if (tlcp_cursor_is_empty(c)) {
        line_start(t, "extensions");
        line_add(t, "(none)");
        line_end(t);
        return 1;
    }
    tlcp_cursor list;
    uint16_t total;
    tlcp_cursor probe = *c;
    NEED(tlcp_cursor_get_u16(&probe, &total), "extensions length truncated");
    line_start(t, "extensions");
    line_add(t, "length ");
    line_uint(t, total, 2);
    line_add(t, " (%u bytes)", total);
    line_end(t);
    NEED(tlcp_cursor_get_u16_prefixed(c, &list), "extensions block longer than the message");
    for (size_t i = 0; !tlcp_cursor_is_empty(&list); i++) {
        uint16_t type;
        tlcp_cursor data;
        NEED(tlcp_cursor_get_u16(&list, &type), "extension type truncated");
        const char *name = tlcp_extension_name(type);
        char field[48];
        snprintf(field, sizeof(field), "ext[%zu] %s", i, name != NULL ? name : "unknown");
        line_start(t, field);
        line_add(t, "type ");
        line_uint(t, type, 2);
        line_add(t, " (%u)", type);
        line_end(t);
        NEED(tlcp_cursor_get_u16_prefixed(&list, &data),
             "extension data longer than the extensions block");
        line_start(t, "  data");
        line_add(t, "length ");
        line_uint(t, (uint32_t)tlcp_cursor_len(&data), 2);
        if (!tlcp_cursor_is_empty(&data)) {
            line_add(t, ", ");
            line_hex(t, data, HEX_LONG);
            gloss_names(t, type, data);
        }
        line_end(t);
    }
    return 1;
}

static void gloss_suites(tracer *t, tlcp_cursor list)
{
    uint16_t s;
    size_t i = 0;
    line_add(t, " (");
    while (tlcp_cursor_get_u16(&list, &s)) {
        if (i == MAX_SUITE_NAMES) {
            line_add(t, ", ...");
            break;
        }
        line_add(t, i++ == 0 ? "%s" : ", %s", tlcp_cipher_suite_name(s).str);
    }
    line_add(t, ")");
}

/* ---- one walker per message ---- */

static int walk_client_hello(tracer *t, tlcp_cursor c)
{
    tlcp_cursor list;
    uint16_t n;
    GUARD(walk_hello_start(t, &c));
    tlcp_cursor probe = c;
    NEED(tlcp_cursor_get_u16(&probe, &n), "cipher_suites length truncated");
    NEED(tlcp_cursor_get_u16_prefixed(&c, &list), "cipher_suites longer than the message");
    line_start(t, "cipher_suites");
    line_uint(t, n, 2);
    line_add(t, " ");
    line_hex(t, list, HEX_LONG);
    gloss_suites(t, list);
    line_end(t);
    NEED(tlcp_cursor_get_u8_prefixed(&c, &list), "compression_methods truncated");
    line_start(t, "compression_methods");
    line_uint(t, (uint32_t)tlcp_cursor_len(&list), 1);
    if (!tlcp_cursor_is_empty(&list)) {
        line_add(t, " ");
        line_hex(t, list, HEX_LONG);
    }
    line_end(t);
    return walk_extensions(t, &c);
}

static int walk_server_hello(tracer *t, tlcp_cursor c)
{
    uint16_t suite;
    uint8_t comp;
    GUARD(walk_hello_start(t, &c));
    NEED(tlcp_cursor_get_u16(&c, &suite), "cipher_suite truncated");
    line_start(t, "cipher_suite");
    line_uint(t, suite, 2);
    line_add(t, " (%s)", tlcp_cipher_suite_name(suite).str);
    line_end(t);
    NEED(tlcp_cursor_get_u8(&c, &comp), "compression_method truncated");
    line_start(t, "compression_method");
    line_uint(t, comp, 1);
    line_add(t, comp == 0 ? " (null)" : " (unknown)");
    line_end(t);
    return walk_extensions(t, &c);
}

static const char *cert_role(size_t i)
{
    /* By position only; the engine tells sign and enc apart by key usage. */
    return i == 0 ? "sign?" : i == 1 ? "enc?" : "chain?";
}

static int walk_certificate(tracer *t, tlcp_cursor c)
{
    tlcp_cursor list;
    uint32_t total;
    tlcp_cursor probe = c;
    NEED(tlcp_cursor_get_u24(&probe, &total), "certificate_list length truncated");
    line_start(t, "certificate_list");
    line_add(t, "length ");
    line_uint(t, total, 3);
    line_add(t, " (%u bytes)", total);
    line_end(t);
    NEED(tlcp_cursor_get_u24_prefixed(&c, &list), "certificate_list longer than the message");
    for (size_t i = 0; !tlcp_cursor_is_empty(&list); i++) {
        char field[32];
        snprintf(field, sizeof(field), "cert[%zu] (%s)", i, cert_role(i));
        GUARD(walk_vector(t, &list, field, 3, HEX_SHORT));
    }
    return 1;
}

static int walk_ecdh_params(tracer *t, tlcp_cursor *c)
{
    uint8_t curve_type;
    uint16_t curve;
    NEED(tlcp_cursor_get_u8(c, &curve_type), "curve_type missing");
    line_start(t, "curve_type");
    line_uint(t, curve_type, 1);
    line_add(t, curve_type == 3 ? " (named_curve)" : " (not named_curve)");
    line_end(t);
    NEED(tlcp_cursor_get_u16(c, &curve), "named_curve truncated");
    line_start(t, "named_curve");
    line_uint(t, curve, 2);
    line_add(t, curve == TLCP_NAMED_CURVE_SM2 ? " (curveSM2, 41)"
                : curve == 30                 ? " (GmSSL 2 SM2 id, 30)"
                                              : " (unknown)");
    line_end(t);
    return walk_vector(t, c, "point", 1, HEX_FULL);
}

static int ske_is_ecdhe(const tracer *t, tlcp_cursor body)
{
    uint8_t first;
    if (t->suite != 0)
        return tlcp_cipher_suite_is_ecdhe(t->suite);
    /* ECC bodies open with a u16 signature length, ECDHE ones with curve_type 3. */
    return tlcp_cursor_peek_u8(&body, &first) && first == 3;
}

/* 0 = ECC ciphertext, 'A' or 'B' = ECDHE form (tlcp-protocol.md §8 D1). */
static int cke_shape(const tracer *t, tlcp_cursor body)
{
    uint16_t prefix = 0;
    uint8_t first = 0;
    size_t len = tlcp_cursor_len(&body);
    if (t->suite != 0 && !tlcp_cipher_suite_is_ecdhe(t->suite))
        return 0;
    if (tlcp_cursor_peek_u8(&body, &first) && tlcp_cursor_get_u16(&body, &prefix) &&
        len == 2 + TLCP_ECDH_PARAMS_LEN && prefix == TLCP_ECDH_PARAMS_LEN)
        return 'B';
    if (t->suite != 0)
        return 'A';
    /* Suite unknown: an ECC ciphertext is far longer than 69 bytes. */
    return len == TLCP_ECDH_PARAMS_LEN && first == 3 ? 'A' : 0;
}

static int walk_server_key_exchange(tracer *t, tlcp_cursor c)
{
    if (ske_is_ecdhe(t, c))
        GUARD(walk_ecdh_params(t, &c));
    return walk_vector(t, &c, "signature", 2, HEX_FULL);
}

static int walk_client_key_exchange(tracer *t, tlcp_cursor c)
{
    int shape = cke_shape(t, c);
    if (shape == 0)
        return walk_vector(t, &c, "encrypted_pre_master", 2, HEX_LONG);
    line_start(t, "form");
    if (shape == 'B') {
        uint16_t prefix;
        GUARD(tlcp_cursor_get_u16(&c, &prefix));
        line_add(t, "B (length prefix ");
        line_uint(t, prefix, 2);
        line_add(t, ", GmSSL 3 style)");
    } else {
        line_add(t, "A (no length prefix)");
    }
    line_end(t);
    return walk_ecdh_params(t, &c);
}

static int walk_certificate_request(tracer *t, tlcp_cursor c)
{
    tlcp_cursor types, names;
    uint8_t type;
    NEED(tlcp_cursor_get_u8_prefixed(&c, &types), "certificate_types truncated");
    /* Same shape as other vectors ("length NN, data"): printed bare, the
     * length byte read as one more type (02 01 40 looked like three). */
    line_start(t, "certificate_types");
    line_add(t, "length ");
    line_uint(t, (uint32_t)tlcp_cursor_len(&types), 1);
    if (tlcp_cursor_is_empty(&types)) {
        line_add(t, " (empty)");
        line_end(t);
        NEED(0, "empty certificate_types");
    }
    line_add(t, ", ");
    line_hex(t, types, HEX_LONG);
    line_add(t, " (");
    for (int first = 1; tlcp_cursor_get_u8(&types, &type); first = 0) {
        const char *name = tlcp_cert_type_name(type);
        line_add(t, first ? "%s" : ", %s", name != NULL ? name : "unknown");
    }
    line_add(t, ")");
    line_end(t);
    tlcp_cursor probe = c;
    uint16_t total;
    NEED(tlcp_cursor_get_u16(&probe, &total), "certificate_authorities length truncated");
    line_start(t, "certificate_authorities");
    line_add(t, "length ");
    line_uint(t, total, 2);
    line_add(t, " (%u bytes)", total);
    line_end(t);
    NEED(tlcp_cursor_get_u16_prefixed(&c, &names),
         "certificate_authorities longer than the message");
    for (size_t i = 0; !tlcp_cursor_is_empty(&names); i++) {
        char field[32];
        snprintf(field, sizeof(field), "authority[%zu]", i);
        GUARD(walk_vector(t, &names, field, 2, HEX_SHORT));
    }
    return 1;
}

static int walk_new_session_ticket(tracer *t, tlcp_cursor c)
{
    uint32_t hint;
    NEED(tlcp_cursor_get_u32(&c, &hint), "ticket_lifetime_hint truncated");
    line_start(t, "ticket_lifetime_hint");
    line_uint(t, hint, 4);
    line_add(t, " (%u s)", hint);
    line_end(t);
    GUARD(walk_vector(t, &c, "ticket", 2, HEX_SHORT));
    NEED(tlcp_cursor_is_empty(&c), "bytes after the ticket");
    return 1;
}

static int walk_body(tracer *t, uint8_t type, tlcp_cursor body)
{
    switch (type) {
    case TLCP_HS_CLIENT_HELLO:
        return walk_client_hello(t, body);
    case TLCP_HS_SERVER_HELLO:
        return walk_server_hello(t, body);
    case TLCP_HS_CERTIFICATE:
        return walk_certificate(t, body);
    case TLCP_HS_SERVER_KEY_EXCHANGE:
        return walk_server_key_exchange(t, body);
    case TLCP_HS_CERTIFICATE_REQUEST:
        return walk_certificate_request(t, body);
    case TLCP_HS_CLIENT_KEY_EXCHANGE:
        return walk_client_key_exchange(t, body);
    case TLCP_HS_CERTIFICATE_VERIFY:
        return walk_vector(t, &body, "signature", 2, HEX_FULL);
    case TLCP_HS_FINISHED:
        return walk_fixed(t, &body, "verify_data", tlcp_cursor_len(&body), HEX_FULL);
    case TLCP_HS_NEW_SESSION_TICKET:
        return walk_new_session_ticket(t, body);
    case TLCP_HS_HELLO_REQUEST:
    case TLCP_HS_SERVER_HELLO_DONE:
        if (tlcp_cursor_is_empty(&body)) {
            line_start(t, "body");
            line_add(t, "(empty)");
            line_end(t);
            return 1;
        }
        break;
    default:
        break;
    }
    if (!tlcp_cursor_is_empty(&body))
        GUARD(walk_fixed(t, &body, "body", tlcp_cursor_len(&body), HEX_LONG));
    return 1;
}

/* The engine's verdict on a body the walk got through (why it is rejected). */
static int strict_check(const tracer *t, uint8_t type, tlcp_cursor body, tlcp_error *err)
{
    union {
        tlcp_client_hello ch;
        tlcp_server_hello sh;
        tlcp_certificate_msg cert;
        tlcp_server_key_exchange ske;
        tlcp_certificate_request cr;
        tlcp_client_key_exchange cke;
        tlcp_certificate_verify cv;
        tlcp_finished fin;
    } m;
    switch (type) {
    case TLCP_HS_CLIENT_HELLO:
        return tlcp_parse_client_hello(body, &m.ch, err);
    case TLCP_HS_SERVER_HELLO:
        return tlcp_parse_server_hello(body, &m.sh, err);
    case TLCP_HS_CERTIFICATE:
        return tlcp_parse_certificate(body, &m.cert, err);
    case TLCP_HS_SERVER_KEY_EXCHANGE:
        return tlcp_parse_server_key_exchange(body, ske_is_ecdhe(t, body), &m.ske, err);
    case TLCP_HS_CERTIFICATE_REQUEST:
        return tlcp_parse_certificate_request(body, &m.cr, err);
    case TLCP_HS_SERVER_HELLO_DONE:
        return tlcp_parse_server_hello_done(body, err);
    case TLCP_HS_CLIENT_KEY_EXCHANGE:
        return tlcp_parse_client_key_exchange(body, cke_shape(t, body) != 0, &m.cke, err);
    case TLCP_HS_CERTIFICATE_VERIFY:
        return tlcp_parse_certificate_verify(body, &m.cv, err);
    case TLCP_HS_FINISHED:
        return tlcp_parse_finished(body, &m.fin, err);
    default:
        return 1;
    }
}

static void emit_title(tracer *t, const tlcp_trace_msg_ctx *ctx, const char *name, size_t len)
{
    t->len = 0;
    line_add(t, "%s %s %s, %zu bytes", ctx->is_server ? "server" : "client",
             ctx->is_sending ? "wrote" : "read", name, len);
    line_end(t);
}

static void emit_malformed(tracer *t, const char *why)
{
    t->len = 0;
    line_add(t, "  (malformed: %s)", why);
    line_end(t);
}

static void emit_header(tracer *t, uint8_t type, uint32_t declared)
{
    line_start(t, "header");
    line_uint(t, type, 1);
    line_add(t, " ");
    line_uint(t, declared, 3);
    line_add(t, " (%s, length %u)", tlcp_hs_type_name(type), declared);
    line_end(t);
}

/* Walks the body, then reports the first thing wrong with the message. */
static void trace_body(tracer *t, uint8_t type, uint32_t declared, tlcp_cursor rest)
{
    size_t present = tlcp_cursor_len(&rest);
    int short_body = declared > present;
    tlcp_cursor body;
    if (!tlcp_cursor_get_bytes(&rest, &body, short_body ? present : declared))
        return;
    tlcp_error err;
    tlcp_error_clear(&err);
    if (!walk_body(t, type, body))
        emit_malformed(t, t->malformed);
    else if (short_body)
        emit_malformed(t, "body shorter than the length in the header");
    else if (!tlcp_cursor_is_empty(&rest))
        emit_malformed(t, "bytes after the length given in the header");
    else if (!strict_check(t, type, body, &err))
        emit_malformed(t, err.message);
}

void tlcp_trace_message(const tlcp_trace_msg_ctx *ctx, const uint8_t *msg, size_t len,
                        tlcp_trace_emit_fn emit, void *arg)
{
    static const tlcp_trace_msg_ctx no_ctx = {0, 0, 0};
    if (emit == NULL)
        return;
    if (ctx == NULL)
        ctx = &no_ctx;
    tracer t;
    memset(&t, 0, sizeof(t));
    t.emit = emit;
    t.arg = arg;
    t.suite = ctx->cipher_suite;
    tlcp_cursor c;
    tlcp_cursor_init(&c, msg, len);
    uint8_t type = 0;
    uint32_t declared = 0;
    tlcp_cursor probe = c;
    int have_header = tlcp_cursor_get_u8(&probe, &type) && tlcp_cursor_get_u24(&probe, &declared);
    emit_title(&t, ctx, have_header ? tlcp_hs_type_name(type) : "a handshake fragment", len);
    if (!have_header) {
        line_start(&t, "header");
        line_hex(&t, c, 4);
        line_end(&t);
        emit_malformed(&t, "shorter than the 4-byte handshake header");
        return;
    }
    emit_header(&t, type, declared);
    trace_body(&t, type, declared, probe);
}
