/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tlcp_conn: the public connection API over the record layer and the
 * handshake driver. Every call works on blocking and non-blocking
 * transports: WANT_* returns to the caller, and the next call resumes
 * exactly where this one stopped.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn_internal.h"
#include "handshake/driver.h"
#include "handshake/handshake.h"
#include "handshake/messages.h"
#include "handshake/trace_fields.h"
#include "suite/suite.h"
#include "util/mem.h"

/* The connection's own trace lines go to the same sink as the handshake's. */
#define tlcp_conn_trace(conn, ...) tlcp_hs_trace(&(conn)->hc, __VA_ARGS__)

/* Failures that come from the peer or the transport get no alert back. */
static int alert_for(const tlcp_error *err)
{
    switch (err->reason) {
    case TLCP_R_PEER_ALERT:
    case TLCP_R_CLOSED:
    case TLCP_R_EOF:
    case TLCP_R_TRANSPORT:
        return TLCP_NO_ALERT;
    default:
        return err->alert == TLCP_NO_ALERT ? TLCP_ALERT_INTERNAL_ERROR : err->alert;
    }
}

tlcp_result tlcp_conn_fatal(tlcp_conn *conn)
{
    if (conn->phase == TLCP_PHASE_FAILED)
        return TLCP_ERROR;
    if (!tlcp_error_is_set(&conn->err))
        TLCP_ERR(&conn->err, TLCP_R_INTERNAL, "internal error without a recorded reason");
    conn->phase = TLCP_PHASE_FAILED;
    int alert = alert_for(&conn->err);
    tlcp_conn_trace(conn, "fatal: %s", tlcp_error_message(&conn->err));
    /* A session whose connection ended with a fatal alert (ours or the
     * peer's) is not resumed again (RFC 5246 7.2.2). */
    if (alert != TLCP_NO_ALERT || conn->err.reason == TLCP_R_PEER_ALERT)
        tlcp_hs_store_forget(&conn->hc);
    if (alert != TLCP_NO_ALERT && !conn->fatal_alert_sent) {
        /* Best effort: the connection is dead whether or not it gets out. */
        if (tlcp_record_write_alert(conn->rl, TLCP_ALERT_LEVEL_FATAL, (uint8_t)alert)) {
            conn->hc.alert_sent = alert;
            conn->fatal_alert_sent = 1;
            tlcp_conn_trace(conn, "sent fatal alert %s(%d)", tlcp_alert_string(alert), alert);
            (void)tlcp_record_flush(conn->rl);
        }
    }
    return TLCP_ERROR;
}

tlcp_conn *tlcp_conn_new(tlcp_config *cfg, int role)
{
    if (cfg == NULL || (role != TLCP_CLIENT && role != TLCP_SERVER))
        return NULL;
    tlcp_conn *conn = calloc(1, sizeof(*conn));
    if (conn == NULL)
        return NULL;
    tlcp_error_clear(&conn->err);
    int is_server = role == TLCP_SERVER;
    conn->fd = -1;
    conn->rl = tlcp_record_new_with_slot(&conn->err);
    int ok = tlcp_hs_ctx_init(&conn->hc, is_server, &conn->err);
    /* A server that accepts GmSSL 3's CertificateVerify keeps the raw
     * messages for it, and so does a client told to sign in that form. */
    int keep_raw = (is_server && (cfg->cv_accept & TLCP_CV_GMSSL3_RAW) != 0) ||
                   (!is_server && cfg->cv_form == TLCP_CV_GMSSL3_RAW);
    if (ok && keep_raw)
        ok = tlcp_transcript_keep_raw(&conn->hc.hs->transcript);
    if (conn->rl == NULL || !ok) {
        tlcp_record_free(conn->rl);
        tlcp_hs_ctx_cleanup(&conn->hc);
        free(conn);
        return NULL;
    }
    conn->cfg = tlcp_config_up_ref(cfg);
    atomic_store(&cfg->frozen, 1);
    tlcp_config_hs_view(cfg, is_server, &conn->hc.cfg);
    conn->hc.owner = conn;
    conn->hc.trace = cfg->trace;
    conn->hc.trace_arg = cfg->trace_arg;
    tlcp_hs_install_limits(&conn->hc, conn->rl);
    return conn;
}

