/* SPDX-License-Identifier: Apache-2.0 */
/* In-memory transports for tests (see mempipe.h). */
#include "mempipe.h"

#include <stdlib.h>
#include <string.h>

#include "tlcp/tlcp.h"

#define REC_HDR              5
#define CT_CCS               20
#define CT_HANDSHAKE         22
#define HS_SERVER_HELLO_DONE 14

void mp_buf_append(mp_buf *b, const uint8_t *data, size_t len)
{
    if (len == 0)
        return;
    if (b->len + len > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + len)
            cap *= 2;
        uint8_t *p = realloc(b->data, cap);
        if (p == NULL)
            abort();
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, len);
    b->len += len;
}

void mp_buf_free(mp_buf *b)
{
    free(b->data);
    memset(b, 0, sizeof(*b));
}

static void buf_consume(mp_buf *b, size_t n)
{
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
}

void mp_pair_init(mp_pair *p)
{
    memset(p, 0, sizeof(*p));
    p->client.in = &p->s2c;
    p->client.out = &p->c2s;
    p->server.in = &p->c2s;
    p->server.out = &p->s2c;
}

static void end_free(mp_end *e)
{
    mp_buf_free(&e->stage);
    mp_buf_free(&e->held);
    mp_buf_free(&e->msgs);
    mp_buf_free(&e->inject);
}

void mp_pair_free(mp_pair *p)
{
    mp_buf_free(&p->c2s);
    mp_buf_free(&p->s2c);
    end_free(&p->client);
    end_free(&p->server);
}

size_t mp_pending(const mp_end *e)
{
    return e->in->len - e->in_pos;
}

/* Every other call of a trickling endpoint says "would block". */
static int trickle_blocks(mp_end *e)
{
    return e->trickle && (e->tick++ & 1) == 0;
}

long mp_read(void *ctx, uint8_t *buf, size_t len)
{
    mp_end *e = ctx;
    if (trickle_blocks(e))
        return TLCP_IO_WANT_READ;
    size_t avail = mp_pending(e);
    if (avail == 0)
        return TLCP_IO_WANT_READ;
    size_t n = avail < len ? avail : len;
    if (e->trickle)
        n = 1;
    memcpy(buf, e->in->data + e->in_pos, n);
    e->in_pos += n;
    return (long)n;
}

static void put_record(mp_buf *out, uint8_t type, const uint8_t *payload, size_t len)
{
    uint8_t hdr[REC_HDR] = {type, 1, 1, (uint8_t)(len >> 8), (uint8_t)len};
    mp_buf_append(out, hdr, REC_HDR);
    mp_buf_append(out, payload, len);
}

static void emit_handshake_payload(mp_end *e, const uint8_t *payload, size_t len)
{
    if (e->fragment > 0) {
        for (size_t off = 0; off < len; off += e->fragment) {
            size_t n = len - off < e->fragment ? len - off : e->fragment;
            put_record(e->out, CT_HANDSHAKE, payload + off, n);
        }
        return;
    }
    if (e->coalesce) {
        mp_buf_append(&e->held, payload, len);
        return;
    }
    put_record(e->out, CT_HANDSHAKE, payload, len);
}

static void release_held(mp_end *e)
{
    if (e->held.len == 0)
        return;
    put_record(e->out, CT_HANDSHAKE, e->held.data, e->held.len);
    e->held.len = 0;
}

/* Tamper works on whole messages: gather handshake payload bytes, pass
 * each complete message through the hook. */
static void tamper_payload(mp_end *e, const uint8_t *payload, size_t len)
{
    mp_buf_append(&e->msgs, payload, len);
    while (e->msgs.len >= 4) {
        size_t body =
            ((size_t)e->msgs.data[1] << 16) | ((size_t)e->msgs.data[2] << 8) | e->msgs.data[3];
        if (e->msgs.len < 4 + body)
            break;
        mp_buf repl = {0};
        if (e->tamper(e->tamper_arg, e->msgs.data, 4 + body, &repl)) {
            if (repl.len > 0)
                emit_handshake_payload(e, repl.data, repl.len);
        } else {
            emit_handshake_payload(e, e->msgs.data, 4 + body);
        }
        mp_buf_free(&repl);
        buf_consume(&e->msgs, 4 + body);
    }
}

static int last_is_server_done(const uint8_t *payload, size_t len)
{
    /* ServerHelloDone is 4 bytes: 0e 00 00 00, always last in its record. */
    return len >= 4 && payload[len - 4] == HS_SERVER_HELLO_DONE && payload[len - 3] == 0 &&
           payload[len - 2] == 0 && payload[len - 1] == 0;
}

static void transform_record(mp_end *e, const uint8_t *rec, size_t len)
{
    uint8_t type = rec[0];
    const uint8_t *payload = rec + REC_HDR;
    size_t plen = len - REC_HDR;
    if (type == CT_HANDSHAKE && !e->ccs_seen) {
        if (e->tamper != NULL)
            tamper_payload(e, payload, plen);
        else
            emit_handshake_payload(e, payload, plen);
        if (e->coalesce && last_is_server_done(payload, plen))
            release_held(e);
        return;
    }
    release_held(e);
    if (type == CT_CCS && !e->ccs_seen) {
        mp_buf_append(e->out, e->inject.data, e->inject.len);
        e->ccs_seen = 1;
    }
    mp_buf_append(e->out, rec, len);
}

static int transforms_on(const mp_end *e)
{
    return e->fragment > 0 || e->coalesce || e->tamper != NULL || e->inject.len > 0;
}

long mp_write(void *ctx, const uint8_t *buf, size_t len)
{
    mp_end *e = ctx;
    if (trickle_blocks(e))
        return TLCP_IO_WANT_WRITE;
    size_t n = e->trickle ? 1 : len;
    if (!transforms_on(e)) {
        mp_buf_append(e->out, buf, n);
        return (long)n;
    }
    mp_buf_append(&e->stage, buf, n);
    while (e->stage.len >= REC_HDR) {
        size_t rlen = REC_HDR + (((size_t)e->stage.data[3] << 8) | e->stage.data[4]);
        if (e->stage.len < rlen)
            break;
        transform_record(e, e->stage.data, rlen);
        buf_consume(&e->stage, rlen);
    }
    return (long)n;
}
