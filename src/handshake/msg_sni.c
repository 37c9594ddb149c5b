/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server_name extension data (RFC 6066 §3): ServerNameList, a u16-prefixed
 * list of (NameType u8, HostName u16<1..2^16-1>). Only host_name (0) is
 * defined. A malformed list is a decode error; a host name that is empty,
 * over 255 bytes or has bytes outside visible ASCII is skipped: such a name
 * would reach the application's logs and file lookups through
 * tlcp_conn_server_name(), and no certificate could match it anyway.
 */
#include <string.h>

#include "handshake/msg_ext.h"
#include "handshake/msg_internal.h"

#define TLCP_SNI_HOST_NAME 0

static int host_name_usable(tlcp_cursor name)
{
    uint8_t ch;
    size_t len = tlcp_cursor_len(&name);
    if (len == 0 || len > TLCP_SNI_NAME_MAX)
        return 0;
    while (tlcp_cursor_get_u8(&name, &ch))
        if (ch < 0x21 || ch > 0x7E)
            return 0;
    return 1;
}

int tlcp_parse_server_name(tlcp_cursor data, tlcp_cursor *out_host, tlcp_error *err)
{
    tlcp_cursor list, name;
    uint8_t type;
    int found = 0;
    tlcp_cursor_init(out_host, NULL, 0);
    DECODE_ENSURE(tlcp_cursor_get_u16_prefixed(&data, &list), err,
                  "server_name: list length exceeds the extension");
    DECODE_ENSURE(tlcp_cursor_is_empty(&data), err, "server_name: %zu byte(s) after the list",
                  tlcp_cursor_len(&data));
    while (!tlcp_cursor_is_empty(&list)) {
        DECODE_ENSURE(tlcp_cursor_get_u8(&list, &type) &&
                          tlcp_cursor_get_u16_prefixed(&list, &name),
                      err, "server_name: entry overruns the list");
        if (type != TLCP_SNI_HOST_NAME || found || !host_name_usable(name))
            continue;
        *out_host = name;
        found = 1;
    }
    return 1;
}

int tlcp_build_server_name(tlcp_builder *b, const char *host)
{
    tlcp_builder list, name;
    GUARD(tlcp_builder_open_u16(b, &list));
    GUARD(tlcp_builder_add_u8(&list, TLCP_SNI_HOST_NAME));
    GUARD(tlcp_builder_open_u16(&list, &name));
    GUARD(tlcp_builder_add_bytes(&name, (const uint8_t *)host, strlen(host)));
    return tlcp_msg_build_done(b, tlcp_builder_flush(b));
}
