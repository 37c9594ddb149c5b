/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Handshake message codecs: each message is parsed from its body (the bytes
 * after the 4-byte handshake header) into a typed struct, and built from the
 * struct into a builder (body only; the framer adds the header). Parsers read
 * only through tlcp_cursor, check every length, reject trailing bytes, and on
 * failure record TLCP_R_DECODE / TLCP_R_TRAILING_DATA with alert decode_error
 * (or illegal_parameter where a value, not the encoding, is wrong).
 * Parsed structs point into the message buffer (no copies) unless noted.
 */
#ifndef TLCP_HANDSHAKE_MESSAGES_H
#define TLCP_HANDSHAKE_MESSAGES_H

#include <stddef.h>
#include <stdint.h>

#include "util/bytes.h"
#include "util/error.h"

enum tlcp_hs_type {
    TLCP_HS_HELLO_REQUEST = 0,
    TLCP_HS_CLIENT_HELLO = 1,
    TLCP_HS_SERVER_HELLO = 2,
    TLCP_HS_NEW_SESSION_TICKET = 4,
    TLCP_HS_CERTIFICATE = 11,
    TLCP_HS_SERVER_KEY_EXCHANGE = 12,
    TLCP_HS_CERTIFICATE_REQUEST = 13,
    TLCP_HS_SERVER_HELLO_DONE = 14,
    TLCP_HS_CERTIFICATE_VERIFY = 15,
    TLCP_HS_CLIENT_KEY_EXCHANGE = 16,
    TLCP_HS_FINISHED = 20
};

#define TLCP_MAX_SESSION_ID       32
#define TLCP_MAX_CERTS            10 /* sign, enc and up to 8 chain certificates */
#define TLCP_MAX_EXTENSIONS       32
#define TLCP_MAX_CIPHER_SUITES    256 /* more offered suites are a decode error */
#define TLCP_EXT_SERVER_NAME      0
#define TLCP_EXT_ALPN             16
#define TLCP_EXT_SESSION_TICKET   35
#define TLCP_SCSV_RENEGOTIATION   0x00FF
#define TLCP_CERT_TYPE_ECDSA_SIGN 64 /* also SM2 */
#define TLCP_NAMED_CURVE_SM2      41
#define TLCP_ECDH_PARAMS_LEN      69 /* 03 | 00 29 | 41 | 04 X Y */

typedef struct tlcp_extension {
    uint16_t type;
    tlcp_cursor data;
} tlcp_extension;

typedef struct tlcp_client_hello {
    uint16_t version;
    uint8_t random[32];
    uint8_t session_id[TLCP_MAX_SESSION_ID];
    size_t session_id_len;
    tlcp_cursor cipher_suites; /* raw u16 list, even length >= 2 */
    tlcp_cursor compression_methods;
    int has_extensions;
    tlcp_extension extensions[TLCP_MAX_EXTENSIONS];
    size_t num_extensions;
} tlcp_client_hello;

typedef struct tlcp_server_hello {
    uint16_t version;
    uint8_t random[32];
    uint8_t session_id[TLCP_MAX_SESSION_ID];
    size_t session_id_len;
    uint16_t cipher_suite;
    uint8_t compression_method;
    int has_extensions;
    tlcp_extension extensions[TLCP_MAX_EXTENSIONS];
    size_t num_extensions;
} tlcp_server_hello;

/* Certificate: a list of DER certificates (not parsed as X.509 here). */
typedef struct tlcp_certificate_msg {
    tlcp_cursor certs[TLCP_MAX_CERTS];
    size_t num_certs;
} tlcp_certificate_msg;

/* ServerKeyExchange: ECC = signature only; ECDHE = params(69) + signature. */
typedef struct tlcp_server_key_exchange {
    int has_params;
    tlcp_cursor params;    /* ServerECDHParams exactly as sent (69 bytes) */
    tlcp_cursor point;     /* 65-byte uncompressed point inside params */
    uint16_t named_curve;  /* as received; ignored on receipt (tlcp-protocol.md D4) */
    tlcp_cursor signature; /* DER SM2 signature */
} tlcp_server_key_exchange;

typedef struct tlcp_certificate_request {
    tlcp_cursor certificate_types;
    tlcp_cursor authorities[TLCP_MAX_CERTS * 4]; /* DER Names */
    size_t num_authorities;
} tlcp_certificate_request;

/* ClientKeyExchange. ECC: u16-prefixed SM2 ciphertext. ECDHE: params in form A
 * (69 bytes) or form B (u16 0x0045 + 69 bytes). */
typedef struct tlcp_client_key_exchange {
    tlcp_cursor encrypted_pre_master; /* ECC */
    tlcp_cursor point;                /* ECDHE: 65-byte point */
    int ecdhe_form_b;                 /* ECDHE: 1 if the u16 prefix was present */
    tlcp_cursor params;               /* ECDHE: the 69 params bytes (without the form B prefix) */
    uint16_t named_curve;             /* ECDHE: as received; ignored (tlcp-protocol.md D4) */
} tlcp_client_key_exchange;

typedef struct tlcp_certificate_verify {
    tlcp_cursor signature;
} tlcp_certificate_verify;

