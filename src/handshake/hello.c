/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ClientHello, ServerHello and ServerHelloDone handlers: randoms, suite
 * negotiation (server preference), version and compression checks.
 */
#include <stdlib.h>
#include <string.h>

#include "handshake/handlers.h"
#include "handshake/keys.h"
#include "handshake/messages.h"
#include "handshake/trace_fields.h"
#include "util/mem.h"

#define TLCP_SNI_HOST_NAME 0
#define TLCP_SNI_MAX       255

static void adopt_suite(tlcp_hs_ctx *ctx, uint16_t suite)
{
    tlcp_hs *hs = ctx->hs;
    hs->suite = suite;
    hs->bulk = tlcp_suite_bulk(suite);
    hs->is_ecdhe = tlcp_suite_is_ecdhe(suite);
    ctx->suite = suite;
}

/* Traced once, when the choice is final (a server resuming a session
 * replaces its preferred suite by the session's). */
static int set_suite(tlcp_hs_ctx *ctx, uint16_t suite)
{
    adopt_suite(ctx, suite);
    tlcp_hs_trace(ctx, "negotiated cipher suite %s (0x%04X)", tlcp_cipher_suite_name(suite).str,
                  suite);
    return 1;
}

static int config_has_suite(const tlcp_hs_config *cfg, uint16_t suite)
{
    for (size_t i = 0; i < cfg->num_suites; i++)
        if (cfg->suites[i] == suite)
            return 1;
    return 0;
}

/* Client: whether ctx->offer may be offered (and so resumed). Resumption
 * skips certificate verification, so the session must come from a
 * handshake with the same host name that verified at least as strictly. */
static int may_offer(const tlcp_hs_ctx *ctx)
{
    const tlcp_session *offer = ctx->offer;
    return offer != NULL && config_has_suite(&ctx->cfg, offer->suite) &&
           tlcp_session_fits_peer(offer, ctx->cfg.host_name, ctx->cfg.verify_mode);
}

tlcp_status tlcp_hs_client_hello_pre_work(tlcp_hs_ctx *ctx)
{
    return tlcp_status_of(tlcp_random_bytes(ctx->hs->client_random, TLCP_RANDOM_LEN, ctx->err));
}

/* server_name extension body: u16 list length, type 0, u16 name length, name. */
static int build_sni(const char *host, tlcp_builder *b)
{
    tlcp_builder list, name;
    size_t len = strlen(host);
    GUARD(tlcp_builder_open_u16(b, &list));
    GUARD(tlcp_builder_add_u8(&list, TLCP_SNI_HOST_NAME));
    GUARD(tlcp_builder_open_u16(&list, &name));
    GUARD(tlcp_builder_add_bytes(&name, (const uint8_t *)host, len));
    return tlcp_builder_flush(b);
}

tlcp_status tlcp_hs_client_hello_construct(tlcp_hs_ctx *ctx, tlcp_builder *body)
{
    const tlcp_hs_config *cfg = &ctx->cfg;
    tlcp_client_hello m;
    memset(&m, 0, sizeof(m));
    m.version = TLCP_PROTOCOL_VERSION;
    memcpy(m.random, ctx->hs->client_random, TLCP_RANDOM_LEN);

    /* No extensions unless configured: GmSSL 3 rejects unknown ones. */
    uint8_t sni_mem[TLCP_SNI_MAX + 8];
    tlcp_builder sni;
    tlcp_builder_init_fixed(&sni, sni_mem, sizeof(sni_mem));
    if (cfg->send_sni && cfg->host_name != NULL && strlen(cfg->host_name) <= TLCP_SNI_MAX) {
        S_GUARD(build_sni(cfg->host_name, &sni));
        m.has_extensions = 1;
        m.num_extensions = 1;
        m.extensions[0].type = TLCP_EXT_SERVER_NAME;
        tlcp_cursor_init(&m.extensions[0].data, tlcp_builder_data(&sni), tlcp_builder_len(&sni));
    }
    /* A session to resume, if its suite is still one we offer and it was
     * made with the peer we now expect. */
    if (may_offer(ctx)) {
        const tlcp_session *offer = ctx->offer;
        memcpy(m.session_id, offer->id, TLCP_SESSION_ID_LEN);
        m.session_id_len = TLCP_SESSION_ID_LEN;
    }
    return tlcp_status_of(tlcp_build_client_hello(body, &m, cfg->suites, cfg->num_suites));
}

