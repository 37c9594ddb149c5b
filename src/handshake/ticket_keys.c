/* SPDX-License-Identifier: Apache-2.0 */
/* The server's ticket keys and the ticket's protection (see ticket.h). */
#include <stdlib.h>
#include <string.h>

#include "handshake/ticket.h"
#include "util/mem.h"

static const char key_label[] = "libtlcp session ticket key";

tlcp_ticket_keys *tlcp_ticket_keys_new(void)
{
    tlcp_ticket_keys *k = calloc(1, sizeof(*k));
    if (k == NULL)
        return NULL;
    if (pthread_mutex_init(&k->lock, NULL) != 0) {
        free(k);
        return NULL;
    }
    k->lifetime = TLCP_TICKET_DEFAULT_LIFE;
    return k;
}

static void drop_all(tlcp_ticket_keys *k)
{
    for (size_t i = 0; i < k->count; i++)
        tlcp_gcm_free(k->keys[i].gcm);
    memset(k->keys, 0, sizeof(k->keys));
    k->count = 0;
}

void tlcp_ticket_keys_free(tlcp_ticket_keys *k)
{
    if (k == NULL)
        return;
    drop_all(k);
    pthread_mutex_destroy(&k->lock);
    free(k);
}

void tlcp_ticket_keys_clear(tlcp_ticket_keys *k)
{
    pthread_mutex_lock(&k->lock);
    drop_all(k);
    pthread_mutex_unlock(&k->lock);
}

size_t tlcp_ticket_keys_count(tlcp_ticket_keys *k)
{
    pthread_mutex_lock(&k->lock);
    size_t n = k->count;
    pthread_mutex_unlock(&k->lock);
    return n;
}

/* Index of the key named `name`, or -1 (names are public: no constant time). */
static int find_key(const tlcp_ticket_keys *k, const uint8_t *name)
{
    for (size_t i = 0; i < k->count; i++)
        if (memcmp(k->keys[i].name, name, TLCP_TICKET_NAME_LEN) == 0)
            return (int)i;
    return -1;
}

static void remove_at(tlcp_ticket_keys *k, size_t i)
{
    tlcp_gcm_free(k->keys[i].gcm);
    memmove(&k->keys[i], &k->keys[i + 1], (k->count - i - 1) * sizeof(k->keys[0]));
    k->count--;
    memset(&k->keys[k->count], 0, sizeof(k->keys[0]));
}

static int derive(const uint8_t *name, const uint8_t *secret, size_t secret_len,
                  uint8_t key[TLCP_SM4_KEY_LEN], tlcp_error *err)
{
    uint8_t data[sizeof(key_label) - 1 + TLCP_TICKET_NAME_LEN];
    uint8_t mac[TLCP_SM3_DIGEST_LEN];
    memcpy(data, key_label, sizeof(key_label) - 1);
    memcpy(data + sizeof(key_label) - 1, name, TLCP_TICKET_NAME_LEN);
    int ok = tlcp_hmac_sm3(secret, secret_len, data, sizeof(data), mac, err);
    memcpy(key, mac, TLCP_SM4_KEY_LEN);
    tlcp_wipe(mac, sizeof(mac));
    return ok;
}

int tlcp_ticket_keys_add(tlcp_ticket_keys *k, const uint8_t name[TLCP_TICKET_NAME_LEN],
                         const uint8_t *secret, size_t secret_len, tlcp_error *err)
{
    ENSURE(secret != NULL && secret_len >= TLCP_TICKET_SECRET_MIN &&
               secret_len <= TLCP_TICKET_SECRET_MAX,
           err, TLCP_R_INVALID_ARGUMENT, "a ticket key secret has %d to %d bytes (got %zu)",
           TLCP_TICKET_SECRET_MIN, TLCP_TICKET_SECRET_MAX, secret_len);
    uint8_t key[TLCP_SM4_KEY_LEN];
    int ok = derive(name, secret, secret_len, key, err);
    tlcp_gcm *gcm = ok ? tlcp_gcm_new(key, err) : NULL;
    tlcp_wipe(key, sizeof(key));
    if (gcm == NULL)
        return 0;
    pthread_mutex_lock(&k->lock);
    int i = find_key(k, name);
    if (i >= 0)
        remove_at(k, (size_t)i);
    if (k->count == TLCP_TICKET_MAX_KEYS)
        remove_at(k, 0);
    memcpy(k->keys[k->count].name, name, TLCP_TICKET_NAME_LEN);
    k->keys[k->count].gcm = gcm;
    k->count++;
    pthread_mutex_unlock(&k->lock);
    return 1;
}

int tlcp_ticket_keys_add_random(tlcp_ticket_keys *k, tlcp_error *err)
{
    uint8_t name[TLCP_TICKET_NAME_LEN], secret[32];
    int ok = tlcp_random_bytes(name, sizeof(name), err) &&
             tlcp_random_bytes(secret, sizeof(secret), err) &&
             tlcp_ticket_keys_add(k, name, secret, sizeof(secret), err);
    tlcp_wipe(secret, sizeof(secret));
    return ok;
}

