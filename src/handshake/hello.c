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

static void adopt_suite(tlcp_conn *conn, uint16_t suite)
{
    tlcp_hs *hs = conn->hs;
    hs->suite = suite;
    hs->bulk = tlcp_suite_bulk(suite);
    hs->is_ecdhe = tlcp_suite_is_ecdhe(suite);
    conn->suite = suite;
}

/* Traced once, when the choice is final (a server resuming a session
 * replaces its preferred suite by the session's). */
static int set_suite(tlcp_conn *conn, uint16_t suite)
{
    adopt_suite(conn, suite);
    tlcp_conn_trace(conn, "negotiated cipher suite %s (0x%04X)", tlcp_cipher_suite_name(suite).str,
                    suite);
    return 1;
}

static int config_has_suite(const tlcp_config *cfg, uint16_t suite)
{
    for (size_t i = 0; i < cfg->num_suites; i++)
        if (cfg->suites[i] == suite)
            return 1;
    return 0;
}

/* Client: whether conn->offer may be offered (and so resumed). Resumption
 * skips certificate verification, so the session must come from a
 * handshake with the same host name that verified at least as strictly. */
static int may_offer(const tlcp_conn *conn)
{
    const tlcp_session *offer = conn->offer;
    return offer != NULL && config_has_suite(conn->cfg, offer->suite) &&
           tlcp_session_fits_peer(offer, conn->cfg->host_name, tlcp_conn_verify_mode(conn));
}

