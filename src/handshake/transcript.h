/* SPDX-License-Identifier: Apache-2.0 */
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
#include "util/bytes.h"
#include "util/error.h"

typedef struct tlcp_transcript {
    tlcp_sm3_ctx *sm3;
    size_t total; /* bytes hashed, for traces */
    /* Optional copy of the messages themselves: a server keeps it until the
     * client's CertificateVerify, because GmSSL 3 signs the raw messages. */
    int keep_raw;
    int raw_overflow; /* gave up keeping: more than TLCP_TRANSCRIPT_RAW_MAX */
    tlcp_builder raw; /* valid while keep_raw */
} tlcp_transcript;

#define TLCP_TRANSCRIPT_RAW_MAX (512u * 1024u)

TLCP_MUST_CHECK int tlcp_transcript_init(tlcp_transcript *t, tlcp_error *err);
void tlcp_transcript_cleanup(tlcp_transcript *t);
TLCP_MUST_CHECK int tlcp_transcript_update(tlcp_transcript *t, const uint8_t *msg, size_t len,
                                           tlcp_error *err);
/* Start keeping a copy of the messages from now on (servers, before the
 * ClientHello). Returns 0 only on allocation failure. */
TLCP_MUST_CHECK int tlcp_transcript_keep_raw(tlcp_transcript *t);
/* The kept messages (NULL when not kept or given up), and dropping them. */
const uint8_t *tlcp_transcript_raw(const tlcp_transcript *t, size_t *out_len);
void tlcp_transcript_drop_raw(tlcp_transcript *t);
/* SM3 of everything so far; the running hash continues. */
TLCP_MUST_CHECK int tlcp_transcript_hash(const tlcp_transcript *t, uint8_t out[TLCP_SM3_DIGEST_LEN],
                                         tlcp_error *err);

#endif
