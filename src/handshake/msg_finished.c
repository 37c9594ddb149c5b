/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Finished (12 bytes of verify_data, tlcp-protocol.md §2.10) and the empty
 * ServerHelloDone and HelloRequest.
 */
#include <string.h>

#include "handshake/messages.h"
#include "handshake/msg_internal.h"

#define VERIFY_DATA_LEN 12

int tlcp_parse_finished(tlcp_cursor body, tlcp_finished *out, tlcp_error *err)
{
    memset(out, 0, sizeof(*out));
    DECODE_ENSURE(tlcp_cursor_len(&body) == VERIFY_DATA_LEN, err,
                  "Finished: %zu bytes of verify_data (exactly 12 expected)",
                  tlcp_cursor_len(&body));
    tlcp_cursor c = body;
    return tlcp_cursor_copy_bytes(&c, out->verify_data, VERIFY_DATA_LEN);
}

int tlcp_parse_server_hello_done(tlcp_cursor body, tlcp_error *err)
{
    TRAILING_ENSURE(body, err, "ServerHelloDone");
    return 1;
}

int tlcp_parse_hello_request(tlcp_cursor body, tlcp_error *err)
{
    TRAILING_ENSURE(body, err, "HelloRequest");
    return 1;
}

int tlcp_build_finished(tlcp_builder *b, const uint8_t verify_data[12])
{
    return tlcp_msg_build_done(b, verify_data != NULL &&
                                      tlcp_builder_add_bytes(b, verify_data, VERIFY_DATA_LEN));
}
