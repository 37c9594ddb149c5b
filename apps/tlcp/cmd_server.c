/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tlcp server: a TLCP endpoint for many clients at once. One poll loop
 * drives every connection through the public non-blocking API: each call
 * returns WANT_READ / WANT_WRITE and the loop waits for exactly that.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server.h"
#include "tls_io.h"

static const char server_help[] =
    "usage: tlcp server --port P [--bind ADDR] --sign-cert F --sign-key F\n"
    "                   --enc-cert F --enc-key F [--chain F] [--pass SOURCE]\n"
    "                   [--provider NAME [--provider-path D]] [--propquery Q]\n"
    "                   [--ca F] [--ca-dir D] [--crl F] [--partial-chain]\n"
    "                   [--verify none|optional|require] [--tls-cert F --tls-key F]\n"
    "                   [--tls-verify-client none|optional|require --tls-ca F]\n"
    "                   [--tls-min-version 1.2|1.3] [--tls-ciphers S]\n"
    "                   [--tls-ciphersuites S] [--tls-hello-for-tlcp]\n"
    "                   [--suites LIST] [--echo | --www | --stdio] [--sessions N]\n"
    "                   [--trace] [--keylog F] [--quiet] [--accept N]\n"
    "                   [--drain-timeout SECONDS] [--alpn LIST] [--alpn-required]\n"
    "                   [--cert-for NAME:SIGNCERT:SIGNKEY:ENCCERT:ENCKEY ...]\n"
    "                   [--tickets | --ticket-keys F]\n"
    "       tlcp server --port P --sign-cert F --enc-cert F --key-server ADDR\n"
    "                   [--key-name NAME] [--key-server-cert F --key-server-key F\n"
    "                   --key-server-ca F] [other options as above]\n"
    "\n"
    "Serves TLCP on a TCP port, many clients at once. One log line on stderr per\n"
    "handshake (peer address, suite, duration) and per failure (reason); every\n"
    "log and trace line starts with the connection's number, [conn N].\n"
    "\n"
    "  --port P        TCP port 0-65535; 0 picks a free one (the log line shows it)\n"
    "  --bind ADDR     local address (default: every address, IPv6 and IPv4; IPv4\n"
    "                  only where the machine has no IPv6)\n"
    "  --sign-cert F   signing certificate (PEM or DER); the file may hold the\n"
    "                  leaf followed by its chain, which is then sent too\n"
    "  --sign-key F    its private key (PKCS#8, SEC1 or encrypted PKCS#8)\n"
    "  --enc-cert F    encryption certificate (needs keyEncipherment)\n"
    "  --enc-key F     its private key\n"
    "                  A key may be a URI instead (pkcs11:..., file:..., a\n"
    "                  provider's scheme; a file named like one is ./NAME): the\n"
    "                  key stays in its OpenSSL provider, which signs and\n"
    "                  decrypts; an enc key URI rules out the ECDHE suites.\n"
    "                  The certificate of a URI key may be a URI of its store\n"
    "                  too (leaf first, then its chain)\n"
    "  --provider NAME load this OpenSSL provider for key URIs (repeatable);\n"
    "                  without it URIs use OpenSSL's default context, set up\n"
    "                  by OPENSSL_CONF\n"
    "  --provider-path D\n"
    "                  the directory the --provider modules are in\n"
    "  --propquery Q   OpenSSL property query for key URIs (provider=pkcs11)\n"
    "  --chain F       intermediate CA certificates, sent after the enc certificate\n"
    "  --cert-for NAME:SIGNCERT:SIGNKEY:ENCCERT:ENCKEY\n"
    "                  another sign+enc pair for clients whose SNI is NAME (exact,\n"
    "                  or *.domain for one more label; case-insensitive); repeatable;\n"
    "                  paths must not contain ':'. The --sign-cert ... pair is the\n"
    "                  default for other names and no SNI; without it those\n"
    "                  clients are refused (alert unrecognized_name). With key or\n"
    "                  certificate URIs, separate the five fields with ','\n"
    "  --pass SOURCE   passphrase of encrypted keys: pass:TEXT, env:VAR,\n"
    "                  file:PATH, fd:N or stdin (first line); anything else is\n"
    "                  the passphrase itself (visible in ps)\n"
    "  --ca F          CA certificates that verify client certificates\n"
    "  --ca-dir D      a directory of CA certificates (hashed names or *.pem)\n"
    "  --crl F         CRLs for client certificates (file or directory; every CA\n"
    "                  of the client's chains then needs one)\n"
    "  --partial-chain accept a client chain ending at a trusted intermediate CA\n"
    "  --tls-cert F, --tls-key F\n"
    "                  also serve TLS 1.2/1.3 on the same port with this RSA or\n"
    "                  ECDSA pair (PEM; --pass opens an encrypted key): the first\n"
    "                  bytes tell TLS from TLCP; TLS clients are served\n"
    "                  concurrently like TLCP ones and their log lines end\n"
    "                  'protocol tls1.2' or 'tls1.3'. --alpn applies to TLS too.\n"
    "                  Without them a TLS client gets a TLS protocol_version alert\n"
    "  --tls-verify-client MODE, --tls-ca F\n"
    "                  TLS client certificates: none (default), optional, require,\n"
    "                  verified against the CAs of F (a failing one is refused)\n"
    "  --tls-min-version V\n"
    "                  the lowest TLS version: 1.2 (default) or 1.3\n"
    "  --tls-ciphers S, --tls-ciphersuites S\n"
    "                  libssl's TLS 1.2 cipher list and TLS 1.3 suites (OpenSSL\n"
    "                  syntax, checked at start)\n"
    "  --tls-hello-for-tlcp\n"
    "                  answer a TLS ClientHello that offers the TLCP suites first\n"
    "                  (360 browser) with TLCP ('protocol tlcp-via-tls-hello')\n"
    "  --verify MODE   client certificates: none (default), optional (go on\n"
    "                  without one or with one that fails; logged), require\n"
    "  --suites LIST   accepted suites in preference order, e.g.\n"
    "                  ECC_SM4_GCM_SM3,ECC_SM4_CBC_SM3 or 0xE053,0xE013\n"
    "  --alpn LIST     ALPN protocols in our preference order, e.g. h2,http/1.1;\n"
    "                  the first the client also offers is selected (logged)\n"
    "  --alpn-required refuse clients without a protocol in common (alert\n"
    "                  no_application_protocol)\n"
    "  --echo          send every byte received back (default)\n"
    "  --www           answer an HTTP GET with a small status page, then close\n"
    "  --stdio         client data to stdout, stdin to every connected client;\n"
    "                  end of stdin closes the connections\n"
    "  --sessions N    cache N sessions for resumption by session ID (default 1024,\n"
    "                  one hour each; 0 turns resumption off)\n"
    "  --tickets       issue session tickets (RFC 5077) under a random key made at\n"
    "                  start (tickets die with the process)\n"
    "  --ticket-keys F issue tickets under the keys of F, shared by several\n"
    "                  servers: lines 'key NAME SECRET' (32 hex digits, 32 to 128\n"
    "                  hex digits), oldest first, the last seals; 'lifetime S'\n"
    "  --key-server ADDR\n"
    "                  the private keys stay on a tlcp keyserver at unix:PATH or\n"
    "                  HOST:PORT: give --sign-cert and --enc-cert without their\n"
    "                  keys; a key server that is down fails full handshakes\n"
    "                  (alert internal_error, the log says why), resumptions go on\n"
    "  --key-name NAME the key pair's name on the key server (default: default)\n"
    "  --key-server-cert F, --key-server-key F, --key-server-ca F\n"
    "                  the TLCP channel to a HOST:PORT key server: our client\n"
    "                  certificate and key, and the CA of the key server's\n"
    "                  certificate (which must name HOST)\n"
    "  --trace         print the handshake state machine and messages to stderr\n"
    "  --keylog F      append NSS key log lines (CLIENT_RANDOM) to F\n"
    "  --quiet         log only the listening line and failures\n"
    "  --accept N      exit after N connections have ended\n"
    "  --drain-timeout SECONDS\n"
    "                  on SIGINT, SIGTERM or SIGHUP: stop accepting, send\n"
    "                  close_notify to every client and wait up to SECONDS\n"
    "                  (default 5) for their close_notify, then exit 0\n"
    "\n"
    "Exit status: 0 after --accept N connections without handshake failure (or on\n"
    "SIGINT/SIGTERM/SIGHUP), 2 bad command line, 3 unusable certificates or keys\n"
    "(the server refuses to start), 4 cannot listen, 5 a handshake failed (with\n"
    "--accept).\n";

