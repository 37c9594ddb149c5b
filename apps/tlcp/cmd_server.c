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

#include "cli.h"

#define SRV_MAX_CONNS            512
#define SRV_HANDSHAKE_TIMEOUT_MS 30000
#define SRV_DRAIN_TIMEOUT_S      5 /* default --drain-timeout */
#define SRV_IO_CHUNK             16384
#define SRV_MAX_REQUEST          8192

static const char server_help[] =
    "usage: tlcp server --port P [--bind ADDR] --sign-cert F --sign-key F\n"
    "                   --enc-cert F --enc-key F [--chain F] [--pass SOURCE]\n"
    "                   [--ca F] [--ca-dir D] [--verify none|optional|require]\n"
    "                   [--suites LIST] [--echo | --www | --stdio] [--sessions N]\n"
    "                   [--trace] [--keylog F] [--quiet] [--accept N]\n"
    "                   [--drain-timeout SECONDS]\n"
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
    "  --chain F       intermediate CA certificates, sent after the enc certificate\n"
    "  --pass SOURCE   passphrase of encrypted keys: pass:TEXT, env:VAR,\n"
    "                  file:PATH, fd:N or stdin (first line); anything else is\n"
    "                  the passphrase itself (visible in ps)\n"
    "  --ca F          CA certificates that verify client certificates\n"
    "  --ca-dir D      a directory of CA certificates (hashed names or *.pem)\n"
    "  --verify MODE   client certificates: none (default), optional, require\n"
    "  --suites LIST   accepted suites in preference order, e.g.\n"
    "                  ECC_SM4_GCM_SM3,ECC_SM4_CBC_SM3 or 0xE053,0xE013\n"
    "  --echo          send every byte received back (default)\n"
    "  --www           answer an HTTP GET with a small status page, then close\n"
    "  --stdio         client data to stdout, stdin to every connected client;\n"
    "                  end of stdin closes the connections\n"
    "  --sessions N    cache N sessions for resumption by session ID (default 1024,\n"
    "                  one hour each; 0 turns resumption off)\n"
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

enum srv_mode { MODE_ECHO, MODE_WWW, MODE_STDIO };
/* ST_DRAIN: our close_notify is out, waiting for the client's (stopping). */
enum conn_state { ST_HANDSHAKE, ST_DATA, ST_SHUTDOWN, ST_DRAIN, ST_DONE };

struct srv_conn {
    int fd;
    tlcp_conn *tc;
    unsigned long number; /* 1, 2, ...: tells parallel connections apart */
    char peer[80];        /* "[conn N] ADDRESS" */
    char tag[32];         /* "[conn N] ": trace prefix */
    int peer_closed;      /* the client's close_notify arrived */
    int64_t start_ms;
    int state;
    short events; /* what the last call waits for */
    uint8_t *out; /* plaintext waiting for tlcp_write */
    size_t out_len, out_off;
    char req[SRV_MAX_REQUEST];
    size_t req_len;
    int close_after_out; /* www: close once the page is out */
    uint64_t bytes_in, bytes_out;
};

struct server {
    int mode;
    tlcp_config *cfg;
    int listen_fd;
    struct srv_conn *conns[SRV_MAX_CONNS];
    size_t num_conns;
    long accept_limit; /* 0 = unlimited */
    long accepted, finished, failed;
    int stdin_open;
    int quiet;
    unsigned long numbered;  /* connections numbered so far */
    struct cli_trace *trace; /* its prefix names the connection being driven */
    int64_t drain_deadline;  /* stopping: when to give up on the clients (0 = running) */
};

static volatile sig_atomic_t stop_signal; /* the signal that asked us to stop, 0 = none */

static void on_signal(int sig)
{
    stop_signal = sig;
}

static void log_conn(const struct srv_conn *c, const char *what)
{
    fprintf(stderr, "tlcp server: %s %s\n", c->peer, what);
}

/* Routine lines (handshake ok, closed) that --quiet leaves out. */
static void log_info(const struct server *s, const struct srv_conn *c, const char *what)
{
    if (!s->quiet)
        log_conn(c, what);
}

static void conn_fail(struct server *s, struct srv_conn *c, const char *phase)
{
    char why[CLI_WHY_MAX], line[CLI_WHY_MAX + 100];
    cli_conn_failure(c->tc, why, sizeof(why));
    if (c->state == ST_HANDSHAKE) {
        snprintf(line, sizeof(line), "handshake failed after %lld ms: %s",
                 (long long)(cli_now_ms() - c->start_ms), why);
        s->failed++;
    } else {
        snprintf(line, sizeof(line), "%s: %s", phase, why);
    }
    log_conn(c, line);
    c->state = ST_DONE;
}

