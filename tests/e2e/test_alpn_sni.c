/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ALPN (RFC 7301) and certificate pairs chosen by server name, end to end
 * between a libtlcp client and server: agreement, no overlap, a server that
 * requires a match (alert no_application_protocol), a client without ALPN,
 * the selection callback, a server answer the client did not offer; exact,
 * wildcard, case-insensitive, unknown and absent names, no default pair,
 * the trace lines, and that a session is not resumed under another name.
 *
 * Three different server PKIs from the recordings tell the pairs apart:
 * Tongsuo's is the default, GmSSL 3's serves "gm.example", GmSSL 2's
 * serves "*.wild.example". The clients do not verify (the names are made
 * up); the server's sign certificate is compared with the file.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e_pair.h"
#include "mempipe.h"
#include "tlcp/tlcp.h"
#include "x509/x509.h"

#define DEF  "interop/tongsuo-ecc-sm4-cbc-sm3/"
#define GM3  "interop/gmssl3-ecc-sm4-gcm-sm3/"
#define GM2  "interop/gmssl2-ecc-sm4-cbc-sm3/"
#define TWO  "interop/tongsuo-ecc-sm4-cbc-sm3-clientauth/" /* same PKI as DEF */
#define HOST "localhost"

/* ---- configs ---------------------------------------------------------- */

static tlcp_config *plain_server(e2e_capture *trace)
{
    tlcp_config *cfg = tlcp_config_new();
    assert_non_null(cfg);
    e2e_load_pair(cfg, DEF, "server", 0);
    e2e_load_pair(cfg, DEF, "server", 1);
    if (trace != NULL)
        assert_int_equal(tlcp_config_set_trace(cfg, e2e_capture_line, trace), TLCP_OK);
    return cfg;
}

static tlcp_config *plain_client(const char *host, int sni, e2e_capture *trace)
{
    tlcp_config *cfg = tlcp_config_new();
    assert_non_null(cfg);
    assert_int_equal(tlcp_config_set_verify_mode(cfg, TLCP_VERIFY_NONE), TLCP_OK);
    assert_int_equal(tlcp_config_set_host_name(cfg, host), TLCP_OK);
    assert_int_equal(tlcp_config_set_send_sni(cfg, sni), TLCP_OK);
    if (trace != NULL)
        assert_int_equal(tlcp_config_set_trace(cfg, e2e_capture_line, trace), TLCP_OK);
    return cfg;
}

static void add_named(tlcp_config *cfg, const char *name, const char *dir)
{
    char *sc = e2e_fixture_path(dir, "server-sign.pem");
    char *sk = e2e_fixture_path(dir, "server-sign.key");
    char *ec = e2e_fixture_path(dir, "server-enc.pem");
    char *ek = e2e_fixture_path(dir, "server-enc.key");
    if (tlcp_config_add_cert_pair_for_name(cfg, name, sc, sk, ec, ek, NULL) != TLCP_OK)
        fail_msg("pair for %s: %s", name, tlcp_config_error(cfg));
    free(sc);
    free(sk);
    free(ec);
    free(ek);
}

/* A server with the default pair (or none) and the two named pairs. */
static tlcp_config *named_server(int with_default, e2e_capture *trace)
{
    tlcp_config *cfg = with_default ? plain_server(trace) : tlcp_config_new();
    assert_non_null(cfg);
    if (!with_default && trace != NULL)
        assert_int_equal(tlcp_config_set_trace(cfg, e2e_capture_line, trace), TLCP_OK);
    add_named(cfg, "gm.example", GM3);
    add_named(cfg, "*.wild.example", GM2);
    return cfg;
}

static void expect_failure(e2e_pair *p, int server_fails, int reason, int alert)
{
    assert_false(e2e_pair_handshake(p));
    tlcp_conn *bad = server_fails ? p->server : p->client;
    tlcp_conn *other = server_fails ? p->client : p->server;
    if (tlcp_conn_error_reason(bad) != reason || tlcp_conn_alert_sent(bad) != alert)
        fail_msg("%s: reason %d alert %d \"%s\"; expected reason %d alert %d",
                 server_fails ? "server" : "client", tlcp_conn_error_reason(bad),
                 tlcp_conn_alert_sent(bad), tlcp_conn_error(bad), reason, alert);
    assert_int_equal(tlcp_conn_alert_received(other), alert);
}

