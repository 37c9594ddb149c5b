/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Record-layer failure paths. Every malformed input is fed three ways: whole,
 * one byte per read call, and one byte per call with a WANT_READ before each,
 * and must give the same reason and alert each time.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "record/record.h"
#include "record_pipe.h"
#include "testutil.h"

typedef struct wire {
    uint8_t b[20000];
    size_t len;
} wire;

static void put(wire *w, const uint8_t *d, size_t n)
{
    assert_true(w->len + n <= sizeof(w->b));
    if (n > 0)
        memcpy(w->b + w->len, d, n);
    w->len += n;
}

static void put_header(wire *w, uint8_t type, uint16_t version, size_t len)
{
    uint8_t h[5] = {type, (uint8_t)(version >> 8), (uint8_t)version, (uint8_t)(len >> 8),
                    (uint8_t)len};
    put(w, h, 5);
}

static void put_record(wire *w, uint8_t type, const uint8_t *d, size_t n)
{
    put_header(w, type, 0x0101, n);
    put(w, d, n);
}

enum corrupt { C_NONE, C_PAD_BYTE, C_PAD_LEN, C_MAC_BYTE, C_DATA_BYTE };

/*
 * A CBC record built by hand: data || HMAC || pad_len+1 bytes of pad_len,
 * encrypted under a fixed IV, with one chosen corruption of the plaintext
 * before encryption (so the MAC/padding check, not the cipher, must catch it).
 */
static void put_cbc(wire *w, const tlcp_record_keys *k, uint64_t seq, uint8_t type,
                    const uint8_t *data, size_t dlen, size_t pad_len, int corrupt, size_t where,
                    uint8_t value)
{
    size_t n = dlen + 32 + pad_len + 1;
    assert_int_equal(n % 16, 0);
    uint8_t *pt = malloc(13 + n);
    uint8_t *p = pt + 13;
    for (int i = 0; i < 8; i++)
        pt[i] = (uint8_t)(seq >> (56 - 8 * i));
    pt[8] = type;
    pt[9] = 1;
    pt[10] = 1;
    pt[11] = (uint8_t)(dlen >> 8);
    pt[12] = (uint8_t)dlen;
    memcpy(p, data, dlen);
    assert_true(tlcp_hmac_sm3(k->mac_key, 32, pt, 13 + dlen, p + dlen, NULL));
    memset(p + dlen + 32, (int)pad_len, pad_len + 1);
    switch (corrupt) {
    case C_PAD_BYTE:
        p[dlen + 32 + where] = value;
        break;
    case C_PAD_LEN:
        p[n - 1] = value;
        break;
    case C_MAC_BYTE:
        p[dlen + where] ^= value;
        break;
    case C_DATA_BYTE:
        p[where] ^= value;
        break;
    default:
        break;
    }
    uint8_t iv[16];
    for (int i = 0; i < 16; i++)
        iv[i] = (uint8_t)(0x5a ^ i);
    uint8_t *ct = malloc(n);
    assert_true(tlcp_sm4_cbc_encrypt(k->key, iv, p, ct, n, NULL));
    put_header(w, type, 0x0101, 16 + n);
    put(w, iv, 16);
    put(w, ct, n);
    free(ct);
    free(pt);
}

static size_t limit_100(void *arg, uint8_t type)
{
    (void)arg;
    return type == 1 ? 100 : 16;
}

typedef struct feed_opts {
    const tlcp_record_keys *keys; /* read keys, or NULL for null protection */
    uint64_t seq;                 /* starting read sequence number */
    int hs_limit;                 /* install limit_100 */
    size_t max_consumed;          /* if nonzero: the reader may not pull more bytes */
} feed_opts;

/*
 * Feeds `w` to a fresh reader and expects TLCP_ERROR with `reason` and
 * `alert` (TLCP_NO_ALERT when none) after `ok_items` successful items.
 */
static void expect_fail(const wire *w, const feed_opts *o, size_t ok_items, int reason, int alert)
{
    for (int mode = 0; mode < 3; mode++) {
        tu_pipe p;
        tu_pipe_init(&p);
        p.eof = 1;
        p.read_chunk = mode == 0 ? 0 : 1;
        p.read_blocks = mode == 2;
        tu_pipe_push(&p, w->b, w->len);
        tlcp_record_layer *r = tu_record_new(&p);
        if (o->keys != NULL) {
            assert_true(tlcp_record_set_pending_read(r, o->keys));
            assert_true(tlcp_record_activate_read(r));
            tlcp_record_test_set_seq(r, 0, o->seq);
        }
        if (o->hs_limit)
            tlcp_record_set_hs_limit(r, limit_100, NULL);
        tlcp_record_item it;
        for (size_t i = 0; i < ok_items; i++)
            assert_int_equal(tu_next(r, &p, &it), TLCP_OK);
        tlcp_result res = tu_next(r, &p, &it);
        if (res != TLCP_ERROR)
            fail_msg("mode %d: expected an error, got %d", mode, res);
        tlcp_error *e = tlcp_record_error(r);
        if (e->reason != reason || e->alert != alert)
            fail_msg("mode %d: reason %d alert %d (%s), expected reason %d alert %d", mode,
                     e->reason, e->alert, tlcp_error_message(e), reason, alert);
        if (o->max_consumed)
            assert_true(p.pos <= o->max_consumed);
        /* errors are sticky */
        assert_int_equal(tlcp_record_next(r, &it), TLCP_ERROR);
        tlcp_record_free(r);
        tu_pipe_free(&p);
    }
}

