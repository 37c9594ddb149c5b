/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Writing: every record is framed and protected straight into the output
 * queue, so a WANT_WRITE from the transport only delays the bytes; a later
 * tlcp_record_flush() continues exactly where the transport stopped.
 */
#include "record/record_internal.h"

static int content_type_valid(uint8_t type)
{
    return type == TLCP_CT_CHANGE_CIPHER_SPEC || type == TLCP_CT_ALERT ||
           type == TLCP_CT_HANDSHAKE || type == TLCP_CT_APPLICATION_DATA;
}

void tlcp_output_put_header(uint8_t *at, uint8_t type, size_t frag_len)
{
    tlcp_builder b;
    tlcp_builder_init_fixed(&b, at, TLCP_RECORD_HEADER_LEN);
    /* a fixed 5-byte buffer and a length below 2^16: cannot fail */
    int ok = tlcp_builder_add_u8(&b, type) && tlcp_builder_add_u16(&b, TLCP_PROTOCOL_VERSION) &&
             tlcp_builder_add_u16(&b, (uint16_t)frag_len);
    (void)ok;
}

int tlcp_output_record(tlcp_record_layer *rl, uint8_t type, const uint8_t *data, size_t len)
{
    ENSURE(len <= TLCP_MAX_PLAINTEXT, rl->err, TLCP_R_INTERNAL, "record fragment too long");
    size_t reserved = TLCP_RECORD_HEADER_LEN + tlcp_record_overhead(&rl->wr) + len;
    uint8_t *rec;
    ENSURE_ALERT(tlcp_rbuf_reserve(&rl->out, reserved, &rec), rl->err, TLCP_R_ALLOC,
                 TLCP_ALERT_INTERNAL_ERROR, "output queue cannot take %zu more bytes", reserved);
    uint8_t *frag = rec + TLCP_RECORD_HEADER_LEN;
    /* sealed from the caller's bytes: the plaintext is not copied first */
    size_t frag_len = 0;
    if (!tlcp_record_seal(&rl->wr, type, frag, data, len, &frag_len, rl->err)) {
        tlcp_rbuf_unreserve(&rl->out, reserved);
        return 0;
    }
    tlcp_output_put_header(rec, type, frag_len);
#if defined(TLCP_TESTING)
    if (rl->test_version != 0 && rl->wr.bulk == TLCP_BULK_NULL) {
        rec[1] = (uint8_t)(rl->test_version >> 8);
        rec[2] = (uint8_t)rl->test_version;
    }
#endif
    tlcp_rbuf_unreserve(&rl->out, reserved - TLCP_RECORD_HEADER_LEN - frag_len);
    return 1;
}

int tlcp_record_write(tlcp_record_layer *rl, uint8_t content_type, const uint8_t *data, size_t len)
{
    ENSURE(content_type_valid(content_type), rl->err, TLCP_R_INVALID_ARGUMENT,
           "cannot write content type %u", content_type);
    ENSURE(data != NULL || len == 0, rl->err, TLCP_R_INVALID_ARGUMENT, "no data");
    if (len == 0) {
        /* an explicit empty application_data record (legal, peers send them);
         * other types may not be empty */
        ENSURE(content_type == TLCP_CT_APPLICATION_DATA, rl->err, TLCP_R_INVALID_ARGUMENT,
               "empty record of type %u", content_type);
        return tlcp_output_record(rl, content_type, data, 0);
    }
    if (tlcp_output_multi_applies(rl, content_type, len))
        return tlcp_output_multi(rl, content_type, data, len);
    tlcp_cursor c;
    tlcp_cursor_init(&c, data, len);
    while (!tlcp_cursor_is_empty(&c)) {
        size_t n = tlcp_cursor_len(&c);
        if (n > TLCP_MAX_PLAINTEXT)
            n = TLCP_MAX_PLAINTEXT;
        tlcp_cursor chunk;
        ENSURE(tlcp_cursor_get_bytes(&c, &chunk, n), rl->err, TLCP_R_INTERNAL, "chunk");
        GUARD(tlcp_output_record(rl, content_type, tlcp_cursor_data(&chunk), n));
    }
    return 1;
}

int tlcp_record_write_alert(tlcp_record_layer *rl, uint8_t level, uint8_t description)
{
    uint8_t body[2] = {level, description};
    return tlcp_output_record(rl, TLCP_CT_ALERT, body, sizeof(body));
}

int tlcp_record_write_ccs(tlcp_record_layer *rl)
{
    uint8_t body[1] = {1};
    return tlcp_output_record(rl, TLCP_CT_CHANGE_CIPHER_SPEC, body, sizeof(body));
}

tlcp_result tlcp_record_flush(tlcp_record_layer *rl)
{
    while (tlcp_rbuf_used(&rl->out) > 0) {
        if (rl->write == NULL) {
            TLCP_ERR(rl->err, TLCP_R_INVALID_ARGUMENT, "no transport set");
            return TLCP_ERROR;
        }
        size_t want = tlcp_rbuf_used(&rl->out);
        long r = rl->write(rl->io_ctx, rl->out.data + rl->out.start, want);
        if (r > 0 && (size_t)r <= want) {
            tlcp_rbuf_consume(&rl->out, (size_t)r);
            continue;
        }
        if (r == TLCP_IO_WANT_WRITE)
            return TLCP_WANT_WRITE;
        if (r == TLCP_IO_WANT_READ)
            return TLCP_WANT_READ;
        TLCP_ERR(rl->err, TLCP_R_TRANSPORT, "transport write failed (%ld of %zu bytes)", r, want);
        return TLCP_ERROR;
    }
    return TLCP_OK;
}