static void assert_alpn(const tlcp_conn *conn, const char *want)
{
    const uint8_t *p = (const uint8_t *)"x";
    size_t len = 99;
    int got = tlcp_conn_alpn_selected(conn, &p, &len);
    if (want == NULL) {
        assert_int_equal(got, 0);
        assert_null(p);
        assert_int_equal(len, 0);
        return;
    }
    assert_int_equal(got, 1);
    if (len != strlen(want) || memcmp(p, want, len) != 0)
        fail_msg("ALPN \"%.*s\", expected \"%s\"", (int)len, (const char *)p, want);
}

static void run_alpn(const char *client_list, const char *server_list, const char *want)
{
    e2e_pair p;
    tlcp_config *c = plain_client(HOST, 0, NULL), *s = plain_server(NULL);
    assert_int_equal(tlcp_config_set_alpn(c, client_list), TLCP_OK);
    assert_int_equal(tlcp_config_set_alpn(s, server_list), TLCP_OK);
    e2e_pair_open(&p, c, s);
    if (!e2e_pair_handshake(&p))
        fail_msg("handshake: %s / %s", tlcp_conn_error(p.client), tlcp_conn_error(p.server));
    assert_alpn(p.client, want);
    assert_alpn(p.server, want);
    e2e_pair_close(&p);
}

/* ---- ALPN ------------------------------------------------------------- */

static void test_alpn_server_preference(void **state)
{
    (void)state;
    e2e_capture ct = {0}, st = {0};
    e2e_pair p;
    tlcp_config *c = plain_client(HOST, 0, &ct), *s = plain_server(&st);
    assert_int_equal(tlcp_config_set_alpn(c, "h2,http/1.1"), TLCP_OK);
    assert_int_equal(tlcp_config_set_alpn(s, "spdy/3,http/1.1,h2"), TLCP_OK);
    e2e_pair_open(&p, c, s);
    assert_true(e2e_pair_handshake(&p));
    assert_alpn(p.client, "http/1.1"); /* the server's order, not the client's */
    assert_alpn(p.server, "http/1.1");
    assert_true(e2e_captured(&ct, "offering ALPN protocols: h2, http/1.1"));
    assert_true(e2e_captured(&ct, "server selected ALPN protocol \"http/1.1\""));
    assert_true(e2e_captured(&st, "client offers ALPN protocols: h2, http/1.1"));
    assert_true(e2e_captured(&st, "ALPN selected \"http/1.1\" (server preference)"));
    e2e_pair_close(&p);
    e2e_capture_free(&ct);
    e2e_capture_free(&st);
    run_alpn("h2", "h2", "h2");
}

static void test_alpn_no_overlap_goes_on(void **state)
{
    (void)state;
    run_alpn("h2", "http/1.1", NULL);
}

static void test_alpn_client_without(void **state)
{
    (void)state;
    e2e_pair p;
    tlcp_config *s = plain_server(NULL);
    assert_int_equal(tlcp_config_set_alpn(s, "h2"), TLCP_OK);
    e2e_pair_open(&p, plain_client(HOST, 0, NULL), s);
    assert_true(e2e_pair_handshake(&p));
    assert_alpn(p.client, NULL);
    assert_alpn(p.server, NULL);
    e2e_pair_close(&p);
}

/* A server without ALPN does not answer; the client goes on. */
static void test_alpn_server_without(void **state)
{
    (void)state;
    e2e_capture ct = {0};
    e2e_pair p;
    tlcp_config *c = plain_client(HOST, 0, &ct);
    assert_int_equal(tlcp_config_set_alpn(c, "h2,http/1.1"), TLCP_OK);
    e2e_pair_open(&p, c, plain_server(NULL));
    assert_true(e2e_pair_handshake(&p));
    assert_alpn(p.client, NULL);
    assert_alpn(p.server, NULL);
    assert_true(e2e_captured(&ct, "server selected no ALPN protocol"));
    e2e_pair_close(&p);
    e2e_capture_free(&ct);
}

