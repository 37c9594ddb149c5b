/* SPDX-License-Identifier: Apache-2.0 */
/* The server's session cache: a keyed hash table with age-ordered eviction (see session.h). */
#include <stdlib.h>
#include <string.h>

#include "handshake/session.h"
#include "util/mem.h"
#include "util/siphash.h"

#define NONE 0u /* links are slot index + 1 */

static tlcp_cached_session *slot(tlcp_session_cache *c, uint32_t link)
{
    return &c->entries[link - 1];
}

static uint32_t *bucket_of(tlcp_session_cache *c, const uint8_t id[TLCP_SESSION_ID_LEN])
{
    uint64_t h = tlcp_siphash24(c->key, id, TLCP_SESSION_ID_LEN);
    return &c->buckets[h & (c->nbuckets - 1)];
}

static size_t buckets_for(size_t cap)
{
    size_t n = 1;
    while (n < cap)
        n <<= 1;
    return n;
}

tlcp_session_cache *tlcp_session_cache_new(size_t cap, unsigned lifetime)
{
    if (cap == 0 || cap > TLCP_SESSION_CACHE_MAX)
        return NULL;
    tlcp_session_cache *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return NULL;
    tlcp_error err;
    tlcp_error_clear(&err);
    c->nbuckets = buckets_for(cap);
    c->entries = calloc(cap, sizeof(*c->entries));
    c->buckets = calloc(c->nbuckets, sizeof(*c->buckets));
    if (c->entries == NULL || c->buckets == NULL ||
        !tlcp_random_bytes(c->key, sizeof(c->key), &err) ||
        pthread_mutex_init(&c->lock, NULL) != 0) {
        free(c->entries);
        free(c->buckets);
        tlcp_free_secret(c, sizeof(*c));
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
    for (size_t i = 0; i < c->high_water; i++)
        free(c->entries[i].sni);
    tlcp_free_secret(c->entries, c->cap * sizeof(*c->entries));
    free(c->buckets);
    tlcp_free_secret(c, sizeof(*c));
}

/* Unlinks the slot from its bucket and the age list, wipes it and puts it
 * on the free list. */
static void release(tlcp_session_cache *c, uint32_t link)
{
    tlcp_cached_session *e = slot(c, link);
    uint32_t *p = bucket_of(c, e->id);
    while (*p != link)
        p = &slot(c, *p)->chain;
    *p = e->chain;
    if (e->older != NONE)
        slot(c, e->older)->newer = e->newer;
    else
        c->oldest = e->newer;
    if (e->newer != NONE)
        slot(c, e->newer)->older = e->older;
    else
        c->newest = e->older;
    free(e->sni);
    tlcp_wipe(e, sizeof(*e));
    e->chain = c->free_list;
    c->free_list = link;
    c->count--;
}

static int expired(const tlcp_session_cache *c, const tlcp_cached_session *e, time_t now)
{
    return now - e->created > (time_t)c->lifetime || now < e->created;
}

/* The slot holding `id`, or NONE. IDs are public (they travel in clear), so
 * the comparison need not be constant time; it is anyway. */
static uint32_t find(tlcp_session_cache *c, const uint8_t id[TLCP_SESSION_ID_LEN])
{
    for (uint32_t l = *bucket_of(c, id); l != NONE; l = slot(c, l)->chain)
        if (tlcp_ct_equal(slot(c, l)->id, id, TLCP_SESSION_ID_LEN))
            return l;
    return NONE;
}

/* A free slot: a released one, a never used one, or the oldest entry's. */
static uint32_t take_slot(tlcp_session_cache *c)
{
    if (c->count == c->cap)
        release(c, c->oldest);
    if (c->free_list != NONE) {
        uint32_t l = c->free_list;
        c->free_list = slot(c, l)->chain;
        return l;
    }
    return (uint32_t)++c->high_water;
}

void tlcp_session_cache_store(tlcp_session_cache *c, const uint8_t id[TLCP_SESSION_ID_LEN],
                              uint16_t suite, const uint8_t master[TLCP_MASTER_SECRET_LEN],
                              const char *sni)
{
    /* Names longer than a server_name may be are never stored (the server
     * ignores them); out of memory for the name: nothing is cached. */
    char *name = NULL;
    if (sni != NULL && strlen(sni) <= TLCP_SESSION_SNI_MAX && (name = strdup(sni)) == NULL)
        return;
    time_t now = time(NULL);
    pthread_mutex_lock(&c->lock);
    while (c->oldest != NONE && expired(c, slot(c, c->oldest), now))
        release(c, c->oldest);
    uint32_t old = find(c, id);
    if (old != NONE)
        release(c, old);
    uint32_t l = take_slot(c);
    tlcp_cached_session *e = slot(c, l);
    e->used = 1;
    memcpy(e->id, id, TLCP_SESSION_ID_LEN);
    e->suite = suite;
    memcpy(e->master, master, TLCP_MASTER_SECRET_LEN);
    e->created = now;
    e->sni = name;
    uint32_t *head = bucket_of(c, id);
    e->chain = *head;
    *head = l;
    e->older = c->newest;
    e->newer = NONE;
    if (c->newest != NONE)
        slot(c, c->newest)->newer = l;
    else
        c->oldest = l;
    c->newest = l;
    c->count++;
    pthread_mutex_unlock(&c->lock);
}

static int same_sni(const char *stored, const char *sni)
{
    if (sni != NULL && strlen(sni) > TLCP_SESSION_SNI_MAX)
        sni = NULL; /* as stored */
    if (stored == NULL || sni == NULL)
        return stored == sni;
    return strcmp(stored, sni) == 0;
}

int tlcp_session_cache_lookup(tlcp_session_cache *c, const uint8_t *id, size_t id_len,
                              const char *sni, uint16_t *out_suite,
                              uint8_t out_master[TLCP_MASTER_SECRET_LEN])
{
    if (id_len != TLCP_SESSION_ID_LEN)
        return 0;
    int found = 0;
    time_t now = time(NULL);
    pthread_mutex_lock(&c->lock);
    uint32_t l = find(c, id);
    if (l != NONE && expired(c, slot(c, l), now)) {
        release(c, l); /* expired: forget it */
    } else if (l != NONE && same_sni(slot(c, l)->sni, sni)) {
        *out_suite = slot(c, l)->suite;
        memcpy(out_master, slot(c, l)->master, TLCP_MASTER_SECRET_LEN);
        found = 1;
    } /* else unknown, or made for another server_name: full handshake */
    pthread_mutex_unlock(&c->lock);
    return found;
}

void tlcp_session_cache_remove(tlcp_session_cache *c, const uint8_t id[TLCP_SESSION_ID_LEN])
{
    pthread_mutex_lock(&c->lock);
    uint32_t l = find(c, id);
    if (l != NONE)
        release(c, l);
    pthread_mutex_unlock(&c->lock);
}
