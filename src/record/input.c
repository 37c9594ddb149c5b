/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reading records from the transport. A length is judged from the header
 * before a single body byte is accepted, and any chunking of the stream
 * works, down to one byte per call.
 *
 * Two buffers: until CBC application data arrives, the reader asks for
 * exactly the bytes it still needs (header first, then the body the header
 * announced) and keeps one record in in_fixed. From the header of the first
 * CBC application-data record on, it reads into a larger buffer, asking for
 * as much as fits: records that arrived together can then be opened
 * together (read_batch.c). That buffer is only allocated once the peer has
 * sent AHEAD_AFTER bytes. A read is only made while the current record is
 * incomplete, so a transport is never asked for bytes nobody waits for;
 * and when the buffer is empty and the transport has nothing, the larger
 * buffer is freed (an idle connection holds none).
 */
#include <stdlib.h>

#include "record/record_internal.h"
#include "util/mem.h"

/* Four largest records: a 64 KiB write sealed as 16 records fits whole. */
#define AHEAD_CAP (4 * (TLCP_RECORD_HEADER_LEN + TLCP_MAX_CIPHERTEXT))
/* Bytes a peer must have sent before the larger buffer is allocated: memory
 * beyond one record is never committed on the word of a few bytes (the fuzz
 * harnesses check allocations against the bytes that arrived). */
#define AHEAD_AFTER (AHEAD_CAP / 2)

static size_t buffered(const tlcp_record_layer *rl)
{
    return rl->in_end - rl->in_off;
}

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
    tlcp_cursor_init(&c, tlcp_input_record(rl), TLCP_RECORD_HEADER_LEN);
    ENSURE(tlcp_cursor_get_u8(&c, &type) && tlcp_cursor_get_u16(&c, &version) &&
               tlcp_cursor_get_u16(&c, &length),
           rl->err, TLCP_R_INTERNAL, "record header");

    ENSURE_ALERT(!looks_like_http(tlcp_input_record(rl)), rl->err, TLCP_R_NOT_TLCP_HTTP,
                 TLCP_ALERT_UNEXPECTED_MESSAGE, "not a TLCP record (looks like HTTP: \"%.5s\")",
                 (const char *)tlcp_input_record(rl));
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

/* Moves to the read-ahead buffer (the current header goes along); stays
 * with the fixed one if there is no memory for it. */
static void enter_read_ahead(tlcp_record_layer *rl)
{
    if (rl->in_ahead == NULL)
        rl->in_ahead = malloc(AHEAD_CAP);
    if (rl->in_ahead == NULL)
        return;
    size_t n = buffered(rl);
    tlcp_rbuf_copy(rl->in_ahead, rl->in_base + rl->in_off, n);
    tlcp_wipe(rl->in_fixed, rl->in_end);
    rl->in_base = rl->in_ahead;
    rl->in_cap = AHEAD_CAP;
    rl->in_off = 0;
    rl->in_end = n;
}

static void leave_read_ahead(tlcp_record_layer *rl)
{
    tlcp_free_secret(rl->in_ahead, AHEAD_CAP);
    rl->in_ahead = NULL;
    rl->in_base = rl->in_fixed;
    rl->in_cap = sizeof(rl->in_fixed);
    rl->in_off = rl->in_end = 0;
}

static int wants_read_ahead(const tlcp_record_layer *rl)
{
    int enough = rl->in_total >= AHEAD_AFTER || rl->read_ahead == TLCP_READ_AHEAD_NOW;
    return rl->read_ahead && enough && rl->in_base == rl->in_fixed &&
           rl->in_type == TLCP_CT_APPLICATION_DATA && rl->rd.bulk == TLCP_BULK_SM4_CBC_SM3;
}

static void start_next_record(tlcp_record_layer *rl)
{
    rl->in_need = TLCP_RECORD_HEADER_LEN;
    rl->in_stage = TLCP_IN_HEADER;
}

