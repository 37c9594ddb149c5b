/* SPDX-License-Identifier: Apache-2.0 */
/* Sessions and the server's session cache (see session.h). */
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
    return s->verified || verify_mode == TLCP_VERIFY_NONE;
}

tlcp_session_cache *tlcp_session_cache_new(size_t cap, unsigned lifetime)
{
    tlcp_session_cache *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return NULL;
    c->entries = calloc(cap, sizeof(*c->entries));
    if (c->entries == NULL || pthread_mutex_init(&c->lock, NULL) != 0) {
        free(c->entries);
        free(c);
        return NULL;
    }
    c->cap = cap;
    c->lifetime = lifetime != 0 ? lifetime : TLCP_DEFAULT_SESSION_LIFETIME;
    return c;
}

void tlcp_session_cache_free(tlcp_session_cache *c)
{
    if (c == NULL)
        return;
    pthread_mutex_destroy(&c->lock);
    tlcp_free_secret(c->entries, c->cap * sizeof(*c->entries));
    free(c);
}

/* Names longer than the slot are never stored (the server ignores them). */
static void set_sni(char slot[TLCP_SESSION_SNI_MAX + 1], const char *sni)
{
    memset(slot, 0, TLCP_SESSION_SNI_MAX + 1);
    if (sni != NULL && strlen(sni) <= TLCP_SESSION_SNI_MAX)
        memcpy(slot, sni, strlen(sni));
}

void tlcp_session_cache_store(tlcp_session_cache *c, const uint8_t id[TLCP_SESSION_ID_LEN],
                              uint16_t suite, const uint8_t master[TLCP_MASTER_SECRET_LEN],
                              const char *sni)
{
    pthread_mutex_lock(&c->lock);
    tlcp_cached_session *e = &c->entries[c->next];
    c->next = (c->next + 1) % c->cap;
    e->used = 1;
    memcpy(e->id, id, TLCP_SESSION_ID_LEN);
    e->suite = suite;
    memcpy(e->master, master, TLCP_MASTER_SECRET_LEN);
    e->created = time(NULL);
    set_sni(e->sni, sni);
    pthread_mutex_unlock(&c->lock);
}

int tlcp_session_cache_lookup(tlcp_session_cache *c, const uint8_t *id, size_t id_len,
                              const char *sni, uint16_t *out_suite,
                              uint8_t out_master[TLCP_MASTER_SECRET_LEN])
{
    if (id_len != TLCP_SESSION_ID_LEN)
        return 0;
    char want[TLCP_SESSION_SNI_MAX + 1];
    set_sni(want, sni);
    int found = 0;
    time_t now = time(NULL);
    pthread_mutex_lock(&c->lock);
    for (size_t i = 0; i < c->cap && !found; i++) {
        tlcp_cached_session *e = &c->entries[i];
        if (!e->used || !tlcp_ct_equal(e->id, id, TLCP_SESSION_ID_LEN))
            continue;
        if (now - e->created > (time_t)c->lifetime || now < e->created) {
            tlcp_wipe(e, sizeof(*e)); /* expired: forget it */
            continue;
        }
        if (strcmp(e->sni, want) != 0)
            break; /* made for another server_name: full handshake */
        *out_suite = e->suite;
        memcpy(out_master, e->master, TLCP_MASTER_SECRET_LEN);
        found = 1;
    }
    pthread_mutex_unlock(&c->lock);
    return found;
}
