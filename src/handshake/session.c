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
    s->refs = 1;
    memcpy(s->id, id, TLCP_SESSION_ID_LEN);
    s->suite = suite;
    memcpy(s->master, master, TLCP_MASTER_SECRET_LEN);
    for (int i = 0; i < 2; i++)
        s->peer_cert[i] = peer_cert[i] != NULL ? tlcp_cert_up_ref(peer_cert[i]) : NULL;
    return s;
}

tlcp_session *tlcp_session_up_ref(tlcp_session *s)
{
    if (s != NULL)
        s->refs++;
    return s;
}

void tlcp_session_free(tlcp_session *s)
{
    if (s == NULL || --s->refs > 0)
        return;
    tlcp_cert_free(s->peer_cert[0]);
    tlcp_cert_free(s->peer_cert[1]);
    tlcp_free_secret(s, sizeof(*s));
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

void tlcp_session_cache_store(tlcp_session_cache *c, const uint8_t id[TLCP_SESSION_ID_LEN],
                              uint16_t suite, const uint8_t master[TLCP_MASTER_SECRET_LEN])
{
    pthread_mutex_lock(&c->lock);
    tlcp_cached_session *e = &c->entries[c->next];
    c->next = (c->next + 1) % c->cap;
    e->used = 1;
    memcpy(e->id, id, TLCP_SESSION_ID_LEN);
    e->suite = suite;
    memcpy(e->master, master, TLCP_MASTER_SECRET_LEN);
    e->created = time(NULL);
    pthread_mutex_unlock(&c->lock);
}

int tlcp_session_cache_lookup(tlcp_session_cache *c, const uint8_t *id, size_t id_len,
                              uint16_t *out_suite, uint8_t out_master[TLCP_MASTER_SECRET_LEN])
{
    if (id_len != TLCP_SESSION_ID_LEN)
        return 0;
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
        *out_suite = e->suite;
        memcpy(out_master, e->master, TLCP_MASTER_SECRET_LEN);
        found = 1;
    }
    pthread_mutex_unlock(&c->lock);
    return found;
}
