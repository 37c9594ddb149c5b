/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tlcp proxy with a key server: the service keys, the delegated pairs, and
 * per worker one kc_client per key server, on the worker's epoll set.
 * The services' TLCP configs are shared by every worker, so the callback
 * finds the calling worker's client through a thread-local link
 * (kc_key.resolve); each operation is recorded in its connection's
 * kc_wait, so that its completion wakes that connection and its end
 * forgets the operation, both in O(1). The address is resolved and the
 * channel loaded with the service's config (kc_proto), so a worker makes
 * its client without I/O. Nothing blocks: a key server that is down fails
 * the handshakes that need a key (internal_error, the access log says
 * why) while resumptions, which need none, go on; reconnects back off.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "../keyserver/frame.h"
#include "keyserver_link.h"
#include "worker.h"

#define PX_KS_MAX 8 /* distinct key servers per worker */

struct px_ksconn {
    struct px_tag tag; /* first: the epoll data points here */
    struct kc_client *kc;
    char addr[300], cert[300]; /* which services share it */
    int reg_fd;                /* what the epoll set has now */
    uint32_t reg_events;
};

struct px_kslink {
    struct px_worker *w;
    struct px_ksconn conns[PX_KS_MAX];
    size_t num;
    int64_t next_at; /* the last px_ks_sync's answer */
};

static _Thread_local struct px_kslink *current;
static _Thread_local struct px_conn *driving; /* the connection in libtlcp now */

static struct kc_client *thread_client(const struct kc_key *key, tlcp_conn *conn,
                                       struct kc_wait **wait);

/* ---- configuration -------------------------------------------------------- */

static int dup_value(char **dest, const char *value, char *err, size_t errlen)
{
    if (*value == '\0') {
        snprintf(err, errlen, "empty value");
        return 0;
    }
    free(*dest);
    *dest = strdup(value);
    if (*dest == NULL)
        snprintf(err, errlen, "out of memory");
    return *dest != NULL;
}

int px_ks_config_set(struct px_service *s, const char *key, const char *value, char *err,
                     size_t errlen, int *handled)
{
    char **dest = strcmp(key, "key_server") == 0        ? &s->ks.addr
                  : strcmp(key, "key_server_cert") == 0 ? &s->ks.cert
                  : strcmp(key, "key_server_key") == 0  ? &s->ks.key
                  : strcmp(key, "key_server_ca") == 0   ? &s->ks.ca
                  : strcmp(key, "key_name") == 0        ? &s->ks.name
                                                        : NULL;
    *handled = dest != NULL;
    if (dest == NULL)
        return 1;
    if (dest == &s->ks.name && !ks_name_ok(value)) {
        snprintf(err, errlen,
                 "key names are 1 to 64 visible ASCII characters (at most 64 bytes, "
                 "no space or quote)");
        return 0;
    }
    return dup_value(dest, value, err, errlen);
}

int px_ks_validate(struct px_service *s, char *err, size_t errlen)
{
    struct px_ks_cfg *k = &s->ks;
    if (k->addr == NULL) {
        if (k->cert != NULL || k->key != NULL || k->ca != NULL || k->name != NULL) {
            snprintf(err, errlen, "keys 'key_server_*' and 'key_name' need 'key_server'");
            return 0;
        }
        return 1;
    }
    struct px_pair *p = &s->single;
    if (p->sign_key != NULL || p->enc_key != NULL || s->num_pairs > 0) {
        snprintf(err, errlen,
                 "with 'key_server' the private keys stay there: give sign_cert "
                 "and enc_cert only (no sign_key, enc_key, pair or pair_for)");
        return 0;
    }
    if (p->sign_cert == NULL || (s->direction == PX_TERMINATE && p->enc_cert == NULL)) {
        snprintf(err, errlen, "'key_server' needs the certificates: key 'sign_cert'%s missing",
                 s->direction == PX_TERMINATE ? " or 'enc_cert'" : "");
        return 0;
    }
    int channel = (k->cert != NULL) + (k->key != NULL) + (k->ca != NULL);
    if (channel != 0 && channel != 3) {
        snprintf(err, errlen, "key_server_cert, key_server_key and key_server_ca go together");
        return 0;
    }
    if (channel == 0 && strncmp(k->addr, "unix:", 5) != 0) {
        snprintf(err, errlen,
                 "a TCP key_server needs key_server_cert, key_server_key and "
                 "key_server_ca (TLCP with client authentication)");
        return 0;
    }
    k->sign_cert = p->sign_cert;
    k->enc_cert = p->enc_cert;
    p->sign_cert = p->enc_cert = NULL;
    return 1;
}

