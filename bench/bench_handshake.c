/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Handshake and connection figures, one thread, client and server in the
 * same process over an in-memory transport:
 *   handshake_ecc_cbc / handshake_ecc_gcm   full handshakes per second (E013, E053)
 *   handshake_ecdhe_gcm_client_auth          full E051 handshakes with client certificates
 *   handshake_resumed_gcm                    abbreviated (session ID) handshakes, E053
 *   handshake_server_cpu / _client_cpu       CPU microseconds per full E013 handshake
 * Each handshake figure runs on our SM2, then on OpenSSL's ("_evp"), and
 * "_ours_vs_evp" gives the ratio of the two.
 *   conn_bulk_cbc_*_old, ratio_conn_bulk_cbc_*_vs_old
 *                                            the same with the old CBC paths: one
 *                                            record per 2^14 sealed serially, every
 *                                            MAC block masked on opening
 *   conn_idle_heap                           heap bytes per established idle connection
 * Certificates are generated once (certgen) into temporary files.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "conn_internal.h"
#include "crypto/crypto.h"
#include "crypto/sm2_internal.h"
#include "record/record.h"
#include "tlcp/tlcp.h"
#include "util/mem.h"
#include "x509/x509.h"

#define IDLE_CONNS 64
#define BULK_MAX   65536

/* ---- memory transport ------------------------------------------------- */

typedef struct pipe_buf {
    uint8_t *data;
    size_t len, pos, cap;
} pipe_buf;

typedef struct end {
    pipe_buf *in, *out;
} end;

static long end_read(void *ctx, uint8_t *buf, size_t len)
{
    end *e = ctx;
    size_t n = e->in->len - e->in->pos;
    if (n == 0)
        return TLCP_IO_WANT_READ;
    if (n > len)
        n = len;
    memcpy(buf, e->in->data + e->in->pos, n);
    e->in->pos += n;
    if (e->in->pos == e->in->len)
        e->in->pos = e->in->len = 0;
    return (long)n;
}

static long end_write(void *ctx, const uint8_t *buf, size_t len)
{
    end *e = ctx;
    pipe_buf *p = e->out;
    if (p->len + len > p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 4096;
        while (cap < p->len + len)
            cap *= 2;
        uint8_t *d = realloc(p->data, cap);
        if (d == NULL)
            return TLCP_IO_ERROR;
        p->data = d;
        p->cap = cap;
    }
    memcpy(p->data + p->len, buf, len);
    p->len += len;
    return (long)len;
}

typedef struct conn_pair {
    pipe_buf c2s, s2c;
    end client_end, server_end;
    tlcp_conn *client, *server;
    double server_cpu; /* seconds spent in server calls */
    double client_cpu; /* seconds spent in client calls */
} conn_pair;

/* ---- setup ------------------------------------------------------------ */

typedef struct bench_pki {
    char *ca, *sign, *sign_key, *enc, *enc_key;
} bench_pki;

static char *temp_file(const char *text, size_t len)
{
    char *path = strdup("/tmp/tlcp-bench-XXXXXX");
    if (path == NULL)
        return NULL;
    int fd = mkstemp(path);
    if (fd < 0 || write(fd, text, len) != (ssize_t)len) {
        if (fd >= 0)
            close(fd);
        free(path);
        return NULL;
    }
    close(fd);
    return path;
}

static char *cert_temp(const tlcp_cert *c)
{
    char *pem = NULL;
    size_t len = 0;
    if (!tlcp_cert_to_pem(c, &pem, &len, NULL))
        return NULL;
    char *path = temp_file(pem, len);
    free(pem);
    return path;
}

static char *key_temp(const tlcp_pkey *k)
{
    char *pem = NULL;
    size_t len = 0;
    if (!tlcp_pkey_to_pem(k, &pem, &len, NULL))
        return NULL;
    char *path = temp_file(pem, len);
    tlcp_free_secret(pem, len);
    return path;
}

