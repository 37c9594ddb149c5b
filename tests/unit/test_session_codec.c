/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Exported sessions (tlcp_session_export / _import and the PEM armour):
 * every field survives a round trip, and every damaged, foreign, future,
 * oversize or expired input is refused with its own reason.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/crypto.h"
#include "handshake/session.h"
#include "tlcp/tlcp.h"
#include "x509/x509.h"

#define FIX "interop/tongsuo-ecc-sm4-cbc-sm3-clientauth/"

#define HEADER 9 /* magic 4, version 1, length 4 */
#define CHECK  32

static tlcp_cert *fixture_cert(const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), "%s", tu_data_path(name));
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_cert *c = tlcp_cert_load_file(path, &err);
    assert_non_null(c);
    return c;
}

/* A session as a client would keep it: both server certificates, bound to
 * "localhost", verified. */
static tlcp_session *sample_session(int64_t created, uint32_t lifetime)
{
    uint8_t id[TLCP_SESSION_ID_LEN], master[TLCP_MASTER_SECRET_LEN];
    for (size_t i = 0; i < sizeof(id); i++)
        id[i] = (uint8_t)(0xA0 + i);
    for (size_t i = 0; i < sizeof(master); i++)
        master[i] = (uint8_t)(i * 5 + 1);
    tlcp_cert *certs[2] = {fixture_cert(FIX "server-sign.pem"), fixture_cert(FIX "server-enc.pem")};
    tlcp_session *s = tlcp_session_new(id, TLCP_ECC_SM4_GCM_SM3, master, certs);
    assert_non_null(s);
    tlcp_cert_free(certs[0]);
    tlcp_cert_free(certs[1]);
    assert_true(tlcp_session_bind_peer(s, "localhost", 1));
    tlcp_session_set_times(s, created, lifetime);
    return s;
}

static uint8_t *export_of(const tlcp_session *s, size_t *len)
{
    assert_int_equal(tlcp_session_export(s, NULL, 0, len), TLCP_ERROR); /* size query */
    assert_true(*len > HEADER + CHECK);
    uint8_t *buf = malloc(*len);
    assert_non_null(buf);
    size_t got = 0;
    assert_int_equal(tlcp_session_export(s, buf, *len - 1, &got), TLCP_ERROR); /* 1 short */
    assert_int_equal(got, *len);
    assert_int_equal(tlcp_session_export(s, buf, *len, &got), TLCP_OK);
    assert_int_equal(got, *len);
    return buf;
}

static int import_reason(const uint8_t *in, size_t len)
{
    tlcp_session *s = (tlcp_session *)1;
    int reason = -1;
    tlcp_result r = tlcp_session_import(in, len, &s, &reason);
    if (r == TLCP_OK) {
        tlcp_session_free(s);
        return TLCP_R_NONE;
    }
    assert_null(s);
    return reason;
}

static void assert_same_session(const tlcp_session *a, const tlcp_session *b)
{
    assert_memory_equal(a->id, b->id, TLCP_SESSION_ID_LEN);
    assert_int_equal(a->suite, b->suite);
    assert_memory_equal(a->master, b->master, TLCP_MASTER_SECRET_LEN);
    assert_int_equal(a->created, b->created);
    assert_int_equal(a->lifetime, b->lifetime);
    assert_int_equal(a->verified, b->verified);
    assert_int_equal(a->overridden, b->overridden);
    assert_int_equal(a->verify_reason, b->verify_reason);
    if (a->host == NULL)
        assert_null(b->host);
    else
        assert_string_equal(a->host, b->host);
    for (int i = 0; i < 2; i++) {
        if (a->peer_cert[i] == NULL) {
            assert_null(b->peer_cert[i]);
            continue;
        }
        const uint8_t *da, *db;
        size_t la, lb;
        tlcp_cert_der(a->peer_cert[i], &da, &la);
        tlcp_cert_der(b->peer_cert[i], &db, &lb);
        assert_int_equal(la, lb);
        assert_memory_equal(da, db, la);
    }
}

