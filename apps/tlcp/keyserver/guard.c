/* SPDX-License-Identifier: Apache-2.0 */
/* What a request must pass before a key is used: the client's token
 * bucket, the replay cache of nonces, and (unix sockets) the peer's uid. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "keyserver.h"

int64_t ks_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t ks_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

struct ks_bucket *ks_bucket_for(struct keyserver *ks, const char *who)
{
    for (struct ks_bucket *b = ks->buckets; b != NULL; b = b->next) {
        if (strcmp(b->who, who) == 0)
            return b;
    }
    struct ks_bucket *b = calloc(1, sizeof(*b));
    if (b == NULL)
        return NULL;
    snprintf(b->who, sizeof(b->who), "%s", who);
    b->tokens = ks->burst;
    b->at_ms = cli_now_ms();
    b->next = ks->buckets;
    ks->buckets = b;
    return b;
}

int ks_bucket_take(struct keyserver *ks, struct ks_bucket *b, int64_t now_ms)
{
    if (ks->rate <= 0)
        return 1;
    if (b == NULL)
        return 0;
    b->tokens += (double)(now_ms - b->at_ms) * ks->rate / 1000.0;
    if (b->tokens > ks->burst)
        b->tokens = ks->burst;
    b->at_ms = now_ms;
    if (b->tokens < 1.0)
        return 0;
    b->tokens -= 1.0;
    return 1;
}

static size_t nonce_hash(const uint8_t *n)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a: the slots only need to spread */
    for (size_t i = 0; i < KS_NONCE_LEN; i++)
        h = (h ^ n[i]) * 1099511628211ULL;
    return (size_t)(h & (KS_NONCE_SLOTS - 1));
}

/* A nonce is remembered for two windows: a request older than one window is
 * refused by its time anyway. Under a flood that fills every probed slot
 * with live nonces the oldest is overwritten (the time check still holds). */
int ks_nonce_fresh(struct keyserver *ks, const uint8_t nonce[KS_NONCE_LEN], int64_t now_ms)
{
    size_t h = nonce_hash(nonce), victim = h;
    for (size_t i = 0; i < KS_NONCE_PROBE; i++) {
        struct ks_nonce_slot *s = &ks->nonces[(h + i) & (KS_NONCE_SLOTS - 1)];
        if (s->expires_ms > now_ms && memcmp(s->nonce, nonce, KS_NONCE_LEN) == 0)
            return 0;
        if (s->expires_ms < ks->nonces[victim].expires_ms)
            victim = (h + i) & (KS_NONCE_SLOTS - 1);
    }
    memcpy(ks->nonces[victim].nonce, nonce, KS_NONCE_LEN);
    ks->nonces[victim].expires_ms = now_ms + 2 * ks->window_ms;
    return 1;
}

int ks_peer_allowed(const struct keyserver *ks, int fd, char *who, size_t cap, char *uid,
                    size_t uid_cap)
{
    struct ucred cred;
    socklen_t len = sizeof(cred);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
        snprintf(who, cap, "unix peer (no credentials)");
        return 0;
    }
    snprintf(who, cap, "uid=%u pid=%d", (unsigned)cred.uid, (int)cred.pid);
    snprintf(uid, uid_cap, "uid=%u", (unsigned)cred.uid);
    if (ks->num_uids == 0)
        return cred.uid == getuid();
    for (size_t i = 0; i < ks->num_uids; i++) {
        if (ks->allow_uids[i] == cred.uid)
            return 1;
    }
    return 0;
}
