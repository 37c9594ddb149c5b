/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Every plaintext handshake message in the recorded interop traffic
 * (tests/data/interop) must parse with the libtlcp codecs and rebuild from the
 * parsed struct to the identical bytes; the trace printer must print each one
 * without finding anything malformed.
 *
 * The records are split and the messages reassembled by a small helper here
 * (not the record layer): type-22 records up to the first ChangeCipherSpec
 * of each direction are plaintext.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handshake/messages.h"
#include "handshake/trace_fields.h"

#define MAX_MSGS 32

typedef struct hs_msg {
    uint8_t type;
    const uint8_t *whole; /* header + body, inside stream.buf */
    size_t whole_len;
} hs_msg;

typedef struct stream {
    uint8_t *buf; /* concatenated plaintext handshake bytes */
    size_t len;
    hs_msg msgs[MAX_MSGS];
    size_t num;
} stream;

/* Collects type-22 record payloads before the first CCS, then splits them
 * into messages. Returns NULL on success or what went wrong. */
static const char *load_stream(const char *path, stream *s)
{
    size_t n;
    memset(s, 0, sizeof(*s));
    uint8_t *raw = tu_read_file(path, &n);
    if (raw == NULL)
        return "file missing";
    s->buf = malloc(n + 1);
    assert_non_null(s->buf);
    size_t i = 0;
    while (i + 5 <= n) {
        uint8_t type = raw[i];
        size_t len = (size_t)raw[i + 3] << 8 | raw[i + 4];
        if (i + 5 + len > n)
            break;
        if (type == 20)
            break;
        if (type == 22) {
            memcpy(s->buf + s->len, raw + i + 5, len);
            s->len += len;
        }
        i += 5 + len;
    }
    free(raw);
    size_t off = 0;
    while (off < s->len) {
        if (s->len - off < 4)
            return "partial handshake header before the CCS";
        size_t blen =
            (size_t)s->buf[off + 1] << 16 | (size_t)s->buf[off + 2] << 8 | s->buf[off + 3];
        if (s->len - off - 4 < blen)
            return "partial handshake message before the CCS";
        if (s->num == MAX_MSGS)
            return "too many messages";
        s->msgs[s->num].type = s->buf[off];
        s->msgs[s->num].whole = s->buf + off;
        s->msgs[s->num].whole_len = 4 + blen;
        s->num++;
        off += 4 + blen;
    }
    return NULL;
}

static void free_stream(stream *s)
{
    free(s->buf);
}

static const char *same(tlcp_builder *b, tlcp_cursor body)
{
    uint8_t *out;
    size_t out_len;
    if (!tlcp_builder_finish(b, &out, &out_len)) {
        tlcp_builder_cleanup(b);
        return "builder failed";
    }
    int eq = out_len == tlcp_cursor_len(&body) &&
             (out_len == 0 || memcmp(out, tlcp_cursor_data(&body), out_len) == 0);
    free(out);
    return eq ? NULL : "rebuilt bytes differ";
}

static const char *roundtrip_client_hello(tlcp_cursor body, tlcp_builder *b, tlcp_error *err)
{
    tlcp_client_hello m;
    if (!tlcp_parse_client_hello(body, &m, err))
        return "parse failed";
    uint16_t suites[TLCP_MAX_CIPHER_SUITES];
    size_t num = 0;
    tlcp_cursor list = m.cipher_suites;
    while (tlcp_cursor_get_u16(&list, &suites[num]))
        num++;
    if (m.version != 0x0101)
        return "ClientHello version is not 0x0101";
    return tlcp_build_client_hello(b, &m, suites, num) ? same(b, body) : "build failed";
}

static const char *roundtrip_server_hello(tlcp_cursor body, tlcp_builder *b, uint16_t *suite,
                                          tlcp_error *err)
{
    tlcp_server_hello m;
    if (!tlcp_parse_server_hello(body, &m, err))
        return "parse failed";
    *suite = m.cipher_suite;
    return tlcp_build_server_hello(b, &m) ? same(b, body) : "build failed";
}