static void test_alpn_required(void **state)
{
    (void)state;
    const char *clients[] = {"h2", NULL}; /* no overlap; no ALPN at all */
    for (int i = 0; i < 2; i++) {
        e2e_capture st = {0};
        e2e_pair p;
        tlcp_config *c = plain_client(HOST, 0, NULL), *s = plain_server(&st);
        if (clients[i] != NULL)
            assert_int_equal(tlcp_config_set_alpn(c, clients[i]), TLCP_OK);
        assert_int_equal(tlcp_config_set_alpn(s, "http/1.1"), TLCP_OK);
        assert_int_equal(tlcp_config_set_alpn_required(s, 1), TLCP_OK);
        e2e_pair_open(&p, c, s);
        expect_failure(&p, 1, TLCP_R_NO_APPLICATION_PROTOCOL, TLCP_ALERT_NO_APPLICATION_PROTOCOL);
        assert_true(e2e_captured(&st, i == 0 ? "ALPN: no protocol in common"
                                             : "ALPN: the client offered none"));
        assert_true(e2e_captured(&st, "no_application_protocol"));
        e2e_pair_close(&p);
        e2e_capture_free(&st);
    }
    /* With a match the required server is content. */
    e2e_pair p;
    tlcp_config *c = plain_client(HOST, 0, NULL), *s = plain_server(NULL);
    assert_int_equal(tlcp_config_set_alpn(c, "h2,http/1.1"), TLCP_OK);
    assert_int_equal(tlcp_config_set_alpn(s, "http/1.1"), TLCP_OK);
    assert_int_equal(tlcp_config_set_alpn_required(s, 1), TLCP_OK);
    e2e_pair_open(&p, c, s);
    assert_true(e2e_pair_handshake(&p));
    assert_alpn(p.client, "http/1.1");
    e2e_pair_close(&p);
}

typedef struct cb_state {
    int mode; /* 0 pick the last offered, 1 refuse, 2 none, 3 a name not offered */
    int calls;
    char sni[64];
    char offered[64];
} cb_state;

static int pick(void *arg, const char *server_name, const uint8_t *offered, size_t offered_len,
                const uint8_t **out, size_t *out_len)
{
    cb_state *st = arg;
    st->calls++;
    snprintf(st->sni, sizeof(st->sni), "%s", server_name ? server_name : "(none)");
    assert_true(offered_len < sizeof(st->offered));
    memcpy(st->offered, offered, offered_len);
    st->offered[offered_len] = '\0';
    if (st->mode == 1)
        return TLCP_ALPN_REFUSE;
    if (st->mode == 2)
        return TLCP_ALPN_NONE;
    if (st->mode == 3) {
        *out = (const uint8_t *)"h3";
        *out_len = 2;
        return TLCP_ALPN_SELECTED;
    }
    size_t off = 0, last = 0;
    while (off < offered_len) {
        last = off;
        off += 1u + offered[off];
    }
    *out = offered + last + 1;
    *out_len = offered[last];
    return TLCP_ALPN_SELECTED;
}

static e2e_pair *callback_pair(e2e_pair *p, cb_state *st, int required)
{
    tlcp_config *c = plain_client("cb.example", 1, NULL), *s = plain_server(NULL);
    assert_int_equal(tlcp_config_set_alpn(c, "h2,http/1.1"), TLCP_OK);
    assert_int_equal(tlcp_config_set_alpn_select_cb(s, pick, st), TLCP_OK);
    assert_int_equal(tlcp_config_set_alpn_required(s, required), TLCP_OK);
    e2e_pair_open(p, c, s);
    return p;
}

static void test_alpn_callback_chooses(void **state)
{
    (void)state;
    cb_state st = {0};
    e2e_pair p;
    assert_true(e2e_pair_handshake(callback_pair(&p, &st, 0)));
    assert_int_equal(st.calls, 1);
    assert_string_equal(st.sni, "cb.example");
    assert_string_equal(st.offered, "\x02h2\x08http/1.1");
    assert_alpn(p.client, "http/1.1"); /* the callback took the last one */
    assert_alpn(p.server, "http/1.1");
    e2e_pair_close(&p);
    st.mode = 2; /* none: the handshake goes on without ALPN */
    assert_true(e2e_pair_handshake(callback_pair(&p, &st, 0)));
    assert_alpn(p.client, NULL);
    e2e_pair_close(&p);
}

