/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Handshake message codecs: round trips for every message, known answers
 * from the design trace, and negative tests for every parser (every
 * truncation point, trailing bytes, inner lengths that overrun their outer
 * vector, forbidden values) and builder. Also the field trace printer.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handshake/messages.h"
#include "handshake/trace_fields.h"

/* ---- generic helpers ---- */

typedef int (*parse_fn)(tlcp_cursor body, tlcp_error *err);

/* Parses a private heap copy of exactly `len` bytes so ASan sees overreads. */
static int run_parse(parse_fn parse, const uint8_t *data, size_t len, tlcp_error *err)
{
    uint8_t *copy = malloc(len > 0 ? len : 1);
    assert_non_null(copy);
    if (len > 0)
        memcpy(copy, data, len);
    tlcp_cursor c;
    tlcp_cursor_init(&c, copy, len);
    tlcp_error_clear(err);
    int ok = parse(c, err);
    free(copy);
    return ok;
}

static void expect_ok(parse_fn parse, const uint8_t *data, size_t len)
{
    tlcp_error err;
    int ok = run_parse(parse, data, len, &err);
    if (!ok)
        fprintf(stderr, "unexpected failure: %s\n", tlcp_error_message(&err));
    assert_true(ok);
    assert_false(tlcp_error_is_set(&err));
}

/* Fails with `reason` and `alert`; returns the message for further checks. */
static void expect_fail(parse_fn parse, const uint8_t *data, size_t len, int reason, int alert)
{
    tlcp_error err;
    assert_false(run_parse(parse, data, len, &err));
    if (err.reason != reason || err.alert != alert)
        fprintf(stderr, "got reason %d alert %d: %s\n", err.reason, err.alert,
                tlcp_error_message(&err));
    assert_int_equal(err.reason, reason);
    assert_int_equal(err.alert, alert);
    assert_true(strlen(err.message) > 0);
}

static void expect_fail_msg(parse_fn parse, const uint8_t *data, size_t len, int reason, int alert,
                            const char *needle)
{
    tlcp_error err;
    expect_fail(parse, data, len, reason, alert);
    run_parse(parse, data, len, &err);
    if (strstr(err.message, needle) == NULL)
        fprintf(stderr, "message \"%s\" lacks \"%s\"\n", err.message, needle);
    assert_non_null(strstr(err.message, needle));
}

static void expect_decode(parse_fn parse, const uint8_t *data, size_t len)
{
    expect_fail(parse, data, len, TLCP_R_DECODE, TLCP_ALERT_DECODE_ERROR);
}

static void expect_trailing(parse_fn parse, const uint8_t *data, size_t len)
{
    expect_fail(parse, data, len, TLCP_R_TRAILING_DATA, TLCP_ALERT_DECODE_ERROR);
}

/*
 * Every proper prefix must fail as a decode error (reason TLCP_R_DECODE;
 * the alert may be illegal_parameter when the cut makes a later field's
 * bytes land on a checked value). `valid_at` is a prefix length that is a
 * complete message by itself (a hello without its extension block), or 0.
 */
static void expect_every_prefix_fails(parse_fn parse, const uint8_t *data, size_t len,
                                      size_t valid_at)
{
    for (size_t n = 0; n < len; n++) {
        tlcp_error err;
        int ok = run_parse(parse, data, n, &err);
        if (valid_at != 0 && n == valid_at) {
            assert_true(ok);
            continue;
        }
        if (ok)
            fprintf(stderr, "prefix of %zu/%zu bytes parsed\n", n, len);
        assert_false(ok);
        assert_int_equal(err.reason, TLCP_R_DECODE);
        assert_true(err.alert == TLCP_ALERT_DECODE_ERROR ||
                    err.alert == TLCP_ALERT_ILLEGAL_PARAMETER);
    }
}

/* data || 0x00: the extra byte must be refused. */
static uint8_t *with_trailing(const uint8_t *data, size_t len)
{
    uint8_t *out = malloc(len + 1);
    assert_non_null(out);
    memcpy(out, data, len);
    out[len] = 0;
    return out;
}

typedef struct built {
    uint8_t *data;
    size_t len;
} built;

static built finish(tlcp_builder *b)
{
    built out;
    assert_true(tlcp_builder_finish(b, &out.data, &out.len));
    return out;
}

static void assert_same(const built *a, const uint8_t *data, size_t len)
{
    assert_int_equal(a->len, len);
    assert_memory_equal(a->data, data, len);
}

/* A builder after a refused build: poisoned, nothing more can be written. */
static void assert_poisoned(tlcp_builder *b)
{
    assert_false(tlcp_builder_add_u8(b, 1));
    uint8_t *out;
    size_t len;
    assert_false(tlcp_builder_finish(b, &out, &len));
    tlcp_builder_cleanup(b);
}

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(seed + i * 7);
}

/* ---- parse wrappers ---- */

static int p_client_hello(tlcp_cursor c, tlcp_error *err)
{
    tlcp_client_hello m;
    return tlcp_parse_client_hello(c, &m, err);
}
static int p_server_hello(tlcp_cursor c, tlcp_error *err)
{
    tlcp_server_hello m;
    return tlcp_parse_server_hello(c, &m, err);
}
static int p_certificate(tlcp_cursor c, tlcp_error *err)
{
    tlcp_certificate_msg m;
    return tlcp_parse_certificate(c, &m, err);
}
static int p_ske_ecc(tlcp_cursor c, tlcp_error *err)
{
    tlcp_server_key_exchange m;
    return tlcp_parse_server_key_exchange(c, 0, &m, err);
}
static int p_ske_ecdhe(tlcp_cursor c, tlcp_error *err)
{
    tlcp_server_key_exchange m;
    return tlcp_parse_server_key_exchange(c, 1, &m, err);
}
static int p_cert_request(tlcp_cursor c, tlcp_error *err)
{
    tlcp_certificate_request m;
    return tlcp_parse_certificate_request(c, &m, err);
}
static int p_hello_done(tlcp_cursor c, tlcp_error *err)
{
    return tlcp_parse_server_hello_done(c, err);
}
static int p_cke_ecc(tlcp_cursor c, tlcp_error *err)
{
    tlcp_client_key_exchange m;
    return tlcp_parse_client_key_exchange(c, 0, &m, err);
}
static int p_cke_ecdhe(tlcp_cursor c, tlcp_error *err)
{
    tlcp_client_key_exchange m;
    return tlcp_parse_client_key_exchange(c, 1, &m, err);
}
static int p_cert_verify(tlcp_cursor c, tlcp_error *err)
{
    tlcp_certificate_verify m;
    return tlcp_parse_certificate_verify(c, &m, err);
}
static int p_finished(tlcp_cursor c, tlcp_error *err)
{
    tlcp_finished m;
    return tlcp_parse_finished(c, &m, err);
}

/* ---- sample messages ---- */

static const uint16_t two_suites[] = {TLCP_ECC_SM4_CBC_SM3, TLCP_ECC_SM4_GCM_SM3};

static void sample_client_hello(tlcp_client_hello *m, int with_ext)
{
    static const uint8_t sni[] = {0x00, 0x0c, 0x00, 0x00, 0x09, 'l', 'o',
                                  'c',  'a',  'l',  'h',  'o',  's', 't'};
    static const uint8_t alpn[] = {0x00, 0x03, 0x02, 'h', '2'};
    memset(m, 0, sizeof(*m));
    m->version = 0x0101;
    fill(m->random, 32, 1);
    if (with_ext) {
        m->session_id_len = 32;
        fill(m->session_id, 32, 9);
        m->has_extensions = 1;
        m->num_extensions = 3;
        m->extensions[0].type = TLCP_EXT_SERVER_NAME;
        tlcp_cursor_init(&m->extensions[0].data, sni, sizeof(sni));
        m->extensions[1].type = TLCP_EXT_SESSION_TICKET;
        tlcp_cursor_init(&m->extensions[1].data, NULL, 0);
        m->extensions[2].type = TLCP_EXT_ALPN;
        tlcp_cursor_init(&m->extensions[2].data, alpn, sizeof(alpn));
    }
}

static built build_client_hello(int with_ext)
{
    tlcp_client_hello m;
    sample_client_hello(&m, with_ext);
    tlcp_builder b;
    assert_true(tlcp_builder_init(&b, 16, 0));
    assert_true(tlcp_build_client_hello(&b, &m, two_suites, 2));
    return finish(&b);
}

static void sample_server_hello(tlcp_server_hello *m, int with_ext)
{
    memset(m, 0, sizeof(*m));
    m->version = 0x0101;
    fill(m->random, 32, 3);
    m->session_id_len = 32;
    fill(m->session_id, 32, 5);
    m->cipher_suite = TLCP_ECC_SM4_CBC_SM3;
    if (with_ext) {
        m->has_extensions = 1;
        m->num_extensions = 1;
        m->extensions[0].type = TLCP_EXT_SERVER_NAME;
        tlcp_cursor_init(&m->extensions[0].data, NULL, 0);
    }
}

