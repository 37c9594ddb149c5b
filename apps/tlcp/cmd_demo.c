/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tlcp demo: the whole product in one command. A fresh PKI in a temporary
 * directory, a server and a client in this one process talking over a
 * loopback TCP connection, a full handshake with the trace on, one message
 * each way, a clean close, and a summary. Both ends are non-blocking and
 * driven by one poll loop, exactly as an event-driven application would.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "tlcp/pki.h"

#define DEMO_TIMEOUT_MS 10000

static const char demo_help[] =
    "usage: tlcp demo [--suite NAME] [--resume] [--no-trace]\n"
    "\n"
    "Shows a real TLCP handshake with no setup: makes a test PKI in a temporary\n"
    "directory (removed at the end), runs a server and a client in this process\n"
    "over loopback TCP, traces the full handshake (every state of the state\n"
    "machine, every message field), sends one message each way, closes cleanly\n"
    "and prints a summary (suite, certificates, bytes, time).\n"
    "\n"
    "  --suite NAME  the suite to negotiate: ECC_SM4_GCM_SM3 (default),\n"
    "                ECC_SM4_CBC_SM3, ECDHE_SM4_GCM_SM3 or ECDHE_SM4_CBC_SM3\n"
    "                (ECDHE also makes and sends a client certificate pair)\n"
    "  --resume      then a second connection resumes the session (abbreviated\n"
    "                handshake; not with ECDHE, whose client-authenticated\n"
    "                sessions the server does not cache)\n"
    "  --no-trace    only the summary\n"
    "\n"
    "Exit status: 0 the handshake and the data exchange worked, 1 they failed,\n"
    "2 bad command line.\n";

static const char client_msg[] = "hello from the TLCP client";
static const char server_msg[] = "hello from the TLCP server";

/* One end of the connection, with a transport that counts wire bytes. */
struct party {
    const char *name;
    tlcp_conn *tc;
    int fd;
    short events;
    int done;
    int step;   /* sub-step of a two-part operation */
    size_t off; /* bytes written or read in the current operation */
    char rx[256];
    uint64_t wire_out;
};

typedef tlcp_result (*party_op)(struct party *p);

static long count_read(void *ctx, uint8_t *buf, size_t len)
{
    struct party *p = ctx;
    ssize_t n = read(p->fd, buf, len);
    if (n >= 0)
        return (long)n;
    return errno == EAGAIN || errno == EWOULDBLOCK ? TLCP_IO_WANT_READ : TLCP_IO_ERROR;
}

static long count_write(void *ctx, const uint8_t *buf, size_t len)
{
    struct party *p = ctx;
    ssize_t n = write(p->fd, buf, len);
    if (n >= 0) {
        p->wire_out += (uint64_t)n;
        return (long)n;
    }
    return errno == EAGAIN || errno == EWOULDBLOCK ? TLCP_IO_WANT_WRITE : TLCP_IO_ERROR;
}

static tlcp_result op_handshake(struct party *p)
{
    return tlcp_handshake(p->tc);
}

static tlcp_result write_all(struct party *p, const char *msg)
{
    size_t len = strlen(msg);
    while (p->off < len) {
        size_t n = 0;
        tlcp_result r = tlcp_write(p->tc, msg + p->off, len - p->off, &n);
        if (r != TLCP_OK)
            return r;
        p->off += n;
    }
    return TLCP_OK;
}

static tlcp_result read_exactly(struct party *p, size_t len)
{
    while (p->off < len) {
        size_t n = 0;
        tlcp_result r = tlcp_read(p->tc, p->rx + p->off, len - p->off, &n);
        if (r != TLCP_OK)
            return r == TLCP_CLOSED ? TLCP_ERROR : r;
        p->off += n;
    }
    p->rx[len] = '\0';
    return TLCP_OK;
}

static tlcp_result op_send_client_msg(struct party *p)
{
    return write_all(p, client_msg);
}

static tlcp_result op_send_server_msg(struct party *p)
{
    return write_all(p, server_msg);
}

static tlcp_result op_recv_client_msg(struct party *p)
{
    return read_exactly(p, strlen(client_msg));
}

static tlcp_result op_recv_server_msg(struct party *p)
{
    return read_exactly(p, strlen(server_msg));
}

/* Waits for the peer's close_notify (TLCP_CLOSED counts as done). */
static tlcp_result read_close(struct party *p)
{
    char buf[64];
    size_t n = 0;
    tlcp_result r;
    while ((r = tlcp_read(p->tc, buf, sizeof(buf), &n)) == TLCP_OK)
        ;
    return r == TLCP_CLOSED ? TLCP_OK : r;
}

