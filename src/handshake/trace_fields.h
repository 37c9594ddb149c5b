/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Field-by-field trace of handshake messages, in the spirit of the design
 * trace (docs/design-trace.en.md): the 4-byte header and then every field
 * with its wire bytes in hex and a readable gloss. Used by the trace
 * callback; never prints key material (the only secrets in handshake
 * messages travel encrypted, and ciphertext is fine to show).
 *
 * The fields are those the message's parser (msg_*.c) produced: one parser
 * per message. Input the parser rejects is printed as the hex of its body,
 * followed by one line "  (malformed: <the parser's reason>)"; the printer
 * never reads outside `msg`.
 */
#ifndef TLCP_HANDSHAKE_TRACE_FIELDS_H
#define TLCP_HANDSHAKE_TRACE_FIELDS_H

#include <stddef.h>
#include <stdint.h>

typedef void (*tlcp_trace_emit_fn)(void *arg, const char *line);

typedef struct tlcp_trace_msg_ctx {
    int is_server;         /* the printing side: 1 server, 0 client */
    int is_sending;        /* 1: this side wrote the message; 0: it read it */
    uint16_t cipher_suite; /* negotiated suite, picks the ECC or ECDHE key-exchange
                              shape; 0 = not known yet, guess from the bytes */
} tlcp_trace_msg_ctx;

/*
 * Prints one whole handshake message (header + body, as in the transcript).
 * The first line names it ("server read client_hello, 81 bytes"); the field
 * lines that follow are indented by two spaces. Each line goes to emit()
 * without a trailing newline. A NULL ctx means "client read, suite unknown";
 * a NULL emit prints nothing.
 */
void tlcp_trace_message(const tlcp_trace_msg_ctx *ctx, const uint8_t *msg, size_t len,
                        tlcp_trace_emit_fn emit, void *arg);

/* "client_hello", ..., or "unknown" for an unassigned number. */
const char *tlcp_hs_type_name(uint8_t type);

/* Suite names as in GB/T 38636-2020 ("ECC_SM4_CBC_SM3"), or "unknown(0x1234)".
 * Returned by value so several can appear in one printf. */
typedef struct tlcp_suite_name {
    char str[32];
} tlcp_suite_name;
tlcp_suite_name tlcp_cipher_suite_name(uint16_t suite);

/* 1 for the SM2 key-exchange (ECDHE) suites, whose SKE carries params and
 * whose CKE is a point rather than a ciphertext. */
int tlcp_cipher_suite_is_ecdhe(uint16_t suite);

/* "server_name", "application_layer_protocol_negotiation", ..., or NULL. */
const char *tlcp_extension_name(uint16_t type);

/* ClientCertificateType names ("ecdsa_sign"), or NULL. */
const char *tlcp_cert_type_name(uint8_t type);

#endif
