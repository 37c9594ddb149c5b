/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Hexadecimal decoding shared by the ticket key file, the self-test vectors
 * and the tests. Ticket key files carry secrets, so a digit's value is
 * computed with masks, not branches or tables on the character: only the
 * verdict "was every character a hex digit" is branched on, and a caller
 * learns nothing more than that from the timing.
 */
#ifndef TLCP_UTIL_HEX_H
#define TLCP_UTIL_HEX_H

#include <stddef.h>
#include <stdint.h>

#include "util/safety.h"

/* Value 0..15 of one hex digit (either case), or -1 for any other byte. */
int tlcp_hex_digit(char c);

/* Decodes exactly len characters (len even) into out (cap bytes); returns
 * the byte count, or -1 when len is odd, the output would exceed cap, or a
 * character is not a hex digit (out is then wiped). */
TLCP_MUST_CHECK long tlcp_hex_decode(const char *s, size_t len, uint8_t *out, size_t cap);

#endif