void tlcp_conn_free(tlcp_conn *conn)
{
    if (conn == NULL)
        return;
    tlcp_hs_ctx_cleanup(&conn->hc);
    tlcp_record_free(conn->rl);
    tlcp_free_secret(conn->app_buf, conn->app_len);
    tlcp_config_free(conn->cfg);
    free(conn);
}

void tlcp_conn_set_io(tlcp_conn *conn, tlcp_read_fn read_cb, tlcp_write_fn write_cb, void *ctx)
{
    if (conn == NULL)
        return;
    tlcp_record_set_transport(conn->rl, read_cb, write_cb, ctx);
}

/* What the role needs from the config, checked when the handshake starts. */
static int check_config(tlcp_conn *conn)
{
    const tlcp_config *cfg = conn->cfg;
    int verify = conn->hc.cfg.verify_mode;
    if (conn->hc.is_server) {
        /* Pairs per name were checked when added. */
        ENSURE_ALERT(cfg->creds != NULL || cfg->num_named_pairs > 0, &conn->err, TLCP_R_CONFIG,
                     TLCP_ALERT_INTERNAL_ERROR,
                     "server needs a signing and an encryption certificate");
        if (cfg->creds != NULL)
            GUARD(tlcp_credentials_check(cfg->creds, 1, &conn->err));
        ENSURE_ALERT(verify == TLCP_VERIFY_NONE || cfg->trust != NULL, &conn->err, TLCP_R_CONFIG,
                     TLCP_ALERT_INTERNAL_ERROR,
                     "client certificates requested but no CA certificates loaded");
        return 1;
    }
    ENSURE_ALERT(verify == TLCP_VERIFY_NONE || cfg->trust != NULL, &conn->err, TLCP_R_CONFIG,
                 TLCP_ALERT_INTERNAL_ERROR,
                 "no CA certificates loaded to verify the server (or set verify mode none)");
    /* A chain to a trusted CA proves nothing about which server sent it. */
    ENSURE_ALERT(verify == TLCP_VERIFY_NONE || cfg->host_name != NULL || cfg->no_verify_name,
                 &conn->err, TLCP_R_NO_HOST_NAME, TLCP_ALERT_INTERNAL_ERROR,
                 "no host name set to check the server's certificate against "
                 "(tlcp_config_set_host_name; or tlcp_config_insecure_no_verify_name)");
    if (cfg->creds != NULL && cfg->creds->sign.cert != NULL)
        GUARD(tlcp_credentials_check(cfg->creds, 0, &conn->err));
    return 1;
}

tlcp_result tlcp_handshake(tlcp_conn *conn)
{
    if (conn == NULL)
        return TLCP_ERROR;
    switch (conn->phase) {
    case TLCP_PHASE_ESTABLISHED:
        return TLCP_OK;
    case TLCP_PHASE_CLOSED:
        return TLCP_CLOSED;
    case TLCP_PHASE_FAILED:
        return TLCP_ERROR;
    default:
        break;
    }
    if (!conn->hc.hs->started && !check_config(conn)) {
        conn->phase = TLCP_PHASE_FAILED; /* nothing was sent: no alert */
        return TLCP_ERROR;
    }
    tlcp_result r = tlcp_hs_run(&conn->hc, conn->rl);
    if (r == TLCP_ERROR)
        return tlcp_conn_fatal(conn);
    if (r == TLCP_OK) {
        conn->cert_requested = conn->hc.hs->cert_requested; /* outlives the handshake state */
        conn->phase = TLCP_PHASE_ESTABLISHED;
        tlcp_hs_ctx_end_handshake(&conn->hc);
    }
    return r;
}

/* Application data we could not hand out yet stays in app_buf. */
static size_t take_buffered(tlcp_conn *conn, uint8_t *buf, size_t len)
{
    size_t n = conn->app_len - conn->app_off;
    if (n > len)
        n = len;
    if (n > 0) /* buf may be NULL for a zero-length read */
        memcpy(buf, conn->app_buf + conn->app_off, n);
    conn->app_off += n;
    if (conn->app_off == conn->app_len) {
        tlcp_free_secret(conn->app_buf, conn->app_len);
        conn->app_buf = NULL;
        conn->app_off = conn->app_len = 0;
    }
    return n;
}