static const char *roundtrip_certificate(tlcp_cursor body, tlcp_builder *b, tlcp_error *err)
{
    tlcp_certificate_msg m;
    if (!tlcp_parse_certificate(body, &m, err))
        return "parse failed";
    const uint8_t *certs[TLCP_MAX_CERTS];
    size_t lens[TLCP_MAX_CERTS];
    for (size_t i = 0; i < m.num_certs; i++) {
        certs[i] = tlcp_cursor_data(&m.certs[i]);
        lens[i] = tlcp_cursor_len(&m.certs[i]);
    }
    return tlcp_build_certificate(b, certs, lens, m.num_certs) ? same(b, body) : "build failed";
}

static const char *roundtrip_ske(tlcp_cursor body, int ecdhe, tlcp_builder *b, tlcp_error *err)
{
    tlcp_server_key_exchange m;
    if (!tlcp_parse_server_key_exchange(body, ecdhe, &m, err))
        return "parse failed";
    if (ecdhe && m.named_curve != TLCP_NAMED_CURVE_SM2)
        return "ServerKeyExchange named_curve is not 41";
    if (!tlcp_build_server_key_exchange(b, tlcp_cursor_data(&m.params), tlcp_cursor_len(&m.params),
                                        tlcp_cursor_data(&m.signature),
                                        tlcp_cursor_len(&m.signature)))
        return "build failed";
    return same(b, body);
}

static const char *roundtrip_cert_request(tlcp_cursor body, tlcp_builder *b, tlcp_error *err)
{
    tlcp_certificate_request m;
    if (!tlcp_parse_certificate_request(body, &m, err))
        return "parse failed";
    const uint8_t *names[TLCP_MAX_CERTS * 4];
    size_t lens[TLCP_MAX_CERTS * 4];
    for (size_t i = 0; i < m.num_authorities; i++) {
        names[i] = tlcp_cursor_data(&m.authorities[i]);
        lens[i] = tlcp_cursor_len(&m.authorities[i]);
    }
    if (!tlcp_build_certificate_request(b, tlcp_cursor_data(&m.certificate_types),
                                        tlcp_cursor_len(&m.certificate_types), names, lens,
                                        m.num_authorities))
        return "build failed";
    return same(b, body);
}

static const char *roundtrip_cke(tlcp_cursor body, int ecdhe, tlcp_builder *b, int *form_b,
                                 tlcp_error *err)
{
    tlcp_client_key_exchange m;
    if (!tlcp_parse_client_key_exchange(body, ecdhe, &m, err))
        return "parse failed";
    int ok;
    if (ecdhe) {
        uint8_t point[65];
        memcpy(point, tlcp_cursor_data(&m.point), sizeof(point));
        *form_b = m.ecdhe_form_b;
        if (m.named_curve != TLCP_NAMED_CURVE_SM2)
            return "ClientKeyExchange named_curve is not 41";
        ok = tlcp_build_client_key_exchange_ecdhe(b, point, m.ecdhe_form_b);
    } else {
        ok = tlcp_build_client_key_exchange_ecc(b, tlcp_cursor_data(&m.encrypted_pre_master),
                                                tlcp_cursor_len(&m.encrypted_pre_master));
    }
    return ok ? same(b, body) : "build failed";
}

static const char *roundtrip_cert_verify(tlcp_cursor body, tlcp_builder *b, tlcp_error *err)
{
    tlcp_certificate_verify m;
    if (!tlcp_parse_certificate_verify(body, &m, err))
        return "parse failed";
    if (!tlcp_build_certificate_verify(b, tlcp_cursor_data(&m.signature),
                                       tlcp_cursor_len(&m.signature)))
        return "build failed";
    return same(b, body);
}

typedef struct conn_result {
    uint16_t suite;
    size_t parsed, skipped, trace_lines;
    int cke_form_b; /* -1: no ECDHE CKE seen */
    char kinds[256];
} conn_result;

