/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The handshake driver: the design trace's state machine with the protocol
 * taken from table.c.
 *
 * Message flow alternates between writing and reading. The write
 * sub-machine runs transition -> pre-work -> send -> post-work for each
 * outgoing message; the read sub-machine runs header -> body ->
 * post-process for each incoming one. The record layer gathers whole
 * handshake messages (reassembly, splitting, size limit before buffering),
 * so header and body arrive together; the driver still reports both phases.
 * The only stage that can suspend today is the flush after the last
 * message of a flight (WORK_MORE_B); a WANT_* result returns to the caller
 * and the next call resumes at the same stage, so nothing is built or sent
 * twice. Handlers never do I/O and never move the state: only this file
 * does.
 */
#include <stdlib.h>
#include <string.h>

#include "conn_internal.h"
#include "handshake/handshake.h"
#include "handshake/messages.h"
#include "handshake/table.h"
#include "handshake/trace_fields.h"
#include "util/mem.h"

tlcp_hs *tlcp_hs_new(tlcp_error *err)
{
    tlcp_hs *hs = calloc(1, sizeof(*hs));
    if (hs == NULL) {
        TLCP_ERR(err, TLCP_R_ALLOC, "out of memory allocating the handshake state");
        return NULL;
    }
    hs->state = -1;
    if (!tlcp_transcript_init(&hs->transcript, err)) {
        free(hs);
        return NULL;
    }
    return hs;
}

void tlcp_hs_free(tlcp_hs *hs)
{
    if (hs == NULL)
        return;
    tlcp_transcript_cleanup(&hs->transcript);
    tlcp_pkey_free(hs->peer_sign_key);
    tlcp_pkey_free(hs->peer_enc_key);
    tlcp_pkey_free(hs->eph_key);
    tlcp_pkey_free(hs->peer_eph_key);
    tlcp_free_secret(hs, sizeof(*hs)); /* pre-master and master secret */
}

static int my_role(const tlcp_conn *conn)
{
    return conn->is_server ? TLCP_SERVER : TLCP_CLIENT;
}

static const char *row_state_name(const tlcp_conn *conn, int id)
{
    const tlcp_hs_row *row = tlcp_hs_row_get(id);
    if (row == NULL)
        return TLCP_STATE_BEFORE_NAME;
    return row->writer == my_role(conn) ? row->write_name : row->read_name;
}

const char *tlcp_hs_state_name(const tlcp_conn *conn)
{
    if (conn->hs == NULL)
        return conn->phase == TLCP_PHASE_ESTABLISHED ? TLCP_STATE_OK_NAME : TLCP_STATE_BEFORE_NAME;
    if (conn->hs->flow == TLCP_FLOW_FINISHED)
        return TLCP_STATE_OK_NAME;
    return row_state_name(conn, conn->hs->state);
}

/* The sequence the flags learnt so far select. */
static int choose_sequence(const tlcp_conn *conn)
{
    const tlcp_hs *hs = conn->hs;
    if (hs->resumed)
        return TLCP_SEQ_RESUMED;
    if (!hs->cert_requested)
        return TLCP_SEQ_FULL;
    if (!conn->is_server)
        return hs->send_client_cert ? TLCP_SEQ_CLIENT_AUTH : TLCP_SEQ_CLIENT_AUTH_NO_CV;
    if (hs->peer_cert_seen && !hs->peer_sent_cert)
        return TLCP_SEQ_CLIENT_AUTH_NO_CV;
    return TLCP_SEQ_CLIENT_AUTH;
}

static const tlcp_hs_row *current_row(const tlcp_conn *conn)
{
    return tlcp_hs_row_get(tlcp_hs_seq_row(conn->hs->seq, conn->hs->pos));
}

static void trace_transition(tlcp_conn *conn, const char *phase, int new_state)
{
    tlcp_conn_trace(conn, "%s: %s -> %s", phase, tlcp_hs_state_name(conn),
                    row_state_name(conn, new_state));
    conn->hs->state = new_state;
}

