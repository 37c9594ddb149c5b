/* SPDX-License-Identifier: Apache-2.0 */
/* tlcp server: the connection table and what drives one connection
 * (server_conn.c); cmd_server.c has the options, the poll loop and the stop. */
#ifndef TLCP_APP_SERVER_H
#define TLCP_APP_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "cli.h"
#include "keyclient/kc_cli.h"

#define SRV_MAX_CONNS            512
#define SRV_HANDSHAKE_TIMEOUT_MS 30000
#define SRV_DRAIN_TIMEOUT_S      5 /* default --drain-timeout */
/* After the server's own close_notify (www), how long it waits for the
 * client's before closing the socket: closing at once can make the kernel
 * answer the client's late close_notify with a reset that destroys the
 * server's close_notify before the client has read it. */
#define SRV_LINGER_MS   2000
#define SRV_IO_CHUNK    16384
#define SRV_MAX_REQUEST 8192

enum srv_mode { MODE_ECHO, MODE_WWW, MODE_STDIO };
/* ST_DRAIN: our close_notify is out, waiting for the client's (stopping). */
/* ST_DETECT: one port for TLS and TLCP, the first bytes tell (server_tls.c). */
enum conn_state { ST_HANDSHAKE, ST_DATA, ST_SHUTDOWN, ST_DRAIN, ST_DONE, ST_DETECT };
/* ST_DETECT with part of a hello peeked: how soon the loop looks again. */
#define SRV_DETECT_RETRY_MS 10

struct cli_tls;

struct srv_conn {
    int fd;
    tlcp_conn *tc;       /* TLCP (NULL once the connection turned out TLS) */
    struct cli_tls *tls; /* TLS through libssl (tls_io.h), NULL for TLCP */
    const char *proto; /* one port: "tlcp", "tlcp-via-tls-hello", "tls1.3", ...; NULL = TLCP only */
    size_t peeked;     /* ST_DETECT: bytes seen at the last peek */
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
    int64_t drain_until; /* ST_DRAIN: when to give up on the client's close_notify */
    uint64_t bytes_in, bytes_out;
    int key_ready; /* --key-server: its operation completed, drive it again */
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
    void *tls_ctx;           /* --tls-cert/--tls-key: an SSL_CTX, NULL = TLCP only */
    int tls_hello_for_tlcp;  /* --tls-hello-for-tlcp */
    struct cli_ks ks;        /* --key-server: kc == NULL without */
};

/* "tlcp server: [conn N] ADDRESS what" on stderr. */
void srv_log_conn(const struct srv_conn *c, const char *what);
/* Appends plaintext for tlcp_write; 0 when out of memory. */
int srv_queue_out(struct srv_conn *c, const void *data, size_t len);
/* Drives one connection until it blocks (c->events) or ends (ST_DONE);
 * trace lines meanwhile carry its [conn N] tag. */
void srv_step(struct server *s, struct srv_conn *c);
/* One port for TLS and TLCP (server_tls.c): the SSL_CTX of a TLS
 * certificate and key (NULL after printing the error); ST_DETECT (1 when
 * the connection moved on to its handshake, 0 while waiting for bytes);
 * and the connection's I/O in either protocol, as libtlcp results. */
struct cli_tls_settings;
void *srv_tls_new(const struct cli_tls_settings *settings);
/* Usage checks of the --tls-* flags (verify: the --tls-verify-client
 * text, NULL = none); fills settings->verify_client. 0 after the message. */
int srv_tls_check_args(struct cli_tls_settings *settings, const char *verify);
void srv_tls_free(void *ctx);
int srv_detect(struct server *s, struct srv_conn *c);
tlcp_result srv_io_handshake(struct srv_conn *c);
tlcp_result srv_io_read(struct srv_conn *c, uint8_t *buf, size_t len, size_t *n);
tlcp_result srv_io_write(struct srv_conn *c, const uint8_t *buf, size_t len, size_t *n);
tlcp_result srv_io_shutdown(struct srv_conn *c);
const char *srv_io_failure(const struct srv_conn *c, char *buf, size_t len);
const char *srv_io_suite(const struct srv_conn *c);

/* --key-server (server_keys.c): load the delegated pairs, the key
 * server's pollfd (0 or 1 entries), the poll bound, the work after poll,
 * and forgetting a connection's pending operation before it is freed. */
struct pollfd;
int srv_keys_setup(struct server *s, const struct cli_ks_opts *k, const struct cli_tls_opts *tls);
size_t srv_keys_pollfd(const struct server *s, struct pollfd *p);
int srv_keys_wait_ms(const struct server *s, int wait_ms);
void srv_keys_after_poll(struct server *s, short revents);
void srv_keys_forget(struct server *s, struct srv_conn *c);

/* Frees the connection and closes its socket. */
void srv_conn_free(struct srv_conn *c);

#endif
