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
 * The stages that can suspend are the flush after the last message of a
 * flight (WORK_MORE_B) and the pre-work, post-work and post-process
 * handlers, which may answer "pending" for a delegated private-key
 * operation (key_op.h: TLCP_WANT_KEY_OPERATION); a WANT_* result returns to the caller
 * and the next call resumes at the same stage, so nothing is built or sent
 * twice. Handlers never do I/O, never move the state and never touch the
 * record layer: only this file does, including what a handler asks for in
 * the status it returns (install keys, switch keys, send a warning).
 */
#include <stdlib.h>
#include <string.h>

#include "handshake/driver.h"
#include "handshake/handlers.h"
#include "handshake/handshake.h"
#include "handshake/key_op.h"
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
    if (hs->new_ticket != NULL)
        tlcp_free_secret(hs->new_ticket, hs->new_ticket_len);
    tlcp_pkey_free(hs->peer_sign_key);
    tlcp_pkey_free(hs->peer_enc_key);
    tlcp_pkey_free(hs->eph_key);
    tlcp_pkey_free(hs->peer_eph_key);
    tlcp_hs_key_op_free(hs->key_op);
    tlcp_free_secret(hs, sizeof(*hs)); /* pre-master and master secret */
}

static int my_role(const tlcp_hs_ctx *ctx)
{
    return ctx->is_server ? TLCP_SERVER : TLCP_CLIENT;
}

static const char *row_state_name(const tlcp_hs_ctx *ctx, int id)
{
    const tlcp_hs_row *row = tlcp_hs_row_get(id);
    if (row == NULL)
        return TLCP_STATE_BEFORE_NAME;
    return row->writer == my_role(ctx) ? row->write_name : row->read_name;
}

const char *tlcp_hs_state_name(const tlcp_hs_ctx *ctx)
{
    if (ctx->hs == NULL)
        return ctx->established ? TLCP_STATE_OK_NAME : TLCP_STATE_BEFORE_NAME;
    if (ctx->hs->flow == TLCP_FLOW_FINISHED)
        return TLCP_STATE_OK_NAME;
    return row_state_name(ctx, ctx->hs->state);
}

/* The flags learnt so far (enum tlcp_hs_flag). */
static unsigned hs_flags(const tlcp_hs_ctx *ctx)
{
    const tlcp_hs *hs = ctx->hs;
    unsigned flags = 0;
    if (hs->resumed)
        flags |= TLCP_HS_F_RESUMED;
    if (hs->cert_requested)
        flags |= TLCP_HS_F_CLIENT_AUTH;
    int no_cert =
        ctx->is_server ? hs->peer_cert_seen && !hs->peer_sent_cert : !hs->send_client_cert;
    if (hs->cert_requested && no_cert)
        flags |= TLCP_HS_F_NO_CLIENT_CERT;
    if (hs->ticket)
        flags |= TLCP_HS_F_TICKET;
    return flags;
}

/* The sequence the flags learnt so far select. */
static int choose_sequence(const tlcp_hs_ctx *ctx)
{
    return tlcp_hs_seq_for_flags(hs_flags(ctx));
}

static const tlcp_hs_row *current_row(const tlcp_hs_ctx *ctx)
{
    return tlcp_hs_row_get(tlcp_hs_seq_row(ctx->hs->seq, ctx->hs->pos));
}

static void trace_transition(tlcp_hs_ctx *ctx, const char *phase, int new_state)
{
    tlcp_hs_trace(ctx, "%s: %s -> %s", phase, tlcp_hs_state_name(ctx),
                  row_state_name(ctx, new_state));
    ctx->hs->state = new_state;
}

/* The server caches a full handshake's session (without client
 * certificates) once the client's Finished is verified and before its own
 * Finished goes out: a client that reconnects the moment it has that
 * Finished must find the session, even on another thread of the server
 * that runs before this one returns from the flush. */