static tlcp_cert *issue(const tlcp_cert *ca, const tlcp_pkey *ca_key, const tlcp_pkey *key,
                        int profile)
{
    tlcp_certgen_params p;
    memset(&p, 0, sizeof(p));
    p.profile = profile;
    p.common_name = profile == TLCP_PROFILE_CA ? "bench CA" : "localhost";
    p.days = 2;
    return tlcp_certgen_issue(ca, ca_key, key, &p, NULL);
}

static int make_pki(bench_pki *pki)
{
    tlcp_pkey *ca_key = tlcp_pkey_generate(NULL), *sk = tlcp_pkey_generate(NULL);
    tlcp_pkey *ek = tlcp_pkey_generate(NULL);
    tlcp_cert *ca = NULL, *sign = NULL, *enc = NULL;
    int ok = ca_key && sk && ek;
    ok = ok && (ca = issue(NULL, ca_key, ca_key, TLCP_PROFILE_CA)) != NULL;
    ok = ok && (sign = issue(ca, ca_key, sk, TLCP_PROFILE_SIGN)) != NULL;
    ok = ok && (enc = issue(ca, ca_key, ek, TLCP_PROFILE_ENC)) != NULL;
    if (ok) {
        pki->ca = cert_temp(ca);
        pki->sign = cert_temp(sign);
        pki->sign_key = key_temp(sk);
        pki->enc = cert_temp(enc);
        pki->enc_key = key_temp(ek);
        ok = pki->ca && pki->sign && pki->sign_key && pki->enc && pki->enc_key;
    }
    tlcp_cert_free(ca);
    tlcp_cert_free(sign);
    tlcp_cert_free(enc);
    tlcp_pkey_free(ca_key);
    tlcp_pkey_free(sk);
    tlcp_pkey_free(ek);
    return ok;
}

static void drop_pki(bench_pki *pki)
{
    char *files[] = {pki->ca, pki->sign, pki->sign_key, pki->enc, pki->enc_key};
    for (size_t i = 0; i < 5; i++) {
        if (files[i] != NULL)
            unlink(files[i]);
        free(files[i]);
    }
}

typedef struct bench_ctx {
    tlcp_config *client_cfg;
    tlcp_config *server_cfg;
    double server_cpu_total;
    double client_cpu_total;
    long handshakes;
    int resume;            /* offer `session` (taken from the first handshake) */
    tlcp_session *session; /* owned */
} bench_ctx;

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int pair_open(conn_pair *p, const bench_ctx *b)
{
    memset(p, 0, sizeof(*p));
    p->client_end.in = &p->s2c;
    p->client_end.out = &p->c2s;
    p->server_end.in = &p->c2s;
    p->server_end.out = &p->s2c;
    p->client = tlcp_conn_new(b->client_cfg, TLCP_CLIENT);
    p->server = tlcp_conn_new(b->server_cfg, TLCP_SERVER);
    if (p->client == NULL || p->server == NULL)
        return 0;
    tlcp_conn_set_io(p->client, end_read, end_write, &p->client_end);
    tlcp_conn_set_io(p->server, end_read, end_write, &p->server_end);
    return 1;
}

static void pair_close(conn_pair *p)
{
    tlcp_conn_free(p->client);
    tlcp_conn_free(p->server);
    free(p->c2s.data);
    free(p->s2c.data);
}

static int pair_handshake(conn_pair *p)
{
    tlcp_result rc = TLCP_WANT_READ, rs = TLCP_WANT_READ;
    for (int i = 0; i < 64 && (rc != TLCP_OK || rs != TLCP_OK); i++) {
        if (rc != TLCP_OK) {
            double t = cpu_now();
            rc = tlcp_handshake(p->client);
            p->client_cpu += cpu_now() - t;
        }
        if (rs != TLCP_OK) {
            double t = cpu_now();
            rs = tlcp_handshake(p->server);
            p->server_cpu += cpu_now() - t;
        }
        if (rc == TLCP_ERROR || rs == TLCP_ERROR)
            return 0;
    }
    return rc == TLCP_OK && rs == TLCP_OK;
}

