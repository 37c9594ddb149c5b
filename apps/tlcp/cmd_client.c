/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tlcp client: an s_client-like TLCP client. It prints the negotiated suite
 * and the server's certificate subjects (stderr), then copies stdin to the
 * server and the server's data to stdout. End of stdin sends close_notify;
 * the client then waits for the server's close_notify and exits 0.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "keyclient/kc_cli.h"

#define CLI_IO_CHUNK 16384

static const char client_help[] =
    "usage: tlcp client HOST:PORT [--ca F] [--ca-dir D] [--crl F] [--partial-chain]\n"
    "                   [--servername NAME]\n"
    "                   [--suites LIST] [--sign-cert F --sign-key F --enc-cert F\n"
    "                   --enc-key F [--chain F] [--pass SOURCE]] [--timeout SECONDS]\n"
    "                   [--provider NAME [--provider-path D]] [--propquery Q]\n"
    "                   [--reconnect] [--sess-in F] [--sess-out F] [--tickets]\n"
    "                   [--showcerts] [--compat gmssl3|gmssl2] [--alpn LIST]\n"
    "                   [--trace] [--keylog F] [--quiet]\n"
    "                   [--key-server ADDR [--key-name NAME] [--key-server-cert F\n"
    "                   --key-server-key F --key-server-ca F]]\n"
    "\n"
    "Connects to a TLCP server, prints the negotiated suite and the server's sign\n"
    "and enc certificate subjects on stderr, then copies stdin to the server and\n"
    "the server's data to stdout. At the end of stdin it sends close_notify and\n"
    "waits for the server's; a clean close exits 0.\n"
    "\n"
    "  HOST:PORT          server address; IPv6 in brackets: [::1]:4433\n"
    "  --ca F             CA certificates that verify the server; without --ca or\n"
    "                     --ca-dir the server is NOT verified (a warning says so)\n"
    "  --ca-dir D         a directory of CA certificates (hashed names or *.pem)\n"
    "  --crl F            CRLs (a PEM/DER file or a directory of *.crl/*.pem):\n"
    "                     every certificate of both server chains is checked and a\n"
    "                     CA without a CRL fails the handshake\n"
    "  --partial-chain    accept a chain ending at a trusted intermediate CA\n"
    "  --servername NAME  name checked against the server certificate (default:\n"
    "                     HOST) and sent as SNI\n"
    "  --suites LIST      offered suites, e.g. ECC_SM4_GCM_SM3,ECC_SM4_CBC_SM3 or\n"
    "                     0xE053,0xE013 (ECDHE suites need a client certificate pair)\n"
    "  --sign-cert/--sign-key/--enc-cert/--enc-key F\n"
    "                     client certificates, for servers that ask for them; a\n"
    "                     cert file may hold the leaf followed by its chain; a\n"
    "                     key may be a URI (pkcs11:..., file:..., a provider's\n"
    "                     scheme): the key stays in its OpenSSL provider (an\n"
    "                     enc key URI rules out the ECDHE suites; docs/KEYS.md)\n"
    "  --provider NAME    load this OpenSSL provider for key URIs (repeatable);\n"
    "                     without it URIs use OpenSSL's default context and\n"
    "                     OPENSSL_CONF\n"
    "  --provider-path D  the directory the --provider modules are in\n"
    "  --propquery Q      OpenSSL property query for key URIs (provider=pkcs11)\n"
    "  --chain F          intermediate CA certificates sent after the client's\n"
    "  --pass SOURCE      passphrase of encrypted keys: pass:TEXT, env:VAR,\n"
    "                     file:PATH, fd:N or stdin (first line); anything else is\n"
    "                     the passphrase itself (visible in ps)\n"
    "  --key-server ADDR  the client's private keys stay on a tlcp keyserver at\n"
    "                     unix:PATH or HOST:PORT: give --sign-cert (and --enc-cert\n"
    "                     for ECDHE) without their keys\n"
    "  --key-name NAME    the pair's name on the key server (default: default)\n"
    "  --key-server-cert F, --key-server-key F, --key-server-ca F\n"
    "                     the TLCP channel to a HOST:PORT key server (as for\n"
    "                     tlcp server); --pass then opens --key-server-key\n"
    "  --timeout SECONDS  limit for connecting, the handshake and the closing\n"
    "                     exchange (default 10)\n"
    "  --reconnect        after the handshake, close and connect again offering\n"
    "                     the session (shows whether the server resumes it)\n"
    "  --sess-out F       save the session to F (PEM, mode 0600: it holds the\n"
    "                     master secret)\n"
    "  --sess-in F        offer the session saved in F (\"session: resumed\" when\n"
    "                     the server takes it)\n"
    "  --tickets          offer session tickets (RFC 5077): keep the server's\n"
    "                     ticket in the session and resume with it (with\n"
    "                     --reconnect, --sess-out and --sess-in); off by default\n"
    "                     because GmSSL 3 closes on unknown extensions\n"
    "  --showcerts        print the server's sign and enc certificates as PEM\n"
    "  --alpn LIST        offer ALPN protocols, e.g. h2,http/1.1, and print the\n"
    "                     one the server selected (\"ALPN: h2\" or \"ALPN: none\")\n"
    "  --compat gmssl3    talk to GmSSL 3 servers with client certificates: send\n"
    "                     the ECDHE ClientKeyExchange with a length prefix, sign\n"
    "                     CertificateVerify over the raw handshake messages and\n"
    "                     leave the enc certificate out of an ECC client list\n"
    "  --compat gmssl2    talk to GmSSL 2 servers with client certificates: sign\n"
    "                     CertificateVerify in GmSSL 2's form (SM3 digest, no Z)\n"
    "  --trace            print the handshake state machine and messages to stderr\n"
    "  --keylog F         append NSS key log lines (CLIENT_RANDOM) to F\n"
    "  --quiet            print nothing but the server's data and errors\n"
    "\n"
    "Exit status: 0 clean close, 1 the connection ended without close_notify,\n"
    "2 bad command line, 3 unusable files, 4 connection refused / timeout,\n"
    "5 handshake failed (peer alert, certificate verification failed: reason).\n";