static int keep_rest(tlcp_conn *conn, const uint8_t *data, size_t len)
{
    conn->app_buf = malloc(len);
    ENSURE_ALERT(conn->app_buf != NULL, &conn->err, TLCP_R_ALLOC, TLCP_ALERT_INTERNAL_ERROR,
                 "out of memory");
    memcpy(conn->app_buf, data, len);
    conn->app_len = len;
    conn->app_off = 0;
    return 1;
}

/* Alerts after the handshake: close_notify closes, fatal fails, other
 * warnings are ignored. Returns the result to hand out, or TLCP_OK to go on. */
static tlcp_result post_handshake_alert(tlcp_conn *conn, const tlcp_record_item *item)
{
    conn->hc.alert_received = item->alert_description;
    if (item->alert_description == TLCP_ALERT_CLOSE_NOTIFY) {
        conn->phase = TLCP_PHASE_CLOSED;
        tlcp_conn_trace(conn, "received close_notify");
        return TLCP_CLOSED;
    }
    if (item->alert_level == TLCP_ALERT_LEVEL_WARNING) {
        tlcp_conn_trace(conn, "ignoring warning alert %s",
                        tlcp_alert_string(item->alert_description));
        return TLCP_OK;
    }
    TLCP_ERR(&conn->err, TLCP_R_PEER_ALERT, "peer sent fatal alert %s(%u)",
             tlcp_alert_string(item->alert_description), item->alert_description);
    return tlcp_conn_fatal(conn);
}

tlcp_result tlcp_read(tlcp_conn *conn, void *buf, size_t len, size_t *out_n)
{
    if (out_n != NULL)
        *out_n = 0;
    if (conn == NULL || out_n == NULL || (buf == NULL && len > 0))
        return TLCP_ERROR;
    tlcp_result r = tlcp_handshake(conn);
    if (r != TLCP_OK)
        return r;
    if (conn->app_buf != NULL) {
        *out_n = take_buffered(conn, buf, len);
        return TLCP_OK;
    }
    for (;;) {
        tlcp_record_item item;
        r = tlcp_record_next(conn->rl, &item);
        if (r == TLCP_WANT_READ || r == TLCP_WANT_WRITE)
            return r;
        if (r == TLCP_CLOSED && tlcp_record_error(conn->rl)->reason == TLCP_R_CLOSED) {
            conn->hc.alert_received = TLCP_ALERT_CLOSE_NOTIFY;
            conn->phase = TLCP_PHASE_CLOSED;
            tlcp_conn_trace(conn, "received close_notify");
            return TLCP_CLOSED;
        }
        if (r != TLCP_OK) {
            /* end of stream without close_notify, a fatal alert, or a record error */
            tlcp_hs_note_record_end(&conn->hc, &item);
            TLCP_ERR(&conn->err, TLCP_R_EOF, "connection closed without close_notify");
            return tlcp_conn_fatal(conn);
        }
        switch (item.kind) {
        case TLCP_ITEM_APPLICATION_DATA: {
            size_t n = tlcp_cursor_len(&item.data);
            size_t give = n < len ? n : len;
            if (give > 0)
                memcpy(buf, tlcp_cursor_data(&item.data), give);
            if (give < n && !keep_rest(conn, tlcp_cursor_data(&item.data) + give, n - give))
                return tlcp_conn_fatal(conn);
            *out_n = give;
            conn->hc.hello_requests = 0;
            return TLCP_OK;
        }
        case TLCP_ITEM_ALERT:
            r = post_handshake_alert(conn, &item);
            if (r != TLCP_OK)
                return r;
            break;
        case TLCP_ITEM_HANDSHAKE:
            if (!tlcp_hs_post_handshake(&conn->hc, conn->rl, &item))
                return tlcp_conn_fatal(conn);
            break;
        default:
            TLCP_ERR_ALERT(&conn->err, TLCP_R_UNEXPECTED_MESSAGE, TLCP_ALERT_UNEXPECTED_MESSAGE,
                           "unexpected change_cipher_spec after the handshake");
            return tlcp_conn_fatal(conn);
        }
    }
}

