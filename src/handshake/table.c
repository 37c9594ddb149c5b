/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The protocol as data (see table.h). Sizes follow the design trace; the
 * CertificateRequest and CertificateVerify limits, which the trace does not
 * give, are chosen generously for a list of CA names and an SM2 signature.
 */
#include "handshake/table.h"

#include "handshake/handlers.h"
#include "handshake/handshake.h"
#include "handshake/messages.h"
#include "record/record.h"

#define HS  TLCP_CT_HANDSHAKE
#define CCS TLCP_CT_CHANGE_CIPHER_SPEC

static const tlcp_hs_row rows[TLCP_ROW_COUNT] = {
    [TLCP_ROW_CLIENT_HELLO] = {HS, TLCP_HS_CLIENT_HELLO, TLCP_CLIENT, 0, TLCP_MAX_CLIENT_HELLO,
                               "TLS_ST_CW_CLNT_HELLO", "TLS_ST_SR_CLNT_HELLO", "ClientHello",
                               tlcp_hs_client_hello_pre_work, tlcp_hs_client_hello_construct, NULL,
                               tlcp_hs_client_hello_process, tlcp_hs_client_hello_post_process,
                               TLCP_WHEN_SEQUENCE},
    [TLCP_ROW_SERVER_HELLO] = {HS, TLCP_HS_SERVER_HELLO, TLCP_SERVER, 0, TLCP_MAX_SERVER_HELLO,
                               "TLS_ST_SW_SRVR_HELLO", "TLS_ST_CR_SRVR_HELLO", "ServerHello", NULL,
                               tlcp_hs_server_hello_construct, tlcp_hs_server_hello_post_work,
                               tlcp_hs_server_hello_process, NULL, TLCP_WHEN_SEQUENCE},
    [TLCP_ROW_SERVER_CERT] = {HS, TLCP_HS_CERTIFICATE, TLCP_SERVER, 1, 0, "TLS_ST_SW_CERT",
                              "TLS_ST_CR_CERT", "Certificate", NULL, tlcp_hs_server_cert_construct,
                              NULL, tlcp_hs_server_cert_process, NULL, TLCP_WHEN_SEQUENCE},
    [TLCP_ROW_SERVER_KEY_EXCH] = {HS, TLCP_HS_SERVER_KEY_EXCHANGE, TLCP_SERVER, 0,
                                  TLCP_MAX_SERVER_KEY_EXCH, "TLS_ST_SW_KEY_EXCH",
                                  "TLS_ST_CR_KEY_EXCH", "ServerKeyExchange",
                                  tlcp_hs_server_kx_pre_work, tlcp_hs_server_kx_construct, NULL,
                                  tlcp_hs_server_kx_process, NULL, TLCP_WHEN_SEQUENCE},
    [TLCP_ROW_CERT_REQUEST] = {HS, TLCP_HS_CERTIFICATE_REQUEST, TLCP_SERVER, 0,
                               TLCP_MAX_CERT_REQUEST, "TLS_ST_SW_CERT_REQ", "TLS_ST_CR_CERT_REQ",
                               "CertificateRequest", NULL, tlcp_hs_cert_request_construct, NULL,
                               tlcp_hs_cert_request_process, NULL, TLCP_WHEN_SEQUENCE},
    [TLCP_ROW_SERVER_DONE] = {HS, TLCP_HS_SERVER_HELLO_DONE, TLCP_SERVER, 0, TLCP_MAX_SERVER_DONE,
                              "TLS_ST_SW_SRVR_DONE", "TLS_ST_CR_SRVR_DONE", "ServerHelloDone", NULL,
                              tlcp_hs_server_done_construct, NULL, tlcp_hs_server_done_process,
                              NULL, TLCP_WHEN_SEQUENCE},
    [TLCP_ROW_CLIENT_CERT] = {HS, TLCP_HS_CERTIFICATE, TLCP_CLIENT, 1, 0, "TLS_ST_CW_CERT",
                              "TLS_ST_SR_CERT", "Certificate", NULL, tlcp_hs_client_cert_construct,
                              NULL, tlcp_hs_client_cert_process, NULL, TLCP_WHEN_SEQUENCE},
    [TLCP_ROW_CLIENT_KEY_EXCH] = {HS, TLCP_HS_CLIENT_KEY_EXCHANGE, TLCP_CLIENT, 0,
                                  TLCP_MAX_CLIENT_KEY_EXCH, "TLS_ST_CW_KEY_EXCH",
                                  "TLS_ST_SR_KEY_EXCH", "ClientKeyExchange",
                                  tlcp_hs_client_kx_pre_work, tlcp_hs_client_kx_construct,
                                  tlcp_hs_client_kx_post_work, tlcp_hs_client_kx_process,
                                  tlcp_hs_client_kx_post_process, TLCP_WHEN_SEQUENCE},
    [TLCP_ROW_CERT_VERIFY] = {HS, TLCP_HS_CERTIFICATE_VERIFY, TLCP_CLIENT, 0, TLCP_MAX_CERT_VERIFY,
                              "TLS_ST_CW_CERT_VRFY", "TLS_ST_SR_CERT_VRFY", "CertificateVerify",
                              tlcp_hs_cert_verify_pre_work, tlcp_hs_cert_verify_construct, NULL,
                              tlcp_hs_cert_verify_process, NULL, TLCP_WHEN_SEQUENCE},
    [TLCP_ROW_CLIENT_CCS] = {CCS, 0, TLCP_CLIENT, 0, TLCP_MAX_CCS, "TLS_ST_CW_CHANGE",
                             "TLS_ST_SR_CHANGE", "ChangeCipherSpec", NULL, NULL,
                             tlcp_hs_ccs_post_work, tlcp_hs_ccs_process, NULL, TLCP_WHEN_SEQUENCE},
    [TLCP_ROW_CLIENT_FINISHED] = {HS, TLCP_HS_FINISHED, TLCP_CLIENT, 0, TLCP_MAX_FINISHED,
                                  "TLS_ST_CW_FINISHED", "TLS_ST_SR_FINISHED", "Finished", NULL,
                                  tlcp_hs_finished_construct, NULL, tlcp_hs_finished_process, NULL,
                                  TLCP_WHEN_SEQUENCE},
    [TLCP_ROW_SERVER_CCS] = {CCS, 0, TLCP_SERVER, 0, TLCP_MAX_CCS, "TLS_ST_SW_CHANGE",
                             "TLS_ST_CR_CHANGE", "ChangeCipherSpec", NULL, NULL,
                             tlcp_hs_ccs_post_work, tlcp_hs_ccs_process, NULL, TLCP_WHEN_SEQUENCE},
    [TLCP_ROW_SERVER_FINISHED] = {HS, TLCP_HS_FINISHED, TLCP_SERVER, 0, TLCP_MAX_FINISHED,
                                  "TLS_ST_SW_FINISHED", "TLS_ST_CR_FINISHED", "Finished", NULL,
                                  tlcp_hs_finished_construct, NULL, tlcp_hs_finished_process, NULL,
                                  TLCP_WHEN_SEQUENCE},
    /* We never send these two: no construct handler. */
    [TLCP_ROW_HELLO_REQUEST] = {HS, TLCP_HS_HELLO_REQUEST, TLCP_SERVER, 0, 0, "TLS_ST_SW_HELLO_REQ",
                                "TLS_ST_CR_HELLO_REQ", "HelloRequest", NULL, NULL, NULL,
                                tlcp_hs_hello_request_process, NULL, TLCP_WHEN_ANY},
    [TLCP_ROW_RENEGOTIATION] = {HS, TLCP_HS_CLIENT_HELLO, TLCP_CLIENT, 0, TLCP_MAX_CLIENT_HELLO,
                                "TLS_ST_CW_CLNT_HELLO", "TLS_ST_SR_CLNT_HELLO",
                                "ClientHello (renegotiation)", NULL, NULL, NULL,
                                tlcp_hs_renegotiation_process, NULL, TLCP_WHEN_AFTER},
    [TLCP_ROW_NEW_SESSION_TICKET] = {HS, TLCP_HS_NEW_SESSION_TICKET, TLCP_SERVER, 0,
                                     TLCP_MAX_NEW_SESSION_TICKET, "TLS_ST_SW_SESSION_TICKET",
                                     "TLS_ST_CR_SESSION_TICKET", "NewSessionTicket", NULL,
                                     tlcp_hs_new_session_ticket_construct, NULL,
                                     tlcp_hs_new_session_ticket_process, NULL, TLCP_WHEN_SEQUENCE},
};