static volatile sig_atomic_t stop_signal; /* the signal that asked us to stop, 0 = none */

static void on_signal(int sig)
{
    stop_signal = sig;
}

static void accept_new(struct server *s)
{
    while (s->num_conns < SRV_MAX_CONNS &&
           (s->accept_limit == 0 || s->accepted < s->accept_limit)) {
        char peer[64];
        int fd = cli_accept(s->listen_fd, peer, sizeof(peer));
        if (fd < 0)
            return; /* EAGAIN, or a transient error such as ECONNABORTED */
        struct srv_conn *c = calloc(1, sizeof(*c));
        tlcp_conn *tc = c != NULL ? tlcp_conn_new(s->cfg, TLCP_SERVER) : NULL;
        if (tc == NULL || tlcp_conn_set_fd(tc, fd) != TLCP_OK) {
            fprintf(stderr, "tlcp server: [conn %lu] %s dropped: out of memory\n", ++s->numbered,
                    peer);
            tlcp_conn_free(tc);
            free(c);
            close(fd);
            continue;
        }
        c->fd = fd;
        c->tc = tc;
        c->number = ++s->numbered;
        snprintf(c->tag, sizeof(c->tag), "[conn %lu] ", c->number);
        snprintf(c->peer, sizeof(c->peer), "[conn %lu] %s", c->number, peer);
        c->start_ms = cli_now_ms();
        /* TLS or TLCP: the first bytes tell (server_tls.c); TLS is served
         * with --tls-cert, refused with a TLS alert without. */
        c->state = ST_DETECT;
        c->events = POLLIN;
        s->conns[s->num_conns++] = c;
        s->accepted++;
        srv_step(s, c);
    }
}

