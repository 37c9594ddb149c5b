/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The objects behind the public tlcp_config / tlcp_conn handles. Shared by
 * src/conn.c, src/config.c and src/fd_io.c. src/handshake never sees them:
 * the connection hands it a handshake context (handshake/context.h).
 */
#ifndef TLCP_CONN_INTERNAL_H
#define TLCP_CONN_INTERNAL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"
#include "handshake/context.h"
#include "handshake/handshake.h"
#include "handshake/session.h"
#include "record/record.h"
#include "tlcp/tlcp.h"
#include "util/error.h"
#include "x509/x509.h"

#define TLCP_MAX_SUITES            8
#define TLCP_DEFAULT_MAX_CERT_LIST 102400
#define TLCP_MAX_WRITE_PER_CALL    65536

struct tlcp_config {
    atomic_int refs;   /* connections in several threads may share a config */
    atomic_int frozen; /* set when the first connection uses it */
    tlcp_error err;

    tlcp_credentials *creds;      /* our sign/enc pairs and chain (src/x509) */
    tlcp_trust_store *trust;      /* trust anchors for the peer, NULL when none loaded */
    tlcp_cert_list ca_list;       /* CAs loaded from files: names for CertificateRequest */
    tlcp_session_cache *sessions; /* the built-in store's cache, NULL = not in use */
    tlcp_session_store store;     /* server: where sessions go (the cache's or the app's) */
    void *store_arg;
    int store_set; /* 0 = resumption off */
    /* Session tickets: the server's keys (always allocated, locked, so they
     * may change while connections run; no key = no tickets) and the
     * client's switch. */
    struct tlcp_ticket_keys *ticket_keys;
    int offer_tickets;

    uint16_t suites[TLCP_MAX_SUITES];
    size_t num_suites;
    int verify_mode; /* -1 = role default */
    char *host_name;
    int no_verify_name; /* client: tlcp_config_insecure_no_verify_name() */
    int send_sni;
    int accept_tls_hello;   /* server: tlcp_config_accept_tls_hello_for_tlcp() */
    int ecdhe_cke_prefixed; /* ECDHE ClientKeyExchange form B (u16 prefix) */
    int cv_form;            /* client: our CertificateVerify form (TLCP_CV_*) */
    unsigned cv_accept;     /* server: CertificateVerify forms accepted (TLCP_CV_* bits) */
    int client_cert_list;   /* client, ECC: TLCP_CLIENT_CERTS_*, 0 = by cv_form */
    size_t max_cert_list;
    int64_t verify_time; /* 0 = now */

    tlcp_trace_fn trace;
    void *trace_arg;
    tlcp_keylog_fn keylog;
    void *keylog_arg;
    tlcp_verify_fn verify_cb;
    void *verify_arg;
    /* Delegated private keys: the callback of the sign [0] / enc [1] pair
     * loaded without a key, and how long a pending operation may take. */
    tlcp_key_op_fn key_fn[2];
    void *key_arg[2];
    unsigned key_op_timeout_ms;
    /* Keys given as URIs (config_key_uri.c): the providers' library context
     * (NULL = OpenSSL's default one), the property query, and the opened
     * keys, which are the key_arg of their pair while it uses them. */
    struct tlcp_key_providers *key_providers;
    char *key_propq;
    struct tlcp_store_key *uri_key[2];

    /* ALPN (config_alpn.c): extension data, u16 list of u8-prefixed names. */
    uint8_t *alpn_ext;
    size_t alpn_ext_len;
    int alpn_required;
    tlcp_alpn_select_fn alpn_cb;
    void *alpn_arg;
    /* Server: pairs per server name (config_names.c). */
    tlcp_named_pair named_pairs[TLCP_MAX_NAMED_PAIRS];
    size_t num_named_pairs;
};

/* Connection life cycle. */
enum tlcp_conn_phase {
    TLCP_PHASE_HANDSHAKE = 0,
    TLCP_PHASE_ESTABLISHED = 1,
    TLCP_PHASE_CLOSED = 2, /* close_notify received */
    TLCP_PHASE_FAILED = 3
};