struct client {
    int fd;
    tlcp_conn *tc;
    int64_t timeout_ms;
    int quiet, showcerts, alpn;
    int has_pair;              /* client certificates configured */
    uint8_t out[CLI_IO_CHUNK]; /* stdin bytes not yet accepted by tlcp_write */
    size_t out_len, out_off;
    int stdin_open, shutdown_sent;
    int offered;       /* a session from --sess-in was offered */
    struct cli_ks *ks; /* --key-server, NULL without */
};

/* Waits for fd to become ready for `events`; 0 on timeout. */
static int wait_fd(int fd, short events, int64_t deadline)
{
    for (;;) {
        int64_t left = deadline - cli_now_ms();
        if (left <= 0)
            return 0;
        struct pollfd p = {.fd = fd, .events = events};
        int n = poll(&p, 1, (int)(left > 1000 ? 1000 : left));
        if (n > 0)
            return 1;
        if (n < 0 && errno != EINTR)
            return 0;
    }
}

static int do_handshake(struct client *c)
{
    int64_t deadline = cli_now_ms() + c->timeout_ms;
    for (;;) {
        tlcp_result r = tlcp_handshake(c->tc);
        if (r == TLCP_OK)
            return TLCP_EXIT_OK;
        int waited = 1;
        if (r == TLCP_WANT_READ || r == TLCP_WANT_WRITE)
            waited = wait_fd(c->fd, r == TLCP_WANT_READ ? POLLIN : POLLOUT, deadline);
        else if (r == TLCP_WANT_KEY_OPERATION && c->ks != NULL)
            waited = cli_ks_wait(c->ks, c->tc, deadline);
        else
            waited = -1;
        if (waited == 0) {
            cli_error("client", "handshake failed: timed out after %lld s",
                      (long long)(c->timeout_ms / 1000));
            return TLCP_EXIT_NETWORK;
        }
        if (waited > 0)
            continue;
        char why[CLI_WHY_MAX + 400];
        cli_error("client", "handshake failed: %s", cli_ks_failure(c->ks, c->tc, why, sizeof(why)));
        if (!c->has_pair && tlcp_conn_cert_requested(c->tc) && tlcp_conn_alert_received(c->tc) >= 0)
            cli_error("client", "the server requires a client certificate: give --sign-cert, "
                                "--sign-key, --enc-cert and --enc-key");
        return TLCP_EXIT_HANDSHAKE;
    }
}

