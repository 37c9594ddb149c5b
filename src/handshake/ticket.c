/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Session tickets in the handshake (RFC 5077 as Tongsuo speaks it):
 *
 * Client (tickets on): the ClientHello carries session_ticket, empty or with
 * the stored ticket; a ticket goes with a fresh random session ID, and the
 * server echoing that ID resumes (3.4). A ServerHello with session_ticket
 * announces a NewSessionTicket (after our Finished, or after the ServerHello
 * when resuming); without it a NewSessionTicket is unexpected, and the
 * extension in answer to a ClientHello without it is unsupported_extension.
 *
 * Server (a ticket key set): a ticket that opens, has not expired, was made
 * for the same server_name, with a suite still offered and enabled, and
 * verified the client as strictly as we do now, resumes; anything else
 * (garbled, truncated, foreign or removed key, expired) falls back to a full
 * handshake, never an error. A new ticket is issued in every full handshake
 * of a client that asked, and on resumption when the ticket's key is no
 * longer the newest.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "handshake/handlers.h"
#include "handshake/messages.h"
#include "handshake/ticket.h"
#include "util/mem.h"

static int tickets_on_server(const tlcp_hs_ctx *ctx)
{
    return ctx->cfg.ticket_keys != NULL && tlcp_ticket_keys_count(ctx->cfg.ticket_keys) > 0;
}

static int all_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= p[i];
    return acc == 0;
}

void tlcp_hs_ticket_client_offer(tlcp_hs_ctx *ctx, const tlcp_session *offer, tlcp_client_hello *m)
{
    tlcp_hs *hs = ctx->hs;
    int with_ticket = ctx->cfg.offer_tickets && offer != NULL && offer->ticket != NULL;
    if (ctx->cfg.offer_tickets && m->num_extensions < TLCP_MAX_EXTENSIONS) {
        tlcp_extension *e = &m->extensions[m->num_extensions++];
        e->type = TLCP_EXT_SESSION_TICKET;
        tlcp_cursor_init(&e->data, with_ticket ? offer->ticket : NULL,
                         with_ticket ? offer->ticket_len : 0);
        m->has_extensions = 1;
        hs->ticket_ext_sent = 1;
    }
    hs->offered_id_len = 0;
    if (with_ticket) {
        memcpy(hs->offered_id, hs->ticket_sid, TLCP_SESSION_ID_LEN);
        hs->offered_id_len = TLCP_SESSION_ID_LEN;
        tlcp_hs_trace(ctx, "offering a session ticket of %zu bytes", offer->ticket_len);
    } else if (offer != NULL && !all_zero(offer->id, TLCP_SESSION_ID_LEN)) {
        memcpy(hs->offered_id, offer->id, TLCP_SESSION_ID_LEN);
        hs->offered_id_len = TLCP_SESSION_ID_LEN;
    }
    memcpy(m->session_id, hs->offered_id, hs->offered_id_len);
    m->session_id_len = hs->offered_id_len;
}

tlcp_status tlcp_hs_ticket_client_server_hello(tlcp_hs_ctx *ctx, const tlcp_server_hello *m)
{
    const tlcp_extension *e =
        tlcp_find_extension(m->extensions, m->num_extensions, TLCP_EXT_SESSION_TICKET);
    if (e == NULL)
        return tlcp_ok();
    /* RFC 5246 7.4.1.4 (and RFC 5077 3.2): an extension the ClientHello did
     * not carry ends the handshake. */
    S_ENSURE_ALERT(ctx->hs->ticket_ext_sent, ctx->err, TLCP_R_EXTENSION_NOT_OFFERED,
                   TLCP_ALERT_UNSUPPORTED_EXTENSION,
                   "server answered session_ticket, which the ClientHello did not offer");
    /* The announcement is empty (RFC 5077 3.2). */
    S_ENSURE_ALERT(tlcp_cursor_len(&e->data) == 0, ctx->err, TLCP_R_DECODE, TLCP_ALERT_DECODE_ERROR,
                   "server's session_ticket extension is not empty (%zu bytes)",
                   tlcp_cursor_len(&e->data));
    ctx->hs->ticket = 1;
    tlcp_hs_trace(ctx, "server will send a NewSessionTicket");
    return tlcp_ok();
}

