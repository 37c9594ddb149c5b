/* SPDX-License-Identifier: Apache-2.0 */
/* The key-server frame codec (frame.h): every length is checked against
 * what is left before anything is read, so a frame can never make the
 * decoder read past its end. */
#include "frame.h"

#include <stdlib.h>
#include <string.h>

static const char *const op_names[] = {"?", "sign-digest", "sign-msg", "decrypt", "kx"};
static const char *const status_names[] = {"ok",           "failed",    "unknown key", "unknown op",
                                           "rate limited", "replay",    "busy",        "malformed",
                                           "bad version",  "bad length"};

const char *ks_op_name(int op)
{
    return op >= KS_OP_SIGN_DIGEST && op <= KS_OP_KX ? op_names[op] : op_names[0];
}

const char *ks_status_name(int status)
{
    return status >= 0 && status <= KS_ST_TOO_LONG ? status_names[status] : "?";
}

static uint64_t get_be(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

static void put_be(uint8_t *p, uint64_t v, size_t n)
{
    for (size_t i = n; i > 0; i--) {
        p[i - 1] = (uint8_t)v;
        v >>= 8;
    }
}

int ks_frame_split(const uint8_t *buf, size_t avail, size_t min, size_t max, size_t *total)
{
    if (avail < KS_LEN_PREFIX)
        return KS_FRAME_MORE;
    uint64_t len = get_be(buf, KS_LEN_PREFIX);
    if (len < min || len > max)
        return KS_FRAME_BAD;
    if (avail < KS_LEN_PREFIX + len)
        return KS_FRAME_MORE;
    *total = KS_LEN_PREFIX + (size_t)len;
    return KS_FRAME_OK;
}

/* A read cursor: take() hands out the next n bytes or NULL when fewer are
 * left (and stays failed). */
struct cur {
    const uint8_t *p;
    size_t left;
    int bad;
};

static const uint8_t *take(struct cur *c, size_t n)
{
    if (c->bad || c->left < n) {
        c->bad = 1;
        return NULL;
    }
    const uint8_t *r = c->p;
    c->p += n;
    c->left -= n;
    return r;
}

static size_t take_u(struct cur *c, size_t n)
{
    const uint8_t *p = take(c, n);
    return p != NULL ? (size_t)get_be(p, n) : 0;
}

static int decode_sign_msg(struct cur *c, tlcp_key_op *k)
{
    k->id_len = take_u(c, 2);
    k->id = take(c, k->id_len);
    k->msg_len = c->left;
    k->msg = take(c, c->left);
    k->has_z = 1;
    return !c->bad && k->id_len > 0 && k->id_len <= KS_MAX_ID && k->msg_len > 0 &&
           k->msg_len <= KS_MAX_MSG;
}

static int decode_kx(struct cur *c, tlcp_key_op *k)
{
    const uint8_t *flag = take(c, 1);
    k->out_len = take_u(c, 1);
    k->self_eph_private = take(c, KS_SCALAR_LEN);
    k->peer_static_point = take(c, KS_POINT_LEN);
    k->peer_eph_point = take(c, KS_POINT_LEN);
    k->self_id_len = take_u(c, 1);
    k->self_id = take(c, k->self_id_len);
    k->peer_id_len = take_u(c, 1);
    k->peer_id = take(c, k->peer_id_len);
    if (c->bad || c->left != 0 || *flag > 1 || k->out_len == 0 ||
        k->out_len > TLCP_KEY_OP_MAX_OUT || k->self_id_len == 0 || k->peer_id_len == 0)
        return 0;
    k->initiator = *flag;
    return 1;
}

static int decode_payload(struct cur *c, struct ks_request *req)
{
    tlcp_key_op *k = &req->kop;
    k->max_out = TLCP_KEY_OP_MAX_OUT;
    switch (req->op) {
    case KS_OP_SIGN_DIGEST:
        k->type = TLCP_KEY_OP_SIGN;
        k->key = TLCP_CERT_SIGN;
        k->digest = take(c, KS_DIGEST_LEN);
        return !c->bad && c->left == 0;
    case KS_OP_SIGN_MSG:
        k->type = TLCP_KEY_OP_SIGN;
        k->key = TLCP_CERT_SIGN;
        return decode_sign_msg(c, k);
    case KS_OP_DECRYPT:
        k->type = TLCP_KEY_OP_DECRYPT;
        k->key = TLCP_CERT_ENC;
        k->in_len = c->left;
        k->in = take(c, c->left);
        return k->in_len > 0 && k->in_len <= KS_MAX_CIPHER;
    default:
        k->type = TLCP_KEY_OP_KX;
        k->key = TLCP_CERT_ENC;
        return decode_kx(c, k);
    }
}

/* Names go into log lines: visible ASCII only (no space, quote or newline
 * to forge a field or a line). */
static int name_ok(const uint8_t *name, size_t len);

int ks_name_ok(const char *name)
{
    return name != NULL && name_ok((const uint8_t *)name, strlen(name));
}

static int name_ok(const uint8_t *name, size_t len)
{
    if (len == 0 || len > KS_NAME_MAX)
        return 0;
    for (size_t i = 0; i < len; i++) {
        if (name[i] < 0x21 || name[i] > 0x7e || name[i] == '"')
            return 0;
    }
    return 1;
}

int ks_decode_request(const uint8_t *body, size_t len, struct ks_request *req)
{
    memset(req, 0, sizeof(*req));
    struct cur c = {body, len, 0};
    if (len < KS_REQ_FIXED)
        return KS_ST_TOO_LONG;
    req->version = *take(&c, 1);
    req->op = *take(&c, 1);
    req->id = get_be(take(&c, 8), 8);
    if (req->version != KS_VERSION)
        return KS_ST_BAD_VERSION;
    req->time_ms = get_be(take(&c, 8), 8);
    memcpy(req->nonce, take(&c, KS_NONCE_LEN), KS_NONCE_LEN);
    size_t name_len = take_u(&c, 1);
    const uint8_t *name = take(&c, name_len);
    if (c.bad || !name_ok(name, name_len))
        return KS_ST_MALFORMED;
    memcpy(req->name, name, name_len);
    req->name[name_len] = '\0';
    if (req->op < KS_OP_SIGN_DIGEST || req->op > KS_OP_KX)
        return KS_ST_UNKNOWN_OP;
    if (req->id == 0)
        return KS_ST_MALFORMED; /* ids start at 1: 0 names "no request" in replies */
    return decode_payload(&c, req) ? KS_ST_OK : KS_ST_MALFORMED;
}

/* A write cursor; put() fails (and stays failed) when out of room. */
struct wcur {
    uint8_t *p;
    size_t off, cap;
    int bad;
};

static void put(struct wcur *w, const void *data, size_t n)
{
    if (w->bad || w->cap - w->off < n) {
        w->bad = 1;
        return;
    }
    if (n > 0)
        memcpy(w->p + w->off, data, n);
    w->off += n;
}

static void put_u(struct wcur *w, uint64_t v, size_t n)
{
    uint8_t b[8];
    put_be(b, v, n);
    put(w, b, n);
}

/* Writes the prefix once the body is complete; 0 on overflow. */
static size_t finish(struct wcur *w)
{
    if (w->bad || w->off - KS_LEN_PREFIX > KS_MAX_FRAME)
        return 0;
    put_be(w->p, w->off - KS_LEN_PREFIX, KS_LEN_PREFIX);
    return w->off;
}

static int put_head(struct wcur *w, int op, uint64_t id, uint64_t time_ms,
                    const uint8_t nonce[KS_NONCE_LEN], const char *name)
{
    size_t name_len = name != NULL ? strlen(name) : 0;
    if (!name_ok((const uint8_t *)name, name_len) || id == 0)
        return 0;
    put_u(w, 0, KS_LEN_PREFIX);
    put_u(w, KS_VERSION, 1);
    put_u(w, (uint64_t)op, 1);
    put_u(w, id, 8);
    put_u(w, time_ms, 8);
    put(w, nonce, KS_NONCE_LEN);
    put_u(w, name_len, 1);
    put(w, name, name_len);
    return 1;
}

static const uint8_t default_id[] = "1234567812345678";

static void put_id(struct wcur *w, const uint8_t *id, size_t len)
{
    if (id == NULL) {
        id = default_id;
        len = sizeof(default_id) - 1;
    }
    if (len == 0 || len > KS_MAX_ID)
        w->bad = 1;
    put_u(w, len, 1);
    put(w, id, len);
}

static void put_kx(struct wcur *w, const tlcp_key_op *op)
{
    if (op->self_eph_private == NULL || op->peer_static_point == NULL ||
        op->peer_eph_point == NULL || op->out_len == 0 || op->out_len > TLCP_KEY_OP_MAX_OUT) {
        w->bad = 1;
        return;
    }
    put_u(w, op->initiator ? 1 : 0, 1);
    put_u(w, op->out_len, 1);
    put(w, op->self_eph_private, KS_SCALAR_LEN);
    put(w, op->peer_static_point, KS_POINT_LEN);
    put(w, op->peer_eph_point, KS_POINT_LEN);
    put_id(w, op->self_id, op->self_id_len);
    put_id(w, op->peer_id, op->peer_id_len);
}

size_t ks_encode_request(uint64_t id, uint64_t time_ms, const uint8_t nonce[KS_NONCE_LEN],
                         const char *name, const tlcp_key_op *op, uint8_t *out, size_t cap)
{
    struct wcur w = {out, 0, cap, 0};
    int code = op->type == TLCP_KEY_OP_SIGN      ? KS_OP_SIGN_DIGEST
               : op->type == TLCP_KEY_OP_DECRYPT ? KS_OP_DECRYPT
               : op->type == TLCP_KEY_OP_KX      ? KS_OP_KX
                                                 : 0;
    if (code == 0 || !put_head(&w, code, id, time_ms, nonce, name))
        return 0;
    if (code == KS_OP_SIGN_DIGEST && op->digest != NULL)
        put(&w, op->digest, KS_DIGEST_LEN);
    else if (code == KS_OP_DECRYPT && op->in != NULL && op->in_len > 0 &&
             op->in_len <= KS_MAX_CIPHER)
        put(&w, op->in, op->in_len);
    else if (code == KS_OP_KX)
        put_kx(&w, op);
    else
        return 0;
    return finish(&w);
}

size_t ks_encode_sign_msg(uint64_t id, uint64_t time_ms, const uint8_t nonce[KS_NONCE_LEN],
                          const char *name, const uint8_t *sid, size_t sid_len, const uint8_t *msg,
                          size_t msg_len, uint8_t *out, size_t cap)
{
    struct wcur w = {out, 0, cap, 0};
    if (!put_head(&w, KS_OP_SIGN_MSG, id, time_ms, nonce, name) || sid == NULL || sid_len == 0 ||
        sid_len > KS_MAX_ID || msg == NULL || msg_len == 0 || msg_len > KS_MAX_MSG)
        return 0;
    put_u(&w, sid_len, 2);
    put(&w, sid, sid_len);
    put(&w, msg, msg_len);
    return finish(&w);
}

int ks_decode_response(const uint8_t *body, size_t len, struct ks_response *resp)
{
    memset(resp, 0, sizeof(*resp));
    if (len < KS_RESP_FIXED)
        return KS_ST_MALFORMED;
    resp->version = body[0];
    resp->status = body[1];
    resp->id = get_be(body + 2, 8);
    if (resp->version != KS_VERSION)
        return KS_ST_BAD_VERSION;
    resp->result = body + KS_RESP_FIXED;
    resp->result_len = len - KS_RESP_FIXED;
    if (resp->result_len > TLCP_KEY_OP_MAX_OUT || resp->status > KS_ST_TOO_LONG ||
        (resp->status != KS_ST_OK && resp->result_len != 0))
        return KS_ST_MALFORMED;
    return KS_ST_OK;
}

size_t ks_encode_response(uint64_t id, int status, const uint8_t *result, size_t result_len,
                          uint8_t *out, size_t cap)
{
    struct wcur w = {out, 0, cap, 0};
    if (result_len > TLCP_KEY_OP_MAX_OUT)
        return 0;
    put_u(&w, 0, KS_LEN_PREFIX);
    put_u(&w, KS_VERSION, 1);
    put_u(&w, (uint64_t)status, 1);
    put_u(&w, id, 8);
    put(&w, result, result_len);
    return finish(&w);
}

int ks_queue_append(uint8_t **buf, size_t *len, size_t *cap, const uint8_t *src, size_t n)
{
    if (*cap - *len < n) {
        size_t grown = (*len + n) * 2;
        uint8_t *p = realloc(*buf, grown);
        if (p == NULL)
            return 0;
        *buf = p;
        *cap = grown;
    }
    memcpy(*buf + *len, src, n);
    *len += n;
    return 1;
}