static void handshake_done(struct server *s, struct srv_conn *c)
{
    char line[1400];
    const char *client = tlcp_conn_peer_subject(c->tc, TLCP_CERT_SIGN);
    const char *sni = tlcp_conn_server_name(c->tc);
    snprintf(line, sizeof(line), "handshake ok: %s, %s%lld ms%s%s%s%s",
             tlcp_conn_cipher_suite_name(c->tc), tlcp_conn_session_reused(c->tc) ? "resumed, " : "",
             (long long)(cli_now_ms() - c->start_ms), sni ? ", server name " : "", sni ? sni : "",
             client ? ", client " : "", client ? client : "");
    log_info(s, c, line);
    c->state = ST_DATA;
}

static int queue_out(struct srv_conn *c, const void *data, size_t len)
{
    size_t keep = c->out_len - c->out_off;
    uint8_t *buf = malloc(keep + len);
    if (buf == NULL)
        return 0;
    if (keep > 0)
        memcpy(buf, c->out + c->out_off, keep);
    memcpy(buf + keep, data, len);
    free(c->out);
    c->out = buf;
    c->out_len = keep + len;
    c->out_off = 0;
    return 1;
}

/* www: once the request head is complete, queue the status page. */
static int www_request(struct srv_conn *c, const uint8_t *data, size_t len)
{
    if (c->close_after_out)
        return 1; /* page already queued; ignore the rest */
    size_t room = sizeof(c->req) - 1 - c->req_len;
    int too_big = len > room;
    size_t take = too_big ? room : len;
    memcpy(c->req + c->req_len, data, take);
    c->req_len += take;
    c->req[c->req_len] = '\0';
    if (!too_big && strstr(c->req, "\r\n\r\n") == NULL && strstr(c->req, "\n\n") == NULL)
        return 1;
    char body[1024], page[1400];
    const char *status = "200 OK";
    if (too_big)
        status = "400 Bad Request";
    else if (strncmp(c->req, "GET ", 4) != 0 && strncmp(c->req, "HEAD ", 5) != 0)
        status = "405 Method Not Allowed";
    const char *client = tlcp_conn_peer_subject(c->tc, TLCP_CERT_SIGN);
    int bl = snprintf(body, sizeof(body),
                      "libtlcp %s TLCP server\n"
                      "status: %s\n"
                      "peer: %s\n"
                      "protocol: TLCP (0x%04x)\n"
                      "cipher suite: %s\n"
                      "client certificate: %s\n",
                      tlcp_version(), status, c->peer, TLCP_PROTOCOL_VERSION,
                      tlcp_conn_cipher_suite_name(c->tc), client ? client : "none");
    if (bl < 0 || (size_t)bl >= sizeof(body))
        bl = (int)strlen(body);
    int pl = snprintf(page, sizeof(page),
                      "HTTP/1.0 %s\r\nContent-Type: text/plain; charset=utf-8\r\n"
                      "Content-Length: %d\r\nConnection: close\r\n\r\n%s",
                      status, bl, strncmp(c->req, "HEAD ", 5) == 0 ? "" : body);
    if (pl < 0 || (size_t)pl >= sizeof(page))
        return 0;
    c->close_after_out = 1;
    return queue_out(c, page, (size_t)pl);
}

static int got_data(struct server *s, struct srv_conn *c, const uint8_t *buf, size_t n)
{
    c->bytes_in += n;
    switch (s->mode) {
    case MODE_ECHO:
        return queue_out(c, buf, n);
    case MODE_WWW:
        return www_request(c, buf, n);
    default:
        fwrite(buf, 1, n, stdout);
        fflush(stdout);
        return 1;
    }
}

static short want_events(tlcp_result r)
{
    return r == TLCP_WANT_WRITE ? POLLOUT : POLLIN;
}

/* Writes queued plaintext. Returns 1 to go on, 0 when blocked or done. */
static int step_write(struct server *s, struct srv_conn *c)
{
    size_t n = 0;
    tlcp_result r = tlcp_write(c->tc, c->out + c->out_off, c->out_len - c->out_off, &n);
    if (r == TLCP_WANT_READ || r == TLCP_WANT_WRITE) {
        c->events = want_events(r);
        return 0;
    }
    if (r != TLCP_OK) {
        conn_fail(s, c, "write failed");
        return 0;
    }
    c->out_off += n;
    c->bytes_out += n;
    if (c->out_off == c->out_len) {
        free(c->out);
        c->out = NULL;
        c->out_len = c->out_off = 0;
        if (c->close_after_out)
            c->state = ST_SHUTDOWN;
    }
    return 1;
}