static void test_round_trip(void **state)
{
    (void)state;
    tlcp_session *s = sample_session((int64_t)time(NULL) - 10, 600);
    size_t len = 0;
    uint8_t *buf = export_of(s, &len);
    assert_memory_equal(buf, "TLCS\x01", 5);
    tlcp_session *t = NULL;
    int reason = -1;
    assert_int_equal(tlcp_session_import(buf, len, &t, &reason), TLCP_OK);
    assert_int_equal(reason, TLCP_R_NONE);
    assert_same_session(s, t);
    tlcp_session_free(t);

    /* checks failed but the verify callback accepted: recorded as such */
    tlcp_session_mark_overridden(s, TLCP_R_CERT_VERIFY_FAILED);
    free(buf);
    buf = export_of(s, &len);
    assert_int_equal(tlcp_session_import(buf, len, &t, NULL), TLCP_OK);
    assert_same_session(s, t);
    assert_int_equal(t->overridden, 1);
    assert_int_equal(t->verified, 0);
    assert_int_equal(tlcp_session_fits_peer(t, "localhost", TLCP_VERIFY_REQUIRED), 0);
    tlcp_session_free(t);

    /* no host, not verified, no certificates (a server-side session) */
    tlcp_cert *none[2] = {NULL, NULL};
    tlcp_session *bare = tlcp_session_new(s->id, TLCP_ECC_SM4_CBC_SM3, s->master, none);
    assert_non_null(bare);
    size_t blen = 0;
    uint8_t *bbuf = export_of(bare, &blen);
    assert_true(blen < len);
    assert_int_equal(tlcp_session_import(bbuf, blen, &t, NULL), TLCP_OK);
    assert_same_session(bare, t);
    assert_int_equal(t->lifetime, TLCP_DEFAULT_SESSION_LIFETIME);
    tlcp_session_free(t);
    free(bbuf);
    tlcp_session_free(bare);
    free(buf);
    tlcp_session_free(s);
}

static void test_truncated(void **state)
{
    (void)state;
    tlcp_session *s = sample_session((int64_t)time(NULL), 600);
    size_t len = 0;
    uint8_t *buf = export_of(s, &len);
    for (size_t n = 0; n < len; n++)
        assert_int_equal(import_reason(buf, n), TLCP_R_SESSION_FORMAT);
    /* a trailing byte is as wrong as a missing one */
    uint8_t *longer = malloc(len + 1);
    assert_non_null(longer);
    memcpy(longer, buf, len);
    longer[len] = 0;
    assert_int_equal(import_reason(longer, len + 1), TLCP_R_SESSION_FORMAT);
    free(longer);
    assert_int_equal(import_reason(NULL, 0), TLCP_R_INVALID_ARGUMENT);
    free(buf);
    tlcp_session_free(s);
}

/* Each single bit flip is caught; which reason depends on where it lands. */
static void test_bit_flips(void **state)
{
    (void)state;
    tlcp_session *s = sample_session((int64_t)time(NULL), 600);
    size_t len = 0;
    uint8_t *buf = export_of(s, &len);
    for (size_t i = 0; i < len; i++) {
        for (int bit = 0; bit < 8; bit++) {
            buf[i] ^= (uint8_t)(1u << bit);
            int want = i < 4        ? TLCP_R_SESSION_FORMAT     /* magic */
                       : i == 4     ? TLCP_R_SESSION_VERSION    /* version */
                       : i < HEADER ? TLCP_R_SESSION_FORMAT     /* length */
                                    : TLCP_R_SESSION_INTEGRITY; /* body, checksum */
            int got = import_reason(buf, len);
            if (got != want)
                fail_msg("flip of byte %zu bit %d: reason %d, expected %d", i, bit, got, want);
            buf[i] ^= (uint8_t)(1u << bit);
        }
    }
    assert_int_equal(import_reason(buf, len), TLCP_R_NONE);
    free(buf);
    tlcp_session_free(s);
}