/* Feeds `w` and expects `n` application-data items then a clean WANT_READ. */
static void expect_ok(const wire *w, const tlcp_record_keys *k, const uint8_t *want,
                      size_t want_len)
{
    for (int mode = 0; mode < 2; mode++) {
        tu_pipe p;
        tu_pipe_init(&p);
        p.read_chunk = mode;
        tu_pipe_push(&p, w->b, w->len);
        tlcp_record_layer *r = tu_record_new(&p);
        assert_true(tlcp_record_set_pending_read(r, k) && tlcp_record_activate_read(r));
        tlcp_record_item it;
        size_t got = 0;
        while (got < want_len) {
            tlcp_result res = tu_next(r, &p, &it);
            if (res != TLCP_OK)
                fail_msg("mode %d: %d (%s)", mode, res, tlcp_error_message(tlcp_record_error(r)));
            assert_int_equal(it.kind, TLCP_ITEM_APPLICATION_DATA);
            assert_memory_equal(tlcp_cursor_data(&it.data), want + got, tlcp_cursor_len(&it.data));
            got += tlcp_cursor_len(&it.data);
        }
        assert_int_equal(got, want_len);
        assert_int_equal(tu_next(r, &p, &it), TLCP_WANT_READ);
        tlcp_record_free(r);
        tu_pipe_free(&p);
    }
}

static tlcp_record_keys cbc_keys, gcm_keys;

static int setup(void **state)
{
    (void)state;
    tu_test_keys(TLCP_BULK_SM4_CBC_SM3, 0x21, &cbc_keys);
    tu_test_keys(TLCP_BULK_SM4_GCM, 0x42, &gcm_keys);
    return 0;
}

static const uint8_t DATA[] = "The quick brown fox jumps over the lazy dog, twice over.";

/* Data length that makes data + MAC + pad_len + 1 a whole number of blocks. */
static size_t dlen_for(size_t pad_len, size_t at_least)
{
    size_t d = at_least;
    while ((d + 33 + pad_len) % 16 != 0)
        d++;
    return d;
}

static void test_cbc_any_valid_padding_accepted(void **state)
{
    (void)state;
    for (size_t pad = 0; pad <= 255; pad++) {
        size_t d = dlen_for(pad, 1);
        wire w = {.len = 0};
        put_cbc(&w, &cbc_keys, 0, TLCP_CT_APPLICATION_DATA, DATA, d, pad, C_NONE, 0, 0);
        expect_ok(&w, &cbc_keys, DATA, d);
    }
}

/* Valid records at many data lengths for several padding lengths: the MAC is
 * found at every offset modulo 32 inside the constant-time scan window. */
static void test_cbc_valid_lengths_and_paddings(void **state)
{
    (void)state;
    static const size_t pads[] = {0, 1, 15, 16, 31, 32, 100, 254, 255};
    static uint8_t data[400];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(i * 5 + 1);
    for (size_t i = 0; i < TLCP_ARRAY_LEN(pads); i++) {
        for (size_t d = dlen_for(pads[i], 0); d <= 300; d += 16) {
            wire w = {.len = 0};
            put_cbc(&w, &cbc_keys, 0, TLCP_CT_APPLICATION_DATA, data, d, pads[i], C_NONE, 0, 0);
            if (d == 0)
                continue; /* an empty record is skipped, nothing to compare */
            expect_ok(&w, &cbc_keys, data, d);
        }
    }
}

/* The padding-length byte changed to another in-range value: the other
 * padding bytes no longer match it. */
static void test_cbc_wrong_padding_length_byte(void **state)
{
    (void)state;
    feed_opts o = {.keys = &cbc_keys};
    static const size_t pads[] = {1, 16, 255};
    for (size_t i = 0; i < TLCP_ARRAY_LEN(pads); i++) {
        size_t d = dlen_for(pads[i], 3);
        for (int delta = -1; delta <= 1; delta += 2) {
            wire w = {.len = 0};
            put_cbc(&w, &cbc_keys, 0, TLCP_CT_APPLICATION_DATA, DATA, d, pads[i], C_PAD_LEN, 0,
                    (uint8_t)(pads[i] + (size_t)delta));
            expect_fail(&w, &o, 0, TLCP_R_BAD_RECORD_MAC, TLCP_ALERT_BAD_RECORD_MAC);
        }
    }
}