/* One message: parse, rebuild, compare. NULL when fine. */
static const char *check_message(const hs_msg *msg, conn_result *r, tlcp_error *err)
{
    tlcp_cursor body;
    tlcp_cursor_init(&body, msg->whole + 4, msg->whole_len - 4);
    tlcp_builder b;
    assert_true(tlcp_builder_init(&b, 256, 0));
    const char *why = NULL;
    int ecdhe = tlcp_cipher_suite_is_ecdhe(r->suite);
    switch (msg->type) {
    case TLCP_HS_CLIENT_HELLO:
        why = roundtrip_client_hello(body, &b, err);
        break;
    case TLCP_HS_SERVER_HELLO:
        why = roundtrip_server_hello(body, &b, &r->suite, err);
        break;
    case TLCP_HS_CERTIFICATE:
        why = roundtrip_certificate(body, &b, err);
        break;
    case TLCP_HS_SERVER_KEY_EXCHANGE:
        why = roundtrip_ske(body, ecdhe, &b, err);
        break;
    case TLCP_HS_CERTIFICATE_REQUEST:
        why = roundtrip_cert_request(body, &b, err);
        break;
    case TLCP_HS_SERVER_HELLO_DONE:
        why = tlcp_parse_server_hello_done(body, err) ? NULL : "parse failed";
        break;
    case TLCP_HS_CLIENT_KEY_EXCHANGE:
        why = roundtrip_cke(body, ecdhe, &b, &r->cke_form_b, err);
        break;
    case TLCP_HS_CERTIFICATE_VERIFY:
        why = roundtrip_cert_verify(body, &b, err);
        break;
    case TLCP_HS_NEW_SESSION_TICKET: /* RFC 5077, not a TLCP message we parse: skipped */
        r->skipped++;
        tlcp_builder_cleanup(&b);
        return NULL;
    default:
        why = "unexpected plaintext message type";
        break;
    }
    tlcp_builder_cleanup(&b);
    if (why == NULL)
        r->parsed++;
    return why;
}

typedef struct trace_sink {
    size_t lines;
    int malformed;
} trace_sink;

static void sink_line(void *arg, const char *line)
{
    trace_sink *s = arg;
    s->lines++;
    if (strstr(line, "(malformed") != NULL) {
        s->malformed = 1;
        fprintf(stderr, "    trace: %s\n", line);
    }
    if (getenv("TLCP_SHOW_TRACE") != NULL)
        fprintf(stderr, "%s\n", line);
}

static const char *trace_stream(const stream *s, int from_server, conn_result *r)
{
    for (size_t i = 0; i < s->num; i++) {
        tlcp_trace_msg_ctx ctx = {
            .is_server = !from_server, .is_sending = 0, .cipher_suite = r->suite};
        trace_sink sink = {0, 0};
        tlcp_trace_message(&ctx, s->msgs[i].whole, s->msgs[i].whole_len, sink_line, &sink);
        if (sink.lines < 2)
            return "trace printed fewer than 2 lines";
        if (sink.malformed && s->msgs[i].type != TLCP_HS_NEW_SESSION_TICKET)
            return "trace reported a well-formed message as malformed";
        r->trace_lines += sink.lines;
    }
    return NULL;
}

static void add_kinds(conn_result *r, const char *dir, const stream *s)
{
    size_t n = strlen(r->kinds);
    n += (size_t)snprintf(r->kinds + n, sizeof(r->kinds) - n, " %s[", dir);
    for (size_t i = 0; i < s->num && n < sizeof(r->kinds); i++)
        n +=
            (size_t)snprintf(r->kinds + n, sizeof(r->kinds) - n, i ? " %u" : "%u", s->msgs[i].type);
    if (n < sizeof(r->kinds))
        snprintf(r->kinds + n, sizeof(r->kinds) - n, "]");
}