typedef struct tlcp_finished {
    uint8_t verify_data[12];
} tlcp_finished;

/* NewSessionTicket (RFC 5077 3.3): lifetime hint and the opaque ticket. */
typedef struct tlcp_new_session_ticket {
    uint32_t lifetime_hint; /* seconds, 0 = unspecified */
    tlcp_cursor ticket;     /* u16-prefixed, may be empty (the server withdraws) */
} tlcp_new_session_ticket;

/* Parsers: `body` is the message body. `is_ecdhe` selects the key-exchange form. */
TLCP_MUST_CHECK int tlcp_parse_client_hello(tlcp_cursor body, tlcp_client_hello *out,
                                            tlcp_error *err);
TLCP_MUST_CHECK int tlcp_parse_server_hello(tlcp_cursor body, tlcp_server_hello *out,
                                            tlcp_error *err);
TLCP_MUST_CHECK int tlcp_parse_certificate(tlcp_cursor body, tlcp_certificate_msg *out,
                                           tlcp_error *err);
TLCP_MUST_CHECK int tlcp_parse_server_key_exchange(tlcp_cursor body, int is_ecdhe,
                                                   tlcp_server_key_exchange *out, tlcp_error *err);
TLCP_MUST_CHECK int tlcp_parse_certificate_request(tlcp_cursor body, tlcp_certificate_request *out,
                                                   tlcp_error *err);
TLCP_MUST_CHECK int tlcp_parse_server_hello_done(tlcp_cursor body, tlcp_error *err);
TLCP_MUST_CHECK int tlcp_parse_client_key_exchange(tlcp_cursor body, int is_ecdhe,
                                                   tlcp_client_key_exchange *out, tlcp_error *err);
TLCP_MUST_CHECK int tlcp_parse_certificate_verify(tlcp_cursor body, tlcp_certificate_verify *out,
                                                  tlcp_error *err);
TLCP_MUST_CHECK int tlcp_parse_finished(tlcp_cursor body, tlcp_finished *out, tlcp_error *err);
/* HelloRequest: an empty body. */
TLCP_MUST_CHECK int tlcp_parse_hello_request(tlcp_cursor body, tlcp_error *err);
TLCP_MUST_CHECK int tlcp_parse_new_session_ticket(tlcp_cursor body, tlcp_new_session_ticket *out,
                                                  tlcp_error *err);

/* The extension of `type` in a parsed list, or NULL. */
const tlcp_extension *tlcp_find_extension(const tlcp_extension *exts, size_t num, uint16_t type);

/*
 * Builders write the body only. They check what they are given (lengths,
 * counts) and return 0 without writing a valid message when it is unusable;
 * a failed builder is poisoned (every later write fails).
 *
 * Hellos: a zero-length m->compression_methods means "null only" (01 00);
 * otherwise the list is written as given (so a parsed hello re-emits its own).
 * When m->has_extensions is set the extension block is written, in order,
 * even if it is empty; otherwise it is omitted. ClientHello suites come from
 * `suites` (num_suites >= 1).
 */
TLCP_MUST_CHECK int tlcp_build_client_hello(tlcp_builder *b, const tlcp_client_hello *m,
                                            const uint16_t *suites, size_t num_suites);
TLCP_MUST_CHECK int tlcp_build_server_hello(tlcp_builder *b, const tlcp_server_hello *m);
/* certs[i]/lens[i]: DER certificates in wire order. */
TLCP_MUST_CHECK int tlcp_build_certificate(tlcp_builder *b, const uint8_t *const *certs,
                                           const size_t *lens, size_t num_certs);
TLCP_MUST_CHECK int tlcp_build_server_key_exchange(tlcp_builder *b, const uint8_t *params,
                                                   size_t params_len, const uint8_t *sig,
                                                   size_t sig_len);
TLCP_MUST_CHECK int tlcp_build_certificate_request(tlcp_builder *b, const uint8_t *types,
                                                   size_t num_types, const uint8_t *const *names,
                                                   const size_t *name_lens, size_t num_names);
TLCP_MUST_CHECK int tlcp_build_client_key_exchange_ecc(tlcp_builder *b, const uint8_t *ct,
                                                       size_t ct_len);
TLCP_MUST_CHECK int tlcp_build_client_key_exchange_ecdhe(tlcp_builder *b, const uint8_t point[65],
                                                         int form_b);
TLCP_MUST_CHECK int tlcp_build_certificate_verify(tlcp_builder *b, const uint8_t *sig,
                                                  size_t sig_len);
TLCP_MUST_CHECK int tlcp_build_finished(tlcp_builder *b, const uint8_t verify_data[12]);
/* NewSessionTicket: hint and a ticket of at most 2^16-1 bytes. */
TLCP_MUST_CHECK int tlcp_build_new_session_ticket(tlcp_builder *b,
                                                  const tlcp_new_session_ticket *m);
/* ServerECDHParams: 03 | 00 29 | 41 | point(65) */
TLCP_MUST_CHECK int tlcp_build_ecdh_params(tlcp_builder *b, const uint8_t point[65]);

#endif