/* Handshake complete: the state becomes TLS_ST_OK and the secrets go. */
/* Sessions: the server caches a full handshake's (without client
 * certificates); the client keeps one to offer next time. */
static void remember_session(tlcp_conn *conn)
{
    tlcp_hs *hs = conn->hs;
    conn->reused = hs->resumed;
    if (hs->session_id_len != TLCP_SESSION_ID_LEN)
        return;
    if (conn->is_server) {
        if (conn->cfg->sessions != NULL && !hs->resumed && !hs->peer_sent_cert)
            tlcp_session_cache_store(conn->cfg->sessions, hs->session_id, hs->suite, hs->master,
                                     conn->sni);
        return;
    }
    tlcp_session_free(conn->established);
    if (hs->resumed) {
        conn->established = tlcp_session_up_ref(conn->offer);
        return;
    }
    /* Bound to the host name we checked and the real outcome of the checks. */
    tlcp_session *s = tlcp_session_new(hs->session_id, hs->suite, hs->master, conn->peer_cert);
    if (s != NULL && !tlcp_session_bind_peer(s, conn->cfg->host_name, hs->peer_verified)) {
        tlcp_session_free(s);
        s = NULL; /* out of memory: nothing to resume later */
    }
    if (s != NULL && hs->peer_verify_overridden)
        tlcp_session_mark_overridden(s, hs->peer_verify_reason);
    conn->established = s;
}

static void finish_handshake(tlcp_conn *conn)
{
    remember_session(conn);
    tlcp_conn_trace(conn, "handshake done: %s -> %s", tlcp_hs_state_name(conn), TLCP_STATE_OK_NAME);
    conn->hs->flow = TLCP_FLOW_FINISHED;
    conn->phase = TLCP_PHASE_ESTABLISHED;
}

/* After a message: move to the next row and pick the flow direction. */
static void advance(tlcp_conn *conn)
{
    tlcp_hs *hs = conn->hs;
    hs->pos++;
    hs->seq = choose_sequence(conn);
    const tlcp_hs_row *next = current_row(conn);
    if (next == NULL) {
        finish_handshake(conn);
        return;
    }
    int writing = next->writer == my_role(conn);
    if (writing && hs->flow == TLCP_FLOW_READING)
        tlcp_conn_trace(conn, "MSG_FLOW_WRITING");
    else if (!writing && hs->flow == TLCP_FLOW_WRITING)
        tlcp_conn_trace(conn, "MSG_FLOW_READING");
    hs->flow = writing ? TLCP_FLOW_WRITING : TLCP_FLOW_READING;
    hs->write_state = TLCP_WRITE_TRANSITION;
    hs->read_state = TLCP_READ_HEADER;
    hs->work = TLCP_WORK_MORE_A;
}

/* 1 when the message after the current one is not ours to write. */
static int flight_ends(tlcp_conn *conn)
{
    tlcp_hs *hs = conn->hs;
    hs->pos++;
    int seq = hs->seq;
    hs->seq = choose_sequence(conn);
    const tlcp_hs_row *next = current_row(conn);
    hs->pos--;
    hs->seq = seq;
    return next == NULL || next->writer != my_role(conn);
}

static void emit_trace_line(void *arg, const char *line)
{
    tlcp_conn_trace((tlcp_conn *)arg, "%s", line);
}

static void trace_message(tlcp_conn *conn, int sending, const uint8_t *msg, size_t len)
{
    if (!tlcp_conn_tracing(conn))
        return;
    tlcp_trace_msg_ctx ctx = {conn->is_server, sending, conn->hs->suite};
    tlcp_trace_message(&ctx, msg, len, emit_trace_line, conn);
}

