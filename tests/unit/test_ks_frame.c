/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The key-server frame codec (apps/tlcp/keyserver/frame.c): every
 * operation and the response round-trip; the splitter's bounds; and each
 * field refused when its length or value is impossible, including every
 * truncation of every valid frame.
 */
#include "testutil.h"

#include <string.h>

#include "../../apps/tlcp/keyserver/frame.h"

#define WIRE (KS_LEN_PREFIX + KS_MAX_FRAME)

static const uint8_t nonce[KS_NONCE_LEN] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
static uint8_t digest[32], point_a[65], point_b[65], scalar[32], cipher[107];

static void fill(void)
{
    for (size_t i = 0; i < 32; i++) {
        digest[i] = (uint8_t)(i + 1);
        scalar[i] = (uint8_t)(0x40 + i);
    }
    point_a[0] = point_b[0] = 4;
    for (size_t i = 1; i < 65; i++) {
        point_a[i] = (uint8_t)i;
        point_b[i] = (uint8_t)(200 - i);
    }
    for (size_t i = 0; i < sizeof(cipher); i++)
        cipher[i] = (uint8_t)(i * 3);
}

static tlcp_key_op sign_op(void)
{
    tlcp_key_op op;
    memset(&op, 0, sizeof(op));
    op.type = TLCP_KEY_OP_SIGN;
    op.digest = digest;
    op.has_z = 1;
    return op;
}

static tlcp_key_op kx_op(void)
{
    tlcp_key_op op;
    memset(&op, 0, sizeof(op));
    op.type = TLCP_KEY_OP_KX;
    op.initiator = 1;
    op.self_eph_private = scalar;
    op.peer_static_point = point_a;
    op.peer_eph_point = point_b;
    op.self_id = (const uint8_t *)"alice";
    op.self_id_len = 5;
    op.out_len = 48;
    return op; /* peer_id NULL: the default ID goes on the wire */
}

/* Splits `f` and decodes it as a request. */
static int decode(const uint8_t *f, size_t n, struct ks_request *r)
{
    size_t total = 0;
    assert_int_equal(ks_frame_split(f, n, KS_REQ_FIXED, KS_MAX_FRAME, &total), KS_FRAME_OK);
    assert_int_equal(total, n);
    return ks_decode_request(f + KS_LEN_PREFIX, n - KS_LEN_PREFIX, r);
}

static void test_sign_digest_round_trip(void **state)
{
    (void)state;
    fill();
    uint8_t f[WIRE];
    tlcp_key_op op = sign_op();
    size_t n = ks_encode_request(42, 1800000000123ULL, nonce, "edge-1", &op, f, sizeof(f));
    assert_int_equal(n, KS_LEN_PREFIX + KS_REQ_FIXED + 6 + 32);
    struct ks_request r;
    assert_int_equal(decode(f, n, &r), KS_ST_OK);
    assert_int_equal(r.version, 1);
    assert_int_equal(r.op, KS_OP_SIGN_DIGEST);
    assert_int_equal(r.id, 42);
    assert_int_equal(r.time_ms, 1800000000123ULL);
    assert_memory_equal(r.nonce, nonce, KS_NONCE_LEN);
    assert_string_equal(r.name, "edge-1");
    assert_int_equal(r.kop.type, TLCP_KEY_OP_SIGN);
    assert_int_equal(r.kop.key, TLCP_CERT_SIGN);
    assert_memory_equal(r.kop.digest, digest, 32);
    assert_int_equal(r.kop.max_out, TLCP_KEY_OP_MAX_OUT);
}

static void test_sign_msg_round_trip(void **state)
{
    (void)state;
    uint8_t f[WIRE];
    size_t n = ks_encode_sign_msg(3, 5, nonce, "k", (const uint8_t *)"1234567812345678", 16,
                                  (const uint8_t *)"hello", 5, f, sizeof(f));
    assert_true(n > 0);
    struct ks_request r;
    assert_int_equal(decode(f, n, &r), KS_ST_OK);
    assert_int_equal(r.op, KS_OP_SIGN_MSG);
    assert_int_equal(r.kop.has_z, 1);
    assert_int_equal(r.kop.id_len, 16);
    assert_memory_equal(r.kop.id, "1234567812345678", 16);
    assert_int_equal(r.kop.msg_len, 5);
    assert_memory_equal(r.kop.msg, "hello", 5);
}