int tlcp_hs_client_hello_pre_work(tlcp_conn *conn)
{
    return tlcp_random_bytes(conn->hs->client_random, TLCP_RANDOM_LEN, &conn->err);
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

int tlcp_hs_client_hello_construct(tlcp_conn *conn, tlcp_builder *body)
{
    const tlcp_config *cfg = conn->cfg;
    tlcp_client_hello m;
    memset(&m, 0, sizeof(m));
    m.version = TLCP_PROTOCOL_VERSION;
    memcpy(m.random, conn->hs->client_random, TLCP_RANDOM_LEN);

    /* No extensions unless configured: GmSSL 3 rejects unknown ones. */
    uint8_t sni_mem[TLCP_SNI_MAX + 8];
    tlcp_builder sni;
    tlcp_builder_init_fixed(&sni, sni_mem, sizeof(sni_mem));
    if (cfg->send_sni && cfg->host_name != NULL && strlen(cfg->host_name) <= TLCP_SNI_MAX) {
        GUARD(build_sni(cfg->host_name, &sni));
        m.has_extensions = 1;
        m.num_extensions = 1;
        m.extensions[0].type = TLCP_EXT_SERVER_NAME;
        tlcp_cursor_init(&m.extensions[0].data, tlcp_builder_data(&sni), tlcp_builder_len(&sni));
    }
    /* A session to resume, if its suite is still one we offer and it was
     * made with the peer we now expect. */
    if (may_offer(conn)) {
        const tlcp_session *offer = conn->offer;
        memcpy(m.session_id, offer->id, TLCP_SESSION_ID_LEN);
        m.session_id_len = TLCP_SESSION_ID_LEN;
    }
    return tlcp_build_client_hello(body, &m, cfg->suites, cfg->num_suites);
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
static int take_server_name(tlcp_conn *conn, tlcp_cursor ext)
{
    tlcp_cursor list, name;
    uint8_t type;
    ENSURE_ALERT(tlcp_cursor_get_u16_prefixed(&ext, &list) && tlcp_cursor_is_empty(&ext),
                 &conn->err, TLCP_R_DECODE, TLCP_ALERT_DECODE_ERROR,
                 "ClientHello: malformed server_name extension");
    while (!tlcp_cursor_is_empty(&list)) {
        ENSURE_ALERT(tlcp_cursor_get_u8(&list, &type) && tlcp_cursor_get_u16_prefixed(&list, &name),
                     &conn->err, TLCP_R_DECODE, TLCP_ALERT_DECODE_ERROR,
                     "ClientHello: malformed server_name list");
        size_t len = tlcp_cursor_len(&name);
        if (type != TLCP_SNI_HOST_NAME || conn->sni != NULL || len == 0 || len > TLCP_SNI_MAX ||
            !host_name_visible(name))
            continue;
        conn->sni = malloc(len + 1);
        ENSURE_ALERT(conn->sni != NULL, &conn->err, TLCP_R_ALLOC, TLCP_ALERT_INTERNAL_ERROR,
                     "out of memory");
        GUARD(tlcp_cursor_copy_bytes(&name, (uint8_t *)conn->sni, len));
        conn->sni[len] = '\0';
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
static int choose_session(tlcp_conn *conn, const tlcp_client_hello *m)
{
    tlcp_hs *hs = conn->hs;
    tlcp_session_cache *cache = conn->cfg->sessions;
    if (cache == NULL)
        return 1; /* empty session ID: nothing to resume later */
    uint16_t suite = 0;
    if (tlcp_session_cache_lookup(cache, m->session_id, m->session_id_len, conn->sni, &suite,
                                  hs->master) &&
        offered(m, suite) && config_has_suite(conn->cfg, suite)) {
        hs->resumed = 1;
        memcpy(hs->session_id, m->session_id, TLCP_SESSION_ID_LEN);
        hs->session_id_len = TLCP_SESSION_ID_LEN;
        tlcp_conn_trace(conn, "resuming the session the client offered");
        adopt_suite(conn, suite);
        return 1;
    }
    hs->session_id_len = TLCP_SESSION_ID_LEN;
    return tlcp_random_bytes(hs->session_id, TLCP_SESSION_ID_LEN, &conn->err);
}

int tlcp_hs_client_hello_process(tlcp_conn *conn, tlcp_cursor body)
{
    tlcp_hs *hs = conn->hs;
    tlcp_client_hello m;
    GUARD(tlcp_parse_client_hello(body, &m, &conn->err));
    /* TLCP is 1.1 only; a TLS ClientHello (3.x) or an older GM version is refused. */
    ENSURE_ALERT(m.version == TLCP_PROTOCOL_VERSION, &conn->err, TLCP_R_PROTOCOL_VERSION,
                 TLCP_ALERT_PROTOCOL_VERSION,
                 "client offered protocol version 0x%04X, only TLCP 0x0101 is supported",
                 m.version);
    memcpy(hs->client_random, m.random, TLCP_RANDOM_LEN);

    int null_compression = 0;
    tlcp_cursor comp = m.compression_methods;
    uint8_t method;
    while (tlcp_cursor_get_u8(&comp, &method))
        null_compression |= method == 0;
    ENSURE_ALERT(null_compression, &conn->err, TLCP_R_HANDSHAKE_FAILURE,
                 TLCP_ALERT_HANDSHAKE_FAILURE, "client did not offer null compression");
    /* Other extensions (session_ticket, ALPN, ...) are ignored. */
    for (size_t i = 0; i < m.num_extensions; i++)
        if (m.extensions[i].type == TLCP_EXT_SERVER_NAME)
            GUARD(take_server_name(conn, m.extensions[i].data));

    /* Server preference order; unknown suites and the SCSV are ignored. */
    for (size_t i = 0; i < conn->cfg->num_suites; i++) {
        if (offered(&m, conn->cfg->suites[i])) {
            adopt_suite(conn, conn->cfg->suites[i]);
            GUARD(choose_session(conn, &m));
            return set_suite(conn, conn->hs->suite);
        }
    }
    TLCP_ERR_ALERT(&conn->err, TLCP_R_NO_SHARED_CIPHER, TLCP_ALERT_HANDSHAKE_FAILURE,
                   "no cipher suite offered by the client is enabled");
    return 0;
}

/* After ClientHello: decide whether to ask for a client certificate. */
int tlcp_hs_client_hello_post_process(tlcp_conn *conn)
{
    tlcp_hs *hs = conn->hs;
    /* ECDHE needs the client's encryption key, so it always asks; an
     * abbreviated handshake has no certificates at all. */
    hs->cert_requested =
        !hs->resumed && (tlcp_conn_verify_mode(conn) != TLCP_VERIFY_NONE || hs->is_ecdhe);
    if (!hs->cert_requested) /* no CertificateVerify will come */
        tlcp_transcript_drop_raw(&hs->transcript);
    return tlcp_random_bytes(hs->server_random, TLCP_RANDOM_LEN, &conn->err);
}

int tlcp_hs_server_hello_construct(tlcp_conn *conn, tlcp_builder *body)
{
    tlcp_server_hello m;
    memset(&m, 0, sizeof(m));
    m.version = TLCP_PROTOCOL_VERSION;
    memcpy(m.random, conn->hs->server_random, TLCP_RANDOM_LEN);
    /* Empty unless the session cache is on. */
    memcpy(m.session_id, conn->hs->session_id, conn->hs->session_id_len);
    m.session_id_len = conn->hs->session_id_len;
    m.cipher_suite = conn->hs->suite;
    m.compression_method = 0;
    return tlcp_build_server_hello(body, &m);
}

int tlcp_hs_server_hello_process(tlcp_conn *conn, tlcp_cursor body)
{
    tlcp_hs *hs = conn->hs;
    tlcp_server_hello m;
    GUARD(tlcp_parse_server_hello(body, &m, &conn->err));
    ENSURE_ALERT(m.version == TLCP_PROTOCOL_VERSION, &conn->err, TLCP_R_PROTOCOL_VERSION,
                 TLCP_ALERT_PROTOCOL_VERSION, "server chose protocol version 0x%04X, not 0x0101",
                 m.version);
    ENSURE_ALERT(config_has_suite(conn->cfg, m.cipher_suite), &conn->err, TLCP_R_HANDSHAKE_FAILURE,
                 TLCP_ALERT_ILLEGAL_PARAMETER,
                 "server chose cipher suite 0x%04X, which was not offered", m.cipher_suite);
    ENSURE_ALERT(m.compression_method == 0, &conn->err, TLCP_R_HANDSHAKE_FAILURE,
                 TLCP_ALERT_ILLEGAL_PARAMETER, "server chose compression method %u",
                 m.compression_method);
    memcpy(hs->server_random, m.random, TLCP_RANDOM_LEN);
    memcpy(hs->session_id, m.session_id, m.session_id_len);
    hs->session_id_len = m.session_id_len;
    /* Extensions in the ServerHello (GmSSL 3 echoes an empty server_name)
     * are ignored: we asked for nothing that needs an answer. */
    GUARD(set_suite(conn, m.cipher_suite));
    /* Only a session we offered may be resumed: a server echoing some other
     * session ID it knows must not skip the certificate checks. */
    const tlcp_session *offer = may_offer(conn) ? conn->offer : NULL;
    if (offer == NULL || m.session_id_len != TLCP_SESSION_ID_LEN ||
        !tlcp_ct_equal(m.session_id, offer->id, TLCP_SESSION_ID_LEN))
        return 1; /* full handshake */
    /* The server resumes our session: same suite, keys from its master. */
    ENSURE_ALERT(m.cipher_suite == offer->suite, &conn->err, TLCP_R_HANDSHAKE_FAILURE,
                 TLCP_ALERT_ILLEGAL_PARAMETER,
                 "server resumed the session with suite 0x%04X instead of 0x%04X", m.cipher_suite,
                 offer->suite);
    hs->resumed = 1;
    memcpy(hs->master, offer->master, TLCP_MASTER_SECRET_LEN);
    for (int i = 0; i < 2; i++)
        if (offer->peer_cert[i] != NULL)
            conn->peer_cert[i] = tlcp_cert_up_ref(offer->peer_cert[i]);
    tlcp_conn_trace(conn, "server resumed the session; abbreviated handshake");
    tlcp_hs_emit_keylog(conn);
    return tlcp_hs_install_key_block(conn);
}

/* Server, abbreviated handshake: the keys come from the cached master
 * before our ChangeCipherSpec. */
int tlcp_hs_server_hello_post_work(tlcp_conn *conn)
{
    if (!conn->hs->resumed)
        return 1;
    tlcp_hs_emit_keylog(conn);
    return tlcp_hs_install_key_block(conn);
}

int tlcp_hs_server_done_construct(tlcp_conn *conn, tlcp_builder *body)
{
    (void)conn;
    (void)body;
    return 1;
}

int tlcp_hs_server_done_process(tlcp_conn *conn, tlcp_cursor body)
{
    GUARD(tlcp_parse_server_hello_done(body, &conn->err));
    tlcp_hs *hs = conn->hs;
    if (!hs->send_client_cert) /* no CertificateVerify to sign */
        tlcp_transcript_drop_raw(&hs->transcript);
    /* ECDHE cannot work without our encryption key pair in the Certificate. */
    ENSURE_ALERT(!hs->is_ecdhe || hs->cert_requested, &conn->err, TLCP_R_HANDSHAKE_FAILURE,
                 TLCP_ALERT_HANDSHAKE_FAILURE,
                 "ECDHE suite negotiated but the server sent no CertificateRequest");
    return 1;
}
