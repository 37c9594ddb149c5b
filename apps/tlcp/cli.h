/* SPDX-License-Identifier: Apache-2.0 */
#ifndef TLCP_APP_CLI_H
#define TLCP_APP_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tlcp/tlcp.h"

/* Exit codes, documented in `tlcp help` and docs/CLI.md. */
enum {
    TLCP_EXIT_OK = 0,
    TLCP_EXIT_FAILURE = 1,  /* the operation failed (self-test, I/O, unexpected end) */
    TLCP_EXIT_USAGE = 2,    /* bad command line */
    TLCP_EXIT_CONFIG = 3,   /* files, keys or certificates unusable; nothing was started */
    TLCP_EXIT_NETWORK = 4,  /* cannot bind/connect, connection refused, timeout */
    TLCP_EXIT_HANDSHAKE = 5 /* TLCP handshake failed, peer alert, verification failure */
};

struct tlcp_command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
};

/* 1 when argv holds -h or --help. */
int cli_wants_help(int argc, char **argv);

/* ---- option parsing (args.c) ------------------------------------------ */

enum cli_opt_kind {
    CLI_FLAG,   /* --name; sets *(int *)dest = 1 */
    CLI_STRING, /* --name VALUE or --name=VALUE; *(const char **)dest */
    CLI_INT,    /* integer in [min, max]; *(long *)dest */
    CLI_LIST    /* repeatable --name VALUE; appended to *(struct cli_list *)dest */
};

#define CLI_LIST_MAX 64
struct cli_list {
    const char *items[CLI_LIST_MAX]; /* point into argv */
    size_t num;
};

struct cli_opt {
    const char *name; /* without the leading "--" */
    int kind;
    void *dest;
    long min, max; /* CLI_INT only */
};

/* Parses argv[1..argc-1] (argv[0] is the command name). Positional
 * arguments go to pos[] (at most max_pos). On error prints one line to
 * stderr ("tlcp <cmd>: ...") and returns 0. */
int cli_parse(const char *cmd, int argc, char **argv, const struct cli_opt *opts, size_t num_opts,
              const char **pos, size_t max_pos, size_t *out_num_pos);

/* Prints "tlcp <cmd>: <message>" plus a hint to run --help; returns TLCP_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Usage error (returns 0) unless `text` is a decimal port in 1..65535 (or
 * 0 with allow_zero). `what` names it in the message ("--port"). */
int cli_check_port(const char *cmd, const char *what, const char *text, int allow_zero);

/* Prints "tlcp <cmd>: <message>" to stderr. */
void cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- shared TLCP setup (tlcp_setup.c) ---------------------------------- */

/* Parses "ECC_SM4_CBC_SM3,ECC_SM4_GCM_SM3" or hex ("0xE013,e053"). Returns
 * the number of suites, 0 on error (message in errbuf). */
size_t cli_parse_suites(const char *list, uint16_t *out, size_t cap, char *errbuf, size_t errlen);

/* Usage error (returns 0) when --suites names an unknown suite. */
int cli_check_suites_arg(const char *cmd, const char *list);

/* Parses none|optional|require(d) into *out_mode. */
int cli_parse_verify_mode(const char *text, int *out_mode);

/* Options shared by server, client and demo. */
struct cli_tls_opts {
    const char *sign_cert, *sign_key, *enc_cert, *enc_key;
    const char *chain;
    const char *pass; /* a --pass source (pass.c); points into argv */
    /* The passphrase itself when already read (tlcp server reads --pass
     * once for its TLCP and TLS keys: stdin or fd:N cannot be read twice);
     * used instead of `pass` and not freed by cli_make_config. */
    const char *pass_value;
    const char *ca, *ca_dir;
    const char *crl;   /* --crl FILE or DIR */
    int partial_chain; /* --partial-chain */
    const char *suites;
    const char *keylog;
    int trace;
    const char *alpn;         /* --alpn "h2,http/1.1" */
    struct cli_list cert_for; /* server: --cert-for NAME:SIGNCERT:SIGNKEY:ENCCERT:ENCKEY */
    /* Keys given as URIs (--sign-key pkcs11:...): OpenSSL providers to load
     * for them and the property query (key_uri.c). */
    struct cli_list providers; /* --provider NAME, repeatable */
    const char *provider_path; /* --provider-path DIR */
    const char *propquery;     /* --propquery Q */
};

/* 1 when a --sign-key / --enc-key value is a key URI: SCHEME:... with a
 * scheme of two or more letters, digits, '+', '-', '.' starting with a
 * letter (a file whose name looks like that is given as ./NAME). */
int cli_is_key_uri(const char *key);
/* Loads pair `which` (TLCP_CERT_SIGN / _ENC) from a key file or a key URI;
 * 0 with the reason in tlcp_config_error(cfg). */
int cli_load_pair(tlcp_config *cfg, int which, const char *cert, const char *key, const char *pass);
/* Loads --provider (each, from --provider-path) and sets --propquery; prints
 * the reason and returns 0 on failure. */
int cli_load_key_providers(const char *cmd, tlcp_config *cfg, const struct cli_tls_opts *o);

/* Loads --crl (a file, or a directory of CRLs) and sets --partial-chain;
 * prints the error and returns 0 on failure (revocation.c). */
int cli_load_revocation(const char *cmd, tlcp_config *cfg, const char *crl, int partial_chain);
/* The same with the sentence in err (the proxy adds the config location). */
int cli_apply_revocation(tlcp_config *cfg, const char *crl, int partial_chain, char *err,
                         size_t errlen);
