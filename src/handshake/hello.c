/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ClientHello, ServerHello and ServerHelloDone handlers: randoms, suite
 * negotiation (server preference), version and compression checks.
 */
#include <stdlib.h>
#include <string.h>

#include "handshake/handlers.h"
#include "handshake/hello_ext.h"
#include "handshake/keys.h"
#include "handshake/messages.h"
#include "handshake/trace_fields.h"
#include "util/mem.h"

#define TLCP_SNI_MAX TLCP_SNI_NAME_MAX

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
    /* The session ID that goes with a ticket is fresh (RFC 5077 3.4). */
    return tlcp_status_of(tlcp_random_bytes(ctx->hs->client_random, TLCP_RANDOM_LEN, ctx->err) &&
                          tlcp_random_bytes(ctx->hs->ticket_sid, TLCP_SESSION_ID_LEN, ctx->err));
}

#if defined(TLCP_TESTING)
/* Test builds: the ClientHello given by the test, byte for byte (its
 * random becomes ours; the suites, extensions and session ID are whatever
 * it says, so the test owns their consistency with our config). */
static tlcp_status test_hello(tlcp_hs_ctx *ctx, tlcp_builder *body)
{
    memcpy(ctx->hs->client_random, ctx->test_hello + 2, TLCP_RANDOM_LEN);
    tlcp_hs_trace(ctx, "test hook: sending the given ClientHello (%zu bytes, version 0x%02X%02X)",
                  ctx->test_hello_len, ctx->test_hello[0], ctx->test_hello[1]);
    return tlcp_status_of(tlcp_builder_add_bytes(body, ctx->test_hello, ctx->test_hello_len));
}
#endif

tlcp_status tlcp_hs_client_hello_construct(tlcp_hs_ctx *ctx, tlcp_builder *body)
{
#if defined(TLCP_TESTING)
    if (ctx->test_hello != NULL)
        return test_hello(ctx, body);
#endif
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
        S_GUARD(tlcp_build_server_name(&sni, cfg->host_name));
        m.has_extensions = 1;
        m.num_extensions = 1;
        m.extensions[0].type = TLCP_EXT_SERVER_NAME;
        tlcp_cursor_init(&m.extensions[0].data, tlcp_builder_data(&sni), tlcp_builder_len(&sni));
    }
    S_TRY(tlcp_hs_alpn_offer(ctx, &m));
    /* A session to resume, if its suite is still one we offer and it was
     * made with the peer we now expect: its ID, or its ticket (ticket.c). */
    tlcp_hs_ticket_client_offer(ctx, may_offer(ctx) ? ctx->offer : NULL, &m);
    return tlcp_status_of(tlcp_build_client_hello(body, &m, cfg->suites, cfg->num_suites));
}

/* server_name (RFC 6066, msg_sni.c): the host name is kept for
 * tlcp_conn_server_name() and the choice of the certificate pair. */