static void test_alpn_callback_fails(void **state)
{
    (void)state;
    cb_state st = {.mode = 1};
    e2e_pair p;
    expect_failure(callback_pair(&p, &st, 0), 1, TLCP_R_NO_APPLICATION_PROTOCOL,
                   TLCP_ALERT_NO_APPLICATION_PROTOCOL);
    e2e_pair_close(&p);
    st.mode = 2; /* none, but required */
    expect_failure(callback_pair(&p, &st, 1), 1, TLCP_R_NO_APPLICATION_PROTOCOL,
                   TLCP_ALERT_NO_APPLICATION_PROTOCOL);
    e2e_pair_close(&p);
    st.mode = 3; /* a protocol the client did not offer: the application's bug */
    expect_failure(callback_pair(&p, &st, 0), 1, TLCP_R_NO_APPLICATION_PROTOCOL,
                   TLCP_ALERT_INTERNAL_ERROR);
    e2e_pair_close(&p);
}

/* The server's ServerHello is changed on the wire from "h2" to "h3": the
 * client refuses a protocol it did not offer. */
static int rename_h2(void *arg, const uint8_t *msg, size_t len, mp_buf *out)
{
    (void)arg;
    if (len < 4 || msg[0] != 2)
        return 0;
    mp_buf_append(out, msg, len);
    for (size_t i = 4; i + 3 <= len; i++)
        if (out->data[i] == 2 && out->data[i + 1] == 'h' && out->data[i + 2] == '2')
            out->data[i + 2] = '3';
    return 1;
}

static void test_alpn_client_checks_answer(void **state)
{
    (void)state;
    e2e_pair p;
    tlcp_config *c = plain_client(HOST, 0, NULL), *s = plain_server(NULL);
    assert_int_equal(tlcp_config_set_alpn(c, "h2"), TLCP_OK);
    assert_int_equal(tlcp_config_set_alpn(s, "h2"), TLCP_OK);
    e2e_pair_open(&p, c, s);
    p.io.server.tamper = rename_h2;
    expect_failure(&p, 0, TLCP_R_ALPN_NOT_OFFERED, TLCP_ALERT_ILLEGAL_PARAMETER);
    assert_non_null(strstr(tlcp_conn_error(p.client), "\"h3\""));
    assert_alpn(p.client, NULL);
    e2e_pair_close(&p);
}

/* A malformed ALPN list from the client is decode_error, also at a
 * server that has no ALPN configured: an empty name here. */
static int empty_alpn_name(void *arg, const uint8_t *msg, size_t len, mp_buf *out)
{
    (void)arg;
    if (len < 4 || msg[0] != 1)
        return 0;
    mp_buf_append(out, msg, len);
    /* ext 16, length 5, list 3, "\x02h2" -> "\x00" + 2 stray bytes */
    for (size_t i = 4; i + 9 <= len; i++)
        if (memcmp(out->data + i, "\x00\x10\x00\x05\x00\x03\x02h2", 9) == 0)
            out->data[i + 6] = 0;
    return 1;
}

static void test_alpn_malformed_from_client(void **state)
{
    (void)state;
    e2e_pair p;
    tlcp_config *c = plain_client(HOST, 0, NULL);
    assert_int_equal(tlcp_config_set_alpn(c, "h2"), TLCP_OK);
    e2e_pair_open(&p, c, plain_server(NULL));
    p.io.client.tamper = empty_alpn_name;
    expect_failure(&p, 1, TLCP_R_DECODE, TLCP_ALERT_DECODE_ERROR);
    assert_non_null(strstr(tlcp_conn_error(p.server), "ALPN"));
    e2e_pair_close(&p);
}

