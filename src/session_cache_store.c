/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The built-in session cache (handshake/session_cache.c) as a session store:
 * it takes and gives the same exported sessions as an application's store,
 * so the handshake knows one kind of store only. It answers at once.
 */
#include <string.h>
#include <time.h>

#include "conn_internal.h"
#include "handshake/session.h"
#include "util/mem.h"

static int cache_new(void *arg, tlcp_conn *conn, const uint8_t *id, size_t id_len,
                     const uint8_t *data, size_t len, unsigned lifetime)
{
    (void)conn;
    (void)lifetime; /* the cache's own, the same number */
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_session *s = tlcp_session_decode(data, len, (int64_t)time(NULL), &err);
    if (s == NULL || id_len != TLCP_SESSION_ID_LEN || memcmp(s->id, id, id_len) != 0) {
        tlcp_session_free(s);
        return TLCP_STORE_FAILED;
    }
    tlcp_session_cache_store(arg, s->id, s->suite, s->master, s->host);
    tlcp_session_free(s);
    return 0;
}

static int cache_get(void *arg, tlcp_conn *conn, const uint8_t *id, size_t id_len)
{
    const char *sni = tlcp_conn_server_name(conn);
    uint16_t suite = 0;
    uint8_t master[TLCP_MASTER_SECRET_LEN];
    if (!tlcp_session_cache_lookup(arg, id, id_len, sni, &suite, master))
        return TLCP_STORE_ANSWERED; /* not found: no answer is "not found" */
    tlcp_cert *none[2] = {NULL, NULL};
    tlcp_session *s = tlcp_session_new(id, suite, master, none);
    tlcp_wipe(master, sizeof(master));
    uint8_t buf[1024]; /* no certificates: a few hundred bytes */
    size_t len = 0;
    int ok = s != NULL && tlcp_session_bind_peer(s, sni, 0) &&
             tlcp_session_export(s, buf, sizeof(buf), &len) == TLCP_OK &&
             tlcp_conn_session_lookup_done(conn, buf, len) == TLCP_OK;
    tlcp_wipe(buf, sizeof(buf));
    tlcp_session_free(s);
    return ok ? TLCP_STORE_ANSWERED : TLCP_STORE_FAILED;
}

static int cache_remove(void *arg, tlcp_conn *conn, const uint8_t *id, size_t id_len)
{
    (void)conn;
    if (id_len == TLCP_SESSION_ID_LEN)
        tlcp_session_cache_remove(arg, id);
    return 0;
}

void tlcp_session_cache_as_store(tlcp_session_cache *cache, tlcp_session_store *out, void **arg)
{
    memset(out, 0, sizeof(*out));
    *arg = cache;
    if (cache == NULL)
        return;
    out->new_session = cache_new;
    out->get_session = cache_get;
    out->remove_session = cache_remove;
    out->lifetime_seconds = cache->lifetime;
}