static int step_data(struct server *s, struct srv_conn *c)
{
    if (c->out != NULL)
        return step_write(s, c);
    if (s->mode == MODE_STDIO && !s->stdin_open) {
        c->state = ST_SHUTDOWN;
        return 1;
    }
    uint8_t buf[SRV_IO_CHUNK];
    size_t n = 0;
    tlcp_result r = tlcp_read(c->tc, buf, sizeof(buf), &n);
    if (r == TLCP_WANT_READ || r == TLCP_WANT_WRITE) {
        c->events = want_events(r);
        return 0;
    }
    if (r == TLCP_CLOSED) {
        c->peer_closed = 1;
        c->state = ST_SHUTDOWN;
        return 1;
    }
    if (r != TLCP_OK) {
        conn_fail(s, c, "connection ended");
        return 0;
    }
    if (!got_data(s, c, buf, n)) {
        log_conn(c, "out of memory");
        c->state = ST_DONE;
        return 0;
    }
    return 1;
}

static void log_closed(const struct server *s, struct srv_conn *c, const char *how)
{
    char line[160];
    snprintf(line, sizeof(line), "closed%s: %llu bytes in, %llu bytes out", how,
             (unsigned long long)c->bytes_in, (unsigned long long)c->bytes_out);
    log_info(s, c, line);
    c->state = ST_DONE;
}

/* Stopping: after our close_notify, read (and drop) until the client's. */
static int step_drain(struct server *s, struct srv_conn *c)
{
    uint8_t buf[SRV_IO_CHUNK];
    size_t n = 0;
    tlcp_result r = tlcp_read(c->tc, buf, sizeof(buf), &n);
    if (r == TLCP_WANT_READ || r == TLCP_WANT_WRITE) {
        c->events = want_events(r);
        return 0;
    }
    if (r == TLCP_OK) {
        c->bytes_in += n;
        return 1;
    }
    log_closed(s, c, r == TLCP_CLOSED ? "" : " (the client did not answer close_notify)");
    return 0;
}

static int step_shutdown(struct server *s, struct srv_conn *c)
{
    tlcp_result r = tlcp_shutdown(c->tc);
    if (r == TLCP_WANT_READ || r == TLCP_WANT_WRITE) {
        c->events = want_events(r);
        return 0;
    }
    if (s->drain_deadline != 0 && !c->peer_closed && r == TLCP_OK) {
        c->state = ST_DRAIN; /* stopping: wait for the client's close_notify */
        return 1;
    }
    log_closed(s, c, "");
    return 0;
}

/* Drives one connection until it blocks or ends. */
static void step_conn(struct server *s, struct srv_conn *c)
{
    for (;;) {
        int go_on = 0;
        switch (c->state) {
        case ST_HANDSHAKE: {
            tlcp_result r = tlcp_handshake(c->tc);
            if (r == TLCP_OK) {
                handshake_done(s, c);
                go_on = 1;
            } else if (r == TLCP_WANT_READ || r == TLCP_WANT_WRITE) {
                c->events = want_events(r);
            } else {
                conn_fail(s, c, "handshake");
            }
            break;
        }
        case ST_DATA:
            go_on = step_data(s, c);
            break;
        case ST_SHUTDOWN:
            go_on = step_shutdown(s, c);
            break;
        case ST_DRAIN:
            go_on = step_drain(s, c);
            break;
        default:
            break;
        }
        if (!go_on)
            return;
    }
}

/* Every trace line the library emits meanwhile belongs to this connection
 * (one thread, one connection at a time): give it the connection's tag. */
static void step(struct server *s, struct srv_conn *c)
{
    s->trace->prefix = c->tag;
    step_conn(s, c);
    s->trace->prefix = "";
}

static void conn_free(struct srv_conn *c)
{
    tlcp_conn_free(c->tc);
    close(c->fd);
    free(c->out);
    free(c);
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
        c->state = ST_HANDSHAKE;
        s->conns[s->num_conns++] = c;
        s->accepted++;
        step(s, c);
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
            if (c->state == ST_DATA && !queue_out(c, buf, (size_t)n)) {
                log_conn(c, "out of memory");
                c->state = ST_DONE;
            }
        }
    }
    for (size_t i = 0; i < s->num_conns; i++) {
        if (s->conns[i]->state == ST_DATA)
            step(s, s->conns[i]);
    }
}

