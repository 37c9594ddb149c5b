/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The server's pluggable session store: a store that answers at once, one
 * that answers later (TLCP_WANT_SESSION) with the session or "not found",
 * failing callbacks, answers that do not fit, lookup_done where no lookup
 * waits, a connection freed while its lookup is pending, and the session
 * removed after a fatal alert, and the session stored before the server's
 * Finished goes out (a client reconnecting at once can resume it).
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "e2e_pair.h"
#include "mempipe.h"
#include "tlcp/tlcp.h"

#define FIX         "interop/gmssl3-ecc-sm4-cbc-sm3/"
#define PINNED_TIME 1795824000 /* 2026-11-28T00:00:00Z */
#define SLOTS       8

enum mode { M_NOW, M_PENDING, M_PENDING_NOT_FOUND, M_FAIL, M_WRONG };

typedef struct entry {
    uint8_t id[32];
    uint8_t data[2048];
    size_t len;
} entry;

typedef struct store {
    enum mode mode;
    int fail_new;
    entry e[SLOTS];
    size_t n;
    int news, gets, removes;
    uint8_t removed[32];
    tlcp_conn *waiting; /* pending lookup */
    uint8_t asked[32];
    const mp_pair *io;    /* the transport of the connection being made */
    size_t unread_at_new; /* bytes the client had not read yet at st_new */
} store;

static entry *find(store *st, const uint8_t *id)
{
    for (size_t i = 0; i < st->n; i++)
        if (memcmp(st->e[i].id, id, 32) == 0)
            return &st->e[i];
    return NULL;
}

static int st_new(void *arg, tlcp_conn *conn, const uint8_t *id, size_t id_len, const uint8_t *data,
                  size_t len, unsigned lifetime)
{
    (void)conn;
    store *st = arg;
    st->news++;
    if (st->io != NULL)
        st->unread_at_new = mp_pending(&st->io->client);
    assert_int_equal(id_len, 32);
    assert_int_equal(lifetime, 600);
    if (st->fail_new)
        return TLCP_STORE_FAILED;
    assert_true(st->n < SLOTS && len <= sizeof(st->e[0].data));
    memcpy(st->e[st->n].id, id, 32);
    memcpy(st->e[st->n].data, data, len);
    st->e[st->n++].len = len;
    return 0;
}

/* What the store answers for the asked ID. */
static void answer(store *st, tlcp_conn *conn)
{
    entry *e = find(st, st->asked);
    if (st->mode == M_PENDING_NOT_FOUND || e == NULL) {
        assert_int_equal(tlcp_conn_session_lookup_done(conn, NULL, 0), TLCP_OK);
    } else if (st->mode == M_WRONG) {
        uint8_t bad[2048];
        memcpy(bad, e->data, e->len);
        bad[e->len / 2] ^= 1; /* the checksum no longer matches */
        assert_int_equal(tlcp_conn_session_lookup_done(conn, bad, e->len), TLCP_OK);
    } else {
        assert_int_equal(tlcp_conn_session_lookup_done(conn, e->data, e->len), TLCP_OK);
    }
}

static int st_get(void *arg, tlcp_conn *conn, const uint8_t *id, size_t id_len)
{
    store *st = arg;
    st->gets++;
    assert_int_equal(id_len, 32);
    memcpy(st->asked, id, 32);
    switch (st->mode) {
    case M_FAIL:
        return TLCP_STORE_FAILED;
    case M_PENDING:
    case M_PENDING_NOT_FOUND:
        st->waiting = conn;
        return TLCP_STORE_PENDING;
    default:
        answer(st, conn);
        return TLCP_STORE_ANSWERED;
    }
}

static int st_remove(void *arg, tlcp_conn *conn, const uint8_t *id, size_t id_len)
{
    (void)conn;
    store *st = arg;
    st->removes++;
    assert_int_equal(id_len, 32);
    memcpy(st->removed, id, 32);
    return 0;
}

static const tlcp_session_store OPS = {st_new, st_get, st_remove, 600};

typedef struct run {
    int want_session; /* times the server returned TLCP_WANT_SESSION */
    int answer_after; /* answer the pending lookup after this many */
} run;

/* Drives both ends; a pending lookup is answered after `answer_after`
 * WANT_SESSION returns, while the client keeps being driven. */