static void test_cbc_bad_padding_every_position(void **state)
{
    (void)state;
    static const size_t pads[] = {1, 2, 15, 16, 100, 254, 255};
    feed_opts o = {.keys = &cbc_keys};
    for (size_t i = 0; i < TLCP_ARRAY_LEN(pads); i++) {
        size_t pad = pads[i];
        size_t d = dlen_for(pad, 3);
        for (size_t pos = 0; pos < pad; pos++) {
            wire w = {.len = 0};
            put_cbc(&w, &cbc_keys, 0, TLCP_CT_APPLICATION_DATA, DATA, d, pad, C_PAD_BYTE, pos,
                    (uint8_t)(pad ^ 0x01));
            expect_fail(&w, &o, 0, TLCP_R_BAD_RECORD_MAC, TLCP_ALERT_BAD_RECORD_MAC);
        }
    }
}

static void test_cbc_bad_mac(void **state)
{
    (void)state;
    feed_opts o = {.keys = &cbc_keys};
    size_t d = dlen_for(0, 10);
    for (size_t pos = 0; pos < 32; pos++) {
        wire w = {.len = 0};
        put_cbc(&w, &cbc_keys, 0, TLCP_CT_APPLICATION_DATA, DATA, d, 0, C_MAC_BYTE, pos, 0x80);
        expect_fail(&w, &o, 0, TLCP_R_BAD_RECORD_MAC, TLCP_ALERT_BAD_RECORD_MAC);
    }
    for (size_t pos = 0; pos < d; pos += 5) {
        wire w = {.len = 0};
        put_cbc(&w, &cbc_keys, 0, TLCP_CT_APPLICATION_DATA, DATA, d, 0, C_DATA_BYTE, pos, 1);
        expect_fail(&w, &o, 0, TLCP_R_BAD_RECORD_MAC, TLCP_ALERT_BAD_RECORD_MAC);
    }
    /* a valid record under the wrong sequence number or content type */
    wire w = {.len = 0};
    put_cbc(&w, &cbc_keys, 5, TLCP_CT_APPLICATION_DATA, DATA, d, 0, C_NONE, 0, 0);
    expect_fail(&w, &o, 0, TLCP_R_BAD_RECORD_MAC, TLCP_ALERT_BAD_RECORD_MAC);
    w.b[0] = TLCP_CT_HANDSHAKE;
    expect_fail(&w, &o, 0, TLCP_R_BAD_RECORD_MAC, TLCP_ALERT_BAD_RECORD_MAC);
    /* the wrong MAC key */
    tlcp_record_keys other = cbc_keys;
    other.mac_key[7] ^= 1;
    feed_opts o2 = {.keys = &other};
    w.len = 0;
    put_cbc(&w, &cbc_keys, 0, TLCP_CT_APPLICATION_DATA, DATA, d, 0, C_NONE, 0, 0);
    expect_fail(&w, &o2, 0, TLCP_R_BAD_RECORD_MAC, TLCP_ALERT_BAD_RECORD_MAC);
}

static void test_cbc_padding_longer_than_record(void **state)
{
    (void)state;
    feed_opts o = {.keys = &cbc_keys};
    /* 48-byte plaintext: padding length may be at most 15 */
    static const uint8_t bad_lengths[] = {16, 17, 47, 48, 200, 255};
    for (size_t i = 0; i < sizeof(bad_lengths); i++) {
        wire w = {.len = 0};
        put_cbc(&w, &cbc_keys, 0, TLCP_CT_APPLICATION_DATA, DATA, 0, 15, C_PAD_LEN, 0,
                bad_lengths[i]);
        expect_fail(&w, &o, 0, TLCP_R_BAD_RECORD_MAC, TLCP_ALERT_BAD_RECORD_MAC);
    }
    /* all bytes equal 0x2f (47) in a 48-byte plaintext: padding eats the MAC */
    wire w = {.len = 0};
    uint8_t blob[48];
    memset(blob, 47, sizeof(blob));
    uint8_t iv[16] = {0}, ct[48];
    assert_true(tlcp_sm4_cbc_encrypt(cbc_keys.key, iv, blob, ct, 48, NULL));
    put_header(&w, TLCP_CT_APPLICATION_DATA, 0x0101, 64);
    put(&w, iv, 16);
    put(&w, ct, 48);
    expect_fail(&w, &o, 0, TLCP_R_BAD_RECORD_MAC, TLCP_ALERT_BAD_RECORD_MAC);
}

