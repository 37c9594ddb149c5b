/* SPDX-License-Identifier: Apache-2.0 */
/* The request half of a kc_client: the delegated-pair callback that frames
 * an operation and answers "pending", the table of operations in flight
 * (one per waiting handshake, matched by request id), and completing them
 * as the responses arrive, in whatever order the key server sends them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "kc_internal.h"

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The slot of the next id: ids only grow (the key server requires it), so
 * an id whose slot is still taken (a slow or forgotten operation) is
 * skipped. NULL when every slot is taken. */
static struct kc_slot *next_slot(struct kc_client *kc)
{
    if (kc->slots == NULL && (kc->slots = calloc(KC_MAX_PENDING, sizeof(*kc->slots))) == NULL)
        return NULL;
    if (kc->num_used == KC_MAX_PENDING)
        return NULL;
    while (kc->slots[kc->next_id % KC_MAX_PENDING].id != 0)
        kc->next_id++;
    return &kc->slots[kc->next_id % KC_MAX_PENDING];
}

static int queue_out(struct kc_client *kc, const uint8_t *frame, size_t len)
{
    return ks_queue_append(&kc->out, &kc->out_len, &kc->out_cap, frame, len);
}

/* Connected, or connecting now: 0 (with kc->why) when the key server is
 * down and its backoff has not passed, or the connect failed at once. */
static int ensure_started(struct kc_client *kc)
{
    if (kc->state != KC_DOWN)
        return 1;
    if (cli_now_ms() < kc->retry_at)
        return 0;
    return kc_start(kc);
}

int kc_key_op(void *arg, tlcp_conn *conn, const tlcp_key_op *op, uint8_t *out, size_t *out_len)
{
    (void)out;
    (void)out_len;
    const struct kc_key *key = arg;
    struct kc_wait *wait = NULL;
    struct kc_client *kc = key->resolve != NULL ? key->resolve(key, conn, &wait) : key->kc;
    if (kc == NULL || !ensure_started(kc))
        return TLCP_KEY_OP_FAILED;
    struct kc_slot *slot = next_slot(kc);
    if (slot == NULL) {
        snprintf(kc->why, sizeof(kc->why), "key server %s: %d operations in flight already",
                 kc->target.addr, KC_MAX_PENDING);
        return TLCP_KEY_OP_FAILED;
    }
    uint8_t nonce[KS_NONCE_LEN], frame[KS_LEN_PREFIX + KS_MAX_FRAME];
    if (getrandom(nonce, sizeof(nonce), 0) != (ssize_t)sizeof(nonce))
        return TLCP_KEY_OP_FAILED;
    uint64_t id = kc->next_id++;
    size_t n =
        ks_encode_request(id, (uint64_t)wall_ms(), nonce, key->name, op, frame, sizeof(frame));
    int ok = n > 0 && queue_out(kc, frame, n);
    cli_wipe(frame, sizeof(frame)); /* a KX request holds the ephemeral private key */
    if (!ok) {
        snprintf(kc->why, sizeof(kc->why), "key server %s: cannot frame the %s request",
                 kc->target.addr, op->type == TLCP_KEY_OP_SIGN ? "sign" : "decrypt/kx");
        return TLCP_KEY_OP_FAILED;
    }
    slot->id = id;
    slot->conn = conn;
    slot->wait = wait;
    if (wait != NULL) {
        wait->kc = kc;
        wait->id = id;
    }
    kc->num_used++;
    /* No I/O here: a failure now would complete this very operation before
     * the handshake has seen "pending". kc_events() asks for POLLOUT. */
    return TLCP_KEY_OP_PENDING;
}

static void free_slot(struct kc_client *kc, struct kc_slot *s)
{
    s->id = 0;
    s->conn = NULL;
    s->wait = NULL;
    kc->num_used--;
}

static void complete(struct kc_client *kc, struct kc_slot *s, const uint8_t *result, size_t len)
{
    if (s->conn == NULL) { /* forgotten: nobody waits */
        free_slot(kc, s);
        return;
    }
    (void)tlcp_conn_key_operation_done(s->conn, result, len);
    /* The kc_wait keeps naming kc until the owner is notified, so that
     * forgetting it meanwhile also drops the notification. */
    if (kc->num_ready < KC_MAX_PENDING)
        kc->ready_list[kc->num_ready++] = (struct kc_ready){s->conn, s->wait};
    free_slot(kc, s);
}

void kc_fail_all(struct kc_client *kc)
{
    for (size_t i = 0; kc->slots != NULL && i < KC_MAX_PENDING && kc->num_used > 0; i++) {
        if (kc->slots[i].id != 0)
            complete(kc, &kc->slots[i], NULL, 0);
    }
}

/* An answer nobody asked for: the key server is broken (or not ours), and
 * no later answer on this connection can be trusted to match. */