/* Client closes first: close_notify, then the server's answer. */
static tlcp_result op_client_close(struct party *p)
{
    if (p->step == 0) {
        tlcp_result r = tlcp_shutdown(p->tc);
        if (r != TLCP_OK)
            return r;
        p->step = 1;
    }
    return read_close(p);
}

static tlcp_result op_server_close(struct party *p)
{
    if (p->step == 0) {
        tlcp_result r = read_close(p);
        if (r != TLCP_OK)
            return r;
        p->step = 1;
    }
    return tlcp_shutdown(p->tc);
}

/* Runs an operation on both ends until both finished; 0 on failure. */
static int run_both(struct party *cl, party_op cop, struct party *sv, party_op sop)
{
    struct party *ps[2] = {cl, sv};
    party_op ops[2] = {cop, sop};
    for (int i = 0; i < 2; i++) {
        ps[i]->done = ps[i]->step = 0;
        ps[i]->off = 0;
    }
    int64_t deadline = cli_now_ms() + DEMO_TIMEOUT_MS;
    for (;;) {
        for (int i = 0; i < 2; i++) {
            if (ps[i]->done)
                continue;
            tlcp_result r = ops[i](ps[i]);
            if (r == TLCP_OK) {
                ps[i]->done = 1;
            } else if (r == TLCP_WANT_READ || r == TLCP_WANT_WRITE) {
                ps[i]->events = r == TLCP_WANT_READ ? POLLIN : POLLOUT;
            } else {
                char why[400];
                fprintf(stderr, "tlcp demo: %s failed: %s\n", ps[i]->name,
                        cli_conn_failure(ps[i]->tc, why, sizeof(why)));
                return 0;
            }
        }
        if (cl->done && sv->done)
            return 1;
        struct pollfd p[2];
        nfds_t n = 0;
        for (int i = 0; i < 2; i++) {
            if (!ps[i]->done)
                p[n++] = (struct pollfd){.fd = ps[i]->fd, .events = ps[i]->events};
        }
        int64_t left = deadline - cli_now_ms();
        if (left <= 0 || (poll(p, n, (int)left) < 0 && errno != EINTR)) {
            fprintf(stderr, "tlcp demo: timed out\n");
            return 0;
        }
    }
}

struct demo {
    char dir[256];
    int with_client_pair;
    uint16_t suite;
    int trace;
    struct cli_trace client_trace, server_trace;
    tlcp_config *client_cfg, *server_cfg;
    struct party client, server;
    int listen_fd, port;
    int resume;
};

static void path_in(const struct demo *d, const char *name, char *out, size_t len)
{
    snprintf(out, len, "%s/%s", d->dir, name);
}

static int make_pki(struct demo *d)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(d->dir, sizeof(d->dir), "%s/tlcp-demo-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(d->dir) == NULL) {
        fprintf(stderr, "tlcp demo: cannot create a temporary directory: %s\n", strerror(errno));
        d->dir[0] = '\0';
        return 0;
    }
    tlcp_pki_options po = {0};
    po.out_dir = d->dir;
    po.client = d->with_client_pair;
    char err[512];
    if (tlcp_pki_generate(&po, err, sizeof(err)) != TLCP_OK) {
        fprintf(stderr, "tlcp demo: %s\n", err);
        return 0;
    }
    printf("PKI: SM2 root CA, server sign + enc certificates%s in %s\n",
           d->with_client_pair ? ", client pair" : "", d->dir);
    return 1;
}

static void remove_pki(struct demo *d)
{
    static const char *const names[] = {"ca.pem",          "ca.key",          "server-sign.pem",
                                        "server-sign.key", "server-enc.pem",  "server-enc.key",
                                        "client-sign.pem", "client-sign.key", "client-enc.pem",
                                        "client-enc.key"};
    if (d->dir[0] == '\0')
        return;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        char path[400];
        path_in(d, names[i], path, sizeof(path));
        (void)unlink(path);
    }
    (void)rmdir(d->dir);
}

/* Loads one side's pairs from the PKI directory. */
static int load_pairs(struct demo *d, tlcp_config *cfg, const char *who)
{
    char sc[400], sk[400], ec[400], ek[400], name[64];
    snprintf(name, sizeof(name), "%s-sign.pem", who);
    path_in(d, name, sc, sizeof(sc));
    snprintf(name, sizeof(name), "%s-sign.key", who);
    path_in(d, name, sk, sizeof(sk));
    snprintf(name, sizeof(name), "%s-enc.pem", who);
    path_in(d, name, ec, sizeof(ec));
    snprintf(name, sizeof(name), "%s-enc.key", who);
    path_in(d, name, ek, sizeof(ek));
    return tlcp_config_load_sign_pair(cfg, sc, sk, NULL) == TLCP_OK &&
           tlcp_config_load_enc_pair(cfg, ec, ek, NULL) == TLCP_OK;
}