static void test_truncated_records(void **state)
{
    (void)state;
    feed_opts cbc = {.keys = &cbc_keys}, gcm = {.keys = &gcm_keys}, null = {0};
    uint8_t zeros[80] = {0};
    static const size_t cbc_bad[] = {0, 15, 16, 32, 48, 63, 65, 79};
    for (size_t i = 0; i < TLCP_ARRAY_LEN(cbc_bad); i++) {
        wire w = {.len = 0};
        put_record(&w, TLCP_CT_APPLICATION_DATA, zeros, cbc_bad[i]);
        expect_fail(&w, &cbc, 0, TLCP_R_BAD_RECORD_MAC, TLCP_ALERT_BAD_RECORD_MAC);
    }
    for (size_t n = 0; n < 24; n++) {
        wire w = {.len = 0};
        put_record(&w, TLCP_CT_APPLICATION_DATA, zeros, n);
        expect_fail(&w, &gcm, 0, TLCP_R_BAD_RECORD_MAC, TLCP_ALERT_BAD_RECORD_MAC);
    }
    /* a valid CBC record missing its last block (header adjusted) */
    wire w = {.len = 0};
    put_cbc(&w, &cbc_keys, 0, TLCP_CT_APPLICATION_DATA, DATA, dlen_for(0, 20), 0, C_NONE, 0, 0);
    size_t frag = w.len - 5 - 16;
    w.len -= 16;
    w.b[3] = (uint8_t)(frag >> 8);
    w.b[4] = (uint8_t)frag;
    expect_fail(&w, &cbc, 0, TLCP_R_BAD_RECORD_MAC, TLCP_ALERT_BAD_RECORD_MAC);
    /* the stream ends inside a record: header, then part of the body */
    for (size_t cut = 1; cut < 5 + 10; cut++) {
        wire t = {.len = 0};
        put_record(&t, TLCP_CT_HANDSHAKE, zeros, 10);
        t.len = cut;
        expect_fail(&t, &null, 0, TLCP_R_EOF, TLCP_NO_ALERT);
    }
    /* ... or inside a handshake message spread over records */
    wire h = {.len = 0};
    uint8_t part[6] = {2, 0, 0, 8, 1, 2};
    put_record(&h, TLCP_CT_HANDSHAKE, part, sizeof(part));
    expect_fail(&h, &null, 0, TLCP_R_EOF, TLCP_NO_ALERT);
}

static void test_oversize_records(void **state)
{
    (void)state;
    /* judged on the header alone: nothing past the 5 header bytes is read */
    feed_opts null = {.max_consumed = 5}, cbc = {.keys = &cbc_keys, .max_consumed = 5};
    wire w = {.len = 0};
    put_header(&w, TLCP_CT_HANDSHAKE, 0x0101, 16385);
    memset(w.b + w.len, 0, 16385);
    w.len += 16385;
    expect_fail(&w, &null, 0, TLCP_R_RECORD_OVERFLOW, TLCP_ALERT_RECORD_OVERFLOW);
    w.len = 0;
    put_header(&w, TLCP_CT_APPLICATION_DATA, 0x0101, 18433);
    memset(w.b + w.len, 0, 18433);
    w.len += 18433;
    expect_fail(&w, &cbc, 0, TLCP_R_RECORD_OVERFLOW, TLCP_ALERT_RECORD_OVERFLOW);
    w.len = 0;
    put_header(&w, TLCP_CT_APPLICATION_DATA, 0x0101, 0xffff);
    expect_fail(&w, &cbc, 0, TLCP_R_RECORD_OVERFLOW, TLCP_ALERT_RECORD_OVERFLOW);
    /* 2^14 + 2048 is still a legal ciphertext length: it fails later, on the MAC */
    w.len = 0;
    put_header(&w, TLCP_CT_APPLICATION_DATA, 0x0101, 18432);
    memset(w.b + w.len, 0, 18432);
    w.len += 18432;
    feed_opts cbc_any = {.keys = &cbc_keys};
    expect_fail(&w, &cbc_any, 0, TLCP_R_BAD_RECORD_MAC, TLCP_ALERT_BAD_RECORD_MAC);

    /* a well-formed record whose plaintext exceeds 2^14 */
    static uint8_t big[16400];
    memset(big, 'x', sizeof(big));
    w.len = 0;
    put_cbc(&w, &cbc_keys, 0, TLCP_CT_APPLICATION_DATA, big, dlen_for(0, 16385), 0, C_NONE, 0, 0);
    expect_fail(&w, &cbc_any, 0, TLCP_R_RECORD_OVERFLOW, TLCP_ALERT_RECORD_OVERFLOW);
}