static void test_wrong_version_and_magic(void **state)
{
    (void)state;
    tlcp_session *s = sample_session((int64_t)time(NULL), 600);
    size_t len = 0;
    uint8_t *buf = export_of(s, &len);
    buf[4] = 2;
    assert_int_equal(import_reason(buf, len), TLCP_R_SESSION_VERSION);
    buf[4] = 0;
    assert_int_equal(import_reason(buf, len), TLCP_R_SESSION_VERSION);
    buf[4] = 1;
    memcpy(buf, "TLCT", 4);
    assert_int_equal(import_reason(buf, len), TLCP_R_SESSION_FORMAT);
    /* a PEM text or a certificate handed to the binary reader */
    assert_int_equal(import_reason((const uint8_t *)"-----BEGIN TLCP SESSION PARAMETERS-----\n"
                                                    "VExDUwE=\n-----END TLCP SESSION",
                                   60),
                     TLCP_R_SESSION_FORMAT);
    free(buf);
    tlcp_session_free(s);
}

static void test_oversize(void **state)
{
    (void)state;
    size_t len = TLCP_SESSION_EXPORT_MAX + 1;
    uint8_t *big = calloc(1, len);
    assert_non_null(big);
    memcpy(big, "TLCS\x01", 5);
    assert_int_equal(import_reason(big, len), TLCP_R_SESSION_FORMAT);
    assert_int_equal(import_reason(big, TLCP_SESSION_EXPORT_MAX), TLCP_R_SESSION_FORMAT);
    free(big);
}

static void test_expired(void **state)
{
    (void)state;
    int64_t now = (int64_t)time(NULL);
    tlcp_session *old = sample_session(now - 7200, 3600);
    size_t len = 0;
    uint8_t *buf = export_of(old, &len);
    assert_int_equal(import_reason(buf, len), TLCP_R_SESSION_EXPIRED);
    /* the same data read as of its lifetime's last second is fine */
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_session *t = tlcp_session_decode(buf, len, now - 3600, &err);
    assert_non_null(t);
    tlcp_session_free(t);
    t = tlcp_session_decode(buf, len, now - 3599, &err);
    assert_null(t);
    assert_int_equal(err.reason, TLCP_R_SESSION_EXPIRED);
    /* an expired session is not offered either */
    assert_int_equal(tlcp_session_fits_peer(old, "localhost", TLCP_VERIFY_REQUIRED), 0);
    free(buf);
    tlcp_session_free(old);

    /* made far in the future (clock skew beyond the tolerance) */
    tlcp_session *future = sample_session(now + 3600, 600);
    buf = export_of(future, &len);
    assert_int_equal(import_reason(buf, len), TLCP_R_SESSION_EXPIRED);
    assert_int_equal(tlcp_session_fits_peer(future, "localhost", TLCP_VERIFY_REQUIRED), 0);
    free(buf);
    tlcp_session_free(future);

    tlcp_session *fresh = sample_session(now, 600);
    assert_int_equal(tlcp_session_fits_peer(fresh, "localhost", TLCP_VERIFY_REQUIRED), 1);
    assert_int_equal(tlcp_session_fits_peer(fresh, "other.example", TLCP_VERIFY_REQUIRED), 0);
    tlcp_session_free(fresh);
}

/* ---- bodies with a valid checksum but a bad structure ---- */

static size_t sealed(const uint8_t *body, size_t body_len, uint8_t *out)
{
    memcpy(out, "TLCS\x01", 5);
    out[5] = (uint8_t)(body_len >> 24);
    out[6] = (uint8_t)(body_len >> 16);
    out[7] = (uint8_t)(body_len >> 8);
    out[8] = (uint8_t)body_len;
    memcpy(out + HEADER, body, body_len);
    tlcp_error err;
    tlcp_error_clear(&err);
    assert_true(tlcp_sm3(out, HEADER + body_len, out + HEADER + body_len, &err));
    return HEADER + body_len + CHECK;
}

static size_t field(uint8_t *p, uint8_t type, size_t len, uint8_t fill)
{
    p[0] = type;
    p[1] = (uint8_t)(len >> 8);
    p[2] = (uint8_t)len;
    memset(p + 3, fill, len);
    return 3 + len;
}

/* The six required fields with valid values (created now, lifetime 600,
 * flags 0); `skip` leaves one out, `bad_len` makes one a byte longer.
 * Returns the body length. */