/* The previous record was handed up: the next one starts after it. */
static void skip_record(tlcp_record_layer *rl)
{
    rl->in_off += rl->in_need;
    if (rl->in_off == rl->in_end)
        rl->in_off = rl->in_end = 0;
    start_next_record(rl);
}

/* Keeps room for the largest record after in_off: the unread bytes move to
 * the front (records opened in a batch move with them). */
static void make_room(tlcp_record_layer *rl)
{
    size_t off = rl->in_off;
    if (off == 0 || rl->in_cap - off >= TLCP_RECORD_HEADER_LEN + TLCP_MAX_CIPHERTEXT)
        return;
    size_t n = buffered(rl);
    tlcp_rbuf_move(rl->in_base, rl->in_base + off, n);
    tlcp_wipe(rl->in_base + n, rl->in_end - n);
    for (size_t i = rl->batch_next; i < rl->batch_len; i++)
        rl->batch_off[i] -= off;
    rl->in_off = 0;
    rl->in_end = n;
}

/* Maps a transport read result; returns TLCP_OK when bytes arrived. */
static tlcp_result read_some(tlcp_record_layer *rl)
{
    size_t want;
    if (rl->in_base == rl->in_ahead) {
        make_room(rl);
        want = rl->in_cap - rl->in_end;
    } else {
        want = rl->in_off + rl->in_need - rl->in_end;
    }
    long r = rl->read(rl->io_ctx, rl->in_base + rl->in_end, want);
    if (r > 0) {
        if ((size_t)r > want) {
            TLCP_ERR(rl->err, TLCP_R_TRANSPORT, "transport read returned %ld of %zu bytes", r,
                     want);
            return TLCP_ERROR;
        }
        rl->in_end += (size_t)r;
        if (rl->in_total < AHEAD_AFTER)
            rl->in_total += (size_t)r;
        return TLCP_OK;
    }
    if (r == TLCP_IO_WANT_READ && buffered(rl) == 0 && rl->in_ahead != NULL)
        leave_read_ahead(rl); /* idle: nothing waits in the buffer */
    if (r == TLCP_IO_WANT_READ)
        return TLCP_WANT_READ;
    if (r == TLCP_IO_WANT_WRITE)
        return TLCP_WANT_WRITE;
    if (r == 0) {
        if (rl->in_stage == TLCP_IN_HEADER && buffered(rl) == 0)
            return TLCP_CLOSED; /* at a record boundary: read.c decides */
        TLCP_ERR(rl->err, TLCP_R_EOF, "stream ended inside a record (%zu of %zu bytes)",
                 buffered(rl), rl->in_need);
        return TLCP_ERROR;
    }
    TLCP_ERR(rl->err, TLCP_R_TRANSPORT, "transport read failed (%ld)", r);
    return TLCP_ERROR;
}

tlcp_result tlcp_input_fill(tlcp_record_layer *rl)
{
    if (rl->in_stage == TLCP_IN_BODY && buffered(rl) >= rl->in_need)
        skip_record(rl); /* the previous record was handed up */
    if (rl->read == NULL) {
        TLCP_ERR(rl->err, TLCP_R_INVALID_ARGUMENT, "no transport set");
        return TLCP_ERROR;
    }
    for (;;) {
        if (rl->in_stage == TLCP_IN_HEADER && buffered(rl) >= TLCP_RECORD_HEADER_LEN) {
            if (!check_header(rl))
                return TLCP_ERROR;
            if (wants_read_ahead(rl))
                enter_read_ahead(rl);
        }
        if (rl->in_stage == TLCP_IN_BODY && buffered(rl) >= rl->in_need)
            return TLCP_OK;
        tlcp_result r = read_some(rl);
        if (r != TLCP_OK)
            return r;
    }
}

void tlcp_input_reset(tlcp_record_layer *rl)
{
    leave_read_ahead(rl);
    rl->batch_len = rl->batch_next = 0;
    start_next_record(rl);
}

void tlcp_input_free(tlcp_record_layer *rl)
{
    leave_read_ahead(rl);
}