static void test_oversize_gcm_plaintext(void **state)
{
    (void)state;
    /* seal 16385 bytes by hand with the record's nonce and AAD rules */
    static uint8_t big[16385], ct[16385];
    memset(big, 'y', sizeof(big));
    tlcp_gcm *g = tlcp_gcm_new(gcm_keys.key, NULL);
    assert_non_null(g);
    uint8_t nonce[12] = {0}, tag[16];
    memcpy(nonce, gcm_keys.iv, 4);
    uint8_t aad[13] = {0, 0, 0, 0, 0, 0, 0, 0, 23, 1, 1, 0x40, 0x01};
    assert_true(tlcp_gcm_seal(g, nonce, aad, 13, big, sizeof(big), ct, tag, NULL));
    tlcp_gcm_free(g);
    wire w = {.len = 0};
    put_header(&w, TLCP_CT_APPLICATION_DATA, 0x0101, 8 + sizeof(big) + 16);
    put(&w, nonce + 4, 8);
    put(&w, ct, sizeof(ct));
    put(&w, tag, 16);
    feed_opts gcm = {.keys = &gcm_keys};
    expect_fail(&w, &gcm, 0, TLCP_R_RECORD_OVERFLOW, TLCP_ALERT_RECORD_OVERFLOW);
}

static void test_gcm_bad_tag(void **state)
{
    (void)state;
    feed_opts gcm = {.keys = &gcm_keys};
    tu_pipe p;
    tu_pipe_init(&p);
    tlcp_record_layer *wr = tu_record_new(&p);
    assert_true(tlcp_record_set_pending_write(wr, &gcm_keys) && tlcp_record_activate_write(wr));
    assert_true(tlcp_record_write(wr, TLCP_CT_APPLICATION_DATA, DATA, 20));
    tu_flush(wr);
    assert_int_equal(p.len, 5 + 8 + 20 + 16);
    wire good = {.len = 0};
    put(&good, p.buf, p.len);
    expect_ok(&good, &gcm_keys, DATA, 20);
    /* any flipped bit after the header: explicit nonce, ciphertext or tag */
    for (size_t pos = 5; pos < good.len; pos++) {
        wire w = good;
        w.b[pos] ^= 0x04;
        expect_fail(&w, &gcm, 0, TLCP_R_BAD_RECORD_MAC, TLCP_ALERT_BAD_RECORD_MAC);
    }
    /* right record, wrong sequence number (replay / reorder) */
    feed_opts later = {.keys = &gcm_keys, .seq = 1};
    expect_fail(&good, &later, 0, TLCP_R_BAD_RECORD_MAC, TLCP_ALERT_BAD_RECORD_MAC);
    tlcp_record_free(wr);
    tu_pipe_free(&p);
}

static void test_wrong_content_type(void **state)
{
    (void)state;
    feed_opts null = {.max_consumed = 5}, cbc = {.keys = &cbc_keys, .max_consumed = 5};
    static const uint8_t types[] = {0, 19, 24, 25, 0x80, 0xff};
    uint8_t body[4] = {1, 0, 0, 0};
    for (size_t i = 0; i < sizeof(types); i++) {
        wire w = {.len = 0};
        put_record(&w, types[i], body, sizeof(body));
        expect_fail(&w, &null, 0, TLCP_R_UNEXPECTED_MESSAGE, TLCP_ALERT_UNEXPECTED_MESSAGE);
        expect_fail(&w, &cbc, 0, TLCP_R_UNEXPECTED_MESSAGE, TLCP_ALERT_UNEXPECTED_MESSAGE);
    }
    /* application data under null protection (before ChangeCipherSpec) */
    wire w = {.len = 0};
    put_record(&w, TLCP_CT_APPLICATION_DATA, body, sizeof(body));
    feed_opts plain = {0};
    expect_fail(&w, &plain, 0, TLCP_R_UNEXPECTED_MESSAGE, TLCP_ALERT_UNEXPECTED_MESSAGE);
}

/* Plain HTTP at a TLCP port is named as such, from its first 5 bytes. */
static void test_http_request(void **state)
{
    (void)state;
    feed_opts null = {.max_consumed = 5};
    static const char *const requests[] = {
        "GET / HTTP/1.1\r\n\r\n", "POST /x HTTP/1.0\r\n", "HEAD / HTTP/1.0\r\n\r\n",
        "OPTIONS * HTTP/1.1\r\n", "CONNECT a:1 HTTP/1.1", "PRI * HTTP/2.0\r\n",
    };
    for (size_t i = 0; i < TLCP_ARRAY_LEN(requests); i++) {
        wire w = {.len = 0};
        put(&w, (const uint8_t *)requests[i], strlen(requests[i]));
        expect_fail(&w, &null, 0, TLCP_R_NOT_TLCP_HTTP, TLCP_ALERT_UNEXPECTED_MESSAGE);
    }
    /* lower case or other text is just an unknown content type */
    static const char *const other[] = {"get / HTTP/1.1\r\n", "GET\r\n\r\n", "SSH-2.0-x\r\n"};
    for (size_t i = 0; i < TLCP_ARRAY_LEN(other); i++) {
        wire w = {.len = 0};
        put(&w, (const uint8_t *)other[i], strlen(other[i]));
        expect_fail(&w, &null, 0, TLCP_R_UNEXPECTED_MESSAGE, TLCP_ALERT_UNEXPECTED_MESSAGE);
    }
}

