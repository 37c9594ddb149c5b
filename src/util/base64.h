/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Base64 (RFC 4648, standard alphabet, '=' padding) for PEM armour of
 * secret-bearing data (exported sessions hold a master secret), so both
 * directions run in constant time with respect to the data: no table
 * lookups indexed by data, no data-dependent branches. Only the lengths
 * and the positions of line breaks and padding (public) steer the code.
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

/* Decodes text that may contain line breaks ("\n", "\r\n") between groups.
 * Fails (returns 0) on any other character, bad padding, a length that is
 * not a multiple of 4, or output larger than cap. *out_len gets the bytes
 * written. */
TLCP_MUST_CHECK int tlcp_base64_decode(const char *in, size_t len, uint8_t *out, size_t cap,
                                       size_t *out_len);

#endif
