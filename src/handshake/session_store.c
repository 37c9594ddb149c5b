/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The server's side of the session store (see session_store.h): what is
 * asked of the application's callbacks and what is checked in their
 * answers. A store is outside libtlcp and may be down, slow or wrong, so
 * nothing it does fails a connection: a failed or odd lookup is a full
 * handshake, a failed new/remove is traced and ignored.
 */
#include "handshake/session_store.h"

#include <string.h>
#include <time.h>

#include "handshake/context.h"
#include "util/mem.h"

void tlcp_store_state_cleanup(tlcp_store_state *st)
{
    tlcp_session_free(st->found);
    st->found = NULL;
    if (st->lookup != TLCP_LOOKUP_NONE)
        st->lookup = TLCP_LOOKUP_SETTLED;
}

int tlcp_hs_store_enabled(const tlcp_hs_ctx *ctx)
{
    return ctx->cfg.store != NULL;
}

static unsigned store_lifetime(const tlcp_hs_ctx *ctx)
{
    unsigned l = ctx->cfg.store->lifetime_seconds;
    return l != 0 ? l : TLCP_DEFAULT_SESSION_LIFETIME;
}

int tlcp_hs_store_lookup(tlcp_hs_ctx *ctx, const uint8_t *id, size_t id_len,
                         unsigned offered_suites)
{
    tlcp_store_state *st = &ctx->store;
    const tlcp_session_store *store = ctx->cfg.store;
    if (store == NULL || store->get_session == NULL || id_len != TLCP_SESSION_ID_LEN)
        return 1; /* nothing to look up: a full handshake */
    memcpy(st->offered_id, id, TLCP_SESSION_ID_LEN);
    st->offered_suites = offered_suites;
    st->lookup = TLCP_LOOKUP_ASKING;
    int rc = store->get_session(ctx->cfg.store_arg, ctx->owner, id, id_len);
    if (rc == TLCP_STORE_PENDING && st->lookup == TLCP_LOOKUP_ASKING) {
        st->lookup = TLCP_LOOKUP_PENDING;
        tlcp_hs_trace(ctx, "session store: lookup pending");
        return 1;
    }
    if (rc != TLCP_STORE_ANSWERED && rc != TLCP_STORE_PENDING) {
        tlcp_hs_trace(ctx, "session store: lookup failed (%d), full handshake", rc);
        tlcp_session_free(st->found);
        st->found = NULL;
    }
    st->lookup = TLCP_LOOKUP_ANSWERED; /* answered inside, or "not found" */
    return 1;
}

tlcp_result tlcp_hs_store_answer(tlcp_hs_ctx *ctx, const uint8_t *data, size_t len)
{
    tlcp_store_state *st = &ctx->store;
    if (!ctx->is_server || ctx->hs == NULL ||
        (st->lookup != TLCP_LOOKUP_ASKING && st->lookup != TLCP_LOOKUP_PENDING))
        return TLCP_ERROR;
    st->lookup = TLCP_LOOKUP_ANSWERED;
    if (data == NULL || len == 0) {
        tlcp_hs_trace(ctx, "session store: not found");
        return TLCP_OK;
    }
    tlcp_error err;
    tlcp_error_clear(&err);
    st->found = tlcp_session_decode(data, len, (int64_t)time(NULL), &err);
    if (st->found == NULL)
        tlcp_hs_trace(ctx, "session store: answer refused: %s", tlcp_error_message(&err));
    return TLCP_OK;
}

int tlcp_hs_store_pending(const tlcp_hs_ctx *ctx)
{
    return ctx->store.lookup == TLCP_LOOKUP_PENDING;
}

static int same_name(const char *stored, const char *sni)
{
    if (stored == NULL || sni == NULL)
        return stored == sni;
    return strcmp(stored, sni) == 0;
}

static int suite_allowed(const tlcp_hs_ctx *ctx, uint16_t suite)
{
    for (size_t i = 0; i < ctx->cfg.num_suites; i++)
        if (ctx->cfg.suites[i] == suite)
            return (ctx->store.offered_suites >> i) & 1u;
    return 0;
}

