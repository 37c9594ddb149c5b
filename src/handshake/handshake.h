/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Per-connection handshake state: where the state machine stands, the
 * negotiated parameters, the transcript and the secrets. Lives only while
 * the handshake runs (tlcp_hs_free wipes it).
 */
#ifndef TLCP_HANDSHAKE_H
#define TLCP_HANDSHAKE_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"
#include "handshake/transcript.h"
#include "record/record.h"

/* Message sequences (table.c), chosen by flags as the handshake learns them. */
enum tlcp_hs_seq {
    TLCP_SEQ_FULL = 0,
    TLCP_SEQ_CLIENT_AUTH = 1,       /* CertificateRequest, client Certificate + CertificateVerify */
    TLCP_SEQ_CLIENT_AUTH_NO_CV = 2, /* requested, but the client sent no certificate */
    TLCP_SEQ_RESUMED = 3,
    /* The same four with a NewSessionTicket before the server's CCS. */
    TLCP_SEQ_FULL_TICKET = 4,
    TLCP_SEQ_CLIENT_AUTH_TICKET = 5,
    TLCP_SEQ_CLIENT_AUTH_NO_CV_TICKET = 6,
    TLCP_SEQ_RESUMED_TICKET = 7,
    TLCP_SEQ_COUNT
};

/* The trace's message flow and sub-machine states. */
enum tlcp_msg_flow { TLCP_FLOW_WRITING = 0, TLCP_FLOW_READING = 1, TLCP_FLOW_FINISHED = 2 };
enum tlcp_read_state { TLCP_READ_HEADER = 0, TLCP_READ_BODY = 1, TLCP_READ_POST_PROCESS = 2 };
enum tlcp_write_state {
    TLCP_WRITE_TRANSITION = 0,
    TLCP_WRITE_PRE_WORK = 1,
    TLCP_WRITE_SEND = 2,
    TLCP_WRITE_POST_WORK = 3
};
/* Work stages: only the flush after a flight can suspend today. */
enum tlcp_work_stage { TLCP_WORK_MORE_A = 0, TLCP_WORK_MORE_B = 1, TLCP_WORK_FINISHED = 2 };

typedef struct tlcp_hs {
    int started;
    int seq;    /* enum tlcp_hs_seq */
    size_t pos; /* index in the sequence of the current message */
    int state;  /* row id of the current state, -1 = TLS_ST_BEFORE */
    int flow;   /* enum tlcp_msg_flow */
    int read_state;
    int write_state;
    int work;

    tlcp_transcript transcript;

    uint8_t client_random[TLCP_RANDOM_LEN];
    uint8_t server_random[TLCP_RANDOM_LEN];
    uint8_t session_id[32]; /* the ServerHello's */
    size_t session_id_len;
    uint16_t suite;
    int bulk; /* enum tlcp_bulk_cipher */
    int is_ecdhe;

    uint8_t pre_master[TLCP_PRE_MASTER_LEN];
    uint8_t master[TLCP_MASTER_SECRET_LEN];
    int keys_ready;
    /* Cut from the key block for the driver to install: [0] client write,
     * [1] server write (wiped once installed). */
    tlcp_record_keys pending_keys[2];

    /* Peer keys taken from its certificates. */
    tlcp_pkey *peer_sign_key;
    tlcp_pkey *peer_enc_key;
    /* The outcome of the built-in checks of the peer's certificates: passed,
     * or failed with peer_verify_reason and accepted by the verify callback
     * (overridden). Both 0 when not verified (verify mode none). */
    int peer_verified;
    int peer_verify_overridden;
    int peer_verify_reason;

    /* Client authentication. */
    int cert_requested;   /* client: CertificateRequest seen; server: we asked */
    int peer_sent_cert;   /* server: the client's Certificate was not empty */
    int send_client_cert; /* client: we answer with our certificate(s) */
    int peer_cert_seen;   /* server: the client's Certificate was processed */
    int resumed;          /* abbreviated handshake (not offered yet) */

    /* Session tickets (ticket.c). */
    int ticket;             /* a NewSessionTicket is part of this handshake (TLCP_HS_F_TICKET) */
    int ticket_ext_sent;    /* client: our ClientHello had session_ticket */
    uint8_t offered_id[32]; /* client: the session ID our ClientHello carried */
    size_t offered_id_len;
    uint8_t ticket_sid[32]; /* client: the fresh ID sent with a ticket */
    int got_ticket;         /* client: NewSessionTicket received */
    uint8_t *new_ticket;    /* ... and its ticket, NULL when empty */
    size_t new_ticket_len;
    uint32_t new_ticket_hint;
    int64_t ticket_created; /* server: creation time of the resumed ticket's session */

    /* ECDHE ephemeral keys. */
    tlcp_pkey *eph_key;
    tlcp_pkey *peer_eph_key;

    /* A delegated private-key operation (key_op.c), NULL until one runs. */
    struct tlcp_hs_key_op *key_op;
} tlcp_hs;

tlcp_hs *tlcp_hs_new(tlcp_error *err);
void tlcp_hs_free(tlcp_hs *hs);

#endif
