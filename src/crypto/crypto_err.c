/* SPDX-License-Identifier: Apache-2.0 */
/* Translates OpenSSL's error queue into our error slot; nothing leaks out. */
#include <openssl/err.h>
#include <stdio.h>

#include "crypto/crypto.h"

int tlcp_crypto_fail(tlcp_error *err, int reason, const char *file, int line, const char *what)
{
    unsigned long code = ERR_peek_error();
    if (code != 0) {
        char detail[160];
        ERR_error_string_n(code, detail, sizeof(detail));
        tlcp_error_set(err, reason, TLCP_NO_ALERT, file, line, "%s (%s)", what, detail);
    } else {
        tlcp_error_set(err, reason, TLCP_NO_ALERT, file, line, "%s", what);
    }
    ERR_clear_error();
    return 0;
}
