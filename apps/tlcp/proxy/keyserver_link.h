/* SPDX-License-Identifier: Apache-2.0 */
/* tlcp proxy with a key server (keyserver_link.c): the per-service keys
 * (key_server, key_server_cert/_key/_ca, key_name), the delegated pairs of
 * the service's TLCP config, and each worker's connections to the key
 * servers on its epoll set. */
#ifndef TLCP_APP_PROXY_KEYSERVER_LINK_H
#define TLCP_APP_PROXY_KEYSERVER_LINK_H

#include "../keyclient/keyclient.h"

struct px_service;
struct px_worker;
struct px_conn;
struct px_tag;

/* A service's key-server settings (strings owned). */
struct px_ks_cfg {
    char *addr, *cert, *key, *ca, *name;
    char *sign_cert, *enc_cert; /* the certificates whose keys it holds */
    struct kc_key key_arg;      /* the delegated pairs' callback argument */
    struct kc_proto *proto;     /* address resolved, channel loaded (px_ks_load_pairs) */
};

/* config: key_server* and key_name; 1 with *handled = 0 for other keys. */
int px_ks_config_set(struct px_service *s, const char *key, const char *value, char *err,
                     size_t errlen, int *handled);
/* After parsing: with key_server, sign_cert and enc_cert without their
 * keys (taken out of the single pair). 0 with the reason in err. */
int px_ks_validate(struct px_service *s, char *err, size_t errlen);
void px_ks_config_free(struct px_service *s);
/* tls.c: the service's delegated pairs (nothing without key_server), and
 * the key server's address resolved and channel files loaded: at start-up,
 * --check and reload, never on a worker's loop. */
int px_ks_load_pairs(tlcp_config *cfg, const struct px_service *s, char *err, size_t errlen);

/* worker.c */
struct px_kslink *px_ks_start(struct px_worker *w);
void px_ks_stop(struct px_worker *w);
void px_ks_event(struct px_worker *w, struct px_tag *tag);
/* After each batch: sends what connections queued, updates the epoll set,
 * runs the timeouts. Returns when it next wants to run. */
int64_t px_ks_sync(struct px_worker *w, int64_t now);
/* What the last px_ks_sync returned (INT64_MAX before the first). */
int64_t px_ks_next(const struct px_worker *w);

/* conn.c */
/* The connection about to run libtlcp (its delegated operations are
 * recorded in c->ks_wait). */
void px_ks_driving(struct px_conn *c);
void px_ks_forget(struct px_conn *c);
/* Milliseconds until the handshake's delegated operation times out (0:
 * it has; the next handshake call fails it), -1 when none is pending. */
long px_ks_wait_ms(const struct px_conn *c);
/* The failure sentence, with the key server's reason when a delegated
 * operation failed. */
const char *px_ks_failure(const struct px_conn *c, char *buf, size_t len);

#endif