static int drive(store *st, run *rn, tlcp_conn *c, tlcp_conn *s)
{
    tlcp_result rc = TLCP_WANT_READ, rs = TLCP_WANT_READ;
    for (int i = 0; i < E2E_MAX_STEPS; i++) {
        if (e2e_is_want(rc))
            rc = tlcp_handshake(c);
        if (e2e_is_want(rs) || rs == TLCP_WANT_SESSION)
            rs = tlcp_handshake(s);
        if (rs == TLCP_WANT_SESSION) {
            assert_ptr_equal(st->waiting, s);
            size_t n = 99;
            uint8_t buf[4];
            assert_int_equal(tlcp_read(s, buf, sizeof(buf), &n), TLCP_WANT_SESSION);
            assert_int_equal(n, 0);
            if (++rn->want_session > rn->answer_after) {
                answer(st, s);
                st->waiting = NULL;
                /* a second answer is refused and harms nothing */
                assert_int_equal(tlcp_conn_session_lookup_done(s, NULL, 0), TLCP_ERROR);
            }
        }
        if (rc == TLCP_ERROR || rs == TLCP_ERROR)
            return 0;
        if (rc == TLCP_OK && rs == TLCP_OK)
            return 1;
    }
    return 0;
}

typedef struct world {
    store st;
    tlcp_config *scfg;
    tlcp_config *ccfg;
    e2e_capture trace;
} world;

static void world_init(world *w, enum mode mode, const char *sni)
{
    memset(w, 0, sizeof(*w));
    w->st.mode = mode;
    w->scfg = e2e_server_config(FIX);
    assert_int_equal(tlcp_config_set_session_store(w->scfg, &OPS, &w->st), TLCP_OK);
    assert_int_equal(tlcp_config_set_trace(w->scfg, e2e_capture_line, &w->trace), TLCP_OK);
    w->ccfg = e2e_client_config(FIX, sni, PINNED_TIME);
}

static void world_free(world *w)
{
    tlcp_config_free(w->scfg);
    tlcp_config_free(w->ccfg);
    e2e_capture_free(&w->trace);
}

/* One connection offering *session (may be NULL); returns whether it
 * resumed and replaces *session by the new one. `trickle` cuts the
 * transport into single bytes with WANT_* between them. */
static int connect_once(world *w, tlcp_session **session, int answer_after, int trickle,
                        tlcp_conn **keep_server, mp_pair *keep_io)
{
    mp_pair own;
    mp_pair *io = keep_io != NULL ? keep_io : &own; /* the ends point into it: no copies */
    tlcp_conn *c, *s;
    tlcp_config_up_ref(w->scfg);
    tlcp_config_up_ref(w->ccfg);
    e2e_conns_open(io, &c, &s, w->ccfg, w->scfg);
    io->client.trickle = io->server.trickle = trickle;
    if (*session != NULL)
        assert_int_equal(tlcp_conn_set_session(c, *session), TLCP_OK);
    run rn = {0, answer_after};
    w->st.io = io;
    int done = drive(&w->st, &rn, c, s);
    w->st.io = NULL;
    if (!done)
        fail_msg("handshake: client %s / server %s", tlcp_conn_error(c), tlcp_conn_error(s));
    int reused = tlcp_conn_session_reused(s);
    assert_int_equal(tlcp_conn_session_reused(c), reused);
    if (w->st.mode == M_PENDING || w->st.mode == M_PENDING_NOT_FOUND)
        assert_int_equal(rn.want_session, *session != NULL ? answer_after + 1 : 0);
    tlcp_session_free(*session);
    *session = tlcp_conn_get_session(c);
    tlcp_conn_free(c);
    if (keep_server != NULL) {
        *keep_server = s;
        return reused;
    }
    tlcp_conn_free(s);
    mp_pair_free(io);
    return reused;
}

static void store_answers_now(void **state)
{
    (void)state;
    world w;
    world_init(&w, M_NOW, "localhost");
    tlcp_session *sess = NULL;
    assert_false(connect_once(&w, &sess, 0, 0, NULL, NULL));
    assert_int_equal(w.st.news, 1);
    assert_int_equal(w.st.gets, 0); /* nothing offered: nothing asked */
    assert_true(connect_once(&w, &sess, 0, 0, NULL, NULL));
    assert_int_equal(w.st.gets, 1);
    assert_int_equal(w.st.news, 1); /* a resumption stores nothing new */
    assert_true(e2e_captured(&w.trace, "resuming the session the client offered"));
    tlcp_session_free(sess);
    world_free(&w);
}

/* The store has the session before the server's last flight (CCS,
 * Finished) reaches the client: the client has read everything sent before
 * it when new_session runs. Stored after the flush, a client reconnecting
 * right away could offer it to another thread of the server first. */
static void store_before_server_finished(void **state)
{
    (void)state;
    world w;
    world_init(&w, M_NOW, "localhost");
    tlcp_session *sess = NULL;
    w.st.unread_at_new = 99;
    assert_false(connect_once(&w, &sess, 0, 0, NULL, NULL));
    assert_int_equal(w.st.news, 1);
    assert_int_equal(w.st.unread_at_new, 0);
    assert_true(connect_once(&w, &sess, 0, 0, NULL, NULL));
    tlcp_session_free(sess);
    world_free(&w);
}

