/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared steps of the handshake message harnesses. Each one checks the same
 * round trip: a body the parser accepts must rebuild (the builder may not
 * refuse what the parser produced) to the identical bytes, and those bytes
 * must parse again to an equal struct. A body the parser refuses must come
 * with a reason and the decode_error or illegal_parameter alert.
 */
#ifndef TLCP_FUZZ_HARNESS_MSG_H
#define TLCP_FUZZ_HARNESS_MSG_H

#include "handshake/messages.h"
#include "harness.h"

typedef struct fuzz_bytes {
    uint8_t *data; /* heap, caller frees */
    size_t len;
} fuzz_bytes;

void fuzz_msg_rejected(const tlcp_error *err, const char *what);
/* A fresh growable builder (aborts if that fails). */
void fuzz_msg_builder(tlcp_builder *b);
/* Requires `built` and hands out the builder's bytes. */
fuzz_bytes fuzz_msg_built(tlcp_builder *b, int built, const char *what);
/* Requires the rebuilt message to equal the parsed input byte for byte. */
void fuzz_msg_same_wire(fuzz_bytes rebuilt, const uint8_t *data, size_t len, const char *what);
int fuzz_same_cursor(const tlcp_cursor *a, const tlcp_cursor *b);
int fuzz_same_extensions(const tlcp_extension *a, size_t na, const tlcp_extension *b, size_t nb);
tlcp_cursor fuzz_cursor(const uint8_t *data, size_t len);

#endif