static void test_wrong_version(void **state)
{
    (void)state;
    feed_opts null = {.max_consumed = 5};
    static const uint16_t versions[] = {0x0100, 0x0102, 0x0301, 0x0303, 0x0001, 0xffff};
    uint8_t body[4] = {14, 0, 0, 0};
    for (size_t i = 0; i < TLCP_ARRAY_LEN(versions); i++) {
        wire w = {.len = 0};
        put_header(&w, TLCP_CT_HANDSHAKE, versions[i], sizeof(body));
        put(&w, body, sizeof(body));
        expect_fail(&w, &null, 0, TLCP_R_PROTOCOL_VERSION, TLCP_ALERT_PROTOCOL_VERSION);
    }
    /* a good record first, then a bad one */
    wire w = {.len = 0};
    put_record(&w, TLCP_CT_HANDSHAKE, body, sizeof(body));
    put_header(&w, TLCP_CT_HANDSHAKE, 0x0303, sizeof(body));
    put(&w, body, sizeof(body));
    feed_opts any = {0};
    expect_fail(&w, &any, 1, TLCP_R_PROTOCOL_VERSION, TLCP_ALERT_PROTOCOL_VERSION);
}

static void test_sequence_wrap(void **state)
{
    (void)state;
    static const tlcp_record_keys *keys[] = {&cbc_keys, &gcm_keys};
    for (size_t i = 0; i < 2; i++) {
        /* writing: 2^64 - 1 is the last usable number */
        tu_pipe p;
        tu_pipe_init(&p);
        tlcp_record_layer *wr = tu_record_new(&p);
        assert_true(tlcp_record_set_pending_write(wr, keys[i]) && tlcp_record_activate_write(wr));
        tlcp_record_test_set_seq(wr, 1, UINT64_MAX - 1);
        assert_true(tlcp_record_write(wr, TLCP_CT_APPLICATION_DATA, DATA, 4));
        assert_true(tlcp_record_write(wr, TLCP_CT_APPLICATION_DATA, DATA, 4));
        size_t queued = tlcp_record_pending_output(wr);
        assert_false(tlcp_record_write(wr, TLCP_CT_APPLICATION_DATA, DATA, 4));
        assert_int_equal(tlcp_record_error(wr)->reason, TLCP_R_SEQUENCE_OVERFLOW);
        assert_int_equal(tlcp_record_pending_output(wr), queued); /* nothing half-written */
        tu_flush(wr);

        /* reading: the two records at 2^64-2 and 2^64-1 open, a third does not */
        tlcp_record_layer *w2 = tu_record_new(&p);
        assert_true(tlcp_record_set_pending_write(w2, keys[i]) && tlcp_record_activate_write(w2));
        assert_true(tlcp_record_write(w2, TLCP_CT_APPLICATION_DATA, DATA, 4));
        tu_flush(w2);
        wire w = {.len = 0};
        put(&w, p.buf, p.len);
        feed_opts o = {.keys = keys[i], .seq = UINT64_MAX - 1};
        expect_fail(&w, &o, 2, TLCP_R_SEQUENCE_OVERFLOW, TLCP_ALERT_INTERNAL_ERROR);
        tlcp_record_free(wr);
        tlcp_record_free(w2);
        tu_pipe_free(&p);
    }
}

static void empty_records(wire *w, tlcp_record_layer *wr, tu_pipe *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        assert_true(tlcp_record_write(wr, TLCP_CT_APPLICATION_DATA, NULL, 0));
    tu_flush(wr);
    put(w, p->buf, p->len);
    p->len = 0;
}

static void test_empty_record_flood(void **state)
{
    (void)state;
    static const tlcp_record_keys *keys[] = {&cbc_keys, &gcm_keys};
    for (size_t i = 0; i < 2; i++) {
        tu_pipe p;
        tu_pipe_init(&p);
        tlcp_record_layer *wr = tu_record_new(&p);
        assert_true(tlcp_record_set_pending_write(wr, keys[i]) && tlcp_record_activate_write(wr));
        wire w = {.len = 0};
        /* 32 empty, data, 32 empty, data: fine (the run restarts) */
        empty_records(&w, wr, &p, 32);
        assert_true(tlcp_record_write(wr, TLCP_CT_APPLICATION_DATA, DATA, 3));
        empty_records(&w, wr, &p, 32);
        assert_true(tlcp_record_write(wr, TLCP_CT_APPLICATION_DATA, DATA + 3, 3));
        empty_records(&w, wr, &p, 0);
        expect_ok(&w, keys[i], DATA, 6);
        /* then 33 in a row: fatal */
        empty_records(&w, wr, &p, 33);
        assert_true(tlcp_record_write(wr, TLCP_CT_APPLICATION_DATA, DATA, 3));
        empty_records(&w, wr, &p, 0);
        feed_opts o = {.keys = keys[i]};
        expect_fail(&w, &o, 2, TLCP_R_TOO_MANY_EMPTY_RECORDS, TLCP_ALERT_UNEXPECTED_MESSAGE);
        tlcp_record_free(wr);
        tu_pipe_free(&p);
    }
    /* empty handshake records under null protection count as well */
    wire w = {.len = 0};
    for (int i = 0; i < 33; i++)
        put_record(&w, TLCP_CT_HANDSHAKE, NULL, 0);
    feed_opts null = {0};
    expect_fail(&w, &null, 0, TLCP_R_TOO_MANY_EMPTY_RECORDS, TLCP_ALERT_UNEXPECTED_MESSAGE);
}