static void store_server_session(tlcp_hs_ctx *ctx)
{
    const tlcp_hs *hs = ctx->hs;
    if (hs->session_id_len == TLCP_SESSION_ID_LEN && !hs->resumed && !hs->peer_sent_cert)
        tlcp_hs_store_new(ctx);
}

/* Handshake complete: the state becomes TLS_ST_OK and the secrets go. */
/* Sessions: the client keeps one to offer next time. */
static void remember_session(tlcp_hs_ctx *ctx)
{
    tlcp_hs *hs = ctx->hs;
    ctx->reused = hs->resumed;
    if (!ctx->is_server && hs->got_ticket) {
        if (hs->resumed)
            tlcp_hs_note_resumed_verify(ctx, ctx->offer);
        tlcp_session_free(ctx->established_session);
        ctx->established_session = tlcp_hs_ticket_client_session(ctx);
        return;
    }
    if (hs->session_id_len != TLCP_SESSION_ID_LEN || ctx->is_server)
        return; /* the server stored its session before its Finished left */
    tlcp_session_free(ctx->established_session);
    if (hs->resumed) {
        tlcp_hs_note_resumed_verify(ctx, ctx->offer);
        ctx->established_session = tlcp_session_up_ref(ctx->offer);
        return;
    }
    /* Bound to the host name we checked and the real outcome of the checks. */
    tlcp_session *s = tlcp_session_new(hs->session_id, hs->suite, hs->master, ctx->peer_cert);
    if (s != NULL && !tlcp_session_bind_peer(s, ctx->cfg.host_name, hs->peer_verified)) {
        tlcp_session_free(s);
        s = NULL; /* out of memory: nothing to resume later */
    }
    if (s != NULL && hs->peer_verify_overridden)
        tlcp_session_mark_overridden(s, hs->peer_verify_reason);
    ctx->established_session = s;
}

static void finish_handshake(tlcp_hs_ctx *ctx)
{
    remember_session(ctx);
    tlcp_hs_trace(ctx, "handshake done: %s -> %s", tlcp_hs_state_name(ctx), TLCP_STATE_OK_NAME);
    ctx->hs->flow = TLCP_FLOW_FINISHED;
    ctx->established = 1;
}

/* After a message: move to the next row and pick the flow direction. */
static void advance(tlcp_hs_ctx *ctx)
{
    tlcp_hs *hs = ctx->hs;
    hs->pos++;
    hs->seq = choose_sequence(ctx);
    const tlcp_hs_row *next = current_row(ctx);
    if (next == NULL) {
        finish_handshake(ctx);
        return;
    }
    int writing = next->writer == my_role(ctx);
    if (writing && hs->flow == TLCP_FLOW_READING)
        tlcp_hs_trace(ctx, "MSG_FLOW_WRITING");
    else if (!writing && hs->flow == TLCP_FLOW_WRITING)
        tlcp_hs_trace(ctx, "MSG_FLOW_READING");
    hs->flow = writing ? TLCP_FLOW_WRITING : TLCP_FLOW_READING;
    hs->write_state = TLCP_WRITE_TRANSITION;
    hs->read_state = TLCP_READ_HEADER;
    hs->work = TLCP_WORK_MORE_A;
}

/* The message after the current one (NULL: the handshake ends with it). */
static const tlcp_hs_row *next_row(tlcp_hs_ctx *ctx)
{
    tlcp_hs *hs = ctx->hs;
    hs->pos++;
    int seq = hs->seq;
    hs->seq = choose_sequence(ctx);
    const tlcp_hs_row *next = current_row(ctx);
    hs->pos--;
    hs->seq = seq;
    return next;
}

/* 1 when the message after the current one is not ours to write. */
static int flight_ends(tlcp_hs_ctx *ctx)
{
    const tlcp_hs_row *next = next_row(ctx);
    return next == NULL || next->writer != my_role(ctx);
}

static void emit_trace_line(void *arg, const char *line)
{
    tlcp_hs_trace((const tlcp_hs_ctx *)arg, "%s", line);
}