void px_ks_config_free(struct px_service *s)
{
    struct px_ks_cfg *k = &s->ks;
    free(k->addr);
    free(k->cert);
    free(k->key);
    free(k->ca);
    free(k->name);
    free(k->sign_cert);
    free(k->enc_cert);
    kc_proto_free(k->proto);
    memset(k, 0, sizeof(*k));
}

int px_ks_load_pairs(tlcp_config *cfg, const struct px_service *s, char *err, size_t errlen)
{
    struct px_ks_cfg *k = (struct px_ks_cfg *)&s->ks; /* filled once, with the generation */
    if (k->addr == NULL)
        return 1;
    struct kc_opts o = {k->addr, k->cert, k->key, k->ca, s->pass};
    char why[CLI_WHY_MAX];
    kc_proto_free(k->proto);
    k->proto = kc_proto_new(&o, why, sizeof(why));
    if (k->proto == NULL) {
        snprintf(err, errlen, "%s:%d: [%s]: key 'key_server': %s", s->at.file, s->at.line, s->name,
                 why);
        return 0;
    }
    /* The argument lives in the generation's service, as long as cfg. */
    struct kc_key *arg = &k->key_arg;
    memset(arg, 0, sizeof(*arg));
    snprintf(arg->name, sizeof(arg->name), "%s", k->name != NULL ? k->name : "default");
    arg->where = s;
    arg->resolve = thread_client;
    if (tlcp_config_load_delegated_pair(cfg, TLCP_CERT_SIGN, k->sign_cert, kc_key_op, arg) !=
            TLCP_OK ||
        (k->enc_cert != NULL && tlcp_config_load_delegated_pair(cfg, TLCP_CERT_ENC, k->enc_cert,
                                                                kc_key_op, arg) != TLCP_OK)) {
        snprintf(err, errlen, "%s:%d: [%s]: key 'key_server' certificates: %s", s->at.file,
                 s->at.line, s->name, tlcp_config_error(cfg));
        return 0;
    }
    return 1;
}

/* ---- the worker's key-server connections ----------------------------------- */

static void on_ready(void *arg, tlcp_conn *conn, void *owner)
{
    (void)arg;
    (void)conn;
    /* owner: the px_conn of the kc_wait, which conn_free forgets before
     * the px_conn goes (px_ks_forget), so it is alive here. */
    if (owner != NULL)
        px_conn_wake(owner);
}

static struct px_ksconn *add_client(struct px_kslink *l, const struct px_service *s,
                                    const char *cert)
{
    if (l->num == PX_KS_MAX) {
        px_log_line("service=%s key_server=%s unusable: a worker talks to at most %d key servers "
                    "(restart the proxy after changing them this often)",
                    s->name, s->ks.addr, PX_KS_MAX);
        return NULL;
    }
    struct kc_client *kc = kc_new_from(s->ks.proto); /* no I/O: the proto has done it */
    if (kc == NULL) {
        px_log_line("service=%s key_server=%s unusable: out of memory", s->name, s->ks.addr);
        return NULL;
    }
    struct px_ksconn *k = &l->conns[l->num++];
    memset(k, 0, sizeof(*k));
    k->tag.kind = PX_KIND_KEYSERVER;
    k->tag.index = (size_t)(k - l->conns);
    k->kc = kc;
    k->reg_fd = -1;
    snprintf(k->addr, sizeof(k->addr), "%s", s->ks.addr);
    snprintf(k->cert, sizeof(k->cert), "%s", cert);
    kc_set_ready(kc, on_ready, l);
    return k;
}

/* The calling worker's client for the service's key server, made on first
 * use; a reload's new proto is taken for the next connect. */
static struct kc_client *thread_client(const struct kc_key *key, tlcp_conn *conn,
                                       struct kc_wait **wait)
{
    struct px_kslink *l = current;
    const struct px_service *s = key->where;
    if (l == NULL || s == NULL || s->ks.proto == NULL)
        return NULL;
    const char *cert = s->ks.cert != NULL ? s->ks.cert : "";
    struct px_ksconn *k = NULL;
    for (size_t i = 0; i < l->num && k == NULL; i++) {
        if (strcmp(l->conns[i].addr, s->ks.addr) == 0 && strcmp(l->conns[i].cert, cert) == 0)
            k = &l->conns[i];
    }
    if (k == NULL && (k = add_client(l, s, cert)) == NULL)
        return NULL;
    kc_retarget(k->kc, s->ks.proto);
    struct px_conn *c = driving;
    if (c != NULL && c->side[c->tls_side].tc == conn) {
        c->ks_wait.owner = c;
        *wait = &c->ks_wait;
    }
    return k->kc;
}