static int take_server_name(tlcp_hs_ctx *ctx, tlcp_cursor ext)
{
    tlcp_cursor name;
    GUARD(tlcp_parse_server_name(ext, &name, ctx->err));
    size_t len = tlcp_cursor_len(&name);
    if (len == 0 || ctx->sni != NULL)
        return 1;
    ctx->sni = malloc(len + 1);
    ENSURE_ALERT(ctx->sni != NULL, ctx->err, TLCP_R_ALLOC, TLCP_ALERT_INTERNAL_ERROR,
                 "out of memory");
    GUARD(tlcp_cursor_copy_bytes(&name, (uint8_t *)ctx->sni, len));
    ctx->sni[len] = '\0';
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

/* Server: resume the session the store found (checked there), or issue a
 * fresh session ID for a full handshake; the suite is traced once final. */
static int settle_session(tlcp_hs_ctx *ctx)
{
    tlcp_hs *hs = ctx->hs;
    if (!tlcp_hs_store_enabled(ctx) || hs->session_id_len != 0)
        return 1; /* no store, or settled already */
    tlcp_session *s = tlcp_hs_store_take(ctx);
    if (s != NULL) {
        hs->resumed = 1;
        memcpy(hs->master, s->master, TLCP_MASTER_SECRET_LEN);
        memcpy(hs->session_id, s->id, TLCP_SESSION_ID_LEN);
        hs->session_id_len = TLCP_SESSION_ID_LEN;
        tlcp_hs_store_note_resumed(ctx, s->id);
        tlcp_hs_trace(ctx, "resuming the session the client offered");
        uint16_t suite = s->suite;
        tlcp_session_free(s);
        return set_suite(ctx, suite);
    }
    hs->session_id_len = TLCP_SESSION_ID_LEN;
    GUARD(tlcp_random_bytes(hs->session_id, TLCP_SESSION_ID_LEN, ctx->err));
    return set_suite(ctx, hs->suite);
}

/* Bit i: the client offered cfg.suites[i] (what a stored session's suite
 * is checked against when the answer comes after the ClientHello is gone). */
static unsigned offered_mask(const tlcp_hs_ctx *ctx, const tlcp_client_hello *m)
{
    unsigned mask = 0;
    for (size_t i = 0; i < ctx->cfg.num_suites && i < 8 * sizeof(mask); i++)
        if (offered(m, ctx->cfg.suites[i]))
            mask |= 1u << i;
    return mask;
}

/* Server: asks the session store for the session the client offered. The
 * answer may come now or later (TLCP_WANT_SESSION); settle_session applies
 * it before anything depends on whether the handshake is resumed. */
static int choose_session(tlcp_hs_ctx *ctx, const tlcp_client_hello *m)
{
    uint16_t ticket_suite = 0;
    if (tlcp_hs_ticket_server_resume(ctx, m, &ticket_suite)) { /* ticket.c */
        adopt_suite(ctx, ticket_suite);
        return set_suite(ctx, ticket_suite);
    }
    if (!tlcp_hs_store_enabled(ctx)) /* empty session ID: nothing to resume later */
        return set_suite(ctx, ctx->hs->suite);
    GUARD(tlcp_hs_store_lookup(ctx, m->session_id, m->session_id_len, offered_mask(ctx, m)));
    return tlcp_hs_store_pending(ctx) || settle_session(ctx);
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
    /* Other extensions are ignored; session_ticket is ticket.c's. */
    for (size_t i = 0; i < m.num_extensions; i++)
        if (m.extensions[i].type == TLCP_EXT_SERVER_NAME)
            S_GUARD(take_server_name(ctx, m.extensions[i].data));
    S_TRY(tlcp_hs_choose_cert(ctx));     /* by server name (cert_select.c) */
    S_TRY(tlcp_hs_alpn_choose(ctx, &m)); /* alpn.c */

    /* Server preference order; unknown suites and the SCSV are ignored. */
    for (size_t i = 0; i < ctx->cfg.num_suites; i++) {
        if (offered(&m, ctx->cfg.suites[i])) {
            adopt_suite(ctx, ctx->cfg.suites[i]);
            return tlcp_status_of(choose_session(ctx, &m));
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
    S_GUARD(settle_session(ctx)); /* a lookup answered after the ClientHello */
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
    S_GUARD(tlcp_hs_ticket_server_hello_ext(ctx, &m));
    uint8_t alpn_mem[TLCP_ALPN_REPLY_MAX];
    S_TRY(tlcp_hs_alpn_answer(ctx, &m, alpn_mem));
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
    /* session_ticket announces a NewSessionTicket (ticket.c). */
    S_TRY(tlcp_hs_ticket_client_server_hello(ctx, &m));
    /* ALPN is checked against our offer; other extensions in the
     * ServerHello (GmSSL 3 echoes an empty server_name) are ignored. */
    S_TRY(tlcp_hs_alpn_check_answer(ctx, &m));
    S_GUARD(set_suite(ctx, m.cipher_suite));
    /* Only a session we offered may be resumed: a server echoing some other
     * session ID it knows must not skip the certificate checks. With a
     * ticket the ID is the fresh one we sent along (RFC 5077 3.4). */
    const tlcp_session *offer = may_offer(ctx) ? ctx->offer : NULL;
    if (offer == NULL || hs->offered_id_len != TLCP_SESSION_ID_LEN ||
        m.session_id_len != TLCP_SESSION_ID_LEN ||
        !tlcp_ct_equal(m.session_id, hs->offered_id, TLCP_SESSION_ID_LEN))
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
