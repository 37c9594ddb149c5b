/* SPDX-License-Identifier: Apache-2.0 */
/* tlcp keyserver: options, loading the named key pairs and the TLCP
 * channel's identity, then the event loop (loop.c) until a signal. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "keyserver.h"

static const char keyserver_help[] =
    "usage: tlcp keyserver --listen ADDR [--listen ADDR ...]\n"
    "                      --key NAME:SIGNCERT:SIGNKEY:ENCCERT:ENCKEY [--key ...]\n"
    "                      [--sign-cert F --sign-key F --enc-cert F --enc-key F --ca F]\n"
    "                      [--pass SOURCE] [--unix-tlcp] [--allow-uid UID ...]\n"
    "                      [--workers N] [--rate N] [--burst N] [--max-in-flight N]\n"
    "                      [--window SECONDS] [--quiet]\n"
    "\n"
    "Holds SM2 private keys and performs the private-key operations (sign,\n"
    "decrypt, key exchange) of the tlcp server, client and proxy endpoints that\n"
    "name it as their key server, so that an edge machine never holds a key. Protocol: "
    "docs/KEYSERVER.md. One log line\n"
    "on stderr per request: client identity, key, operation, result, microseconds.\n"
    "\n"
    "  --listen ADDR   unix:PATH (socket made mode 0600; clients are checked by\n"
    "                  their uid, SO_PEERCRED) or HOST:PORT (TLCP with a client\n"
    "                  certificate required: needs the four pair options and --ca);\n"
    "                  repeatable; port 0 picks a free one (logged)\n"
    "  --key NAME:SIGNCERT:SIGNKEY:ENCCERT:ENCKEY\n"
    "                  a named sign+enc pair that clients ask for; repeatable\n"
    "  --sign-cert F, --sign-key F, --enc-cert F, --enc-key F\n"
    "                  the key server's own TLCP identity for its channels\n"
    "  --ca F          CA certificates that verify the clients' certificates\n"
    "  --pass SOURCE   passphrase of encrypted keys (as for tlcp server)\n"
    "  --unix-tlcp     speak TLCP on unix sockets too (on top of the uid check)\n"
    "  --allow-uid UID uid allowed on unix sockets (repeatable; default: our own)\n"
    "  --workers N     threads running the SM2 operations (default 2, 1-16)\n"
    "  --rate N        requests per second per client identity (default 0 =\n"
    "                  unlimited); --burst N the bucket size (default 2*rate or 1)\n"
    "  --max-in-flight N\n"
    "                  requests one connection may have running (default 256)\n"
    "  --window SECONDS\n"
    "                  accepted difference between a request's time and ours\n"
    "                  (default 30)\n"
    "  --quiet         log only refused and failed requests\n"
    "\n"
    "Exit status: 0 on SIGINT/SIGTERM, 2 bad command line, 3 unusable keys or\n"
    "certificates, 4 cannot listen.\n";

struct ks_args {
    struct cli_tls_opts tls;
    struct cli_list listen, keys, uids;
    int unix_tlcp, quiet;
    long workers, rate, burst, max_inflight, window;
};

static volatile int stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static int parse_args(int argc, char **argv, struct ks_args *a)
{
    const struct cli_opt opts[] = {
        {"listen", CLI_LIST, &a->listen, 0, 0},
        {"key", CLI_LIST, &a->keys, 0, 0},
        {"sign-cert", CLI_STRING, &a->tls.sign_cert, 0, 0},
        {"sign-key", CLI_STRING, &a->tls.sign_key, 0, 0},
        {"enc-cert", CLI_STRING, &a->tls.enc_cert, 0, 0},
        {"enc-key", CLI_STRING, &a->tls.enc_key, 0, 0},
        {"ca", CLI_STRING, &a->tls.ca, 0, 0},
        {"pass", CLI_STRING, &a->tls.pass, 0, 0},
        {"unix-tlcp", CLI_FLAG, &a->unix_tlcp, 0, 0},
        {"allow-uid", CLI_LIST, &a->uids, 0, 0},
        {"workers", CLI_INT, &a->workers, 1, KS_MAX_WORKERS},
        {"rate", CLI_INT, &a->rate, 0, 1000000},
        {"burst", CLI_INT, &a->burst, 1, 1000000},
        {"max-in-flight", CLI_INT, &a->max_inflight, 1, 65536},
        {"window", CLI_INT, &a->window, 1, 86400},
        {"quiet", CLI_FLAG, &a->quiet, 0, 0},
    };
    if (!cli_parse("keyserver", argc, argv, opts, sizeof(opts) / sizeof(opts[0]), NULL, 0, NULL))
        return 0;
    if (a->listen.num == 0 || a->listen.num > KS_MAX_LISTEN)
        return cli_usage_error("keyserver", "give --listen ADDR (1 to %d times)", KS_MAX_LISTEN), 0;
    if (a->keys.num == 0 || a->keys.num > KS_MAX_KEYS)
        return cli_usage_error("keyserver", "give --key NAME:... (1 to %d times)", KS_MAX_KEYS), 0;
    for (size_t i = 0; i < a->keys.num; i++) {
        if (!cli_check_cert_for("keyserver", a->keys.items[i]))
            return 0;
    }
    if (!cli_check_tls_args("keyserver", &a->tls))
        return 0;
    int needs_tlcp = a->unix_tlcp;
    for (size_t i = 0; i < a->listen.num; i++)
        needs_tlcp |= strncmp(a->listen.items[i], "unix:", 5) != 0;
    if (needs_tlcp && (a->tls.sign_cert == NULL || a->tls.ca == NULL))
        return cli_usage_error("keyserver",
                               "TCP listeners and --unix-tlcp need the TLCP channel: "
                               "--sign-cert, --sign-key, --enc-cert, --enc-key and --ca"),
               0;
    if (a->uids.num > KS_MAX_UIDS)
        return cli_usage_error("keyserver", "at most %d --allow-uid", KS_MAX_UIDS), 0;
    return 1;
}

/* --key NAME:SIGNCERT:SIGNKEY:ENCCERT:ENCKEY (checked by cli_check_cert_for). */
static int load_key(struct keyserver *ks, const char *spec, const char *pass)
{
    char buf[4096];
    snprintf(buf, sizeof(buf), "%s", spec);
    char *f[5];
    char *p = buf;
    for (int i = 0; i < 5; i++) {
        f[i] = p;
        p = strchr(p, ':');
        if (p != NULL)
            *p++ = '\0';
    }
    struct ks_key *k = &ks->keys[ks->num_keys];
    if (!ks_name_ok(f[0])) {
        cli_error("keyserver",
                  "--key: a name is 1 to %d visible ASCII characters (no space or "
                  "quote)",
                  KS_NAME_MAX);
        return 0;
    }
    for (size_t i = 0; i < ks->num_keys; i++) {
        if (strcmp(ks->keys[i].name, f[0]) == 0) {
            cli_error("keyserver", "--key %s given twice", f[0]);
            return 0;
        }
    }
    size_t name_len = strlen(f[0]); /* ks_name_ok bounded it; this tells the compiler */
    if (name_len >= sizeof(k->name))
        return 0;
    memcpy(k->name, f[0], name_len + 1);
    char err[1024];
    k->sign = tlcp_private_key_load(f[1], f[2], pass, err, sizeof(err));
    if (k->sign == NULL) {
        cli_error("keyserver", "--key %s: signing pair %s / %s: %s", f[0], f[1], f[2], err);
        return 0;
    }
    k->enc = tlcp_private_key_load(f[3], f[4], pass, err, sizeof(err));
    if (k->enc == NULL) {
        tlcp_private_key_free(k->sign);
        cli_error("keyserver", "--key %s: encryption pair %s / %s: %s", f[0], f[3], f[4], err);
        return 0;
    }
    ks->num_keys++;
    return 1;
}

