/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ALPN (RFC 7301) in both roles. The client offers the configured list;
 * the server selects one protocol the client offered (by callback, or the
 * first of its own list in its own order: the server's preference decides,
 * as for suites), answers with it, or refuses with no_application_protocol
 * when configured to require a match. The client accepts only a name it
 * offered. The agreed name is kept in ctx->alpn for tlcp_conn_alpn_selected.
 */
#include <stdio.h>
#include <string.h>

#include "handshake/hello_ext.h"

#define NAMES_TEXT_MAX 600

/* One name for the trace and error sentences, unprintable bytes as '.'. */
static size_t name_text(tlcp_cursor name, char *buf, size_t cap)
{
    size_t used = 0;
    uint8_t ch;
    while (used + 1 < cap && tlcp_cursor_get_u8(&name, &ch))
        buf[used++] = ch >= 0x21 && ch < 0x7F ? (char)ch : '.';
    buf[used] = '\0';
    return used;
}

/* "h2, http/1.1". */
static const char *names_text(tlcp_cursor names, char *buf, size_t cap)
{
    tlcp_cursor name;
    size_t used = 0;
    buf[0] = '\0';
    while (used + 3 < cap && tlcp_alpn_next(&names, &name)) {
        if (used > 0) {
            buf[used++] = ',';
            buf[used++] = ' ';
        }
        used += name_text(name, buf + used, cap - used);
    }
    return buf;
}

static const char *chosen_text(const tlcp_hs_ctx *ctx, char *buf, size_t cap)
{
    tlcp_cursor name;
    tlcp_cursor_init(&name, ctx->alpn, ctx->alpn_len);
    name_text(name, buf, cap);
    return buf;
}

static tlcp_cursor our_names(const tlcp_hs_config *cfg)
{
    tlcp_cursor ext, names;
    tlcp_cursor_init(&ext, cfg->alpn_ext, cfg->alpn_ext_len);
    if (!tlcp_cursor_get_u16_prefixed(&ext, &names))
        tlcp_cursor_init(&names, NULL, 0);
    return names;
}

static int add_extension(tlcp_extension *exts, size_t *num, uint16_t type, const uint8_t *data,
                         size_t len)
{
    if (*num >= TLCP_MAX_EXTENSIONS)
        return 0;
    exts[*num].type = type;
    tlcp_cursor_init(&exts[*num].data, data, len);
    (*num)++;
    return 1;
}

/* The configuration stores the ready extension data: u16 prefix + names. */
tlcp_status tlcp_hs_alpn_offer(tlcp_hs_ctx *ctx, tlcp_client_hello *m)
{
    const tlcp_hs_config *cfg = &ctx->cfg;
    if (cfg->alpn_ext_len == 0)
        return tlcp_ok();
    char text[NAMES_TEXT_MAX];
    tlcp_hs_trace(ctx, "offering ALPN protocols: %s",
                  names_text(our_names(cfg), text, sizeof(text)));
    m->has_extensions = 1;
    S_ENSURE_ALERT(add_extension(m->extensions, &m->num_extensions, TLCP_EXT_ALPN, cfg->alpn_ext,
                                 cfg->alpn_ext_len),
                   ctx->err, TLCP_R_INTERNAL, TLCP_ALERT_INTERNAL_ERROR,
                   "too many ClientHello extensions");
    return tlcp_ok();
}

/* Names are 1..255 bytes (parsed or checked before), so they fit. */
static void keep_choice(tlcp_hs_ctx *ctx, tlcp_cursor name)
{
    size_t len = tlcp_cursor_len(&name);
    ctx->alpn_len =
        len <= sizeof(ctx->alpn) && tlcp_cursor_copy_bytes(&name, ctx->alpn, len) ? len : 0;
}

/* Our first name that the client offered. */
static void choose_by_preference(tlcp_hs_ctx *ctx, const tlcp_alpn_list *offered)
{
    tlcp_cursor ours = our_names(&ctx->cfg), name;
    while (tlcp_alpn_next(&ours, &name)) {
        if (tlcp_alpn_contains(offered->names, tlcp_cursor_data(&name), tlcp_cursor_len(&name))) {
            keep_choice(ctx, name);
            return;
        }
    }
}

/* 1 = go on (a choice or none), 0 = failed (recorded). */
static int choose_by_callback(tlcp_hs_ctx *ctx, const tlcp_alpn_list *offered)
{
    const uint8_t *sel = NULL;
    size_t sel_len = 0;
    int rc = ctx->cfg.alpn_cb(ctx->cfg.alpn_arg, ctx->sni, tlcp_cursor_data(&offered->names),
                              tlcp_cursor_len(&offered->names), &sel, &sel_len);
    if (rc == TLCP_ALPN_NONE)
        return 1;
    ENSURE_ALERT(rc != TLCP_ALPN_REFUSE, ctx->err, TLCP_R_NO_APPLICATION_PROTOCOL,
                 TLCP_ALERT_NO_APPLICATION_PROTOCOL,
                 "the ALPN callback refused every protocol the client offered");
    ENSURE_ALERT(rc == TLCP_ALPN_SELECTED && sel != NULL && sel_len > 0 &&
                     sel_len <= TLCP_ALPN_NAME_MAX &&
                     tlcp_alpn_contains(offered->names, sel, sel_len),
                 ctx->err, TLCP_R_NO_APPLICATION_PROTOCOL, TLCP_ALERT_INTERNAL_ERROR,
                 "the ALPN callback answered %d with a protocol the client did not offer", rc);
    tlcp_cursor name;
    tlcp_cursor_init(&name, sel, sel_len);
    keep_choice(ctx, name);
    return 1;
}