/* stdio: stdin goes to every established connection. */
static void read_stdin(struct server *s)
{
    uint8_t buf[SRV_IO_CHUNK];
    ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n <= 0) {
        s->stdin_open = 0;
    } else {
        for (size_t i = 0; i < s->num_conns; i++) {
            struct srv_conn *c = s->conns[i];
            if (c->state == ST_DATA && !srv_queue_out(c, buf, (size_t)n)) {
                srv_log_conn(c, "out of memory");
                c->state = ST_DONE;
            }
        }
    }
    for (size_t i = 0; i < s->num_conns; i++) {
        if (s->conns[i]->state == ST_DATA)
            srv_step(s, s->conns[i]);
    }
}

static void reap(struct server *s)
{
    int64_t now = cli_now_ms();
    size_t j = 0;
    for (size_t i = 0; i < s->num_conns; i++) {
        struct srv_conn *c = s->conns[i];
        if ((c->state == ST_HANDSHAKE || c->state == ST_DETECT) &&
            now - c->start_ms > SRV_HANDSHAKE_TIMEOUT_MS) {
            srv_log_conn(c, "handshake failed: timed out waiting for the client");
            s->failed++;
            c->state = ST_DONE;
        }
        if (c->state == ST_DRAIN && s->drain_deadline == 0 && now >= c->drain_until) {
            srv_log_conn(c, "closed: no close_notify from the client in time");
            c->state = ST_DONE;
        }
        if (c->state == ST_DONE) {
            srv_keys_forget(s, c);
            srv_conn_free(c);
            s->finished++;
        } else {
            s->conns[j++] = c;
        }
    }
    s->num_conns = j;
}

static int has_established(const struct server *s)
{
    for (size_t i = 0; i < s->num_conns; i++) {
        if (s->conns[i]->state == ST_DATA)
            return 1;
    }
    return 0;
}

