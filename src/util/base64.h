/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Base64 (RFC 4648, standard alphabet, '=' padding) for PEM armour of
 * secret-bearing data (exported sessions hold a master secret). Encoding
 * and the decoding of data characters run in constant time with respect to
 * the data: no table lookups indexed by it, no branches on it (checked by
 * tests/unit/test_base64_dataflow.c). Only the length and the text's
 * structure steer the code: tlcp_base64_decode finds line breaks and '='
 * by comparing each character with them, which tells where those stand
 * (fixed by the PEM layout and the length) and nothing about the data.
 */
#ifndef TLCP_UTIL_BASE64_H
#define TLCP_UTIL_BASE64_H

#include <stddef.h>
#include <stdint.h>

#include "util/safety.h"

/* Characters tlcp_base64_encode writes for `len` bytes (no NUL). */
size_t tlcp_base64_encoded_len(size_t len);

/* Encodes into out (at least tlcp_base64_encoded_len(len) bytes); returns
 * the number of characters written. No line breaks. */
size_t tlcp_base64_encode(const uint8_t *in, size_t len, char *out);

/* Decodes 4 characters of the alphabet (no '=') into 3 bytes without
 * branches or tables; returns 0, or all-ones when a character is not in
 * the alphabet. */
unsigned tlcp_base64_decode_quad(const char quad[4], uint8_t out[3]);

/* Decodes text that may contain line breaks ("\n", "\r\n") between groups.
 * Fails (returns 0) on any other character, bad padding, a length that is
 * not a multiple of 4, or output larger than cap. *out_len gets the bytes
 * written. */
TLCP_MUST_CHECK int tlcp_base64_decode(const char *in, size_t len, uint8_t *out, size_t cap,
                                       size_t *out_len);

#endif