/* --showcerts: the server's certificates as PEM. */
static void print_certs(const tlcp_conn *tc)
{
    static const char *const names[2] = {"sign", "enc"};
    for (int which = TLCP_CERT_SIGN; which <= TLCP_CERT_ENC; which++) {
        size_t len = 0;
        (void)tlcp_conn_peer_cert_pem(tc, which, NULL, 0, &len);
        char *pem = len > 0 ? malloc(len + 1) : NULL;
        if (pem != NULL && tlcp_conn_peer_cert_pem(tc, which, pem, len + 1, &len) == TLCP_OK)
            fprintf(stderr, "server %s certificate (PEM):\n%s", names[which], pem);
        free(pem);
    }
}

static void print_session(const struct client *c)
{
    if (c->quiet)
        return;
    const char *sign = tlcp_conn_peer_subject(c->tc, TLCP_CERT_SIGN);
    const char *enc = tlcp_conn_peer_subject(c->tc, TLCP_CERT_ENC);
    fprintf(stderr, "cipher suite: %s (0x%04X)\n", tlcp_conn_cipher_suite_name(c->tc),
            tlcp_conn_cipher_suite(c->tc));
    fprintf(stderr, "server sign certificate: %s\n", sign ? sign : "(none)");
    fprintf(stderr, "server enc certificate: %s\n", enc ? enc : "(none)");
    if (c->alpn) {
        char alpn[300];
        cli_alpn_text(c->tc, alpn, sizeof(alpn));
        fprintf(stderr, "%s\n", alpn);
    }
    if (tlcp_conn_session_reused(c->tc))
        fprintf(stderr, "session: resumed\n");
    else if (c->offered)
        fprintf(stderr, "session: new (the server did not resume the offered session)\n");
    if (c->showcerts)
        print_certs(c->tc);
    fprintf(stderr, "---\n");
}

/* Returns -1 to go on, else an exit code. */
static int pump_server(struct client *c, short *events)
{
    for (;;) {
        uint8_t buf[CLI_IO_CHUNK];
        size_t n = 0;
        tlcp_result r = tlcp_read(c->tc, buf, sizeof(buf), &n);
        if (r == TLCP_OK) {
            if (fwrite(buf, 1, n, stdout) != n)
                return TLCP_EXIT_FAILURE;
            fflush(stdout);
            continue;
        }
        if (r == TLCP_WANT_READ || r == TLCP_WANT_WRITE) {
            *events |= r == TLCP_WANT_READ ? POLLIN : POLLOUT;
            return -1;
        }
        if (r == TLCP_CLOSED) {
            /* Answer the server's close_notify; a failure here changes nothing. */
            if (!c->shutdown_sent)
                (void)tlcp_shutdown(c->tc);
            return TLCP_EXIT_OK;
        }
        char why[CLI_WHY_MAX];
        cli_error("client", "%s", cli_conn_failure(c->tc, why, sizeof(why)));
        return tlcp_conn_error_reason(c->tc) == TLCP_R_EOF ? TLCP_EXIT_FAILURE
                                                           : TLCP_EXIT_HANDSHAKE;
    }
}

/* Flushes stdin bytes, then close_notify after end of stdin. */
static int pump_client(struct client *c, short *events)
{
    while (c->out_off < c->out_len) {
        size_t n = 0;
        tlcp_result r = tlcp_write(c->tc, c->out + c->out_off, c->out_len - c->out_off, &n);
        if (r == TLCP_WANT_READ || r == TLCP_WANT_WRITE) {
            *events |= r == TLCP_WANT_READ ? POLLIN : POLLOUT;
            return -1;
        }
        if (r != TLCP_OK) {
            char why[CLI_WHY_MAX];
            cli_error("client", "%s", cli_conn_failure(c->tc, why, sizeof(why)));
            return TLCP_EXIT_FAILURE;
        }
        c->out_off += n;
    }
    c->out_len = c->out_off = 0;
    if (!c->stdin_open && !c->shutdown_sent) {
        tlcp_result r = tlcp_shutdown(c->tc);
        if (r == TLCP_WANT_READ || r == TLCP_WANT_WRITE) {
            *events |= r == TLCP_WANT_READ ? POLLIN : POLLOUT;
            return -1;
        }
        if (r != TLCP_OK) {
            char why[CLI_WHY_MAX];
            cli_error("client", "%s", cli_conn_failure(c->tc, why, sizeof(why)));
            return TLCP_EXIT_FAILURE;
        }
        c->shutdown_sent = 1;
    }
    return -1;
}

static void read_stdin(struct client *c)
{
    ssize_t n = read(STDIN_FILENO, c->out, sizeof(c->out));
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n <= 0) {
        c->stdin_open = 0;
        return;
    }
    c->out_len = (size_t)n;
    c->out_off = 0;
}