static void test_bad_change_cipher_spec(void **state)
{
    (void)state;
    feed_opts null = {0};
    static const uint8_t payloads[][3] = {{0}, {2}, {0xff}, {1, 1}, {1, 0}, {1, 1, 1}};
    static const size_t lens[] = {1, 1, 1, 2, 2, 3};
    for (size_t i = 0; i < TLCP_ARRAY_LEN(lens); i++) {
        wire w = {.len = 0};
        put_record(&w, TLCP_CT_CHANGE_CIPHER_SPEC, payloads[i], lens[i]);
        expect_fail(&w, &null, 0, TLCP_R_UNEXPECTED_MESSAGE, TLCP_ALERT_UNEXPECTED_MESSAGE);
    }
    wire w = {.len = 0};
    put_record(&w, TLCP_CT_CHANGE_CIPHER_SPEC, NULL, 0);
    expect_fail(&w, &null, 0, TLCP_R_UNEXPECTED_MESSAGE, TLCP_ALERT_UNEXPECTED_MESSAGE);
}

static void test_bad_alert_record(void **state)
{
    (void)state;
    feed_opts null = {0};
    uint8_t a[3] = {1, 0, 0};
    for (size_t n = 0; n <= 3; n++) {
        if (n == 2)
            continue;
        wire w = {.len = 0};
        put_record(&w, TLCP_CT_ALERT, a, n);
        expect_fail(&w, &null, 0, TLCP_R_DECODE, TLCP_ALERT_DECODE_ERROR);
    }
}

static void test_handshake_message_over_limit(void **state)
{
    (void)state;
    /* the header alone (its own record) is enough to refuse: the body
     * records behind it are never read */
    uint8_t hdr[4] = {1, 0, 0, 101};
    wire w = {.len = 0};
    put_record(&w, TLCP_CT_HANDSHAKE, hdr, 4);
    size_t header_end = w.len;
    uint8_t body[101] = {0};
    put_record(&w, TLCP_CT_HANDSHAKE, body, sizeof(body));
    feed_opts o = {.hs_limit = 1, .max_consumed = header_end};
    expect_fail(&w, &o, 0, TLCP_R_MESSAGE_TOO_LONG, TLCP_ALERT_ILLEGAL_PARAMETER);
    /* header split over two records */
    w.len = 0;
    put_record(&w, TLCP_CT_HANDSHAKE, hdr, 2);
    put_record(&w, TLCP_CT_HANDSHAKE, hdr + 2, 2);
    header_end = w.len;
    put_record(&w, TLCP_CT_HANDSHAKE, body, sizeof(body));
    o.max_consumed = header_end;
    expect_fail(&w, &o, 0, TLCP_R_MESSAGE_TOO_LONG, TLCP_ALERT_ILLEGAL_PARAMETER);
    /* whole message in one record, and a second type with a lower limit */
    uint8_t msg[4 + 17] = {11, 0, 0, 17};
    w.len = 0;
    put_record(&w, TLCP_CT_HANDSHAKE, msg, sizeof(msg));
    o.max_consumed = 0;
    expect_fail(&w, &o, 0, TLCP_R_MESSAGE_TOO_LONG, TLCP_ALERT_ILLEGAL_PARAMETER);
    /* at the limit is fine, the next message over it is not */
    uint8_t two[4 + 16 + 4] = {11, 0, 0, 16};
    two[20] = 1;
    two[23] = 101;
    w.len = 0;
    put_record(&w, TLCP_CT_HANDSHAKE, two, sizeof(two));
    expect_fail(&w, &o, 1, TLCP_R_MESSAGE_TOO_LONG, TLCP_ALERT_ILLEGAL_PARAMETER);
}

