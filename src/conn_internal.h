/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The objects behind the public tlcp_config / tlcp_conn handles. Shared by
 * src/conn.c, src/config.c and src/handshake/ (the handshake handlers work
 * on the connection and its handshake state).
 */
#ifndef TLCP_CONN_INTERNAL_H
#define TLCP_CONN_INTERNAL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"
#include "handshake/handshake.h"
#include "handshake/session.h"
#include "record/record.h"
#include "tlcp/tlcp.h"
#include "util/error.h"
#include "x509/x509.h"

#define TLCP_MAX_SUITES            8
#define TLCP_DEFAULT_MAX_CERT_LIST 102400
#define TLCP_MAX_WRITE_PER_CALL    65536
#define TLCP_MAX_HELLO_REQUESTS    4

struct tlcp_config {
    atomic_int refs;   /* connections in several threads may share a config */
    atomic_int frozen; /* set when the first connection uses it */
    tlcp_error err;

    tlcp_credentials *creds;      /* our sign/enc pairs and chain (src/x509) */
    tlcp_trust_store *trust;      /* trust anchors for the peer, NULL when none loaded */
    tlcp_cert_list ca_list;       /* CAs loaded from files: names for CertificateRequest */
    tlcp_session_cache *sessions; /* server: resumable sessions, NULL = off */

    uint16_t suites[TLCP_MAX_SUITES];
    size_t num_suites;
    int verify_mode; /* -1 = role default */
    char *host_name;
    int no_verify_name; /* client: tlcp_config_insecure_no_verify_name() */
    int send_sni;
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
    int is_server;
    int phase;
    tlcp_error err;
    tlcp_record_layer *rl;
    tlcp_hs *hs; /* freed once the handshake completes */

    uint16_t suite;
    int alert_sent;       /* the last alert sent, -1 = none */
    int fatal_alert_sent; /* a fatal one went out: no second (a warning does not count) */
    int alert_received; /* -1 = none */
    int sent_close_notify;

    /* Peer certificates kept for the getters ([TLCP_CERT_SIGN], [TLCP_CERT_ENC]). */
    tlcp_cert *peer_cert[2];

    /* Resumption. */
    tlcp_session *offer;       /* client: the session to offer */
    tlcp_session *established; /* client: the session of the completed handshake */
    int reused;

    /* Application data handed up by the record layer but not yet read. */
    uint8_t *app_buf;
    size_t app_off;
    size_t app_len;

    /* Client: HelloRequests answered since the last application data (a
     * run without end would keep tlcp_read from returning). */
    unsigned hello_requests;

    /* Bytes of the last tlcp_write() queued but not yet flushed. */
    size_t write_pending;

    int fd;    /* built-in fd transport, -1 when unused */
    char *sni; /* server: the client's server_name, NUL-terminated */
};

/* Records a failure in the connection's error slot (first wins). */
#define CONN_FAIL(conn, reason, alert, ...)                                                        \
    TLCP_ERR_ALERT(&(conn)->err, (reason), (alert), __VA_ARGS__)

/* Trace output (no-op without a callback). */
void tlcp_conn_trace(const tlcp_conn *conn, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int tlcp_conn_tracing(const tlcp_conn *conn);

/* Moves a record-layer failure into the connection's slot. */
void tlcp_conn_take_record_error(tlcp_conn *conn);
/* After tlcp_record_next gave CLOSED or ERROR: notes a received alert
 * (fatal or close_notify) and takes the record layer's error. */
void tlcp_conn_note_record_end(tlcp_conn *conn, const tlcp_record_item *item);
/* Sends the fatal alert of the error slot (best effort) and marks the
 * connection failed. Returns TLCP_ERROR. */
tlcp_result tlcp_conn_fatal(tlcp_conn *conn);

/* The effective verify mode for this connection's role. */
int tlcp_conn_verify_mode(const tlcp_conn *conn);

#endif
