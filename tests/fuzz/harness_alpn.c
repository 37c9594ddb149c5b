/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ALPN extension data (msg_alpn.c). The first input byte picks the parser:
 * even = a ClientHello's list, odd = a ServerHello's one-name answer; the
 * rest is the extension data. An accepted list must hold as many non-empty
 * names as counted, rebuild to the same bytes, and contain each of its
 * names; an accepted answer must also parse as a list of one. A refusal
 * must be decode_error with a reason.
 */
#include <stdlib.h>

#include "handshake/msg_ext.h"
#include "harness_msg.h"

static const int decode_only[] = {TLCP_ALERT_DECODE_ERROR, -1};

static void check_list(const tlcp_alpn_list *l, const uint8_t *data, size_t len)
{
    tlcp_cursor names = l->names, name;
    size_t n = 0;
    while (tlcp_alpn_next(&names, &name)) {
        fuzz_require(tlcp_cursor_len(&name) >= 1 && tlcp_cursor_len(&name) <= 255,
                     "ALPN: accepted a name of a bad length");
        fuzz_require(tlcp_alpn_contains(l->names, tlcp_cursor_data(&name), tlcp_cursor_len(&name)),
                     "ALPN: a parsed name is not found in its own list");
        n++;
    }
    fuzz_require(tlcp_cursor_is_empty(&names), "ALPN: list not a whole number of names");
    fuzz_require(n == l->count && n > 0, "ALPN: count differs from the names");
    tlcp_builder b;
    fuzz_msg_builder(&b);
    fuzz_bytes out = fuzz_msg_built(
        &b, tlcp_build_alpn(&b, tlcp_cursor_data(&l->names), tlcp_cursor_len(&l->names)), "ALPN");
    fuzz_msg_same_wire(out, data, len, "ALPN");
    free(out.data);
}

int fuzz_alpn(const uint8_t *data, size_t len)
{
    if (len == 0)
        return 0;
    int answer = data[0] & 1;
    tlcp_cursor in = fuzz_cursor(data + 1, len - 1);
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_alpn_list l;
    if (!answer) {
        if (!tlcp_parse_alpn(in, &l, &err)) {
            fuzz_require_rejection(&err, decode_only, "ALPN list");
            return 0;
        }
        check_list(&l, data + 1, len - 1);
        return 0;
    }
    tlcp_cursor name;
    if (!tlcp_parse_alpn_selected(in, &name, &err)) {
        fuzz_require_rejection(&err, decode_only, "ALPN answer");
        return 0;
    }
    fuzz_require(tlcp_parse_alpn(in, &l, &err) && l.count == 1,
                 "ALPN: answer is not a list of one");
    fuzz_require(tlcp_alpn_contains(l.names, tlcp_cursor_data(&name), tlcp_cursor_len(&name)),
                 "ALPN: answer name not in its list");
    check_list(&l, data + 1, len - 1);
    return 0;
}