static int copy_loop(struct client *c)
{
    int64_t deadline = 0;
    for (;;) {
        short events = 0;
        /* Read even while a write is blocked: a peer that echoes may itself
         * be blocked writing to us. */
        int rc = pump_client(c, &events);
        if (rc >= 0)
            return rc;
        rc = pump_server(c, &events);
        if (rc >= 0)
            return rc;
        struct pollfd p[2];
        nfds_t np = 0;
        p[np++] = (struct pollfd){.fd = c->fd, .events = events};
        int poll_stdin = c->stdin_open && c->out_len == 0;
        if (poll_stdin)
            p[np++] = (struct pollfd){.fd = STDIN_FILENO, .events = POLLIN};
        if (!c->stdin_open && deadline == 0)
            deadline = cli_now_ms() + c->timeout_ms; /* closing exchange is bounded */
        int wait_ms = 1000;
        if (deadline != 0) {
            int64_t left = deadline - cli_now_ms();
            if (left <= 0) {
                cli_error("client", "timed out waiting for the server to close the connection");
                return TLCP_EXIT_NETWORK;
            }
            wait_ms = left < 1000 ? (int)left : 1000;
        }
        int n = poll(p, np, wait_ms);
        if (n < 0 && errno != EINTR) {
            cli_error("client", "poll failed: %s", strerror(errno));
            return TLCP_EXIT_FAILURE;
        }
        if (n > 0 && poll_stdin && p[1].revents != 0)
            read_stdin(c);
    }
}

/* Connects and runs the handshake, offering `session` when not NULL. */
static int open_conn(struct client *c, tlcp_config *cfg, const char *host, const char *port,
                     tlcp_session *session)
{
    c->fd = cli_connect("client", host, port, c->timeout_ms);
    if (c->fd < 0)
        return TLCP_EXIT_NETWORK;
    c->tc = tlcp_conn_new(cfg, TLCP_CLIENT);
    if (c->tc == NULL || tlcp_conn_set_fd(c->tc, c->fd) != TLCP_OK ||
        (session != NULL && tlcp_conn_set_session(c->tc, session) != TLCP_OK)) {
        cli_error("client", "cannot create the connection: %s",
                  c->tc ? tlcp_conn_error(c->tc) : tlcp_config_error(cfg));
        return TLCP_EXIT_FAILURE;
    }
    return do_handshake(c);
}

static void close_conn(struct client *c)
{
    tlcp_conn_free(c->tc);
    c->tc = NULL;
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
}

/* --reconnect: close the first connection and open a second one that offers
 * its session (an abbreviated handshake when the server resumes it). */
static int reconnect(struct client *c, tlcp_config *cfg, const char *host, const char *port)
{
    tlcp_session *session = tlcp_conn_get_session(c->tc);
    int64_t deadline = cli_now_ms() + c->timeout_ms;
    tlcp_result r;
    while ((r = tlcp_shutdown(c->tc)) == TLCP_WANT_WRITE || r == TLCP_WANT_READ) {
        if (!wait_fd(c->fd, r == TLCP_WANT_READ ? POLLIN : POLLOUT, deadline))
            break;
    }
    close_conn(c);
    int rc = open_conn(c, cfg, host, port, session);
    tlcp_session_free(session);
    if (rc == TLCP_EXIT_OK && !c->quiet)
        fprintf(stderr, "reconnected: %s\n",
                tlcp_conn_session_reused(c->tc) ? "session resumed (abbreviated handshake)"
                : session != NULL ? "full handshake (the server did not resume the session)"
                                  : "full handshake (the server gave no session ID)");
    return rc;
}

struct client_args {
    struct cli_tls_opts tls;
    const char *target, *servername, *compat, *sess_in, *sess_out;
    long timeout;
    int quiet, reconnect, showcerts, tickets;
    struct cli_ks_opts ks; /* --key-server ... */
};

