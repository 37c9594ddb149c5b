/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The client side of the key server (docs/KEYSERVER.md): a delegated-pair
 * callback (tlcp_key_op_fn) that sends each private-key operation to a
 * `tlcp keyserver` over one multiplexed connection and answers "pending";
 * the owner's event loop watches kc_fd()/kc_events(), calls kc_io() and
 * kc_tick(), and re-drives the connections whose operation completed (the
 * `ready` callback). Nothing here blocks: connect, the TLCP channel's
 * handshake and every read and write are non-blocking. One kc_client per
 * thread (its state is not locked).
 */
#ifndef TLCP_APP_KEYCLIENT_H
#define TLCP_APP_KEYCLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "tlcp/tlcp.h"

#define KC_MAX_PENDING    4096
#define KC_BACKOFF_MIN_MS 100
#define KC_BACKOFF_MAX_MS 5000
#define KC_CONNECT_MS     3000 /* connect + channel handshake */

struct kc_opts {
    const char *addr;            /* unix:PATH or HOST:PORT */
    const char *cert, *key, *ca; /* the TLCP channel: our client pair, the server's CA */
    const char *pass;            /* passphrase of `key` (already read), may be NULL */
};

struct kc_client;

/* Where a kc_client connects and with which channel: the address resolved
 * and the channel's pair and CA loaded, once, where blocking is allowed
 * (start-up, --check, a reload), never on an event loop. */
struct kc_proto;
/* Checks the address (HOST:PORT resolved now) and loads the channel's pair
 * (TCP needs cert, key and ca; a unix socket uses TLCP when they are
 * given). NULL after writing why, naming the file or the address, into err. */
struct kc_proto *kc_proto_new(const struct kc_opts *o, char *err, size_t cap);
void kc_proto_free(struct kc_proto *p);

/* A client on a proto: no I/O (connecting starts with the first
 * operation); NULL only when out of memory. */
struct kc_client *kc_new_from(const struct kc_proto *p);
/* kc_proto_new + kc_new_from. */
struct kc_client *kc_new(const struct kc_opts *o, char *err, size_t cap);
/* The next connect goes to p's address with p's channel (a reload); the
 * connection up now and its operations carry on. Cheap when p is the proto
 * the client has already. */
void kc_retarget(struct kc_client *kc, const struct kc_proto *p);
void kc_free(struct kc_client *kc); /* pending operations are dropped */

/* An operation in flight, recorded where its owner keeps the connection
 * (the proxy's px_conn): completing it reaches the owner and forgetting it
 * costs O(1). The id is the request's, unique for the client's lifetime. */
struct kc_wait {
    struct kc_client *kc; /* NULL: nothing in flight */
    uint64_t id;
    void *owner; /* handed to the ready callback */
};

/* Called (from kc_io/kc_tick) for each connection whose operation was
 * completed, successfully or not: drive it again. owner: the kc_wait's
 * owner, NULL when the operation had no kc_wait. */
void kc_set_ready(struct kc_client *kc, void (*ready)(void *arg, tlcp_conn *conn, void *owner),
                  void *arg);

/* The argument of a delegated pair: which client and which key name. */
struct kc_key {
    struct kc_client *kc;
    char name[65];
    /* Where several threads share one config (the proxy), the callback
     * asks resolve for the calling thread's client instead of using kc,
     * and for the kc_wait of the connection asking (may stay NULL);
     * `where` is the owner's description of the key server. */
    struct kc_client *(*resolve)(const struct kc_key *key, tlcp_conn *conn, struct kc_wait **wait);
    const void *where;
};
/* The tlcp_key_op_fn to pass to tlcp_config_load_delegated_pair with a
 * struct kc_key as arg. */
int kc_key_op(void *arg, tlcp_conn *conn, const tlcp_key_op *op, uint8_t *out, size_t *out_len);

/* The socket to watch (-1: none now) and for what (POLLIN/POLLOUT bits). */
int kc_fd(const struct kc_client *kc);
short kc_events(const struct kc_client *kc);
/* Moves bytes; completes operations as responses arrive. */
void kc_io(struct kc_client *kc);
/* Timeouts of connect and channel handshake; the time (cli_now_ms clock)
 * it wants to run next, INT64_MAX for never. */
int64_t kc_tick(struct kc_client *kc, int64_t now_ms);
/* The connection is going away: forget its pending operation. Its answer,
 * if it still comes, is dropped and counted (kc_late_answers). kc_forget
 * looks the connection up among the pending operations; kc_forget_wait is
 * O(1) and leaves w empty. */
void kc_forget(struct kc_client *kc, tlcp_conn *conn);
void kc_forget_wait(struct kc_wait *w);
/* Answers that arrived after their connection had been forgotten. */
uint64_t kc_late_answers(const struct kc_client *kc);
/* Why the last operation could not be sent or failed ("" when none). */
const char *kc_why(const struct kc_client *kc);
/* 1 while the key server connection is up. */
int kc_is_up(const struct kc_client *kc);

#endif
