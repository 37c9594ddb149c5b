/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Choosing the server's certificate pair by the client's server_name
 * (RFC 6066 §3; wildcards as RFC 6125 §6.4.3 allows them in certificates:
 * only a whole left-most label).
 */
#include <string.h>
#include <strings.h>

#include "handshake/cert_select.h"
#include "handshake/hello_ext.h"

int tlcp_cert_pattern_valid(const char *pattern)
{
    size_t len = pattern != NULL ? strlen(pattern) : 0;
    if (len == 0 || len > 255)
        return 0;
    const char *p = pattern;
    if (p[0] == '*') {
        if (p[1] != '.' || p[2] == '\0')
            return 0;
        p += 2;
    }
    char prev = '.';
    for (; *p != '\0'; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch < 0x21 || ch > 0x7E || ch == '*' || (ch == '.' && prev == '.'))
            return 0;
        prev = (char)ch;
    }
    return prev != '.';
}

/* "*.example.com" matches "a.example.com": the label before the first dot
 * is not empty and the rest equals the pattern's domain. */
static int wildcard_match(const char *pattern, const char *sni)
{
    const char *dot = strchr(sni, '.');
    return dot != NULL && dot != sni && strcasecmp(dot + 1, pattern + 2) == 0;
}

const tlcp_named_pair *tlcp_cert_select(const tlcp_named_pair *pairs, size_t n, const char *sni)
{
    if (sni == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (pairs[i].pattern[0] != '*' && strcasecmp(pairs[i].pattern, sni) == 0)
            return &pairs[i];
    for (size_t i = 0; i < n; i++)
        if (pairs[i].pattern[0] == '*' && wildcard_match(pairs[i].pattern, sni))
            return &pairs[i];
    return NULL;
}

tlcp_status tlcp_hs_choose_cert(tlcp_hs_ctx *ctx)
{
    tlcp_hs_config *cfg = &ctx->cfg;
    if (cfg->num_named_pairs == 0)
        return tlcp_ok(); /* one pair: nothing to choose, nothing to trace */
    const tlcp_named_pair *p = tlcp_cert_select(cfg->named_pairs, cfg->num_named_pairs, ctx->sni);
    if (p != NULL) {
        cfg->creds = p->creds;
        for (int i = 0; i < 2; i++) {
            if (p->key_fn[i] != NULL) {
                cfg->key_fn[i] = p->key_fn[i];
                cfg->key_arg[i] = p->key_arg[i];
            }
        }
        tlcp_hs_trace(ctx, "certificate pair \"%s\" for server name \"%s\"", p->pattern, ctx->sni);
        return tlcp_ok();
    }
    if (ctx->sni == NULL)
        tlcp_hs_trace(ctx, "certificate pair: default (no server name)");
    else
        tlcp_hs_trace(ctx, "certificate pair: default (no pair for server name \"%s\")", ctx->sni);
    S_ENSURE_ALERT(cfg->creds != NULL, ctx->err, TLCP_R_UNKNOWN_SERVER_NAME,
                   TLCP_ALERT_UNRECOGNIZED_NAME,
                   "no certificate pair for server name \"%s\" and no default pair",
                   ctx->sni != NULL ? ctx->sni : "(none)");
    return tlcp_ok();
}
