/* SPDX-License-Identifier: Apache-2.0 */
/* The record layer object: lifetime, transport, key installation. */
#include <stdlib.h>

#include "record/record_internal.h"
#include "util/mem.h"

tlcp_record_layer *tlcp_record_new_with_slot(tlcp_error *slot)
{
    tlcp_record_layer *rl = calloc(1, sizeof(*rl));
    if (rl == NULL) {
        TLCP_ERR(slot, TLCP_R_ALLOC, "no memory for the record layer");
        return NULL;
    }
    tlcp_error_clear(&rl->own_err);
    rl->err = slot != NULL ? slot : &rl->own_err;
    tlcp_input_reset(rl);
    rl->read_ahead = 1;
    rl->rd.bulk = TLCP_BULK_NULL;
    rl->wr.bulk = TLCP_BULK_NULL;
    rl->multi_records = TLCP_MULTI_RECORDS_DEFAULT;
    return rl;
}

tlcp_record_layer *tlcp_record_new(tlcp_error *err)
{
    tlcp_record_layer *rl = tlcp_record_new_with_slot(NULL);
    if (rl == NULL)
        TLCP_ERR(err, TLCP_R_ALLOC, "no memory for the record layer");
    return rl;
}

void tlcp_record_free(tlcp_record_layer *rl)
{
    if (rl == NULL)
        return;
    tlcp_record_dir_clear(&rl->rd);
    tlcp_record_dir_clear(&rl->wr);
    tlcp_record_dir_clear(&rl->pending_rd);
    tlcp_record_dir_clear(&rl->pending_wr);
    tlcp_hs_framer_free(&rl->hs);
    tlcp_rbuf_free(&rl->out);
    tlcp_input_free(rl);
    /* the input buffer held decrypted plaintext */
    tlcp_free_secret(rl, sizeof(*rl));
}

void tlcp_record_set_transport(tlcp_record_layer *rl, tlcp_read_fn read, tlcp_write_fn write,
                               void *ctx)
{
    rl->read = read;
    rl->write = write;
    rl->io_ctx = ctx;
}

void tlcp_record_set_hs_limit(tlcp_record_layer *rl, tlcp_hs_max_len_fn fn, void *arg)
{
    rl->hs_max = fn;
    rl->hs_max_arg = arg;
}

void tlcp_record_accept_tls_versions(tlcp_record_layer *rl, int on)
{
    rl->accept_tls_versions = on != 0;
}

tlcp_error *tlcp_record_error(tlcp_record_layer *rl)
{
    return rl->err;
}

static int set_pending(tlcp_record_layer *rl, tlcp_record_dir *slot, int *have,
                       const tlcp_record_keys *k, int encrypt)
{
    ENSURE(k != NULL, rl->err, TLCP_R_INVALID_ARGUMENT, "no keys");
    *have = 0;
    GUARD(tlcp_record_dir_init(slot, k, encrypt, rl->err));
    *have = 1;
    return 1;
}

int tlcp_record_set_pending_read(tlcp_record_layer *rl, const tlcp_record_keys *k)
{
    return set_pending(rl, &rl->pending_rd, &rl->have_pending_rd, k, 0);
}

int tlcp_record_set_pending_write(tlcp_record_layer *rl, const tlcp_record_keys *k)
{
    return set_pending(rl, &rl->pending_wr, &rl->have_pending_wr, k, 1);
}

/* Moves the pending state into the active slot; the sequence number starts at 0. */
static int activate(tlcp_record_layer *rl, tlcp_record_dir *active, tlcp_record_dir *pending,
                    int *have)
{
    ENSURE_ALERT(*have, rl->err, TLCP_R_INTERNAL, TLCP_ALERT_INTERNAL_ERROR,
                 "ChangeCipherSpec without pending keys");
    tlcp_record_dir_clear(active);
    *active = *pending;
    active->seq = 0;
    active->seq_exhausted = 0;
    /* the contexts now belong to `active`: forget them without freeing */
    tlcp_wipe(pending, sizeof(*pending));
    pending->bulk = TLCP_BULK_NULL;
    *have = 0;
    return 1;
}

int tlcp_record_activate_read(tlcp_record_layer *rl)
{
    /* keys change at a record boundary: no handshake message may straddle it */
    ENSURE_ALERT(!tlcp_hs_framer_busy(&rl->hs), rl->err, TLCP_R_UNEXPECTED_MESSAGE,
                 TLCP_ALERT_UNEXPECTED_MESSAGE,
                 "handshake data left unprocessed across ChangeCipherSpec");
    return activate(rl, &rl->rd, &rl->pending_rd, &rl->have_pending_rd);
}

int tlcp_record_activate_write(tlcp_record_layer *rl)
{
    return activate(rl, &rl->wr, &rl->pending_wr, &rl->have_pending_wr);
}

size_t tlcp_record_pending_output(const tlcp_record_layer *rl)
{
    return tlcp_rbuf_used(&rl->out);
}

#if defined(TLCP_TESTING)
void tlcp_record_test_set_seq(tlcp_record_layer *rl, int write_side, uint64_t seq)
{
    tlcp_record_dir *d = write_side ? &rl->wr : &rl->rd;
    d->seq = seq;
    d->seq_exhausted = 0;
}

void tlcp_record_test_set_read_ahead(tlcp_record_layer *rl, int on)
{
    rl->read_ahead = on;
}

void tlcp_record_test_set_write_version(tlcp_record_layer *rl, uint16_t version)
{
    rl->test_version = version;
}

size_t tlcp_record_test_input_buffered(const tlcp_record_layer *rl)
{
    size_t n = rl->in_end - rl->in_off;
    /* a complete current record was handed up by the last call */
    if (rl->in_stage == TLCP_IN_BODY && n >= rl->in_need)
        n -= rl->in_need;
    return n;
}

void tlcp_record_test_set_multi(tlcp_record_layer *rl, unsigned records)
{
    rl->multi_records = records;
}

uint64_t tlcp_record_test_get_seq(const tlcp_record_layer *rl, int write_side)
{
    return write_side ? rl->wr.seq : rl->rd.seq;
}
#endif