/* The peer's verification outcome as words for a log line ("verified",
 * "none sent", "NOT verified (certificate revoked)"), NULL when not checked. */
const char *cli_peer_verify_text(const tlcp_conn *conn, char *buf, size_t cap);

/* Trace sink: each line is printed to `out` with `prefix`. */
struct cli_trace {
    FILE *out;
    const char *prefix;
    int muted; /* set while probing a config */
};
void cli_trace_line(void *arg, const char *line);

/* Keylog sink: appends lines to an open file. */
void cli_keylog_line(void *arg, const char *line);

/* Usage checks shared by the commands (print the error, return 0): the
 * four certificate options together or not at all, a well-formed --pass. */
int cli_check_tls_args(const char *cmd, const struct cli_tls_opts *o);

/* Usage check of one --cert-for value (five ':'-separated non-empty fields). */
int cli_check_cert_for(const char *cmd, const char *spec);
/* "ALPN: h2" / "ALPN: none" for the connection's agreed protocol. */
void cli_alpn_text(const tlcp_conn *conn, char *buf, size_t len);

/* 1 when the --suites list names an ECDHE suite (it needs a client pair). */
int cli_suites_have_ecdhe(const char *list);

/* Builds a config from the options: key pairs (sign and enc together or
 * not at all), chain, CA file and directory, suites, trace and keylog.
 * Prints the reason and returns NULL when something is unusable. `keylog`
 * receives the opened keylog file (caller closes). */
tlcp_config *cli_make_config(const char *cmd, const struct cli_tls_opts *o, struct cli_trace *trace,
                             FILE **keylog);

/* Checks that a server config can serve (both pairs present, key usages,
 * keys match) before any socket is opened: runs a server connection over a
 * transport that never delivers a byte, so only the configuration checks
 * run. Prints the reason and returns 0 when the config is unusable.
 * `trace` (may be NULL) is muted meanwhile. */
int cli_check_server_config(const char *cmd, tlcp_config *cfg, struct cli_trace *trace);

/* Room for any failure line (the library's sentences are < 1024 bytes). */
#define CLI_WHY_MAX 1200

/* One line describing why a connection failed: "peer sent alert X", or the
 * library's sentence. */
const char *cli_conn_failure(const tlcp_conn *conn, char *buf, size_t len);

/* An alert's name for logs and metrics: the TLCP names, the TLS-only ones a
 * libssl connection may carry (certificate_required, ...), "alert_N" for an
 * unassigned number (written into buf), "-" for a negative number (none). */
#define CLI_ALERT_NAME_MAX 16
const char *cli_alert_name(int alert, char buf[CLI_ALERT_NAME_MAX]);

/* Milliseconds from a monotonic clock. */
int64_t cli_now_ms(void);

/* ---- passphrases (pass.c) ----------------------------------------------- */

/* Overwrites memory in a way the compiler keeps. */
void cli_wipe(void *p, size_t len);
/* Usage error (returns 0) for a malformed --pass source ("fd:x", "env:"). */
int cli_check_pass_arg(const char *cmd, const char *spec);
/* The passphrase named by --pass (pass:TEXT, env:VAR, file:PATH, fd:N,
 * stdin, or the value itself), in a fresh buffer for cli_free_pass. A value
 * taken from argv is wiped there. NULL after printing why. */
char *cli_read_pass(const char *cmd, char *spec);
/* Wipes and frees (NULL is a no-op). */
void cli_free_pass(char *pass);

/* ---- session files (sess_file.c) --------------------------------------- */

/* --sess-out: writes the connection's session as PEM, mode 0600. A server
 * that gave no session ID only earns a warning. Returns an exit code. */
int cli_session_save(const char *cmd, const char *path, const tlcp_conn *conn, int quiet);
/* --sess-in: *out = the session in the file, or NULL when it has expired
 * (a warning; the handshake is a full one). Unreadable or damaged files are
 * TLCP_EXIT_CONFIG after a message. */
int cli_session_load(const char *cmd, const char *path, int quiet, tlcp_session **out);

/* ---- sockets (net.c) ---------------------------------------------------- */

/* Splits "host:port" or "[v6addr]:port" without judging the port; 0 when
 * the text has no host:port shape. */
int cli_split_host_port(const char *text, char *host, size_t host_len, char *port, size_t port_len);
/* Splits "host:port" or "[v6addr]:port" and checks the port (1..65535).
 * Prints a usage error and returns 0 when it is not one: a bare IPv6
 * address is named as such (it needs brackets). */
int cli_parse_target(const char *cmd, const char *text, char *host, size_t host_len, char *port,
                     size_t port_len);
/* A non-blocking listening socket; the bound port goes to *out_port. */
int cli_listen(const char *cmd, const char *bind_addr, const char *port, int *out_port);
/* Starts a non-blocking connect; waits up to timeout_ms. Returns the fd or
 * -1 after printing the reason (connection refused, timeout, ...). */
int cli_connect(const char *cmd, const char *host, const char *port, int64_t timeout_ms);
/* Accepts one connection (non-blocking fd) and formats the peer address. */
int cli_accept(int listen_fd, char *peer, size_t peer_len);
int cli_set_nonblocking(int fd);

/* ---- commands ----------------------------------------------------------- */

int cmd_version(int argc, char **argv);
int cmd_selftest(int argc, char **argv);
int cmd_help(int argc, char **argv);
int cmd_certgen(int argc, char **argv);
int cmd_server(int argc, char **argv);
int cmd_client(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_proxy(int argc, char **argv);     /* proxy/proxy_main.c */
int cmd_keyserver(int argc, char **argv); /* keyserver/cmd_keyserver.c */

#endif