static const int seq_full[] = {
    TLCP_ROW_CLIENT_HELLO, TLCP_ROW_SERVER_HELLO,    TLCP_ROW_SERVER_CERT, TLCP_ROW_SERVER_KEY_EXCH,
    TLCP_ROW_SERVER_DONE,  TLCP_ROW_CLIENT_KEY_EXCH, TLCP_ROW_CLIENT_CCS,  TLCP_ROW_CLIENT_FINISHED,
    TLCP_ROW_SERVER_CCS,   TLCP_ROW_SERVER_FINISHED, TLCP_ROW_END};

static const int seq_client_auth[] = {TLCP_ROW_CLIENT_HELLO,    TLCP_ROW_SERVER_HELLO,
                                      TLCP_ROW_SERVER_CERT,     TLCP_ROW_SERVER_KEY_EXCH,
                                      TLCP_ROW_CERT_REQUEST,    TLCP_ROW_SERVER_DONE,
                                      TLCP_ROW_CLIENT_CERT,     TLCP_ROW_CLIENT_KEY_EXCH,
                                      TLCP_ROW_CERT_VERIFY,     TLCP_ROW_CLIENT_CCS,
                                      TLCP_ROW_CLIENT_FINISHED, TLCP_ROW_SERVER_CCS,
                                      TLCP_ROW_SERVER_FINISHED, TLCP_ROW_END};