/* A stored value is trusted no more than the network: it must be the
 * session the client offered, made for the same server_name, with a suite
 * this handshake may use, and not one that carried a client's
 * certificates (those are never stored). */
static const char *misfit(const tlcp_hs_ctx *ctx, const tlcp_session *s)
{
    if (!tlcp_ct_equal(s->id, ctx->store.offered_id, TLCP_SESSION_ID_LEN))
        return "another session ID";
    if (!same_name(s->host, ctx->sni))
        return "another server_name";
    if (!suite_allowed(ctx, s->suite))
        return "a suite not offered or not enabled";
    if (s->peer_cert[0] != NULL || s->peer_cert[1] != NULL || s->verified || s->overridden)
        return "a client-authenticated session";
    return NULL;
}

tlcp_session *tlcp_hs_store_take(tlcp_hs_ctx *ctx)
{
    tlcp_store_state *st = &ctx->store;
    if (st->lookup != TLCP_LOOKUP_ANSWERED)
        return NULL;
    tlcp_session *s = st->found;
    st->found = NULL;
    st->lookup = TLCP_LOOKUP_SETTLED;
    const char *why = s != NULL ? misfit(ctx, s) : NULL;
    if (why != NULL) {
        tlcp_hs_trace(ctx, "session store: stored session not resumed: %s", why);
        tlcp_session_free(s);
        return NULL;
    }
    return s;
}

void tlcp_hs_store_note_resumed(tlcp_hs_ctx *ctx, const uint8_t id[TLCP_SESSION_ID_LEN])
{
    memcpy(ctx->store.id, id, TLCP_SESSION_ID_LEN);
    ctx->store.has_id = 1;
}

/* The server's view of the session: no peer certificates, bound to the
 * client's server_name, unverified (the client was not authenticated). */
static tlcp_session *server_session(const tlcp_hs_ctx *ctx)
{
    const tlcp_hs *hs = ctx->hs;
    tlcp_cert *none[2] = {NULL, NULL};
    tlcp_session *s = tlcp_session_new(hs->session_id, hs->suite, hs->master, none);
    if (s != NULL && !tlcp_session_bind_peer(s, ctx->sni, 0)) {
        tlcp_session_free(s);
        return NULL;
    }
    if (s != NULL)
        tlcp_session_set_times(s, (int64_t)time(NULL), store_lifetime(ctx));
    return s;
}

void tlcp_hs_store_new(tlcp_hs_ctx *ctx)
{
    const tlcp_session_store *store = ctx->cfg.store;
    const tlcp_hs *hs = ctx->hs;
    if (store == NULL || store->new_session == NULL || hs->session_id_len != TLCP_SESSION_ID_LEN)
        return;
    tlcp_session *s = server_session(ctx);
    uint8_t buf[1024]; /* no certificates: a few hundred bytes at most */
    size_t len = 0;
    int rc = TLCP_STORE_FAILED;
    if (s != NULL && tlcp_session_export(s, buf, sizeof(buf), &len) == TLCP_OK)
        rc = store->new_session(ctx->cfg.store_arg, ctx->owner, hs->session_id, TLCP_SESSION_ID_LEN,
                                buf, len, store_lifetime(ctx));
    if (rc != 0)
        tlcp_hs_trace(ctx, "session store: storing the new session failed (%d), ignored", rc);
    else
        tlcp_hs_store_note_resumed(ctx, hs->session_id);
    tlcp_wipe(buf, sizeof(buf));
    tlcp_session_free(s);
}

void tlcp_hs_store_forget(tlcp_hs_ctx *ctx)
{
    const tlcp_session_store *store = ctx->cfg.store;
    if (!ctx->is_server || !ctx->store.has_id || store == NULL || store->remove_session == NULL)
        return;
    ctx->store.has_id = 0;
    int rc =
        store->remove_session(ctx->cfg.store_arg, ctx->owner, ctx->store.id, TLCP_SESSION_ID_LEN);
    tlcp_hs_trace(ctx, "session store: session removed after a fatal alert%s",
                  rc != 0 ? " (the store failed, ignored)" : "");
}