static tlcp_config *make_config(struct demo *d, int server, struct cli_trace *trace)
{
    tlcp_config *cfg = tlcp_config_new();
    if (cfg == NULL)
        return NULL;
    char ca[400];
    path_in(d, "ca.pem", ca, sizeof(ca));
    int ok = tlcp_config_set_cipher_suites(cfg, &d->suite, 1) == TLCP_OK;
    if (server || d->with_client_pair)
        ok = ok && load_pairs(d, cfg, server ? "server" : "client");
    if (!server || d->with_client_pair)
        ok = ok && tlcp_config_load_ca_file(cfg, ca) == TLCP_OK &&
             tlcp_config_set_verify_mode(cfg, TLCP_VERIFY_REQUIRED) == TLCP_OK;
    if (!server)
        ok = ok && tlcp_config_set_host_name(cfg, "localhost") == TLCP_OK;
    if (server && d->resume)
        ok = ok && tlcp_config_set_session_cache(cfg, 16, 0) == TLCP_OK;
    if (ok && d->trace)
        ok = tlcp_config_set_trace(cfg, cli_trace_line, trace) == TLCP_OK;
    if (!ok) {
        fprintf(stderr, "tlcp demo: %s configuration: %s\n", server ? "server" : "client",
                tlcp_config_error(cfg));
        tlcp_config_free(cfg);
        return NULL;
    }
    return cfg;
}

/* Loopback listener, a non-blocking connect and the matching accept. */
static int connect_pair(struct demo *d)
{
    if (d->listen_fd < 0) {
        d->listen_fd = cli_listen("demo", "127.0.0.1", "0", &d->port);
        if (d->listen_fd < 0)
            return 0;
    }
    int port = d->port;
    char port_text[16];
    snprintf(port_text, sizeof(port_text), "%d", port);
    d->client.fd = cli_connect("demo", "127.0.0.1", port_text, DEMO_TIMEOUT_MS);
    if (d->client.fd < 0)
        return 0;
    struct pollfd p = {.fd = d->listen_fd, .events = POLLIN};
    char peer[80];
    if (poll(&p, 1, DEMO_TIMEOUT_MS) != 1 ||
        (d->server.fd = cli_accept(d->listen_fd, peer, sizeof(peer))) < 0) {
        fprintf(stderr, "tlcp demo: the loopback connection was not accepted\n");
        return 0;
    }
    printf("server listening on 127.0.0.1:%d, client connected from %s\n", port, peer);
    return 1;
}

static int start_conns(struct demo *d)
{
    d->client.tc = tlcp_conn_new(d->client_cfg, TLCP_CLIENT);
    d->server.tc = tlcp_conn_new(d->server_cfg, TLCP_SERVER);
    if (d->client.tc == NULL || d->server.tc == NULL) {
        fprintf(stderr, "tlcp demo: cannot create the connections\n");
        return 0;
    }
    tlcp_conn_set_io(d->client.tc, count_read, count_write, &d->client);
    tlcp_conn_set_io(d->server.tc, count_read, count_write, &d->server);
    return 1;
}

static void print_summary(const struct demo *d, int64_t hs_ms, int64_t total_ms)
{
    const tlcp_conn *c = d->client.tc;
    const char *ssub = tlcp_conn_peer_subject(c, TLCP_CERT_SIGN);
    const char *esub = tlcp_conn_peer_subject(c, TLCP_CERT_ENC);
    const char *csub = tlcp_conn_peer_subject(d->server.tc, TLCP_CERT_SIGN);
    printf("\n=== summary ===\n");
    printf("cipher suite       %s (0x%04X)\n", tlcp_conn_cipher_suite_name(c),
           tlcp_conn_cipher_suite(c));
    printf("server sign cert   %s\n", ssub ? ssub : "(none)");
    printf("server enc cert    %s\n", esub ? esub : "(none)");
    printf("client cert        %s\n", csub ? csub : "(none requested)");
    printf("verified by        %s\n",
           csub ? "both ends, against the demo root CA (client also checks host name localhost)"
                : "the client, against the demo root CA, host name localhost");
    printf("application data   %zu bytes client->server, %zu bytes server->client\n",
           strlen(client_msg), strlen(server_msg));
    printf("wire bytes         %llu client->server, %llu server->client\n",
           (unsigned long long)d->client.wire_out, (unsigned long long)d->server.wire_out);
    printf("time               handshake %lld ms, whole exchange %lld ms\n", (long long)hs_ms,
           (long long)total_ms);
}

static void close_conns(struct demo *d)
{
    tlcp_conn_free(d->client.tc);
    tlcp_conn_free(d->server.tc);
    d->client.tc = d->server.tc = NULL;
    if (d->client.fd >= 0)
        close(d->client.fd);
    if (d->server.fd >= 0)
        close(d->server.fd);
    d->client.fd = d->server.fd = -1;
}

