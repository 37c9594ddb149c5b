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

/* Checks the address and loads the channel's pair (TCP needs cert, key and
 * ca; a unix socket uses TLCP when they are given). NULL after writing why
 * into err. Connecting starts with the first operation. */
struct kc_client *kc_new(const struct kc_opts *o, char *err, size_t cap);
void kc_free(struct kc_client *kc); /* pending operations are dropped */

/* Called (from kc_io/kc_tick) for each connection whose operation was
 * completed, successfully or not: drive it again. */
void kc_set_ready(struct kc_client *kc, void (*ready)(void *arg, tlcp_conn *conn), void *arg);

/* The argument of a delegated pair: which client and which key name. */
struct kc_key {
    struct kc_client *kc;
    char name[65];
    /* Where several threads share one config (the proxy), the callback
     * asks resolve for the calling thread's client instead of using kc;
     * `where` is the owner's description of the key server. */
    struct kc_client *(*resolve)(const struct kc_key *key);
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
/* The connection is going away: forget its pending operation. */
void kc_forget(struct kc_client *kc, tlcp_conn *conn);
/* Why the last operation could not be sent or failed ("" when none). */
const char *kc_why(const struct kc_client *kc);
/* 1 while the key server connection is up. */
int kc_is_up(const struct kc_client *kc);

#endif