static size_t required_fields(uint8_t *p, int skip, int bad_len)
{
    static const size_t lens[] = {0, 32, 2, 48, 8, 4, 1};
    uint64_t now = (uint64_t)time(NULL);
    size_t n = 0;
    for (int t = 1; t <= 6; t++) {
        if (t == skip)
            continue;
        size_t l = lens[t] + (t == bad_len ? 1 : 0);
        size_t at = n + 3;
        n += field(p + n, (uint8_t)t, l, 0);
        for (int i = 0; t == 4 && i < 8; i++)
            p[at + (size_t)i] = (uint8_t)(now >> (56 - 8 * i));
        if (t == 5) {
            p[at + 2] = 0x02; /* 600 */
            p[at + 3] = 0x58;
        }
    }
    return n;
}

static void test_structure(void **state)
{
    (void)state;
    uint8_t body[600], out[700];
    size_t n = required_fields(body, 0, 0);
    assert_int_equal(import_reason(out, sealed(body, n, out)), TLCP_R_NONE);
    assert_int_equal(import_reason(out, sealed(body, 0, out)), TLCP_R_SESSION_FORMAT); /* empty */

    uint8_t copy[600];
    for (int t = 1; t <= 6; t++) {
        size_t m = required_fields(copy, t, 0);
        if (import_reason(out, sealed(copy, m, out)) != TLCP_R_SESSION_FORMAT)
            fail_msg("missing field %d accepted", t);
        m = required_fields(copy, 0, t);
        if (import_reason(out, sealed(copy, m, out)) != TLCP_R_SESSION_FORMAT)
            fail_msg("field %d with a wrong length accepted", t);
    }
    memcpy(copy, body, n);
    /* unknown field, repeated field, fields out of order */
    size_t m = n + field(copy + n, 10, 1, 0);
    assert_int_equal(import_reason(out, sealed(copy, m, out)), TLCP_R_SESSION_FORMAT);
    m = n + field(copy + n, 6, 1, 0);
    assert_int_equal(import_reason(out, sealed(copy, m, out)), TLCP_R_SESSION_FORMAT);
    m = field(copy, 2, 2, 0);
    m += field(copy + m, 1, 32, 0);
    assert_int_equal(import_reason(out, sealed(copy, m, out)), TLCP_R_SESSION_FORMAT);
    /* a field running past the end, a cut field header */
    memcpy(copy, body, n);
    copy[n] = 7;
    copy[n + 1] = 0;
    copy[n + 2] = 9;
    memcpy(copy + n + 3, "abc", 3);
    assert_int_equal(import_reason(out, sealed(copy, n + 6, out)), TLCP_R_SESSION_FORMAT);
    assert_int_equal(import_reason(out, sealed(copy, n + 2, out)), TLCP_R_SESSION_FORMAT);
    /* bad flags, zero lifetime */
    memcpy(copy, body, n);
    copy[n - 1] = 0x02;
    assert_int_equal(import_reason(out, sealed(copy, n, out)), TLCP_R_SESSION_FORMAT);
    copy[n - 1] = 0x01;
    assert_int_equal(import_reason(out, sealed(copy, n, out)), TLCP_R_NONE);
    memcpy(copy, body, n);
    memset(copy + n - 4 - 3 - 4, 0, 4);
    assert_int_equal(import_reason(out, sealed(copy, n, out)), TLCP_R_SESSION_FORMAT);
    /* verified and overridden at once; overridden without a reason; a
     * reason without the flag; a zero reason */
    memcpy(copy, body, n);
    copy[n - 1] = 0x03;
    assert_int_equal(import_reason(out, sealed(copy, n, out)), TLCP_R_SESSION_FORMAT);
    copy[n - 1] = 0x02;
    assert_int_equal(import_reason(out, sealed(copy, n, out)), TLCP_R_SESSION_FORMAT);
    m = n + field(copy + n, 10, 2, 0);
    copy[m - 1] = TLCP_R_CERT_VERIFY_FAILED;
    assert_int_equal(import_reason(out, sealed(copy, m, out)), TLCP_R_NONE);
    copy[m - 1] = 0;
    assert_int_equal(import_reason(out, sealed(copy, m, out)), TLCP_R_SESSION_FORMAT);
    copy[m - 1] = TLCP_R_CERT_VERIFY_FAILED;
    copy[n - 1] = 0x00;
    assert_int_equal(import_reason(out, sealed(copy, m, out)), TLCP_R_SESSION_FORMAT);
    m = n + field(copy + n, 10, 3, 1);
    copy[n - 1] = 0x02;
    assert_int_equal(import_reason(out, sealed(copy, m, out)), TLCP_R_SESSION_FORMAT);
    /* a creation time beyond 2^62 (or "negative") */
    memcpy(copy, body, n);
    memset(copy + 94, 0xFF, 8);
    assert_int_equal(import_reason(out, sealed(copy, n, out)), TLCP_R_SESSION_FORMAT);
    copy[94] = 0x40;
    memset(copy + 95, 0, 7);
    assert_int_equal(import_reason(out, sealed(copy, n, out)), TLCP_R_SESSION_EXPIRED); /* 2^62 */
    copy[101] = 1;
    assert_int_equal(import_reason(out, sealed(copy, n, out)), TLCP_R_SESSION_FORMAT);
    /* host name: empty, with a NUL, 256 bytes; then a valid one */
    memcpy(copy, body, n);
    m = n + field(copy + n, 7, 0, 'a');
    assert_int_equal(import_reason(out, sealed(copy, m, out)), TLCP_R_SESSION_FORMAT);
    m = n + field(copy + n, 7, 5, 'a');
    copy[n + 5] = 0;
    assert_int_equal(import_reason(out, sealed(copy, m, out)), TLCP_R_SESSION_FORMAT);
    m = n + field(copy + n, 7, 256, 'a');
    assert_int_equal(import_reason(out, sealed(copy, m, out)), TLCP_R_SESSION_FORMAT);
    m = n + field(copy + n, 7, 255, 'a');
    assert_int_equal(import_reason(out, sealed(copy, m, out)), TLCP_R_NONE);
    /* a peer certificate that is not DER */
    m = n + field(copy + n, 8, 20, 0x30);
    assert_int_equal(import_reason(out, sealed(copy, m, out)), TLCP_R_SESSION_FORMAT);
    m = n + field(copy + n, 9, 0, 0);
    assert_int_equal(import_reason(out, sealed(copy, m, out)), TLCP_R_SESSION_FORMAT);
}