static int violation(struct kc_client *kc, const char *what, uint64_t id)
{
    char why[160];
    snprintf(why, sizeof(why), "protocol violation: %s id %llu", what, (unsigned long long)id);
    kc_down(kc, why);
    return 0;
}

static int one_response(struct kc_client *kc, const uint8_t *body, size_t len)
{
    struct ks_response r;
    if (ks_decode_response(body, len, &r) != KS_ST_OK) {
        kc_down(kc, "malformed response");
        return 0;
    }
    if (r.id == 0) { /* a refusal of the whole stream: the server closes next */
        char why[100];
        snprintf(why, sizeof(why), "refused the connection (%s)", ks_status_name(r.status));
        kc_down(kc, why);
        return 0;
    }
    if (r.id >= kc->next_id)
        return violation(kc, "an answer to a request never sent,", r.id);
    struct kc_slot *s = kc->slots != NULL ? &kc->slots[r.id % KC_MAX_PENDING] : NULL;
    if (s == NULL || s->id != r.id)
        return violation(kc, "a second answer to", r.id);
    if (s->conn == NULL) {
        kc->late++;
        fprintf(stderr,
                "tlcp: key server %s: the answer to request %llu came after its connection "
                "had gone (dropped; %llu so far)\n",
                kc->target.addr, (unsigned long long)r.id, (unsigned long long)kc->late);
        free_slot(kc, s);
        return 1;
    }
    if (r.status != KS_ST_OK)
        snprintf(kc->why, sizeof(kc->why), "key server %s answered: %s", kc->target.addr,
                 ks_status_name(r.status));
    complete(kc, s, r.status == KS_ST_OK ? r.result : NULL,
             r.status == KS_ST_OK ? r.result_len : 0);
    return 1;
}

int kc_take_responses(struct kc_client *kc)
{
    size_t off = 0, total = 0;
    int ok = 1;
    for (;;) {
        int v = ks_frame_split(kc->in + off, kc->in_len - off, KS_RESP_FIXED, KS_MAX_FRAME, &total);
        if (v == KS_FRAME_MORE)
            break;
        if (v == KS_FRAME_BAD) {
            kc_down(kc, "response frame of impossible length");
            return 0;
        }
        ok = one_response(kc, kc->in + off + KS_LEN_PREFIX, total - KS_LEN_PREFIX);
        if (!ok)
            return 0; /* kc_down emptied the buffer */
        off += total;
    }
    memmove(kc->in, kc->in + off, kc->in_len - off);
    kc->in_len -= off;
    cli_wipe(kc->in + kc->in_len, off); /* results are pre-masters and KX secrets */
    return 1;
}

void kc_notify_ready(struct kc_client *kc)
{
    /* Taken one by one: a ready handler may start the next operation of
     * its connection, which can complete (and append) at once. */
    while (kc->num_ready > 0) {
        struct kc_ready r = kc->ready_list[--kc->num_ready];
        void *owner = NULL;
        if (r.wait != NULL) {
            owner = r.wait->owner;
            r.wait->kc = NULL;
        }
        if (kc->ready != NULL)
            kc->ready(kc->ready_arg, r.conn, owner);
    }
}

/* By connection (wait NULL) or by kc_wait. */
static void drop_ready(struct kc_client *kc, const tlcp_conn *conn, const struct kc_wait *wait)
{
    for (size_t i = 0; i < kc->num_ready; i++) {
        const struct kc_ready *r = &kc->ready_list[i];
        if (wait != NULL ? r->wait == wait : r->conn == conn)
            kc->ready_list[i--] = kc->ready_list[--kc->num_ready];
    }
}

/* The slot stays taken until its answer comes (or the connection to the
 * key server ends): a late answer is then recognised, not a violation. */
static void orphan(struct kc_slot *s)
{
    s->conn = NULL;
    s->wait = NULL;
}

void kc_forget(struct kc_client *kc, tlcp_conn *conn)
{
    for (size_t i = 0; kc->slots != NULL && i < KC_MAX_PENDING && kc->num_used > 0; i++) {
        if (kc->slots[i].id != 0 && kc->slots[i].conn == conn)
            orphan(&kc->slots[i]);
    }
    drop_ready(kc, conn, NULL);
}

void kc_forget_wait(struct kc_wait *w)
{
    struct kc_client *kc = w->kc;
    if (kc == NULL)
        return;
    struct kc_slot *s = &kc->slots[w->id % KC_MAX_PENDING];
    if (s->id == w->id && s->wait == w)
        orphan(s); /* still in flight */
    else
        drop_ready(kc, NULL, w); /* answered, the owner not told yet (a few at most) */
    w->kc = NULL;
}

uint64_t kc_late_answers(const struct kc_client *kc)
{
    return kc->late;
}
