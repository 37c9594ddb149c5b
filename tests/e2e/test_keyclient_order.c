/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The key-server client (apps/tlcp/keyclient) completes the right waiting
 * handshake whatever order the answers come in. Several TLCP handshakes
 * with delegated keys wait on one kc_client; a fake key server in this
 * process (a unix socket) reads their requests, computes the real results
 * and answers in reverse order. Each completion must reach the handshake
 * that asked (the ready callback's owner and connection), and every
 * handshake must then finish: a signature or pre-master delivered to the
 * wrong handshake fails its verification or Finished. Then the protocol
 * violations (an answer to an id never sent, a second answer to one id) and
 * an answer that arrives after its handshake was forgotten and freed.
 */
#define _GNU_SOURCE
#include "testutil.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "../../apps/tlcp/keyclient/keyclient.h"
#include "../../apps/tlcp/keyserver/frame.h"
#include "e2e_pair.h"

#define FIX         "interop/gmssl3-ecdhe-sm4-cbc-sm3/"
#define PINNED_TIME 1795824000
#define K           4 /* handshakes waiting at once */
#define MAX_REQ     16

struct hs {
    tlcp_conn *client, *server;
    mp_pair io;
    struct kc_wait wait;
    int done;
};

struct fake {
    char dir[40], path[80];
    int lfd, fd; /* listening, accepted */
    tlcp_private_key *sign, *enc;
    uint8_t in[8192];
    size_t in_len;
};

static struct hs hss[K];
static struct kc_client *kc;
static size_t ready_log[64], num_ready;

static struct kc_client *resolve(const struct kc_key *key, tlcp_conn *conn, struct kc_wait **wait)
{
    (void)key;
    for (size_t i = 0; i < K; i++) {
        if (hss[i].server == conn) {
            hss[i].wait.owner = &hss[i];
            *wait = &hss[i].wait;
        }
    }
    return kc;
}

static void on_ready(void *arg, tlcp_conn *conn, void *owner)
{
    (void)arg;
    struct hs *h = owner;
    assert_non_null(h);
    assert_ptr_equal(h->server, conn); /* the owner and the connection agree */
    assert_true(num_ready < 64);
    ready_log[num_ready++] = (size_t)(h - hss);
}

static tlcp_private_key *load_key(const char *who)
{
    char cert[64], key[64], err[256];
    snprintf(cert, sizeof(cert), "server-%s.pem", who);
    snprintf(key, sizeof(key), "server-%s.key", who);
    char *c = e2e_fixture_path(FIX, cert), *k = e2e_fixture_path(FIX, key);
    tlcp_private_key *pk = tlcp_private_key_load(c, k, NULL, err, sizeof(err));
    if (pk == NULL)
        fail_msg("%s", err);
    free(c);
    free(k);
    return pk;
}

static void fake_start(struct fake *f)
{
    memset(f, 0, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/tlcp-kcorder-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof(f->path), "%s/ks.sock", f->dir);
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path, f->path, strlen(f->path) + 1);
    f->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(f->lfd >= 0);
    assert_int_equal(bind(f->lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(listen(f->lfd, 8), 0);
    f->fd = -1;
    f->sign = load_key("sign");
    f->enc = load_key("enc");
}

static void fake_stop(struct fake *f)
{
    if (f->fd >= 0)
        close(f->fd);
    close(f->lfd);
    unlink(f->path);
    rmdir(f->dir);
    tlcp_private_key_free(f->sign);
    tlcp_private_key_free(f->enc);
}

/* A fresh client on the fake key server (each case has its own). */
static void client_new(struct fake *f)
{
    char addr[100], err[2000];
    snprintf(addr, sizeof(addr), "unix:%s", f->path);
    struct kc_opts o = {addr, NULL, NULL, NULL, NULL};
    kc = kc_new(&o, err, sizeof(err));
    if (kc == NULL)
        fail_msg("%s", err);
    kc_set_ready(kc, on_ready, NULL);
    num_ready = 0;
    if (f->fd >= 0)
        close(f->fd);
    f->fd = -1;
    f->in_len = 0;
}

static struct kc_key key_arg;

static void hs_open(struct hs *h)
{
    memset(h, 0, sizeof(*h));
    uint16_t suite = TLCP_ECC_SM4_GCM_SM3;
    tlcp_config *scfg = tlcp_config_new();
    tlcp_config *ccfg = e2e_client_config(FIX, "localhost", PINNED_TIME);
    assert_non_null(scfg);
    assert_int_equal(tlcp_config_set_cipher_suites(scfg, &suite, 1), TLCP_OK);
    assert_int_equal(tlcp_config_set_cipher_suites(ccfg, &suite, 1), TLCP_OK);
    char *sign = e2e_fixture_path(FIX, "server-sign.pem"),
         *enc = e2e_fixture_path(FIX, "server-enc.pem");
    char *chain = e2e_fixture_path(FIX, "chain.pem");
    assert_int_equal(
        tlcp_config_load_delegated_pair(scfg, TLCP_CERT_SIGN, sign, kc_key_op, &key_arg), TLCP_OK);
    assert_int_equal(tlcp_config_load_delegated_pair(scfg, TLCP_CERT_ENC, enc, kc_key_op, &key_arg),
                     TLCP_OK);
    assert_int_equal(tlcp_config_load_chain_file(scfg, chain), TLCP_OK);
    free(sign);
    free(enc);
    free(chain);
    e2e_conns_open(&h->io, &h->client, &h->server, ccfg, scfg);
}

static void hs_close(struct hs *h)
{
    tlcp_conn_free(h->client);
    tlcp_conn_free(h->server);
    mp_pair_free(&h->io);
}

/* Steps both ends until the server waits for its key (0), both finished
 * (1) or one failed (-1). */
static int hs_drive(struct hs *h)
{
    tlcp_result rc = TLCP_WANT_READ, rs = TLCP_WANT_READ;
    for (int i = 0; i < 10000; i++) {
        if (rc != TLCP_OK)
            rc = tlcp_handshake(h->client);
        rs = tlcp_handshake(h->server);
        if (rc == TLCP_ERROR || rs == TLCP_ERROR)
            return -1;
        if (rs == TLCP_WANT_KEY_OPERATION)
            return 0;
        if (rc == TLCP_OK && rs == TLCP_OK)
            return 1;
    }
    fail_msg("handshake did not finish");
    return -1;
}

/* Runs the client's I/O until `want` completions were reported. */
static void kc_until_ready(size_t want)
{
    for (int i = 0; i < 1000 && num_ready < want; i++) {
        struct pollfd p = {.fd = kc_fd(kc), .events = kc_events(kc)};
        if (p.fd >= 0)
            (void)poll(&p, 1, 1000);
        kc_io(kc);
    }
    assert_int_equal(num_ready, want);
}

/* Reads `want` request frames (pushing the client's output meanwhile);
 * bodies keeps them, reqs[i] points into bodies[i]. */
static void fake_read(struct fake *f, size_t want, struct ks_request *reqs,
                      uint8_t (*bodies)[KS_MAX_FRAME])
{
    size_t got = 0;
    for (int round = 0; round < 1000 && got < want; round++) {
        kc_io(kc);
        if (f->fd < 0) {
            struct pollfd p = {.fd = f->lfd, .events = POLLIN};
            assert_int_equal(poll(&p, 1, 60000), 1);
            f->fd = accept4(f->lfd, NULL, NULL, SOCK_CLOEXEC);
            assert_true(f->fd >= 0);
            continue;
        }
        struct pollfd p = {.fd = f->fd, .events = POLLIN};
        if (poll(&p, 1, 100) <= 0) /* nothing yet: run the client's I/O again */
            continue;
        ssize_t n = read(f->fd, f->in + f->in_len, sizeof(f->in) - f->in_len);
        assert_true(n > 0);
        f->in_len += (size_t)n;
        size_t total = 0;
        while (got < want && ks_frame_split(f->in, f->in_len, KS_REQ_FIXED, KS_MAX_FRAME, &total) ==
                                 KS_FRAME_OK) {
            memcpy(bodies[got], f->in + KS_LEN_PREFIX, total - KS_LEN_PREFIX);
            assert_int_equal(ks_decode_request(bodies[got], total - KS_LEN_PREFIX, &reqs[got]),
                             KS_ST_OK);
            memmove(f->in, f->in + total, f->in_len - total);
            f->in_len -= total;
            got++;
        }
    }
    assert_int_equal(got, want);
}

/* The response frame of a request, computed with the real key. */
static size_t answer(struct fake *f, struct ks_request *req, uint64_t id, uint8_t *frame,
                     size_t cap)
{
    const tlcp_private_key *key = req->kop.key == TLCP_CERT_SIGN ? f->sign : f->enc;
    req->kop.public_point = tlcp_private_key_point(key);
    uint8_t out[TLCP_KEY_OP_MAX_OUT];
    size_t out_len = 0;
    assert_int_equal(tlcp_private_key_perform(key, &req->kop, out, &out_len), TLCP_KEY_OP_DONE);
    size_t n = ks_encode_response(id, KS_ST_OK, out, out_len, frame, cap);
    assert_true(n > 0);
    return n;
}

static void fake_send(struct fake *f, const uint8_t *p, size_t n)
{
    assert_int_equal(send(f->fd, p, n, MSG_NOSIGNAL), (ssize_t)n);
}

static struct hs *owner_of(uint64_t id)
{
    for (size_t i = 0; i < K; i++) {
        if (hss[i].wait.id == id)
            return &hss[i];
    }
    fail_msg("no handshake sent id %llu", (unsigned long long)id);
    return NULL;
}

/* One round: every handshake waits for its key, the answers go back in
 * reverse order, each completion names the handshake that asked. */
static void reversed_round(struct fake *f)
{
    for (size_t i = 0; i < K; i++)
        assert_int_equal(hs_drive(&hss[i]), 0);
    struct ks_request reqs[K];
    static uint8_t bodies[K][KS_MAX_FRAME];
    fake_read(f, K, reqs, bodies);
    size_t expect[K];
    num_ready = 0;
    for (size_t j = 0; j < K; j++) {
        size_t r = K - 1 - j;
        uint8_t frame[KS_LEN_PREFIX + KS_RESP_FIXED + TLCP_KEY_OP_MAX_OUT];
        size_t n = answer(f, &reqs[r], reqs[r].id, frame, sizeof(frame));
        expect[j] = (size_t)(owner_of(reqs[r].id) - hss);
        fake_send(f, frame, n);
        kc_until_ready(j + 1); /* one answer at a time: the order is the test's */
    }
    for (size_t j = 0; j < K; j++)
        assert_int_equal(ready_log[j], expect[j]);
    assert_int_not_equal(expect[0], expect[K - 1]);
}

static void test_reversed_answers_complete_the_right_handshakes(void **state)
{
    (void)state;
    struct fake f;
    fake_start(&f);
    client_new(&f);
    memset(&key_arg, 0, sizeof(key_arg));
    snprintf(key_arg.name, sizeof(key_arg.name), "default");
    key_arg.resolve = resolve;
    for (size_t i = 0; i < K; i++)
        hs_open(&hss[i]);
    reversed_round(&f); /* the ServerKeyExchange signatures */
    reversed_round(&f); /* the pre-master decryptions */
    for (size_t i = 0; i < K; i++) {
        if (hs_drive(&hss[i]) != 1)
            fail_msg("handshake %zu: client: %s / server: %s", i, tlcp_conn_error(hss[i].client),
                     tlcp_conn_error(hss[i].server));
        hs_close(&hss[i]);
    }
    assert_int_equal(kc_late_answers(kc), 0);
    kc_free(kc);
    fake_stop(&f);
}

/* One handshake waiting; its request read by the fake server. */
static void one_pending(struct fake *f, struct hs *h, struct ks_request *req,
                        uint8_t (*body)[KS_MAX_FRAME])
{
    hs_open(h);
    assert_int_equal(hs_drive(h), 0);
    fake_read(f, 1, req, body);
    assert_ptr_equal(h->wait.kc, kc);
}

static void test_unknown_and_second_answers_are_refused(void **state)
{
    (void)state;
    struct fake f;
    fake_start(&f);
    memset(&key_arg, 0, sizeof(key_arg));
    snprintf(key_arg.name, sizeof(key_arg.name), "default");
    key_arg.resolve = resolve;
    struct ks_request req;
    static uint8_t body[1][KS_MAX_FRAME];
    uint8_t frame[2][KS_LEN_PREFIX + KS_RESP_FIXED + TLCP_KEY_OP_MAX_OUT];

    /* An answer to an id the client never sent. */
    client_new(&f);
    one_pending(&f, &hss[0], &req, body);
    size_t n = answer(&f, &req, req.id + 100, frame[0], sizeof(frame[0]));
    fake_send(&f, frame[0], n);
    kc_until_ready(1); /* the waiting operation fails with the connection */
    assert_int_equal(ready_log[0], 0);
    assert_non_null(strstr(kc_why(kc), "protocol violation: an answer to a request never sent"));
    assert_false(kc_is_up(kc));
    assert_int_equal(hs_drive(&hss[0]), -1); /* the signature failed: internal_error */
    assert_int_equal(tlcp_conn_error_reason(hss[0].server), TLCP_R_KEY_OP_FAILED);
    hs_close(&hss[0]);
    kc_free(kc);

    /* The right answer twice: the first completes, the second is refused. */
    client_new(&f);
    one_pending(&f, &hss[0], &req, body);
    n = answer(&f, &req, req.id, frame[0], sizeof(frame[0]));
    memcpy(frame[1], frame[0], n);
    fake_send(&f, frame[0], n);
    fake_send(&f, frame[1], n);
    kc_until_ready(1);
    for (int i = 0; i < 100 && kc_is_up(kc); i++) {
        struct pollfd p = {.fd = kc_fd(kc), .events = POLLIN};
        (void)poll(&p, 1, 1000);
        kc_io(kc);
    }
    assert_int_equal(num_ready, 1);
    assert_non_null(strstr(kc_why(kc), "protocol violation: a second answer to id"));
    hs_close(&hss[0]);
    kc_free(kc);
    fake_stop(&f);
}

static void test_late_answer_for_a_freed_handshake_is_dropped(void **state)
{
    (void)state;
    struct fake f;
    fake_start(&f);
    memset(&key_arg, 0, sizeof(key_arg));
    snprintf(key_arg.name, sizeof(key_arg.name), "default");
    key_arg.resolve = resolve;
    client_new(&f);
    hs_open(&hss[0]);
    hs_open(&hss[1]);
    assert_int_equal(hs_drive(&hss[0]), 0);
    assert_int_equal(hs_drive(&hss[1]), 0);
    struct ks_request reqs[2];
    static uint8_t bodies[2][KS_MAX_FRAME];
    fake_read(&f, 2, reqs, bodies);
    /* Handshake 0 goes away (its client left) before its answer: forgotten
     * in O(1), then freed; ASan would see any later touch. */
    kc_forget_wait(&hss[0].wait);
    assert_null(hss[0].wait.kc);
    hs_close(&hss[0]);
    hss[0].server = NULL;
    uint8_t frame[KS_LEN_PREFIX + KS_RESP_FIXED + TLCP_KEY_OP_MAX_OUT];
    for (int i = 0; i < 2; i++) {
        size_t n = answer(&f, &reqs[i], reqs[i].id, frame, sizeof(frame));
        fake_send(&f, frame, n);
    }
    kc_until_ready(1);
    assert_int_equal(ready_log[0], 1); /* only the handshake still there */
    for (int i = 0; i < 100 && kc_late_answers(kc) == 0; i++) {
        struct pollfd p = {.fd = kc_fd(kc), .events = POLLIN};
        (void)poll(&p, 1, 1000);
        kc_io(kc);
    }
    assert_int_equal(kc_late_answers(kc), 1);
    assert_true(kc_is_up(kc)); /* a late answer is no violation */
    assert_int_equal(num_ready, 1);
    hs_close(&hss[1]);
    kc_free(kc);
    fake_stop(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reversed_answers_complete_the_right_handshakes),
        cmocka_unit_test(test_unknown_and_second_answers_are_refused),
        cmocka_unit_test(test_late_answer_for_a_freed_handshake_is_dropped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
