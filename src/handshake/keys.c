/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The key schedule: pre-master -> master secret -> key block -> record keys.
 * Trace lines name the steps and sizes, never the values.
 */
#include "handshake/keys.h"

#include "util/mem.h"

#define TLCP_MAX_KEY_BLOCK 128

static void hex_into(const uint8_t *in, size_t len, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
}

void tlcp_keylog_line(const uint8_t client_random[32], const uint8_t master[48], char *out)
{
    static const char prefix[] = "CLIENT_RANDOM ";
    size_t n = sizeof(prefix) - 1;
    for (size_t i = 0; i < n; i++)
        out[i] = prefix[i];
    hex_into(client_random, 32, out + n);
    n += 64;
    out[n++] = ' ';
    hex_into(master, 48, out + n);
    n += 96;
    out[n] = '\0';
}

void tlcp_hs_emit_keylog(const tlcp_hs_ctx *ctx)
{
    const tlcp_hs_config *cfg = &ctx->cfg;
    if (cfg->keylog == NULL)
        return;
    char line[TLCP_KEYLOG_LINE_LEN];
    tlcp_keylog_line(ctx->hs->client_random, ctx->hs->master, line);
    cfg->keylog(cfg->keylog_arg, line);
    tlcp_wipe(line, sizeof(line));
}

/* Cuts both directions' keys into hs->pending_keys for the driver. */
static int cut_keys(tlcp_hs_ctx *ctx, const uint8_t *block, size_t len)
{
    tlcp_hs *hs = ctx->hs;
    ENSURE_ALERT(tlcp_record_keys_from_block(hs->bulk, block, len, &hs->pending_keys[0],
                                             &hs->pending_keys[1]),
                 ctx->err, TLCP_R_INTERNAL, TLCP_ALERT_INTERNAL_ERROR,
                 "cannot cut record keys from the key block");
    return 1;
}

tlcp_status tlcp_hs_derive_keys(tlcp_hs_ctx *ctx)
{
    tlcp_hs *hs = ctx->hs;
    int ok = tlcp_prf_master_secret(hs->pre_master, TLCP_PRE_MASTER_LEN, hs->client_random,
                                    hs->server_random, hs->master, ctx->err);
    tlcp_wipe(hs->pre_master, sizeof(hs->pre_master));
    S_GUARD(ok);
    tlcp_hs_trace(ctx, "key schedule: master secret derived (48 bytes) from the pre-master "
                       "secret and both randoms");
    tlcp_hs_emit_keylog(ctx);
    return tlcp_hs_install_key_block(ctx);
}

tlcp_status tlcp_hs_install_key_block(tlcp_hs_ctx *ctx)
{
    tlcp_hs *hs = ctx->hs;
    int ok;
    uint8_t block[TLCP_MAX_KEY_BLOCK];
    size_t len = tlcp_key_block_len(hs->bulk);
    S_ENSURE_ALERT(len > 0 && len <= sizeof(block), ctx->err, TLCP_R_INTERNAL,
                   TLCP_ALERT_INTERNAL_ERROR, "no key block layout for suite 0x%04X", hs->suite);
    ok = tlcp_prf_key_block(hs->master, hs->client_random, hs->server_random, block, len,
                            ctx->err) &&
         cut_keys(ctx, block, len);
    tlcp_wipe(block, sizeof(block));
    S_GUARD(ok);
    tlcp_hs_trace(ctx,
                  "key schedule: key block of %zu bytes -> pending %s keys for both "
                  "directions",
                  len, tlcp_protection_find(hs->bulk)->label);
    hs->keys_ready = 1;
    return tlcp_hs_do(TLCP_HS_DO_INSTALL_KEYS);
}