static int check_client_args(struct client_args *a, size_t npos)
{
    if (npos != 1) {
        cli_usage_error("client", "give the server as HOST:PORT");
        return 0;
    }
    if (a->tls.suites != NULL && !cli_check_suites_arg("client", a->tls.suites))
        return 0;
    if (a->compat != NULL && strcmp(a->compat, "gmssl3") != 0 && strcmp(a->compat, "gmssl2") != 0 &&
        strcmp(a->compat, "standard") != 0) {
        cli_usage_error("client", "--compat wants gmssl3, gmssl2 or standard, not '%s'", a->compat);
        return 0;
    }
    if (a->ks.addr != NULL || a->ks.name != NULL || a->ks.cert != NULL) {
        if (!cli_ks_check("client", &a->ks, &a->tls, 0))
            return 0;
        if (a->tls.suites != NULL && a->tls.enc_cert == NULL &&
            cli_suites_have_ecdhe(a->tls.suites))
            return cli_usage_error("client", "ECDHE suites with --key-server need --enc-cert "
                                             "(its key on the key server)"),
                   0;
        return 1;
    }
    if (!cli_check_tls_args("client", &a->tls))
        return 0;
    /* ECDHE's key exchange uses the client's encryption key pair. */
    if (a->tls.suites != NULL && a->tls.sign_cert == NULL && cli_suites_have_ecdhe(a->tls.suites)) {
        cli_usage_error("client", "ECDHE suites need a client certificate pair: give "
                                  "--sign-cert, --sign-key, --enc-cert and --enc-key, or "
                                  "offer only ECC suites");
        return 0;
    }
    if (a->tls.chain != NULL && a->tls.sign_cert == NULL) {
        cli_usage_error("client", "--chain goes with the client certificates (--sign-cert ...)");
        return 0;
    }
    return 1;
}

static int parse_client_args(int argc, char **argv, struct client_args *a)
{
    const struct cli_opt opts[] = {
        {"ca", CLI_STRING, &a->tls.ca, 0, 0},
        {"ca-dir", CLI_STRING, &a->tls.ca_dir, 0, 0},
        {"crl", CLI_STRING, &a->tls.crl, 0, 0},
        {"partial-chain", CLI_FLAG, &a->tls.partial_chain, 0, 0},
        {"servername", CLI_STRING, &a->servername, 0, 0},
        {"suites", CLI_STRING, &a->tls.suites, 0, 0},
        {"sign-cert", CLI_STRING, &a->tls.sign_cert, 0, 0},
        {"sign-key", CLI_STRING, &a->tls.sign_key, 0, 0},
        {"enc-cert", CLI_STRING, &a->tls.enc_cert, 0, 0},
        {"enc-key", CLI_STRING, &a->tls.enc_key, 0, 0},
        {"provider", CLI_LIST, &a->tls.providers, 0, 0},
        {"provider-path", CLI_STRING, &a->tls.provider_path, 0, 0},
        {"propquery", CLI_STRING, &a->tls.propquery, 0, 0},
        {"chain", CLI_STRING, &a->tls.chain, 0, 0},
        {"pass", CLI_STRING, &a->tls.pass, 0, 0},
        {"timeout", CLI_INT, &a->timeout, 1, 86400},
        {"trace", CLI_FLAG, &a->tls.trace, 0, 0},
        {"keylog", CLI_STRING, &a->tls.keylog, 0, 0},
        {"quiet", CLI_FLAG, &a->quiet, 0, 0},
        {"reconnect", CLI_FLAG, &a->reconnect, 0, 0},
        {"sess-in", CLI_STRING, &a->sess_in, 0, 0},
        {"sess-out", CLI_STRING, &a->sess_out, 0, 0},
        {"showcerts", CLI_FLAG, &a->showcerts, 0, 0},
        {"tickets", CLI_FLAG, &a->tickets, 0, 0},
        {"compat", CLI_STRING, &a->compat, 0, 0},
        {"alpn", CLI_STRING, &a->tls.alpn, 0, 0},
        CLI_KS_OPTIONS(a->ks),
    };
    size_t npos = 0;
    return cli_parse("client", argc, argv, opts, sizeof(opts) / sizeof(opts[0]), &a->target, 1,
                     &npos) &&
           check_client_args(a, npos);
}

/* --compat: the forms a GmSSL peer expects from a client. */
static tlcp_result apply_compat(tlcp_config *cfg, const char *compat)
{
    if (compat == NULL || strcmp(compat, "standard") == 0)
        return TLCP_OK;
    if (strcmp(compat, "gmssl2") == 0) /* CertificateVerify: e = SM3(messages), no Z */
        return tlcp_config_set_cert_verify_form(cfg, TLCP_CV_GMSSL2);
    /* GmSSL 3 wants the length-prefixed ECDHE ClientKeyExchange, a
     * CertificateVerify over the raw handshake messages and, in ECC
     * suites, a client list without the enc certificate. */
    tlcp_result r = tlcp_config_set_ecdhe_cke_length_prefix(cfg, 1);
    if (r == TLCP_OK)
        r = tlcp_config_set_cert_verify_raw(cfg, 1);
    if (r == TLCP_OK)
        r = tlcp_config_set_client_cert_list(cfg, TLCP_CLIENT_CERTS_SIGN_ONLY);
    return r;
}