struct tlcp_conn {
    tlcp_config *cfg;
    int phase;
    tlcp_error err; /* the one error slot: the record layer writes here too */
    tlcp_record_layer *rl;
    /* The handshake's view of this connection: its state (freed once the
     * handshake completes), the config view, and what it learnt (suite,
     * peer certificates, server name, session, alerts). */
    tlcp_hs_ctx hc;

    /* A fatal alert went out: no second one (the last alert sent, fatal or
     * warning, is hc.alert_sent). */
    int fatal_alert_sent;
    int sent_close_notify;

    int cert_requested; /* the handshake's CertificateRequest flag, kept after it */

    /* Application data handed up by the record layer but not yet read. */
    uint8_t *app_buf;
    size_t app_off;
    size_t app_len;

    /* Bytes of the last tlcp_write() queued but not yet flushed. */
    size_t write_pending;

    int fd; /* built-in fd transport, -1 when unused */
};

/* Records a failure in the connection's error slot (first wins). */
#define CONN_FAIL(conn, reason, alert, ...)                                                        \
    TLCP_ERR_ALERT(&(conn)->err, (reason), (alert), __VA_ARGS__)

/* The handshake's view of cfg for one role (the config is frozen once a
 * connection uses it, so the copy stays true). */
void tlcp_config_hs_view(const tlcp_config *cfg, int is_server, tlcp_hs_config *out);
/* Sends the fatal alert of the error slot (best effort) and marks the
 * connection failed. Returns TLCP_ERROR. */
tlcp_result tlcp_conn_fatal(tlcp_conn *conn);

/* Every setter starts with this: 0 (and the reason in cfg->err) when the
 * config is frozen. */
int tlcp_config_writable(tlcp_config *cfg);
/* config_alpn.c / config_names.c: their part of tlcp_config_free and of
 * the handshake's view. */
void tlcp_config_free_alpn(tlcp_config *cfg);
void tlcp_config_free_named_pairs(tlcp_config *cfg);
void tlcp_config_free_key_uris(tlcp_config *cfg);
/* TLCP_OK, or TLCP_ERROR (TLCP_R_KEY_URI_NO_KX in cfg->err) when an ECDHE
 * suite is among `suites` while the encryption key is held by a provider. */
tlcp_result tlcp_config_check_uri_kx(tlcp_config *cfg, const uint16_t *suites, size_t n);
/* A tlcp_key_op with a key opened from a URI: SIGN and DECRYPT through EVP,
 * KX fails. TLCP_KEY_OP_DONE or TLCP_KEY_OP_FAILED. */
int tlcp_uri_key_perform(const struct tlcp_store_key *key, const tlcp_key_op *op, uint8_t *out,
                         size_t *out_len);
/* The built-in key-operation callback of a key opened from a URI (arg: the
 * tlcp_store_key). */
int tlcp_uri_key_op(void *arg, tlcp_conn *conn, const tlcp_key_op *op, uint8_t *out,
                    size_t *out_len);
/* Loads `dest` from a certificate (a file, or a URI of the key's store) and
 * a key URI with cfg's providers and query; *key_arg = the opened key (for
 * tlcp_uri_key_op; tlcp_config_free_uri_key frees it). An enc key while
 * ECDHE suites are configured fails (TLCP_R_KEY_URI_NO_KX). 0 with the
 * reason in cfg->err. */
int tlcp_config_load_uri_pair(tlcp_config *cfg, tlcp_keypair *dest, int which, const char *cert,
                              const char *key_uri, const char *passphrase, void **key_arg);
void tlcp_config_free_uri_key(void *key_arg);
void tlcp_config_view_alpn_names(const tlcp_config *cfg, tlcp_hs_config *out);

/* The effective verify mode for a role. */
int tlcp_config_verify_mode(const tlcp_config *cfg, int is_server);

/* The built-in cache as a session store (session_cache_store.c); a NULL
 * cache gives an empty store. */
void tlcp_session_cache_as_store(tlcp_session_cache *cache, tlcp_session_store *out, void **arg);

#endif