static void reap(struct server *s)
{
    int64_t now = cli_now_ms();
    size_t j = 0;
    for (size_t i = 0; i < s->num_conns; i++) {
        struct srv_conn *c = s->conns[i];
        if (c->state == ST_HANDSHAKE && now - c->start_ms > SRV_HANDSHAKE_TIMEOUT_MS) {
            log_conn(c, "handshake failed: timed out waiting for the client");
            s->failed++;
            c->state = ST_DONE;
        }
        if (c->state == ST_DONE) {
            conn_free(c);
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

/* One poll round: connections, stdin (stdio mode) and, when `accepting`,
 * the listening socket. 0 when poll itself failed. */
static int poll_round(struct server *s, int accepting, int wait_ms)
{
    struct pollfd pfd[SRV_MAX_CONNS + 2];
    size_t n = 0;
    int listen_idx = -1, stdin_idx = -1;
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
    for (size_t i = 0; i < s->num_conns; i++)
        pfd[n++] = (struct pollfd){.fd = s->conns[i]->fd, .events = s->conns[i]->events};
    int rc = poll(pfd, (nfds_t)n, wait_ms);
    if (rc < 0 && errno != EINTR) {
        fprintf(stderr, "tlcp server: poll failed: %s\n", strerror(errno));
        return 0;
    }
    if (rc > 0) {
        size_t count = s->num_conns; /* accept_new appends after these */
        for (size_t i = 0; i < count; i++) {
            if (pfd[first_conn + i].revents != 0)
                step(s, s->conns[i]);
        }
        if (stdin_idx >= 0 && pfd[stdin_idx].revents != 0)
            read_stdin(s);
        if (listen_idx >= 0 && pfd[listen_idx].revents != 0)
            accept_new(s);
    }
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
        if (c->state == ST_HANDSHAKE) {
            log_conn(c, "dropped: the server is stopping during the handshake");
            c->state = ST_DONE;
        } else if (c->state == ST_DATA && c->out != NULL) {
            c->close_after_out = 1; /* flush what is queued, then close_notify */
        } else if (c->state == ST_DATA) {
            c->state = ST_SHUTDOWN;
        }
        step(s, c);
    }
    reap(s);
    stop_signal = 0; /* a second signal ends the wait */
    while (s->num_conns > 0 && stop_signal == 0) {
        int64_t left = s->drain_deadline - cli_now_ms();
        if (left <= 0 || !poll_round(s, 0, left < 200 ? (int)left : 200))
            break;
    }
    for (size_t i = 0; i < s->num_conns; i++)
        log_conn(s->conns[i], "closed: no close_notify from the client before the drain timeout");
}

struct server_args {
    struct cli_tls_opts tls;
    const char *port, *bind, *verify;
    int echo, www, stdio_mode, quiet;
    long accept, sessions, drain_timeout;
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
        {"chain", CLI_STRING, &a->tls.chain, 0, 0},
        {"pass", CLI_STRING, &a->tls.pass, 0, 0},
        {"ca", CLI_STRING, &a->tls.ca, 0, 0},
        {"ca-dir", CLI_STRING, &a->tls.ca_dir, 0, 0},
        {"verify", CLI_STRING, &a->verify, 0, 0},
        {"suites", CLI_STRING, &a->tls.suites, 0, 0},
        {"echo", CLI_FLAG, &a->echo, 0, 0},
        {"www", CLI_FLAG, &a->www, 0, 0},
        {"stdio", CLI_FLAG, &a->stdio_mode, 0, 0},
        {"trace", CLI_FLAG, &a->tls.trace, 0, 0},
        {"keylog", CLI_STRING, &a->tls.keylog, 0, 0},
        {"accept", CLI_INT, &a->accept, 1, 1000000000L},
        {"sessions", CLI_INT, &a->sessions, 0, 1000000L},
        {"quiet", CLI_FLAG, &a->quiet, 0, 0},
        {"drain-timeout", CLI_INT, &a->drain_timeout, 0, 3600},
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
    if (a->echo + a->www + a->stdio_mode > 1) {
        cli_usage_error("server", "choose one of --echo, --www and --stdio");
        return 0;
    }
    if (a->tls.sign_cert == NULL || a->tls.sign_key == NULL || a->tls.enc_cert == NULL ||
        a->tls.enc_key == NULL) {
        cli_usage_error("server", "a server needs --sign-cert, --sign-key, --enc-cert and "
                                  "--enc-key (make a test set with 'tlcp certgen')");
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
    s->cfg = cli_make_config("server", &a->tls, trace, keylog);
    if (s->cfg == NULL)
        return TLCP_EXIT_CONFIG;
    if (tlcp_config_set_verify_mode(s->cfg, mode) != TLCP_OK) {
        cli_error("server", "--verify: %s", tlcp_config_error(s->cfg));
        return TLCP_EXIT_CONFIG;
    }
    if (a->sessions > 0 &&
        tlcp_config_set_session_cache(s->cfg, (size_t)a->sessions, 0) != TLCP_OK) {
        cli_error("server", "--sessions: %s", tlcp_config_error(s->cfg));
        return TLCP_EXIT_CONFIG;
    }
    if (!cli_check_server_config("server", s->cfg, trace))
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
    int rc = setup(&s, &a, &trace, &keylog);
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
    for (size_t i = 0; i < s.num_conns; i++)
        conn_free(s.conns[i]);
    if (s.listen_fd >= 0)
        close(s.listen_fd);
    tlcp_config_free(s.cfg);
    if (keylog != NULL)
        fclose(keylog);
    return rc;
}