static void test_alpn_config_errors(void **state)
{
    (void)state;
    tlcp_config *cfg = tlcp_config_new();
    assert_non_null(cfg);
    const char *bad[] = {",h2", "h2,", "h2,,http/1.1", "h 2", "h2\x01", NULL};
    for (int i = 0; bad[i] != NULL; i++)
        assert_int_equal(tlcp_config_set_alpn(cfg, bad[i]), TLCP_ERROR);
    char longname[300];
    memset(longname, 'a', 256);
    longname[256] = '\0';
    assert_int_equal(tlcp_config_set_alpn(cfg, longname), TLCP_ERROR);
    longname[255] = '\0';
    assert_int_equal(tlcp_config_set_alpn(cfg, longname), TLCP_OK);
    char many[200] = "";
    for (int i = 0; i < 33; i++)
        strcat(many, i == 0 ? "p" : ",p");
    assert_int_equal(tlcp_config_set_alpn(cfg, many), TLCP_ERROR);
    assert_non_null(strstr(tlcp_config_error(cfg), "at most 32"));
    assert_int_equal(tlcp_config_set_alpn(cfg, "h2,http/1.1"), TLCP_OK);
    assert_int_equal(tlcp_config_set_alpn(cfg, NULL), TLCP_OK); /* clears */
    assert_int_equal(tlcp_config_set_alpn(cfg, ""), TLCP_OK);
    tlcp_config_free(cfg);
}

/* ---- certificates per server name -------------------------------------- */

/* 1 when the server's sign certificate is the one in dir/server-sign.pem. */
static int served(const tlcp_conn *client, const char *dir)
{
    const uint8_t *der = NULL, *want = NULL;
    size_t len = 0, want_len = 0;
    assert_int_equal(tlcp_conn_peer_cert(client, TLCP_CERT_SIGN, &der, &len), TLCP_OK);
    tlcp_cert_list list;
    tlcp_cert_list_init(&list);
    tlcp_error err;
    tlcp_error_clear(&err);
    char *path = e2e_fixture_path(dir, "server-sign.pem");
    assert_true(tlcp_cert_list_load_file(&list, path, &err));
    free(path);
    tlcp_cert_der(list.certs[0], &want, &want_len);
    int same = len == want_len && memcmp(der, want, len) == 0;
    tlcp_cert_list_clear(&list);
    return same;
}

/* Client asking for `name` (NULL: no SNI) gets the pair of `dir`; the
 * server's trace holds `line`. */
static void expect_pair(const char *name, const char *dir, const char *line)
{
    e2e_capture st = {0};
    e2e_pair p;
    e2e_pair_open(&p, plain_client(name ? name : HOST, name != NULL, NULL), named_server(1, &st));
    if (!e2e_pair_handshake(&p))
        fail_msg("%s: %s / %s", name ? name : "(no SNI)", tlcp_conn_error(p.client),
                 tlcp_conn_error(p.server));
    if (!served(p.client, dir))
        fail_msg("%s: not the pair of %s", name ? name : "(no SNI)", dir);
    if (!e2e_captured(&st, line))
        fail_msg("%s: trace lacks '%s':\n%s", name ? name : "(no SNI)", line, st.text);
    e2e_pair_close(&p);
    e2e_capture_free(&st);
}

static void test_sni_exact_and_case(void **state)
{
    (void)state;
    expect_pair("gm.example", GM3,
                "certificate pair \"gm.example\" for server name \"gm.example\"");
    expect_pair("GM.Example", GM3,
                "certificate pair \"gm.example\" for server name \"GM.Example\"");
}

static void test_sni_wildcard(void **state)
{
    (void)state;
    expect_pair("a.wild.example", GM2,
                "certificate pair \"*.wild.example\" for server name \"a.wild.example\"");
    expect_pair("X-1.WILD.example", GM2, "certificate pair \"*.wild.example\"");
    /* One label only: neither the bare domain nor two labels. */
    expect_pair("wild.example", DEF,
                "certificate pair: default (no pair for server name \"wild.example\")");
    expect_pair("a.b.wild.example", DEF,
                "certificate pair: default (no pair for server name \"a.b.wild.example\")");
}

static void test_sni_default(void **state)
{
    (void)state;
    expect_pair("other.example", DEF,
                "certificate pair: default (no pair for server name \"other.example\")");
    expect_pair(NULL, DEF, "certificate pair: default (no server name)");
}