static const int seq_client_auth_no_cv[] = {
    TLCP_ROW_CLIENT_HELLO, TLCP_ROW_SERVER_HELLO,    TLCP_ROW_SERVER_CERT, TLCP_ROW_SERVER_KEY_EXCH,
    TLCP_ROW_CERT_REQUEST, TLCP_ROW_SERVER_DONE,     TLCP_ROW_CLIENT_CERT, TLCP_ROW_CLIENT_KEY_EXCH,
    TLCP_ROW_CLIENT_CCS,   TLCP_ROW_CLIENT_FINISHED, TLCP_ROW_SERVER_CCS,  TLCP_ROW_SERVER_FINISHED,
    TLCP_ROW_END};

/* Abbreviated handshake: the server finishes first. */
static const int seq_resumed[] = {
    TLCP_ROW_CLIENT_HELLO, TLCP_ROW_SERVER_HELLO,    TLCP_ROW_SERVER_CCS, TLCP_ROW_SERVER_FINISHED,
    TLCP_ROW_CLIENT_CCS,   TLCP_ROW_CLIENT_FINISHED, TLCP_ROW_END};

/* With a ticket (RFC 5077 3.1, 3.4): the server's NewSessionTicket comes
 * right before its ChangeCipherSpec. */
static const int seq_full_ticket[] = {
    TLCP_ROW_CLIENT_HELLO,    TLCP_ROW_SERVER_HELLO,    TLCP_ROW_SERVER_CERT,
    TLCP_ROW_SERVER_KEY_EXCH, TLCP_ROW_SERVER_DONE,     TLCP_ROW_CLIENT_KEY_EXCH,
    TLCP_ROW_CLIENT_CCS,      TLCP_ROW_CLIENT_FINISHED, TLCP_ROW_NEW_SESSION_TICKET,
    TLCP_ROW_SERVER_CCS,      TLCP_ROW_SERVER_FINISHED, TLCP_ROW_END};

static const int seq_client_auth_ticket[] = {
    TLCP_ROW_CLIENT_HELLO,    TLCP_ROW_SERVER_HELLO,    TLCP_ROW_SERVER_CERT,
    TLCP_ROW_SERVER_KEY_EXCH, TLCP_ROW_CERT_REQUEST,    TLCP_ROW_SERVER_DONE,
    TLCP_ROW_CLIENT_CERT,     TLCP_ROW_CLIENT_KEY_EXCH, TLCP_ROW_CERT_VERIFY,
    TLCP_ROW_CLIENT_CCS,      TLCP_ROW_CLIENT_FINISHED, TLCP_ROW_NEW_SESSION_TICKET,
    TLCP_ROW_SERVER_CCS,      TLCP_ROW_SERVER_FINISHED, TLCP_ROW_END};

