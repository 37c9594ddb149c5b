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

static struct kc_slot *free_slot(struct kc_client *kc)
{
    if (kc->slots == NULL && (kc->slots = calloc(KC_MAX_PENDING, sizeof(*kc->slots))) == NULL)
        return NULL;
    for (size_t i = 0; i < KC_MAX_PENDING; i++) {
        if (kc->slots[i].id == 0)
            return &kc->slots[i];
    }
    return NULL;
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
    struct kc_client *kc = key->resolve != NULL ? key->resolve(key) : key->kc;
    if (kc == NULL || !ensure_started(kc))
        return TLCP_KEY_OP_FAILED;
    struct kc_slot *slot = free_slot(kc);
    if (slot == NULL) {
        snprintf(kc->why, sizeof(kc->why), "key server %s: %d operations in flight already",
                 kc->addr, KC_MAX_PENDING);
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
        snprintf(kc->why, sizeof(kc->why), "key server %s: cannot frame the %s request", kc->addr,
                 op->type == TLCP_KEY_OP_SIGN ? "sign" : "decrypt/kx");
        return TLCP_KEY_OP_FAILED;
    }
    slot->id = id;
    slot->conn = conn;
    kc->num_pending++;
    /* No I/O here: a failure now would complete this very operation before
     * the handshake has seen "pending". kc_events() asks for POLLOUT. */
    return TLCP_KEY_OP_PENDING;
}

static void complete(struct kc_client *kc, struct kc_slot *s, const uint8_t *result, size_t len)
{
    (void)tlcp_conn_key_operation_done(s->conn, result, len);
    if (kc->num_ready < KC_MAX_PENDING)
        kc->ready_list[kc->num_ready++] = s->conn;
    s->id = 0;
    s->conn = NULL;
    kc->num_pending--;
}

void kc_fail_all(struct kc_client *kc)
{
    for (size_t i = 0; kc->slots != NULL && i < KC_MAX_PENDING && kc->num_pending > 0; i++) {
        if (kc->slots[i].id != 0)
            complete(kc, &kc->slots[i], NULL, 0);
    }
}

static int one_response(struct kc_client *kc, const uint8_t *body, size_t len)
{
    struct ks_response r;
    if (ks_decode_response(body, len, &r) != KS_ST_OK) {
        kc_down(kc, "malformed response");
        return 0;
    }
    for (size_t i = 0; kc->slots != NULL && i < KC_MAX_PENDING; i++) {
        struct kc_slot *s = &kc->slots[i];
        if (s->id == 0 || s->id != r.id)
            continue;
        if (r.status != KS_ST_OK)
            snprintf(kc->why, sizeof(kc->why), "key server %s answered: %s", kc->addr,
                     ks_status_name(r.status));
        complete(kc, s, r.status == KS_ST_OK ? r.result : NULL,
                 r.status == KS_ST_OK ? r.result_len : 0);
        return 1;
    }
    if (r.id == 0) { /* a refusal of the whole stream: the server closes next */
        char why[100];
        snprintf(why, sizeof(why), "refused the connection (%s)", ks_status_name(r.status));
        kc_down(kc, why);
        return 0;
    }
    return 1; /* the connection it belonged to went away meanwhile */
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
    /* The list is copied first: a ready handler may start the next
     * operation of its connection, which can complete (and append) at once. */
    while (kc->num_ready > 0) {
        tlcp_conn *c = kc->ready_list[--kc->num_ready];
        if (kc->ready != NULL)
            kc->ready(kc->ready_arg, c);
    }
}

void kc_forget(struct kc_client *kc, tlcp_conn *conn)
{
    for (size_t i = 0; kc->slots != NULL && i < KC_MAX_PENDING && kc->num_pending > 0; i++) {
        if (kc->slots[i].id != 0 && kc->slots[i].conn == conn) {
            kc->slots[i].id = 0;
            kc->slots[i].conn = NULL;
            kc->num_pending--;
        }
    }
    for (size_t i = 0; i < kc->num_ready; i++) {
        if (kc->ready_list[i] == conn)
            kc->ready_list[i] = kc->ready_list[--kc->num_ready];
    }
}