/* Server: why `s` (opened from a ticket) cannot be resumed here, or NULL. */
static const char *unusable(const tlcp_hs_ctx *ctx, const tlcp_session *s, int offered_suite)
{
    int enabled = 0;
    for (size_t i = 0; i < ctx->cfg.num_suites; i++)
        enabled |= ctx->cfg.suites[i] == s->suite;
    if (!enabled || !offered_suite)
        return "its cipher suite is not offered or not enabled";
    if (!tlcp_session_fits_peer(s, ctx->sni, ctx->cfg.verify_mode))
        return "it was made for another server name or without the client checks now required";
    return NULL;
}

static int suite_offered(const tlcp_client_hello *m, uint16_t suite)
{
    tlcp_cursor list = m->cipher_suites;
    uint16_t v;
    while (tlcp_cursor_get_u16(&list, &v))
        if (v == suite)
            return 1;
    return 0;
}

/* Takes the session of an accepted ticket into the handshake. */
static void resume_from(tlcp_hs_ctx *ctx, const tlcp_client_hello *m, const tlcp_session *s)
{
    tlcp_hs *hs = ctx->hs;
    hs->resumed = 1;
    memcpy(hs->session_id, m->session_id, m->session_id_len);
    hs->session_id_len = m->session_id_len;
    memcpy(hs->master, s->master, TLCP_MASTER_SECRET_LEN);
    hs->suite = s->suite;
    hs->peer_verified = s->verified;
    hs->peer_verify_overridden = s->overridden;
    hs->peer_verify_reason = s->verify_reason;
    hs->ticket_created = s->created;
    for (int i = 0; i < 2; i++)
        if (s->peer_cert[i] != NULL)
            ctx->peer_cert[i] = tlcp_cert_up_ref(s->peer_cert[i]);
}

int tlcp_hs_ticket_server_resume(tlcp_hs_ctx *ctx, const tlcp_client_hello *m, uint16_t *suite)
{
    const tlcp_extension *e =
        tlcp_find_extension(m->extensions, m->num_extensions, TLCP_EXT_SESSION_TICKET);
    if (e == NULL || !tickets_on_server(ctx))
        return 0;
    tlcp_hs *hs = ctx->hs;
    hs->ticket = 1; /* unless resumed under the newest key: a new ticket */
    size_t len = tlcp_cursor_len(&e->data);
    if (len == 0)
        return 0;
    if (m->session_id_len == 0) {
        /* RFC 5077 3.4 lets the server pick an ID; our clients send one and
         * so does Tongsuo's, so this is a full handshake. */
        tlcp_hs_trace(ctx, "session ticket without a session ID: full handshake");
        return 0;
    }
    tlcp_error why;
    tlcp_error_clear(&why);
    int newest = 0;
    tlcp_session *s = tlcp_ticket_open(ctx->cfg.ticket_keys, tlcp_cursor_data(&e->data), len,
                                       (int64_t)time(NULL), &newest, &why);
    const char *reason =
        s == NULL ? tlcp_error_message(&why) : unusable(ctx, s, suite_offered(m, s->suite));
    if (reason != NULL) {
        tlcp_hs_trace(ctx, "session ticket of %zu bytes not accepted (%s): full handshake", len,
                      reason);
        tlcp_session_free(s);
        return 0;
    }
    resume_from(ctx, m, s);
    *suite = s->suite;
    hs->ticket = !newest;
    tlcp_hs_trace(ctx, "resuming from a session ticket%s",
                  newest ? "" : " under an older key: issuing a new one");
    tlcp_session_free(s);
    return 1;
}

int tlcp_hs_ticket_server_hello_ext(const tlcp_hs_ctx *ctx, tlcp_server_hello *m)
{
    if (!ctx->hs->ticket || m->num_extensions >= TLCP_MAX_EXTENSIONS)
        return 1;
    tlcp_extension *e = &m->extensions[m->num_extensions++];
    e->type = TLCP_EXT_SESSION_TICKET;
    tlcp_cursor_init(&e->data, NULL, 0);
    m->has_extensions = 1;
    return 1;
}

/* Server: the session a ticket carries, as of now. */
static tlcp_session *ticket_session(tlcp_hs_ctx *ctx, uint32_t lifetime)
{
    tlcp_hs *hs = ctx->hs;
    uint8_t no_id[TLCP_SESSION_ID_LEN] = {0};
    tlcp_session *s = tlcp_session_new(no_id, hs->suite, hs->master, ctx->peer_cert);
    if (s == NULL || !tlcp_session_bind_peer(s, ctx->sni, hs->peer_verified)) {
        tlcp_session_free(s);
        return NULL;
    }
    if (hs->peer_verify_overridden)
        tlcp_session_mark_overridden(s, hs->peer_verify_reason);
    /* A renewed ticket keeps the first handshake's time: renewals do not
     * stretch a session's life. */
    tlcp_session_set_times(s, hs->resumed ? hs->ticket_created : (int64_t)time(NULL), lifetime);
    return s;
}