/* --resume: a second connection offers the first one's session. */
static int resume_session(struct demo *d)
{
    tlcp_session *session = tlcp_conn_get_session(d->client.tc);
    if (session == NULL) {
        fprintf(stderr, "tlcp demo: the server gave no session to resume\n");
        return 0;
    }
    close_conns(d);
    printf("\n=== second connection, offering the session ===\n");
    int ok = connect_pair(d) && start_conns(d) &&
             tlcp_conn_set_session(d->client.tc, session) == TLCP_OK;
    tlcp_session_free(session);
    int64_t t0 = cli_now_ms();
    ok = ok && run_both(&d->client, op_handshake, &d->server, op_handshake);
    int64_t hs_ms = cli_now_ms() - t0;
    ok = ok && run_both(&d->client, op_client_close, &d->server, op_server_close);
    if (ok)
        printf("\nresumed            %s, handshake %lld ms\n",
               tlcp_conn_session_reused(d->client.tc) ? "yes (abbreviated handshake)"
                                                      : "no (full handshake)",
               (long long)hs_ms);
    return ok;
}

static int exchange(struct demo *d)
{
    struct party *cl = &d->client, *sv = &d->server;
    if (d->trace)
        printf("\n=== handshake (trace) ===\n");
    int64_t t0 = cli_now_ms();
    if (!run_both(cl, op_handshake, sv, op_handshake))
        return 0;
    int64_t hs_ms = cli_now_ms() - t0;
    printf("\n=== application data ===\n");
    if (!run_both(cl, op_send_client_msg, sv, op_recv_client_msg))
        return 0;
    printf("client -> server: \"%s\"  (server received \"%s\")\n", client_msg, sv->rx);
    if (!run_both(cl, op_recv_server_msg, sv, op_send_server_msg))
        return 0;
    printf("server -> client: \"%s\"  (client received \"%s\")\n", server_msg, cl->rx);
    if (!run_both(cl, op_client_close, sv, op_server_close))
        return 0;
    printf("closed: client sent close_notify, server answered with close_notify\n");
    print_summary(d, hs_ms, cli_now_ms() - t0);
    return !d->resume || resume_session(d);
}

static int parse_demo_args(int argc, char **argv, struct demo *d)
{
    const char *suite = "ECC_SM4_GCM_SM3";
    int no_trace = 0;
    const struct cli_opt opts[] = {
        {"suite", CLI_STRING, &suite, 0, 0},
        {"no-trace", CLI_FLAG, &no_trace, 0, 0},
        {"resume", CLI_FLAG, &d->resume, 0, 0},
    };
    if (!cli_parse("demo", argc, argv, opts, sizeof(opts) / sizeof(opts[0]), NULL, 0, NULL))
        return 0;
    char msg[256];
    if (cli_parse_suites(suite, &d->suite, 1, msg, sizeof(msg)) != 1) {
        cli_usage_error("demo", "--suite: %s", msg);
        return 0;
    }
    d->trace = !no_trace;
    d->with_client_pair = d->suite == TLCP_ECDHE_SM4_CBC_SM3 || d->suite == TLCP_ECDHE_SM4_GCM_SM3;
    return 1;
}

int cmd_demo(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        fputs(demo_help, stdout);
        return TLCP_EXIT_OK;
    }
    struct demo d;
    memset(&d, 0, sizeof(d));
    d.client = (struct party){.name = "client", .fd = -1};
    d.server = (struct party){.name = "server", .fd = -1};
    d.listen_fd = -1;
    if (!parse_demo_args(argc, argv, &d))
        return TLCP_EXIT_USAGE;
    d.client_trace = (struct cli_trace){stdout, "client | ", 0};
    d.server_trace = (struct cli_trace){stdout, "server | ", 0};
    printf("tlcp demo: libtlcp %s, TLCP (GB/T 38636-2020), one process, loopback TCP\n",
           tlcp_version());
    int ok = make_pki(&d) && (d.server_cfg = make_config(&d, 1, &d.server_trace)) != NULL &&
             (d.client_cfg = make_config(&d, 0, &d.client_trace)) != NULL && connect_pair(&d) &&
             start_conns(&d) && exchange(&d);
    close_conns(&d);
    tlcp_config_free(d.client_cfg);
    tlcp_config_free(d.server_cfg);
    if (d.listen_fd >= 0)
        close(d.listen_fd);
    remove_pki(&d);
    if (d.dir[0] != '\0')
        printf("%s removed\n", d.dir);
    fflush(stdout);
    return ok ? TLCP_EXIT_OK : TLCP_EXIT_FAILURE;
}
