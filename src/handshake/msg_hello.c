/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ClientHello and ServerHello (tlcp-protocol.md §2.3): TLS 1.1 shape with
 * version 0x0101 and an optional extension block (absent in GB/T 38636-2020,
 * sent by Tongsuo and GmSSL 3 in practice).
 */
#include <string.h>

#include "handshake/messages.h"
#include "handshake/msg_internal.h"

const tlcp_extension *tlcp_find_extension(const tlcp_extension *exts, size_t num, uint16_t type)
{
    for (size_t i = 0; i < num; i++) {
        if (exts[i].type == type)
            return &exts[i];
    }
    return NULL;
}

static int parse_session_id(tlcp_cursor *c, uint8_t out[TLCP_MAX_SESSION_ID], size_t *out_len,
                            const char *what, tlcp_error *err)
{
    tlcp_cursor sid;
    DECODE_ENSURE(tlcp_cursor_get_u8_prefixed(c, &sid), err, "%s: session_id truncated", what);
    DECODE_ENSURE(tlcp_cursor_len(&sid) <= TLCP_MAX_SESSION_ID, err,
                  "%s: session_id of %zu bytes (at most %d allowed)", what, tlcp_cursor_len(&sid),
                  TLCP_MAX_SESSION_ID);
    *out_len = tlcp_cursor_len(&sid);
    DECODE_ENSURE(tlcp_cursor_copy_bytes(&sid, out, *out_len), err, "%s: session_id truncated",
                  what);
    return 1;
}

/* Version, random and session id open both hellos. */
static int parse_hello_start(tlcp_cursor *c, uint16_t *version, uint8_t random[32],
                             uint8_t sid[TLCP_MAX_SESSION_ID], size_t *sid_len, const char *what,
                             tlcp_error *err)
{
    DECODE_ENSURE(tlcp_cursor_get_u16(c, version), err, "%s: version truncated", what);
    DECODE_ENSURE(tlcp_cursor_copy_bytes(c, random, 32), err, "%s: random truncated", what);
    return parse_session_id(c, sid, sid_len, what, err);
}

/* A duplicate type is illegal (RFC 5246 §7.4.1.4): it would let the two ends
 * disagree about which copy counts. */
static int parse_extension_list(tlcp_cursor *c, tlcp_extension *exts, size_t *num, const char *what,
                                tlcp_error *err)
{
    tlcp_cursor list;
    DECODE_ENSURE(tlcp_cursor_get_u16_prefixed(c, &list), err,
                  "%s: extensions block length exceeds the message", what);
    *num = 0;
    while (!tlcp_cursor_is_empty(&list)) {
        uint16_t type;
        tlcp_cursor data;
        DECODE_ENSURE(*num < TLCP_MAX_EXTENSIONS, err, "%s: more than %d extensions", what,
                      TLCP_MAX_EXTENSIONS);
        DECODE_ENSURE(tlcp_cursor_get_u16(&list, &type), err, "%s: extension type truncated", what);
        DECODE_ENSURE(tlcp_cursor_get_u16_prefixed(&list, &data), err,
                      "%s: extension %u data longer than the extensions block", what, type);
        ILLEGAL_ENSURE(tlcp_find_extension(exts, *num, type) == NULL, err,
                       "%s: extension %u appears twice", what, type);
        exts[*num].type = type;
        exts[*num].data = data;
        (*num)++;
    }
    return 1;
}

/* The extension block is optional: absent when the body ends here. */
static int parse_optional_extensions(tlcp_cursor *c, int *has, tlcp_extension *exts, size_t *num,
                                     const char *what, tlcp_error *err)
{
    *has = 0;
    *num = 0;
    if (tlcp_cursor_is_empty(c))
        return 1;
    GUARD(parse_extension_list(c, exts, num, what, err));
    *has = 1;
    return 1;
}

static int parse_suite_list(tlcp_cursor *c, tlcp_cursor *out, tlcp_error *err)
{
    DECODE_ENSURE(tlcp_cursor_get_u16_prefixed(c, out), err,
                  "ClientHello: cipher_suites length exceeds the message");
    size_t n = tlcp_cursor_len(out);
    DECODE_ENSURE(n >= 2 && n % 2 == 0, err,
                  "ClientHello: cipher_suites list of %zu bytes (must be even and non-empty)", n);
    DECODE_ENSURE(n / 2 <= TLCP_MAX_CIPHER_SUITES, err,
                  "ClientHello: %zu cipher suites offered (at most %d accepted)", n / 2,
                  TLCP_MAX_CIPHER_SUITES);
    return 1;
}

static int parse_compression_list(tlcp_cursor *c, tlcp_cursor *out, tlcp_error *err)
{
    DECODE_ENSURE(tlcp_cursor_get_u8_prefixed(c, out), err,
                  "ClientHello: compression_methods length exceeds the message");
    DECODE_ENSURE(tlcp_cursor_len(out) >= 1, err, "ClientHello: empty compression_methods list");
    tlcp_cursor walk = *out;
    int has_null = 0;
    uint8_t m;
    while (tlcp_cursor_get_u8(&walk, &m)) {
        if (m == 0)
            has_null = 1;
    }
    ILLEGAL_ENSURE(has_null, err, "ClientHello: compression_methods lacks null (0)");
    return 1;
}

