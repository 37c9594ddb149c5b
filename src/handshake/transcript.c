/* Running SM3 over the handshake messages (see transcript.h). */
#include "handshake/transcript.h"

int tlcp_transcript_init(tlcp_transcript *t, tlcp_error *err)
{
    t->total = 0;
    t->sm3 = tlcp_sm3_new(err);
    return t->sm3 != NULL;
}

void tlcp_transcript_cleanup(tlcp_transcript *t)
{
    tlcp_sm3_free(t->sm3);
    t->sm3 = NULL;
    t->total = 0;
}

int tlcp_transcript_update(tlcp_transcript *t, const uint8_t *msg, size_t len, tlcp_error *err)
{
    GUARD(tlcp_sm3_update(t->sm3, msg, len, err));
    t->total += len;
    return 1;
}

int tlcp_transcript_hash(const tlcp_transcript *t, uint8_t out[TLCP_SM3_DIGEST_LEN],
                         tlcp_error *err)
{
    return tlcp_sm3_peek(t->sm3, out, err);
}