static int load_keys(struct keyserver *ks, const struct ks_args *a, const char *pass)
{
    for (size_t i = 0; i < a->keys.num; i++) {
        if (!load_key(ks, a->keys.items[i], pass))
            return 0;
    }
    return 1;
}

/* The TLCP channel: our pair (read with the same passphrase as the keys),
 * the clients' CA, client certificates required. */
static int make_channel_config(struct keyserver *ks, const struct ks_args *a, const char *pass)
{
    if (a->tls.sign_cert == NULL)
        return 1;
    struct cli_tls_opts o = a->tls;
    o.sign_cert = o.sign_key = o.enc_cert = o.enc_key = o.pass = NULL;
    FILE *keylog = NULL;
    ks->cfg = cli_make_config("keyserver", &o, NULL, &keylog);
    if (ks->cfg == NULL)
        return 0;
    if (tlcp_config_load_sign_pair(ks->cfg, a->tls.sign_cert, a->tls.sign_key, pass) != TLCP_OK ||
        tlcp_config_load_enc_pair(ks->cfg, a->tls.enc_cert, a->tls.enc_key, pass) != TLCP_OK ||
        tlcp_config_set_verify_mode(ks->cfg, TLCP_VERIFY_REQUIRED) != TLCP_OK) {
        cli_error("keyserver", "channel identity: %s", tlcp_config_error(ks->cfg));
        return 0;
    }
    return cli_check_server_config("keyserver", ks->cfg, NULL);
}