/* Builds header + body, hashes it, queues it as one record. */
static int send_handshake_message(tlcp_conn *conn, const tlcp_hs_row *row)
{
    tlcp_builder b;
    tlcp_builder body;
    ENSURE_ALERT(tlcp_builder_init(&b, 512, TLCP_HANDSHAKE_HEADER_LEN + (1u << 24) - 1), &conn->err,
                 TLCP_R_ALLOC, TLCP_ALERT_INTERNAL_ERROR, "out of memory");
    int ok = tlcp_builder_add_u8(&b, row->msg_type) && tlcp_builder_open_u24(&b, &body);
    ok = ok && row->construct(conn, &body);
    ok = ok && tlcp_builder_flush(&b);
    if (!ok) {
        tlcp_builder_cleanup(&b);
        TLCP_ERR_ALERT(&conn->err, TLCP_R_INTERNAL, TLCP_ALERT_INTERNAL_ERROR, "cannot build %s",
                       row->label);
        return 0;
    }
    const uint8_t *msg = tlcp_builder_data(&b);
    size_t len = tlcp_builder_len(&b);
    trace_message(conn, 1, msg, len);
    ok = tlcp_transcript_update(&conn->hs->transcript, msg, len, &conn->err);
    if (ok && !tlcp_record_write(conn->rl, TLCP_CT_HANDSHAKE, msg, len)) {
        tlcp_conn_take_record_error(conn);
        ok = 0;
    }
    tlcp_builder_cleanup(&b);
    return ok;
}

static int send_message(tlcp_conn *conn, const tlcp_hs_row *row)
{
    if (row->content_type == TLCP_CT_CHANGE_CIPHER_SPEC) {
        tlcp_conn_trace(conn, "%s wrote change_cipher_spec, 1 byte: 01",
                        conn->is_server ? "server" : "client");
        if (!tlcp_record_write_ccs(conn->rl)) {
            tlcp_conn_take_record_error(conn);
            return 0;
        }
        return 1;
    }
    return send_handshake_message(conn, row);
}

/* One step of the write sub-machine. */
static tlcp_result write_step(tlcp_conn *conn)
{
    tlcp_hs *hs = conn->hs;
    const tlcp_hs_row *row = current_row(conn);
    switch (hs->write_state) {
    case TLCP_WRITE_TRANSITION:
        trace_transition(conn, "WRITE_STATE_TRANSITION", tlcp_hs_seq_row(hs->seq, hs->pos));
        hs->write_state = TLCP_WRITE_PRE_WORK;
        hs->work = TLCP_WORK_MORE_A;
        return TLCP_OK;
    case TLCP_WRITE_PRE_WORK:
        tlcp_conn_trace(conn, "WRITE_STATE_PRE_WORK: %s", row->write_name);
        if (row->pre_work != NULL && !row->pre_work(conn))
            return TLCP_ERROR;
        hs->write_state = TLCP_WRITE_SEND;
        return TLCP_OK;
    case TLCP_WRITE_SEND:
        tlcp_conn_trace(conn, "WRITE_STATE_SEND: %s", row->write_name);
        if (!send_message(conn, row))
            return TLCP_ERROR;
        hs->write_state = TLCP_WRITE_POST_WORK;
        hs->work = TLCP_WORK_MORE_A;
        return TLCP_OK;
    case TLCP_WRITE_POST_WORK:
        if (hs->work == TLCP_WORK_MORE_A) {
            tlcp_conn_trace(conn, "WRITE_STATE_POST_WORK: %s", row->write_name);
            if (row->post_work != NULL && !row->post_work(conn))
                return TLCP_ERROR;
            hs->work = TLCP_WORK_MORE_B;
        }
        if (hs->work == TLCP_WORK_MORE_B && flight_ends(conn)) {
            tlcp_result r = tlcp_record_flush(conn->rl);
            if (r == TLCP_WANT_READ || r == TLCP_WANT_WRITE)
                return r;
            if (r != TLCP_OK) {
                tlcp_conn_take_record_error(conn);
                return TLCP_ERROR;
            }
            tlcp_conn_trace(conn, "flushed the flight");
        }
        hs->work = TLCP_WORK_FINISHED;
        advance(conn);
        return TLCP_OK;
    default:
        TLCP_ERR_ALERT(&conn->err, TLCP_R_INTERNAL, TLCP_ALERT_INTERNAL_ERROR, "bad write state %d",
                       hs->write_state);
        return TLCP_ERROR;
    }
}

