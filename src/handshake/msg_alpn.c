/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ALPN extension data (RFC 7301 §3.1): ProtocolNameList, a u16-prefixed
 * list of ProtocolName, each a u8-prefixed byte string of 1..255 bytes. The
 * list itself must not be empty; a ServerHello carries exactly one name.
 */
#include "handshake/msg_ext.h"
#include "handshake/msg_internal.h"

int tlcp_alpn_next(tlcp_cursor *names, tlcp_cursor *out_name)
{
    return tlcp_cursor_get_u8_prefixed(names, out_name);
}

int tlcp_parse_alpn(tlcp_cursor data, tlcp_alpn_list *out, tlcp_error *err)
{
    tlcp_cursor list, name;
    out->count = 0;
    DECODE_ENSURE(tlcp_cursor_get_u16_prefixed(&data, &list), err,
                  "ALPN: protocol list length exceeds the extension");
    DECODE_ENSURE(tlcp_cursor_is_empty(&data), err, "ALPN: %zu byte(s) after the list",
                  tlcp_cursor_len(&data));
    DECODE_ENSURE(!tlcp_cursor_is_empty(&list), err, "ALPN: empty protocol list");
    out->names = list;
    while (!tlcp_cursor_is_empty(&list)) {
        DECODE_ENSURE(tlcp_alpn_next(&list, &name), err,
                      "ALPN: protocol name %zu overruns the list", out->count + 1);
        DECODE_ENSURE(!tlcp_cursor_is_empty(&name), err, "ALPN: protocol name %zu is empty",
                      out->count + 1);
        out->count++;
    }
    return 1;
}

int tlcp_parse_alpn_selected(tlcp_cursor data, tlcp_cursor *out_name, tlcp_error *err)
{
    tlcp_alpn_list list;
    GUARD(tlcp_parse_alpn(data, &list, err));
    DECODE_ENSURE(list.count == 1, err, "ALPN: the server answered with %zu names, not one",
                  list.count);
    return tlcp_alpn_next(&list.names, out_name);
}

/* Names are compared in public (they travel in clear), so no constant time. */
static int same_name(tlcp_cursor a, const uint8_t *b, size_t len)
{
    uint8_t x;
    if (tlcp_cursor_len(&a) != len)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!tlcp_cursor_get_u8(&a, &x) || x != b[i])
            return 0;
    return 1;
}

int tlcp_alpn_contains(tlcp_cursor names, const uint8_t *name, size_t len)
{
    tlcp_cursor n;
    while (tlcp_alpn_next(&names, &n))
        if (same_name(n, name, len))
            return 1;
    return 0;
}

int tlcp_build_alpn(tlcp_builder *b, const uint8_t *names, size_t len)
{
    tlcp_builder list;
    GUARD(tlcp_builder_open_u16(b, &list));
    GUARD(tlcp_builder_add_bytes(&list, names, len));
    return tlcp_msg_build_done(b, tlcp_builder_flush(b));
}