static void trace_message(tlcp_hs_ctx *ctx, int sending, const uint8_t *msg, size_t len)
{
    if (!tlcp_hs_tracing(ctx))
        return;
    tlcp_trace_msg_ctx tctx = {ctx->is_server, sending, ctx->hs->suite};
    tlcp_trace_message(&tctx, msg, len, emit_trace_line, ctx);
}

/* Installs the keys a handler cut (ours for writing, the peer's for reading). */
static int install_pending_keys(tlcp_hs_ctx *ctx, tlcp_record_layer *rl)
{
    tlcp_record_keys *keys = ctx->hs->pending_keys;
    const tlcp_record_keys *mine = ctx->is_server ? &keys[1] : &keys[0];
    const tlcp_record_keys *peer = ctx->is_server ? &keys[0] : &keys[1];
    int ok = tlcp_record_set_pending_write(rl, mine) && tlcp_record_set_pending_read(rl, peer);
    tlcp_wipe(ctx->hs->pending_keys, sizeof(ctx->hs->pending_keys));
    return ok;
}

static int refuse_renegotiation(tlcp_hs_ctx *ctx, tlcp_record_layer *rl)
{
    GUARD(tlcp_record_write_alert(rl, TLCP_ALERT_LEVEL_WARNING, TLCP_ALERT_NO_RENEGOTIATION));
    ctx->alert_sent = TLCP_ALERT_NO_RENEGOTIATION;
    (void)tlcp_record_flush(rl); /* a WANT_WRITE leaves it queued */
    return 1;
}

/* Carries out what a handler's status asks for; 1/0. Record-layer failures
 * are in the shared error slot already. */
int tlcp_hs_apply(tlcp_hs_ctx *ctx, tlcp_record_layer *rl, tlcp_status s)
{
    if (!tlcp_is_ok(s))
        return 0;
    if ((s.v & TLCP_HS_DO_INSTALL_KEYS) != 0)
        GUARD(install_pending_keys(ctx, rl));
    if ((s.v & TLCP_HS_DO_ACTIVATE_WRITE) != 0) {
        GUARD(tlcp_record_activate_write(rl));
        tlcp_hs_trace(ctx, "key schedule: write keys active, write sequence number reset");
    }
    if ((s.v & TLCP_HS_DO_ACTIVATE_READ) != 0) {
        GUARD(tlcp_record_activate_read(rl));
        tlcp_hs_trace(ctx, "key schedule: read keys active, read sequence number reset");
    }
    if ((s.v & TLCP_HS_DO_REFUSE_RENEGOTIATION) != 0)
        GUARD(refuse_renegotiation(ctx, rl));
    return 1;
}

/* A pre-work, post-work or post-process handler: a pending delegated key
 * operation returns to the caller with the state unchanged, so the next call
 * runs the same handler again (key_op.h). */
static tlcp_result run_work(tlcp_hs_ctx *ctx, tlcp_record_layer *rl,
                            tlcp_status (*handler)(tlcp_hs_ctx *))
{
    if (handler == NULL)
        return TLCP_OK;
    tlcp_status s = handler(ctx);
    if (tlcp_hs_is_pending(s))
        return TLCP_WANT_KEY_OPERATION;
    return tlcp_hs_apply(ctx, rl, s) ? TLCP_OK : TLCP_ERROR;
}