static tlcp_config *client_config(struct client_args *a, const char *host, struct cli_trace *trace,
                                  FILE **keylog, struct cli_ks *ks)
{
    struct cli_tls_opts tls = a->tls;
    if (a->ks.addr != NULL) /* the certificates become delegated pairs below */
        tls.sign_cert = tls.enc_cert = tls.pass = NULL;
    tlcp_config *cfg = cli_make_config("client", &tls, trace, keylog);
    if (cfg == NULL)
        return NULL;
    if (a->ks.addr != NULL && !cli_ks_load("client", cfg, &a->ks, &a->tls, ks)) {
        tlcp_config_free(cfg);
        return NULL;
    }
    tlcp_result r = TLCP_OK;
    if (a->tls.ca == NULL && a->tls.ca_dir == NULL) {
        if (!a->quiet)
            fprintf(stderr, "tlcp client: warning: no --ca given, the server's certificates "
                            "are not verified\n");
        r = tlcp_config_set_verify_mode(cfg, TLCP_VERIFY_NONE);
    } else {
        r = tlcp_config_set_verify_mode(cfg, TLCP_VERIFY_REQUIRED);
    }
    /* The session is bound to this name, verified or not. */
    if (r == TLCP_OK)
        r = tlcp_config_set_host_name(cfg, a->servername ? a->servername : host);
    if (r == TLCP_OK && a->servername != NULL)
        r = tlcp_config_set_send_sni(cfg, 1);
    if (r == TLCP_OK)
        r = apply_compat(cfg, a->compat);
    if (r == TLCP_OK && a->tickets)
        r = tlcp_config_set_session_tickets(cfg, 1);
    if (r != TLCP_OK) {
        cli_error("client", "%s", tlcp_config_error(cfg));
        tlcp_config_free(cfg);
        return NULL;
    }
    return cfg;
}

int cmd_client(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        fputs(client_help, stdout);
        return TLCP_EXIT_OK;
    }
    struct client_args a = {0};
    a.timeout = 10;
    if (!parse_client_args(argc, argv, &a))
        return TLCP_EXIT_USAGE;
    char host[256], port[32];
    if (!cli_parse_target("client", a.target, host, sizeof(host), port, sizeof(port)))
        return TLCP_EXIT_USAGE;
    struct cli_trace trace = {stderr, "", 0};
    FILE *keylog = NULL;
    struct cli_ks ks = {0};
    tlcp_config *cfg = client_config(&a, host, &trace, &keylog, &ks);
    if (cfg == NULL) {
        cli_ks_free(&ks);
        return TLCP_EXIT_CONFIG;
    }
    struct client *c = calloc(1, sizeof(*c));
    int rc = TLCP_EXIT_FAILURE;
    if (c == NULL)
        goto out;
    c->timeout_ms = a.timeout * 1000;
    c->quiet = a.quiet;
    c->showcerts = a.showcerts;
    c->alpn = a.tls.alpn != NULL;
    c->has_pair = a.tls.sign_cert != NULL;
    c->stdin_open = 1;
    c->fd = -1;
    c->ks = ks.kc != NULL ? &ks : NULL;
    tlcp_session *saved = NULL;
    rc = a.sess_in != NULL ? cli_session_load("client", a.sess_in, a.quiet, &saved) : 0;
    c->offered = saved != NULL;
    if (rc == TLCP_EXIT_OK)
        rc = open_conn(c, cfg, host, port, saved);
    tlcp_session_free(saved);
    if (rc == TLCP_EXIT_OK && a.reconnect)
        rc = reconnect(c, cfg, host, port);
    if (rc == TLCP_EXIT_OK && a.sess_out != NULL)
        rc = cli_session_save("client", a.sess_out, c->tc, a.quiet);
    if (rc == TLCP_EXIT_OK) {
        print_session(c);
        rc = copy_loop(c);
    }
out:
    if (c != NULL) {
        close_conn(c);
        free(c);
    }
    tlcp_config_free(cfg);
    cli_ks_free(&ks);
    if (keylog != NULL)
        fclose(keylog);
    return rc;
}