/* A host name is ASCII (RFC 6066); anything outside the visible range
 * (NUL, controls, escapes, spaces, 8-bit bytes) would reach the
 * application's logs and file lookups through tlcp_conn_server_name(). */
static int host_name_visible(tlcp_cursor name)
{
    uint8_t ch;
    while (tlcp_cursor_get_u8(&name, &ch))
        if (ch < 0x21 || ch > 0x7E)
            return 0;
    return 1;
}

/* server_name (RFC 6066): a list of (type, name); the host_name entry is
 * kept for tlcp_conn_server_name(). A malformed extension is a decode
 * error; names over 255 bytes or with bytes outside visible ASCII are
 * ignored. */
static int take_server_name(tlcp_hs_ctx *ctx, tlcp_cursor ext)
{
    tlcp_cursor list, name;
    uint8_t type;
    ENSURE_ALERT(tlcp_cursor_get_u16_prefixed(&ext, &list) && tlcp_cursor_is_empty(&ext), ctx->err,
                 TLCP_R_DECODE, TLCP_ALERT_DECODE_ERROR,
                 "ClientHello: malformed server_name extension");
    while (!tlcp_cursor_is_empty(&list)) {
        ENSURE_ALERT(tlcp_cursor_get_u8(&list, &type) && tlcp_cursor_get_u16_prefixed(&list, &name),
                     ctx->err, TLCP_R_DECODE, TLCP_ALERT_DECODE_ERROR,
                     "ClientHello: malformed server_name list");
        size_t len = tlcp_cursor_len(&name);
        if (type != TLCP_SNI_HOST_NAME || ctx->sni != NULL || len == 0 || len > TLCP_SNI_MAX ||
            !host_name_visible(name))
            continue;
        ctx->sni = malloc(len + 1);
        ENSURE_ALERT(ctx->sni != NULL, ctx->err, TLCP_R_ALLOC, TLCP_ALERT_INTERNAL_ERROR,
                     "out of memory");
        GUARD(tlcp_cursor_copy_bytes(&name, (uint8_t *)ctx->sni, len));
        ctx->sni[len] = '\0';
    }
    return 1;
}

static int offered(const tlcp_client_hello *m, uint16_t suite)
{
    tlcp_cursor list = m->cipher_suites;
    uint16_t s;
    while (tlcp_cursor_get_u16(&list, &s))
        if (s == suite)
            return 1;
    return 0;
}

/* Server: resume the client's session when the cache knows it and its
 * suite is still offered and enabled; otherwise issue a fresh session ID
 * (when caching is on) for a full handshake. */
static int choose_session(tlcp_hs_ctx *ctx, const tlcp_client_hello *m)
{
    tlcp_hs *hs = ctx->hs;
    tlcp_session_cache *cache = ctx->cfg.sessions;
    if (cache == NULL)
        return 1; /* empty session ID: nothing to resume later */
    uint16_t suite = 0;
    if (tlcp_session_cache_lookup(cache, m->session_id, m->session_id_len, ctx->sni, &suite,
                                  hs->master) &&
        offered(m, suite) && config_has_suite(&ctx->cfg, suite)) {
        hs->resumed = 1;
        memcpy(hs->session_id, m->session_id, TLCP_SESSION_ID_LEN);
        hs->session_id_len = TLCP_SESSION_ID_LEN;
        tlcp_hs_trace(ctx, "resuming the session the client offered");
        adopt_suite(ctx, suite);
        return 1;
    }
    hs->session_id_len = TLCP_SESSION_ID_LEN;
    return tlcp_random_bytes(hs->session_id, TLCP_SESSION_ID_LEN, ctx->err);
}