static void test_decrypt_and_kx_round_trip(void **state)
{
    (void)state;
    fill();
    uint8_t f[WIRE];
    tlcp_key_op op;
    memset(&op, 0, sizeof(op));
    op.type = TLCP_KEY_OP_DECRYPT;
    op.in = cipher;
    op.in_len = sizeof(cipher);
    size_t n = ks_encode_request(9, 1, nonce, "k", &op, f, sizeof(f));
    struct ks_request r;
    assert_int_equal(decode(f, n, &r), KS_ST_OK);
    assert_int_equal(r.kop.type, TLCP_KEY_OP_DECRYPT);
    assert_int_equal(r.kop.key, TLCP_CERT_ENC);
    assert_int_equal(r.kop.in_len, sizeof(cipher));
    assert_memory_equal(r.kop.in, cipher, sizeof(cipher));

    op = kx_op();
    n = ks_encode_request(10, 1, nonce, "k", &op, f, sizeof(f));
    assert_int_equal(decode(f, n, &r), KS_ST_OK);
    assert_int_equal(r.kop.type, TLCP_KEY_OP_KX);
    assert_int_equal(r.kop.initiator, 1);
    assert_int_equal(r.kop.out_len, 48);
    assert_memory_equal(r.kop.self_eph_private, scalar, 32);
    assert_memory_equal(r.kop.peer_static_point, point_a, 65);
    assert_memory_equal(r.kop.peer_eph_point, point_b, 65);
    assert_int_equal(r.kop.self_id_len, 5);
    assert_memory_equal(r.kop.self_id, "alice", 5);
    assert_int_equal(r.kop.peer_id_len, 16);
    assert_memory_equal(r.kop.peer_id, "1234567812345678", 16);
}

static void test_response_round_trip(void **state)
{
    (void)state;
    uint8_t f[128], sig[72];
    memset(sig, 0xab, sizeof(sig));
    size_t n = ks_encode_response(77, KS_ST_OK, sig, sizeof(sig), f, sizeof(f));
    assert_int_equal(n, KS_LEN_PREFIX + KS_RESP_FIXED + 72);
    size_t total = 0;
    assert_int_equal(ks_frame_split(f, n, KS_RESP_FIXED, KS_MAX_FRAME, &total), KS_FRAME_OK);
    struct ks_response r;
    assert_int_equal(ks_decode_response(f + 4, n - 4, &r), KS_ST_OK);
    assert_int_equal(r.id, 77);
    assert_int_equal(r.status, KS_ST_OK);
    assert_int_equal(r.result_len, 72);
    assert_memory_equal(r.result, sig, 72);
    n = ks_encode_response(5, KS_ST_RATE_LIMITED, NULL, 0, f, sizeof(f));
    assert_int_equal(ks_decode_response(f + 4, n - 4, &r), KS_ST_OK);
    assert_int_equal(r.status, KS_ST_RATE_LIMITED);
    assert_int_equal(r.result_len, 0);
}

static void test_split_bounds(void **state)
{
    (void)state;
    uint8_t f[8] = {0, 0, 0x10, 0x01}; /* 4097: one above the limit */
    size_t total = 0;
    assert_int_equal(ks_frame_split(f, 3, KS_REQ_FIXED, KS_MAX_FRAME, &total), KS_FRAME_MORE);
    assert_int_equal(ks_frame_split(f, 4, KS_REQ_FIXED, KS_MAX_FRAME, &total), KS_FRAME_BAD);
    f[2] = 0xff;
    f[0] = 0xff; /* 4 GiB: refused before any allocation or wait */
    assert_int_equal(ks_frame_split(f, 4, KS_REQ_FIXED, KS_MAX_FRAME, &total), KS_FRAME_BAD);
    uint8_t s[4] = {0, 0, 0, KS_REQ_FIXED - 1};
    assert_int_equal(ks_frame_split(s, 4, KS_REQ_FIXED, KS_MAX_FRAME, &total), KS_FRAME_BAD);
    uint8_t m[4] = {0, 0, 0, KS_REQ_FIXED};
    assert_int_equal(ks_frame_split(m, 4, KS_REQ_FIXED, KS_MAX_FRAME, &total), KS_FRAME_MORE);
}

/* A valid sign-digest frame to damage. */
static size_t base(uint8_t *f)
{
    fill();
    tlcp_key_op op = sign_op();
    return ks_encode_request(7, 1, nonce, "abc", &op, f, WIRE);
}

static int decode_body(uint8_t *f, size_t n)
{
    struct ks_request r;
    return ks_decode_request(f + KS_LEN_PREFIX, n - KS_LEN_PREFIX, &r);
}