/* Answered after 0, 1, 5 and 20 WANT_SESSION returns, with whole and with
 * trickled (one byte per call, WANT_* between) transports. */
static void store_pending_then_resumed(void **state)
{
    (void)state;
    static const int after[] = {0, 1, 5, 20};
    for (int trickle = 0; trickle <= 1; trickle++)
        for (size_t i = 0; i < sizeof(after) / sizeof(after[0]); i++) {
            world w;
            world_init(&w, M_PENDING, "localhost");
            tlcp_session *sess = NULL;
            assert_false(connect_once(&w, &sess, after[i], trickle, NULL, NULL));
            assert_true(connect_once(&w, &sess, after[i], trickle, NULL, NULL));
            assert_true(e2e_captured(&w.trace, "session store: lookup pending"));
            tlcp_session_free(sess);
            world_free(&w);
        }
}

static void store_pending_then_not_found(void **state)
{
    (void)state;
    world w;
    world_init(&w, M_NOW, "localhost");
    tlcp_session *sess = NULL;
    assert_false(connect_once(&w, &sess, 0, 0, NULL, NULL));
    w.st.mode = M_PENDING_NOT_FOUND;
    assert_false(connect_once(&w, &sess, 2, 0, NULL, NULL));
    assert_int_equal(w.st.news, 2); /* the full handshake made a new one */
    assert_true(e2e_captured(&w.trace, "session store: not found"));
    tlcp_session_free(sess);
    world_free(&w);
}

static void store_callback_errors(void **state)
{
    (void)state;
    world w;
    world_init(&w, M_NOW, "localhost");
    tlcp_session *sess = NULL;
    w.st.fail_new = 1; /* storing fails: the connection does not */
    assert_false(connect_once(&w, &sess, 0, 0, NULL, NULL));
    assert_true(e2e_captured(&w.trace, "storing the new session failed"));
    w.st.fail_new = 0;
    assert_false(connect_once(&w, &sess, 0, 0, NULL, NULL)); /* not stored: full */
    w.st.mode = M_FAIL;                                      /* get fails: full */
    assert_false(connect_once(&w, &sess, 0, 0, NULL, NULL));
    assert_true(e2e_captured(&w.trace, "session store: lookup failed"));
    w.st.mode = M_WRONG; /* corrupted value: full */
    assert_false(connect_once(&w, &sess, 0, 0, NULL, NULL));
    assert_true(e2e_captured(&w.trace, "session store: answer refused"));
    w.st.mode = M_NOW; /* the store works again */
    assert_true(connect_once(&w, &sess, 0, 0, NULL, NULL));
    tlcp_session_free(sess);
    world_free(&w);
}

/* A stored session for another server_name, or answered for another ID,
 * is not resumed. */
static void store_answer_that_does_not_fit(void **state)
{
    (void)state;
    world w;
    world_init(&w, M_NOW, "localhost");
    tlcp_session *sess = NULL;
    assert_false(connect_once(&w, &sess, 0, 0, NULL, NULL));
    /* another ID: the store hands out the first entry whatever was asked */
    tlcp_session *first = sess;
    sess = NULL;
    assert_false(connect_once(&w, &sess, 0, 0, NULL, NULL));
    memcpy(w.st.e[1].data, w.st.e[0].data, w.st.e[0].len);
    w.st.e[1].len = w.st.e[0].len;
    assert_false(connect_once(&w, &sess, 0, 0, NULL, NULL));
    assert_true(e2e_captured(&w.trace, "not resumed: another session ID"));
    tlcp_session_free(sess);
    tlcp_session_free(first);
    world_free(&w);

    /* made without server_name, offered with one */
    world_init(&w, M_NOW, "localhost"); /* SNI is off by default */
    sess = NULL;
    assert_false(connect_once(&w, &sess, 0, 0, NULL, NULL));
    tlcp_config_free(w.ccfg);
    w.ccfg = e2e_client_config(FIX, "localhost", PINNED_TIME);
    assert_int_equal(tlcp_config_set_send_sni(w.ccfg, 1), TLCP_OK);
    assert_false(connect_once(&w, &sess, 0, 0, NULL, NULL));
    assert_true(e2e_captured(&w.trace, "not resumed: another server_name"));
    tlcp_session_free(sess);
    world_free(&w);
}

static void store_lookup_done_without_lookup(void **state)
{
    (void)state;
    world w;
    world_init(&w, M_NOW, "localhost");
    tlcp_conn *c = tlcp_conn_new(w.ccfg, TLCP_CLIENT);
    tlcp_conn *s = tlcp_conn_new(w.scfg, TLCP_SERVER);
    uint8_t junk[8] = {0};
    assert_int_equal(tlcp_conn_session_lookup_done(c, junk, sizeof(junk)), TLCP_ERROR);
    assert_int_equal(tlcp_conn_session_lookup_done(s, junk, sizeof(junk)), TLCP_ERROR);
    assert_int_equal(tlcp_conn_session_lookup_done(NULL, NULL, 0), TLCP_ERROR);
    assert_int_equal(tlcp_conn_error_reason(s), TLCP_R_NONE); /* not harmed */
    tlcp_conn_free(c);
    tlcp_conn_free(s);
    world_free(&w);
}