static int one_handshake(void *arg)
{
    bench_ctx *b = arg;
    conn_pair p;
    int ok = pair_open(&p, b) &&
             (b->session == NULL || tlcp_conn_set_session(p.client, b->session) == TLCP_OK) &&
             pair_handshake(&p);
    if (ok && b->resume) {
        /* After the first one, every handshake must really be resumed. */
        if (b->session == NULL)
            ok = (b->session = tlcp_conn_get_session(p.client)) != NULL;
        else
            ok = tlcp_conn_session_reused(p.client);
    }
    b->server_cpu_total += p.server_cpu;
    b->client_cpu_total += p.client_cpu;
    b->handshakes++;
    pair_close(&p);
    return ok;
}

static int set_suite(tlcp_config *cfg, uint16_t suite)
{
    return tlcp_config_set_cipher_suites(cfg, &suite, 1) == TLCP_OK;
}

/* Client certificates: the server requires them, the client shows the
 * server's own pair (any pair the CA issued would do). */
static int client_auth(bench_ctx *b, const bench_pki *pki)
{
    return tlcp_config_set_verify_mode(b->server_cfg, TLCP_VERIFY_REQUIRED) == TLCP_OK &&
           tlcp_config_load_ca_file(b->server_cfg, pki->ca) == TLCP_OK &&
           tlcp_config_load_sign_pair(b->client_cfg, pki->sign, pki->sign_key, NULL) == TLCP_OK &&
           tlcp_config_load_enc_pair(b->client_cfg, pki->enc, pki->enc_key, NULL) == TLCP_OK;
}

static int make_configs(bench_ctx *b, const bench_pki *pki, uint16_t suite, int auth, int resume)
{
    b->client_cfg = tlcp_config_new();
    b->server_cfg = tlcp_config_new();
    b->resume = resume;
    return b->client_cfg && b->server_cfg && (!auth || client_auth(b, pki)) &&
           (!resume || tlcp_config_set_session_cache(b->server_cfg, 16, 600) == TLCP_OK) &&
           tlcp_config_load_ca_file(b->client_cfg, pki->ca) == TLCP_OK &&
           tlcp_config_set_host_name(b->client_cfg, "localhost") == TLCP_OK &&
           tlcp_config_load_sign_pair(b->server_cfg, pki->sign, pki->sign_key, NULL) == TLCP_OK &&
           tlcp_config_load_enc_pair(b->server_cfg, pki->enc, pki->enc_key, NULL) == TLCP_OK &&
           set_suite(b->client_cfg, suite) && set_suite(b->server_cfg, suite);
}

/* Delegated server keys, performed at once in process (tlcp_key_op_fn): the
 * cost of the delegation path itself, as a ratio against local keys. */
static tlcp_private_key *deleg_key[2];

static int deleg_cb(void *arg, tlcp_conn *conn, const tlcp_key_op *op, uint8_t *out,
                    size_t *out_len)
{
    (void)conn;
    return tlcp_private_key_perform(arg, op, out, out_len);
}

static int delegate_server(bench_ctx *b, const bench_pki *pki)
{
    for (int i = 0; i < 2; i++) {
        tlcp_private_key_free(deleg_key[i]);
        deleg_key[i] = tlcp_private_key_load(i ? pki->enc : pki->sign,
                                             i ? pki->enc_key : pki->sign_key, NULL, NULL, 0);
        if (deleg_key[i] == NULL ||
            tlcp_config_load_delegated_pair(b->server_cfg, i ? TLCP_CERT_ENC : TLCP_CERT_SIGN,
                                            i ? pki->enc : pki->sign, deleg_cb,
                                            deleg_key[i]) != TLCP_OK)
            return 0;
    }
    return 1;
}