static void test_request_negative_fields(void **state)
{
    (void)state;
    uint8_t f[WIRE];
    size_t n = base(f);
    const size_t v = KS_LEN_PREFIX, op = v + 1, id = v + 2, nl = v + KS_REQ_FIXED - 1;
    f[v] = 2;
    assert_int_equal(decode_body(f, n), KS_ST_BAD_VERSION);
    n = base(f);
    f[v] = 0;
    assert_int_equal(decode_body(f, n), KS_ST_BAD_VERSION);
    n = base(f);
    f[op] = 0;
    assert_int_equal(decode_body(f, n), KS_ST_UNKNOWN_OP);
    f[op] = 5;
    assert_int_equal(decode_body(f, n), KS_ST_UNKNOWN_OP);
    n = base(f);
    memset(f + id, 0, 8); /* id 0 */
    assert_int_equal(decode_body(f, n), KS_ST_MALFORMED);
    n = base(f);
    f[nl] = 0; /* empty name */
    assert_int_equal(decode_body(f, n), KS_ST_MALFORMED);
    n = base(f);
    f[nl] = 200; /* name longer than the frame */
    assert_int_equal(decode_body(f, n), KS_ST_MALFORMED);
    const uint8_t bad_bytes[] = {0, ' ', '"', '\n', 0x7f, 0x80};
    for (size_t i = 0; i < sizeof(bad_bytes); i++) {
        n = base(f);
        f[nl + 2] = bad_bytes[i]; /* NUL, space, quote, newline, DEL, 8-bit inside the name */
        assert_int_equal(decode_body(f, n), KS_ST_MALFORMED);
    }
    n = base(f);
    f[n] = 0x55; /* a 33-byte digest */
    f[3]++;
    assert_int_equal(decode_body(f, n + 1), KS_ST_MALFORMED);
    n = base(f);
    f[3]--; /* a 31-byte digest */
    assert_int_equal(decode_body(f, n - 1), KS_ST_MALFORMED);
    uint8_t tiny[KS_REQ_FIXED - 1] = {1};
    struct ks_request r;
    assert_int_equal(ks_decode_request(tiny, sizeof(tiny), &r), KS_ST_TOO_LONG);
}

static void test_request_name_limit(void **state)
{
    (void)state;
    fill();
    uint8_t f[WIRE];
    char name[KS_NAME_MAX + 2];
    memset(name, 'n', sizeof(name));
    name[KS_NAME_MAX] = '\0';
    tlcp_key_op op = sign_op();
    size_t n = ks_encode_request(1, 1, nonce, name, &op, f, sizeof(f));
    struct ks_request r;
    assert_int_equal(decode(f, n, &r), KS_ST_OK);
    name[KS_NAME_MAX] = 'n';
    name[KS_NAME_MAX + 1] = '\0';
    assert_int_equal(ks_encode_request(1, 1, nonce, name, &op, f, sizeof(f)), 0);
    assert_int_equal(ks_encode_request(1, 1, nonce, "", &op, f, sizeof(f)), 0);
    assert_int_equal(ks_encode_request(1, 1, nonce, "a b", &op, f, sizeof(f)), 0);
    assert_int_equal(ks_encode_request(0, 1, nonce, "k", &op, f, sizeof(f)), 0); /* id 0 */
    assert_int_equal(ks_encode_request(1, 1, nonce, "k", &op, f, 20), 0);        /* no room */
}

static void test_payload_negative(void **state)
{
    (void)state;
    fill();
    uint8_t f[WIRE];
    struct ks_request r;
    /* sign-msg: empty id, empty message, message over the limit */
    assert_int_equal(ks_encode_sign_msg(1, 1, nonce, "k", (const uint8_t *)"", 0,
                                        (const uint8_t *)"m", 1, f, sizeof(f)),
                     0);
    size_t n = ks_encode_sign_msg(1, 1, nonce, "k", (const uint8_t *)"id", 2, (const uint8_t *)"m",
                                  1, f, sizeof(f));
    f[KS_LEN_PREFIX + KS_REQ_FIXED + 1] = 0; /* id_len 0 */
    f[KS_LEN_PREFIX + KS_REQ_FIXED + 2] = 0;
    assert_int_equal(decode(f, n, &r), KS_ST_MALFORMED);
    n = ks_encode_sign_msg(1, 1, nonce, "k", (const uint8_t *)"id", 2, (const uint8_t *)"m", 1, f,
                           sizeof(f));
    f[3]--; /* drop the message */
    assert_int_equal(decode(f, n - 1, &r), KS_ST_MALFORMED);
    /* decrypt: no ciphertext, and one above the limit */
    tlcp_key_op op;
    memset(&op, 0, sizeof(op));
    op.type = TLCP_KEY_OP_DECRYPT;
    op.in = cipher;
    op.in_len = 0;
    assert_int_equal(ks_encode_request(1, 1, nonce, "k", &op, f, sizeof(f)), 0);
    static uint8_t big[KS_MAX_CIPHER + 1];
    op.in = big;
    op.in_len = sizeof(big);
    assert_int_equal(ks_encode_request(1, 1, nonce, "k", &op, f, sizeof(f)), 0);
    /* kx: a trailing byte, initiator 2, out_len 0 and 73, an empty ID */
    op = kx_op();
    n = ks_encode_request(1, 1, nonce, "k", &op, f, sizeof(f));
    const size_t flag = KS_LEN_PREFIX + KS_REQ_FIXED + 1;
    f[n] = 0;
    f[3]++;
    assert_int_equal(decode(f, n + 1, &r), KS_ST_MALFORMED);
    f[3]--;
    f[flag] = 2;
    assert_int_equal(decode(f, n, &r), KS_ST_MALFORMED);
    f[flag] = 1;
    f[flag + 1] = 0;
    assert_int_equal(decode(f, n, &r), KS_ST_MALFORMED);
    f[flag + 1] = TLCP_KEY_OP_MAX_OUT + 1;
    assert_int_equal(decode(f, n, &r), KS_ST_MALFORMED);
    op.out_len = 0;
    assert_int_equal(ks_encode_request(1, 1, nonce, "k", &op, f, sizeof(f)), 0);
    op = kx_op();
    op.peer_eph_point = NULL;
    assert_int_equal(ks_encode_request(1, 1, nonce, "k", &op, f, sizeof(f)), 0);
}