/* Freed while the store still owes the answer: nothing leaks (ASan). */
static void store_free_while_pending(void **state)
{
    (void)state;
    world w;
    world_init(&w, M_NOW, "localhost");
    tlcp_session *sess = NULL;
    assert_false(connect_once(&w, &sess, 0, 0, NULL, NULL));
    w.st.mode = M_PENDING;
    mp_pair io;
    tlcp_conn *c, *s;
    tlcp_config_up_ref(w.scfg);
    tlcp_config_up_ref(w.ccfg);
    e2e_conns_open(&io, &c, &s, w.ccfg, w.scfg);
    assert_int_equal(tlcp_conn_set_session(c, sess), TLCP_OK);
    tlcp_result rs = TLCP_WANT_READ;
    for (int i = 0; i < 100 && rs != TLCP_WANT_SESSION; i++) {
        (void)tlcp_handshake(c);
        rs = tlcp_handshake(s);
    }
    assert_int_equal(rs, TLCP_WANT_SESSION);
    assert_int_equal(tlcp_handshake(s), TLCP_WANT_SESSION); /* still waiting */
    size_t n = 0;
    assert_int_equal(tlcp_write(s, "x", 1, &n), TLCP_WANT_SESSION);
    answer(&w.st, s); /* answered, then freed before it is applied */
    tlcp_conn_free(s);
    tlcp_conn_free(c);
    mp_pair_free(&io);
    tlcp_session_free(sess);
    world_free(&w);
}

/* A record the server cannot authenticate ends the connection with a
 * fatal alert: the store is told to forget the session, for a new one and
 * for a resumed one. */
static void garbage_record(mp_pair *io)
{
    uint8_t rec[5 + 64] = {23, 0x01, 0x01, 0, 64};
    memset(rec + 5, 0xA5, 64);
    mp_buf_append(&io->c2s, rec, sizeof(rec));
}

static void store_remove_on_fatal_alert(void **state)
{
    (void)state;
    world w;
    world_init(&w, M_NOW, "localhost");
    tlcp_session *sess = NULL;
    for (int round = 0; round < 2; round++) {
        tlcp_conn *s;
        mp_pair io;
        int reused = connect_once(&w, &sess, 0, 0, &s, &io);
        assert_int_equal(reused, round == 1);
        garbage_record(&io);
        uint8_t buf[16];
        size_t n;
        assert_int_equal(tlcp_read(s, buf, sizeof(buf), &n), TLCP_ERROR);
        assert_int_equal(w.st.removes, round + 1);
        assert_memory_equal(w.st.removed, w.st.e[0].id, 32);
        tlcp_conn_free(s);
        mp_pair_free(&io);
    }
    assert_true(e2e_captured(&w.trace, "session removed after a fatal alert"));
    tlcp_session_free(sess);
    world_free(&w);
}

/* The built-in cache is a store too: a fatal alert removes its entry. */
static void cache_remove_on_fatal_alert(void **state)
{
    (void)state;
    world w;
    world_init(&w, M_NOW, "localhost");
    assert_int_equal(tlcp_config_set_session_cache(w.scfg, 16, 600), TLCP_OK);
    tlcp_session *sess = NULL;
    tlcp_conn *s;
    mp_pair io;
    assert_false(connect_once(&w, &sess, 0, 0, &s, &io));
    garbage_record(&io);
    uint8_t buf[16];
    size_t n;
    assert_int_equal(tlcp_read(s, buf, sizeof(buf), &n), TLCP_ERROR);
    tlcp_conn_free(s);
    mp_pair_free(&io);
    assert_int_equal(w.st.news, 0);                          /* the cache replaced the store */
    assert_false(connect_once(&w, &sess, 0, 0, NULL, NULL)); /* forgotten */
    assert_true(connect_once(&w, &sess, 0, 0, NULL, NULL));  /* the new one works */
    tlcp_session_free(sess);
    world_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(store_answers_now),
        cmocka_unit_test(store_before_server_finished),
        cmocka_unit_test(store_pending_then_resumed),
        cmocka_unit_test(store_pending_then_not_found),
        cmocka_unit_test(store_callback_errors),
        cmocka_unit_test(store_answer_that_does_not_fit),
        cmocka_unit_test(store_lookup_done_without_lookup),
        cmocka_unit_test(store_free_while_pending),
        cmocka_unit_test(store_remove_on_fatal_alert),
        cmocka_unit_test(cache_remove_on_fatal_alert),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