int tlcp_ticket_keys_remove(tlcp_ticket_keys *k, const uint8_t name[TLCP_TICKET_NAME_LEN])
{
    pthread_mutex_lock(&k->lock);
    int i = find_key(k, name);
    if (i >= 0)
        remove_at(k, (size_t)i);
    pthread_mutex_unlock(&k->lock);
    return i >= 0;
}

void tlcp_ticket_keys_take(tlcp_ticket_keys *k, tlcp_ticket_keys *from)
{
    pthread_mutex_lock(&k->lock);
    drop_all(k);
    memcpy(k->keys, from->keys, sizeof(k->keys));
    k->count = from->count;
    memset(from->keys, 0, sizeof(from->keys));
    from->count = 0;
    pthread_mutex_unlock(&k->lock);
}

/* The export of `s` in a heap buffer (secret: freed with tlcp_free_secret). */
static uint8_t *export_session(const tlcp_session *s, size_t *len, tlcp_error *err)
{
    size_t n = 0;
    (void)tlcp_session_export(s, NULL, 0, &n); /* the size */
    uint8_t *buf = n > 0 ? malloc(n) : NULL;
    if (buf == NULL || tlcp_session_export(s, buf, n, &n) != TLCP_OK) {
        free(buf);
        TLCP_ERR(err, TLCP_R_INTERNAL, "cannot encode the ticket's session");
        return NULL;
    }
    *len = n;
    return buf;
}

uint8_t *tlcp_ticket_seal(tlcp_ticket_keys *k, const tlcp_session *s, size_t *out_len,
                          tlcp_error *err)
{
    size_t plain_len = 0;
    uint8_t *plain = export_session(s, &plain_len, err);
    if (plain == NULL)
        return NULL;
    size_t len = plain_len + TLCP_TICKET_OVERHEAD;
    uint8_t *out = malloc(len);
    uint8_t *nonce = out + TLCP_TICKET_NAME_LEN, *ct = nonce + TLCP_GCM_NONCE_LEN;
    int ok = out != NULL && tlcp_random_bytes(nonce, TLCP_GCM_NONCE_LEN, err);
    pthread_mutex_lock(&k->lock);
    if (ok && k->count == 0) {
        TLCP_ERR(err, TLCP_R_CONFIG, "no ticket key");
        ok = 0;
    }
    if (ok) {
        const tlcp_ticket_key *key = &k->keys[k->count - 1];
        memcpy(out, key->name, TLCP_TICKET_NAME_LEN);
        ok = tlcp_gcm_seal(key->gcm, nonce, out, TLCP_TICKET_NAME_LEN, plain, plain_len, ct,
                           ct + plain_len, err);
    }
    pthread_mutex_unlock(&k->lock);
    tlcp_free_secret(plain, plain_len);
    if (!ok) {
        free(out);
        return NULL;
    }
    *out_len = len;
    return out;
}

/* Decrypts under the named key; the plaintext in a heap buffer. */
static uint8_t *open_under_key(tlcp_ticket_keys *k, const uint8_t *ticket, size_t len, int *newest,
                               tlcp_error *err)
{
    size_t plain_len = len - TLCP_TICKET_OVERHEAD;
    const uint8_t *nonce = ticket + TLCP_TICKET_NAME_LEN, *ct = nonce + TLCP_GCM_NONCE_LEN;
    uint8_t *plain = malloc(plain_len);
    ENSURE(plain != NULL, err, TLCP_R_ALLOC, "out of memory");
    pthread_mutex_lock(&k->lock);
    int i = find_key(k, ticket);
    int ok = i >= 0;
    if (!ok)
        TLCP_ERR(err, TLCP_R_DECRYPT_FAILED, "ticket under an unknown key");
    ok = ok && tlcp_gcm_open(k->keys[i].gcm, nonce, ticket, TLCP_TICKET_NAME_LEN, ct, plain_len,
                             ct + plain_len, plain, err);
    *newest = ok && (size_t)i + 1 == k->count;
    pthread_mutex_unlock(&k->lock);
    if (!ok) {
        tlcp_free_secret(plain, plain_len);
        return NULL;
    }
    return plain;
}

tlcp_session *tlcp_ticket_open(tlcp_ticket_keys *k, const uint8_t *ticket, size_t len, int64_t now,
                               int *newest, tlcp_error *err)
{
    *newest = 0;
    ENSURE(len > TLCP_TICKET_OVERHEAD, err, TLCP_R_DECODE, "ticket of %zu bytes is too short", len);
    uint8_t *plain = open_under_key(k, ticket, len, newest, err);
    if (plain == NULL)
        return NULL;
    tlcp_session *s = tlcp_session_decode(plain, len - TLCP_TICKET_OVERHEAD, now, err);
    tlcp_free_secret(plain, len - TLCP_TICKET_OVERHEAD);
    return s;
}