static const int seq_client_auth_no_cv_ticket[] = {
    TLCP_ROW_CLIENT_HELLO,       TLCP_ROW_SERVER_HELLO,
    TLCP_ROW_SERVER_CERT,        TLCP_ROW_SERVER_KEY_EXCH,
    TLCP_ROW_CERT_REQUEST,       TLCP_ROW_SERVER_DONE,
    TLCP_ROW_CLIENT_CERT,        TLCP_ROW_CLIENT_KEY_EXCH,
    TLCP_ROW_CLIENT_CCS,         TLCP_ROW_CLIENT_FINISHED,
    TLCP_ROW_NEW_SESSION_TICKET, TLCP_ROW_SERVER_CCS,
    TLCP_ROW_SERVER_FINISHED,    TLCP_ROW_END};

static const int seq_resumed_ticket[] = {TLCP_ROW_CLIENT_HELLO,       TLCP_ROW_SERVER_HELLO,
                                         TLCP_ROW_NEW_SESSION_TICKET, TLCP_ROW_SERVER_CCS,
                                         TLCP_ROW_SERVER_FINISHED,    TLCP_ROW_CLIENT_CCS,
                                         TLCP_ROW_CLIENT_FINISHED,    TLCP_ROW_END};

static const int *const sequences[TLCP_SEQ_COUNT] = {
    [TLCP_SEQ_FULL] = seq_full,
    [TLCP_SEQ_CLIENT_AUTH] = seq_client_auth,
    [TLCP_SEQ_CLIENT_AUTH_NO_CV] = seq_client_auth_no_cv,
    [TLCP_SEQ_RESUMED] = seq_resumed,
    [TLCP_SEQ_FULL_TICKET] = seq_full_ticket,
    [TLCP_SEQ_CLIENT_AUTH_TICKET] = seq_client_auth_ticket,
    [TLCP_SEQ_CLIENT_AUTH_NO_CV_TICKET] = seq_client_auth_no_cv_ticket,
    [TLCP_SEQ_RESUMED_TICKET] = seq_resumed_ticket,
};

/* Flags -> sequence. Resumption has no certificates at all; a "no client
 * certificate" without a request cannot happen and reads as full. The
 * ticket flag selects the same shapes with a NewSessionTicket. */
static const uint8_t seq_by_flags[TLCP_HS_F_ALL + 1] = {
    [0] = TLCP_SEQ_FULL,
    [TLCP_HS_F_NO_CLIENT_CERT] = TLCP_SEQ_FULL,
    [TLCP_HS_F_CLIENT_AUTH] = TLCP_SEQ_CLIENT_AUTH,
    [TLCP_HS_F_CLIENT_AUTH | TLCP_HS_F_NO_CLIENT_CERT] = TLCP_SEQ_CLIENT_AUTH_NO_CV,
    [TLCP_HS_F_RESUMED] = TLCP_SEQ_RESUMED,
    [TLCP_HS_F_RESUMED | TLCP_HS_F_CLIENT_AUTH] = TLCP_SEQ_RESUMED,
    [TLCP_HS_F_RESUMED | TLCP_HS_F_NO_CLIENT_CERT] = TLCP_SEQ_RESUMED,
    [TLCP_HS_F_RESUMED | TLCP_HS_F_CLIENT_AUTH | TLCP_HS_F_NO_CLIENT_CERT] = TLCP_SEQ_RESUMED,
    [TLCP_HS_F_TICKET] = TLCP_SEQ_FULL_TICKET,
    [TLCP_HS_F_TICKET | TLCP_HS_F_NO_CLIENT_CERT] = TLCP_SEQ_FULL_TICKET,
    [TLCP_HS_F_TICKET | TLCP_HS_F_CLIENT_AUTH] = TLCP_SEQ_CLIENT_AUTH_TICKET,
    [TLCP_HS_F_TICKET | TLCP_HS_F_CLIENT_AUTH | TLCP_HS_F_NO_CLIENT_CERT] =
        TLCP_SEQ_CLIENT_AUTH_NO_CV_TICKET,
    [TLCP_HS_F_TICKET | TLCP_HS_F_RESUMED] = TLCP_SEQ_RESUMED_TICKET,
    [TLCP_HS_F_TICKET | TLCP_HS_F_RESUMED | TLCP_HS_F_CLIENT_AUTH] = TLCP_SEQ_RESUMED_TICKET,
    [TLCP_HS_F_TICKET | TLCP_HS_F_RESUMED | TLCP_HS_F_NO_CLIENT_CERT] = TLCP_SEQ_RESUMED_TICKET,
    [TLCP_HS_F_TICKET | TLCP_HS_F_RESUMED | TLCP_HS_F_CLIENT_AUTH | TLCP_HS_F_NO_CLIENT_CERT] =
        TLCP_SEQ_RESUMED_TICKET,
};