/* Builds header + body, hashes it, queues it as one record. */
static int send_handshake_message(tlcp_hs_ctx *ctx, tlcp_record_layer *rl, const tlcp_hs_row *row)
{
    tlcp_builder b;
    tlcp_builder body;
    ENSURE_ALERT(tlcp_builder_init(&b, 512, TLCP_HANDSHAKE_HEADER_LEN + (1u << 24) - 1), ctx->err,
                 TLCP_R_ALLOC, TLCP_ALERT_INTERNAL_ERROR, "out of memory");
    int ok = tlcp_builder_add_u8(&b, row->msg_type) && tlcp_builder_open_u24(&b, &body);
    ok = ok && tlcp_hs_apply(ctx, rl, row->construct(ctx, &body));
    ok = ok && tlcp_builder_flush(&b);
    if (!ok) {
        tlcp_builder_cleanup(&b);
        TLCP_ERR_ALERT(ctx->err, TLCP_R_INTERNAL, TLCP_ALERT_INTERNAL_ERROR, "cannot build %s",
                       row->label);
        return 0;
    }
    const uint8_t *msg = tlcp_builder_data(&b);
    size_t len = tlcp_builder_len(&b);
    trace_message(ctx, 1, msg, len);
    ok = tlcp_transcript_update(&ctx->hs->transcript, msg, len, ctx->err);
    ok = ok && tlcp_record_write(rl, TLCP_CT_HANDSHAKE, msg, len);
    tlcp_builder_cleanup(&b);
    return ok;
}

static int send_message(tlcp_hs_ctx *ctx, tlcp_record_layer *rl, const tlcp_hs_row *row)
{
    if (row->content_type == TLCP_CT_CHANGE_CIPHER_SPEC) {
        tlcp_hs_trace(ctx, "%s wrote change_cipher_spec, 1 byte: 01",
                      ctx->is_server ? "server" : "client");
        return tlcp_record_write_ccs(rl);
    }
    return send_handshake_message(ctx, rl, row);
}

