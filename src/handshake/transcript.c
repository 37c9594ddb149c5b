/* SPDX-License-Identifier: Apache-2.0 */
/* Running SM3 over the handshake messages (see transcript.h). */
#include "handshake/transcript.h"

int tlcp_transcript_init(tlcp_transcript *t, tlcp_error *err)
{
    t->total = 0;
    t->sm3 = tlcp_sm3_new(err);
    return t->sm3 != NULL;
}

int tlcp_transcript_keep_raw(tlcp_transcript *t)
{
    if (t->keep_raw)
        return 1;
    GUARD(tlcp_builder_init(&t->raw, 4096, TLCP_TRANSCRIPT_RAW_MAX));
    t->keep_raw = 1;
    t->raw_overflow = 0;
    return 1;
}

void tlcp_transcript_drop_raw(tlcp_transcript *t)
{
    if (t->keep_raw)
        tlcp_builder_cleanup(&t->raw);
    t->keep_raw = 0;
}

const uint8_t *tlcp_transcript_raw(const tlcp_transcript *t, size_t *out_len)
{
    *out_len = 0;
    if (!t->keep_raw || t->raw_overflow)
        return NULL;
    *out_len = tlcp_builder_len(&t->raw);
    return tlcp_builder_data(&t->raw);
}

/* Appends to the raw copy; past the cap it is given up (only an optional
 * interop fallback depends on it). */
static void keep(tlcp_transcript *t, const uint8_t *msg, size_t len)
{
    if (t->keep_raw && !t->raw_overflow && !tlcp_builder_add_bytes(&t->raw, msg, len))
        t->raw_overflow = 1;
}

void tlcp_transcript_cleanup(tlcp_transcript *t)
{
    tlcp_transcript_drop_raw(t);
    tlcp_sm3_free(t->sm3);
    t->sm3 = NULL;
    t->total = 0;
}

int tlcp_transcript_update(tlcp_transcript *t, const uint8_t *msg, size_t len, tlcp_error *err)
{
    GUARD(tlcp_sm3_update(t->sm3, msg, len, err));
    keep(t, msg, len);
    t->total += len;
    return 1;
}

int tlcp_transcript_hash(const tlcp_transcript *t, uint8_t out[TLCP_SM3_DIGEST_LEN],
                         tlcp_error *err)
{
    return tlcp_sm3_peek(t->sm3, out, err);
}