static const char *check_stream(const stream *s, conn_result *r, const char *dir)
{
    for (size_t i = 0; i < s->num; i++) {
        tlcp_error err;
        tlcp_error_clear(&err);
        const char *why = check_message(&s->msgs[i], r, &err);
        if (why != NULL) {
            fprintf(stderr, "    %s message %zu (%s): %s%s%s\n", dir, i,
                    tlcp_hs_type_name(s->msgs[i].type), why, tlcp_error_is_set(&err) ? ": " : "",
                    tlcp_error_is_set(&err) ? tlcp_error_message(&err) : "");
            return why;
        }
    }
    return NULL;
}

/* Server flight first: the ServerHello says which key-exchange shape follows. */
static const char *check_connection(const char *fixture, const char *prefix, conn_result *r)
{
    char rel[512];
    stream c2s, s2c;
    const char *why;
    memset(r, 0, sizeof(*r));
    r->cke_form_b = -1;
    snprintf(rel, sizeof(rel), "interop/%s/%ss2c.bin", fixture, prefix);
    if ((why = load_stream(tu_data_path(rel), &s2c)) != NULL)
        return why;
    snprintf(rel, sizeof(rel), "interop/%s/%sc2s.bin", fixture, prefix);
    if ((why = load_stream(tu_data_path(rel), &c2s)) != NULL) {
        free_stream(&s2c);
        return why;
    }
    if (c2s.num == 0 || c2s.msgs[0].type != TLCP_HS_CLIENT_HELLO)
        why = "client flight does not start with a ClientHello";
    else if (s2c.num == 0 || s2c.msgs[0].type != TLCP_HS_SERVER_HELLO)
        why = "server flight does not start with a ServerHello";
    if (why == NULL)
        why = check_stream(&s2c, r, "s2c");
    if (why == NULL)
        why = check_stream(&c2s, r, "c2s");
    if (why == NULL)
        why = trace_stream(&s2c, 1, r);
    if (why == NULL)
        why = trace_stream(&c2s, 0, r);
    add_kinds(r, "c2s", &c2s);
    add_kinds(r, "s2c", &s2c);
    free_stream(&c2s);
    free_stream(&s2c);
    return why;
}

static int file_exists(const char *fixture, const char *name)
{
    char rel[512];
    snprintf(rel, sizeof(rel), "interop/%s/%s", fixture, name);
    FILE *f = fopen(tu_data_path(rel), "rb");
    if (f != NULL)
        fclose(f);
    return f != NULL;
}

static void test_every_fixture(void **state)
{
    (void)state;
    char **names;
    size_t n = tu_list_fixtures(&names);
    assert_true(n > 0);
    size_t failures = 0, total_msgs = 0;
    for (size_t i = 0; i < n; i++) {
        int multi = file_exists(names[i], "conn1-c2s.bin");
        for (int conn = 1; conn <= (multi ? 9 : 1); conn++) {
            char prefix[16] = "";
            if (multi) {
                snprintf(prefix, sizeof(prefix), "conn%d-", conn);
                char probe[32];
                snprintf(probe, sizeof(probe), "%sc2s.bin", prefix);
                if (!file_exists(names[i], probe))
                    break;
            }
            conn_result r;
            const char *why = check_connection(names[i], prefix, &r);
            char label[96];
            snprintf(label, sizeof(label), "%s%s%.*s", names[i], multi ? " " : "",
                     multi ? (int)strlen(prefix) - 1 : 0, prefix);
            printf("%-78s %s: suite %s, %zu parsed and rebuilt byte-exact, %zu skipped "
                   "(NewSessionTicket), %zu trace lines,%s%s\n",
                   label, why ? "FAIL" : "ok", tlcp_cipher_suite_name(r.suite).str, r.parsed,
                   r.skipped, r.trace_lines, r.kinds,
                   r.cke_form_b < 0 ? ""
                   : r.cke_form_b   ? " CKE form B"
                                    : " CKE form A");
            if (why != NULL) {
                printf("    -> %s\n", why);
                failures++;
            }
            total_msgs += r.parsed;
        }
    }
    printf("%zu fixtures, %zu messages parsed and rebuilt, %zu failures\n", n, total_msgs,
           failures);
    tu_free_list(names, n);
    assert_int_equal(failures, 0);
    assert_true(total_msgs > 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_fixture),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
