/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The handshake trace printer on arbitrary bytes. Input: one flag byte
 * (bit 0 printing side is the server, bit 1 it is sending, bit 2 pass a NULL
 * context), the negotiated suite (u16, 0 = unknown), then the whole message
 * (header + body). The message is copied into its own allocation so ASan
 * sees any read before or after it. Every emitted line must be a short,
 * printable string; the printer may not fail in any other way.
 */
#include <stdlib.h>
#include <string.h>

#include "handshake/trace_fields.h"
#include "harness.h"

#define MAX_LINE 4096

typedef struct trace_sink {
    size_t lines;
    size_t bytes;
} trace_sink;

static void emit(void *arg, const char *line)
{
    trace_sink *sink = arg;
    size_t n = strnlen(line, MAX_LINE + 1);
    fuzz_require(n <= MAX_LINE, "trace: line longer than 4096 characters");
    for (size_t i = 0; i < n; i++)
        fuzz_require(line[i] >= 0x20 && line[i] < 0x7f, "trace: unprintable character in a line");
    sink->lines++;
    sink->bytes += n;
}

int fuzz_trace(const uint8_t *data, size_t len)
{
    if (len < 3)
        return 0;
    tlcp_trace_msg_ctx ctx = {
        .is_server = data[0] & 1,
        .is_sending = (data[0] >> 1) & 1,
        .cipher_suite = (uint16_t)(data[1] << 8 | data[2]),
    };
    size_t msg_len = len - 3;
    uint8_t *msg = malloc(msg_len ? msg_len : 1);
    fuzz_require(msg != NULL, "out of memory");
    if (msg_len)
        memcpy(msg, data + 3, msg_len);
    trace_sink sink = {0, 0};
    tlcp_trace_message((data[0] & 4) ? NULL : &ctx, msg, msg_len, emit, &sink);
    fuzz_require(sink.lines >= 1, "trace: no line printed for a message");
    /* Output stays proportional to the input: no amplification loops. */
    fuzz_require(sink.bytes <= 64 * msg_len + 4096, "trace: output out of proportion to input");
    tlcp_trace_message(&ctx, msg, msg_len, NULL, NULL);
    free(msg);
    return 0;
}