/* ST_DETECT with part of a hello: not polled, looked at again each round. */
static int detect_waiting(const struct srv_conn *c)
{
    return c->state == ST_DETECT && c->events == 0;
}

/* One poll round: connections, stdin (stdio mode) and, when `accepting`,
 * the listening socket. 0 when poll itself failed. */
static int poll_round(struct server *s, int accepting, int wait_ms)
{
    struct pollfd pfd[SRV_MAX_CONNS + 3];
    size_t n = 0;
    int listen_idx = -1, stdin_idx = -1, keys_idx = (int)n;
    n += srv_keys_pollfd(s, &pfd[n]);
    if (n == 0)
        keys_idx = -1;
    if (accepting && s->num_conns < SRV_MAX_CONNS &&
        (s->accept_limit == 0 || s->accepted < s->accept_limit)) {
        listen_idx = (int)n;
        pfd[n++] = (struct pollfd){.fd = s->listen_fd, .events = POLLIN};
    }
    if (accepting && s->mode == MODE_STDIO && s->stdin_open && has_established(s)) {
        stdin_idx = (int)n;
        pfd[n++] = (struct pollfd){.fd = STDIN_FILENO, .events = POLLIN};
    }
    size_t first_conn = n;
    for (size_t i = 0; i < s->num_conns; i++) {
        pfd[n++] = (struct pollfd){.fd = s->conns[i]->fd, .events = s->conns[i]->events};
        if (detect_waiting(s->conns[i]) && wait_ms > SRV_DETECT_RETRY_MS)
            wait_ms = SRV_DETECT_RETRY_MS;
    }
    int rc = poll(pfd, (nfds_t)n, srv_keys_wait_ms(s, wait_ms));
    if (rc < 0 && errno != EINTR) {
        fprintf(stderr, "tlcp server: poll failed: %s\n", strerror(errno));
        return 0;
    }
    if (rc >= 0) {
        size_t count = s->num_conns; /* accept_new appends after these */
        for (size_t i = 0; i < count; i++) {
            if (pfd[first_conn + i].revents != 0 || detect_waiting(s->conns[i]))
                srv_step(s, s->conns[i]);
        }
        if (stdin_idx >= 0 && pfd[stdin_idx].revents != 0)
            read_stdin(s);
        if (listen_idx >= 0 && pfd[listen_idx].revents != 0)
            accept_new(s);
    }
    srv_keys_after_poll(s, rc > 0 && keys_idx >= 0 ? pfd[keys_idx].revents : 0);
    reap(s);
    return 1;
}

static void serve(struct server *s)
{
    while (stop_signal == 0 && (s->accept_limit == 0 || s->finished < s->accept_limit)) {
        if (!poll_round(s, 1, 1000))
            break;
    }
}

/* SIGINT/SIGTERM/SIGHUP: no new connections; handshakes in progress are
 * dropped; established ones get close_notify (after the data queued for
 * them) and until the deadline to answer with theirs. */
static void stop_serving(struct server *s, long drain_seconds)
{
    close(s->listen_fd);
    s->listen_fd = -1;
    fprintf(stderr,
            "tlcp server: %s: stopping; closing %zu connection(s), waiting up to %ld s for "
            "their close_notify\n",
            stop_signal == SIGINT   ? "SIGINT"
            : stop_signal == SIGHUP ? "SIGHUP"
                                    : "SIGTERM",
            s->num_conns, drain_seconds);
    s->drain_deadline = cli_now_ms() + drain_seconds * 1000;
    for (size_t i = 0; i < s->num_conns; i++) {
        struct srv_conn *c = s->conns[i];
        if (c->state == ST_HANDSHAKE || c->state == ST_DETECT) {
            srv_log_conn(c, "dropped: the server is stopping during the handshake");
            c->state = ST_DONE;
        } else if (c->state == ST_DATA && c->out != NULL) {
            c->close_after_out = 1; /* flush what is queued, then close_notify */
        } else if (c->state == ST_DATA) {
            c->state = ST_SHUTDOWN;
        }
        srv_step(s, c);
    }
    reap(s);
    stop_signal = 0; /* a second signal ends the wait */
    while (s->num_conns > 0 && stop_signal == 0) {
        int64_t left = s->drain_deadline - cli_now_ms();
        if (left <= 0 || !poll_round(s, 0, left < 200 ? (int)left : 200))
            break;
    }
    for (size_t i = 0; i < s->num_conns; i++)
        srv_log_conn(s->conns[i],
                     "closed: no close_notify from the client before the drain timeout");
}