tlcp_status tlcp_hs_client_hello_process(tlcp_hs_ctx *ctx, tlcp_cursor body)
{
    tlcp_hs *hs = ctx->hs;
    tlcp_client_hello m;
    S_GUARD(tlcp_parse_client_hello(body, &m, ctx->err));
    S_GUARD(tlcp_hs_check_client_version(ctx, m.version));
    memcpy(hs->client_random, m.random, TLCP_RANDOM_LEN);

    int null_compression = 0;
    tlcp_cursor comp = m.compression_methods;
    uint8_t method;
    while (tlcp_cursor_get_u8(&comp, &method))
        null_compression |= method == 0;
    S_ENSURE_ALERT(null_compression, ctx->err, TLCP_R_HANDSHAKE_FAILURE,
                   TLCP_ALERT_HANDSHAKE_FAILURE, "client did not offer null compression");
    /* Other extensions (session_ticket, ALPN, ...) are ignored. */
    for (size_t i = 0; i < m.num_extensions; i++)
        if (m.extensions[i].type == TLCP_EXT_SERVER_NAME)
            S_GUARD(take_server_name(ctx, m.extensions[i].data));

    /* Server preference order; unknown suites and the SCSV are ignored. */
    for (size_t i = 0; i < ctx->cfg.num_suites; i++) {
        if (offered(&m, ctx->cfg.suites[i])) {
            adopt_suite(ctx, ctx->cfg.suites[i]);
            S_GUARD(choose_session(ctx, &m));
            return tlcp_status_of(set_suite(ctx, ctx->hs->suite));
        }
    }
    TLCP_ERR_ALERT(ctx->err, TLCP_R_NO_SHARED_CIPHER, TLCP_ALERT_HANDSHAKE_FAILURE,
                   "no cipher suite offered by the client is enabled");
    return tlcp_fail();
}

/* After ClientHello: decide whether to ask for a client certificate. */
tlcp_status tlcp_hs_client_hello_post_process(tlcp_hs_ctx *ctx)
{
    tlcp_hs *hs = ctx->hs;
    /* ECDHE needs the client's encryption key, so it always asks; an
     * abbreviated handshake has no certificates at all. */
    hs->cert_requested = !hs->resumed && (ctx->cfg.verify_mode != TLCP_VERIFY_NONE || hs->is_ecdhe);
    if (!hs->cert_requested) /* no CertificateVerify will come */
        tlcp_transcript_drop_raw(&hs->transcript);
    return tlcp_status_of(tlcp_random_bytes(hs->server_random, TLCP_RANDOM_LEN, ctx->err));
}

tlcp_status tlcp_hs_server_hello_construct(tlcp_hs_ctx *ctx, tlcp_builder *body)
{
    tlcp_server_hello m;
    memset(&m, 0, sizeof(m));
    m.version = TLCP_PROTOCOL_VERSION;
    memcpy(m.random, ctx->hs->server_random, TLCP_RANDOM_LEN);
    /* Empty unless the session cache is on. */
    memcpy(m.session_id, ctx->hs->session_id, ctx->hs->session_id_len);
    m.session_id_len = ctx->hs->session_id_len;
    m.cipher_suite = ctx->hs->suite;
    m.compression_method = 0;
    return tlcp_status_of(tlcp_build_server_hello(body, &m));
}