static built build_server_hello(int with_ext)
{
    tlcp_server_hello m;
    sample_server_hello(&m, with_ext);
    tlcp_builder b;
    assert_true(tlcp_builder_init(&b, 16, 0));
    assert_true(tlcp_build_server_hello(&b, &m));
    return finish(&b);
}

static uint8_t cert_a[300], cert_b[20], cert_c[1];

static built build_certificate(void)
{
    fill(cert_a, sizeof(cert_a), 0x30);
    fill(cert_b, sizeof(cert_b), 0x31);
    cert_c[0] = 0x30;
    const uint8_t *certs[] = {cert_a, cert_b, cert_c};
    size_t lens[] = {sizeof(cert_a), sizeof(cert_b), sizeof(cert_c)};
    tlcp_builder b;
    assert_true(tlcp_builder_init(&b, 16, 0));
    assert_true(tlcp_build_certificate(&b, certs, lens, 3));
    return finish(&b);
}

static uint8_t sample_sig[72];
static uint8_t sample_point[65];

static built build_ecdh_params(void)
{
    fill(sample_point, sizeof(sample_point), 0x40);
    sample_point[0] = 0x04;
    tlcp_builder b;
    assert_true(tlcp_builder_init(&b, 16, 0));
    assert_true(tlcp_build_ecdh_params(&b, sample_point));
    return finish(&b);
}

static built build_ske(int ecdhe)
{
    fill(sample_sig, sizeof(sample_sig), 0x50);
    built params = build_ecdh_params();
    tlcp_builder b;
    assert_true(tlcp_builder_init(&b, 16, 0));
    assert_true(tlcp_build_server_key_exchange(
        &b, ecdhe ? params.data : NULL, ecdhe ? params.len : 0, sample_sig, sizeof(sample_sig)));
    free(params.data);
    return finish(&b);
}

static const uint8_t name_a[] = {0x30, 0x03, 0x31, 0x01, 0x00};
static const uint8_t name_b[] = {0x30, 0x00};

static built build_cert_request(size_t num_names)
{
    const uint8_t types[] = {TLCP_CERT_TYPE_ECDSA_SIGN};
    const uint8_t *names[] = {name_a, name_b};
    size_t lens[] = {sizeof(name_a), sizeof(name_b)};
    tlcp_builder b;
    assert_true(tlcp_builder_init(&b, 16, 0));
    assert_true(tlcp_build_certificate_request(&b, types, 1, names, lens, num_names));
    return finish(&b);
}

static uint8_t sample_ct[157];

static built build_cke_ecc(void)
{
    fill(sample_ct, sizeof(sample_ct), 0x60);
    tlcp_builder b;
    assert_true(tlcp_builder_init(&b, 16, 0));
    assert_true(tlcp_build_client_key_exchange_ecc(&b, sample_ct, sizeof(sample_ct)));
    return finish(&b);
}

static built build_cke_ecdhe(int form_b)
{
    built params = build_ecdh_params();
    free(params.data);
    tlcp_builder b;
    assert_true(tlcp_builder_init(&b, 16, 0));
    assert_true(tlcp_build_client_key_exchange_ecdhe(&b, sample_point, form_b));
    return finish(&b);
}

static built build_cert_verify(void)
{
    fill(sample_sig, sizeof(sample_sig), 0x70);
    tlcp_builder b;
    assert_true(tlcp_builder_init(&b, 16, 0));
    assert_true(tlcp_build_certificate_verify(&b, sample_sig, sizeof(sample_sig)));
    return finish(&b);
}

/* Design trace, client step 51. */
static const char finished_hex[] = "a1 8a 9d 41 d6 62 47 ce cb cf d2 9c";

static built build_finished(void)
{
    uint8_t vd[12];
    tu_hex_into(finished_hex, vd, 12);
    tlcp_builder b;
    assert_true(tlcp_builder_init(&b, 16, 0));
    assert_true(tlcp_build_finished(&b, vd));
    return finish(&b);
}

/* Hand-assembled ClientHello: each part in hex, lengths computed here. */
static built raw_client_hello(const char *sid, const char *suites, const char *comp,
                              const char *exts)
{
    tlcp_builder b, v;
    size_t n;
    uint8_t *p;
    uint8_t random[32];
    fill(random, 32, 1);
    assert_true(tlcp_builder_init(&b, 16, 0));
    assert_true(tlcp_builder_add_u16(&b, 0x0101));
    assert_true(tlcp_builder_add_bytes(&b, random, 32));
    const char *parts[3] = {sid, suites, comp};
    for (int i = 0; i < 3; i++) {
        p = tu_hex(parts[i], &n);
        assert_true(i == 1 ? tlcp_builder_open_u16(&b, &v) : tlcp_builder_open_u8(&b, &v));
        assert_true(tlcp_builder_add_bytes(&v, p, n));
        free(p);
    }
    if (exts != NULL) {
        p = tu_hex(exts, &n);
        assert_true(tlcp_builder_add_bytes(&b, p, n)); /* exts hex includes its length */
        free(p);
    }
    return finish(&b);
}

/* ---- ClientHello ---- */

static void test_client_hello_roundtrip(void **state)
{
    (void)state;
    for (int with_ext = 0; with_ext <= 1; with_ext++) {
        built w = build_client_hello(with_ext);
        tlcp_client_hello m;
        tlcp_cursor c;
        tlcp_error err;
        tlcp_error_clear(&err);
        tlcp_cursor_init(&c, w.data, w.len);
        assert_true(tlcp_parse_client_hello(c, &m, &err));
        assert_int_equal(m.version, 0x0101);
        assert_int_equal(m.session_id_len, with_ext ? 32 : 0);
        tu_assert_hex(tlcp_cursor_data(&m.cipher_suites), tlcp_cursor_len(&m.cipher_suites),
                      "e013 e053");
        tu_assert_hex(tlcp_cursor_data(&m.compression_methods),
                      tlcp_cursor_len(&m.compression_methods), "00");
        assert_int_equal(m.has_extensions, with_ext);
        assert_int_equal(m.num_extensions, with_ext ? 3 : 0);
        if (with_ext) {
            const tlcp_extension *alpn =
                tlcp_find_extension(m.extensions, m.num_extensions, TLCP_EXT_ALPN);
            assert_non_null(alpn);
            tu_assert_hex(tlcp_cursor_data(&alpn->data), tlcp_cursor_len(&alpn->data),
                          "0003 02 6832");
            assert_int_equal(tlcp_cursor_len(&m.extensions[1].data), 0);
            assert_null(tlcp_find_extension(m.extensions, m.num_extensions, 13));
        }
        tlcp_builder b;
        assert_true(tlcp_builder_init(&b, 16, 0));
        assert_true(tlcp_build_client_hello(&b, &m, two_suites, 2));
        built again = finish(&b);
        assert_same(&again, w.data, w.len);
        free(again.data);
        free(w.data);
    }
}

/* The design trace's ClientHello (client step 4) with the method byte its
 * example lost: 43 bytes, suites e013 and the SCSV. */
static void test_client_hello_design_trace(void **state)
{
    (void)state;
    size_t n;
    uint8_t *body = tu_hex("0101 c3e7f11b1fdfa2630423cd40cec45018c88fa068dc360c91fce0bfa0efd5b00f"
                           "00 0004 e01300ff 0100",
                           &n);
    assert_int_equal(n, 0x2b);
    tlcp_client_hello m;
    tlcp_cursor c;
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_cursor_init(&c, body, n);
    assert_true(tlcp_parse_client_hello(c, &m, &err));
    assert_int_equal(m.has_extensions, 0);
    assert_int_equal(tlcp_cursor_len(&m.cipher_suites), 4);
    const uint16_t suites[] = {0xE013, TLCP_SCSV_RENEGOTIATION};
    tlcp_builder b;
    assert_true(tlcp_builder_init(&b, 16, 0));
    assert_true(tlcp_build_client_hello(&b, &m, suites, 2));
    built again = finish(&b);
    assert_same(&again, body, n);
    free(again.data);
    free(body);
}

static void test_client_hello_truncation_and_trailing(void **state)
{
    (void)state;
    built plain = build_client_hello(0);
    expect_every_prefix_fails(p_client_hello, plain.data, plain.len, 0);
    /* One stray byte where an extension block would start. */
    uint8_t *t = with_trailing(plain.data, plain.len);
    expect_decode(p_client_hello, t, plain.len + 1);
    free(t);
    built ext = build_client_hello(1);
    /* Cut exactly before the extension block: a complete hello without one. */
    expect_every_prefix_fails(p_client_hello, ext.data, ext.len, 2 + 32 + 33 + 6 + 2);
    t = with_trailing(ext.data, ext.len);
    expect_trailing(p_client_hello, t, ext.len + 1);
    free(t);
    free(plain.data);
    free(ext.data);
}

