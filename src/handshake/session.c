/* SPDX-License-Identifier: Apache-2.0 */
/* The client's sessions (see session.h; the server's cache is session_cache.c). */
#include "handshake/session.h"

#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

tlcp_session *tlcp_session_new(const uint8_t id[TLCP_SESSION_ID_LEN], uint16_t suite,
                               const uint8_t master[TLCP_MASTER_SECRET_LEN],
                               tlcp_cert *const peer_cert[2])
{
    tlcp_session *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return NULL;
    atomic_init(&s->refs, 1);
    memcpy(s->id, id, TLCP_SESSION_ID_LEN);
    s->suite = suite;
    memcpy(s->master, master, TLCP_MASTER_SECRET_LEN);
    for (int i = 0; i < 2; i++)
        s->peer_cert[i] = peer_cert[i] != NULL ? tlcp_cert_up_ref(peer_cert[i]) : NULL;
    tlcp_session_set_times(s, (int64_t)time(NULL), TLCP_DEFAULT_SESSION_LIFETIME);
    return s;
}

void tlcp_session_set_times(tlcp_session *s, int64_t created, uint32_t lifetime)
{
    s->created = created;
    s->lifetime = lifetime;
}

int tlcp_session_expired(const tlcp_session *s, int64_t now)
{
    /* Differences, not sums: created and now are both far from the int64 limits
     * (import refuses a creation time beyond 2^62). */
    if (now < s->created)
        return s->created - now > TLCP_SESSION_CLOCK_SKEW;
    return now - s->created > (int64_t)s->lifetime;
}

tlcp_session *tlcp_session_up_ref(tlcp_session *s)
{
    if (s != NULL)
        atomic_fetch_add(&s->refs, 1);
    return s;
}

void tlcp_session_free(tlcp_session *s)
{
    if (s == NULL || atomic_fetch_sub(&s->refs, 1) > 1)
        return;
    tlcp_cert_free(s->peer_cert[0]);
    tlcp_cert_free(s->peer_cert[1]);
    free(s->host);
    if (s->ticket != NULL)
        tlcp_free_secret(s->ticket, s->ticket_len);
    tlcp_free_secret(s, sizeof(*s));
}

int tlcp_session_bind_peer(tlcp_session *s, const char *host, int verified)
{
    free(s->host);
    s->host = NULL;
    s->verified = verified;
    if (host == NULL)
        return 1;
    s->host = strdup(host);
    return s->host != NULL;
}

int tlcp_session_set_ticket(tlcp_session *s, const uint8_t *ticket, size_t len, uint32_t hint)
{
    if (len == 0 || len > TLCP_TICKET_MAX_LEN)
        return 0;
    uint8_t *copy = malloc(len);
    if (copy == NULL)
        return 0;
    memcpy(copy, ticket, len);
    if (s->ticket != NULL)
        tlcp_free_secret(s->ticket, s->ticket_len);
    s->ticket = copy;
    s->ticket_len = len;
    s->ticket_hint = hint;
    return 1;
}

void tlcp_session_mark_overridden(tlcp_session *s, int reason)
{
    s->verified = 0;
    s->overridden = 1;
    s->verify_reason = reason;
}

static int same_name(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    return strcmp(a, b) == 0;
}

int tlcp_session_fits_peer(const tlcp_session *s, const char *host, int verify_mode)
{
    if (!same_name(s->host, host) || tlcp_session_expired(s, (int64_t)time(NULL)))
        return 0;
    /* An overridden session is not "verified": resuming it would skip the
     * checks it failed (the callback is not asked again on resumption). */
    return (s->verified && !s->overridden) || verify_mode == TLCP_VERIFY_NONE;
}

int tlcp_session_has_ticket(const tlcp_session *s)
{
    return s != NULL && s->ticket != NULL;
}

uint32_t tlcp_session_ticket_lifetime_hint(const tlcp_session *s)
{
    return s != NULL && s->ticket != NULL ? s->ticket_hint : 0;
}