static int item_content_type(const tlcp_record_item *item)
{
    switch (item->kind) {
    case TLCP_ITEM_HANDSHAKE:
        return TLCP_CT_HANDSHAKE;
    case TLCP_ITEM_CHANGE_CIPHER_SPEC:
        return TLCP_CT_CHANGE_CIPHER_SPEC;
    case TLCP_ITEM_ALERT:
        return TLCP_CT_ALERT;
    default:
        return TLCP_CT_APPLICATION_DATA;
    }
}

static int row_matches(const tlcp_hs_row *row, const tlcp_record_item *item)
{
    if (row == NULL || row->content_type != item_content_type(item))
        return 0;
    return item->kind != TLCP_ITEM_HANDSHAKE || row->msg_type == item->hs_type;
}

static const char *item_name(const tlcp_record_item *item)
{
    switch (item->kind) {
    case TLCP_ITEM_HANDSHAKE:
        return tlcp_hs_type_name(item->hs_type);
    case TLCP_ITEM_CHANGE_CIPHER_SPEC:
        return "change_cipher_spec";
    case TLCP_ITEM_ALERT:
        return "alert";
    default:
        return "application_data";
    }
}

/* "Receive first, then decide": a message that does not fit the current
 * sequence may select another one with the same history. Only a client
 * learning of a CertificateRequest may switch today; an abbreviated
 * handshake would switch here too once sessions are cached. */
static int allowed_alternative(const tlcp_conn *conn, uint8_t content_type, uint8_t msg_type)
{
    const tlcp_hs *hs = conn->hs;
    int alt = tlcp_hs_seq_alternative(hs->seq, hs->pos, content_type, msg_type);
    if (alt == TLCP_SEQ_CLIENT_AUTH && !conn->is_server && hs->seq == TLCP_SEQ_FULL)
        return alt;
    return -1;
}

static int accept_alternative(tlcp_conn *conn, const tlcp_record_item *item)
{
    int alt = allowed_alternative(conn, (uint8_t)item_content_type(item), item->hs_type);
    if (alt < 0)
        return 0;
    conn->hs->cert_requested = 1;
    conn->hs->seq = alt;
    return 1;
}

/* Alerts during the handshake: warnings are traced and skipped, except
 * close_notify; anything fatal ends the handshake. */
static int handle_alert(tlcp_conn *conn, const tlcp_record_item *item)
{
    conn->alert_received = item->alert_description;
    tlcp_conn_trace(conn, "received %s alert %s(%u)",
                    item->alert_level == TLCP_ALERT_LEVEL_WARNING ? "warning" : "fatal",
                    tlcp_alert_string(item->alert_description), item->alert_description);
    if (item->alert_level == TLCP_ALERT_LEVEL_WARNING &&
        item->alert_description != TLCP_ALERT_CLOSE_NOTIFY)
        return 1;
    if (item->alert_description == TLCP_ALERT_CLOSE_NOTIFY)
        TLCP_ERR(&conn->err, TLCP_R_CLOSED, "peer closed the connection during the handshake");
    else
        TLCP_ERR(&conn->err, TLCP_R_PEER_ALERT, "peer sent fatal alert %s(%u) in state %s",
                 tlcp_alert_string(item->alert_description), item->alert_description,
                 tlcp_hs_state_name(conn));
    return 0;
}