tlcp_status tlcp_hs_alpn_choose(tlcp_hs_ctx *ctx, const tlcp_client_hello *m)
{
    const tlcp_hs_config *cfg = &ctx->cfg;
    const tlcp_extension *ext =
        tlcp_find_extension(m->extensions, m->num_extensions, TLCP_EXT_ALPN);
    tlcp_alpn_list offered;
    char text[NAMES_TEXT_MAX];
    ctx->alpn_len = 0;
    if (ext != NULL) {
        S_GUARD(tlcp_parse_alpn(ext->data, &offered, ctx->err));
        tlcp_hs_trace(ctx, "client offers ALPN protocols: %s",
                      names_text(offered.names, text, sizeof(text)));
    }
    if (cfg->alpn_ext_len == 0 && cfg->alpn_cb == NULL)
        return tlcp_ok(); /* no ALPN here: the client's offer is not answered */
    if (ext != NULL && cfg->alpn_cb != NULL)
        S_GUARD(choose_by_callback(ctx, &offered));
    else if (ext != NULL)
        choose_by_preference(ctx, &offered);
    if (ctx->alpn_len > 0) {
        tlcp_hs_trace(ctx, "ALPN selected \"%s\" (%s)", chosen_text(ctx, text, sizeof(text)),
                      cfg->alpn_cb != NULL ? "callback" : "server preference");
        return tlcp_ok();
    }
    tlcp_hs_trace(ctx,
                  ext == NULL ? "ALPN: the client offered none" : "ALPN: no protocol in common");
    S_ENSURE_ALERT(!cfg->alpn_required, ctx->err, TLCP_R_NO_APPLICATION_PROTOCOL,
                   TLCP_ALERT_NO_APPLICATION_PROTOCOL,
                   ext == NULL ? "the client offered no ALPN protocol and one is required"
                               : "no ALPN protocol offered by the client is enabled");
    return tlcp_ok();
}

tlcp_status tlcp_hs_alpn_answer(tlcp_hs_ctx *ctx, tlcp_server_hello *m,
                                uint8_t buf[TLCP_ALPN_REPLY_MAX])
{
    if (ctx->alpn_len == 0)
        return tlcp_ok();
    uint8_t names[1 + TLCP_ALPN_NAME_MAX];
    names[0] = (uint8_t)ctx->alpn_len;
    memcpy(names + 1, ctx->alpn, ctx->alpn_len);
    tlcp_builder b;
    tlcp_builder_init_fixed(&b, buf, TLCP_ALPN_REPLY_MAX);
    S_ENSURE_ALERT(tlcp_build_alpn(&b, names, ctx->alpn_len + 1), ctx->err, TLCP_R_INTERNAL,
                   TLCP_ALERT_INTERNAL_ERROR, "cannot build the ALPN answer");
    m->has_extensions = 1;
    S_ENSURE_ALERT(add_extension(m->extensions, &m->num_extensions, TLCP_EXT_ALPN,
                                 tlcp_builder_data(&b), tlcp_builder_len(&b)),
                   ctx->err, TLCP_R_INTERNAL, TLCP_ALERT_INTERNAL_ERROR,
                   "too many ServerHello extensions");
    return tlcp_ok();
}

tlcp_status tlcp_hs_alpn_check_answer(tlcp_hs_ctx *ctx, const tlcp_server_hello *m)
{
    const tlcp_hs_config *cfg = &ctx->cfg;
    const tlcp_extension *ext =
        tlcp_find_extension(m->extensions, m->num_extensions, TLCP_EXT_ALPN);
    ctx->alpn_len = 0;
    if (ext == NULL) {
        if (cfg->alpn_ext_len > 0)
            tlcp_hs_trace(ctx, "server selected no ALPN protocol");
        return tlcp_ok();
    }
    /* RFC 5246 §7.4.1.4: an extension we did not offer. */
    S_ENSURE_ALERT(cfg->alpn_ext_len > 0, ctx->err, TLCP_R_ALPN_NOT_OFFERED,
                   TLCP_ALERT_UNSUPPORTED_EXTENSION,
                   "server answered ALPN, which the ClientHello did not offer");
    tlcp_cursor name;
    S_GUARD(tlcp_parse_alpn_selected(ext->data, &name, ctx->err));
    if (!tlcp_alpn_contains(our_names(cfg), tlcp_cursor_data(&name), tlcp_cursor_len(&name))) {
        char text[NAMES_TEXT_MAX];
        name_text(name, text, sizeof(text));
        TLCP_ERR_ALERT(ctx->err, TLCP_R_ALPN_NOT_OFFERED, TLCP_ALERT_ILLEGAL_PARAMETER,
                       "server selected ALPN protocol \"%s\", which we did not offer", text);
        return tlcp_fail();
    }
    keep_choice(ctx, name);
    char text[NAMES_TEXT_MAX];
    tlcp_hs_trace(ctx, "server selected ALPN protocol \"%s\"",
                  chosen_text(ctx, text, sizeof(text)));
    return tlcp_ok();
}
