/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SipHash-2-4 (Aumasson and Bernstein, 2012): a keyed 64-bit hash for hash
 * tables whose keys an attacker may choose. With a random secret key the
 * bucket of a key cannot be predicted, so no input floods one bucket.
 */
#ifndef TLCP_UTIL_SIPHASH_H
#define TLCP_UTIL_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

#define TLCP_SIPHASH_KEY_LEN 16

/* SipHash-2-4 of `len` bytes under a 16-byte key (the reference byte order:
 * key and message read as little-endian words). */
uint64_t tlcp_siphash24(const uint8_t key[TLCP_SIPHASH_KEY_LEN], const void *data, size_t len);

#endif