struct server_args {
    struct cli_tls_opts tls;
    const char *port, *bind, *verify;
    struct cli_tls_settings tls_side; /* one port for TLS too: --tls-* */
    const char *tls_verify;           /* --tls-verify-client */
    int tls_hello_for_tlcp;
    int echo, www, stdio_mode, quiet, alpn_required, tickets;
    const char *ticket_keys;
    long accept, sessions, drain_timeout;
    struct cli_ks_opts ks; /* --key-server ... */
};

static int parse_server_args(int argc, char **argv, struct server_args *a)
{
    const struct cli_opt opts[] = {
        {"port", CLI_STRING, &a->port, 0, 0},
        {"bind", CLI_STRING, &a->bind, 0, 0},
        {"sign-cert", CLI_STRING, &a->tls.sign_cert, 0, 0},
        {"sign-key", CLI_STRING, &a->tls.sign_key, 0, 0},
        {"enc-cert", CLI_STRING, &a->tls.enc_cert, 0, 0},
        {"enc-key", CLI_STRING, &a->tls.enc_key, 0, 0},
        {"provider", CLI_LIST, &a->tls.providers, 0, 0},
        {"provider-path", CLI_STRING, &a->tls.provider_path, 0, 0},
        {"propquery", CLI_STRING, &a->tls.propquery, 0, 0},
        {"chain", CLI_STRING, &a->tls.chain, 0, 0},
        {"pass", CLI_STRING, &a->tls.pass, 0, 0},
        {"ca", CLI_STRING, &a->tls.ca, 0, 0},
        {"ca-dir", CLI_STRING, &a->tls.ca_dir, 0, 0},
        {"crl", CLI_STRING, &a->tls.crl, 0, 0},
        {"partial-chain", CLI_FLAG, &a->tls.partial_chain, 0, 0},
        {"verify", CLI_STRING, &a->verify, 0, 0},
        {"suites", CLI_STRING, &a->tls.suites, 0, 0},
        {"tls-cert", CLI_STRING, &a->tls_side.cert, 0, 0},
        {"tls-key", CLI_STRING, &a->tls_side.key, 0, 0},
        {"tls-verify-client", CLI_STRING, &a->tls_verify, 0, 0},
        {"tls-ca", CLI_STRING, &a->tls_side.ca, 0, 0},
        {"tls-min-version", CLI_STRING, &a->tls_side.min_version, 0, 0},
        {"tls-ciphers", CLI_STRING, &a->tls_side.ciphers, 0, 0},
        {"tls-ciphersuites", CLI_STRING, &a->tls_side.ciphersuites, 0, 0},
        {"tls-hello-for-tlcp", CLI_FLAG, &a->tls_hello_for_tlcp, 0, 0},
        {"echo", CLI_FLAG, &a->echo, 0, 0},
        {"www", CLI_FLAG, &a->www, 0, 0},
        {"stdio", CLI_FLAG, &a->stdio_mode, 0, 0},
        {"trace", CLI_FLAG, &a->tls.trace, 0, 0},
        {"keylog", CLI_STRING, &a->tls.keylog, 0, 0},
        {"accept", CLI_INT, &a->accept, 1, 1000000000L},
        {"sessions", CLI_INT, &a->sessions, 0, 1000000L},
        {"quiet", CLI_FLAG, &a->quiet, 0, 0},
        {"drain-timeout", CLI_INT, &a->drain_timeout, 0, 3600},
        {"alpn", CLI_STRING, &a->tls.alpn, 0, 0},
        {"alpn-required", CLI_FLAG, &a->alpn_required, 0, 0},
        {"cert-for", CLI_LIST, &a->tls.cert_for, 0, 0},
        {"tickets", CLI_FLAG, &a->tickets, 0, 0},
        {"ticket-keys", CLI_STRING, &a->ticket_keys, 0, 0},
        CLI_KS_OPTIONS(a->ks),
    };
    if (!cli_parse("server", argc, argv, opts, sizeof(opts) / sizeof(opts[0]), NULL, 0, NULL))
        return 0;
    if (a->port == NULL) {
        cli_usage_error("server", "--port is required (0 picks a free port)");
        return 0;
    }
    if (!cli_check_port("server", "--port", a->port, 1))
        return 0;
    if (a->tls.suites != NULL && !cli_check_suites_arg("server", a->tls.suites))
        return 0;
    if (a->tickets && a->ticket_keys != NULL) {
        cli_usage_error("server", "choose one of --tickets and --ticket-keys");
        return 0;
    }
    if (!srv_tls_check_args(&a->tls_side, a->tls_verify))
        return 0;
    if (a->echo + a->www + a->stdio_mode > 1) {
        cli_usage_error("server", "choose one of --echo, --www and --stdio");
        return 0;
    }
    for (size_t i = 0; i < a->tls.cert_for.num; i++)
        if (!cli_check_cert_for("server", a->tls.cert_for.items[i]))
            return 0;
    if (a->ks.addr != NULL || a->ks.name != NULL || a->ks.cert != NULL)
        return cli_ks_check("server", &a->ks, &a->tls, 1) &&
               (a->tls.alpn != NULL || !a->alpn_required ||
                (cli_usage_error("server", "--alpn-required needs --alpn"), 0));
    if (a->tls.cert_for.num == 0 && (a->tls.sign_cert == NULL || a->tls.sign_key == NULL ||
                                     a->tls.enc_cert == NULL || a->tls.enc_key == NULL)) {
        cli_usage_error("server", "a server needs --sign-cert, --sign-key, --enc-cert and "
                                  "--enc-key (make a test set with 'tlcp certgen')");
        return 0;
    }
    if (a->alpn_required && a->tls.alpn == NULL) {
        cli_usage_error("server", "--alpn-required needs --alpn");
        return 0;
    }
    return cli_check_tls_args("server", &a->tls);
}