/* Every proper prefix of every valid frame, with its length prefix fixed
 * to say so, must be refused (never read past its end: ASan watches). */
static void test_every_truncation(void **state)
{
    (void)state;
    fill();
    uint8_t f[WIRE];
    size_t lens[4];
    uint8_t frames[4][WIRE];
    tlcp_key_op ops[3] = {sign_op(), {0}, kx_op()};
    ops[1].type = TLCP_KEY_OP_DECRYPT;
    ops[1].in = cipher;
    ops[1].in_len = 20;
    for (int i = 0; i < 3; i++)
        lens[i] = ks_encode_request(1, 1, nonce, "key", &ops[i], frames[i], WIRE);
    lens[3] = ks_encode_sign_msg(1, 1, nonce, "key", (const uint8_t *)"id", 2,
                                 (const uint8_t *)"msg", 3, frames[3], WIRE);
    for (int i = 0; i < 4; i++) {
        assert_true(lens[i] > 0);
        size_t body = lens[i] - KS_LEN_PREFIX;
        /* decrypt and sign-msg end with a "rest of the frame" field: a
         * shorter rest is still a (different) valid request, down to 1 byte */
        size_t open_tail = i == 1 ? 19 : i == 3 ? 2 : 0;
        for (size_t cut = 0; cut < body; cut++) {
            memcpy(f, frames[i], lens[i]);
            struct ks_request r;
            int st = ks_decode_request(f + KS_LEN_PREFIX, cut, &r);
            if (cut >= body - open_tail)
                assert_int_equal(st, KS_ST_OK);
            else
                assert_int_not_equal(st, KS_ST_OK);
        }
    }
}

static void test_response_negative(void **state)
{
    (void)state;
    uint8_t f[256] = {0};
    struct ks_response r;
    assert_int_equal(ks_decode_response(f, KS_RESP_FIXED - 1, &r), KS_ST_MALFORMED);
    size_t n = ks_encode_response(1, KS_ST_OK, NULL, 0, f, sizeof(f));
    f[KS_LEN_PREFIX] = 9;
    assert_int_equal(ks_decode_response(f + 4, n - 4, &r), KS_ST_BAD_VERSION);
    n = ks_encode_response(1, KS_ST_FAILED, NULL, 0, f, sizeof(f));
    f[n] = 1; /* a result with a failure status */
    assert_int_equal(ks_decode_response(f + 4, n - 4 + 1, &r), KS_ST_MALFORMED);
    f[KS_LEN_PREFIX + 1] = 99; /* unknown status */
    assert_int_equal(ks_decode_response(f + 4, n - 4, &r), KS_ST_MALFORMED);
    uint8_t big[TLCP_KEY_OP_MAX_OUT + 1] = {0};
    assert_int_equal(ks_encode_response(1, KS_ST_OK, big, sizeof(big), f, sizeof(f)), 0);
    n = ks_encode_response(1, KS_ST_OK, big, TLCP_KEY_OP_MAX_OUT, f, sizeof(f));
    f[n] = 0; /* 73 result bytes */
    assert_int_equal(ks_decode_response(f + 4, n - 4 + 1, &r), KS_ST_MALFORMED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sign_digest_round_trip),
        cmocka_unit_test(test_sign_msg_round_trip),
        cmocka_unit_test(test_decrypt_and_kx_round_trip),
        cmocka_unit_test(test_response_round_trip),
        cmocka_unit_test(test_split_bounds),
        cmocka_unit_test(test_request_negative_fields),
        cmocka_unit_test(test_request_name_limit),
        cmocka_unit_test(test_payload_negative),
        cmocka_unit_test(test_every_truncation),
        cmocka_unit_test(test_response_negative),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