tlcp_status tlcp_hs_new_session_ticket_construct(tlcp_hs_ctx *ctx, tlcp_builder *body)
{
    tlcp_ticket_keys *keys = ctx->cfg.ticket_keys;
    pthread_mutex_lock(&keys->lock);
    uint32_t lifetime = keys->lifetime;
    pthread_mutex_unlock(&keys->lock);
    tlcp_session *s = ticket_session(ctx, lifetime);
    size_t len = 0;
    uint8_t *ticket = s != NULL ? tlcp_ticket_seal(keys, s, &len, ctx->err) : NULL;
    tlcp_session_free(s);
    /* Keys removed since the ServerHello promised a ticket: an empty one
     * (RFC 5077 3.3: the client keeps nothing). */
    tlcp_new_session_ticket m = {lifetime, {0}};
    tlcp_cursor_init(&m.ticket, ticket, ticket != NULL ? len : 0);
    if (ticket == NULL)
        tlcp_error_clear(ctx->err);
    tlcp_hs_trace(ctx, "issuing a session ticket of %zu bytes, lifetime %u s",
                  tlcp_cursor_len(&m.ticket), lifetime);
    int ok = tlcp_build_new_session_ticket(body, &m);
    free(ticket);
    return tlcp_status_of(ok);
}

tlcp_status tlcp_hs_new_session_ticket_process(tlcp_hs_ctx *ctx, tlcp_cursor body)
{
    tlcp_new_session_ticket m;
    S_GUARD(tlcp_parse_new_session_ticket(body, &m, ctx->err));
    tlcp_hs *hs = ctx->hs;
    size_t len = tlcp_cursor_len(&m.ticket);
    tlcp_hs_trace(ctx, "received a session ticket of %zu bytes, lifetime hint %u s", len,
                  m.lifetime_hint);
    hs->got_ticket = 1;
    if (len == 0 || len > TLCP_TICKET_MAX_LEN) {
        if (len != 0)
            tlcp_hs_trace(ctx, "ticket larger than %d bytes: not kept", TLCP_TICKET_MAX_LEN);
        return tlcp_ok();
    }
    free(hs->new_ticket);
    hs->new_ticket = malloc(len);
    S_ENSURE_ALERT(hs->new_ticket != NULL, ctx->err, TLCP_R_ALLOC, TLCP_ALERT_INTERNAL_ERROR,
                   "out of memory");
    memcpy(hs->new_ticket, tlcp_cursor_data(&m.ticket), len);
    hs->new_ticket_len = len;
    hs->new_ticket_hint = m.lifetime_hint;
    return tlcp_ok();
}

/* Client: the session to keep after a handshake with a NewSessionTicket
 * (a resumed one keeps the offered session's peer and checks). NULL when
 * out of memory. */
tlcp_session *tlcp_hs_ticket_client_session(tlcp_hs_ctx *ctx)
{
    tlcp_hs *hs = ctx->hs;
    uint8_t id[TLCP_SESSION_ID_LEN] = {0};
    if (hs->session_id_len == TLCP_SESSION_ID_LEN)
        memcpy(id, hs->session_id, TLCP_SESSION_ID_LEN);
    const tlcp_session *from = hs->resumed ? ctx->offer : NULL;
    tlcp_session *s = tlcp_session_new(id, hs->suite, hs->master, ctx->peer_cert);
    int ok = s != NULL;
    ok = ok && tlcp_session_bind_peer(s, from != NULL ? from->host : ctx->cfg.host_name,
                                      from != NULL ? from->verified : hs->peer_verified);
    if (ok && (from != NULL ? from->overridden : hs->peer_verify_overridden))
        tlcp_session_mark_overridden(s,
                                     from != NULL ? from->verify_reason : hs->peer_verify_reason);
    if (ok && hs->new_ticket != NULL) {
        ok = tlcp_session_set_ticket(s, hs->new_ticket, hs->new_ticket_len, hs->new_ticket_hint);
        if (hs->new_ticket_hint != 0)
            tlcp_session_set_times(s, (int64_t)time(NULL), hs->new_ticket_hint);
    }
    if (!ok) {
        tlcp_session_free(s);
        return NULL;
    }
    return s;
}