static void test_sni_without_default(void **state)
{
    (void)state;
    e2e_pair p;
    e2e_pair_open(&p, plain_client("other.example", 1, NULL), named_server(0, NULL));
    expect_failure(&p, 1, TLCP_R_UNKNOWN_SERVER_NAME, TLCP_ALERT_UNRECOGNIZED_NAME);
    e2e_pair_close(&p);
    e2e_pair_open(&p, plain_client(HOST, 0, NULL), named_server(0, NULL));
    expect_failure(&p, 1, TLCP_R_UNKNOWN_SERVER_NAME, TLCP_ALERT_UNRECOGNIZED_NAME);
    e2e_pair_close(&p);
    e2e_pair_open(&p, plain_client("gm.example", 1, NULL), named_server(0, NULL));
    assert_true(e2e_pair_handshake(&p));
    assert_true(served(p.client, GM3));
    e2e_pair_close(&p);
}

static void test_sni_config_errors(void **state)
{
    (void)state;
    tlcp_config *cfg = tlcp_config_new();
    assert_non_null(cfg);
    const char *bad[] = {"",           "*",        "*.",       "a*.example",  "*.*.example",
                         "a..example", ".example", "example.", "a b.example", "*example.com",
                         NULL};
    char *sc = e2e_fixture_path(GM3, "server-sign.pem");
    char *sk = e2e_fixture_path(GM3, "server-sign.key");
    char *ec = e2e_fixture_path(GM3, "server-enc.pem");
    char *ek = e2e_fixture_path(GM3, "server-enc.key");
    for (int i = 0; bad[i] != NULL; i++)
        if (tlcp_config_add_cert_pair_for_name(cfg, bad[i], sc, sk, ec, ek, NULL) != TLCP_ERROR)
            fail_msg("name '%s' accepted", bad[i]);
    assert_int_equal(tlcp_config_add_cert_pair_for_name(cfg, NULL, sc, sk, ec, ek, NULL),
                     TLCP_ERROR);
    assert_int_equal(tlcp_config_add_cert_pair_for_name(cfg, "a.example", sc, sk, ec, ek, NULL),
                     TLCP_OK);
    assert_int_equal(tlcp_config_add_cert_pair_for_name(cfg, "A.Example", sc, sk, ec, ek, NULL),
                     TLCP_ERROR);
    assert_non_null(strstr(tlcp_config_error(cfg), "already"));
    /* The enc key with the sign certificate: the pair-loading checks apply. */
    assert_int_equal(tlcp_config_add_cert_pair_for_name(cfg, "b.example", sc, ek, ec, ek, NULL),
                     TLCP_ERROR);
    assert_int_equal(tlcp_config_add_cert_pair_for_name(cfg, "c.example", sc, sk, NULL, ek, NULL),
                     TLCP_ERROR);
    free(sc);
    free(sk);
    free(ec);
    free(ek);
    tlcp_config_free(cfg);
}

/* ---- resumption stays with its name ------------------------------------ */

/* The client's ClientHello asks for "one.example"; this hook makes it ask
 * for "two.example" on the wire (same length, so nothing else moves). */
static int one_to_two(void *arg, const uint8_t *msg, size_t len, mp_buf *out)
{
    (void)arg;
    if (len < 4 || msg[0] != 1)
        return 0;
    mp_buf_append(out, msg, len);
    for (size_t i = 4; i + 11 <= len; i++)
        if (memcmp(out->data + i, "one.example", 11) == 0)
            memcpy(out->data + i, "two.example", 3);
    return 1;
}