static int setup(struct server *s, struct server_args *a, struct cli_trace *trace, FILE **keylog)
{
    int mode = TLCP_VERIFY_NONE;
    if (a->verify != NULL && !cli_parse_verify_mode(a->verify, &mode))
        return cli_usage_error("server", "--verify wants none, optional or require, not '%s'",
                               a->verify);
    struct cli_tls_opts tls = a->tls;
    if (a->ks.addr != NULL) /* the certificates become delegated pairs below */
        tls.sign_cert = tls.enc_cert = tls.pass = tls.pass_value = NULL;
    s->cfg = cli_make_config("server", &tls, trace, keylog);
    if (s->cfg == NULL)
        return TLCP_EXIT_CONFIG;
    if (a->ks.addr != NULL && !srv_keys_setup(s, &a->ks, &a->tls))
        return TLCP_EXIT_CONFIG;
    if (a->alpn_required && tlcp_config_set_alpn_required(s->cfg, 1) != TLCP_OK) {
        cli_error("server", "--alpn-required: %s", tlcp_config_error(s->cfg));
        return TLCP_EXIT_CONFIG;
    }
    if (tlcp_config_set_verify_mode(s->cfg, mode) != TLCP_OK) {
        cli_error("server", "--verify: %s", tlcp_config_error(s->cfg));
        return TLCP_EXIT_CONFIG;
    }
    if (a->sessions > 0 &&
        tlcp_config_set_session_cache(s->cfg, (size_t)a->sessions, 0) != TLCP_OK) {
        cli_error("server", "--sessions: %s", tlcp_config_error(s->cfg));
        return TLCP_EXIT_CONFIG;
    }
    if (a->tickets && tlcp_config_set_session_tickets(s->cfg, 1) != TLCP_OK) {
        cli_error("server", "--tickets: %s", tlcp_config_error(s->cfg));
        return TLCP_EXIT_CONFIG;
    }
    if (a->ticket_keys != NULL && tlcp_config_load_ticket_keys(s->cfg, a->ticket_keys) != TLCP_OK) {
        cli_error("server", "--ticket-keys: %s", tlcp_config_error(s->cfg));
        return TLCP_EXIT_CONFIG;
    }
    /* Before the check: it makes a connection, which freezes the config. */
    if (a->tls_hello_for_tlcp && tlcp_config_accept_tls_hello_for_tlcp(s->cfg, 1) != TLCP_OK) {
        cli_error("server", "--tls-hello-for-tlcp: %s", tlcp_config_error(s->cfg));
        return TLCP_EXIT_CONFIG;
    }
    if (!cli_check_server_config("server", s->cfg, trace))
        return TLCP_EXIT_CONFIG;
    s->tls_hello_for_tlcp = a->tls_hello_for_tlcp;
    /* The TLS side: --alpn and --alpn-required apply to it too, and --pass
     * to its key. */
    a->tls_side.alpn = a->tls.alpn;
    a->tls_side.alpn_required = a->alpn_required;
    a->tls_side.pass = a->tls.pass_value;
    if (a->tls_side.cert != NULL && (s->tls_ctx = srv_tls_new(&a->tls_side)) == NULL)
        return TLCP_EXIT_CONFIG;
    int port = 0;
    s->listen_fd = cli_listen("server", a->bind, a->port, &port);
    if (s->listen_fd < 0)
        return TLCP_EXIT_NETWORK;
    static const char *const mode_names[] = {"echo", "www", "stdio"};
    fprintf(stderr, "tlcp server: listening on %s port %d (%s)\n", a->bind ? a->bind : "*", port,
            mode_names[s->mode]);
    return TLCP_EXIT_OK;
}