int tlcp_parse_client_hello(tlcp_cursor body, tlcp_client_hello *out, tlcp_error *err)
{
    static const char what[] = "ClientHello";
    memset(out, 0, sizeof(*out));
    tlcp_cursor c = body;
    GUARD(parse_hello_start(&c, &out->version, out->random, out->session_id, &out->session_id_len,
                            what, err));
    GUARD(parse_suite_list(&c, &out->cipher_suites, err));
    GUARD(parse_compression_list(&c, &out->compression_methods, err));
    GUARD(parse_optional_extensions(&c, &out->has_extensions, out->extensions, &out->num_extensions,
                                    what, err));
    TRAILING_ENSURE(c, err, what);
    return 1;
}

int tlcp_parse_server_hello(tlcp_cursor body, tlcp_server_hello *out, tlcp_error *err)
{
    static const char what[] = "ServerHello";
    memset(out, 0, sizeof(*out));
    tlcp_cursor c = body;
    GUARD(parse_hello_start(&c, &out->version, out->random, out->session_id, &out->session_id_len,
                            what, err));
    DECODE_ENSURE(tlcp_cursor_get_u16(&c, &out->cipher_suite), err,
                  "ServerHello: cipher_suite truncated");
    DECODE_ENSURE(tlcp_cursor_get_u8(&c, &out->compression_method), err,
                  "ServerHello: compression_method truncated");
    ILLEGAL_ENSURE(out->compression_method == 0, err,
                   "ServerHello: compression_method %u (only null is defined)",
                   out->compression_method);
    GUARD(parse_optional_extensions(&c, &out->has_extensions, out->extensions, &out->num_extensions,
                                    what, err));
    TRAILING_ENSURE(c, err, what);
    return 1;
}

/* ---- builders ---- */

static int build_hello_start(tlcp_builder *b, uint16_t version, const uint8_t random[32],
                             const uint8_t *sid, size_t sid_len)
{
    if (sid_len > TLCP_MAX_SESSION_ID)
        return 0;
    tlcp_builder child;
    GUARD(tlcp_builder_add_u16(b, version));
    GUARD(tlcp_builder_add_bytes(b, random, 32));
    GUARD(tlcp_builder_open_u8(b, &child));
    GUARD(tlcp_builder_add_bytes(&child, sid, sid_len));
    return tlcp_builder_flush(b);
}

static int build_extensions(tlcp_builder *b, int has, const tlcp_extension *exts, size_t num)
{
    if (!has)
        return 1;
    if (num > TLCP_MAX_EXTENSIONS)
        return 0;
    tlcp_builder list, data;
    GUARD(tlcp_builder_open_u16(b, &list));
    for (size_t i = 0; i < num; i++) {
        GUARD(tlcp_builder_add_u16(&list, exts[i].type));
        GUARD(tlcp_builder_open_u16(&list, &data));
        GUARD(tlcp_builder_add_bytes(&data, tlcp_cursor_data(&exts[i].data),
                                     tlcp_cursor_len(&exts[i].data)));
    }
    return tlcp_builder_flush(b);
}

static int build_client_hello(tlcp_builder *b, const tlcp_client_hello *m, const uint16_t *suites,
                              size_t num_suites)
{
    if (num_suites == 0 || num_suites > TLCP_MAX_CIPHER_SUITES || suites == NULL)
        return 0;
    GUARD(build_hello_start(b, m->version, m->random, m->session_id, m->session_id_len));
    tlcp_builder suite_list, comp_list;
    GUARD(tlcp_builder_open_u16(b, &suite_list));
    for (size_t i = 0; i < num_suites; i++)
        GUARD(tlcp_builder_add_u16(&suite_list, suites[i]));
    GUARD(tlcp_builder_open_u8(b, &comp_list));
    if (tlcp_cursor_len(&m->compression_methods) == 0) {
        GUARD(tlcp_builder_add_u8(&comp_list, 0));
    } else {
        GUARD(tlcp_builder_add_bytes(&comp_list, tlcp_cursor_data(&m->compression_methods),
                                     tlcp_cursor_len(&m->compression_methods)));
    }
    GUARD(tlcp_builder_flush(b));
    return build_extensions(b, m->has_extensions, m->extensions, m->num_extensions);
}

static int build_server_hello(tlcp_builder *b, const tlcp_server_hello *m)
{
    GUARD(build_hello_start(b, m->version, m->random, m->session_id, m->session_id_len));
    GUARD(tlcp_builder_add_u16(b, m->cipher_suite));
    GUARD(tlcp_builder_add_u8(b, m->compression_method));
    return build_extensions(b, m->has_extensions, m->extensions, m->num_extensions);
}

int tlcp_build_client_hello(tlcp_builder *b, const tlcp_client_hello *m, const uint16_t *suites,
                            size_t num_suites)
{
    return tlcp_msg_build_done(b, build_client_hello(b, m, suites, num_suites));
}

int tlcp_build_server_hello(tlcp_builder *b, const tlcp_server_hello *m)
{
    return tlcp_msg_build_done(b, build_server_hello(b, m));
}