tlcp_result tlcp_write(tlcp_conn *conn, const void *buf, size_t len, size_t *out_n)
{
    if (out_n != NULL)
        *out_n = 0;
    if (conn == NULL || out_n == NULL || (buf == NULL && len > 0))
        return TLCP_ERROR;
    /* After the peer's close_notify the write half stays open until
     * tlcp_shutdown: a half-close, so a proxy can still deliver the answer
     * its backend sends after the client finished. */
    tlcp_result r = conn->phase == TLCP_PHASE_CLOSED ? TLCP_OK : tlcp_handshake(conn);
    if (r != TLCP_OK)
        return r;
    if (conn->sent_close_notify) {
        TLCP_ERR(&conn->err, TLCP_R_CLOSED, "write after tlcp_shutdown");
        return TLCP_ERROR;
    }
    /* A retry after WANT_WRITE reports the bytes queued by the first call;
     * reporting more than this call's len would make a caller's
     * "buf += n; len -= n" run past its buffer. */
    if (conn->write_pending > len) {
        CONN_FAIL(conn, TLCP_R_INVALID_ARGUMENT, TLCP_ALERT_INTERNAL_ERROR,
                  "tlcp_write retried with %zu bytes after a blocked write of %zu; call again "
                  "with the same arguments",
                  len, conn->write_pending);
        return tlcp_conn_fatal(conn);
    }
    if (conn->write_pending == 0 && len > 0) {
        /* Queue once; a retry after WANT_WRITE only flushes (no repeat). */
        size_t n = len < TLCP_MAX_WRITE_PER_CALL ? len : TLCP_MAX_WRITE_PER_CALL;
        if (!tlcp_record_write(conn->rl, TLCP_CT_APPLICATION_DATA, buf, n)) {
            return tlcp_conn_fatal(conn);
        }
        conn->write_pending = n;
    }
    r = tlcp_record_flush(conn->rl);
    if (r == TLCP_WANT_READ || r == TLCP_WANT_WRITE)
        return r;
    if (r != TLCP_OK)
        return tlcp_conn_fatal(conn);
    *out_n = conn->write_pending;
    conn->write_pending = 0;
    return TLCP_OK;
}

tlcp_result tlcp_shutdown(tlcp_conn *conn)
{
    if (conn == NULL)
        return TLCP_ERROR;
    if (conn->phase == TLCP_PHASE_FAILED)
        return TLCP_ERROR;
    if (!conn->sent_close_notify) {
        if (!tlcp_record_write_alert(conn->rl, TLCP_ALERT_LEVEL_WARNING, TLCP_ALERT_CLOSE_NOTIFY)) {
            return tlcp_conn_fatal(conn);
        }
        conn->sent_close_notify = 1;
        tlcp_conn_trace(conn, "sent close_notify");
    }
    tlcp_result r = tlcp_record_flush(conn->rl);
    if (r == TLCP_WANT_READ || r == TLCP_WANT_WRITE)
        return r;
    if (r != TLCP_OK) {
        conn->phase = TLCP_PHASE_FAILED;
        return TLCP_ERROR;
    }
    return TLCP_OK;
}

tlcp_session *tlcp_conn_get_session(const tlcp_conn *conn)
{
    return conn == NULL ? NULL : tlcp_session_up_ref(conn->hc.established_session);
}

tlcp_result tlcp_conn_set_session(tlcp_conn *conn, tlcp_session *session)
{
    if (conn == NULL || conn->hc.is_server || conn->hc.hs == NULL || conn->hc.hs->started)
        return TLCP_ERROR;
    tlcp_session_free(conn->hc.offer);
    conn->hc.offer = tlcp_session_up_ref(session);
    return TLCP_OK;
}

int tlcp_conn_alpn_selected(const tlcp_conn *conn, const uint8_t **out, size_t *out_len)
{
    int agreed = conn != NULL && conn->hc.alpn_len > 0;
    if (out != NULL)
        *out = agreed ? conn->hc.alpn : NULL;
    if (out_len != NULL)
        *out_len = agreed ? conn->hc.alpn_len : 0;
    return agreed;
}

