/* SPDX-License-Identifier: Apache-2.0 */
/* The kc_client itself, shared by its connection half (keyclient.c) and
 * its request half (requests.c). */
#ifndef TLCP_APP_KC_INTERNAL_H
#define TLCP_APP_KC_INTERNAL_H

#include <sys/socket.h>

#include "../cli.h"
#include "../keyserver/frame.h"
#include "keyclient.h"

enum kc_state { KC_DOWN, KC_CONNECTING, KC_HANDSHAKE, KC_UP };

/* The resolved address and the loaded channel (kc_proto_new). */
struct kc_proto {
    char addr[300];
    char host[256]; /* HOST of HOST:PORT: the name the key server's certificate must carry */
    struct sockaddr_storage sa;
    socklen_t sa_len;
    int is_unix;
    tlcp_config *cfg; /* the TLCP channel (a reference), NULL: plain unix socket */
    uint64_t serial;  /* tells protos apart for kc_retarget */
};

/* One operation sent and not yet answered, in slot id % KC_MAX_PENDING so
 * that an answer finds it in O(1). conn NULL with id set: forgotten, its
 * answer is dropped when it comes. */
struct kc_slot {
    uint64_t id; /* 0: free */
    tlcp_conn *conn;
    struct kc_wait *wait; /* the owner's record, NULL: none */
};

/* A completed operation waiting for kc_notify_ready. */
struct kc_ready {
    tlcp_conn *conn;
    struct kc_wait *wait; /* still names kc until notified, NULL: none */
};

struct kc_client {
    struct kc_proto target; /* where the next connect goes */
    int state;
    int fd;
    tlcp_conn *tc;
    short wants; /* what the channel's last call waits for */
    int64_t deadline, retry_at;
    int64_t backoff_ms;
    uint64_t next_id;
    struct kc_slot *slots; /* KC_MAX_PENDING, allocated with the first request */
    size_t num_used;       /* slots with an id (pending or forgotten) */
    uint64_t late;         /* answers to forgotten operations */
    uint8_t in[KS_LEN_PREFIX + KS_MAX_FRAME];
    size_t in_len;
    uint8_t *out;
    size_t out_len, out_off, out_cap;
    struct kc_ready ready_list[KC_MAX_PENDING]; /* completed since the last notify */
    size_t num_ready;
    void (*ready)(void *arg, tlcp_conn *conn, void *owner);
    void *ready_arg;
    char why[CLI_WHY_MAX + 400];
};

/* keyclient.c */
void kc_down(struct kc_client *kc, const char *why);
int kc_start(struct kc_client *kc); /* 0 after setting why */
/* requests.c */
void kc_fail_all(struct kc_client *kc);
/* Completes the operations answered in kc->in; 0 after kc_down. */
int kc_take_responses(struct kc_client *kc);
void kc_notify_ready(struct kc_client *kc);

#endif
