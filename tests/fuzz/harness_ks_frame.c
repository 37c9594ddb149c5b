/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Key-server frames (apps/tlcp/keyserver/frame.c). The first input byte
 * picks the side: even = a request as the key server reads it, odd = a
 * response as the client side reads it; the rest is the byte stream. The
 * splitter never claims more bytes than there are; a refused request
 * names one of the refusal statuses; an accepted frame re-encodes to the
 * same bytes (so no field is dropped or misread), with its name 1..64
 * bytes and every payload pointer inside the frame.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../apps/tlcp/keyserver/frame.h"
#include "harness.h"

#define MAX_WIRE (KS_LEN_PREFIX + KS_MAX_FRAME)

static void require(int cond, const char *what)
{
    if (!cond) {
        fprintf(stderr, "fuzz property violated: ks_frame: %s\n", what);
        abort();
    }
}

static int inside(const uint8_t *p, size_t n, const uint8_t *body, size_t len)
{
    return p == NULL ? n == 0 : p >= body && n <= len && (size_t)(p - body) <= len - n;
}

static void check_request(const uint8_t *frame, size_t total)
{
    const uint8_t *body = frame + KS_LEN_PREFIX;
    size_t len = total - KS_LEN_PREFIX;
    struct ks_request r;
    int st = ks_decode_request(body, len, &r);
    if (st != KS_ST_OK) {
        require(st == KS_ST_TOO_LONG || st == KS_ST_BAD_VERSION || st == KS_ST_MALFORMED ||
                    st == KS_ST_UNKNOWN_OP,
                "a refusal with a status that is not a decoding one");
        return;
    }
    const tlcp_key_op *k = &r.kop;
    require(strlen(r.name) >= 1 && strlen(r.name) <= KS_NAME_MAX && r.id != 0,
            "accepted a bad name or id 0");
    require(inside(k->digest, k->digest ? KS_DIGEST_LEN : 0, body, len) &&
                inside(k->msg, k->msg_len, body, len) && inside(k->id, k->id_len, body, len) &&
                inside(k->in, k->in_len, body, len) &&
                inside(k->self_id, k->self_id_len, body, len) &&
                inside(k->peer_id, k->peer_id_len, body, len),
            "a payload pointer outside the frame");
    uint8_t *again = malloc(MAX_WIRE);
    require(again != NULL, "out of memory");
    size_t n = r.op == KS_OP_SIGN_MSG
                   ? ks_encode_sign_msg(r.id, r.time_ms, r.nonce, r.name, k->id, k->id_len, k->msg,
                                        k->msg_len, again, MAX_WIRE)
                   : ks_encode_request(r.id, r.time_ms, r.nonce, r.name, k, again, MAX_WIRE);
    require(n == total && memcmp(again, frame, total) == 0,
            "an accepted request does not re-encode to the same bytes");
    free(again);
}

static void check_response(const uint8_t *frame, size_t total)
{
    struct ks_response r;
    if (ks_decode_response(frame + KS_LEN_PREFIX, total - KS_LEN_PREFIX, &r) != KS_ST_OK)
        return;
    require(r.result_len <= TLCP_KEY_OP_MAX_OUT, "accepted an oversized result");
    uint8_t again[KS_LEN_PREFIX + KS_RESP_FIXED + TLCP_KEY_OP_MAX_OUT];
    size_t n = ks_encode_response(r.id, r.status, r.result, r.result_len, again, sizeof(again));
    require(n == total && memcmp(again, frame, total) == 0,
            "an accepted response does not re-encode to the same bytes");
}

int fuzz_ks_frame(const uint8_t *data, size_t len)
{
    if (len == 0)
        return 0;
    int response = data[0] & 1;
    const uint8_t *p = data + 1;
    size_t left = len - 1;
    /* A stream of frames, as the readers take them. */
    for (;;) {
        size_t total = 0;
        int v =
            ks_frame_split(p, left, response ? KS_RESP_FIXED : KS_REQ_FIXED, KS_MAX_FRAME, &total);
        if (v != KS_FRAME_OK)
            return 0;
        require(total >= KS_LEN_PREFIX && total <= left && total <= MAX_WIRE,
                "the splitter claims bytes that are not there");
        if (response)
            check_response(p, total);
        else
            check_request(p, total);
        p += total;
        left -= total;
    }
}