int tlcp_hs_seq_for_flags(unsigned flags)
{
    flags &= TLCP_HS_F_ALL;
    return seq_by_flags[flags];
}

/* Optional messages: only the CertificateRequest today (a client learns of
 * client authentication by receiving it). */
static const tlcp_hs_optional optionals[] = {
    {TLCP_ROW_CERT_REQUEST, TLCP_HS_F_CLIENT_AUTH},
};

static int row_is(int id, uint8_t content_type, uint8_t msg_type);

const tlcp_hs_optional *tlcp_hs_optional_for(int reader, uint8_t content_type, uint8_t msg_type)
{
    for (size_t i = 0; i < sizeof(optionals) / sizeof(optionals[0]); i++) {
        const tlcp_hs_row *r = tlcp_hs_row_get(optionals[i].row);
        if (r->writer != reader && row_is(optionals[i].row, content_type, msg_type))
            return &optionals[i];
    }
    return NULL;
}

const tlcp_hs_row *tlcp_hs_unsequenced_row(int reader, uint8_t msg_type, int established)
{
    for (int id = 0; id < TLCP_ROW_COUNT; id++) {
        const tlcp_hs_row *r = &rows[id];
        if (r->when == TLCP_WHEN_SEQUENCE || r->writer == reader ||
            r->content_type != TLCP_CT_HANDSHAKE || r->msg_type != msg_type)
            continue;
        if (r->when == TLCP_WHEN_ANY || established)
            return r;
    }
    return NULL;
}

const tlcp_hs_row *tlcp_hs_row_get(int id)
{
    if (id < 0 || id >= TLCP_ROW_COUNT)
        return NULL;
    return &rows[id];
}

const int *tlcp_hs_sequence(int seq)
{
    if (seq < 0 || seq >= TLCP_SEQ_COUNT)
        return NULL;
    return sequences[seq];
}

int tlcp_hs_seq_row(int seq, size_t pos)
{
    const int *s = tlcp_hs_sequence(seq);
    if (s == NULL)
        return TLCP_ROW_END;
    for (size_t i = 0; i < pos; i++)
        if (s[i] == TLCP_ROW_END)
            return TLCP_ROW_END;
    return s[pos];
}

static int row_is(int id, uint8_t content_type, uint8_t msg_type)
{
    const tlcp_hs_row *r = tlcp_hs_row_get(id);
    if (r == NULL || r->content_type != content_type)
        return 0;
    return content_type != TLCP_CT_HANDSHAKE || r->msg_type == msg_type;
}

static int same_prefix(int a, int b, size_t pos)
{
    for (size_t i = 0; i < pos; i++)
        if (tlcp_hs_seq_row(a, i) != tlcp_hs_seq_row(b, i))
            return 0;
    return 1;
}

int tlcp_hs_seq_alternative(int seq, size_t pos, uint8_t content_type, uint8_t msg_type)
{
    for (int s = 0; s < TLCP_SEQ_COUNT; s++) {
        if (s == seq || !same_prefix(seq, s, pos))
            continue;
        if (row_is(tlcp_hs_seq_row(s, pos), content_type, msg_type))
            return s;
    }
    return -1;
}
