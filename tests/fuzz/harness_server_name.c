/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server_name extension data (msg_sni.c). A refusal must be decode_error
 * with a reason. An accepted list yields no host or one of 1..255 visible
 * ASCII bytes that lies inside the input; that host, built alone, must
 * parse back to the same name.
 */
#include <stdlib.h>

#include "handshake/msg_ext.h"
#include "harness_msg.h"

static const int decode_only[] = {TLCP_ALERT_DECODE_ERROR, -1};

int fuzz_server_name(const uint8_t *data, size_t len)
{
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_cursor host;
    if (!tlcp_parse_server_name(fuzz_cursor(data, len), &host, &err)) {
        fuzz_require_rejection(&err, decode_only, "server_name");
        return 0;
    }
    size_t n = tlcp_cursor_len(&host);
    if (n == 0)
        return 0;
    fuzz_require(n <= 255, "server_name: host over 255 bytes");
    const uint8_t *h = tlcp_cursor_data(&host);
    fuzz_require(h >= data && h + n <= data + len, "server_name: host outside the input");
    char name[256];
    for (size_t i = 0; i < n; i++) {
        fuzz_require(h[i] >= 0x21 && h[i] <= 0x7E, "server_name: host byte not visible ASCII");
        name[i] = (char)h[i];
    }
    name[n] = '\0';
    tlcp_builder b;
    fuzz_msg_builder(&b);
    fuzz_bytes out = fuzz_msg_built(&b, tlcp_build_server_name(&b, name), "server_name");
    tlcp_cursor again;
    fuzz_require(tlcp_parse_server_name(fuzz_cursor(out.data, out.len), &again, &err) &&
                     fuzz_same_cursor(&again, &host),
                 "server_name: rebuilt host does not parse back");
    free(out.data);
    return 0;
}
