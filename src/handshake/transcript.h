/*
 * The handshake transcript: a running SM3 over every handshake message
 * (4-byte header + body, no record headers, no ChangeCipherSpec). Finished
 * and CertificateVerify need the hash "so far" while the hash keeps running.
 */
#ifndef TLCP_HANDSHAKE_TRANSCRIPT_H
#define TLCP_HANDSHAKE_TRANSCRIPT_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"
#include "util/error.h"

typedef struct tlcp_transcript {
    tlcp_sm3_ctx *sm3;
    size_t total; /* bytes hashed, for traces */
} tlcp_transcript;

TLCP_MUST_CHECK int tlcp_transcript_init(tlcp_transcript *t, tlcp_error *err);
void tlcp_transcript_cleanup(tlcp_transcript *t);
TLCP_MUST_CHECK int tlcp_transcript_update(tlcp_transcript *t, const uint8_t *msg, size_t len,
                                           tlcp_error *err);
/* SM3 of everything so far; the running hash continues. */
TLCP_MUST_CHECK int tlcp_transcript_hash(const tlcp_transcript *t, uint8_t out[TLCP_SM3_DIGEST_LEN],
                                         tlcp_error *err);

#endif