/* One step of the write sub-machine. */
static tlcp_result write_step(tlcp_hs_ctx *ctx, tlcp_record_layer *rl)
{
    tlcp_hs *hs = ctx->hs;
    const tlcp_hs_row *row = current_row(ctx);
    switch (hs->write_state) {
    case TLCP_WRITE_TRANSITION:
        trace_transition(ctx, "WRITE_STATE_TRANSITION", tlcp_hs_seq_row(hs->seq, hs->pos));
        hs->write_state = TLCP_WRITE_PRE_WORK;
        hs->work = TLCP_WORK_MORE_A;
        return TLCP_OK;
    case TLCP_WRITE_PRE_WORK: {
        tlcp_hs_trace(ctx, "WRITE_STATE_PRE_WORK: %s", row->write_name);
        tlcp_result r = run_work(ctx, rl, row->pre_work);
        if (r != TLCP_OK)
            return r;
        hs->write_state = TLCP_WRITE_SEND;
        return TLCP_OK;
    }
    case TLCP_WRITE_SEND:
        tlcp_hs_trace(ctx, "WRITE_STATE_SEND: %s", row->write_name);
        if (!send_message(ctx, rl, row))
            return TLCP_ERROR;
        hs->write_state = TLCP_WRITE_POST_WORK;
        hs->work = TLCP_WORK_MORE_A;
        return TLCP_OK;
    case TLCP_WRITE_POST_WORK:
        if (hs->work == TLCP_WORK_MORE_A) {
            tlcp_hs_trace(ctx, "WRITE_STATE_POST_WORK: %s", row->write_name);
            tlcp_result w = run_work(ctx, rl, row->post_work);
            if (w != TLCP_OK)
                return w;
            hs->work = TLCP_WORK_MORE_B;
            if (ctx->is_server && next_row(ctx) == NULL)
                store_server_session(ctx); /* queued, not yet flushed */
        }
        if (hs->work == TLCP_WORK_MORE_B && flight_ends(ctx)) {
            tlcp_result r = tlcp_record_flush(rl);
            if (r == TLCP_WANT_READ || r == TLCP_WANT_WRITE)
                return r;
            if (r != TLCP_OK)
                return TLCP_ERROR;
            tlcp_hs_trace(ctx, "flushed the flight");
        }
        hs->work = TLCP_WORK_FINISHED;
        advance(ctx);
        return TLCP_OK;
    default:
        TLCP_ERR_ALERT(ctx->err, TLCP_R_INTERNAL, TLCP_ALERT_INTERNAL_ERROR, "bad write state %d",
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

/* "Receive first, then decide": an optional message (the table's
 * optionals) that does not fit the current sequence adds its flag; the
 * sequence those flags select must have it here, after the same history. */
static int optional_sequence(const tlcp_hs_ctx *ctx, uint8_t content_type, uint8_t msg_type,
                             unsigned *flag)
{
    const tlcp_hs *hs = ctx->hs;
    const tlcp_hs_optional *opt = tlcp_hs_optional_for(my_role(ctx), content_type, msg_type);
    if (opt == NULL)
        return -1;
    int seq = tlcp_hs_seq_for_flags(hs_flags(ctx) | opt->flag);
    if (seq == hs->seq || tlcp_hs_seq_row(seq, hs->pos) != opt->row)
        return -1;
    for (size_t i = 0; i < hs->pos; i++)
        if (tlcp_hs_seq_row(seq, i) != tlcp_hs_seq_row(hs->seq, i))
            return -1;
    *flag = opt->flag;
    return seq;
}

/* Records what a flag means in the handshake state. */
static void learn_flag(tlcp_hs *hs, unsigned flag)
{
    if ((flag & TLCP_HS_F_CLIENT_AUTH) != 0)
        hs->cert_requested = 1;
}

static int accept_alternative(tlcp_hs_ctx *ctx, const tlcp_record_item *item)
{
    unsigned flag = 0;
    int alt = optional_sequence(ctx, (uint8_t)item_content_type(item), item->hs_type, &flag);
    if (alt < 0)
        return 0;
    learn_flag(ctx->hs, flag);
    ctx->hs->seq = alt;
    return 1;
}

/* Alerts during the handshake: warnings are traced and skipped, except
 * close_notify; anything fatal ends the handshake. */
static int handle_alert(tlcp_hs_ctx *ctx, const tlcp_record_item *item)
{
    ctx->alert_received = item->alert_description;
    tlcp_hs_trace(ctx, "received %s alert %s(%u)",
                  item->alert_level == TLCP_ALERT_LEVEL_WARNING ? "warning" : "fatal",
                  tlcp_alert_string(item->alert_description), item->alert_description);
    if (item->alert_level == TLCP_ALERT_LEVEL_WARNING &&
        item->alert_description != TLCP_ALERT_CLOSE_NOTIFY)
        return 1;
    if (item->alert_description == TLCP_ALERT_CLOSE_NOTIFY)
        TLCP_ERR(ctx->err, TLCP_R_CLOSED, "peer closed the connection during the handshake");
    else
        TLCP_ERR(ctx->err, TLCP_R_PEER_ALERT, "peer sent fatal alert %s(%u) in state %s",
                 tlcp_alert_string(item->alert_description), item->alert_description,
                 tlcp_hs_state_name(ctx));
    return 0;
}

static size_t row_limit(const tlcp_hs_ctx *ctx, const tlcp_hs_row *row)
{
    return row->max_from_config ? ctx->cfg.max_cert_list : row->max_body;
}

/* The body of a handshake message (after its 4-byte header) within the
 * row's limit. */
static int message_body(tlcp_hs_ctx *ctx, const tlcp_record_item *item, const tlcp_hs_row *row,
                        tlcp_cursor *body)
{
    if (item->kind == TLCP_ITEM_HANDSHAKE) {
        ENSURE_ALERT(tlcp_cursor_skip(body, TLCP_HANDSHAKE_HEADER_LEN), ctx->err, TLCP_R_DECODE,
                     TLCP_ALERT_DECODE_ERROR, "short handshake header");
    }
    size_t limit = row_limit(ctx, row);
    tlcp_hs_trace(ctx, "READ_STATE_BODY: %s, %zu bytes (max %zu)", row->read_name,
                  tlcp_cursor_len(body), limit);
    ENSURE_ALERT(tlcp_cursor_len(body) <= limit, ctx->err, TLCP_R_MESSAGE_TOO_LONG,
                 TLCP_ALERT_ILLEGAL_PARAMETER, "%s of %zu bytes exceeds the limit of %zu",
                 row->label, tlcp_cursor_len(body), limit);
    return 1;
}

/* A message outside the sequences: its row's handler, without a state
 * change or a transcript entry (HelloRequest is not hashed, TLS 1.1 7.4.1.1). */
static int unsequenced_message(tlcp_hs_ctx *ctx, tlcp_record_layer *rl, const tlcp_hs_row *row,
                               const tlcp_record_item *item)
{
    tlcp_cursor body = item->data;
    ENSURE_ALERT(tlcp_cursor_skip(&body, TLCP_HANDSHAKE_HEADER_LEN), ctx->err, TLCP_R_DECODE,
                 TLCP_ALERT_DECODE_ERROR, "short handshake header");
    return tlcp_hs_apply(ctx, rl, row->process(ctx, body));
}

/* Header and body of one incoming message: check it belongs here, then
 * hand it to the row's process handler. */
static tlcp_result read_message(tlcp_hs_ctx *ctx, tlcp_record_layer *rl,
                                const tlcp_record_item *item)
{
    tlcp_hs *hs = ctx->hs;
    const tlcp_hs_row *row = current_row(ctx);
    /* A message that may come at any time (HelloRequest) goes to its row. */
    if (item->kind == TLCP_ITEM_HANDSHAKE) {
        const tlcp_hs_row *any = tlcp_hs_unsequenced_row(my_role(ctx), item->hs_type, 0);
        if (any != NULL)
            return unsequenced_message(ctx, rl, any, item) ? TLCP_OK : TLCP_ERROR;
    }
    if (!row_matches(row, item) && !accept_alternative(ctx, item)) {
        TLCP_ERR_ALERT(ctx->err, TLCP_R_UNEXPECTED_MESSAGE, TLCP_ALERT_UNEXPECTED_MESSAGE,
                       "unexpected %s in state %s (expected %s)", item_name(item),
                       tlcp_hs_state_name(ctx), row != NULL ? row->label : "nothing");
        return TLCP_ERROR;
    }
    row = current_row(ctx);
    trace_transition(ctx, "READ_STATE_HEADER", tlcp_hs_seq_row(hs->seq, hs->pos));

    tlcp_cursor msg = item->data;
    tlcp_cursor body = msg;
    /* (message_body returns 1/0; this function returns a tlcp_result, where
     * 0 would read as TLCP_OK) */
    if (!message_body(ctx, item, row, &body))
        return TLCP_ERROR;
    if (item->kind == TLCP_ITEM_HANDSHAKE)
        trace_message(ctx, 0, tlcp_cursor_data(&msg), tlcp_cursor_len(&msg));
    else /* the record layer checked the one byte */
        tlcp_hs_trace(ctx, "%s read change_cipher_spec, 1 byte: 01",
                      ctx->is_server ? "server" : "client");
    if (!tlcp_hs_apply(ctx, rl, row->process(ctx, body)))
        return TLCP_ERROR;
    /* The transcript gets the message only after processing: Finished and
     * CertificateVerify are checked against the hash of what came before. */
    if (item->kind == TLCP_ITEM_HANDSHAKE &&
        !tlcp_transcript_update(&hs->transcript, tlcp_cursor_data(&msg), tlcp_cursor_len(&msg),
                                ctx->err))
        return TLCP_ERROR;
    hs->read_state = TLCP_READ_POST_PROCESS;
    hs->work = TLCP_WORK_MORE_A;
    return TLCP_OK;
}

/* One step of the read sub-machine. */
static tlcp_result read_step(tlcp_hs_ctx *ctx, tlcp_record_layer *rl)
{
    tlcp_hs *hs = ctx->hs;
    if (hs->read_state == TLCP_READ_POST_PROCESS) {
        /* The session store answers later: nothing moves until it has. */
        if (tlcp_hs_store_pending(ctx))
            return TLCP_WANT_SESSION;
        const tlcp_hs_row *row = current_row(ctx);
        tlcp_hs_trace(ctx, "READ_STATE_POST_PROCESS: %s", row->read_name);
        tlcp_result w = run_work(ctx, rl, row->post_process);
        if (w != TLCP_OK)
            return w;
        hs->work = TLCP_WORK_FINISHED;
        advance(ctx);
        return TLCP_OK;
    }
    tlcp_record_item item;
    tlcp_result r = tlcp_record_next(rl, &item);
    if (r == TLCP_WANT_READ || r == TLCP_WANT_WRITE)
        return r;
    if (r != TLCP_OK) {
        /* close_notify, end of stream, a fatal alert or a record error */
        tlcp_hs_note_record_end(ctx, &item);
        TLCP_ERR(ctx->err, TLCP_R_EOF, "connection closed by the peer in state %s",
                 tlcp_hs_state_name(ctx));
        return TLCP_ERROR;
    }
    if (item.kind == TLCP_ITEM_ALERT)
        return handle_alert(ctx, &item) ? TLCP_OK : TLCP_ERROR;
    return read_message(ctx, rl, &item);
}

/* Largest body the record layer may buffer for a message type, asked
 * before the body arrives. A message that fits the current state gets its
 * row's limit. Any other type gets the ClientHello limit so that it arrives
 * and is rejected as unexpected_message (what it is) rather than as
 * oversized; that bounds what a peer can make us buffer to the same amount
 * a ClientHello may take anyway. */
static size_t type_limit(void *arg, uint8_t msg_type)
{
    const tlcp_hs_ctx *ctx = arg;
    if (ctx->hs == NULL || ctx->hs->flow != TLCP_FLOW_READING)
        return msg_type == TLCP_HS_HELLO_REQUEST ? 0 : TLCP_MAX_CLIENT_HELLO;
    const tlcp_hs_row *row = current_row(ctx);
    if (row != NULL && row->content_type == TLCP_CT_HANDSHAKE && row->msg_type == msg_type)
        return row_limit(ctx, row);
    unsigned flag;
    int alt = optional_sequence(ctx, TLCP_CT_HANDSHAKE, msg_type, &flag);
    if (alt >= 0)
        return row_limit(ctx, tlcp_hs_row_get(tlcp_hs_seq_row(alt, ctx->hs->pos)));
    return msg_type == TLCP_HS_HELLO_REQUEST ? 0 : TLCP_MAX_CLIENT_HELLO;
}

void tlcp_hs_install_limits(tlcp_hs_ctx *ctx, tlcp_record_layer *rl)
{
    tlcp_record_set_hs_limit(rl, type_limit, ctx);
}

tlcp_result tlcp_hs_run(tlcp_hs_ctx *ctx, tlcp_record_layer *rl)
{
    tlcp_hs *hs = ctx->hs;
    if (!hs->started) {
        hs->started = 1;
        hs->flow = ctx->is_server ? TLCP_FLOW_READING : TLCP_FLOW_WRITING;
        tlcp_hs_trace(ctx, "%s start: %s, %s", ctx->is_server ? "server" : "client",
                      TLCP_STATE_BEFORE_NAME,
                      ctx->is_server ? "MSG_FLOW_READING" : "MSG_FLOW_WRITING");
    }
    for (;;) {
        if (hs->flow == TLCP_FLOW_FINISHED)
            return TLCP_OK;
        tlcp_result r = hs->flow == TLCP_FLOW_WRITING ? write_step(ctx, rl) : read_step(ctx, rl);
        if (r != TLCP_OK)
            return r;
    }
}

/* After the handshake only the rows outside the sequences apply. */
int tlcp_hs_post_handshake(tlcp_hs_ctx *ctx, tlcp_record_layer *rl, const tlcp_record_item *item)
{
    const tlcp_hs_row *row = tlcp_hs_unsequenced_row(my_role(ctx), item->hs_type, 1);
    ENSURE_ALERT(row != NULL, ctx->err, TLCP_R_UNEXPECTED_MESSAGE, TLCP_ALERT_UNEXPECTED_MESSAGE,
                 "unexpected handshake message %s after the handshake",
                 tlcp_hs_type_name(item->hs_type));
    return unsequenced_message(ctx, rl, row, item);
}
