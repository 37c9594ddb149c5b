/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ChangeCipherSpec and Finished. Sending CCS switches our write keys;
 * receiving it switches the read keys (only once the keys exist: an early
 * CCS is unexpected); the handlers ask the driver to do the switch.
 * Finished carries PRF(master, label, SM3(transcript)).
 */
#include "handshake/handlers.h"
#include "handshake/messages.h"
#include "util/mem.h"

tlcp_status tlcp_hs_ccs_post_work(tlcp_hs_ctx *ctx)
{
    (void)ctx;
    return tlcp_hs_do(TLCP_HS_DO_ACTIVATE_WRITE);
}

tlcp_status tlcp_hs_ccs_process(tlcp_hs_ctx *ctx, tlcp_cursor body)
{
    /* The record layer already checked the single 0x01 byte and hands up an
     * empty item; a body, if given, must be that byte. */
    uint8_t value = 1;
    if (!tlcp_cursor_is_empty(&body))
        S_ENSURE_ALERT(tlcp_cursor_get_u8(&body, &value) && value == 1 &&
                           tlcp_cursor_is_empty(&body),
                       ctx->err, TLCP_R_DECODE, TLCP_ALERT_DECODE_ERROR,
                       "ChangeCipherSpec must be the single byte 0x01");
    S_ENSURE_ALERT(ctx->hs->keys_ready, ctx->err, TLCP_R_UNEXPECTED_MESSAGE,
                   TLCP_ALERT_UNEXPECTED_MESSAGE, "ChangeCipherSpec before the key exchange");
    return tlcp_hs_do(TLCP_HS_DO_ACTIVATE_READ);
}

/* verify_data for the Finished sent by the client (is_client=1) or server. */
static int compute_verify_data(tlcp_hs_ctx *ctx, int is_client, uint8_t out[TLCP_VERIFY_DATA_LEN])
{
    uint8_t hash[TLCP_SM3_DIGEST_LEN];
    GUARD(tlcp_transcript_hash(&ctx->hs->transcript, hash, ctx->err));
    return tlcp_prf_finished(ctx->hs->master, is_client, hash, out, ctx->err);
}

tlcp_status tlcp_hs_finished_construct(tlcp_hs_ctx *ctx, tlcp_builder *body)
{
    uint8_t vd[TLCP_VERIFY_DATA_LEN];
    S_GUARD(compute_verify_data(ctx, !ctx->is_server, vd));
    return tlcp_status_of(tlcp_build_finished(body, vd));
}

tlcp_status tlcp_hs_finished_process(tlcp_hs_ctx *ctx, tlcp_cursor body)
{
    tlcp_finished m;
    S_GUARD(tlcp_parse_finished(body, &m, ctx->err));
    uint8_t expected[TLCP_VERIFY_DATA_LEN];
    S_GUARD(compute_verify_data(ctx, ctx->is_server, expected));
    int ok = tlcp_ct_equal(expected, m.verify_data, TLCP_VERIFY_DATA_LEN);
    tlcp_wipe(expected, sizeof(expected));
    S_ENSURE_ALERT(ok, ctx->err, TLCP_R_BAD_FINISHED, TLCP_ALERT_DECRYPT_ERROR,
                   "%s Finished verify_data does not match the handshake",
                   ctx->is_server ? "client" : "server");
    tlcp_hs_trace(ctx, "%s Finished verified", ctx->is_server ? "client" : "server");
    return tlcp_ok();
}
