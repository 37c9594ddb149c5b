/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The key server answers in completion order, not request order: with the
 * first request of a connection held inside the pool (the test-only hold
 * point, TLCP_KS_TESTING), the requests sent after it on the same
 * connection are answered first, and the held one is answered once the
 * test releases it, with its own id and a result that verifies. The key
 * server runs in this process on a unix socket; synchronisation is by a
 * condition variable (held / released), never by sleeping.
 */
#define _GNU_SOURCE
#include "testutil.h"

#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "../../apps/tlcp/keyserver/keyserver.h"
#include "crypto/crypto.h"
#include "e2e_pair.h"

#define FIX     "interop/gmssl3-ecdhe-sm4-cbc-sm3/"
#define HELD_ID 1
#define LATER   6 /* requests sent behind the held one */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int held, released;

static void hold(const struct ks_job *job)
{
    if (job->req.id != HELD_ID)
        return;
    pthread_mutex_lock(&lock);
    held = 1;
    pthread_cond_broadcast(&cond);
    while (!released)
        pthread_cond_wait(&cond, &lock);
    pthread_mutex_unlock(&lock);
}

struct server {
    struct keyserver *ks;
    pthread_t thread;
    volatile int stop;
    char dir[40], addr[80];
};

static void *run(void *arg)
{
    struct server *s = arg;
    ks_run(s->ks, &s->stop);
    return NULL;
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

static void server_start(struct server *s)
{
    memset(s, 0, sizeof(*s));
    snprintf(s->dir, sizeof(s->dir), "/tmp/tlcp-ksorder-XXXXXX");
    assert_non_null(mkdtemp(s->dir));
    snprintf(s->addr, sizeof(s->addr), "unix:%s/ks.sock", s->dir);
    struct keyserver *ks = calloc(1, sizeof(*ks));
    assert_non_null(ks);
    snprintf(ks->keys[0].name, sizeof(ks->keys[0].name), "default");
    ks->keys[0].sign = load_key("sign");
    ks->keys[0].enc = load_key("enc");
    ks->num_keys = 1;
    ks->max_inflight = 256;
    ks->window_ms = 30000;
    ks->quiet = 1;
    ks->nonces = calloc(KS_NONCE_SLOTS, sizeof(*ks->nonces));
    ks->epfd = epoll_create1(EPOLL_CLOEXEC);
    assert_non_null(ks->nonces);
    assert_true(ks->epfd >= 0);
    /* Two threads: one held, the other free for the requests behind it. */
    assert_true(ks_pool_start(&ks->pool, 2));
    assert_true(ks_listen_addr(ks, s->addr, 0));
    s->ks = ks;
    ks_test_hold = hold;
    assert_int_equal(pthread_create(&s->thread, NULL, run, s), 0);
}

static void server_stop(struct server *s)
{
    s->stop = 1; /* ks_run looks at it at least once a second */
    pthread_join(s->thread, NULL);
    ks_shutdown(s->ks);
    ks_test_hold = NULL;
    tlcp_private_key_free(s->ks->keys[0].sign);
    tlcp_private_key_free(s->ks->keys[0].enc);
    close(s->ks->epfd);
    free(s->ks->nonces);
    free(s->ks);
    rmdir(s->dir);
}

static int connect_to(const char *addr)
{
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    assert_true(strlen(addr + 5) < sizeof(sa.sun_path));
    memcpy(sa.sun_path, addr + 5, strlen(addr + 5) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    return fd;
}

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void send_request(int fd, uint64_t id, const tlcp_key_op *op)
{
    uint8_t nonce[KS_NONCE_LEN], frame[KS_LEN_PREFIX + KS_MAX_FRAME];
    assert_int_equal(getrandom(nonce, sizeof(nonce), 0), (ssize_t)sizeof(nonce));
    size_t n =
        ks_encode_request(id, (uint64_t)wall_ms(), nonce, "default", op, frame, sizeof(frame));
    assert_true(n > 0);
    assert_int_equal(send(fd, frame, n, MSG_NOSIGNAL), (ssize_t)n);
}

/* One response frame; the poll bound only turns a hang into a failure. */
static uint64_t read_response(int fd, uint8_t *result, size_t *result_len)
{
    uint8_t buf[KS_LEN_PREFIX + KS_MAX_FRAME];
    size_t have = 0, total = 0;
    for (;;) {
        int v = ks_frame_split(buf, have, KS_RESP_FIXED, KS_MAX_FRAME, &total);
        assert_int_not_equal(v, KS_FRAME_BAD);
        if (v == KS_FRAME_OK)
            break;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        assert_int_equal(poll(&p, 1, 60000), 1);
        /* byte by byte up to the frame's end: the next frame stays queued */
        size_t whole = KS_LEN_PREFIX;
        if (have >= KS_LEN_PREFIX)
            whole += ((size_t)buf[0] << 24 | (size_t)buf[1] << 16 | (size_t)buf[2] << 8 | buf[3]);
        assert_true(whole <= sizeof(buf));
        size_t want = whole - have;
        ssize_t got = read(fd, buf + have, want);
        assert_true(got > 0);
        have += (size_t)got;
    }
    struct ks_response r;
    assert_int_equal(ks_decode_response(buf + KS_LEN_PREFIX, total - KS_LEN_PREFIX, &r), KS_ST_OK);
    if (r.status != KS_ST_OK)
        fail_msg("id %llu: %s", (unsigned long long)r.id, ks_status_name(r.status));
    memcpy(result, r.result, r.result_len);
    *result_len = r.result_len;
    return r.id;
}

static void sign_op(tlcp_key_op *op, const uint8_t digest[32])
{
    memset(op, 0, sizeof(*op));
    op->type = TLCP_KEY_OP_SIGN;
    op->key = TLCP_CERT_SIGN;
    op->digest = digest;
}

static void test_held_request_does_not_block_the_later_ones(void **state)
{
    (void)state;
    struct server s;
    server_start(&s);
    tlcp_error err;
    memset(&err, 0, sizeof(err));
    tlcp_pkey *sign_pub =
        tlcp_pkey_from_point(tlcp_private_key_point(s.ks->keys[0].sign), 65, &err);
    tlcp_pkey *enc_pub = tlcp_pkey_from_point(tlcp_private_key_point(s.ks->keys[0].enc), 65, &err);
    assert_non_null(sign_pub);
    assert_non_null(enc_pub);

    /* Request 1 signs digest 1; requests 2.. alternate signatures and
     * decryptions of distinct plaintexts, all on one connection. */
    uint8_t digests[LATER + 2][32], plain[LATER + 2][48], cipher[LATER + 2][200];
    size_t cipher_len[LATER + 2];
    for (int i = 1; i <= LATER + 1; i++) {
        memset(digests[i], i, 32);
        memset(plain[i], 0x40 + i, 48);
        assert_true(tlcp_sm2_encrypt(enc_pub, plain[i], 48, cipher[i], &cipher_len[i],
                                     sizeof(cipher[i]), &err));
    }
    int fd = connect_to(s.addr);
    tlcp_key_op op;
    sign_op(&op, digests[HELD_ID]);
    send_request(fd, HELD_ID, &op);
    pthread_mutex_lock(&lock);
    while (!held)
        pthread_cond_wait(&cond, &lock); /* request 1 is inside the pool now */
    pthread_mutex_unlock(&lock);
    for (uint64_t id = 2; id <= LATER + 1; id++) {
        if (id % 2 == 0) {
            sign_op(&op, digests[id]);
        } else {
            memset(&op, 0, sizeof(op));
            op.type = TLCP_KEY_OP_DECRYPT;
            op.key = TLCP_CERT_ENC;
            op.in = cipher[id];
            op.in_len = cipher_len[id];
        }
        send_request(fd, id, &op);
    }
    /* Every later request is answered while request 1 is still held. */
    int seen[LATER + 2] = {0};
    for (int n = 0; n < LATER; n++) {
        uint8_t res[TLCP_KEY_OP_MAX_OUT];
        size_t len = 0;
        uint64_t id = read_response(fd, res, &len);
        assert_true(id >= 2 && id <= LATER + 1);
        assert_false(seen[id]);
        seen[id] = 1;
        if (id % 2 == 0) {
            assert_true(tlcp_sm2_verify_digest(sign_pub, digests[id], res, len, &err));
        } else {
            assert_int_equal(len, 48);
            assert_memory_equal(res, plain[id], 48);
        }
    }
    pthread_mutex_lock(&lock);
    assert_int_equal(held, 1);
    released = 1;
    pthread_cond_broadcast(&cond);
    pthread_mutex_unlock(&lock);
    /* Then the held one, with its id and a signature over its digest. */
    uint8_t res[TLCP_KEY_OP_MAX_OUT];
    size_t len = 0;
    assert_int_equal(read_response(fd, res, &len), HELD_ID);
    assert_true(tlcp_sm2_verify_digest(sign_pub, digests[HELD_ID], res, len, &err));
    assert_false(tlcp_sm2_verify_digest(sign_pub, digests[2], res, len, &err));
    close(fd);
    tlcp_pkey_free(sign_pub);
    tlcp_pkey_free(enc_pub);
    server_stop(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_held_request_does_not_block_the_later_ones),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