static size_t row_limit(const tlcp_conn *conn, const tlcp_hs_row *row)
{
    return row->max_from_config ? conn->cfg->max_cert_list : row->max_body;
}

/* The body of a handshake message (after its 4-byte header) within the
 * row's limit. */
static int message_body(tlcp_conn *conn, const tlcp_record_item *item, const tlcp_hs_row *row,
                        tlcp_cursor *body)
{
    if (item->kind == TLCP_ITEM_HANDSHAKE) {
        ENSURE_ALERT(tlcp_cursor_skip(body, TLCP_HANDSHAKE_HEADER_LEN), &conn->err, TLCP_R_DECODE,
                     TLCP_ALERT_DECODE_ERROR, "short handshake header");
    }
    size_t limit = row_limit(conn, row);
    tlcp_conn_trace(conn, "READ_STATE_BODY: %s, %zu bytes (max %zu)", row->read_name,
                    tlcp_cursor_len(body), limit);
    ENSURE_ALERT(tlcp_cursor_len(body) <= limit, &conn->err, TLCP_R_MESSAGE_TOO_LONG,
                 TLCP_ALERT_ILLEGAL_PARAMETER, "%s of %zu bytes exceeds the limit of %zu",
                 row->label, tlcp_cursor_len(body), limit);
    return 1;
}

/* Header and body of one incoming message: check it belongs here, then
 * hand it to the row's process handler. */
static tlcp_result read_message(tlcp_conn *conn, const tlcp_record_item *item)
{
    tlcp_hs *hs = conn->hs;
    const tlcp_hs_row *row = current_row(conn);
    if (item->kind == TLCP_ITEM_HANDSHAKE && item->hs_type == TLCP_HS_HELLO_REQUEST &&
        !conn->is_server) {
        /* A HelloRequest while negotiating is ignored (TLS 1.1 7.4.1.1),
         * but not without end: that would keep this call looping. */
        if (++conn->hello_requests > TLCP_MAX_HELLO_REQUESTS) {
            TLCP_ERR_ALERT(&conn->err, TLCP_R_UNEXPECTED_MESSAGE, TLCP_ALERT_UNEXPECTED_MESSAGE,
                           "more than %d HelloRequests during the handshake",
                           TLCP_MAX_HELLO_REQUESTS);
            return TLCP_ERROR;
        }
        tlcp_conn_trace(conn, "ignoring hello_request during the handshake");
        return TLCP_OK;
    }
    if (!row_matches(row, item) && !accept_alternative(conn, item)) {
        TLCP_ERR_ALERT(&conn->err, TLCP_R_UNEXPECTED_MESSAGE, TLCP_ALERT_UNEXPECTED_MESSAGE,
                       "unexpected %s in state %s (expected %s)", item_name(item),
                       tlcp_hs_state_name(conn), row != NULL ? row->label : "nothing");
        return TLCP_ERROR;
    }
    row = current_row(conn);
    trace_transition(conn, "READ_STATE_HEADER", tlcp_hs_seq_row(hs->seq, hs->pos));

    tlcp_cursor msg = item->data;
    tlcp_cursor body = msg;
    /* (message_body returns 1/0; this function returns a tlcp_result, where
     * 0 would read as TLCP_OK) */
    if (!message_body(conn, item, row, &body))
        return TLCP_ERROR;
    if (item->kind == TLCP_ITEM_HANDSHAKE)
        trace_message(conn, 0, tlcp_cursor_data(&msg), tlcp_cursor_len(&msg));
    else /* the record layer checked the one byte */
        tlcp_conn_trace(conn, "%s read change_cipher_spec, 1 byte: 01",
                        conn->is_server ? "server" : "client");
    if (!row->process(conn, body))
        return TLCP_ERROR;
    /* The transcript gets the message only after processing: Finished and
     * CertificateVerify are checked against the hash of what came before. */
    if (item->kind == TLCP_ITEM_HANDSHAKE &&
        !tlcp_transcript_update(&hs->transcript, tlcp_cursor_data(&msg), tlcp_cursor_len(&msg),
                                &conn->err))
        return TLCP_ERROR;
    hs->read_state = TLCP_READ_POST_PROCESS;
    hs->work = TLCP_WORK_MORE_A;
    return TLCP_OK;
}

