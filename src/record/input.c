/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reading one record from the transport. The reader asks for exactly the
 * bytes it still needs (header first, then the body the header announced),
 * so any chunking of the stream works, down to one byte per call, and a
 * length is judged before a single body byte is accepted.
 */
#include "record/record_internal.h"

static int content_type_known(uint8_t type)
{
    return type == TLCP_CT_CHANGE_CIPHER_SPEC || type == TLCP_CT_ALERT ||
           type == TLCP_CT_HANDSHAKE || type == TLCP_CT_APPLICATION_DATA;
}

/* An HTTP request line ("GET /", "POST ", "OPTIONS", "PRI * ...") starts
 * with an upper-case method; no record header is made of such bytes (the
 * content types are 20-23), so a browser or curl pointed at the port is
 * named as such instead of "unknown content type 71". */
static int looks_like_http(const uint8_t hdr[TLCP_RECORD_HEADER_LEN])
{
    for (size_t i = 0; i < TLCP_RECORD_HEADER_LEN; i++) {
        uint8_t b = hdr[i];
        int upper = b >= 'A' && b <= 'Z';
        if (!(upper || (i > 0 && (b == ' ' || b == '/' || b == '*'))))
            return 0;
    }
    return 1;
}

/* Checks the 5-byte header; on success the body length is known. */
static int check_header(tlcp_record_layer *rl)
{
    tlcp_cursor c;
    uint8_t type;
    uint16_t version, length;
    tlcp_cursor_init(&c, rl->in, TLCP_RECORD_HEADER_LEN);
    ENSURE(tlcp_cursor_get_u8(&c, &type) && tlcp_cursor_get_u16(&c, &version) &&
               tlcp_cursor_get_u16(&c, &length),
           rl->err, TLCP_R_INTERNAL, "record header");

    ENSURE_ALERT(!looks_like_http(rl->in), rl->err, TLCP_R_NOT_TLCP_HTTP,
                 TLCP_ALERT_UNEXPECTED_MESSAGE, "not a TLCP record (looks like HTTP: \"%.5s\")",
                 (const char *)rl->in);
    ENSURE_ALERT(content_type_known(type), rl->err, TLCP_R_UNEXPECTED_MESSAGE,
                 TLCP_ALERT_UNEXPECTED_MESSAGE, "unknown record content type %u", type);
    /* A TLS ClientHello answered with TLCP (the 360 browser) may come in a
     * TLS record version, and so may the client's records up to its
     * ChangeCipherSpec; protected records are TLCP's. */
    int tls_ok = rl->accept_tls_versions && rl->rd.bulk == TLCP_BULK_NULL && version >= 0x0301 &&
                 version <= 0x0303;
    ENSURE_ALERT(version == TLCP_PROTOCOL_VERSION || tls_ok, rl->err, TLCP_R_PROTOCOL_VERSION,
                 TLCP_ALERT_PROTOCOL_VERSION, "record version 0x%04x is not TLCP 0x0101", version);
    size_t limit = rl->rd.bulk == TLCP_BULK_NULL ? TLCP_MAX_PLAINTEXT : TLCP_MAX_CIPHERTEXT;
    ENSURE_ALERT(length <= limit, rl->err, TLCP_R_RECORD_OVERFLOW, TLCP_ALERT_RECORD_OVERFLOW,
                 "record length %u exceeds the limit %zu", length, limit);
    rl->in_type = type;
    rl->in_need = TLCP_RECORD_HEADER_LEN + length;
    rl->in_stage = TLCP_IN_BODY;
    return 1;
}

static void start_next_record(tlcp_record_layer *rl)
{
    rl->in_have = 0;
    rl->in_need = TLCP_RECORD_HEADER_LEN;
    rl->in_stage = TLCP_IN_HEADER;
}

/* Maps a transport read result; returns TLCP_OK when bytes arrived. */
static tlcp_result read_some(tlcp_record_layer *rl)
{
    size_t want = rl->in_need - rl->in_have;
    long r = rl->read(rl->io_ctx, rl->in + rl->in_have, want);
    if (r > 0) {
        if ((size_t)r > want) {
            TLCP_ERR(rl->err, TLCP_R_TRANSPORT, "transport read returned %ld of %zu bytes", r,
                     want);
            return TLCP_ERROR;
        }
        rl->in_have += (size_t)r;
        return TLCP_OK;
    }
    if (r == TLCP_IO_WANT_READ)
        return TLCP_WANT_READ;
    if (r == TLCP_IO_WANT_WRITE)
        return TLCP_WANT_WRITE;
    if (r == 0) {
        if (rl->in_stage == TLCP_IN_HEADER && rl->in_have == 0)
            return TLCP_CLOSED; /* at a record boundary: read.c decides */
        TLCP_ERR(rl->err, TLCP_R_EOF, "stream ended inside a record (%zu of %zu bytes)",
                 rl->in_have, rl->in_need);
        return TLCP_ERROR;
    }
    TLCP_ERR(rl->err, TLCP_R_TRANSPORT, "transport read failed (%ld)", r);
    return TLCP_ERROR;
}

tlcp_result tlcp_input_fill(tlcp_record_layer *rl)
{
    if (rl->in_stage == TLCP_IN_BODY && rl->in_have == rl->in_need)
        start_next_record(rl); /* the previous record was handed up */
    if (rl->read == NULL) {
        TLCP_ERR(rl->err, TLCP_R_INVALID_ARGUMENT, "no transport set");
        return TLCP_ERROR;
    }
    for (;;) {
        if (rl->in_stage == TLCP_IN_HEADER && rl->in_have == TLCP_RECORD_HEADER_LEN) {
            if (!check_header(rl))
                return TLCP_ERROR;
        }
        if (rl->in_stage == TLCP_IN_BODY && rl->in_have == rl->in_need)
            return TLCP_OK;
        tlcp_result r = read_some(rl);
        if (r != TLCP_OK)
            return r;
    }
}

void tlcp_input_reset(tlcp_record_layer *rl)
{
    start_next_record(rl);
}