/* Server keys given as file: URIs (tlcp_config_load_pair_uri): the
 * operations run through EVP in OpenSSL's default provider, the route of a
 * provider-held key (docs/KEYS.md). ECC suites only (no SM2 key exchange). */
static int uri_server(bench_ctx *b, const bench_pki *pki)
{
    char uri[2][1100];
    snprintf(uri[0], sizeof(uri[0]), "file:%s", pki->sign_key);
    snprintf(uri[1], sizeof(uri[1]), "file:%s", pki->enc_key);
    return tlcp_config_load_pair_uri(b->server_cfg, TLCP_CERT_SIGN, pki->sign, uri[0], NULL) ==
               TLCP_OK &&
           tlcp_config_load_pair_uri(b->server_cfg, TLCP_CERT_ENC, pki->enc, uri[1], NULL) ==
               TLCP_OK;
}

static void drop_configs(bench_ctx *b)
{
    tlcp_config_free(b->client_cfg);
    tlcp_config_free(b->server_cfg);
    tlcp_session_free(b->session);
    b->client_cfg = b->server_cfg = NULL;
    b->session = NULL;
}

/* ---- bulk ------------------------------------------------------------- */

typedef struct bulk_ctx {
    conn_pair pair;
    size_t len; /* bytes per tlcp_write */
    uint8_t out[BULK_MAX];
    uint8_t in[BULK_MAX];
} bulk_ctx;

static int bulk_op(void *arg)
{
    bulk_ctx *k = arg;
    size_t n = 0, got = 0;
    if (tlcp_write(k->pair.client, k->out, k->len, &n) != TLCP_OK || n != k->len)
        return 0;
    while (got < k->len) {
        if (tlcp_read(k->pair.server, k->in + got, k->len - got, &n) != TLCP_OK)
            return 0;
        got += n;
    }
    return 1;
}

/* MB/s of len-byte writes; old = 1 runs the old CBC write path. */
static double bench_bulk_one(const char *name, bench_ctx *b, size_t len, int old)
{
    if (!bench_selected(name))
        return 0.0;
    double rate = 0.0;
    bulk_ctx *k = calloc(1, sizeof(*k));
    if (k == NULL || !pair_open(&k->pair, b) || !pair_handshake(&k->pair)) {
        bench_fail(name, "handshake failed");
    } else {
        k->len = len;
        if (old) {
            tlcp_record_test_set_multi(k->pair.client->rl, 0);
            tlcp_record_test_set_read_ahead(k->pair.server->rl, 0);
        }
        tlcp_record_test_old_cbc_open(old);
        memset(k->out, 0x5a, sizeof(k->out));
        rate = bench_throughput(name, bulk_op, k, len);
        tlcp_record_test_old_cbc_open(0);
    }
    if (k != NULL)
        pair_close(&k->pair);
    free(k);
    return rate;
}

static void bench_bulk(const char *prefix, bench_ctx *b, int with_old)
{
    const bench_size *sizes = bench_write_sizes;
    for (size_t i = 0; i < BENCH_WRITE_SIZES; i++) {
        char name[64], old_name[80], ratio_name[96];
        snprintf(name, sizeof(name), "%s_%s", prefix, sizes[i].tag);
        double now = bench_bulk_one(name, b, sizes[i].len, 0);
        if (!with_old)
            continue;
        snprintf(old_name, sizeof(old_name), "%s_old", name);
        double old = bench_bulk_one(old_name, b, sizes[i].len, 1);
        snprintf(ratio_name, sizeof(ratio_name), "ratio_%s_vs_old", name);
        if (now > 0 && old > 0)
            bench_report(ratio_name, "x", now / old);
    }
}

/* ---- idle heap -------------------------------------------------------- */

static size_t heap_in_use(void)
{
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
}

