/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Field-by-field handshake message printer (see trace_fields.h).
 *
 * There is one parser per message, the engine's own (msg_*.c): the printer
 * runs it and prints the struct it produced, each field with its wire
 * bytes in hex and a gloss. A message the parser rejects is printed as the
 * hex of its body followed by "(malformed: <the parser's reason>)", so the
 * trace says exactly why the engine refused it. The data of server_name and
 * ALPN is glossed with what their parsers (msg_sni.c, msg_alpn.c) produced,
 * or their reason for refusing it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "handshake/messages.h"
#include "handshake/msg_ext.h"
#include "handshake/trace_fields.h"

#define LINE_MAX_CHARS  1024
#define HEX_SHORT       16 /* certificates: enough to see the DER header */
#define HEX_LONG        64 /* ciphertexts, tickets, names, extension data, malformed bodies */
#define HEX_FULL        80 /* randoms, points, signatures: shown whole */
#define MAX_SUITE_NAMES 12

typedef struct tracer {
    tlcp_trace_emit_fn emit;
    void *arg;
    uint16_t suite;
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

static tlcp_cursor bytes_cursor(const uint8_t *p, size_t n)
{
    tlcp_cursor c;
    tlcp_cursor_init(&c, p, n);
    return c;
}

/* A number as its `width` wire bytes. */
static void line_uint(tracer *t, uint32_t v, int width)
{
    for (int i = width - 1; i >= 0; i--)
        line_add(t, i == width - 1 ? "%02x" : " %02x", (v >> (8 * i)) & 0xFF);
}

/* "field: length <prefix>, <data hex>" for a vector with a `width`-byte length. */
static void print_vector(tracer *t, const char *field, tlcp_cursor data, int width, size_t max)
{
    line_start(t, field);
    line_add(t, "length ");
    line_uint(t, (uint32_t)tlcp_cursor_len(&data), width);
    if (!tlcp_cursor_is_empty(&data)) {
        line_add(t, ", ");
        line_hex(t, data, max);
    } else {
        line_add(t, " (empty)");
    }
    line_end(t);
}

/* "field: length <prefix> (N bytes)" for a list's outer length. */
static void print_list_length(tracer *t, const char *field, size_t total, int width)
{
    line_start(t, field);
    line_add(t, "length ");
    line_uint(t, (uint32_t)total, width);
    line_add(t, " (%zu bytes)", total);
    line_end(t);
}

static void print_hex_field(tracer *t, const char *field, tlcp_cursor data, size_t max)
{
    line_start(t, field);
    line_hex(t, data, max);
    line_end(t);
}

static void print_version(tracer *t, uint16_t v)
{
    line_start(t, "version");
    line_uint(t, v, 2);
    if (v == 0x0101)
        line_add(t, " (TLCP)");
    line_end(t);
}

static void print_hello_start(tracer *t, uint16_t version, const uint8_t random[32],
                              const uint8_t *sid, size_t sid_len)
{
    print_version(t, version);
    print_hex_field(t, "random", bytes_cursor(random, 32), HEX_FULL);
    line_start(t, "session_id");
    line_add(t, "(%zu bytes)", sid_len);
    if (sid_len > 0) {
        line_add(t, " ");
        line_hex(t, bytes_cursor(sid, sid_len), HEX_FULL);
    }
    line_end(t);
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

/* The names of a ProtocolNameList the ALPN parser accepted. */
static void line_alpn_names(tracer *t, tlcp_cursor names)
{
    tlcp_cursor name;
    line_add(t, " (");
    for (int first = 1; tlcp_alpn_next(&names, &name); first = 0) {
        if (!first)
            line_add(t, ", ");
        line_text(t, name);
    }
    line_add(t, ")");
}

/* What the engine's extension parsers (msg_sni.c, msg_alpn.c) make of the
 * data of server_name and ALPN, after its hex: the host name the server
 * would take, the protocols offered or the one selected, or the parser's
 * reason for refusing it. Other data (and a ServerHello's server_name,
 * which the client ignores) is shown as hex only. */
static void gloss_extension(tracer *t, int in_client_hello, uint16_t type, tlcp_cursor data)
{
    tlcp_error err;
    tlcp_error_clear(&err);
    if (type == TLCP_EXT_SERVER_NAME && in_client_hello) {
        tlcp_cursor host;
        if (!tlcp_parse_server_name(data, &host, &err)) {
            line_add(t, " (malformed: %s)", tlcp_error_message(&err));
        } else if (tlcp_cursor_is_empty(&host)) {
            line_add(t, " (no usable host_name)");
        } else {
            line_add(t, " (");
            line_text(t, host);
            line_add(t, ")");
        }
    } else if (type == TLCP_EXT_ALPN && in_client_hello) {
        tlcp_alpn_list list;
        if (tlcp_parse_alpn(data, &list, &err))
            line_alpn_names(t, list.names);
        else
            line_add(t, " (malformed: %s)", tlcp_error_message(&err));
    } else if (type == TLCP_EXT_ALPN) {
        tlcp_cursor name;
        if (tlcp_parse_alpn_selected(data, &name, &err)) {
            line_add(t, " (");
            line_text(t, name);
            line_add(t, ")");
        } else {
            line_add(t, " (malformed: %s)", tlcp_error_message(&err));
        }
    }
}

static void print_extensions(tracer *t, int in_client_hello, int present,
                             const tlcp_extension *exts, size_t num)
{
    if (!present) {
        line_start(t, "extensions");
        line_add(t, "(none)");
        line_end(t);
        return;
    }
    size_t total = 0;
    for (size_t i = 0; i < num; i++)
        total += 4 + tlcp_cursor_len(&exts[i].data);
    print_list_length(t, "extensions", total, 2);
    for (size_t i = 0; i < num; i++) {
        const char *name = tlcp_extension_name(exts[i].type);
        char field[48];
        snprintf(field, sizeof(field), "ext[%zu] %s", i, name != NULL ? name : "unknown");
        line_start(t, field);
        line_add(t, "type ");
        line_uint(t, exts[i].type, 2);
        line_add(t, " (%u)", exts[i].type);
        line_end(t);
        line_start(t, "  data");
        line_add(t, "length ");
        line_uint(t, (uint32_t)tlcp_cursor_len(&exts[i].data), 2);
        if (!tlcp_cursor_is_empty(&exts[i].data)) {
            line_add(t, ", ");
            line_hex(t, exts[i].data, HEX_LONG);
            gloss_extension(t, in_client_hello, exts[i].type, exts[i].data);
        }
        line_end(t);
    }
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

/* ---- one printer per parsed message ---- */

static void print_client_hello(tracer *t, const tlcp_client_hello *m)
{
    print_hello_start(t, m->version, m->random, m->session_id, m->session_id_len);
    line_start(t, "cipher_suites");
    line_uint(t, (uint32_t)tlcp_cursor_len(&m->cipher_suites), 2);
    line_add(t, " ");
    line_hex(t, m->cipher_suites, HEX_LONG);
    gloss_suites(t, m->cipher_suites);
    line_end(t);
    line_start(t, "compression_methods");
    line_uint(t, (uint32_t)tlcp_cursor_len(&m->compression_methods), 1);
    line_add(t, " ");
    line_hex(t, m->compression_methods, HEX_LONG);
    line_end(t);
    print_extensions(t, 1, m->has_extensions, m->extensions, m->num_extensions);
}

static void print_server_hello(tracer *t, const tlcp_server_hello *m)
{
    print_hello_start(t, m->version, m->random, m->session_id, m->session_id_len);
    line_start(t, "cipher_suite");
    line_uint(t, m->cipher_suite, 2);
    line_add(t, " (%s)", tlcp_cipher_suite_name(m->cipher_suite).str);
    line_end(t);
    line_start(t, "compression_method");
    line_uint(t, m->compression_method, 1);
    line_add(t, " (null)"); /* the parser accepts nothing else */
    line_end(t);
    print_extensions(t, 0, m->has_extensions, m->extensions, m->num_extensions);
}

static const char *cert_role(size_t i)
{
    /* By position only; the engine tells sign and enc apart by key usage. */
    return i == 0 ? "sign?" : i == 1 ? "enc?" : "chain?";
}

static void print_certificate(tracer *t, const tlcp_certificate_msg *m)
{
    size_t total = 0;
    for (size_t i = 0; i < m->num_certs; i++)
        total += 3 + tlcp_cursor_len(&m->certs[i]);
    print_list_length(t, "certificate_list", total, 3);
    for (size_t i = 0; i < m->num_certs; i++) {
        char field[32];
        snprintf(field, sizeof(field), "cert[%zu] (%s)", i, cert_role(i));
        print_vector(t, field, m->certs[i], 3, HEX_SHORT);
    }
}

/* ServerECDHParams as parsed: curve_type (always named_curve once parsed),
 * the curve number as received, the point. */
static void print_ecdh_params(tracer *t, uint16_t curve, tlcp_cursor point)
{
    line_start(t, "curve_type");
    line_uint(t, 3, 1);
    line_add(t, " (named_curve)");
    line_end(t);
    line_start(t, "named_curve");
    line_uint(t, curve, 2);
    line_add(t, curve == TLCP_NAMED_CURVE_SM2 ? " (curveSM2, 41)"
                : curve == 30                 ? " (GmSSL 2 SM2 id, 30)"
                                              : " (unknown)");
    line_end(t);
    print_vector(t, "point", point, 1, HEX_FULL);
}

static void print_server_key_exchange(tracer *t, const tlcp_server_key_exchange *m)
{
    if (m->has_params)
        print_ecdh_params(t, m->named_curve, m->point);
    print_vector(t, "signature", m->signature, 2, HEX_FULL);
}

static void print_client_key_exchange(tracer *t, int is_ecdhe, const tlcp_client_key_exchange *m)
{
    if (!is_ecdhe) {
        print_vector(t, "encrypted_pre_master", m->encrypted_pre_master, 2, HEX_LONG);
        return;
    }
    line_start(t, "form");
    if (m->ecdhe_form_b) {
        line_add(t, "B (length prefix ");
        line_uint(t, TLCP_ECDH_PARAMS_LEN, 2);
        line_add(t, ", GmSSL 3 style)");
    } else {
        line_add(t, "A (no length prefix)");
    }
    line_end(t);
    print_ecdh_params(t, m->named_curve, m->point);
}

static void print_certificate_request(tracer *t, const tlcp_certificate_request *m)
{
    uint8_t type;
    tlcp_cursor types = m->certificate_types;
    line_start(t, "certificate_types");
    line_add(t, "length ");
    line_uint(t, (uint32_t)tlcp_cursor_len(&types), 1);
    line_add(t, ", ");
    line_hex(t, types, HEX_LONG);
    line_add(t, " (");
    for (int first = 1; tlcp_cursor_get_u8(&types, &type); first = 0) {
        const char *name = tlcp_cert_type_name(type);
        line_add(t, first ? "%s" : ", %s", name != NULL ? name : "unknown");
    }
    line_add(t, ")");
    line_end(t);
    size_t total = 0;
    for (size_t i = 0; i < m->num_authorities; i++)
        total += 2 + tlcp_cursor_len(&m->authorities[i]);
    print_list_length(t, "certificate_authorities", total, 2);
    for (size_t i = 0; i < m->num_authorities; i++) {
        char field[32];
        snprintf(field, sizeof(field), "authority[%zu]", i);
        print_vector(t, field, m->authorities[i], 2, HEX_SHORT);
    }
}

static void print_new_session_ticket(tracer *t, const tlcp_new_session_ticket *m)
{
    line_start(t, "ticket_lifetime_hint");
    line_uint(t, m->lifetime_hint, 4);
    line_add(t, " (%u s)", m->lifetime_hint);
    line_end(t);
    print_vector(t, "ticket", m->ticket, 2, HEX_SHORT);
}

static void print_empty_body(tracer *t)
{
    line_start(t, "body");
    line_add(t, "(empty)");
    line_end(t);
}

/* The key-exchange shape when the suite is not known yet (a trace of a
 * message on its own): a guess from the first byte and the length, used
 * only to choose which parser to run. ECC SKE bodies open with a u16
 * signature length, ECDHE ones with curve_type 3; an ECC CKE ciphertext is
 * far longer than the 69 (form A) or 71 (form B) bytes of ECDHE. */
static int ske_is_ecdhe(const tracer *t, tlcp_cursor body)
{
    uint8_t first;
    if (t->suite != 0)
        return tlcp_cipher_suite_is_ecdhe(t->suite);
    return tlcp_cursor_peek_u8(&body, &first) && first == 3;
}

static int cke_is_ecdhe(const tracer *t, tlcp_cursor body)
{
    uint8_t first = 0;
    size_t len = tlcp_cursor_len(&body);
    if (t->suite != 0)
        return tlcp_cipher_suite_is_ecdhe(t->suite);
    if (len == 2 + TLCP_ECDH_PARAMS_LEN)
        return 1;
    return len == TLCP_ECDH_PARAMS_LEN && tlcp_cursor_peek_u8(&body, &first) && first == 3;
}

/* Parses the body with the engine's parser and prints the result; 0 with
 * err set when the parser rejects it. */
static int parse_and_print(tracer *t, uint8_t type, tlcp_cursor body, tlcp_error *err)
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
        tlcp_new_session_ticket nst;
    } m;
    int ecdhe;
    switch (type) {
    case TLCP_HS_CLIENT_HELLO:
        GUARD(tlcp_parse_client_hello(body, &m.ch, err));
        print_client_hello(t, &m.ch);
        return 1;
    case TLCP_HS_SERVER_HELLO:
        GUARD(tlcp_parse_server_hello(body, &m.sh, err));
        print_server_hello(t, &m.sh);
        return 1;
    case TLCP_HS_CERTIFICATE:
        GUARD(tlcp_parse_certificate(body, &m.cert, err));
        print_certificate(t, &m.cert);
        return 1;
    case TLCP_HS_SERVER_KEY_EXCHANGE:
        GUARD(tlcp_parse_server_key_exchange(body, ske_is_ecdhe(t, body), &m.ske, err));
        print_server_key_exchange(t, &m.ske);
        return 1;
    case TLCP_HS_CERTIFICATE_REQUEST:
        GUARD(tlcp_parse_certificate_request(body, &m.cr, err));
        print_certificate_request(t, &m.cr);
        return 1;
    case TLCP_HS_CLIENT_KEY_EXCHANGE:
        ecdhe = cke_is_ecdhe(t, body);
        GUARD(tlcp_parse_client_key_exchange(body, ecdhe, &m.cke, err));
        print_client_key_exchange(t, ecdhe, &m.cke);
        return 1;
    case TLCP_HS_CERTIFICATE_VERIFY:
        GUARD(tlcp_parse_certificate_verify(body, &m.cv, err));
        print_vector(t, "signature", m.cv.signature, 2, HEX_FULL);
        return 1;
    case TLCP_HS_FINISHED:
        GUARD(tlcp_parse_finished(body, &m.fin, err));
        print_hex_field(t, "verify_data", bytes_cursor(m.fin.verify_data, 12), HEX_FULL);
        return 1;
    case TLCP_HS_NEW_SESSION_TICKET:
        GUARD(tlcp_parse_new_session_ticket(body, &m.nst, err));
        print_new_session_ticket(t, &m.nst);
        return 1;
    case TLCP_HS_HELLO_REQUEST:
        GUARD(tlcp_parse_hello_request(body, err));
        print_empty_body(t);
        return 1;
    case TLCP_HS_SERVER_HELLO_DONE:
        GUARD(tlcp_parse_server_hello_done(body, err));
        print_empty_body(t);
        return 1;
    default: /* no parser for an unknown type: its bytes */
        if (!tlcp_cursor_is_empty(&body))
            print_hex_field(t, "body", body, HEX_LONG);
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

/* The body the header announces, parsed and printed; a body that does not
 * match the header, or that the parser rejects, as hex plus the reason. */
static void trace_body(tracer *t, uint8_t type, uint32_t declared, tlcp_cursor rest)
{
    size_t present = tlcp_cursor_len(&rest);
    if (declared != present) {
        if (present > 0)
            print_hex_field(t, "body", rest, HEX_LONG);
        emit_malformed(t, declared > present ? "body shorter than the length in the header"
                                             : "bytes after the length given in the header");
        return;
    }
    tlcp_error err;
    tlcp_error_clear(&err);
    if (parse_and_print(t, type, rest, &err))
        return;
    if (present > 0)
        print_hex_field(t, "body", rest, HEX_LONG);
    else
        print_empty_body(t);
    emit_malformed(t, tlcp_error_message(&err));
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
        print_hex_field(&t, "header", c, 4);
        emit_malformed(&t, "shorter than the 4-byte handshake header");
        return;
    }
    emit_header(&t, type, declared);
    trace_body(&t, type, declared, probe);
}