static void test_interleaved_handshake(void **state)
{
    (void)state;
    feed_opts null = {0};
    uint8_t part[6] = {2, 0, 0, 8, 1, 2};
    uint8_t ccs = 1, alert[2] = {1, 0};
    wire w = {.len = 0};
    put_record(&w, TLCP_CT_HANDSHAKE, part, sizeof(part));
    put_record(&w, TLCP_CT_CHANGE_CIPHER_SPEC, &ccs, 1);
    expect_fail(&w, &null, 0, TLCP_R_UNEXPECTED_MESSAGE, TLCP_ALERT_UNEXPECTED_MESSAGE);
    w.len = 0;
    put_record(&w, TLCP_CT_HANDSHAKE, part, 2);
    put_record(&w, TLCP_CT_ALERT, alert, 2);
    expect_fail(&w, &null, 0, TLCP_R_UNEXPECTED_MESSAGE, TLCP_ALERT_UNEXPECTED_MESSAGE);
    /* keys may not change with a handshake message half received */
    tu_pipe p;
    tu_pipe_init(&p);
    tu_pipe_push(&p, w.b, 5 + 2);
    tlcp_record_layer *r = tu_record_new(&p);
    tlcp_record_item it;
    assert_int_equal(tu_next(r, &p, &it), TLCP_WANT_READ);
    assert_true(tlcp_record_set_pending_read(r, &gcm_keys));
    assert_false(tlcp_record_activate_read(r));
    assert_int_equal(tlcp_record_error(r)->reason, TLCP_R_UNEXPECTED_MESSAGE);
    tlcp_record_free(r);
    tu_pipe_free(&p);
}

static void test_transport_failures(void **state)
{
    (void)state;
    tu_pipe p;
    tu_pipe_init(&p);
    p.fail_reads = 1;
    tlcp_record_layer *r = tu_record_new(&p);
    tlcp_record_item it;
    assert_int_equal(tlcp_record_next(r, &it), TLCP_ERROR);
    assert_int_equal(tlcp_record_error(r)->reason, TLCP_R_TRANSPORT);
    tlcp_record_free(r);
    r = tlcp_record_new(NULL);
    assert_int_equal(tlcp_record_next(r, &it), TLCP_ERROR);
    assert_int_equal(tlcp_record_error(r)->reason, TLCP_R_INVALID_ARGUMENT);
    tlcp_record_free(r);
    tu_pipe_free(&p);
}

/* Random fragments under each protection: always a clean error, never a
 * crash or an out-of-bounds read (the sanitizer build watches). */
static void test_random_garbage(void **state)
{
    (void)state;
    uint64_t x = 0x123456789abcdefull;
    const tlcp_record_keys *keys[] = {NULL, &cbc_keys, &gcm_keys};
    for (int round = 0; round < 600; round++) {
        wire w = {.len = 0};
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        size_t n = (size_t)(x % 700);
        uint8_t type = (uint8_t)(20 + (x >> 20) % 4);
        put_header(&w, type, 0x0101, n);
        for (size_t i = 0; i < n; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            w.b[w.len++] = (uint8_t)x;
        }
        const tlcp_record_keys *k = keys[round % 3];
        tu_pipe p;
        tu_pipe_init(&p);
        p.eof = 1;
        p.read_chunk = (size_t)(round % 5);
        tu_pipe_push(&p, w.b, w.len);
        tlcp_record_layer *r = tu_record_new(&p);
        if (k != NULL)
            assert_true(tlcp_record_set_pending_read(r, k) && tlcp_record_activate_read(r));
        tlcp_record_item it;
        tlcp_result res;
        int items = 0;
        while ((res = tu_next(r, &p, &it)) == TLCP_OK)
            items++;
        if (k != NULL) /* a forged protected record never opens */
            assert_int_equal(items, 0);
        assert_true(res == TLCP_ERROR || res == TLCP_CLOSED);
        tlcp_record_free(r);
        tu_pipe_free(&p);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cbc_any_valid_padding_accepted),
        cmocka_unit_test(test_cbc_valid_lengths_and_paddings),
        cmocka_unit_test(test_cbc_wrong_padding_length_byte),
        cmocka_unit_test(test_cbc_bad_padding_every_position),
        cmocka_unit_test(test_cbc_bad_mac),
        cmocka_unit_test(test_cbc_padding_longer_than_record),
        cmocka_unit_test(test_truncated_records),
        cmocka_unit_test(test_oversize_records),
        cmocka_unit_test(test_oversize_gcm_plaintext),
        cmocka_unit_test(test_gcm_bad_tag),
        cmocka_unit_test(test_wrong_content_type),
        cmocka_unit_test(test_http_request),
        cmocka_unit_test(test_wrong_version),
        cmocka_unit_test(test_sequence_wrap),
        cmocka_unit_test(test_empty_record_flood),
        cmocka_unit_test(test_bad_change_cipher_spec),
        cmocka_unit_test(test_bad_alert_record),
        cmocka_unit_test(test_handshake_message_over_limit),
        cmocka_unit_test(test_interleaved_handshake),
        cmocka_unit_test(test_transport_failures),
        cmocka_unit_test(test_random_garbage),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