static void bench_idle_heap(bench_ctx *b)
{
    const char *name = "conn_idle_heap";
    if (!bench_selected(name))
        return;
    conn_pair *pairs = calloc(IDLE_CONNS, sizeof(*pairs));
    if (pairs == NULL) {
        bench_fail(name, "out of memory");
        return;
    }
    size_t before = heap_in_use();
    int ok = 1;
    for (int i = 0; i < IDLE_CONNS && ok; i++) {
        ok = pair_open(&pairs[i], b) && pair_handshake(&pairs[i]);
        /* The transport buffers are the test's, not the library's. */
        free(pairs[i].c2s.data);
        free(pairs[i].s2c.data);
        memset(&pairs[i].c2s, 0, sizeof(pairs[i].c2s));
        memset(&pairs[i].s2c, 0, sizeof(pairs[i].s2c));
    }
    size_t after = heap_in_use();
    if (!ok)
        bench_fail(name, "handshake failed");
    else
        bench_report(name, "bytes", (double)(after - before) / (2.0 * IDLE_CONNS));
    for (int i = 0; i < IDLE_CONNS; i++)
        pair_close(&pairs[i]);
    free(pairs);
}

struct hs_figure {
    uint16_t suite;
    const char *hs_name, *bulk_name; /* bulk_name NULL: no bulk figure */
    int client_auth, resume;
    int delegated; /* server keys through tlcp_key_op_fn (1) or as key URIs (2) */
};

/* One handshake figure on one SM2 path; the first figure also gives the CPU
 * per handshake, and on our path the bulk and idle-heap figures. */
static double run_figure(const struct hs_figure *f, const bench_pki *pki, int evp, int first)
{
    const char *suffix = evp ? "_evp" : "";
    char name[96];
    bench_ctx b;
    memset(&b, 0, sizeof(b));
    tlcp_sm2_force_evp(evp);
    snprintf(name, sizeof(name), "%s%s", f->hs_name, suffix);
    if (!make_configs(&b, pki, f->suite, f->client_auth, f->resume) ||
        (f->delegated == 1 && !delegate_server(&b, pki)) ||
        (f->delegated == 2 && !uri_server(&b, pki))) {
        bench_fail(name, "cannot configure");
        drop_configs(&b);
        return 0;
    }
    double rate = bench_ops(name, one_handshake, &b);
    if (rate > 0 && first && b.handshakes > 0) {
        snprintf(name, sizeof(name), "handshake_server_cpu%s", suffix);
        bench_report(name, "us", b.server_cpu_total / (double)b.handshakes * 1e6);
        snprintf(name, sizeof(name), "handshake_client_cpu%s", suffix);
        bench_report(name, "us", b.client_cpu_total / (double)b.handshakes * 1e6);
    }
    if (!evp && f->bulk_name != NULL)
        bench_bulk(f->bulk_name, &b, f->suite == TLCP_ECC_SM4_CBC_SM3);
    if (!evp && first)
        bench_idle_heap(&b);
    drop_configs(&b);
    return rate;
}

