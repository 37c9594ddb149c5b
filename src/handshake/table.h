/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The TLCP handshake as data: one row per message (who writes it, its
 * content and message type, the largest body we accept, its trace names for
 * the writer and the reader, and its handlers), and the few message
 * sequences a handshake can follow. statem.c walks these; nothing else
 * knows the order of messages.
 */
#ifndef TLCP_HANDSHAKE_TABLE_H
#define TLCP_HANDSHAKE_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "util/bytes.h"
#include "util/status.h"

typedef struct tlcp_hs_ctx tlcp_hs_ctx;

enum tlcp_hs_row_id {
    TLCP_ROW_CLIENT_HELLO = 0,
    TLCP_ROW_SERVER_HELLO,
    TLCP_ROW_SERVER_CERT,
    TLCP_ROW_SERVER_KEY_EXCH,
    TLCP_ROW_CERT_REQUEST,
    TLCP_ROW_SERVER_DONE,
    TLCP_ROW_CLIENT_CERT,
    TLCP_ROW_CLIENT_KEY_EXCH,
    TLCP_ROW_CERT_VERIFY,
    TLCP_ROW_CLIENT_CCS,
    TLCP_ROW_CLIENT_FINISHED,
    TLCP_ROW_SERVER_CCS,
    TLCP_ROW_SERVER_FINISHED,
    /* Not part of a sequence (see enum tlcp_hs_when). */
    TLCP_ROW_HELLO_REQUEST,
    TLCP_ROW_RENEGOTIATION,      /* a ClientHello after the handshake */
    TLCP_ROW_NEW_SESSION_TICKET, /* a server row in the ticket sequences (TLCP_HS_F_TICKET) */
    TLCP_ROW_COUNT,
    TLCP_ROW_END = -1 /* terminates a sequence */
};

/* Maximum body sizes from the design trace (bytes after the 4-byte header). */
#define TLCP_MAX_CLIENT_HELLO       131396
#define TLCP_MAX_SERVER_HELLO       20000
#define TLCP_MAX_SERVER_KEY_EXCH    102400
#define TLCP_MAX_CERT_REQUEST       102400
#define TLCP_MAX_SERVER_DONE        0
#define TLCP_MAX_CLIENT_KEY_EXCH    2048
#define TLCP_MAX_CERT_VERIFY        2048
#define TLCP_MAX_CCS                1
#define TLCP_MAX_FINISHED           64
#define TLCP_MAX_NEW_SESSION_TICKET (4 + 2 + 65535)

/* Handlers work on the handshake context (context.h) and return a
 * tlcp_status: failure (reason + alert in ctx->err), or success with the
 * actions the driver must take (enum tlcp_hs_action). They never do I/O,
 * never change the state and never touch the record layer. */
typedef tlcp_status (*tlcp_hs_work_fn)(tlcp_hs_ctx *ctx);
typedef tlcp_status (*tlcp_hs_construct_fn)(tlcp_hs_ctx *ctx, tlcp_builder *body);
typedef tlcp_status (*tlcp_hs_process_fn)(tlcp_hs_ctx *ctx, tlcp_cursor body);

/* When a row's message may come. */
enum tlcp_hs_when {
    TLCP_WHEN_SEQUENCE = 0, /* where a sequence has it */
    TLCP_WHEN_ANY = 1,      /* at any time, during or after the handshake (HelloRequest) */
    TLCP_WHEN_AFTER = 2     /* only after the handshake (a renegotiating ClientHello) */
};

typedef struct tlcp_hs_row {
    uint8_t content_type;    /* TLCP_CT_HANDSHAKE or TLCP_CT_CHANGE_CIPHER_SPEC */
    uint8_t msg_type;        /* handshake type (unused for CCS) */
    uint8_t writer;          /* TLCP_CLIENT or TLCP_SERVER */
    uint8_t max_from_config; /* limit is the config's max_cert_list */
    size_t max_body;
    const char *write_name; /* the writer's state, e.g. TLS_ST_CW_CLNT_HELLO */
    const char *read_name;  /* the reader's state, e.g. TLS_ST_SR_CLNT_HELLO */
    const char *label;      /* "ClientHello" */
    tlcp_hs_work_fn pre_work;
    tlcp_hs_construct_fn construct; /* NULL for CCS: the driver writes it */
    tlcp_hs_work_fn post_work;
    tlcp_hs_process_fn process;
    tlcp_hs_work_fn post_process;
    uint8_t when; /* enum tlcp_hs_when */
} tlcp_hs_row;

const tlcp_hs_row *tlcp_hs_row_get(int id);
/* The sequence of row ids for `seq`, terminated by TLCP_ROW_END. */
const int *tlcp_hs_sequence(int seq);
/* Row id at position pos of sequence seq, or TLCP_ROW_END. */
int tlcp_hs_seq_row(int seq, size_t pos);
/* A sequence that agrees with `seq` on positions [0, pos) and has a row
 * matching (content_type, msg_type) at pos; -1 if none. "Receive first,
 * then decide": this is how an optional message (CertificateRequest) or an
 * abbreviated handshake switches sequences. */
int tlcp_hs_seq_alternative(int seq, size_t pos, uint8_t content_type, uint8_t msg_type);

/* What the handshake has learnt that selects the sequence. */
enum tlcp_hs_flag {
    TLCP_HS_F_RESUMED = 1u << 0,     /* abbreviated handshake */
    TLCP_HS_F_CLIENT_AUTH = 1u << 1, /* CertificateRequest sent or received */
    TLCP_HS_F_NO_CLIENT_CERT =
        1u << 2,                /* ... answered by an empty Certificate: no CertificateVerify */
    TLCP_HS_F_TICKET = 1u << 3, /* a NewSessionTicket before the server's CCS */
    TLCP_HS_F_ALL = (1u << 4) - 1
};

/* The sequence for a set of flags: one table lookup. */
int tlcp_hs_seq_for_flags(unsigned flags);

/* A message a peer may send or leave out: receiving it where the current
 * sequence has another one sets `flag` (e.g. a client seeing a
 * CertificateRequest learns TLCP_HS_F_CLIENT_AUTH). */
typedef struct tlcp_hs_optional {
    int row;
    unsigned flag;
} tlcp_hs_optional;

/* The optional message (content type, handshake type) that `reader`
 * (TLCP_CLIENT/TLCP_SERVER) may receive, or NULL. */
const tlcp_hs_optional *tlcp_hs_optional_for(int reader, uint8_t content_type, uint8_t msg_type);

/* The row for a handshake message outside the sequences that `reader` may
 * receive now (established = the handshake is over), or NULL. */
const tlcp_hs_row *tlcp_hs_unsequenced_row(int reader, uint8_t msg_type, int established);

#define TLCP_STATE_BEFORE_NAME "TLS_ST_BEFORE"
#define TLCP_STATE_OK_NAME     "TLS_ST_OK"

#endif
