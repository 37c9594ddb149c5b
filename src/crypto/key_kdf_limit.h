/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A cost bound for the passphrase key derivation of encrypted PKCS#8 keys,
 * checked before anything is derived (fuzz finding F4): OpenSSL runs every
 * iteration a file asks for before the decryption can fail, so a key file
 * asking for 2^31-1 PBKDF2 iterations kept the loader busy for minutes.
 */
#ifndef TLCP_CRYPTO_KEY_KDF_LIMIT_H
#define TLCP_CRYPTO_KEY_KDF_LIMIT_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"
#include "util/safety.h"

/*
 * PBKDF2 (PBES2) and PKCS#12 PBE (PBES1) iteration counts above this are
 * refused. Tools write far fewer: OpenSSL 2048 by default, GmSSL 65536,
 * OWASP's 2023 advice at most 1.3 million (PBKDF2-HMAC-SHA1); 10^7 costs
 * several seconds of load time.
 */
#define TLCP_MAX_KDF_ITERATIONS 10000000u
/* scrypt (PBES2): N * r * p above this is refused: 64 times OpenSSL's default
 * (N = 2^14, r = 8, p = 1), about as slow as 10^7 PBKDF2 iterations. */
#define TLCP_MAX_SCRYPT_WORK (1u << 23)

/*
 * 1 unless `data` (PEM or DER) holds an encrypted PKCS#8 key whose key
 * derivation costs more than the bounds above; then TLCP_R_BAD_KEY. Input
 * that is not encrypted PKCS#8, or whose parameters do not parse, passes:
 * the key decoder judges it.
 */
TLCP_MUST_CHECK int tlcp_key_check_kdf_cost(const uint8_t *data, size_t len, tlcp_error *err);

#if defined(TLCP_TESTING)
/* Lowers (or, with 0, 0, restores) the bounds: the fuzz harness keeps every
 * input under its 1 s limit, unit tests probe the boundary cheaply. */
void tlcp_test_set_kdf_limits(uint64_t max_iterations, uint64_t max_scrypt_work);
#endif

#endif