/* ---- PEM ---- */

static char *pem_of(const tlcp_session *s, size_t *len)
{
    assert_int_equal(tlcp_session_export_pem(s, NULL, 0, len), TLCP_ERROR);
    char *text = malloc(*len + 1);
    assert_non_null(text);
    size_t got = 0;
    assert_int_equal(tlcp_session_export_pem(s, text, *len, &got),
                     TLCP_ERROR); /* no room for NUL */
    assert_int_equal(tlcp_session_export_pem(s, text, *len + 1, &got), TLCP_OK);
    assert_int_equal(got, *len);
    assert_int_equal(strlen(text), *len);
    return text;
}

static int pem_reason(const char *text, size_t len)
{
    tlcp_session *s = NULL;
    int reason = -1;
    if (tlcp_session_import_pem(text, len, &s, &reason) == TLCP_OK) {
        tlcp_session_free(s);
        return TLCP_R_NONE;
    }
    assert_null(s);
    return reason;
}

static void test_pem(void **state)
{
    (void)state;
    tlcp_session *s = sample_session((int64_t)time(NULL), 600);
    size_t len = 0;
    char *text = pem_of(s, &len);
    assert_true(strncmp(text, "-----BEGIN TLCP SESSION PARAMETERS-----\n", 40) == 0);
    assert_non_null(strstr(text, "\n-----END TLCP SESSION PARAMETERS-----\n"));
    for (const char *line = strchr(text, '\n') + 1; *line != '-'; line = strchr(line, '\n') + 1)
        assert_true(strchr(line, '\n') - line <= 64);
    tlcp_session *t = NULL;
    assert_int_equal(tlcp_session_import_pem(text, len, &t, NULL), TLCP_OK);
    assert_same_session(s, t);
    tlcp_session_free(t);

    /* text around the block, CRLF line ends */
    size_t cap = len * 2 + 64;
    char *wrapped = malloc(cap);
    assert_non_null(wrapped);
    size_t w = (size_t)snprintf(wrapped, cap, "saved by tlcp\n");
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\n')
            wrapped[w++] = '\r';
        wrapped[w++] = text[i];
    }
    w += (size_t)snprintf(wrapped + w, cap - w, "trailer\n");
    assert_int_equal(pem_reason(wrapped, w), TLCP_R_NONE);

    /* damage: no END line, a bad character, a changed character, cut short */
    char *end = strstr(text, "-----END");
    assert_int_equal(pem_reason(text, (size_t)(end - text)), TLCP_R_SESSION_FORMAT);
    char *mid = text + 40 + 30; /* inside the body (the first 12 characters are the header) */
    char saved = *mid;
    *mid = '*';
    assert_int_equal(pem_reason(text, len), TLCP_R_SESSION_FORMAT);
    *mid = saved == 'A' ? 'B' : 'A';
    assert_int_equal(pem_reason(text, len), TLCP_R_SESSION_INTEGRITY);
    *mid = saved;
    assert_int_equal(pem_reason(text, len), TLCP_R_NONE);
    assert_int_equal(pem_reason(text, 30), TLCP_R_SESSION_FORMAT);
    assert_int_equal(pem_reason("", 0), TLCP_R_SESSION_FORMAT);
    assert_int_equal(pem_reason(NULL, 0), TLCP_R_SESSION_FORMAT);
    /* an armoured block larger than TLCP_SESSION_EXPORT_MAX */
    size_t big_len = 4 * (TLCP_SESSION_EXPORT_MAX / 3 + 8) + 100;
    char *big = malloc(big_len);
    assert_non_null(big);
    size_t b = (size_t)snprintf(big, big_len, "-----BEGIN TLCP SESSION PARAMETERS-----\n");
    while (b < big_len - 60)
        big[b++] = 'A';
    b += (size_t)snprintf(big + b, big_len - b, "\n-----END TLCP SESSION PARAMETERS-----\n");
    assert_int_equal(pem_reason(big, b), TLCP_R_SESSION_FORMAT);
    free(big);
    free(wrapped);
    free(text);
    tlcp_session_free(s);
}