/* 1 when the filter selects any figure of this group. */
static int any_selected(void)
{
    static const char *const names[] = {
        "handshake_ecc_cbc",
        "handshake_ecc_gcm",
        "handshake_server_cpu",
        "handshake_client_cpu",
        "handshake_ecdhe_gcm_client_auth",
        "handshake_resumed_gcm",
        "handshake_ecc_gcm_delegated",
        "handshake_ecdhe_gcm_delegated",
        "handshake_ecdhe_gcm",
        "ratio_handshake_ecc_gcm_delegated_vs_local",
        "ratio_handshake_ecdhe_gcm_delegated_vs_local",
        "handshake_ecc_gcm_key_uri",
        "ratio_handshake_ecc_gcm_key_uri_vs_local",
        "conn_idle_heap",
        "conn_bulk_cbc_1k",
        "conn_bulk_cbc_12k",
        "conn_bulk_cbc_16k",
        "conn_bulk_cbc_64k",
        "conn_bulk_cbc_1k_old",
        "conn_bulk_cbc_12k_old",
        "conn_bulk_cbc_16k_old",
        "conn_bulk_cbc_64k_old",
        "conn_bulk_gcm_1k",
        "conn_bulk_gcm_12k",
        "conn_bulk_gcm_16k",
        "conn_bulk_gcm_64k",
        "ratio_conn_bulk_cbc_1k_vs_old",
        "ratio_conn_bulk_cbc_12k_vs_old",
        "ratio_conn_bulk_cbc_16k_vs_old",
        "ratio_conn_bulk_cbc_64k_vs_old",
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (bench_selected(names[i]))
            return 1;
    return 0;
}

void bench_handshake(void)
{
    if (!any_selected())
        return;
    bench_pki pki;
    memset(&pki, 0, sizeof(pki));
    if (!make_pki(&pki)) {
        bench_fail("handshake", "cannot generate certificates");
        drop_pki(&pki);
        return;
    }
    static const struct hs_figure figures[] = {
        {TLCP_ECC_SM4_CBC_SM3, "handshake_ecc_cbc", "conn_bulk_cbc", 0, 0, 0},
        {TLCP_ECC_SM4_GCM_SM3, "handshake_ecc_gcm", "conn_bulk_gcm", 0, 0, 0},
        {TLCP_ECDHE_SM4_GCM_SM3, "handshake_ecdhe_gcm_client_auth", NULL, 1, 0, 0},
        {TLCP_ECC_SM4_GCM_SM3, "handshake_resumed_gcm", NULL, 0, 1, 0},
    };
    static const struct hs_figure deleg[] = {
        {TLCP_ECC_SM4_GCM_SM3, "handshake_ecc_gcm", NULL, 0, 0, 0},
        {TLCP_ECC_SM4_GCM_SM3, "handshake_ecc_gcm_delegated", NULL, 0, 0, 1},
        {TLCP_ECDHE_SM4_GCM_SM3, "handshake_ecdhe_gcm", NULL, 1, 0, 0},
        {TLCP_ECDHE_SM4_GCM_SM3, "handshake_ecdhe_gcm_delegated", NULL, 1, 0, 1},
        {TLCP_ECC_SM4_GCM_SM3, "handshake_ecc_gcm", NULL, 0, 0, 0},
        {TLCP_ECC_SM4_GCM_SM3, "handshake_ecc_gcm_key_uri", NULL, 0, 0, 2},
    };
    for (size_t i = 0; i < sizeof(figures) / sizeof(figures[0]); i++) {
        double rate[2];
        for (int evp = 0; evp < 2; evp++)
            rate[evp] = run_figure(&figures[i], &pki, evp, i == 0);
        char name[96];
        snprintf(name, sizeof(name), "%s_ours_vs_evp", figures[i].hs_name);
        if (rate[0] > 0 && rate[1] > 0)
            bench_report(name, "ratio", rate[0] / rate[1]);
    }
    tlcp_sm2_force_evp(0);
    /* Delegated (or URI) vs local keys, measured one after the other in this run. */
    for (size_t i = 0; i + 1 < sizeof(deleg) / sizeof(deleg[0]); i += 2) {
        if (!bench_selected(deleg[i + 1].hs_name))
            continue;
        double local = run_figure(&deleg[i], &pki, 0, 0);
        double delegated = run_figure(&deleg[i + 1], &pki, 0, 0);
        char name[96];
        snprintf(name, sizeof(name), "ratio_%s_vs_local", deleg[i + 1].hs_name);
        if (local > 0 && delegated > 0)
            bench_report(name, "ratio", delegated / local);
    }
    for (int i = 0; i < 2; i++) {
        tlcp_private_key_free(deleg_key[i]);
        deleg_key[i] = NULL;
    }
    drop_pki(&pki);
}