static void test_resumption_bound_to_name(void **state)
{
    (void)state;
    e2e_capture st = {0};
    tlcp_config *s = plain_server(&st);
    add_named(s, "one.example", GM3);
    add_named(s, "two.example", GM2);
    assert_int_equal(tlcp_config_set_session_cache(s, 16, 600), TLCP_OK);
    tlcp_config *c = plain_client("one.example", 1, NULL);
    e2e_pair p;
    e2e_pair_open(&p, tlcp_config_up_ref(c), tlcp_config_up_ref(s));
    assert_true(e2e_pair_handshake(&p));
    assert_true(served(p.client, GM3));
    tlcp_session *sess = tlcp_conn_get_session(p.client);
    assert_non_null(sess);
    e2e_pair_close(&p);
    /* Same name: resumed. */
    e2e_pair_open(&p, tlcp_config_up_ref(c), tlcp_config_up_ref(s));
    assert_int_equal(tlcp_conn_set_session(p.client, sess), TLCP_OK);
    assert_true(e2e_pair_handshake(&p));
    assert_true(tlcp_conn_session_reused(p.client));
    assert_true(tlcp_conn_session_reused(p.server));
    assert_true(e2e_captured(&st, "resuming the session the client offered"));
    e2e_pair_close(&p);
    /* A client for another name does not offer it (tlcp_session_fits_peer):
     * a full handshake with that name's pair. */
    tlcp_config *c2 = plain_client("two.example", 1, NULL);
    e2e_pair_open(&p, c2, tlcp_config_up_ref(s));
    assert_int_equal(tlcp_conn_set_session(p.client, sess), TLCP_OK);
    assert_true(e2e_pair_handshake(&p));
    assert_false(tlcp_conn_session_reused(p.server));
    assert_true(served(p.client, GM2));
    e2e_pair_close(&p);
    /* The server's side: the session's ID arrives with the other name (the
     * ClientHello is changed on the wire, so the Finished messages cannot
     * match and the handshake fails after the server's choice). The
     * server must not resume it: the cache binds it to "one.example". */
    e2e_capture_free(&st);
    e2e_pair_open(&p, tlcp_config_up_ref(c), tlcp_config_up_ref(s));
    assert_int_equal(tlcp_conn_set_session(p.client, sess), TLCP_OK);
    p.io.client.tamper = one_to_two;
    (void)e2e_pair_handshake(&p);
    assert_string_equal(tlcp_conn_server_name(p.server), "two.example");
    assert_false(tlcp_conn_session_reused(p.server));
    assert_true(e2e_captured(&st, "certificate pair \"two.example\" for server name"));
    assert_false(e2e_captured(&st, "resuming the session"));
    e2e_pair_close(&p);
    e2e_capture_free(&st);
    tlcp_session_free(sess);
    tlcp_config_free(c);
    tlcp_config_free(s);
}

/* ALPN and the pair together, and ALPN on a resumed handshake. */
static void test_alpn_with_named_pair(void **state)
{
    (void)state;
    tlcp_config *s = named_server(1, NULL);
    assert_int_equal(tlcp_config_set_alpn(s, "h2,http/1.1"), TLCP_OK);
    assert_int_equal(tlcp_config_set_session_cache(s, 16, 600), TLCP_OK);
    tlcp_config *c = plain_client("gm.example", 1, NULL);
    assert_int_equal(tlcp_config_set_alpn(c, "http/1.1"), TLCP_OK);
    e2e_pair p;
    e2e_pair_open(&p, tlcp_config_up_ref(c), tlcp_config_up_ref(s));
    assert_true(e2e_pair_handshake(&p));
    assert_true(served(p.client, GM3));
    assert_alpn(p.client, "http/1.1");
    tlcp_session *sess = tlcp_conn_get_session(p.client);
    e2e_pair_close(&p);
    e2e_pair_open(&p, tlcp_config_up_ref(c), tlcp_config_up_ref(s));
    assert_int_equal(tlcp_conn_set_session(p.client, sess), TLCP_OK);
    assert_true(e2e_pair_handshake(&p));
    assert_true(tlcp_conn_session_reused(p.client));
    assert_alpn(p.client, "http/1.1");
    assert_alpn(p.server, "http/1.1");
    e2e_pair_close(&p);
    tlcp_session_free(sess);
    tlcp_config_free(c);
    tlcp_config_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alpn_server_preference),
        cmocka_unit_test(test_alpn_no_overlap_goes_on),
        cmocka_unit_test(test_alpn_client_without),
        cmocka_unit_test(test_alpn_server_without),
        cmocka_unit_test(test_alpn_required),
        cmocka_unit_test(test_alpn_callback_chooses),
        cmocka_unit_test(test_alpn_callback_fails),
        cmocka_unit_test(test_alpn_client_checks_answer),
        cmocka_unit_test(test_alpn_malformed_from_client),
        cmocka_unit_test(test_alpn_config_errors),
        cmocka_unit_test(test_sni_exact_and_case),
        cmocka_unit_test(test_sni_wildcard),
        cmocka_unit_test(test_sni_default),
        cmocka_unit_test(test_sni_without_default),
        cmocka_unit_test(test_sni_config_errors),
        cmocka_unit_test(test_resumption_bound_to_name),
        cmocka_unit_test(test_alpn_with_named_pair),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