int tlcp_conn_cert_requested(const tlcp_conn *conn)
{
    if (conn == NULL)
        return 0;
    return conn->hc.hs != NULL ? conn->hc.hs->cert_requested : conn->cert_requested;
}

int tlcp_conn_session_reused(const tlcp_conn *conn)
{
    return conn != NULL && conn->hc.reused;
}

const char *tlcp_conn_server_name(const tlcp_conn *conn)
{
    if (conn == NULL)
        return NULL;
    return conn->hc.is_server ? conn->hc.sni : conn->cfg->host_name;
}

int tlcp_conn_handshake_done(const tlcp_conn *conn)
{
    return conn != NULL &&
           (conn->phase == TLCP_PHASE_ESTABLISHED || conn->phase == TLCP_PHASE_CLOSED);
}

uint16_t tlcp_conn_cipher_suite(const tlcp_conn *conn)
{
    return conn == NULL ? 0 : conn->hc.suite;
}

const char *tlcp_conn_cipher_suite_name(const tlcp_conn *conn)
{
    uint16_t code = tlcp_conn_cipher_suite(conn);
    return tlcp_suite_implemented(code) ? tlcp_suite_find(code)->name : "none";
}

tlcp_result tlcp_conn_peer_cert(const tlcp_conn *conn, int which, const uint8_t **out_der,
                                size_t *out_len)
{
    if (out_der != NULL)
        *out_der = NULL;
    if (out_len != NULL)
        *out_len = 0;
    if (conn == NULL || out_der == NULL || out_len == NULL || which < 0 || which > 1 ||
        conn->hc.peer_cert[which] == NULL)
        return TLCP_ERROR;
    tlcp_cert_der(conn->hc.peer_cert[which], out_der, out_len);
    return TLCP_OK;
}

tlcp_result tlcp_conn_peer_cert_pem(const tlcp_conn *conn, int which, char *out, size_t cap,
                                    size_t *out_len)
{
    if (conn == NULL || out_len == NULL || which < 0 || which > 1 ||
        conn->hc.peer_cert[which] == NULL)
        return TLCP_ERROR;
    char *pem = NULL;
    size_t len = 0;
    if (!tlcp_cert_to_pem(conn->hc.peer_cert[which], &pem, &len, NULL))
        return TLCP_ERROR;
    *out_len = len;
    tlcp_result r = TLCP_ERROR;
    if (out != NULL && cap > len) {
        memcpy(out, pem, len + 1);
        r = TLCP_OK;
    }
    free(pem);
    return r;
}

const char *tlcp_conn_peer_subject(const tlcp_conn *conn, int which)
{
    if (conn == NULL || which < 0 || which > 1 || conn->hc.peer_cert[which] == NULL)
        return NULL;
    return tlcp_cert_subject(conn->hc.peer_cert[which]);
}

const char *tlcp_conn_error(const tlcp_conn *conn)
{
    return conn == NULL ? "no connection" : tlcp_error_message(&conn->err);
}

int tlcp_conn_error_reason(const tlcp_conn *conn)
{
    return conn == NULL ? TLCP_R_INVALID_ARGUMENT : conn->err.reason;
}

int tlcp_conn_alert_sent(const tlcp_conn *conn)
{
    return conn == NULL ? -1 : conn->hc.alert_sent;
}

int tlcp_conn_alert_received(const tlcp_conn *conn)
{
    return conn == NULL ? -1 : conn->hc.alert_received;
}

tlcp_result tlcp_conn_session_lookup_done(tlcp_conn *conn, const uint8_t *data, size_t len)
{
    if (conn == NULL)
        return TLCP_ERROR;
    if (tlcp_hs_store_answer(&conn->hc, data, len) != TLCP_OK) {
        /* Not the connection's error slot: a late or doubled answer does
         * not fail the connection. */
        tlcp_conn_trace(conn, "session lookup answer with no lookup waiting: ignored");
        return TLCP_ERROR;
    }
    return TLCP_OK;
}