tlcp_status tlcp_hs_server_hello_process(tlcp_hs_ctx *ctx, tlcp_cursor body)
{
    tlcp_hs *hs = ctx->hs;
    tlcp_server_hello m;
    S_GUARD(tlcp_parse_server_hello(body, &m, ctx->err));
    S_ENSURE_ALERT(m.version == TLCP_PROTOCOL_VERSION, ctx->err, TLCP_R_PROTOCOL_VERSION,
                   TLCP_ALERT_PROTOCOL_VERSION, "server chose protocol version 0x%04X, not 0x0101",
                   m.version);
    S_ENSURE_ALERT(config_has_suite(&ctx->cfg, m.cipher_suite), ctx->err, TLCP_R_HANDSHAKE_FAILURE,
                   TLCP_ALERT_ILLEGAL_PARAMETER,
                   "server chose cipher suite 0x%04X, which was not offered", m.cipher_suite);
    S_ENSURE_ALERT(m.compression_method == 0, ctx->err, TLCP_R_HANDSHAKE_FAILURE,
                   TLCP_ALERT_ILLEGAL_PARAMETER, "server chose compression method %u",
                   m.compression_method);
    memcpy(hs->server_random, m.random, TLCP_RANDOM_LEN);
    memcpy(hs->session_id, m.session_id, m.session_id_len);
    hs->session_id_len = m.session_id_len;
    /* Extensions in the ServerHello (GmSSL 3 echoes an empty server_name)
     * are ignored: we asked for nothing that needs an answer. */
    S_GUARD(set_suite(ctx, m.cipher_suite));
    /* Only a session we offered may be resumed: a server echoing some other
     * session ID it knows must not skip the certificate checks. */
    const tlcp_session *offer = may_offer(ctx) ? ctx->offer : NULL;
    if (offer == NULL || m.session_id_len != TLCP_SESSION_ID_LEN ||
        !tlcp_ct_equal(m.session_id, offer->id, TLCP_SESSION_ID_LEN))
        return tlcp_ok(); /* full handshake */
    /* The server resumes our session: same suite, keys from its master. */
    S_ENSURE_ALERT(m.cipher_suite == offer->suite, ctx->err, TLCP_R_HANDSHAKE_FAILURE,
                   TLCP_ALERT_ILLEGAL_PARAMETER,
                   "server resumed the session with suite 0x%04X instead of 0x%04X", m.cipher_suite,
                   offer->suite);
    hs->resumed = 1;
    memcpy(hs->master, offer->master, TLCP_MASTER_SECRET_LEN);
    for (int i = 0; i < 2; i++)
        if (offer->peer_cert[i] != NULL)
            ctx->peer_cert[i] = tlcp_cert_up_ref(offer->peer_cert[i]);
    tlcp_hs_trace(ctx, "server resumed the session; abbreviated handshake");
    tlcp_hs_emit_keylog(ctx);
    return tlcp_hs_install_key_block(ctx);
}

/* Server, abbreviated handshake: the keys come from the cached master
 * before our ChangeCipherSpec. */
tlcp_status tlcp_hs_server_hello_post_work(tlcp_hs_ctx *ctx)
{
    if (!ctx->hs->resumed)
        return tlcp_ok();
    tlcp_hs_emit_keylog(ctx);
    return tlcp_hs_install_key_block(ctx);
}

tlcp_status tlcp_hs_server_done_construct(tlcp_hs_ctx *ctx, tlcp_builder *body)
{
    (void)ctx;
    (void)body;
    return tlcp_ok();
}

tlcp_status tlcp_hs_server_done_process(tlcp_hs_ctx *ctx, tlcp_cursor body)
{
    S_GUARD(tlcp_parse_server_hello_done(body, ctx->err));
    tlcp_hs *hs = ctx->hs;
    if (!hs->send_client_cert) /* no CertificateVerify to sign */
        tlcp_transcript_drop_raw(&hs->transcript);
    /* ECDHE cannot work without our encryption key pair in the Certificate. */
    S_ENSURE_ALERT(!hs->is_ecdhe || hs->cert_requested, ctx->err, TLCP_R_HANDSHAKE_FAILURE,
                   TLCP_ALERT_HANDSHAKE_FAILURE,
                   "ECDHE suite negotiated but the server sent no CertificateRequest");
    return tlcp_ok();
}