static int parse_uids(struct keyserver *ks, const struct ks_args *a)
{
    for (size_t i = 0; i < a->uids.num; i++) {
        char *end = NULL;
        unsigned long v = strtoul(a->uids.items[i], &end, 10);
        if (end == a->uids.items[i] || *end != '\0' || v > 0xFFFFFFFFUL) {
            cli_usage_error("keyserver", "--allow-uid: '%s' is not a uid", a->uids.items[i]);
            return 0;
        }
        ks->allow_uids[ks->num_uids++] = (unsigned)v;
    }
    return 1;
}

static int setup(struct keyserver *ks, const struct ks_args *a)
{
    ks->rate = (double)a->rate;
    ks->burst = a->burst > 0 ? (double)a->burst : a->rate > 0 ? 2.0 * (double)a->rate : 1.0;
    ks->max_inflight = a->max_inflight > 0 ? a->max_inflight : 256;
    ks->window_ms = (a->window > 0 ? a->window : 30) * 1000;
    ks->quiet = a->quiet;
    if (!parse_uids(ks, a))
        return TLCP_EXIT_USAGE;
    char *pass = NULL;
    if (a->tls.pass != NULL && (pass = cli_read_pass("keyserver", (char *)a->tls.pass)) == NULL)
        return TLCP_EXIT_CONFIG;
    int ok = load_keys(ks, a, pass) && make_channel_config(ks, a, pass);
    cli_free_pass(pass); /* the keys are decrypted: the passphrase is not needed again */
    if (!ok)
        return TLCP_EXIT_CONFIG;
    ks->nonces = calloc(KS_NONCE_SLOTS, sizeof(*ks->nonces));
    ks->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (ks->nonces == NULL || ks->epfd < 0 ||
        !ks_pool_start(&ks->pool, a->workers > 0 ? (size_t)a->workers : 2)) {
        cli_error("keyserver", "out of memory or threads");
        return TLCP_EXIT_FAILURE;
    }
    for (size_t i = 0; i < a->listen.num; i++) {
        if (!ks_listen_addr(ks, a->listen.items[i], a->unix_tlcp))
            return TLCP_EXIT_NETWORK;
    }
    return TLCP_EXIT_OK;
}

int cmd_keyserver(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        fputs(keyserver_help, stdout);
        return TLCP_EXIT_OK;
    }
    struct ks_args a;
    memset(&a, 0, sizeof(a));
    if (!parse_args(argc, argv, &a))
        return TLCP_EXIT_USAGE;
    struct keyserver *ks = calloc(1, sizeof(*ks));
    if (ks == NULL)
        return TLCP_EXIT_FAILURE;
    ks->epfd = -1;
    ks->pool.wake_fd = -1;
    int rc = setup(ks, &a);
    if (rc == TLCP_EXIT_OK) {
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_signal;
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        ks_run(ks, &stop_flag);
        fprintf(stderr, "tlcp keyserver: stopping: %llu requests served, %llu refused\n",
                (unsigned long long)ks->served, (unsigned long long)ks->refused);
    }
    ks_shutdown(ks);
    for (size_t i = 0; i < ks->num_keys; i++) {
        tlcp_private_key_free(ks->keys[i].sign);
        tlcp_private_key_free(ks->keys[i].enc);
    }
    if (ks->epfd >= 0)
        close(ks->epfd);
    tlcp_config_free(ks->cfg);
    free(ks->nonces);
    free(ks);
    return rc;
}