int cmd_server(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        fputs(server_help, stdout);
        return TLCP_EXIT_OK;
    }
    struct server_args a = {0};
    a.sessions = 1024;
    a.drain_timeout = SRV_DRAIN_TIMEOUT_S;
    if (!parse_server_args(argc, argv, &a))
        return TLCP_EXIT_USAGE;
    struct server s = {0};
    s.mode = a.www ? MODE_WWW : a.stdio_mode ? MODE_STDIO : MODE_ECHO;
    s.listen_fd = -1;
    s.accept_limit = a.accept;
    s.stdin_open = 1;
    s.quiet = a.quiet;
    struct cli_trace trace = {stderr, "", 0};
    s.trace = &trace;
    FILE *keylog = NULL;
    /* --pass with --tls-key: read once, for the TLCP keys and the TLS key. */
    char *pass = NULL;
    if (a.tls.pass != NULL && a.tls_side.key != NULL &&
        (pass = cli_read_pass("server", (char *)a.tls.pass)) == NULL)
        return TLCP_EXIT_CONFIG;
    a.tls.pass_value = pass;
    int rc = setup(&s, &a, &trace, &keylog);
    cli_free_pass(pass);
    if (rc == TLCP_EXIT_OK) {
        /* SIGHUP too: a server whose terminal went away stops as cleanly. */
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_signal;
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGHUP, &sa, NULL);
        serve(&s);
        if (stop_signal != 0) {
            stop_serving(&s, a.drain_timeout);
            rc = TLCP_EXIT_OK;
        } else {
            rc = s.failed > 0 && s.accept_limit > 0 ? TLCP_EXIT_HANDSHAKE : TLCP_EXIT_OK;
        }
    }
    for (size_t i = 0; i < s.num_conns; i++) {
        srv_keys_forget(&s, s.conns[i]);
        srv_conn_free(s.conns[i]);
    }
    if (s.listen_fd >= 0)
        close(s.listen_fd);
    tlcp_config_free(s.cfg);
    cli_ks_free(&s.ks);
    srv_tls_free(s.tls_ctx);
    if (keylog != NULL)
        fclose(keylog);
    return rc;
}