static void test_client_hello_bad_fields(void **state)
{
    (void)state;
    char sid33[33 * 2 + 1];
    memset(sid33, 'a', 66);
    sid33[66] = '\0';
    struct {
        const char *sid, *suites, *comp, *exts;
        int alert;
        const char *needle;
    } cases[] = {
        {sid33, "e013", "00", NULL, TLCP_ALERT_DECODE_ERROR, "session_id of 33"},
        {"", "e013 e0", "00", NULL, TLCP_ALERT_DECODE_ERROR, "must be even"},
        {"", "", "00", NULL, TLCP_ALERT_DECODE_ERROR, "non-empty"},
        {"", "e013", "01", NULL, TLCP_ALERT_ILLEGAL_PARAMETER, "lacks null"},
        {"", "e013", "", NULL, TLCP_ALERT_DECODE_ERROR, "empty compression"},
        /* duplicate extension type */
        {"", "e013", "00", "0008 0023 0000 0023 0000", TLCP_ALERT_ILLEGAL_PARAMETER,
         "appears twice"},
        /* inner extension length longer than the block */
        {"", "e013", "00", "0006 0000 0005 0102", TLCP_ALERT_DECODE_ERROR, "longer than"},
        /* block length longer than what is left */
        {"", "e013", "00", "0010 0000 0000", TLCP_ALERT_DECODE_ERROR, "exceeds"},
        /* half an extension type */
        {"", "e013", "00", "0001 00", TLCP_ALERT_DECODE_ERROR, "type truncated"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        built w = raw_client_hello(cases[i].sid, cases[i].suites, cases[i].comp, cases[i].exts);
        expect_fail_msg(p_client_hello, w.data, w.len, TLCP_R_DECODE, cases[i].alert,
                        cases[i].needle);
        free(w.data);
    }
    /* Compression list with null among others, and a 32-byte session id: fine. */
    built ok = raw_client_hello(sid33 + 2, "e013", "01 00", "0000");
    expect_ok(p_client_hello, ok.data, ok.len);
    free(ok.data);
}

static void test_client_hello_limits(void **state)
{
    (void)state;
    /* 256 suites accepted, 257 refused. */
    char *suites = malloc(257 * 5 + 1);
    assert_non_null(suites);
    suites[0] = '\0';
    for (int i = 0; i < 257; i++)
        strcat(suites, "e013 ");
    built over = raw_client_hello("", suites, "00", NULL);
    expect_fail_msg(p_client_hello, over.data, over.len, TLCP_R_DECODE, TLCP_ALERT_DECODE_ERROR,
                    "257 cipher suites");
    suites[256 * 5] = '\0';
    built max = raw_client_hello("", suites, "00", NULL);
    expect_ok(p_client_hello, max.data, max.len);
    free(over.data);
    free(max.data);
    free(suites);
    /* 32 extensions accepted, 33 refused. */
    char exts[8 + 33 * 10];
    for (int count = 32; count <= 33; count++) {
        int n = snprintf(exts, sizeof(exts), "%04x", count * 4);
        for (int i = 0; i < count; i++)
            n += snprintf(exts + n, sizeof(exts) - (size_t)n, " %04x0000", 0x100 + i);
        built w = raw_client_hello("", "e013", "00", exts);
        if (count == 32)
            expect_ok(p_client_hello, w.data, w.len);
        else
            expect_fail_msg(p_client_hello, w.data, w.len, TLCP_R_DECODE, TLCP_ALERT_DECODE_ERROR,
                            "more than 32 extensions");
        free(w.data);
    }
}

static void test_client_hello_builder_refusals(void **state)
{
    (void)state;
    tlcp_client_hello m;
    tlcp_builder b;
    sample_client_hello(&m, 0);
    m.session_id_len = 33;
    assert_true(tlcp_builder_init(&b, 16, 0));
    assert_false(tlcp_build_client_hello(&b, &m, two_suites, 2));
    assert_poisoned(&b);
    sample_client_hello(&m, 0);
    assert_true(tlcp_builder_init(&b, 16, 0));
    assert_false(tlcp_build_client_hello(&b, &m, two_suites, 0));
    assert_poisoned(&b);
    sample_client_hello(&m, 1);
    m.num_extensions = TLCP_MAX_EXTENSIONS + 1;
    assert_true(tlcp_builder_init(&b, 16, 0));
    assert_false(tlcp_build_client_hello(&b, &m, two_suites, 2));
    assert_poisoned(&b);
    /* A fixed buffer too small for the message. */
    uint8_t small[40];
    sample_client_hello(&m, 0);
    tlcp_builder_init_fixed(&b, small, sizeof(small));
    assert_false(tlcp_build_client_hello(&b, &m, two_suites, 2));
    assert_false(tlcp_builder_add_u8(&b, 0));
    /* An empty but present extension block survives the round trip. */
    built w = raw_client_hello("", "e013", "00", "0000");
    tlcp_cursor c;
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_cursor_init(&c, w.data, w.len);
    assert_true(tlcp_parse_client_hello(c, &m, &err));
    assert_int_equal(m.has_extensions, 1);
    assert_int_equal(m.num_extensions, 0);
    const uint16_t one[] = {0xE013};
    assert_true(tlcp_builder_init(&b, 16, 0));
    assert_true(tlcp_build_client_hello(&b, &m, one, 1));
    built again = finish(&b);
    assert_same(&again, w.data, w.len);
    free(again.data);
    free(w.data);
}

/* ---- ServerHello ---- */

static void test_server_hello_roundtrip(void **state)
{
    (void)state;
    for (int with_ext = 0; with_ext <= 1; with_ext++) {
        built w = build_server_hello(with_ext);
        tlcp_server_hello m;
        tlcp_cursor c;
        tlcp_error err;
        tlcp_error_clear(&err);
        tlcp_cursor_init(&c, w.data, w.len);
        assert_true(tlcp_parse_server_hello(c, &m, &err));
        assert_int_equal(m.cipher_suite, 0xE013);
        assert_int_equal(m.compression_method, 0);
        assert_int_equal(m.session_id_len, 32);
        assert_int_equal(m.has_extensions, with_ext);
        tlcp_builder b;
        assert_true(tlcp_builder_init(&b, 16, 0));
        assert_true(tlcp_build_server_hello(&b, &m));
        built again = finish(&b);
        assert_same(&again, w.data, w.len);
        free(again.data);
        expect_every_prefix_fails(p_server_hello, w.data, w.len, with_ext ? 70 : 0);
        uint8_t *t = with_trailing(w.data, w.len);
        if (with_ext)
            expect_trailing(p_server_hello, t, w.len + 1);
        else
            expect_decode(p_server_hello, t, w.len + 1);
        free(t);
        free(w.data);
    }
}

/* The design trace's ServerHello (server step 15) with its missing
 * compression byte restored: 70 bytes. */
static void test_server_hello_design_trace(void **state)
{
    (void)state;
    size_t n;
    uint8_t *body =
        tu_hex("0101 5512503c44985e8cb9ad4caf5a89aa0cf7f07585dcc639ab67bd7b75b815510d"
               "20 1040596d1120daeb43912a4fbcdbe133aee06ef4f1e6c3c00bf0c771faa134d9 e013 00",
               &n);
    assert_int_equal(n, 0x46);
    tlcp_server_hello m;
    tlcp_cursor c;
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_cursor_init(&c, body, n);
    assert_true(tlcp_parse_server_hello(c, &m, &err));
    assert_int_equal(m.cipher_suite, TLCP_ECC_SM4_CBC_SM3);
    tu_assert_hex(m.session_id, m.session_id_len,
                  "1040596d1120daeb43912a4fbcdbe133aee06ef4f1e6c3c00bf0c771faa134d9");
    free(body);
}

static void test_server_hello_bad_fields(void **state)
{
    (void)state;
    built w = build_server_hello(0);
    /* compression_method 1 */
    w.data[w.len - 1] = 1;
    expect_fail_msg(p_server_hello, w.data, w.len, TLCP_R_DECODE, TLCP_ALERT_ILLEGAL_PARAMETER,
                    "compression_method 1");
    /* session id length 33 */
    w.data[w.len - 1] = 0;
    w.data[34] = 33;
    expect_fail_msg(p_server_hello, w.data, w.len, TLCP_R_DECODE, TLCP_ALERT_DECODE_ERROR,
                    "session_id of 33");
    free(w.data);
    /* duplicate extension */
    built e = build_server_hello(0);
    size_t n;
    uint8_t *dup = tu_hex("0008 ff01 0000 ff01 0000", &n);
    uint8_t *all = malloc(e.len + n);
    assert_non_null(all);
    memcpy(all, e.data, e.len);
    memcpy(all + e.len, dup, n);
    expect_fail_msg(p_server_hello, all, e.len + n, TLCP_R_DECODE, TLCP_ALERT_ILLEGAL_PARAMETER,
                    "appears twice");
    free(all);
    free(dup);
    free(e.data);
    tlcp_server_hello m;
    sample_server_hello(&m, 0);
    m.session_id_len = 33;
    tlcp_builder b;
    assert_true(tlcp_builder_init(&b, 16, 0));
    assert_false(tlcp_build_server_hello(&b, &m));
    assert_poisoned(&b);
}

/* ---- Certificate ---- */

static void test_certificate_roundtrip(void **state)
{
    (void)state;
    built w = build_certificate();
    assert_int_equal(w.len, 3 + 3 * 3 + 300 + 20 + 1);
    tlcp_certificate_msg m;
    tlcp_cursor c;
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_cursor_init(&c, w.data, w.len);
    assert_true(tlcp_parse_certificate(c, &m, &err));
    assert_int_equal(m.num_certs, 3);
    assert_int_equal(tlcp_cursor_len(&m.certs[0]), 300);
    assert_memory_equal(tlcp_cursor_data(&m.certs[1]), cert_b, sizeof(cert_b));
    assert_int_equal(tlcp_cursor_len(&m.certs[2]), 1);
    expect_every_prefix_fails(p_certificate, w.data, w.len, 0);
    uint8_t *t = with_trailing(w.data, w.len);
    expect_trailing(p_certificate, t, w.len + 1);
    free(t);
    free(w.data);
    /* An empty list is legal (client without a certificate). */
    tlcp_builder b;
    assert_true(tlcp_builder_init(&b, 16, 0));
    assert_true(tlcp_build_certificate(&b, NULL, NULL, 0));
    built empty = finish(&b);
    tu_assert_hex(empty.data, empty.len, "000000");
    tlcp_cursor_init(&c, empty.data, empty.len);
    assert_true(tlcp_parse_certificate(c, &m, &err));
    assert_int_equal(m.num_certs, 0);
    free(empty.data);
}

static void test_certificate_bad_lengths(void **state)
{
    (void)state;
    struct {
        const char *hex;
        const char *needle;
    } cases[] = {
        {"000006 000001 30", "exceeds the message"},                /* outer longer than body */
        {"000005 000003 3000", "longer than the certificate_list"}, /* inner > outer */
        {"000003 000000", "is empty"},                              /* zero-length certificate */
        {"000005 000001 30 00", "longer than"},                     /* a second, truncated length */
        {"000002 0000", "longer than"},                             /* half an inner length */
        {"", "exceeds"},                                            /* empty body */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t n;
        uint8_t *p = tu_hex(cases[i].hex, &n);
        expect_fail_msg(p_certificate, p, n, TLCP_R_DECODE, TLCP_ALERT_DECODE_ERROR,
                        cases[i].needle);
        free(p);
    }
    size_t n;
    uint8_t *p = tu_hex("000004 000001 30 ff", &n); /* a byte after the list */
    expect_trailing(p_certificate, p, n);
    free(p);
}

static void test_certificate_too_many(void **state)
{
    (void)state;
    const uint8_t der[] = {0x30, 0x00};
    const uint8_t *certs[TLCP_MAX_CERTS + 1];
    size_t lens[TLCP_MAX_CERTS + 1];
    for (size_t i = 0; i <= TLCP_MAX_CERTS; i++) {
        certs[i] = der;
        lens[i] = sizeof(der);
    }
    tlcp_builder b;
    assert_true(tlcp_builder_init(&b, 16, 0));
    assert_true(tlcp_build_certificate(&b, certs, lens, TLCP_MAX_CERTS));
    built ten = finish(&b);
    expect_ok(p_certificate, ten.data, ten.len);
    /* Eleven, assembled by hand since the builder refuses them too. */
    assert_true(tlcp_builder_init(&b, 16, 0));
    assert_false(tlcp_build_certificate(&b, certs, lens, TLCP_MAX_CERTS + 1));
    assert_poisoned(&b);
    size_t n = ten.len + 5;
    uint8_t *eleven = malloc(n);
    assert_non_null(eleven);
    memcpy(eleven, ten.data, ten.len);
    memcpy(eleven + ten.len, "\x00\x00\x02\x30\x00", 5);
    size_t list = n - 3;
    eleven[0] = (uint8_t)(list >> 16);
    eleven[1] = (uint8_t)(list >> 8);
    eleven[2] = (uint8_t)list;
    expect_fail_msg(p_certificate, eleven, n, TLCP_R_DECODE, TLCP_ALERT_DECODE_ERROR,
                    "more than 10 certificates");
    free(eleven);
    free(ten.data);
    /* A zero-length certificate is refused by the builder. */
    size_t zero[] = {0};
    assert_true(tlcp_builder_init(&b, 16, 0));
    assert_false(tlcp_build_certificate(&b, certs, zero, 1));
    assert_poisoned(&b);
}

/* ---- CertificateRequest ---- */

static void test_cert_request_roundtrip(void **state)
{
    (void)state;
    for (size_t names = 0; names <= 2; names += 2) {
        built w = build_cert_request(names);
        tlcp_certificate_request m;
        tlcp_cursor c;
        tlcp_error err;
        tlcp_error_clear(&err);
        tlcp_cursor_init(&c, w.data, w.len);
        assert_true(tlcp_parse_certificate_request(c, &m, &err));
        tu_assert_hex(tlcp_cursor_data(&m.certificate_types), tlcp_cursor_len(&m.certificate_types),
                      "40");
        assert_int_equal(m.num_authorities, names);
        if (names) {
            assert_memory_equal(tlcp_cursor_data(&m.authorities[0]), name_a, sizeof(name_a));
            tu_assert_hex(w.data, w.len, "01 40 000b 0005 3003310100 0002 3000");
        }
        expect_every_prefix_fails(p_cert_request, w.data, w.len, 0);
        uint8_t *t = with_trailing(w.data, w.len);
        expect_trailing(p_cert_request, t, w.len + 1);
        free(t);
        free(w.data);
    }
}

static void test_cert_request_bad_fields(void **state)
{
    (void)state;
    struct {
        const char *hex, *needle;
    } cases[] = {
        {"00 0000", "empty certificate_types"},
        {"01 40 0004 0000 0000", "authority 0 is empty"},
        {"01 40 0004 0005 3003", "longer than the list"},
        {"01 40 0008 0002 3000", "exceeds the message"},
        {"02 40", "exceeds the message"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t n;
        uint8_t *p = tu_hex(cases[i].hex, &n);
        expect_fail_msg(p_cert_request, p, n, TLCP_R_DECODE, TLCP_ALERT_DECODE_ERROR,
                        cases[i].needle);
        free(p);
    }
    /* 41 authorities: more than the struct holds. */
    size_t n = 1 + 1 + 2 + 41 * 3;
    uint8_t *p = malloc(n);
    assert_non_null(p);
    p[0] = 1;
    p[1] = 64;
    p[2] = 0;
    p[3] = 41 * 3;
    for (size_t i = 0; i < 41; i++)
        memcpy(p + 4 + 3 * i, "\x00\x01\x30", 3);
    expect_fail_msg(p_cert_request, p, n, TLCP_R_DECODE, TLCP_ALERT_DECODE_ERROR, "more than 40");
    p[3] = 40 * 3;
    expect_ok(p_cert_request, p, n - 3);
    free(p);
    tlcp_builder b;
    assert_true(tlcp_builder_init(&b, 16, 0));
    assert_false(tlcp_build_certificate_request(&b, NULL, 0, NULL, NULL, 0));
    assert_poisoned(&b);
}

/* ---- ServerKeyExchange ---- */

static void test_ske_roundtrip(void **state)
{
    (void)state;
    for (int ecdhe = 0; ecdhe <= 1; ecdhe++) {
        built w = build_ske(ecdhe);
        assert_int_equal(w.len, (ecdhe ? 69 : 0) + 2 + 72);
        tlcp_server_key_exchange m;
        tlcp_cursor c;
        tlcp_error err;
        tlcp_error_clear(&err);
        tlcp_cursor_init(&c, w.data, w.len);
        assert_true(tlcp_parse_server_key_exchange(c, ecdhe, &m, &err));
        assert_int_equal(m.has_params, ecdhe);
        assert_int_equal(tlcp_cursor_len(&m.signature), 72);
        assert_memory_equal(tlcp_cursor_data(&m.signature), sample_sig, 72);
        if (ecdhe) {
            assert_int_equal(tlcp_cursor_len(&m.params), 69);
            assert_memory_equal(tlcp_cursor_data(&m.params), w.data, 69);
            assert_int_equal(tlcp_cursor_len(&m.point), 65);
            assert_memory_equal(tlcp_cursor_data(&m.point), sample_point, 65);
            assert_int_equal(m.named_curve, TLCP_NAMED_CURVE_SM2);
            tu_assert_hex(w.data, 5, "03 0029 41 04");
        } else {
            tu_assert_hex(w.data, 2, "0048");
        }
        tlcp_builder b;
        assert_true(tlcp_builder_init(&b, 16, 0));
        assert_true(tlcp_build_server_key_exchange(
            &b, tlcp_cursor_data(&m.params), tlcp_cursor_len(&m.params),
            tlcp_cursor_data(&m.signature), tlcp_cursor_len(&m.signature)));
        built again = finish(&b);
        assert_same(&again, w.data, w.len);
        free(again.data);
        parse_fn p = ecdhe ? p_ske_ecdhe : p_ske_ecc;
        expect_every_prefix_fails(p, w.data, w.len, 0);
        uint8_t *t = with_trailing(w.data, w.len);
        expect_trailing(p, t, w.len + 1);
        free(t);
        free(w.data);
    }
}

static void test_ske_bad_fields(void **state)
{
    (void)state;
    built w = build_ske(1);
    w.data[0] = 1; /* curve_type explicit_prime */
    expect_fail_msg(p_ske_ecdhe, w.data, w.len, TLCP_R_DECODE, TLCP_ALERT_ILLEGAL_PARAMETER,
                    "curve_type 1");
    w.data[0] = 3;
    w.data[4] = 0x02; /* compressed point marker */
    expect_fail_msg(p_ske_ecdhe, w.data, w.len, TLCP_R_DECODE, TLCP_ALERT_ILLEGAL_PARAMETER,
                    "point format 0x02");
    w.data[4] = 0x04;
    w.data[3] = 64; /* point one byte shorter: the rest no longer lines up */
    expect_fail_msg(p_ske_ecdhe, w.data, w.len, TLCP_R_DECODE, TLCP_ALERT_DECODE_ERROR,
                    "point of 64 bytes");
    w.data[3] = 65;
    /* Named curve 30 (GmSSL 2) is recorded, not refused. */
    w.data[2] = 30;
    tlcp_server_key_exchange m;
    tlcp_cursor c;
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_cursor_init(&c, w.data, w.len);
    assert_true(tlcp_parse_server_key_exchange(c, 1, &m, &err));
    assert_int_equal(m.named_curve, 30);
    /* Params only, no signature. */
    expect_decode(p_ske_ecdhe, w.data, 69);
    /* An ECDHE body read as ECC: 0x0300 is no signature length. */
    expect_decode(p_ske_ecc, w.data, w.len);
    free(w.data);
    size_t n;
    uint8_t *p = tu_hex("0000", &n);
    expect_fail_msg(p_ske_ecc, p, n, TLCP_R_DECODE, TLCP_ALERT_DECODE_ERROR, "empty signature");
    free(p);
    p = tu_hex("0003 3000", &n);
    expect_fail_msg(p_ske_ecc, p, n, TLCP_R_DECODE, TLCP_ALERT_DECODE_ERROR, "exceeds");
    free(p);
    /* Builder refusals. */
    tlcp_builder b;
    uint8_t params[68] = {0};
    assert_true(tlcp_builder_init(&b, 16, 0));
    assert_false(tlcp_build_server_key_exchange(&b, params, sizeof(params), sample_sig, 72));
    assert_poisoned(&b);
    assert_true(tlcp_builder_init(&b, 16, 0));
    assert_false(tlcp_build_server_key_exchange(&b, NULL, 0, sample_sig, 0));
    assert_poisoned(&b);
    uint8_t bad_point[65] = {0x02};
    assert_true(tlcp_builder_init(&b, 16, 0));
    assert_false(tlcp_build_ecdh_params(&b, bad_point));
    assert_poisoned(&b);
}

/* ---- ClientKeyExchange ---- */

static void test_cke_ecc(void **state)
{
    (void)state;
    built w = build_cke_ecc();
    assert_int_equal(w.len, 2 + 157);
    tu_assert_hex(w.data, 2, "009d");
    tlcp_client_key_exchange m;
    tlcp_cursor c;
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_cursor_init(&c, w.data, w.len);
    assert_true(tlcp_parse_client_key_exchange(c, 0, &m, &err));
    assert_int_equal(tlcp_cursor_len(&m.encrypted_pre_master), 157);
    assert_memory_equal(tlcp_cursor_data(&m.encrypted_pre_master), sample_ct, 157);
    expect_every_prefix_fails(p_cke_ecc, w.data, w.len, 0);
    uint8_t *t = with_trailing(w.data, w.len);
    expect_trailing(p_cke_ecc, t, w.len + 1);
    free(t);
    free(w.data);
    size_t n;
    uint8_t *p = tu_hex("0000", &n);
    expect_fail_msg(p_cke_ecc, p, n, TLCP_R_DECODE, TLCP_ALERT_DECODE_ERROR, "empty");
    free(p);
    tlcp_builder b;
    assert_true(tlcp_builder_init(&b, 16, 0));
    assert_false(tlcp_build_client_key_exchange_ecc(&b, sample_ct, 0));
    assert_poisoned(&b);
}

static void test_cke_ecdhe_forms(void **state)
{
    (void)state;
    for (int form_b = 0; form_b <= 1; form_b++) {
        built w = build_cke_ecdhe(form_b);
        assert_int_equal(w.len, form_b ? 71 : 69);
        tu_assert_hex(w.data, form_b ? 7 : 5, form_b ? "0045 03 0029 41 04" : "03 0029 41 04");
        tlcp_client_key_exchange m;
        tlcp_cursor c;
        tlcp_error err;
        tlcp_error_clear(&err);
        tlcp_cursor_init(&c, w.data, w.len);
        assert_true(tlcp_parse_client_key_exchange(c, 1, &m, &err));
        assert_int_equal(m.ecdhe_form_b, form_b);
        assert_int_equal(m.named_curve, 41);
        assert_int_equal(tlcp_cursor_len(&m.params), 69);
        assert_memory_equal(tlcp_cursor_data(&m.point), sample_point, 65);
        expect_every_prefix_fails(p_cke_ecdhe, w.data, w.len, 0);
        uint8_t *t = with_trailing(w.data, w.len);
        expect_fail_msg(p_cke_ecdhe, t, w.len + 1, TLCP_R_DECODE, TLCP_ALERT_DECODE_ERROR,
                        "ECDHE body of");
        free(t);
        free(w.data);
    }
}

static void test_cke_ecdhe_bad(void **state)
{
    (void)state;
    built b71 = build_cke_ecdhe(1);
    /* 70 bytes: neither form. */
    expect_fail_msg(p_cke_ecdhe, b71.data + 1, 70, TLCP_R_DECODE, TLCP_ALERT_DECODE_ERROR,
                    "ECDHE body of 70 bytes");
    /* 71 bytes whose first two are not 0x0045. */
    b71.data[1] = 0x46;
    expect_fail_msg(p_cke_ecdhe, b71.data, 71, TLCP_R_DECODE, TLCP_ALERT_DECODE_ERROR,
                    "starts with 0x0046");
    free(b71.data);
    built a = build_cke_ecdhe(0);
    a.data[0] = 1;
    expect_fail_msg(p_cke_ecdhe, a.data, a.len, TLCP_R_DECODE, TLCP_ALERT_ILLEGAL_PARAMETER,
                    "curve_type 1");
    a.data[0] = 3;
    a.data[4] = 0x02;
    expect_fail_msg(p_cke_ecdhe, a.data, a.len, TLCP_R_DECODE, TLCP_ALERT_ILLEGAL_PARAMETER,
                    "point format");
    a.data[4] = 0x04;
    a.data[3] = 64;
    expect_fail_msg(p_cke_ecdhe, a.data, a.len, TLCP_R_DECODE, TLCP_ALERT_DECODE_ERROR,
                    "point of 64 bytes");
    a.data[3] = 65;
    a.data[2] = 30; /* recorded and ignored */
    tlcp_client_key_exchange m;
    tlcp_cursor c;
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_cursor_init(&c, a.data, a.len);
    assert_true(tlcp_parse_client_key_exchange(c, 1, &m, &err));
    assert_int_equal(m.named_curve, 30);
    /* An ECDHE body parsed as ECC: 0x0300 is no ciphertext length. */
    expect_decode(p_cke_ecc, a.data, a.len);
    free(a.data);
    tlcp_builder b;
    uint8_t bad_point[65] = {0x03};
    assert_true(tlcp_builder_init(&b, 16, 0));
    assert_false(tlcp_build_client_key_exchange_ecdhe(&b, bad_point, 1));
    assert_poisoned(&b);
}

/* ---- CertificateVerify, ServerHelloDone, Finished ---- */

static void test_cert_verify(void **state)
{
    (void)state;
    built w = build_cert_verify();
    tlcp_certificate_verify m;
    tlcp_cursor c;
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_cursor_init(&c, w.data, w.len);
    assert_true(tlcp_parse_certificate_verify(c, &m, &err));
    assert_int_equal(tlcp_cursor_len(&m.signature), 72);
    tlcp_builder b;
    assert_true(tlcp_builder_init(&b, 16, 0));
    assert_true(tlcp_build_certificate_verify(&b, tlcp_cursor_data(&m.signature), 72));
    built again = finish(&b);
    assert_same(&again, w.data, w.len);
    free(again.data);
    expect_every_prefix_fails(p_cert_verify, w.data, w.len, 0);
    uint8_t *t = with_trailing(w.data, w.len);
    expect_trailing(p_cert_verify, t, w.len + 1);
    free(t);
    free(w.data);
    size_t n;
    uint8_t *p = tu_hex("0000", &n);
    expect_fail_msg(p_cert_verify, p, n, TLCP_R_DECODE, TLCP_ALERT_DECODE_ERROR, "empty signature");
    free(p);
    /* A bare signature without the length (early GmSSL 3.0). */
    p = tu_hex("3044022000", &n);
    expect_decode(p_cert_verify, p, n);
    free(p);
    assert_true(tlcp_builder_init(&b, 16, 0));
    assert_false(tlcp_build_certificate_verify(&b, NULL, 0));
    assert_poisoned(&b);
}

static void test_server_hello_done(void **state)
{
    (void)state;
    expect_ok(p_hello_done, NULL, 0);
    uint8_t one = 0;
    expect_trailing(p_hello_done, &one, 1);
}

static void test_finished(void **state)
{
    (void)state;
    built w = build_finished();
    tu_assert_hex(w.data, w.len, finished_hex);
    tlcp_finished m;
    tlcp_cursor c;
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_cursor_init(&c, w.data, w.len);
    assert_true(tlcp_parse_finished(c, &m, &err));
    tu_assert_hex(m.verify_data, 12, finished_hex);
    expect_every_prefix_fails(p_finished, w.data, w.len, 0);
    uint8_t *t = with_trailing(w.data, w.len);
    expect_fail_msg(p_finished, w.data, 11, TLCP_R_DECODE, TLCP_ALERT_DECODE_ERROR, "11 bytes");
    expect_fail_msg(p_finished, t, 13, TLCP_R_DECODE, TLCP_ALERT_DECODE_ERROR, "13 bytes");
    expect_decode(p_finished, NULL, 0);
    free(t);
    free(w.data);
    tlcp_builder b;
    assert_true(tlcp_builder_init(&b, 16, 0));
    assert_false(tlcp_build_finished(&b, NULL));
    assert_poisoned(&b);
}

/* ---- trace printer ---- */

typedef struct lines {
    char text[16384];
    size_t len;
    size_t count;
    int malformed;
} lines;

static void collect(void *arg, const char *line)
{
    lines *l = arg;
    assert_non_null(line);
    assert_null(strchr(line, '\n'));
    l->count++;
    if (strstr(line, "(malformed") != NULL)
        l->malformed++;
    int n = snprintf(l->text + l->len, sizeof(l->text) - l->len, "%s\n", line);
    if (n > 0 && (size_t)n < sizeof(l->text) - l->len)
        l->len += (size_t)n;
}

/* 4-byte header + body in a fresh exact-size buffer. */
static built with_header(uint8_t type, const uint8_t *body, size_t len)
{
    built m;
    m.len = len + 4;
    m.data = malloc(m.len);
    assert_non_null(m.data);
    m.data[0] = type;
    m.data[1] = (uint8_t)(len >> 16);
    m.data[2] = (uint8_t)(len >> 8);
    m.data[3] = (uint8_t)len;
    if (len > 0)
        memcpy(m.data + 4, body, len);
    return m;
}

static void trace(lines *l, uint16_t suite, const uint8_t *msg, size_t len)
{
    memset(l, 0, sizeof(*l));
    tlcp_trace_msg_ctx ctx = {.is_server = 1, .is_sending = 0, .cipher_suite = suite};
    /* An exact-size copy so any overread is caught by ASan. */
    uint8_t *copy = malloc(len > 0 ? len : 1);
    assert_non_null(copy);
    if (len > 0)
        memcpy(copy, msg, len);
    tlcp_trace_message(&ctx, copy, len, collect, l);
    free(copy);
}

static void assert_has(const lines *l, const char *needle)
{
    if (strstr(l->text, needle) == NULL)
        fprintf(stderr, "trace lacks \"%s\":\n%s", needle, l->text);
    assert_non_null(strstr(l->text, needle));
}

static void test_trace_client_hello(void **state)
{
    (void)state;
    size_t n;
    uint8_t *body = tu_hex("0101 c3e7f11b1fdfa2630423cd40cec45018c88fa068dc360c91fce0bfa0efd5b00f"
                           "00 0004 e01300ff 0100",
                           &n);
    built msg = with_header(1, body, n);
    lines l;
    trace(&l, 0, msg.data, msg.len);
    assert_has(&l, "server read client_hello, 47 bytes\n");
    assert_has(&l, "  header: 01 00 00 2b (client_hello, length 43)\n");
    assert_has(&l, "  version: 01 01 (TLCP)\n");
    assert_has(&l, "  random: c3 e7 f1 1b 1f df a2 63 04 23 cd 40 ce c4 50 18 c8 8f a0 68 dc 36 "
                   "0c 91 fc e0 bf a0 ef d5 b0 0f\n");
    assert_has(&l, "  session_id: (0 bytes)\n");
    assert_has(&l, "  cipher_suites: 00 04 e0 13 00 ff (ECC_SM4_CBC_SM3, "
                   "EMPTY_RENEGOTIATION_INFO_SCSV)\n");
    assert_has(&l, "  compression_methods: 01 00\n");
    assert_has(&l, "  extensions: (none)\n");
    assert_int_equal(l.malformed, 0);
    assert_int_equal(l.count, 8);
    free(msg.data);
    free(body);

    built ext = build_client_hello(1);
    msg = with_header(1, ext.data, ext.len);
    trace(&l, 0, msg.data, msg.len);
    assert_has(&l, "  ext[0] server_name: type 00 00 (0)\n");
    assert_has(&l, "(\"localhost\")");
    assert_has(&l, "  ext[1] session_ticket: type 00 23 (35)\n    data: length 00 00\n");
    assert_has(&l, "  ext[2] application_layer_protocol_negotiation: type 00 10 (16)\n"
                   "    data: length 00 05, 00 03 02 68 32 (\"h2\")\n");
    assert_has(&l, "  session_id: (32 bytes) 09 10 17");
    assert_int_equal(l.malformed, 0);
    free(msg.data);
    free(ext.data);
}

/* A ClientHello (type 1) or ServerHello (2) with the extension block
 * `exts` (hex), header included. */
static built hello_with_exts(uint8_t type, const char *exts)
{
    size_t n = 0, e = 0;
    uint8_t *head =
        tu_hex(type == 1 ? "0101 0000000000000000000000000000000000000000000000000000000000000000"
                           "00 0002 e013 0100"
                         : "0101 0000000000000000000000000000000000000000000000000000000000000000"
                           "00 e013 00",
               &n);
    uint8_t *ext = tu_hex(exts, &e);
    uint8_t body[256];
    assert_true(n + 2 + e <= sizeof(body));
    memcpy(body, head, n);
    body[n] = (uint8_t)(e >> 8);
    body[n + 1] = (uint8_t)e;
    memcpy(body + n + 2, ext, e);
    free(head);
    free(ext);
    return with_header(type, body, n + 2 + e);
}

/* server_name and ALPN data glossed by their parsers (msg_sni.c,
 * msg_alpn.c): what they produced, or their reason after the raw hex. */
static void test_trace_extension_parsers(void **state)
{
    (void)state;
    static const struct {
        uint8_t type;
        const char *exts, *line;
    } cases[] = {
        /* well formed */
        {1, "0000 000e 000c 00 0009 6c6f63616c686f7374",
         "    data: length 00 0e, 00 0c 00 00 09 6c 6f 63 61 6c 68 6f 73 74 (\"localhost\")\n"},
        {1, "0010 000e 000c 02 6832 08 687474702f312e31",
         "    data: length 00 0e, 00 0c 02 68 32 08 68 74 74 70 2f 31 2e 31 (\"h2\", "
         "\"http/1.1\")\n"},
        {2, "0010 000b 0009 08 687474702f312e31",
         "    data: length 00 0b, 00 09 08 68 74 74 70 2f 31 2e 31 (\"http/1.1\")\n"},
        /* SNI: only a name the server would not take (type 1; a space) */
        {1, "0000 0008 0006 01 0003 616263", "00 06 01 00 03 61 62 63 (no usable host_name)\n"},
        {1, "0000 0008 0006 00 0003 612063", "00 06 00 00 03 61 20 63 (no usable host_name)\n"},
        /* SNI malformed: list overruns the data, entry overruns the list, trailing byte */
        {1, "0000 0004 0010 0000",
         "    data: length 00 04, 00 10 00 00 (malformed: server_name: list length exceeds the "
         "extension)\n"},
        {1, "0000 0006 0004 00 0009 61",
         "00 04 00 00 09 61 (malformed: server_name: entry overruns the list)\n"},
        {1, "0000 0007 0004 00 0001 61 ff",
         "00 04 00 00 01 61 ff (malformed: server_name: 1 byte(s) after the list)\n"},
        /* ALPN malformed: empty list, empty name, name overruns, two names in a ServerHello */
        {1, "0010 0002 0000",
         "    data: length 00 02, 00 00 (malformed: ALPN: empty protocol list)\n"},
        {1, "0010 0006 0004 02 6832 00",
         "00 04 02 68 32 00 (malformed: ALPN: protocol name 2 is empty)\n"},
        {1, "0010 0004 0002 05 68",
         "00 02 05 68 (malformed: ALPN: protocol name 1 overruns the list)\n"},
        {2, "0010 0008 0006 02 6832 02 6833",
         "00 06 02 68 32 02 68 33 (malformed: ALPN: the server answered with 2 names, not one)\n"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        built msg = hello_with_exts(cases[i].type, cases[i].exts);
        lines l;
        trace(&l, 0, msg.data, msg.len);
        assert_has(&l, cases[i].line);
        /* the message itself parses: every other field is printed */
        assert_has(&l, cases[i].type == 1 ? "  compression_methods: 01 00\n"
                                          : "  compression_method: 00 (null)\n");
        free(msg.data);
    }
    /* a ServerHello's server_name (GmSSL 3 echoes it empty; the client
     * ignores it): hex only */
    built msg = hello_with_exts(2, "0000 0002 abcd");
    lines l;
    trace(&l, 0, msg.data, msg.len);
    assert_has(&l, "  ext[0] server_name: type 00 00 (0)\n    data: length 00 02, ab cd\n");
    free(msg.data);
}

static void test_trace_other_messages(void **state)
{
    (void)state;
    lines l;
    built sh = build_server_hello(1);
    built msg = with_header(2, sh.data, sh.len);
    trace(&l, 0, msg.data, msg.len);
    assert_has(&l, "  cipher_suite: e0 13 (ECC_SM4_CBC_SM3)\n");
    assert_has(&l, "  compression_method: 00 (null)\n");
    assert_int_equal(l.malformed, 0);
    free(msg.data);
    free(sh.data);

    built cert = build_certificate();
    msg = with_header(11, cert.data, cert.len);
    trace(&l, 0, msg.data, msg.len);
    assert_has(&l, "  certificate_list: length 00 01 4a (330 bytes)\n");
    assert_has(&l, "  cert[0] (sign?): length 00 01 2c, 30 37 3e 45 4c 53 5a 61 68 6f 76 7d 84 "
                   "8b 92 99 ...\n");
    assert_has(&l, "  cert[1] (enc?): length 00 00 14, ");
    assert_has(&l, "  cert[2] (chain?): length 00 00 01, 30\n");
    free(msg.data);
    free(cert.data);

    built ske = build_ske(0);
    msg = with_header(12, ske.data, ske.len);
    trace(&l, TLCP_ECC_SM4_CBC_SM3, msg.data, msg.len);
    assert_has(&l, "  signature: length 00 48, 50 57 5e");
    assert_int_equal(l.malformed, 0);
    free(msg.data);
    free(ske.data);

    ske = build_ske(1);
    msg = with_header(12, ske.data, ske.len);
    for (int guess = 0; guess <= 1; guess++) {
        trace(&l, guess ? 0 : TLCP_ECDHE_SM4_GCM_SM3, msg.data, msg.len);
        assert_has(&l, "  curve_type: 03 (named_curve)\n");
        assert_has(&l, "  named_curve: 00 29 (curveSM2, 41)\n");
        assert_has(&l, "  point: length 41, 04 47 4e");
        assert_has(&l, "  signature: length 00 48, ");
        assert_int_equal(l.malformed, 0);
    }
    free(msg.data);
    free(ske.data);

    built cr = build_cert_request(2);
    msg = with_header(13, cr.data, cr.len);
    trace(&l, 0, msg.data, msg.len);
    assert_has(&l, "  certificate_types: length 01, 40 (ecdsa_sign)\n");
    assert_has(&l, "  certificate_authorities: length 00 0b (11 bytes)\n");
    assert_has(&l, "  authority[1]: length 00 02, 30 00\n");
    free(msg.data);
    free(cr.data);

    msg = with_header(14, NULL, 0);
    trace(&l, 0, msg.data, msg.len);
    assert_has(&l, "  header: 0e 00 00 00 (server_hello_done, length 0)\n");
    assert_int_equal(l.malformed, 0);
    free(msg.data);

    built cke = build_cke_ecc();
    msg = with_header(16, cke.data, cke.len);
    trace(&l, TLCP_ECC_SM4_CBC_SM3, msg.data, msg.len);
    assert_has(&l, "  encrypted_pre_master: length 00 9d, 60 67 6e");
    assert_has(&l, " ...\n");
    free(msg.data);
    free(cke.data);

    for (int form_b = 0; form_b <= 1; form_b++) {
        cke = build_cke_ecdhe(form_b);
        msg = with_header(16, cke.data, cke.len);
        trace(&l, 0, msg.data, msg.len);
        assert_has(&l, form_b ? "  form: B (length prefix 00 45" : "  form: A (no length prefix)");
        assert_has(&l, "  named_curve: 00 29 (curveSM2, 41)\n");
        assert_int_equal(l.malformed, 0);
        free(msg.data);
        free(cke.data);
    }

    built cv = build_cert_verify();
    msg = with_header(15, cv.data, cv.len);
    trace(&l, 0, msg.data, msg.len);
    assert_has(&l, "  signature: length 00 48, 70 77");
    free(msg.data);
    free(cv.data);

    built fin = build_finished();
    msg = with_header(20, fin.data, fin.len);
    trace(&l, 0, msg.data, msg.len);
    assert_has(&l, "  header: 14 00 00 0c (finished, length 12)\n");
    assert_has(&l, "  verify_data: a1 8a 9d 41 d6 62 47 ce cb cf d2 9c\n");
    free(msg.data);
    free(fin.data);

    size_t n;
    uint8_t *ticket = tu_hex("00001c20 0003 aabbcc", &n);
    msg = with_header(4, ticket, n);
    trace(&l, 0, msg.data, msg.len);
    assert_has(&l, "  ticket_lifetime_hint: 00 00 1c 20 (7200 s)\n");
    assert_has(&l, "  ticket: length 00 03, aa bb cc\n");
    assert_int_equal(l.malformed, 0);
    free(msg.data);
    free(ticket);
}

/* CertificateRequest certificate_types, exact lines: the length byte is
 * shown as a length and never named as a type. Tongsuo sends {1, 64}. */
static void test_trace_certificate_types(void **state)
{
    (void)state;
    static const struct {
        const char *body;
        const char *line;
        int malformed;
    } cases[] = {
        {"02 01 40 0000", "  certificate_types: length 02, 01 40 (rsa_sign, ecdsa_sign)", 0},
        {"01 40 0000", "  certificate_types: length 01, 40 (ecdsa_sign)", 0},
        {"03 40 02 07 0000",
         "  certificate_types: length 03, 40 02 07 (ecdsa_sign, dss_sign, unknown)", 0},
        /* Rejected by the parser: the body in hex and the parser's reason. */
        {"00 0000",
         "  body: 00 00 00\n  (malformed: CertificateRequest: empty certificate_types list)", 1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t n;
        uint8_t *body = tu_hex(cases[i].body, &n);
        built msg = with_header(13, body, n);
        lines l;
        trace(&l, 0, msg.data, msg.len);
        /* the whole line, between its newlines */
        char want[160];
        snprintf(want, sizeof(want), "\n%s\n", cases[i].line);
        assert_has(&l, want);
        assert_int_equal(l.malformed, cases[i].malformed);
        free(msg.data);
        free(body);
    }
}

static void test_trace_malformed(void **state)
{
    (void)state;
    lines l;
    /* Rejected by the parser (the one the engine uses): no fields, the
     * body in hex, then the parser's reason. */
    built dup = raw_client_hello("", "e013", "00", "0008 0023 0000 0023 0000");
    built msg = with_header(1, dup.data, dup.len);
    trace(&l, 0, msg.data, msg.len);
    assert_has(&l, "  header: 01 00 00 33 (client_hello, length 51)\n  body: 01 01 01 08");
    assert_has(&l, "00 08 00 23 00 00 00 23 00 00\n"
                   "  (malformed: ClientHello: extension 35 appears twice)\n");
    assert_false(strstr(l.text, "ext[1]") != NULL);
    assert_int_equal(l.malformed, 1);
    free(msg.data);
    free(dup.data);

    /* Header announcing more than is there. */
    built fin = build_finished();
    msg = with_header(20, fin.data, fin.len);
    trace(&l, 0, msg.data, msg.len - 1);
    assert_has(&l, "  (malformed: body shorter than the length in the header)\n");
    /* More than the header announces. */
    msg.data[3] = 11;
    trace(&l, 0, msg.data, msg.len);
    assert_has(&l, "  (malformed: bytes after the length given in the header)\n");
    /* 11-byte Finished. */
    trace(&l, 0, msg.data, msg.len - 1);
    assert_has(&l, "(malformed: Finished: 11 bytes of verify_data");
    free(msg.data);
    free(fin.data);

    /* Shorter than a header. */
    uint8_t two[] = {1, 0};
    trace(&l, 0, two, 2);
    assert_has(&l, "server read a handshake fragment, 2 bytes\n  header: 01 00\n");
    assert_has(&l, "(malformed: shorter than the 4-byte handshake header)");
    trace(&l, 0, NULL, 0);
    assert_int_equal(l.malformed, 1);

    /* No context: client side, suite guessed from the bytes. */
    memset(&l, 0, sizeof(l));
    tlcp_trace_message(NULL, two, 2, collect, &l);
    assert_has(&l, "client read a handshake fragment, 2 bytes\n");
    tlcp_trace_message(NULL, two, 2, NULL, NULL);

    /* Unknown type: body shown as hex. */
    uint8_t odd[] = {99, 0, 0, 2, 0xab, 0xcd};
    trace(&l, 0, odd, sizeof(odd));
    assert_has(&l, "  header: 63 00 00 02 (unknown, length 2)\n  body: ab cd\n");
}

/* Every prefix of every sample message, and a batch of pseudo-random bodies
 * for every type: the printer must not crash, must say "(malformed" for
 * every proper prefix, and must not for the whole message. */
static void test_trace_never_crashes(void **state)
{
    (void)state;
    built bodies[12];
    uint8_t types[12] = {1, 1, 2, 11, 12, 12, 13, 16, 16, 16, 15, 20};
    uint16_t suites[12] = {0,
                           0,
                           0,
                           0,
                           TLCP_ECC_SM4_CBC_SM3,
                           TLCP_ECDHE_SM4_CBC_SM3,
                           0,
                           TLCP_ECC_SM4_CBC_SM3,
                           TLCP_ECDHE_SM4_CBC_SM3,
                           TLCP_ECDHE_SM4_CBC_SM3,
                           0,
                           0};
    bodies[0] = build_client_hello(0);
    bodies[1] = build_client_hello(1);
    bodies[2] = build_server_hello(1);
    bodies[3] = build_certificate();
    bodies[4] = build_ske(0);
    bodies[5] = build_ske(1);
    bodies[6] = build_cert_request(2);
    bodies[7] = build_cke_ecc();
    bodies[8] = build_cke_ecdhe(0);
    bodies[9] = build_cke_ecdhe(1);
    bodies[10] = build_cert_verify();
    bodies[11] = build_finished();
    lines l;
    for (size_t i = 0; i < 12; i++) {
        built msg = with_header(types[i], bodies[i].data, bodies[i].len);
        for (size_t n = 0; n < msg.len; n++) {
            trace(&l, suites[i], msg.data, n);
            assert_true(l.count >= 2);
            assert_int_equal(l.malformed, 1);
        }
        trace(&l, suites[i], msg.data, msg.len);
        assert_int_equal(l.malformed, 0);
        free(msg.data);
        free(bodies[i].data);
    }
    static const uint8_t all_types[] = {0, 1, 2, 4, 11, 12, 13, 14, 15, 16, 20, 77};
    uint32_t x = 12345;
    uint8_t body[300];
    for (size_t t = 0; t < sizeof(all_types); t++) {
        for (int round = 0; round < 200; round++) {
            size_t len = (size_t)(round * 37 % 300);
            for (size_t i = 0; i < len; i++) {
                x = x * 1103515245u + 12345u;
                body[i] = (uint8_t)(x >> 16);
                /* small values make the length fields plausible */
                if (round % 2 == 0)
                    body[i] &= 0x07;
            }
            built msg = with_header(all_types[t], body, len);
            trace(&l, round % 3 == 0 ? 0 : TLCP_ECDHE_SM4_CBC_SM3, msg.data, msg.len);
            assert_true(l.count >= 2);
            free(msg.data);
        }
    }
}

/* NewSessionTicket and HelloRequest parsers: the shapes and every failure. */
static void test_new_session_ticket_and_hello_request(void **state)
{
    (void)state;
    static const struct {
        const char *hex;
        int ok;
        const char *why;
    } cases[] = {
        {"00001c20 0003 aabbcc", 1, NULL},
        {"00000000 0000", 1, NULL}, /* empty ticket: the server withdraws */
        {"00001c", 0, "ticket_lifetime_hint truncated"},
        {"00001c20 00", 0, "ticket length exceeds the message"},
        {"00001c20 0004 aabbcc", 0, "ticket length exceeds the message"},
        {"00001c20 0001 aa bb", 0, "unexpected byte(s) after the message"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t n;
        uint8_t *b = tu_hex(cases[i].hex, &n);
        tlcp_cursor c;
        tlcp_cursor_init(&c, b, n);
        tlcp_new_session_ticket m;
        tlcp_error err;
        tlcp_error_clear(&err);
        assert_int_equal(tlcp_parse_new_session_ticket(c, &m, &err), cases[i].ok);
        if (cases[i].ok) {
            assert_int_equal(m.lifetime_hint, i == 0 ? 7200 : 0);
            assert_int_equal(tlcp_cursor_len(&m.ticket), i == 0 ? 3 : 0);
        } else {
            assert_int_equal(err.alert, TLCP_ALERT_DECODE_ERROR);
            assert_non_null(strstr(tlcp_error_message(&err), cases[i].why));
        }
        free(b);
    }
    uint8_t one = 0;
    tlcp_cursor c;
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_cursor_init(&c, &one, 0);
    assert_true(tlcp_parse_hello_request(c, &err));
    tlcp_cursor_init(&c, &one, 1);
    assert_false(tlcp_parse_hello_request(c, &err));
    assert_int_equal(err.reason, TLCP_R_TRAILING_DATA);
    assert_int_equal(err.alert, TLCP_ALERT_DECODE_ERROR);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(tlcp_hs_type_name(1), "client_hello");
    assert_string_equal(tlcp_hs_type_name(12), "server_key_exchange");
    assert_string_equal(tlcp_hs_type_name(20), "finished");
    assert_string_equal(tlcp_hs_type_name(99), "unknown");
    assert_string_equal(tlcp_cipher_suite_name(0xE013).str, "ECC_SM4_CBC_SM3");
    assert_string_equal(tlcp_cipher_suite_name(0xE051).str, "ECDHE_SM4_GCM_SM3");
    assert_string_equal(tlcp_cipher_suite_name(0x1234).str, "unknown(0x1234)");
    assert_true(tlcp_cipher_suite_is_ecdhe(0xE011));
    assert_true(tlcp_cipher_suite_is_ecdhe(0xE051));
    assert_false(tlcp_cipher_suite_is_ecdhe(0xE013));
    assert_false(tlcp_cipher_suite_is_ecdhe(0xE053));
    assert_string_equal(tlcp_extension_name(16), "application_layer_protocol_negotiation");
    assert_null(tlcp_extension_name(9999));
    assert_string_equal(tlcp_cert_type_name(64), "ecdsa_sign");
    assert_null(tlcp_cert_type_name(7));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_client_hello_roundtrip),
        cmocka_unit_test(test_client_hello_design_trace),
        cmocka_unit_test(test_client_hello_truncation_and_trailing),
        cmocka_unit_test(test_client_hello_bad_fields),
        cmocka_unit_test(test_client_hello_limits),
        cmocka_unit_test(test_client_hello_builder_refusals),
        cmocka_unit_test(test_server_hello_roundtrip),
        cmocka_unit_test(test_server_hello_design_trace),
        cmocka_unit_test(test_server_hello_bad_fields),
        cmocka_unit_test(test_certificate_roundtrip),
        cmocka_unit_test(test_certificate_bad_lengths),
        cmocka_unit_test(test_certificate_too_many),
        cmocka_unit_test(test_cert_request_roundtrip),
        cmocka_unit_test(test_cert_request_bad_fields),
        cmocka_unit_test(test_ske_roundtrip),
        cmocka_unit_test(test_ske_bad_fields),
        cmocka_unit_test(test_cke_ecc),
        cmocka_unit_test(test_cke_ecdhe_forms),
        cmocka_unit_test(test_cke_ecdhe_bad),
        cmocka_unit_test(test_cert_verify),
        cmocka_unit_test(test_server_hello_done),
        cmocka_unit_test(test_finished),
        cmocka_unit_test(test_trace_client_hello),
        cmocka_unit_test(test_trace_extension_parsers),
        cmocka_unit_test(test_trace_other_messages),
        cmocka_unit_test(test_trace_certificate_types),
        cmocka_unit_test(test_trace_malformed),
        cmocka_unit_test(test_trace_never_crashes),
        cmocka_unit_test(test_new_session_ticket_and_hello_request),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
