/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TLS ClientHellos built in tests (tests of tlcp_detect_protocol and of a
 * TLCP server answering a 360-browser-style hello). The 360 form, as built
 * here: record version 0x0301 (or as given), client_version 0x0303, a
 * 32-byte session ID, the suites in the order given (TLCP first), null
 * compression, and the extensions a TLS 1.2 browser sends: server_name,
 * supported_groups (x25519, P-256, SM2 curve 0x0029), ec_point_formats,
 * signature_algorithms (incl. sm2sig_sm3 0x0708), renegotiation_info,
 * extended_master_secret, session_ticket.
 */
#ifndef TLCP_TEST_TLS_HELLO_H
#define TLCP_TEST_TLS_HELLO_H

#include <stddef.h>
#include <stdint.h>

/* Writes the record into out (cap >= 512); returns its length. */
size_t tu_tls_client_hello(uint8_t *out, size_t cap, uint16_t record_version,
                           uint16_t hello_version, const uint16_t *suites, size_t num_suites);

#endif