struct px_kslink *px_ks_start(struct px_worker *w)
{
    struct px_kslink *l = calloc(1, sizeof(*l));
    if (l == NULL)
        return NULL;
    l->w = w;
    l->next_at = INT64_MAX;
    current = l;
    return l;
}

void px_ks_stop(struct px_worker *w)
{
    struct px_kslink *l = w->kslink;
    if (l == NULL)
        return;
    for (size_t i = 0; i < l->num; i++)
        kc_free(l->conns[i].kc); /* closing the fd drops it from the epoll set */
    free(l);
    w->kslink = NULL;
    current = NULL;
}

void px_ks_event(struct px_worker *w, struct px_tag *tag)
{
    if (w->kslink != NULL && tag->index < w->kslink->num)
        kc_io(w->kslink->conns[tag->index].kc);
}

static uint32_t to_epoll(short ev)
{
    return ((ev & POLLIN) ? EPOLLIN : 0) | ((ev & POLLOUT) ? EPOLLOUT : 0);
}

/* A client closes its old socket before it opens a new one, and close()
 * drops a socket from the epoll set: a new fd is always ADDed, never the
 * old one DELeted (its number may belong to someone else by now). */
static void register_fd(struct px_worker *w, struct px_ksconn *k)
{
    int fd = kc_fd(k->kc);
    uint32_t events = to_epoll(kc_events(k->kc));
    if (fd < 0 || (fd == k->reg_fd && events == k->reg_events)) {
        k->reg_fd = fd;
        return;
    }
    struct epoll_event ev = {.events = events, .data.ptr = &k->tag};
    int op = fd == k->reg_fd ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    if (epoll_ctl(w->epfd, op, fd, &ev) != 0) {
        op = errno == ENOENT ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
        (void)epoll_ctl(w->epfd, op, fd, &ev);
    }
    k->reg_fd = fd;
    k->reg_events = events;
}

int64_t px_ks_sync(struct px_worker *w, int64_t now)
{
    struct px_kslink *l = w->kslink;
    int64_t next = INT64_MAX;
    for (size_t i = 0; l != NULL && i < l->num; i++) {
        struct px_ksconn *k = &l->conns[i];
        if ((kc_events(k->kc) & POLLOUT) != 0 && kc_is_up(k->kc))
            kc_io(k->kc); /* requests queued by this batch go out now */
        int64_t at = kc_tick(k->kc, now);
        if (at < next)
            next = at;
        register_fd(w, k);
    }
    if (l != NULL)
        l->next_at = next;
    return next;
}

int64_t px_ks_next(const struct px_worker *w)
{
    return w->kslink != NULL ? w->kslink->next_at : INT64_MAX;
}

void px_ks_driving(struct px_conn *c)
{
    driving = c;
}

void px_ks_forget(struct px_conn *c)
{
    if (driving == c)
        driving = NULL;
    kc_forget_wait(&c->ks_wait);
}

long px_ks_wait_ms(const struct px_conn *c)
{
    const tlcp_conn *tc = c->side[c->tls_side].tc;
    if (c->state != PX_S_HANDSHAKE || tc == NULL || c->svc->ks.addr == NULL)
        return -1;
    return tlcp_conn_key_operation_wait_ms(tc);
}

const char *px_ks_failure(const struct px_conn *c, char *buf, size_t len)
{
    const tlcp_conn *tc = c->side[c->tls_side].tc;
    char why[CLI_WHY_MAX];
    cli_conn_failure(tc, why, sizeof(why));
    int reason = tlcp_conn_error_reason(tc);
    const struct px_kslink *l = c->w->kslink;
    const char *ks = NULL;
    for (size_t i = 0; l != NULL && i < l->num && c->svc->ks.addr != NULL; i++) {
        if (strcmp(l->conns[i].addr, c->svc->ks.addr) == 0 && kc_why(l->conns[i].kc)[0] != '\0')
            ks = kc_why(l->conns[i].kc);
    }
    if (ks != NULL && (reason == TLCP_R_KEY_OP_FAILED || reason == TLCP_R_KEY_OP_TIMEOUT))
        snprintf(buf, len, "%s (%s)", why, ks);
    else
        snprintf(buf, len, "%s", why);
    return buf;
}