/* The value a server's session store keeps (session_store.c): no
 * certificates, bound to the client's server_name, unverified; it comes
 * back the same, any flipped bit is refused, and it expires. */
static void test_store_value_round_trip(void **state)
{
    (void)state;
    tlcp_cert *none[2] = {NULL, NULL};
    uint8_t id[TLCP_SESSION_ID_LEN], master[TLCP_MASTER_SECRET_LEN];
    for (size_t i = 0; i < sizeof(id); i++)
        id[i] = (uint8_t)(0x40 + i);
    memset(master, 0x5A, sizeof(master));
    tlcp_session *s = tlcp_session_new(id, TLCP_ECC_SM4_GCM_SM3, master, none);
    assert_non_null(s);
    assert_true(tlcp_session_bind_peer(s, "www.example.test", 0));
    int64_t now = (int64_t)time(NULL);
    tlcp_session_set_times(s, now, 600);
    size_t len = 0;
    uint8_t *buf = export_of(s, &len);
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_session *t = tlcp_session_decode(buf, len, now + 10, &err);
    assert_non_null(t);
    assert_same_session(s, t);
    tlcp_session_free(t);
    for (size_t bit = 0; bit < len * 8; bit += 7) {
        buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        tlcp_error_clear(&err);
        t = tlcp_session_decode(buf, len, now + 10, &err);
        assert_null(t);
        buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    tlcp_error_clear(&err);
    assert_null(tlcp_session_decode(buf, len, now + 601, &err));
    assert_int_equal(err.reason, TLCP_R_SESSION_EXPIRED);
    free(buf);
    tlcp_session_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_bit_flips),
        cmocka_unit_test(test_wrong_version_and_magic),
        cmocka_unit_test(test_oversize),
        cmocka_unit_test(test_expired),
        cmocka_unit_test(test_structure),
        cmocka_unit_test(test_pem),
        cmocka_unit_test(test_store_value_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
