/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The key-server protocol, version 1 (docs/KEYSERVER.md): length-prefixed
 * frames, all integers big-endian. Shared by the key server and the client
 * side (apps/tlcp/keyclient), and by the unit test and fuzz target.
 *
 * request  = u32 len | u8 version | u8 op | u64 id | u64 time_ms |
 *            u8[16] nonce | u8 name_len | name | payload
 * response = u32 len | u8 version | u8 status | u64 id | result
 * (len counts the bytes after itself.)
 */
#ifndef TLCP_APP_KS_FRAME_H
#define TLCP_APP_KS_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "tlcp/tlcp.h"

#define KS_VERSION    1
#define KS_LEN_PREFIX 4
#define KS_NONCE_LEN  16
#define KS_NAME_MAX   64
#define KS_MAX_FRAME  4096                               /* largest len of any frame, either way */
#define KS_REQ_FIXED  (1 + 1 + 8 + 8 + KS_NONCE_LEN + 1) /* up to name_len */
#define KS_RESP_FIXED (1 + 1 + 8)
#define KS_MAX_MSG    2048 /* SIGN_MSG: the message to hash with Z */
#define KS_MAX_CIPHER 1024 /* DECRYPT: ciphertext bytes */
#define KS_MAX_ID     255  /* SM2 signer IDs */
#define KS_DIGEST_LEN 32
#define KS_POINT_LEN  65
#define KS_SCALAR_LEN 32

/* Operations (the request's op byte). */
enum ks_op {
    KS_OP_SIGN_DIGEST = 1, /* sign e (32 bytes) as given */
    KS_OP_SIGN_MSG = 2,    /* e = SM3(Z(id, key) || msg), then sign */
    KS_OP_DECRYPT = 3,     /* SM2-decrypt a GM/T 0009 ciphertext */
    KS_OP_KX = 4           /* SM2 key exchange with the static enc key */
};

/* Response status; the ones marked "close" end the connection after the
 * response (the stream can no longer be trusted to be in step). */
enum ks_status {
    KS_ST_OK = 0,
    KS_ST_FAILED = 1,       /* the operation failed (bad ciphertext, bad point) */
    KS_ST_UNKNOWN_KEY = 2,  /* no key of that name */
    KS_ST_UNKNOWN_OP = 3,   /* op byte not one of enum ks_op */
    KS_ST_RATE_LIMITED = 4, /* the client's token bucket is empty */
    KS_ST_REPLAY = 5,       /* id not above the last, time outside the window, nonce seen */
    KS_ST_BUSY = 6,         /* too many requests in flight on this connection */
    KS_ST_MALFORMED = 7,    /* close: a field's length or value is impossible (names: visible
                               ASCII without '"') */
    KS_ST_BAD_VERSION = 8,  /* close: not version 1 */
    KS_ST_TOO_LONG = 9      /* close: len above KS_MAX_FRAME or below the fixed part */
};

/* 1 when `name` can be a key name: 1..64 visible ASCII bytes without '"'. */
int ks_name_ok(const char *name);
const char *ks_op_name(int op);
const char *ks_status_name(int status);

/* Appends n bytes to a growable output queue (*buf of *len used, *cap
 * allocated), doubling it as needed; 0 when out of memory (queue unchanged).
 * Both ends queue their frames this way. */
int ks_queue_append(uint8_t **buf, size_t *len, size_t *cap, const uint8_t *src, size_t n);

/* Where a frame ends. KS_FRAME_MORE: fewer bytes than the prefix says (or
 * than the prefix); KS_FRAME_OK with *total = prefix + len; KS_FRAME_BAD when
 * len is above max or below min (the connection must close). */
enum ks_frame_verdict { KS_FRAME_MORE, KS_FRAME_OK, KS_FRAME_BAD };
int ks_frame_split(const uint8_t *buf, size_t avail, size_t min, size_t max, size_t *total);

/* A decoded request; pointers go into the frame it came from. */
struct ks_request {
    uint8_t version, op;
    uint64_t id, time_ms;
    uint8_t nonce[KS_NONCE_LEN];
    char name[KS_NAME_MAX + 1];
    tlcp_key_op kop; /* type, digest/msg/id, in, kx fields; key and max_out set */
};

/* Decodes the body (after the length prefix) of a request. Returns
 * KS_ST_OK or the status to answer with; req->id holds the id whenever the
 * body is long enough to carry one (else 0). */
int ks_decode_request(const uint8_t *body, size_t len, struct ks_request *req);

/* Encodes a request for `op` (a tlcp_key_op from the handshake) into out.
 * SIGN becomes SIGN_DIGEST (the digest is always there). Returns the frame
 * length (prefix included) or 0 when it does not fit or the op is
 * unusable. */
size_t ks_encode_request(uint64_t id, uint64_t time_ms, const uint8_t nonce[KS_NONCE_LEN],
                         const char *name, const tlcp_key_op *op, uint8_t *out, size_t cap);
/* The same for a SIGN_MSG request (message and signer ID). */
size_t ks_encode_sign_msg(uint64_t id, uint64_t time_ms, const uint8_t nonce[KS_NONCE_LEN],
                          const char *name, const uint8_t *sid, size_t sid_len, const uint8_t *msg,
                          size_t msg_len, uint8_t *out, size_t cap);

struct ks_response {
    uint8_t version, status;
    uint64_t id;
    const uint8_t *result;
    size_t result_len;
};
/* Response body: KS_ST_OK when well formed (version 1, result at most
 * TLCP_KEY_OP_MAX_OUT bytes), else KS_ST_MALFORMED / KS_ST_BAD_VERSION. */
int ks_decode_response(const uint8_t *body, size_t len, struct ks_response *resp);
/* Returns the frame length (prefix included), 0 when it does not fit. */
size_t ks_encode_response(uint64_t id, int status, const uint8_t *result, size_t result_len,
                          uint8_t *out, size_t cap);

#endif