/* One step of the read sub-machine. */
static tlcp_result read_step(tlcp_conn *conn)
{
    tlcp_hs *hs = conn->hs;
    if (hs->read_state == TLCP_READ_POST_PROCESS) {
        const tlcp_hs_row *row = current_row(conn);
        tlcp_conn_trace(conn, "READ_STATE_POST_PROCESS: %s", row->read_name);
        if (row->post_process != NULL && !row->post_process(conn))
            return TLCP_ERROR;
        hs->work = TLCP_WORK_FINISHED;
        advance(conn);
        return TLCP_OK;
    }
    tlcp_record_item item;
    tlcp_result r = tlcp_record_next(conn->rl, &item);
    if (r == TLCP_WANT_READ || r == TLCP_WANT_WRITE)
        return r;
    if (r != TLCP_OK) {
        /* close_notify, end of stream, a fatal alert or a record error */
        tlcp_conn_note_record_end(conn, &item);
        TLCP_ERR(&conn->err, TLCP_R_EOF, "connection closed by the peer in state %s",
                 tlcp_hs_state_name(conn));
        return TLCP_ERROR;
    }
    if (item.kind == TLCP_ITEM_ALERT)
        return handle_alert(conn, &item) ? TLCP_OK : TLCP_ERROR;
    return read_message(conn, &item);
}

/* Largest body the record layer may buffer for a message type, asked
 * before the body arrives. A message that fits the current state gets its
 * row's limit. Any other type gets the ClientHello limit so that it arrives
 * and is rejected as unexpected_message (what it is) rather than as
 * oversized; that bounds what a peer can make us buffer to the same amount
 * a ClientHello may take anyway. */
static size_t type_limit(void *arg, uint8_t msg_type)
{
    const tlcp_conn *conn = arg;
    if (conn->hs == NULL || conn->hs->flow != TLCP_FLOW_READING)
        return msg_type == TLCP_HS_HELLO_REQUEST ? 0 : TLCP_MAX_CLIENT_HELLO;
    const tlcp_hs_row *row = current_row(conn);
    if (row != NULL && row->content_type == TLCP_CT_HANDSHAKE && row->msg_type == msg_type)
        return row_limit(conn, row);
    int alt = allowed_alternative(conn, TLCP_CT_HANDSHAKE, msg_type);
    if (alt >= 0)
        return row_limit(conn, tlcp_hs_row_get(tlcp_hs_seq_row(alt, conn->hs->pos)));
    return msg_type == TLCP_HS_HELLO_REQUEST ? 0 : TLCP_MAX_CLIENT_HELLO;
}

void tlcp_hs_install_limits(tlcp_conn *conn)
{
    tlcp_record_set_hs_limit(conn->rl, type_limit, conn);
}

tlcp_result tlcp_hs_run(tlcp_conn *conn)
{
    tlcp_hs *hs = conn->hs;
    if (!hs->started) {
        hs->started = 1;
        hs->flow = conn->is_server ? TLCP_FLOW_READING : TLCP_FLOW_WRITING;
        tlcp_conn_trace(conn, "%s start: %s, %s", conn->is_server ? "server" : "client",
                        TLCP_STATE_BEFORE_NAME,
                        conn->is_server ? "MSG_FLOW_READING" : "MSG_FLOW_WRITING");
    }
    for (;;) {
        if (hs->flow == TLCP_FLOW_FINISHED)
            return TLCP_OK;
        tlcp_result r = hs->flow == TLCP_FLOW_WRITING ? write_step(conn) : read_step(conn);
        if (r != TLCP_OK)
            return r;
    }
}
